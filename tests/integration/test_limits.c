/* test_limits.c — what an attacker or a careless client can make the server hold, each case at
 * and over its limit, each followed by the checks that the server still serves others and that
 * used_memory is back near its baseline: cross-protocol requests, announced sizes, a reader that
 * does not read, client-output-buffer-limit, maxmemory-clients, client-query-buffer-limit,
 * protected-mode, tcp-keepalive and first-command-timeout (docs/limits.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/harness.h"

static struct zserver srv;
static redisContext *ctx;

/* A few KiB of slack: libevent's fd tables and the allocator's size classes move a little;
 * glibc's malloc (MALLOC=libc and the sanitizer builds) rounds and caches differently. */
#define BASELINE_SLACK (strcmp(harness_malloc(), "jemalloc") == 0 ? 16 * 1024 : 64 * 1024)

/* One pipelined batch whose replies pass the shared reply buffer's kept size: the buffer is
 * then back at that size (16 KiB) whatever the case before did with it, before each figure. */
static void
settle_reply_buffer(void)
{
    for (int i = 0; i < 20000; i++)
        redisAppendCommand(ctx, "PING");
    for (int i = 0; i < 20000; i++) {
        redisReply *r;
        assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
        freeReplyObject(r);
    }
}

static int
group_setup(void **state)
{
    /* first-command-timeout is off but in its own case: other cases hold half-sent
     * commands on purpose, longer than a second on a slow (sanitizer) build. */
    const char *args[] = {"--first-command-timeout", "0", NULL};
    if (zserver_start(&srv, args) < 0)
        return -1;
    ctx = zserver_connect(&srv);
    /* Past the first second: the first memory sample, the first cron runs and the background
     * threads' first allocations are then behind us, not inside the first case's baseline. */
    usleep(1500000);
    return ctx ? 0 : -1;
}

static int
group_teardown(void **state)
{
    if (ctx)
        redisFree(ctx);
    return zserver_stop(&srv) == 0 ? 0 : -1;
}

static long long
used_memory(void)
{
    settle_reply_buffer();
    return info_field(ctx, "memory", "used_memory");
}

/* used_memory settles once closed clients are gone and the cron trimmed buffers: wait up to
 * 3 s for it to come back within the slack of the figure taken before the case. */
static void
assert_back_to(long long before)
{
    long long now = used_memory();
    for (int i = 0; i < 60 && now > before + BASELINE_SLACK; i++) {
        usleep(50000);
        now = used_memory();
    }
    if (now > before + BASELINE_SLACK)
        fail_msg("used_memory %lld, %lld above its baseline %lld", now, now - before, before);
}

/* The server still answers another client at once. */
static void
assert_serving(void)
{
    redisContext *c = zserver_connect(&srv);
    assert_non_null(c);
    long long t0 = harness_now_ms();
    expect_status(c, "PONG", "PING");
    assert_true(harness_now_ms() - t0 < 1000);
    redisFree(c);
}

static void
reset_config(void)
{
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "normal 0 0 0");
    expect_status(ctx, "OK", "CONFIG SET maxmemory-clients 0");
    expect_status(ctx, "OK", "CONFIG SET client-query-buffer-limit 1gb");
}

/* ---- Cross-protocol ---- */

static void
test_cross_protocol(void **state)
{
    static const char *const attacks[] = {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", /* the arity error is never sent */
        "Host: evil\r\n",
        "*1\r\n$4\r\npost\r\n",
        "PING\r\npOsT /x\r\nPING\r\n", /* replies pending before it are dropped too */
    };
    long long before = used_memory();
    long long closed0 = info_field(ctx, "stats", "cross_protocol_closed");
    for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        int fd = raw_connect(srv.port);
        size_t len;
        int closed;
        raw_sends(fd, attacks[i]);
        char *got = raw_read(fd, (size_t)-2, 2000, &len, &closed);
        if (!closed || len != 0)
            fail_msg("case %zu: closed=%d after %zu bytes '%s'", i, closed, len, got);
        free(got);
        close(fd);
    }
    assert_int_equal(info_field(ctx, "stats", "cross_protocol_closed"), closed0 + 5);
    /* Checked before authentication, and a real GET still works. */
    expect_status(ctx, "OK", "SET k v");
    expect_bulk(ctx, "v", "GET k");
    expect_status(ctx, "OK", "CONFIG SET requirepass secret");
    int fd = raw_connect(srv.port);
    raw_sends(fd, "POST / HTTP/1.1\r\n");
    assert_true(raw_closed_within(fd, 2000));
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET requirepass %s", "");
    cu_int(ctx, "DEL k");
    assert_serving();
    assert_back_to(before);
}

