/* objhash.c — hash values: a pack of alternating fields and values while small (<= 128
 * fields, none over 64 bytes), then a dict whose entries hold field and value in one block.
 * Like Redis 7.0 a hash never converts back to the packed form. */
#include "objhash.h"
#include "pack.h"
#include "zmalloc.h"

static const char *
hfield_key(const struct dict_node *n, size_t *len)
{
    const struct hfield *f = (const struct hfield *)n;
    *len = f->flen;
    return f->data;
}

static struct hfield *
hfield_new(const char *f, size_t fl, const char *v, size_t vl)
{
    struct hfield *h = ztrymalloc(sizeof(*h) + fl + vl);
    if (h == NULL)
        return NULL;
    h->node.next = NULL;
    h->flen = (uint32_t)fl;
    h->vlen = (uint32_t)vl;
    memcpy(h->data, f, fl);
    if (vl)
        memcpy(h->data + fl, v, vl);
    return h;
}

static void
hfield_free(struct dict_node *n, void *ctx)
{
    zfree(n);
}

void
hash_new_val(struct val *v)
{
    memset(v, 0, sizeof(*v));
    v->enc = ENC_HASH_PACK;
    v->ptr = pack_new();
}

size_t
hash_len(const struct kv *h)
{
    if (h->enc == ENC_HASH_PACK)
        return ((const struct pack *)kv_ptr(h))->count / 2;
    return dict_size(kv_ptr(h));
}

int
hash_get(const struct kv *h, const char *f, size_t fl, const char **v, size_t *vl)
{
    if (h->enc == ENC_HASH_PACK) {
        const struct pack *p = kv_ptr(h);
        long off = pack_find(p, 2, f, fl);
        if (off < 0)
            return 0;
        *v = pack_get(p, pack_next(p, (size_t)off), vl);
        return 1;
    }
    struct hfield *hf = (struct hfield *)dict_find(kv_ptr(h), f, fl, dict_hash(f, fl));
    if (hf == NULL)
        return 0;
    *v = hf->data + hf->flen;
    *vl = hf->vlen;
    return 1;
}

/* The field (returned) and value of the pair at *off in a packed hash; *off moves past it. */
static const char *
pack_pair(const struct pack *p, size_t *off, size_t *fl, const char **v, size_t *vl)
{
    const char *f = pack_get(p, *off, fl);
    *off = pack_next(p, *off);
    *v = pack_get(p, *off, vl);
    *off = pack_next(p, *off);
    return f;
}

/* Packed → table. All field blocks are allocated before the pack is released, so a failure
 * leaves the hash as it was. */
static int
convert_to_table(struct kv *h)
{
    struct pack *p = kv_ptr(h);
    struct dict *d = dict_create(hfield_key);
    size_t off = 0;
    while (off < p->bytes) {
        size_t fl, vl;
        const char *v, *f = pack_pair(p, &off, &fl, &v, &vl);
        struct hfield *hf = hfield_new(f, fl, v, vl);
        if (hf == NULL) {
            dict_clear(d, hfield_free, NULL);
            dict_destroy(d);
            return -1;
        }
        dict_insert(d, &hf->node, dict_hash(f, fl));
    }
    zfree(p);
    h->enc = ENC_HASH_TABLE;
    kv_set_ptr(h, d);
    return 0;
}

int
hash_set(struct kv *h, const char *f, size_t fl, const char *v, size_t vl)
{
    if (h->enc == ENC_HASH_PACK) {
        struct pack *p = kv_ptr(h);
        long off = pack_find(p, 2, f, fl);
        int too_big = fl > enc_limits.hash_value || vl > enc_limits.hash_value ||
                      (off < 0 && p->count / 2 + 1 > enc_limits.hash_entries);
        if (!too_big) {
            if (off >= 0) {
                struct pack *np = pack_replace(p, pack_next(p, (size_t)off), v, vl);
                if (np == NULL)
                    return -1;
                kv_set_ptr(h, np);
                return 0;
            }
            struct pack *np = pack_insert(p, p->bytes, f, fl);
            if (np == NULL)
                return -1;
            size_t foff = np->bytes - pack_elem_size(fl);
            struct pack *np2 = pack_insert(np, np->bytes, v, vl);
            if (np2 == NULL) {
                kv_set_ptr(h, pack_remove(np, foff, 1));
                return -1;
            }
            kv_set_ptr(h, np2);
            return 1;
        }
        if (convert_to_table(h) < 0)
            return -1;
    }
    struct dict *d = kv_ptr(h);
    uint64_t hv = dict_hash(f, fl);
    struct dict_pos pos;
    struct hfield *nf = hfield_new(f, fl, v, vl);
    if (nf == NULL)
        return -1;
    if (dict_lookup(d, f, fl, hv, &pos)) {
        struct dict_node *old = dict_pos_node(&pos);
        dict_pos_replace(&pos, &nf->node);
        zfree(old);
        return 0;
    }
    dict_insert(d, &nf->node, hv);
    return 1;
}

