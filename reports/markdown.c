/* markdown.c - --format markdown (render.h) of simulate and report, and what every Markdown
 * renderer shares (md_dryrun.c and md_forecast.c write dry-run's and forecast's): GitHub-
 * flavoured Markdown for $GITHUB_STEP_SUMMARY and pull-request comments: a headline with the
 * figures that matter, GitHub tables that mirror the text reports (same figures, same rounding),
 * warnings as a list, the terms in one line, and long lists folded in <details>. Names are
 * escaped so that no table breaks and nothing renders as HTML, a link or a mention; lists are
 * cut to stay far below a comment's 65,536 characters. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "markdown_internal.h"
#include "md_text.h"
#include "timeu.h"


/* A name cut as the text tables cut it (render_ellipsize), then escaped. */
size_t md_name(FILE *fp, const char *name, size_t max)
{
    char buf[256];
    return md_escape(fp, render_ellipsize(name, max, buf, sizeof buf));
}

void md_policy(FILE *fp, const struct replay_result *rr, size_t i)
{
    md_name(fp, rr->pol[i].p->name, RENDER_NAME_MAX);
}

/* The delimiter row: a cell per character of align ('l' text, 'r' a number, right-aligned),
 * then more_right number cells. */
void md_delimiter_row(FILE *fp, const char *align, size_t more_right)
{
    fputc('|', fp);
    for (const char *a = align; *a; a++) fputs(*a == 'r' ? "---:|" : "---|", fp);
    for (size_t k = 0; k < more_right; k++) fputs("---:|", fp);
    fputc('\n', fp);
}

const char *md_plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The SKU, its included storage and replicas, as the text headers say them. */
void md_sku_terms(FILE *fp, const char *sku, double included, const char *unit, int replicas)
{
    if (sku) {
        md_escape(fp, sku);
        fprintf(fp, " SKU, %.0f %s included", included, unit);
    } else {
        fputs("SKU unknown (no included storage counted)", fp);
    }
    fprintf(fp, ", %d replica%s", replicas, replicas == 1 ? "" : "s");
}

void md_money_terms(FILE *fp, const struct simulation *s, const struct cost_result *c)
{
    md_sku_terms(fp, c->sku_name, c->included_units, c->unit, c->replicas);
    fprintf(fp, "; %s, in %s; overage %.5f %s per %s per day (", c->dedup ? "deduplicated blobs" : "sum of imageSize",
            c->unit, c->price_per_unit_day, c->currency, c->unit);
    md_escape(fp, s->pricing_label ? s->pricing_label : "pricing");
    fputs(", ", fp);
    md_escape(fp, s->price.date ? s->price.date : "undated");
}

