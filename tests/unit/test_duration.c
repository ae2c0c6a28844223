/* test_duration.c - unit tests for duration.h: --ago (current, v0.16), Go's ParseDuration, days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

#define SEC  INT64_C(1000000000)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

/* Current acr-cli: expects success and returns the result. */
static struct duration_result ago_ok(const char *text)
{
    struct duration_result r;

    memset(&r, 0x5a, sizeof r);
    if (duration_parse_ago(text, &r) != DURATION_OK)
        fail_msg("--ago \"%s\" failed: %s", text, r.err);
    return r;
}

/* Current acr-cli: expects DURATION_ERROR and returns the result. */
static struct duration_result ago_err(const char *text)
{
    struct duration_result r;

    memset(&r, 0x5a, sizeof r);
    if (duration_parse_ago(text, &r) != DURATION_ERROR)
        fail_msg("--ago \"%s\" unexpectedly parsed as %lld ns", text, (long long)r.ns);
    return r;
}

static struct duration_result v016_ok(const char *text)
{
    struct duration_result r;

    memset(&r, 0x5a, sizeof r);
    if (duration_parse_ago_v016(text, &r) != DURATION_OK)
        fail_msg("v0.16 --ago \"%s\" failed: %s", text, r.err);
    assert_false(r.capped);
    return r;
}

static struct duration_result v016_err(const char *text)
{
    struct duration_result r;

    memset(&r, 0x5a, sizeof r);
    if (duration_parse_ago_v016(text, &r) != DURATION_ERROR)
        fail_msg("v0.16 --ago \"%s\" unexpectedly parsed as %lld ns", text, (long long)r.ns);
    assert_false(r.capped);
    return r;
}

/* Go's ParseDuration: expects success. */
static int64_t go_ok(const char *s)
{
    char err[256] = "";
    int64_t ns = 0;

    if (!duration_parse_go(s, &ns, err, sizeof err))
        fail_msg("ParseDuration(\"%s\") failed: %s", s, err);
    return ns;
}

/* Go's ParseDuration: expects failure and returns the message (valid until the next call). */
static const char *go_err(const char *s)
{
    static char err[256];
    int64_t ns = 42;

    memset(err, 0, sizeof err);
    assert_false(duration_parse_go(s, &ns, err, sizeof err));
    assert_int_equal(ns, 42); /* untouched on failure */
    return err;
}

/* ---- §2 forms ---- */

static void test_ago_30m_is_thirty_minutes(void **state)
{
    struct duration_result r = ago_ok("30m");

    (void)state;
    assert_int_equal(r.ns, 30 * MIN);
    assert_false(r.capped);
    assert_string_equal(r.err, "");
}

static void test_ago_1h30m_is_ninety_minutes(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("1h30m").ns, 90 * MIN);
}

static void test_ago_2d3h6m_adds_days_and_duration(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("2d3h6m").ns, 2 * DAY + 3 * HOUR + 6 * MIN);
}

static void test_ago_plain_days(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("7d").ns, 7 * DAY);
    assert_int_equal(ago_ok("0d").ns, 0);
}

static void test_ago_leading_spaces_and_plus_sign_before_days(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("  +2d").ns, 2 * DAY);
}

static void test_ago_d5h_has_zero_days_and_no_duration(void **state)
{
    struct duration_result r = ago_ok("d5h");

    (void)state;
    assert_int_equal(r.ns, 0);
    assert_false(r.capped);
}

static void test_ago_int64_overflowing_days_count_as_zero(void **state)
{
    struct duration_result r = ago_ok("99999999999999999999d");

    (void)state;
    assert_int_equal(r.ns, 0);
    assert_false(r.capped);
}

static void test_ago_overflowing_days_drop_the_duration_too(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("99999999999999999999d5h").ns, 0);
}

static void test_ago_1_5d_is_one_day(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("1.5d").ns, DAY);
}

static void test_ago_1h2d_is_one_day(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("1h2d").ns, DAY);
}

static void test_ago_minus_1d_is_negative_one_day(void **state)
{
    struct duration_result r = ago_ok("-1d");

    (void)state;
    assert_int_equal(r.ns, -DAY);
    assert_false(r.capped);
}

