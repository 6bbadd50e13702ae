/* test_sets.c — sets and sorted sets against a live zmem-server: every command's happy paths
 * and Redis 7.0.15's exact error texts, scores on the wire (RESP2 "%.17g" bulks, RESP3
 * doubles, pairs), encodings and their conversions, MEMORY USAGE growing with members, and
 * used_memory back to its baseline after FLUSHALL, FLUSHALL ASYNC, DEL and UNLINK. */
#include "integration/fixture.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOTINT    "ERR value is not an integer or out of range"
#define NOTFLOAT  "ERR value is not a valid float"
#define MUSTPOS   "ERR value is out of range, must be positive"

/* An array of bulk strings (NULL-terminated want), in order, or sorted first when `sorted`. */
static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
expect_array_x(int sorted, const char *const *want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    size_t n = 0;
    while (want[n])
        n++;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != n)
        fail_msg("'%s': wanted %zu elements, got type %d with %zu", fmt, n, r->type, r->elements);
    const char **got = calloc(n + 1, sizeof(*got));
    for (size_t i = 0; i < n; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING)
            fail_msg("'%s': element %zu is not a bulk string", fmt, i);
        got[i] = r->element[i]->str;
    }
    if (sorted)
        qsort(got, n, sizeof(*got), str_cmp);
    for (size_t i = 0; i < n; i++)
        if (strcmp(got[i], want[i]) != 0)
            fail_msg("'%s': element %zu wanted '%s', got '%s'", fmt, i, want[i], got[i]);
    free(got);
    freeReplyObject(r);
}

#define expect_array(want, ...)   expect_array_x(0, want, __VA_ARGS__)
#define expect_members(want, ...) expect_array_x(1, want, __VA_ARGS__)

/* Number of elements of an array reply (fails on any other type). */
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

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* ---- Sets ---- */

static void
test_set_basics(void **state)
{
    expect_int(ctx, 3, "SADD s 3 1 2");
    expect_int(ctx, 1, "SADD s 2 4");
    expect_int(ctx, 4, "SCARD s");
    expect_int(ctx, 0, "SCARD nokey");
    expect_status(ctx, "set", "TYPE s");
    expect_bulk(ctx, "intset", "OBJECT ENCODING s");
    const char *ints[] = {"1", "2", "3", "4", NULL};
    expect_array(ints, "SMEMBERS s"); /* an intset answers in order */
    expect_int(ctx, 1, "SISMEMBER s 3");
    expect_int(ctx, 0, "SISMEMBER s 03");
    expect_int(ctx, 0, "SISMEMBER nokey 3");
    redisReply *r = cu_run(ctx, "SMISMEMBER s 1 x 4");
    assert_int_equal(r->elements, 3);
    assert_int_equal(r->element[0]->integer, 1);
    assert_int_equal(r->element[1]->integer, 0);
    assert_int_equal(r->element[2]->integer, 1);
    freeReplyObject(r);
    assert_int_equal(array_len("SMISMEMBER nokey a b"), 2);
    const char *none[] = {NULL};
    expect_array(none, "SMEMBERS nokey");
    expect_int(ctx, 2, "SREM s 1 2 9");
    expect_int(ctx, 0, "SREM nokey a");
    expect_int(ctx, 2, "SREM s 3 4");
    expect_int(ctx, 0, "EXISTS s"); /* emptied: deleted */
    /* A string member makes a listpack; past 128 members, or a 65-byte one, a hashtable. */
    expect_int(ctx, 2, "SADD s 1 2");
    expect_int(ctx, 1, "SADD s abc");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING s");
    const char *mixed[] = {"1", "2", "abc", NULL};
    expect_members(mixed, "SMEMBERS s");
    for (int i = 0; i < 125; i++)
        cmd("SADD s m%d", i);
    expect_bulk(ctx, "listpack", "OBJECT ENCODING s");
    expect_int(ctx, 1, "SADD s one-more");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING s");
    expect_int(ctx, 129, "SCARD s");
    expect_int(ctx, 1, "SISMEMBER s 2");
    expect_int(ctx, 1, "SADD long %065d", 0);
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING long");
    /* 512 integers stay an intset, the 513th converts. */
    for (int i = 0; i < 512; i += 8)
        cmd("SADD is %d %d %d %d %d %d %d %d", i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7);
    expect_bulk(ctx, "intset", "OBJECT ENCODING is");
    expect_int(ctx, 1, "SADD is -1");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING is");
    expect_int(ctx, 1, "SISMEMBER is 511");
    /* Type errors and arity. */
    expect_status(ctx, "OK", "SET str v");
    expect_error(ctx, WRONGTYPE, "SADD str a");
    expect_error(ctx, WRONGTYPE, "SREM str a");
    expect_error(ctx, WRONGTYPE, "SCARD str");
    expect_error(ctx, WRONGTYPE, "SISMEMBER str a");
    expect_error(ctx, WRONGTYPE, "SMISMEMBER str a");
    expect_error(ctx, WRONGTYPE, "SMEMBERS str");
    expect_error(ctx, WRONGTYPE, "SPOP str");
    expect_error(ctx, WRONGTYPE, "SRANDMEMBER str");
    expect_error(ctx, WRONGTYPE, "GET s");
    expect_error(ctx, "ERR wrong number of arguments for 'sadd' command", "SADD s");
    expect_error(ctx, "ERR wrong number of arguments for 'smismember' command", "SMISMEMBER s");
    expect_error(ctx, "ERR wrong number of arguments for 'sismember' command", "SISMEMBER s");
    r = cu_run(ctx, "SCAN 0 COUNT 100 TYPE set");
    assert_int_equal(r->element[1]->elements, 3);
    freeReplyObject(r);
}

