/* cmd_admin.c — server-wide control commands: MONITOR (core/monitor.c does the work), SWAPDB,
 * and WAIT, which on a server without replicas has nothing to wait for but its timeout. */
#include <stdint.h>

#include "blocking.h"
#include "client.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "monitor.h"
#include "util.h"

static void
cmd_monitor(struct client *c)
{
    /* A client that expects one reply per command (inside EXEC) cannot become a stream. */
    if (!client_may_block(c)) {
        reply_error(c, "ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & CLIENT_MONITOR)
        return; /* already one: Redis ignores it, without a reply */
    monitor_add(c);
    reply_ok(c);
}

/* SWAPDB index1 index2. The databases' contents change places; WATCHers of keys that change
 * are flagged, and clients blocked on keys that now exist are served after the command. */
static void
cmd_swapdb(struct client *c)
{
    long long id1, id2;

    if (arg_ll(c, 1, &id1) < 0 || id1 < INT32_MIN || id1 > INT32_MAX) {
        reply_error(c, "ERR invalid first DB index");
        return;
    }
    if (arg_ll(c, 2, &id2) < 0 || id2 < INT32_MIN || id2 > INT32_MAX) {
        reply_error(c, "ERR invalid second DB index");
        return;
    }
    if (db_swap((int)id1, (int)id2) < 0) {
        reply_error(c, "ERR DB index is out of range");
        return;
    }
    if (id1 != id2) {
        blocking_scan_db(db_get((int)id1));
        blocking_scan_db(db_get((int)id2));
    }
    reply_ok(c);
}

/* No replica ever acknowledges: WAIT's answer is always 0 replicas. */
static void
wait_timed_out(struct client *c, int key)
{
    (void)key;
    reply_int(c, 0);
}

/* WAIT numreplicas timeout (ms). Redis 7.0 on a server without replicas answers 0 at once when
 * 0 replicas are asked for (or in a transaction), and otherwise only when the timeout ends
 * (0: never), so WAIT blocks here as it does there. */
static void
cmd_wait(struct client *c)
{
    long long want, ms;

    if (arg_ll(c, 1, &want) < 0) {
        reply_error_notint(c);
        return;
    }
    if (arg_ll(c, 2, &ms) < 0) {
        reply_error(c, "ERR timeout is not an integer or out of range");
        return;
    }
    if (ms < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    if (want <= 0 || !client_may_block(c)) {
        reply_int(c, 0);
        return;
    }
    int64_t now = mono_ms();
    block_wait(c, ms == 0 ? 0 : (ms > INT64_MAX - now ? INT64_MAX : now + ms), wait_timed_out);
}

const struct command cmd_admin_table[] = {
    COMMAND("monitor", cmd_monitor, 1, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Stream every command the server receives to this connection as it runs",
            .group = "server"),
    COMMAND("swapdb", cmd_swapdb, 3, CMD_WRITE | CMD_FAST,
            .summary = "Exchange the contents of two numbered databases", .group = "server"),
    COMMAND("wait", cmd_wait, 3, 0,
            .summary =
                "Wait for replica acks; zmem has no replicas: 0, at once or when the timeout ends",
            .group = "generic"),
    COMMAND_END,
};
