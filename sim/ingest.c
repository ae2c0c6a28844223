/* ingest.c - export files -> model, one JSON element at a time (data/EXPORT-FORMAT.md). */
#include "ingest.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "ingest_internal.h"
#include "jstream.h"
#include "timeu.h"

#define PATH_CAP 320
#define MAX_SAFE_INT 9007199254740992.0   /* 2^53: larger doubles are no longer exact */


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

/* ---- small helpers ---------------------------------------------------------------- */

/* Frees the staged elements, keeping the name and positions. */
static void stage_repo_trim(struct stage_repo *r)
{
    free(r->man);
    free(r->tags);
    free(r->bodies);
    r->man = NULL;
    r->tags = NULL;
    r->bodies = NULL;
    r->n_man = r->cap_man = r->n_tags = r->cap_tags = r->n_bodies = r->cap_bodies = 0;
    arena_free_all(&r->own);
}

static void stage_repo_free(struct stage_repo *r)
{
    stage_repo_trim(r);
    free(r->name);
    free(r->path);
    free(r);
}

static struct stage_repo *stage_repo_new(const char *name, const char *file, const char *path,
                                         struct arena *shared)
{
    struct stage_repo *r = xcalloc(1, sizeof *r);
    r->scratch = shared ? shared : &r->own;
    r->name = name ? strdup(name) : NULL;
    r->file = file;
    r->path = strdup(path ? path : "");
    if ((name && !r->name) || !r->path) {
        fputs("purgesim: out of memory\n", stderr);
        abort();
    }
    return r;
}

/* Quotes s for a one-line message: escapes quotes, backslashes and control characters and
 * shows only the start of a long string (whole UTF-8 characters) with its length. */
static void quote_string(const char *s, char *buf, size_t n)
{
    size_t len = strlen(s), shown = len > 40 ? 32 : len, k = 0;
    while (shown < len && ((unsigned char)s[shown] & 0xC0) == 0x80) shown--;
    buf[k++] = '"';
    for (size_t i = 0; i < shown && k + 24 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)snprintf(buf + k, n - k, "\\u%04x", c);
        } else {
            buf[k++] = (char)c;
        }
    }
    if (shown < len) snprintf(buf + k, n - k, "...\" (%zu bytes)", len);
    else snprintf(buf + k, n - k, "\"");
}

/* Describes a cJSON value for "expected X, got Y" messages. */
static void describe_value(const cJSON *v, char *buf, size_t n)
{
    if (!v) snprintf(buf, n, "nothing");
    else if (cJSON_IsString(v)) quote_string(v->valuestring, buf, n);
    else if (cJSON_IsNumber(v)) snprintf(buf, n, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v)) snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v)) snprintf(buf, n, "null");
    else if (cJSON_IsArray(v)) snprintf(buf, n, "an array");
    else snprintf(buf, n, "an object");
}

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

static size_t skip_ws_at(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* Index just past the value starting at s[i] (after whitespace); s is checked JSON. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
    size_t depth = 0;
    for (i = skip_ws_at(s, i, n); i < n; i++) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\') i++;
            if (i >= n) return n;
            if (depth == 0) return i + 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return i;   /* a scalar ended at its container's end */
            if (--depth == 0) return i + 1;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            return i;
        }
    }
    return n;
}

/* Finds where the value at `rel` (".key" and "[index]" steps, as in ".layers[1].size") starts
 * in the element text s. Returns false when it is not there (a missing field). */
static bool locate(const char *s, size_t n, const char *rel, size_t *off)
{
    size_t i = skip_ws_at(s, 0, n);
    while (*rel) {
        if (*rel == '.') {
            const char *k = ++rel;
            size_t kl = strcspn(k, ".[");
            rel += kl;
            if (i >= n || s[i] != '{') return false;
            i = skip_ws_at(s, i + 1, n);
            for (;;) {
                if (i >= n || s[i] != '"') return false;
                size_t ks = i + 1, ke = skip_value(s, i, n) - 1;
                i = skip_ws_at(s, ke + 1, n);
                if (i >= n || s[i] != ':') return false;
                i = skip_ws_at(s, i + 1, n);
                if (ke - ks == kl && !memcmp(s + ks, k, kl)) break;
                i = skip_ws_at(s, skip_value(s, i, n), n);
                if (i >= n || s[i] != ',') return false;
                i = skip_ws_at(s, i + 1, n);
            }
        } else if (*rel == '[') {
            char *end;
            unsigned long idx = strtoul(rel + 1, &end, 10);
            if (*end != ']') return false;
            rel = end + 1;
            if (i >= n || s[i] != '[') return false;
            i = skip_ws_at(s, i + 1, n);
            for (unsigned long k = 0; k < idx; k++) {
                i = skip_ws_at(s, skip_value(s, i, n), n);
                if (i >= n || s[i] != ',') return false;
                i = skip_ws_at(s, i + 1, n);
            }
            if (i >= n || s[i] == ']') return false;
        } else {
            return false;
        }
    }
    *off = i;
    return true;
}

/* Line and column of the value at JSON path `p` (which starts with the element's path), or
 * of the element when it is not there. Sets raw and raw_len to the value's text when found. */
static void elem_pos(const struct elem_ctx *e, const char *p, size_t *line, size_t *col,
                     const char **raw, size_t *raw_len)
{
    *line = e->line;
    *col = e->col;
    if (raw) *raw = NULL;
    size_t off;
    if (!e->text || strlen(p) < e->root_len || !locate(e->text, e->text_len, p + e->root_len, &off)) return;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)e->text[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col;
        }
    }
    if (raw) {
        *raw = e->text + off;
        *raw_len = skip_value(e->text, off, e->text_len) - off;
    }
}

static struct src_ref elem_ref(const struct elem_ctx *e)
{
    struct src_ref ref = {e->text_off, e->text ? e->text_len : 0, e->line, e->col};
    return ref;
}

/* Line and column of the value at `rel` (as for locate) in an element read earlier: the
 * element is read again from its file. Falls back to the element's own position. */
static void ref_pos(const char *file, const struct src_ref *ref, const char *rel, size_t *line, size_t *col)
{
    *line = ref->line;
    *col = ref->col;
    FILE *fp = ref->len ? fopen(file, "rb") : NULL;
    if (!fp) return;
    char *buf = xmalloc(ref->len + 1);
    size_t off;
    if (fseeko(fp, (off_t)ref->off, SEEK_SET) == 0 && fread(buf, 1, ref->len, fp) == ref->len &&
        locate(buf, ref->len, rel, &off)) {
        for (size_t i = 0; i < off; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (c == '\n') {
                ++*line;
                *col = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++*col;
            }
        }
    }
    free(buf);
    fclose(fp);
}

