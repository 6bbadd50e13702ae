/* test_geo.c — GEO commands on a live zmem-server: GEOADD, GEOPOS, GEODIST, GEOHASH,
 * GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO forms, with Redis
 * 7.0.15's exact texts for coordinates, distances and errors; then a differential run against
 * a live redis-server (fixed cases, RESP3 bytes, and a seeded random sequence around hard
 * places: the antimeridian, near the poles, huge and zero radii; ZMEM_DIFF_SEED repeats one)
 * whose replies must agree exactly; and used_memory back to its baseline after DEL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/fixture.h"
#include "integration/redis_diff.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define SYNTAX    "ERR syntax error"

#define expect_int(want, ...) assert_int_equal(cu_int(ctx, __VA_ARGS__), want)
#define expect_ok(...)        expect_status(ctx, "OK", __VA_ARGS__)
#define expect_err(want, ...) expect_error(ctx, want, __VA_ARGS__)
#define expect_str(want, ...) expect_bulk(ctx, want, __VA_ARGS__)
#define expect_null(...)      expect_nil(ctx, __VA_ARGS__)

static void
cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    freeReplyObject(cu_vrun(ctx, fmt, ap));
    va_end(ap);
}

/* The reply flattened to text: strings as they are, integers as :n, nil as "nil", arrays in
 * brackets; compared with want. */
static void
flatten(const redisReply *r, char *buf, size_t size)
{
    size_t n = strlen(buf);
    switch (r->type) {
    case REDIS_REPLY_ARRAY:
        snprintf(buf + n, size - n, "[");
        for (size_t i = 0; i < r->elements; i++) {
            if (i)
                snprintf(buf + strlen(buf), size - strlen(buf), " ");
            flatten(r->element[i], buf, size);
        }
        snprintf(buf + strlen(buf), size - strlen(buf), "]");
        break;
    case REDIS_REPLY_INTEGER:
        snprintf(buf + n, size - n, ":%lld", r->integer);
        break;
    case REDIS_REPLY_NIL:
        snprintf(buf + n, size - n, "nil");
        break;
    default:
        snprintf(buf + n, size - n, "%s", r->str);
    }
}

static void
expect_flat(const char *want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = cu_vrun(ctx, fmt, ap);
    va_end(ap);
    char got[4096] = "";
    flatten(r, got, sizeof(got));
    freeReplyObject(r);
    if (strcmp(got, want) != 0)
        fail_msg("'%s': wanted %s, got %s", fmt, want, got);
}

#define SICILY "GEOADD sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"

/* ---- Replies and errors ---- */

