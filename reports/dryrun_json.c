/* dryrun_json.c - the dry run as JSON; byte counts are printed as exact integers. */
#include "render.h"

#include <inttypes.h>

#include "timeu.h"

static void ref_list(FILE *fp, const struct dryrun_report *r, enum purge_event_kind kind)
{
    const struct model *m = r->m;
    bool first = true;
    fputc('[', fp);
    for (size_t k = 0; k < r->res.n_ev; k++) {
        const struct purge_event *e = &r->res.ev[k];
        if (e->kind != kind) continue;
        const struct repo *rp = &m->repos[e->repo];
        char ref[1200], dg[80];
        if (kind == PEV_TAG) snprintf(ref, sizeof ref, "%s:%s", rp->name, rp->tags[e->item].name);
        else snprintf(ref, sizeof ref, "%s@%s", rp->name,
                      digest_format(&rp->manifests[e->item].digest, dg, sizeof dg));
        fputs(first ? "\n    " : ",\n    ", fp);
        render_json_string(fp, ref);
        first = false;
    }
    fputs(first ? "]" : "\n  ]", fp);
}

static void opt_u64(FILE *fp, bool known, uint64_t v)
{
    if (known) fprintf(fp, "%" PRIu64, v);
    else fputs("null", fp);
}

/* "pulled_deleted" and "in_use_deleted": null without --events / --in-use. */
static void risk_json(const struct dryrun_risk *k, FILE *fp)
{
    char t[48];
    fputs("  \"pulled_deleted\": ", fp);
    if (!k || !k->have_pulls) {
        fputs("null", fp);
    } else {
        fputc('[', fp);
        for (size_t i = 0; i < k->n_pulled; i++) {
            fputs(i ? ",\n    {\"reference\": " : "\n    {\"reference\": ", fp);
            render_json_string(fp, k->pulled[i].reference);
            fprintf(fp, ", \"pulls\": %zu, \"last_pull\": ", k->pulled[i].pulls);
            render_json_string(fp, timeu_format(k->pulled[i].last_pull_ns, t, sizeof t));
            fputc('}', fp);
        }
        fputs(k->n_pulled ? "\n  ]" : "]", fp);
    }
    fputs(",\n  \"in_use_deleted\": ", fp);
    if (!k || !k->have_inuse) {
        fputs("null", fp);
    } else {
        fputc('[', fp);
        for (size_t i = 0; i < k->n_inuse; i++) {
            fputs(i ? ", " : "", fp);
            render_json_string(fp, k->inuse[i].reference);
        }
        fputc(']', fp);
    }
    fputs(",\n", fp);
}

int render_dryrun_json(const struct dryrun_report *r, const char *command, FILE *fp)
{
    char t[64];
    fputs("{\n  \"registry\": ", fp);
    render_json_string(fp, r->registry);
    fprintf(fp, ",\n  \"at\": \"%s\",\n  \"command\": ", timeu_format(r->now_ns, t, sizeof t));
    render_json_string(fp, command);
    fprintf(fp, ",\n  \"acr_cli_version\": \"%s\",\n", purgecmd_version_name(r->rule->version));
    fprintf(fp, "  \"failed\": %s,\n  \"error\": ", r->res.failed ? "true" : "false");
    if (r->res.failed) render_json_string(fp, r->res.error);
    else fputs("null", fp);
    fprintf(fp, ",\n  \"tags_counted\": %zu,\n  \"manifests_counted\": %zu,\n", r->res.tags_counted,
            r->res.manifests_counted);
    fputs("  \"deleted_tags\": ", fp);
    ref_list(fp, r, PEV_TAG);
    fputs(",\n  \"deleted_manifests\": ", fp);
    ref_list(fp, r, PEV_MANIFEST);
    fputs(",\n  \"cascade_deleted_manifests\": ", fp);
    ref_list(fp, r, PEV_CASCADE);
    fprintf(fp, ",\n  \"reclaimed_bytes\": %" PRIu64 ",\n  \"reclaimed_bytes_dedup\": ", r->bytes);
    opt_u64(fp, r->dedup_known, r->bytes_dedup);
    fprintf(fp, ",\n  \"cascade_bytes\": %" PRIu64 ",\n  \"cascade_bytes_dedup\": ", r->cascade_bytes);
    opt_u64(fp, r->dedup_known, r->cascade_bytes_dedup);
    fprintf(fp, ",\n  \"stored_bytes\": %" PRIu64 ",\n  \"stored_bytes_dedup\": ", r->stored_bytes);
    opt_u64(fp, r->dedup_known, r->stored_bytes_dedup);
    fputs(",\n  \"per_repository\": [", fp);
    for (size_t i = 0; i < r->n_repos; i++) {
        const struct dryrun_repo *dr = &r->repos[i];
        fputs(i ? ",\n    {\"repository\": " : "\n    {\"repository\": ", fp);
        render_json_string(fp, r->m->repos[dr->repo].name);
        fprintf(fp, ", \"deleted_tags\": %zu, \"deleted_manifests\": %zu, \"cascade_deleted_manifests\": %zu, "
                    "\"reclaimed_bytes\": %" PRIu64 ", \"cascade_bytes\": %" PRIu64 ", \"reclaimed_bytes_dedup\": ",
                dr->tags, dr->manifests, dr->cascade, dr->bytes, dr->cascade_bytes);
        opt_u64(fp, r->dedup_known, dr->bytes_dedup);
        fputc('}', fp);
    }
    fputs(r->n_repos ? "\n  ],\n" : "],\n", fp);
    if (r->have_basis) {
        /* the same basis as simulate: the registry's storage money per day before and after */
        const struct cost_basis *b = &r->basis;
        fputs("  \"cost\": {\"currency\": ", fp);
        render_json_string(fp, b->currency);
        fputs(", \"unit\": ", fp);
        render_json_string(fp, b->unit);
        fprintf(fp, ", \"basis\": \"%s\", \"sku\": ", r->dedup_known ? "dedup" : "imageSize");
        if (b->sku_name) render_json_string(fp, b->sku_name);
        else fputs("null", fp);
        fprintf(fp, ", \"included_units\": %.6f, \"replicas\": %d, \"overage_per_unit_day\": %.6f, "
                    "\"reclaimed_units\": %.6f, \"stored_units_before\": %.6f, \"stored_units_after\": %.6f, "
                    "\"storage_per_day_before\": %.6f, \"storage_per_day_after\": %.6f, "
                    "\"saving_per_day\": %.6f, \"saving_per_month\": %.4f, "
                    "\"saving_period\": \"from the run until the next push\", \"pricing_date\": ",
                b->included_units, b->replicas, b->price_per_unit_day, r->reclaimed_units, r->stored_units_before,
                r->stored_units_after, r->storage_per_day_before, r->storage_per_day_after, r->per_day, r->per_month);
        render_json_string(fp, r->price->date);
        fputs("},\n", fp);
    }
    risk_json(r->risk, fp);
    fputs("  ", fp);
    render_json_warnings_end(fp, r->warnings, r->n_warnings);
    return ferror(fp) ? -1 : 0;
}
