/* cmd_scan.c — the cursor iterations: SCAN over a database's keys, SSCAN, HSCAN and ZSCAN over
 * one collection. They share Redis's argument rules (the cursor read as strtoul reads it,
 * MATCH, COUNT >= 1, TYPE for SCAN only) and its walk: a hash table is visited bucket by
 * bucket along dict_scan's reverse-binary cursor until COUNT items or 10 * COUNT buckets,
 * while a packed value (intset, listpack) is returned whole with cursor 0. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "objhash.h"
#include "objset.h"
#include "objzset.h"
#include "util.h"
#include "zmalloc.h"

/* ---- Arguments ---- */

struct scan_args {
    unsigned long long cursor;
    long long count;
    const char *pat; /* NULL: every element (no MATCH, or MATCH *) */
    size_t patlen;
    const char *type; /* SCAN TYPE, NULL when absent */
    size_t typelen;
};

/* The cursor at argv[i] into a->cursor. Redis reads it with strtoul: a leading '-' wraps,
 * anything left over or out of range is an invalid cursor. 0, or -1 after the error reply. */
static int
scan_parse_cursor(struct client *c, int i, struct scan_args *a)
{
    char buf[32];
    char *end;
    if (ARGL(c, i) == 0 || ARGL(c, i) >= sizeof(buf))
        goto invalid;
    memcpy(buf, ARGP(c, i), ARGL(c, i));
    buf[ARGL(c, i)] = '\0';
    errno = 0;
    a->cursor = strtoull(buf, &end, 10);
    if (errno == ERANGE || *end != '\0')
        goto invalid;
    return 0;
invalid:
    reply_error(c, "ERR invalid cursor");
    return -1;
}

/* The options from argv[from]: COUNT n, MATCH pattern and, when allow_type (SCAN), TYPE name.
 * 0, or -1 after the error reply. */
static int
scan_parse_options(struct client *c, int from, int allow_type, struct scan_args *a)
{
    a->count = 10;
    a->pat = a->type = NULL;
    a->patlen = a->typelen = 0;
    for (int j = from; j < c->argc; j += 2) {
        int has_value = j + 1 < c->argc;
        if (arg_is(c, j, "count") && has_value) {
            if (arg_ll(c, j + 1, &a->count) < 0) {
                reply_error_notint(c);
                return -1;
            }
            if (a->count < 1) {
                reply_error_syntax(c);
                return -1;
            }
        } else if (arg_is(c, j, "match") && has_value) {
            a->pat = ARGP(c, j + 1);
            a->patlen = ARGL(c, j + 1);
            if (a->patlen == 1 && a->pat[0] == '*')
                a->pat = NULL;
        } else if (allow_type && arg_is(c, j, "type") && has_value) {
            a->type = ARGP(c, j + 1);
            a->typelen = ARGL(c, j + 1);
        } else {
            reply_error_syntax(c);
            return -1;
        }
    }
    return 0;
}

/* Buckets a step may visit: 10 per requested item, as Redis. */
static long long
scan_max_buckets(long long count)
{
    return count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
}

static void
reply_cursor(struct client *c, unsigned long long cursor)
{
    char cur[24];
    size_t curlen = (size_t)snprintf(cur, sizeof(cur), "%llu", cursor);
    reply_array(c, 2);
    reply_bulk(c, cur, curlen);
}

/* ---- SCAN ---- */

struct key_acc {
    struct kv **v;
    size_t n, cap;
    int failed;
};

static void
key_collect(struct dict_node *n, void *arg)
{
    struct key_acc *a = arg;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        struct kv **nv = ztryrealloc(a->v, cap * sizeof(*nv));
        if (nv == NULL) {
            a->failed = 1;
            return;
        }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = (struct kv *)n;
}

static void
cmd_scan(struct client *c)
{
    struct scan_args a;
    if (scan_parse_cursor(c, 1, &a) < 0 || scan_parse_options(c, 2, 1, &a) < 0)
        return;
    struct db *db = CDB(c);
    struct key_acc acc = {NULL, 0, 0, 0};
    unsigned long long cursor = a.cursor;
    long long maxiter = scan_max_buckets(a.count);
    do {
        cursor = dict_scan(&db->keys, cursor, key_collect, &acc);
    } while (cursor && maxiter-- && acc.n < (size_t)a.count && !acc.failed);
    if (acc.failed) {
        zfree(acc.v);
        reply_error(c, ERR_ALLOC);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < acc.n; i++) {
        struct kv *e = acc.v[i];
        size_t klen;
        const char *key = kv_key(e, &klen);
        if (a.pat && !glob_match(a.pat, a.patlen, key, klen, 0))
            continue;
        if (a.type) {
            const char *tn = kv_type_name(e);
            if (strlen(tn) != a.typelen || strncasecmp(tn, a.type, a.typelen) != 0)
                continue;
        }
        int64_t when = kv_expire(e);
        if (when >= 0 && when <= db_now_ms()) {
            db_expire_kv(db, e); /* the other collected entries do not move */
            continue;
        }
        acc.v[kept++] = e;
    }
    reply_cursor(c, cursor);
    reply_array(c, (long long)kept);
    for (size_t i = 0; i < kept; i++) {
        size_t klen;
        const char *key = kv_key(acc.v[i], &klen);
        reply_bulk(c, key, klen);
    }
    zfree(acc.v);
}

