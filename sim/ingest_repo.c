/* ingest_repo.c - a repository staged while its files are read, then checked and built into
 * the model: duplicates dropped, children, subjects, bodies and tags resolved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

/* ---- staged repositories ---------------------------------------------------------- */

void stage_repo_trim(struct stage_repo *r)
{
    free(r->man);
    free(r->tags);
    free(r->bodies);
    r->man = NULL;
    r->tags = NULL;
    r->bodies = NULL;
    r->n_man = r->cap_man = r->n_tags = r->cap_tags = r->n_bodies = r->cap_bodies = 0;
    arena_free_all(&r->own);
}

void stage_repo_free(struct stage_repo *r)
{
    stage_repo_trim(r);
    free(r->name);
    free(r->path);
    free(r);
}

struct stage_repo *stage_repo_new(const char *name, const char *file, const char *path, struct arena *shared)
{
    struct stage_repo *r = xcalloc(1, sizeof *r);
    r->scratch = shared ? shared : &r->own;
    r->name = name ? strdup(name) : NULL;
    r->file = file;
    r->path = strdup(path ? path : "");
    if ((name && !r->name) || !r->path) {
        fputs("purgesim: out of memory\n", stderr);
        abort();
    }
    return r;
}
struct stage_repo *ingest_pending_repo(struct ingest *in, const char *name, const char *file,
                                      const char *path)
{
    for (struct stage_repo *r = in->pending; r; r = r->next)
        if ((!name && !r->name) || (name && r->name && !strcmp(r->name, name))) return r;
    struct stage_repo *r = stage_repo_new(name, file, path, &in->raw_scratch);
    r->next = in->pending;
    in->pending = r;
    return r;
}

/* ---- checking ----------------------------------------------------------------------- */

