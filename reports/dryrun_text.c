/* dryrun_text.c - the dry run for people: the selection with sizes, subtotals, money, warnings. */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "timeu.h"

static const char *kind_label(const struct manifest *mf)
{
    if (media_is_index(mf->media)) return "index";
    if (mf->has_subject) return "referrer";
    if (mf->media == MEDIA_NONE) return "no mediaType";
    return "image";
}

static void print_manifest_line(FILE *fp, const char *what, const struct manifest *mf)
{
    char dg[80], sz[32], when[48];
    digest_format(&mf->digest, dg, sizeof dg);
    if (mf->updated_state == TIME_OK) timeu_format_date(mf->updated_ns, when, sizeof when);
    else snprintf(when, sizeof when, "%s", "(no time)");
    fprintf(fp, "  %-9s %.19s  %-10s %10s  %s\n", what, dg, when, render_bytes(mf->size_bytes, sz, sizeof sz),
            kind_label(mf));
}

/* What the run deletes of what production pulled (the event log) and runs (the in-use list). */
static void risk_text(const struct dryrun_risk *k, FILE *fp)
{
    char t[48];
    if (k->have_pulls) {
        if (!k->n_pulled) fputs("\nPulled (event log): the run deletes nothing that was pulled\n", fp);
        else fprintf(fp, "\nPulled (event log) and deleted by the run: %zu reference%s\n", k->n_pulled,
                     k->n_pulled == 1 ? "" : "s");
        for (size_t i = 0; i < k->n_pulled; i++)
            fprintf(fp, "  %-60s %6zu pull%s, last %s\n", k->pulled[i].reference, k->pulled[i].pulls,
                    k->pulled[i].pulls == 1 ? " " : "s", timeu_format(k->pulled[i].last_pull_ns, t, sizeof t));
    }
    if (k->have_inuse) {
        if (!k->n_inuse) fputs("\nIn use: the run deletes no in-use image\n", fp);
        else fprintf(fp, "\nIn use and deleted by the run: %zu reference%s\n", k->n_inuse, k->n_inuse == 1 ? "" : "s");
        for (size_t i = 0; i < k->n_inuse; i++) fprintf(fp, "  %s\n", k->inuse[i].reference);
    }
}

