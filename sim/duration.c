/* duration.c - acr purge's --ago as acr-cli reads it: Sscanf("%dd%s"), then Go's ParseDuration. */
#include "duration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gomsg.h"

#define NS_PER_HOUR  (INT64_C(3600) * 1000000000)
#define MAX_AGO_DAYS INT64_C(54750) /* acr-cli's maxAgoDurationYears (150) * 365 */
#define MAX_PLAIN_DAYS INT64_C(36500)

/* What acr-cli reports when --ago is blank. Go's fmt.Sscanf("%s") on blank input actually
 * returns io.EOF ("EOF"); sim/RULES.md §2 says "unexpected EOF", and the doc is the
 * contract here. Kept in one place so it is a one-line change if the doc is corrected. */
#define AGO_BLANK_ERROR "unexpected EOF"
/* Sscanf input newlines must match the format, so a newline before the first word fails. */
#define AGO_NEWLINE_ERROR "unexpected newline"

/* ---- Go's integer semantics ---- */

/* Two's-complement reinterpretation, without relying on implementation-defined conversion. */
static int64_t wrap_i64(uint64_t u)
{
    if (u <= (uint64_t)INT64_MAX)
        return (int64_t)u;
    return -(int64_t)(UINT64_MAX - u) - 1;
}

/* Go's int64 (time.Duration) * and + wrap silently on overflow; acr-cli relies on that. */
static int64_t go_mul(int64_t a, int64_t b)
{
    return wrap_i64((uint64_t)a * (uint64_t)b);
}

static int64_t go_add(int64_t a, int64_t b)
{
    return wrap_i64((uint64_t)a + (uint64_t)b);
}

/* ---- time.ParseDuration ---- */

static bool dur_fail(char *err, size_t errlen, const char *what, const char *orig, size_t orig_n)
{
    struct gomsg m;

    gomsg_init(&m, err, errlen);
    gomsg_puts(&m, "time: ");
    gomsg_puts(&m, what);
    gomsg_putc(&m, ' ');
    gomsg_quote(&m, orig, orig_n);
    return false;
}

static bool dur_fail_unit(char *err, size_t errlen, const char *u, size_t un, const char *orig,
                          size_t orig_n)
{
    struct gomsg m;

    gomsg_init(&m, err, errlen);
    gomsg_puts(&m, "time: unknown unit ");
    gomsg_quote(&m, u, un);
    gomsg_puts(&m, " in duration ");
    gomsg_quote(&m, orig, orig_n);
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Nanoseconds per unit, or 0 for a unit Go does not know. Both micro signs are accepted:
 * U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU. */
static uint64_t unit_ns(const char *u, size_t n)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000},
        {"\xce\xbcs", 1000},
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", UINT64_C(60) * 1000000000},
        {"h", UINT64_C(3600) * 1000000000},
    };

    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ns;
    return 0;
}

/* Go's time.ParseDuration over s[0..n), step for step, including its overflow checks and its
 * float64 arithmetic for fractions (so "0.3333333333333333333h" is exactly 20m, as in Go). */
