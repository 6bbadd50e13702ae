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
    if (n && n->p->bytes + es <= LIST_PACK_BYTES) {
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
        if (p->bytes + pack_elem_size(len) <= LIST_PACK_BYTES) {
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
    /* Back to one small pack: drop the quicklist around it. */
    if (q->nodes == 1 && q->head->p->bytes <= LIST_PACK_BYTES / 2) {
        struct pack *p = q->head->p;
        zfree(q->head);
        zfree(q);
        l->enc = ENC_LIST_PACK;
        kv_set_ptr(l, p);
    }
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
    size_t nodes = seen ? (size_t)((double)bytes / seen * q->nodes) : 0;
    return zmalloc_size(q) + nodes;
}
