/* test_resp_write — every reply encoder: RESP2 output read back with hiredis's redisReader
 * (Debian's hiredis 0.14 speaks RESP2 only), RESP3 output checked byte for byte and read back
 * with a small RESP3 decoder below; integer formatting against printf; out-of-memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "buf.h"
#include "resp_parse.h"
#include "resp_write.h"
#include "zmalloc.h"

static size_t baseline;

static int
setup(void **state)
{
    baseline = zmalloc_used_memory();
    return 0;
}

static int
teardown(void **state)
{
    assert_int_equal(zmalloc_used_memory(), baseline);
    return 0;
}

#define ASSERT_BYTES(b, lit)                                                                       \
    do {                                                                                           \
        assert_int_equal((b)->len, sizeof(lit) - 1);                                               \
        assert_memory_equal((b)->data, lit, sizeof(lit) - 1);                                      \
    } while (0)

/* ---- A small RESP3 decoder: one element to a canonical text, checking every length ---- */

struct r3 {
    const char *s;
    size_t len, pos;
    char out[1 << 16];
    size_t olen;
};

static void
r3_emit(struct r3 *d, const char *p, size_t n)
{
    assert_true(d->olen + n <= sizeof(d->out));
    memcpy(d->out + d->olen, p, n);
    d->olen += n;
}

/* The line at pos up to CRLF; returns its length and moves past the CRLF. */
static size_t
r3_line(struct r3 *d, const char **line)
{
    const char *cr = memchr(d->s + d->pos, '\r', d->len - d->pos);
    size_t n;

    assert_non_null(cr);
    assert_true((size_t)(cr - d->s) + 1 < d->len);
    assert_int_equal(cr[1], '\n');
    *line = d->s + d->pos;
    n = (size_t)(cr - *line);
    d->pos += n + 2;
    return n;
}

static long long
r3_number(const char *p, size_t n)
{
    char tmp[32];
    char *end;
    long long v;

    assert_true(n > 0 && n < sizeof(tmp));
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    v = strtoll(tmp, &end, 10);
    assert_true(*end == '\0');
    return v;
}

static void
r3_element(struct r3 *d)
{
    const char *line;
    size_t n;
    long long count, i;
    char type;

    assert_true(d->pos < d->len);
    type = d->s[d->pos++];
    n = r3_line(d, &line);
    switch (type) {
    case '+':
    case '-':
    case ',':
    case ':':
        r3_emit(d, &type, 1);
        r3_emit(d, line, n);
        break;
    case '_':
        assert_int_equal(n, 0);
        r3_emit(d, "_", 1);
        break;
    case '#':
        assert_int_equal(n, 1);
        assert_true(line[0] == 't' || line[0] == 'f');
        r3_emit(d, "#", 1);
        r3_emit(d, line, 1);
        break;
    case '$':
    case '=':
        count = r3_number(line, n);
        assert_true(count >= 0 && (size_t)count + 2 <= d->len - d->pos);
        assert_memory_equal(d->s + d->pos + count, "\r\n", 2);
        if (type == '=')
            assert_true(count >= 4 && d->s[d->pos + 3] == ':');
        r3_emit(d, &type, 1);
        r3_emit(d, d->s + d->pos, (size_t)count);
        d->pos += (size_t)count + 2;
        break;
    case '*':
    case '%':
    case '~':
        count = r3_number(line, n);
        r3_emit(d, &type, 1);
        r3_emit(d, "[", 1);
        for (i = 0; i < (type == '%' ? count * 2 : count); i++) {
            if (i)
                r3_emit(d, " ", 1);
            r3_element(d);
        }
        r3_emit(d, "]", 1);
        break;
    default:
        fail_msg("unknown RESP3 type byte 0x%02x", (unsigned char)type);
    }
}

/* Decode every element of b; the whole buffer must be consumed exactly. */
static const char *
r3_decode_all(const struct buf *b)
{
    static struct r3 d;

    d.s = b->data;
    d.len = b->len;
    d.pos = 0;
    d.olen = 0;
    while (d.pos < d.len) {
        if (d.olen)
            r3_emit(&d, "|", 1);
        r3_element(&d);
    }
    r3_emit(&d, "", 1);
    return d.out;
}

