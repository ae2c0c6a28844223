/* fuzz_cache.c - libFuzzer target: the model cache's loader (model_cache_load_mem) on any
 * bytes. Each input is loaded twice: as it is (the checksums refuse nearly every mutation),
 * then with its checksums made right again (model_cache_reseal), so that mutations reach the
 * bounds checks behind them. A model the loader accepts must be sound: every string readable,
 * every index in range, every lookup ending; written again, it loads again into the same
 * counts. The seeds (tests/fuzz/corpus/cache/) are images purgesim wrote; an image of a build
 * with another struct layout is refused as stale, which is still a fine input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
#include "model_cache.h"

static void check_model(const struct model *m)
{
    volatile size_t sink = 0;
    sink += m->registry ? strlen(m->registry) : 0;
    sink += m->sku ? strlen(m->sku) : 0;
    const char *setup[] = {m->setup.acr_show, m->setup.tasks, m->setup.retention, m->setup.soft_delete,
                           m->setup.replications};
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) sink += setup[i] ? strlen(setup[i]) : 0;
    size_t nm = 0, nt = 0;
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        FUZZ_CHECK(rp->name != NULL, "repository %zu without a name", r);
        sink += strlen(rp->name);
        for (size_t i = 0; i < rp->n_manifests; i++) {
            const struct manifest *mf = &rp->manifests[i];
            sink += mf->created_raw ? strlen(mf->created_raw) : 0;
            sink += mf->updated_raw ? strlen(mf->updated_raw) : 0;
            for (uint32_t k = 0; k < mf->n_children; k++) {
                FUZZ_CHECK(mf->children[k] < rp->n_manifests, "child out of range");
                sink += rp->manifests[mf->children[k]].size_bytes;
            }
            for (uint32_t k = 0; k < mf->n_layers; k++) {
                FUZZ_CHECK(mf->layers[k] < m->n_blobs, "layer out of range");
                sink += m->blobs[mf->layers[k]].size_bytes;
            }
            FUZZ_CHECK(mf->subject == MODEL_NO_MANIFEST || mf->subject < rp->n_manifests, "subject out of range");
            FUZZ_CHECK(mf->media <= MEDIA_OTHER && mf->created_state <= TIME_BAD && mf->updated_state <= TIME_BAD,
                       "enum out of range");
            sink += model_find_manifest(rp, &mf->digest);   /* the search ends, sorted or not */
        }
        for (size_t i = 0; i < rp->n_tags; i++) {
            const struct tag *t = &rp->tags[i];
            FUZZ_CHECK(t->name != NULL && t->manifest < rp->n_manifests, "tag out of range");
            sink += strlen(t->name) + (t->updated_raw ? strlen(t->updated_raw) : 0);
        }
        nm += rp->n_manifests;
        nt += rp->n_tags;
    }
    FUZZ_CHECK(nm == m->n_manifests && nt == m->n_tags, "totals differ from the repositories'");
    (void)sink;
}

static void load_and_check(const uint8_t *data, size_t size)
{
    struct model *m = model_new();
    char why[512];
    if (model_cache_load_mem(data, size, NULL, m, why, sizeof why) != MODEL_CACHE_HIT) {
        FUZZ_CHECK(m->n_repos == 0 && m->repos == NULL && m->arena.head == NULL, "a refused image left a model");
        model_free(m);
        return;
    }
    check_model(m);
    /* the blob table: interning a blob the model holds finds it or adds it, and ends */
    if (m->n_blobs) {
        struct digest d = m->blobs[0].digest;
        uint32_t id = model_intern_blob(m, &d, 1);
        FUZZ_CHECK(id < m->n_blobs, "interned id out of range");
    }
    /* written again, it loads again */
    char path[4200];
    snprintf(path, sizeof path, "%s/again.model", fuzz_scratch_dir());
    FUZZ_CHECK(model_cache_write(m, "fuzz", path, why, sizeof why), "cannot write an accepted model: %s", why);
    struct model *again = model_new();
    FUZZ_CHECK(model_cache_load(path, "fuzz", again, why, sizeof why) == MODEL_CACHE_HIT, "rewritten image refused: %s",
               why);
    FUZZ_CHECK(again->n_repos == m->n_repos && again->n_manifests == m->n_manifests && again->n_tags == m->n_tags &&
                   again->n_blobs == m->n_blobs,
               "rewritten image differs");
    model_free(again);
    model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_and_check(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    model_cache_reseal(copy, size);
    load_and_check(copy, size);
    free(copy);
    return 0;
}
