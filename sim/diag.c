/* diag.c - bad-input message collection. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

static void diag_keep(struct diag *d, char *msg)
{
    d->n_total++;
    if (d->n_kept < DIAG_MAX_KEPT) d->msgs[d->n_kept++] = msg;
    else free(msg);
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void diag_error(struct diag *d, const char *file, size_t line, size_t col, const char *path,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    char where[64] = "";
    if (line) snprintf(where, sizeof where, ":%zu:%zu", line, col);
    size_t n = strlen(file ? file : "") + strlen(where) + strlen(path ? path : "") + strlen(text) + 8;
    char *msg = xmalloc(n);
    snprintf(msg, n, "%s%s: %s%s%s", file ? file : "", where, path ? path : "",
             (path && *path) ? ": " : "", text);
    free(text);
    diag_keep(d, msg);
}

void diag_msg(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    diag_keep(d, text);
}

void diag_merge(struct diag *dst, struct diag *src)
{
    for (size_t i = 0; i < src->n_kept; i++) {
        if (dst->n_kept < DIAG_MAX_KEPT) dst->msgs[dst->n_kept++] = src->msgs[i];
        else free(src->msgs[i]);
    }
    dst->n_total += src->n_total;   /* src's total counts the messages it did not keep, too */
    dst->n_warnings += src->n_warnings;
    memset(src, 0, sizeof *src);
}

void diag_print(const struct diag *d, FILE *fp)
{
    for (size_t i = 0; i < d->n_kept; i++) fprintf(fp, "%s\n", d->msgs[i]);
    if (d->n_total > d->n_kept)
        fprintf(fp, "... and %zu more errors\n", d->n_total - d->n_kept);
}

void diag_free(struct diag *d)
{
    for (size_t i = 0; i < d->n_kept; i++) free(d->msgs[i]);
    memset(d, 0, sizeof *d);
}
