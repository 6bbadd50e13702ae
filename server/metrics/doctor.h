/* doctor — the MEMORY DOCTOR report (doctor.c), for the command and the /doctor page. */
#ifndef ZMEM_SERVER_METRICS_DOCTOR_H
#define ZMEM_SERVER_METRICS_DOCTOR_H

struct buf;

/* Append the MEMORY DOCTOR text for this moment to out (LF lines): collects the memory
 * section itself, then judges it. */
void metrics_render_doctor(struct buf *out);

#endif
