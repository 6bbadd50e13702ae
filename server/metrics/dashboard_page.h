/* dashboard_page — the dashboard served at GET / on the metrics listener: web/dashboard.html
 * with its scripts and styles (uPlot, dashboard.js, dashboard.css) inlined, one self-contained
 * document. The bytes are defined in $(BUILD)/gen/dashboard_page.c, which the Makefile
 * generates from web/ with web/embed.c at build time; there is no dashboard_page.c here. */
#ifndef ZMEM_SERVER_METRICS_DASHBOARD_PAGE_H
#define ZMEM_SERVER_METRICS_DASHBOARD_PAGE_H

#include <stddef.h>

/* The page, UTF-8 HTML, dashboard_page_len bytes (not NUL-terminated). */
extern const unsigned char dashboard_page[];
extern const size_t dashboard_page_len;

#endif
