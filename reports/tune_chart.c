/* tune_chart.c - tune-pareto.{png,svg}: each candidate's money per month (y) against its rollback
 * depth (x), those that meet every constraint as filled green discs, the others as red crosses,
 * the Pareto set ringed and the recommendation labelled. Depth "all" (never deletes a tag) gets
 * the rightmost column. Drawn with GNU libplot in pixel space, as reports/plot.c draws. */
#include "render.h"

#include <math.h>
#include <plot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png_stable.h"

#define W 900.0
#define H 560.0
#define LEFT 90.0
#define RIGHT 40.0
#define BOTTOM 80.0
#define TOP 70.0

static double nice_step(double span, int want)
{
    if (!(span > 0)) return 1;
    double raw = span / want, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void label(plPlotter *pl, double x, double y, int hj, int vj, const char *s)
{
    pl_fmove_r(pl, x, y);
    pl_alabel_r(pl, hj, vj, s);
}

struct frame {
    double xmax;               /* the deepest finite depth; "all" is drawn at xmax + 1 */
    double ymin, ymax;
};

static double px(const struct frame *f, double depth)
{
    return LEFT + (W - LEFT - RIGHT) * (depth + 0.5) / (f->xmax + 2);
}

static double py(const struct frame *f, double cost)
{
    return BOTTOM + (H - TOP - BOTTOM) * (cost - f->ymin) / (f->ymax - f->ymin);
}

static double depth_x(const struct frame *f, const struct tune_candidate *k)
{
    return px(f, k->rollback_depth == REPLAY_NO_DEPTH ? f->xmax + 1 : (double)k->rollback_depth);
}

static void frame_of(const struct tune_result *r, struct frame *f)
{
    f->xmax = 0;
    f->ymin = INFINITY;
    f->ymax = -INFINITY;
    for (size_t i = 0; i < r->n_cand; i++) {
        const struct tune_candidate *k = &r->cand[i];
        if (k->rollback_depth != REPLAY_NO_DEPTH && (double)k->rollback_depth > f->xmax) f->xmax = (double)k->rollback_depth;
        if (k->cost_per_month < f->ymin) f->ymin = k->cost_per_month;
        if (k->cost_per_month > f->ymax) f->ymax = k->cost_per_month;
    }
    if (!(f->ymax > f->ymin)) f->ymax = f->ymin + 1;
    double step = nice_step(f->ymax - f->ymin, 5);
    f->ymin = step * floor(f->ymin / step);
    f->ymax = step * ceil(f->ymax / step);
    if (f->ymax <= f->ymin) f->ymax = f->ymin + step;
}

static void axes(plPlotter *pl, const struct tune_result *r, const struct frame *f)
{
    const struct cost_result *c = &r->sim.cost;
    char buf[64];
    pl_ffontsize_r(pl, 17);
    label(pl, LEFT, H - 22, 'l', 'c', "Candidates: money against rollback depth");
    pl_ffontsize_r(pl, 12);
    pl_pencolorname_r(pl, "#555555");
    label(pl, LEFT, H - 44, 'l', 'c', "green disc: meets every constraint; red cross: misses one; ring: Pareto set");
    pl_pencolorname_r(pl, "black");
    pl_ffontsize_r(pl, 13);
    double step = nice_step(f->ymax - f->ymin, 5);
    for (double v = f->ymin; v <= f->ymax + step / 2; v += step) {
        double y = py(f, v);
        pl_pencolorname_r(pl, "#dddddd");
        pl_fline_r(pl, LEFT, y, W - RIGHT, y);
        pl_pencolorname_r(pl, "black");
        snprintf(buf, sizeof buf, "%.*f", step < 1 ? 2 : 0, v);
        label(pl, LEFT - 8, y, 'r', 'c', buf);
    }
    double xstep = nice_step(f->xmax + 1, 10);
    if (xstep < 1) xstep = 1;
    for (double d = 0; d <= f->xmax; d += xstep) {
        snprintf(buf, sizeof buf, "%.0f", d);
        label(pl, px(f, d), BOTTOM - 14, 'c', 'c', buf);
    }
    label(pl, px(f, f->xmax + 1), BOTTOM - 14, 'c', 'c', "all");
    pl_fline_r(pl, LEFT, BOTTOM, W - RIGHT, BOTTOM);
    pl_fline_r(pl, LEFT, BOTTOM, LEFT, H - TOP);
    label(pl, (LEFT + W - RIGHT) / 2, 24, 'c', 'c', "rollback depth (fewest tagged versions left after a run)");
    snprintf(buf, sizeof buf, "%s per month", c->currency);
    pl_ftextangle_r(pl, 90);
    label(pl, 22, (BOTTOM + H - TOP) / 2, 'c', 'c', buf);
    pl_ftextangle_r(pl, 0);
}

static void mark(plPlotter *pl, const struct tune_candidate *k, double x, double y)
{
    if (k->meets_all) {
        pl_fillcolorname_r(pl, "#2ca02c");
        pl_pencolorname_r(pl, "#2ca02c");
        pl_filltype_r(pl, 1);
        pl_fcircle_r(pl, x, y, 4);
        pl_filltype_r(pl, 0);
    } else {
        pl_pencolorname_r(pl, "#d62728");
        pl_fline_r(pl, x - 4, y - 4, x + 4, y + 4);
        pl_fline_r(pl, x - 4, y + 4, x + 4, y - 4);
    }
    if (k->pareto) {
        pl_pencolorname_r(pl, "black");
        pl_fcircle_r(pl, x, y, 8);
    }
}

static bool draw(const struct tune_result *r, const char *type, FILE *fp)
{
    plPlotterParams *params = pl_newplparams();
    char size[32];
    snprintf(size, sizeof size, "%.0fx%.0f", W, H);
    pl_setplparam(params, "BITMAPSIZE", size);
    pl_setplparam(params, "PAGESIZE", !strcmp(type, "svg") ? "a4,xsize=9in,ysize=5.6in" : "a4");
    pl_setplparam(params, "BG_COLOR", "white");
    pl_setplparam(params, "INTERLACE", "no");
    plPlotter *pl = pl_newpl_r(type, NULL, fp, stderr, params);
    bool ok = pl && pl_openpl_r(pl) >= 0;
    if (ok) {
        pl_fspace_r(pl, 0, 0, W, H);
        pl_erase_r(pl);
        pl_fontname_r(pl, !strcmp(type, "svg") ? "Helvetica" : "HersheySans");
        pl_flinewidth_r(pl, 1.2);
        struct frame f;
        frame_of(r, &f);
        axes(pl, r, &f);
        /* the misses first, so the candidates that count are drawn on top */
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < r->n_cand; i++) {
                const struct tune_candidate *k = &r->cand[i];
                if (k->meets_all == (pass == 0)) continue;
                mark(pl, k, depth_x(&f, k), py(&f, k->cost_per_month));
            }
        if (r->recommended != SIZE_MAX) {
            const struct tune_candidate *k = &r->cand[r->recommended];
            double x = depth_x(&f, k), y = py(&f, k->cost_per_month);
            pl_pencolorname_r(pl, "black");
            pl_ffontsize_r(pl, 12);
            bool right = x < W / 2;
            char buf[120];
            snprintf(buf, sizeof buf, "recommended: %s", k->name);
            label(pl, right ? x + 12 : x - 12, y + 14, right ? 'l' : 'r', 'c', buf);
        }
        pl_closepl_r(pl);
    }
    if (pl) pl_deletepl_r(pl);
    pl_deleteplparams(params);
    return ok;
}

