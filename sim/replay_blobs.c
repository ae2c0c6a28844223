/* replay_blobs.c - the replay's blob numbering and the dense per-id facts, shared by every
 * policy. The per-event counting is replay_blobs_count() in replay_internal.h. */
#include "replay_internal.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

static const struct manifest *manifest_by_id(const struct history *h, size_t id)
{
    uint32_t r = h->id_repo[id];
    return &h->m->repos[r].manifests[id - h->repo_base[r]];
}

/* Each manifest's place in push order (the history's events are in time order); UINT32_MAX
 * for those never pushed. Sets *n_pushed to how many were. */
static uint32_t *push_ranks(const struct history *h, uint32_t *n_pushed)
{
    uint32_t *rank = xmalloc((h->n_ids + 1) * sizeof *rank);
    for (size_t id = 0; id < h->n_ids; id++) rank[id] = UINT32_MAX;   /* never pushed: last */
    uint32_t n = 0;
    for (size_t k = 0; k < h->n_ev; k++)
        if (h->ev[k].kind == HEV_PUSH && rank[h->ev[k].item] == UINT32_MAX) rank[h->ev[k].item] = n++;
    *n_pushed = n;
    return rank;
}

/* How often a model blob occurs in all manifests' layer lists, up to 2 ("more than once"). */
#define BLOB_SHARED 2

/* Numbers the shared blobs by first push (a counting sort; ties and unpushed blobs in model
 * order), in place: first[b] (a blob's first push rank) becomes its replay number, UINT32_MAX
 * for a blob of one manifest alone. Fills rb->size and rb->n_shared. */
static void number_shared_blobs(const struct model *m, uint32_t *first, const uint8_t *occurs, uint32_t n_pushed,
                                struct replay_blobs *rb)
{
    size_t n_blobs = m->n_blobs;
    uint32_t *at = xcalloc((size_t)n_pushed + 2, sizeof *at);   /* fewer than 2^32 blobs: first[] */
    for (size_t b = 0; b < n_blobs; b++)
        if (occurs[b] == BLOB_SHARED) at[first[b] == UINT32_MAX ? n_pushed + 1 : first[b] + 1]++;
    for (size_t r = 1; r <= (size_t)n_pushed + 1; r++) at[r] += at[r - 1];
    size_t n_shared = at[n_pushed + 1];
    rb->size = xmalloc_big((n_shared + 1) * sizeof *rb->size);
    for (size_t b = 0; b < n_blobs; b++) {
        if (occurs[b] != BLOB_SHARED) {
            first[b] = UINT32_MAX;
            continue;
        }
        size_t slot = first[b] == UINT32_MAX ? n_pushed : first[b];
        first[b] = at[slot]++;
        rb->size[first[b]] = m->blobs[b].size_bytes;
    }
    rb->n_shared = n_shared;
    free(at);
}

void replay_blobs_alloc(const struct history *h, struct replay_blobs *rb)
{
    /* not cleared: the two builds below write every field between them */
    rb->ids = xmalloc_big((h->n_ids + 1) * sizeof *rb->ids);
}

void replay_blobs_build_ids(const struct history *h, struct replay_blobs *rb)
{
    const struct model *m = h->m;
    size_t n_ids = h->n_ids;
    rb->facts = xmalloc(n_ids + 1);
    rb->upd = xmalloc_big((n_ids + 1) * sizeof *rb->upd);
    rb->brief = xmalloc(n_ids + 1);
    rb->subject = xmalloc_big((n_ids + 1) * sizeof *rb->subject);
    rb->child_start = xmalloc_big((n_ids + 2) * sizeof *rb->child_start);
    size_t n_children = 0;
    for (size_t id = 0; id < n_ids; id++) {
        rb->child_start[id] = (uint32_t)n_children;
        n_children += manifest_by_id(h, id)->n_children;
    }
    rb->child_start[n_ids] = (uint32_t)n_children;
    rb->child = xmalloc_big((n_children + 1) * sizeof *rb->child);
    rb->repo_name_printable = xcalloc(m->n_repos + 1, 1);
    for (size_t r = 0; r < m->n_repos; r++) rb->repo_name_printable[r] = purge_name_printable(m->repos[r].name);
    rb->inst = xmalloc_big((h->n_inst + 1) * sizeof *rb->inst);
    for (size_t i = 0; i < h->n_inst; i++)
        rb->inst[i] = (struct replay_inst){(uint32_t)(h->repo_base[h->inst[i].repo] + h->inst[i].manifest), h->inst[i].repo};
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        rb->ids[id].repo = h->id_repo[id];
        rb->ids[id].unused = 0;
        rb->ids[id].size = mf->size_bytes;
        rb->facts[id] = (uint8_t)((h->is_child[id] || mf->has_subject ? REPLAY_NO_TIMER : 0) |
                                  (mf->delete_enabled ? REPLAY_DELETE_ENABLED : 0));
        /* unreadable: the model's value at every instant (the engine never reads it then) */
        rb->upd[id].later = mf->updated_ns;
        rb->upd[id].before = mf->updated_state == TIME_OK ? h->push_ns[id] : mf->updated_ns;
        rb->brief[id] = purge_manifest_brief(mf);
        rb->subject[id] = mf->subject;
        if (mf->n_children) memcpy(rb->child + rb->child_start[id], mf->children, mf->n_children * sizeof *rb->child);
    }
}

