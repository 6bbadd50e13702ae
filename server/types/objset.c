/* objset.c — set values: an intset (an ascending array of 2-, 4- or 8-byte integers) while
 * every member is an integer and there are at most 512; a pack of members while there are at
 * most 128 of at most 64 bytes (Redis 7.2's listpack sets: 7.0 would already use a table);
 * then a dict whose nodes carry their member in the same block. Like Redis, a set never
 * converts back to a smaller encoding. */
#include <stdlib.h>

#include "objset.h"
#include "memcat.h"
#include "pack.h"
#include "util.h"
#include "zmalloc.h"

/* ---- Intset ---- */

struct intset {
    uint32_t width; /* bytes per element: 2, 4 or 8 */
    uint32_t count;
    unsigned char data[]; /* ascending */
};

static uint32_t
int_width(long long v)
{
    if (v >= INT16_MIN && v <= INT16_MAX)
        return 2;
    if (v >= INT32_MIN && v <= INT32_MAX)
        return 4;
    return 8;
}

static long long
ival_get(const unsigned char *data, uint32_t width, size_t i)
{
    if (width == 2) {
        int16_t v;
        memcpy(&v, data + 2 * i, 2);
        return v;
    }
    if (width == 4) {
        int32_t v;
        memcpy(&v, data + 4 * i, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, data + 8 * i, 8);
    return v;
}

static void
ival_put(unsigned char *data, uint32_t width, size_t i, long long v)
{
    if (width == 2) {
        int16_t x = (int16_t)v;
        memcpy(data + 2 * i, &x, 2);
    } else if (width == 4) {
        int32_t x = (int32_t)v;
        memcpy(data + 4 * i, &x, 4);
    } else {
        int64_t x = v;
        memcpy(data + 8 * i, &x, 8);
    }
}

static long long
is_get(const struct intset *is, size_t i)
{
    return ival_get(is->data, is->width, i);
}

/* Binary search: 1 and v's index, or 0 and the index it would be inserted at. */
static int
is_find(const struct intset *is, long long v, size_t *pos)
{
    size_t lo = 0, hi = is->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        long long x = is_get(is, mid);
        if (x == v) {
            *pos = mid;
            return 1;
        }
        if (x < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

/* Insert v (absent) at pos. A value wider than the others is beyond all of them, so it goes at
 * one end while the rest are rewritten wider, back to front in the same block. NULL when the
 * allocation failed (is is intact). */
static struct intset *
is_insert(struct intset *is, size_t pos, long long v)
{
    uint32_t w = int_width(v), old = is->width;
    if (w < old)
        w = old;
    struct intset *n = ztryrealloc(is, sizeof(*is) + ((size_t)is->count + 1) * w);
    if (n == NULL)
        return NULL;
    if (w == old) {
        memmove(n->data + (pos + 1) * w, n->data + pos * w, (n->count - pos) * w);
    } else {
        size_t shift = v < 0 ? 1 : 0;
        for (size_t i = n->count; i-- > 0;)
            ival_put(n->data, w, i + shift, ival_get(n->data, old, i));
        pos = v < 0 ? 0 : n->count;
        n->width = w;
    }
    ival_put(n->data, w, pos, v);
    n->count++;
    return n;
}

static struct intset *
is_remove(struct intset *is, size_t pos)
{
    memmove(is->data + pos * is->width, is->data + (pos + 1) * is->width,
            (is->count - pos - 1) * is->width);
    is->count--;
    return zrealloc(is, sizeof(*is) + (size_t)is->count * is->width); /* shrinking */
}

/* ---- Table members ---- */

static const char *
smember_key(const struct dict_node *n, size_t *len)
{
    const struct smember *m = (const struct smember *)n;
    *len = m->len;
    return m->data;
}

static struct smember *
smember_new(const char *s, size_t len)
{
    struct smember *m = ztrymalloc(offsetof(struct smember, data) + len);
    if (m == NULL)
        return NULL;
    m->node.next = NULL;
    m->len = (uint32_t)len;
    if (len)
        memcpy(m->data, s, len);
    return m;
}

static void
smember_free(struct dict_node *n, void *ctx)
{
    zfree(n);
}

static int
as_int(const char *s, size_t len, long long *v)
{
    return len <= 20 && str_to_ll(s, len, v) == 0;
}

/* ---- Creation and conversions ---- */

void
set_new_val(struct val *v, const char *s, size_t len, size_t hint)
{
    long long x;
    memset(v, 0, sizeof(*v));
    if (as_int(s, len, &x) && hint <= SET_INT_ENTRIES) {
        struct intset *is = zmalloc(sizeof(*is));
        is->width = 2;
        is->count = 0;
        v->enc = ENC_SET_INT;
        v->ptr = is;
    } else if (len <= SET_PACK_VALUE && hint <= SET_PACK_ENTRIES) {
        v->enc = ENC_SET_PACK;
        v->ptr = pack_new();
    } else {
        v->enc = ENC_SET_TABLE;
        v->ptr = dict_create(smember_key);
    }
}

size_t
set_len(const struct kv *s)
{
    if (s->enc == ENC_SET_INT)
        return ((const struct intset *)kv_ptr(s))->count;
    if (s->enc == ENC_SET_PACK)
        return ((const struct pack *)kv_ptr(s))->count;
    return dict_size(kv_ptr(s));
}

static void
free_table(struct dict *d)
{
    dict_clear(d, smember_free, NULL);
    dict_destroy(d);
}

static int
table_add(struct dict *d, const char *m, size_t ml)
{
    uint64_t h = dict_hash(m, ml);
    if (dict_find(d, m, ml, h))
        return 0;
    struct smember *sm = smember_new(m, ml);
    if (sm == NULL)
        return -1;
    dict_insert(d, &sm->node, h);
    return 1;
}

/* Intset or pack → table. Every member block is allocated before the old value goes, so a
 * failure leaves the set as it was. */
static int
convert_to_table(struct kv *s)
{
    struct dict *d = dict_create(smember_key);
    if (s->enc == ENC_SET_INT) {
        const struct intset *is = kv_ptr(s);
        for (size_t i = 0; i < is->count; i++) {
            char buf[24];
            size_t len = ll_to_str(buf, is_get(is, i));
            if (table_add(d, buf, len) < 0)
                goto err;
        }
    } else {
        const struct pack *p = kv_ptr(s);
        for (size_t off = 0; off < p->bytes; off = pack_next(p, off)) {
            size_t len;
            const char *m = pack_get(p, off, &len);
            if (table_add(d, m, len) < 0)
                goto err;
        }
    }
    zfree(kv_ptr(s));
    s->enc = ENC_SET_TABLE;
    kv_set_ptr(s, d);
    return 0;
err:
    free_table(d);
    return -1;
}

static int
convert_int_to_pack(struct kv *s)
{
    const struct intset *is = kv_ptr(s);
    struct pack *p = pack_new();
    for (size_t i = 0; i < is->count; i++) {
        char buf[24];
        size_t len = ll_to_str(buf, is_get(is, i));
        struct pack *np = pack_insert(p, p->bytes, buf, len);
        if (np == NULL) {
            zfree(p);
            return -1;
        }
        p = np;
    }
    zfree(kv_ptr(s));
    s->enc = ENC_SET_PACK;
    kv_set_ptr(s, p);
    return 0;
}

/* ---- Membership ---- */

int
set_add(struct kv *s, const char *m, size_t ml)
{
    long long x;
    int isint = as_int(m, ml, &x);
    if (s->enc == ENC_SET_INT) {
        struct intset *is = kv_ptr(s);
        size_t pos;
        if (isint && is_find(is, x, &pos))
            return 0;
        if (isint && is->count < SET_INT_ENTRIES) {
            struct intset *n = is_insert(is, pos, x);
            if (n == NULL)
                return -1;
            kv_set_ptr(s, n);
            return 1;
        }
        int r = !isint && is->count < SET_PACK_ENTRIES && ml <= SET_PACK_VALUE
                    ? convert_int_to_pack(s)
                    : convert_to_table(s);
        if (r < 0)
            return -1;
    }
    if (s->enc == ENC_SET_PACK) {
        struct pack *p = kv_ptr(s);
        if (pack_find(p, 1, m, ml) >= 0)
            return 0;
        if (p->count < SET_PACK_ENTRIES && ml <= SET_PACK_VALUE) {
            struct pack *np = pack_insert(p, p->bytes, m, ml);
            if (np == NULL)
                return -1;
            kv_set_ptr(s, np);
            return 1;
        }
        if (convert_to_table(s) < 0)
            return -1;
    }
    return table_add(kv_ptr(s), m, ml);
}

int
set_del(struct kv *s, const char *m, size_t ml)
{
    if (s->enc == ENC_SET_INT) {
        long long x;
        size_t pos;
        struct intset *is = kv_ptr(s);
        if (!as_int(m, ml, &x) || !is_find(is, x, &pos))
            return 0;
        kv_set_ptr(s, is_remove(is, pos));
        return 1;
    }
    if (s->enc == ENC_SET_PACK) {
        struct pack *p = kv_ptr(s);
        long off = pack_find(p, 1, m, ml);
        if (off < 0)
            return 0;
        kv_set_ptr(s, pack_remove(p, (size_t)off, 1));
        return 1;
    }
    struct dict_node *n = dict_remove(kv_ptr(s), m, ml, dict_hash(m, ml));
    if (n == NULL)
        return 0;
    zfree(n);
    return 1;
}

int
set_has(const struct kv *s, const char *m, size_t ml)
{
    MEMCAT_SCOPE(MC_SET); /* a lookup may take a rehash step: from any command */
    if (s->enc == ENC_SET_INT) {
        long long x;
        size_t pos;
        return as_int(m, ml, &x) && is_find(kv_ptr(s), x, &pos);
    }
    if (s->enc == ENC_SET_PACK)
        return pack_find(kv_ptr(s), 1, m, ml) >= 0;
    return dict_find(kv_ptr(s), m, ml, dict_hash(m, ml)) != NULL;
}

/* ---- Random members ---- */

/* Member i of a packed encoding (intset printed into ibuf). */
static const char *
packed_at(const struct kv *s, size_t i, size_t *len, char *ibuf)
{
    if (s->enc == ENC_SET_INT) {
        *len = ll_to_str(ibuf, is_get(kv_ptr(s), i));
        return ibuf;
    }
    const struct pack *p = kv_ptr(s);
    return pack_get(p, (size_t)pack_seek(p, (long long)i), len);
}

const char *
set_random(const struct kv *s, size_t *len, char *ibuf)
{
    if (s->enc == ENC_SET_TABLE) {
        const struct smember *m = (const struct smember *)dict_random(kv_ptr(s));
        *len = m->len;
        return m->data;
    }
    return packed_at(s, dict_rand64() % set_len(s), len, ibuf);
}

int
set_pop(struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx)
{
    size_t n = set_len(s);
    if (n == 0)
        return -1;
    if (s->enc == ENC_SET_TABLE) {
        struct dict *d = kv_ptr(s);
        struct smember *m = (struct smember *)dict_random(d);
        fn(ctx, m->data, m->len);
        dict_remove(d, m->data, m->len, dict_hash(m->data, m->len));
        zfree(m);
        return 0;
    }
    size_t i = dict_rand64() % n, len;
    if (s->enc == ENC_SET_INT) {
        char ibuf[24];
        struct intset *is = kv_ptr(s);
        fn(ctx, ibuf, ll_to_str(ibuf, is_get(is, i)));
        kv_set_ptr(s, is_remove(is, i));
    } else {
        struct pack *p = kv_ptr(s);
        size_t off = (size_t)pack_seek(p, (long long)i);
        const char *m = pack_get(p, off, &len);
        fn(ctx, m, len);
        kv_set_ptr(s, pack_remove(p, off, 1));
    }
    return 0;
}

/* Scratch arrays are as long as the client asked for (bounded by the set's size): ztry*. */
static void *
try_array(size_t n, size_t size)
{
    return n > SIZE_MAX / size ? NULL : ztrymalloc(n * size);
}

static int
ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

struct gather {
    struct smember **v;
    size_t n;
};

static void
gather_node(struct dict_node *n, void *arg)
{
    struct gather *g = arg;
    g->v[g->n++] = (struct smember *)n;
}

int
set_random_distinct(const struct kv *s, size_t n, void (*fn)(void *ctx, const char *m, size_t ml),
                    void *ctx)
{
    size_t len = set_len(s);
    if (n > len)
        n = len;
    if (s->enc != ENC_SET_TABLE) {
        /* At most 512 members: a partial Fisher-Yates shuffle of their positions. */
        uint16_t idx[SET_INT_ENTRIES];
        char ibuf[24];
        for (size_t i = 0; i < len; i++)
            idx[i] = (uint16_t)i;
        for (size_t i = 0; i < n; i++) {
            size_t j = i + dict_rand64() % (len - i), ml;
            uint16_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            const char *m = packed_at(s, idx[i], &ml, ibuf);
            fn(ctx, m, ml);
        }
        return 0;
    }
    struct dict *d = kv_ptr(s);
    struct smember **v;
    if (n * 3 > len) {
        /* Many of them: shuffle the whole member list partially. */
        struct gather g = {try_array(len, sizeof(*g.v)), 0};
        if (g.v == NULL)
            return -1;
        dict_foreach(d, gather_node, &g);
        for (size_t i = 0; i < n; i++) {
            size_t j = i + dict_rand64() % (len - i);
            struct smember *t = g.v[i];
            g.v[i] = g.v[j];
            g.v[j] = t;
        }
        v = g.v;
    } else {
        /* Few of them: draw, then drop repeats by sorting, until there are n. */
        v = try_array(n, sizeof(*v));
        if (v == NULL)
            return -1;
        size_t have = 0;
        while (have < n) {
            while (have < n)
                v[have++] = (struct smember *)dict_random(d);
            qsort(v, have, sizeof(*v), ptr_cmp);
            size_t u = 0;
            for (size_t i = 0; i < have; i++)
                if (u == 0 || v[u - 1] != v[i])
                    v[u++] = v[i];
            have = u;
        }
    }
    for (size_t i = 0; i < n; i++)
        fn(ctx, v[i]->data, v[i]->len);
    zfree(v);
    return 0;
}

/* ---- Iteration, freeing, sizes ---- */

struct foreach_ctx {
    void (*fn)(void *ctx, const char *m, size_t ml);
    void *ctx;
};

static void
foreach_node(struct dict_node *n, void *arg)
{
    struct foreach_ctx *fc = arg;
    const struct smember *m = (const struct smember *)n;
    fc->fn(fc->ctx, m->data, m->len);
}

void
set_foreach(const struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx)
{
    if (s->enc == ENC_SET_INT) {
        const struct intset *is = kv_ptr(s);
        char buf[24];
        for (size_t i = 0; i < is->count; i++)
            fn(ctx, buf, ll_to_str(buf, is_get(is, i)));
    } else if (s->enc == ENC_SET_PACK) {
        const struct pack *p = kv_ptr(s);
        for (size_t off = 0; off < p->bytes; off = pack_next(p, off)) {
            size_t len;
            const char *m = pack_get(p, off, &len);
            fn(ctx, m, len);
        }
    } else {
        struct foreach_ctx fc = {fn, ctx};
        dict_foreach(kv_ptr(s), foreach_node, &fc);
    }
}

unsigned long long
set_scan(const struct kv *s, unsigned long long cursor,
         void (*fn)(void *ctx, const char *m, size_t ml), void *ctx)
{
    if (s->enc != ENC_SET_TABLE) {
        set_foreach(s, fn, ctx);
        return 0;
    }
    struct foreach_ctx fc = {fn, ctx};
    return dict_scan(kv_ptr(s), cursor, foreach_node, &fc);
}

struct copy_ctx {
    struct dict *d;
    int failed;
};

static void
copy_member(void *arg, const char *m, size_t ml)
{
    struct copy_ctx *cc = arg;
    struct smember *sm = cc->failed ? NULL : smember_new(m, ml);
    if (sm == NULL) {
        cc->failed = 1;
        return;
    }
    dict_insert(cc->d, &sm->node, dict_hash(m, ml));
}

void *
set_copy(int enc, const void *ptr)
{
    if (enc == ENC_SET_PACK)
        return pack_dup(ptr);
    if (enc == ENC_SET_INT) {
        const struct intset *is = ptr;
        size_t size = sizeof(*is) + (size_t)is->count * is->width;
        struct intset *n = ztrymalloc(size);
        if (n != NULL)
            memcpy(n, is, size);
        return n;
    }
    struct copy_ctx cc = {dict_create(smember_key), 0};
    struct foreach_ctx fc = {copy_member, &cc};
    dict_foreach((struct dict *)(uintptr_t)ptr, foreach_node, &fc);
    if (cc.failed) {
        free_table(cc.d);
        return NULL;
    }
    return cc.d;
}

void
set_free(int enc, void *ptr)
{
    if (enc == ENC_SET_TABLE)
        free_table(ptr);
    else
        zfree(ptr);
}

size_t
set_free_effort(int enc, const void *ptr)
{
    return enc == ENC_SET_TABLE ? dict_size(ptr) : 1;
}

size_t
set_memory(int enc, const void *ptr, long long samples)
{
    if (enc != ENC_SET_TABLE)
        return zmalloc_size(ptr);
    struct dict *d = (struct dict *)ptr;
    return zmalloc_size(d) + dict_table_memory(d) + dict_node_memory(d, samples);
}
