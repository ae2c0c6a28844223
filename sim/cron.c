/* cron.c - parse five-field cron expressions and find their firing minutes, in UTC. */
#include "cron.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_MIN     INT64_C(60000000000)
#define MIN_PER_DAY    INT64_C(1440)
/* cron_next gives up after this many days ("within 8 years"); 8 * 366 also covers the
 * 8-year gap between Feb 29s around a non-leap century year (2096 -> 2104). */
#define SEARCH_DAYS    INT64_C(2928)
#define MAX_DIGITS     3    /* the largest meaningful value or step has 2; allow one leading 0 */
#define SHOW_MAX       80   /* longest expression or field quoted in full in a message */

/* ---- civil dates (proleptic Gregorian), after Howard Hinnant's algorithms ---- */

/* Days since 1970-01-01 of year y, month m (1-12), day d (1-31). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t mp = m > 2 ? m - 3 : m + 9;                            /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;                      /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

struct civil {
    int64_t year;
    int month;   /* 1-12 */
    int mday;    /* 1-31 */
    int wday;    /* 0-6, 0 = Sunday */
};

static struct civil civil_from_days(int64_t z)
{
    struct civil c;
    /* 1970-01-01 was a Thursday. */
    c.wday = (int)((z % 7 + 11) % 7);
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                         /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                       /* [0, 11] */
    c.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Lowest set bit of `mask` at or above `from`, or -1. */
static int next_bit(uint64_t mask, int from)
{
    if (from > 63)
        return -1;
    mask &= ~UINT64_C(0) << from;
    return mask ? __builtin_ctzll(mask) : -1;
}

/* ---- matching ---- */

/* Vixie cron's rule: when either day field is unrestricted both must match (the star one
 * matches every day it lists); when both are restricted, either may match. */
static bool day_matches(const struct cron *c, const struct civil *d)
{
    bool dom = (c->mdays >> d->mday) & 1u;
    bool dow = (c->wdays >> d->wday) & 1u;
    if (c->mday_star || c->wday_star)
        return dom && dow;
    return dom || dow;
}

/* Earliest matching minute of the day at or after hour h0, minute m0, as minutes into the
 * day, or -1. */
static int first_minute_in_day(const struct cron *c, int h0, int m0)
{
    for (int h = next_bit(c->hours, h0); h >= 0; h = next_bit(c->hours, h + 1)) {
        int m = next_bit(c->minutes, h == h0 ? m0 : 0);
        if (m >= 0)
            return h * 60 + m;
    }
    return -1;
}

int64_t cron_next(const struct cron *c, int64_t after_ns)
{
    int64_t start_min = floor_div(after_ns, NS_PER_MIN) + 1;   /* strictly after */
    int64_t day = floor_div(start_min, MIN_PER_DAY);
    int64_t last_day = day + SEARCH_DAYS;
    int of_day = (int)(start_min - day * MIN_PER_DAY);
    int h0 = of_day / 60, m0 = of_day % 60;

    if (!c->minutes || !c->hours || !c->months)
        return INT64_MAX;
    while (day <= last_day) {
        struct civil d = civil_from_days(day);
        if (!((c->months >> d.month) & 1u)) {
            /* Jump to the first day of the next month the expression allows. */
            int m = next_bit(c->months, d.month + 1);
            int64_t y = d.year;
            if (m < 0) {
                m = next_bit(c->months, 1);
                y++;
            }
            day = days_from_civil(y, m, 1);
            h0 = m0 = 0;
            continue;
        }
        if (day_matches(c, &d)) {
            int min = first_minute_in_day(c, h0, m0);
            if (min >= 0) {
                int64_t t_min = day * MIN_PER_DAY + min;
                if (t_min > INT64_MAX / NS_PER_MIN)
                    return INT64_MAX;
                return t_min * NS_PER_MIN;
            }
        }
        day++;
        h0 = m0 = 0;
    }
    return INT64_MAX;
}

bool cron_matches(const struct cron *c, int64_t t_ns)
{
    int64_t t_min = floor_div(t_ns, NS_PER_MIN);
    int64_t day = floor_div(t_min, MIN_PER_DAY);
    int of_day = (int)(t_min - day * MIN_PER_DAY);
    struct civil d = civil_from_days(day);

    return ((c->minutes >> (of_day % 60)) & 1u) && ((c->hours >> (of_day / 60)) & 1u) &&
           ((c->months >> d.month) & 1u) && day_matches(c, &d);
}

/* ---- parsing ---- */

enum cron_names { NAMES_NONE, NAMES_MONTH, NAMES_WEEKDAY };

struct cron_field_spec {
    const char *name;
    int min, max;
    enum cron_names names;
    bool day;   /* '?' allowed; '*' or '?' selects the OR/AND day rule */
};

// clang-format off
static const struct cron_field_spec FIELDS[5] = {
    { "minute",       0, 59, NAMES_NONE,    false },
    { "hour",         0, 23, NAMES_NONE,    false },
    { "day-of-month", 1, 31, NAMES_NONE,    true  },
    { "month",        1, 12, NAMES_MONTH,   false },
    { "day-of-week",  0,  7, NAMES_WEEKDAY, true  },
};
static const char *const MONTH_NAMES[12] = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};
static const char *const WEEKDAY_NAMES[7] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };
static const struct { const char *macro, *fields; } MACROS[] = {
    { "@yearly",   "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
    { "@weekly",   "0 0 * * 0" }, { "@daily",    "0 0 * * *" }, { "@midnight", "0 0 * * *" },
    { "@hourly",   "0 * * * *" },
};
// clang-format on

/* Parser state: the trimmed expression (for messages) and where messages go. */
struct cron_parser {
    const char *expr;
    size_t expr_len;
    char *err;
    size_t errlen;
};

/* A field or item being parsed: [s, e), with its field spec. */
struct cron_span {
    const struct cron_field_spec *spec;
    const char *s, *e;
};

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool same_letter(char ch, char upper)
{
    return ch == upper || ch == upper - 'A' + 'a';
}

/* Worst case per input byte is 4 ("\xHH"), plus quotes, "..." and NUL. */
#define QUOTE_CAP (4 * SHOW_MAX + 8)

/* Write s[0..n) into dst as a double-quoted string on one line: quotes, backslashes and
 * control bytes escaped, anything past SHOW_MAX bytes elided as "...". */
static void quote(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    size_t shown = n > SHOW_MAX ? SHOW_MAX : n;

    if (cap < QUOTE_CAP) {
        if (cap)
            dst[0] = '\0';
        return;
    }
    dst[o++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[ch >> 4];
            dst[o++] = hex[ch & 15];
        } else {
            dst[o++] = (char)ch;
        }
    }
    if (shown < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

__attribute__((format(printf, 2, 3))) static bool fail(const struct cron_parser *p,
                                                        const char *fmt, ...)
{
    char q[QUOTE_CAP];
    va_list ap;
    int n;

    if (!p->err || p->errlen == 0)
        return false;
    quote(q, sizeof q, p->expr, p->expr_len);
    n = snprintf(p->err, p->errlen, "cron %s: ", q);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        (void)vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Looks up a three-letter name, case-insensitively; returns its index or -1. */
static int lookup_name(const char *const *table, int count, const char *s, size_t n)
{
    if (n != 3)
        return -1;
    for (int i = 0; i < count; i++) {
        if (same_letter(s[0], table[i][0]) && same_letter(s[1], table[i][1]) &&
            same_letter(s[2], table[i][2]))
            return i;
    }
    return -1;
}

/* Parse one value (number, or a name where the field allows names) at *pp.
 * `after` describes what precedes it, for messages ("" at the start of an item). */
static bool parse_value(const struct cron_parser *p, const struct cron_span *f,
                        const char **pp, const char *end, const char *after, int *out)
{
    const struct cron_field_spec *spec = f->spec;
    const char *s = *pp, *q = s;
    char ft[QUOTE_CAP], vt[QUOTE_CAP];

    quote(ft, sizeof ft, f->s, (size_t)(f->e - f->s));
    if (q < end && is_digit(*q)) {
        int v = 0;
        while (q < end && is_digit(*q))
            q++;
        if (q - s > MAX_DIGITS) {
            quote(vt, sizeof vt, s, (size_t)(q - s));
            return fail(p, "%s field %s: number %s has too many digits", spec->name, ft, vt);
        }
        for (const char *d = s; d < q; d++)
            v = v * 10 + (*d - '0');
        if (v < spec->min || v > spec->max)
            return fail(p, "%s %d out of range %d-%d", spec->name, v, spec->min, spec->max);
        *out = v;
        *pp = q;
        return true;
    }
    if (q < end && is_alpha(*q)) {
        int v;
        while (q < end && is_alpha(*q))
            q++;
        quote(vt, sizeof vt, s, (size_t)(q - s));
        if (spec->names == NAMES_NONE)
            return fail(p, "%s field %s: names such as %s are allowed only in month and "
                           "day-of-week", spec->name, ft, vt);
        if (spec->names == NAMES_MONTH) {
            v = lookup_name(MONTH_NAMES, 12, s, (size_t)(q - s));
            if (v < 0)
                return fail(p, "%s field %s: %s is not a month name (JAN-DEC)", spec->name, ft,
                            vt);
            v += 1;
        } else {
            v = lookup_name(WEEKDAY_NAMES, 7, s, (size_t)(q - s));
            if (v < 0)
                return fail(p, "%s field %s: %s is not a weekday name (SUN-SAT)", spec->name,
                            ft, vt);
        }
        *out = v;
        *pp = q;
        return true;
    }
    {
        const char *want = spec->names == NAMES_NONE ? "a number" : "a number or name";
        if (after[0] == '\0') {
            /* Items are never empty here, so there is a character to show. */
            quote(vt, sizeof vt, q, (size_t)(end - q));
            return fail(p, "%s field %s: expected %s or '*', got %s", spec->name, ft, want, vt);
        }
        if (q == end)
            return fail(p, "%s field %s: expected %s after %s", spec->name, ft, want, after);
        quote(vt, sizeof vt, q, (size_t)(end - q));
        return fail(p, "%s field %s: expected %s after %s, got %s", spec->name, ft, want, after,
                    vt);
    }
}

/* Parse one list item [it->s, it->e) into the bits of *bits. */
static bool parse_item(const struct cron_parser *p, const struct cron_span *f,
                       const struct cron_span *it, uint64_t *bits)
{
    const struct cron_field_spec *spec = f->spec;
    const char *q = it->s, *end = it->e;
    char ft[QUOTE_CAP], vt[QUOTE_CAP];
    int lo = 0, hi = 0, step = 1;
    bool open_ended;   /* "*" or "a": a step runs to the field's maximum */

    quote(ft, sizeof ft, f->s, (size_t)(f->e - f->s));
    if (*q == '*' || *q == '?') {
        if (*q == '?' && !spec->day)
            return fail(p, "%s field %s: '?' is allowed only in day-of-month and day-of-week",
                        spec->name, ft);
        lo = spec->min;
        hi = spec->max;
        q++;
        open_ended = true;
    } else {
        if (!parse_value(p, f, &q, end, "", &lo))
            return false;
        hi = lo;
        open_ended = true;
        if (q < end && *q == '-') {
            const char *range_start = it->s;
            q++;
            if (!parse_value(p, f, &q, end, "'-'", &hi))
                return false;
            if (lo > hi) {
                quote(vt, sizeof vt, range_start, (size_t)(q - range_start));
                return fail(p, "%s range %s is reversed (start after end)", spec->name, vt);
            }
            open_ended = false;
        }
    }
    if (q < end && *q == '/') {
        const char *s = ++q;
        while (q < end && is_digit(*q))
            q++;
        if (q == s) {
            if (q == end)
                return fail(p, "%s field %s: expected a step number after '/'", spec->name, ft);
            quote(vt, sizeof vt, q, (size_t)(end - q));
            return fail(p, "%s field %s: expected a step number after '/', got %s", spec->name,
                        ft, vt);
        }
        if (q - s > MAX_DIGITS) {
            quote(vt, sizeof vt, s, (size_t)(q - s));
            return fail(p, "%s field %s: step %s has too many digits", spec->name, ft, vt);
        }
        step = 0;
        for (const char *d = s; d < q; d++)
            step = step * 10 + (*d - '0');
        if (step == 0)
            return fail(p, "%s field %s: step 0 must be at least 1", spec->name, ft);
        if (open_ended)
            hi = spec->max;   /* "a/n" means "a-max/n" */
    }
    if (q != end) {
        quote(vt, sizeof vt, q, (size_t)(end - q));
        return fail(p, "%s field %s: unexpected %s", spec->name, ft, vt);
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= UINT64_C(1) << v;
    return true;
}

/* Parse one field (a comma list) into *bits; bit v set for each value v it allows. */
static bool parse_field(const struct cron_parser *p, const struct cron_span *f, uint64_t *bits)
{
    const char *s = f->s;

    *bits = 0;
    for (;;) {
        const char *e = memchr(s, ',', (size_t)(f->e - s));
        struct cron_span it = { f->spec, s, e ? e : f->e };
        if (it.s == it.e) {
            char ft[QUOTE_CAP];
            quote(ft, sizeof ft, f->s, (size_t)(f->e - f->s));
            return fail(p, "%s field %s has an empty item", f->spec->name, ft);
        }
        if (!parse_item(p, f, &it, bits))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

bool cron_parse(const char *expr, struct cron *out, char *err, size_t errlen)
{
    struct cron_parser p = { expr, 0, err, errlen };
    struct cron_span fields[5];
    size_t nfields = 0;
    const char *s = expr, *end;
    uint64_t bits[5];
    struct cron c;

    if (err && errlen)
        err[0] = '\0';
    if (!expr) {
        p.expr = "";
        return fail(&p, "expected 5 fields, got none");
    }
    end = s + strlen(s);
    while (s < end && is_space(*s))
        s++;
    while (end > s && is_space(end[-1]))
        end--;
    p.expr = s;
    p.expr_len = (size_t)(end - s);

    if (s < end && *s == '@') {
        for (size_t i = 0; i < sizeof MACROS / sizeof MACROS[0]; i++) {
            if (strlen(MACROS[i].macro) == p.expr_len &&
                strncmp(MACROS[i].macro, s, p.expr_len) == 0)
                return fail(&p, "macros like %s are not supported by ACR; write the five "
                                "fields \"%s\"", MACROS[i].macro, MACROS[i].fields);
        }
        return fail(&p, "macros (@...) are not supported by ACR; write the five fields "
                        "minute hour day-of-month month day-of-week");
    }

    while (s < end) {
        const char *e = s;
        while (e < end && !is_space(*e))
            e++;
        if (nfields < 5)
            fields[nfields] = (struct cron_span){ &FIELDS[nfields], s, e };
        nfields++;
        s = e;
        while (s < end && is_space(*s))
            s++;
    }
    if (nfields != 5) {
        if (nfields == 6 || nfields == 7)
            return fail(&p, "expected 5 fields, got %zu (ACR has no seconds or year field)",
                        nfields);
        return fail(&p, "expected 5 fields, got %zu", nfields);
    }
    for (size_t i = 0; i < 5; i++) {
        if (!parse_field(&p, &fields[i], &bits[i]))
            return false;
    }

    c.minutes = bits[0];
    c.hours = (uint32_t)bits[1];
    c.mdays = (uint32_t)bits[2];
    c.months = (uint16_t)bits[3];
    /* 7 is Sunday too. */
    c.wdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7fu);
    /* Vixie cron: a day field is unrestricted when its text begins with '*' (so "*" and
     * "*" + "/2" both are); '?' is the same as '*'. */
    c.mday_star = fields[2].s[0] == '*' || fields[2].s[0] == '?';
    c.wday_star = fields[4].s[0] == '*' || fields[4].s[0] == '?';
    if (out)
        *out = c;
    return true;
}
