/* redis_diff.h — differential checks of zmem against a live redis-server: start one on a
 * random loopback port (no persistence), send the same command to both and compare the
 * replies exactly (type, bytes, integers, nesting), or, for the commands that draw at random
 * (ZRANDMEMBER, HRANDFIELD), by count and membership. Random sequences build their commands
 * word by word (struct rd_words) from a seed rd_seed() reads from ZMEM_DIFF_SEED or makes.
 * Header-only, included once per test binary after harness.h. redis-server is found on PATH or
 * as $ZMEM_REDIS_SERVER; a test calls require_tool("redis-server", ...) first, so a missing one
 * fails under CI and skips loudly elsewhere. The server is stopped by pid, and dies with the
 * test however it ends. */
#ifndef ZMEM_TESTS_REDIS_DIFF_H
#define ZMEM_TESTS_REDIS_DIFF_H

#include <ctype.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "integration/harness.h"

struct rd {
    struct zserver srv; /* pid and port of the redis-server */
    redisContext *redis, *zmem;
    long cases, agreed; /* commands compared, and how many replied the same */
    long nonempty;      /* replies that were non-empty arrays (searches that found something) */
    int verbose_left;   /* mismatches still to print */
};

/* Path of a redis-server binary into buf, or 0 when there is none. */
static int
rd_find(char *buf, size_t size)
{
    const char *env = getenv("ZMEM_REDIS_SERVER");
    const char *path = getenv("PATH");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return access(buf, X_OK) == 0;
    }
    while (path && *path) {
        const char *colon = strchr(path, ':');
        int n = colon ? (int)(colon - path) : (int)strlen(path);
        snprintf(buf, size, "%.*s/redis-server", n, path);
        if (n > 0 && access(buf, X_OK) == 0)
            return 1;
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

/* Start redis-server and connect to it; zmem is the caller's connection to zmem. 0, or -1
 * when redis-server is missing or would not start. opt and val: one more "--opt val" pair for
 * redis-server (an immutable setting such as enable-debug-command), or NULL. */
static int
rd_start_with(struct rd *r, redisContext *zmem, const char *opt, const char *val)
{
    char bin[512];
    memset(r, 0, sizeof(*r));
    r->zmem = zmem;
    r->verbose_left = 10;
    if (!rd_find(bin, sizeof(bin)))
        return -1;
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = 20000 + rand() % 40000;
        char portstr[16];
        snprintf(portstr, sizeof(portstr), "%d", port);
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the test, however it ends */
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execl(bin, bin, "--port", portstr, "--bind", "127.0.0.1", "--save", "", "--appendonly",
                  "no", "--daemonize", "no", opt, val, (char *)NULL);
            _exit(127);
        }
        r->srv.pid = pid;
        r->srv.port = port;
        long long deadline = harness_now_ms() + 5000;
        while (harness_now_ms() < deadline) {
            if (waitpid(pid, NULL, WNOHANG) == pid) {
                r->srv.pid = 0;
                break;
            }
            r->redis = zserver_connect(&r->srv);
            if (r->redis) {
                redisReply *p = redisCommand(r->redis, "PING");
                int ok = p && p->type == REDIS_REPLY_STATUS;
                if (p)
                    freeReplyObject(p);
                if (ok)
                    return 0;
                redisFree(r->redis);
                r->redis = NULL;
            }
            usleep(20000);
        }
        if (r->srv.pid > 0) {
            kill(r->srv.pid, SIGKILL);
            waitpid(r->srv.pid, NULL, 0);
            r->srv.pid = 0;
        }
    }
    return -1;
}

/* rd_start_with() without an extra setting. */
static int
rd_start(struct rd *r, redisContext *zmem)
{
    return rd_start_with(r, zmem, NULL, NULL);
}

static void
rd_stop(struct rd *r)
{
    if (r->redis)
        redisFree(r->redis);
    r->redis = NULL;
    if (r->srv.pid > 0) {
        kill(r->srv.pid, SIGTERM);
        waitpid(r->srv.pid, NULL, 0);
        r->srv.pid = 0;
    }
}

