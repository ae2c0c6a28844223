/* test_forecast.c - unit tests for forecast.h: the weekday rate model, seeding and per-repository
 * determinism, what synthetic pushes copy (sizes, layers, an index flattened), the tagging
 * pattern (moving tag, versioned tags), the included-storage crossing date and the long
 * first-run flag, plus one forecast end to end (history, replay, cost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cost.h"
#include "diag.h"
#include "fixtures.h"
#include "forecast.h"
#include "history.h"
#include "policy.h"
#include "pricing.h"
#include "replay.h"
#include "timeu.h"

#define V2 MEDIA_DOCKER_V2
#define OCI MEDIA_OCI_MANIFEST
#define INDEX MEDIA_OCI_INDEX
#define DAY_NS TIMEU_NS_PER_DAY
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define EXPORTED "2024-01-29T18:00:00Z"   /* a Monday evening */

/* ---- per-test state: freed in teardown even when an assertion fails ---- */

struct tc {
    struct model *m, *m2;            /* exports */
    struct model *x, *x2;            /* extended */
    struct forecast_info fi, fi2;
    struct history *h;
    struct policy_set *ps;
    struct replay_result rr;
    struct cost_result cost;
    struct forecast_report rep;
    uint8_t *present, *live;
    struct diag d;
};

static int setup(void **state)
{
    struct tc *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->ps = policy_set_new();
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct tc *c = *state;
    forecast_report_free(&c->rep);
    cost_result_free(&c->cost);
    replay_result_free(&c->rr);
    history_free(c->h);
    policy_set_free(c->ps);
    model_free(c->x);
    model_free(c->x2);
    model_free(c->m);
    model_free(c->m2);
    forecast_info_free(&c->fi);
    forecast_info_free(&c->fi2);
    free(c->present);
    free(c->live);
    diag_free(&c->d);
    free(c);
    return 0;
}

static struct forecast_opts opts(int days, uint64_t seed)
{
    struct forecast_opts o;
    forecast_opts_default(&o);
    o.days = days;
    o.seed = seed;
    return o;
}

/* "app": two pushes on each of the four Mondays up to the export (10:00 and 14:00), sizes
 * 1000..8000; one push on the Monday before the lookback and two in December (never sampled);
 * the newest holds latest. */
static void add_monday_repo(struct model *m, const char *repo, uint64_t size_unit)
{
    static const char *const days[] = {"08", "15", "22", "29"};
    for (int d = 0; d < 4; d++)
        for (int k = 0; k < 2; k++) {
            char label[32], when[32];
            snprintf(label, sizeof label, "m%d%d", d, k);
            snprintf(when, sizeof when, "2024-01-%sT%s:00:00Z", days[d], k ? "14" : "10");
            fx_manifest(m, repo, label, when, size_unit * (uint64_t)(d * 2 + k + 1), V2);
        }
    fx_manifest(m, repo, "jan1", "2024-01-01T10:00:00Z", 999999, V2);   /* 8 h before the lookback */
    fx_manifest(m, repo, "old1", "2023-12-05T10:00:00Z", 999999, V2);
    fx_manifest(m, repo, "old2", "2023-12-12T10:00:00Z", 999999, V2);
    fx_tag(m, repo, "latest", "m31", "2024-01-29T14:00:00Z", false);
}

static struct model *monday_model(void)
{
    struct model *m = fx_model(NULL);
    fx_exported_at(m, EXPORTED);
    add_monday_repo(m, "app", 1000);
    return m;
}

static void extend(struct model *m, const struct forecast_opts *o, struct model **x, struct forecast_info *fi)
{
    assert_int_equal(forecast_extend(m, o, x, fi), PS_OK);
}

static const struct repo *repo_of(const struct model *m, const char *name)
{
    const struct repo *rp = model_find_repo(m, name);
    if (!rp) fail_msg("no repository \"%s\"", name);
    return rp;
}

/* The synthetic manifests of repository `name` (not in the export), in push order. */
struct synlist {
    const struct manifest *v[8192];
    size_t n;
};

static int by_created(const void *a, const void *b)
{
    const struct manifest *x = *(const struct manifest *const *)a, *y = *(const struct manifest *const *)b;
    if (x->created_ns != y->created_ns) return x->created_ns < y->created_ns ? -1 : 1;
    return digest_cmp(&x->digest, &y->digest);
}

static void synthetic(const struct model *orig, const struct model *x, const char *name, struct synlist *out)
{
    const struct repo *ro = repo_of(orig, name), *rx = repo_of(x, name);
    out->n = 0;
    for (size_t i = 0; i < rx->n_manifests; i++)
        if (model_find_manifest(ro, &rx->manifests[i].digest) == MODEL_NO_MANIFEST) {
            if (out->n == sizeof out->v / sizeof out->v[0]) fail_msg("too many synthetic manifests");
            out->v[out->n++] = &rx->manifests[i];
        }
    qsort(out->v, out->n, sizeof out->v[0], by_created);
}

static bool blob_known(const struct model *m, const struct digest *d)
{
    for (size_t b = 0; b < m->n_blobs; b++)
        if (!digest_cmp(&m->blobs[b].digest, d)) return true;
    return false;
}

/* Two repositories hold the same manifests (digests, sizes, times, media, blobs by digest and
 * size) and the same tags (names, targets by digest, times). */
