/* cmd_util — shorthands shared by the keyspace command files (cmd_keys, cmd_string, cmd_hash,
 * cmd_list, cmd_set, cmd_zset, cmd_bitmap, cmd_geo): argument access, the client's database,
 * the allocation-failure error, the typed key lookup and key creation every collection command
 * starts with, the raw string buffer in-place string writes need, the deletion of a collection
 * left empty, the index range of LRANGE and ZRANGE, the count argument of the POP commands, the
 * arguments of LMPOP/ZMPOP (and their blocking forms), the member removal SREM, ZREM and HDEL
 * share, and the storing of a computed result (ZUNIONSTORE, ZRANGESTORE, ...). */
#ifndef ZMEM_SERVER_CMD_UTIL_H
#define ZMEM_SERVER_CMD_UTIL_H

#include "client.h"
#include "config.h"
#include "db.h"
#include "pubsub.h"
#include "strpin.h"
#include "zmalloc.h"

#define ARGP(c, i) ((c)->argv[i].ptr)
#define ARGL(c, i) ((c)->argv[i].len)
#define CDB(c)     db_get((c)->db_id)

/* Keyspace notification of class type (NOTIFY_*) for key argv[i] in the client's database, sent
 * after the change it reports, with Redis's event name. */
static inline void
arg_notify(struct client *c, int type, const char *event, int i)
{
    notify_keyspace_event(type, event, c->db_id, ARGP(c, i), ARGL(c, i));
}

/* The same for the key of live entry e. */
static inline void
kv_notify(struct client *c, int type, const char *event, const struct kv *e)
{
    size_t klen;
    const char *key = kv_key(e, &klen);
    notify_keyspace_event(type, event, c->db_id, key, klen);
}

/* A command whose allocation failed answers this and leaves the keyspace as it was. */
#define ERR_ALLOC "OOM not enough memory to store the value"

/* The value at key argv[i] if it is of type `type` (OBJ_*). NULL when the key is missing
 * (*wrongtype 0), or NULL with *wrongtype 1 after the WRONGTYPE reply. `write` picks
 * db_lookup_write (the command may change the value) over db_lookup_read. */
static inline struct kv *
arg_lookup_type(struct client *c, int i, int type, int write, int *wrongtype)
{
    struct db *db = CDB(c);
    struct kv *e = write ? db_lookup_write(db, ARGP(c, i), ARGL(c, i))
                         : db_lookup_read(db, ARGP(c, i), ARGL(c, i));
    *wrongtype = e && kv_type(e) != type;
    if (*wrongtype) {
        reply_error_wrongtype(c);
        return NULL;
    }
    return e;
}

/* Add the new value v at the absent key argv[i], without expire. When that fails v is freed,
 * ERR_ALLOC is replied and NULL returned. */
static inline struct kv *
arg_add_val(struct client *c, int i, struct val *v)
{
    struct kv *e = db_add(CDB(c), ARGP(c, i), ARGL(c, i), v, -1);
    if (e == NULL) {
        val_free(v->enc, v->ptr);
        reply_error(c, ERR_ALLOC);
    }
    return e;
}

/* Make string entry e's value a raw buffer with room for at least need bytes (APPEND,
 * SETRANGE, the bit commands write into it in place). An int or embstr value is copied out
 * first. Returns the buffer, with *ep updated if the entry moved; NULL on allocation failure
 * (the entry unchanged). */
static inline struct str *
kv_raw_reserve(struct db *db, struct kv **ep, size_t need)
{
    struct kv *e = *ep;
    if (e->enc == ENC_RAW && strpin_is_pinned(kv_ptr(e))) {
        /* A reply still owes these bytes: write into a copy; the old buffer goes with the
         * reply (val_free of a pinned buffer leaves it to its last pin). */
        struct str *old = kv_ptr(e);
        size_t cap = need > old->len ? need : old->len;
        struct str *ns = str_new(old->buf, old->len, cap);
        if (ns == NULL)
            return NULL;
        kv_set_ptr(e, ns);
        val_free(ENC_RAW, old);
        return ns;
    }
    if (e->enc == ENC_RAW) {
        struct str *s = str_reserve(kv_ptr(e), need);
        if (s)
            kv_set_ptr(e, s);
        return s;
    }
    char ibuf[24];
    size_t len;
    const char *old = kv_str(e, &len, ibuf);
    struct str *ns = str_new(old, len, need < (1 << 20) ? need * 2 : need + (1 << 20));
    if (ns == NULL)
        return NULL;
    struct val v = {.enc = ENC_RAW, .ptr = ns};
    struct kv *ne = db_rebuild(db, e, &v, kv_expire(e));
    if (ne == NULL) {
        zfree(ns);
        return NULL;
    }
    *ep = ne;
    return ns;
}

/* Delete the collection e once len(e) (hash_len, list_len, set_len, zset_len) says it is
 * empty: a write that failed before adding anything, or took the last element, must not
 * leave an empty key behind, as Redis never keeps one. */
