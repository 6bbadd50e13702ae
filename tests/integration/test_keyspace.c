/* test_keyspace.c — the keyspace commands against a live zmem-server: happy paths and Redis
 * 7.0's exact error texts for strings, hashes, lists and generic commands, expiry (lazy and
 * active), SCAN's guarantees, TYPE as a simple string, OBJECT ENCODING, and used_memory back
 * to its baseline after FLUSHALL, FLUSHALL ASYNC and UNLINK. */
#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

/* Array of bulk strings, compared element by element (n elements, then NULL-terminated). */
static void
expect_array(const char *const *want, const char *fmt, ...)
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
    for (size_t i = 0; i < n; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING || strcmp(r->element[i]->str, want[i]))
            fail_msg("'%s': element %zu wanted '%s'", fmt, i, want[i]);
    }
    freeReplyObject(r);
}

static int
setup(void **state)
{
    /* No slow log: its entries (argv copies) would move used_memory under slow builds. */
    const char *args[] = {"--slowlog-log-slower-than", "-1", NULL};
    ctx = zserver_start_connect(&srv, args);
    return 0;
}

static int
teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

static int
flush(void **state)
{
    redisReply *r = cu_run(ctx, "FLUSHALL");
    freeReplyObject(r);
    return 0;
}

/* ---- Strings ---- */

static void
test_set_get_options(void **state)
{
    expect_status(ctx, "OK", "SET k v");
    expect_bulk(ctx, "v", "GET k");
    expect_nil(ctx, "GET nokey");
    expect_nil(ctx, "SET k v2 NX");
    expect_bulk(ctx, "v", "GET k");
    expect_status(ctx, "OK", "SET k v2 XX");
    expect_nil(ctx, "SET other v XX");
    expect_bulk(ctx, "v2", "SET k v3 GET");
    expect_nil(ctx, "SET fresh v GET");
    expect_bulk(ctx, "v3", "SET k v4 NX GET"); /* 7.0 allows NX with GET */
    expect_error(ctx, "ERR syntax error", "SET k v NX XX");
    expect_error(ctx, "ERR syntax error", "SET k v EX 10 KEEPTTL");
    expect_error(ctx, "ERR syntax error", "SET k v EX 10 PX 100");
    expect_error(ctx, "ERR syntax error", "SET k v EX");
    expect_error(ctx, "ERR syntax error", "SET k v FOO");
    expect_error(ctx, "ERR invalid expire time in 'set' command", "SET k v EX 0");
    expect_error(ctx, "ERR invalid expire time in 'set' command", "SET k v PX -5");
    expect_error(ctx, "ERR invalid expire time in 'set' command", "SET k v EX 9223372036854775807");
    expect_error(ctx, "ERR value is not an integer or out of range", "SET k v EX abc");
    expect_error(ctx, "ERR invalid expire time in 'setex' command", "SETEX k 0 v");
    expect_error(ctx, "ERR invalid expire time in 'psetex' command", "PSETEX k -1 v");
    expect_status(ctx, "OK", "SET k v EX 100");
    expect_int(ctx, 100, "TTL k");
    expect_status(ctx, "OK", "SET k v2 KEEPTTL");
    expect_int(ctx, 100, "TTL k");
    expect_status(ctx, "OK", "SET k v3");
    expect_int(ctx, -1, "TTL k");
    /* The only volatile key, rewritten in place without its TTL (same size class). */
    expect_status(ctx, "OK", "SET k 0123456789 EX 100");
    expect_status(ctx, "OK", "SET k abcdefghijklmnopqrstuv");
    expect_bulk(ctx, "abcdefghijklmnopqrstuv", "GET k");
    expect_int(ctx, -1, "TTL k");
    expect_status(ctx, "OK", "SET k 0123456789 EX 100");
    expect_status(ctx, "OK", "SET k v EX 10 EX 20"); /* the same option twice: the last wins */
    expect_int(ctx, 20, "TTL k");
    expect_status(ctx, "OK", "SETEX k 50 v");
    expect_int(ctx, 50, "TTL k");
    expect_status(ctx, "OK", "PSETEX k 5000 v");
    expect_int(ctx, 5, "TTL k");
    expect_int(ctx, 1, "SETNX n1 a");
    expect_int(ctx, 0, "SETNX n1 b");
    expect_bulk(ctx, "a", "GETSET n1 b");
    expect_bulk(ctx, "b", "GETDEL n1");
    expect_int(ctx, 0, "EXISTS n1");
    expect_nil(ctx, "GETDEL n1");
    expect_int(ctx, 1, "RPUSH list x");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "GET list");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "SET list v GET");
    expect_bulk(ctx, "x", "LINDEX list 0"); /* the failed SET ... GET left it alone */
    expect_error(ctx, "ERR wrong number of arguments for 'get' command", "GET");
}

