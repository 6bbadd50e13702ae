/* blocking.c — the waits of blocking commands. A waited-on key has one entry (struct bkey) in
 * a table keyed by database and key, holding the FIFO of its waiters; a client's wait (struct
 * block_state) is one allocation with its waiter nodes, its copied arguments and its timeout
 * timer. The keyspace tells us when a key is added (db_set_key_added_hook, installed only
 * while someone waits); such a key is queued once in the ready list, and after the command
 * that added it blocking_serve_ready() serves its waiters in order while the key holds a value
 * of the type they wait for. So a server with nobody blocked pays one test per command. */
#include "blocking.h"

#include <event2/event.h>
#include <math.h>
#include <string.h>

#include "memcat.h"
#include "command.h"
#include "db.h"
#include "dict.h"
#include "net.h"
#include "stats.h"
#include "util.h"
#include "zmalloc.h"

struct bwait;

/* A key somebody waits on. The table key is the database id (4 bytes) then the key bytes. */
struct bkey {
    struct dict_node node;
    int ready;  /* queued in the ready list */
    int pinned; /* being served: not freed under serve_key() even when its FIFO empties */
    struct bwait *head, *tail;
    size_t tlen; /* table key length: 4 + key length */
    char tkey[];
};

/* One client waiting on one key: a node of the key's FIFO. */
struct bwait {
    struct bwait *prev, *next;
    struct bkey *bk;
    struct client *c;
    int argi; /* the key's argv index */
};

struct block_state {
    block_serve_fn *serve;
    block_serve_fn *timed_out; /* the timeout reply (WAIT), NULL: a null array */
    int postponed;             /* held by CLIENT PAUSE: re-run, not served (block_postpone) */
    struct client *next_postponed;
    const struct command *cmd;
    int type;
    int nwait;
    int64_t deadline_ms;
    struct event *timer; /* NULL without a timeout */
    struct bwait *waits; /* nwait nodes */
    int argc;
    struct resp_arg *argv; /* copies, in this allocation */
};

size_t blocking_ready_count;
static struct bkey **ready;
static size_t ready_cap;
static struct dict keys; /* struct bkey by database and key */
static size_t nblocked, ntimeout;
static struct event_base *evbase;
static void postponed_unlink(struct client *c);

static const char *
bkey_key(const struct dict_node *n, size_t *len)
{
    const struct bkey *bk = (const struct bkey *)n;
    *len = bk->tlen;
    return bk->tkey;
}

static void
on_key_added(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    char stack[256];
    size_t tlen = 4 + klen;
    char *t = tlen <= sizeof(stack) ? stack : zmalloc(tlen);
    int32_t id = db->id;
    memcpy(t, &id, 4);
    memcpy(t + 4, key, klen);
    struct bkey *bk = (struct bkey *)dict_find(&keys, t, tlen, dict_hash(t, tlen));
    if (t != stack)
        zfree(t);
    if (bk == NULL || bk->ready)
        return;
    if (blocking_ready_count == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = zrealloc(ready, ready_cap * sizeof(*ready));
    }
    bk->ready = 1;
    ready[blocking_ready_count++] = bk;
}

void
blocking_setup(struct event_base *base)
{
    evbase = base;
    dict_init(&keys, bkey_key);
}

void
blocking_teardown(void)
{
    /* The clients are gone (net_teardown), so no key is waited on any more. */
    zfree(ready);
    ready = NULL;
    ready_cap = blocking_ready_count = 0;
    dict_clear(&keys, NULL, NULL);
    db_set_key_added_hook(NULL);
}

int
block_timeout_arg(struct client *c, int i, int64_t *deadline_ms)
{
    long double sec;
    if (str_to_ldouble(c->argv[i].ptr, c->argv[i].len, &sec) < 0) {
        reply_error(c, "ERR timeout is not a float or out of range");
        return -1;
    }
    /* Redis 7.0 rounds the milliseconds up and converts to a long long: a value out of its
     * range (inf, 1e300) comes out negative there, so it is refused as negative. -0.0001 is 0:
     * no timeout. */
    long double ms = ceill(sec * 1000.0L);
    if (!(ms >= 0) || ms >= 9223372036854775807.0L) {
        reply_error(c, "ERR timeout is negative");
        return -1;
    }
    long long t = (long long)ms;
    int64_t now = mono_ms();
    *deadline_ms = t == 0 ? 0 : (t > INT64_MAX - now ? INT64_MAX : now + t);
    return 0;
}

static void
bkey_free(struct bkey *bk)
{
    dict_remove(&keys, bk->tkey, bk->tlen, dict_hash(bk->tkey, bk->tlen));
    zfree(bk);
    if (dict_size(&keys) == 0)
        dict_clear(&keys, NULL, NULL); /* nobody waits: back to no table at all */
}

