/* cmd_zset_ops.c — sorted set commands over several keys or drawing at random: ZUNION, ZINTER,
 * ZDIFF and their STORE forms (WEIGHTS, AGGREGATE SUM|MIN|MAX, WITHSCORES; plain sets count as
 * sorted sets whose scores are all 1), ZINTERCARD (LIMIT) and ZRANDMEMBER (count, negative
 * count, WITHSCORES). Replies and error texts are Redis 7.0's; the order in which the inputs
 * are combined is Redis's too (smallest first), so sums of non-integer scores round alike. */
#include <limits.h>
#include <math.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "dict.h"
#include "objset.h"
#include "objzset.h"
#include "resp.h"
#include "zmalloc.h"

/* ---- Inputs: sorted sets and sets ---- */

/* One input key: e NULL when the key is missing. */
struct zsrc {
    struct kv *e;
    double weight;
};

static size_t
src_len(const struct zsrc *s)
{
    if (s->e == NULL)
        return 0;
    return kv_type(s->e) == OBJ_ZSET ? zset_len(s->e) : set_len(s->e);
}

/* 1 and m's score in input s (1 for a set member), or 0. */
static int
src_score(const struct zsrc *s, const char *m, size_t ml, double *score)
{
    if (s->e == NULL)
        return 0;
    if (kv_type(s->e) == OBJ_ZSET)
        return zset_score(s->e, m, ml, score);
    *score = 1.0;
    return set_has(s->e, m, ml);
}

typedef void elem_fn(void *ctx, const char *m, size_t ml, double score);

struct set_visit {
    elem_fn *fn;
    void *ctx;
};

static void
set_member_visit(void *arg, const char *m, size_t ml)
{
    struct set_visit *v = arg;
    v->fn(v->ctx, m, ml, 1.0);
}

/* Visit every element of input s with its score. fn must not change s. */
static void
src_foreach(const struct zsrc *s, elem_fn *fn, void *ctx)
{
    if (s->e == NULL)
        return;
    if (kv_type(s->e) == OBJ_SET) {
        struct set_visit v = {fn, ctx};
        set_foreach(s->e, set_member_visit, &v);
        return;
    }
    struct zset_iter it;
    struct zelem el;
    zset_iter_init(&it, s->e, 0, 0);
    while (zset_iter_next(&it, &el))
        fn(ctx, el.m, el.ml, el.score);
}

/* ---- Combining ---- */

enum zsetop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zagg { AGG_SUM, AGG_MIN, AGG_MAX };

struct zop {
    enum zsetop op;
    enum zagg agg;
    struct zsrc *src;
    long long n;
    int withscores;
    long long limit; /* ZINTERCARD: stop counting there (0: no limit) */
    /* The computation in progress. */
    struct kv *r; /* the result, NULL until its first element */
    long long card;
    int failed;
    const struct zsrc *cur; /* the input being walked */
};

static double
aggregate(enum zagg agg, double a, double b)
{
    if (agg == AGG_MIN)
        return b < a ? b : a;
    if (agg == AGG_MAX)
        return b > a ? b : a;
    double s = a + b;
    return isnan(s) ? 0.0 : s; /* inf + -inf */
}

/* A weighted score: NaN (inf times 0) counts as 0, as in Redis. */
static double
weighted(double w, double score)
{
    double d = w * score;
    return isnan(d) ? 0.0 : d;
}

/* Put m with `score` into the result, creating it first. */
static void
result_put(struct zop *z, const char *m, size_t ml, double score)
{
    int out;
    double ns;
    if (z->failed)
        return;
    if (z->r == NULL) {
        struct val v;
        zset_new_val(&v);
        if ((z->r = kv_build("", 0, &v, -1)) == NULL) {
            val_free(v.enc, v.ptr);
            z->failed = 1;
            return;
        }
    }
    if (zset_add(z->r, score, m, ml, 0, &out, &ns) < 0)
        z->failed = 1;
}

static void
union_visit(void *arg, const char *m, size_t ml, double score)
{
    struct zop *z = arg;
    double d = weighted(z->cur->weight, score), have;
    if (z->r && zset_score(z->r, m, ml, &have))
        d = aggregate(z->agg, have, d);
    result_put(z, m, ml, d);
}