static void
test_spop_srandmember(void **state)
{
    expect_nil(ctx, "SPOP nokey");
    assert_int_equal(array_len("SPOP nokey 3"), 0);
    expect_error(ctx, MUSTPOS, "SPOP s -1");
    expect_error(ctx, MUSTPOS, "SPOP s abc");
    expect_error(ctx, "ERR syntax error", "SPOP s 1 2");
    expect_int(ctx, 5, "SADD s a b c d e");
    assert_int_equal(array_len("SPOP s 0"), 0);
    assert_int_equal(array_len("SPOP s 2"), 2);
    expect_int(ctx, 3, "SCARD s");
    redisReply *r = cu_run(ctx, "SPOP s");
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    expect_int(ctx, 0, "SISMEMBER s %s", r->str);
    freeReplyObject(r);
    assert_int_equal(array_len("SPOP s 100"), 2); /* all of it, and the key goes */
    expect_int(ctx, 0, "EXISTS s");
    /* The default redis-benchmark pair, then popping a big table down to nothing. */
    expect_int(ctx, 1, "SADD myset element:__rand_int__");
    expect_bulk(ctx, "element:__rand_int__", "SPOP myset");
    for (int i = 0; i < 1000; i += 4)
        cmd("SADD big m%d m%d m%d m%d", i, i + 1, i + 2, i + 3);
    assert_int_equal(array_len("SPOP big 600"), 600);
    expect_int(ctx, 400, "SCARD big");
    assert_int_equal(array_len("SPOP big 400"), 400);
    expect_int(ctx, 0, "EXISTS big");

    expect_nil(ctx, "SRANDMEMBER nokey");
    assert_int_equal(array_len("SRANDMEMBER nokey 3"), 0);
    expect_error(ctx, NOTINT, "SRANDMEMBER s abc");
    expect_error(ctx,
                 "ERR value is out of range, value must between -9223372036854775807 and "
                 "9223372036854775807",
                 "SRANDMEMBER s -9223372036854775808");
    expect_error(ctx, "ERR syntax error", "SRANDMEMBER s 1 2");
    /* Distinct members for a positive count, repeats allowed for a negative one, in each
     * encoding. */
    const char *firsts[] = {"", "a", "b"};
    const int sizes[] = {50, 50, 300};
    for (int k = 0; k < 3; k++) {
        cmd("DEL r");
        for (int i = 0; i < sizes[k]; i++) {
            if (k == 0)
                cmd("SADD r %d", i);
            else
                cmd("SADD r %s%d", firsts[k], i);
        }
        size_t n = (size_t)sizes[k];
        const int counts[] = {3, (int)n / 2, (int)n - 1, (int)n, (int)n + 10};
        for (int t = 0; t < 5; t++) {
            r = cu_run(ctx, "SRANDMEMBER r %d", counts[t]);
            size_t want = (size_t)counts[t] < n ? (size_t)counts[t] : n;
            assert_int_equal(r->type, REDIS_REPLY_ARRAY);
            assert_int_equal(r->elements, want);
            for (size_t i = 0; i < r->elements; i++)
                for (size_t j = i + 1; j < r->elements; j++)
                    assert_string_not_equal(r->element[i]->str, r->element[j]->str);
            freeReplyObject(r);
        }
        assert_int_equal(array_len("SRANDMEMBER r -200"), 200);
        assert_int_equal(array_len("SRANDMEMBER r 0"), 0);
        r = cu_run(ctx, "SRANDMEMBER r");
        assert_int_equal(r->type, REDIS_REPLY_STRING);
        expect_int(ctx, 1, "SISMEMBER r %s", r->str);
        freeReplyObject(r);
    }
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING r");
}