static void
test_add_pos_dist_hash(void **state)
{
    expect_int(2, SICILY);
    expect_int(0, SICILY);
    expect_int(1, "GEOADD sicily CH 13.361389 38.115556 Palermo 15.1 37.5 Catania");
    expect_int(2, "GEOADD sicily CH 15.087269 37.502669 Catania 12.758489 38.788135 edge");
    expect_int(0, "GEOADD sicily NX 1 1 Palermo");
    expect_int(0, "GEOADD sicily XX 1 1 nobody");
    expect_int(0, "GEOADD nokey XX 1 1 a");
    expect_int(0, "EXISTS nokey");
    expect_str("3479099956230698", "ZSCORE sicily Palermo");
    expect_flat("[[13.36138933897018433 38.11555639549629859] nil [15.08726745843887329 "
                "37.50266842333162032]]",
                "GEOPOS sicily Palermo nobody Catania");
    expect_flat("[]", "GEOPOS sicily");
    expect_flat("[nil]", "GEOPOS nokey a");
    expect_str("166274.1516", "GEODIST sicily Palermo Catania");
    expect_str("166.2742", "GEODIST sicily Palermo Catania km");
    expect_str("103.3182", "GEODIST sicily Palermo Catania MI");
    expect_str("545518.8700", "GEODIST sicily Palermo Catania ft");
    /* 52746534.21034999936 ft: 0.21035 once scaled by 10^4; Redis rounds that product to even
     * (.2104) where printf's "%.4f" of the exact value gives .2103. */
    expect_int(2, "GEOADD tie 179.648875 -30.426337 a -39.734450 23.919157 b");
    expect_str("52746534.2104", "GEODIST tie a b ft");
    expect_str("16077143.6273", "GEODIST tie a b");
    expect_str("0.0000", "GEODIST sicily Palermo Palermo");
    expect_null("GEODIST sicily Palermo nobody");
    expect_null("GEODIST nokey a b");
    expect_flat("[sqc8b49rny0 sqdtr74hyu0 nil]", "GEOHASH sicily Palermo Catania nobody");
    expect_flat("[nil]", "GEOHASH nokey a");
    /* Errors, in Redis's words. */
    expect_err("ERR invalid longitude,latitude pair 200.000000,100.000000",
               "GEOADD sicily 200 100 x");
    expect_err("ERR invalid longitude,latitude pair 0.000000,85.051130",
               "GEOADD sicily 0 85.05113 x");
    expect_err("ERR value is not a valid float", "GEOADD sicily 1 y x");
    expect_err(SYNTAX, "GEOADD sicily 1 2 x 3");
    expect_err(SYNTAX, "GEOADD sicily NX XX 1 2 x");
    expect_err(SYNTAX, "GEOADD sicily CH CH CH");
    expect_err("ERR unsupported unit provided. please use M, KM, FT, MI",
               "GEODIST sicily Palermo Catania yd");
    expect_err(SYNTAX, "GEODIST sicily Palermo Catania km x");
    expect_err("ERR wrong number of arguments for 'geoadd' command", "GEOADD sicily 1 2");
    expect_ok("SET str v");
    expect_err(WRONGTYPE, "GEOADD str 1 2 x");
    expect_err(WRONGTYPE, "GEOPOS str x");
    expect_err(WRONGTYPE, "GEODIST str a b");
    expect_err(WRONGTYPE, "GEOHASH str x");
    expect_err(WRONGTYPE, "GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 m");
    /* Positions are sorted-set members. */
    expect_int(3, "ZCARD sicily");
    expect_int(1, "ZREM sicily edge");
}

static void
test_searches(void **state)
{
    cmd(SICILY);
    expect_flat("[Catania Palermo]", "GEOSEARCH sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC");
    expect_flat("[Catania Palermo]", "GEORADIUS sicily 15 37 200 km ASC");
    expect_flat("[[Catania 56.4413] [Palermo 190.4424]]",
                "GEORADIUS sicily 15 37 200 km WITHDIST ASC");
    expect_flat("[[Palermo 190.4424 :3479099956230698 [13.36138933897018433 "
                "38.11555639549629859]]]",
                "GEOSEARCH sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC COUNT 1 WITHCOORD "
                "WITHDIST WITHHASH");
    expect_flat("[Catania]", "GEOSEARCH sicily FROMMEMBER Palermo BYRADIUS 200 km DESC COUNT 1");
    expect_flat("[Palermo]", "GEORADIUSBYMEMBER_RO sicily Palermo 100 km");
    expect_flat("[]", "GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km");
    expect_int(2, "GEOSEARCHSTORE dst sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST");
    expect_flat("[Catania 56.441257870158204 Palermo 190.44242984775784]",
                "ZRANGE dst 0 -1 WITHSCORES");
    expect_int(1, "GEORADIUSBYMEMBER sicily Catania 100 km STORE dst");
    expect_flat("[Catania 3479447370796909]", "ZRANGE dst 0 -1 WITHSCORES");
    expect_int(0, "GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km");
    expect_int(0, "EXISTS dst");
    expect_err("ERR could not decode requested zset member",
               "GEOSEARCH sicily FROMMEMBER nobody BYRADIUS 1 km");
    expect_err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch",
               "geosearch sicily BYRADIUS 1 km ASC WITHDIST");
    expect_err("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH",
               "GEOSEARCH sicily FROMMEMBER Palermo ASC WITHDIST WITHHASH");
    expect_err(SYNTAX, "GEOSEARCH sicily FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 1 km");
    expect_err(SYNTAX, "GEOSEARCH sicily FROMMEMBER Palermo BYRADIUS 1 km STORE x");
    expect_err(SYNTAX, "GEORADIUS_RO sicily 15 37 1 km STORE x");
    expect_err("ERR the ANY argument requires COUNT argument",
               "GEOSEARCH sicily FROMMEMBER Palermo BYRADIUS 1 km ANY");
    expect_err("ERR COUNT must be > 0", "GEORADIUS sicily 15 37 1 km COUNT 0");
    expect_err("ERR value is not an integer or out of range",
               "GEORADIUS sicily 15 37 1 km COUNT x");
    expect_err("ERR radius cannot be negative", "GEORADIUS sicily 15 37 -1 km");
    expect_err("ERR need numeric radius", "GEORADIUS sicily 15 37 far km");
    expect_err("ERR need numeric width", "GEOSEARCH sicily FROMMEMBER Palermo BYBOX w 1 km");
    expect_err("ERR need numeric height", "GEOSEARCH sicily FROMMEMBER Palermo BYBOX 1 h km");
    expect_err("ERR height or width cannot be negative",
               "GEOSEARCH sicily FROMMEMBER Palermo BYBOX 1 -1 km");
    expect_err("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD "
               "options",
               "GEOSEARCHSTORE d sicily FROMMEMBER Palermo BYRADIUS 1 km WITHDIST");
    expect_err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
               "WITHCOORD options",
               "GEORADIUS sicily 15 37 1 km WITHHASH STORE d");
}

