/* config_redis.c — the Redis directives that have no row in config.c's option table: old
 * names (the ziplist aliases), options with one fixed value here (save "", appendonly no...),
 * and directives a redis.conf may hold for what zmem does not have (replication, AOF tuning).
 * A redis.conf loads when what it asks for is what zmem does, or harmless to ignore (with a
 * warning in the log); it is refused, naming why, when it asks for persistence, replication
 * or anything else zmem would only pretend to do. */
#include "config_redis.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Redis's old names for the encoding thresholds: the same option under either name. */
static const struct {
    const char *alias, *name;
} aliases[] = {
    {"hash-max-ziplist-entries", "hash-max-listpack-entries"},
    {"hash-max-ziplist-value", "hash-max-listpack-value"},
    {"list-max-ziplist-size", "list-max-listpack-size"},
    {"zset-max-ziplist-entries", "zset-max-listpack-entries"},
    {"zset-max-ziplist-value", "zset-max-listpack-value"},
};
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

/* What a fixed option does with another value than its only one, in a config file. */
enum fixed_how {
    FIXED_REFUSE, /* zmem cannot do what is asked: refuse to start */
    FIXED_WARN,   /* harmless to ignore (the operator gets a warning in the log) */
};

/* Names clients ask for that have a fixed answer here: redis-benchmark reads save and
 * appendonly, the exporter reads everything CONFIG GET * returns. Setting them to their only
 * value is accepted so that scripts written for Redis keep working; `why` says why no other. */
static const struct {
    const char *name;
    const char *value;
    enum fixed_how how;
    const char *why;
} fixed_options[] = {
    /* A redis.conf asking for snapshots (Debian's ships `save 3600 1 300 100 60 10000`) still
     * starts: the data are what they would be between snapshots, and the log says so. */
    {"save", "", FIXED_WARN, "zmem keeps data in memory only and never saves snapshots"},
    {"appendonly", "no", FIXED_REFUSE,
     "zmem keeps data in memory only and has no append-only file"},
    {"io-threads", "1", FIXED_WARN, "zmem does its network I/O on one thread"},
    {"unixsocket", "", FIXED_REFUSE, "zmem listens on TCP only, not on a Unix socket"},
    {"unixsocketperm", "0", FIXED_WARN, "zmem listens on TCP only, not on a Unix socket"},
    {"cluster-enabled", "no", FIXED_REFUSE, "zmem has no cluster mode"},
};
#define NFIXED (sizeof(fixed_options) / sizeof(fixed_options[0]))

/* Redis directives a config file may hold that ask for what zmem does not have at all. */
static const struct {
    const char *name;
    const char *why; /* NULL: accepted and ignored, it changes nothing a client can see */
} redis_directives[] = {
    {"replicaof", "zmem keeps data in memory only and has no replication"},
    {"slaveof", "zmem keeps data in memory only and has no replication"},
    {"loadmodule", "zmem loads no modules"},
    {"rename-command", "zmem cannot rename commands"},
    {"user", "zmem has only the default user (requirepass)"},
    {"aclfile", "zmem has only the default user (requirepass)"},
    {"include", "zmem reads one config file: merge the included file into it"},
    {"always-show-logo", NULL},
    {"set-proc-title", NULL},
    {"proc-title-template", NULL},
    {"stop-writes-on-bgsave-error", NULL},
    {"rdbcompression", NULL},
    {"rdbchecksum", NULL},
    {"rdb-del-sync-files", NULL},
    {"replica-serve-stale-data", NULL},
    {"slave-serve-stale-data", NULL},
    {"replica-read-only", NULL},
    {"slave-read-only", NULL},
    {"repl-diskless-sync", NULL},
    {"repl-diskless-sync-delay", NULL},
    {"repl-diskless-sync-max-replicas", NULL},
    {"repl-diskless-load", NULL},
    {"repl-disable-tcp-nodelay", NULL},
    {"repl-backlog-size", NULL},
    {"repl-backlog-ttl", NULL},
    {"repl-timeout", NULL},
    {"repl-ping-replica-period", NULL},
    {"replica-priority", NULL},
    {"slave-priority", NULL},
    {"replica-announced", NULL},
    {"min-replicas-to-write", NULL},
    {"min-replicas-max-lag", NULL},
    {"masterauth", NULL},
    {"masteruser", NULL},
    {"acllog-max-len", NULL},
    {"oom-score-adj", NULL},
    {"oom-score-adj-values", NULL},
    {"disable-thp", NULL},
    {"appendfilename", NULL},
    {"appenddirname", NULL},
    {"appendfsync", NULL},
    {"no-appendfsync-on-rewrite", NULL},
    {"auto-aof-rewrite-percentage", NULL},
    {"auto-aof-rewrite-min-size", NULL},
    {"aof-load-truncated", NULL},
    {"aof-use-rdb-preamble", NULL},
    {"aof-timestamp-enabled", NULL},
    {"aof-rewrite-incremental-fsync", NULL},
    {"rdb-save-incremental-fsync", NULL},
    {"notify-keyspace-events", NULL},
    {"hll-sparse-max-bytes", NULL},
    {"stream-node-max-bytes", NULL},
    {"stream-node-max-entries", NULL},
    {"dynamic-hz", NULL},
    {"jemalloc-bg-thread", NULL},
    {"io-threads-do-reads", NULL},
    {"lua-time-limit", NULL},
    {"busy-reply-threshold", NULL},
    {"crash-log-enabled", NULL},
    {"crash-memcheck-enabled", NULL},
    {"sanitize-dump-payload", NULL},
    {"syslog-enabled", NULL},
    {"syslog-ident", NULL},
    {"syslog-facility", NULL},
    {"shutdown-timeout", NULL},
    {"shutdown-on-sigint", NULL},
    {"shutdown-on-sigterm", NULL},
    {"maxmemory-clients", NULL},
};
#define NREDIS_DIRECTIVES (sizeof(redis_directives) / sizeof(redis_directives[0]))

