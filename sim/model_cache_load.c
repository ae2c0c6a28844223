/* model_cache_load.c - loading a model's image (model_cache.c describes the format). A load
 * checks the header, the key, every checksum, then every offset, index, count, enum and bool of
 * the model before it is handed out: a damaged image is reported, never trusted, and never
 * crashes the loader (tests/fuzz/fuzz_cache.c). MANIFESTS to STRINGS are read with one pread
 * into one arena block and fixed up in place; BLOBS and SLOTS straight into the model's arrays.
 * Also model_cache_reseal, which lets the fuzz target and the tests reach the bounds checks. */
#include "model_cache_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

static const char *const SEC_NAMES[N_SEC] = {"key",     "repositories", "manifests",  "tags", "indexes",
                                             "strings", "blobs",        "blob table", "model"};


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

/* Says why in `why` and returns st: every refusal below goes through here. */
static enum model_cache_status refuse(char *why, size_t whylen, enum model_cache_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum model_cache_status refuse(char *why, size_t whylen, enum model_cache_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return st;
}

/* Reads and checks the header: this build's format, and sections that follow one another, each
 * padded to 8 bytes, up to the end of the file. */
static enum model_cache_status check_header(const struct mc_src *src, struct mc_header *hd, char *why, size_t whylen)
{
    if (src->size < sizeof *hd || !src_read(src, 0, hd, sizeof *hd))
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "truncated header");
    if (memcmp(hd->magic, MC_MAGIC, sizeof hd->magic)) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "not a model image");
    if (hd->hash != mc_header_hash(hd)) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "checksum of the header");
    if (hd->format != MODEL_CACHE_FORMAT || hd->bom != MC_BOM || hd->sz_manifest != sizeof(struct manifest) ||
        hd->sz_tag != sizeof(struct tag) || hd->sz_blob != sizeof(struct blob) || hd->sz_ptr != sizeof(void *))
        return refuse(why, whylen, MODEL_CACHE_STALE, "format %u of another build", hd->format);
    if (hd->file_size != src->size)
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "%llu bytes, the header says %llu",
                      (unsigned long long)src->size, (unsigned long long)hd->file_size);
    uint64_t end = sizeof *hd;
    for (int s = 0; s < N_SEC; s++) {
        const struct mc_section *sc = &hd->sec[s];
        if (sc->off != end || sc->len > src->size - sc->off || padded(sc->len) > src->size - sc->off)
            return refuse(why, whylen, MODEL_CACHE_CORRUPT, "bounds of the %s", SEC_NAMES[s]);
        end = sc->off + padded(sc->len);
    }
    if (end != src->size) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "bounds of the file");
    return MODEL_CACHE_HIT;
}

/* The key comes first: an image of other inputs is stale, however sound. key NULL accepts any. */
static enum model_cache_status check_key(const struct mc_src *src, const struct mc_header *hd, const char *key,
                                         char *why, size_t whylen)
{
    const struct mc_section *sk = &hd->sec[SEC_KEY];
    char *img_key = xmalloc(padded(sk->len) + 1);
    enum model_cache_status st = read_section(src, hd, SEC_KEY, img_key, why, whylen);
    if (st == MODEL_CACHE_HIT && key && (strlen(key) != sk->len || memcmp(key, img_key, sk->len)))
        st = refuse(why, whylen, MODEL_CACHE_STALE, "made from other inputs or by another purgesim");
    free(img_key);
    return st;
}

/* Reads the model record and checks every section's length against its counts. */
static enum model_cache_status read_top(const struct mc_src *src, const struct mc_header *hd, struct mc_top *top,
                                        char *why, size_t whylen)
{
    if (hd->sec[SEC_TOP].len != sizeof *top) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "model record");
    enum model_cache_status st = read_section(src, hd, SEC_TOP, top, why, whylen);
    if (st != MODEL_CACHE_HIT) return st;
    if (!mul_ok(top->n_repos, sizeof(struct mc_repo), hd->sec[SEC_REPOS].len) ||
        !mul_ok(top->n_manifests, sizeof(struct manifest), hd->sec[SEC_MANIFESTS].len) ||
        !mul_ok(top->n_tags, sizeof(struct tag), hd->sec[SEC_TAGS].len) ||
        !mul_ok(top->n_u32, sizeof(uint32_t), hd->sec[SEC_U32].len) || top->n_strings != hd->sec[SEC_STRINGS].len ||
        !mul_ok(top->n_blobs, sizeof(struct blob), hd->sec[SEC_BLOBS].len) ||
        !mul_ok(top->n_blob_slots, sizeof(uint32_t), hd->sec[SEC_SLOTS].len) || top->n_blobs >= UINT32_MAX ||
        top->has_exported_at > 1)
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "counts");
    return MODEL_CACHE_HIT;
}