/* Overwriting with a value of the same size rewrites entries in place: every key of every
 * bucket chain must survive it. */
static void
test_overwrite_in_place(void **state)
{
    redisReply *r;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 2000; i++)
            redisAppendCommand(ctx, "SET key:%d %s", i, round == 1 ? "bbbb" : "aaaa");
        for (int i = 0; i < 2000; i++) {
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    expect_int(ctx, 2000, "DBSIZE");
    for (int i = 0; i < 2000; i++) {
        r = cu_run(ctx, "GET key:%d", i);
        if (r->type != REDIS_REPLY_STRING || strcmp(r->str, "aaaa") != 0)
            fail_msg("key:%d lost after in-place overwrites", i);
        freeReplyObject(r);
    }
    r = cu_run(ctx, "KEYS *");
    assert_int_equal(r->elements, 2000);
    freeReplyObject(r);
}

static void
test_mget_mset(void **state)
{
    expect_status(ctx, "OK", "MSET a 1 b 2 c 3");
    expect_int(ctx, 1, "LPUSH l x");
    const char *want[] = {"1", "2", NULL};
    expect_array(want, "MGET a b");
    redisReply *r = cu_run(ctx, "MGET a l nokey");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 3);
    assert_int_equal(r->element[1]->type, REDIS_REPLY_NIL);
    assert_int_equal(r->element[2]->type, REDIS_REPLY_NIL);
    freeReplyObject(r);
    expect_error(ctx, "ERR wrong number of arguments for 'mset' command", "MSET a 1 b");
    expect_int(ctx, 0, "MSETNX a 9 d 4");
    expect_nil(ctx, "GET d");
    expect_int(ctx, 1, "MSETNX dup v1 dup v2");
    expect_bulk(ctx, "v2", "GET dup");
}

static void
test_counters(void **state)
{
    expect_int(ctx, 1, "INCR n");
    expect_int(ctx, 11, "INCRBY n 10");
    expect_int(ctx, 10, "DECR n");
    expect_int(ctx, -5, "DECRBY n 15");
    expect_bulk(ctx, "-5", "GET n");
    expect_bulk(ctx, "int", "OBJECT ENCODING n");
    expect_status(ctx, "OK", "SET n 9223372036854775807");
    expect_error(ctx, "ERR increment or decrement would overflow", "INCR n");
    expect_error(ctx, "ERR decrement would overflow", "DECRBY n -9223372036854775808");
    expect_status(ctx, "OK", "SET s abc");
    expect_error(ctx, "ERR value is not an integer or out of range", "INCR s");
    expect_error(ctx, "ERR value is not an integer or out of range", "INCRBY n x");
    expect_status(ctx, "OK", "SET e 41");
    expect_int(ctx, 42, "INCR e");
    expect_status(ctx, "OK", "SET f 10.5");
    expect_bulk(ctx, "10.6", "INCRBYFLOAT f 0.1");
    expect_bulk(ctx, "3", "INCRBYFLOAT newf 3");
    expect_bulk(ctx, "embstr", "OBJECT ENCODING newf");
    expect_error(ctx, "ERR value is not a valid float", "INCRBYFLOAT f abc");
    expect_error(ctx, "ERR value is not a valid float", "INCRBYFLOAT s 1");
    expect_error(ctx, "ERR increment would produce NaN or Infinity", "INCRBYFLOAT f inf");
    expect_int(ctx, 1, "LPUSH l x");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "INCR l");
}

