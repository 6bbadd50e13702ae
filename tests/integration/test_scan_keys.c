/* test_scan_keys.c — the cursor iterations and the key commands against a live zmem-server:
 * SCAN (TYPE, MATCH), SSCAN, HSCAN and ZSCAN replies and Redis 7.0.15's exact error texts;
 * packed values answered whole with cursor 0; the SCAN guarantee (every element present for
 * the whole iteration is returned at least once) on hash tables that grow or shrink while the
 * iteration runs; COPY of every type and encoding, small and large (contents, encoding, expiry,
 * independence, DB, REPLACE, errors) with used_memory back to its baseline after deleting both;
 * MOVE between databases; RENAME edge cases; DUMP/RESTORE/MIGRATE refused. The same commands
 * compared with a live redis-server are in test_scan_keys_diff.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define NOTINT    "ERR value is not an integer or out of range"
#define SYNTAX    "ERR syntax error"
#define BADCURSOR "ERR invalid cursor"
#define SAMEOBJ   "ERR source and destination objects are the same"
#define DBRANGE   "ERR DB index is out of range"
#define INTRANGE  "ERR value is out of range, value must between -2147483648 and 2147483647"

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

/* Send a command now, read its reply later (bulk loading). */
static void
append_cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    assert_int_equal(redisvAppendCommand(ctx, fmt, ap), REDIS_OK);
    va_end(ap);
}

static void
drain(int n)
{
    for (int i = 0; i < n; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        if (r->type == REDIS_REPLY_ERROR)
            fail_msg("bulk load: %s", r->str);
        freeReplyObject(r);
    }
}

/* ---- One scan call ---- */

/* The reply of a *SCAN call: its cursor, and its elements (NULL-terminated, owned by r). */
struct scan_reply {
    redisReply *r;
    unsigned long long cursor;
    size_t n;
};

static struct scan_reply
scan_call(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY)
        fail_msg("'%s': not a scan reply (type %d '%s')", fmt, r->type, r->str ? r->str : "");
    struct scan_reply s = {r, strtoull(r->element[0]->str, NULL, 10), r->element[1]->elements};
    return s;
}

static const char *
scan_elem(const struct scan_reply *s, size_t i)
{
    return s->r->element[1]->element[i]->str;
}

/* A packed value answers every element (n of them, pairs counted twice) with cursor 0, from
 * whatever cursor it is asked for. */
static void
expect_whole(size_t n, const char *fmt, const char *key, const char *cursor)
{
    struct scan_reply s = scan_call(fmt, key, cursor);
    assert_int_equal(s.cursor, 0);
    assert_int_equal(s.n, n);
    freeReplyObject(s.r);
}

/* ---- Errors and small values ---- */

