/* history.c - snapshot -> natural timeline (pushes, tag sets and unsets). */
#include "history.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "radix.h"
#include "diag.h"
#include "history_internal.h"
#include "snapshot.h"

const char *history_untag_model_name(enum untag_model u)
{
    switch (u) {
    case UNTAG_NEXT_PUSH: return "next-push";
    case UNTAG_OWN_UPDATE: return "own-update";
    case UNTAG_NEVER_TAGGED: return "never-tagged";
    }
    return "?";
}

bool history_untag_model_parse(const char *s, enum untag_model *out)
{
    for (int u = UNTAG_NEXT_PUSH; u <= UNTAG_NEVER_TAGGED; u++)
        if (!strcmp(s, history_untag_model_name((enum untag_model)u))) {
            *out = (enum untag_model)u;
            return true;
        }
    return false;
}

/* Events by time, then kind, then item: two stable radix passes,
 * the second by time. On a little-endian machine the 8 bytes after the time read as
 * item | kind << 32 (the padding is zeroed), which is the (kind, item) order. */
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
static int event_cmp(const void *a, const void *b)
{
    const struct hist_event *x = a, *y = b;
    if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}
#endif

static void sort_events(struct hist_event *ev, size_t n)
{
    _Static_assert(offsetof(struct hist_event, item) == 8 && offsetof(struct hist_event, kind) == 12 &&
                       sizeof(struct hist_event) == 16,
                   "sort_events reads item and kind as one 64-bit key");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    radix_sort_i64(ev, n, sizeof *ev, offsetof(struct hist_event, item));
    radix_sort_i64(ev, n, sizeof *ev, offsetof(struct hist_event, t_ns));
#else
    if (n > 1) qsort(ev, n, sizeof *ev, event_cmp);
#endif
}

void history_add_event(struct history *h, size_t *cap, int64_t t, uint8_t kind, size_t item)
{
    xgrow((void **)&h->ev, cap, h->n_ev + 1, sizeof *h->ev);
    memset(&h->ev[h->n_ev], 0, sizeof *h->ev);   /* padding too: sort_events reads it as a key */
    h->ev[h->n_ev].t_ns = t;
    h->ev[h->n_ev].kind = kind;
    h->ev[h->n_ev].item = (uint32_t)item;
    h->n_ev++;
}

struct tag_instance *history_add_instance(struct history *h, size_t *cap)
{
    xgrow((void **)&h->inst, cap, h->n_inst + 1, sizeof *h->inst);
    struct tag_instance *ti = &h->inst[h->n_inst++];
    memset(ti, 0, sizeof *ti);
    return ti;
}

void history_sort_events(struct history *h)
{
    sort_events(h->ev, h->n_ev);
}

/* Index children and referrers were never tagged: they are not candidates for a moving tag. */
static bool top_level(const struct history *h, size_t id, const struct manifest *mf)
{
    return !h->is_child[id] && !mf->has_subject;
}

static int push_order_cmp(const void *a, const void *b, void *ctx)
{
    const int64_t *push = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (push[x] != push[y]) return push[x] < push[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* What every timeline starts from: ids, pushes at createdTime (else lastUpdateTime, else the
 * earliest known push, never after the end), index children and the referrer index. */
struct history *history_new(const struct model *m, enum untag_model untag)
{
    struct history *h = xcalloc(1, sizeof *h);
    h->m = m;
    h->untag = untag;
    h->end_ns = m->exported_at_ns;
    h->repo_base = xcalloc(m->n_repos + 1, sizeof *h->repo_base);
    for (size_t r = 0; r < m->n_repos; r++) h->repo_base[r + 1] = h->repo_base[r] + m->repos[r].n_manifests;
    h->n_ids = h->repo_base[m->n_repos];
    h->id_repo = xmalloc((h->n_ids + 1) * sizeof *h->id_repo);
    h->push_ns = xmalloc((h->n_ids + 1) * sizeof *h->push_ns);
    h->is_child = xcalloc(h->n_ids + 1, 1);

    int64_t first = INT64_MAX;
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            size_t id = h->repo_base[r] + i;
            h->id_repo[id] = (uint32_t)r;
            int64_t t = mf->created_state == TIME_OK ? mf->created_ns
                        : mf->updated_state == TIME_OK ? mf->updated_ns : INT64_MAX;
            /* nothing can exist after its snapshot (INT64_MAX: no time, resolved below) */
            if (t != INT64_MAX && t > h->end_ns) t = h->end_ns;
            h->push_ns[id] = t;
            if (t < first) first = t;
            for (uint32_t c = 0; c < mf->n_children; c++) h->is_child[h->repo_base[r] + mf->children[c]] = 1;
        }
    if (first == INT64_MAX) first = h->end_ns;
    h->first_push_ns = first;
    for (size_t id = 0; id < h->n_ids; id++)
        if (h->push_ns[id] == INT64_MAX) h->push_ns[id] = first;

    /* referrers by subject, so a deletion finds what the registry cascades without a scan */
    h->ref_start = xcalloc(h->n_ids + 2, sizeof *h->ref_start);
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            uint32_t subj = m->repos[r].manifests[i].subject;
            if (subj != MODEL_NO_MANIFEST) h->ref_start[h->repo_base[r] + subj + 1]++;
        }
    for (size_t id = 0; id < h->n_ids; id++) h->ref_start[id + 1] += h->ref_start[id];
    h->ref_ids = xmalloc((h->ref_start[h->n_ids] + 1) * sizeof *h->ref_ids);
    uint32_t *fill = xmalloc((h->n_ids + 1) * sizeof *fill);
    memcpy(fill, h->ref_start, h->n_ids * sizeof *fill);
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            uint32_t subj = m->repos[r].manifests[i].subject;
            if (subj != MODEL_NO_MANIFEST) h->ref_ids[fill[h->repo_base[r] + subj]++] = (uint32_t)(h->repo_base[r] + i);
        }
    free(fill);
    return h;
}

