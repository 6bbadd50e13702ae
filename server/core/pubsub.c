/* pubsub.c — the server's channel, pattern and shard channel tables (each entry lists its
 * subscribers), the per-client subscription lists that point back into them, delivery of
 * messages into the subscribers' reply buffers, and keyspace notifications built on PUBLISH.
 *
 * A client's subscriptions are arrays of pointers to the shared entries: the entry holds the
 * name once, the client pays a pointer per subscription, and the whole record is freed when its
 * last subscription goes, so a client that unsubscribes is back to its former size.
 *
 * Shard channels (SSUBSCRIBE, SPUBLISH) are a namespace of their own, as in Redis 7.0 on a
 * standalone server: no pattern matches them, and their counts are kept apart. */
#include "pubsub.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "memcat.h"
#include "client.h"
#include "config.h"
#include "db.h"
#include "dict.h"
#include "net.h"
#include "resp_write.h"
#include "util.h"
#include "zmalloc.h"

/* The three kinds of subscription, indexes into the tables below and a client's lists. */
enum { K_CHAN, K_PAT, K_SHARD, K_COUNT };

/* A channel, a pattern or a shard channel with its subscribers (in subscription order). */
struct chan {
    struct dict_node node;
    struct client **subs;
    size_t nsubs, cap;
    size_t len;
    char name[];
};

/* One client's subscriptions: entries of the three tables. */
struct client_pubsub {
    struct chan **list[K_COUNT];
    size_t n[K_COUNT], cap[K_COUNT];
};

static const char *
chan_key(const struct dict_node *n, size_t *len)
{
    const struct chan *ch = (const struct chan *)n;
    *len = ch->len;
    return ch->name;
}

static struct dict tables[K_COUNT] = {
    {.key = chan_key, .rehash_idx = -1},
    {.key = chan_key, .rehash_idx = -1},
    {.key = chan_key, .rehash_idx = -1},
};
#define channels tables[K_CHAN]
#define patterns tables[K_PAT]

static const char *const sub_kind[K_COUNT] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const unsub_kind[K_COUNT] = {"unsubscribe", "punsubscribe", "sunsubscribe"};
/* ---- Table entries ---- */

/* Find or create name's entry in d; NULL only when allocation fails. */
static struct chan *
chan_get(struct dict *d, const char *name, size_t len)
{
    uint64_t h = dict_hash(name, len);
    struct chan *ch = (struct chan *)dict_find(d, name, len, h);
    if (ch)
        return ch;
    ch = ztrymalloc(sizeof(*ch) + len + 1);
    if (ch == NULL)
        return NULL;
    memset(ch, 0, sizeof(*ch));
    ch->len = len;
    memcpy(ch->name, name, len);
    ch->name[len] = '\0';
    dict_insert(d, &ch->node, h);
    return ch;
}

static int
chan_add_sub(struct chan *ch, struct client *c)
{
    if (ch->nsubs == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 4;
        struct client **s = ztryrealloc(ch->subs, cap * sizeof(*s));
        if (s == NULL)
            return -1;
        ch->subs = s;
        ch->cap = cap;
    }
    ch->subs[ch->nsubs++] = c;
    return 0;
}

/* Take c out of ch's subscribers; the entry goes when it has none left. */
static void
chan_remove_sub(struct dict *d, struct chan *ch, struct client *c)
{
    for (size_t i = 0; i < ch->nsubs; i++) {
        if (ch->subs[i] == c) {
            memmove(&ch->subs[i], &ch->subs[i + 1], (ch->nsubs - i - 1) * sizeof(*ch->subs));
            ch->nsubs--;
            break;
        }
    }
    if (ch->nsubs == 0) {
        dict_remove(d, ch->name, ch->len, dict_hash(ch->name, ch->len));
        zfree(ch->subs);
        zfree(ch);
    }
}

/* What a confirmation counts: channels and patterns together, shard channels on their own. */
static size_t
client_total(const struct client *c, int kind)
{
    const struct client_pubsub *ps = c->pubsub;
    if (ps == NULL)
        return 0;
    return kind == K_SHARD ? ps->n[K_SHARD] : ps->n[K_CHAN] + ps->n[K_PAT];
}

size_t
pubsub_client_channels(const struct client *c)
{
    return c->pubsub ? c->pubsub->n[K_CHAN] : 0;
}

size_t
pubsub_client_patterns(const struct client *c)
{
    return c->pubsub ? c->pubsub->n[K_PAT] : 0;
}

size_t
pubsub_client_shard_channels(const struct client *c)
{
    return c->pubsub ? c->pubsub->n[K_SHARD] : 0;
}

