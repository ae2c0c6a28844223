/* test_model_cache.c - the model cache (model_cache.c): an image loads back into the model it
 * was written from, field by field (JSON bundles, an export directory, a model with raw times,
 * children, subjects, layers and locks); a truncated image, any flipped byte, another format
 * and another key are each refused and leave the model empty; the key follows the inputs;
 * model_cache_ingest writes, hits, rebuilds a corrupt image and honours enabled = false. Run
 * from the repository's root (tests/run-all.sh does). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "fixtures.h"
#include "generate.h"
#include "ingest.h"
#include "model.h"
#include "model_cache.h"

/* ---- helpers ------------------------------------------------------------------------- */

static void assert_str_eq_null(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

/* Every field of two models: strings, arrays, flags, blobs and the blob table. */
static void assert_models_equal(const struct model *a, const struct model *b)
{
    assert_str_eq_null(a->registry, b->registry);
    assert_str_eq_null(a->sku, b->sku);
    assert_int_equal(a->exported_at_ns, b->exported_at_ns);
    assert_int_equal(a->has_exported_at, b->has_exported_at);
    assert_str_eq_null(a->setup.acr_show, b->setup.acr_show);
    assert_str_eq_null(a->setup.tasks, b->setup.tasks);
    assert_str_eq_null(a->setup.retention, b->setup.retention);
    assert_str_eq_null(a->setup.soft_delete, b->setup.soft_delete);
    assert_str_eq_null(a->setup.replications, b->setup.replications);
    assert_int_equal(a->observed_until_ns, b->observed_until_ns);
    assert_int_equal(a->n_trail, b->n_trail);
    assert_int_equal(a->n_repos, b->n_repos);
    assert_int_equal(a->n_manifests, b->n_manifests);
    assert_int_equal(a->n_tags, b->n_tags);
    assert_memory_equal(&a->odd, &b->odd, sizeof a->odd);
    assert_int_equal(a->n_blobs, b->n_blobs);
    if (a->n_blobs) assert_memory_equal(a->blobs, b->blobs, a->n_blobs * sizeof *a->blobs);
    assert_int_equal(a->n_blob_slots, b->n_blob_slots);
    if (a->n_blob_slots) assert_memory_equal(a->blob_slots, b->blob_slots, a->n_blob_slots * sizeof *a->blob_slots);
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
            assert_int_equal(p->children == NULL, q->children == NULL);
            if (p->n_children) assert_memory_equal(p->children, q->children, p->n_children * sizeof *p->children);
            assert_int_equal(p->n_layers, q->n_layers);
            assert_int_equal(p->layers == NULL, q->layers == NULL);
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

static void assert_model_empty(const struct model *m)
{
    assert_null(m->registry);
    assert_null(m->repos);
    assert_null(m->blobs);
    assert_null(m->blob_slots);
    assert_null(m->arena.head);
    assert_int_equal(m->n_repos, 0);
}

static struct model *ingest(const char *path)
{
    struct model *m = NULL;
    struct diag d;
    memset(&d, 0, sizeof d);
    struct ingest_opts io = {NULL, NULL, 1, 0};
    int rc = ingest_load(path, &io, &m, &d);
    if (rc != PS_OK) diag_print(&d, stderr);
    assert_int_equal(rc, PS_OK);
    diag_free(&d);
    return m;
}

/* A fresh directory under $TMPDIR; the caller removes it with rm_dir. */
static char *temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = malloc(4096);
    assert_non_null(dir);
    snprintf(dir, 4096, "%s/test-model-cache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void rm_dir(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    struct stat st;
    assert_int_equal(fstat(fileno(fp), &st), 0);
    *n = (size_t)st.st_size;
    unsigned char *buf = malloc(*n ? *n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *n, fp), *n);
    fclose(fp);
    return buf;
}

static void write_all(const char *path, const unsigned char *buf, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Writes m's image under key into dir/NAME and returns its bytes (*n of them). */
static unsigned char *image_of(const struct model *m, const char *key, const char *dir, char *path, size_t len,
                               size_t *n)
{
    char why[512] = "";
    snprintf(path, len, "%s/image.model", dir);
    if (!model_cache_write(m, key, path, why, sizeof why)) fail_msg("model_cache_write: %s", why);
    return read_all(path, n);
}

/* Writes m's image, loads it back from the file and from memory, and compares. */
static void round_trip(const struct model *m)
{
    char *dir = temp_dir(), path[4200], why[512] = "";
    size_t n;
    unsigned char *img = image_of(m, "the key", dir, path, sizeof path, &n);
    struct model *back = model_new();
    enum model_cache_status st = model_cache_load(path, "the key", back, why, sizeof why);
    if (st != MODEL_CACHE_HIT) fail_msg("load: status %d: %s", (int)st, why);
    assert_models_equal(m, back);
    model_free(back);
    back = model_new();
    assert_int_equal(model_cache_load_mem(img, n, "the key", back, why, sizeof why), MODEL_CACHE_HIT);
    assert_models_equal(m, back);
    model_free(back);
    /* the same model, the same bytes */
    size_t n2;
    unsigned char *again = image_of(m, "the key", dir, path, sizeof path, &n2);
    assert_int_equal(n, n2);
    assert_memory_equal(img, again, n);
    free(again);
    free(img);
    rm_dir(dir);
}

/* A model with what the JSON samples may lack: raw times, children, subjects, layers, locks. */
static struct model *odd_model(void)
{
    struct model *m = fx_model("odd.azurecr.io");
    fx_exported_at(m, "2026-11-01T00:00:00Z");
    fx_manifest(m, "app", "a", "2026-01-01T00:00:00Z", 100, MEDIA_OCI_MANIFEST);
    fx_layer(m, "app", "a", "l1", 60);
    fx_layer(m, "app", "a", "l2", 40);
    fx_manifest(m, "app", "b", "garbage", 50, MEDIA_DOCKER_V2);
    fx_created(m, "app", "b", "also garbage");
    fx_layer(m, "app", "b", "l1", 60);
    fx_manifest(m, "app", "idx", "2026-02-01T00:00:00Z", 10, MEDIA_OCI_INDEX);
    fx_children(m, "app", "idx", "a", "b", NULL);
    fx_manifest(m, "app", "sig", NULL, 5, MEDIA_OCI_ARTIFACT);
    fx_subject(m, "app", "sig", "a");
    fx_lock_manifest(m, "app", "a", false, true);
    fx_tag(m, "app", "v1", "a", "2026-01-02T00:00:00Z", false);
    fx_tag(m, "app", "weird", "b", "not a time", true);
    fx_tag_flags(m, "app", "weird", true, false);
    fx_manifest(m, "team/other", "c", "2026-03-01T00:00:00Z", 7, MEDIA_NONE);
    fx_repo(m, "empty");
    fx_finish(m);
    m->odd.bad_times = 3;
    m->odd.dangling_children = 1;
    m->odd.bodies_without_manifest = 2;
    return m;
}

/* ---- round trips ----------------------------------------------------------------------- */

static void test_round_trip_sample(void **state)
{
    (void)state;
    struct model *m = ingest("data/sample/devreg.json");
    assert_true(m->n_manifests > 0);
    round_trip(m);
    model_free(m);
}

static void test_round_trip_export_dir(void **state)
{
    (void)state;
    struct model *m = ingest("tests/cases/export-dir/export");
    assert_true(m->n_repos > 0);
    round_trip(m);
    model_free(m);
}

static void test_round_trip_generated(void **state)
{
    (void)state;
    struct generate_opts go;
    generate_opts_default(&go);
    go.scale = GENERATE_SCALE_SMALL;
    go.seed = 5;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(generate_bundle(fp, &go, NULL), PS_OK);
    assert_int_equal(fclose(fp), 0);
    char *path = fx_write_temp("cache", buf, len);
    struct model *m = ingest(path);
    assert_true(m->n_manifests > 1000);
    round_trip(m);
    model_free(m);
    unlink(path);
    free(path);
    free(buf);
}

static void test_round_trip_odd_model(void **state)
{
    (void)state;
    struct model *m = odd_model();
    round_trip(m);
    model_free(m);
}

static void test_round_trip_empty_model(void **state)
{
    (void)state;
    struct model *m = model_new();
    round_trip(m);
    model_free(m);
}

/* ---- damaged and foreign images ---------------------------------------------------------- */

static void test_truncated_image_refused(void **state)
{
    (void)state;
    struct model *m = odd_model();
    char *dir = temp_dir(), path[4200], why[512];
    size_t n;
    unsigned char *img = image_of(m, "k", dir, path, sizeof path, &n);
    for (size_t cut = 0; cut < n; cut += (cut < 400 ? 1 : 37)) {
        struct model *back = model_new();
        assert_int_equal(model_cache_load_mem(img, cut, "k", back, why, sizeof why), MODEL_CACHE_CORRUPT);
        assert_model_empty(back);
        model_free(back);
    }
    /* the same through a file cut short, as a killed writer without the rename would leave */
    write_all(path, img, n / 2);
    struct model *back = model_new();
    assert_int_equal(model_cache_load(path, "k", back, why, sizeof why), MODEL_CACHE_CORRUPT);
    assert_model_empty(back);
    model_free(back);
    free(img);
    rm_dir(dir);
    model_free(m);
}

/* Every byte of the image is under a checksum: any one flipped is refused. */
static void test_flipped_byte_refused(void **state)
{
    (void)state;
    struct model *m = odd_model();
    char *dir = temp_dir(), path[4200], why[512];
    size_t n;
    unsigned char *img = image_of(m, "k", dir, path, sizeof path, &n);
    for (size_t i = 0; i < n; i++) {
        for (unsigned bit = 0; bit < 8; bit += 7) {
            img[i] ^= (unsigned char)(1u << bit);
            struct model *back = model_new();
            enum model_cache_status st = model_cache_load_mem(img, n, "k", back, why, sizeof why);
            if (st != MODEL_CACHE_CORRUPT) fail_msg("byte %zu bit %u flipped: status %d (%s)", i, bit, (int)st, why);
            assert_model_empty(back);
            model_free(back);
            img[i] ^= (unsigned char)(1u << bit);
        }
    }
    /* and an image with a flipped byte as a file */
    img[n / 2] ^= 0x10;
    write_all(path, img, n);
    struct model *back = model_new();
    assert_int_equal(model_cache_load(path, "k", back, why, sizeof why), MODEL_CACHE_CORRUPT);
    model_free(back);
    free(img);
    rm_dir(dir);
    model_free(m);
}

/* Mutations whose checksums are then made right again reach the bounds checks: no crash, and
 * either a refusal or a model (ASan/UBSan in SAN=1 builds watch the loader). */
static void test_resealed_mutations_never_crash(void **state)
{
    (void)state;
    struct model *m = odd_model();
    char *dir = temp_dir(), path[4200], why[512];
    size_t n;
    unsigned char *img = image_of(m, "k", dir, path, sizeof path, &n);
    unsigned char *copy = malloc(n);
    assert_non_null(copy);
    size_t refused = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, img, n);
        copy[i] ^= 0xA5;
        model_cache_reseal(copy, n);
        struct model *back = model_new();
        if (model_cache_load_mem(copy, n, NULL, back, why, sizeof why) != MODEL_CACHE_HIT) refused++;
        model_free(back);
    }
    assert_true(refused > 0);
    free(copy);
    free(img);
    rm_dir(dir);
    model_free(m);
}

