/* test_timeu.c - unit tests for timeu.h: Go RFC3339Nano parsing and errors, formatting, dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeu.h"

#define NS TIMEU_NS_PER_SEC
/* 2024-01-02T03:04:05Z as Unix seconds. */
#define T_20240102_030405 INT64_C(1704164645)
#define LAYOUT "\"2006-01-02T15:04:05.999999999Z07:00\""

/* Parses s (NUL-terminated), failing the test on error. */
static int64_t parse_ok(const char *s)
{
    struct timeu_error err = {{0}};
    int64_t ns = 42;

    if (!timeu_parse_rfc3339(s, strlen(s), &ns, &err))
        fail_msg("unexpected parse failure for \"%s\": %s", s, err.text);
    return ns;
}

/* Parses s expecting failure; returns the error text (valid until the next call). */
static const char *parse_err(const char *s)
{
    static struct timeu_error err;
    int64_t ns = 42;

    memset(&err, 0, sizeof err);
    assert_false(timeu_parse_rfc3339(s, strlen(s), &ns, &err));
    assert_int_equal(ns, 42); /* untouched on failure */
    return err.text;
}

/* ---- accepted forms ---- */

static void test_rfc3339_plain_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05Z"), T_20240102_030405 * NS);
}

static void test_rfc3339_epoch_is_zero(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
}

static void test_rfc3339_before_epoch_is_negative(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -NS / 2);
}

static void test_rfc3339_seven_fraction_digits_as_acr_writes_them(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05.1234567Z"),
                     T_20240102_030405 * NS + 123456700);
}

static void test_rfc3339_one_fraction_digit(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05.5Z"), T_20240102_030405 * NS + 500000000);
}

static void test_rfc3339_nine_fraction_digits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05.123456789Z"),
                     T_20240102_030405 * NS + 123456789);
}

static void test_rfc3339_more_than_nine_fraction_digits_truncate(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05.123456789999Z"),
                     T_20240102_030405 * NS + 123456789);
}

static void test_rfc3339_comma_fraction_is_accepted(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T03:04:05,25Z"), T_20240102_030405 * NS + 250000000);
}

static void test_rfc3339_positive_offset_is_converted_to_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T05:04:05+02:00"), T_20240102_030405 * NS);
}

static void test_rfc3339_negative_offset_is_converted_to_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-01T21:34:05-05:30"), T_20240102_030405 * NS);
}

static void test_rfc3339_offset_with_fraction(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T05:04:05.1234567+02:00"),
                     T_20240102_030405 * NS + 123456700);
}

static void test_rfc3339_offset_24_00_is_accepted_like_go(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-03T03:04:05+24:00"), T_20240102_030405 * NS);
}

static void test_rfc3339_offset_minute_60_is_accepted_like_go(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T05:04:05+01:60"), T_20240102_030405 * NS);
}

static void test_rfc3339_one_digit_hour_is_accepted(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-01-02T3:04:05Z"), T_20240102_030405 * NS);
}

static void test_rfc3339_leap_day_2024_is_valid(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), INT64_C(1709164800) * NS);
}

static void test_rfc3339_leap_day_2000_is_valid(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400) * NS);
}

static void test_rfc3339_length_limits_the_input(void **state)
{
    const char *s = "2024-01-02T03:04:05Zjunk";
    int64_t ns = 0;

    (void)state;
    assert_true(timeu_parse_rfc3339(s, 20, &ns, NULL));
    assert_int_equal(ns, T_20240102_030405 * NS);
}

static void test_rfc3339_null_error_is_allowed(void **state)
{
    int64_t ns = 7;

    (void)state;
    assert_false(timeu_parse_rfc3339("bogus", 5, &ns, NULL));
    assert_int_equal(ns, 7);
}

/* ---- saturation ---- */

static void test_rfc3339_year_1_saturates_to_min(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), TIMEU_MIN_NS);
}

static void test_rfc3339_year_9999_saturates_to_max(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999999999Z"), TIMEU_MAX_NS);
}