static void assert_same_repo(const struct model *a, const struct repo *ra, const struct model *b,
                             const struct repo *rb)
{
    assert_string_equal(ra->name, rb->name);
    assert_int_equal(ra->n_manifests, rb->n_manifests);
    for (size_t i = 0; i < ra->n_manifests; i++) {
        const struct manifest *x = &ra->manifests[i], *y = &rb->manifests[i];
        assert_memory_equal(x->digest.b, y->digest.b, 32);
        assert_int_equal(x->size_bytes, y->size_bytes);
        assert_int_equal(x->created_ns, y->created_ns);
        assert_int_equal(x->updated_ns, y->updated_ns);
        assert_int_equal(x->media, y->media);
        assert_int_equal(x->n_layers, y->n_layers);
        for (uint32_t k = 0; k < x->n_layers; k++) {
            assert_memory_equal(a->blobs[x->layers[k]].digest.b, b->blobs[y->layers[k]].digest.b, 32);
            assert_int_equal(a->blobs[x->layers[k]].size_bytes, b->blobs[y->layers[k]].size_bytes);
        }
    }
    assert_int_equal(ra->n_tags, rb->n_tags);
    for (size_t t = 0; t < ra->n_tags; t++) {
        assert_string_equal(ra->tags[t].name, rb->tags[t].name);
        assert_memory_equal(ra->manifests[ra->tags[t].manifest].digest.b, rb->manifests[rb->tags[t].manifest].digest.b,
                            32);
        assert_int_equal(ra->tags[t].updated_ns, rb->tags[t].updated_ns);
    }
}

static const struct tag *find_tag(const struct repo *rp, const char *name)
{
    for (size_t t = 0; t < rp->n_tags; t++)
        if (!strcmp(rp->tags[t].name, name)) return &rp->tags[t];
    return NULL;
}

/* ---- the rate model ---------------------------------------------------------------------- */

static void test_weekday_is_utc_with_sunday_zero(void **state)
{
    (void)state;
    assert_int_equal(forecast_weekday(fx_ns("1970-01-01T00:00:00Z")), 4);
    assert_int_equal(forecast_weekday(fx_ns("2024-01-01T00:00:00Z")), 1);
    assert_int_equal(forecast_weekday(fx_ns("2024-01-07T23:59:59Z")), 0);
    assert_int_equal(forecast_weekday(fx_ns("1969-12-31T23:00:00Z")), 3);
}

static void test_two_pushes_per_monday_give_a_monday_rate_of_two(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(7, 1);
    extend(c->m, &o, &c->x, &c->fi);
    const struct forecast_repo *fr = &c->fi.repos[fx_repo_index(c->m, "app")];
    /* the lookback [Jan 1 18:00, Jan 29 18:00] holds 4 Mondays' worth of time and 8 pushes */
    assert_int_equal(fr->observed_pushes, 8);
    for (int w = 0; w < 7; w++) assert_true(fr->rate[w] == (w == 1 ? 2.0 : 0.0));
}

static void test_rate_divides_by_the_weekdays_the_lookback_holds(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(7, 1);
    o.lookback_days = 14;   /* Jan 15 18:00 .. Jan 29 18:00: pushes on Jan 22 and 29, 2 Mondays */
    extend(c->m, &o, &c->x, &c->fi);
    const struct forecast_repo *fr = &c->fi.repos[0];
    assert_int_equal(fr->observed_pushes, 4);
    assert_true(fr->rate[1] == 2.0);
    assert_true(fr->rate[2] == 0.0);
}

static void test_future_pushes_fall_only_on_mondays_near_the_expected_count(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(3640, 7);   /* 520 weeks: 520 Mondays' worth of time */
    extend(c->m, &o, &c->x, &c->fi);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "app", s);
    size_t n = s->n;
    bool all_monday = true, after = true, before_end = true;
    for (size_t k = 0; k < n; k++) {
        all_monday &= forecast_weekday(s->v[k]->created_ns) == 1;
        after &= s->v[k]->created_ns > c->m->exported_at_ns;
        before_end &= s->v[k]->created_ns < c->x->exported_at_ns;
        if (s->v[k]->created_ns % TIMEU_NS_PER_SEC) fail_msg("push time not a whole second");
    }
    free(s);
    assert_true(all_monday);
    assert_true(after);
    assert_true(before_end);
    /* Poisson with mean 1040: sd 32; 4 sd either way */
    if (n < 1040 - 130 || n > 1040 + 130) fail_msg("%zu synthetic pushes, expected about 1040", n);
    assert_int_equal(c->fi.repos[0].synthetic, n);
    assert_int_equal(c->fi.synthetic_manifests, n);
}

static void test_mean_count_over_seeds_matches_the_rate(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    /* 28 days from Monday 18:00: 4 Mondays' worth of time, mean 8 pushes per forecast */
    size_t total = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct forecast_opts o = opts(28, seed);
        struct model *x;
        struct forecast_info fi;
        extend(c->m, &o, &x, &fi);
        total += fi.synthetic_manifests;
        model_free(x);
        forecast_info_free(&fi);
    }
    /* mean of 200 Poisson(8): 8 +- 0.2 sd */
    double mean = (double)total / 200.0;
    if (mean < 7.2 || mean > 8.8) fail_msg("mean %.3f synthetic pushes per 28 days, expected 8", mean);
}

static void test_repository_without_recent_pushes_gets_none(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    fx_manifest(c->m, "quiet", "q1", "2023-06-01T00:00:00Z", 100, V2);
    fx_tag(c->m, "quiet", "latest", "q1", "2023-06-01T00:00:00Z", false);
    fx_finish(c->m);
    struct forecast_opts o = opts(365, 1);
    extend(c->m, &o, &c->x, &c->fi);
    assert_int_equal(c->fi.synthetic_manifests, 0);
    assert_int_equal(c->fi.repos[0].observed_pushes, 0);
    assert_same_repo(c->m, repo_of(c->m, "quiet"), c->x, repo_of(c->x, "quiet"));
    /* 365 whole days after the export's own (partial) day: from the next midnight */
    assert_int_equal(c->x->exported_at_ns, fx_ns("2024-01-30T00:00:00Z") + 365 * DAY_NS);
}

/* ---- the extended model ------------------------------------------------------------------------ */