/* ---- SSCAN / HSCAN / ZSCAN ---- */

/* An element a step visited: member or field, with a hash's value or a sorted set's score.
 * The bytes stay valid until the collection changes (the command does not change it), except
 * an intset member's, printed into a scratch buffer: those are kept in ibuf. */
struct elem {
    const char *m;
    size_t ml;
    const char *v;
    size_t vl;
    double score;
    char ibuf[24];
};

struct elem_acc {
    struct elem *v;
    size_t n, cap;
    int failed;
};

static struct elem *
elem_next(struct elem_acc *a, const char *m, size_t ml)
{
    if (a->failed)
        return NULL;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        struct elem *nv = ztryrealloc(a->v, cap * sizeof(*nv));
        if (nv == NULL) {
            a->failed = 1;
            return NULL;
        }
        a->v = nv;
        a->cap = cap;
    }
    struct elem *e = &a->v[a->n++];
    e->ml = ml;
    e->m = m;
    if (ml < sizeof(e->ibuf)) {
        memcpy(e->ibuf, m, ml);
        e->m = NULL; /* in ibuf: the array may still move */
    }
    return e;
}

static const char *
elem_member(const struct elem *e)
{
    return e->m ? e->m : e->ibuf;
}

static void
set_collect(void *arg, const char *m, size_t ml)
{
    elem_next(arg, m, ml);
}

static void
hash_collect(void *arg, const char *f, size_t fl, const char *v, size_t vl)
{
    struct elem *e = elem_next(arg, f, fl);
    if (e) {
        e->v = v;
        e->vl = vl;
    }
}

static void
zset_collect(void *arg, const char *m, size_t ml, double score)
{
    struct elem *e = elem_next(arg, m, ml);
    if (e)
        e->score = score;
}

/* A score as ZSCAN prints it: Redis 7.0's "%.17g", with inf spelled as Redis does. */
static size_t
score_to_str(char *buf, size_t size, double d)
{
    if (isinf(d))
        return (size_t)snprintf(buf, size, "%s", d > 0 ? "inf" : "-inf");
    return (size_t)snprintf(buf, size, "%.17g", d);
}

/* SSCAN, HSCAN and ZSCAN on a collection of `type`: key argv[1], cursor argv[2], options from
 * argv[3]. A hash's elements are field and value, a sorted set's member and score, and like
 * Redis each counts twice against COUNT. */
static void
scan_collection(struct client *c, int type)
{
    struct scan_args a;
    int wt;
    if (scan_parse_cursor(c, 2, &a) < 0)
        return;
    struct kv *e = arg_lookup_type(c, 1, type, 0, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_cursor(c, 0);
        reply_array(c, 0);
        return;
    }
    if (scan_parse_options(c, 3, 0, &a) < 0)
        return;
    struct elem_acc acc = {NULL, 0, 0, 0};
    size_t per = type == OBJ_SET ? 1 : 2;
    unsigned long long cursor = a.cursor;
    long long maxiter = scan_max_buckets(a.count);
    do {
        if (type == OBJ_SET)
            cursor = set_scan(e, cursor, set_collect, &acc);
        else if (type == OBJ_HASH)
            cursor = hash_scan(e, cursor, hash_collect, &acc);
        else
            cursor = zset_scan(e, cursor, zset_collect, &acc);
    } while (cursor && maxiter-- && acc.n * per < (unsigned long long)a.count && !acc.failed);
    if (acc.failed) {
        zfree(acc.v);
        reply_error(c, ERR_ALLOC);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < acc.n; i++) {
        if (a.pat && !glob_match(a.pat, a.patlen, elem_member(&acc.v[i]), acc.v[i].ml, 0))
            continue;
        acc.v[kept++] = acc.v[i];
    }
    reply_cursor(c, cursor);
    reply_array(c, (long long)(kept * per));
    for (size_t i = 0; i < kept; i++) {
        const struct elem *x = &acc.v[i];
        reply_bulk(c, elem_member(x), x->ml);
        if (type == OBJ_HASH) {
            reply_bulk(c, x->v, x->vl);
        } else if (type == OBJ_ZSET) {
            char buf[64];
            reply_bulk(c, buf, score_to_str(buf, sizeof(buf), x->score));
        }
    }
    zfree(acc.v);
}

static void
cmd_sscan(struct client *c)
{
    scan_collection(c, OBJ_SET);
}

static void
cmd_hscan(struct client *c)
{
    scan_collection(c, OBJ_HASH);
}

static void
cmd_zscan(struct client *c)
{
    scan_collection(c, OBJ_ZSET);
}

const struct command cmd_scan_table[] = {
    COMMAND("scan", cmd_scan, -2, CMD_READONLY, .summary = "Iterate over the keys",
            .group = "generic"),
    COMMAND("sscan", cmd_sscan, -3, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Iterate over a set's members", .group = "set"),
    COMMAND("hscan", cmd_hscan, -3, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Iterate over a hash's fields and values", .group = "hash"),
    COMMAND("zscan", cmd_zscan, -3, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Iterate over a sorted set's members and scores", .group = "sorted-set"),
    COMMAND_END,
};
