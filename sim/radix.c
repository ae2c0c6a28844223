/* radix.c - least-significant-digit radix sorts, a byte (or, for large sorts, 11 bits) per
 * pass; passes in which every key has the same digit (the high bytes of times, of small ids)
 * are skipped. */
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

/* Turns a digit's `buckets` counts into where each bucket starts. Returns false when all n
 * keys share the digit: that pass would change nothing. */
static bool bucket_starts(size_t *count, size_t buckets, size_t n)
{
    size_t pos = 0;
    for (size_t b = 0; b < buckets; b++) {
        if (count[b] == n) return false;
        size_t c = count[b];
        count[b] = pos;
        pos += c;
    }
    return true;
}

/* Large sorts take 11 bits a pass, after taking the smallest key off every key: a year of
 * nanosecond times (55 bits) then needs 5 passes instead of 7, and a digit's 2048 write
 * positions still stay in cache. */
#define WIDE_BITS 11
#define WIDE_MIN ((size_t)1 << 14)

/* The counting sort of radix_sort_i64 with `bits` a constant where it is called, so the
 * per-key digit loops are unrolled. */
static inline __attribute__((always_inline)) void radix_i64_digits(unsigned char *v, size_t n, size_t size,
                                                                   size_t key_offset, const unsigned bits)
{
    const size_t buckets = (size_t)1 << bits, mask = buckets - 1;
    const int digits = (64 + (int)bits - 1) / (int)bits;
    uint64_t lo = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(v + i * size, key_offset);
        if (k < lo) lo = k;
    }
    size_t *count = xcalloc((size_t)digits * buckets, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(v + i * size, key_offset) - lo;
        for (int d = 0; d < digits; d++) count[(size_t)d * buckets + ((k >> (bits * (unsigned)d)) & mask)]++;
    }
    unsigned char *buf = xmalloc(n * size), *src = v, *dst = buf;
    for (int d = 0; d < digits; d++) {
        size_t *c = count + (size_t)d * buckets;
        if (!bucket_starts(c, buckets, n)) continue;
        for (size_t i = 0; i < n; i++) {
            size_t digit = (size_t)((key_of(src + i * size, key_offset) - lo) >> (bits * (unsigned)d)) & mask;
            copy_item(dst + c[digit]++ * size, src + i * size, size);
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * size);
    free(buf);
    free(count);
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
    if (n >= WIDE_MIN) radix_i64_digits(v, n, size, key_offset, WIDE_BITS);
    else radix_i64_digits(v, n, size, key_offset, 8);
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
        if (!bucket_starts(count[d], 256, n)) continue;
        for (size_t i = 0; i < n; i++) dst[count[d][(src[i] >> (8 * d)) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(buf);
}
