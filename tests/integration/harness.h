/* harness.h — the one helper header of the C integration tests (cmocka): start a zmem-server
 * on a free loopback port, connect to it with hiredis, stop it by pid; reply expectations with
 * exact texts; raw sockets for bytes hiredis 0.14 cannot show (RESP3, protocol errors,
 * connection close); INFO text lookups. Header-only: each test binary includes it once.
 *
 * The server binary is $ZMEM_SERVER (tests/integration/run.sh sets it), else build/zmem-server.
 * Ports are picked at random in 20000..59999 and retried if the server cannot bind; the server
 * that answers must be ours (INFO server's process_id), not one that holds the port already.
 *
 * Process hygiene: SIGPIPE is ignored for the whole test process (a server closing on us must
 * fail a test, not kill the run), and every child started here gets SIGTERM when the test
 * process dies, however it dies (PR_SET_PDEATHSIG), so no server outlives its test. A server
 * that cannot start fails the test and its log is printed.
 *
 * $ZMEM_TEST_SLOW=N (make valgrind sets it) multiplies the harness's waits for a server many
 * times slower than native by N: start, stop and the hiredis timeout. Timeouts that tests pass
 * in (raw_read, raw_closed_within) stay as written: several assert that a connection is NOT
 * closed within a time shorter than a server timeout, which a longer wait would break. */
#ifndef ZMEM_TESTS_HARNESS_H
#define ZMEM_TESTS_HARNESS_H

#include <arpa/inet.h>
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "tools.h"

/* A condition with a message saying what should hold, for checks whose values need words. */
#define assert_that(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg(__VA_ARGS__);                                                                 \
    } while (0)

/* Before main: the whole process ignores SIGPIPE, so a write to a socket the server closed
 * returns EPIPE to the test instead of killing it (and leaving its servers behind). */
__attribute__((constructor)) static void
harness_init(void)
{
    signal(SIGPIPE, SIG_IGN);
}

static long long
harness_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The factor of $ZMEM_TEST_SLOW (1 when unset or not a positive number), read once. */
static inline int
harness_slow(void)
{
    static int slow;
    if (slow == 0) {
        const char *e = getenv("ZMEM_TEST_SLOW");
        slow = e ? atoi(e) : 1;
        if (slow < 1)
            slow = 1;
    }
    return slow;
}

/* cmocka_run_group_tests, minus the tests $ZMEM_TEST_SKIP names: space-separated entries
 * "<program>:<test>" (e.g. "test_keyspace:test_counters"), for a run whose server cannot pass
 * them for a reason outside zmem (make valgrind: memcheck computes long double as double).
 * Each skipped test is printed, so a run says what it left out. */
extern char *program_invocation_short_name; /* glibc; errno.h declares it only for _GNU_SOURCE */

