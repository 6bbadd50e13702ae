/* objlist.c — list values: one pack while it stays under 8 KiB, then a quicklist (a doubly
 * linked list of packs of up to 8 KiB each; an element larger than that gets a node alone).
 * A quicklist that shrinks back to one half-full node becomes a single pack again. */
#include "objlist.h"
#include "pack.h"
#include "zmalloc.h"

void
list_new_val(struct val *v)
{
    memset(v, 0, sizeof(*v));
    v->enc = ENC_LIST_PACK;
    v->ptr = pack_new();
}

size_t
list_len(const struct kv *l)
{
    if (l->enc == ENC_LIST_PACK)
        return ((const struct pack *)kv_ptr(l))->count;
    return ((const struct qlist *)kv_ptr(l))->count;
}

static struct qlnode *
node_new(struct pack *p)
{
    struct qlnode *n = zmalloc(sizeof(*n));
    n->prev = n->next = NULL;
    n->p = p;
    return n;
}

static void
ql_link(struct qlist *q, struct qlnode *n, int where)
{
    if (where == LIST_HEAD) {
        n->next = q->head;
        if (q->head)
            q->head->prev = n;
        q->head = n;
        if (q->tail == NULL)
            q->tail = n;
    } else {
        n->prev = q->tail;
        if (q->tail)
            q->tail->next = n;
        q->tail = n;
        if (q->head == NULL)
            q->head = n;
    }
    q->nodes++;
}

static void
ql_unlink(struct qlist *q, struct qlnode *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        q->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        q->tail = n->prev;
    q->nodes--;
    zfree(n->p);
    zfree(n);
}

static int
ql_push(struct qlist *q, int where, const char *s, size_t len)
{
    struct qlnode *n = where == LIST_HEAD ? q->head : q->tail;
    size_t es = pack_elem_size(len);
    if (n && n->p->bytes + es <= enc_limits.list_bytes) {
        struct pack *np = pack_insert(n->p, where == LIST_HEAD ? 0 : n->p->bytes, s, len);
        if (np == NULL)
            return -1;
        n->p = np;
    } else {
        struct pack *empty = pack_new();
        struct pack *p = pack_insert(empty, 0, s, len);
        if (p == NULL) {
            zfree(empty); /* a failed insert leaves the pack to us */
            return -1;
        }
        ql_link(q, node_new(p), where);
    }
    q->count++;
    return 0;
}

int
list_push(struct kv *l, int where, const char *s, size_t len)
{
    if (l->enc == ENC_LIST_PACK) {
        struct pack *p = kv_ptr(l);
        if (p->bytes + pack_elem_size(len) <= enc_limits.list_bytes) {
            struct pack *np = pack_insert(p, where == LIST_HEAD ? 0 : p->bytes, s, len);
            if (np == NULL)
                return -1;
            kv_set_ptr(l, np);
            return 0;
        }
        /* Past 8 KiB: the pack becomes the first node of a quicklist. */
        struct qlist *q = zcalloc(sizeof(*q));
        if (p->count) {
            ql_link(q, node_new(p), LIST_TAIL);
            q->count = p->count;
        } else {
            zfree(p);
        }
        l->enc = ENC_LIST_QUICK;
        kv_set_ptr(l, q);
    }
    return ql_push(kv_ptr(l), where, s, len);
}

static void ql_maybe_pack(struct kv *l);