static void field_error(struct elem_ctx *e, const char *field, const char *expected, const cJSON *got)
{
    char g[96], p[PATH_CAP + 64];
    const char *raw;
    size_t line, col, raw_len;
    snprintf(p, sizeof p, "%s%s%s", e->path, (*e->path && *field && field[0] != '[') ? "." : "", field);
    elem_pos(e, p, &line, &col, &raw, &raw_len);
    /* a number as written: cJSON's double may have rounded it */
    if (cJSON_IsNumber(got) && raw && raw_len <= 40) snprintf(g, sizeof g, "%.*s", (int)raw_len, raw);
    else describe_value(got, g, sizeof g);
    diag_error(e->in->d, e->file, line, col, p, "expected %s, got %s", expected, g);
    e->bad = true;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Reads an exact non-negative integer (sizes are int64 in az output, exact below 2^53). */
static bool read_size(struct elem_ctx *e, const cJSON *obj, const char *key, uint64_t *out)
{
    const cJSON *v = get(obj, key);
    if (!v || cJSON_IsNull(v)) return false;
    double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!cJSON_IsNumber(v) || x < 0 || x != floor(x) || isnan(x)) {
        field_error(e, key, "a non-negative integer (bytes)", v);
        return false;
    }
    if (x >= MAX_SAFE_INT) {   /* 2^53 + 1 reads as 2^53: the value would be silently changed */
        field_error(e, key, "a non-negative integer below 2^53 (bytes)", v);
        return false;
    }
    *out = (uint64_t)x;
    return true;
}

static bool read_digest_value(struct elem_ctx *e, const cJSON *v, const char *field, struct digest *out)
{
    if (!cJSON_IsString(v) || !digest_parse(v->valuestring, strlen(v->valuestring), out)) {
        field_error(e, field, "a digest (sha256: and 64 hex digits)", v);
        return false;
    }
    return true;
}

/* Times: missing/null -> TIME_MISSING; unparseable string -> TIME_BAD with the raw text kept;
 * any other type is an error. */
static void read_time(struct elem_ctx *e, const cJSON *v, const char *field, int64_t *ns,
                      uint8_t *state, const char **raw)
{
    *ns = 0;
    *raw = NULL;
    if (!v || cJSON_IsNull(v)) {
        *state = TIME_MISSING;
        e->in->m->odd.missing_times++;
        return;
    }
    if (!cJSON_IsString(v)) {
        field_error(e, field, "an RFC 3339 time string", v);
        *state = TIME_MISSING;
        return;
    }
    const char *s = v->valuestring;
    if (timeu_parse_rfc3339(s, strlen(s), ns, NULL)) {
        *state = TIME_OK;
        return;
    }
    *state = TIME_BAD;
    *raw = arena_strndup(&e->in->m->arena, s, strlen(s) > 200 ? 200 : strlen(s));
    e->in->m->odd.bad_times++;
}

static void read_locks(struct elem_ctx *e, const cJSON *obj, bool *del, bool *write)
{
    *del = true;
    *write = true;
    const cJSON *ca = get(obj, "changeableAttributes");
    if (!ca || cJSON_IsNull(ca)) {
        e->in->m->odd.missing_attrs++;
        return;
    }
    if (!cJSON_IsObject(ca)) {
        field_error(e, "changeableAttributes", "an object", ca);
        return;
    }
    const char *keys[2] = {"deleteEnabled", "writeEnabled"};
    bool *dst[2] = {del, write};
    for (int i = 0; i < 2; i++) {
        const cJSON *b = get(ca, keys[i]);
        if (!b || cJSON_IsNull(b)) continue;
        if (!cJSON_IsBool(b)) {
            char f[64];
            snprintf(f, sizeof f, "changeableAttributes.%s", keys[i]);
            field_error(e, f, "true or false", b);
            continue;
        }
        *dst[i] = cJSON_IsTrue(b);
    }
}

/* Reads [{"digest": ...}, ...] into scratch digests. */
static bool read_digest_list(struct elem_ctx *e, struct stage_repo *r, const cJSON *arr,
                             const char *field, struct digest **out, uint32_t *n_out)
{
    if (!cJSON_IsArray(arr)) {
        field_error(e, field, "an array", arr);
        return false;
    }
    int n = cJSON_GetArraySize(arr);
    struct digest *ds = arena_alloc(r->scratch, (size_t)n * sizeof *ds);
    uint32_t k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        char f[96];
        snprintf(f, sizeof f, "%s[%u].digest", field, k);
        if (!cJSON_IsObject(it)) {
            snprintf(f, sizeof f, "%s[%u]", field, k);
            field_error(e, f, "an object", it);
            return false;
        }
        if (!read_digest_value(e, get(it, "digest"), f, &ds[k])) return false;
        k++;
    }
    *out = ds;
    *n_out = k;
    return true;
}

/* Reads layers (and a config) as blobs: [{"digest","size"}]. */
static bool read_layers(struct elem_ctx *e, struct stage_repo *r, const cJSON *layers,
                        const cJSON *config, uint32_t **out, uint32_t *n_out)
{
    if (layers && !cJSON_IsArray(layers)) {
        field_error(e, "layers", "an array", layers);
        return false;
    }
    int n = layers ? cJSON_GetArraySize(layers) : 0;
    uint32_t *ids = arena_alloc(r->scratch, ((size_t)n + 1) * sizeof *ids);
    uint32_t k = 0;
    if (config && !cJSON_IsNull(config)) {
        struct digest dg;
        uint64_t size = 0;
        if (!cJSON_IsObject(config)) {
            field_error(e, "config", "an object", config);
            return false;
        }
        if (!read_digest_value(e, get(config, "digest"), "config.digest", &dg)) return false;
        struct elem_ctx sub = *e;
        char p[PATH_CAP + 16];
        snprintf(p, sizeof p, "%s.config", e->path);
        sub.path = p;
        read_size(&sub, config, "size", &size);
        if (sub.bad) e->bad = true;
        ids[k++] = model_intern_blob(e->in->m, &dg, size);
    }
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, layers)
    {
        /* the common, valid case first: messages (and their paths) only when needed */
        struct digest fast;
        const cJSON *fd = cJSON_IsObject(it) ? get(it, "digest") : NULL, *fs = fd ? get(it, "size") : NULL;
        if (fd && cJSON_IsString(fd) && digest_parse(fd->valuestring, strlen(fd->valuestring), &fast) &&
            cJSON_IsNumber(fs) && fs->valuedouble >= 0 && fs->valuedouble < MAX_SAFE_INT &&
            fs->valuedouble == floor(fs->valuedouble)) {
            ids[k++] = model_intern_blob(e->in->m, &fast, (uint64_t)fs->valuedouble);
            i++;
            continue;
        }
        char f[64], p[PATH_CAP + 32];
        snprintf(f, sizeof f, "layers[%d]", i);
        if (!cJSON_IsObject(it)) {
            field_error(e, f, "an object", it);
            return false;
        }
        snprintf(f, sizeof f, "layers[%d].digest", i);
        struct digest dg;
        if (!read_digest_value(e, get(it, "digest"), f, &dg)) return false;
        struct elem_ctx sub = *e;
        snprintf(p, sizeof p, "%s.layers[%d]", e->path, i);
        sub.path = p;
        uint64_t size = 0;
        read_size(&sub, it, "size", &size);
        if (sub.bad) e->bad = true;
        ids[k++] = model_intern_blob(e->in->m, &dg, size);
        i++;
    }
    *out = ids;
    *n_out = k;
    return true;
}

