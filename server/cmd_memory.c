/* cmd_memory.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

const struct command cmd_memory_table[] = {
    {.name = NULL},
};