static inline int
harness_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                  CMFixtureFunction setup, CMFixtureFunction teardown)
{
    const char *skip = getenv("ZMEM_TEST_SKIP");
    struct CMUnitTest *kept = malloc(n * sizeof(*kept));
    size_t k = 0;
    size_t plen = strlen(program_invocation_short_name);
    for (size_t i = 0; i < n; i++) {
        int skipped = 0;
        for (const char *e = skip; e && *e && !skipped;) {
            size_t len = strcspn(e, " ");
            size_t tlen = strlen(tests[i].name);
            skipped = len == plen + 1 + tlen &&
                      strncmp(e, program_invocation_short_name, plen) == 0 && e[plen] == ':' &&
                      strncmp(e + plen + 1, tests[i].name, tlen) == 0;
            e += len + strspn(e + len, " ");
        }
        if (skipped)
            printf("[ SKIPPED  ] %s (ZMEM_TEST_SKIP)\n", tests[i].name);
        else
            kept[k++] = tests[i];
    }
    int rc = _cmocka_run_group_tests(name, kept, k, setup, teardown);
    free(kept);
    return rc;
}
#undef cmocka_run_group_tests
#define cmocka_run_group_tests(t, setup, teardown)                                                 \
    harness_run_group(#t, t, sizeof(t) / sizeof((t)[0]), setup, teardown)

/* In a child just forked from parent, before exec: ask for SIGTERM when the test process
 * dies, and exit at once if it is already gone (it died before prctl took effect). */
static inline void
harness_child_init(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(1);
}

/* Print a server's log file to stderr, framed, for a failure's reader. */
static inline void
harness_print_log(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    fprintf(stderr, "---- %s ----\n", path);
    if (f == NULL) {
        fprintf(stderr, "(no log: %s)\n", strerror(errno));
        return;
    }
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fclose(f);
    fprintf(stderr, "---- end of %s ----\n", path);
}

/* A random port for a server to listen on: from 20000 up to the kernel's ephemeral range
 * (ip_local_port_range, 32768 by default), where no outgoing connection's local port can be
 * (a busy machine's clients hold many of those); 20000..59999 if that range starts too low.
 * The generator is seeded once per process. */
static inline int
harness_random_port(void)
{
    static int seeded, low = -1;
    if (!seeded) {
        srand((unsigned)(getpid() ^ harness_now_ms()));
        seeded = 1;
    }
    if (low < 0) {
        FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
        if (f == NULL || fscanf(f, "%d", &low) != 1)
            low = 0;
        if (f)
            fclose(f);
    }
    if (low > 21000)
        return 20000 + rand() % (low - 20000);
    return 20000 + rand() % 40000;
}

/* The allocator the server under test was built with: $ZMEM_MALLOC (run.sh passes the
 * Makefile's MALLOC, which is libc under the sanitizers), else jemalloc, the default build. */
static inline const char *
harness_malloc(void)
{
    const char *m = getenv("ZMEM_MALLOC");
    return m != NULL && *m ? m : "jemalloc";
}

/* INFO's mem_allocator ("jemalloc-5.3.0", "tcmalloc-2.10", "libc") names that allocator. */
#define assert_allocator(mem_allocator)                                                            \
    assert_that(strncmp((mem_allocator), harness_malloc(), strlen(harness_malloc())) == 0,         \
                "mem_allocator is '%s' but the build's allocator is %s", (mem_allocator),          \
                harness_malloc())

/* ---- The server under test ---- */

struct zserver {
    pid_t pid;
    int port;
    char log[256]; /* the server's stdout/stderr, for debugging a failure */
};

/* 1 when the server answering on c is process pid. Another server (another test binary, another
 * worktree's run) may hold the port while ours fails to bind it: a PONG alone would send the
 * test to the wrong server. password, when not NULL, is sent with AUTH first. */
static inline int
harness_is_pid(redisContext *c, pid_t pid, const char *password)
{
    if (password != NULL) {
        redisReply *r = redisCommand(c, "AUTH %s", password);
        int ok = r && r->type == REDIS_REPLY_STATUS;
        if (r)
            freeReplyObject(r);
        if (!ok)
            return 0;
    }
    redisReply *r = redisCommand(c, "INFO server");
    long long id = -1;
    if (r && r->type == REDIS_REPLY_STRING) {
        const char *p = strstr(r->str, "\r\nprocess_id:");
        if (p)
            id = atoll(p + strlen("\r\nprocess_id:"));
    }
    if (r)
        freeReplyObject(r);
    return id == (long long)pid;
}

/* Start the server with the extra arguments (NULL-terminated, may be NULL) and wait up to 5 s
 * for it to answer PING. Returns 0, or -1 after 5 port attempts, having printed the last
 * attempt's log: callers assert the 0, so a server that cannot start fails the test. */
static int
zserver_start(struct zserver *s, const char *const *extra)
{
    const char *bin = getenv("ZMEM_SERVER");
    if (bin == NULL)
        bin = "build/zmem-server";
    s->pid = 0;
    s->log[0] = '\0';
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = harness_random_port();
        char portstr[16];
        if (s->log[0])
            unlink(s->log); /* the previous attempt's */
        snprintf(portstr, sizeof(portstr), "%d", port);
        snprintf(s->log, sizeof(s->log), "/tmp/zmem-test-%d-%d.log", (int)getpid(), port);
        const char *argv[64];
        int n = 0;
        argv[n++] = bin;
        argv[n++] = "--port";
        argv[n++] = portstr;
        argv[n++] = "--bind";
        argv[n++] = "127.0.0.1";
        for (int i = 0; extra && extra[i] && n < 62; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        const char *password = NULL;
        for (int i = 0; extra && extra[i] && extra[i + 1]; i++)
            if (strcmp(extra[i], "--requirepass") == 0)
                password = extra[i + 1];
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            harness_child_init(parent);
            int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execv(bin, (char *const *)argv);
            _exit(127);
        }
        s->pid = pid;
        s->port = port;
        long long deadline = harness_now_ms() + 5000LL * harness_slow();
        while (harness_now_ms() < deadline) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                s->pid = 0;
                break; /* exited: port taken or bad arguments; try another port */
            }
            struct timeval tv = {0, 200000};
            redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
            if (c && !c->err) {
                int ok = harness_is_pid(c, pid, password);
                redisFree(c);
                if (ok)
                    return 0;
            } else if (c) {
                redisFree(c);
            }
            usleep(20000);
        }
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            s->pid = 0;
        }
    }
    fprintf(stderr, "could not start %s after 5 attempts; the last one said:\n", bin);
    harness_print_log(s->log);
    unlink(s->log);
    return -1;
}

/* SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status as waitpid reports it, or
 * -1 if it had to be killed. Anything but a clean exit 0 prints the server's log. */
static int
zserver_stop(struct zserver *s)
{
    int status = -1;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    long long deadline = harness_now_ms() + 10000LL * harness_slow();
    while (harness_now_ms() < deadline) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "the server did not exit cleanly (status 0x%x)\n", status);
                harness_print_log(s->log);
            }
            unlink(s->log);
            return status;
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    fprintf(stderr, "the server ignored SIGTERM for 10 s and was killed\n");
    harness_print_log(s->log);
    unlink(s->log);
    return -1;
}

/* A new hiredis connection to the server (5 s timeout), or NULL. */
static redisContext *
zserver_connect(const struct zserver *s)
{
    struct timeval tv = {5 * harness_slow(), 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
    if (c == NULL || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

/* Start a server and connect to it, failing the test if either goes wrong. */
static inline redisContext *
zserver_start_connect(struct zserver *s, const char *const *extra)
{
    assert_int_equal(zserver_start(s, extra), 0);
    redisContext *c = zserver_connect(s);
    if (c == NULL) {
        harness_print_log(s->log);
        zserver_stop(s);
        fail_msg("could not connect to the server on port %d", s->port);
    }
    return c;
}

/* Value of the INFO field "name" from "INFO <section>" on c, or -1 when the field is missing or
 * the reply is not a bulk string. */
static inline long long
zserver_info_field(redisContext *c, const char *section, const char *name)
{
    redisReply *r = redisCommand(c, "INFO %s", section);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_STRING) {
        char key[128];
        snprintf(key, sizeof(key), "\r\n%s:", name);
        char *p = strstr(r->str, key);
        if (p == NULL && strncmp(r->str, key + 2, strlen(key + 2)) == 0)
            p = r->str - 2; /* the text's first line */
        if (p)
            v = atoll(p + strlen(key));
    }
    if (r)
        freeReplyObject(r);
    return v;
}

/* Value of "name:" in "INFO <section>"; fails the test when the field is missing. */
static inline long long
info_field(redisContext *c, const char *section, const char *name)
{
    long long v = zserver_info_field(c, section, name);
    assert_that(v >= 0, "INFO %s has no field %s", section, name);
    return v;
}

/* ---- Replies with exact texts ---- */

static inline redisReply *
cu_vrun(redisContext *c, const char *fmt, va_list ap)
{
    redisReply *r = redisvCommand(c, fmt, ap);
    if (r == NULL)
        fail_msg("no reply to '%s' (%s)", fmt, c->errstr);
    return r;
}

static inline redisReply *
cu_run(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    return r;
}

static inline void
cu_expect(redisContext *c, int type, const char *want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    if (r->type != type || (want && (r->str == NULL || strcmp(r->str, want) != 0)))
        fail_msg("'%s': wanted type %d '%s', got type %d '%s'", fmt, type, want ? want : "",
                 r->type, r->str ? r->str : "");
    freeReplyObject(r);
}

#define expect_status(c, want, ...) cu_expect(c, REDIS_REPLY_STATUS, want, __VA_ARGS__)
#define expect_error(c, want, ...)  cu_expect(c, REDIS_REPLY_ERROR, want, __VA_ARGS__)
#define expect_bulk(c, want, ...)   cu_expect(c, REDIS_REPLY_STRING, want, __VA_ARGS__)
#define expect_nil(c, ...)          cu_expect(c, REDIS_REPLY_NIL, NULL, __VA_ARGS__)

/* An integer reply equal to want. */
static inline void
expect_int(redisContext *c, long long want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_INTEGER || r->integer != want)
        fail_msg("'%s': wanted :%lld, got type %d int %lld str '%s'", fmt, want, r->type,
                 r->integer, r->str ? r->str : "");
    freeReplyObject(r);
}

static inline long long
cu_int(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(c, fmt, ap);
    va_end(ap);
    if (r->type != REDIS_REPLY_INTEGER)
        fail_msg("'%s': wanted an integer, got type %d '%s'", fmt, r->type, r->str ? r->str : "");
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

/* ---- Raw sockets ---- */

static inline int
raw_connect(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        fail_msg("raw connect to %d failed", port);
    return fd;
}

static inline void
raw_send(int fd, const void *p, size_t len)
{
    const char *s = p;
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n <= 0)
            fail_msg("raw write failed");
        s += n;
        len -= (size_t)n;
    }
}

