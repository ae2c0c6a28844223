/* dryrun_acr.c - acr purge's dry-run output, line for line (sim/RULES.md §5). */
#include "render.h"

#include <string.h>

int render_dryrun_acr(const struct dryrun_report *r, FILE *fp)
{
    const struct model *m = r->m;
    const struct purge_rule *rule = r->rule;
    const bool v016 = rule->version == ACR_CLI_0_16;
    char dg[80];
    if (rule->ago_capped)
        fputs("Warning: ago value exceeds maximum duration of 150 years, capping to 150 years\n", fp);
    if (r->res.failed_before_banner) return ferror(fp) ? -1 : 0;
    fputs("DRY RUN: The following output shows what WOULD be deleted if the purge command was "
          "executed. Nothing is deleted.\n", fp);
    if (rule->concurrency_warning) fprintf(fp, "%s\n", rule->concurrency_warning);
    for (size_t k = 0; k < r->res.n_ev; k++) {
        const struct purge_event *e = &r->res.ev[k];
        const struct repo *rp = &m->repos[e->repo];
        switch (e->kind) {
        case PEV_TAGS_HEADER:
            fprintf(fp, "%s tags for repository: %s\n", v016 ? "Deleting" : "Would delete", rp->name);
            break;
        case PEV_TAG:
            fprintf(fp, "Would delete: %s/%s:%s\n", r->registry, rp->name, rp->tags[e->item].name);
            break;
        case PEV_MANIFESTS_HEADER:
            fprintf(fp, "%s manifests for repository: %s\n", v016 ? "Deleting" : "Would delete", rp->name);
            break;
        case PEV_PROTECT_UNAVAILABLE:
            fprintf(fp, "Protecting manifest %s because the last update time is unavailable\n",
                    digest_format(&rp->manifests[e->item].digest, dg, sizeof dg));
            break;
        case PEV_PROTECT_UNREADABLE:
            fprintf(fp, "Protecting manifest %s because the last update time cannot be read\n",
                    digest_format(&rp->manifests[e->item].digest, dg, sizeof dg));
            break;
        case PEV_NO_MEDIA:
            fprintf(fp, "Manifest %s has no media type, skipping deletion\n",
                    digest_format(&rp->manifests[e->item].digest, dg, sizeof dg));
            break;
        case PEV_MANIFEST:
            fprintf(fp, "Would delete: %s/%s@%s\n", r->registry, rp->name,
                    digest_format(&rp->manifests[e->item].digest, dg, sizeof dg));
            break;
        case PEV_CASCADE:
            break;   /* the registry does this server-side; acr purge prints nothing */
        }
    }
    if (r->res.failed) fprintf(fp, "Failed to complete purge: %s \n", r->res.error);
    fprintf(fp, "\nNumber of tags to be deleted: %zu\n", r->res.tags_counted);
    fprintf(fp, "Number of manifests to be deleted: %zu\n", r->res.manifests_counted);
    return ferror(fp) ? -1 : 0;
}
