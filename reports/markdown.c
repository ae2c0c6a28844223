/* markdown.c - --format markdown (render.h): GitHub-flavoured Markdown for $GITHUB_STEP_SUMMARY
 * and pull-request comments: a headline with the figures that matter, GitHub tables that mirror
 * the text reports (same figures, same rounding), warnings as a list, the terms in one line, and
 * long lists folded in <details>. Names are escaped so that no table breaks and nothing renders
 * as HTML, a link or a mention; lists are cut to stay far below a comment's 65,536 characters. */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "markdown_internal.h"
#include "md_text.h"
#include "timeu.h"

#define MD_REPO_MAX 60           /* repository names in summary tables, as the text tables */
#define MD_TOP 10                /* rows of a per-repository table */

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
static void md_sku_terms(FILE *fp, const char *sku, double included, const char *unit, int replicas)
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

/* ---- dry-run --------------------------------------------------------------------------------- */

static const char *kind_label(const struct manifest *mf)
{
    if (media_is_index(mf->media)) return "index";
    if (mf->has_subject) return "referrer";
    if (mf->media == MEDIA_NONE) return "no mediaType";
    return "image";
}

/* A row of a per-repository table and what orders it: largest first, then the given order. */
struct ranked {
    double key1;
    uint64_t key2;
    size_t index;
};

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->key1 != y->key1) return x->key1 < y->key1 ? 1 : -1;
    if (x->key2 != y->key2) return x->key2 < y->key2 ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void dryrun_headline(const struct dryrun_report *r, const char *command, FILE *fp)
{
    char a[32];
    md_code(fp, command, false);
    if (!r->tags && !r->manifests && !r->cascade) {
        fputs(" would delete **nothing** from ", fp);
        md_escape(fp, r->registry);
        fputs(".\n", fp);
    } else {
        fprintf(fp, " would delete **%zu %s and %zu %s**", r->tags, md_plural(r->tags, "tag", "tags"), r->manifests,
                md_plural(r->manifests, "manifest", "manifests"));
        if (r->cascade)
            fprintf(fp, " (and %zu %s with %s subject)", r->cascade, md_plural(r->cascade, "referrer", "referrers"),
                    md_plural(r->cascade, "its", "their"));
        fputs(" from ", fp);
        md_escape(fp, r->registry);
        if (r->have_basis)
            fprintf(fp, ", freeing **%.2f %s**, a saving of **%.2f %s/month** from now on", r->reclaimed_units,
                    r->basis.unit, r->per_month, r->basis.currency);
        else
            fprintf(fp, ", freeing **%s**",
                    render_bytes(r->dedup_known ? r->bytes_dedup : r->bytes + r->cascade_bytes, a, sizeof a));
        fputs(".\n", fp);
    }
    if (r->res.failed) {
        fputs("\n**The run fails:** ", fp);
        md_escape(fp, r->res.error);
        fputs(" (acr purge stops there; the figures are what it deletes before the error).\n", fp);
    }
}

