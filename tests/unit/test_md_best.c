/* test_md_best.c - unit tests for md_best.c: which policies a Markdown headline names as saving
 * the most (ties at two decimals, the policy compared with left out, those breaking nothing
 * first) and how it names them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "markdown_internal.h"

/* What f(fp) writes, in buf. */
#define CAPTURE(buf, call)                                                                                             \
    do {                                                                                                               \
        FILE *fp = fmemopen(buf, sizeof buf, "w");                                                                     \
        assert_non_null(fp);                                                                                           \
        call;                                                                                                          \
        fclose(fp);                                                                                                    \
    } while (0)

static void test_one_winner(void **state)
{
    (void)state;
    double saving[] = {0, 0.37, 0.30, 0.12}, end[] = {13, 7.7, 7.8, 9.8};
    struct md_best b;
    md_best_find(4, 0, saving, end, NULL, &b);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.pol[0], 1);
    assert_int_equal(b.n_safe, 0);
    md_best_free(&b);
}

static void test_tie_at_two_decimals(void **state)
{
    (void)state;
    /* 0.184071 and 0.1801 both print 0.18: a tie; 0.176 prints 0.18 too; 0.174 does not */
    double saving[] = {0, 0.1801, 0.184071, 0.176, 0.174}, end[] = {13, 7.83, 7.69, 9.81, 5};
    struct md_best b;
    md_best_find(5, 0, saving, end, NULL, &b);
    assert_int_equal(b.n, 3);
    /* the least stored at the end first */
    assert_int_equal(b.pol[0], 2);
    assert_int_equal(b.pol[1], 1);
    assert_int_equal(b.pol[2], 3);
    assert_true(b.saving == 0.184071);
    md_best_free(&b);
}

static void test_safe_first(void **state)
{
    (void)state;
    double saving[] = {0, 0.19, 0.19, 0.19}, end[] = {13, 7.69, 7.83, 6.15};
    bool safe[] = {true, false, true, true};
    struct md_best b;
    md_best_find(4, 0, saving, end, safe, &b);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.n_safe, 2);
    assert_int_equal(b.pol[0], 3);   /* safe, 6.15 */
    assert_int_equal(b.pol[1], 2);   /* safe, 7.83 */
    assert_int_equal(b.pol[2], 1);   /* breaks something, though it stores less than policy 2 */
    md_best_free(&b);
}

static void test_nothing_saved(void **state)
{
    (void)state;
    /* below half a cent, or only the policy compared with: no headline names a winner */
    double saving[] = {0, 0.004, -1}, end[] = {1, 1, 1};
    struct md_best b;
    md_best_find(3, 0, saving, end, NULL, &b);
    assert_int_equal(b.n, 0);
    md_best_free(&b);
    md_best_find(1, 0, saving, end, NULL, &b);
    assert_int_equal(b.n, 0);
    md_best_free(&b);
}

static void test_skip_the_reference(void **state)
{
    (void)state;
    /* against `current` (policy 1): the baseline may be the one that saves (soft delete billed) */
    double saving[] = {0.02, 0, -0.5}, end[] = {13, 12, 7};
    struct md_best b;
    md_best_find(3, 1, saving, end, NULL, &b);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.pol[0], 0);
    md_best_free(&b);
}

static void test_names_and_range(void **state)
{
    (void)state;
    struct policy p[6] = {{.name = "baseline"}, {.name = "a"}, {.name = "b"}, {.name = "c"}, {.name = "d"},
                          {.name = "e"}};
    struct replay_policy rp[6];
    memset(rp, 0, sizeof rp);
    for (size_t i = 0; i < 6; i++) rp[i].p = &p[i];
    struct replay_result rr;
    memset(&rr, 0, sizeof rr);
    rr.pol = rp;
    rr.n_pol = 6;
    size_t pol[] = {1, 2, 3, 4, 5};
    char buf[256];
    CAPTURE(buf, md_policy_list(fp, &rr, pol, 1));
    assert_string_equal(buf, "**a**");
    CAPTURE(buf, md_policy_list(fp, &rr, pol, 2));
    assert_string_equal(buf, "**a** and **b**");
    CAPTURE(buf, md_policy_list(fp, &rr, pol, 3));
    assert_string_equal(buf, "**a**, **b** and **c**");
    CAPTURE(buf, md_policy_list(fp, &rr, pol, 5));
    assert_string_equal(buf, "**a**, **b**, **c**, **d** and 1 more");

    double saving[] = {0, 0.19, 0.19, 0.19, 0, 0}, end[] = {13, 6.148, 7.83, 6.151, 1, 1};
    struct md_best b;
    md_best_find(6, 0, saving, end, NULL, &b);
    CAPTURE(buf, md_best_range(fp, &b, end, "GiB"));
    assert_string_equal(buf, "**6.15 to 7.83 GiB**");
    double same[] = {0, 0.001, 0.002, 0.004, 9, 9};
    CAPTURE(buf, md_best_range(fp, &b, same, "AUD"));
    assert_string_equal(buf, "**0.00 AUD**");
    md_best_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_winner),
        cmocka_unit_test(test_tie_at_two_decimals),
        cmocka_unit_test(test_safe_first),
        cmocka_unit_test(test_nothing_saved),
        cmocka_unit_test(test_skip_the_reference),
        cmocka_unit_test(test_names_and_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
