/* cmd_debug.c — DEBUG, the subset Redis's test habits and client test suites lean on: OBJECT,
 * SLEEP, SET-ACTIVE-EXPIRE, POPULATE, PROTOCOL, STRINGMATCH-TEST, MALLCTL, MALLCTL-STR,
 * CHANGE-REPL-ID and QUICKLIST-PACKED-THRESHOLD (accepted), HELP; and zmem's DEFRAG-ALL. Refused
 * unless enable-debug-command allows it
 * (`yes`, or `local` for a client on a loopback address), with Redis's text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "defrag.h"
#include "evict.h"
#include "expire.h"
#include "resp.h"
#include "util.h"
#include "zmalloc.h"

/* Whether the peer is on a loopback address (Redis's "local" connection). */
static int
client_is_local(const struct client *c)
{
    char ip[64];
    const char *colon = strrchr(c->addr, ':');
    size_t n = colon ? (size_t)(colon - c->addr) : strlen(c->addr);

    if (n >= sizeof(ip))
        return 0;
    memcpy(ip, c->addr, n);
    ip[n] = '\0';
    if (ip[0] == '[' && n > 2 && ip[n - 1] == ']') {
        memmove(ip, ip + 1, n - 2);
        ip[n - 2] = '\0';
    }
    return addr_is_loopback(ip) == 1;
}

static void
debug_object(struct client *c)
{
    struct kv *e = db_lookup(CDB(c), ARGP(c, 2), ARGL(c, 2), LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
    if (e == NULL) {
        reply_error(c, "ERR no such key");
        return;
    }
    /* serializedlength: the string's length; zmem writes no RDB to measure other types by. */
    size_t len = 0;
    char ibuf[32];
    if (enc_type(e->enc) == OBJ_STRING)
        kv_str(e, &len, ibuf);
    char line[256];
    snprintf(line, sizeof(line),
             "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%llu",
             (void *)e, kv_enc_name(e), len, (unsigned)e->lru, evict_idle_seconds(e));
    reply_simple(c, line);
}

static void
debug_sleep(struct client *c)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%.*s", (int)ARGL(c, 2), ARGP(c, 2));
    double secs = strtod(tmp, NULL); /* as Redis: what does not parse sleeps 0 */
    if (secs > 0) {
        struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
        while (nanosleep(&ts, &ts) < 0)
            ;
    }
    reply_ok(c);
}

/* POPULATE count [prefix] [size]: keys <prefix>:<n> (prefix "key") holding "value:<n>", cut
 * or zero-padded to size bytes when size is given; keys that exist are left alone. */
static void
debug_populate(struct client *c)
{
    long long count, size = 0;
    if (arg_ll(c, 2, &count) < 0 || count < 0 ||
        (c->argc == 5 && (arg_ll(c, 4, &size) < 0 || size < 0))) {
        reply_error(c, "ERR value is out of range, must be positive");
        return;
    }
    const char *prefix = c->argc >= 4 ? ARGP(c, 3) : "key";
    size_t plen = c->argc >= 4 ? ARGL(c, 3) : 3;
    struct db *db = CDB(c);
    char *key = zmalloc(plen + 32), *val = size > 0 ? zmalloc((size_t)size) : NULL;
    char vbuf[32];

    memcpy(key, prefix, plen);
    for (long long i = 0; i < count; i++) {
        size_t klen = plen + (size_t)snprintf(key + plen, 32, ":%lld", i);
        if (db_peek(db, key, klen) != NULL)
            continue;
        int vl = snprintf(vbuf, sizeof(vbuf), "value:%lld", i);
        const char *v = vbuf;
        size_t vlen = (size_t)vl;
        if (size > 0) {
            memset(val, 0, (size_t)size);
            memcpy(val, vbuf, (size_t)size < vlen ? (size_t)size : vlen);
            v = val;
            vlen = (size_t)size;
        }
        struct val sv;
        if (str_val(v, vlen, &sv) < 0 || db_add(db, key, klen, &sv, -1) == NULL) {
            if (sv.enc == ENC_RAW)
                val_free(sv.enc, sv.ptr);
            zfree(key);
            zfree(val);
            reply_error(c, "OOM command not allowed when used memory > 'maxmemory'.");
            return;
        }
    }
    zfree(key);
    zfree(val);
    reply_ok(c);
}

static void
reply_bool(struct client *c, int v)
{
    if (c->proto == RESP3)
        buf_append(&c->reply, v ? "#t\r\n" : "#f\r\n", 4);
    else
        reply_int(c, v);
}

