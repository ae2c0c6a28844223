/* test_generate.c - unit tests for generate.h: determinism, ingestible output, bundle shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "diag.h"
#include "fixtures.h"
#include "generate.h"
#include "ingest.h"
#include "model.h"
#include "timeu.h"

/* ---- helpers ------------------------------------------------------------------------- */

struct bundle {
    char *buf;
    size_t len;
};

static struct generate_opts opts_for(enum generate_scale scale, uint64_t seed)
{
    struct generate_opts o;
    generate_opts_default(&o);
    o.scale = scale;
    o.seed = seed;
    return o;
}

/* Generates into memory; fails the test on error. Free b->buf. */
static struct bundle gen_mem(const struct generate_opts *o, struct generate_stats *st)
{
    struct bundle b = {NULL, 0};
    FILE *fp = open_memstream(&b.buf, &b.len);
    assert_non_null(fp);
    assert_int_equal(generate_bundle(fp, o, st), PS_OK);
    assert_int_equal(fclose(fp), 0);
    return b;
}

/* Generates and ingests with the project's ingest; fails the test on any error. */
static struct model *gen_model(const struct generate_opts *o, struct generate_stats *st)
{
    struct bundle b = gen_mem(o, st);
    char *path = fx_write_temp("gen", b.buf, b.len);
    struct model *m = NULL;
    struct diag d;
    memset(&d, 0, sizeof d);
    struct ingest_opts io = {NULL, NULL, 0, 0};
    int rc = ingest_load(path, &io, &m, &d);
    if (rc != PS_OK) diag_print(&d, stderr);
    diag_free(&d);
    unlink(path);
    free(path);
    free(b.buf);
    assert_int_equal(rc, PS_OK);
    assert_non_null(m);
    return m;
}

struct counts {
    size_t repos, manifests, indexes, children, referrers, untagged, locked, tags;
};

/* Counts from the ingested model, checking per-manifest invariants on the way. */
static struct counts model_counts(const struct model *m, const struct generate_opts *o)
{
    struct counts c;
    memset(&c, 0, sizeof c);
    int64_t lo = o->exported_at_ns - (int64_t)o->days * TIMEU_NS_PER_DAY;
    c.repos = m->n_repos;
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        bool *tagged = calloc(rp->n_manifests + 1, sizeof *tagged);
        assert_non_null(tagged);
        for (size_t i = 0; i < rp->n_tags; i++) {
            const struct tag *t = &rp->tags[i];
            /* every tag points at a manifest of its repository */
            assert_true(t->manifest < rp->n_manifests);
            tagged[t->manifest] = true;
            assert_int_equal(t->updated_state, TIME_OK);
            assert_true(t->created_ns <= t->updated_ns);
            assert_true(t->created_ns >= lo && t->updated_ns <= o->exported_at_ns);
            assert_true(t->updated_ns >= rp->manifests[t->manifest].created_ns);
        }
        for (size_t i = 0; i < rp->n_manifests; i++) {
            const struct manifest *mf = &rp->manifests[i];
            assert_int_equal(mf->created_state, TIME_OK);
            assert_int_equal(mf->updated_state, TIME_OK);
            assert_true(mf->created_ns >= lo);
            assert_true(mf->created_ns <= mf->updated_ns);
            assert_true(mf->updated_ns <= o->exported_at_ns);
            assert_int_not_equal(mf->media, MEDIA_NONE);
            assert_int_not_equal(mf->media, MEDIA_OTHER);
            if (media_is_index(mf->media)) {
                c.indexes++;
                assert_in_range(mf->n_children, 2, 3);
                assert_int_equal(mf->size_bytes, 0);
                for (uint32_t k = 0; k < mf->n_children; k++) {
                    const struct manifest *ch = &rp->manifests[mf->children[k]];
                    assert_false(media_is_index(ch->media));
                    assert_true(ch->created_ns <= mf->created_ns);
                }
                c.children += mf->n_children;
            } else {
                /* layers are known for every image and referrer, so storage dedups exactly */
                assert_true(mf->layers_known);
                assert_true(mf->n_layers >= 1);
                assert_true(mf->size_bytes > 0);
            }
            if (mf->has_subject) {
                c.referrers++;
                assert_int_not_equal(mf->subject, MODEL_NO_MANIFEST);
                assert_true(rp->manifests[mf->subject].created_ns <= mf->created_ns);
            }
            if (manifest_is_locked(mf)) c.locked++;
        }
        /* children and referrers are never tagged */
        for (size_t i = 0; i < rp->n_manifests; i++) {
            const struct manifest *mf = &rp->manifests[i];
            if (mf->has_subject) assert_false(tagged[i]);
            for (uint32_t k = 0; k < mf->n_children; k++) assert_false(tagged[mf->children[k]]);
            if (!tagged[i]) c.untagged++;
        }
        free(tagged);
        c.manifests += rp->n_manifests;
        c.tags += rp->n_tags;
    }
    assert_int_equal(c.manifests, m->n_manifests);
    assert_int_equal(m->odd.dangling_children, 0);
    assert_int_equal(m->odd.bad_times + m->odd.missing_times + m->odd.missing_media, 0);
    assert_int_equal(m->odd.missing_attrs + m->odd.tags_from_manifests, 0);
    return c;
}

