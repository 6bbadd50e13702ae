/* cmd_geo.c — GEO commands on sorted sets: GEOADD (NX|XX|CH), GEOPOS, GEODIST, GEOHASH,
 * GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms. A position is
 * a member whose score is its 52-bit geohash (types/geohash.h). A search visits the cells
 * geo_search_cells() picks, in its order, reads each cell's score range from the sorted set
 * and keeps the members inside the shape: unsorted results and ANY come out in the same order
 * as Redis's. Distances print as "%.4f" bulks, coordinates in Redis's human long-double form;
 * argument checks, their order and error texts are Redis 7.0.15's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "commands.h"
#include "db.h"
#include "geohash.h"
#include "objzset.h"
#include "zmalloc.h"

#define ERR_FLOAT "ERR value is not a valid float"

/* ---- Arguments ---- */

/* argv[i] as a double, Redis's getDoubleFromObject rules. 0, or -1 after replying err. */
static int
arg_double(struct client *c, int i, double *out, const char *err)
{
    if (zset_parse_score(ARGP(c, i), ARGL(c, i), out) == 0)
        return 0;
    reply_error(c, err);
    return -1;
}

/* A longitude, latitude pair at argv[i], argv[i + 1]. 0, or -1 after the error reply. */
static int
arg_lonlat(struct client *c, int i, double *lon, double *lat)
{
    if (arg_double(c, i, lon, ERR_FLOAT) < 0 || arg_double(c, i + 1, lat, ERR_FLOAT) < 0)
        return -1;
    if (!geo_valid(*lon, *lat)) {
        reply_errorf(c, "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
        return -1;
    }
    return 0;
}

/* Metres per unit of argv[i] (m, km, ft, mi), or -1 after the error reply. */
static double
arg_unit(struct client *c, int i)
{
    if (arg_is(c, i, "m"))
        return 1;
    if (arg_is(c, i, "km"))
        return 1000;
    if (arg_is(c, i, "ft"))
        return 0.3048;
    if (arg_is(c, i, "mi"))
        return 1609.34;
    reply_error(c, "ERR unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

/* BYRADIUS / GEORADIUS: radius unit at argv[i]. 0, or -1 after the error reply. */
static int
arg_radius(struct client *c, int i, struct geo_shape *s)
{
    if (arg_double(c, i, &s->radius, "ERR need numeric radius") < 0)
        return -1;
    if (s->radius < 0) {
        reply_error(c, "ERR radius cannot be negative");
        return -1;
    }
    s->box = 0;
    return (s->conv = arg_unit(c, i + 1)) < 0 ? -1 : 0;
}

/* BYBOX: width height unit at argv[i]. 0, or -1 after the error reply. */
static int
arg_box(struct client *c, int i, struct geo_shape *s)
{
    if (arg_double(c, i, &s->width, "ERR need numeric width") < 0 ||
        arg_double(c, i + 1, &s->height, "ERR need numeric height") < 0)
        return -1;
    if (s->width < 0 || s->height < 0) {
        reply_error(c, "ERR height or width cannot be negative");
        return -1;
    }
    s->box = 1;
    return (s->conv = arg_unit(c, i + 2)) < 0 ? -1 : 0;
}

/* The position of member argv[i] of sorted set z: 0, or -1 when it is not there. */
static int
member_pos(const struct kv *z, struct client *c, int i, double *lon, double *lat)
{
    double score;
    if (z == NULL || !zset_score(z, ARGP(c, i), ARGL(c, i), &score))
        return -1;
    geo_decode(score, lon, lat);
    return 0;
}

/* A distance in the reply's unit, as Redis prints it: scaled by 10^4 and rounded to an integer
 * (llrint: to nearest, ties to even), then the point placed. That is not printf's "%.4f",
 * which rounds the exact binary value: for 52746534.21034999936 ft (a product that lands on
 * ...2103.5 once scaled) printf says .2103, Redis says .2104. Distances are never negative
 * and below 1e9 in any unit, so the scaled value fits a long long. */
static void
reply_distance(struct client *c, double d)
{
    char buf[64];
    long long v = llrint(d * 10000.0);
    int n = snprintf(buf, sizeof(buf), "%s%lld.%04lld", v < 0 ? "-" : "", llabs(v) / 10000,
                     llabs(v) % 10000);
    reply_bulk(c, buf, (size_t)n);
}

/* ---- GEOADD / GEOPOS / GEODIST / GEOHASH ---- */

static void
cmd_geoadd(struct client *c)
{
    int flags = 0, ch = 0, j = 2;
    for (; j < c->argc; j++) {
        if (arg_is(c, j, "nx"))
            flags |= ZADD_NX;
        else if (arg_is(c, j, "xx"))
            flags |= ZADD_XX;
        else if (arg_is(c, j, "ch"))
            ch = 1;
        else
            break;
    }
    int n = (c->argc - j) / 3;
    if ((c->argc - j) % 3 || n == 0 || (flags & ZADD_NX && flags & ZADD_XX)) {
        reply_error_syntax(c);
        return;
    }
    /* Every position is checked before the set is touched. */
    double *scores = ztrymalloc((size_t)n * sizeof(*scores));
    if (scores == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    for (int i = 0; i < n; i++) {
        double lon, lat;
        if (arg_lonlat(c, j + 3 * i, &lon, &lat) < 0)
            goto done;
        scores[i] = (double)geo_score(lon, lat);
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 1, &wt);
    if (wt)
        goto done;
    if (e == NULL) {
        if (flags & ZADD_XX) {
            reply_int(c, 0);
            goto done;
        }
        struct val v;
        zset_new_val(&v);
        if ((e = arg_add_val(c, 1, &v)) == NULL)
            goto done;
    }
    long long added = 0, updated = 0;
    for (int i = 0; i < n; i++) {
        int k = j + 3 * i + 2, out;
        double nsc;
        if (zset_add(e, scores[i], ARGP(c, k), ARGL(c, k), flags, &out, &nsc) < 0) {
            drop_if_empty(c, e, zset_len);
            reply_error(c, ERR_ALLOC);
            goto done;
        }
        added += (out & ZADD_OUT_ADDED) != 0;
        updated += (out & ZADD_OUT_UPDATED) != 0;
    }
    if (added || updated)
        arg_notify(c, NOTIFY_ZSET, "zadd", 1); /* GEOADD is ZADD underneath, as in Redis */
    drop_if_empty(c, e, zset_len);
    reply_int(c, added + (ch ? updated : 0));
done:
    zfree(scores);
}

static void
cmd_geopos(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double lon, lat;
        if (member_pos(e, c, j, &lon, &lat) < 0) {
            reply_null_array(c);
            continue;
        }
        reply_array(c, 2);
        reply_human_double(c, lon);
        reply_human_double(c, lat);
    }
}

static void
cmd_geodist(struct client *c)
{
    double conv = 1;
    if (c->argc == 5 && (conv = arg_unit(c, 4)) < 0)
        return;
    if (c->argc > 5) {
        reply_error_syntax(c);
        return;
    }
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    double lon1, lat1, lon2, lat2;
    if (wt)
        return;
    if (member_pos(e, c, 2, &lon1, &lat1) < 0 || member_pos(e, c, 3, &lon2, &lat2) < 0) {
        reply_null(c);
        return;
    }
    reply_distance(c, geo_distance(lon1, lat1, lon2, lat2) / conv);
}

static void
cmd_geohash(struct client *c)
{
    int wt;
    struct kv *e = arg_lookup_type(c, 1, OBJ_ZSET, 0, &wt);
    if (wt)
        return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        char hash[12];
        if (e == NULL || !zset_score(e, ARGP(c, j), ARGL(c, j), &score)) {
            reply_null(c);
            continue;
        }
        geo_hash_string(score, hash);
        reply_bulk(c, hash, 11);
    }
}

/* ---- Searches ---- */

#define SEARCH_COORDS  1  /* GEORADIUS: longitude latitude radius unit */
#define SEARCH_MEMBER  2  /* GEORADIUSBYMEMBER: member radius unit */
#define SEARCH_NEW     4  /* GEOSEARCH: FROMMEMBER|FROMLONLAT and BYRADIUS|BYBOX options */
#define SEARCH_STORE   8  /* GEOSEARCHSTORE: destination first */
#define SEARCH_NOSTORE 16 /* the _RO forms: no STORE option */

enum { SORT_NONE, SORT_ASC, SORT_DESC };

/* A member found by a search. m points into the sorted set, valid until it changes. */
struct geo_point {
    const char *m;
    size_t ml;
    double score, lon, lat, dist;
};

struct geo_found {
    struct geo_point *p;
    size_t n, cap;
    int oom;
};

static void
found_add(struct geo_found *f, const struct geo_point *p)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        struct geo_point *np = ztryrealloc(f->p, cap * sizeof(*np));
        if (np == NULL) {
            f->oom = 1;
            return;
        }
        f->p = np;
        f->cap = cap;
    }
    f->p[f->n++] = *p;
}

