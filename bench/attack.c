/* bench/attack — the three rows of issue 8's table, re-measured against one server (zmem or
 * redis-server) as "figure value" lines; bench/attack.sh runs it against both and prints them
 * side by side. Numbers and observations, never pass/fail.
 *
 *   xproto.*  `POST / HTTP/1.1`, `Host: x`, then `PING` and `SET attack:xproto 1` in one write:
 *             was the connection closed, how many bytes came back, did the SET run, and the
 *             change of INFO stats cross_protocol_closed ("-" where the server has none).
 *   bulk.*    N connections each announce a 512 MB bulk (`$536870912`) and send 10 bytes of it;
 *   mbulk.*   N connections each announce `*1048576` and send one argument and a bit more:
 *             used_memory and used_memory_rss growth per connection about 0.5 s after the last
 *             write, how many connections were still open then, and used_memory after they
 *             close, relative to before.
 *   get.*     one client (SO_RCVBUF 8 KiB, non-blocking) pipelines 1000 `GET k` of a 1 MB value
 *             and reads nothing: the round trip of another client's PING sent 0, 0.25 ... 1 s
 *             later (median, max of five), used_memory and used_memory_peak growth at least 1 s
 *             later (when exactly is printed: a stalled PING delays it); then the client reads
 *             every reply and compares every byte.
 *
 *   build/bench/attack <ipv4 host> <port> [rows, default xproto,get,bulk,mbulk]
 *                        [bulk connections, default 300] [mbulk connections, default 300]
 *
 * Each row leaves the server as it found it, but allocators keep freed memory for a while and
 * Redis 7.0's CONFIG RESETSTAT leaves used_memory_peak alone: attack.sh gives "xproto,get" and
 * "bulk,mbulk" a fresh server each, so that neither RSS nor the peak carries an earlier row.
 *
 * INFO is read over a separate hiredis connection; the attacking connections are plain sockets
 * so that nothing is read from them by accident. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VAL_LEN  1000000 /* the GET row's value */
#define NGET     1000
#define MAXCONNS 2000

static const char *g_host;
static int g_port;
static redisContext *g_ctl; /* INFO, SET, EXISTS: never one of the attackers */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_s(double s)
{
    if (s > 0)
        usleep((useconds_t)(s * 1e6));
}

/* Runs one command on the control connection; exits if the server stopped answering, since
 * nothing after that would mean anything. */
static redisReply *
ctl(const char *fmt, ...)
{
    va_list ap;
    redisReply *r;

    va_start(ap, fmt);
    r = redisvCommand(g_ctl, fmt, ap);
    va_end(ap);
    if (r == NULL) {
        printf("error\tcontrol connection: %s (server gone?)\n", g_ctl->errstr);
        exit(1);
    }
    return r;
}

/* The value of `field` in INFO `section`, or -1 when the server has no such field. */
static long long
info_ll(const char *section, const char *field)
{
    redisReply *r = ctl("INFO %s", section);
    size_t flen = strlen(field);
    long long v = -1;

    for (const char *p = r->type == REDIS_REPLY_STRING ? r->str : ""; *p; p++) {
        if ((p == r->str || p[-1] == '\n') && strncmp(p, field, flen) == 0 && p[flen] == ':') {
            v = strtoll(p + flen + 1, NULL, 10);
            break;
        }
    }
    freeReplyObject(r);
    return v;
}

/* A TCP connection to the server; rcvbuf > 0 sets SO_RCVBUF before connecting. -1 on error. */
static int
tcp_connect(int rcvbuf)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    int one = 1, fd;

    if (inet_pton(AF_INET, g_host, &a.sin_addr) != 1 || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
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

/* Row 1: an HTTP request on the RESP port, RESP lines after it in the same write. */
static void
row_cross_protocol(void)
{
    static const char req[] = "POST / HTTP/1.1\r\nHost: x\r\n\r\nPING\r\nSET attack:xproto 1\r\n";
    long long before, after;
    const char *state = "open after 2 s";
    size_t back = 0;
    char buf[4096];
    redisReply *r;
    int fd;

    freeReplyObject(ctl("DEL attack:xproto"));
    before = info_ll("stats", "cross_protocol_closed");
    if ((fd = tcp_connect(0)) < 0 || send_all(fd, req, sizeof(req) - 1) != 0) {
        printf("xproto.closed\tcould not connect or send\n");
        return;
    }
    for (double end = now_s() + 2; now_s() < end;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, (int)((end - now_s()) * 1000) + 1) <= 0)
            continue;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
            back += (size_t)n;
            continue;
        }
        state = n == 0 ? "yes (EOF)" : "yes (reset)";
        break;
    }
    close(fd);
    sleep_s(0.1);
    r = ctl("EXISTS attack:xproto");
    after = info_ll("stats", "cross_protocol_closed");
    printf("xproto.closed\t%s\n", state);
    printf("xproto.bytes_back\t%zu\n", back);
    printf("xproto.later_lines_ran\t%s\n", r->integer ? "yes" : "no");
    if (before < 0 || after < 0)
        printf("xproto.cross_protocol_closed\t-\n");
    else
        printf("xproto.cross_protocol_closed\t+%lld\n", after - before);
    freeReplyObject(r);
}

