/* test_pause.c — CLIENT PAUSE and CLIENT UNPAUSE against a live zmem-server: WRITE lets reads
 * through and holds writes and PUBLISH (a may-replicate command) until UNPAUSE, in arrival
 * order, with the held clients counted in blocked_clients and shown as flags=b with their
 * command; a write queued by MULTI, or an EXEC holding one, waits too; ALL holds every
 * command until the timeout; keys do not expire and nothing is evicted while paused; and the
 * errors of CLIENT PAUSE compared with a live redis-server 7.0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"
#include "tools.h"

/* Wait (up to 5 s) until INFO blocked_clients is n. */
static void
wait_blocked(redisContext *c, long long n)
{
    for (int i = 0; i < 250; i++) {
        if (info_field(c, "clients", "blocked_clients") == n)
            return;
        usleep(20000);
    }
    assert_int_equal(info_field(c, "clients", "blocked_clients"), n);
}

/* The next reply on c, whatever it is (the caller frees it). */
static redisReply *
next_reply(redisContext *c)
{
    redisReply *r = NULL;
    if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL)
        fail_msg("no reply (%s)", c->errstr);
    return r;
}

static void
test_write_pause(void **state)
{
    (void)state;
    fixture_start(NULL);
    redisContext *writer = zserver_connect(&srv), *pub = zserver_connect(&srv);
    redisContext *reader = zserver_connect(&srv);
    redisContext *ev = zserver_connect(&srv);
    long long wid = cu_int(writer, "CLIENT ID");

    expect_status(ctx, "OK", "CLIENT PAUSE 100000 WRITE");
    /* Reads, and commands that neither write nor propagate, go through. */
    expect_nil(reader, "GET a");
    expect_status(reader, "PONG", "PING");
    expect_status(reader, "OK", "SELECT 0");
    /* A write and everything its client sent after it wait; so does PUBLISH. */
    redisAppendCommand(writer, "SET a 1");
    redisAppendCommand(writer, "GET a");
    redisAppendCommand(pub, "PUBLISH ch msg");
    redisAppendCommand(ev, "EVAL %s 0", "return 1"); /* may replicate, as PUBLISH */
    redisBufferWrite(writer, &(int){0});
    redisBufferWrite(pub, &(int){0});
    redisBufferWrite(ev, &(int){0});
    wait_blocked(ctx, 3);
    redisReply *r = cu_run(ctx, "CLIENT LIST");
    assert_non_null(strstr(r->str, "flags=b db=0"));
    assert_non_null(strstr(r->str, "cmd=set"));
    assert_non_null(strstr(r->str, "cmd=publish"));
    freeReplyObject(r);
    expect_nil(reader, "GET a"); /* not written yet */
    /* CLIENT UNBLOCK does not release a paused client (redis-server 7.0.15 crashes on it). */
    expect_int(ctx, 0, "CLIENT UNBLOCK %lld", wid);
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    r = next_reply(writer);
    assert_string_equal(r->str, "OK");
    freeReplyObject(r);
    r = next_reply(writer);
    assert_string_equal(r->str, "1");
    freeReplyObject(r);
    r = next_reply(pub);
    assert_int_equal(r->integer, 0);
    freeReplyObject(r);
    r = next_reply(ev); /* zmem has no scripting: EVAL ran, and was refused, only now */
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    assert_int_equal(info_field(ctx, "clients", "blocked_clients"), 0);
    expect_bulk(reader, "1", "GET a");

    /* In a transaction: a write is held when queued; an EXEC holding writes queued before the
     * pause is held too. */
    expect_status(writer, "OK", "MULTI");
    expect_status(writer, "QUEUED", "INCR n");
    expect_status(ctx, "OK", "CLIENT PAUSE 100000 WRITE");
    redisAppendCommand(writer, "EXEC");
    redisBufferWrite(writer, &(int){0});
    wait_blocked(ctx, 1);
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    r = next_reply(writer);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->element[0]->integer, 1);
    freeReplyObject(r);
    expect_status(writer, "OK", "MULTI");
    expect_status(ctx, "OK", "CLIENT PAUSE 100000 WRITE");
    redisAppendCommand(writer, "INCR n");
    redisBufferWrite(writer, &(int){0});
    wait_blocked(ctx, 1);
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    r = next_reply(writer);
    assert_string_equal(r->str, "QUEUED");
    freeReplyObject(r);
    expect_status(writer, "OK", "DISCARD");

    /* A held client that disconnects is simply forgotten. */
    expect_status(ctx, "OK", "CLIENT PAUSE 100000 WRITE");
    int fd = raw_connect(srv.port);
    raw_sends(fd, "SET gone 1\r\n");
    wait_blocked(ctx, 1);
    close(fd);
    wait_blocked(ctx, 0);
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    expect_int(ctx, 0, "EXISTS gone");
    redisFree(writer);
    redisFree(pub);
    redisFree(reader);
    redisFree(ev);
    fixture_stop();
}

