/* main.c — zmem-server: libevent's allocator first, then configuration, module setup in
 * order, the event loop with its cron timer and signal events, and teardown in reverse, so
 * that used memory at exit shows anything left behind. */
#include <errno.h>
#include <execinfo.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "cmd_docs.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "config_redis.h"
#include "db.h"
#include "defrag.h"
#include "evict.h"
#include "history.h"
#include "latency.h"
#include "lazyfree.h"
#include "log.h"
#include "memcat.h"
#include "metrics.h"
#include "metrics_http.h"
#include "monitor.h"
#include "net.h"
#include "object.h"
#include "pubsub.h"
#include "slowlog.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"

/* Only the event loop allocates; the other threads (lazy free, the stats sampler) free or do
 * not allocate at all. jemalloc would still set up an arena for each thread that calls into it,
 * ~180 KB of metadata each (measured). Freeing is the same either way: a block always goes
 * back to the arena it came from. */
ZMALLOC_CONF("narenas:1");

static struct event_base *base;
static struct event *cron_ev;
static struct event *defrag_ev;
static struct event *sigterm_ev, *sigint_ev;

/* OpenSSL's allocator (TLS on the metrics port), so that its memory counts in used_memory like
 * everything else. The try variants: OpenSSL checks every allocation, and a handshake that fails
 * for want of memory is better than a server that aborts. zfree takes NULL and ztryrealloc
 * follows realloc's rules, which is what OpenSSL hands a custom allocator unfiltered. */
static void *
openssl_malloc(size_t size, const char *file, int line)
{
    MEMCAT_SCOPE(MC_METRICS); /* OpenSSL serves only the metrics port */
    return ztrymalloc(size);
}

static void *
openssl_realloc(void *ptr, size_t size, const char *file, int line)
{
    MEMCAT_SCOPE(MC_METRICS);
    return ztryrealloc(ptr, size);
}

static void
openssl_free(void *ptr, const char *file, int line)
{
    MEMCAT_SCOPE(MC_METRICS);
    zfree(ptr);
}

/* libevent's own memory (event base, timers, its fd maps, bufferevents) is the eventloop
 * category, whoever calls into libevent. */
static void *
evmem_malloc(size_t size)
{
    MEMCAT_SCOPE(MC_EVENTLOOP);
    return zmalloc(size);
}

static void *
evmem_realloc(void *ptr, size_t size)
{
    MEMCAT_SCOPE(MC_EVENTLOOP);
    return zrealloc(ptr, size);
}

static void
evmem_free(void *ptr)
{
    MEMCAT_SCOPE(MC_EVENTLOOP);
    zfree(ptr);
}

/* ZMEM_CHECK_CATEGORIES=1 (debug): report each block freed under another category than the one
 * it was allocated in, with a backtrace, once per pair of categories; "abort" stops there. */
static void
category_mismatch(const void *ptr, int alloc_cat, int free_cat)
{
    static unsigned char seen[MC_COUNT][MC_COUNT];
    const char *mode = getenv("ZMEM_CHECK_CATEGORIES");

    if (alloc_cat < MC_COUNT && free_cat < MC_COUNT && !seen[alloc_cat][free_cat]) {
        seen[alloc_cat][free_cat] = 1;
        fprintf(stderr, "category mismatch: block allocated in %s freed in %s\n",
                memcat_name(alloc_cat), memcat_name(free_cat));
        void *frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
    }
    if (mode && strcmp(mode, "abort") == 0)
        abort();
}

/* Re-armed each time rather than persistent, so a CONFIG SET hz takes effect at once. */
static void
cron_arm(void)
{
    int hz = config_get()->hz;
    struct timeval tv = {0, (1000000 / (hz > 0 ? hz : 10))};
    evtimer_add(cron_ev, &tv);
}

/* Active defragmentation runs in slices of DEFRAG_SLICE_US with pauses between them sized to
 * its CPU share (1 ms of work then 3 ms of rest at 25%), so no client waits on it for more than
 * about a slice, however long the pass. */
#define DEFRAG_SLICE_US 1000