static void
test_scan_errors(void **state)
{
    cmd("SADD s a b c");
    cmd("HSET h f v");
    cmd("ZADD z 1 a");
    cmd("SET str x");
    const char *verbs[] = {"SSCAN", "HSCAN", "ZSCAN"};
    const char *keys[] = {"s", "h", "z"};
    for (int i = 0; i < 3; i++) {
        const char *v = verbs[i], *k = keys[i];
        expect_err(BADCURSOR, "%s %s abc", v, k);
        expect_err(BADCURSOR, "%s %s 18446744073709551616", v, k);
        expect_err(BADCURSOR, "%s %s 1x", v, k);
        expect_err(BADCURSOR, "%s %s %s", v, k, "");
        expect_err(SYNTAX, "%s %s 0 COUNT 0", v, k);
        expect_err(SYNTAX, "%s %s 0 COUNT -1", v, k);
        expect_err(NOTINT, "%s %s 0 COUNT x", v, k);
        expect_err(SYNTAX, "%s %s 0 MATCH", v, k);
        expect_err(SYNTAX, "%s %s 0 COUNT", v, k);
        expect_err(SYNTAX, "%s %s 0 foo bar", v, k);
        expect_err(SYNTAX, "%s %s 0 TYPE string", v, k); /* TYPE is SCAN's alone */
        /* A missing key is an empty scan before the options are read; a wrong type is
         * refused before them; the cursor is read before either. */
        struct scan_reply s = scan_call("%s nokey 0 COUNT 0", v);
        assert_int_equal(s.cursor, 0);
        assert_int_equal(s.n, 0);
        freeReplyObject(s.r);
        expect_err(BADCURSOR, "%s nokey abc", v);
        expect_err(WRONGTYPE, "%s str 0", v);
        expect_err(WRONGTYPE, "%s str 0 COUNT 0", v);
        expect_err(BADCURSOR, "%s str abc", v);
    }
    expect_err("ERR wrong number of arguments for 'sscan' command", "SSCAN s");
    expect_err("ERR wrong number of arguments for 'hscan' command", "HSCAN h");
    expect_err("ERR wrong number of arguments for 'zscan' command", "ZSCAN");
    expect_err("ERR wrong number of arguments for 'scan' command", "SCAN");
    expect_err(BADCURSOR, "SCAN x");
    expect_err(SYNTAX, "SCAN 0 COUNT 0");
    expect_err(SYNTAX, "SCAN 0 MATCH");
    expect_err(NOTINT, "SCAN 0 COUNT 1.5");
    /* strtoul: a leading '-' wraps, so "-1" is a valid (huge) cursor. */
    struct scan_reply s = scan_call("SSCAN s -1");
    assert_int_equal(s.cursor, 0);
    freeReplyObject(s.r);
}

static void
test_scan_small(void **state)
{
    /* intset, listpack set, listpack hash, listpack zset: whole, cursor 0, any cursor. */
    cmd("SADD si 1 2 3 -5 100000");
    cmd("SADD ss a b c ab");
    cmd("HSET h a 1 b 2 c 3 abc 4");
    cmd("ZADD z 0.1 a 1 b 1.5 c inf d -inf e 1e20 f 3.0000000000000004 g -2.5 h");
    expect_whole(5, "SSCAN %s %s", "si", "0");
    expect_whole(5, "SSCAN %s %s COUNT 1", "si", "12345");
    expect_whole(4, "SSCAN %s %s COUNT 1", "ss", "0");
    expect_whole(8, "HSCAN %s %s COUNT 1", "h", "0");
    expect_whole(16, "ZSCAN %s %s COUNT 1", "z", "99");

    struct scan_reply s = scan_call("SSCAN si 0 MATCH 1*");
    assert_int_equal(s.n, 2);
    assert_string_equal(scan_elem(&s, 0), "1");
    assert_string_equal(scan_elem(&s, 1), "100000");
    freeReplyObject(s.r);

    s = scan_call("SSCAN ss 0 MATCH a*");
    assert_int_equal(s.n, 2);
    assert_string_equal(scan_elem(&s, 0), "a");
    assert_string_equal(scan_elem(&s, 1), "ab");
    freeReplyObject(s.r);

    /* A packed hash in insertion order, field then value. */
    s = scan_call("HSCAN h 0 MATCH a*");
    assert_int_equal(s.n, 4);
    assert_string_equal(scan_elem(&s, 0), "a");
    assert_string_equal(scan_elem(&s, 1), "1");
    assert_string_equal(scan_elem(&s, 2), "abc");
    assert_string_equal(scan_elem(&s, 3), "4");
    freeReplyObject(s.r);

    /* A packed zset in score order, scores as Redis 7.0 prints them. */
    const char *want[] = {"e", "-inf",  "h", "-2.5", "a", "0.10000000000000001",
                          "b", "1",     "c", "1.5",  "g", "3.0000000000000004",
                          "f", "1e+20", "d", "inf"};
    s = scan_call("ZSCAN z 0");
    assert_int_equal(s.n, 16);
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(scan_elem(&s, i), want[i]);
    freeReplyObject(s.r);
    s = scan_call("ZSCAN z 0 MATCH [a-c]");
    assert_int_equal(s.n, 6);
    freeReplyObject(s.r);
    s = scan_call("ZSCAN z 0 MATCH * COUNT 1000");
    assert_int_equal(s.n, 16);
    freeReplyObject(s.r);

    /* SCAN TYPE, case-insensitive; an unknown type matches nothing (7.0 does not refuse it). */
    cmd("RPUSH l a");
    s = scan_call("SCAN 0 TYPE SET COUNT 100");
    assert_int_equal(s.cursor, 0);
    assert_int_equal(s.n, 2);
    freeReplyObject(s.r);
    s = scan_call("SCAN 0 TYPE list COUNT 100");
    assert_int_equal(s.n, 1);
    assert_string_equal(scan_elem(&s, 0), "l");
    freeReplyObject(s.r);
    s = scan_call("SCAN 0 TYPE zset MATCH x* COUNT 100");
    assert_int_equal(s.n, 0);
    freeReplyObject(s.r);
    s = scan_call("SCAN 0 TYPE nosuchtype COUNT 100");
    assert_int_equal(s.n, 0);
    freeReplyObject(s.r);
}

