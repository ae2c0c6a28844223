/* history_snapshots.c - the natural timeline of several snapshots of one registry
 * (sim/REPLAY.md, "Several snapshots"): each manifest's stays, what its own facts say happened
 * between two snapshots (pushed again, locks changed), and the tag instances.
 *
 * At each snapshot's exportedAt the timeline is that snapshot. Between two snapshots what a
 * time dates (createdTime, lastUpdateTime) happens at that time, clamped into the interval;
 * what nothing dates (a removal, a lock change) happens at the later snapshot's exportedAt. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "history_internal.h"
#include "snapshot.h"

#define LOCK_DELETE 1u
#define LOCK_WRITE 2u

static uint8_t lock_bits(const struct manifest *mf)
{
    return (uint8_t)((mf->delete_enabled ? LOCK_DELETE : 0) | (mf->write_enabled ? LOCK_WRITE : 0));
}

/* Each manifest's lastUpdateTime values (when it showed more than one) and lock changes,
 * gathered while the stays are built, then laid out in the history. */
struct own_facts {
    struct { uint32_t id; int64_t t; } *upd;
    size_t n_upd, cap_upd;
    bool any_upd;
};

/* t clamped into snapshot j's interval (after snapshot j-1's exportedAt, at most j's). */
static int64_t clamp_into(const struct snapshot_set *ss, size_t j, int64_t t)
{
    int64_t end = ss->snap[j]->exported_at_ns;
    if (t > end) t = end;
    if (j > 0 && t <= ss->snap[j - 1]->exported_at_ns) t = ss->snap[j - 1]->exported_at_ns + 1;
    return t;
}

static void lock_change(struct history *h, size_t id, int64_t t, uint8_t before)
{
    if (!h->mlock_since_ns) {
        h->mlock_since_ns = xmalloc((h->n_ids + 1) * sizeof *h->mlock_since_ns);
        h->mlock_before = xcalloc(h->n_ids + 1, 1);
        for (size_t k = 0; k < h->n_ids; k++) h->mlock_since_ns[k] = INT64_MIN;
    }
    /* several changes in one stay: the last one is kept, with the locks just before it */
    h->mlock_since_ns[id] = t;
    h->mlock_before[id] = before;
}

static void note_updated(struct own_facts *f, size_t id, const struct manifest *mf, size_t *n_distinct)
{
    if (!mf || mf->updated_state != TIME_OK) return;
    for (size_t k = f->n_upd - *n_distinct; k < f->n_upd; k++)
        if (f->upd[k].t == mf->updated_ns) return;
    xgrow((void **)&f->upd, &f->cap_upd, f->n_upd + 1, sizeof *f->upd);
    f->upd[f->n_upd].id = (uint32_t)id;
    f->upd[f->n_upd++].t = mf->updated_ns;
    (*n_distinct)++;
}

/* One manifest over the snapshots: each run of snapshots holding it is one stay, pushed at
 * that snapshot's createdTime (clamped) and removed at the exportedAt of the first snapshot
 * without it. Between two snapshots that both hold it: a createdTime that moved on is a delete
 * and push of the digest (a push event at the new createdTime: a policy that had deleted it
 * sees it pushed again); a lastUpdateTime that moved on with createdTime and locks unchanged is
 * a push of the digest already there (a touch event at that time); changed locks take effect
 * at the later snapshot's exportedAt. */