/* Row 2: n connections each send `head` and stop; memory per connection and after closing. */
static void
row_announce(const char *name, const char *head, int n)
{
    static int fds[MAXCONNS];
    long long mem0, rss0, mem1, rss1, mem2, clients0, clients1;
    int opened = 0;

    sleep_s(0.5);
    mem0 = info_ll("memory", "used_memory");
    rss0 = info_ll("memory", "used_memory_rss");
    clients0 = info_ll("clients", "connected_clients");
    for (; opened < n && opened < MAXCONNS; opened++) {
        fds[opened] = tcp_connect(0);
        if (fds[opened] < 0 || send_all(fds[opened], head, strlen(head)) != 0)
            break;
    }
    sleep_s(0.5);
    mem1 = info_ll("memory", "used_memory");
    rss1 = info_ll("memory", "used_memory_rss");
    clients1 = info_ll("clients", "connected_clients");
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    sleep_s(1.0);
    mem2 = info_ll("memory", "used_memory");
    printf("%s.connections\t%d\n", name, opened);
    printf("%s.still_open\t%lld\n", name, clients1 - clients0);
    printf("%s.used_memory_per_conn_kb\t%.1f\n", name,
           opened ? (double)(mem1 - mem0) / opened / 1024 : 0.0);
    printf("%s.rss_per_conn_kb\t%.1f\n", name,
           opened ? (double)(rss1 - rss0) / opened / 1024 : 0.0);
    printf("%s.used_memory_after_close_kb\t%+.1f\n", name, (double)(mem2 - mem0) / 1024);
}

/* The row-3 value: pseudo-random bytes, so that a shifted or repeated chunk shows. */
static void
fill_value(char *v)
{
    unsigned x = 2463534242u;

    for (int i = 0; i < VAL_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v[i] = (char)(x >> 24);
    }
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Row 3, second half: read every reply on fd (sending what of the pipeline is left) and
 * compare each byte with `frame`, one reply's exact bytes. Writes the verdict into out. */
static void
read_and_check(int fd, const char *frame, size_t flen, const char *pipe, size_t plen, size_t sent,
               char *out, size_t outcap)
{
    static char buf[1 << 16];
    size_t pos = 0, done = 0; /* byte within the current reply, replies complete */

    snprintf(out, outcap, "all %d replies intact", NGET);
    while (done < NGET) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (sent < plen ? POLLOUT : 0)};
        ssize_t n;

        if (poll(&p, 1, 60000) <= 0) {
            snprintf(out, outcap, "stalled 60 s after %zu replies + %zu bytes", done, pos);
            return;
        }
        if ((p.revents & POLLOUT) && sent < plen) {
            n = send(fd, pipe + sent, plen - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
        }
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0) {
            snprintf(out, outcap, "closed after %zu replies + %zu bytes", done, pos);
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != frame[pos]) {
                snprintf(out, outcap, "reply %zu byte %zu: got 0x%02x, want 0x%02x", done + 1, pos,
                         (unsigned char)buf[i], (unsigned char)frame[pos]);
                return;
            }
            if (++pos == flen) {
                pos = 0;
                if (++done == NGET && i + 1 < n) {
                    snprintf(out, outcap, "%zd bytes more than %d replies", n - i - 1, NGET);
                    return;
                }
            }
        }
    }
}

