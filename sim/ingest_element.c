/* ingest_element.c - one manifest, tag or body element (a parsed cJSON object) -> staged in
 * its repository, every field checked; blobs are interned in the model as they are read. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "timeu.h"

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* The members of obj named keys[0 .. n), in one pass over its members (the first of a
 * repeated name, as cJSON_GetObjectItemCaseSensitive gives): an element asked for a dozen
 * names one at a time costs a dozen scans of its members, and a million elements add up. */
static void fields_of(const cJSON *obj, const char *const *keys, size_t n, const cJSON **out)
{
    for (size_t k = 0; k < n; k++) out[k] = NULL;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string) continue;
        for (size_t k = 0; k < n; k++)
            if (!out[k] && c->string[0] == keys[k][0] && !strcmp(c->string, keys[k])) {
                out[k] = c;
                break;
            }
    }
}

/* Reads an exact non-negative integer (sizes are int64 in az output, exact below 2^53). */
static bool read_size_value(struct elem_ctx *e, const cJSON *v, const char *key, uint64_t *out)
{
    if (!v || cJSON_IsNull(v)) return false;
    double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!cJSON_IsNumber(v) || x < 0 || x != floor(x) || isnan(x)) {
        ingest_field_error(e, key, "a non-negative integer (bytes)", v);
        return false;
    }
    if (x >= MAX_SAFE_INT) {   /* 2^53 + 1 reads as 2^53: the value would be silently changed */
        ingest_field_error(e, key, "a non-negative integer below 2^53 (bytes)", v);
        return false;
    }
    *out = (uint64_t)x;
    return true;
}

static bool read_digest_value(struct elem_ctx *e, const cJSON *v, const char *field, struct digest *out)
{
    if (!cJSON_IsString(v) || !digest_parse(v->valuestring, strlen(v->valuestring), out)) {
        ingest_field_error(e, field, "a digest (sha256: and 64 hex digits)", v);
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
        ingest_field_error(e, field, "an RFC 3339 time string", v);
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
        ingest_field_error(e, "changeableAttributes", "an object", ca);
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
            ingest_field_error(e, f, "true or false", b);
            continue;
        }
        *dst[i] = cJSON_IsTrue(b);
    }
}

static bool read_size(struct elem_ctx *e, const cJSON *obj, const char *key, uint64_t *out)
{
    return read_size_value(e, get(obj, key), key, out);
}

