/* cmd_docs.c — the rows of cmd_docs_data.h parsed once into argument trees and key specs, and
 * COMMAND DOCS's "arguments" rendering. An argument list is words separated by ' ' or '|':
 *   [?][*][+] then one of
 *     name:T          an argument of type T: k key, s string, i integer, d double, p pattern,
 *                     t unix-time; digits after T give its key spec index (a key always has
 *                     one). The name may hold ':': T is after the last one
 *     TOKEN=name:T    the same, introduced by TOKEN
 *     TOKEN           a pure token, named as the token in lower case
 *     TOKEN=name      a pure token with another name
 *     [TOKEN=]name(…) a block of arguments;  [TOKEN=]name<…> one of the arguments
 *   prefixes: ? optional, * multiple, + multiple_token. A token that is not a plain word is
 *   written in double quotes ("=" or "").
 * e.g. SET: "key:k0 value:s ?condition<NX|XX> ?GET ?expiration<EX=seconds:i|KEEPTTL>". */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "cmd_docs.h"

enum arg_type {
    AT_STRING,
    AT_INTEGER,
    AT_DOUBLE,
    AT_KEY,
    AT_PATTERN,
    AT_UNIX_TIME,
    AT_PURE_TOKEN,
    AT_ONEOF,
    AT_BLOCK
};
static const char *const type_names[] = {"string",    "integer",    "double", "key",  "pattern",
                                         "unix-time", "pure-token", "oneof",  "block"};

#define AF_OPTIONAL       1
#define AF_MULTIPLE       2
#define AF_MULTIPLE_TOKEN 4

/* One argument, its strings pointing into the row's text. Children and siblings are indexes
 * into the pool, -1 for none. */
struct doc_arg {
    const char *name, *token;
    uint16_t name_len, token_len;
    uint8_t type, flags;
    uint8_t lower_name; /* name is the token in lower case */
    int8_t key_spec;    /* -1 when not a key */
    int16_t child, next;
};

/* Sized for all of Redis 7.0's commands with room to spare; setup fails loudly if exceeded. */
#define MAX_ARGS  4096
#define MAX_SPECS 1024
#define MAX_DOCS  512

static struct doc_arg args_pool[MAX_ARGS];
static int nargs;
static struct keyspec spec_pool[MAX_SPECS];
static int nspecs_used;
static struct cmd_doc docs[MAX_DOCS];
static int ndocs;
static int ready;

/* ---- parsing ---- */

struct parser {
    const char *p;
    const char *err; /* first error, NULL while fine */
};

static int parse_list(struct parser *ps, char close);

static int
is_delim(char ch)
{
    return ch == '\0' || strchr(" |()<>", ch) != NULL;
}

static int
new_arg(struct parser *ps)
{
    if (nargs == MAX_ARGS) {
        ps->err = "argument pool full";
        return -1;
    }
    memset(&args_pool[nargs], 0, sizeof(args_pool[nargs]));
    args_pool[nargs].key_spec = -1;
    args_pool[nargs].child = args_pool[nargs].next = -1;
    return nargs++;
}

/* The type after ':' in name:T, into a. */
static int
parse_type(struct parser *ps, struct doc_arg *a, const char *t, const char *end)
{
    static const char codes[] = "sidkpt";
    const char *at = t < end ? strchr(codes, *t) : NULL;
    if (at == NULL || *t == '\0') {
        ps->err = "unknown argument type";
        return -1;
    }
    a->type = (uint8_t)(at - codes);
    /* Digits after the type: the key spec the argument feeds (always for a key; SORT's BY
     * and GET patterns name keys too). */
    const char *d = t + 1;
    while (d < end && isdigit((unsigned char)*d))
        d++;
    if (d != end || (a->type == AT_KEY && d == t + 1)) {
        ps->err = "bad argument type";
        return -1;
    }
    if (d > t + 1)
        a->key_spec = (int8_t)atoi(t + 1);
    return 0;
}

