/* config.c — the option table (one X-macro row per option) and everything driven by it:
 * defaults, "--name value" arguments, the config file, --help, CONFIG GET and CONFIG SET.
 * Values are parsed by one function per type, so the file, the command line and CONFIG SET
 * accept exactly the same spellings and reject them with the same messages. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memcat.h"
#include "config_redis.h"
#include "util.h"
#include "zmalloc.h"

enum opt_type {
    OPT_INT,
    OPT_LL,
    OPT_MEM,
    OPT_MEMPCT, /* bytes, or "N%": stored as -N */
    OPT_BOOL,
    OPT_STR,
    OPT_POLICY,
    OPT_LOGLEVEL,
    OPT_OBUF,
    OPT_NOTIFY,
    OPT_ENABLE,      /* no | yes | local */
    OPT_SUPERVISED,  /* no | upstart | systemd | auto */
    OPT_DIR,         /* an existing directory, stored as given */
    OPT_FILENAME,    /* a file name without '/' */
    OPT_PERCENTILES, /* space-separated numbers within 0..100, stored normalised */
};

/* The mutable column: 0 fixed at start, 1 CONFIG SET may change it, 2 only while
 * enable-protected-configs is yes (Redis's protected configs: dir, dbfilename). */
#define PROTECTED 2

/*        name                      type          field                    default       min max
 * mutable help */