/* 1 when two replies are the same. */
static int
rd_same(const redisReply *a, const redisReply *b)
{
    if (a == NULL || b == NULL || a->type != b->type)
        return 0;
    switch (a->type) {
    case REDIS_REPLY_INTEGER:
        return a->integer == b->integer;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case REDIS_REPLY_ARRAY:
        if (a->elements != b->elements)
            return 0;
        for (size_t i = 0; i < a->elements; i++)
            if (!rd_same(a->element[i], b->element[i]))
                return 0;
        return 1;
    default:
        return 1;
    }
}

/* The reply as one line (arrays in brackets), for a mismatch report. */
static void
rd_show(const redisReply *x, char *buf, size_t size)
{
    size_t n = strlen(buf);
    if (x == NULL || n + 40 >= size)
        return;
    switch (x->type) {
    case REDIS_REPLY_INTEGER:
        snprintf(buf + n, size - n, ":%lld ", x->integer);
        break;
    case REDIS_REPLY_NIL:
        snprintf(buf + n, size - n, "nil ");
        break;
    case REDIS_REPLY_ARRAY:
        snprintf(buf + n, size - n, "[ ");
        for (size_t i = 0; i < x->elements; i++)
            rd_show(x->element[i], buf, size);
        n = strlen(buf);
        snprintf(buf + n, size - n, "] ");
        break;
    default:
        snprintf(buf + n, size - n, "%s'%.*s' ", x->type == REDIS_REPLY_ERROR ? "-" : "",
                 (int)(x->len > 200 ? 200 : x->len), x->str);
    }
}

/* How rd_argv_check compares: exactly, or (ZRANDMEMBER, HRANDFIELD) by the same reply type
 * and length, each member zmem returned checked on redis with "<member_cmd> <key> <member>". */
enum rd_mode { RD_EXACT, RD_MEMBERS };

struct rd_check {
    enum rd_mode mode;
    const char *member_cmd; /* RD_MEMBERS: answers non-nil and non-zero for a member */
    const char *key;
    size_t stride; /* RD_MEMBERS: 2 when values or scores follow each member */
};

/* 1 when m is a member of k->key on redis. */
static int
rd_is_member(struct rd *r, const struct rd_check *k, const redisReply *m)
{
    if (m->type != REDIS_REPLY_STRING)
        return 0;
    redisReply *x = redisCommand(r->redis, "%s %s %b", k->member_cmd, k->key, m->str, m->len);
    int ok = x && x->type != REDIS_REPLY_NIL && x->type != REDIS_REPLY_ERROR &&
             !(x->type == REDIS_REPLY_INTEGER && x->integer == 0);
    if (x)
        freeReplyObject(x);
    return ok;
}

/* Count one comparison of a and b (the replies of redis and of zmem to argv), printing the
 * first mismatches; returns same. */
static int
rd_count(struct rd *r, int argc, const char **argv, const size_t *lens, const redisReply *a,
         const redisReply *b, int same)
{
    r->cases++;
    r->agreed += same;
    r->nonempty += a && a->type == REDIS_REPLY_ARRAY && a->elements > 0;
    if (!same && r->verbose_left > 0) {
        char ra[2048] = "", rb[2048] = "", cmd[512] = "";
        r->verbose_left--;
        for (int i = 0; i < argc; i++) {
            size_t n = strlen(cmd);
            snprintf(cmd + n, sizeof(cmd) - n, "%.*s ", (int)(lens[i] > 60 ? 60 : lens[i]),
                     argv[i]);
        }
        rd_show(a, ra, sizeof(ra));
        rd_show(b, rb, sizeof(rb));
        fprintf(stderr, "differs: %s\n  redis: %s\n  zmem:  %s\n", cmd, ra, rb);
    }
    return same;
}

/* Send argv to both servers and compare the replies as k says (NULL: exactly); 1 when they
 * agree. */
static int
rd_argv_check(struct rd *r, int argc, const char **argv, const size_t *lens,
              const struct rd_check *k)
{
    redisReply *a = redisCommandArgv(r->redis, argc, argv, lens);
    redisReply *b = redisCommandArgv(r->zmem, argc, argv, lens);
    int same;
    if (a && b && k && k->mode == RD_MEMBERS && a->type == REDIS_REPLY_ARRAY) {
        same = b->type == REDIS_REPLY_ARRAY && a->elements == b->elements;
        for (size_t i = 0; same && i < b->elements; i += k->stride)
            same = rd_is_member(r, k, b->element[i]);
    } else if (a && b && k && k->mode == RD_MEMBERS && a->type == REDIS_REPLY_STRING) {
        same = b->type == REDIS_REPLY_STRING && rd_is_member(r, k, b);
    } else {
        same = rd_same(a, b);
    }
    rd_count(r, argc, argv, lens, a, b, same);
    if (a)
        freeReplyObject(a);
    if (b)
        freeReplyObject(b);
    return same;
}

