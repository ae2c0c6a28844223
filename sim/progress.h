/* progress.h - progress of long steps on stderr, only when stderr is a terminal and not
 * --quiet: ingest bytes, replay days per policy. Safe to call from several threads. */
#ifndef PURGESIM_PROGRESS_H
#define PURGESIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* Turns progress on when `wanted` and stderr is a terminal. */
void progress_enable(bool wanted);
/* Ingest: bytes read so far of the current file (printed at most a few times a second). */
void progress_bytes(const char *file, uint64_t bytes);
/* Replay: one more day done of `total` (over all policies). */
void progress_day(uint64_t total);
/* Ends the progress line. */
void progress_done(void);

#endif
