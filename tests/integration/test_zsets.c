/* test_zsets.c — the sorted set commands over several keys and at random, and HRANDFIELD,
 * against a live zmem-server: ZUNION/ZINTER/ZDIFF and their STORE forms (WEIGHTS, AGGREGATE,
 * sets as inputs), ZINTERCARD, ZRANGESTORE, ZMPOP, ZRANDMEMBER and HRANDFIELD with Redis
 * 7.0.15's replies (RESP2 and RESP3 pairs) and exact error texts; the encodings of stored
 * results; used_memory back to its baseline; and a differential run against a live
 * redis-server (fixed cases, then a seeded random sequence; ZMEM_DIFF_SEED repeats one), the
 * random draws compared by count and membership only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOTINT    "ERR value is not an integer or out of range"
#define SYNTAX    "ERR syntax error"
#define LLMIN_ERR                                                                                  \
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_ok(...)        expect_status(ctx, "OK", __VA_ARGS__)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)
#define expect_str(want, ...) expect_bulk(ctx, want, __VA_ARGS__)
#define expect_null(...)      expect_nil(ctx, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* The reply's leaves joined by spaces (integers as numbers, nil as "nil"). */
static void
flatten(const redisReply *r, char *out, size_t size)
{
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < r->elements; i++)
            flatten(r->element[i], out, size);
        return;
    }
    size_t n = strlen(out);
    if (n && n < size - 1)
        out[n++] = ' ', out[n] = '\0';
    if (r->type == REDIS_REPLY_INTEGER)
        snprintf(out + n, size - n, "%lld", r->integer);
    else if (r->type == REDIS_REPLY_NIL)
        snprintf(out + n, size - n, "nil");
    else
        snprintf(out + n, size - n, "%.*s", (int)r->len, r->str);
}

static void
expect_flat(const char *want, const char *fmt, ...)
{
    char got[8192] = "";
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    flatten(r, got, sizeof(got));
    freeReplyObject(r);
    if (strcmp(got, want) != 0)
        fail_msg("'%s': wanted '%s', got '%s'", fmt, want, got);
}

static size_t
array_len(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_ARRAY)
        fail_msg("'%s': wanted an array, got type %d '%s'", fmt, r->type, r->str ? r->str : "");
    size_t n = r->elements;
    freeReplyObject(r);
    return n;
}

/* ---- ZUNION, ZINTER, ZDIFF, ZINTERCARD ---- */

