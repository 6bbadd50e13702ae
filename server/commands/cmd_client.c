/* cmd_client.c — CLIENT ID / SETNAME / GETNAME / LIST / INFO / KILL / REPLY / UNBLOCK /
 * NO-EVICT / TRACKING / CACHING / GETREDIR / TRACKINGINFO / HELP, and RESET. */
#include <stdio.h>
#include <string.h>

#include "blocking.h"
#include "client.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "monitor.h"
#include "multi.h"
#include "pause.h"
#include "net.h"
#include "pubsub.h"
#include "resp.h"
#include "tracking.h"
#include "util.h"
#include "zmalloc.h"

static void
cmd_client_id(struct client *c)
{
    reply_int(c, (long long)c->id);
}

static void
cmd_client_setname(struct client *c)
{
    if (client_set_name(c, c->argv[2].ptr, c->argv[2].len) == 0)
        reply_ok(c);
}

static void
cmd_client_getname(struct client *c)
{
    if (c->name)
        reply_bulk_cstr(c, c->name);
    else
        reply_null(c);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when that client was blocked and now is not. */
static void
cmd_client_unblock(struct client *c)
{
    long long id;
    int error = 0;
    if (c->argc > 4) {
        int n = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                     "CLIENT HELP.",
                     n, c->argv[1].ptr);
        return;
    }
    if (arg_ll(c, 2, &id) < 0) {
        reply_error_notint(c);
        return;
    }
    if (c->argc == 4) {
        if (arg_is(c, 3, "error")) {
            error = 1;
        } else if (!arg_is(c, 3, "timeout")) {
            reply_error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    for (struct client *t = clients_first(); t; t = t->next) {
        if (t->id == (unsigned long long)id) {
            reply_int(c, blocking_unblock(t, error) == 0);
            return;
        }
    }
    reply_int(c, 0);
}

static void
cmd_client_info(struct client *c)
{
    struct buf line = BUF_INIT;
    client_info_line(c, &line);
    buf_append(&line, "\n", 1);
    reply_verbatim(c, line.data, line.len);
    buf_free(&line);
}

/* Client types: every zmem client is "normal". 1 if the name is a known type. */
static int
type_valid(const struct client *c, int i, int *normal)
{
    *normal = arg_is(c, i, "normal");
    return *normal || arg_is(c, i, "master") || arg_is(c, i, "replica") || arg_is(c, i, "slave") ||
           arg_is(c, i, "pubsub");
}

static void
reply_unknown_type(struct client *c, int i)
{
    int n = c->argv[i].len > 128 ? 128 : (int)c->argv[i].len;
    reply_errorf(c, "ERR Unknown client type '%.*s'", n, c->argv[i].ptr);
}

static void
cmd_client_list(struct client *c)
{
    int normal = 1;
    int ids_from = 0;

    if (c->argc == 4 && arg_is(c, 2, "type")) {
        if (!type_valid(c, 3, &normal)) {
            reply_unknown_type(c, 3);
            return;
        }
    } else if (c->argc >= 4 && arg_is(c, 2, "id")) {
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (arg_ll(c, j, &id) < 0 || id <= 0) {
                reply_error(c, "ERR Invalid client ID");
                return;
            }
        }
        ids_from = 3;
    } else if (c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    struct buf out = BUF_INIT;
    for (struct client *o = normal ? clients_first() : NULL; o; o = o->next) {
        if (ids_from) {
            int hit = 0;
            for (int j = ids_from; j < c->argc && !hit; j++) {
                long long id;
                hit = arg_ll(c, j, &id) == 0 && (uint64_t)id == o->id;
            }
            if (!hit)
                continue;
        }
        client_info_line(o, &out);
        buf_append(&out, "\n", 1);
    }
    if (out.oom)
        reply_error(c, "ERR out of memory");
    else
        reply_verbatim(c, out.data ? out.data : "", out.len);
    buf_free(&out);
}

static int
arg_eq_str(const struct client *c, int i, const char *s)
{
    size_t n = strlen(s);
    return c->argv[i].len == n && memcmp(c->argv[i].ptr, s, n) == 0;
}

/* Close o on behalf of c: c itself is closed once its reply is out. */
static void
kill_client(struct client *c, struct client *o)
{
    if (o == c)
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else
        client_close(o);
}

static void
cmd_client_kill(struct client *c)
{
    if (c->argc == 3) {
        /* Old form: CLIENT KILL addr. */
        for (struct client *o = clients_first(); o; o = o->next) {
            if (arg_eq_str(c, 2, o->addr)) {
                reply_ok(c); /* reply first: o may be c */
                kill_client(c, o);
                return;
            }
        }
        reply_error(c, "ERR No such client");
        return;
    }
    long long id = 0;
    int addr = 0, laddr = 0, user = 0, skipme = 1, normal = 1;
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error_syntax(c);
            return;
        }
        if (arg_is(c, i, "id")) {
            /* Redis gives one error for a bad and for a non-positive id. */
            if (arg_ll(c, i + 1, &id) < 0 || id <= 0) {
                reply_error(c, "ERR client-id should be greater than 0");
                return;
            }
        } else if (arg_is(c, i, "type")) {
            if (!type_valid(c, i + 1, &normal)) {
                reply_unknown_type(c, i + 1);
                return;
            }
        } else if (arg_is(c, i, "addr")) {
            addr = i + 1;
        } else if (arg_is(c, i, "laddr")) {
            laddr = i + 1;
        } else if (arg_is(c, i, "user")) {
            user = i + 1;
            if (!arg_is(c, user, "default")) { /* the only user zmem has */
                reply_errorf(c, "ERR No such user '%.*s'", (int)c->argv[user].len,
                             c->argv[user].ptr);
                return;
            }
        } else if (arg_is(c, i, "skipme")) {
            if (arg_is(c, i + 1, "yes"))
                skipme = 1;
            else if (arg_is(c, i + 1, "no"))
                skipme = 0;
            else {
                reply_error_syntax(c);
                return;
            }
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    long long killed = 0;
    int self = 0;
    struct client *next;
    for (struct client *o = clients_first(); o; o = next) {
        next = o->next;
        if (!normal || (id && o->id != (uint64_t)id) || (addr && !arg_eq_str(c, addr, o->addr)) ||
            (laddr && !arg_eq_str(c, laddr, o->laddr)) ||
            (user && !arg_eq_str(c, user, "default")) || (skipme && o == c))
            continue;
        if (o == c)
            self = 1;
        else
            client_close(o);
        killed++;
    }
    reply_int(c, killed);
    if (self)
        kill_client(c, c);
}

/* CLIENT REPLY ON|        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
OFF|SKIP. OFF and SKIP are not answered; command_dispatch() drops the
 * replies while OFF is set, and the next command's after SKIP. */
static void
cmd_client_reply(struct client *c)
{
    if (arg_is(c, 2, "on")) {
        c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT);
        reply_ok(c);
    } else if (arg_is(c, 2, "off")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (arg_is(c, 2, "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF))
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
        c->flags |= CLIENT_REPLY_SKIP; /* nor is SKIP itself answered */
    } else {
        reply_error_syntax(c);
    }
}

/* CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as in Redis; a
 * timeout of 0 (or one so large that Redis's end time wraps) pauses for no time at all. */
static void
cmd_client_pause(struct client *c)
{
    enum pause_mode mode = PAUSE_ALL;
    long long ms;

    if (c->argc > 4) {
        /* The subcommand as typed, as Redis quotes it. */
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                     "CLIENT HELP.",
                     (int)c->argv[1].len, c->argv[1].ptr);
        return;
    }
    if (c->argc == 4) {
        if (arg_is(c, 3, "write"))
            mode = PAUSE_WRITE;
        else if (!arg_is(c, 3, "all")) {
            reply_error(c, "ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    if (arg_ll(c, 2, &ms) < 0) {
        reply_error(c, "ERR timeout is not an integer or out of range");
        return;
    }
    if (ms < 0) {
        reply_error(c, "ERR timeout is negative");
        return;
    }
    int64_t end = ms > 0 ? (int64_t)((uint64_t)ms + (uint64_t)wall_ms()) : 0;
    pause_start(end, mode);
    reply_ok(c);
}

static void
cmd_client_unpause(struct client *c)
{
    pause_end();
    reply_ok(c);
}

/* CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT] [NOLOOP]. The
 * options are parsed (and REDIRECT's client looked up) before ON/OFF is read, as Redis does,
 * so OFF with a bad option fails too. */
static void
cmd_client_tracking(struct client *c)
{
    unsigned options = 0;
    long long redirect = 0;
    struct resp_arg *prefixes = NULL;
    size_t nprefixes = 0;

    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(c, j, "redirect") && more) {
            j++;
            if (redirect != 0) {
                reply_error(c, "ERR A client can only redirect to a single other client");
                goto out;
            }
            if (arg_ll(c, j, &redirect) < 0) {
                reply_error_notint(c);
                goto out;
            }
            struct client *o = clients_first();
            while (o && o->id != (unsigned long long)redirect)
                o = o->next;
            if (o == NULL) {
                reply_error(c, "ERR The client ID you want redirect to does not exist");
                goto out;
            }
        } else if (arg_is(c, j, "bcast")) {
            options |= TRACKING_BCAST;
        } else if (arg_is(c, j, "optin")) {
            options |= TRACKING_OPTIN;
        } else if (arg_is(c, j, "optout")) {
            options |= TRACKING_OPTOUT;
        } else if (arg_is(c, j, "noloop")) {
            options |= TRACKING_NOLOOP;
        } else if (arg_is(c, j, "prefix") && more) {
            j++;
            prefixes = zrealloc(prefixes, (nprefixes + 1) * sizeof(*prefixes));
            prefixes[nprefixes++] = c->argv[j];
        } else {
            reply_error_syntax(c);
            goto out;
        }
    }
    if (arg_is(c, 2, "on")) {
        if (tracking_enable(c, options, redirect, prefixes, nprefixes) < 0)
            goto out;
    } else if (arg_is(c, 2, "off")) {
        tracking_disable(c);
    } else {
        reply_error_syntax(c);
        goto out;
    }
    reply_ok(c);
out:
    zfree(prefixes);
}

static void
cmd_client_caching(struct client *c)
{
    int yes = arg_is(c, 2, "yes");
    if (!yes && !arg_is(c, 2, "no")) {
        /* Redis checks tracking is on before it reads the argument. */
        if (tracking_redirect(c) < 0)
            tracking_caching(c, 1);
        else
            reply_error_syntax(c);
        return;
    }
    if (tracking_caching(c, yes) == 0)
        reply_ok(c);
}

static void
cmd_client_getredir(struct client *c)
{
    reply_int(c, tracking_redirect(c));
}

static void
cmd_client_trackinginfo(struct client *c)
{
    tracking_reply_info(c);
}

/* RESET: the connection as it was when it connected: database 0, RESP2, no name, replies on,
 * and authenticated only if no password is required. */
static void
cmd_reset(struct client *c)
{
    /* Everything a connection can have set up: a transaction and its watched keys, its
     * subscriptions (without the unsubscribe confirmations), then the rest. */
    multi_discard(c);
    pubsub_unsubscribe_all(c, 0);
    pubsub_punsubscribe_all(c, 0);
    pubsub_sunsubscribe_all(c, 0);
    monitor_remove(c); /* no longer a monitor either */
    tracking_disable(c);
    c->db_id = 0;
    c->proto = RESP2;
    client_set_name(c, "", 0);
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT);
    c->authenticated = config_get()->requirepass[0] == '\0';
    reply_simple(c, "RESET");
}

static void
cmd_client_help(struct client *c)
{
    static const char *const lines[] = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connection with the given id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Return clients with the given ids.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        NULL,
    };
    reply_help(c, "client", lines);
}

