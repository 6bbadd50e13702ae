/* db.c — the numbered databases: lookups with lazy expiry, adding, replacing and deleting
 * keys, the expires array, flushing, and the counters and overhead figures of db.h. */
#include "db.h"

#include <string.h>
#include <sys/random.h>

#include "memcat.h"
#include "config.h"
#include "evict.h"
#include "expire.h"
#include "lazyfree.h"
#include "util.h"
#include "watch.h"
#include "zmalloc.h"

static struct db *dbs;
static int ndbs;
static struct keyspace_stats kstats;

/* ---- Setup ---- */

int
db_setup(int count)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    uint8_t seed[16];
    if (count < 1)
        return -1;
    if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed))
        dict_seed(seed);
    uint64_t rs;
    if (getrandom(&rs, sizeof(rs), 0) == (ssize_t)sizeof(rs))
        dict_rand_seed(rs);
    dbs = zcalloc_n((size_t)count, sizeof(*dbs));
    ndbs = count;
    for (int i = 0; i < count; i++) {
        dbs[i].id = i;
        dict_init(&dbs[i].keys, kv_dict_key);
    }
    evict_setup();
    return 0;
}

void
db_teardown(void)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    for (int i = 0; i < ndbs; i++)
        db_flush(&dbs[i], 0);
    zfree(dbs);
    dbs = NULL;
    ndbs = 0;
    evict_teardown();
}

int
db_count(void)
{
    return ndbs;
}

struct db *
db_get(int id)
{
    return id >= 0 && id < ndbs ? &dbs[id] : NULL;
}

struct keyspace_stats *
keyspace_stats(void)
{
    return &kstats;
}

/* ---- Figures ---- */

size_t
db_size(const struct db *db)
{
    return dict_size(&db->keys);
}

size_t
db_expires_size(const struct db *db)
{
    return db->vol_count;
}

long long
db_avg_ttl(const struct db *db)
{
    return db->vol_count ? db->avg_ttl : 0;
}

/* The entry headers (link, clock, encoding, key length) and the bucket tables are what the
 * keyspace costs beyond the bytes of keys and values. */
size_t
db_overhead_main(const struct db *db)
{
    return dict_table_memory(&db->keys) + dict_size(&db->keys) * sizeof(struct kv);
}

size_t
db_overhead_expires(const struct db *db)
{
    return (db->vol ? zmalloc_size(db->vol) : 0) + db->vol_count * KV_VOL_BYTES;
}

long long
db_memory_usage(struct db *db, const char *key, size_t keylen, long long samples)
{
    struct kv *e = db_peek(db, key, keylen);
    return e ? (long long)kv_memory(e, samples) : -1;
}

/* ---- The expires array ---- */

/* Make room for one more volatile key. */
static int
vol_reserve(struct db *db)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    if (db->vol_count < db->vol_cap)
        return 0;
    size_t cap = db->vol_cap ? db->vol_cap * 2 : 4;
    struct kv **nv = ztryrealloc(db->vol, cap * sizeof(*nv));
    if (nv == NULL)
        return -1;
    db->vol = nv;
    db->vol_cap = cap;
    return 0;
}

static void
vol_add(struct db *db, struct kv *e) /* after vol_reserve() */
{
    kv_set_vidx(e, (uint32_t)db->vol_count);
    db->vol[db->vol_count++] = e;
}

static void
vol_remove_idx(struct db *db, uint32_t idx)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct kv *last = db->vol[--db->vol_count];
    if (idx != db->vol_count) {
        /* Move the last one into the hole. Never write the leaving entry: SET may be
         * rewriting it in place without a TTL, and those bytes are its value by now. */
        db->vol[idx] = last;
        kv_set_vidx(last, idx);
    }
    if (db->vol_count == 0) {
        zfree(db->vol); /* no volatile keys, no memory: back to the baseline */
        db->vol = NULL;
        db->vol_cap = 0;
        db->vol_cursor = 0;
    } else if (db->vol_cap > 16 && db->vol_count < db->vol_cap / 4) {
        db->vol_cap /= 2;
        db->vol = zrealloc(db->vol, db->vol_cap * sizeof(*db->vol));
    }
}

