/* defrag — active defragmentation (Redis's activedefrag) on the stock jemalloc: while the
 * allocator reports more fragmentation than the thresholds allow, walk every database with a
 * SCAN cursor, a little at a time, and move each block the allocator says is worth moving
 * (zmalloc_defrag_hint) to a fresh copy (zmalloc_defrag_move), fixing every pointer to it.
 *
 * What points where, and so what a move must fix:
 * - a key entry (struct kv): its dict link (dict_scan_defrag stores the new address) and, for a
 *   key with a TTL, its slot in the database's expires array (db->vol[kv_vidx(e)]);
 * - a value block: only its entry's value slot (kv_set_ptr); packs, intsets and raw strings are
 *   one block each;
 * - a hash or set table: the struct dict (value slot), its bucket tables (the dict itself) and
 *   each element node (its bucket link, fixed by dict_scan_defrag);
 * - a skiplist sorted set: struct zset (value slot; the member dict lives inside it), its head
 *   (z->head only), its tables, and each node: bucket link, forward links at each of its levels,
 *   the next node's back pointer or z->tail (zsl_node_moved);
 * - a quicklist: struct qlist (value slot), each node (prev/next neighbours, head/tail) and each
 *   node's pack (node->p);
 * - per database: the key dict's bucket tables and the expires array (db->vol);
 * - outside the keyspace, after the databases, through the step functions their owners
 *   register (defrag_add_other): pub/sub's channel, pattern and shard channel entries (linked
 *   from their bucket and from each subscriber's list), each entry's subscriber array, and the
 *   three tables' bucket tables; the tracking key table's entries (linked from their bucket
 *   and from each holder client's reference, at the index the entry records), their holder
 *   arrays and the table's buckets. The owner fixes the pointers and keeps the memory category.
 * Nothing else keeps a pointer into key or value memory between commands: eviction's pool,
 * WATCH and blocking keep copies of key names, lazy free owns what it frees (never visited
 * here), and commands' iterators live within one command. Defragmentation runs between
 * commands, in the event loop.
 *
 * Big values (more elements than active-defrag-max-scan-fields) are not done in one go: the
 * key is queued by name and worked through max-scan-fields elements per step, found again by
 * name each step (it may have been deleted or changed encoding in between). */
#include "defrag.h"

#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "memcat.h"
#include "objlist.h"
#include "zmalloc.h"
#include "zskiplist.h"

/* Big keys waiting to be worked through; more are simply met again on the next pass. */
#define LATER_MAX 64

struct later {
    int db;
    char *key;
    size_t klen;
    int stage;                 /* 0: container blocks not done yet, 1: elements */
    unsigned long long cursor; /* dict SCAN cursor, or quicklist node index */
    uint64_t moved;            /* blocks of this key moved so far (its entry's included) */
};

static struct {
    int running; /* a pass over the keyspace is under way */
    int force;   /* DEBUG: move every block, the hint is not asked */
    int cpu_pct; /* CPU share of the pass in progress */
    int db;      /* database being scanned */
    unsigned long long cursor;
    struct later later[LATER_MAX];
    int nlater;
    uint64_t key_moves;                       /* moves made for the key being looked at */
    defrag_other_fn *other[DEFRAG_OTHER_MAX]; /* walked after the databases, in this order */
    int nother;
    int other_at;      /* the one being walked, nother once all are done */
    int other_started; /* it has had its restart call this pass */
    int in_other;      /* moves now are counted as other_hits */
    uint64_t fields;   /* elements looked at in this step */
    int64_t pass_start_us;
    struct defrag_stats stats;
} st;

static int64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- One block ---- */

/* The new address of block p, or NULL when it stays where it is. */
static void *
move_block(void *p)
{
    void *np;

    if (p == NULL)
        return NULL;
    if (!st.force && !zmalloc_defrag_hint(p)) {
        st.stats.misses++;
        return NULL;
    }
    np = zmalloc_defrag_move(p);
    if (np == NULL) {
        st.stats.misses++;
        return NULL;
    }
    st.stats.hits++;
    st.key_moves++;
    if (st.in_other)
        st.stats.other_hits++;
    return np;
}