/* ---- Differential ---- */

static const char *const fixed_cases[] = {
    "GEOADD g 200 100 x",
    "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    "GEOADD g CH 13.361389 38.115556 Palermo 15.087269 37.502669 Catania2",
    "GEOADD g XX CH 13.36 38.1 Palermo 1 1 foo",
    "GEOADD g NX XX 1 1 a",
    "GEOADD g ch ch ch",
    "GEOADD g 1 a b",
    "GEOADD g inf 1 b",
    "GEOADD g 1 nan b",
    "GEOADD g -180 -85.05112878 sw 180 85.05112878 ne 0 0 zero -0.1275 51.507222 London",
    "GEOADD gnone XX 1 1 a",
    "EXISTS gnone",
    "GEOPOS g Palermo Catania nope sw ne zero London",
    "GEOPOS g",
    "GEOPOS nokey a",
    "GEODIST g Palermo Catania",
    "GEOADD g 179.648875 -30.426337 tie1 -39.734450 23.919157 tie2",
    "GEODIST g tie1 tie2 ft",
    "GEODIST g Palermo Catania km",
    "GEODIST g Palermo Catania MI",
    "GEODIST g ne sw ft",
    "GEODIST g London zero",
    "GEODIST g Palermo Catania yd",
    "GEODIST g Palermo Catania km x",
    "GEODIST g Palermo nope",
    "GEODIST nokey a b",
    "GEOHASH g Palermo Catania nope sw ne zero London",
    "GEOHASH nokey a",
    "GEOHASH g",
    "GEORADIUS g 15 37 200 km",
    "GEORADIUS g 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC",
    "GEORADIUS g 15 37 200 km WITHDIST DESC COUNT 1",
    "GEORADIUS g 15 37 200 km COUNT 1 ANY",
    "GEORADIUS g 15 37 200 km ANY",
    "GEORADIUS g 15 37 200 km COUNT 0",
    "GEORADIUS g 15 37 -1 km",
    "GEORADIUS g 15 37 x km",
    "GEORADIUS g 15 37 1 yd",
    "GEORADIUS g 15 37 1 km ASC DESC",
    "GEORADIUS g 0 0 20000 km",
    "GEORADIUS g 0 0 20000 km WITHDIST ASC",
    "GEORADIUS g 0 0 0 m WITHDIST",
    "GEORADIUS g 15 37 200 km STORE dst",
    "ZRANGE dst 0 -1 WITHSCORES",
    "GEORADIUS g 15 37 200 km STOREDIST dst",
    "ZRANGE dst 0 -1 WITHSCORES",
    "GEORADIUS g 15 37 2 km STORE dst",
    "EXISTS dst",
    "GEORADIUS_RO g 15 37 200 km STORE dst",
    "GEORADIUSBYMEMBER g Palermo 200 km WITHDIST",
    "GEORADIUSBYMEMBER g nope 200 km",
    "GEORADIUSBYMEMBER nokey nope 200 blah WITHDIST",
    "GEORADIUSBYMEMBER_RO g Palermo 100 km",
    "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 200 km ASC WITHDIST WITHCOORD",
    "GEOSEARCH g FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHDIST WITHCOORD WITHHASH",
    "GEOSEARCH g FROMLONLAT 15 37 BYBOX 400 400 km FROMMEMBER Palermo",
    "GEOSEARCH g FROMLONLAT 15 37 BYBOX 400 400 km BYRADIUS 1 km",
    "GEOSEARCH g FROMLONLAT 15 37 COUNT 1 ANY",
    "GEOSEARCH g BYRADIUS 1 km BYBOX 1 1 km",
    "GEOSEARCH g FROMMEMBER Palermo BYBOX -1 1 km",
    "GEOSEARCH g FROMMEMBER Palermo BYBOX 1 x km",
    "GEOSEARCH g FROMMEMBER Palermo BYBOX x 1 km",
    "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 10 km STORE x",
    "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 10 km FROMMEMBER Catania",
    "GEOSEARCH g FROMLONLAT 181 0 BYRADIUS 10 km",
    "geosearch g BYRADIUS 10 km",
    "GEOSEARCH g FROMMEMBER Palermo",
    "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 10 km COUNT",
    "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 10 km WITHDIST WITHDIST",
    "GEOSEARCHSTORE d g FROMMEMBER Palermo BYRADIUS 200 km STOREDIST",
    "ZRANGE d 0 -1 WITHSCORES",
    "GEOSEARCHSTORE d g FROMMEMBER Palermo BYRADIUS 200 km",
    "ZRANGE d 0 -1 WITHSCORES",
    "GEOSEARCHSTORE d g FROMMEMBER Palermo BYRADIUS 200 km WITHCOORD",
    "GEOSEARCHSTORE d nokey FROMMEMBER Palermo BYRADIUS 200 km",
    "EXISTS d",
    "GEOSEARCHSTORE g g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
    "ZRANGE g 0 -1 WITHSCORES",
    "SET s x",
    "GEOADD s 1 1 a",
    "GEOPOS s a",
    "GEOSEARCH s FROMMEMBER a BYRADIUS 1 m",
    "GEORADIUS s 1 1 1 m",
    "GEOSEARCHSTORE d s FROMMEMBER a BYRADIUS 1 m",
    "GEOSEARCHSTORE s g FROMLONLAT 15 37 BYRADIUS 200 km",
    "TYPE s",
    "GEORADIUS",
    "GEOSEARCH g",
    "GEOSEARCHSTORE d g FROMMEMBER x BYRADIUS",
    "GEOHASH",
};

