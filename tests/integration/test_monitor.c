/* test_monitor.c — MONITOR against a live zmem-server: the lines of commands run by other
 * clients, inside MULTI/EXEC and by the monitor itself (after its own reply, as Redis 7.0
 * feeds monitors after the call), database numbers, Redis's quoting and password redaction,
 * admin and refused commands left out; the monitor's state (CLIENT LIST flags=O, INFO
 * connected_clients, a second MONITOR ignored, MONITOR refused inside EXEC, RESET and QUIT
 * leaving monitor mode); and its output counted under its own client: CLIENT LIST omem while it
 * does not read, and client-output-buffer-limit closing it; exempt from the idle timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"

/* The next reply on mon, which must be a status. */
static char *
next_status(redisContext *mon)
{
    redisReply *r = NULL;
    if (redisGetReply(mon, (void **)&r) != REDIS_OK || r == NULL)
        fail_msg("no reply on the monitor connection (%s)", mon->errstr);
    if (r->type != REDIS_REPLY_STATUS)
        fail_msg("wanted a status on the monitor connection, got type %d '%s'", r->type,
                 r->str ? r->str : "");
    char *s = strdup(r->str);
    freeReplyObject(r);
    return s;
}

/* The next monitor line must be "<sec>.<usec> [<db> 127.0.0.1:<port>] <args>". */
static void
expect_line(redisContext *mon, int db, const char *args)
{
    char *s = next_status(mon);
    long long sec;
    int usec_digits = 0, n = 0, gotdb;
    if (sscanf(s, "%lld.%*[0-9]%n", &sec, &n) != 1 || n == 0)
        fail_msg("no timestamp in monitor line '%s'", s);
    const char *dot = strchr(s, '.');
    for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++)
        usec_digits++;
    assert_int_equal(usec_digits, 6);
    assert_true(sec > 1600000000); /* unix seconds */
    const char *br = strchr(s, '[');
    if (br == NULL || sscanf(br, "[%d 127.0.0.1:", &gotdb) != 1)
        fail_msg("no [db addr] in monitor line '%s'", s);
    assert_int_equal(gotdb, db);
    const char *rest = strstr(s, "] ");
    if (rest == NULL || strcmp(rest + 2, args) != 0)
        fail_msg("monitor line '%s': wanted arguments %s", s, args);
    free(s);
}

static redisContext *
start_monitor(void)
{
    redisContext *mon = zserver_connect(&srv);
    assert_non_null(mon);
    expect_status(mon, "OK", "MONITOR");
    return mon;
}

static void
test_lines(void **state)
{
    (void)state;
    fixture_start(NULL);
    redisContext *mon = start_monitor();
    redisContext *other = zserver_connect(&srv);

    expect_status(other, "OK", "SET k v");
    expect_line(mon, 0, "\"SET\" \"k\" \"v\"");
    const char *argv[] = {"SET", "a b", "x\"y\\\n\r\t\a\b\x01\xff"};
    size_t lens[] = {3, 3, 11};
    freeReplyObject(redisCommandArgv(other, 3, argv, lens));
    expect_line(mon, 0, "\"SET\" \"a b\" \"x\\\"y\\\\\\n\\r\\t\\a\\b\\x01\\xff\"");
    /* After the call: SELECT's own line already names the new database. */
    expect_status(other, "OK", "SELECT 2");
    expect_line(mon, 2, "\"SELECT\" \"2\"");
    expect_status(other, "OK", "SELECT 0");
    expect_line(mon, 0, "\"SELECT\" \"0\"");

    /* Passwords: AUTH's one or two arguments, HELLO's AUTH pair; a malformed AUTH (more than
     * two) is shown as sent, as Redis does, since it fails before looking at them. */
    freeReplyObject(cu_run(other, "AUTH secret"));
    expect_line(mon, 0, "\"AUTH\" \"(redacted)\"");
    freeReplyObject(cu_run(other, "AUTH user secret"));
    expect_line(mon, 0, "\"AUTH\" \"(redacted)\" \"(redacted)\"");
    freeReplyObject(cu_run(other, "AUTH a b c d"));
    expect_line(mon, 0, "\"AUTH\" \"a\" \"b\" \"c\" \"d\"");
    freeReplyObject(cu_run(other, "HELLO 2 SETNAME n AUTH default pw"));
    expect_line(mon, 0, "\"HELLO\" \"2\" \"SETNAME\" \"n\" \"AUTH\" \"(redacted)\" \"(redacted)\"");
    freeReplyObject(cu_run(other, "HELLO 9 AUTH default pw"));
    expect_line(mon, 0, "\"HELLO\" \"9\" \"AUTH\" \"default\" \"pw\"");

    /* A transaction: MULTI, its commands when EXEC runs them, then EXEC. Admin commands,
     * unknown ones and those refused before running are never shown. */
    expect_status(other, "OK", "MULTI");
    expect_status(other, "QUEUED", "INCR n");
    expect_status(other, "QUEUED", "INCR n");
    freeReplyObject(cu_run(other, "EXEC"));
    freeReplyObject(cu_run(other, "CONFIG GET maxmemory"));
    freeReplyObject(cu_run(other, "CLIENT LIST"));
    freeReplyObject(cu_run(other, "NOSUCHCMD x"));
    freeReplyObject(cu_run(other, "GET"));
    expect_status(other, "PONG", "PING");
    expect_line(mon, 0, "\"MULTI\"");
    expect_line(mon, 0, "\"INCR\" \"n\"");
    expect_line(mon, 0, "\"INCR\" \"n\"");
    expect_line(mon, 0, "\"EXEC\"");
    expect_line(mon, 0, "\"PING\"");

    /* The monitor's own command: its reply, then its line. */
    redisAppendCommand(mon, "PING");
    char *s = next_status(mon);
    assert_string_equal(s, "PONG");
    free(s);
    expect_line(mon, 0, "\"PING\"");
    /* A second MONITOR is ignored without a reply (Redis 7.0): the next reply is PING's. */
    redisAppendCommand(mon, "MONITOR");
    redisAppendCommand(mon, "PING");
    s = next_status(mon);
    assert_string_equal(s, "PONG");
    free(s);
    expect_line(mon, 0, "\"PING\"");

    redisFree(mon);
    redisFree(other);
    fixture_stop();
}

