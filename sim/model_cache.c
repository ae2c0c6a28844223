/* model_cache.c - the model's binary image (model_cache.h): its format, its checksum, the key
 * that names and guards it, and the cache around the ingest. An image is written by
 * model_cache_write.c and loaded by model_cache_load.c (model_cache_internal.h).
 *
 * Image format (MODEL_CACHE_FORMAT 1). Native byte order and struct layout: the header records
 * both, and the key holds the binary's identity, so an image of another build is stale.
 *
 *   header     struct mc_header: magic "PSMODEL\0", format, byte-order mark, the sizes of the
 *              model's structs, the file's size and, per section, {offset, length, checksum};
 *              last the checksum of the header itself
 *   KEY        the key text (see key_build), compared byte for byte with the inputs' own
 *   REPOS      per repository {name, n_manifests, n_tags}, uint64_t each
 *   MANIFESTS  every struct manifest, repository after repository, as in memory except that
 *              the pointers hold numbers: created_raw and updated_raw a STRINGS offset + 1,
 *              children and layers a U32 index + 1; 0 stands for NULL
 *   TAGS       every struct tag, the same way (name, updated_raw)
 *   U32        the children and layers arrays, manifest after manifest
 *   STRINGS    NUL-terminated strings: the model's, the repositories' names, the manifests'
 *              raw times, the tags' names and raw times, in that order
 *   BLOBS      struct blob[n_blobs]
 *   SLOTS      the blob interning table, uint32_t[n_blob_slots]
 *   TOP        struct mc_top: the model's scalars, string offsets, counts and oddities
 *
 * Sections start on 8-byte boundaries. MANIFESTS to STRINGS are one run of the file, read with
 * one pread into one arena block and fixed up in place (no copy, no parse); BLOBS and SLOTS
 * are read straight into the arrays the model owns. The checksum is model_cache_hash, an
 * xxh64-style hash over 4 lanes (several GB/s), one per section. A load checks the header, the
 * key, every checksum, then every offset, index, count, enum and bool of the model before it
 * is handed out: a damaged image is reported, never trusted, and never crashes the loader
 * (tests/fuzz/fuzz_cache.c).
 *
 * The image holds the model only: the ingest's warnings for odd but valid data are computed
 * later from the model's counters (struct model_oddities), which the image keeps, so a hit
 * warns exactly as a read of the JSON does. Only a read that succeeded is cached. */
#include "model_cache_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache_dir.h"
#include "timeu.h"
#include "version.h"

#define MC_RACY_NS 1000000000LL   /* an input changed this recently is not cached */

/* ---- the checksum ---- */

#define H1 0x9E3779B185EBCA87ULL
#define H2 0xC2B2AE3D27D4EB4FULL
#define H3 0x165667B19E3779F9ULL
#define H4 0x85EBCA77C2B2AE63ULL

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    return x << r | x >> (64 - r);
}

static inline void hash_block(uint64_t a[4], const unsigned char *p)
{
    for (int k = 0; k < 4; k++) {
        uint64_t v;
        memcpy(&v, p + 8 * k, sizeof v);
        a[k] = rotl64(a[k] + v * H2, 31) * H1;
    }
}

void mc_hasher_init(struct mc_hasher *h, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    h->a[0] = seed + H1 + H2;
    h->a[1] = seed + H2;
    h->a[2] = seed;
    h->a[3] = seed - H1;
}

void mc_hasher_update(struct mc_hasher *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    h->total += n;
    if (h->n) {
        size_t take = 32 - h->n < n ? 32 - h->n : n;
        memcpy(h->buf + h->n, p, take);
        h->n += take;
        p += take;
        n -= take;
        if (h->n < 32) return;
        hash_block(h->a, h->buf);
        h->n = 0;
    }
    for (; n >= 32; p += 32, n -= 32) hash_block(h->a, p);
    if (n) memcpy(h->buf, p, n);
    h->n = n;
}

