/* radix.c - least-significant-digit radix sorts, a byte per pass; passes in which every key
 * has the same byte (the high bytes of times, of small ids) are skipped. */
#include "radix.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* below this, insertion sort is faster than counting */
#define RADIX_SMALL 48

static inline uint64_t key_of(const unsigned char *item, size_t key_offset)
{
    int64_t k;
    memcpy(&k, item + key_offset, sizeof k);
    return (uint64_t)k ^ ((uint64_t)1 << 63);   /* signed order as unsigned order */
}

/* Copies one item; the common sizes as constants, so the copy is a move or two. */
static inline void copy_item(unsigned char *dst, const unsigned char *src, size_t size)
{
    if (size == 16) memcpy(dst, src, 16);
    else if (size == 8) memcpy(dst, src, 8);
    else memcpy(dst, src, size);
}

/* Turns a digit's 256 counts into where each bucket starts. Returns false when all n keys
 * share the digit: that pass would change nothing. */
static bool bucket_starts(size_t *count, size_t n)
{
    size_t pos = 0;
    for (int b = 0; b < 256; b++) {
        if (count[b] == n) return false;
        size_t c = count[b];
        count[b] = pos;
        pos += c;
    }
    return true;
}

void radix_sort_i64(void *items, size_t n, size_t size, size_t key_offset)
{
    unsigned char *v = items;
    if (n < RADIX_SMALL) {
        unsigned char tmp[64];
        if (size > sizeof tmp) abort();   /* callers sort small records */
        for (size_t i = 1; i < n; i++) {
            uint64_t k = key_of(v + i * size, key_offset);
            size_t j = i;
            if (key_of(v + (j - 1) * size, key_offset) <= k) continue;
            memcpy(tmp, v + i * size, size);
            while (j > 0 && key_of(v + (j - 1) * size, key_offset) > k) {
                memcpy(v + j * size, v + (j - 1) * size, size);
                j--;
            }
            memcpy(v + j * size, tmp, size);
        }
        return;
    }
    size_t(*count)[256] = xcalloc(8, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(v + i * size, key_offset);
        for (int d = 0; d < 8; d++) count[d][(k >> (8 * d)) & 0xFF]++;
    }
    unsigned char *buf = xmalloc(n * size), *src = v, *dst = buf;
    for (int d = 0; d < 8; d++) {
        if (!bucket_starts(count[d], n)) continue;
        for (size_t i = 0; i < n; i++) {
            unsigned byte = (unsigned)(key_of(src + i * size, key_offset) >> (8 * d)) & 0xFF;
            copy_item(dst + count[d][byte]++ * size, src + i * size, size);
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * size);
    free(buf);
    free(count);
}

void radix_sort_u32(uint32_t *v, size_t n)
{
    if (n < RADIX_SMALL) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    size_t count[4][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 4; d++) count[d][(v[i] >> (8 * d)) & 0xFF]++;
    uint32_t *buf = xmalloc(n * sizeof *buf), *src = v, *dst = buf;
    for (int d = 0; d < 4; d++) {
        if (!bucket_starts(count[d], n)) continue;
        for (size_t i = 0; i < n; i++) dst[count[d][(src[i] >> (8 * d)) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(buf);
}