int md_by_rank(const void *a, const void *b)
{
    const struct md_ranked *x = a, *y = b;
    if (x->key1 != y->key1) return x->key1 < y->key1 ? 1 : -1;
    if (x->key2 != y->key2) return x->key2 < y->key2 ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* ---- simulate and report ------------------------------------------------------------------------ */

static void sim_title(const struct simulation *s, const char *what, FILE *fp)
{
    char a[40], b[40];
    fprintf(fp, "### purgesim %s: ", what);
    md_escape(fp, s->m->registry);
    fprintf(fp, ", %s to %s\n\n", timeu_format_date(s->rr.from_ns, a, sizeof a),
            timeu_format_date(s->rr.to_ns, b, sizeof b));
}

/* The window, SKU, unit, currency and pricing date in one line. */
static void sim_terms(const struct simulation *s, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    char a[40], b[40];
    fprintf(fp, "\nWindow %s to %s (%zu whole days, UTC); ", timeu_format_date(s->rr.from_ns, a, sizeof a),
            timeu_format_date(s->rr.to_ns, b, sizeof b), s->rr.n_days);
    md_money_terms(fp, s, c);
    fprintf(fp, "); untag model %s.\n", history_untag_model_name(s->h->untag));
}

static void sku_fee_sentence(const struct simulation *s, FILE *fp)
{
    const struct cost_result *c = &s->cost;
    if (c->sku_name && c->sku_fee_unknown)
        fprintf(fp, "The SKU fee is not known in %s (the price table is in %s).", c->currency, s->price.currency);
    else if (c->sku_name)
        fprintf(fp, "The SKU fee, the same for every policy, is %.2f %s per month (%.5f per day).",
                s->series.sku_fee_per_month, c->currency, c->sku_fee_per_day);
    else
        fputs("No SKU fee is counted (SKU unknown: give `--sku`).", fp);
}

static void deletion_head(FILE *fp)
{
    fputs(" | tags deleted | manifests by purge | manifests by retention | referrers cascaded", fp);
}

static void deletion_cells(const struct cost_deletions *d, FILE *fp)
{
    fprintf(fp, " | %zu | %zu | %zu | %zu", d->tags, d->purged, d->retention, d->cascaded);
}

/* The risk over [from, to) per policy: its broken pulls by reference, and the in-use images it
 * deleted before `to` (risk.h). */
struct md_risk {
    bool known;
    int64_t to;
    const char *month;               /* a report's month, or NULL: the whole window */
    struct risk_period *per;
    size_t *inuse;
};

static void md_risk_build(const struct simulation *s, struct md_risk *k)
{
    memset(k, 0, sizeof *k);
    k->known = s->risk.have_pulls || s->risk.have_inuse;
    k->month = s->o.month;
    int64_t from = k->month ? s->month_from_ns : INT64_MIN;
    k->to = k->month ? s->month_to_ns : INT64_MAX;
    if (!k->known) return;
    k->per = xcalloc(s->rr.n_pol + 1, sizeof *k->per);
    k->inuse = xcalloc(s->rr.n_pol + 1, sizeof *k->inuse);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        if (s->risk.have_pulls) risk_period(&s->rr.pol[i], &s->pulls, from, k->to, &k->per[i]);
        if (s->risk.have_inuse) k->inuse[i] = risk_inuse_before(&s->risk.pol[i], k->to);
    }
}

static void md_risk_free(const struct simulation *s, struct md_risk *k)
{
    for (size_t i = 0; k->per && i < s->rr.n_pol; i++) risk_period_free(&k->per[i]);
    free(k->per);
    free(k->inuse);
}

#define MD_RISK_NAMES 4          /* policies a risk sentence names, each way */

/* What "breaking something" means with the risk inputs given. */
static const char *risk_what(const struct risk *rk)
{
    return !rk->have_inuse ? "broken a pull"
           : !rk->have_pulls ? "deleted an in-use image" : "broken a pull or deleted an in-use image";
}

/* One sentence: what each policy (the baseline aside) breaks, then the ones breaking nothing. */
static void risk_sentence(const struct simulation *s, const struct md_risk *k, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    if (!k->known || rr->n_pol < 2) return;
    size_t n_bad = 0, n_safe = 0, shown = 0;
    for (size_t i = 1; i < rr->n_pol; i++) {
        if (k->per[i].pulls || k->inuse[i]) n_bad++;
        else n_safe++;
    }
    fputc('\n', fp);
    if (k->month) fprintf(fp, "In %s, ", k->month);
    if (!n_bad) {
        fprintf(fp, "%s policy would have %s.\n", k->month ? "no" : "No", risk_what(&s->risk));
        return;
    }
    for (size_t i = 1; i < rr->n_pol; i++) {
        const struct risk_period *p = &k->per[i];
        if (!p->pulls && !k->inuse[i]) continue;
        if (shown == MD_RISK_NAMES) break;
        fputs(shown++ ? "; **" : "**", fp);
        md_policy(fp, rr, i);
        fputs("** would have ", fp);
        if (p->pulls) {
            char t[40];
            fprintf(fp, "broken **%zu %s** (%zu %s, the first %s)", p->pulls, md_plural(p->pulls, "pull", "pulls"),
                    p->refs, md_plural(p->refs, "reference", "references"), timeu_format_date(p->first_ns, t, sizeof t));
        }
        if (k->inuse[i])
            fprintf(fp, "%sdeleted **%zu in-use %s**", p->pulls ? " and " : "", k->inuse[i],
                    md_plural(k->inuse[i], "image", "images"));
    }
    if (shown < n_bad)
        fprintf(fp, "; %zu more %s too (the table below)", n_bad - shown, md_plural(n_bad - shown, "policy does", "policies do"));
    if (n_safe) {
        fputs("; ", fp);
        size_t named = 0;
        for (size_t i = 1; i < rr->n_pol && named < MD_RISK_NAMES; i++) {
            if (k->per[i].pulls || k->inuse[i]) continue;
            size_t left = n_safe < MD_RISK_NAMES ? n_safe : MD_RISK_NAMES;
            fputs(!named ? "**" : named + 1 == left && n_safe <= MD_RISK_NAMES ? " and **" : ", **", fp);
            md_policy(fp, rr, i);
            fputs("**", fp);
            named++;
        }
        if (named < n_safe) fprintf(fp, " and %zu more", n_safe - named);
        fputs(n_safe == 1 ? " breaks nothing" : " break nothing", fp);
    }
    fputs(".\n", fp);
}