/* ---- WATCH and the other observers of changes ---- */

/* The observers above the keyspace (client tracking): NULL while nobody needs them, so an
 * unobserved change costs one pointer test. */
static void (*modified_hook)(struct db *db, const char *key, size_t klen);
static void (*flush_hook)(struct db *db, int async);

void
db_set_modified_hook(void (*fn)(struct db *db, const char *key, size_t klen))
{
    modified_hook = fn;
}

void
db_set_flush_hook(void (*fn)(struct db *db, int async))
{
    flush_hook = fn;
}

int
db_changes_observed(const struct db *db)
{
    return db->watched != NULL || modified_hook != NULL;
}

/* Every change to a key goes through here so WATCH (watch.c) and the modified hook see it.
 * Two pointer tests when nothing observes changes. */
static inline void
touched(struct db *db, const char *key, size_t klen)
{
    if (db->watched)
        watch_touch_key(db, key, klen);
    if (modified_hook)
        modified_hook(db, key, klen);
}

static inline void
touched_kv(struct db *db, const struct kv *e)
{
    if (db->watched || modified_hook) {
        size_t klen;
        const char *key = kv_key(e, &klen);
        touched(db, key, klen);
    }
}

void
db_signal_written(struct db *db, const char *key, size_t klen)
{
    if (db->watched)
        watch_touch_key_once(db, key, klen);
    /* An absent key was deleted (already signalled) or never there: nothing to tell. The
     * tracking table forgets a key once it is invalidated, so a second signal for a key the
     * command already changed through db.c finds nobody to tell. */
    if (modified_hook && db_peek(db, key, klen) != NULL)
        modified_hook(db, key, klen);
}

/* ---- Lookups ---- */

/* Set while CLIENT PAUSE lasts: expiry and eviction leave the dataset alone. */
static int frozen;

void
db_set_frozen(int on)
{
    frozen = on;
}

int
db_frozen(void)
{
    return frozen;
}

int64_t
db_now_ms(void)
{
    return wall_ms();
}

static inline int
is_expired(const struct kv *e)
{
    return (e->flags & KV_VOLATILE) && kv_expire(e) <= db_now_ms();
}

/* Remove the entry at pos from the dict and the expires array (not freed). */
static struct kv *
unlink_at(struct db *db, struct dict_pos *pos)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct kv *e = (struct kv *)dict_pos_remove(&db->keys, pos);
    if (e->flags & KV_VOLATILE)
        vol_remove_idx(db, kv_vidx(e));
    return e;
}

void (*keyspace_event_hook)(int type, const char *event, struct db *db, const char *key,
                            size_t klen);

void
keyspace_event(int type, const char *event, struct db *db, const char *key, size_t klen)
{
    if (keyspace_event_hook)
        keyspace_event_hook(type, event, db, key, klen);
}

/* An expired entry is going: tell subscribers before its key is freed. */
static void
notify_expired(struct db *db, const struct kv *e)
{
    size_t klen;
    const char *key = kv_key(e, &klen);
    keyspace_event(NOTIFY_EXPIRED, "expired", db, key, klen);
}