#define CONFIG_OPTIONS(X)                                                                          \
    X("port", OPT_INT, port, "6379", 0, 65535, 1, "TCP port to listen on")                         \
    X("bind", OPT_STR, bind, "127.0.0.1 -::1", 0, 0, 1,                                            \
      "addresses to listen on; a leading '-' means skip it if unavailable")                        \
    X("maxmemory", OPT_MEM, maxmemory, "0", 0, LLONG_MAX, 1,                                       \
      "memory limit in bytes (100mb, 1gb...); 0 means none")                                       \
    X("maxmemory-clients", OPT_MEMPCT, maxmemory_clients, "0", 0, LLONG_MAX, 1,                    \
      "evict the biggest clients once all clients hold more than this (bytes, or N% of "           \
      "maxmemory); 0 means no limit")                                                              \
    X("maxmemory-policy", OPT_POLICY, maxmemory_policy, "noeviction", 0, 0, 1,                     \
      "what to evict at the limit")                                                                \
    X("maxmemory-samples", OPT_INT, maxmemory_samples, "5", 1, INT_MAX, 1,                         \
      "keys sampled per eviction")                                                                 \
    X("requirepass", OPT_STR, requirepass, "", 0, 0, 1, "password for AUTH; empty means none")     \
    X("metrics-port", OPT_INT, metrics_port, "0", 0, 65535, 0,                                     \
      "HTTP port serving Prometheus /metrics; 0 means off")                                        \
    X("metrics-bind", OPT_STR, metrics_bind, "127.0.0.1", 0, 0, 0,                                 \
      "numeric address /metrics listens on; loopback only, unless a password is in force "         \
      "(metrics-password or requirepass): then any address")                                       \
    X("metrics-password", OPT_STR, metrics_password, "", 0, 0, 1,                                  \
      "password for HTTP Basic (user default) or Bearer auth on the metrics port; empty means "    \
      "requirepass, if any")                                                                       \
    X("metrics-tls-cert-file", OPT_STR, metrics_tls_cert_file, "", 0, 0, 0,                        \
      "PEM certificate chain: serve the metrics port over TLS (with metrics-tls-key-file)")        \
    X("metrics-tls-key-file", OPT_STR, metrics_tls_key_file, "", 0, 0, 0,                          \
      "PEM private key of metrics-tls-cert-file")                                                  \
    X("logfile", OPT_STR, logfile, "", 0, 0, 0, "log file; empty means standard output")           \
    X("loglevel", OPT_LOGLEVEL, loglevel, "notice", 0, 0, 1, "debug, verbose, notice or warning")  \
    X("daemonize", OPT_BOOL, daemonize, "no", 0, 1, 0, "run in the background")                    \
    X("pidfile", OPT_STR, pidfile, "", 0, 0, 0, "file to write the process id to")                 \
    X("hz", OPT_INT, hz, "10", 0, INT_MAX, 1, "background task frequency (clamped to 1..500)")     \
    X("databases", OPT_INT, databases, "16", 1, INT_MAX, 0, "number of databases")                 \
    X("maxclients", OPT_INT, maxclients, "10000", 1, INT_MAX, 1, "maximum connected clients")      \
    X("timeout", OPT_INT, timeout, "0", 0, INT_MAX, 1,                                             \
      "close clients idle this many seconds; 0 means never")                                       \
    X("lazyfree-lazy-user-del", OPT_BOOL, lazyfree_lazy_user_del, "no", 0, 1, 1,                   \
      "DEL frees values in the background like UNLINK")                                            \
    X("client-query-buffer-limit", OPT_MEM, client_query_buffer_limit, "1073741824", 1048576,      \
      LLONG_MAX, 1, "close a client whose unprocessed input grows past this")                      \
    X("protected-mode", OPT_BOOL, protected_mode, "yes", 0, 1, 1,                                  \
      "while no password is set, refuse clients that are not on 127.0.0.1 or ::1")                 \
    X("tcp-keepalive", OPT_INT, tcp_keepalive, "300", 0, INT_MAX, 1,                               \
      "seconds of silence before TCP keepalive probes a connection; 0 off (new connections)")      \
    X("first-command-timeout", OPT_INT, first_command_timeout, "10", 0, INT_MAX, 1,                \
      "close a connection that sent bytes but no complete command within this many seconds; "      \
      "0 never")                                                                                   \
    X("client-output-buffer-limit", OPT_OBUF, obuf_limits,                                         \
      "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", 0, 0, 1,              \
      "<class> <hard> <soft> <soft-seconds>... for normal, replica (slave) and pubsub clients")    \
    X("proto-max-bulk-len", OPT_MEM, proto_max_bulk_len, "536870912", 1048576, LLONG_MAX, 1,       \
      "largest bulk string a client may send")                                                     \
    X("slowlog-log-slower-than", OPT_LL, slowlog_log_slower_than, "10000", -1, LLONG_MAX, 1,       \
      "log commands slower than this many microseconds; -1 off")                                   \
    X("slowlog-max-len", OPT_INT, slowlog_max_len, "128", 0, INT_MAX, 1,                           \
      "entries kept in the slow log")                                                              \
    X("notify-keyspace-events", OPT_NOTIFY, notify_keyspace_events, "", 0, 0, 1,                   \
      "keyspace notification classes: Redis's letters K E g $ l s h z x e t m d n A")              \
    X("memory-history-len", OPT_INT, memory_history_len, "3600", 0, 1000000, 1,                    \
      "memory samples kept, one a second (MEMORY HISTORY, /history); 0 means off")                 \
    X("activerehashing", OPT_BOOL, activerehashing, "yes", 0, 1, 1,                                \
      "accepted for Redis compatibility: zmem's tables always rehash incrementally")               \
    X("enable-debug-command", OPT_ENABLE, enable_debug_command, "no", 0, 0, 0,                     \
      "allow DEBUG: no, yes, or local (loopback clients only)")                                    \
    X("enable-protected-configs", OPT_ENABLE, enable_protected_configs, "no", 0, 0, 0,             \
      "allow CONFIG SET of dir and dbfilename: no or yes (local is treated as no)")                \
    X("enable-module-command", OPT_ENABLE, enable_module_command, "no", 0, 0, 0,                   \
      "accepted for Redis compatibility: zmem loads no modules")                                   \
    X("hash-max-listpack-entries", OPT_LL, hash_max_listpack_entries, "128", 0, LONG_MAX, 1,       \
      "a hash with more fields becomes a hashtable")                                               \
    X("hash-max-listpack-value", OPT_LL, hash_max_listpack_value, "64", 0, LONG_MAX, 1,            \
      "a hash with a longer field or value becomes a hashtable")                                   \
    X("list-max-listpack-size", OPT_INT, list_max_listpack_size, "-2", INT_MIN, INT_MAX, 1,        \
      "-1..-5: list packs of at most 4, 8, 16, 32 or 64 KiB; positive counts are kept, not used")  \
    X("list-compress-depth", OPT_INT, list_compress_depth, "0", 0, INT_MAX, 1,                     \
      "accepted for Redis compatibility: zmem does not compress list nodes")                       \
    X("set-max-intset-entries", OPT_LL, set_max_intset_entries, "512", 0, LONG_MAX, 1,             \
      "accepted for Redis compatibility: intsets hold at most 512 integers")                       \
    X("zset-max-listpack-entries", OPT_LL, zset_max_listpack_entries, "128", 0, LONG_MAX, 1,       \
      "a sorted set with more members becomes a skiplist")                                         \
    X("zset-max-listpack-value", OPT_LL, zset_max_listpack_value, "64", 0, LONG_MAX, 1,            \
      "a sorted set with a longer member becomes a skiplist")                                      \
    X("latency-monitor-threshold", OPT_LL, latency_monitor_threshold, "0", 0, LLONG_MAX, 1,        \
      "record latency events of at least this many milliseconds (LATENCY); 0 off")                 \
    X("latency-tracking", OPT_BOOL, latency_tracking, "yes", 0, 1, 1,                              \
      "per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats)")                     \
    X("latency-tracking-info-percentiles", OPT_PERCENTILES, latency_tracking_info_percentiles,     \
      "50 99 99.9", 0, 0, 1, "percentiles INFO latencystats shows for each command")               \
    X("lfu-log-factor", OPT_INT, lfu_log_factor, "10", 0, INT_MAX, 1,                              \
      "how many hits it takes to raise an LFU counter")                                            \
    X("lfu-decay-time", OPT_INT, lfu_decay_time, "1", 0, INT_MAX, 1,                               \
      "minutes of idleness per LFU counter decrement; 0 never")                                    \
    X("lazyfree-lazy-eviction", OPT_BOOL, lazyfree_lazy_eviction, "no", 0, 1, 1,                   \
      "accepted for Redis compatibility")                                                          \
    X("lazyfree-lazy-expire", OPT_BOOL, lazyfree_lazy_expire, "no", 0, 1, 1,                       \
      "accepted for Redis compatibility")                                                          \
    X("lazyfree-lazy-server-del", OPT_BOOL, lazyfree_lazy_server_del, "no", 0, 1, 1,               \
      "accepted for Redis compatibility")                                                          \
    X("lazyfree-lazy-user-flush", OPT_BOOL, lazyfree_lazy_user_flush, "no", 0, 1, 1,               \
      "accepted for Redis compatibility")                                                          \
    X("replica-lazy-flush", OPT_BOOL, replica_lazy_flush, "no", 0, 1, 1,                           \
      "accepted for Redis compatibility: zmem has no replication")                                 \
    X("dir", OPT_DIR, dir, "", 0, 0, PROTECTED,                                                    \
      "accepted for Redis compatibility (must exist): zmem writes no data files")                  \
    X("dbfilename", OPT_FILENAME, dbfilename, "dump.rdb", 0, 0, PROTECTED,                         \
      "accepted for Redis compatibility: zmem writes no RDB file")                                 \
    X("tcp-backlog", OPT_INT, tcp_backlog, "511", 0, INT_MAX, 0,                                   \
      "accepted for Redis compatibility: the listen backlog is 511")                               \
    X("supervised", OPT_SUPERVISED, supervised, "no", 0, 0, 0,                                     \
      "accepted for Redis compatibility: zmem does not notify a supervisor")                       \
    X("maxmemory-eviction-tenacity", OPT_INT, maxmemory_eviction_tenacity, "10", 0, 100, 1,        \
      "how long one eviction pass may run: 10 is 500us, 100 unbounded")                            \
    X("active-expire-effort", OPT_INT, active_expire_effort, "1", 1, 10, 1,                        \
      "accepted for Redis compatibility")                                                          \
    X("activedefrag", OPT_BOOL, activedefrag, "no", 0, 1, 1,                                       \
      "move values to give fragmented memory back (needs jemalloc)")                               \
    X("active-defrag-ignore-bytes", OPT_MEM, active_defrag_ignore_bytes, "104857600", 1,           \
      LLONG_MAX, 1, "fragmentation bytes below which defragmentation does not start")              \
    X("active-defrag-threshold-lower", OPT_INT, active_defrag_threshold_lower, "10", 0, 1000, 1,   \
      "fragmentation percent at which defragmentation starts")                                     \
    X("active-defrag-threshold-upper", OPT_INT, active_defrag_threshold_upper, "100", 0, 1000, 1,  \
      "fragmentation percent at which defragmentation works hardest")                              \
    X("active-defrag-cycle-min", OPT_INT, active_defrag_cycle_min, "1", 1, 99, 1,                  \
      "least CPU percent defragmentation uses while running")                                      \
    X("active-defrag-cycle-max", OPT_INT, active_defrag_cycle_max, "25", 1, 99, 1,                 \
      "most CPU percent defragmentation uses")                                                     \
    X("active-defrag-max-scan-fields", OPT_LL, active_defrag_max_scan_fields, "1000", 1,           \
      LLONG_MAX, 1, "elements of a big value defragmented per step")                               \
    X("tracking-table-max-keys", OPT_LL, tracking_table_max_keys, "1000000", 0, LONG_MAX, 1,       \
      "keys the client tracking table holds before random ones are invalidated; 0 no limit")

