/* cmd_config.c — CONFIG GET / SET / RESETSTAT / HELP over the option table in config.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "object.h"
#include "command.h"
#include "commands.h"
#include "defrag.h"
#include "config.h"
#include "config_rewrite.h"
#include "db.h"
#include "history.h"
#include "lazyfree.h"
#include "net.h"
#include "stats.h"
#include "zmalloc.h"

#define CONFIG_GET_MAX_NAMES 128

struct get_ctx {
    struct client *c;
    long long pairs;
    const char *seen[CONFIG_GET_MAX_NAMES]; /* option names already sent (several patterns) */
    int nseen;
};

static void
get_one(const char *name, const char *value, void *arg)
{
    struct get_ctx *g = arg;

    for (int i = 0; i < g->nseen; i++)
        if (g->seen[i] == name)
            return;
    if (g->nseen < CONFIG_GET_MAX_NAMES)
        g->seen[g->nseen++] = name;
    reply_bulk_cstr(g->c, name);
    reply_bulk_cstr(g->c, value);
    g->pairs++;
}

static void
cmd_config_get(struct client *c)
{
    struct get_ctx g;
    char pat[256];

    g.c = c;
    g.pairs = 0;
    g.nseen = 0;
    size_t at = reply_deferred(c);
    for (int j = 2; j < c->argc; j++) {
        size_t n = c->argv[j].len < sizeof(pat) - 1 ? c->argv[j].len : sizeof(pat) - 1;
        memcpy(pat, c->argv[j].ptr, n);
        pat[n] = '\0';
        config_foreach_match(pat, get_one, &g);
    }
    reply_set_deferred(c, at, '%', g.pairs);
}

static void
cmd_config_set(struct client *c)
{
    char err[512], name[128], value[1024];
    int npairs = (c->argc - 2) / 2;

    if (c->argc % 2) {
        reply_error_arity(c);
        return;
    }
    /* All pairs are checked before any is applied: a failing CONFIG SET changes nothing. Each
     * pair alone may keep a password on the metrics listener while both together remove it, so
     * the two passwords are also checked as a pair. */
    char rp[sizeof(value)], mp[sizeof(value)];
    const char *new_rp = NULL, *new_mp = NULL;
    for (int i = 0; i < npairs; i++) {
        const struct resp_arg *n = &c->argv[2 + 2 * i], *v = &c->argv[3 + 2 * i];
        snprintf(name, sizeof(name), "%.*s", (int)n->len, n->ptr);
        snprintf(value, sizeof(value), "%.*s", (int)v->len, v->ptr);
        if (n->len >= sizeof(name)) {
            reply_errorf(c, "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
                         name);
            return;
        }
        if (v->len >= sizeof(value) || memchr(v->ptr, '\0', v->len)) {
            reply_errorf(c,
                         "ERR CONFIG SET failed (possibly related to argument '%s') - "
                         "argument is too long or has a NUL byte",
                         name);
            return;
        }
        if (config_check(name, value, err, sizeof(err)) < 0) {
            reply_error(c, err);
            return;
        }
        for (int k = 0; k < i; k++) {
            const struct resp_arg *p = &c->argv[2 + 2 * k];
            if (p->len == n->len && strncasecmp(p->ptr, n->ptr, n->len) == 0) {
                reply_errorf(c,
                             "ERR CONFIG SET failed (possibly related to argument '%s') - "
                             "duplicate parameter",
                             name);
                return;
            }
        }
        if (strcasecmp(name, "requirepass") == 0)
            new_rp = memcpy(rp, value, strlen(value) + 1);
        else if (strcasecmp(name, "metrics-password") == 0)
            new_mp = memcpy(mp, value, strlen(value) + 1);
    }
    if (config_check_metrics_password(new_rp, new_mp, err, sizeof(err)) < 0) {
        reply_error(c, err);
        return;
    }
    /* port and bind take effect by listening again; if that fails both go back, with
     * Redis's error naming the one that was asked for. */
    char old_bind[1024], old_port[16];
    const char *relisten = NULL;
    snprintf(old_bind, sizeof(old_bind), "%s", config_get()->bind);
    snprintf(old_port, sizeof(old_port), "%d", config_get()->port);
    for (int i = 0; i < npairs; i++) {
        const struct resp_arg *n = &c->argv[2 + 2 * i], *v = &c->argv[3 + 2 * i];
        snprintf(name, sizeof(name), "%.*s", (int)n->len, n->ptr);
        snprintf(value, sizeof(value), "%.*s", (int)v->len, v->ptr);
        config_set(name, value, err, sizeof(err)); /* checked above: cannot fail */
        if (strcasecmp(name, "port") == 0 && strcmp(value, old_port) != 0)
            relisten = "port";
        else if (strcasecmp(name, "bind") == 0 && !relisten)
            relisten = "bind";
    }
    if (relisten && net_relisten(old_bind, atoi(old_port)) < 0) {
        config_set("bind", old_bind, err, sizeof(err));
        config_set("port", old_port, err, sizeof(err));
        reply_errorf(c, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", relisten,
                     strcmp(relisten, "port") == 0
                         ? "Unable to listen on this port. Check server logs."
                         : "Failed to bind to specified addresses.");
        return;
    }
    enc_limits_apply();     /* an encoding threshold may have changed */
    history_apply_config(); /* memory-history-len resizes the ring now, not at the next tick */
    reply_ok(c);
}

static void
cmd_config_resetstat(struct client *c)
{
    server_stats_reset();
    errorstats_reset();
    command_reset_stats();
    struct keyspace_stats *ks = keyspace_stats();
    if (ks)
        memset(ks, 0, sizeof(*ks));
    lazyfree_reset_stats();
    defrag_reset_stats();
    zmalloc_reset_peak();
    reply_ok(c);
}

/* CONFIG REWRITE: the file the server was started with, updated with the running values. */
static void
cmd_config_rewrite(struct client *c)
{
    char err[512];
    if (config_rewrite(err, sizeof(err)) < 0) {
        reply_errorf(c, "ERR %s", err);
        return;
    }
    reply_ok(c);
}

static void
cmd_config_help(struct client *c)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Write the running configuration back into the config file it came from.",
        NULL,
    };
    reply_help(c, "config", lines);
}

static const struct command config_subcommands[] = {
    COMMAND("get", cmd_config_get, -3, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Read the options whose names match the patterns", .group = "server"),
    COMMAND("set", cmd_config_set, -4, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Change one or more options at run time", .group = "server"),
    COMMAND("resetstat", cmd_config_resetstat, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Zero the statistics counters that INFO reports", .group = "server"),
    COMMAND("rewrite", cmd_config_rewrite, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Write the running configuration back into the file it came from",
            .group = "server"),
    COMMAND("help", cmd_config_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the CONFIG subcommands and their arguments", .group = "server"),
    COMMAND_END,
};

const struct command cmd_config_table[] = {
    COMMAND("config", NULL, -2, 0, .subcommands = config_subcommands,
            .summary = "Read and change server options at run time", .group = "server"),
    COMMAND_END,
};