/* ---- the headlines: the policies that save the most ------------------------------------------- */

/* Per policy, whether it breaks nothing over the report's period (md_best_find() names those
 * first); NULL when no risk input was given. */
static bool *risk_safe(const struct simulation *s, const struct md_risk *k)
{
    if (!k->known) return NULL;
    bool *safe = xcalloc(s->rr.n_pol + 1, sizeof *safe);
    for (size_t i = 0; i < s->rr.n_pol; i++) safe[i] = !k->per[i].pulls && !k->inuse[i];
    return safe;
}

/* After policies tied on the saving, with the risk known: which of them break nothing. A tie
 * hides the choice that matters, so the headline says it (the risk sentence below says what
 * the others break). */
static void best_risk_clause(const struct simulation *s, const struct md_risk *k, const struct md_best *b, FILE *fp)
{
    if (!k->known || b->n < 2) return;
    if (b->n_safe == b->n) {
        fprintf(fp, "; %s would have %s", b->n == 2 ? "neither" : "none of them", risk_what(&s->risk));
    } else if (!b->n_safe) {
        fprintf(fp, "; %s would have %s", b->n == 2 ? "both" : "each of them", risk_what(&s->risk));
    } else {
        fputs(b->n_safe == 1 ? "; of them, only " : "; of them, ", fp);
        md_policy_list(fp, &s->rr, b->pol, b->n_safe);
        fputs(b->n_safe == 1 ? " breaks nothing" : " break nothing", fp);
    }
}

/* The policies saving the most against the baseline (several when they tie, md_best.c), and
 * against `current` when there is one. */
static void sim_headline(const struct simulation *s, const struct md_risk *k, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct cost_policy *base = &c->pol[0];
    double *saving = xcalloc(rr->n_pol + 1, sizeof *saving), *end = xcalloc(rr->n_pol + 1, sizeof *end);
    bool *safe = risk_safe(s, k);
    for (size_t i = 0; i < rr->n_pol; i++) {
        saving[i] = c->pol[i].saving_per_month;
        end[i] = c->pol[i].end_units;
    }
    struct md_best b;
    md_best_find(rr->n_pol, 0, saving, end, safe, &b);
    char from[40], to[40];
    timeu_format_date(rr->from_ns, from, sizeof from);
    timeu_format_date(rr->to_ns, to, sizeof to);
    if (!b.n) {
        const struct cost_policy *best = &c->pol[c->best];
        fprintf(fp, "No policy saves money against deleting nothing (%.2f %s/month of storage, averaged over %s to "
                    "%s)",
                base->per_month, c->currency, from, to);
        if (c->best != 0 && best->reclaimed_end_units >= 0.005) {
            fputs("; **", fp);
            md_policy(fp, rr, c->best);
            fprintf(fp, "** ends at **%.2f %s** instead of %.2f", best->end_units, c->unit, base->end_units);
        }
    } else {
        md_policy_list(fp, rr, b.pol, b.n);
        fprintf(fp, b.n == 1 ? " saves the most: **%.2f %s/month**" : " save the most, **%.2f %s/month** each",
                b.saving, c->currency);
        fprintf(fp, " (averaged over %s to %s), ending at ", from, to);
        md_best_range(fp, &b, end, c->unit);
        fprintf(fp, " instead of %.2f", base->end_units);
        best_risk_clause(s, k, &b, fp);
    }
    fputs(".\n", fp);
    md_best_free(&b);
    if (c->has_current) {
        const struct cost_policy *cur = &c->pol[c->current];
        for (size_t i = 0; i < rr->n_pol; i++) saving[i] = c->pol[i].saving_vs_current_per_month;
        md_best_find(rr->n_pol, c->current, saving, end, safe, &b);
        fputs("\nAgainst **", fp);
        md_policy(fp, rr, c->current);
        fprintf(fp, "**, what the registry runs today (storage %.2f %s/month, ending at %.2f %s), ", cur->per_month,
                c->currency, cur->end_units, c->unit);
        if (!b.n) {
            fputs("no policy saves anything", fp);
        } else {
            md_policy_list(fp, rr, b.pol, b.n);
            fprintf(fp, b.n == 1 ? " saves **%.2f %s/month**" : " save **%.2f %s/month** each", b.saving, c->currency);
            best_risk_clause(s, k, &b, fp);
        }
        fputs(".\n", fp);
        md_best_free(&b);
    }
    free(saving);
    free(end);
    free(safe);
}

