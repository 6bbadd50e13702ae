/* evict.c — maxmemory: the LRU clock and LFU counter kept in each entry's 24-bit field, and
 * eviction by the configured policy. LRU, LFU and TTL policies sample maxmemory-samples keys
 * per database into a pool of the 16 best candidates seen so far, as Redis does; the random
 * policies pick any key (or any volatile key). */
#include "evict.h"

#include "memcat.h"
#include "db.h"

#include <limits.h>
#include <math.h>
#include <unistd.h>

#include "config.h"
#include "lazyfree.h"
#include "util.h"
#include "zmalloc.h"

#define POOL_SIZE      16
#define POOL_KEY_CACHE 255
#define LFU_INIT_VAL   5
#define SAMPLES_MAX    64

struct pool_ent {
    unsigned long long idle; /* bigger is a better victim */
    int used;
    int dbid;
    size_t klen;
    char *heap; /* the key when longer than the cache, else NULL */
    char cached[POOL_KEY_CACHE];
};

static struct pool_ent *pool;
static uint32_t lru_clock;
static int64_t over_since_ms;

/* How long one eviction pass may run, from maxmemory-eviction-tenacity as Redis reads it:
 * 50us a step up to 10 (500us, the default), then 15% more a step, unbounded at 100. */
static int64_t
evict_time_limit_us(void)
{
    int t = config_get()->maxmemory_eviction_tenacity;
    if (t <= 10)
        return 50 * (int64_t)t;
    if (t < 100)
        return (int64_t)(500.0 * pow(1.15, t - 10));
    return INT64_MAX;
}

/* ---- The 24-bit field ---- */

void
evict_clock_update(void)
{
    lru_clock = (uint32_t)(mono_ms() / 1000) & 0xFFFFFF;
}

static uint32_t
lfu_minutes(void)
{
    return (uint32_t)(mono_ms() / 60000) & 0xFFFF;
}

int
evict_is_lfu(void)
{
    int p = config_get()->maxmemory_policy;
    return p == MAXMEMORY_ALLKEYS_LFU || p == MAXMEMORY_VOLATILE_LFU;
}

uint32_t
evict_new_lru(void)
{
    if (evict_is_lfu())
        return (lfu_minutes() << 8) | LFU_INIT_VAL;
    return lru_clock;
}

/* The counter after subtracting one per decay period since the last access. */
static unsigned
lfu_decayed(const struct kv *e)
{
    uint32_t then = e->lru >> 8, counter = e->lru & 0xff;
    uint32_t elapsed = (lfu_minutes() - then) & 0xFFFF;
    int decay = config_get()->lfu_decay_time;
    uint32_t periods = decay > 0 ? elapsed / (uint32_t)decay : 0;
    return periods >= counter ? 0 : counter - periods;
}

unsigned
evict_lfu_freq(const struct kv *e)
{
    return lfu_decayed(e);
}

unsigned long long
evict_idle_seconds(const struct kv *e)
{
    return (lru_clock - e->lru) & 0xFFFFFF;
}

void
evict_touch(struct kv *e)
{
    if (!evict_is_lfu()) {
        e->lru = lru_clock;
        return;
    }
    /* Logarithmic counter: the more hits a key has, the less likely one more counts. */
    unsigned counter = lfu_decayed(e);
    if (counter < 255) {
        double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
        double p = 1.0 / (base * config_get()->lfu_log_factor + 1);
        double r = (double)(dict_rand64() >> 11) / (double)(1ULL << 53);
        if (r < p)
            counter++;
    }
    e->lru = (lfu_minutes() << 8) | counter;
}

/* ---- The pool ---- */

void
evict_setup(void)
{
    evict_clock_update();
    if (pool == NULL)
        pool = zcalloc_n(POOL_SIZE, sizeof(*pool));
}

static void
pool_slot_clear(struct pool_ent *p)
{
    zfree(p->heap);
    p->heap = NULL;
    p->used = 0;
}

void
evict_pool_clear(void)
{
    for (int i = 0; pool && i < POOL_SIZE; i++)
        pool_slot_clear(&pool[i]);
}

void
evict_teardown(void)
{
    evict_pool_clear();
    zfree(pool);
    pool = NULL;
}

static const char *
pool_key(const struct pool_ent *p)
{
    return p->heap ? p->heap : p->cached;
}

/* Keep the pool sorted by idle, ascending, used slots first... with the best at the right. */
static void
pool_insert(unsigned long long idle, int dbid, const char *key, size_t klen)
{
    int k = 0;
    while (k < POOL_SIZE && pool[k].used && pool[k].idle < idle)
        k++;
    if (k == 0 && pool[POOL_SIZE - 1].used)
        return; /* worse than everything in a full pool */
    if (k < POOL_SIZE && !pool[k].used) {
        /* an empty slot right where it belongs */
    } else if (!pool[POOL_SIZE - 1].used) {
        memmove(pool + k + 1, pool + k, (size_t)(POOL_SIZE - k - 1) * sizeof(*pool));
    } else {
        /* Full: drop the worst (leftmost) and shift the lower part left. */
        k--;
        zfree(pool[0].heap);
        memmove(pool, pool + 1, (size_t)k * sizeof(*pool));
    }
    struct pool_ent *p = &pool[k];
    p->heap = NULL;
    if (klen > POOL_KEY_CACHE) {
        p->heap = ztrymalloc(klen);
        if (p->heap == NULL) {
            p->used = 0;
            return;
        }
        memcpy(p->heap, key, klen);
    } else {
        memcpy(p->cached, key, klen);
    }
    p->used = 1;
    p->idle = idle;
    p->dbid = dbid;
    p->klen = klen;
}

