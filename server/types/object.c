/* object.c — key entries (struct kv) and string values: layout, build, free, sizes, and the
 * choice between the int, embstr and raw string encodings. */
#include "object.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "memcat.h"
#include "config.h"
#include "objhash.h"
#include "objlist.h"
#include "objset.h"
#include "objzset.h"
#include "strpin.h"
#include "util.h"
#include "zmalloc.h"

const char *
kv_dict_key(const struct dict_node *n, size_t *len)
{
    return kv_key((const struct kv *)n, len);
}

size_t
kv_needed(size_t klen, const struct val *v, int volatile_key)
{
    size_t n = sizeof(struct kv) + (volatile_key ? KV_VOL_BYTES : 0) + kv_slot_len(v->enc) + klen;
    if (v->enc == ENC_EMBSTR)
        n += v->len;
    return n;
}

void
kv_write(struct kv *e, const char *key, size_t klen, const struct val *v, int64_t expire)
{
    /* node.next is left alone: an entry rewritten in place stays linked in its bucket. */
    e->enc = (uint32_t)v->enc;
    e->flags = expire >= 0 ? KV_VOLATILE : 0;
    e->klen = (uint32_t)klen;
    if (expire >= 0)
        kv_set_expire(e, expire);
    unsigned char *slot = e->data + kv_slot_off(e);
    if (v->enc == ENC_INT) {
        memcpy(slot, &v->i, 8);
    } else if (v->enc == ENC_EMBSTR) {
        uint32_t l = (uint32_t)v->len;
        memcpy(slot, &l, 4);
    } else {
        memcpy(slot, &v->ptr, sizeof(void *));
    }
    unsigned char *k = slot + kv_slot_len(v->enc);
    memmove(k, key, klen);
    if (v->enc == ENC_EMBSTR && v->len)
        memmove(k + klen, v->s, v->len);
}

struct kv *
kv_build(const char *key, size_t klen, const struct val *v, int64_t expire)
{
    MEMCAT_SCOPE(memcat_of_type(enc_type(v->enc)));
    struct kv *e = ztrymalloc(kv_needed(klen, v, expire >= 0));
    if (e == NULL)
        return NULL;
    e->node.next = NULL;
    e->lru = 0;
    kv_write(e, key, klen, v, expire);
    return e;
}

void
kv_get_val(const struct kv *e, struct val *v)
{
    memset(v, 0, sizeof(*v));
    v->enc = e->enc;
    if (e->enc == ENC_INT) {
        v->i = kv_int(e);
    } else if (e->enc == ENC_EMBSTR) {
        v->s = kv_str(e, &v->len, NULL);
    } else {
        v->ptr = kv_ptr(e);
    }
}

/* ---- Container values: what each type does to be freed and measured ---- */

struct enc_limits enc_limits = {HASH_PACK_ENTRIES, HASH_PACK_VALUE, ZSET_PACK_ENTRIES,
                                ZSET_PACK_VALUE, LIST_PACK_BYTES};

void
enc_limits_apply(void)
{
    const struct config *cfg = config_get();
    int ls = cfg->list_max_listpack_size;

    enc_limits.hash_entries = (size_t)cfg->hash_max_listpack_entries;
    enc_limits.hash_value = (size_t)cfg->hash_max_listpack_value;
    enc_limits.zset_entries = (size_t)cfg->zset_max_listpack_entries;
    enc_limits.zset_value = (size_t)cfg->zset_max_listpack_value;
    /* Negative sizes are Redis's byte classes -1..-5 (4..64 KiB; lower counts as -5).
     * zmem's packs are sized in bytes only, so a positive entry count keeps 8 KiB. */
    enc_limits.list_bytes = ls < 0 ? (size_t)4096 << (ls < -5 ? 4 : -ls - 1) : LIST_PACK_BYTES;
}

static const struct val_ops {
    void (*release)(int enc, void *ptr);
    size_t (*free_effort)(int enc, const void *ptr);
    size_t (*memory)(int enc, const void *ptr, long long samples);
    void *(*copy)(int enc, const void *ptr);
} val_ops[] = {
    [OBJ_LIST] = {list_free, list_free_effort, list_memory, list_copy},
    [OBJ_HASH] = {hash_free, hash_free_effort, hash_memory, hash_copy},
    [OBJ_SET] = {set_free, set_free_effort, set_memory, set_copy},
    [OBJ_ZSET] = {zset_free, zset_free_effort, zset_memory, zset_copy},
};