/* ---- Memory follows bytes received ---- */

#define CONNS 300

static void
announce(const char *header, const char *tail)
{
    int fds[CONNS];
    long long before = used_memory();
    for (int i = 0; i < CONNS; i++) {
        fds[i] = raw_connect(srv.port);
        raw_sends(fds[i], header);
        raw_sends(fds[i], tail);
    }
    /* Every connection has been read once PING on ctx is answered after them... */
    usleep(300000);
    long long held = used_memory() - before;
    print_message("announced and not sent: %lld bytes per connection\n", held / CONNS);
    if (held / CONNS > 64 * 1024)
        fail_msg("%lld bytes per connection for ten bytes sent", held / CONNS);
    assert_serving();
    for (int i = 0; i < CONNS; i++)
        close(fds[i]);
    assert_back_to(before);
}

static void
test_announced_sizes(void **state)
{
    announce("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n", "0123456789");
    announce("*1048576\r\n$3\r\nSET\r\n", "$1\r\nk\r\n$1\r");
}

/* A big bulk still arrives whole, and its buffer goes once it is used. */
static void
test_big_bulk_arrives(void **state)
{
    size_t n = 8 * 1024 * 1024;
    char *v = malloc(n);
    memset(v, 'b', n);
    long long before = used_memory();
    redisReply *r = redisCommand(ctx, "SET big %b", v, n);
    assert_non_null(r);
    assert_string_equal(r->str, "OK");
    freeReplyObject(r);
    r = redisCommand(ctx, "GET big");
    assert_int_equal(r->len, n);
    assert_memory_equal(r->str, v, n);
    freeReplyObject(r);
    free(v);
    assert_int_equal(cu_int(ctx, "DEL big"), 1);
    assert_back_to(before);
}

/* ---- A client that does not read ---- */

static void
test_slow_reader(void **state)
{
    size_t vlen = 1000000;
    int gets = 300;
    char *v = malloc(vlen);
    memset(v, 'r', vlen);
    redisReply *r = redisCommand(ctx, "SET big %b", v, vlen);
    freeReplyObject(r);
    long long before = used_memory();

    /* Not reading: the kernel's socket buffers take a few MB, the rest waits with us. */
    int fd = raw_connect(srv.port);
    char *pipeline = malloc((size_t)gets * 9 + 1);
    for (int i = 0; i < gets; i++)
        memcpy(pipeline + i * 9, "GET big\r\n", 9);
    raw_send(fd, pipeline, (size_t)gets * 9);
    free(pipeline);
    usleep(500000);
    long long held = used_memory() - before;
    print_message("pipeline of %d GETs of 1 MB, not read: used_memory +%lld\n", gets, held);
    if (held > 64LL * 1024 * 1024)
        fail_msg("a reader that does not read made us hold %lld bytes", held);
    /* Other clients are answered in milliseconds meanwhile. */
    long long t0 = harness_now_ms();
    expect_status(ctx, "PONG", "PING");
    assert_true(harness_now_ms() - t0 < 200);

    /* Then it reads: every reply arrives whole. */
    size_t one = 10 + vlen + 2, want = one * (size_t)gets, got = 0;
    char *expected = malloc(one), *buf = malloc(1 << 20);
    memcpy(expected, "$1000000\r\n", 10);
    memset(expected + 10, 'r', vlen);
    memcpy(expected + 10 + vlen, "\r\n", 2);
    long long deadline = harness_now_ms() + 60000;
    while (got < want && harness_now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        ssize_t k = read(fd, buf, 1 << 20);
        if (k <= 0)
            fail_msg("read %zd (%s) after %zu of %zu bytes", k, k < 0 ? strerror(errno) : "EOF",
                     got, want);
        for (ssize_t i = 0; i < k; i++)
            if (buf[i] != expected[(got + (size_t)i) % one])
                fail_msg("byte %zu of the replies is wrong: a reply was cut", got + (size_t)i);
        got += (size_t)k;
    }
    free(buf);
    free(expected);
    assert_int_equal(got, want);
    close(fd);
    free(v);
    cu_int(ctx, "DEL big");
    assert_back_to(before - (long long)vlen);
}

