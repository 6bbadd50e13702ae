/* cmd_command.c — COMMAND, COMMAND COUNT / INFO / DOCS / LIST / HELP, built from the command
 * tables. The DOCS reply is complete and well typed (summary, since, group, complexity,
 * arguments, subcommands) because redis-cli asserts on its shape when it starts. */
#include <string.h>
#include <strings.h>

#include "client.h"
#include "command.h"
#include "commands.h"
#include "util.h"

/* ---- COMMAND INFO entries ---- */

static const struct {
    unsigned flag;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},     {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"}, {CMD_ADMIN, "admin"},
    {CMD_NOAUTH, "no_auth"},  {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},     {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* The ACL category Redis files a command group under (groups without one get none). */
static const char *
group_category(const char *group)
{
    static const struct {
        const char *group, *category;
    } map[] = {
        {"generic", "@keyspace"},
        {"string", "@string"},
        {"hash", "@hash"},
        {"list", "@list"},
        {"set", "@set"},
        {"sorted-set", "@sortedset"},
        {"connection", "@connection"},
    };
    for (size_t i = 0; group && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(group, map[i].group) == 0)
            return map[i].category;
    return NULL;
}

static void
reply_command_info(struct client *c, const struct command *cmd)
{
    char full[128];
    const char *cats[6];
    int ncats = 0, nflags = 0;

    command_fullname(cmd, full, sizeof(full));
    reply_array(c, 10);
    reply_bulk_cstr(c, full);
    reply_int(c, cmd->arity);
    for (size_t i = 0; i < NFLAGS; i++)
        if (cmd->flags & flag_names[i].flag)
            nflags++;
    reply_set(c, nflags);
    for (size_t i = 0; i < NFLAGS; i++)
        if (cmd->flags & flag_names[i].flag)
            reply_simple(c, flag_names[i].name);
    reply_int(c, cmd->keys.first);
    reply_int(c, cmd->keys.last);
    reply_int(c, cmd->keys.step);
    if (cmd->flags & CMD_WRITE)
        cats[ncats++] = "@write";
    if (cmd->flags & CMD_READONLY)
        cats[ncats++] = "@read";
    if (group_category(cmd->group))
        cats[ncats++] = group_category(cmd->group);
    cats[ncats++] = (cmd->flags & CMD_FAST) ? "@fast" : "@slow";
    if (cmd->flags & CMD_ADMIN) {
        cats[ncats++] = "@admin";
        cats[ncats++] = "@dangerous";
    }
    reply_set(c, ncats);
    for (int i = 0; i < ncats; i++)
        reply_simple(c, cats[i]);
    reply_set(c, 0);   /* tips */
    reply_array(c, 0); /* key specs: first/last/step above describe the keys */
    long long nsub = 0;
    for (const struct command *s = cmd->subcommands; s && s->name; s++)
        nsub++;
    reply_array(c, nsub);
    for (const struct command *s = cmd->subcommands; s && s->name; s++)
        reply_command_info(c, s);
}

struct all_ctx {
    struct client *c;
    long long n;
};

static void
info_top(const struct command *cmd, void *arg)
{
    struct all_ctx *a = arg;
    if (command_parent(cmd) == NULL) {
        reply_command_info(a->c, cmd);
        a->n++;
    }
}

static void
cmd_command(struct client *c)
{
    struct all_ctx a = {c, 0};
    reply_array(c, (long long)command_count());
    command_foreach(info_top, &a);
}

static void
cmd_command_count(struct client *c)
{
    reply_int(c, (long long)command_count());
}

static void
cmd_command_info(struct client *c)
{
    if (c->argc == 2) {
        cmd_command(c);
        return;
    }
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        const struct command *cmd = command_lookup(c->argv[j].ptr, c->argv[j].len);
        if (cmd)
            reply_command_info(c, cmd);
        else
            reply_null_array(c);
    }
}

/* ---- COMMAND DOCS ---- */

static void
reply_command_doc(struct client *c, const struct command *cmd)
{
    long long nsub = 0;

    for (const struct command *s = cmd->subcommands; s && s->name; s++)
        nsub++;
    reply_map(c, 3 + (nsub > 0));
    reply_bulk_cstr(c, "summary");
    reply_bulk_cstr(c, cmd->summary ? cmd->summary : "");
    reply_bulk_cstr(c, "group");
    reply_bulk_cstr(c, cmd->group ? cmd->group : "server");
    /* The tables hold no argument descriptions; an empty list is well formed for clients. */
    reply_bulk_cstr(c, "arguments");
    reply_array(c, 0);
    if (nsub) {
        char full[128];
        reply_bulk_cstr(c, "subcommands");
        reply_map(c, nsub);
        for (const struct command *s = cmd->subcommands; s && s->name; s++) {
            command_fullname(s, full, sizeof(full));
            reply_bulk_cstr(c, full);
            reply_command_doc(c, s);
        }
    }
}

static void
doc_top(const struct command *cmd, void *arg)
{
    struct all_ctx *a = arg;
    if (command_parent(cmd) == NULL) {
        reply_bulk_cstr(a->c, cmd->name);
        reply_command_doc(a->c, cmd);
        a->n++;
    }
}

static void
cmd_command_docs(struct client *c)
{
    if (c->argc == 2) {
        struct all_ctx a = {c, 0};
        reply_map(c, (long long)command_count());
        command_foreach(doc_top, &a);
        return;
    }
    /* Unknown names are left out, so the count is only known at the end. */
    size_t at = reply_deferred(c);
    long long n = 0;
    for (int j = 2; j < c->argc; j++) {
        const struct command *cmd = command_lookup(c->argv[j].ptr, c->argv[j].len);
        if (cmd == NULL)
            continue;
        reply_bulk_cstr(c, cmd->name);
        reply_command_doc(c, cmd);
        n++;
    }
    reply_set_deferred(c, at, '%', n);
}

static void
list_top(const struct command *cmd, void *arg)
{
    struct all_ctx *a = arg;
    if (command_parent(cmd) == NULL)
        reply_bulk_cstr(a->c, cmd->name);
}

static void
cmd_command_list(struct client *c)
{
    struct all_ctx a = {c, 0};
    if (c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    reply_array(c, (long long)command_count());
    command_foreach(list_top, &a);
}

static void
cmd_command_help(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all commands.",
        "COUNT",
        "    Return the total number of commands in this server.",
        "LIST",
        "    Return a list of all commands in this server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        NULL,
    };
    reply_help(c, "command", lines);
}

static const struct command command_subcommands[] = {
    COMMAND("count", cmd_command_count, 2, CMD_LOADING | CMD_STALE,
            .summary = "Get total number of commands", .group = "server"),
    COMMAND("info", cmd_command_info, -2, CMD_LOADING | CMD_STALE,
            .summary = "Get array of specific command details, or all when no argument is given",
            .group = "server"),
    COMMAND("docs", cmd_command_docs, -2, CMD_LOADING | CMD_STALE,
            .summary = "Get array of specific command documentation", .group = "server"),
    COMMAND("list", cmd_command_list, -2, CMD_LOADING | CMD_STALE,
            .summary = "Get an array of command names", .group = "server"),
    COMMAND("help", cmd_command_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "Show helpful text about the different subcommands", .group = "server"),
    COMMAND_END,
};

const struct command cmd_command_table[] = {
    COMMAND("command", cmd_command, -1, CMD_LOADING | CMD_STALE, .subcommands = command_subcommands,
            .summary = "Get array of command details", .group = "server"),
    COMMAND_END,
};