void replay_blobs_build_layers(const struct history *h, struct replay_blobs *rb)
{
    const struct model *m = h->m;
    size_t n_ids = h->n_ids, n_blobs = m->n_blobs;
    uint32_t n_pushed;
    uint32_t *rank = push_ranks(h, &n_pushed);
    /* each blob's first push (the earliest rank among the manifests that have it) and how
     * often it occurs: one walk in id order, which is the model's own order (and, for the
     * blobs of one manifest, the order they were first seen in: nearly sequential) */
    uint32_t *first = xmalloc((n_blobs + 1) * sizeof *first);
    uint8_t *occurs = xcalloc(n_blobs + 1, 1);
    for (size_t b = 0; b < n_blobs; b++) first[b] = UINT32_MAX;
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        for (uint32_t j = 0; j < mf->n_layers; j++) {
            uint32_t b = mf->layers[j];
            if (rank[id] < first[b]) first[b] = rank[id];
            if (occurs[b] < BLOB_SHARED) occurs[b]++;
        }
    }
    number_shared_blobs(m, first, occurs, n_pushed, rb);
    const uint32_t *number = first;
    free(occurs);
    size_t total = 0;
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        uint32_t n_shared = 0;
        uint64_t own = 0;
        for (uint32_t j = 0; j < mf->n_layers; j++) {
            uint32_t b = mf->layers[j];
            if (number[b] != UINT32_MAX) n_shared++;
            else own += m->blobs[b].size_bytes;
        }
        rb->ids[id].n_shared = n_shared;
        rb->ids[id].own_bytes = own;
        total += n_shared;
    }
    /* the shared layer lists in push order too: the pushes of one stretch of time read
     * neighbouring lists (the never pushed last, in id order) */
    uint32_t *by_rank = xmalloc((n_ids + 1) * sizeof *by_rank);
    for (size_t id = 0, tail = n_pushed; id < n_ids; id++) by_rank[rank[id] == UINT32_MAX ? tail++ : rank[id]] = (uint32_t)id;
    size_t at = 0;
    for (size_t k = 0; k < n_ids; k++) {
        rb->ids[by_rank[k]].start = (uint32_t)at;
        at += rb->ids[by_rank[k]].n_shared;
    }
    free(by_rank);
    rb->layer = xmalloc_big((total + 1) * sizeof *rb->layer);
    for (size_t id = 0; id < n_ids; id++) {
        const struct manifest *mf = manifest_by_id(h, id);
        uint32_t *out = &rb->layer[rb->ids[id].start];
        for (uint32_t j = 0; j < mf->n_layers; j++)
            if (number[mf->layers[j]] != UINT32_MAX) *out++ = number[mf->layers[j]];
    }
    free(first);
    free(rank);
}

void replay_blobs_free(struct replay_blobs *rb)
{
    free(rb->ids);
    free(rb->layer);
    free(rb->size);
    free(rb->facts);
    free(rb->upd);
    free(rb->brief);
    free(rb->subject);
    free(rb->child_start);
    free(rb->child);
    free(rb->repo_name_printable);
    free(rb->inst);
}