static void
inter_visit(void *arg, const char *m, size_t ml, double score)
{
    struct zop *z = arg;
    double d = weighted(z->src[0].weight, score), other;
    if (z->limit > 0 && z->card >= z->limit)
        return;
    for (long long i = 1; i < z->n; i++) {
        if (!src_score(&z->src[i], m, ml, &other))
            return;
        d = aggregate(z->agg, d, weighted(z->src[i].weight, other));
    }
    z->card++;
    if (z->limit >= 0) /* ZINTERCARD counts only: limit -1 marks the others */
        return;
    result_put(z, m, ml, d);
}

static void
diff_visit(void *arg, const char *m, size_t ml, double score)
{
    struct zop *z = arg;
    double other;
    for (long long i = 1; i < z->n; i++)
        if (src_score(&z->src[i], m, ml, &other))
            return;
    result_put(z, m, ml, score);
}

/* Smallest input first (stable, as glibc's qsort is for Redis): intersections walk the
 * smallest, and sums add in Redis's order. */
static void
sort_by_len(struct zsrc *src, long long n)
{
    for (long long i = 1; i < n; i++) {
        struct zsrc s = src[i];
        long long j = i;
        while (j > 0 && src_len(&src[j - 1]) > src_len(&s)) {
            src[j] = src[j - 1];
            j--;
        }
        src[j] = s;
    }
}

static void
zop_run(struct zop *z)
{
    if (z->op != ZOP_DIFF)
        sort_by_len(z->src, z->n);
    if (z->op == ZOP_UNION) {
        for (long long i = 0; i < z->n && !z->failed; i++) {
            z->cur = &z->src[i];
            src_foreach(z->cur, union_visit, z);
        }
    } else if (z->op == ZOP_INTER) {
        if (src_len(&z->src[0]) > 0)
            src_foreach(&z->src[0], inter_visit, z);
    } else {
        src_foreach(&z->src[0], diff_visit, z);
    }
}

/* Parse "numkeys key [key ...] [options]" from argv[at] (`name` for the error text), look the
 * inputs up and read the options: WEIGHTS and AGGREGATE (not for ZDIFF), WITHSCORES (replying
 * forms) or LIMIT (ZINTERCARD, `card`). 0 with z filled (z->src to zfree), or -1 after the
 * error reply. The order of the checks, keys' types before options, is Redis's. */
static int
zop_parse(struct client *c, int at, const char *name, enum zsetop op, int store, int card,
          struct zop *z)
{
    long long n;
    memset(z, 0, sizeof(*z));
    z->op = op;
    z->limit = card ? 0 : -1;
    if (arg_ll(c, at, &n) < 0) {
        reply_error_notint(c);
        return -1;
    }
    if (n < 1) {
        reply_errorf(c, "ERR at least 1 input key is needed for '%s' command", name);
        return -1;
    }
    if (n > c->argc - at - 1) {
        reply_error_syntax(c);
        return -1;
    }
    if ((z->src = ztrymalloc((size_t)n * sizeof(*z->src))) == NULL) {
        reply_error(c, ERR_ALLOC);
        return -1;
    }
    z->n = n;
    for (long long i = 0; i < n; i++) {
        int j = at + 1 + (int)i;
        struct db *db = CDB(c);
        struct kv *e = store ? db_lookup_write(db, ARGP(c, j), ARGL(c, j))
                             : db_lookup_read(db, ARGP(c, j), ARGL(c, j));
        if (e && kv_type(e) != OBJ_ZSET && kv_type(e) != OBJ_SET) {
            reply_error_wrongtype(c);
            goto fail;
        }
        z->src[i].e = e;
        z->src[i].weight = 1.0;
    }
    for (int j = at + 1 + (int)n; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (op != ZOP_DIFF && !card && left >= n && arg_is(c, j, "weights")) {
            for (long long i = 0; i < n; i++) {
                j++;
                if (zset_parse_score(ARGP(c, j), ARGL(c, j), &z->src[i].weight) < 0) {
                    reply_error(c, "ERR weight value is not a float");
                    goto fail;
                }
            }
        } else if (op != ZOP_DIFF && !card && left >= 1 && arg_is(c, j, "aggregate")) {
            j++;
            if (arg_is(c, j, "sum")) {
                z->agg = AGG_SUM;
            } else if (arg_is(c, j, "min")) {
                z->agg = AGG_MIN;
            } else if (arg_is(c, j, "max")) {
                z->agg = AGG_MAX;
            } else {
                reply_error_syntax(c);
                goto fail;
            }
        } else if (!store && !card && arg_is(c, j, "withscores")) {
            z->withscores = 1;
        } else if (card && left >= 1 && arg_is(c, j, "limit")) {
            j++;
            if (arg_ll(c, j, &z->limit) < 0 || z->limit < 0) {
                reply_error(c, "ERR LIMIT can't be negative");
                goto fail;
            }
        } else {
            reply_error_syntax(c);
            goto fail;
        }
    }
    return 0;
fail:
    zfree(z->src);
    return -1;
}

