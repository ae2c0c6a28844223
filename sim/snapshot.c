/* snapshot.c - merge snapshots of one registry into one model of everything ever seen. */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "model_cache.h"

struct occurrence {
    struct digest digest;
    uint32_t snap, index;
};

static int occurrence_cmp(const void *a, const void *b)
{
    const struct occurrence *x = a, *y = b;
    int c = digest_cmp(&x->digest, &y->digest);
    if (c) return c;
    return x->snap < y->snap ? -1 : x->snap > y->snap;
}

static int model_time_cmp(const void *a, const void *b)
{
    const struct model *x = *(struct model *const *)a, *y = *(struct model *const *)b;
    return x->exported_at_ns < y->exported_at_ns ? -1 : x->exported_at_ns > y->exported_at_ns;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Copies manifest `src` of snapshot model `sm` into the merged repo, remapping blobs, children
 * and subject by digest. The merged repo's manifests must already be sorted. */
static void remap_manifest(struct model *mm, struct repo *mr, struct manifest *dst, const struct model *sm,
                           const struct repo *sr, const struct manifest *src)
{
    uint32_t *layers = arena_alloc(&mm->arena, src->n_layers * sizeof *layers);
    for (uint32_t k = 0; k < src->n_layers; k++) {
        const struct blob *b = &sm->blobs[src->layers[k]];
        layers[k] = model_intern_blob(mm, &b->digest, b->size_bytes);
    }
    dst->layers = layers;
    uint32_t *children = arena_alloc(&mm->arena, src->n_children * sizeof *children);
    uint32_t n = 0;
    for (uint32_t k = 0; k < src->n_children; k++) {
        uint32_t j = model_find_manifest(mr, &sr->manifests[src->children[k]].digest);
        if (j != MODEL_NO_MANIFEST) children[n++] = j;
    }
    dst->children = children;
    dst->n_children = n;
    if (src->subject != MODEL_NO_MANIFEST) dst->subject = model_find_manifest(mr, &sr->manifests[src->subject].digest);
}

/* Sorts the snapshots by exportedAt and refuses a set that cannot be merged. */
static int check_snapshots(struct model **snaps, size_t n, struct diag *d)
{
    if (n == 0 || n > SNAPSHOT_MAX) {
        diag_msg(d, "give 1 to %d snapshots", SNAPSHOT_MAX);
        return ERR_USAGE;
    }
    qsort(snaps, n, sizeof *snaps, model_time_cmp);
    for (size_t j = 1; j < n; j++)
        if (snaps[j]->exported_at_ns == snaps[j - 1]->exported_at_ns) {
            diag_msg(d, "two snapshots have the same exportedAt: give each snapshot once");
            return ERR_INPUT;
        }
    return PS_OK;
}

static void free_models(struct model **m, size_t n)
{
    for (size_t k = 0; k < n; k++) model_free(m[k]);
}

/* Reads each input on its own into out[0 .. n): true when every one is a snapshot (read, with
 * its exportedAt). Otherwise frees them and sets *rc: PS_OK when they are raw az files (none
 * has exportedAt: read alone, a tag listing may miss the manifests another file holds), or the
 * error, with its messages in d, when one is a snapshot that cannot be read or they are a mix. */
static bool read_snapshots(const char *const *inputs, size_t n, const struct ingest_opts *io,
                           const struct model_cache_opts *cache, struct model **out, int *rc, struct diag *d)
{
    struct diag each = {0};
    size_t k = 0, with_time = 0;
    *rc = PS_OK;
    while (k < n && *rc == PS_OK) {
        out[k] = model_new();
        *rc = model_cache_ingest(out[k], &inputs[k], 1, io, cache, &each);
        with_time += out[k++]->has_exported_at;
    }
    if (*rc == PS_OK && with_time == n) {
        diag_merge(d, &each);
        return true;
    }
    free_models(out, k);
    if (*rc == PS_OK && with_time) {
        diag_msg(d, "give either snapshots (bundles or export directories, each with exportedAt) or the raw "
                    "az files of one snapshot, not both");
        *rc = ERR_USAGE;
    } else if (with_time) {
        diag_merge(d, &each);   /* a snapshot's own error */
    } else {
        *rc = PS_OK;
    }
    diag_free(&each);
    return false;
}

int snapshot_read(const char *const *inputs, size_t n, const struct ingest_opts *io,
                  const struct model_cache_opts *cache, struct model **out, size_t *n_out, struct diag *d)
{
    *n_out = 0;
    if (n == 0 || n > SNAPSHOT_MAX) return check_snapshots(out, n, d);
    int rc = PS_OK;
    if (n > 1 && read_snapshots(inputs, n, io, cache, out, &rc, d)) {
        rc = check_snapshots(out, n, d);
        if (rc != PS_OK) free_models(out, n);
        else *n_out = n;
        return rc;
    }
    if (rc != PS_OK) return rc;
    /* one snapshot: one input, or the raw az files of one, read together */
    out[0] = model_new();
    rc = model_cache_ingest(out[0], inputs, (int)n, io, cache, d);
    if (rc != PS_OK) {
        model_free(out[0]);
        return rc;
    }
    *n_out = 1;
    return PS_OK;
}

/* The union of the snapshots' repository names, sorted, *n_out of them (the caller frees the
 * array, not the names, which stay the snapshots'). */
static const char **union_of_repo_names(struct model *const *snaps, size_t n, size_t *n_out)
{
    size_t total = 0;
    for (size_t j = 0; j < n; j++) total += snaps[j]->n_repos;
    const char **names = xmalloc((total + 1) * sizeof *names);
    size_t nn = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t r = 0; r < snaps[j]->n_repos; r++) names[nn++] = snaps[j]->repos[r].name;
    qsort(names, nn, sizeof *names, name_cmp);
    size_t u = 0;
    for (size_t i = 0; i < nn; i++)
        if (!u || strcmp(names[u - 1], names[i])) names[u++] = names[i];
    *n_out = u;
    return names;
}

