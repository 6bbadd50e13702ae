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
/* For the category checker (zmalloc_category_check): the block at old is being replaced by
 * the one at np, both raw calls made on this thread; called while old is still allocated.
 * The old block is checked out as a free in the current category (a mismatch is reported as
 * for any free) and the new one recorded in it. Nothing when the checker is off. */
void zmalloc_check_replace_(void *old, void *np);

#endif
