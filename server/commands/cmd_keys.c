/* cmd_keys.c — generic keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, RANDOMKEY,
 * the EXPIRE family, TTL/PTTL, PERSIST, RENAME, COPY, MOVE, OBJECT, DBSIZE, FLUSHDB and
 * FLUSHALL (SCAN is in cmd_scan.c with the other cursor iterations). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "evict.h"
#include "lazyfree.h"
#include "resp.h"
#include "util.h"
#include "zmalloc.h"

/* ---- DEL / UNLINK / EXISTS / TOUCH / TYPE ---- */

/* DEL and UNLINK: delete the keys argv[1..], with FREE_LAZY (background free) when
 * `lazy`; reply how many existed. */
static void
delete_keys(struct client *c, int lazy)
{
    struct db *db = CDB(c);
    long long n = 0;
    for (int j = 1; j < c->argc; j++) {
        if (db_delete(db, ARGP(c, j), ARGL(c, j), lazy ? FREE_LAZY : FREE_SYNC)) {
            arg_notify(c, NOTIFY_GENERIC, "del", j);
            n++;
        }
    }
    reply_int(c, n);
}

static void
cmd_del(struct client *c)
{
    delete_keys(c, config_get()->lazyfree_lazy_user_del);
}

static void
cmd_unlink(struct client *c)
{
    delete_keys(c, 1);
}

static void
cmd_exists(struct client *c)
{
    struct db *db = CDB(c);
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        n += db_lookup(db, ARGP(c, j), ARGL(c, j), LOOKUP_NOTOUCH) != NULL;
    reply_int(c, n);
}

static void
cmd_touch(struct client *c)
{
    struct db *db = CDB(c);
    long long n = 0;
    for (int j = 1; j < c->argc; j++)
        n += db_lookup_read(db, ARGP(c, j), ARGL(c, j)) != NULL;
    reply_int(c, n);
}

static void
cmd_type(struct client *c)
{
    struct kv *e = db_lookup(CDB(c), ARGP(c, 1), ARGL(c, 1), LOOKUP_NOTOUCH);
    reply_simple(c, e ? kv_type_name(e) : "none");
}

/* ---- KEYS / RANDOMKEY ---- */

struct keys_ctx {
    struct client *c;
    const char *pat;
    size_t patlen;
    int all;
    int64_t now;
    long long n;
};

static void
keys_visit(struct dict_node *n, void *arg)
{
    struct keys_ctx *k = arg;
    const struct kv *e = (const struct kv *)n;
    size_t klen;
    const char *key = kv_key(e, &klen);
    if (!k->all && !glob_match(k->pat, k->patlen, key, klen, 0))
        return;
    int64_t when = kv_expire(e);
    if (when >= 0 && when <= k->now)
        return; /* logically gone; KEYS does not delete it */
    reply_bulk(k->c, key, klen);
    k->n++;
}

static void
cmd_keys(struct client *c)
{
    struct keys_ctx k = {c, ARGP(c, 1), ARGL(c, 1), 0, db_now_ms(), 0};
    k.all = k.patlen == 1 && k.pat[0] == '*';
    size_t at = reply_deferred(c);
    dict_foreach(&CDB(c)->keys, keys_visit, &k);
    reply_set_deferred(c, at, RESP_ARRAY, k.n);
}

static void
cmd_randomkey(struct client *c)
{
    struct kv *e = db_random(CDB(c));
    if (e == NULL) {
        reply_null(c);
        return;
    }
    size_t klen;
    const char *key = kv_key(e, &klen);
    reply_bulk(c, key, klen);
}

static void
cmd_dbsize(struct client *c)
{
    reply_int(c, (long long)db_size(CDB(c)));
}

/* ---- Expiry ---- */

#define EXP_NX 1
#define EXP_XX 2
#define EXP_GT 4
#define EXP_LT 8

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: set argv[1]'s expiry to argv[2] (in seconds when
 * `seconds`) plus base (now, or 0 for an absolute time), under the NX/XX/GT/LT options. */
