/* test_radix.c - unit tests for radix.h: the same order as qsort, stability, edge values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prng.h"
#include "radix.h"

struct item {
    int64_t key;
    uint32_t seq;              /* input position, to check stability */
};

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;   /* stable: input order among equals */
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Keys drawn from a few shapes: few distinct values (many ties), times around now, the whole
 * signed range with its extremes, small negatives, clustered times; in the test, shape 5 is
 * sorted but for its tail and shape 6 sorted (with ties). */
static int64_t draw_key(struct rng *g, int shape)
{
    uint64_t x = rng_next(g);
    switch (shape) {
    case 0: return (int64_t)(x % 5) - 2;
    case 1: return INT64_C(1790000000000000000) + (int64_t)(x % 1000000000000ull);
    case 2: return x % 7 == 0 ? INT64_MIN : x % 7 == 1 ? INT64_MAX : (int64_t)x;
    case 3: return -(int64_t)(x % 100000);
    case 4:   /* a year of nanosecond times, nine in ten within one minute: one bucket far larger than the rest */
        return INT64_C(1790000000000000000) +
               (int64_t)(x % 10 ? x % 60000000000ull : x % 31536000000000000ull);
    default:  /* already in order but for the last few */
        return 0;
    }
}

static void test_i64_matches_qsort_and_is_stable(void **state)
{
    (void)state;
    struct rng g;
    rng_seed(&g, 7);
    const size_t sizes[] = {0, 1, 2, 47, 48, 49, 1000, 16383, 16384, 70000, 300000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int shape = 0; shape < 7; shape++) {
            size_t n = sizes[si];
            struct item *a = calloc(n + 1, sizeof *a), *b = calloc(n + 1, sizeof *b);
            assert_non_null(a);
            assert_non_null(b);
            for (size_t i = 0; i < n; i++)
                a[i] = b[i] = (struct item){shape == 5   ? (int64_t)(i < n - n / 50 ? i / 3 : rng_next(&g) % (n + 1))
                                            : shape == 6 ? (int64_t)(i / 3)
                                                         : draw_key(&g, shape),
                                            (uint32_t)i};
            radix_sort_i64(a, n, sizeof *a, offsetof(struct item, key));
            qsort(b, n, sizeof *b, item_cmp);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(a[i].key, b[i].key);
                assert_int_equal(a[i].seq, b[i].seq);
            }
            free(a);
            free(b);
        }
    }
}

static void test_plain_i64_array(void **state)
{
    (void)state;
    int64_t v[100];
    for (int i = 0; i < 100; i++) v[i] = (int64_t)((i * 7919) % 100) - 50;
    radix_sort_i64(v, 100, sizeof v[0], 0);
    for (int i = 0; i < 100; i++) assert_int_equal(v[i], i - 50);
}

static void test_u32_matches_qsort(void **state)
{
    (void)state;
    struct rng g;
    rng_seed(&g, 11);
    const size_t sizes[] = {0, 1, 5, 47, 48, 300, 100000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int shape = 0; shape < 3; shape++) {
            size_t n = sizes[si];
            uint32_t *a = calloc(n + 1, sizeof *a), *b = calloc(n + 1, sizeof *b);
            assert_non_null(a);
            assert_non_null(b);
            for (size_t i = 0; i < n; i++) {
                uint64_t x = rng_next(&g);
                a[i] = b[i] = shape == 0 ? (uint32_t)(x % 9) : shape == 1 ? (uint32_t)(x % 5000) : (uint32_t)x;
            }
            radix_sort_u32(a, n);
            qsort(b, n, sizeof *b, u32_cmp);
            if (n) assert_memory_equal(a, b, n * sizeof *a);
            free(a);
            free(b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i64_matches_qsort_and_is_stable),
        cmocka_unit_test(test_plain_i64_array),
        cmocka_unit_test(test_u32_matches_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
