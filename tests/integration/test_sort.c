/* test_sort.c — SORT and SORT_RO against a live zmem-server: numeric, ALPHA and weighted
 * orders on lists, sets and sorted sets of every encoding, BY nosort keeping a list's or sorted
 * set's own order (LIMIT and DESC applied to it), GET with "#" and "->field" (nil, or "" when
 * stored), STORE replacing any type and its expiry and deleting the destination for an empty
 * result, the exact error texts, SORT_RO being read-only, and used_memory back to its
 * baseline after SORT ... STORE and DEL. Replies are also compared with redis-server in
 * test_scan_keys_diff.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_ok(...)        expect_status(ctx, "OK", __VA_ARGS__)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* The reply as one line: elements joined by spaces, nil as "(nil)". */
static void
expect_line(const char *want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_ARRAY)
        fail_msg("'%s': not an array (type %d '%s')", fmt, r->type, r->str ? r->str : "");
    char got[4096] = "";
    size_t len = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "",
                                e->type == REDIS_REPLY_NIL ? "(nil)" : e->str);
    }
    if (strcmp(got, want) != 0)
        fail_msg("'%s': wanted '%s', got '%s'", fmt, want, got);
    freeReplyObject(r);
}

static void
test_orders(void **state)
{
    cmd("RPUSH l 3 1 2 10");
    expect_line("1 2 3 10", "SORT l");
    expect_line("10 3 2 1", "SORT l DESC");
    expect_line("1 10 2 3", "SORT l ALPHA");
    expect_line("2 3", "SORT l LIMIT 1 2");
    expect_line("", "SORT l LIMIT 10 2");
    expect_line("3 1 2 10", "SORT l BY nosort");
    expect_line("2 1", "SORT l BY nosort DESC LIMIT 1 2");
    /* Missing weights are 0, and equal weights fall back to the elements' bytes. */
    expect_line("1 10 2 3", "SORT l BY w_*");
    cmd("MSET w_3 1 w_1 3 w_2 2 w_10 0 o_3 three o_1 one");
    expect_line("10 3 2 1", "SORT l BY w_*");
    expect_line("(nil) 10 three 3 (nil) 2 one 1", "SORT l BY w_* GET o_* GET #");
    cmd("HSET h_1 f 5");
    cmd("HSET h_2 f 1");
    expect_line("10 3 2 1", "SORT l BY h_*->f");
    expect_line("(nil) 5 1 (nil)", "SORT l BY nosort GET h_*->f");
    expect_line("(nil) (nil) (nil) (nil)", "SORT l GET nostar");
    /* Sets of each encoding, sorted sets of each. */
    cmd("SADD si 5 3 9 1");
    expect_line("9 5 3 1", "SORT si DESC");
    cmd("SADD ss b a c");
    expect_line("a b c", "SORT ss ALPHA");
    for (int i = 0; i < 300; i++)
        cmd("SADD sb %d", 1000 - i);
    expect_line("701 702 703", "SORT sb LIMIT 0 3");
    cmd("ZADD z 3 a 1 b 2 c");
    expect_line("b c a", "SORT z BY nosort");
    expect_line("a c", "SORT z BY nosort DESC LIMIT 0 2");
    expect_line("a b c", "SORT z ALPHA");
    for (int i = 0; i < 200; i++)
        cmd("ZADD zb %d m%03d", i % 10, i);
    expect_line("m000 m010 m020", "SORT zb BY nosort LIMIT 0 3");
    expect_line("m199 m189 m179", "SORT zb BY nosort DESC LIMIT 0 3");
    expect_line("m000 m001 m002", "SORT zb ALPHA LIMIT 0 3");
}

static void
test_errors(void **state)
{
    cmd("RPUSH l 1 b");
    cmd("SET str x");
    expect_err("ERR One or more scores can't be converted into double", "SORT l");
    expect_err("ERR One or more scores can't be converted into double", "SORT l STORE d");
    expect_int(0, "EXISTS d");
    expect_err("WRONGTYPE Operation against a key holding the wrong kind of value", "SORT str");
    expect_err("ERR syntax error", "SORT l LIMIT 1");
    expect_err("ERR syntax error", "SORT l foo");
    expect_err("ERR syntax error", "SORT l GET");
    expect_err("ERR syntax error", "SORT_RO l STORE d");
    expect_err("ERR value is not an integer or out of range", "SORT l LIMIT x 1");
    expect_err("ERR wrong number of arguments for 'sort' command", "SORT");
    expect_err("ERR wrong number of arguments for 'sort_ro' command", "SORT_RO");
    expect_line("", "SORT nokey");
    redisReply *r = cu_run(ctx, "COMMAND INFO sort_ro");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    int readonly = 0;
    const redisReply *flags = r->element[0]->element[2];
    for (size_t i = 0; i < flags->elements; i++)
        readonly |= strcmp(flags->element[i]->str, "readonly") == 0;
    assert_true(readonly);
    freeReplyObject(r);
}

static void
test_store(void **state)
{
    cmd("RPUSH l 3 1 2");
    cmd("SET o_1 one");
    cmd("SET d x EX 100");
    expect_int(3, "SORT l STORE d");
    expect_int(-1, "TTL d");
    expect_line("1 2 3", "LRANGE d 0 -1");
    /* A missing GET is stored as an empty string. */
    expect_int(3, "SORT l GET o_* STORE d");
    expect_line("one  ", "LRANGE d 0 -1");
    /* Onto its own source. */
    expect_int(3, "SORT l DESC STORE l");
    expect_line("3 2 1", "LRANGE l 0 -1");
    /* A set stored unsorted is sorted as strings, so the result does not depend on it. */
    cmd("SADD s c a b");
    expect_int(3, "SORT s BY nosort STORE d");
    expect_line("a b c", "LRANGE d 0 -1");
    /* An empty result deletes the destination. */
    expect_int(0, "SORT nokey STORE d");
    expect_int(0, "EXISTS d");
    expect_int(0, "SORT l LIMIT 5 1 STORE l");
    expect_int(0, "EXISTS l");
}

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

static void
test_store_memory(void **state)
{
    /* Enough other keys that two more or fewer never resize the keyspace table. */
    for (int i = 0; i < 20; i++)
        cmd("SET filler:%d x", i);
    for (int i = 0; i < 2000; i++)
        cmd("RPUSH src %d", (i * 7919) % 2000);
    long long base = 0;
    for (int round = 0; round < 3; round++) {
        expect_int(2000, "SORT src STORE dst");
        expect_int(2000, "SORT src BY nosort GET # STORE dst2");
        expect_int(2, "DEL dst dst2");
        if (round == 0)
            base = used_memory_settled(-1);
        else
            assert_int_equal(used_memory_settled(base), base);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_orders, fixture_flush),
        cmocka_unit_test_setup(test_errors, fixture_flush),
        cmocka_unit_test_setup(test_store, fixture_flush),
        cmocka_unit_test_setup(test_store_memory, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