static bool go_parse_duration(const char *s, size_t n, int64_t *out, char *err, size_t errlen)
{
    const uint64_t two63 = UINT64_C(1) << 63;
    const char *orig = s;
    const size_t orig_n = n;
    uint64_t d = 0;
    bool neg = false;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    if (n == 0)
        return dur_fail(err, errlen, "invalid duration", orig, orig_n);

    while (n > 0) {
        uint64_t v = 0, f = 0, unit;
        double scale = 1;
        bool pre, post = false;
        size_t i;

        if (!(s[0] == '.' || is_digit(s[0])))
            return dur_fail(err, errlen, "invalid duration", orig, orig_n);

        /* leadingInt: [0-9]*, failing beyond 1<<63 */
        for (i = 0; i < n && is_digit(s[i]); i++) {
            if (v > two63 / 10)
                return dur_fail(err, errlen, "invalid duration", orig, orig_n);
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > two63)
                return dur_fail(err, errlen, "invalid duration", orig, orig_n);
        }
        pre = i > 0;
        s += i;
        n -= i;

        /* leadingFraction: (\.[0-9]*)?, which stops gaining precision instead of failing */
        if (n > 0 && s[0] == '.') {
            bool overflow = false;
            s++;
            n--;
            for (i = 0; i < n && is_digit(s[i]); i++) {
                uint64_t y;
                if (overflow)
                    continue;
                if (f > (uint64_t)INT64_MAX / 10) {
                    overflow = true;
                    continue;
                }
                y = f * 10 + (uint64_t)(s[i] - '0');
                if (y > two63) {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = i > 0;
            s += i;
            n -= i;
        }
        if (!pre && !post)
            return dur_fail(err, errlen, "invalid duration", orig, orig_n);

        /* The unit is everything up to the next '.' or digit. */
        for (i = 0; i < n && s[i] != '.' && !is_digit(s[i]); i++)
            ;
        if (i == 0)
            return dur_fail(err, errlen, "missing unit in duration", orig, orig_n);
        unit = unit_ns(s, i);
        if (unit == 0)
            return dur_fail_unit(err, errlen, s, i, orig, orig_n);
        s += i;
        n -= i;

        if (v > two63 / unit)
            return dur_fail(err, errlen, "invalid duration", orig, orig_n);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > two63)
                return dur_fail(err, errlen, "invalid duration", orig, orig_n);
        }
        d += v;
        if (d > two63)
            return dur_fail(err, errlen, "invalid duration", orig, orig_n);
    }
    if (neg) {
        *out = wrap_i64(0 - d); /* -(1<<63) is representable: "-9223372036854775808ns" is valid */
        return true;
    }
    if (d > (uint64_t)INT64_MAX)
        return dur_fail(err, errlen, "invalid duration", orig, orig_n);
    *out = (int64_t)d;
    return true;
}

bool duration_parse_go(const char *s, int64_t *ns, char *err, size_t errlen)
{
    int64_t v;

    if (!s)
        s = "";
    if (!go_parse_duration(s, strlen(s), &v, err, errlen))
        return false;
    *ns = v;
    if (err && errlen > 0)
        err[0] = '\0';
    return true;
}

/* ---- fmt.Sscanf, as far as "%dd%s", "%dd" and "%s" use it ---- */

/* One rune as Go's utf8.DecodeRune reads it: invalid or truncated UTF-8 gives U+FFFD with
 * width 1, so the scanner steps over bad input one byte at a time, like Go's. */