static void
test_append_strlen_ranges(void **state)
{
    expect_int(ctx, 3, "APPEND a 123");
    expect_bulk(ctx, "int", "OBJECT ENCODING a");
    expect_int(ctx, 4, "APPEND a 4");
    expect_bulk(ctx, "raw", "OBJECT ENCODING a");
    expect_bulk(ctx, "1234", "GET a");
    expect_int(ctx, 4, "STRLEN a");
    expect_int(ctx, 0, "STRLEN nokey");
    expect_status(ctx, "OK", "SET n 12345");
    expect_int(ctx, 5, "STRLEN n");
    expect_status(ctx, "OK", "SET s Hello_World");
    expect_bulk(ctx, "Hello", "GETRANGE s 0 4");
    expect_bulk(ctx, "World", "GETRANGE s -5 -1");
    expect_bulk(ctx, "Hello_World", "GETRANGE s 0 100");
    expect_bulk(ctx, "", "GETRANGE s 5 2");
    expect_bulk(ctx, "", "GETRANGE s -1 -5");
    expect_bulk(ctx, "", "GETRANGE nokey 0 10");
    expect_bulk(ctx, "234", "GETRANGE n 1 3");
    expect_error(ctx, "ERR value is not an integer or out of range", "GETRANGE s a 1");
    expect_int(ctx, 11, "SETRANGE s 6 Redis");
    expect_bulk(ctx, "Hello_Redis", "GET s");
    expect_int(ctx, 7, "SETRANGE pad 5 ab");
    redisReply *r = cu_run(ctx, "GET pad");
    assert_int_equal(r->len, 7);
    assert_memory_equal(r->str, "\0\0\0\0\0ab", 7);
    freeReplyObject(r);
    expect_int(ctx, 0, "SETRANGE empty 3 %s", "");
    expect_int(ctx, 0, "EXISTS empty");
    expect_int(ctx, 11, "SETRANGE s 3 %s", "");
    expect_error(ctx, "ERR offset is out of range", "SETRANGE s -1 x");
    expect_error(ctx, "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
                 "SETRANGE s 536870911 xx");
    expect_int(ctx, 1, "LPUSH l x");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "APPEND l x");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "STRLEN l");
}

/* ---- Hashes ---- */