static void test_extended_model_keeps_every_export_manifest_and_tag(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    add_monday_repo(c->m, "app", 1000);
    fx_manifest(c->m, "app", "idx", "2024-01-29T15:00:00Z", 300, INDEX);
    fx_manifest(c->m, "app", "kid", "2024-01-29T14:59:50Z", 700, V2);
    fx_children(c->m, "app", "idx", "kid", NULL);
    fx_manifest(c->m, "app", "sig", "2024-01-29T15:01:00Z", 20, OCI);
    fx_subject(c->m, "app", "sig", "idx");
    fx_layer(c->m, "app", "kid", "kidlayer", 700);
    fx_tag(c->m, "app", "stable", "idx", "2024-01-29T15:00:00Z", true);
    fx_finish(c->m);
    struct forecast_opts o = opts(60, 3);
    extend(c->m, &o, &c->x, &c->fi);
    const struct repo *ro = repo_of(c->m, "app"), *rx = repo_of(c->x, "app");
    assert_int_equal(rx->n_manifests, ro->n_manifests + c->fi.repos[0].synthetic);
    assert_int_equal(c->x->n_manifests, rx->n_manifests);
    for (size_t i = 0; i < ro->n_manifests; i++) {
        const struct manifest *a = &ro->manifests[i];
        uint32_t j = model_find_manifest(rx, &a->digest);
        assert_int_not_equal(j, MODEL_NO_MANIFEST);
        const struct manifest *b = &rx->manifests[j];
        assert_int_equal(a->size_bytes, b->size_bytes);
        assert_int_equal(a->created_ns, b->created_ns);
        assert_int_equal(a->n_children, b->n_children);
        for (uint32_t k = 0; k < a->n_children; k++)
            assert_memory_equal(ro->manifests[a->children[k]].digest.b, rx->manifests[b->children[k]].digest.b, 32);
        assert_int_equal(a->has_subject, b->has_subject);
        if (a->subject != MODEL_NO_MANIFEST)
            assert_memory_equal(ro->manifests[a->subject].digest.b, rx->manifests[b->subject].digest.b, 32);
        assert_int_equal(a->n_layers, b->n_layers);
        for (uint32_t k = 0; k < a->n_layers; k++)
            assert_memory_equal(c->m->blobs[a->layers[k]].digest.b, c->x->blobs[b->layers[k]].digest.b, 32);
    }
    /* sorted by digest, tags by name */
    for (size_t i = 1; i < rx->n_manifests; i++)
        assert_true(digest_cmp(&rx->manifests[i - 1].digest, &rx->manifests[i].digest) < 0);
    for (size_t t = 1; t < rx->n_tags; t++) assert_true(strcmp(rx->tags[t - 1].name, rx->tags[t].name) < 0);
    /* the locked tag stays where it was */
    const struct tag *st = find_tag(rx, "stable");
    assert_non_null(st);
    assert_string_equal(fx_label(&rx->manifests[st->manifest].digest), "idx");
    assert_false(st->write_enabled);
    /* index children and referrers are not pushes: 8 Monday images and the index */
    assert_int_equal(c->fi.repos[0].observed_pushes, 9);
}

static void test_missing_exported_at_and_bad_options_are_refused(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_manifest(c->m, "app", "a", "2024-01-01T00:00:00Z", 1, V2);
    fx_finish(c->m);
    struct forecast_opts o = opts(30, 1);
    struct model *x = NULL;
    assert_int_equal(forecast_extend(c->m, &o, &x, &c->fi), ERR_INPUT);
    assert_null(x);
    c->m->has_exported_at = true;
    c->m->exported_at_ns = fx_ns(EXPORTED);
    o.days = 0;
    assert_int_equal(forecast_extend(c->m, &o, &x, &c->fi), ERR_USAGE);
    o.days = FORECAST_MAX_DAYS + 1;
    assert_int_equal(forecast_extend(c->m, &o, &x, &c->fi), ERR_USAGE);
    o.days = 30;
    o.lookback_days = 6;
    assert_int_equal(forecast_extend(c->m, &o, &x, &c->fi), ERR_USAGE);
    assert_null(x);
}

static void test_too_many_synthetic_pushes_hit_the_limit(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(365, 1);   /* about 104 pushes */
    o.max_synthetic = 50;
    struct model *x = NULL;
    assert_int_equal(forecast_extend(c->m, &o, &x, &c->fi), ERR_LIMIT);
    assert_null(x);
    assert_null(c->fi.repos);
    o.max_synthetic = 1000;
    extend(c->m, &o, &c->x, &c->fi);
    assert_true(c->fi.synthetic_manifests > 50);
}

/* ---- seeding ---------------------------------------------------------------------------------- */

static void test_same_seed_gives_the_same_extended_model(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(120, 42);
    extend(c->m, &o, &c->x, &c->fi);
    extend(c->m, &o, &c->x2, &c->fi2);
    assert_true(c->fi.synthetic_manifests > 0);
    assert_int_equal(c->fi.synthetic_manifests, c->fi2.synthetic_manifests);
    assert_int_equal(c->x->n_blobs, c->x2->n_blobs);
    assert_same_repo(c->x, repo_of(c->x, "app"), c->x2, repo_of(c->x2, "app"));
}

static void test_different_seed_gives_different_pushes(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o1 = opts(120, 1), o2 = opts(120, 2);
    extend(c->m, &o1, &c->x, &c->fi);
    extend(c->m, &o2, &c->x2, &c->fi2);
    struct synlist *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    synthetic(c->m, c->x, "app", a);
    synthetic(c->m, c->x2, "app", b);
    size_t shared_digests = 0, same_times = 0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++) {
            shared_digests += !digest_cmp(&a->v[i]->digest, &b->v[j]->digest);
            same_times += i == j && a->v[i]->created_ns == b->v[j]->created_ns;
        }
    bool differ = a->n != b->n || same_times < a->n;
    size_t na = a->n, nb = b->n;
    free(a);
    free(b);
    assert_true(na > 0 && nb > 0);
    assert_int_equal(shared_digests, 0);
    assert_true(differ);
}

