/* tracking.c — client-side caching. Two tables, both zmalloc'd and freed when empty:
 *
 * - the key table: one `struct tkey` per key some client in the default mode has read since it
 *   last changed, listing those clients. Each client keeps the reverse references, and each side
 *   records its index in the other's array, so adding, invalidating and a client's disconnect
 *   cost O(1) per pair (Redis instead leaves a closed client's ids behind until the key changes;
 *   zmem frees them at once, so the counters and the memory go back to zero).
 * - the prefix table (BCAST) lives in bcast.c; its messages go out through send_raw() here when
 *   the turn's commands are done (Redis's beforeSleep), from an event activated by the first
 *   change under a prefix.
 *
 * Like Redis, the key table is one for all databases: a key name read in db 0 is invalidated by
 * a change to that name in any database. */
#include "tracking.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "bcast.h"
#include "client.h"
#include "command.h"
#include "config.h"
#include "db.h"
#include "dict.h"
#include "net.h"
#include "resp_write.h"
#include "zmalloc.h"
#include "memcat.h"

/* Client state flags beyond the TRACKING_* options. */
#define T_ON      (1u << 8)  /* tracking enabled */
#define T_CACHING (1u << 9)  /* CLIENT CACHING given for the next command */
#define T_BROKEN  (1u << 10) /* the redirect client is gone (flag R, broken_redirect) */

struct tkey;

/* A client's reference to a key it tracks: the key and the client's index in its holders. */
struct tref {
    struct tkey *k;
    uint32_t hi;
};

/* A holder of a key: the client and the index of the reference in its array. */
struct tholder {
    struct client *c;
    uint32_t ri;
};

struct tkey {
    struct dict_node node;
    struct tholder *h; /* n used of cap */
    uint32_t n, cap;
    size_t klen;
    char key[];
};

struct client_tracking {
    unsigned flags;    /* TRACKING_* | T_* */
    uint64_t redir_id; /* REDIRECT id, 0: none */
    struct client *rc; /* the redirect client while it is connected, else NULL */
    struct tref *refs; /* keys tracked, n used of cap */
    uint32_t n, cap;
    struct bcast_list bl; /* BCAST prefixes */
};

static struct dict *keys;      /* struct tkey, NULL while empty */
static size_t total_items;     /* key-client pairs in the key table */
static size_t nclients;        /* clients with tracking on */
static size_t nredirecting;    /* of them, with a redirect client */
static struct event *turn_ev;  /* end of the loop turn: BCAST messages, table limit */
static int turn_pending;       /* turn_ev is active */
static int limit_rounds;       /* passes in a row that left the table over its limit */
static struct client *current; /* the client whose command is being dispatched */
static int call_depth;         /* nesting of command_call (EXEC) */
static uint64_t call_gen;      /* bumped per call: one FLUSHALL invalidates once */
static uint64_t flush_gen;

/* Invalidations owed to the current client, sent after its reply: key copies, NULL for a flush. */
struct pending {
    char *key;
    size_t klen;
};
static struct pending *pend;
static size_t npend, cappend;

static const char *
tkey_name(const struct dict_node *n, size_t *len)
{
    const struct tkey *k = (const struct tkey *)n;
    *len = k->klen;
    return k->key;
}

static void on_key_modified(struct db *db, const char *key, size_t klen);
static void on_flush(struct db *db, int async);

/* The keyspace tells us of changes only while a key or a prefix is tracked, and of flushes
 * only while a client tracks (each is told of any flush): otherwise writes pay nothing. */
static void
hooks_update(void)
{
    db_set_modified_hook(keys || bcast_prefixes() ? on_key_modified : NULL);
    db_set_flush_hook(nclients || keys ? on_flush : NULL);
}

static void
schedule_turn(void)
{
    if (turn_ev && !turn_pending) {
        turn_pending = 1;
        event_active(turn_ev, EV_TIMEOUT, 1);
    }
}

