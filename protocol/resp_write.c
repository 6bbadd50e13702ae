/* resp_write — RESP2/RESP3 reply encoders into a struct buf.
 *
 * Every writer reserves the bytes of its whole element once, then formats in place; integers
 * and lengths go through resp_ll2str (no printf). A failed reservation sets buf->oom and the
 * element is dropped whole, never half written. */
#include "resp_write.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Type byte, sign, 20 digits, CRLF. */
#define RESP_HDR_MAX 24

/* Two decimal digits per lookup: halves the divisions of a plain digit loop. */
static const char resp_digits2[] = "0001020304050607080910111213141516171819"
                                   "2021222324252627282930313233343536373839"
                                   "4041424344454647484950515253545556575859"
                                   "6061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";

/* Decimal digits of v (1..20). */
static int
resp_ull_digits(unsigned long long v)
{
    int n = 1;

    for (;;) {
        if (v < 10)
            return n;
        if (v < 100)
            return n + 1;
        if (v < 1000)
            return n + 2;
        if (v < 10000)
            return n + 3;
        v /= 10000;
        n += 4;
    }
}

size_t
resp_ll2str(char *dst, long long v)
{
    /* Negate in unsigned arithmetic: -LLONG_MIN does not fit a long long. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t sign = v < 0;
    int n = resp_ull_digits(u);
    char *p = dst + sign + n;

    if (sign)
        dst[0] = '-';
    while (u >= 100) {
        unsigned i = (unsigned)(u % 100) * 2;

        u /= 100;
        *--p = resp_digits2[i + 1];
        *--p = resp_digits2[i];
    }
    if (u >= 10) {
        *--p = resp_digits2[u * 2 + 1];
        *--p = resp_digits2[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    return sign + (size_t)n;
}

/* Room for n more bytes at the end of b, or NULL once b is out of memory. */
static char *
resp_room(struct buf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (b->cap - b->len < n && buf_reserve(b, n) != 0)
        return NULL;
    return b->data + b->len;
}

/* "<type><n>\r\n" at dst; returns its length (at most RESP_HDR_MAX). */
static size_t
resp_put_header(char *dst, char type, long long n)
{
    size_t len;

    dst[0] = type;
    len = 1 + resp_ll2str(dst + 1, n);
    dst[len] = '\r';
    dst[len + 1] = '\n';
    return len + 2;
}

static void
resp_write_header(struct buf *b, char type, long long n)
{
    char *p = resp_room(b, RESP_HDR_MAX);

    if (p != NULL)
        b->len += resp_put_header(p, type, n);
}

/* A one-line element: type byte, text with CR and LF turned into spaces, CRLF. The mapping
 * keeps text that echoes client input from injecting extra replies. */
static void
resp_write_line(struct buf *b, char type, const char *s, size_t len)
{
    char *p;
    size_t i;

    if (len > SIZE_MAX - 3 || (p = resp_room(b, len + 3)) == NULL)
        return;
    p[0] = type;
    memcpy(p + 1, s, len);
    for (i = 1; i <= len; i++) {
        if (p[i] == '\r' || p[i] == '\n')
            p[i] = ' ';
    }
    p[len + 1] = '\r';
    p[len + 2] = '\n';
    b->len += len + 3;
}

void
resp_write_simple(struct buf *b, const char *s, size_t len)
{
    resp_write_line(b, RESP_SIMPLE, s, len);
}

void
resp_write_error(struct buf *b, const char *s, size_t len)
{
    resp_write_line(b, RESP_ERROR, s, len);
}

void
resp_write_int(struct buf *b, long long v)
{
    resp_write_header(b, RESP_INTEGER, v);
}

void
resp_write_bulk(struct buf *b, const char *s, size_t len)
{
    char *p;
    size_t h;

    if (len > SIZE_MAX - RESP_HDR_MAX - 2 || (p = resp_room(b, RESP_HDR_MAX + len + 2)) == NULL)
        return;
    h = resp_put_header(p, RESP_BULK, (long long)len);
    memcpy(p + h, s, len);
    p[h + len] = '\r';
    p[h + len + 1] = '\n';
    b->len += h + len + 2;
}

void
resp_write_bulk_int(struct buf *b, long long v)
{
    char digits[21];

    resp_write_bulk(b, digits, resp_ll2str(digits, v));
}

void
resp_write_null(struct buf *b, int proto)
{
    if (proto == RESP3)
        buf_append(b, "_\r\n", 3);
    else
        buf_append(b, "$-1\r\n", 5);
}

void
resp_write_null_array(struct buf *b, int proto)
{
    if (proto == RESP3)
        buf_append(b, "_\r\n", 3);
    else
        buf_append(b, "*-1\r\n", 5);
}

void
resp_write_array(struct buf *b, long long n)
{
    resp_write_header(b, RESP_ARRAY, n);
}

void
resp_write_map(struct buf *b, long long n, int proto)
{
    if (proto == RESP3)
        resp_write_header(b, RESP_MAP, n);
    else
        resp_write_header(b, RESP_ARRAY, n * 2);
}

void
resp_write_set(struct buf *b, long long n, int proto)
{
    resp_write_header(b, proto == RESP3 ? RESP_SET : RESP_ARRAY, n);
}

void
resp_write_double(struct buf *b, double d, int proto)
{
    char dbuf[64];
    const char *s = dbuf;
    int n;

    /* Spelled out rather than left to printf: libcs differ ("Infinity", "-nan"). */
    if (isinf(d)) {
        s = d > 0 ? "inf" : "-inf";
        n = d > 0 ? 3 : 4;
    } else if (isnan(d)) {
        s = "nan";
        n = 3;
    } else {
        /* %.17g round-trips every double; it is what Redis 7.0 prints in both protocols. */
        n = snprintf(dbuf, sizeof(dbuf), "%.17g", d);
        if (n < 0 || n >= (int)sizeof(dbuf))
            return;
    }
    if (proto == RESP3) {
        char *p = resp_room(b, (size_t)n + 3);

        if (p == NULL)
            return;
        p[0] = RESP_DOUBLE;
        memcpy(p + 1, s, (size_t)n);
        p[n + 1] = '\r';
        p[n + 2] = '\n';
        b->len += (size_t)n + 3;
    } else {
        resp_write_bulk(b, s, (size_t)n);
    }
}

void
resp_write_bool(struct buf *b, int v, int proto)
{
    if (proto == RESP3)
        buf_append(b, v ? "#t\r\n" : "#f\r\n", 4);
    else
        buf_append(b, v ? ":1\r\n" : ":0\r\n", 4);
}

void
resp_write_verbatim(struct buf *b, const char *fmt, const char *s, size_t len, int proto)
{
    char *p;
    size_t h;

    if (proto != RESP3) {
        resp_write_bulk(b, s, len);
        return;
    }
    /* The format is exactly three bytes on the wire; anything else would corrupt the frame. */
    if (fmt == NULL || strnlen(fmt, 4) != 3)
        fmt = "txt";
    if (len > SIZE_MAX - RESP_HDR_MAX - 6 || (p = resp_room(b, RESP_HDR_MAX + len + 6)) == NULL)
        return;
    h = resp_put_header(p, RESP_VERBATIM, (long long)len + 4);
    memcpy(p + h, fmt, 3);
    p[h + 3] = ':';
    memcpy(p + h + 4, s, len);
    p[h + 4 + len] = '\r';
    p[h + 5 + len] = '\n';
    b->len += h + len + 6;
}

size_t
resp_write_deferred(struct buf *b)
{
    return b->len;
}

void
resp_write_set_deferred(struct buf *b, size_t at, char type, long long n, int proto)
{
    char hdr[RESP_HDR_MAX];
    size_t h;

    if (proto != RESP3) {
        if (type == RESP_MAP)
            n *= 2;
        type = RESP_ARRAY;
    }
    h = resp_put_header(hdr, type, n);
    /* An offset past the end means the buffer was cleared or compacted in between. */
    if (at > b->len || resp_room(b, h) == NULL)
        return;
    memmove(b->data + at + h, b->data + at, b->len - at);
    memcpy(b->data + at, hdr, h);
    b->len += h;
}
