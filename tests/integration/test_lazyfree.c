/* test_lazyfree.c — the background free thread through a live zmem-server: UNLINK and
 * FLUSH* ASYNC (and DEL with lazyfree-lazy-user-del yes) hand values with more than 64
 * allocations to it, lazyfreed_objects counts them, small values are freed at once, and
 * used_memory comes back to its baseline to the byte. */
#include "integration/fixture.h"

static void
start(const char *const *extra)
{
    /* No slow log: its entries (argv copies) would move used_memory under slow builds. */
    const char *args[8] = {"--slowlog-log-slower-than", "-1"};
    for (int i = 0; extra && extra[i] && i < 5; i++)
        args[2 + i] = extra[i];
    fixture_start(args);
}

static void
wait_drained(void)
{
    for (int i = 0; i < 500; i++) {
        if (info_field(ctx, "memory", "lazyfree_pending_objects") == 0)
            return;
        usleep(10000);
    }
    fail_msg("lazyfree_pending_objects never reached 0");
}

static void
ok(redisReply *r)
{
    assert_non_null(r);
    assert_true(r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
}

/* A hash of n fields (a hashtable past 128: one allocation per field). */
static void
big_hash(const char *key, int n)
{
    for (int i = 0; i < n; i++)
        redisAppendCommand(ctx, "HSET %s field:%d value:%d", key, i, i);
    for (int i = 0; i < n; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        ok(r);
    }
}

static void
test_unlink_and_flush_async(void **state)
{
    start(NULL);
    /* Pipeline once before the baseline: the connection's buffers grow to their working size
     * and stay (they are the client's, not the keyspace's). */
    big_hash("warm", 1000);
    ok(redisCommand(ctx, "DEL warm"));
    long long base = info_field(ctx, "memory", "used_memory");
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 0);

    big_hash("h1", 1000);
    big_hash("h2", 1000);
    ok(redisCommand(ctx, "SET small v"));
    assert_true(info_field(ctx, "memory", "used_memory") > base + 40000);
    redisReply *r = redisCommand(ctx, "UNLINK h1 small nokey");
    assert_int_equal(r->integer, 2);
    freeReplyObject(r);
    wait_drained();
    /* Only the big hash went to the thread; the string was cheaper to free at once. */
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 1);
    r = redisCommand(ctx, "DEL h2"); /* lazyfree-lazy-user-del no: freed synchronously */
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 1);
    assert_int_equal(info_field(ctx, "memory", "used_memory"), base);

    /* FLUSHALL ASYNC counts every key it hands over. */
    big_hash("h3", 300);
    for (int i = 0; i < 50; i++)
        ok(redisCommand(ctx, "SET s:%d v", i));
    ok(redisCommand(ctx, "SELECT 1"));
    ok(redisCommand(ctx, "SET other v"));
    ok(redisCommand(ctx, "SELECT 0"));
    ok(redisCommand(ctx, "FLUSHALL ASYNC"));
    wait_drained();
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 1 + 51 + 1);
    assert_int_equal(info_field(ctx, "memory", "used_memory"), base);

    /* FLUSHDB ASYNC empties only the selected database. */
    ok(redisCommand(ctx, "SET a v"));
    ok(redisCommand(ctx, "SELECT 1"));
    big_hash("h4", 200);
    ok(redisCommand(ctx, "FLUSHDB ASYNC"));
    wait_drained();
    r = redisCommand(ctx, "DBSIZE");
    assert_int_equal(r->integer, 0);
    freeReplyObject(r);
    ok(redisCommand(ctx, "SELECT 0"));
    r = redisCommand(ctx, "DBSIZE");
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    ok(redisCommand(ctx, "FLUSHALL"));
    assert_int_equal(info_field(ctx, "memory", "used_memory"), base);

    ok(redisCommand(ctx, "CONFIG RESETSTAT"));
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 0);
    fixture_stop();
}

static void
test_lazy_user_del(void **state)
{
    const char *args[] = {"--lazyfree-lazy-user-del", "yes", NULL};
    start(args);
    big_hash("warm", 500);
    ok(redisCommand(ctx, "DEL warm"));
    wait_drained();
    ok(redisCommand(ctx, "CONFIG RESETSTAT"));
    long long base = info_field(ctx, "memory", "used_memory");
    big_hash("h", 500);
    redisReply *r = redisCommand(ctx, "DEL h");
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    wait_drained();
    assert_int_equal(info_field(ctx, "memory", "lazyfreed_objects"), 1);
    assert_int_equal(info_field(ctx, "memory", "used_memory"), base);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_unlink_and_flush_async, fixture_teardown),
        cmocka_unit_test_teardown(test_lazy_user_del, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
