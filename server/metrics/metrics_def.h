/* metrics_def.h — every metric zmem reports, one row each, in INFO order, with the INFO sections
 * and the MEMORY STATS order. Nothing else lives here: metrics.h expands the tables into ids,
 * definitions and setters; metrics.c fills and renders them.
 *
 * Columns:
 *   id        enum suffix (M_<id>)
 *   sect      INFO section (an id of METRIC_SECTIONS above); rows are grouped by section, and
 *             rows with a NULL INFO name still belong to one, to be collected with it
 *   info      INFO field name, NULL when INFO does not print it
 *   stats     MEMORY STATS key, NULL when absent; METRICS_MEMORY_STATS below gives the order
 *   prom      Prometheus name without the "redis_" prefix, as redis_exporter 1.45 names it
 *             (our own name, in its style, for what the exporter does not know); NULL: not
 *             exported. Where the exporter's name breaks Prometheus's rules, the row takes a
 *             name that keeps them (a counter without _total gets it) or, for the always -1
 *             "_sec" durations of RDB/AOF that zmem does not have, is not exported.
 *   kind      U64, I64, F64 or STR: which member of union metric_value holds it
 *   unit      COUNT, BYTES, BYTES_H (INFO adds a <name>_human twin right after it), HUMAN (bytes
 *             shown only as human text), PCT (INFO "%.2f%%"), RATIO (INFO "%.2f"), SEC (INFO
 *             "%.6f"), USEC (Prometheus converts to seconds), TEXT
 *   type      GAUGE or COUNTER (Prometheus TYPE; counters end in _total, gauges never)
 *   value     LIVE: read when a request collects the row's section, by collect code in
 *             metrics.c through METRIC_SET_<kind>() (tests/unit/test_metrics.c fails if a LIVE
 *             row of a collected section was not written). CONST(x): x whenever the section is
 *             collected: what zmem lacks (Lua, replication, persistence, forks) and what is fixed
 *             at build time. x must match the kind (0.0 in an F64 row), or metrics.c fails to
 *             compile.
 *   help      one sentence, the Prometheus HELP text
 *
 * Rows whose shape is a list (keyspace db lines, commandstats, errorstats, latencystats) are not
 * here: info.c and metrics.c render them with short loops of their own. */
#ifndef ZMEM_SERVER_METRICS_DEF_H
#define ZMEM_SERVER_METRICS_DEF_H

/* INFO sections, in the order INFO prints them: the id (MS_<id>), the "# Title" header, whose
 * lower-case form is also the name INFO takes as an argument, and whether INFO without an
 * argument prints it (IN_DEFAULT) or only INFO <name>, "all" and "everything" do (ON_REQUEST).
 * A section with no rows below is a list section that info.c renders with a loop of its own. */
/* clang-format off */
#define METRIC_SECTIONS(S) \
/*  id             title            set */ \
  S(SERVER,        "Server",        IN_DEFAULT) \
  S(CLIENTS,       "Clients",       IN_DEFAULT) \
  S(MEMORY,        "Memory",        IN_DEFAULT) \
  S(PERSISTENCE,   "Persistence",   IN_DEFAULT) \
  S(STATS,         "Stats",         IN_DEFAULT) \
  S(REPLICATION,   "Replication",   IN_DEFAULT) \
  S(CPU,           "CPU",           IN_DEFAULT) \
  S(MODULES,       "Modules",       IN_DEFAULT) \
  S(COMMANDSTATS,  "Commandstats",  ON_REQUEST) \
  S(ERRORSTATS,    "Errorstats",    IN_DEFAULT) \
  S(LATENCYSTATS,  "Latencystats",  ON_REQUEST) \
  S(CLUSTER,       "Cluster",       IN_DEFAULT) \
  S(KEYSPACE,      "Keyspace",      IN_DEFAULT)
/* clang-format on */

/* clang-format off */
#define METRICS(X) \
/*  id                          sect         info                                 stats                            prom                                     kind unit     type     value                         help */ \
  X(REDIS_VERSION,              SERVER,      "redis_version",                     NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST(ZMEM_REDIS_VERSION),    "Redis version this server answers as, for tools that check it.") \
  X(ZMEM_VERSION,               SERVER,      "zmem_version",                      NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST(ZMEM_VERSION),          "Version of zmem itself.") \
  X(GIT_SHA1,                   SERVER,      "redis_git_sha1",                    NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("00000000"),            "Git commit of the build (zeros: not recorded).") \
  X(GIT_DIRTY,                  SERVER,      "redis_git_dirty",                   NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "1 when the build had uncommitted changes.") \
  X(BUILD_ID,                   SERVER,      "redis_build_id",                    NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Identifier of this build.") \
  X(REDIS_MODE,                 SERVER,      "redis_mode",                        NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("standalone"),          "Server mode: always standalone.") \
  X(OS,                         SERVER,      "os",                                NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Kernel name, release and machine.") \
  X(ARCH_BITS,                  SERVER,      "arch_bits",                         NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(sizeof(void *) * 8),    "Pointer width of the build in bits.") \
  X(MONOTONIC_CLOCK,            SERVER,      "monotonic_clock",                   NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("POSIX clock_gettime"), "Clock used for durations.") \
  X(MULTIPLEXING_API,           SERVER,      "multiplexing_api",                  NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Event notification method libevent uses.") \
  X(ATOMICVAR_API,              SERVER,      "atomicvar_api",                     NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("c11-builtin"),         "Atomic operations used for shared counters.") \
  X(GCC_VERSION,                SERVER,      "gcc_version",                       NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Version of the compiler that built the server.") \
  X(PROCESS_ID,                 SERVER,      "process_id",                        NULL,                            "process_id",                            U64, COUNT,   GAUGE,   LIVE,                         "Process id of the server.") \
  X(PROCESS_SUPERVISED,         SERVER,      "process_supervised",                NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("no"),                  "Supervision system: always no.") \
  X(RUN_ID,                     SERVER,      "run_id",                            NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Random identifier of this run of the server.") \
  X(TCP_PORT,                   SERVER,      "tcp_port",                          NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "TCP port the server listens on.") \
  X(SERVER_TIME_USEC,           SERVER,      "server_time_usec",                  NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Wall clock of the server in microseconds since the epoch.") \
  X(UPTIME_IN_SECONDS,          SERVER,      "uptime_in_seconds",                 NULL,                            "uptime_in_seconds",                     U64, COUNT,   GAUGE,   LIVE,                         "Seconds since the server started.") \
  X(UPTIME_IN_DAYS,             SERVER,      "uptime_in_days",                    NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Whole days since the server started.") \
  X(HZ,                         SERVER,      "hz",                                NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Server cron frequency in calls per second.") \
  X(CONFIGURED_HZ,              SERVER,      "configured_hz",                     NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Configured cron frequency.") \
  X(LRU_CLOCK,                  SERVER,      "lru_clock",                         NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Seconds clock modulo 2^24, as Redis's LRU clock.") \
  X(EXECUTABLE,                 SERVER,      "executable",                        NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Absolute path of the server binary.") \
  X(CONFIG_FILE,                SERVER,      "config_file",                       NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Absolute path of the configuration file, empty when none.") \
  X(IO_THREADS_ACTIVE,          SERVER,      "io_threads_active",                 NULL,                            "io_threads_active",                     U64, COUNT,   GAUGE,   CONST(0),                     "1 when I/O threads are active: always 0.") \
  X(UP,                         SERVER,      NULL,                                NULL,                            "up",                                    U64, COUNT,   GAUGE,   CONST(1),                     "1: the server answered this scrape.") \
  X(START_TIME_SECONDS,         SERVER,      NULL,                                NULL,                            "start_time_seconds",                    U64, COUNT,   GAUGE,   LIVE,                         "Start time of the server in seconds since the epoch.") \