/* ---- Full iterations over tables that change underneath ---- */

enum kind { K_KEYS, K_SET, K_HASH, K_ZSET };

static const char *const kind_verb[] = {"SCAN", "SSCAN", "HSCAN", "ZSCAN"};

/* Add element "<prefix>:<i>" to the container (or key, for K_KEYS) named c. */
static void
append_add(enum kind k, const char *c, const char *prefix, int i)
{
    if (k == K_KEYS)
        append_cmd("SET %s:%d v", prefix, i);
    else if (k == K_SET)
        append_cmd("SADD %s %s:%d", c, prefix, i);
    else if (k == K_HASH)
        append_cmd("HSET %s %s:%d v%d", c, prefix, i, i);
    else
        append_cmd("ZADD %s %d %s:%d", c, i, prefix, i);
}

static void
append_del(enum kind k, const char *c, const char *prefix, int i)
{
    if (k == K_KEYS)
        append_cmd("DEL %s:%d", prefix, i);
    else if (k == K_SET)
        append_cmd("SREM %s %s:%d", c, prefix, i);
    else if (k == K_HASH)
        append_cmd("HDEL %s %s:%d", c, prefix, i);
    else
        append_cmd("ZREM %s %s:%d", c, prefix, i);
}

/* Start with n elements "m:i", iterate with COUNT 10, and between calls add `grow` new
 * elements (up to 4n: the table doubles twice while the cursor is mid-way) or remove the elements
 * "m:i" with i % drop_mod == 0 a few at a time (drop_mod 0: none removed). Every element never
 * removed must be returned at least once, and the iteration must take more than one call (the table
 * is not answered whole). */
static void
full_iteration(enum kind k, int n, int grow, int drop_mod)
{
    const char *c = "coll";
    cmd("FLUSHALL");
    for (int i = 0; i < n; i++)
        append_add(k, c, "m", i);
    drain(n);
    char *seen = calloc((size_t)n, 1);
    unsigned long long cursor = 0;
    int calls = 0, added = 0, dropped_to = 0;
    size_t per = (k == K_HASH || k == K_ZSET) ? 2 : 1;
    do {
        struct scan_reply s = k == K_KEYS
                                  ? scan_call("SCAN %llu COUNT 10", cursor)
                                  : scan_call("%s %s %llu COUNT 10", kind_verb[k], c, cursor);
        for (size_t i = 0; i < s.n; i += per) {
            int id;
            if (sscanf(scan_elem(&s, i), "m:%d", &id) == 1 && id >= 0 && id < n)
                seen[id] = 1;
        }
        cursor = s.cursor;
        freeReplyObject(s.r);
        calls++;
        /* Change the table between calls: growth rehashes it bigger while the cursor is
         * mid-way, removals let it shrink. */
        if (added < 4 * n) {
            for (int j = 0; j < grow; j++)
                append_add(k, c, "new", added++);
            drain(grow);
        }
        if (drop_mod) {
            int batch = 0;
            for (; dropped_to < n && batch < 50; dropped_to++) {
                if (dropped_to % drop_mod == 0) {
                    append_del(k, c, "m", dropped_to);
                    batch++;
                }
            }
            drain(batch);
        }
    } while (cursor != 0 && calls < 100000);
    assert_true(calls > 1);
    assert_int_equal(cursor, 0);
    for (int i = 0; i < n; i++)
        if (!(drop_mod && i % drop_mod == 0) && !seen[i])
            fail_msg("%s: element m:%d never returned (n %d grow %d drop_mod %d)", kind_verb[k], i,
                     n, grow, drop_mod);
    free(seen);
}

