/* net.c — listeners, accept, and the per-client I/O cycle: read → parse every complete
 * command → dispatch → write at once; a write event is registered only when the socket would
 * block. Plain struct events and read()/write() on our own buffers keep the hot path to one
 * read and one write per batch and free of allocations:
 *  - input is read into a static chunk and parsed in place; only the tail of an unfinished
 *    command is copied into the client's own query buffer;
 *  - replies are written into one shared buffer lent to the client being served; only output
 *    the socket did not take stays with the client, as a chain of chunks and pinned
 *    references to stored strings (reply.c), written with writev under a per-turn budget.
 * So an idle client owns no buffers at all. */
#define _GNU_SOURCE /* accept4 */
#include "net.h"
#include "pubsub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blocking.h"
#include "client.h"
#include "command.h"
#include "multi.h"
#include "reply.h"
#include "config.h"
#include "log.h"
#include "monitor.h"
#include "pause.h"
#include "resp_parse.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"
#include "memcat.h"
#include "zmalloc.h"

#define MAX_LISTENERS        16
#define MAX_ACCEPTS_PER_CALL 1000
#define READ_CHUNK           (64 * 1024)
/* Smallest query buffer made for an unfinished command (see read_room). */
#define QUERY_FLOOR (32 * 1024)
/* Output backpressure. While a client owes more than OUTPUT_PAUSE bytes, none of its further
 * pipelined commands runs and nothing more is read from it; it resumes once the socket has taken
 * the backlog down to OUTPUT_RESUME. One pipeline then holds at most about OUTPUT_PAUSE plus one
 * reply, however many commands it sent and whether or not it reads. */
#define OUTPUT_PAUSE  (1024 * 1024)
#define OUTPUT_RESUME (256 * 1024)
/* A client whose reply must be flushed before closing gets this long. */
#define FLUSH_DEADLINE_MS 10000
#define IDLE_TRIM_MS      2000

struct listener {
    int fd;
    struct event *ev;
};

static struct event_base *base;
static struct listener listeners[MAX_LISTENERS];
static int nlisteners;
static struct event *accept_resume_ev;
static uint64_t next_client_id = 1;
static int shutdown_requested;
static char read_chunk[READ_CHUNK];

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);

/* ---- Client lifecycle ---- */

static void
format_addr(const struct sockaddr_storage *ss, char *dst, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
        snprintf(dst, size, "%s:%d", ip, port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
        snprintf(dst, size, "[%s]:%d", ip, port);
    } else {
        snprintf(dst, size, "?:0");
    }
}

