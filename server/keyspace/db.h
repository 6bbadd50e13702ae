/* db — the keyspace: the numbered databases, their keys and expiry times, lookups with lazy
 * expiry, the ways to add, change and delete keys, and the per-database memory overhead
 * figures INFO and MEMORY STATS report. */
#ifndef ZMEM_SERVER_DB_H
#define ZMEM_SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "object.h"

/* Keyspace counters (INFO stats), owned by db/evict/expire; CONFIG RESETSTAT zeroes them. */
struct keyspace_stats {
    uint64_t expired_keys;
    uint64_t evicted_keys;
    uint64_t keyspace_hits;
    uint64_t keyspace_misses;
    uint64_t expired_time_cap_reached_count;
    uint64_t expire_cycle_cpu_milliseconds;
    double expired_stale_perc;
    uint64_t total_eviction_exceeded_time; /* ms spent over maxmemory */
};

/* Create the databases (count = config "databases"). Returns 0 or -1. */
int db_setup(int count);
/* Free every database and key (synchronously). */
void db_teardown(void);
/* Number of databases. */
int db_count(void);
/* Database by index, NULL if out of range. */
struct db *db_get(int id);

/* Keys in a database, keys with an expiry, and the active-expire cycle's average TTL (ms). */
size_t db_size(const struct db *db);
size_t db_expires_size(const struct db *db);
long long db_avg_ttl(const struct db *db);
/* Memory the hash tables of a database cost beyond keys and values (MEMORY STATS db.N:
 * overhead.hashtable.main / .expires), in allocator bytes. */
size_t db_overhead_main(const struct db *db);
size_t db_overhead_expires(const struct db *db);

/* MEMORY USAGE: bytes used by key and its value (allocator sizes: key, value, entry), values
 * with many elements estimated from `samples` of them (0: all). No expiry check, no LRU touch,
 * no hit/miss accounting. Returns -1 when the key does not exist. */
long long db_memory_usage(struct db *db, const char *key, size_t keylen, long long samples);

/* Called from the server cron (hz times a second): active expiry, bounded in time. Returns the
 * expire cycle's duration in microseconds (see expire_cycle()). */
int64_t db_cron(void);

/* Counters. */
struct keyspace_stats *keyspace_stats(void);

/* ---- Keys ---- */

struct db {
    int id;
    struct dict keys;
    /* The "expires table": every key with a TTL, each entry knowing its own index, so adding,
     * removing and uniform random sampling are O(1) and it costs 8 bytes per volatile key. */
    struct kv **vol;
    size_t vol_count, vol_cap;
    size_t vol_cursor;    /* where the active expire cycle goes on */
    long long avg_ttl;    /* ms, running estimate from the expire cycle's samples */
    struct dict *watched; /* WATCHed keys (watch.c), NULL while none: no memory when unused */
};

/* db_lookup flags. */
#define LOOKUP_NOTOUCH  1 /* don't update the LRU/LFU field */
#define LOOKUP_NOSTATS  2 /* don't count a keyspace hit or miss */
#define LOOKUP_NONOTIFY 4 /* a miss raises no "keymiss" event (OBJECT, as in Redis) */

/* db_set flags. */
#define SET_KEEPTTL 1

/* Lazy free modes for deletes. */
#define FREE_SYNC 0
#define FREE_LAZY 1 /* a large value may go to the lazy free thread */

/* Keyspace notifications raised down here: "expired" (lazy and active expiry), "evicted"
 * (evict.c) and "new" (a key added). type is a NOTIFY_* class (config.h). The keyspace room
 * cannot reach the pub/sub tables, so main points this at core's publisher; NULL: none. */
extern void (*keyspace_event_hook)(int type, const char *event, struct db *db, const char *key,
                                   size_t klen);
/* Raise one through keyspace_event_hook, if set. */
void keyspace_event(int type, const char *event, struct db *db, const char *key, size_t klen);

/* Current time for expiry decisions (unix ms). */
int64_t db_now_ms(void);

/* Find a live key: an expired one is deleted on the way (counted in expired_keys) and not
 * returned. Counts a hit or miss and touches the LRU/LFU field unless flags say not to. */