static void
test_full_iteration(void **state)
{
    for (enum kind k = K_KEYS; k <= K_ZSET; k++) {
        full_iteration(k, 2000, 0, 0);   /* a quiet table */
        full_iteration(k, 1000, 100, 0); /* growing: rehashes while iterating */
        full_iteration(k, 4000, 0, 1);   /* emptied, shrinking: nothing is promised */
        full_iteration(k, 4000, 0, 50);  /* most removed, the rest must come back */
        full_iteration(k, 3000, 60, 3);  /* both */
    }
    /* Every COUNT is a valid step size. */
    cmd("FLUSHALL");
    for (int i = 0; i < 500; i++)
        append_add(K_SET, "coll", "m", i);
    drain(500);
    size_t total = 0;
    unsigned long long cursor = 0;
    do {
        struct scan_reply s = scan_call("SSCAN coll %llu COUNT 1 MATCH m:1*", cursor);
        total += s.n;
        cursor = s.cursor;
        freeReplyObject(s.r);
    } while (cursor);
    assert_int_equal(total, 111); /* m:1, m:10..19, m:100..199 */
}

/* ---- COPY ---- */

/* The whole content of a key as one canonical text: its type, then its elements (sets and
 * hashes sorted, so two copies compare equal whatever their table order). */
static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
dump_key(const char *key)
{
    redisReply *t = cu_run(ctx, "TYPE %s", key);
    redisReply *r;
    size_t per = 1;
    int sort = 0;
    if (strcmp(t->str, "string") == 0) {
        r = cu_run(ctx, "GET %s", key);
    } else if (strcmp(t->str, "list") == 0) {
        r = cu_run(ctx, "LRANGE %s 0 -1", key);
    } else if (strcmp(t->str, "set") == 0) {
        r = cu_run(ctx, "SMEMBERS %s", key);
        sort = 1;
    } else if (strcmp(t->str, "hash") == 0) {
        r = cu_run(ctx, "HGETALL %s", key);
        per = 2;
        sort = 1;
    } else {
        r = cu_run(ctx, "ZRANGE %s 0 -1 WITHSCORES", key);
    }
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    len = (size_t)snprintf(out, cap, "%s:", t->str);
    size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements / per : 1;
    char **items = calloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        if (r->type != REDIS_REPLY_ARRAY) {
            items[i] = strdup(r->str);
        } else if (per == 2) {
            size_t l = strlen(r->element[2 * i]->str) + strlen(r->element[2 * i + 1]->str) + 2;
            items[i] = malloc(l);
            snprintf(items[i], l, "%s=%s", r->element[2 * i]->str, r->element[2 * i + 1]->str);
        } else {
            items[i] = strdup(r->element[i]->str);
        }
    }
    if (sort)
        qsort(items, n, sizeof(*items), str_cmp);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(items[i]);
        while (len + l + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, items[i], l);
        len += l;
        out[len++] = ',';
        out[len] = '\0';
        free(items[i]);
    }
    free(items);
    freeReplyObject(r);
    freeReplyObject(t);
    return out;
}