/* Collect the members of z inside shape s, cell by cell; stop at `limit` (0: none). */
static void
search_members(const struct kv *z, const struct geo_shape *s, size_t limit, struct geo_found *f)
{
    struct geo_cell cells[9];
    int last = 0;
    geo_search_cells(s, cells);
    for (int i = 0; i < 9 && !f->oom; i++) {
        if (cells[i].step == 0 && cells[i].bits == 0)
            continue;
        /* Large shapes can make neighbours coincide: a cell equal to the last one searched
         * is skipped (the centre cell never counts as "last", as in Redis). */
        if (last && cells[i].bits == cells[last].bits && cells[i].step == cells[last].step)
            continue;
        if (limit && f->n >= limit)
            break;
        uint64_t min, max;
        geo_cell_scores(&cells[i], &min, &max);
        struct zscore_range r = {(double)min, (double)max, 0, 1};
        size_t lo, hi;
        zset_score_span(z, &r, &lo, &hi);
        struct zset_iter it;
        struct zelem el;
        zset_iter_init(&it, z, lo, 0);
        for (size_t k = lo; k < hi && zset_iter_next(&it, &el); k++) {
            struct geo_point p = {.m = el.m, .ml = el.ml, .score = el.score};
            geo_decode(el.score, &p.lon, &p.lat);
            if (!geo_in_shape(s, p.lon, p.lat, &p.dist))
                continue;
            found_add(f, &p);
            if (f->oom || (limit && f->n >= limit))
                break;
        }
        last = i;
    }
}

