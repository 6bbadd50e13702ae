/* cmd_set.c — set commands: SADD, SREM, SCARD, SISMEMBER/SMISMEMBER, SMEMBERS, SPOP and
 * SRANDMEMBER with their counts, SMOVE, SINTER/SUNION/SDIFF and their STORE forms, and
 * SINTERCARD. Replies and error texts are Redis 7.0's; a set emptied by a command is deleted. */
#include <limits.h>
#include <stdlib.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "evict.h"
#include "objset.h"
#include "zmalloc.h"

/* A new set at argv[key] shaped for its first member and `hint` members. NULL after the
 * allocation error reply. */
static struct kv *
set_create(struct client *c, int key, const char *m, size_t ml, size_t hint)
{
    struct val v;
    set_new_val(&v, m, ml, hint);
    return arg_add_val(c, key, &v);
}

static void
reply_member(void *ctx, const char *m, size_t ml)
{
    reply_bulk(ctx, m, ml);
}

static void
cmd_sadd(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 1, &wt);
    if (wt)
        return;
    if (e == NULL && (e = set_create(c, 1, ARGP(c, 2), ARGL(c, 2), (size_t)c->argc - 2)) == NULL)
        return;
    long long added = 0;
    for (int j = 2; j < c->argc; j++) {
        int r = set_add(e, ARGP(c, j), ARGL(c, j));
        if (r < 0) {
            drop_if_empty(c, e, set_len);
            reply_error(c, ERR_ALLOC);
            return;
        }
        added += r;
    }
    if (added > 0)
        arg_notify(c, NOTIFY_SET, "sadd", 1);
    reply_int(c, added);
}

static void
cmd_srem(struct client *c)
{
    arg_del_members(c, OBJ_SET, set_del, set_len, NOTIFY_SET, "srem");
}

static void
cmd_scard(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 0, &wt);
    if (!wt)
        reply_int(c, e ? (long long)set_len(e) : 0);
}

static void
cmd_sismember(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 0, &wt);
    if (!wt)
        reply_int(c, e && set_has(e, ARGP(c, 2), ARGL(c, 2)));
}

static void
cmd_smismember(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 0, &wt);
    if (wt)
        return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        reply_int(c, e && set_has(e, ARGP(c, j), ARGL(c, j)));
}

static void
cmd_smembers(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 0, &wt);
    if (wt)
        return;
    reply_set(c, e ? (long long)set_len(e) : 0);
    if (e)
        set_foreach(e, reply_member, c);
}

static void
cmd_spop(struct client *c)
{
    long long count;
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (arg_pop_count(c, &count) < 0)
        return;
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        if (count < 0)
            reply_null(c);
        else
            reply_set(c, 0);
        return;
    }
    size_t len = set_len(e);
    if (count < 0) {
        set_pop(e, reply_member, c);
    } else if ((unsigned long long)count >= len) {
        /* All of it: no need to draw, the key goes. */
        reply_set(c, (long long)len);
        set_foreach(e, reply_member, c);
        db_delete_kv(CDB(c), e, FREE_SYNC);
        arg_notify(c, NOTIFY_SET, "spop", 1);
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
        return;
    } else {
        reply_set(c, count);
        if (count == 0)
            return;
        while (count--)
            set_pop(e, reply_member, c);
    }
    arg_notify(c, NOTIFY_SET, "spop", 1);
    drop_if_empty(c, e, set_len);
}

/* SRANDMEMBER's distinct members: the array header goes out with the first one, so a failed
 * scratch allocation can still be answered with an error. */
struct distinct_ctx {
    struct client *c;
    long long n;
    int started;
};

static void
reply_distinct(void *arg, const char *m, size_t ml)
{
    struct distinct_ctx *d = arg;
    if (!d->started) {
        reply_array(d->c, d->n);
        d->started = 1;
    }
    reply_bulk(d->c, m, ml);
}