\
  X(CONNECTED_CLIENTS,          CLIENTS,     "connected_clients",                 NULL,                            "connected_clients",                     U64, COUNT,   GAUGE,   LIVE,                         "Client connections open now.") \
  X(CLUSTER_CONNECTIONS,        CLIENTS,     "cluster_connections",               NULL,                            "cluster_connections",                   U64, COUNT,   GAUGE,   CONST(0),                     "Cluster bus connections: always 0.") \
  X(MAXCLIENTS,                 CLIENTS,     "maxclients",                        NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Configured limit of client connections.") \
  X(CLIENT_RECENT_MAX_INPUT,    CLIENTS,     "client_recent_max_input_buffer",    NULL,                            "client_recent_max_input_buffer_bytes",  U64, BYTES,   GAUGE,   LIVE,                         "Largest client query buffer seen since the last clients cron.") \
  X(CLIENT_RECENT_MAX_OUTPUT,   CLIENTS,     "client_recent_max_output_buffer",   NULL,                            "client_recent_max_output_buffer_bytes", U64, BYTES,   GAUGE,   LIVE,                         "Largest client reply buffer seen since the last clients cron.") \
  X(BLOCKED_CLIENTS,            CLIENTS,     "blocked_clients",                   NULL,                            "blocked_clients",                       U64, COUNT,   GAUGE,   LIVE,                         "Clients waiting in a blocking command.") \
  X(TRACKING_CLIENTS,           CLIENTS,     "tracking_clients",                  NULL,                            "tracking_clients",                      U64, COUNT,   GAUGE,   LIVE,                         "Clients with client-side caching tracking on.") \
  X(CLIENTS_IN_TIMEOUT_TABLE,   CLIENTS,     "clients_in_timeout_table",          NULL,                            "clients_in_timeout_table",              U64, COUNT,   GAUGE,   LIVE,                         "Blocked clients with a timeout.") \
\
  X(USED_MEMORY,                MEMORY,      "used_memory",                       "total.allocated",               "memory_used_bytes",                     U64, BYTES_H, GAUGE,   LIVE,                         "Bytes allocated through zmalloc now (allocator usable sizes).") \
  X(USED_MEMORY_RSS,            MEMORY,      "used_memory_rss",                   NULL,                            "memory_used_rss_bytes",                 U64, BYTES_H, GAUGE,   LIVE,                         "Resident set size of the process at the last sample.") \
  X(USED_MEMORY_PEAK,           MEMORY,      "used_memory_peak",                  "peak.allocated",                "memory_used_peak_bytes",                U64, BYTES_H, GAUGE,   LIVE,                         "Highest used_memory since start.") \
  X(USED_MEMORY_PEAK_PERC,      MEMORY,      "used_memory_peak_perc",             "peak.percentage",               NULL,                                    F64, PCT,     GAUGE,   LIVE,                         "used_memory as a percentage of the peak.") \
  X(USED_MEMORY_OVERHEAD,       MEMORY,      "used_memory_overhead",              "overhead.total",                "memory_used_overhead_bytes",            U64, BYTES,   GAUGE,   LIVE,                         "Bytes used by the server beyond keys and values: startup, clients, hash tables.") \
  X(USED_MEMORY_STARTUP,        MEMORY,      "used_memory_startup",               "startup.allocated",             "memory_used_startup_bytes",             U64, BYTES,   GAUGE,   LIVE,                         "used_memory when initialisation ended.") \
  X(USED_MEMORY_DATASET,        MEMORY,      "used_memory_dataset",               "dataset.bytes",                 "memory_used_dataset_bytes",             U64, BYTES,   GAUGE,   LIVE,                         "used_memory minus the overhead (0 if the overhead is larger).") \
  X(USED_MEMORY_DATASET_PERC,   MEMORY,      "used_memory_dataset_perc",          "dataset.percentage",            NULL,                                    F64, PCT,     GAUGE,   LIVE,                         "Dataset as a percentage of used_memory above startup.") \
  X(ALLOCATOR_ALLOCATED,        MEMORY,      "allocator_allocated",               "allocator.allocated",           "allocator_allocated_bytes",             U64, BYTES,   GAUGE,   LIVE,                         "Bytes in blocks the process holds according to the allocator (caches and its own blocks excluded), at the last sample.") \
  X(ALLOCATOR_ACTIVE,           MEMORY,      "allocator_active",                  "allocator.active",              "allocator_active_bytes",                U64, BYTES,   GAUGE,   LIVE,                         "Bytes in allocator pages holding allocated, cached or internal blocks, at the last sample.") \
  X(ALLOCATOR_RESIDENT,         MEMORY,      "allocator_resident",                "allocator.resident",            "allocator_resident_bytes",              U64, BYTES,   GAUGE,   LIVE,                         "Allocator memory resident in RAM (metadata included), at the last sample.") \
  X(TOTAL_SYSTEM_MEMORY,        MEMORY,      "total_system_memory",               NULL,                            "total_system_memory_bytes",             U64, BYTES_H, GAUGE,   LIVE,                         "Physical memory of the machine (or the cgroup limit when lower).") \
  X(USED_MEMORY_LUA,            MEMORY,      "used_memory_lua",                   NULL,                            "memory_used_lua_bytes",                 I64, BYTES,   GAUGE,   CONST(0),                     "Lua VM memory for EVAL: zmem has no Lua, always 0.") \
  X(USED_MEMORY_VM_EVAL,        MEMORY,      "used_memory_vm_eval",               NULL,                            NULL,                                    I64, BYTES,   GAUGE,   CONST(0),                     "Same as used_memory_lua.") \
  X(USED_MEMORY_LUA_HUMAN,      MEMORY,      "used_memory_lua_human",             NULL,                            NULL,                                    I64, HUMAN,   GAUGE,   CONST(0),                     "used_memory_lua in human units.") \
  X(USED_MEMORY_SCRIPTS_EVAL,   MEMORY,      "used_memory_scripts_eval",          "lua.caches",                    NULL,                                    I64, BYTES,   GAUGE,   CONST(0),                     "EVAL script cache: always 0.") \
  X(NUMBER_OF_CACHED_SCRIPTS,   MEMORY,      "number_of_cached_scripts",          NULL,                            "number_of_cached_scripts",              U64, COUNT,   GAUGE,   CONST(0),                     "Cached EVAL scripts: always 0.") \
  X(NUMBER_OF_FUNCTIONS,        MEMORY,      "number_of_functions",               NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Loaded functions: always 0.") \
  X(NUMBER_OF_LIBRARIES,        MEMORY,      "number_of_libraries",               NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Loaded function libraries: always 0.") \
  X(USED_MEMORY_VM_FUNCTIONS,   MEMORY,      "used_memory_vm_functions",          NULL,                            NULL,                                    I64, BYTES,   GAUGE,   CONST(0),                     "Lua VM memory of the functions engine: always 0.") \
  X(USED_MEMORY_VM_TOTAL,       MEMORY,      "used_memory_vm_total",              NULL,                            NULL,                                    I64, BYTES_H, GAUGE,   CONST(0),                     "All Lua VM memory: always 0.") \
  X(USED_MEMORY_FUNCTIONS,      MEMORY,      "used_memory_functions",             "functions.caches",              NULL,                                    I64, BYTES,   GAUGE,   CONST(0),                     "Functions bookkeeping: always 0.") \
  X(USED_MEMORY_SCRIPTS,        MEMORY,      "used_memory_scripts",               NULL,                            "memory_used_scripts_bytes",             I64, BYTES_H, GAUGE,   CONST(0),                     "Script cache plus functions: always 0.") \
  X(MAXMEMORY,                  MEMORY,      "maxmemory",                         NULL,                            "memory_max_bytes",                      I64, BYTES_H, GAUGE,   LIVE,                         "Configured memory limit in bytes, 0 for none.") \
  X(MAXMEMORY_POLICY,           MEMORY,      "maxmemory_policy",                  NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "What happens when the limit is reached.") \
  X(ALLOCATOR_FRAG_RATIO,       MEMORY,      "allocator_frag_ratio",              "allocator-fragmentation.ratio", "allocator_frag_ratio",                  F64, RATIO,   GAUGE,   LIVE,                         "allocator_active / allocator_allocated: page space not holding the process's blocks (free regions, caches, allocator internals).") \
  X(ALLOCATOR_FRAG_BYTES,       MEMORY,      "allocator_frag_bytes",              "allocator-fragmentation.bytes", "allocator_frag_bytes",                  I64, BYTES,   GAUGE,   LIVE,                         "allocator_active - allocator_allocated (never below 0): free regions, thread caches and allocator internals.") \
  X(ALLOCATOR_RSS_RATIO,        MEMORY,      "allocator_rss_ratio",               "allocator-rss.ratio",           "allocator_rss_ratio",                   F64, RATIO,   GAUGE,   LIVE,                         "allocator_resident / allocator_active.") \
  X(ALLOCATOR_RSS_BYTES,        MEMORY,      "allocator_rss_bytes",               "allocator-rss.bytes",           "allocator_rss_bytes",                   I64, BYTES,   GAUGE,   LIVE,                         "allocator_resident - allocator_active.") \
  X(RSS_OVERHEAD_RATIO,         MEMORY,      "rss_overhead_ratio",                "rss-overhead.ratio",            NULL,                                    F64, RATIO,   GAUGE,   LIVE,                         "used_memory_rss / allocator_resident: RSS outside the allocator.") \
  X(RSS_OVERHEAD_BYTES,         MEMORY,      "rss_overhead_bytes",                "rss-overhead.bytes",            NULL,                                    I64, BYTES,   GAUGE,   LIVE,                         "used_memory_rss - allocator_resident.") \
  X(MEM_FRAGMENTATION_RATIO,    MEMORY,      "mem_fragmentation_ratio",           "fragmentation",                 "mem_fragmentation_ratio",               F64, RATIO,   GAUGE,   LIVE,                         "RSS / used_memory, both from the same sample: total RSS overhead.") \
  X(MEM_FRAGMENTATION_BYTES,    MEMORY,      "mem_fragmentation_bytes",           "fragmentation.bytes",           "mem_fragmentation_bytes",               I64, BYTES,   GAUGE,   LIVE,                         "RSS - used_memory, both from the same sample.") \
  X(MEM_NOT_COUNTED_FOR_EVICT,  MEMORY,      "mem_not_counted_for_evict",         NULL,                            "mem_not_counted_for_eviction_bytes",    U64, BYTES,   GAUGE,   CONST(0),                     "Memory left out of the maxmemory check: always 0 (no replication, no AOF).") \
  X(MEM_REPLICATION_BACKLOG,    MEMORY,      "mem_replication_backlog",           "replication.backlog",           NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "Replication backlog: always 0.") \
  X(MEM_TOTAL_REPL_BUFFERS,     MEMORY,      "mem_total_replication_buffers",     NULL,                            NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "Replication buffers: always 0.") \
  X(MEM_CLIENTS_SLAVES,         MEMORY,      "mem_clients_slaves",                "clients.slaves",                "mem_clients_slaves",                    U64, BYTES,   GAUGE,   CONST(0),                     "Replica client buffers: always 0.") \
  X(MEM_CLIENTS_NORMAL,         MEMORY,      "mem_clients_normal",                "clients.normal",                "mem_clients_normal",                    U64, BYTES,   GAUGE,   LIVE,                         "Bytes held by client connections: structs, query and reply buffers, parsers.") \
  X(MEM_CLUSTER_LINKS,          MEMORY,      "mem_cluster_links",                 "cluster.links",                 NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "Cluster bus links: always 0.") \
  X(MEM_AOF_BUFFER,             MEMORY,      "mem_aof_buffer",                    "aof.buffer",                    NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "AOF buffer: always 0.") \
  X(MEM_ALLOCATOR,              MEMORY,      "mem_allocator",                     NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Allocator under zmalloc.") \
  X(ACTIVE_DEFRAG_RUNNING,      MEMORY,      "active_defrag_running",             NULL,                            "active_defrag_running",                 U64, COUNT,   GAUGE,   LIVE,                          "CPU percent active defragmentation may use while a pass runs; 0 when idle.") \
  X(LAZYFREE_PENDING_OBJECTS,   MEMORY,      "lazyfree_pending_objects",          NULL,                            "lazyfree_pending_objects",              U64, COUNT,   GAUGE,   LIVE,                         "Objects waiting for the background free thread.") \
  X(LAZYFREED_OBJECTS,          MEMORY,      "lazyfreed_objects",                 NULL,                            "lazyfreed_objects_total",               U64, COUNT,   COUNTER, LIVE,                         "Objects freed by the background thread since start or CONFIG RESETSTAT.") \
  X(ALLOCATOR_RETAINED,         MEMORY,      "allocator_retained",                NULL,                            "allocator_retained_bytes",              U64, BYTES,   GAUGE,   LIVE,                         "Allocator address space unmapped from RAM but kept for reuse, at the last sample.") \
  X(ALLOCATOR_MUZZY,            MEMORY,      "allocator_muzzy",                   NULL,                            "allocator_muzzy_bytes",                 U64, BYTES,   GAUGE,   LIVE,                         "Pages given back lazily (MADV_FREE) that may still count in RSS, at the last sample.") \
  X(ALLOCATOR_TCACHE,           MEMORY,      "allocator_tcache",                  NULL,                            "allocator_tcache_bytes",                U64, BYTES,   GAUGE,   LIVE,                         "Free blocks parked in the allocator's thread caches (not in allocator_allocated), at the last sample.") \
  X(ALLOCATOR_INTERNAL,         MEMORY,      "allocator_internal",                NULL,                            "allocator_internal_bytes",              U64, BYTES,   GAUGE,   LIVE,                         "Blocks the allocator took from its own arenas for itself (not in allocator_allocated), at the last sample.") \
  X(USED_MEMORY_PRIVATE_DIRTY,  MEMORY,      "used_memory_private_dirty",         NULL,                            "memory_used_private_dirty_bytes",       U64, BYTES_H, GAUGE,   LIVE,                         "Private_Dirty of the process from smaps, at the last sample.") \
  X(MEM_SAMPLE_AGE_MS,          MEMORY,      "mem_sample_age_ms",                 NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Age of the RSS and allocator sample in milliseconds.") \
  X(KEYS_COUNT,                 MEMORY,      NULL,                                "keys.count",                    NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Keys in all databases.") \
  X(KEYS_BYTES_PER_KEY,         MEMORY,      NULL,                                "keys.bytes-per-key",            NULL,                                    U64, BYTES,   GAUGE,   LIVE,                         "(used_memory - startup) / keys, 0 without keys.") \
\
  X(LOADING,                    PERSISTENCE, "loading",                           NULL,                            "loading_dump_file",                     U64, COUNT,   GAUGE,   CONST(0),                     "1 while loading a dump: always 0.") \
  X(ASYNC_LOADING,              PERSISTENCE, "async_loading",                     NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "1 while loading asynchronously: always 0.") \
  X(CURRENT_COW_PEAK,           PERSISTENCE, "current_cow_peak",                  NULL,                            NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "Copy-on-write peak of a running fork: always 0.") \
  X(CURRENT_COW_SIZE,           PERSISTENCE, "current_cow_size",                  NULL,                            NULL,                                    U64, BYTES,   GAUGE,   CONST(0),                     "Copy-on-write size of a running fork: always 0.") \
  X(CURRENT_COW_SIZE_AGE,       PERSISTENCE, "current_cow_size_age",              NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Age of current_cow_size: always 0.") \
  X(CURRENT_FORK_PERC,          PERSISTENCE, "current_fork_perc",                 NULL,                            NULL,                                    F64, RATIO,   GAUGE,   CONST(0.0),                   "Progress of a running fork: always 0.") \
  X(CURRENT_SAVE_KEYS_PROC,     PERSISTENCE, "current_save_keys_processed",       NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Keys saved by a running save: always 0.") \
  X(CURRENT_SAVE_KEYS_TOTAL,    PERSISTENCE, "current_save_keys_total",           NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Keys to save in a running save: always 0.") \
  X(RDB_CHANGES_SINCE_SAVE,     PERSISTENCE, "rdb_changes_since_last_save",       NULL,                            "rdb_changes_since_last_save",           U64, COUNT,   GAUGE,   CONST(0),                     "Changes since the last save: zmem does not persist, always 0.") \
  X(RDB_BGSAVE_IN_PROGRESS,     PERSISTENCE, "rdb_bgsave_in_progress",            NULL,                            "rdb_bgsave_in_progress",                U64, COUNT,   GAUGE,   CONST(0),                     "1 while a background save runs: always 0.") \
  X(RDB_LAST_SAVE_TIME,         PERSISTENCE, "rdb_last_save_time",                NULL,                            "rdb_last_save_timestamp_seconds",       U64, COUNT,   GAUGE,   LIVE,                         "Time of the last save; the start time when never saved.") \
  X(RDB_LAST_BGSAVE_STATUS,     PERSISTENCE, "rdb_last_bgsave_status",            NULL,                            "rdb_last_bgsave_status",                STR, TEXT,    GAUGE,   CONST("ok"),                  "Status of the last background save (1: ok).") \
  X(RDB_LAST_BGSAVE_TIME_SEC,   PERSISTENCE, "rdb_last_bgsave_time_sec",          NULL,                            NULL,                                    I64, COUNT,   GAUGE,   CONST(-1),                    "Duration of the last background save, -1 if none.") \
  X(RDB_CUR_BGSAVE_TIME_SEC,    PERSISTENCE, "rdb_current_bgsave_time_sec",       NULL,                            NULL,                                    I64, COUNT,   GAUGE,   CONST(-1),                    "Duration of the running background save, -1 if none.") \
  X(RDB_SAVES,                  PERSISTENCE, "rdb_saves",                         NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Saves since start: always 0.") \
  X(RDB_LAST_COW_SIZE,          PERSISTENCE, "rdb_last_cow_size",                 NULL,                            "rdb_last_cow_size_bytes",               U64, BYTES,   GAUGE,   CONST(0),                     "Copy-on-write bytes of the last save: always 0.") \
  X(RDB_LAST_LOAD_EXPIRED,      PERSISTENCE, "rdb_last_load_keys_expired",        NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Keys expired during the last load: always 0.") \
  X(RDB_LAST_LOAD_LOADED,       PERSISTENCE, "rdb_last_load_keys_loaded",         NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Keys loaded by the last load: always 0.") \
  X(AOF_ENABLED,                PERSISTENCE, "aof_enabled",                       NULL,                            "aof_enabled",                           U64, COUNT,   GAUGE,   CONST(0),                     "1 when the append-only file is on: always 0.") \
  X(AOF_REWRITE_IN_PROGRESS,    PERSISTENCE, "aof_rewrite_in_progress",           NULL,                            "aof_rewrite_in_progress",               U64, COUNT,   GAUGE,   CONST(0),                     "1 while an AOF rewrite runs: always 0.") \
  X(AOF_REWRITE_SCHEDULED,      PERSISTENCE, "aof_rewrite_scheduled",             NULL,                            "aof_rewrite_scheduled",                 U64, COUNT,   GAUGE,   CONST(0),                     "1 when an AOF rewrite is scheduled: always 0.") \
  X(AOF_LAST_REWRITE_TIME_SEC,  PERSISTENCE, "aof_last_rewrite_time_sec",         NULL,                            NULL,                                    I64, COUNT,   GAUGE,   CONST(-1),                    "Duration of the last AOF rewrite, -1 if none.") \
  X(AOF_CUR_REWRITE_TIME_SEC,   PERSISTENCE, "aof_current_rewrite_time_sec",      NULL,                            NULL,                                    I64, COUNT,   GAUGE,   CONST(-1),                    "Duration of the running AOF rewrite, -1 if none.") \
  X(AOF_LAST_BGREWRITE_STATUS,  PERSISTENCE, "aof_last_bgrewrite_status",         NULL,                            "aof_last_bgrewrite_status",             STR, TEXT,    GAUGE,   CONST("ok"),                  "Status of the last AOF rewrite (1: ok).") \
  X(AOF_REWRITES,               PERSISTENCE, "aof_rewrites",                      NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "AOF rewrites since start: always 0.") \
  X(AOF_REWRITES_CONSEC_FAIL,   PERSISTENCE, "aof_rewrites_consecutive_failures", NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Consecutive failed AOF rewrites: always 0.") \
  X(AOF_LAST_WRITE_STATUS,      PERSISTENCE, "aof_last_write_status",             NULL,                            "aof_last_write_status",                 STR, TEXT,    GAUGE,   CONST("ok"),                  "Status of the last AOF write (1: ok).") \
  X(AOF_LAST_COW_SIZE,          PERSISTENCE, "aof_last_cow_size",                 NULL,                            "aof_last_cow_size_bytes",               U64, BYTES,   GAUGE,   CONST(0),                     "Copy-on-write bytes of the last AOF rewrite: always 0.") \
  X(MODULE_FORK_IN_PROGRESS,    PERSISTENCE, "module_fork_in_progress",           NULL,                            "module_fork_in_progress",               U64, COUNT,   GAUGE,   CONST(0),                     "1 while a module fork runs: always 0.") \
  X(MODULE_FORK_LAST_COW_SIZE,  PERSISTENCE, "module_fork_last_cow_size",         NULL,                            "module_fork_last_cow_size",             U64, BYTES,   GAUGE,   CONST(0),                     "Copy-on-write bytes of the last module fork: always 0.") \
