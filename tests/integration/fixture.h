/* fixture.h — one server per test, shared by test_evict.c and test_lazyfree.c: a test calls
 * fixture_start(args) and fixture_stop(); the teardown fixture_teardown() stops a server a
 * failed test left running. srv and ctx are the server and a connection to it. */
#ifndef ZMEM_TESTS_FIXTURE_H
#define ZMEM_TESTS_FIXTURE_H

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

/* Start a server with args (NULL-terminated, may be NULL) and connect; fails the test if
 * either goes wrong. */
static void
fixture_start(const char *const *args)
{
    ctx = zserver_start_connect(&srv, args);
}

/* Disconnect and stop; the server must exit 0. */
static void
fixture_stop(void)
{
    redisFree(ctx);
    ctx = NULL;
    assert_int_equal(zserver_stop(&srv), 0);
}

/* cmocka teardown: after a failure, what fixture_stop() did not get to. */
static int
fixture_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    ctx = NULL;
    if (srv.pid > 0)
        zserver_stop(&srv);
    return 0;
}

#endif
