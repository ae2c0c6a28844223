/* diag.c - bad-input message collection. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "utf8.h"

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

/* Length of the printable character at s (n bytes available, n >= 1): 1 for printable ASCII,
 * 2 to 4 for a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF) other than a C1 control (U+0080-U+009F, which terminals obey) or a line separator
 * or bidirectional override (U+2028-U+202E, U+2066-U+2069: they break or reorder the line as
 * shown); 0 for anything else. */
static size_t printable_len(const unsigned char *s, size_t n)
{
    if (s[0] >= 0x20 && s[0] < 0x7F) return 1;
    size_t len = utf8_sequence(s, n);
    if (s[0] == 0xC2 && len && s[1] < 0xA0) return 0;   /* U+0080-U+009F */
    if (s[0] == 0xE2 && len &&
        ((s[1] == 0x80 && s[2] >= 0xA8 && s[2] <= 0xAE) || (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)))
        return 0;
    return len;
}

void diag_put_line(const char *msg, FILE *fp)
{
    const unsigned char *s = (const unsigned char *)msg;
    size_t n = strlen(msg);
    for (size_t i = 0; i < n;) {
        size_t k = printable_len(s + i, n - i);
        if (k) {
            fwrite(s + i, 1, k, fp);
            i += k;
        } else if (s[i] == '\n' || s[i] == '\t') {   /* a message's own list lines */
            fputc(s[i++], fp);
        } else {
            fprintf(fp, "\\x%02x", s[i++]);
        }
    }
    fputc('\n', fp);
}

char *diag_quote(char *buf, size_t cap, const char *s, size_t n, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0, i = 0, shown = n < max ? n : max;
    buf[k++] = '"';
    /* room for the widest piece (\xNN, or a 4-byte character), then "...", '"' and the NUL */
    while (i < shown && k + 4 + 5 <= cap) {
        size_t c = printable_len(u + i, n - i);
        if (c > 1 && i + c > shown) break;   /* a character the limit would cut */
        if (c == 1 && (s[i] == '"' || s[i] == '\\')) {
            buf[k++] = '\\';
            buf[k++] = s[i++];
        } else if (c) {
            memcpy(buf + k, s + i, c);
            k += c;
            i += c;
        } else {
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", u[i++]);
        }
    }
    if (i < n) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

void diag_print(const struct diag *d, FILE *fp)
{
    for (size_t i = 0; i < d->n_kept; i++) diag_put_line(d->msgs[i], fp);
    if (d->n_total > d->n_kept)
        fprintf(fp, "... and %zu more errors\n", d->n_total - d->n_kept);
}

void diag_free(struct diag *d)
{
    for (size_t i = 0; i < d->n_kept; i++) free(d->msgs[i]);
    memset(d, 0, sizeof *d);
}
