/* test_png_stable.c - unit tests for png_stable.h: the time stamp goes, everything else stays,
 * and what is not a PNG is copied whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "png_stable.h"

struct buf {
    unsigned char b[512];
    size_t n;
};

static void put(struct buf *p, const void *s, size_t n)
{
    assert_true(p->n + n <= sizeof p->b);
    memcpy(p->b + p->n, s, n);
    p->n += n;
}

/* One chunk; the CRC bytes are a marker (the filter never checks them). */
static void chunk(struct buf *p, const char *type, const void *data, size_t n)
{
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                            (unsigned char)n};
    put(p, len, 4);
    put(p, type, 4);
    put(p, data, n);
    put(p, "CRC!", 4);
}

static void text(struct buf *p, const char *key, const char *value)
{
    unsigned char d[128];
    size_t k = strlen(key), v = strlen(value);
    memcpy(d, key, k + 1);
    memcpy(d + k + 1, value, v);
    chunk(p, "tEXt", d, k + 1 + v);
}

static void start(struct buf *p)
{
    p->n = 0;
    put(p, "\x89PNG\r\n\x1a\n", 8);
    chunk(p, "IHDR", "0123456789abc", 13);
}

/* What png_write_stable() writes for p. */
static struct buf filtered(const struct buf *p)
{
    struct buf out = {{0}, 0};
    char *mem = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&mem, &len);
    assert_non_null(fp);
    assert_true(png_write_stable(p->b, p->n, fp));
    assert_int_equal(fclose(fp), 0);
    put(&out, mem, len);
    free(mem);
    return out;
}

static void test_creation_time_goes_and_the_rest_stays(void **state)
{
    (void)state;
    struct buf in, want;
    start(&in);
    text(&in, "Title", "PNG plot");
    text(&in, "Creation Time", "7 Dec 2026 14:20:01 +0000");
    text(&in, "Software", "GNU libplot");
    chunk(&in, "IDAT", "pixels", 6);
    text(&in, "Creation Time", "again");
    chunk(&in, "IEND", "", 0);
    start(&want);
    text(&want, "Title", "PNG plot");
    text(&want, "Software", "GNU libplot");
    chunk(&want, "IDAT", "pixels", 6);
    chunk(&want, "IEND", "", 0);
    struct buf got = filtered(&in);
    assert_int_equal(got.n, want.n);
    assert_memory_equal(got.b, want.b, want.n);
}

static void test_other_keywords_and_chunk_types_stay(void **state)
{
    (void)state;
    struct buf in;
    start(&in);
    text(&in, "Creation Times", "not the stamp: another keyword");
    text(&in, "Creation", "Time");
    chunk(&in, "zTXt", "Creation Time\0x", 15);
    chunk(&in, "IEND", "", 0);
    struct buf got = filtered(&in);
    assert_int_equal(got.n, in.n);
    assert_memory_equal(got.b, in.b, in.n);
}

static void test_what_does_not_parse_is_copied_whole(void **state)
{
    (void)state;
    struct buf in;
    start(&in);
    text(&in, "Creation Time", "x");
    in.n -= 2;   /* cut short inside the last chunk's CRC */
    struct buf got = filtered(&in);
    assert_int_equal(got.n, in.n);
    assert_memory_equal(got.b, in.b, in.n);
    struct buf plain = {{0}, 0};
    put(&plain, "<svg>Creation Time</svg>", 24);
    got = filtered(&plain);
    assert_int_equal(got.n, plain.n);
    assert_memory_equal(got.b, plain.b, plain.n);
    struct buf empty = {{0}, 0};
    got = filtered(&empty);
    assert_int_equal(got.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creation_time_goes_and_the_rest_stays),
        cmocka_unit_test(test_other_keywords_and_chunk_types_stay),
        cmocka_unit_test(test_what_does_not_parse_is_copied_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