static uint64_t rng_state;

static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static long long
rnd(long long lo, long long hi) /* inclusive */
{
    return lo + (long long)(rng() % (uint64_t)(hi - lo + 1));
}

/* Places where cells and distances are hard: ordinary, the antimeridian both sides, near the
 * poles, the equator and the prime meridian. */
static const double centres[][2] = {{13.4, 38.1}, {179.9, 0.5}, {-179.95, -10}, {0.01, 84.5},
                                    {-30, -84.9}, {0, 0},       {100, 66.5}};

/* A position near a random centre, printed with six decimals (sometimes off the map). */
static void
random_position(char *buf, size_t size, double spread)
{
    const double *c = centres[rnd(0, sizeof(centres) / sizeof(centres[0]) - 1)];
    double lon = c[0] + (double)rnd(-1000000, 1000000) / 1000000.0 * spread;
    double lat = c[1] + (double)rnd(-1000000, 1000000) / 1000000.0 * spread / 2;
    if (lon > 180)
        lon -= 360;
    if (lon < -180)
        lon += 360;
    if (rnd(0, 60) == 0)
        lat = rnd(0, 1) ? 85.06 : -90;
    snprintf(buf, size, "%.6f %.6f", lon, lat);
}

static const char *
random_unit(void)
{
    static const char *const units[] = {"m", "km", "KM", "mi", "ft"};
    return units[rnd(0, 4)];
}

static double
random_radius(void)
{
    switch (rnd(0, 5)) {
    case 0:
        return 0;
    case 1:
        return (double)rnd(5000, 20000); /* continental, even global in km */
    default:
        return (double)rnd(1, 400);
    }
}

