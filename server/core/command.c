/* command.c — indexes the command tables main hands over, finds commands case-insensitively,
 * and runs them: existence, arity, subcommand, authentication and maxmemory checks in Redis's
 * order, then the call itself with its statistics and slow log entry, or, for a client in
 * MULTI, the queueing of the command for EXEC. */
#include "command.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "client.h"
#include "config.h"
#include "db.h"
#include "evict.h"
#include "latency.h"
#include "log.h"
#include "monitor.h"
#include "memcat.h"
#include "multi.h"
#include "pause.h"
#include "slowlog.h"
#include "stats.h"
#include "tracking.h"
#include "util.h"
#include "watch.h"
#include "zmalloc.h"

/* The NULL-terminated list given to command_setup(). */
static const struct command *const *tables;

/* Open addressing on lower-case names; 1024 slots keep it sparse for a few hundred commands. */
#define CMD_SLOTS    1024
#define CMD_NAME_MAX 64
static const struct command *slots[CMD_SLOTS];
static size_t ncommands;
/* The top-level commands that have subcommands, so command_parent() need not walk every
 * table: a handful of rows, zmalloc'd by command_setup(). */
static const struct command **containers;
static size_t ncontainers;

static uint32_t
name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a over the lower-cased bytes */
    for (size_t i = 0; i < len; i++) {
        h ^= (uint32_t)(unsigned char)tolower((unsigned char)s[i]);
        h *= 16777619u;
    }
    return h;
}

/* s is client bytes and may hold a NUL: strncasecmp would stop there as at the end of name, so
 * the lengths are compared first (and name is never read past its end). */
static int
name_eq(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && strncasecmp(name, s, len) == 0;
}

int
command_setup(const struct command *const *list)
{
    size_t nparents = 0;

    tables = list;
    for (size_t t = 0; tables[t]; t++)
        for (const struct command *cmd = tables[t]; cmd->name; cmd++)
            nparents += cmd->subcommands != NULL;
    containers = zcalloc_n(nparents ? nparents : 1, sizeof(*containers));
    ncontainers = 0;
    for (size_t t = 0; tables[t]; t++) {
        for (const struct command *cmd = tables[t]; cmd->name; cmd++) {
            size_t len = strlen(cmd->name);
            uint32_t i = name_hash(cmd->name, len) & (CMD_SLOTS - 1);
            while (slots[i]) {
                if (strcasecmp(slots[i]->name, cmd->name) == 0) {
                    log_msg(LL_WARNING, "Duplicate command '%s' in the command tables", cmd->name);
                    return -1;
                }
                i = (i + 1) & (CMD_SLOTS - 1);
            }
            slots[i] = cmd;
            ncommands++;
            if (cmd->subcommands)
                containers[ncontainers++] = cmd;
        }
    }
    /* The records are static, so a setup after a teardown (the unit tests) starts from zero
     * as the first one did. */
    command_reset_stats();
    return 0;
}

void
command_teardown(void)
{
    memset(slots, 0, sizeof(slots));
    zfree(containers);
    containers = NULL;
    ncontainers = 0;
    ncommands = 0;
    tables = NULL;
}

const struct command *
command_lookup(const char *name, size_t len)
{
    if (len == 0 || len >= CMD_NAME_MAX)
        return NULL;
    uint32_t i = name_hash(name, len) & (CMD_SLOTS - 1);
    while (slots[i]) {
        if (name_eq(slots[i]->name, name, len))
            return slots[i];
        i = (i + 1) & (CMD_SLOTS - 1);
    }
    return NULL;
}

const struct command *
command_lookup_sub(const struct command *parent, const char *name, size_t len)
{
    for (const struct command *sub = parent->subcommands; sub && sub->name; sub++)
        if (name_eq(sub->name, name, len))
            return sub;
    return NULL;
}

size_t
command_count(void)
{
    return ncommands;
}

const struct command *
command_parent(const struct command *cmd)
{
    for (size_t i = 0; i < ncontainers; i++)
        for (const struct command *sub = containers[i]->subcommands; sub->name; sub++)
            if (sub == cmd)
                return containers[i];
    return NULL;
}

