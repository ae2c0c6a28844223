/* model_cache.c - the model's binary image (model_cache.h): key, write, load.
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
#include "model_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_dir.h"
#include "timeu.h"
#include "version.h"

_Static_assert(sizeof(uintptr_t) == sizeof(void *), "pointers hold offsets in the image");

enum { SEC_KEY, SEC_REPOS, SEC_MANIFESTS, SEC_TAGS, SEC_U32, SEC_STRINGS, SEC_BLOBS, SEC_SLOTS, SEC_TOP, N_SEC };
static const char *const SEC_NAMES[N_SEC] = {"key",     "repositories", "manifests",  "tags", "indexes",
                                             "strings", "blobs",        "blob table", "model"};

#define MC_MAGIC "PSMODEL"
#define MC_BOM 0x0102030405060708ULL
#define MC_RACY_NS 1000000000LL   /* an input changed this recently is not cached */

struct mc_section {
    uint64_t off, len, hash;
};

struct mc_header {
    char magic[8];
    uint32_t format, sz_manifest, sz_tag, sz_blob, sz_ptr, zero;
    uint64_t bom;
    uint64_t file_size;
    struct mc_section sec[N_SEC];
    uint64_t hash;   /* of the bytes before it */
};

struct mc_repo {
    uint64_t name, n_manifests, n_tags;
};

#define MC_N_ODD 7
struct mc_top {
    uint64_t registry, sku, setup[5];   /* STRINGS offset + 1; 0: NULL */
    int64_t exported_at_ns;
    uint64_t has_exported_at;
    uint64_t n_repos, n_manifests, n_tags, n_blobs, n_blob_slots, n_u32, n_strings;
    uint64_t odd[MC_N_ODD];
};

/* ---- the checksum ---- */

#define H1 0x9E3779B185EBCA87ULL
#define H2 0xC2B2AE3D27D4EB4FULL
#define H3 0x165667B19E3779F9ULL
#define H4 0x85EBCA77C2B2AE63ULL

struct mc_hasher {
    uint64_t a[4], total;
    unsigned char buf[32];
    size_t n;
};

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

static void hasher_init(struct mc_hasher *h, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    h->a[0] = seed + H1 + H2;
    h->a[1] = seed + H2;
    h->a[2] = seed;
    h->a[3] = seed - H1;
}

static void hasher_update(struct mc_hasher *h, const void *data, size_t n)
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

static uint64_t hasher_final(const struct mc_hasher *h)
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
    hasher_init(&h, seed);
    hasher_update(&h, p, n);
    return hasher_final(&h);
}

static uint64_t header_hash(const struct mc_header *hd)
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

/* ---- writing ---- */

struct mc_writer {
    FILE *fp;
    uint64_t pos;
    struct mc_hasher h;
    struct mc_header hd;
    int sec;
    uint64_t n_str, n_u32;   /* STRINGS bytes and U32 entries handed out so far */
    bool err;
};

static void w_put(struct mc_writer *w, const void *p, size_t n)
{
    if (!n) return;
    if (fwrite(p, 1, n, w->fp) != n) w->err = true;
    hasher_update(&w->h, p, n);
    w->pos += n;
}

static void w_begin(struct mc_writer *w, int sec)
{
    w->hd.sec[sec].off = w->pos;
    hasher_init(&w->h, (uint64_t)sec);
    w->sec = sec;
}

/* The section's length, then zeros to the next 8 bytes, which its checksum covers too: every
 * byte of an image is under a checksum. */
static void w_end(struct mc_writer *w)
{
    static const unsigned char zeros[8];
    w->hd.sec[w->sec].len = w->pos - w->hd.sec[w->sec].off;
    w_put(w, zeros, (size_t)(-w->pos & 7));
    w->hd.sec[w->sec].hash = hasher_final(&w->h);
}

/* A string's place in STRINGS (offset + 1, 0 for NULL); STRINGS is written in the same order. */
static uint64_t w_str(struct mc_writer *w, const char *s)
{
    if (!s) return 0;
    uint64_t off = w->n_str + 1;
    w->n_str += strlen(s) + 1;
    return off;
}

