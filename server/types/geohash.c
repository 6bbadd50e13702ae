/* geohash.c — geohash cells, positions and distances for the GEO commands (see geohash.h).
 * The floating-point expressions are written in the order Redis evaluates them: a coordinate
 * that differs in its last bit would print differently in GEOPOS, and a distance at the edge
 * of a radius would change a search's result. */
#include "geohash.h"

#include <math.h>

#define MERCATOR_MAX 20037726.37 /* half the Web Mercator world's width, metres */

static const double deg_to_rad = M_PI / 180.0;

static double
rad(double deg)
{
    return deg * deg_to_rad;
}

static double
deg(double r)
{
    return r / deg_to_rad;
}

/* Spread the 32 bits of v over the even bits of the result. */
static uint64_t
spread(uint32_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 32; i++)
        r |= (uint64_t)((v >> i) & 1) << (2 * i);
    return r;
}

/* The even bits of v, packed. */
static uint32_t
squash(uint64_t v)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++)
        r |= (uint32_t)((v >> (2 * i)) & 1) << i;
    return r;
}

int
geo_valid(double lon, double lat)
{
    return lon >= GEO_LONG_MIN && lon <= GEO_LONG_MAX && lat >= GEO_LAT_MIN && lat <= GEO_LAT_MAX;
}

/* Encode in the given latitude range (GEO ranges, or -90..90 for GEOHASH's strings). */
static int
encode_in(double lat_min, double lat_max, double lon, double lat, int step, struct geo_cell *out)
{
    out->bits = 0;
    out->step = step;
    if (!geo_valid(lon, lat) || lat < lat_min || lat > lat_max)
        return -1;
    double lat_off = (lat - lat_min) / (lat_max - lat_min);
    double lon_off = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    out->bits = spread((uint32_t)lat_off) | (spread((uint32_t)lon_off) << 1);
    return 0;
}

int
geo_encode(double lon, double lat, int step, struct geo_cell *out)
{
    return encode_in(GEO_LAT_MIN, GEO_LAT_MAX, lon, lat, step, out);
}

uint64_t
geo_score(double lon, double lat)
{
    struct geo_cell cell;
    geo_encode(lon, lat, GEO_STEP_MAX, &cell);
    return cell.bits;
}

void
geo_cell_area(const struct geo_cell *cell, struct geo_area *a)
{
    uint32_t ilat = squash(cell->bits), ilon = squash(cell->bits >> 1);
    double cells = (double)(1ULL << cell->step);
    double lat_scale = GEO_LAT_MAX - GEO_LAT_MIN, lon_scale = GEO_LONG_MAX - GEO_LONG_MIN;
    a->lat_min = GEO_LAT_MIN + (ilat * 1.0 / cells) * lat_scale;
    a->lat_max = GEO_LAT_MIN + ((ilat + 1) * 1.0 / cells) * lat_scale;
    a->lon_min = GEO_LONG_MIN + (ilon * 1.0 / cells) * lon_scale;
    a->lon_max = GEO_LONG_MIN + ((ilon + 1) * 1.0 / cells) * lon_scale;
}

void
geo_decode(double score, double *lon, double *lat)
{
    struct geo_cell cell = {(uint64_t)score, GEO_STEP_MAX};
    struct geo_area a;
    geo_cell_area(&cell, &a);
    *lon = (a.lon_min + a.lon_max) / 2;
    *lon = *lon > GEO_LONG_MAX ? GEO_LONG_MAX : *lon < GEO_LONG_MIN ? GEO_LONG_MIN : *lon;
    *lat = (a.lat_min + a.lat_max) / 2;
    *lat = *lat > GEO_LAT_MAX ? GEO_LAT_MAX : *lat < GEO_LAT_MIN ? GEO_LAT_MIN : *lat;
}

void
geo_hash_string(double score, char out[12])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    double lon, lat;
    struct geo_cell cell;
    geo_decode(score, &lon, &lat);
    /* Stored positions use latitudes -85..85; the standard geohash uses -90..90. */
    encode_in(-90, 90, lon, lat, GEO_STEP_MAX, &cell);
    for (int i = 0; i < 10; i++)
        out[i] = alphabet[(cell.bits >> (52 - (i + 1) * 5)) & 0x1f];
    out[10] = '0'; /* 52 bits fill ten characters and two bits: the eleventh is always 0 */
    out[11] = '\0';
}

double
geo_lat_distance(double lat1, double lat2)
{
    return GEO_EARTH_RADIUS * fabs(rad(lat2) - rad(lat1));
}

double
geo_distance(double lon1, double lat1, double lon2, double lat2)
{
    double lon1r = rad(lon1), lon2r = rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    if (v == 0.0) /* same meridian: the haversine reduces to the latitude difference */
        return geo_lat_distance(lat1, lat2);
    double lat1r = rad(lat1), lat2r = rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEO_EARTH_RADIUS * asin(sqrt(a));
}

int
geo_in_shape(const struct geo_shape *s, double lon, double lat, double *dist)
{
    if (!s->box) {
        *dist = geo_distance(s->lon, s->lat, lon, lat);
        return *dist <= s->radius * s->conv;
    }
    /* The box: within half its height north-south, half its width east-west along the
     * point's own parallel. */
    double width = s->width * s->conv, height = s->height * s->conv;
    if (geo_lat_distance(lat, s->lat) > height / 2)
        return 0;
    if (geo_distance(lon, lat, s->lon, lat) > width / 2)
        return 0;
    *dist = geo_distance(s->lon, s->lat, lon, lat);
    return 1;
}

