/* arm_expr.c - ARM template expressions in an ACR task's properties, evaluated to plain values. */
#include "arm_expr.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARM_EXPR_DEPTH 8          /* parameters('a') -> variables('b') -> ... */

static char *dupn(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* ---- base64 ---------------------------------------------------------------------------- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes standard base64 (white space ignored, '=' padding optional) into a NUL-terminated
 * string. Returns NULL with err set when the text is not base64 or decodes to a NUL byte. */
char *arm_base64_decode(const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s);
    char *out = xmalloc(n / 4 * 3 + 4);
    size_t len = 0, k = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad) {
            snprintf(err, errlen, "malformed base64: %s at offset %zu", pad ? "data after '='" : "unexpected character",
                     i);
            free(out);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)v;
        if (++k == 4) {
            out[len++] = (char)(acc >> 16 & 0xFF);
            out[len++] = (char)(acc >> 8 & 0xFF);
            out[len++] = (char)(acc & 0xFF);
            k = 0;
            acc = 0;
        }
    }
    if (k == 1 || pad > 2 || (pad && (k + pad) % 4)) {
        snprintf(err, errlen, "malformed base64: its length is not a whole number of bytes");
        free(out);
        return NULL;
    }
    if (k == 2) out[len++] = (char)(acc >> 4 & 0xFF);
    if (k == 3) {
        out[len++] = (char)(acc >> 10 & 0xFF);
        out[len++] = (char)(acc >> 2 & 0xFF);
    }
    out[len] = '\0';
    if (memchr(out, '\0', len)) {
        snprintf(err, errlen, "the decoded text holds a NUL byte: not a task YAML");
        free(out);
        return NULL;
    }
    return out;
}