static void test_adding_a_repository_does_not_change_another(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    c->m2 = fx_model(NULL);
    fx_exported_at(c->m2, EXPORTED);
    add_monday_repo(c->m2, "aaa-first", 5000);   /* sorts before app: app's index changes */
    add_monday_repo(c->m2, "app", 1000);
    add_monday_repo(c->m2, "zzz-last", 7000);
    fx_layer(c->m2, "aaa-first", "m00", "aaa-layer", 5000);
    fx_finish(c->m2);
    struct forecast_opts o = opts(90, 5);
    extend(c->m, &o, &c->x, &c->fi);
    extend(c->m2, &o, &c->x2, &c->fi2);
    assert_int_equal(fx_repo_index(c->x2, "app"), 1);
    assert_true(c->fi2.synthetic_manifests > c->fi.synthetic_manifests);
    assert_same_repo(c->x, repo_of(c->x, "app"), c->x2, repo_of(c->x2, "app"));
    /* and the other repositories' synthetic digests are their own */
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m2, c->x2, "aaa-first", s);
    size_t clash = 0;
    for (size_t k = 0; k < s->n; k++) clash += model_find_manifest(repo_of(c->x, "app"), &s->v[k]->digest) != MODEL_NO_MANIFEST;
    free(s);
    assert_int_equal(clash, 0);
}

/* ---- what a synthetic push copies ------------------------------------------------------------- */

static void test_sizes_are_drawn_only_from_recent_pushes(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(1000, 11);
    extend(c->m, &o, &c->x, &c->fi);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "app", s);
    size_t seen[9] = {0};
    bool only_recent = true;
    for (size_t k = 0; k < s->n; k++) {
        uint64_t sz = s->v[k]->size_bytes;
        if (sz % 1000 || sz < 1000 || sz > 8000) only_recent = false;
        else seen[sz / 1000]++;
    }
    size_t n = s->n;
    free(s);
    assert_true(only_recent);
    assert_true(n > 200);
    /* uniform over the 8 recent pushes: each about n/8 */
    for (int k = 1; k <= 8; k++)
        if (seen[k] < n / 8 / 2 || seen[k] > n / 8 * 2) fail_msg("size %d000 drawn %zu times of %zu", k, seen[k], n);
}

static void test_synthetic_push_shares_all_but_its_top_layer(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    /* three recent images: config, two shared base layers, a dependency layer, an app layer */
    static const char *const when[] = {"2024-01-27T10:00:00Z", "2024-01-28T10:00:00Z", "2024-01-29T10:00:00Z"};
    for (int i = 0; i < 3; i++) {
        char label[32], cfg[32], app[32];
        snprintf(label, sizeof label, "img%d", i);
        snprintf(cfg, sizeof cfg, "cfg%d", i);
        snprintf(app, sizeof app, "app%d", i);
        uint64_t app_size = (uint64_t)(100 + i) * MIB;
        fx_manifest(c->m, "svc", label, when[i], MIB + 50 * MIB + 30 * MIB + 20 * MIB + app_size, V2);
        fx_layer(c->m, "svc", label, cfg, MIB);
        fx_layer(c->m, "svc", label, "base-os", 50 * MIB);
        fx_layer(c->m, "svc", label, "base-rt", 30 * MIB);
        fx_layer(c->m, "svc", label, "deps", 20 * MIB);
        fx_layer(c->m, "svc", label, app, app_size);
    }
    fx_tag(c->m, "svc", "latest", "img2", "2024-01-29T10:00:00Z", false);
    fx_finish(c->m);
    struct forecast_opts o = opts(365, 9);   /* 3 pushes a week */
    extend(c->m, &o, &c->x, &c->fi);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "svc", s);
    const struct repo *ro = repo_of(c->m, "svc");
    size_t n = s->n, fresh_total = 0;
    bool ok = true;
    for (size_t k = 0; k < n && ok; k++) {
        const struct manifest *mf = s->v[k];
        ok &= mf->layers_known && mf->n_layers == 5 && mf->media == V2;
        /* the observed image it copies: same size */
        const struct manifest *src = NULL;
        for (size_t i = 0; i < ro->n_manifests; i++)
            if (ro->manifests[i].size_bytes == mf->size_bytes) src = &ro->manifests[i];
        ok &= src != NULL;
        if (!ok) break;
        for (uint32_t l = 0; l < 4; l++)
            ok &= !digest_cmp(&c->m->blobs[src->layers[l]].digest, &c->x->blobs[mf->layers[l]].digest);
        const struct blob *top = &c->x->blobs[mf->layers[4]];
        ok &= !blob_known(c->m, &top->digest) && top->size_bytes == c->m->blobs[src->layers[4]].size_bytes;
        fresh_total++;
        /* fresh layers of two pushes differ */
        if (k) ok &= mf->layers[4] != s->v[k - 1]->layers[4];
    }
    free(s);
    assert_true(ok);
    assert_true(n > 10);
    assert_int_equal(c->fi.synthetic_blobs, fresh_total);
    assert_int_equal(c->x->n_blobs, c->m->n_blobs + fresh_total);
}

static void test_top_fifth_of_layers_is_fresh(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    fx_manifest(c->m, "big", "b", "2024-01-29T10:00:00Z", 11 * 10, V2);
    for (int l = 0; l < 11; l++) {
        char blob[32];
        snprintf(blob, sizeof blob, "l%d", l);
        fx_layer(c->m, "big", "b", blob, 10);
    }
    fx_finish(c->m);
    struct forecast_opts o = opts(365, 4);   /* a push a month */
    extend(c->m, &o, &c->x, &c->fi);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "big", s);
    size_t n = s->n, bad = 0;
    for (size_t k = 0; k < n; k++)
        for (uint32_t l = 0; l < 11; l++)   /* ceil(11/5) = 3 fresh: layers 8, 9, 10 */
            bad += blob_known(c->m, &c->x->blobs[s->v[k]->layers[l]].digest) != (l < 8);
    free(s);
    assert_true(n > 0);
    assert_int_equal(bad, 0);
}