static struct client *
client_create(int fd, const struct sockaddr_storage *peer)
{
    const struct config *cfg = config_get();
    size_t evsz = event_get_struct_event_size();
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    /* One block for the client and both events: one allocation per connection. */
    struct client *c = zcalloc(sizeof(*c) + 2 * evsz);
    struct sockaddr_storage local;
    socklen_t llen = sizeof(local);

    c->id = next_client_id++;
    c->fd = fd;
    c->query.cat = MC_CLIENTS_QUERY; /* buffers count in their own categories (buf.h) */
    c->reply.cat = MC_CLIENTS_REPLY;
    c->proto = RESP2;
    c->authenticated = cfg->requirepass[0] == '\0';
    format_addr(peer, c->addr, sizeof(c->addr));
    if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
        format_addr(&local, c->laddr, sizeof(c->laddr));
    resp_parser_init(&c->parser);
    c->parser.max_bulk_len = cfg->proto_max_bulk_len;
    c->parser.authenticated = c->authenticated;
    c->ctime_ms = c->last_io_ms = mono_ms();
    c->read_ev = (struct event *)(void *)((char *)(c + 1));
    c->write_ev = (struct event *)(void *)((char *)(c + 1) + evsz);
    event_assign(c->read_ev, base, fd, EV_READ | EV_PERSIST, on_read, c);
    event_assign(c->write_ev, base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    event_add(c->read_ev, NULL);
    clients_link(c);
    client_account(c);
    return c;
}

static void
client_free(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    blocking_client_gone(c);
    event_del(c->read_ev);
    event_del(c->write_ev);
    close(c->fd);
    pubsub_unsubscribe_all(c, 0);
    pubsub_punsubscribe_all(c, 0);
    pubsub_sunsubscribe_all(c, 0);
    monitor_remove(c);
    tracking_client_gone(c);
    clients_unlink(c);
    multi_discard(c); /* the queue, and the watched keys' references to c */
    buf_free(&c->query);
    reply_release(c); /* its chain's pins too */
    resp_parser_deinit(&c->parser);
    zfree(c->name);
    zfree(c);
}

void
client_close(struct client *c)
{
    if (c->flags & CLIENT_IN_CALLBACK)
        c->flags |= CLIENT_CLOSE_ASAP;
    else
        client_free(c);
}

static void
read_off(struct client *c)
{
    if (!(c->flags & CLIENT_READ_OFF)) {
        event_del(c->read_ev);
        c->flags |= CLIENT_READ_OFF;
    }
}

static void
read_on(struct client *c)
{
    if (c->flags & CLIENT_READ_OFF) {
        event_add(c->read_ev, NULL);
        c->flags &= ~CLIENT_READ_OFF;
    }
}

/* ---- Output ---- */

void
client_output_added(struct client *c)
{
    /* The client being served is flushed, limited and accounted after its batch. */
    if (reply_is_lent(c) || (c->flags & CLIENT_IN_CALLBACK))
        return;
    if (reply_limit_reached(c)) {
        event_active(c->write_ev, EV_WRITE, 1); /* on_write closes it, outside the caller */
        return;
    }
    reply_spill(c); /* a subscriber that does not read: chunks, not one growing buffer */
    event_add(c->write_ev, NULL);
    client_account(c);
}

/* Leave output backpressure: read again, and run the commands that waited in the query buffer
 * on the next loop turn (not now: other clients get their turn first). */
static void
resume_input(struct client *c)
{
    c->flags &= ~CLIENT_OUTPUT_PAUSED;
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP))
        return;
    read_on(c);
    if (c->query.len > c->query.pos) {
        c->flags |= CLIENT_RESUME_INPUT;
        event_active(c->read_ev, EV_READ, 1);
    }
}

/* maxmemory-clients in bytes now (a percentage follows maxmemory), 0 for no limit. */
static long long
clients_memory_limit(void)
{
    const struct config *cfg = config_get();
    long long v = cfg->maxmemory_clients;
    return v >= 0 ? v : cfg->maxmemory / 100 * -v;
}

/* Client eviction, as Redis 7.0 does it: while all clients together hold more than
 * maxmemory-clients, close the one holding most (CLIENT NO-EVICT clients excepted), counted in
 * evicted_clients. A client being served is marked and goes once its callback returns, which is
 * why marked clients no longer count. Linear in clients per eviction: evictions are rare. */
static void
clients_evict(void)
{
    long long limit = clients_memory_limit();

    if (limit == 0)
        return;
    while ((long long)clients_memory_total() > limit) {
        struct client *victim = NULL;
        size_t most = 0, marked = 0;
        for (struct client *c = clients_first(); c; c = c->next) {
            size_t m = client_memory(c);
            if (c->flags & CLIENT_CLOSE_ASAP)
                marked += m;
            else if (!(c->flags & CLIENT_NO_EVICT) && m > most) {
                most = m;
                victim = c;
            }
        }
        if (victim == NULL || (long long)(clients_memory_total() - marked) <= limit)
            return;
        log_msg(LL_WARNING, "Evicting client %s: %zu bytes, clients hold %zu of %lld allowed",
                victim->addr, most, clients_memory_total(), limit);
        server_stats()->evicted_clients++;
        if (victim->flags & CLIENT_IN_CALLBACK)
            victim->flags |= CLIENT_CLOSE_ASAP;
        else
            client_free(victim);
    }
}