uint64_t mc_hasher_final(const struct mc_hasher *h)
{
    uint64_t x = rotl64(h->a[0], 1) + rotl64(h->a[1], 7) + rotl64(h->a[2], 12) + rotl64(h->a[3], 18);
    x ^= h->total * H4;
    for (size_t i = 0; i < h->n; i++) x = rotl64(x ^ (h->buf[i] * H3), 11) * H1;
    x ^= x >> 33;
    x *= H2;
    x ^= x >> 29;
    x *= H3;
    x ^= x >> 32;
    return x;
}

uint64_t model_cache_hash(const void *p, size_t n, uint64_t seed)
{
    struct mc_hasher h;
    mc_hasher_init(&h, seed);
    mc_hasher_update(&h, p, n);
    return mc_hasher_final(&h);
}

uint64_t mc_header_hash(const struct mc_header *hd)
{
    return model_cache_hash(hd, offsetof(struct mc_header, hash), 0x5053);
}

/* ---- the key ---- */

struct kbuf {
    char *p;
    size_t n, cap;
};

static void kb_printf(struct kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kb_printf(struct kbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (b->p && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        xgrow((void **)&b->p, &b->cap, b->n + (size_t)k + 1, 1);
    }
}

/* One stat line, and the newest change it shows. */
static void key_stat(struct kbuf *b, const struct stat *st, int64_t *newest)
{
    int64_t mt = timeu_timespec_ns(st->st_mtim), ct = timeu_timespec_ns(st->st_ctim);
    if (mt > *newest) *newest = mt;
    if (ct > *newest) *newest = ct;
    kb_printf(b, " %llu %llu %lld %lld %lld\n", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
              (long long)st->st_size, (long long)mt, (long long)ct);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: itself and every entry (what ingest_dir reads, and more), in name order. */
static bool key_dir(struct kbuf *b, const char *dir, int64_t *newest)
{
    DIR *dh = opendir(dir);
    if (!dh) return false;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        xgrow((void **)&names, &cap, n + 1, sizeof *names);
        names[n] = xmalloc(strlen(de->d_name) + 1);
        strcpy(names[n++], de->d_name);
    }
    closedir(dh);
    if (n > 1) qsort(names, n, sizeof *names, name_cmp);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        int k = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        kb_printf(b, "entry %zu:%s", strlen(names[i]), names[i]);
        if (k < 0 || (size_t)k >= sizeof path || stat(path, &st) != 0) ok = false;
        else key_stat(b, &st, newest);
        free(names[i]);
    }
    free(names);
    return ok;
}

static void key_opt(struct kbuf *b, const char *label, const char *v)
{
    if (v) kb_printf(b, "%s %zu:%s\n", label, strlen(v), v);
    else kb_printf(b, "%s -\n", label);
}

