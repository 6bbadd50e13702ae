/* cmd_list.c — list commands: LPUSH/RPUSH (and the X forms), LPOP/RPOP with an optional
 * count, LMPOP, LMOVE/RPOPLPUSH, LLEN, LINDEX, LRANGE, LPOS, LINSERT, LSET, LREM, LTRIM, and
 * the blocking BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH (waits kept by core/blocking.c).
 * Replies and error texts are Redis 7.0's; a list emptied by a command is deleted. The pop
 * and move steps (list_pop_reply, list_mpop_reply, list_move_reply) take lists already looked
 * up, so the blocking forms can serve a waiting client with them. */
#include <limits.h>

#include "blocking.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "objlist.h"
#include "resp.h"
#include "zmalloc.h"

/* LPUSH, RPUSH, LPUSHX, RPUSHX: push argv[2..] at `where` (LIST_HEAD/LIST_TAIL), creating
 * the list unless only_existing; reply the new length. */
static void
push_elements(struct client *c, int where, int only_existing)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        if (only_existing) {
            reply_int(c, 0);
            return;
        }
        struct val v;
        list_new_val(&v);
        if ((e = arg_add_val(c, 1, &v)) == NULL)
            return;
    }
    for (int j = 2; j < c->argc; j++) {
        if (list_push(e, where, ARGP(c, j), ARGL(c, j)) < 0) {
            drop_if_empty(c, e, list_len);
            reply_error(c, ERR_ALLOC);
            return;
        }
    }
    arg_notify(c, NOTIFY_LIST, where == LIST_HEAD ? "lpush" : "rpush", 1);
    reply_int(c, (long long)list_len(e));
}

static void
cmd_lpush(struct client *c)
{
    push_elements(c, LIST_HEAD, 0);
}

static void
cmd_rpush(struct client *c)
{
    push_elements(c, LIST_TAIL, 0);
}

static void
cmd_lpushx(struct client *c)
{
    push_elements(c, LIST_HEAD, 1);
}

static void
cmd_rpushx(struct client *c)
{
    push_elements(c, LIST_TAIL, 1);
}

static void
reply_elem(void *ctx, const char *s, size_t len)
{
    reply_bulk(ctx, s, len);
}

static void
discard_elem(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    (void)s;
    (void)len;
}

/* Pop from `where` of the non-empty list e and reply: one element as a bulk (count < 0), or
 * min(count, length) of them as an array. The key goes when the list is emptied. */
static void
list_pop_reply(struct client *c, struct kv *e, int where, long long count)
{
    size_t n = 1;
    if (count < 0) {
        list_pop(e, where, reply_elem, c);
    } else {
        size_t len = list_len(e);
        n = (unsigned long long)count < len ? (size_t)count : len;
        reply_array(c, (long long)n);
        for (size_t k = 0; k < n; k++)
            list_pop(e, where, reply_elem, c);
    }
    if (n > 0)
        kv_notify(c, NOTIFY_LIST, where == LIST_HEAD ? "lpop" : "rpop", e);
    drop_if_empty(c, e, list_len);
}

/* LPOP and RPOP: pop one element, or `count` of them as an array, from `where`. */
static void
pop_elements(struct client *c, int where)
{
    long long count;
    int has_count = c->argc == 3;
    if (c->argc > 3) {
        reply_error_arity(c);
        return;
    }
    if (arg_pop_count(c, &count) < 0)
        return;
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        if (has_count)
            reply_null_array(c);
        else
            reply_null(c);
        return;
    }
    list_pop_reply(c, e, where, count);
}

/* LMPOP's answer for the non-empty list e at key argv[key]: [key, [elements]], popping up to
 * count elements from `where`. */
static void
list_mpop_reply(struct client *c, int key, struct kv *e, int where, long long count)
{
    reply_array(c, 2);
    reply_bulk(c, ARGP(c, key), ARGL(c, key));
    list_pop_reply(c, e, where, count);
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pop from the first non-empty list. */
static void
cmd_lmpop(struct client *c)
{
    long long numkeys, count;
    int right, wt;
    if (arg_mpop(c, 1, "left", "right", &numkeys, &right, &count) < 0)
        return;
    for (int j = 2; j < 2 + numkeys; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_LIST, 1, &wt);
        if (wt)
            return;
        if (e) {
            list_mpop_reply(c, j, e, right ? LIST_TAIL : LIST_HEAD, count);
            return;
        }
    }
    reply_null_array(c);
}

