/* defrag — active defragmentation of the keyspace (defrag.c): Redis's activedefrag switches,
 * incremental and time-boxed, on jemalloc's utilization hint. */
#ifndef ZMEM_SERVER_DEFRAG_H
#define ZMEM_SERVER_DEFRAG_H

#include <stdint.h>

/* INFO stats counters (CONFIG RESETSTAT zeroes them). */
struct defrag_stats {
    uint64_t hits;       /* blocks moved */
    uint64_t misses;     /* blocks looked at and left where they were */
    uint64_t key_hits;   /* keys with at least one block moved */
    uint64_t key_misses; /* keys looked at with nothing moved */
    uint64_t other_hits; /* blocks moved outside the keyspace (defrag_add_other), in hits too */
    uint64_t time_us;    /* time from the start to the end of passes, summed */
};

/* From the server cron: with activedefrag on, start a pass over the keyspace when the
 * allocator's fragmentation passes active-defrag-threshold-lower and
 * active-defrag-ignore-bytes, and set its CPU share from the fragmentation (cycle-min at the
 * lower threshold up to cycle-max at the upper one). Switching activedefrag off stops a pass.
 * Returns 1 while a pass is under way (the caller then calls defrag_run), else 0. */
int defrag_cron(void);
/* Work on the pass for about budget_us microseconds (one step may run past it by its bounded
 * size: active-defrag-max-scan-fields elements of a big value, or one bucket). Returns 1 while
 * the pass has more to do, 0 when it is complete (or none runs). */
int defrag_run(int64_t budget_us);
/* CPU percent the pass in progress may use; 0 when idle (INFO active_defrag_running). */
int defrag_cpu_pct(void);
/* Milliseconds since the pass in progress started; 0 when idle. */
uint64_t defrag_current_ms(void);
/* A whole pass at once, now. force != 0 moves every block without asking the allocator (on
 * any allocator: tests check the pointer fix-ups with it, DEBUG DEFRAG-ALL). */
void defrag_full(int force);
/* A long-lived structure outside the keyspace (pub/sub's and tracking's tables, which live in a
 * room above this one) that every pass also defragments, after the databases: fn is called first
 * with restart 1, then 0, each call a bounded step that offers blocks to move (the new address, or
 * NULL when the block stays), fixes every pointer to what moved and keeps its memory category, and
 * returns 0 once the walk is done. Registered once at start-up; at most DEFRAG_OTHER_MAX. */
#define DEFRAG_OTHER_MAX 4
typedef int defrag_other_fn(int restart, void *(*move)(void *p));
void defrag_add_other(defrag_other_fn *fn);
/* Counters, and CONFIG RESETSTAT. */
const struct defrag_stats *defrag_stats(void);
void defrag_reset_stats(void);
/* Stop a pass and free what it holds (shutdown). */
void defrag_teardown(void);

#endif
