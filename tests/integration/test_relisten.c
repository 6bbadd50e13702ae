/* test_relisten.c — CONFIG SET port and bind on a live zmem-server: the server listens again
 * where asked, keeps every connected client, and when the new address cannot be had answers
 * Redis's error and keeps listening where it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

static int
group_setup(void **state)
{
    ctx = zserver_start_connect(&srv, NULL);
    return ctx ? 0 : -1;
}

static int
group_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

/* A loopback port nobody listens on, held by a listening socket of ours when hold is set. */
static int
spare_port(int *held)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        int port = harness_random_port();
        struct sockaddr_in sa = {0};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 1) == 0) {
            if (held)
                *held = fd;
            else
                close(fd);
            return port;
        }
        close(fd);
    }
    fail_msg("no spare loopback port");
    return -1;
}

static int
can_connect(int port)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

static void
test_port_taken_keeps_listening(void **state)
{
    int held;
    int taken = spare_port(&held);
    expect_error(
        ctx,
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
        "this port. Check server logs.",
        "CONFIG SET port %d", taken);
    close(held);
    assert_int_equal(info_field(ctx, "server", "tcp_port"), srv.port);
    assert_true(can_connect(srv.port));
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
                 "specified addresses.",
                 "CONFIG SET bind %s", "10.255.255.1");
    redisReply *r = cu_run(ctx, "CONFIG GET bind");
    assert_string_equal(r->element[1]->str, "127.0.0.1");
    freeReplyObject(r);
    assert_true(can_connect(srv.port));
}

static void
test_port_moves_clients_stay(void **state)
{
    int old = srv.port, port = spare_port(NULL);
    redisContext *other = zserver_connect(&srv);
    assert_non_null(other);
    expect_status(ctx, "OK", "CONFIG SET port %d", port);
    srv.port = port; /* zserver_connect and the teardown's stop use the new one */
    assert_false(can_connect(old));
    assert_true(can_connect(port));
    /* Both connections made on the old port are still served. */
    expect_status(ctx, "PONG", "PING");
    expect_status(other, "PONG", "PING");
    redisFree(other);
    redisReply *r = cu_run(ctx, "CONFIG GET port");
    assert_int_equal(atoi(r->element[1]->str), port);
    freeReplyObject(r);
    assert_int_equal(info_field(ctx, "server", "tcp_port"), port);
    /* bind too, on the new port. */
    expect_status(ctx, "OK", "CONFIG SET bind %s", "127.0.0.1 -::1");
    assert_true(can_connect(port));
    redisContext *fresh = zserver_connect(&srv);
    assert_non_null(fresh);
    expect_status(fresh, "PONG", "PING");
    redisFree(fresh);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_taken_keeps_listening),
        cmocka_unit_test(test_port_moves_clients_stay),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