/* The month's best policies against the baseline, then against `current`: on the month's own
 * figures, per[i] (the numbers of the report's table), never on the replay's average since the
 * history's start, which can name another policy and another sum. */
static void month_headline(const struct simulation *s, const struct md_risk *k, const struct cost_period *per,
                           FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct cost_period *basep = &per[0];
    double *saving = xcalloc(rr->n_pol + 1, sizeof *saving), *end = xcalloc(rr->n_pol + 1, sizeof *end),
           *storage = xcalloc(rr->n_pol + 1, sizeof *storage);
    bool *safe = risk_safe(s, k);
    for (size_t i = 0; i < rr->n_pol; i++) {
        saving[i] = basep->storage - per[i].storage;
        end[i] = per[i].end_units;
        storage[i] = per[i].storage;
    }
    struct md_best b;
    md_best_find(rr->n_pol, 0, saving, end, safe, &b);
    if (!b.n) {
        fprintf(fp, "No policy saves money against deleting nothing: in %s the storage overage is **%.2f %s** (plus the "
                    "SKU fee, %.2f), ending the month at %.2f %s.\n",
                s->o.month, basep->storage, c->currency, basep->sku_fee, basep->end_units, c->unit);
    } else {
        fprintf(fp, "In %s, ", s->o.month);
        md_policy_list(fp, rr, b.pol, b.n);
        fprintf(fp, b.n == 1 ? " saves the most: **%.2f %s**" : " save the most, **%.2f %s** each", b.saving,
                c->currency);
        fputs(b.n == 1 ? ", a storage overage of " : ": a storage overage of ", fp);
        md_best_range(fp, &b, storage, c->currency);
        fprintf(fp, " instead of %.2f, and %s the month at ", basep->storage, b.n == 1 ? "it ends" : "they end");
        md_best_range(fp, &b, end, c->unit);
        fprintf(fp, " instead of %.2f", basep->end_units);
        best_risk_clause(s, k, &b, fp);
        fputs(".\n", fp);
    }
    md_best_free(&b);
    if (c->has_current) {
        const struct cost_period *cur = &per[c->current];
        for (size_t i = 0; i < rr->n_pol; i++) saving[i] = cur->storage - per[i].storage;
        md_best_find(rr->n_pol, c->current, saving, end, safe, &b);
        fputs("\nThe purge setup the registry runs today, **", fp);
        md_policy(fp, rr, c->current);
        fprintf(fp, "**, costs %.2f %s in storage that month and ends it at %.2f %s", cur->storage, c->currency,
                cur->end_units, c->unit);
        if (b.n) {
            fputs("; ", fp);
            md_policy_list(fp, rr, b.pol, b.n);
            fprintf(fp, b.n == 1 ? " saves **%.2f %s** more" : " save **%.2f %s** more each", b.saving, c->currency);
            best_risk_clause(s, k, &b, fp);
        }
        fputs(".\n", fp);
        md_best_free(&b);
    }
    free(saving);
    free(end);
    free(storage);
    free(safe);
}

