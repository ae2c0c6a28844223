/* arm_expr.h - evaluate the ARM template expressions an ACR task's properties may hold:
 * parameters() with a defaultValue, variables(), format(), concat() and base64() of those.
 * Ownership: a value is borrowed from the template or lives in ctx->scratch (the caller's). */
#ifndef PURGESIM_ARM_EXPR_H
#define PURGESIM_ARM_EXPR_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct arm_ctx {
    const cJSON *arm;           /* an ARM template's root; NULL outside templates */
    cJSON *scratch;             /* an array that keeps strings made while evaluating */
};

/* v with an ARM expression string "[...]" evaluated (outside ARM templates, v itself).
 * Returns NULL with err set when the expression is not one purgesim reads. */
const cJSON *arm_value(struct arm_ctx *ctx, const cJSON *v, char *err, size_t errlen);

/* Reads a quoted ARM literal at *p ('it''s' -> it's) into a new string the caller frees, and
 * moves *p past it; NULL when none. */
char *arm_literal(const char **p);

/* Decodes standard base64 (white space ignored, '=' padding optional) into a NUL-terminated
 * string the caller frees. Returns NULL with err set when the text is not base64 or decodes to
 * a NUL byte. */
char *arm_base64_decode(const char *s, char *err, size_t errlen);

#endif
