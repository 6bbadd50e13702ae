/* cmd_latency.c — LATENCY: the latency monitor's reports (LATEST, HISTORY, RESET, GRAPH,
 * DOCTOR) over core/latency's event rings, and HISTOGRAM over the per-command histograms. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "latency.h"

static void
reply_latest_one(const char *event, const struct latency_sample *s, size_t n, uint32_t max,
                 void *ctx)
{
    struct client *c = ctx;
    reply_array(c, 4);
    reply_bulk_cstr(c, event);
    reply_int(c, s[n - 1].time);
    reply_int(c, s[n - 1].ms);
    reply_int(c, max);
}

static void
count_event(const char *event, const struct latency_sample *s, size_t n, uint32_t max, void *ctx)
{
    (void)event, (void)s, (void)n, (void)max;
    (*(long long *)ctx)++;
}

static void
cmd_latency_latest(struct client *c)
{
    long long n = 0;
    latency_foreach_event(count_event, &n);
    reply_array(c, n);
    latency_foreach_event(reply_latest_one, c);
}

static void
cmd_latency_history(struct client *c)
{
    struct latency_sample s[LATENCY_SAMPLES];
    uint32_t max;
    char event[64];

    snprintf(event, sizeof(event), "%.*s", (int)c->argv[2].len, c->argv[2].ptr);
    size_t n = latency_event_samples(event, s, &max);
    reply_array(c, (long long)n);
    for (size_t i = 0; i < n; i++) {
        reply_array(c, 2);
        reply_int(c, s[i].time);
        reply_int(c, s[i].ms);
    }
}

static void
cmd_latency_reset(struct client *c)
{
    if (c->argc == 2) {
        reply_int(c, latency_reset_all());
        return;
    }
    long long n = 0;
    for (int i = 2; i < c->argc; i++) {
        char event[64];
        snprintf(event, sizeof(event), "%.*s", (int)c->argv[i].len, c->argv[i].ptr);
        n += latency_reset_event(event);
    }
    reply_int(c, n);
}

/* GRAPH: a header with the extremes, then one column per sample (oldest on the left) as a bar
 * of up to 8 rows scaled between the lowest and highest sample, and under each bar its age. */
static void
cmd_latency_graph(struct client *c)
{
    struct latency_sample s[LATENCY_SAMPLES];
    uint32_t max, lo = UINT32_MAX, hi = 0;
    char event[64];

    snprintf(event, sizeof(event), "%.*s", (int)c->argv[2].len, c->argv[2].ptr);
    size_t n = latency_event_samples(event, s, &max);
    if (n == 0) {
        reply_errorf(c, "ERR No samples available for event '%s'", event);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        lo = s[i].ms < lo ? s[i].ms : lo;
        hi = s[i].ms > hi ? s[i].ms : hi;
    }
    struct buf b = BUF_INIT;
    char line[LATENCY_SAMPLES + 2];
    int len = snprintf(line, sizeof(line), "%s - high %u ms, low %u ms (all time high %u ms)\n",
                       event, hi, lo, max);
    buf_append(&b, line, (size_t)len);
    memset(line, '-', 80);
    line[80] = '\n';
    buf_append(&b, line, 81);
    for (int row = 8; row >= 1; row--) {
        for (size_t i = 0; i < n; i++) {
            uint32_t h = hi == lo ? 8 : 1 + (uint32_t)((uint64_t)(s[i].ms - lo) * 7 / (hi - lo));
            line[i] = h >= (uint32_t)row ? '#' : ' ';
        }
        line[n] = '\n';
        buf_append(&b, line, n + 1);
    }
    /* The age of each sample, written downwards: "12s", "3m", "2h", "5d". */
    int64_t now = s[n - 1].time;
    char ages[LATENCY_SAMPLES][24];
    for (size_t i = 0; i < n; i++) {
        int64_t a = now - s[i].time;
        if (a < 60)
            snprintf(ages[i], sizeof(ages[i]), "%llds", (long long)a);
        else if (a < 3600)
            snprintf(ages[i], sizeof(ages[i]), "%lldm", (long long)(a / 60));
        else if (a < 86400)
            snprintf(ages[i], sizeof(ages[i]), "%lldh", (long long)(a / 3600));
        else
            snprintf(ages[i], sizeof(ages[i]), "%lldd", (long long)(a / 86400));
    }
    for (int row = 0; row < 8; row++) {
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            size_t al = strlen(ages[i]);
            line[i] = (size_t)row < al ? ages[i][row] : ' ';
            any |= (size_t)row < al;
        }
        if (!any)
            break;
        line[n] = '\n';
        buf_append(&b, line, n + 1);
    }
    reply_verbatim(c, b.data, b.len);
    buf_free(&b);
}