static void *
move_block_cb(void *p, void *ctx)
{
    (void)ctx;
    return move_block(p);
}

/* ---- Containers ---- */

/* A hash field or set member: only its bucket link points to it. */
static struct dict_node *
move_plain_node(struct dict_node *n, void *ctx)
{
    (void)ctx;
    st.fields++;
    return move_block(n);
}

static struct dict_node *
move_zset_node(struct dict_node *n, void *ctx)
{
    struct zset *z = ctx;
    struct zsnode *nn;

    st.fields++;
    nn = move_block(n);
    if (nn != NULL)
        zsl_node_moved(z, (const struct zsnode *)n, nn);
    return (struct dict_node *)nn;
}

/* The blocks of a container value that are not elements: the struct behind the value slot and
 * what hangs off it directly. */
static void
defrag_container_shell(struct kv *e)
{
    void *np = move_block(kv_ptr(e));

    if (np != NULL)
        kv_set_ptr(e, np);
    if (e->enc == ENC_HASH_TABLE || e->enc == ENC_SET_TABLE) {
        dict_defrag_tables(kv_ptr(e), move_block_cb, NULL);
    } else if (e->enc == ENC_ZSET_SKIP) {
        struct zset *z = kv_ptr(e);
        struct zsnode *h = move_block(z->head);
        if (h != NULL)
            zsl_head_moved(z, h);
        dict_defrag_tables(&z->dict, move_block_cb, NULL);
    }
}

/* Move a quicklist node and its pack; returns the node's (possibly new) address. */
static struct qlnode *
defrag_qlnode(struct qlist *q, struct qlnode *n)
{
    struct pack *p = move_block(n->p);
    struct qlnode *nn;

    if (p != NULL)
        n->p = p;
    st.fields++;
    nn = move_block(n);
    if (nn == NULL)
        return n;
    if (nn->prev)
        nn->prev->next = nn;
    else
        q->head = nn;
    if (nn->next)
        nn->next->prev = nn;
    else
        q->tail = nn;
    return nn;
}

/* Work through the elements of a container from *cursor on, until at least `budget` elements
 * were looked at or the end. Returns 1 when the value is done. */
static int
defrag_elements(struct kv *e, unsigned long long *cursor, uint64_t budget)
{
    uint64_t start = st.fields;

    if (e->enc == ENC_LIST_QUICK) {
        struct qlist *q = kv_ptr(e);
        struct qlnode *n = q->head;
        /* A node index, not a pointer: the list may change between steps. Walking to it is
         * pointer chasing over nodes of up to 8 KiB of elements each, cheap next to moving. */
        for (unsigned long long i = 0; n != NULL && i < *cursor; i++)
            n = n->next;
        while (n != NULL && st.fields - start < budget) {
            n = defrag_qlnode(q, n)->next;
            (*cursor)++;
        }
        return n == NULL;
    }
    do {
        if (e->enc == ENC_ZSET_SKIP) {
            struct zset *z = kv_ptr(e);
            *cursor = dict_scan_defrag(&z->dict, *cursor, move_zset_node, z);
        } else {
            *cursor = dict_scan_defrag(kv_ptr(e), *cursor, move_plain_node, NULL);
        }
    } while (*cursor != 0 && st.fields - start < budget);
    return *cursor == 0;
}

static size_t
container_len(const struct kv *e)
{
    switch (e->enc) {
    case ENC_HASH_TABLE:
    case ENC_SET_TABLE:
        return dict_size(kv_ptr(e));
    case ENC_ZSET_SKIP:
        return ((const struct zset *)kv_ptr(e))->length;
    case ENC_LIST_QUICK:
        return ((const struct qlist *)kv_ptr(e))->nodes;
    default:
        return 0;
    }
}

static int
is_container(int enc)
{
    return enc == ENC_HASH_TABLE || enc == ENC_SET_TABLE || enc == ENC_ZSET_SKIP ||
           enc == ENC_LIST_QUICK;
}

