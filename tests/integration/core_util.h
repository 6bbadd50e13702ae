/* core_util.h — helpers shared by the server-core integration tests: hiredis expectations
 * with exact texts, and raw sockets for bytes hiredis 0.14 cannot show (RESP3, protocol
 * errors, connection close). Header-only, included once per test binary. */
#ifndef ZMEM_TESTS_CORE_UTIL_H
#define ZMEM_TESTS_CORE_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "integration/harness.h"

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

/* Value of "name:" in an INFO text, or -1. */
static inline long long
info_field(redisContext *c, const char *section, const char *name)
{
    return zserver_info_field(c, section, name);
}

#endif