static inline void
raw_sends(int fd, const char *s)
{
    raw_send(fd, s, strlen(s));
}

/* Read until want bytes arrived, the peer closed (*closed = 1), or timeout_ms passed.
 * Returns a malloc'd NUL-terminated buffer; *len gets its length. */
static inline char *
raw_read(int fd, size_t want, int timeout_ms, size_t *len, int *closed)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    long long deadline = harness_now_ms() + timeout_ms;
    *closed = 0;
    while (n < want) {
        long long left = deadline - harness_now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            break;
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            buf = realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r <= 0) {
            *closed = 1;
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Send s, expect exactly the bytes want back within 2 s. */
static inline void
raw_expect(int fd, const char *s, const char *want)
{
    size_t len;
    int closed;
    raw_sends(fd, s);
    char *got = raw_read(fd, strlen(want), 2000, &len, &closed);
    if (len != strlen(want) || memcmp(got, want, len) != 0)
        fail_msg("sent %s: wanted %s, got %s", s, want, got);
    free(got);
}

/* 1 if the peer closes the connection within timeout_ms. */
static inline int
raw_closed_within(int fd, int timeout_ms)
{
    size_t len;
    int closed;
    char *got = raw_read(fd, (size_t)-2, timeout_ms, &len, &closed);
    free(got);
    return closed;
}

/* ---- INFO text ---- */

/* SET <prefix><i> <value_len bytes> for i in 0..n-1 in the current database, pipelined. */
static inline void
fill_strings(redisContext *c, const char *prefix, int n, int value_len)
{
    char *value = malloc((size_t)value_len + 1);
    memset(value, 'v', (size_t)value_len);
    value[value_len] = '\0';
    for (int i = 0; i < n; i++)
        redisAppendCommand(c, "SET %s%d %s", prefix, i, value);
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK)
            break;
        freeReplyObject(r);
    }
    free(value);
}

/* The text of an INFO reply (malloc'd, "" on error). */
static inline char *
info_text(redisContext *c, const char *sections)
{
    const char *argv[16];
    char words[256];
    int argc = 0;

    /* One argument per space-separated section name. */
    argv[argc++] = "INFO";
    snprintf(words, sizeof(words), "%s", sections ? sections : "");
    for (char *w = strtok(words, " "); w && argc < 16; w = strtok(NULL, " "))
        argv[argc++] = w;
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    char *s = strdup(r && r->type == REDIS_REPLY_STRING ? r->str : "");
    if (r)
        freeReplyObject(r);
    return s;
}

/* Value of "name:" at the start of a line of INFO text, copied into dst; 0 if found. */
static inline int
info_text_field(const char *info, const char *name, char *dst, size_t size)
{
    size_t n = strlen(name);
    for (const char *p = info; p && *p;) {
        if (strncmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            if (len >= size)
                len = size - 1;
            memcpy(dst, v, len);
            dst[len] = '\0';
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

static inline long long
info_ll(const char *info, const char *name)
{
    char v[64];
    return info_text_field(info, name, v, sizeof(v)) == 0 ? strtoll(v, NULL, 10) : -999999;
}

static inline double
info_double(const char *info, const char *name)
{
    char v[64];
    return info_text_field(info, name, v, sizeof(v)) == 0 ? strtod(v, NULL) : -999999;
}

/* Send raw bytes on a new connection, read until `want` bytes arrived or 1 s of silence.
 * Returns the bytes read (malloc'd, NUL-terminated; *len set). */
static inline char *
raw_exchange(int port, const char *send_bytes, size_t send_len, size_t want, size_t *len)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap + 1);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        if (fd >= 0)
            close(fd);
        out[0] = '\0';
        *len = 0;
        return out;
    }
    if (write(fd, send_bytes, send_len) != (ssize_t)send_len)
        n = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (n >= want || poll(&p, 1, 1000) <= 0)
            break;
        if (n == cap) {
            cap *= 2;
            out = realloc(out, cap + 1);
        }
        ssize_t got = read(fd, out + n, cap - n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    out[n] = '\0';
    *len = n;
    return out;
}

/* _human as compat.md §1.3 states it, written independently of the server's. */
static inline void
human_bytes(unsigned long long n, char *dst, size_t size)
{
    const char *u = "KMGTP";
    double d = (double)n;
    if (n < 1024) {
        snprintf(dst, size, "%lluB", n);
        return;
    }
    for (int i = 0; i < 5; i++) {
        d /= 1024;
        if (d < 1024) {
            snprintf(dst, size, "%.2f%c", d, u[i]);
            return;
        }
    }
    snprintf(dst, size, "%lluB", n);
}

#endif