static void test_other_format_is_stale(void **state)
{
    (void)state;
    struct model *m = odd_model();
    char *dir = temp_dir(), path[4200], why[512];
    size_t n;
    unsigned char *img = image_of(m, "k", dir, path, sizeof path, &n);
    uint32_t format;
    memcpy(&format, img + 8, sizeof format);   /* after the magic (model_cache.c's header) */
    assert_int_equal(format, MODEL_CACHE_FORMAT);
    format++;
    memcpy(img + 8, &format, sizeof format);
    struct model *back = model_new();
    /* as is, the header's checksum no longer holds */
    assert_int_equal(model_cache_load_mem(img, n, "k", back, why, sizeof why), MODEL_CACHE_CORRUPT);
    /* with the checksum made right: an image of another format, stale */
    model_cache_reseal(img, n);
    assert_int_equal(model_cache_load_mem(img, n, "k", back, why, sizeof why), MODEL_CACHE_STALE);
    assert_model_empty(back);
    model_free(back);
    free(img);
    rm_dir(dir);
    model_free(m);
}

static void test_other_key_is_stale(void **state)
{
    (void)state;
    struct model *m = ingest("data/sample/devreg.json");
    const char *paths[] = {"data/sample/devreg.json"};
    char *key = NULL, name[48];
    assert_true(model_cache_key(paths, 1, NULL, &key, name));
    char *dir = temp_dir(), path[4200], why[512];
    size_t n;
    unsigned char *img = image_of(m, key, dir, path, sizeof path, &n);
    struct model *back = model_new();
    assert_int_equal(model_cache_load(path, key, back, why, sizeof why), MODEL_CACHE_HIT);
    model_free(back);
    /* another purgesim version: the key says so */
    char *other = strdup(key);
    char *v = strstr(other, "\nversion ");
    assert_non_null(v);
    v[9] = v[9] == '9' ? '8' : '9';
    back = model_new();
    assert_int_equal(model_cache_load(path, other, back, why, sizeof why), MODEL_CACHE_STALE);
    assert_model_empty(back);
    model_free(back);
    /* a key one byte shorter, and a longer one */
    other[strlen(other) - 1] = '\0';
    back = model_new();
    assert_int_equal(model_cache_load(path, other, back, why, sizeof why), MODEL_CACHE_STALE);
    model_free(back);
    free(other);
    /* no image at all */
    back = model_new();
    snprintf(path, sizeof path, "%s/absent.model", dir);
    assert_int_equal(model_cache_load(path, key, back, why, sizeof why), MODEL_CACHE_ABSENT);
    model_free(back);
    free(key);
    free(img);
    rm_dir(dir);
    model_free(m);
}

