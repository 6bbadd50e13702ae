/* info.c — INFO text: the table rows of each section from a snapshot, the _human twins and
 * percentages, and the list sections (commandstats, errorstats, latencystats, keyspace) that
 * have a line per command, error code or database. Format as docs/redis-compat.md, "Wire
 * format": CRLF lines, a "# Title" header per section, one empty line between sections. */
#include "info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "command.h"
#include "config.h"
#include "db.h"
#include "latency.h"
#include "metrics.h"
#include "resp_write.h"
#include "stats.h"
#include "util.h"

/* INFO is polled by tools (redis-cli --stat, exporters, benchmarks) and must cost no more than
 * Redis's: each row is written straight into the buffer after one reservation, and numbers are
 * formatted without printf (snprintf of a double costs ~300 ns, a whole row here ~50). */
static size_t
info_fmt_u(char *dst, unsigned long long u)
{
    char tmp[24];
    size_t n = 0;

    do {
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    memcpy(dst, tmp + sizeof(tmp) - n, n);
    return n;
}

/* printf's "%.*f" for decimals 2 or 6, without printf. x * 10^decimals is rounded to the
 * nearest integer; a product that lands exactly on .5 may hide which side the exact value is
 * on, so that case (and any value too large for the fast path) goes to snprintf. */
static size_t
info_fmt_fixed(char *dst, double x, int decimals)
{
    double scale = decimals == 6 ? 1e6 : 100;
    double r = x < 0 ? -x * scale : x * scale;

    if (!(r < 1e15) || r - (double)(long long)r == 0.5)
        return (size_t)snprintf(dst, 64, "%.*f", decimals, x);
    unsigned long long q = (unsigned long long)r;
    if (r - (double)q > 0.5)
        q++;
    unsigned long long unit = decimals == 6 ? 1000000 : 100;
    size_t n = 0;
    if (x < 0 && q)
        dst[n++] = '-';
    n += info_fmt_u(dst + n, q / unit);
    dst[n++] = '.';
    unsigned long long frac = q % unit;
    for (unsigned long long d = unit / 10; d; d /= 10) {
        dst[n++] = (char)('0' + frac / d);
        frac %= d;
    }
    return n;
}

/* The _human rule (docs/redis-compat.md, "The _human format"), as bytes_to_human() (util.c)
 * applies it, on the fixed-point formatter above: INFO memory prints nine of these, and
 * through snprintf they were half of its cost. tests/unit/test_metrics.c checks the two agree. */
static size_t
info_fmt_human(char *dst, unsigned long long n)
{
    static const char units[] = "KMGTP";
    double d = (double)n;
    size_t len;

    if (n >= 1024) {
        for (int i = 0; i < 5; i++) {
            d /= 1024;
            if (d < 1024) {
                len = info_fmt_fixed(dst, d, 2);
                dst[len++] = units[i];
                return len;
            }
        }
    }
    len = info_fmt_u(dst, n);
    dst[len++] = 'B';
    return len;
}

/* The value of one row as text: into num, or a pointer to the row's own string. */
static const char *
info_value(const struct metric_def *d, const union metric_value *v, char *num, size_t *len)
{
    switch (d->kind) {
    case MK_STR:
        *len = v->s ? strlen(v->s) : 0;
        return v->s ? v->s : "";
    case MK_F64:
        *len = info_fmt_fixed(num, v->d, d->unit == MU_SEC ? 6 : 2);
        if (d->unit == MU_PCT)
            num[(*len)++] = '%';
        return num;
    case MK_I64:
        if (d->unit == MU_HUMAN) {
            *len = info_fmt_human(num, v->i > 0 ? (unsigned long long)v->i : 0);
        } else if (v->i < 0) {
            num[0] = '-';
            *len = 1 + info_fmt_u(num + 1, 0ULL - (unsigned long long)v->i);
        } else {
            *len = info_fmt_u(num, (unsigned long long)v->i);
        }
        return num;
    default:
        *len = d->unit == MU_HUMAN ? info_fmt_human(num, v->u) : info_fmt_u(num, v->u);
        return num;
    }
}

static void
info_row(struct buf *out, const struct metric_def *d, size_t nlen, const union metric_value *v)
{
    char num[64], human[64];
    size_t vlen, hlen = 0;
    const char *val = info_value(d, v, num, &vlen);

    if (d->unit == MU_BYTES_H) {
        unsigned long long bytes =
            d->kind == MK_I64 ? (v->i > 0 ? (unsigned long long)v->i : 0) : v->u;
        hlen = info_fmt_human(human, bytes);
    }
    if (buf_reserve(out, 2 * nlen + vlen + hlen + 16) != 0)
        return;
    char *p = out->data + out->len;
    memcpy(p, d->info, nlen);
    p += nlen;
    *p++ = ':';
    memcpy(p, val, vlen);
    p += vlen;
    *p++ = '\r';
    *p++ = '\n';
    if (d->unit == MU_BYTES_H) {
        memcpy(p, d->info, nlen);
        p += nlen;
        memcpy(p, "_human:", 7);
        p += 7;
        memcpy(p, human, hlen);
        p += hlen;
        *p++ = '\r';
        *p++ = '\n';
    }
    out->len = (size_t)(p - out->data);
}

static void
info_append_u(struct buf *out, unsigned long long u)
{
    char tmp[24];
    buf_append(out, tmp, info_fmt_u(tmp, u));
}

static void
info_append_i(struct buf *out, long long i)
{
    char tmp[24];
    buf_append(out, tmp, resp_ll2str(tmp, i));
}

/* Command names and error codes come from tables and clients: the characters that would break
 * the "name:value" line format become '_' (Redis's getSafeInfoString). */
static void
info_append_safe(struct buf *out, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c == '#' || c == ':' || c == '\r' || c == '\n')
            c = '_';
        buf_append(out, &c, 1);
    }
}

