/* cmd_hash.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

const struct command cmd_hash_table[] = {
    {.name = NULL},
};