static void manifest_stays(struct history *h, struct history_builder *b, int64_t *gone, const struct snapshot_set *ss,
                           const struct repo *const *sr, size_t id, const struct manifest *merged, struct own_facts *f)
{
    uint64_t held = ss->held[h->id_repo[id]][id - h->repo_base[h->id_repo[id]]];
    int64_t created = h->push_ns[id];
    const struct manifest *prev = NULL;
    size_t n_distinct = 0;
    bool first = true;
    for (size_t j = 0; j < ss->n; j++) {
        bool in = held >> j & 1, before = j > 0 && (held >> (j - 1) & 1);
        const struct manifest *cur = NULL;
        if (in && sr[j]) {
            uint32_t k = model_find_manifest(sr[j], &merged->digest);
            if (k != MODEL_NO_MANIFEST) cur = &sr[j]->manifests[k];
        }
        if (in && !before) {
            /* a later stay began at that snapshot's own createdTime */
            int64_t c = !first && cur && cur->created_state == TIME_OK ? cur->created_ns : created;
            int64_t t = clamp_into(ss, j, c);
            if (first) h->push_ns[id] = t;
            first = false;
            history_add_event(h, &b->cap_ev, t, HEV_PUSH, id);
        } else if (in && before && cur && prev) {
            int64_t exp = ss->snap[j]->exported_at_ns;
            if (cur->created_state == TIME_OK && prev->created_state == TIME_OK && cur->created_ns > prev->created_ns)
                history_add_event(h, &b->cap_ev, clamp_into(ss, j, cur->created_ns), HEV_PUSH, id);
            else if (cur->updated_state == TIME_OK && prev->updated_state == TIME_OK &&
                     cur->updated_ns > prev->updated_ns && lock_bits(cur) == lock_bits(prev))
                history_add_event(h, &b->cap_ev, clamp_into(ss, j, cur->updated_ns), HEV_TOUCH, id);
            if (lock_bits(cur) != lock_bits(prev)) lock_change(h, id, exp, lock_bits(prev));
        } else if (!in && before) {
            if (gone[id] == INT64_MAX) gone[id] = ss->snap[j]->exported_at_ns;
            history_add_event(h, &b->cap_ev, ss->snap[j]->exported_at_ns, HEV_REMOVE, id);
        }
        if (in) note_updated(f, id, cur, &n_distinct);
        prev = in ? cur : NULL;
    }
    if (n_distinct < 2) f->n_upd -= n_distinct;   /* one value: the model's, as with one snapshot */
    else f->any_upd = true;
}

/* The manifests that showed more than one lastUpdateTime: their values, ascending, per id. */
static void own_facts_finish(struct history *h, struct own_facts *f)
{
    if (f->any_upd) {
        h->upd_start = xcalloc(h->n_ids + 1, sizeof *h->upd_start);
        h->upd_vals = xmalloc((f->n_upd + 1) * sizeof *h->upd_vals);
        /* the pairs come id by id, ascending: count, then place */
        for (size_t k = 0; k < f->n_upd; k++) h->upd_start[f->upd[k].id + 1]++;
        for (size_t id = 0; id < h->n_ids; id++) h->upd_start[id + 1] += h->upd_start[id];
        for (size_t k = 0; k < f->n_upd; k++) h->upd_vals[k] = f->upd[k].t;
        for (size_t id = 0; id < h->n_ids; id++) {
            size_t a = h->upd_start[id], n = h->upd_start[id + 1] - a;
            if (n > 1) qsort(h->upd_vals + a, n, sizeof *h->upd_vals, history_time_cmp);
        }
    }
    free(f->upd);
}

/* One tag name of one repository as each snapshot shows it. */
struct tag_seen {
    const char *name;
    uint32_t snap;
    const struct tag *tag;
    uint32_t manifest;         /* index in the merged repository */
};

static int tag_seen_cmp(const void *a, const void *b)
{
    const struct tag_seen *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->snap < y->snap ? -1 : x->snap > y->snap;
}