struct kv *db_lookup(struct db *db, const char *key, size_t klen, int flags);
/* Read lookup (stats, touch) and write lookup (touch, no stats). */
static inline struct kv *
db_lookup_read(struct db *db, const char *key, size_t klen)
{
    return db_lookup(db, key, klen, 0);
}
static inline struct kv *
db_lookup_write(struct db *db, const char *key, size_t klen)
{
    return db_lookup(db, key, klen, LOOKUP_NOSTATS);
}
/* 1 when key is present but past its expiry time (not yet deleted); no side effects. */
int db_is_stale(struct db *db, const char *key, size_t klen);
/* The entry as stored, expired or not; no side effects (MEMORY USAGE, tests). */
struct kv *db_peek(struct db *db, const char *key, size_t klen);

/* Call fn(db, key, klen) after every key added to a database (NULL: nobody). Blocking commands
 * use it to learn that a key they wait on may now hold a value. */
void db_set_key_added_hook(void (*fn)(struct db *db, const char *key, size_t klen));
/* Observers of changes above the keyspace (client tracking in core), NULL: none. The modified
 * hook hears of every key added, changed, deleted, expired or evicted through this file (for a
 * deletion, before the entry is freed); the flush hook of every db_flush(), before it empties
 * db. */
void db_set_modified_hook(void (*fn)(struct db *db, const char *key, size_t klen));
void db_set_flush_hook(void (*fn)(struct db *db, int async));
/* 1 when WATCH or the modified hook is listening for changes to db's keys. */
int db_changes_observed(const struct db *db);
/* The dispatcher's after-the-fact signal for a key a write command may have changed in place:
 * WATCH once per command (watch_touch_key_once) and the modified hook when the key is present. */
void db_signal_written(struct db *db, const char *key, size_t klen);
/* Add a key that is known to be absent, with value v and expiry (-1: none). Returns the new
 * entry, or NULL on allocation failure (v's object then still belongs to the caller). */
struct kv *db_add(struct db *db, const char *key, size_t klen, const struct val *v, int64_t expire);
/* Insert a prebuilt entry whose key is absent. 0, or -1 when the expires array could not grow
 * (the entry is then still the caller's). */
int db_insert_kv(struct db *db, struct kv *e);
/* Set key to v, replacing any value (freed), with expiry `expire` (-1: none) or, with
 * SET_KEEPTTL, the key's current one. 0, or -1 on allocation failure (nothing changed). */
int db_set(struct db *db, const char *key, size_t klen, const struct val *v, int64_t expire,
           int flags);
/* Rebuild live entry e around a new value and expiry (-1: none), freeing the old value unless
 * it is v's own object. Returns the new entry (e is gone), or NULL on failure (e intact). */
struct kv *db_rebuild(struct db *db, struct kv *e, const struct val *v, int64_t expire);
/* Delete a key: 1 if it existed. mode FREE_LAZY lets big values go to the lazy free thread. */
int db_delete(struct db *db, const char *key, size_t klen, int mode);
/* Delete a live entry. */
void db_delete_kv(struct db *db, struct kv *e, int mode);
/* Take a key out of the database without freeing it (RENAME); NULL if absent. */
struct kv *db_unlink(struct db *db, const char *key, size_t klen);
/* Give e an expiry (unix ms) or, with when < 0, remove it. May move e (updates *e).
 * 0, or -1 on allocation failure. */
int db_set_expire(struct db *db, struct kv **e, int64_t when);
/* Swap the contents of two databases (SWAPDB), flagging the WATCHers of keys that change.
 * 0, or -1 when an index is out of range. */
int db_swap(int id1, int id2);
/* CLIENT PAUSE in force (1) or over (0): while on, the expire cycle and eviction do nothing and
 * lookups treat a key past its TTL as missing without deleting it, as Redis does. */
void db_set_frozen(int on);
int db_frozen(void);
/* Remove every key; async hands them to the lazy free thread. */
void db_flush(struct db *db, int async);
/* A random live key, NULL when the database is empty. */
struct kv *db_random(struct db *db);
/* An expired entry found by the expire cycle: delete it and count it. */
void db_expire_kv(struct db *db, struct kv *e);

#endif