static void test_index_push_becomes_one_image_with_its_childrens_blobs(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    fx_manifest(c->m, "multi", "idx", "2024-01-29T10:00:00Z", 500, INDEX);
    fx_manifest(c->m, "multi", "amd", "2024-01-29T09:59:50Z", 1200, OCI);
    fx_manifest(c->m, "multi", "arm", "2024-01-29T09:59:40Z", 1100, OCI);
    fx_children(c->m, "multi", "idx", "amd", "arm", NULL);
    fx_layer(c->m, "multi", "amd", "base", 1000);
    fx_layer(c->m, "multi", "amd", "app-amd", 200);
    fx_layer(c->m, "multi", "arm", "base", 1000);
    fx_layer(c->m, "multi", "arm", "app-arm", 100);
    fx_manifest(c->m, "multi", "sig", "2024-01-29T10:01:00Z", 30, OCI);
    fx_subject(c->m, "multi", "sig", "idx");
    fx_tag(c->m, "multi", "latest", "idx", "2024-01-29T10:00:00Z", false);
    fx_finish(c->m);
    struct forecast_opts o = opts(200, 8);
    extend(c->m, &o, &c->x, &c->fi);
    assert_int_equal(c->fi.repos[0].observed_pushes, 1);   /* the index only */
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "multi", s);
    size_t n = s->n;
    bool ok = n > 0;
    for (size_t k = 0; k < n && ok; k++) {
        const struct manifest *mf = s->v[k];
        ok &= mf->media == OCI && !mf->n_children && !mf->has_subject && mf->layers_known;
        ok &= mf->size_bytes == 500 + 1200 + 1100 && mf->n_layers == 4;
        if (!ok) break;
        const struct blob *b0 = &c->x->blobs[mf->layers[0]], *b1 = &c->x->blobs[mf->layers[1]],
                          *b2 = &c->x->blobs[mf->layers[2]], *b3 = &c->x->blobs[mf->layers[3]];
        ok &= !strcmp(fx_label(&b0->digest), "base") && !strcmp(fx_label(&b2->digest), "base");
        ok &= !blob_known(c->m, &b1->digest) && b1->size_bytes == 200;
        ok &= !blob_known(c->m, &b3->digest) && b3->size_bytes == 100;
    }
    free(s);
    assert_true(ok);
}

/* ---- the tagging pattern ---------------------------------------------------------------------- */

static void test_moving_tag_ends_on_the_newest_synthetic_push(void **state)
{
    struct tc *c = *state;
    c->m = monday_model();
    fx_tag(c->m, "app", "dev", "m20", "2024-01-22T10:00:00Z", false);   /* updated earlier: stays */
    fx_finish(c->m);
    struct forecast_opts o = opts(90, 3);
    extend(c->m, &o, &c->x, &c->fi);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "app", s);
    size_t n = s->n;
    struct digest newest = n ? s->v[n - 1]->digest : fx_digest("none");
    int64_t newest_t = n ? s->v[n - 1]->created_ns : 0;
    /* every synthetic push but the newest ends untagged */
    const struct repo *rx = repo_of(c->x, "app");
    size_t tagged_syn = 0;
    for (size_t t = 0; t < rx->n_tags; t++)
        for (size_t k = 0; k < n; k++) tagged_syn += !digest_cmp(&rx->manifests[rx->tags[t].manifest].digest, &s->v[k]->digest);
    free(s);
    assert_true(n > 1);
    assert_int_equal(tagged_syn, 1);
    const struct tag *latest = find_tag(rx, "latest"), *dev = find_tag(rx, "dev");
    assert_non_null(latest);
    assert_non_null(dev);
    assert_memory_equal(rx->manifests[latest->manifest].digest.b, newest.b, 32);
    assert_int_equal(latest->updated_ns, newest_t + 1);
    assert_string_equal(fx_label(&rx->manifests[dev->manifest].digest), "m20");
    assert_string_equal(c->fi.repos[0].moving_tag, "latest");
}

