/* history_log.c - the natural history refined by the event log (history_log.h). */
#include "history_log.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "history_internal.h"
#include "radix.h"

#define NONE UINT32_MAX

/* Does the row take part in the history? Pulls do not; rows after the export are past its end. */
static bool row_counts(const struct event *e, int64_t end, struct history_log_stats *st)
{
    if (e->op == EVENT_PULL) return false;
    if (e->t_ns > end) {
        st->after_export++;
        return false;
    }
    return true;
}

/* ---- the model extended with what only the log pushes ---------------------------------- */

struct log_only {
    const char *repo;          /* the log's name */
    struct digest digest;
    uint64_t size;
    int64_t first, last;       /* its first and last push */
};

static int log_only_cmp(const void *a, const void *b)
{
    const struct log_only *x = a, *y = b;
    int c = strcmp(x->repo, y->repo);
    return c ? c : digest_cmp(&x->digest, &y->digest);
}

static int repo_name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct repo *)a)->name, ((const struct repo *)b)->name);
}

/* A manifest only the log knows: an image manifest (its media type, children and subject are
 * not in the log) of the pushed size, stored as one blob of its own (its layers are unknown,
 * so it shares none), created at its first push and updated at its last. */
static struct manifest log_manifest(struct model *m, const struct log_only *lo)
{
    struct manifest mf;
    memset(&mf, 0, sizeof mf);
    mf.digest = lo->digest;
    mf.size_bytes = lo->size;
    mf.created_ns = lo->first;
    mf.updated_ns = lo->last;
    mf.subject = MODEL_NO_MANIFEST;
    uint32_t *layer = arena_alloc(&m->arena, sizeof *layer);
    *layer = model_intern_blob(m, &lo->digest, lo->size);
    mf.layers = layer;
    mf.n_layers = 1;
    mf.layers_known = true;
    mf.delete_enabled = mf.write_enabled = true;
    mf.media = MEDIA_DOCKER_V2;
    return mf;
}

/* Merges the log-only manifests add[0..n) (sorted by digest) into repository rp, keeping its
 * manifests sorted by digest, and renumbers its tags, children and subjects. */
static void merge_into_repo(struct model *m, struct repo *rp, const struct log_only *add, size_t n)
{
    size_t old = rp->n_manifests, total = old + n;
    struct manifest *mfs = arena_alloc(&m->arena, total * sizeof *mfs);
    uint32_t *map = xmalloc((old + 1) * sizeof *map);
    size_t i = 0, k = 0, o = 0;
    while (i < old || k < n) {
        if (k == n || (i < old && digest_cmp(&rp->manifests[i].digest, &add[k].digest) < 0)) {
            map[i] = (uint32_t)o;
            mfs[o++] = rp->manifests[i++];
        } else {
            mfs[o++] = log_manifest(m, &add[k++]);
        }
    }
    for (size_t j = 0; j < total; j++) {
        struct manifest *mf = &mfs[j];
        if (mf->subject != MODEL_NO_MANIFEST) mf->subject = map[mf->subject];
        if (!mf->n_children) continue;
        uint32_t *ch = arena_alloc(&m->arena, mf->n_children * sizeof *ch);
        for (uint32_t c = 0; c < mf->n_children; c++) ch[c] = map[mf->children[c]];
        mf->children = ch;
    }
    for (size_t t = 0; t < rp->n_tags; t++) rp->tags[t].manifest = map[rp->tags[t].manifest];
    size_t r = (size_t)(rp - m->repos);
    for (size_t t = 0; t < m->n_trail; t++)
        if (m->trail[t].repo == r) m->trail[t].tag.manifest = map[m->trail[t].tag.manifest];
    rp->manifests = mfs;
    rp->n_manifests = total;
    m->n_manifests += n;
    free(map);
}