void
command_fullname(const struct command *cmd, char *dst, size_t size)
{
    const struct command *parent = command_parent(cmd);

    if (parent)
        snprintf(dst, size, "%s|%s", parent->name, cmd->name);
    else
        snprintf(dst, size, "%s", cmd->name);
}

void
command_foreach(void (*fn)(const struct command *cmd, void *ctx), void *ctx)
{
    for (size_t t = 0; tables && tables[t]; t++) {
        for (const struct command *cmd = tables[t]; cmd->name; cmd++) {
            fn(cmd, ctx);
            for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
                fn(sub, ctx);
        }
    }
}

static void
reset_one(const struct command *cmd, void *ctx)
{
    (void)ctx;
    memset(cmd->stats, 0, sizeof(*cmd->stats));
}

void
command_reset_stats(void)
{
    command_foreach(reset_one, NULL);
}

/* ---- Dispatch ---- */

/* "%.*s" of at most max bytes, stopping at a NUL as C formatting of Redis's strings does. */
static int
cut(const char *s, size_t len, size_t max)
{
    const char *nul = memchr(s, '\0', len);
    if (nul)
        len = (size_t)(nul - s);
    return (int)(len < max ? len : max);
}

static void
reply_unknown_command(struct client *c)
{
    char args[300];
    size_t alen = 0;

    args[0] = '\0';
    /* Arguments are quoted until the list reaches 128 bytes, each cut to what is left. */
    for (int i = 1; i < c->argc && alen < 128; i++) {
        int n = snprintf(args + alen, sizeof(args) - alen, "'%.*s' ",
                         cut(c->argv[i].ptr, c->argv[i].len, 128 - alen), c->argv[i].ptr);
        if (n > 0)
            alen += (size_t)n;
        if (alen >= sizeof(args))
            alen = sizeof(args) - 1;
    }
    reply_errorf(c, "ERR unknown command '%.*s', with args beginning with: %s",
                 cut(c->argv[0].ptr, c->argv[0].len, 128), c->argv[0].ptr, args);
}

/* A browser or HTTP library tricked into talking to the RESP port sends "POST / HTTP/1.1" or a
 * "Host: ..." header line, which inline parsing turns into commands named "post" and "host:".
 * Nothing such a peer sends is a real request: say nothing, close it, log it (at most once a
 * minute, so a flood cannot fill the log) and count it (docs/limits.md, "Cross-protocol
 * requests"). Checked before authentication, as Redis does. */
static int
refuse_cross_protocol(struct client *c)
{
    static int64_t last_log_ms;
    const struct resp_arg *a = &c->argv[0];

    if (!((a->len == 4 && strncasecmp(a->ptr, "post", 4) == 0) ||
          (a->len == 5 && strncasecmp(a->ptr, "host:", 5) == 0)))
        return 0;
    server_stats()->cross_protocol_closed++;
    c->flags |= CLIENT_CLOSE_ASAP; /* pending replies are dropped, not sent */
    int64_t now = mono_ms();
    if (last_log_ms == 0 || now - last_log_ms >= 60000) {
        last_log_ms = now;
        log_msg(LL_WARNING,
                "Closed client %s: it sent '%.*s', an HTTP request line or header, to the RESP "
                "port (a browser or proxy may be being used to reach this server)",
                c->addr, (int)a->len, a->ptr);
    }
    return 1;
}

/* After a write command: signal its key arguments to WATCH and client tracking. A handler that
 * changes a value in place (INCR, LPUSH on an existing list, ...) does not go through db.c's hooks,
 * so this is where those changes are seen. It is an approximation: a write that answered without
 * error and left its key in place but changed nothing (SADD of a present member, HSET of the same
 * value) also breaks a WATCH, where Redis would not; commands flagged CMD_DB_SIGNALS (SET
 * family, DEL, EXPIRE, RENAME, COPY, MOVE...) are left to db.c and are exact. Keys absent after the
 * command and keys db.c already signalled during it are skipped (watch_touch_key_once), so DEL of a
 * missing key does not break a WATCH and a stale key's deletion keeps Redis's "no logical change".
 */