\
  X(TOTAL_CONNECTIONS_RECV,     STATS,       "total_connections_received",        NULL,                            "connections_received_total",            U64, COUNT,   COUNTER, LIVE,                         "Connections accepted since start.") \
  X(TOTAL_COMMANDS_PROCESSED,   STATS,       "total_commands_processed",          NULL,                            "commands_processed_total",              U64, COUNT,   COUNTER, LIVE,                         "Commands executed since start.") \
  X(INSTANTANEOUS_OPS,          STATS,       "instantaneous_ops_per_sec",         NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Commands per second over the last 1.6 seconds.") \
  X(TOTAL_NET_INPUT_BYTES,      STATS,       "total_net_input_bytes",             NULL,                            "net_input_bytes_total",                 U64, BYTES,   COUNTER, LIVE,                         "Bytes read from clients since start.") \
  X(TOTAL_NET_OUTPUT_BYTES,     STATS,       "total_net_output_bytes",            NULL,                            "net_output_bytes_total",                U64, BYTES,   COUNTER, LIVE,                         "Bytes written to clients since start.") \
  X(TOTAL_NET_REPL_INPUT,       STATS,       "total_net_repl_input_bytes",        NULL,                            NULL,                                    U64, BYTES,   COUNTER, CONST(0),                     "Replication bytes read: always 0.") \
  X(TOTAL_NET_REPL_OUTPUT,      STATS,       "total_net_repl_output_bytes",       NULL,                            NULL,                                    U64, BYTES,   COUNTER, CONST(0),                     "Replication bytes written: always 0.") \
  X(INSTANTANEOUS_INPUT_KBPS,   STATS,       "instantaneous_input_kbps",          NULL,                            NULL,                                    F64, RATIO,   GAUGE,   LIVE,                         "Input KiB per second over the last 1.6 seconds.") \
  X(INSTANTANEOUS_OUTPUT_KBPS,  STATS,       "instantaneous_output_kbps",         NULL,                            NULL,                                    F64, RATIO,   GAUGE,   LIVE,                         "Output KiB per second over the last 1.6 seconds.") \
  X(INSTANTANEOUS_IN_REPL,      STATS,       "instantaneous_input_repl_kbps",     NULL,                            NULL,                                    F64, RATIO,   GAUGE,   CONST(0.0),                   "Replication input KiB per second: always 0.") \
  X(INSTANTANEOUS_OUT_REPL,     STATS,       "instantaneous_output_repl_kbps",    NULL,                            NULL,                                    F64, RATIO,   GAUGE,   CONST(0.0),                   "Replication output KiB per second: always 0.") \
  X(REJECTED_CONNECTIONS,       STATS,       "rejected_connections",              NULL,                            "rejected_connections_total",            U64, COUNT,   COUNTER, LIVE,                         "Connections refused because of maxclients.") \
  X(SYNC_FULL,                  STATS,       "sync_full",                         NULL,                            "replica_resyncs_full",                  U64, COUNT,   GAUGE,   CONST(0),                     "Full resyncs with replicas: always 0.") \
  X(SYNC_PARTIAL_OK,            STATS,       "sync_partial_ok",                   NULL,                            "replica_partial_resync_accepted",       U64, COUNT,   GAUGE,   CONST(0),                     "Accepted partial resyncs: always 0.") \
  X(SYNC_PARTIAL_ERR,           STATS,       "sync_partial_err",                  NULL,                            "replica_partial_resync_denied",         U64, COUNT,   GAUGE,   CONST(0),                     "Denied partial resyncs: always 0.") \
  X(EXPIRED_KEYS,               STATS,       "expired_keys",                      NULL,                            "expired_keys_total",                    U64, COUNT,   COUNTER, LIVE,                         "Keys deleted because their TTL passed.") \
  X(EXPIRED_STALE_PERC,         STATS,       "expired_stale_perc",                NULL,                            "expired_stale_percentage",              F64, RATIO,   GAUGE,   LIVE,                         "Estimated percentage of keys already expired but not yet deleted.") \
  X(EXPIRED_TIME_CAP_REACHED,   STATS,       "expired_time_cap_reached_count",    NULL,                            "expired_time_cap_reached_total",        U64, COUNT,   COUNTER, LIVE,                         "Active expire cycles stopped by their time limit.") \
  X(EXPIRE_CYCLE_CPU_MS,        STATS,       "expire_cycle_cpu_milliseconds",     NULL,                            NULL,                                    U64, COUNT,   COUNTER, LIVE,                         "Milliseconds spent in active expiry.") \
  X(EVICTED_KEYS,               STATS,       "evicted_keys",                      NULL,                            "evicted_keys_total",                    U64, COUNT,   COUNTER, LIVE,                         "Keys evicted because of maxmemory.") \
  X(EVICTED_CLIENTS,            STATS,       "evicted_clients",                   NULL,                            NULL,                                    U64, COUNT,   COUNTER, LIVE,                         "Clients closed because all clients together held more than maxmemory-clients.") \
  X(TOTAL_EVICTION_EXCEEDED,    STATS,       "total_eviction_exceeded_time",      NULL,                            NULL,                                    U64, COUNT,   COUNTER, LIVE,                         "Milliseconds spent over maxmemory.") \
  X(CURRENT_EVICTION_EXCEEDED,  STATS,       "current_eviction_exceeded_time",    NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Milliseconds over maxmemory right now: always 0.") \
  X(KEYSPACE_HITS,              STATS,       "keyspace_hits",                     NULL,                            "keyspace_hits_total",                   U64, COUNT,   COUNTER, LIVE,                         "Successful key lookups.") \
  X(KEYSPACE_MISSES,            STATS,       "keyspace_misses",                   NULL,                            "keyspace_misses_total",                 U64, COUNT,   COUNTER, LIVE,                         "Failed key lookups.") \
  X(PUBSUB_CHANNELS,            STATS,       "pubsub_channels",                   NULL,                            "pubsub_channels",                       U64, COUNT,   GAUGE,   LIVE,                         "Pub/sub channels with at least one subscriber.") \
  X(PUBSUB_PATTERNS,            STATS,       "pubsub_patterns",                   NULL,                            "pubsub_patterns",                       U64, COUNT,   GAUGE,   LIVE,                         "Pub/sub patterns with at least one subscriber.") \
  X(PUBSUBSHARD_CHANNELS,       STATS,       "pubsubshard_channels",              NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                         "Shard channels (SSUBSCRIBE) with at least one subscriber.") \
  X(LATEST_FORK_USEC,           STATS,       "latest_fork_usec",                  NULL,                            "latest_fork_seconds",                   U64, USEC,    GAUGE,   CONST(0),                     "Duration of the latest fork: always 0.") \
  X(TOTAL_FORKS,                STATS,       "total_forks",                       NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Forks since start: always 0.") \
  X(MIGRATE_CACHED_SOCKETS,     STATS,       "migrate_cached_sockets",            NULL,                            NULL,                                    U64, COUNT,   GAUGE,   CONST(0),                     "Sockets cached for MIGRATE: always 0.") \
  X(SLAVE_EXPIRES_TRACKED,      STATS,       "slave_expires_tracked_keys",        NULL,                            "slave_expires_tracked_keys",            U64, COUNT,   GAUGE,   CONST(0),                     "Keys with an expiry written on a writable replica: always 0.") \
  X(ACTIVE_DEFRAG_HITS,         STATS,       "active_defrag_hits",                NULL,                            "defrag_hits",                           U64, COUNT,   GAUGE,   LIVE,                          "Blocks moved by active defragmentation.") \
  X(ACTIVE_DEFRAG_MISSES,       STATS,       "active_defrag_misses",              NULL,                            "defrag_misses",                         U64, COUNT,   GAUGE,   LIVE,                          "Blocks active defragmentation looked at and left in place.") \
  X(ACTIVE_DEFRAG_KEY_HITS,     STATS,       "active_defrag_key_hits",            NULL,                            "defrag_key_hits",                       U64, COUNT,   GAUGE,   LIVE,                          "Keys with at least one block moved by active defragmentation.") \
  X(ACTIVE_DEFRAG_KEY_MISSES,   STATS,       "active_defrag_key_misses",          NULL,                            "defrag_key_misses",                     U64, COUNT,   GAUGE,   LIVE,                          "Keys active defragmentation looked at and left in place.") \
  X(ACTIVE_DEFRAG_OTHER_HITS,   STATS,       "active_defrag_other_hits",          NULL,                            "defrag_other_hits",                     U64, COUNT,   GAUGE,   LIVE,                          "Blocks outside the keyspace (pub/sub, tracking) moved by active defragmentation; in hits too.") \
  X(TOTAL_ACTIVE_DEFRAG_TIME,   STATS,       "total_active_defrag_time",          NULL,                            NULL,                                    U64, COUNT,   COUNTER, LIVE,                          "Milliseconds active defragmentation passes ran, start to end.") \
  X(CURRENT_ACTIVE_DEFRAG_TIME, STATS,       "current_active_defrag_time",        NULL,                            NULL,                                    U64, COUNT,   GAUGE,   LIVE,                          "Milliseconds since the running defragmentation pass started; 0 when idle.") \
  X(TRACKING_TOTAL_KEYS,        STATS,       "tracking_total_keys",               NULL,                            "tracking_total_keys",                   U64, COUNT,   GAUGE,   LIVE,                         "Keys in the client tracking table (read by a tracking client since their last change).") \
  X(TRACKING_TOTAL_ITEMS,       STATS,       "tracking_total_items",              NULL,                            "tracking_total_items",                  U64, COUNT,   GAUGE,   LIVE,                         "Key-client pairs in the client tracking table.") \
  X(TRACKING_TOTAL_PREFIXES,    STATS,       "tracking_total_prefixes",           NULL,                            "tracking_total_prefixes",               U64, COUNT,   GAUGE,   LIVE,                         "BCAST prefixes followed by tracking clients.") \
  X(UNEXPECTED_ERROR_REPLIES,   STATS,       "unexpected_error_replies",          NULL,                            "unexpected_error_replies_total",        U64, COUNT,   COUNTER, LIVE,                         "Error replies of a kind that should never happen.") \
  X(CROSS_PROTOCOL_CLOSED,      STATS,       "cross_protocol_closed",             NULL,                            "cross_protocol_closed_total",           U64, COUNT,   COUNTER, LIVE,                         "Connections closed for sending an HTTP request line or Host: header to the RESP port.") \
  X(TOTAL_ERROR_REPLIES,        STATS,       "total_error_replies",               NULL,                            "error_replies_total",                   U64, COUNT,   COUNTER, LIVE,                         "Error replies sent since start.") \
  X(DUMP_PAYLOAD_SANITIZE,      STATS,       "dump_payload_sanitizations",        NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "DUMP payload deep checks: always 0.") \
  X(TOTAL_READS_PROCESSED,      STATS,       "total_reads_processed",             NULL,                            "reads_processed_total",                 U64, COUNT,   COUNTER, LIVE,                         "Read events handled since start.") \
  X(TOTAL_WRITES_PROCESSED,     STATS,       "total_writes_processed",            NULL,                            "writes_processed_total",                U64, COUNT,   COUNTER, LIVE,                         "Write events handled since start.") \
  X(IO_THREADED_READS,          STATS,       "io_threaded_reads_processed",       NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Reads done by I/O threads: always 0.") \
  X(IO_THREADED_WRITES,         STATS,       "io_threaded_writes_processed",      NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Writes done by I/O threads: always 0.") \
  X(REPLY_BUFFER_SHRINKS,       STATS,       "reply_buffer_shrinks",              NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Reply buffer shrinks: not tracked, 0.") \
  X(REPLY_BUFFER_EXPANDS,       STATS,       "reply_buffer_expands",              NULL,                            NULL,                                    U64, COUNT,   COUNTER, CONST(0),                     "Reply buffer expansions: not tracked, 0.") \
