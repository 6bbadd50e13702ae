/* reply — a client's pending output and how it is written. Replies are written into one open
 * buffer (c->reply: while a batch is served, the shared buffer lent by this module); what
 * cannot be sent at once is kept as a chain of nodes, each either a chunk of bytes or a pinned
 * reference to a stored string's bytes (a GET of a large value queues no copy of it). The
 * chain holds the oldest bytes, the open buffer the newest; both go out in one writev. */
#ifndef ZMEM_SERVER_REPLY_H
#define ZMEM_SERVER_REPLY_H

#include <stddef.h>

struct buf;
struct client;
struct iovec;
struct str;

/* Buffer bytes at which the open buffer is moved into the chain (Redis's 16 KiB reply
 * buffer and list nodes), and the smallest stored string sent by reference. */
#define REPLY_CHUNK   (16 * 1024)
#define REPLY_REF_MIN (16 * 1024)

struct reply_node;

/* Pending output that left the open buffer, oldest first. */
struct reply_chain {
    struct reply_node *head, *tail;
    size_t bytes; /* owed: unsent bytes of every node, referenced strings included */
    size_t mem;   /* allocator bytes of the nodes and their chunks (pinned strings excluded) */
    size_t nodes;
};

#define REPLY_CHAIN_INIT                                                                           \
    {                                                                                              \
        NULL, NULL, 0, 0, 0                                                                        \
    }

/* ---- The chain on its own (unit-tested) ---- */

/* Move b's unsent bytes (b->data[pos..len)) to the end of ch: small ones are copied into a
 * chunk of their size and b keeps its allocation (emptied); larger ones take b's allocation
 * with them and b is left as BUF_INIT. 0, or -1 on allocation failure (b unchanged). */
int reply_chain_push_buf(struct reply_chain *ch, struct buf *b);
/* Append a reference to len bytes of raw string s from offset off (off + len <= s->len), pinned
 * until they are sent or the chain is cleared (strpin.h). 0, or -1 on allocation failure. */
int reply_chain_push_str(struct reply_chain *ch, struct str *s, size_t off, size_t len);
/* Fill at most max iovecs with ch's unsent bytes, in order. Returns how many were filled. */
int reply_chain_iov(const struct reply_chain *ch, struct iovec *iov, int max);
/* n bytes from the front of ch were sent (n <= ch->bytes): drop them, freeing finished nodes
 * and releasing their pins. */
void reply_chain_consume(struct reply_chain *ch, size_t n);
/* Drop everything (a client closing): frees the nodes, releases the pins. */
void reply_chain_clear(struct reply_chain *ch);

/* ---- A client's output ---- */

/* Bytes c owes: chain plus open buffer. What backpressure, client-output-buffer-limit and
 * CLIENT LIST's omem count (a referenced string counts in full, as its copy would in Redis). */
size_t reply_pending(const struct client *c);
/* Allocator bytes of c's output: open buffer, nodes and chunks; not the pinned strings, which
 * stay counted in the dataset while they are stored (tot-mem, maxmemory-clients). */
size_t reply_memory(const struct client *c);
/* A bulk reply of raw string s: sent by reference when it is large and the reply may be split
 * (no deferred length open, replies not being dropped), else copied. */
void reply_bulk_str(struct client *c, struct str *s);
/* The same for len bytes of s from offset off (GETRANGE): a large range goes by reference too,
 * pinning the whole string. */
void reply_bulk_str_range(struct client *c, struct str *s, size_t off, size_t len);
/* About to append len bytes to c's open buffer: when that would pass REPLY_CHUNK, move what it
 * holds into the chain first, so output is never one buffer copied as it grows. */
void reply_make_room(struct client *c, size_t len);
/* Between replies (a command ended, or output was added for a client not being served): no
 * deferred length can be open; move a full open buffer to the chain. */
void reply_spill(struct client *c);
/* A deferred aggregate length was reserved / filled in: the open buffer must not move. */
void reply_deferred_opened(struct client *c);
void reply_deferred_closed(struct client *c);

/* Write what c owes, at most a per-turn budget (other clients get the loop too), with
 * writev. 0, or -1 on a write error (c is then marked CLOSE_ASAP). */
int reply_flush(struct client *c);
/* client-output-buffer-limit for c's class: 1, with c marked to close, when its pending output
 * is at the hard limit or has stayed at the soft limit past soft-seconds. */
int reply_limit_reached(struct client *c);

/* ---- The shared reply buffer ---- */

/* Lend the shared buffer to c for the batch it is about to serve (if c has no buffer). */
void reply_lend(struct client *c);
/* After the batch: take the shared buffer back from c, leaving c only its unsent output. */
void reply_return(struct client *c);
/* 1 while c holds the shared buffer. */
int reply_is_lent(const struct client *c);
/* c is closing: free its output (giving the shared buffer back if it holds it). */
void reply_release(struct client *c);
/* c owes nothing: free its open buffer (not while it holds the shared one). */
void reply_drop_idle(struct client *c);
/* Make / free the shared buffer (server start and end). */
void reply_setup(void);
void reply_teardown(void);

#endif
