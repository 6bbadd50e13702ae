/* cmd_keys.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_keys_table[] = {
    {.name = NULL},
};