static void
test_hashes(void **state)
{
    expect_int(ctx, 2, "HSET h f1 v1 f2 v2");
    expect_int(ctx, 1, "HSET h f2 w2 f3 v3");
    expect_error(ctx, "ERR wrong number of arguments for 'hset' command", "HSET h f1 v1 f2");
    expect_error(ctx, "ERR wrong number of arguments for 'hset' command", "HSET h f1");
    expect_error(ctx, "ERR wrong number of arguments for 'hmset' command", "HMSET h f1");
    expect_status(ctx, "OK", "HMSET h f4 v4");
    expect_bulk(ctx, "w2", "HGET h f2");
    expect_nil(ctx, "HGET h nofield");
    expect_nil(ctx, "HGET nokey f");
    redisReply *r = cu_run(ctx, "HMGET h f1 nofield f3");
    assert_int_equal(r->elements, 3);
    assert_string_equal(r->element[0]->str, "v1");
    assert_int_equal(r->element[1]->type, REDIS_REPLY_NIL);
    assert_string_equal(r->element[2]->str, "v3");
    freeReplyObject(r);
    expect_int(ctx, 4, "HLEN h");
    expect_int(ctx, 0, "HLEN nokey");
    expect_int(ctx, 2, "HSTRLEN h f1");
    expect_int(ctx, 0, "HSTRLEN h nofield");
    expect_int(ctx, 1, "HEXISTS h f1");
    expect_int(ctx, 0, "HEXISTS h nofield");
    expect_int(ctx, 0, "HSETNX h f1 x");
    expect_int(ctx, 1, "HSETNX h f5 v5");
    const char *all[] = {"f1", "v1", "f2", "w2", "f3", "v3", "f4", "v4", "f5", "v5", NULL};
    expect_array(all, "HGETALL h");
    const char *keys[] = {"f1", "f2", "f3", "f4", "f5", NULL};
    expect_array(keys, "HKEYS h");
    const char *vals[] = {"v1", "w2", "v3", "v4", "v5", NULL};
    expect_array(vals, "HVALS h");
    const char *none[] = {NULL};
    expect_array(none, "HGETALL nokey");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING h");
    expect_int(ctx, 2, "HDEL h f1 f2 nofield");
    expect_int(ctx, 3, "HLEN h");
    expect_int(ctx, 3, "HDEL h f3 f4 f5");
    expect_int(ctx, 0, "EXISTS h"); /* an emptied hash is deleted */
    expect_int(ctx, 5, "HINCRBY h n 5");
    expect_int(ctx, 2, "HINCRBY h n -3");
    expect_error(ctx, "ERR value is not an integer or out of range", "HINCRBY h n x");
    expect_int(ctx, 1, "HSET h s abc");
    expect_error(ctx, "ERR hash value is not an integer", "HINCRBY h s 1");
    expect_int(ctx, 1, "HSET h m 9223372036854775807");
    expect_error(ctx, "ERR increment or decrement would overflow", "HINCRBY h m 1");
    expect_bulk(ctx, "2.5", "HINCRBYFLOAT h n 0.5");
    expect_error(ctx, "ERR hash value is not a float", "HINCRBYFLOAT h s 1");
    expect_error(ctx, "ERR value is not a valid float", "HINCRBYFLOAT h n x");
    expect_error(ctx, "ERR value is NaN or Infinity", "HINCRBYFLOAT h n inf");
    expect_status(ctx, "OK", "SET str v");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "HSET str f v");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "HGET str f");
    /* 128 short fields stay packed, the 129th converts; so does a 65-byte value. */
    for (int i = 0; i < 128; i++) {
        r = cu_run(ctx, "HSET big f%d v", i);
        freeReplyObject(r);
    }
    expect_bulk(ctx, "listpack", "OBJECT ENCODING big");
    expect_int(ctx, 1, "HSET big f128 v");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING big");
    expect_int(ctx, 129, "HLEN big");
    expect_bulk(ctx, "v", "HGET big f77");
    expect_int(ctx, 1,
               "HSET long f "
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    expect_bulk(ctx, "hashtable", "OBJECT ENCODING long");
}

/* ---- Lists ---- */

static void
test_lists(void **state)
{
    expect_int(ctx, 3, "RPUSH l a b c");
    expect_int(ctx, 5, "LPUSH l y z");
    const char *all[] = {"z", "y", "a", "b", "c", NULL};
    expect_array(all, "LRANGE l 0 -1");
    const char *mid[] = {"y", "a", NULL};
    expect_array(mid, "LRANGE l 1 2");
    const char *tail[] = {"b", "c", NULL};
    expect_array(tail, "LRANGE l -2 100");
    const char *none[] = {NULL};
    expect_array(none, "LRANGE l 3 1");
    expect_array(none, "LRANGE nokey 0 -1");
    expect_error(ctx, "ERR value is not an integer or out of range", "LRANGE l a 1");
    expect_bulk(ctx, "z", "LINDEX l 0");
    expect_bulk(ctx, "c", "LINDEX l -1");
    expect_nil(ctx, "LINDEX l 5");
    expect_nil(ctx, "LINDEX nokey x"); /* the key is looked up before the index is parsed */
    expect_error(ctx, "ERR value is not an integer or out of range", "LINDEX l x");
    expect_int(ctx, 5, "LLEN l");
    expect_int(ctx, 0, "LLEN nokey");
    expect_bulk(ctx, "z", "LPOP l");
    expect_bulk(ctx, "c", "RPOP l");
    const char *two[] = {"y", "a", NULL};
    expect_array(two, "LPOP l 2");
    expect_array(none, "LPOP l 0");
    const char *last[] = {"b", NULL};
    expect_array(last, "RPOP l 10");
    expect_int(ctx, 0, "EXISTS l"); /* popped empty: deleted */
    expect_nil(ctx, "LPOP l");
    redisReply *r = cu_run(ctx, "LPOP l 2");
    assert_int_equal(r->type, REDIS_REPLY_NIL); /* null array */
    freeReplyObject(r);
    expect_error(ctx, "ERR value is out of range, must be positive", "LPOP l -1");
    expect_error(ctx, "ERR value is out of range, must be positive", "RPOP l abc");
    expect_error(ctx, "ERR wrong number of arguments for 'lpop' command", "LPOP l 1 2");
    expect_int(ctx, 0, "LPUSHX l a");
    expect_int(ctx, 0, "RPUSHX l a");
    expect_int(ctx, 1, "RPUSH l a");
    expect_int(ctx, 2, "RPUSHX l b");
    expect_int(ctx, 3, "LPUSHX l c");
    expect_bulk(ctx, "listpack", "OBJECT ENCODING l");
    expect_status(ctx, "OK", "SET s v");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "LPUSH s a");
    expect_error(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value",
                 "LRANGE s 0 1");
    /* Past 8 KiB the list becomes a quicklist; popping it small makes it a listpack again. */
    for (int i = 0; i < 200; i++) {
        r = cu_run(ctx, "RPUSH q %0100d", i);
        freeReplyObject(r);
    }
    expect_bulk(ctx, "quicklist", "OBJECT ENCODING q");
    r = cu_run(ctx, "LINDEX q 150");
    assert_int_equal(r->len, 100);
    assert_int_equal(atoi(r->str), 150);
    freeReplyObject(r);
    r = cu_run(ctx, "LPOP q 195");
    assert_int_equal(r->elements, 195);
    freeReplyObject(r);
    expect_bulk(ctx, "listpack", "OBJECT ENCODING q");
    expect_int(ctx, 5, "LLEN q");
}

