/* history_log.h - the natural history refined by the registry's event log (sim/REPLAY.md,
 * "Natural history from an event log"): the log's pushes, untags and deletes up to the
 * export's exportedAt replace what the export alone would make us assume, and the export still
 * wins where the two disagree.
 * Ownership: history_build_log() adds what only the log knows to the model (in place, in its
 * arena) and gives a history freed by history_free() that borrows the model. The log is only
 * read: the history keeps no pointer into it. */
#ifndef PURGESIM_HISTORY_LOG_H
#define PURGESIM_HISTORY_LOG_H

#include <stddef.h>

#include "events.h"
#include "history.h"

struct history_log_stats {
    size_t applied;            /* push, untag and delete rows at or before exportedAt */
    size_t after_export;       /* rows after exportedAt: beyond the history's end, ignored */
    size_t manifests_added;    /* digests only the log pushes: added to the model */
    size_t repos_added;        /* repositories only the log has */
    size_t unknown_deletes;    /* deletes of a digest neither pushed in the log nor in the export */
    size_t unplaced;           /* rows naming nothing the history holds then (an untag of a tag
                                  not set, a push without digest, a delete of what is gone) */
    size_t conflicts;          /* manifests and tags the export contradicts: the export wins */
};

/* Extends m with the manifests (image manifests of the pushed size, one blob each) and
 * repositories that only the log pushes, then builds the history of m refined by the log's
 * rows at or before m's exportedAt. The log must be sorted (events_finish). Returns PS_OK. */
int history_build_log(struct model *m, const struct event_log *log, enum untag_model untag,
                      struct history_log_stats *st, struct history **out);

#endif
