/* png_stable.c - see png_stable.h. A PNG is an 8-byte signature, then chunks: a 4-byte
 * big-endian data length, a 4-byte type, the data, a 4-byte CRC. */
#include "png_stable.h"

#include <stdint.h>
#include <string.h>

static const unsigned char SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const char STAMP[] = "Creation Time";   /* the keyword, then a NUL, then the text */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether the chunk at p (length len of data) is the time stamp. */
static bool is_stamp(const unsigned char *p, uint32_t len)
{
    return !memcmp(p + 4, "tEXt", 4) && len >= sizeof STAMP && !memcmp(p + 8, STAMP, sizeof STAMP);
}

/* Whether buf holds a signature and whole chunks, to its end. */
static bool parses(const unsigned char *buf, size_t n)
{
    if (n < sizeof SIGNATURE || memcmp(buf, SIGNATURE, sizeof SIGNATURE)) return false;
    for (size_t at = sizeof SIGNATURE; at < n;) {
        if (n - at < 12 || be32(buf + at) > n - at - 12) return false;
        at += 12 + (size_t)be32(buf + at);
    }
    return true;
}

bool png_write_stable(const unsigned char *buf, size_t n, FILE *to)
{
    if (!parses(buf, n)) return fwrite(buf, 1, n, to) == n;
    size_t at = sizeof SIGNATURE, from = 0;   /* buf[from .. at) is kept, not yet written */
    while (at < n) {
        uint32_t len = be32(buf + at);
        size_t next = at + 12 + (size_t)len;
        if (is_stamp(buf + at, len)) {
            if (fwrite(buf + from, 1, at - from, to) != at - from) return false;
            from = next;
        }
        at = next;
    }
    return fwrite(buf + from, 1, n - from, to) == n - from;
}
