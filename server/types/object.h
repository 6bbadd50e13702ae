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

/* Print v in decimal into dst (>= 21 bytes), NUL-terminated; returns the length. */
size_t ll_to_str(char *dst, long long v);

/* Choose the encoding of a string value: INT if it is a canonical long long of <= 20 chars,
 * EMBSTR if <= 44 bytes, else RAW (allocated here with ztrymalloc). -1 if that failed. */
int str_val(const char *s, size_t len, struct val *v);
/* A RAW string buffer holding s (capacity at least cap). NULL on failure. */
struct str *str_new(const char *s, size_t len, size_t cap);
/* Bytes available in a RAW buffer. */
size_t str_cap(const struct str *s);
/* Like str_val() but never INT (results of INCRBYFLOAT stay strings, as in Redis). */
int str_val_noint(const char *s, size_t len, struct val *v);
/* Longest text ldouble_to_str() writes (Redis's MAX_LONG_DOUBLE_CHARS). */
#define LDBL_STR_MAX 5120
/* Parse a whole string as a long double with Redis's rules (no leading space, no NaN; inf
 * allowed). 0, or -1. */
int str_to_ldouble(const char *s, size_t len, long double *out);
/* Print v as Redis's INCRBYFLOAT does ("%.17Lf", trailing zeros removed). Returns the length. */
size_t ldouble_to_str(char *dst, size_t size, long double v);
/* The bytes of a string value; an INT is printed into ibuf (>= 24 bytes). */
const char *kv_str(const struct kv *e, size_t *len, char *ibuf);

/* ---- Hashes (objhash.c). h is the entry; functions may change its encoding and pointer in
 * place (both encodings keep a pointer in the same slot, so the entry never moves). ---- */

struct hfield {
    struct dict_node node;
    uint32_t flen, vlen;
    char data[]; /* field, then value */
};

/* A new empty hash value (packed). */
void hash_new_val(struct val *v);
/* Number of fields. */
size_t hash_len(const struct kv *h);
/* Look a field up: 1 and its value, or 0. The bytes stay valid until the hash changes. */
int hash_get(const struct kv *h, const char *f, size_t fl, const char **v, size_t *vl);
/* Set a field: 1 if it was added, 0 if updated, -1 on allocation failure (hash unchanged). */
int hash_set(struct kv *h, const char *f, size_t fl, const char *v, size_t vl);
/* 1 if the field was deleted. */
int hash_del(struct kv *h, const char *f, size_t fl);
/* Visit every field and value. fn must not change the hash. */
void hash_foreach(const struct kv *h,
                  void (*fn)(void *ctx, const char *f, size_t fl, const char *v, size_t vl),
                  void *ctx);
/* Free a hash value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a table's fields estimated from `samples` of them (0: all). */
void hash_free(int enc, void *ptr);
size_t hash_free_effort(int enc, const void *ptr);
size_t hash_memory(int enc, const void *ptr, long long samples);

/* ---- Lists (objlist.c), same conventions. ---- */

#define LIST_HEAD 0
#define LIST_TAIL 1

struct qlnode {
    struct qlnode *prev, *next;
    struct pack *p;
};

struct qlist {
    struct qlnode *head, *tail;
    size_t count;
    size_t nodes;
};

/* A new empty list value (packed), and the number of elements of a list. */
void list_new_val(struct val *v);
size_t list_len(const struct kv *l);
/* Push one element at the head or tail. 0, or -1 on allocation failure (list unchanged). */
int list_push(struct kv *l, int where, const char *s, size_t len);
/* Pop one element: fn sees its bytes before they are removed. 0, or -1 when empty. */
int list_pop(struct kv *l, int where, void (*fn)(void *ctx, const char *s, size_t len), void *ctx);
/* Element idx (>= 0 from the head, < 0 from the tail): 1 and its bytes, or 0. */
int list_index(const struct kv *l, long long idx, const char **s, size_t *len);
/* Visit n elements from index start (0 <= start, start + n <= len). */
void list_range(const struct kv *l, size_t start, size_t n,
                void (*fn)(void *ctx, const char *s, size_t len), void *ctx);
/* Free a list value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a node list's nodes estimated from `samples` of them (0: all). */
void list_free(int enc, void *ptr);
size_t list_free_effort(int enc, const void *ptr);
size_t list_memory(int enc, const void *ptr, long long samples);

/* ---- Sets (objset.c), same conventions: functions may change the encoding and pointer of
 * the entry in place. Members are handed out as bytes; an intset member is printed into the
 * caller's ibuf (>= 24 bytes) first. ---- */

struct smember {
    struct dict_node node;
    uint32_t len;
    char data[];
};

/* A new empty set value for a first member s and about `hint` members to come: an intset
 * when s is an integer, a pack when the members may fit one, else a table. */
void set_new_val(struct val *v, const char *s, size_t len, size_t hint);
/* Number of members. */
size_t set_len(const struct kv *s);
/* Add a member: 1 if added, 0 if present, -1 on allocation failure (set unchanged). */
int set_add(struct kv *s, const char *m, size_t ml);
/* 1 if the member was removed. */
int set_del(struct kv *s, const char *m, size_t ml);
/* 1 if m is a member. */
int set_has(const struct kv *s, const char *m, size_t ml);
/* A uniformly random member (a table's chains make it slightly uneven, as in Redis); the set
 * must not be empty. The bytes stay valid until the set changes. */
