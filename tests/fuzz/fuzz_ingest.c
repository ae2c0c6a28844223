/* fuzz_ingest.c - libFuzzer target: export files (bundle, raw list-metadata / show-tags arrays,
 * REST-wrapped arrays) -> model. A model that loads is checked against model.h's invariants,
 * then one purge rule is run on it and checked like fuzz_purge does.
 *
 * Input: one file, or two when the text "\n#FILE\n" occurs (raw manifests + raw tags, as
 * `-i manifests.json -i tags.json`), or an export directory when it starts with "#DIR\n":
 * then each "#FILE NAME\n" line starts a file of that name (letters, digits, '.', '_', '-').
 * Options come from the first byte, which JSON ignores as whitespace: ' ' = no --repo,
 * '\r' = --registry given; otherwise --repo fuzz/repo. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dryrun.h"
#include "fuzz.h"
#include "ingest.h"
#include "model.h"
#include "purgecmd.h"
#include "render.h"
#include "timeu.h"

static const char SPLIT[] = "\n#FILE\n";

/* clang-format off */
static const char *const RULES[] = {
    "acr purge --filter '.*:.*' --ago 7d --keep 1 --untagged",
    "acr purge --filter '.*:^v' --filter 'fuzz/.*:.*' --ago 0d --keep 2 --untagged",
    "acr purge --untagged-only --ago 1d --include-locked",
    "acr purge --filter '.*:.*' --ago 30d --untagged",
};
/* clang-format on */

/* model.h: repositories by name, manifests by digest, tags by name (all strictly), indexes in
 * range, totals right. */
static void check_model(const struct model *m)
{
    size_t nm = 0, nt = 0;
    for (size_t r = 0; r < m->n_repos; r++) {
        const struct repo *rp = &m->repos[r];
        FUZZ_CHECK(rp->name && *rp->name, "repository %zu has no name", r);
        FUZZ_CHECK(!r || strcmp(m->repos[r - 1].name, rp->name) < 0, "repositories not sorted: %s, %s",
                   m->repos[r - 1].name, rp->name);
        FUZZ_CHECK(model_find_repo(m, rp->name) == rp, "model_find_repo(%s) misses", rp->name);
        for (size_t i = 0; i < rp->n_manifests; i++) {
            const struct manifest *mf = &rp->manifests[i];
            FUZZ_CHECK(!i || digest_cmp(&rp->manifests[i - 1].digest, &mf->digest) < 0,
                       "%s: manifests not sorted by digest", rp->name);
            FUZZ_CHECK(model_find_manifest(rp, &mf->digest) == i, "%s: model_find_manifest misses", rp->name);
            FUZZ_CHECK(mf->media <= MEDIA_OTHER, "%s: media kind %u", rp->name, mf->media);
            for (uint32_t c = 0; c < mf->n_children; c++)
                FUZZ_CHECK(mf->children[c] < rp->n_manifests, "%s: child index out of range", rp->name);
            FUZZ_CHECK(mf->subject == MODEL_NO_MANIFEST || (mf->has_subject && mf->subject < rp->n_manifests),
                       "%s: subject index %u", rp->name, mf->subject);
            for (uint32_t l = 0; l < mf->n_layers; l++)
                FUZZ_CHECK(mf->layers[l] < m->n_blobs, "%s: layer id out of range", rp->name);
            if (mf->updated_state == TIME_OK)
                FUZZ_CHECK(mf->updated_ns >= TIMEU_MIN_NS && mf->updated_ns <= TIMEU_MAX_NS,
                           "%s: time outside the saturated range", rp->name);
        }
        for (size_t t = 0; t < rp->n_tags; t++) {
            const struct tag *tg = &rp->tags[t];
            FUZZ_CHECK(tg->name != NULL, "%s: tag without a name", rp->name);
            FUZZ_CHECK(!t || strcmp(rp->tags[t - 1].name, tg->name) < 0, "%s: tags not sorted: %s, %s",
                       rp->name, rp->tags[t - 1].name, tg->name);
            FUZZ_CHECK(tg->manifest < rp->n_manifests, "%s: tag %s points past the manifests", rp->name,
                       tg->name);
            FUZZ_CHECK(tg->updated_state == TIME_OK || tg->updated_raw != NULL,
                       "%s: tag %s has an unreadable time without its raw text", rp->name, tg->name);
        }
        nm += rp->n_manifests;
        nt += rp->n_tags;
    }
    FUZZ_CHECK(nm == m->n_manifests && nt == m->n_tags, "totals %zu/%zu, counted %zu/%zu",
               m->n_manifests, m->n_tags, nm, nt);
}

