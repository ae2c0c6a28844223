/* gomsg.c - bounded messages with Go's quoting. */
#include "gomsg.h"

void gomsg_init(struct gomsg *m, char *buf, size_t cap)
{
    m->buf = buf;
    m->cap = buf ? cap : 0;
    m->len = 0;
    if (m->cap > 0) buf[0] = '\0';
}

void gomsg_putc(struct gomsg *m, char c)
{
    if (m->len + 1 < m->cap) {
        m->buf[m->len++] = c;
        m->buf[m->len] = '\0';
    }
}

void gomsg_puts(struct gomsg *m, const char *s)
{
    while (*s) gomsg_putc(m, *s++);
}

/* Working byte by byte gives the same result as Go's rune loop, because Go escapes every byte
 * of a non-ASCII rune, valid or not. */
void gomsg_quote(struct gomsg *m, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    gomsg_putc(m, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < 0x20) {
            gomsg_putc(m, '\\');
            gomsg_putc(m, 'x');
            gomsg_putc(m, hex[c >> 4]);
            gomsg_putc(m, hex[c & 0xf]);
        } else {
            if (c == '"' || c == '\\') gomsg_putc(m, '\\');
            gomsg_putc(m, (char)c);
        }
    }
    gomsg_putc(m, '"');
}