int history_build_snapshots(const struct snapshot_set *ss, enum untag_model untag, struct history **out)
{
    const struct model *m = ss->merged;
    struct history *h = history_new(m, untag);
    int64_t *gone = xmalloc((h->n_ids + 1) * sizeof *gone);
    for (size_t id = 0; id < h->n_ids; id++) gone[id] = INT64_MAX;
    struct history_builder b = {0, 0, xmalloc((h->n_ids + 1) * sizeof *b.order), gone, NULL};
    struct own_facts f;
    memset(&f, 0, sizeof f);
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *sr[SNAPSHOT_MAX];
        for (size_t j = 0; j < ss->n; j++) sr[j] = model_find_repo(ss->snap[j], m->repos[r].name);
        for (size_t i = 0; i < m->repos[r].n_manifests; i++)
            manifest_stays(h, &b, gone, ss, sr, h->repo_base[r] + i, &m->repos[r].manifests[i], &f);
    }
    own_facts_finish(h, &f);
    int64_t first_push = INT64_MAX;
    for (size_t id = 0; id < h->n_ids; id++)
        if (h->push_ns[id] < first_push) first_push = h->push_ns[id];
    if (first_push != INT64_MAX) h->first_push_ns = first_push;

    /* tags: an instance lasts while the snapshots show the same digest and lastUpdateTime */
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *mr = &m->repos[r];
        size_t base = h->repo_base[r], first_inst = h->n_inst, n = 0;
        for (size_t j = 0; j < ss->n; j++) {
            const struct repo *sr = model_find_repo(ss->snap[j], mr->name);
            if (sr) n += sr->n_tags;
        }
        struct tag_seen *seen = xmalloc((n + 1) * sizeof *seen);
        n = 0;
        for (size_t j = 0; j < ss->n; j++) {
            const struct repo *sr = model_find_repo(ss->snap[j], mr->name);
            for (size_t t = 0; sr && t < sr->n_tags; t++) {
                uint32_t mi = model_find_manifest(mr, &sr->manifests[sr->tags[t].manifest].digest);
                if (mi == MODEL_NO_MANIFEST) continue;
                seen[n++] = (struct tag_seen){sr->tags[t].name, (uint32_t)j, &sr->tags[t], mi};
            }
        }
        if (n > 1) qsort(seen, n, sizeof *seen, tag_seen_cmp);
        for (size_t k = 0; k < n; k++) {
            const struct tag_seen *cur = &seen[k];
            const struct tag_seen *prev = k > 0 && !strcmp(seen[k - 1].name, cur->name) ? &seen[k - 1] : NULL;
            struct tag_instance *open = prev ? &h->inst[h->n_inst - 1] : NULL;
            bool same = prev && prev->snap + 1 == cur->snap && prev->manifest == cur->manifest &&
                        prev->tag->updated_state == cur->tag->updated_state &&
                        prev->tag->updated_ns == cur->tag->updated_ns;
            bool next_same_name = k + 1 < n && !strcmp(seen[k + 1].name, cur->name);
            if (same) {
                /* a lock changed while the tag stayed: from this snapshot's exportedAt on */
                if (open->delete_enabled != cur->tag->delete_enabled || open->write_enabled != cur->tag->write_enabled) {
                    open->locks_changed = true;
                    open->locks_since_ns = ss->snap[cur->snap]->exported_at_ns;
                    open->delete_enabled_before = open->delete_enabled;
                    open->write_enabled_before = open->write_enabled;
                }
                history_copy_tag(open, cur->tag);
                if (!next_same_name && cur->snap + 1 < ss->n) {
                    open->unset_ns = ss->snap[cur->snap + 1]->exported_at_ns;
                    history_add_event(h, &b.cap_ev, open->unset_ns, HEV_TAG_UNSET, (size_t)(open - h->inst));
                }
                continue;
            }
            int64_t end_j = ss->snap[cur->snap]->exported_at_ns;
            int64_t prev_end = cur->snap > 0 ? ss->snap[cur->snap - 1]->exported_at_ns : INT64_MIN;
            int64_t push = h->push_ns[base + cur->manifest];
            int64_t t = cur->tag->updated_state == TIME_OK && cur->tag->updated_ns > push ? cur->tag->updated_ns : push;
            if (t > end_j) t = end_j;
            if (cur->snap > 0 && t <= prev_end) t = prev_end + 1;
            if (open && open->unset_ns == INT64_MAX) {
                /* the earlier instance of this name ends when this one starts, or at the
                 * snapshot that no longer shows it */
                int64_t stop = prev->snap + 1 == cur->snap ? t : ss->snap[prev->snap + 1]->exported_at_ns;
                open->unset_ns = stop;
                history_add_event(h, &b.cap_ev, stop, HEV_TAG_UNSET, (size_t)(open - h->inst));
            }
            struct tag_instance *ti = history_add_instance(h, &b.cap_inst);
            history_copy_tag(ti, cur->tag);
            ti->repo = (uint32_t)r;
            ti->manifest = cur->manifest;
            ti->set_ns = t;
            ti->unset_ns = INT64_MAX;
            history_add_event(h, &b.cap_ev, t, HEV_TAG_SET, h->n_inst - 1);
            /* a name the next snapshot no longer shows leaves at that snapshot */
            if (!next_same_name && cur->snap + 1 < ss->n) {
                ti->unset_ns = ss->snap[cur->snap + 1]->exported_at_ns;
                history_add_event(h, &b.cap_ev, ti->unset_ns, HEV_TAG_UNSET, h->n_inst - 1);
            }
        }
        free(seen);
        history_assume_untags(h, &b, r, first_inst);
    }
    free(b.order);
    free(gone);
    history_sort_events(h);
    *out = h;
    return PS_OK;
}