/* CLIENT NO-EVICT ON|OFF: exempt this connection from maxmemory-clients (monitoring tools). */
static void
cmd_client_no_evict(struct client *c)
{
    if (arg_is(c, 2, "on"))
        c->flags |= CLIENT_NO_EVICT;
    else if (arg_is(c, 2, "off"))
        c->flags &= ~CLIENT_NO_EVICT;
    else {
        reply_error_syntax(c);
        return;
    }
    reply_ok(c);
}

static const struct command client_subcommands[] = {
    COMMAND("id", cmd_client_id, 2, CMD_LOADING | CMD_STALE,
            .summary = "Return the ID of the connection", .group = "connection"),
    COMMAND("setname", cmd_client_setname, 3, CMD_LOADING | CMD_STALE,
            .summary = "Name this connection (CLIENT LIST and CLIENT INFO show it)",
            .group = "connection"),
    COMMAND("getname", cmd_client_getname, 2, CMD_LOADING | CMD_STALE,
            .summary = "Return this connection's name, or nil when it has none",
            .group = "connection"),
    COMMAND("list", cmd_client_list, -2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Describe every client connection, one line each", .group = "connection"),
    COMMAND("info", cmd_client_info, 2, CMD_LOADING | CMD_STALE,
            .summary = "Describe this connection in CLIENT LIST's one-line format",
            .group = "connection"),
    COMMAND("reply", cmd_client_reply, 3, CMD_LOADING | CMD_STALE,
            .summary =
                "Turn replies to this connection's commands on, off, or off for the next one",
            .group = "connection"),
    COMMAND("kill", cmd_client_kill, -3, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Close the client connections that match an address or filters",
            .group = "connection"),
    COMMAND("no-evict", cmd_client_no_evict, 3, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Exempt this connection from client eviction (ON), or not (OFF)",
            .group = "connection"),
    COMMAND("unblock", cmd_client_unblock, -3, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Unblock a client blocked in a blocking command", .group = "connection"),
    COMMAND("pause", cmd_client_pause, -3, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Hold every client's commands (or only writes) until a deadline",
            .group = "connection"),
    COMMAND("unpause", cmd_client_unpause, 2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "End a CLIENT PAUSE: held commands run in arrival order",
            .group = "connection"),
    COMMAND("tracking", cmd_client_tracking, -3, CMD_LOADING | CMD_STALE,
            .summary = "Turn invalidation messages for keys this client read on or off",
            .group = "connection"),
    COMMAND("caching", cmd_client_caching, 3, CMD_LOADING | CMD_STALE,
            .summary = "In OPTIN or OPTOUT mode, say whether the next command's keys are tracked",
            .group = "connection"),
    COMMAND("getredir", cmd_client_getredir, 2, CMD_LOADING | CMD_STALE,
            .summary = "The client id invalidations are redirected to, 0 or -1",
            .group = "connection"),
    COMMAND("trackinginfo", cmd_client_trackinginfo, 2, CMD_LOADING | CMD_STALE,
            .summary = "This connection's tracking flags, redirect and prefixes",
            .group = "connection"),
    COMMAND("help", cmd_client_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the CLIENT subcommands and their arguments", .group = "connection"),
    COMMAND_END,
};

const struct command cmd_client_table[] = {
    COMMAND("client", NULL, -2, 0, .subcommands = client_subcommands,
            .summary = "Inspect and control client connections", .group = "connection"),
    COMMAND("reset", cmd_reset, 1, CMD_NOAUTH | CMD_FAST | CMD_LOADING | CMD_STALE | CMD_NO_QUEUE,
            .summary =
                "Clear this connection's state: transaction, watches, subscriptions, db, name",
            .group = "connection"),
    COMMAND_END,
};