static int
by_dist_asc(const void *a, const void *b)
{
    double x = ((const struct geo_point *)a)->dist, y = ((const struct geo_point *)b)->dist;
    return x > y ? 1 : x == y ? 0 : -1;
}

static int
by_dist_desc(const void *a, const void *b)
{
    return -by_dist_asc(a, b);
}

/* Store the first n points at key argv[dst] as a sorted set, scored by their distance in the
 * unit (storedist) or their geohash; no points delete the key. Replies n. */
static void
store_points(struct client *c, int dst, struct geo_found *f, size_t n, int storedist, double conv)
{
    struct db *db = CDB(c);
    /* The members are copied first: the destination may be the source set. */
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += f->p[i].ml;
    char *copy = ztrymalloc(bytes ? bytes : 1);
    if (copy == NULL) {
        reply_error(c, ERR_ALLOC);
        return;
    }
    char *at = copy;
    for (size_t i = 0; i < n; i++) {
        memcpy(at, f->p[i].m, f->p[i].ml);
        f->p[i].m = at;
        at += f->p[i].ml;
    }
    int existed = db_delete(db, ARGP(c, dst), ARGL(c, dst), FREE_SYNC);
    if (n == 0 && existed)
        arg_notify(c, NOTIFY_GENERIC, "del", dst);
    if (n) {
        struct val v;
        zset_new_val(&v);
        struct kv *e = db_add(db, ARGP(c, dst), ARGL(c, dst), &v, -1);
        if (e == NULL) {
            val_free(v.enc, v.ptr);
            reply_error(c, ERR_ALLOC);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            int out;
            double nsc, score = storedist ? f->p[i].dist / conv : f->p[i].score;
            if (zset_add(e, score, f->p[i].m, f->p[i].ml, 0, &out, &nsc) < 0) {
                db_delete_kv(db, e, FREE_SYNC);
                reply_error(c, ERR_ALLOC);
                goto done;
            }
        }
        arg_notify(
            c, NOTIFY_ZSET,
            strcmp(c->cmd->name, "geosearchstore") == 0 ? "geosearchstore" : "georadiusstore", dst);
    }
    reply_int(c, (long long)n);
done:
    zfree(copy);
}

