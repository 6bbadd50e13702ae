/* test_swapdb_wait.c — SWAPDB, WAIT and the expire-cycle latency event against a live
 * zmem-server: SWAPDB moves keys and their TTLs, breaks the WATCH of a key that changes and
 * serves a client blocked on a key the swap brings; WAIT on a server without replicas answers 0
 * at once for 0 replicas or in a transaction, otherwise blocks until its timeout (or CLIENT
 * UNBLOCK); an active expire cycle over the latency-monitor-threshold is recorded as
 * "expire-cycle"; and the replies of SWAPDB (errors, WATCH sequences) and WAIT compared with a
 * live redis-server 7.0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"
#include "tools.h"

static redisReply *
next_reply(redisContext *c)
{
    redisReply *r = NULL;
    if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL)
        fail_msg("no reply (%s)", c->errstr);
    return r;
}

static void
wait_blocked(redisContext *c, long long n)
{
    for (int i = 0; i < 250 && info_field(c, "clients", "blocked_clients") != n; i++)
        usleep(20000);
    assert_int_equal(info_field(c, "clients", "blocked_clients"), n);
}

static void
test_swapdb(void **state)
{
    (void)state;
    fixture_start(NULL);
    redisContext *other = zserver_connect(&srv);

    expect_status(ctx, "OK", "SET k zero");
    expect_status(ctx, "OK", "SET only0 x");
    expect_int(ctx, 1, "EXPIRE only0 1000");
    expect_status(ctx, "OK", "SELECT 1");
    expect_status(ctx, "OK", "SET k one");
    expect_status(ctx, "OK", "SELECT 0");
    expect_status(other, "OK", "SELECT 1");
    expect_status(ctx, "OK", "SWAPDB 0 1");
    expect_bulk(ctx, "one", "GET k");
    expect_int(ctx, 1, "DBSIZE");
    expect_bulk(other, "zero", "GET k"); /* a client in database 1 sees its new contents */
    assert_true(cu_int(other, "TTL only0") > 900);
    assert_int_equal(info_field(ctx, "keyspace", "db0") >= 0, 1);

    /* WATCH: a key present on either side breaks it; an absent one does not. */
    expect_status(other, "OK", "WATCH k");
    expect_status(ctx, "OK", "SWAPDB 0 1");
    expect_status(other, "OK", "MULTI");
    expect_status(other, "QUEUED", "PING");
    cu_expect(other, REDIS_REPLY_NIL, NULL, "EXEC");
    expect_status(other, "OK", "WATCH nowhere");
    expect_status(ctx, "OK", "SWAPDB 0 1");
    expect_status(other, "OK", "MULTI");
    expect_status(other, "QUEUED", "PING");
    redisReply *r = cu_run(other, "EXEC");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    freeReplyObject(r);

    /* A client blocked on a list in database 2 is served by the list SWAPDB brings there. */
    expect_status(other, "OK", "SELECT 2");
    redisAppendCommand(other, "BLPOP l 0");
    redisBufferWrite(other, &(int){0});
    wait_blocked(ctx, 1);
    expect_status(ctx, "OK", "SELECT 3");
    expect_int(ctx, 1, "RPUSH l v");
    expect_status(ctx, "OK", "SWAPDB 2 3");
    r = next_reply(other);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_string_equal(r->element[0]->str, "l");
    assert_string_equal(r->element[1]->str, "v");
    freeReplyObject(r);
    expect_int(ctx, 0, "EXISTS l");
    redisFree(other);
    fixture_stop();
}

