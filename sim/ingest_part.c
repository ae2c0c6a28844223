/* ingest_part.c - one bundle repository read and built apart from the model, on a worker, and
 * joined to the model later, in file order, on the reading thread.
 *
 * Repositories are independent until they join the model: a worker reads one into its own
 * shard (its own arena and blob table, with blob ids of its own) and keeps its messages
 * aside; the commit then does what reading it on the reading thread would have done: the
 * same messages in the same order, the duplicate-name check against the model as it is by
 * then, and the model's blob ids in first-seen order. */
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

void ingest_part_read(const struct ingest *in, struct model *shard, struct jstream *js, size_t index,
                      struct repo_part *part)
{
    struct ingest w = *in;
    w.m = shard;
    w.d = &part->walk_d;
    w.pending = NULL;
    memset(&w.raw_scratch, 0, sizeof w.raw_scratch);
    struct stage_repo *r = ingest_read_repo_object(&w, js, index);
    part->ok = r != NULL;
    if (r && part->walk_d.n_total == 0) {
        /* as reading on the reading thread does, with the duplicate-name check left to
         * ingest_part_commit */
        part->checked = true;
        w.d = &part->res_d;
        part->name_ok = ingest_check_repo_name(w.d, r) == PS_OK;
        if (part->name_ok) part->built = ingest_build_repo(&w, r, &part->rp) == PS_OK;
    }
    if (r) stage_repo_trim(r);   /* keep only what the duplicate-name message needs */
    part->where = r;
    /* the blobs this repository named, by the part's own ids in first-seen order */
    part->blobs = shard->blobs;
    part->n_blobs = shard->n_blobs;
    shard->blobs = NULL;
    shard->n_blobs = shard->cap_blobs = 0;
    free(shard->blob_slots);
    shard->blob_slots = NULL;
    shard->n_blob_slots = 0;
    part->odd = shard->odd;
    memset(&shard->odd, 0, sizeof shard->odd);
}

static void add_oddities(struct model_oddities *to, const struct model_oddities *from)
{
    to->bad_times += from->bad_times;
    to->missing_times += from->missing_times;
    to->missing_media += from->missing_media;
    to->missing_attrs += from->missing_attrs;
    to->tags_from_manifests += from->tags_from_manifests;
    to->dangling_children += from->dangling_children;
    to->bodies_without_manifest += from->bodies_without_manifest;
}

/* Interns the part's blobs in the model, in the order reading on one thread would have met
 * them, and rewrites its layers from the part's blob ids to the model's. */
#define INTERN_AHEAD 8

static void use_model_blob_ids(struct model *m, struct repo_part *part)
{
    uint32_t *id = xmalloc((part->n_blobs ? part->n_blobs : 1) * sizeof *id);
    for (size_t i = 0; i < part->n_blobs; i++) {
        /* the commit is serial: its lookups, at random in the model's table, are asked for
         * some blobs ahead */
        if (i + INTERN_AHEAD < part->n_blobs) model_intern_prefetch(m, &part->blobs[i + INTERN_AHEAD].digest);
        id[i] = model_intern_blob(m, &part->blobs[i].digest, part->blobs[i].size_bytes);
    }
    for (size_t i = 0; i < part->rp.n_manifests; i++) {
        struct manifest *mf = &part->rp.manifests[i];
        uint32_t *layers = (uint32_t *)mf->layers;   /* the part's own copy */
        for (uint32_t k = 0; k < mf->n_layers; k++) layers[k] = id[layers[k]];
    }
    free(id);
}

bool ingest_part_commit(struct ingest *in, struct repo_part *part)
{
    struct model *m = in->m;
    bool go_on = part->ok;
    add_oddities(&m->odd, &part->odd);
    diag_merge(in->d, &part->walk_d);
    if (part->ok && part->checked && in->d->n_total == 0) {
        if (!part->name_ok || ingest_check_repo_unique(m, in->d, part->where) == PS_OK) diag_merge(in->d, &part->res_d);
        if (in->d->n_total) {
            go_on = false;
        } else {
            use_model_blob_ids(m, part);
            ingest_add_repo(m, &part->rp);
        }
    }
    ingest_part_discard(part);
    return go_on;
}

void ingest_part_discard(struct repo_part *part)
{
    diag_free(&part->walk_d);
    diag_free(&part->res_d);
    if (part->where) stage_repo_free(part->where);
    free(part->blobs);
    memset(part, 0, sizeof *part);
}