struct opt {
    const char *name;
    enum opt_type type;
    size_t offset;
    const char *def;
    long long min, max;
    int mutable_;
    const char *help;
};

#define OPT_ROW(n, t, f, d, lo, hi, m, h) {n, t, offsetof(struct config, f), d, lo, hi, m, h},
static const struct opt options[] = {CONFIG_OPTIONS(OPT_ROW)};
#undef OPT_ROW
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const char *const enable_names[] = {"no", "yes", "local"};
static const char *const supervised_names[] = {"no", "upstart", "systemd", "auto"};

/* maxmemory-policy names in the order Redis lists them in its error message. */
static const struct {
    const char *name;
    int value;
} policies[] = {
    {"volatile-lru", MAXMEMORY_VOLATILE_LRU},       {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
    {"volatile-random", MAXMEMORY_VOLATILE_RANDOM}, {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
    {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU},         {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
    {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM},   {"noeviction", MAXMEMORY_NOEVICTION},
};
static const char *const loglevels[] = {"debug", "verbose", "notice", "warning"};

static struct config cfg;
static int cfg_loaded;

const struct config *
config_get(void)
{
    return &cfg;
}

const char *
config_metrics_password(void)
{
    return cfg.metrics_password[0] ? cfg.metrics_password : cfg.requirepass;
}

int
config_check_metrics_password(const char *requirepass, const char *metrics_password, char *err,
                              size_t errlen)
{
    const char *rp = requirepass ? requirepass : cfg.requirepass;
    const char *mp = metrics_password ? metrics_password : cfg.metrics_password;

    /* metrics-port and metrics-bind are fixed at start, so this is the listener in service (a
     * non-loopback one only started because a password was in force). */
    if (cfg.metrics_port == 0 || addr_is_loopback(cfg.metrics_bind) == 1 || rp[0] || mp[0])
        return 0;
    snprintf(err, errlen,
             "ERR CONFIG SET failed (possibly related to argument '%s') - the metrics listener "
             "is bound to %s, not loopback, and would be left without a password",
             metrics_password ? "metrics-password" : "requirepass", cfg.metrics_bind);
    return -1;
}

const char *
config_policy_name(int policy)
{
    for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
        if (policies[i].value == policy)
            return policies[i].name;
    return "noeviction";
}

/* notify-keyspace-events letters and their NOTIFY_* classes, in the order Redis prints them. */
static const struct {
    char letter;
    int flag;
} notify_letters[] = {
    {'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING}, {'l', NOTIFY_LIST},    {'s', NOTIFY_SET},
    {'h', NOTIFY_HASH},    {'z', NOTIFY_ZSET},   {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED},
    {'t', NOTIFY_STREAM},  {'d', NOTIFY_MODULE}, {'n', NOTIFY_NEW},
};

int
notify_flags_parse(const char *s)
{
    int flags = 0;

    for (; *s; s++) {
        int f = 0;
        switch (*s) {
        case 'A':
            f = NOTIFY_ALL;
            break;
        case 'K':
            f = NOTIFY_KEYSPACE;
            break;
        case 'E':
            f = NOTIFY_KEYEVENT;
            break;
        case 'm':
            f = NOTIFY_KEY_MISS;
            break;
        default:
            for (size_t i = 0; i < sizeof(notify_letters) / sizeof(notify_letters[0]); i++)
                if (notify_letters[i].letter == *s)
                    f = notify_letters[i].flag;
            if (f == 0)
                return -1;
        }
        flags |= f;
    }
    return flags;
}

void
notify_flags_format(int flags, char *dst, size_t size)
{
    size_t n = 0;

    if (size == 0)
        return;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (n + 1 < size)                                                                          \
            dst[n++] = (ch);                                                                       \
    } while (0)
    /* Redis prints "A" for the whole set (then 'n', though in force, is not shown), each class
     * letter otherwise. */
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        PUT('A');
    } else {
        for (size_t i = 0; i < sizeof(notify_letters) / sizeof(notify_letters[0]); i++)
            if (flags & notify_letters[i].flag)
                PUT(notify_letters[i].letter);
    }
    if (flags & NOTIFY_KEYSPACE)
        PUT('K');
    if (flags & NOTIFY_KEYEVENT)
        PUT('E');
    if (flags & NOTIFY_KEY_MISS)
        PUT('m');
#undef PUT
    dst[n] = '\0';
}

static const struct opt *
opt_find(const char *name)
{
    name = config_alias_target(name);
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcasecmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

/* ---- Parsing one value ---- */

/* A parsed value, before it is stored. */
union opt_value {
    long long ll;
    const char *str;
    struct obuf_limit obuf[OBUF_CLASSES];
};

/* Class names as CONFIG GET prints them; "replica" is accepted for "slave", as in Redis. */
static const char *const obuf_class_names[OBUF_CLASSES] = {"normal", "slave", "pubsub"};

/* client-output-buffer-limit: groups of "<class> <hard> <soft> <soft-seconds>", each class
 * given replacing only that class (the rest keep their current values), with Redis's errors. */
static int
obuf_parse(const char *value, struct obuf_limit *out, char *err, size_t errlen)
{
    char copy[512], *words[64], *save = NULL;
    int n = 0;

    if (strlen(value) >= sizeof(copy)) {
        snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    memcpy(out, cfg.obuf_limits, sizeof(cfg.obuf_limits));
    strcpy(copy, value);
    for (char *w = strtok_r(copy, " \t", &save); w && n < 64; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    if (n == 0 || n % 4 != 0) {
        snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    for (int i = 0; i < n; i += 4) {
        int cls = -1;
        for (int k = 0; k < OBUF_CLASSES; k++)
            if (strcasecmp(words[i], obuf_class_names[k]) == 0)
                cls = k;
        if (strcasecmp(words[i], "replica") == 0)
            cls = OBUF_REPLICA;
        if (cls < 0) {
            snprintf(err, errlen, "Invalid client class specified in buffer limit configuration.");
            return -1;
        }
        long long hard, soft, secs;
        if (str_to_memory(words[i + 1], &hard) < 0 || str_to_memory(words[i + 2], &soft) < 0 ||
            str_to_ll(words[i + 3], strlen(words[i + 3]), &secs) < 0 || hard < 0 || soft < 0 ||
            secs < 0 || secs > INT_MAX) {
            snprintf(err, errlen,
                     "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            return -1;
        }
        out[cls] = (struct obuf_limit){hard, soft, (int)secs};
    }
    return 0;
}

/* Parse value for opt into *out. Returns 0, or -1 with the reason (Redis's wording) in err. */
static int
opt_parse(const struct opt *o, const char *value, union opt_value *out, char *err, size_t errlen)
{
    long long v;

    switch (o->type) {
    case OPT_INT:
    case OPT_LL:
        if (str_to_ll(value, strlen(value), &v) < 0) {
            snprintf(err, errlen, "argument couldn't be parsed into an integer");
            return -1;
        }
        goto bounds;
    case OPT_MEMPCT:
        if (value[0] && value[strlen(value) - 1] == '%') {
            if (str_to_ll(value, strlen(value) - 1, &v) < 0 || v < 0) {
                snprintf(err, errlen, "argument must be a memory or percent value");
                return -1;
            }
            if (v > 100) {
                snprintf(err, errlen, "percentage argument must be less or equal to 100");
                return -1;
            }
            out->ll = -v;
            return 0;
        }
        if (str_to_memory(value, &v) < 0) {
            snprintf(err, errlen, "argument must be a memory or percent value");
            return -1;
        }
        goto bounds;
    case OPT_MEM:
        if (str_to_memory(value, &v) < 0) {
            snprintf(err, errlen, "argument must be a memory value");
            return -1;
        }
    bounds:
        if (v < o->min || v > o->max) {
            snprintf(err, errlen, "argument must be between %lld and %lld inclusive", o->min,
                     o->max);
            return -1;
        }
        out->ll = v;
        return 0;
    case OPT_BOOL:
        if (strcasecmp(value, "yes") == 0)
            out->ll = 1;
        else if (strcasecmp(value, "no") == 0)
            out->ll = 0;
        else {
            snprintf(err, errlen, "argument must be 'yes' or 'no'");
            return -1;
        }
        /* Refused, as Redis refuses it without its jemalloc, where no allocator can say which
         * blocks are worth moving. */
        if (out->ll && o->offset == offsetof(struct config, activedefrag) &&
            !zmalloc_defrag_supported()) {
            snprintf(err, errlen,
                     "Active defragmentation cannot be enabled: it requires zmem built with "
                     "jemalloc (this build uses %s)",
                     zmalloc_allocator_name());
            return -1;
        }
        return 0;
    case OPT_STR:
        out->str = value;
        return 0;
    case OPT_POLICY:
        for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
            if (strcasecmp(value, policies[i].name) == 0) {
                out->ll = policies[i].value;
                return 0;
            }
        }
        snprintf(err, errlen,
                 "argument(s) must be one of the following: volatile-lru, "
                 "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                 "allkeys-lfu, allkeys-random, noeviction");
        return -1;
    case OPT_OBUF:
        return obuf_parse(value, out->obuf, err, errlen);
    case OPT_NOTIFY:
        out->ll = notify_flags_parse(value);
        if (out->ll < 0) {
            snprintf(err, errlen, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return -1;
        }
        return 0;
    case OPT_ENABLE:
    case OPT_SUPERVISED: {
        const char *const *names = o->type == OPT_ENABLE ? enable_names : supervised_names;
        int n = o->type == OPT_ENABLE ? 3 : 4;
        for (int i = 0; i < n; i++) {
            if (strcasecmp(value, names[i]) == 0) {
                out->ll = i;
                return 0;
            }
        }
        snprintf(err, errlen, "argument(s) must be one of the following: %s",
                 o->type == OPT_ENABLE ? "no, yes, local" : "no, upstart, systemd, auto");
        return -1;
    }
    case OPT_DIR: {
        struct stat st;
        if (value[0] == '\0')
            value = ".";
        if (stat(value, &st) < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s", strerror(ENOTDIR));
            return -1;
        }
        out->str = value;
        return 0;
    }
    case OPT_PERCENTILES: {
        /* Normalised into a scratch kept until the next parse: "50.0  99" -> "50 99". */
        static char norm[512];
        char copy[512], *save = NULL;
        size_t off = 0;
        if (strlen(value) >= sizeof(copy)) {
            snprintf(err, errlen, "Invalid %s parameters", o->name);
            return -1;
        }
        strcpy(copy, value);
        norm[0] = '\0';
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            double d;
            char num[40];
            if (str_to_double(w, strlen(w), &d) < 0) {
                snprintf(err, errlen, "Invalid %s parameters", o->name);
                return -1;
            }
            if (d < 0 || d > 100) {
                snprintf(err, errlen, "%s parameters should sit between [0.0,100.0]", o->name);
                return -1;
            }
            /* "%f" without trailing zeros: 50, 99.9, 12.5 (as Redis prints them). */
            size_t n = (size_t)snprintf(num, sizeof(num), "%f", d);
            while (n > 1 && num[n - 1] == '0')
                n--;
            if (num[n - 1] == '.')
                n--;
            if (off + n + 2 < sizeof(norm))
                off += (size_t)snprintf(norm + off, sizeof(norm) - off, "%s%.*s", off ? " " : "",
                                        (int)n, num);
        }
        out->str = norm;
        return 0;
    }
    case OPT_FILENAME:
        if (strchr(value, '/')) {
            snprintf(err, errlen, "%s can't be a path, just a filename", o->name);
            return -1;
        }
        out->str = value;
        return 0;
    case OPT_LOGLEVEL:
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(value, loglevels[i]) == 0) {
                out->ll = i;
                return 0;
            }
        }
        snprintf(err, errlen,
                 "argument(s) must be one of the following: debug, verbose, notice, warning");
        return -1;
    }
    return -1;
}

/* Store a parsed value. Cannot fail. */
static void
opt_store(const struct opt *o, const union opt_value *val)
{
    /* Option strings live from start-up on: replaced by CONFIG SET, still startup's. */
    MEMCAT_SCOPE(MC_STARTUP);
    char *field = (char *)&cfg + o->offset;

    switch (o->type) {
    case OPT_LL:
    case OPT_MEM:
    case OPT_MEMPCT:
        *(long long *)field = val->ll;
        break;
    case OPT_STR:
    case OPT_DIR:
    case OPT_FILENAME:
    case OPT_PERCENTILES: {
        char **sp = (char **)field;
        char *copy = zstrdup(val->str);
        zfree(*sp);
        *sp = copy;
        break;
    }
    case OPT_OBUF:
        memcpy(field, val->obuf, sizeof(val->obuf));
        break;
    default:
        *(int *)field = (int)val->ll;
        break;
    }
    /* Redis keeps hz within 1..500 whatever was asked for. */
    if (strcmp(o->name, "hz") == 0) {
        if (cfg.hz < 1)
            cfg.hz = 1;
        if (cfg.hz > 500)
            cfg.hz = 500;
    }
}

/* The text form of an option's current value (CONFIG GET). */
static const char *
opt_format(const struct opt *o, char *tmp, size_t tmplen)
{
    const char *field = (const char *)&cfg + o->offset;

    switch (o->type) {
    case OPT_LL:
    case OPT_MEM:
        snprintf(tmp, tmplen, "%lld", *(const long long *)field);
        return tmp;
    case OPT_MEMPCT: {
        long long v = *(const long long *)field;
        snprintf(tmp, tmplen, v < 0 ? "%lld%%" : "%lld", v < 0 ? -v : v);
        return tmp;
    }
    case OPT_INT:
        snprintf(tmp, tmplen, "%d", *(const int *)field);
        return tmp;
    case OPT_BOOL:
        return *(const int *)field ? "yes" : "no";
    case OPT_STR:
    case OPT_FILENAME:
    case OPT_PERCENTILES: {
        const char *s = *(char *const *)field;
        return s ? s : "";
    }
    case OPT_DIR: {
        /* As Redis: the absolute path of the directory named. */
        const char *s = *(char *const *)field;
        char abs[PATH_MAX];
        if (realpath(s && s[0] ? s : ".", abs) == NULL)
            return s ? s : "";
        snprintf(tmp, tmplen, "%s", abs);
        return tmp;
    }
    case OPT_ENABLE:
        return enable_names[*(const int *)field % 3];
    case OPT_SUPERVISED:
        return supervised_names[*(const int *)field % 4];
    case OPT_POLICY:
        return config_policy_name(*(const int *)field);
    case OPT_NOTIFY:
        notify_flags_format(*(const int *)field, tmp, tmplen);
        return tmp;
    case OPT_LOGLEVEL: {
        int l = *(const int *)field;
        return loglevels[l >= 0 && l < 4 ? l : 2];
    }
    case OPT_OBUF: {
        const struct obuf_limit *lim = (const struct obuf_limit *)(const void *)field;
        size_t off = 0;
        for (int k = 0; k < OBUF_CLASSES && off < tmplen; k++) {
            int w = snprintf(tmp + off, tmplen - off, "%s%s %lld %lld %d", k ? " " : "",
                             obuf_class_names[k], lim[k].hard, lim[k].soft, lim[k].soft_seconds);
            off += w > 0 ? (size_t)w : 0;
        }
        return tmp;
    }
    }
    return "";
}

int
config_check(const char *name, const char *value, char *err, size_t errlen)
{
    const struct opt *o = opt_find(name);
    char why[256];
    union opt_value v;

    if (o == NULL) {
        int r = config_fixed_check(name, value, err, errlen);
        if (r <= 0)
            return r;
        snprintf(err, errlen, "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
                 name);
        return -1;
    }
    /* Errors name the option as given, lower-cased: an alias stays the alias, as in Redis. */
    char lname[128];
    size_t k = 0;
    for (; name[k] && k + 1 < sizeof(lname); k++)
        lname[k] = (char)tolower((unsigned char)name[k]);
    lname[k] = '\0';
    if (!o->mutable_) {
        snprintf(err, errlen,
                 "ERR CONFIG SET failed (possibly related to argument '%s') - "
                 "can't set immutable config",
                 lname);
        return -1;
    }
    if (o->mutable_ == PROTECTED && cfg.enable_protected_configs != ENABLE_YES) {
        snprintf(err, errlen,
                 "ERR CONFIG SET failed (possibly related to argument '%s') - "
                 "can't set protected config",
                 lname);
        return -1;
    }
    if (opt_parse(o, value, &v, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                 lname, why);
        return -1;
    }
    return 0;
}

int
config_set(const char *name, const char *value, char *err, size_t errlen)
{
    union opt_value v;
    char why[256];

    if (config_check(name, value, err, errlen) < 0)
        return -1;
    const struct opt *o = opt_find(name);
    if (o == NULL)
        return 0; /* a fixed option set to its only value */
    if (opt_parse(o, value, &v, why, sizeof(why)) < 0)
        return -1;
    opt_store(o, &v);
    return 0;
}

/* config_alias_foreach's callback: an alias shows its option's value. */
struct alias_ctx {
    void (*fn)(const char *name, const char *value, void *ctx);
    void *ctx;
    char *tmp;
    size_t tmplen;
};

static void
format_alias(const char *alias, const char *name, void *ctx)
{
    struct alias_ctx *a = ctx;
    const struct opt *o = opt_find(name);
    if (o)
        a->fn(alias, opt_format(o, a->tmp, a->tmplen), a->ctx);
}

void
config_foreach_match(const char *pattern,
                     void (*fn)(const char *name, const char *value, void *ctx), void *ctx)
{
    char tmp[PATH_MAX]; /* dir is the longest */
    size_t plen = strlen(pattern);

    for (size_t i = 0; i < NOPTIONS; i++)
        if (glob_match(pattern, plen, options[i].name, strlen(options[i].name), 1))
            fn(options[i].name, opt_format(&options[i], tmp, sizeof(tmp)), ctx);
    config_alias_foreach(pattern, format_alias, &(struct alias_ctx){fn, ctx, tmp, sizeof(tmp)});
    config_fixed_foreach(pattern, fn, ctx);
}

/* ---- Loading: defaults, file, arguments ---- */

/* Apply "name value..." from the file or the command line. Several values are joined with
 * spaces for bind (it is a list); any other option takes exactly one. */
static int
config_apply(const char *name, char **vals, int nvals, char *err, size_t errlen)
{
    const struct opt *o = opt_find(name);
    char why[256];
    union opt_value v;

    if (o == NULL)
        return config_redis_apply(name, vals, nvals, err, errlen);
    if (nvals == 0 || (nvals > 1 && strcmp(o->name, "bind") != 0 && o->type != OPT_OBUF)) {
        snprintf(err, errlen, "option '%s' takes %s", o->name,
                 nvals == 0 ? "a value" : "exactly one value");
        return -1;
    }
    char joined[1024];
    const char *value = vals[0];
    if (nvals > 1) {
        size_t off = 0;
        joined[0] = '\0';
        for (int i = 0; i < nvals; i++) {
            int n = snprintf(joined + off, sizeof(joined) - off, "%s%s", i ? " " : "", vals[i]);
            if (n < 0 || (size_t)n >= sizeof(joined) - off) {
                snprintf(err, errlen, "option '%s': value too long", o->name);
                return -1;
            }
            off += (size_t)n;
        }
        value = joined;
    }
    if (opt_parse(o, value, &v, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "invalid value '%s' for option '%s': %s", value, o->name, why);
        return -1;
    }
    opt_store(o, &v);
    return 0;
}

/* Split a config line into words: whitespace separated, "double quotes" with \n \t \\ \"
 * and \xHH escapes, 'single quotes' with only \' . Returns the count, or -1 on bad quoting.
 * Words are written into out (which must be as long as the line) and pointed to by words. */
static int
split_line(const char *line, char *out, char **words, int maxwords)
{
    int n = 0;
    const char *p = line;

    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            return n;
        if (n == maxwords)
            return -1;
        words[n++] = out;
        char quote = 0;
        if (*p == '"' || *p == '\'')
            quote = *p++;
        for (;;) {
            if (*p == '\0') {
                if (quote)
                    return -1;
                break;
            }
            if (!quote && isspace((unsigned char)*p))
                break;
            if (quote && *p == quote) {
                p++;
                /* A closing quote must end the word. */
                if (*p && !isspace((unsigned char)*p))
                    return -1;
                break;
            }
            if (*p == '\\' && p[1] && quote == '"') {
                p++;
                switch (*p) {
                case 'n':
                    *out++ = '\n';
                    break;
                case 'r':
                    *out++ = '\r';
                    break;
                case 't':
                    *out++ = '\t';
                    break;
                case 'x':
                    if (isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
                        char hex[3] = {p[1], p[2], 0};
                        *out++ = (char)strtol(hex, NULL, 16);
                        p += 2;
                        break;
                    }
                    /* fall through */
                default:
                    *out++ = *p;
                    break;
                }
                p++;
                continue;
            }
            if (*p == '\\' && p[1] == '\'' && quote == '\'') {
                *out++ = '\'';
                p += 2;
                continue;
            }
            *out++ = *p++;
        }
        *out++ = '\0';
    }
}

/* Read a whole file into a zmalloc'd NUL-terminated buffer (no stdio: its buffers would come
 * from libc's malloc, outside the accounting). NULL with errno set on failure. */
static char *
read_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0, cap = 4096;
    char *data;

    if (fd < 0)
        return NULL;
    data = zmalloc(cap);
    for (;;) {
        if (len + 1 == cap) {
            cap *= 2;
            data = zrealloc(data, cap);
        }
        ssize_t n = read(fd, data + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            zfree(data);
            close(fd);
            errno = e;
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    return data;
}

static int
config_load_file(const char *path, char *err, size_t errlen)
{
    char *data = read_file(path);
    char *words[64];
    int lineno = 0, rc = 0;

    if (data == NULL) {
        snprintf(err, errlen, "can't open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    /* split_line writes at most as many bytes as the line has, so one scratch of the file's
     * size serves every line. */
    char *scratch = zmalloc(strlen(data) + 1);
    for (char *line = data; line && *line && rc == 0;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        lineno++;
        int n = split_line(line, scratch, words, 64);
        char why[512];
        if (n < 0) {
            snprintf(err, errlen, "config file '%s' line %d: unbalanced quotes", path, lineno);
            rc = -1;
        } else if (n > 0 && config_apply(words[0], words + 1, n - 1, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "config file '%s' line %d: %s", path, lineno, why);
            rc = -1;
        }
        line = eol ? eol + 1 : NULL;
    }
    zfree(scratch);
    zfree(data);
    if (rc < 0)
        return -1;
    char abs[PATH_MAX];
    if (realpath(path, abs)) {
        zfree(cfg.config_file);
        cfg.config_file = zstrdup(abs);
    }
    return 0;
}

static void
config_print_help(void)
{
    printf("Usage: zmem-server [/path/to/zmem.conf] [--option value ...]\n"
           "       zmem-server --help | --version\n\n"
           "Options (also valid as \"name value\" lines in the config file):\n");
    for (size_t i = 0; i < NOPTIONS; i++)
        printf("  --%-24s %s (default \"%s\")%s\n", options[i].name, options[i].help,
               options[i].def, options[i].mutable_ ? "" : " [fixed at start]");
}

static void
config_print_version(void)
{
    printf("zmem-server v=%s redis-compat=%s malloc=%s bits=%d\n", ZMEM_VERSION, ZMEM_REDIS_VERSION,
           zmalloc_allocator_name(), (int)(sizeof(long) * 8));
}

/* Each option's default as CONFIG GET shows it, taken at load: CONFIG REWRITE appends only the
 * options whose running value differs from it. */
static char *defaults_text[NOPTIONS];

const char *
config_default_text(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcasecmp(options[i].name, name) == 0)
            return defaults_text[i];
    return NULL;
}

int
config_load(int argc, char **argv, char *err, size_t errlen)
{
    if (cfg_loaded)
        config_teardown();
    memset(&cfg, 0, sizeof(cfg));
    config_warnings_clear();
    cfg.config_file = zstrdup("");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char why[256];
        union opt_value v;
        if (opt_parse(&options[i], options[i].def, &v, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "bad default for '%s': %s", options[i].name, why);
            return -1;
        }
        opt_store(&options[i], &v);
    }
    for (size_t i = 0; i < NOPTIONS; i++) {
        char tmp[PATH_MAX];
        defaults_text[i] = zstrdup(opt_format(&options[i], tmp, sizeof(tmp)));
    }
    cfg_loaded = 1;

    int j = 1;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        config_print_help();
        return 1;
    }
    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
        config_print_version();
        return 1;
    }
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        if (config_load_file(argv[1], err, errlen) < 0)
            return -1;
        j = 2;
    }
    while (j < argc) {
        if (strncmp(argv[j], "--", 2) != 0 || argv[j][2] == '\0') {
            snprintf(err, errlen, "unexpected argument '%s' (options look like --name value)",
                     argv[j]);
            return -1;
        }
        const char *name = argv[j] + 2;
        if (strcmp(name, "help") == 0) {
            config_print_help();
            return 1;
        }
        if (strcmp(name, "version") == 0) {
            config_print_version();
            return 1;
        }
        int k = j + 1;
        /* Values run until the next "--name"; a value may itself start with one '-'. */
        while (k < argc && strncmp(argv[k], "--", 2) != 0)
            k++;
        if (config_apply(name, argv + j + 1, k - j - 1, err, errlen) < 0)
            return -1;
        j = k;
    }
    return 0;
}

void
config_teardown(void)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (options[i].type == OPT_STR || options[i].type == OPT_DIR ||
            options[i].type == OPT_FILENAME || options[i].type == OPT_PERCENTILES) {
            char **sp = (char **)((char *)&cfg + options[i].offset);
            zfree(*sp);
            *sp = NULL;
        }
    }
    for (size_t i = 0; i < NOPTIONS; i++) {
        zfree(defaults_text[i]);
        defaults_text[i] = NULL;
    }
    zfree(cfg.config_file);
    cfg.config_file = NULL;
    cfg_loaded = 0;
}
