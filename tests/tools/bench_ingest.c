/* bench_ingest.c - measurement driver for tests/tools/bench.sh: one measurement per process,
 * so each peak RSS is its own. Prints "key=value" lines on stdout.
 *
 *   bench_ingest ingest FILE [JOBS]  ingest_load() into a model with JOBS threads (default: one
 *                                per core): time, MB/s, peak RSS, model bytes
 *   bench_ingest cjson FILE      reference: read the whole file, cJSON_Parse() it with the
 *                                default allocator, cJSON_Delete(); time and peak RSS
 *   bench_ingest cache FILE [JOBS]  the model cache: ingest_load() (the JSON read), then the
 *                                model's image written to a temporary directory and loaded back
 *                                (model_cache_write, model_cache_load; best of 3 loads): times
 *                                and the image's size
 *
 * Build (after make): cc -O2 -std=c17 -D_GNU_SOURCE -Isim -Ireports -I/usr/include/cjson
 *   tests/tools/bench_ingest.c build/libpurgesim.a -lcjson -lpcre2-8 -lcsv -lplot -lpthread -lm
 *   -o build/bench_ingest */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "generate.h"
#include "ingest.h"
#include "model.h"
#include "model_cache.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ingest_load of path on `jobs` threads, timed; false (messages printed) when it fails. */
static bool timed_load(const char *path, int jobs, struct model **m, double *secs)
{
    struct diag d;
    memset(&d, 0, sizeof d);
    struct ingest_opts io = {NULL, NULL, jobs, 0};
    double t0 = now_s();
    int rc = ingest_load(path, &io, m, &d);
    *secs = now_s() - t0;
    if (rc != PS_OK) diag_print(&d, stderr);
    diag_free(&d);
    return rc == PS_OK;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;   /* KiB on Linux */
}

static int run_ingest(const char *path, int jobs)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 3;
    }
    long rss0 = peak_rss_kb();
    struct model *m = NULL;
    double secs;
    if (!timed_load(path, jobs, &m, &secs)) return 1;
    /* everything the model holds: its arena plus the arrays it owns outside the arena, as used
     * (model_bytes) and as allocated with the spare capacity of growable arrays */
    uint64_t model_bytes = (uint64_t)m->arena.total_bytes + m->n_repos * sizeof(struct repo) +
                           m->n_blobs * sizeof(struct blob) + m->n_blob_slots * sizeof(uint32_t);
    uint64_t alloc_bytes = (uint64_t)m->arena.total_bytes + m->cap_repos * sizeof(struct repo) +
                           m->cap_blobs * sizeof(struct blob) + m->n_blob_slots * sizeof(uint32_t);
    double mb = (double)st.st_size / 1e6;
    printf("mode=ingest\nfile_bytes=%lld\nseconds=%.3f\nmb_per_s=%.1f\n", (long long)st.st_size,
           secs, secs > 0 ? mb / secs : 0.0);
    printf("peak_rss_kb=%ld\nstart_rss_kb=%ld\n", peak_rss_kb(), rss0);
    printf("repos=%zu\nmanifests=%zu\ntags=%zu\nblobs=%zu\n", m->n_repos, m->n_manifests, m->n_tags,
           m->n_blobs);
    printf("model_bytes=%llu\nmodel_alloc_bytes=%llu\narena_bytes=%zu\nbytes_per_manifest=%.1f\n",
           (unsigned long long)model_bytes, (unsigned long long)alloc_bytes, m->arena.total_bytes,
           m->n_manifests ? (double)model_bytes / (double)m->n_manifests : 0.0);
    model_free(m);
    return 0;
}

static int run_cjson(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 3;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        perror(path);
        fclose(fp);
        return 3;
    }
    size_t n = (size_t)st.st_size;
    double t0 = now_s();
    char *buf = malloc(n + 1);
    if (!buf || fread(buf, 1, n, fp) != n) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        fclose(fp);
        return 3;
    }
    fclose(fp);
    buf[n] = '\0';
    double t1 = now_s();
    cJSON *doc = cJSON_Parse(buf);
    double t2 = now_s();
    if (!doc) {
        fprintf(stderr, "%s: cJSON_Parse failed\n", path);
        free(buf);
        return 1;
    }
    long rss = peak_rss_kb();
    cJSON_Delete(doc);
    double t3 = now_s();
    free(buf);
    double mb = (double)n / 1e6;
    printf("mode=cjson\nfile_bytes=%zu\nread_seconds=%.3f\nparse_seconds=%.3f\nseconds=%.3f\n", n,
           t1 - t0, t2 - t1, t2 - t0);
    printf("delete_seconds=%.3f\nmb_per_s=%.1f\nparse_mb_per_s=%.1f\npeak_rss_kb=%ld\n", t3 - t2,
           t2 > t0 ? mb / (t2 - t0) : 0.0, t2 > t1 ? mb / (t2 - t1) : 0.0, rss);
    return 0;
}

static int run_cache(const char *path, int jobs)
{
    struct model *m = NULL;
    double json_s;
    if (!timed_load(path, jobs, &m, &json_s)) return 1;
    struct ingest_opts io = {NULL, NULL, jobs, 0};   /* the cache key of the same read */
    double t0;
    char dir[] = "/tmp/purgesim-bench-cache-XXXXXX", img[64], why[512], *key = NULL, name[48];
    if (!mkdtemp(dir) || !model_cache_key(&path, 1, &io, &key, name)) {
        fprintf(stderr, "bench_ingest cache: no temporary directory or key\n");
        model_free(m);
        return 3;
    }
    snprintf(img, sizeof img, "%s/image.model", dir);
    t0 = now_s();
    bool written = model_cache_write(m, key, img, why, sizeof why);
    double write_s = now_s() - t0;
    struct stat st;
    double load_s = 0;
    int loaded = written;
    for (int k = 0; k < 3 && loaded; k++) {
        struct model *back = model_new();
        t0 = now_s();
        loaded = model_cache_load(img, key, back, why, sizeof why) == MODEL_CACHE_HIT && back->n_manifests == m->n_manifests;
        double s = now_s() - t0;
        if (k == 0 || s < load_s) load_s = s;
        model_free(back);
    }
    if (!written || !loaded || stat(img, &st) != 0) {
        fprintf(stderr, "bench_ingest cache: %s\n", why);
        unlink(img);
        rmdir(dir);
        free(key);
        model_free(m);
        return 1;
    }
    printf("mode=cache\njson_seconds=%.3f\nwrite_seconds=%.3f\nload_seconds=%.4f\nimage_bytes=%lld\n", json_s, write_s,
           load_s, (long long)st.st_size);
    printf("load_over_json=%.4f\n", json_s > 0 ? load_s / json_s : 0.0);
    unlink(img);
    rmdir(dir);
    free(key);
    model_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "ingest"))
        return run_ingest(argv[2], argc == 4 ? atoi(argv[3]) : 0);
    if (argc == 3 && !strcmp(argv[1], "cjson")) return run_cjson(argv[2]);
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "cache"))
        return run_cache(argv[2], argc == 4 ? atoi(argv[3]) : 0);
    fputs("usage: bench_ingest ingest|cjson|cache FILE [JOBS]\n", stderr);
    return 2;
}
