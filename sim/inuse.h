/* inuse.h - image references in use right now, from a plain list ("[registry/]repo[:tag]
 * [@sha256:...]" a line, '#' comments) or from `kubectl get pods -A -o json` (every container's
 * and init container's image and imageID). See data/EXPORT-FORMAT.md, "Event logs and in-use
 * lists".
 * Ownership: a struct inuse_list is caller-owned (zero it before the first inuse_load) and freed
 * with inuse_free(); every string of its references lives in its arena. */
#ifndef PURGESIM_INUSE_H
#define PURGESIM_INUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "model.h"

/* One reference: a tag, a digest, or both ("repo:tag@sha256:..." pins the digest; the tag is
 * what it was pulled as). Identical references appear once. */
struct inuse_ref {
    const char *repo;          /* without the registry, as the export names repositories */
    const char *tag;           /* NULL when the reference is by digest only */
    struct digest digest;      /* valid when has_digest */
    bool has_digest;
    const char *source;        /* where it was first read: "file:line" or "file: items[i].spec..." */
};

struct inuse_list {
    struct inuse_ref *refs;    /* in the order first read */
    size_t n, cap;
    size_t other_registry;     /* references to another registry: skipped */
    size_t duplicates;         /* references read again: skipped */
    const char **empty_files;  /* files read that list no image at all (in the arena): a warning */
    size_t n_empty_files, cap_empty_files;
    struct arena arena;
    size_t *slots;             /* dedup set (internal): index + 1, 0 empty */
    size_t cap_slots;
};

/* Reads one file and appends its references; several calls accumulate. A file whose first
 * non-blank character is '{' is kubectl's JSON, anything else a list. References whose
 * registry is set and differs, case-insensitively, from login_server (NULL keeps all) are
 * counted and skipped; so are kubectl images without a registry (Docker Hub's). A list line
 * without a registry names a repository of ours. A reference with neither tag nor digest means
 * ":latest", as in Docker.
 * A file that lists no image (empty, only comments and blank lines, no pods) is read without
 * error and added to empty_files. Another kind of input (an event log, an export, a price table,
 * a policy file, any JSON array) is one message naming what it looks like.
 * Returns PS_OK, ERR_IO, or ERR_INPUT (messages "file:line: what" for lists, "file:line:col:
 * items[i]...: what" for JSON, "file: this is ..., not an in-use list ..." for another kind;
 * none of this file's references are kept). */
int inuse_load(struct inuse_list *l, const char *path, const char *login_server, struct diag *d);
/* The same over text in memory; `file` names it in messages. */
int inuse_load_mem(struct inuse_list *l, const char *text, size_t len, const char *file,
                   const char *login_server, struct diag *d);
/* Whether s[0..n), one line of a list, holds one reference that the list reader takes (a '#'
 * comment and blanks around it allowed): for input_kind.c, which names an in-use list given
 * to another option. */
bool inuse_line_is_reference(const char *s, size_t n);
/* Frees everything; the list is zeroed. NULL is fine. */
void inuse_free(struct inuse_list *l);

/* Writes "repo:tag", "repo@sha256:..." or "repo:tag@sha256:..." into buf (>= 80 bytes plus
 * the names). Returns buf. */
char *inuse_format(const struct inuse_ref *r, char *buf, size_t len);

#endif
