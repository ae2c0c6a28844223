/* plot.c - charts of a simulation with GNU libplot, as SVG and PNG: stored units per policy per
 * day with the SKU's included line, storage money per calendar month per policy (grouped bars;
 * the SKU fee, the same for every policy, in a note), and the top repositories by reclaimable
 * GiB (a chart as tall as its bars). With a report's month (report --month) the stored chart
 * shows the month and the month before it, shaded apart, and the money chart the month and up
 * to five before it, the month marked. The data space is mapped to pixels here, by hand, so
 * text keeps its size whatever the numbers are. The figures come from sim/cost_series.c. */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <plot.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "png_stable.h"
#include "timeu.h"

#define W 900.0
#define H 540.0
#define LEFT 90.0
#define RIGHT 200.0   /* room for the legend */
#define BOTTOM 70.0
#define TOP 64.0      /* room for the title and a note under it */
#define LEGEND_CHARS 20
#define MONTH_CONTEXT 5   /* months before a report's month in the money chart */
#define BAR_ROW 36.0      /* pixels per bar of the top-repositories chart */

static const char *const COLORS[] = {"black", "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                     "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};
#define N_COLORS (sizeof COLORS / sizeof COLORS[0])
#define SHADE "#e6eef8"

struct chart {
    plPlotter *pl;
    plPlotterParams *params;
    FILE *fp;                  /* what libplot writes to */
    FILE *dest;                /* a PNG's file: fp is a memory stream, copied here stable */
    char *png;                 /* the memory stream's buffer */
    size_t png_len;
    struct output *out;        /* the file (name.svg|png) came from it, and goes back to it */
    char name[64];
    bool svg;
    double h;                  /* height in pixels (the width is W) */
};

/* Where a chart goes: `to` (an SVG stream, e.g. for an HTML page), else name.svg|png in `out`. */
struct chart_target {
    struct output *out;
    FILE *to;
};

static bool chart_open(struct chart *c, const struct chart_target *tg, const char *name, bool svg, double h)
{
    memset(c, 0, sizeof *c);
    c->svg = svg;
    c->h = h;
    snprintf(c->name, sizeof c->name, "%s.%s", name, svg ? "svg" : "png");
    if (tg->to) {
        c->fp = tg->to;
    } else {
        c->out = tg->out;
        c->fp = output_open(c->out, c->name);
        if (!c->fp) return false;
        if (!svg) {   /* libplot's PNG carries the time it was drawn: filtered out on close */
            c->dest = c->fp;
            c->fp = open_memstream(&c->png, &c->png_len);
            if (!c->fp) {
                fprintf(stderr, "purgesim: %s: out of memory\n", c->name);
                return false;
            }
        }
    }
    c->params = pl_newplparams();
    char size[32], page[64];
    snprintf(size, sizeof size, "%.0fx%.0f", W, h);
    snprintf(page, sizeof page, "a4,xsize=%.2fin,ysize=%.2fin", W / 100, h / 100);
    pl_setplparam(c->params, "BITMAPSIZE", size);
    pl_setplparam(c->params, "PAGESIZE", svg ? page : "a4");
    pl_setplparam(c->params, "BG_COLOR", "white");
    pl_setplparam(c->params, "INTERLACE", "no");
    c->pl = pl_newpl_r(svg ? "svg" : "png", NULL, c->fp, stderr, c->params);
    if (!c->pl || pl_openpl_r(c->pl) < 0) {
        fprintf(stderr, "purgesim: %s: libplot could not open a plotter\n", c->name);
        return false;
    }
    pl_fspace_r(c->pl, 0, 0, W, h);
    pl_erase_r(c->pl);
    pl_fontname_r(c->pl, svg ? "Helvetica" : "HersheySans");
    pl_ffontsize_r(c->pl, 13);
    pl_flinewidth_r(c->pl, 1.2);
    pl_pencolorname_r(c->pl, "black");
    return true;
}

