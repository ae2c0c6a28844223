/* timeu.c - RFC 3339 as Go's time.Parse(time.RFC3339Nano) reads it, UTC formatting, civil dates. */
#include "timeu.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gomsg.h"

/* The layout acr-cli passes to time.Parse; it appears verbatim in Go's error messages. */
static const char GO_LAYOUT[] = "2006-01-02T15:04:05.999999999Z07:00";

/* `parsing time "<raw>" as "<layout>": cannot parse "<rest>" as "<elem>"`; returns false. */
static bool fail_elem(struct timeu_error *err, const char *s, size_t n, size_t at, const char *elem)
{
    struct gomsg m;

    if (!err)
        return false;
    gomsg_init(&m, err->text, sizeof err->text);
    gomsg_puts(&m, "parsing time ");
    gomsg_quote(&m, s, n);
    gomsg_puts(&m, " as ");
    gomsg_quote(&m, GO_LAYOUT, sizeof GO_LAYOUT - 1);
    gomsg_puts(&m, ": cannot parse ");
    gomsg_quote(&m, s + at, n - at);
    gomsg_puts(&m, " as ");
    gomsg_quote(&m, elem, strlen(elem));
    return false;
}

/* `parsing time "<raw>": <what> out of range`; returns false. */
static bool fail_range(struct timeu_error *err, const char *s, size_t n, const char *what)
{
    struct gomsg m;

    if (!err)
        return false;
    gomsg_init(&m, err->text, sizeof err->text);
    gomsg_puts(&m, "parsing time ");
    gomsg_quote(&m, s, n);
    gomsg_puts(&m, ": ");
    gomsg_puts(&m, what);
    gomsg_puts(&m, " out of range");
    return false;
}

/* `parsing time "<raw>": extra text: "<rest>"`; returns false. */
static bool fail_extra(struct timeu_error *err, const char *s, size_t n, size_t at)
{
    struct gomsg m;

    if (!err)
        return false;
    gomsg_init(&m, err->text, sizeof err->text);
    gomsg_puts(&m, "parsing time ");
    gomsg_quote(&m, s, n);
    gomsg_puts(&m, ": extra text: ");
    gomsg_quote(&m, s + at, n - at);
    return false;
}

static bool is_digit_at(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

/* Go's getnum: one or two digits, or exactly two when `fixed`. Advances *p on success. */
static bool get_num(const char *s, size_t n, size_t *p, bool fixed, int *out)
{
    if (!is_digit_at(s, n, *p))
        return false;
    if (!is_digit_at(s, n, *p + 1)) {
        if (fixed)
            return false;
        *out = s[*p] - '0';
        *p += 1;
        return true;
    }
    *out = (s[*p] - '0') * 10 + (s[*p + 1] - '0');
    *p += 2;
    return true;
}

/* Go's skip() for a one-character layout literal ("-", "T", ":"). */
static bool skip_char(const char *s, size_t n, size_t *p, char c)
{
    if (*p >= n || s[*p] != c)
        return false;
    *p += 1;
    return true;
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int month, int64_t year)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && is_leap(year))
        return 29;
    return days[month - 1];
}

/* Seconds + nanoseconds since the epoch, clamped to [TIMEU_MIN_NS, TIMEU_MAX_NS]. Clamping
 * everything (not only values beyond int64) keeps the mapping monotonic, so a saturated
 * year-1000 instant never sorts after a real year-1700 one. */
static int64_t ns_saturated(int64_t secs, int64_t nsec)
{
    const int64_t lim_s = TIMEU_MAX_NS / TIMEU_NS_PER_SEC;
    int64_t ns;

    if (secs > lim_s)
        return TIMEU_MAX_NS;
    if (secs < -lim_s - 1)
        return TIMEU_MIN_NS;
    ns = secs * TIMEU_NS_PER_SEC + nsec;
    if (ns > TIMEU_MAX_NS)
        return TIMEU_MAX_NS;
    if (ns < TIMEU_MIN_NS)
        return TIMEU_MIN_NS;
    return ns;
}

/* Go's time.Parse tries a strict RFC 3339 fast path first and falls back to the general layout
 * parser when it fails. Everything the fast path accepts, the general parser accepts with the
 * same result, so this follows the general parser (Go's time.parse) step by step: its element
 * order fixes which error a bad value gets. */
