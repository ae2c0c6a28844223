/* purge.c - one acr purge run: tag phase, manifest phase, keep, locks, indexes, referrers
 * (sim/RULES.md §4). */
#include "purge.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "timeu.h"

#define TAG_PAGE_SIZE 100   /* acr-cli reads tags 100 per page and prints page by page */

static void emit(struct purge_result *r, enum purge_event_kind kind, size_t repo, uint32_t item)
{
    xgrow((void **)&r->ev, &r->cap_ev, r->n_ev + 1, sizeof *r->ev);
    r->ev[r->n_ev].kind = (uint8_t)kind;
    r->ev[r->n_ev].repo = (uint32_t)repo;
    r->ev[r->n_ev].item = item;
    r->n_ev++;
}

static void fail(struct purge_result *r, const char *phase, const char *what)
{
    r->failed = true;
    snprintf(r->error, sizeof r->error, "%s%s", phase, what);
}

/* Go's time.Duration.String() for whole seconds: "1m0s", "1h0m0s", "30s". */
static void go_seconds(long long s, char *buf, size_t n)
{
    if (s >= 3600) snprintf(buf, n, "%lldh%lldm%llds", s / 3600, s % 3600 / 60, s % 60);
    else if (s >= 60) snprintf(buf, n, "%lldm%llds", s / 60, s % 60);
    else snprintf(buf, n, "%llds", s);
}

/* Sorts n indexes by cmp, a total order (ties are broken by a unique name or digest), so
 * any correct sort gives the same order. Most views of a replayed run hold a handful of tags
 * or candidates: an insertion sort costs less there than qsort_r's set-up and calls. */