/* Send argv to both servers and compare the replies exactly: 1 when they agree. */
static int
rd_argv(struct rd *r, int argc, const char **argv, const size_t *lens)
{
    return rd_argv_check(r, argc, argv, lens, NULL);
}

/* The same for a command written as words separated by single spaces (no quoting; "''"
 * stands for an empty argument). */
static int
rd_cmd(struct rd *r, const char *line)
{
    char copy[4096];
    const char *argv[128];
    size_t lens[128];
    int argc = 0;
    snprintf(copy, sizeof(copy), "%s", line);
    for (char *p = strtok(copy, " "); p && argc < 128; p = strtok(NULL, " ")) {
        if (strcmp(p, "''") == 0)
            *p = '\0';
        argv[argc] = p;
        lens[argc++] = strlen(p);
    }
    return rd_argv(r, argc, argv, lens);
}

/* printf-style rd_cmd. */
static int rd_cmdf(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int
rd_cmdf(struct rd *r, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return rd_cmd(r, line);
}

/* A command built word by word for rd_words_run (random sequences). */
#define RD_MAXWORDS 128

struct rd_words {
    int argc;
    const char *argv[RD_MAXWORDS];
    size_t lens[RD_MAXWORDS];
    char store[RD_MAXWORDS][72]; /* formatted words live here */
};

static void
rd_words_reset(struct rd_words *w)
{
    w->argc = 0;
}

/* Add a word that outlives the command (a literal or a pool entry). */
static void
rd_word(struct rd_words *w, const char *word)
{
    if (w->argc >= RD_MAXWORDS)
        fail_msg("a generated command has more than %d words", RD_MAXWORDS);
    w->argv[w->argc] = word;
    w->lens[w->argc++] = strlen(word);
}

/* Add a formatted word (at most 71 bytes). */
static void __attribute__((format(printf, 2, 3))) rd_wordf(struct rd_words *w, const char *fmt, ...)
{
    va_list ap;
    if (w->argc >= RD_MAXWORDS)
        fail_msg("a generated command has more than %d words", RD_MAXWORDS);
    va_start(ap, fmt);
    vsnprintf(w->store[w->argc], sizeof(w->store[0]), fmt, ap);
    va_end(ap);
    rd_word(w, w->store[w->argc]);
}

/* Send the built command to both servers and compare as k says (NULL: exactly). */
static int
rd_words_run(struct rd *r, struct rd_words *w, const struct rd_check *k)
{
    return rd_argv_check(r, w->argc, w->argv, w->lens, k);
}

/* The seed of a random sequence: ZMEM_DIFF_SEED when set (to repeat a run), else made from the
 * clock and pid; printed either way, never 0. The caller seeds its generator with it. */
static uint64_t
rd_seed(void)
{
    const char *s = getenv("ZMEM_DIFF_SEED");
    uint64_t seed = s ? strtoull(s, NULL, 10) : (uint64_t)harness_now_ms() ^ (uint64_t)getpid();
    if (seed == 0)
        seed = 1;
    fprintf(stderr, "differential seed %llu (ZMEM_DIFF_SEED repeats it)\n",
            (unsigned long long)seed);
    return seed;
}

/* A random integer in [lo, hi], from rand(). */
static long
rd_rand(long lo, long hi)
{
    return lo + (long)(rand() % (hi - lo + 1));
}

/* The helpers a given test does not use: keeps -Wunused-function quiet in every includer. */
static inline void
rd_unused(void)
{
    (void)rd_cmdf;
    (void)rd_argv;
    (void)rd_words_reset;
    (void)rd_wordf;
    (void)rd_words_run;
    (void)rd_seed;
    (void)rd_rand;
    (void)rd_start;
    (void)rd_start_with;
}

#endif
