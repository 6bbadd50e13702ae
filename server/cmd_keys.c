/* cmd_keys.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

const struct command cmd_keys_table[] = {
    {.name = NULL},
};
