/* info_util.h — helpers shared by the metrics integration tests (test_info.c, test_memory.c):
 * a pass/fail counter, INFO field lookup, and a raw-socket exchange for RESP3 byte checks. */
#ifndef ZMEM_TESTS_INFO_UTIL_H
#define ZMEM_TESTS_INFO_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static int iu_passed, iu_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            iu_passed++;                                                                           \
        } else {                                                                                   \
            iu_failed++;                                                                           \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

/* Prints the closing line CI reads and returns the process status. */
static inline int
iu_summary(void)
{
    printf("%d passed, %d failed\n", iu_passed, iu_failed);
    return iu_failed ? 1 : 0;
}

/* A command's reply, or NULL (the caller frees with freeReplyObject). */
static inline redisReply *
iu_cmd(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    return r;
}

/* Start a server and connect to it; on failure say why and return NULL. */
static inline redisContext *
iu_start(struct zserver *srv)
{
    redisContext *c = NULL;
    if (zserver_start(srv, NULL) != 0) {
        printf("could not start the server\n");
        return NULL;
    }
    c = zserver_connect(srv);
    if (c == NULL) {
        zserver_stop(srv);
        printf("could not connect\n");
    }
    return c;
}

/* SET <prefix><i> <value_len bytes> for i in 0..n-1 in the current database, pipelined. */
static inline void
iu_fill(redisContext *c, const char *prefix, int n, int value_len)
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
iu_info(redisContext *c, const char *sections)
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
iu_field(const char *info, const char *name, char *dst, size_t size)
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
iu_ll(const char *info, const char *name)
{
    char v[64];
    return iu_field(info, name, v, sizeof(v)) == 0 ? strtoll(v, NULL, 10) : -999999;
}

static inline double
iu_double(const char *info, const char *name)
{
    char v[64];
    return iu_field(info, name, v, sizeof(v)) == 0 ? strtod(v, NULL) : -999999;
}

/* Send raw bytes on a new connection, read until `want` bytes arrived or 1 s of silence.
 * Returns the bytes read (malloc'd, NUL-terminated; *len set). */
static inline char *
iu_raw(int port, const char *send_bytes, size_t send_len, size_t want, size_t *len)
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

/* _human as docs/redis-compat.md, "The _human format", states it, written independently of
 * the server's. */
static inline void
iu_human(unsigned long long n, char *dst, size_t size)
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