/* Adds the repositories named in lo[0..n) that m lacks (sorted by name, as model.h wants). */
static void add_repos(struct model *m, const struct log_only *lo, size_t n, struct history_log_stats *st)
{
    size_t before = m->n_repos;
    for (size_t k = 0; k < n; k++) {
        /* lo is sorted by repository; the model's own repositories are repos[0 .. before) */
        if (k && !strcmp(lo[k].repo, lo[k - 1].repo)) continue;
        size_t n_now = m->n_repos;
        m->n_repos = before;
        bool known = model_find_repo(m, lo[k].repo) != NULL;
        m->n_repos = n_now;
        if (known) continue;
        xgrow((void **)&m->repos, &m->cap_repos, m->n_repos + 1, sizeof *m->repos);
        struct repo *rp = &m->repos[m->n_repos++];
        memset(rp, 0, sizeof *rp);
        rp->name = arena_strndup(&m->arena, lo[k].repo, strlen(lo[k].repo));
        st->repos_added++;
    }
    if (m->n_repos == before) return;
    /* a forecast's trail names repositories by index: keep it right across the sort */
    const char **trail_repo = xmalloc((m->n_trail + 1) * sizeof *trail_repo);
    for (size_t t = 0; t < m->n_trail; t++) trail_repo[t] = m->repos[m->trail[t].repo].name;
    qsort(m->repos, m->n_repos, sizeof *m->repos, repo_name_cmp);
    for (size_t t = 0; t < m->n_trail; t++)
        m->trail[t].repo = (uint32_t)(model_find_repo(m, trail_repo[t]) - m->repos);
    free(trail_repo);
}

/* Every digest the log pushes (at or before exportedAt) that the model lacks, with its
 * repository if that is new too. Linear in the log plus a sort of what is new. */
static struct log_only *extend_model(struct model *m, const struct event_log *log, struct history_log_stats *st,
                                     size_t *n_out)
{
    struct history_log_stats scratch;
    memset(&scratch, 0, sizeof scratch);
    struct log_only *lo = NULL;
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < log->n; k++) {
        const struct event *e = &log->ev[k];
        if (!row_counts(e, m->exported_at_ns, &scratch) || e->op != EVENT_PUSH || !e->has_digest) continue;
        const struct repo *rp = model_find_repo(m, e->repo);
        if (rp && model_find_manifest(rp, &e->digest) != MODEL_NO_MANIFEST) continue;
        xgrow((void **)&lo, &cap, n + 1, sizeof *lo);
        lo[n++] = (struct log_only){e->repo, e->digest, e->size_bytes, e->t_ns, e->t_ns};
    }
    if (n > 1) qsort(lo, n, sizeof *lo, log_only_cmp);
    size_t u = 0;
    for (size_t k = 0; k < n; k++) {
        if (u && !log_only_cmp(&lo[u - 1], &lo[k])) {
            struct log_only *d = &lo[u - 1];
            if (lo[k].size > d->size) d->size = lo[k].size;   /* a row without Size says 0 */
            if (lo[k].first < d->first) d->first = lo[k].first;
            if (lo[k].last > d->last) d->last = lo[k].last;
        } else {
            lo[u++] = lo[k];
        }
    }
    add_repos(m, lo, u, st);
    for (size_t k = 0; k < u;) {
        size_t j = k;
        while (j < u && !strcmp(lo[j].repo, lo[k].repo)) j++;
        merge_into_repo(m, (struct repo *)model_find_repo(m, lo[k].repo), &lo[k], j - k);
        k = j;
    }
    st->manifests_added = u;
    *n_out = u;
    return lo;
}

/* ---- the history ---------------------------------------------------------------------- */

/* A tag instance while the log is read. */
struct linst {
    int64_t set, unset;        /* unset INT64_MAX: open */
    uint32_t id;               /* manifest id */
    uint32_t slot;
    uint32_t next;             /* the next instance on the same manifest (its open list) */
    const struct tag *xt;      /* the export's tag when this is the instance it shows */
};

/* One tag name of one repository. */
struct slot {
    const char *name;          /* in the model (its arena, or the export's tag) */
    uint32_t repo;
    uint32_t open;             /* its open instance, NONE */
    int64_t last_t;            /* its last row */
    bool in_log, matched;      /* named by a row; reconciled with the export's tag */
};

struct lb {
    struct history *h;
    struct model *m;
    struct history_log_stats *st;
    uint8_t *present, *observed;
    int64_t *stay;             /* per id: when its current stay began */
    int64_t *last_push;
    size_t *last_remove;       /* per id: its last removal, an index in h->ev (SIZE_MAX: none) */
    uint32_t *open_head;       /* per id: instances set on it (some closed since) */
    struct linst *inst;
    size_t n_inst, cap_inst;
    struct slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *table;           /* open addressing over slot indexes + 1 */
    size_t table_cap;
    size_t cap_ev;
};

#define DEAD_KIND 0xFF          /* a manifest event a later row cancelled */

