/* object — keys and values. A key is one allocation, struct kv: the dict link, a 4-byte
 * header (LRU/LFU clock, encoding, flags), the key length, then an optional expiry, then the
 * value (an integer, a pointer, or for short strings the bytes themselves), then the key.
 * A 10-byte key with a 16-byte value is a 46-byte block: 48 bytes with jemalloc.
 *
 * Encodings and the Redis names OBJECT ENCODING gives them:
 *   strings  ENC_INT "int", ENC_EMBSTR "embstr" (<= 44 bytes, in the entry), ENC_RAW "raw"
 *   hashes   ENC_HASH_PACK "listpack" (<= 128 fields of <= 64 bytes), ENC_HASH_TABLE "hashtable"
 *   lists    ENC_LIST_PACK "listpack" (<= 8 KiB), ENC_LIST_QUICK "quicklist" (linked packs)
 *   sets     ENC_SET_INT "intset" (<= 512 integers), ENC_SET_PACK "listpack" (<= 128 members of
 *            <= 64 bytes, as Redis 7.2 names it), ENC_SET_TABLE "hashtable"
 *   zsets    ENC_ZSET_PACK "listpack" (<= 128 members of <= 64 bytes), ENC_ZSET_SKIP "skiplist"
 * The encoding field has 4 bits: at most 16 encodings. */
#ifndef ZMEM_SERVER_OBJECT_H
#define ZMEM_SERVER_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dict.h"

enum obj_type { OBJ_STRING, OBJ_LIST, OBJ_HASH, OBJ_SET, OBJ_ZSET };

enum obj_enc {
    ENC_INT,
    ENC_EMBSTR,
    ENC_RAW,
    ENC_HASH_PACK,
    ENC_HASH_TABLE,
    ENC_LIST_PACK,
    ENC_LIST_QUICK,
    ENC_SET_INT,
    ENC_SET_PACK,
    ENC_SET_TABLE,
    ENC_ZSET_PACK,
    ENC_ZSET_SKIP,
};

#define KV_VOLATILE 1 /* the entry carries an expiry time and its index in the expires array */

#define EMBSTR_MAX        44   /* longest string kept inside the entry (Redis's embstr limit) */
#define HASH_PACK_ENTRIES 128  /* hash-max-listpack-entries */
#define HASH_PACK_VALUE   64   /* hash-max-listpack-value */
#define LIST_PACK_BYTES   8192 /* list-max-listpack-size -2: 8 KiB per pack */
#define SET_INT_ENTRIES   512  /* set-max-intset-entries */
#define SET_PACK_ENTRIES  128  /* set-max-listpack-entries (7.2) */
#define SET_PACK_VALUE    64   /* set-max-listpack-value (7.2) */
#define ZSET_PACK_ENTRIES 128  /* zset-max-listpack-entries */
#define ZSET_PACK_VALUE   64   /* zset-max-listpack-value */

/* The thresholds in force: the constants above until enc_limits_apply() reads the config's
 * hash-max-listpack-*, zset-max-listpack-* and list-max-listpack-size (at start and after
 * CONFIG SET). Existing values keep their encoding; the next write decides by the new limits. */
struct enc_limits {
    size_t hash_entries, hash_value;
    size_t zset_entries, zset_value;
    size_t list_bytes;
};
extern struct enc_limits enc_limits;

struct kv {
    struct dict_node node;
    uint32_t lru : 24; /* LRU clock (s) or LFU: 16-bit minutes + 8-bit log counter */
    uint32_t enc : 4;
    uint32_t flags : 4;
    uint32_t klen;
    unsigned char data[]; /* [expire 8, expires index 4] [value slot 8 | emb length 4] key [emb] */
};

#define KV_VOL_BYTES 12

/* A value about to be stored: what kv_build() copies into an entry. */
struct val {
    int enc;
    long long i;   /* ENC_INT */
    const char *s; /* ENC_EMBSTR: bytes copied into the entry */
    size_t len;
    void *ptr; /* other encodings: the object, owned by the entry from then on */
};

/* A raw string: a separate growable buffer (capacity from the allocator's usable size). */
struct str {
    size_t len;
    char buf[];
};

static inline size_t
kv_slot_off(const struct kv *e)
{
    return (e->flags & KV_VOLATILE) ? KV_VOL_BYTES : 0;
}

static inline size_t
kv_slot_len(int enc)
{
    return enc == ENC_EMBSTR ? 4 : 8;
}

static inline const char *
kv_key(const struct kv *e, size_t *len)
{
    *len = e->klen;
    return (const char *)e->data + kv_slot_off(e) + kv_slot_len(e->enc);
}