/* After a batch: write, arm the write event if the socket is full, apply backpressure. */
static void
after_batch(struct client *c)
{
    size_t out = reply_pending(c);

    clients_note_peaks(buf_alloc_size(&c->query), out, c->last_io_ms);
    zmalloc_update_peak(); /* the batch's reply is at its largest right now */
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        read_off(c); /* QUIT or a protocol error: nothing more will be read */
    if (c->reply.oom) {
        log_msg(LL_WARNING, "Closing client %s: out of memory building its reply", c->addr);
        c->flags |= CLIENT_CLOSE_ASAP;
    }
    if (out && !(c->flags & CLIENT_CLOSE_ASAP))
        reply_flush(c);
    reply_return(c);
    out = reply_pending(c);
    if (out)
        event_add(c->write_ev, NULL);
    else
        reply_drop_idle(c);
    if (c->flags & CLIENT_OUTPUT_PAUSED) {
        if (out > OUTPUT_RESUME)
            read_off(c); /* on_write resumes it */
        else
            resume_input(c);
    }
    client_account(c);
    clients_evict();
}

void
net_client_resume(struct client *c)
{
    c->flags |= CLIENT_RESUME_INPUT;
    event_active(c->read_ev, EV_READ, 1);
}

/* ---- Input ---- */

/* Parse and run every complete command in data[0..len). Returns the bytes consumed; the rest
 * is the start of an unfinished command. */
static size_t
process_input(struct client *c, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        size_t used = 0;
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED)) {
            if (c->flags & CLIENT_BLOCKED)
                break;  /* the rest waits in the query buffer until its wait ends */
            return len; /* Redis runs nothing after a QUIT or a protocol error */
        }
        if (reply_pending(c) > OUTPUT_PAUSE) {
            c->flags |= CLIENT_OUTPUT_PAUSED; /* the rest waits in the query buffer */
            break;
        }
        int r = resp_parse(&c->parser, data + off, len - off, &used);
        off += used;
        if (r == RESP_OK) {
            c->flags |= CLIENT_SERVED;
            c->unserved_since_ms = 0;
            c->argc = c->parser.argc;
            c->argv = c->parser.argv;
            command_dispatch(c);
            reply_spill(c);
            c->argc = 0;
            c->argv = NULL;
            if (reply_limit_reached(c))
                return len;
        } else if (r == RESP_INCOMPLETE) {
            break;
        } else if (r == RESP_ERR) {
            reply_error(c, c->parser.errstr);
            server_stats()->protocol_errors++;
            log_msg(LL_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s",
                    c->parser.errstr, (unsigned long long)c->id, c->addr);
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
            return len;
        } else {
            log_msg(LL_WARNING, "Closing client %s: out of memory parsing its request", c->addr);
            c->flags |= CLIENT_CLOSE_ASAP;
            return len;
        }
    }
    return off;
}

/* How much room to make in the query buffer for the next read. The buffer grows in proportion
 * to what has arrived, never by what a command announces: it holds at most max(QUERY_FLOOR,
 * 2 x the bytes received), so a client that announces a 512 MB bulk (or a million arguments)
 * and sends ten bytes costs QUERY_FLOOR, while a real 512 MB bulk still arrives with geometric
 * growth, each byte copied a bounded number of times. When the parser knows the exact size
 * still missing and it is smaller, only that is reserved. */
static size_t
read_room(const struct client *c, size_t have)
{
    size_t want = resp_parse_want(&c->parser);
    size_t room = have < QUERY_FLOOR / 2 ? QUERY_FLOOR - have : have;
    if (want > have && want - have < room)
        room = want - have;
    return room;
}