/* Make room for `need` elements of `size` bytes, doubling from `first`. */
static void
grow(void **arr, uint32_t *cap, uint32_t need, size_t size, uint32_t first)
{
    if (need > *cap) {
        *cap = *cap ? *cap * 2 : first;
        *arr = zrealloc(*arr, (size_t)*cap * size);
    }
}

/* ---- Sending ---- */

/* One invalidation for c, whose payload `resp` is already encoded (an array of keys, or a
 * null): a RESP3 push to c or its redirect client, or a RESP2 message on __redis__:invalidate
 * when the redirect client is subscribed to something; RESP2 without a redirect gets nothing.
 * A redirect client that is gone makes c's redirect broken, told once per message in RESP3. */
static void
send_raw(struct client *c, const char *resp, size_t len)
{
    struct client_tracking *t = c->tracking;
    struct client *to = c;

    if (t->redir_id) {
        if (t->rc == NULL) {
            t->flags |= T_BROKEN;
            if (c->proto == RESP3 && !(c->flags & CLIENT_CLOSE_ASAP)) {
                buf_append_str(&c->reply, ">2\r\n");
                resp_write_bulk(&c->reply, "tracking-redir-broken", 21);
                resp_write_int(&c->reply, (long long)t->redir_id);
                client_output_added(c);
            }
            return;
        }
        to = t->rc;
    }
    if (to->flags & CLIENT_CLOSE_ASAP)
        return;
    if (to->proto == RESP3) {
        buf_append_str(&to->reply, ">2\r\n$10\r\ninvalidate\r\n");
    } else if (to != c && to->pubsub) {
        buf_append_str(&to->reply, "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
    } else {
        return;
    }
    buf_append(&to->reply, resp, len);
    client_output_added(to);
}

/* An invalidation of one key for c. */
static void
send_key(struct client *c, const char *key, size_t klen)
{
    struct buf b = BUF_INIT;
    resp_write_array(&b, 1);
    resp_write_bulk(&b, key, klen);
    send_raw(c, b.data, b.len);
    buf_free(&b);
}

/* The null invalidation of a flush, encoded in c's own protocol as Redis does. */
static void
send_null(struct client *c)
{
    if (c->proto == RESP3)
        send_raw(c, "_\r\n", 3);
    else
        send_raw(c, "$-1\r\n", 5);
}

static void
pend_add(const char *key, size_t klen)
{
    if (npend == cappend) {
        cappend = cappend ? cappend * 2 : 4;
        pend = zrealloc(pend, cappend * sizeof(*pend));
    }
    pend[npend].key = key ? zmalloc(klen ? klen : 1) : NULL;
    if (key)
        memcpy(pend[npend].key, key, klen);
    pend[npend++].klen = klen;
}

static void
pend_flush(struct client *c)
{
    for (size_t i = 0; i < npend; i++) {
        if (c && c->tracking && (c->tracking->flags & T_ON)) {
            if (pend[i].key)
                send_key(c, pend[i].key, pend[i].klen);
            else
                send_null(c);
        }
        zfree(pend[i].key);
    }
    zfree(pend);
    pend = NULL;
    npend = cappend = 0;
}

/* ---- The key table ---- */

static void
holder_remove(struct tkey *k, uint32_t i)
{
    struct tholder last = k->h[--k->n];
    if (i != k->n) {
        k->h[i] = last;
        last.c->tracking->refs[last.ri].hi = i;
    }
}

static void
ref_remove(struct client *c, uint32_t i)
{
    struct client_tracking *t = c->tracking;
    struct tref last = t->refs[--t->n];
    if (i != t->n) {
        t->refs[i] = last;
        last.k->h[last.hi].ri = i;
    }
    if (t->n == 0) {
        zfree(t->refs);
        t->refs = NULL;
        t->cap = 0;
        client_account(c);
    }
}

static void
tkey_free(struct tkey *k)
{
    dict_remove(keys, k->key, k->klen, dict_hash(k->key, k->klen));
    zfree(k->h);
    zfree(k);
    if (dict_size(keys) == 0) {
        dict_destroy(keys);
        keys = NULL;
    }
}

/* Tell k's holders their key changed and forget it. The running client hears of its own
 * change after its reply, or not at all with NOLOOP. */
static void
tkey_invalidate(struct tkey *k)
{
    for (uint32_t i = 0; i < k->n; i++) {
        struct client *c = k->h[i].c;
        unsigned f = c->tracking->flags;
        ref_remove(c, k->h[i].ri);
        if (!(f & T_ON) || (f & TRACKING_BCAST))
            continue;
        if (c == current && (f & TRACKING_NOLOOP))
            continue;
        if (c == current && call_depth > 0)
            pend_add(k->key, k->klen);
        else
            send_key(c, k->key, k->klen);
    }
    total_items -= k->n;
    k->n = 0;
    tkey_free(k);
}

static void
remember(struct client *c, const char *key, size_t klen)
{
    struct client_tracking *t = c->tracking;
    uint64_t h = dict_hash(key, klen);
    struct tkey *k = keys ? (struct tkey *)dict_find(keys, key, klen, h) : NULL;

    if (k == NULL) {
        if (keys == NULL) {
            keys = dict_create(tkey_name);
            hooks_update();
        }
        k = zcalloc(sizeof(*k) + klen);
        k->klen = klen;
        memcpy(k->key, key, klen);
        dict_insert(keys, &k->node, h);
    }
    /* A key's readers are usually few, so the scan for c is short. */
    for (uint32_t i = 0; i < k->n; i++)
        if (k->h[i].c == c)
            return;
    /* Most keys have one reader: their holder array starts at one (16 bytes). */
    grow((void **)&k->h, &k->cap, k->n + 1, sizeof(*k->h), 1);
    grow((void **)&t->refs, &t->cap, t->n + 1, sizeof(*t->refs), 8);
    k->h[k->n] = (struct tholder){c, t->n};
    t->refs[t->n] = (struct tref){k, k->n};
    k->n++;
    t->n++;
    total_items++;
    long long max = config_get()->tracking_table_max_keys;
    if (max > 0 && dict_size(keys) > (size_t)max)
        schedule_turn();
}

/* Forget every key c tracks. */
static void
forget_keys(struct client *c)
{
    struct client_tracking *t = c->tracking;
    for (uint32_t i = 0; i < t->n; i++) {
        struct tkey *k = t->refs[i].k;
        holder_remove(k, t->refs[i].hi);
        if (k->n == 0)
            tkey_free(k);
    }
    total_items -= t->n;
    zfree(t->refs);
    t->refs = NULL;
    t->n = t->cap = 0;
}

void
tracking_remember_keys(struct client *c, const struct command *cmd)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* client-side state, whichever command runs */
    struct client_tracking *t = c->tracking;
    if (t == NULL || (t->flags & (T_ON | TRACKING_BCAST)) != T_ON || cmd->keys.first <= 0)
        return;
    /* OPTIN remembers only after CACHING YES, OPTOUT all but after CACHING NO. */
    int caching = (t->flags & T_CACHING) != 0;
    if (((t->flags & TRACKING_OPTIN) && !caching) || ((t->flags & TRACKING_OPTOUT) && caching))
        return;
    int last = cmd->keys.last < 0 ? c->argc + cmd->keys.last : cmd->keys.last;
    int step = cmd->keys.step > 0 ? cmd->keys.step : 1;
    size_t before = t->cap;
    for (int i = cmd->keys.first; i <= last && i < c->argc; i += step)
        remember(c, c->argv[i].ptr, c->argv[i].len);
    if (t->cap != before)
        client_account(c);
}

