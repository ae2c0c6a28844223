/* pulls.h - what production really pulled and runs, resolved against the natural history, so
 * that each policy's replay can tell which pulls it would have broken and which in-use images
 * it deletes (sim/REPLAY.md, "Risk: broken pulls and in-use images").
 * A pull at t of a reference (a tag, or a digest) is breakable when the natural history holds
 * that reference at t: the tag instance live then, or the manifest present then. A policy
 * breaks it when its registry does not hold it at t (it deleted the tag, or the manifest).
 * Ownership: the index borrows the event log and the history, which must outlive it; free it
 * with pulls_free(). */
#ifndef PURGESIM_PULLS_H
#define PURGESIM_PULLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "history.h"
#include "inuse.h"
#include "replay.h"

/* Resolves the log's successful pulls in [from_ns, to_ns]. */
void pulls_build(const struct event_log *log, const struct history *h, int64_t from_ns, int64_t to_ns,
                 struct pull_index *out);
void pulls_free(struct pull_index *px);

/* An in-use reference resolved: the manifest it names (by digest, or the current target of
 * its tag) and, for a tag, the tag instance current at the end of the history. */
struct inuse_target {
    const struct inuse_ref *ref;
    bool found;                /* the export holds it */
    uint32_t repo;
    size_t id;                 /* manifest id */
    bool by_tag;
    size_t inst;               /* tag instance id (by_tag) */
};

/* Resolves every reference of l; out[] has l->n entries (caller frees). */
struct inuse_target *pulls_resolve_inuse(const struct inuse_list *l, const struct history *h);

#endif