/* Manifests that never carry a tag in the history lost one at an assumed time: the
 * repository's moving tag (the current tag updated last) held them from their push until the
 * untag model says (sim/REPLAY.md). first_inst: the repository's instances start there. */
void history_assume_untags(struct history *h, struct history_builder *b, size_t r, size_t first_inst)
{
    const struct repo *rp = &h->m->repos[r];
    size_t base = h->repo_base[r];
    uint32_t *n_tags = xcalloc(rp->n_manifests + 1, sizeof *n_tags);
    const char *moving = NULL;
    int64_t moving_t = INT64_MIN;
    for (size_t k = first_inst; k < h->n_inst; k++) {
        const struct tag_instance *ti = &h->inst[k];
        n_tags[ti->manifest]++;
        /* ties: the first by name, as instances come in name order */
        if (ti->unset_ns == INT64_MAX && ti->updated_state == TIME_OK && ti->updated_ns > moving_t) {
            moving_t = ti->updated_ns;
            moving = ti->name;
        }
    }
    if (!moving) moving = "latest";
    /* a tag points at one manifest at a time: the moving tag cannot have left a manifest
     * after it was set where the history shows it */
    int64_t moving_set = INT64_MAX;
    for (size_t k = first_inst; k < h->n_inst; k++)
        if (!strcmp(h->inst[k].name, moving) && h->inst[k].set_ns < moving_set) moving_set = h->inst[k].set_ns;
    size_t n_top = 0;
    for (size_t i = 0; i < rp->n_manifests; i++)
        if (top_level(h, base + i, &rp->manifests[i])) b->order[n_top++] = base + i;
    /* manifests are usually listed in push order already: check before sorting */
    size_t in_order = n_top ? 1 : 0;
    while (in_order < n_top && push_order_cmp(&b->order[in_order - 1], &b->order[in_order], h->push_ns) < 0) in_order++;
    if (in_order < n_top) qsort_r(b->order, n_top, sizeof *b->order, push_order_cmp, h->push_ns);
    for (size_t k = 0; k < n_top && h->untag != UNTAG_NEVER_TAGGED; k++) {
        size_t id = b->order[k], i = id - base;
        if (n_tags[i] || (b->observed && b->observed[id])) continue;   /* its tags are known */
        const struct manifest *mf = &rp->manifests[i];
        int64_t push = h->push_ns[id];
        int64_t own = mf->updated_state == TIME_OK ? mf->updated_ns : push;
        int64_t u = own;
        if (h->untag == UNTAG_NEXT_PUSH) {
            size_t j = k + 1;
            while (j < n_top && h->push_ns[b->order[j]] == push) j++;
            int64_t next = j < n_top ? h->push_ns[b->order[j]] : own;
            u = next > own ? next : own;
        }
        if (u > h->end_ns) u = h->end_ns;
        /* untagged in the real export: it lost its tag by then, whatever a forecast pushes
         * after it (else the first forecast run would depend on --days) */
        int64_t seen = h->m->observed_until_ns;
        if (seen && push <= seen && u > seen) u = seen;
        if (u > moving_set) u = moving_set;
        if (b->gone_ns && u > b->gone_ns[id]) u = b->gone_ns[id];
        if (u <= push) continue;   /* untagged from its push: nothing to assume */
        struct tag_instance *ti = history_add_instance(h, &b->cap_inst);
        ti->name = moving;
        ti->repo = (uint32_t)r;
        ti->manifest = (uint32_t)i;
        ti->set_ns = push;
        ti->unset_ns = u;
        ti->updated_ns = push;
        ti->updated_state = TIME_OK;
        ti->delete_enabled = ti->write_enabled = true;
        ti->assumed = true;
        h->n_assumed_untags++;
        history_add_event(h, &b->cap_ev, push, HEV_TAG_SET, h->n_inst - 1);
        history_add_event(h, &b->cap_ev, u, HEV_TAG_UNSET, h->n_inst - 1);
    }
    free(n_tags);
}

