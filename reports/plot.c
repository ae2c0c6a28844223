/* plot.c - charts of a simulation with GNU libplot, as SVG and PNG: stored GiB per policy over
 * time with the SKU's included line, money per month per policy (grouped bars), and the top
 * repositories by reclaimable GiB. The data space is mapped to pixels here, by hand, so text
 * keeps its size whatever the numbers are. */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <plot.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeu.h"

#define W 900.0
#define H 540.0
#define LEFT 90.0
#define RIGHT 200.0   /* room for the legend */
#define BOTTOM 70.0
#define TOP 50.0

static const char *const COLORS[] = {"black", "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                     "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};
#define N_COLORS (sizeof COLORS / sizeof COLORS[0])

struct chart {
    plPlotter *pl;
    plPlotterParams *params;
    FILE *fp;
    struct output *out;        /* fp came from it (name.svg|png), and goes back to it */
    char name[64];
    bool svg;
};

/* Where a chart goes: `to` (an SVG stream, e.g. for an HTML page), else name.svg|png in `out`. */
struct chart_target {
    struct output *out;
    FILE *to;
};

static bool chart_open(struct chart *c, const struct chart_target *tg, const char *name, bool svg)
{
    memset(c, 0, sizeof *c);
    c->svg = svg;
    snprintf(c->name, sizeof c->name, "%s.%s", name, svg ? "svg" : "png");
    if (tg->to) {
        c->fp = tg->to;
    } else {
        c->out = tg->out;
        c->fp = output_open(c->out, c->name);
        if (!c->fp) return false;
    }
    c->params = pl_newplparams();
    char size[32];
    snprintf(size, sizeof size, "%.0fx%.0f", W, H);
    pl_setplparam(c->params, "BITMAPSIZE", size);
    pl_setplparam(c->params, "PAGESIZE", svg ? "a4,xsize=9in,ysize=5.4in" : "a4");
    pl_setplparam(c->params, "BG_COLOR", "white");
    pl_setplparam(c->params, "INTERLACE", "no");
    c->pl = pl_newpl_r(svg ? "svg" : "png", NULL, c->fp, stderr, c->params);
    if (!c->pl || pl_openpl_r(c->pl) < 0) {
        fprintf(stderr, "purgesim: %s: libplot could not open a plotter\n", c->name);
        return false;
    }
    pl_fspace_r(c->pl, 0, 0, W, H);
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

static void title_and_axes(plPlotter *pl, const char *title, const char *ylabel)
{
    pl_ffontsize_r(pl, 17);
    text(pl, LEFT, H - 22, 'l', 'c', title);
    pl_ffontsize_r(pl, 13);
    pl_pencolorname_r(pl, "black");
    pl_fline_r(pl, LEFT, BOTTOM, W - RIGHT, BOTTOM);
    pl_fline_r(pl, LEFT, BOTTOM, LEFT, H - TOP);
    pl_ftextangle_r(pl, 90);
    text(pl, 22, (BOTTOM + H - TOP) / 2, 'c', 'c', ylabel);
    pl_ftextangle_r(pl, 0);
}

/* Y ticks from 0 to ymax; returns the axis maximum used. */
static double y_ticks(plPlotter *pl, double ymax, int decimals)
{
    double step = nice_step(ymax > 0 ? ymax : 1, 5), top = step * ceil((ymax > 0 ? ymax : 1) / step);
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

static void legend_entry(plPlotter *pl, size_t i, const char *color, const char *label, bool box)
{
    double x = W - RIGHT + 20, y = H - TOP - 10 - 22.0 * (double)i;
    pl_pencolorname_r(pl, color);
    if (box) {
        pl_fillcolorname_r(pl, color);
        pl_filltype_r(pl, 1);
        pl_fbox_r(pl, x, y - 6, x + 20, y + 6);
        pl_filltype_r(pl, 0);
    } else {
        pl_flinewidth_r(pl, 2.5);
        pl_fline_r(pl, x, y, x + 20, y);
        pl_flinewidth_r(pl, 1.2);
    }
    pl_pencolorname_r(pl, "black");
    char buf[40];
    snprintf(buf, sizeof buf, "%.24s", label);
    text(pl, x + 28, y, 'l', 'c', buf);
}

static bool chart_stored(const struct simulation *s, const struct chart_target *tg, bool svg)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    struct chart ch;
    bool ok = chart_open(&ch, tg, "stored", svg);
    if (!ok) return chart_close(&ch, false);
    plPlotter *pl = ch.pl;
    char t[128];
    snprintf(t, sizeof t, "Stored %s per policy (%s)", c->unit, c->dedup ? "deduplicated blobs" : "sum of imageSize");
    title_and_axes(pl, t, c->unit);
    double ymax = c->included_units;
    for (size_t i = 0; i < rr->n_pol; i++)
        if (c->pol[i].peak_units > ymax) ymax = c->pol[i].peak_units;
    double top = y_ticks(pl, ymax * 1.05, ymax < 10 ? 1 : 0);
    size_t nd = rr->n_days > 1 ? rr->n_days - 1 : 1;
    /* date ticks: about six, on whole days */
    size_t step = rr->n_days / 6 + 1;
    for (size_t d = 0; d < rr->n_days; d += step) {
        double x = LEFT + (W - RIGHT - LEFT) * (double)d / (double)nd;
        char date[24];
        timeu_format_date(rr->first_day_ns + (int64_t)d * TIMEU_NS_PER_DAY, date, sizeof date);
        pl_fline_r(pl, x, BOTTOM, x, BOTTOM - 5);
        text(pl, x, BOTTOM - 18, 'c', 'c', date);
    }
    text(pl, (LEFT + W - RIGHT) / 2, BOTTOM - 42, 'c', 'c', "date (UTC)");
    size_t li = 0;
    if (c->included_units > 0) {
        double y = BOTTOM + (H - TOP - BOTTOM) * c->included_units / top;
        pl_linemod_r(pl, "longdashed");
        pl_pencolorname_r(pl, "#888888");
        pl_fline_r(pl, LEFT, y, W - RIGHT, y);
        pl_linemod_r(pl, "solid");
        char lbl[64];
        snprintf(lbl, sizeof lbl, "%s included", c->sku_name ? c->sku_name : "SKU");
        pl_linemod_r(pl, "longdashed");
        legend_entry(pl, li++, "#888888", lbl, false);
        pl_linemod_r(pl, "solid");
    }
    for (size_t i = 0; i < rr->n_pol; i++) {
        const char *color = COLORS[i % N_COLORS];
        pl_pencolorname_r(pl, color);
        pl_flinewidth_r(pl, 2.0);
        for (size_t d = 0; d < rr->n_days; d++) {
            double x = LEFT + (W - RIGHT - LEFT) * (double)d / (double)nd;
            double units = (double)cost_day_bytes(&rr->pol[i].days[d], c->dedup) / c->unit_bytes;
            double y = BOTTOM + (H - TOP - BOTTOM) * units / top;
            if (d == 0) pl_fmove_r(pl, x, y);
            else pl_fcont_r(pl, x, y);
        }
        pl_endpath_r(pl);
        pl_flinewidth_r(pl, 1.2);
        legend_entry(pl, li++, color, rr->pol[i].p->name, false);
    }
    return chart_close(&ch, true);
}

static bool chart_money(const struct simulation *s, const struct chart_target *tg, bool svg)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    /* calendar months in the window */
    int64_t y0, y1;
    unsigned m0, m1, d0, d1;
    timeu_civil_from_days(rr->first_day_ns / TIMEU_NS_PER_DAY, &y0, &m0, &d0);
    timeu_civil_from_days((rr->first_day_ns / TIMEU_NS_PER_DAY) + (int64_t)rr->n_days - 1, &y1, &m1, &d1);
    size_t nm = (size_t)((y1 - y0) * 12 + (int64_t)m1 - (int64_t)m0 + 1);
    if (nm > 240) nm = 240;
    double *money = calloc(nm * rr->n_pol + 1, sizeof *money);
    if (!money) return false;
    double ymax = 0;
    for (size_t i = 0; i < rr->n_pol; i++)
        for (size_t d = 0; d < rr->n_days; d++) {
            int64_t yy;
            unsigned mm, dd;
            timeu_civil_from_days(rr->first_day_ns / TIMEU_NS_PER_DAY + (int64_t)d, &yy, &mm, &dd);
            size_t k = (size_t)((yy - y0) * 12 + (int64_t)mm - (int64_t)m0);
            if (k >= nm) continue;
            money[i * nm + k] += c->pol[i].storage_cost[d] + c->sku_fee_per_day;
            if (money[i * nm + k] > ymax) ymax = money[i * nm + k];
        }
    struct chart ch;
    bool ok = chart_open(&ch, tg, "monthly-cost", svg);
    if (ok) {
        plPlotter *pl = ch.pl;
        char t[128], yl[32];
        snprintf(t, sizeof t, "%s per month per policy (storage + SKU fee)", c->currency);
        snprintf(yl, sizeof yl, "%s", c->currency);
        title_and_axes(pl, t, yl);
        double top = y_ticks(pl, ymax * 1.05, ymax < 10 ? 2 : 0);
        double gw = (W - RIGHT - LEFT) / (double)nm, bw = gw * 0.8 / (double)rr->n_pol;
        for (size_t k = 0; k < nm; k++) {
            int64_t yy = y0 + (int64_t)((m0 - 1 + k) / 12);
            unsigned mm = (unsigned)((m0 - 1 + k) % 12 + 1);
            char lbl[16];
            snprintf(lbl, sizeof lbl, "%04lld-%02u", (long long)yy, mm);
            pl_pencolorname_r(pl, "black");
            if (nm <= 12 || k % (nm / 12 + 1) == 0) text(pl, LEFT + gw * ((double)k + 0.5), BOTTOM - 18, 'c', 'c', lbl);
            for (size_t i = 0; i < rr->n_pol; i++) {
                double x = LEFT + gw * (double)k + gw * 0.1 + bw * (double)i;
                double h = (H - TOP - BOTTOM) * money[i * nm + k] / top;
                pl_pencolorname_r(pl, COLORS[i % N_COLORS]);
                pl_fillcolorname_r(pl, COLORS[i % N_COLORS]);
                pl_filltype_r(pl, 1);
                pl_fbox_r(pl, x, BOTTOM, x + bw * 0.9, BOTTOM + h);
                pl_filltype_r(pl, 0);
            }
        }
        pl_pencolorname_r(pl, "black");
        text(pl, (LEFT + W - RIGHT) / 2, BOTTOM - 42, 'c', 'c', "month (days in the window only)");
        for (size_t i = 0; i < rr->n_pol; i++) legend_entry(pl, i, COLORS[i % N_COLORS], rr->pol[i].p->name, true);
    }
    free(money);
    return chart_close(&ch, ok);
}

