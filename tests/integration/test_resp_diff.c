/* test_resp_diff — differential test: the same byte streams go to a real redis-server and to
 * resp_parse, and the outcomes must agree: the protocol error text, and for every command the
 * parser yields, the reply Redis gives (predicted exactly for PING, ECHO, QUIT and unknown
 * commands). The server is started here on a random loopback port, with a password so that
 * unauthenticated limits can be checked too, and stopped by pid (it dies with the test:
 * harness.h). redis-server is an optional tool: without it the tests are skipped, loudly and
 * counted, or fail under CI=true (tools.h). ZMEM_REDIS_SERVER names another binary. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "integration/harness.h"
#include "resp_parse.h"
#include "zmalloc.h"

#define PASSWORD      "zmem-diff-pw"
#define IO_TIMEOUT_MS 5000

static pid_t redis_pid = -1;
static int redis_port;
static char redis_bin[512];

/* ---- The redis-server under test ---- */

/* Find redis-server on PATH (or ZMEM_REDIS_SERVER); 0 when there is none. */
static int
find_redis(void)
{
    const char *env = getenv("ZMEM_REDIS_SERVER");

    if (env != NULL && *env) {
        snprintf(redis_bin, sizeof(redis_bin), "%s", env);
        return access(redis_bin, X_OK) == 0;
    }
    return tools_find("redis-server", redis_bin, sizeof(redis_bin)) == 0;
}

/* In each test: the server group_setup started. Without redis-server installed the test is
 * skipped (printed, counted) or, under CI=true, failed. */
#define require_redis()                                                                            \
    do {                                                                                           \
        if (redis_pid <= 0)                                                                        \
            require_tool("redis-server", "the real Redis to compare the parser with");             \
        assert_true(redis_pid > 0);                                                                \
    } while (0)