\
  X(ROLE,                       REPLICATION, "role",                              NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("master"),              "Replication role: always master.") \
  X(CONNECTED_SLAVES,           REPLICATION, "connected_slaves",                  NULL,                            "connected_slaves",                      U64, COUNT,   GAUGE,   CONST(0),                     "Connected replicas: always 0.") \
  X(MASTER_FAILOVER_STATE,      REPLICATION, "master_failover_state",             NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("no-failover"),         "Failover state: always no-failover.") \
  X(MASTER_REPLID,              REPLICATION, "master_replid",                     NULL,                            NULL,                                    STR, TEXT,    GAUGE,   LIVE,                         "Replication id of this run.") \
  X(MASTER_REPLID2,             REPLICATION, "master_replid2",                    NULL,                            NULL,                                    STR, TEXT,    GAUGE,   CONST("0000000000000000000000000000000000000000"),"Previous replication id: none.") \
  X(MASTER_REPL_OFFSET,         REPLICATION, "master_repl_offset",                NULL,                            "master_repl_offset",                    U64, COUNT,   GAUGE,   CONST(0),                     "Replication offset: always 0.") \
  X(SECOND_REPL_OFFSET,         REPLICATION, "second_repl_offset",                NULL,                            "second_repl_offset",                    I64, COUNT,   GAUGE,   CONST(-1),                    "Offset up to which master_replid2 is valid: -1.") \
  X(REPL_BACKLOG_ACTIVE,        REPLICATION, "repl_backlog_active",               NULL,                            "repl_backlog_is_active",                U64, COUNT,   GAUGE,   CONST(0),                     "1 when a replication backlog exists: always 0.") \
  X(REPL_BACKLOG_SIZE,          REPLICATION, "repl_backlog_size",                 NULL,                            "replication_backlog_bytes",             U64, BYTES,   GAUGE,   CONST(1048576),               "Configured replication backlog size (Redis's default; never allocated).") \
  X(REPL_BACKLOG_FIRST_BYTE,    REPLICATION, "repl_backlog_first_byte_offset",    NULL,                            "repl_backlog_first_byte_offset",        U64, COUNT,   GAUGE,   CONST(0),                     "First offset in the backlog: always 0.") \
  X(REPL_BACKLOG_HISTLEN,       REPLICATION, "repl_backlog_histlen",              NULL,                            "repl_backlog_history_bytes",            U64, BYTES,   GAUGE,   CONST(0),                     "Bytes of history in the backlog: always 0.") \