static void
test_smove_and_setops(void **state)
{
    expect_int(ctx, 3, "SADD a 1 2 3");
    expect_int(ctx, 3, "SADD b 3 4 x");
    expect_status(ctx, "OK", "SET str v");
    expect_int(ctx, 1, "SMOVE a b 1");
    expect_int(ctx, 0, "SISMEMBER a 1");
    expect_int(ctx, 1, "SISMEMBER b 1");
    expect_int(ctx, 0, "SMOVE a b 99");
    expect_int(ctx, 0, "SMOVE nokey b 1");
    expect_int(ctx, 0, "SMOVE nokey str 1"); /* a missing source answers before any type check */
    expect_error(ctx, WRONGTYPE, "SMOVE a str 2");
    expect_error(ctx, WRONGTYPE, "SMOVE str a 2");
    expect_int(ctx, 1, "SMOVE a a 2"); /* same key: whether it is a member */
    expect_int(ctx, 0, "SMOVE a a 99");
    expect_int(ctx, 1, "SMOVE a fresh 2");
    expect_members((const char *[]){"2", NULL}, "SMEMBERS fresh");
    expect_int(ctx, 1, "SMOVE a fresh 3");
    expect_int(ctx, 0, "EXISTS a"); /* moved out its last member */

    expect_int(ctx, 3, "SADD a 1 2 3");
    expect_members((const char *[]){"1", "3", NULL}, "SINTER a b");
    expect_members((const char *[]){"1", "2", "3", "4", "x", NULL}, "SUNION a b");
    expect_members((const char *[]){"2", NULL}, "SDIFF a b");
    expect_members((const char *[]){"4", "x", NULL}, "SDIFF b a");
    expect_members((const char *[]){NULL}, "SINTER a nokey");
    expect_members((const char *[]){"1", "2", "3", NULL}, "SDIFF a nokey");
    expect_members((const char *[]){NULL}, "SDIFF nokey a");
    expect_members((const char *[]){NULL}, "SDIFF a a");
    expect_members((const char *[]){"1", "2", "3", NULL}, "SUNION nokey a");
    expect_error(ctx, WRONGTYPE, "SINTER nokey str"); /* every key is type-checked */
    expect_error(ctx, WRONGTYPE, "SUNION a str");
    expect_error(ctx, WRONGTYPE, "SDIFF nokey str");
    expect_int(ctx, 2, "SINTERSTORE d a b");
    expect_members((const char *[]){"1", "3", NULL}, "SMEMBERS d");
    expect_int(ctx, 5, "SUNIONSTORE d a b");
    expect_int(ctx, 5, "SCARD d");
    expect_int(ctx, 1, "SDIFFSTORE str a b"); /* overwrites a key of any type */
    expect_status(ctx, "set", "TYPE str");
    expect_int(ctx, 1, "EXPIRE d 100");
    expect_int(ctx, 0, "SINTERSTORE d a nokey"); /* an empty result deletes the destination */
    expect_int(ctx, 0, "EXISTS d");
    expect_int(ctx, 3, "SUNIONSTORE a a"); /* a source may be the destination */
    expect_int(ctx, 1, "RPUSH list x");
    expect_error(ctx, WRONGTYPE, "SINTERSTORE d a list");
    expect_error(ctx, "ERR wrong number of arguments for 'sinterstore' command", "SINTERSTORE d");

    expect_int(ctx, 2, "SINTERCARD 2 a b");
    expect_int(ctx, 1, "SINTERCARD 2 a b LIMIT 1");
    expect_int(ctx, 2, "SINTERCARD 2 a b LIMIT 0");
    expect_int(ctx, 0, "SINTERCARD 2 a nokey");
    expect_error(ctx, "ERR numkeys should be greater than 0", "SINTERCARD 0 a");
    expect_error(ctx, "ERR numkeys should be greater than 0", "SINTERCARD x a");
    expect_error(ctx, "ERR Number of keys can't be greater than number of args",
                 "SINTERCARD 3 a b");
    expect_error(ctx, "ERR LIMIT can't be negative", "SINTERCARD 1 a LIMIT -1");
    expect_error(ctx, "ERR LIMIT can't be negative", "SINTERCARD 1 a LIMIT x");
    expect_error(ctx, "ERR syntax error", "SINTERCARD 1 a LIMIT");
    expect_error(ctx, "ERR syntax error", "SINTERCARD 1 a foo");
    expect_error(ctx, WRONGTYPE, "SINTERCARD 2 a list");
}

/* ---- Sorted sets ---- */