/* ---- elements -------------------------------------------------------------------- */

static void add_manifest(struct elem_ctx *e, struct stage_repo *r, const cJSON *o, size_t index)
{
    if (!cJSON_IsObject(o)) {
        field_error(e, "", "a manifest object", o);
        return;
    }
    struct stage_manifest sm;
    memset(&sm, 0, sizeof sm);
    sm.m.subject = MODEL_NO_MANIFEST;
    sm.ref = elem_ref(e);
    sm.line = e->line;
    sm.col = e->col;
    sm.index = index;
    sm.file = e->file;
    struct model *m = e->in->m;

    if (!read_digest_value(e, get(o, "digest"), "digest", &sm.m.digest)) return;
    read_size(e, o, "imageSize", &sm.m.size_bytes);
    read_time(e, get(o, "createdTime"), "createdTime", &sm.m.created_ns, &sm.m.created_state,
              &sm.m.created_raw);
    /* the short show-manifests shape has only "timestamp", which is the last update time */
    const cJSON *upd = get(o, "lastUpdateTime");
    const char *upd_field = "lastUpdateTime";
    if (!upd && get(o, "timestamp")) {
        upd = get(o, "timestamp");
        upd_field = "timestamp";
    }
    read_time(e, upd, upd_field, &sm.m.updated_ns, &sm.m.updated_state, &sm.m.updated_raw);
    const cJSON *mt = get(o, "mediaType");
    if (mt && !cJSON_IsNull(mt) && !cJSON_IsString(mt)) field_error(e, "mediaType", "a string", mt);
    else if (cJSON_IsString(mt)) {
        sm.m.media = (uint8_t)media_classify(mt->valuestring);
        sm.media_raw = arena_strndup(r->scratch, mt->valuestring, strlen(mt->valuestring));
    } else {
        sm.m.media = MEDIA_NONE;
        m->odd.missing_media++;
    }
    read_locks(e, o, &sm.m.delete_enabled, &sm.m.write_enabled);

    const cJSON *tags = get(o, "tags");
    if (tags && !cJSON_IsNull(tags)) {
        if (!cJSON_IsArray(tags)) field_error(e, "tags", "an array of tag names", tags);
        else {
            int n = cJSON_GetArraySize(tags);
            sm.tag_names = arena_alloc(r->scratch, (size_t)n * sizeof *sm.tag_names);
            const cJSON *t;
            cJSON_ArrayForEach(t, tags)
            {
                if (!cJSON_IsString(t)) {
                    char f[32];
                    snprintf(f, sizeof f, "tags[%u]", sm.n_tag_names);
                    field_error(e, f, "a tag name string", t);
                    break;
                }
                sm.tag_names[sm.n_tag_names++] =
                    arena_strndup(r->scratch, t->valuestring, strlen(t->valuestring));
            }
        }
    }
    const cJSON *refs = get(o, "references");
    if (refs && !cJSON_IsNull(refs)) {
        sm.has_references = read_digest_list(e, r, refs, "references", &sm.child_digests,
                                             &sm.n_child_digests);
    }
    const cJSON *subj = get(o, "subject");
    if (subj && !cJSON_IsNull(subj)) {
        if (!cJSON_IsObject(subj)) field_error(e, "subject", "an object", subj);
        else sm.has_subject_digest = read_digest_value(e, get(subj, "digest"), "subject.digest",
                                                       &sm.subject_digest);
    }
    const cJSON *layers = get(o, "layers");
    if (layers && !cJSON_IsNull(layers)) {
        uint32_t *ids = NULL, n = 0;
        if (read_layers(e, r, layers, NULL, &ids, &n)) {
            sm.m.layers = ids;
            sm.m.n_layers = n;
            sm.has_layers = true;
        }
    }
    if (e->bad) return;
    sm.path = arena_strndup(r->scratch, e->path, strlen(e->path));
    xgrow((void **)&r->man, &r->cap_man, r->n_man + 1, sizeof *r->man);
    r->man[r->n_man++] = sm;
}

static void add_tag(struct elem_ctx *e, struct stage_repo *r, const cJSON *o, size_t index,
                    const char *list)
{
    if (!cJSON_IsObject(o)) {
        field_error(e, "", "a tag object", o);
        return;
    }
    struct stage_tag st;
    memset(&st, 0, sizeof st);
    st.index = index;
    st.file = e->file;
    st.list = list;
    const cJSON *name = get(o, "name");
    if (!cJSON_IsString(name) || !name->valuestring[0]) {
        field_error(e, "name", "a tag name string", name);
        return;
    }
    if (!read_digest_value(e, get(o, "digest"), "digest", &st.digest)) return;
    const char *raw = NULL;
    uint8_t cstate;
    read_time(e, get(o, "createdTime"), "createdTime", &st.t.created_ns, &cstate, &raw);
    read_time(e, get(o, "lastUpdateTime"), "lastUpdateTime", &st.t.updated_ns,
              &st.t.updated_state, &st.t.updated_raw);
    if (st.t.updated_state == TIME_MISSING) st.t.updated_raw = "";
    read_locks(e, o, &st.t.delete_enabled, &st.t.write_enabled);
    if (e->bad) return;
    st.ref = elem_ref(e);
    st.t.name = arena_strndup(&e->in->m->arena, name->valuestring, strlen(name->valuestring));
    xgrow((void **)&r->tags, &r->cap_tags, r->n_tags + 1, sizeof *r->tags);
    r->tags[r->n_tags++] = st;
}