static void check_stats_match(const struct counts *c, const struct generate_stats *st)
{
    assert_int_equal(c->repos, st->repos);
    assert_int_equal(c->manifests, st->manifests);
    assert_int_equal(c->indexes, st->indexes);
    assert_int_equal(c->children, st->children);
    assert_int_equal(c->referrers, st->signatures + st->sboms);
    assert_int_equal(c->untagged, st->untagged_manifests);
    assert_int_equal(c->locked, st->locked_manifests);
    assert_int_equal(c->tags, st->tags);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

struct blob_seen {
    char digest[72];
    double size;
};

static int blob_cmp(const void *a, const void *b)
{
    return strcmp(((const struct blob_seen *)a)->digest, ((const struct blob_seen *)b)->digest);
}

/* ---- determinism ----------------------------------------------------------------------- */

static void test_same_seed_gives_identical_bytes(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_SMALL, 7);
    struct bundle a = gen_mem(&o, NULL), b = gen_mem(&o, NULL);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    free(a.buf);
    free(b.buf);
}

static void test_different_seed_gives_different_bytes(void **state)
{
    (void)state;
    struct generate_opts o1 = opts_for(GENERATE_SCALE_TINY, 1);
    struct generate_opts o2 = opts_for(GENERATE_SCALE_TINY, 2);
    struct bundle a = gen_mem(&o1, NULL), b = gen_mem(&o2, NULL);
    assert_true(a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0);
    free(a.buf);
    free(b.buf);
}

static void test_stats_count_the_bytes_written(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_TINY, 3);
    struct generate_stats st;
    struct bundle a = gen_mem(&o, &st);
    assert_int_equal(st.bytes_written, a.len);
    free(a.buf);
}

/* ---- ingestible output and shape ------------------------------------------------------- */

static void test_tiny_ingests_and_shows_every_feature(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct generate_opts o = opts_for(GENERATE_SCALE_TINY, seed);
        struct generate_stats st;
        struct model *m = gen_model(&o, &st);
        struct counts c = model_counts(m, &o);
        check_stats_match(&c, &st);
        assert_int_equal(c.repos, 1);
        assert_in_range(c.manifests, 18, 26);
        assert_int_equal(c.indexes, 2);          /* two multi-arch releases */
        assert_int_equal(c.children, 4);
        assert_in_range(c.referrers, 3, 10);     /* signatures on releases, SBOMs */
        assert_true(st.signatures >= 2 && st.sboms >= 1);
        assert_in_range(c.locked, 1, 2);         /* the first release is pinned */
        assert_in_range(c.untagged, 6, 14);
        assert_string_equal(m->registry, "synth.azurecr.io");
        assert_string_equal(m->sku, "Basic");
        assert_true(m->has_exported_at);
        assert_int_equal(m->exported_at_ns, o.exported_at_ns);
        /* moving, semver, sha and PR tags are all there */
        const struct repo *rp = &m->repos[0];
        bool latest = false, main_tag = false, dev = false, pr = false, sha = false, semver = false;
        for (size_t i = 0; i < rp->n_tags; i++) {
            const char *n = rp->tags[i].name;
            latest |= !strcmp(n, "latest");
            main_tag |= !strcmp(n, "main");
            dev |= !strcmp(n, "dev");
            pr |= !strncmp(n, "pr-", 3);
            sha |= !strncmp(n, "sha-", 4) && strlen(n) == 11;
            semver |= strchr(n, '.') != NULL;
        }
        assert_true(latest && main_tag && dev && pr && sha && semver);
        model_free(m);
    }
}