static char *
encoding_of(const char *key)
{
    redisReply *r = cu_run(ctx, "OBJECT ENCODING %s", key);
    char *e = strdup(r->str ? r->str : "(nil)");
    freeReplyObject(r);
    return e;
}

/* Fill key with n elements of a type ("string": a value of n bytes). */
static void
fill_key(const char *type, const char *key, int n)
{
    if (strcmp(type, "string") == 0) {
        char *v = malloc((size_t)n + 1);
        memset(v, 'v', (size_t)n);
        v[n] = '\0';
        cmd("SET %s %s", key, v);
        free(v);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(type, "list") == 0)
            append_cmd("RPUSH %s elem:%d", key, i);
        else if (strcmp(type, "intset") == 0)
            append_cmd("SADD %s %d", key, i * 1000);
        else if (strcmp(type, "set") == 0)
            append_cmd("SADD %s member:%d", key, i);
        else if (strcmp(type, "hash") == 0)
            append_cmd("HSET %s field:%d value:%d", key, i, i);
        else
            append_cmd("ZADD %s %d.5 member:%d", key, i % 13, i);
    }
    drain(n);
}

/* COPY src to dst and check: the same contents and encoding, the source's expiry, and a copy
 * independent of its source both ways. */
static void
check_copy(const char *type, int n, const char *enc)
{
    cmd("FLUSHALL");
    fill_key(type, "src", n);
    expect_int(1, "PEXPIRE src 500000");
    char *enc_src = encoding_of("src");
    assert_string_equal(enc_src, enc);
    expect_int(1, "COPY src dst");
    char *a = dump_key("src"), *b = dump_key("dst"), *enc_dst = encoding_of("dst");
    assert_string_equal(a, b);
    assert_string_equal(enc_dst, enc);
    long long ttl = cu_int(ctx, "PTTL dst");
    assert_true(ttl > 400000 && ttl <= 500000);
    expect_int(cu_int(ctx, "PEXPIRETIME src"), "PEXPIRETIME dst");
    /* Change the copy, then delete the source: each side keeps its own contents. */
    if (strcmp(type, "string") == 0)
        expect_int(n + 1, "APPEND dst x");
    else if (strcmp(type, "list") == 0)
        expect_int(n + 1, "RPUSH dst extra");
    else if (strcmp(type, "intset") == 0 || strcmp(type, "set") == 0)
        expect_int(1, "SADD dst extra");
    else if (strcmp(type, "hash") == 0)
        expect_int(1, "HSET dst extra 1");
    else
        expect_int(1, "ZADD dst 1 extra");
    char *a2 = dump_key("src");
    assert_string_equal(a, a2);
    expect_int(1, "DEL src");
    char *b2 = dump_key("dst");
    assert_true(strlen(b2) > strlen(b));
    free(a);
    free(b);
    free(a2);
    free(b2);
    free(enc_src);
    free(enc_dst);
}

static void
test_copy_types(void **state)
{
    check_copy("string", 5, "embstr");
    check_copy("string", 100, "raw");
    cmd("FLUSHALL");
    cmd("SET i 12345");
    expect_int(1, "COPY i i2");
    expect_str("12345", "GET i2");
    expect_str("int", "OBJECT ENCODING i2");
    check_copy("list", 5, "listpack");
    check_copy("list", 3000, "quicklist");
    check_copy("intset", 10, "intset");
    check_copy("set", 10, "listpack");
    check_copy("set", 1000, "hashtable");
    check_copy("hash", 10, "listpack");
    check_copy("hash", 1000, "hashtable");
    check_copy("zset", 10, "listpack");
    check_copy("zset", 1000, "skiplist");
}

