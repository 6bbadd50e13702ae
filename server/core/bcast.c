/* bcast.c — prefixes for CLIENT TRACKING BCAST. The table maps each prefix to its followers and
 * to the keys changed under it during this loop turn (with the last changer's id, for NOLOOP);
 * Redis's rule that one client's prefixes never overlap means a key reaches a client through
 * one prefix at most. Everything is zmalloc'd and freed when its last follower leaves. */
#include "bcast.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dict.h"
#include "resp_write.h"
#include "zmalloc.h"
#include "memcat.h"

/* A key changed under a prefix this turn, and the id of the client that changed it last (0:
 * the server itself), so a NOLOOP client is not told of its own change. */
struct bkey {
    struct dict_node node;
    uint64_t by;
    size_t klen;
    char key[];
};

struct tprefix {
    struct dict_node node;
    struct client **cl; /* followers, n used of cap */
    size_t n, cap;
    struct dict *keys; /* struct bkey changed this turn, NULL while none */
    size_t plen;
    char p[];
};

static struct dict *prefixes; /* struct tprefix, NULL while empty */

static const char *
tprefix_name(const struct dict_node *n, size_t *len)
{
    const struct tprefix *p = (const struct tprefix *)n;
    *len = p->plen;
    return p->p;
}

static const char *
bkey_name(const struct dict_node *n, size_t *len)
{
    const struct bkey *b = (const struct bkey *)n;
    *len = b->klen;
    return b->key;
}

static void
free_bkey(struct dict_node *n, void *ctx)
{
    (void)ctx;
    zfree(n);
}

static void
free_keys(struct tprefix *p)
{
    if (p->keys) {
        dict_clear(p->keys, free_bkey, NULL);
        dict_destroy(p->keys);
        p->keys = NULL;
    }
}

/* Byte order with a shorter string first: the order of Redis's radix trees. */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    return r ? r : (alen < blen ? -1 : alen > blen);
}

/* ---- Following prefixes ---- */

/* One of two prefixes starts the other. */
static int
overlaps(const char *a, size_t alen, const char *b, size_t blen)
{
    return memcmp(a, b, alen < blen ? alen : blen) == 0;
}

/* Redis prints the prefixes with %s: they end at a NUL. */
static int
cstr_len(const char *s, size_t len)
{
    const char *nul = memchr(s, '\0', len);
    return (int)(nul ? (size_t)(nul - s) : len);
}

int
bcast_check(struct client *c, const struct bcast_list *l, const struct resp_arg *pr, size_t n)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* client-side state, whichever command runs */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < l->n; j++) {
            const struct tprefix *p = l->p[j];
            if (overlaps(p->p, p->plen, pr[i].ptr, pr[i].len)) {
                reply_errorf(c,
                             "ERR Prefix '%.*s' overlaps with an existing prefix '%.*s'. "
                             "Prefixes for a single client must not overlap.",
                             cstr_len(pr[i].ptr, pr[i].len), pr[i].ptr, cstr_len(p->p, p->plen),
                             p->p);
                return -1;
            }
        }
        for (size_t j = i + 1; j < n; j++) {
            if (overlaps(pr[i].ptr, pr[i].len, pr[j].ptr, pr[j].len)) {
                reply_errorf(c,
                             "ERR Prefix '%.*s' overlaps with another provided prefix '%.*s'. "
                             "Prefixes for a single client must not overlap.",
                             cstr_len(pr[i].ptr, pr[i].len), pr[i].ptr,
                             cstr_len(pr[j].ptr, pr[j].len), pr[j].ptr);
                return -1;
            }
        }
    }
    return 0;
}

void
bcast_add(struct bcast_list *l, struct client *c, const char *s, size_t len)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    uint64_t h = dict_hash(s, len);
    if (prefixes == NULL)
        prefixes = dict_create(tprefix_name);
    struct tprefix *p = (struct tprefix *)dict_find(prefixes, s, len, h);
    if (p == NULL) {
        p = zcalloc(sizeof(*p) + len);
        p->plen = len;
        memcpy(p->p, s, len);
        dict_insert(prefixes, &p->node, h);
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->cl[i] == c)
            return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 2;
        p->cl = zrealloc(p->cl, p->cap * sizeof(*p->cl));
    }
    p->cl[p->n++] = c;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 2;
        l->p = zrealloc(l->p, l->cap * sizeof(*l->p));
    }
    l->p[l->n++] = p;
}

static void
drop(struct tprefix *p, struct client *c)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->cl[i] == c) {
            memmove(&p->cl[i], &p->cl[i + 1], (p->n - i - 1) * sizeof(*p->cl));
            p->n--;
            break;
        }
    }
    if (p->n > 0)
        return;
    dict_remove(prefixes, p->p, p->plen, dict_hash(p->p, p->plen));
    free_keys(p);
    zfree(p->cl);
    zfree(p);
    if (dict_size(prefixes) == 0) {
        dict_destroy(prefixes);
        prefixes = NULL;
    }
}

void
bcast_clear(struct bcast_list *l, struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    for (size_t i = 0; i < l->n; i++)
        drop(l->p[i], c);
    zfree(l->p);
    l->p = NULL;
    l->n = l->cap = 0;
}

/* ---- Changed keys ---- */

struct note_ctx {
    const char *key;
    size_t klen;
    uint64_t by;
    int matched;
};

