/* test_ingest.c - unit tests for reading a bundle's repositories on several threads
 * (ingest_bundle.c on a workpool): the model and every message must be exactly those of reading the
 * repositories one by one, whatever the thread count and wherever a repository is too long
 * to hand to a worker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "fixtures.h"
#include "generate.h"
#include "ingest.h"
#include "jstream.h"
#include "model.h"
#include "prng.h"

/* ---- helpers ------------------------------------------------------------------------- */

struct outcome {
    int rc;
    struct model *m;       /* NULL unless rc == PS_OK */
    char *messages;        /* diag_print's text */
};

static struct outcome load(const char *path, int jobs, size_t span_limit)
{
    struct outcome o = {0, NULL, NULL};
    struct diag d;
    memset(&d, 0, sizeof d);
    struct ingest_opts io = {NULL, NULL, jobs, span_limit};
    o.rc = ingest_load(path, &io, &o.m, &d);
    size_t len = 0;
    FILE *fp = open_memstream(&o.messages, &len);
    assert_non_null(fp);
    diag_print(&d, fp);
    assert_int_equal(fclose(fp), 0);
    diag_free(&d);
    return o;
}

static void outcome_free(struct outcome *o)
{
    model_free(o->m);
    free(o->messages);
}

static void assert_str_eq_null(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

/* Every field of two models, blob ids included. */
static void assert_models_equal(const struct model *a, const struct model *b)
{
    assert_str_eq_null(a->registry, b->registry);
    assert_str_eq_null(a->sku, b->sku);
    assert_int_equal(a->exported_at_ns, b->exported_at_ns);
    assert_int_equal(a->n_repos, b->n_repos);
    assert_int_equal(a->n_manifests, b->n_manifests);
    assert_int_equal(a->n_tags, b->n_tags);
    assert_memory_equal(&a->odd, &b->odd, sizeof a->odd);
    assert_int_equal(a->n_blobs, b->n_blobs);
    for (size_t i = 0; i < a->n_blobs; i++) {
        assert_memory_equal(&a->blobs[i].digest, &b->blobs[i].digest, sizeof a->blobs[i].digest);
        assert_int_equal(a->blobs[i].size_bytes, b->blobs[i].size_bytes);
    }
    for (size_t r = 0; r < a->n_repos; r++) {
        const struct repo *x = &a->repos[r], *y = &b->repos[r];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->n_manifests, y->n_manifests);
        assert_int_equal(x->n_tags, y->n_tags);
        for (size_t i = 0; i < x->n_manifests; i++) {
            const struct manifest *p = &x->manifests[i], *q = &y->manifests[i];
            assert_memory_equal(&p->digest, &q->digest, sizeof p->digest);
            assert_int_equal(p->size_bytes, q->size_bytes);
            assert_int_equal(p->created_ns, q->created_ns);
            assert_int_equal(p->updated_ns, q->updated_ns);
            assert_str_eq_null(p->created_raw, q->created_raw);
            assert_str_eq_null(p->updated_raw, q->updated_raw);
            assert_int_equal(p->n_children, q->n_children);
            if (p->n_children) assert_memory_equal(p->children, q->children, p->n_children * sizeof *p->children);
            assert_int_equal(p->n_layers, q->n_layers);
            if (p->n_layers) assert_memory_equal(p->layers, q->layers, p->n_layers * sizeof *p->layers);
            assert_int_equal(p->subject, q->subject);
            assert_int_equal(p->has_subject, q->has_subject);
            assert_int_equal(p->layers_known, q->layers_known);
            assert_int_equal(p->delete_enabled, q->delete_enabled);
            assert_int_equal(p->write_enabled, q->write_enabled);
            assert_int_equal(p->media, q->media);
            assert_int_equal(p->created_state, q->created_state);
            assert_int_equal(p->updated_state, q->updated_state);
        }
        for (size_t i = 0; i < x->n_tags; i++) {
            const struct tag *p = &x->tags[i], *q = &y->tags[i];
            assert_string_equal(p->name, q->name);
            assert_int_equal(p->manifest, q->manifest);
            assert_int_equal(p->created_ns, q->created_ns);
            assert_int_equal(p->updated_ns, q->updated_ns);
            assert_str_eq_null(p->updated_raw, q->updated_raw);
            assert_int_equal(p->delete_enabled, q->delete_enabled);
            assert_int_equal(p->write_enabled, q->write_enabled);
            assert_int_equal(p->updated_state, q->updated_state);
        }
    }
}