static void
test_zsetops(void **state)
{
    cmd("ZADD a 1 x 2 y 3 z 1.5 w");
    cmd("ZADD b 10 y 20 z 30 q");
    cmd("SADD s x q r");
    expect_ok("SET str v");
    expect_flat("x w y z q", "ZUNION 2 a b");
    expect_flat("x 1 w 1.5 y 12 z 23 q 30", "ZUNION 2 a b WITHSCORES");
    expect_flat("r 1 w 1.5 x 2 y 12 z 23 q 31", "ZUNION 3 a b s WITHSCORES");
    expect_flat("y 12 z 23", "ZINTER 2 a b WITHSCORES");
    expect_flat("", "ZINTER 3 a b s WITHSCORES");
    expect_flat("x 1", "ZINTER 2 a s WITHSCORES AGGREGATE MAX");
    expect_flat("x 2 w 3 y 9 q 15 z 16", "ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES");
    expect_flat("x 2 w 3 y 4 z 6 q 15", "ZUNION 2 a b WEIGHTS 2 0.5 AGGREGATE MIN WITHSCORES");
    expect_flat("x 1 w 1.5 y 10 z 20 q 30", "ZUNION 2 a b AGGREGATE max WITHSCORES");
    expect_flat("x 1 w 1.5", "ZDIFF 2 a b WITHSCORES");
    expect_flat("", "ZDIFF 1 nokey WITHSCORES");
    expect_flat("x 1 w 1.5 y 2 z 3", "ZUNION 2 a nokey WITHSCORES");
    expect_flat("", "ZINTER 2 a nokey");
    /* inf times 0 and inf + -inf count as 0. */
    cmd("ZADD inf inf a -inf b");
    expect_flat("a 0 b 0", "ZUNION 2 inf inf WEIGHTS 1 -1 WITHSCORES");
    expect_flat("a 0 b 0", "ZUNION 1 inf WEIGHTS 0 WITHSCORES");
    /* Stores: an empty result deletes the destination; a source may be the destination. */
    expect_int(5, "ZUNIONSTORE d 2 a b");
    expect_flat("x 1 w 1.5 y 12 z 23 q 30", "ZRANGE d 0 -1 WITHSCORES");
    expect_int(2, "ZINTERSTORE d 2 a b WEIGHTS 1 1 AGGREGATE SUM");
    expect_int(2, "ZDIFFSTORE d 2 a b");
    expect_flat("x 1 w 1.5", "ZRANGE d 0 -1 WITHSCORES");
    expect_int(0, "ZINTERSTORE d 2 a nokey");
    expect_int(0, "EXISTS d");
    expect_int(0, "ZUNIONSTORE str 1 nokey"); /* the string goes too */
    expect_int(0, "EXISTS str");
    expect_ok("SET str v");
    expect_int(5, "ZUNIONSTORE a 2 a b");
    expect_flat("x 1 w 1.5 y 12 z 23 q 30", "ZRANGE a 0 -1 WITHSCORES");
    expect_int(3, "ZINTERCARD 2 a b");
    expect_int(1, "ZINTERCARD 2 a b LIMIT 1");
    expect_int(3, "ZINTERCARD 2 a b LIMIT 0");
    expect_int(2, "ZINTERCARD 2 a s");
    expect_int(0, "ZINTERCARD 2 a nokey");
    /* Errors, in Redis's order: the numbers, the key types, then the options. */
    expect_err("ERR at least 1 input key is needed for 'zunion' command", "ZUNION 0 a");
    expect_err("ERR at least 1 input key is needed for 'zunionstore' command", "ZUNIONSTORE d 0 a");
    expect_err("ERR at least 1 input key is needed for 'zintercard' command", "ZINTERCARD 0 a");
    expect_err(NOTINT, "ZUNION x a");
    expect_err(NOTINT, "ZINTERCARD x a");
    expect_err(SYNTAX, "ZINTERSTORE d 3 a b");
    expect_err(WRONGTYPE, "ZUNION 1 str");
    expect_err(WRONGTYPE, "ZUNION 1 str WEIGHTS x");
    expect_err(WRONGTYPE, "ZINTERCARD 2 a str");
    expect_err("ERR weight value is not a float", "ZUNION 1 a WEIGHTS x");
    expect_err("ERR weight value is not a float", "ZUNION 1 a WEIGHTS nan");
    expect_err(SYNTAX, "ZUNION 1 a WEIGHTS");
    expect_err(SYNTAX, "ZUNION 2 a b WEIGHTS 1");
    expect_err(SYNTAX, "ZUNION 1 a AGGREGATE");
    expect_err(SYNTAX, "ZUNION 1 a AGGREGATE avg");
    expect_err(SYNTAX, "ZDIFF 2 a b AGGREGATE sum");
    expect_err(SYNTAX, "ZDIFF 2 a b WEIGHTS 1 1");
    expect_err(SYNTAX, "ZUNIONSTORE d 1 a WITHSCORES");
    expect_err(SYNTAX, "ZINTERCARD 1 a WITHSCORES");
    expect_err(SYNTAX, "ZINTER 1 a LIMIT 1");
    expect_err("ERR LIMIT can't be negative", "ZINTERCARD 1 a LIMIT -1");
    expect_err("ERR LIMIT can't be negative", "ZINTERCARD 1 a LIMIT x");
    expect_err("ERR wrong number of arguments for 'zunionstore' command", "ZUNIONSTORE d 1");
}

/* ---- ZRANGESTORE, ZMPOP ---- */