/* s->repo_of: the merged repository of each snapshot's repository, by name among the u
 * sorted merged names. */
static void map_repos(struct snapshot_set *s, const char *const *names, size_t u)
{
    s->repo_of = xcalloc(s->n, sizeof *s->repo_of);
    for (size_t j = 0; j < s->n; j++) {
        const struct model *sm = s->snap[j];
        s->repo_of[j] = xcalloc(sm->n_repos + 1, sizeof **s->repo_of);
        for (size_t r = 0; r < sm->n_repos; r++) {
            size_t lo = 0, hi = u;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(names[mid], sm->repos[r].name) < 0) lo = mid + 1;
                else hi = mid;
            }
            s->repo_of[j][r] = (uint32_t)lo;
        }
    }
}

/* Every (digest, snapshot) occurrence of a manifest in the n snapshots' versions of one
 * repository (sr_of[j], NULL where snapshot j lacks it), sorted by digest then snapshot; *cnt
 * of them. */
static struct occurrence *sorted_occurrences(const struct repo *const *sr_of, size_t n, size_t *cnt)
{
    size_t total = 0;
    for (size_t j = 0; j < n; j++)
        if (sr_of[j]) total += sr_of[j]->n_manifests;
    struct occurrence *occ = xmalloc((total + 1) * sizeof *occ);
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; sr_of[j] && i < sr_of[j]->n_manifests; i++) {
            occ[k].digest = sr_of[j]->manifests[i].digest;
            occ[k].snap = (uint32_t)j;
            occ[k++].index = (uint32_t)i;
        }
    qsort(occ, total, sizeof *occ, occurrence_cmp);
    *cnt = total;
    return occ;
}

/* The first pass over one merged repository's occurrences: each manifest's facts and which
 * snapshots hold it (s->held[r]). The latest occurrence wins, but the first gives the push
 * (createdTime), when it could be read. Leaves where the latest occurrence is, per manifest. */
static void merge_facts(struct snapshot_set *s, size_t r, const struct repo *const *sr_of,
                        const struct occurrence *occ, size_t cnt, uint32_t *latest_snap, uint32_t *latest_idx)
{
    struct repo *mr = &s->merged->repos[r];
    size_t m_i = 0;
    for (size_t i = 0; i < cnt; i++) {
        bool first = i == 0 || digest_cmp(&occ[i].digest, &occ[i - 1].digest);
        if (first && i) m_i++;
        const struct manifest *src = &sr_of[occ[i].snap]->manifests[occ[i].index];
        struct manifest *dst = &mr->manifests[m_i];
        if (first) {
            *dst = *src;
        } else {
            int64_t created = dst->created_ns;
            uint8_t cstate = dst->created_state;
            const char *craw = dst->created_raw;
            *dst = *src;
            if (cstate == TIME_OK) {
                dst->created_ns = created;
                dst->created_state = cstate;
                dst->created_raw = craw;
            }
        }
        s->held[r][m_i] |= UINT64_C(1) << occ[i].snap;
        latest_snap[m_i] = occ[i].snap;
        latest_idx[m_i] = occ[i].index;
    }
}

