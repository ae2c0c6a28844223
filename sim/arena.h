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

/* malloc family that prints "purgesim: out of memory" and aborts instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (holding *cap elements of size `size`) so it can hold at least `need`. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);

#endif