size_t
pubsub_client_memory(const struct client *c)
{
    const struct client_pubsub *ps = c->pubsub;
    if (ps == NULL)
        return 0;
    size_t n = zmalloc_size(ps);
    for (int k = 0; k < K_COUNT; k++)
        n += ps->list[k] ? zmalloc_size(ps->list[k]) : 0;
    return n;
}

/* Index of name in a client's list, or -1. */
static long
list_find(struct chan **list, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (list[i]->len == len && memcmp(list[i]->name, name, len) == 0)
            return (long)i;
    return -1;
}

/* Free the client's record once it holds nothing. */
static void
client_release_if_empty(struct client *c)
{
    struct client_pubsub *ps = c->pubsub;
    if (ps && ps->n[K_CHAN] == 0 && ps->n[K_PAT] == 0 && ps->n[K_SHARD] == 0) {
        for (int k = 0; k < K_COUNT; k++)
            zfree(ps->list[k]);
        zfree(ps);
        c->pubsub = NULL;
    }
}

/* The header of a subscription confirmation or message: a push in RESP3, an array in RESP2. */
static void
write_header(struct client *c, int n)
{
    if (c->proto == RESP3)
        buf_printf(&c->reply, ">%d\r\n", n);
    else
        resp_write_array(&c->reply, n);
}

static void
confirm(struct client *c, const char *kind, const char *name, size_t len, long long count)
{
    write_header(c, 3);
    resp_write_bulk(&c->reply, kind, strlen(kind));
    if (name)
        resp_write_bulk(&c->reply, name, len);
    else
        resp_write_null(&c->reply, c->proto);
    resp_write_int(&c->reply, count);
}

/* Add name to one of c's lists and c to the table entry. 0, or -1 on allocation failure. */
static int
subscribe_one(struct client *c, int kind, const char *name, size_t len)
{
    if (c->pubsub == NULL) {
        c->pubsub = ztrycalloc(sizeof(*c->pubsub));
        if (c->pubsub == NULL)
            return -1;
    }
    struct client_pubsub *ps = c->pubsub;
    struct chan ***list = &ps->list[kind];
    size_t *n = &ps->n[kind], *cap = &ps->cap[kind];
    if (list_find(*list, *n, name, len) >= 0)
        return 0;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct chan **l = ztryrealloc(*list, ncap * sizeof(*l));
        if (l == NULL)
            return -1;
        *list = l;
        *cap = ncap;
    }
    struct chan *ch = chan_get(&tables[kind], name, len);
    if (ch == NULL)
        return -1;
    if (chan_add_sub(ch, c) < 0) {
        if (ch->nsubs == 0)
            chan_remove_sub(&tables[kind], ch, c);
        return -1;
    }
    (*list)[(*n)++] = ch;
    return 0;
}

/* Remove entry i of one of c's lists. */
static void
unsubscribe_at(struct client *c, int kind, size_t i)
{
    struct client_pubsub *ps = c->pubsub;
    struct chan **list = ps->list[kind];
    size_t *n = &ps->n[kind];
    struct chan *ch = list[i];
    memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
    (*n)--;
    chan_remove_sub(&tables[kind], ch, c);
}

static void
subscribe_reply(struct client *c, int kind, const char *name, size_t len)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* subscription state is the client\'s */
    if (subscribe_one(c, kind, name, len) < 0)
        c->reply.oom = 1; /* the client is dropped after the command, as for any reply */
    confirm(c, sub_kind[kind], name, len, (long long)client_total(c, kind));
    client_release_if_empty(c);
    client_account(c);
}

void
pubsub_subscribe(struct client *c, const char *ch, size_t len)
{
    subscribe_reply(c, K_CHAN, ch, len);
}

void
pubsub_psubscribe(struct client *c, const char *pat, size_t len)
{
    subscribe_reply(c, K_PAT, pat, len);
}

void
pubsub_ssubscribe(struct client *c, const char *ch, size_t len)
{
    subscribe_reply(c, K_SHARD, ch, len);
}

static void
unsubscribe_reply(struct client *c, int kind, const char *name, size_t len)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* subscription state is the client\'s */
    struct client_pubsub *ps = c->pubsub;
    if (ps) {
        long i = list_find(ps->list[kind], ps->n[kind], name, len);
        if (i >= 0)
            unsubscribe_at(c, kind, (size_t)i);
    }
    confirm(c, unsub_kind[kind], name, len, (long long)client_total(c, kind));
    client_release_if_empty(c);
    client_account(c);
}

void
pubsub_unsubscribe(struct client *c, const char *ch, size_t len)
{
    unsubscribe_reply(c, K_CHAN, ch, len);
}

void
pubsub_punsubscribe(struct client *c, const char *pat, size_t len)
{
    unsubscribe_reply(c, K_PAT, pat, len);
}