/* ---- client-output-buffer-limit ---- */

static void
test_output_buffer_limit(void **state)
{
    /* Redis's syntax, defaults and errors. */
    redisReply *r = cu_run(ctx, "CONFIG GET client-output-buffer-limit");
    assert_string_equal(r->element[1]->str,
                        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    freeReplyObject(r);
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument "
                 "'client-output-buffer-limit') - Invalid client class specified in buffer limit "
                 "configuration.",
                 "CONFIG SET client-output-buffer-limit %s", "foo 1 2 3");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument "
                 "'client-output-buffer-limit') - Wrong number of arguments in buffer limit "
                 "configuration.",
                 "CONFIG SET client-output-buffer-limit %s", "normal 1 2");
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "replica 1mb 2 3");
    r = cu_run(ctx, "CONFIG GET client-output-buffer-limit");
    assert_string_equal(r->element[1]->str,
                        "normal 0 0 0 slave 1048576 2 3 pubsub 33554432 8388608 60");
    freeReplyObject(r);

    size_t vlen = 3000000;
    char *v = malloc(vlen);
    memset(v, 'o', vlen);
    r = redisCommand(ctx, "SET big %b", v, vlen);
    freeReplyObject(r);
    free(v);
    long long before = used_memory();

    /* Hard limit: one byte under the reply passes, at the reply it is closed, nothing sent. */
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "normal 3000013 0 0");
    int fd = raw_connect(srv.port);
    size_t len;
    int closed;
    raw_sends(fd, "GET big\r\n");
    char *got = raw_read(fd, 3000012, 5000, &len, &closed);
    assert_int_equal(len, 3000012); /* "$3000000\r\n" + value + "\r\n" */
    free(got);
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "normal 3000012 0 0");
    fd = raw_connect(srv.port);
    raw_sends(fd, "GET big\r\n");
    got = raw_read(fd, (size_t)-2, 3000, &len, &closed);
    assert_true(closed);
    assert_int_equal(len, 0);
    free(got);
    close(fd);

    /* Soft limit: over it for longer than soft-seconds closes a client that does not read. */
    expect_status(ctx, "OK", "CONFIG SET client-output-buffer-limit %s", "normal 0 1mb 1");
    fd = raw_connect(srv.port);
    for (int i = 0; i < 10; i++)
        raw_sends(fd, "GET big\r\n");
    /* Still there after 0.5 s, owing output (omem counts it), then gone once the soft limit
     * has been exceeded for more than a second. Not reading all along. */
    usleep(500000);
    r = cu_run(ctx, "CLIENT LIST");
    const char *line = strstr(r->str, "cmd=get");
    assert_non_null(line);
    const char *omem = strstr(line - 200 > r->str ? line - 200 : r->str, "omem=");
    assert_non_null(omem);
    assert_true(atoll(omem + 5) > 0);
    freeReplyObject(r);
    int gone = 0;
    for (int i = 0; i < 40 && !gone; i++) {
        usleep(100000);
        r = cu_run(ctx, "CLIENT LIST");
        gone = strstr(r->str, "cmd=get") == NULL;
        freeReplyObject(r);
    }
    assert_true(gone);
    close(fd);

    reset_config();
    cu_int(ctx, "DEL big");
    assert_serving();
    assert_back_to(before - 3000000);
}

/* ---- maxmemory-clients ---- */

