/* html.c - the monthly report as one self-contained HTML page: summary per policy, with
 * --events / --in-use what each policy would have broken in the month (risk.h), the charts as
 * inline SVG, cost by repository, and the assumptions. Every name is escaped: a repository
 * or tag name can be anything. A policy name longer than RENDER_NAME_MAX is cut with "..." in
 * table headers and holds its whole name in a tooltip. Readable offline and printable. */
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "timeu.h"

static void esc(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

/* A number attribute of the <svg ...> start tag (libplot writes width="22.86cm"), or 0. */
static double svg_attr(const char *svg, const char *attrs_end, const char *name)
{
    const char *p = strstr(svg, name);
    if (!p || p > attrs_end) return 0;
    return strtod(p + strlen(name), NULL);
}

/* libplot writes a standalone SVG document; inline it from its <svg element on, scaled to the
 * page width, keeping its aspect ratio (charts differ in height). */
static void inline_chart(const struct simulation *s, enum sim_chart which, const char *caption, FILE *fp)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return;
    int rc = render_sim_chart_svg(s, which, mem);
    fclose(mem);
    const char *svg = rc == 0 && buf ? strstr(buf, "<svg") : NULL;
    fputs("<figure>", fp);
    if (svg) {
        /* libplot's fixed size in cm becomes a responsive width */
        const char *attrs_end = strchr(svg, '>');
        double w = attrs_end ? svg_attr(svg, attrs_end, " width=\"") : 0;
        double h = attrs_end ? svg_attr(svg, attrs_end, " height=\"") : 0;
        if (!(w > 0) || !(h > 0)) w = 22.86, h = 13.716;
        /* in cm: back to the chart's pixels (100 per inch) */
        fprintf(fp, "<svg style=\"width:100%%;height:auto;aspect-ratio:%.0f/%.0f\"", w * 100 / 2.54, h * 100 / 2.54);
        const char *p = strstr(svg, " viewBox=");
        if (p && attrs_end && p < attrs_end) {
            const char *q = strchr(p + 10, '"');
            if (q) fwrite(p, 1, (size_t)(q - p + 1), fp);
        }
        fputs(" preserveAspectRatio=\"none\" xmlns=\"http://www.w3.org/2000/svg\"", fp);
        if (attrs_end) fputs(attrs_end, fp);
    } else {
        fputs("<p>(chart unavailable)</p>", fp);
    }
    fputs("<figcaption>", fp);
    esc(fp, caption);
    fputs("</figcaption></figure>\n", fp);
    free(buf);
}

/* A policy name, cut with "..." past RENDER_NAME_MAX bytes, the whole name in a tooltip. */
static void policy_name(FILE *fp, const char *name)
{
    char buf[64];
    const char *shown = render_ellipsize(name, RENDER_NAME_MAX, buf, sizeof buf);
    fputs("<span class=\"p\"", fp);
    if (shown != name) {
        fputs(" title=\"", fp);
        esc(fp, name);
        fputc('"', fp);
    }
    fputc('>', fp);
    esc(fp, shown);
    fputs("</span>", fp);
}

/* A time cell: "2026-10-27T06:00:26Z", which may wrap after the 'T' only. */
static void time_cell(FILE *fp, int64_t t_ns)
{
    char t[48];
    timeu_format(t_ns, t, sizeof t);
    char *sep = strchr(t, 'T');
    if (!sep) {
        fprintf(fp, "<td class=\"t\"><span>%s</span></td>", t);
        return;
    }
    fprintf(fp, "<td class=\"t\"><span>%.*s</span><wbr><span>%s</span></td>", (int)(sep - t + 1), t, sep + 1);
}

/* The reported month, or the whole window when there is none. */
static void period(const struct simulation *s, int64_t *from, int64_t *to)
{
    *from = s->o.month ? s->month_from_ns : INT64_MIN;
    *to = s->o.month ? s->month_to_ns : INT64_MAX;
}

/* One policy's broken references (the most broken pulls first) and the in-use images it deletes,
 * each list cut at RISK_LIST rows. */