/* MANIFESTS .. STRINGS once read into one block: where each section lies in it. */
struct mc_block {
    struct manifest *mfs;
    struct tag *tags;
    const uint32_t *u32;
    const char *strs;
};

/* Reads MANIFESTS .. STRINGS with one read into one block of t's arena and checks their
 * checksums; nothing in them is fixed up yet. */
static enum model_cache_status read_block(const struct mc_src *src, const struct mc_header *hd,
                                          const struct mc_top *top, struct model *t, struct mc_block *bk, char *why,
                                          size_t whylen)
{
    uint64_t b0 = hd->sec[SEC_MANIFESTS].off, b1 = hd->sec[SEC_STRINGS].off + padded(hd->sec[SEC_STRINGS].len);
    unsigned char *block = arena_alloc(&t->arena, (size_t)(b1 - b0));
    if (!src_read(src, b0, block, b1 - b0)) return refuse(why, whylen, MODEL_CACHE_IO, "cannot read the manifests");
    for (int s = SEC_MANIFESTS; s <= SEC_STRINGS; s++)
        if (model_cache_hash(block + (hd->sec[s].off - b0), padded(hd->sec[s].len), (uint64_t)s) != hd->sec[s].hash)
            return refuse(why, whylen, MODEL_CACHE_CORRUPT, "checksum of the %s", SEC_NAMES[s]);
    bk->mfs = (struct manifest *)block;
    bk->tags = (struct tag *)(block + (hd->sec[SEC_TAGS].off - b0));
    bk->u32 = (const uint32_t *)(block + (hd->sec[SEC_U32].off - b0));
    bk->strs = (const char *)(block + (hd->sec[SEC_STRINGS].off - b0));
    if (top->n_strings && bk->strs[top->n_strings - 1] != '\0')
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "unterminated string");
    return MODEL_CACHE_HIT;
}

/* Reads BLOBS and SLOTS into t's arrays and REPOS into *recs (the caller frees it). */
static enum model_cache_status read_arrays(const struct mc_src *src, const struct mc_header *hd,
                                           const struct mc_top *top, struct model *t, struct mc_repo **recs,
                                           char *why, size_t whylen)
{
    enum model_cache_status st;
    t->blobs = xmalloc(padded(hd->sec[SEC_BLOBS].len));
    t->n_blobs = t->cap_blobs = top->n_blobs;
    if ((st = read_section(src, hd, SEC_BLOBS, t->blobs, why, whylen)) != MODEL_CACHE_HIT) return st;
    t->blob_slots = xmalloc(padded(hd->sec[SEC_SLOTS].len));
    t->n_blob_slots = top->n_blob_slots;
    if ((st = read_section(src, hd, SEC_SLOTS, t->blob_slots, why, whylen)) != MODEL_CACHE_HIT) return st;
    *recs = xmalloc(padded(hd->sec[SEC_REPOS].len));
    return read_section(src, hd, SEC_REPOS, *recs, why, whylen);
}

/* The blob interning table: a power of two, at most half full, holding every blob once. */
static enum model_cache_status check_blob_table(const struct model *t, const struct mc_top *top, char *why,
                                                size_t whylen)
{
    if (top->n_blob_slots) {
        if (top->n_blob_slots & (top->n_blob_slots - 1) || top->n_blobs * 2 > top->n_blob_slots)
            return refuse(why, whylen, MODEL_CACHE_CORRUPT, "blob table size");
        uint64_t used = 0;
        for (uint64_t i = 0; i < top->n_blob_slots; i++) {
            if (t->blob_slots[i] > top->n_blobs) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "blob table entry");
            used += t->blob_slots[i] != 0;
        }
        if (used != top->n_blobs) return refuse(why, whylen, MODEL_CACHE_CORRUPT, "blob table count");
    } else if (top->n_blobs) {
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "no blob table");
    }
    return MODEL_CACHE_HIT;
}

/* Points the model's own strings (registry, sku, setup) into STRINGS; false on a bad offset. */
static bool fix_model_strings(struct model *t, const struct mc_top *top, const char *strs)
{
    const char **tops[7] = {&t->registry, &t->sku, &t->setup.acr_show, &t->setup.tasks, &t->setup.retention,
                            &t->setup.soft_delete, &t->setup.replications};
    const uint64_t top_strs[7] = {top->registry, top->sku, top->setup[0], top->setup[1], top->setup[2], top->setup[3], top->setup[4]};
    for (int i = 0; i < 7; i++) {
        uintptr_t v = (uintptr_t)top_strs[i];
        memcpy(tops[i], &v, sizeof v);
        if (!fix_str(tops[i], strs, top->n_strings)) return false;
    }
    return true;
}