static void
test_zrangestore_zmpop(void **state)
{
    cmd("ZADD a 1 x 2 y 3 z 1.5 w");
    expect_ok("SET str v");
    expect_int(2, "ZRANGESTORE d a 0 1");
    expect_flat("x 1 w 1.5", "ZRANGE d 0 -1 WITHSCORES");
    expect_int(2, "ZRANGESTORE d a 0 1 REV");
    expect_flat("y 2 z 3", "ZRANGE d 0 -1 WITHSCORES");
    expect_int(2, "ZRANGESTORE d a (1 20 BYSCORE LIMIT 1 2");
    expect_flat("y 2 z 3", "ZRANGE d 0 -1 WITHSCORES");
    expect_int(4, "ZRANGESTORE d a 25 0 BYSCORE REV");
    cmd("ZADD lex 0 a 0 b 0 c 0 d");
    expect_int(3, "ZRANGESTORE d lex [b + BYLEX");
    expect_flat("b c d", "ZRANGE d 0 -1");
    expect_int(2, "ZRANGESTORE d lex + [b BYLEX REV LIMIT 0 2");
    expect_flat("c d", "ZRANGE d 0 -1");
    expect_int(0, "ZRANGESTORE d lex 5 0");
    expect_int(0, "EXISTS d");
    expect_int(0, "ZRANGESTORE d nokey 0 -1");
    expect_int(2, "ZRANGESTORE lex lex 0 1");
    expect_flat("a b", "ZRANGE lex 0 -1");
    expect_err(SYNTAX, "ZRANGESTORE d a 0 -1 WITHSCORES");
    expect_err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
               "BYLEX",
               "ZRANGESTORE d a 0 -1 LIMIT 0 1");
    expect_err(WRONGTYPE, "ZRANGESTORE d str 0 -1");
    expect_err("ERR wrong number of arguments for 'zrangestore' command", "ZRANGESTORE d a 0");

    expect_flat("a x 1", "ZMPOP 1 a MIN");
    expect_flat("a z 3 y 2", "ZMPOP 2 nokey a MAX COUNT 2");
    expect_flat("a w 1.5", "ZMPOP 2 nokey a MAX COUNT 100");
    expect_int(0, "EXISTS a");
    redisReply *r = cu_run(ctx, "ZMPOP 1 a MIN");
    assert_int_equal(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    cmd("ZADD a 1 x");
    r = cu_run(ctx, "ZMPOP 1 a MIN"); /* pairs nest in RESP2 too */
    assert_int_equal(r->element[1]->element[0]->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    expect_err(WRONGTYPE, "ZMPOP 2 nokey str MIN");
    expect_err("ERR numkeys should be greater than 0", "ZMPOP 0 a MIN");
    expect_err(SYNTAX, "ZMPOP 2 a MIN");
    expect_err(SYNTAX, "ZMPOP 1 a MIDDLE");
    expect_err("ERR count should be greater than 0", "ZMPOP 1 a MIN COUNT 0");
    expect_err(SYNTAX, "ZMPOP 1 a MIN COUNT 1 COUNT 1");
    expect_err("ERR wrong number of arguments for 'zmpop' command", "ZMPOP 1 a");
}

/* ---- ZRANDMEMBER, HRANDFIELD ---- */

/* Check a random draw: n elements (with a score or value after each when `pairs`), all of
 * them members (member_fmt answers neither nil nor 0 for one), distinct when `distinct`. */
static void
expect_draw(size_t n, int pairs, int distinct, const char *member_fmt, const char *fmt)
{
    redisReply *r = cu_run(ctx, fmt);
    size_t step = pairs ? 2 : 1;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != n * step)
        fail_msg("'%s': wanted %zu elements, got type %d with %zu", fmt, n * step, r->type,
                 r->elements);
    for (size_t i = 0; i < r->elements; i += step) {
        redisReply *m = cu_run(ctx, member_fmt, r->element[i]->str);
        if (m->type == REDIS_REPLY_NIL || m->type == REDIS_REPLY_ERROR ||
            (m->type == REDIS_REPLY_INTEGER && m->integer == 0))
            fail_msg("'%s': '%s' is not a member", fmt, r->element[i]->str);
        freeReplyObject(m);
        for (size_t j = 0; distinct && j < i; j += step)
            assert_string_not_equal(r->element[i]->str, r->element[j]->str);
    }
    freeReplyObject(r);
}