/* Every search command: `key` is the source's argument index, `how` the SEARCH_* form. */
static void
search_run(struct client *c, int key, int how)
{
    int wt;
    struct kv *z = arg_lookup_type(c, key, OBJ_ZSET, 0, &wt);
    struct geo_shape s = {0};
    int base, store = 0, storedist = 0;
    if (wt)
        return;
    if (how & SEARCH_COORDS) {
        base = 6;
        if (arg_lonlat(c, 2, &s.lon, &s.lat) < 0 || arg_radius(c, 4, &s) < 0)
            return;
    } else if (how & SEARCH_MEMBER) {
        base = 5;
        /* A missing key still has its options checked (units not: Redis skips them). */
        if (z) {
            if (member_pos(z, c, 2, &s.lon, &s.lat) < 0) {
                reply_error(c, "ERR could not decode requested zset member");
                return;
            }
            if (arg_radius(c, 3, &s) < 0)
                return;
        }
    } else {
        base = how & SEARCH_STORE ? 3 : 2;
        if (how & SEARCH_STORE)
            store = 1;
    }
    int withdist = 0, withhash = 0, withcoord = 0, any = 0, sort = SORT_NONE;
    int frommember = 0, fromlonlat = 0, byradius = 0, bybox = 0;
    long long count = 0;
    for (int i = base; i < c->argc; i++) {
        int left = c->argc - i - 1, search = how & SEARCH_NEW;
        if (arg_is(c, i, "withdist")) {
            withdist = 1;
        } else if (arg_is(c, i, "withhash")) {
            withhash = 1;
        } else if (arg_is(c, i, "withcoord")) {
            withcoord = 1;
        } else if (arg_is(c, i, "any")) {
            any = 1;
        } else if (arg_is(c, i, "asc")) {
            sort = SORT_ASC;
        } else if (arg_is(c, i, "desc")) {
            sort = SORT_DESC;
        } else if (arg_is(c, i, "count") && left >= 1) {
            if (arg_ll(c, ++i, &count) < 0) {
                reply_error_notint(c);
                return;
            }
            if (count <= 0) {
                reply_error(c, "ERR COUNT must be > 0");
                return;
            }
        } else if ((arg_is(c, i, "store") || arg_is(c, i, "storedist")) && left >= 1 &&
                   !(how & SEARCH_NOSTORE) && !search) {
            storedist = arg_is(c, i, "storedist");
            store = ++i;
        } else if (arg_is(c, i, "storedist") && (how & SEARCH_STORE)) {
            storedist = 1;
        } else if (arg_is(c, i, "frommember") && left >= 1 && search && !fromlonlat) {
            i++;
            if (z && member_pos(z, c, i, &s.lon, &s.lat) < 0) {
                reply_error(c, "ERR could not decode requested zset member");
                return;
            }
            frommember = 1;
        } else if (arg_is(c, i, "fromlonlat") && left >= 2 && search && !frommember) {
            if (arg_lonlat(c, i + 1, &s.lon, &s.lat) < 0)
                return;
            fromlonlat = 1;
            i += 2;
        } else if (arg_is(c, i, "byradius") && left >= 2 && search && !bybox) {
            if (arg_radius(c, i + 1, &s) < 0)
                return;
            byradius = 1;
            i += 2;
        } else if (arg_is(c, i, "bybox") && left >= 3 && search && !byradius) {
            if (arg_box(c, i + 1, &s) < 0)
                return;
            bybox = 1;
            i += 3;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    if (store && (withdist || withhash || withcoord)) {
        reply_errorf(c, "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                     how & SEARCH_STORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return;
    }
    if ((how & SEARCH_NEW) && !(frommember || fromlonlat)) {
        reply_errorf(c, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %.*s",
                     (int)ARGL(c, 0), ARGP(c, 0));
        return;
    }
    if ((how & SEARCH_NEW) && !(byradius || bybox)) {
        reply_errorf(c, "ERR exactly one of BYRADIUS and BYBOX can be specified for %.*s",
                     (int)ARGL(c, 0), ARGP(c, 0));
        return;
    }
    if (any && !count) {
        reply_error(c, "ERR the ANY argument requires COUNT argument");
        return;
    }
    /* The destination of GEOSEARCHSTORE is argv[1]; of STORE, the argument after it. */
    int dst = how & SEARCH_STORE ? 1 : store;
    struct geo_found f = {0};
    if (z == NULL) {
        if (store)
            store_points(c, dst, &f, 0, 0, 1);
        else
            reply_array(c, 0);
        return;
    }
    /* COUNT alone means the nearest ones. */
    if (count && sort == SORT_NONE && !any)
        sort = SORT_ASC;
    search_members(z, &s, any ? (size_t)count : 0, &f);
    if (f.oom) {
        reply_error(c, ERR_ALLOC);
        goto done;
    }
    size_t n = count == 0 || f.n < (size_t)count ? f.n : (size_t)count;
    if (sort != SORT_NONE && f.n > 1) /* an empty result has no array at all */
        qsort(f.p, f.n, sizeof(*f.p), sort == SORT_ASC ? by_dist_asc : by_dist_desc);
    if (store) {
        store_points(c, dst, &f, n, storedist, s.conv);
        goto done;
    }
    int opts = withdist + withhash + withcoord;
    reply_array(c, (long long)n);
    for (size_t i = 0; i < n; i++) {
        const struct geo_point *p = &f.p[i];
        if (opts)
            reply_array(c, opts + 1);
        reply_bulk(c, p->m, p->ml);
        if (withdist)
            reply_distance(c, p->dist / s.conv);
        if (withhash)
            reply_int(c, (long long)p->score);
        if (withcoord) {
            reply_array(c, 2);
            reply_human_double(c, p->lon);
            reply_human_double(c, p->lat);
        }
    }
done:
    zfree(f.p);
}

static void
cmd_georadius(struct client *c)
{
    search_run(c, 1, SEARCH_COORDS);
}

static void
cmd_georadius_ro(struct client *c)
{
    search_run(c, 1, SEARCH_COORDS | SEARCH_NOSTORE);
}

static void
cmd_georadiusbymember(struct client *c)
{
    search_run(c, 1, SEARCH_MEMBER);
}

static void
cmd_georadiusbymember_ro(struct client *c)
{
    search_run(c, 1, SEARCH_MEMBER | SEARCH_NOSTORE);
}

static void
cmd_geosearch(struct client *c)
{
    search_run(c, 1, SEARCH_NEW);
}

static void
cmd_geosearchstore(struct client *c)
{
    search_run(c, 2, SEARCH_NEW | SEARCH_STORE);
}

const struct command cmd_geo_table[] = {
    COMMAND("geoadd", cmd_geoadd, -5, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Add positions to a geo sorted set", .group = "geo"),
    COMMAND("geopos", cmd_geopos, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Positions of members", .group = "geo"),
    COMMAND("geodist", cmd_geodist, -4, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Distance between two members", .group = "geo"),
    COMMAND("geohash", cmd_geohash, -2, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Geohash strings of members", .group = "geo"),
    COMMAND("georadius", cmd_georadius, -6, CMD_WRITE | CMD_DENYOOM, .keys = {1, 1, 1},
            .summary = "Members within a radius of a position", .group = "geo"),
    COMMAND("georadius_ro", cmd_georadius_ro, -6, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members within a radius of a position", .group = "geo"),
    COMMAND("georadiusbymember", cmd_georadiusbymember, -5, CMD_WRITE | CMD_DENYOOM,
            .keys = {1, 1, 1}, .summary = "Members within a radius of a member", .group = "geo"),
    COMMAND("georadiusbymember_ro", cmd_georadiusbymember_ro, -5, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members within a radius of a member", .group = "geo"),
    COMMAND("geosearch", cmd_geosearch, -7, CMD_READONLY, .keys = {1, 1, 1},
            .summary = "Members within a circle or box", .group = "geo"),
    COMMAND("geosearchstore", cmd_geosearchstore, -8, CMD_WRITE | CMD_DENYOOM, .keys = {1, 2, 1},
            .summary = "Store the members within a circle or box", .group = "geo"),
    COMMAND_END,
};