static void test_small_ingests_with_counts_in_range(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct generate_opts o = opts_for(GENERATE_SCALE_SMALL, seed);
        struct generate_stats st;
        struct model *m = gen_model(&o, &st);
        struct counts c = model_counts(m, &o);
        check_stats_match(&c, &st);
        size_t n = c.manifests;
        assert_int_equal(c.repos, 20);
        assert_in_range(n, 1900, 2100);
        assert_in_range(c.indexes, 1, n / 5);
        assert_in_range(c.referrers, 1, n / 5);
        assert_in_range(c.untagged, n * 2 / 5, n * 19 / 20);   /* most pushes end untagged */
        assert_in_range(c.locked, 1, n / 50);
        assert_true(c.tags > 0);
        assert_string_equal(m->sku, "Standard");
        /* layers are shared: far fewer distinct blobs than layer references */
        size_t refs = 0;
        for (size_t r = 0; r < m->n_repos; r++)
            for (size_t i = 0; i < m->repos[r].n_manifests; i++)
                refs += m->repos[r].manifests[i].n_layers;
        assert_true(m->n_blobs * 2 < refs);
        model_free(m);
    }
}

static void test_repositories_are_sorted_and_unique(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_SMALL, 4);
    struct bundle b = gen_mem(&o, NULL);
    cJSON *doc = cJSON_ParseWithLength(b.buf, b.len);
    assert_non_null(doc);
    const cJSON *repos = get(doc, "repositories"), *r;
    const char *prev = NULL;
    cJSON_ArrayForEach(r, repos)
    {
        const char *name = get(r, "name")->valuestring;
        if (prev) assert_true(strcmp(prev, name) < 0);
        prev = name;
    }
    cJSON_Delete(doc);
    free(b.buf);
}

/* Blob sizes agree everywhere; imageSize is the sum of the listed blobs; manifest tag lists
 * and the show-tags list agree both ways; moving tags sit where they were last pushed. */