static uint32_t decode_rune(const unsigned char *s, size_t n, size_t *width)
{
    unsigned char b0 = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    uint32_t r;

    *width = 1;
    if (b0 < 0x80)
        return b0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 2;
        r = b0 & 0x1fu;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 3;
        r = b0 & 0x0fu;
        if (b0 == 0xe0)
            lo = 0xa0; /* no overlong forms */
        if (b0 == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 4;
        r = b0 & 0x07u;
        if (b0 == 0xf0)
            lo = 0x90;
        if (b0 == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        return 0xfffd;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0xfffd;
    r = (r << 6) | (s[1] & 0x3fu);
    for (size_t i = 2; i < need; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0xfffd;
        r = (r << 6) | (s[i] & 0x3fu);
    }
    *width = need;
    return r;
}

/* fmt's isSpace: the Unicode White_Space ranges below U+10000. */
static bool is_go_space(uint32_t r)
{
    static const uint32_t ranges[][2] = {
        {0x0009, 0x000d}, {0x0020, 0x0020}, {0x0085, 0x0085}, {0x00a0, 0x00a0},
        {0x1680, 0x1680}, {0x2000, 0x200a}, {0x2028, 0x2029}, {0x202f, 0x202f},
        {0x205f, 0x205f}, {0x3000, 0x3000},
    };

    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (r >= ranges[i][0] && r <= ranges[i][1])
            return true;
    return false;
}

struct scanner {
    const unsigned char *s;
    size_t n;
    size_t pos;
};

static bool sc_eof(const struct scanner *sc)
{
    return sc->pos >= sc->n;
}

static uint32_t sc_peek(const struct scanner *sc, size_t *width)
{
    return decode_rune(sc->s + sc->pos, sc->n - sc->pos, width);
}

/* fmt's SkipSpace in Sscanf mode. "\r\n" is skipped as far as the '\n', which then fails. */
static bool sc_skip_space(struct scanner *sc)
{
    while (!sc_eof(sc)) {
        size_t w;
        uint32_t r = sc_peek(sc, &w);
        if (r == '\n')
            return false;
        if (!is_go_space(r))
            return true;
        sc->pos += w;
    }
    return true;
}

/* %d into a Go int (64-bit): spaces skipped, one optional sign, at least one digit, and
 * strconv.ParseInt's range. On failure the target is not assigned, so days stay 0. */
static bool sc_int(struct scanner *sc, int64_t *out)
{
    const uint64_t max_pos = (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    bool neg = false, overflow = false;

    if (!sc_skip_space(sc) || sc_eof(sc))
        return false;
    if (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-') {
        neg = sc->s[sc->pos] == '-';
        sc->pos++;
    }
    if (sc_eof(sc) || !is_digit((char)sc->s[sc->pos]))
        return false;
    while (!sc_eof(sc) && is_digit((char)sc->s[sc->pos])) {
        unsigned dig = (unsigned)(sc->s[sc->pos] - '0');
        if (mag > (max_pos + 1 - dig) / 10)
            overflow = true;
        else
            mag = mag * 10 + dig;
        sc->pos++;
    }
    if (overflow || mag > max_pos + (neg ? 1 : 0))
        return false;
    *out = neg ? wrap_i64(0 - mag) : (int64_t)mag;
    return true;
}

/* %s: the next run of non-space runes. Go's scanner re-encodes each rune it reads, so an
 * invalid byte comes out as U+FFFD (EF BF BD); that only shows in error messages. Returns a
 * malloc'd NUL-terminated copy (the caller frees) and its length. */
static char *sc_word(struct scanner *sc, size_t *len)
{
    char *w = malloc(3 * (sc->n - sc->pos) + 1);
    size_t k = 0;

    if (!w) {
        (void)fputs("purgesim: out of memory\n", stderr);
        abort();
    }
    while (!sc_eof(sc)) {
        size_t width;
        uint32_t r = sc_peek(sc, &width);
        if (is_go_space(r))
            break;
        if (r == 0xfffd && width == 1) {
            w[k++] = (char)0xef;
            w[k++] = (char)0xbf;
            w[k++] = (char)0xbd;
        } else {
            for (size_t i = 0; i < width; i++)
                w[k++] = (char)sc->s[sc->pos + i];
        }
        sc->pos += width;
    }
    w[k] = '\0';
    *len = k;
    return w;
}

/* The scan half of acr-cli's parseDuration (sim/RULES.md §2):
 *   if the text contains 'd': Sscanf("%dd%s", &days, &word), and when that fails,
 *     Sscanf("%dd", &days) with word = "" -- days keep whatever %d managed to read;
 *   otherwise: Sscanf("%s", &word), whose failure is the error.
 * Returns false with *scan_err set only in the second case. *word is malloc'd or NULL. */
static bool scan_ago(const char *text, int64_t *days, char **word, size_t *word_len,
                     const char **scan_err)
{
    struct scanner sc = {(const unsigned char *)text, strlen(text), 0};

    *days = 0;
    *word = NULL;
    *word_len = 0;
    if (strchr(text, 'd')) {
        int64_t v;
        if (!sc_int(&sc, &v))
            return true;
        *days = v;
        /* The literal 'd' must follow the digits directly; then %s skips spaces (not
         * newlines) and needs at least one rune. */
        if (sc_eof(&sc) || sc.s[sc.pos] != 'd')
            return true;
        sc.pos++;
        if (!sc_skip_space(&sc) || sc_eof(&sc))
            return true;
        *word = sc_word(&sc, word_len);
        return true;
    }
    if (!sc_skip_space(&sc)) {
        *scan_err = AGO_NEWLINE_ERROR;
        return false;
    }
    if (sc_eof(&sc)) {
        *scan_err = AGO_BLANK_ERROR;
        return false;
    }
    *word = sc_word(&sc, word_len);
    return true;
}

static void res_reset(struct duration_result *res)
{
    res->ns = 0;
    res->capped = false;
    res->wrapped = false;
    res->err[0] = '\0';
}

static enum duration_status res_error(struct duration_result *res, const char *text)
{
    res->ns = 0;
    (void)snprintf(res->err, sizeof res->err, "%s", text);
    return DURATION_ERROR;
}

/* acr-cli v0.17+ parseDuration (cmd/acr/purge.go), including the order of its checks: days
 * are capped before anything is parsed, an "invalid duration" (or any message containing
 * "overflow") becomes the cap, and the final sum can still wrap, as Go's does. */
enum duration_status duration_parse_ago(const char *text, struct duration_result *res)
{
    const int64_t max_ns = go_mul(go_mul(MAX_AGO_DAYS, 24), NS_PER_HOUR);
    int64_t days, orig_days, duration;
    char *word;
    size_t word_len;
    const char *scan_err = NULL;
    bool days_capped = false;

    res_reset(res);
    if (!scan_ago(text ? text : "", &days, &word, &word_len, &scan_err))
        return res_error(res, scan_err);

    orig_days = days;
    if (days > MAX_AGO_DAYS) {
        days = MAX_AGO_DAYS;
        days_capped = true;
        res->capped = true;
    }
    /* time.Duration(days) * 24 * time.Hour: a large negative day count wraps in Go. */
    duration = go_mul(go_mul(days, 24), NS_PER_HOUR);

    if (word_len > 0) {
        int64_t ago;
        char err[sizeof res->err];

        if (!go_parse_duration(word, word_len, &ago, err, sizeof err)) {
            /* acr-cli matches on the message text, quoted input included: a unit spelled
             * "overflow" is capped too. */
            if (!strstr(err, "invalid duration") && !strstr(err, "overflow")) {
                free(word);
                return res_error(res, err);
            }
            if (days_capped) {
                free(word);
                res->ns = duration;
                return DURATION_OK;
            }
            ago = max_ns;
            res->capped = true;
        }
        if (ago > max_ns) {
            ago = max_ns;
            if (orig_days <= MAX_AGO_DAYS && !days_capped)
                res->capped = true;
        }
        /* Up to two caps' worth can exceed int64: Go wraps here, so "54750d1314001h" ends up
         * negative (a cutoff in the future). Reproduced on purpose. */
        duration = go_add(duration, ago);
        if (duration > max_ns)
            duration = max_ns;
    }
    free(word);
    res->ns = duration;
    return DURATION_OK;
}

/* acr-cli parseDuration before v0.18 (cmd/acr/purge.go in the Azure/acr-cli releases v0.11 to
 * v0.17, unchanged but for lint): the same scan, no cap, no warning, every Go error is an
 * error, and `time.Duration(days) * 24 * time.Hour` wraps silently past int64. Issue 560 of
 * Azure/acr-cli ("--ago flag ignores time filter with large values", December 2025, seen with
 * the 0.14 image) reports the result: `--ago 999999d` wraps to about -184.9 years, so
 * parseDuration's `-1 * duration` puts the cutoff 184.9 years in the future and every matching
 * tag (and, from 0.17, every untagged manifest) is old enough: all are deleted. acr-cli v0.18
 * (PR #564, "enforce ago limits") fixed it with the 150-year cap of duration_parse_ago(). */
enum duration_status duration_parse_ago_v016(const char *text, struct duration_result *res)
{
    int64_t days, duration, exact;
    char *word;
    size_t word_len;
    const char *scan_err = NULL;

    res_reset(res);
    if (!scan_ago(text ? text : "", &days, &word, &word_len, &scan_err))
        return res_error(res, scan_err);
    duration = go_mul(go_mul(days, 24), NS_PER_HOUR);
    res->wrapped = __builtin_mul_overflow(days, 24 * NS_PER_HOUR, &exact);
    if (word_len > 0) {
        int64_t ago;
        char err[sizeof res->err];

        if (!go_parse_duration(word, word_len, &ago, err, sizeof err)) {
            free(word);
            return res_error(res, err);
        }
        res->wrapped = res->wrapped || __builtin_add_overflow(duration, ago, &exact);
        duration = go_add(duration, ago);
    }
    free(word);
    res->ns = duration;
    return DURATION_OK;
}

bool duration_parse_days(const char *s, int64_t *days)
{
    int64_t v = 0;
    size_t i = 0;

    if (!s || !is_digit(s[0]))
        return false;
    for (; is_digit(s[i]); i++) {
        v = v * 10 + (s[i] - '0');
        if (v > MAX_PLAIN_DAYS)
            return false;
    }
    if (s[i] == 'd')
        i++;
    if (s[i] != '\0')
        return false;
    *days = v;
    return true;
}