static void
test_zadd_and_scores(void **state)
{
    expect_int(ctx, 4, "ZADD z 1.5 a 0.1 b 3 c inf d");
    expect_status(ctx, "zset", "TYPE z");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING z");
    /* RESP2 scores are "%.17g" bulks, as Redis 7.0 writes them. */
    expect_bulk(ctx, "1.5", "ZSCORE z a");
    expect_bulk(ctx, "0.10000000000000001", "ZSCORE z b");
    expect_bulk(ctx, "3", "ZSCORE z c");
    expect_bulk(ctx, "inf", "ZSCORE z d");
    expect_nil(ctx, "ZSCORE z nope");
    expect_nil(ctx, "ZSCORE nokey a");
    expect_int(ctx, 4, "ZCARD z");
    expect_int(ctx, 0, "ZCARD nokey");
    redisReply *r = cu_run(ctx, "ZMSCORE z a nope c");
    assert_int_equal(r->elements, 3);
    assert_string_equal(r->element[0]->str, "1.5");
    assert_int_equal(r->element[1]->type, REDIS_REPLY_NIL);
    assert_string_equal(r->element[2]->str, "3");
    freeReplyObject(r);
    assert_int_equal(array_len("ZMSCORE nokey a"), 1);

    /* Options. */
    expect_int(ctx, 0, "ZADD z XX 5 new");
    expect_int(ctx, 0, "ZADD nokey XX 1 a");
    expect_int(ctx, 0, "EXISTS nokey"); /* XX never creates */
    expect_nil(ctx, "ZADD nokey XX INCR 1 a");
    expect_int(ctx, 0, "ZADD z NX 9 a");
    expect_bulk(ctx, "1.5", "ZSCORE z a");
    expect_int(ctx, 0, "ZADD z GT 1 a");
    expect_int(ctx, 1, "ZADD z GT CH 2 a");
    expect_int(ctx, 0, "ZADD z LT 5 a");
    expect_int(ctx, 1, "ZADD z LT CH XX 0.5 a");
    expect_int(ctx, 2, "ZADD z CH 7 a 7 e"); /* CH: one updated plus one added */
    expect_int(ctx, 1, "ZADD z 8 a 8 f");    /* without CH only the added one counts */
    expect_bulk(ctx, "10", "ZADD z INCR 2 a");
    expect_nil(ctx, "ZADD z NX INCR 1 a");
    expect_nil(ctx, "ZADD z GT INCR -1 a");
    expect_bulk(ctx, "1", "ZADD z INCR 1 g");
    expect_bulk(ctx, "3.5", "ZINCRBY z 2.5 g");
    expect_bulk(ctx, "-1", "ZINCRBY fresh -1 m");
    expect_int(ctx, 1, "ZADD z -0 zero"); /* -0 is stored (and answered) as 0 */
    expect_bulk(ctx, "0", "ZSCORE z zero");
    expect_bulk(ctx, "16", "ZADD z INCR 0x10 hex");
    /* Error texts, checked before anything changes. */
    expect_error(ctx, "ERR syntax error", "ZADD z 1 a 2");
    expect_error(ctx, "ERR syntax error", "ZADD z NX XX 1");
    expect_error(ctx, "ERR syntax error", "ZADD z foo 1 a");
    expect_error(ctx, "ERR XX and NX options at the same time are not compatible",
                 "ZADD z NX XX 1 a");
    expect_error(ctx, "ERR XX and NX options at the same time are not compatible",
                 "ZADD z INCR XX NX 1 a 2 b");
    expect_error(ctx, "ERR GT, LT, and/or NX options at the same time are not compatible",
                 "ZADD z NX GT 1 a");
    expect_error(ctx, "ERR GT, LT, and/or NX options at the same time are not compatible",
                 "ZADD z GT LT 1 a");
    expect_error(ctx, "ERR INCR option supports a single increment-element pair",
                 "ZADD z INCR 1 a 2 b");
    expect_error(ctx, NOTFLOAT, "ZADD z abc a");
    expect_error(ctx, NOTFLOAT, "ZADD z nan a");
    expect_error(ctx, NOTFLOAT, "ZADD z 1e400 a");
    expect_error(ctx, NOTFLOAT, "ZADD z %s a", " 1");
    expect_error(ctx, NOTFLOAT, "ZADD z 1 x abc y");
    expect_nil(ctx, "ZSCORE z x"); /* the bad second score refused the whole command */
    expect_error(ctx, NOTFLOAT, "ZINCRBY z abc a");
    expect_int(ctx, 1, "ZADD z inf n");
    expect_error(ctx, "ERR resulting score is not a number (NaN)", "ZINCRBY z -inf n");
    expect_error(ctx, "ERR resulting score is not a number (NaN)", "ZADD z INCR -inf n");
    expect_bulk(ctx, "inf", "ZSCORE z n");
    expect_error(ctx, "ERR wrong number of arguments for 'zadd' command", "ZADD z 1");
    expect_error(ctx, "ERR wrong number of arguments for 'zincrby' command", "ZINCRBY z 1");
    /* ZREM, and the key going with its last member. */
    expect_int(ctx, 2, "ZREM z a nope b");
    expect_int(ctx, 0, "ZREM nokey a");
    expect_int(ctx, 1, "ZREM fresh m");
    expect_int(ctx, 0, "EXISTS fresh");
    expect_status(ctx, "OK", "SET str v");
    const char *wrong[] = {"ZADD str 1 a",
                           "ZINCRBY str 1 a",
                           "ZCARD str",
                           "ZSCORE str a",
                           "ZMSCORE str a",
                           "ZREM str a",
                           "ZRANGE str 0 1",
                           "ZRANK str a",
                           "ZCOUNT str 0 1",
                           "ZPOPMIN str",
                           "ZREMRANGEBYRANK str 0 1",
                           "ZRANGEBYLEX str - +",
                           NULL};
    for (int i = 0; wrong[i]; i++)
        cu_expect(ctx, REDIS_REPLY_ERROR, WRONGTYPE, wrong[i]);
    expect_error(ctx, WRONGTYPE, "SADD z a");
}