static void
signal_written_keys(struct client *c, const struct command *cmd)
{
    struct db *db = db_get(c->db_id);
    if (db == NULL || !db_changes_observed(db) || cmd->keys.first <= 0)
        return;
    int last = cmd->keys.last < 0 ? c->argc + cmd->keys.last : cmd->keys.last;
    int step = cmd->keys.step > 0 ? cmd->keys.step : 1;
    for (int k = cmd->keys.first; k <= last && k < c->argc; k += step)
        db_signal_written(db, c->argv[k].ptr, c->argv[k].len);
}

/* Error replies counted up to the start of the current call; nested calls (EXEC's queue)
 * move it on, so EXEC is not counted as failed for its commands' errors, as in Redis. */
static uint64_t errors_seen;

void
command_call(struct client *c, const struct command *cmd)
{
    struct server_stats *st = server_stats();

    c->cmd = cmd;
    c->last_cmd = cmd; /* CLIENT LIST shows the command being run as cmd= */
    watch_command_begin();
    tracking_call_enter();
    errors_seen = st->total_error_replies;
    int64_t start = mono_us();
    {
        /* A command's memory counts in its group's category (a hash command's in
         * values.hash); modules below re-tag what they own (db.c, object.c, buffers). */
        MEMCAT_SCOPE(memcat_of_group(cmd->group));
        cmd->proc(c);
    }
    int64_t duration = mono_us() - start;

    struct command_stats *cs = cmd->stats;
    cs->calls++;
    cs->usec += (uint64_t)duration;
    int failed = st->total_error_replies != errors_seen;
    if (failed)
        cs->failed_calls++;
    if (config_get()->latency_tracking)
        latency_hist_record(&cs->hist, duration);
    latency_add_sample_if_needed(cmd->flags & CMD_FAST ? "fast-command" : "command",
                                 duration / 1000);
    errors_seen = st->total_error_replies;
    st->commands_processed++;
    if ((cmd->flags & (CMD_WRITE | CMD_DB_SIGNALS)) == CMD_WRITE && !failed)
        signal_written_keys(c, cmd);
    if (cmd->flags & CMD_READONLY)
        tracking_remember_keys(c, cmd); /* as Redis: failed reads remember their keys too */
    tracking_call_leave();
    if (!(cmd->flags & CMD_SKIP_SLOWLOG))
        slowlog_consider(c, duration);
    monitor_feed(c, cmd); /* after the call, with the database it left c in, as Redis 7.0 */
    c->cmd = NULL;
}

/* A command refused before it ran. In MULTI the transaction is then doomed (EXECABORT), and a
 * refused EXEC itself discards it at once, quoting the reason without its "ERR " code. */
static void
refuse(struct client *c, const char *text)
{
    if (c->flags & CLIENT_MULTI) {
        if (c->cmd && c->cmd->proc && strcmp(c->cmd->name, "exec") == 0) {
            multi_discard(c);
            if (strncmp(text, "ERR ", 4) == 0)
                text += 4;
            reply_errorf(c, "EXECABORT Transaction discarded because of: %s", text);
            return;
        }
        c->flags |= CLIENT_DIRTY_EXEC;
    }
    reply_error(c, text);
}

/* Inside MULTI every command but EXEC, DISCARD and QUIT is refused when over maxmemory (a
 * queue could grow without bound), and EXEC when its queue holds a command that is. */
static int
oom_refuses(const struct client *c, const struct command *cmd)
{
    if (!(c->flags & CLIENT_MULTI))
        return (cmd->flags & CMD_DENYOOM) != 0;
    if (strcmp(cmd->name, "exec") == 0)
        return (c->mstate.cmd_flags & CMD_DENYOOM) != 0;
    return strcmp(cmd->name, "discard") != 0 && strcmp(cmd->name, "quit") != 0;
}

/* What a RESP2 client may run while subscribed: its replies could not be told apart from the
 * messages otherwise (RESP3 pushes can, so there everything is allowed). */
static int
allowed_when_subscribed(const struct command *cmd)
{
    static const char *const allowed[] = {
        "ping",       "subscribe",    "ssubscribe", "unsubscribe", "sunsubscribe",
        "psubscribe", "punsubscribe", "quit",       "reset",       NULL};
    if (command_parent(cmd))
        return 0;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(cmd->name, allowed[i]) == 0)
            return 1;
    return 0;
}

