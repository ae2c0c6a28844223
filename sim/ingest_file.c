/* ingest_file.c - one JSON export file: a bundle ({"repositories": [...]}), a REST-wrapped
 * listing ({"imageName", "manifests" or "tags"}) or a raw az array, with the top-level keys
 * (registry, exportedAt, sku, the purge setup) they share with registry.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_kind.h"
#include "ingest_internal.h"
#include "textfile.h"
#include "timeu.h"

void ingest_set_model_string(struct model *m, const char **dst, const char *s)
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
        ok = ingest_read_string(js, key, &s);
        if (ok && !strcmp(key, "registry") && !in->o.registry) ingest_set_model_string(in->m, &in->m->registry, s);
        if (ok && !strcmp(key, "sku")) ingest_set_model_string(in->m, &in->m->sku, s);
        if (ok && !strcmp(key, "exportedAt")) ok = set_exported_at(in, js, s, key);
    } else {
        *handled = false;
    }
    free(s);
    return ok;
}

/* UTF-16 (PowerShell's ">"), with a BOM or without (then ASCII text has a NUL byte beside each
 * character), is not JSON we read. */
int ingest_skip_bom(struct jstream *js)
{
    int c = js_peek(js);
    if (c == 0xEF) {
        textfile_skip_bom(js);
        return js_peek(js);
    }
    if (c == 0xFF || c == 0xFE || (c >= 0 && js->pos + 1 < js->len && (c == 0) != (js->buf[js->pos + 1] == 0))) {
        js_error_here(js, "", "file is UTF-16 encoded; save it as UTF-8 (PowerShell: -Encoding utf8)");
        return -2;
    }
    return c;
}

void ingest_trailing_error(struct jstream *js)
{
    int c = js_peek(js);
    char b[16];
    if (c == 0) snprintf(b, sizeof b, "NUL byte");
    else snprintf(b, sizeof b, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
    js_error_here(js, "", "unexpected %s after the JSON value", b);
}

/* A REST wrapper's listing joins the pending repository of its "imageName" (or --repo). */
static void merge_rest_listing(struct ingest *in, const char *file, struct stage_repo *loose, const char *image_name)
{
    const char *name = image_name ? image_name : in->o.repo;
    struct stage_repo *r = ingest_pending_repo(in, name, file, "");
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

/* The top object: a bundle (has "repositories") or a REST wrapper ("imageName" with
 * "manifests" or "tags"). Returns false after a syntax error. */
static bool read_top_object(struct ingest *in, struct jstream *js)
{
    js_expect(js, '{', "");
    bool done = js_peek(js) == '}', ok = true;
    struct stage_repo *loose = NULL;
    char *image_name = NULL;
    bool listing = false;   /* repositories, manifests or tags */
    int price_keys = 0;     /* a price table's own keys (pricing.c) */
    if (done) js_expect(js, '}', "");
    while (ok && !done) {
        char key[64];
        bool handled;
        if (!js_read_key(js, key, sizeof key, "")) { ok = false; break; }
        ok = top_scalar(in, js, key, &handled);
        if (handled) {
        } else if (!strcmp(key, "repositories")) {
            listing = true;
            ok = js_expect(js, '[', "repositories");
            if (ok && js_peek(js) == ']') js_expect(js, ']', "repositories");
            else if (ok) ok = ingest_read_repositories(in, js);
        } else if (!strcmp(key, "imageName")) {
            ok = ingest_read_string(js, key, &image_name);
        } else if (!strcmp(key, "manifests") || !strcmp(key, "tags")) {
            listing = true;
            if (!loose) loose = stage_repo_new(NULL, js->file, "", &in->raw_scratch);
            ok = ingest_read_array(in, js, loose, key[0] == 'm' ? ARR_MANIFESTS : ARR_TAGS, key);
        } else {
            price_keys += !strcmp(key, "skus") || !strcmp(key, "overage_per_gb_day");
            ok = js_capture(js, key);
        }
        if (ok) js_next_member(js, '}', "", &done);
        if (js->failed) ok = false;
    }
    if (ok && !listing && price_keys == 2) {
        /* else the run would stop at the missing exportedAt, which says nothing of the mix-up */
        char says[400];
        diag_error(in->d, js->file, 0, 0, NULL, "%s", input_kind_says(INPUT_PRICES, "an export", says, sizeof says));
        ok = false;
    }
    if (ok && loose) merge_rest_listing(in, js->file, loose, image_name);
    if (loose) stage_repo_free(loose);
    free(image_name);
    return ok;
}

/* A raw array, or an object: bundle or REST wrapper. */
static int walk_file(struct ingest *in, struct jstream *js)
{
    int c = ingest_skip_bom(js);
    if (c == -2) return ERR_INPUT;
    if (c < 0) {
        js_error_here(js, "", "empty file: expected a JSON object or array");
        return ERR_INPUT;
    }
    /* the unread text starts like a policy file's "[name]" line rather than a JSON array */
    if (c == '[' && input_kind_section_len(js->buf + js->pos, js->len - js->pos)) {
        js_error_here(js, "", "this is a policy file ([name] sections), not an export: give it with -p");
        return ERR_INPUT;
    }
    if (c == '[') {
        struct stage_repo *r = ingest_pending_repo(in, in->o.repo, js->file, "");
        if (!ingest_read_array(in, js, r, ARR_GUESS, "")) return ERR_INPUT;
    } else if (c == '{') {
        if (!read_top_object(in, js)) return ERR_INPUT;
    } else {
        /* another text input purgesim reads (a policy file, an in-use list, the portal's event log,
         * a tune grid) */
        enum input_kind k = input_kind_of_text(js->buf + js->pos, js->len - js->pos);
        if (k > INPUT_JSON) {
            char says[400];
            js_error_here(js, "", "%s", input_kind_says(k, "an export", says, sizeof says));
            return ERR_INPUT;
        }
        char b[16];
        snprintf(b, sizeof b, c >= 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
        /* a comment line: most likely a policy file or an in-use list given as the export */
        js_error_here(js, "", "expected a JSON object or array, got %s%s", b,
                      c == '#' ? " (a policy file goes with -p, an in-use list with --in-use)" : "");
        return ERR_INPUT;
    }
    if (js_peek(js) >= 0) {
        ingest_trailing_error(js);
        return ERR_INPUT;
    }
    return in->d->n_total ? ERR_INPUT : PS_OK;
}

int ingest_file(struct ingest *in, const char *path, const char *label)
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