void
pubsub_sunsubscribe(struct client *c, const char *ch, size_t len)
{
    unsubscribe_reply(c, K_SHARD, ch, len);
}

static void
unsubscribe_all(struct client *c, int kind, int notify)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* subscription state is the client\'s */
    struct client_pubsub *ps = c->pubsub;
    size_t n = ps ? ps->n[kind] : 0;

    if (n == 0) {
        if (notify)
            confirm(c, unsub_kind[kind], NULL, 0, (long long)client_total(c, kind));
        return;
    }
    /* From the last, so each removal is O(1) in the client's list. */
    while (n > 0) {
        struct chan *ch = ps->list[kind][n - 1];
        /* The confirmation names the channel, whose entry may go with its last subscriber:
         * write it with the count it will have. */
        if (notify)
            confirm(c, unsub_kind[kind], ch->name, ch->len, (long long)client_total(c, kind) - 1);
        unsubscribe_at(c, kind, n - 1);
        n--;
    }
    client_release_if_empty(c);
    client_account(c);
}

void
pubsub_unsubscribe_all(struct client *c, int notify)
{
    unsubscribe_all(c, K_CHAN, notify);
}

void
pubsub_punsubscribe_all(struct client *c, int notify)
{
    unsubscribe_all(c, K_PAT, notify);
}

void
pubsub_sunsubscribe_all(struct client *c, int notify)
{
    unsubscribe_all(c, K_SHARD, notify);
}

/* ---- Publishing ---- */

/* kind: "message", "smessage" for a shard channel, or "pmessage" with a pattern. */
static void
deliver(struct client *c, const struct chan *pat, const char *kind, const char *ch, size_t len,
        const char *msg, size_t mlen)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* whichever command publishes */
    if (c->flags & CLIENT_CLOSE_ASAP)
        return;
    if (pat) {
        write_header(c, 4);
        resp_write_bulk(&c->reply, "pmessage", 8);
        resp_write_bulk(&c->reply, pat->name, pat->len);
    } else {
        write_header(c, 3);
        resp_write_bulk(&c->reply, kind, strlen(kind));
    }
    resp_write_bulk(&c->reply, ch, len);
    resp_write_bulk(&c->reply, msg, mlen);
    client_output_added(c);
}

struct match_ctx {
    const char *ch, *msg;
    size_t len, mlen;
    long long receivers;
};

static void
deliver_pattern(struct dict_node *n, void *arg)
{
    struct match_ctx *m = arg;
    struct chan *pat = (struct chan *)n;

    if (!glob_match(pat->name, pat->len, m->ch, m->len, 0))
        return;
    for (size_t i = 0; i < pat->nsubs; i++) {
        deliver(pat->subs[i], pat, "pmessage", m->ch, m->len, m->msg, m->mlen);
        m->receivers++;
    }
}

long long
pubsub_publish(const char *name, size_t len, const char *msg, size_t mlen)
{
    struct match_ctx m = {name, msg, len, mlen, 0};
    struct chan *ch = (struct chan *)dict_find(&channels, name, len, dict_hash(name, len));

    if (ch) {
        for (size_t i = 0; i < ch->nsubs; i++)
            deliver(ch->subs[i], NULL, "message", name, len, msg, mlen);
        m.receivers += (long long)ch->nsubs;
    }
    if (dict_size(&patterns) > 0)
        dict_foreach(&patterns, deliver_pattern, &m);
    return m.receivers;
}

long long
pubsub_spublish(const char *name, size_t len, const char *msg, size_t mlen)
{
    struct chan *ch = (struct chan *)dict_find(&tables[K_SHARD], name, len, dict_hash(name, len));
    if (ch == NULL)
        return 0;
    for (size_t i = 0; i < ch->nsubs; i++)
        deliver(ch->subs[i], NULL, "smessage", name, len, msg, mlen);
    return (long long)ch->nsubs;
}

/* ---- Introspection ---- */

size_t
pubsub_channels_count(void)
{
    return dict_size(&channels);
}

size_t
pubsub_patterns_count(void)
{
    return dict_size(&patterns);
}

size_t
pubsub_shard_channels_count(void)
{
    return dict_size(&tables[K_SHARD]);
}

size_t
pubsub_numsub(int shard, const char *name, size_t len)
{
    struct dict *d = shard ? &tables[K_SHARD] : &channels;
    struct chan *ch = (struct chan *)dict_find(d, name, len, dict_hash(name, len));
    return ch ? ch->nsubs : 0;
}

struct foreach_ctx {
    const char *pat;
    size_t patlen;
    void (*fn)(const char *ch, size_t len, void *ctx);
    void *ctx;
};