static void
cmd_srandmember(struct client *c)
{
    long long count = 1;
    int has_count = c->argc == 3, wt;
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (has_count && arg_ll(c, 2, &count) < 0) {
        reply_error_notint(c);
        return;
    }
    if (has_count && count == LLONG_MIN) {
        reply_error(c, "ERR value is out of range, value must between -9223372036854775807 and "
                       "9223372036854775807");
        return;
    }
    struct kv *e = arg_lookup_type(c, 1, OBJ_SET, 0, &wt);
    if (wt)
        return;
    if (!has_count) {
        char ibuf[24];
        size_t len;
        const char *m = e ? set_random(e, &len, ibuf) : NULL;
        if (m)
            reply_bulk(c, m, len);
        else
            reply_null(c);
        return;
    }
    if (e == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    size_t len = set_len(e);
    if (count < 0) {
        /* Repeats allowed: draw -count times. Stop early once the reply could not grow
         * (the client is dropped after the command anyway). */
        reply_array(c, -count);
        for (long long i = 0; i < -count && !c->reply.oom; i++) {
            char ibuf[24];
            size_t ml;
            const char *m = set_random(e, &ml, ibuf);
            reply_bulk(c, m, ml);
        }
    } else if ((unsigned long long)count >= len) {
        reply_array(c, (long long)len);
        set_foreach(e, reply_member, c);
    } else {
        struct distinct_ctx d = {c, count, 0};
        if (set_random_distinct(e, (size_t)count, reply_distinct, &d) < 0)
            reply_error(c, ERR_ALLOC);
    }
}

static void
cmd_smove(struct client *c)
{
    struct db *db = CDB(c);
    struct kv *src = db_lookup_write(db, ARGP(c, 1), ARGL(c, 1));
    struct kv *dst = db_lookup_write(db, ARGP(c, 2), ARGL(c, 2));
    const char *m = ARGP(c, 3);
    size_t ml = ARGL(c, 3);
    if (src == NULL) {
        reply_int(c, 0);
        return;
    }
    if (kv_type(src) != OBJ_SET || (dst && kv_type(dst) != OBJ_SET)) {
        reply_error_wrongtype(c);
        return;
    }
    if (src == dst || !set_has(src, m, ml)) {
        reply_int(c, src == dst && set_has(src, m, ml));
        return;
    }
    /* Add first, remove after: a failed allocation then changes nothing. A new destination is
     * built aside and inserted after the source changed (its insertion cannot fail: no expiry),
     * so its "new" event comes where Redis raises it, between the srem and the sadd. */
    struct kv *fresh = NULL;
    if (dst == NULL) {
        struct val v;
        set_new_val(&v, m, ml, 1);
        if ((fresh = kv_build(ARGP(c, 2), ARGL(c, 2), &v, -1)) == NULL) {
            val_free(v.enc, v.ptr);
            reply_error(c, ERR_ALLOC);
            return;
        }
        fresh->lru = evict_new_lru();
        dst = fresh;
    }
    if (set_add(dst, m, ml) < 0) {
        if (fresh)
            kv_free(fresh);
        reply_error(c, ERR_ALLOC);
        return;
    }
    set_del(src, m, ml);
    arg_notify(c, NOTIFY_SET, "srem", 1);
    drop_if_empty(c, src, set_len);
    if (fresh)
        db_insert_kv(db, fresh);
    arg_notify(c, NOTIFY_SET, "sadd", 2);
    reply_int(c, 1);
}

/* ---- SINTER / SUNION / SDIFF ---- */

enum setop { SETOP_INTER, SETOP_UNION, SETOP_DIFF };

/* The result of a set operation: a set value in an entry of its own, outside the keyspace,
 * made when its first member arrives. */
struct result {
    struct kv *e;
    size_t hint;
    int failed;
    /* SINTER / SDIFF: the other sets a member is checked against. */
    struct kv **others;
    size_t nothers;
    enum setop op;
};

static void
result_add(void *arg, const char *m, size_t ml)
{
    struct result *r = arg;
    if (r->failed)
        return;
    for (size_t i = 0; i < r->nothers; i++) {
        int in = r->others[i] && set_has(r->others[i], m, ml);
        if (in != (r->op == SETOP_INTER))
            return;
    }
    if (r->e == NULL) {
        struct val v;
        set_new_val(&v, m, ml, r->hint);
        r->e = kv_build("", 0, &v, -1);
        if (r->e == NULL) {
            val_free(v.enc, v.ptr);
            r->failed = 1;
            return;
        }
    }
    if (set_add(r->e, m, ml) < 0)
        r->failed = 1;
}

static int
by_len(const void *a, const void *b)
{
    size_t x = set_len(*(struct kv *const *)a), y = set_len(*(struct kv *const *)b);
    return x < y ? -1 : x > y;
}

/* Compute op over the sets at argv[first] .. argv[first + n - 1]. 0 with r filled (r->e NULL
 * when the result is empty), or -1 after an error reply. */
static int
setop_compute(struct client *c, int first, int n, enum setop op, int write, struct result *r)
{
    struct kv **sets = ztrymalloc((size_t)n * sizeof(*sets));
    int missing = 0, wt;
    memset(r, 0, sizeof(*r));
    if (sets == NULL) {
        reply_error(c, ERR_ALLOC);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        sets[i] = arg_lookup_type(c, first + i, OBJ_SET, write, &wt);
        if (wt) {
            zfree(sets);
            return -1;
        }
        missing += sets[i] == NULL;
    }
    r->op = op;
    if (op == SETOP_UNION) {
        for (int i = 0; i < n; i++)
            r->hint += sets[i] ? set_len(sets[i]) : 0;
        for (int i = 0; i < n && !r->failed; i++)
            if (sets[i])
                set_foreach(sets[i], result_add, r);
    } else if (op == SETOP_INTER ? missing == 0 : sets[0] != NULL) {
        if (op == SETOP_INTER) /* walk the smallest, look up in the others */
            qsort(sets, (size_t)n, sizeof(*sets), by_len);
        r->hint = set_len(sets[0]);
        r->others = sets + 1;
        r->nothers = (size_t)n - 1;
        set_foreach(sets[0], result_add, r);
    }
    zfree(sets);
    if (r->failed) {
        if (r->e)
            kv_free(r->e);
        reply_error(c, ERR_ALLOC);
        return -1;
    }
    return 0;
}

static void
setop_reply(struct client *c, enum setop op)
{
    struct result r;
    if (setop_compute(c, 1, c->argc - 1, op, 0, &r) < 0)
        return;
    reply_set(c, r.e ? (long long)set_len(r.e) : 0);
    if (r.e) {
        set_foreach(r.e, reply_member, c);
        kv_free(r.e);
    }
}

static void
setop_store(struct client *c, enum setop op)
{
    static const char *const events[] = {
        [SETOP_INTER] = "sinterstore", [SETOP_UNION] = "sunionstore", [SETOP_DIFF] = "sdiffstore"};
    struct result r;
    struct db *db = CDB(c);
    if (setop_compute(c, 2, c->argc - 2, op, 1, &r) < 0)
        return;
    if (r.e == NULL) {
        /* an empty result leaves no key */
        if (db_delete(db, ARGP(c, 1), ARGL(c, 1), FREE_SYNC))
            arg_notify(c, NOTIFY_GENERIC, "del", 1);
        reply_int(c, 0);
        return;
    }
    long long n = (long long)set_len(r.e);
    struct val v;
    kv_get_val(r.e, &v);
    if (db_set(db, ARGP(c, 1), ARGL(c, 1), &v, -1, 0) < 0) {
        kv_free(r.e);
        reply_error(c, ERR_ALLOC);
        return;
    }
    kv_free_shell(r.e);
    arg_notify(c, NOTIFY_SET, events[op], 1);
    reply_int(c, n);
}

static void
cmd_sinter(struct client *c)
{
    setop_reply(c, SETOP_INTER);
}

static void
cmd_sunion(struct client *c)
{
    setop_reply(c, SETOP_UNION);
}

static void
cmd_sdiff(struct client *c)
{
    setop_reply(c, SETOP_DIFF);
}

static void
cmd_sinterstore(struct client *c)
{
    setop_store(c, SETOP_INTER);
}

static void
cmd_sunionstore(struct client *c)
{
    setop_store(c, SETOP_UNION);
}

static void
cmd_sdiffstore(struct client *c)
{
    setop_store(c, SETOP_DIFF);
}

struct card_ctx {
    struct kv **others;
    size_t nothers;
    long long n, limit;
};

static void
card_visit(void *arg, const char *m, size_t ml)
{
    struct card_ctx *k = arg;
    if (k->limit && k->n >= k->limit)
        return;
    for (size_t i = 0; i < k->nothers; i++)
        if (!set_has(k->others[i], m, ml))
            return;
    k->n++;
}

static void
cmd_sintercard(struct client *c)
{
    long long numkeys, limit = 0;
    if (arg_ll(c, 1, &numkeys) < 0 || numkeys <= 0) {
        reply_error(c, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j += 2) {
        if (!arg_is(c, j, "limit") || j + 1 >= c->argc) {
            reply_error_syntax(c);
            return;
        }
        if (arg_ll(c, j + 1, &limit) < 0 || limit < 0) {
            reply_error(c, "ERR LIMIT can't be negative");
            return;
        }
    }
    struct kv **sets = ztrymalloc((size_t)numkeys * sizeof(*sets));
    int missing = 0, wt;
    if (sets == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    for (int i = 0; i < (int)numkeys; i++) {
        sets[i] = arg_lookup_type(c, 2 + i, OBJ_SET, 0, &wt);
        if (wt) {
            zfree(sets);
            return;
        }
        missing += sets[i] == NULL;
    }
    struct card_ctx k = {sets + 1, (size_t)numkeys - 1, 0, limit};
    if (!missing) {
        qsort(sets, (size_t)numkeys, sizeof(*sets), by_len);
        set_foreach(sets[0], card_visit, &k);
    }
    zfree(sets);
    reply_int(c, k.n);
}

const struct command cmd_set_table[] = {
    COMMAND("sadd", cmd_sadd, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add members to a set", .group = "set"),
    COMMAND("srem", cmd_srem, -3, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove members from a set", .group = "set"),
    COMMAND("scard", cmd_scard, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Number of members", .group = "set"),
    COMMAND("sismember", cmd_sismember, 3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Whether a member is in a set", .group = "set"),
    COMMAND("smismember", cmd_smismember, -3, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Whether members are in a set", .group = "set"),
    COMMAND("smembers", cmd_smembers, 2, CMD_READONLY, .keys = {1, 1, 1}, .summary = "All members",
            .group = "set"),
    COMMAND("spop", cmd_spop, -2, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove and return random members", .group = "set"),
    COMMAND("srandmember", cmd_srandmember, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Random members", .group = "set"),
    COMMAND("smove", cmd_smove, 4, CMD_WRITE | CMD_FAST, .keys = {1, 2, 1},
            .summary = "Move a member to another set", .group = "set"),
    COMMAND("sinter", cmd_sinter, -2, CMD_READONLY, .keys = {1, -1, 1},
            .summary = "Intersection of sets", .group = "set"),
    COMMAND("sunion", cmd_sunion, -2, CMD_READONLY, .keys = {1, -1, 1}, .summary = "Union of sets",
            .group = "set"),
    COMMAND("sdiff", cmd_sdiff, -2, CMD_READONLY, .keys = {1, -1, 1},
            .summary = "Difference of sets", .group = "set"),
    COMMAND("sinterstore", cmd_sinterstore, -3, CMD_WRITE | CMD_DENYOOM, .keys = {1, -1, 1},
            .summary = "Store an intersection", .group = "set"),
    COMMAND("sunionstore", cmd_sunionstore, -3, CMD_WRITE | CMD_DENYOOM, .keys = {1, -1, 1},
            .summary = "Store a union", .group = "set"),
    COMMAND("sdiffstore", cmd_sdiffstore, -3, CMD_WRITE | CMD_DENYOOM, .keys = {1, -1, 1},
            .summary = "Store a difference", .group = "set"),
    COMMAND("sintercard", cmd_sintercard, -3, CMD_READONLY, .summary = "Size of an intersection",
            .group = "set"),
    COMMAND_END,
};
