/* cmd_zset.c — sorted set commands: ZADD (NX/XX/GT/LT/CH/INCR), ZINCRBY, ZCARD, ZSCORE,
 * ZMSCORE, ZREM, ZRANGE (by rank, BYSCORE or BYLEX, REV, LIMIT, WITHSCORES) and its older
 * forms (ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZRANK/ZREVRANK, ZCOUNT, ZLEXCOUNT,
 * ZRANGESTORE, ZPOPMIN/ZPOPMAX, ZMPOP, their blocking forms BZPOPMIN/BZPOPMAX/BZMPOP (waits kept
 * by core/blocking.c) and ZREMRANGEBYRANK/SCORE/LEX (ZUNION and the other
 * operations over several sets are in cmd_zset_ops.c). Replies and error texts are Redis 7.0's
 * (scores as "%.17g" bulks in RESP2, doubles in RESP3); an emptied sorted set is deleted. */
#include "blocking.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "objzset.h"
#include "resp.h"
#include "zmalloc.h"

#define ERR_FLOAT       "ERR value is not a valid float"
#define ERR_RANGE_FLOAT "ERR min or max is not a float"
#define ERR_RANGE_LEX   "ERR min or max not valid string range item"

/* ---- ZADD / ZINCRBY ---- */

/* Add the `pairs` score-member pairs from argv[first] on. */
static void
zadd_pairs(struct client *c, int first, int pairs, int flags, int ch)
{
    double *scores = ztrymalloc((size_t)pairs * sizeof(*scores));
    if (scores == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    /* Every score is checked before anything changes, as in Redis. */
    for (int i = 0; i < pairs; i++) {
        int j = first + 2 * i;
        if (zset_parse_score(ARGP(c, j), ARGL(c, j), &scores[i]) < 0) {
            reply_error(c, ERR_FLOAT);
            goto done;
        }
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 1, &wt);
    if (wt)
        goto done;
    if (e == NULL) {
        if (flags & ZADD_XX) { /* nothing could be added: no key either */
            if (flags & ZADD_INCR)
                reply_null(c);
            else
                reply_int(c, 0);
            goto done;
        }
        struct val v;
        zset_new_val(&v);
        if ((e = arg_add_val(c, 1, &v)) == NULL)
            goto done;
    }
    long long added = 0, updated = 0;
    double newscore = 0;
    int out = 0;
    for (int i = 0; i < pairs; i++) {
        int j = first + 2 * i + 1;
        if (zset_add(e, scores[i], ARGP(c, j), ARGL(c, j), flags, &out, &newscore) < 0) {
            drop_if_empty(c, e, zset_len);
            reply_error(c, ERR_ALLOC);
            goto done;
        }
        if (out & ZADD_OUT_NAN) {
            drop_if_empty(c, e, zset_len);
            reply_error(c, "ERR resulting score is not a number (NaN)");
            goto done;
        }
        added += (out & ZADD_OUT_ADDED) != 0;
        updated += (out & ZADD_OUT_UPDATED) != 0;
    }
    if (added || updated)
        arg_notify(c, NOTIFY_ZSET, (flags & ZADD_INCR) ? "zincr" : "zadd", 1);
    drop_if_empty(c, e, zset_len);
    if (!(flags & ZADD_INCR))
        reply_int(c, added + (ch ? updated : 0));
    else if (out & ZADD_OUT_NOP)
        reply_null(c);
    else
        reply_double(c, newscore);
done:
    zfree(scores);
}

static void
cmd_zadd(struct client *c)
{
    int flags = 0, ch = 0, j;
    for (j = 2; j < c->argc; j++) {
        if (arg_is(c, j, "nx"))
            flags |= ZADD_NX;
        else if (arg_is(c, j, "xx"))
            flags |= ZADD_XX;
        else if (arg_is(c, j, "gt"))
            flags |= ZADD_GT;
        else if (arg_is(c, j, "lt"))
            flags |= ZADD_LT;
        else if (arg_is(c, j, "incr"))
            flags |= ZADD_INCR;
        else if (arg_is(c, j, "ch"))
            ch = 1;
        else
            break;
    }
    int left = c->argc - j;
    if (left == 0 || left % 2) {
        reply_error_syntax(c);
        return;
    }
    if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
        reply_error(c, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if (((flags & (ZADD_GT | ZADD_LT)) && (flags & ZADD_NX)) ||
        ((flags & ZADD_GT) && (flags & ZADD_LT))) {
        reply_error(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if ((flags & ZADD_INCR) && left > 2) {
        reply_error(c, "ERR INCR option supports a single increment-element pair");
        return;
    }
    zadd_pairs(c, j, left / 2, flags, ch);
}

static void
cmd_zincrby(struct client *c)
{
    zadd_pairs(c, 2, 1, ZADD_INCR, 0);
}

/* ---- Reading members and scores ---- */

static void
cmd_zcard(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (!wt)
        reply_int(c, e ? (long long)zset_len(e) : 0);
}

/* The score of member argv[j] in sorted set e (NULL: no key), or null: one ZSCORE/ZMSCORE
 * element. */
static void
reply_score(struct client *c, struct kv *e, int j)
{
    double d;
    if (e && zset_score(e, ARGP(c, j), ARGL(c, j), &d))
        reply_double(c, d);
    else
        reply_null(c);
}

static void
cmd_zscore(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (!wt)
        reply_score(c, e, 2);
}

static void
cmd_zmscore(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        reply_score(c, e, j);
}

static void
cmd_zrem(struct client *c)
{
    arg_del_members(c, OBJ_ZSET, zset_del, zset_len, NOTIFY_ZSET, "zrem");
}

/* ZRANK and ZREVRANK (`rev`: highest score first): reply argv[2]'s rank, or null. */
static void
reply_rank(struct client *c, int rev)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    long long r = e ? zset_rank(e, ARGP(c, 2), ARGL(c, 2), rev) : -1;
    if (r < 0)
        reply_null(c);
    else
        reply_int(c, r);
}

static void
cmd_zrank(struct client *c)
{
    reply_rank(c, 0);
}

static void
cmd_zrevrank(struct client *c)
{
    reply_rank(c, 1);
}

static void
cmd_zcount(struct client *c)
{
    struct zscore_range r;
    if (zset_parse_range(ARGP(c, 2), ARGL(c, 2), ARGP(c, 3), ARGL(c, 3), &r) < 0) {
        reply_error(c, ERR_RANGE_FLOAT);
        return;
    }
    int wt;
    size_t lo = 0, hi = 0;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    if (e)
        zset_score_span(e, &r, &lo, &hi);
    reply_int(c, (long long)(hi - lo));
}

static void
cmd_zlexcount(struct client *c)
{
    struct zlex_bound min, max;
    if (zset_parse_lex(ARGP(c, 2), ARGL(c, 2), &min) < 0 ||
        zset_parse_lex(ARGP(c, 3), ARGL(c, 3), &max) < 0) {
        reply_error(c, ERR_RANGE_LEX);
        return;
    }
    int wt;
    size_t lo = 0, hi = 0;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    if (e)
        zset_lex_span(e, &min, &max, &lo, &hi);
    reply_int(c, (long long)(hi - lo));
}

/* ---- Ranges ---- */

/* Reply n elements from rank `from` (counted from the top when rev): members, with scores as
 * [member, score] pairs in RESP3 when `pairs`, else flat. */
static void
reply_elems(struct client *c, const struct kv *e, size_t from, size_t n, int rev, int withscores,
            int pairs)
{
    struct zset_iter it;
    struct zelem el;
    reply_array(c, (long long)(withscores && !pairs ? 2 * n : n));
    zset_iter_init(&it, e, from, rev);
    while (n-- && zset_iter_next(&it, &el)) {
        if (withscores && pairs)
            reply_array(c, 2);
        reply_bulk(c, el.m, el.ml);
        if (withscores)
            reply_double(c, el.score);
    }
}

enum zrange_kind { ZR_AUTO, ZR_RANK, ZR_SCORE, ZR_LEX };

/* A new empty sorted set outside the keyspace, for a computed result (arg_store_result). NULL
 * after the allocation error reply. */
static struct kv *
zset_result_new(struct client *c)
{
    struct val v;
    zset_new_val(&v);
    struct kv *r = kv_build("", 0, &v, -1);
    if (r == NULL) {
        val_free(v.enc, v.ptr);
        reply_error(c, ERR_ALLOC);
    }
    return r;
}

/* ZRANGESTORE's end: copy n elements of e from rank `from` (counted from the top when rev)
 * into a new sorted set stored at argv[1]. */
static void
store_range(struct client *c, const struct kv *e, size_t from, size_t n, int rev)
{
    struct kv *r = NULL;
    if (n > 0 && (r = zset_result_new(c)) == NULL)
        return;
    struct zset_iter it;
    struct zelem el;
    int out;
    double ns;
    if (n > 0)
        zset_iter_init(&it, e, from, rev);
    while (n-- > 0 && zset_iter_next(&it, &el)) {
        if (zset_add(r, el.score, el.m, el.ml, 0, &out, &ns) < 0) {
            kv_free(r);
            reply_error(c, ERR_ALLOC);
            return;
        }
    }
    arg_store_result(c, 1, r, zset_len, NOTIFY_ZSET, "zrangestore");
}

/* ZRANGE and its older forms, and ZRANGESTORE (`store`: the destination is argv[1] and every
 * other argument one further): kind and rev (-1: not fixed) come from the command name or,
 * for ZRANGE, from the options. */
static void
zrange_generic(struct client *c, int kind, int rev, int store)
{
    int withscores = 0, has_limit = 0, k = 1 + store; /* the source key */
    long long offset = 0, limit = -1;
    for (int j = k + 3; j < c->argc; j++) {
        if (!store && arg_is(c, j, "withscores")) {
            withscores = 1;
        } else if (arg_is(c, j, "limit") && c->argc - j - 1 >= 2) {
            if (arg_ll(c, j + 1, &offset) < 0 || arg_ll(c, j + 2, &limit) < 0) {
                reply_error_notint(c);
                return;
            }
            has_limit = 1;
            j += 2;
        } else if (rev < 0 && arg_is(c, j, "rev")) {
            rev = 1;
        } else if (kind == ZR_AUTO && arg_is(c, j, "bylex")) {
            kind = ZR_LEX;
        } else if (kind == ZR_AUTO && arg_is(c, j, "byscore")) {
            kind = ZR_SCORE;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (rev < 0)
        rev = 0;
    if (kind == ZR_AUTO)
        kind = ZR_RANK;
    if (has_limit && kind == ZR_RANK) {
        reply_error(c, "ERR syntax error, LIMIT is only supported in combination with either "
                       "BYSCORE or BYLEX");
        return;
    }
    if (withscores && kind == ZR_LEX) {
        reply_error(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    /* By score or member, a reversed range is written max first. */
    int mini = rev && kind != ZR_RANK ? k + 2 : k + 1, maxi = mini == k + 1 ? k + 2 : k + 1;
    long long start = 0, end = 0;
    struct zscore_range sr;
    struct zlex_bound lmin, lmax;
    if (kind == ZR_RANK && (arg_ll(c, k + 1, &start) < 0 || arg_ll(c, k + 2, &end) < 0)) {
        reply_error_notint(c);
        return;
    }
    if (kind == ZR_SCORE &&
        zset_parse_range(ARGP(c, mini), ARGL(c, mini), ARGP(c, maxi), ARGL(c, maxi), &sr) < 0) {
        reply_error(c, ERR_RANGE_FLOAT);
        return;
    }
    if (kind == ZR_LEX && (zset_parse_lex(ARGP(c, mini), ARGL(c, mini), &lmin) < 0 ||
                           zset_parse_lex(ARGP(c, maxi), ARGL(c, maxi), &lmax) < 0)) {
        reply_error(c, ERR_RANGE_LEX);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, k, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    size_t len = e ? zset_len(e) : 0, from = 0, n = 0;
    if (e && kind == ZR_RANK) {
        if (clamp_ranks(start, end, len, &from, &n) < 0)
            n = 0;
    } else if (e) {
        size_t lo, hi;
        if (kind == ZR_SCORE)
            zset_score_span(e, &sr, &lo, &hi);
        else
            zset_lex_span(e, &lmin, &lmax, &lo, &hi);
        n = hi - lo;
        from = rev ? len - hi : lo;
        /* LIMIT: a negative offset gives nothing, a negative count everything. */
        if (offset < 0 || (unsigned long long)offset >= n) {
            n = 0;
        } else {
            from += (size_t)offset;
            n -= (size_t)offset;
            if (limit >= 0 && (unsigned long long)limit < n)
                n = (size_t)limit;
        }
    }
    if (store)
        store_range(c, e, from, n, rev);
    else if (n == 0)
        reply_array(c, 0);
    else
        reply_elems(c, e, from, n, rev, withscores, c->proto == RESP3);
}

static void
cmd_zrange(struct client *c)
{
    zrange_generic(c, ZR_AUTO, -1, 0);
}

static void
cmd_zrangestore(struct client *c)
{
    zrange_generic(c, ZR_AUTO, -1, 1);
}

static void
cmd_zrevrange(struct client *c)
{
    zrange_generic(c, ZR_RANK, 1, 0);
}

static void
cmd_zrangebyscore(struct client *c)
{
    zrange_generic(c, ZR_SCORE, 0, 0);
}

static void
cmd_zrevrangebyscore(struct client *c)
{
    zrange_generic(c, ZR_SCORE, 1, 0);
}

static void
cmd_zrangebylex(struct client *c)
{
    zrange_generic(c, ZR_LEX, 0, 0);
}

static void
cmd_zrevrangebylex(struct client *c)
{
    zrange_generic(c, ZR_LEX, 1, 0);
}

/* ---- Removing ---- */

/* Remove and reply min(count, length) >= 1 elements of the non-empty sorted set e, the
 * lowest or highest (`max`) first, with their scores: as [member, score] pairs when `pairs`,
 * else flat. The key goes when emptied. ZPOPMIN/ZPOPMAX and ZMPOP (and their blocking forms). */
static void
zset_pop_reply(struct client *c, struct kv *e, int max, long long count, int pairs)
{
    size_t len = zset_len(e);
    size_t n = (unsigned long long)count < len ? (size_t)count : len;
    reply_elems(c, e, 0, n, max, 1, pairs);
    zset_del_range(e, max ? len - n : 0, n);
    kv_notify(c, NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", e);
    drop_if_empty(c, e, zset_len);
}

/* ZPOPMIN and ZPOPMAX (`max`): remove and reply the lowest or highest members (argv[2] of
 * them, or one). */
static void
pop_extremes(struct client *c, int max)
{
    long long count;
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (arg_pop_count(c, &count) < 0)
        return;
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 1, &wt);
    if (wt)
        return;
    if (e == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    /* With a count, RESP3 gets [member, score] pairs; without one a flat pair, as 7.0. */
    zset_pop_reply(c, e, max, count < 0 ? 1 : count, count >= 0 && c->proto == RESP3);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: [key, [[member, score], ...]] from the
 * first non-empty sorted set, or a null array. */
static void
cmd_zmpop(struct client *c)
{
    long long numkeys, count;
    int max, wt;
    if (arg_mpop(c, 1, "min", "max", &numkeys, &max, &count) < 0)
        return;
    for (int j = 2; j < 2 + numkeys; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_ZSET, 1, &wt);
        if (wt)
            return;
        if (e) {
            reply_array(c, 2);
            reply_bulk(c, ARGP(c, j), ARGL(c, j));
            zset_pop_reply(c, e, max, count, 1);
            return;
        }
    }
    reply_null_array(c);
}

/* ---- Blocking forms: served by blocking.c once a key they wait on holds a sorted set ---- */

/* BZPOPMIN/BZPOPMAX's answer for the non-empty sorted set e at argv[key]: [key, member,
 * score], the member popped. */
static void
bzpop_reply(struct client *c, int key, struct kv *e, int max)
{
    struct zset_iter it;
    struct zelem el;
    size_t len = zset_len(e);
    reply_array(c, 3);
    reply_bulk(c, ARGP(c, key), ARGL(c, key));
    zset_iter_init(&it, e, 0, max);
    zset_iter_next(&it, &el);
    reply_bulk(c, el.m, el.ml);
    reply_double(c, el.score);
    zset_del_range(e, max ? len - 1 : 0, 1);
    drop_if_empty(c, e, zset_len);
}

static void
serve_bzpopmin(struct client *c, int key)
{
    int wt;
    struct kv *e = arg_lookup_type(c, key, OBJ_ZSET, 1, &wt);
    if (e)
        bzpop_reply(c, key, e, 0);
}

static void
serve_bzpopmax(struct client *c, int key)
{
    int wt;
    struct kv *e = arg_lookup_type(c, key, OBJ_ZSET, 1, &wt);
    if (e)
        bzpop_reply(c, key, e, 1);
}

/* BZPOPMIN and BZPOPMAX key [key ...] timeout. */
static void
blocking_pop_extreme(struct client *c, int max)
{
    int64_t deadline;
    int wt;
    if (block_timeout_arg(c, c->argc - 1, &deadline) < 0)
        return;
    for (int j = 1; j < c->argc - 1; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_ZSET, 1, &wt);
        if (wt)
            return;
        if (e) {
            bzpop_reply(c, j, e, max);
            return;
        }
    }
    if (!client_may_block(c)) {
        reply_null_array(c);
        return;
    }
    block_for_keys(c, 1, c->argc - 2, OBJ_ZSET, deadline, max ? serve_bzpopmax : serve_bzpopmin);
}

static void
cmd_bzpopmin(struct client *c)
{
    blocking_pop_extreme(c, 0);
}

static void
cmd_bzpopmax(struct client *c)
{
    blocking_pop_extreme(c, 1);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]; served with the arguments checked
 * when it blocked. */
static void
serve_bzmpop(struct client *c, int key)
{
    long long numkeys, count;
    int max, wt;
    if (arg_mpop(c, 2, "min", "max", &numkeys, &max, &count) < 0)
        return;
    struct kv *e = arg_lookup_type(c, key, OBJ_ZSET, 1, &wt);
    if (e) {
        reply_array(c, 2);
        reply_bulk(c, ARGP(c, key), ARGL(c, key));
        zset_pop_reply(c, e, max, count, 1);
    }
}

static void
cmd_bzmpop(struct client *c)
{
    long long numkeys, count;
    int max, wt;
    int64_t deadline;
    /* As Redis 7.0: the other arguments are checked before the timeout. */
    if (arg_mpop(c, 2, "min", "max", &numkeys, &max, &count) < 0 ||
        block_timeout_arg(c, 1, &deadline) < 0)
        return;
    for (int j = 3; j < 3 + numkeys; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_ZSET, 1, &wt);
        if (wt)
            return;
        if (e) {
            reply_array(c, 2);
            reply_bulk(c, ARGP(c, j), ARGL(c, j));
            zset_pop_reply(c, e, max, count, 1);
            return;
        }
    }
    if (!client_may_block(c)) {
        reply_null_array(c);
        return;
    }
    block_for_keys(c, 3, 2 + (int)numkeys, OBJ_ZSET, deadline, serve_bzmpop);
}

static void
cmd_zpopmin(struct client *c)
{
    pop_extremes(c, 0);
}

static void
cmd_zpopmax(struct client *c)
{
    pop_extremes(c, 1);
}

/* ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX (`kind`: ZR_*): remove the members in
 * the range argv[2]..argv[3]; reply how many. */
static void
remove_range(struct client *c, int kind)
{
    long long start = 0, end = 0;
    struct zscore_range sr;
    struct zlex_bound lmin, lmax;
    if (kind == ZR_RANK && (arg_ll(c, 2, &start) < 0 || arg_ll(c, 3, &end) < 0)) {
        reply_error_notint(c);
        return;
    }
    if (kind == ZR_SCORE &&
        zset_parse_range(ARGP(c, 2), ARGL(c, 2), ARGP(c, 3), ARGL(c, 3), &sr) < 0) {
        reply_error(c, ERR_RANGE_FLOAT);
        return;
    }
    if (kind == ZR_LEX && (zset_parse_lex(ARGP(c, 2), ARGL(c, 2), &lmin) < 0 ||
                           zset_parse_lex(ARGP(c, 3), ARGL(c, 3), &lmax) < 0)) {
        reply_error(c, ERR_RANGE_LEX);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    size_t from = 0, n = 0, hi;
    if (kind == ZR_RANK) {
        if (clamp_ranks(start, end, zset_len(e), &from, &n) < 0)
            n = 0;
    } else {
        if (kind == ZR_SCORE)
            zset_score_span(e, &sr, &from, &hi);
        else
            zset_lex_span(e, &lmin, &lmax, &from, &hi);
        n = hi - from;
    }
    zset_del_range(e, from, n);
    if (n > 0) {
        static const char *const events[] = {[ZR_RANK] = "zremrangebyrank",
                                             [ZR_SCORE] = "zremrangebyscore",
                                             [ZR_LEX] = "zremrangebylex"};
        arg_notify(c, NOTIFY_ZSET, events[kind], 1);
        drop_if_empty(c, e, zset_len);
    }
    reply_int(c, (long long)n);
}

static void
cmd_zremrangebyrank(struct client *c)
{
    remove_range(c, ZR_RANK);
}

static void
cmd_zremrangebyscore(struct client *c)
{
    remove_range(c, ZR_SCORE);
}

static void
cmd_zremrangebylex(struct client *c)
{
    remove_range(c, ZR_LEX);
}

const struct command cmd_zset_table[] = {
    COMMAND("zadd", cmd_zadd, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add members or update their scores", .group = "sorted-set"),
    COMMAND("zincrby", cmd_zincrby, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add to a member's score", .group = "sorted-set"),
    COMMAND("zcard", cmd_zcard, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Number of members", .group = "sorted-set"),
    COMMAND("zscore", cmd_zscore, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Score of a member", .group = "sorted-set"),
    COMMAND("zmscore", cmd_zmscore, -3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Scores of members", .group = "sorted-set"),
    COMMAND("zrem", cmd_zrem, -3, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove members", .group = "sorted-set"),
    COMMAND("zrange", cmd_zrange, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members in a range of ranks, scores or names", .group = "sorted-set"),
    COMMAND("zrangestore", cmd_zrangestore, -5, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Store a range of members", .group = "sorted-set"),
    COMMAND("zrevrange", cmd_zrevrange, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members by rank, highest first", .group = "sorted-set"),
    COMMAND("zrangebyscore", cmd_zrangebyscore, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members in a score range", .group = "sorted-set"),
    COMMAND("zrevrangebyscore", cmd_zrevrangebyscore, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members in a score range, highest first", .group = "sorted-set"),
    COMMAND("zrangebylex", cmd_zrangebylex, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members in a name range", .group = "sorted-set"),
    COMMAND("zrevrangebylex", cmd_zrevrangebylex, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members in a name range, last first", .group = "sorted-set"),
    COMMAND("zrank", cmd_zrank, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Rank of a member", .group = "sorted-set"),
    COMMAND("zrevrank", cmd_zrevrank, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Rank of a member, highest first", .group = "sorted-set"),
    COMMAND("zcount", cmd_zcount, 4, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Count the members in a score range", .group = "sorted-set"),
    COMMAND("zlexcount", cmd_zlexcount, 4, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Count the members in a name range", .group = "sorted-set"),
    COMMAND("zpopmin", cmd_zpopmin, -2, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove and return the lowest members", .group = "sorted-set"),
    COMMAND("zpopmax", cmd_zpopmax, -2, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove and return the highest members", .group = "sorted-set"),
    COMMAND("bzpopmin", cmd_bzpopmin, -3, CMD_WRITE | CMD_FAST, .keys = {1, -2, 1},
            .summary = "Remove and return the lowest member, or block", .group = "sorted-set"),
    COMMAND("bzpopmax", cmd_bzpopmax, -3, CMD_WRITE | CMD_FAST, .keys = {1, -2, 1},
            .summary = "Remove and return the highest member, or block", .group = "sorted-set"),
    COMMAND("bzmpop", cmd_bzmpop, -5, CMD_WRITE,
            .summary = "Remove and return members from the first non-empty sorted set, or block",
            .group = "sorted-set"),
    COMMAND("zmpop", cmd_zmpop, -4, CMD_WRITE,
            .summary = "Remove and return members from the first non-empty sorted set",
            .group = "sorted-set"),
    COMMAND("zremrangebyrank", cmd_zremrangebyrank, 4, CMD_WRITE, .keys = {1, 1, 1},
            .summary = "Remove a range of ranks", .group = "sorted-set"),
    COMMAND("zremrangebyscore", cmd_zremrangebyscore, 4, CMD_WRITE, .keys = {1, 1, 1},
            .summary = "Remove a score range", .group = "sorted-set"),
    COMMAND("zremrangebylex", cmd_zremrangebylex, 4, CMD_WRITE, .keys = {1, 1, 1},
            .summary = "Remove a name range", .group = "sorted-set"),
    COMMAND_END,
};