/* ---- Generic ---- */

static void
test_generic(void **state)
{
    expect_status(ctx, "OK", "SET s v");
    expect_int(ctx, 1, "RPUSH l a");
    expect_int(ctx, 1, "HSET h f v");
    /* TYPE is a simple string (redis-cli --bigkeys insists). */
    expect_status(ctx, "string", "TYPE s");
    expect_status(ctx, "list", "TYPE l");
    expect_status(ctx, "hash", "TYPE h");
    expect_status(ctx, "none", "TYPE nokey");
    expect_int(ctx, 3, "EXISTS s l h nokey");
    expect_int(ctx, 2, "EXISTS s s");
    expect_int(ctx, 3, "DBSIZE");
    expect_int(ctx, 2, "TOUCH s l nokey");
    expect_int(ctx, 2, "DEL s l nokey");
    expect_int(ctx, 1, "UNLINK h");
    expect_int(ctx, 0, "DBSIZE");
    expect_nil(ctx, "RANDOMKEY");
    expect_status(ctx, "OK", "SET only v");
    expect_bulk(ctx, "only", "RANDOMKEY");
    expect_error(ctx, "ERR no such key", "RENAME nokey x");
    expect_status(ctx, "OK", "SET src v EX 100");
    expect_status(ctx, "OK", "RENAME src dst");
    expect_int(ctx, 0, "EXISTS src");
    expect_bulk(ctx, "v", "GET dst");
    expect_int(ctx, 100, "TTL dst");
    expect_status(ctx, "OK", "RENAME dst dst");
    expect_int(ctx, 0, "RENAMENX dst only");
    expect_int(ctx, 1, "RENAMENX dst dst2");
    expect_status(ctx, "OK", "RENAME dst2 only"); /* overwrites */
    expect_int(ctx, 1, "DBSIZE");
    expect_status(ctx, "OK", "MSET key1 a key2 b other c");
    redisReply *r = cu_run(ctx, "KEYS key*");
    assert_int_equal(r->elements, 2);
    freeReplyObject(r);
    r = cu_run(ctx, "KEYS *");
    assert_int_equal(r->elements, 4);
    freeReplyObject(r);
    expect_error(ctx, "ERR syntax error", "FLUSHDB now");
    expect_error(ctx, "ERR syntax error", "FLUSHALL async sync");
    expect_status(ctx, "OK", "FLUSHDB ASYNC");
    expect_int(ctx, 0, "DBSIZE");
    expect_status(ctx, "OK", "FLUSHALL SYNC");
}

