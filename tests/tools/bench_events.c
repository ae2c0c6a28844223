/* bench_events.c - reading speed of the event log reader, for `make bench`.
 *
 *   bench_events gen ROWS FILE [SEED]   writes a synthetic az-shaped event log (events_gen.h)
 *   bench_events pulls BUNDLE ROWS FILE  writes ROWS successful pulls of what BUNDLE holds (tags
 *                                       and digests, at times when the export shows them), for
 *                                       the cost of broken-pull accounting in a replay
 *   bench_events read FILE [LOGIN]      reads it with events_load + events_finish and prints
 *                                       key=value lines: bytes, rows, events kept, seconds,
 *                                       MB/s (10^6 bytes), rows/s, bytes per kept event (the
 *                                       event array plus interned names), peak RSS in KiB
 *
 * Build: cc -O2 -std=c17 -D_GNU_SOURCE -Isim tests/tools/bench_events.c build/libpurgesim.a
 *        $(pkg-config --libs libcjson) -lcsv -lpthread -lm */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "diag.h"
#include "events.h"
#include "events_gen.h"
#include "ingest.h"
#include "model.h"
#include "prng.h"
#include "timeu.h"

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int usage(void)
{
    fputs("usage: bench_events gen ROWS FILE [SEED] | pulls BUNDLE ROWS FILE | read FILE [LOGIN]\n", stderr);
    return 2;
}

/* ROWS pulls of the bundle's tags (after the tag's lastUpdateTime) and digests (after the
 * manifest's push), all before its exportedAt, in time order, in the az JSON shape. */
static int write_pulls(const char *bundle, size_t rows, const char *path)
{
    struct diag d = {0};
    struct ingest_opts io = {0};
    struct model *m;
    if (ingest_load(bundle, &io, &m, &d) != PS_OK) {
        diag_print(&d, stderr);
        return 1;
    }
    struct rng g;
    rng_seed(&g, 7);
    int64_t end = m->exported_at_ns;
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        perror(path);
        return 1;
    }
    fputs("[", fp);
    for (size_t i = 0; i < rows; i++) {
        const struct repo *rp = &m->repos[rng_next(&g) % m->n_repos];
        if (!rp->n_manifests) continue;
        bool by_tag = rp->n_tags && rng_next(&g) % 2;
        int64_t from;
        char ref[200], dg[80], t[48];
        if (by_tag) {
            const struct tag *tg = &rp->tags[rng_next(&g) % rp->n_tags];
            from = tg->updated_ns;
            snprintf(ref, sizeof ref, "%s", tg->name);
        } else {
            const struct manifest *mf = &rp->manifests[rng_next(&g) % rp->n_manifests];
            from = mf->created_ns;
            snprintf(ref, sizeof ref, "%s", digest_format(&mf->digest, dg, sizeof dg));
        }
        int64_t at = from < end ? from + (int64_t)(rng_next(&g) % (uint64_t)(end - from)) : end;
        fprintf(fp, "%s{\"TableName\": \"PrimaryResult\", \"TimeGenerated\": \"%s\", \"OperationName\": \"Pull\", "
                    "\"Repository\": \"%s\", \"Tag\": \"%s\", \"Digest\": \"None\", \"LoginServer\": \"%s\", "
                    "\"ResultType\": \"HttpStatusCode\", \"ResultDescription\": \"200\"}",
                i ? ",\n" : "\n", timeu_format(at, t, sizeof t), rp->name, ref, m->registry);
    }
    fputs("\n]\n", fp);
    int rc = fclose(fp) == 0 ? 0 : 1;
    model_free(m);
    diag_free(&d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "gen")) {
        char *end;
        unsigned long long rows = strtoull(argv[2], &end, 10);
        if (*end) return usage();
        uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
        FILE *fp = fopen(argv[3], "wb");
        if (!fp) {
            perror(argv[3]);
            return 1;
        }
        double t0 = timeu_wall_seconds();
        int rc = events_gen_write(fp, (size_t)rows, seed, "myreg.azurecr.io");
        if (fclose(fp) != 0 || rc != 0) {
            fprintf(stderr, "%s: write failed\n", argv[3]);
            return 1;
        }
        printf("mode=gen\nrows=%llu\nsecs=%.3f\n", rows, timeu_wall_seconds() - t0);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "pulls")) return write_pulls(argv[2], strtoull(argv[3], NULL, 10), argv[4]);
    if (argc >= 3 && !strcmp(argv[1], "read")) {
        struct stat st;
        if (stat(argv[2], &st) != 0) {
            perror(argv[2]);
            return 1;
        }
        struct event_log log;
        struct diag d;
        memset(&log, 0, sizeof log);
        memset(&d, 0, sizeof d);
        double t0 = timeu_wall_seconds();
        int rc = events_load(&log, argv[2], argc > 3 ? argv[3] : "myreg.azurecr.io", &d);
        if (rc == PS_OK) events_finish(&log);
        double secs = timeu_wall_seconds() - t0;
        if (rc != PS_OK) {
            diag_print(&d, stderr);
            diag_free(&d);
            events_free(&log);
            return 1;
        }
        size_t mem = log.n * sizeof *log.ev + log.arena.total_bytes + log.cap_strs * sizeof *log.strs;
        printf("mode=events\nbytes=%lld\nrows=%zu\nkept=%zu\nfailed_status=%zu\nother_registry=%zu\n"
               "secs=%.3f\nmb_per_s=%.1f\nrows_per_s=%.0f\nsizeof_event=%zu\nbytes_per_event=%.1f\nmaxrss_kb=%ld\n",
               (long long)st.st_size, log.rows, log.n, log.failed_status, log.other_registry, secs,
               secs > 0 ? (double)st.st_size / 1e6 / secs : 0, secs > 0 ? (double)log.rows / secs : 0,
               sizeof *log.ev, log.n ? (double)mem / (double)log.n : 0, maxrss_kb());
        diag_free(&d);
        events_free(&log);
        return 0;
    }
    return usage();
}
