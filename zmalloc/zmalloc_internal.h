/* zmalloc_internal.h — calls between zmalloc's own files; not installed, not for programs.
 * Every byte count outside zmalloc.c's wrappers goes through here, so a change to how zmalloc
 * counts (per thread, per category) has one place to adapt. */
#ifndef ZMEM_ZMALLOC_INTERNAL_H
#define ZMEM_ZMALLOC_INTERNAL_H

#include <stddef.h>

/* Count a block that another zmalloc file replaced with raw allocator calls made on this
 * thread (zmalloc_defrag_move): old_usable bytes freed, new_usable allocated. used_memory then
 * stays exact; on jemalloc the raw calls' movement of the thread counters is set apart by the
 * next counted call, as for any allocation made outside zmalloc. */
void zmalloc_count_replace_(size_t old_usable, size_t new_usable);

#endif
