/* cmd_sort.c — SORT and SORT_RO over a list, set or sorted set, with Redis 7.0's options and
 * rules: BY pattern (weights read from other keys, "->field" from a hash; a pattern without
 * '*', such as "nosort", skips sorting), LIMIT offset count, GET pattern (repeatable, "#" is
 * the element), ASC/DESC, ALPHA, and for SORT alone STORE destination (a list, or the key
 * deleted when the result is empty). Numeric sorting reads each weight with strtod and breaks
 * ties by comparing the elements' bytes, so the result is deterministic. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "memcat.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "evict.h"
#include "objhash.h"
#include "objlist.h"
#include "objset.h"
#include "objzset.h"
#include "zmalloc.h"

/* An element to sort, with its weight: a score, or for ALPHA BY the weight's bytes (has_cmp 0
 * when the weight key is missing). Bytes shorter than the inline buffers are kept there (set
 * members and integers are printed into scratch space); longer ones point into values, which
 * SORT never changes before it is done with them. A NULL pointer means "in the buffer". */
struct sort_elem {
    const char *m;
    size_t ml;
    double score;
    const char *cmp;
    size_t cmpl;
    int has_cmp;
    char mbuf[24];
    char cbuf[24];
};

static const char *
elem_bytes(const struct sort_elem *e)
{
    return e->m ? e->m : e->mbuf;
}

static const char *
cmp_bytes(const struct sort_elem *e)
{
    return e->cmp ? e->cmp : e->cbuf;
}

struct sort_vec {
    struct sort_elem *v;
    size_t n, cap;
};

static void
vec_push(void *arg, const char *m, size_t ml)
{
    struct sort_vec *vec = arg;
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        vec->v = zrealloc(vec->v, vec->cap * sizeof(*vec->v));
    }
    struct sort_elem *e = &vec->v[vec->n++];
    memset(e, 0, offsetof(struct sort_elem, mbuf));
    e->ml = ml;
    e->m = m;
    if (ml < sizeof(e->mbuf)) {
        memcpy(e->mbuf, m, ml);
        e->m = NULL;
    }
}

/* ---- Patterns ---- */

/* The bytes a BY or GET pattern names for element m: "#" is m itself; otherwise the first '*'
 * is replaced by m to make a key name, and a "->field" after the '*' (with a field name) reads
 * that field of a hash, else the key must hold a string. 1 with the bytes (an integer printed
 * into ibuf, >= 24 bytes), or 0 when the pattern has no '*', the key is missing or expired, or
 * of another type. Counts a keyspace hit or miss and touches the key like a read, but an
 * expired key is only treated as missing, not deleted: SORT holds pointers into values. */
static int
pattern_lookup(struct db *db, const char *pat, size_t patlen, const char *m, size_t ml,
               const char **out, size_t *outlen, char *ibuf)
{
    if (patlen == 1 && pat[0] == '#') {
        *out = m;
        *outlen = ml;
        return 1;
    }
    const char *star = memchr(pat, '*', patlen);
    if (star == NULL)
        return 0;
    const char *field = NULL;
    size_t fieldlen = 0, keytail = patlen - (size_t)(star + 1 - pat);
    for (const char *p = star + 1; p + 2 < pat + patlen; p++) {
        if (p[0] == '-' && p[1] == '>') {
            field = p + 2;
            fieldlen = (size_t)(pat + patlen - field);
            keytail = (size_t)(p - (star + 1));
            break;
        }
    }
    size_t prefix = (size_t)(star - pat), klen = prefix + ml + keytail;
    char stackbuf[256];
    char *key = klen <= sizeof(stackbuf) ? stackbuf : zmalloc(klen);
    memcpy(key, pat, prefix);
    memcpy(key + prefix, m, ml);
    memcpy(key + prefix + ml, star + 1, keytail);
    struct kv *e = db_peek(db, key, klen);
    if (key != stackbuf)
        zfree(key);
    if (e == NULL || (kv_expire(e) >= 0 && kv_expire(e) <= db_now_ms())) {
        keyspace_stats()->keyspace_misses++;
        return 0;
    }
    keyspace_stats()->keyspace_hits++; /* a read lookup, as Redis counts it */
    evict_touch(e);
    if (field) {
        return kv_type(e) == OBJ_HASH && hash_get(e, field, fieldlen, out, outlen);
    }
    if (kv_type(e) != OBJ_STRING)
        return 0;
    *out = kv_str(e, outlen, ibuf);
    return 1;
}

/* A weight as SORT reads it: strtod over the bytes up to the first NUL, nothing left over, no
 * overflow, not NaN (an empty weight is 0). 0, or -1. */
static int
weight_parse(const char *s, size_t len, double *out)
{
    char stackbuf[128];
    char *buf = len < sizeof(stackbuf) ? stackbuf : zmalloc(len + 1);
    char *end;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    int bad = *end != '\0' || errno == ERANGE || isnan(*out);
    if (buf != stackbuf)
        zfree(buf);
    return bad ? -1 : 0;
}