static void
test_object(void **state)
{
    char big[100];
    memset(big, 'x', 99);
    big[99] = '\0';
    expect_status(ctx, "OK", "SET i 12345");
    expect_status(ctx, "OK", "SET e hello");
    expect_status(ctx, "OK", "SET r %s", big);
    expect_status(ctx, "OK", "SET z 012");
    expect_bulk(ctx, "int", "OBJECT ENCODING i");
    expect_bulk(ctx, "embstr", "OBJECT ENCODING e");
    expect_bulk(ctx, "raw", "OBJECT ENCODING r");
    expect_bulk(ctx, "embstr", "OBJECT ENCODING z");
    expect_nil(ctx, "OBJECT ENCODING nokey");
    expect_int(ctx, 1, "OBJECT REFCOUNT i");
    expect_int(ctx, 0, "OBJECT IDLETIME i");
    expect_error(ctx,
                 "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                 "Please note that when switching between policies at runtime LRU and LFU data "
                 "will take some time to adjust.",
                 "OBJECT FREQ i");
    expect_error(ctx, "ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT foo i");
    expect_error(ctx, "ERR wrong number of arguments for 'object|encoding' command",
                 "OBJECT ENCODING");
    expect_error(ctx, "ERR wrong number of arguments for 'object' command", "OBJECT");
    redisReply *r = cu_run(ctx, "OBJECT HELP");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 15);
    assert_string_equal(r->element[0]->str,
                        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_string_equal(r->element[1]->str, "ENCODING <key>");
    freeReplyObject(r);
}

/* ---- Expiry ---- */

static void
test_expire_commands(void **state)
{
    expect_int(ctx, 0, "EXPIRE nokey 10");
    expect_status(ctx, "OK", "SET k v");
    expect_int(ctx, -1, "TTL k");
    expect_int(ctx, -2, "TTL nokey");
    expect_int(ctx, -2, "PTTL nokey");
    expect_int(ctx, 1, "EXPIRE k 100");
    expect_int(ctx, 100, "TTL k");
    redisReply *r = cu_run(ctx, "PTTL k");
    assert_true(r->integer > 99000 && r->integer <= 100000);
    freeReplyObject(r);
    expect_int(ctx, 0, "EXPIRE k 50 NX");
    expect_int(ctx, 1, "EXPIRE k 50 XX");
    expect_int(ctx, 0, "EXPIRE k 40 GT");
    expect_int(ctx, 1, "EXPIRE k 60 GT");
    expect_int(ctx, 0, "EXPIRE k 70 LT");
    expect_int(ctx, 1, "EXPIRE k 30 LT");
    expect_int(ctx, 30, "TTL k");
    expect_int(ctx, 1, "PERSIST k");
    expect_int(ctx, 0, "PERSIST k");
    expect_int(ctx, -1, "TTL k");
    expect_int(ctx, 0, "EXPIRE k 10 XX");
    expect_int(ctx, 0, "EXPIRE k 10 GT"); /* no TTL counts as infinite */
    expect_int(ctx, 1, "EXPIRE k 10 LT");
    expect_int(ctx, 1, "PEXPIRE k 5000");
    expect_int(ctx, 5, "TTL k");
    expect_int(ctx, 1, "EXPIREAT k 4102444800"); /* 2100-01-01 */
    expect_int(ctx, 4102444800LL, "EXPIRETIME k");
    expect_int(ctx, 4102444800000LL, "PEXPIRETIME k");
    expect_int(ctx, 1, "PEXPIREAT k 4102444800123");
    expect_int(ctx, 4102444800123LL, "PEXPIRETIME k");
    expect_error(ctx, "ERR Unsupported option foo", "EXPIRE k abc foo"); /* options come first */
    expect_error(ctx, "ERR NX and XX, GT or LT options at the same time are not compatible",
                 "EXPIRE k 10 NX XX");
    expect_error(ctx, "ERR GT and LT options at the same time are not compatible",
                 "EXPIRE k 10 GT LT");
    expect_error(ctx, "ERR value is not an integer or out of range", "EXPIRE k abc");
    expect_error(ctx, "ERR invalid expire time in 'expire' command", "EXPIRE k 99999999999999999");
    expect_error(ctx, "ERR invalid expire time in 'pexpire' command",
                 "PEXPIRE k 9223372036854775807");
    /* A time in the past deletes the key. */
    expect_int(ctx, 1, "EXPIRE k -5");
    expect_int(ctx, 0, "EXISTS k");
}