static int stage_manifest_cmp(const void *a, const void *b)
{
    const struct stage_manifest *x = a, *y = b;
    int c = digest_cmp(&x->m.digest, &y->m.digest);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int stage_tag_cmp(const void *a, const void *b)
{
    const struct stage_tag *x = a, *y = b;
    int c = strcmp(x->t.name, y->t.name);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* qsort, skipped when the array is in strictly increasing order already (then it is the one
 * order qsort could give): az lists manifests by digest and tags by name, so the check usually
 * spares a sort that cost 3% of ingest's instructions. */
static void sort_unless_sorted(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    const char *a = base;
    size_t i = 1;
    while (i < n && cmp(a + (i - 1) * size, a + i * size) < 0) i++;
    if (i < n) qsort(base, n, size, cmp);
}

/* A tag name read from a manifest's "tags" (fallback when no show-tags list is given). */
struct fb_tag {
    const char *name;
    size_t index;              /* the manifest's index in its array */
    uint32_t man, k;           /* the stage manifest, and the name's index in its "tags" */
};

static int fb_tag_cmp(const void *a, const void *b)
{
    const struct fb_tag *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    if (x->man != y->man) return x->man < y->man ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static bool str_eq_null(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcmp(a, b);
}

static bool same_manifest(const struct stage_manifest *a, const struct stage_manifest *b)
{
    return a->m.size_bytes == b->m.size_bytes && a->m.created_state == b->m.created_state &&
           a->m.created_ns == b->m.created_ns && a->m.updated_state == b->m.updated_state &&
           a->m.updated_ns == b->m.updated_ns && str_eq_null(a->media_raw, b->media_raw) &&
           a->m.delete_enabled == b->m.delete_enabled && a->m.write_enabled == b->m.write_enabled;
}

static uint32_t *resolve_children(struct model *m, const struct repo *rp, const struct digest *ds,
                                  uint32_t n, uint32_t *n_out)
{
    uint32_t *idx = arena_alloc(&m->arena, (size_t)n * sizeof *idx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = model_find_manifest(rp, &ds[i]);
        if (j == MODEL_NO_MANIFEST) m->odd.dangling_children++;
        else idx[k++] = j;
    }
    *n_out = k;
    return idx;
}

static char *repo_label(const struct stage_repo *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s", r->path && *r->path ? r->path : (r->name ? r->name : ""));
    return buf;
}

int ingest_check_repo_name(struct diag *d, const struct stage_repo *r)
{
    char lbl[PATH_CAP], np[PATH_CAP + 8];
    if (r->line && !r->name) {   /* a bundle repository */
        diag_error(d, r->file, r->line, r->col, r->path, "repository has no \"name\"");
        return ERR_INPUT;
    }
    snprintf(np, sizeof np, "%s.name", r->path);
    if (r->line && !*r->name) {
        diag_error(d, r->file, r->name_line, r->name_col, np, "repository name is empty");
        return ERR_INPUT;
    }
    if (!r->name || !*r->name) {
        diag_error(d, r->file, 0, 0, repo_label(r, lbl, sizeof lbl),
                   "repository has no name (give --repo for raw az output)");
        return ERR_INPUT;
    }
    return PS_OK;
}

int ingest_check_repo_unique(const struct model *m, struct diag *d, const struct stage_repo *r)
{
    if (!model_find_repo(m, r->name)) return PS_OK;
    char lbl[PATH_CAP], np[PATH_CAP + 8];
    snprintf(np, sizeof np, "%s.name", r->path);
    diag_error(d, r->file, r->name_line, r->name_col, r->line ? np : repo_label(r, lbl, sizeof lbl),
               "repository \"%s\" appears twice", r->name);
    return ERR_INPUT;
}

/* Sorted as they come, so that lookups stay valid while later repositories are read. */
void ingest_add_repo(struct model *m, const struct repo *rp)
{
    xgrow((void **)&m->repos, &m->cap_repos, m->n_repos + 1, sizeof *m->repos);
    m->repos[m->n_repos++] = *rp;
    for (size_t i = m->n_repos - 1; i > 0 && strcmp(m->repos[i - 1].name, m->repos[i].name) > 0; i--) {
        struct repo tmp = m->repos[i];
        m->repos[i] = m->repos[i - 1];
        m->repos[i - 1] = tmp;
    }
    m->n_manifests += rp->n_manifests;
    m->n_tags += rp->n_tags;
}


/* ---- building: one step after another ---------------------------------------------- */

/* Sorts the manifests by digest and drops exact duplicates (a manifest listed in two files);
 * duplicates that differ are errors, each reported. */
static int drop_duplicate_manifests(struct diag *d, struct stage_repo *r)
{
    int rc = PS_OK;
    sort_unless_sorted(r->man, r->n_man, sizeof *r->man, stage_manifest_cmp);
    size_t w = 0;
    for (size_t i = 0; i < r->n_man; i++) {
        if (w && !digest_cmp(&r->man[w - 1].m.digest, &r->man[i].m.digest)) {
            if (!same_manifest(&r->man[w - 1], &r->man[i])) {
                char dg[80];
                diag_error(d, r->man[i].file, r->man[i].line, r->man[i].col, r->man[i].path,
                           "digest %s appears twice in repository \"%s\" with different contents",
                           digest_format(&r->man[i].m.digest, dg, sizeof dg), r->name);
                rc = ERR_INPUT;
            }
            continue;
        }
        r->man[w++] = r->man[i];
    }
    r->n_man = w;
    return rc;
}

/* The repository's name and manifests in the model's arena (layers lived in the scratch
 * arena until now). */
static void copy_manifests(struct model *m, const struct stage_repo *r, struct repo *rp)
{
    rp->name = arena_strndup(&m->arena, r->name, strlen(r->name));
    rp->n_manifests = r->n_man;
    rp->manifests = arena_alloc(&m->arena, r->n_man * sizeof *rp->manifests);
    for (size_t i = 0; i < r->n_man; i++) {
        rp->manifests[i] = r->man[i].m;
        if (r->man[i].has_layers) {
            uint32_t *l = arena_alloc(&m->arena, r->man[i].m.n_layers * sizeof *l);
            memcpy(l, r->man[i].m.layers, r->man[i].m.n_layers * sizeof *l);
            rp->manifests[i].layers = l;
            rp->manifests[i].layers_known = true;
        }
    }
}

/* Children (an index's "references") and subjects as manifest indexes, once every manifest
 * of the repository is known. */
static void link_manifests(struct model *m, const struct stage_repo *r, struct repo *rp)
{
    for (size_t i = 0; i < r->n_man; i++) {
        const struct stage_manifest *sm = &r->man[i];
        struct manifest *mf = &rp->manifests[i];
        if (sm->has_references)
            mf->children = resolve_children(m, rp, sm->child_digests, sm->n_child_digests,
                                            &mf->n_children);
        if (sm->has_subject_digest) {
            mf->has_subject = true;
            mf->subject = model_find_manifest(rp, &sm->subject_digest);
        }
    }
}

/* What the manifest bodies (bodies.json) say replaces what the listing said. */
static void apply_bodies(struct model *m, const struct stage_repo *r, struct repo *rp)
{
    for (size_t i = 0; i < r->n_bodies; i++) {
        const struct stage_body *b = &r->bodies[i];
        uint32_t j = model_find_manifest(rp, &b->digest);
        if (j == MODEL_NO_MANIFEST) {
            m->odd.bodies_without_manifest++;
            continue;
        }
        struct manifest *mf = &rp->manifests[j];
        if (b->has_children)
            mf->children = resolve_children(m, rp, b->child_digests, b->n_child_digests,
                                            &mf->n_children);
        if (b->has_subject_digest) {
            mf->has_subject = true;
            mf->subject = model_find_manifest(rp, &b->subject_digest);
        }
        if (b->has_layers) {
            uint32_t *l = arena_alloc(&m->arena, b->n_layers * sizeof *l);
            memcpy(l, b->layers, b->n_layers * sizeof *l);
            mf->layers = l;
            mf->n_layers = b->n_layers;
            mf->layers_known = true;
        }
    }
}

/* The tags from the show-tags list, sorted by name: each must point at a manifest of the
 * repository, and a name listed twice must point at the same one. */
static int tags_from_list(struct model *m, struct diag *d, struct stage_repo *r, struct repo *rp)
{
    int rc = PS_OK;
    sort_unless_sorted(r->tags, r->n_tags, sizeof *r->tags, stage_tag_cmp);
    rp->tags = arena_alloc(&m->arena, r->n_tags * sizeof *rp->tags);
    for (size_t i = 0; i < r->n_tags; i++) {
        struct stage_tag *st = &r->tags[i];
        char p[PATH_CAP + 48], dg[80];
        snprintf(p, sizeof p, "%s[%zu].digest", st->list, st->index);
        st->t.manifest = model_find_manifest(rp, &st->digest);
        if (st->t.manifest == MODEL_NO_MANIFEST) {
            size_t line, col;
            ingest_ref_pos(st->file, &st->ref, ".digest", &line, &col);
            diag_error(d, st->file, line, col, p,
                       "tag \"%s\" points at %s, which no manifest of \"%s\" has", st->t.name,
                       digest_format(&st->digest, dg, sizeof dg), r->name);
            rc = ERR_INPUT;
            continue;
        }
        if (rp->n_tags && !strcmp(rp->tags[rp->n_tags - 1].name, st->t.name)) {
            if (rp->tags[rp->n_tags - 1].manifest != st->t.manifest) {
                snprintf(p, sizeof p, "%s[%zu].name", st->list, st->index);
                size_t line, col;
                ingest_ref_pos(st->file, &st->ref, ".name", &line, &col);
                diag_error(d, st->file, line, col, p,
                           "tag \"%s\" is listed twice with different digests", st->t.name);
                rc = ERR_INPUT;
            }
            continue;
        }
        rp->tags[rp->n_tags++] = st->t;
    }
    return rc;
}

/* Reports a tag name on two manifests where it is seen the second time. */
static void tag_on_two_manifests(struct diag *d, const struct stage_repo *r, const struct fb_tag *fb,
                                 uint32_t first)
{
    const struct stage_manifest *sm = &r->man[fb->man];
    char p[PATH_CAP + 32], rel[32];
    size_t line, col;
    snprintf(p, sizeof p, "%s.tags[%u]", sm->path, fb->k);
    snprintf(rel, sizeof rel, ".tags[%u]", fb->k);
    ingest_ref_pos(sm->file, &sm->ref, rel, &line, &col);
    diag_error(d, sm->file, line, col, p, "tag \"%s\" is on two manifests (also on %s)", fb->name,
               r->man[first].path);
}

/* No show-tags list: the tags are the manifests' tag names, with the manifest's times and
 * locks. Sorted by name, then in file order, so a name on two manifests is reported where it
 * is seen the second time. */
static int tags_from_manifests(struct model *m, struct diag *d, const struct stage_repo *r, struct repo *rp)
{
    int rc = PS_OK;
    size_t n = 0, nf = 0;
    for (size_t i = 0; i < r->n_man; i++) n += r->man[i].n_tag_names;
    struct fb_tag *fb = xcalloc(n ? n : 1, sizeof *fb);
    for (size_t i = 0; i < r->n_man; i++)
        for (uint32_t k = 0; k < r->man[i].n_tag_names; k++)
            fb[nf++] = (struct fb_tag){r->man[i].tag_names[k], r->man[i].index, (uint32_t)i, k};
    if (nf > 1) qsort(fb, nf, sizeof *fb, fb_tag_cmp);
    rp->tags = arena_alloc(&m->arena, n * sizeof *rp->tags);
    for (size_t j = 0; j < nf; j++) {
        const struct stage_manifest *sm = &r->man[fb[j].man];
        if (rp->n_tags && !strcmp(rp->tags[rp->n_tags - 1].name, fb[j].name)) {
            uint32_t first = rp->tags[rp->n_tags - 1].manifest;
            if (first != fb[j].man) {   /* twice on one manifest is harmless */
                tag_on_two_manifests(d, r, &fb[j], first);
                rc = ERR_INPUT;
            }
            continue;
        }
        struct tag *t = &rp->tags[rp->n_tags++];
        memset(t, 0, sizeof *t);
        t->name = arena_strndup(&m->arena, fb[j].name, strlen(fb[j].name));
        t->manifest = fb[j].man;
        t->created_ns = sm->m.created_ns;
        t->updated_ns = sm->m.updated_ns;
        t->updated_state = sm->m.updated_state;
        t->updated_raw = sm->m.updated_state == TIME_MISSING ? "" : sm->m.updated_raw;
        t->delete_enabled = sm->m.delete_enabled;
        t->write_enabled = sm->m.write_enabled;
    }
    m->odd.tags_from_manifests += n;
    free(fb);
    return rc;
}

int ingest_build_repo(struct ingest *in, struct stage_repo *r, struct repo *out)
{
    struct model *m = in->m;
    int rc = drop_duplicate_manifests(in->d, r);
    if (rc != PS_OK) return rc;
    struct repo rp;
    memset(&rp, 0, sizeof rp);
    copy_manifests(m, r, &rp);
    link_manifests(m, r, &rp);
    apply_bodies(m, r, &rp);
    rc = r->tags_given ? tags_from_list(m, in->d, r, &rp) : tags_from_manifests(m, in->d, r, &rp);
    if (rc != PS_OK) return rc;
    *out = rp;
    return PS_OK;
}

int ingest_resolve_repo(struct ingest *in, struct stage_repo *r)
{
    struct repo rp;
    int rc = ingest_check_repo_name(in->d, r);
    if (rc == PS_OK) rc = ingest_check_repo_unique(in->m, in->d, r);
    if (rc == PS_OK) rc = ingest_build_repo(in, r, &rp);
    if (rc == PS_OK) ingest_add_repo(in->m, &rp);
    return rc;
}