#define RISK_LIST 20
static void risk_policy_detail(const struct simulation *s, size_t i, const struct risk_period *rp, size_t n_inuse,
                               int64_t to, FILE *fp)
{
    const struct risk_policy *r = &s->risk.pol[i];
    char ref[600];
    fputs("<h3>", fp);
    policy_name(fp, s->rr.pol[i].p->name);
    fputs(": ", fp);
    if (rp->pulls) fprintf(fp, "%zu broken pull%s of %zu reference%s", rp->pulls, rp->pulls == 1 ? "" : "s", rp->refs,
                           rp->refs == 1 ? "" : "s");
    if (rp->pulls && n_inuse) fputs(", ", fp);
    if (n_inuse) fprintf(fp, "%zu in-use image%s deleted", n_inuse, n_inuse == 1 ? "" : "s");
    fputs("</h3>\n", fp);
    if (rp->pulls) {
        fputs("<table class=\"risk-refs\"><thead><tr><th>reference</th><th class=\"l\">kind</th><th>pulls broken</th>"
              "<th>first broken pull</th><th>last broken pull</th><th>deleted at</th></tr></thead><tbody>\n", fp);
        size_t shown = rp->refs < RISK_LIST ? rp->refs : RISK_LIST, pulls = 0;
        for (size_t k = 0; k < rp->refs; k++) {
            const struct risk_ref *x = &rp->ref[k];
            if (k >= shown) {
                pulls += x->pulls;
                continue;
            }
            fputs("<tr><td>", fp);
            esc(fp, x->reference);
            fprintf(fp, "</td><td class=\"l\">%s</td><td>%zu</td>", x->by_tag ? "tag" : "digest", x->pulls);
            time_cell(fp, x->first_ns);
            time_cell(fp, x->last_ns);
            time_cell(fp, x->deleted_at);
            fputs("</tr>\n", fp);
        }
        fputs("</tbody></table>\n", fp);
        if (shown < rp->refs)
            fprintf(fp, "<p class=\"note\">… and %zu more reference%s (%zu broken pull%s); <code>--format csv</code> "
                        "writes every broken pull to broken-pulls.csv.</p>\n",
                    rp->refs - shown, rp->refs - shown == 1 ? "" : "s", pulls, pulls == 1 ? "" : "s");
    }
    if (n_inuse) {
        fputs("<table class=\"risk-refs\"><thead><tr><th>in-use image deleted</th><th>deleted at</th></tr></thead>"
              "<tbody>\n", fp);
        size_t shown = 0;
        for (size_t k = 0; k < r->n_inuse; k++) {
            if (r->inuse[k].deleted_at >= to) continue;
            if (shown++ == RISK_LIST) break;
            fputs("<tr><td>", fp);
            esc(fp, risk_inuse_reference(&s->inuse_targets[r->inuse[k].target], ref, sizeof ref));
            fputs("</td>", fp);
            time_cell(fp, r->inuse[k].deleted_at);
            fputs("</tr>\n", fp);
        }
        fputs("</tbody></table>\n", fp);
        if (n_inuse > RISK_LIST)
            fprintf(fp, "<p class=\"note\">… and %zu more in-use image%s; <code>--format csv</code> writes them all to "
                        "in-use.csv.</p>\n",
                    n_inuse - RISK_LIST, n_inuse - RISK_LIST == 1 ? "" : "s");
    }
}

/* "Risk: what each policy would have broken": per policy the pulls of the event log it breaks
 * in the period and the in-use images it deletes by the period's end, then each one's list. */
