/* slowlog.c — the slow log and the SLOWLOG command. Each entry is one allocation holding its
 * header, argument slices and argument bytes, so adding and dropping entries is cheap and
 * their memory is easy to account. */
#include "slowlog.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "command.h"
#include "config.h"
#include "util.h"
#include "zmalloc.h"

#define SLOWLOG_MAX_ARGC   32
#define SLOWLOG_MAX_STRING 128

struct slowlog_arg {
    const char *ptr;
    size_t len;
};

struct slowlog_entry {
    struct slowlog_entry *next, *prev; /* next: older */
    long long id;
    long long time;     /* unix seconds */
    long long duration; /* microseconds */
    int argc;
    struct slowlog_arg *argv;
    char *addr, *name;
    /* argv array, then argument bytes, addr and name follow in the same block */
};

static struct slowlog_entry *newest, *oldest;
static size_t count;
static long long next_id;

static void
trim_to(size_t max)
{
    while (count > max) {
        struct slowlog_entry *e = oldest;
        oldest = e->prev;
        if (oldest)
            oldest->next = NULL;
        else
            newest = NULL;
        zfree(e);
        count--;
    }
}

void
slowlog_consider(struct client *c, int64_t duration_us)
{
    const struct config *cfg = config_get();
    char more[SLOWLOG_MAX_ARGC][48];
    size_t lens[SLOWLOG_MAX_ARGC];

    if (cfg->slowlog_log_slower_than < 0 || duration_us < cfg->slowlog_log_slower_than ||
        cfg->slowlog_max_len == 0)
        return;
    /* At most 32 arguments, the last one saying how many were left out; each argument at
     * most 128 bytes followed by how many bytes were left out. */
    int argc = c->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : c->argc;
    size_t bytes = 0;
    for (int j = 0; j < argc; j++) {
        more[j][0] = '\0';
        if (argc != c->argc && j == argc - 1) {
            snprintf(more[j], sizeof(more[j]), "... (%d more arguments)", c->argc - argc + 1);
            lens[j] = 0;
        } else if (c->argv[j].len > SLOWLOG_MAX_STRING) {
            snprintf(more[j], sizeof(more[j]), "... (%zu more bytes)",
                     c->argv[j].len - SLOWLOG_MAX_STRING);
            lens[j] = SLOWLOG_MAX_STRING;
        } else {
            lens[j] = c->argv[j].len;
        }
        bytes += lens[j] + strlen(more[j]);
    }
    size_t addrlen = strlen(c->addr) + 1;
    size_t namelen = c->name ? strlen(c->name) + 1 : 1;
    struct slowlog_entry *e =
        zmalloc(sizeof(*e) + (size_t)argc * sizeof(struct slowlog_arg) + bytes + addrlen + namelen);
    e->argv = (struct slowlog_arg *)(e + 1);
    char *p = (char *)(e->argv + argc);
    for (int j = 0; j < argc; j++) {
        size_t ml = strlen(more[j]);
        e->argv[j].ptr = p;
        e->argv[j].len = lens[j] + ml;
        memcpy(p, c->argv[j].ptr, lens[j]);
        memcpy(p + lens[j], more[j], ml);
        p += lens[j] + ml;
    }
    e->addr = p;
    memcpy(p, c->addr, addrlen);
    p += addrlen;
    e->name = p;
    memcpy(p, c->name ? c->name : "", namelen);
    e->argc = argc;
    e->id = next_id++;
    e->time = wall_ms() / 1000;
    e->duration = duration_us;
    e->prev = NULL;
    e->next = newest;
    if (newest)
        newest->prev = e;
    newest = e;
    if (oldest == NULL)
        oldest = e;
    count++;
    trim_to((size_t)cfg->slowlog_max_len);
}

void
slowlog_reset(void)
{
    trim_to(0);
}

/* ---- SLOWLOG ---- */

static void
cmd_slowlog_get(struct client *c)
{
    long long n = 10;

    if (c->argc > 3) {
        reply_error(c, "ERR unknown subcommand or wrong number of arguments for 'get'. "
                       "Try SLOWLOG HELP.");
        return;
    }
    if (c->argc == 3 && (arg_ll(c, 2, &n) < 0 || n < -1)) {
        reply_error(c, "ERR count should be greater than or equal to -1");
        return;
    }
    /* A lowered slowlog-max-len takes effect at the next read, as in Redis. */
    trim_to((size_t)config_get()->slowlog_max_len);
    if (n == -1 || (unsigned long long)n > count)
        n = (long long)count;
    reply_array(c, n);
    struct slowlog_entry *e = newest;
    for (long long i = 0; i < n; i++, e = e->next) {
        reply_array(c, 6);
        reply_int(c, e->id);
        reply_int(c, e->time);
        reply_int(c, e->duration);
        reply_array(c, e->argc);
        for (int j = 0; j < e->argc; j++)
            reply_bulk(c, e->argv[j].ptr, e->argv[j].len);
        reply_bulk_cstr(c, e->addr);
        reply_bulk_cstr(c, e->name);
    }
}

static void
cmd_slowlog_len(struct client *c)
{
    trim_to((size_t)config_get()->slowlog_max_len);
    reply_int(c, (long long)count);
}

static void
cmd_slowlog_reset(struct client *c)
{
    slowlog_reset();
    reply_ok(c);
}

static void
cmd_slowlog_help(struct client *c)
{
    static const char *const lines[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL,
    };
    reply_help(c, "slowlog", lines);
}

static const struct command slowlog_subcommands[] = {
    COMMAND("get", cmd_slowlog_get, -2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Get the slow log's entries", .group = "server"),
    COMMAND("len", cmd_slowlog_len, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Get the slow log's length", .group = "server"),
    COMMAND("reset", cmd_slowlog_reset, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Clear all entries from the slow log", .group = "server"),
    COMMAND("help", cmd_slowlog_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "Show helpful text about the different subcommands", .group = "server"),
    COMMAND_END,
};

const struct command cmd_slowlog_table[] = {
    COMMAND("slowlog", NULL, -2, 0, .subcommands = slowlog_subcommands,
            .summary = "A container for slow log commands", .group = "server"),
    COMMAND_END,
};