static void
test_lazy_expiry(void **state)
{
    expect_status(ctx, "OK", "SET k v PX 50");
    expect_status(ctx, "OK", "SET keep v");
    expect_int(ctx, 1, "RPUSH l a");
    expect_int(ctx, 1, "PEXPIRE l 50");
    usleep(120 * 1000);
    expect_nil(ctx, "GET k");
    expect_nil(ctx, "LPOP l");
    expect_int(ctx, -2, "TTL k");
    expect_status(ctx, "OK", "SET past v PXAT 1"); /* accepted, and gone for every reader */
    expect_int(ctx, 0, "EXISTS past");
    expect_bulk(ctx, "v", "GET keep");
}

static void
test_active_expiry(void **state)
{
    redisReply *r;
    long long before = info_field(ctx, "stats", "expired_keys");
    for (int i = 0; i < 200; i++) {
        r = cu_run(ctx, "SET vol:%d v PX 50", i);
        freeReplyObject(r);
    }
    for (int i = 0; i < 20; i++) {
        r = cu_run(ctx, "SET stay:%d v EX 1000", i);
        freeReplyObject(r);
    }
    expect_int(ctx, 220, "DBSIZE");
    /* Without touching the keys, the expire cycle removes them within about a second. */
    long long deadline = harness_now_ms() + 1500, n = -1;
    while (harness_now_ms() < deadline) {
        r = cu_run(ctx, "DBSIZE");
        n = r->integer;
        freeReplyObject(r);
        if (n == 20)
            break;
        usleep(50 * 1000);
    }
    assert_int_equal(n, 20);
    if (before >= 0)
        assert_true(info_field(ctx, "stats", "expired_keys") >= before + 200);
    /* The keyspace line counts the keys with a TTL. */
    r = cu_run(ctx, "INFO keyspace");
    assert_non_null(strstr(r->str, "db0:keys=20,expires=20,avg_ttl="));
    freeReplyObject(r);
}

/* ---- SCAN ---- */

static void
test_scan_basics(void **state)
{
    expect_error(ctx, "ERR invalid cursor", "SCAN abc");
    expect_error(ctx, "ERR invalid cursor", "SCAN 18446744073709551616");
    expect_error(ctx, "ERR syntax error", "SCAN 0 COUNT 0");
    expect_error(ctx, "ERR value is not an integer or out of range", "SCAN 0 COUNT x");
    expect_error(ctx, "ERR syntax error", "SCAN 0 MATCH");
    expect_error(ctx, "ERR syntax error", "SCAN 0 FOO bar");
    expect_status(ctx, "OK", "MSET s1 a s2 b");
    expect_int(ctx, 1, "RPUSH l1 a");
    expect_int(ctx, 1, "HSET h1 f v");
    redisReply *r = cu_run(ctx, "SCAN 0 COUNT 100");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 2);
    assert_int_equal(r->element[0]->type, REDIS_REPLY_STRING); /* a bulk-string cursor */
    assert_string_equal(r->element[0]->str, "0");
    assert_int_equal(r->element[1]->elements, 4);
    freeReplyObject(r);
    r = cu_run(ctx, "SCAN 0 COUNT 100 MATCH s*");
    assert_int_equal(r->element[1]->elements, 2);
    freeReplyObject(r);
    r = cu_run(ctx, "SCAN 0 COUNT 100 TYPE hash");
    assert_int_equal(r->element[1]->elements, 1);
    assert_string_equal(r->element[1]->element[0]->str, "h1");
    freeReplyObject(r);
    r = cu_run(ctx, "SCAN 0 COUNT 100 TYPE nosuchtype");
    assert_int_equal(r->element[1]->elements, 0);
    freeReplyObject(r);
}