/* Run the parsed z; 0, or -1 after the allocation error (nothing left to free). */
static int
zop_compute(struct client *c, struct zop *z)
{
    zop_run(z);
    zfree(z->src);
    if (z->failed) {
        if (z->r)
            kv_free(z->r);
        reply_error(c, ERR_ALLOC);
        return -1;
    }
    return 0;
}

/* ZUNION, ZINTER, ZDIFF: reply the result by rank, with scores if asked (RESP3: as pairs). */
static void
zop_reply(struct client *c, enum zsetop op, const char *name)
{
    struct zop z;
    if (zop_parse(c, 1, name, op, 0, 0, &z) < 0 || zop_compute(c, &z) < 0)
        return;
    size_t n = z.r ? zset_len(z.r) : 0;
    int pairs = z.withscores && c->proto == RESP3;
    reply_array(c, (long long)(z.withscores && !pairs ? 2 * n : n));
    if (z.r == NULL)
        return;
    struct zset_iter it;
    struct zelem el;
    zset_iter_init(&it, z.r, 0, 0);
    while (zset_iter_next(&it, &el)) {
        if (pairs)
            reply_array(c, 2);
        reply_bulk(c, el.m, el.ml);
        if (z.withscores)
            reply_double(c, el.score);
    }
    kv_free(z.r);
}

/* ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: store the result at argv[1], reply its size. */
static void
zop_store(struct client *c, enum zsetop op, const char *name)
{
    struct zop z;
    if (zop_parse(c, 2, name, op, 1, 0, &z) < 0 || zop_compute(c, &z) < 0)
        return;
    arg_store_result(c, 1, z.r, zset_len, NOTIFY_ZSET, name);
}

static void
cmd_zunion(struct client *c)
{
    zop_reply(c, ZOP_UNION, "zunion");
}

static void
cmd_zinter(struct client *c)
{
    zop_reply(c, ZOP_INTER, "zinter");
}

static void
cmd_zdiff(struct client *c)
{
    zop_reply(c, ZOP_DIFF, "zdiff");
}

static void
cmd_zunionstore(struct client *c)
{
    zop_store(c, ZOP_UNION, "zunionstore");
}

static void
cmd_zinterstore(struct client *c)
{
    zop_store(c, ZOP_INTER, "zinterstore");
}

static void
cmd_zdiffstore(struct client *c)
{
    zop_store(c, ZOP_DIFF, "zdiffstore");
}

static void
cmd_zintercard(struct client *c)
{
    struct zop z;
    if (zop_parse(c, 1, "zintercard", ZOP_INTER, 0, 1, &z) < 0 || zop_compute(c, &z) < 0)
        return;
    reply_int(c, z.card);
}

/* ---- ZRANDMEMBER ---- */

static void
reply_member_score(struct client *c, const struct zelem *el, int withscores)
{
    if (withscores && c->proto == RESP3)
        reply_array(c, 2);
    reply_bulk(c, el->m, el->ml);
    if (withscores)
        reply_double(c, el->score);
}

