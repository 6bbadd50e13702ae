/* cmd_list.c — list commands: LPUSH/RPUSH (and the X forms), LPOP/RPOP with an optional
 * count, LLEN, LINDEX, LRANGE. */
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "objlist.h"

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
    if (!has_count) {
        list_pop(e, where, reply_elem, c);
    } else {
        size_t len = list_len(e);
        size_t n = (unsigned long long)count < len ? (size_t)count : len;
        reply_array(c, (long long)n);
        while (n--)
            list_pop(e, where, reply_elem, c);
    }
    drop_if_empty(c, e, list_len);
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
    COMMAND("llen", cmd_llen, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Length of a list", .group = "list"),
    COMMAND("lindex", cmd_lindex, 3, CMD_READONLY, .keys = {1, 1, 1}, .summary = "Element by index",
            .group = "list"),
    COMMAND("lrange", cmd_lrange, 4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "A range of elements", .group = "list"),
    COMMAND_END,
};