static void
on_key_modified(struct db *db, const char *key, size_t klen)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* the table's blocks, whichever command writes */
    (void)db;
    if (bcast_note(key, klen, current ? current->id : 0))
        schedule_turn();
    if (keys) {
        struct tkey *k = (struct tkey *)dict_find(keys, key, klen, dict_hash(key, klen));
        if (k) {
            tkey_invalidate(k);
            if (keys == NULL)
                hooks_update();
        }
    }
}

/* ---- The table's size limit ---- */

/* Over tracking-table-max-keys: invalidate random keys, at most 100 per consecutive pass that
 * did not get under the limit, as Redis does. */
static void
limit_keys(void)
{
    long long max = config_get()->tracking_table_max_keys;
    if (keys == NULL || max <= 0 || dict_size(keys) <= (size_t)max) {
        limit_rounds = 0;
        return;
    }
    for (int effort = 100 * (limit_rounds + 1); effort > 0 && keys; effort--) {
        tkey_invalidate((struct tkey *)dict_random(keys));
        if (keys == NULL || dict_size(keys) <= (size_t)max) {
            limit_rounds = 0;
            hooks_update();
            return;
        }
    }
    limit_rounds++;
}

static int
noloop(const struct client *c)
{
    return (c->tracking->flags & TRACKING_NOLOOP) != 0;
}