/* The element of rank r. */
static void
zset_at(const struct kv *e, size_t r, struct zelem *el)
{
    struct zset_iter it;
    zset_iter_init(&it, e, r, 0);
    zset_iter_next(&it, el);
}

static void
cmd_zrandmember(struct client *c)
{
    long long count = 1;
    int has_count = c->argc >= 3, withscores = 0, wt;
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
        if (c->argc > 4 || (c->argc == 4 && !arg_is(c, 3, "withscores"))) {
            reply_error_syntax(c);
            return;
        }
        withscores = c->argc == 4;
        /* Redis refuses counts whose reply length (twice count) would overflow. */
        if (withscores && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            reply_error(c, "ERR value is out of range");
            return;
        }
    }
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    struct zelem el;
    if (!has_count) {
        if (e == NULL) {
            reply_null(c);
        } else {
            zset_at(e, dict_rand64() % zset_len(e), &el);
            reply_bulk(c, el.m, el.ml);
        }
        return;
    }
    if (e == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    size_t len = zset_len(e);
    int flat = withscores && c->proto != RESP3;
    if (count < 0) {
        /* Repeats allowed: -count draws. Stop early once the reply could not grow. */
        reply_array(c, flat ? -2 * count : -count);
        for (long long i = 0; i < -count && !c->reply.oom; i++) {
            zset_at(e, dict_rand64() % len, &el);
            reply_member_score(c, &el, withscores);
        }
        return;
    }
    size_t n = (unsigned long long)count < len ? (size_t)count : len;
    struct zset_iter it;
    if (n == len) { /* the whole set, highest rank first as Redis 7.0 sends it */
        reply_array(c, (long long)(flat ? 2 * n : n));
        zset_iter_init(&it, e, 0, 1);
        while (zset_iter_next(&it, &el))
            reply_member_score(c, &el, withscores);
        return;
    }
    /* Distinct ranks. A few out of many: drawn and redrawn on a repeat (the scratch array
     * holds only those); otherwise a partial Fisher-Yates shuffle of 0..len-1. */
    int few = n <= 1024 && n * 8 < len;
    size_t *ranks = ztrymalloc((few ? n : len) * sizeof(*ranks));
    if (ranks == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    for (size_t i = 0; !few && i < len; i++)
        ranks[i] = i;
    reply_array(c, (long long)(flat ? 2 * n : n));
    for (size_t i = 0; i < n; i++) {
        if (few) {
            size_t r, k;
            do {
                r = dict_rand64() % len;
                for (k = 0; k < i && ranks[k] != r; k++)
                    ;
            } while (k < i);
            ranks[i] = r;
        } else {
            size_t j = i + dict_rand64() % (len - i), t = ranks[i];
            ranks[i] = ranks[j];
            ranks[j] = t;
        }
        zset_at(e, ranks[i], &el);
        reply_member_score(c, &el, withscores);
    }
    zfree(ranks);
}

const struct command cmd_zset_ops_table[] = {
    COMMAND("zunion", cmd_zunion, -3, CMD_READONLY, .summary = "Union of sorted sets",
            .group = "sorted-set"),
    COMMAND("zinter", cmd_zinter, -3, CMD_READONLY, .summary = "Intersection of sorted sets",
            .group = "sorted-set"),
    COMMAND("zdiff", cmd_zdiff, -3, CMD_READONLY, .summary = "Difference of sorted sets",
            .group = "sorted-set"),
    COMMAND("zunionstore", cmd_zunionstore, -4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Store a union of sorted sets", .group = "sorted-set"),
    COMMAND("zinterstore", cmd_zinterstore, -4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Store an intersection of sorted sets", .group = "sorted-set"),
    COMMAND("zdiffstore", cmd_zdiffstore, -4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Store a difference of sorted sets", .group = "sorted-set"),
    COMMAND("zintercard", cmd_zintercard, -3, CMD_READONLY,
            .summary = "Size of an intersection of sorted sets", .group = "sorted-set"),
    COMMAND("zrandmember", cmd_zrandmember, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Random members", .group = "sorted-set"),
    COMMAND_END,
};
