/* test_cron.c - unit tests for cron.h: parsing, errors, next firing and matching (UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cron.h"

#define NS_PER_SEC INT64_C(1000000000)
#define NS_PER_MIN (60 * NS_PER_SEC)
#define NS_PER_DAY (1440 * NS_PER_MIN)

/* ---- helpers (the oracle is libc's timegm/gmtime_r, not cron.c's own calendar) ---- */

static int64_t at_s(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = { 0 };
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm) * NS_PER_SEC;
}

static int64_t at(int y, int mo, int d, int h, int mi)
{
    return at_s(y, mo, d, h, mi, 0);
}

static struct tm utc(int64_t t_ns)
{
    struct tm tm;
    int64_t s = t_ns / NS_PER_SEC - (t_ns % NS_PER_SEC < 0);
    time_t tt = (time_t)s;
    gmtime_r(&tt, &tm);
    return tm;
}

static struct cron parse_ok(const char *expr)
{
    struct cron c;
    char err[256] = "";
    if (!cron_parse(expr, &c, err, sizeof err))
        fail_msg("cron_parse(\"%s\") failed: %s", expr, err);
    return c;
}

/* Field by field: struct padding is not comparable. */
static void assert_cron_equal(const struct cron *a, const struct cron *b)
{
    assert_true(a->minutes == b->minutes);
    assert_int_equal(a->hours, b->hours);
    assert_int_equal(a->mdays, b->mdays);
    assert_int_equal(a->months, b->months);
    assert_int_equal(a->wdays, b->wdays);
    assert_int_equal(a->mday_star, b->mday_star);
    assert_int_equal(a->wday_star, b->wday_star);
}

static int64_t next_of(const char *expr, int64_t after_ns)
{
    struct cron c = parse_ok(expr);
    return cron_next(&c, after_ns);
}

/* Asserts that cron_next(expr, after) is `want`, printing both as dates when not. */
static void expect_next(const char *expr, int64_t after_ns, int64_t want_ns)
{
    int64_t got = next_of(expr, after_ns);
    if (got != want_ns) {
        char g[64] = "never", w[64] = "never";
        if (got != INT64_MAX) {
            struct tm tm = utc(got);
            (void)strftime(g, sizeof g, "%Y-%m-%dT%H:%M:%SZ %a", &tm);
        }
        if (want_ns != INT64_MAX) {
            struct tm tm = utc(want_ns);
            (void)strftime(w, sizeof w, "%Y-%m-%dT%H:%M:%SZ %a", &tm);
        }
        fail_msg("cron \"%s\": next got %s, want %s", expr, g, w);
    }
}

static void expect_error(const char *expr, const char *want)
{
    struct cron c;
    char err[256] = "";
    if (cron_parse(expr, &c, err, sizeof err))
        fail_msg("cron_parse(\"%s\") succeeded, want error \"%s\"", expr, want);
    assert_string_equal(err, want);
}

static void expect_error_contains(const char *expr, const char *part)
{
    struct cron c;
    char err[256] = "";
    if (cron_parse(expr, &c, err, sizeof err))
        fail_msg("cron_parse(\"%s\") succeeded, want error containing \"%s\"", expr, part);
    if (!strstr(err, part))
        fail_msg("cron_parse(\"%s\"): error \"%s\" lacks \"%s\"", expr, err, part);
    if (strchr(err, '\n'))
        fail_msg("cron_parse(\"%s\"): error spans lines: \"%s\"", expr, err);
}

/* ---- cron_next ---- */

static void test_next_nightly_fires_at_midnight(void **state)
{
    (void)state;
    expect_next("0 0 * * *", at(2024, 3, 10, 14, 37), at(2024, 3, 11, 0, 0));
    expect_next("0 0 * * *", at(2024, 12, 31, 23, 59), at(2025, 1, 1, 0, 0));
}

static void test_next_hourly_fires_on_the_hour(void **state)
{
    (void)state;
    expect_next("0 * * * *", at(2024, 3, 10, 14, 37), at(2024, 3, 10, 15, 0));
    expect_next("0 * * * *", at(2024, 3, 10, 23, 1), at(2024, 3, 11, 0, 0));
}