static void w_emit_str(struct mc_writer *w, const char *s)
{
    if (s) w_put(w, s, strlen(s) + 1);
}

static uint64_t w_u32(struct mc_writer *w, const uint32_t *v, uint32_t n)
{
    if (!v) return 0;
    uint64_t off = w->n_u32 + 1;
    w->n_u32 += n;
    return off;
}

static void set_num(void *field, uint64_t v)
{
    uintptr_t u = (uintptr_t)v;
    memcpy(field, &u, sizeof u);
}

static void put_manifest(struct mc_writer *w, const struct manifest *mf)
{
    struct manifest r;
    memset(&r, 0, sizeof r);   /* padding included: the image is the same bytes every time */
    r.digest = mf->digest;
    r.size_bytes = mf->size_bytes;
    r.created_ns = mf->created_ns;
    r.updated_ns = mf->updated_ns;
    set_num(&r.created_raw, w_str(w, mf->created_raw));
    set_num(&r.updated_raw, w_str(w, mf->updated_raw));
    set_num(&r.children, w_u32(w, mf->children, mf->n_children));
    set_num(&r.layers, w_u32(w, mf->layers, mf->n_layers));
    r.n_children = mf->n_children;
    r.n_layers = mf->n_layers;
    r.subject = mf->subject;
    r.has_subject = mf->has_subject;
    r.layers_known = mf->layers_known;
    r.delete_enabled = mf->delete_enabled;
    r.write_enabled = mf->write_enabled;
    r.media = mf->media;
    r.created_state = mf->created_state;
    r.updated_state = mf->updated_state;
    w_put(w, &r, sizeof r);
}

static void put_tag(struct mc_writer *w, const struct tag *t)
{
    struct tag r;
    memset(&r, 0, sizeof r);
    set_num(&r.name, w_str(w, t->name));
    r.manifest = t->manifest;
    r.created_ns = t->created_ns;
    r.updated_ns = t->updated_ns;
    set_num(&r.updated_raw, w_str(w, t->updated_raw));
    r.delete_enabled = t->delete_enabled;
    r.write_enabled = t->write_enabled;
    r.updated_state = t->updated_state;
    w_put(w, &r, sizeof r);
}

