/* md_dryrun.c - dry-run's --format markdown (render.h): the headline (what the command would
 * delete, and the money it saves), the repositories it deletes most from, the risk (pulls it
 * would break, in-use images it would delete) and every deletion folded in <details>. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "markdown_internal.h"
#include "md_text.h"
#include "timeu.h"

/* ---- dry-run --------------------------------------------------------------------------------- */

static const char *kind_label(const struct manifest *mf)
{
    if (media_is_index(mf->media)) return "index";
    if (mf->has_subject) return "referrer";
    if (mf->media == MEDIA_NONE) return "no mediaType";
    return "image";
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
    struct md_ranked *order = xcalloc(r->n_repos + 1, sizeof *order);
    for (size_t i = 0; i < r->n_repos; i++)
        order[i] = (struct md_ranked){0, r->dedup_known ? r->repos[i].bytes_dedup : r->repos[i].bytes, i};
    qsort(order, r->n_repos, sizeof *order, md_by_rank);
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
        fprintf(fp, "; %s, in %s; overage %.5f %s per %s per day (%sprices ", r->dedup_known ? "deduplicated blobs" : "sum of imageSize",
                cb->unit, cb->price_per_unit_day, cb->currency, cb->unit,
                cb->price_given ? "--price-per-gb-day; SKUs from " : "");
        md_escape(fp, r->price && r->price->date ? r->price->date : "undated");
        fputs(")", fp);
    } else {
        fputs(r->dedup_known ? "; deduplicated blobs" : "; sum of imageSize", fp);
    }
    fputs(".\n", fp);
    dryrun_details(r, fp);
    return ferror(fp) ? -1 : 0;
}