static void
set_expire_time(struct client *c, int64_t base, int seconds)
{
    int flags = 0;
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(c, j, "nx"))
            flags |= EXP_NX;
        else if (arg_is(c, j, "xx"))
            flags |= EXP_XX;
        else if (arg_is(c, j, "gt"))
            flags |= EXP_GT;
        else if (arg_is(c, j, "lt"))
            flags |= EXP_LT;
        else {
            reply_errorf(c, "ERR Unsupported option %.*s", (int)ARGL(c, j), ARGP(c, j));
            return;
        }
    }
    if ((flags & EXP_NX) && (flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if ((flags & EXP_GT) && (flags & EXP_LT)) {
        reply_error(c, "ERR GT and LT options at the same time are not compatible");
        return;
    }
    long long when;
    if (arg_ll(c, 2, &when) < 0) {
        reply_error_notint(c);
        return;
    }
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)
            goto invalid;
        when *= 1000;
    }
    if (when > LLONG_MAX - base)
        goto invalid;
    when += base;
    struct db *db = CDB(c);
    struct kv *e = db_lookup_write(db, ARGP(c, 1), ARGL(c, 1));
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    int64_t cur = kv_expire(e);
    if (((flags & EXP_NX) && cur != -1) || ((flags & EXP_XX) && cur == -1) ||
        ((flags & EXP_GT) && (cur == -1 || when <= cur)) ||
        ((flags & EXP_LT) && cur != -1 && when >= cur)) {
        reply_int(c, 0);
        return;
    }
    if (when <= db_now_ms()) {
        db_delete_kv(db, e, FREE_SYNC); /* a time in the past deletes the key at once */
        arg_notify(c, NOTIFY_GENERIC, "del", 1);
    } else if (db_set_expire(db, &e, when) < 0) {
        reply_error(c, ERR_ALLOC);
        return;
    } else {
        arg_notify(c, NOTIFY_GENERIC, "expire", 1);
    }
    reply_int(c, 1);
    return;
invalid : {
    char name[64];
    command_fullname(c->cmd, name, sizeof(name));
    reply_errorf(c, "ERR invalid expire time in '%s' command", name);
}
}

static void
cmd_expire(struct client *c)
{
    set_expire_time(c, db_now_ms(), 1);
}

static void
cmd_pexpire(struct client *c)
{
    set_expire_time(c, db_now_ms(), 0);
}

static void
cmd_expireat(struct client *c)
{
    set_expire_time(c, 0, 1);
}

