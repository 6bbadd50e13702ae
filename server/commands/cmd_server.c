/* cmd_server.c — connection and server commands: PING, ECHO, QUIT, AUTH, HELLO, SELECT, TIME,
 * SHUTDOWN. CLIENT, CONFIG, COMMAND, SLOWLOG and LATENCY have their own files. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "net.h"
#include "util.h"
#include "zmalloc.h"

static void
cmd_ping(struct client *c)
{
    if (c->argc > 2) {
        reply_error_arity(c);
        return;
    }
    if (c->proto != RESP3 && c->pubsub) {
        /* In RESP2 subscribed mode a reply must look like a message: ["pong", arg or ""]. */
        reply_array(c, 2);
        reply_bulk(c, "pong", 4);
        reply_bulk(c, c->argc == 2 ? c->argv[1].ptr : "", c->argc == 2 ? c->argv[1].len : 0);
    } else if (c->argc == 2)
        reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
    else
        buf_append(&c->reply, "+PONG\r\n", 7);
}

static void
cmd_echo(struct client *c)
{
    reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
}

static void
cmd_quit(struct client *c)
{
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* Check user/password against the default user (requirepass). 0 when accepted. */
static int
check_credentials(const char *user, size_t ulen, const char *pass, size_t plen)
{
    const char *req = config_get()->requirepass;
    if (!(ulen == 7 && strncmp(user, "default", 7) == 0))
        return -1;
    if (req[0] == '\0')
        return 0; /* the default user has no password: any password is accepted */
    return secret_eq(pass, plen, req, strlen(req)) ? 0 : -1;
}

static void
set_authenticated(struct client *c)
{
    c->authenticated = 1;
    c->parser.authenticated = 1;
}

static void
cmd_auth(struct client *c)
{
    const char *user = "default", *pass;
    size_t ulen = 7, plen;

    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (c->argc == 2) {
        if (config_get()->requirepass[0] == '\0') {
            reply_error(c, "ERR AUTH <password> called without any password configured for "
                           "the default user. Are you sure your configuration is correct?");
            return;
        }
        pass = c->argv[1].ptr;
        plen = c->argv[1].len;
    } else {
        user = c->argv[1].ptr;
        ulen = c->argv[1].len;
        pass = c->argv[2].ptr;
        plen = c->argv[2].len;
    }
    if (check_credentials(user, ulen, pass, plen) < 0) {
        reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    set_authenticated(c);
    reply_ok(c);
}

static void
cmd_hello(struct client *c)
{
    long long ver = 0;
    int setname = 0, auth = 0;

    if (c->argc >= 2) {
        if (arg_ll(c, 1, &ver) < 0) {
            reply_error(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    for (int j = 2; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(c, j, "auth") && more >= 2) {
            auth = j + 1;
            j += 2;
        } else if (arg_is(c, j, "setname") && more >= 1) {
            setname = j + 1;
            j++;
        } else {
            int n = c->argv[j].len > 128 ? 128 : (int)c->argv[j].len;
            reply_errorf(c, "ERR Syntax error in HELLO option '%.*s'", n, c->argv[j].ptr);
            return;
        }
    }
    if (auth) {
        if (check_credentials(c->argv[auth].ptr, c->argv[auth].len, c->argv[auth + 1].ptr,
                              c->argv[auth + 1].len) < 0) {
            reply_error(c, "WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        set_authenticated(c);
    }
    if (!c->authenticated) {
        reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the "
                       "same time");
        return;
    }
    if (setname && client_set_name(c, c->argv[setname].ptr, c->argv[setname].len) < 0)
        return;
    if (ver)
        c->proto = (int)ver;
    reply_map(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, ZMEM_REDIS_VERSION);
    reply_bulk_cstr(c, "proto");
    reply_int(c, c->proto);
    reply_bulk_cstr(c, "id");
    reply_int(c, (long long)c->id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, "master");
    reply_bulk_cstr(c, "modules");
    reply_array(c, 0);
}

static void
cmd_select(struct client *c)
{
    long long id;

    if (arg_ll(c, 1, &id) < 0 || id < -2147483648LL || id > 2147483647LL) {
        reply_error_notint(c);
        return;
    }
    if (id < 0 || id >= db_count()) {
        reply_error(c, "ERR DB index is out of range");
        return;
    }
    c->db_id = (int)id;
    reply_ok(c);
}

static void
cmd_time(struct client *c)
{
    int64_t us = wall_us();
    reply_array(c, 2);
    reply_bulk_int(c, us / 1000000);
    reply_bulk_int(c, us % 1000000);
}

static void
cmd_shutdown(struct client *c)
{
    for (int j = 1; j < c->argc; j++) {
        if (arg_is(c, j, "abort")) {
            reply_error(c, "ERR No shutdown in progress.");
            return;
        }
        /* Nothing is ever saved: SAVE and NOSAVE both just exit. */
        if (!arg_is(c, j, "nosave") && !arg_is(c, j, "save") && !arg_is(c, j, "now") &&
            !arg_is(c, j, "force")) {
            reply_error_syntax(c);
            return;
        }
    }
    log_msg(LL_WARNING, "User requested shutdown...");
    /* No reply of its own: the client sees the connection close, after the replies to what it
     * pipelined before SHUTDOWN (Redis exits without sending those). */
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    net_request_shutdown();
}

const struct command cmd_server_table[] = {
    COMMAND("ping", cmd_ping, -1, CMD_FAST,
            .summary = "Reply PONG, or the given message, to check the connection",
            .group = "connection"),
    COMMAND("echo", cmd_echo, 2, CMD_FAST, .summary = "Reply with the given message",
            .group = "connection"),
    COMMAND("quit", cmd_quit, -1, CMD_NO_QUEUE | CMD_NOAUTH | CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Reply OK, then close this connection", .group = "connection"),
    COMMAND("auth", cmd_auth, -2,
            CMD_NOAUTH | CMD_FAST | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
            .summary = "Log this connection in with a password, or a username and password",
            .group = "connection"),
    COMMAND("hello", cmd_hello, -1,
            CMD_NOAUTH | CMD_FAST | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
            .summary = "Handshake with the server", .group = "connection"),
    COMMAND("select", cmd_select, 2, CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Switch this connection to another numbered database",
            .group = "connection"),
    COMMAND("time", cmd_time, 1, CMD_FAST | CMD_LOADING | CMD_STALE,
            .summary = "Read the server clock: unix seconds and microseconds", .group = "server"),
    COMMAND("shutdown", cmd_shutdown, -1, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Shut down the server (nothing is saved: the keyspace is memory only)",
            .group = "server"),
    COMMAND_END,
};
