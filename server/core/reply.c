/* reply.c — pending output as a chain of chunks and pinned references, written with writev
 * under a per-turn budget, plus the shared reply buffer lent to the client being served.
 *
 * Why a chain: a buffer that grows by realloc copies everything queued each time it doubles,
 * and a GET of a large value would copy the value once per GET. Here the open buffer is moved
 * (not copied, once it is big) into the chain at REPLY_CHUNK, and a large stored string is
 * queued as a reference pinned with strpin: DEL, SET, APPEND, expiry, eviction or a lazy free
 * of the key while the reply is owed leave the bytes alone (the old buffer lives until its last
 * pin goes). All node memory goes through chunk_alloc / chunk_free. */
#include "reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "log.h"
#include "memcat.h"
#include "object.h"
#include "pubsub.h"
#include "resp_write.h"
#include "stats.h"
#include "strpin.h"
#include "util.h"
#include "zmalloc.h"

/* Most bytes written to one client per event-loop turn: a fast reader of a huge reply shares the
 * loop with everyone else instead of holding it until its whole reply is sent. */
#define WRITE_BUDGET (4 * 1024 * 1024)
/* iovecs per writev: enough to cover the budget with 16 KiB chunks and small nodes between. */
#define WRITE_IOV 64
/* Unsent bytes up to this size are copied into a chunk of their own when the open buffer moves
 * to the chain; larger ones take the buffer's allocation along instead. */
#define SEAL_COPY_MAX (4 * 1024)
/* A tail of unsent output up to this size is copied out of the shared reply buffer; a larger
 * one takes the shared allocation with it instead of copying. */
#define REPLY_KEEP_COPY (16 * 1024)
/* The shared reply buffer is kept between batches at exactly this size: a batch may grow it,
 * but it goes back to this size after, so used_memory does not depend on how earlier batches
 * happened to be split. */
#define REPLY_SHARED_KEEP (16 * 1024)

struct reply_node {
    struct reply_node *next;
    const char *data;  /* the bytes: own[], a taken buffer, or a pinned string's buf */
    size_t len, pos;   /* data[pos..len) is owed */
    char *taken;       /* a buffer allocation moved here from an open buffer, or NULL */
    struct strpin pin; /* pin.s set: data are that string's bytes */
    char own[];        /* copied small chunk */
};

static struct buf shared_reply = BUF_INIT;
static struct client *reply_lent_to;

/* ---- Node memory: the one allocation and free of reply chunks ---- */

static struct reply_node *
chunk_alloc(size_t own_bytes)
{
    MEMCAT_SCOPE(MC_CLIENTS_REPLY);
    struct reply_node *n = ztrymalloc(sizeof(*n) + own_bytes);
    if (n)
        memset(n, 0, sizeof(*n));
    return n;
}

static void
chunk_free(struct reply_node *n)
{
    MEMCAT_SCOPE(MC_CLIENTS_REPLY); /* a taken buffer was the client's reply buffer: the same */
    zfree(n->taken);
    zfree(n);
}

static size_t
node_mem(const struct reply_node *n)
{
    return zmalloc_size(n) + (n->taken ? zmalloc_size(n->taken) : 0);
}

/* ---- The chain ---- */

static void
chain_append(struct reply_chain *ch, struct reply_node *n)
{
    if (ch->tail)
        ch->tail->next = n;
    else
        ch->head = n;
    ch->tail = n;
    ch->bytes += n->len - n->pos;
    ch->mem += node_mem(n);
    ch->nodes++;
}

int
reply_chain_push_buf(struct reply_chain *ch, struct buf *b)
{
    size_t left = b->len - b->pos;
    struct reply_node *n;

    if (left == 0)
        return 0;
    if (left <= SEAL_COPY_MAX) {
        if ((n = chunk_alloc(left)) == NULL)
            return -1;
        memcpy(n->own, b->data + b->pos, left);
        n->data = n->own;
        n->len = left;
        buf_clear(b);
    } else {
        if ((n = chunk_alloc(0)) == NULL)
            return -1;
        n->taken = b->data;
        n->data = b->data;
        n->pos = b->pos;
        n->len = b->len;
        *b = (struct buf)BUF_INIT;
        b->cat = MC_CLIENTS_REPLY;
    }
    chain_append(ch, n);
    return 0;
}

int
reply_chain_push_str(struct reply_chain *ch, struct str *s, size_t off, size_t len)
{
    struct reply_node *n = chunk_alloc(0);
    if (n == NULL)
        return -1;
    strpin_add(&n->pin, s);
    n->data = s->buf + off;
    n->len = len;
    chain_append(ch, n);
    return 0;
}

