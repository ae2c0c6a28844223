/* model_cache.h - a compact binary image of an ingested model, so that the second read of an
 * export skips the JSON: written to $XDG_CACHE_HOME/purgesim (default ~/.cache/purgesim), one
 * file per set of inputs, keyed by the inputs' identity (path, device, inode, size, mtime,
 * ctime), the ingest options that shape the model, purgesim's version and the binary's own
 * identity. A stale, corrupt or unreadable image is rebuilt from the export, never trusted; a
 * cache that cannot be written is skipped. The format is described in model_cache.c.
 * Ownership: model_cache_ingest() fills a model the caller owns; the key functions give
 * strings the caller frees. */
#ifndef PURGESIM_MODEL_CACHE_H
#define PURGESIM_MODEL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ingest.h"
#include "model.h"

/* Bump when the image's layout or the meaning of a model field changes. */
#define MODEL_CACHE_FORMAT 1

struct model_cache_opts {
    bool enabled;          /* false (the zero value): read the export, touch no cache */
    bool verbose;          /* one line on stderr: hit, written, stale or corrupt (rebuilt) */
    const char *dir;       /* NULL: $XDG_CACHE_HOME/purgesim, else $HOME/.cache/purgesim */
};

/* Reads `paths` into the empty model m exactly as ingest_new/ingest_add/ingest_finish would
 * (same model, same messages in d, same return code), through the cache when co->enabled:
 * a valid image is loaded instead of the JSON; otherwise the export is read and, when that
 * succeeded, its image written. Cache problems never change the result. */
int model_cache_ingest(struct model *m, const char *const *paths, int n_paths, const struct ingest_opts *io,
                       const struct model_cache_opts *co, struct diag *d);

/* ---- the parts, for tests, the fuzz target and the bench ---- */

enum model_cache_status {
    MODEL_CACHE_HIT = 0,
    MODEL_CACHE_ABSENT,    /* no image there */
    MODEL_CACHE_STALE,     /* an image of other inputs, another purgesim or another format */
    MODEL_CACHE_CORRUPT,   /* truncated, a checksum or a bound that does not hold */
    MODEL_CACHE_IO         /* the image cannot be read */
};

/* The key of the inputs (the text an image must repeat) and the image's file name in the
 * cache directory ("<32 hex>.model": from the inputs' real paths and the options only, so a
 * changed export overwrites its own image). Returns false when an input is neither a regular
 * file nor a directory, or cannot be stat'ed (the export is then read without the cache). */
bool model_cache_key(const char *const *paths, int n_paths, const struct ingest_opts *io, char **key,
                     char name[48]);

/* Writes m's image to `path` atomically (a temporary file in the same directory, renamed).
 * Returns true, or false with the reason in why. */
bool model_cache_write(const struct model *m, const char *key, const char *path, char *why, size_t whylen);

/* Loads the image at `path` into the empty model m when it repeats `key`. On anything but
 * MODEL_CACHE_HIT m is left empty and why says what was wrong. */
enum model_cache_status model_cache_load(const char *path, const char *key, struct model *m, char *why,
                                         size_t whylen);
/* The same from memory; key NULL accepts any key (the fuzz target). */
enum model_cache_status model_cache_load_mem(const void *image, size_t size, const char *key, struct model *m,
                                             char *why, size_t whylen);

/* Recomputes the checksums of an image in memory whose header is readable, so that a mutated
 * image reaches the bounds checks (the fuzz target, tests). */
void model_cache_reseal(void *image, size_t size);

/* The 64-bit checksum the image uses (over n bytes of p). */
uint64_t model_cache_hash(const void *p, size_t n, uint64_t seed);

#endif