/* Queue a big value for later steps; 0 when the queue is full (the next pass meets it). */
static int
later_push(int dbid, const struct kv *e, uint64_t moved)
{
    size_t klen;
    const char *k = kv_key(e, &klen);
    struct later *l;

    if (st.nlater == LATER_MAX)
        return 0;
    l = &st.later[st.nlater++];
    l->db = dbid;
    l->key = zmalloc(klen ? klen : 1);
    memcpy(l->key, k, klen);
    l->klen = klen;
    l->stage = 0;
    l->cursor = 0;
    l->moved = moved;
    return 1;
}

static void
later_pop(void)
{
    zfree(st.later[0].key);
    memmove(&st.later[0], &st.later[1], (size_t)(st.nlater - 1) * sizeof(st.later[0]));
    st.nlater--;
}

/* One step of the first queued big key. */
static void
later_step(void)
{
    struct later *l = &st.later[0];
    struct db *db = db_get(l->db);
    struct kv *e = db ? db_peek(db, l->key, l->klen) : NULL;
    uint64_t moves = st.key_moves;

    /* Deleted, or turned into a small encoding, since it was queued: nothing left to do. */
    if (e == NULL || !is_container(e->enc)) {
        later_pop();
        return;
    }
    MEMCAT_SCOPE(memcat_of_type(kv_type(e))); /* moves stay in the value's category */
    if (l->stage == 0) {
        defrag_container_shell(e);
        l->stage = 1;
    }
    int done =
        defrag_elements(e, &l->cursor, (uint64_t)config_get()->active_defrag_max_scan_fields);
    l->moved += st.key_moves - moves;
    if (done) {
        if (l->moved)
            st.stats.key_hits++;
        else
            st.stats.key_misses++;
        later_pop();
    }
}

/* ---- Keys ---- */

/* A value whole, unless it is big: then it is queued, and 1 is returned (the key is counted
 * as a hit or miss when its last step is done). */
static int
defrag_value(int dbid, struct kv *e)
{
    void *np;

    if (e->enc == ENC_INT || e->enc == ENC_EMBSTR)
        return 0; /* in the entry itself */
    if (!is_container(e->enc)) {
        /* RAW strings, packs, intsets: one block. */
        if ((np = move_block(kv_ptr(e))) != NULL)
            kv_set_ptr(e, np);
        return 0;
    }
    if (container_len(e) > (size_t)config_get()->active_defrag_max_scan_fields &&
        later_push(dbid, e, st.key_moves))
        return 1;
    unsigned long long cursor = 0;
    defrag_container_shell(e);
    defrag_elements(e, &cursor, UINT64_MAX);
    return 0;
}

static struct dict_node *
move_key(struct dict_node *n, void *ctx)
{
    struct db *db = ctx;
    struct kv *e = (struct kv *)n, *ne;
    /* A key entry and its value count in the value's category: moves stay in it. */
    MEMCAT_SCOPE(memcat_of_type(kv_type(e)));

    st.key_moves = 0;
    ne = move_block(e);
    if (ne != NULL) {
        e = ne;
        if (e->flags & KV_VOLATILE)
            db->vol[kv_vidx(e)] = e;
    }
    if (defrag_value(db->id, e))
        return (struct dict_node *)ne;
    if (st.key_moves)
        st.stats.key_hits++;
    else
        st.stats.key_misses++;
    return (struct dict_node *)ne;
}

/* A database's own blocks, once per pass after its keys. */
static void
defrag_db_blocks(struct db *db)
{
    void *np;
    MEMCAT_SCOPE(MC_KEYSPACE);

    dict_defrag_tables(&db->keys, move_block_cb, NULL);
    if (db->vol != NULL && (np = move_block(db->vol)) != NULL)
        db->vol = np;
}

/* ---- Driving ---- */

static void
pass_start(void)
{
    st.running = 1;
    st.db = 0;
    st.cursor = 0;
    st.other_at = 0;
    st.other_started = 0;
    st.pass_start_us = now_us();
}