static void test_ago_space_before_d_keeps_days_only(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("5 d3h").ns, 5 * DAY);
}

static void test_ago_duration_word_may_follow_spaces_after_d(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("5d   3h").ns, 5 * DAY + 3 * HOUR);
}

static void test_ago_duration_word_may_follow_unicode_space_after_d(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("5d\xc2\xa0" "3h").ns, 5 * DAY + 3 * HOUR); /* NO-BREAK SPACE */
}

static void test_ago_duration_is_only_the_next_word(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("1d2h 99h").ns, DAY + 2 * HOUR);
}

static void test_ago_newline_after_d_drops_the_duration(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("5d\n3h").ns, 5 * DAY);
}

static void test_ago_negative_duration_after_days(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("1d-1h").ns, 23 * HOUR);
}

static void test_ago_without_d_uses_first_word(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("  30m  12h").ns, 30 * MIN);
}

static void test_ago_zero_without_unit_is_zero(void **state)
{
    (void)state;
    assert_int_equal(ago_ok("0").ns, 0);
}

/* ---- §2 errors ---- */

static void test_ago_blank_text_is_unexpected_eof(void **state)
{
    struct duration_result r = ago_err("   ");

    (void)state;
    assert_string_equal(r.err, "unexpected EOF");
    assert_false(r.capped);
}

static void test_ago_empty_text_is_unexpected_eof(void **state)
{
    (void)state;
    assert_string_equal(ago_err("").err, "unexpected EOF");
}

static void test_ago_newline_before_word_is_unexpected_newline(void **state)
{
    (void)state;
    assert_string_equal(ago_err(" \n5h").err, "unexpected newline");
}

static void test_ago_5_is_missing_unit(void **state)
{
    struct duration_result r = ago_err("5");

    (void)state;
    assert_string_equal(r.err, "time: missing unit in duration \"5\"");
    assert_false(r.capped);
}

static void test_ago_5x_is_unknown_unit(void **state)
{
    struct duration_result r = ago_err("5x");

    (void)state;
    assert_string_equal(r.err, "time: unknown unit \"x\" in duration \"5x\"");
    assert_false(r.capped);
}

static void test_ago_missing_unit_after_days(void **state)
{
    (void)state;
    assert_string_equal(ago_err("1d5").err, "time: missing unit in duration \"5\"");
}

/* ---- §2 capping ---- */

static void test_ago_150_years_of_days_exactly_is_not_capped(void **state)
{
    struct duration_result r = ago_ok("54750d");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_false(r.capped);
}