static void add_body(struct elem_ctx *e, struct stage_repo *r, const char *key, size_t key_line,
                     size_t key_col, const cJSON *o)
{
    struct stage_body b;
    memset(&b, 0, sizeof b);
    if (!digest_parse(key, strlen(key), &b.digest)) {
        diag_error(e->in->d, e->file, key_line, key_col, e->path,
                   "expected a digest (sha256: and 64 hex digits) as the key");
        e->bad = true;
        return;
    }
    if (!cJSON_IsObject(o)) {
        field_error(e, "", "a manifest body object", o);
        return;
    }
    const cJSON *children = get(o, "manifests");
    if (children && !cJSON_IsNull(children))
        b.has_children = read_digest_list(e, r, children, "manifests", &b.child_digests,
                                          &b.n_child_digests);
    const cJSON *subj = get(o, "subject");
    if (subj && !cJSON_IsNull(subj)) {
        if (!cJSON_IsObject(subj)) field_error(e, "subject", "an object", subj);
        else b.has_subject_digest = read_digest_value(e, get(subj, "digest"), "subject.digest",
                                                      &b.subject_digest);
    }
    const cJSON *layers = get(o, "layers"), *config = get(o, "config");
    if ((layers && !cJSON_IsNull(layers)) || (config && !cJSON_IsNull(config)))
        b.has_layers = read_layers(e, r, layers, config, &b.layers, &b.n_layers);
    if (e->bad) return;
    xgrow((void **)&r->bodies, &r->cap_bodies, r->n_bodies + 1, sizeof *r->bodies);
    r->bodies[r->n_bodies++] = b;
}

/* ---- resolving one repository into the model -------------------------------------- */

