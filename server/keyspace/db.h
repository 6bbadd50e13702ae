/* db — the keyspace: the numbered databases, their keys and expiry times, lazy and active
 * expiry, and the per-database memory overhead figures INFO and MEMORY STATS report. */
#ifndef ZMEM_SERVER_DB_H
#define ZMEM_SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;

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

/* Called from the server cron (hz times a second): active expiry, bounded in time. */
void db_cron(void);

/* maxmemory: free memory by the configured policy until used memory is under maxmemory.
 * Returns 0 when under the limit (or no limit), -1 when it could not get there (the caller
 * then refuses CMD_DENYOOM commands with the OOM error). */
int evict_make_room(void);

/* Counters. */
struct keyspace_stats *keyspace_stats(void);

/* Lazy free (lazyfree.c): objects waiting for the background thread, and freed by it. */
size_t lazyfree_pending_objects(void);
uint64_t lazyfreed_objects(void);
void lazyfree_reset_stats(void);
/* Start / stop the background free thread. stop waits for the queue to drain. */
int lazyfree_setup(void);
void lazyfree_teardown(void);

#endif
