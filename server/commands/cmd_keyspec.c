/* cmd_keyspec.c — key specifications: the compact text of cmd_docs_data.h parsed into structs,
 * COMMAND INFO's rendering of them, and the walk over arguments that finds keys. One spec is
 * "FLAGS BEGIN FIND":
 *   FLAGS  key flags joined by '|' as Redis names them (RO, RW, OW, RM, access, update, insert,
 *          delete, not_key, incomplete, variable_flags), or '-' for none;
 *   BEGIN  iN (the first key is argument N) | kWORD,S (after WORD, searched from argument S,
 *          backwards from the end when S < 0) | u (unknown);
 *   FIND   rL,S,M (a range: last key L after the first, or counted from the end when L < 0;
 *          step S; with L = -1 and M > 0, 1/M of what remains) | nI,F,S (the count is argument
 *          I after the start, the first key F after it, step S) | u (unknown). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "cmd_keyspec.h"
#include "resp_parse.h"
#include "util.h"

static const char *const flag_names[] = {
    "RO",     "RW",     "OW",      "RM",         "access",         "update",
    "insert", "delete", "not_key", "incomplete", "variable_flags",
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* ---- parsing ---- */

/* Read an integer at *p (optionally negative), moving past it; -1 if there is none. */
static int
read_int(const char **p, int *out)
{
    char *end;
    long v = strtol(*p, &end, 10);
    if (end == *p)
        return -1;
    *out = (int)v;
    *p = end;
    return 0;
}

/* "a,b,c" into three ints. */
static int
read_three(const char **p, int *a, int *b, int *c)
{
    if (read_int(p, a) < 0 || **p != ',')
        return -1;
    (*p)++;
    if (read_int(p, b) < 0 || **p != ',')
        return -1;
    (*p)++;
    return read_int(p, c);
}

static int
parse_flags(const char **p, unsigned *flags)
{
    *flags = 0;
    if (**p == '-') {
        (*p)++;
        return 0;
    }
    for (;;) {
        size_t n = strcspn(*p, "| ");
        size_t i;
        for (i = 0; i < NFLAGS; i++)
            if (strlen(flag_names[i]) == n && strncmp(*p, flag_names[i], n) == 0)
                break;
        if (i == NFLAGS)
            return -1;
        *flags |= 1u << i;
        *p += n;
        if (**p != '|')
            return 0;
        (*p)++;
    }
}

static int
parse_one(const char **p, struct keyspec *ks)
{
    memset(ks, 0, sizeof(*ks));
    if (parse_flags(p, &ks->flags) < 0 || **p != ' ')
        return -1;
    (*p)++;
    ks->bs = *(*p)++;
    if (ks->bs == 'i') {
        if (read_int(p, &ks->index) < 0)
            return -1;
    } else if (ks->bs == 'k') {
        ks->kw = *p;
        ks->kwlen = (int)strcspn(*p, ",");
        *p += ks->kwlen;
        if (ks->kwlen == 0 || **p != ',')
            return -1;
        (*p)++;
        if (read_int(p, &ks->startfrom) < 0)
            return -1;
    } else if (ks->bs != 'u') {
        return -1;
    }
    if (**p != ' ')
        return -1;
    (*p)++;
    ks->fk = *(*p)++;
    if (ks->fk == 'r')
        return read_three(p, &ks->lastkey, &ks->keystep, &ks->limit);
    if (ks->fk == 'n')
        return read_three(p, &ks->keynumidx, &ks->firstkey, &ks->keystep);
    return ks->fk == 'u' ? 0 : -1;
}

int
keyspec_parse(const char *text, struct keyspec *out, int max)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        if (n == max || parse_one(&p, &out[n]) < 0)
            return -1;
        n++;
        if (*p == ';' && p[1] != '\0')
            p++;
        else if (*p)
            return -1;
    }
    return n;
}

/* ---- COMMAND INFO ---- */

