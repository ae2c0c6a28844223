/* model_cache_internal.h - what the model cache's files share: the image's records (the format
 * is described at the top of model_cache.c) and its checksum. Not for other modules: they use
 * model_cache.h.
 *   model_cache.c        the format, the checksum, the key, and the cache around the ingest
 *   model_cache_write.c  writing an image
 *   model_cache_load.c   loading an image, every part of it checked first */
#ifndef PURGESIM_MODEL_CACHE_INTERNAL_H
#define PURGESIM_MODEL_CACHE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model_cache.h"

_Static_assert(sizeof(uintptr_t) == sizeof(void *), "pointers hold offsets in the image");

enum { SEC_KEY, SEC_REPOS, SEC_MANIFESTS, SEC_TAGS, SEC_U32, SEC_STRINGS, SEC_BLOBS, SEC_SLOTS, SEC_TOP, N_SEC };

#define MC_MAGIC "PSMODEL"
#define MC_BOM 0x0102030405060708ULL

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

/* ---- the checksum (model_cache.c): model_cache_hash, fed piece by piece ---- */

struct mc_hasher {
    uint64_t a[4], total;
    unsigned char buf[32];
    size_t n;
};

void mc_hasher_init(struct mc_hasher *h, uint64_t seed);
void mc_hasher_update(struct mc_hasher *h, const void *data, size_t n);
uint64_t mc_hasher_final(const struct mc_hasher *h);
/* The header's own checksum, over the bytes before its hash field. */
uint64_t mc_header_hash(const struct mc_header *hd);

#endif
