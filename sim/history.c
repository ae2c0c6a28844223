/* history.c - snapshot -> natural timeline (pushes, tag sets and unsets). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

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

static int event_cmp(const void *a, const void *b)
{
    const struct hist_event *x = a, *y = b;
    if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static void add_event(struct history *h, size_t *cap, int64_t t, uint8_t kind, size_t item)
{
    xgrow((void **)&h->ev, cap, h->n_ev + 1, sizeof *h->ev);
    h->ev[h->n_ev].t_ns = t;
    h->ev[h->n_ev].kind = kind;
    h->ev[h->n_ev].item = (uint32_t)item;
    h->n_ev++;
}

static struct tag_instance *add_instance(struct history *h, size_t *cap)
{
    xgrow((void **)&h->inst, cap, h->n_inst + 1, sizeof *h->inst);
    struct tag_instance *ti = &h->inst[h->n_inst++];
    memset(ti, 0, sizeof *ti);
    return ti;
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

int history_build(const struct model *m, enum untag_model untag, struct history **out)
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

    /* pushes: createdTime, else lastUpdateTime, else the earliest known push */
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

    size_t cap_ev = 0, cap_inst = 0;
    size_t *order = xmalloc((h->n_ids + 1) * sizeof *order);
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        size_t base = h->repo_base[r];
        uint32_t *n_tags = xcalloc(rp->n_manifests + 1, sizeof *n_tags);
        const char *moving = NULL;
        int64_t moving_t = INT64_MIN;
        for (size_t t = 0; t < rp->n_tags; t++) {
            const struct tag *tg = &rp->tags[t];
            struct tag_instance *ti = add_instance(h, &cap_inst);
            ti->name = tg->name;
            ti->repo = (uint32_t)r;
            ti->manifest = tg->manifest;
            int64_t push = h->push_ns[base + tg->manifest];
            ti->set_ns = tg->updated_state == TIME_OK && tg->updated_ns > push ? tg->updated_ns : push;
            if (ti->set_ns > h->end_ns) ti->set_ns = h->end_ns;
            ti->unset_ns = INT64_MAX;
            ti->updated_ns = tg->updated_ns;
            ti->updated_raw = tg->updated_raw;
            ti->updated_state = tg->updated_state;
            ti->delete_enabled = tg->delete_enabled;
            ti->write_enabled = tg->write_enabled;
            n_tags[tg->manifest]++;
            add_event(h, &cap_ev, ti->set_ns, HEV_TAG_SET, h->n_inst - 1);
            /* the repository's moving tag: the one updated last (ties: first by name) */
            if (tg->updated_state == TIME_OK && tg->updated_ns > moving_t) {
                moving_t = tg->updated_ns;
                moving = tg->name;
            }
        }
        if (!moving) moving = "latest";
        /* a tag points at one manifest at a time: the moving tag cannot have left a manifest
         * after it was set where the snapshot shows it */
        int64_t moving_set = INT64_MAX;
        for (size_t k = h->n_inst - rp->n_tags; k < h->n_inst; k++)
            if (!strcmp(h->inst[k].name, moving) && h->inst[k].set_ns < moving_set) moving_set = h->inst[k].set_ns;
        /* top-level manifests in push order, for "the next push in its repository" */
        size_t n_top = 0;
        for (size_t i = 0; i < rp->n_manifests; i++) {
            add_event(h, &cap_ev, h->push_ns[base + i], HEV_PUSH, base + i);
            if (top_level(h, base + i, &rp->manifests[i])) order[n_top++] = base + i;
        }
        if (n_top > 1) qsort_r(order, n_top, sizeof *order, push_order_cmp, h->push_ns);
        for (size_t k = 0; k < n_top && untag != UNTAG_NEVER_TAGGED; k++) {
            size_t id = order[k], i = id - base;
            if (n_tags[i]) continue;
            const struct manifest *mf = &rp->manifests[i];
            int64_t push = h->push_ns[id];
            int64_t own = mf->updated_state == TIME_OK ? mf->updated_ns : push;
            int64_t u = own;
            if (untag == UNTAG_NEXT_PUSH) {
                size_t j = k + 1;
                while (j < n_top && h->push_ns[order[j]] == push) j++;
                int64_t next = j < n_top ? h->push_ns[order[j]] : own;
                u = next > own ? next : own;
            }
            if (u > h->end_ns) u = h->end_ns;
            if (u > moving_set) u = moving_set;
            if (u <= push) continue;   /* untagged from its push: nothing to assume */
            struct tag_instance *ti = add_instance(h, &cap_inst);
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
            add_event(h, &cap_ev, push, HEV_TAG_SET, h->n_inst - 1);
            add_event(h, &cap_ev, u, HEV_TAG_UNSET, h->n_inst - 1);
        }
        free(n_tags);
    }
    free(order);
    if (h->n_ev > 1) qsort(h->ev, h->n_ev, sizeof *h->ev, event_cmp);
    *out = h;
    return PS_OK;
}

int64_t history_updated_at(const struct history *h, size_t id, int64_t t_ns)
{
    const struct manifest *mf = &h->m->repos[h->id_repo[id]].manifests[id - h->repo_base[h->id_repo[id]]];
    if (mf->updated_state != TIME_OK) return mf->updated_ns;   /* the engine reads the state */
    return mf->updated_ns <= t_ns ? mf->updated_ns : h->push_ns[id];
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
    free(h);
}