struct doctor_ctx {
    struct buf *b;
    int events;
};

static void
doctor_event(const char *event, const struct latency_sample *s, size_t n, uint32_t max, void *ctx)
{
    struct doctor_ctx *d = ctx;
    double sum = 0, dev = 0;
    char line[512];

    for (size_t i = 0; i < n; i++)
        sum += s[i].ms;
    double avg = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        dev += s[i].ms > avg ? s[i].ms - avg : avg - s[i].ms;
    int64_t span = s[n - 1].time - s[0].time;
    int len = snprintf(line, sizeof(line),
                       "%d. %s: %zu spike%s recorded, averaging %.0f ms (mean deviation %.0f "
                       "ms), over %lld seconds; worst since the last reset %u ms.\n",
                       ++d->events, event, n, n == 1 ? "" : "s", avg, dev / (double)n,
                       (long long)span, max);
    buf_append(d->b, line, (size_t)len);
}

/* DOCTOR: a plain-language summary of what the monitor saw, and what to look at next. */
static void
cmd_latency_doctor(struct client *c)
{
    long long threshold = config_get()->latency_monitor_threshold;
    struct buf b = BUF_INIT;
    struct doctor_ctx d = {&b, 0};
    char line[512];
    int len;

    latency_foreach_event(doctor_event, &d);
    if (d.events == 0) {
        if (threshold <= 0)
            len = snprintf(line, sizeof(line),
                           "The latency monitor is off (latency-monitor-threshold is 0), so no "
                           "spikes were recorded. Turn it on with CONFIG SET "
                           "latency-monitor-threshold <milliseconds>.\n");
        else
            len = snprintf(line, sizeof(line),
                           "No spike of %lld ms or more was recorded since the start or the last "
                           "LATENCY RESET.\n",
                           threshold);
        buf_append(&b, line, (size_t)len);
    } else {
        len = snprintf(line, sizeof(line),
                       "\nAdvice: 'command' spikes are slow commands: SLOWLOG GET names them, "
                       "LATENCY HISTOGRAM shows each command's spread. 'fast-command' spikes in "
                       "O(1) commands point at the host (swapping, CPU steal, a blocked "
                       "process). 'eviction-cycle' spikes mean maxmemory evicts big values: "
                       "MEMORY DOCTOR and the bigkeys scan find them.\n");
        buf_append(&b, line, (size_t)len);
    }
    reply_verbatim(c, b.data, b.len);
    buf_free(&b);
}

/* ---- HISTOGRAM ---- */

static void
reply_bucket(long long usec, uint64_t cumulative, void *ctx)
{
    struct client *c = ctx;
    reply_int(c, usec);
    reply_int(c, (long long)cumulative);
}

static void
reply_histogram(struct client *c, const struct command *cmd)
{
    char full[128];
    command_fullname(cmd, full, sizeof(full));
    reply_bulk_cstr(c, full);
    reply_map(c, 2);
    reply_bulk_cstr(c, "calls");
    reply_int(c, (long long)latency_hist_calls(&cmd->stats->hist));
    reply_bulk_cstr(c, "histogram_usec");
    reply_map(c, (long long)latency_hist_bucket_count(&cmd->stats->hist));
    latency_hist_foreach_bucket(&cmd->stats->hist, reply_bucket, c);
}

struct hist_ctx {
    struct client *c;
    long long n;
};