static void test_history_of_the_extended_model_starts_from_the_export(void **state)
{
    struct tc *c = *state;
    c->m = fx_finish(monday_model());
    struct forecast_opts o = opts(30, 3);
    extend(c->m, &o, &c->x, &c->fi);
    assert_true(c->fi.synthetic_manifests > 1);
    assert_int_equal(history_build(c->x, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    c->present = calloc(c->h->n_ids + 1, 1);
    c->live = calloc(c->h->n_inst + 1, 1);
    assert_non_null(c->present);
    assert_non_null(c->live);
    const struct repo *ro = repo_of(c->m, "app"), *rx = repo_of(c->x, "app");
    uint32_t r = fx_repo_index(c->x, "app");
    /* at exportedAt: exactly the export's manifests, latest (assumed now) still on m31 */
    history_state_at(c->h, c->m->exported_at_ns, c->present, c->live);
    for (size_t i = 0; i < rx->n_manifests; i++)
        assert_int_equal(c->present[c->h->repo_base[r] + i],
                         model_find_manifest(ro, &rx->manifests[i].digest) != MODEL_NO_MANIFEST);
    size_t live_latest = 0;
    for (size_t k = 0; k < c->h->n_inst; k++)
        if (c->live[k] && !strcmp(c->h->inst[k].name, "latest")) {
            live_latest++;
            assert_string_equal(fx_label(&rx->manifests[c->h->inst[k].manifest].digest), "m31");
        }
    assert_int_equal(live_latest, 1);
    /* at the end: latest on the newest push only */
    history_state_at(c->h, c->x->exported_at_ns, c->present, c->live);
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "app", s);
    struct digest newest = s->v[s->n - 1]->digest;
    free(s);
    live_latest = 0;
    for (size_t k = 0; k < c->h->n_inst; k++)
        if (c->live[k] && !strcmp(c->h->inst[k].name, "latest")) {
            live_latest++;
            assert_memory_equal(rx->manifests[c->h->inst[k].manifest].digest.b, newest.b, 32);
        }
    assert_int_equal(live_latest, 1);
}

static void test_versioned_tags_increment_at_the_observed_share(void **state)
{
    struct tc *c = *state;
    c->m = monday_model();
    fx_tag(c->m, "app", "1.0.0", "m00", "2024-01-08T10:00:00Z", false);
    fx_tag(c->m, "app", "1.0.1", "m10", "2024-01-15T10:00:00Z", false);
    fx_tag(c->m, "app", "1.0.2", "m20", "2024-01-22T10:00:00Z", false);
    fx_tag(c->m, "app", "1.0.3", "m30", "2024-01-29T10:00:00Z", false);
    fx_tag(c->m, "app", "v0.9", "old1", "2023-12-05T10:00:00Z", false);   /* lower */
    fx_tag(c->m, "app", "1.0", "m30", "2024-01-29T10:00:00Z", false);     /* a prefix: lower */
    fx_finish(c->m);
    struct forecast_opts o = opts(1000, 21);
    extend(c->m, &o, &c->x, &c->fi);
    const struct forecast_repo *fr = &c->fi.repos[0];
    assert_true(fr->versioned_share == 0.5);   /* 4 of the 8 recent pushes */
    struct synlist *s = malloc(sizeof *s);
    assert_non_null(s);
    synthetic(c->m, c->x, "app", s);
    const struct repo *rx = repo_of(c->x, "app");
    /* walk the synthetic pushes in time order: their versioned tags count up from 1.0.4 */
    unsigned next = 4;
    size_t with_version = 0, n = s->n;
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        size_t idx = (size_t)(s->v[k] - rx->manifests);
        for (size_t t = 0; t < rx->n_tags; t++) {
            if (rx->tags[t].manifest != idx || !forecast_is_version(rx->tags[t].name)) continue;
            char want[32];
            snprintf(want, sizeof want, "1.0.%u", next++);
            ok &= !strcmp(rx->tags[t].name, want) && rx->tags[t].updated_ns == s->v[k]->created_ns;
            with_version++;
        }
    }
    free(s);
    assert_true(ok);
    assert_int_equal(with_version, fr->versioned);
    assert_int_equal(with_version, c->fi.versioned_tags);
    if (with_version < n * 4 / 10 || with_version > n * 6 / 10)
        fail_msg("%zu of %zu pushes got a versioned tag, expected about half", with_version, n);
    char last[32];
    snprintf(last, sizeof last, "1.0.%u", next - 1);
    assert_string_equal(fr->last_version, last);
    assert_string_equal(fr->moving_tag, "latest");
}

static void test_version_prefix_and_parts_are_kept(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    for (int i = 0; i < 7; i++) {
        char label[32], when[32];
        snprintf(label, sizeof label, "p%d", i);
        snprintf(when, sizeof when, "2024-01-%02dT12:00:00Z", 23 + i);
        fx_manifest(c->m, "lib", label, when, 10, V2);
        char tag[32];
        snprintf(tag, sizeof tag, "v2.%d", 8 + i);   /* v2.8 .. v2.14: 14 > 9 numerically */
        fx_tag(c->m, "lib", tag, label, when, false);
    }
    fx_finish(c->m);
    struct forecast_opts o = opts(30, 2);
    extend(c->m, &o, &c->x, &c->fi);
    const struct forecast_repo *fr = &c->fi.repos[0];
    assert_true(fr->versioned_share == 1.0);
    assert_null(fr->moving_tag);   /* only versioned tags: none moves */
    assert_true(fr->versioned > 0);
    assert_int_equal(fr->versioned, fr->synthetic);
    const struct repo *rx = repo_of(c->x, "lib");
    assert_non_null(find_tag(rx, "v2.15"));
    char last[16];
    snprintf(last, sizeof last, "v2.%zu", 14 + fr->versioned);
    assert_string_equal(fr->last_version, last);
    assert_non_null(find_tag(rx, last));
}

static void test_version_syntax(void **state)
{
    (void)state;
    assert_true(forecast_is_version("1.2.3"));
    assert_true(forecast_is_version("v2.0"));
    assert_true(forecast_is_version("10.20.30.40"));
    assert_false(forecast_is_version("latest"));
    assert_false(forecast_is_version("1"));
    assert_false(forecast_is_version("v1"));
    assert_false(forecast_is_version("1.2.3-rc1"));
    assert_false(forecast_is_version("1..2"));
    assert_false(forecast_is_version("1.2."));
    assert_false(forecast_is_version(".1.2"));
    assert_false(forecast_is_version(""));
    assert_false(forecast_is_version("V1.2"));
}

/* ---- the included-storage crossing ---------------------------------------------------------- */

static void test_included_storage_is_first_exceeded_on_day_k(void **state)
{
    (void)state;
    const uint64_t days[] = {5 * GIB, 8 * GIB, 10 * GIB, 10 * GIB + 1, 12 * GIB, 9 * GIB};
    /* exactly the included amount is not above it */
    assert_int_equal(forecast_first_exceeding(days, 6, (double)GIB, 10), 3);
    assert_int_equal(forecast_first_exceeding(days, 3, (double)GIB, 10), -1);
    assert_int_equal(forecast_first_exceeding(days, 6, (double)GIB, 4), 0);
    assert_int_equal(forecast_first_exceeding(days, 6, (double)GIB, 100), -1);
    assert_int_equal(forecast_first_exceeding(days, 0, (double)GIB, 0), -1);
    /* GB units: 10 GiB is 10.74 GB */
    assert_int_equal(forecast_first_exceeding(days, 6, 1e9, 10.5), 2);
    char buf[64];
    int64_t first = fx_ns("2024-01-29T00:00:00Z");
    assert_string_equal(forecast_exceeding_text(3, first, 90, buf, sizeof buf), "2024-02-01");
    assert_string_equal(forecast_exceeding_text(0, first, 90, buf, sizeof buf), "2024-01-29 (already)");
    assert_string_equal(forecast_exceeding_text(-1, first, 90, buf, sizeof buf), "not within 90 days");
    assert_string_equal(forecast_exceeding_text(-1, first, 1, buf, sizeof buf), "not within 1 day");
}