/* The risk table per policy, what the figures mean, then the broken references and in-use
 * images of each policy, folded. */
static void risk_tables(const struct simulation *s, const struct md_risk *k, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct risk *rk = &s->risk;
    char t[48], u[48], ref[600];
    if (!k->known) return;
    fputs("\n| policy |", fp);
    if (rk->have_pulls) fputs(" broken pulls | references | first broken pull |", fp);
    if (rk->have_inuse) fputs(" in-use images deleted |", fp);
    fputc('\n', fp);
    md_delimiter_row(fp, rk->have_pulls ? "lrrl" : "l", rk->have_inuse ? 1 : 0);
    size_t n_refs = 0, n_inuse = 0;
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct risk_period *p = &k->per[i];
        fputs("| ", fp);
        md_policy(fp, rr, i);
        if (rk->have_pulls)
            fprintf(fp, " | %zu | %zu | %s", p->pulls, p->refs, p->pulls ? timeu_format(p->first_ns, t, sizeof t) : "-");
        if (rk->have_inuse) fprintf(fp, " | %zu", k->inuse[i]);
        fputs(" |\n", fp);
        n_refs += p->refs;
        n_inuse += k->inuse[i];
    }
    fputc('\n', fp);
    if (rk->have_pulls) {
        fputs("A broken pull is a successful pull in the event log (", fp);
        if (k->month) fprintf(fp, "in %s", k->month);
        else fputs("in the window", fp);
        fputs(") whose tag or manifest the policy had deleted at that time; the history the pulls are checked "
              "against ", fp);
        if (s->snaps)   /* build_history(): several snapshots, the log's pulls alone are read */
            fputs("comes from the snapshots alone (the log's pushes, untags and deletes do not change it), ", fp);
        else
            fputs("follows the log's own pushes, untags and deletes (at the export's exportedAt the export wins), ",
                  fp);
        if (s->pulls.unresolved)
            fprintf(fp, "and the %zu of the window's %zu pulls it cannot place are not counted (see the warnings).",
                    s->pulls.unresolved, s->pulls.pulls);
        else
            fprintf(fp, "and it places all the window's %zu pulls.", s->pulls.pulls);
        if (rk->have_inuse) fputc(' ', fp);
    }
    if (rk->have_inuse) {
        fprintf(fp, "In-use images deleted: of the %zu in-use references, those the policy deletes", s->inuse.n);
        if (k->month) fprintf(fp, " by the end of %s", k->month);
        fputs(".", fp);
    }
    fputc('\n', fp);
    if (!n_refs && !n_inuse) return;

    fprintf(fp, "\n<details><summary>What each policy breaks, policy by policy: %s</summary>\n",
            n_refs && n_inuse ? "the references whose pulls it breaks, the in-use images it deletes"
            : n_refs ? "the references whose pulls it breaks" : "the in-use images it deletes");
    if (n_refs) {
        fputs("\n| policy | reference | kind | pulls broken | first broken pull | last broken pull | deleted at |\n", fp);
        md_delimiter_row(fp, "lllrlll", 0);
        size_t more = 0;
        for (size_t i = 0; i < rr->n_pol; i++) {
            const struct risk_period *p = &k->per[i];
            for (size_t j = 0; j < p->refs; j++) {
                const struct risk_ref *x = &p->ref[j];
                if (j >= MD_RISK_LIST) {
                    more++;
                    continue;
                }
                fputs("| ", fp);
                md_policy(fp, rr, i);
                fputs(" | ", fp);
                md_code(fp, x->reference, true);
                fprintf(fp, " | %s | %zu | %s | %s", x->by_tag ? "tag" : "digest", x->pulls,
                        timeu_format(x->first_ns, t, sizeof t), timeu_format(x->last_ns, u, sizeof u));
                fprintf(fp, " | %s |\n", timeu_format(x->deleted_at, t, sizeof t));
            }
        }
        if (more)
            fprintf(fp, "\n… and %zu more (the %d with the most broken pulls of each policy are shown; `--format csv` "
                        "writes them all to broken-pulls.csv).\n",
                    more, MD_RISK_LIST);
    }
    if (n_inuse) {
        fputs("\n| policy | in-use image deleted | deleted at |\n", fp);
        md_delimiter_row(fp, "lll", 0);
        size_t more = 0;
        for (size_t i = 0; i < rr->n_pol; i++) {
            const struct risk_policy *r = &rk->pol[i];
            size_t shown = 0;
            for (size_t j = 0; j < r->n_inuse; j++) {
                if (r->inuse[j].deleted_at >= k->to) continue;
                if (shown++ >= MD_RISK_LIST) {
                    more++;
                    continue;
                }
                fputs("| ", fp);
                md_policy(fp, rr, i);
                fputs(" | ", fp);
                md_code(fp, risk_inuse_reference(&s->inuse_targets[r->inuse[j].target], ref, sizeof ref), true);
                fprintf(fp, " | %s |\n", timeu_format(r->inuse[j].deleted_at, t, sizeof t));
            }
        }
        if (more) fprintf(fp, "\n… and %zu more (`--format csv` writes them all to in-use.csv).\n", more);
    }
    fputs("\n</details>\n", fp);
}

