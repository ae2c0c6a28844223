/* ingest_internal.h - what ingest.c shares with ingest_pool.c, which reads a bundle's
 * repositories on several threads. Not for other modules: they use ingest.h. */
#ifndef PURGESIM_INGEST_INTERNAL_H
#define PURGESIM_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "ingest.h"
#include "jstream.h"
#include "model.h"

struct stage_repo;

struct ingest {
    struct model *m;
    struct diag *d;
    struct ingest_opts o;
    struct stage_repo *pending;   /* raw-file repositories, resolved in ingest_finish */
    struct arena raw_scratch;     /* staging data of the pending repositories */
    uint64_t bytes_read;
};

/* Reads the bundle repository object at js (repositories[index]) and, while no message has
 * been recorded, resolves it into in->m. Returns false when reading must stop there. */
bool ingest_walk_repo(struct ingest *in, struct jstream *js, size_t index);

/* One bundle repository read and built apart from the model, waiting to join it in file
 * order. Ownership: the part owns everything here until ingest_part_commit() or
 * ingest_part_discard(); its repository's arrays live in the reading worker's arena. */
struct repo_part {
    struct diag walk_d;           /* messages recorded while reading its elements */
    struct diag res_d;            /* messages recorded while building it */
    bool ok;                      /* no syntax error: reading may go on after it */
    bool checked;                 /* read without messages, so its name was checked */
    bool name_ok, built;
    struct repo rp;               /* when built: its layers hold the part's own blob ids */
    struct blob *blobs;           /* the part's blobs by its own ids, in first-seen order */
    size_t n_blobs;
    struct model_oddities odd;
    struct stage_repo *where;     /* its name and positions, for the duplicate-name check */
};

/* On a worker: reads repositories[index] from js into part, with `shard` as the model (its
 * arena is the worker's; its blob table is moved into the part). `in` is only read. */
void ingest_part_read(const struct ingest *in, struct model *shard, struct jstream *js, size_t index,
                      struct repo_part *part);
/* On the reading thread, in file order: does with the part what ingest_walk_repo() would have
 * done with the repository (messages, duplicate check, blob ids, joining the model), then
 * empties the part. Returns false when reading must stop there. */
bool ingest_part_commit(struct ingest *in, struct repo_part *part);
void ingest_part_discard(struct repo_part *part);

/* Reads the elements of a bundle's "repositories" array (the '[' is consumed) on `jobs`
 * threads with the same messages, model and stopping point as reading them one by one.
 * Returns false when reading must stop (the message is recorded). */
bool ingest_pool_walk(struct ingest *in, struct jstream *js, int jobs, size_t span_limit);

#endif
