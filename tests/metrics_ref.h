/* metrics_ref.h — external references for the metrics tests: what Redis 7.0.15 prints, copied
 * from docs/redis-compat.md ("INFO memory fields, in order", "MEMORY STATS"), independent of
 * server/metrics/metrics_def.h. */
#ifndef ZMEM_TESTS_METRICS_REF_H
#define ZMEM_TESTS_METRICS_REF_H

/* INFO memory, in Redis's order. */
static const char *const redis_memory_fields[51] = {
    "used_memory",
    "used_memory_human",
    "used_memory_rss",
    "used_memory_rss_human",
    "used_memory_peak",
    "used_memory_peak_human",
    "used_memory_peak_perc",
    "used_memory_overhead",
    "used_memory_startup",
    "used_memory_dataset",
    "used_memory_dataset_perc",
    "allocator_allocated",
    "allocator_active",
    "allocator_resident",
    "total_system_memory",
    "total_system_memory_human",
    "used_memory_lua",
    "used_memory_vm_eval",
    "used_memory_lua_human",
    "used_memory_scripts_eval",
    "number_of_cached_scripts",
    "number_of_functions",
    "number_of_libraries",
    "used_memory_vm_functions",
    "used_memory_vm_total",
    "used_memory_vm_total_human",
    "used_memory_functions",
    "used_memory_scripts",
    "used_memory_scripts_human",
    "maxmemory",
    "maxmemory_human",
    "maxmemory_policy",
    "allocator_frag_ratio",
    "allocator_frag_bytes",
    "allocator_rss_ratio",
    "allocator_rss_bytes",
    "rss_overhead_ratio",
    "rss_overhead_bytes",
    "mem_fragmentation_ratio",
    "mem_fragmentation_bytes",
    "mem_not_counted_for_evict",
    "mem_replication_backlog",
    "mem_total_replication_buffers",
    "mem_clients_slaves",
    "mem_clients_normal",
    "mem_cluster_links",
    "mem_aof_buffer",
    "mem_allocator",
    "active_defrag_running",
    "lazyfree_pending_objects",
    "lazyfreed_objects",
};

/* MEMORY STATS keys without the db.<N> maps (which follow "functions.caches"), in order. */
static const char *const redis_stats_keys[27] = {
    "peak.allocated",
    "total.allocated",
    "startup.allocated",
    "replication.backlog",
    "clients.slaves",
    "clients.normal",
    "cluster.links",
    "aof.buffer",
    "lua.caches",
    "functions.caches",
    "overhead.total",
    "keys.count",
    "keys.bytes-per-key",
    "dataset.bytes",
    "dataset.percentage",
    "peak.percentage",
    "allocator.allocated",
    "allocator.active",
    "allocator.resident",
    "allocator-fragmentation.ratio",
    "allocator-fragmentation.bytes",
    "allocator-rss.ratio",
    "allocator-rss.bytes",
    "rss-overhead.ratio",
    "rss-overhead.bytes",
    "fragmentation",
    "fragmentation.bytes",
};

/* The MEMORY STATS values that are doubles (RESP2 bulk "%.17g", RESP3 ','); the rest are ints. */
static const char *const redis_stats_doubles[6] = {
    "dataset.percentage",  "peak.percentage",    "allocator-fragmentation.ratio",
    "allocator-rss.ratio", "rss-overhead.ratio", "fragmentation",
};

static inline int
redis_stats_is_double(const char *key)
{
    for (int i = 0; i < 6; i++) {
        const char *a = key, *b = redis_stats_doubles[i];
        while (*a && *a == *b)
            a++, b++;
        if (*a == *b)
            return 1;
    }
    return 0;
}

#endif
