/* ingest.c - export files -> model, one JSON element at a time (data/EXPORT-FORMAT.md): the
 * API. A path is an export directory (ingest_dir.c) or one file (ingest_file.c); raw-file
 * repositories wait until every file is read and are built in ingest_finish. See
 * ingest_internal.h for how the ingest_*.c files divide the work. */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest_internal.h"

struct ingest *ingest_new(struct model *m, struct diag *d, const struct ingest_opts *o)
{
    struct ingest *in = xcalloc(1, sizeof *in);
    in->m = m;
    in->d = d;
    if (o) in->o = *o;
    if (in->o.registry) {
        /* as acr-cli's LoginURL: a name without a dot is an azurecr.io registry */
        char server[512];
        snprintf(server, sizeof server, "%s%s", in->o.registry,
                 strchr(in->o.registry, '.') ? "" : ".azurecr.io");
        ingest_set_model_string(m, &m->registry, server);
    }
    return in;
}

int ingest_add(struct ingest *in, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_error(in->d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return ERR_IO;
    }
    if (S_ISDIR(st.st_mode)) return ingest_dir(in, path);
    return ingest_file(in, path, path);
}

int ingest_finish(struct ingest *in)
{
    int rc = in->d->n_total ? ERR_INPUT : PS_OK;
    /* resolve in name order so messages come out in a stable order */
    size_t n = 0;
    for (struct stage_repo *r = in->pending; r; r = r->next) n++;
    struct stage_repo **v = xcalloc(n ? n : 1, sizeof *v);
    n = 0;
    for (struct stage_repo *r = in->pending; r; r = r->next) v[n++] = r;
    for (size_t i = 0; i < n && rc == PS_OK; i++) {
        rc = ingest_resolve_repo(in, v[i]);
    }
    free(v);
    model_sort_repos(in->m);
    if (rc == PS_OK && !in->m->registry) ingest_set_model_string(in->m, &in->m->registry, "registry.azurecr.io");
    return rc;
}

uint64_t ingest_bytes_read(const struct ingest *in)
{
    return in->bytes_read;
}

void ingest_free(struct ingest *in)
{
    if (!in) return;
    struct stage_repo *r = in->pending;
    while (r) {
        struct stage_repo *next = r->next;
        stage_repo_free(r);
        r = next;
    }
    arena_free_all(&in->raw_scratch);
    free(in);
}

int ingest_load(const char *path, const struct ingest_opts *o, struct model **out, struct diag *d)
{
    struct model *m = model_new();
    struct ingest *in = ingest_new(m, d, o);
    int rc = ingest_add(in, path);
    if (rc == PS_OK) rc = ingest_finish(in);
    ingest_free(in);
    if (rc != PS_OK) {
        model_free(m);
        return rc;
    }
    *out = m;
    return PS_OK;
}
