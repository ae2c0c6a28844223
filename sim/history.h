/* history.h - the natural timeline of a registry, derived from its snapshot (sim/REPLAY.md):
 * a push at each manifest's createdTime, each current tag set at its lastUpdateTime, and, for
 * manifests untagged now, an assumed moving tag that left them (the untag model).
 * Ownership: history_build() gives a history freed by history_free(); it borrows the model. */
#ifndef PURGESIM_HISTORY_H
#define PURGESIM_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* When did a manifest that is untagged now lose its tag? */
enum untag_model {
    UNTAG_NEXT_PUSH = 0,   /* at the next push in its repository, or its own lastUpdateTime if later */
    UNTAG_OWN_UPDATE,      /* at its own lastUpdateTime */
    UNTAG_NEVER_TAGGED,    /* it was never tagged */
};

/* At equal times: pushes, then tags leaving, tags arriving, manifests leaving, and touches.
 * A touch (several snapshots) is a manifest's own lastUpdateTime moving on while it stayed:
 * its digest pushed again. It changes nothing in the natural registry; a policy that deleted
 * the manifest before sees it pushed again, unless tag deletions are taken to touch manifests
 * (then a touch cannot be told from one). */
enum hist_kind { HEV_PUSH = 0, HEV_TAG_UNSET = 1, HEV_TAG_SET = 2, HEV_REMOVE = 3, HEV_TOUCH = 4 };

struct hist_event {
    int64_t t_ns;
    uint32_t item;            /* manifest id (HEV_PUSH, HEV_REMOVE) or tag instance id */
    uint8_t kind;             /* enum hist_kind */
};

/* One tag pointing at one manifest over [set_ns, unset_ns). */
struct tag_instance {
    const char *name;
    uint32_t repo;
    uint32_t manifest;        /* index in the repository */
    int64_t set_ns, unset_ns; /* unset_ns = INT64_MAX: still there at the snapshot */
    int64_t updated_ns;       /* the tag's lastUpdateTime while it points there */
    const char *updated_raw;
    uint8_t updated_state;
    bool delete_enabled, write_enabled;
    bool assumed;             /* inferred by the untag model, not in the export */
    /* several snapshots: the locks changed while the tag stayed, at locks_since_ns (a later
     * snapshot's exportedAt); before it the tag had the *_before locks */
    bool locks_changed;
    bool delete_enabled_before, write_enabled_before;
    int64_t locks_since_ns;
};

struct history {
    const struct model *m;
    enum untag_model untag;
    size_t *repo_base;        /* manifest id = repo_base[r] + index */
    size_t n_ids;
    uint32_t *id_repo;        /* manifest id -> repository */
    int64_t *push_ns;         /* per manifest id */
    uint8_t *is_child;        /* referenced by an index in its repository */
    uint32_t *ref_start;      /* referrers of manifest id: ref_ids[ref_start[id] .. ref_start[id+1]) */
    uint32_t *ref_ids;
    struct tag_instance *inst;
    size_t n_inst;
    struct hist_event *ev;    /* sorted by time, then kind, then item */
    size_t n_ev;
    int64_t first_push_ns, end_ns;   /* end = the snapshot's exportedAt */
    size_t n_assumed_untags;  /* manifests given an assumed moving tag */
    /* several snapshots, NULL when nothing changed: the lastUpdateTime values a manifest showed
     * (upd_vals[upd_start[id] .. upd_start[id + 1]), ascending; none: the model's alone), and
     * per id the exportedAt from which its locks are the model's (INT64_MIN: always) with the
     * locks before it (bit 0 deleteEnabled, bit 1 writeEnabled) */
    uint32_t *upd_start;
    int64_t *upd_vals;
    int64_t *mlock_since_ns;
    uint8_t *mlock_before;
};

struct snapshot_set;

/* Builds the timeline of one snapshot. Returns PS_OK. */
int history_build(const struct model *m, enum untag_model untag, struct history **out);
/* Builds the timeline of several snapshots of one registry (sim/REPLAY.md): a manifest new in
 * a later snapshot appears at its createdTime, a tag that changed moves at its lastUpdateTime
 * (an event older than the earlier snapshot is moved to just after it), and what a later
 * snapshot no longer has leaves at its exportedAt. The history borrows ss->merged. */
int history_build_snapshots(const struct snapshot_set *ss, enum untag_model untag, struct history **out);
/* The tag an instance is, as the purge engine reads tags (its latest locks). */
void history_tag_of(const struct tag_instance *ti, struct tag *out);
/* The same at t_ns: with the locks it had then. */
void history_tag_at(const struct tag_instance *ti, int64_t t_ns, struct tag *out);
/* The manifest's locks at t_ns (several snapshots: a change takes effect at the exportedAt of
 * the snapshot that first shows it). */
static inline void history_manifest_locks_at(const struct history *h, const struct manifest *mf, size_t id,
                                             int64_t t_ns, bool *delete_enabled, bool *write_enabled)
{
    if (h->mlock_since_ns && t_ns < h->mlock_since_ns[id]) {
        *delete_enabled = h->mlock_before[id] & 1;
        *write_enabled = h->mlock_before[id] >> 1 & 1;
        return;
    }
    *delete_enabled = mf->delete_enabled;
    *write_enabled = mf->write_enabled;
}
/* A manifest with several lastUpdateTime values: the latest reached at t_ns, else its push. */
int64_t history_updated_list_at(const struct history *h, size_t id, int64_t t_ns);

/* The natural registry at t_ns, as flags per manifest id and per tag instance (caller-sized
 * arrays of n_ids and n_inst bytes): what a replay with no policy holds then. */
void history_state_at(const struct history *h, int64_t t_ns, uint8_t *present, uint8_t *live);
void history_free(struct history *h);   /* NULL is fine */

/* The manifest's lastUpdateTime as the registry showed it at t_ns: the snapshot's value once
 * reached, before that its push time. */
int64_t history_updated_at(const struct history *h, size_t id, int64_t t_ns);
/* The same when the caller has the manifest (mf is manifest `id`) at hand. */
static inline int64_t history_manifest_updated_at(const struct history *h, const struct manifest *mf, size_t id,
                                                  int64_t t_ns)
{
    if (mf->updated_state != TIME_OK) return mf->updated_ns;   /* the engine reads the state */
    if (h->upd_start && h->upd_start[id + 1] > h->upd_start[id]) return history_updated_list_at(h, id, t_ns);
    return mf->updated_ns <= t_ns ? mf->updated_ns : h->push_ns[id];
}

const char *history_untag_model_name(enum untag_model u);
bool history_untag_model_parse(const char *s, enum untag_model *out);

#endif
