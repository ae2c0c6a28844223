/* risk.c - broken pulls and deleted in-use images per policy (risk.h). */
#include "risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "events.h"
#include "inuse.h"
#include "strv.h"

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct references among a policy's broken pulls: (kind, target) packed in one key. */
static size_t distinct_refs(const struct pull_index *px, const struct replay_policy *rp)
{
    if (!rp->n_broken) return 0;
    uint64_t *keys = xmalloc(rp->n_broken * sizeof *keys);
    for (size_t k = 0; k < rp->n_broken; k++) {
        const struct replay_pull *pl = &px->p[rp->broken[k].pull];
        keys[k] = (uint64_t)pl->target << 1 | pl->by_tag;
    }
    qsort(keys, rp->n_broken, sizeof *keys, u64_cmp);
    size_t n = 1;
    for (size_t k = 1; k < rp->n_broken; k++) n += keys[k] != keys[k - 1];
    free(keys);
    return n;
}

/* A deletion log key: a manifest id, or a tag instance id with the top bit set. */
struct target_key {
    uint64_t key;
    size_t target;
};

static int target_key_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct target_key *)a)->key, y = ((const struct target_key *)b)->key;
    return x < y ? -1 : x > y;
}

#define TAG_KEY(inst) ((uint64_t)(inst) | (UINT64_C(1) << 63))

/* The first deletion of each in-use target in the policy's deletion log: one pass over the log,
 * each deletion looked up among the targets (a log of millions against thousands of pods). */
static void inuse_hits(const struct replay_result *rr, const struct replay_policy *rp,
                       const struct inuse_target *targets, size_t n_targets, struct risk_policy *out)
{
    struct target_key *keys = xmalloc((2 * n_targets + 1) * sizeof *keys);
    size_t n_keys = 0;
    for (size_t i = 0; i < n_targets; i++) {
        if (!targets[i].found) continue;
        keys[n_keys++] = (struct target_key){targets[i].id, i};   /* the manifest, by digest or tag */
        if (targets[i].by_tag) keys[n_keys++] = (struct target_key){TAG_KEY(targets[i].inst), i};
    }
    qsort(keys, n_keys, sizeof *keys, target_key_cmp);
    int64_t *first = xmalloc((n_targets + 1) * sizeof *first);
    for (size_t i = 0; i < n_targets; i++) first[i] = INT64_MAX;
    const struct history *h = rr->h;
    for (size_t k = 0; k < rp->n_del && n_keys; k++) {
        const struct replay_deletion *dl = &rp->del[k];
        uint64_t key = dl->kind == RDEL_TAG ? TAG_KEY(dl->item) : h->repo_base[dl->repo] + dl->item;
        struct target_key probe = {key, 0};
        /* the first key equal to it, then every equal one (two references may name one image) */
        size_t lo = 0, hi = n_keys;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (target_key_cmp(&keys[mid], &probe) < 0) lo = mid + 1;
            else hi = mid;
        }
        for (; lo < n_keys && keys[lo].key == key; lo++)
            if (first[keys[lo].target] == INT64_MAX) first[keys[lo].target] = dl->t_ns;
    }
    for (size_t i = 0; i < n_targets; i++) {
        if (first[i] == INT64_MAX) continue;
        out->inuse = xrealloc(out->inuse, (out->n_inuse + 1) * sizeof *out->inuse);
        out->inuse[out->n_inuse++] = (struct risk_inuse_hit){i, first[i]};
    }
    free(first);
    free(keys);
}

int risk_load_inputs(const char *const *events, int n_events, const char *const *in_use, int n_in_use,
                     const char *login_server, struct event_log *log, struct inuse_list *list, struct diag *d)
{
    int rc = PS_OK;
    for (int k = 0; k < n_events && rc == PS_OK; k++) rc = events_load(log, events[k], login_server, d);
    if (rc == PS_OK && n_events) events_finish(log);
    for (int k = 0; k < n_in_use && rc == PS_OK; k++) rc = inuse_load(list, in_use[k], login_server, d);
    return rc;
}