static bool chart_top(const struct simulation *s, const struct chart_target *tg, bool svg)
{
    const struct cost_result *c = &s->cost;
    struct chart ch;
    bool ok = chart_open(&ch, tg, "top-repositories", svg);
    if (!ok) return chart_close(&ch, false);
    plPlotter *pl = ch.pl;
    char t[160];
    snprintf(t, sizeof t, "Reclaimable GiB by repository under %s (sum of imageSize)", s->rr.pol[c->best].p->name);
    pl_ffontsize_r(pl, 17);
    text(pl, 20, H - 22, 'l', 'c', t);
    pl_ffontsize_r(pl, 13);
    double max = 0;
    for (size_t k = 0; k < c->n_top; k++) {
        double g = (double)c->pol[c->best].repos[c->top[k]].reclaimed_bytes / 1073741824.0;
        if (g > max) max = g;
    }
    if (!c->n_top) text(pl, W / 2, H / 2, 'c', 'c', "no repository reclaims anything under any policy");
    double left = 300, right = W - 110, row = (H - TOP - 30) / 10.0;
    for (size_t k = 0; k < c->n_top; k++) {
        const struct cost_repo *cr = &c->pol[c->best].repos[c->top[k]];
        double g = (double)cr->reclaimed_bytes / 1073741824.0, y = H - TOP - 10 - row * ((double)k + 0.5);
        char name[48], val[32];
        const char *rn = s->m->repos[c->top[k]].name;
        if (strlen(rn) > 40) snprintf(name, sizeof name, "...%s", rn + strlen(rn) - 37);
        else snprintf(name, sizeof name, "%s", rn);
        pl_pencolorname_r(pl, "black");
        text(pl, left - 10, y, 'r', 'c', name);
        double x1 = left + (right - left) * (max > 0 ? g / max : 0);
        pl_pencolorname_r(pl, COLORS[1]);
        pl_fillcolorname_r(pl, COLORS[1]);
        pl_filltype_r(pl, 1);
        pl_fbox_r(pl, left, y - row * 0.35, x1 > left + 1 ? x1 : left + 1, y + row * 0.35);
        pl_filltype_r(pl, 0);
        pl_pencolorname_r(pl, "black");
        snprintf(val, sizeof val, g < 10 ? "%.2f GiB" : "%.1f GiB", g);
        text(pl, (x1 > left + 1 ? x1 : left + 1) + 6, y, 'l', 'c', val);
    }
    return chart_close(&ch, true);
}

int render_sim_charts(const struct simulation *s, struct output *out)
{
    struct chart_target tg = {out, NULL};
    for (int svg = 1; svg >= 0; svg--) {
        if (!chart_stored(s, &tg, svg) || !chart_money(s, &tg, svg) || !chart_top(s, &tg, svg)) return -1;
    }
    return 0;
}

int render_sim_chart_svg(const struct simulation *s, enum sim_chart which, FILE *fp)
{
    struct chart_target tg = {NULL, fp};
    bool ok = which == CHART_STORED ? chart_stored(s, &tg, true)
              : which == CHART_MONTHLY_COST ? chart_money(s, &tg, true) : chart_top(s, &tg, true);
    return ok ? 0 : -1;
}
