/* ingest_internal.h - what the ingest_*.c files share: the reading context, repositories staged
 * before they are built, and each file's entry points. Not for other modules: they use ingest.h.
 *
 * The files call one another in one direction only, from the whole input down to one field:
 *   ingest.c          the API: a path is an export directory or a file; resolving what is pending
 *   ingest_dir.c      an export directory: registry.json, then REPO.manifests/tags/bodies.json
 *   ingest_file.c     one JSON file: a bundle, a REST wrapper or a raw array, and its top keys
 *   ingest_bundle.c   a bundle's "repositories" array, on this thread or on a workpool
 *   ingest_part.c     one bundle repository read and built apart from the model, joined later
 *   ingest_read.c     arrays and objects of elements (and a bundle repository's object) streamed
 *   ingest_element.c  one manifest, tag or body element -> staged
 *   ingest_repo.c     a staged repository -> checked and built into the model
 *   ingest_pos.c      where a field is (line and column) and what it holds, for messages */
#ifndef PURGESIM_INGEST_INTERNAL_H
#define PURGESIM_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "ingest.h"
#include "jstream.h"
#include "model.h"

#define PATH_CAP 320
#define MAX_SAFE_INT 9007199254740992.0   /* 2^53: larger doubles are no longer exact */

struct cJSON;

struct ingest {
    struct model *m;
    struct diag *d;
    struct ingest_opts o;
    struct stage_repo *pending;   /* raw-file repositories, resolved in ingest_finish */
    struct arena raw_scratch;     /* staging data of the pending repositories */
    uint64_t bytes_read;
};

/* Where an element is in its file: enough to find a field's line and column again when a
 * message needs it (which is rare, so nothing is computed while reading). */
struct src_ref {
    uint64_t off;
    size_t len, line, col;
};

/* A manifest as read, before its repository is complete (tags and bodies may come later). */
struct stage_manifest {
    struct manifest m;
    const char *path;          /* JSON path of the element, for messages */
    struct src_ref ref;        /* the element, for positions of its tag names */
    const char *media_raw;
    struct digest *child_digests;
    const char **tag_names;
    struct digest subject_digest;
    uint32_t n_child_digests, n_tag_names;
    bool has_subject_digest, has_references, has_layers;
    size_t line, col, index;
    const char *file;
};

struct stage_tag {
    struct tag t;
    struct digest digest;
    size_t index;
    struct src_ref ref;        /* the element, for positions of its "digest" and "name" */
    const char *file;
    const char *list;          /* JSON path prefix of the tags array */
};

struct stage_body {
    struct digest digest;
    struct digest *child_digests;
    struct digest subject_digest;
    uint32_t *layers;
    uint32_t n_child_digests, n_layers;
    bool has_subject_digest, has_children, has_layers;
};

struct stage_repo {
    char *name;
    const char *file;          /* file that named the repository, for messages */
    char *path;                /* JSON path of the repository, e.g. "repositories[3]" */
    size_t line, col;          /* of a bundle repository's object; 0 for raw files */
    size_t name_line, name_col;
    struct stage_manifest *man;
    struct stage_tag *tags;
    struct stage_body *bodies;
    size_t n_man, cap_man, n_tags, cap_tags, n_bodies, cap_bodies;
    bool tags_given;           /* a show-tags list was read (even an empty one) */
    struct arena own;          /* staging data of a bundle repository, freed once resolved */
    struct arena *scratch;     /* &own, or the ingest's arena shared by raw-file repositories */
    struct stage_repo *next;
};


/* One element being read (a manifest, a tag, a body), for its field messages. */
struct elem_ctx {
    struct ingest *in;
    const char *file;
    size_t line, col;
    const char *path;          /* JSON path of the element (or of a part of it) */
    bool bad;
    size_t root_len;           /* length of the element's own path, a prefix of `path` */
    const char *text;          /* the element's text, for positions of its fields */
    size_t text_len;
    uint64_t text_off;         /* where the text starts in the file */
};

enum array_kind { ARR_MANIFESTS, ARR_TAGS, ARR_GUESS };

/* ---- ingest_pos.c ---- */

/* Describes a cJSON value for "expected X, got Y" messages. */
void ingest_describe_value(const struct cJSON *v, char *buf, size_t n);
/* Where the element is, to find its fields again (ingest_ref_pos) after it is gone. */
struct src_ref ingest_elem_ref(const struct elem_ctx *e);
/* Line and column of the value at `rel` (".key" and "[index]" steps) in an element read
 * earlier, read again from its file; the element's own position when it is not there. */
void ingest_ref_pos(const char *file, const struct src_ref *ref, const char *rel, size_t *line, size_t *col);
/* Records "expected X, got Y" at the element's field (a path relative to e->path), at the
 * field's own line and column; marks the element bad. */
void ingest_field_error(struct elem_ctx *e, const char *field, const char *expected, const struct cJSON *got);

/* ---- ingest_element.c: field errors are recorded and the element is dropped ---- */

void ingest_add_manifest(struct elem_ctx *e, struct stage_repo *r, const struct cJSON *o, size_t index);
/* `list` is the JSON path of the tags array, kept for later messages. */
void ingest_add_tag(struct elem_ctx *e, struct stage_repo *r, const struct cJSON *o, size_t index,
                    const char *list);