static void
on_turn(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    turn_pending = 0;
    bcast_send(send_raw, noloop);
    limit_keys();
}

void
tracking_cron(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (limit_rounds)
        limit_keys();
}

/* ---- Active defragmentation ---- */

static struct {
    int walking;               /* a walk of the key table is under way */
    unsigned long long cursor; /* its SCAN cursor (SCAN's guarantee covers changes between steps) */
    void *(*move)(void *p);
} dfg;

static void *
dfg_move_cb(void *p, void *ctx)
{
    (void)ctx;
    return dfg.move(p);
}

/* A key entry and its holder array. The array hangs off the entry only; the entry is linked
 * from its bucket (dict_scan_defrag fixes that) and from each holder's reference, at the index
 * the holder entry records. */
static struct dict_node *
defrag_tkey(struct dict_node *n, void *ctx)
{
    struct tkey *k = (struct tkey *)n, *nk;
    struct tholder *h = dfg.move(k->h);

    (void)ctx;
    if (h != NULL)
        k->h = h;
    if ((nk = dfg.move(k)) == NULL)
        return NULL;
    for (uint32_t i = 0; i < nk->n; i++)
        nk->h[i].c->tracking->refs[nk->h[i].ri].k = nk;
    return &nk->node;
}

int
tracking_defrag_step(int restart, void *(*move)(void *p))
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER); /* moves stay in the category the blocks were made in */

    if (restart) {
        dfg.walking = 1;
        dfg.cursor = 0;
    }
    if (!dfg.walking || keys == NULL)
        return dfg.walking = 0;
    dfg.move = move;
    dfg.cursor = dict_scan_defrag(keys, dfg.cursor, defrag_tkey, NULL);
    if (dfg.cursor != 0)
        return 1;
    dict_defrag_tables(keys, dfg_move_cb, NULL); /* the bucket tables, once the walk is done */
    return dfg.walking = 0;
}

/* ---- Flushes ---- */

static void
free_tkey(struct dict_node *n, void *ctx)
{
    (void)ctx;
    zfree(((struct tkey *)n)->h);
    zfree(n);
}

static void
forget_all_keys(void)
{
    for (struct client *c = clients_first(); c; c = c->next) {
        struct client_tracking *t = c->tracking;
        if (t && t->refs) {
            zfree(t->refs);
            t->refs = NULL;
            t->n = t->cap = 0;
            client_account(c);
        }
    }
    if (keys) {
        dict_clear(keys, free_tkey, NULL);
        dict_destroy(keys);
        keys = NULL;
    }
    total_items = 0;
}

/* FLUSHDB and FLUSHALL: every tracking client gets one null invalidation per command (BCAST and
 * NOLOOP ones too), and the whole table goes, as in Redis. */