/* The repositories: each one's name, and its manifests and tags as consecutive slices of the
 * block, every pointer fixed up and every index checked. */
static enum model_cache_status fix_repos(struct model *t, const struct mc_repo *recs, const struct mc_top *top,
                                         const struct mc_block *bk, char *why, size_t whylen)
{
    t->repos = xcalloc(top->n_repos ? top->n_repos : 1, sizeof *t->repos);
    t->n_repos = t->cap_repos = top->n_repos;
    uint64_t at_m = 0, at_t = 0;
    for (uint64_t i = 0; i < top->n_repos; i++) {
        struct repo *r = &t->repos[i];
        const struct mc_repo *rc = &recs[i];
        uintptr_t v = (uintptr_t)rc->name;
        memcpy(&r->name, &v, sizeof v);
        if (!fix_str(&r->name, bk->strs, top->n_strings) || !r->name)
            return refuse(why, whylen, MODEL_CACHE_CORRUPT, "repository name");
        if (rc->n_manifests > top->n_manifests - at_m || rc->n_tags > top->n_tags - at_t || rc->n_manifests >= UINT32_MAX)
            return refuse(why, whylen, MODEL_CACHE_CORRUPT, "repository counts");
        r->manifests = bk->mfs + at_m;
        r->tags = bk->tags + at_t;
        r->n_manifests = rc->n_manifests;
        r->n_tags = rc->n_tags;
        at_m += rc->n_manifests;
        at_t += rc->n_tags;
        for (size_t j = 0; j < r->n_manifests; j++)
            if (!check_manifest(&r->manifests[j], r->n_manifests, top->n_blobs, bk->strs, top->n_strings, bk->u32,
                                top->n_u32))
                return refuse(why, whylen, MODEL_CACHE_CORRUPT, "manifest %zu of %s", j, r->name);
        for (size_t j = 0; j < r->n_tags; j++)
            if (!check_tag(&r->tags[j], r->n_manifests, bk->strs, top->n_strings))
                return refuse(why, whylen, MODEL_CACHE_CORRUPT, "tag %zu of %s", j, r->name);
    }
    if (at_m != top->n_manifests || at_t != top->n_tags)
        return refuse(why, whylen, MODEL_CACHE_CORRUPT, "repository counts");
    return MODEL_CACHE_HIT;
}

/* The model's counts and oddities, from the record. */
static void take_top(struct model *t, const struct mc_top *top)
{
    t->n_manifests = top->n_manifests;
    t->n_tags = top->n_tags;
    t->exported_at_ns = top->exported_at_ns;
    t->has_exported_at = top->has_exported_at;
    struct model_oddities *o = &t->odd;
    size_t *odd[MC_N_ODD] = {&o->bad_times,           &o->missing_times,     &o->missing_media,
                             &o->missing_attrs,       &o->tags_from_manifests, &o->dangling_children,
                             &o->bodies_without_manifest};
    for (int i = 0; i < MC_N_ODD; i++) *odd[i] = (size_t)top->odd[i];
}

static enum model_cache_status load(const struct mc_src *src, const char *key, struct model *m, char *why,
                                    size_t whylen)
{
    struct model *t = model_new();
    struct mc_header hd;
    struct mc_top top;
    struct mc_block bk = {0};   /* read_block sets it; zeroed for the compiler, which cannot tell */
    struct mc_repo *recs = NULL;
    enum model_cache_status st;
    if ((st = check_header(src, &hd, why, whylen)) != MODEL_CACHE_HIT) goto out;
    if ((st = check_key(src, &hd, key, why, whylen)) != MODEL_CACHE_HIT) goto out;
    if ((st = read_top(src, &hd, &top, why, whylen)) != MODEL_CACHE_HIT) goto out;
    if ((st = read_block(src, &hd, &top, t, &bk, why, whylen)) != MODEL_CACHE_HIT) goto out;
    if ((st = read_arrays(src, &hd, &top, t, &recs, why, whylen)) != MODEL_CACHE_HIT) goto out;
    /* every checksum holds: now every bound, so that nothing the model hands out points astray */
    if ((st = check_blob_table(t, &top, why, whylen)) != MODEL_CACHE_HIT) goto out;
    if (!fix_model_strings(t, &top, bk.strs)) {
        st = refuse(why, whylen, MODEL_CACHE_CORRUPT, "model strings");
        goto out;
    }
    if ((st = fix_repos(t, recs, &top, &bk, why, whylen)) != MODEL_CACHE_HIT) goto out;
    take_top(t, &top);
out:
    free(recs);
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
    hd.hash = mc_header_hash(&hd);
    memcpy(image, &hd, sizeof hd);
}