/* ---- RESP2 through hiredis ---- */

static redisReply *
next_reply(redisReader *r)
{
    void *reply = NULL;

    assert_int_equal(redisReaderGetReply(r, &reply), REDIS_OK);
    assert_non_null(reply);
    return reply;
}

static void
expect_str(redisReader *r, int type, const char *s, size_t len)
{
    redisReply *rep = next_reply(r);

    assert_int_equal(rep->type, type);
    assert_int_equal(rep->len, len);
    assert_memory_equal(rep->str, s, len);
    freeReplyObject(rep);
}

#define EXPECT_STR(r, type, lit) expect_str(r, type, lit, sizeof(lit) - 1)

static void
expect_int(redisReader *r, long long v)
{
    redisReply *rep = next_reply(r);

    assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
    assert_true(rep->integer == v);
    freeReplyObject(rep);
}

static void
expect_type(redisReader *r, int type, size_t elements)
{
    redisReply *rep = next_reply(r);

    assert_int_equal(rep->type, type);
    if (type == REDIS_REPLY_ARRAY)
        assert_int_equal(rep->elements, elements);
    freeReplyObject(rep);
}

static void
test_ll2str(void **state)
{
    static const long long fixed[] = {
        0,   1,     -1,        9,         -9,      10,      -10,       99,
        100, 12345, LLONG_MAX, LLONG_MIN, INT_MAX, INT_MIN, 1LL << 53, -(1LL << 53)};
    char a[32], b[32];
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    long long p;
    size_t i;
    int k;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        size_t n = resp_ll2str(a, fixed[i]);

        assert_int_equal(n, (size_t)snprintf(b, sizeof(b), "%lld", fixed[i]));
        assert_memory_equal(a, b, n);
    }
    /* Every power of ten and its neighbours: the digit-count edges. */
    for (p = 1, k = 0;; p *= 10) {
        long long v[] = {p - 1, p, p + 1, -p + 1, -p, -p - 1};

        for (i = 0; i < 6; i++) {
            size_t n = resp_ll2str(a, v[i]);

            assert_int_equal(n, (size_t)snprintf(b, sizeof(b), "%lld", v[i]));
            assert_memory_equal(a, b, n);
        }
        if (++k == 19)
            break;
    }
    for (k = 0; k < 200000; k++) {
        long long v;
        size_t n;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Spread over all magnitudes, not just 19-digit numbers. */
        v = (long long)(x >> (x & 63));
        if (x & 64)
            v = -v;
        n = resp_ll2str(a, v);
        assert_int_equal(n, (size_t)snprintf(b, sizeof(b), "%lld", v));
        assert_memory_equal(a, b, n);
    }
}

