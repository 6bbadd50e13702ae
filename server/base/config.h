/* config — the server's options: one table row per option (name, type, default, limits,
 * mutability, help) feeding argv parsing, the config file, --help, CONFIG GET and CONFIG SET. */
#ifndef ZMEM_SERVER_CONFIG_H
#define ZMEM_SERVER_CONFIG_H

#include <stddef.h>

/* What --version and HELLO report: our own version, and the Redis version we answer as. */
#define ZMEM_VERSION       "0.1.0"
#define ZMEM_REDIS_VERSION "7.0.15"

/* maxmemory-policy values. */
enum maxmemory_policy {
    MAXMEMORY_NOEVICTION,
    MAXMEMORY_ALLKEYS_LRU,
    MAXMEMORY_ALLKEYS_LFU,
    MAXMEMORY_ALLKEYS_RANDOM,
    MAXMEMORY_VOLATILE_LRU,
    MAXMEMORY_VOLATILE_LFU,
    MAXMEMORY_VOLATILE_RANDOM,
    MAXMEMORY_VOLATILE_TTL,
};

enum log_level { LL_DEBUG, LL_VERBOSE, LL_NOTICE, LL_WARNING };

/* enable-debug-command, enable-protected-configs, enable-module-command. */
enum enable_mode { ENABLE_NO, ENABLE_YES, ENABLE_LOCAL };

/* supervised: accepted for redis.conf compatibility; zmem never signals a supervisor. */
enum supervised_mode { SUPERVISED_NO, SUPERVISED_UPSTART, SUPERVISED_SYSTEMD, SUPERVISED_AUTO };

/* client-output-buffer-limit classes, in the order CONFIG GET prints them. */
enum obuf_class { OBUF_NORMAL, OBUF_REPLICA, OBUF_PUBSUB, OBUF_CLASSES };

/* One class's output limits: at or over hard, or over soft for longer than soft_seconds, the
 * client is closed. 0 means no such limit. */
struct obuf_limit {
    long long hard, soft;
    int soft_seconds;
};