static void test_rfc3339_saturation_keeps_order(void **state)
{
    int64_t y1000 = parse_ok("1000-01-01T00:00:00Z");
    int64_t y1700 = parse_ok("1700-01-01T00:00:00Z");
    int64_t y2024 = parse_ok("2024-01-01T00:00:00Z");
    int64_t y3000 = parse_ok("3000-01-01T00:00:00Z");

    (void)state;
    assert_true(y1000 <= y1700);
    assert_true(y1700 < y2024);
    assert_true(y2024 < y3000);
    assert_true(y1000 >= TIMEU_MIN_NS && y3000 <= TIMEU_MAX_NS);
}

/* ---- Go's error messages ---- */

static void test_rfc3339_empty_string_cannot_parse_year(void **state)
{
    (void)state;
    assert_string_equal(parse_err(""),
                        "parsing time \"\" as " LAYOUT ": cannot parse \"\" as \"2006\"");
}

static void test_rfc3339_short_year_cannot_parse_year(void **state)
{
    (void)state;
    assert_string_equal(parse_err("24-01-02T03:04:05Z"),
                        "parsing time \"24-01-02T03:04:05Z\" as " LAYOUT
                        ": cannot parse \"24-01-02T03:04:05Z\" as \"2006\"");
}

static void test_rfc3339_missing_z_cannot_parse_zone(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05"),
                        "parsing time \"2024-01-02T03:04:05\" as " LAYOUT
                        ": cannot parse \"\" as \"Z07:00\"");
}

static void test_rfc3339_lowercase_t_cannot_parse_t(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02t03:04:05Z"),
                        "parsing time \"2024-01-02t03:04:05Z\" as " LAYOUT
                        ": cannot parse \"t03:04:05Z\" as \"T\"");
}

static void test_rfc3339_space_separator_cannot_parse_t(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02 03:04:05Z"),
                        "parsing time \"2024-01-02 03:04:05Z\" as " LAYOUT
                        ": cannot parse \" 03:04:05Z\" as \"T\"");
}

static void test_rfc3339_lowercase_z_cannot_parse_zone(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05z"),
                        "parsing time \"2024-01-02T03:04:05z\" as " LAYOUT
                        ": cannot parse \"z\" as \"Z07:00\"");
}

static void test_rfc3339_offset_without_colon_cannot_parse_zone(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05+0200"),
                        "parsing time \"2024-01-02T03:04:05+0200\" as " LAYOUT
                        ": cannot parse \"+0200\" as \"Z07:00\"");
}

static void test_rfc3339_dot_without_digits_cannot_parse_zone(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05.Z"),
                        "parsing time \"2024-01-02T03:04:05.Z\" as " LAYOUT
                        ": cannot parse \".Z\" as \"Z07:00\"");
}

static void test_rfc3339_one_digit_month_cannot_parse_month(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-1-02T03:04:05Z"),
                        "parsing time \"2024-1-02T03:04:05Z\" as " LAYOUT
                        ": cannot parse \"1-02T03:04:05Z\" as \"01\"");
}

static void test_rfc3339_slash_cannot_parse_dash(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024/01/02T03:04:05Z"),
                        "parsing time \"2024/01/02T03:04:05Z\" as " LAYOUT
                        ": cannot parse \"/01/02T03:04:05Z\" as \"-\"");
}

static void test_rfc3339_three_digit_hour_cannot_parse_colon(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T123:04:05Z"),
                        "parsing time \"2024-01-02T123:04:05Z\" as " LAYOUT
                        ": cannot parse \"3:04:05Z\" as \":\"");
}

static void test_rfc3339_one_digit_second_cannot_parse_second(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:5Z"),
                        "parsing time \"2024-01-02T03:04:5Z\" as " LAYOUT
                        ": cannot parse \"5Z\" as \"05\"");
}

/* Go >= 1.23 (acr-cli builds with 1.24) reports the text from the start of the failed element;
 * Go 1.19 reported what followed it. */
static void test_rfc3339_bad_year_digit_reports_text_from_element_start(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2a24-01-02T03:04:05Z"),
                        "parsing time \"2a24-01-02T03:04:05Z\" as " LAYOUT
                        ": cannot parse \"2a24-01-02T03:04:05Z\" as \"2006\"");
}