static void
on_flush(struct db *db, int async)
{
    (void)db, (void)async;
    if (flush_gen == call_gen && call_depth > 0)
        return;
    flush_gen = call_gen;
    for (struct client *c = clients_first(); c; c = c->next) {
        if (c->tracking == NULL || !(c->tracking->flags & T_ON))
            continue;
        if (c == current && call_depth > 0)
            pend_add(NULL, 0);
        else
            send_null(c);
    }
    forget_all_keys();
    hooks_update();
}

/* ---- Client state ---- */

static struct client *
client_by_id(uint64_t id)
{
    for (struct client *c = clients_first(); c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

int
tracking_enable(struct client *c, unsigned options, long long redirect, const struct resp_arg *pr,
                size_t npr)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    unsigned cur = c->tracking ? c->tracking->flags : 0;
    const char *err = NULL;

    if (!(options & TRACKING_BCAST) && npr)
        err = "ERR PREFIX option requires BCAST mode to be enabled";
    else if ((cur & T_ON) && !!(cur & TRACKING_BCAST) != !!(options & TRACKING_BCAST))
        err = "ERR You can't switch BCAST mode on/off before disabling tracking for this "
              "client, and then re-enabling it with a different mode.";
    else if ((options & TRACKING_BCAST) && (options & (TRACKING_OPTIN | TRACKING_OPTOUT)))
        err = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    else if ((options & TRACKING_OPTIN) && (options & TRACKING_OPTOUT))
        err = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    else if (((options & TRACKING_OPTIN) && (cur & TRACKING_OPTOUT)) ||
             ((options & TRACKING_OPTOUT) && (cur & TRACKING_OPTIN)))
        err = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
              "client, and then re-enabling it with a different mode.";
    if (err) {
        reply_error(c, err);
        return -1;
    }
    static const struct bcast_list none;
    if ((options & TRACKING_BCAST) &&
        bcast_check(c, c->tracking ? &c->tracking->bl : &none, pr, npr) < 0)
        return -1;

    if (c->tracking == NULL)
        c->tracking = zcalloc(sizeof(*c->tracking));
    struct client_tracking *t = c->tracking;
    if (!(t->flags & T_ON))
        nclients++;
    nredirecting -= t->redir_id != 0;
    nredirecting += redirect != 0;
    t->flags = T_ON | (t->flags & T_CACHING) |
               (options & (TRACKING_BCAST | TRACKING_OPTIN | TRACKING_OPTOUT | TRACKING_NOLOOP));
    t->redir_id = (uint64_t)redirect;
    t->rc = redirect ? client_by_id((uint64_t)redirect) : NULL;
    if (options & TRACKING_BCAST) {
        if (npr == 0)
            bcast_add(&t->bl, c, "", 0);
        for (size_t i = 0; i < npr; i++)
            bcast_add(&t->bl, c, pr[i].ptr, pr[i].len);
    }
    hooks_update();
    client_account(c);
    return 0;
}

void
tracking_disable(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct client_tracking *t = c->tracking;
    if (t == NULL)
        return;
    bcast_clear(&t->bl, c);
    forget_keys(c);
    if (t->flags & T_ON)
        nclients--;
    nredirecting -= t->redir_id != 0;
    zfree(t);
    c->tracking = NULL;
    hooks_update();
    client_account(c);
}

int
tracking_caching(struct client *c, int yes)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    struct client_tracking *t = c->tracking;
    if (t == NULL || !(t->flags & T_ON)) {
        reply_error(c, "ERR CLIENT CACHING can be called only when the client is in tracking "
                       "mode with OPTIN or OPTOUT mode enabled");
        return -1;
    }
    if (yes && !(t->flags & TRACKING_OPTIN)) {
        reply_error(c, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN "
                       "mode.");
        return -1;
    }
    if (!yes && !(t->flags & TRACKING_OPTOUT)) {
        reply_error(c, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
                       "mode.");
        return -1;
    }
    t->flags |= T_CACHING;
    return 0;
}