static int stage_manifest_cmp(const void *a, const void *b)
{
    const struct stage_manifest *x = a, *y = b;
    int c = digest_cmp(&x->m.digest, &y->m.digest);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int stage_tag_cmp(const void *a, const void *b)
{
    const struct stage_tag *x = a, *y = b;
    int c = strcmp(x->t.name, y->t.name);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A tag name read from a manifest's "tags" (fallback when no show-tags list is given). */
struct fb_tag {
    const char *name;
    size_t index;              /* the manifest's index in its array */
    uint32_t man, k;           /* the stage manifest, and the name's index in its "tags" */
};

static int fb_tag_cmp(const void *a, const void *b)
{
    const struct fb_tag *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    if (x->man != y->man) return x->man < y->man ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static bool str_eq_null(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcmp(a, b);
}

static bool same_manifest(const struct stage_manifest *a, const struct stage_manifest *b)
{
    return a->m.size_bytes == b->m.size_bytes && a->m.created_state == b->m.created_state &&
           a->m.created_ns == b->m.created_ns && a->m.updated_state == b->m.updated_state &&
           a->m.updated_ns == b->m.updated_ns && str_eq_null(a->media_raw, b->media_raw) &&
           a->m.delete_enabled == b->m.delete_enabled && a->m.write_enabled == b->m.write_enabled;
}

static uint32_t *resolve_children(struct model *m, const struct repo *rp, const struct digest *ds,
                                  uint32_t n, uint32_t *n_out)
{
    uint32_t *idx = arena_alloc(&m->arena, (size_t)n * sizeof *idx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = model_find_manifest(rp, &ds[i]);
        if (j == MODEL_NO_MANIFEST) m->odd.dangling_children++;
        else idx[k++] = j;
    }
    *n_out = k;
    return idx;
}

static char *repo_label(const struct stage_repo *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s", r->path && *r->path ? r->path : (r->name ? r->name : ""));
    return buf;
}

static int check_repo_name(struct diag *d, const struct stage_repo *r)
{
    char lbl[PATH_CAP], np[PATH_CAP + 8];
    if (r->line && !r->name) {   /* a bundle repository */
        diag_error(d, r->file, r->line, r->col, r->path, "repository has no \"name\"");
        return ERR_INPUT;
    }
    snprintf(np, sizeof np, "%s.name", r->path);
    if (r->line && !*r->name) {
        diag_error(d, r->file, r->name_line, r->name_col, np, "repository name is empty");
        return ERR_INPUT;
    }
    if (!r->name || !*r->name) {
        diag_error(d, r->file, 0, 0, repo_label(r, lbl, sizeof lbl),
                   "repository has no name (give --repo for raw az output)");
        return ERR_INPUT;
    }
    return PS_OK;
}

static int check_repo_unique(const struct model *m, struct diag *d, const struct stage_repo *r)
{
    if (!model_find_repo(m, r->name)) return PS_OK;
    char lbl[PATH_CAP], np[PATH_CAP + 8];
    snprintf(np, sizeof np, "%s.name", r->path);
    diag_error(d, r->file, r->name_line, r->name_col, r->line ? np : repo_label(r, lbl, sizeof lbl),
               "repository \"%s\" appears twice", r->name);
    return ERR_INPUT;
}

/* Adds a built repository to the model, keeping the repositories sorted by name so that
 * lookups stay valid while later repositories are read. */
static void add_repo(struct model *m, const struct repo *rp)
{
    xgrow((void **)&m->repos, &m->cap_repos, m->n_repos + 1, sizeof *m->repos);
    m->repos[m->n_repos++] = *rp;
    for (size_t i = m->n_repos - 1; i > 0 && strcmp(m->repos[i - 1].name, m->repos[i].name) > 0; i--) {
        struct repo tmp = m->repos[i];
        m->repos[i] = m->repos[i - 1];
        m->repos[i - 1] = tmp;
    }
    m->n_manifests += rp->n_manifests;
    m->n_tags += rp->n_tags;
}

/* Builds the repository from its staged elements into *out (allocating from in->m's arena):
 * duplicates, children, subjects, bodies and tags resolved. Does not add it to the model. */
static int build_repo(struct ingest *in, struct stage_repo *r, struct repo *out)
{
    struct model *m = in->m;
    struct diag *d = in->d;
    int rc = PS_OK;
    if (r->n_man > 1) qsort(r->man, r->n_man, sizeof *r->man, stage_manifest_cmp);
    /* drop exact duplicates; conflicting duplicates are an error */
    size_t w = 0;
    for (size_t i = 0; i < r->n_man; i++) {
        if (w && !digest_cmp(&r->man[w - 1].m.digest, &r->man[i].m.digest)) {
            if (!same_manifest(&r->man[w - 1], &r->man[i])) {
                char dg[80];
                diag_error(d, r->man[i].file, r->man[i].line, r->man[i].col, r->man[i].path,
                           "digest %s appears twice in repository \"%s\" with different contents",
                           digest_format(&r->man[i].m.digest, dg, sizeof dg), r->name);
                rc = ERR_INPUT;
            }
            continue;
        }
        r->man[w++] = r->man[i];
    }
    r->n_man = w;
    if (rc != PS_OK) return rc;

    struct repo rp;
    memset(&rp, 0, sizeof rp);
    rp.name = arena_strndup(&m->arena, r->name, strlen(r->name));
    rp.n_manifests = r->n_man;
    rp.manifests = arena_alloc(&m->arena, r->n_man * sizeof *rp.manifests);
    for (size_t i = 0; i < r->n_man; i++) {
        rp.manifests[i] = r->man[i].m;
        /* layers live in the scratch arena until now */
        if (r->man[i].has_layers) {
            uint32_t *l = arena_alloc(&m->arena, r->man[i].m.n_layers * sizeof *l);
            memcpy(l, r->man[i].m.layers, r->man[i].m.n_layers * sizeof *l);
            rp.manifests[i].layers = l;
            rp.manifests[i].layers_known = true;
        }
    }
    for (size_t i = 0; i < r->n_man; i++) {
        struct stage_manifest *sm = &r->man[i];
        struct manifest *mf = &rp.manifests[i];
        if (sm->has_references)
            mf->children = resolve_children(m, &rp, sm->child_digests, sm->n_child_digests,
                                            &mf->n_children);
        if (sm->has_subject_digest) {
            mf->has_subject = true;
            mf->subject = model_find_manifest(&rp, &sm->subject_digest);
        }
    }
    for (size_t i = 0; i < r->n_bodies; i++) {
        const struct stage_body *b = &r->bodies[i];
        uint32_t j = model_find_manifest(&rp, &b->digest);
        if (j == MODEL_NO_MANIFEST) {
            m->odd.bodies_without_manifest++;
            continue;
        }
        struct manifest *mf = &rp.manifests[j];
        if (b->has_children)
            mf->children = resolve_children(m, &rp, b->child_digests, b->n_child_digests,
                                            &mf->n_children);
        if (b->has_subject_digest) {
            mf->has_subject = true;
            mf->subject = model_find_manifest(&rp, &b->subject_digest);
        }
        if (b->has_layers) {
            uint32_t *l = arena_alloc(&m->arena, b->n_layers * sizeof *l);
            memcpy(l, b->layers, b->n_layers * sizeof *l);
            mf->layers = l;
            mf->n_layers = b->n_layers;
            mf->layers_known = true;
        }
    }

    if (r->tags_given) {
        if (r->n_tags > 1) qsort(r->tags, r->n_tags, sizeof *r->tags, stage_tag_cmp);
        rp.tags = arena_alloc(&m->arena, r->n_tags * sizeof *rp.tags);
        for (size_t i = 0; i < r->n_tags; i++) {
            struct stage_tag *st = &r->tags[i];
            char p[PATH_CAP + 48], dg[80];
            snprintf(p, sizeof p, "%s[%zu].digest", st->list, st->index);
            st->t.manifest = model_find_manifest(&rp, &st->digest);
            if (st->t.manifest == MODEL_NO_MANIFEST) {
                size_t line, col;
                ref_pos(st->file, &st->ref, ".digest", &line, &col);
                diag_error(d, st->file, line, col, p,
                           "tag \"%s\" points at %s, which no manifest of \"%s\" has", st->t.name,
                           digest_format(&st->digest, dg, sizeof dg), r->name);
                rc = ERR_INPUT;
                continue;
            }
            if (rp.n_tags && !strcmp(rp.tags[rp.n_tags - 1].name, st->t.name)) {
                if (rp.tags[rp.n_tags - 1].manifest != st->t.manifest) {
                    snprintf(p, sizeof p, "%s[%zu].name", st->list, st->index);
                    size_t line, col;
                    ref_pos(st->file, &st->ref, ".name", &line, &col);
                    diag_error(d, st->file, line, col, p,
                               "tag \"%s\" is listed twice with different digests", st->t.name);
                    rc = ERR_INPUT;
                }
                continue;
            }
            rp.tags[rp.n_tags++] = st->t;
        }
    } else {
        /* No show-tags list: fall back to the manifests' tag names, times and locks. Sorted
         * by name, then in file order, so a name on two manifests is reported where it is
         * seen the second time. */
        size_t n = 0, nf = 0;
        for (size_t i = 0; i < r->n_man; i++) n += r->man[i].n_tag_names;
        struct fb_tag *fb = xcalloc(n ? n : 1, sizeof *fb);
        for (size_t i = 0; i < r->n_man; i++)
            for (uint32_t k = 0; k < r->man[i].n_tag_names; k++)
                fb[nf++] = (struct fb_tag){r->man[i].tag_names[k], r->man[i].index, (uint32_t)i, k};
        if (nf > 1) qsort(fb, nf, sizeof *fb, fb_tag_cmp);
        rp.tags = arena_alloc(&m->arena, n * sizeof *rp.tags);
        for (size_t j = 0; j < nf; j++) {
            const struct stage_manifest *sm = &r->man[fb[j].man];
            if (rp.n_tags && !strcmp(rp.tags[rp.n_tags - 1].name, fb[j].name)) {
                uint32_t first = rp.tags[rp.n_tags - 1].manifest;
                if (first != fb[j].man) {   /* twice on one manifest is harmless */
                    char p[PATH_CAP + 32];
                    snprintf(p, sizeof p, "%s.tags[%u]", sm->path, fb[j].k);
                    char rel[32];
                    size_t line, col;
                    snprintf(rel, sizeof rel, ".tags[%u]", fb[j].k);
                    ref_pos(sm->file, &sm->ref, rel, &line, &col);
                    diag_error(d, sm->file, line, col, p,
                               "tag \"%s\" is on two manifests (also on %s)", fb[j].name,
                               r->man[first].path);
                    rc = ERR_INPUT;
                }
                continue;
            }
            struct tag *t = &rp.tags[rp.n_tags++];
            memset(t, 0, sizeof *t);
            t->name = arena_strndup(&m->arena, fb[j].name, strlen(fb[j].name));
            t->manifest = fb[j].man;
            t->created_ns = sm->m.created_ns;
            t->updated_ns = sm->m.updated_ns;
            t->updated_state = sm->m.updated_state;
            t->updated_raw = sm->m.updated_state == TIME_MISSING ? "" : sm->m.updated_raw;
            t->delete_enabled = sm->m.delete_enabled;
            t->write_enabled = sm->m.write_enabled;
        }
        m->odd.tags_from_manifests += n;
        free(fb);
    }
    if (rc != PS_OK) return rc;
    *out = rp;
    return PS_OK;
}

static int resolve_repo(struct ingest *in, struct stage_repo *r)
{
    struct repo rp;
    int rc = check_repo_name(in->d, r);
    if (rc == PS_OK) rc = check_repo_unique(in->m, in->d, r);
    if (rc == PS_OK) rc = build_repo(in, r, &rp);
    if (rc == PS_OK) add_repo(in->m, &rp);
    return rc;
}

/* ---- walking the files ------------------------------------------------------------ */

enum array_kind { ARR_MANIFESTS, ARR_TAGS, ARR_GUESS };

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

/* Reads an array of manifest or tag objects, one element at a time. With ARR_GUESS (raw az
 * output) an element with a "name" is a show-tags entry, any other a list-metadata entry. */
static bool walk_array(struct ingest *in, struct jstream *js, struct stage_repo *r,
                       enum array_kind kind, const char *path)
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
        if (k == ARR_GUESS) {
            k = cJSON_IsString(get(o, "name")) && !get(o, "imageSize") && !get(o, "mediaType")
                    ? ARR_TAGS : ARR_MANIFESTS;
            if (k == ARR_TAGS) r->tags_given = true;
        }
        if (k == ARR_TAGS) add_tag(&e, r, o, i, list);
        else add_manifest(&e, r, o, i);
        cJSON_Delete(o);
        js_next_member(js, ']', path, &done);
        if (js->failed) return false;
    }
    return !js->failed;
}

static bool read_string_value(struct jstream *js, const char *path, char **out)
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
        describe_value(v, g, sizeof g);
        diag_error(js->d, js->file, js->cap_line, js->cap_col, path, "expected a string, got %s", g);
        js->failed = true;
    }
    cJSON_Delete(v);
    return ok;
}