static bool chart_close(struct chart *c, bool ok)
{
    if (c->pl) {
        pl_closepl_r(c->pl);
        pl_deletepl_r(c->pl);
    }
    if (c->params) pl_deleteplparams(c->params);
    if (!c->out) return ok && c->fp && !ferror(c->fp);
    if (c->dest) {
        if (c->fp && fclose(c->fp) == 0) {
            if (ok && !png_write_stable((const unsigned char *)c->png, c->png_len, c->dest)) ok = false;
        } else {
            ok = false;
        }
        free(c->png);
        c->fp = c->dest;
    }
    if (c->fp && output_close(c->out, c->fp) != 0) ok = false;
    return ok;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `want` ticks over `span`. */
static double nice_step(double span, int want)
{
    if (!(span > 0)) return 1;
    double raw = span / want, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void text(plPlotter *pl, double x, double y, int hj, int vj, const char *s)
{
    pl_fmove_r(pl, x, y);
    pl_alabel_r(pl, hj, vj, s);
}

static void box(plPlotter *pl, const char *color, double x0, double y0, double x1, double y1)
{
    pl_pencolorname_r(pl, color);
    pl_fillcolorname_r(pl, color);
    pl_filltype_r(pl, 1);
    pl_fbox_r(pl, x0, y0, x1, y1);
    pl_filltype_r(pl, 0);
    pl_pencolorname_r(pl, "black");
}

/* The title, a note under it (may be NULL) and the y label. */
static void title_and_label(plPlotter *pl, const char *title, const char *note, const char *ylabel)
{
    pl_ffontsize_r(pl, 17);
    text(pl, LEFT, H - 20, 'l', 'c', title);
    pl_ffontsize_r(pl, 12);
    pl_pencolorname_r(pl, "#555555");
    if (note) text(pl, LEFT, H - 42, 'l', 'c', note);
    pl_ffontsize_r(pl, 13);
    pl_pencolorname_r(pl, "black");
    pl_ftextangle_r(pl, 90);
    text(pl, 22, (BOTTOM + H - TOP) / 2, 'c', 'c', ylabel);
    pl_ftextangle_r(pl, 0);
}

static void axes(plPlotter *pl)
{
    pl_pencolorname_r(pl, "black");
    pl_fline_r(pl, LEFT, BOTTOM, W - RIGHT, BOTTOM);
    pl_fline_r(pl, LEFT, BOTTOM, LEFT, H - TOP);
}

/* Y ticks from 0 to ymax; returns the axis maximum used. */
static double y_ticks(plPlotter *pl, double ymax, int decimals)
{
    double step = nice_step(ymax > 0 ? ymax : 1, 5), top = step * ceil((ymax > 0 ? ymax : 1) / step);
    /* enough decimals that ticks differ (a step of 0.02 needs two) */
    int need = step < 1 ? (int)ceil(-log10(step) - 1e-9) : 0;
    if (need > decimals) decimals = need;
    for (double v = 0; v <= top + step / 2; v += step) {
        double y = BOTTOM + (H - TOP - BOTTOM) * v / top;
        char buf[32];
        snprintf(buf, sizeof buf, "%.*f", decimals, v);
        pl_pencolorname_r(pl, "#dddddd");
        pl_fline_r(pl, LEFT, y, W - RIGHT, y);
        pl_pencolorname_r(pl, "black");
        pl_fline_r(pl, LEFT - 5, y, LEFT, y);
        text(pl, LEFT - 8, y, 'r', 'c', buf);
    }
    return top;
}

static void legend_entry(plPlotter *pl, size_t i, const char *color, const char *label, bool filled)
{
    double x = W - RIGHT + 20, y = H - TOP - 10 - 22.0 * (double)i;
    if (filled) {
        box(pl, color, x, y - 6, x + 20, y + 6);
    } else {
        pl_pencolorname_r(pl, color);
        pl_flinewidth_r(pl, 2.5);
        pl_fline_r(pl, x, y, x + 20, y);
        pl_flinewidth_r(pl, 1.2);
    }
    pl_pencolorname_r(pl, "black");
    char buf[64];
    pl_ffontsize_r(pl, 12);
    text(pl, x + 28, y, 'l', 'c', render_ellipsize(label, LEGEND_CHARS, buf, sizeof buf));
    pl_ffontsize_r(pl, 13);
}

static void month_name(int64_t month_ns, char *buf, size_t len)
{
    char date[24];
    timeu_format_date(month_ns, date, sizeof date);
    snprintf(buf, len, "%.7s", date);
}

/* The days the stored chart shows: the window, or a report's month and the month before. */
static void stored_range(const struct simulation *s, const struct cost_series *cs, size_t *d0, size_t *d1)
{
    *d0 = 0;
    *d1 = cs->n_days;
    if (!s->o.month || !cs->acct_days) return;
    *d1 = cs->acct_first + cs->acct_days;
    *d0 = cs->acct_month > 0 ? cs->pol[0].months[cs->acct_month - 1].first_day : cs->acct_first;
}

static bool chart_stored(const struct simulation *s, const struct cost_series *cs, const struct chart_target *tg,
                         bool svg)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    struct chart ch;
    if (!chart_open(&ch, tg, "stored", svg, H)) return chart_close(&ch, false);
    plPlotter *pl = ch.pl;
    size_t d0, d1;
    stored_range(s, cs, &d0, &d1);
    bool month = d1 > d0 && s->o.month && cs->acct_days;
    double ymax = 0;
    for (size_t i = 0; i < cs->n_pol; i++)
        for (size_t d = d0; d < d1; d++)
            if (cs->pol[i].stored_units[d] > ymax) ymax = cs->pol[i].stored_units[d];
    /* the included line only when it is near the data: else it would flatten the lines */
    bool included_shown = c->included_units > 0 && c->included_units <= ymax * 2;
    if (included_shown && c->included_units > ymax) ymax = c->included_units;

    char t[160], note[200], month_lbl[16] = "", prev_lbl[16] = "";
    if (month) {
        month_name(cs->pol[0].months[cs->acct_month].month_ns, month_lbl, sizeof month_lbl);
        if (d0 < cs->acct_first) month_name(cs->pol[0].months[cs->acct_month - 1].month_ns, prev_lbl, sizeof prev_lbl);
        snprintf(t, sizeof t, "Stored %s per policy, %s", c->unit, month_lbl);
    } else {
        snprintf(t, sizeof t, "Stored %s per policy", c->unit);
    }
    int n = snprintf(note, sizeof note, "%s at the end of each day (UTC)",
                     c->dedup ? "deduplicated blobs" : "sum of imageSize");
    if (prev_lbl[0] && n > 0 && (size_t)n < sizeof note)
        n += snprintf(note + n, sizeof note - (size_t)n, "; %s shaded, %s before it for context", month_lbl, prev_lbl);
    title_and_label(pl, t, note, c->unit);

    size_t nd = d1 - d0 > 1 ? d1 - d0 - 1 : 1;
    /* one day alone sits in the middle */
#define XDAY(d) (d1 - d0 == 1 ? (LEFT + W - RIGHT) / 2 : LEFT + (W - RIGHT - LEFT) * (double)((d) - d0) / (double)nd)
    if (prev_lbl[0]) {
        /* the month shaded, from half a day before its first day */
        double x = XDAY(cs->acct_first) - (W - RIGHT - LEFT) / (double)nd / 2;
        box(pl, SHADE, x, BOTTOM, W - RIGHT, H - TOP);
        pl_ffontsize_r(pl, 12);
        pl_pencolorname_r(pl, "#555555");
        text(pl, (x + W - RIGHT) / 2, H - TOP - 10, 'c', 'c', month_lbl);
        text(pl, (LEFT + x) / 2, H - TOP - 10, 'c', 'c', "context");
        pl_ffontsize_r(pl, 13);
        pl_pencolorname_r(pl, "black");
    }
    double top = y_ticks(pl, ymax * 1.05, ymax < 10 ? 1 : 0);
    axes(pl);
    /* date ticks on whole days: weekly over two months or less */
    size_t span = d1 - d0, step = span <= 15 ? 2 : span <= 70 ? 7 : span / 6 + 1;
    for (size_t d = d0; d < d1; d += step) {
        double x = XDAY(d);
        char date[24];
        timeu_format_date(rr->first_day_ns + (int64_t)d * TIMEU_NS_PER_DAY, date, sizeof date);
        pl_fline_r(pl, x, BOTTOM, x, BOTTOM - 5);
        text(pl, x, BOTTOM - 18, 'c', 'c', month ? date + 5 : date);
    }
    text(pl, (LEFT + W - RIGHT) / 2, BOTTOM - 42, 'c', 'c', month ? "day (UTC; month-day)" : "date (UTC)");
    size_t li = 0;
    if (c->included_units > 0 && !included_shown) {
        /* in the legend's first place, where the included line's entry would be */
        char l1[64], l2[64];
        snprintf(l1, sizeof l1, "%s includes", c->sku_name ? c->sku_name : "the SKU");
        snprintf(l2, sizeof l2, "%.0f %s (off the chart)", c->included_units, c->unit);
        pl_ffontsize_r(pl, 12);
        pl_pencolorname_r(pl, "#555555");
        text(pl, W - RIGHT + 20, H - TOP - 4, 'l', 'c', l1);
        text(pl, W - RIGHT + 20, H - TOP - 20, 'l', 'c', l2);
        pl_ffontsize_r(pl, 13);
        pl_pencolorname_r(pl, "black");
        li = 2;
    }
    if (included_shown) {
        double y = BOTTOM + (H - TOP - BOTTOM) * c->included_units / top;
        pl_linemod_r(pl, "longdashed");
        pl_pencolorname_r(pl, "#888888");
        pl_fline_r(pl, LEFT, y, W - RIGHT, y);
        char lbl[64];
        snprintf(lbl, sizeof lbl, "%s included", c->sku_name ? c->sku_name : "SKU");
        legend_entry(pl, li++, "#888888", lbl, false);
        pl_linemod_r(pl, "solid");
    }
    for (size_t i = 0; i < cs->n_pol; i++) {
        const char *color = COLORS[i % N_COLORS];
        pl_pencolorname_r(pl, color);
        pl_flinewidth_r(pl, 2.0);
        for (size_t d = d0; d < d1; d++) {
            double x = XDAY(d), y = BOTTOM + (H - TOP - BOTTOM) * cs->pol[i].stored_units[d] / top;
            if (d == d0) pl_fmove_r(pl, x, y);
            else pl_fcont_r(pl, x, y);
        }
        pl_endpath_r(pl);
        if (d1 - d0 == 1) {
            /* a line needs two days: mark the one */
            pl_fillcolorname_r(pl, color);
            pl_fmarker_r(pl, XDAY(d0), BOTTOM + (H - TOP - BOTTOM) * cs->pol[i].stored_units[d0] / top, 16, 10);
        }
        pl_flinewidth_r(pl, 1.2);
        legend_entry(pl, li++, color, rr->pol[i].p->name, false);
    }
#undef XDAY
    return chart_close(&ch, true);
}

static bool chart_money(const struct simulation *s, const struct cost_series *cs, const struct chart_target *tg,
                        bool svg)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    size_t k0 = 0, k1 = cs->n_months;
    bool month = s->o.month && cs->acct_days;
    if (month) {
        k1 = cs->acct_month + 1;
        k0 = k1 > MONTH_CONTEXT + 1 ? k1 - MONTH_CONTEXT - 1 : 0;
    }
    if (k1 - k0 > 240) k0 = k1 - 240;
    size_t nm = k1 > k0 ? k1 - k0 : 1;
    double ymax = 0;
    for (size_t i = 0; i < cs->n_pol; i++)
        for (size_t k = k0; k < k1; k++)
            if (cs->pol[i].months[k].storage > ymax) ymax = cs->pol[i].months[k].storage;

    struct chart ch;
    if (!chart_open(&ch, tg, "monthly-cost", svg, H)) return chart_close(&ch, false);
    plPlotter *pl = ch.pl;
    char t[128], yl[32], note[200];
    snprintf(t, sizeof t, "Storage %s per month per policy", c->currency);
    if (c->sku_name && c->sku_fee_unknown)
        snprintf(note, sizeof note, "overage above the included %.0f %s; SKU fee not known in %s", c->included_units,
                 c->unit, c->currency);
    else if (c->sku_name && month) {
        /* the report's tables give the fee of the report's month (its days in the history), so
           the chart beside them says the same figure */
        struct cost_period cp;
        cost_period(c, 0, &cp);
        snprintf(note, sizeof note, "overage above the included %.0f %s; plus the %s SKU fee, %.2f %s over the %zu "
                 "day%s of %s, for every policy", c->included_units, c->unit, c->sku_name, cp.sku_fee, c->currency,
                 cp.days, cp.days == 1 ? "" : "s", s->o.month);
    } else if (c->sku_name)
        snprintf(note, sizeof note, "overage above the included %.0f %s; plus the %s SKU fee, %.2f %s per average "
                 "month for every policy", c->included_units, c->unit, c->sku_name, cs->sku_fee_per_month,
                 c->currency);
    else
        snprintf(note, sizeof note, "all stored %s (SKU unknown: no included storage, no fee)", c->unit);
    snprintf(yl, sizeof yl, "%s", c->currency);
    title_and_label(pl, t, note, yl);
    double gw = (W - RIGHT - LEFT) / (double)nm, bw = gw * 0.8 / (double)(cs->n_pol ? cs->n_pol : 1);
    if (month) box(pl, SHADE, LEFT + gw * (double)(k1 - 1 - k0), BOTTOM, W - RIGHT, H - TOP);
    double top = y_ticks(pl, ymax * 1.08, ymax < 10 ? 2 : 0);
    axes(pl);
    /* values over the bars when they fit: about 7 pixels per character at size 10 */
    bool labels = ymax > 0 && bw >= 30;
    for (size_t k = k0; k < k1; k++) {
        const struct cost_month *cm = &cs->pol[0].months[k];
        char lbl[16], days[32];
        month_name(cm->month_ns, lbl, sizeof lbl);
        double xc = LEFT + gw * ((double)(k - k0) + 0.5);
        pl_pencolorname_r(pl, "black");
        if (nm <= 12 || (k - k0) % (nm / 12 + 1) == 0) {
            text(pl, xc, BOTTOM - 16, 'c', 'c', lbl);
            if (!cm->whole) {
                snprintf(days, sizeof days, "(%zu day%s)", cm->days, cm->days == 1 ? "" : "s");
                pl_ffontsize_r(pl, 11);
                text(pl, xc, BOTTOM - 31, 'c', 'c', days);
                pl_ffontsize_r(pl, 13);
            }
        }
        for (size_t i = 0; i < cs->n_pol; i++) {
            double x = LEFT + gw * (double)(k - k0) + gw * 0.1 + bw * (double)i;
            double v = cs->pol[i].months[k].storage, h = (H - TOP - BOTTOM) * v / top;
            if (h > 0) box(pl, COLORS[i % N_COLORS], x, BOTTOM, x + bw * 0.9, BOTTOM + (h > 1 ? h : 1));
            if (labels) {
                /* the value over its bar, so a zero reads as zero rather than as missing */
                char val[32];
                snprintf(val, sizeof val, v > 0 && v < 0.005 ? "<0.01" : v < 100 ? "%.2f" : "%.0f", v);
                pl_ffontsize_r(pl, 10);
                text(pl, x + bw * 0.45, BOTTOM + (h > 1 ? h : 1) + 8, 'c', 'c', val);
                pl_ffontsize_r(pl, 13);
            }
        }
    }
    if (!(ymax > 0)) {
        char msg[160];
        if (c->included_units > 0)
            snprintf(msg, sizeof msg, "no policy stores more than the included %.0f %s in these months", c->included_units,
                     c->unit);
        else
            snprintf(msg, sizeof msg, "no storage money in these months");
        text(pl, (LEFT + W - RIGHT) / 2, (BOTTOM + H - TOP) / 2, 'c', 'c', msg);
    }
    pl_pencolorname_r(pl, "black");
    text(pl, (LEFT + W - RIGHT) / 2, BOTTOM - 50, 'c', 'c',
         month ? "month (the report's month shaded; days in the history only)" : "month (days in the window only)");
    for (size_t i = 0; i < cs->n_pol; i++) legend_entry(pl, i, COLORS[i % N_COLORS], rr->pol[i].p->name, true);
    return chart_close(&ch, true);
}

