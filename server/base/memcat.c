/* memcat.c — registration and names of the server's memory categories (memcat.h). */
#include "memcat.h"

#include <string.h>

static const char *const names[MC_COUNT] = {
    [MC_OTHER] = "other",
    [MC_STARTUP] = "startup",
    [MC_KEYSPACE] = "keyspace",
    [MC_STRING] = "values.string",
    [MC_HASH] = "values.hash",
    [MC_LIST] = "values.list",
    [MC_SET] = "values.set",
    [MC_ZSET] = "values.zset",
    [MC_CLIENTS_QUERY] = "clients.query",
    [MC_CLIENTS_REPLY] = "clients.reply",
    [MC_CLIENTS_OTHER] = "clients.other",
    [MC_EVENTLOOP] = "eventloop",
    [MC_LAZYFREE] = "lazyfree",
    [MC_METRICS] = "metrics",
};

int
memcat_setup(void)
{
    for (int i = 1; i < MC_COUNT; i++)
        if (zmalloc_category_register(names[i]) != i)
            return -1;
    return 0;
}

const char *
memcat_name(int cat)
{
    return cat >= 0 && cat < MC_COUNT ? names[cat] : "other";
}

int
memcat_of_type(int t)
{
    /* enum obj_type: OBJ_STRING, OBJ_LIST, OBJ_HASH, OBJ_SET, OBJ_ZSET */
    static const int by_type[] = {MC_STRING, MC_LIST, MC_HASH, MC_SET, MC_ZSET};

    return t >= 0 && t < (int)(sizeof(by_type) / sizeof(by_type[0])) ? by_type[t] : MC_OTHER;
}

int
memcat_of_group(const char *group)
{
    if (group == NULL)
        return MC_OTHER;
    switch (group[0]) {
    case 's':
        if (strcmp(group, "string") == 0)
            return MC_STRING;
        if (strcmp(group, "set") == 0)
            return MC_SET;
        if (strcmp(group, "sorted-set") == 0)
            return MC_ZSET;
        break;
    case 'h':
        if (strcmp(group, "hash") == 0)
            return MC_HASH;
        if (strcmp(group, "hyperloglog") == 0)
            return MC_STRING;
        break;
    case 'l':
        if (strcmp(group, "list") == 0)
            return MC_LIST;
        break;
    case 'b':
        if (strcmp(group, "bitmap") == 0)
            return MC_STRING;
        break;
    case 'g':
        if (strcmp(group, "geo") == 0)
            return MC_ZSET;
        break;
    case 'c':
        if (strcmp(group, "connection") == 0)
            return MC_CLIENTS_OTHER;
        break;
    case 'p':
        if (strcmp(group, "pubsub") == 0)
            return MC_CLIENTS_OTHER;
        break;
    case 't':
        if (strcmp(group, "transactions") == 0)
            return MC_CLIENTS_OTHER;
        break;
    }
    return MC_OTHER;
}
