/* test_metrics_http.c — the /metrics HTTP listener at the byte level, where curl cannot go:
 * Host rules (missing, doubled, foreign absolute-form target), keep-alive, HEAD without a body,
 * body and header caps, the cap of 16 connections (the rest wait and are served when a slot
 * frees, RESP unaffected), the request deadline against slow senders, and used memory back to
 * exact at exit with HTTP connections open. Routes, promtool and Prometheus are in
 * test_metrics_http.sh. */
#define _GNU_SOURCE /* strcasestr */
#include "integration/harness.h"

#define MAX_CONNS 16 /* METRICS_HTTP_MAX_CONNS */

/* A loopback port nobody listens on right now (the kernel's pick). */
static int
free_port(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        fail_msg("no free port");
    close(fd);
    return ntohs(sa.sin_port);
}

/* The server of the running test: stop_server() (each test's teardown) stops it even when an
 * assertion ended the test early. */
static struct zserver srv;

static int
stop_server(void **state)
{
    if (srv.pid > 0)
        zserver_stop(&srv);
    return 0;
}

/* Start srv with --metrics-port on a free port (and extra args, up to 4); *mport gets it. */
static void
start_http(int *mport, const char *const *extra)
{
    struct zserver *s = &srv;

    for (int attempt = 0; attempt < 3; attempt++) {
        char port[16];
        const char *args[8] = {"--metrics-port", port};
        int n = 2;
        *mport = free_port();
        snprintf(port, sizeof(port), "%d", *mport);
        for (int i = 0; extra && extra[i] && n < 7; i++)
            args[n++] = extra[i];
        args[n] = NULL;
        if (zserver_start(s, args) == 0)
            return;
    }
    fail_msg("could not start the server with a metrics port");
}

/* Read one response and no more (responses may be pipelined): its status code, or 0 if none
 * arrived in timeout_ms, -1 if the server closed first. The body (by Content-Length) is
 * consumed; *body_len gets its length. */
static int
http_read(int fd, int timeout_ms, size_t *body_len)
{
    char head[16384];
    size_t n = 0, blen = 0, got = 0;
    long long deadline = harness_now_ms() + timeout_ms;
    int in_body = 0;

    while (!in_body || got < blen) {
        char body[4096];
        long long left = deadline - harness_now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return 0;
        /* Headers a byte at a time so as not to read past them; the body by its length. */
        size_t want = in_body ? blen - got : 1;
        ssize_t r = read(fd, in_body ? body : head + n, want < sizeof(body) ? want : sizeof(body));
        if (r <= 0)
            return n ? 0 : -1;
        if (in_body) {
            got += (size_t)r;
            continue;
        }
        head[++n] = '\0';
        if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0) {
            const char *cl = strcasestr(head, "\r\nContent-Length: ");
            blen = cl ? strtoul(cl + 18, NULL, 10) : 0;
            in_body = 1;
        }
        if (n == sizeof(head) - 1)
            fail_msg("response headers too long");
    }
    if (body_len)
        *body_len = blen;
    return atoi(head + 9); /* "HTTP/1.1 200" */
}

/* One request on a new connection; the status (0 / -1 as http_read). */
static int
http_once(int port, const char *request)
{
    int fd = raw_connect(port);
    raw_sends(fd, request);
    int code = http_read(fd, 2000, NULL);
    close(fd);
    return code;
}

static void
expect_ping(const struct zserver *s)
{
    redisContext *c = zserver_connect(s);
    assert_non_null(c);
    expect_status(c, "PONG", "PING");
    redisFree(c);
}

#define GET_HEALTH "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"

/* Write to a connection the server may already have closed: 1 when all was written, 0 when
 * the write met the closed connection (EPIPE or a reset), which the caller then allows. */
static int
send_may_fail(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
        if (n <= 0)
            return 0;
        c += n;
        len -= (size_t)n;
    }
    return 1;
}