static void test_rfc3339_signed_offset_digits_cannot_parse_zone(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05+-2:00"),
                        "parsing time \"2024-01-02T03:04:05+-2:00\" as " LAYOUT
                        ": cannot parse \"+-2:00\" as \"Z07:00\"");
}

static void test_rfc3339_offset_range_error_beats_bad_sign(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05x25:00"),
                        "parsing time \"2024-01-02T03:04:05x25:00\": "
                        "time zone offset hour out of range");
}

static void test_rfc3339_feb_30_is_day_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-02-30T00:00:00Z"),
                        "parsing time \"2024-02-30T00:00:00Z\": day out of range");
}

static void test_rfc3339_feb_29_in_common_year_is_day_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2023-02-29T00:00:00Z"),
                        "parsing time \"2023-02-29T00:00:00Z\": day out of range");
}

static void test_rfc3339_feb_29_1900_is_day_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("1900-02-29T00:00:00Z"),
                        "parsing time \"1900-02-29T00:00:00Z\": day out of range");
}

static void test_rfc3339_day_00_is_day_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-00T00:00:00Z"),
                        "parsing time \"2024-01-00T00:00:00Z\": day out of range");
}

static void test_rfc3339_month_13_is_month_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-13-01T00:00:00Z"),
                        "parsing time \"2024-13-01T00:00:00Z\": month out of range");
}

static void test_rfc3339_month_00_is_month_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-00-01T00:00:00Z"),
                        "parsing time \"2024-00-01T00:00:00Z\": month out of range");
}

static void test_rfc3339_hour_24_is_hour_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T24:00:00Z"),
                        "parsing time \"2024-01-02T24:00:00Z\": hour out of range");
}

static void test_rfc3339_minute_60_is_minute_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:60:00Z"),
                        "parsing time \"2024-01-02T03:60:00Z\": minute out of range");
}

static void test_rfc3339_second_60_is_second_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:60Z"),
                        "parsing time \"2024-01-02T03:04:60Z\": second out of range");
}

static void test_rfc3339_offset_hour_25_is_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05+25:00"),
                        "parsing time \"2024-01-02T03:04:05+25:00\": "
                        "time zone offset hour out of range");
}

static void test_rfc3339_offset_minute_61_is_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05+01:61"),
                        "parsing time \"2024-01-02T03:04:05+01:61\": "
                        "time zone offset minute out of range");
}

static void test_rfc3339_trailing_text_is_extra_text(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05Zjunk"),
                        "parsing time \"2024-01-02T03:04:05Zjunk\": extra text: \"junk\"");
}

static void test_rfc3339_range_error_in_loop_beats_day_error(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-02-30T25:00:00Z"),
                        "parsing time \"2024-02-30T25:00:00Z\": hour out of range");
}

static void test_rfc3339_extra_text_beats_day_error(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-02-30T00:00:00Zx"),
                        "parsing time \"2024-02-30T00:00:00Zx\": extra text: \"x\"");
}

static void test_rfc3339_error_quotes_like_go(void **state)
{
    (void)state;
    assert_string_equal(parse_err("2024-01-02T03:04:05Z\"\\\xc3\xa9\t"),
                        "parsing time \"2024-01-02T03:04:05Z\\\"\\\\\\xc3\\xa9\\x09\": extra text: "
                        "\"\\\"\\\\\\xc3\\xa9\\x09\"");
}

/* ---- timeu_parse_user ---- */

static void test_user_bare_date_is_midnight_utc(void **state)
{
    int64_t ns = 0;

    (void)state;
    assert_true(timeu_parse_user("2024-01-02", &ns));
    assert_int_equal(ns, (T_20240102_030405 - 3 * 3600 - 4 * 60 - 5) * NS);
}

static void test_user_rfc3339_with_offset(void **state)
{
    int64_t ns = 0;

    (void)state;
    assert_true(timeu_parse_user("2024-01-02T05:04:05+02:00", &ns));
    assert_int_equal(ns, T_20240102_030405 * NS);
}

