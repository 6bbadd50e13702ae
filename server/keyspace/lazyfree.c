/* lazyfree.c — the background free thread: UNLINK, FLUSH* ASYNC and (with
 * lazyfree-lazy-user-del) DEL hand big values or whole keyspaces to it so the event loop never
 * spends long in free(). A value goes there only when freeing it costs more than 64
 * allocations; smaller ones are cheaper to free at once than to queue. zmalloc counts from
 * every thread, so used_memory drops as the thread works.
 *
 * Memory categories (MEMORY BREAKDOWN's lazyfree): a queued job shows its objects under
 * lazyfree at once. Knowing their exact bytes would mean walking them on the event loop, the
 * very work being handed off, so the enqueue moves an estimate (MEMORY USAGE's default
 * sampling for a value; for a whole database, its tables exactly and its values from a sample
 * of its keys, per type) from the objects' categories to lazyfree. The thread frees each block
 * under its own category as before, then moves the same estimate back: the two moves cancel
 * exactly, so every category is exact again once the job is done, and the sum is exact all along.
 *
 * Also where freed memory goes next: the allocator's one arena and its purge thread. */
#include "lazyfree.h"

#include "db.h"

#include <pthread.h>
#include <stdatomic.h>

#include "memcat.h"
#include "object.h"
#include "zmalloc.h"

#define LAZYFREE_THRESHOLD 64
/* Keys sampled to estimate what a flushed database's values hold (see job_estimate). */
#define LAZYFREE_SAMPLES 32

enum job_kind { JOB_KV, JOB_DICT };

/* Categories a job's estimate may come from: keyspace and the five value types. */
#define JOB_MOVES 6

struct job {
    struct job *next;
    int kind;
    void *ptr;       /* struct kv * or struct dict * */
    struct kv **vol; /* JOB_DICT: the expires array that went with it */
    size_t objects;
    int nmoves;
    int cat[JOB_MOVES];       /* moved from cat[i] to lazyfree at enqueue ... */
    int64_t moved[JOB_MOVES]; /* ... this many bytes, moved back once the job is done */
};

static pthread_t thread;
static int running;
static int stopping;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;
static atomic_size_t pending;
/* A purge request is a flag, not a queued job: a job would be an allocation still alive after
 * pending drops to 0, so used_memory would not be final when a caller sees 0. */
static int purge_requested; /* guarded by mu */
static atomic_uint_least64_t freed;

size_t
lazyfree_pending_objects(void)
{
    return atomic_load(&pending);
}

uint64_t
lazyfreed_objects(void)
{
    return atomic_load(&freed);
}

void
lazyfree_reset_stats(void)
{
    atomic_store(&freed, 0);
}

static void
free_kv_node(struct dict_node *n, void *ctx)
{
    kv_free((struct kv *)n);
}

static void
run_job(struct job *j)
{
    switch (j->kind) {
    case JOB_KV:
        kv_free(j->ptr);
        break;
    case JOB_DICT: {
        MEMCAT_SCOPE(MC_KEYSPACE); /* the tables; each key and value re-tags by its type */
        dict_clear(j->ptr, free_kv_node, NULL);
        dict_destroy(j->ptr);
        zfree(j->vol);
        break;
    }
    }
}

static void *
worker(void *arg)
{
    zmalloc_thread_name("lazyfree");
    /* The jobs are lazyfree's; what they free is re-tagged by its owner (kv_free, tables). */
    zmalloc_category_set(MC_LAZYFREE);
    for (;;) {
        pthread_mutex_lock(&mu);
        while (head == NULL && !purge_requested && !stopping)
            pthread_cond_wait(&cv, &mu);
        struct job *j = head;
        if (j == NULL && purge_requested) {
            /* The queue has drained: give the freed pages back to the OS (purging allocates
             * nothing through zmalloc, so used_memory is already final). */
            purge_requested = 0;
            pthread_mutex_unlock(&mu);
            zmalloc_purge();
            continue;
        }
        if (j == NULL) { /* stopping and drained */
            pthread_mutex_unlock(&mu);
            break;
        }
        head = j->next;
        if (head == NULL)
            tail = NULL;
        pthread_mutex_unlock(&mu);
        size_t objects = j->objects;
        run_job(j);
        for (int i = 0; i < j->nmoves; i++)
            zmalloc_category_move(MC_LAZYFREE, j->cat[i], j->moved[i]);
        zfree(j);
        /* Counted only once the memory is back, so "pending == 0" means used_memory is final;
         * and freed first, so that it is final too by then. */
        atomic_fetch_add(&freed, objects);
        atomic_fetch_sub(&pending, objects);
    }
    return NULL;
}