static void
on_defrag(evutil_socket_t fd, short what, void *arg)
{
    int cpu = defrag_cpu_pct();

    if (defrag_run(DEFRAG_SLICE_US) && cpu > 0) {
        struct timeval tv = {0, (suseconds_t)DEFRAG_SLICE_US * (100 - cpu) / cpu};
        evtimer_add(defrag_ev, &tv);
    }
}

static void
on_cron(evutil_socket_t fd, short what, void *arg)
{
    if (defrag_cron() && !evtimer_pending(defrag_ev, NULL)) {
        struct timeval tv = {0, 0};
        evtimer_add(defrag_ev, &tv);
    }
    /* The active expire cycle, timed for the latency monitor as Redis names it. */
    latency_add_sample_if_needed("expire-cycle", db_cron() / 1000);
    net_cron();
    tracking_cron();
    metrics_cron();
    cron_arm();
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    /* Runs in loop context (libevent's signal pipe), so it may log and touch state. */
    log_msg(LL_WARNING, "Received %s scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    net_request_shutdown();
}

static int
daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0); /* the parent's job is done */
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    return 0;
}

static void
pidfile_write(void)
{
    const char *path = config_get()->pidfile;
    char line[32];

    if (path[0] == '\0')
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        log_msg(LL_WARNING, "Failed to write PID file %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static void
pidfile_remove(void)
{
    const char *path = config_get()->pidfile;
    if (path && path[0]) {
        log_msg(LL_NOTICE, "Removing the pid file.");
        unlink(path);
    }
}

int
main(int argc, char **argv)
{
    char err[512];
    int rc = 1;

    /* Categories first: from the first allocation on, every byte is in one (memcat.h). */
    const char *check = getenv("ZMEM_CHECK_CATEGORIES");
    if (check && check[0] && strcmp(check, "0") != 0) {
        zmalloc_set_category_mismatch_handler(category_mismatch);
        zmalloc_category_check(1);
    }
    if (memcat_setup() < 0) {
        fprintf(stderr, "zmem-server: memory categories already taken\n");
        return 1;
    }
    zmalloc_thread_name("main");
    zmalloc_category_set(MC_STARTUP);
    /* Before any other libevent call: from here on libevent's own memory is counted. */
    event_set_mem_functions(evmem_malloc, evmem_realloc, evmem_free);
    evthread_use_pthreads();
    /* The same for OpenSSL, which accepts it only before its first allocation: nothing has
     * called OpenSSL yet (it allocates nothing until first used). */
    int openssl_counted = CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free);

    int r = config_load(argc, argv, err, sizeof(err));
    if (r != 0) {
        if (r < 0)
            fprintf(stderr, "zmem-server: %s\n", err);
        config_teardown();
        return r > 0 ? 0 : 1;
    }
    const struct config *cfg = config_get();
    if (cfg->daemonize && daemonize() < 0) {
        fprintf(stderr, "zmem-server: fork failed: %s\n", strerror(errno));
        return 1;
    }
    if (log_setup() < 0) {
        fprintf(stderr, "zmem-server: can't open the log file '%s': %s\n", cfg->logfile,
                strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    stats_setup();
    log_msg(LL_NOTICE, "zmem %s starting (Redis %s protocol compatible), pid=%d, allocator=%s",
            ZMEM_VERSION, ZMEM_REDIS_VERSION, (int)getpid(), zmalloc_allocator_name());
    if (cfg->config_file[0])
        log_msg(LL_NOTICE, "Configuration loaded from %s", cfg->config_file);
    if (!openssl_counted)
        log_msg(LL_WARNING, "OpenSSL had allocated before start-up: its memory is not counted");
    log_msg(LL_NOTICE, "No persistence: the keyspace lives in memory only and is lost on exit.");
    for (size_t i = 0; config_warning(i); i++)
        log_msg(LL_WARNING, "%s", config_warning(i));
    enc_limits_apply();

    base = event_base_new();
    if (base == NULL) {
        log_msg(LL_WARNING, "Could not create the event loop");
        goto out_log;
    }
    if (command_setup(commands_all) < 0)
        goto out_base;
    char docs_err[160];
    if (cmd_docs_setup(docs_err, sizeof(docs_err)) < 0) {
        log_msg(LL_WARNING, "%s", docs_err);
        goto out_cmd;
    }
    keyspace_event_hook = notify_keyspace_hook; /* expired, evicted, new: core publishes */
    defrag_add_other(pubsub_defrag_step);       /* pub/sub's tables live in core */
    defrag_add_other(tracking_defrag_step);     /* so does the tracking key table */
    if (db_setup(cfg->databases) < 0) {
        log_msg(LL_WARNING, "Could not create %d databases", cfg->databases);
        goto out_cmd;
    }
    if (lazyfree_setup() < 0) {
        log_msg(LL_WARNING, "Could not start the lazy free thread");
        goto out_db;
    }
    /* The backend's name is a static string in libevent: metrics keeps the pointer for INFO, and
     * event_get_supported_methods() would build a list libevent keeps until exit. */
    if (metrics_setup(event_base_get_method(base)) < 0) {
        log_msg(LL_WARNING, "Could not start the metrics sampler");
        goto out_lazy;
    }
    if (net_setup(base) < 0 || tracking_setup(base) < 0)
        goto out_net;
    if (metrics_http_setup(base) < 0)
        goto out_http;
    pidfile_write();

    cron_ev = evtimer_new(base, on_cron, NULL);
    defrag_ev = evtimer_new(base, on_defrag, NULL);
    sigterm_ev = evsignal_new(base, SIGTERM, on_signal, NULL);
    sigint_ev = evsignal_new(base, SIGINT, on_signal, NULL);
    evsignal_add(sigterm_ev, NULL);
    evsignal_add(sigint_ev, NULL);
    cron_arm();

    stats_mark_startup_memory();
    /* After the mark: the ring is reported in used_memory_overhead on its own, not hidden in
     * used_memory_startup, and resizing it (CONFIG SET) moves that figure. */
    zmalloc_category_set(MC_METRICS);
    if (history_setup(base) < 0)
        log_msg(LL_WARNING, "Could not start the memory history timer: no history is kept");
    /* From here on, what no module claims is "other" (MEMORY BREAKDOWN). */
    zmalloc_category_set(MC_OTHER);
    log_msg(LL_NOTICE, "Ready to accept connections on port %d (used_memory %zu bytes)", cfg->port,
            server_startup_memory());
    event_base_dispatch(base);
    /* Shutdown frees every category's blocks in teardown order: not a question of attribution. */
    zmalloc_category_check(0);

    /* Shutdown: stop accepting, drop clients, then every module in reverse order. */
    net_close_listeners();
    metrics_http_teardown();
    log_msg(LL_WARNING, "User requested shutdown... closing %zu clients", clients_count());
    event_free(sigint_ev);
    event_free(sigterm_ev);
    event_free(cron_ev);
    event_free(defrag_ev);
    defrag_teardown();
    history_teardown();
    pidfile_remove();
    rc = 0;
out_http:
    metrics_http_teardown();
out_net:
    net_teardown();
    tracking_teardown();
    pubsub_teardown();
    monitor_teardown();
    metrics_teardown();
out_lazy:
    lazyfree_teardown();
out_db:
    db_teardown();
out_cmd:
    slowlog_reset();
    command_teardown();
out_base:
    event_base_free(base);
    libevent_global_shutdown();
    /* OpenSSL's global state (providers, error queues) would otherwise be freed only by its
     * own atexit handler, after used_memory at exit is logged. Nothing here uses it again. */
    OPENSSL_cleanup();
out_log:;
    size_t startup = server_startup_memory();
    config_teardown();
    log_msg(LL_WARNING, "used_memory at exit: %zu bytes (startup %zu)", zmalloc_used_memory(),
            startup);
    if (rc == 0)
        log_msg(LL_WARNING, "zmem is now ready to exit, bye bye...");
    log_teardown();
    return rc;
}