/* The type (OBJ_*) an encoding belongs to. */
static inline int
enc_type(int enc)
{
    static const unsigned char types[] = {
        OBJ_STRING, OBJ_STRING, OBJ_STRING, OBJ_HASH, OBJ_HASH, OBJ_LIST,
        OBJ_LIST,   OBJ_SET,    OBJ_SET,    OBJ_SET,  OBJ_ZSET, OBJ_ZSET,
    };
    return types[enc];
}

static inline int
kv_type(const struct kv *e)
{
    return enc_type(e->enc);
}

/* Expiry time in unix ms, -1 when the key has none. */
static inline int64_t
kv_expire(const struct kv *e)
{
    int64_t t;
    if (!(e->flags & KV_VOLATILE))
        return -1;
    memcpy(&t, e->data, 8);
    return t;
}

static inline void
kv_set_expire(struct kv *e, int64_t t) /* only on a volatile entry */
{
    memcpy(e->data, &t, 8);
}

static inline uint32_t
kv_vidx(const struct kv *e)
{
    uint32_t i;
    memcpy(&i, e->data + 8, 4);
    return i;
}

static inline void
kv_set_vidx(struct kv *e, uint32_t i)
{
    memcpy(e->data + 8, &i, 4);
}

static inline void *
kv_ptr(const struct kv *e)
{
    void *p;
    memcpy(&p, e->data + kv_slot_off(e), sizeof(p));
    return p;
}

static inline void
kv_set_ptr(struct kv *e, void *p)
{
    memcpy(e->data + kv_slot_off(e), &p, sizeof(p));
}

static inline long long
kv_int(const struct kv *e)
{
    long long v;
    memcpy(&v, e->data + kv_slot_off(e), 8);
    return v;
}

static inline void
kv_set_int(struct kv *e, long long v)
{
    memcpy(e->data + kv_slot_off(e), &v, 8);
}

/* dict_key_fn for the keyspace dicts. */
const char *kv_dict_key(const struct dict_node *n, size_t *len);

/* Bytes an entry needs for this key length, value and expiry choice. */
size_t kv_needed(size_t klen, const struct val *v, int volatile_key);
/* Lay out an entry in e (at least kv_needed() bytes): header, expiry (expire >= 0 makes it
 * volatile; vidx is then set by the caller), value, key. The dict link and lru are left as
 * they are, so an entry can be rewritten in place while it is in the dict. */
void kv_write(struct kv *e, const char *key, size_t klen, const struct val *v, int64_t expire);
/* ztrymalloc + kv_write; NULL on allocation failure. */
struct kv *kv_build(const char *key, size_t klen, const struct val *v, int64_t expire);
/* The value of e as a struct val (for rebuilding the entry around the same value). */
void kv_get_val(const struct kv *e, struct val *v);
/* Free the value and the entry / only the entry (its value was moved elsewhere). */
void kv_free(struct kv *e);
void kv_free_shell(struct kv *e);
/* A deep copy of e's value in *v, same type and encoding (COPY): an int or embstr v points at
 * e's bytes, which kv_build() copies; any other v owns a new object (val_free() it if it is
 * not stored). 0, or -1 on allocation failure (nothing left allocated). */
int val_copy(const struct kv *e, struct val *v);
/* Free a value that is not (or no longer) in an entry. */
void val_free(int enc, void *ptr);
/* Allocations freeing this value costs (lazy free moves values above 64 to its thread). */
size_t kv_free_effort(const struct kv *e);
/* Allocator bytes of e and its value; containers estimated from `samples` elements (0: all). */
size_t kv_memory(const struct kv *e, long long samples);
/* Redis's type and encoding names. */
const char *kv_type_name(const struct kv *e);
const char *kv_enc_name(const struct kv *e);

/* ---- Strings ---- */

/* Choose the encoding of a string value: INT if it is a canonical long long of <= 20 chars,
 * EMBSTR if <= 44 bytes, else RAW (allocated here with ztrymalloc). -1 if that failed. */
int str_val(const char *s, size_t len, struct val *v);
/* A RAW string buffer holding s (capacity at least cap). NULL on failure. */
struct str *str_new(const char *s, size_t len, size_t cap);
/* Bytes available in a RAW buffer. */
size_t str_cap(const struct str *s);
/* Make room in RAW buffer s for at least need bytes, growing like Redis's sds (double up to
 * 1 MiB, then 1 MiB more) so that repeated small growth (APPEND, SETBIT) stays amortised.
 * Returns s or its moved copy; NULL on allocation failure (s unchanged). */
struct str *str_reserve(struct str *s, size_t need);
/* Like str_val() but never INT (results of INCRBYFLOAT stay strings, as in Redis). */
int str_val_noint(const char *s, size_t len, struct val *v);
/* The bytes of a string value; an INT is printed into ibuf (>= 24 bytes). */
const char *kv_str(const struct kv *e, size_t *len, char *ibuf);

/* Copy the encoding thresholds from the configuration into enc_limits. */
void enc_limits_apply(void);

#endif