static void
histogram_all(const struct command *cmd, void *ctx)
{
    struct hist_ctx *h = ctx;
    if (latency_hist_calls(&cmd->stats->hist) == 0)
        return;
    if (h->c)
        reply_histogram(h->c, cmd);
    h->n++;
}

/* The command a HISTOGRAM argument names ("get", "config|get"), NULL if none. */
static const struct command *
histogram_lookup(const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (bar == NULL)
        return command_lookup(name, len);
    const struct command *parent = command_lookup(name, (size_t)(bar - name));
    if (parent == NULL || parent->subcommands == NULL)
        return NULL;
    return command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
}

/* HISTOGRAM [command...]: every command with tracked calls, or the ones named (a container
 * name stands for its subcommands), each once, unknown names and untracked commands left out. */
static void
cmd_latency_histogram(struct client *c)
{
    if (c->argc == 2) {
        struct hist_ctx h = {NULL, 0};
        command_foreach(histogram_all, &h);
        reply_map(c, h.n);
        h.c = c;
        command_foreach(histogram_all, &h);
        return;
    }
    const struct command *picked[256];
    long long n = 0;
    for (int i = 2; i < c->argc && n < 256; i++) {
        const struct command *cmd = histogram_lookup(c->argv[i].ptr, c->argv[i].len);
        if (cmd == NULL)
            continue;
        const struct command *one[2] = {cmd, NULL};
        const struct command *list = cmd->subcommands;
        for (int k = 0; list ? list[k].name != NULL : one[k] != NULL; k++) {
            const struct command *x = list ? &list[k] : one[k];
            int dup = latency_hist_calls(&x->stats->hist) == 0;
            for (long long j = 0; j < n && !dup; j++)
                dup = picked[j] == x;
            if (!dup && n < 256)
                picked[n++] = x;
        }
    }
    reply_map(c, n);
    for (long long j = 0; j < n; j++)
        reply_histogram(c, picked[j]);
}

static void
cmd_latency_help(struct client *c)
{
    static const char *const lines[] = {
        "DOCTOR",
        "    Return a plain-language report of the latency spikes recorded.",
        "GRAPH <event>",
        "    Return an ASCII graph of the <event> class's spikes.",
        "HISTORY <event>",
        "    Return the time-latency samples of the <event> class.",
        "LATEST",
        "    Return the newest and worst samples of every event class.",
        "RESET [<event> ...]",
        "    Forget the samples of the <event> classes (all of them by default).",
        "HISTOGRAM [COMMAND ...]",
        "    Return the cumulative latency distribution of the named commands (all tracked",
        "    commands by default).",
        NULL,
    };
    reply_help(c, "latency", lines);
}

#define LAT_FLAGS (CMD_ADMIN | CMD_LOADING | CMD_STALE)
static const struct command latency_subcommands[] = {
    COMMAND("latest", cmd_latency_latest, 2, LAT_FLAGS,
            .summary = "For each event: time and duration of its last spike, and its worst one",
            .group = "server"),
    COMMAND("history", cmd_latency_history, 3, LAT_FLAGS,
            .summary = "Return timestamp-latency samples for an event", .group = "server"),
    COMMAND("reset", cmd_latency_reset, -2, LAT_FLAGS,
            .summary = "Forget the spikes of the named events, or of all events",
            .group = "server"),
    COMMAND("graph", cmd_latency_graph, 3, LAT_FLAGS,
            .summary = "Return a latency graph for an event", .group = "server"),
    COMMAND("doctor", cmd_latency_doctor, 2, LAT_FLAGS,
            .summary = "Return a human-readable latency analysis report", .group = "server"),
    COMMAND("histogram", cmd_latency_histogram, -2, LAT_FLAGS,
            .summary = "Return the cumulative distribution of latencies of a subset or all "
                       "commands",
            .group = "server"),
    COMMAND("help", cmd_latency_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the LATENCY subcommands and their arguments", .group = "server"),
    COMMAND_END,
};

const struct command cmd_latency_table[] = {
    COMMAND("latency", NULL, -2, 0, .subcommands = latency_subcommands,
            .summary = "Inspect the spikes recorded by the latency monitor", .group = "server"),
    COMMAND_END,
};