int render_sim_markdown(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct cost_series *cs = &s->series;
    const struct model *m = s->m;
    struct md_risk rk;
    md_risk_build(s, &rk);
    sim_title(s, "simulate", fp);
    sim_headline(s, &rk, fp);
    risk_sentence(s, &rk, fp);

    fputs("\n| policy | runs", fp);
    deletion_head(fp);
    fprintf(fp, " | end %s | avg %s | peak %s | reclaimed %s | storage %s window | storage %s/mo | saving %s/mo",
            c->unit, c->unit, c->unit, c->unit, c->currency, c->currency, c->currency);
    if (c->has_current) fprintf(fp, " | saving vs current %s/mo", c->currency);
    fputs(" |\n", fp);
    md_delimiter_row(fp, "l", 12 + (c->has_current ? 1 : 0));
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct cost_policy *cp = &c->pol[i];
        fputs("| ", fp);
        md_policy(fp, rr, i);
        fprintf(fp, " | %zu", rr->pol[i].runs);
        deletion_cells(&cs->pol[i].window, fp);
        fprintf(fp, " | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f", cp->end_units, cp->avg_units, cp->peak_units,
                cp->reclaimed_end_units, cp->storage_total, cp->per_month, cp->saving_per_month);
        if (c->has_current) fprintf(fp, " | %.2f", cp->saving_vs_current_per_month);
        fputs(" |\n", fp);
    }
    fputs("\nDeleted over the window; referrers (signatures, SBOMs) go with their subject. Storage is the overage "
          "above the included storage, per month averaged over the window",
          fp);
    fputs(c->has_current ? "; savings are against the baseline (deletes nothing) and against current. " : ". ", fp);
    sku_fee_sentence(s, fp);
    fputc('\n', fp);
    risk_tables(s, &rk, fp);
    md_risk_free(s, &rk);

    if (c->n_top) {
        const struct cost_repo *best = c->pol[c->best].repos, *base = c->pol[0].repos;
        fputs("\nTop repositories by reclaimable bytes (sum of imageSize) under **", fp);
        md_policy(fp, rr, c->best);
        fputs("**:\n\n| repository | baseline | policy | reclaimable |\n", fp);
        md_delimiter_row(fp, "lrrr", 0);
        for (size_t k = 0; k < c->n_top; k++) {
            uint32_t r = c->top[k];
            char x[32], y[32], z[32];
            fputs("| ", fp);
            md_name(fp, m->repos[r].name, MD_REPO_MAX);
            fprintf(fp, " | %s | %s | %s |\n", render_bytes(base[r].end_bytes, x, sizeof x),
                    render_bytes(best[r].end_bytes, y, sizeof y), render_bytes(best[r].reclaimed_bytes, z, sizeof z));
        }
    }
    md_warnings(fp, s->warnings, s->n_warnings);
    sim_terms(s, fp);
    return ferror(fp) ? -1 : 0;
}

