/* fuzz_common.c - scratch files and the purge-engine invariants shared by the fuzz targets. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "arena.h"

/* ---- scratch file ------------------------------------------------------------------- */

static int scratch_fd[FUZZ_SCRATCH_SLOTS] = {-1, -1, -1, -1};
static char scratch_path[FUZZ_SCRATCH_SLOTS][64];

const char *fuzz_scratch_file(unsigned slot, const uint8_t *data, size_t size)
{
    if (slot >= FUZZ_SCRATCH_SLOTS) abort();
    if (scratch_fd[slot] < 0) {
        /* created lazily, so each child of the replay driver gets its own */
        int fd = memfd_create("purgesim-fuzz", 0);
        if (fd < 0) {
            char tmpl[] = "/tmp/purgesim-fuzz.XXXXXX";
            fd = mkstemp(tmpl);
            if (fd >= 0) unlink(tmpl);   /* still reachable as /proc/self/fd/N */
        }
        if (fd < 0) {
            perror("fuzz: cannot create a scratch file");
            abort();
        }
        scratch_fd[slot] = fd;
        snprintf(scratch_path[slot], sizeof scratch_path[slot], "/proc/self/fd/%d", fd);
    }
    int fd = scratch_fd[slot];
    if (ftruncate(fd, 0) != 0) {
        perror("fuzz: ftruncate");
        abort();
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            perror("fuzz: cannot write the scratch file");
            abort();
        }
        off += (size_t)w;
    }
    return scratch_path[slot];
}

static char scratch_dir[64];

static void empty_scratch_dir(void)
{
    DIR *dh = opendir(scratch_dir);
    if (!dh) return;
    struct dirent *de;
    char p[sizeof scratch_dir + 300];
    while ((de = readdir(dh)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", scratch_dir, de->d_name);
        if (unlink(p) != 0 && errno != ENOENT) {
            perror("fuzz: cannot empty the scratch directory");
            abort();
        }
    }
    closedir(dh);
}

static void remove_scratch_dir(void)
{
    empty_scratch_dir();
    rmdir(scratch_dir);
}

const char *fuzz_scratch_dir(void)
{
    static pid_t owner;
    if (!scratch_dir[0] || owner != getpid()) {   /* a forked child makes its own */
        char tmpl[] = "/tmp/purgesim-fuzz-dir.XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("fuzz: cannot create a scratch directory");
            abort();
        }
        snprintf(scratch_dir, sizeof scratch_dir, "%s", tmpl);
        if (!owner) atexit(remove_scratch_dir);
        owner = getpid();
    }
    empty_scratch_dir();
    return scratch_dir;
}

void fuzz_scratch_dir_file(const char *name, const uint8_t *data, size_t size)
{
    char p[sizeof scratch_dir + 300];
    snprintf(p, sizeof p, "%s/%s", scratch_dir, name);
    FILE *fp = fopen(p, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
        perror("fuzz: cannot write a scratch directory file");
        abort();
    }
}