/* ---- Order ---- */

static struct {
    int desc, alpha, by;
} sort_how;

static int
bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

static int
elem_cmp(const void *pa, const void *pb)
{
    const struct sort_elem *a = pa, *b = pb;
    int c;
    if (!sort_how.alpha) {
        c = a->score < b->score ? -1 : a->score > b->score;
        if (c == 0) /* equal weights: the elements decide, so the order is deterministic */
            c = bytes_cmp(elem_bytes(a), a->ml, elem_bytes(b), b->ml);
    } else if (sort_how.by) {
        /* A missing weight sorts first; equal weights are left in no particular order. */
        if (!a->has_cmp || !b->has_cmp)
            c = a->has_cmp - b->has_cmp;
        else
            c = bytes_cmp(cmp_bytes(a), a->cmpl, cmp_bytes(b), b->cmpl);
    } else {
        c = bytes_cmp(elem_bytes(a), a->ml, elem_bytes(b), b->ml);
    }
    return sort_how.desc ? -c : c;
}

/* ---- The command ---- */

/* Load the elements of e into vec: all of them, or with `direct` (BY without '*' on a list or
 * sorted set, whose own order is kept) only the n from rank `from` in the asked direction. */
static void
load_elements(const struct kv *e, int direct, int desc, size_t from, size_t n, struct sort_vec *vec)
{
    if (e == NULL)
        return;
    int type = kv_type(e);
    if (type == OBJ_SET) {
        set_foreach(e, vec_push, vec);
    } else if (type == OBJ_LIST) {
        size_t len = list_len(e);
        if (!direct) {
            list_range(e, 0, len, vec_push, vec);
        } else if (!desc) {
            list_range(e, from, n, vec_push, vec);
        } else {
            /* From the tail: load the mirrored range forwards, then turn it around. */
            list_range(e, len - from - n, n, vec_push, vec);
            for (size_t i = 0; i < vec->n / 2; i++) {
                struct sort_elem t = vec->v[i];
                vec->v[i] = vec->v[vec->n - 1 - i];
                vec->v[vec->n - 1 - i] = t;
            }
        }
    } else {
        struct zset_iter it;
        struct zelem z;
        if (!direct) {
            from = 0;
            n = zset_len(e);
            desc = 0;
        }
        zset_iter_init(&it, e, from, desc);
        for (size_t i = 0; i < n && zset_iter_next(&it, &z); i++)
            vec_push(vec, z.m, z.ml);
    }
}