/* Reads [{"digest": ...}, ...] into scratch digests. */
static bool read_digest_list(struct elem_ctx *e, struct stage_repo *r, const cJSON *arr,
                             const char *field, struct digest **out, uint32_t *n_out)
{
    if (!cJSON_IsArray(arr)) {
        ingest_field_error(e, field, "an array", arr);
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
            ingest_field_error(e, f, "an object", it);
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
        ingest_field_error(e, "layers", "an array", layers);
        return false;
    }
    int n = layers ? cJSON_GetArraySize(layers) : 0;
    uint32_t *ids = arena_alloc(r->scratch, ((size_t)n + 1) * sizeof *ids);
    uint32_t k = 0;
    if (config && !cJSON_IsNull(config)) {
        struct digest dg;
        uint64_t size = 0;
        if (!cJSON_IsObject(config)) {
            ingest_field_error(e, "config", "an object", config);
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
        static const char *const layer_keys[2] = {"digest", "size"};
        const cJSON *lf[2] = {NULL, NULL};
        if (cJSON_IsObject(it)) fields_of(it, layer_keys, 2, lf);
        const cJSON *fd = lf[0], *fs = fd ? lf[1] : NULL;
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
            ingest_field_error(e, f, "an object", it);
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

/* ---- elements ------------------------------------------------------------------- */

void ingest_add_manifest(struct elem_ctx *e, struct stage_repo *r, const cJSON *o, size_t index)
{
    if (!cJSON_IsObject(o)) {
        ingest_field_error(e, "", "a manifest object", o);
        return;
    }
    struct stage_manifest sm;
    memset(&sm, 0, sizeof sm);
    sm.m.subject = MODEL_NO_MANIFEST;
    sm.ref = ingest_elem_ref(e);
    sm.line = e->line;
    sm.col = e->col;
    sm.index = index;
    sm.file = e->file;
    struct model *m = e->in->m;

    enum { F_DIGEST, F_SIZE, F_CREATED, F_UPDATED, F_TIMESTAMP, F_MEDIA, F_TAGS, F_REFS, F_SUBJECT, F_LAYERS, F_N };
    static const char *const keys[F_N] = {"digest",   "imageSize", "createdTime", "lastUpdateTime",
                                          "timestamp", "mediaType", "tags",        "references",
                                          "subject",   "layers"};
    const cJSON *f[F_N];
    fields_of(o, keys, F_N, f);
    if (!read_digest_value(e, f[F_DIGEST], "digest", &sm.m.digest)) return;
    read_size_value(e, f[F_SIZE], "imageSize", &sm.m.size_bytes);
    read_time(e, f[F_CREATED], "createdTime", &sm.m.created_ns, &sm.m.created_state, &sm.m.created_raw);
    /* the short show-manifests shape has only "timestamp", which is the last update time */
    const cJSON *upd = f[F_UPDATED];
    const char *upd_field = "lastUpdateTime";
    if (!upd && f[F_TIMESTAMP]) {
        upd = f[F_TIMESTAMP];
        upd_field = "timestamp";
    }
    read_time(e, upd, upd_field, &sm.m.updated_ns, &sm.m.updated_state, &sm.m.updated_raw);
    const cJSON *mt = f[F_MEDIA];
    if (mt && !cJSON_IsNull(mt) && !cJSON_IsString(mt)) ingest_field_error(e, "mediaType", "a string", mt);
    else if (cJSON_IsString(mt)) {
        sm.m.media = (uint8_t)media_classify(mt->valuestring);
        sm.media_raw = arena_strndup(r->scratch, mt->valuestring, strlen(mt->valuestring));
    } else {
        sm.m.media = MEDIA_NONE;
        m->odd.missing_media++;
    }
    read_locks(e, o, &sm.m.delete_enabled, &sm.m.write_enabled);

    const cJSON *tags = f[F_TAGS];
    if (tags && !cJSON_IsNull(tags)) {
        if (!cJSON_IsArray(tags)) ingest_field_error(e, "tags", "an array of tag names", tags);
        else {
            int n = cJSON_GetArraySize(tags);
            sm.tag_names = arena_alloc(r->scratch, (size_t)n * sizeof *sm.tag_names);
            const cJSON *t;
            cJSON_ArrayForEach(t, tags)
            {
                if (!cJSON_IsString(t)) {
                    char field[32];
                    snprintf(field, sizeof field, "tags[%u]", sm.n_tag_names);
                    ingest_field_error(e, field, "a tag name string", t);
                    break;
                }
                sm.tag_names[sm.n_tag_names++] =
                    arena_strndup(r->scratch, t->valuestring, strlen(t->valuestring));
            }
        }
    }
    const cJSON *refs = f[F_REFS];
    if (refs && !cJSON_IsNull(refs)) {
        sm.has_references = read_digest_list(e, r, refs, "references", &sm.child_digests,
                                             &sm.n_child_digests);
    }
    const cJSON *subj = f[F_SUBJECT];
    if (subj && !cJSON_IsNull(subj)) {
        if (!cJSON_IsObject(subj)) ingest_field_error(e, "subject", "an object", subj);
        else sm.has_subject_digest = read_digest_value(e, get(subj, "digest"), "subject.digest",
                                                       &sm.subject_digest);
    }
    const cJSON *layers = f[F_LAYERS];
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

void ingest_add_tag(struct elem_ctx *e, struct stage_repo *r, const cJSON *o, size_t index,
                    const char *list)
{
    if (!cJSON_IsObject(o)) {
        ingest_field_error(e, "", "a tag object", o);
        return;
    }
    struct stage_tag st;
    memset(&st, 0, sizeof st);
    st.index = index;
    st.file = e->file;
    st.list = list;
    enum { F_NAME, F_DIGEST, F_CREATED, F_UPDATED, F_N };
    static const char *const keys[F_N] = {"name", "digest", "createdTime", "lastUpdateTime"};
    const cJSON *f[F_N];
    fields_of(o, keys, F_N, f);
    const cJSON *name = f[F_NAME];
    if (!cJSON_IsString(name) || !name->valuestring[0]) {
        ingest_field_error(e, "name", "a tag name string", name);
        return;
    }
    if (!read_digest_value(e, f[F_DIGEST], "digest", &st.digest)) return;
    const char *raw = NULL;
    uint8_t cstate;
    read_time(e, f[F_CREATED], "createdTime", &st.t.created_ns, &cstate, &raw);
    read_time(e, f[F_UPDATED], "lastUpdateTime", &st.t.updated_ns, &st.t.updated_state, &st.t.updated_raw);
    if (st.t.updated_state == TIME_MISSING) st.t.updated_raw = "";
    read_locks(e, o, &st.t.delete_enabled, &st.t.write_enabled);
    if (e->bad) return;
    st.ref = ingest_elem_ref(e);
    st.t.name = arena_strndup(&e->in->m->arena, name->valuestring, strlen(name->valuestring));
    xgrow((void **)&r->tags, &r->cap_tags, r->n_tags + 1, sizeof *r->tags);
    r->tags[r->n_tags++] = st;
}

void ingest_add_body(struct elem_ctx *e, struct stage_repo *r, const char *key, size_t key_line,
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
        ingest_field_error(e, "", "a manifest body object", o);
        return;
    }
    const cJSON *children = get(o, "manifests");
    if (children && !cJSON_IsNull(children))
        b.has_children = read_digest_list(e, r, children, "manifests", &b.child_digests,
                                          &b.n_child_digests);
    const cJSON *subj = get(o, "subject");
    if (subj && !cJSON_IsNull(subj)) {
        if (!cJSON_IsObject(subj)) ingest_field_error(e, "subject", "an object", subj);
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

