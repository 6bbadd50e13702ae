/* stats.c — server-wide counters, identity (run id, start time, executable) and errorstats.
 * Only the event loop thread writes these; metrics.c reads them from the same thread. */
#include "stats.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memcat.h"
#include "util.h"
#include "zmalloc.h"

static struct server_stats stats;
static char run_id[41];
static int64_t start_wall_ms, start_mono_ms;
static size_t startup_memory;
static char executable[PATH_MAX];

/* Error codes seen, with counts. Redis caps the table (128) so that clients inventing codes
 * cannot grow it; codes beyond that are only counted in total_error_replies. */
#define ERRORSTATS_MAX 128
#define ERRCODE_MAX    32
static struct {
    char code[ERRCODE_MAX];
    uint64_t count;
} errorstats[ERRORSTATS_MAX];
static int nerrorstats;

struct server_stats *
server_stats(void)
{
    return &stats;
}

void
server_stats_reset(void)
{
    uint64_t ops = stats.instantaneous_ops_per_sec;
    double in = stats.instantaneous_input_kbps, out = stats.instantaneous_output_kbps;

    memset(&stats, 0, sizeof(stats));
    /* The instantaneous figures are rates, not totals: RESETSTAT leaves them to the sampler. */
    stats.instantaneous_ops_per_sec = ops;
    stats.instantaneous_input_kbps = in;
    stats.instantaneous_output_kbps = out;
}

/* Called once from main after initialisation (see stats_setup in stats.h). */
void
stats_setup(void)
{
    unsigned char raw[20];
    static const char hex[] = "0123456789abcdef";
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;

    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof(raw)) {
        /* No urandom: mix time and pid, good enough to tell restarts apart. */
        uint64_t x = (uint64_t)wall_us() ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof(raw); i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            raw[i] = (unsigned char)(x >> 56);
        }
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        run_id[2 * i] = hex[raw[i] >> 4];
        run_id[2 * i + 1] = hex[raw[i] & 15];
    }
    run_id[40] = '\0';
    start_wall_ms = wall_ms();
    start_mono_ms = mono_ms();
    ssize_t n = readlink("/proc/self/exe", executable, sizeof(executable) - 1);
    executable[n > 0 ? n : 0] = '\0';
}

void
stats_mark_startup_memory(void)
{
    startup_memory = zmalloc_used_memory();
}

const char *
server_run_id(void)
{
    return run_id;
}

int64_t
server_start_time_ms(void)
{
    return start_wall_ms;
}

int64_t
server_uptime_seconds(void)
{
    return (mono_ms() - start_mono_ms) / 1000;
}

size_t
server_startup_memory(void)
{
    return startup_memory;
}

const char *
server_executable(void)
{
    return executable;
}

void
errorstats_incr(const char *code, size_t len)
{
    MEMCAT_SCOPE(MC_METRICS);
    stats.total_error_replies++;
    if (len >= ERRCODE_MAX)
        len = ERRCODE_MAX - 1;
    for (int i = 0; i < nerrorstats; i++) {
        if (strncmp(errorstats[i].code, code, len) == 0 && errorstats[i].code[len] == '\0') {
            errorstats[i].count++;
            return;
        }
    }
    if (nerrorstats == ERRORSTATS_MAX)
        return;
    memcpy(errorstats[nerrorstats].code, code, len);
    errorstats[nerrorstats].code[len] = '\0';
    errorstats[nerrorstats].count = 1;
    nerrorstats++;
}

void
errorstats_foreach(void (*fn)(const char *code, uint64_t count, void *ctx), void *ctx)
{
    for (int i = 0; i < nerrorstats; i++)
        fn(errorstats[i].code, errorstats[i].count, ctx);
}

void
errorstats_reset(void)
{
    MEMCAT_SCOPE(MC_METRICS);
    nerrorstats = 0;
}
