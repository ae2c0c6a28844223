/* ingest.h - az CLI exports (bundle, export directory, raw list-metadata / show-tags arrays,
 * REST-wrapped arrays) -> model. See data/EXPORT-FORMAT.md. Elements are parsed one at a time.
 * Ownership: ingest_new() gives a context freed by ingest_free(); the model stays the
 * caller's. Errors go to the diag; functions return PS_OK, ERR_INPUT or ERR_IO. */
#ifndef PURGESIM_INGEST_H
#define PURGESIM_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

struct ingest_opts {
    const char *repo;          /* repository name for raw arrays (--repo) */
    const char *registry;      /* login server for raw files (--registry) */
    int jobs;                  /* threads reading a bundle's repositories; 0: one per core */
    size_t repo_span_limit;    /* a bundle repository longer than this (bytes) is read by the
                                  reading thread itself, element by element; 0: 64 MiB */
};

struct ingest;

struct ingest *ingest_new(struct model *m, struct diag *d, const struct ingest_opts *o);
/* Reads one input: a bundle file, an export directory or a raw/REST-wrapped array file. */
int ingest_add(struct ingest *in, const char *path);
/* Resolves what raw files left pending, sorts the model. Call once after the last add. */
int ingest_finish(struct ingest *in);
/* Bytes read so far (for throughput figures). */
uint64_t ingest_bytes_read(const struct ingest *in);
void ingest_free(struct ingest *in);    /* NULL is fine */

/* Convenience: ingest one path into a new model. Returns PS_OK and sets *out, or an error. */
int ingest_load(const char *path, const struct ingest_opts *o, struct model **out, struct diag *d);

#endif