/* Scores on the wire, byte for byte: RESP2 bulks, RESP3 doubles and [member, score] pairs. */
static void
test_scores_on_the_wire(void **state)
{
    expect_int(ctx, 4, "ZADD w 1.5 a 0.1 b 3 c -inf d");
    int fd = raw_connect(srv.port);
    raw_expect(fd, "ZSCORE w a\r\n", "$3\r\n1.5\r\n");
    raw_expect(fd, "ZSCORE w b\r\n", "$19\r\n0.10000000000000001\r\n");
    raw_expect(fd, "ZSCORE w c\r\n", "$1\r\n3\r\n");
    raw_expect(fd, "ZSCORE w d\r\n", "$4\r\n-inf\r\n");
    raw_expect(fd, "ZRANGE w 0 1 WITHSCORES\r\n",
               "*4\r\n$1\r\nd\r\n$4\r\n-inf\r\n"
               "$1\r\nb\r\n$19\r\n0.10000000000000001\r\n");
    raw_expect(fd, "ZPOPMIN nokey\r\n", "*0\r\n");
    /* HELLO 3's map is long: read and drop it. */
    size_t len;
    int closed;
    raw_sends(fd, "HELLO 3\r\n");
    free(raw_read(fd, (size_t)-2, 300, &len, &closed));
    raw_expect(fd, "ZSCORE w a\r\n", ",1.5\r\n");
    raw_expect(fd, "ZSCORE w d\r\n", ",-inf\r\n");
    raw_expect(fd, "ZSCORE w nope\r\n", "_\r\n");
    raw_expect(fd, "ZMSCORE w c nope\r\n", "*2\r\n,3\r\n_\r\n");
    raw_expect(fd, "ZRANGE w 2 3 WITHSCORES\r\n",
               "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    raw_expect(fd, "ZINCRBY w 1 c\r\n", ",4\r\n");
    /* ZPOPMIN: a flat pair without a count, pairs with one. */
    raw_expect(fd, "ZPOPMIN w\r\n", "*2\r\n$1\r\nd\r\n,-inf\r\n");
    raw_expect(fd, "ZPOPMAX w 1\r\n", "*1\r\n*2\r\n$1\r\nc\r\n,4\r\n");
    raw_expect(fd, "ZPOPMIN w 0\r\n", "*0\r\n");
    /* Sets: SMEMBERS, SPOP with a count and the set operations are RESP3 sets. */
    raw_expect(fd, "SADD rs 7\r\n", ":1\r\n");
    raw_expect(fd, "SMEMBERS rs\r\n", "~1\r\n$1\r\n7\r\n");
    raw_expect(fd, "SUNION rs\r\n", "~1\r\n$1\r\n7\r\n");
    raw_expect(fd, "SRANDMEMBER rs 5\r\n", "*1\r\n$1\r\n7\r\n");
    raw_expect(fd, "SPOP nokey 2\r\n", "~0\r\n");
    raw_expect(fd, "SPOP nokey\r\n", "_\r\n");
    raw_expect(fd, "SPOP rs 5\r\n", "~1\r\n$1\r\n7\r\n");
    close(fd);
}

static void
test_zrange_family(void **state)
{
    expect_int(ctx, 4, "ZADD z 1 a 2 b 3 c 4 d");
    const char *none[] = {NULL};
    expect_array(((const char *[]){"a", "b", "c", "d", NULL}), "ZRANGE z 0 -1");
    expect_array(((const char *[]){"b", "2", "c", "3", NULL}), "ZRANGE z 1 2 WITHSCORES");
    expect_array(((const char *[]){"d", "4", "c", "3", NULL}), "ZRANGE z 0 1 WITHSCORES REV");
    expect_array(((const char *[]){"d", "c", NULL}), "ZREVRANGE z 0 1");
    expect_array(((const char *[]){"c", "d", NULL}), "ZRANGE z -2 100");
    expect_array(((const char *[]){"a", "b", NULL}), "ZRANGE z -100 1");
    expect_array(none, "ZRANGE z 3 1");
    expect_array(none, "ZRANGE z 5 10");
    expect_array(none, "ZRANGE nokey 0 -1");
    /* BYSCORE: exclusive ends, infinities, reversed (max first), LIMIT. */
    expect_array(((const char *[]){"b", "c", NULL}), "ZRANGE z (1 3 BYSCORE");
    expect_array(((const char *[]){"b", "2", NULL}), "ZRANGE z (1 (3 BYSCORE WITHSCORES");
    expect_array(((const char *[]){"c", "b", "a", NULL}), "ZRANGE z 3 1 BYSCORE REV");
    expect_array(((const char *[]){"c", "b", NULL}), "ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2");
    expect_array(((const char *[]){"b", "c", "d", NULL}), "ZRANGE z -inf +inf BYSCORE LIMIT 1 -1");
    expect_array(none, "ZRANGE z -inf +inf BYSCORE LIMIT -1 2");
    expect_array(none, "ZRANGE z -inf +inf BYSCORE LIMIT 1 0");
    expect_array(none, "ZRANGE z 5 1 BYSCORE");
    expect_array(((const char *[]){"a", "1", "b", "2", NULL}),
                 "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 2");
    expect_array(((const char *[]){"d", "c", NULL}), "ZREVRANGEBYSCORE z +inf (2");
    /* BYLEX over equal scores. */
    expect_int(ctx, 4, "ZADD lex 0 a 0 b 0 c 0 d");
    expect_array(((const char *[]){"a", "b", "c", "d", NULL}), "ZRANGE lex - + BYLEX");
    expect_array(((const char *[]){"b", "c", NULL}), "ZRANGE lex [b (d BYLEX");
    expect_array(((const char *[]){"d", "c", "b", "a", NULL}), "ZRANGE lex + - BYLEX REV");
    expect_array(((const char *[]){"b", NULL}), "ZRANGEBYLEX lex (a + LIMIT 0 1");
    expect_array(((const char *[]){"c", "b", NULL}), "ZREVRANGEBYLEX lex (d [b");
    expect_array(none, "ZRANGEBYLEX lex + -");
    expect_int(ctx, 2, "ZLEXCOUNT lex [b [c");
    expect_int(ctx, 4, "ZLEXCOUNT lex - +");
    expect_int(ctx, 0, "ZLEXCOUNT nokey - +");
    /* Errors, in Redis's order: options, conflicts, then the range. */
    expect_error(ctx, NOTINT, "ZRANGE z a 1");
    expect_error(ctx, NOTINT, "ZRANGE nokey a 1");
    expect_error(ctx, "ERR syntax error", "ZRANGE z 0 1 foo");
    expect_error(ctx, "ERR syntax error", "ZRANGE z 0 1 REV REV");
    expect_error(ctx, "ERR syntax error", "ZRANGE z 0 1 BYSCORE BYLEX");
    expect_error(ctx, "ERR syntax error", "ZRANGE z 0 1 BYSCORE LIMIT 0");
    expect_error(ctx, "ERR syntax error", "ZREVRANGE z 0 1 REV");
    expect_error(ctx, "ERR syntax error", "ZRANGEBYSCORE z 0 1 BYSCORE");
    expect_error(ctx, NOTINT, "ZRANGE z 0 1 BYSCORE LIMIT a 1");
    expect_error(ctx,
                 "ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                 "or BYLEX",
                 "ZRANGE z 0 1 LIMIT 0 1");
    expect_error(ctx, "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
                 "ZRANGE z - + BYLEX WITHSCORES");
    expect_error(ctx, "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
                 "ZRANGEBYLEX z - + WITHSCORES");
    expect_error(ctx, "ERR min or max is not a float", "ZRANGE z a b BYSCORE");
    expect_error(ctx, "ERR min or max is not a float", "ZCOUNT z (a 1");
    expect_error(ctx, "ERR min or max not valid string range item", "ZRANGE z a b BYLEX");
    expect_error(ctx, "ERR min or max not valid string range item", "ZLEXCOUNT z a b");
    /* Ranks and counts. */
    expect_int(ctx, 0, "ZRANK z a");
    expect_int(ctx, 3, "ZREVRANK z a");
    expect_nil(ctx, "ZRANK z nope");
    expect_nil(ctx, "ZRANK nokey a");
    expect_error(ctx, "ERR wrong number of arguments for 'zrank' command", "ZRANK z a WITHSCORE");
    expect_int(ctx, 4, "ZCOUNT z -inf +inf");
    expect_int(ctx, 3, "ZCOUNT z (1 +inf");
    expect_int(ctx, 1, "ZCOUNT z ( 1"); /* "(" alone is an exclusive 0, as strtod reads it */
    expect_int(ctx, 0, "ZCOUNT z 3 1");
    expect_int(ctx, 0, "ZCOUNT nokey 0 1");
    /* Pops. */
    expect_array(((const char *[]){"a", "1", NULL}), "ZPOPMIN z");
    expect_array(((const char *[]){"d", "4", "c", "3", NULL}), "ZPOPMAX z 2");
    expect_array(none, "ZPOPMIN z 0");
    expect_array(none, "ZPOPMIN nokey");
    expect_array(none, "ZPOPMIN nokey 3");
    expect_error(ctx, MUSTPOS, "ZPOPMIN z -1");
    expect_error(ctx, MUSTPOS, "ZPOPMAX z abc");
    expect_error(ctx, "ERR syntax error", "ZPOPMIN z 1 2");
    expect_array(((const char *[]){"b", "2", NULL}), "ZPOPMIN z 10");
    expect_int(ctx, 0, "EXISTS z");
    expect_int(ctx, 1, "ZADD myzset 0 element:__rand_int__"); /* the redis-benchmark pair */
    expect_array(((const char *[]){"element:__rand_int__", "0", NULL}), "ZPOPMIN myzset");
    /* ZREMRANGEBY*. */
    expect_int(ctx, 5, "ZADD r 1 a 2 b 3 c 4 d 5 e");
    expect_int(ctx, 2, "ZREMRANGEBYRANK r -2 -1");
    expect_int(ctx, 1, "ZREMRANGEBYSCORE r (1 2");
    expect_int(ctx, 1, "ZREMRANGEBYLEX r [a [a");
    expect_array(((const char *[]){"c", NULL}), "ZRANGE r 0 -1");
    expect_int(ctx, 0, "ZREMRANGEBYRANK nokey 0 -1");
    expect_error(ctx, NOTINT, "ZREMRANGEBYRANK r a 1");
    expect_error(ctx, "ERR min or max is not a float", "ZREMRANGEBYSCORE r a 1");
    expect_error(ctx, "ERR min or max not valid string range item", "ZREMRANGEBYLEX r a b");
    expect_int(ctx, 1, "ZREMRANGEBYRANK r 0 -1");
    expect_int(ctx, 0, "EXISTS r");
}

/* The packed form up to 128 members of <= 64 bytes, then a skiplist: same answers in both. */
static void
test_zset_encodings(void **state)
{
    for (int i = 0; i < 128; i++)
        cmd("ZADD z %d m%03d", i % 10, i);
    expect_bulk(ctx, "listpack", "OBJECT ENCODING z");
    expect_int(ctx, 12, "ZCOUNT z 9 9");
    expect_int(ctx, 1, "ZADD z 100 last");
    expect_bulk(ctx, "skiplist", "OBJECT ENCODING z");
    expect_int(ctx, 129, "ZCARD z");
    expect_int(ctx, 128, "ZRANK z last");
    expect_int(ctx, 0, "ZRANK z m000");
    expect_int(ctx, 1, "ZRANK z m010"); /* score 0 as well, after m000 by name */
    expect_int(ctx, 12, "ZCOUNT z 9 9");
    expect_array(((const char *[]){"last", "100", NULL}), "ZREVRANGE z 0 0 WITHSCORES");
    expect_array(((const char *[]){"m009", "m019", NULL}), "ZRANGE z (8 9 BYSCORE LIMIT 0 2");
    expect_bulk(ctx, "0.5", "ZINCRBY z -99.5 last");
    expect_int(ctx, 13, "ZRANK z last");
    expect_array(((const char *[]){"m000", "0", NULL}), "ZPOPMIN z");
    expect_int(ctx, 127, "ZREMRANGEBYRANK z 1 -1");
    expect_bulk(ctx, "skiplist", "OBJECT ENCODING z"); /* never back to a listpack, as Redis */
    expect_int(ctx, 1, "ZADD long 1 %065d", 0);
    expect_bulk(ctx, "skiplist", "OBJECT ENCODING long");
    expect_int(ctx, 1, "ZADD long 0 a");
    expect_int(ctx, 0, "ZRANK long a");
}

static long long
memory_usage(const char *key)
{
    return cu_int(ctx, "MEMORY USAGE %s SAMPLES 0", key);
}

/* MEMORY USAGE grows with members in every encoding. */
static void
test_memory_usage(void **state)
{
    const char *keys[] = {"iset", "pset", "tset", "pz", "sz"};
    const int per[] = {100, 100, 1000, 100, 1000};
    const char *fmts[] = {"SADD iset %d", "SADD pset m%d", "SADD tset m%d", "ZADD pz %d m%d",
                          "ZADD sz %d m%d"};
    const char *encs[] = {"intset", "listpack", "hashtable", "listpack", "skiplist"};
    long long prev[5] = {0};
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 5; k++) {
            int n = round == 0 ? per[k] / 2 : per[k];
            for (int i = round ? per[k] / 2 : 0; i < n; i++) {
                if (k >= 3)
                    cmd(fmts[k], i, i);
                else
                    cmd(fmts[k], i);
            }
            long long m = memory_usage(keys[k]);
            if (round == 1) {
                expect_bulk(ctx, encs[k], "OBJECT ENCODING %s", keys[k]);
                if (m <= prev[k])
                    fail_msg("%s: MEMORY USAGE %lld with %d members, %lld with half", keys[k], m, n,
                             prev[k]);
            }
            prev[k] = m;
        }
    }
    /* Sampled estimates stay near the exact figure. */
    long long exact = memory_usage("sz");
    long long est = cu_int(ctx, "MEMORY USAGE sz");
    assert_true(est > exact / 2 && est < exact * 2);
}