static void
test_copy_options(void **state)
{
    cmd("SET a hello");
    cmd("SET b other");
    expect_int(0, "COPY a b");
    expect_str("other", "GET b");
    expect_int(1, "COPY a b REPLACE");
    expect_str("hello", "GET b");
    expect_int(1, "COPY a b REPLACE REPLACE");
    expect_err(SAMEOBJ, "COPY a a");
    expect_err(SAMEOBJ, "COPY nokey nokey");
    expect_err(SAMEOBJ, "COPY a a DB 0");
    expect_int(0, "COPY nokey x");
    expect_int(0, "EXISTS x");
    /* Another database: the same name is fine there. */
    expect_int(1, "COPY a a DB 1");
    expect_int(0, "COPY a a DB 1");
    expect_int(1, "COPY a x db 1");
    expect_ok("SELECT 1");
    expect_str("hello", "GET a");
    expect_str("hello", "GET x");
    expect_ok("SELECT 0");
    expect_int(0, "EXISTS x");
    expect_err(DBRANGE, "COPY a x DB 16");
    expect_err(DBRANGE, "COPY a x DB -1");
    expect_err(NOTINT, "COPY a x DB x");
    expect_err(INTRANGE, "COPY a x DB 4294967296");
    expect_err(SYNTAX, "COPY a x DB");
    expect_err(SYNTAX, "COPY a x foo");
    expect_err("ERR wrong number of arguments for 'copy' command", "COPY a");
    /* REPLACE over another type; a source without expiry clears none on the new key. */
    cmd("SET e v EX 100");
    cmd("RPUSH l 1 2");
    expect_int(1, "COPY l e REPLACE");
    expect_status(ctx, "list", "TYPE e");
    expect_int(-1, "TTL e");
    /* An expired source is missing. */
    cmd("SET gone v PX 1");
    usleep(20000);
    expect_int(0, "COPY gone g2");
    expect_int(0, "EXISTS g2");
}

/* ---- MOVE, RENAME, DUMP / RESTORE ---- */

static void
test_move(void **state)
{
    cmd("SET a 1");
    expect_int(1, "MOVE a 1");
    expect_int(0, "EXISTS a");
    expect_int(0, "MOVE a 1");
    expect_ok("SELECT 1");
    expect_str("1", "GET a");
    expect_err(SAMEOBJ, "MOVE a 1");
    expect_err(DBRANGE, "MOVE a 16");
    expect_err(DBRANGE, "MOVE a -1");
    expect_err(NOTINT, "MOVE a x");
    expect_err(INTRANGE, "MOVE a 4294967296");
    expect_int(0, "MOVE nokey 0");
    /* Expiry and the value's encoding go along. */
    for (int i = 0; i < 1000; i++)
        append_cmd("SADD big m%d", i);
    drain(1000);
    expect_int(1, "EXPIRE big 100");
    expect_int(1, "MOVE big 0");
    expect_ok("SELECT 0");
    expect_int(1000, "SCARD big");
    expect_str("hashtable", "OBJECT ENCODING big");
    long long ttl = cu_int(ctx, "TTL big");
    assert_true(ttl > 90 && ttl <= 100);
    /* Not over an existing key. */
    cmd("SET c here");
    expect_ok("SELECT 1");
    cmd("SET c there");
    expect_int(0, "MOVE c 0");
    expect_str("there", "GET c");
    expect_ok("SELECT 0");
    expect_str("here", "GET c");
    expect_err("ERR wrong number of arguments for 'move' command", "MOVE c");
    expect_ok("SELECT 0");
}

