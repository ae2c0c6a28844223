/* ingest_read.c - the arrays and objects that hold elements, streamed from a jstream one
 * element at a time, and a bundle repository's object (its name and element lists). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_kind.h"
#include "ingest_internal.h"

/* Writes "[i]" and a NUL at out (at least 24 bytes); returns its length. */
static size_t element_suffix(char *out, size_t i)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    size_t k = 0;
    out[k++] = '[';
    while (n) out[k++] = digits[--n];
    out[k++] = ']';
    out[k] = '\0';
    return k;
}

/* One element at a time: each is parsed, staged and its tree dropped before the next. */
bool ingest_read_array(struct ingest *in, struct jstream *js, struct stage_repo *r, enum array_kind kind,
                       const char *path)
{
    char p[PATH_CAP];
    if (js_peek(js) == 'n') {   /* "manifests": null is an empty listing */
        if (!js_capture(js, path)) return false;
        if (strcmp(js->cap, "null")) {
            js_error_here(js, path, "expected an array");
            return false;
        }
        if (kind == ARR_TAGS) r->tags_given = true;
        return true;
    }
    if (!js_expect(js, '[', path)) return false;
    if (kind == ARR_TAGS) r->tags_given = true;
    char *list = arena_strndup(r->scratch, path, strlen(path));
    if (js_peek(js) == ']') {
        js_expect(js, ']', path);
        return true;
    }
    bool done = false;
    size_t prefix = (size_t)snprintf(p, sizeof p, "%s", path);
    if (prefix > sizeof p - 24) prefix = sizeof p - 24;   /* room for "[index]" */
    for (size_t i = 0; !done; i++) {
        size_t plen = prefix + element_suffix(p + prefix, i);   /* "%s[%zu]", without printf per element */
        if (!js_capture(js, p)) return false;
        cJSON *o = js_parse_captured(js, p);
        if (!o) return false;
        struct elem_ctx e = {in, js->file, js->cap_line, js->cap_col, p, false, plen, js->cap, js->cap_len, js->cap_offset};
        enum array_kind k = kind;
        if (k == ARR_GUESS && i == 0 && input_kind_of_element(o) == INPUT_EVENTS) {
            /* rows of ContainerRegistryRepositoryEvents: one hint, not an error per row */
            char says[400];
            diag_error(js->d, js->file, js->cap_line, js->cap_col, p, "%s",
                       input_kind_says(INPUT_EVENTS, "an export", says, sizeof says));
            js_tree_release(o);
            js->failed = true;
            return false;
        }
        if (k == ARR_GUESS) {
            k = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "name")) &&
                        !cJSON_GetObjectItemCaseSensitive(o, "imageSize") &&
                        !cJSON_GetObjectItemCaseSensitive(o, "mediaType")
                    ? ARR_TAGS : ARR_MANIFESTS;
            if (k == ARR_TAGS) r->tags_given = true;
        }
        if (k == ARR_TAGS) ingest_add_tag(&e, r, o, i, list);
        else ingest_add_manifest(&e, r, o, i);
        js_tree_release(o);
        js_next_member(js, ']', path, &done);
        if (js->failed) return false;
    }
    return !js->failed;
}

bool ingest_read_string(struct jstream *js, const char *path, char **out)
{
    if (!js_capture(js, path)) return false;
    cJSON *v = js_parse_captured(js, path);
    if (!v) return false;
    bool ok = cJSON_IsString(v);
    if (ok) {
        free(*out);
        *out = strdup(v->valuestring);
    } else {
        char g[96];
        ingest_describe_value(v, g, sizeof g);
        diag_error(js->d, js->file, js->cap_line, js->cap_col, path, "expected a string, got %s", g);
        js->failed = true;
    }
    cJSON_Delete(v);
    return ok;
}

bool ingest_read_bodies(struct ingest *in, struct jstream *js, struct stage_repo *r, const char *path)
{
    if (!js_expect(js, '{', path)) return false;
    if (js_peek(js) == '}') return js_expect(js, '}', path);
    bool done = false;
    while (!done) {
        char key[128], p[PATH_CAP + 160];
        if (!js_read_key(js, key, sizeof key, path)) return false;
        size_t key_line = js->cap_line, key_col = js->cap_col;
        snprintf(p, sizeof p, "%s[\"%s\"]", path, key);
        if (!js_capture(js, p)) return false;
        cJSON *o = js_parse_captured(js, p);
        if (!o) return false;
        struct elem_ctx e = {in, js->file, js->cap_line, js->cap_col, p, false, strlen(p), js->cap, js->cap_len, js->cap_offset};
        ingest_add_body(&e, r, key, key_line, key_col, o);
        js_tree_release(o);
        js_next_member(js, '}', path, &done);
        if (js->failed) return false;
    }
    return true;
}

struct stage_repo *ingest_read_repo_object(struct ingest *in, struct jstream *js, size_t index)
{
    char path[PATH_CAP], p[PATH_CAP + 96];
    snprintf(path, sizeof path, "repositories[%zu]", index);
    js_peek(js);
    size_t line = js->line, col = js->col;
    if (!js_expect(js, '{', path)) return NULL;
    struct stage_repo *r = stage_repo_new(NULL, js->file, path, NULL);
    r->line = line;
    r->col = col;
    bool ok = true, done = js_peek(js) == '}';
    if (done) js_expect(js, '}', path);
    while (ok && !done) {
        char key[64];
        if (!js_read_key(js, key, sizeof key, path)) { ok = false; break; }
        snprintf(p, sizeof p, "%s.%s", path, key);
        if (!strcmp(key, "name")) {
            ok = ingest_read_string(js, p, &r->name);
            r->name_line = js->cap_line;
            r->name_col = js->cap_col;
        }
        else if (!strcmp(key, "manifests")) ok = ingest_read_array(in, js, r, ARR_MANIFESTS, p);
        else if (!strcmp(key, "tags")) ok = ingest_read_array(in, js, r, ARR_TAGS, p);
        else if (!strcmp(key, "bodies")) ok = ingest_read_bodies(in, js, r, p);
        else ok = js_capture(js, p);   /* unknown fields are ignored */
        if (ok) js_next_member(js, '}', path, &done);
        if (js->failed) ok = false;
    }
    if (!ok) {
        stage_repo_free(r);
        return NULL;
    }
    return r;
}