static void test_user_invalid_bare_date_is_rejected(void **state)
{
    int64_t ns = 5;

    (void)state;
    assert_false(timeu_parse_user("2024-02-30", &ns));
    assert_false(timeu_parse_user("2024-2-3", &ns));
    assert_false(timeu_parse_user("", &ns));
    assert_false(timeu_parse_user("yesterday", &ns));
    assert_false(timeu_parse_user(NULL, &ns));
    assert_int_equal(ns, 5);
}

/* ---- formatting ---- */

static void test_format_epoch(void **state)
{
    char buf[40];

    (void)state;
    assert_string_equal(timeu_format(0, buf, sizeof buf), "1970-01-01T00:00:00Z");
}

static void test_format_trims_fraction_zeros(void **state)
{
    char buf[40];

    (void)state;
    assert_string_equal(timeu_format(T_20240102_030405 * NS + 123456700, buf, sizeof buf),
                        "2024-01-02T03:04:05.1234567Z");
    assert_string_equal(timeu_format(T_20240102_030405 * NS + 500000000, buf, sizeof buf),
                        "2024-01-02T03:04:05.5Z");
    assert_string_equal(timeu_format(T_20240102_030405 * NS + 1, buf, sizeof buf),
                        "2024-01-02T03:04:05.000000001Z");
}

static void test_format_before_epoch(void **state)
{
    char buf[40];

    (void)state;
    assert_string_equal(timeu_format(-1, buf, sizeof buf), "1969-12-31T23:59:59.999999999Z");
}

static void test_format_extremes_do_not_crash(void **state)
{
    char buf[40];

    (void)state;
    assert_string_equal(timeu_format(INT64_MIN, buf, sizeof buf),
                        "1677-09-21T00:12:43.145224192Z");
    assert_string_equal(timeu_format(INT64_MAX, buf, sizeof buf),
                        "2262-04-11T23:47:16.854775807Z");
}

static void test_format_small_buffer_truncates(void **state)
{
    char buf[11];

    (void)state;
    assert_string_equal(timeu_format(0, buf, sizeof buf), "1970-01-01");
}

static void test_format_date(void **state)
{
    char buf[16];

    (void)state;
    assert_string_equal(timeu_format_date(T_20240102_030405 * NS, buf, sizeof buf), "2024-01-02");
    assert_string_equal(timeu_format_date(-1, buf, sizeof buf), "1969-12-31");
}

static void test_format_parse_round_trip(void **state)
{
    static const int64_t samples[] = {
        0,
        1,
        -1,
        INT64_C(1709164800) * NS,                  /* 2024-02-29 */
        T_20240102_030405 * NS + 123456700,
        INT64_C(951782400) * NS + 999999999,       /* 2000-02-29 */
        -INT64_C(2208988800) * NS + 10,            /* 1900-01-01 */
        TIMEU_MIN_NS,
        TIMEU_MAX_NS,
    };
    char buf[40];

    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        assert_int_equal(parse_ok(timeu_format(samples[i], buf, sizeof buf)), samples[i]);
    /* and a sweep with odd strides through four centuries */
    for (int64_t t = TIMEU_MIN_NS; t < TIMEU_MAX_NS - INT64_C(7777777777777777);
         t += INT64_C(7777777777777777))
        assert_int_equal(parse_ok(timeu_format(t, buf, sizeof buf)), t);
}

static void test_parse_format_round_trip(void **state)
{
    static const char *const texts[] = {
        "2024-01-02T03:04:05Z",
        "2024-02-29T23:59:59.1234567Z",
        "1999-12-31T23:59:59.999999999Z",
        "2000-03-01T00:00:00.5Z",
    };
    char buf[40];

    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_string_equal(timeu_format(parse_ok(texts[i]), buf, sizeof buf), texts[i]);
}

/* ---- civil dates ---- */

