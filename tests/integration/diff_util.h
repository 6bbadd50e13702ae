/* diff_util.h — differential checks for the integration tests: start a real redis-server on a
 * free loopback port (no persistence, stopped by pid), send the same commands to it and to
 * zmem over hiredis (RESP2), and compare the replies exactly (type, bytes, nesting), or by
 * count and membership for the commands that draw at random. Header-only, included once per
 * test binary after harness.h. A test calls diff_start() and skips when it returns 1 (no
 * redis-server installed; ZMEM_REDIS_SERVER names another binary). */
#ifndef ZMEM_TESTS_DIFF_UTIL_H
#define ZMEM_TESTS_DIFF_UTIL_H

#include <sys/prctl.h>

#include "integration/harness.h"

struct diff {
    pid_t pid;           /* the redis-server */
    redisContext *z, *r; /* connections to zmem and to redis-server */
    long cases, agree;
};

/* Find redis-server on PATH (or $ZMEM_REDIS_SERVER) into bin; 0 when there is none. */
static int
diff_find_redis(char *bin, size_t size)
{
    const char *env = getenv("ZMEM_REDIS_SERVER");
    if (env && *env) {
        snprintf(bin, size, "%s", env);
        return access(bin, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        int n = colon ? (int)(colon - path) : (int)strlen(path);
        snprintf(bin, size, "%.*s/redis-server", n, path);
        if (n > 0 && access(bin, X_OK) == 0)
            return 1;
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* Stop the redis-server by its pid and close both connections. */
static void
diff_stop(struct diff *d)
{
    if (d->r)
        redisFree(d->r);
    d->r = NULL;
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        for (int i = 0; i < 250 && waitpid(d->pid, NULL, WNOHANG) != d->pid; i++) {
            usleep(20000);
            if (i == 249) {
                kill(d->pid, SIGKILL);
                waitpid(d->pid, NULL, 0);
            }
        }
    }
    d->pid = 0;
}

/* Start redis-server and connect to it; d->z is the caller's zmem connection. 0, 1 when
 * redis-server is not installed (skip), -1 when it would not start. */
static int
diff_start(struct diff *d, redisContext *zmem)
{
    char bin[512];
    memset(d, 0, sizeof(*d));
    d->z = zmem;
    if (!diff_find_redis(bin, sizeof(bin)))
        return 1;
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = 20000 + rand() % 40000;
        char portstr[16];
        snprintf(portstr, sizeof(portstr), "%d", port);
        pid_t parent = getpid();
        d->pid = fork();
        if (d->pid < 0)
            return -1;
        if (d->pid == 0) {
            int devnull = open("/dev/null", O_RDWR);
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the test, however it ends */
            if (getppid() != parent)
                _exit(1);
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(bin, bin, "--port", portstr, "--bind", "127.0.0.1", "--save", "", "--appendonly",
                  "no", "--daemonize", "no", (char *)NULL);
            _exit(127);
        }
        long long deadline = harness_now_ms() + 5000;
        while (harness_now_ms() < deadline) {
            if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
                break; /* died: port taken */
            struct timeval tv = {5, 0};
            redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
            if (c && !c->err) {
                redisReply *r = redisCommand(c, "PING");
                int ok = r && r->type == REDIS_REPLY_STATUS;
                if (r)
                    freeReplyObject(r);
                if (ok) {
                    redisSetTimeout(c, tv);
                    d->r = c;
                    return 0;
                }
            }
            if (c)
                redisFree(c);
            usleep(20000);
        }
        diff_stop(d);
    }
    return -1;
}

static int
diff_reply_equal(const redisReply *a, const redisReply *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case REDIS_REPLY_INTEGER:
        return a->integer == b->integer;
    case REDIS_REPLY_NIL:
        return 1;
    case REDIS_REPLY_ARRAY:
        if (a->elements != b->elements)
            return 0;
        for (size_t i = 0; i < a->elements; i++)
            if (!diff_reply_equal(a->element[i], b->element[i]))
                return 0;
        return 1;
    default:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    }
}

static void
diff_print(const redisReply *r)
{
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        fprintf(stderr, "(int)%lld", r->integer);
        break;
    case REDIS_REPLY_NIL:
        fprintf(stderr, "(nil)");
        break;
    case REDIS_REPLY_ARRAY:
        fprintf(stderr, "[");
        for (size_t i = 0; i < r->elements; i++) {
            if (i)
                fprintf(stderr, " ");
            diff_print(r->element[i]);
        }
        fprintf(stderr, "]");
        break;
    case REDIS_REPLY_ERROR:
        fprintf(stderr, "(err)%.*s", (int)r->len, r->str);
        break;
    default:
        fprintf(stderr, "'%.*s'", r->len > 60 ? 60 : (int)r->len, r->str);
    }
}