/* A merged repository's tags: those of the latest snapshot that has the repository. */
static void take_latest_tags(struct model *mm, struct repo *mr, const struct repo *const *sr_of, size_t n)
{
    const struct repo *lr = NULL;
    for (size_t j = n; j-- > 0 && !lr;) lr = sr_of[j];
    mr->tags = arena_alloc(&mm->arena, (lr ? lr->n_tags : 0) * sizeof *mr->tags);
    for (size_t t = 0; lr && t < lr->n_tags; t++) {
        mr->tags[mr->n_tags] = lr->tags[t];
        mr->tags[mr->n_tags].manifest = model_find_manifest(mr, &lr->manifests[lr->tags[t].manifest].digest);
        mr->n_tags++;
    }
}

/* Merged repository r, named `name`, from every snapshot that has it: one manifest per digest. */
static void merge_repo(struct snapshot_set *s, size_t r, const char *name)
{
    struct model *mm = s->merged;
    struct repo *mr = &mm->repos[r];
    mr->name = name;
    const struct repo *sr_of[SNAPSHOT_MAX] = {0};
    for (size_t j = 0; j < s->n; j++) sr_of[j] = model_find_repo(s->snap[j], name);
    size_t cnt;
    struct occurrence *occ = sorted_occurrences(sr_of, s->n, &cnt);
    size_t nm = 0;
    for (size_t i = 0; i < cnt; i++)
        if (!nm || digest_cmp(&occ[i].digest, &occ[i - 1].digest)) nm++;
    mr->manifests = arena_alloc(&mm->arena, nm * sizeof *mr->manifests);
    mr->n_manifests = nm;
    s->held[r] = xcalloc(nm + 1, sizeof **s->held);
    uint32_t *latest_snap = xmalloc((nm + 1) * sizeof *latest_snap), *latest_idx = xmalloc((nm + 1) * sizeof *latest_idx);
    merge_facts(s, r, sr_of, occ, cnt, latest_snap, latest_idx);
    /* second pass: blobs, children and subject, now that digests can be looked up */
    for (size_t i = 0; i < nm; i++) {
        const struct model *sm = s->snap[latest_snap[i]];
        const struct repo *sr = sr_of[latest_snap[i]];
        struct manifest *dst = &mr->manifests[i];
        dst->subject = MODEL_NO_MANIFEST;
        remap_manifest(mm, mr, dst, sm, sr, &sr->manifests[latest_idx[i]]);
    }
    take_latest_tags(mm, mr, sr_of, s->n);
    mm->n_manifests += mr->n_manifests;
    mm->n_tags += mr->n_tags;
    free(occ);
    free(latest_snap);
    free(latest_idx);
}

int snapshot_set_build(struct model **snaps, size_t n, struct snapshot_set **out, struct diag *d)
{
    int rc = check_snapshots(snaps, n, d);
    if (rc != PS_OK) return rc;
    struct snapshot_set *s = xcalloc(1, sizeof *s);
    s->n = n;
    memcpy(s->snap, snaps, n * sizeof *snaps);
    const struct model *last = snaps[n - 1];
    struct model *mm = s->merged = model_new();
    mm->registry = last->registry;
    mm->sku = last->sku;
    mm->setup = last->setup;   /* the purge setup in force: the latest snapshot's */
    mm->exported_at_ns = last->exported_at_ns;
    mm->has_exported_at = true;

    size_t u;
    const char **names = union_of_repo_names(snaps, n, &u);
    mm->n_repos = mm->cap_repos = u;
    mm->repos = xcalloc(u + 1, sizeof *mm->repos);
    s->held = xcalloc(u + 1, sizeof *s->held);
    map_repos(s, names, u);
    for (size_t r = 0; r < u; r++) merge_repo(s, r, names[r]);
    free(names);
    for (size_t j = 0; j < n; j++) {
        const struct model_oddities *o = &snaps[j]->odd;
        mm->odd.bad_times += o->bad_times;
        mm->odd.missing_times += o->missing_times;
        mm->odd.missing_media += o->missing_media;
        mm->odd.missing_attrs += o->missing_attrs;
        mm->odd.tags_from_manifests += o->tags_from_manifests;
    }
    *out = s;
    return PS_OK;
}

void snapshot_set_free(struct snapshot_set *s)
{
    if (!s) return;
    for (size_t r = 0; s->merged && r < s->merged->n_repos; r++) free(s->held[r]);
    free(s->held);
    for (size_t j = 0; j < s->n; j++) {
        free(s->repo_of[j]);
        model_free(s->snap[j]);
    }
    free(s->repo_of);
    model_free(s->merged);
    free(s);
}
