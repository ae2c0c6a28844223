/* ingest_dir.c - an export directory (data/EXPORT-FORMAT.md): registry.json, then one
 * REPO.manifests.json, REPO.tags.json and REPO.bodies.json per repository, in name order. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest_internal.h"

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

static bool is_repo_file(const char *name)
{
    return ends_with(name, ".manifests.json") || ends_with(name, ".tags.json") || ends_with(name, ".bodies.json");
}

/* The repository files of dir, sorted by name (readdir order is not stable). Returns ERR_IO
 * with a message when the directory cannot be read. */
static int list_repo_files(struct ingest *in, const char *dir, char ***names, size_t *n)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_error(in->d, dir, 0, 0, NULL, "cannot read directory: %s", strerror(errno));
        return ERR_IO;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!is_repo_file(de->d_name)) continue;
        xgrow((void **)names, &cap, *n + 1, sizeof **names);
        (*names)[(*n)++] = strdup(de->d_name);
    }
    closedir(dh);
    if (*n > 1) qsort(*names, *n, sizeof **names, name_cmp);
    return PS_OK;
}

/* The repository name of a file: REPO is the name with '/' written as "__". */
static void repo_of_file(const char *f, size_t base, char *repo, size_t cap)
{
    size_t k = 0;
    for (size_t j = 0; j < base && k + 1 < cap; j++) {
        if (f[j] == '_' && j + 1 < base && f[j + 1] == '_') {
            repo[k++] = '/';
            j++;
        } else {
            repo[k++] = f[j];
        }
    }
    repo[k] = '\0';
}

/* Reads one repository file `f` of dir into its pending repository. */
static int read_repo_file(struct ingest *in, const char *dir, const char *f)
{
    const char *suffix = ends_with(f, ".manifests.json") ? ".manifests.json"
                         : ends_with(f, ".tags.json")    ? ".tags.json" : ".bodies.json";
    char repo[1024], path[4096];
    repo_of_file(f, strlen(f) - strlen(suffix), repo, sizeof repo);
    snprintf(path, sizeof path, "%s/%s", dir, f);
    /* labels outlive this function: staged elements name their file in later messages */
    const char *p = arena_strndup(&in->raw_scratch, path, strlen(path));
    struct stage_repo *r = ingest_pending_repo(in, repo, p, "");
    struct jstream js;
    int rc = js_open(&js, p, p, in->d);
    if (rc != PS_OK) return rc;
    bool ok = ingest_skip_bom(&js) != -2;
    if (ok && !strcmp(suffix, ".bodies.json")) ok = ingest_read_bodies(in, &js, r, "");
    else if (ok) ok = ingest_read_array(in, &js, r, suffix[1] == 'm' ? ARR_MANIFESTS : ARR_TAGS, "");
    if (ok && js_peek(&js) >= 0) {
        ingest_trailing_error(&js);
        ok = false;
    }
    in->bytes_read += js.bytes_read;
    js_close(&js);
    return !ok || in->d->n_total ? ERR_INPUT : PS_OK;
}

int ingest_dir(struct ingest *in, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/registry.json", dir);
    const char *p = arena_strndup(&in->raw_scratch, path, strlen(path));
    struct stat st;
    if (stat(p, &st) != 0) {
        diag_error(in->d, dir, 0, 0, NULL, "export directory has no registry.json");
        return ERR_INPUT;
    }
    int rc = ingest_file(in, p, p);
    if (rc != PS_OK) return rc;
    char **names = NULL;
    size_t n = 0;
    rc = list_repo_files(in, dir, &names, &n);
    for (size_t i = 0; i < n && rc == PS_OK; i++) rc = read_repo_file(in, dir, names[i]);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}