static void
cmd_pexpireat(struct client *c)
{
    set_expire_time(c, 0, 0);
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME: reply argv[1]'s expiry, in ms or s, remaining or
 * absolute; -2 for a missing key, -1 for one without expiry. */
static void
reply_ttl(struct client *c, int ms, int absolute)
{
    struct kv *e = db_lookup(CDB(c), ARGP(c, 1), ARGL(c, 1), LOOKUP_NOTOUCH);
    if (e == NULL) {
        reply_int(c, -2);
        return;
    }
    int64_t when = kv_expire(e);
    if (when < 0) {
        reply_int(c, -1);
        return;
    }
    if (absolute) {
        reply_int(c, ms ? when : when / 1000);
        return;
    }
    int64_t ttl = when - db_now_ms();
    if (ttl < 0)
        ttl = 0;
    reply_int(c, ms ? ttl : (ttl + 500) / 1000);
}

static void
cmd_ttl(struct client *c)
{
    reply_ttl(c, 0, 0);
}

static void
cmd_pttl(struct client *c)
{
    reply_ttl(c, 1, 0);
}

static void
cmd_expiretime(struct client *c)
{
    reply_ttl(c, 0, 1);
}

static void
cmd_pexpiretime(struct client *c)
{
    reply_ttl(c, 1, 1);
}

static void
cmd_persist(struct client *c)
{
    struct db *db = CDB(c);
    struct kv *e = db_lookup_write(db, ARGP(c, 1), ARGL(c, 1));
    if (e == NULL || kv_expire(e) < 0) {
        reply_int(c, 0);
        return;
    }
    if (db_set_expire(db, &e, -1) < 0) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    arg_notify(c, NOTIFY_GENERIC, "persist", 1);
    reply_int(c, 1);
}

/* ---- RENAME ---- */

/* RENAME and RENAMENX (`nx`: only when argv[2] is free): move argv[1]'s value and expiry to
 * argv[2]. */
static void
rename_key(struct client *c, int nx)
{
    struct db *db = CDB(c);
    struct kv *src = db_lookup_write(db, ARGP(c, 1), ARGL(c, 1));
    if (src == NULL) {
        reply_error(c, "ERR no such key");
        return;
    }
    if (ARGL(c, 1) == ARGL(c, 2) && memcmp(ARGP(c, 1), ARGP(c, 2), ARGL(c, 1)) == 0) {
        if (nx)
            reply_int(c, 0);
        else
            reply_ok(c);
        return;
    }
    struct kv *dst = db_lookup_write(db, ARGP(c, 2), ARGL(c, 2));
    if (dst && nx) {
        reply_int(c, 0);
        return;
    }
    /* The key is part of the entry: build the new one around the same value first. */
    struct val v;
    kv_get_val(src, &v);
    struct kv *ne = kv_build(ARGP(c, 2), ARGL(c, 2), &v, kv_expire(src));
    if (ne == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    ne->lru = src->lru;
    if (dst)
        db_delete_kv(db, dst, FREE_SYNC);
    struct kv *old = db_unlink(db, ARGP(c, 1), ARGL(c, 1));
    if (db_insert_kv(db, ne) < 0) {
        /* Only the expires array can fail to grow, and old just left it: cannot happen. */
        kv_free_shell(ne);
        db_insert_kv(db, old);
        reply_error(c, ERR_ALLOC);
        return;
    }
    kv_free_shell(old);
    arg_notify(c, NOTIFY_GENERIC, "rename_from", 1);
    arg_notify(c, NOTIFY_GENERIC, "rename_to", 2);
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void
cmd_rename(struct client *c)
{
    rename_key(c, 0);
}

static void
cmd_renamenx(struct client *c)
{
    rename_key(c, 1);
}

/* ---- COPY / MOVE ---- */

#define ERR_SAME_OBJECT "ERR source and destination objects are the same"

/* The database index at argv[i]: the database, or NULL after the error reply. Redis reads the
 * index as an int (its own error for a long long beyond one, sic "must between"), then checks
 * it against the databases. */
static struct db *
arg_db(struct client *c, int i)
{
    long long id;
    if (arg_ll(c, i, &id) < 0) {
        reply_error_notint(c);
        return NULL;
    }
    if (id < INT_MIN || id > INT_MAX) {
        reply_error(c, "ERR value is out of range, value must between -2147483648 and "
                       "2147483647");
        return NULL;
    }
    if (id < 0 || id >= db_count()) {
        reply_error(c, "ERR DB index is out of range");
        return NULL;
    }
    return db_get((int)id);
}

static int
same_key(struct client *c, int i, int j)
{
    return ARGL(c, i) == ARGL(c, j) && memcmp(ARGP(c, i), ARGP(c, j), ARGL(c, i)) == 0;
}

/* COPY source destination [DB index] [REPLACE]: a deep copy of the value, same encoding,
 * with the source's expiry; 1, or 0 when the source is missing or the destination exists
 * without REPLACE. */
static void
cmd_copy(struct client *c)
{
    struct db *src = CDB(c), *dst = src;
    int replace = 0;
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(c, j, "replace")) {
            replace = 1;
        } else if (arg_is(c, j, "db") && j + 1 < c->argc) {
            if ((dst = arg_db(c, ++j)) == NULL)
                return;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (src == dst && same_key(c, 1, 2)) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    struct kv *e = db_lookup_read(src, ARGP(c, 1), ARGL(c, 1));
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    struct kv *old = db_lookup_write(dst, ARGP(c, 2), ARGL(c, 2));
    if (old && !replace) {
        reply_int(c, 0);
        return;
    }
    /* Everything that can fail comes before the destination's old value goes. */
    struct val v;
    if (val_copy(e, &v) < 0) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    struct kv *ne = kv_build(ARGP(c, 2), ARGL(c, 2), &v, kv_expire(e));
    if (ne == NULL) {
        val_free(v.enc, v.ptr);
        reply_error(c, ERR_ALLOC);
        return;
    }
    ne->lru = evict_new_lru();
    if (old)
        db_delete_kv(dst, old, FREE_SYNC);
    if (db_insert_kv(dst, ne) < 0) {
        kv_free(ne);
        reply_error(c, ERR_ALLOC);
        return;
    }
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", dst->id, ARGP(c, 2), ARGL(c, 2));
    reply_int(c, 1);
}

/* MOVE key db: the entry itself goes to the other database, expiry and LRU/LFU data with it;
 * 0 when the key is missing or already exists there. */
static void
cmd_move(struct client *c)
{
    struct db *src = CDB(c), *dst = arg_db(c, 2);
    if (dst == NULL)
        return;
    if (dst == src) {
        reply_error(c, ERR_SAME_OBJECT);
        return;
    }
    if (db_lookup_write(src, ARGP(c, 1), ARGL(c, 1)) == NULL ||
        db_lookup_write(dst, ARGP(c, 1), ARGL(c, 1)) != NULL) {
        reply_int(c, 0);
        return;
    }
    struct kv *e = db_unlink(src, ARGP(c, 1), ARGL(c, 1));
    if (db_insert_kv(dst, e) < 0) {
        /* Only dst's expires array can fail to grow; src's still has e's slot. */
        db_insert_kv(src, e);
        reply_error(c, ERR_ALLOC);
        return;
    }
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", src->id, ARGP(c, 1), ARGL(c, 1));
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", dst->id, ARGP(c, 1), ARGL(c, 1));
    reply_int(c, 1);
}

/* ---- DUMP / RESTORE / MIGRATE ---- */

/* zmem has no serialization format (no persistence, no replication): DUMP, RESTORE and
 * MIGRATE say so rather than fail as unknown commands, so a client learns why. */
static void
cmd_dump_restore(struct client *c)
{
    char name[32];
    command_fullname(c->cmd, name, sizeof(name));
    for (char *p = name; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    reply_errorf(c,
                 "ERR %s is not supported: zmem keeps data in memory only and has no "
                 "serialization format",
                 name);
}

/* ---- OBJECT ---- */

static struct kv *
object_lookup(struct client *c)
{
    struct kv *e = db_lookup(CDB(c), ARGP(c, 2), ARGL(c, 2), LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
    if (e == NULL)
        reply_null(c);
    return e;
}

static void
cmd_object_encoding(struct client *c)
{
    struct kv *e = object_lookup(c);
    if (e)
        reply_bulk_cstr(c, kv_enc_name(e));
}

static void
cmd_object_freq(struct client *c)
{
    struct kv *e = object_lookup(c);
    if (e == NULL)
        return;
    if (!evict_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is not selected, access frequency not "
                       "tracked. Please note that when switching between policies at runtime "
                       "LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(c, evict_lfu_freq(e));
}

static void
cmd_object_idletime(struct client *c)
{
    struct kv *e = object_lookup(c);
    if (e == NULL)
        return;
    if (evict_is_lfu()) {
        reply_error(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please "
                       "note that when switching between policies at runtime LRU and LFU data "
                       "will take some time to adjust.");
        return;
    }
    reply_int(c, (long long)evict_idle_seconds(e));
}

static void
cmd_object_refcount(struct client *c)
{
    if (object_lookup(c))
        reply_int(c, 1); /* zmem shares no values */
}

static void
cmd_object_help(struct client *c)
{
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(c, "object", lines);
}

/* ---- FLUSHDB / FLUSHALL ---- */

/* [ASYNC|SYNC]: 1 async, 0 sync, -1 after a syntax error reply. */
static int
flush_mode(struct client *c)
{
    if (c->argc == 1)
        return 0;
    if (c->argc == 2 && arg_is(c, 1, "async"))
        return 1;
    if (c->argc == 2 && arg_is(c, 1, "sync"))
        return 0;
    reply_error_syntax(c);
    return -1;
}

static void
cmd_flushdb(struct client *c)
{
    int async = flush_mode(c);
    if (async < 0)
        return;
    db_flush(CDB(c), async);
    reply_ok(c);
}

static void
cmd_flushall(struct client *c)
{
    int async = flush_mode(c);
    if (async < 0)
        return;
    for (int i = 0; i < db_count(); i++)
        db_flush(db_get(i), async);
    /* Give the freed pages back to the OS, after the lazy free thread is done with them. */
    if (async)
        lazyfree_purge();
    else
        zmalloc_purge();
    reply_ok(c);
}

static const struct command object_subcommands[] = {
    COMMAND("encoding", cmd_object_encoding, 3, CMD_READONLY, .keys = {2, 2, 1},
            .summary = "Encoding of a key's value", .group = "generic"),
    COMMAND("freq", cmd_object_freq, 3, CMD_READONLY, .keys = {2, 2, 1},
            .summary = "LFU access frequency of a key", .group = "generic"),
    COMMAND("idletime", cmd_object_idletime, 3, CMD_READONLY, .keys = {2, 2, 1},
            .summary = "Seconds since a key was used", .group = "generic"),
    COMMAND("refcount", cmd_object_refcount, 3, CMD_READONLY, .keys = {2, 2, 1},
            .summary = "References to a key's value", .group = "generic"),
    COMMAND("help", cmd_object_help, 2, CMD_LOADING | CMD_STALE, .summary = "Show OBJECT help",
            .group = "generic"),
    COMMAND_END,
};

const struct command cmd_keys_table[] = {
    COMMAND("del", cmd_del, -2, CMD_WRITE | CMD_DB_SIGNALS, .keys = {1, -1, 1},
            .summary = "Delete keys", .group = "generic"),
    COMMAND("unlink", cmd_unlink, -2, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, -1, 1},
            .summary = "Delete keys, freeing in the background", .group = "generic"),
    COMMAND("exists", cmd_exists, -2, CMD_READONLY | CMD_FAST, .keys = {1, -1, 1},
            .summary = "Count existing keys", .group = "generic"),
    COMMAND("touch", cmd_touch, -2, CMD_READONLY | CMD_FAST, .keys = {1, -1, 1},
            .summary = "Touch keys (LRU/LFU)", .group = "generic"),
    COMMAND("type", cmd_type, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Type of a key's value", .group = "generic"),
    COMMAND("keys", cmd_keys, 2, CMD_READONLY, .summary = "Keys matching a pattern",
            .group = "generic"),
    COMMAND("randomkey", cmd_randomkey, 1, CMD_READONLY, .summary = "A random key",
            .group = "generic"),
    COMMAND("dbsize", cmd_dbsize, 1, CMD_READONLY | CMD_FAST, .summary = "Number of keys",
            .group = "server"),
    COMMAND("expire", cmd_expire, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set a TTL in seconds", .group = "generic"),
    COMMAND("pexpire", cmd_pexpire, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set a TTL in ms", .group = "generic"),
    COMMAND("expireat", cmd_expireat, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Set an expiry as a unix time", .group = "generic"),
    COMMAND("pexpireat", cmd_pexpireat, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST,
            .keys = {1, 1, 1}, .summary = "Set an expiry as a unix time in ms", .group = "generic"),
    COMMAND("ttl", cmd_ttl, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remaining time to live (s)", .group = "generic"),
    COMMAND("pttl", cmd_pttl, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remaining time to live (ms)", .group = "generic"),
    COMMAND("expiretime", cmd_expiretime, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Expiry as a unix time", .group = "generic"),
    COMMAND("pexpiretime", cmd_pexpiretime, 2, CMD_READONLY | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Expiry as a unix time in ms", .group = "generic"),
    COMMAND("persist", cmd_persist, 2, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Remove a key's expiry", .group = "generic"),
    COMMAND("rename", cmd_rename, 3, CMD_WRITE | CMD_DB_SIGNALS, .keys = {1, 2, 1},
            .summary = "Give a key a new name, replacing any key already there",
            .group = "generic"),
    COMMAND("renamenx", cmd_renamenx, 3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 2, 1},
            .summary = "Rename a key if the new name is free", .group = "generic"),
    COMMAND("copy", cmd_copy, -3, CMD_WRITE | CMD_DB_SIGNALS | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Copy a key's value to another key", .group = "generic"),
    COMMAND("move", cmd_move, 3, CMD_WRITE | CMD_DB_SIGNALS | CMD_FAST, .keys = {1, 1, 1},
            .summary = "Move a key into another database if the name is free there",
            .group = "generic"),
    COMMAND("dump", cmd_dump_restore, 2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Not supported: zmem has no serialization format", .group = "generic"),
    COMMAND("migrate", cmd_dump_restore, -6, CMD_WRITE, .keys = {3, 3, 1},
            .summary = "Not supported: zmem has no serialization format", .group = "generic"),
    COMMAND("restore", cmd_dump_restore, -4, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Not supported: zmem has no serialization format", .group = "generic"),
    COMMAND("object", NULL, -2, 0, .subcommands = object_subcommands,
            .summary = "Inspect keys' internals", .group = "generic"),
    COMMAND("flushdb", cmd_flushdb, -1, CMD_WRITE, .summary = "Remove all keys of this database",
            .group = "server"),
    COMMAND("flushall", cmd_flushall, -1, CMD_WRITE, .summary = "Remove all keys",
            .group = "server"),
    COMMAND_END,
};