static bool walk_bodies(struct ingest *in, struct jstream *js, struct stage_repo *r, const char *path)
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
        add_body(&e, r, key, key_line, key_col, o);
        cJSON_Delete(o);
        js_next_member(js, '}', path, &done);
        if (js->failed) return false;
    }
    return true;
}

static void set_model_string(struct model *m, const char **dst, const char *s)
{
    if (s) *dst = arena_strndup(&m->arena, s, strlen(s));
}

static bool set_exported_at(struct ingest *in, struct jstream *js, const char *s, const char *path)
{
    int64_t t;
    struct timeu_error te;
    if (!timeu_parse_rfc3339(s, strlen(s), &t, &te)) {
        diag_error(in->d, js->file, js->cap_line, js->cap_col, path, "%s", te.text);
        js->failed = true;
        return false;
    }
    /* several snapshots: the latest one is "now" */
    if (!in->m->has_exported_at || t > in->m->exported_at_ns) in->m->exported_at_ns = t;
    in->m->has_exported_at = true;
    return true;
}

/* Whether the unread text starts like a policy file's "[name]" line rather than a JSON array. */
static bool looks_like_section(const struct jstream *js)
{
    const char *p = js->buf + js->pos, *end = js->buf + js->len;
    if (p >= end || *p != '[') return false;
    const char *q = p + 1;
    while (q < end && (isalnum((unsigned char)*q) || strchr("-_.+", *q))) q++;
    return q > p + 1 && q < end && *q == ']';
}

/* Where a purge-setup key of the export goes in the model, or NULL for another key. */
static const char **setup_slot(struct model *m, const char *key)
{
    struct model_setup *st = &m->setup;
    return !strcmp(key, "acrShow")            ? &st->acr_show
           : !strcmp(key, "tasks")            ? &st->tasks
           : !strcmp(key, "retentionPolicy")  ? &st->retention
           : !strcmp(key, "softDeletePolicy") ? &st->soft_delete
           : !strcmp(key, "replications")     ? &st->replications
                                              : NULL;
}

/* Handles the registry/exportedAt/sku keys and the purge setup (kept as text for the policy
 * importer, which checks it), common to bundles and registry.json. */
static bool top_scalar(struct ingest *in, struct jstream *js, const char *key, bool *handled)
{
    *handled = true;
    char *s = NULL;
    bool ok = true;
    const char **setup = setup_slot(in->m, key);
    if (setup) {
        ok = js_capture(js, key);
        /* null (a command that failed at export time) is the same as an absent key */
        if (ok && strcmp(js->cap, "null")) *setup = arena_strndup(&in->m->arena, js->cap, js->cap_len);
    } else if (!strcmp(key, "registry") || !strcmp(key, "exportedAt") || !strcmp(key, "sku")) {
        ok = read_string_value(js, key, &s);
        if (ok && !strcmp(key, "registry") && !in->o.registry) set_model_string(in->m, &in->m->registry, s);
        if (ok && !strcmp(key, "sku")) set_model_string(in->m, &in->m->sku, s);
        if (ok && !strcmp(key, "exportedAt")) ok = set_exported_at(in, js, s, key);
    } else {
        *handled = false;
    }
    free(s);
    return ok;
}

/* Reads a bundle repository's object into a new stage repository. Returns NULL after a
 * syntax error (recorded; reading stops there). Field errors are recorded and reading goes
 * on, so one run reports every bad field. */
static struct stage_repo *read_repo_object(struct ingest *in, struct jstream *js, size_t index)
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
            ok = read_string_value(js, p, &r->name);
            r->name_line = js->cap_line;
            r->name_col = js->cap_col;
        }
        else if (!strcmp(key, "manifests")) ok = walk_array(in, js, r, ARR_MANIFESTS, p);
        else if (!strcmp(key, "tags")) ok = walk_array(in, js, r, ARR_TAGS, p);
        else if (!strcmp(key, "bodies")) ok = walk_bodies(in, js, r, p);
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

bool ingest_walk_repo(struct ingest *in, struct jstream *js, size_t index)
{
    struct stage_repo *r = read_repo_object(in, js, index);
    if (!r) return false;
    /* after any message nothing more joins the model (it is not used), but reading goes on */
    bool ok = in->d->n_total != 0 || resolve_repo(in, r) == PS_OK;
    stage_repo_free(r);
    return ok;
}

