/* fuzz_purge.c - libFuzzer target: the purge engine on a small registry and a rule decoded from
 * the input, checked against sim/RULES.md §4 (fuzz_check_dryrun), then rendered; two
 * metamorphic checks (an hour earlier, or --keep one more, deletes a subset); and the same rule
 * over partial views of the registry (purge_run_views, as the replay runs it).
 *
 * Input layout (every read past the end gives 0, so any input decodes):
 *   rule:  mode, version/flags, ago, keep, filter count, then per filter a repo and a tag regex,
 *          each an index into the fixed lists below (the command is built as text and parsed);
 *   model: 6 blob sizes; a byte for SKU, exportedAt and oddity counts; a mask over REPOS; per
 *          repository a manifest count, per manifest a digest byte, then time, size, media,
 *          locks, children, subject, layers; then a tag mask over TAGS and per tag its
 *          manifest, time and locks;
 *   extra: bit 0 prices the dry run, bit 1 also runs views: a mask of repositories left out,
 *          per manifest a presence/update-time byte, per repository a 16-bit mask of tags left out.
 * Not fuzzed here: PCRE2's match limit (acr's filter timeout), as one such match costs about
 * 30 ms and slowed the target fourfold. FUZZ_PURGE_VERBOSE=1 prints what an input decodes to. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dryrun.h"
#include "fuzz.h"
#include "model.h"
#include "pricing.h"
#include "purge.h"
#include "purgecmd.h"
#include "render.h"
#include "timeu.h"

/* 2026-07-01T00:00:00Z */
#define NOW_NS (INT64_C(1782864000) * TIMEU_NS_PER_SEC)

/* clang-format off */
static const char *const REPOS[] = {   /* sorted by strcmp */
    "a", "app", "lib/x", "myapp", "team/a", "team/b", "team/b/sub", "x.y",
};
static const char *const REPO_RES[] = {
    ".*", "app", "team/.*", "app|myapp", "team/[ab]", "lib/.*|a", "(?i)APP", "nomatch", "t.*",
    "[a-m].*", "(?:team)/b.*", "lib/x|x\\.y", "team/(",
};
static const char *const TAG_RES[] = {
    ".*", "v1", "^v1$", "latest", "dev-.*", "^[0-9]+$", "v1|v2", "(?i)V1", "^$", "a", "b$",
    "[[:alpha:]]+", "x(", "(?i:LATEST)", "^(?!latest$)",
};
static const char *const TAGS[] = {    /* sorted by strcmp */
    "1", "123", "V1", "a", "ab", "av1x", "b", "dev-1", "dev-v1", "latest", "stable", "v1", "v1.2",
    "v2", "x_y",
};
static const char *const SKUS[] = {NULL, "Basic", "Standard", "Premium"};
static const char *const AGOS[] = {
    "0d", "1d", "7d", "30d", "-1d", "1h", "90m", "1d12h", "2d3h6m", "1day", "60000d",
    "54750d1314001h", "0", "", "5x", "-9223372036854775808ns", "0d0s", "3d",
};
static const long long KEEPS[] = {0, 1, 2, 3, 5, -1, 100, 0};
/* clang-format on */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define N_BLOBS 6
#define MAX_MANIFESTS 7

/* A price table like data/pricing/acr-aud.json, without reading a file. */
static const struct pricing PRICE = {
    .currency = (char *)"AUD", .unit = (char *)"GiB", .unit_bytes = 1073741824.0,
    .date = (char *)"2024-12-01", .source = (char *)"fuzz", .overage_per_unit_day = 0.00516,
    .exchange_rate = 1.5,
    .skus = {{(char *)"Basic", 0.25, 10}, {(char *)"Standard", 1.0, 100}, {(char *)"Premium", 2.5, 500}},
    .n_skus = 3,
};

struct rd {
    const uint8_t *p;
    size_t n, i;
};

