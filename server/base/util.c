/* util.c — small shared helpers: clocks, strict number parsing with Redis's rules, glob
 * matching for CONFIG GET / KEYS / SCAN, and the _human byte format of INFO. */
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "resp_write.h"

/* ---- Clocks ---- */

static int64_t
clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
mono_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t
mono_ms(void)
{
    return mono_us() / 1000;
}

int64_t
wall_us(void)
{
    return clock_us(CLOCK_REALTIME);
}

int64_t
wall_ms(void)
{
    return wall_us() / 1000;
}

/* ---- Numbers ---- */

int
str_to_ll(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    int neg = 0;
    unsigned long long v = 0;

    /* 20 digits plus a sign is the longest valid long long. */
    if (len == 0 || len > 20)
        return -1;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 0;
    }
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (len == 1)
            return -1;
    }
    /* No leading zero, so every value has exactly one spelling (Redis's string2ll). */
    if (s[i] < '1' || s[i] > '9')
        return -1;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (~0ULL - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return -1;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return -1;
        *out = (long long)v;
    }
    return 0;
}

int
str_to_double(const char *s, size_t len, double *out)
{
    char tmp[128];
    char *end;

    /* strtod needs a terminated string; longer inputs are never a sane double argument. */
    if (len == 0 || len >= sizeof(tmp) || isspace((unsigned char)s[0]))
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    double d = strtod(tmp, &end);
    if ((size_t)(end - tmp) != len || errno == ERANGE || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

int
str_to_memory(const char *s, long long *out)
{
    size_t len = strlen(s);
    size_t digits = len;
    long long mul = 1;

    /* The unit suffixes redis.conf documents: k/m/g are powers of 1000, kb/mb/gb of 1024. */
    static const struct {
        const char *suffix;
        long long mul;
    } units[] = {
        {"gb", 1024LL * 1024 * 1024},
        {"mb", 1024LL * 1024},
        {"kb", 1024},
        {"g", 1000000000LL},
        {"m", 1000000},
        {"k", 1000},
        {"b", 1},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t sl = strlen(units[i].suffix);
        if (len > sl && strcasecmp(s + len - sl, units[i].suffix) == 0) {
            digits = len - sl;
            mul = units[i].mul;
            break;
        }
    }
    long long v;
    if (str_to_ll(s, digits, &v) < 0 || v < 0)
        return -1;
    if (v > LLONG_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

/* ---- Glob ---- */

static int
fold(int ch, int nocase)
{
    return nocase ? tolower((unsigned char)ch) : (unsigned char)ch;
}

/* Match one character class starting at pat[*pi] == '['; advances *pi past the closing ']'.
 * Returns 1 if ch is in the class. */
static int
class_match(const char *pat, size_t patlen, size_t *pi, int ch, int nocase)
{
    size_t i = *pi + 1;
    int negate = 0, hit = 0;

    if (i < patlen && pat[i] == '^') {
        negate = 1;
        i++;
    }
    while (i < patlen && pat[i] != ']') {
        if (pat[i] == '\\' && i + 1 < patlen) {
            i++;
            if (fold(pat[i], nocase) == ch)
                hit = 1;
            i++;
        } else if (i + 2 < patlen && pat[i + 1] == '-') {
            int lo = fold(pat[i], nocase), hi = fold(pat[i + 2], nocase);
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            if (ch >= lo && ch <= hi)
                hit = 1;
            i += 3;
        } else {
            if (fold(pat[i], nocase) == ch)
                hit = 1;
            i++;
        }
    }
    /* An unclosed class ends at the pattern's end, as in Redis. */
    *pi = i < patlen ? i + 1 : i;
    return negate ? !hit : hit;
}

int
glob_match(const char *pat, size_t patlen, const char *s, size_t slen, int nocase)
{
    size_t p = 0, i = 0;
    size_t star_p = (size_t)-1, star_i = 0;

    /* One remembered star is enough: on a mismatch, let the last star eat one more character.
     * That keeps the match linear in practice and immune to pathological patterns. */
    while (i < slen) {
        if (p < patlen) {
            char pc = pat[p];
            if (pc == '*') {
                while (p < patlen && pat[p] == '*')
                    p++;
                if (p == patlen)
                    return 1;
                star_p = p;
                star_i = i;
                continue;
            }
            int ch = fold(s[i], nocase);
            if (pc == '?') {
                p++;
                i++;
                continue;
            }
            if (pc == '[') {
                size_t np = p;
                if (class_match(pat, patlen, &np, ch, nocase)) {
                    p = np;
                    i++;
                    continue;
                }
            } else {
                if (pc == '\\' && p + 1 < patlen)
                    pc = pat[++p];
                if (fold(pc, nocase) == ch) {
                    p++;
                    i++;
                    continue;
                }
            }
        }
        if (star_p == (size_t)-1)
            return 0;
        p = star_p;
        i = ++star_i;
    }
    while (p < patlen && pat[p] == '*')
        p++;
    return p == patlen;
}

/* ---- Human-readable bytes ---- */

void
bytes_to_human(char *dst, size_t size, unsigned long long n)
{
    static const char units[] = "KMGTP";
    double d = (double)n;

    if (n < 1024) {
        snprintf(dst, size, "%lluB", n);
        return;
    }
    for (int i = 0; i < 5; i++) {
        d /= 1024;
        if (d < 1024 || i == 4) {
            if (d >= 1024) /* beyond 1024 PB: the raw count, as Redis prints it */
                break;
            snprintf(dst, size, "%.2f%c", d, units[i]);
            return;
        }
    }
    snprintf(dst, size, "%lluB", n);
}

size_t
ll_to_str(char *dst, long long v)
{
    size_t len = resp_ll2str(dst, v); /* at most 20 bytes: the NUL still fits in 21 */
    dst[len] = '\0';
    return len;
}

int
str_to_ldouble(const char *s, size_t len, long double *out)
{
    char buf[LDBL_STR_MAX + 1];
    char *end;
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    long double v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || end != buf + len || isnan(v) ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)))
        return -1;
    *out = v;
    return 0;
}

size_t
ldouble_to_str(char *dst, size_t size, long double v)
{
    int n = snprintf(dst, size, "%.17Lf", v);
    if (n < 0 || (size_t)n >= size)
        return 0;
    size_t l = (size_t)n;
    if (memchr(dst, '.', l)) {
        while (l > 0 && dst[l - 1] == '0')
            l--;
        if (l > 0 && dst[l - 1] == '.')
            l--;
    }
    if (l == 2 && dst[0] == '-' && dst[1] == '0') { /* no "-0" */
        dst[0] = '0';
        l = 1;
    }
    dst[l] = '\0';
    return l;
}

int
secret_eq(const char *given, size_t glen, const char *want, size_t wlen)
{
    if (wlen == 0)
        return 0; /* no secret: nothing matches it (and want[0] may not exist) */
    /* Every byte of the attempt is compared against want (cycled), with no early exit. */
    unsigned char diff = glen != wlen;
    for (size_t i = 0; i < glen; i++)
        diff |= (unsigned char)(given[i] ^ want[i % wlen]);
    return diff == 0;
}

int
addr_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return -1;
}

size_t
double_to_shortest(char *dst, size_t size, double v)
{
    char tmp[32];
    int lo = 1, hi = 17; /* 17 significant digits always read back as the same double */

    if (!isfinite(v))
        return (size_t)snprintf(dst, size, "%g", v);
    /* Binary search: if p digits read back, p + 1 do too (the closest (p+1)-digit decimal is at
     * least as close to v), so four or five tries instead of up to seventeen; this runs twice
     * per sample of every GET /history. */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, sizeof(tmp), "%.*g", mid, v);
        if (strtod(tmp, NULL) == v)
            hi = mid;
        else
            lo = mid + 1;
    }
    int n = snprintf(dst, size, "%.*g", lo, v);
    return n > 0 ? (size_t)n : 0;
}
