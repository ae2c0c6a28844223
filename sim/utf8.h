/* utf8.h - the length of one valid UTF-8 sequence, for the JSON check (every string of an
 * export) and for messages that quote input: inline, as the check's inner loop calls it. */
#ifndef PURGESIM_UTF8_H
#define PURGESIM_UTF8_H

#include <stddef.h>

/* Length of the valid multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF) at s (n bytes available), or 0; 0 for ASCII too. */
static inline size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) need = 2;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else return 0;
    if (need >= n) return 0;
    for (size_t k = 1; k <= need; k++) {
        if (s[k] < lo || s[k] > hi) return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

#endif