static void risk_section(const struct simulation *s, const struct risk_period *per, const size_t *inuse, FILE *fp)
{
    const struct risk *k = &s->risk;
    const struct replay_result *rr = &s->rr;
    int64_t from, to;
    period(s, &from, &to);
    fputs("<h2 id=\"risk\">Risk: what each policy would have broken</h2>\n<table id=\"risk-summary\"><thead><tr>"
          "<th>policy</th>", fp);
    if (k->have_pulls) fputs("<th>broken pulls</th><th>distinct references</th><th>first broken pull</th>", fp);
    if (k->have_inuse) fputs("<th>in-use images deleted</th>", fp);
    fputs("</tr></thead><tbody>\n", fp);
    for (size_t i = 0; i < rr->n_pol; i++) {
        fputs("<tr><td>", fp);
        policy_name(fp, rr->pol[i].p->name);
        fputs("</td>", fp);
        if (k->have_pulls) {
            fprintf(fp, "<td>%zu</td><td>%zu</td>", per[i].pulls, per[i].refs);
            if (per[i].pulls) time_cell(fp, per[i].first_ns);
            else fputs("<td>-</td>", fp);
        }
        if (k->have_inuse) fprintf(fp, "<td>%zu</td>", inuse[i]);
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table>\n<p class=\"note\">", fp);
    if (k->have_pulls) {
        fputs("A broken pull is a successful pull in the event log ", fp);
        if (s->o.month) {
            fputs("in ", fp);
            esc(fp, s->o.month);
        } else {
            fputs("in the replay window", fp);
        }
        fputs(" whose tag or manifest the policy had deleted at the time of the pull: under that policy it would "
              "have failed. The log's pulls are checked against the registry's history, ", fp);
        if (s->snaps)   /* build_history(): several snapshots, the log's pulls alone are read */
            fputs("which comes from the snapshots alone (the log's pushes, untags and deletes do not change it); ", fp);
        else
            fputs("which follows the log's own pushes, untags and deletes up to the export's exportedAt (where "
                  "the two disagree, the export wins); ", fp);
        if (s->pulls.unresolved)
            fprintf(fp, "%zu of the %zu pulls in the replay window name a tag or digest the history cannot place at "
                        "that time and are not counted (see the warnings).",
                    s->pulls.unresolved, s->pulls.pulls);
        else
            fprintf(fp, "it places all the %zu pulls in the replay window.", s->pulls.pulls);
        fputs(" A reference is a tag as pushed once, or a manifest; \"deleted at\" is when the policy deleted what "
              "its first broken pull asked for.", fp);
        if (k->have_inuse) fputc(' ', fp);
    }
    if (k->have_inuse) {
        fprintf(fp, "In-use images deleted: of the %zu references of the in-use list, those the policy deletes", s->inuse.n);
        if (s->o.month) {
            fputs(" by the end of ", fp);
            esc(fp, s->o.month);
        }
        fputs(".", fp);
    }
    fputs("</p>\n", fp);
    for (size_t i = 0; i < rr->n_pol; i++)
        if (per[i].pulls || inuse[i]) risk_policy_detail(s, i, &per[i], inuse[i], to, fp);
}

/* The head, the style sheet (the risk table's rules only with a risk section) and the
 * paragraph that says what was replayed. */
static void page_head(const struct simulation *s, bool risk, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    char title[512], a[48], b[48];
    snprintf(title, sizeof title, "purgesim monthly report %s: %s", s->o.month, s->m->registry);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", fp);
    esc(fp, title);
    fputs("</title>\n<style>\n"
          "body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:2em auto;max-width:64em;color:#222}\n"
          "table{border-collapse:collapse;margin:1em 0;width:100%}\n"
          "th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:right}\n"
          "th:first-child,td:first-child{text-align:left}\n"
          "th{font-size:.85em;vertical-align:bottom}.p{white-space:nowrap}\n"
          "#repositories td:first-child,#repositories th .p{white-space:normal;overflow-wrap:anywhere}\n"
          "thead th{border-bottom:2px solid #888}\n"
          "figure{margin:1.5em 0;page-break-inside:avoid}figcaption{color:#555;font-size:.9em}\n"
          ".note{color:#555;font-size:.9em}\n", fp);
    if (risk)
        fputs(".risk-refs td:first-child{overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:.9em}\n"
              "th.l,td.l{text-align:left}td.t span{white-space:nowrap}\n", fp);
    fputs("@media print{body{margin:0;max-width:none}}\n"
          "</style></head><body>\n<h1>", fp);
    esc(fp, title);
    fputs("</h1>\n<p class=\"note\">", fp);
    fprintf(fp, "Replay of the registry's history from %s to %s (whole UTC days); ",
            timeu_format_date(rr->from_ns, a, sizeof a), timeu_format_date(rr->to_ns, b, sizeof b));
    if (c->sku_name) {
        fputs("SKU ", fp);
        esc(fp, c->sku_name);
        fprintf(fp, " with %.0f %s included, %d replica%s.", c->included_units, c->unit, c->replicas,
                c->replicas == 1 ? "" : "s");
    } else {
        fputs("SKU unknown: no included storage counted.", fp);
    }
    fputs("</p>\n", fp);
}