int
reply_chain_iov(const struct reply_chain *ch, struct iovec *iov, int max)
{
    int k = 0;
    for (const struct reply_node *n = ch->head; n && k < max; n = n->next) {
        iov[k].iov_base = (void *)(n->data + n->pos);
        iov[k].iov_len = n->len - n->pos;
        k++;
    }
    return k;
}

static void
node_drop(struct reply_chain *ch, struct reply_node *n)
{
    ch->head = n->next;
    if (ch->head == NULL)
        ch->tail = NULL;
    ch->bytes -= n->len - n->pos;
    ch->mem -= node_mem(n);
    ch->nodes--;
    if (n->pin.s)
        strpin_remove(&n->pin); /* may free an orphaned string: after the last use of data */
    chunk_free(n);
}

void
reply_chain_consume(struct reply_chain *ch, size_t n)
{
    while (n > 0 && ch->head) {
        struct reply_node *h = ch->head;
        size_t left = h->len - h->pos;
        if (n < left) {
            h->pos += n;
            ch->bytes -= n;
            return;
        }
        n -= left;
        node_drop(ch, h);
    }
}

void
reply_chain_clear(struct reply_chain *ch)
{
    while (ch->head)
        node_drop(ch, ch->head);
}

/* ---- A client's output ---- */

size_t
reply_pending(const struct client *c)
{
    return c->chain.bytes + (c->reply.len - c->reply.pos);
}

size_t
reply_memory(const struct client *c)
{
    return buf_alloc_size(&c->reply) + c->chain.mem;
}

/* The open buffer may move only between replies that nothing will patch: no deferred length
 * pointing into it, and no CLIENT REPLY OFF|SKIP mark (command.c takes such output back by
 * cutting the buffer at its length before the command). */
static int
may_seal(const struct client *c)
{
    return c->deferred_open == 0 && !(c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP));
}

/* Move the open buffer's unsent bytes to the chain; an allocation failure marks the buffer
 * oom, which drops the client after the command as for any reply. */
static void
seal(struct client *c)
{
    if (reply_chain_push_buf(&c->chain, &c->reply) < 0)
        c->reply.oom = 1;
}

void
reply_bulk_str_range(struct client *c, struct str *s, size_t off, size_t len)
{
    if (len < REPLY_REF_MIN || !may_seal(c) || c->reply.oom) {
        resp_write_bulk(&c->reply, s->buf + off, len);
        return;
    }
    char hdr[32];
    buf_append(&c->reply, hdr, (size_t)snprintf(hdr, sizeof(hdr), "$%zu\r\n", len));
    seal(c);
    if (c->reply.oom)
        return;
    if (reply_chain_push_str(&c->chain, s, off, len) < 0)
        buf_append(&c->reply, s->buf + off, len); /* no node: a copy will do */
    buf_append(&c->reply, "\r\n", 2);
}

void
reply_bulk_str(struct client *c, struct str *s)
{
    reply_bulk_str_range(c, s, 0, s->len);
}

void
reply_make_room(struct client *c, size_t len)
{
    size_t open = c->reply.len - c->reply.pos;
    if (open > SEAL_COPY_MAX && open + len > REPLY_CHUNK && may_seal(c)) {
        seal(c);
        /* More is coming in this reply: give the open buffer a whole chunk at once. */
        if (c->reply.data == NULL && len < REPLY_CHUNK)
            buf_reserve_exact(&c->reply, REPLY_CHUNK);
    }
}

void
reply_spill(struct client *c)
{
    c->deferred_open = 0;
    if (c->reply.len - c->reply.pos >= REPLY_CHUNK && may_seal(c))
        seal(c);
}

void
reply_deferred_opened(struct client *c)
{
    c->deferred_open++;
}

void
reply_deferred_closed(struct client *c)
{
    if (c->deferred_open > 0)
        c->deferred_open--;
}