static size_t slot_hash(uint32_t repo, const char *name)
{
    uint64_t x = 1469598103934665603ULL ^ repo;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) x = (x ^ *p) * 1099511628211ULL;
    return (size_t)(x ^ x >> 29);
}

static void table_put(struct lb *b, uint32_t s)
{
    size_t i = slot_hash(b->slots[s].repo, b->slots[s].name) & (b->table_cap - 1);
    while (b->table[i]) i = (i + 1) & (b->table_cap - 1);
    b->table[i] = s + 1;
}

/* The slot of (repo, name); with `create`, a new one when there is none (else NONE). */
static uint32_t slot_get(struct lb *b, uint32_t repo, const char *name, bool create)
{
    size_t i = slot_hash(repo, name) & (b->table_cap - 1);
    for (; b->table[i]; i = (i + 1) & (b->table_cap - 1)) {
        const struct slot *s = &b->slots[b->table[i] - 1];
        if (s->repo == repo && !strcmp(s->name, name)) return b->table[i] - 1;
    }
    if (!create) return NONE;
    xgrow((void **)&b->slots, &b->cap_slots, b->n_slots + 1, sizeof *b->slots);
    uint32_t k = (uint32_t)b->n_slots++;
    b->slots[k] = (struct slot){arena_strndup(&b->m->arena, name, strlen(name)), repo, NONE, INT64_MIN, false, false};
    if (2 * b->n_slots > b->table_cap) {
        free(b->table);
        b->table_cap *= 2;
        b->table = xcalloc(b->table_cap, sizeof *b->table);
        for (uint32_t j = 0; j < b->n_slots; j++) table_put(b, j);
    } else {
        table_put(b, k);
    }
    return k;
}

static void open_instance(struct lb *b, uint32_t s, uint32_t id, int64_t t, const struct tag *xt)
{
    xgrow((void **)&b->inst, &b->cap_inst, b->n_inst + 1, sizeof *b->inst);
    uint32_t k = (uint32_t)b->n_inst++;
    b->inst[k] = (struct linst){t, INT64_MAX, id, s, b->open_head[id], xt};
    b->open_head[id] = k;
    b->slots[s].open = k;
}

/* An instance closed at or before its set time never was: it is dropped when emitted. */
static void close_instance(struct lb *b, uint32_t k, int64_t t)
{
    if (b->inst[k].unset != INT64_MAX) return;
    b->inst[k].unset = t;
    if (b->slots[b->inst[k].slot].open == k) b->slots[b->inst[k].slot].open = NONE;
}

static void push_manifest(struct lb *b, uint32_t id, int64_t t)
{
    if (b->last_push[id] == t && b->present[id]) return;   /* the same row twice */
    b->last_push[id] = t;
    /* every push is an event: one the policy had deleted comes back (the replay revives it) */
    history_add_event(b->h, &b->cap_ev, t, HEV_PUSH, id);
    if (b->present[id]) return;
    size_t rm = b->last_remove[id];
    if (rm != SIZE_MAX && b->h->ev[rm].t_ns == t) {
        /* deleted and pushed again at one instant: it stays (the events' order at one instant
         * would put the removal last) */
        b->h->ev[rm].kind = DEAD_KIND;
        b->last_remove[id] = SIZE_MAX;
    } else {
        b->stay[id] = t;
    }
    b->present[id] = 1;
}

/* The manifest leaves at t, with the tags on it. */
static void remove_manifest(struct lb *b, uint32_t id, int64_t t)
{
    b->last_remove[id] = b->h->n_ev;
    history_add_event(b->h, &b->cap_ev, t, HEV_REMOVE, id);
    b->present[id] = 0;
    for (uint32_t k = b->open_head[id]; k != NONE; k = b->inst[k].next) close_instance(b, k, t);
    b->open_head[id] = NONE;
}

static void delete_row(struct lb *b, const struct event *e, uint32_t r, uint32_t id)
{
    struct history *h = b->h;
    if (!e->has_digest && !e->tag) {
        /* the whole repository */
        for (size_t k = h->repo_base[r]; k < h->repo_base[r + 1]; k++)
            if (b->present[k]) remove_manifest(b, (uint32_t)k, e->t_ns);
        return;
    }
    if (e->has_digest && id == NONE) {
        b->st->unknown_deletes++;   /* never pushed in the log, not in the export: no size */
        return;
    }
    if (id == NONE) {
        /* by tag: the manifest the tag points at (az acr repository delete --image repo:tag) */
        uint32_t s = slot_get(b, r, e->tag, false);
        if (s != NONE && b->slots[s].open != NONE) id = b->inst[b->slots[s].open].id;
    }
    if (id != NONE && b->present[id]) remove_manifest(b, id, e->t_ns);
    else if (id == NONE || b->last_remove[id] == SIZE_MAX || h->ev[b->last_remove[id]].t_ns != e->t_ns)
        b->st->unplaced++;   /* (the same delete twice is not counted) */
}

