/* keyspace — the keyspace internals shared by db.c, expire.c, evict.c, lazyfree.c and the
 * command files: struct db, lookups with lazy expiry, and the ways to add, change and delete
 * keys. Other modules use db.h only. */
#ifndef ZMEM_SERVER_KEYSPACE_H
#define ZMEM_SERVER_KEYSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "dict.h"
#include "object.h"

struct db {
    int id;
    struct dict keys;
    /* The "expires table": every key with a TTL, each entry knowing its own index, so adding,
     * removing and uniform random sampling are O(1) and it costs 8 bytes per volatile key. */
    struct kv **vol;
    size_t vol_count, vol_cap;
    size_t vol_cursor; /* where the active expire cycle goes on */
    long long avg_ttl; /* ms, running estimate from the expire cycle's samples */
};

/* db_lookup flags. */
#define LOOKUP_NOTOUCH 1 /* don't update the LRU/LFU field */
#define LOOKUP_NOSTATS 2 /* don't count a keyspace hit or miss */

/* db_set flags. */
#define SET_KEEPTTL 1

/* Lazy free modes for deletes. */
#define FREE_SYNC 0
#define FREE_LAZY 1 /* a large value may go to the lazy free thread */

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
/* The entry as stored, expired or not; no side effects (MEMORY USAGE, tests). */
struct kv *db_peek(struct db *db, const char *key, size_t klen);

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
/* Remove every key; async hands them to the lazy free thread. */
void db_flush(struct db *db, int async);
/* A random live key, NULL when the database is empty. */
struct kv *db_random(struct db *db);
/* An expired entry found by the expire cycle: delete it and count it. */
void db_expire_kv(struct db *db, struct kv *e);

/* expire.c: one active expire cycle over the databases, bounded by a time budget. */
void expire_cycle(void);

/* evict.c: the LRU/LFU field. */
/* Allocate the eviction pool and start the LRU clock / free the pool. */
void evict_setup(void);
void evict_teardown(void);
/* Advance the LRU clock (seconds, 24 bits); called from the cron. */
void evict_clock_update(void);
/* The lru field of a new entry under the current policy (LRU clock, or LFU time + counter). */
uint32_t evict_new_lru(void);
/* Record an access to e: the LRU clock, or a decayed and maybe incremented LFU counter. */
void evict_touch(struct kv *e);
/* OBJECT IDLETIME (s) and FREQ (LFU counter after decay). */
unsigned long long evict_idle_seconds(const struct kv *e);
unsigned evict_lfu_freq(const struct kv *e);
/* Forget the eviction pool's candidates (FLUSH*). */
void evict_pool_clear(void);
/* Whether the LFU field format is in use (maxmemory-policy *-lfu). */
int evict_is_lfu(void);

/* lazyfree.c */
/* Free an entry and its value, in the background if async and its free effort is above 64. */
void lazyfree_kv(struct kv *e, int async);
/* Free a whole keyspace dict and expires array in the background (FLUSH* ASYNC). The dict
 * struct is the lazy free thread's from then on. */
void lazyfree_dict(struct dict *d, struct kv **vol, size_t keys);
/* Ask the lazy free thread to return free memory to the OS once the queue before it drains. */
void lazyfree_purge(void);

#endif