static const char DIR_MAGIC[] = "#DIR\n", DIR_FILE[] = "#FILE ";

/* Writes the "#FILE NAME\n" sections of a "#DIR\n" input into the scratch directory. */
static const char *write_export_dir(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    size_t k = sizeof DIR_FILE - 1, i = sizeof DIR_MAGIC - 1;
    while (i + k <= size && !memcmp(data + i, DIR_FILE, k)) {
        char name[65];
        size_t n = 0;
        for (i += k; i < size && data[i] != '\n'; i++) {
            char c = (char)data[i];
            bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '_' || c == '-';
            if (n < sizeof name - 1) name[n++] = plain ? c : '_';
        }
        name[n] = '\0';
        if (name[0] == '.') name[0] = '_';   /* no "." or "..", nothing hidden */
        size_t start = i < size ? i + 1 : size, end = start;
        while (end < size && !(data[end - 1] == '\n' && end + k <= size && !memcmp(data + end, DIR_FILE, k))) end++;
        if (n) fuzz_scratch_dir_file(name, data + start, end - start);
        i = end;
    }
    return dir;
}

static const uint8_t *find_split(const uint8_t *data, size_t size)
{
    size_t k = sizeof SPLIT - 1;
    for (size_t i = 0; i + k <= size; i++)
        if (data[i] == '\n' && !memcmp(data + i, SPLIT, k)) return data + i;
    return NULL;
}

/* Reading a bundle's repositories on threads, and a repository too long for a worker on the
 * reading thread, must give exactly what reading them one by one gives: the same result, the
 * same messages and the same model (blob ids included). */
