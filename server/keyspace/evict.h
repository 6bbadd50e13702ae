/* evict — maxmemory eviction: the LRU clock and LFU counters kept in each entry, the
 * eviction pool, and freeing keys by the configured policy until used memory fits. */
#ifndef ZMEM_SERVER_EVICT_H
#define ZMEM_SERVER_EVICT_H

#include <stddef.h>
#include <stdint.h>

struct kv;

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

/* maxmemory: free memory by the configured policy until used memory is under maxmemory.
 * Returns 0 when under the limit (or no limit), -1 when it could not get there (the caller
 * then refuses CMD_DENYOOM commands with the OOM error). */
int evict_make_room(void);

#endif