static void test_next_every_15_minutes_fires_on_quarter_hours(void **state)
{
    (void)state;
    expect_next("*/15 * * * *", at(2024, 3, 10, 14, 0), at(2024, 3, 10, 14, 15));
    expect_next("*/15 * * * *", at(2024, 3, 10, 14, 44), at(2024, 3, 10, 14, 45));
    expect_next("*/15 * * * *", at(2024, 3, 10, 14, 45), at(2024, 3, 10, 15, 0));
}

static void test_next_weekly_sunday_0_fires_on_sunday(void **state)
{
    (void)state;
    /* 2024-03-06 is a Wednesday; the next Sunday is the 10th. */
    expect_next("0 3 * * 0", at(2024, 3, 6, 12, 0), at(2024, 3, 10, 3, 0));
    expect_next("0 3 * * 0", at(2024, 3, 10, 3, 0), at(2024, 3, 17, 3, 0));
}

static void test_next_weekly_sunday_7_same_as_0(void **state)
{
    (void)state;
    struct cron c0 = parse_ok("0 3 * * 0"), c7 = parse_ok("0 3 * * 7");
    assert_int_equal(c7.wdays, c0.wdays);
    assert_int_equal(c7.wdays, 1u);
    expect_next("0 3 * * 7", at(2024, 3, 6, 12, 0), at(2024, 3, 10, 3, 0));
}

static void test_next_weekday_names_skip_weekend(void **state)
{
    (void)state;
    /* Friday 2024-03-08 00:00 fired; next is Monday 03-11. */
    expect_next("0 0 * * MON-FRI", at(2024, 3, 8, 0, 0), at(2024, 3, 11, 0, 0));
    expect_next("0 0 * * MON-FRI", at(2024, 3, 10, 23, 59), at(2024, 3, 11, 0, 0));
    expect_next("0 0 * * MON-FRI", at(2024, 3, 11, 0, 0), at(2024, 3, 12, 0, 0));
}

static void test_next_month_name_fires_on_new_year(void **state)
{
    (void)state;
    expect_next("0 0 1 JAN *", at(2024, 1, 1, 0, 0), at(2025, 1, 1, 0, 0));
    expect_next("0 0 1 JAN *", at(2024, 6, 15, 8, 0), at(2025, 1, 1, 0, 0));
}

static void test_next_hour_range_step_fires_every_6_hours(void **state)
{
    (void)state;
    expect_next("0 0-23/6 * * *", at(2024, 3, 10, 0, 0), at(2024, 3, 10, 6, 0));
    expect_next("0 0-23/6 * * *", at(2024, 3, 10, 13, 0), at(2024, 3, 10, 18, 0));
    expect_next("0 0-23/6 * * *", at(2024, 3, 10, 18, 0), at(2024, 3, 11, 0, 0));
}

static void test_next_list_fires_at_each_listed_minute(void **state)
{
    (void)state;
    expect_next("5,20,40-41 9 * * *", at(2024, 3, 10, 9, 5), at(2024, 3, 10, 9, 20));
    expect_next("5,20,40-41 9 * * *", at(2024, 3, 10, 9, 20), at(2024, 3, 10, 9, 40));
    expect_next("5,20,40-41 9 * * *", at(2024, 3, 10, 9, 40), at(2024, 3, 10, 9, 41));
    expect_next("5,20,40-41 9 * * *", at(2024, 3, 10, 9, 41), at(2024, 3, 11, 9, 5));
}

static void test_next_dom_and_dow_restricted_fires_on_either(void **state)
{
    (void)state;
    /* March 2024: Fridays are 1, 8, 15, 22, 29; the 13th is a Wednesday. */
    expect_next("0 0 13 * 5", at(2024, 3, 8, 0, 0), at(2024, 3, 13, 0, 0));
    expect_next("0 0 13 * 5", at(2024, 3, 13, 0, 0), at(2024, 3, 15, 0, 0));
    expect_next("0 0 13 * 5", at(2024, 3, 29, 0, 0), at(2024, 4, 5, 0, 0));
}

static void test_next_dow_star_requires_dom(void **state)
{
    (void)state;
    expect_next("0 0 13 * *", at(2024, 3, 8, 0, 0), at(2024, 3, 13, 0, 0));
    expect_next("0 0 13 * *", at(2024, 3, 13, 0, 0), at(2024, 4, 13, 0, 0));
}

static void test_next_dom_star_requires_dow(void **state)
{
    (void)state;
    expect_next("0 0 * * 5", at(2024, 3, 8, 0, 0), at(2024, 3, 15, 0, 0));
    expect_next("0 0 ? * 5", at(2024, 3, 8, 0, 0), at(2024, 3, 15, 0, 0));
}

