/* jstream_check.c - the strict RFC 8259 check of an element's text, before cJSON parses it.
 * It lives apart from the stream (jstream.c) because it needs none of the stream's state: it
 * reads one element's text, already whole in memory, and says where it first goes wrong.
 * On the ingest's hot path it runs over every element, so the v_* functions stay static here,
 * where they inline into one another, and the stream calls in once per element (js_check_element,
 * js_check_text), never per value or per byte. */
#include <stdio.h>
#include <string.h>

#include "jscan.h"
#include "jstream_internal.h"
#include "utf8.h"

const char *js_describe_byte(int c, char *buf, size_t n)
{
    if (c < 0) return "end of file";
    if (c == 0) return "a NUL byte";
    if (c >= 0x20 && c < 0x7f) snprintf(buf, n, "'%c'", c);
    else snprintf(buf, n, "byte 0x%02x", (unsigned)c);
    return buf;
}

/* cJSON accepts some text that is not JSON ("01", "1.", "\u0000") and reports some errors
 * a byte late, so the captured text is checked against RFC 8259 first; the message then
 * points at the first byte that is wrong. */
struct vcheck {
    const unsigned char *s;
    size_t n, i;
    char msg[96];
    bool bytes;                /* also check strings' bytes (controls, UTF-8), as capture does */
    int depth;                 /* of nesting, bounded when checking bytes (see jstream.c, capture_in_place) */
};

static int v_at(const struct vcheck *v)
{
    return v->i < v->n ? v->s[v->i] : -1;
}

static void v_ws(struct vcheck *v)
{
    while (v->i < v->n && (v->s[v->i] == ' ' || v->s[v->i] == '\t' || v->s[v->i] == '\n' ||
                           v->s[v->i] == '\r'))
        v->i++;
}

static bool v_fail(struct vcheck *v, const char *expected)
{
    char b[16];
    snprintf(v->msg, sizeof v->msg, "%s, got %s", expected, js_describe_byte(v_at(v), b, sizeof b));
    return false;
}

static bool v_is_word(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '+' || c == '-' || c == '_';
}

static int v_hex4(const struct vcheck *v, size_t at)
{
    int x = 0;
    for (size_t k = at; k < at + 4; k++) {
        int c = k < v->n ? v->s[k] : -1, h;
        if (c >= '0' && c <= '9') h = c - '0';
        else if (c >= 'a' && c <= 'f') h = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') h = c - 'A' + 10;
        else return -1;
        x = x << 4 | h;
    }
    return x;
}

static bool v_string(struct vcheck *v)
{
    v->i++;   /* the opening quote */
    for (;;) {
        const unsigned char *at = v->s + v->i, *end = v->s + v->n;
        v->i = (size_t)((v->bytes ? jscan_string_checked(at, end) : jscan_string(at, end)) - v->s);
        int c = v_at(v);
        if (c < 0) return v_fail(v, "expected '\"'");
        if (c == '"') {
            v->i++;
            return true;
        }
        if (c != '\\') {
            /* checking bytes: a control byte or a UTF-8 sequence (otherwise capture checked) */
            size_t k = c < 0x20 ? 0 : utf8_sequence(v->s + v->i, v->n - v->i);
            if (!k) {
                snprintf(v->msg, sizeof v->msg, "invalid byte in a string");
                return false;
            }
            v->i += k;
            continue;
        }
        int e = v->i + 1 < v->n ? v->s[v->i + 1] : -1;
        if (e && strchr("\"\\/bfnrt", e)) {
            v->i += 2;
            continue;
        }
        if (e != 'u') {
            snprintf(v->msg, sizeof v->msg, "invalid escape in a string");
            return false;
        }
        int u = v_hex4(v, v->i + 2);
        if (u < 0) {
            snprintf(v->msg, sizeof v->msg, "invalid \\u escape (expected 4 hex digits)");
            return false;
        }
        if (u == 0) {
            snprintf(v->msg, sizeof v->msg, "\\u0000 (NUL) inside a string is not supported");
            return false;
        }
        if (u >= 0xDC00 && u <= 0xDFFF) {
            snprintf(v->msg, sizeof v->msg, "invalid \\u escape (a low surrogate without a high one)");
            return false;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            int lo = v->i + 7 < v->n && v->s[v->i + 6] == '\\' && v->s[v->i + 7] == 'u'
                         ? v_hex4(v, v->i + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                snprintf(v->msg, sizeof v->msg, "invalid \\u escape (a high surrogate without a low one)");
                return false;
            }
            v->i += 6;
        }
        v->i += 6;
    }
}