static void
test_random_draws(void **state)
{
    expect_null("ZRANDMEMBER nokey");
    assert_int_equal(array_len("ZRANDMEMBER nokey 5"), 0);
    assert_int_equal(array_len("ZRANDMEMBER nokey -5 WITHSCORES"), 0);
    cmd("ZADD z 1 a 2 b 3 c 4 d 5 e");
    expect_ok("SET str v");
    redisReply *r = cu_run(ctx, "ZRANDMEMBER z");
    expect_int(1, "EXISTS z"); /* reading draws leave the key */
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    freeReplyObject(r);
    assert_int_equal(array_len("ZRANDMEMBER z 0"), 0);
    expect_draw(3, 0, 1, "ZSCORE z %s", "ZRANDMEMBER z 3");
    expect_draw(5, 1, 1, "ZSCORE z %s", "ZRANDMEMBER z 10 WITHSCORES");
    expect_draw(20, 1, 0, "ZSCORE z %s", "ZRANDMEMBER z -20 WITHSCORES");
    for (int i = 0; i < 200; i++) /* a skiplist */
        cmd("ZADD z %d m%d", i, i);
    expect_draw(50, 0, 1, "ZSCORE z %s", "ZRANDMEMBER z 50");
    expect_draw(10, 1, 1, "ZSCORE z %s", "ZRANDMEMBER z 10 WITHSCORES"); /* drawn one by one */
    expect_draw(30, 0, 0, "ZSCORE z %s", "ZRANDMEMBER z -30");
    expect_err(LLMIN_ERR, "ZRANDMEMBER z -9223372036854775808");
    expect_err("ERR value is out of range", "ZRANDMEMBER z -4611686018427387904 WITHSCORES");
    expect_err("ERR value is out of range", "ZRANDMEMBER z 4611686018427387904 WITHSCORES");
    expect_err(NOTINT, "ZRANDMEMBER z x");
    expect_err(SYNTAX, "ZRANDMEMBER z 1 foo");
    expect_err(SYNTAX, "ZRANDMEMBER z 1 WITHSCORES WITHSCORES");
    expect_err(WRONGTYPE, "ZRANDMEMBER str");

    expect_null("HRANDFIELD nokey");
    assert_int_equal(array_len("HRANDFIELD nokey 3"), 0);
    cmd("HSET h a 1 b 2 c 3");
    assert_int_equal(array_len("HRANDFIELD h 0 WITHVALUES"), 0);
    expect_draw(2, 0, 1, "HEXISTS h %s", "HRANDFIELD h 2");
    expect_draw(3, 1, 1, "HEXISTS h %s", "HRANDFIELD h 5 WITHVALUES");
    expect_draw(9, 1, 0, "HEXISTS h %s", "HRANDFIELD h -9 WITHVALUES");
    for (int i = 0; i < 200; i++) /* a hashtable */
        cmd("HSET h f%d v%d", i, i);
    expect_draw(100, 1, 1, "HEXISTS h %s", "HRANDFIELD h 100 WITHVALUES");
    expect_draw(50, 1, 0, "HEXISTS h %s", "HRANDFIELD h -50 WITHVALUES");
    r = cu_run(ctx, "HRANDFIELD h");
    expect_int(1, "HEXISTS h %s", r->str);
    freeReplyObject(r);
    r = cu_run(ctx, "HRANDFIELD h 1 WITHVALUES"); /* the value is the field's */
    char want[32];
    snprintf(want, sizeof(want), "%s", r->element[0]->str);
    expect_str(r->element[1]->str, "HGET h %s", want);
    freeReplyObject(r);
    expect_err(LLMIN_ERR, "HRANDFIELD h -9223372036854775808");
    expect_err("ERR value is out of range", "HRANDFIELD h -4611686018427387904 WITHVALUES");
    expect_err(NOTINT, "HRANDFIELD h x");
    expect_err(SYNTAX, "HRANDFIELD h 1 foo");
    expect_err(WRONGTYPE, "HRANDFIELD str");
}

/* RESP3: [member, score] pairs for the replying set operations and draws, nested pairs in
 * ZMPOP, null for no key (bytes as redis-server 7.0.15 sends them). */
static void
test_resp3_pairs(void **state)
{
    cmd("ZADD a 1 x 2 y");
    cmd("ZADD z 1 a");
    cmd("HSET h f v");
    int fd = raw_connect(srv.port);
    size_t len;
    int closed;
    raw_sends(fd, "HELLO 3\r\n");
    free(raw_read(fd, (size_t)-2, 300, &len, &closed)); /* the HELLO map */
    raw_expect(fd, "ZUNION 2 a a WITHSCORES\r\n",
               "*2\r\n*2\r\n$1\r\nx\r\n,2\r\n*2\r\n$1\r\ny\r\n,4\r\n");
    raw_expect(fd, "ZRANDMEMBER z -2 WITHSCORES\r\n",
               "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n");
    raw_expect(fd, "HRANDFIELD h 1 WITHVALUES\r\n", "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    raw_expect(fd, "ZMPOP 1 z MIN\r\n", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n");
    raw_expect(fd, "ZMPOP 1 z MIN\r\n", "_\r\n");
    close(fd);
}

/* ---- Encodings and memory ---- */

