/* strpin.c — the table of pinned raw string buffers: a fixed array of buckets chained through
 * the owners' own records, keyed by the buffer's address. A mutex guards it because the lazy
 * free thread asks it (through val_free) whether a buffer may be freed; when nothing is pinned,
 * which is nearly always, that question is one atomic load and no lock. */
#include "strpin.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "memcat.h"
#include "zmalloc.h"

#define STRPIN_BUCKETS 1024 /* static: the table costs no zmalloc'd memory */

static struct strpin *buckets[STRPIN_BUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_size_t npins;

static size_t
bucket_of(const struct str *s)
{
    uintptr_t a = (uintptr_t)s;
    return (size_t)((a >> 4) ^ (a >> 14)) % STRPIN_BUCKETS;
}

void
strpin_add(struct strpin *p, struct str *s)
{
    size_t b = bucket_of(s);
    pthread_mutex_lock(&mu);
    p->s = s;
    p->orphaned = 0;
    /* A second pin on an orphaned buffer cannot happen: orphans are out of the keyspace. */
    p->next = buckets[b];
    buckets[b] = p;
    atomic_fetch_add(&npins, 1);
    pthread_mutex_unlock(&mu);
}

void
strpin_remove(struct strpin *p)
{
    size_t b = bucket_of(p->s);
    int last = 1;
    pthread_mutex_lock(&mu);
    struct strpin **pp = &buckets[b];
    while (*pp && *pp != p)
        pp = &(*pp)->next;
    if (*pp)
        *pp = p->next;
    for (struct strpin *q = buckets[b]; q; q = q->next)
        if (q->s == p->s)
            last = 0;
    atomic_fetch_sub(&npins, 1);
    int free_it = last && p->orphaned;
    pthread_mutex_unlock(&mu);
    if (free_it) {
        MEMCAT_SCOPE(MC_STRING); /* an orphan is a string value's buffer, whoever sent it */
        zfree(p->s);
    }
    p->s = NULL;
    p->next = NULL;
}

int
strpin_is_pinned(const struct str *s)
{
    if (atomic_load(&npins) == 0)
        return 0;
    int found = 0;
    pthread_mutex_lock(&mu);
    for (struct strpin *q = buckets[bucket_of(s)]; q && !found; q = q->next)
        found = q->s == s;
    pthread_mutex_unlock(&mu);
    return found;
}

int
strpin_orphan(struct str *s)
{
    if (atomic_load(&npins) == 0)
        return 0;
    int found = 0;
    pthread_mutex_lock(&mu);
    for (struct strpin *q = buckets[bucket_of(s)]; q; q = q->next) {
        if (q->s == s) {
            q->orphaned = 1; /* every pin of s: whichever goes last frees it */
            found = 1;
        }
    }
    pthread_mutex_unlock(&mu);
    return found;
}

size_t
strpin_count(void)
{
    return atomic_load(&npins);
}