void
keyspec_reply_flags(struct client *c, unsigned flags)
{
    int n = 0;
    for (size_t i = 0; i < NFLAGS; i++)
        n += (flags >> i) & 1;
    reply_set(c, n);
    for (size_t i = 0; i < NFLAGS; i++)
        if (flags & (1u << i))
            reply_simple(c, flag_names[i]);
}

static void
reply_kv_int(struct client *c, const char *name, long long v)
{
    reply_bulk_cstr(c, name);
    reply_int(c, v);
}

void
keyspec_reply(struct client *c, const struct keyspec *specs, int n)
{
    reply_array(c, n);
    for (int i = 0; i < n; i++) {
        const struct keyspec *ks = &specs[i];
        reply_map(c, 3);
        reply_bulk_cstr(c, "flags");
        keyspec_reply_flags(c, ks->flags);
        reply_bulk_cstr(c, "begin_search");
        reply_map(c, 2);
        reply_bulk_cstr(c, "type");
        reply_bulk_cstr(c, ks->bs == 'i' ? "index" : ks->bs == 'k' ? "keyword" : "unknown");
        reply_bulk_cstr(c, "spec");
        if (ks->bs == 'i') {
            reply_map(c, 1);
            reply_kv_int(c, "index", ks->index);
        } else if (ks->bs == 'k') {
            reply_map(c, 2);
            reply_bulk_cstr(c, "keyword");
            reply_bulk(c, ks->kw, (size_t)ks->kwlen);
            reply_kv_int(c, "startfrom", ks->startfrom);
        } else {
            reply_map(c, 0);
        }
        reply_bulk_cstr(c, "find_keys");
        reply_map(c, 2);
        reply_bulk_cstr(c, "type");
        reply_bulk_cstr(c, ks->fk == 'r' ? "range" : ks->fk == 'n' ? "keynum" : "unknown");
        reply_bulk_cstr(c, "spec");
        if (ks->fk == 'r') {
            reply_map(c, 3);
            reply_kv_int(c, "lastkey", ks->lastkey);
            reply_kv_int(c, "keystep", ks->keystep);
            reply_kv_int(c, "limit", ks->limit);
        } else if (ks->fk == 'n') {
            reply_map(c, 3);
            reply_kv_int(c, "keynumidx", ks->keynumidx);
            reply_kv_int(c, "firstkey", ks->firstkey);
            reply_kv_int(c, "keystep", ks->keystep);
        } else {
            reply_map(c, 0);
        }
    }
}

int
keyspec_has_keys(const struct keyspec *specs, int n)
{
    for (int i = 0; i < n; i++)
        if (!(specs[i].flags & KS_NOT_KEY))
            return 1;
    return 0;
}

/* ---- finding keys ---- */

static int
arg_eq(const struct resp_arg *a, const char *word, size_t len)
{
    return a->len == len && strncasecmp(a->ptr, word, len) == 0;
}

#define ARG_IS(a, word) arg_eq((a), (word), strlen(word))

/* Where spec ks's keys begin in argv, 0 when its keyword is absent, -1 when unknown. */
static int
begin_search(const struct keyspec *ks, const struct resp_arg *argv, int argc)
{
    if (ks->bs == 'i')
        return ks->index;
    if (ks->bs != 'k')
        return -1;
    int start = ks->startfrom > 0 ? ks->startfrom : argc + ks->startfrom;
    int end = ks->startfrom > 0 ? argc - 1 : 1;
    /* As Redis: the argument at `end` itself is not examined. */
    for (int i = start; i != end && i >= 1 && i < argc; i += start <= end ? 1 : -1)
        if (arg_eq(&argv[i], ks->kw, (size_t)ks->kwlen))
            return i + 1;
    return 0;
}

/* Redis's walk over the specs (getKeysUsingKeySpecs): -1 when a spec cannot be followed
 * (unknown, a bad count, keys past the end), which makes the whole answer "no keys". */