void risk_input_warnings(const struct event_log *log, const struct inuse_list *list, size_t missing, char ***warnings,
                         size_t *n_warnings)
{
    if (log && (log->failed_status || log->other_registry || log->unknown_op))
        strv_addf(warnings, n_warnings,
                  "event log: of %zu row%s, %zu did not succeed (not 2xx), %zu %s another registry's and %zu "
                  "another operation's: skipped",
                  log->rows, log->rows == 1 ? "" : "s", log->failed_status, log->other_registry,
                  log->other_registry == 1 ? "is" : "are", log->unknown_op);
    if (!list) return;
    for (size_t i = 0; i < list->n_empty_files; i++)
        strv_addf(warnings, n_warnings, "in-use: %s lists no images: %s", list->empty_files[i],
                  list->n ? "it adds nothing to the in-use checks" : "the in-use checks find nothing");
    if (missing)
        strv_addf(warnings, n_warnings,
                  "in-use: %zu of %zu references are not in the export (no such repository, tag or digest)", missing,
                  list->n);
    if (list->other_registry)
        strv_addf(warnings, n_warnings, "in-use: %zu %s skipped", list->other_registry,
                  list->other_registry == 1 ? "reference to another registry" : "references to other registries");
}

void risk_compute(const struct replay_result *rr, const struct pull_index *pulls,
                  const struct inuse_target *targets, size_t n_targets, struct risk *out)
{
    memset(out, 0, sizeof *out);
    out->have_pulls = pulls != NULL;
    out->have_inuse = targets != NULL;
    out->n_pol = rr->n_pol;
    out->pol = xcalloc(rr->n_pol + 1, sizeof *out->pol);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        struct risk_policy *r = &out->pol[i];
        r->first_broken_ns = INT64_MAX;
        if (pulls) {
            r->broken_pulls = rp->n_broken;
            r->broken_refs = distinct_refs(pulls, rp);
            if (rp->n_broken) r->first_broken_ns = pulls->p[rp->broken[0].pull].t_ns;
        }
        if (targets) inuse_hits(rr, rp, targets, n_targets, r);
    }
}

bool risk_any(const struct risk *r, bool in_month)
{
    for (size_t i = 0; i < r->n_pol; i++) {
        const struct risk_policy *p = &r->pol[i];
        if (in_month && r->have_month ? p->month_broken_pulls || p->month_inuse_deleted : p->broken_pulls || p->n_inuse)
            return true;
    }
    return false;
}

void risk_free(struct risk *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_pol; i++) free(r->pol[i].inuse);
    free(r->pol);
    memset(r, 0, sizeof *r);
}

static char *reference(const char *repo, const char *tag, const struct digest *d, bool by_tag, char *buf,
                       size_t len)
{
    char dg[80];
    if (by_tag) snprintf(buf, len, "%s:%s", repo, tag);
    else snprintf(buf, len, "%s@%s", repo, digest_format(d, dg, sizeof dg));
    return buf;
}

char *risk_pull_reference(const struct pull_index *px, const struct replay_pull *pl, char *buf, size_t len)
{
    const struct event *e = &px->log->ev[pl->event];
    return reference(e->repo, e->tag, &e->digest, pl->by_tag, buf, len);
}

char *risk_inuse_reference(const struct inuse_target *t, char *buf, size_t len)
{
    const struct inuse_ref *r = t->ref;
    return reference(r->repo, r->tag, &r->digest, !r->has_digest, buf, len);
}

/* ---- one period of a policy's replay ---- */

