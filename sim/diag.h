/* diag.h - collects bad-input messages ("file:line:col: path: text") and prints them.
 * Ownership: a struct diag is caller-owned; diag_free() releases its messages. */
#ifndef PURGESIM_DIAG_H
#define PURGESIM_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum ps_err { PS_OK = 0, ERR_INPUT, ERR_IO, ERR_LIMIT, ERR_USAGE };

#define DIAG_MAX_KEPT 20

struct diag {
    char *msgs[DIAG_MAX_KEPT];
    size_t n_kept, n_total;
    size_t n_warnings;
};

/* Records one error. `line` 0 means no line/column; `path` may be NULL. */
void diag_error(struct diag *d, const char *file, size_t line, size_t col, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Records a plain message (already formatted as the user should see it). */
void diag_msg(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Moves src's messages after dst's (as if they had been recorded into dst) and empties src. */
void diag_merge(struct diag *dst, struct diag *src);
/* Prints the kept messages and "... and N more" to fp, each through diag_put_line. */
void diag_print(const struct diag *d, FILE *fp);
/* Writes msg and a newline to fp with every byte that is not printable text (a control byte
 * other than a newline or tab, a C1 control, invalid UTF-8) as \xNN: a message may carry
 * bytes of a binary input, and those must not reach the terminal raw. */
void diag_put_line(const char *msg, FILE *fp);
/* Writes s[0..n) into buf (cap bytes, at least 16) as a double-quoted string for a message:
 * '"' and '\\' backslash-escaped, anything but printable UTF-8 as \xNN, and only the first
 * `max` bytes (whole characters) shown, then "...". Returns buf. */
char *diag_quote(char *buf, size_t cap, const char *s, size_t n, size_t max);
void diag_free(struct diag *d);

#endif
