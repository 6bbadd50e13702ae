/* util — small helpers shared by the server: clocks, number parsing and formatting, glob
 * matching, human-readable byte counts, secret comparison, loopback addresses. */
#ifndef ZMEM_SERVER_UTIL_H
#define ZMEM_SERVER_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic clock in ms / us (timeouts, durations). */
int64_t mono_ms(void);
int64_t mono_us(void);
/* Wall clock in ms / us since the epoch (expiry times, TIME, log lines). */
int64_t wall_ms(void);
int64_t wall_us(void);

/* Parse a whole string as a long long with Redis's string2ll rules (no spaces, no '+', no
 * leading zeros, fits). 0 on success, -1 otherwise. */
int str_to_ll(const char *s, size_t len, long long *out);
/* Parse a whole string as a finite double (no spaces). 0 on success, -1 otherwise. */
int str_to_double(const char *s, size_t len, double *out);
/* Parse a memory size: "100", "100b", "1k"(1000), "1kb"(1024), "100mb", "1gb", case-insensitive.
 * 0 on success, -1 otherwise. */
int str_to_memory(const char *s, long long *out);
/* Redis's glob match (*, ?, [...], \ escapes); nocase for CONFIG GET. 1 on match. */
int glob_match(const char *pat, size_t patlen, const char *s, size_t slen, int nocase);
/* Bytes as INFO's _human fields print them (docs/redis-compat.md, "The _human format"):
 * "0B", "1.00K", "11.81M". */
void bytes_to_human(char *dst, size_t size, unsigned long long n);

/* Print v with the fewest significant digits (%.1g .. %.17g) that strtod() reads back as
 * exactly v: 1.1 rather than 1.1000000000000001. NaN and infinities print as "%g" does.
 * Returns the length; dst needs 32 bytes. */
size_t double_to_shortest(char *dst, size_t size, double v);
/* Print v in decimal into dst (>= 21 bytes), NUL-terminated; returns the length. */
size_t ll_to_str(char *dst, long long v);
/* Longest text ldouble_to_str() writes (Redis's MAX_LONG_DOUBLE_CHARS). */
#define LDBL_STR_MAX 5120
/* Parse a whole string as a long double with Redis's rules (no leading space, no NaN; inf
 * allowed). 0, or -1. */
int str_to_ldouble(const char *s, size_t len, long double *out);
/* Print v as Redis's INCRBYFLOAT does ("%.17Lf", trailing zeros removed). Returns the length. */
size_t ldouble_to_str(char *dst, size_t size, long double v);

/* 1 when the secret given (glen bytes, from a client) equals want (wlen > 0 bytes), else 0. Its
 * time depends on glen only, never on how much of want matched nor on want's length, so timing
 * a wrong guess says nothing about the password (AUTH, the metrics listener). */
int secret_eq(const char *given, size_t glen, const char *want, size_t wlen);
/* Whether a numeric address is loopback: 1 for 127.0.0.0/8, ::1 and ::ffff:127.x, 0 for any other
 * numeric IPv4 or IPv6 address, -1 when addr is not a numeric address at all (a name). */
int addr_is_loopback(const char *addr);

#endif