/* Every key present from the first to the last call is returned, while keys are added (the
 * table grows and rehashes in between). */
static void
test_scan_while_adding(void **state)
{
    enum { BASE = 1000 };
    char *seen = calloc(BASE, 1);
    redisReply *r;
    for (int i = 0; i < BASE; i++) {
        r = cu_run(ctx, "SET base:%d v", i);
        freeReplyObject(r);
    }
    unsigned long long cursor = 0;
    int added = 0, calls = 0;
    do {
        r = cu_run(ctx, "SCAN %llu COUNT 10", cursor);
        assert_int_equal(r->type, REDIS_REPLY_ARRAY);
        cursor = strtoull(r->element[0]->str, NULL, 10);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            int id;
            if (sscanf(r->element[1]->element[i]->str, "base:%d", &id) == 1)
                seen[id] = 1;
        }
        freeReplyObject(r);
        for (int k = 0; k < 30; k++) {
            r = cu_run(ctx, "SET added:%d v", added++);
            freeReplyObject(r);
        }
        calls++;
    } while (cursor != 0 && calls < 100000);
    for (int i = 0; i < BASE; i++)
        if (!seen[i])
            fail_msg("base:%d never returned by SCAN", i);
    free(seen);
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

static void
fill_hashes(int n, int fields)
{
    for (int i = 0; i < n; i++) {
        for (int f = 0; f < fields; f += 50) {
            redisAppendCommand(ctx,
                               "HSET big:%d f%d v f%d v f%d v f%d v f%d v f%d v f%d v f%d v "
                               "f%d v f%d v",
                               i, f, f + 1, f + 2, f + 3, f + 4, f + 5, f + 6, f + 7, f + 8, f + 9);
        }
        for (int f = 0; f < fields; f += 50) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    for (int i = 0; i < 2000; i++) {
        redisAppendCommand(ctx, "SET str:%d value-%d EX 1000", i, i);
        redisAppendCommand(ctx, "RPUSH list:%d a b c", i % 10);
    }
    for (int i = 0; i < 4000; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
}

static void
test_memory_baseline(void **state)
{
    long long base = used_memory();
    /* Twice, so that buffers that grow once and stay (client buffers) are in the baseline. */
    for (int round = 0; round < 2; round++) {
        fill_hashes(5, 1000);
        assert_true(used_memory() > base + 50000);
        expect_status(ctx, "OK", "FLUSHALL");
        long long after = used_memory();
        if (round == 0)
            base = after;
        else
            assert_int_equal(after, base);
    }
    fill_hashes(5, 1000);
    expect_status(ctx, "OK", "FLUSHALL ASYNC");
    wait_lazyfree();
    assert_int_equal(used_memory(), base);

    fill_hashes(5, 1000);
    long long freed = info_field(ctx, "memory", "lazyfreed_objects");
    expect_int(ctx, 5, "UNLINK big:0 big:1 big:2 big:3 big:4");
    wait_lazyfree();
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), freed + 5);
    expect_status(ctx, "OK", "FLUSHALL");
    assert_int_equal(used_memory(), base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_set_get_options, flush),
        cmocka_unit_test_setup(test_overwrite_in_place, flush),
        cmocka_unit_test_setup(test_mget_mset, flush),
        cmocka_unit_test_setup(test_counters, flush),
        cmocka_unit_test_setup(test_append_strlen_ranges, flush),
        cmocka_unit_test_setup(test_hashes, flush),
        cmocka_unit_test_setup(test_lists, flush),
        cmocka_unit_test_setup(test_generic, flush),
        cmocka_unit_test_setup(test_object, flush),
        cmocka_unit_test_setup(test_expire_commands, flush),
        cmocka_unit_test_setup(test_lazy_expiry, flush),
        cmocka_unit_test_setup(test_active_expiry, flush),
        cmocka_unit_test_setup(test_scan_basics, flush),
        cmocka_unit_test_setup(test_scan_while_adding, flush),
        cmocka_unit_test_setup(test_memory_baseline, flush),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