/* Keyspace notification classes (notify-keyspace-events), Redis's bits and letters. */
#define NOTIFY_KEYSPACE (1 << 0)  /* K: __keyspace@<db>__:<key> channels */
#define NOTIFY_KEYEVENT (1 << 1)  /* E: __keyevent@<db>__:<event> channels */
#define NOTIFY_GENERIC  (1 << 2)  /* g: del, expire, rename... */
#define NOTIFY_STRING   (1 << 3)  /* $ */
#define NOTIFY_LIST     (1 << 4)  /* l */
#define NOTIFY_SET      (1 << 5)  /* s */
#define NOTIFY_HASH     (1 << 6)  /* h */
#define NOTIFY_ZSET     (1 << 7)  /* z */
#define NOTIFY_EXPIRED  (1 << 8)  /* x */
#define NOTIFY_EVICTED  (1 << 9)  /* e */
#define NOTIFY_STREAM   (1 << 10) /* t (accepted; zmem has no streams) */
#define NOTIFY_KEY_MISS (1 << 11) /* m */
#define NOTIFY_MODULE   (1 << 12) /* d (accepted; zmem has no modules) */
#define NOTIFY_NEW      (1 << 13) /* n */
/* "A": every class but m and n. */
#define NOTIFY_ALL                                                                                 \
    (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET |       \
     NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

struct config {
    int port;
    char *bind;                  /* space-separated addresses, "-" prefix: optional */
    long long maxmemory;         /* bytes, 0 = no limit */
    int maxmemory_policy;        /* enum maxmemory_policy */
    long long maxmemory_clients; /* bytes, or -N for N% of maxmemory; 0 = no limit */
    int maxmemory_samples;
    char *requirepass;           /* "" = no password */
    int metrics_port;            /* 0 = off */
    char *metrics_bind;          /* one numeric address; loopback unless a password is in force */
    char *metrics_password;      /* "" = requirepass guards the metrics listener */
    char *metrics_tls_cert_file; /* PEM chain; "" = plain HTTP */
    char *metrics_tls_key_file;  /* PEM private key of metrics_tls_cert_file */
    char *logfile;               /* "" = stdout */
    int loglevel;                /* enum log_level */
    int daemonize;
    char *pidfile;
    int hz;
    int databases;
    int maxclients;
    int timeout; /* idle seconds before closing a client, 0 = never */
    int lazyfree_lazy_user_del;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit; /* unprocessed input bytes before the client is closed */
    int protected_mode;                  /* refuse non-loopback peers while requirepass is "" */
    int tcp_keepalive;                   /* seconds, 0 = no keepalive */
    int first_command_timeout;           /* seconds for a talking client's first command, 0 off */
    struct obuf_limit obuf_limits[OBUF_CLASSES];
    long long slowlog_log_slower_than; /* microseconds, -1 disables, 0 logs everything */
    int slowlog_max_len;
    int notify_keyspace_events; /* NOTIFY_* classes; nothing is sent without K or E */
    int memory_history_len;     /* samples in the memory history ring, 0 = off */
    /* Redis directives (docs/redis-compat.md says which are honoured and which only kept). */
    int activerehashing;
    int enable_debug_command;     /* enum enable_mode, fixed at start */
    int enable_protected_configs; /* enum enable_mode: may CONFIG SET change dir/dbfilename */
    int enable_module_command;    /* enum enable_mode; zmem has no modules either way */
    long long hash_max_listpack_entries; /* honoured by hashes */
    long long hash_max_listpack_value;
    int list_max_listpack_size; /* -1..-5 honoured as 4..64 KiB per pack */
    int list_compress_depth;    /* kept: zmem does not compress list nodes */
    long long set_max_intset_entries;
    long long zset_max_listpack_entries; /* honoured by sorted sets */
    long long zset_max_listpack_value;
    long long latency_monitor_threshold;     /* ms; 0 = latency monitor off */
    int latency_tracking;                    /* per-command latency histograms */
    char *latency_tracking_info_percentiles; /* "50 99 99.9": INFO latencystats' columns */
    int lfu_log_factor;
    int lfu_decay_time; /* minutes per halving step of the LFU counter; 0 = never decay */
    int lazyfree_lazy_eviction;
    int lazyfree_lazy_expire;
    int lazyfree_lazy_server_del;
    int lazyfree_lazy_user_flush;
    int replica_lazy_flush;
    char *dir;
    char *dbfilename;
    int tcp_backlog;
    int supervised; /* enum supervised_mode */
    int maxmemory_eviction_tenacity;
    int active_expire_effort;
    int activedefrag;                     /* active defragmentation on (jemalloc only) */
    long long active_defrag_ignore_bytes; /* below this many fragmentation bytes: idle */
    int active_defrag_threshold_lower;    /* fragmentation percent to start at */
    int active_defrag_threshold_upper;    /* ... at which cycle_max applies */
    int active_defrag_cycle_min;          /* CPU percent range while running */
    int active_defrag_cycle_max;
    long long active_defrag_max_scan_fields; /* elements of a big value per step */
    long long tracking_table_max_keys;       /* CLIENT TRACKING key table limit, 0 = none */
    char *config_file;                       /* absolute path of the file loaded, "" when none */
};

/* The configuration in force. Read-only outside config.c; change it with config_set(). */
const struct config *config_get(void);

/* Load defaults, then an optional config file (argv[1] if it does not start with "--"), then
 * "--name value..." options. On error returns -1 with a message naming the option in err.
 * Handles --help and --version by printing and returning 1. */
int config_load(int argc, char **argv, char *err, size_t errlen);
/* Set one option from its text form, as CONFIG SET does. 0, or -1 with Redis's error text. */
int config_set(const char *name, const char *value, char *err, size_t errlen);
/* Validate name/value as config_set() would, without changing anything (CONFIG SET with several
 * pairs checks them all before applying any). 0, or -1 with Redis's error text. */
int config_check(const char *name, const char *value, char *err, size_t errlen);
/* Visit every option whose name matches the glob pattern (CONFIG GET), with its value as text. */
void config_foreach_match(const char *pattern,
                          void (*fn)(const char *name, const char *value, void *ctx), void *ctx);
/* The password the metrics listener requires: metrics-password, or else requirepass; "" when
 * neither is set (the listener is then open, and loopback only). Follows CONFIG SET at once. */
const char *config_metrics_password(void);
/* Whether setting requirepass and metrics-password to these values (NULL: left as they are)
 * keeps a password on a metrics listener bound beyond loopback. 0 when it does (or the listener
 * is loopback or off); else -1 with Redis-style error text. CONFIG SET calls it once with all
 * its pairs (config_check sees one pair at a time, so it cannot), to refuse removing the last
 * password from a listener other hosts can reach. */
int config_check_metrics_password(const char *requirepass, const char *metrics_password, char *err,
                                  size_t errlen);
/* Name of a maxmemory policy ("allkeys-lru"). */
const char *config_policy_name(int policy);
/* notify-keyspace-events text to NOTIFY_* flags; -1 on a letter Redis does not know. */
int notify_flags_parse(const char *s);
/* NOTIFY_* flags as CONFIG GET prints them ("AKE", "g$xK") into dst (NUL-terminated). */
void notify_flags_format(int flags, char *dst, size_t size);
/* Free what config_load() allocated. */
void config_teardown(void);
/* The default of option name (its table name, not an alias) as CONFIG GET shows it, or NULL
 * for a name that is not in the option table. Valid from config_load() to config_teardown(). */
const char *config_default_text(const char *name);

#endif