static void dryrun_repo_table(const struct dryrun_report *r, FILE *fp)
{
    char a[32], b[32], c[32];
    /* the repositories freeing the most bytes (deduplicated when known) first, ties by name */
    struct ranked *order = xcalloc(r->n_repos + 1, sizeof *order);
    for (size_t i = 0; i < r->n_repos; i++)
        order[i] = (struct ranked){0, r->dedup_known ? r->repos[i].bytes_dedup : r->repos[i].bytes, i};
    qsort(order, r->n_repos, sizeof *order, by_rank);
    size_t shown = r->n_repos < MD_TOP ? r->n_repos : MD_TOP;
    if (shown < r->n_repos)
        fprintf(fp, "\nThe %zu repositories freeing the most, of %zu:\n", shown, r->n_repos);
    fputs("\n| repository | tags | manifests | imageSize", fp);
    if (r->cascade) fputs(" | referrers cascaded | their imageSize", fp);
    if (r->dedup_known) fputs(" | blobs freed", fp);
    fputs(" |\n", fp);
    md_delimiter_row(fp, "lrrr", (size_t)(r->cascade ? 2 : 0) + (r->dedup_known ? 1u : 0u));
    for (size_t k = 0; k < shown; k++) {
        const struct dryrun_repo *dr = &r->repos[order[k].index];
        fputs("| ", fp);
        md_name(fp, r->m->repos[dr->repo].name, MD_REPO_MAX);
        fprintf(fp, " | %zu | %zu | %s", dr->tags, dr->manifests, render_bytes(dr->bytes, a, sizeof a));
        if (r->cascade) fprintf(fp, " | %zu | %s", dr->cascade, render_bytes(dr->cascade_bytes, b, sizeof b));
        if (r->dedup_known) fprintf(fp, " | %s", render_bytes(dr->bytes_dedup, c, sizeof c));
        fputs(" |\n", fp);
    }
    fprintf(fp, "| **total** | **%zu** | **%zu** | **%s**", r->tags, r->manifests, render_bytes(r->bytes, a, sizeof a));
    if (r->cascade) fprintf(fp, " | **%zu** | **%s**", r->cascade, render_bytes(r->cascade_bytes, b, sizeof b));
    if (r->dedup_known) fprintf(fp, " | **%s**", render_bytes(r->bytes_dedup, c, sizeof c));
    fputs(" |\n", fp);
    if (shown < r->n_repos)
        fprintf(fp, "\n… and %zu more %s.\n", r->n_repos - shown,
                md_plural(r->n_repos - shown, "repository", "repositories"));
    free(order);
}

static void dryrun_money(const struct dryrun_report *r, FILE *fp)
{
    const struct cost_basis *cb = &r->basis;
    if (!r->have_basis) return;
    fprintf(fp, "\n| storage | before | after | saving |\n");
    md_delimiter_row(fp, "lrrr", 0);
    fprintf(fp, "| stored %s | %.2f | %.2f | %.2f |\n", cb->unit, r->stored_units_before, r->stored_units_after,
            r->reclaimed_units);
    fprintf(fp, "| %s/day | %.4f | %.4f | %.4f |\n", cb->currency, r->storage_per_day_before,
            r->storage_per_day_after, r->per_day);
    fprintf(fp, "| %s/month |  |  | **%.2f** |\n", cb->currency, r->per_month);
    fprintf(fp, "\nStorage money is the overage above the included storage, times replicas; the saving holds from "
                "now until the next push.\n");
}

/* One row of the deletion list; returns its length (written when fp is not NULL). */
static size_t deletion_row(FILE *fp, const struct repo *rp, const struct purge_event *e)
{
    char dg[80], when[48], sz[32], line[160];
    size_t n = md_put(fp, "| ");
    n += md_escape(fp, rp->name);
    if (e->kind == PEV_TAG) {
        const struct tag *tg = &rp->tags[e->item];
        digest_format(&rp->manifests[tg->manifest].digest, dg, sizeof dg);
        dg[19] = '\0';
        n += md_put(fp, " | untag | ");
        n += md_escape(fp, tg->name);
        n += md_put(fp, " → ");
        n += md_code(fp, dg, true);
        n += md_put(fp, " |  |  | tag |\n");
        return n;
    }
    const struct manifest *mf = &rp->manifests[e->item];
    digest_format(&mf->digest, dg, sizeof dg);
    dg[19] = '\0';
    if (mf->updated_state == TIME_OK) timeu_format_date(mf->updated_ns, when, sizeof when);
    else snprintf(when, sizeof when, "%s", "(no time)");
    n += md_put(fp, e->kind == PEV_CASCADE ? " | cascade | " : " | delete | ");
    n += md_code(fp, dg, true);
    snprintf(line, sizeof line, " | %s | %s | %s |\n", when, render_bytes(mf->size_bytes, sz, sizeof sz),
             kind_label(mf));
    n += md_put(fp, line);
    return n;
}

