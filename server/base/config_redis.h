/* config_redis — Redis directives without a row in the option table: the ziplist aliases,
 * options with one fixed value (save "", appendonly no, io-threads 1...) and directives of a
 * redis.conf for features zmem does not have (accepted, warned about, or refused). */
#ifndef ZMEM_SERVER_CONFIG_REDIS_H
#define ZMEM_SERVER_CONFIG_REDIS_H

#include <stddef.h>

/* The option an old name stands for (hash-max-ziplist-entries: hash-max-listpack-entries),
 * or name itself. */
const char *config_alias_target(const char *name);
/* Visit each alias matching the glob pattern (CONFIG GET), with the option it stands for. */
void config_alias_foreach(const char *pattern,
                          void (*fn)(const char *alias, const char *name, void *ctx), void *ctx);
/* CONFIG SET of a fixed option: 1 when name is not one, 0 when value is its only value, -1
 * with Redis-style error text otherwise. */
int config_fixed_check(const char *name, const char *value, char *err, size_t errlen);
/* Visit each fixed option matching the glob pattern, with its value. */
void config_fixed_foreach(const char *pattern,
                          void (*fn)(const char *name, const char *value, void *ctx), void *ctx);
/* A config file (or --name) directive with no option row: 0 when accepted (perhaps leaving a
 * warning), -1 with a message saying why zmem cannot do what it asks, or that it is unknown. */
int config_redis_apply(const char *name, char **vals, int nvals, char *err, size_t errlen);
/* Forget the warnings of an earlier load. */
void config_warnings_clear(void);
/* The i-th warning the config load left for the log (directives accepted without effect,
 * such as `save 3600 1`), or NULL past the last. main logs them once logging is up. */
const char *config_warning(size_t i);

#endif