/* Thread counts and span limits (0: the default; 1: every repository is read by the reading
 * thread itself; 2000: some are, some are not) to compare with reading one by one. */
static const struct {
    int jobs;
    size_t span_limit;
} VARIANTS[] = {{2, 0}, {3, 0}, {8, 0}, {2, 1}, {2, 2000}, {4, 2000}};
#define N_VARIANTS (sizeof VARIANTS / sizeof VARIANTS[0])

/* ---- the model ------------------------------------------------------------------------- */

static void check_generated(enum generate_scale scale, uint64_t seed)
{
    struct generate_opts go;
    generate_opts_default(&go);
    go.scale = scale;
    go.seed = seed;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(generate_bundle(fp, &go, NULL), PS_OK);
    assert_int_equal(fclose(fp), 0);
    char *path = fx_write_temp("ingest", buf, len);
    struct outcome one = load(path, 1, 0);
    assert_int_equal(one.rc, PS_OK);
    assert_true(one.m->n_repos >= 1);
    for (size_t v = 0; v < N_VARIANTS; v++) {
        struct outcome many = load(path, VARIANTS[v].jobs, VARIANTS[v].span_limit);
        assert_int_equal(many.rc, PS_OK);
        assert_string_equal(many.messages, "");
        assert_models_equal(one.m, many.m);
        outcome_free(&many);
    }
    outcome_free(&one);
    unlink(path);
    free(path);
    free(buf);
}

static void test_generated_tiny_same_model(void **state)
{
    (void)state;
    check_generated(GENERATE_SCALE_TINY, 1);
    check_generated(GENERATE_SCALE_TINY, 7);
}

static void test_generated_small_same_model(void **state)
{
    (void)state;
    check_generated(GENERATE_SCALE_SMALL, 3);
}

/* ---- messages ------------------------------------------------------------------------- */

#define D(n) "\"sha256:" n "\""
#define D1 D("1111111111111111111111111111111111111111111111111111111111111111")
#define D2 D("2222222222222222222222222222222222222222222222222222222222222222")
#define D3 D("3333333333333333333333333333333333333333333333333333333333333333")
#define L1 D("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
#define L2 D("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
#define TIME "\"2026-01-02T03:04:05Z\""
#define MAN(dg, size) \
    "{\"digest\":" dg ",\"imageSize\":" size ",\"createdTime\":" TIME ",\"lastUpdateTime\":" TIME \
    ",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[{\"digest\":" L1 \
    ",\"size\":10},{\"digest\":" L2 ",\"size\":20}]}"
#define TAG(name, dg) "{\"name\":\"" name "\",\"digest\":" dg ",\"createdTime\":" TIME ",\"lastUpdateTime\":" TIME "}"
#define REPO(name, mans, tags) "\n    {\"name\": " name ",\n     \"manifests\": [" mans "],\n     \"tags\": [" tags "]}"
#define GOOD(name) REPO("\"" name "\"", MAN(D1, "5") ",\n" MAN(D2, "6"), TAG("v1", D1))
#define BUNDLE(repos) "{\"registry\": \"r.azurecr.io\", \"exportedAt\": " TIME ",\n \"repositories\": [" repos "\n ]}\n"