struct kv *
db_lookup(struct db *db, const char *key, size_t klen, int flags)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    struct kv *e = NULL;
    if (dict_lookup(&db->keys, key, klen, dict_hash(key, klen), &pos)) {
        e = (struct kv *)dict_pos_node(&pos);
        if (is_expired(e) && frozen) {
            e = NULL; /* CLIENT PAUSE: gone for the reader, deleted once the pause ends */
        } else if (is_expired(e)) {
            e = unlink_at(db, &pos);
            notify_expired(db, e);
            kv_free(e);
            kstats.expired_keys++;
            touched(db, key, klen);
            e = NULL;
        }
    }
    if (!(flags & LOOKUP_NOSTATS)) {
        if (e)
            kstats.keyspace_hits++;
        else {
            kstats.keyspace_misses++;
            /* Redis raises "keymiss" where it counts a miss: read lookups. */
            if (!(flags & LOOKUP_NONOTIFY))
                keyspace_event(NOTIFY_KEY_MISS, "keymiss", db, key, klen);
        }
    }
    if (e && !(flags & LOOKUP_NOTOUCH))
        evict_touch(e);
    return e;
}

struct kv *
db_peek(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    return (struct kv *)dict_find(&db->keys, key, klen, dict_hash(key, klen));
}

int
db_is_stale(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct kv *e = db_peek(db, key, klen);
    return e && is_expired(e);
}

/* ---- Changes ---- */

static void (*key_added_hook)(struct db *db, const char *key, size_t klen);

void
db_set_key_added_hook(void (*fn)(struct db *db, const char *key, size_t klen))
{
    key_added_hook = fn;
}

int
db_insert_kv(struct db *db, struct kv *e)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    if (frozen) {
        /* A read during the pause may have hidden a stale key it did not delete: it goes
         * now, so the key is never in the table twice. */
        size_t kl;
        const char *k = kv_key(e, &kl);
        struct kv *old = db_peek(db, k, kl);
        if (old)
            db_expire_kv(db, old);
    }
    if ((e->flags & KV_VOLATILE) && vol_reserve(db) < 0)
        return -1;
    size_t klen;
    const char *key = kv_key(e, &klen);
    dict_insert(&db->keys, &e->node, dict_hash(key, klen));
    if (e->flags & KV_VOLATILE)
        vol_add(db, e);
    touched(db, key, klen);
    keyspace_event(NOTIFY_NEW, "new", db, key, klen);
    if (key_added_hook)
        key_added_hook(db, key, klen);
    return 0;
}

struct kv *
db_add(struct db *db, const char *key, size_t klen, const struct val *v, int64_t expire)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct kv *e = kv_build(key, klen, v, expire);
    if (e == NULL)
        return NULL;
    e->lru = evict_new_lru();
    if (db_insert_kv(db, e) < 0) {
        kv_free_shell(e);
        return NULL;
    }
    return e;
}

/* Put ne where old was (same key, found at pos), moving the expires slot along. */
static void
swap_in(struct db *db, struct dict_pos *pos, struct kv *old, struct kv *ne, int old_vol,
        uint32_t idx)
{
    if (ne != old)
        dict_pos_replace(pos, &ne->node);
    int new_vol = ne->flags & KV_VOLATILE;
    if (old_vol && new_vol) {
        kv_set_vidx(ne, idx);
        db->vol[idx] = ne;
    } else if (old_vol) {
        vol_remove_idx(db, idx);
    } else if (new_vol) {
        vol_add(db, ne); /* reserved by the caller */
    }
}

int
db_set(struct db *db, const char *key, size_t klen, const struct val *v, int64_t expire, int flags)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    if (!dict_lookup(&db->keys, key, klen, dict_hash(key, klen), &pos)) {
        if (flags & SET_KEEPTTL)
            expire = -1;
        return db_add(db, key, klen, v, expire) ? 0 : -1;
    }
    struct kv *old = (struct kv *)dict_pos_node(&pos);
    int old_vol = old->flags & KV_VOLATILE;
    if (flags & SET_KEEPTTL)
        expire = kv_expire(old);
    if (expire >= 0 && !old_vol && vol_reserve(db) < 0)
        return -1;
    size_t need = kv_needed(klen, v, expire >= 0);
    int old_enc = old->enc;
    void *old_ptr = old_enc >= ENC_RAW ? kv_ptr(old) : NULL;
    uint32_t idx = old_vol ? kv_vidx(old) : 0;
    struct kv *ne;
    if (enc_type(old_enc) == enc_type(v->enc) && zmalloc_size_for(need) == zmalloc_size(old)) {
        /* Same type and size class: rewrite in place, no allocator round trip (SET on a hot
         * key). Not across types: the entry counts in its type's memory category. */
        kv_write(old, key, klen, v, expire);
        ne = old;
    } else {
        ne = kv_build(key, klen, v, expire);
        if (ne == NULL)
            return -1;
    }
    if (old_ptr && old_ptr != v->ptr)
        val_free(old_enc, old_ptr);
    ne->lru = evict_new_lru();
    swap_in(db, &pos, old, ne, old_vol, idx);
    if (ne != old)
        kv_free_shell(old);
    touched(db, key, klen);
    return 0;
}