static void test_bundle_is_self_consistent(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_SMALL, 1);
    struct bundle b = gen_mem(&o, NULL);
    cJSON *doc = cJSON_ParseWithLength(b.buf, b.len);
    assert_non_null(doc);
    size_t cap = 1 << 14, n = 0;
    struct blob_seen *seen = malloc(cap * sizeof *seen);
    assert_non_null(seen);
    const cJSON *r;
    cJSON_ArrayForEach(r, get(doc, "repositories"))
    {
        const cJSON *mf, *tg;
        size_t tag_refs = 0;
        cJSON_ArrayForEach(mf, get(r, "manifests"))
        {
            const cJSON *layers = get(mf, "layers"), *l;
            double sum = 0;
            cJSON_ArrayForEach(l, layers)
            {
                if (n == cap) {
                    cap *= 2;
                    struct blob_seen *grown = realloc(seen, cap * sizeof *seen);
                    assert_non_null(grown);
                    seen = grown;
                }
                const char *dg = get(l, "digest")->valuestring;
                snprintf(seen[n].digest, sizeof seen[n].digest, "%s", dg);
                seen[n++].size = get(l, "size")->valuedouble;
                sum += get(l, "size")->valuedouble;
            }
            assert_true(get(mf, "imageSize")->valuedouble == sum);
            const char *lu = get(mf, "lastUpdateTime")->valuestring;
            assert_int_equal(strlen(lu), 28);          /* 7 fractional digits and Z */
            assert_int_equal(lu[19], '.');
            assert_int_equal(lu[27], 'Z');
            const cJSON *t;
            cJSON_ArrayForEach(t, get(mf, "tags"))
            {
                /* each tag on a manifest is in the tags list with this digest */
                bool found = false;
                cJSON_ArrayForEach(tg, get(r, "tags"))
                {
                    if (!strcmp(get(tg, "name")->valuestring, t->valuestring)) {
                        assert_string_equal(get(tg, "digest")->valuestring,
                                            get(mf, "digest")->valuestring);
                        found = true;
                    }
                }
                assert_true(found);
                tag_refs++;
            }
        }
        assert_int_equal(tag_refs, (size_t)cJSON_GetArraySize(get(r, "tags")));
        cJSON_ArrayForEach(tg, get(r, "tags"))
        {
            const char *name = get(tg, "name")->valuestring;
            if (strcmp(name, "main") && strcmp(name, "dev") && strncmp(name, "pr-", 3)) continue;
            /* a moving CI tag was last set by the push of the manifest it points at */
            cJSON_ArrayForEach(mf, get(r, "manifests"))
            {
                const char *want = get(tg, "digest")->valuestring;
                if (strcmp(get(mf, "digest")->valuestring, want) != 0) continue;
                assert_string_equal(get(tg, "lastUpdateTime")->valuestring,
                                    get(mf, "createdTime")->valuestring);
            }
        }
    }
    qsort(seen, n, sizeof *seen, blob_cmp);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(seen[i].digest, seen[i - 1].digest))
            assert_true(seen[i].size == seen[i - 1].size);
    free(seen);
    cJSON_Delete(doc);
    free(b.buf);
}

static void test_days_and_exported_at_bound_every_time(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_TINY, 5);
    assert_true(timeu_parse_user("2024-03-01", &o.exported_at_ns));
    o.days = 30;
    struct generate_stats st;
    struct model *m = gen_model(&o, &st);
    model_counts(m, &o);   /* asserts every time is within [exportedAt - 30d, exportedAt] */
    assert_int_equal(m->exported_at_ns, o.exported_at_ns);
    model_free(m);
}

/* ---- options and the command line ------------------------------------------------------ */

static void test_scale_names_parse(void **state)
{
    (void)state;
    static const char *const names[] = {"tiny", "small", "medium", "large", "xl"};
    for (int i = 0; i < 5; i++) {
        enum generate_scale s = GENERATE_SCALE_XL;
        assert_true(generate_scale_parse(names[i], &s));
        assert_int_equal(s, i);
        assert_string_equal(generate_scale_name(s), names[i]);
    }
    enum generate_scale s = GENERATE_SCALE_TINY;
    assert_false(generate_scale_parse("huge", &s));
    assert_false(generate_scale_parse("Small", &s));
    assert_false(generate_scale_parse("", &s));
    assert_int_equal(s, GENERATE_SCALE_TINY);   /* untouched on failure */
    size_t repos, manifests;
    generate_scale_targets(GENERATE_SCALE_LARGE, &repos, &manifests);
    assert_int_equal(repos, 5000);
    assert_int_equal(manifests, 1000000);
}

static void test_invalid_opts_are_refused(void **state)
{
    (void)state;
    struct generate_opts o = opts_for(GENERATE_SCALE_TINY, 1);
    o.days = 0;
    assert_int_equal(generate_bundle(stdout, &o, NULL), ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_gives_identical_bytes),
        cmocka_unit_test(test_different_seed_gives_different_bytes),
        cmocka_unit_test(test_stats_count_the_bytes_written),
        cmocka_unit_test(test_tiny_ingests_and_shows_every_feature),
        cmocka_unit_test(test_small_ingests_with_counts_in_range),
        cmocka_unit_test(test_repositories_are_sorted_and_unique),
        cmocka_unit_test(test_bundle_is_self_consistent),
        cmocka_unit_test(test_days_and_exported_at_bound_every_time),
        cmocka_unit_test(test_scale_names_parse),
        cmocka_unit_test(test_invalid_opts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