/* PROTOCOL <type>: one sample reply of each RESP type, in the client's protocol. */
static void
debug_protocol(struct client *c)
{
    static const char bignum[] = "1234567999999999999999999999999999999";
    int r3 = c->proto == RESP3;

    if (arg_is(c, 2, "string")) {
        reply_bulk_cstr(c, "Hello World");
    } else if (arg_is(c, 2, "integer")) {
        reply_int(c, 12345);
    } else if (arg_is(c, 2, "double")) {
        reply_double(c, 3.141);
    } else if (arg_is(c, 2, "bignum")) {
        if (r3)
            buf_printf(&c->reply, "(%s\r\n", bignum);
        else
            reply_bulk_cstr(c, bignum);
    } else if (arg_is(c, 2, "null")) {
        reply_null(c);
    } else if (arg_is(c, 2, "array") || arg_is(c, 2, "set")) {
        if (arg_is(c, 2, "set"))
            reply_set(c, 3);
        else
            reply_array(c, 3);
        for (int i = 0; i < 3; i++)
            reply_int(c, i);
    } else if (arg_is(c, 2, "map")) {
        reply_map(c, 3);
        for (int i = 0; i < 3; i++) {
            reply_int(c, i);
            reply_bool(c, i == 1);
        }
    } else if (arg_is(c, 2, "attrib")) {
        if (r3) {
            buf_append_str(&c->reply, "|1\r\n");
            reply_bulk_cstr(c, "key-popularity");
            reply_array(c, 2);
            reply_bulk_cstr(c, "key:123");
            reply_int(c, 90);
        }
        reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (arg_is(c, 2, "push")) {
        if (!r3) {
            reply_error(c, "ERR RESP2 is not supported by this command");
            return;
        }
        buf_append_str(&c->reply, ">2\r\n");
        reply_bulk_cstr(c, "server-cpu-usage");
        reply_int(c, 42);
        reply_bulk_cstr(c, "Some real reply following the push reply");
    } else if (arg_is(c, 2, "verbatim")) {
        reply_verbatim(c, "This is a verbatim\nstring", 25);
    } else if (arg_is(c, 2, "true") || arg_is(c, 2, "false")) {
        reply_bool(c, arg_is(c, 2, "true"));
    } else {
        reply_error(c, "ERR Wrong protocol type name. Please use one of the following: "
                       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                       "true|false");
    }
}

/* STRINGMATCH-TEST: random patterns against random strings, to show glob_match neither
 * crashes nor reads out of bounds (run under a sanitizer to mean something). */
static void
debug_stringmatch_test(struct client *c)
{
    static const char alphabet[] = "ab*?[]^-\\!x";
    char pat[32], str[32];
    unsigned seed = 1;

    for (int round = 0; round < 100000; round++) {
        size_t pl = (size_t)(rand_r(&seed) % (int)sizeof(pat));
        size_t sl = (size_t)(rand_r(&seed) % (int)sizeof(str));
        for (size_t i = 0; i < pl; i++)
            pat[i] = alphabet[rand_r(&seed) % (int)(sizeof(alphabet) - 1)];
        for (size_t i = 0; i < sl; i++)
            str[i] = alphabet[rand_r(&seed) % (int)(sizeof(alphabet) - 1)];
        (void)glob_match(pat, pl, str, sl, round & 1);
    }
    reply_simple(c, "Apparently Redis did not crash: test passed");
}

/* DEBUG MALLCTL <name> [<value>] and MALLCTL-STR: jemalloc's option, read and optionally
 * written, answering exactly as Redis 7.0 does: the old value, +OK when a write-only option
 * was written, strerror's text otherwise (ENOENT: no such option). MALLCTL-STR's value VOID
 * calls the option with no value (thread.tcache.flush). Arguments past the value are ignored,
 * as in Redis. */
static void
debug_mallctl(struct client *c, int str)
{
    char name[256], val[256];
    int has_val = c->argc > 3, ret;

    snprintf(name, sizeof(name), "%.*s", (int)ARGL(c, 2), ARGP(c, 2));
    if (has_val)
        snprintf(val, sizeof(val), "%.*s", (int)ARGL(c, 3), ARGP(c, 3));
    if (str) {
        const char *old = NULL;
        ret = zmalloc_mallctl_str(name, &old, has_val,
                                  has_val && strcmp(val, "VOID") == 0 ? NULL : val);
        if (ret == 0) {
            if (old)
                reply_bulk_cstr(c, old);
            else
                reply_null(c); /* an option whose string is unset */
            return;
        }
    } else {
        long long nv = 0;
        int64_t old = 0, v;
        if (has_val && str_to_ll(val, strlen(val), &nv) < 0) {
            reply_error(c, "ERR value is not an integer or out of range");
            return;
        }
        v = nv;
        ret = zmalloc_mallctl_int(name, &old, has_val ? &v : NULL);
        if (ret == 0) {
            reply_int(c, old);
            return;
        }
    }
    if (ret == ZMALLOC_MALLCTL_WRITTEN)
        reply_ok(c);
    else
        reply_errorf(c, "ERR %s", strerror(ret));
}

/* DEBUG DEFRAG-ALL [FORCE]: one whole defragmentation pass now, whatever the thresholds;
 * FORCE moves every block (any allocator), which tests use to check every pointer fix-up. */
static void
debug_defrag_all(struct client *c)
{
    int force = c->argc == 3 && arg_is(c, 2, "force");

    if (c->argc == 3 && !force) {
        reply_error(c, "ERR syntax error");
        return;
    }
    if (!force && !zmalloc_defrag_supported()) {
        reply_error(c, "ERR Active defragmentation needs jemalloc (use FORCE to move every "
                       "block)");
        return;
    }
    defrag_full(force);
    reply_ok(c);
}

static void
debug_help(struct client *c)
{
    static const char *const lines[] = {
        "CHANGE-REPL-ID",
        "    Accepted; zmem has no replication IDs to change.",
        "DEFRAG-ALL [FORCE]",
        "    Run a whole active defragmentation pass now; FORCE moves every block.",
        "MALLCTL <key> [<val>]",
        "    Get or set a jemalloc option (integer).",
        "MALLCTL-STR <key> [<val>]",
        "    Get or set a jemalloc option (string).",
        "OBJECT <key>",
        "    Show the encoding, LRU field and address of <key>'s value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys <prefix>:<n> (prefix \"key\") holding \"value:<n>\",",
        "    cut or zero-padded to <size> bytes. Existing keys are left alone.",
        "PROTOCOL <type>",
        "    Reply with a sample of <type>: string, integer, double, bignum, null, array,",
        "    set, map, attrib, push, verbatim, true, false.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Accepted; zmem's lists have no plain nodes.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    0 stops the background expire cycle (keys still expire when read); 1 restarts it.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds> (decimals allowed).",
        "STRINGMATCH-TEST",
        "    Fuzz the glob matcher.",
        NULL,
    };
    reply_help(c, "debug", lines);
}

static void
cmd_debug(struct client *c)
{
    int mode = config_get()->enable_debug_command;
    if (mode == ENABLE_NO || (mode == ENABLE_LOCAL && !client_is_local(c))) {
        reply_error(c, "ERR DEBUG command not allowed. If the enable-debug-command option is set "
                       "to \"local\", you can run it from a local connection, otherwise you need "
                       "to set this option in the configuration file, and then restart the "
                       "server.");
        return;
    }
    int argc = c->argc;
    char word[64];

    if (arg_is(c, 1, "help") && argc == 2)
        debug_help(c);
    else if (arg_is(c, 1, "object") && argc == 3)
        debug_object(c);
    else if (arg_is(c, 1, "sleep") && argc == 3)
        debug_sleep(c);
    else if (arg_is(c, 1, "set-active-expire") && argc == 3) {
        snprintf(word, sizeof(word), "%.*s", (int)ARGL(c, 2), ARGP(c, 2));
        expire_set_active(atoi(word) != 0); /* as Redis: what does not parse is 0 */
        reply_ok(c);
    } else if (arg_is(c, 1, "populate") && argc >= 3 && argc <= 5)
        debug_populate(c);
    else if (arg_is(c, 1, "protocol") && argc == 3)
        debug_protocol(c);
    else if (arg_is(c, 1, "stringmatch-test") && argc == 2)
        debug_stringmatch_test(c);
    else if (arg_is(c, 1, "mallctl") && argc >= 3)
        debug_mallctl(c, 0);
    else if (arg_is(c, 1, "mallctl-str") && argc >= 3)
        debug_mallctl(c, 1);
    else if (arg_is(c, 1, "defrag-all") && (argc == 2 || argc == 3))
        debug_defrag_all(c);
    else if (arg_is(c, 1, "change-repl-id") && argc == 2)
        reply_ok(c);
    else if (arg_is(c, 1, "quicklist-packed-threshold") && argc == 3) {
        long long v;
        snprintf(word, sizeof(word), "%.*s", (int)ARGL(c, 2), ARGP(c, 2));
        if (str_to_memory(word, &v) < 0 || v < 1 || v > (1LL << 32)) {
            reply_error(c, "ERR argument must be a memory value bigger than 1 and smaller than "
                           "4gb");
            return;
        }
        reply_ok(c);
    } else {
        reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try "
                     "DEBUG HELP.",
                     (int)(ARGL(c, 1) > 128 ? 128 : ARGL(c, 1)), ARGP(c, 1));
    }
}

const struct command cmd_debug_table[] = {
    COMMAND("debug", cmd_debug, -2, CMD_ADMIN | CMD_LOADING | CMD_STALE,
            .summary = "Internal test and diagnostic commands (DEBUG HELP lists them)",
            .group = "server"),
    COMMAND_END,
};