/* The summary table: per policy, the month's storage, money and deletions, and its risk in
 * the month (per[i], inuse[i]) where known. */
static void summary_table(const struct simulation *s, const struct cost_series *cs, const struct risk_period *per,
                          const size_t *inuse, const char *money, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct risk *k = &s->risk;
    bool risk = k->have_pulls || k->have_inuse;
    fputs("<h2>Summary</h2>\n<table id=\"summary\"><thead><tr><th>policy</th>", fp);
    fprintf(fp, "<th>average %s</th><th>end %s</th><th>storage %s</th><th>SKU fee %s</th><th>total %s</th>"
                "<th>tags deleted</th><th>manifests deleted by purge</th><th>manifests deleted by retention</th>"
                "<th>referrers cascaded</th>",
            c->unit, c->unit, money, money, money);
    if (k->have_pulls) fputs("<th>broken pulls</th>", fp);
    if (k->have_inuse) fputs("<th>in-use images deleted</th>", fp);
    fputs("</tr></thead><tbody>\n", fp);
    for (size_t i = 0; i < rr->n_pol; i++) {
        struct cost_period cp;
        cost_period(c, i, &cp);
        const struct cost_deletions *dl = &cs->pol[i].acct;
        fputs("<tr><td>", fp);
        policy_name(fp, rr->pol[i].p->name);
        fprintf(fp, "</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%zu</td><td>%zu</td>"
                    "<td>%zu</td><td>%zu</td>",
                cp.avg_units, cp.end_units, cp.storage, cp.sku_fee, cp.storage + cp.sku_fee, dl->tags, dl->purged,
                dl->retention, dl->cascaded);
        if (k->have_pulls) fprintf(fp, "<td>%zu</td>", per[i].pulls);
        if (k->have_inuse) fprintf(fp, "<td>%zu</td>", inuse[i]);
        fputs("</tr>\n", fp);
    }
    fprintf(fp, "</tbody></table>\n<p class=\"note\">Money over the %zu day%s of %s in the history: storage overage "
                "above the included storage, the SKU fee (the same for every policy), their total. Deletions in the "
                "month; referrers (signatures, SBOMs) go with their subject.%s</p>\n",
            cs->acct_days, cs->acct_days == 1 ? "" : "s", s->o.month,
            !risk ? ""
            : !k->have_inuse ? " Broken pulls: see <a href=\"#risk\">Risk</a>."
            : !k->have_pulls ? " In-use images deleted: see <a href=\"#risk\">Risk</a>."
                             : " Broken pulls and in-use images deleted: see <a href=\"#risk\">Risk</a>.");
}