static void
test_request_rules(void **state)
{
    struct zserver *s = &srv;
    int mport;
    char big[12 * 1024];

    start_http(&mport, NULL);
    /* Host: required once, naming this machine, in the header and in an absolute target. */
    assert_int_equal(http_once(mport, "GET /health HTTP/1.0\r\n\r\n"), 400);
    assert_int_equal(
        http_once(mport, "GET /health HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n"),
        400);
    assert_int_equal(
        http_once(mport, "GET http://evil.example/health HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        403);
    assert_int_equal(http_once(mport, "GET /health HTTP/1.1\r\nHost: 127.0.0.1.evil\r\n\r\n"), 403);
    assert_int_equal(http_once(mport, "GET /health HTTP/1.1\r\nHost: localhost:\r\n\r\n"), 403);
    assert_int_equal(http_once(mport, "GET /health HTTP/1.1\r\nHost: LOCALHOST:1\r\n\r\n"), 200);
    assert_int_equal(http_once(mport, "GET /health HTTP/1.1\r\nHost: [::1]:9\r\n\r\n"), 200);

    /* Methods: 405 for those libevent knows, 501 (its own answer) for the rest; a small body is
     * read and refused, a large one is 413. */
    assert_int_equal(http_once(mport, "DELETE /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"), 405);
    assert_int_equal(http_once(mport, "POST /metrics HTTP/1.1\r\nHost: localhost\r\n"
                                      "Content-Length: 5\r\n\r\nhello"),
                     405);
    assert_int_equal(http_once(mport, "BREW /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"), 501);
    /* A body over the cap: 413, or, when the server answered and closed before the body was
     * all written, the reset that write met (the peer's RST can discard the 413 unread). */
    int fd = raw_connect(mport);
    raw_sends(fd, "POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
    memset(big, 'x', 5000);
    int sent_all = send_may_fail(fd, big, 5000);
    int status = http_read(fd, 2000, NULL);
    assert_true(status == 413 || (!sent_all && status <= 0));
    close(fd);

    /* More than 8 KiB of headers, in small lines: refused with a 4xx or closed. */
    fd = raw_connect(mport);
    raw_sends(fd, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n");
    static const char filler[] = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    for (int i = 0; i < 200; i++) /* the server may close midway: later writes may fail */
        send_may_fail(fd, filler, sizeof(filler) - 1);
    send_may_fail(fd, "\r\n", 2);
    int code = http_read(fd, 2000, NULL);
    assert_true(code == -1 || (code >= 400 && code < 500));
    close(fd);

    /* Keep-alive: pipelined requests on one connection, each answered; HEAD has the length
     * of the body but no body, and the connection stays usable after it. */
    size_t blen = 0;
    fd = raw_connect(mport);
    raw_sends(fd, "GET /metrics?target=x HTTP/1.1\r\nHost: localhost\r\n\r\n" GET_HEALTH);
    assert_int_equal(http_read(fd, 2000, &blen), 200);
    assert_true(blen > 1000);
    assert_int_equal(http_read(fd, 2000, &blen), 200);
    assert_int_equal(blen, 3);
    raw_sends(fd, "HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
    size_t len;
    int closed;
    char *got = raw_read(fd, (size_t)-1, 300, &len, &closed);
    assert_false(closed);
    assert_non_null(strstr(got, "\r\nContent-Length: "));
    char *hdr_end = strstr(got, "\r\n\r\n");
    assert_non_null(hdr_end);
    assert_int_equal(len, (size_t)(hdr_end - got) + 4); /* nothing after the headers */
    free(got);
    raw_sends(fd, GET_HEALTH);
    assert_int_equal(http_read(fd, 2000, NULL), 200);
    close(fd);
    expect_ping(s);
    zserver_stop(s);
}

static void
test_connection_cap(void **state)
{
    struct zserver *s = &srv;
    int mport, fds[MAX_CONNS + 4];

    start_http(&mport, NULL);
    /* Connections that come and go in every way leave no slot behind: answered, refused,
     * closed by the client before and after a request. */
    for (int i = 0; i < 3 * MAX_CONNS; i++) {
        int fd = raw_connect(mport);
        if (i % 3 == 0)
            raw_sends(fd, GET_HEALTH);
        else if (i % 3 == 1)
            raw_sends(fd, "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n");
        if (i % 3 != 2)
            assert_true(http_read(fd, 2000, NULL) > 0);
        close(fd);
    }
    usleep(200000);

    /* Fill every slot with idle connections, then four more: those wait unserved. */
    for (int i = 0; i < MAX_CONNS + 4; i++) {
        fds[i] = raw_connect(mport);
        if (i == MAX_CONNS - 1)
            usleep(200000); /* let the server take the first 16 before the rest arrive */
    }
    int last = fds[MAX_CONNS + 3];
    raw_sends(last, GET_HEALTH);
    assert_int_equal(http_read(last, 1000, NULL), 0);
    /* The RESP port is untouched by a full HTTP side. */
    expect_ping(s);
    /* Four slots free up: the waiting four are accepted, and the request is answered. */
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    assert_int_equal(http_read(last, 2000, NULL), 200);
    for (int i = 4; i < MAX_CONNS + 4; i++)
        close(fds[i]);
    usleep(200000);

    /* All slots back: 15 idle connections and a 16th served at once. */
    for (int i = 0; i < MAX_CONNS - 1; i++)
        fds[i] = raw_connect(mport);
    assert_int_equal(http_once(mport, GET_HEALTH), 200);
    for (int i = 0; i < MAX_CONNS - 1; i++)
        close(fds[i]);
    zserver_stop(s);
}

/* A silent connection and one that sends a byte every 400 ms are both closed about 5 s after
 * they opened; a keep-alive client that asks every 3 s is served throughout (the deadline
 * restarts with each request). */
static void
test_deadlines(void **state)
{
    struct zserver *s = &srv;
    int mport;
    static const char drip[] = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    start_http(&mport, NULL);
    long long t0 = harness_now_ms();
    int silent = raw_connect(mport);
    int slow = raw_connect(mport);
    int keep = raw_connect(mport);
    long long silent_closed = 0, slow_closed = 0;
    int answered = 0;
    size_t sent = 0;

    for (int tick = 0; tick <= 20; tick++) { /* 8 s in steps of 400 ms */
        long long now = harness_now_ms() - t0;
        if (tick % 8 == 0 && tick <= 16) {
            raw_sends(keep, GET_HEALTH);
            answered += http_read(keep, 1000, NULL) == 200;
        }
        if (!slow_closed && sent < sizeof(drip) - 1) {
            if (write(slow, drip + sent, 1) == 1)
                sent++;
        }
        if (!slow_closed && raw_closed_within(slow, 1))
            slow_closed = now;
        if (!silent_closed && raw_closed_within(silent, 1))
            silent_closed = now;
        if (tick == 10)
            expect_ping(s);
        long long next = t0 + (tick + 1) * 400LL;
        if (next > harness_now_ms())
            usleep((useconds_t)((next - harness_now_ms()) * 1000));
    }
    assert_int_equal(answered, 3);
    assert_true(silent_closed >= 4000 && silent_closed <= 7000);
    assert_true(slow_closed >= 4000 && slow_closed <= 7000);
    assert_true(sent < sizeof(drip) - 1); /* closed before it could finish */
    close(silent);
    close(slow);
    close(keep);
    zserver_stop(s);
}

/* SIGTERM with HTTP connections in every state: every byte is freed at exit, as without them
 * (test_core_start.c demands the same). */
static void
test_exit_memory(void **state)
{
    struct zserver *s = &srv;
    int mport, fds[MAX_CONNS + 2];
    char logf[128];

    snprintf(logf, sizeof(logf), "/tmp/zmem-metrics-http-%d.log", (int)getpid());
    unlink(logf);
    start_http(&mport, (const char *const[]){"--logfile", logf, NULL});
    for (int i = 0; i < MAX_CONNS + 2; i++) {
        fds[i] = raw_connect(mport);
        if (i % 4 == 1)
            raw_sends(fds[i], "GET /metr");
        else if (i % 4 == 2)
            raw_sends(fds[i], "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"); /* unread */
        else if (i % 4 == 3) {
            raw_sends(fds[i], GET_HEALTH);
            assert_int_equal(http_read(fds[i], 2000, NULL), 200);
        }
    }
    usleep(200000);
    int status = zserver_stop(s);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    for (int i = 0; i < MAX_CONNS + 2; i++)
        close(fds[i]);
    FILE *f = fopen(logf, "r");
    assert_non_null(f);
    static char log[65536];
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    log[n] = '\0';
    fclose(f);
    unlink(logf);
    assert_non_null(strstr(log, "Serving Prometheus metrics on http://127.0.0.1:"));
    const char *line = strstr(log, "used_memory at exit: ");
    assert_non_null(line);
    long long left = atoll(line + strlen("used_memory at exit: "));
    if (left != 0)
        fail_msg("used memory left at exit: %lld bytes", left);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_request_rules, stop_server),
        cmocka_unit_test_teardown(test_connection_cap, stop_server),
        cmocka_unit_test_teardown(test_deadlines, stop_server),
        cmocka_unit_test_teardown(test_exit_memory, stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