static void write_image(struct mc_writer *w, const struct model *m, const char *key)
{
    const struct model_setup *su = &m->setup;
    struct mc_top top;
    memset(&top, 0, sizeof top);
    /* the model's own strings come first in STRINGS */
    top.registry = w_str(w, m->registry);
    top.sku = w_str(w, m->sku);
    const char *setup[5] = {su->acr_show, su->tasks, su->retention, su->soft_delete, su->replications};
    for (int i = 0; i < 5; i++) top.setup[i] = w_str(w, setup[i]);

    w_put(w, &w->hd, sizeof w->hd);   /* a placeholder, rewritten at the end */
    w_begin(w, SEC_KEY);
    w_put(w, key, strlen(key));
    w_end(w);
    w_begin(w, SEC_REPOS);
    for (size_t i = 0; i < m->n_repos; i++) {
        struct mc_repo r = {w_str(w, m->repos[i].name), m->repos[i].n_manifests, m->repos[i].n_tags};
        w_put(w, &r, sizeof r);
    }
    w_end(w);
    w_begin(w, SEC_MANIFESTS);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) put_manifest(w, &m->repos[i].manifests[j]);
    w_end(w);
    w_begin(w, SEC_TAGS);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_tags; j++) put_tag(w, &m->repos[i].tags[j]);
    w_end(w);
    w_begin(w, SEC_U32);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) {
            const struct manifest *mf = &m->repos[i].manifests[j];
            if (mf->children) w_put(w, mf->children, mf->n_children * sizeof *mf->children);
            if (mf->layers) w_put(w, mf->layers, mf->n_layers * sizeof *mf->layers);
        }
    w_end(w);
    w_begin(w, SEC_STRINGS);
    w_emit_str(w, m->registry);
    w_emit_str(w, m->sku);
    for (int i = 0; i < 5; i++) w_emit_str(w, setup[i]);
    for (size_t i = 0; i < m->n_repos; i++) w_emit_str(w, m->repos[i].name);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) {
            w_emit_str(w, m->repos[i].manifests[j].created_raw);
            w_emit_str(w, m->repos[i].manifests[j].updated_raw);
        }
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_tags; j++) {
            w_emit_str(w, m->repos[i].tags[j].name);
            w_emit_str(w, m->repos[i].tags[j].updated_raw);
        }
    w_end(w);
    w_begin(w, SEC_BLOBS);
    w_put(w, m->blobs, m->n_blobs * sizeof *m->blobs);
    w_end(w);
    w_begin(w, SEC_SLOTS);
    w_put(w, m->blob_slots, m->n_blob_slots * sizeof *m->blob_slots);
    w_end(w);

    top.exported_at_ns = m->exported_at_ns;
    top.has_exported_at = m->has_exported_at;
    top.n_repos = m->n_repos;
    top.n_manifests = m->n_manifests;
    top.n_tags = m->n_tags;
    top.n_blobs = m->n_blobs;
    top.n_blob_slots = m->n_blob_slots;
    top.n_u32 = w->n_u32;
    top.n_strings = w->n_str;
    const struct model_oddities *o = &m->odd;
    const size_t odd[MC_N_ODD] = {o->bad_times,           o->missing_times,     o->missing_media,
                                  o->missing_attrs,       o->tags_from_manifests, o->dangling_children,
                                  o->bodies_without_manifest};
    for (int i = 0; i < MC_N_ODD; i++) top.odd[i] = odd[i];
    w_begin(w, SEC_TOP);
    w_put(w, &top, sizeof top);
    w_end(w);

    memcpy(w->hd.magic, MC_MAGIC, sizeof w->hd.magic);
    w->hd.format = MODEL_CACHE_FORMAT;
    w->hd.sz_manifest = sizeof(struct manifest);
    w->hd.sz_tag = sizeof(struct tag);
    w->hd.sz_blob = sizeof(struct blob);
    w->hd.sz_ptr = sizeof(void *);
    w->hd.bom = MC_BOM;
    w->hd.file_size = w->pos;
    w->hd.hash = header_hash(&w->hd);
    if (w->hd.sec[SEC_STRINGS].len != w->n_str) w->err = true;   /* the two walks disagree: a bug */
    if (fseek(w->fp, 0, SEEK_SET) != 0 || fwrite(&w->hd, sizeof w->hd, 1, w->fp) != 1) w->err = true;
}

bool model_cache_write(const struct model *m, const char *key, const char *path, char *why, size_t whylen)
{
    if (m->n_trail || m->observed_until_ns) {
        snprintf(why, whylen, "a forecast's model is not cached");
        return false;
    }
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
        snprintf(why, whylen, "path too long");
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
        return false;
    }
    struct mc_writer w;
    memset(&w, 0, sizeof w);
    w.fp = fdopen(fd, "wb");
    if (!w.fp) {
        snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    write_image(&w, m, key);
    if (fflush(w.fp) != 0 || ferror(w.fp)) w.err = true;
    int saved = errno;
    if (fclose(w.fp) != 0) w.err = true;
    if (!w.err && rename(tmp, path) == 0) return true;
    snprintf(why, whylen, "%s: %s", w.err ? tmp : path, strerror(w.err ? saved : errno));
    unlink(tmp);
    return false;
}

/* ---- loading ---- */

struct mc_src {
    int fd;                        /* -1: from memory */
    const unsigned char *mem;
    uint64_t size;
};