static void
test_rename_and_more(void **state)
{
    cmd("SET a 1");
    expect_ok("RENAME a a");
    expect_int(0, "RENAMENX a a");
    expect_err("ERR no such key", "RENAME nokey x");
    expect_err("ERR no such key", "RENAMENX nokey x");
    cmd("SET b 2 EX 100");
    expect_ok("RENAME b c");
    expect_int(0, "EXISTS b");
    long long ttl = cu_int(ctx, "TTL c");
    assert_true(ttl > 90 && ttl <= 100);
    expect_int(0, "RENAMENX a c");
    expect_int(1, "RENAMENX a d");
    expect_str("1", "GET d");
    cmd("RPUSH l x");
    expect_ok("RENAME l d");
    expect_status(ctx, "list", "TYPE d");
    expect_int(-1, "TTL d");
    expect_int(2, "TOUCH d c nokey");
    expect_int(3, "EXISTS d d c");
    expect_int(1, "OBJECT REFCOUNT d");
    expect_null("OBJECT REFCOUNT nokey");
    expect_null("OBJECT FREQ nokey");
    expect_err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
               "Please note that when switching between policies at runtime LRU and LFU data "
               "will take some time to adjust.",
               "OBJECT FREQ d");
    expect_int(0, "OBJECT IDLETIME d");
    expect_err("ERR DUMP is not supported: zmem keeps data in memory only and has no "
               "serialization format",
               "DUMP d");
    expect_err("ERR RESTORE is not supported: zmem keeps data in memory only and has no "
               "serialization format",
               "RESTORE d 0 payload");
    expect_err("ERR MIGRATE is not supported: zmem keeps data in memory only and has no "
               "serialization format",
               "MIGRATE 127.0.0.1 1 d 0 10");
    cmd("FLUSHALL");
    expect_null("RANDOMKEY");
    cmd("SET only 1");
    expect_str("only", "RANDOMKEY");
}

/* ---- Memory ---- */

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

/* used_memory once it is back to want, waiting up to 2 s for the cron's resizing of client
 * buffers to settle (want -1: after 2 s). */
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

/* COPY then DEL of both frees exactly what the copy took, for every type and encoding, in the
 * same database and another. The first round sets the baseline: tables and buffers that grow
 * once and stay (the keyspace dicts, expires arrays, the client's buffers) are in it. */
static void
test_copy_memory(void **state)
{
    static const struct {
        const char *type;
        int n;
    } vals[] = {
        {"string", 5}, {"string", 300}, {"list", 5},    {"list", 3000}, {"intset", 10}, {"set", 10},
        {"set", 1000}, {"hash", 10},    {"hash", 1000}, {"zset", 10},   {"zset", 1000},
    };
    /* Enough other keys that two more or fewer never resize a keyspace table. */
    for (int i = 0; i < 20; i++) {
        cmd("SET filler:%d x", i);
        cmd("MOVE filler:%d 1", i);
        cmd("SET filler:%d x", i);
    }
    long long base = 0;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            fill_key(vals[i].type, "src", vals[i].n);
            expect_int(1, "EXPIRE src 1000");
            expect_int(1, "COPY src dst");
            expect_int(1, "COPY src dst DB 1");
            expect_int(2, "DEL src dst");
            expect_ok("SELECT 1");
            expect_int(1, "DEL dst");
            expect_ok("SELECT 0");
            if (round > 0 && used_memory_settled(base) != base)
                fail_msg("%s of %d: used_memory %lld, baseline %lld", vals[i].type, vals[i].n,
                         used_memory(), base);
        }
        if (round == 0)
            base = used_memory_settled(-1);
    }
}

static int
setup(void **state)
{
    /* No slow log: its argv copies would move used_memory under slow builds. */
    const char *args[] = {"--slowlog-log-slower-than", "-1", NULL};
    if (zserver_start(&srv, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
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
    cmd("SELECT 0");
    cmd("FLUSHALL");
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_scan_errors, flush),
        cmocka_unit_test_setup(test_scan_small, flush),
        cmocka_unit_test_setup(test_full_iteration, flush),
        cmocka_unit_test_setup(test_copy_types, flush),
        cmocka_unit_test_setup(test_copy_options, flush),
        cmocka_unit_test_setup(test_move, flush),
        cmocka_unit_test_setup(test_rename_and_more, flush),
        cmocka_unit_test_setup(test_copy_memory, flush),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