static void dryrun_details(const struct dryrun_report *r, FILE *fp)
{
    size_t total = 0;
    for (size_t k = 0; k < r->res.n_ev; k++) {
        uint8_t kind = r->res.ev[k].kind;
        if (kind == PEV_TAG || kind == PEV_MANIFEST || kind == PEV_CASCADE) total++;
    }
    if (!total) return;
    fprintf(fp, "\n<details><summary>What would be deleted: %zu %s, %zu %s", r->tags, md_plural(r->tags, "tag", "tags"),
            r->manifests, md_plural(r->manifests, "manifest", "manifests"));
    if (r->cascade) fprintf(fp, ", %zu %s by cascade", r->cascade, md_plural(r->cascade, "referrer", "referrers"));
    fprintf(fp, " in %zu %s</summary>\n\n", r->n_repos, md_plural(r->n_repos, "repository", "repositories"));
    fputs("| repository | action | tag or manifest | updated | imageSize | kind |\n", fp);
    md_delimiter_row(fp, "llllrl", 0);
    size_t used = 0, shown = 0;
    for (size_t k = 0; k < r->res.n_ev; k++) {
        const struct purge_event *e = &r->res.ev[k];
        if (e->kind != PEV_TAG && e->kind != PEV_MANIFEST && e->kind != PEV_CASCADE) continue;
        const struct repo *rp = &r->m->repos[e->repo];
        size_t len = deletion_row(NULL, rp, e);
        if (used + len > MD_LIST_BUDGET) break;
        deletion_row(fp, rp, e);
        used += len;
        shown++;
    }
    if (shown < total)
        fprintf(fp, "\n… and %zu more (`--format text` or `--format json` list them all).\n", total - shown);
    fputs("\n</details>\n", fp);
}

/* What the run deletes of what was pulled and of what runs: one sentence. */
static void dryrun_risk_sentence(const struct dryrun_risk *k, FILE *fp)
{
    size_t pulls = 0;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < k->n_pulled; i++) {
        pulls += k->pulled[i].pulls;
        if (k->pulled[i].last_pull_ns > last) last = k->pulled[i].last_pull_ns;
    }
    char t[40];
    fputs("\nIt deletes ", fp);
    if (k->have_pulls && !k->n_pulled) fputs("nothing that was pulled (event log)", fp);
    else if (k->have_pulls)
        fprintf(fp, "**%zu %s that %s pulled** (%zu %s, the last %s)", k->n_pulled,
                md_plural(k->n_pulled, "reference", "references"), md_plural(k->n_pulled, "was", "were"), pulls,
                md_plural(pulls, "pull", "pulls"), timeu_format_date(last, t, sizeof t));
    if (k->have_pulls && k->have_inuse) fputs(" and ", fp);
    if (k->have_inuse && !k->n_inuse) fputs("no in-use image", fp);
    else if (k->have_inuse)
        fprintf(fp, "**%zu in-use %s**", k->n_inuse, md_plural(k->n_inuse, "image", "images"));
    fputs(".\n", fp);
}

/* A row of the dry run's risk table: a reference it deletes that was pulled, or that runs. */
struct risk_row {
    const struct risk_hit *h;
    bool pulled, in_use;
};

static int by_pulls(const void *a, const void *b)
{
    const struct risk_row *x = a, *y = b;
    if (x->pulled != y->pulled) return x->pulled ? -1 : 1;
    if (x->h->pulls != y->h->pulls) return x->h->pulls < y->h->pulls ? 1 : -1;
    return x->pulled ? strcmp(x->h->reference, y->h->reference) : (x->h > y->h) - (x->h < y->h);
}

/* The references behind the sentence: the most pulled first, then the in-use ones not pulled
 * (in list order), MD_RISK_LIST rows at most. */
