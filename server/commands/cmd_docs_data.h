/* cmd_docs_data — the facts COMMAND INFO and COMMAND DOCS report beyond a command table row:
 * key specifications, ACL categories, extra Redis flags, tips and the argument tree, one row per
 * command or subcommand. The rows live in cmd_docs_types.c (data-type commands) and
 * cmd_docs_server.c (the rest), apart from the command tables so that a new command needs no
 * edit of its table row; cmd_docs.c and cmd_keyspec.c parse them once at start. A command
 * without a row still answers (from its table row alone); test_command_docs lists any. */
#ifndef ZMEM_SERVER_CMD_DOCS_DATA_H
#define ZMEM_SERVER_CMD_DOCS_DATA_H

/* One row. Every field is a string, "" when empty; the small grammars of `keys` and `args` are
 * described in cmd_keyspec.c and cmd_docs.c. */
struct cmd_doc_row {
    const char *name;       /* full name, lower case: "set", "config|get" */
    const char *since;      /* the Redis version that introduced it */
    const char *complexity; /* big-O of one call */
    const char *keys;       /* key specifications, ';' between specs: "RO|access i1 r0,1,0" */
    const char *acl;        /* ACL categories without '@', space separated */
    const char *flags;      /* Redis command flags zmem's CMD_* do not carry: "movablekeys" */
    const char *tips;       /* command tips, space separated */
    const char *doc;        /* doc flags: "deprecated 6.2.0" (with the version), "syscmd" */
    const char *args;       /* the argument tree: "key:k0 value:s ?condition<NX|XX>" */
};

/* The tables, each ending with a row whose name is NULL. */
extern const struct cmd_doc_row cmd_docs_types[];  /* cmd_docs_types.c */
extern const struct cmd_doc_row cmd_docs_server[]; /* cmd_docs_server.c */

#endif