static void
test_client_eviction(void **state)
{
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
                 "percentage argument must be less or equal to 100",
                 "CONFIG SET maxmemory-clients 200%%");
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
                 "argument must be a memory or percent value",
                 "CONFIG SET maxmemory-clients abc");
    expect_status(ctx, "OK", "CONFIG SET maxmemory-clients 10%%");
    redisReply *r = cu_run(ctx, "CONFIG GET maxmemory-clients");
    assert_string_equal(r->element[1]->str, "10%");
    freeReplyObject(r);
    expect_error(ctx, "ERR syntax error", "CLIENT NO-EVICT maybe");

    long long before = used_memory();
    long long evicted0 = info_field(ctx, "stats", "evicted_clients");
    expect_status(ctx, "OK", "CLIENT NO-EVICT on");
    expect_status(ctx, "OK", "CONFIG SET maxmemory-clients 4mb");
    /* A client holding 256 KiB of an unfinished bulk stays; one sending 5 MiB goes. The
     * victim's bytes alone pass the limit: its query buffer's capacity at any moment depends on
     * how the reads happened to be split (it is between what arrived and twice that), so a
     * smaller send would be evicted or not by timing. */
    int keep = raw_connect(srv.port);
    raw_sends(keep, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9000000\r\n");
    char *chunk = malloc(5 * 1024 * 1024);
    memset(chunk, 'q', 5 * 1024 * 1024);
    raw_send(keep, chunk, 256 * 1024);
    usleep(200000);
    assert_int_equal(info_field(ctx, "stats", "evicted_clients"), evicted0);
    int victim = raw_connect(srv.port);
    raw_sends(victim, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9000000\r\n");
    send(victim, chunk, 5 * 1024 * 1024, MSG_NOSIGNAL); /* it may be closed before the end */
    assert_true(raw_closed_within(victim, 10000 * harness_slow())); /* slow builds, loaded CI */
    close(victim);
    assert_int_equal(info_field(ctx, "stats", "evicted_clients"), evicted0 + 1);
    /* The exempt caller and the smaller client are still there. */
    expect_status(ctx, "PONG", "PING");
    raw_sends(keep, "x");
    assert_false(raw_closed_within(keep, 300));
    close(keep);
    free(chunk);
    expect_status(ctx, "OK", "CLIENT NO-EVICT off");
    reset_config();
    assert_serving();
    assert_back_to(before);
}

/* ---- client-query-buffer-limit ---- */

static void
test_query_buffer_limit(void **state)
{
    long long before = used_memory();
    expect_error(ctx,
                 "ERR CONFIG SET failed (possibly related to argument "
                 "'client-query-buffer-limit') - argument must be between 1048576 and "
                 "9223372036854775807 inclusive",
                 "CONFIG SET client-query-buffer-limit 1000");
    expect_status(ctx, "OK", "CONFIG SET client-query-buffer-limit 1mb");
    char *chunk = malloc(3 * 1024 * 1024);
    memset(chunk, 'z', 3 * 1024 * 1024);

    /* At the limit: an unfinished command of exactly 1 MiB unprocessed stays. */
    int fd = raw_connect(srv.port);
    const char *hdr = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n";
    raw_sends(fd, hdr);
    raw_send(fd, chunk, 1024 * 1024 - strlen(hdr));
    assert_false(raw_closed_within(fd, 500));
    /* One byte over: closed, nothing sent. */
    send(fd, chunk, 1, MSG_NOSIGNAL);
    size_t len;
    int closed;
    char *got = raw_read(fd, (size_t)-2, 3000, &len, &closed);
    assert_true(closed);
    assert_int_equal(len, 0);
    free(got);
    close(fd);

    /* A pipeline bigger than the limit, consumed as it arrives, is fine. */
    fd = raw_connect(srv.port);
    size_t n = 0;
    while (n + 15 <= 3 * 1024 * 1024) {
        memcpy(chunk + n, "SET k 1234567\r\n", 15);
        n += 15;
    }
    raw_send(fd, chunk, n);
    size_t want = n / 15 * 5; /* +OK\r\n each */
    got = raw_read(fd, want, 10000 * harness_slow(), &len, &closed);
    assert_int_equal(len, want);
    free(got);
    close(fd);
    free(chunk);
    cu_int(ctx, "DEL k");
    reset_config();
    assert_serving();
    assert_back_to(before);
}

/* ---- protected-mode ---- */

/* A connection from 127.0.0.2: loopback, but not what Redis counts as local. */
static int
connect_from_127_0_0_2(void)
{
    struct sockaddr_in src, dst;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002);
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
        fail_msg("bind 127.0.0.2 failed");
    memset(&dst, 0, sizeof(dst));
    dst.sin_family = AF_INET;
    dst.sin_port = htons((uint16_t)srv.port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
        fail_msg("connect from 127.0.0.2 failed");
    return fd;
}

static void
test_protected_mode(void **state)
{
    redisReply *r = cu_run(ctx, "CONFIG GET protected-mode");
    assert_string_equal(r->element[1]->str, "yes");
    freeReplyObject(r);
    long long rejected0 = info_field(ctx, "stats", "rejected_connections");

    int fd = connect_from_127_0_0_2();
    size_t len;
    int closed;
    raw_sends(fd, "PING\r\n");
    char *got = raw_read(fd, (size_t)-2, 2000, &len, &closed);
    assert_true(closed);
    static const char denied[] = "-DENIED Redis is running in protected mode because protected "
                                 "mode is enabled and no password is set for the default user.";
    assert_true(strncmp(got, denied, sizeof(denied) - 1) == 0);
    assert_true(len > 900 && strcmp(got + len - 2, "\r\n") == 0);
    free(got);
    close(fd);
    assert_int_equal(info_field(ctx, "stats", "rejected_connections"), rejected0 + 1);

    /* A password lifts it; so does protected-mode no. */
    expect_status(ctx, "OK", "CONFIG SET requirepass secret");
    fd = connect_from_127_0_0_2();
    raw_expect(fd, "AUTH secret\r\nPING\r\n", "+OK\r\n+PONG\r\n");
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET requirepass %s", "");
    expect_status(ctx, "OK", "CONFIG SET protected-mode no");
    fd = connect_from_127_0_0_2();
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET protected-mode yes");
}

/* ---- tcp-keepalive ---- */

/* The timer of the server's side of connection fd, from /proc/net/tcp: 2 is keepalive. */
static int
server_side_timer(int fd)
{
    struct sockaddr_in me;
    socklen_t sl = sizeof(me);
    getsockname(fd, (struct sockaddr *)&me, &sl);
    FILE *f = fopen("/proc/net/tcp", "r");
    char line[512];
    int timer = -1;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        unsigned lport, rport, tr;
        if (sscanf(line, " %*d: %*8X:%X %*8X:%X %*X %*X:%*X %X", &lport, &rport, &tr) == 3 &&
            (int)lport == srv.port && rport == ntohs(me.sin_port))
            timer = (int)tr;
    }
    fclose(f);
    return timer;
}

