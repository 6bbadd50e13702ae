/* cmd_memory.c — placeholder until its commands land. */
#include <stddef.h>

#include "command.h"

struct command cmd_memory_table[] = {
    {.name = NULL},
};