static void
pass_end(void)
{
    while (st.nlater > 0)
        later_pop();
    st.running = 0;
    st.stats.time_us += (uint64_t)(now_us() - st.pass_start_us);
}

/* One unit of work: a step of a big key, or one SCAN step of the keyspace. Returns 0 when the
 * pass is complete. */
static int
step(void)
{
    st.fields = 0;
    if (st.nlater > 0) {
        later_step();
        return 1;
    }
    while (st.db < db_count()) {
        struct db *db = db_get(st.db);
        if (dict_size(&db->keys) > 0) {
            st.cursor = dict_scan_defrag(&db->keys, st.cursor, move_key, db);
            if (st.cursor != 0)
                return 1;
        }
        defrag_db_blocks(db);
        st.db++;
        st.cursor = 0;
        return 1;
    }
    if (st.other_at < st.nother) {
        st.in_other = 1;
        int more = st.other[st.other_at](!st.other_started, move_block);
        st.in_other = 0;
        st.other_started = 1;
        if (!more) {
            st.other_at++;
            st.other_started = 0;
        }
        return 1;
    }
    return 0;
}

void
defrag_add_other(defrag_other_fn *fn)
{
    if (st.nother < DEFRAG_OTHER_MAX)
        st.other[st.nother++] = fn;
}

int
defrag_run(int64_t budget_us)
{
    int64_t deadline;

    if (!st.running)
        return 0;
    deadline = now_us() + budget_us;
    do {
        if (!step()) {
            pass_end();
            return 0;
        }
    } while (now_us() < deadline);
    return 1;
}

void
defrag_full(int force)
{
    if (st.running)
        pass_end();
    st.force = force;
    pass_start();
    while (step())
        ;
    pass_end();
    st.force = 0;
}

/* How fragmented the allocator is: percent over 100 and bytes (active pages over allocated). */
static int
frag_now(int *pct, size_t *bytes)
{
    struct zmalloc_allocator_info ai;

    if (zmalloc_get_allocator_info(&ai) < 0 || ai.allocated == 0 || ai.active < ai.allocated)
        return -1;
    *pct = (int)((double)ai.active * 100 / (double)ai.allocated) - 100;
    *bytes = ai.active - ai.allocated;
    return 0;
}

int
defrag_cron(void)
{
    const struct config *cfg = config_get();
    int pct, lo, hi, cmin, cmax;
    size_t bytes;

    if (!cfg->activedefrag) {
        if (st.running)
            pass_end();
        st.cpu_pct = 0;
        return 0;
    }
    if (frag_now(&pct, &bytes) < 0)
        return st.running;
    lo = cfg->active_defrag_threshold_lower;
    hi = cfg->active_defrag_threshold_upper;
    cmin = cfg->active_defrag_cycle_min;
    cmax = cfg->active_defrag_cycle_max;
    if (!st.running) {
        if (pct < lo || bytes < (size_t)cfg->active_defrag_ignore_bytes) {
            st.cpu_pct = 0;
            return 0;
        }
        pass_start();
    }
    /* The CPU share grows with fragmentation: cycle-min at the lower threshold, cycle-max at
     * the upper one and above. A pass under way keeps going even when the ratio dips. */
    int cpu = hi > lo ? cmin + (int)((long long)(pct - lo) * (cmax - cmin) / (hi - lo)) : cmax;
    if (cpu < cmin)
        cpu = cmin;
    if (cpu > cmax)
        cpu = cmax;
    st.cpu_pct = cpu;
    return 1;
}

int
defrag_cpu_pct(void)
{
    return st.running ? st.cpu_pct : 0;
}

uint64_t
defrag_current_ms(void)
{
    return st.running ? (uint64_t)(now_us() - st.pass_start_us) / 1000 : 0;
}

const struct defrag_stats *
defrag_stats(void)
{
    return &st.stats;
}

void
defrag_reset_stats(void)
{
    memset(&st.stats, 0, sizeof(st.stats));
}

void
defrag_teardown(void)
{
    if (st.running)
        pass_end();
}