/* The key follows the inputs' content and identity and the options; the name follows the
 * paths and options only, so a changed export replaces its own image. */
static void test_key_follows_inputs(void **state)
{
    (void)state;
    char *dir = temp_dir(), file[4200];
    snprintf(file, sizeof file, "%s/export.json", dir);
    write_all(file, (const unsigned char *)"[]", 2);
    const char *paths[] = {file};
    char *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL, n1[48], n2[48], n3[48], n4[48];
    assert_true(model_cache_key(paths, 1, NULL, &k1, n1));
    assert_true(model_cache_key(paths, 1, NULL, &k2, n2));
    assert_string_equal(k1, k2);
    assert_string_equal(n1, n2);
    assert_int_equal(strlen(n1), 32 + strlen(".model"));
    /* another mtime (the same size) */
    struct timespec ts[2] = {{1000000, 0}, {1000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, file, ts, 0), 0);
    assert_true(model_cache_key(paths, 1, NULL, &k3, n3));
    assert_string_not_equal(k1, k3);
    assert_string_equal(n1, n3);
    /* another --registry: another key and another image */
    struct ingest_opts io = {NULL, "other", 1, 0};
    assert_true(model_cache_key(paths, 1, &io, &k4, n4));
    assert_string_not_equal(k3, k4);
    assert_string_not_equal(n3, n4);
    free(k1);
    free(k2);
    free(k3);
    free(k4);
    /* a directory: a file added to it changes the key */
    const char *dirs[] = {dir};
    assert_true(model_cache_key(dirs, 1, NULL, &k1, n1));
    char extra[4200];
    snprintf(extra, sizeof extra, "%s/app.tags.json", dir);
    write_all(extra, (const unsigned char *)"[]", 2);
    assert_true(model_cache_key(dirs, 1, NULL, &k2, n2));
    assert_string_not_equal(k1, k2);
    assert_string_equal(n1, n2);
    free(k1);
    free(k2);
    /* what is neither a file nor a directory, or is missing, is not cached */
    char fifo[4200];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *fifos[] = {fifo}, *missing[] = {"/nonexistent/export.json"};
    assert_false(model_cache_key(fifos, 1, NULL, &k1, n1));
    assert_false(model_cache_key(missing, 1, NULL, &k1, n1));
    rm_dir(dir);
}

