/* radix.h - stable O(n) sorts for the large arrays of numbers the replay sorts (times, ids),
 * where qsort's comparison callbacks cost more than the work.
 * Ownership: they sort in place and free their scratch before returning. */
#ifndef PURGESIM_RADIX_H
#define PURGESIM_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sorts n items of `size` bytes each by the int64_t at byte `key_offset` in them, ascending;
 * items with equal keys keep their order. */
void radix_sort_i64(void *items, size_t n, size_t size, size_t key_offset);
/* Sorts n uint32_t ascending. */
void radix_sort_u32(uint32_t *v, size_t n);

#endif
