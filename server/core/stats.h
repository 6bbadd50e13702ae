/* stats — server-wide counters and identity (INFO server/clients/stats), owned by the
 * networking and dispatch code, read by metrics.c. */
#ifndef ZMEM_SERVER_STATS_H
#define ZMEM_SERVER_STATS_H

#include <stddef.h>
#include <stdint.h>

struct server_stats {
    uint64_t connections_received;
    uint64_t commands_processed;
    uint64_t rejected_connections;
    uint64_t net_input_bytes;
    uint64_t net_output_bytes;
    uint64_t reads_processed;
    uint64_t writes_processed;
    uint64_t total_error_replies;
    uint64_t unexpected_error_replies;
    uint64_t protocol_errors;
    uint64_t cross_protocol_closed; /* connections closed for sending HTTP (POST, Host:) */
    uint64_t evicted_clients;       /* closed by maxmemory-clients */
    /* instantaneous_* (updated by the cron from 100 ms samples, averaged over 16 samples) */
    uint64_t instantaneous_ops_per_sec;
    double instantaneous_input_kbps;
    double instantaneous_output_kbps;
};

/* The counters (mutable: the network and dispatch code increment them). */
struct server_stats *server_stats(void);
/* Zero the resettable counters (CONFIG RESETSTAT). */
void server_stats_reset(void);

/* Identity and times. */
const char *server_run_id(void);    /* 40 hex characters, random per start */
int64_t server_start_time_ms(void); /* wall clock at start */
int64_t server_uptime_seconds(void);
size_t server_startup_memory(void);  /* zmalloc_used_memory() when initialisation ended */
const char *server_executable(void); /* absolute path of the binary, "" if unknown */

/* Errorstats: count one error reply under its code (first word, e.g. "ERR"). */
void errorstats_incr(const char *code, size_t len);
/* Visit each error code and its count (INFO errorstats). */
void errorstats_foreach(void (*fn)(const char *code, uint64_t count, void *ctx), void *ctx);
void errorstats_reset(void);

/* Set the run id, start time and executable path (main, before serving). */
void stats_setup(void);
/* Record zmalloc_used_memory() as the startup figure (main, when initialisation is done). */
void stats_mark_startup_memory(void);
#endif