static bool src_read(const struct mc_src *s, uint64_t off, void *dst, uint64_t n)
{
    if (off > s->size || n > s->size - off) return false;
    if (!n) return true;
    if (s->mem) {
        memcpy(dst, s->mem + off, n);
        return true;
    }
    unsigned char *p = dst;
    while (n) {
        ssize_t k = pread(s->fd, p, n > (1u << 30) ? (1u << 30) : n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        off += (uint64_t)k;
        n -= (uint64_t)k;
    }
    return true;
}

static uint64_t padded(uint64_t n)
{
    return n + (-n & 7);
}

/* Reads section s with its padding into dst and checks its checksum; MODEL_CACHE_HIT when
 * both went well. The header's bounds were checked. */
static enum model_cache_status read_section(const struct mc_src *src, const struct mc_header *hd, int s, void *dst,
                                            char *why, size_t whylen)
{
    const struct mc_section *sc = &hd->sec[s];
    if (!src_read(src, sc->off, dst, padded(sc->len))) {
        snprintf(why, whylen, "cannot read the %s", SEC_NAMES[s]);
        return MODEL_CACHE_IO;
    }
    if (model_cache_hash(dst, padded(sc->len), (uint64_t)s) != sc->hash) {
        snprintf(why, whylen, "checksum of the %s", SEC_NAMES[s]);
        return MODEL_CACHE_CORRUPT;
    }
    return MODEL_CACHE_HIT;
}

static bool fix_str(const char **field, const char *pool, uint64_t n_pool)
{
    uintptr_t v;
    memcpy(&v, field, sizeof v);
    if (!v) {
        *field = NULL;
        return true;
    }
    if (v - 1 >= n_pool) return false;
    *field = pool + (v - 1);
    return true;
}

static bool fix_u32(const uint32_t **field, uint32_t n, const uint32_t *pool, uint64_t n_pool)
{
    uintptr_t v;
    memcpy(&v, field, sizeof v);
    if (!v) {
        *field = NULL;
        return n == 0;
    }
    if (v - 1 > n_pool || n > n_pool - (v - 1)) return false;
    *field = pool + (v - 1);
    return true;
}

static bool is_bool(const void *rec, size_t off)
{
    return ((const unsigned char *)rec)[off] <= 1;
}

static bool check_manifest(struct manifest *mf, uint64_t n_in_repo, uint64_t n_blobs, const char *strs,
                           uint64_t n_strs, const uint32_t *u32, uint64_t n_u32)
{
    if (!is_bool(mf, offsetof(struct manifest, has_subject)) || !is_bool(mf, offsetof(struct manifest, layers_known)) ||
        !is_bool(mf, offsetof(struct manifest, delete_enabled)) ||
        !is_bool(mf, offsetof(struct manifest, write_enabled)))
        return false;
    if (mf->media > MEDIA_OTHER || mf->created_state > TIME_BAD || mf->updated_state > TIME_BAD) return false;
    if (!fix_str(&mf->created_raw, strs, n_strs) || !fix_str(&mf->updated_raw, strs, n_strs)) return false;
    if (!fix_u32(&mf->children, mf->n_children, u32, n_u32) || !fix_u32(&mf->layers, mf->n_layers, u32, n_u32))
        return false;
    for (uint32_t k = 0; k < mf->n_children; k++)
        if (mf->children[k] >= n_in_repo) return false;
    for (uint32_t k = 0; k < mf->n_layers; k++)
        if (mf->layers[k] >= n_blobs) return false;
    return mf->subject == MODEL_NO_MANIFEST || mf->subject < n_in_repo;
}

static bool check_tag(struct tag *t, uint64_t n_in_repo, const char *strs, uint64_t n_strs)
{
    if (!is_bool(t, offsetof(struct tag, delete_enabled)) || !is_bool(t, offsetof(struct tag, write_enabled)))
        return false;
    if (t->updated_state > TIME_BAD || t->manifest >= n_in_repo) return false;
    return fix_str(&t->name, strs, n_strs) && t->name && fix_str(&t->updated_raw, strs, n_strs);
}

static bool mul_ok(uint64_t n, uint64_t size, uint64_t len)
{
    uint64_t p;
    return !__builtin_mul_overflow(n, size, &p) && p == len;
}

#define FAIL(status_, ...)                                                                         \
    do {                                                                                           \
        snprintf(why, whylen, __VA_ARGS__);                                                        \
        st = (status_);                                                                            \
        goto out;                                                                                  \
    } while (0)

static enum model_cache_status load(const struct mc_src *src, const char *key, struct model *m, char *why,
                                    size_t whylen)
{
    enum model_cache_status st = MODEL_CACHE_CORRUPT;
    struct model *t = model_new();
    struct mc_header hd;
    struct mc_top top;
    struct mc_repo *recs = NULL;
    char *img_key = NULL;

    if (src->size < sizeof hd || !src_read(src, 0, &hd, sizeof hd)) FAIL(MODEL_CACHE_CORRUPT, "truncated header");
    if (memcmp(hd.magic, MC_MAGIC, sizeof hd.magic)) FAIL(MODEL_CACHE_CORRUPT, "not a model image");
    if (hd.hash != header_hash(&hd)) FAIL(MODEL_CACHE_CORRUPT, "checksum of the header");
    if (hd.format != MODEL_CACHE_FORMAT || hd.bom != MC_BOM || hd.sz_manifest != sizeof(struct manifest) ||
        hd.sz_tag != sizeof(struct tag) || hd.sz_blob != sizeof(struct blob) || hd.sz_ptr != sizeof(void *))
        FAIL(MODEL_CACHE_STALE, "format %u of another build", hd.format);
    if (hd.file_size != src->size)
        FAIL(MODEL_CACHE_CORRUPT, "%llu bytes, the header says %llu", (unsigned long long)src->size,
             (unsigned long long)hd.file_size);
    /* the sections follow one another, each padded to 8 bytes, up to the end of the file */
    uint64_t end = sizeof hd;
    for (int s = 0; s < N_SEC; s++) {
        const struct mc_section *sc = &hd.sec[s];
        if (sc->off != end || sc->len > src->size - sc->off || padded(sc->len) > src->size - sc->off)
            FAIL(MODEL_CACHE_CORRUPT, "bounds of the %s", SEC_NAMES[s]);
        end = sc->off + padded(sc->len);
    }
    if (end != src->size) FAIL(MODEL_CACHE_CORRUPT, "bounds of the file");

    /* the key first: an image of other inputs is stale, however sound */
    const struct mc_section *sk = &hd.sec[SEC_KEY];
    img_key = xmalloc(padded(sk->len) + 1);
    if ((st = read_section(src, &hd, SEC_KEY, img_key, why, whylen)) != MODEL_CACHE_HIT) goto out;
    st = MODEL_CACHE_CORRUPT;
    if (key && (strlen(key) != sk->len || memcmp(key, img_key, sk->len)))
        FAIL(MODEL_CACHE_STALE, "made from other inputs or by another purgesim");

    const struct mc_section *stp = &hd.sec[SEC_TOP];
    if (stp->len != sizeof top) FAIL(MODEL_CACHE_CORRUPT, "model record");
    if ((st = read_section(src, &hd, SEC_TOP, &top, why, whylen)) != MODEL_CACHE_HIT) goto out;
    st = MODEL_CACHE_CORRUPT;
    if (!mul_ok(top.n_repos, sizeof(struct mc_repo), hd.sec[SEC_REPOS].len) ||
        !mul_ok(top.n_manifests, sizeof(struct manifest), hd.sec[SEC_MANIFESTS].len) ||
        !mul_ok(top.n_tags, sizeof(struct tag), hd.sec[SEC_TAGS].len) ||
        !mul_ok(top.n_u32, sizeof(uint32_t), hd.sec[SEC_U32].len) || top.n_strings != hd.sec[SEC_STRINGS].len ||
        !mul_ok(top.n_blobs, sizeof(struct blob), hd.sec[SEC_BLOBS].len) ||
        !mul_ok(top.n_blob_slots, sizeof(uint32_t), hd.sec[SEC_SLOTS].len) || top.n_blobs >= UINT32_MAX ||
        top.has_exported_at > 1)
        FAIL(MODEL_CACHE_CORRUPT, "counts");

    /* MANIFESTS .. STRINGS: one read into one block of the model's arena */
    uint64_t b0 = hd.sec[SEC_MANIFESTS].off, b1 = hd.sec[SEC_STRINGS].off + padded(hd.sec[SEC_STRINGS].len);
    unsigned char *block = arena_alloc(&t->arena, (size_t)(b1 - b0));
    if (!src_read(src, b0, block, b1 - b0)) FAIL(MODEL_CACHE_IO, "cannot read the manifests");
    for (int s = SEC_MANIFESTS; s <= SEC_STRINGS; s++)
        if (model_cache_hash(block + (hd.sec[s].off - b0), padded(hd.sec[s].len), (uint64_t)s) != hd.sec[s].hash)
            FAIL(MODEL_CACHE_CORRUPT, "checksum of the %s", SEC_NAMES[s]);
    struct manifest *mfs = (struct manifest *)block;
    struct tag *tags = (struct tag *)(block + (hd.sec[SEC_TAGS].off - b0));
    const uint32_t *u32 = (const uint32_t *)(block + (hd.sec[SEC_U32].off - b0));
    const char *strs = (const char *)(block + (hd.sec[SEC_STRINGS].off - b0));
    if (top.n_strings && strs[top.n_strings - 1] != '\0') FAIL(MODEL_CACHE_CORRUPT, "unterminated string");

    t->blobs = xmalloc(padded(hd.sec[SEC_BLOBS].len));
    t->n_blobs = t->cap_blobs = top.n_blobs;
    if ((st = read_section(src, &hd, SEC_BLOBS, t->blobs, why, whylen)) != MODEL_CACHE_HIT) goto out;
    t->blob_slots = xmalloc(padded(hd.sec[SEC_SLOTS].len));
    t->n_blob_slots = top.n_blob_slots;
    if ((st = read_section(src, &hd, SEC_SLOTS, t->blob_slots, why, whylen)) != MODEL_CACHE_HIT) goto out;
    recs = xmalloc(padded(hd.sec[SEC_REPOS].len));
    if ((st = read_section(src, &hd, SEC_REPOS, recs, why, whylen)) != MODEL_CACHE_HIT) goto out;
    st = MODEL_CACHE_CORRUPT;

    /* every checksum holds: now every bound, so that nothing the model hands out points astray */
    if (top.n_blob_slots) {
        if (top.n_blob_slots & (top.n_blob_slots - 1) || top.n_blobs * 2 > top.n_blob_slots)
            FAIL(MODEL_CACHE_CORRUPT, "blob table size");
        uint64_t used = 0;
        for (uint64_t i = 0; i < top.n_blob_slots; i++) {
            if (t->blob_slots[i] > top.n_blobs) FAIL(MODEL_CACHE_CORRUPT, "blob table entry");
            used += t->blob_slots[i] != 0;
        }
        if (used != top.n_blobs) FAIL(MODEL_CACHE_CORRUPT, "blob table count");
    } else if (top.n_blobs) {
        FAIL(MODEL_CACHE_CORRUPT, "no blob table");
    }
    const char **tops[7] = {&t->registry, &t->sku, &t->setup.acr_show, &t->setup.tasks, &t->setup.retention,
                            &t->setup.soft_delete, &t->setup.replications};
    const uint64_t top_strs[7] = {top.registry, top.sku, top.setup[0], top.setup[1], top.setup[2], top.setup[3], top.setup[4]};
    for (int i = 0; i < 7; i++) {
        uintptr_t v = (uintptr_t)top_strs[i];
        memcpy(tops[i], &v, sizeof v);
        if (!fix_str(tops[i], strs, top.n_strings)) FAIL(MODEL_CACHE_CORRUPT, "model strings");
    }
    t->repos = xcalloc(top.n_repos ? top.n_repos : 1, sizeof *t->repos);
    t->n_repos = t->cap_repos = top.n_repos;
    uint64_t at_m = 0, at_t = 0;
    for (uint64_t i = 0; i < top.n_repos; i++) {
        struct repo *r = &t->repos[i];
        const struct mc_repo *rc = &recs[i];
        uintptr_t v = (uintptr_t)rc->name;
        memcpy(&r->name, &v, sizeof v);
        if (!fix_str(&r->name, strs, top.n_strings) || !r->name) FAIL(MODEL_CACHE_CORRUPT, "repository name");
        if (rc->n_manifests > top.n_manifests - at_m || rc->n_tags > top.n_tags - at_t || rc->n_manifests >= UINT32_MAX)
            FAIL(MODEL_CACHE_CORRUPT, "repository counts");
        r->manifests = mfs + at_m;
        r->tags = tags + at_t;
        r->n_manifests = rc->n_manifests;
        r->n_tags = rc->n_tags;
        at_m += rc->n_manifests;
        at_t += rc->n_tags;
        for (size_t j = 0; j < r->n_manifests; j++)
            if (!check_manifest(&r->manifests[j], r->n_manifests, top.n_blobs, strs, top.n_strings, u32, top.n_u32))
                FAIL(MODEL_CACHE_CORRUPT, "manifest %zu of %s", j, r->name);
        for (size_t j = 0; j < r->n_tags; j++)
            if (!check_tag(&r->tags[j], r->n_manifests, strs, top.n_strings))
                FAIL(MODEL_CACHE_CORRUPT, "tag %zu of %s", j, r->name);
    }
    if (at_m != top.n_manifests || at_t != top.n_tags) FAIL(MODEL_CACHE_CORRUPT, "repository counts");
    t->n_manifests = top.n_manifests;
    t->n_tags = top.n_tags;
    t->exported_at_ns = top.exported_at_ns;
    t->has_exported_at = top.has_exported_at;
    struct model_oddities *o = &t->odd;
    size_t *odd[MC_N_ODD] = {&o->bad_times,           &o->missing_times,     &o->missing_media,
                             &o->missing_attrs,       &o->tags_from_manifests, &o->dangling_children,
                             &o->bodies_without_manifest};
    for (int i = 0; i < MC_N_ODD; i++) *odd[i] = (size_t)top.odd[i];
    st = MODEL_CACHE_HIT;
out:
    free(recs);
    free(img_key);
    if (st == MODEL_CACHE_HIT) {
        *m = *t;
        free(t);
    } else {
        model_free(t);   /* frees what load allocated; no pointer of it is followed */
    }
    return st;
}

enum model_cache_status model_cache_load(const char *path, const char *key, struct model *m, char *why,
                                         size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return errno == ENOENT ? MODEL_CACHE_ABSENT : MODEL_CACHE_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
        close(fd);
        return MODEL_CACHE_IO;
    }
    struct mc_src src = {fd, NULL, (uint64_t)st.st_size};
    enum model_cache_status s = load(&src, key, m, why, whylen);
    close(fd);
    return s;
}

enum model_cache_status model_cache_load_mem(const void *image, size_t size, const char *key, struct model *m,
                                             char *why, size_t whylen)
{
    struct mc_src src = {-1, image, size};
    return load(&src, key, m, why, whylen);
}

void model_cache_reseal(void *image, size_t size)
{
    struct mc_header hd;
    if (size < sizeof hd) return;
    memcpy(&hd, image, sizeof hd);
    for (int s = 0; s < N_SEC; s++) {
        const struct mc_section *sc = &hd.sec[s];
        if (sc->off > size || sc->len > size - sc->off || padded(sc->len) > size - sc->off) return;
        hd.sec[s].hash = model_cache_hash((const unsigned char *)image + sc->off, padded(sc->len), (uint64_t)s);
    }
    hd.file_size = size;
    hd.hash = header_hash(&hd);
    memcpy(image, &hd, sizeof hd);
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
