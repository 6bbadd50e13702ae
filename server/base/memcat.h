/* memcat — the server's memory categories (zmalloc categories, see zmalloc.h): their ids, and
 * MEMCAT_SCOPE, which makes a category current for the rest of a C scope. Tagging happens at
 * module boundaries: each module that owns memory sets its category where it allocates and
 * frees (net.c for client buffers, db.c for the tables, object.c by value type, the command
 * dispatcher by command group), so MEMORY BREAKDOWN's categories add up to used_memory. */
#ifndef ZMEM_SERVER_MEMCAT_H
#define ZMEM_SERVER_MEMCAT_H

#include "zmalloc.h"

/* In MEMORY BREAKDOWN order; memcat_setup() registers them with these ids. */
enum memcat {
    MC_OTHER = ZMALLOC_CATEGORY_OTHER,
    MC_STARTUP,
    MC_KEYSPACE,
    MC_STRING,
    MC_HASH,
    MC_LIST,
    MC_SET,
    MC_ZSET,
    MC_CLIENTS_QUERY,
    MC_CLIENTS_REPLY,
    MC_CLIENTS_OTHER,
    MC_EVENTLOOP,
    MC_LAZYFREE,
    MC_METRICS,
    MC_COUNT
};

/* Register the categories (first thing in main, before any allocation is tagged). Returns 0,
 * or -1 if zmalloc gave other ids (another user registered categories first). */
int memcat_setup(void);
/* The MEMORY BREAKDOWN name of a category ("values.hash", ...). */
const char *memcat_name(int cat);
/* The category of a value of object type t (enum obj_type order: string, list, hash, set,
 * zset). */
int memcat_of_type(int t);
/* The category a command of this group (its COMMAND DOCS group) runs in: the value category
 * for the type groups, clients.other for connection, pubsub and transactions, else other. */
int memcat_of_group(const char *group);

static inline void
memcat_restore_(const int *prev)
{
    zmalloc_category_set(*prev);
}

/* Make cat current until the end of the enclosing scope (restored on every way out). */
#define MEMCAT_SCOPE(cat)                                                                          \
    __attribute__((cleanup(memcat_restore_))) int memcat_prev_ = zmalloc_category_set(cat);        \
    (void)memcat_prev_

#endif