static void test_civil_known_anchors(void **state)
{
    (void)state;
    assert_int_equal(timeu_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(timeu_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(timeu_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(timeu_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(timeu_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(timeu_days_from_civil(1900, 3, 1) - timeu_days_from_civil(1900, 2, 28), 1);
    assert_int_equal(timeu_days_from_civil(2000, 3, 1) - timeu_days_from_civil(2000, 2, 28), 2);
}

static void test_civil_round_trip_over_range(void **state)
{
    int64_t y0, y;
    unsigned m0, d0, m, d;

    (void)state;
    /* About 1190 BC to AD 3160: every day, including negative years and all leap rules. */
    timeu_civil_from_days(-1100001, &y0, &m0, &d0);
    for (int64_t z = -1100000; z <= 436000; z++) {
        timeu_civil_from_days(z, &y, &m, &d);
        assert_int_equal(timeu_days_from_civil(y, m, d), z);
        /* consecutive days: next day of month, or day 1 of the next month/year */
        if (d != d0 + 1) {
            assert_int_equal(d, 1);
            if (m0 == 12) {
                assert_int_equal(m, 1);
                assert_int_equal(y, y0 + 1);
            } else {
                assert_int_equal(m, m0 + 1);
                assert_int_equal(y, y0);
            }
        }
        if (m == 2 && d == 29)
            assert_true(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
        y0 = y;
        m0 = m;
        d0 = d;
    }
}

static void test_civil_from_days_handles_int64_extremes(void **state)
{
    int64_t y;
    unsigned m, d;

    (void)state;
    timeu_civil_from_days(INT64_MAX, &y, &m, &d);
    assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    timeu_civil_from_days(INT64_MIN, &y, &m, &d);
    assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    assert_true(y < 0);
}

/* A refused --from/--to/--at: a date that is not in the calendar is said as such; anything
 * else gets the forms the option takes. */
static void test_user_error_names_a_date_that_does_not_exist(void **state)
{
    (void)state;
    char buf[200];
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"2026-02-30", "the date 2026-02-30 does not exist (February 2026 has 28 days)"},
        {"2026-02-29T12:00:00Z", "the date 2026-02-29 does not exist (February 2026 has 28 days)"},
        {"2024-02-30", "the date 2024-02-30 does not exist (February 2024 has 29 days)"},
        {"2026-04-31T00:00:00+02:00", "the date 2026-04-31 does not exist (April 2026 has 30 days)"},
        {"2026-13-01", "the date 2026-13-01 does not exist (there is no month 13)"},
        {"2026-00-00", "the date 2026-00-00 does not exist (there is no month 00)"},
        {"2026-01-00", "the date 2026-01-00 does not exist (January 2026 has 31 days)"},
        /* another fault as well, or none of the form: the forms */
        {"2026-02-30T25:00:00Z", "expected YYYY-MM-DD or an RFC 3339 time, got \"2026-02-30T25:00:00Z\""},
        {"2026-02-30 extra", "expected YYYY-MM-DD or an RFC 3339 time, got \"2026-02-30 extra\""},
        {"2026-2-3", "expected YYYY-MM-DD or an RFC 3339 time, got \"2026-2-3\""},
        {"yesterday", "expected YYYY-MM-DD or an RFC 3339 time, got \"yesterday\""},
        {"", "expected YYYY-MM-DD or an RFC 3339 time, got \"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t;
        assert_false(timeu_parse_user(cases[i].in, &t));
        assert_string_equal(timeu_user_error(cases[i].in, buf, sizeof buf), cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_plain_utc),
        cmocka_unit_test(test_rfc3339_epoch_is_zero),
        cmocka_unit_test(test_rfc3339_before_epoch_is_negative),
        cmocka_unit_test(test_rfc3339_seven_fraction_digits_as_acr_writes_them),
        cmocka_unit_test(test_rfc3339_one_fraction_digit),
        cmocka_unit_test(test_rfc3339_nine_fraction_digits),
        cmocka_unit_test(test_rfc3339_more_than_nine_fraction_digits_truncate),
        cmocka_unit_test(test_rfc3339_comma_fraction_is_accepted),
        cmocka_unit_test(test_rfc3339_positive_offset_is_converted_to_utc),
        cmocka_unit_test(test_rfc3339_negative_offset_is_converted_to_utc),
        cmocka_unit_test(test_rfc3339_offset_with_fraction),
        cmocka_unit_test(test_rfc3339_offset_24_00_is_accepted_like_go),
        cmocka_unit_test(test_rfc3339_offset_minute_60_is_accepted_like_go),
        cmocka_unit_test(test_rfc3339_one_digit_hour_is_accepted),
        cmocka_unit_test(test_rfc3339_leap_day_2024_is_valid),
        cmocka_unit_test(test_rfc3339_leap_day_2000_is_valid),
        cmocka_unit_test(test_rfc3339_length_limits_the_input),
        cmocka_unit_test(test_rfc3339_null_error_is_allowed),
        cmocka_unit_test(test_rfc3339_year_1_saturates_to_min),
        cmocka_unit_test(test_rfc3339_year_9999_saturates_to_max),
        cmocka_unit_test(test_rfc3339_saturation_keeps_order),
        cmocka_unit_test(test_rfc3339_empty_string_cannot_parse_year),
        cmocka_unit_test(test_rfc3339_short_year_cannot_parse_year),
        cmocka_unit_test(test_rfc3339_missing_z_cannot_parse_zone),
        cmocka_unit_test(test_rfc3339_lowercase_t_cannot_parse_t),
        cmocka_unit_test(test_rfc3339_space_separator_cannot_parse_t),
        cmocka_unit_test(test_rfc3339_lowercase_z_cannot_parse_zone),
        cmocka_unit_test(test_rfc3339_offset_without_colon_cannot_parse_zone),
        cmocka_unit_test(test_rfc3339_dot_without_digits_cannot_parse_zone),
        cmocka_unit_test(test_rfc3339_one_digit_month_cannot_parse_month),
        cmocka_unit_test(test_rfc3339_slash_cannot_parse_dash),
        cmocka_unit_test(test_rfc3339_three_digit_hour_cannot_parse_colon),
        cmocka_unit_test(test_rfc3339_one_digit_second_cannot_parse_second),
        cmocka_unit_test(test_rfc3339_bad_year_digit_reports_text_from_element_start),
        cmocka_unit_test(test_rfc3339_signed_offset_digits_cannot_parse_zone),
        cmocka_unit_test(test_rfc3339_offset_range_error_beats_bad_sign),
        cmocka_unit_test(test_rfc3339_feb_30_is_day_out_of_range),
        cmocka_unit_test(test_rfc3339_feb_29_in_common_year_is_day_out_of_range),
        cmocka_unit_test(test_rfc3339_feb_29_1900_is_day_out_of_range),
        cmocka_unit_test(test_rfc3339_day_00_is_day_out_of_range),
        cmocka_unit_test(test_rfc3339_month_13_is_month_out_of_range),
        cmocka_unit_test(test_rfc3339_month_00_is_month_out_of_range),
        cmocka_unit_test(test_rfc3339_hour_24_is_hour_out_of_range),
        cmocka_unit_test(test_rfc3339_minute_60_is_minute_out_of_range),
        cmocka_unit_test(test_rfc3339_second_60_is_second_out_of_range),
        cmocka_unit_test(test_rfc3339_offset_hour_25_is_out_of_range),
        cmocka_unit_test(test_rfc3339_offset_minute_61_is_out_of_range),
        cmocka_unit_test(test_rfc3339_trailing_text_is_extra_text),
        cmocka_unit_test(test_rfc3339_range_error_in_loop_beats_day_error),
        cmocka_unit_test(test_rfc3339_extra_text_beats_day_error),
        cmocka_unit_test(test_rfc3339_error_quotes_like_go),
        cmocka_unit_test(test_user_bare_date_is_midnight_utc),
        cmocka_unit_test(test_user_rfc3339_with_offset),
        cmocka_unit_test(test_user_invalid_bare_date_is_rejected),
        cmocka_unit_test(test_format_epoch),
        cmocka_unit_test(test_format_trims_fraction_zeros),
        cmocka_unit_test(test_format_before_epoch),
        cmocka_unit_test(test_format_extremes_do_not_crash),
        cmocka_unit_test(test_format_small_buffer_truncates),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_format_parse_round_trip),
        cmocka_unit_test(test_parse_format_round_trip),
        cmocka_unit_test(test_civil_known_anchors),
        cmocka_unit_test(test_civil_round_trip_over_range),
        cmocka_unit_test(test_civil_from_days_handles_int64_extremes),
        cmocka_unit_test(test_user_error_names_a_date_that_does_not_exist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