/* A bodies entry: `key` (the digest) was read at key_line:key_col. */
void ingest_add_body(struct elem_ctx *e, struct stage_repo *r, const char *key, size_t key_line,
                     size_t key_col, const struct cJSON *o);

/* ---- ingest_repo.c ---- */

/* A new staged repository; `shared` is the arena for its staging data (NULL: its own). */
struct stage_repo *stage_repo_new(const char *name, const char *file, const char *path, struct arena *shared);
/* Frees the staged elements, keeping the name and positions. */
void stage_repo_trim(struct stage_repo *r);
void stage_repo_free(struct stage_repo *r);
/* The pending (raw-file) repository of that name, made when there is none yet. */
struct stage_repo *ingest_pending_repo(struct ingest *in, const char *name, const char *file, const char *path);
/* Each returns PS_OK or ERR_INPUT with its message recorded in d. */
int ingest_check_repo_name(struct diag *d, const struct stage_repo *r);
int ingest_check_repo_unique(const struct model *m, struct diag *d, const struct stage_repo *r);
/* Builds the repository from its staged elements into *out, allocating from in->m's arena and
 * interning blobs in in->m; does not add it to the model. */
int ingest_build_repo(struct ingest *in, struct stage_repo *r, struct repo *out);
/* Adds a built repository to the model, keeping the repositories sorted by name. */
void ingest_add_repo(struct model *m, const struct repo *rp);
/* Checks, builds and adds. */
int ingest_resolve_repo(struct ingest *in, struct stage_repo *r);

/* ---- ingest_read.c: each returns false after a syntax error (recorded in js) ---- */

/* An array of manifest or tag objects at `path`; with ARR_GUESS (raw az output) an element
 * with a "name" is a show-tags entry, any other a list-metadata entry. */
bool ingest_read_array(struct ingest *in, struct jstream *js, struct stage_repo *r, enum array_kind kind,
                       const char *path);
/* A "bodies" object: manifest digest -> body. */
bool ingest_read_bodies(struct ingest *in, struct jstream *js, struct stage_repo *r, const char *path);
/* A string value into *out (malloc'd, replacing what was there). */
bool ingest_read_string(struct jstream *js, const char *path, char **out);
/* Reads repositories[index]'s object into a new stage repository; NULL after a syntax error
 * (reading stops there). Field errors are recorded and reading goes on, so one run reports
 * every bad field. */
struct stage_repo *ingest_read_repo_object(struct ingest *in, struct jstream *js, size_t index);

/* ---- ingest_part.c ---- */

/* One bundle repository read and built apart from the model, waiting to join it in file
 * order. Ownership: the part owns everything here until ingest_part_commit() or
 * ingest_part_discard(); its repository's arrays live in the reading worker's arena. */
struct repo_part {
    struct diag walk_d;           /* messages recorded while reading its elements */
    struct diag res_d;            /* messages recorded while building it */
    bool ok;                      /* no syntax error: reading may go on after it */
    bool checked;                 /* read without messages, so its name was checked */
    bool name_ok, built;
    struct repo rp;               /* when built: its layers hold the part's own blob ids */
    struct blob *blobs;           /* the part's blobs by its own ids, in first-seen order */
    size_t n_blobs;
    struct model_oddities odd;
    struct stage_repo *where;     /* its name and positions, for the duplicate-name check */
};

/* On a worker: reads repositories[index] from js into part, with `shard` as the model (its
 * arena is the worker's; its blob table is moved into the part). `in` is only read. */
void ingest_part_read(const struct ingest *in, struct model *shard, struct jstream *js, size_t index,
                      struct repo_part *part);
/* On the reading thread, in file order: does with the part what reading the repository on
 * this thread would have done (messages, duplicate check, blob ids, joining the model), then
 * empties the part. Returns false when reading must stop there. */
bool ingest_part_commit(struct ingest *in, struct repo_part *part);
void ingest_part_discard(struct repo_part *part);

/* ---- ingest_bundle.c ---- */

/* Reads the elements of a bundle's "repositories" array (the '[' is consumed) on in->o.jobs
 * threads, with the same messages, model and stopping point as reading them one by one.
 * Returns false when reading must stop (the message is recorded). */
bool ingest_read_repositories(struct ingest *in, struct jstream *js);

/* ---- ingest_file.c ---- */

/* Reads one JSON file (a bundle, a REST wrapper or a raw array) labelled `label`. */
int ingest_file(struct ingest *in, const char *path, const char *label);
/* Skips a UTF-8 BOM; refuses UTF-16. The first character, -1 at the end, -2 after an error. */
int ingest_skip_bom(struct jstream *js);
/* Records "unexpected X after the JSON value". */
void ingest_trailing_error(struct jstream *js);
/* *dst = a copy of s in the model's arena (nothing when s is NULL). */
void ingest_set_model_string(struct model *m, const char **dst, const char *s);

/* ---- ingest_dir.c ---- */

/* Reads an export directory: registry.json, then each REPO.{manifests,tags,bodies}.json. */
int ingest_dir(struct ingest *in, const char *dir);

#endif
