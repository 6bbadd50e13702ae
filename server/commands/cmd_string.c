/* cmd_string.c — string commands: GET/SET and their variants, MGET/MSET, counters,
 * INCRBYFLOAT, APPEND, STRLEN, GETRANGE, SETRANGE. Values are copied once from the argument
 * slices into the key's entry (short ones) or a raw buffer. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "util.h"
#include "zmalloc.h"

/* ---- Helpers ---- */

/* Reply with a string entry's value. */
static void
reply_str(struct client *c, const struct kv *e)
{
    if (e->enc == ENC_INT) {
        reply_bulk_int(c, kv_int(e));
        return;
    }
    if (e->enc == ENC_RAW) {
        reply_bulk_str(c, kv_ptr(e)); /* large: queued by reference, not copied */
        return;
    }
    size_t len;
    const char *s = kv_str(e, &len, NULL);
    reply_bulk(c, s, len);
}

/* The proto-max-bulk-len check of commands that grow a string. */
static int
check_string_length(struct client *c, long long offset, size_t add)
{
    long long max = config_get()->proto_max_bulk_len;
    if ((long long)add > max || offset > max - (long long)add) {
        reply_error(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return -1;
    }
    return 0;
}

/* Parse an expire argument as SET/SETEX/PSETEX do: relative (EX/PX) or absolute (EXAT/PXAT),
 * in seconds or ms. Returns the absolute unix ms, or -1 after replying an error. */
static int64_t
parse_expire(struct client *c, int i, int seconds, int relative)
{
    long long v;
    char name[64];
    if (arg_ll(c, i, &v) < 0) {
        reply_error_notint(c);
        return -1;
    }
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000))
        goto invalid;
    if (seconds)
        v *= 1000;
    if (relative) {
        int64_t now = db_now_ms();
        if (v > LLONG_MAX - now)
            goto invalid;
        v += now;
    }
    return v;
invalid:
    command_fullname(c->cmd, name, sizeof(name));
    reply_errorf(c, "ERR invalid expire time in '%s' command", name);
    return -1;
}

/* Store argv[vi] at key argv[ki] (expire -1: none). Replies OOM on failure. */
static int
store(struct client *c, struct db *db, int ki, int vi, int64_t expire, int flags)
{
    struct val v;
    if (str_val(ARGP(c, vi), ARGL(c, vi), &v) < 0 ||
        db_set(db, ARGP(c, ki), ARGL(c, ki), &v, expire, flags) < 0) {
        if (v.enc == ENC_RAW)
            val_free(v.enc, v.ptr);
        reply_error(c, ERR_ALLOC);
        return -1;
    }
    return 0;
}

/* ---- GET / SET family ---- */

/* GET's reply for argv[1]: its string, or null when the key is missing. Returns the key (NULL
 * when missing), or NULL with *wrongtype after the WRONGTYPE reply. GETSET, GETDEL, GETEX and
 * SET ... GET start with this reply and then change the key. */
static struct kv *
reply_get(struct client *c, int *wrongtype)
{
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 0, wrongtype);
    if (e)
        reply_str(c, e);
    else if (!*wrongtype)
        reply_null(c);
    return e;
}

static void
cmd_get(struct client *c)
{
    int wt;
    reply_get(c, &wt);
}

#define SET_NX   1
#define SET_XX   2
#define SET_GET  4
#define SET_KEEP 8
#define SET_EX   16
#define SET_PX   32
#define SET_EXAT 64
#define SET_PXAT 128