static const struct {
    const char *name;
    const char *text;
    const char *expect;        /* a part of the first message */
    size_t messages;           /* how many (diag's total) */
} BAD[] = {
    {"field errors in two repositories, reading goes on",
     BUNDLE(GOOD("a") "," REPO("\"b\"", MAN(D1, "\"x\""), "") "," GOOD("c") "," REPO("\"d\"", MAN(D3, "-1"), "")),
     "repositories[1].manifests[0].imageSize: expected a non-negative integer", 2},
    {"a repository named twice",
     BUNDLE(GOOD("a") "," GOOD("b") "," GOOD("a") "," GOOD("c")), "repository \"a\" appears twice", 1},
    {"a named-twice repository with a bad tag reports the name only",
     BUNDLE(GOOD("a") "," REPO("\"a\"", MAN(D1, "5"), TAG("v", D2))), "repository \"a\" appears twice", 1},
    {"a tag at an unknown digest stops reading",
     BUNDLE(GOOD("a") "," REPO("\"b\"", MAN(D1, "5"), TAG("v", D3)) "," REPO("\"c\"", MAN(D1, "\"x\""), "")),
     "tag \"v\" points at sha256:3333", 1},
    {"a syntax error stops reading; field errors before it stay",
     BUNDLE(REPO("\"a\"", MAN(D1, "\"x\""), "") "," GOOD("b") ",\n {\"name\": \"c\" \"manifests\": []}," REPO("\"d\"", MAN(D1, "\"y\""), "")),
     "expected a non-negative integer", 2},
    {"the file ends inside a repository",
     "{\"repositories\": [" GOOD("a") ",\n {\"name\": \"b\", \"manifests\": [" MAN(D1, "5"), "manifests: expected ',' or ']', got end of file", 1},
    {"the file ends after a repository", "{\"repositories\": [" GOOD("a") "," GOOD("b"), "expected ',' or ']', got end of file", 1},
    {"no comma between repositories", "{\"repositories\": [" GOOD("a") GOOD("b") "]}", "expected ',' or ']', got '{'", 1},
    {"a repository that is not an object", BUNDLE(GOOD("a") ",\n 42," GOOD("b")), "expected '{', got '4'", 1},
    {"a repository without a name", BUNDLE(GOOD("a") ",\n {\"manifests\": []}"), "repository has no \"name\"", 1},
    {"an empty repository name", BUNDLE(GOOD("a") "," REPO("\"\"", "", "")), "repository name is empty", 1},
    {"a stray closing bracket", BUNDLE(GOOD("a") ",\n {\"name\": \"b\", \"manifests\": [}]," GOOD("c")), "unexpected '}'", 1},
    {"brackets that do not match", BUNDLE(GOOD("a") ",\n {\"name\": \"b\", \"manifests\": [" MAN(D1, "5") "}]," GOOD("c")),
     "expected ',' or ']', got '}'", 1},
    {"invalid UTF-8 in a later repository", BUNDLE(GOOD("a") "," REPO("\"b\xff\"", "", "")), "invalid UTF-8", 1},
    {"a bad top-level field after the repositories", "{\"repositories\": [" GOOD("a") "], \"sku\": 3}", "expected a string, got 3", 1},
    {"a name that is not a string", BUNDLE(GOOD("a") "," REPO("7", "", "") "," REPO("\"c\"", MAN(D1, "\"x\""), "")),
     "expected a string, got 7", 1},
    {"conflicting duplicate manifests", BUNDLE(GOOD("a") "," REPO("\"b\"", MAN(D1, "5") "," MAN(D1, "6"), "")),
     "appears twice in repository \"b\" with different contents", 1},
    {"more errors than are kept",
     BUNDLE(REPO("\"a\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"b\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"c\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"d\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"e\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"f\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"g\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "") "," REPO("\"h\"", MAN(D1, "\"x\"") "," MAN(D2, "\"x\"") "," MAN(D3, "\"x\""), "")),
     "repositories[0].manifests[0].imageSize", 24},
};

static void test_bad_bundles_same_messages(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof BAD / sizeof BAD[0]; k++) {
        char *path = fx_write_temp("ingest", BAD[k].text, strlen(BAD[k].text));
        struct outcome one = load(path, 1, 0);
        if (one.rc == PS_OK || !strstr(one.messages, BAD[k].expect))
            fail_msg("case \"%s\": expected a message with \"%s\", got rc %d:\n%s", BAD[k].name, BAD[k].expect,
                     one.rc, one.messages);
        /* messages are one per line, plus "... and N more errors" when some were not kept */
        size_t lines = 0, more = 0;
        for (const char *p = one.messages; *p; p++) lines += *p == '\n';
        const char *and_more = strstr(one.messages, "... and ");
        if (and_more) {
            more = strtoul(and_more + 8, NULL, 10);
            lines--;
        }
        if (lines + more != BAD[k].messages)
            fail_msg("case \"%s\": expected %zu messages, got %zu:\n%s", BAD[k].name, BAD[k].messages, lines + more,
                     one.messages);
        for (size_t v = 0; v < N_VARIANTS; v++) {
            struct outcome many = load(path, VARIANTS[v].jobs, VARIANTS[v].span_limit);
            if (many.rc != one.rc || strcmp(many.messages, one.messages) != 0)
                fail_msg("case \"%s\", %d threads, span limit %zu: rc %d, messages:\n%s\nexpected rc %d:\n%s",
                         BAD[k].name, VARIANTS[v].jobs, VARIANTS[v].span_limit, many.rc, many.messages, one.rc,
                         one.messages);
            outcome_free(&many);
        }
        outcome_free(&one);
        unlink(path);
        free(path);
    }
}