void history_copy_tag(struct tag_instance *ti, const struct tag *tg)
{
    ti->name = tg->name;
    ti->updated_ns = tg->updated_ns;
    ti->updated_raw = tg->updated_raw;
    ti->updated_state = tg->updated_state;
    ti->delete_enabled = tg->delete_enabled;
    ti->write_enabled = tg->write_enabled;
}

int history_build(const struct model *m, enum untag_model untag, struct history **out)
{
    struct history *h = history_new(m, untag);
    struct history_builder b = {0, 0, xmalloc((h->n_ids + 1) * sizeof *b.order), NULL, NULL};
    /* room for the most there can be (a push per id, a set per tag, a set and an unset per
     * trail and per assumed untag, at most one per id), so the arrays never grow: growing
     * copies them and touches twice the memory, and only what is written costs a page */
    size_t n_tags = 0;
    for (size_t r = 0; r < m->n_repos; r++) n_tags += m->repos[r].n_tags;
    b.cap_inst = n_tags + m->n_trail + h->n_ids + 1;
    b.cap_ev = h->n_ids + n_tags + 2 * m->n_trail + 2 * h->n_ids + 1;
    h->inst = xmalloc_big(b.cap_inst * sizeof *h->inst);
    h->ev = xmalloc_big(b.cap_ev * sizeof *h->ev);
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        size_t base = h->repo_base[r], first_inst = h->n_inst;
        for (size_t i = 0; i < rp->n_manifests; i++) history_add_event(h, &b.cap_ev, h->push_ns[base + i], HEV_PUSH, base + i);
        /* each current tag took its target at its lastUpdateTime (not before the push) */
        for (size_t t = 0; t < rp->n_tags; t++) {
            const struct tag *tg = &rp->tags[t];
            struct tag_instance *ti = history_add_instance(h, &b.cap_inst);
            history_copy_tag(ti, tg);
            ti->repo = (uint32_t)r;
            ti->manifest = tg->manifest;
            int64_t push = h->push_ns[base + tg->manifest];
            ti->set_ns = tg->updated_state == TIME_OK && tg->updated_ns > push ? tg->updated_ns : push;
            if (ti->set_ns > h->end_ns) ti->set_ns = h->end_ns;
            ti->unset_ns = INT64_MAX;
            history_add_event(h, &b.cap_ev, ti->set_ns, HEV_TAG_SET, h->n_inst - 1);
        }
        /* a forecast: tags the export held until a synthetic push moved them */
        for (size_t k = 0; k < m->n_trail; k++) {
            const struct model_tag_trail *tr = &m->trail[k];
            if (tr->repo != r) continue;
            struct tag_instance *ti = history_add_instance(h, &b.cap_inst);
            history_copy_tag(ti, &tr->tag);
            ti->repo = (uint32_t)r;
            ti->manifest = tr->tag.manifest;
            int64_t push = h->push_ns[base + tr->tag.manifest];
            ti->set_ns = tr->tag.updated_state == TIME_OK && tr->tag.updated_ns > push ? tr->tag.updated_ns : push;
            ti->unset_ns = tr->unset_ns > ti->set_ns ? tr->unset_ns : ti->set_ns + 1;
            history_add_event(h, &b.cap_ev, ti->set_ns, HEV_TAG_SET, h->n_inst - 1);
            history_add_event(h, &b.cap_ev, ti->unset_ns, HEV_TAG_UNSET, h->n_inst - 1);
        }
        history_assume_untags(h, &b, r, first_inst);
    }
    free(b.order);
    history_sort_events(h);
    *out = h;
    return PS_OK;
}

void history_tag_of(const struct tag_instance *ti, struct tag *out)
{
    out->name = ti->name;
    out->manifest = ti->manifest;
    out->created_ns = ti->set_ns;
    out->updated_ns = ti->updated_ns;
    out->updated_raw = ti->updated_raw;
    out->updated_state = ti->updated_state;
    out->delete_enabled = ti->delete_enabled;
    out->write_enabled = ti->write_enabled;
}