/* latency_percentiles_usec_<command>:p50=..,p99=..,p99.9=.. for each command with tracked
 * calls (latency-tracking). */
static void
info_latencystat(const struct command *cmd, void *arg)
{
    struct buf *out = arg;
    char name[128], tmp[64], list[512], *save = NULL;
    const struct latency_hist *h = &cmd->stats->hist;

    if (latency_hist_calls(h) == 0)
        return;
    command_fullname(cmd, name, sizeof(name));
    buf_append_str(out, "latency_percentiles_usec_");
    info_append_safe(out, name);
    buf_append_str(out, ":");
    /* The list is normalised by config ("50 99 99.9"): each word is its own label. */
    snprintf(list, sizeof(list), "%s", config_get()->latency_tracking_info_percentiles);
    int first = 1;
    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int n = snprintf(tmp, sizeof(tmp), "%sp%s=%.3f", first ? "" : ",", w,
                         latency_hist_percentile(h, strtod(w, NULL)));
        buf_append(out, tmp, (size_t)n);
        first = 0;
    }
    buf_append(out, "\r\n", 2);
}

static void
info_cmdstat(const struct command *cmd, void *arg)
{
    struct buf *out = arg;
    const struct command_stats *st = cmd->stats;
    char name[128], tmp[64];

    if (st == NULL || (st->calls == 0 && st->rejected_calls == 0 && st->failed_calls == 0))
        return;
    command_fullname(cmd, name, sizeof(name));
    buf_append_str(out, "cmdstat_");
    info_append_safe(out, name);
    buf_append_str(out, ":calls=");
    info_append_u(out, st->calls);
    buf_append_str(out, ",usec=");
    info_append_u(out, st->usec);
    buf_append_str(out, ",usec_per_call=");
    buf_append(out, tmp,
               info_fmt_fixed(tmp, st->calls ? (double)st->usec / (double)st->calls : 0.0, 2));
    buf_append_str(out, ",rejected_calls=");
    info_append_u(out, st->rejected_calls);
    buf_append_str(out, ",failed_calls=");
    info_append_u(out, st->failed_calls);
    buf_append(out, "\r\n", 2);
}

static void
info_errorstat(const char *code, uint64_t count, void *arg)
{
    struct buf *out = arg;

    buf_append_str(out, "errorstat_");
    info_append_safe(out, code);
    buf_append_str(out, ":count=");
    info_append_u(out, count);
    buf_append(out, "\r\n", 2);
}

static void
info_keyspace(struct buf *out)
{
    for (int i = 0; i < db_count(); i++) {
        const struct db *db = db_get(i);
        if (db == NULL || (db_size(db) == 0 && db_expires_size(db) == 0))
            continue;
        buf_append_str(out, "db");
        info_append_u(out, (unsigned long long)i);
        buf_append_str(out, ":keys=");
        info_append_u(out, db_size(db));
        buf_append_str(out, ",expires=");
        info_append_u(out, db_expires_size(db));
        buf_append_str(out, ",avg_ttl=");
        info_append_i(out, db_avg_ttl(db));
        buf_append(out, "\r\n", 2);
    }
}

/* Where each section's rows start and end in the table (rows are grouped by section), and
 * each INFO name's length: computed once. */
static struct {
    int ready;
    int first[MS_COUNT], end[MS_COUNT];
    unsigned char len[M_COUNT];
} rows;

static void
rows_init(void)
{
    for (int sect = 0; sect < MS_COUNT; sect++)
        rows.first[sect] = rows.end[sect] = 0;
    for (int id = M_COUNT - 1; id >= 0; id--) {
        const struct metric_def *d = &metric_defs[id];
        rows.len[id] = (unsigned char)(d->info ? strlen(d->info) : 0);
        if (rows.end[d->sect] == 0)
            rows.end[d->sect] = id + 1;
        rows.first[d->sect] = id;
    }
    rows.ready = 1;
}

void
metrics_format_info(struct buf *out, const struct metrics_snapshot *s, unsigned mask,
                    int with_lists)
{
    int first = 1;

    if (!rows.ready)
        rows_init();

    for (int sect = 0; sect < MS_COUNT; sect++) {
        if (!(mask & MS_BIT(sect)))
            continue;
        if (!first)
            buf_append(out, "\r\n", 2);
        first = 0;
        buf_append_str(out, "# ");
        buf_append_str(out, metrics_section_title(sect));
        buf_append(out, "\r\n", 2);
        for (int id = rows.first[sect]; id < rows.end[sect]; id++) {
            const struct metric_def *d = &metric_defs[id];
            if (d->sect == sect && d->info)
                info_row(out, d, rows.len[id], &s->v[id]);
        }
        if (!with_lists)
            continue;
        if (sect == MS_COMMANDSTATS)
            command_foreach(info_cmdstat, out);
        else if (sect == MS_ERRORSTATS)
            errorstats_foreach(info_errorstat, out);
        else if (sect == MS_KEYSPACE)
            info_keyspace(out);
        else if (sect == MS_LATENCYSTATS)
            command_foreach(info_latencystat, out);
    }
}

void
metrics_render_info(struct buf *out, int nsect, const char *const *sect, const size_t *len)
{
    struct metrics_snapshot s;
    unsigned mask = metrics_section_mask(nsect, sect, len);

    if (mask == 0)
        return;
    /* Collect before the output grows, so used_memory does not count the INFO text itself. */
    metrics_collect(&s, mask);
    buf_reserve(out, mask & MS_BIT(MS_STATS) ? 4096 : 1536);
    metrics_format_info(out, &s, mask, 1);
}
