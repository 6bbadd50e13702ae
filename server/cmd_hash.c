/* cmd_hash.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_hash_table[] = {
    {.name = NULL},
};