/* One argument at ps->p; returns its pool index or -1. */
static int
parse_elem(struct parser *ps)
{
    int i = new_arg(ps);
    if (i < 0)
        return -1;
    struct doc_arg *a = &args_pool[i];
    for (;; ps->p++) {
        if (*ps->p == '?')
            a->flags |= AF_OPTIONAL;
        else if (*ps->p == '*')
            a->flags |= AF_MULTIPLE;
        else if (*ps->p == '+')
            a->flags |= AF_MULTIPLE_TOKEN;
        else
            break;
    }
    if (*ps->p == '"') { /* a quoted token, then '=' */
        const char *q = strchr(ps->p + 1, '"');
        if (q == NULL || q[1] != '=') {
            ps->err = "bad quoted token";
            return -1;
        }
        a->token = ps->p + 1;
        a->token_len = (uint16_t)(q - a->token);
        ps->p = q + 2;
    }
    const char *w = ps->p;
    while (!is_delim(*ps->p))
        ps->p++;
    const char *end = ps->p;
    const char *eq = a->token ? NULL : memchr(w, '=', (size_t)(end - w));
    if (eq) {
        a->token = w;
        a->token_len = (uint16_t)(eq - w);
        w = eq + 1;
    }
    if (*ps->p == '(' || *ps->p == '<') {
        char close = *ps->p == '(' ? ')' : '>';
        a->type = close == ')' ? AT_BLOCK : AT_ONEOF;
        a->name = w;
        a->name_len = (uint16_t)(end - w);
        ps->p++;
        int child = parse_list(ps, close);
        if (child < 0)
            return -1;
        args_pool[i].child = (int16_t)child;
        if (*ps->p != close) {
            ps->err = "unclosed block or oneof";
            return -1;
        }
        ps->p++;
        return i;
    }
    const char *colon = NULL;
    for (const char *s = w; s < end; s++)
        if (*s == ':')
            colon = s;
    if (colon == NULL) { /* a pure token */
        a->type = AT_PURE_TOKEN;
        if (a->token == NULL) {
            a->token = w;
            a->token_len = (uint16_t)(end - w);
            a->lower_name = 1;
        }
        a->name = w;
        a->name_len = (uint16_t)(end - w);
    } else {
        a->name = w;
        a->name_len = (uint16_t)(colon - w);
        if (parse_type(ps, a, colon + 1, end) < 0)
            return -1;
    }
    if (a->name_len == 0) {
        ps->err = "empty name";
        return -1;
    }
    return i;
}

/* Arguments up to `close` (or the end of the text): the first one's index, or -1 on an error
 * (an empty list is one: a row without arguments is left unparsed by its caller). */
static int
parse_list(struct parser *ps, char close)
{
    int first = -1, prev = -1;
    while (*ps->p && *ps->p != close) {
        if (*ps->p == ' ' || *ps->p == '|') {
            ps->p++;
            continue;
        }
        int i = parse_elem(ps);
        if (i < 0)
            return -1;
        if (prev >= 0)
            args_pool[prev].next = (int16_t)i;
        else
            first = i;
        prev = i;
    }
    if (first < 0 && ps->err == NULL)
        ps->err = "empty argument list";
    return first;
}

static int
doc_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cmd_doc *)a)->row->name, ((const struct cmd_doc *)b)->row->name);
}

static int
setup_row(const struct cmd_doc_row *row, char *err, size_t errlen)
{
    struct cmd_doc *d = &docs[ndocs];
    struct parser ps = {row->args, NULL};
    d->row = row;
    d->args = -1;
    if (row->args[0]) {
        d->args = parse_list(&ps, '\0');
        if (d->args < 0) {
            snprintf(err, errlen, "command docs row '%s': %s at \"%.20s\"", row->name, ps.err,
                     ps.p);
            return -1;
        }
    }
    int n = keyspec_parse(row->keys, spec_pool + nspecs_used, MAX_SPECS - nspecs_used);
    if (n < 0) {
        snprintf(err, errlen, "command docs row '%s': bad key spec \"%s\"", row->name, row->keys);
        return -1;
    }
    d->specs = spec_pool + nspecs_used;
    d->nspecs = n;
    nspecs_used += n;
    ndocs++;
    return 0;
}