struct keyed {
    uint64_t key;                    /* (target, by_tag) as distinct_refs() packs it */
    size_t k;                        /* index in rp->broken (pull order) */
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static int ref_cmp(const void *a, const void *b)
{
    const struct risk_ref *x = a, *y = b;
    if (x->pulls != y->pulls) return x->pulls < y->pulls ? 1 : -1;
    int c = strcmp(x->reference, y->reference);
    if (c) return c;
    return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

void risk_period(const struct replay_policy *rp, const struct pull_index *px, int64_t from_ns, int64_t to_ns,
                 struct risk_period *out)
{
    memset(out, 0, sizeof *out);
    out->first_ns = INT64_MAX;
    if (!px || !rp->n_broken) return;
    struct keyed *ks = xmalloc(rp->n_broken * sizeof *ks);
    size_t n = 0;
    for (size_t k = 0; k < rp->n_broken; k++) {
        const struct replay_pull *pl = &px->p[rp->broken[k].pull];
        if (pl->t_ns < from_ns || pl->t_ns >= to_ns) continue;
        ks[n++] = (struct keyed){(uint64_t)pl->target << 1 | pl->by_tag, k};
        if (pl->t_ns < out->first_ns) out->first_ns = pl->t_ns;
    }
    out->pulls = n;
    qsort(ks, n, sizeof *ks, keyed_cmp);
    out->ref = xcalloc(n + 1, sizeof *out->ref);
    for (size_t j = 0; j < n; j++) {
        const struct replay_broken *b = &rp->broken[ks[j].k];
        const struct replay_pull *pl = &px->p[b->pull];
        if (j && ks[j].key == ks[j - 1].key) {
            struct risk_ref *r = &out->ref[out->refs - 1];
            r->pulls++;
            r->last_ns = pl->t_ns;   /* pull order is time order */
            continue;
        }
        struct risk_ref *r = &out->ref[out->refs++];
        risk_pull_reference(px, pl, r->reference, sizeof r->reference);
        r->by_tag = pl->by_tag;
        r->pulls = 1;
        r->first_ns = r->last_ns = pl->t_ns;
        r->deleted_at = b->deleted_at;
    }
    qsort(out->ref, out->refs, sizeof *out->ref, ref_cmp);
    free(ks);
}

void risk_period_free(struct risk_period *p)
{
    if (!p) return;
    free(p->ref);
    memset(p, 0, sizeof *p);
}

size_t risk_inuse_before(const struct risk_policy *r, int64_t to_ns)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_inuse; k++) n += r->inuse[k].deleted_at < to_ns;
    return n;
}

/* ---- one dry run ---- */

/* Per repository, which tags and manifests the run deletes (a manifest's tags go with it). */
struct gone {
    uint8_t **tag, **man;
};

static void gone_build(const struct model *m, const struct purge_result *res, struct gone *g)
{
    g->tag = xcalloc(m->n_repos + 1, sizeof *g->tag);
    g->man = xcalloc(m->n_repos + 1, sizeof *g->man);
    for (size_t k = 0; k < res->n_ev; k++) {
        const struct purge_event *e = &res->ev[k];
        const struct repo *rp = &m->repos[e->repo];
        if (e->kind == PEV_TAG) {
            if (!g->tag[e->repo]) g->tag[e->repo] = xcalloc(rp->n_tags + 1, 1);
            g->tag[e->repo][e->item] = 1;
        } else if (e->kind == PEV_MANIFEST || e->kind == PEV_CASCADE) {
            if (!g->man[e->repo]) g->man[e->repo] = xcalloc(rp->n_manifests + 1, 1);
            g->man[e->repo][e->item] = 1;
        }
    }
}

static void gone_free(const struct model *m, struct gone *g)
{
    for (size_t r = 0; r < m->n_repos; r++) {
        free(g->tag[r]);
        free(g->man[r]);
    }
    free(g->tag);
    free(g->man);
}

static long find_tag(const struct repo *rp, const char *name)
{
    size_t lo = 0, hi = rp->n_tags;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rp->tags[mid].name, name);
        if (!c) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* Whether the run deletes `tag` (or digest d when tag is NULL) of repository `name`; writes the
 * reference as written into ref. */
