/* resp_write — RESP2/RESP3 reply encoders into a struct buf.
 *
 * Each writer appends one complete element (or an aggregate header whose elements follow).
 * Integers and lengths are formatted without printf. RESP3-only types degrade the way Redis
 * degrades them under RESP2: map -> flat array of 2n, set -> array, double -> bulk string,
 * null -> $-1 (or *-1 for a null array), boolean -> integer 0/1, verbatim -> bulk string. */
#ifndef ZMEM_PROTOCOL_RESP_WRITE_H
#define ZMEM_PROTOCOL_RESP_WRITE_H

#include <stddef.h>

#include "buf.h"
#include "resp.h"

/* +text\r\n. Text should not contain CR or LF; any that does is written as a space, so that
 * echoed input can never frame an extra reply. */
void resp_write_simple(struct buf *b, const char *s, size_t len);
/* -text\r\n; CR and LF inside text are replaced by spaces. The text includes its code
 * ("ERR ...", "WRONGTYPE ..."). */
void resp_write_error(struct buf *b, const char *s, size_t len);
/* :n\r\n */
void resp_write_int(struct buf *b, long long v);
/* $len\r\n<bytes>\r\n */
void resp_write_bulk(struct buf *b, const char *s, size_t len);
/* A bulk string holding the decimal form of v. */
void resp_write_bulk_int(struct buf *b, long long v);
/* Null bulk: RESP3 "_\r\n", RESP2 "$-1\r\n". */
void resp_write_null(struct buf *b, int proto);
/* Null array: RESP3 "_\r\n", RESP2 "*-1\r\n". */
void resp_write_null_array(struct buf *b, int proto);
/* *n\r\n — n elements follow. */
void resp_write_array(struct buf *b, long long n);
/* RESP3 %n\r\n, RESP2 *2n\r\n — n key/value pairs follow. */
void resp_write_map(struct buf *b, long long n, int proto);
/* RESP3 ~n\r\n, RESP2 *n\r\n. */
void resp_write_set(struct buf *b, long long n, int proto);
/* RESP3 ,<d>\r\n (inf, -inf, nan as RESP3 spells them); RESP2 a bulk string of "%.17g". */
void resp_write_double(struct buf *b, double d, int proto);
/* RESP3 #t / #f, RESP2 :1 / :0. */
void resp_write_bool(struct buf *b, int v, int proto);
/* RESP3 =<len+4>\r\n<fmt>:<text>\r\n with a three-letter fmt ("txt"; any other length is
 * replaced by "txt"), RESP2 a bulk string of the text alone. */
void resp_write_verbatim(struct buf *b, const char *fmt, const char *s, size_t len, int proto);

/* Deferred aggregate length, for replies whose element count is known only at the end:
 * resp_write_deferred() appends a placeholder and returns its offset; resp_write_set_deferred()
 * later inserts the header there (type RESP_ARRAY, RESP_MAP or RESP_SET; map/set degrade
 * under RESP2 as above), moving the elements written since then up by the header's length.
 * The placeholder is empty: the offset counts from data[0], so the buffer must not be
 * compacted or cleared in between (an offset past len is ignored). Deferred headers nest:
 * set the inner one first. */
size_t resp_write_deferred(struct buf *b);
void resp_write_set_deferred(struct buf *b, size_t at, char type, long long n, int proto);

/* Format v in decimal into dst (at least 21 bytes); returns the length. No printf. */
size_t resp_ll2str(char *dst, long long v);

#endif
