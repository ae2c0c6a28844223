/* format.c - small formatting helpers shared by the renderers. */
#include "render.h"

#include <inttypes.h>
#include <string.h>

char *render_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        snprintf(buf, len, "%" PRIu64 " B", bytes);
        return buf;
    }
    double v = (double)bytes / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

void render_json_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* runs that need no escape go out in one write: this is the inner loop of a JSON
         * report listing a million deletions */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\') p++;
        if (p > run) fwrite(run, 1, (size_t)(p - run), fp);
        if (!*p) break;
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
            else fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

void render_json_warnings_end(FILE *fp, char *const *warnings, size_t n)
{
    fputs("\"warnings\": [", fp);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    " : "\n    ", fp);
        render_json_string(fp, warnings[i]);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", fp);
}

const char *render_ellipsize(const char *s, size_t max, char *buf, size_t len)
{
    size_t n = strlen(s);
    if (n <= max || max < 5 || len < 8) return s;
    if (max > len - 1) max = len - 1;
    /* keep both ends: names that differ only at the end (…-v1, …-v2) stay apart */
    size_t head = (max - 3 + 1) / 2, tail = max - 3 - head;
    const char *t = s + n - tail;
    /* never cut a UTF-8 character */
    while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80) head--;
    while (*t && ((unsigned char)*t & 0xC0) == 0x80) t++;
    snprintf(buf, len, "%.*s...%s", (int)head, s, t);
    return buf;
}

size_t render_name_width(const struct simulation *s, size_t min, size_t max)
{
    size_t w = min;
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        size_t n = strlen(s->rr.pol[i].p->name);
        if (n > w) w = n;
    }
    return w < max ? w : max;
}

char *render_period_money_label(const struct simulation *s, const struct cost_series *cs, char *buf, size_t len)
{
    if (cs->acct_whole_month) snprintf(buf, len, "%s/mo", s->cost.currency);
    else snprintf(buf, len, "%s/%zud", s->cost.currency, cs->acct_days);
    return buf;
}