static void
test_wait(void **state)
{
    (void)state;
    fixture_start(NULL);
    redisContext *w = zserver_connect(&srv);
    long long wid = cu_int(w, "CLIENT ID");

    expect_int(w, 0, "WAIT 0 0");
    expect_int(w, 0, "WAIT 1 50"); /* waits the 50 ms, then no replica acknowledged */
    /* In a transaction it never waits. */
    expect_status(w, "OK", "MULTI");
    expect_status(w, "QUEUED", "WAIT 5 0");
    redisReply *r = cu_run(w, "EXEC");
    assert_int_equal(r->element[0]->integer, 0);
    freeReplyObject(r);
    /* WAIT 1 0 waits for ever: CLIENT UNBLOCK ends it with the timeout's answer, or with the
     * UNBLOCKED error. */
    redisAppendCommand(w, "WAIT 1 0");
    redisBufferWrite(w, &(int){0});
    wait_blocked(ctx, 1);
    expect_int(ctx, 1, "CLIENT UNBLOCK %lld", wid);
    r = next_reply(w);
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    assert_int_equal(r->integer, 0);
    freeReplyObject(r);
    redisAppendCommand(w, "WAIT 1 0");
    redisBufferWrite(w, &(int){0});
    wait_blocked(ctx, 1);
    expect_int(ctx, 1, "CLIENT UNBLOCK %lld ERROR", wid);
    r = next_reply(w);
    assert_string_equal(r->str, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    freeReplyObject(r);
    redisFree(w);
    fixture_stop();
}

static void
test_expire_cycle_latency(void **state)
{
    (void)state;
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    fixture_start(args);
    /* 100k keys that expire at once while the cycle is off; turned on, it runs against its time
     * budget (25 ms a tick at hz 10), far over a 1 ms threshold. */
    expect_status(ctx, "OK", "DEBUG SET-ACTIVE-EXPIRE 0");
    for (int i = 0; i < 100000; i++)
        redisAppendCommand(ctx, "SET e%d v PX 1", i);
    for (int i = 0; i < 100000; i++)
        freeReplyObject(next_reply(ctx));
    usleep(20000);
    expect_status(ctx, "OK", "CONFIG SET latency-monitor-threshold 1");
    expect_status(ctx, "OK", "DEBUG SET-ACTIVE-EXPIRE 1");
    int seen = 0;
    for (int i = 0; i < 250 && !seen; i++) {
        redisReply *r = cu_run(ctx, "LATENCY LATEST");
        for (size_t j = 0; j < r->elements; j++)
            seen |= strcmp(r->element[j]->element[0]->str, "expire-cycle") == 0;
        freeReplyObject(r);
        if (!seen)
            usleep(20000);
    }
    assert_true(seen);
    redisReply *r = cu_run(ctx, "LATENCY HISTORY expire-cycle");
    assert_true(r->elements >= 1);
    assert_true(r->element[0]->element[1]->integer >= 1);
    freeReplyObject(r);
    fixture_stop();
}

static void
test_diff(void **state)
{
    (void)state;
    require_tool("redis-server", "SWAPDB and WAIT replies compared with Redis 7.0");
    fixture_start(NULL);
    struct rd rd;
    assert_int_equal(rd_start(&rd, ctx), 0);
    static const char *const cmds[] = {
        "SWAPDB",
        "SWAPDB a 1",
        "SWAPDB 1 a",
        "SWAPDB 0 16",
        "SWAPDB -1 0",
        "SWAPDB 0 0",
        "SWAPDB 1.5 0",
        "SWAPDB 0 99999999999",
        "SWAPDB 0 1 2",
        /* WATCH broken by a swap that changes the key, not by one that does not. */
        "SET w 1",
        "WATCH w",
        "SWAPDB 0 1",
        "MULTI",
        "PING",
        "EXEC",
        "WATCH w",
        "SWAPDB 2 3",
        "MULTI",
        "PING",
        "EXEC",
        "SELECT 1",
        "GET w",
        "SWAPDB 1 0",
        "SELECT 0",
        "GET w",
        "SET v 1 PX 100000",
        "SWAPDB 0 4",
        "TTL v",
        "SELECT 4",
        "TTL v",
        "DBSIZE",
        "SELECT 0",
        "WAIT",
        "WAIT 0 0",
        "WAIT a 0",
        "WAIT 0 a",
        "WAIT 0 -1",
        "WAIT -1 0",
        "WAIT 0 1.5",
        "WAIT 1 10",
        "MULTI",
        "WAIT 3 0",
        "EXEC",
        "WAITAOF 0 0 0",
        NULL,
    };
    for (int i = 0; cmds[i]; i++)
        rd_cmd(&rd, cmds[i]);
    long cases = rd.cases, agreed = rd.agreed;
    rd_stop(&rd);
    printf("SWAPDB/WAIT: %ld/%ld replies agree with redis-server\n", agreed, cases);
    assert_int_equal(agreed, cases);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_swapdb, fixture_teardown),
        cmocka_unit_test_teardown(test_wait, fixture_teardown),
        cmocka_unit_test_teardown(test_expire_cycle_latency, fixture_teardown),
        cmocka_unit_test_teardown(test_diff, fixture_teardown),
    };
    (void)rd_cmdf;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
