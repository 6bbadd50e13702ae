/* test_tracking.c — client-side caching (CLIENT TRACKING) against a live zmem-server: the exact
 * bytes of RESP3 invalidation pushes and of RESP2 messages on __redis__:invalidate of a redirect
 * client, the flush null, BCAST with prefixes, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, the
 * invalidations that expiry, eviction and tracking-table-max-keys cause, a broken redirect, the
 * error texts, the INFO counters and CLIENT LIST flags, the counters back at 0 and used_memory
 * back at its baseline after the clients close. test_tracking_diff.c compares with Redis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

static int
setup(void **state)
{
    (void)state;
    if (zserver_start(&srv, NULL) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    return ctx ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

static void
run_ok(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    assert_non_null(r);
    if (r->type == REDIS_REPLY_ERROR)
        fail_msg("%s: %s", fmt, r->str);
    freeReplyObject(r);
}

/* What fd has to say (a malloc'd string): waits up to ms (scaled by ZMEM_TEST_SLOW) for the
 * first bytes, then reads until 100 ms pass without more. */
static char *
drain(int fd, int ms)
{
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    int wait = ms * harness_slow();
    long long deadline = harness_now_ms() + 10000LL * harness_slow();
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (harness_now_ms() > deadline || poll(&p, 1, len ? 100 : wait) <= 0)
            break;
        if (len + 16384 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    return buf;
}

/* Send s on fd and read until what arrived ends with suffix (5 s at most, scaled); returns
 * everything read (malloc'd), which fails the test if it does not end with suffix. A PING
 * sent this way collects every push the server queued before it, however slowly they come. */
static char *
sync_read(int fd, const char *s, const char *suffix)
{
    size_t len = 0, cap = 1 << 20, sl = strlen(suffix);
    char *buf = malloc(cap);
    long long deadline = harness_now_ms() + 5000LL * harness_slow();
    raw_sends(fd, s);
    while (harness_now_ms() < deadline && (len < sl || memcmp(buf + len - sl, suffix, sl) != 0)) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (len + 16384 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    if (len < sl || memcmp(buf + len - sl, suffix, sl) != 0) {
        free(buf);
        fail_msg("no reply ending in %s", suffix);
    }
    return buf;
}

static void
sync_on(int fd, const char *s, const char *suffix)
{
    free(sync_read(fd, s, suffix));
}

/* A raw connection switched to RESP3 (the HELLO reply read and dropped). */
static int
resp3_connect(int port)
{
    int fd = raw_connect(port);
    raw_sends(fd, "HELLO 3\r\n");
    size_t len;
    int closed;
    char *got = raw_read(fd, 4096, 300, &len, &closed);
    assert_true(len > 0 && got[0] == '%');
    free(got);
    return fd;
}

static long long
raw_client_id(int fd)
{
    raw_sends(fd, "CLIENT ID\r\n");
    char *got = drain(fd, 200);
    assert_int_equal(got[0], ':');
    long long id = atoll(got + 1);
    free(got);
    return id;
}

static long long
stat(const char *name)
{
    return info_field(ctx, "stats", name);
}

/* The RESP3 push (RESP2 message on __redis__:invalidate) invalidating one key. */
static const char *
push_k(const char *key)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$%zu\r\n%s\r\n", strlen(key), key);
    return buf;
}

static const char *
msg_k(const char *key)
{
    static char buf[256];
    snprintf(buf, sizeof(buf),
             "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$%zu\r\n%s\r\n",
             strlen(key), key);
    return buf;
}

static void
test_resp3_default_mode(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int fd = resp3_connect(srv.port);
    raw_expect(fd, "CLIENT TRACKING on\r\n", "+OK\r\n");
    raw_expect(fd, "GET a\r\nMGET b c\r\n", "_\r\n*2\r\n_\r\n_\r\n");
    assert_int_equal(stat("tracking_total_keys"), 3);
    assert_int_equal(stat("tracking_total_items"), 3);
    assert_int_equal(info_field(ctx, "clients", "tracking_clients"), 1);
    /* Another client's write: one push, then the key is forgotten (no second one). */
    run_ok(ctx, "SET a 1");
    run_ok(ctx, "SET a 2");
    raw_expect(fd, "", push_k("a"));
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    assert_int_equal(stat("tracking_total_keys"), 2);
    /* In-place writes (LPUSH on a new key, then INCR on a read key) and a deletion. */
    run_ok(ctx, "RPUSH b x");
    raw_expect(fd, "", push_k("b"));
    raw_expect(fd, "GET a\r\n", "$1\r\n2\r\n");
    run_ok(ctx, "INCR a");
    raw_expect(fd, "", push_k("a"));
    raw_expect(fd, "GET a\r\n", "$1\r\n3\r\n");
    run_ok(ctx, "DEL a");
    raw_expect(fd, "", push_k("a"));
    /* DEL of a missing key and a write that failed change nothing: no push. */
    raw_expect(fd, "GET a\r\n", "_\r\n");
    run_ok(ctx, "DEL a");
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    /* Its own write: the push follows the reply. */
    char want[512];
    snprintf(want, sizeof(want), "+OK\r\n%s", push_k("a"));
    raw_expect(fd, "SET a v\r\n", want);
    /* Expiry: the active cycle finds the key alone. */
    raw_expect(fd, "SET e v PX 30\r\nGET e\r\n", "+OK\r\n$1\r\nv\r\n");
    size_t len;
    int closed;
    char *got = raw_read(fd, strlen(push_k("e")), 3000, &len, &closed);
    assert_string_equal(got, push_k("e"));
    free(got);
    /* FLUSHALL: a null invalidation for every tracking client, and the table is emptied. */
    raw_expect(fd, "GET x\r\n", "_\r\n");
    assert_true(stat("tracking_total_keys") >= 1);
    run_ok(ctx, "FLUSHDB");
    raw_expect(fd, "", ">2\r\n$10\r\ninvalidate\r\n_\r\n");
    assert_int_equal(stat("tracking_total_keys"), 0);
    assert_int_equal(stat("tracking_total_items"), 0);
    raw_expect(fd, "CLIENT TRACKING off\r\n", "+OK\r\n");
    assert_int_equal(info_field(ctx, "clients", "tracking_clients"), 0);
    close(fd);
}

static void
test_resp2_redirect(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int sub = raw_connect(srv.port);
    long long sid = raw_client_id(sub);
    raw_expect(sub, "SUBSCRIBE __redis__:invalidate\r\n",
               "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
    int fd = raw_connect(srv.port);
    char cmd[128], want[128];
    snprintf(cmd, sizeof(cmd), "CLIENT TRACKING on REDIRECT %lld\r\n", sid);
    raw_expect(fd, cmd, "+OK\r\n");
    snprintf(want, sizeof(want), ":%lld\r\n", sid);
    raw_expect(fd, "CLIENT GETREDIR\r\n", want);
    raw_expect(fd, "GET k\r\n", "$-1\r\n");
    run_ok(ctx, "SET k v");
    raw_expect(sub, "", msg_k("k"));
    /* The flush null in the tracking client's protocol (RESP2: a null bulk). */
    run_ok(ctx, "FLUSHALL");
    raw_expect(sub, "", "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
    /* CLIENT LIST: t and redir=. */
    snprintf(cmd, sizeof(cmd), "CLIENT LIST\r\n");
    raw_sends(fd, cmd);
    char *list = drain(fd, 300);
    snprintf(want, sizeof(want), "flags=t db=0");
    assert_non_null(strstr(list, want));
    snprintf(want, sizeof(want), "redir=%lld resp=2", sid);
    assert_non_null(strstr(list, want));
    free(list);
    /* The redirect client goes: the next invalidation finds the redirect broken. */
    close(sub);
    usleep(100000);
    raw_expect(fd, "GET k\r\n", "$-1\r\n");
    run_ok(ctx, "SET k v");
    usleep(50000);
    raw_sends(fd, "CLIENT TRACKINGINFO\r\n");
    char *info = drain(fd, 300);
    assert_non_null(strstr(info, "$15\r\nbroken_redirect\r\n"));
    free(info);
    raw_sends(fd, "CLIENT INFO\r\n");
    char *ci = drain(fd, 300);
    assert_non_null(strstr(ci, "flags=tR "));
    free(ci);
    close(fd);
}

static void
test_resp3_broken_redirect(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int other = raw_connect(srv.port);
    long long oid = raw_client_id(other);
    int fd = resp3_connect(srv.port);
    char cmd[128], want[256];
    snprintf(cmd, sizeof(cmd), "CLIENT TRACKING on REDIRECT %lld\r\n", oid);
    raw_expect(fd, cmd, "+OK\r\n");
    raw_expect(fd, "GET k\r\n", "_\r\n");
    close(other);
    usleep(100000);
    run_ok(ctx, "SET k v");
    snprintf(want, sizeof(want), ">2\r\n$21\r\ntracking-redir-broken\r\n:%lld\r\n", oid);
    raw_expect(fd, "", want);
    close(fd);
}

static void
test_bcast_and_noloop(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int fd = resp3_connect(srv.port);
    raw_expect(fd, "CLIENT TRACKING on BCAST PREFIX user: PREFIX obj:\r\n", "+OK\r\n");
    assert_int_equal(stat("tracking_total_prefixes"), 2);
    /* Keys under a prefix changed in one pipeline: one message, sorted. */
    redisAppendCommand(ctx, "SET user:2 x");
    redisAppendCommand(ctx, "SET other y");
    redisAppendCommand(ctx, "SET user:1 x");
    redisAppendCommand(ctx, "SET user:2 z");
    for (int i = 0; i < 4; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
    raw_expect(fd, "", ">2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
    /* Its own write is told too, after the reply; with NOLOOP it is not. */
    raw_expect(fd, "SET obj:1 v\r\n", "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nobj:1\r\n");
    /* Without PREFIX, turning BCAST on again would add "" (every key), as Redis does. */
    raw_expect(fd, "CLIENT TRACKING on BCAST NOLOOP PREFIX x:\r\n", "+OK\r\n");
    raw_expect(fd, "SET obj:2 v\r\n", "+OK\r\n");
    run_ok(ctx, "SET obj:3 v");
    raw_expect(fd, "", ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nobj:3\r\n");
    raw_expect(fd, "CLIENT TRACKINGINFO\r\n",
               "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n"
               "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*3\r\n$4\r\nobj:\r\n$5\r\nuser:\r\n"
               "$2\r\nx:\r\n");
    raw_sends(fd, "CLIENT INFO\r\n");
    char *ci = drain(fd, 300);
    assert_non_null(strstr(ci, "flags=tB "));
    free(ci);
    /* Errors. */
    raw_expect(fd, "CLIENT TRACKING on BCAST PREFIX us\r\n",
               "-ERR Prefix 'us' overlaps with an existing prefix 'user:'. Prefixes for a single "
               "client must not overlap.\r\n");
    raw_expect(fd, "CLIENT TRACKING on\r\n",
               "-ERR You can't switch BCAST mode on/off before disabling tracking for this "
               "client, and then re-enabling it with a different mode.\r\n");
    raw_expect(fd, "RESET\r\n", "+RESET\r\n");
    assert_int_equal(stat("tracking_total_prefixes"), 0);
    close(fd);
}

static void
test_optin_optout(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int fd = resp3_connect(srv.port);
    raw_expect(fd, "CLIENT CACHING yes\r\n",
               "-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
               "OPTIN or OPTOUT mode enabled\r\n");
    raw_expect(fd, "CLIENT TRACKING on OPTIN\r\n", "+OK\r\n");
    raw_expect(fd, "CLIENT CACHING no\r\n",
               "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
               "mode.\r\n");
    raw_expect(fd, "GET notcached\r\n", "_\r\n");
    raw_expect(fd, "CLIENT CACHING yes\r\nGET cached\r\nGET after\r\n", "+OK\r\n_\r\n_\r\n");
    assert_int_equal(stat("tracking_total_keys"), 1);
    run_ok(ctx, "MSET notcached 1 cached 1 after 1");
    raw_expect(fd, "", push_k("cached"));
    raw_expect(fd, "RESET\r\n", "+RESET\r\n");
    raw_sends(fd, "HELLO 3\r\n");
    free(drain(fd, 300));
    raw_expect(fd, "CLIENT TRACKING on OPTOUT\r\n", "+OK\r\n");
    raw_expect(fd, "CLIENT CACHING no\r\nGET skipped\r\nGET kept\r\n", "+OK\r\n_\r\n_\r\n");
    raw_expect(fd, "CLIENT TRACKINGINFO\r\n",
               "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\noptout\r\n"
               "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
    run_ok(ctx, "MSET skipped 1 kept 1");
    raw_expect(fd, "", ">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nkept\r\n");
    raw_expect(fd, "CLIENT TRACKING on OPTIN\r\n",
               "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
               "client, and then re-enabling it with a different mode.\r\n");
    close(fd);
}

/* Keys leave the table when evicted (each tracked key told) and when the table is over
 * tracking-table-max-keys (random keys told until it is back under the limit). */
static void
test_eviction_and_table_limit(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    int fd = resp3_connect(srv.port);
    raw_expect(fd, "CLIENT TRACKING on\r\n", "+OK\r\n");
    run_ok(ctx, "CONFIG SET tracking-table-max-keys 5");
    /* One pipeline: the limit is applied once its commands are done. */
    char pipe[512] = "";
    for (int i = 0; i < 20; i++)
        snprintf(pipe + strlen(pipe), sizeof(pipe) - strlen(pipe), "GET t%02d\r\n", i);
    raw_sends(fd, pipe);
    char *got = sync_read(fd, "PING\r\n", "+PONG\r\n");
    int pushes = 0;
    for (char *p = got; (p = strstr(p, "invalidate")); p++)
        pushes++;
    free(got);
    assert_int_equal(pushes, 15);
    assert_int_equal(stat("tracking_total_keys"), 5);
    run_ok(ctx, "CONFIG SET tracking-table-max-keys 1000000");
    redisReply *r = cu_run(ctx, "CONFIG GET tracking-table-max-keys");
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 2);
    assert_string_equal(r->element[1]->str, "1000000");
    freeReplyObject(r);
    run_ok(ctx, "FLUSHALL");
    free(drain(fd, 200));

    /* Eviction: every key read, then memory made scarce. */
    fill_strings(ctx, "ev", 200, 1000);
    char cmd[64];
    for (int i = 0; i < 200; i++) {
        snprintf(cmd, sizeof(cmd), "GET ev%d\r\n", i);
        raw_sends(fd, cmd);
    }
    sync_on(fd, "PING\r\n", "+PONG\r\n");
    assert_int_equal(stat("tracking_total_keys"), 200);
    long long used = info_field(ctx, "memory", "used_memory");
    run_ok(ctx, "CONFIG SET maxmemory-policy allkeys-random");
    run_ok(ctx, "CONFIG SET maxmemory %lld", used - 100000);
    run_ok(ctx, "SET trigger v");
    run_ok(ctx, "CONFIG SET maxmemory 0");
    long long evicted = stat("evicted_keys");
    assert_true(evicted > 0);
    got = sync_read(fd, "PING\r\n", "+PONG\r\n");
    pushes = 0;
    for (char *p = got; (p = strstr(p, "invalidate")); p++)
        pushes++;
    free(got);
    assert_int_equal(pushes, evicted);
    assert_int_equal(stat("tracking_total_keys"), 200 - evicted);
    run_ok(ctx, "CONFIG SET maxmemory-policy noeviction");
    close(fd);
    run_ok(ctx, "FLUSHALL");
}

static void
test_errors(void **state)
{
    (void)state;
    expect_error(ctx, "ERR syntax error", "CLIENT TRACKING maybe");
    expect_error(ctx, "ERR syntax error", "CLIENT TRACKING on FOO");
    expect_error(ctx, "ERR syntax error", "CLIENT TRACKING on REDIRECT");
    expect_error(ctx, "ERR value is not an integer or out of range",
                 "CLIENT TRACKING on REDIRECT x");
    expect_error(ctx, "ERR The client ID you want redirect to does not exist",
                 "CLIENT TRACKING on REDIRECT 999999");
    expect_error(ctx, "ERR PREFIX option requires BCAST mode to be enabled",
                 "CLIENT TRACKING on PREFIX a");
    expect_error(ctx, "ERR OPTIN and OPTOUT are not compatible with BCAST",
                 "CLIENT TRACKING on BCAST OPTIN");
    expect_error(ctx, "ERR You can't specify both OPTIN mode and OPTOUT mode",
                 "CLIENT TRACKING on OPTIN OPTOUT");
    expect_error(ctx,
                 "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a "
                 "single client must not overlap.",
                 "CLIENT TRACKING on BCAST PREFIX a PREFIX ab");
    expect_error(ctx, "ERR wrong number of arguments for 'client|tracking' command",
                 "CLIENT TRACKING");
    expect_int(ctx, -1, "CLIENT GETREDIR");
    assert_int_equal(info_field(ctx, "clients", "tracking_clients"), 0);
}

/* Five tracking clients (four in the default mode reading 100 keys, one BCAST) connected at
 * once; with check, the counters are verified before they close. */
static void
tracking_round(int check)
{
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = resp3_connect(srv.port);
        raw_expect(fds[i],
                   i == 4 ? "CLIENT TRACKING on BCAST PREFIX m1\r\n" : "CLIENT TRACKING on\r\n",
                   "+OK\r\n");
        char pipe[2048] = "";
        for (int k = 0; k < 100; k++)
            snprintf(pipe + strlen(pipe), sizeof(pipe) - strlen(pipe), "GET m%d\r\n", k);
        raw_sends(fds[i], pipe);
        sync_on(fds[i], "PING\r\n", "+PONG\r\n");
    }
    if (check) {
        assert_int_equal(stat("tracking_total_keys"), 100);
        assert_int_equal(stat("tracking_total_items"), 400);
        assert_int_equal(stat("tracking_total_prefixes"), 1);
        assert_int_equal(info_field(ctx, "clients", "tracking_clients"), 5);
    }
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    long long deadline = harness_now_ms() + 3000LL * harness_slow();
    while (info_field(ctx, "clients", "connected_clients") > 1 && harness_now_ms() < deadline)
        usleep(20000);
}

/* Counters back at 0 and used_memory back at its baseline once the tracking clients close. */
static void
test_memory_returns(void **state)
{
    (void)state;
    run_ok(ctx, "FLUSHALL");
    fill_strings(ctx, "m", 100, 10);
    /* A first round, so first-use allocations (a command's latency histogram, libevent's
     * per-descriptor slots for five more connections) are in the baseline. */
    tracking_round(0);
    usleep(1200000);
    long long base = info_field(ctx, "memory", "used_memory");
    tracking_round(1);
    assert_int_equal(stat("tracking_total_keys"), 0);
    assert_int_equal(stat("tracking_total_items"), 0);
    assert_int_equal(stat("tracking_total_prefixes"), 0);
    assert_int_equal(info_field(ctx, "clients", "tracking_clients"), 0);
    long long after = info_field(ctx, "memory", "used_memory");
    long long deadline = harness_now_ms() + 3000LL * harness_slow();
    while (after != base && harness_now_ms() < deadline) {
        usleep(100000);
        after = info_field(ctx, "memory", "used_memory");
    }
    assert_int_equal(after, base);
    run_ok(ctx, "FLUSHALL");
}

int
main(void)
{
    harness_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resp3_default_mode),
        cmocka_unit_test(test_resp2_redirect),
        cmocka_unit_test(test_resp3_broken_redirect),
        cmocka_unit_test(test_bcast_and_noloop),
        cmocka_unit_test(test_optin_optout),
        cmocka_unit_test(test_eviction_and_table_limit),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_memory_returns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