static void
test_stored_encodings(void **state)
{
    for (int i = 0; i < 100; i++)
        cmd("ZADD a %d a%d", i, i);
    for (int i = 0; i < 100; i++)
        cmd("SADD s b%d", i);
    expect_str("listpack", "OBJECT ENCODING a");
    expect_int(200, "ZUNIONSTORE u 2 a s");
    expect_str("skiplist", "OBJECT ENCODING u");
    expect_int(10, "ZRANGESTORE small u 0 9");
    expect_str("listpack", "OBJECT ENCODING small");
    expect_int(100, "ZINTERSTORE i 2 u a");
    expect_str("listpack", "OBJECT ENCODING i");
    cmd("ZADD long 1 %065d", 0);
    expect_int(1, "ZDIFFSTORE dl 1 long");
    expect_str("skiplist", "OBJECT ENCODING dl");
}

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

static void
churn(void)
{
    for (int i = 0; i < 300; i++) {
        cmd("ZADD z1 %d m%d", i, i);
        cmd("ZADD z2 %d m%d", i * 2, i + 150);
        cmd("SADD s1 m%d", i * 3);
        cmd("HSET h f%d v%d", i, i);
    }
    cmd("ZUNIONSTORE u 3 z1 z2 s1 WEIGHTS 1 2 3");
    cmd("ZINTERSTORE i 2 z1 z2 AGGREGATE MAX");
    cmd("ZDIFFSTORE d 2 z1 s1");
    cmd("ZRANGESTORE r u 10 200");
    cmd("ZUNION 2 z1 z2 WITHSCORES");
    cmd("ZRANDMEMBER u 100 WITHSCORES");
    cmd("HRANDFIELD h 100 WITHVALUES");
    cmd("ZMPOP 2 none z1 MAX COUNT 50");
}

static void
test_zset_memory(void **state)
{
    /* A first pass, so buffers that grow once and stay are in the baseline. */
    churn();
    expect_ok("FLUSHALL");
    long long base = used_memory();
    churn();
    assert_true(used_memory() > base + 50000);
    expect_ok("FLUSHALL");
    assert_int_equal(used_memory(), base);
    churn();
    cmd("DEL z1 z2 s1 h u i d r");
    expect_int(0, "DBSIZE");
    assert_int_equal(used_memory(), base);
    churn();
    /* Emptying by commands frees as much as deleting. */
    cmd("ZMPOP 2 z1 z2 MIN COUNT 1000");
    cmd("ZMPOP 1 z2 MIN COUNT 1000");
    cmd("ZINTERSTORE u 2 u none");
    cmd("ZDIFFSTORE i 2 i i");
    cmd("ZRANGESTORE d d 1 0");
    cmd("ZRANGESTORE r none 0 -1");
    cmd("DEL s1 h");
    expect_int(0, "DBSIZE");
    assert_int_equal(used_memory(), base);
}

/* ---- Differential ---- */

