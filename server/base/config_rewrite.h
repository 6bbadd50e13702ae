/* config_rewrite — CONFIG REWRITE: the config file the server was started with, brought up to
 * date with the running values (config_rewrite.c says how). */
#ifndef ZMEM_CONFIG_REWRITE_H
#define ZMEM_CONFIG_REWRITE_H

#include <stddef.h>

/* Rewrite the loaded config file. 0, or -1 with Redis's error text (without "ERR ") in err:
 * when the server was started without a file, or when the file cannot be read or replaced. */
int config_rewrite(char *err, size_t errlen);

#endif