static void
test_all_pause_timeout(void **state)
{
    (void)state;
    fixture_start(NULL);
    int fd = raw_connect(srv.port);
    /* ALL: even PING waits, here until the 2 s timeout ends the pause by itself. */
    expect_status(ctx, "OK", "CLIENT PAUSE 2000");
    raw_sends(fd, "PING\r\n");
    size_t len;
    int closed;
    char *got = raw_read(fd, 7, 300, &len, &closed);
    assert_int_equal(len, 0);
    free(got);
    got = raw_read(fd, 7, 10000, &len, &closed);
    assert_string_equal(got, "+PONG\r\n");
    free(got);
    close(fd);
    /* A zero timeout pauses nothing; later pauses extend, never shorten, and WRITE never
     * weakens ALL (checked through UNPAUSE ending both). */
    expect_status(ctx, "OK", "CLIENT PAUSE 0");
    expect_status(ctx, "PONG", "PING");
    fixture_stop();
}

static void
test_dataset_frozen(void **state)
{
    (void)state;
    fixture_start(NULL);
    long long expired0 = info_field(ctx, "stats", "expired_keys");
    /* The key's TTL ends inside the pause: it reads as missing but is not deleted. */
    redisAppendCommand(ctx, "SET k v PX 200");
    redisAppendCommand(ctx, "CLIENT PAUSE 100000 WRITE");
    for (int i = 0; i < 2; i++)
        freeReplyObject(next_reply(ctx));
    usleep(600000);
    expect_int(ctx, 1, "DBSIZE");
    expect_nil(ctx, "GET k");
    expect_int(ctx, 0, "EXISTS k");
    expect_int(ctx, 1, "DBSIZE");
    assert_int_equal(info_field(ctx, "stats", "expired_keys"), expired0);
    /* Nor is anything evicted, however far over maxmemory. */
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    for (int i = 0; i < 250 && cu_int(ctx, "DBSIZE") != 0; i++)
        usleep(20000);
    expect_int(ctx, 0, "DBSIZE");
    fill_strings(ctx, "f", 2000, 100);
    expect_status(ctx, "OK", "CLIENT PAUSE 100000 WRITE");
    expect_status(ctx, "OK", "CONFIG SET maxmemory-policy allkeys-random");
    long long used = info_field(ctx, "memory", "used_memory");
    expect_status(ctx, "OK", "CONFIG SET maxmemory %lld", used - 100000);
    usleep(400000);
    expect_int(ctx, 2000, "DBSIZE");
    assert_int_equal(info_field(ctx, "stats", "evicted_keys"), 0);
    expect_status(ctx, "OK", "CLIENT UNPAUSE");
    for (int i = 0; i < 250 && info_field(ctx, "stats", "evicted_keys") == 0; i++)
        usleep(20000);
    assert_true(info_field(ctx, "stats", "evicted_keys") > 0);
    fixture_stop();
}

static void
test_errors_diff(void **state)
{
    (void)state;
    require_tool("redis-server", "CLIENT PAUSE's errors compared with Redis 7.0");
    fixture_start(NULL);
    struct rd rd;
    assert_int_equal(rd_start(&rd, ctx), 0);
    static const char *const cmds[] = {
        "CLIENT PAUSE",
        "CLIENT PAUSE abc",
        "CLIENT PAUSE -1",
        "CLIENT PAUSE 1.5",
        "CLIENT PAUSE 10 foo",
        "CLIENT PAUSE abc foo",
        "CLIENT PAUSE 10 write x",
        "CLIENT UNPAUSE x",
        "CLIENT PAUSE 0",
        "CLIENT PAUSE 0 WRITE",
        "CLIENT PAUSE 0 all",
        "CLIENT UNPAUSE",
        "CLIENT PAUSE 99999999999999999999",
        NULL,
    };
    for (int i = 0; cmds[i]; i++)
        rd_cmd(&rd, cmds[i]);
    long cases = rd.cases, agreed = rd.agreed;
    rd_stop(&rd);
    printf("CLIENT PAUSE errors: %ld/%ld agree with redis-server\n", agreed, cases);
    assert_int_equal(agreed, cases);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_write_pause, fixture_teardown),
        cmocka_unit_test_teardown(test_all_pause_timeout, fixture_teardown),
        cmocka_unit_test_teardown(test_dataset_frozen, fixture_teardown),
        cmocka_unit_test_teardown(test_errors_diff, fixture_teardown),
    };
    (void)rd_cmdf;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