/* Warnings config_load() leaves for the log. */
#define MAX_WARNINGS 16
static char warnings[MAX_WARNINGS][256];
static size_t nwarnings;

static void
config_warn(const char *name, const char *value, const char *why)
{
    if (nwarnings < MAX_WARNINGS)
        snprintf(warnings[nwarnings++], sizeof(warnings[0]), "Config directive '%s %s' ignored: %s",
                 name, value, why);
}

const char *
config_warning(size_t i)
{
    return i < nwarnings ? warnings[i] : NULL;
}

void
config_warnings_clear(void)
{
    nwarnings = 0;
}

const char *
config_alias_target(const char *name)
{
    for (size_t i = 0; i < NALIASES; i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            return aliases[i].name;
    return name;
}

void
config_alias_foreach(const char *pattern,
                     void (*fn)(const char *alias, const char *name, void *ctx), void *ctx)
{
    size_t plen = strlen(pattern);
    for (size_t i = 0; i < NALIASES; i++)
        if (glob_match(pattern, plen, aliases[i].alias, strlen(aliases[i].alias), 1))
            fn(aliases[i].alias, aliases[i].name, ctx);
}

static int
fixed_find(const char *name)
{
    for (size_t i = 0; i < NFIXED; i++)
        if (strcasecmp(fixed_options[i].name, name) == 0)
            return (int)i;
    return -1;
}

int
config_fixed_check(const char *name, const char *value, char *err, size_t errlen)
{
    int f = fixed_find(name);

    if (f < 0)
        return 1;
    if (strcasecmp(value, fixed_options[f].value) == 0)
        return 0;
    /* save is mutable in Redis: say why not here rather than call it immutable. */
    if (strcmp(fixed_options[f].name, "save") == 0)
        snprintf(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                 fixed_options[f].name, fixed_options[f].why);
    else
        snprintf(err, errlen,
                 "ERR CONFIG SET failed (possibly related to argument '%s') - "
                 "can't set immutable config",
                 fixed_options[f].name);
    return -1;
}

void
config_fixed_foreach(const char *pattern,
                     void (*fn)(const char *name, const char *value, void *ctx), void *ctx)
{
    size_t plen = strlen(pattern);
    for (size_t i = 0; i < NFIXED; i++)
        if (glob_match(pattern, plen, fixed_options[i].name, strlen(fixed_options[i].name), 1))
            fn(fixed_options[i].name, fixed_options[i].value, ctx);
}

int
config_redis_apply(const char *name, char **vals, int nvals, char *err, size_t errlen)
{
    char joined[512];
    size_t off = 0;

    joined[0] = '\0';
    for (int i = 0; i < nvals && off < sizeof(joined); i++) {
        int n = snprintf(joined + off, sizeof(joined) - off, "%s%s", i ? " " : "", vals[i]);
        off += n > 0 ? (size_t)n : 0;
    }
    int f = fixed_find(name);
    if (f >= 0) {
        if (strcasecmp(joined, fixed_options[f].value) == 0)
            return 0;
        if (fixed_options[f].how == FIXED_WARN) {
            config_warn(fixed_options[f].name, joined, fixed_options[f].why);
            return 0;
        }
        snprintf(err, errlen, "'%s %s' is not supported: %s (use '%s %s')", fixed_options[f].name,
                 joined, fixed_options[f].why, fixed_options[f].name,
                 fixed_options[f].value[0] ? fixed_options[f].value : "\"\"");
        return -1;
    }
    for (size_t i = 0; i < NREDIS_DIRECTIVES; i++) {
        if (strcasecmp(redis_directives[i].name, name) != 0)
            continue;
        if (redis_directives[i].why == NULL)
            return 0;
        snprintf(err, errlen, "'%s' is not supported: %s", redis_directives[i].name,
                 redis_directives[i].why);
        return -1;
    }
    snprintf(err, errlen, "unknown option '%s'", name);
    return -1;
}