static unsigned long long
score(const struct kv *e, int policy)
{
    switch (policy) {
    case MAXMEMORY_ALLKEYS_LFU:
    case MAXMEMORY_VOLATILE_LFU:
        return 255 - lfu_decayed(e);
    case MAXMEMORY_VOLATILE_TTL:
        return ULLONG_MAX - (unsigned long long)kv_expire(e);
    default:
        return evict_idle_seconds(e) * 1000;
    }
}

static int
is_volatile_policy(int p)
{
    return p == MAXMEMORY_VOLATILE_LRU || p == MAXMEMORY_VOLATILE_LFU ||
           p == MAXMEMORY_VOLATILE_RANDOM || p == MAXMEMORY_VOLATILE_TTL;
}

/* Sample every database into the pool; returns how many keys were looked at. */
static size_t
pool_populate(int policy, int samples)
{
    struct dict_node *picked[SAMPLES_MAX];
    size_t total = 0;
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        size_t n;
        if (is_volatile_policy(policy)) {
            n = 0;
            for (int s = 0; s < samples && db->vol_count; s++)
                picked[n++] = &db->vol[dict_rand64() % db->vol_count]->node;
        } else {
            n = dict_sample(&db->keys, picked, (size_t)samples);
        }
        for (size_t j = 0; j < n; j++) {
            const struct kv *e = (const struct kv *)picked[j];
            size_t klen;
            const char *key = kv_key(e, &klen);
            pool_insert(score(e, policy), i, key, klen);
        }
        total += n;
    }
    return total;
}

/* The best victim: the pool's rightmost key that still exists. */
static struct kv *
pick_from_pool(int policy, int samples, struct db **dbp)
{
    for (int round = 0; round < 4; round++) {
        if (pool_populate(policy, samples) == 0)
            return NULL;
        for (int k = POOL_SIZE - 1; k >= 0; k--) {
            if (!pool[k].used)
                continue;
            struct db *db = db_get(pool[k].dbid);
            struct kv *e = db ? db_peek(db, pool_key(&pool[k]), pool[k].klen) : NULL;
            pool_slot_clear(&pool[k]);
            if (e && (!is_volatile_policy(policy) || (e->flags & KV_VOLATILE))) {
                *dbp = db;
                return e;
            }
        }
    }
    return NULL;
}

static struct kv *
pick_random(int policy, struct db **dbp)
{
    static int next_db;
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(next_db++ % db_count());
        struct kv *e = NULL;
        if (policy == MAXMEMORY_ALLKEYS_RANDOM)
            e = (struct kv *)dict_random(&db->keys);
        else if (db->vol_count)
            e = db->vol[dict_rand64() % db->vol_count];
        if (e) {
            *dbp = db;
            return e;
        }
    }
    return NULL;
}

/* Used memory as maxmemory sees it: everything (nothing is exempt in zmem). */
static size_t
used_for_eviction(void)
{
    return zmalloc_used_memory();
}

static void
track_exceeded(int over)
{
    int64_t now = mono_ms();
    if (over && over_since_ms == 0) {
        over_since_ms = now;
    } else if (!over && over_since_ms) {
        keyspace_stats()->total_eviction_exceeded_time += (uint64_t)(now - over_since_ms);
        over_since_ms = 0;
    }
}

int
evict_make_room(void)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    const struct config *cfg = config_get();
    if (cfg->maxmemory <= 0 || pool == NULL || db_frozen())
        return 0;
    size_t maxmem = (size_t)cfg->maxmemory, used = used_for_eviction();
    if (used <= maxmem) {
        track_exceeded(0);
        return 0;
    }
    track_exceeded(1);
    int policy = cfg->maxmemory_policy;
    int samples = cfg->maxmemory_samples;
    if (samples < 1)
        samples = 1;
    if (samples > SAMPLES_MAX)
        samples = SAMPLES_MAX;
    size_t tofree = used - maxmem, freed = 0;
    int64_t start = mono_us();
    unsigned long keys = 0;
    while (policy != MAXMEMORY_NOEVICTION && freed < tofree) {
        struct db *db = NULL;
        struct kv *e;
        if (policy == MAXMEMORY_ALLKEYS_RANDOM || policy == MAXMEMORY_VOLATILE_RANDOM)
            e = pick_random(policy, &db);
        else
            e = pick_from_pool(policy, samples, &db);
        if (e == NULL)
            break;
        /* Told before the delete, while the key still exists; the messages' output is outside
         * what is measured as freed, as in Redis. */
        size_t klen;
        const char *key = kv_key(e, &klen);
        keyspace_event(NOTIFY_EVICTED, "evicted", db, key, klen);
        size_t before = zmalloc_used_memory();
        db_delete_kv(db, e, FREE_SYNC);
        size_t after = zmalloc_used_memory();
        freed += before > after ? before - after : 0;
        keyspace_stats()->evicted_keys++;
        /* Stay responsive: past the time limit, let the command run and the cron go on. */
        if (++keys % 16 == 0 && mono_us() - start > evict_time_limit_us())
            return 0;
    }
    if (freed >= tofree) {
        track_exceeded(used_for_eviction() > maxmem);
        return 0;
    }
    /* Nothing left to evict. Memory the lazy free thread is about to release counts as
     * freed: wait for it briefly before refusing. */
    for (int i = 0; i < 10 && lazyfree_pending_objects() > 0; i++) {
        usleep(100);
        if (used_for_eviction() <= maxmem)
            return 0;
    }
    return used_for_eviction() <= maxmem ? 0 : -1;
}