static bool v_number(struct vcheck *v)
{
    size_t start = v->i;
    if (v_at(v) == '-') v->i++;
    if (v_at(v) == '0') v->i++;
    else if (v_at(v) >= '1' && v_at(v) <= '9')
        while (v_at(v) >= '0' && v_at(v) <= '9') v->i++;
    else goto bad;
    if (v_at(v) == '.') {
        v->i++;
        if (!(v_at(v) >= '0' && v_at(v) <= '9')) goto bad;
        while (v_at(v) >= '0' && v_at(v) <= '9') v->i++;
    }
    if (v_at(v) == 'e' || v_at(v) == 'E') {
        v->i++;
        if (v_at(v) == '+' || v_at(v) == '-') v->i++;
        if (!(v_at(v) >= '0' && v_at(v) <= '9')) goto bad;
        while (v_at(v) >= '0' && v_at(v) <= '9') v->i++;
    }
    if (!v_is_word(v_at(v))) return true;
bad:
    v->i = start;
    snprintf(v->msg, sizeof v->msg, "invalid number");
    return false;
}

static bool v_value(struct vcheck *v);

static bool v_object(struct vcheck *v)
{
    v->i++;
    v_ws(v);
    if (v_at(v) == '}') {
        v->i++;
        return true;
    }
    for (;;) {
        v_ws(v);
        if (v_at(v) != '"') return v_fail(v, "expected a key string");
        if (!v_string(v)) return false;
        v_ws(v);
        if (v_at(v) != ':') return v_fail(v, "expected ':' after the key");
        v->i++;
        if (!v_value(v)) return false;
        v_ws(v);
        if (v_at(v) == '}') {
            v->i++;
            return true;
        }
        if (v_at(v) != ',') return v_fail(v, "expected ',' or '}'");
        v->i++;
    }
}

static bool v_array(struct vcheck *v)
{
    v->i++;
    v_ws(v);
    if (v_at(v) == ']') {
        v->i++;
        return true;
    }
    for (;;) {
        if (!v_value(v)) return false;
        v_ws(v);
        if (v_at(v) == ']') {
            v->i++;
            return true;
        }
        if (v_at(v) != ',') return v_fail(v, "expected ',' or ']'");
        v->i++;
    }
}

static bool v_value(struct vcheck *v)
{
    v_ws(v);
    int c = v_at(v);
    if (c == '"') return v_string(v);
    if (c == '-' || (c >= '0' && c <= '9')) return v_number(v);
    if (c == 't' || c == 'f' || c == 'n') {
        const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t k = strlen(w);
        if (v->n - v->i >= k && !memcmp(v->s + v->i, w, k) &&
            !(v->i + k < v->n && v_is_word(v->s[v->i + k]))) {
            v->i += k;
            return true;
        }
        snprintf(v->msg, sizeof v->msg, "invalid literal (expected true, false or null)");
        return false;
    }
    if (c == '{' || c == '[') {
        /* text from a capture is no deeper than JS_MAX_DEPTH; unchecked text may be */
        if (v->depth >= JS_MAX_DEPTH) {
            snprintf(v->msg, sizeof v->msg, "nesting deeper than %d levels", JS_MAX_DEPTH);
            return false;
        }
        v->depth++;
        bool ok = c == '{' ? v_object(v) : v_array(v);
        v->depth--;
        return ok;
    }
    return v_fail(v, "expected a value");
}

bool js_check_element(const char *text, size_t len, size_t *end)
{
    struct vcheck v = {(const unsigned char *)text, len, 0, "", true, 0};
    if (!v_value(&v)) return false;
    *end = v.i;
    return true;
}

bool js_check_text(const char *text, size_t len, size_t *bad_at, char *msg, size_t msg_size)
{
    struct vcheck v = {(const unsigned char *)text, len, 0, "", false, 0};
    bool ok = v_value(&v);
    if (ok) {
        v_ws(&v);
        if (v.i < v.n) ok = v_fail(&v, "expected the end of the value");
    }
    if (!ok) {
        *bad_at = v.i;
        snprintf(msg, msg_size, "%s", v.msg);
    }
    return ok;
}