static unsigned rd_u8(struct rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static unsigned rd_pick(struct rd *r, size_t k)
{
    return (unsigned)(rd_u8(r) % k);
}


/* Appends to a bounded command line. */
static void cat(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", s);
}

/* A time around NOW: whole days (so exact-cutoff cases are common), +-1 ns, missing, unreadable,
 * or the saturated extremes. */
static void rd_time(struct rd *r, int64_t *ns, uint8_t *state, const char **raw)
{
    unsigned b = rd_u8(r);
    *ns = 0;
    *raw = NULL;
    *state = TIME_OK;
    if (b >= 252) {
        *state = TIME_BAD;
        *raw = b & 1 ? "2026-13-01T00:00:00Z" : "yesterday";
    } else if (b >= 248) {
        *state = TIME_MISSING;
    } else if (b >= 244) {
        *ns = b & 1 ? TIMEU_MAX_NS : TIMEU_MIN_NS;
    } else {
        int64_t days = (int64_t)(b % 40) - 4;
        int64_t jitter = (int64_t)((b / 40) % 3) - 1;
        *ns = NOW_NS - days * TIMEU_NS_PER_DAY + jitter;
    }
}

static void rd_locks(struct rd *r, bool *del, bool *write)
{
    unsigned b = rd_u8(r);
    *del = *write = true;
    if (b >= 200) {
        *del = b & 1;
        *write = b & 2;
    }
}

static int digest_sort(const void *a, const void *b)
{
    return digest_cmp(a, b);
}

static void build_repo(struct model *m, struct repo *rp, const char *name, struct rd *r)
{
    struct arena *a = &m->arena;
    size_t n = rd_pick(r, MAX_MANIFESTS + 1);
    struct digest ds[MAX_MANIFESTS];
    memset(ds, 0, sizeof ds);
    for (size_t i = 0; i < n; i++) {
        ds[i].b[0] = (uint8_t)rd_u8(r);
        ds[i].b[1] = (uint8_t)i;   /* distinct */
    }
    if (n > 1) qsort(ds, n, sizeof ds[0], digest_sort);
    rp->name = arena_strndup(a, name, strlen(name));
    rp->n_manifests = n;
    rp->manifests = arena_alloc(a, n * sizeof *rp->manifests);
    for (size_t i = 0; i < n; i++) {
        struct manifest *mf = &rp->manifests[i];
        memset(mf, 0, sizeof *mf);
        mf->digest = ds[i];
        rd_time(r, &mf->updated_ns, &mf->updated_state, &mf->updated_raw);
        mf->created_ns = mf->updated_ns;
        mf->created_state = mf->updated_state;
        mf->created_raw = mf->updated_raw;
        unsigned sz = rd_u8(r);
        mf->size_bytes = (uint64_t)(sz | 1) << (sz % 41);
        unsigned md = rd_u8(r);
        mf->media = (uint8_t)(md % 7);
        rd_locks(r, &mf->delete_enabled, &mf->write_enabled);
        /* children: indexes usually, anything else rarely (cycles and self-references too,
         * which ingest accepts from a crafted export) */
        unsigned nc = rd_u8(r);
        if (media_is_index(mf->media) || nc >= 240) {
            mf->n_children = n ? nc % 4 : 0;
            uint32_t *ch = arena_alloc(a, mf->n_children * sizeof *ch);
            for (uint32_t c = 0; c < mf->n_children; c++) ch[c] = rd_pick(r, n);
            mf->children = ch;
        }
        unsigned sb = rd_u8(r);
        mf->subject = MODEL_NO_MANIFEST;
        if (sb >= 192) {
            mf->has_subject = true;
            uint32_t s = (uint32_t)(sb % (n + 1));
            mf->subject = s < n ? s : MODEL_NO_MANIFEST;   /* a subject not in the repository */
        }
        unsigned ly = rd_u8(r);
        mf->layers_known = ly < 224;
        mf->n_layers = mf->layers_known ? ly % 4 : 0;
        uint32_t *l = arena_alloc(a, mf->n_layers * sizeof *l);
        for (uint32_t k = 0; k < mf->n_layers; k++) l[k] = rd_pick(r, N_BLOBS);
        mf->layers = l;
    }
    unsigned mask = n ? rd_u8(r) | rd_u8(r) << 8 : 0;
    size_t nt = 0;
    rp->tags = arena_alloc(a, COUNT(TAGS) * sizeof *rp->tags);
    for (size_t k = 0; k < COUNT(TAGS); k++) {
        if (!(mask >> k & 1)) continue;
        struct tag *t = &rp->tags[nt++];
        memset(t, 0, sizeof *t);
        t->name = TAGS[k];
        t->manifest = rd_pick(r, n);
        rd_time(r, &t->updated_ns, &t->updated_state, &t->updated_raw);
        if (t->updated_state == TIME_MISSING) t->updated_raw = "";
        t->created_ns = t->updated_ns;
        rd_locks(r, &t->delete_enabled, &t->write_enabled);
    }
    rp->n_tags = nt;
}

static struct model *build_model(struct rd *r)
{
    struct model *m = model_new();
    m->registry = arena_strndup(&m->arena, "fuzzreg.azurecr.io", 18);
    for (size_t b = 0; b < N_BLOBS; b++) {
        struct digest d;
        memset(&d, 0, sizeof d);
        d.b[0] = (uint8_t)(0xb0 + b);
        model_intern_blob(m, &d, (uint64_t)rd_u8(r) << (b * 7));
    }
    unsigned meta = rd_u8(r);
    const char *sku = SKUS[meta % COUNT(SKUS)];
    if (sku) m->sku = arena_strndup(&m->arena, sku, strlen(sku));
    if (meta & 4) {
        m->has_exported_at = true;
        m->exported_at_ns = NOW_NS;
    }
    if (meta & 8) {   /* only counted for the warning line */
        m->odd.bad_times = meta >> 4 & 1;
        m->odd.missing_times = meta >> 5 & 1;
        m->odd.missing_media = meta >> 6 & 1;
        m->odd.tags_from_manifests = meta >> 7;
    }
    unsigned mask = rd_u8(r);
    m->repos = xcalloc(COUNT(REPOS), sizeof *m->repos);
    m->cap_repos = COUNT(REPOS);
    for (size_t k = 0; k < COUNT(REPOS); k++) {
        if (!(mask >> k & 1)) continue;
        struct repo *rp = &m->repos[m->n_repos++];
        build_repo(m, rp, REPOS[k], r);
        m->n_manifests += rp->n_manifests;
        m->n_tags += rp->n_tags;
    }
    return m;
}

/* The rule as a user writes it, so purgecmd's own parsing builds it. */
static void build_command(struct rd *r, char *cmd, size_t cap, enum acr_version *version)
{
    unsigned mode = rd_u8(r), flags = rd_u8(r);
    *version = flags & 0x80 ? ACR_CLI_0_16 : ACR_CLI_CURRENT;
    const char *ago = AGOS[rd_pick(r, COUNT(AGOS))];
    long long keep = KEEPS[rd_pick(r, COUNT(KEEPS))];
    size_t nf = rd_pick(r, 4);
    char part[256];
    snprintf(cmd, cap, "acr purge");
    for (size_t f = 0; f < nf; f++) {
        const char *rr = REPO_RES[rd_pick(r, COUNT(REPO_RES))];
        const char *tr = TAG_RES[rd_pick(r, COUNT(TAG_RES))];
        snprintf(part, sizeof part, " --filter '%s:%s'", rr, tr);
        cat(cmd, cap, part);
    }
    if (!(flags & 1)) {
        snprintf(part, sizeof part, " --ago '%s'", ago);
        cat(cmd, cap, part);
    }
    if (keep || flags & 2) {
        snprintf(part, sizeof part, " --keep %lld", keep);
        cat(cmd, cap, part);
    }
    switch (mode % 4) {
    case 1: cat(cmd, cap, " --untagged"); break;
    case 2: cat(cmd, cap, " --untagged-only"); break;
    case 3: if (mode & 4) cat(cmd, cap, " --untagged --untagged-only"); break;   /* refused */
    default: break;
    }
    if (flags & 4) cat(cmd, cap, " --include-locked");
    if (flags & 8) cat(cmd, cap, " --dry-run");
    if (flags & 16) cat(cmd, cap, " -r fuzzreg");
}

/* Metamorphic check: `less` is a run that must delete no more than `base` (an earlier instant,
 * or a larger --keep, sim/RULES.md §4.3, §4.11, §4.12): every tag and manifest it
 * deletes (by purge or cascade), `base` deletes too. */
static void check_subset(const struct model *m, const struct purge_result *base,
                         const struct purge_result *less, const char *what)
{
    size_t total = 0;
    for (size_t r = 0; r < m->n_repos; r++) total += m->repos[r].n_tags + m->repos[r].n_manifests;
    uint8_t *gone = xcalloc(total + 1, 1);
    size_t *off = xcalloc(m->n_repos + 1, sizeof *off);
    for (size_t r = 1; r < m->n_repos; r++) off[r] = off[r - 1] + m->repos[r - 1].n_tags + m->repos[r - 1].n_manifests;
    for (size_t k = 0; k < base->n_ev; k++) {
        const struct purge_event *e = &base->ev[k];
        if (e->kind == PEV_TAG) gone[off[e->repo] + e->item] = 1;
        if (e->kind == PEV_MANIFEST || e->kind == PEV_CASCADE) gone[off[e->repo] + m->repos[e->repo].n_tags + e->item] = 1;
    }
    for (size_t k = 0; k < less->n_ev; k++) {
        const struct purge_event *e = &less->ev[k];
        const struct repo *rp = &m->repos[e->repo];
        if (e->kind == PEV_TAG)
            FUZZ_CHECK(gone[off[e->repo] + e->item], "%s: deletes tag %s:%s, which the base run keeps", what,
                       rp->name, rp->tags[e->item].name);
        if (e->kind == PEV_MANIFEST || e->kind == PEV_CASCADE)
            FUZZ_CHECK(gone[off[e->repo] + rp->n_tags + e->item], "%s: deletes manifest %s #%u, which the base run keeps",
                       what, rp->name, e->item);
    }
    free(gone);
    free(off);
}

/* The replay's way in: views with some manifests absent, other update times and fewer tags,
 * over some of the repositories. */
static void run_views(struct rd *r, const struct model *m, const struct purge_rule *rule)
{
    unsigned sel = rd_u8(r);
    struct purge_view *views = xcalloc(m->n_repos + 1, sizeof *views);
    struct { uint8_t *pres; int64_t *upd; struct tag *tags; } *own = xcalloc(m->n_repos + 1, sizeof *own);
    size_t nv = 0;
    for (size_t k = 0; k < m->n_repos; k++) {
        if (sel >> (k % 8) & 1) continue;
        const struct repo *rp = &m->repos[k];
        struct purge_view *v = &views[nv++];
        uint8_t *pres = xcalloc(rp->n_manifests + 1, 1);
        int64_t *upd = xcalloc(rp->n_manifests + 1, sizeof *upd);
        struct tag *tags = xcalloc(rp->n_tags + 1, sizeof *tags);
        for (size_t i = 0; i < rp->n_manifests; i++) {
            unsigned b = rd_u8(r);
            pres[i] = b < 200;
            upd[i] = b & 1 ? NOW_NS - (int64_t)(b % 30) * TIMEU_NS_PER_DAY : rp->manifests[i].updated_ns;
        }
        size_t nt = 0;
        unsigned tmask = rd_u8(r) | rd_u8(r) << 8;
        for (size_t t = 0; t < rp->n_tags; t++)
            if (pres[rp->tags[t].manifest] && !(tmask >> (t % 16) & 1)) tags[nt++] = rp->tags[t];
        own[nv - 1].pres = pres;
        own[nv - 1].upd = upd;
        own[nv - 1].tags = tags;
        v->repo = rp;
        v->present = pres;
        v->updated_ns = upd;
        v->tags = tags;
        v->n_tags = nt;
    }
    struct purge_result res;
    purge_run_views(views, nv, rule, NOW_NS, &res);
    fuzz_check_run(views, nv, rule, NOW_NS, &res);
    purge_result_free(&res);
    for (size_t k = 0; k < nv; k++) {
        free(own[k].pres);
        free(own[k].upd);
        free(own[k].tags);
    }
    free(own);
    free(views);
}

/* FUZZ_PURGE_VERBOSE=1: what an input decodes to, for triage. */
static void describe(const char *cmd, const struct model *m)
{
    char t[64], dg[80];
    fprintf(stderr, "now %s\n%s\n", timeu_format(NOW_NS, t, sizeof t), cmd);
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        fprintf(stderr, "repo %s\n", rp->name);
        for (size_t i = 0; i < rp->n_manifests; i++) {
            const struct manifest *mf = &rp->manifests[i];
            fprintf(stderr, "  #%zu %.13s media %u updated %s (state %u) size %llu%s%s", i,
                    digest_format(&mf->digest, dg, sizeof dg), mf->media,
                    timeu_format(mf->updated_ns, t, sizeof t), mf->updated_state,
                    (unsigned long long)mf->size_bytes, manifest_is_locked(mf) ? " locked" : "",
                    mf->n_children ? " children" : "");
            for (uint32_t c = 0; c < mf->n_children; c++) fprintf(stderr, " #%u", mf->children[c]);
            if (mf->has_subject) fprintf(stderr, " subject #%d", mf->subject == MODEL_NO_MANIFEST ? -1 : (int)mf->subject);
            fprintf(stderr, " layers");
            for (uint32_t l = 0; l < mf->n_layers; l++) fprintf(stderr, " %u", mf->layers[l]);
            fprintf(stderr, "%s\n", mf->layers_known ? "" : " (unknown)");
        }
        for (size_t k = 0; k < rp->n_tags; k++) {
            const struct tag *tg = &rp->tags[k];
            fprintf(stderr, "  tag %s -> #%u updated %s (state %u)%s\n", tg->name, tg->manifest,
                    timeu_format(tg->updated_ns, t, sizeof t), tg->updated_state, tag_is_locked(tg) ? " locked" : "");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd r = {data, size, 0};
    char cmd[1024], err[1024];
    enum acr_version version;
    build_command(&r, cmd, sizeof cmd, &version);
    struct purgecmd_opts o = {version, 2};
    struct purge_rule rule;
    if (purge_rule_parse_line(cmd, &o, &rule, err, sizeof err) != PURGECMD_OK) {
        purge_rule_free(&rule);
        return 0;
    }
    struct model *m = build_model(&r);
    if (getenv("FUZZ_PURGE_VERBOSE")) describe(cmd, m);

    unsigned extra = rd_u8(&r);
    struct dryrun_report rep;
    /* money on a fuzzed basis: with or without a SKU (included storage), 1-4 replicas */
    struct cost_opts co = {&PRICE, extra & 2 ? &PRICE.skus[(extra >> 2) % 3] : NULL, 1 + (int)((extra >> 4) & 3), 0, NULL,
                           false, 0};
    dryrun_analyse(m, &rule, NOW_NS, extra & 1 ? &co : NULL, &rep);
    /* a saving is never negative and never more than the freed bytes at the full price */
    FUZZ_CHECK(!(extra & 1) || (rep.per_day >= -1e-12 &&
                                rep.per_day <= rep.reclaimed_units * PRICE.overage_per_unit_day * co.replicas + 1e-9),
               "dry-run saving outside [0, freed x price x replicas]");
    fuzz_check_dryrun(m, &rule, NOW_NS, &rep);

    /* the engine is pure: a second run gives the same events */
    struct purge_result again;
    purge_run(m, &rule, NOW_NS, &again);
    FUZZ_CHECK(again.n_ev == rep.res.n_ev && again.failed == rep.res.failed,
               "two runs of the same rule differ");
    for (size_t k = 0; k < again.n_ev; k++)
        FUZZ_CHECK(again.ev[k].kind == rep.res.ev[k].kind && again.ev[k].repo == rep.res.ev[k].repo &&
                       again.ev[k].item == rep.res.ev[k].item,
                   "two runs of the same rule differ at event %zu", k);
    purge_result_free(&again);

    /* an hour earlier (an earlier cutoff), and one more kept, delete no more */
    struct purge_result less;
    purge_run(m, &rule, NOW_NS - 3600 * TIMEU_NS_PER_SEC, &less);
    check_subset(m, &rep.res, &less, "an hour earlier");
    purge_result_free(&less);
    if (rule.keep >= 0 && rule.keep < 1000) {
        struct purge_rule more_kept = rule;   /* shallow: only read, not freed */
        more_kept.keep++;
        purge_run(m, &more_kept, NOW_NS, &less);
        check_subset(m, &rep.res, &less, "--keep + 1");
        purge_result_free(&less);
    }

    FILE *fp = fuzz_devnull();
    if (fp) {
        render_dryrun_acr(&rep, fp);
        render_dryrun_text(&rep, cmd, fp);
        render_dryrun_json(&rep, cmd, fp);
    }
    dryrun_report_free(&rep);
    if (extra & 2) run_views(&r, m, &rule);
    model_free(m);
    purge_rule_free(&rule);
    return 0;
}
