/* arena.c - bump allocator and the aborting malloc wrappers. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_CHUNK_MIN ((size_t)1 << 20)

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

static void out_of_memory(void)
{
    fputs("purgesim: out of memory\n", stderr);
    abort();
}

#define HUGE_PAGE ((size_t)2 << 20)

/* Advises the kernel that the whole huge pages inside a large block may be backed by huge
 * pages. The first write to a page costs a fault, and a fault costs about 12 us on the
 * machines this was measured on (a virtual machine): for the hundreds of MB a million
 * manifests take, that was a second or more of system time. One fault per 2 MiB instead of
 * 512. Advice only: where the kernel gives no huge pages, nothing changes. */
static void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (n < 2 * HUGE_PAGE) return;   /* too small to be sure of a whole aligned huge page */
    uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t to = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (to > from) (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory();
    advise_huge(p, n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory();
    advise_huge(p, count * size);   /* calloc checked the product */
    return p;
}

void *xmalloc_big(size_t n)
{
    if (n < HUGE_PAGE) return xmalloc(n);
    size_t rounded = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0) out_of_memory();
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE);   /* advice only: without it, ordinary pages */
#endif
    return p;
}

void *xcalloc_big(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) out_of_memory();
    size_t n = count * size;
    if (n < HUGE_PAGE) return xcalloc(count, size);
    void *p = xmalloc_big(n);
    memset(p, 0, n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory();
    advise_huge(q, n);
    return q;
}

void xgrow_slow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) out_of_memory();
        ncap *= 2;
    }
    size_t bytes;
    if (__builtin_mul_overflow(ncap, size, &bytes)) out_of_memory();
    if (*p && bytes >= 2 * HUGE_PAGE) {
        /* realloc would copy into new small pages (a fault each) before any advice could
         * reach them: a new advised block, then the copy */
        void *q = xmalloc(bytes);
        memcpy(q, *p, *cap * size);
        free(*p);
        *p = q;
    } else {
        *p = xrealloc(*p, bytes);
    }
    *cap = ncap;
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    size_t need = (n + align - 1) & ~(align - 1);
    if (need < n) out_of_memory();
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;
        /* a block as large as a huge page (the model cache's image) gets huge pages: the
           replay reads the manifests in it at random */
        c = sizeof *c + cap >= HUGE_PAGE ? xmalloc_big(sizeof *c + cap) : xmalloc(sizeof *c + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total_bytes += need;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_free_all(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total_bytes = 0;
}

void arena_adopt(struct arena *dst, struct arena *src)
{
    if (!src->head) return;
    struct arena_chunk *last = src->head;
    while (last->next) last = last->next;
    /* behind dst's current chunk, so dst keeps filling the chunk it was filling */
    if (dst->head) {
        last->next = dst->head->next;
        dst->head->next = src->head;
    } else {
        dst->head = src->head;
    }
    dst->total_bytes += src->total_bytes;
    src->head = NULL;
    src->total_bytes = 0;
}
