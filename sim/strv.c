/* strv.c - growable lists of formatted strings. */
#include "strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

void strv_addf(char ***v, size_t *n, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    size_t len = strlen(buf) + 1;
    (*v)[*n] = xmalloc(len);
    memcpy((*v)[*n], buf, len);
    ++*n;
}

void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}