/* ---- one repository read apart from the model (ingest_pool.c) --------------------- */

void ingest_part_read(const struct ingest *in, struct model *shard, struct jstream *js, size_t index,
                      struct repo_part *part)
{
    struct ingest w = *in;
    w.m = shard;
    w.d = &part->walk_d;
    w.pending = NULL;
    memset(&w.raw_scratch, 0, sizeof w.raw_scratch);
    struct stage_repo *r = read_repo_object(&w, js, index);
    part->ok = r != NULL;
    if (r && part->walk_d.n_total == 0) {
        /* as ingest_walk_repo, with the duplicate-name check left to ingest_part_commit */
        part->checked = true;
        w.d = &part->res_d;
        part->name_ok = check_repo_name(w.d, r) == PS_OK;
        if (part->name_ok) part->built = build_repo(&w, r, &part->rp) == PS_OK;
    }
    if (r) stage_repo_trim(r);   /* keep only what the duplicate-name message needs */
    part->where = r;
    /* the blobs this repository named, by the part's own ids in first-seen order */
    part->blobs = shard->blobs;
    part->n_blobs = shard->n_blobs;
    shard->blobs = NULL;
    shard->n_blobs = shard->cap_blobs = 0;
    free(shard->blob_slots);
    shard->blob_slots = NULL;
    shard->n_blob_slots = 0;
    part->odd = shard->odd;
    memset(&shard->odd, 0, sizeof shard->odd);
}

static void add_oddities(struct model_oddities *to, const struct model_oddities *from)
{
    to->bad_times += from->bad_times;
    to->missing_times += from->missing_times;
    to->missing_media += from->missing_media;
    to->missing_attrs += from->missing_attrs;
    to->tags_from_manifests += from->tags_from_manifests;
    to->dangling_children += from->dangling_children;
    to->bodies_without_manifest += from->bodies_without_manifest;
}

bool ingest_part_commit(struct ingest *in, struct repo_part *part)
{
    struct model *m = in->m;
    bool go_on = part->ok;
    add_oddities(&m->odd, &part->odd);
    diag_merge(in->d, &part->walk_d);
    if (part->ok && part->checked && in->d->n_total == 0) {
        if (!part->name_ok || check_repo_unique(m, in->d, part->where) == PS_OK) diag_merge(in->d, &part->res_d);
        if (in->d->n_total) {
            go_on = false;
        } else {
            /* the model's blob ids in the order sequential reading would have given them */
            uint32_t *id = xmalloc((part->n_blobs ? part->n_blobs : 1) * sizeof *id);
            for (size_t i = 0; i < part->n_blobs; i++)
                id[i] = model_intern_blob(m, &part->blobs[i].digest, part->blobs[i].size_bytes);
            for (size_t i = 0; i < part->rp.n_manifests; i++) {
                struct manifest *mf = &part->rp.manifests[i];
                uint32_t *layers = (uint32_t *)mf->layers;   /* the part's own copy */
                for (uint32_t k = 0; k < mf->n_layers; k++) layers[k] = id[layers[k]];
            }
            free(id);
            add_repo(m, &part->rp);
        }
    }
    ingest_part_discard(part);
    return go_on;
}

void ingest_part_discard(struct repo_part *part)
{
    diag_free(&part->walk_d);
    diag_free(&part->res_d);
    if (part->where) stage_repo_free(part->where);
    free(part->blobs);
    memset(part, 0, sizeof *part);
}

static struct stage_repo *pending_repo(struct ingest *in, const char *name, const char *file,
                                       const char *path)
{
    for (struct stage_repo *r = in->pending; r; r = r->next)
        if ((!name && !r->name) || (name && r->name && !strcmp(r->name, name))) return r;
    struct stage_repo *r = stage_repo_new(name, file, path, &in->raw_scratch);
    r->next = in->pending;
    in->pending = r;
    return r;
}

/* Skips a UTF-8 byte order mark at the start of a file. UTF-16 (PowerShell's ">"), with a
 * BOM or without (then ASCII text has a NUL byte beside each character), is not JSON we
 * read. Returns the first character (-1 at end of file), or -2 after recording an error. */
static int skip_bom(struct jstream *js)
{
    int c = js_peek(js);
    if (c == 0xEF) {
        if (js->len - js->pos >= 3 && (unsigned char)js->buf[js->pos + 1] == 0xBB &&
            (unsigned char)js->buf[js->pos + 2] == 0xBF) {
            js->pos += 3;
            c = js_peek(js);
        }
    } else if (c == 0xFF || c == 0xFE ||
               (c >= 0 && js->pos + 1 < js->len && (c == 0) != (js->buf[js->pos + 1] == 0))) {
        js_error_here(js, "", "file is UTF-16 encoded; save it as UTF-8 (PowerShell: -Encoding utf8)");
        return -2;
    }
    return c;
}