static void check_threads_agree(const char *file, const struct ingest_opts *o, int rc, const struct model *m,
                                const struct diag *d)
{
    const struct ingest_opts variants[2] = {{o->repo, o->registry, 1, 0}, {o->repo, o->registry, 3, 64}};
    for (size_t v = 0; v < 2; v++) {
        struct diag d2;
        memset(&d2, 0, sizeof d2);
        struct model *m2 = NULL;
        int rc2 = ingest_load(file, &variants[v], &m2, &d2);
        FUZZ_CHECK(rc2 == rc, "jobs %d: result %d, with the default threads %d", variants[v].jobs, rc2, rc);
        FUZZ_CHECK(d2.n_total == d->n_total && d2.n_kept == d->n_kept, "jobs %d: %zu messages, not %zu",
                   variants[v].jobs, d2.n_total, d->n_total);
        for (size_t i = 0; i < d2.n_kept && i < d->n_kept; i++)
            FUZZ_CHECK(!strcmp(d2.msgs[i], d->msgs[i]), "jobs %d: message \"%.200s\", not \"%.200s\"",
                       variants[v].jobs, d2.msgs[i], d->msgs[i]);
        if (m && m2) {
            FUZZ_CHECK(m2->n_repos == m->n_repos && m2->n_manifests == m->n_manifests && m2->n_tags == m->n_tags &&
                           m2->n_blobs == m->n_blobs && !memcmp(&m2->odd, &m->odd, sizeof m->odd),
                       "jobs %d: a different model", variants[v].jobs);
            for (size_t b = 0; b < m->n_blobs; b++)
                FUZZ_CHECK(!memcmp(&m2->blobs[b], &m->blobs[b], sizeof m->blobs[b]), "jobs %d: blob %zu differs",
                           variants[v].jobs, b);
            for (size_t r = 0; r < m->n_repos; r++)
                for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
                    const struct manifest *x = &m->repos[r].manifests[i], *y = &m2->repos[r].manifests[i];
                    FUZZ_CHECK(x->n_layers == y->n_layers &&
                                   (!x->n_layers || !memcmp(x->layers, y->layers, x->n_layers * sizeof *x->layers)),
                               "jobs %d: layers of %s[%zu] differ", variants[v].jobs, m->repos[r].name, i);
                }
        }
        model_free(m2);
        diag_free(&d2);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_opts o = {"fuzz/repo", NULL, 0, 0};
    if (size && data[0] == ' ') o.repo = NULL;
    if (size && data[0] == '\r') o.registry = "fuzzreg.azurecr.io";

    struct diag d;
    memset(&d, 0, sizeof d);
    struct model *m = NULL;
    int rc;
    const uint8_t *split = find_split(data, size);
    const char *dir = NULL;
    if (size >= sizeof DIR_MAGIC - 1 && !memcmp(data, DIR_MAGIC, sizeof DIR_MAGIC - 1)) {
        if (fuzz_skip_known("ingest-dir")) return 0;   /* past regress/ingest/export-dir-file-label-dangling.txt */
        dir = write_export_dir(data, size);
        rc = ingest_load(dir, &o, &m, &d);
    } else if (!split) {
        const char *file = fuzz_scratch_file(0, data, size);
        rc = ingest_load(file, &o, &m, &d);
        check_threads_agree(file, &o, rc, m, &d);
    } else {
        size_t n1 = (size_t)(split - data), k = sizeof SPLIT - 1;
        const char *p1 = fuzz_scratch_file(0, data, n1);
        const char *p2 = fuzz_scratch_file(1, split + k, size - n1 - k);
        m = model_new();
        struct ingest *in = ingest_new(m, &d, &o);
        rc = ingest_add(in, p1);
        if (rc == PS_OK) rc = ingest_add(in, p2);
        if (rc == PS_OK) rc = ingest_finish(in);
        ingest_free(in);
        if (rc != PS_OK) {
            model_free(m);
            m = NULL;
        }
    }
    /* every message names the file it is about: our scratch file(s) or directory */
    const char *prefix = dir ? dir : "/proc/self/fd/";
    for (size_t i = 0; i < d.n_kept; i++)
        FUZZ_CHECK(!strncmp(d.msgs[i], prefix, strlen(prefix)) || fuzz_skip_known("ingest-file-label"),
                   "message does not name the input file: \"%.200s\"", d.msgs[i]);
    FILE *fp = fuzz_devnull();
    if (rc != PS_OK) {
        FUZZ_CHECK(m == NULL, "ingest failed (%d) but gave a model", rc);
        FUZZ_CHECK(d.n_total > 0 || rc == ERR_IO, "ingest failed (%d) without a message", rc);
        if (fp) diag_print(&d, fp);
        diag_free(&d);
        return 0;
    }
    FUZZ_CHECK(m != NULL, "ingest succeeded without a model");
    check_model(m);

    struct purgecmd_opts po = {ACR_CLI_CURRENT, 2};
    const char *line = RULES[size % (sizeof RULES / sizeof RULES[0])];
    struct purge_rule rule;
    char err[512];
    if (purge_rule_parse_line(line, &po, &rule, err, sizeof err) != PURGECMD_OK)
        fuzz_fail("fixed rule \"%s\" does not parse: %s", line, err);
    int64_t now = m->has_exported_at ? m->exported_at_ns : INT64_C(1782864000) * TIMEU_NS_PER_SEC;
    struct dryrun_report rep;
    dryrun_analyse(m, &rule, now, NULL, &rep);
    fuzz_check_dryrun(m, &rule, now, &rep);
    if (fp) {
        render_dryrun_acr(&rep, fp);
        render_dryrun_json(&rep, line, fp);
    }
    dryrun_report_free(&rep);
    purge_rule_free(&rule);
    model_free(m);
    diag_free(&d);
    return 0;
}
