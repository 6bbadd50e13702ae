/* cmd_command.c — COMMAND, COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / HELP, built from the
 * command tables and the docs rows (cmd_docs.h: key specs, categories, argument trees). The
 * DOCS reply is complete and well typed because redis-cli asserts on its shape when it starts;
 * a command without a docs row still answers, from its table row alone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "cmd_docs.h"
#include "command.h"
#include "commands.h"
#include "util.h"

/* ---- COMMAND INFO entries ---- */

/* Redis 7.0's command flags in the order it prints them. A flag with a CMD_* bit comes from
 * the table row; the others (bit 0) from the docs row's `flags` words. */
static const struct {
    unsigned flag;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {0, "pubsub"},
    {0, "noscript"},
    {0, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},
    {CMD_NOAUTH, "no_auth"},
    {0, "no_mandatory_keys"},
    {0, "protected"},
    {0, "movablekeys"},
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* The ACL category Redis files a command group under (groups without one get none), for a
 * command without a docs row. */
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

static int
has_flag(const struct command *cmd, const struct cmd_doc *d, size_t i)
{
    if (flag_names[i].flag)
        return (cmd->flags & flag_names[i].flag) != 0;
    return d && cmd_docs_has_word(d->row->flags, flag_names[i].name, strlen(flag_names[i].name));
}

/* Space-separated words as a set, each with `prefix` before it: status replies (as Redis
 * sends categories) or bulk strings (as it sends tips). */
static void
reply_words(struct client *c, const char *list, const char *prefix, int bulk)
{
    char buf[128];
    reply_set(c, cmd_docs_count_words(list));
    for (const char *p = list; *p;) {
        int n = (int)strcspn(p, " ");
        if (n > 0) {
            snprintf(buf, sizeof(buf), "%s%.*s", prefix, n, p);
            if (bulk)
                reply_bulk_cstr(c, buf);
            else
                reply_simple(c, buf);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* The categories of a command without a docs row: from its flags and group. */
static void
reply_derived_categories(struct client *c, const struct command *cmd)
{
    const char *cats[6];
    int ncats = 0;
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
}

/* A command's key specs: its docs row's, or for a command without one, a single spec made from
 * the table's first/last/step (reads for a read-only command, read-write otherwise). */
static int
command_specs(const struct command *cmd, const struct cmd_doc *d, struct keyspec *one,
              const struct keyspec **specs)
{
    if (d) {
        *specs = d->specs;
        return d->nspecs;
    }
    *specs = one;
    if (cmd->keys.first <= 0)
        return 0;
    memset(one, 0, sizeof(*one));
    one->flags = (cmd->flags & CMD_WRITE) ? KS_RW | KS_ACCESS | KS_UPDATE : KS_RO | KS_ACCESS;
    one->bs = 'i';
    one->index = cmd->keys.first;
    one->fk = 'r';
    one->lastkey = cmd->keys.last < 0 ? cmd->keys.last : cmd->keys.last - cmd->keys.first;
    one->keystep = cmd->keys.step > 0 ? cmd->keys.step : 1;
    return 1;
}

static const struct cmd_doc *
doc_of(const struct command *cmd, char *full, size_t size)
{
    command_fullname(cmd, full, size);
    return cmd_docs_find(full);
}

static void
reply_command_info(struct client *c, const struct command *cmd)
{
    char full[128];
    const struct cmd_doc *d = doc_of(cmd, full, sizeof(full));
    int nflags = 0;

    reply_array(c, 10);
    reply_bulk_cstr(c, full);
    reply_int(c, cmd->arity);
    for (size_t i = 0; i < NFLAGS; i++)
        nflags += has_flag(cmd, d, i);
    reply_set(c, nflags);
    for (size_t i = 0; i < NFLAGS; i++)
        if (has_flag(cmd, d, i))
            reply_simple(c, flag_names[i].name);
    reply_int(c, cmd->keys.first);
    reply_int(c, cmd->keys.last);
    reply_int(c, cmd->keys.step);
    if (d)
        reply_words(c, d->row->acl, "@", 0);
    else
        reply_derived_categories(c, cmd);
    reply_words(c, d ? d->row->tips : "", "", 1);
    struct keyspec one;
    const struct keyspec *specs;
    int nspecs = command_specs(cmd, d, &one, &specs);
    keyspec_reply(c, specs, nspecs);
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

/* A command named by argument j: "get", or a subcommand as "config|get" (Redis 7.0 accepts
 * both in COMMAND INFO and DOCS). NULL when unknown. */
static const struct command *
lookup_full(struct client *c, int j)
{
    const char *name = c->argv[j].ptr;
    size_t len = c->argv[j].len;
    const char *bar = memchr(name, '|', len);
    if (bar == NULL)
        return command_lookup(name, len);
    const struct command *parent = command_lookup(name, (size_t)(bar - name));
    if (parent == NULL || parent->subcommands == NULL)
        return NULL;
    return command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
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
        const struct command *cmd = lookup_full(c, j);
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
    char full[128];
    const struct cmd_doc *d = doc_of(cmd, full, sizeof(full));
    const struct cmd_doc_row *row = d ? d->row : NULL;
    long long nsub = 0;

    for (const struct command *s = cmd->subcommands; s && s->name; s++)
        nsub++;
    /* Redis's order: summary, since, group, complexity, doc_flags, deprecated_since,
     * arguments, subcommands; each but group only when there is something to say. */
    const char *doc = row ? row->doc : "";
    size_t doclen = strcspn(doc, " ");
    const char *deprecated_since = doc[doclen] == ' ' ? doc + doclen + 1 : NULL;
    int has_since = row && row->since[0], has_cx = row && row->complexity[0];
    int has_args = d && d->args >= 0;
    reply_map(c, 2 + has_since + has_cx + (doclen > 0) + (deprecated_since != NULL) + has_args +
                     (nsub > 0));
    reply_bulk_cstr(c, "summary");
    reply_bulk_cstr(c, cmd->summary ? cmd->summary : "");
    if (has_since) {
        reply_bulk_cstr(c, "since");
        reply_bulk_cstr(c, row->since);
    }
    reply_bulk_cstr(c, "group");
    reply_bulk_cstr(c, cmd->group ? cmd->group : "server");
    if (has_cx) {
        reply_bulk_cstr(c, "complexity");
        reply_bulk_cstr(c, row->complexity);
    }
    if (doclen) {
        reply_bulk_cstr(c, "doc_flags");
        reply_set(c, 1);
        char flag[32];
        snprintf(flag, sizeof(flag), "%.*s", (int)doclen, doc);
        reply_simple(c, flag);
    }
    if (deprecated_since) {
        reply_bulk_cstr(c, "deprecated_since");
        reply_bulk_cstr(c, deprecated_since);
    }
    if (has_args) {
        reply_bulk_cstr(c, "arguments");
        cmd_docs_reply_args(c, d);
    }
    if (nsub) {
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
        const struct command *cmd = lookup_full(c, j);
        char full[128];
        if (cmd == NULL)
            continue;
        command_fullname(cmd, full, sizeof(full));
        reply_bulk_cstr(c, full);
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

/* Whether cmd is in the ACL category named (without '@'): its docs row says; for a command
 * without one, the category is derived from the flags and the group, which gives Redis's
 * answer for the type categories and read/write/fast/slow/admin. */
static int
in_acl_category(const struct command *cmd, const char *cat, size_t len)
{
    char full[128];
    const struct cmd_doc *d = doc_of(cmd, full, sizeof(full));
    if (d)
        return cmd_docs_has_word(d->row->acl, cat, len);
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

#define MAX_GETKEYS 256

/* The keys of the command in argv[2..] (a subcommand when it has them) into out, as Redis
 * finds them: through the same key specs COMMAND INFO shows. Returns how many, or -1 after
 * replying with Redis's error; an empty result is an error unless the command's keys are
 * optional (no_mandatory_keys). */
static int
getkeys_target(struct client *c, struct keyref *out, int max)
{
    const struct command *cmd = command_lookup(c->argv[2].ptr, c->argv[2].len);
    int argc = c->argc - 2; /* the target command's argc, its name included */
    char full[128];

    if (cmd && cmd->subcommands) {
        if (argc < 2) {
            reply_error(c, "ERR Invalid number of arguments specified for command");
            return -1;
        }
        cmd = command_lookup_sub(cmd, c->argv[3].ptr, c->argv[3].len);
    }
    if (cmd == NULL) {
        reply_error(c, "ERR Invalid command specified");
        return -1;
    }
    const struct cmd_doc *d = doc_of(cmd, full, sizeof(full));
    struct keyspec one;
    const struct keyspec *specs;
    int nspecs = command_specs(cmd, d, &one, &specs);
    if (!keyspec_has_keys(specs, nspecs)) {
        reply_error(c, "ERR The command has no key arguments");
        return -1;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "ERR Invalid number of arguments specified for command");
        return -1;
    }
    int n = keyspec_find(full, specs, nspecs, c->argv + 2, argc, out, max);
    if (n == 0 && !(d && cmd_docs_has_word(d->row->flags, "no_mandatory_keys", 17))) {
        reply_error(c, "ERR Invalid arguments specified for command");
        return -1;
    }
    for (int i = 0; i < n; i++)
        out[i].pos += 2;
    return n;
}

static void
cmd_command_getkeys(struct client *c)
{
    struct keyref keys[MAX_GETKEYS];
    int n = getkeys_target(c, keys, MAX_GETKEYS);
    if (n < 0)
        return;
    reply_array(c, n);
    for (int i = 0; i < n; i++)
        reply_bulk(c, c->argv[keys[i].pos].ptr, c->argv[keys[i].pos].len);
}

/* Each key with the flags of the spec that found it. */
static void
cmd_command_getkeysandflags(struct client *c)
{
    struct keyref keys[MAX_GETKEYS];
    int n = getkeys_target(c, keys, MAX_GETKEYS);
    if (n < 0)
        return;
    reply_array(c, n);
    for (int i = 0; i < n; i++) {
        reply_array(c, 2);
        reply_bulk(c, c->argv[keys[i].pos].ptr, c->argv[keys[i].pos].len);
        keyspec_reply_flags(c, keys[i].flags);
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
            .summary = "List which arguments of a command line are keys", .group = "server"),
    COMMAND("getkeysandflags", cmd_command_getkeysandflags, -4, CMD_LOADING | CMD_STALE,
            .summary = "List which arguments of a command line are keys, with their access flags",
            .group = "server"),
    COMMAND("help", cmd_command_help, 2, CMD_LOADING | CMD_STALE,
            .summary = "List the COMMAND subcommands and their arguments", .group = "server"),
    COMMAND_END,
};

const struct command cmd_command_table[] = {
    COMMAND("command", cmd_command, -1, CMD_LOADING | CMD_STALE, .subcommands = command_subcommands,
            .summary = "Get array of command details", .group = "server"),
    COMMAND_END,
};