/* The top-repositories chart's height: a title, then one row per bar. */
static double top_height(const struct cost_result *c)
{
    return 70 + BAR_ROW * (double)(c->n_top ? c->n_top : 1) + 20;
}

static bool chart_top(const struct simulation *s, const struct chart_target *tg, bool svg)
{
    const struct cost_result *c = &s->cost;
    double h = top_height(c);
    struct chart ch;
    if (!chart_open(&ch, tg, "top-repositories", svg, h)) return chart_close(&ch, false);
    plPlotter *pl = ch.pl;
    char t[200], nb[64];
    snprintf(t, sizeof t, "Reclaimable GiB by repository under %s (sum of imageSize)",
             render_ellipsize(s->rr.pol[c->best].p->name, RENDER_NAME_MAX, nb, sizeof nb));
    pl_ffontsize_r(pl, 17);
    text(pl, 20, h - 22, 'l', 'c', t);
    pl_ffontsize_r(pl, 13);
    double max = 0;
    for (size_t k = 0; k < c->n_top; k++) {
        double g = (double)c->pol[c->best].repos[c->top[k]].reclaimed_bytes / 1073741824.0;
        if (g > max) max = g;
    }
    if (!c->n_top) text(pl, W / 2, h - 70 - BAR_ROW / 2, 'c', 'c', "no repository reclaims anything under any policy");
    double left = 300, right = W - 110;
    for (size_t k = 0; k < c->n_top; k++) {
        const struct cost_repo *cr = &c->pol[c->best].repos[c->top[k]];
        double g = (double)cr->reclaimed_bytes / 1073741824.0, y = h - 70 - BAR_ROW * ((double)k + 0.5);
        char name[48], val[32];
        const char *rn = s->m->repos[c->top[k]].name;
        if (strlen(rn) > 40) snprintf(name, sizeof name, "...%s", rn + strlen(rn) - 37);
        else snprintf(name, sizeof name, "%s", rn);
        pl_pencolorname_r(pl, "black");
        text(pl, left - 10, y, 'r', 'c', name);
        double x1 = left + (right - left) * (max > 0 ? g / max : 0);
        if (x1 < left + 1) x1 = left + 1;
        box(pl, COLORS[1], left, y - BAR_ROW * 0.35, x1, y + BAR_ROW * 0.35);
        snprintf(val, sizeof val, g < 10 ? "%.2f GiB" : "%.1f GiB", g);
        text(pl, x1 + 6, y, 'l', 'c', val);
    }
    return chart_close(&ch, true);
}

int render_sim_charts(const struct simulation *s, struct output *out)
{
    struct chart_target tg = {out, NULL};
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    int rc = 0;
    for (int svg = 1; svg >= 0 && rc == 0; svg--) {
        if (!chart_stored(s, &cs, &tg, svg) || !chart_money(s, &cs, &tg, svg) || !chart_top(s, &tg, svg)) rc = -1;
    }
    return rc;
}

int render_sim_chart_svg(const struct simulation *s, enum sim_chart which, FILE *fp)
{
    struct chart_target tg = {NULL, fp};
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    bool ok = which == CHART_STORED ? chart_stored(s, &cs, &tg, true)
              : which == CHART_MONTHLY_COST ? chart_money(s, &cs, &tg, true) : chart_top(s, &tg, true);
    return ok ? 0 : -1;
}