/* Find the dict position of a live entry. */
static void
pos_of(struct db *db, struct kv *e, struct dict_pos *pos)
{
    size_t klen;
    const char *key = kv_key(e, &klen);
    int found = dict_lookup(&db->keys, key, klen, dict_hash(key, klen), pos);
    (void)found; /* e is in the dict by contract */
}

struct kv *
db_rebuild(struct db *db, struct kv *e, const struct val *v, int64_t expire)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    int old_vol = e->flags & KV_VOLATILE;
    if (expire >= 0 && !old_vol && vol_reserve(db) < 0)
        return NULL;
    size_t klen;
    const char *key = kv_key(e, &klen);
    struct kv *ne = kv_build(key, klen, v, expire);
    if (ne == NULL)
        return NULL;
    ne->lru = e->lru;
    if (e->enc >= ENC_RAW && kv_ptr(e) != v->ptr)
        val_free(e->enc, kv_ptr(e));
    struct dict_pos pos;
    pos_of(db, e, &pos);
    swap_in(db, &pos, e, ne, old_vol, old_vol ? kv_vidx(e) : 0);
    kv_free_shell(e);
    touched_kv(db, ne);
    return ne;
}

int
db_set_expire(struct db *db, struct kv **ep, int64_t when)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct kv *e = *ep;
    if ((e->flags & KV_VOLATILE) && when >= 0) {
        kv_set_expire(e, when); /* already has the room */
        touched_kv(db, e);
        return 0;
    }
    if (!(e->flags & KV_VOLATILE) && when < 0)
        return 0;
    struct val v;
    kv_get_val(e, &v);
    struct kv *ne = db_rebuild(db, e, &v, when);
    if (ne == NULL)
        return -1;
    *ep = ne;
    return 0;
}

void
db_delete_kv(struct db *db, struct kv *e, int mode)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    pos_of(db, e, &pos);
    if (modified_hook) {
        /* Told before the entry (and its key bytes) can go; it only needs the name. */
        size_t klen;
        const char *key = kv_key(e, &klen);
        modified_hook(db, key, klen);
    }
    if (db->watched) {
        /* The key bytes live in e, which may be freed at once: copy them first. */
        size_t klen;
        const char *key = kv_key(e, &klen);
        char *copy = zmalloc(klen ? klen : 1);
        memcpy(copy, key, klen);
        lazyfree_kv(unlink_at(db, &pos), mode == FREE_LAZY);
        watch_touch_key(db, copy, klen);
        zfree(copy);
        return;
    }
    lazyfree_kv(unlink_at(db, &pos), mode == FREE_LAZY);
}

void
db_expire_kv(struct db *db, struct kv *e)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    pos_of(db, e, &pos);
    e = unlink_at(db, &pos);
    notify_expired(db, e);
    touched_kv(db, e); /* a WATCH on it fails, as for any other deletion */
    lazyfree_kv(e, 0);
    kstats.expired_keys++;
}