static void untag_row(struct lb *b, const struct event *e, uint32_t r, uint32_t id)
{
    uint32_t s = e->tag ? slot_get(b, r, e->tag, true) : NONE;
    if (s == NONE) {
        b->st->unplaced++;
        return;
    }
    struct slot *sl = &b->slots[s];
    if (sl->open != NONE) {
        close_instance(b, sl->open, e->t_ns);
    } else if (!sl->in_log && id != NONE && b->present[id] && b->stay[id] < e->t_ns) {
        /* the first the log says of the tag: it pointed at that manifest since its push */
        open_instance(b, s, id, b->stay[id], NULL);
        close_instance(b, b->slots[s].open, e->t_ns);
    } else if (sl->last_t != e->t_ns) {
        b->st->unplaced++;
    }
    b->slots[s].in_log = true;
    b->slots[s].last_t = e->t_ns;
}

static void push_row(struct lb *b, const struct event *e, uint32_t r, uint32_t id)
{
    if (id == NONE) {
        b->st->unplaced++;   /* a push without a digest */
        return;
    }
    push_manifest(b, id, e->t_ns);
    if (!e->tag) return;
    uint32_t s = slot_get(b, r, e->tag, true);
    struct slot *sl = &b->slots[s];
    uint32_t k = sl->open;
    if (k != NONE && b->inst[k].id == id && b->inst[k].set == e->t_ns) return;   /* the same row twice */
    /* the tag moves: its previous target loses it now (the observed untag) */
    if (k != NONE) close_instance(b, k, e->t_ns);
    open_instance(b, s, id, e->t_ns, NULL);
    b->slots[s].in_log = true;
    b->slots[s].last_t = e->t_ns;
}

/* Where the row points: its repository (NONE when the model has none) and manifest id. */
static uint32_t resolve(const struct history *h, const struct event *e, uint32_t *id)
{
    const struct model *m = h->m;
    const struct repo *rp = model_find_repo(m, e->repo);
    *id = NONE;
    if (!rp) return NONE;
    uint32_t r = (uint32_t)(rp - m->repos);
    if (e->has_digest) {
        uint32_t i = model_find_manifest(rp, &e->digest);
        if (i != MODEL_NO_MANIFEST) *id = (uint32_t)(h->repo_base[r] + i);
    }
    return r;
}

struct synth {
    int64_t t;
    uint64_t id;
};

/* The export's manifests whose push the log does not show at or before their createdTime
 * were pushed then (the assumption of one snapshot), sorted by time. */
static struct synth *assumed_pushes(struct lb *b, const struct event_log *log, size_t *n_out)
{
    struct history *h = b->h;
    int64_t *first = xmalloc((h->n_ids + 1) * sizeof *first);
    for (size_t id = 0; id < h->n_ids; id++) first[id] = INT64_MAX;
    struct history_log_stats scratch;
    memset(&scratch, 0, sizeof scratch);
    for (size_t k = 0; k < log->n; k++) {
        const struct event *e = &log->ev[k];
        uint32_t id;
        if (!row_counts(e, h->end_ns, &scratch) || e->op != EVENT_PUSH) continue;
        if (resolve(h, e, &id) != NONE && id != NONE && e->t_ns < first[id]) first[id] = e->t_ns;
    }
    struct synth *v = xmalloc((h->n_ids + 1) * sizeof *v);
    size_t n = 0;
    for (size_t id = 0; id < h->n_ids; id++) {
        if (first[id] != INT64_MAX) b->observed[id] = 1;
        if (first[id] > h->push_ns[id]) v[n++] = (struct synth){h->push_ns[id], id};
    }
    free(first);
    radix_sort_i64(v, n, sizeof *v, offsetof(struct synth, t));
    *n_out = n;
    return v;
}