/* Cell size (bits per coordinate) whose neighbourhood covers a radius at this latitude. */
static int
steps_for_radius(double meters, double lat)
{
    if (meters == 0)
        return GEO_STEP_MAX;
    int step = 1;
    while (meters < MERCATOR_MAX) {
        meters *= 2;
        step++;
    }
    step -= 2;
    /* Meridians converge towards the poles: cells there are narrower, use bigger ones. */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80)
            step--;
    }
    return step < 1 ? 1 : step > GEO_STEP_MAX ? GEO_STEP_MAX : step;
}

/* Move a cell by one along longitude (odd bits, dx) and latitude (even bits, dy), wrapping
 * around at the edges of the world. */
static struct geo_cell
cell_move(struct geo_cell c, int dx, int dy)
{
    const uint64_t odd = 0xaaaaaaaaaaaaaaaaULL, even = 0x5555555555555555ULL;
    int shift = 64 - c.step * 2;
    for (int axis = 0; axis < 2; axis++) {
        int d = axis == 0 ? dx : dy;
        if (d == 0)
            continue;
        uint64_t mine = axis == 0 ? odd : even, other = ~mine;
        uint64_t v = c.bits & mine, rest = c.bits & other;
        /* Filling the other axis's bits with ones lets a carry (or borrow) run through. */
        uint64_t fill = (axis == 0 ? even : odd) >> shift;
        if (d > 0) {
            v = v + (fill + 1);
        } else {
            v = v | fill;
            v = v - (fill + 1);
        }
        v &= mine >> shift;
        c.bits = v | rest;
    }
    return c;
}

/* The bounding box in degrees of shape s: [0] min lon, [1] min lat, [2] max lon, [3] max
 * lat. */
static void
shape_bounds(const struct geo_shape *s, double b[4])
{
    double height = s->conv * (s->box ? s->height / 2 : s->radius);
    double width = s->conv * (s->box ? s->width / 2 : s->radius);
    double lat_delta = deg(height / GEO_EARTH_RADIUS);
    double lon_top = deg(width / GEO_EARTH_RADIUS / cos(rad(s->lat + lat_delta)));
    double lon_bottom = deg(width / GEO_EARTH_RADIUS / cos(rad(s->lat - lat_delta)));
    /* The parallel farther from the equator is the shorter one: its span in degrees is
     * the wider. */
    int south = s->lat < 0;
    b[0] = south ? s->lon - lon_bottom : s->lon - lon_top;
    b[2] = south ? s->lon + lon_bottom : s->lon + lon_top;
    b[1] = s->lat - lat_delta;
    b[3] = s->lat + lat_delta;
}

enum { N_CENTER, N_NORTH, N_SOUTH, N_EAST, N_WEST, N_NE, N_NW, N_SE, N_SW };

static void
cells_around(const struct geo_shape *s, int step, struct geo_cell cells[9])
{
    static const int moves[9][2] = {{0, 0}, {0, 1},  {0, -1}, {1, 0},  {-1, 0},
                                    {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
    geo_encode(s->lon, s->lat, step, &cells[N_CENTER]);
    for (int i = 1; i < 9; i++)
        cells[i] = cell_move(cells[N_CENTER], moves[i][0], moves[i][1]);
}

void
geo_search_cells(const struct geo_shape *s, struct geo_cell cells[9])
{
    double b[4];
    shape_bounds(s, b);
    double r = s->box ? sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2))
                      : s->radius;
    int step = steps_for_radius(r * s->conv, s->lat);
    cells_around(s, step, cells);
    /* Near the edge of its cell the shape can reach past the neighbours: one step bigger. */
    struct geo_area n, so, e, w;
    geo_cell_area(&cells[N_NORTH], &n);
    geo_cell_area(&cells[N_SOUTH], &so);
    geo_cell_area(&cells[N_EAST], &e);
    geo_cell_area(&cells[N_WEST], &w);
    if (step > 1 && (n.lat_max < b[3] || so.lat_min > b[1] || e.lon_max < b[2] || w.lon_min > b[0]))
        cells_around(s, --step, cells);
    if (step < 2)
        return;
    /* Neighbours on a side the shape does not reach are not searched. */
    struct geo_area a;
    static const struct geo_cell none = {0, 0};
    geo_cell_area(&cells[N_CENTER], &a);
    if (a.lat_min < b[1])
        cells[N_SOUTH] = cells[N_SW] = cells[N_SE] = none;
    if (a.lat_max > b[3])
        cells[N_NORTH] = cells[N_NE] = cells[N_NW] = none;
    if (a.lon_min < b[0])
        cells[N_WEST] = cells[N_SW] = cells[N_NW] = none;
    if (a.lon_max > b[2])
        cells[N_EAST] = cells[N_SE] = cells[N_NE] = none;
}

void
geo_cell_scores(const struct geo_cell *cell, uint64_t *min, uint64_t *max)
{
    int shift = 52 - cell->step * 2;
    *min = cell->bits << shift;
    *max = (cell->bits + 1) << shift;
}