/* Each repository's part of each policy's storage money in the month. */
static void repositories_table(const struct simulation *s, const char *money, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct model *m = s->m;
    fprintf(fp, "<h2>Storage cost by repository (%s)</h2>\n<table id=\"repositories\"><thead><tr><th>repository</th>",
            money);
    for (size_t i = 0; i < rr->n_pol; i++) {
        fputs("<th>", fp);
        policy_name(fp, rr->pol[i].p->name);
        fputs("</th>", fp);
    }
    fputs("</tr></thead><tbody>\n", fp);
    for (size_t r = 0; r < m->n_repos; r++) {
        fputs("<tr><td>", fp);
        esc(fp, m->repos[r].name);
        fputs("</td>", fp);
        for (size_t i = 0; i < rr->n_pol; i++) fprintf(fp, "<td>%.2f</td>", s->cost.pol[i].repos[r].cost_share);
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table>\n", fp);
}

/* What the figures rest on: prices, units, the history's model, how money is split, and the
 * run's warnings. */
static void assumptions(const struct simulation *s, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    fputs("<h2>Assumptions</h2>\n<ul id=\"assumptions\">\n<li>Pricing: ", fp);
    esc(fp, s->pricing_label);
    fputs(", dated ", fp);
    esc(fp, s->price.date);
    fprintf(fp, "; overage %.5f %s per %s per day", c->price_per_unit_day, c->currency, c->unit);
    if (s->price.exchange_rate > 0) fputs("; SKU fees derived from USD list prices at the table's exchange rate", fp);
    fprintf(fp, ".</li>\n<li>Units: %s (%s); storage is %s.</li>\n", c->unit,
            !strcmp(c->unit, "GiB") ? "2^30 bytes" : "10^9 bytes",
            c->dedup ? "deduplicated blobs" : "the sum of imageSize (layers unknown)");
    fprintf(fp, "<li>History: untag model %s; a purged tag %s its manifest's lastUpdateTime; each day's figure "
                "is the registry at the end of that day (UTC).</li>\n",
            history_untag_model_name(s->h->untag), s->o.tag_delete_touches_manifest ? "sets" : "leaves");
    fputs("<li>Cost by repository: its part of the policy's storage money in the month, split by byte-days "
          "(sum of imageSize); a policy's repositories add up to its storage figure.</li>\n", fp);
    for (size_t i = 0; i < s->n_warnings; i++) {
        fputs("<li>Warning: ", fp);
        esc(fp, s->warnings[i]);
        fputs("</li>\n", fp);
    }
    fputs("</ul>\n", fp);
}

static void page(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_series cs = s->series;   /* computed once, with the cost */
    const struct risk *k = &s->risk;
    bool risk = k->have_pulls || k->have_inuse;
    /* the risk in the report's period: broken pulls in the month, in-use images deleted by its end */
    struct risk_period *per = xcalloc(rr->n_pol + 1, sizeof *per);
    size_t *inuse = xcalloc(rr->n_pol + 1, sizeof *inuse);
    int64_t from, to;
    period(s, &from, &to);
    for (size_t i = 0; risk && i < rr->n_pol; i++) {
        if (k->have_pulls) risk_period(&rr->pol[i], &s->pulls, from, to, &per[i]);
        if (k->have_inuse) inuse[i] = risk_inuse_before(&k->pol[i], to);
    }
    page_head(s, risk, fp);
    char money[32];
    render_period_money_label(s, &cs, money, sizeof money);
    summary_table(s, &cs, per, inuse, money, fp);
    if (risk) risk_section(s, per, inuse, fp);
    for (size_t i = 0; i < rr->n_pol; i++) risk_period_free(&per[i]);
    free(per);
    free(inuse);
    fputs("<h2>Charts</h2>\n", fp);
    inline_chart(s, CHART_STORED, "Storage per policy, day by day, in the month (shaded) and the month before, "
                 "with the SKU's included storage as a line.", fp);
    inline_chart(s, CHART_MONTHLY_COST, "Storage money per calendar month per policy, the report's month shaded; "
                 "the SKU fee is the same for every policy and not in the bars.", fp);
    inline_chart(s, CHART_TOP_REPOSITORIES, "Repositories with the most reclaimable bytes under the best policy, "
                 "at the end of the month.", fp);
    repositories_table(s, money, fp);
    assumptions(s, fp);
    fputs("</body></html>\n", fp);
}

int render_month_html(const struct simulation *s, FILE *fp)
{
    page(s, fp);
    return ferror(fp) ? -1 : 0;
}