/* The key text, the image's file name, and the newest change time of any input. */
static bool key_build(const char *const *paths, int n_paths, const struct ingest_opts *io, char **key,
                      char name[48], int64_t *newest)
{
    struct kbuf k = {0}, slot = {0};
    struct stat st;
    bool ok = n_paths > 0;
    *newest = INT64_MIN;
    kb_printf(&k, "purgesim model cache %d\nversion %s\n", MODEL_CACHE_FORMAT, PURGESIM_VERSION);
    /* the binary itself: a rebuilt purgesim may read the same JSON into another model */
    if (stat("/proc/self/exe", &st) == 0) {
        int64_t keep = *newest;
        kb_printf(&k, "binary");
        key_stat(&k, &st, newest);
        *newest = keep;
    } else {
        kb_printf(&k, "binary ?\n");
    }
    kb_printf(&k, "layout %zu %zu %zu %zu %zu\n", sizeof(struct manifest), sizeof(struct tag), sizeof(struct repo),
              sizeof(struct blob), sizeof(void *));
    kb_printf(&slot, "purgesim model cache\n");
    key_opt(&k, "repo", io ? io->repo : NULL);
    key_opt(&k, "registry", io ? io->registry : NULL);
    key_opt(&slot, "repo", io ? io->repo : NULL);
    key_opt(&slot, "registry", io ? io->registry : NULL);
    for (int i = 0; i < n_paths && ok; i++) {
        char *real = realpath(paths[i], NULL);
        if (!real || stat(real, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
            ok = false;
        } else {
            key_opt(&k, "input", real);
            key_opt(&slot, "input", real);
            kb_printf(&k, S_ISDIR(st.st_mode) ? "dir" : "file");
            key_stat(&k, &st, newest);
            if (S_ISDIR(st.st_mode)) ok = key_dir(&k, real, newest);
        }
        free(real);
    }
    if (ok) {
        snprintf(name, 48, "%016llx%016llx.model", (unsigned long long)model_cache_hash(slot.p, slot.n, 1),
                 (unsigned long long)model_cache_hash(slot.p, slot.n, 2));
        *key = k.p;
    } else {
        free(k.p);
    }
    free(slot.p);
    return ok;
}

bool model_cache_key(const char *const *paths, int n_paths, const struct ingest_opts *io, char **key,
                     char name[48])
{
    int64_t newest;
    return key_build(paths, n_paths, io, key, name, &newest);
}

/* ---- the cache around the ingest ---- */

static int read_export(struct model *m, const char *const *paths, int n_paths, const struct ingest_opts *io,
                       struct diag *d)
{
    struct ingest *in = ingest_new(m, d, io);
    int rc = PS_OK;
    for (int k = 0; k < n_paths && rc == PS_OK; k++) rc = ingest_add(in, paths[k]);
    if (rc == PS_OK) rc = ingest_finish(in);
    ingest_free(in);
    return rc;
}

static void note(const struct model_cache_opts *co, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct model_cache_opts *co, const char *fmt, ...)
{
    if (!co->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("purgesim: model cache: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return timeu_timespec_ns(t);
}

int model_cache_ingest(struct model *m, const char *const *paths, int n_paths, const struct ingest_opts *io,
                       const struct model_cache_opts *co, struct diag *d)
{
    if (!co || !co->enabled) return read_export(m, paths, n_paths, io, d);
    int64_t start = now_ns(), newest;
    char *key = NULL, name[48], dir[4096], path[4200], why[512] = "";
    if (!key_build(paths, n_paths, io, &key, name, &newest)) {
        note(co, "not used: an input is not a regular file or directory");
        return read_export(m, paths, n_paths, io, d);
    }
    if (!cache_dir_open(co->dir, dir, sizeof dir, why, sizeof why)) {
        note(co, "not used: %s", why);
        free(key);
        return read_export(m, paths, n_paths, io, d);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    enum model_cache_status st = model_cache_load(path, key, m, why, sizeof why);
    if (st == MODEL_CACHE_HIT) {
        utimensat(AT_FDCWD, path, NULL, 0);   /* used now: the last to be pruned */
        note(co, "hit %s", path);
        free(key);
        return PS_OK;
    }
    char was[4800] = "";
    if (st == MODEL_CACHE_STALE) snprintf(was, sizeof was, "stale image %s (%s) rebuilt; ", path, why);
    else if (st == MODEL_CACHE_CORRUPT) snprintf(was, sizeof was, "corrupt image %s (%s) rebuilt; ", path, why);
    else if (st == MODEL_CACHE_IO) snprintf(was, sizeof was, "unreadable image %s (%s) rebuilt; ", path, why);
    int rc = read_export(m, paths, n_paths, io, d);
    if (rc == PS_OK) {
        char *again = NULL;
        int64_t newest2;
        if (newest > start - MC_RACY_NS) {
            note(co, "%snot written: an input changed less than a second ago", was);
        } else if (!key_build(paths, n_paths, io, &again, name, &newest2) || strcmp(again, key)) {
            note(co, "%snot written: an input changed while it was read", was);
        } else if (!model_cache_write(m, key, path, why, sizeof why)) {
            note(co, "%snot written: %s", was, why);
        } else {
            note(co, "%swritten %s", was, path);
            char budget[32];
            size_t removed = cache_dir_prune(dir, name, budget);
            if (removed) note(co, "removed %zu image%s used least recently (the cache keeps %s)", removed,
                              removed == 1 ? "" : "s", budget);
        }
        free(again);
    }
    free(key);
    return rc;
}
