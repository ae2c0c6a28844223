/* ingest_pos.c - where a field of an element is (line and column) and what it holds, for
 * messages: found again from the element's text only when a message needs it. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"

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

void ingest_describe_value(const cJSON *v, char *buf, size_t n)
{
    if (!v) snprintf(buf, n, "nothing");
    else if (cJSON_IsString(v)) quote_string(v->valuestring, buf, n);
    else if (cJSON_IsNumber(v)) snprintf(buf, n, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v)) snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v)) snprintf(buf, n, "null");
    else if (cJSON_IsArray(v)) snprintf(buf, n, "an array");
    else snprintf(buf, n, "an object");
}

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

struct src_ref ingest_elem_ref(const struct elem_ctx *e)
{
    struct src_ref ref = {e->text_off, e->text ? e->text_len : 0, e->line, e->col};
    return ref;
}

/* The element is read again from its file: positions are rarely needed, so none are kept. */
void ingest_ref_pos(const char *file, const struct src_ref *ref, const char *rel, size_t *line, size_t *col)
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

void ingest_field_error(struct elem_ctx *e, const char *field, const char *expected, const cJSON *got)
{
    char g[96], p[PATH_CAP + 64];
    const char *raw;
    size_t line, col, raw_len;
    snprintf(p, sizeof p, "%s%s%s", e->path, (*e->path && *field && field[0] != '[') ? "." : "", field);
    elem_pos(e, p, &line, &col, &raw, &raw_len);
    /* a number as written: cJSON's double may have rounded it */
    if (cJSON_IsNumber(got) && raw && raw_len <= 40) snprintf(g, sizeof g, "%.*s", (int)raw_len, raw);
    else ingest_describe_value(got, g, sizeof g);
    diag_error(e->in->d, e->file, line, col, p, "expected %s, got %s", expected, g);
    e->bad = true;
}