/* The optional part of a search: ordering, COUNT [ANY], WITH* (only when `with`). */
static void
random_search_options(char *line, size_t size, int with)
{
    size_t n = strlen(line);
    static const char *const sorts[] = {"", " ASC", " DESC"};
    n += (size_t)snprintf(line + n, size - n, "%s", sorts[rnd(0, 2)]);
    if (rnd(0, 2) == 0)
        n += (size_t)snprintf(line + n, size - n, " COUNT %lld%s", rnd(1, 8),
                              rnd(0, 2) == 0 ? " ANY" : "");
    if (with) {
        if (rnd(0, 1))
            n += (size_t)snprintf(line + n, size - n, " WITHDIST");
        if (rnd(0, 2) == 0)
            n += (size_t)snprintf(line + n, size - n, " WITHHASH");
        if (rnd(0, 2) == 0)
            snprintf(line + n, size - n, " WITHCOORD");
    }
}

static void
random_geo_command(char *line, size_t size)
{
    char pos[64], pos2[64];
    int k = (int)rnd(0, 2);
    random_position(pos, sizeof(pos), 3);
    switch (rnd(0, 11)) {
    case 0:
    case 1:
    case 2: {
        static const char *const opts[] = {"", "", "", " NX", " XX", " CH", " XX CH"};
        random_position(pos2, sizeof(pos2), 3);
        snprintf(line, size, "GEOADD g%d%s %s m%lld %s m%lld", k, opts[rnd(0, 6)], pos, rnd(0, 150),
                 pos2, rnd(0, 150));
        break;
    }
    case 3:
        snprintf(line, size, "GEOPOS g%d m%lld m%lld", k, rnd(0, 150), rnd(0, 150));
        break;
    case 4:
        snprintf(line, size, "GEODIST g%d m%lld m%lld %s", k, rnd(0, 150), rnd(0, 150),
                 random_unit());
        break;
    case 5:
        snprintf(line, size, "GEOHASH g%d m%lld m%lld", k, rnd(0, 150), rnd(0, 150));
        break;
    case 6:
    case 7: {
        char from[80], by[80];
        if (rnd(0, 1))
            snprintf(from, sizeof(from), "FROMMEMBER m%lld", rnd(0, 150));
        else
            snprintf(from, sizeof(from), "FROMLONLAT %s", pos);
        if (rnd(0, 1))
            snprintf(by, sizeof(by), "BYRADIUS %g %s", random_radius(), random_unit());
        else
            snprintf(by, sizeof(by), "BYBOX %g %g %s", random_radius(), random_radius(),
                     random_unit());
        if (rnd(0, 4)) {
            snprintf(line, size, "GEOSEARCH g%d %s %s", k, from, by);
            random_search_options(line, size, 1);
        } else {
            snprintf(line, size, "GEOSEARCHSTORE dst g%d %s %s", k, from, by);
            random_search_options(line, size, 0);
            if (rnd(0, 1))
                strncat(line, " STOREDIST", size - strlen(line) - 1);
        }
        break;
    }
    case 8:
    case 9: {
        int bymember = (int)rnd(0, 1), ro = rnd(0, 3) == 0;
        if (bymember)
            snprintf(line, size, "GEORADIUSBYMEMBER%s g%d m%lld %g %s", ro ? "_RO" : "", k,
                     rnd(0, 150), random_radius(), random_unit());
        else
            snprintf(line, size, "GEORADIUS%s g%d %s %g %s", ro ? "_RO" : "", k, pos,
                     random_radius(), random_unit());
        int store = !ro && rnd(0, 3) == 0;
        random_search_options(line, size, !store);
        if (store)
            strncat(line, rnd(0, 1) ? " STORE dst" : " STOREDIST dst", size - strlen(line) - 1);
        break;
    }
    case 10:
        snprintf(line, size, "ZRANGE dst 0 -1 WITHSCORES");
        break;
    default:
        snprintf(line, size, "ZREM g%d m%lld m%lld", k, rnd(0, 150), rnd(0, 150));
    }
}

/* Send line on a raw socket and read whatever arrives within timeout_ms. */
static char *
raw_roundtrip(int fd, const char *line, size_t *len)
{
    int closed;
    raw_sends(fd, line);
    return raw_read(fd, (size_t)-2, 150, len, &closed);
}