static void test_next_star_step_dom_counts_as_star_like_vixie(void **state)
{
    (void)state;
    /* Vixie cron: a field beginning with '*' is unrestricted, so "*" + "/2" with a weekday
     * needs both: odd days that are Fridays. March 2024 Fridays: 1, 8, 15, 22, 29. */
    struct cron c = parse_ok("0 0 */2 * 5");
    assert_true(c.mday_star);
    assert_false(c.wday_star);
    expect_next("0 0 */2 * 5", at(2024, 3, 1, 0, 0), at(2024, 3, 15, 0, 0));
}

static void test_next_feb_29_only_in_leap_years(void **state)
{
    (void)state;
    expect_next("0 0 29 2 *", at(2023, 3, 1, 0, 0), at(2024, 2, 29, 0, 0));
    expect_next("0 0 29 2 *", at(2024, 2, 29, 0, 0), at(2028, 2, 29, 0, 0));
    /* 2100 is not a leap year; the 8-year gap is still within the search window. */
    expect_next("0 0 29 2 *", at(2096, 3, 1, 0, 0), at(2104, 2, 29, 0, 0));
}

static void test_next_day_31_skips_short_months(void **state)
{
    (void)state;
    expect_next("0 0 31 * *", at(2024, 1, 31, 0, 0), at(2024, 3, 31, 0, 0));
    expect_next("0 0 31 * *", at(2024, 3, 31, 0, 0), at(2024, 5, 31, 0, 0));
    expect_next("0 0 31 * *", at(2024, 7, 31, 0, 0), at(2024, 8, 31, 0, 0));
}

static void test_next_never_firing_returns_int64_max(void **state)
{
    (void)state;
    expect_next("0 0 30 2 *", at(2024, 1, 1, 0, 0), INT64_MAX);
    expect_next("0 0 31 2 *", at(2024, 1, 1, 0, 0), INT64_MAX);
    expect_next("0 0 31 4,6,9,11 *", at(2024, 1, 1, 0, 0), INT64_MAX);
}

static void test_next_is_strictly_after_a_firing_minute(void **state)
{
    (void)state;
    expect_next("0 0 * * *", at(2024, 3, 10, 0, 0), at(2024, 3, 11, 0, 0));
    expect_next("* * * * *", at(2024, 3, 10, 0, 0), at(2024, 3, 10, 0, 1));
    /* One nanosecond before a firing minute returns that minute. */
    expect_next("0 0 * * *", at(2024, 3, 11, 0, 0) - 1, at(2024, 3, 11, 0, 0));
}

static void test_next_mid_minute_returns_whole_minute(void **state)
{
    (void)state;
    int64_t got = next_of("* * * * *", at_s(2024, 3, 10, 5, 6, 30) + 123);
    assert_int_equal(got, at(2024, 3, 10, 5, 7));
    assert_int_equal(got % NS_PER_MIN, 0);
}

static void test_next_works_before_the_epoch(void **state)
{
    (void)state;
    expect_next("30 12 * * *", at_s(1969, 12, 31, 6, 0, 1), at(1969, 12, 31, 12, 30));
    expect_next("0 0 1 1 *", at(1969, 6, 1, 0, 0), at(1970, 1, 1, 0, 0));
    expect_next("0 0 29 2 *", at(1901, 1, 1, 0, 0), at(1904, 2, 29, 0, 0));
}

static void test_next_past_the_int64_range_returns_int64_max(void **state)
{
    (void)state;
    struct cron c = parse_ok("* * * * *");
    assert_int_equal(cron_next(&c, INT64_MAX), INT64_MAX);
    /* The last whole minute the int64 range can hold is still returned. */
    int64_t last = cron_next(&c, INT64_MAX - NS_PER_MIN);
    assert_true(last > INT64_MAX - NS_PER_MIN && last % NS_PER_MIN == 0);
    assert_int_equal(cron_next(&c, last), INT64_MAX);
    c = parse_ok("0 0 1 1 *");
    assert_int_equal(cron_next(&c, at(2262, 1, 1, 0, 0)), INT64_MAX);
    assert_true(cron_next(&c, INT64_MIN) < 0);
}

/* ---- cron_matches ---- */

