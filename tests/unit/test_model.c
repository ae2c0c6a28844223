/* test_model.c - unit tests for model.c's digests: parse and format are inverses, every byte
 * that is not a hex digit is refused at every position, upper case reads as lower. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "prng.h"

/* The digit's value the slow way, or -1: the reference the parser is held to. */
static int hex_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void random_digest_text(struct rng *g, char text[72], struct digest *expect)
{
    static const char digits[] = "0123456789abcdefABCDEF";
    memcpy(text, "sha256:", 7);
    for (int i = 0; i < 64; i++) text[7 + i] = digits[rng_next(g) % 22];
    text[71] = '\0';
    for (int i = 0; i < 32; i++)
        expect->b[i] = (uint8_t)(hex_value(text[7 + 2 * i]) << 4 | hex_value(text[8 + 2 * i]));
}

static void test_parse_matches_reference_and_format_inverts(void **state)
{
    (void)state;
    struct rng g;
    rng_seed(&g, 7);
    for (int round = 0; round < 2000; round++) {
        char text[72], back[72];
        struct digest want, got;
        random_digest_text(&g, text, &want);
        assert_true(digest_parse(text, 71, &got));
        assert_memory_equal(got.b, want.b, 32);
        digest_format(&got, back, sizeof back);
        for (int i = 7; i < 71; i++) assert_int_equal(back[i], "0123456789abcdef"[hex_value(text[i])]);
    }
}

static void test_every_non_hex_byte_refused_at_every_position(void **state)
{
    (void)state;
    char good[72];
    struct digest want, got;
    struct rng g;
    rng_seed(&g, 11);
    random_digest_text(&g, good, &want);
    for (int pos = 7; pos < 71; pos++) {
        for (int c = 0; c < 256; c++) {
            char text[72];
            memcpy(text, good, sizeof text);
            text[pos] = (char)c;
            bool ok = digest_parse(text, 71, &got);
            assert_int_equal(ok, hex_value(c) >= 0);
        }
    }
}

static void test_prefix_and_length(void **state)
{
    (void)state;
    char text[80];
    struct digest d;
    snprintf(text, sizeof text, "sha256:%064d", 0);
    assert_true(digest_parse(text, 71, &d));
    assert_false(digest_parse(text, 70, &d));
    text[5] = '5';   /* sha255: */
    assert_false(digest_parse(text, 71, &d));
    snprintf(text, sizeof text, "sha512:%064d", 0);
    assert_false(digest_parse(text, 71, &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_matches_reference_and_format_inverts),
        cmocka_unit_test(test_every_non_hex_byte_refused_at_every_position),
        cmocka_unit_test(test_prefix_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