/* ---- Memory back to baseline ---- */

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

static void
wait_lazyfree(void)
{
    for (int i = 0; i < 500; i++) {
        if (info_field(ctx, "memory", "lazyfree_pending_objects") == 0)
            return;
        usleep(10000);
    }
    fail_msg("lazy free did not drain");
}

/* used_memory once it stops moving toward want (2 s at most). The purge job FLUSHALL ASYNC
 * queues counts no objects, so "nothing pending" can be read before its own block is freed. */
static long long
used_memory_settled(long long want)
{
    long long deadline = harness_now_ms() + 2000, now = used_memory();
    while (now != want && harness_now_ms() < deadline) {
        usleep(10000);
        now = used_memory();
    }
    return now;
}

/* n big sets and zsets (past the lazy-free threshold), plus a few small ones. */
static void
fill(int n, int members)
{
    for (int i = 0; i < n; i++) {
        for (int m = 0; m < members; m += 5) {
            redisAppendCommand(ctx,
                               "SADD bigset:%d member:%d member:%d member:%d member:%d "
                               "member:%d",
                               i, m, m + 1, m + 2, m + 3, m + 4);
            redisAppendCommand(ctx, "ZADD bigz:%d %d a%d %d b%d %d c%d %d d%d %d e%d", i, m, m, m,
                               m, m, m, m, m, m, m);
        }
        for (int m = 0; m < 2 * members / 5; m++) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    for (int i = 0; i < 200; i++) {
        redisAppendCommand(ctx, "SADD sset:%d %d x%d", i, i, i);
        redisAppendCommand(ctx, "ZADD sz:%d %d x", i, i);
        redisAppendCommand(ctx, "EXPIRE sz:%d 1000", i);
    }
    for (int i = 0; i < 600; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    cmd("EXPIRE bigset:0 1000");
}

static void
test_memory_baseline(void **state)
{
    long long base = used_memory();
    /* Twice, so buffers that grow once and stay are in the baseline: client buffers, and the
     * shared reply buffer (kept up to 64 KiB) that the big replies below grow. */
    for (int round = 0; round < 2; round++) {
        fill(4, 1000);
        assert_true(used_memory() > base + 100000);
        assert_int_equal(array_len("SMEMBERS bigset:3"), 1000);
        assert_int_equal(array_len("ZRANGE bigz:3 0 -1 WITHSCORES"), 2000);
        expect_status(ctx, "OK", "FLUSHALL");
        long long after = used_memory();
        if (round == 0)
            base = after;
        else
            assert_int_equal(after, base);
    }
    fill(4, 1000);
    expect_status(ctx, "OK", "FLUSHALL ASYNC");
    wait_lazyfree();
    assert_int_equal(used_memory_settled(base), base);

    fill(4, 1000);
    long long freed = info_field(ctx, "memory", "lazyfreed_objects");
    expect_int(ctx, 4, "UNLINK bigset:0 bigset:1 bigz:0 bigz:1");
    expect_int(ctx, 2, "DEL bigset:2 bigz:2");
    wait_lazyfree();
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), freed + 4);
    /* Emptying by commands frees as much as deleting. */
    assert_int_equal(array_len("SPOP bigset:3 10000"), 1000);
    assert_int_equal(array_len("ZPOPMAX bigz:3 600"), 1200);
    expect_int(ctx, 400, "ZREMRANGEBYRANK bigz:3 0 -1");
    expect_int(ctx, 0, "EXISTS bigset:3 bigz:3");
    expect_status(ctx, "OK", "FLUSHALL");
    assert_int_equal(used_memory(), base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_set_basics, fixture_flush),
        cmocka_unit_test_setup(test_spop_srandmember, fixture_flush),
        cmocka_unit_test_setup(test_smove_and_setops, fixture_flush),
        cmocka_unit_test_setup(test_zadd_and_scores, fixture_flush),
        cmocka_unit_test_setup(test_scores_on_the_wire, fixture_flush),
        cmocka_unit_test_setup(test_zrange_family, fixture_flush),
        cmocka_unit_test_setup(test_zset_encodings, fixture_flush),
        cmocka_unit_test_setup(test_memory_usage, fixture_flush),
        cmocka_unit_test_setup(test_memory_baseline, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