/* SORT and SORT_RO (`readonly`: no STORE). */
static void
sort_run(struct client *c, int readonly)
{
    struct db *db = CDB(c);
    int desc = 0, alpha = 0, dontsort = 0, nget = 0;
    int *gets = zmalloc(sizeof(int) * (size_t)c->argc);
    int by = -1, store = -1;
    long long limit_start = 0, limit_count = -1;
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (arg_is(c, j, "asc")) {
            desc = 0;
        } else if (arg_is(c, j, "desc")) {
            desc = 1;
        } else if (arg_is(c, j, "alpha")) {
            alpha = 1;
        } else if (arg_is(c, j, "limit") && left >= 2) {
            if (arg_ll(c, j + 1, &limit_start) < 0 || arg_ll(c, j + 2, &limit_count) < 0) {
                reply_error_notint(c);
                goto out;
            }
            j += 2;
        } else if (!readonly && arg_is(c, j, "store") && left >= 1) {
            store = ++j;
        } else if (arg_is(c, j, "by") && left >= 1) {
            by = ++j;
            dontsort = memchr(ARGP(c, by), '*', ARGL(c, by)) == NULL;
        } else if (arg_is(c, j, "get") && left >= 1) {
            gets[nget++] = ++j;
        } else {
            reply_error_syntax(c);
            goto out;
        }
    }
    struct kv *e = store >= 0 ? db_lookup_write(db, ARGP(c, 1), ARGL(c, 1))
                              : db_lookup_read(db, ARGP(c, 1), ARGL(c, 1));
    if (e && kv_type(e) != OBJ_LIST && kv_type(e) != OBJ_SET && kv_type(e) != OBJ_ZSET) {
        reply_error_wrongtype(c);
        goto out;
    }
    /* A set has no order of its own: stored without sorting it would depend on the hash
     * table, so it is sorted as strings. */
    if (dontsort && e && kv_type(e) == OBJ_SET && store >= 0) {
        dontsort = 0;
        alpha = 1;
        by = -1;
    }
    long long len = 0;
    if (e)
        len = (long long)(kv_type(e) == OBJ_LIST  ? list_len(e)
                          : kv_type(e) == OBJ_SET ? set_len(e)
                                                  : zset_len(e));
    long long start = limit_start < 0 ? 0 : limit_start;
    long long end = limit_count < 0 || limit_count > len ? len - 1 : start + limit_count - 1;
    if (start >= len) {
        start = len - 1;
        end = len - 2;
    }
    if (end >= len)
        end = len - 1;

    struct sort_vec vec = {NULL, 0, 0};
    int direct = dontsort && e && kv_type(e) != OBJ_SET;
    if (direct) {
        if (end >= start)
            load_elements(e, 1, desc, (size_t)start, (size_t)(end - start + 1), &vec);
        end -= start;
        start = 0;
    } else {
        load_elements(e, 0, 0, 0, 0, &vec);
    }

    int bad_weight = 0;
    if (!dontsort) {
        for (size_t i = 0; i < vec.n; i++) {
            struct sort_elem *x = &vec.v[i];
            const char *w = elem_bytes(x);
            size_t wl = x->ml;
            char ibuf[24];
            if (by >= 0 &&
                !pattern_lookup(db, ARGP(c, by), ARGL(c, by), elem_bytes(x), x->ml, &w, &wl, ibuf))
                continue; /* no weight: score 0, or first for ALPHA */
            if (alpha) {
                if (by >= 0) {
                    x->has_cmp = 1;
                    x->cmpl = wl;
                    x->cmp = w;
                    if (wl < sizeof(x->cbuf)) {
                        memcpy(x->cbuf, w, wl);
                        x->cmp = NULL;
                    }
                }
            } else if (weight_parse(w, wl, &x->score) < 0) {
                bad_weight = 1;
            }
        }
        sort_how.desc = desc;
        sort_how.alpha = alpha;
        sort_how.by = by >= 0;
        if (vec.n > 1)
            qsort(vec.v, vec.n, sizeof(*vec.v), elem_cmp);
    }

    long long rows = end >= start ? end - start + 1 : 0;
    long long outlen = nget ? nget * rows : rows;
    if (bad_weight) {
        reply_error(c, "ERR One or more scores can't be converted into double");
    } else if (store < 0) {
        reply_array(c, outlen);
        for (long long j = start; j <= end; j++) {
            const struct sort_elem *x = &vec.v[j];
            if (nget == 0)
                reply_bulk(c, elem_bytes(x), x->ml);
            for (int g = 0; g < nget; g++) {
                const char *v;
                size_t vl;
                char ibuf[24];
                if (pattern_lookup(db, ARGP(c, gets[g]), ARGL(c, gets[g]), elem_bytes(x), x->ml, &v,
                                   &vl, ibuf))
                    reply_bulk(c, v, vl);
                else
                    reply_null(c);
            }
        }
    } else if (outlen == 0) {
        if (db_delete(db, ARGP(c, store), ARGL(c, store), FREE_SYNC))
            arg_notify(c, NOTIFY_GENERIC, "del", store);
        reply_int(c, 0);
    } else {
        /* The whole result is built aside first: the destination may be the source. A list:
         * its memory is values.list, though SORT runs in the generic group's category. */
        MEMCAT_SCOPE(MC_LIST);
        struct val v;
        list_new_val(&v);
        struct kv *tmp = kv_build("", 0, &v, -1);
        int failed = tmp == NULL;
        for (long long j = start; !failed && j <= end; j++) {
            const struct sort_elem *x = &vec.v[j];
            if (nget == 0)
                failed = list_push(tmp, LIST_TAIL, elem_bytes(x), x->ml) < 0;
            for (int g = 0; !failed && g < nget; g++) {
                const char *gv = "";
                size_t gl = 0;
                char ibuf[24];
                pattern_lookup(db, ARGP(c, gets[g]), ARGL(c, gets[g]), elem_bytes(x), x->ml, &gv,
                               &gl, ibuf);
                failed = list_push(tmp, LIST_TAIL, gv, gl) < 0;
            }
        }
        if (!failed)
            kv_get_val(tmp, &v);
        if (failed || db_set(db, ARGP(c, store), ARGL(c, store), &v, -1, 0) < 0) {
            if (tmp)
                kv_free(tmp);
            else
                val_free(v.enc, v.ptr);
            reply_error(c, ERR_ALLOC);
        } else {
            kv_free_shell(tmp);
            arg_notify(c, NOTIFY_LIST, "sortstore", store);
            reply_int(c, outlen);
        }
    }
    zfree(vec.v);
out:
    zfree(gets);
}

static void
cmd_sort(struct client *c)
{
    sort_run(c, 0);
}

static void
cmd_sort_ro(struct client *c)
{
    sort_run(c, 1);
}

const struct command cmd_sort_table[] = {
    COMMAND("sort", cmd_sort, -2, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Sort a list, set or sorted set, or store the result", .group = "generic"),
    COMMAND("sort_ro", cmd_sort_ro, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Sort a list, set or sorted set", .group = "generic"),
    COMMAND_END,
};
