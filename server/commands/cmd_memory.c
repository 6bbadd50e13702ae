/* cmd_memory.c — MEMORY DOCTOR | HELP | HISTORY | MALLOC-STATS | PURGE | STATS | USAGE. The
 * figures come from one metrics snapshot per call (metrics.h), so STATS and DOCTOR agree with
 * INFO memory; HISTORY reads the samples history.h keeps. Arity and unknown-subcommand errors
 * are the dispatcher's, from the table at the end. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "doctor.h"
#include "history.h"
#include "memcat.h"
#include "metrics.h"
#include "zmalloc.h"

/* ---- MEMORY STATS ---- */

static void
stats_map(void *ctx, long long pairs)
{
    reply_map(ctx, pairs);
}

static void
stats_key(void *ctx, const char *key)
{
    reply_bulk_cstr(ctx, key);
}

static void
stats_integer(void *ctx, long long v)
{
    reply_int(ctx, v);
}

/* Redis keeps these ratios as float and replies with the float widened to double; the snapshot
 * already holds exactly that value, so RESP2 "%.17g" prints the same digits Redis does. */
static void
stats_double(void *ctx, double v)
{
    reply_double(ctx, v);
}

static void
cmd_memory_stats(struct client *c)
{
    struct metrics_snapshot s;
    struct metrics_map_sink sink = {stats_map, stats_key, stats_integer, stats_double, c};

    metrics_collect(&s, MS_BIT(MS_MEMORY));
    metrics_render_map(&s, &sink, 1);
}

/* ---- MEMORY USAGE key [SAMPLES count] ---- */

static void
cmd_memory_usage(struct client *c)
{
    long long samples = 5;

    /* Options are checked before the key is looked up, as Redis does. */
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(c, j, "samples") && j + 1 < c->argc) {
            if (arg_ll(c, j + 1, &samples) != 0) {
                reply_error_notint(c);
                return;
            }
            if (samples < 0) {
                reply_error_syntax(c);
                return;
            }
            j++;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    struct db *db = db_get(c->db_id);
    long long bytes = db ? db_memory_usage(db, c->argv[2].ptr, c->argv[2].len, samples) : -1;
    if (bytes < 0)
        reply_null(c);
    else
        reply_int(c, bytes);
}

/* ---- MEMORY DOCTOR ---- */

static void
cmd_memory_doctor(struct client *c)
{
    struct buf out = BUF_INIT;

    metrics_render_doctor(&out);
    reply_verbatim(c, out.data ? out.data : "", out.len);
    buf_free(&out);
}

/* ---- MEMORY HISTORY [COUNT n] ---- */

/* One sample: a map in RESP3, a flat field/value array in RESP2 (reply_map does both);
 * integers as integers, ratios as doubles. */
static void
history_reply_rec(const struct history_rec *rec, void *arg)
{
    struct client *c = arg;

    reply_map(c, HF_COUNT);
    for (int f = 0; f < HF_COUNT; f++) {
        reply_bulk_cstr(c, history_fields[f].name);
        if (history_fields[f].kind == HK_F64)
            reply_double(c, rec->v[f].d);
        else
            reply_int(c, (long long)rec->v[f].u);
    }
}