static void
test_differential(void **state)
{
    struct rd r;
    require_tool("redis-server", "the replies of Redis 7.0 to compare with");
    if (rd_start(&r, ctx) < 0)
        fail_msg("redis-server is installed but did not start");
    for (size_t i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]); i++)
        rd_cmd(&r, fixed_cases[i]);
    long fixed = r.cases, fixed_ok = r.agreed;

    /* RESP3: coordinates are doubles in Redis's human form, distances stay bulk strings. */
    static const char *const resp3[] = {
        "GEOPOS g Catania2 nope\r\n",
        "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 300 km ASC WITHCOORD WITHDIST WITHHASH\r\n",
        "GEODIST g Catania2 London km\r\n",
        "GEOHASH g Catania2\r\n",
    };
    int fz = raw_connect(srv.port), fr = raw_connect(r.srv.port);
    size_t lz, lr;
    free(raw_roundtrip(fz, "HELLO 3\r\n", &lz));
    free(raw_roundtrip(fr, "HELLO 3\r\n", &lr));
    long resp3_ok = 0, resp3_n = sizeof(resp3) / sizeof(resp3[0]);
    for (long i = 0; i < resp3_n; i++) {
        char *a = raw_roundtrip(fz, resp3[i], &lz);
        char *b = raw_roundtrip(fr, resp3[i], &lr);
        if (lz == lr && memcmp(a, b, lz) == 0)
            resp3_ok++;
        else
            fprintf(stderr, "RESP3 differs: %s  redis: %s\n  zmem:  %s\n", resp3[i], b, a);
        free(a);
        free(b);
    }
    close(fz);
    close(fr);

    rd_cmd(&r, "FLUSHALL");
    rng_state = rd_seed();
    char line[1024];
    long searches = 0, found = 0;
    for (int i = 0; i < 3000; i++) {
        random_geo_command(line, sizeof(line));
        long before = r.nonempty;
        rd_cmd(&r, line);
        if (strncmp(line, "GEOSEARCH ", 10) == 0 || strncmp(line, "GEORADIUS", 9) == 0) {
            searches++;
            found += r.nonempty > before;
        }
    }
    for (int k = 0; k < 3; k++)
        rd_cmdf(&r, "ZRANGE g%d 0 -1 WITHSCORES", k);
    fprintf(stderr,
            "geo differential: fixed %ld/%ld agree, RESP3 %ld/%ld, random %ld/%ld agree (%ld of "
            "%ld searches found members)\n",
            fixed_ok, fixed, resp3_ok, resp3_n, r.agreed - fixed_ok, r.cases - fixed, found,
            searches);
    long cases = r.cases, agreed = r.agreed;
    rd_stop(&r);
    assert_int_equal(resp3_ok, resp3_n);
    assert_int_equal(agreed, cases);
}

/* ---- Memory ---- */

static long long
used_memory(void)
{
    return info_field(ctx, "memory", "used_memory");
}

static void
test_memory_baseline(void **state)
{
    long long base = used_memory();
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3000; i++)
            redisAppendCommand(ctx, "GEOADD big %f %f member:%d", -170.0 + (i % 340),
                               -80.0 + (i % 160), i);
        for (int i = 0; i < 3000; i++) {
            redisReply *r;
            assert_int_equal(redisGetReply(ctx, (void **)&r), REDIS_OK);
            freeReplyObject(r);
        }
        assert_true(used_memory() > base + 100000);
        assert_true(cu_int(ctx, "GEOSEARCHSTORE near big FROMLONLAT 0 0 BYRADIUS 3000 km") > 0);
        assert_true(cu_int(ctx, "GEORADIUS big 10 10 5000 km STOREDIST far") > 0);
        cmd("GEOSEARCH big FROMLONLAT 0 0 BYBOX 8000 8000 km ASC WITHCOORD WITHDIST WITHHASH");
        expect_int(3, "DEL big near far");
        long long after = used_memory();
        if (round == 0)
            base = after;
        else
            assert_int_equal(after, base);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_add_pos_dist_hash, fixture_flush),
        cmocka_unit_test_setup(test_searches, fixture_flush),
        cmocka_unit_test_setup(test_differential, fixture_flush),
        cmocka_unit_test_setup(test_memory_baseline, fixture_flush),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