static void
note_if_match(struct dict_node *n, void *arg)
{
    struct tprefix *p = (struct tprefix *)n;
    struct note_ctx *x = arg;
    if (p->plen > x->klen || memcmp(p->p, x->key, p->plen) != 0)
        return;
    uint64_t h = dict_hash(x->key, x->klen);
    if (p->keys == NULL)
        p->keys = dict_create(bkey_name);
    struct bkey *b = (struct bkey *)dict_find(p->keys, x->key, x->klen, h);
    if (b == NULL) {
        b = zmalloc(sizeof(*b) + x->klen);
        b->klen = x->klen;
        memcpy(b->key, x->key, x->klen);
        dict_insert(p->keys, &b->node, h);
    }
    b->by = x->by;
    x->matched = 1;
}

int
bcast_note(const char *key, size_t klen, uint64_t by)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (prefixes == NULL)
        return 0;
    struct note_ctx x = {key, klen, by, 0};
    dict_foreach(prefixes, note_if_match, &x);
    return x.matched;
}

static int
bkey_cmp(const void *a, const void *b)
{
    const struct bkey *x = *(const struct bkey *const *)a, *y = *(const struct bkey *const *)b;
    return bytes_cmp(x->key, x->klen, y->key, y->klen);
}

struct collect_ctx {
    struct bkey **v;
    size_t n;
};

static void
collect_one(struct dict_node *n, void *arg)
{
    struct collect_ctx *x = arg;
    x->v[x->n++] = (struct bkey *)n;
}

/* The array of the keys v[0..n) not last changed by client id `skip` (0: none) into b;
 * returns how many. */
static size_t
encode_keys(struct buf *b, struct bkey **v, size_t n, uint64_t skip)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += !(skip && v[i]->by == skip);
    if (count == 0)
        return 0;
    resp_write_array(b, (long long)count);
    for (size_t i = 0; i < n; i++)
        if (!(skip && v[i]->by == skip))
            resp_write_bulk(b, v[i]->key, v[i]->klen);
    return count;
}

struct send_ctx {
    void (*send)(struct client *c, const char *resp, size_t len);
    int (*noloop)(const struct client *c);
};

static void
send_prefix(struct dict_node *n, void *arg)
{
    struct tprefix *p = (struct tprefix *)n;
    struct send_ctx *sx = arg;
    if (p->keys == NULL)
        return;
    struct collect_ctx x = {zmalloc(dict_size(p->keys) * sizeof(struct bkey *)), 0};
    dict_foreach(p->keys, collect_one, &x);
    qsort(x.v, x.n, sizeof(*x.v), bkey_cmp);
    struct buf common = BUF_INIT;
    encode_keys(&common, x.v, x.n, 0);
    for (size_t i = 0; i < p->n; i++) {
        struct client *c = p->cl[i];
        if (sx->noloop(c)) {
            struct buf own = BUF_INIT;
            if (encode_keys(&own, x.v, x.n, c->id))
                sx->send(c, own.data, own.len);
            buf_free(&own);
        } else {
            sx->send(c, common.data, common.len);
        }
    }
    buf_free(&common);
    zfree(x.v);
    free_keys(p);
}

static void
collect_pending(struct dict_node *n, void *arg)
{
    struct tprefix *p = (struct tprefix *)n;
    struct collect_ctx *x = arg;
    if (p->keys)
        ((struct tprefix **)(void *)x->v)[x->n++] = p;
}

static int prefix_cmp(const void *a, const void *b);

void
bcast_send(void (*send)(struct client *c, const char *resp, size_t len),
           int (*noloop)(const struct client *c))
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct send_ctx sx = {send, noloop};
    if (prefixes == NULL)
        return;
    /* Prefixes in byte order, as Redis walks its prefix tree: a client following two prefixes
     * gets their messages in the same order. */
    struct collect_ctx x = {zmalloc(dict_size(prefixes) * sizeof(struct tprefix *)), 0};
    dict_foreach(prefixes, collect_pending, &x);
    struct tprefix **v = (struct tprefix **)(void *)x.v;
    qsort(v, x.n, sizeof(*v), prefix_cmp);
    for (size_t i = 0; i < x.n; i++)
        send_prefix(&v[i]->node, &sx);
    zfree(x.v);
}

/* ---- Introspection ---- */

static int
prefix_cmp(const void *a, const void *b)
{
    const struct tprefix *x = *(const struct tprefix *const *)a;
    const struct tprefix *y = *(const struct tprefix *const *)b;
    return bytes_cmp(x->p, x->plen, y->p, y->plen);
}

void
bcast_reply_prefixes(struct client *c, const struct bcast_list *l)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    reply_array(c, (long long)l->n);
    if (l->n == 0)
        return;
    struct tprefix **v = zmalloc(l->n * sizeof(*v));
    memcpy(v, l->p, l->n * sizeof(*v));
    qsort(v, l->n, sizeof(*v), prefix_cmp);
    for (size_t i = 0; i < l->n; i++)
        reply_bulk(c, v[i]->p, v[i]->plen);
    zfree(v);
}

size_t
bcast_prefixes(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return prefixes ? dict_size(prefixes) : 0;
}

size_t
bcast_list_memory(const struct bcast_list *l)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return l->p ? zmalloc_size(l->p) : 0;
}
