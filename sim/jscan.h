/* jscan.h - the byte-skipping loops under JSON scanning: most bytes of an export are inside
 * strings (digests, times), and these skip them 16 at a time where SSE2 is there (every
 * x86-64), a byte at a time elsewhere. Each returns the first byte at or after p that stops
 * it, or end. */
#ifndef PURGESIM_JSCAN_H
#define PURGESIM_JSCAN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Inside a string that still has to be checked: '"', '\\', control bytes, non-ASCII. */
static inline const unsigned char *jscan_string_checked(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too */
        __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        int bits = _mm_movemask_epi8(hit);
        if (bits) return p + __builtin_ctz((unsigned)bits);
        p += 16;
    }
#endif
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
    return p;
}

/* Inside a string already checked (or not ours to check): '"' and '\\' only. */
static inline const unsigned char *jscan_string(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int bits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (bits) return p + __builtin_ctz((unsigned)bits);
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\') p++;
    return p;
}

/* Bit i of each mask is set when byte i of the 64 at p is a '"', a '\\', an opening bracket
 * ('{' or '[') or a closing one. */
struct jscan_masks {
    uint64_t quote, bslash, open, close;
};

static inline struct jscan_masks jscan_masks64(const unsigned char *p)
{
    struct jscan_masks m = {0, 0, 0, 0};
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}'), x20 = _mm_set1_epi8(0x20);
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k)), f = _mm_or_si128(v, x20);
        int shift = 16 * k;
        m.quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << shift;
        m.bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bslash)) << shift;
        m.open |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, open)) << shift;
        m.close |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, close)) << shift;
    }
#else
    for (int i = 0; i < 64; i++) {
        uint64_t bit = (uint64_t)1 << i;
        if (p[i] == '"') m.quote |= bit;
        else if (p[i] == '\\') m.bslash |= bit;
        else if ((p[i] | 0x20) == '{') m.open |= bit;
        else if ((p[i] | 0x20) == '}') m.close |= bit;
    }
#endif
    return m;
}

/* Bit i of the result: the parity of the bits 0..i of x (for quotes: inside a string). */
static inline uint64_t jscan_prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* Bits set in x (no popcnt instruction assumed). */
static inline unsigned jscan_popcount(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* UTF-8 continuation bytes (10xxxxxx) among n bytes: blocks of plain ASCII cost a test. */
static inline size_t jscan_count_continuation(const unsigned char *p, size_t n)
{
    size_t count = 0, i = 0;
#ifdef __SSE2__
    const __m128i below_c0 = _mm_set1_epi8((char)0xC0);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        if (!_mm_movemask_epi8(v)) continue;   /* no byte >= 0x80 */
        /* signed: 0x80..0xBF are -128..-65, below 0xC0 (-64) */
        count += jscan_popcount((unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, below_c0)));
    }
#endif
    for (; i < n; i++) count += (p[i] & 0xC0) == 0x80;
    return count;
}

#endif