static void test_matches_whole_minute_containing_t(void **state)
{
    (void)state;
    struct cron c = parse_ok("30 12 * * *");
    assert_true(cron_matches(&c, at(2024, 3, 10, 12, 30)));
    assert_true(cron_matches(&c, at_s(2024, 3, 10, 12, 30, 59) + NS_PER_SEC - 1));
    assert_false(cron_matches(&c, at(2024, 3, 10, 12, 30) - 1));
    assert_false(cron_matches(&c, at(2024, 3, 10, 12, 31)));
}

static void test_matches_dom_dow_or_rule(void **state)
{
    (void)state;
    struct cron c = parse_ok("0 0 13 * 5");
    assert_true(cron_matches(&c, at(2024, 3, 13, 0, 0)));    /* Wednesday the 13th */
    assert_true(cron_matches(&c, at(2024, 3, 15, 0, 0)));    /* Friday the 15th */
    assert_false(cron_matches(&c, at(2024, 3, 14, 0, 0)));
}

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void test_matches_agrees_with_gmtime_across_centuries(void **state)
{
    (void)state;
    static const char *const wd[7] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };
    uint64_t seed = 12345;
    /* The span exceeds INT64_MAX, so draw in uint64_t (wrapping back is well defined). */
    uint64_t lo = (uint64_t)at(1700, 1, 1, 0, 0), span = (uint64_t)at(2250, 1, 1, 0, 0) - lo;

    for (int i = 0; i < 2000; i++) {
        int64_t t = (int64_t)(lo + rng_next(&seed) % span);
        struct tm tm = utc(t);
        char expr[64];
        (void)snprintf(expr, sizeof expr, "%d %d %d %d *", tm.tm_min, tm.tm_hour, tm.tm_mday,
                       tm.tm_mon + 1);
        struct cron c = parse_ok(expr);
        assert_true(cron_matches(&c, t));
        (void)snprintf(expr, sizeof expr, "%d %d * * %s", tm.tm_min, tm.tm_hour, wd[tm.tm_wday]);
        c = parse_ok(expr);
        assert_true(cron_matches(&c, t));
        (void)snprintf(expr, sizeof expr, "* * * * %d", (tm.tm_wday + 1) % 7);
        c = parse_ok(expr);
        assert_false(cron_matches(&c, t));
    }
}

/* ---- cross-check against a brute-force search ---- */