/* Every row at or before exportedAt, in time order, with the assumed pushes first at a tie. */
static void read_log(struct lb *b, const struct event_log *log)
{
    size_t n_syn, j = 0;
    struct synth *syn = assumed_pushes(b, log, &n_syn);
    for (size_t k = 0; k <= log->n; k++) {
        const struct event *e = k < log->n ? &log->ev[k] : NULL;
        if (e && !row_counts(e, b->h->end_ns, b->st)) continue;
        for (; j < n_syn && (!e || syn[j].t <= e->t_ns); j++) push_manifest(b, (uint32_t)syn[j].id, syn[j].t);
        if (!e) break;
        b->st->applied++;
        uint32_t id, r = resolve(b->h, e, &id);
        if (r == NONE) {
            if (e->op == EVENT_DELETE && e->has_digest) b->st->unknown_deletes++;
            else b->st->unplaced++;
            continue;
        }
        if (e->op == EVENT_PUSH) push_row(b, e, r, id);
        else if (e->op == EVENT_UNTAG) untag_row(b, e, r, id);
        else delete_row(b, e, r, id);
    }
    free(syn);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* At exportedAt the history is the export: the export wins where the log disagrees. */
static void reconcile(struct lb *b, const uint8_t *log_only)
{
    struct history *h = b->h;
    const int64_t end = h->end_ns;
    for (uint32_t id = 0; id < h->n_ids; id++) {
        if (log_only[id] && b->present[id]) {
            remove_manifest(b, id, end);   /* the log leaves it, the export lacks it */
            b->st->conflicts++;
        } else if (!log_only[id] && !b->present[id] && b->last_remove[id] != SIZE_MAX) {
            /* the log deleted it, the export holds it: the deletion is not applied */
            h->ev[b->last_remove[id]].kind = DEAD_KIND;
            b->last_remove[id] = SIZE_MAX;
            b->present[id] = 1;
            b->st->conflicts++;
        }
    }
    const struct model *m = h->m;
    for (uint32_t r = 0; r < m->n_repos; r++)
        for (size_t t = 0; t < m->repos[r].n_tags; t++) {
            const struct tag *tg = &m->repos[r].tags[t];
            uint32_t id = (uint32_t)(h->repo_base[r] + tg->manifest);
            uint32_t s = slot_get(b, r, tg->name, true);
            struct slot *sl = &b->slots[s];
            sl->matched = true;
            int64_t at = b->stay[id];
            if (tg->updated_state == TIME_OK) at = max64(at, tg->updated_ns);
            if (!sl->in_log) {
                /* the log never names it: set at its lastUpdateTime, as with one snapshot */
                open_instance(b, s, id, at < end ? at : end, tg);
                continue;
            }
            if (sl->open != NONE && b->inst[sl->open].id == id) {
                b->inst[sl->open].xt = tg;   /* the log's instance, with the export's attributes */
                continue;
            }
            /* the export shows it elsewhere, or the log had removed it: it moved after the
             * log's last word on it */
            b->st->conflicts++;
            at = max64(at, sl->last_t + 1);
            if (at > end) at = end;
            if (sl->open != NONE) close_instance(b, sl->open, at);
            open_instance(b, s, id, at, tg);
        }
    for (uint32_t s = 0; s < b->n_slots; s++)
        if (!b->slots[s].matched && b->slots[s].open != NONE) {
            close_instance(b, b->slots[s].open, end);   /* the export no longer shows it */
            b->st->conflicts++;
        }
}

/* The instances that lasted, grouped by repository (the untag model reads one repository's
 * at a time), and their events; the manifests' first pushes and removals. */
static void emit(struct lb *b)
{
    struct history *h = b->h;
    size_t n = 0;
    for (size_t k = 0; k < h->n_ev; k++)
        if (h->ev[k].kind != DEAD_KIND) h->ev[n++] = h->ev[k];
    h->n_ev = n;
    int64_t *gone = xmalloc((h->n_ids + 1) * sizeof *gone);
    for (size_t id = 0; id < h->n_ids; id++) gone[id] = h->push_ns[id] = INT64_MAX;
    /* the events are in time order so far: rows were read in it, and the reconciliation is last */
    for (size_t k = 0; k < h->n_ev; k++) {
        const struct hist_event *e = &h->ev[k];
        if (e->kind == HEV_PUSH && h->push_ns[e->item] == INT64_MAX) h->push_ns[e->item] = e->t_ns;
        if (e->kind == HEV_REMOVE && gone[e->item] == INT64_MAX) gone[e->item] = e->t_ns;
    }
    h->first_push_ns = h->end_ns;
    for (size_t id = 0; id < h->n_ids; id++) {
        if (h->push_ns[id] == INT64_MAX) h->push_ns[id] = h->end_ns;   /* (every manifest is pushed) */
        if (h->push_ns[id] < h->first_push_ns) h->first_push_ns = h->push_ns[id];
    }
    size_t n_repos = h->m->n_repos;
    size_t *start = xcalloc(n_repos + 2, sizeof *start);
    for (size_t k = 0; k < b->n_inst; k++)
        if (b->inst[k].unset > b->inst[k].set) start[b->slots[b->inst[k].slot].repo + 1]++;
    for (size_t r = 0; r < n_repos; r++) start[r + 1] += start[r];
    uint32_t *order = xmalloc((start[n_repos] + 1) * sizeof *order);
    for (size_t k = 0; k < b->n_inst; k++)
        if (b->inst[k].unset > b->inst[k].set) order[start[b->slots[b->inst[k].slot].repo]++] = (uint32_t)k;
    struct history_builder hb = {b->cap_ev, 0, xmalloc((h->n_ids + 1) * sizeof *hb.order), gone, b->observed};
    size_t pos = 0;
    for (size_t r = 0; r < n_repos; r++) {
        size_t first_inst = h->n_inst;
        for (; pos < start[r]; pos++) {
            const struct linst *li = &b->inst[order[pos]];
            struct tag_instance *ti = history_add_instance(h, &hb.cap_inst);
            if (li->xt) {
                history_copy_tag(ti, li->xt);
            } else {
                ti->name = b->slots[li->slot].name;
                ti->updated_ns = li->set;
                ti->updated_state = TIME_OK;
                ti->delete_enabled = ti->write_enabled = true;
            }
            ti->repo = (uint32_t)r;
            ti->manifest = (uint32_t)(li->id - h->repo_base[r]);
            ti->set_ns = li->set;
            ti->unset_ns = li->unset;
            history_add_event(h, &hb.cap_ev, li->set, HEV_TAG_SET, h->n_inst - 1);
            if (li->unset != INT64_MAX) history_add_event(h, &hb.cap_ev, li->unset, HEV_TAG_UNSET, h->n_inst - 1);
        }
        history_assume_untags(h, &hb, r, first_inst);
    }
    free(hb.order);
    free(order);
    free(start);
    free(gone);
}

int history_build_log(struct model *m, const struct event_log *log, enum untag_model untag,
                      struct history_log_stats *st, struct history **out)
{
    memset(st, 0, sizeof *st);
    size_t n_lo;
    struct log_only *lo = extend_model(m, log, st, &n_lo);
    struct lb b;
    memset(&b, 0, sizeof b);
    struct history *h = b.h = history_new(m, untag);
    b.m = m;
    b.st = st;
    size_t n = h->n_ids + 1;
    b.present = xcalloc(n, 1);
    b.observed = xcalloc(n, 1);
    uint8_t *log_only = xcalloc(n, 1);
    b.stay = xmalloc(n * sizeof *b.stay);
    b.last_push = xmalloc(n * sizeof *b.last_push);
    b.last_remove = xmalloc(n * sizeof *b.last_remove);
    b.open_head = xmalloc(n * sizeof *b.open_head);
    for (size_t id = 0; id < n; id++) {
        b.stay[id] = b.last_push[id] = INT64_MIN;
        b.last_remove[id] = SIZE_MAX;
        b.open_head[id] = NONE;
    }
    for (size_t k = 0; k < n_lo; k++) {
        const struct repo *rp = model_find_repo(m, lo[k].repo);
        log_only[h->repo_base[rp - m->repos] + model_find_manifest(rp, &lo[k].digest)] = 1;
    }
    free(lo);
    b.table_cap = 64;
    b.table = xcalloc(b.table_cap, sizeof *b.table);
    read_log(&b, log);
    reconcile(&b, log_only);
    emit(&b);
    history_sort_events(h);
    history_updates_from_pushes(h);
    free(b.present);
    free(b.observed);
    free(log_only);
    free(b.stay);
    free(b.last_push);
    free(b.last_remove);
    free(b.open_head);
    free(b.inst);
    free(b.slots);
    free(b.table);
    *out = h;
    return PS_OK;
}
