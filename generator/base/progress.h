/* progress.h - a one-line progress meter on stderr for long reads.
 *
 * Shown only when stderr is a terminal and the work is long (DESIGN 10),
 * so logs, pipes and tests never see it. The line is erased when done. */
#ifndef MEMREPORT_PROGRESS_H
#define MEMREPORT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool on;
    const char *label;    /* borrowed */
    uint64_t total;
    int shown;            /* last percentage printed */
} progress;

/* Starts a meter for `total` units of work; it stays off below `min`. */
void progress_start(progress *p, const char *label, uint64_t total, uint64_t min);
void progress_update(progress *p, uint64_t done);
void progress_done(progress *p);

#endif
