/* cmd_hash.c — hash commands: HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN, HSTRLEN, HEXISTS,
 * HGETALL/HKEYS/HVALS, HINCRBY, HINCRBYFLOAT and HRANDFIELD. */
#include <limits.h>
#include <math.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "dict.h"
#include "objhash.h"
#include "resp.h"
#include "util.h"
#include "zmalloc.h"

/* The hash at argv[1] for writing, created empty if missing. NULL after an error reply. */
static struct kv *
hash_write(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 1, &wt);
    if (e || wt)
        return e;
    struct val v;
    hash_new_val(&v);
    return arg_add_val(c, 1, &v);
}

/* HSET and HMSET: set the field-value pairs from argv[2] on; reply the number of new fields
 * (HSET, reply_count 1) or OK (HMSET). */
static void
hash_set_fields(struct client *c, int reply_count)
{
    if (c->argc % 2 == 1) {
        reply_error_arity(c);
        return;
    }
    struct kv *e = hash_write(c);
    if (e == NULL)
        return;
    long long created = 0;
    for (int j = 2; j < c->argc; j += 2) {
        int r = hash_set(e, ARGP(c, j), ARGL(c, j), ARGP(c, j + 1), ARGL(c, j + 1));
        if (r < 0) {
            drop_if_empty(c, e, hash_len);
            reply_error(c, ERR_ALLOC);
            return;
        }
        created += r;
    }
    arg_notify(c, NOTIFY_HASH, "hset", 1);
    if (reply_count)
        reply_int(c, created);
    else
        reply_ok(c);
}

static void
cmd_hset(struct client *c)
{
    hash_set_fields(c, 1);
}

static void
cmd_hmset(struct client *c)
{
    hash_set_fields(c, 0);
}

static void
cmd_hsetnx(struct client *c)
{
    struct kv *e = hash_write(c);
    const char *v;
    size_t vl;
    if (e == NULL)
        return;
    if (hash_get(e, ARGP(c, 2), ARGL(c, 2), &v, &vl)) {
        reply_int(c, 0);
        return;
    }
    if (hash_set(e, ARGP(c, 2), ARGL(c, 2), ARGP(c, 3), ARGL(c, 3)) < 0) {
        drop_if_empty(c, e, hash_len);
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_HASH, "hset", 1);
    reply_int(c, 1);
}

/* The value of field argv[j] in hash e (NULL: no key), or null: one HGET/HMGET element. */
static void
reply_field(struct client *c, struct kv *e, int j)
{
    const char *v;
    size_t vl;
    if (e && hash_get(e, ARGP(c, j), ARGL(c, j), &v, &vl))
        reply_bulk(c, v, vl);
    else
        reply_null(c);
}

static void
cmd_hget(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    if (!wt)
        reply_field(c, e, 2);
}

static void
cmd_hmget(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    if (wt)
        return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        reply_field(c, e, j);
}

static void
cmd_hdel(struct client *c)
{
    arg_del_members(c, OBJ_HASH, hash_del, hash_len, NOTIFY_HASH, "hdel");
}

static void
cmd_hlen(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    if (!wt)
        reply_int(c, e ? (long long)hash_len(e) : 0);
}

static void
cmd_hstrlen(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    const char *v;
    size_t vl = 0;
    if (wt)
        return;
    if (e && !hash_get(e, ARGP(c, 2), ARGL(c, 2), &v, &vl))
        vl = 0;
    reply_int(c, (long long)vl);
}

static void
cmd_hexists(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    const char *v;
    size_t vl;
    if (!wt)
        reply_int(c, e && hash_get(e, ARGP(c, 2), ARGL(c, 2), &v, &vl));
}

#define GET_FIELDS 1
#define GET_VALUES 2

struct getall_ctx {
    struct client *c;
    int what;
};

static void
getall_visit(void *arg, const char *f, size_t fl, const char *v, size_t vl)
{
    struct getall_ctx *g = arg;
    if (g->what & GET_FIELDS)
        reply_bulk(g->c, f, fl);
    if (g->what & GET_VALUES)
        reply_bulk(g->c, v, vl);
}