int
db_delete(struct db *db, const char *key, size_t klen, int mode)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    if (!dict_lookup(&db->keys, key, klen, dict_hash(key, klen), &pos))
        return 0;
    struct kv *e = unlink_at(db, &pos);
    int live = !is_expired(e);
    if (!live) {
        kstats.expired_keys++; /* it was already gone for the client */
        notify_expired(db, e);
    }
    lazyfree_kv(e, mode == FREE_LAZY);
    touched(db, key, klen);
    return live;
}

struct kv *
db_unlink(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    struct dict_pos pos;
    if (!dict_lookup(&db->keys, key, klen, dict_hash(key, klen), &pos))
        return NULL;
    struct kv *e = unlink_at(db, &pos);
    touched(db, key, klen);
    return e;
}

static void
free_node(struct dict_node *n, void *ctx)
{
    kv_free((struct kv *)n);
}

void
db_flush(struct db *db, int async)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    if (db->watched)
        watch_touch_db(db); /* before: it needs to see which watched keys are there */
    if (flush_hook)
        flush_hook(db, async);
    if (async && dict_size(&db->keys) > 0) {
        struct dict *d = dict_create(kv_dict_key);
        *d = db->keys; /* the whole table goes to the lazy free thread */
        lazyfree_dict(d, db->vol, dict_size(&db->keys));
    } else {
        dict_clear(&db->keys, free_node, NULL);
        zfree(db->vol);
    }
    dict_init(&db->keys, kv_dict_key);
    db->vol = NULL;
    db->vol_count = db->vol_cap = db->vol_cursor = 0;
    db->avg_ttl = 0;
    evict_pool_clear();
}

struct kv *
db_random(struct db *db)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    /* Retry past expired keys, deleting them; if every key is volatile and expired they
     * would all go, so after 100 tries return one anyway, as Redis does. */
    for (int tries = 0;; tries++) {
        struct kv *e = (struct kv *)dict_random(&db->keys);
        if (e == NULL)
            return NULL;
        if (!is_expired(e))
            return e;
        if (tries >= 100 && db->vol_count == dict_size(&db->keys))
            return e;
        db_expire_kv(db, e);
    }
}

/* ---- Cron ---- */

int64_t
db_cron(void)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    evict_clock_update();
    int64_t expire_us = expire_cycle();
    /* Spend up to 1 ms per rehashing table so a big resize finishes even when idle. */
    for (int i = 0; i < ndbs; i++) {
        if (dict_is_rehashing(&dbs[i].keys))
            dict_rehash_us(&dbs[i].keys, 1000);
        else
            dict_shrink_if_needed(&dbs[i].keys);
    }
    if (config_get()->maxmemory)
        evict_make_room();
    return expire_us;
}

/* ---- SWAPDB ---- */

int
db_swap(int id1, int id2)
{
    struct db *a = db_get(id1), *b = db_get(id2);
    if (a == NULL || b == NULL)
        return -1;
    if (a == b)
        return 0;
    /* Watchers see the change first, while each key is still where they watch it. */
    watch_touch_swap(a, b);
    watch_touch_swap(b, a);
    /* The keys, their expiry times and the expire cycle's figures change places; who watches
     * or waits on which database stays. */
    struct dict keys = a->keys;
    struct kv **vol = a->vol;
    size_t vol_count = a->vol_count, vol_cap = a->vol_cap, vol_cursor = a->vol_cursor;
    long long avg_ttl = a->avg_ttl;
    a->keys = b->keys;
    a->vol = b->vol;
    a->vol_count = b->vol_count;
    a->vol_cap = b->vol_cap;
    a->vol_cursor = b->vol_cursor;
    a->avg_ttl = b->avg_ttl;
    b->keys = keys;
    b->vol = vol;
    b->vol_count = vol_count;
    b->vol_cap = vol_cap;
    b->vol_cursor = vol_cursor;
    b->avg_ttl = avg_ttl;
    evict_pool_clear(); /* its candidates name a database */
    return 0;
}