int
hash_del(struct kv *h, const char *f, size_t fl)
{
    if (h->enc == ENC_HASH_PACK) {
        struct pack *p = kv_ptr(h);
        long off = pack_find(p, 2, f, fl);
        if (off < 0)
            return 0;
        kv_set_ptr(h, pack_remove(p, (size_t)off, 2));
        return 1;
    }
    struct dict_node *n = dict_remove(kv_ptr(h), f, fl, dict_hash(f, fl));
    if (n == NULL)
        return 0;
    zfree(n);
    return 1;
}

struct foreach_ctx {
    void (*fn)(void *ctx, const char *f, size_t fl, const char *v, size_t vl);
    void *ctx;
};

static void
foreach_node(struct dict_node *n, void *arg)
{
    struct foreach_ctx *fc = arg;
    struct hfield *hf = (struct hfield *)n;
    fc->fn(fc->ctx, hf->data, hf->flen, hf->data + hf->flen, hf->vlen);
}

void
hash_foreach(const struct kv *h,
             void (*fn)(void *ctx, const char *f, size_t fl, const char *v, size_t vl), void *ctx)
{
    if (h->enc == ENC_HASH_PACK) {
        const struct pack *p = kv_ptr(h);
        size_t off = 0;
        while (off < p->bytes) {
            size_t fl, vl;
            const char *v, *f = pack_pair(p, &off, &fl, &v, &vl);
            fn(ctx, f, fl, v, vl);
        }
        return;
    }
    struct foreach_ctx fc = {fn, ctx};
    dict_foreach(kv_ptr(h), foreach_node, &fc);
}

unsigned long long
hash_scan(const struct kv *h, unsigned long long cursor, hash_visit_fn *fn, void *ctx)
{
    if (h->enc == ENC_HASH_PACK) {
        hash_foreach(h, fn, ctx);
        return 0;
    }
    struct foreach_ctx fc = {fn, ctx};
    return dict_scan(kv_ptr(h), cursor, foreach_node, &fc);
}

struct copy_ctx {
    struct dict *d;
    int failed;
};

static void
copy_field(void *arg, const char *f, size_t fl, const char *v, size_t vl)
{
    struct copy_ctx *cc = arg;
    struct hfield *hf = cc->failed ? NULL : hfield_new(f, fl, v, vl);
    if (hf == NULL) {
        cc->failed = 1;
        return;
    }
    dict_insert(cc->d, &hf->node, dict_hash(f, fl));
}

void *
hash_copy(int enc, const void *ptr)
{
    if (enc == ENC_HASH_PACK)
        return pack_dup(ptr);
    struct copy_ctx cc = {dict_create(hfield_key), 0};
    struct foreach_ctx fc = {copy_field, &cc};
    dict_foreach((struct dict *)(uintptr_t)ptr, foreach_node, &fc);
    if (cc.failed) {
        hash_free(ENC_HASH_TABLE, cc.d);
        return NULL;
    }
    return cc.d;
}

void
hash_random(const struct kv *h, const char **f, size_t *fl, const char **v, size_t *vl)
{
    if (h->enc == ENC_HASH_PACK) {
        const struct pack *p = kv_ptr(h);
        size_t off = (size_t)pack_seek(p, 2 * (long long)(dict_rand64() % (p->count / 2)));
        *f = pack_pair(p, &off, fl, v, vl);
        return;
    }
    const struct hfield *hf = (const struct hfield *)dict_random(kv_ptr(h));
    *f = hf->data;
    *fl = hf->flen;
    *v = hf->data + hf->flen;
    *vl = hf->vlen;
}

void
hash_free(int enc, void *ptr)
{
    if (enc == ENC_HASH_PACK) {
        zfree(ptr);
        return;
    }
    dict_clear(ptr, hfield_free, NULL);
    dict_destroy(ptr);
}

size_t
hash_free_effort(int enc, const void *ptr)
{
    return enc == ENC_HASH_PACK ? 1 : dict_size(ptr);
}

size_t
hash_memory(int enc, const void *ptr, long long samples)
{
    if (enc == ENC_HASH_PACK)
        return zmalloc_size(ptr);
    struct dict *d = (struct dict *)ptr;
    return zmalloc_size(d) + dict_table_memory(d) + dict_node_memory(d, samples);
}
