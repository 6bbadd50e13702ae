/* cmd_multi.c — transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queueing itself happens
 * in the dispatcher (core/command.c), running the queue in core/multi.c, and the watched-keys
 * tables in keyspace/watch.c. */
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "multi.h"
#include "watch.h"

static void
cmd_multi(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

static void
cmd_exec(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR EXEC without MULTI");
        return;
    }
    multi_exec(c);
}

static void
cmd_discard(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "ERR DISCARD without MULTI");
        return;
    }
    multi_discard(c);
    reply_ok(c);
}

static void
cmd_watch(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    /* Once a watched key changed, EXEC fails whatever else is watched: no need to add more. */
    if (!c->watch.dirty)
        for (int i = 1; i < c->argc; i++)
            watch_add(&c->watch, CDB(c), ARGP(c, i), ARGL(c, i));
    reply_ok(c);
}

static void
cmd_unwatch(struct client *c)
{
    watch_clear(&c->watch);
    reply_ok(c);
}

const struct command cmd_multi_table[] = {
    COMMAND("multi", cmd_multi, 1, CMD_NO_QUEUE | CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Start a transaction", .group = "transactions"),
    COMMAND("exec", cmd_exec, 1, CMD_NO_QUEUE | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
            .summary = "Run the commands queued since MULTI, or nothing if a watched key changed",
            .group = "transactions"),
    COMMAND("discard", cmd_discard, 1, CMD_NO_QUEUE | CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Drop the commands queued since MULTI and leave the transaction",
            .group = "transactions"),
    COMMAND("watch", cmd_watch, -2, CMD_NO_QUEUE | CMD_FAST | CMD_LOADING | CMD_STALE,
            .keys = {1, -1, 1},
            .summary = "Monitor changes to keys to determine execution of the MULTI/EXEC block",
            .group = "transactions"),
    COMMAND("unwatch", cmd_unwatch, 1, CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Stop watching every key this connection watches", .group = "transactions"),
    COMMAND_END,
};