bool timeu_parse_rfc3339(const char *s, size_t n, int64_t *out_ns, struct timeu_error *err)
{
    size_t p = 0, hold;
    int year, month = 0, day = 0, hour = 0, min = 0, sec = 0;
    int64_t nsec = 0, offset_s = 0, secs;

    /* "2006": Go checks the first byte is a digit, then atoi's four bytes, so all four must be. */
    if (n < 4)
        return fail_elem(err, s, n, p, "2006");
    for (size_t i = 0; i < 4; i++)
        if (!is_digit_at(s, n, i))
            return fail_elem(err, s, n, p, "2006");
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    p = 4;

    if (!skip_char(s, n, &p, '-'))
        return fail_elem(err, s, n, p, "-");
    hold = p;
    if (!get_num(s, n, &p, true, &month))
        return fail_elem(err, s, n, hold, "01");
    if (month < 1 || month > 12)
        return fail_range(err, s, n, "month");

    if (!skip_char(s, n, &p, '-'))
        return fail_elem(err, s, n, p, "-");
    hold = p;
    /* Go accepts any two-digit day here and validates it against the month only at the end. */
    if (!get_num(s, n, &p, true, &day))
        return fail_elem(err, s, n, hold, "02");

    if (!skip_char(s, n, &p, 'T'))
        return fail_elem(err, s, n, p, "T");
    hold = p;
    /* Go's stdHour is not fixed-width: "T3:04:05Z" is a valid hour. */
    if (!get_num(s, n, &p, false, &hour))
        return fail_elem(err, s, n, hold, "15");
    if (hour >= 24)
        return fail_range(err, s, n, "hour");

    if (!skip_char(s, n, &p, ':'))
        return fail_elem(err, s, n, p, ":");
    hold = p;
    if (!get_num(s, n, &p, true, &min))
        return fail_elem(err, s, n, hold, "04");
    if (min >= 60)
        return fail_range(err, s, n, "minute");

    if (!skip_char(s, n, &p, ':'))
        return fail_elem(err, s, n, p, ":");
    hold = p;
    if (!get_num(s, n, &p, true, &sec))
        return fail_elem(err, s, n, hold, "05");
    if (sec >= 60)
        return fail_range(err, s, n, "second");

    /* ".999999999": optional; '.' or ',' then any number of digits, of which Go keeps nine. */
    if (p + 1 < n && (s[p] == '.' || s[p] == ',') && is_digit_at(s, n, p + 1)) {
        size_t ndig = 0;
        while (is_digit_at(s, n, p + 1 + ndig))
            ndig++;
        for (size_t i = 0; i < 9; i++) {
            nsec *= 10;
            if (i < ndig)
                nsec += s[p + 1 + i] - '0';
        }
        p += 1 + ndig;
    }

    /* "Z07:00": 'Z', or sign hh ':' mm. Go allows offsets up to 24:60 (its range test is '>'). */
    hold = p;
    if (p < n && s[p] == 'Z') {
        p++;
    } else {
        const char *range = NULL;
        bool bad = false;
        int oh = 0, om = 0;
        size_t q;

        if (n - p < 6 || s[p + 3] != ':')
            return fail_elem(err, s, n, hold, "Z07:00");
        q = p + 1;
        if (!get_num(s, p + 3, &q, true, &oh)) {
            bad = true;
        } else {
            q = p + 4;
            if (!get_num(s, p + 6, &q, true, &om))
                bad = true;
        }
        if (oh > 24)
            range = "time zone offset hour";
        if (om > 60)
            range = "time zone offset minute";
        if (s[p] == '+')
            offset_s = ((int64_t)oh * 60 + om) * 60;
        else if (s[p] == '-')
            offset_s = -((int64_t)oh * 60 + om) * 60;
        else
            bad = true;
        p += 6;
        /* Go reports a range error before a syntax error in the same element. */
        if (range)
            return fail_range(err, s, n, range);
        if (bad)
            return fail_elem(err, s, n, hold, "Z07:00");
    }

    if (p < n)
        return fail_extra(err, s, n, p);
    if (day < 1 || day > days_in_month(month, year))
        return fail_range(err, s, n, "day");

    secs = timeu_days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 +
           (int64_t)hour * 3600 + (int64_t)min * 60 + sec - offset_s;
    *out_ns = ns_saturated(secs, nsec);
    return true;
}

/* Accepts exactly "YYYY-MM-DD" with a real calendar date. */
static bool parse_bare_date(const char *s, size_t n, int64_t *out_ns)
{
    int year, month, day;

    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (i != 4 && i != 7 && !is_digit_at(s, n, i))
            return false;
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(month, year))
        return false;
    *out_ns = ns_saturated(timeu_days_from_civil(year, (unsigned)month, (unsigned)day) * 86400, 0);
    return true;
}