/* Move the element at `from` of the non-empty list src to `to` of the list dst at key
 * argv[dstkey] (NULL: created there; it may be src itself), and reply it. The element is pushed
 * before it is popped, so a failed allocation changes nothing. */
static void
list_move_reply(struct client *c, struct kv *src, int from, int dstkey, struct kv *dst, int to)
{
    const char *s;
    size_t len;
    list_index(src, from == LIST_HEAD ? 0 : -1, &s, &len);
    char *copy = ztrymalloc(len ? len : 1); /* s moves when src == dst grows */
    if (copy == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    memcpy(copy, s, len);
    if (dst == NULL) {
        struct val v;
        list_new_val(&v);
        if ((dst = arg_add_val(c, dstkey, &v)) == NULL)
            goto done;
    }
    if (list_push(dst, to, copy, len) < 0) {
        drop_if_empty(c, dst, list_len);
        reply_error(c, ERR_ALLOC);
        goto done;
    }
    /* Pushing to the same end of the same list put the element in front of the original. */
    list_pop(src, from, discard_elem, NULL);
    reply_bulk(c, copy, len);
    /* Redis's order: the push on the destination, then the pop on the source. */
    arg_notify(c, NOTIFY_LIST, to == LIST_HEAD ? "lpush" : "rpush", dstkey);
    kv_notify(c, NOTIFY_LIST, from == LIST_HEAD ? "lpop" : "rpop", src);
    drop_if_empty(c, src, list_len);
done:
    zfree(copy);
}

/* LMOVE and RPOPLPUSH: argv[1] is the source, argv[2] the destination. */
static void
move_element(struct client *c, int from, int to)
{
    int wt;
    struct kv *src = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (src == NULL) {
        reply_null(c);
        return;
    }
    struct kv *dst = arg_lookup_type(c, 2, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    list_move_reply(c, src, from, 2, dst, to);
}

/* LEFT or RIGHT at argv[i]: LIST_HEAD / LIST_TAIL, or -1 after the syntax error. */
static int
arg_end(struct client *c, int i)
{
    if (arg_is(c, i, "left"))
        return LIST_HEAD;
    if (arg_is(c, i, "right"))
        return LIST_TAIL;
    reply_error_syntax(c);
    return -1;
}

static void
cmd_lmove(struct client *c)
{
    int from, to;
    if ((from = arg_end(c, 3)) < 0 || (to = arg_end(c, 4)) < 0)
        return;
    move_element(c, from, to);
}

static void
cmd_rpoplpush(struct client *c)
{
    move_element(c, LIST_TAIL, LIST_HEAD);
}

static void
cmd_lpop(struct client *c)
{
    pop_elements(c, LIST_HEAD);
}

static void
cmd_rpop(struct client *c)
{
    pop_elements(c, LIST_TAIL);
}

static void
cmd_llen(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 0, &wt);
    if (!wt)
        reply_int(c, e ? (long long)list_len(e) : 0);
}

static void
cmd_lindex(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 0, &wt);
    long long idx;
    const char *s;
    size_t len;
    if (wt)
        return;
    if (e == NULL) {
        reply_null(c);
    } else if (arg_ll(c, 2, &idx) < 0) {
        reply_error_notint(c);
    } else if (list_index(e, idx, &s, &len)) {
        reply_bulk(c, s, len);
    } else {
        reply_null(c);
    }
}

