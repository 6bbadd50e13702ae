/* sampler.c — the stats sampler thread: reads the slow memory probes (RSS from /proc, the
 * allocator's statistics, smaps Private_Dirty) every 1000/hz ms, away from the event loop, and
 * publishes them as one consistent struct mem_sample under a mutex. */
#include "sampler.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "zmalloc.h"

/* smaps_rollup walks every page table of the process: milliseconds once RSS reaches hundreds
 * of MB. Keep it to about 1% of the sampler's time by spacing reads 100x their cost apart. */
#define SAMPLER_DIRTY_DUTY          100
#define SAMPLER_DEFAULT_INTERVAL_MS 100

static struct {
    pthread_t tid;
    pthread_mutex_t lock; /* guards sample and stop */
    pthread_cond_t wake;
    int started;
    int stop;
    int interval_ms; /* atomic: written by the event loop (metrics_sampler_interval) */
    struct mem_sample sample;
    int64_t dirty_next_ms; /* sampler thread only */
    size_t dirty_last;     /* sampler thread only */
} sampler = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .interval_ms = SAMPLER_DEFAULT_INTERVAL_MS,
};

/* Read every probe once. RSS and the zmalloc counter are read back to back so that their
 * ratio (mem_fragmentation_ratio) describes one moment. */
static void
sampler_take(struct mem_sample *s)
{
    struct zmalloc_allocator_info ai;

    memset(&ai, 0, sizeof(ai));
    s->rss = zmalloc_get_rss();
    s->used = zmalloc_used_memory();
    zmalloc_get_allocator_info(&ai); /* fills Redis's libc fallback when it returns -1 */
    s->allocated = ai.allocated;
    s->tcache = ai.tcache;
    s->internal = ai.internal;
    s->active = ai.active;
    s->resident = ai.resident;
    s->retained = ai.retained;
    s->muzzy = ai.muzzy;

    int64_t now = mono_ms();
    if (now >= sampler.dirty_next_ms) {
        int64_t t0 = mono_us();
        sampler.dirty_last = zmalloc_get_private_dirty(-1);
        sampler.dirty_next_ms = now + (mono_us() - t0) * SAMPLER_DIRTY_DUTY / 1000;
    }
    s->private_dirty = sampler.dirty_last;
    s->taken_ms = mono_ms();
}

static void
sampler_publish(const struct mem_sample *s)
{
    pthread_mutex_lock(&sampler.lock);
    sampler.sample = *s;
    pthread_mutex_unlock(&sampler.lock);
}

static void *
sampler_main(void *arg)
{
    (void)arg;
    zmalloc_thread_name("sampler"); /* listed in MEMORY BREAKDOWN's threads, even at 0 */
    /* This thread never allocates: an allocator cache would only hold memory of its own
     * (jemalloc creates one, ~28 KB, the first time a thread calls into it). */
    zmalloc_thread_cache(0);
    for (;;) {
        struct mem_sample s;
        struct timespec until;
        int ms = __atomic_load_n(&sampler.interval_ms, __ATOMIC_RELAXED);

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += ms / 1000;
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&sampler.lock);
        while (!sampler.stop) {
            if (pthread_cond_timedwait(&sampler.wake, &sampler.lock, &until) == ETIMEDOUT)
                break;
        }
        int stop = sampler.stop;
        pthread_mutex_unlock(&sampler.lock);
        if (stop)
            break;
        memset(&s, 0, sizeof(s));
        sampler_take(&s);
        sampler_publish(&s);
    }
    return NULL;
}

int
metrics_sampler_start(void)
{
    struct mem_sample s;
    pthread_condattr_t attr;

    if (sampler.started)
        return 0;
    memset(&s, 0, sizeof(s));
    sampler_take(&s); /* so that the first INFO already has real figures */
    sampler_publish(&s);

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* wall-clock jumps must not stall it */
    pthread_cond_init(&sampler.wake, &attr);
    pthread_condattr_destroy(&attr);
    sampler.stop = 0;
    if (pthread_create(&sampler.tid, NULL, sampler_main, NULL) != 0) {
        pthread_cond_destroy(&sampler.wake);
        return -1;
    }
    sampler.started = 1;
    return 0;
}

void
metrics_sampler_stop(void)
{
    if (!sampler.started)
        return;
    pthread_mutex_lock(&sampler.lock);
    sampler.stop = 1;
    pthread_cond_signal(&sampler.wake);
    pthread_mutex_unlock(&sampler.lock);
    pthread_join(sampler.tid, NULL);
    pthread_cond_destroy(&sampler.wake);
    sampler.started = 0;
}

void
metrics_sampler_interval(int hz)
{
    int ms = hz > 0 ? 1000 / hz : SAMPLER_DEFAULT_INTERVAL_MS;
    if (ms < 1)
        ms = 1;
    __atomic_store_n(&sampler.interval_ms, ms, __ATOMIC_RELAXED);
}

void
metrics_sample_get(struct mem_sample *out)
{
    pthread_mutex_lock(&sampler.lock);
    *out = sampler.sample;
    pthread_mutex_unlock(&sampler.lock);
}
