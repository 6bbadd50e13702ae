/* test_evict.c — maxmemory against a live zmem-server started with --maxmemory 2mb: every
 * policy keeps used_memory under the limit and counts evicted_keys; volatile-* evict only keys
 * with a TTL and answer -OOM once none is left; volatile-ttl goes for the shortest TTLs;
 * allkeys-lru and allkeys-lfu keep the keys that were used; noeviction refuses writes with
 * Redis's exact text while reads and deletes go on. */
#include "integration/fixture.h"

#define MAXMEM   (2 * 1024 * 1024)
#define OOM_TEXT "OOM command not allowed when used memory > 'maxmemory'."

static char value[1000];

static void
start(const char *policy)
{
    /* No memory history: these cases size their data to a 2 MB budget, a quarter of which the
     * default ring (512 KiB, counted towards maxmemory) would otherwise take. */
    const char *args[] = {
        "--maxmemory", "2mb", "--maxmemory-policy", policy, "--memory-history-len", "0", NULL};
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    fixture_start(args);
}

/* SET prefix:i for i in [from, to), with an optional TTL; pipelined by 100. Returns the number
 * of error replies, and checks any error is the OOM text. */
static int
fill(const char *prefix, int from, int to, long long ttl)
{
    int errors = 0;
    for (int base = from; base < to; base += 100) {
        int end = base + 100 < to ? base + 100 : to;
        for (int i = base; i < end; i++) {
            if (ttl > 0)
                redisAppendCommand(ctx, "SET %s:%d %s EX %lld", prefix, i, value, ttl + i);
            else
                redisAppendCommand(ctx, "SET %s:%d %s", prefix, i, value);
        }
        for (int i = base; i < end; i++) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            if (r->type == REDIS_REPLY_ERROR) {
                assert_string_equal(r->str, OOM_TEXT);
                errors++;
            }
            freeReplyObject(r);
        }
    }
    return errors;
}

static int
exists(const char *prefix, int i)
{
    redisReply *r = redisCommand(ctx, "EXISTS %s:%d", prefix, i);
    int n = (int)r->integer;
    freeReplyObject(r);
    return n;
}

static int
count_existing(const char *prefix, int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += exists(prefix, i);
    return n;
}

static void
assert_under_limit(void)
{
    long long used = info_field(ctx, "everything", "used_memory");
    if (used > MAXMEM)
        fail_msg("used_memory %lld is over maxmemory %d", used, MAXMEM);
}

/* ---- Policies ---- */

static void
test_noeviction(void **state)
{
    start("noeviction");
    int errors = fill("k", 0, 4000, 0);
    assert_true(errors > 0); /* 4000 x 1 KB cannot fit in 2 MB */
    assert_int_equal(info_field(ctx, "everything", "evicted_keys"), 0);
    /* Reads and deletes still work, and free room for writes again. */
    redisReply *r = redisCommand(ctx, "GET k:0");
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    freeReplyObject(r);
    r = redisCommand(ctx, "SET extra %s", value);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    assert_string_equal(r->str, OOM_TEXT);
    freeReplyObject(r);
    r = redisCommand(ctx, "INCR counter");
    assert_string_equal(r->str, OOM_TEXT);
    freeReplyObject(r);
    for (int i = 0; i < 500; i++) {
        r = redisCommand(ctx, "DEL k:%d", i);
        freeReplyObject(r);
    }
    r = redisCommand(ctx, "SET extra %s", value);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    fixture_stop();
}

static void
allkeys_common(const char *policy)
{
    start(policy);
    assert_int_equal(fill("k", 0, 5000, 0), 0); /* never an error: it evicts */
    assert_under_limit();
    /* Both figures from one INFO reply: memory still creeps between two commands (the memory
     * history ring grows as samples arrive), and any command may then evict once more. */
    char *info = info_text(ctx, "everything");
    long long evicted = info_ll(info, "evicted_keys");
    const char *db0 = strstr(info, "\r\ndb0:keys=");
    assert_non_null(db0);
    long long keys = atoll(db0 + strlen("\r\ndb0:keys="));
    free(info);
    assert_true(evicted > 2000);
    assert_that(keys + evicted == 5000, "keys %lld + evicted %lld", keys, evicted);
    assert_true(keys > 1000);
    fixture_stop();
}

static void
test_allkeys_random(void **state)
{
    allkeys_common("allkeys-random");
}