static void
cmd_lrange(struct client *c)
{
    long long start, end;
    if (arg_ll(c, 2, &start) < 0 || arg_ll(c, 3, &end) < 0) {
        reply_error_notint(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 0, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_array(c, 0);
        return;
    }
    size_t from, n;
    if (clamp_ranks(start, end, list_len(e), &from, &n) < 0) {
        reply_array(c, 0);
        return;
    }
    reply_array(c, (long long)n);
    list_range(e, from, n, reply_elem, c);
}

/* LPOS key element [RANK rank] [COUNT num] [MAXLEN len]. */
static void
cmd_lpos(struct client *c)
{
    long long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        if (more && arg_is(c, j, "rank")) {
            if (arg_ll(c, ++j, &rank) < 0) {
                reply_error_notint(c);
                return;
            }
            if (rank == 0) {
                reply_error(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 "
                               "from the second ... or use negative to start from the end of "
                               "the list");
                return;
            }
        } else if (more && arg_is(c, j, "count")) {
            if (arg_ll(c, ++j, &count) < 0 || count < 0) {
                reply_error(c, "ERR COUNT can't be negative");
                return;
            }
        } else if (more && arg_is(c, j, "maxlen")) {
            if (arg_ll(c, ++j, &maxlen) < 0 || maxlen < 0) {
                reply_error(c, "ERR MAXLEN can't be negative");
                return;
            }
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 0, &wt);
    if (wt)
        return;
    if (e == NULL) {
        if (count >= 0)
            reply_array(c, 0);
        else
            reply_null(c);
        return;
    }
    /* A negative rank counts matches from the tail. Redis 7.0 takes LLONG_MIN too and then
     * reports every match from the tail, whatever COUNT says. */
    int where = rank < 0 ? LIST_TAIL : LIST_HEAD, unlimited = rank == LLONG_MIN;
    unsigned long long skip =
        unlimited ? 0 : (rank < 0 ? (unsigned long long)-rank : (unsigned long long)rank) - 1;
    long long len = (long long)list_len(e), idx = 0, found = 0;
    size_t at = 0;
    if (count >= 0)
        at = reply_deferred(c);
    struct list_iter it;
    const char *s;
    size_t sl;
    const char *el = ARGP(c, 2);
    size_t ell = ARGL(c, 2);
    list_iter_init(&it, e, where);
    for (; (maxlen == 0 || idx < maxlen) && list_iter_next(&it, &s, &sl); idx++) {
        if (sl != ell || memcmp(s, el, sl) != 0)
            continue;
        if (skip) {
            skip--;
            continue;
        }
        long long pos = where == LIST_HEAD ? idx : len - 1 - idx;
        if (count < 0) {
            reply_int(c, pos);
            return;
        }
        reply_int(c, pos);
        found++;
        if (!unlimited && count > 0 && found >= count)
            break;
    }
    if (count < 0)
        reply_null(c);
    else
        reply_set_deferred(c, at, RESP_ARRAY, found);
}

/* LINSERT key BEFORE|AFTER pivot element. */
static void
cmd_linsert(struct client *c)
{
    int after;
    if (arg_is(c, 2, "after")) {
        after = 1;
    } else if (arg_is(c, 2, "before")) {
        after = 0;
    } else {
        reply_error_syntax(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    int r = list_insert(e, ARGP(c, 3), ARGL(c, 3), after, ARGP(c, 4), ARGL(c, 4));
    if (r < 0) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    if (r)
        arg_notify(c, NOTIFY_LIST, "linsert", 1);
    reply_int(c, r ? (long long)list_len(e) : -1);
}

static void
cmd_lset(struct client *c)
{
    long long idx;
    if (arg_ll(c, 2, &idx) < 0) {
        reply_error_notint(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_error(c, "ERR no such key");
        return;
    }
    int r = list_set(e, idx, ARGP(c, 3), ARGL(c, 3));
    if (r < 0)
        reply_error(c, ERR_ALLOC);
    else if (r == 0)
        reply_error(c, "ERR index out of range");
    else {
        arg_notify(c, NOTIFY_LIST, "lset", 1);
        reply_ok(c);
    }
}

static void
cmd_lrem(struct client *c)
{
    long long count;
    if (arg_ll(c, 2, &count) < 0) {
        reply_error_notint(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    size_t n = list_remove_equal(e, count, ARGP(c, 3), ARGL(c, 3));
    if (n > 0) {
        arg_notify(c, NOTIFY_LIST, "lrem", 1);
        drop_if_empty(c, e, list_len);
    }
    reply_int(c, (long long)n);
}

static void
cmd_ltrim(struct client *c)
{
    long long start, end;
    if (arg_ll(c, 2, &start) < 0 || arg_ll(c, 3, &end) < 0) {
        reply_error_notint(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    size_t from, n;
    if (e && clamp_ranks(start, end, list_len(e), &from, &n) < 0) {
        arg_notify(c, NOTIFY_LIST, "ltrim", 1);
        db_delete_kv(CDB(c), e, FREE_SYNC); /* nothing kept: no key */
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
    } else if (e) {
        list_trim(e, from, n);
        arg_notify(c, NOTIFY_LIST, "ltrim", 1);
    }
    reply_ok(c);
}

/* ---- Blocking forms: served by blocking.c once a key they wait on holds a list ---- */

static void
serve_blpop(struct client *c, int key)
{
    int wt;
    struct kv *e = arg_lookup_type(c, key, OBJ_LIST, 1, &wt);
    if (e)
        list_mpop_reply(c, key, e, LIST_HEAD, -1);
}

static void
serve_brpop(struct client *c, int key)
{
    int wt;
    struct kv *e = arg_lookup_type(c, key, OBJ_LIST, 1, &wt);
    if (e)
        list_mpop_reply(c, key, e, LIST_TAIL, -1);
}

/* BLPOP and BRPOP key [key ...] timeout: [key, element] from the first non-empty list, or wait
 * for one. */
static void
blocking_pop(struct client *c, int where)
{
    int64_t deadline;
    int wt;
    if (block_timeout_arg(c, c->argc - 1, &deadline) < 0)
        return;
    for (int j = 1; j < c->argc - 1; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_LIST, 1, &wt);
        if (wt)
            return;
        if (e) {
            list_mpop_reply(c, j, e, where, -1);
            return;
        }
    }
    if (!client_may_block(c)) {
        reply_null_array(c);
        return;
    }
    block_for_keys(c, 1, c->argc - 2, OBJ_LIST, deadline,
                   where == LIST_HEAD ? serve_blpop : serve_brpop);
}

static void
cmd_blpop(struct client *c)
{
    blocking_pop(c, LIST_HEAD);
}

static void
cmd_brpop(struct client *c)
{
    blocking_pop(c, LIST_TAIL);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]; served with the arguments
 * checked when it blocked. */
static void
serve_blmpop(struct client *c, int key)
{
    long long numkeys, count;
    int right, wt;
    if (arg_mpop(c, 2, "left", "right", &numkeys, &right, &count) < 0)
        return;
    struct kv *e = arg_lookup_type(c, key, OBJ_LIST, 1, &wt);
    if (e)
        list_mpop_reply(c, key, e, right ? LIST_TAIL : LIST_HEAD, count);
}

static void
cmd_blmpop(struct client *c)
{
    long long numkeys, count;
    int right, wt;
    int64_t deadline;
    /* As Redis 7.0: the other arguments are checked before the timeout. */
    if (arg_mpop(c, 2, "left", "right", &numkeys, &right, &count) < 0 ||
        block_timeout_arg(c, 1, &deadline) < 0)
        return;
    for (int j = 3; j < 3 + numkeys; j++) {
        struct kv *e = arg_lookup_type(c, j, OBJ_LIST, 1, &wt);
        if (wt)
            return;
        if (e) {
            list_mpop_reply(c, j, e, right ? LIST_TAIL : LIST_HEAD, count);
            return;
        }
    }
    if (!client_may_block(c)) {
        reply_null_array(c);
        return;
    }
    block_for_keys(c, 3, 2 + (int)numkeys, OBJ_LIST, deadline, serve_blmpop);
}

/* The ends of BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout (checked already), or of
 * BRPOPLPUSH source destination timeout. */
static void
move_ends(struct client *c, int *from, int *to)
{
    if (c->argc == 6) {
        *from = arg_is(c, 3, "left") ? LIST_HEAD : LIST_TAIL;
        *to = arg_is(c, 4, "left") ? LIST_HEAD : LIST_TAIL;
    } else {
        *from = LIST_TAIL;
        *to = LIST_HEAD;
    }
}

static void
serve_blmove(struct client *c, int key)
{
    int from, to;
    move_ends(c, &from, &to);
    move_element(c, from, to);
}

/* BLMOVE and BRPOPLPUSH: move at once when the source has elements, else wait for it. */
static void
blocking_move(struct client *c)
{
    int from, to, wt;
    int64_t deadline;
    if (c->argc == 6 && (arg_end(c, 3) < 0 || arg_end(c, 4) < 0))
        return;
    if (block_timeout_arg(c, c->argc - 1, &deadline) < 0)
        return;
    move_ends(c, &from, &to);
    struct kv *src = arg_lookup_type(c, 1, OBJ_LIST, 1, &wt);
    if (wt)
        return;
    if (src) {
        move_element(c, from, to);
    } else if (!client_may_block(c)) {
        reply_null(c); /* LMOVE's answer */
    } else {
        block_for_keys(c, 1, 1, OBJ_LIST, deadline, serve_blmove);
    }
}

static void
cmd_blmove(struct client *c)
{
    blocking_move(c);
}

static void
cmd_brpoplpush(struct client *c)
{
    blocking_move(c);
}

const struct command cmd_list_table[] = {
    COMMAND("lpush", cmd_lpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Prepend elements", .group = "list"),
    COMMAND("rpush", cmd_rpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Append elements", .group = "list"),
    COMMAND("lpushx", cmd_lpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Prepend if the list exists", .group = "list"),
    COMMAND("rpushx", cmd_rpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Append if the list exists", .group = "list"),
    COMMAND("lpop", cmd_lpop, -2, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove and return the first elements", .group = "list"),
    COMMAND("rpop", cmd_rpop, -2, CMD_WRITE | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove and return the last elements", .group = "list"),
    COMMAND("lmpop", cmd_lmpop, -4, CMD_WRITE,
            .summary = "Pop elements from the first non-empty list", .group = "list"),
    COMMAND("lmove", cmd_lmove, 5, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Move an element from one list to another", .group = "list"),
    COMMAND("rpoplpush", cmd_rpoplpush, 3, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Move the last element to the head of another list", .group = "list"),
    COMMAND("blpop", cmd_blpop, -3, CMD_WRITE, .keys = {1, -2, 1},
            .summary = "Pop the first element of the first non-empty list, or block",
            .group = "list"),
    COMMAND("brpop", cmd_brpop, -3, CMD_WRITE, .keys = {1, -2, 1},
            .summary = "Pop the last element of the first non-empty list, or block",
            .group = "list"),
    COMMAND("blmpop", cmd_blmpop, -5, CMD_WRITE,
            .summary = "Pop elements from the first non-empty list, or block", .group = "list"),
    COMMAND("blmove", cmd_blmove, 6, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Move an element from one list to another, or block", .group = "list"),
    COMMAND("brpoplpush", cmd_brpoplpush, 4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Move the last element to the head of another list, or block",
            .group = "list"),
    COMMAND("llen", cmd_llen, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Length of a list", .group = "list"),
    COMMAND("lindex", cmd_lindex, 3, CMD_READONLY, .keys = {1, 1, 1}, .summary = "Element by index",
            .group = "list"),
    COMMAND("lrange", cmd_lrange, 4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "A range of elements", .group = "list"),
    COMMAND("lpos", cmd_lpos, -3, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Indexes of matching elements", .group = "list"),
    COMMAND("linsert", cmd_linsert, 5, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Insert an element before or after another", .group = "list"),
    COMMAND("lset", cmd_lset, 4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Set an element by index", .group = "list"),
    COMMAND("lrem", cmd_lrem, 4, CMD_WRITE, .keys = {1, 1, 1},
            .summary = "Remove elements equal to a value", .group = "list"),
    COMMAND("ltrim", cmd_ltrim, 4, CMD_WRITE, .keys = {1, 1, 1},
            .summary = "Keep only a range of elements", .group = "list"),
    COMMAND_END,
};