\
  X(USED_CPU_SYS,               CPU,         "used_cpu_sys",                      NULL,                            "cpu_sys_seconds_total",                 F64, SEC,     COUNTER, LIVE,                         "System CPU seconds of the process.") \
  X(USED_CPU_USER,              CPU,         "used_cpu_user",                     NULL,                            "cpu_user_seconds_total",                F64, SEC,     COUNTER, LIVE,                         "User CPU seconds of the process.") \
  X(USED_CPU_SYS_CHILDREN,      CPU,         "used_cpu_sys_children",             NULL,                            "cpu_sys_children_seconds_total",        F64, SEC,     COUNTER, LIVE,                         "System CPU seconds of waited-for children.") \
  X(USED_CPU_USER_CHILDREN,     CPU,         "used_cpu_user_children",            NULL,                            "cpu_user_children_seconds_total",       F64, SEC,     COUNTER, LIVE,                         "User CPU seconds of waited-for children.") \
  X(USED_CPU_SYS_MAIN,          CPU,         "used_cpu_sys_main_thread",          NULL,                            "cpu_sys_main_thread_seconds_total",     F64, SEC,     COUNTER, LIVE,                         "System CPU seconds of the event loop thread.") \
  X(USED_CPU_USER_MAIN,         CPU,         "used_cpu_user_main_thread",         NULL,                            "cpu_user_main_thread_seconds_total",    F64, SEC,     COUNTER, LIVE,                         "User CPU seconds of the event loop thread.") \
