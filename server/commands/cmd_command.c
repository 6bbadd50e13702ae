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

/* COMMAND LIST's filter: none, a name pattern, or an ACL category. */
struct list_ctx {
    struct client *c;
    long long n;
    int by;          /* 0 none, 'p' pattern, 'a' ACL category */
    const char *arg; /* the pattern or category */
    size_t arglen;
    int count_only;
};

/* Whether cmd is in the ACL category named (without '@'). zmem's table has no categories of
 * its own: they are derived from the flags and the group, which gives Redis's answer for the
 * type categories and read/write/fast/slow/admin (docs/redis-compat.md). */
static int
in_acl_category(const struct command *cmd, const char *cat, size_t len)
{
    const struct command *top = command_parent(cmd) ? command_parent(cmd) : cmd;
    const char *group = cmd->group ? cmd->group : top->group ? top->group : "server";
#define IS(word) (len == strlen(word) && strncasecmp(cat, word, len) == 0)
    if (IS("read"))
        return (cmd->flags & CMD_READONLY) != 0;
    if (IS("write"))
        return (cmd->flags & CMD_WRITE) != 0;
    if (IS("fast"))
        return (cmd->flags & CMD_FAST) != 0;
    if (IS("slow"))
        return !(cmd->flags & CMD_FAST);
    if (IS("admin") || IS("dangerous"))
        return (cmd->flags & CMD_ADMIN) != 0;
    if (IS("keyspace"))
        return strcmp(group, "generic") == 0;
    if (IS("sortedset"))
        return strcmp(group, "sorted-set") == 0;
#undef IS
    return strlen(group) == len && strncasecmp(group, cat, len) == 0;
}

static void
list_one(const struct command *cmd, void *arg)
{
    struct list_ctx *l = arg;
    char full[128];

    command_fullname(cmd, full, sizeof(full));
    if (l->by == 'p' && !glob_match(l->arg, l->arglen, full, strlen(full), 1))
        return;
    if (l->by == 'a' && !in_acl_category(cmd, l->arg, l->arglen))
        return;
    /* A container is listed by its name, its subcommands as "parent|sub". */
    l->n++;
    if (!l->count_only)
        reply_bulk_cstr(l->c, full);
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: every command and
 * subcommand ("config|get"), as Redis 7.0 lists them. */
static void
cmd_command_list(struct client *c)
{
    struct list_ctx l = {c, 0, 0, NULL, 0, 1};
    if (c->argc != 2) {
        if (c->argc != 5 || !arg_is(c, 2, "filterby")) {
            reply_error_syntax(c);
            return;
        }
        if (arg_is(c, 3, "module")) {
            reply_array(c, 0); /* zmem loads no modules */
            return;
        }
        if (arg_is(c, 3, "aclcat"))
            l.by = 'a';
        else if (arg_is(c, 3, "pattern"))
            l.by = 'p';
        else {
            reply_error_syntax(c);
            return;
        }
        l.arg = c->argv[4].ptr;
        l.arglen = c->argv[4].len;
    }
    command_foreach(list_one, &l);
    reply_array(c, l.n);
    l.count_only = 0;
    l.n = 0;
    command_foreach(list_one, &l);
}

/* ---- GETKEYS, GETKEYSANDFLAGS ---- */

/* The command argv[2..] names (a subcommand when it has them), or NULL after replying with
 * Redis's error; *nkeys gets the key positions found into pos. */
static const struct command *
getkeys_target(struct client *c, int *pos, int max, int *nkeys)
{
    const struct command *cmd = command_lookup(c->argv[2].ptr, c->argv[2].len);
    int argc = c->argc - 2; /* the target command's argc, its name included */

    if (cmd && cmd->subcommands) {
        if (argc < 2) {
            reply_error(c, "ERR Invalid number of arguments specified for command");
            return NULL;
        }
        cmd = command_lookup_sub(cmd, c->argv[3].ptr, c->argv[3].len);
    }
    if (cmd == NULL) {
        reply_error(c, "ERR Invalid command specified");
        return NULL;
    }
    if (cmd->keys.first <= 0) {
        reply_error(c, "ERR The command has no key arguments");
        return NULL;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "ERR Invalid number of arguments specified for command");
        return NULL;
    }
    int last = cmd->keys.last < 0 ? argc + cmd->keys.last : cmd->keys.last;
    int step = cmd->keys.step > 0 ? cmd->keys.step : 1;
    *nkeys = 0;
    for (int i = cmd->keys.first; i <= last && i < argc && *nkeys < max; i += step)
        pos[(*nkeys)++] = i + 2;
    if (*nkeys == 0) {
        reply_error(c, "ERR Invalid arguments specified for command");
        return NULL;
    }
    return cmd;
}

static void
cmd_command_getkeys(struct client *c)
{
    int pos[256], n;
    if (getkeys_target(c, pos, 256, &n) == NULL)
        return;
    reply_array(c, n);
    for (int i = 0; i < n; i++)
        reply_bulk(c, c->argv[pos[i]].ptr, c->argv[pos[i]].len);
}

/* Flags per key, from the command's flags (zmem's table has no per-key specs): a read-only
 * command reads (RO access), a write command reads and updates (RW access update). */
static void
cmd_command_getkeysandflags(struct client *c)
{
    int pos[256], n;
    const struct command *cmd = getkeys_target(c, pos, 256, &n);
    if (cmd == NULL)
        return;
    int write = (cmd->flags & CMD_WRITE) != 0;
    reply_array(c, n);
    for (int i = 0; i < n; i++) {
        reply_array(c, 2);
        reply_bulk(c, c->argv[pos[i]].ptr, c->argv[pos[i]].len);
        reply_set(c, write ? 3 : 2);
        reply_simple(c, write ? "RW" : "RO");
        reply_simple(c, "access");
        if (write)
            reply_simple(c, "update");
    }
}

static void
cmd_command_help(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all commands.",
        "COUNT",
        "    Return the total number of commands in this server.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
        "    Return a list of all commands in this server, or those matching the filter.",
        "GETKEYS <full-command>",
        "    Return the keys from a full command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and their access flags from a full command.",
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
    COMMAND("getkeys", cmd_command_getkeys, -4, CMD_LOADING | CMD_STALE,
            .summary = "Extract keys given a full Redis command", .group = "server"),
    COMMAND("getkeysandflags", cmd_command_getkeysandflags, -4, CMD_LOADING | CMD_STALE,
            .summary = "Extract keys and access flags given a full Redis command",
            .group = "server"),
    COMMAND("help", cmd_command_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "Show helpful text about the different subcommands", .group = "server"),
    COMMAND_END,
};

const struct command cmd_command_table[] = {
    COMMAND("command", cmd_command, -1, CMD_LOADING | CMD_STALE, .subcommands = command_subcommands,
            .summary = "Get array of command details", .group = "server"),
    COMMAND_END,
};
