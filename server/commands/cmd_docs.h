/* cmd_docs — the rows of cmd_docs_data.h, parsed once at start into argument trees and key
 * specifications and indexed by full command name, for COMMAND INFO, DOCS, LIST and GETKEYS. */
#ifndef ZMEM_SERVER_CMD_DOCS_H
#define ZMEM_SERVER_CMD_DOCS_H

#include <stddef.h>

#include "cmd_docs_data.h"
#include "cmd_keyspec.h"

struct client;

/* One row, parsed. */
struct cmd_doc {
    const struct cmd_doc_row *row;
    const struct keyspec *specs; /* row->keys parsed */
    int nspecs;
    int args; /* first top-level argument in the parsed pool, -1 when it takes none */
};

/* Parse and index every row (call once at start, before serving; again is a no-op). Returns 0,
 * or -1 with a message in err naming the first malformed or duplicate row. Uses no heap: the
 * parsed trees live in fixed static pools, sized for Redis's whole command set. */
int cmd_docs_setup(char *err, size_t errlen);
/* The parsed row for a full command name ("get", "config|get"), NULL when there is none. */
const struct cmd_doc *cmd_docs_find(const char *fullname);
/* COMMAND DOCS's "arguments" value for d: the array of argument maps (name, type,
 * key_spec_index, token, flags, nested arguments), as Redis 7.0 shapes them. */
void cmd_docs_reply_args(struct client *c, const struct cmd_doc *d);
/* Whether the space-separated list holds word (len bytes), case-insensitively. */
int cmd_docs_has_word(const char *list, const char *word, size_t len);
/* The number of space-separated words in list. */
int cmd_docs_count_words(const char *list);

#endif