static char *b64_encode(const char *s)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *out = xmalloc((n + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n) v |= (uint32_t)(unsigned char)s[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

/* ---- ARM template expressions ---------------------------------------------------------- */

/* Reads a quoted ARM literal at *p ('it''s' -> it's) into a new string; NULL when none. */
char *arm_literal(const char **p)
{
    const char *s = *p;
    if (*s != '\'') return NULL;
    size_t cap = strlen(s) + 1, n = 0;
    char *out = xmalloc(cap);
    for (s++; *s; s++) {
        if (*s == '\'') {
            if (s[1] != '\'') {
                out[n] = '\0';
                *p = s + 1;
                return out;
            }
            s++;
        }
        out[n++] = *s;
    }
    free(out);
    return NULL;
}

static const cJSON *eval_value(struct arm_ctx *ctx, const cJSON *v, int depth, char *err, size_t errlen);

#define ARM_EXPR_HELP "a literal, parameters('x') with a defaultValue, variables('x'), format(), concat() " \
                      "or base64() of those"

static const cJSON *arm_keep(struct arm_ctx *ctx, const char *text)
{
    cJSON *node = cJSON_CreateString(text);
    if (!node) return NULL;
    cJSON_AddItemToArray(ctx->scratch, node);
    return node;
}

/* format('{0} and {1}', a, b) as ARM's format() does for strings and whole numbers. */
static const cJSON *arm_format(struct arm_ctx *ctx, const cJSON *const *args, size_t n, bool concat)
{
    size_t cap = 64, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    char num[32];
    if (!concat && !cJSON_IsString(args[0])) {
        free(out);
        return NULL;
    }
    for (size_t a = concat ? 0 : 1; a < n; a++)
        if (!cJSON_IsString(args[a]) && !cJSON_IsNumber(args[a])) {
            free(out);
            return NULL;
        }
    const char *fmt = concat ? "" : args[0]->valuestring;
    for (size_t a = 0; concat && a < n; a++) {
        const char *piece = cJSON_IsString(args[a]) ? args[a]->valuestring : num;
        if (!cJSON_IsString(args[a])) snprintf(num, sizeof num, "%.0f", args[a]->valuedouble);
        size_t pl = strlen(piece);
        xgrow((void **)&out, &cap, len + pl + 1, 1);
        memcpy(out + len, piece, pl + 1);
        len += pl;
    }
    for (const char *f = fmt; *f; f++) {
        const char *piece = NULL;
        char one[2] = {*f, '\0'};
        if (*f == '{' && f[1] >= '0' && f[1] <= '9' && f[2] == '}' && (size_t)(f[1] - '0') + 1 < n) {
            const cJSON *v = args[f[1] - '0' + 1];
            if (cJSON_IsString(v)) {
                piece = v->valuestring;
            } else {
                snprintf(num, sizeof num, "%.0f", v->valuedouble);
                piece = num;
            }
            f += 2;
        } else if ((*f == '{' || *f == '}') && f[1] == *f) {
            f++;
        }
        if (!piece) piece = one;
        size_t pl = strlen(piece);
        xgrow((void **)&out, &cap, len + pl + 1, 1);
        memcpy(out + len, piece, pl + 1);
        len += pl;
    }
    const cJSON *node = arm_keep(ctx, out);
    free(out);
    return node;
}

/* One argument or the whole of an expression, at *p: 'literal', a whole number, or one of the
 * functions ARM_EXPR_HELP names. Returns a node (new strings live in ctx->scratch) or NULL with
 * err set. */
static const cJSON *arm_expr(struct arm_ctx *ctx, const char **p, int depth, char *err, size_t errlen)
{
    const char *s = *p;
    while (*s == ' ') s++;
    if (depth > ARM_EXPR_DEPTH) {
        snprintf(err, errlen, "ARM expressions nested more than %d deep", ARM_EXPR_DEPTH);
        return NULL;
    }
    if (*s == '\'') {
        char *lit = arm_literal(&s);
        if (!lit) {
            snprintf(err, errlen, "unterminated string in an ARM expression");
            return NULL;
        }
        const cJSON *node = arm_keep(ctx, lit);
        free(lit);
        *p = s;
        return node;
    }
    if (*s >= '0' && *s <= '9') {
        char *end;
        double v = strtod(s, &end);
        cJSON *node = cJSON_CreateNumber(v);
        if (!node) return NULL;
        cJSON_AddItemToArray(ctx->scratch, node);
        *p = end;
        return node;
    }
    static const char *const funcs[] = {"parameters", "variables", "base64", "format", "concat"};
    size_t f = 0, fl = 0;
    for (; f < sizeof funcs / sizeof *funcs; f++) {
        fl = strlen(funcs[f]);
        if (!strncasecmp(s, funcs[f], fl) && s[fl] == '(') break;
    }
    if (f == sizeof funcs / sizeof *funcs) {
        snprintf(err, errlen, "the ARM expression is not one purgesim reads (%s)", ARM_EXPR_HELP);
        return NULL;
    }
    s += fl + 1;
    const cJSON *args[10];
    size_t n = 0;
    for (;;) {
        while (*s == ' ') s++;
        if (*s == ')' && n == 0) break;
        if (n == sizeof args / sizeof *args) {
            snprintf(err, errlen, "an ARM function with more than %zu arguments", n);
            return NULL;
        }
        args[n] = arm_expr(ctx, &s, depth + 1, err, errlen);
        if (!args[n++]) return NULL;
        while (*s == ' ') s++;
        if (*s == ',') {
            s++;
            continue;
        }
        break;
    }
    if (*s != ')' || n == 0) {
        snprintf(err, errlen, "the ARM expression is not one purgesim reads (%s)", ARM_EXPR_HELP);
        return NULL;
    }
    *p = s + 1;
    if (f >= 3) {
        const cJSON *node = arm_format(ctx, args, n, f == 4);
        if (!node && !(f == 3 && !cJSON_IsString(args[0])))
            snprintf(err, errlen, "%s() of something other than strings and numbers", funcs[f]);
        else if (!node)
            snprintf(err, errlen, "format() takes a string first");
        return node;
    }
    if (n != 1 || !cJSON_IsString(args[0])) {
        snprintf(err, errlen, "%s() takes one string", funcs[f]);
        return NULL;
    }
    if (f == 2) {
        char *enc = b64_encode(args[0]->valuestring);
        const cJSON *node = arm_keep(ctx, enc);
        free(enc);
        return node;
    }
    const cJSON *found;
    if (f == 0) {
        found = get(get(get(ctx->arm, "parameters"), args[0]->valuestring), "defaultValue");
        if (!found) {
            snprintf(err, errlen, "parameter '%.80s' has no defaultValue in the template", args[0]->valuestring);
            return NULL;
        }
    } else {
        found = get(get(ctx->arm, "variables"), args[0]->valuestring);
        if (!found) {
            snprintf(err, errlen, "variable '%.80s' is not in the template", args[0]->valuestring);
            return NULL;
        }
    }
    return eval_value(ctx, found, depth + 1, err, errlen);
}

static const cJSON *eval_value(struct arm_ctx *ctx, const cJSON *v, int depth, char *err, size_t errlen)
{
    if (!ctx->arm || !cJSON_IsString(v) || v->valuestring[0] != '[') return v;
    if (depth > ARM_EXPR_DEPTH) {
        snprintf(err, errlen, "ARM expressions nested more than %d deep", ARM_EXPR_DEPTH);
        return NULL;
    }
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (s[1] == '[') return arm_keep(ctx, s + 1);   /* "[[" escapes a literal '[' */
    if (s[n - 1] != ']') return v;
    char *inner = dupn(s + 1, n - 2);
    const char *p = inner;
    const cJSON *r = arm_expr(ctx, &p, depth, err, errlen);
    while (r && *p == ' ') p++;
    if (r && *p) {
        snprintf(err, errlen, "the ARM expression is not one purgesim reads (%s)", ARM_EXPR_HELP);
        r = NULL;
    }
    free(inner);
    return r;
}

/* A field that is a string, resolved; NULL when absent or null. Sets *bad (with an error
 * reported) when present but not a string. */

const cJSON *arm_value(struct arm_ctx *ctx, const cJSON *v, char *err, size_t errlen)
{
    return eval_value(ctx, v, 0, err, errlen);
}