/* draw(), with a PNG drawn in memory first: libplot stamps it with the time it was drawn,
 * which png_write_stable() leaves out, so the same run writes the same bytes. */
static bool draw_stable(const struct tune_result *r, const char *type, FILE *fp)
{
    if (strcmp(type, "png")) return draw(r, type, fp);
    char *png = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&png, &len);
    if (!mem) return false;
    bool ok = draw(r, type, mem);
    ok = fclose(mem) == 0 && ok && png_write_stable((const unsigned char *)png, len, fp);
    free(png);
    return ok;
}

int render_tune_chart(const struct tune_result *r, struct output *out)
{
    static const char *const TYPES[] = {"png", "svg"};
    /* --by-repository: each group's candidates are priced with only that group purged, so one
     * chart of them all would compare unlike things */
    if (r->n_groups) return 0;
    for (size_t t = 0; t < 2; t++) {
        char name[32];
        snprintf(name, sizeof name, "tune-pareto.%s", TYPES[t]);
        FILE *fp = output_open(out, name);
        if (!fp) return -1;
        bool ok = r->n_cand && draw_stable(r, TYPES[t], fp);
        if (output_close(out, fp) != 0 || (!ok && r->n_cand)) {
            fprintf(stderr, "purgesim tune: %s: libplot could not draw the chart\n", name);
            return -1;
        }
    }
    return 0;
}