FILE *fuzz_devnull(void)
{
    static FILE *fp;
    if (!fp) fp = fopen("/dev/null", "w");
    return fp;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("fuzz: invariant violated: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

bool fuzz_skip_known(const char *bug)
{
    const char *env = getenv("FUZZ_SKIP_KNOWN");
    if (!env || !*env) return false;
    if (!strcmp(env, "all")) return true;
    size_t n = strlen(bug);
    for (const char *p = env; (p = strstr(p, bug)) != NULL; p += n)
        if ((p == env || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return true;
    return false;
}

/* ---- purge invariants ------------------------------------------------------------- */

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

static bool present(const struct purge_view *v, uint32_t i)
{
    return !v->present || v->present[i];
}

static int64_t updated(const struct purge_view *v, uint32_t i)
{
    if (v->updated_ns) return v->updated_ns[i];
    if (v->upd_pair) return purge_upd_pair_at(&v->upd_pair[i], v->upd_at_ns);
    return v->repo->manifests[i].updated_ns;
}

/* Candidate tags newest first by the tag's time, ties by name (§4.1). */
static int tag_newest_first(const void *a, const void *b, void *ctx)
{
    const struct tag *tags = ctx;
    const struct tag *x = &tags[*(const uint32_t *)a], *y = &tags[*(const uint32_t *)b];
    if (x->updated_ns != y->updated_ns) return x->updated_ns > y->updated_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Candidate manifests newest first by lastUpdateTime, ties by digest (§4.11). */
static int manifest_newest_first(const void *a, const void *b, void *ctx)
{
    const struct purge_view *v = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    const struct manifest *x = &v->repo->manifests[i], *y = &v->repo->manifests[j];
    bool xo = x->updated_state == TIME_OK, yo = y->updated_state == TIME_OK;
    if (xo != yo) return xo ? -1 : 1;
    if (xo && updated(v, i) != updated(v, j)) return updated(v, i) > updated(v, j) ? -1 : 1;
    return digest_cmp(&x->digest, &y->digest);
}

/* Marks every descendant of manifest i, recursing through nested indexes (§4.7). */
static void mark_descendants(const struct repo *rp, uint32_t i, uint8_t *prot)
{
    size_t n = rp->n_manifests, sp = 0;
    uint32_t *stack = xmalloc((n + 1) * sizeof *stack);
    uint8_t *pushed = xcalloc(n + 1, 1);
    stack[sp++] = i;
    pushed[i] = 1;
    while (sp) {
        const struct manifest *mf = &rp->manifests[stack[--sp]];
        for (uint32_t c = 0; c < mf->n_children; c++) {
            uint32_t ch = mf->children[c];
            FUZZ_CHECK(ch < n, "repo %s: child index %u out of range", rp->name, ch);
            prot[ch] = 1;
            if (media_is_index(rp->manifests[ch].media) && !pushed[ch]) {
                pushed[ch] = 1;
                stack[sp++] = ch;
            }
        }
    }
    free(stack);
    free(pushed);
}

static char *merged_tag_regex(const struct purge_rule *rule, const bool *matched)
{
    size_t len = 1;
    for (size_t f = 0; f < rule->n_filters; f++)
        if (matched[f]) len += strlen(rule->filters[f].tag_re) + 1;
    char *s = xmalloc(len);
    size_t at = 0;
    for (size_t f = 0; f < rule->n_filters; f++) {
        if (!matched[f]) continue;
        at += (size_t)snprintf(s + at, len - at, "%s%s", at ? "|" : "", rule->filters[f].tag_re);
    }
    s[at] = '\0';
    return s;
}

struct run_check {
    const struct purge_rule *rule;
    int64_t cutoff;
    bool cur;
};

/* Tag phase of one repository (§4.1-4), given the tags it deleted; returns whether the phase
 * must fail here. */
static bool check_tags(const struct run_check *c, const struct purge_view *v, const bool *matched,
                       const bool *tag_del)
{
    const struct purge_rule *rule = c->rule;
    const char *name = v->repo->name;
    size_t nt = v->n_tags;
    if (rule->version == ACR_CLI_0_16 && rule->ago_error) {
        for (size_t t = 0; t < nt; t++)
            FUZZ_CHECK(!tag_del[t], "repo %s: tag %s deleted although --ago failed", name, v->tags[t].name);
        return true;
    }
    char *merged = merged_tag_regex(rule, matched);
    char err[1024];
    void *re = purgecmd_compile_regex(merged, err, sizeof err);
    free(merged);
    if (!re) {
        for (size_t t = 0; t < nt; t++)
            FUZZ_CHECK(!tag_del[t], "repo %s: tag %s deleted with an invalid tag regex", name, v->tags[t].name);
        return true;
    }
    bool fail = false, unknown = false;
    uint8_t *cand = xcalloc(nt + 1, 1);
    uint32_t *order = xmalloc((nt + 1) * sizeof *order);
    size_t nc = 0;
    for (size_t t = 0; t < nt; t++) {
        const struct tag *tg = &v->tags[t];
        FUZZ_CHECK(tg->manifest < v->repo->n_manifests, "repo %s: tag %s points past the manifests", name,
                   tg->name);
        FUZZ_CHECK(!t || strcmp(v->tags[t - 1].name, tg->name) < 0, "repo %s: tags not sorted by name", name);
        int mt = purgecmd_regex_match(re, tg->name);
        if (mt < 0) {
            fail = unknown = true;   /* match limit: the engine fails somewhere on this page */
            continue;
        }
        if (!mt) continue;
        if (tg->updated_state != TIME_OK) {
            fail = true;             /* §4.4: a matching unreadable tag aborts the purge */
            continue;
        }
        if (!(tg->updated_ns < c->cutoff)) continue;
        if (!rule->include_locked && tag_is_locked(tg)) continue;
        cand[t] = 1;
        order[nc++] = (uint32_t)t;
    }
    for (size_t t = 0; t < nt; t++) {
        if (!tag_del[t] || unknown) continue;
        const struct tag *tg = &v->tags[t];
        FUZZ_CHECK(cand[t],
                   "repo %s: deleted tag %s is not a candidate (match/age/lock: updated %lld, "
                   "cutoff %lld, locked %d, include-locked %d)",
                   name, tg->name, (long long)tg->updated_ns, (long long)c->cutoff,
                   (int)tag_is_locked(tg), (int)rule->include_locked);
    }
    if (!fail) {
        if (nc > 1) qsort_r(order, nc, sizeof *order, tag_newest_first, (void *)v->tags);
        size_t spare = rule->keep > 0 ? ((unsigned long long)rule->keep < nc ? (size_t)rule->keep : nc) : 0;
        for (size_t k = 0; k < nc; k++) {
            const struct tag *tg = &v->tags[order[k]];
            if (k < spare)
                FUZZ_CHECK(!tag_del[order[k]], "repo %s: --keep %lld: candidate tag %s (#%zu newest) deleted",
                           name, rule->keep, tg->name, k + 1);
            else
                FUZZ_CHECK(tag_del[order[k]], "repo %s: --keep %lld: old candidate tag %s (#%zu of %zu) not deleted",
                           name, rule->keep, tg->name, k + 1, nc);
        }
    }
    free(cand);
    free(order);
    purgecmd_regex_free(re);
    return fail;
}

/* Manifest phase of one repository (§4.5-13): man_del (1 purge, 2 cascade) and the protect /
 * no-media lines (ev_line) come from the events. */
static void check_manifests(const struct run_check *c, const struct purge_view *v, const bool *tag_del,
                            const uint8_t *man_del, const uint8_t *ev_line)
{
    const struct purge_rule *rule = c->rule;
    const struct repo *rp = v->repo;
    const char *name = rp->name;
    uint32_t n = (uint32_t)rp->n_manifests;
    uint32_t *tags_left = xcalloc(n + 1, sizeof *tags_left);
    uint8_t *root = xcalloc(n + 1, 1), *prot = xcalloc(n + 1, 1), *cand = xcalloc(n + 1, 1);
    uint8_t *ok = xcalloc(n + 1, 1);
    uint32_t *order = xmalloc((n + 1) * sizeof *order);
    for (size_t t = 0; t < v->n_tags; t++)
        if (!tag_del[t]) tags_left[v->tags[t].manifest]++;
    for (uint32_t i = 0; i < n; i++) {
        const struct manifest *mf = &rp->manifests[i];
        bool skip = !present(v, i) || (!rule->include_locked && manifest_is_locked(mf));
        bool old_enough = !c->cur || (mf->updated_state == TIME_OK && updated(v, i) <= c->cutoff);
        root[i] = !skip && (tags_left[i] > 0 || !old_enough);
        cand[i] = !skip && !root[i];
        /* the lines printed for untagged, unlocked manifests without a readable time */
        uint8_t want = 0;
        if (c->cur && !skip && !tags_left[i] && mf->updated_state == TIME_MISSING) want = PEV_PROTECT_UNAVAILABLE;
        if (c->cur && !skip && !tags_left[i] && mf->updated_state == TIME_BAD) want = PEV_PROTECT_UNREADABLE;
        if (cand[i] && mf->media == MEDIA_NONE) want = PEV_NO_MEDIA;
        FUZZ_CHECK(ev_line[i] == want, "repo %s: manifest #%u: line event %u, expected %u", name, i,
                   ev_line[i], want);
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct manifest *mf = &rp->manifests[i];
        if (root[i] && (media_is_index(mf->media) || mf->media == MEDIA_NONE)) mark_descendants(rp, i, prot);
        if (cand[i] && mf->media == MEDIA_OCI_INDEX && mf->has_subject && mf->n_children)
            mark_descendants(rp, i, prot);
    }
    size_t nd = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct manifest *mf = &rp->manifests[i];
        bool referrer = (mf->media == MEDIA_OCI_MANIFEST || mf->media == MEDIA_OCI_ARTIFACT) && mf->has_subject;
        bool childless_subject_index = mf->media == MEDIA_OCI_INDEX && mf->has_subject && !mf->n_children;
        ok[i] = cand[i] && mf->media != MEDIA_NONE && !prot[i] && !referrer && !childless_subject_index;
        if (man_del[i] == 1) {
            FUZZ_CHECK(present(v, i), "repo %s: manifest #%u deleted but not in the registry", name, i);
            FUZZ_CHECK(!(!rule->include_locked && manifest_is_locked(mf)), "repo %s: locked manifest #%u deleted", name, i);
            FUZZ_CHECK(!tags_left[i], "repo %s: manifest #%u deleted while %u tags remain", name, i, tags_left[i]);
            FUZZ_CHECK(!root[i], "repo %s: manifest #%u deleted although too young or unreadable (updated %lld, "
                       "state %u, cutoff %lld)", name, i, (long long)updated(v, i), mf->updated_state,
                       (long long)c->cutoff);
            FUZZ_CHECK(!prot[i], "repo %s: manifest #%u deleted although a protected index lists it", name, i);
            FUZZ_CHECK(!referrer, "repo %s: referrer #%u deleted by purge", name, i);
            FUZZ_CHECK(mf->media != MEDIA_NONE, "repo %s: manifest #%u without media type deleted", name, i);
            FUZZ_CHECK(ok[i], "repo %s: manifest #%u deleted but not a candidate", name, i);
        }
        if (ok[i]) order[nd++] = i;
    }
    if (nd > 1) qsort_r(order, nd, sizeof *order, manifest_newest_first, (void *)v);
    size_t spare = 0;
    if (c->cur && rule->keep > 0) spare = (unsigned long long)rule->keep < nd ? (size_t)rule->keep : nd;
    for (size_t k = 0; k < nd; k++) {
        if (k < spare)
            FUZZ_CHECK(man_del[order[k]] != 1, "repo %s: --keep %lld: manifest #%u (#%zu newest candidate) deleted",
                       name, rule->keep, order[k], k + 1);
        else
            FUZZ_CHECK(man_del[order[k]] == 1, "repo %s: --keep %lld: candidate manifest #%u (#%zu of %zu) not deleted",
                       name, rule->keep, order[k], k + 1, nd);
    }
    /* cascades: exactly the present manifests whose subject goes, transitively (§4.13) */
    for (uint32_t i = 0; i < n; i++) {
        const struct manifest *mf = &rp->manifests[i];
        bool subject_gone = mf->subject != MODEL_NO_MANIFEST && mf->subject < n && man_del[mf->subject];
        if (man_del[i] == 2) {
            FUZZ_CHECK(present(v, i), "repo %s: manifest #%u cascaded but not in the registry", name, i);
            FUZZ_CHECK(subject_gone, "repo %s: manifest #%u cascaded without a deleted subject", name, i);
        }
        if (!man_del[i] && present(v, i))
            FUZZ_CHECK(!subject_gone, "repo %s: referrer #%u survives its deleted subject", name, i);
    }
    free(tags_left);
    free(root);
    free(prot);
    free(cand);
    free(ok);
    free(order);
}

/* One repository's events: shape, then the phase checks. */
static void check_repo(const struct run_check *c, const struct purge_view *v, const struct purge_event *ev,
                       size_t n, bool failing_here)
{
    const struct purge_rule *rule = c->rule;
    const struct repo *rp = v->repo;
    bool *matched = xcalloc(rule->n_filters + 1, sizeof *matched);
    bool selected = rule->n_filters == 0;
    for (size_t f = 0; f < rule->n_filters; f++) {
        matched[f] = purgecmd_regex_match(rule->filters[f].repo_code, rp->name) == 1;
        selected |= matched[f];
    }
    if (!selected) {
        FUZZ_CHECK(n == 0, "repo %s: events for a repository no filter selects", rp->name);
        free(matched);
        return;
    }
    bool *tag_del = xcalloc(v->n_tags + 1, sizeof *tag_del);
    uint8_t *man_del = xcalloc(rp->n_manifests + 1, 1), *ev_line = xcalloc(rp->n_manifests + 1, 1);
    size_t i = 0;
    bool fail_expected = false;
    if (!rule->untagged_only) {
        FUZZ_CHECK(i < n && ev[i].kind == PEV_TAGS_HEADER, "repo %s: no tags header", rp->name);
        for (i++; i < n && ev[i].kind == PEV_TAG; i++) {
            FUZZ_CHECK(ev[i].item < v->n_tags, "repo %s: tag event item out of range", rp->name);
            FUZZ_CHECK(!tag_del[ev[i].item], "repo %s: tag %s deleted twice", rp->name, v->tags[ev[i].item].name);
            tag_del[ev[i].item] = true;
        }
        fail_expected = check_tags(c, v, matched, tag_del);
    }
    FUZZ_CHECK(fail_expected == failing_here, "repo %s: run %s here, expected %s", rp->name,
               failing_here ? "failed" : "did not fail", fail_expected ? "a failure" : "none");
    if (failing_here) {
        FUZZ_CHECK(i == n, "repo %s: events after the failing tag phase", rp->name);
    } else if (rule->untagged || rule->untagged_only) {
        FUZZ_CHECK(i < n && ev[i].kind == PEV_MANIFESTS_HEADER, "repo %s: no manifests header", rp->name);
        bool seen_delete = false, seen_cascade = false;
        for (i++; i < n; i++) {
            uint32_t it = ev[i].item;
            FUZZ_CHECK(it < rp->n_manifests, "repo %s: manifest event item out of range", rp->name);
            switch (ev[i].kind) {
            case PEV_PROTECT_UNAVAILABLE:
            case PEV_PROTECT_UNREADABLE:
            case PEV_NO_MEDIA:
                FUZZ_CHECK(!seen_delete, "repo %s: line event after the deletions", rp->name);
                FUZZ_CHECK(!ev_line[it], "repo %s: two line events for manifest #%u", rp->name, it);
                ev_line[it] = ev[i].kind;
                break;
            case PEV_MANIFEST:
                FUZZ_CHECK(!seen_cascade, "repo %s: deletion after a cascade", rp->name);
                FUZZ_CHECK(!man_del[it], "repo %s: manifest #%u deleted twice", rp->name, it);
                man_del[it] = 1;
                seen_delete = true;
                break;
            case PEV_CASCADE:
                FUZZ_CHECK(!man_del[it], "repo %s: manifest #%u deleted twice", rp->name, it);
                man_del[it] = 2;
                seen_cascade = true;
                break;
            default:
                fuzz_fail("repo %s: unexpected event kind %u in the manifest phase", rp->name, ev[i].kind);
            }
        }
        check_manifests(c, v, tag_del, man_del, ev_line);
    } else {
        FUZZ_CHECK(i == n, "repo %s: manifest events without --untagged", rp->name);
    }
    free(matched);
    free(tag_del);
    free(man_del);
    free(ev_line);
}

void fuzz_check_run(const struct purge_view *views, size_t n_views, const struct purge_rule *rule,
                    int64_t now_ns, const struct purge_result *res)
{
    struct run_check c = {rule, sat_sub(now_ns, rule->ago_ns), rule->version == ACR_CLI_CURRENT};
    size_t n_tags = 0, n_man = 0;
    for (size_t k = 0; k < res->n_ev; k++) {
        FUZZ_CHECK(res->ev[k].repo < n_views, "event repository %u out of range", res->ev[k].repo);
        FUZZ_CHECK(!k || res->ev[k].repo >= res->ev[k - 1].repo, "events not in repository order");
        n_tags += res->ev[k].kind == PEV_TAG;
        n_man += res->ev[k].kind == PEV_MANIFEST;
    }
    FUZZ_CHECK(!(rule->untagged && rule->untagged_only), "rule has --untagged and --untagged-only");
    FUZZ_CHECK(res->manifests_counted == n_man, "manifests counted %zu, deleted %zu", res->manifests_counted, n_man);
    FUZZ_CHECK(res->failed ? res->tags_counted <= n_tags : res->tags_counted == n_tags,
               "tags counted %zu, tag events %zu", res->tags_counted, n_tags);
    if (res->failed && res->failed_before_banner) {
        FUZZ_CHECK(res->n_ev == 0, "events printed before a failure before the banner");
        return;   /* a repository regex hit the match limit: nothing ran */
    }
    size_t fail_repo = SIZE_MAX;
    if (res->failed) {
        FUZZ_CHECK(res->n_ev > 0, "failed run without a tags header");
        fail_repo = res->ev[res->n_ev - 1].repo;
    }
    size_t e = 0;
    for (size_t r = 0; r < n_views && (fail_repo == SIZE_MAX || r <= fail_repo); r++) {
        size_t e0 = e;
        while (e < res->n_ev && res->ev[e].repo == r) e++;
        check_repo(&c, &views[r], res->ev ? &res->ev[e0] : NULL, e - e0, r == fail_repo);
    }
}

static void check_bytes(const struct model *m, const struct dryrun_report *rep)
{
    const struct purge_result *res = &rep->res;
    uint64_t bytes = 0, cbytes = 0, stored = 0;
    size_t n_tags = 0, n_man = 0, n_casc = 0;
    uint8_t **gone = xcalloc(m->n_repos + 1, sizeof *gone);
    for (size_t r = 0; r < m->n_repos; r++) gone[r] = xcalloc(m->repos[r].n_manifests + 1, 1);
    for (size_t k = 0; k < res->n_ev; k++) {
        const struct purge_event *e = &res->ev[k];
        const struct manifest *mf = &m->repos[e->repo].manifests[e->item];
        if (e->kind == PEV_TAG) n_tags++;
        if (e->kind == PEV_MANIFEST) {
            n_man++;
            bytes += mf->size_bytes;
            gone[e->repo][e->item] = 1;
        }
        if (e->kind == PEV_CASCADE) {
            n_casc++;
            cbytes += mf->size_bytes;
            gone[e->repo][e->item] = 2;
        }
    }
    FUZZ_CHECK(rep->bytes == bytes, "bytes reclaimed %llu, deleted manifests hold %llu",
               (unsigned long long)rep->bytes, (unsigned long long)bytes);
    FUZZ_CHECK(rep->cascade_bytes == cbytes, "cascade bytes %llu, cascaded manifests hold %llu",
               (unsigned long long)rep->cascade_bytes, (unsigned long long)cbytes);
    FUZZ_CHECK(rep->tags == n_tags && rep->manifests == n_man && rep->cascade == n_casc,
               "report counts %zu/%zu/%zu, events %zu/%zu/%zu", rep->tags, rep->manifests,
               rep->cascade, n_tags, n_man, n_casc);
    uint64_t rb = 0, rcb = 0, rdd = 0;
    for (size_t k = 0; k < rep->n_repos; k++) {
        rb += rep->repos[k].bytes;
        rcb += rep->repos[k].cascade_bytes;
        rdd += rep->repos[k].bytes_dedup;
    }
    FUZZ_CHECK(rb == bytes && rcb == cbytes, "per-repository bytes do not add up");

    bool known = m->n_manifests > 0;
    uint8_t *refd = xcalloc(m->n_blobs + 1, 1), *kept = xcalloc(m->n_blobs + 1, 1);
    uint8_t *casc = xcalloc(m->n_blobs + 1, 1);
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            stored += mf->size_bytes;
            if (!mf->layers_known && !media_is_index(mf->media)) known = false;
            for (uint32_t l = 0; l < mf->n_layers; l++) {
                uint32_t b = mf->layers[l];
                FUZZ_CHECK(b < m->n_blobs, "layer id %u out of range", b);
                refd[b] = 1;
                if (!gone[r][i]) kept[b] = 1;
                if (gone[r][i] == 2) casc[b] = 1;
            }
        }
    FUZZ_CHECK(rep->stored_bytes == stored, "stored bytes %llu, manifests hold %llu",
               (unsigned long long)rep->stored_bytes, (unsigned long long)stored);
    FUZZ_CHECK(rep->dedup_known == known, "dedup_known %d, expected %d", rep->dedup_known, known);
    if (known) {
        uint64_t dd = 0, cdd = 0, sdd = 0;
        for (size_t b = 0; b < m->n_blobs; b++) {
            if (!refd[b]) continue;
            sdd += m->blobs[b].size_bytes;
            if (kept[b]) continue;
            dd += m->blobs[b].size_bytes;
            if (casc[b]) cdd += m->blobs[b].size_bytes;
        }
        FUZZ_CHECK(rep->bytes_dedup == dd, "deduplicated bytes freed %llu, blobs of deleted manifests only %llu",
                   (unsigned long long)rep->bytes_dedup, (unsigned long long)dd);
        FUZZ_CHECK(rep->cascade_bytes_dedup == cdd, "cascade dedup bytes %llu, expected %llu",
                   (unsigned long long)rep->cascade_bytes_dedup, (unsigned long long)cdd);
        FUZZ_CHECK(rep->stored_bytes_dedup == sdd, "stored dedup bytes %llu, expected %llu",
                   (unsigned long long)rep->stored_bytes_dedup, (unsigned long long)sdd);
        FUZZ_CHECK(rdd == dd, "per-repository deduplicated bytes add up to %llu, total %llu",
                   (unsigned long long)rdd, (unsigned long long)dd);
    }
    for (size_t r = 0; r < m->n_repos; r++) free(gone[r]);
    free(gone);
    free(refd);
    free(kept);
    free(casc);
}

void fuzz_check_dryrun(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
                       const struct dryrun_report *rep)
{
    struct purge_view *views = xcalloc(m->n_repos + 1, sizeof *views);
    for (size_t r = 0; r < m->n_repos; r++) {
        FUZZ_CHECK(!r || strcmp(m->repos[r - 1].name, m->repos[r].name) < 0, "repositories not sorted");
        views[r].repo = &m->repos[r];
        views[r].tags = m->repos[r].tags;
        views[r].n_tags = m->repos[r].n_tags;
    }
    fuzz_check_run(views, m->n_repos, rule, now_ns, &rep->res);
    free(views);
    check_bytes(m, rep);
}