void history_tag_at(const struct tag_instance *ti, int64_t t_ns, struct tag *out)
{
    history_tag_of(ti, out);
    if (ti->locks_changed && t_ns < ti->locks_since_ns) {
        out->delete_enabled = ti->delete_enabled_before;
        out->write_enabled = ti->write_enabled_before;
    }
}

int64_t history_updated_list_at(const struct history *h, size_t id, int64_t t_ns)
{
    int64_t best = h->push_ns[id];
    for (uint32_t k = h->upd_start[id]; k < h->upd_start[id + 1] && h->upd_vals[k] <= t_ns; k++) best = h->upd_vals[k];
    return best;
}

void history_updates_from_pushes(struct history *h)
{
    /* per id: its pushes (h->ev is sorted by time) and the model's own value, counted, then placed */
    uint32_t *start = xcalloc(h->n_ids + 2, sizeof *start);
    for (size_t k = 0; k < h->n_ev; k++)
        if (h->ev[k].kind == HEV_PUSH && h->ev[k].t_ns <= h->end_ns) start[h->ev[k].item + 1]++;
    bool any = false;
    for (size_t id = 0; id < h->n_ids; id++) {
        start[id + 1] += 1;   /* room for the model's value */
        any |= start[id + 1] >= 2;   /* a push and the model's value: maybe two values */
    }
    if (!any) {
        free(start);
        return;
    }
    for (size_t id = 0; id < h->n_ids; id++) start[id + 1] += start[id];
    int64_t *vals = xmalloc((start[h->n_ids] + 1) * sizeof *vals);
    uint32_t *fill = xmalloc((h->n_ids + 1) * sizeof *fill);
    memcpy(fill, start, h->n_ids * sizeof *fill);
    for (size_t k = 0; k < h->n_ev; k++)
        if (h->ev[k].kind == HEV_PUSH && h->ev[k].t_ns <= h->end_ns) vals[fill[h->ev[k].item]++] = h->ev[k].t_ns;
    /* compact: per id its distinct TIME_OK values ascending, kept only when there are two or more */
    size_t out = 0;
    for (size_t id = 0; id < h->n_ids; id++) {
        size_t r = h->id_repo[id];
        const struct manifest *mf = &h->m->repos[r].manifests[id - h->repo_base[r]];
        size_t a = start[id], n = fill[id] - a;
        if (mf->updated_state == TIME_OK) vals[a + n++] = mf->updated_ns;
        qsort(vals + a, n, sizeof *vals, history_time_cmp);
        size_t d = 0;
        for (size_t k = 0; k < n; k++)
            if (!d || vals[a + k] != vals[a + d - 1]) vals[a + d++] = vals[a + k];
        start[id] = (uint32_t)out;
        if (d >= 2 && mf->updated_state == TIME_OK) {
            memmove(vals + out, vals + a, d * sizeof *vals);
            out += d;
        }
    }
    start[h->n_ids] = (uint32_t)out;
    free(fill);
    if (!out) {
        free(start);
        free(vals);
        return;
    }
    h->upd_start = start;
    h->upd_vals = vals;
}

void history_state_at(const struct history *h, int64_t t_ns, uint8_t *present, uint8_t *live)
{
    memset(present, 0, h->n_ids);
    memset(live, 0, h->n_inst);
    for (size_t k = 0; k < h->n_ev && h->ev[k].t_ns <= t_ns; k++) {
        const struct hist_event *e = &h->ev[k];
        if (e->kind == HEV_PUSH) present[e->item] = 1;
        else if (e->kind == HEV_REMOVE) present[e->item] = 0;
        else if (e->kind != HEV_TOUCH) live[e->item] = e->kind == HEV_TAG_SET;
    }
}

int64_t history_updated_at(const struct history *h, size_t id, int64_t t_ns)
{
    const struct manifest *mf = &h->m->repos[h->id_repo[id]].manifests[id - h->repo_base[h->id_repo[id]]];
    return history_manifest_updated_at(h, mf, id, t_ns);
}

void history_free(struct history *h)
{
    if (!h) return;
    free(h->repo_base);
    free(h->id_repo);
    free(h->push_ns);
    free(h->is_child);
    free(h->ref_start);
    free(h->ref_ids);
    free(h->inst);
    free(h->ev);
    free(h->upd_start);
    free(h->upd_vals);
    free(h->mlock_since_ns);
    free(h->mlock_before);
    free(h);
}
