/* fuzz_inuse.c - libFuzzer target: in-use image lists (inuse_load_mem, and inuse_load on the same
 * bytes as a file) on the input, a plain list or kubectl's pod JSON. Checks: memory and file
 * reads agree; every reference has a repository, a tag or a digest, and a source; no two are
 * identical; inuse_format round-trips through a list; a failure says why and keeps nothing; a
 * file is noted as listing no image exactly when nothing was read from it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "inuse.h"

static void check_list(int rc, const struct inuse_list *l, const struct diag *d)
{
    if (rc != PS_OK) {
        FUZZ_CHECK(rc == ERR_INPUT, "inuse_load: rc %d", rc);
        FUZZ_CHECK(d->n_total > 0, "a failure without a message");
        FUZZ_CHECK(l->n == 0 && l->other_registry == 0 && l->duplicates == 0, "a failed file kept %zu refs", l->n);
        FUZZ_CHECK(l->n_empty_files == 0, "a failed file is taken as one that lists nothing");
        return;
    }
    FUZZ_CHECK(d->n_total == 0, "a success with %zu messages", d->n_total);
    /* "lists no image" (a warning) only when nothing at all was read */
    FUZZ_CHECK(l->n_empty_files == (l->n == 0 && l->other_registry == 0 && l->duplicates == 0),
               "%zu empty files with %zu refs, %zu of other registries", l->n_empty_files, l->n, l->other_registry);
    for (size_t i = 0; i < l->n; i++) {
        const struct inuse_ref *r = &l->refs[i];
        FUZZ_CHECK(r->repo && r->repo[0] && r->source, "ref %zu: no repository or source", i);
        FUZZ_CHECK(r->tag || r->has_digest, "ref %zu: neither tag nor digest", i);
        for (size_t j = 0; j < i && l->n < 200; j++) {
            const struct inuse_ref *q = &l->refs[j];
            bool same = !strcmp(q->repo, r->repo) && (q->tag == NULL) == (r->tag == NULL) &&
                        (!q->tag || !strcmp(q->tag, r->tag)) && q->has_digest == r->has_digest &&
                        (!q->has_digest || !memcmp(&q->digest, &r->digest, sizeof q->digest));
            FUZZ_CHECK(!same, "refs %zu and %zu are identical", j, i);
        }
    }
}

/* Every reference, formatted, reads back as itself from a list. */
static void round_trip(const struct inuse_list *l)
{
    for (size_t i = 0; i < l->n && i < 50; i++) {
        /* with the registry written out: a repository whose first component has a '.'
         * ("my.team/app") reads as a registry without it, as in Docker */
        char buf[1400], ref[1300];
        inuse_format(&l->refs[i], ref, sizeof ref);
        snprintf(buf, sizeof buf, "myreg.azurecr.io/%s", ref);
        struct inuse_list again;
        struct diag d;
        memset(&again, 0, sizeof again);
        memset(&d, 0, sizeof d);
        int rc = inuse_load_mem(&again, buf, strlen(buf), "rt", NULL, &d);
        if (strlen(l->refs[i].repo) < 500) {
            FUZZ_CHECK(rc == PS_OK && again.n == 1, "\"%s\" does not read back", buf);
            char buf2[1400];
            FUZZ_CHECK(!strcmp(inuse_format(&again.refs[0], buf2, sizeof buf2), ref), "\"%s\" reads back as \"%s\"",
                       buf, buf2);
        }
        diag_free(&d);
        inuse_free(&again);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct inuse_list mem, file;
    struct diag dm, df;
    memset(&mem, 0, sizeof mem);
    memset(&file, 0, sizeof file);
    memset(&dm, 0, sizeof dm);
    memset(&df, 0, sizeof df);
    const char *login = size % 2 ? "myreg.azurecr.io" : NULL;
    int rm = inuse_load_mem(&mem, (const char *)data, size, "fuzz", login, &dm);
    const char *path = fuzz_scratch_file(0, data, size);
    int rf = inuse_load(&file, path, login, &df);
    FUZZ_CHECK(rm == rf, "memory read %d, file read %d", rm, rf);
    FUZZ_CHECK(dm.n_total == df.n_total, "%zu messages from memory, %zu from the file", dm.n_total, df.n_total);
    check_list(rm, &mem, &dm);
    check_list(rf, &file, &df);
    if (rm == PS_OK) {
        FUZZ_CHECK(mem.n == file.n && mem.other_registry == file.other_registry && mem.duplicates == file.duplicates &&
                       mem.n_empty_files == file.n_empty_files,
                   "memory and file reads differ");
        round_trip(&mem);
    }
    diag_free(&dm);
    diag_free(&df);
    inuse_free(&mem);
    inuse_free(&file);
    return 0;
}