static void
test_tcp_keepalive(void **state)
{
    redisReply *r = cu_run(ctx, "CONFIG GET tcp-keepalive");
    assert_string_equal(r->element[1]->str, "300");
    freeReplyObject(r);
    int fd = raw_connect(srv.port);
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    usleep(50000);
    assert_int_equal(server_side_timer(fd), 2);
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET tcp-keepalive 0");
    fd = raw_connect(srv.port);
    raw_expect(fd, "PING\r\n", "+PONG\r\n");
    usleep(50000);
    assert_int_equal(server_side_timer(fd), 0);
    close(fd);
    expect_status(ctx, "OK", "CONFIG SET tcp-keepalive 300");
}

/* ---- first-command-timeout (1 s in this server) ---- */

static void
test_first_command_timeout(void **state)
{
    expect_status(ctx, "OK", "CONFIG SET first-command-timeout 1");
    long long before = used_memory();
    int idle = raw_connect(srv.port);   /* sends nothing: left to 'timeout' */
    int junk = raw_connect(srv.port);   /* a TLS ClientHello's first bytes */
    int served = raw_connect(srv.port); /* one command done, then half of another */
    raw_send(junk, "\x16\x03\x01\x00\x5a\x01\x00\x00\x56\x03\x03", 11);
    raw_expect(served, "PING\r\n", "+PONG\r\n");
    raw_sends(served, "*1\r\n$4\r\nPI");
    long long t0 = harness_now_ms();
    assert_true(raw_closed_within(junk, 4000));
    long long waited = harness_now_ms() - t0;
    assert_true(waited >= 800);
    assert_false(raw_closed_within(idle, 200));
    assert_false(raw_closed_within(served, 200));
    raw_sends(served, "NG\r\n");
    raw_expect(served, "", "+PONG\r\n");
    close(idle);
    close(junk);
    close(served);
    expect_status(ctx, "OK", "CONFIG SET first-command-timeout 0");
    assert_back_to(before);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_protocol),      cmocka_unit_test(test_announced_sizes),
        cmocka_unit_test(test_big_bulk_arrives),    cmocka_unit_test(test_slow_reader),
        cmocka_unit_test(test_output_buffer_limit), cmocka_unit_test(test_client_eviction),
        cmocka_unit_test(test_query_buffer_limit),  cmocka_unit_test(test_protected_mode),
        cmocka_unit_test(test_tcp_keepalive),       cmocka_unit_test(test_first_command_timeout),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
