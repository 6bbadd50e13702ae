/* doctor.c — the MEMORY DOCTOR report as text, from one metrics snapshot: Redis's checks and
 * thresholds, our explanations. The MEMORY DOCTOR command (commands/cmd_memory.c) and the
 * metrics listener's /doctor page (metrics_http.c) both print it, so they never disagree. */
#include "doctor.h"

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "metrics.h"
#include "zmalloc.h"

#define DOCTOR_EMPTY_BELOW (5 << 20)  /* used_memory under which no check means anything */
#define DOCTOR_BIG_DIFF    (10 << 20) /* a ratio matters only above this many bytes */
#define DOCTOR_CLIENT_BIG  (200 << 10)

/* The titles, their order and the thresholds are Redis's (docs/redis-compat.md, "MEMORY
 * DOCTOR"); the explanations are ours. */
static const char *const doctor_text[] = {
    " * Peak memory: used memory once reached more than 150% of what it is now. The allocator "
    "cannot always give that memory back, so RSS and the fragmentation ratios stay high after "
    "such a peak without anything being wrong now. MEMORY PURGE may return some of it; a "
    "restart returns all of it.\n\n",
    " * High total RSS: the process holds much more RAM than the server has allocated (more "
    "than 1.4 times, and over 10 MB more). A past peak or a workload that frees memory in "
    "scattered places usually explains it. ",
    " * High allocator fragmentation: the allocator's active pages hold more than 10% (and over "
    "10 MB) beyond the live blocks in them: freed blocks are spread over many pages. It often "
    "recedes as the keyspace changes; MEMORY PURGE releases whole free pages.\n\n",
    " * High allocator RSS overhead: the allocator keeps more than 10% (and over 10 MB) of "
    "resident memory beyond its active pages, freed but not yet returned to the system. "
    "MEMORY PURGE returns it now.\n\n",
    " * High process RSS overhead: the process is resident for more than 10% (and over 10 MB) "
    "beyond what the allocator holds: code, thread stacks and memory allocated outside the "
    "allocator.\n\n",
    " * Big client buffers: connected clients hold more than 200 KB each on average in query "
    "and reply buffers. Clients that pipeline a lot, read big replies slowly or send huge "
    "arguments cause this; CLIENT LIST shows which (qbuf, omem).\n\n",
};

/* What active defragmentation can do about allocator fragmentation, in this build and now. */
static void
defrag_advice(struct buf *out, const union metric_value *v)
{
    if (v[M_ACTIVE_DEFRAG_RUNNING].u > 0)
        buf_printf(out,
                   "   Active defragmentation is running (up to %llu%% of a CPU): it moves "
                   "values out of sparse pages, and the ratio falls as it goes.\n\n",
                   (unsigned long long)v[M_ACTIVE_DEFRAG_RUNNING].u);
    else if (config_get()->activedefrag)
        buf_append_str(out, "   activedefrag is on but idle: it starts above "
                            "active-defrag-threshold-lower percent and "
                            "active-defrag-ignore-bytes of fragmentation.\n\n");
    else if (zmalloc_defrag_supported())
        buf_append_str(out, "   CONFIG SET activedefrag yes moves values out of sparse pages "
                            "in the background and gives those pages back.\n\n");
    else
        buf_append_str(out, "   Active defragmentation, the remedy, needs a jemalloc build "
                            "of zmem.\n\n");
}

void
metrics_render_doctor(struct buf *out)
{
    struct metrics_snapshot s;
    int issues = 0;

    metrics_collect(&s, MS_BIT(MS_MEMORY));
    const union metric_value *v = s.v;
    uint64_t used = v[M_USED_MEMORY].u, peak = v[M_USED_MEMORY_PEAK].u;
    size_t nclients = clients_count();

    if (used < DOCTOR_EMPTY_BELOW) {
        buf_append_str(out, "Hi Sam, this instance holds too little data (under 5 MB of used "
                            "memory) for my checks to mean anything. Fill it with some real "
                            "data and ask me again.\n");
        return;
    }
    int fired[6] = {
        peak > used && used > 0 && (float)peak / (float)used > 1.5f,
        v[M_MEM_FRAGMENTATION_RATIO].d > 1.4 && v[M_MEM_FRAGMENTATION_BYTES].i > DOCTOR_BIG_DIFF,
        v[M_ALLOCATOR_FRAG_RATIO].d > 1.1 && v[M_ALLOCATOR_FRAG_BYTES].i > DOCTOR_BIG_DIFF,
        v[M_ALLOCATOR_RSS_RATIO].d > 1.1 && v[M_ALLOCATOR_RSS_BYTES].i > DOCTOR_BIG_DIFF,
        v[M_RSS_OVERHEAD_RATIO].d > 1.1 && v[M_RSS_OVERHEAD_BYTES].i > DOCTOR_BIG_DIFF,
        nclients > 0 && v[M_MEM_CLIENTS_NORMAL].u / nclients > DOCTOR_CLIENT_BIG,
    };
    /* Replica buffers and script counts, Redis's other two checks, cannot fire: zmem has
     * neither replicas nor scripts. */
    for (int i = 0; i < 6; i++)
        issues += fired[i];
    if (issues == 0) {
        buf_append_str(out, "Hi Sam, I found no memory issue in this instance. I can only "
                            "judge what this server accounts for.\n");
        return;
    }
    buf_append_str(out, "Sam, I detected a few issues in this Redis instance memory implants:"
                        "\n\n");
    for (int i = 0; i < 6; i++) {
        if (!fired[i])
            continue;
        buf_append_str(out, doctor_text[i]);
        if (i == 1)
            buf_printf(out, "Note: The currently used allocator is \"%s\".\n\n",
                       v[M_MEM_ALLOCATOR].s);
        if (i == 2)
            defrag_advice(out, v);
    }
    buf_append_str(out, "I'm here to keep you safe, Sam. I want to help you.\n");
}