/* HGETALL, HKEYS and HVALS: reply the fields, the values or both (`what`: GET_*). */
static void
reply_hash_contents(struct client *c, int what)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    if (wt)
        return;
    long long n = e ? (long long)hash_len(e) : 0;
    if (what == (GET_FIELDS | GET_VALUES))
        reply_map(c, n);
    else
        reply_array(c, n);
    if (e) {
        struct getall_ctx g = {c, what};
        hash_foreach(e, getall_visit, &g);
    }
}

static void
cmd_hgetall(struct client *c)
{
    reply_hash_contents(c, GET_FIELDS | GET_VALUES);
}

static void
cmd_hkeys(struct client *c)
{
    reply_hash_contents(c, GET_FIELDS);
}

static void
cmd_hvals(struct client *c)
{
    reply_hash_contents(c, GET_VALUES);
}

static void
cmd_hincrby(struct client *c)
{
    long long incr, cur = 0;
    if (arg_ll(c, 3, &incr) < 0) {
        reply_error_notint(c);
        return;
    }
    struct kv *e = hash_write(c);
    const char *v;
    size_t vl;
    if (e == NULL)
        return;
    if (hash_get(e, ARGP(c, 2), ARGL(c, 2), &v, &vl) && str_to_ll(v, vl, &cur) < 0) {
        reply_error(c, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && cur < 0 && incr < LLONG_MIN - cur) ||
        (incr > 0 && cur > 0 && incr > LLONG_MAX - cur)) {
        drop_if_empty(c, e, hash_len);
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    cur += incr;
    char buf[24];
    size_t n = ll_to_str(buf, cur);
    if (hash_set(e, ARGP(c, 2), ARGL(c, 2), buf, n) < 0) {
        drop_if_empty(c, e, hash_len);
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_HASH, "hincrby", 1);
    reply_int(c, cur);
}

static void
cmd_hincrbyfloat(struct client *c)
{
    long double incr, cur = 0;
    if (str_to_ldouble(ARGP(c, 3), ARGL(c, 3), &incr) < 0) {
        reply_error(c, "ERR value is not a valid float");
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "ERR value is NaN or Infinity");
        return;
    }
    struct kv *e = hash_write(c);
    const char *v;
    size_t vl;
    if (e == NULL)
        return;
    if (hash_get(e, ARGP(c, 2), ARGL(c, 2), &v, &vl) && str_to_ldouble(v, vl, &cur) < 0) {
        reply_error(c, "ERR hash value is not a float");
        return;
    }
    cur += incr;
    if (isnan(cur) || isinf(cur)) {
        drop_if_empty(c, e, hash_len);
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[LDBL_STR_MAX];
    size_t n = ldouble_to_str(buf, sizeof(buf), cur);
    if (hash_set(e, ARGP(c, 2), ARGL(c, 2), buf, n) < 0) {
        drop_if_empty(c, e, hash_len);
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_HASH, "hincrbyfloat", 1);
    reply_bulk(c, buf, n);
}

/* ---- HRANDFIELD ---- */

/* A field and its value, pointing into the hash (valid while it does not change). */
struct hpair {
    const char *f, *v;
    size_t fl, vl;
};

struct hpairs {
    struct hpair *a;
    size_t n;
};

static void
collect_pair(void *arg, const char *f, size_t fl, const char *v, size_t vl)
{
    struct hpairs *p = arg;
    p->a[p->n++] = (struct hpair){f, v, fl, vl};
}

static void
reply_pair(struct client *c, const struct hpair *p, int withvalues)
{
    if (withvalues && c->proto == RESP3)
        reply_array(c, 2);
    reply_bulk(c, p->f, p->fl);
    if (withvalues)
        reply_bulk(c, p->v, p->vl);
}

/* HRANDFIELD key [count [WITHVALUES]]. */
static void
cmd_hrandfield(struct client *c)
{
    long long count = 1;
    int has_count = c->argc >= 3, withvalues = 0, wt;
    if (has_count) {
        if (arg_ll(c, 2, &count) < 0) {
            reply_error_notint(c);
            return;
        }
        if (count == LLONG_MIN) {
            reply_error(c, "ERR value is out of range, value must between -9223372036854775807 "
                           "and 9223372036854775807");
            return;
        }
        if (c->argc > 4 || (c->argc == 4 && !arg_is(c, 3, "withvalues"))) {
            reply_error_syntax(c);
            return;
        }
        withvalues = c->argc == 4;
        /* Redis refuses counts whose reply length (twice count) would overflow. */
        if (withvalues && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            reply_error(c, "ERR value is out of range");
            return;
        }
    }
    struct kv *e = arg_lookup_type(c, 1, OBJ_HASH, 0, &wt);
    if (wt)
        return;
    if (e == NULL || count == 0) {
        if (has_count)
            reply_array(c, 0);
        else
            reply_null(c);
        return;
    }
    size_t len = hash_len(e);
    int flat = withvalues && c->proto != RESP3;
    struct hpair one;
    if (!has_count || count < 0) {
        /* One draw, or -count draws with repeats: no copy of the fields needed. Stop early
         * once the reply could not grow. */
        long long n = has_count ? -count : 1;
        if (has_count)
            reply_array(c, flat ? 2 * n : n);
        for (long long i = 0; i < n && !c->reply.oom; i++) {
            hash_random(e, &one.f, &one.fl, &one.v, &one.vl);
            reply_pair(c, &one, withvalues);
        }
        return;
    }
    /* Distinct fields: gathered into an array, then a partial shuffle (none for all of them). */
    struct hpairs p = {ztrymalloc(len * sizeof(*p.a)), 0};
    if (p.a == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    hash_foreach(e, collect_pair, &p);
    size_t n = (unsigned long long)count < len ? (size_t)count : len;
    reply_array(c, (long long)(flat ? 2 * n : n));
    for (size_t i = 0; i < n; i++) {
        size_t j = n == len ? i : i + dict_rand64() % (len - i);
        struct hpair t = p.a[i];
        p.a[i] = p.a[j];
        p.a[j] = t;
        reply_pair(c, &p.a[i], withvalues);
    }
    zfree(p.a);
}

const struct command cmd_hash_table[] = {
    COMMAND("hset", cmd_hset, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set hash fields", .group = "hash"),
    COMMAND("hmset", cmd_hmset, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set hash fields", .group = "hash"),
    COMMAND("hsetnx", cmd_hsetnx, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set a field if it does not exist", .group = "hash"),
    COMMAND("hget", cmd_hget, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Get a field", .group = "hash"),
    COMMAND("hmget", cmd_hmget, -3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Get several fields", .group = "hash"),
    COMMAND("hdel", cmd_hdel, -3, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Delete fields", .group = "hash"),
    COMMAND("hlen", cmd_hlen, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Number of fields", .group = "hash"),
    COMMAND("hstrlen", cmd_hstrlen, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Length of a field's value", .group = "hash"),
    COMMAND("hexists", cmd_hexists, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Whether a field exists", .group = "hash"),
    COMMAND("hgetall", cmd_hgetall, 2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "All fields and values", .group = "hash"),
    COMMAND("hkeys", cmd_hkeys, 2, CMD_READONLY, .keys = {1, 1, 1}, .summary = "All fields",
            .group = "hash"),
    COMMAND("hvals", cmd_hvals, 2, CMD_READONLY, .keys = {1, 1, 1}, .summary = "All values",
            .group = "hash"),
    COMMAND("hincrby", cmd_hincrby, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add to an integer field", .group = "hash"),
    COMMAND("hincrbyfloat", cmd_hincrbyfloat, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
            .keys = {1, 1, 1}, .summary = "Add to a float field", .group = "hash"),
    COMMAND("hrandfield", cmd_hrandfield, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Random fields", .group = "hash"),
    COMMAND_END,
};
