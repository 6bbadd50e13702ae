/* cmd_slowlog.c — SLOWLOG GET / LEN / RESET / HELP over the slow log kept by slowlog.c. */
#include "client.h"
#include "command.h"
#include "commands.h"
#include "slowlog.h"

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
    size_t count = slowlog_len();
    if (n == -1 || (unsigned long long)n > count)
        n = (long long)count;
    reply_array(c, n);
    const struct slowlog_entry *e = slowlog_newest();
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
    reply_int(c, (long long)slowlog_len());
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
            .summary = "Return the newest slow log entries, up to count of them",
            .group = "server"),
    COMMAND("len", cmd_slowlog_len, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Count the entries in the slow log", .group = "server"),
    COMMAND("reset", cmd_slowlog_reset, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Empty the slow log", .group = "server"),
    COMMAND("help", cmd_slowlog_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the SLOWLOG subcommands and their arguments", .group = "server"),
    COMMAND_END,
};

const struct command cmd_slowlog_table[] = {
    COMMAND("slowlog", NULL, -2, 0, .subcommands = slowlog_subcommands,
            .summary = "Inspect the log of commands slower than slowlog-log-slower-than",
            .group = "server"),
    COMMAND_END,
};