static void
foreach_one(struct dict_node *n, void *arg)
{
    struct foreach_ctx *f = arg;
    struct chan *ch = (struct chan *)n;
    if (f->pat == NULL || glob_match(f->pat, f->patlen, ch->name, ch->len, 0))
        f->fn(ch->name, ch->len, f->ctx);
}

void
pubsub_foreach_channel(int shard, const char *pat, size_t patlen,
                       void (*fn)(const char *ch, size_t len, void *ctx), void *ctx)
{
    struct foreach_ctx f = {pat, patlen, fn, ctx};
    dict_foreach(shard ? &tables[K_SHARD] : &channels, foreach_one, &f);
}

/* ---- Keyspace notifications ---- */

void
notify_keyspace_event(int type, const char *event, int dbid, const char *key, size_t klen)
{
    int flags = config_get()->notify_keyspace_events;
    char head[64];

    if (!(flags & type) || !(flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)))
        return;
    /* Nobody listening: nothing to build (the common case on a busy server). */
    if (dict_size(&channels) == 0 && dict_size(&patterns) == 0)
        return;
    size_t elen = strlen(event);
    if (flags & NOTIFY_KEYSPACE) {
        int n = snprintf(head, sizeof(head), "__keyspace@%d__:", dbid);
        char *ch = zmalloc((size_t)n + klen);
        memcpy(ch, head, (size_t)n);
        memcpy(ch + n, key, klen);
        pubsub_publish(ch, (size_t)n + klen, event, elen);
        zfree(ch);
    }
    if (flags & NOTIFY_KEYEVENT) {
        int n = snprintf(head, sizeof(head), "__keyevent@%d__:", dbid);
        char *ch = zmalloc((size_t)n + elen);
        memcpy(ch, head, (size_t)n);
        memcpy(ch + n, event, elen);
        pubsub_publish(ch, (size_t)n + elen, key, klen);
        zfree(ch);
    }
}

void
notify_keyspace_hook(int type, const char *event, struct db *db, const char *key, size_t klen)
{
    notify_keyspace_event(type, event, db->id, key, klen);
}

/* ---- Teardown ---- */

/* ---- Active defragmentation ---- */

/* Where the walk is: a table (K_CHAN, K_PAT, K_SHARD, then K_COUNT: done) and its SCAN cursor.
 * SCAN's guarantee covers the tables changing between steps. */
static struct {
    int kind;
    unsigned long long cursor;
    void *(*move)(void *p);
} dfg = {K_COUNT, 0, NULL};

static void *
defrag_move_cb(void *p, void *ctx)
{
    (void)ctx;
    return dfg.move(p);
}

/* An entry and its subscriber array. The array hangs off the entry only; the entry is linked
 * from its bucket (dict_scan_defrag fixes that) and from the list of each subscriber, found
 * through the array (a client is in it once). */
static struct dict_node *
defrag_chan(struct dict_node *n, void *ctx)
{
    int kind = *(const int *)ctx;
    struct chan *ch = (struct chan *)n, *nch;
    uintptr_t old = (uintptr_t)ch;
    struct client **subs = dfg.move(ch->subs);

    if (subs != NULL)
        ch->subs = subs;
    nch = dfg.move(ch);
    if (nch == NULL)
        return NULL;
    for (size_t i = 0; i < nch->nsubs; i++) {
        struct client_pubsub *ps = nch->subs[i]->pubsub;
        for (size_t j = 0; j < ps->n[kind]; j++) {
            if ((uintptr_t)ps->list[kind][j] == old) {
                ps->list[kind][j] = nch;
                break;
            }
        }
    }
    return &nch->node;
}

int
pubsub_defrag_step(int restart, void *(*move)(void *p))
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* moves stay in the category the blocks were made in */

    if (restart) {
        dfg.kind = K_CHAN;
        dfg.cursor = 0;
    }
    if (dfg.kind >= K_COUNT)
        return 0;
    dfg.move = move;
    struct dict *d = &tables[dfg.kind];
    if (dict_size(d) > 0) {
        dfg.cursor = dict_scan_defrag(d, dfg.cursor, defrag_chan, &dfg.kind);
        if (dfg.cursor != 0)
            return 1;
    }
    /* The table walked: its bucket tables last, once per pass. */
    dict_defrag_tables(d, defrag_move_cb, NULL);
    dfg.kind++;
    dfg.cursor = 0;
    return dfg.kind < K_COUNT;
}

static void
free_chan(struct dict_node *n, void *ctx)
{
    (void)ctx;
    struct chan *ch = (struct chan *)n;
    zfree(ch->subs);
    zfree(ch);
}

void
pubsub_teardown(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    for (int k = 0; k < K_COUNT; k++)
        dict_clear(&tables[k], free_chan, NULL);
}