static void
test_state(void **state)
{
    (void)state;
    fixture_start(NULL);
    redisContext *mon = start_monitor();
    redisContext *other = zserver_connect(&srv);

    redisReply *r = cu_run(other, "CLIENT LIST");
    assert_non_null(strstr(r->str, " flags=O "));
    assert_non_null(strstr(r->str, " cmd=monitor "));
    freeReplyObject(r);
    assert_int_equal(info_field(other, "clients", "connected_clients"), 3);
    expect_line(mon, 0, "\"INFO\" \"clients\""); /* INFO is no admin command */

    /* Inside a transaction MONITOR is refused at EXEC. */
    expect_status(other, "OK", "MULTI");
    expect_status(other, "QUEUED", "MONITOR");
    r = cu_run(other, "EXEC");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 1);
    assert_string_equal(r->element[0]->str, "ERR MONITOR isn't allowed for DENY BLOCKING client");
    freeReplyObject(r);
    expect_line(mon, 0, "\"MULTI\"");
    expect_line(mon, 0, "\"EXEC\"");

    /* RESET leaves monitor mode: nothing more arrives but the replies to its own commands. */
    redisAppendCommand(mon, "RESET");
    char *s = next_status(mon);
    assert_string_equal(s, "RESET");
    free(s);
    expect_status(other, "OK", "SET after reset");
    expect_status(mon, "PONG", "PING");
    r = cu_run(other, "CLIENT LIST");
    assert_null(strstr(r->str, "flags=O"));
    freeReplyObject(r);

    /* QUIT ends a monitor like any client; the others' commands go on. */
    redisFree(mon);
    mon = start_monitor();
    expect_status(mon, "OK", "QUIT");
    redisFree(mon);
    expect_status(other, "OK", "SET after quit");
    for (int i = 0; i < 100; i++) {
        r = cu_run(other, "CLIENT LIST");
        int gone = strstr(r->str, "flags=O") == NULL;
        freeReplyObject(r);
        if (gone)
            break;
        usleep(20000);
    }
    assert_int_equal(info_field(other, "clients", "connected_clients"), 2); /* other, ctx */
    redisFree(other);
    fixture_stop();
}

/* The monitor's omem in CLIENT LIST (-1 when there is no monitor). */
static long long
monitor_omem(redisContext *c)
{
    redisReply *r = cu_run(c, "CLIENT LIST");
    long long omem = -1;
    for (char *line = strtok(r->str, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, " flags=O ") && strstr(line, " omem="))
            omem = atoll(strstr(line, " omem=") + 6);
    freeReplyObject(r);
    return omem;
}

static void
test_output_counted(void **state)
{
    (void)state;
    fixture_start(NULL);
    int fd = raw_connect(srv.port);
    raw_expect(fd, "MONITOR\r\n", "+OK\r\n");
    /* The monitor never reads: 4 MB of lines go beyond what the sockets hold, and the rest
     * waits in its reply buffer, as its own output. */
    char val[4096];
    memset(val, 'v', sizeof(val) - 1);
    val[sizeof(val) - 1] = '\0';
    for (int i = 0; i < 1000; i++)
        redisAppendCommand(ctx, "SET big%d %s", i, val);
    for (int i = 0; i < 1000; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    long long omem = monitor_omem(ctx);
    assert_true(omem > 0);
    /* The normal class's limit applies to it: past 1 MB it is closed. */
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "normal 1mb 0 0");
    /* More lines until it is over (the sockets may have taken much of what came before). */
    for (int i = 0; i < 4000 && monitor_omem(ctx) >= 0; i++)
        expect_status(ctx, "OK", "SET more%d %s", i, val);
    assert_int_equal(monitor_omem(ctx), -1);
    assert_true(raw_closed_within(fd, 5000));
    close(fd);
    fixture_stop();
}

/* With `timeout`, an idle client is closed but a monitor and a subscriber are not: they only
 * listen (Redis exempts them the same way). */
static void
test_monitor_not_idle(void **state)
{
    (void)state;
    static const char *const args[] = {"--timeout", "1", NULL};
    fixture_start(args);
    redisContext *mon = start_monitor();
    int sub = raw_connect(srv.port);
    raw_expect(sub, "SUBSCRIBE x\r\n", "*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n");
    int idle = raw_connect(srv.port);
    assert_true(raw_closed_within(idle, 5000));
    usleep(1500000); /* well past the timeout for the other two as well */
    redisContext *c = zserver_connect(&srv);
    expect_int(c, 1, "PUBLISH x m");
    expect_line(mon, 0, "\"SUBSCRIBE\" \"x\"");
    expect_line(mon, 0, "\"PUBLISH\" \"x\" \"m\"");
    close(idle);
    close(sub);
    redisFree(c);
    redisFree(mon);
    fixture_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_lines, fixture_teardown),
        cmocka_unit_test_teardown(test_state, fixture_teardown),
        cmocka_unit_test_teardown(test_output_counted, fixture_teardown),
        cmocka_unit_test_teardown(test_monitor_not_idle, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