static int64_t brute_next(const struct cron *c, int64_t after_ns, int64_t horizon_ns)
{
    int64_t t = after_ns - ((after_ns % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN + NS_PER_MIN;
    for (; t <= horizon_ns; t += NS_PER_MIN) {
        if (cron_matches(c, t))
            return t;
    }
    return INT64_MAX;
}

static void test_next_agrees_with_brute_force_search(void **state)
{
    (void)state;
    static const char *const exprs[] = {
        "0 0 * * *",      "*/15 * * * *",     "0 3 * * 0",        "0 0 * * MON-FRI",
        "0 0 13 * 5",     "0 0-23/6 * * *",   "0 0 31 * *",       "7 4 */2 * 5",
        "5/20 1,22 * JUN-AUG SAT,SUN", "0 12 1-7 * 1", "30 23 29 2 *",
    };
    uint64_t seed = 42;
    int64_t lo = at(1995, 1, 1, 0, 0), span = at(2035, 1, 1, 0, 0) - lo;

    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        struct cron c = parse_ok(exprs[i]);
        for (int k = 0; k < 4; k++) {
            int64_t t = lo + (int64_t)(rng_next(&seed) % (uint64_t)span);
            /* Follow several consecutive firings from the random start. */
            for (int step = 0; step < 6; step++) {
                int64_t horizon = t + 120 * NS_PER_DAY;
                int64_t want = brute_next(&c, t, horizon);
                int64_t got = cron_next(&c, t);
                if (want == INT64_MAX) {
                    assert_true(got > horizon);
                    break;
                }
                if (got != want)
                    fail_msg("cron \"%s\" after %lld: got %lld, want %lld", exprs[i],
                             (long long)t, (long long)got, (long long)want);
                t = got;
            }
        }
    }
}

/* ---- cron_parse: accepted forms ---- */

static void test_parse_fills_bit_masks(void **state)
{
    (void)state;
    struct cron c = parse_ok("0,30 9-17/4 1,15 */3 1-5");
    assert_true(c.minutes == ((UINT64_C(1) << 0) | (UINT64_C(1) << 30)));
    assert_int_equal(c.hours, (1u << 9) | (1u << 13) | (1u << 17));
    assert_int_equal(c.mdays, (1u << 1) | (1u << 15));
    assert_int_equal(c.months, (1u << 1) | (1u << 4) | (1u << 7) | (1u << 10));
    assert_int_equal(c.wdays, 0x3eu);
    assert_false(c.mday_star);
    assert_false(c.wday_star);
}

static void test_parse_star_sets_full_masks(void **state)
{
    (void)state;
    struct cron c = parse_ok("* * * * *");
    assert_true(c.minutes == (UINT64_C(1) << 60) - 1);
    assert_int_equal(c.hours, (1u << 24) - 1);
    assert_int_equal(c.mdays, 0xfffffffeu);
    assert_int_equal(c.months, 0x1ffeu);
    assert_int_equal(c.wdays, 0x7fu);
    assert_true(c.mday_star);
    assert_true(c.wday_star);
}

static void test_parse_value_with_step_runs_to_field_max(void **state)
{
    (void)state;
    struct cron c = parse_ok("5/20 * * * 1/2");
    assert_true(c.minutes == ((UINT64_C(1) << 5) | (UINT64_C(1) << 25) | (UINT64_C(1) << 45)));
    /* 1,3,5,7 with 7 = Sunday */
    assert_int_equal(c.wdays, (1u << 0) | (1u << 1) | (1u << 3) | (1u << 5));
}

static void test_parse_names_are_case_insensitive_and_work_in_ranges(void **state)
{
    (void)state;
    struct cron a = parse_ok("0 0 * jan-Mar,DEC mon-wed,Sat");
    struct cron b = parse_ok("0 0 * 1-3,12 1-3,6");
    assert_int_equal(a.months, b.months);
    assert_int_equal(a.wdays, b.wdays);
}

static void test_parse_day_of_week_range_to_7_includes_sunday(void **state)
{
    (void)state;
    struct cron c = parse_ok("0 0 * * 5-7");
    assert_int_equal(c.wdays, (1u << 0) | (1u << 5) | (1u << 6));
}

static void test_parse_question_mark_means_star_in_day_fields(void **state)
{
    (void)state;
    struct cron c = parse_ok("0 0 ? * ?");
    assert_int_equal(c.mdays, 0xfffffffeu);
    assert_int_equal(c.wdays, 0x7fu);
    assert_true(c.mday_star);
    assert_true(c.wday_star);
}

static void test_parse_accepts_surrounding_and_repeated_whitespace(void **state)
{
    (void)state;
    struct cron a = parse_ok("  \t0   3 *\t* 0 \n");
    struct cron b = parse_ok("0 3 * * 0");
    assert_cron_equal(&a, &b);
}

/* ---- cron_parse: errors ---- */

static void test_parse_error_wrong_field_count(void **state)
{
    (void)state;
    expect_error("* * *", "cron \"* * *\": expected 5 fields, got 3");
    expect_error("", "cron \"\": expected 5 fields, got 0");
    expect_error("   ", "cron \"\": expected 5 fields, got 0");
    expect_error("0 0 0 * * *",
                 "cron \"0 0 0 * * *\": expected 5 fields, got 6 (ACR has no seconds or year "
                 "field)");
}

static void test_parse_error_value_out_of_range(void **state)
{
    (void)state;
    expect_error("0 25 * * *", "cron \"0 25 * * *\": hour 25 out of range 0-23");
    expect_error("60 * * * *", "cron \"60 * * * *\": minute 60 out of range 0-59");
    expect_error("0 0 0 * *", "cron \"0 0 0 * *\": day-of-month 0 out of range 1-31");
    expect_error("0 0 * 13 *", "cron \"0 0 * 13 *\": month 13 out of range 1-12");
    expect_error("0 0 * * 8", "cron \"0 0 * * 8\": day-of-week 8 out of range 0-7");
    expect_error("0 1-24 * * *", "cron \"0 1-24 * * *\": hour 24 out of range 0-23");
}

static void test_parse_error_reversed_range(void **state)
{
    (void)state;
    expect_error("0 5-1 * * *", "cron \"0 5-1 * * *\": hour range \"5-1\" is reversed (start "
                                "after end)");
    expect_error_contains("0 0 * * FRI-MON", "day-of-week range \"FRI-MON\" is reversed");
}

static void test_parse_error_step_zero(void **state)
{
    (void)state;
    expect_error("*/0 * * * *", "cron \"*/0 * * * *\": minute field \"*/0\": step 0 must be at "
                                "least 1");
}

static void test_parse_error_missing_step(void **state)
{
    (void)state;
    expect_error("*/ * * * *",
                 "cron \"*/ * * * *\": minute field \"*/\": expected a step number after '/'");
    expect_error_contains("0 */x * * *", "expected a step number after '/', got \"x\"");
}

static void test_parse_error_empty_item(void **state)
{
    (void)state;
    expect_error("1,,2 * * * *", "cron \"1,,2 * * * *\": minute field \"1,,2\" has an empty "
                                 "item");
    expect_error_contains("0 0 * * 1,", "day-of-week field \"1,\" has an empty item");
    expect_error_contains("0 ,0 * * *", "hour field \",0\" has an empty item");
}

static void test_parse_error_trailing_junk(void **state)
{
    (void)state;
    expect_error("5x * * * *", "cron \"5x * * * *\": minute field \"5x\": unexpected \"x\"");
    expect_error_contains("*5 * * * *", "minute field \"*5\": unexpected \"5\"");
    expect_error_contains("0 1-2-3 * * *", "hour field \"1-2-3\": unexpected \"-3\"");
    expect_error_contains("0 */2/3 * * *", "unexpected \"/3\"");
}

static void test_parse_error_incomplete_range(void **state)
{
    (void)state;
    expect_error("0 5- * * *", "cron \"0 5- * * *\": hour field \"5-\": expected a number after "
                               "'-'");
    expect_error_contains("-5 * * * *", "minute field \"-5\": expected a number or '*', got "
                                        "\"-5\"");
}

static void test_parse_error_name_in_wrong_field(void **state)
{
    (void)state;
    expect_error("0 MON * * *", "cron \"0 MON * * *\": hour field \"MON\": names such as "
                                "\"MON\" are allowed only in month and day-of-week");
    expect_error("0 0 * * JAN", "cron \"0 0 * * JAN\": day-of-week field \"JAN\": \"JAN\" is "
                                "not a weekday name (SUN-SAT)");
    expect_error("0 0 * MON *", "cron \"0 0 * MON *\": month field \"MON\": \"MON\" is not a "
                                "month name (JAN-DEC)");
}

static void test_parse_error_unknown_or_long_name(void **state)
{
    (void)state;
    expect_error_contains("0 0 * * MONDAY", "\"MONDAY\" is not a weekday name (SUN-SAT)");
    expect_error_contains("0 0 * * MON-L", "\"L\" is not a weekday name");
}

static void test_parse_error_too_many_digits(void **state)
{
    (void)state;
    expect_error("00005 * * * *", "cron \"00005 * * * *\": minute field \"00005\": number "
                                  "\"00005\" has too many digits");
    expect_error_contains("*/99999999999999999999 * * * *", "step \"99999999999999999999\" has "
                                                            "too many digits");
}

static void test_parse_error_question_mark_outside_day_fields(void **state)
{
    (void)state;
    expect_error("? * * * *", "cron \"? * * * *\": minute field \"?\": '?' is allowed only in "
                              "day-of-month and day-of-week");
}

static void test_parse_error_macros_rejected(void **state)
{
    (void)state;
    expect_error("@daily", "cron \"@daily\": macros like @daily are not supported by ACR; write "
                           "the five fields \"0 0 * * *\"");
    expect_error_contains(" @hourly ", "write the five fields \"0 * * * *\"");
    expect_error_contains("@reboot", "macros (@...) are not supported by ACR");
}

static void test_parse_error_is_one_line_and_truncated_safely(void **state)
{
    (void)state;
    struct cron c;
    char small[16];
    char err[256];
    /* A newline separates fields like a space, and is escaped when the expression is quoted. */
    assert_false(cron_parse("0 25\n* * *", &c, err, sizeof err));
    assert_string_equal(err, "cron \"0 25\\x0a* * *\": hour 25 out of range 0-23");
    /* Control characters inside a field are escaped, keeping the message on one line. */
    assert_false(cron_parse("0 0 \x01 * *", &c, err, sizeof err));
    assert_null(strchr(err, '\n'));
    assert_non_null(strstr(err, "\\x01"));
    /* A short buffer gets a truncated, terminated message. */
    assert_false(cron_parse("0 25 * * *", &c, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
    /* No buffer at all is allowed. */
    assert_false(cron_parse("0 25 * * *", &c, NULL, 0));
}

static void test_parse_error_shortens_a_long_expression(void **state)
{
    (void)state;
    char expr[200], want[256];
    memset(expr, '1', 100);
    memcpy(expr + 100, " * * * *", 9);
    (void)snprintf(want, sizeof want, "cron \"%.80s...\": minute field \"%.80s...\": number",
                   expr, expr);
    expect_error_contains(expr, want);
}

static void test_parse_failure_leaves_out_untouched(void **state)
{
    (void)state;
    struct cron c, before;
    char err[256];
    memset(&c, 0xa5, sizeof c);
    before = c;
    assert_false(cron_parse("0 25 * * *", &c, err, sizeof err));
    assert_memory_equal(&c, &before, sizeof c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_nightly_fires_at_midnight),
        cmocka_unit_test(test_next_hourly_fires_on_the_hour),
        cmocka_unit_test(test_next_every_15_minutes_fires_on_quarter_hours),
        cmocka_unit_test(test_next_weekly_sunday_0_fires_on_sunday),
        cmocka_unit_test(test_next_weekly_sunday_7_same_as_0),
        cmocka_unit_test(test_next_weekday_names_skip_weekend),
        cmocka_unit_test(test_next_month_name_fires_on_new_year),
        cmocka_unit_test(test_next_hour_range_step_fires_every_6_hours),
        cmocka_unit_test(test_next_list_fires_at_each_listed_minute),
        cmocka_unit_test(test_next_dom_and_dow_restricted_fires_on_either),
        cmocka_unit_test(test_next_dow_star_requires_dom),
        cmocka_unit_test(test_next_dom_star_requires_dow),
        cmocka_unit_test(test_next_star_step_dom_counts_as_star_like_vixie),
        cmocka_unit_test(test_next_feb_29_only_in_leap_years),
        cmocka_unit_test(test_next_day_31_skips_short_months),
        cmocka_unit_test(test_next_never_firing_returns_int64_max),
        cmocka_unit_test(test_next_is_strictly_after_a_firing_minute),
        cmocka_unit_test(test_next_mid_minute_returns_whole_minute),
        cmocka_unit_test(test_next_works_before_the_epoch),
        cmocka_unit_test(test_next_past_the_int64_range_returns_int64_max),
        cmocka_unit_test(test_matches_whole_minute_containing_t),
        cmocka_unit_test(test_matches_dom_dow_or_rule),
        cmocka_unit_test(test_matches_agrees_with_gmtime_across_centuries),
        cmocka_unit_test(test_next_agrees_with_brute_force_search),
        cmocka_unit_test(test_parse_fills_bit_masks),
        cmocka_unit_test(test_parse_star_sets_full_masks),
        cmocka_unit_test(test_parse_value_with_step_runs_to_field_max),
        cmocka_unit_test(test_parse_names_are_case_insensitive_and_work_in_ranges),
        cmocka_unit_test(test_parse_day_of_week_range_to_7_includes_sunday),
        cmocka_unit_test(test_parse_question_mark_means_star_in_day_fields),
        cmocka_unit_test(test_parse_accepts_surrounding_and_repeated_whitespace),
        cmocka_unit_test(test_parse_error_wrong_field_count),
        cmocka_unit_test(test_parse_error_value_out_of_range),
        cmocka_unit_test(test_parse_error_reversed_range),
        cmocka_unit_test(test_parse_error_step_zero),
        cmocka_unit_test(test_parse_error_missing_step),
        cmocka_unit_test(test_parse_error_empty_item),
        cmocka_unit_test(test_parse_error_trailing_junk),
        cmocka_unit_test(test_parse_error_incomplete_range),
        cmocka_unit_test(test_parse_error_name_in_wrong_field),
        cmocka_unit_test(test_parse_error_unknown_or_long_name),
        cmocka_unit_test(test_parse_error_too_many_digits),
        cmocka_unit_test(test_parse_error_question_mark_outside_day_fields),
        cmocka_unit_test(test_parse_error_macros_rejected),
        cmocka_unit_test(test_parse_error_is_one_line_and_truncated_safely),
        cmocka_unit_test(test_parse_error_shortens_a_long_expression),
        cmocka_unit_test(test_parse_failure_leaves_out_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