int
list_pop(struct kv *l, int where, void (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
    size_t len;
    const char *s;
    if (l->enc == ENC_LIST_PACK) {
        struct pack *p = kv_ptr(l);
        if (p->count == 0)
            return -1;
        long off = where == LIST_HEAD ? 0 : pack_last(p);
        s = pack_get(p, (size_t)off, &len);
        fn(ctx, s, len);
        kv_set_ptr(l, pack_remove(p, (size_t)off, 1));
        return 0;
    }
    struct qlist *q = kv_ptr(l);
    struct qlnode *n = where == LIST_HEAD ? q->head : q->tail;
    if (n == NULL)
        return -1;
    long off = where == LIST_HEAD ? 0 : pack_last(n->p);
    s = pack_get(n->p, (size_t)off, &len);
    fn(ctx, s, len);
    n->p = pack_remove(n->p, (size_t)off, 1);
    q->count--;
    if (n->p->count == 0)
        ql_unlink(q, n);
    ql_maybe_pack(l); /* back to one small pack (or an empty one) */
    return 0;
}

/* The node holding element idx (0-based from the head) and the index within it. */
static struct qlnode *
ql_find(const struct qlist *q, size_t idx, size_t *within)
{
    if (idx < q->count / 2) {
        for (struct qlnode *n = q->head; n; n = n->next) {
            if (idx < n->p->count) {
                *within = idx;
                return n;
            }
            idx -= n->p->count;
        }
        return NULL;
    }
    size_t from_tail = q->count - 1 - idx;
    for (struct qlnode *n = q->tail; n; n = n->prev) {
        if (from_tail < n->p->count) {
            *within = n->p->count - 1 - from_tail;
            return n;
        }
        from_tail -= n->p->count;
    }
    return NULL;
}

int
list_index(const struct kv *l, long long idx, const char **s, size_t *len)
{
    if (l->enc == ENC_LIST_PACK) {
        const struct pack *p = kv_ptr(l);
        long off = pack_seek(p, idx);
        if (off < 0)
            return 0;
        *s = pack_get(p, (size_t)off, len);
        return 1;
    }
    const struct qlist *q = kv_ptr(l);
    if (idx < 0)
        idx += (long long)q->count;
    if (idx < 0 || (unsigned long long)idx >= q->count)
        return 0;
    size_t within;
    struct qlnode *n = ql_find(q, (size_t)idx, &within);
    long off = pack_seek(n->p, (long long)within);
    *s = pack_get(n->p, (size_t)off, len);
    return 1;
}

static void
pack_range(const struct pack *p, size_t off, size_t *n,
           void (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
    while (*n > 0 && off < p->bytes) {
        size_t len;
        const char *s = pack_get(p, off, &len);
        fn(ctx, s, len);
        off = pack_next(p, off);
        (*n)--;
    }
}

void
list_range(const struct kv *l, size_t start, size_t n,
           void (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
    if (n == 0)
        return;
    if (l->enc == ENC_LIST_PACK) {
        const struct pack *p = kv_ptr(l);
        long off = pack_seek(p, (long long)start);
        if (off >= 0)
            pack_range(p, (size_t)off, &n, fn, ctx);
        return;
    }
    const struct qlist *q = kv_ptr(l);
    size_t within;
    struct qlnode *node = ql_find(q, start, &within);
    if (node == NULL)
        return;
    size_t off = (size_t)pack_seek(node->p, (long long)within);
    for (; node && n > 0; node = node->next, off = 0)
        pack_range(node->p, off, &n, fn, ctx);
}

void *
list_copy(int enc, const void *ptr)
{
    if (enc == ENC_LIST_PACK)
        return pack_dup(ptr);
    const struct qlist *src = ptr;
    struct qlist *q = ztrycalloc(sizeof(*q));
    if (q == NULL)
        return NULL;
    for (const struct qlnode *n = src->head; n; n = n->next) {
        struct pack *p = pack_dup(n->p);
        struct qlnode *nn = p ? ztrymalloc(sizeof(*nn)) : NULL;
        if (nn == NULL) {
            zfree(p);
            list_free(ENC_LIST_QUICK, q);
            return NULL;
        }
        nn->prev = nn->next = NULL;
        nn->p = p;
        ql_link(q, nn, LIST_TAIL);
    }
    q->count = src->count;
    return q;
}

/* ---- Iterating ---- */

/* The first element's position in p walking from `where`, -1 when p is empty. */
static long
pack_first(const struct pack *p, int where)
{
    if (p->count == 0)
        return -1;
    return where == LIST_HEAD ? 0 : pack_last(p);
}

void
list_iter_init(struct list_iter *it, const struct kv *l, int where)
{
    it->where = where;
    if (l->enc == ENC_LIST_PACK) {
        it->node = NULL;
        it->p = kv_ptr(l);
    } else {
        const struct qlist *q = kv_ptr(l);
        it->node = where == LIST_HEAD ? q->head : q->tail;
        it->p = it->node ? it->node->p : NULL;
    }
    it->off = it->p ? pack_first(it->p, where) : -1;
}

int
list_iter_next(struct list_iter *it, const char **s, size_t *len)
{
    while (it->off < 0) {
        if (it->node == NULL)
            return 0;
        it->node = it->where == LIST_HEAD ? it->node->next : it->node->prev;
        if (it->node == NULL)
            return 0;
        it->p = it->node->p;
        it->off = pack_first(it->p, it->where);
    }
    size_t off = (size_t)it->off;
    *s = pack_get(it->p, off, len);
    if (it->where == LIST_HEAD) {
        size_t next = pack_next(it->p, off);
        it->off = next < it->p->bytes ? (long)next : -1;
    } else {
        it->off = pack_prev(it->p, off);
    }
    return 1;
}

/* ---- Reshaping after edits in the middle ---- */

static void
ql_link_after(struct qlist *q, struct qlnode *at, struct qlnode *n)
{
    n->prev = at;
    n->next = at->next;
    if (at->next)
        at->next->prev = n;
    else
        q->tail = n;
    at->next = n;
    q->nodes++;
}

/* Node n may have grown past enc_limits.list_bytes (LSET, LINSERT): cut it into nodes of at most
 * that size, an element larger than that alone, as pushes would have built them. A failed
 * allocation leaves a larger node, which is still a valid list. */
static void
ql_split(struct qlist *q, struct qlnode *n)
{
    while (n->p->bytes > enc_limits.list_bytes && n->p->count > 1) {
        size_t off = pack_next(n->p, 0);
        while (off < n->p->bytes && pack_next(n->p, off) <= enc_limits.list_bytes)
            off = pack_next(n->p, off);
        struct pack *rest = pack_split(&n->p, off);
        if (rest == NULL)
            return;
        struct qlnode *m = node_new(rest);
        ql_link_after(q, n, m);
        n = m;
    }
}

/* A quicklist of one node at most half full is a single pack again (the rule list_pop keeps);
 * one of no node is an empty pack, for the caller to delete. */
static void
ql_maybe_pack(struct kv *l)
{
    struct qlist *q = kv_ptr(l);
    struct pack *p;
    if (q->nodes == 0) {
        p = pack_new();
    } else if (q->nodes == 1 && q->head->p->bytes <= enc_limits.list_bytes / 2) {
        p = q->head->p;
        zfree(q->head);
    } else {
        return;
    }
    zfree(q);
    l->enc = ENC_LIST_PACK;
    kv_set_ptr(l, p);
}

/* After an edit that grew one spot (node n of a quicklist, or the pack): split what passed
 * enc_limits.list_bytes; a pack that did becomes a quicklist. */
static void
list_grew(struct kv *l, struct qlnode *n)
{
    if (l->enc == ENC_LIST_PACK) {
        struct pack *p = kv_ptr(l);
        if (p->bytes <= enc_limits.list_bytes || p->count < 2)
            return;
        struct qlist *q = zcalloc(sizeof(*q));
        n = node_new(p);
        ql_link(q, n, LIST_TAIL);
        q->count = p->count;
        l->enc = ENC_LIST_QUICK;
        kv_set_ptr(l, q);
    }
    ql_split(kv_ptr(l), n);
    ql_maybe_pack(l);
}

/* Merge node n into its neighbours where the two fit one node (n shrank: LSET). */
static void
ql_merge_around(struct qlist *q, struct qlnode *n)
{
    struct qlnode *prev = n->prev;
    if (prev && prev->p->bytes + n->p->bytes <= enc_limits.list_bytes) {
        struct pack *np = pack_concat(prev->p, n->p);
        if (np) {
            prev->p = np;
            ql_unlink(q, n);
            n = prev;
        }
    }
    struct qlnode *next = n->next;
    if (next && n->p->bytes + next->p->bytes <= enc_limits.list_bytes) {
        struct pack *np = pack_concat(n->p, next->p);
        if (np) {
            n->p = np;
            ql_unlink(q, next);
        }
    }
}

/* After removals (LREM, LTRIM): drop emptied nodes, merge neighbours that fit one node
 * together, and go back to a pack when the list is that small. */
static void
list_shrunk(struct kv *l)
{
    if (l->enc == ENC_LIST_PACK)
        return;
    struct qlist *q = kv_ptr(l);
    struct qlnode *n = q->head;
    while (n) {
        struct qlnode *next = n->next;
        if (n->p->count == 0) {
            ql_unlink(q, n);
            n = next;
            continue;
        }
        if (next && n->p->bytes + next->p->bytes <= enc_limits.list_bytes) {
            struct pack *np = pack_concat(n->p, next->p);
            if (np) {
                n->p = np;
                ql_unlink(q, next);
                continue; /* n may take its new neighbour too */
            }
        }
        n = next;
    }
    ql_maybe_pack(l);
}

/* ---- Edits ---- */

int
list_set(struct kv *l, long long idx, const char *s, size_t len)
{
    long long count = (long long)list_len(l);
    if (idx < 0)
        idx += count;
    if (idx < 0 || idx >= count)
        return 0;
    struct qlnode *n = NULL;
    struct pack **pp;
    struct pack *lp = kv_ptr(l);
    size_t within = (size_t)idx;
    if (l->enc == ENC_LIST_PACK) {
        pp = &lp;
    } else {
        n = ql_find(kv_ptr(l), (size_t)idx, &within);
        pp = &n->p;
    }
    size_t before = (*pp)->bytes;
    struct pack *np = pack_replace(*pp, (size_t)pack_seek(*pp, (long long)within), s, len);
    if (np == NULL)
        return -1;
    *pp = np;
    if (l->enc == ENC_LIST_PACK) {
        kv_set_ptr(l, np);
    } else if (np->bytes < before) {
        ql_merge_around(kv_ptr(l), n); /* a smaller element: maybe one node less */
        ql_maybe_pack(l);
        return 1;
    }
    list_grew(l, n);
    return 1;
}

int
list_insert(struct kv *l, const char *pivot, size_t pl, int after, const char *s, size_t len)
{
    struct qlnode *n = NULL;
    struct pack *lp = kv_ptr(l), **pp = NULL;
    long off = -1;
    if (l->enc == ENC_LIST_PACK) {
        off = pack_find(lp, 1, pivot, pl);
        pp = &lp;
    } else {
        for (n = ((struct qlist *)kv_ptr(l))->head; n && off < 0; n = off < 0 ? n->next : n)
            off = pack_find(n->p, 1, pivot, pl);
        if (n)
            pp = &n->p;
    }
    if (off < 0)
        return 0;
    size_t at = after ? pack_next(*pp, (size_t)off) : (size_t)off;
    struct pack *np = pack_insert(*pp, at, s, len);
    if (np == NULL)
        return -1;
    *pp = np;
    if (l->enc == ENC_LIST_PACK)
        kv_set_ptr(l, np);
    else
        ((struct qlist *)kv_ptr(l))->count++;
    list_grew(l, n);
    return 1;
}

/* Remove from *pp the elements equal to s, walking from `where`, at most max of them (0: all).
 * Returns how many went. */
static size_t
pack_remove_equal(struct pack **pp, int where, size_t max, const char *s, size_t len)
{
    struct pack *p = *pp;
    size_t removed = 0, el;
    long off = pack_first(p, where);
    while (off >= 0 && (max == 0 || removed < max)) {
        const char *e = pack_get(p, (size_t)off, &el);
        int eq = el == len && memcmp(e, s, len) == 0;
        long prev = pack_prev(p, (size_t)off);
        if (eq) {
            p = pack_remove(p, (size_t)off, 1);
            removed++;
        }
        if (where == LIST_HEAD)
            off = eq ? off : (long)pack_next(p, (size_t)off);
        else
            off = prev;
        if (off >= (long)p->bytes)
            off = -1;
    }
    *pp = p;
    return removed;
}

size_t
list_remove_equal(struct kv *l, long long count, const char *s, size_t len)
{
    int where = count < 0 ? LIST_TAIL : LIST_HEAD;
    size_t max = count < 0 ? (size_t)(-(count + 1)) + 1 : (size_t)count, removed = 0;
    if (l->enc == ENC_LIST_PACK) {
        struct pack *p = kv_ptr(l);
        removed = pack_remove_equal(&p, where, max, s, len);
        kv_set_ptr(l, p);
        return removed;
    }
    struct qlist *q = kv_ptr(l);
    for (struct qlnode *n = where == LIST_HEAD ? q->head : q->tail; n;
         n = where == LIST_HEAD ? n->next : n->prev) {
        if (max && removed >= max)
            break;
        removed += pack_remove_equal(&n->p, where, max ? max - removed : 0, s, len);
    }
    q->count -= removed;
    list_shrunk(l);
    return removed;
}

void
list_trim(struct kv *l, size_t start, size_t n)
{
    size_t len = list_len(l), end = start + n;
    if (l->enc == ENC_LIST_PACK) {
        struct pack *p = kv_ptr(l);
        if (end < len)
            p = pack_remove(p, (size_t)pack_seek(p, (long long)end), len - end);
        if (start > 0)
            p = pack_remove(p, 0, start);
        kv_set_ptr(l, p);
        return;
    }
    struct qlist *q = kv_ptr(l);
    size_t idx = 0;
    for (struct qlnode *node = q->head, *next; node; node = next) {
        next = node->next;
        size_t cnt = node->p->count;
        if (idx + cnt <= start || idx >= end) {
            ql_unlink(q, node);
        } else {
            if (idx + cnt > end)
                node->p = pack_remove(node->p, (size_t)pack_seek(node->p, (long long)(end - idx)),
                                      idx + cnt - end);
            if (idx < start)
                node->p = pack_remove(node->p, 0, start - idx);
        }
        idx += cnt;
    }
    q->count = n;
    list_shrunk(l);
}

void
list_free(int enc, void *ptr)
{
    if (enc == ENC_LIST_PACK) {
        zfree(ptr);
        return;
    }
    struct qlist *q = ptr;
    struct qlnode *n = q->head;
    while (n) {
        struct qlnode *next = n->next;
        zfree(n->p);
        zfree(n);
        n = next;
    }
    zfree(q);
}

size_t
list_free_effort(int enc, const void *ptr)
{
    return enc == ENC_LIST_PACK ? 1 : ((const struct qlist *)ptr)->nodes + 1;
}

size_t
list_memory(int enc, const void *ptr, long long samples)
{
    if (enc == ENC_LIST_PACK)
        return zmalloc_size(ptr);
    const struct qlist *q = ptr;
    size_t limit = samples > 0 && (size_t)samples < q->nodes ? (size_t)samples : q->nodes;
    size_t seen = 0, bytes = 0;
    for (const struct qlnode *n = q->head; n && seen < limit; n = n->next, seen++)
        bytes += zmalloc_size(n) + zmalloc_size(n->p);
    /* Every node seen: the exact sum (the float scaling can round it down by a byte). */
    size_t nodes = seen == q->nodes ? bytes : seen ? (size_t)((double)bytes / seen * q->nodes) : 0;
    return zmalloc_size(q) + nodes;
}