#define MD_RISK_LIST 20
static void dryrun_risk_table(const struct dryrun_risk *k, FILE *fp)
{
    if (!k->n_pulled && !k->n_inuse) return;
    struct risk_row *rows = xcalloc(k->n_pulled + k->n_inuse + 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < k->n_pulled; i++) {
        bool in_use = false;
        for (size_t j = 0; j < k->n_inuse && !in_use; j++) in_use = !strcmp(k->inuse[j].reference, k->pulled[i].reference);
        rows[n++] = (struct risk_row){&k->pulled[i], true, in_use};
    }
    for (size_t i = 0; i < k->n_inuse; i++) {
        bool pulled = false;
        for (size_t j = 0; j < k->n_pulled && !pulled; j++) pulled = !strcmp(k->pulled[j].reference, k->inuse[i].reference);
        if (!pulled) rows[n++] = (struct risk_row){&k->inuse[i], false, true};
    }
    qsort(rows, n, sizeof *rows, by_pulls);
    fprintf(fp, "\nWhat it deletes that %s:\n",
            !k->have_inuse ? "production pulled (the event log)"
            : !k->have_pulls ? "runs (the in-use list)" : "production pulled (the event log) or runs (the in-use list)");
    fputs("\n| reference deleted |", fp);
    if (k->have_pulls) fputs(" pulls in the log | last pull |", fp);
    if (k->have_inuse) fputs(" in use |", fp);
    fputc('\n', fp);
    md_delimiter_row(fp, k->have_pulls ? (k->have_inuse ? "lrll" : "lrl") : "ll", 0);
    size_t shown = n < MD_RISK_LIST ? n : MD_RISK_LIST;
    for (size_t i = 0; i < shown; i++) {
        const struct risk_row *rw = &rows[i];
        char t[48];
        fputs("| ", fp);
        md_code(fp, rw->h->reference, true);
        if (k->have_pulls) {
            if (rw->pulled) fprintf(fp, " | %zu | %s", rw->h->pulls, timeu_format(rw->h->last_pull_ns, t, sizeof t));
            else fputs(" | - | -", fp);
        }
        if (k->have_inuse) fputs(rw->in_use ? " | yes" : " | ", fp);
        fputs(" |\n", fp);
    }
    if (shown < n)
        fprintf(fp, "\n… and %zu more (`--format text` or `--format json` list them all).\n", n - shown);
    free(rows);
}

int render_dryrun_markdown(const struct dryrun_report *r, const char *command, FILE *fp)
{
    char t[64];
    fputs("### purgesim dry run: ", fp);
    md_escape(fp, r->registry);
    fputs("\n\n", fp);
    dryrun_headline(r, command, fp);
    bool risk = r->risk && (r->risk->have_pulls || r->risk->have_inuse);
    if (risk) dryrun_risk_sentence(r->risk, fp);
    if (r->n_repos) dryrun_repo_table(r, fp);
    dryrun_money(r, fp);
    if (risk) dryrun_risk_table(r->risk, fp);
    md_warnings(fp, r->warnings, r->n_warnings);

    fprintf(fp, "\nAt %s; acr-cli %s", timeu_format(r->now_ns, t, sizeof t),
            r->rule->version == ACR_CLI_0_16   ? "0.16 and before"
            : r->rule->version == ACR_CLI_0_17 ? "0.17"
                                               : "0.18 and later (current)");
    if (r->have_basis) {
        const struct cost_basis *cb = &r->basis;
        fputs("; ", fp);
        md_sku_terms(fp, cb->sku_name, cb->included_units, cb->unit, cb->replicas);
        fprintf(fp, "; %s, in %s; overage %.5f %s per %s per day (prices ", r->dedup_known ? "deduplicated blobs" : "sum of imageSize",
                cb->unit, cb->price_per_unit_day, cb->currency, cb->unit);
        md_escape(fp, r->price && r->price->date ? r->price->date : "undated");
        fputs(")", fp);
    } else {
        fputs(r->dedup_known ? "; deduplicated blobs" : "; sum of imageSize", fp);
    }
    fputs(".\n", fp);
    dryrun_details(r, fp);
    return ferror(fp) ? -1 : 0;
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
        struct ranked *order = xcalloc(m->n_repos + 1, sizeof *order);
        for (size_t r = 0; r < m->n_repos; r++)
            order[r] = (struct ranked){c->pol[0].repos[r].cost_share, c->pol[0].repos[r].end_bytes, r};
        qsort(order, m->n_repos, sizeof *order, by_rank);
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