int
reply_flush(struct client *c)
{
    struct server_stats *st = server_stats();
    struct buf *r = &c->reply;
    size_t budget = WRITE_BUDGET;
    struct iovec iov[WRITE_IOV + 1];

    while (reply_pending(c) > 0 && budget > 0) {
        int k = reply_chain_iov(&c->chain, iov, WRITE_IOV);
        if (k < WRITE_IOV && r->len > r->pos) {
            iov[k].iov_base = r->data + r->pos;
            iov[k].iov_len = r->len - r->pos;
            k++;
        }
        /* Cut the vector at the budget. */
        size_t total = 0;
        int used = 0;
        while (used < k && total < budget) {
            if (iov[used].iov_len > budget - total)
                iov[used].iov_len = budget - total;
            total += iov[used].iov_len;
            used++;
        }
        ssize_t n = writev(c->fd, iov, used);
        if (n > 0) {
            size_t from_chain = (size_t)n < c->chain.bytes ? (size_t)n : c->chain.bytes;
            reply_chain_consume(&c->chain, from_chain);
            r->pos += (size_t)n - from_chain;
            budget -= (size_t)n;
            st->net_output_bytes += (uint64_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c->flags |= CLIENT_CLOSE_ASAP;
        return -1;
    }
    st->writes_processed++;
    c->last_io_ms = mono_ms();
    return 0;
}

int
reply_limit_reached(struct client *c)
{
    int cls = c->pubsub ? OBUF_PUBSUB : OBUF_NORMAL; /* any subscription, shard ones too */
    const struct obuf_limit *lim = &config_get()->obuf_limits[cls];
    long long out = (long long)reply_pending(c);
    int over = 0;

    if (lim->hard == 0 && lim->soft == 0)
        return 0;
    if (lim->hard && out >= lim->hard)
        over = 1;
    if (lim->soft && out >= lim->soft) {
        int64_t now = mono_ms();
        if (c->obuf_soft_since_ms == 0)
            c->obuf_soft_since_ms = now;
        else if (now - c->obuf_soft_since_ms > (int64_t)lim->soft_seconds * 1000)
            over = 1;
    } else {
        c->obuf_soft_since_ms = 0;
    }
    /* As in Redis no error is sent: the reply that crossed the limit is never delivered, only
     * the connection's end. */
    if (over && !(c->flags & CLIENT_CLOSE_ASAP)) {
        log_msg(
            LL_WARNING,
            "Closing client %s: %lld bytes of pending output reached client-output-buffer-limit",
            c->addr, out);
        c->flags |= CLIENT_CLOSE_ASAP;
    }
    return over;
}

/* ---- The shared reply buffer ---- */

/* Make b, emptied, the shared reply buffer, at exactly REPLY_SHARED_KEEP bytes. */
static void
shared_put(struct buf *b)
{
    b->cat = MC_CLIENTS_REPLY;
    buf_clear(b);
    if (b->cap > REPLY_SHARED_KEEP)
        buf_trim(b, REPLY_SHARED_KEEP);
    else if (b->cap < REPLY_SHARED_KEEP)
        buf_reserve_exact(b, REPLY_SHARED_KEEP); /* on failure it is just smaller */
    b->oom = 0;
    shared_reply = *b;
    *b = (struct buf)BUF_INIT;
    b->cat = MC_CLIENTS_REPLY;
}

void
reply_lend(struct client *c)
{
    if (reply_lent_to == NULL && c->reply.data == NULL) {
        c->reply = shared_reply;
        shared_reply = (struct buf)BUF_INIT;
        reply_lent_to = c;
    }
}

void
reply_return(struct client *c)
{
    if (reply_lent_to != c)
        return;
    reply_lent_to = NULL;
    struct buf *r = &c->reply;
    size_t left = r->len - r->pos;
    if (left == 0) {
        shared_put(r);
    } else if (left <= REPLY_KEEP_COPY) {
        struct buf own = BUF_INIT;
        own.cat = MC_CLIENTS_REPLY;
        buf_append(&own, r->data + r->pos, left);
        if (own.oom)
            c->flags |= CLIENT_CLOSE_ASAP;
        shared_put(r);
        *r = own;
    } else {
        buf_compact(r); /* the client keeps the big allocation; a new shared one is made */
        struct buf fresh = BUF_INIT;
        shared_put(&fresh);
    }
}

int
reply_is_lent(const struct client *c)
{
    return reply_lent_to == c;
}

void
reply_release(struct client *c)
{
    if (reply_lent_to == c) {
        shared_put(&c->reply);
        reply_lent_to = NULL;
    }
    reply_chain_clear(&c->chain);
    buf_free(&c->reply);
}

void
reply_drop_idle(struct client *c)
{
    if (reply_lent_to != c && reply_pending(c) == 0 && c->reply.data)
        buf_free(&c->reply);
}

void
reply_setup(void)
{
    struct buf first = BUF_INIT;
    shared_put(&first);
}

void
reply_teardown(void)
{
    buf_free(&shared_reply);
}
