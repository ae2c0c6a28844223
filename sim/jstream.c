/* jstream.c - streaming JSON structure scanner with element capture. */
#include "jstream.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define JS_BUF_SIZE (1u << 20)
/* One element (a manifest, a tag, a body) larger than this is not a real export. */
#define JS_CAPTURE_LIMIT ((size_t)64 << 20)
#define JS_MAX_DEPTH 512

int js_open(struct jstream *js, const char *path, const char *file, struct diag *d)
{
    memset(js, 0, sizeof *js);
    js->file = file;
    js->d = d;
    js->line = 1;
    js->col = 1;
    js->cap_limit = JS_CAPTURE_LIMIT;
    js->fp = fopen(path, "rb");
    if (!js->fp) {
        diag_error(d, file, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return ERR_IO;
    }
    js->buf = xmalloc(JS_BUF_SIZE);
    return PS_OK;
}

void js_close(struct jstream *js)
{
    if (js->fp) fclose(js->fp);
    free(js->buf);
    free(js->cap);
    js->fp = NULL;
    js->buf = NULL;
    js->cap = NULL;
}

void js_error_here(struct jstream *js, const char *path, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!js->failed) diag_error(js->d, js->file, js->line, js->col, path, "%s", text);
    js->failed = true;
}

static bool fill(struct jstream *js)
{
    if (js->eof) return false;
    js->len = fread(js->buf, 1, JS_BUF_SIZE, js->fp);
    js->pos = 0;
    js->bytes_read += js->len;
    if (js->len == 0) {
        js->eof = true;
        return false;
    }
    return true;
}

/* Raw next byte (no whitespace skipping), or -1. */
static int getb(struct jstream *js)
{
    if (js->pos >= js->len && !fill(js)) return -1;
    unsigned char c = (unsigned char)js->buf[js->pos++];
    if (c == '\n') {
        js->line++;
        js->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        js->col++;   /* columns count characters, not UTF-8 continuation bytes */
    }
    return c;
}

static int peekb(struct jstream *js)
{
    if (js->pos >= js->len && !fill(js)) return -1;
    return (unsigned char)js->buf[js->pos];
}

static void skip_ws(struct jstream *js)
{
    for (;;) {
        int c = peekb(js);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') getb(js);
        else return;
    }
}

int js_peek(struct jstream *js)
{
    skip_ws(js);
    return peekb(js);
}

static const char *describe(int c, char *buf, size_t n)
{
    if (c < 0) return "end of file";
    if (c == 0) return "a NUL byte";
    if (c >= 0x20 && c < 0x7f) snprintf(buf, n, "'%c'", c);
    else snprintf(buf, n, "byte 0x%02x", (unsigned)c);
    return buf;
}

bool js_expect(struct jstream *js, char c, const char *path)
{
    int got = js_peek(js);
    if (got != (unsigned char)c) {
        char b[16];
        js_error_here(js, path, "expected '%c', got %s", c, describe(got, b, sizeof b));
        return false;
    }
    getb(js);
    return true;
}

bool js_next_member(struct jstream *js, char close, const char *path, bool *done)
{
    int c = js_peek(js);
    if (c == ',') {
        getb(js);
        *done = false;
        return true;
    }
    if (c == (unsigned char)close) {
        getb(js);
        *done = true;
        return false;
    }
    char b[16];
    js_error_here(js, path, "expected ',' or '%c', got %s", close, describe(c, b, sizeof b));
    *done = true;
    return false;
}

static bool cap_push(struct jstream *js, int c, const char *path)
{
    if (js->cap_len + 2 > js->cap_size) {
        if (js->cap_len + 2 > js->cap_limit) {
            js_error_here(js, path, "element larger than %zu MiB", js->cap_limit >> 20);
            return false;
        }
        xgrow((void **)&js->cap, &js->cap_size, js->cap_len + 2, 1);
    }
    js->cap[js->cap_len++] = (char)c;
    return true;
}

/* Consumes a string whose opening quote was already read; appends it to the capture when
 * `keep`. Validates only what bracket matching needs; cJSON checks the rest. */
static bool scan_string(struct jstream *js, bool keep, const char *path)
{
    for (;;) {
        int c = getb(js);
        if (c < 0) {
            js_error_here(js, path, "unterminated string");
            return false;
        }
        if (keep && !cap_push(js, c, path)) return false;
        if (c == '"') return true;
        if (c == '\\') {
            int e = getb(js);
            if (e < 0) {
                js_error_here(js, path, "unterminated string");
                return false;
            }
            if (keep && !cap_push(js, e, path)) return false;
        } else if (c < 0x20) {
            js_error_here(js, path, "control character in string");
            return false;
        }
    }
}

bool js_read_key(struct jstream *js, char *out, size_t cap, const char *path)
{
    int c = js_peek(js);
    if (c != '"') {
        char b[16];
        js_error_here(js, path, "expected a key string, got %s", describe(c, b, sizeof b));
        return false;
    }
    getb(js);
    js->cap_len = 0;
    if (!scan_string(js, true, path)) return false;
    /* keys we care about are plain ASCII; escapes in keys are kept verbatim */
    size_t n = js->cap_len ? js->cap_len - 1 : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, js->cap, n);
    out[n] = '\0';
    return js_expect(js, ':', path);
}

bool js_capture(struct jstream *js, const char *path)
{
    char stack[JS_MAX_DEPTH];
    size_t depth = 0;
    js->cap_len = 0;
    skip_ws(js);
    js->cap_line = js->line;
    js->cap_col = js->col;
    for (;;) {
        int c = peekb(js);
        if (c < 0) {
            js_error_here(js, path, depth ? "unexpected end of file" : "expected a value, got end of file");
            return false;
        }
        if (depth == 0 && js->cap_len > 0 &&
            (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\t' || c == '\r'))
            break;   /* end of a scalar at the top of the capture */
        getb(js);
        if (!cap_push(js, c, path)) return false;
        if (c == '"') {
            if (!scan_string(js, true, path)) return false;
            if (depth == 0) break;
        } else if (c == '{' || c == '[') {
            if (depth == JS_MAX_DEPTH) {
                js_error_here(js, path, "nesting deeper than %d levels", JS_MAX_DEPTH);
                return false;
            }
            stack[depth++] = (char)(c == '{' ? '}' : ']');
        } else if (c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != c) {
                js_error_here(js, path, "unexpected '%c'", c);
                return false;
            }
            if (--depth == 0) break;
        } else if (depth == 0 && c == 0) {
            js_error_here(js, path, "unexpected NUL byte");
            return false;
        }
    }
    js->cap[js->cap_len] = '\0';
    return true;
}

struct cJSON *js_parse_captured(struct jstream *js, const char *path)
{
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(js->cap, js->cap_len, &end, 0);
    if (v && end && (size_t)(end - js->cap) == js->cap_len) return v;
    cJSON_Delete(v);
    /* cJSON reports where it stopped; turn that into the user's line and column */
    const char *err = cJSON_GetErrorPtr();
    size_t off = js->cap_len;
    if (v == NULL && err && err >= js->cap && err <= js->cap + js->cap_len) off = (size_t)(err - js->cap);
    else if (end && end >= js->cap && end <= js->cap + js->cap_len) off = (size_t)(end - js->cap);
    size_t line = js->cap_line, col = js->cap_col;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)js->cap[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    if (!js->failed) diag_error(js->d, js->file, line, col, path, "malformed JSON");
    js->failed = true;
    return NULL;
}