/* "unexpected X after the JSON value" */
static void trailing_error(struct jstream *js)
{
    int c = js_peek(js);
    char b[16];
    if (c == 0) snprintf(b, sizeof b, "NUL byte");
    else snprintf(b, sizeof b, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
    js_error_here(js, "", "unexpected %s after the JSON value", b);
}

/* The elements of a bundle's "repositories" array, after its '['. */
static bool walk_repositories(struct ingest *in, struct jstream *js)
{
    int jobs = in->o.jobs;
    if (jobs <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? (int)(cores < 64 ? cores : 64) : 1;
    }
    if (jobs > 1) return ingest_pool_walk(in, js, jobs, in->o.repo_span_limit);
    bool ok = true, done = false;
    for (size_t i = 0; ok && !done; i++) {
        ok = ingest_walk_repo(in, js, i);
        if (ok) js_next_member(js, ']', "repositories", &done);
        if (js->failed) ok = false;
    }
    return ok;
}

/* A raw array, or an object: bundle (has "repositories") or REST wrapper ("imageName"). */
static int walk_file(struct ingest *in, struct jstream *js)
{
    int c = skip_bom(js);
    if (c == -2) return ERR_INPUT;
    if (c < 0) {
        js_error_here(js, "", "empty file: expected a JSON object or array");
        return ERR_INPUT;
    }
    if (c == '[' && looks_like_section(js)) {
        js_error_here(js, "", "this is a policy file ([name] sections), not an export: give it with -p");
        return ERR_INPUT;
    }
    if (c == '[') {
        struct stage_repo *r = pending_repo(in, in->o.repo, js->file, "");
        if (!walk_array(in, js, r, ARR_GUESS, "")) return ERR_INPUT;
    } else if (c == '{') {
        js_expect(js, '{', "");
        bool done = js_peek(js) == '}', ok = true;
        struct stage_repo *loose = NULL;
        char *image_name = NULL;
        if (done) js_expect(js, '}', "");
        while (ok && !done) {
            char key[64];
            bool handled;
            if (!js_read_key(js, key, sizeof key, "")) { ok = false; break; }
            ok = top_scalar(in, js, key, &handled);
            if (handled) {
            } else if (!strcmp(key, "repositories")) {
                ok = js_expect(js, '[', "repositories");
                if (ok && js_peek(js) == ']') js_expect(js, ']', "repositories");
                else if (ok) ok = walk_repositories(in, js);
            } else if (!strcmp(key, "imageName")) {
                ok = read_string_value(js, key, &image_name);
            } else if (!strcmp(key, "manifests") || !strcmp(key, "tags")) {
                if (!loose) loose = stage_repo_new(NULL, js->file, "", &in->raw_scratch);
                ok = walk_array(in, js, loose, key[0] == 'm' ? ARR_MANIFESTS : ARR_TAGS, key);
            } else {
                ok = js_capture(js, key);
            }
            if (ok) js_next_member(js, '}', "", &done);
            if (js->failed) ok = false;
        }
        if (ok && loose) {
            /* REST wrapper: merge into the pending repository of that name */
            const char *name = image_name ? image_name : in->o.repo;
            struct stage_repo *r = pending_repo(in, name, js->file, "");
            for (size_t i = 0; i < loose->n_man; i++) {
                xgrow((void **)&r->man, &r->cap_man, r->n_man + 1, sizeof *r->man);
                r->man[r->n_man++] = loose->man[i];
            }
            for (size_t i = 0; i < loose->n_tags; i++) {
                xgrow((void **)&r->tags, &r->cap_tags, r->n_tags + 1, sizeof *r->tags);
                r->tags[r->n_tags++] = loose->tags[i];
            }
            r->tags_given |= loose->tags_given;
        }
        if (loose) stage_repo_free(loose);
        free(image_name);
        if (!ok) return ERR_INPUT;
    } else {
        char b[16];
        snprintf(b, sizeof b, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
        /* a comment line: most likely a policy file or an in-use list given as the export */
        js_error_here(js, "", "expected a JSON object or array, got %s%s", b,
                      c == '#' ? " (a policy file goes with -p, an in-use list with --in-use)" : "");
        return ERR_INPUT;
    }
    if (js_peek(js) >= 0) {
        trailing_error(js);
        return ERR_INPUT;
    }
    return in->d->n_total ? ERR_INPUT : PS_OK;
}

static int ingest_file(struct ingest *in, const char *path, const char *label)
{
    struct jstream js;
    int rc = js_open(&js, path, label, in->d);
    if (rc != PS_OK) return rc;
    rc = walk_file(in, &js);
    if (rc == PS_OK && ferror(js.fp)) {
        diag_error(in->d, label, 0, 0, NULL, "read error");
        rc = ERR_IO;
    }
    in->bytes_read += js.bytes_read;
    js_close(&js);
    return rc;
}

/* ---- export directory ------------------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcmp(s + n - k, suffix);
}

static int ingest_dir(struct ingest *in, const char *dir)
{
    char path[4096];
    /* labels outlive this function: staged elements name their file in later messages */
    char *p = path;
    snprintf(p, sizeof path, "%s/registry.json", dir);
    p = arena_strndup(&in->raw_scratch, path, strlen(path));
    struct stat st;
    if (stat(p, &st) != 0) {
        diag_error(in->d, dir, 0, 0, NULL, "export directory has no registry.json");
        return ERR_INPUT;
    }
    int rc = ingest_file(in, p, p);
    if (rc != PS_OK) return rc;
    DIR *dh = opendir(dir);
    if (!dh) {
        diag_error(in->d, dir, 0, 0, NULL, "cannot read directory: %s", strerror(errno));
        return ERR_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!ends_with(de->d_name, ".manifests.json") && !ends_with(de->d_name, ".tags.json") &&
            !ends_with(de->d_name, ".bodies.json"))
            continue;
        xgrow((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = strdup(de->d_name);
    }
    closedir(dh);
    if (n > 1) qsort(names, n, sizeof *names, name_cmp);   /* readdir order is not stable */
    for (size_t i = 0; i < n && rc == PS_OK; i++) {
        const char *f = names[i];
        const char *suffix = ends_with(f, ".manifests.json") ? ".manifests.json"
                             : ends_with(f, ".tags.json")    ? ".tags.json" : ".bodies.json";
        /* REPO is the repository name with '/' written as "__" */
        size_t base = strlen(f) - strlen(suffix);
        char repo[1024];
        size_t k = 0;
        for (size_t j = 0; j < base && k + 1 < sizeof repo; j++) {
            if (f[j] == '_' && j + 1 < base && f[j + 1] == '_') {
                repo[k++] = '/';
                j++;
            } else {
                repo[k++] = f[j];
            }
        }
        repo[k] = '\0';
        snprintf(path, sizeof path, "%s/%s", dir, f);
        p = arena_strndup(&in->raw_scratch, path, strlen(path));
        struct stage_repo *r = pending_repo(in, repo, p, "");
        struct jstream js;
        rc = js_open(&js, p, p, in->d);
        if (rc != PS_OK) break;
        bool ok = skip_bom(&js) != -2;
        if (ok && !strcmp(suffix, ".bodies.json")) ok = walk_bodies(in, &js, r, "");
        else if (ok) ok = walk_array(in, &js, r, suffix[1] == 'm' ? ARR_MANIFESTS : ARR_TAGS, "");
        if (ok && js_peek(&js) >= 0) {
            trailing_error(&js);
            ok = false;
        }
        in->bytes_read += js.bytes_read;
        js_close(&js);
        if (!ok || in->d->n_total) rc = ERR_INPUT;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---- public API ------------------------------------------------------------------- */

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
        set_model_string(m, &m->registry, server);
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
        rc = resolve_repo(in, v[i]);
    }
    free(v);
    model_sort_repos(in->m);
    if (rc == PS_OK && !in->m->registry) set_model_string(in->m, &in->m->registry, "registry.azurecr.io");
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
