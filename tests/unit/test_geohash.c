/* test_geohash.c — the geohash module against values redis-server 7.0.15 gives for the same
 * positions (GEOADD scores, GEOPOS coordinates, GEOHASH strings, GEODIST distances), the
 * world's corners included, plus the search cells: the centre cell holds the centre, moving a
 * cell and back is the identity, cells wrap around the antimeridian, and every position a
 * shape holds lies in one of the cells searched. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "geohash.h"
#include "util.h"

/* Positions and what Redis answers for them. */
static const struct {
    double lon, lat;
    uint64_t score;
    const char *lon_text, *lat_text, *hash;
} known[] = {
    {13.361389, 38.115556, 3479099956230698ULL, "13.36138933897018433", "38.11555639549629859",
     "sqc8b49rny0"},
    {15.087269, 37.502669, 3479447370796909ULL, NULL, NULL, NULL},
    {-0.1275, 51.507222, 2163557714840001ULL, "-0.1274988055229187", "51.50722081469902491",
     "gcpvj0e5m10"},
    {0, 0, 3377699720527872ULL, "0.00000268220901489", "0.00000126736058093", "s0000000000"},
    {180, 85.05112878, 13510798882111488ULL, "180", "85.0511287799999991", "bp05b5048p0"},
    {-180, -85.05112878, 0, "-179.99999731779098511", "-85.05112751263942528", "00bh0hbj200"},
};

static void
test_scores_and_decoding(void **state)
{
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        assert_true(geo_valid(known[i].lon, known[i].lat));
        assert_int_equal(geo_score(known[i].lon, known[i].lat), known[i].score);
        if (known[i].lon_text == NULL)
            continue;
        double lon, lat;
        char buf[LDBL_STR_MAX], hash[12];
        geo_decode((double)known[i].score, &lon, &lat);
        ldouble_to_str(buf, sizeof(buf), lon);
        assert_string_equal(buf, known[i].lon_text);
        ldouble_to_str(buf, sizeof(buf), lat);
        assert_string_equal(buf, known[i].lat_text);
        geo_hash_string((double)known[i].score, hash);
        assert_string_equal(hash, known[i].hash);
    }
}

static void
test_limits(void **state)
{
    struct geo_cell cell;
    assert_false(geo_valid(180.0001, 0));
    assert_false(geo_valid(-180.0001, 0));
    assert_false(geo_valid(0, 85.05112879));
    assert_false(geo_valid(0, -85.05112879));
    assert_int_equal(geo_encode(0, 86, GEO_STEP_MAX, &cell), -1);
    assert_int_equal(geo_encode(0, 0, GEO_STEP_MAX, &cell), 0);
    assert_int_equal(cell.step, GEO_STEP_MAX);
}

static void
test_distances(void **state)
{
    char buf[64];
    double lon1, lat1, lon2, lat2;
    geo_decode(3479099956230698.0, &lon1, &lat1);
    geo_decode(3479447370796909.0, &lon2, &lat2);
    snprintf(buf, sizeof(buf), "%.4f", geo_distance(lon1, lat1, lon2, lat2));
    assert_string_equal(buf, "166274.1516");
    geo_decode(2163557714840001.0, &lon1, &lat1);
    geo_decode(3377699720527872.0, &lon2, &lat2);
    snprintf(buf, sizeof(buf), "%.4f", geo_distance(lon1, lat1, lon2, lat2));
    assert_string_equal(buf, "5728970.0016");
    geo_decode(13510798882111488.0, &lon1, &lat1);
    geo_decode(0, &lon2, &lat2);
    snprintf(buf, sizeof(buf), "%.4f", geo_distance(lon1, lat1, lon2, lat2) / 1000);
    assert_string_equal(buf, "18919.8446");
    /* Along a meridian the distance is the arc of the latitude difference. */
    assert_true(geo_distance(10, 0, 10, 1) == geo_lat_distance(0, 1));
    assert_true(fabs(geo_lat_distance(0, 1) - GEO_EARTH_RADIUS * M_PI / 180) < 1e-6);
    assert_true(geo_distance(1, 2, 1, 2) == 0);
}

static void
test_shapes(void **state)
{
    struct geo_shape circle = {.lon = 15, .lat = 37, .radius = 200, .conv = 1000};
    struct geo_shape box = {
        .box = 1, .lon = 15, .lat = 37, .width = 400, .height = 100, .conv = 1000};
    double d;
    assert_true(geo_in_shape(&circle, 15.087269, 37.502669, &d));
    assert_true(d > 50000 && d < 60000);
    assert_false(geo_in_shape(&circle, 13.361389, 40, &d));
    assert_true(geo_in_shape(&box, 16.5, 37.2, &d)); /* 133 km east, 22 km north */
    assert_false(geo_in_shape(&box, 15, 37.6, &d));  /* 67 km north: past half the height */
    assert_false(geo_in_shape(&box, 17.5, 37, &d));  /* 222 km east: past half the width */
}

/* 1 when score lies in one of the non-empty cells. */
static int
in_cells(const struct geo_cell cells[9], uint64_t score)
{
    for (int i = 0; i < 9; i++) {
        uint64_t min, max;
        if (cells[i].step == 0 && cells[i].bits == 0)
            continue;
        geo_cell_scores(&cells[i], &min, &max);
        if (score >= min && score < max)
            return 1;
    }
    return 0;
}

static void
test_search_cells_cover(void **state)
{
    srand(7);
    for (int t = 0; t < 200; t++) {
        struct geo_shape s = {.lon = rand() % 36000 / 100.0 - 180,
                              .lat = rand() % 16000 / 100.0 - 80,
                              .conv = 1000,
                              .box = t & 1};
        s.radius = 1 + rand() % 500;
        s.width = 1 + rand() % 500;
        s.height = 1 + rand() % 500;
        struct geo_cell cells[9];
        geo_search_cells(&s, cells);
        /* The centre's own cell is always searched and holds the centre. */
        assert_true(cells[0].step >= 1 && cells[0].step <= GEO_STEP_MAX);
        uint64_t centre = geo_score(s.lon, s.lat);
        assert_true(in_cells(cells, centre));
        for (int k = 0; k < 200; k++) {
            double lon = s.lon + (rand() % 2001 - 1000) / 100.0;
            double lat = s.lat + (rand() % 2001 - 1000) / 200.0;
            double d, dlon, dlat;
            if (!geo_valid(lon, lat))
                continue;
            uint64_t sc = geo_score(lon, lat);
            geo_decode((double)sc, &dlon, &dlat);
            if (geo_in_shape(&s, dlon, dlat, &d))
                assert_true(in_cells(cells, sc));
        }
    }
}

static void
test_neighbour_wrap(void **state)
{
    /* A small radius next to the antimeridian: the west neighbour of a cell at -180 wraps to
     * the cells at +180, so a point just across the line is found. */
    struct geo_shape s = {.lon = -179.999, .lat = 10, .radius = 5, .conv = 1000};
    struct geo_cell cells[9];
    double d;
    geo_search_cells(&s, cells);
    assert_true(geo_in_shape(&s, 179.999, 10, &d));
    assert_true(in_cells(cells, geo_score(179.999, 10)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores_and_decoding), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_distances),           cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_search_cells_cover),  cmocka_unit_test(test_neighbour_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