static bool deletes(const struct model *m, const struct gone *g, const char *name, const char *tag,
                    const struct digest *d, char *ref, size_t len)
{
    const struct repo *rp = model_find_repo(m, name);
    if (!rp) return false;
    size_t r = (size_t)(rp - m->repos);
    reference(name, tag, d, tag != NULL, ref, len);
    if (tag) {
        long t = find_tag(rp, tag);
        if (t < 0) return false;
        uint32_t target = rp->tags[t].manifest;
        return (g->tag[r] && g->tag[r][t]) || (g->man[r] && g->man[r][target]);
    }
    uint32_t i = model_find_manifest(rp, d);
    return i != MODEL_NO_MANIFEST && g->man[r] && g->man[r][i];
}

/* The export holds the repository and the tag (or the digest). */
static bool holds(const struct model *m, const char *name, const char *tag, const struct digest *d)
{
    const struct repo *rp = model_find_repo(m, name);
    if (!rp) return false;
    return tag ? find_tag(rp, tag) >= 0 : model_find_manifest(rp, d) != MODEL_NO_MANIFEST;
}

static int hit_cmp(const void *a, const void *b)
{
    return strcmp(((const struct risk_hit *)a)->reference, ((const struct risk_hit *)b)->reference);
}

void risk_dryrun(const struct model *m, const struct purge_result *res, const struct event_log *log,
                 const struct inuse_list *inuse, struct dryrun_risk *out)
{
    memset(out, 0, sizeof *out);
    out->have_pulls = log != NULL;
    out->have_inuse = inuse != NULL;
    struct gone g;
    gone_build(m, res, &g);
    char ref[400];
    if (log) {
        size_t cap = 0;
        for (size_t i = 0; i < log->n; i++) {
            const struct event *e = &log->ev[i];
            if (e->op != EVENT_PULL) continue;
            if (!e->tag && !e->has_digest) continue;
            if (!deletes(m, &g, e->repo, e->tag, &e->digest, ref, sizeof ref)) continue;
            xgrow((void **)&out->pulled, &cap, out->n_pulled + 1, sizeof *out->pulled);
            struct risk_hit *h = &out->pulled[out->n_pulled++];
            snprintf(h->reference, sizeof h->reference, "%s", ref);
            h->pulls = 1;
            h->last_pull_ns = e->t_ns;
        }
        /* one line per reference: its pull count and the last one (the log is in time order) */
        qsort(out->pulled, out->n_pulled, sizeof *out->pulled, hit_cmp);
        size_t n = 0;
        for (size_t i = 0; i < out->n_pulled; i++) {
            if (n && !strcmp(out->pulled[n - 1].reference, out->pulled[i].reference)) {
                out->pulled[n - 1].pulls++;
                if (out->pulled[i].last_pull_ns > out->pulled[n - 1].last_pull_ns)
                    out->pulled[n - 1].last_pull_ns = out->pulled[i].last_pull_ns;
            } else {
                out->pulled[n++] = out->pulled[i];
            }
        }
        out->n_pulled = n;
    }
    if (inuse) {
        size_t cap = 0;
        for (size_t i = 0; i < inuse->n; i++) {
            const struct inuse_ref *u = &inuse->refs[i];
            if (!holds(m, u->repo, u->has_digest ? NULL : u->tag, &u->digest)) out->inuse_missing++;
            if (!deletes(m, &g, u->repo, u->has_digest ? NULL : u->tag, &u->digest, ref, sizeof ref)) continue;
            xgrow((void **)&out->inuse, &cap, out->n_inuse + 1, sizeof *out->inuse);
            struct risk_hit *h = &out->inuse[out->n_inuse++];
            memset(h, 0, sizeof *h);
            snprintf(h->reference, sizeof h->reference, "%s", ref);
        }
    }
    gone_free(m, &g);
}

void risk_dryrun_free(struct dryrun_risk *r)
{
    if (!r) return;
    free(r->pulled);
    free(r->inuse);
    memset(r, 0, sizeof *r);
}
