/* harness.h — start a zmem-server on a free loopback port for an integration test, connect to
 * it with hiredis, stop it by pid. Header-only: each test binary includes it once.
 *
 * The server binary is $ZMEM_SERVER (tests/integration/run.sh sets it), else build/zmem-server.
 * Ports are picked at random in 20000..59999 and retried if the server cannot bind. */
#ifndef ZMEM_TESTS_HARNESS_H
#define ZMEM_TESTS_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct zserver {
    pid_t pid;
    int port;
    char log[256]; /* the server's stdout/stderr, for debugging a failure */
};

static long long
harness_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Start the server with the extra arguments (NULL-terminated, may be NULL) and wait up to 5 s
 * for it to answer PING. Returns 0, or -1 after 5 port attempts. */
static int
zserver_start(struct zserver *s, const char *const *extra)
{
    const char *bin = getenv("ZMEM_SERVER");
    if (bin == NULL)
        bin = "build/zmem-server";
    srand((unsigned)(getpid() ^ harness_now_ms()));
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = 20000 + rand() % 40000;
        char portstr[16];
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
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
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
        long long deadline = harness_now_ms() + 5000;
        while (harness_now_ms() < deadline) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                s->pid = 0;
                break; /* exited: port taken or bad arguments; try another port */
            }
            struct timeval tv = {0, 200000};
            redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
            if (c && !c->err) {
                redisReply *r = redisCommand(c, "PING");
                /* NOAUTH also means up and serving (--requirepass). */
                int ok = r && (r->type == REDIS_REPLY_STATUS ||
                               (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0));
                if (r)
                    freeReplyObject(r);
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
    return -1;
}

/* SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status as waitpid reports it, or
 * -1 if it had to be killed. */
static int
zserver_stop(struct zserver *s)
{
    int status = -1;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    long long deadline = harness_now_ms() + 10000;
    while (harness_now_ms() < deadline) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            unlink(s->log);
            return status;
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    return -1;
}

/* A new hiredis connection to the server (5 s timeout), or NULL. */
static redisContext *
zserver_connect(const struct zserver *s)
{
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, tv);
    if (c == NULL || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
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

#endif