const char *set_random(const struct kv *s, size_t *len, char *ibuf);
/* Remove a random member; fn sees its bytes first. 0, or -1 when empty. */
int set_pop(struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* n distinct random members (at most set_len), each visited once. 0, or -1 before any visit
 * when the scratch array could not be allocated. */
int set_random_distinct(const struct kv *s, size_t n,
                        void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* Visit every member. fn must not change the set. */
void set_foreach(const struct kv *s, void (*fn)(void *ctx, const char *m, size_t ml), void *ctx);
/* Free a set value; the allocations freeing it costs (lazy free's measure); its allocator
 * bytes, a table's estimated from `samples` members (0: all). */
void set_free(int enc, void *ptr);
size_t set_free_effort(int enc, const void *ptr);
size_t set_memory(int enc, const void *ptr, long long samples);

/* ---- Sorted sets (objzset.c). Elements are ordered by score, then by member bytes. A score
 * of -0 is stored as 0 (what Redis 7.0 answers for it). ---- */

/* zset_add flags in and results out (Redis's ZADD_IN_* / ZADD_OUT_*). */
#define ZADD_INCR 1
#define ZADD_NX   2
#define ZADD_XX   4
#define ZADD_GT   8
#define ZADD_LT   16

#define ZADD_OUT_NOP     1 /* nothing done (NX, XX, GT, LT said no) */
#define ZADD_OUT_NAN     2 /* the increment made NaN: nothing done */
#define ZADD_OUT_ADDED   4 /* a new member */
#define ZADD_OUT_UPDATED 8 /* an existing member got a new score */

/* A score interval: ZCOUNT, ZRANGE BYSCORE. */
struct zscore_range {
    double min, max;
    int minex, maxex; /* exclusive ends: "(1" */
};

/* A member interval: ZLEXCOUNT, ZRANGE BYLEX. An end of kind -1 is "-", 1 is "+". */
struct zlex_bound {
    int kind; /* -1, 0 (a member), 1 */
    int ex;   /* "(" */
    const char *s;
    size_t len;
};

/* An element read from a sorted set: the member bytes stay valid until it changes. */
struct zelem {
    const char *m;
    size_t ml;
    double score;
};

/* A read position in a sorted set, walking up (rev 0) or down by rank. */
struct zset_iter {
    const struct kv *z;
    int rev;
    long off;   /* packed: offset of the member, -1 at the end */
    void *node; /* skiplist: the node, NULL at the end */
};

/* A new empty sorted set value (packed), and the number of its elements. */
void zset_new_val(struct val *v);
size_t zset_len(const struct kv *z);
/* Parse a score as ZADD does (strtod rules, inf allowed, NaN and out-of-range refused). 0/-1. */
int zset_parse_score(const char *s, size_t len, double *out);
/* Parse ZCOUNT/BYSCORE ends ("(1.5", "-inf"); 0, or -1 when not a float. */
int zset_parse_range(const char *min, size_t minl, const char *max, size_t maxl,
                     struct zscore_range *r);
/* Parse a BYLEX end ("-", "+", "[a", "(a"); 0, or -1. */
int zset_parse_lex(const char *s, size_t len, struct zlex_bound *b);
/* Look a member up: 1 and its score, or 0. */
int zset_score(const struct kv *z, const char *m, size_t ml, double *score);
/* ZADD one element with the ZADD_* flags; *out gets the ZADD_OUT_* result and *newscore the
 * score the member has afterwards (when added or updated). 0, or -1 on allocation failure
 * (the set unchanged). */
int zset_add(struct kv *z, double score, const char *m, size_t ml, int flags, int *out,
             double *newscore);
/* 1 if the member was removed. */
int zset_del(struct kv *z, const char *m, size_t ml);
/* Remove n elements from 0-based rank `rank` upwards (rank + n <= zset_len). */
void zset_del_range(struct kv *z, size_t rank, size_t n);
/* 0-based rank from the lowest (rev: from the highest), -1 if absent. */
long long zset_rank(const struct kv *z, const char *m, size_t ml, int rev);
/* Elements with a score below r's lower end / up to its upper end: the ranks [lo, hi) are the
 * elements in the range. */
void zset_score_span(const struct kv *z, const struct zscore_range *r, size_t *lo, size_t *hi);
/* The same for a member interval (meaningful when all scores are equal, as in Redis). */
void zset_lex_span(const struct kv *z, const struct zlex_bound *min, const struct zlex_bound *max,
                   size_t *lo, size_t *hi);
/* Start at rank `rank` (counted from the top when rev). */
void zset_iter_init(struct zset_iter *it, const struct kv *z, size_t rank, int rev);
/* The next element: 1, or 0 at the end. */
int zset_iter_next(struct zset_iter *it, struct zelem *e);
/* As for sets: free, free effort, allocator bytes (a skiplist estimated from `samples`). */
void zset_free(int enc, void *ptr);
size_t zset_free_effort(int enc, const void *ptr);
size_t zset_memory(int enc, const void *ptr, long long samples);

#endif
