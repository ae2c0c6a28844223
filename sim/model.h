/* model.h - one registry snapshot in memory: repositories, manifests, tags, blobs.
 * Ownership: the model owns everything reachable from it (arena-backed); model_free() frees
 * it all. Times are int64_t ns since the epoch (UTC); digests are 32 raw bytes. */
#ifndef PURGESIM_MODEL_H
#define PURGESIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct digest {
    uint8_t b[32];
};

enum media_kind {
    MEDIA_NONE = 0,       /* no mediaType in the export */
    MEDIA_DOCKER_V2,      /* application/vnd.docker.distribution.manifest.v2+json */
    MEDIA_DOCKER_LIST,    /* application/vnd.docker.distribution.manifest.list.v2+json */
    MEDIA_OCI_MANIFEST,   /* application/vnd.oci.image.manifest.v1+json */
    MEDIA_OCI_INDEX,      /* application/vnd.oci.image.index.v1+json */
    MEDIA_OCI_ARTIFACT,   /* application/vnd.oci.artifact.manifest.v1+json */
    MEDIA_OTHER,          /* anything else (Docker v1 schema, unknown) */
};

enum time_state { TIME_OK = 0, TIME_MISSING, TIME_BAD };

#define MODEL_NO_MANIFEST UINT32_MAX

struct manifest {
    struct digest digest;
    uint64_t size_bytes;           /* imageSize */
    int64_t created_ns, updated_ns;
    const char *created_raw;       /* raw text when the state is TIME_BAD, else NULL */
    const char *updated_raw;
    const uint32_t *children;      /* indexes into repo->manifests (index/list children) */
    const uint32_t *layers;        /* blob ids (config and layers) */
    uint32_t n_children, n_layers;
    uint32_t subject;              /* repo manifest index of the subject, or MODEL_NO_MANIFEST */
    bool has_subject;              /* the body names a subject (even one not in the repo) */
    bool layers_known;             /* layers came from a body or the "layers" field */
    bool delete_enabled, write_enabled;
    uint8_t media;                 /* enum media_kind */
    uint8_t created_state, updated_state;  /* enum time_state */
};

struct tag {
    const char *name;
    uint32_t manifest;             /* index into repo->manifests */
    int64_t created_ns, updated_ns;
    const char *updated_raw;       /* raw text when TIME_BAD ("" when missing) */
    bool delete_enabled, write_enabled;
    uint8_t updated_state;         /* enum time_state */
};

/* A tag as the export held it, until a forecast's synthetic push moved it (unset_ns). */
struct model_tag_trail {
    uint32_t repo;
    struct tag tag;
    int64_t unset_ns;
};

struct repo {
    const char *name;
    struct manifest *manifests;    /* sorted by digest */
    struct tag *tags;              /* sorted by name */
    size_t n_manifests, n_tags;
};

struct blob {
    struct digest digest;
    uint64_t size_bytes;
};

/* Odd but real data, counted for one warning line (data/EXPORT-FORMAT.md §3). */
struct model_oddities {
    size_t bad_times, missing_times, missing_media, missing_attrs, tags_from_manifests,
        dangling_children, bodies_without_manifest;
};

/* The registry's purge setup as an export carries it (data/EXPORT-FORMAT.md, "The purge
 * setup"): each the raw JSON text az printed, NUL-terminated, in the arena; NULL when absent.
 * The simulation replays it as the policy "current". */
struct model_setup {
    const char *acr_show;          /* az acr show */
    const char *tasks;             /* az acr task list */
    const char *retention;         /* az acr config retention show */
    const char *soft_delete;       /* az acr config soft-delete show */
    const char *replications;      /* az acr replication list */
};

struct model {
    const char *registry;          /* login server, e.g. myreg.azurecr.io */
    const char *sku;               /* NULL when the export does not say */
    int64_t exported_at_ns;
    bool has_exported_at;
    struct model_setup setup;
    int64_t observed_until_ns;     /* a forecast's model: the real export's instant (what was
                                      untagged then lost its tag by then); 0 otherwise */
    struct model_tag_trail *trail; /* a forecast's model: tags as exported that it moved on */
    size_t n_trail;
    struct repo *repos;            /* sorted by name */
    size_t n_repos, cap_repos;
    struct blob *blobs;            /* interned by digest; ids are indexes */
    size_t n_blobs, cap_blobs;
    size_t n_manifests, n_tags;    /* totals */
    struct model_oddities odd;
    struct arena arena;
    /* blob interning table (open addressing over blob ids + 1) */
    uint32_t *blob_slots;
    size_t n_blob_slots;
};

struct model *model_new(void);
void model_free(struct model *m);          /* NULL is fine */

/* Interns a blob; returns its id. A later size for the same digest is ignored. */
uint32_t model_intern_blob(struct model *m, const struct digest *d, uint64_t size_bytes);
/* Asks for the table slot where model_intern_blob() will look for d first: a registry's blob
 * table is larger than the cache, and each lookup otherwise waits for memory. */
void model_intern_prefetch(const struct model *m, const struct digest *d);

/* Finds a manifest by digest in a repo (binary search); MODEL_NO_MANIFEST if absent. */
uint32_t model_find_manifest(const struct repo *r, const struct digest *d);
/* Finds a repository by exact name; NULL if absent. */
const struct repo *model_find_repo(const struct model *m, const char *name);

/* Parses "sha256:" + 64 hex digits (lower or upper case). Returns true on success. */
bool digest_parse(const char *s, size_t n, struct digest *out);
/* Writes "sha256:<64 lowercase hex>" into buf (>= 72 bytes); returns buf. */
char *digest_format(const struct digest *d, char *buf, size_t len);
int digest_cmp(const struct digest *a, const struct digest *b);

/* Classifies a mediaType string. */
enum media_kind media_classify(const char *media_type);
static inline bool media_is_index(uint8_t media)
{
    return media == MEDIA_DOCKER_LIST || media == MEDIA_OCI_INDEX;
}

/* Dedup storage is exact only when every image manifest lists its blobs (indexes have none). */
bool model_layers_known(const struct model *m);

/* Sorts repos by name (call once after ingest). */
void model_sort_repos(struct model *m);

/* True when either lock flag is off (acr purge's definition of locked). */
static inline bool manifest_is_locked(const struct manifest *mf)
{
    return !mf->delete_enabled || !mf->write_enabled;
}
static inline bool tag_is_locked(const struct tag *t)
{
    return !t->delete_enabled || !t->write_enabled;
}

/* Geo-replicas as the export's `az acr replication list` shows them (the home region is one
 * of them, and each is billed again), or 1 when the export does not say. */
int model_replicas(const struct model *m);

#endif