static const char *const fixed_cases[] = {
    "ZADD a 1 x 2 y 3 z 1.5 w",
    "ZADD b 10 y 20 z 30 q",
    "SADD s x q r",
    "SADD is 1 2 3",
    "ZADD n 1 1 5 5",
    "SET str v",
    "ZUNION 2 a b",
    "ZUNION 2 a b WITHSCORES",
    "ZUNION 3 a b s WITHSCORES",
    "ZINTER 2 a b WITHSCORES",
    "ZINTER 3 a b s WITHSCORES",
    "ZINTER 2 a s withscores aggregate max",
    "ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES",
    "ZUNION 2 a b weights 2 0.5 aggregate min withscores",
    "ZUNION 2 a b AGGREGATE MAX WITHSCORES",
    "ZDIFF 2 a b WITHSCORES",
    "ZDIFF 3 b a s WITHSCORES",
    "ZDIFF 1 nokey WITHSCORES",
    "ZUNION 1 nokey",
    "ZUNION 2 a nokey WITHSCORES",
    "ZINTER 2 a nokey WITHSCORES",
    "ZUNION 2 is n WITHSCORES",
    "ZUNIONSTORE d 2 a b",
    "ZRANGE d 0 -1 WITHSCORES",
    "ZINTERSTORE d 2 a b WEIGHTS 1 1 AGGREGATE SUM",
    "ZRANGE d 0 -1 WITHSCORES",
    "ZDIFFSTORE d 2 a b",
    "ZRANGE d 0 -1 WITHSCORES",
    "ZINTERSTORE d 2 a nokey",
    "EXISTS d",
    "ZUNIONSTORE a 2 a b",
    "ZRANGE a 0 -1 WITHSCORES",
    "ZINTERCARD 2 a b",
    "ZINTERCARD 2 a b LIMIT 1",
    "ZINTERCARD 2 a b LIMIT 0",
    "ZINTERCARD 1 a LIMIT 2",
    "ZINTERCARD 2 a nokey",
    "ZINTERCARD 1 str",
    "ZINTERCARD 1 a WITHSCORES",
    "ZINTERCARD 1 a WEIGHTS 1",
    "ZINTER 1 a LIMIT 1",
    "ZUNION 0 a",
    "ZUNIONSTORE d 0 a",
    "ZINTERSTORE d 3 a b",
    "ZUNION 1 str",
    "ZUNION 1 str WEIGHTS x",
    "ZUNION 1 a WEIGHTS x",
    "ZUNION 1 a WEIGHTS",
    "ZUNION 1 a AGGREGATE",
    "ZUNION 1 a AGGREGATE avg",
    "ZDIFF 2 a b AGGREGATE sum",
    "ZDIFF 2 a b WEIGHTS 1 1",
    "ZUNIONSTORE d 1 a WITHSCORES",
    "ZUNION 1 a WITHSCORES WITHSCORES",
    "ZUNION 2 a b WEIGHTS 1 inf WITHSCORES",
    "ZUNION 2 a b WEIGHTS 1 nan",
    "ZUNION 2 a b WEIGHTS 1 -inf AGGREGATE MAX WITHSCORES",
    "ZADD inf inf a -inf b",
    "ZUNION 2 inf inf WEIGHTS 1 -1 WITHSCORES",
    "ZUNION 2 inf inf WEIGHTS 0 1 WITHSCORES",
    "ZRANGESTORE d a 0 1",
    "ZRANGE d 0 -1 WITHSCORES",
    "ZRANGESTORE d a 0 1 REV",
    "ZRANGESTORE d a (1 20 BYSCORE LIMIT 1 2",
    "ZRANGE d 0 -1 WITHSCORES",
    "ZRANGESTORE d a 25 0 BYSCORE REV",
    "ZRANGESTORE d a 0 -1 WITHSCORES",
    "ZRANGESTORE d a 0 -1 LIMIT 0 1",
    "ZRANGESTORE d nokey 0 -1",
    "EXISTS d",
    "ZRANGESTORE d str 0 -1",
    "ZADD lex 0 a 0 b 0 c 0 d",
    "ZRANGESTORE d lex [b + BYLEX",
    "ZRANGESTORE d lex + [b BYLEX REV LIMIT 0 2",
    "ZRANGE d 0 -1",
    "ZRANGESTORE lex lex 0 1",
    "ZMPOP 1 a MIN",
    "ZMPOP 2 nokey a MAX COUNT 2",
    "ZMPOP 2 nokey a MAX COUNT 100",
    "EXISTS a",
    "ZMPOP 1 nokey MIN",
    "ZMPOP 1 str MIN",
    "ZMPOP 0 a MIN",
    "ZMPOP 2 a MIN",
    "ZMPOP 1 a MID",
    "ZMPOP 1 a MIN COUNT 0",
    "ZMPOP 1 a MIN COUNT -1",
    "ZMPOP 1 a MIN COUNT 1 COUNT 1",
    "ZMPOP 1 a MIN foo",
    "ZRANDMEMBER nokey",
    "ZRANDMEMBER nokey 5",
    "ZRANDMEMBER nokey -5 WITHSCORES",
    "ZRANDMEMBER str",
    "ZRANDMEMBER b 0",
    "ZRANDMEMBER b 10", /* the whole set: highest first, as Redis sends it */
    "ZRANDMEMBER b 10 WITHSCORES",
    "ZRANDMEMBER b 1 foo",
    "ZRANDMEMBER b x",
    "ZRANDMEMBER b -9223372036854775808",
    "ZRANDMEMBER b 4611686018427387904 WITHSCORES",
    "ZRANDMEMBER b -4611686018427387904 WITHSCORES",
    "HSET h a 1 b 2 c 3",
    "HRANDFIELD nokey",
    "HRANDFIELD nokey 3",
    "HRANDFIELD str",
    "HRANDFIELD h 0 WITHVALUES",
    "HRANDFIELD h 1 foo",
    "HRANDFIELD h x",
    "HRANDFIELD h -9223372036854775808",
    "HRANDFIELD h -4611686018427387904 WITHVALUES",
    "HRANDFIELD h 1 WITHVALUES WITHVALUES",
    NULL,
};

static const char *const zkeys[] = {"z1", "z2", "z3", "s1", "h1", "str", "none"};
static const char *const scores[] = {"0",   "1",     "2",   "-1",  "3",    "0.25",
                                     "1.5", "-2.75", "100", "inf", "-inf", "7"};