/* How diff_argv compares: exactly, or (ZRANDMEMBER, HRANDFIELD) the same reply type and
 * length, every returned member checked with member_cmd ("ZSCORE", "HEXISTS") on redis. */
enum diff_mode { DIFF_EXACT, DIFF_MEMBERS };

struct diff_check {
    enum diff_mode mode;
    const char *member_cmd; /* DIFF_MEMBERS: a command "<cmd> <key> <member>" answering
                               non-nil and non-zero for a member */
    const char *key;
    size_t stride; /* DIFF_MEMBERS: 2 when values or scores follow each member */
};

static int
diff_is_member(struct diff *d, const struct diff_check *k, const redisReply *m)
{
    if (m->type != REDIS_REPLY_STRING)
        return 0;
    redisReply *r = redisCommand(d->r, "%s %s %b", k->member_cmd, k->key, m->str, m->len);
    int ok = r && r->type != REDIS_REPLY_NIL && r->type != REDIS_REPLY_ERROR &&
             !(r->type == REDIS_REPLY_INTEGER && r->integer == 0);
    if (r)
        freeReplyObject(r);
    return ok;
}

/* Send one command to both servers and compare; 1 when they agree (a mismatch is printed). */
static int
diff_argv(struct diff *d, int argc, const char **argv, const size_t *lens,
          const struct diff_check *k)
{
    redisReply *a = redisCommandArgv(d->r, argc, argv, lens);
    redisReply *b = redisCommandArgv(d->z, argc, argv, lens);
    if (a == NULL || b == NULL)
        fail_msg("no reply to '%s' (redis %p, zmem %p)", argv[0], (void *)a, (void *)b);
    int same;
    if (k && k->mode == DIFF_MEMBERS && a->type == REDIS_REPLY_ARRAY) {
        same = b->type == REDIS_REPLY_ARRAY && a->elements == b->elements;
        for (size_t i = 0; same && i < b->elements; i += k->stride)
            same = diff_is_member(d, k, b->element[i]);
    } else if (k && k->mode == DIFF_MEMBERS && a->type == REDIS_REPLY_STRING) {
        same = b->type == REDIS_REPLY_STRING && diff_is_member(d, k, b);
    } else {
        same = diff_reply_equal(a, b);
    }
    d->cases++;
    d->agree += same;
    if (!same) {
        fprintf(stderr, "differs:");
        for (int i = 0; i < argc; i++)
            fprintf(stderr, " %.*s", lens[i] > 40 ? 40 : (int)lens[i], argv[i]);
        fprintf(stderr, "\n  redis: ");
        diff_print(a);
        fprintf(stderr, "\n  zmem:  ");
        diff_print(b);
        fprintf(stderr, "\n");
    }
    freeReplyObject(a);
    freeReplyObject(b);
    return same;
}

/* One command written as space-separated words (no quoting), compared exactly. */
static int
diff_line(struct diff *d, const char *line)
{
    char buf[1024];
    const char *argv[64];
    size_t lens[64];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", line);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < 64;
         w = strtok_r(NULL, " ", &save)) {
        argv[argc] = w;
        lens[argc++] = strlen(w);
    }
    return diff_argv(d, argc, argv, lens, NULL);
}

/* A command being built word by word for diff_argv (random sequences). */
#define DIFF_MAXARGS 128

struct diff_cmd {
    int argc;
    const char *argv[DIFF_MAXARGS];
    size_t lens[DIFF_MAXARGS];
    char store[DIFF_MAXARGS][72]; /* words formatted here */
};

static void
dc_reset(struct diff_cmd *c)
{
    c->argc = 0;
}

/* Add a word that outlives the command (a literal or a pool entry). */
static void
dc_word(struct diff_cmd *c, const char *w)
{
    if (c->argc >= DIFF_MAXARGS)
        fail_msg("a generated command has more than %d words", DIFF_MAXARGS);
    c->argv[c->argc] = w;
    c->lens[c->argc++] = strlen(w);
}

/* Add a formatted word (at most 71 bytes). */
static void __attribute__((format(printf, 2, 3))) dc_fmt(struct diff_cmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (c->argc >= DIFF_MAXARGS)
        fail_msg("a generated command has more than %d words", DIFF_MAXARGS);
    vsnprintf(c->store[c->argc], sizeof(c->store[0]), fmt, ap);
    va_end(ap);
    dc_word(c, c->store[c->argc]);
}

static int
dc_run(struct diff *d, struct diff_cmd *c, const struct diff_check *k)
{
    return diff_argv(d, c->argc, c->argv, c->lens, k);
}

/* A random integer in [lo, hi]. */
static long
diff_rand(long lo, long hi)
{
    return lo + (long)(rand() % (hi - lo + 1));
}

#endif