/* Read once. Returns bytes read, 0 on EOF, -1 on error, -2 when nothing was there. */
static ssize_t
read_some(struct client *c, char *dst, size_t room)
{
    ssize_t n;

    do {
        n = read(c->fd, dst, room);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return -2;
    if (n > 0) {
        struct server_stats *st = server_stats();
        st->net_input_bytes += (uint64_t)n;
        st->reads_processed++;
        c->last_io_ms = mono_ms();
        if (!(c->flags & CLIENT_SERVED) && c->unserved_since_ms == 0)
            c->unserved_since_ms = c->last_io_ms;
    }
    return n;
}

/* Unprocessed input past client-query-buffer-limit: close with nothing sent, as Redis does. */
static void
close_query_limit(struct client *c, size_t pending)
{
    log_msg(LL_WARNING,
            "Closing client %s: %zu bytes of unprocessed input passed client-query-buffer-limit",
            c->addr, pending);
    c->flags |= CLIENT_CLOSE_ASAP;
}

/* Run the complete commands in the query buffer; free it once empty. */
static void
process_query(struct client *c)
{
    struct buf *q = &c->query;

    q->pos += process_input(c, q->data + q->pos, q->len - q->pos);
    if (q->pos == q->len)
        buf_free(q);
    else if ((long long)(q->len - q->pos) > config_get()->client_query_buffer_limit)
        close_query_limit(c, q->len - q->pos);
}

static void
handle_eof(struct client *c, ssize_t n)
{
    if (n < 0)
        log_msg(LL_VERBOSE, "Reading from client %s: %s", c->addr, strerror(errno));
    /* A peer that half-closed still gets the replies to what it sent. */
    if (n == 0 && reply_pending(c) > 0) {
        read_off(c);
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    } else {
        c->flags |= CLIENT_CLOSE_ASAP;
    }
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct client *c = arg;
    struct buf *q = &c->query;
    ssize_t n;

    c->flags |= CLIENT_IN_CALLBACK;
    const struct config *cfg = config_get();
    /* CONFIG SET may have changed the limits since the last read. */
    c->parser.max_bulk_len = cfg->proto_max_bulk_len;
    c->parser.authenticated = c->authenticated || cfg->requirepass[0] == '\0';
    reply_lend(c);
    if (c->flags & CLIENT_RESUME_INPUT) {
        /* Woken by resume_input(): run what waited in the query buffer before reading more. */
        c->flags &= ~CLIENT_RESUME_INPUT;
        n = -2;
        process_query(c);
    } else if (q->len == q->pos) {
        /* The common case: no unfinished command; parse straight from the static chunk. */
        n = read_some(c, read_chunk, sizeof(read_chunk));
        if (n > 0) {
            size_t used = process_input(c, read_chunk, (size_t)n);
            if (used < (size_t)n && !(c->flags & CLIENT_CLOSE_ASAP)) {
                size_t rest = (size_t)n - used;
                buf_clear(q);
                if (buf_reserve(q, read_room(c, rest) + rest) == 0)
                    buf_append(q, read_chunk + used, rest);
                if (q->oom)
                    c->flags |= CLIENT_CLOSE_ASAP;
            }
        }
    } else {
        size_t have = q->len - q->pos;
        if (q->pos > 0)
            buf_compact(q);
        if (buf_reserve(q, read_room(c, have)) < 0) {
            log_msg(LL_WARNING, "Closing client %s: no memory for its query buffer", c->addr);
            c->flags |= CLIENT_CLOSE_ASAP;
            n = -2;
        } else {
            n = read_some(c, q->data + q->len, q->cap - q->len);
            if (n > 0) {
                q->len += (size_t)n;
                process_query(c);
            }
        }
    }
    if (n == 0 || n == -1)
        handle_eof(c, n);
    after_batch(c);
    c->flags &= ~CLIENT_IN_CALLBACK;
    if ((c->flags & CLIENT_CLOSE_ASAP) ||
        ((c->flags & CLIENT_CLOSE_AFTER_REPLY) && reply_pending(c) == 0))
        client_free(c);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct client *c = arg;

    if (!(c->flags & CLIENT_CLOSE_ASAP)) /* over its output limit: nothing more is sent */
        reply_flush(c);
    size_t out = reply_pending(c);
    if (out == 0) {
        event_del(c->write_ev);
        reply_drop_idle(c);
    }
    if ((c->flags & CLIENT_OUTPUT_PAUSED) && out <= OUTPUT_RESUME)
        resume_input(c);
    client_account(c);
    if ((c->flags & CLIENT_CLOSE_ASAP) ||
        ((c->flags & CLIENT_CLOSE_AFTER_REPLY) && reply_pending(c) == 0))
        client_free(c);
}

/* ---- Accept ---- */

static void
sock_tune(int fd, int keepalive)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (keepalive <= 0)
        return;
    /* As Redis sets tcp-keepalive: probes after `keepalive` s of silence, then every third of
     * that, three times, so a vanished peer is dropped after about twice the setting. */
    int intvl = keepalive / 3 > 0 ? keepalive / 3 : 1, cnt = 3;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &keepalive, sizeof(keepalive));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Redis's test for protected mode: only 127.0.0.1 and ::1 count as local, exactly (127.0.0.2
 * or an IPv4-mapped ::ffff:127.0.0.1 do not). */
