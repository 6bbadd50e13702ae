/* info — INFO text (info.c): the table rows of each section from a metrics snapshot, with their
 * _human twins and percentages, and the list sections (commandstats, errorstats, keyspace). */
#ifndef ZMEM_SERVER_METRICS_INFO_H
#define ZMEM_SERVER_METRICS_INFO_H

#include <stddef.h>

struct buf;
struct metrics_snapshot;

/* INFO text of the sections in mask from s. with_lists = 0 leaves the list sections (keyspace,
 * commandstats, errorstats, latencystats) as bare headers, for tests without a server. */
void metrics_format_info(struct buf *out, const struct metrics_snapshot *s, unsigned mask,
                         int with_lists);
/* INFO [section ...] text (CRLF lines, "# Section" headers), appended to out: collects the
 * sections asked for, then formats them. nsect = 0 means the default set. Unknown names
 * contribute nothing. */
void metrics_render_info(struct buf *out, int nsect, const char *const *sect, const size_t *len);

#endif