/* ---- end to end: history, replay, cost, report ------------------------------------------------- */

static char CUR[] = "AUD", UNIT[] = "GiB", DATE[] = "2024-01-01", SRC[] = "test", BASIC[] = "Basic";

/* "old": 20 untagged 256 MiB images from 2023 and one tagged; "app": the Monday repository with
 * 256 MiB pushes. 7.25 GiB at the export; a Basic SKU includes 10 GiB. */
static void forecast_e2e(void **state, int days, uint64_t seed, double dps)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    add_monday_repo(c->m, "app", 0);   /* sizes set below */
    for (int i = 0; i < 21; i++) {
        char label[32], when[32];
        snprintf(label, sizeof label, "o%02d", i);
        snprintf(when, sizeof when, "2023-06-%02dT08:00:00Z", i + 1);
        fx_manifest(c->m, "old", label, when, 256 * MIB, V2);
    }
    fx_tag(c->m, "old", "latest", "o20", "2023-06-21T08:00:00Z", false);
    fx_finish(c->m);
    struct repo *app = &c->m->repos[fx_repo_index(c->m, "app")];
    for (size_t i = 0; i < app->n_manifests; i++) app->manifests[i].size_bytes = 256 * MIB;
    /* the three manifests before the lookback do not count towards 7.25 GiB: drop their bytes */
    for (size_t i = 0; i < app->n_manifests; i++)
        if (app->manifests[i].created_ns < fx_ns("2024-01-08T00:00:00Z")) app->manifests[i].size_bytes = 0;

    struct forecast_opts o = opts(days, seed);
    o.deletes_per_second = dps;
    extend(c->m, &o, &c->x, &c->fi);
    assert_int_equal(history_build(c->x, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    struct purgecmd_opts po = {ACR_CLI_CURRENT, 2};
    assert_int_equal(policy_parse_quick(c->ps, "untagged=acr purge --filter '.*:^none$' --ago 0d --untagged", &po, &c->d),
                     PS_OK);
    policy_add_baseline(c->ps);
    struct replay_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.from_ns = c->fi.start_ns;
    ro.to_ns = c->fi.end_ns - 1;   /* as the forecast command replays */
    ro.jobs = 1;
    assert_int_equal(replay_run(c->h, c->ps, &ro, &c->rr), PS_OK);
    static struct pricing price;
    memset(&price, 0, sizeof price);
    price.currency = CUR;
    price.unit = UNIT;
    price.unit_bytes = (double)GIB;
    price.date = DATE;
    price.source = SRC;
    price.overage_per_unit_day = 0.005;
    price.skus[0].name = BASIC;
    price.skus[0].fee_per_day = 0.25;
    price.skus[0].included_units = 10;
    price.n_skus = 1;
    struct cost_opts co = {&price, &price.skus[0], 1, 0, NULL, false, 0};
    assert_int_equal(cost_compute(&c->rr, &co, &c->cost), PS_OK);
    assert_int_equal(forecast_report_build(&c->rr, &c->cost, &c->fi, &o, &c->rep), PS_OK);
}

static size_t policy_index(const struct replay_result *rr, const char *name)
{
    for (size_t i = 0; i < rr->n_pol; i++)
        if (!strcmp(rr->pol[i].p->name, name)) return i;
    fail_msg("no policy [%s]", name);
    return 0;
}

static void test_forecast_end_to_end_crossing_date_per_policy(void **state)
{
    struct tc *c = *state;
    forecast_e2e(state, 120, 1, FORECAST_DEFAULT_DELETES_PER_SECOND);
    const struct replay_result *rr = &c->rr;
    assert_int_equal(rr->n_days, 121);   /* the export's day and 120 more */
    size_t base = policy_index(rr, "baseline"), pol = policy_index(rr, "untagged");
    const struct forecast_policy *fb = &c->rep.pol[base], *fp = &c->rep.pol[pol];
    /* the baseline grows only on Mondays: it crosses 10 GiB on one */
    /* the export's 7.25 GiB, plus what is pushed on the evening of the export */
    assert_true(fb->stored_units[0] >= 7.25);
    assert_true(fb->stored_units[0] * 4 == (double)(uint64_t)(fb->stored_units[0] * 4));
    assert_true(fb->quota_day > 0);
    size_t k = (size_t)fb->quota_day;
    assert_true(fb->stored_units[k] > 10.0);
    assert_true(fb->stored_units[k - 1] <= 10.0);
    assert_int_equal(forecast_weekday(fb->quota_day_ns), 1);
    assert_int_equal(fb->quota_day_ns, rr->first_day_ns + (int64_t)k * DAY_NS);
    /* deleting untagged images every night keeps it far below */
    assert_int_equal(fp->quota_day, -1);
    char buf[64];
    assert_string_equal(forecast_exceeding_text(fp->quota_day, rr->first_day_ns, 120, buf, sizeof buf),
                        "not within 120 days");
    /* months: January's 3 days, then February .. May */
    assert_int_equal(fb->n_months, 5);
    assert_int_equal(fb->months[0].days, 3);
    assert_int_equal(fb->months[1].days, 29);
    size_t total_days = 0;
    for (size_t m = 0; m < fb->n_months; m++) total_days += fb->months[m].days;
    assert_int_equal(total_days, rr->n_days);
    assert_true(fb->months[1].sku_fee == 29 * 0.25);
    assert_true(fp->per_month < fb->per_month);
}

static void test_first_run_duration_uses_the_delete_rate(void **state)
{
    struct tc *c = *state;
    forecast_e2e(state, 10, 1, FORECAST_DEFAULT_DELETES_PER_SECOND);
    size_t pol = policy_index(&c->rr, "untagged"), base = policy_index(&c->rr, "baseline");
    const struct forecast_first_run *r = &c->rep.pol[pol].first_run;
    assert_int_equal(r->t_ns, fx_ns("2024-01-30T00:00:00Z"));   /* the first midnight */
    /* 20 old untagged images, 7 untagged Monday pushes, and those synthesised before midnight */
    assert_true(r->manifests >= 27);
    assert_int_equal(r->tags, 0);
    assert_true(r->seconds == (double)r->manifests / 5.0);
    assert_false(r->too_long);
    assert_int_equal(r->deletable_in_timeout, r->manifests);
    assert_int_equal(c->rep.n_too_long, 0);
    assert_int_equal(c->rep.pol[base].first_run.t_ns, INT64_MAX);   /* the baseline never runs */
    assert_false(c->rep.pol[base].first_run.too_long);

    /* at 1 deletion per 200 s, 27+ deletions take more than the hour */
    struct forecast_first_run slow;
    forecast_first_run(&c->rr, pol, 0.005, &slow);
    assert_int_equal(slow.manifests, r->manifests);
    assert_true(slow.seconds == (double)r->manifests / 0.005);
    assert_true(slow.too_long);
    assert_int_equal(slow.deletable_in_timeout, 18);
}

static void test_slow_delete_rate_flags_the_policy_in_the_report(void **state)
{
    struct tc *c = *state;
    forecast_e2e(state, 10, 1, 0.005);
    size_t pol = policy_index(&c->rr, "untagged");
    assert_true(c->rep.pol[pol].first_run.too_long);
    assert_int_equal(c->rep.n_too_long, 1);
    assert_true(c->rep.o.deletes_per_second == 0.005);
}

static void test_first_run_counts_tags_and_manifests_not_cascades(void **state)
{
    struct tc *c = *state;
    c->m = fx_model(NULL);
    fx_exported_at(c->m, EXPORTED);
    for (int i = 0; i < 5; i++) {
        char label[32], tag[32];
        snprintf(label, sizeof label, "t%d", i);
        snprintf(tag, sizeof tag, "pr-%d", i);
        fx_manifest(c->m, "web", label, "2023-05-01T00:00:00Z", 10, V2);
        fx_tag(c->m, "web", tag, label, "2023-05-01T00:00:00Z", false);
    }
    fx_manifest(c->m, "web", "sig", "2023-05-01T00:00:01Z", 1, OCI);
    fx_subject(c->m, "web", "sig", "t0");
    fx_finish(c->m);
    struct forecast_opts o = opts(3, 1);
    o.deletes_per_second = 2;
    extend(c->m, &o, &c->x, &c->fi);
    assert_int_equal(history_build(c->x, UNTAG_NEXT_PUSH, &c->h), PS_OK);
    struct purgecmd_opts po = {ACR_CLI_CURRENT, 2};
    assert_int_equal(
        policy_parse_quick(c->ps, "prs=az acr task create --name p --registry myreg --schedule \"30 6 * * *\" "
                                  "--cmd \"acr purge --filter 'web:^pr-.*' --ago 0d --untagged\" --context /dev/null",
                           &po, &c->d),
        PS_OK);
    policy_add_baseline(c->ps);
    struct replay_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.from_ns = c->fi.start_ns;
    ro.to_ns = c->fi.end_ns - 1;   /* as the forecast command replays */
    ro.jobs = 1;
    assert_int_equal(replay_run(c->h, c->ps, &ro, &c->rr), PS_OK);
    struct forecast_first_run r;
    forecast_first_run(&c->rr, policy_index(&c->rr, "prs"), 2, &r);
    assert_int_equal(r.t_ns, fx_ns("2024-01-30T06:30:00Z"));
    assert_int_equal(r.tags, 5);
    assert_int_equal(r.manifests, 5);
    assert_int_equal(r.cascades, 1);
    assert_true(r.seconds == 5.0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_weekday_is_utc_with_sunday_zero),
        T(test_two_pushes_per_monday_give_a_monday_rate_of_two),
        T(test_rate_divides_by_the_weekdays_the_lookback_holds),
        T(test_future_pushes_fall_only_on_mondays_near_the_expected_count),
        T(test_mean_count_over_seeds_matches_the_rate),
        T(test_repository_without_recent_pushes_gets_none),
        T(test_extended_model_keeps_every_export_manifest_and_tag),
        T(test_missing_exported_at_and_bad_options_are_refused),
        T(test_too_many_synthetic_pushes_hit_the_limit),
        T(test_same_seed_gives_the_same_extended_model),
        T(test_different_seed_gives_different_pushes),
        T(test_adding_a_repository_does_not_change_another),
        T(test_sizes_are_drawn_only_from_recent_pushes),
        T(test_synthetic_push_shares_all_but_its_top_layer),
        T(test_top_fifth_of_layers_is_fresh),
        T(test_index_push_becomes_one_image_with_its_childrens_blobs),
        T(test_moving_tag_ends_on_the_newest_synthetic_push),
        T(test_history_of_the_extended_model_starts_from_the_export),
        T(test_versioned_tags_increment_at_the_observed_share),
        T(test_version_prefix_and_parts_are_kept),
        T(test_version_syntax),
        T(test_included_storage_is_first_exceeded_on_day_k),
        T(test_forecast_end_to_end_crossing_date_per_policy),
        T(test_first_run_duration_uses_the_delete_rate),
        T(test_slow_delete_rate_flags_the_policy_in_the_report),
        T(test_first_run_counts_tags_and_manifests_not_cascades),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