/* A well-formed bundle with repositories of every size around the span limit. */
static void test_mixed_sizes_same_model(void **state)
{
    (void)state;
    const char *text = BUNDLE(GOOD("a") ",\n {}," REPO("\"b\"", "", "") "," GOOD("c") "," REPO("\"d\"", MAN(D3, "1"), ""));
    char *path = fx_write_temp("ingest", text, strlen(text));
    struct outcome one = load(path, 1, 0);
    /* {} has no name: the first message, and reading goes on to the end */
    assert_int_not_equal(one.rc, PS_OK);
    assert_non_null(strstr(one.messages, "repositories[1]: repository has no \"name\""));
    for (size_t v = 0; v < N_VARIANTS; v++) {
        struct outcome many = load(path, VARIANTS[v].jobs, VARIANTS[v].span_limit);
        assert_int_equal(many.rc, one.rc);
        assert_string_equal(many.messages, one.messages);
        outcome_free(&many);
    }
    outcome_free(&one);
    unlink(path);
    free(path);
}

/* ---- copying a repository's text (js_copy_span) -------------------------------------- */

/* Where a byte-at-a-time scanner ends the span starting at text[0] == '{': just past the
 * closer that brings the depth to 0 (or a stray closer), or len. */
static size_t reference_span_end(const char *text, size_t len)
{
    size_t depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (esc) esc = false;
        else if (in_str) {
            if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
        } else if (c == '"') in_str = true;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') {
            if (depth <= 1) return i + 1;
            depth--;
        }
    }
    return len;
}

/* Random text of brackets, quotes, backslashes and filler, long enough to cross the scanner's
 * 64-byte blocks many times, must end where the reference ends it, with the same line and
 * column after it. */
static void test_copy_span_matches_reference(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\"\\\"\"aaaaaaaaaa  \n\xc3\xa9";
    struct rng rng;
    rng_seed(&rng, 42);
    char text[3000];
    struct js_span sp = {NULL, 0, 0, 0, 0, 0};
    for (int round = 0; round < 4000; round++) {
        size_t len = 1 + rng_next(&rng) % (sizeof text - 1);
        text[0] = '{';
        /* mostly balanced text, so spans often end well inside it */
        unsigned bias = (unsigned)(rng_next(&rng) % 4);
        for (size_t i = 1; i < len; i++) {
            size_t k = rng_next(&rng) % (sizeof alphabet - 1);
            text[i] = alphabet[k];
            if (bias == 0 && (text[i] == '}' || text[i] == ']')) text[i] = 'a';
        }
        struct diag d;
        memset(&d, 0, sizeof d);
        struct jstream js;
        js_open_mem(&js, text, len, "t.json", &d, 3, 5, 100);
        enum js_span_end kind = js_copy_span(&js, &sp, (size_t)1 << 20);
        size_t want = reference_span_end(text, len);
        assert_int_equal(sp.len, want);
        assert_memory_equal(sp.text, text, want);
        assert_int_equal(sp.offset, 100);
        assert_int_equal(sp.line, 3);
        assert_int_equal(sp.col, 5);
        /* done only when the text held the closer */
        bool closed = want > 0 && (text[want - 1] == '}' || text[want - 1] == ']') &&
                      (want < len || kind == JS_SPAN_DONE);
        if (kind == JS_SPAN_DONE) assert_true(closed);
        size_t line = 3, col = 5;
        for (size_t i = 0; i < want; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        assert_int_equal(js.line, line);
        assert_int_equal(js.col, col);
        js_close(&js);
        diag_free(&d);
    }
    free(sp.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_tiny_same_model),
        cmocka_unit_test(test_generated_small_same_model),
        cmocka_unit_test(test_bad_bundles_same_messages),
        cmocka_unit_test(test_mixed_sizes_same_model),
        cmocka_unit_test(test_copy_span_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