static void
test_allkeys_lru_keeps_recent(void **state)
{
    allkeys_common("allkeys-lru");
    start("allkeys-lru");
    assert_int_equal(fill("old", 0, 1000, 0), 0);
    usleep(1200 * 1000); /* the LRU clock counts seconds */
    for (int i = 0; i < 100; i++) {
        redisReply *r = redisCommand(ctx, "GET old:%d", i);
        freeReplyObject(r);
    }
    assert_int_equal(fill("new", 0, 1200, 0), 0);
    assert_under_limit();
    long long evicted = info_field(ctx, "everything", "evicted_keys");
    assert_true(evicted > 100);
    int touched = count_existing("old", 0, 100), untouched = count_existing("old", 100, 1000);
    printf("allkeys-lru: %d/100 touched and %d/900 untouched old keys kept, %lld evicted\n",
           touched, untouched, evicted);
    /* Sampling is approximate, but the idle keys are nearly all the victims. */
    assert_true(touched >= 95);
    assert_true((900 - untouched) * 10 >= evicted * 9);
    fixture_stop();
}

static void
test_allkeys_lfu_keeps_frequent(void **state)
{
    allkeys_common("allkeys-lfu");
    start("allkeys-lfu");
    assert_int_equal(fill("old", 0, 1000, 0), 0);
    for (int round = 0; round < 30; round++) {
        for (int i = 0; i < 100; i++)
            redisAppendCommand(ctx, "GET old:%d", i);
        for (int i = 0; i < 100; i++) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
    }
    redisReply *r = redisCommand(ctx, "OBJECT FREQ old:1");
    assert_true(r->integer > 5);
    freeReplyObject(r);
    assert_int_equal(fill("new", 0, 1200, 0), 0);
    assert_under_limit();
    long long evicted = info_field(ctx, "everything", "evicted_keys");
    assert_true(evicted > 100);
    int hot = count_existing("old", 0, 100), cold = count_existing("old", 100, 1000);
    printf("allkeys-lfu: %d/100 frequent and %d/900 other old keys kept, %lld evicted\n", hot, cold,
           evicted);
    /* Cold old keys and new keys share the initial counter; the frequent ones stay. */
    assert_true(hot >= 95);
    assert_true(cold < 900);
    fixture_stop();
}

/* volatile-*: only keys with a TTL go; with none left, writes get -OOM. */
static void
volatile_common(const char *policy)
{
    start(policy);
    assert_int_equal(fill("keep", 0, 800, 0), 0);   /* ~0.9 MB that must survive */
    assert_int_equal(fill("vol", 0, 800, 1000), 0); /* evictable */
    assert_int_equal(fill("vol", 800, 1600, 1000), 0);
    assert_under_limit();
    assert_true(info_field(ctx, "everything", "evicted_keys") > 0);
    assert_int_equal(count_existing("keep", 0, 800), 800);
    /* Keys without TTL only: eventually nothing is evictable. */
    int errors = fill("more", 0, 2000, 0);
    assert_true(errors > 0);
    assert_int_equal(count_existing("keep", 0, 800), 800);
    fixture_stop();
}

static void
test_volatile_lru(void **state)
{
    volatile_common("volatile-lru");
}

static void
test_volatile_lfu(void **state)
{
    volatile_common("volatile-lfu");
}

static void
test_volatile_random(void **state)
{
    volatile_common("volatile-random");
}

static void
test_volatile_ttl(void **state)
{
    volatile_common("volatile-ttl");
    /* The TTL of ttl:i is 1000+i seconds: the short ones should be the ones to go. */
    start("volatile-ttl");
    assert_int_equal(fill("ttl", 0, 2500, 1000), 0);
    assert_under_limit();
    int first = count_existing("ttl", 0, 500), last = count_existing("ttl", 1500, 2000);
    printf("volatile-ttl: %d/500 shortest-TTL and %d/500 longer-TTL keys kept\n", first, last);
    assert_true(first < last);
    assert_true(first * 2 < last); /* sampled: most, not all, of the shortest go first */
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_noeviction, fixture_teardown),
        cmocka_unit_test_teardown(test_allkeys_random, fixture_teardown),
        cmocka_unit_test_teardown(test_allkeys_lru_keeps_recent, fixture_teardown),
        cmocka_unit_test_teardown(test_allkeys_lfu_keeps_frequent, fixture_teardown),
        cmocka_unit_test_teardown(test_volatile_lru, fixture_teardown),
        cmocka_unit_test_teardown(test_volatile_lfu, fixture_teardown),
        cmocka_unit_test_teardown(test_volatile_random, fixture_teardown),
        cmocka_unit_test_teardown(test_volatile_ttl, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
