/* strv.h - a growable list of formatted strings (warnings). Ownership: the list owns its
 * strings; strv_free() frees them and the array. */
#ifndef PURGESIM_STRV_H
#define PURGESIM_STRV_H

#include <stddef.h>

/* Appends a formatted string (at most 1023 bytes) to *v, which holds *n strings. */
void strv_addf(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void strv_free(char **v, size_t n);

#endif
