/* gomsg.h - bounded message building with Go's time.quote, for error texts that must read as
 * acr-cli's (Go's) do. A message never overflows its buffer: it is cut instead. */
#ifndef PURGESIM_GOMSG_H
#define PURGESIM_GOMSG_H

#include <stddef.h>

struct gomsg {
    char *buf;
    size_t cap;
    size_t len;
};

/* Starts an empty message in buf[cap] (buf may be NULL: everything is dropped). */
void gomsg_init(struct gomsg *m, char *buf, size_t cap);
void gomsg_putc(struct gomsg *m, char c);
void gomsg_puts(struct gomsg *m, const char *s);
/* Go's time.quote (not strconv.Quote): every byte >= 0x80 or < 0x20 becomes \xNN, and only
 * '"' and '\\' are backslash-escaped. */
void gomsg_quote(struct gomsg *m, const char *s, size_t n);

#endif