static void
test_resp2_roundtrip(void **state)
{
    struct buf b = BUF_INIT;
    redisReader *r = redisReaderCreate();
    size_t at;

    resp_write_simple(&b, "OK", 2);
    resp_write_error(&b, "ERR bad\r\nthing\n", 15);
    resp_write_int(&b, 0);
    resp_write_int(&b, LLONG_MIN);
    resp_write_int(&b, LLONG_MAX);
    resp_write_bulk(&b, "a\0\r\nb", 5);
    resp_write_bulk(&b, "", 0);
    resp_write_bulk_int(&b, -12345);
    resp_write_null(&b, RESP2);
    resp_write_null_array(&b, RESP2);
    resp_write_array(&b, 2);
    resp_write_int(&b, 1);
    resp_write_bulk(&b, "x", 1);
    resp_write_map(&b, 2, RESP2);
    resp_write_bulk(&b, "k1", 2);
    resp_write_int(&b, 1);
    resp_write_bulk(&b, "k2", 2);
    resp_write_double(&b, 2.5, RESP2);
    resp_write_set(&b, 1, RESP2);
    resp_write_bulk(&b, "m", 1);
    resp_write_double(&b, 0.1, RESP2);
    resp_write_double(&b, INFINITY, RESP2);
    resp_write_double(&b, -INFINITY, RESP2);
    resp_write_double(&b, NAN, RESP2);
    resp_write_double(&b, 1e300, RESP2);
    resp_write_bool(&b, 1, RESP2);
    resp_write_bool(&b, 0, RESP2);
    resp_write_verbatim(&b, "txt", "line1\r\nline2", 12, RESP2);
    at = resp_write_deferred(&b);
    resp_write_bulk(&b, "d1", 2);
    resp_write_bulk(&b, "d2", 2);
    resp_write_bulk(&b, "d3", 2);
    resp_write_set_deferred(&b, at, RESP_ARRAY, 3, RESP2);
    at = resp_write_deferred(&b);
    resp_write_bulk(&b, "f", 1);
    resp_write_int(&b, 7);
    resp_write_set_deferred(&b, at, RESP_MAP, 1, RESP2);
    resp_write_simple(&b, "END", 3);
    assert_false(b.oom);

    assert_int_equal(redisReaderFeed(r, b.data, b.len), REDIS_OK);
    EXPECT_STR(r, REDIS_REPLY_STATUS, "OK");
    /* CR and LF in error text become spaces: no reply injection. */
    EXPECT_STR(r, REDIS_REPLY_ERROR, "ERR bad  thing ");
    expect_int(r, 0);
    expect_int(r, LLONG_MIN);
    expect_int(r, LLONG_MAX);
    EXPECT_STR(r, REDIS_REPLY_STRING, "a\0\r\nb");
    EXPECT_STR(r, REDIS_REPLY_STRING, "");
    EXPECT_STR(r, REDIS_REPLY_STRING, "-12345");
    expect_type(r, REDIS_REPLY_NIL, 0);
    expect_type(r, REDIS_REPLY_NIL, 0);
    expect_type(r, REDIS_REPLY_ARRAY, 2);
    /* A map under RESP2 is a flat array of 2n. */
    {
        redisReply *rep = next_reply(r);

        assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
        assert_int_equal(rep->elements, 4);
        assert_int_equal(rep->element[3]->type, REDIS_REPLY_STRING);
        assert_string_equal(rep->element[3]->str, "2.5");
        freeReplyObject(rep);
    }
    expect_type(r, REDIS_REPLY_ARRAY, 1);
    /* Doubles: "%.17g" bulk strings, inf spelled out. */
    EXPECT_STR(r, REDIS_REPLY_STRING, "0.10000000000000001");
    EXPECT_STR(r, REDIS_REPLY_STRING, "inf");
    EXPECT_STR(r, REDIS_REPLY_STRING, "-inf");
    EXPECT_STR(r, REDIS_REPLY_STRING, "nan");
    EXPECT_STR(r, REDIS_REPLY_STRING, "1.0000000000000001e+300");
    expect_int(r, 1);
    expect_int(r, 0);
    EXPECT_STR(r, REDIS_REPLY_STRING, "line1\r\nline2");
    {
        redisReply *rep = next_reply(r);

        assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
        assert_int_equal(rep->elements, 3);
        assert_string_equal(rep->element[2]->str, "d3");
        freeReplyObject(rep);
    }
    expect_type(r, REDIS_REPLY_ARRAY, 2);
    EXPECT_STR(r, REDIS_REPLY_STATUS, "END");
    /* Nothing left over. */
    {
        void *rest = NULL;

        assert_int_equal(redisReaderGetReply(r, &rest), REDIS_OK);
        assert_null(rest);
    }
    redisReaderFree(r);
    buf_free(&b);
}

static void
test_resp2_large_bulk(void **state)
{
    enum { N = 1 << 20 };
    struct buf src = BUF_INIT, b = BUF_INIT;
    redisReader *r = redisReaderCreate();
    redisReply *rep;
    size_t i;

    assert_int_equal(buf_reserve(&src, N), 0);
    for (i = 0; i < N; i++)
        src.data[i] = (char)(i * 31);
    src.len = N;
    resp_write_bulk(&b, src.data, src.len);
    assert_int_equal(b.len, N + 12); /* "$1048576\r\n" + payload + CRLF */
    /* Fed in odd pieces, as a socket would deliver it. */
    for (i = 0; i < b.len; i += 4093)
        redisReaderFeed(r, b.data + i, b.len - i < 4093 ? b.len - i : 4093);
    rep = next_reply(r);
    assert_int_equal(rep->type, REDIS_REPLY_STRING);
    assert_int_equal(rep->len, N);
    assert_memory_equal(rep->str, src.data, N);
    freeReplyObject(rep);
    redisReaderFree(r);
    buf_free(&b);
    buf_free(&src);
}