static int
peer_is_local(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    return 0;
}

/* Redis's reply to a peer refused by protected mode (docs/limits.md, "Connection limits"). */
static const char protected_msg[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections "
    "from the outside.\r\n";

static void
listeners_enable(int on)
{
    for (int i = 0; i < nlisteners; i++) {
        if (on)
            event_add(listeners[i].ev, NULL);
        else
            event_del(listeners[i].ev);
    }
}

static void
on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
    if (!shutdown_requested)
        listeners_enable(1);
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct server_stats *st = server_stats();

    for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue; /* that connection is gone; keep serving the others */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: level-triggered accept would spin, so pause 100 ms. */
                log_msg(LL_WARNING, "Accepting client connection: %s", strerror(errno));
                listeners_enable(0);
                struct timeval tv = {0, 100000};
                evtimer_add(accept_resume_ev, &tv);
            }
            return;
        }
        const struct config *cfg = config_get();
        if (cfg->protected_mode && cfg->requirepass[0] == '\0' && !peer_is_local(&ss)) {
            ssize_t w = write(fd, protected_msg, sizeof(protected_msg) - 1);
            (void)w;
            close(fd);
            st->rejected_connections++;
            continue;
        }
        if ((long long)clients_count() >= cfg->maxclients) {
            static const char msg[] = "-ERR max number of clients reached\r\n";
            ssize_t w = write(fd, msg, sizeof(msg) - 1);
            (void)w;
            close(fd);
            st->rejected_connections++;
            continue;
        }
        sock_tune(fd, cfg->tcp_keepalive);
        st->connections_received++;
        struct client *c = client_create(fd, &ss);
        log_msg(LL_VERBOSE, "Accepted %s", c->addr);
    }
}

/* A connection made without a listener (an in-process harness over a socketpair, say): served
 * exactly as an accepted one. The peer is whatever getpeername reports (AF_UNIX: no address). */
struct client *
net_adopt(int fd)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    memset(&ss, 0, sizeof(ss));
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        ss.ss_family = AF_UNIX;
    server_stats()->connections_received++;
    return client_create(fd, &ss);
}

/* ---- Listeners ---- */

static int
listen_one(const char *addr, int port, int optional)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fam, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (strcmp(addr, "*") == 0)
        addr = "0.0.0.0";
    else if (strcmp(addr, "::*") == 0)
        addr = "::";
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        fam = AF_INET;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof(*s4);
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        fam = AF_INET6;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof(*s6);
    } else {
        log_msg(LL_WARNING, "Invalid bind address '%s' (numeric IPv4 or IPv6 expected)", addr);
        return -1;
    }
    if (nlisteners == MAX_LISTENERS) {
        log_msg(LL_WARNING, "Too many bind addresses (at most %d)", MAX_LISTENERS);
        return -1;
    }
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fam == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 511) < 0)
        goto fail;
    listeners[nlisteners].fd = fd;
    listeners[nlisteners].ev = event_new(base, fd, EV_READ | EV_PERSIST, on_accept, NULL);
    event_add(listeners[nlisteners].ev, NULL);
    nlisteners++;
    return 0;

fail:;
    int err = errno;
    if (fd >= 0)
        close(fd);
    /* "-addr": skip it when this host does not have that address or protocol. */
    if (optional && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
                     err == ESOCKTNOSUPPORT || err == ENOPROTOOPT)) {
        log_msg(LL_NOTICE, "Skipping optional bind address %s: %s", addr, strerror(err));
        return 0;
    }
    log_msg(LL_WARNING, "Could not create server TCP listening socket %s:%d: %s", addr, port,
            strerror(err));
    return -1;
}

/* Listeners for every address of bind ("-addr": skipped when this host lacks it) on port.
 * 0, or -1 after logging why, with the listeners opened so far left open. Port 0: none. */
