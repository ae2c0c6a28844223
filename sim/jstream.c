/* jstream.c - streaming JSON structure scanner with element capture. The strict RFC 8259 check
 * of a captured element, which needs none of the stream, is in jstream_check.c. */
#include "jstream.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jscan.h"
#include "jstream_internal.h"
#include "progress.h"

#include <pthread.h>

#define JS_BUF_SIZE (1u << 20)
/* One element (a manifest, a tag, a body) larger than this is not a real export. */
#define JS_CAPTURE_LIMIT ((size_t)64 << 20)

/* cJSON allocates every node with malloc; an element's tree lives only until the next element
 * is parsed, so each thread parses into a bump block that is reset per element, and frees of
 * block memory are no-ops. Anything else (other threads, other callers, overflow) is malloc. */
#define JS_BUMP_SIZE ((size_t)1 << 20)

static _Thread_local struct {
    char *base;
    size_t used;
    bool spilled;   /* since the last reset, something did not fit and went to malloc */
} bump;

static void *bump_malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (bump.base && n <= JS_BUMP_SIZE - bump.used) {
        void *p = bump.base + bump.used;
        bump.used += n;
        return p;
    }
    if (bump.base) bump.spilled = true;
    return malloc(n);
}

static void bump_free(void *p)
{
    if (bump.base && (char *)p >= bump.base && (char *)p < bump.base + JS_BUMP_SIZE) return;
    free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = {bump_malloc, bump_free};
    cJSON_InitHooks(&hooks);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

int js_open(struct jstream *js, const char *path, const char *file, struct diag *d)
{
    pthread_once(&hooks_once, install_hooks);
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

void js_open_mem(struct jstream *js, const char *text, size_t len, const char *file, struct diag *d,
                 size_t line, size_t col, uint64_t offset)
{
    pthread_once(&hooks_once, install_hooks);
    memset(js, 0, sizeof *js);
    js->file = file;
    js->d = d;
    js->line = line;
    js->col = col;
    js->cap_limit = JS_CAPTURE_LIMIT;
    js->buf = (char *)text;   /* only read: the stream never writes into a borrowed buffer */
    js->borrowed = true;
    js->len = len;
    js->eof = true;
    js->bytes_read = offset + len;
}

void js_tree_release(struct cJSON *tree)
{
    /* a tree wholly in the bump block goes with the block's next reset: walking it only to
     * call a free that does nothing cost 6% of ingest's instructions */
    bool in_block = bump.base && (char *)tree >= bump.base && (char *)tree < bump.base + JS_BUMP_SIZE;
    if (!in_block || bump.spilled) cJSON_Delete(tree);
}

void js_thread_release(void)
{
    free(bump.base);
    bump.base = NULL;
}

void js_close(struct jstream *js)
{
    if (js->fp) fclose(js->fp);
    if (!js->borrowed) free(js->buf);
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

/* Records an error at line:col (the position of the offending byte, not after it). */
static void error_at(struct jstream *js, size_t line, size_t col, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void error_at(struct jstream *js, size_t line, size_t col, const char *path, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!js->failed) diag_error(js->d, js->file, line, col, path, "%s", text);
    js->failed = true;
}

static bool fill(struct jstream *js)
{
    if (js->eof) return false;
    js->len = fread(js->buf, 1, JS_BUF_SIZE, js->fp);
    js->pos = 0;
    js->bytes_read += js->len;
    progress_bytes(js->file, js->bytes_read);
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

bool js_expect(struct jstream *js, char c, const char *path)
{
    int got = js_peek(js);
    if (got != (unsigned char)c) {
        char b[16];
        js_error_here(js, path, "expected '%c', got %s", c, js_describe_byte(got, b, sizeof b));
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
    js_error_here(js, path, "expected ',' or '%c', got %s", close, js_describe_byte(c, b, sizeof b));
    *done = true;
    return false;
}

static bool cap_push(struct jstream *js, int c, const char *path)
{
    if (js->cap_len + 2 > js->cap_size) {
        if (js->cap_len + 2 > js->cap_limit) {
            error_at(js, js->cap_line, js->cap_col, path, "element larger than %zu MiB",
                     js->cap_limit >> 20);
            return false;
        }
        xgrow((void **)&js->cap, &js->cap_size, js->cap_len + 2, 1);
    }
    js->cap[js->cap_len++] = (char)c;
    return true;
}

/* Reads the continuation bytes of a UTF-8 sequence whose lead byte `c` (>= 0x80) was just
 * read (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static bool scan_utf8_tail(struct jstream *js, int c, size_t keep_max, const char *path,
                           size_t line, size_t col)
{
    int n = 0, lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c == 0xE0) n = 2, lo = 0xA0;
    else if (c == 0xED) n = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) n = 2;
    else if (c == 0xF0) n = 3, lo = 0x90;
    else if (c == 0xF4) n = 3, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) n = 3;
    for (int i = 0; n && i < n; i++) {
        int t = peekb(js);
        if (t < lo || t > hi) {
            n = 0;
            break;
        }
        getb(js);
        if (js->cap_len < keep_max && !cap_push(js, t, path)) return false;
        lo = 0x80;
        hi = 0xBF;
    }
    if (!n) {
        error_at(js, line, col, path, "invalid UTF-8 in a string (byte 0x%02x); the file must be UTF-8",
                 (unsigned)c);
        return false;
    }
    return true;
}

/* Consumes a string whose opening quote was already read; appends at most `keep_max` bytes
 * of it to the capture. Checks control characters and UTF-8; escapes are checked when the
 * capture is parsed. */
static bool scan_string(struct jstream *js, size_t keep_max, const char *path)
{
    for (;;) {
        size_t line = js->line, col = js->col;
        int c = getb(js);
        if (c < 0) {
            js_error_here(js, path, "unterminated string");
            return false;
        }
        if (js->cap_len < keep_max && !cap_push(js, c, path)) return false;
        if (c == '"') return true;
        if (c == '\\') {
            int e = getb(js);
            if (e < 0) {
                js_error_here(js, path, "unterminated string");
                return false;
            }
            if (js->cap_len < keep_max && !cap_push(js, e, path)) return false;
        } else if (c == '\n') {
            error_at(js, line, col, path, "line break inside a string (missing closing '\"'?)");
            return false;
        } else if (c == 0) {
            error_at(js, line, col, path, "NUL byte inside a string");
            return false;
        } else if (c < 0x20) {
            error_at(js, line, col, path, "control character (byte 0x%02x) inside a string; write it as \\u%04x",
                     (unsigned)c, (unsigned)c);
            return false;
        } else if (c >= 0x80 && !scan_utf8_tail(js, c, keep_max, path, line, col)) {
            return false;
        }
    }
}

bool js_read_key(struct jstream *js, char *out, size_t cap, const char *path)
{
    int c = js_peek(js);
    if (c != '"') {
        char b[16];
        js_error_here(js, path, "expected a key string, got %s", js_describe_byte(c, b, sizeof b));
        return false;
    }
    js->cap_line = js->line;   /* where the key starts, for messages about it */
    js->cap_col = js->col;
    getb(js);
    js->cap_len = 0;
    /* keep no more than fits in `out`: a huge key is consumed, not captured */
    if (!scan_string(js, cap, path)) return false;
    /* keys we care about are plain ASCII; escapes in keys are kept verbatim */
    size_t n = js->cap_len;
    if (n && js->cap[n - 1] == '"') n--;   /* the closing quote, unless the key was cut */
    if (n >= cap) n = cap - 1;
    memcpy(out, js->cap, n);
    out[n] = '\0';
    return js_expect(js, ':', path);
}

/* Line and column of byte `off` of the captured text. */
static void cap_position(const struct jstream *js, size_t off, size_t *line, size_t *col)
{
    *line = js->cap_line;
    *col = js->cap_col;
    for (size_t i = 0; i < off && i < js->cap_len; i++) {
        unsigned char c = (unsigned char)js->cap[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* Appends buffer bytes [from, to) to the capture, within the element size limit. */
static bool cap_append(struct jstream *js, const unsigned char *from, const unsigned char *to, const char *path)
{
    size_t n = (size_t)(to - from);
    if (!n) return true;
    if (js->cap_len + n + 1 > js->cap_size) {
        if (js->cap_len + n + 1 > js->cap_limit) {
            error_at(js, js->cap_line, js->cap_col, path, "element larger than %zu MiB", js->cap_limit >> 20);
            return false;
        }
        xgrow((void **)&js->cap, &js->cap_size, js->cap_len + n + 1, 1);
    }
    memcpy(js->cap + js->cap_len, from, n);
    js->cap_len += n;
    return true;
}

/* Where js_capture is in the value it captures, kept across refills of the read buffer. */
struct capture_scan {
    char stack[JS_MAX_DEPTH];     /* the closing bracket of each open object or array */
    size_t depth;
    bool in_str, esc, done;
    int utf8_need, lo, hi;        /* continuation bytes still due in a string, and their range */
    size_t utf8_lead;             /* capture offset of the sequence's lead byte */
    unsigned lead_byte;
    /* where the capture ends, without a second pass: newlines occur only between tokens, and
     * columns count characters, so continuation bytes after the last newline are subtracted */
    size_t newlines, last_nl, cont_after_nl;
};

/* What stopped a capture at a byte that cannot be there. */
enum capture_error {
    CAP_OK,
    CAP_BAD_CONTINUATION,         /* a UTF-8 sequence cut short (reported at its lead byte) */
    CAP_LINE_BREAK,               /* in a string */
    CAP_NUL,                      /* in a string */
    CAP_CONTROL,                  /* another control character in a string */
    CAP_BAD_LEAD,                 /* a byte that starts no UTF-8 sequence, in a string */
    CAP_CONTROL_OUTSIDE,          /* a control character between tokens */
    CAP_TOO_DEEP,
    CAP_UNEXPECTED,               /* a closing bracket that closes nothing open */
};

/* Inside a string: consumes bytes up to and including its closing quote, checking control
 * characters and UTF-8 (RFC 3629; escapes are checked when the capture is parsed). Returns
 * where it stopped: after the quote, at end, or at a wrong byte with *err set. `at` is the
 * capture offset that the span starting at `seg` will have. */
static const unsigned char *capture_string(struct capture_scan *s, const unsigned char *p, const unsigned char *end,
                                           const unsigned char *seg, size_t at, enum capture_error *err)
{
    while (p < end) {
        unsigned char c = *p;
        if (s->utf8_need) {
            if (c < s->lo || c > s->hi) {
                *err = CAP_BAD_CONTINUATION;
                return p;
            }
            s->utf8_need--;
            s->cont_after_nl++;
            s->lo = 0x80;
            s->hi = 0xBF;
            p++;
            continue;
        }
        if (s->esc) {
            s->esc = false;
            p++;
            continue;
        }
        p = jscan_string_checked(p, end);
        if (p == end) break;
        c = *p;
        if (c == '"') {
            s->in_str = false;
            if (s->depth == 0) s->done = true;
            return p + 1;
        }
        if (c == '\\') {
            s->esc = true;
            p++;
            continue;
        }
        if (c == '\n') { *err = CAP_LINE_BREAK; return p; }
        if (c == 0) { *err = CAP_NUL; return p; }
        if (c < 0x20) { *err = CAP_CONTROL; return p; }
        /* a UTF-8 lead byte: how many continuation bytes, in which range */
        s->lo = 0x80;
        s->hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) s->utf8_need = 1;
        else if (c == 0xE0) s->utf8_need = 2, s->lo = 0xA0;
        else if (c == 0xED) s->utf8_need = 2, s->hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF) s->utf8_need = 2;
        else if (c == 0xF0) s->utf8_need = 3, s->lo = 0x90;
        else if (c == 0xF4) s->utf8_need = 3, s->hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3) s->utf8_need = 3;
        else { *err = CAP_BAD_LEAD; return p; }
        s->utf8_lead = at + (size_t)(p - seg);
        s->lead_byte = c;
        p++;
    }
    return p;
}

/* Between tokens: brackets (matched on a stack), newlines (for the position), and the end of
 * a scalar at the top of the capture. Returns where it stopped: after a string's opening quote
 * (s->in_str), when the value is complete (s->done), at end, or at a wrong byte with *err set.
 * `at` and `seg` as for capture_string. */
static const unsigned char *capture_structure(struct capture_scan *s, const unsigned char *p,
                                              const unsigned char *end, const unsigned char *seg, size_t at,
                                              enum capture_error *err)
{
    while (p < end) {
        unsigned char c = *p;
        if (s->depth == 0 && (at > 0 || p > seg) &&
            (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
            s->done = true;   /* end of a scalar at the top of the capture */
            return p;
        }
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') { *err = CAP_CONTROL_OUTSIDE; return p; }
        if (c == '\n') {
            s->newlines++;
            s->last_nl = at + (size_t)(p - seg) + 1;
            s->cont_after_nl = 0;
        } else if (c == '"') {
            s->in_str = true;
            return p + 1;
        } else if (c == '{' || c == '[') {
            if (s->depth == JS_MAX_DEPTH) { *err = CAP_TOO_DEEP; return p; }
            s->stack[s->depth++] = (char)(c == '{' ? '}' : ']');
        } else if (c == '}' || c == ']') {
            if (s->depth == 0 || s->stack[s->depth - 1] != (char)c) { *err = CAP_UNEXPECTED; return p; }
            if (--s->depth == 0) {
                s->done = true;
                return p + 1;
            }
        } else if ((c & 0xC0) == 0x80) {
            /* not JSON, but an ignored field's value is captured unparsed: count columns
             * as everywhere else (continuation bytes are not characters) */
            s->cont_after_nl++;
        }
        p++;
    }
    return p;
}

/* Scans the read buffer's bytes [seg, end), which follow the `at` bytes captured so far.
 * Returns where the scan stopped: end, unless the value is complete (s->done) or a byte is
 * wrong (*err). */
static const unsigned char *capture_span(struct capture_scan *s, const unsigned char *seg, const unsigned char *end,
                                         size_t at, enum capture_error *err)
{
    const unsigned char *p = seg;
    while (p < end && !s->done && *err == CAP_OK)
        p = s->in_str ? capture_string(s, p, end, seg, at, err) : capture_structure(s, p, end, seg, at, err);
    return p;
}

/* Reports the wrong byte c that stopped the capture; the capture holds everything before it. */
static void capture_error(struct jstream *js, const struct capture_scan *s, enum capture_error err, unsigned char c,
                          const char *path)
{
    size_t line, col;
    cap_position(js, err == CAP_BAD_CONTINUATION ? s->utf8_lead : js->cap_len, &line, &col);
    switch (err) {
    case CAP_BAD_CONTINUATION:
        error_at(js, line, col, path, "invalid UTF-8 in a string (byte 0x%02x); the file must be UTF-8", s->lead_byte);
        break;
    case CAP_LINE_BREAK:
        error_at(js, line, col, path, "line break inside a string (missing closing '\"'?)");
        break;
    case CAP_NUL:
        error_at(js, line, col, path, "NUL byte inside a string");
        break;
    case CAP_CONTROL:
        error_at(js, line, col, path, "control character (byte 0x%02x) inside a string; write it as \\u%04x",
                 (unsigned)c, (unsigned)c);
        break;
    case CAP_BAD_LEAD:
        error_at(js, line, col, path, "invalid UTF-8 in a string (byte 0x%02x); the file must be UTF-8", (unsigned)c);
        break;
    case CAP_CONTROL_OUTSIDE:
        error_at(js, line, col, path, c == 0 ? "unexpected NUL byte" : "unexpected control character (byte 0x%02x)",
                 (unsigned)c);
        break;
    case CAP_TOO_DEEP:
        error_at(js, line, col, path, "nesting deeper than %d levels", JS_MAX_DEPTH);
        break;
    case CAP_UNEXPECTED:
        error_at(js, line, col, path, "unexpected '%c'", c);
        break;
    case CAP_OK:
        break;
    }
}

/* The input ended inside the capture. True when that completes it (a scalar that ends the
 * file); else reports why not and returns false. */
static bool capture_at_eof(struct jstream *js, const struct capture_scan *s, const char *path)
{
    cap_position(js, js->cap_len, &js->line, &js->col);
    if (s->in_str) {
        js_error_here(js, path, "unterminated string");
        return false;
    }
    if (s->depth == 0 && js->cap_len > 0) return true;
    js_error_here(js, path, s->depth ? "unexpected end of file" : "expected a value, got end of file");
    return false;
}

/* Captures one complete value into js->cap. This is the hot loop of ingest: it walks the
 * read buffer a span at a time and copies spans in bulk; line and column are derived from
 * the captured text only where a message or the next token needs them. Strings are checked
 * for control characters and UTF-8 (RFC 3629) on the way; the rest of the syntax is checked
 * by js_parse_captured. */
static bool capture_in_place(struct jstream *js);

bool js_capture(struct jstream *js, const char *path)
{
    js->cap_len = 0;
    js->cap_checked = false;
    skip_ws(js);
    if (js->pos < js->len && capture_in_place(js)) return true;
    js->cap_line = js->line;
    js->cap_col = js->col;
    js->cap_offset = js->bytes_read - js->len + js->pos;
    struct capture_scan s = {.lo = 0x80, .hi = 0xBF};
    while (!s.done) {
        if (js->pos >= js->len && !fill(js)) {
            if (!capture_at_eof(js, &s, path)) return false;
            break;
        }
        const unsigned char *b = (const unsigned char *)js->buf, *seg = b + js->pos, *end = b + js->len;
        enum capture_error err = CAP_OK;
        const unsigned char *p = capture_span(&s, seg, end, js->cap_len, &err);
        if (!cap_append(js, seg, p, path)) return false;
        if (err != CAP_BAD_CONTINUATION) js->pos = (size_t)(p - b);
        if (err != CAP_OK) {
            capture_error(js, &s, err, *p, path);
            return false;
        }
    }
    js->cap[js->cap_len] = '\0';
    js->line = js->cap_line + s.newlines;
    js->col = (s.newlines ? 1 : js->cap_col) + (js->cap_len - s.last_nl) - s.cont_after_nl;
    return true;
}

/* ---- copying a span without parsing it ------------------------------------------- */

/* Characters in n bytes of UTF-8: bytes that are not continuation bytes (10xxxxxx). */
static size_t utf8_chars(const char *s, size_t n)
{
    return n - jscan_count_continuation((const unsigned char *)s, n);
}

/* Moves line:col past n bytes of text just consumed. */
static void advance_position(struct jstream *js, const char *s, size_t n)
{
    const char *last = memrchr(s, '\n', n);
    if (last) {
        for (const char *q = s; (q = memchr(q, '\n', (size_t)(last + 1 - q))) != NULL; q++) js->line++;
        js->col = 1;
        n -= (size_t)(last + 1 - s);
        s = last + 1;
    }
    js->col += utf8_chars(s, n);
}

enum js_span_end js_copy_span(struct jstream *js, struct js_span *sp, size_t limit)
{
    skip_ws(js);
    sp->len = 0;
    sp->line = js->line;
    sp->col = js->col;
    sp->offset = js->bytes_read - js->len + js->pos;
    size_t depth = 0;
    bool in_str = false, esc = false, done = false;
    enum js_span_end end_kind = JS_SPAN_DONE;
    while (!done) {
        if (js->pos >= js->len && !fill(js)) {
            end_kind = JS_SPAN_EOF;
            break;
        }
        const unsigned char *b = (const unsigned char *)js->buf + js->pos, *p = b;
        const unsigned char *end = (const unsigned char *)js->buf + js->len;
        while (p < end && !done) {
            /* 64 bytes at a time: strings from the quotes' running parity, then brackets
             * outside strings counted, and walked one by one only where depth may reach 0 */
            if (end - p >= 64 && !esc) {
                struct jscan_masks m = jscan_masks64(p);
                if (!m.bslash) {
                    uint64_t inside = jscan_prefix_xor(m.quote) ^ (in_str ? ~(uint64_t)0 : 0);
                    uint64_t opens = m.open & ~inside, closes = m.close & ~inside;
                    in_str = inside >> 63;
                    unsigned n_close = jscan_popcount(closes);
                    if (depth > n_close) {
                        depth = depth + jscan_popcount(opens) - n_close;
                        p += 64;
                        continue;
                    }
                    for (uint64_t br = opens | closes; br; br &= br - 1) {
                        unsigned at = (unsigned)__builtin_ctzll(br);
                        if (opens >> at & 1) {
                            depth++;
                        } else if (depth <= 1) {   /* the closer of the span (or a stray one) */
                            done = true;
                            p += at + 1;
                            break;
                        } else {
                            depth--;
                        }
                    }
                    if (!done) p += 64;
                    continue;
                }
            }
            /* a block with a backslash, or the buffer's last bytes: one byte at a time */
            const unsigned char *stop = end - p > 64 ? p + 64 : end;
            while (p < stop) {
                unsigned char c = *p++;
                if (esc) {
                    esc = false;
                } else if (in_str) {
                    if (c == '\\') esc = true;
                    else if (c == '"') in_str = false;
                } else if (c == '"') {
                    in_str = true;
                } else if ((c | 0x20) == '{') {
                    depth++;
                } else if ((c | 0x20) == '}') {
                    if (depth <= 1) {   /* the closer of the span (or a stray one) */
                        done = true;
                        break;
                    }
                    depth--;
                }
            }
        }
        size_t n = (size_t)(p - b);
        xgrow((void **)&sp->text, &sp->cap, sp->len + n + 1, 1);
        memcpy(sp->text + sp->len, b, n);
        sp->len += n;
        js->pos += n;
        if (!done && sp->len > limit) {
            end_kind = JS_SPAN_LIMIT;
            break;
        }
    }
    if (sp->text) sp->text[sp->len] = '\0';
    advance_position(js, sp->text ? sp->text : "", sp->len);
    return end_kind;
}

void js_unread(struct jstream *js, const struct js_span *sp)
{
    size_t rest = js->len - js->pos, n = sp->len + rest;
    char *b = xmalloc(n > JS_BUF_SIZE ? n : JS_BUF_SIZE);   /* fill() reads JS_BUF_SIZE into it */
    if (sp->len) memcpy(b, sp->text, sp->len);
    if (rest) memcpy(b + sp->len, js->buf + js->pos, rest);
    if (!js->borrowed) free(js->buf);
    js->borrowed = false;
    js->buf = b;
    js->len = n;
    js->pos = 0;
    js->line = sp->line;
    js->col = sp->col;
}

/* Line and column of byte `off` of text that starts at line:col. */
static void text_position(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    for (size_t i = 0; i < off && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* The common case of js_capture, in one pass: a valid element that lies whole in the read
 * buffer is checked in place (the strict check plus capture's byte checks) and copied, so
 * js_parse_captured has only cJSON left to run. Anything else returns false having changed
 * nothing, and js_capture goes the long way, whose messages are the ones users see. */
static bool capture_in_place(struct jstream *js)
{
    size_t start = js->pos, avail = js->len - start, n;
    const unsigned char *text = (const unsigned char *)js->buf + start;
    if (!js_check_element((const char *)text, avail, &n)) return false;
    int first = text[0];
    if (first != '{' && first != '[' && first != '"') {
        /* a number or literal ends where capture ends it: at a delimiter, or at the end of
         * the text when that is the end of the file */
        if (n == avail) {
            if (!js->borrowed) return false;   /* it may go on in the next block */
        } else {
            int c = text[n];
            if (c != ',' && c != ']' && c != '}' && c != ' ' && c != '\n' && c != '\t' && c != '\r')
                return false;
        }
    }
    if (n + 1 > js->cap_size) {
        if (n + 1 > js->cap_limit) return false;
        xgrow((void **)&js->cap, &js->cap_size, n + 1, 1);
    }
    memcpy(js->cap, text, n);
    js->cap[n] = '\0';
    js->cap_len = n;
    js->cap_line = js->line;
    js->cap_col = js->col;
    js->cap_offset = js->bytes_read - js->len + start;
    js->pos += n;
    advance_position(js, js->cap, n);
    js->cap_checked = true;
    return true;
}

/* cJSON's parse of text that passed the strict check. */
static struct cJSON *parse_checked(const char *text, size_t len, size_t line, size_t col, struct js_parse_error *err)
{
    const char *end = NULL;
    cJSON *val = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (val && end && (size_t)(end - text) == len) return val;
    cJSON_Delete(val);
    /* not expected after the check; cJSON reports where it stopped */
    const char *at = cJSON_GetErrorPtr();
    size_t off = len;
    if (val == NULL && at && at >= text && at <= text + len) off = (size_t)(at - text);
    else if (end && end >= text && end <= text + len) off = (size_t)(end - text);
    err->line = line;
    err->col = col;
    text_position(text, len, off, &err->line, &err->col);
    snprintf(err->msg, sizeof err->msg, "malformed JSON");
    return NULL;
}

struct cJSON *js_parse_text(const char *text, size_t len, size_t line, size_t col, struct js_parse_error *err)
{
    /* a whole document may end in white space (RFC 8259's ws); a capture never does */
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' || text[len - 1] == '\n')) len--;
    size_t bad_at;
    if (!js_check_text(text, len, &bad_at, err->msg, sizeof err->msg)) {
        err->line = line;
        err->col = col;
        text_position(text, len, bad_at, &err->line, &err->col);
        return NULL;
    }
    return parse_checked(text, len, line, col, err);
}

struct cJSON *js_parse_captured(struct jstream *js, const char *path)
{
    /* the previous element's tree is gone by now: reuse this thread's bump block */
    if (!bump.base) bump.base = xmalloc(JS_BUMP_SIZE);
    bump.used = 0;
    bump.spilled = false;
    struct js_parse_error err;
    cJSON *val = js->cap_checked ? parse_checked(js->cap, js->cap_len, js->cap_line, js->cap_col, &err)
                                 : js_parse_text(js->cap, js->cap_len, js->cap_line, js->cap_col, &err);
    js->cap_checked = false;
    if (!val) error_at(js, err.line, err.col, path, "%s", err.msg);
    return val;
}
