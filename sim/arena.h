/* arena.h - bump allocator for data that lives as long as its owner (the model, one report).
 * Ownership: everything allocated from an arena is freed at once by arena_free_all(). */
#ifndef PURGESIM_ARENA_H
#define PURGESIM_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t total_bytes;          /* bytes handed out, for memory figures */
};

/* Aligned to max_align_t; never NULL (aborts on out of memory). n may be 0. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes of s and a NUL; never NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free_all(struct arena *a);
/* Moves everything src holds into dst (freed with dst from then on); src ends empty. */
void arena_adopt(struct arena *dst, struct arena *src);

/* malloc family that prints "purgesim: out of memory" and aborts instead of returning NULL.
 * Blocks of 4 MiB and more are advised to the kernel as huge-page memory (arena.c says why). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* xcalloc for the large per-manifest and per-blob arrays that are read at random (the
 * replay's state, the blob counters): aligned to 2 MiB and advised to the kernel as huge-page
 * memory, so random reads over hundreds of MB miss the TLB far less often. Freed with free().
 * Small requests are plain xcalloc. */
void *xcalloc_big(size_t count, size_t size);
/* The same, not zeroed. */
void *xmalloc_big(size_t n);
/* Grows *p (holding *cap elements of size `size`) so it can hold at least `need`; from 4 MiB
 * on, into a new advised block rather than by realloc. Inline:
 * the replay appends to its lists on every event, and nearly always there is room. */
void xgrow_slow(void **p, size_t *cap, size_t need, size_t size);
static inline void xgrow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need > *cap) xgrow_slow(p, cap, need, size);
}

#endif