static const char *const weights[] = {"1", "2", "0.5", "3"};

static const char *
zkey(void)
{
    int r = rand() % 24;
    return r < 21 ? zkeys[r % 3] : zkeys[3 + r % 4];
}

/* A member: few enough that sets overlap, now and then one of a bigger pool (past 128 members:
 * skiplists) or one past 64 bytes. */
static void
zmember(struct rd_words *c)
{
    int r = rand() % 20;
    if (r < 14)
        rd_wordf(c, "m%d", r % 8);
    else if (r < 19)
        rd_wordf(c, "p%d", rand() % 200);
    else
        rd_wordf(c, "%066d", rand() % 3);
}

static void
add_keys(struct rd_words *c, int n)
{
    rd_wordf(c, "%d", n);
    for (int i = 0; i < n; i++)
        rd_word(c, zkey());
}

static void
random_zset_cmd(struct rd *d, struct rd_words *c)
{
    static const char *const ops[] = {"ZUNION", "ZINTER", "ZDIFF"};
    static const char *const stores[] = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
    struct rd_check zcheck = {RD_MEMBERS, "ZSCORE", NULL, 1};
    struct rd_check hcheck = {RD_MEMBERS, "HEXISTS", NULL, 1};
    const struct rd_check *k = NULL;
    rd_words_reset(c);
    switch (rand() % 16) {
    case 0:
    case 1: {
        rd_word(c, "ZADD");
        rd_word(c, zkey());
        int n = rand() % 10 == 0 ? 50 : (int)rd_rand(1, 4);
        for (int i = 0; i < n; i++) {
            rd_word(c, scores[rand() % 12]);
            zmember(c);
        }
        break;
    }
    case 2: {
        rd_word(c, rand() % 2 ? "SADD" : "HSET");
        rd_word(c, c->argv[0][0] == 'S' ? "s1" : "h1");
        int n = (int)rd_rand(1, 4);
        for (int i = 0; i < n; i++) {
            zmember(c);
            if (c->argv[0][0] == 'H')
                rd_word(c, scores[rand() % 12]);
        }
        break;
    }
    case 3:
    case 4:
    case 5: {
        int op = rand() % 3, store = rand() % 2, n = (int)rd_rand(1, 3);
        rd_word(c, store ? stores[op] : ops[op]);
        if (store)
            rd_word(c, zkey());
        add_keys(c, n);
        if (op != 2 && rand() % 2) {
            rd_word(c, "WEIGHTS");
            for (int i = 0; i < n; i++)
                rd_word(c, weights[rand() % 4]);
        }
        if (op != 2 && rand() % 2) {
            static const char *const agg[] = {"SUM", "MIN", "MAX"};
            rd_word(c, "AGGREGATE");
            rd_word(c, agg[rand() % 3]);
        }
        if (!store && rand() % 2)
            rd_word(c, "WITHSCORES");
        break;
    }
    case 6:
        rd_word(c, "ZINTERCARD");
        add_keys(c, (int)rd_rand(1, 3));
        if (rand() % 2) {
            rd_word(c, "LIMIT");
            rd_wordf(c, "%ld", rd_rand(-1, 4));
        }
        break;
    case 7: {
        /* A range by member is defined only over equal scores (Redis walks its skiplist
         * assuming member order): BYLEX reads zl, whose scores are all 0. */
        int kind = rand() % 3;
        rd_word(c, "ZRANGESTORE");
        rd_word(c, zkey());
        rd_word(c, kind == 2 ? "zl" : zkey());
        if (kind == 0) {
            rd_wordf(c, "%ld", rd_rand(-5, 5));
            rd_wordf(c, "%ld", rd_rand(-5, 50));
        } else if (kind == 1) {
            rd_wordf(c, "%s%s", rand() % 2 ? "(" : "", scores[rand() % 12]);
            rd_wordf(c, "%s%s", rand() % 2 ? "(" : "", scores[rand() % 12]);
            rd_word(c, "BYSCORE");
        } else {
            rd_wordf(c, "[m%d", rand() % 8);
            rd_word(c, rand() % 2 ? "+" : "(m5");
            rd_word(c, "BYLEX");
        }
        if (rand() % 3 == 0)
            rd_word(c, "REV");
        if (kind && rand() % 2) {
            rd_word(c, "LIMIT");
            rd_wordf(c, "%ld", rd_rand(-1, 3));
            rd_wordf(c, "%ld", rd_rand(-1, 5));
        }
        break;
    }
    case 8:
        rd_word(c, "ZMPOP");
        add_keys(c, (int)rd_rand(1, 3));
        rd_word(c, rand() % 2 ? "MIN" : "MAX");
        if (rand() % 2) {
            rd_word(c, "COUNT");
            rd_wordf(c, "%ld", rd_rand(0, 5));
        }
        break;
    case 9:
    case 10: {
        int z = rand() % 3 != 0;
        const char *key = z ? zkey() : (rand() % 4 ? "h1" : zkey());
        rd_word(c, z ? "ZRANDMEMBER" : "HRANDFIELD");
        rd_word(c, key);
        zcheck.key = hcheck.key = key;
        k = z ? &zcheck : &hcheck;
        if (rand() % 4) {
            rd_wordf(c, "%ld", rd_rand(-8, 8));
            if (rand() % 2) {
                rd_word(c, z ? "WITHSCORES" : "WITHVALUES");
                zcheck.stride = hcheck.stride = 2;
            }
        }
        break;
    }
    case 11:
        rd_word(c, "ZADD");
        rd_word(c, "zl");
        for (int i = 0, n = (int)rd_rand(1, 4); i < n; i++) {
            rd_word(c, "0");
            zmember(c);
        }
        break;
    default: /* the whole state, often */
        rd_word(c, "ZRANGE");
        rd_word(c, zkey());
        rd_word(c, "0");
        rd_word(c, "-1");
        rd_word(c, "WITHSCORES");
        break;
    }
    rd_words_run(d, c, k);
}