int render_month_markdown(const struct simulation *s, FILE *fp)
{
    const struct replay_result *rr = &s->rr;
    const struct cost_result *c = &s->cost;
    const struct cost_series *cs = &s->series;
    const struct model *m = s->m;
    char money[32];
    render_period_money_label(s, cs, money, sizeof money);
    fputs("### purgesim report: ", fp);
    md_escape(fp, m->registry);
    fprintf(fp, ", %s\n\n", s->o.month);

    /* the month's figures per policy: the table's, and the headline's */
    struct cost_period *per = xcalloc(rr->n_pol + 1, sizeof *per);
    for (size_t i = 0; i < rr->n_pol; i++) cost_period(c, i, &per[i]);
    struct md_risk rk;
    md_risk_build(s, &rk);
    month_headline(s, &rk, per, fp);
    risk_sentence(s, &rk, fp);
    if (!cs->acct_whole_month)
        fprintf(fp, "\nOnly %zu %s of %s %s in the export's history; money is over those days.\n", cs->acct_days,
                md_plural(cs->acct_days, "day", "days"), s->o.month, cs->acct_days == 1 ? "lies" : "lie");

    fprintf(fp, "\n| policy | avg %s | end %s | storage %s | SKU fee %s | total %s", c->unit, c->unit, money, money,
            money);
    deletion_head(fp);
    fputs(" |\n", fp);
    md_delimiter_row(fp, "l", 9);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct cost_period *cp = &per[i];
        fputs("| ", fp);
        md_policy(fp, rr, i);
        fprintf(fp, " | %.2f | %.2f | %.2f | %.2f | %.2f", cp->avg_units, cp->end_units, cp->storage, cp->sku_fee,
                cp->storage + cp->sku_fee);
        deletion_cells(&cs->pol[i].acct, fp);
        fputs(" |\n", fp);
    }
    fprintf(fp, "\nMoney over the %zu %s of %s in the history: storage overage above the included storage, the SKU "
                "fee (the same for every policy), their total. Deleted in the month; referrers go with their "
                "subject.\n",
            cs->acct_days, md_plural(cs->acct_days, "day", "days"), s->o.month);
    risk_tables(s, &rk, fp);
    md_risk_free(s, &rk);
    free(per);

    /* cost by repository: the top ones, one pair of columns per policy */
    if (m->n_repos) {
        /* the baseline's most expensive first, then its largest at the month's end, then model order */
        struct md_ranked *order = xcalloc(m->n_repos + 1, sizeof *order);
        for (size_t r = 0; r < m->n_repos; r++)
            order[r] = (struct md_ranked){c->pol[0].repos[r].cost_share, c->pol[0].repos[r].end_bytes, r};
        qsort(order, m->n_repos, sizeof *order, md_by_rank);
        size_t shown = m->n_repos < MD_TOP ? m->n_repos : MD_TOP;
        fprintf(fp, "\nStorage cost by repository (its share of the policy's storage money, by byte-days of imageSize; "
                    "size at the month's end)%s:\n\n| repository",
                shown < m->n_repos ? ", the repositories costing most without a purge" : "");
        for (size_t i = 0; i < rr->n_pol; i++) {
            fputs(" | ", fp);
            md_policy(fp, rr, i);
            fputs(" end | ", fp);
            md_policy(fp, rr, i);
            fprintf(fp, " %s", money);
        }
        fputs(" |\n", fp);
        md_delimiter_row(fp, "l", 2 * rr->n_pol);
        for (size_t k = 0; k < shown; k++) {
            size_t r = order[k].index;
            fputs("| ", fp);
            md_name(fp, m->repos[r].name, MD_REPO_MAX);
            for (size_t i = 0; i < rr->n_pol; i++) {
                const struct cost_repo *cr = &c->pol[i].repos[r];
                char x[32];
                fprintf(fp, " | %s | %.2f", render_bytes(cr->end_bytes, x, sizeof x), cr->cost_share);
            }
            fputs(" |\n", fp);
        }
        if (shown < m->n_repos)
            fprintf(fp, "\n… and %zu more %s (`--format text`, `json` or `csv` list them all).\n", m->n_repos - shown,
                    md_plural(m->n_repos - shown, "repository", "repositories"));
        free(order);
    }
    md_warnings(fp, s->warnings, s->n_warnings);
    sim_terms(s, fp);
    return ferror(fp) ? -1 : 0;
}