/* Row 3: a pipeline of 1000 GETs of a 1 MB value that is not read for about a second. */
static void
row_unread_gets(void)
{
    static const char get[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
    size_t glen = sizeof(get) - 1, plen = glen * NGET, hlen, sent = 0;
    char *frame = malloc(VAL_LEN + 32), *pipe = malloc(plen), verdict[128];
    long long base, mem, peak;
    double rtt[5], t0, t, t_mem;
    redisContext *pc;
    int fd, big = 1 << 20;

    if (frame == NULL || pipe == NULL)
        exit(1);
    hlen = (size_t)sprintf(frame, "$%d\r\n", VAL_LEN);
    fill_value(frame + hlen);
    memcpy(frame + hlen + VAL_LEN, "\r\n", 2);
    for (int i = 0; i < NGET; i++)
        memcpy(pipe + (size_t)i * glen, get, glen);
    freeReplyObject(ctl("SET k %b", frame + hlen, (size_t)VAL_LEN));
    pc = redisConnect(g_host, g_port);
    if (pc == NULL || pc->err || redisSetTimeout(pc, (struct timeval){.tv_sec = 120}) != REDIS_OK ||
        (fd = tcp_connect(8192)) < 0) {
        printf("get.check\tcould not connect\n");
        exit(1);
    }
    sleep_s(0.5);
    base = info_ll("memory", "used_memory");
    freeReplyObject(ctl("CONFIG RESETSTAT")); /* used_memory_peak restarts from here */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    t0 = now_s();
    while (sent < plen) {
        ssize_t n = send(fd, pipe + sent, plen - sent, MSG_NOSIGNAL);

        if (n <= 0)
            break; /* the rest goes out while reading */
        sent += (size_t)n;
    }
    for (int k = 0; k < 5; k++) {
        sleep_s(t0 + 0.25 * k - now_s());
        t = now_s();
        redisReply *r = redisCommand(pc, "PING");
        rtt[k] = (now_s() - t) * 1000;
        if (r == NULL) {
            printf("get.ping\tno answer: %s\n", pc->errstr);
            exit(1);
        }
        freeReplyObject(r);
    }
    sleep_s(t0 + 1.0 - now_s());
    mem = info_ll("memory", "used_memory");
    peak = info_ll("memory", "used_memory_peak");
    t_mem = now_s() - t0;
    qsort(rtt, 5, sizeof(rtt[0]), cmp_double);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)); /* read the backlog faster */
    t = now_s();
    read_and_check(fd, frame, hlen + VAL_LEN + 2, pipe, plen, sent, verdict, sizeof(verdict));
    printf("get.pipeline_bytes_sent_at_once\t%zu of %zu\n", sent, plen);
    printf("get.memory_read_after_s\t%.2f\n", t_mem);
    printf("get.used_memory_growth_kb\t%.1f\n", (double)(mem - base) / 1024);
    printf("get.used_memory_peak_growth_kb\t%.1f\n", (double)(peak - base) / 1024);
    printf("get.other_ping_median_ms\t%.2f\n", rtt[2]);
    printf("get.other_ping_max_ms\t%.2f\n", rtt[4]);
    printf("get.read_all_s\t%.2f\n", now_s() - t);
    printf("get.check\t%s\n", verdict);
    close(fd);
    redisFree(pc);
    free(frame);
    free(pipe);
}

/* Whether the comma-separated list `rows` names `row`. */
static int
has_row(const char *rows, const char *row)
{
    size_t len = strlen(row);

    for (const char *p = rows; (p = strstr(p, row)) != NULL; p += len) {
        if ((p == rows || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
            return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *rows = argc > 3 ? argv[3] : "xproto,get,bulk,mbulk";
    int nbulk = argc > 4 ? atoi(argv[4]) : 300, nmbulk = argc > 5 ? atoi(argv[5]) : 300;
    struct timeval tv = {.tv_sec = 120};

    if (argc < 3) {
        fprintf(stderr, "usage: %s <ipv4 host> <port> [rows] [bulk conns] [mbulk conns]\n",
                argv[0]);
        return 2;
    }
    g_host = argv[1];
    g_port = atoi(argv[2]);
    g_ctl = redisConnect(g_host, g_port);
    if (g_ctl == NULL || g_ctl->err) {
        fprintf(stderr, "attack: cannot connect to %s:%d\n", g_host, g_port);
        return 1;
    }
    redisSetTimeout(g_ctl, tv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (has_row(rows, "xproto"))
        row_cross_protocol();
    if (has_row(rows, "get"))
        row_unread_gets();
    if (has_row(rows, "bulk"))
        row_announce("bulk", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n0123456789", nbulk);
    if (has_row(rows, "mbulk"))
        row_announce("mbulk", "*1048576\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n", nmbulk);
    redisFree(g_ctl);
    return 0;
}
