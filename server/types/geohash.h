/* geohash — the arithmetic behind the GEO commands (geohash.c). A position is stored as the
 * score of a sorted-set member: a 52-bit interleaved geohash (26 bits of longitude on the odd
 * bits, 26 of latitude on the even bits) over longitude -180..180 and latitude
 * -85.05112878..85.05112878, the Web Mercator limits Redis uses. Distances are haversine on a
 * sphere of radius 6372797.560856 m. Every formula follows the same floating-point steps as
 * Redis 7.0 so that decoded coordinates and distances print identically. */
#ifndef ZMEM_SERVER_GEOHASH_H
#define ZMEM_SERVER_GEOHASH_H

#include <stdint.h>

#define GEO_STEP_MAX     26 /* bits per coordinate: 52-bit scores */
#define GEO_LONG_MIN     -180.0
#define GEO_LONG_MAX     180.0
#define GEO_LAT_MIN      -85.05112878
#define GEO_LAT_MAX      85.05112878
#define GEO_EARTH_RADIUS 6372797.560856 /* metres */

/* A geohash cell: `step` bits per coordinate, interleaved into bits. step 0 and bits 0 is the
 * empty cell a search skips. */
struct geo_cell {
    uint64_t bits;
    int step;
};

/* A cell's extent in degrees. */
struct geo_area {
    double lon_min, lon_max, lat_min, lat_max;
};

/* A search shape: a circle of `radius`, or a box of width x height centred on (lon, lat), the
 * sizes in a unit of `conv` metres. */
struct geo_shape {
    int box;
    double lon, lat;
    double radius, width, height;
    double conv;
};

/* 1 when (lon, lat) is inside the limits a position may have. */
int geo_valid(double lon, double lat);
/* The cell of `step` bits per coordinate holding (lon, lat) in the GEO ranges; -1 when the
 * position is outside them. */
int geo_encode(double lon, double lat, int step, struct geo_cell *out);
/* The 52-bit score of a valid position: its step-26 cell. */
uint64_t geo_score(double lon, double lat);
/* A cell's extent in the GEO ranges. */
void geo_cell_area(const struct geo_cell *cell, struct geo_area *area);
/* The position a score stands for: the centre of its step-26 cell, clamped to the limits. */
void geo_decode(double score, double *lon, double *lat);
/* The 11-character standard geohash (latitude -90..90) of the position a score stands for,
 * as GEOHASH prints it: NUL-terminated in out. */
void geo_hash_string(double score, char out[12]);
/* Great-circle distance in metres, and its shortcut along a meridian. */
double geo_distance(double lon1, double lat1, double lon2, double lat2);
double geo_lat_distance(double lat1, double lat2);
/* 1 with *dist (metres from the centre) when the position is inside the shape. */
int geo_in_shape(const struct geo_shape *s, double lon, double lat, double *dist);
/* The cells a search of shape s looks in, in the order it visits them: the centre's cell,
 * then north, south, east, west, north-east, north-west, south-east, south-west. Cells that
 * cannot hold a match are emptied (step 0, bits 0). */
void geo_search_cells(const struct geo_shape *s, struct geo_cell cells[9]);
/* The score range [*min, *max) of the members inside a cell. */
void geo_cell_scores(const struct geo_cell *cell, uint64_t *min, uint64_t *max);

#endif