int render_dryrun_text(const struct dryrun_report *r, const char *command, FILE *fp)
{
    const struct model *m = r->m;
    char t[64], a[32], b[32], c[32];
    fprintf(fp, "purgesim dry run of %s at %s\n", r->registry, timeu_format(r->now_ns, t, sizeof t));
    fprintf(fp, "command: %s\n", command);
    fprintf(fp, "model:   acr-cli %s\n\n",
            r->rule->version == ACR_CLI_0_16   ? "0.16 and before"
            : r->rule->version == ACR_CLI_0_17 ? "0.17"
                                               : "0.18 and later (current)");

    size_t k = 0;
    for (size_t i = 0; i < r->n_repos; i++) {
        const struct dryrun_repo *dr = &r->repos[i];
        const struct repo *rp = &m->repos[dr->repo];
        fprintf(fp, "%s\n", rp->name);
        /* events come grouped by repository in name order, as the repos array does */
        while (k < r->res.n_ev && r->res.ev[k].repo < dr->repo) k++;
        for (; k < r->res.n_ev && r->res.ev[k].repo == dr->repo; k++) {
            const struct purge_event *e = &r->res.ev[k];
            if (e->kind == PEV_TAG) {
                const struct tag *tg = &rp->tags[e->item];
                char dg[80];
                digest_format(&rp->manifests[tg->manifest].digest, dg, sizeof dg);
                fprintf(fp, "  %-9s %-30s -> %.19s\n", "untag", tg->name, dg);
            } else if (e->kind == PEV_MANIFEST) {
                print_manifest_line(fp, "delete", &rp->manifests[e->item]);
            } else if (e->kind == PEV_CASCADE) {
                print_manifest_line(fp, "cascade", &rp->manifests[e->item]);
            }
        }
        fprintf(fp, "  subtotal: %zu tag%s, %zu manifest%s, %s", dr->tags, dr->tags == 1 ? "" : "s",
                dr->manifests, dr->manifests == 1 ? "" : "s", render_bytes(dr->bytes, a, sizeof a));
        if (dr->cascade)
            fprintf(fp, " + %zu referrer%s by cascade, %s", dr->cascade, dr->cascade == 1 ? "" : "s",
                    render_bytes(dr->cascade_bytes, b, sizeof b));
        if (r->dedup_known) fprintf(fp, "; %s of blobs freed", render_bytes(dr->bytes_dedup, c, sizeof c));
        fputs("\n\n", fp);
    }
    if (!r->n_repos) fputs("Nothing would be deleted.\n\n", fp);

    fprintf(fp, "Total: %zu tag%s and %zu manifest%s deleted by purge", r->tags, r->tags == 1 ? "" : "s",
            r->manifests, r->manifests == 1 ? "" : "s");
    if (r->cascade) fprintf(fp, ", %zu referrer%s by cascade", r->cascade, r->cascade == 1 ? "" : "s");
    fputc('\n', fp);
    fprintf(fp, "  reclaimed, sum of imageSize:   %10s  (%" PRIu64 " bytes)\n",
            render_bytes(r->bytes, a, sizeof a), r->bytes);
    if (r->cascade)
        fprintf(fp, "  referrers deleted by cascade:  %10s  (%" PRIu64 " bytes)\n",
                render_bytes(r->cascade_bytes, a, sizeof a), r->cascade_bytes);
    if (r->dedup_known)
        fprintf(fp, "  reclaimed, deduplicated blobs: %10s  (%" PRIu64 " bytes; %s of it by cascade)\n",
                render_bytes(r->bytes_dedup, a, sizeof a), r->bytes_dedup,
                render_bytes(r->cascade_bytes_dedup, b, sizeof b));
    else
        fputs("  reclaimed, deduplicated blobs: unknown (layers not in the export)\n", fp);
    fprintf(fp, "  registry stores:               %10s", render_bytes(r->stored_bytes, a, sizeof a));
    if (r->dedup_known) fprintf(fp, " as imageSize, %s as unique blobs", render_bytes(r->stored_bytes_dedup, b, sizeof b));
    fputc('\n', fp);
    if (r->have_basis) {
        const struct cost_basis *cb = &r->basis;
        fprintf(fp, "  saving:                        %.4f %s/day, %.2f %s/month from now until the next push\n",
                r->per_day, cb->currency, r->per_month, cb->currency);
        fprintf(fp, "                                 storage billed above %s%s%.0f %s included, x%d replica%s: %.4f %s/day "
                    "before (%.2f %s stored), %.4f after (%.2f %s)\n",
                cb->sku_name ? cb->sku_name : "", cb->sku_name ? "'s " : "", cb->included_units, cb->unit, cb->replicas,
                cb->replicas == 1 ? "" : "s", r->storage_per_day_before, cb->currency, r->stored_units_before, cb->unit,
                r->storage_per_day_after, r->stored_units_after, cb->unit);
        fprintf(fp, "                                 %.3f %s freed (%s) at %.5f %s per %s per day (%sprices %s)\n",
                r->reclaimed_units, cb->unit, r->dedup_known ? "deduplicated" : "by imageSize", cb->price_per_unit_day,
                cb->currency, cb->unit, cb->price_given ? "--price-per-gb-day; SKUs from " : "", r->price->date);
    }
    if (r->risk) risk_text(r->risk, fp);
    if (r->res.failed) fprintf(fp, "\nThe run FAILS: %s\n", r->res.error);
    if (r->n_warnings) {
        fputs("\nWarnings:\n", fp);
        for (size_t i = 0; i < r->n_warnings; i++) fprintf(fp, "  - %s\n", r->warnings[i]);
    }
    return ferror(fp) ? -1 : 0;
}