static void sort_indexes(uint32_t *v, size_t n, int (*cmp)(const void *, const void *, void *), void *ctx)
{
    if (n > 24) {
        qsort_r(v, n, sizeof *v, cmp, ctx);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && cmp(&x, &v[j - 1], ctx) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* The key whose ascending (signed) order is the times' newest-first order: the time's bits,
 * order-preserving as unsigned, complemented, back to signed. */
static int64_t newest_first_key(int64_t t)
{
    const uint64_t sign = (uint64_t)1 << 63;
    return (int64_t)(~((uint64_t)t ^ sign) ^ sign);
}

static void keyed_reserve(struct purge_scratch *sc, size_t n)
{
    if (n <= sc->cap_keyed) return;
    size_t cap = sc->cap_keyed ? sc->cap_keyed : 64;
    while (cap < n) cap *= 2;
    free(sc->keyed);
    free(sc->keyed_tmp);
    sc->keyed = xmalloc(cap * sizeof *sc->keyed);
    sc->keyed_tmp = xmalloc(cap * sizeof *sc->keyed_tmp);
    sc->cap_keyed = cap;
}

/* Sorts v by key, ascending (ties in any order: the caller orders them): insertion sort in
 * blocks of KEYED_RUN, then merges of doubling width between v and tmp. The keys are
 * compared in place, with no comparator call, which is what makes it worth having. */
#define KEYED_RUN 16

static void keyed_sort(struct purge_keyed *v, size_t n, struct purge_keyed *tmp)
{
    for (size_t a = 0; a < n; a += KEYED_RUN) {
        size_t b = a + KEYED_RUN < n ? a + KEYED_RUN : n;
        for (size_t i = a + 1; i < b; i++) {
            struct purge_keyed x = v[i];
            size_t j = i;
            while (j > a && v[j - 1].key > x.key) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    }
    struct purge_keyed *src = v, *dst = tmp;
    for (size_t width = KEYED_RUN; width < n; width *= 2) {
        for (size_t a = 0; a < n; a += 2 * width) {
            size_t mid = a + width < n ? a + width : n, end = a + 2 * width < n ? a + 2 * width : n;
            size_t i = a, j = mid, o = a;
            while (i < mid && j < end) dst[o++] = src[j].key < src[i].key ? src[j++] : src[i++];
            while (i < mid) dst[o++] = src[i++];
            while (j < end) dst[o++] = src[j++];
        }
        struct purge_keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Both phases order newest first, ties (equal times) by a unique name or digest, the
 * unreadable times last by name or digest: cmp says exactly that. sc->keyed[0 .. n_ok) holds
 * the readable ones with newest_first_key() of their time, v[n_ok .. n) the others. Sorting
 * by the key first compares names or digests only where times are equal, and calls no
 * comparator per comparison; the result is the order cmp gives. */
static void order_newest_first(struct purge_scratch *sc, uint32_t *v, size_t n_ok, size_t n,
                               int (*cmp)(const void *, const void *, void *), void *ctx)
{
    struct purge_keyed *kv = sc->keyed;
    keyed_sort(kv, n_ok, sc->keyed_tmp);
    for (size_t k = 0; k < n_ok; k++) v[k] = kv[k].index;
    for (size_t a = 0, b; a < n_ok; a = b) {
        for (b = a + 1; b < n_ok && kv[b].key == kv[a].key;) b++;
        if (b - a > 1) sort_indexes(v + a, b - a, cmp, ctx);
    }
    sort_indexes(v + n_ok, n - n_ok, cmp, ctx);
}

/* ---- tag phase -------------------------------------------------------------------- */

/* Newest tag time first, ties by name; unreadable times last (by name). qsort_r keeps the
 * engine free of globals, so runs can go on in parallel threads. */
static int tag_order_cmp(const void *a, const void *b, void *ctx)
{
    const struct tag *tags = ctx;
    const struct tag *x = &tags[*(const uint32_t *)a], *y = &tags[*(const uint32_t *)b];
    bool xo = x->updated_state == TIME_OK, yo = y->updated_state == TIME_OK;
    if (xo != yo) return xo ? -1 : 1;
    if (xo && x->updated_ns != y->updated_ns) return x->updated_ns > y->updated_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

static char *merged_tag_regex(const struct purge_rule *rule, const bool *matched_by)
{
    size_t len = 1;
    for (size_t f = 0; f < rule->n_filters; f++)
        if (matched_by[f]) len += strlen(rule->filters[f].tag_re) + 1;
    char *s = xmalloc(len), *p = s;
    bool first = true;
    for (size_t f = 0; f < rule->n_filters; f++) {
        if (!matched_by[f]) continue;
        if (!first) *p++ = '|';
        size_t k = strlen(rule->filters[f].tag_re);
        memcpy(p, rule->filters[f].tag_re, k);
        p += k;
        first = false;
    }
    *p = '\0';
    return s;
}

/* The tag regex of the repositories of one run: acr purge builds it per repository from the
 * filters that selected the repository, which are mostly the same filters, so the compiled
 * regex and its match state are kept while the text stays the same. */
struct tag_regex {
    char *text;
    void *code;                /* NULL when the text did not compile */
    struct purgecmd_matcher *matcher;
    bool matches_all;          /* ".*": unanchored, it matches every name (if only the empty
                                  string at its start), so PCRE2 need not be asked */
    char err[600];
};

bool purge_name_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return false;
    return true;
}

static void tag_regex_set(struct tag_regex *tr, char *text)
{
    if (tr->text && !strcmp(tr->text, text)) {
        free(text);
        return;
    }
    free(tr->text);
    purgecmd_matcher_free(tr->matcher);
    if (tr->code) purgecmd_regex_free(tr->code);
    tr->text = text;
    tr->code = purgecmd_compile_regex(text, tr->err, sizeof tr->err);
    tr->matcher = tr->code ? purgecmd_matcher_new(tr->code) : NULL;
    tr->matches_all = tr->code && !strcmp(text, ".*");
}

static void tag_regex_free(struct tag_regex *tr)
{
    free(tr->text);
    purgecmd_matcher_free(tr->matcher);
    if (tr->code) purgecmd_regex_free(tr->code);
}

/* Returns false when the run fails. Marks deleted tags in tag_deleted. */
static bool tag_phase(const struct purge_view *v, size_t ri, const struct purge_rule *rule,
                      const struct tag_regex *tr, int64_t cutoff, struct purge_scratch *sc, bool *tag_deleted,
                      struct purge_result *out)
{
    const struct tag *tags = v->tags;
    const size_t n_tags = v->n_tags;
    emit(out, PEV_TAGS_HEADER, ri, 0);
    if (rule->ago_error) {   /* 0.16/0.17 parse --ago here, per repository */
        fail(out, "failed to purge tags: ", rule->ago_err);
        return false;
    }
    if (!tr->code) {
        char what[700];
        snprintf(what, sizeof what, "failed to build Regex <nil> with error: %s", tr->err);
        fail(out, "failed to purge tags: ", what);
        return false;
    }
    uint32_t *order = sc->tag_order;
    keyed_reserve(sc, n_tags);
    size_t n_ok = 0, n_bad = n_tags;
    for (size_t i = n_tags; i-- > 0;) {   /* the unreadable ones fill order[] from its end */
        if (tags[i].updated_state == TIME_OK)
            sc->keyed[n_ok++] = (struct purge_keyed){newest_first_key(tags[i].updated_ns), (uint32_t)i, 0};
        else
            order[--n_bad] = (uint32_t)i;
    }
    order_newest_first(sc, order, n_ok, n_tags, tag_order_cmp, (void *)tags);

    bool ok = true;
    long long kept = 0;
    size_t counted = 0;
    uint32_t page_del[TAG_PAGE_SIZE];
    for (size_t start = 0; start < n_tags && ok; start += TAG_PAGE_SIZE) {
        size_t end = start + TAG_PAGE_SIZE < n_tags ? start + TAG_PAGE_SIZE : n_tags;
        size_t n_del = 0;
        for (size_t k = start; k < end; k++) {
            const struct tag *t = &tags[order[k]];
            int mt = tr->matches_all ? 1 : purgecmd_matcher_match(tr->matcher, t->name);
            if (mt < 0) {
                char what[600], dur[32];
                go_seconds(rule->filter_timeout_seconds, dur, sizeof dur);
                snprintf(what, sizeof what, "match timeout after %s on input `%s`", dur, t->name);
                fail(out, "failed to purge tags: ", what);
                ok = false;
                break;
            }
            if (!mt) continue;
            if (t->updated_state != TIME_OK) {
                /* acr-cli aborts the whole purge on a matching tag it cannot read */
                struct timeu_error te;
                int64_t ignored;
                const char *raw = t->updated_raw ? t->updated_raw : "";
                if (timeu_parse_rfc3339(raw, strlen(raw), &ignored, &te)) snprintf(te.text, sizeof te.text, "parsing time \"%s\"", raw);
                fail(out, "failed to purge tags: ", te.text);
                ok = false;
                break;
            }
            if (!purge_tag_old_enough(t->updated_ns, cutoff)) continue;
            if (!rule->include_locked && tag_is_locked(t)) continue;
            if (kept < rule->keep) {
                kept++;
                continue;
            }
            page_del[n_del++] = order[k];
        }
        if (!ok) break;   /* the failing page prints nothing */
        for (size_t k = 0; k < n_del; k++) {
            emit(out, PEV_TAG, ri, page_del[k]);
            tag_deleted[page_del[k]] = true;
        }
        counted += n_del;
    }
    if (ok) out->tags_counted += counted;
    return ok;
}

/* ---- manifest phase ------------------------------------------------------------- */

static bool body_lists_children(const struct manifest *mf)
{
    /* acr-cli reads the body of a protected index, list, or manifest without a mediaType */
    return media_is_index(mf->media) || mf->media == MEDIA_NONE;
}

/* Whether a manifest that is a deletion candidate goes into the deletion list: not without a
 * mediaType (noted instead), not a referrer (purge never deletes one), not an OCI index with
 * a subject and no children. */
static bool listed_if_candidate(const struct manifest *mf)
{
    if (mf->media == MEDIA_NONE) return false;
    if ((mf->media == MEDIA_OCI_MANIFEST || mf->media == MEDIA_OCI_ARTIFACT) && mf->has_subject) return false;
    if (mf->media == MEDIA_OCI_INDEX && mf->has_subject && !mf->n_children) return false;
    return true;
}

uint8_t purge_manifest_brief(const struct manifest *mf)
{
    unsigned b = 0;
    if (mf->subject != MODEL_NO_MANIFEST) b |= PURGE_BRIEF_REFERRER;
    if (media_is_index(mf->media)) b |= PURGE_BRIEF_INDEX;
    if (manifest_is_locked(mf)) b |= PURGE_BRIEF_LOCKED;
    if (mf->updated_state == TIME_MISSING) b |= PURGE_BRIEF_UPD_MISSING;
    if (mf->updated_state == TIME_BAD) b |= PURGE_BRIEF_UPD_BAD;
    if (body_lists_children(mf)) b |= PURGE_BRIEF_LISTS_CHILDREN;
    if (mf->media == MEDIA_OCI_INDEX && mf->has_subject && mf->n_children) b |= PURGE_BRIEF_SUBJECT_INDEX;
    if (!listed_if_candidate(mf)) b |= PURGE_BRIEF_NOT_LISTED;
    return (uint8_t)b;
}

/* Manifest i's children (*n of them): from the view's packed lists where it has them, which
 * lie together for a repository, where each manifest's record and its own list are a cache
 * miss each. */
static inline const uint32_t *children_of(const struct purge_view *v, uint32_t i, uint32_t *n)
{
    if (v->child_start) {
        *n = v->child_start[i + 1] - v->child_start[i];
        return v->child + v->child_start[i];
    }
    *n = v->repo->manifests[i].n_children;
    return v->repo->manifests[i].children;
}

/* Marks every descendant of index `i` protected (iteratively: indexes can nest). Each mark is
 * noted in sc->touched so the scratch can be cleared without a pass over the repository.
 * Whether a child is an index is read from the view's brief where it has one: a byte array
 * in cache, where the child's record is a cache miss of its own. */
static void protect_descendants(const struct purge_view *v, uint32_t i, struct purge_scratch *sc, size_t *n_touched)
{
    const struct repo *rp = v->repo;
    size_t sp = 0;
    sc->stack[sp++] = i;
    while (sp) {
        uint32_t n_children;
        const uint32_t *children = children_of(v, sc->stack[--sp], &n_children);
        for (uint32_t c = 0; c < n_children; c++) {
            uint32_t ch = children[c];
            if (sc->prot[ch]) continue;
            sc->prot[ch] = 1;
            sc->touched[(*n_touched)++] = ch;
            if (v->brief ? (v->brief[ch] & PURGE_BRIEF_INDEX) != 0 : media_is_index(rp->manifests[ch].media))
                sc->stack[sp++] = ch;
        }
    }
}

/* The arrays sized by a repository's manifests (the per-tag ones are sized apart). */
static void free_manifest_arrays(struct purge_scratch *sc)
{
    free(sc->tags_left);
    free(sc->stack);
    free(sc->list);
    free(sc->touched);
    free(sc->cands);
    free(sc->refs);
    free(sc->idxs);
    free(sc->prot);
    free(sc->cand);
    free(sc->del);
}

static void scratch_reserve(struct purge_scratch *sc, size_t n)
{
    if (n <= sc->cap) return;
    size_t cap = sc->cap ? sc->cap : 64;
    while (cap < n) cap *= 2;
    /* fresh zeroed arrays: everything stays zero between runs */
    free_manifest_arrays(sc);
    sc->tags_left = xcalloc(cap, sizeof *sc->tags_left);
    sc->stack = xmalloc((cap + 1) * sizeof *sc->stack);
    sc->list = xmalloc((cap + 1) * sizeof *sc->list);
    sc->touched = xmalloc((cap + 1) * sizeof *sc->touched);
    sc->cands = xmalloc((cap + 1) * sizeof *sc->cands);
    sc->refs = xmalloc((cap + 1) * sizeof *sc->refs);
    sc->idxs = xmalloc((cap + 1) * sizeof *sc->idxs);
    sc->prot = xcalloc(cap, 1);
    sc->cand = xcalloc(cap, 1);
    sc->del = xcalloc(cap, 1);
    sc->cap = cap;
}

/* Room for one view's tags in the tag phase's arrays (tag_deleted all false). */
static void tags_reserve(struct purge_scratch *sc, size_t n)
{
    if (n + 1 <= sc->cap_tags) return;
    size_t cap = sc->cap_tags ? sc->cap_tags : 64;
    while (cap < n + 1) cap *= 2;
    free(sc->tag_order);
    free(sc->tag_deleted);
    sc->tag_order = xmalloc(cap * sizeof *sc->tag_order);
    sc->tag_deleted = xcalloc(cap, sizeof *sc->tag_deleted);
    sc->cap_tags = cap;
}

void purge_scratch_free(struct purge_scratch *sc)
{
    if (!sc) return;
    free_manifest_arrays(sc);
    free(sc->tag_order);
    free(sc->tag_deleted);
    free(sc->keyed);
    free(sc->keyed_tmp);
    memset(sc, 0, sizeof *sc);
}

/* acr purge's "locked": either flag off, as the view has them now. */
static bool locked_now(const struct purge_view *v, uint32_t i)
{
    if (v->locks) return (v->locks[i] & 3u) != 3u;
    if (v->brief) return (v->brief[i] & PURGE_BRIEF_LOCKED) != 0;
    return manifest_is_locked(&v->repo->manifests[i]);
}

static unsigned brief_of(const struct purge_view *v, uint32_t i)
{
    return v->brief ? v->brief[i] : purge_manifest_brief(&v->repo->manifests[i]);
}

static int64_t updated_of(const struct purge_view *v, uint32_t i)
{
    if (v->updated_ns) return v->updated_ns[i];
    if (v->upd_pair) return purge_upd_pair_at(&v->upd_pair[i], v->upd_at_ns);
    return v->repo->manifests[i].updated_ns;
}

/* Newest manifest lastUpdateTime first, ties by digest. */
static int manifest_order_cmp(const void *a, const void *b, void *ctx)
{
    const struct purge_view *v = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const struct manifest *x = &v->repo->manifests[i], *y = &v->repo->manifests[j];
    bool xo = x->updated_state == TIME_OK, yo = y->updated_state == TIME_OK;
    if (xo != yo) return xo ? -1 : 1;
    int64_t xu = updated_of(v, i), yu = updated_of(v, j);
    if (xo && xu != yu) return xu > yu ? -1 : 1;
    return digest_cmp(&x->digest, &y->digest);
}

/* The present manifests, ascending: the view's list, or every manifest. */
#define FOR_PRESENT(v, k, i)                                                                       \
    for (size_t k = 0, n_it_ = (v)->present_list ? (v)->n_present : (v)->repo->n_manifests; k < n_it_; k++) \
        for (uint32_t i = (v)->present_list ? (v)->present_list[k] : (uint32_t)k, once_ = 1; once_; once_ = 0)

static void manifest_phase(const struct purge_view *v, size_t ri, const struct purge_rule *rule,
                           int64_t cutoff, const bool *tag_deleted, struct purge_scratch *sc,
                           struct purge_result *out)
{
    const struct repo *rp = v->repo;
    size_t n = rp->n_manifests;
    emit(out, PEV_MANIFESTS_HEADER, ri, 0);
    if (!n) return;
    scratch_reserve(sc, n);
    uint32_t *tags_left = sc->tags_left, *list = sc->list;
    uint8_t *prot = sc->prot, *cand = sc->cand, *del = sc->del;
    /* the passes after the first visit only the manifests they can act on, gathered by the
     * first in the same (digest) order: candidates, referrers (for the cascade) and indexes
     * (for the warnings) */
    uint32_t *cands = sc->cands, *refs = sc->refs, *idxs = sc->idxs;
    size_t n_cands = 0, n_refs = 0, n_idxs = 0, n_touched = 0;
    bool any_subject_index = false;
    for (size_t t = 0; t < v->n_tags; t++)
        if (!tag_deleted[t]) tags_left[v->tags[t].manifest]++;
    /* 0.16 and before: every untagged manifest goes whatever its age; 0.17 added the age
     * check (acr-cli PR #517) and 0.18 the second --keep (PR #489, with --untagged-only) */
    const bool age_applies = rule->version != ACR_CLI_0_16;
    const bool keep_applies = rule->version == ACR_CLI_CURRENT;

    /* listing pass, in digest order: locks, tags, age (§4.5-7) */
    FOR_PRESENT(v, k, i) {
        if (v->present && !v->present[i]) continue;
        const unsigned b = brief_of(v, i);
        if (b & PURGE_BRIEF_REFERRER) refs[n_refs++] = i;
        if (b & PURGE_BRIEF_INDEX) idxs[n_idxs++] = i;
        if (!rule->include_locked && locked_now(v, i)) continue;   /* protects nothing */
        bool protected_ = tags_left[i] > 0;
        if (!protected_ && age_applies) {
            if (b & PURGE_BRIEF_UPD_MISSING) {
                emit(out, PEV_PROTECT_UNAVAILABLE, ri, i);
                protected_ = true;
            } else if (b & PURGE_BRIEF_UPD_BAD) {
                emit(out, PEV_PROTECT_UNREADABLE, ri, i);
                protected_ = true;
            } else if (!purge_manifest_old_enough(updated_of(v, i), cutoff)) {
                protected_ = true;
            }
        }
        if (protected_) {
            if (b & PURGE_BRIEF_LISTS_CHILDREN) protect_descendants(v, i, sc, &n_touched);
            continue;
        }
        cand[i] = 1;
        cands[n_cands++] = i;
        if (b & PURGE_BRIEF_SUBJECT_INDEX) any_subject_index = true;
    }
    /* an untagged old OCI index with a subject goes, but its children stay (§4.9) */
    for (size_t k = 0; k < n_cands && any_subject_index; k++) {
        uint32_t i = cands[k];
        const struct manifest *mf = &rp->manifests[i];
        if (mf->media == MEDIA_OCI_INDEX && mf->has_subject && mf->n_children)
            protect_descendants(v, i, sc, &n_touched);
    }
    size_t n_list = 0;
    for (size_t k = 0; k < n_cands; k++) {
        uint32_t i = cands[k];
        const unsigned b = brief_of(v, i);
        if (b & PURGE_BRIEF_NOT_LISTED) {
            /* no mediaType: its body is read (LISTS_CHILDREN) though it is no index. Told by
             * the brief, not the record (a cache miss): most not listed are referrers */
            if ((b & PURGE_BRIEF_LISTS_CHILDREN) && !(b & PURGE_BRIEF_INDEX)) emit(out, PEV_NO_MEDIA, ri, i);
            continue;
        }
        if (prot[i]) continue;
        list[n_list++] = i;
    }
    keyed_reserve(sc, n_list);
    size_t n_ok = 0, n_bad = n_list;
    for (size_t k = n_list; k-- > 0;) {
        uint32_t i = list[k];
        if (!(brief_of(v, i) & (PURGE_BRIEF_UPD_MISSING | PURGE_BRIEF_UPD_BAD)))
            sc->keyed[n_ok++] = (struct purge_keyed){newest_first_key(updated_of(v, i)), i, 0};
        else
            list[--n_bad] = i;
    }
    order_newest_first(sc, list, n_ok, n_list, manifest_order_cmp, (void *)v);
    size_t first = 0;
    if (rule->keep > 0 && keep_applies) {
        /* keep applies again, to the manifests: N or fewer candidates -> none deleted */
        first = n_list <= (size_t)rule->keep ? n_list : (size_t)rule->keep;
        if (n_list) out->notes.repos_keep_twice++;
    }
    for (size_t k = first; k < n_list; k++) {
        emit(out, PEV_MANIFEST, ri, list[k]);
        del[list[k]] = 1;
    }
    out->manifests_counted += n_list - first;

    /* the registry deletes referrers of deleted manifests, recursively, locks or not */
    bool changed = n_list > first;
    while (changed) {
        changed = false;
        for (size_t k = 0; k < n_refs; k++) {
            uint32_t i = refs[k];
            if (del[i] || !del[v->subject ? v->subject[i] : rp->manifests[i].subject]) continue;
            del[i] = 2;
            emit(out, PEV_CASCADE, ri, i);
            changed = true;
        }
    }
    /* warnings: surviving indexes that lose children */
    for (size_t k = 0; k < n_idxs && n_list > first; k++) {
        if (del[idxs[k]]) continue;
        uint32_t n_children;
        const uint32_t *children = children_of(v, idxs[k], &n_children);
        bool loses = false;
        for (uint32_t c = 0; c < n_children && !loses; c++) loses = del[children[c]] != 0;
        if (!loses) continue;
        out->notes.indexes_with_deleted_children++;
        if (locked_now(v, idxs[k])) out->notes.locked_indexes_unprotecting++;
    }
    /* leave the scratch zeroed, touching only what this run touched */
    for (size_t t = 0; t < v->n_tags; t++) tags_left[v->tags[t].manifest] = 0;
    for (size_t k = 0; k < n_cands; k++) cand[cands[k]] = 0;
    for (size_t k = first; k < n_list; k++) del[list[k]] = 0;
    for (size_t k = 0; k < n_refs; k++) del[refs[k]] = 0;
    for (size_t t = 0; t < n_touched; t++) prot[sc->touched[t]] = 0;
}

/* ---- the run ---------------------------------------------------------------------- */

/* A run that deletes nothing (a replayed --dry-run task) keeps what it printed and how it
 * failed, but none of its deletions: the replay applies only deletion events. */
static void drop_deletions(struct purge_result *out)
{
    size_t k = 0;
    for (size_t i = 0; i < out->n_ev; i++) {
        uint8_t kind = out->ev[i].kind;
        if (kind == PEV_TAG || kind == PEV_MANIFEST || kind == PEV_CASCADE) continue;
        out->ev[k++] = out->ev[i];
    }
    out->n_ev = k;
    out->tags_counted = 0;
    out->manifests_counted = 0;
    bool no_repo = out->notes.no_repo_matched;
    memset(&out->notes, 0, sizeof out->notes);
    out->notes.no_repo_matched = no_repo;
}

int purge_run_views(const struct purge_view *views, size_t nr, const struct purge_rule *rule,
                    int64_t now_ns, struct purge_result *out)
{
    return purge_run_views_scratch(views, nr, rule, now_ns, NULL, out);
}

/* A view's present manifests are read at random (a repository's manifests are in digest
 * order, the present ones scattered among them): what the listing pass reads of each is asked
 * for while the repositories before it are worked on. A caller may have asked long before
 * (building the views), too long for it to be in cache still. */
#define VIEW_AHEAD 2
#define VIEW_AHEAD_ENTRIES 64

static inline __attribute__((always_inline)) void prefetch_view(const struct purge_view *v)
{
    if (!v->present_list) return;
    size_t n = v->n_present < VIEW_AHEAD_ENTRIES ? v->n_present : VIEW_AHEAD_ENTRIES;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = v->present_list[k];
        if (v->upd_pair) __builtin_prefetch(&v->upd_pair[i]);
        else if (v->updated_ns) __builtin_prefetch(&v->updated_ns[i]);
        if (v->brief) __builtin_prefetch(&v->brief[i]);
    }
}

int purge_run_views_scratch(const struct purge_view *views, size_t nr, const struct purge_rule *rule,
                            int64_t now_ns, struct purge_scratch *scratch, struct purge_result *out)
{
    struct purge_scratch local = {0};
    struct purge_scratch *sc = scratch ? scratch : &local;
    memset(out, 0, sizeof *out);
    int64_t cutoff = purge_cutoff_ns(now_ns, rule->ago_ns);
    bool *selected = xcalloc(nr ? nr : 1, sizeof *selected);
    bool *matched_by = xcalloc(nr * (rule->n_filters ? rule->n_filters : 1) + 1, sizeof *matched_by);
    size_t n_selected = 0;
    if (rule->n_filters == 0) {
        for (size_t r = 0; r < nr; r++) selected[r] = true;   /* --untagged-only alone */
        n_selected = nr;
    }
    for (size_t f = 0; f < rule->n_filters && !out->failed; f++) {
        /* "^.*$" matches a name without line breaks: printable ASCII needs no PCRE2 */
        bool any_repo = rule->filters[f].repo_re && !strcmp(rule->filters[f].repo_re, ".*");
        struct purgecmd_matcher *repo_matcher = NULL;
        for (size_t r = 0; r < nr; r++) {
            int mt;
            if (any_repo && (views[r].name_printable || purge_name_printable(views[r].repo->name))) {
                mt = 1;
            } else {
                if (!repo_matcher) repo_matcher = purgecmd_matcher_new(rule->filters[f].repo_code);
                mt = purgecmd_matcher_match(repo_matcher, views[r].repo->name);
            }
            if (mt < 0) {
                char dur[32];
                go_seconds(rule->filter_timeout_seconds, dur, sizeof dur);
                snprintf(out->error, sizeof out->error, "match timeout after %s on input `%s`", dur,
                         views[r].repo->name);
                out->failed = true;
                out->failed_before_banner = true;   /* acr-cli matches repositories first */
                break;
            }
            if (!mt) continue;
            matched_by[r * rule->n_filters + f] = true;
            if (!selected[r]) n_selected++;
            selected[r] = true;
        }
        purgecmd_matcher_free(repo_matcher);
    }
    struct tag_regex tr;
    memset(&tr, 0, sizeof tr);
    out->notes.no_repo_matched = !out->failed && n_selected == 0;
    const bool *last_row = NULL;   /* the filters that selected the last repository */
    for (size_t r = 0; r < nr && r < VIEW_AHEAD; r++) prefetch_view(&views[r]);
    for (size_t r = 0; r < nr && !out->failed; r++) {
        if (r + VIEW_AHEAD < nr) prefetch_view(&views[r + VIEW_AHEAD]);
        if (!selected[r]) continue;
        tags_reserve(sc, views[r].n_tags);
        bool ok = true;
        if (!rule->untagged_only) {
            /* the same filters as the last repository's: the same regex */
            const bool *row = &matched_by[r * rule->n_filters];
            if (!last_row || memcmp(row, last_row, rule->n_filters * sizeof *row))
                tag_regex_set(&tr, merged_tag_regex(rule, row));
            last_row = row;
            ok = tag_phase(&views[r], r, rule, &tr, cutoff, sc, sc->tag_deleted, out);
        }
        if (ok && (rule->untagged || rule->untagged_only))
            manifest_phase(&views[r], r, rule, cutoff, sc->tag_deleted, sc, out);
        memset(sc->tag_deleted, 0, views[r].n_tags * sizeof *sc->tag_deleted);
    }
    tag_regex_free(&tr);
    free(selected);
    free(matched_by);
    purge_scratch_free(&local);
    if (rule->deletes_nothing) drop_deletions(out);
    return 0;
}

int purge_run(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
              struct purge_result *out)
{
    struct purge_view *views = xcalloc(m->n_repos + 1, sizeof *views);
    for (size_t r = 0; r < m->n_repos; r++) {
        views[r].repo = &m->repos[r];
        views[r].tags = m->repos[r].tags;
        views[r].n_tags = m->repos[r].n_tags;
    }
    int rc = purge_run_views(views, m->n_repos, rule, now_ns, out);
    free(views);
    return rc;
}

void purge_result_free(struct purge_result *r)
{
    if (!r) return;
    free(r->ev);
    memset(r, 0, sizeof *r);
}