static int
open_listeners(const char *bind, int port)
{
    char list[1024];

    if (port == 0) {
        log_msg(LL_WARNING, "port 0: not listening on TCP");
        return 0;
    }
    snprintf(list, sizeof(list), "%s", bind);
    char *save = NULL;
    for (char *tok = strtok_r(list, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        int optional = tok[0] == '-';
        if (listen_one(optional ? tok + 1 : tok, port, optional) < 0)
            return -1;
    }
    if (nlisteners == 0 && bind[0] != '\0') {
        log_msg(LL_WARNING, "Failed listening on port %d: no address could be bound", port);
        return -1;
    }
    return 0;
}

int
net_setup(struct event_base *b)
{
    const struct config *cfg = config_get();

    base = b;
    blocking_setup(b);
    pause_setup(b);
    reply_setup(); /* the shared buffer from the start: used_memory_startup includes it */
    accept_resume_ev = evtimer_new(base, on_accept_resume, NULL);
    return open_listeners(cfg->bind, cfg->port);
}

int
net_relisten(const char *old_bind, int old_port)
{
    const struct config *cfg = config_get();

    /* Connections still waiting in the old listeners' backlogs become clients first: closing a
     * listener would reset them. Then close: the new set may take the same address and port. */
    for (int i = 0; i < nlisteners; i++)
        on_accept(listeners[i].fd, EV_READ, NULL);
    net_close_listeners();
    if (open_listeners(cfg->bind, cfg->port) == 0) {
        log_msg(LL_NOTICE, "Listening again: port %d, bind '%s'", cfg->port, cfg->bind);
        return 0;
    }
    net_close_listeners();
    if (open_listeners(old_bind, old_port) < 0)
        log_msg(LL_WARNING, "Could not listen again on the previous port %d, bind '%s'", old_port,
                old_bind);
    return -1;
}

void
net_close_listeners(void)
{
    for (int i = 0; i < nlisteners; i++) {
        event_free(listeners[i].ev);
        close(listeners[i].fd);
    }
    nlisteners = 0;
}

void
net_teardown(void)
{
    net_close_listeners();
    while (clients_first()) {
        struct client *c = clients_first();
        c->flags &= ~CLIENT_IN_CALLBACK;
        /* One last try at replies already computed (e.g. those before a SHUTDOWN in the same
         * pipeline), without waiting for slow readers. */
        if (reply_pending(c) > 0)
            reply_flush(c);
        client_free(c);
    }
    reply_teardown();
    blocking_teardown();
    pause_teardown();
    if (accept_resume_ev) {
        event_free(accept_resume_ev);
        accept_resume_ev = NULL;
    }
}

void
net_request_shutdown(void)
{
    shutdown_requested = 1;
    if (base)
        event_base_loopbreak(base);
}

/* ---- Clients cron ---- */

void
net_cron(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    const struct config *cfg = config_get();
    int64_t now = mono_ms();
    struct client *next;

    clients_peaks_cron();
    clients_evict(); /* a CONFIG SET of the limit, or of maxmemory, takes effect here too */
    for (struct client *c = clients_first(); c; c = next) {
        next = c->next;
        int64_t idle = now - c->last_io_ms;
        /* As in Redis, monitors and subscribers only listen: they are never idle. */
        if (cfg->timeout > 0 && idle > (int64_t)cfg->timeout * 1000 && c->pubsub == NULL &&
            !(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_BLOCKED | CLIENT_MONITOR))) {
            log_msg(LL_VERBOSE, "Closing idle client %s", c->addr);
            client_free(c);
            continue;
        }
        if (cfg->first_command_timeout > 0 && c->unserved_since_ms &&
            now - c->unserved_since_ms > (int64_t)cfg->first_command_timeout * 1000) {
            log_msg(LL_VERBOSE, "Closing client %s: no complete command %d s after its first bytes",
                    c->addr, cfg->first_command_timeout);
            client_free(c);
            continue;
        }
        if (reply_pending(c) > 0 && reply_limit_reached(c)) {
            client_free(c); /* the soft limit's time ran out while it was not reading */
            continue;
        }
        if ((c->flags & CLIENT_CLOSE_AFTER_REPLY) && idle > FLUSH_DEADLINE_MS) {
            log_msg(LL_VERBOSE, "Closing client %s: its reply was not read in time", c->addr);
            client_free(c);
            continue;
        }
        /* An unfinished command that stalls keeps its bytes, but not spare capacity. */
        if (idle > IDLE_TRIM_MS && c->query.data && c->query.cap - c->query.len > 4096) {
            buf_trim(&c->query, 0);
            client_account(c);
        }
    }
}