static void
test_resp3_bytes(void **state)
{
    struct buf b = BUF_INIT;

#define CHECK(call, lit)                                                                           \
    do {                                                                                           \
        buf_clear(&b);                                                                             \
        call;                                                                                      \
        ASSERT_BYTES(&b, lit);                                                                     \
    } while (0)

    CHECK(resp_write_simple(&b, "PONG", 4), "+PONG\r\n");
    CHECK(resp_write_simple(&b, "a\rb", 3), "+a b\r\n");
    CHECK(resp_write_error(&b, "ERR x\r\n+INJECTED", 16), "-ERR x  +INJECTED\r\n");
    CHECK(resp_write_int(&b, -42), ":-42\r\n");
    CHECK(resp_write_bulk(&b, "hi", 2), "$2\r\nhi\r\n");
    CHECK(resp_write_bulk_int(&b, 100), "$3\r\n100\r\n");
    CHECK(resp_write_null(&b, RESP3), "_\r\n");
    CHECK(resp_write_null(&b, RESP2), "$-1\r\n");
    CHECK(resp_write_null_array(&b, RESP3), "_\r\n");
    CHECK(resp_write_null_array(&b, RESP2), "*-1\r\n");
    CHECK(resp_write_array(&b, 0), "*0\r\n");
    CHECK(resp_write_map(&b, 3, RESP3), "%3\r\n");
    CHECK(resp_write_map(&b, 3, RESP2), "*6\r\n");
    CHECK(resp_write_set(&b, 2, RESP3), "~2\r\n");
    CHECK(resp_write_set(&b, 2, RESP2), "*2\r\n");
    CHECK(resp_write_double(&b, 1.5, RESP3), ",1.5\r\n");
    CHECK(resp_write_double(&b, 0.1, RESP3), ",0.10000000000000001\r\n");
    CHECK(resp_write_double(&b, -0.0, RESP3), ",-0\r\n");
    CHECK(resp_write_double(&b, 3.0, RESP3), ",3\r\n");
    CHECK(resp_write_double(&b, INFINITY, RESP3), ",inf\r\n");
    CHECK(resp_write_double(&b, -INFINITY, RESP3), ",-inf\r\n");
    CHECK(resp_write_double(&b, -NAN, RESP3), ",nan\r\n");
    CHECK(resp_write_double(&b, 1.5, RESP2), "$3\r\n1.5\r\n");
    CHECK(resp_write_double(&b, -INFINITY, RESP2), "$4\r\n-inf\r\n");
    CHECK(resp_write_bool(&b, 1, RESP3), "#t\r\n");
    CHECK(resp_write_bool(&b, 0, RESP3), "#f\r\n");
    CHECK(resp_write_bool(&b, 1, RESP2), ":1\r\n");
    CHECK(resp_write_verbatim(&b, "txt", "Some string", 11, RESP3), "=15\r\ntxt:Some string\r\n");
    CHECK(resp_write_verbatim(&b, "mkd", "", 0, RESP3), "=4\r\nmkd:\r\n");
    CHECK(resp_write_verbatim(&b, "toolong", "x", 1, RESP3), "=5\r\ntxt:x\r\n");
    CHECK(resp_write_verbatim(&b, "txt", "x", 1, RESP2), "$1\r\nx\r\n");
#undef CHECK
    buf_free(&b);
}