int
cmd_docs_setup(char *err, size_t errlen)
{
    static const struct cmd_doc_row *const tables[] = {cmd_docs_types, cmd_docs_server};

    if (ready)
        return 0;
    nargs = nspecs_used = ndocs = 0;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct cmd_doc_row *row = tables[t]; row->name; row++) {
            if (ndocs == MAX_DOCS) {
                snprintf(err, errlen, "command docs: more than %d rows", MAX_DOCS);
                return -1;
            }
            if (setup_row(row, err, errlen) < 0)
                return -1;
        }
    }
    qsort(docs, (size_t)ndocs, sizeof(docs[0]), doc_cmp);
    for (int i = 1; i < ndocs; i++) {
        if (strcmp(docs[i - 1].row->name, docs[i].row->name) == 0) {
            snprintf(err, errlen, "command docs: two rows for '%s'", docs[i].row->name);
            return -1;
        }
    }
    ready = 1;
    return 0;
}

static int
find_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct cmd_doc *)elem)->row->name);
}

const struct cmd_doc *
cmd_docs_find(const char *fullname)
{
    if (!ready)
        return NULL;
    return bsearch(fullname, docs, (size_t)ndocs, sizeof(docs[0]), find_cmp);
}

/* ---- rendering ---- */

static void
reply_arg_list(struct client *c, int first)
{
    long long n = 0;
    for (int i = first; i >= 0; i = args_pool[i].next)
        n++;
    reply_array(c, n);
    for (int i = first; i >= 0; i = args_pool[i].next) {
        const struct doc_arg *a = &args_pool[i];
        int nflags = !!(a->flags & AF_OPTIONAL) + !!(a->flags & AF_MULTIPLE) +
                     !!(a->flags & AF_MULTIPLE_TOKEN);
        int nested = a->type == AT_ONEOF || a->type == AT_BLOCK;
        reply_map(c, 2 + (a->key_spec >= 0) + (a->token != NULL) + (nflags > 0) + nested);
        reply_bulk_cstr(c, "name");
        if (a->lower_name) {
            char name[64];
            size_t len = a->name_len < sizeof(name) ? a->name_len : sizeof(name);
            for (size_t k = 0; k < len; k++)
                name[k] = (char)tolower((unsigned char)a->name[k]);
            reply_bulk(c, name, len);
        } else {
            reply_bulk(c, a->name, a->name_len);
        }
        reply_bulk_cstr(c, "type");
        reply_bulk_cstr(c, type_names[a->type]);
        if (a->key_spec >= 0) {
            reply_bulk_cstr(c, "key_spec_index");
            reply_int(c, a->key_spec);
        }
        if (a->token) {
            reply_bulk_cstr(c, "token");
            reply_bulk(c, a->token, a->token_len);
        }
        if (nflags) {
            reply_bulk_cstr(c, "flags");
            reply_set(c, nflags);
            if (a->flags & AF_OPTIONAL)
                reply_simple(c, "optional");
            if (a->flags & AF_MULTIPLE)
                reply_simple(c, "multiple");
            if (a->flags & AF_MULTIPLE_TOKEN)
                reply_simple(c, "multiple_token");
        }
        if (nested) {
            reply_bulk_cstr(c, "arguments");
            reply_arg_list(c, a->child);
        }
    }
}

void
cmd_docs_reply_args(struct client *c, const struct cmd_doc *d)
{
    reply_arg_list(c, d ? d->args : -1);
}

int
cmd_docs_has_word(const char *list, const char *word, size_t len)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && strncasecmp(p, word, len) == 0)
            return 1;
        p += n;
        while (*p == ' ')
            p++;
    }
    return 0;
}

int
cmd_docs_count_words(const char *list)
{
    int n = 0;
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        n += len > 0;
        p += len;
        while (*p == ' ')
            p++;
    }
    return n;
}