static void
test_zset_diff(void **state)
{
    struct rd d;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    int r = rd_start(&d, ctx);
    assert_int_equal(r, 0);
    long fixed_agree = 0, fixed = 0;
    for (int i = 0; fixed_cases[i]; i++, fixed++)
        fixed_agree += rd_cmd(&d, fixed_cases[i]);
    /* The draws of the fixed cases that reply members, by count and membership. */
    static const char *const draws[][4] = {
        {"ZRANDMEMBER", "b", "10", "WITHSCORES"}, {"ZRANDMEMBER", "b", "-10", "WITHSCORES"},
        {"ZRANDMEMBER", "b", "2", NULL},          {"HRANDFIELD", "h", "5", "WITHVALUES"},
        {"HRANDFIELD", "h", "-5", NULL},          {"HRANDFIELD", "h", "1", NULL},
    };
    for (size_t i = 0; i < sizeof(draws) / sizeof(draws[0]); i++, fixed++) {
        int argc = draws[i][3] ? 4 : 3;
        size_t lens[4];
        for (int j = 0; j < argc; j++)
            lens[j] = strlen(draws[i][j]);
        struct rd_check k = {RD_MEMBERS, draws[i][0][0] == 'Z' ? "ZSCORE" : "HEXISTS", draws[i][1],
                             argc == 4 ? 2 : 1};
        fixed_agree += rd_argv_check(&d, argc, (const char **)draws[i], lens, &k);
    }
    rd_cmd(&d, "FLUSHALL");
    rd_cmd(&d, "SET str v");
    unsigned long long seed = rd_seed();
    srand((unsigned)seed);
    struct rd_words *c = malloc(sizeof(*c));
    for (int i = 0; i < 4000; i++)
        random_zset_cmd(&d, c);
    for (int i = 0; i < 3; i++) {
        rd_words_reset(c);
        rd_word(c, "ZRANGE");
        rd_word(c, zkeys[i]);
        rd_word(c, "0");
        rd_word(c, "-1");
        rd_word(c, "WITHSCORES");
        rd_words_run(&d, c, NULL);
    }
    free(c);
    printf("zsets/hashes differential (seed %llu): %ld fixed cases, %ld agree; %ld cases in all, "
           "%ld agree\n",
           seed, fixed, fixed_agree, d.cases, d.agreed);
    rd_stop(&d);
    assert_int_equal(d.agreed, d.cases);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_zsetops, fixture_flush),
        cmocka_unit_test_setup(test_zrangestore_zmpop, fixture_flush),
        cmocka_unit_test_setup(test_random_draws, fixture_flush),
        cmocka_unit_test_setup(test_resp3_pairs, fixture_flush),
        cmocka_unit_test_setup(test_stored_encodings, fixture_flush),
        cmocka_unit_test_setup(test_zset_memory, fixture_flush),
        cmocka_unit_test_setup(test_zset_diff, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