static void
test_resp3_decode(void **state)
{
    struct buf b = BUF_INIT;
    size_t outer, inner;

    resp_write_map(&b, 2, RESP3);
    resp_write_bulk(&b, "peak", 4);
    resp_write_double(&b, 0.25, RESP3);
    resp_write_simple(&b, "set", 3);
    resp_write_set(&b, 2, RESP3);
    resp_write_bool(&b, 1, RESP3);
    resp_write_null(&b, RESP3);
    resp_write_verbatim(&b, "txt", "# Memory\r\nused:1\r\n", 18, RESP3);
    /* Nested deferred headers: the inner one is set first. */
    outer = resp_write_deferred(&b);
    resp_write_int(&b, 1);
    inner = resp_write_deferred(&b);
    resp_write_bulk(&b, "a", 1);
    resp_write_int(&b, 2);
    resp_write_set_deferred(&b, inner, RESP_MAP, 1, RESP3);
    resp_write_set_deferred(&b, outer, RESP_SET, 2, RESP3);
    resp_write_error(&b, "ERR e", 5);
    resp_write_int(&b, LLONG_MIN);
    resp_write_double(&b, -INFINITY, RESP3);
    resp_write_null_array(&b, RESP3);
    assert_false(b.oom);
    assert_string_equal(r3_decode_all(&b), "%[$peak ,0.25 +set ~[#t _]]"
                                           "|=txt:# Memory\r\nused:1\r\n"
                                           "|~[:1 %[$a :2]]"
                                           "|-ERR e|:-9223372036854775808|,-inf|_");
    buf_free(&b);
}

static void
test_deferred_edges(void **state)
{
    struct buf b = BUF_INIT;
    size_t at;

    /* Nothing written after the placeholder: an empty aggregate. */
    at = resp_write_deferred(&b);
    resp_write_set_deferred(&b, at, RESP_ARRAY, 0, RESP3);
    ASSERT_BYTES(&b, "*0\r\n");
    /* A set degrades to an array, a map to 2n, under RESP2. */
    buf_clear(&b);
    at = resp_write_deferred(&b);
    resp_write_int(&b, 1);
    resp_write_set_deferred(&b, at, RESP_SET, 1, RESP2);
    resp_write_set_deferred(&b, b.len, RESP_MAP, 0, RESP2);
    ASSERT_BYTES(&b, "*1\r\n:1\r\n*0\r\n");
    /* An offset past the end (buffer cleared in between) is ignored. */
    at = b.len + 5;
    resp_write_set_deferred(&b, at, RESP_ARRAY, 1, RESP3);
    ASSERT_BYTES(&b, "*1\r\n:1\r\n*0\r\n");
    buf_free(&b);
}

/* An array of bulks is also a request: the writer's output parses back to the same argv. */
static void
test_request_roundtrip(void **state)
{
    static const char *const args[] = {"SET", "key", "", "v\r\nwith\0nul"};
    static const size_t lens[] = {3, 3, 0, 12};
    struct buf b = BUF_INIT;
    struct resp_parser p;
    size_t consumed, i;

    resp_write_array(&b, 4);
    for (i = 0; i < 4; i++)
        resp_write_bulk(&b, args[i], lens[i]);
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, b.data, b.len, &consumed), RESP_OK);
    assert_int_equal(consumed, b.len);
    assert_int_equal(p.argc, 4);
    for (i = 0; i < 4; i++) {
        assert_int_equal(p.argv[i].len, lens[i]);
        assert_memory_equal(p.argv[i].ptr, args[i], lens[i]);
    }
    resp_parser_deinit(&p);
    buf_free(&b);
}

static void
test_oom_drops_whole_elements(void **state)
{
    struct buf b = BUF_INIT;

    resp_write_simple(&b, "OK", 2);
    /* A bulk no allocator can hold: dropped whole, and everything after it too. */
    resp_write_bulk(&b, "x", SIZE_MAX - 100);
    assert_true(b.oom);
    resp_write_int(&b, 1);
    resp_write_double(&b, 1.0, RESP3);
    resp_write_verbatim(&b, "txt", "x", 1, RESP3);
    resp_write_null(&b, RESP2);
    resp_write_set_deferred(&b, 0, RESP_ARRAY, 1, RESP3);
    ASSERT_BYTES(&b, "+OK\r\n");
    buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ll2str, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resp2_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resp2_large_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resp3_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resp3_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_drops_whole_elements, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