static int
find_by_specs(const struct keyspec *specs, int n, const struct resp_arg *argv, int argc,
              struct keyref *out, int max)
{
    int found = 0;
    for (int s = 0; s < n; s++) {
        const struct keyspec *ks = &specs[s];
        if (ks->flags & KS_NOT_KEY)
            continue;
        int first = begin_search(ks, argv, argc), last, step;
        if (first < 0)
            return -1;
        if (first == 0)
            continue; /* optional keyword absent */
        if (ks->fk == 'r') {
            step = ks->keystep;
            if (ks->lastkey >= 0)
                last = first + ks->lastkey;
            else if (ks->limit == 0)
                last = argc + ks->lastkey;
            else
                last = first + ((argc - first) / ks->limit + ks->lastkey);
        } else if (ks->fk == 'n') {
            long long numkeys;
            step = ks->keystep;
            if (ks->keynumidx >= argc || first + ks->keynumidx >= argc)
                return -1;
            const struct resp_arg *num = &argv[first + ks->keynumidx];
            if (str_to_ll(num->ptr, num->len, &numkeys) != 0 || numkeys < 0)
                return -1;
            first += ks->firstkey;
            last = first + (int)numkeys - 1;
        } else {
            return -1;
        }
        if (last >= argc || last < first || first >= argc)
            return -1;
        for (int i = first; i <= last && found < max; i += step) {
            out[found].pos = i;
            out[found].flags = ks->flags;
            found++;
        }
    }
    return found;
}

/* SORT and SORT_RO: the sorted key, then (SORT only) the last STORE's destination, skipping the
 * arguments of LIMIT, GET and BY (Redis's sortGetKeys). */
static int
find_sort(int with_store, const struct resp_arg *argv, int argc, struct keyref *out)
{
    int n = 1, store = 0;
    out[0].pos = 1;
    out[0].flags = KS_RO | KS_ACCESS;
    for (int i = 2; with_store && i < argc; i++) {
        if (ARG_IS(&argv[i], "limit"))
            i += 2;
        else if (ARG_IS(&argv[i], "get") || ARG_IS(&argv[i], "by"))
            i += 1;
        else if (ARG_IS(&argv[i], "store") && i + 1 < argc) {
            store = 1;
            out[n].pos = i + 1;
            out[n].flags = KS_OW | KS_UPDATE;
        }
    }
    return n + store;
}

/* SET: overwrites its key, unless GET also reads it. */
static int
find_set(const struct resp_arg *argv, int argc, struct keyref *out)
{
    out[0].pos = 1;
    out[0].flags = KS_OW | KS_UPDATE;
    for (int i = 3; i < argc; i++)
        if (ARG_IS(&argv[i], "get"))
            out[0].flags = KS_RW | KS_ACCESS | KS_UPDATE;
    return 1;
}

/* BITFIELD: read-only when every operation is a well-formed GET (or OVERFLOW). */
static int
find_bitfield(const struct resp_arg *argv, int argc, struct keyref *out)
{
    int readonly = 1;
    for (int i = 2; i < argc && readonly; i++) {
        int rem = argc - i - 1;
        if (ARG_IS(&argv[i], "get") && rem >= 2)
            i += 2;
        else if (ARG_IS(&argv[i], "overflow") && rem >= 1)
            i += 1;
        else
            readonly = 0; /* SET, INCRBY or a syntax error: assume a write */
    }
    out[0].pos = 1;
    out[0].flags = readonly ? KS_RO | KS_ACCESS : KS_RW | KS_ACCESS | KS_UPDATE;
    return 1;
}

int
keyspec_find(const char *fullname, const struct keyspec *specs, int n, const struct resp_arg *argv,
             int argc, struct keyref *out, int max)
{
    if (max < 2 || argc < 2)
        return 0;
    if (strcmp(fullname, "sort") == 0 || strcmp(fullname, "sort_ro") == 0)
        return find_sort(fullname[4] == '\0', argv, argc, out);
    if (strcmp(fullname, "set") == 0)
        return find_set(argv, argc, out);
    if (strcmp(fullname, "bitfield") == 0)
        return find_bitfield(argv, argc, out);
    int found = find_by_specs(specs, n, argv, argc, out, max);
    return found < 0 ? 0 : found;
}