static int
connect_port(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read until EOF (or a reset), at most max bytes or until the deadline. */
static size_t
recv_until_eof(int fd, char *out, size_t max, int64_t deadline)
{
    size_t got = 0;

    while (got < max) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int64_t left = deadline - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        n = recv(fd, out + got, max - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* Read exactly len bytes (a known short reply). */
static int
recv_exact(int fd, char *out, size_t len)
{
    int64_t deadline = now_ms() + IO_TIMEOUT_MS;
    size_t got = 0;

    while (got < len) {
        struct pollfd pfd = {fd, POLLIN, 0};
        ssize_t n;

        if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
            return -1;
        n = recv(fd, out + got, len - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static void
stop_redis(void)
{
    int i;

    if (redis_pid <= 0)
        return;
    kill(redis_pid, SIGTERM);
    for (i = 0; i < 100; i++) {
        if (waitpid(redis_pid, NULL, WNOHANG) == redis_pid) {
            redis_pid = -1;
            return;
        }
        usleep(20000);
    }
    kill(redis_pid, SIGKILL);
    waitpid(redis_pid, NULL, 0);
    redis_pid = -1;
}

/* Start redis-server on port; 0 once it answers, -1 if it died (port taken) or timed out. */
static int
start_redis_on(int port)
{
    char portstr[16];
    int64_t deadline;
    pid_t parent = getpid();

    snprintf(portstr, sizeof(portstr), "%d", port);
    redis_pid = fork();
    if (redis_pid < 0)
        return -1;
    if (redis_pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        harness_child_init(parent); /* die with the test, whatever way it ends */
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execl(redis_bin, redis_bin, "--port", portstr, "--bind", "127.0.0.1", "--save", "",
              "--appendonly", "no", "--requirepass", PASSWORD, "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    deadline = now_ms() + IO_TIMEOUT_MS;
    while (now_ms() < deadline) {
        int fd;

        if (waitpid(redis_pid, NULL, WNOHANG) == redis_pid) {
            redis_pid = -1;
            return -1;
        }
        fd = connect_port(port);
        if (fd >= 0) {
            char reply[5];
            int ok = send_all(fd, "AUTH " PASSWORD "\r\n", 7 + strlen(PASSWORD)) == 0 &&
                     recv_exact(fd, reply, 5) == 0 && memcmp(reply, "+OK\r\n", 5) == 0;

            close(fd);
            if (ok)
                return 0;
        }
        usleep(20000);
    }
    stop_redis();
    return -1;
}

static int
group_setup(void **state)
{
    int tries;

    if (!find_redis()) {
        const char *env = getenv("ZMEM_REDIS_SERVER");
        if (env != NULL && *env) {
            fprintf(stderr, "ZMEM_REDIS_SERVER=%s is not an executable\n", env);
            return -1;
        }
        return 0; /* not installed: require_redis() in each test says so */
    }
    atexit(stop_redis);
    srand((unsigned)getpid() ^ (unsigned)now_ms());
    /* A random port away from 6379; retry when it is taken. */
    for (tries = 0; tries < 8; tries++) {
        redis_port = harness_random_port();
        if (start_redis_on(redis_port) == 0)
            return 0;
    }
    return -1;
}

static int
group_teardown(void **state)
{
    stop_redis();
    return 0;
}

/* ---- One case: bytes to Redis on a fresh connection, and to the parser ---- */

#define OUT_MAX (1 << 20)

static char redis_out[OUT_MAX];

/* Send a stream on a fresh connection, half-close, and collect all Redis answers. */
static size_t
ask_redis(const char *in, size_t len, int authenticated)
{
    int fd = connect_port(redis_port);
    char ok[5];
    size_t n;

    assert_true(fd >= 0);
    if (authenticated) {
        assert_int_equal(send_all(fd, "AUTH " PASSWORD "\r\n", 7 + strlen(PASSWORD)), 0);
        assert_int_equal(recv_exact(fd, ok, 5), 0);
        assert_memory_equal(ok, "+OK\r\n", 5);
    }
    /* Redis may close early on a protocol error; a failed send is then expected. */
    (void)send_all(fd, in, len);
    /* EOF makes Redis answer what it has parsed and close, so we need no timeout guess. */
    shutdown(fd, SHUT_WR);
    n = recv_until_eof(fd, redis_out, OUT_MAX, now_ms() + IO_TIMEOUT_MS);
    close(fd);
    return n;
}

/* Length of the one RESP2 reply at s[0..n), or 0 when it is not complete. */
static size_t
reply_len(const char *s, size_t n)
{
    const char *cr = n ? memchr(s, '\r', n) : NULL;
    size_t line, total;
    long long count, i;

    if (cr == NULL || (size_t)(cr - s) + 2 > n)
        return 0;
    line = (size_t)(cr - s) + 2;
    if (s[0] == '+' || s[0] == '-' || s[0] == ':')
        return line;
    count = strtoll(s + 1, NULL, 10);
    if (s[0] == '$')
        return count < 0 ? line : line + (size_t)count + 2 <= n ? line + (size_t)count + 2 : 0;
    if (s[0] != '*')
        return 0;
    for (total = line, i = 0; i < count; i++) {
        size_t e = reply_len(s + total, n - total);

        if (e == 0)
            return 0;
        total += e;
    }
    return total;
}

/* Printable form of bytes for failure messages. */
static const char *
esc(const char *s, size_t n)
{
    static char out[4][600];
    static unsigned which;
    char *o = out[which++ % 4];
    size_t i, k = 0;

    for (i = 0; i < n && k < sizeof(out[0]) - 8; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r')
            k += (size_t)sprintf(o + k, "\\r");
        else if (c == '\n')
            k += (size_t)sprintf(o + k, "\\n");
        else if (c < 32 || c > 126 || c == '\\')
            k += (size_t)sprintf(o + k, "\\x%02x", c);
        else
            o[k++] = (char)c;
    }
    if (i < n)
        k += (size_t)sprintf(o + k, "...");
    o[k] = '\0';
    return o;
}

/* Append "-<text>\r\n" with CR and LF mapped to spaces, as Redis does. */
static void
want_error(struct buf *w, const char *text, size_t len)
{
    size_t start = w->len, i;

    buf_append(w, "-", 1);
    buf_append(w, text, len);
    for (i = start + 1; i < w->len; i++) {
        if (w->data[i] == '\r' || w->data[i] == '\n')
            w->data[i] = ' ';
    }
    buf_append(w, "\r\n", 2);
}

static int
name_is(const struct resp_arg *a, const char *name)
{
    return a->len == strlen(name) && strncasecmp(a->ptr, name, a->len) == 0;
}

/* Redis's %.*s: stops at a NUL. */
static size_t
cstr_len(const struct resp_arg *a, size_t max)
{
    const char *nul = memchr(a->ptr, '\0', a->len);
    size_t n = nul ? (size_t)(nul - a->ptr) : a->len;

    return n < max ? n : max;
}

/* The reply Redis 7.0.15 gives to argv, appended to w; 0 when we do not model the command.
 * Existence and arity are checked before authentication, as in processCommand(). */
static int
predict(struct buf *w, const struct resp_parser *p, int authenticated, int *quit)
{
    const struct resp_arg *a = p->argv;
    static const char noauth[] = "NOAUTH Authentication required.";
    static const char *const real[] = {"set", "get", "auth", "hello", "del", "post", "host:"};
    char text[1024];
    size_t i, n;

    if (name_is(&a[0], "quit")) {
        buf_append(w, "+OK\r\n", 5);
        *quit = 1;
        return 1;
    }
    if (name_is(&a[0], "ping") || name_is(&a[0], "echo")) {
        int ping = name_is(&a[0], "ping");

        if (ping ? p->argc > 2 && authenticated : p->argc != 2) {
            n = (size_t)snprintf(text, sizeof(text),
                                 "ERR wrong number of arguments for '%s' command",
                                 ping ? "ping" : "echo");
            want_error(w, text, n);
        } else if (!authenticated) {
            want_error(w, noauth, sizeof(noauth) - 1);
        } else if (p->argc == 1) {
            buf_append(w, "+PONG\r\n", 7);
        } else {
            buf_printf(w, "$%zu\r\n", a[1].len);
            buf_append(w, a[1].ptr, a[1].len);
            buf_append(w, "\r\n", 2);
        }
        return 1;
    }
    for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
        if (name_is(&a[0], real[i]))
            return 0;
    }
    /* "unknown command '%.128s', with args beginning with: " then "'%.*s' " per argument
     * while the list is under 128 bytes, each cut to what is left of the 128. */
    n = (size_t)snprintf(text, sizeof(text),
                         "ERR unknown command '%.*s', with args beginning with: ",
                         (int)cstr_len(&a[0], 128), a[0].ptr);
    {
        size_t args = 0;
        int k;

        for (k = 1; k < p->argc && args < 128; k++) {
            size_t m = (size_t)snprintf(text + n, sizeof(text) - n, "'%.*s' ",
                                        (int)cstr_len(&a[k], 128 - args), a[k].ptr);
            n += m;
            args += m;
        }
    }
    want_error(w, text, n);
    return 1;
}

struct outcome {
    int ncmds;
    int status;
    char errstr[128];
};

/* Parse the stream in one piece, and compare, reply by reply, with what Redis sent. */
static void
check_stream(const char *name, const char *in, size_t len, int authenticated)
{
    struct resp_parser p;
    struct buf want = BUF_INIT;
    size_t got = ask_redis(in, len, authenticated), off = 0, consumed;
    int rc = RESP_INCOMPLETE, quit = 0, ncmds = 0;

    resp_parser_init(&p);
    p.authenticated = authenticated;
    while (!quit && (rc = resp_parse(&p, in + off, len - off, &consumed)) == RESP_OK) {
        size_t start = want.len;
        size_t e = reply_len(redis_out + start, got > start ? got - start : 0);
        int known;

        off += consumed;
        ncmds++;
        if (e == 0)
            fail_msg("%s: command %d (%s) got no reply from Redis; Redis said: %s", name, ncmds,
                     esc(p.argv[0].ptr, p.argv[0].len), esc(redis_out, got));
        known = predict(&want, &p, authenticated, &quit);
        if (!known)
            buf_append(&want, redis_out + start, e);
        if (want.len != start + e || memcmp(want.data + start, redis_out + start, e) != 0)
            fail_msg("%s: command %d: Redis replied %s, expected %s", name, ncmds,
                     esc(redis_out + start, e), esc(want.data + start, want.len - start));
    }
    if (!quit && rc == RESP_ERR)
        want_error(&want, p.errstr, strlen(p.errstr));
    assert_false(want.oom);
    if (want.len != got || (got > 0 && memcmp(want.data, redis_out, got) != 0))
        fail_msg("%s: input %s\n  Redis: %s\n  ours:  %s", name, esc(in, len), esc(redis_out, got),
                 esc(want.data, want.len));
    resp_parser_deinit(&p);
    buf_free(&want);
}

/* ---- Cases ---- */

struct dcase {
    const char *name;
    const char *bytes;
    size_t len;
    int authenticated;
};

#define C(name, lit)                                                                               \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, 1                                                              \
    }
#define U(name, lit)                                                                               \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, 0                                                              \
    }

/* The cases of docs/limits.md, "Bad inputs, case by case" (I*, M*, A*), plus edges. */
static const struct dcase cases[] = {
    C("I1 empty query", "\r\n"),
    C("I2 lone LF", "\n"),
    C("I3 bare LF", "PING\n"),
    C("I4 blanks", "  PING \t \r\n"),
    C("I5 unbalanced quotes", "set \"\"\"test-key\"\"\" test-value\r\nping\r\n"),
    C("I6 unterminated quote", "ECHO \"abc\r\n"),
    C("I7 quote then letter", "ECHO \"a\"b\r\n"),
    C("I8 hex escape", "ECHO \"a\\x41\\n\"\r\n"),
    C("I9 unknown command", "NOSUCHCMD a b\r\n"),
    C("I19 quit", "PING\r\nQUIT\r\nPING\r\n"),
    C("I21 RESP3 type byte", "%1\r\n"),
    C("M1 negative count", "*-10\r\n"),
    C("M2 zero count", "*0\r\n"),
    C("M3 count over INT_MAX", "*3000000000\r\n"),
    C("M4 INT_MAX+1", "*2147483648\r\n"),
    C("M5 INT_MAX", "*2147483647\r\n"),
    C("M5 then PING", "*2147483647\r\nPING\r\n"),
    C("M6 non-number count", "*abc\r\n"),
    C("M7 empty count", "*\r\n"),
    C("M8 leading zero", "*01\r\n$4\r\nPING\r\n"),
    C("M9 plus sign", "*+1\r\n$4\r\nPING\r\n"),
    C("M10 space", "* 1\r\n$4\r\nPING\r\n"),
    C("M11 no bulk header", "*1\r\nfoo\r\n"),
    C("M12 wrong payload header", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
    C("M13 negative bulk", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n"),
    C("M14 null bulk", "*1\r\n$-1\r\n"),
    C("M15 bulk over limit", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n"),
    C("M16 non-number bulk", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n"),
    C("M17 bulk leading zero", "*1\r\n$04\r\nPING\r\n"),
    C("M18 limit+1", "*1\r\n$536870913\r\n"),
    C("M18 limit", "*1\r\n$536870912\r\n"),
    C("M19 unchecked CRLF", "*1\r\n$4\r\nPINGxx"),
    C("M20 desync", "*1\r\n$4\r\nPING\n*1\r\n$4\r\nPING\r\n"),
    C("M21 binary payload", "*2\r\n$4\r\nECHO\r\n$5\r\na\0\r\nb\r\n"),
    C("M22 integer element", "*1\r\n:4\r\n"),
    C("M23 LF-only framing", "*1\n$4\nPING\n"),
    C("M24 empty name", "*1\r\n$0\r\n\r\n"),
    C("M25 CRLF in args", "*2\r\n$3\r\nFOO\r\n$6\r\na\r\nb\r\n\r\n"),
    C("M28 error mid-pipeline", "*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n"),
    C("M29 mixed types", "*1\r\n$4\r\nPING\r\nPING\r\n"),
    C("M32 overflow", "*1\r\n$99999999999999999999\r\n"),
    C("M33 nested array", "*1\r\n*1\r\n$4\r\nPING\r\n"),
    C("count -0", "*-0\r\n"),
    C("bulk -0", "*1\r\n$-0\r\n"),
    C("header CR then any byte", "*1\rX$4\rYPING\r\n"),
    C("CR as element type", "*1\r\n\r\r\n"),
    C("LF as element type", "*1\r\n\n\r\n"),
    C("high byte as element type", "*1\r\n\xff\r\n"),
    C("vertical tab", "ECHO \"a\"\vb\r\n\vECHO a\vb\r\n"),
    C("bad hex escape", "ECHO \"\\x4\" \"\\xZZ\"\r\nECHO \"\\q\"\r\n"),
    C("single quotes", "ECHO 'a\\'b'\r\nECHO 'a\\nb'\r\n"),
    C("mid-token quote", "ECHO a\"b c\"\r\n"),
    C("trailing backslash", "ECHO \"a\\\r\n"),
    C("CR inside line", "PING\rPING\r\nECHO x\r\r\n"),
    C("empty quotes", "ECHO \"\"\r\nECHO ''\r\n\"\"\r\n"),
    C("partial bulk", "*1\r\n$4\r\nPING\r"),
    C("ignored then command", "*0\r\n*-1\r\n\r\n  \r\nPING\r\n"),
    U("A1 unauth count 11", "*11\r\n"),
    U("unauth 10 arguments", "*10\r\n$4\r\nECHO\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
                             "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n*11\r\n"),
    U("A2 unauth count 10", "*10\r\n"),
    U("A2 then PING", "*10\r\nPING\r\n"),
    U("A3 unauth bulk 16385", "*1\r\n$16385\r\n"),
    U("A4 unauth bulk 16384", "*1\r\n$16384\r\n"),
    U("A5 noauth", "GET k\r\n"),
    U("A12 noauth ping", "PING\r\n*1\r\n$4\r\nPING\r\n"),
    U("unauth invalid before unauth", "*2147483648\r\n"),
    U("unauth unknown command", "NOSUCH a\r\n"),
    U("unauth arity", "ECHO\r\nPING a b\r\n"),
    U("unauth inline has no cap", "PING a b c d e f g h i j k l\r\n"),
};

static void
test_cases(void **state)
{
    size_t i;

    require_redis();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_stream(cases[i].name, cases[i].bytes, cases[i].len, cases[i].authenticated);
    printf("[ DIFF     ] %zu fixed cases agree with %s\n", i, redis_bin);
}

/* n copies of c between a prefix (which may hold NULs) and a suffix. */
static void
check_filled(const char *name, const char *prefix, size_t plen, char c, size_t n,
             const char *suffix, int authenticated)
{
    struct buf b = BUF_INIT;

    buf_append(&b, prefix, plen);
    assert_int_equal(buf_reserve(&b, n), 0);
    memset(b.data + b.len, c, n);
    b.len += n;
    buf_append_str(&b, suffix);
    check_stream(name, b.data, b.len, authenticated);
    buf_free(&b);
}

static void
test_big_lines(void **state)
{
    require_redis();
#define FILLED(name, prefix, c, n, suffix, auth)                                                   \
    check_filled(name, prefix, sizeof(prefix) - 1, c, n, suffix, auth)
    FILLED("I11 inline 70000", "", 'A', 70000, "", 1);
    FILLED("I12 NUL then 70000", "\0", 'A', 70000, "\n", 1);
    FILLED("I13 NUL count line", "*\0", 'A', 70000, "", 1);
    FILLED("I14 dollar inline", "$\0", 'A', 70000, "", 1);
    FILLED("M30 bulk count string", "*1\r\n$", '1', 70000, "", 1);
    FILLED("M31 mbulk count string", "*", '1', 70000, "", 1);
    FILLED("inline 65536 waits", "", 'A', 65536, "", 1);
    FILLED("M26 long name", "*1\r\n$300\r\n", 'X', 300, "\r\n", 1);
    FILLED("unknown long args", "NOSUCH aaa ", 'b', 200, " c\r\n", 1);
    FILLED("unauth bulk 16384 payload", "*2\r\n$4\r\nECHO\r\n$16384\r\n", 'z', 16384, "\r\n", 0);
    FILLED("auth bulk 100000 payload", "*2\r\n$4\r\nECHO\r\n$100000\r\n", 'z', 100000,
           "\r\nPING\r\n", 1);
#undef FILLED
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static unsigned
rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Random inline lines over the bytes that matter to sdssplitargs. */
static void
test_random_inline(void **state)
{
    static const char alphabet[] = "ab\"'\\x4Fn \t\v\r";
    char line[64];
    int i;

    require_redis();
    for (i = 0; i < 400; i++) {
        size_t n = 5, len = 5 + rnd(20);

        memcpy(line, "ECHO ", 5);
        while (n < len)
            line[n++] = alphabet[rnd(sizeof(alphabet) - 1)];
        line[n++] = '\r';
        line[n++] = '\n';
        check_stream("random inline", line, n, 1);
    }
    printf("[ DIFF     ] 400 random inline lines agree\n");
}

/* Valid pipelines with one to three bytes changed into framing-relevant bytes. */
static void
test_random_mutations(void **state)
{
    static const char base[] = "*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n"
                               "PING\r\n"
                               "*1\r\n$4\r\nPING\r\n"
                               "ECHO \"q\\x41\" \r\n"
                               "*3\r\n$4\r\nPING\r\n$1\r\nx\r\n$1\r\ny\r\n";
    static const char alphabet[] = "*$\r\n0123456789-+ \"'\\xa:";
    char s[sizeof(base)];
    int i, k;

    require_redis();
    for (i = 0; i < 600; i++) {
        int edits = 1 + (int)rnd(3);

        memcpy(s, base, sizeof(base));
        for (k = 0; k < edits; k++)
            s[rnd(sizeof(base) - 1)] = alphabet[rnd(sizeof(alphabet) - 1)];
        /* One in four unauthenticated: NOAUTH replies and the 10-argument cap. */
        check_stream("mutation", s, sizeof(base) - 1, i % 4 != 0);
    }
    printf("[ DIFF     ] 600 mutated pipelines agree\n");
}

/* Where we differ on purpose (resp_parse.h): a NUL is an ordinary byte to us, while Redis's
 * strchr() stops at it and waits for 64 KiB. Pin down both sides so a change is noticed. */
static void
test_documented_differences(void **state)
{
    static const char nul_header[] = "*1\r\n\0\r\n";
    static const char nul_inline[] = "ECHO a\0b\r\n";
    struct resp_parser p;
    size_t consumed;

    require_redis();
    assert_int_equal(ask_redis(nul_header, sizeof(nul_header) - 1, 1), 0);
    assert_int_equal(ask_redis(nul_inline, sizeof(nul_inline) - 1, 1), 0);
    resp_parser_init(&p);
    assert_int_equal(resp_parse(&p, nul_header, sizeof(nul_header) - 1, &consumed), RESP_ERR);
    assert_string_equal(p.errstr, "ERR Protocol error: expected '$', got ' '");
    resp_parser_reset(&p);
    assert_int_equal(resp_parse(&p, nul_inline, sizeof(nul_inline) - 1, &consumed), RESP_OK);
    assert_int_equal(p.argc, 2);
    assert_int_equal(p.argv[1].len, 3);
    resp_parser_deinit(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_big_lines),
        cmocka_unit_test(test_random_inline),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_documented_differences),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
