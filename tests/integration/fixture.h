/* fixture.h — the integration tests' server fixtures. srv and ctx are the server and a
 * connection to it. Two ways to use them:
 *   - one server per test: the test calls fixture_start(args) and fixture_stop(), and
 *     fixture_teardown() (cmocka teardown) stops a server a failed test left running;
 *   - one server for the whole group: fixture_group_setup / fixture_group_teardown as cmocka's
 *     group setup and teardown, and fixture_flush as each test's setup (FLUSHALL).
 * Static functions a given test does not use are marked unused. */
#ifndef ZMEM_TESTS_FIXTURE_H
#define ZMEM_TESTS_FIXTURE_H

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

/* Start a server with args (NULL-terminated, may be NULL) and connect; fails the test if
 * either goes wrong. */
static void __attribute__((unused)) fixture_start(const char *const *args)
{
    ctx = zserver_start_connect(&srv, args);
}

/* Disconnect and stop; the server must exit 0. */
static void __attribute__((unused)) fixture_stop(void)
{
    redisFree(ctx);
    ctx = NULL;
    assert_int_equal(zserver_stop(&srv), 0);
}

/* cmocka teardown: after a failure, what fixture_stop() did not get to. */
static int __attribute__((unused)) fixture_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    ctx = NULL;
    if (srv.pid > 0)
        zserver_stop(&srv);
    return 0;
}

/* cmocka group setup: one server for every test, without a slow log (its argv copies would
 * move used_memory under slow builds, where the exact memory checks run too). */
static int __attribute__((unused)) fixture_group_setup(void **state)
{
    const char *args[] = {"--slowlog-log-slower-than", "-1", NULL};
    if (zserver_start(&srv, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
}

/* cmocka group teardown: disconnect, stop; fails unless the server exited 0. */
static int __attribute__((unused)) fixture_group_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    ctx = NULL;
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

/* cmocka per-test setup: every database emptied. */
static int __attribute__((unused)) fixture_flush(void **state)
{
    redisReply *r = cu_run(ctx, "FLUSHALL");
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

#endif