\
  X(CLUSTER_ENABLED,            CLUSTER,     "cluster_enabled",                   NULL,                            "cluster_enabled",                       U64, COUNT,   GAUGE,   CONST(0),                     "1 in cluster mode: always 0.")
/* clang-format on */

/* MEMORY STATS, in Redis's order: K(id) is a row whose stats key and value it prints; DBS() is
 * where the db.<N> maps of the non-empty databases go. Every row with a stats key is here once
 * (tests/unit/test_metrics.c checks it). */
/* clang-format off */
#define METRICS_MEMORY_STATS(K, DBS) \
  K(USED_MEMORY_PEAK) \
  K(USED_MEMORY) \
  K(USED_MEMORY_STARTUP) \
  K(MEM_REPLICATION_BACKLOG) \
  K(MEM_CLIENTS_SLAVES) \
  K(MEM_CLIENTS_NORMAL) \
  K(MEM_CLUSTER_LINKS) \
  K(MEM_AOF_BUFFER) \
  K(USED_MEMORY_SCRIPTS_EVAL) \
  K(USED_MEMORY_FUNCTIONS) \
  DBS() \
  K(USED_MEMORY_OVERHEAD) \
  K(KEYS_COUNT) \
  K(KEYS_BYTES_PER_KEY) \
  K(USED_MEMORY_DATASET) \
  K(USED_MEMORY_DATASET_PERC) \
  K(USED_MEMORY_PEAK_PERC) \
  K(ALLOCATOR_ALLOCATED) \
  K(ALLOCATOR_ACTIVE) \
  K(ALLOCATOR_RESIDENT) \
  K(ALLOCATOR_FRAG_RATIO) \
  K(ALLOCATOR_FRAG_BYTES) \
  K(ALLOCATOR_RSS_RATIO) \
  K(ALLOCATOR_RSS_BYTES) \
  K(RSS_OVERHEAD_RATIO) \
  K(RSS_OVERHEAD_BYTES) \
  K(MEM_FRAGMENTATION_RATIO) \
  K(MEM_FRAGMENTATION_BYTES)
/* clang-format on */

#endif
