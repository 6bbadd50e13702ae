/* expire.c — active expiry: each cron tick walks the expires arrays of the databases, 20 keys
 * at a time, deleting the expired ones, and goes on in a database while more than 10% of a
 * batch had expired. A time budget of 25% of the tick (1000/hz ms) keeps the event loop
 * responsive; the walk resumes where it stopped, so every volatile key is looked at in turn. */
#include "expire.h"

#include "memcat.h"
#include "db.h"

#include "config.h"
#include "util.h"

#define KEYS_PER_LOOP    20
#define ACCEPTABLE_STALE 10 /* percent */
#define TIME_PERC        25
#define DBS_PER_CALL     16

static int active_expire = 1;

void
expire_set_active(int on)
{
    active_expire = on;
}

int64_t
expire_cycle(void)
{
    MEMCAT_SCOPE(MC_KEYSPACE);
    static int current_db;
    struct keyspace_stats *ks = keyspace_stats();
    int hz = config_get()->hz > 0 ? config_get()->hz : 10;
    int64_t start = mono_us();
    int64_t budget = 1000000LL * TIME_PERC / hz / 100;
    int ndb = db_count() < DBS_PER_CALL ? db_count() : DBS_PER_CALL;
    size_t total_sampled = 0, total_expired = 0;
    int timeout = 0;
    unsigned iteration = 0;

    if (!active_expire || db_frozen())
        return 0;

    for (int j = 0; j < ndb && !timeout; j++) {
        struct db *db = db_get(current_db++ % db_count());
        size_t expired, sampled;
        do {
            if (db->vol_count == 0)
                break;
            int64_t now = db_now_ms();
            long long ttl_sum = 0, ttl_n = 0;
            expired = sampled = 0;
            size_t n = db->vol_count < KEYS_PER_LOOP ? db->vol_count : KEYS_PER_LOOP;
            while (sampled < n && db->vol_count) {
                if (db->vol_cursor >= db->vol_count)
                    db->vol_cursor = 0;
                struct kv *e = db->vol[db->vol_cursor];
                int64_t ttl = kv_expire(e) - now;
                sampled++;
                if (ttl <= 0) {
                    /* The last entry moves into this slot: look at it next. */
                    db_expire_kv(db, e);
                    expired++;
                } else {
                    db->vol_cursor++;
                    ttl_sum += ttl;
                    ttl_n++;
                }
            }
            total_sampled += sampled;
            total_expired += expired;
            if (ttl_n) {
                /* A running average that moves 2% towards each batch's mean. */
                long long avg = ttl_sum / ttl_n;
                db->avg_ttl = db->avg_ttl == 0 ? avg : (db->avg_ttl / 50) * 49 + avg / 50;
            }
            if ((++iteration & 0xf) == 0 && mono_us() - start > budget) {
                timeout = 1;
                ks->expired_time_cap_reached_count++;
                break;
            }
        } while (sampled && expired * 100 > sampled * ACCEPTABLE_STALE);
    }
    int64_t elapsed = mono_us() - start;
    static int64_t rem_us; /* sub-millisecond remainder carried to the next cycle */
    rem_us += elapsed;
    ks->expire_cycle_cpu_milliseconds += (uint64_t)(rem_us / 1000);
    rem_us %= 1000;
    /* How stale the keyspace looks: this cycle's expired share, smoothed. */
    double perc = total_sampled ? (double)total_expired / total_sampled : 0;
    ks->expired_stale_perc = perc * 0.05 + ks->expired_stale_perc * 0.95;
    return elapsed;
}