/* evict_make_room(), timed for the latency monitor's eviction-cycle event. */
static int
make_room(void)
{
    int64_t start = mono_us();
    int r = evict_make_room();
    latency_add_sample_if_needed("eviction-cycle", (mono_us() - start) / 1000);
    return r;
}

static void dispatch_one(struct client *c);

void
command_dispatch(struct client *c)
{
    /* CLIENT REPLY OFF|SKIP: whatever this command (or its refusal) wrote is taken back. */
    size_t mark = c->reply.len;
    tracking_dispatch_begin(c);
    dispatch_one(c);
    if ((c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) && c->reply.len >= mark)
        c->reply.len = mark;
    /* Invalidations owed to c itself follow its reply (and are pushed even under REPLY OFF).
     * Any CLIENT subcommand keeps a CLIENT CACHING choice for the next command, as in Redis. */
    tracking_dispatch_end(c, c->argv[0].len == 6 && strncasecmp(c->argv[0].ptr, "client", 6) == 0);
    c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT)
        c->flags = (c->flags & ~CLIENT_REPLY_SKIP_NEXT) | CLIENT_REPLY_SKIP;
}

static void
dispatch_one(struct client *c)
{
    if (refuse_cross_protocol(c))
        return;
    const struct command *cmd = command_lookup(c->argv[0].ptr, c->argv[0].len);

    c->cmd = NULL;
    if (cmd == NULL) {
        if (c->flags & CLIENT_MULTI)
            c->flags |= CLIENT_DIRTY_EXEC;
        reply_unknown_command(c);
        return;
    }
    if (cmd->subcommands && c->argc >= 2) {
        const struct command *sub = command_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
        if (sub == NULL) {
            if (c->flags & CLIENT_MULTI)
                c->flags |= CLIENT_DIRTY_EXEC;
            c->cmd = cmd;
            reply_error_subcommand(c);
            c->cmd = NULL;
            return;
        }
        cmd = sub;
    }
    c->cmd = cmd;
    if ((cmd->arity > 0 && c->argc != cmd->arity) || c->argc < -cmd->arity) {
        char full[128], text[200];
        command_fullname(cmd, full, sizeof(full));
        snprintf(text, sizeof(text), "ERR wrong number of arguments for '%s' command", full);
        refuse(c, text);
        goto rejected;
    }
    /* Clearing requirepass with CONFIG SET lets waiting clients in, as in Redis. */
    if (!c->authenticated && !(cmd->flags & CMD_NOAUTH) && config_get()->requirepass[0]) {
        refuse(c, "NOAUTH Authentication required.");
        goto rejected;
    }
    /* No eviction during CLIENT PAUSE, and so no OOM refusal either (Redis 7.0). */
    if (config_get()->maxmemory > 0 && !db_frozen() && make_room() < 0 && oom_refuses(c, cmd)) {
        refuse(c, "OOM command not allowed when used memory > 'maxmemory'.");
        goto rejected;
    }
    if (c->proto != RESP3 && c->pubsub && !allowed_when_subscribed(cmd)) {
        char full[128], text[256];
        command_fullname(cmd, full, sizeof(full));
        snprintf(text, sizeof(text),
                 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                 "RESET are allowed in this context",
                 full);
        refuse(c, text);
        goto rejected;
    }
    /* CLIENT PAUSE: the command waits (also one that MULTI would queue) and runs again from
     * the start when the pause ends. */
    if (pause_mode() != PAUSE_OFF && pause_holds(c, cmd)) {
        c->last_cmd = cmd; /* CLIENT LIST shows the held command as cmd= */
        block_postpone(c);
        c->cmd = NULL;
        return;
    }
    /* The one test a command outside a transaction pays. */
    if ((c->flags & CLIENT_MULTI) && !(cmd->flags & CMD_NO_QUEUE)) {
        multi_queue(c, cmd);
        reply_simple(c, "QUEUED");
        c->cmd = NULL;
        return;
    }
    command_call(c, cmd);
    /* Keys this command added may let blocked clients go (handleClientsBlockedOnKeys). */
    if (blocking_ready_count)
        blocking_serve_ready();
    return;

rejected: /* a known command refused before it ran: counted in rejected_calls */
    cmd->stats->rejected_calls++;
    c->cmd = NULL;
}