static void
cmd_memory_history(struct client *c)
{
    long long count = 0; /* all */

    for (int j = 2; j < c->argc; j++) {
        if (arg_is(c, j, "count") && j + 1 < c->argc) {
            /* Redis's text for a count that is not a positive integer (LPOP, SPOP), whether it
             * is not a number or not above 0. */
            if (arg_ll(c, j + 1, &count) != 0 || count <= 0) {
                reply_error(c, "ERR value is out of range, must be positive");
                return;
            }
            j++;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    size_t n = history_len();
    if ((unsigned long long)count < n && count > 0)
        n = (size_t)count;
    reply_array(c, (long long)n);
    history_foreach(n, history_reply_rec, c);
}

/* ---- MEMORY BREAKDOWN ---- */

/* total (used_memory at that instant: the sum of the categories, read in one pass), one
 * integer per category, then threads: name -> {allocated_bytes, freed_bytes}. Everything is
 * read before the reply is written, so the reply's own growth is not in the figures. */
static void
cmd_memory_breakdown(struct client *c)
{
    int64_t bytes[ZMALLOC_CATEGORIES];
    struct zmalloc_thread_stat threads[32];
    size_t total = zmalloc_category_usage(bytes, ZMALLOC_CATEGORIES);
    int ncat = zmalloc_category_count();
    int nthreads = zmalloc_thread_stats(threads, 32);

    if (nthreads > 32)
        nthreads = 32; /* the last entry already holds the rest */
    reply_map(c, 1 + ncat + 1);
    reply_bulk_cstr(c, "total");
    reply_int(c, (long long)total);
    /* Server categories in memcat.h order, "other" last; then any a library registered. */
    for (int i = 1; i < ncat; i++) {
        reply_bulk_cstr(c, zmalloc_category_name(i));
        reply_int(c, (long long)bytes[i]);
    }
    reply_bulk_cstr(c, zmalloc_category_name(MC_OTHER));
    reply_int(c, (long long)bytes[MC_OTHER]);
    reply_bulk_cstr(c, "threads");
    reply_map(c, nthreads);
    for (int i = 0; i < nthreads; i++) {
        reply_bulk_cstr(c, threads[i].name);
        reply_map(c, 2);
        reply_bulk_cstr(c, "allocated_bytes");
        reply_int(c, (long long)threads[i].allocated);
        reply_bulk_cstr(c, "freed_bytes");
        reply_int(c, (long long)threads[i].freed);
    }
}

/* ---- MEMORY MALLOC-STATS | PURGE | HELP ---- */

static void
malloc_stats_append(void *ctx, const char *text)
{
    buf_append_str(ctx, text);
}

static void
cmd_memory_malloc_stats(struct client *c)
{
    struct buf out = BUF_INIT;

    if (zmalloc_stats_print(malloc_stats_append, &out) < 0)
        reply_bulk_cstr(c, "Stats not supported for the current allocator");
    else
        reply_verbatim(c, out.data ? out.data : "", out.len);
    buf_free(&out);
}

static void
cmd_memory_purge(struct client *c)
{
    if (zmalloc_purge() == 0)
        reply_ok(c);
    else
        reply_error(c, "ERR Error purging dirty pages");
}

static void
cmd_memory_help(struct client *c)
{
    static const char *const lines[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "HISTORY [COUNT <count>]",
        "    Return the memory samples taken once a second, oldest first (the newest <count>).",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "BREAKDOWN",
        "    Return used memory by category (exact, they add up) and each thread's bytes.",
        NULL,
    };
    reply_help(c, "memory", lines);
}

static const struct command memory_subcommands[] = {
    COMMAND("breakdown", cmd_memory_breakdown, 2, 0,
            .summary = "Show used memory by category and by thread, exactly", .group = "server"),
    COMMAND("doctor", cmd_memory_doctor, 2, 0, .summary = "Outputs a memory problems report",
            .group = "server"),
    COMMAND("help", cmd_memory_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the MEMORY subcommands and their arguments", .group = "server"),
    COMMAND("history", cmd_memory_history, -2, 0,
            .summary = "Show the memory samples of the last memory-history-len seconds",
            .group = "server"),
    COMMAND("malloc-stats", cmd_memory_malloc_stats, 2, 0,
            .summary = "Print the allocator's own statistics as text", .group = "server"),
    COMMAND("purge", cmd_memory_purge, 2, 0,
            .summary = "Ask the allocator to hand freed pages back to the system",
            .group = "server"),
    COMMAND("stats", cmd_memory_stats, 2, 0,
            .summary = "Report used memory and its parts as name/value pairs", .group = "server"),
    COMMAND("usage", cmd_memory_usage, -3, CMD_READONLY, .keys = {2, 2, 1},
            .summary = "Count the bytes a key and its value take", .group = "server"),
    COMMAND_END,
};

const struct command cmd_memory_table[] = {
    COMMAND("memory", NULL, -2, 0, .subcommands = memory_subcommands,
            .summary = "Inspect and manage the server's memory use", .group = "server"),
    COMMAND_END,
};