bool timeu_parse_user(const char *s, int64_t *out_ns)
{
    size_t n;

    if (!s)
        return false;
    n = strlen(s);
    if (parse_bare_date(s, n, out_ns))
        return true;
    return timeu_parse_rfc3339(s, n, out_ns, NULL);
}

/* Whether s has the form timeu_parse_user() takes, "YYYY-MM-DD" then nothing or the rest of an
 * RFC 3339 time, whatever its month and day: the same text on the 1st of January parses. */
static bool user_form(const char *s, size_t n)
{
    char first[64];
    int64_t t;
    if (n < 10 || n >= sizeof first || s[4] != '-' || s[7] != '-') return false;
    for (size_t i = 5; i < 10; i++)
        if (i != 7 && !is_digit_at(s, n, i)) return false;
    memcpy(first, s, n + 1);
    memcpy(first + 5, "01-01", 5);
    return timeu_parse_user(first, &t);
}

char *timeu_user_error(const char *s, char *buf, size_t len)
{
    static const char *const MONTHS[12] = {"January", "February", "March",     "April",   "May",      "June",
                                           "July",    "August",   "September", "October", "November", "December"};
    size_t n = strlen(s);
    if (user_form(s, n)) {
        int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
        if (month < 1 || month > 12) {
            snprintf(buf, len, "the date %.10s does not exist (there is no month %02d)", s, month);
            return buf;
        }
        if (day < 1 || day > days_in_month(month, year)) {
            snprintf(buf, len, "the date %.10s does not exist (%s %d has %d days)", s, MONTHS[month - 1], year,
                     days_in_month(month, year));
            return buf;
        }
    }
    snprintf(buf, len, "expected YYYY-MM-DD or an RFC 3339 time, got \"%s\"", s);
    return buf;
}

/* Floor division and its non-negative remainder, for instants before 1970. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;

    if (r < 0) {
        r += b;
        q -= 1;
    }
    *rem = r;
    return q;
}

char *timeu_format(int64_t t_ns, char *buf, size_t len)
{
    int64_t ns_of_day, y, secs, frac;
    unsigned m, d;
    int64_t days = floor_div(t_ns, TIMEU_NS_PER_DAY, &ns_of_day);
    char fbuf[16] = "";

    timeu_civil_from_days(days, &y, &m, &d);
    secs = ns_of_day / TIMEU_NS_PER_SEC;
    frac = ns_of_day % TIMEU_NS_PER_SEC;
    if (frac != 0) {
        /* Nine digits, then trailing zeros trimmed, as Go's RFC3339Nano formatting does. */
        size_t k;
        (void)snprintf(fbuf, sizeof fbuf, ".%09" PRId64, frac);
        k = strlen(fbuf);
        while (k > 1 && fbuf[k - 1] == '0')
            fbuf[--k] = '\0';
    }
    if (buf && len > 0)
        (void)snprintf(buf, len,
                       "%04" PRId64 "-%02u-%02uT%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%sZ", y, m,
                       d, secs / 3600, secs / 60 % 60, secs % 60, fbuf);
    return buf;
}

char *timeu_format_date(int64_t t_ns, char *buf, size_t len)
{
    int64_t ns_of_day, y;
    unsigned m, d;

    timeu_civil_from_days(floor_div(t_ns, TIMEU_NS_PER_DAY, &ns_of_day), &y, &m, &d);
    if (buf && len > 0)
        (void)snprintf(buf, len, "%04" PRId64 "-%02u-%02u", y, m, d);
    return buf;
}

/* Howard Hinnant's days_from_civil: eras of 400 years (146097 days) starting 0000-03-01, so
 * the leap day is the last day of each year. Valid for |y| below about 10^15. */
int64_t timeu_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, mp, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;                             /* [0, 399] */
    mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;    /* March is 0 */
    doy = (153 * mp + 2) / 5 + (int64_t)d - 1;       /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse, for every int64_t z: the era is split off before the epoch shift by 719468
 * days so that no intermediate value overflows near INT64_MIN/INT64_MAX. */
void timeu_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t doe, era = floor_div(z, 146097, &doe);
    int64_t yoe, doy, mp, yr;

    doe += 719468;
    era += doe / 146097;
    doe %= 146097;                                               /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    yr = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yr + (*m <= 2);
}

static double clock_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double timeu_wall_seconds(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

double timeu_thread_cpu_seconds(void)
{
    return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}