int
lazyfree_setup(void)
{
    stopping = 0;
    if (pthread_create(&thread, NULL, worker, NULL) != 0)
        return -1;
    running = 1;
    /* Pages freed while the server then sits idle go back to the OS after jemalloc's decay
     * time (10 s) instead of staying resident until the next burst of work (Redis's
     * jemalloc-bg-thread). Here, after main's daemonize: a fork child would not keep it. */
    (void)zmalloc_background_purge(1);
    return 0;
}

void
lazyfree_teardown(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    running = 0;
    (void)zmalloc_background_purge(0);
}

/* Show the job's objects under lazyfree now (see the top of the file). */
static void
job_estimate(struct job *j)
{
    j->nmoves = 0;
    if (j->kind == JOB_KV) {
        struct kv *e = j->ptr;
        j->cat[0] = memcat_of_type(kv_type(e));
        j->moved[0] = (int64_t)kv_memory(e, 5); /* MEMORY USAGE's default sample */
        j->nmoves = 1;
    } else {
        /* The tables exactly; the values from a sample of keys, per type, scaled to all. */
        struct dict *d = j->ptr;
        struct dict_node *sample[LAZYFREE_SAMPLES];
        size_t n = dict_sample(d, sample, LAZYFREE_SAMPLES);
        int64_t per_type[MC_COUNT] = {0};
        for (size_t i = 0; i < n; i++) {
            struct kv *e = (struct kv *)sample[i];
            per_type[memcat_of_type(kv_type(e))] += (int64_t)kv_memory(e, 5);
        }
        j->cat[0] = MC_KEYSPACE;
        j->moved[0] = (int64_t)dict_table_memory(d) + (j->vol ? (int64_t)zmalloc_size(j->vol) : 0);
        j->nmoves = 1;
        static const int types[] = {MC_STRING, MC_HASH, MC_LIST, MC_SET, MC_ZSET};
        for (size_t t = 0; t < sizeof(types) / sizeof(types[0]) && n > 0; t++) {
            if (per_type[types[t]] == 0)
                continue;
            j->cat[j->nmoves] = types[t];
            j->moved[j->nmoves++] =
                (int64_t)((double)per_type[types[t]] / (double)n * (double)j->objects);
        }
    }
    for (int i = 0; i < j->nmoves; i++)
        zmalloc_category_move(j->cat[i], MC_LAZYFREE, j->moved[i]);
}

static void
enqueue(int kind, void *ptr, struct kv **vol, size_t objects)
{
    MEMCAT_SCOPE(MC_LAZYFREE);
    struct job *j = zmalloc(sizeof(*j));
    j->next = NULL;
    j->kind = kind;
    j->ptr = ptr;
    j->vol = vol;
    j->objects = objects;
    job_estimate(j);
    atomic_fetch_add(&pending, objects);
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = j;
    else
        head = j;
    tail = j;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void
lazyfree_kv(struct kv *e, int async)
{
    if (async && running && kv_free_effort(e) > LAZYFREE_THRESHOLD)
        enqueue(JOB_KV, e, NULL, 1);
    else
        kv_free(e);
}

void
lazyfree_dict(struct dict *d, struct kv **vol, size_t keys)
{
    if (!running) {
        dict_clear(d, free_kv_node, NULL);
        dict_destroy(d);
        zfree(vol);
        return;
    }
    enqueue(JOB_DICT, d, vol, keys);
}

void
lazyfree_purge(void)
{
    if (!running) {
        zmalloc_purge();
        return;
    }
    pthread_mutex_lock(&mu);
    purge_requested = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}