/* Take c out of every FIFO, stop its timer and its counts; its state stays for the caller. */
static void
unlink_waits(struct client *c)
{
    struct block_state *bs = c->block;
    for (int i = 0; i < bs->nwait; i++) {
        struct bwait *w = &bs->waits[i];
        struct bkey *bk = w->bk;
        if (w->prev)
            w->prev->next = w->next;
        else
            bk->head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            bk->tail = w->prev;
        if (bk->head == NULL && !bk->ready && !bk->pinned) /* else freed once served */
            bkey_free(bk);
    }
    if (bs->timer) {
        event_del(bs->timer);
        ntimeout--;
    }
    c->flags &= ~CLIENT_BLOCKED;
    if (--nblocked == 0)
        db_set_key_added_hook(NULL);
}

static void
state_free(struct client *c)
{
    zfree(c->block);
    c->block = NULL;
}

/* Reply in c's context (its saved arguments and command), then let it run what waited. */
static void
finish(struct client *c, block_serve_fn *serve, int key, int error)
{
    struct block_state *bs = c->block;
    uint64_t errors_before = server_stats()->total_error_replies;
    int64_t start = mono_us();

    unlink_waits(c);
    c->argc = bs->argc;
    c->argv = bs->argv;
    c->cmd = bs->cmd;
    if (serve) {
        MEMCAT_SCOPE(memcat_of_group(bs->cmd->group)); /* as command_call runs it */
        serve(c, key);
    } else if (error)
        reply_error(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else if (bs->timed_out)
        bs->timed_out(c, -1);
    else
        reply_null_array(c); /* the timeout reply of every blocking command in Redis 7.0 */
    /* As Redis 7.0: the call was counted when the command blocked; its time now. */
    bs->cmd->stats->usec += (uint64_t)(mono_us() - start);
    if (server_stats()->total_error_replies != errors_before)
        bs->cmd->stats->failed_calls++;
    c->argc = 0;
    c->argv = NULL;
    c->cmd = NULL;
    state_free(c);
    net_client_resume(c);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct client *c = arg;
    if (c->flags & CLIENT_BLOCKED)
        finish(c, NULL, 0, 0);
}

void
block_for_keys(struct client *c, int first, int last, int type, int64_t deadline_ms,
               block_serve_fn *serve)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    int nkeys = last - first + 1;
    size_t argbytes = 0;
    for (int i = 0; i < c->argc; i++)
        argbytes += c->argv[i].len + 1;
    size_t evsz = deadline_ms ? event_get_struct_event_size() : 0;
    /* One allocation: state, timer event, waiter nodes, argv array, argument bytes. */
    size_t off_ev = (sizeof(struct block_state) + 15) & ~(size_t)15;
    size_t off_w = (off_ev + evsz + 15) & ~(size_t)15;
    size_t off_argv = off_w + (size_t)nkeys * sizeof(struct bwait);
    size_t off_bytes = off_argv + (size_t)c->argc * sizeof(struct resp_arg);
    char *mem = zcalloc(off_bytes + argbytes);
    struct block_state *bs = (struct block_state *)(void *)mem;

    bs->serve = serve;
    bs->cmd = c->cmd;
    bs->type = type;
    bs->deadline_ms = deadline_ms;
    bs->waits = (struct bwait *)(void *)(mem + off_w);
    bs->argc = c->argc;
    bs->argv = (struct resp_arg *)(void *)(mem + off_argv);
    char *p = mem + off_bytes;
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i].ptr, c->argv[i].len);
        p[c->argv[i].len] = '\0';
        bs->argv[i].ptr = p;
        bs->argv[i].len = c->argv[i].len;
        p += c->argv[i].len + 1;
    }
    c->block = bs;
    c->flags |= CLIENT_BLOCKED;
    if (nblocked++ == 0)
        db_set_key_added_hook(on_key_added);

    int32_t id = c->db_id;
    for (int j = first; j <= last; j++) {
        size_t klen = c->argv[j].len, tlen = 4 + klen;
        char *t = zmalloc(tlen);
        memcpy(t, &id, 4);
        memcpy(t + 4, c->argv[j].ptr, klen);
        uint64_t h = dict_hash(t, tlen);
        struct bkey *bk = (struct bkey *)dict_find(&keys, t, tlen, h);
        if (bk == NULL) {
            bk = zcalloc(sizeof(*bk) + tlen);
            bk->tlen = tlen;
            memcpy(bk->tkey, t, tlen);
            dict_insert(&keys, &bk->node, h);
        }
        zfree(t);
        /* A key named twice is waited on once, as in Redis. */
        if (bk->tail && bk->tail->c == c)
            continue;
        struct bwait *w = &bs->waits[bs->nwait++];
        w->bk = bk;
        w->c = c;
        w->argi = j;
        w->prev = bk->tail;
        if (bk->tail)
            bk->tail->next = w;
        else
            bk->head = w;
        bk->tail = w;
    }
    if (deadline_ms) {
        bs->timer = (struct event *)(void *)(mem + off_ev);
        evtimer_assign(bs->timer, evbase, on_timeout, c);
        int64_t left = deadline_ms - mono_ms();
        if (left < 0)
            left = 0;
        if (left >
            (int64_t)1000 * 1000 * 1000 * 1000) /* libevent's timeval: a few thousand years */
            left = (int64_t)1000 * 1000 * 1000 * 1000;
        struct timeval tv = {(time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000};
        evtimer_add(bs->timer, &tv);
        ntimeout++;
    }
}

