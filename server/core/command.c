/* command.c — indexes the command tables main hands over, finds commands case-insensitively,
 * and runs them: existence, arity, subcommand, authentication and maxmemory checks in Redis's
 * order, then the call itself with its statistics and slow log entry. */
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
#include "log.h"
#include "slowlog.h"
#include "stats.h"
#include "util.h"
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

static int
name_eq(const char *name, const char *s, size_t len)
{
    return strncasecmp(name, s, len) == 0 && name[len] == '\0';
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

void
command_dispatch(struct client *c)
{
    if (refuse_cross_protocol(c))
        return;
    const struct command *cmd = command_lookup(c->argv[0].ptr, c->argv[0].len);
    struct server_stats *st = server_stats();

    c->cmd = NULL;
    if (cmd == NULL) {
        reply_unknown_command(c);
        return;
    }
    if (cmd->subcommands && c->argc >= 2) {
        const struct command *sub = command_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
        if (sub == NULL) {
            c->cmd = cmd;
            reply_error_subcommand(c);
            c->cmd = NULL;
            return;
        }
        cmd = sub;
    }
    c->cmd = cmd;
    if ((cmd->arity > 0 && c->argc != cmd->arity) || c->argc < -cmd->arity) {
        reply_error_arity(c);
        goto rejected;
    }
    /* Clearing requirepass with CONFIG SET lets waiting clients in, as in Redis. */
    if (!c->authenticated && !(cmd->flags & CMD_NOAUTH) && config_get()->requirepass[0]) {
        reply_error(c, "NOAUTH Authentication required.");
        goto rejected;
    }
    if (config_get()->maxmemory > 0 && evict_make_room() < 0 && (cmd->flags & CMD_DENYOOM)) {
        reply_error(c, "OOM command not allowed when used memory > 'maxmemory'.");
        goto rejected;
    }

    uint64_t errors_before = st->total_error_replies;
    c->last_cmd = cmd; /* CLIENT LIST shows the command being run as cmd= */
    int64_t start = mono_us();
    cmd->proc(c);
    int64_t duration = mono_us() - start;

    struct command_stats *cs = cmd->stats;
    cs->calls++;
    cs->usec += (uint64_t)duration;
    if (st->total_error_replies != errors_before)
        cs->failed_calls++;
    st->commands_processed++;
    if (!(cmd->flags & CMD_SKIP_SLOWLOG))
        slowlog_consider(c, duration);
    c->cmd = NULL;
    /* Keys this command added may let blocked clients go (handleClientsBlockedOnKeys). */
    if (blocking_ready_count)
        blocking_serve_ready();
    return;

rejected: /* a known command refused before it ran: counted in rejected_calls */
    cmd->stats->rejected_calls++;
    c->cmd = NULL;
}