int
val_copy(const struct kv *e, struct val *v)
{
    MEMCAT_SCOPE(memcat_of_type(kv_type(e)));
    kv_get_val(e, v);
    if (e->enc == ENC_INT || e->enc == ENC_EMBSTR)
        return 0; /* the bytes are copied into the new entry by kv_build */
    if (e->enc == ENC_RAW) {
        const struct str *s = kv_ptr(e);
        v->ptr = str_new(s->buf, s->len, s->len);
    } else {
        v->ptr = val_ops[kv_type(e)].copy(e->enc, kv_ptr(e));
    }
    return v->ptr ? 0 : -1;
}

void
val_free(int enc, void *ptr)
{
    MEMCAT_SCOPE(memcat_of_type(enc_type(enc)));
    if (enc_type(enc) != OBJ_STRING)
        val_ops[enc_type(enc)].release(enc, ptr);
    else if (enc == ENC_RAW && !strpin_orphan(ptr))
        zfree(ptr); /* a pinned buffer is freed by its last unpin instead */
}

void
kv_free(struct kv *e)
{
    MEMCAT_SCOPE(memcat_of_type(kv_type(e)));
    if (e->enc >= ENC_RAW)
        val_free(e->enc, kv_ptr(e));
    zfree(e);
}

void
kv_free_shell(struct kv *e)
{
    MEMCAT_SCOPE(memcat_of_type(kv_type(e)));
    zfree(e);
}

size_t
kv_free_effort(const struct kv *e)
{
    int t = kv_type(e);
    return t == OBJ_STRING ? 1 : val_ops[t].free_effort(e->enc, kv_ptr(e));
}

size_t
kv_memory(const struct kv *e, long long samples)
{
    size_t m = zmalloc_size(e);
    int t = kv_type(e);
    if (t != OBJ_STRING)
        m += val_ops[t].memory(e->enc, kv_ptr(e), samples);
    else if (e->enc == ENC_RAW)
        m += zmalloc_size(kv_ptr(e));
    return m;
}

const char *
kv_type_name(const struct kv *e)
{
    static const char *const names[] = {"string", "list", "hash", "set", "zset"};
    return names[kv_type(e)];
}

const char *
kv_enc_name(const struct kv *e)
{
    static const char *const names[] = {
        "int",       "embstr", "raw",      "listpack",  "hashtable", "listpack",
        "quicklist", "intset", "listpack", "hashtable", "listpack",  "skiplist",
    };
    return names[e->enc];
}

/* ---- Strings ---- */

struct str *
str_new(const char *s, size_t len, size_t cap)
{
    if (cap < len)
        cap = len;
    struct str *r = ztrymalloc(sizeof(*r) + cap);
    if (r == NULL)
        return NULL;
    r->len = len;
    if (len)
        memcpy(r->buf, s, len);
    return r;
}

size_t
str_cap(const struct str *s)
{
    return zmalloc_usable_size(s) - sizeof(*s);
}

struct str *
str_reserve(struct str *s, size_t need)
{
    if (str_cap(s) >= need)
        return s;
    size_t cap = need < (1 << 20) ? need * 2 : need + (1 << 20);
    return ztryrealloc(s, sizeof(*s) + cap);
}

int
str_val(const char *s, size_t len, struct val *v)
{
    long long i;
    if (len <= 20 && str_to_ll(s, len, &i) == 0) {
        memset(v, 0, sizeof(*v));
        v->enc = ENC_INT;
        v->i = i;
        return 0;
    }
    return str_val_noint(s, len, v);
}

int
str_val_noint(const char *s, size_t len, struct val *v)
{
    memset(v, 0, sizeof(*v));
    if (len <= EMBSTR_MAX) {
        v->enc = ENC_EMBSTR;
        v->s = s;
        v->len = len;
        return 0;
    }
    v->enc = ENC_RAW;
    v->ptr = str_new(s, len, len);
    return v->ptr ? 0 : -1;
}

const char *
kv_str(const struct kv *e, size_t *len, char *ibuf)
{
    if (e->enc == ENC_INT) {
        *len = ll_to_str(ibuf, kv_int(e));
        return ibuf;
    }
    if (e->enc == ENC_EMBSTR) {
        const unsigned char *slot = e->data + kv_slot_off(e);
        uint32_t l;
        memcpy(&l, slot, 4);
        *len = l;
        return (const char *)slot + 4 + e->klen;
    }
    const struct str *r = kv_ptr(e);
    *len = r->len;
    return r->buf;
}