/* ---- around the ingest ----------------------------------------------------------------- */

static int cached_ingest(const char *input, const struct model_cache_opts *co, struct model **out)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    struct ingest_opts io = {NULL, NULL, 1, 0};
    *out = model_new();
    int rc = model_cache_ingest(*out, &input, 1, &io, co, &d);
    diag_free(&d);
    return rc;
}

static size_t count_images(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "ls '%s' 2>/dev/null | grep -c '\\.model$'", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = 0;
    assert_int_equal(fscanf(p, "%zu", &n), 1);
    pclose(p);
    return n;
}

static void test_ingest_writes_hits_and_rebuilds(void **state)
{
    (void)state;
    char *dir = temp_dir(), cache[4200];
    snprintf(cache, sizeof cache, "%s/cache/purgesim", dir);   /* created on the way */
    struct model_cache_opts off = {false, false, cache}, on = {true, false, cache};
    const char *input = "data/sample/devreg.json";
    struct model *json = ingest(input), *m;

    assert_int_equal(cached_ingest(input, &off, &m), PS_OK);
    assert_models_equal(json, m);
    model_free(m);
    assert_int_equal(count_images(cache), 0);   /* disabled: not even the directory */

    assert_int_equal(cached_ingest(input, &on, &m), PS_OK);   /* absent: read, written */
    assert_models_equal(json, m);
    model_free(m);
    assert_int_equal(count_images(cache), 1);

    const char *paths[] = {input};
    char *key = NULL, name[48], path[4300], why[512];
    assert_true(model_cache_key(paths, 1, NULL, &key, name));
    snprintf(path, sizeof path, "%s/%s", cache, name);
    struct model *img = model_new();
    assert_int_equal(model_cache_load(path, key, img, why, sizeof why), MODEL_CACHE_HIT);
    model_free(img);

    assert_int_equal(cached_ingest(input, &on, &m), PS_OK);   /* hit */
    assert_models_equal(json, m);
    model_free(m);

    /* a corrupt image: read from the JSON, the image rewritten whole */
    size_t n;
    unsigned char *bytes = read_all(path, &n);
    bytes[n - 3] ^= 0xFF;
    write_all(path, bytes, n);
    img = model_new();
    assert_int_equal(model_cache_load(path, key, img, why, sizeof why), MODEL_CACHE_CORRUPT);
    model_free(img);
    assert_int_equal(cached_ingest(input, &on, &m), PS_OK);
    assert_models_equal(json, m);
    model_free(m);
    img = model_new();
    assert_int_equal(model_cache_load(path, key, img, why, sizeof why), MODEL_CACHE_HIT);
    model_free(img);
    assert_int_equal(count_images(cache), 1);   /* no temporary file left behind */
    free(bytes);

    /* a cache directory that cannot be made: the export is read all the same */
    struct model_cache_opts nowhere = {true, false, "/proc/purgesim-cannot-be-here"};
    assert_int_equal(cached_ingest(input, &nowhere, &m), PS_OK);
    assert_models_equal(json, m);
    model_free(m);
    /* a bad export: the ingest's own error, nothing written */
    char bad[4200];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    write_all(bad, (const unsigned char *)"{\"repositories\": [", 18);
    struct timespec ts[2] = {{1000000, 0}, {1000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, bad, ts, 0), 0);
    assert_int_not_equal(cached_ingest(bad, &on, &m), PS_OK);
    model_free(m);
    assert_int_equal(count_images(cache), 1);

    free(key);
    model_free(json);
    rm_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_sample),
        cmocka_unit_test(test_round_trip_export_dir),
        cmocka_unit_test(test_round_trip_generated),
        cmocka_unit_test(test_round_trip_odd_model),
        cmocka_unit_test(test_round_trip_empty_model),
        cmocka_unit_test(test_truncated_image_refused),
        cmocka_unit_test(test_flipped_byte_refused),
        cmocka_unit_test(test_resealed_mutations_never_crash),
        cmocka_unit_test(test_other_format_is_stale),
        cmocka_unit_test(test_other_key_is_stale),
        cmocka_unit_test(test_key_follows_inputs),
        cmocka_unit_test(test_ingest_writes_hits_and_rebuilds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