static inline void
drop_if_empty(struct client *c, struct kv *e, size_t (*len)(const struct kv *))
{
    if (len(e) == 0) {
        size_t klen;
        const char *key = kv_key(e, &klen);
        /* "del" follows the command's own event, as in Redis; sent while the key is alive. */
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db_id, key, klen);
        db_delete_kv(CDB(c), e, FREE_SYNC);
    }
}

/* Store r, a collection built outside the keyspace (kv_build with an empty key), at key
 * argv[i], replacing what is there, and reply its length len(r); r is consumed. An empty or
 * absent result (r NULL) deletes the key instead and replies 0, as Redis keeps no empty key. */
static inline void
arg_store_result(struct client *c, int i, struct kv *r, size_t (*len)(const struct kv *),
                 int nclass, const char *event)
{
    struct db *db = CDB(c);
    if (r == NULL || len(r) == 0) {
        if (r)
            kv_free(r);
        if (db_delete(db, ARGP(c, i), ARGL(c, i), FREE_SYNC))
            arg_notify(c, NOTIFY_GENERIC, "del", i);
        reply_int(c, 0);
        return;
    }
    long long n = (long long)len(r);
    struct val v;
    kv_get_val(r, &v);
    if (db_set(db, ARGP(c, i), ARGL(c, i), &v, -1, 0) < 0) {
        kv_free(r);
        reply_error(c, ERR_ALLOC);
        return;
    }
    kv_free_shell(r);
    arg_notify(c, nclass, event, i);
    reply_int(c, n);
}

/* Redis's index range (LRANGE, ZRANGE, ZREMRANGEBYRANK): start and end inclusive, negative
 * counted from the end, clamped to a sequence of len elements. 0 with the range as
 * [*from, *from + *n), or -1 when it is empty. */
static inline int
clamp_ranks(long long start, long long end, size_t len, size_t *from, size_t *n)
{
    long long l = (long long)len;
    if (start < 0)
        start += l;
    if (end < 0)
        end += l;
    if (start < 0)
        start = 0;
    if (start > end || start >= l)
        return -1;
    if (end >= l)
        end = l - 1;
    *from = (size_t)start;
    *n = (size_t)(end - start + 1);
    return 0;
}

/* The optional count argument of LPOP/RPOP, SPOP and ZPOPMIN/ZPOPMAX at argv[2] (the caller
 * has refused more arguments): 0 with *count (-1 when there is none), or -1 after the
 * out-of-range error for a count that is not a non-negative integer. */
static inline int
arg_pop_count(struct client *c, long long *count)
{
    *count = -1;
    if (c->argc == 3 && (arg_ll(c, 2, count) < 0 || *count < 0)) {
        reply_error(c, "ERR value is out of range, must be positive");
        return -1;
    }
    return 0;
}

/* The arguments of LMPOP and ZMPOP (and BLMPOP, BZMPOP): numkeys at argv[at], the keys, one of
 * the two words w0 / w1 (LEFT/RIGHT, MIN/MAX; *which 0 or 1), then an optional COUNT. 0 with
 * *numkeys and *count (1 when absent), or -1 after Redis 7.0's error reply. */
static inline int
arg_mpop(struct client *c, int at, const char *w0, const char *w1, long long *numkeys, int *which,
         long long *count)
{
    *count = 1;
    if (arg_ll(c, at, numkeys) < 0 || *numkeys <= 0) {
        reply_error(c, "ERR numkeys should be greater than 0");
        return -1;
    }
    /* Too few arguments for numkeys keys and the word is a syntax error, as in Redis. */
    int j = *numkeys < c->argc ? at + 1 + (int)*numkeys : c->argc, has_count = 0;
    if (arg_is(c, j, w0) || arg_is(c, j, w1)) {
        *which = arg_is(c, j, w1);
    } else {
        reply_error_syntax(c);
        return -1;
    }
    for (j++; j < c->argc; j++) {
        if (!has_count && arg_is(c, j, "count") && j + 1 < c->argc) {
            j++;
            if (arg_ll(c, j, count) < 0 || *count <= 0) {
                reply_error(c, "ERR count should be greater than 0");
                return -1;
            }
            has_count = 1;
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* SREM, ZREM and HDEL: remove the members argv[2..] from the collection of `type` at argv[1]
 * with del() (1 when the member was there) and reply how many were removed. The key is deleted
 * as soon as len() says it is empty. */
static inline void
arg_del_members(struct client *c, int type, int (*del)(struct kv *, const char *, size_t),
                size_t (*len)(const struct kv *), int nclass, const char *event)
{
    int wt, deleted = 0;
    struct kv *e = arg_lookup_type(c, 1, type, 1, &wt);
    long long n = 0;
    if (wt)
        return;
    for (int j = 2; e && j < c->argc; j++) {
        n += del(e, ARGP(c, j), ARGL(c, j));
        if (len(e) == 0) {
            db_delete_kv(CDB(c), e, FREE_SYNC);
            deleted = 1;
            break;
        }
    }
    if (n > 0)
        arg_notify(c, nclass, event, 1);
    if (deleted)
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
    reply_int(c, n);
}

#endif