/* Serve the waiters of bk that were there when it got its turn, in order, while the key holds
 * a value; a waiter for another type than the value's is passed over. */
static void
serve_key(struct bkey *bk)
{
    int32_t id;
    memcpy(&id, bk->tkey, 4);
    struct db *db = db_get(id);
    const char *key = bk->tkey + 4;
    size_t klen = bk->tlen - 4, n = 0;
    for (struct bwait *w = bk->head; w; w = w->next)
        n++;
    struct bwait *w = bk->head;
    while (n-- && w) {
        struct bwait *next = w->next;
        struct kv *e = db_lookup(db, key, klen, LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
        if (e == NULL)
            break;
        struct client *c = w->c;
        if (kv_type(e) == c->block->type)
            finish(c, c->block->serve, w->argi, 0);
        w = next;
    }
}

void
blocking_serve_ready(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    while (blocking_ready_count) {
        /* Keys readied while serving (BLMOVE's destination) go to a fresh list, served next. */
        struct bkey **list = ready;
        size_t n = blocking_ready_count;
        ready = NULL;
        ready_cap = blocking_ready_count = 0;
        for (size_t i = 0; i < n; i++) {
            struct bkey *bk = list[i];
            bk->ready = 0;
            bk->pinned = 1;
            serve_key(bk);
            bk->pinned = 0;
            if (bk->head == NULL && !bk->ready)
                bkey_free(bk);
        }
        zfree(list);
    }
}

int
blocking_unblock(struct client *c, int error)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (!(c->flags & CLIENT_BLOCKED) || c->block->postponed)
        return -1;
    finish(c, NULL, 0, error);
    return 0;
}

void
blocking_client_gone(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (!(c->flags & CLIENT_BLOCKED))
        return;
    if (c->block->postponed)
        postponed_unlink(c);
    unlink_waits(c);
    state_free(c);
}

size_t
blocking_clients(void)
{
    return nblocked;
}

size_t
blocking_clients_with_timeout(void)
{
    return ntimeout;
}

/* ---- Waits without keys: WAIT's timeout, CLIENT PAUSE's postponed commands ---- */

/* Postponed clients, oldest first, chained through their block states. */
static struct client *postponed_head, *postponed_tail;
static size_t npostponed;

void
block_wait(struct client *c, int64_t deadline_ms, block_serve_fn *timed_out)
{
    block_for_keys(c, 1, 0, -1, deadline_ms, NULL);
    c->block->timed_out = timed_out;
}

void
block_postpone(struct client *c)
{
    block_for_keys(c, 1, 0, -1, 0, NULL);
    c->block->postponed = 1;
    if (postponed_tail)
        postponed_tail->block->next_postponed = c;
    else
        postponed_head = c;
    postponed_tail = c;
    npostponed++;
}

static void
postponed_unlink(struct client *c)
{
    struct client *prev = NULL;
    for (struct client *p = postponed_head; p; prev = p, p = p->block->next_postponed) {
        if (p != c)
            continue;
        if (prev)
            prev->block->next_postponed = c->block->next_postponed;
        else
            postponed_head = c->block->next_postponed;
        if (postponed_tail == c)
            postponed_tail = prev;
        npostponed--;
        return;
    }
}

int
blocking_is_postponed(const struct client *c)
{
    return (c->flags & CLIENT_BLOCKED) && c->block->postponed;
}

void
blocking_resume_postponed(void)
{
    /* One at a time from the head: a command run here may close another postponed client, or
     * be postponed again by a new pause (it then goes to the tail, past this round). */
    for (size_t n = npostponed; n > 0 && postponed_head; n--) {
        struct client *c = postponed_head;
        struct block_state *bs = c->block;
        postponed_unlink(c);
        unlink_waits(c);
        c->block = NULL;
        c->argc = bs->argc;
        c->argv = bs->argv;
        c->flags |= CLIENT_IN_CALLBACK; /* a close it causes waits for net_client_resume() */
        command_dispatch(c);
        c->flags &= ~CLIENT_IN_CALLBACK;
        c->argc = 0;
        c->argv = NULL;
        zfree(bs);
        if (blocking_ready_count)
            blocking_serve_ready();
        if (!(c->flags & CLIENT_BLOCKED))
            net_client_resume(c);
    }
}

struct scan_ctx {
    struct db *db;
};

static void
scan_one(struct dict_node *n, void *arg)
{
    struct scan_ctx *s = arg;
    struct bkey *bk = (struct bkey *)n;
    int32_t id;
    memcpy(&id, bk->tkey, 4);
    if (id == s->db->id && !bk->ready &&
        db_lookup(s->db, bk->tkey + 4, bk->tlen - 4, LOOKUP_NOTOUCH | LOOKUP_NOSTATS))
        on_key_added(s->db, bk->tkey + 4, bk->tlen - 4);
}

void
blocking_scan_db(struct db *db)
{
    struct scan_ctx s = {db};
    if (nblocked && dict_size(&keys))
        dict_foreach(&keys, scan_one, &s);
}
