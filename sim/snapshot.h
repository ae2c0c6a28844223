/* snapshot.h - several snapshots of one registry, taken at different times, merged into one
 * model of every manifest ever seen, remembering which snapshot held what (sim/REPLAY.md,
 * "Several snapshots"). The history reads both to derive pushes, tag moves and removals.
 * snapshot_read() reads the inputs of a command into such snapshots, or into one.
 * Ownership: snapshot_set_build() takes the snapshot models (sorted by exportedAt inside) and
 * gives a set freed by snapshot_set_free(), which frees them too. */
#ifndef PURGESIM_SNAPSHOT_H
#define PURGESIM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

struct ingest_opts;
struct model_cache_opts;

#define SNAPSHOT_MAX 64

struct snapshot_set {
    struct model *snap[SNAPSHOT_MAX];   /* by exportedAt, oldest first */
    size_t n;
    struct model *merged;               /* facts from the latest snapshot holding each manifest;
                                           its tags are the latest snapshot's */
    uint64_t **held;                    /* [merged repo][manifest]: bit j = snapshot j holds it */
    uint32_t **repo_of;                 /* [snapshot][its repo] -> merged repo */
};

/* Reads the -i inputs as every command reads them: several bundles or export directories are
 * snapshots of their own, each with its exportedAt, sorted oldest first (two at the same
 * instant are an error, ERR_INPUT, as snapshot_set_build() says it); raw az files (without
 * exportedAt) are one snapshot, read together, and so is one input. Sets out[0 .. *n_out)
 * (*n_out is 1 for one snapshot; out holds SNAPSHOT_MAX), models the caller frees. Returns
 * PS_OK, or ERR_* with messages in d and nothing to free. */
int snapshot_read(const char *const *inputs, size_t n, const struct ingest_opts *io,
                  const struct model_cache_opts *cache, struct model **out, size_t *n_out, struct diag *d);

/* Merges n models (n >= 1). Two snapshots with the same exportedAt are an error (ERR_INPUT). */
int snapshot_set_build(struct model **snaps, size_t n, struct snapshot_set **out, struct diag *d);
void snapshot_set_free(struct snapshot_set *s);   /* NULL is fine */

#endif