static void
cmd_set(struct client *c)
{
    int flags = 0, exp_arg = 0;
    for (int j = 3; j < c->argc; j++) {
        int has_next = j + 1 < c->argc;
        int timed = flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT);
        if (arg_is(c, j, "nx") && !(flags & SET_XX)) {
            flags |= SET_NX;
        } else if (arg_is(c, j, "xx") && !(flags & SET_NX)) {
            flags |= SET_XX;
        } else if (arg_is(c, j, "get")) {
            flags |= SET_GET;
        } else if (arg_is(c, j, "keepttl") && !timed) {
            flags |= SET_KEEP;
        } else if (has_next && !(flags & SET_KEEP) &&
                   ((arg_is(c, j, "ex") && !(timed & ~SET_EX)) ||
                    (arg_is(c, j, "px") && !(timed & ~SET_PX)) ||
                    (arg_is(c, j, "exat") && !(timed & ~SET_EXAT)) ||
                    (arg_is(c, j, "pxat") && !(timed & ~SET_PXAT)))) {
            /* The same option twice is fine (the last wins), two different ones are not. */
            flags |= arg_is(c, j, "ex")     ? SET_EX
                     : arg_is(c, j, "px")   ? SET_PX
                     : arg_is(c, j, "exat") ? SET_EXAT
                                            : SET_PXAT;
            exp_arg = ++j;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    int64_t expire = -1;
    if (exp_arg) {
        expire = parse_expire(c, exp_arg, flags & (SET_EX | SET_EXAT), flags & (SET_EX | SET_PX));
        if (expire < 0)
            return;
    }
    struct db *db = CDB(c);
    if (flags & SET_GET) {
        int wt;
        reply_get(c, &wt);
        if (wt)
            return;
    }
    struct kv *cur = db_lookup_write(db, ARGP(c, 1), ARGL(c, 1));
    if (((flags & SET_NX) && cur) || ((flags & SET_XX) && !cur)) {
        if (!(flags & SET_GET))
            reply_null(c);
        return;
    }
    if (store(c, db, 1, 2, expire, (flags & SET_KEEP) ? SET_KEEPTTL : 0) < 0)
        return;
    arg_notify(c, NOTIFY_STRING, "set", 1);
    if (exp_arg)
        arg_notify(c, NOTIFY_GENERIC, "expire", 1);
    if (!(flags & SET_GET))
        reply_ok(c);
}

/* SETEX and PSETEX: SET argv[1] to argv[3] with the expiry argv[2], in seconds when
 * `seconds`, else ms. */
static void
set_with_expire(struct client *c, int seconds)
{
    int64_t expire = parse_expire(c, 2, seconds, 1);
    if (expire < 0)
        return;
    if (store(c, CDB(c), 1, 3, expire, 0) < 0)
        return;
    arg_notify(c, NOTIFY_STRING, "set", 1);
    arg_notify(c, NOTIFY_GENERIC, "expire", 1);
    reply_ok(c);
}

static void
cmd_setex(struct client *c)
{
    set_with_expire(c, 1);
}

static void
cmd_psetex(struct client *c)
{
    set_with_expire(c, 0);
}

static void
cmd_setnx(struct client *c)
{
    struct db *db = CDB(c);
    if (db_lookup_write(db, ARGP(c, 1), ARGL(c, 1))) {
        reply_int(c, 0);
        return;
    }
    if (store(c, db, 1, 2, -1, 0) == 0) {
        arg_notify(c, NOTIFY_STRING, "set", 1);
        reply_int(c, 1);
    }
}

static void
cmd_getset(struct client *c)
{
    int wt;
    /* The reply is written before the old value is replaced, so it may be read in place. */
    reply_get(c, &wt);
    if (!wt && store(c, CDB(c), 1, 2, -1, 0) == 0)
        arg_notify(c, NOTIFY_STRING, "set", 1);
}

static void
cmd_getdel(struct client *c)
{
    int wt;
    struct kv *e = reply_get(c, &wt);
    if (e) {
        db_delete_kv(CDB(c), e, FREE_SYNC);
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
    }
}

static void
cmd_getex(struct client *c)
{
    int64_t expire = -1;
    int persist = 0, set = 0;
    for (int j = 2; j < c->argc; j++) {
        int has_next = j + 1 < c->argc;
        if (arg_is(c, j, "persist") && !set && !persist) {
            persist = 1;
        } else if (has_next && !set && !persist &&
                   (arg_is(c, j, "ex") || arg_is(c, j, "px") || arg_is(c, j, "exat") ||
                    arg_is(c, j, "pxat"))) {
            int seconds = arg_is(c, j, "ex") || arg_is(c, j, "exat");
            int relative = arg_is(c, j, "ex") || arg_is(c, j, "px");
            set = ++j;
            expire = parse_expire(c, set, seconds, relative);
            if (expire < 0)
                return;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    int wt;
    struct kv *e = reply_get(c, &wt);
    if (e == NULL)
        return;
    if (set && expire <= db_now_ms()) {
        /* A time already past deletes the key, as in Redis. */
        db_delete_kv(CDB(c), e, FREE_SYNC);
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
    } else if (set) {
        if (db_set_expire(CDB(c), &e, expire) == 0)
            arg_notify(c, NOTIFY_GENERIC, "expire", 1);
    } else if (persist && kv_expire(e) >= 0) {
        if (db_set_expire(CDB(c), &e, -1) == 0)
            arg_notify(c, NOTIFY_GENERIC, "persist", 1);
    }
}

static void
cmd_mget(struct client *c)
{
    struct db *db = CDB(c);
    reply_array(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        struct kv *e = db_lookup_read(db, ARGP(c, j), ARGL(c, j));
        if (e == NULL || kv_type(e) != OBJ_STRING)
            reply_null(c);
        else
            reply_str(c, e);
    }
}

/* MSET and MSETNX (`nx`: set nothing if any key exists): set the key-value pairs from
 * argv[1] on. */
static void
set_keys(struct client *c, int nx)
{
    struct db *db = CDB(c);
    if (c->argc % 2 == 0) {
        reply_error_arity(c);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_lookup_write(db, ARGP(c, j), ARGL(c, j))) {
                reply_int(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        if (store(c, db, j, j + 1, -1, 0) < 0)
            return;
        arg_notify(c, NOTIFY_STRING, "set", j);
    }
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void
cmd_mset(struct client *c)
{
    set_keys(c, 0);
}

static void
cmd_msetnx(struct client *c)
{
    set_keys(c, 1);
}

/* ---- Counters ---- */

static void
incr_by(struct client *c, long long incr)
{
    struct db *db = CDB(c);
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 1, &wt);
    long long cur = 0;
    if (wt)
        return;
    if (e) {
        if (e->enc == ENC_INT) {
            cur = kv_int(e);
        } else {
            size_t len;
            const char *s = kv_str(e, &len, NULL);
            if (str_to_ll(s, len, &cur) < 0) {
                reply_error_notint(c);
                return;
            }
        }
    }
    if ((incr < 0 && cur < 0 && incr < LLONG_MIN - cur) ||
        (incr > 0 && cur > 0 && incr > LLONG_MAX - cur)) {
        reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    cur += incr;
    struct val v = {.enc = ENC_INT, .i = cur};
    if (e && e->enc == ENC_INT) {
        kv_set_int(e, cur); /* in place: the hot path of INCR */
    } else if (e ? db_rebuild(db, e, &v, kv_expire(e)) == NULL
                 : db_add(db, ARGP(c, 1), ARGL(c, 1), &v, -1) == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_STRING, "incrby", 1);
    reply_int(c, cur);
}

static void
cmd_incr(struct client *c)
{
    incr_by(c, 1);
}

static void
cmd_decr(struct client *c)
{
    incr_by(c, -1);
}

static void
cmd_incrby(struct client *c)
{
    long long v;
    if (arg_ll(c, 2, &v) < 0)
        reply_error_notint(c);
    else
        incr_by(c, v);
}

static void
cmd_decrby(struct client *c)
{
    long long v;
    if (arg_ll(c, 2, &v) < 0)
        reply_error_notint(c);
    else if (v == LLONG_MIN)
        reply_error(c, "ERR decrement would overflow");
    else
        incr_by(c, -v);
}

static void
cmd_incrbyfloat(struct client *c)
{
    struct db *db = CDB(c);
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 1, &wt);
    long double cur = 0, incr;
    char ibuf[24], out[LDBL_STR_MAX];
    if (wt)
        return;
    if (e) {
        size_t len;
        const char *s = kv_str(e, &len, ibuf);
        if (str_to_ldouble(s, len, &cur) < 0) {
            reply_error(c, "ERR value is not a valid float");
            return;
        }
    }
    if (str_to_ldouble(ARGP(c, 2), ARGL(c, 2), &incr) < 0) {
        reply_error(c, "ERR value is not a valid float");
        return;
    }
    cur += incr;
    if (isnan(cur) || isinf(cur)) {
        reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    size_t n = ldouble_to_str(out, sizeof(out), cur);
    struct val v;
    if (str_val_noint(out, n, &v) < 0 || (e ? db_rebuild(db, e, &v, kv_expire(e)) == NULL
                                            : db_add(db, ARGP(c, 1), ARGL(c, 1), &v, -1) == NULL)) {
        if (v.enc == ENC_RAW)
            val_free(v.enc, v.ptr);
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_STRING, "incrbyfloat", 1);
    reply_bulk(c, out, n);
}

/* ---- APPEND / STRLEN / GETRANGE / SETRANGE ---- */

static void
cmd_append(struct client *c)
{
    struct db *db = CDB(c);
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 1, &wt);
    if (wt)
        return;
    if (e == NULL) {
        if (store(c, db, 1, 2, -1, 0) == 0) {
            arg_notify(c, NOTIFY_STRING, "append", 1);
            reply_int(c, (long long)ARGL(c, 2));
        }
        return;
    }
    char ibuf[24];
    size_t len;
    kv_str(e, &len, ibuf);
    if (check_string_length(c, (long long)len, ARGL(c, 2)) < 0)
        return;
    struct str *s = kv_raw_reserve(db, &e, len + ARGL(c, 2));
    if (s == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    memcpy(s->buf + s->len, ARGP(c, 2), ARGL(c, 2));
    s->len += ARGL(c, 2);
    arg_notify(c, NOTIFY_STRING, "append", 1);
    reply_int(c, (long long)s->len);
}

static void
cmd_strlen(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 0, &wt);
    char ibuf[24];
    size_t len = 0;
    if (wt)
        return;
    if (e)
        kv_str(e, &len, ibuf);
    reply_int(c, (long long)len);
}

static void
cmd_getrange(struct client *c)
{
    long long start, end;
    if (arg_ll(c, 2, &start) < 0 || arg_ll(c, 3, &end) < 0) {
        reply_error_notint(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 0, &wt);
    if (wt)
        return;
    if (e == NULL) {
        reply_bulk(c, "", 0);
        return;
    }
    char ibuf[24];
    size_t len;
    const char *s = kv_str(e, &len, ibuf);
    long long n = (long long)len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    if (start < 0)
        start += n;
    if (end < 0)
        end += n;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= n)
        end = n - 1;
    if (n == 0 || start > end)
        reply_bulk(c, "", 0);
    else if (e->enc == ENC_RAW) /* a large range: by reference, as GET */
        reply_bulk_str_range(c, kv_ptr(e), (size_t)start, (size_t)(end - start + 1));
    else
        reply_bulk(c, s + start, (size_t)(end - start + 1));
}

static void
cmd_setrange(struct client *c)
{
    long long off;
    struct db *db = CDB(c);
    if (arg_ll(c, 2, &off) < 0) {
        reply_error_notint(c);
        return;
    }
    if (off < 0) {
        reply_error(c, "ERR offset is out of range");
        return;
    }
    size_t vlen = ARGL(c, 3);
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_STRING, 1, &wt);
    size_t len = 0;
    if (wt)
        return;
    if (e) {
        char ibuf[24];
        kv_str(e, &len, ibuf);
    }
    if (vlen == 0) {
        reply_int(c, (long long)len);
        return;
    }
    if (check_string_length(c, off, vlen) < 0)
        return;
    size_t need = (size_t)off + vlen > len ? (size_t)off + vlen : len;
    struct str *s;
    if (e == NULL) {
        s = str_new(NULL, 0, need);
        struct val v = {.enc = ENC_RAW, .ptr = s};
        if (s == NULL || db_add(db, ARGP(c, 1), ARGL(c, 1), &v, -1) == NULL) {
            zfree(s);
            reply_error(c, ERR_ALLOC);
            return;
        }
    } else if ((s = kv_raw_reserve(db, &e, need)) == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    if ((size_t)off > s->len)
        memset(s->buf + s->len, 0, (size_t)off - s->len);
    memcpy(s->buf + off, ARGP(c, 3), vlen);
    if (need > s->len)
        s->len = need;
    arg_notify(c, NOTIFY_STRING, "setrange", 1);
    reply_int(c, (long long)s->len);
}

const struct command cmd_string_table[] = {
    COMMAND("get", cmd_get, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Return the string stored at a key, or nil", .group = "string"),
    COMMAND("set", cmd_set, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Store a string at a key, with optional expiry and conditions",
            .group = "string"),
    COMMAND("setex", cmd_setex, 4, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Set a value and an expiry in seconds", .group = "string"),
    COMMAND("psetex", cmd_psetex, 4, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Set a value and an expiry in ms", .group = "string"),
    COMMAND("setnx", cmd_setnx, 3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM | CMD_FAST,
            .keys = {1, 1, 1}, .summary = "Set a key only if it does not exist", .group = "string"),
    COMMAND("getset", cmd_getset, 3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM | CMD_FAST,
            .keys = {1, 1, 1}, .summary = "Set a key and return its old value", .group = "string"),
    COMMAND("getdel", cmd_getdel, 2, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Get a key and delete it", .group = "string"),
    COMMAND("getex", cmd_getex, -2, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Get a key and set or clear its expiry", .group = "string"),
    COMMAND("mget", cmd_mget, -2, CMD_READONLY | CMD_FAST, .keys = {1, -1, 1},
            .summary = "Get the values of several keys", .group = "string"),
    COMMAND("mset", cmd_mset, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, -1, 2},
            .summary = "Set several keys", .group = "string"),
    COMMAND("msetnx", cmd_msetnx, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, -1, 2},
            .summary = "Set several keys if none exists", .group = "string"),
    COMMAND("incr", cmd_incr, 2, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add one to an integer", .group = "string"),
    COMMAND("decr", cmd_decr, 2, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Subtract one from an integer", .group = "string"),
    COMMAND("incrby", cmd_incrby, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Add to an integer", .group = "string"),
    COMMAND("decrby", cmd_decrby, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Subtract from an integer", .group = "string"),
    COMMAND("incrbyfloat", cmd_incrbyfloat, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
            .keys = {1, 1, 1}, .summary = "Add to a float", .group = "string"),
    COMMAND("append", cmd_append, 3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Append to a string", .group = "string"),
    COMMAND("strlen", cmd_strlen, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Length of a string", .group = "string"),
    COMMAND("getrange", cmd_getrange, 4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Part of a string", .group = "string"),
    COMMAND("substr", cmd_getrange, 4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Part of a string", .group = "string"),
    COMMAND("setrange", cmd_setrange, 4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Overwrite part of a string", .group = "string"),
    COMMAND_END,
};