static void test_ago_one_day_over_150_years_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("54751d");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_60000d_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("60000d");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_2000000h_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("2000000h");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_go_overflow_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("3000000h");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_abc_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("abc");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_1day_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("1day");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_invalid_word_after_days_is_capped_with_warning(void **state)
{
    struct duration_result r = ago_ok("1dx");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_unit_named_overflow_is_capped_with_warning(void **state)
{
    /* acr-cli looks for "overflow" anywhere in Go's message, quoted input included. */
    struct duration_result r = ago_ok("1overflow");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_54000d20000h_is_capped_silently(void **state)
{
    struct duration_result r = ago_ok("54000d20000h");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_false(r.capped);
}

static void test_ago_capped_days_plus_duration_stays_capped(void **state)
{
    struct duration_result r = ago_ok("60000d1h");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_capped_days_plus_invalid_duration_is_the_cap(void **state)
{
    struct duration_result r = ago_ok("60000dabc");

    (void)state;
    assert_int_equal(r.ns, DURATION_CAP_NS);
    assert_true(r.capped);
}

static void test_ago_60000d5_warns_then_fails_with_missing_unit(void **state)
{
    struct duration_result r = ago_err("60000d5");

    (void)state;
    assert_true(r.capped);
    assert_string_equal(r.err, "time: missing unit in duration \"5\"");
}

static void test_ago_60000d5x_warns_then_fails_with_unknown_unit(void **state)
{
    struct duration_result r = ago_err("60000d5x");

    (void)state;
    assert_true(r.capped);
    assert_string_equal(r.err, "time: unknown unit \"x\" in duration \"5x\"");
}

static void test_ago_two_caps_wrap_negative_like_go(void **state)
{
    /* 54750 days plus a duration capped to 150 years overflows int64 in acr-cli; Go wraps. */
    struct duration_result r = ago_ok("54750d1314001h");

    (void)state;
    assert_int_equal(r.ns, INT64_C(-8985944073709551616));
    assert_true(r.capped);
}

static void test_ago_huge_negative_days_wrap_like_go(void **state)
{
    struct duration_result r = ago_ok("-99999999999999d");

    (void)state;
    assert_int_equal(r.ns, INT64_C(8970038625681997824));
    assert_false(r.capped);
}

/* ---- v0.16 ---- */

static void test_v016_60000d_is_not_capped(void **state)
{
    (void)state;
    assert_int_equal(v016_ok("60000d").ns, 60000 * DAY);
}

static void test_v016_2000000h_is_not_capped(void **state)
{
    (void)state;
    assert_int_equal(v016_ok("2000000h").ns, 2000000 * HOUR);
}

static void test_v016_days_beyond_int64_wrap_like_go(void **state)
{
    (void)state;
    assert_int_equal(v016_ok("110000d").ns, INT64_C(-8942744073709551616));
}

static void test_v016_scan_rules_match_current(void **state)
{
    (void)state;
    assert_int_equal(v016_ok("2d3h6m").ns, 2 * DAY + 3 * HOUR + 6 * MIN);
    assert_int_equal(v016_ok("1.5d").ns, DAY);
    assert_int_equal(v016_ok("1h2d").ns, DAY);
    assert_int_equal(v016_ok("d5h").ns, 0);
    assert_int_equal(v016_ok("99999999999999999999d").ns, 0);
    assert_int_equal(v016_ok("-1d").ns, -DAY);
}

/* acr-cli issue 560: "999999d" wraps to about -184.9 years in 0.17 and before (the cutoff
 * lands in the future); the flag says so. Values that fit do not set it. */
static void test_v016_999999d_wraps_and_says_so(void **state)
{
    (void)state;
    struct duration_result r = v016_ok("999999d");
    assert_int_equal(r.ns, INT64_C(-5833806768547758080));
    assert_true(r.wrapped);
    assert_false(r.capped);
    assert_true(v016_ok("110000d").wrapped);
    assert_true(v016_ok("106751d2562047h").wrapped);   /* the sum wraps, not the days */
    assert_false(v016_ok("106751d").wrapped);          /* the most days that fit */
    assert_false(v016_ok("60000d").wrapped);
    assert_false(v016_ok("-1d").wrapped);
    assert_false(v016_ok("2000000h").wrapped);
    struct duration_result c;
    assert_int_equal(duration_parse_ago("999999d", &c), DURATION_OK);
    assert_false(c.wrapped);   /* the current parse caps instead */
}

static void test_v016_abc_is_invalid_duration_error(void **state)
{
    (void)state;
    assert_string_equal(v016_err("abc").err, "time: invalid duration \"abc\"");
}

static void test_v016_1day_is_invalid_duration_error(void **state)
{
    (void)state;
    assert_string_equal(v016_err("1day").err, "time: invalid duration \"ay\"");
}

static void test_v016_go_overflow_is_invalid_duration_error(void **state)
{
    (void)state;
    assert_string_equal(v016_err("3000000h").err, "time: invalid duration \"3000000h\"");
}

static void test_v016_60000d5_is_missing_unit_without_warning(void **state)
{
    (void)state;
    assert_string_equal(v016_err("60000d5").err, "time: missing unit in duration \"5\"");
}

static void test_v016_blank_is_unexpected_eof(void **state)
{
    (void)state;
    assert_string_equal(v016_err(" ").err, "unexpected EOF");
}

static void test_v016_invalid_utf8_is_reencoded_like_go_scanf(void **state)
{
    /* fmt's %s turns the stray byte into U+FFFD before ParseDuration sees it. */
    (void)state;
    assert_string_equal(v016_err("1d\xff").err, "time: invalid duration \"\\xef\\xbf\\xbd\"");
}

/* ---- Go's time.ParseDuration ---- */

static void test_go_zero_forms(void **state)
{
    (void)state;
    assert_int_equal(go_ok("0"), 0);
    assert_int_equal(go_ok("+0"), 0);
    assert_int_equal(go_ok("-0"), 0);
    assert_int_equal(go_ok("0s"), 0);
}

static void test_go_all_units(void **state)
{
    (void)state;
    assert_int_equal(go_ok("1ns"), 1);
    assert_int_equal(go_ok("1us"), 1000);
    assert_int_equal(go_ok("1\xc2\xb5s"), 1000); /* U+00B5 MICRO SIGN */
    assert_int_equal(go_ok("1\xce\xbcs"), 1000); /* U+03BC GREEK SMALL LETTER MU */
    assert_int_equal(go_ok("1ms"), 1000000);
    assert_int_equal(go_ok("1s"), SEC);
    assert_int_equal(go_ok("1m"), MIN);
    assert_int_equal(go_ok("1h"), HOUR);
}

static void test_go_sequences_and_fractions(void **state)
{
    (void)state;
    assert_int_equal(go_ok("1h15m30.918273645s"), HOUR + 15 * MIN + 30 * SEC + 918273645);
    assert_int_equal(go_ok("1.5h"), 90 * MIN);
    assert_int_equal(go_ok("-1.5h"), -90 * MIN);
    assert_int_equal(go_ok(".5s"), SEC / 2);
    assert_int_equal(go_ok("1.s"), SEC);
    assert_int_equal(go_ok("+5s"), 5 * SEC);
    assert_int_equal(go_ok("1h1h"), 2 * HOUR);
}

static void test_go_float_fraction_precision(void **state)
{
    (void)state;
    assert_int_equal(go_ok("0.3333333333333333333h"), 20 * MIN);
    assert_int_equal(go_ok("0.100000000000000000000h"), 6 * MIN);
    assert_int_equal(go_ok("0.830103483285477580700h"), INT64_C(2988372539827));
    assert_int_equal(go_ok("9007199254740993ns"), INT64_C(9007199254740993));
}

static void test_go_int64_limits(void **state)
{
    (void)state;
    assert_int_equal(go_ok("9223372036854775807ns"), INT64_MAX);
    assert_int_equal(go_ok("-9223372036854775808ns"), INT64_MIN);
    assert_int_equal(go_ok("9223372036854775.807us"), INT64_MAX);
    assert_int_equal(go_ok("9223372036.854775807s"), INT64_MAX);
    assert_int_equal(go_ok("-9223372036.854775808s"), INT64_MIN);
    assert_int_equal(go_ok("2562047h"), INT64_C(9223369200000000000));
}

static void test_go_overflow_is_invalid_duration(void **state)
{
    (void)state;
    assert_string_equal(go_err("9223372036854775808ns"),
                        "time: invalid duration \"9223372036854775808ns\"");
    assert_string_equal(go_err("2562048h"), "time: invalid duration \"2562048h\"");
    assert_string_equal(go_err("9223372036854775.808us"),
                        "time: invalid duration \"9223372036854775.808us\"");
    assert_string_equal(go_err("9223372036854ms775us808ns"),
                        "time: invalid duration \"9223372036854ms775us808ns\"");
    assert_string_equal(go_err("99999999999999999999h"),
                        "time: invalid duration \"99999999999999999999h\"");
}

static void test_go_empty_and_sign_only_are_invalid(void **state)
{
    (void)state;
    assert_string_equal(go_err(""), "time: invalid duration \"\"");
    assert_string_equal(go_err("-"), "time: invalid duration \"-\"");
    assert_string_equal(go_err("+"), "time: invalid duration \"+\"");
}

static void test_go_no_digits_is_invalid(void **state)
{
    (void)state;
    assert_string_equal(go_err(".s"), "time: invalid duration \".s\"");
    assert_string_equal(go_err("-.s"), "time: invalid duration \"-.s\"");
    assert_string_equal(go_err("abc"), "time: invalid duration \"abc\"");
}

static void test_go_missing_unit(void **state)
{
    (void)state;
    assert_string_equal(go_err("5"), "time: missing unit in duration \"5\"");
    assert_string_equal(go_err("1h5"), "time: missing unit in duration \"1h5\"");
    assert_string_equal(go_err("1.2.3s"), "time: missing unit in duration \"1.2.3s\"");
}

static void test_go_unknown_unit(void **state)
{
    (void)state;
    assert_string_equal(go_err("1d"), "time: unknown unit \"d\" in duration \"1d\"");
    assert_string_equal(go_err("1e3s"), "time: unknown unit \"e\" in duration \"1e3s\"");
    assert_string_equal(go_err("1H"), "time: unknown unit \"H\" in duration \"1H\"");
    assert_string_equal(go_err("1h x"), "time: unknown unit \"h x\" in duration \"1h x\"");
}

static void test_go_quotes_like_time_quote(void **state)
{
    (void)state;
    assert_string_equal(go_err("\xff" "ff"), "time: invalid duration \"\\xffff\"");
    assert_string_equal(go_err("1\xc2\xb5"),
                        "time: unknown unit \"\\xc2\\xb5\" in duration \"1\\xc2\\xb5\"");
    assert_string_equal(go_err("1\"\\"),
                        "time: unknown unit \"\\\"\\\\\" in duration \"1\\\"\\\\\"");
    assert_string_equal(go_err("1\t"), "time: unknown unit \"\\x09\" in duration \"1\\x09\"");
}

static void test_go_null_error_buffer_is_allowed(void **state)
{
    int64_t ns = 3;

    (void)state;
    assert_false(duration_parse_go("bogus", &ns, NULL, 0));
    assert_int_equal(ns, 3);
    assert_true(duration_parse_go("2s", &ns, NULL, 0));
    assert_int_equal(ns, 2 * SEC);
}

static void test_go_long_message_is_truncated_safely(void **state)
{
    char err[16];
    int64_t ns = 0;

    (void)state;
    assert_false(duration_parse_go("xxxxxxxxxxxxxxxxxxxxxxxx", &ns, err, sizeof err));
    assert_string_equal(err, "time: invalid d");
}

/* ---- purgesim's own day counts ---- */

static void test_days_plain_and_with_d(void **state)
{
    int64_t d = -1;

    (void)state;
    assert_true(duration_parse_days("7", &d));
    assert_int_equal(d, 7);
    assert_true(duration_parse_days("7d", &d));
    assert_int_equal(d, 7);
    assert_true(duration_parse_days("0", &d));
    assert_int_equal(d, 0);
    assert_true(duration_parse_days("36500d", &d));
    assert_int_equal(d, 36500);
}

static void test_days_rejects_bad_text(void **state)
{
    static const char *const bad[] = {
        "", "d", "-1", "+7", " 7", "7 ", "7dd", "7x", "7h", "1.5", "36501", "99999999999999999999",
    };
    int64_t d = 99;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(duration_parse_days(bad[i], &d));
    assert_false(duration_parse_days(NULL, &d));
    assert_int_equal(d, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ago_30m_is_thirty_minutes),
        cmocka_unit_test(test_ago_1h30m_is_ninety_minutes),
        cmocka_unit_test(test_ago_2d3h6m_adds_days_and_duration),
        cmocka_unit_test(test_ago_plain_days),
        cmocka_unit_test(test_ago_leading_spaces_and_plus_sign_before_days),
        cmocka_unit_test(test_ago_d5h_has_zero_days_and_no_duration),
        cmocka_unit_test(test_ago_int64_overflowing_days_count_as_zero),
        cmocka_unit_test(test_ago_overflowing_days_drop_the_duration_too),
        cmocka_unit_test(test_ago_1_5d_is_one_day),
        cmocka_unit_test(test_ago_1h2d_is_one_day),
        cmocka_unit_test(test_ago_minus_1d_is_negative_one_day),
        cmocka_unit_test(test_ago_space_before_d_keeps_days_only),
        cmocka_unit_test(test_ago_duration_word_may_follow_spaces_after_d),
        cmocka_unit_test(test_ago_duration_word_may_follow_unicode_space_after_d),
        cmocka_unit_test(test_ago_duration_is_only_the_next_word),
        cmocka_unit_test(test_ago_newline_after_d_drops_the_duration),
        cmocka_unit_test(test_ago_negative_duration_after_days),
        cmocka_unit_test(test_ago_without_d_uses_first_word),
        cmocka_unit_test(test_ago_zero_without_unit_is_zero),
        cmocka_unit_test(test_ago_blank_text_is_unexpected_eof),
        cmocka_unit_test(test_ago_empty_text_is_unexpected_eof),
        cmocka_unit_test(test_ago_newline_before_word_is_unexpected_newline),
        cmocka_unit_test(test_ago_5_is_missing_unit),
        cmocka_unit_test(test_ago_5x_is_unknown_unit),
        cmocka_unit_test(test_ago_missing_unit_after_days),
        cmocka_unit_test(test_ago_150_years_of_days_exactly_is_not_capped),
        cmocka_unit_test(test_ago_one_day_over_150_years_is_capped_with_warning),
        cmocka_unit_test(test_ago_60000d_is_capped_with_warning),
        cmocka_unit_test(test_ago_2000000h_is_capped_with_warning),
        cmocka_unit_test(test_ago_go_overflow_is_capped_with_warning),
        cmocka_unit_test(test_ago_abc_is_capped_with_warning),
        cmocka_unit_test(test_ago_1day_is_capped_with_warning),
        cmocka_unit_test(test_ago_invalid_word_after_days_is_capped_with_warning),
        cmocka_unit_test(test_ago_unit_named_overflow_is_capped_with_warning),
        cmocka_unit_test(test_ago_54000d20000h_is_capped_silently),
        cmocka_unit_test(test_ago_capped_days_plus_duration_stays_capped),
        cmocka_unit_test(test_ago_capped_days_plus_invalid_duration_is_the_cap),
        cmocka_unit_test(test_ago_60000d5_warns_then_fails_with_missing_unit),
        cmocka_unit_test(test_ago_60000d5x_warns_then_fails_with_unknown_unit),
        cmocka_unit_test(test_ago_two_caps_wrap_negative_like_go),
        cmocka_unit_test(test_ago_huge_negative_days_wrap_like_go),
        cmocka_unit_test(test_v016_60000d_is_not_capped),
        cmocka_unit_test(test_v016_2000000h_is_not_capped),
        cmocka_unit_test(test_v016_days_beyond_int64_wrap_like_go),
        cmocka_unit_test(test_v016_scan_rules_match_current),
        cmocka_unit_test(test_v016_abc_is_invalid_duration_error),
        cmocka_unit_test(test_v016_1day_is_invalid_duration_error),
        cmocka_unit_test(test_v016_go_overflow_is_invalid_duration_error),
        cmocka_unit_test(test_v016_60000d5_is_missing_unit_without_warning),
        cmocka_unit_test(test_v016_blank_is_unexpected_eof),
        cmocka_unit_test(test_v016_invalid_utf8_is_reencoded_like_go_scanf),
        cmocka_unit_test(test_go_zero_forms),
        cmocka_unit_test(test_go_all_units),
        cmocka_unit_test(test_go_sequences_and_fractions),
        cmocka_unit_test(test_go_float_fraction_precision),
        cmocka_unit_test(test_go_int64_limits),
        cmocka_unit_test(test_go_overflow_is_invalid_duration),
        cmocka_unit_test(test_go_empty_and_sign_only_are_invalid),
        cmocka_unit_test(test_go_no_digits_is_invalid),
        cmocka_unit_test(test_go_missing_unit),
        cmocka_unit_test(test_go_unknown_unit),
        cmocka_unit_test(test_go_quotes_like_time_quote),
        cmocka_unit_test(test_go_null_error_buffer_is_allowed),
        cmocka_unit_test(test_go_long_message_is_truncated_safely),
        cmocka_unit_test(test_v016_999999d_wraps_and_says_so),
        cmocka_unit_test(test_days_plain_and_with_d),
        cmocka_unit_test(test_days_rejects_bad_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