long long
tracking_redirect(const struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    const struct client_tracking *t = c->tracking;
    return t && (t->flags & T_ON) ? (long long)t->redir_id : -1;
}

void
tracking_reply_info(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    const struct client_tracking *t = c->tracking;
    unsigned f = t ? t->flags : 0;
    const char *names[8];
    int n = 0;

    names[n++] = (f & T_ON) ? "on" : "off";
    if (f & TRACKING_BCAST)
        names[n++] = "bcast";
    if (f & TRACKING_OPTIN) {
        names[n++] = "optin";
        if (f & T_CACHING)
            names[n++] = "caching-yes";
    }
    if (f & TRACKING_OPTOUT) {
        names[n++] = "optout";
        if (f & T_CACHING)
            names[n++] = "caching-no";
    }
    if (f & TRACKING_NOLOOP)
        names[n++] = "noloop";
    if (f & T_BROKEN)
        names[n++] = "broken_redirect";
    reply_map(c, 3);
    reply_bulk_cstr(c, "flags");
    reply_set(c, n);
    for (int i = 0; i < n; i++)
        reply_bulk_cstr(c, names[i]);
    reply_bulk_cstr(c, "redirect");
    reply_int(c, tracking_redirect(c));
    reply_bulk_cstr(c, "prefixes");
    static const struct bcast_list none;
    bcast_reply_prefixes(c, t ? &t->bl : &none);
}

int
tracking_flag_letters(const struct client *c, char *dst)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    const struct client_tracking *t = c->tracking;
    int n = 0;
    if (t == NULL || !(t->flags & T_ON))
        return 0;
    dst[n++] = 't';
    if (t->flags & T_BROKEN)
        dst[n++] = 'R';
    if (t->flags & TRACKING_BCAST)
        dst[n++] = 'B';
    return n;
}

size_t
tracking_client_memory(const struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    const struct client_tracking *t = c->tracking;
    if (t == NULL)
        return 0;
    return zmalloc_size(t) + (t->refs ? zmalloc_size(t->refs) : 0) + bcast_list_memory(&t->bl);
}

void
tracking_client_gone(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    tracking_disable(c);
    if (c == current) {
        pend_flush(NULL);
        current = NULL;
    }
    /* Clients redirecting here keep the id; their next invalidation finds the redirect broken. */
    if (nredirecting == 0)
        return;
    for (struct client *o = clients_first(); o; o = o->next)
        if (o->tracking && o->tracking->rc == c)
            o->tracking->rc = NULL;
}

/* ---- Command hooks ---- */

void
tracking_call_enter(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    call_depth++;
    call_gen++;
}

void
tracking_call_leave(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    call_depth--;
}

void
tracking_dispatch_begin(struct client *c)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    current = c;
}

void
tracking_dispatch_end(struct client *c, int keep_caching)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (npend)
        pend_flush(c);
    if (c->tracking && !keep_caching && !(c->flags & CLIENT_MULTI))
        c->tracking->flags &= ~T_CACHING;
    current = NULL;
}

/* ---- Setup and counters ---- */

int
tracking_setup(struct event_base *base)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    turn_ev = event_new(base, -1, 0, on_turn, NULL);
    return turn_ev ? 0 : -1;
}

void
tracking_teardown(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    if (turn_ev)
        event_free(turn_ev);
    turn_ev = NULL;
    turn_pending = 0;
    forget_all_keys();
    pend_flush(NULL);
    db_set_modified_hook(NULL);
    db_set_flush_hook(NULL);
}

size_t
tracking_clients(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return nclients;
}

size_t
tracking_total_keys(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return keys ? dict_size(keys) : 0;
}

size_t
tracking_total_items(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return total_items;
}

size_t
tracking_total_prefixes(void)
{
    MEMCAT_SCOPE(MC_CLIENTS_OTHER);
    return bcast_prefixes();
}
