/* dryrun.c - bytes, money and warnings for one purge run (the renderers only format these). */
#include "dryrun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ingest.h"
#include "model_cache.h"
#include "policy_check.h"
#include "progress.h"
#include "snapshot.h"
#include "timeu.h"
#include "strv.h"

#define warn(r, ...) strv_addf(&(r)->warnings, &(r)->n_warnings, __VA_ARGS__)

/* Blob-level accounting: how many surviving manifests reference each blob. */
static void dedup_figures(struct dryrun_report *out, uint8_t *const *gone)
{
    const struct model *m = out->m;
    uint32_t *refs_all = xcalloc(m->n_blobs + 1, sizeof *refs_all);
    uint32_t *refs_after_purge = xcalloc(m->n_blobs + 1, sizeof *refs_after_purge);
    uint32_t *refs_after_all = xcalloc(m->n_blobs + 1, sizeof *refs_after_all);
    int32_t *owner = xmalloc((m->n_blobs + 1) * sizeof *owner);
    for (size_t b = 0; b < m->n_blobs; b++) owner[b] = -1;
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            uint8_t g = gone[r] ? gone[r][i] : 0;
            for (uint32_t k = 0; k < mf->n_layers; k++) {
                uint32_t b = mf->layers[k];
                refs_all[b]++;
                if (g != 1) refs_after_purge[b]++;
                if (!g) refs_after_all[b]++;
                else if (owner[b] < 0) owner[b] = (int32_t)r;
            }
        }
    /* map repo index -> position in out->repos */
    int32_t *pos = xmalloc((m->n_repos + 1) * sizeof *pos);
    for (size_t r = 0; r < m->n_repos; r++) pos[r] = -1;
    for (size_t k = 0; k < out->n_repos; k++) pos[out->repos[k].repo] = (int32_t)k;
    for (size_t b = 0; b < m->n_blobs; b++) {
        if (!refs_all[b]) continue;
        uint64_t size = m->blobs[b].size_bytes;
        out->stored_bytes_dedup += size;
        if (refs_after_all[b]) continue;
        out->bytes_dedup += size;
        if (refs_after_purge[b]) out->cascade_bytes_dedup += size;
        if (owner[b] >= 0 && pos[owner[b]] >= 0) out->repos[pos[owner[b]]].bytes_dedup += size;
    }
    free(refs_all);
    free(refs_after_purge);
    free(refs_after_all);
    free(owner);
    free(pos);
}

static void add_warnings(struct dryrun_report *out)
{
    const struct purge_rule *rule = out->rule;
    const struct purge_notes *nt = &out->res.notes;
    const struct model *m = out->m;
    if (rule->ago_capped)
        warn(out, "--ago '%s' is read as more than 150 years and capped: nothing younger than 150 "
                  "years is deleted (acr purge takes days as '1d', not '1day')", rule->ago_text);
    if (nt->repos_keep_twice)
        warn(out, "--keep %lld was applied twice: to tags, then again to untagged manifests in %zu "
                  "repositor%s", rule->keep, nt->repos_keep_twice, nt->repos_keep_twice == 1 ? "y" : "ies");
    if (nt->indexes_with_deleted_children)
        warn(out, "%zu surviving index%s lose%s children: those platforms will fail to pull",
             nt->indexes_with_deleted_children, nt->indexes_with_deleted_children == 1 ? "" : "es",
             nt->indexes_with_deleted_children == 1 ? "s" : "");
    if (nt->locked_indexes_unprotecting)
        warn(out, "%zu locked index%s did not protect %s children: acr purge skips locked manifests "
                  "entirely", nt->locked_indexes_unprotecting,
             nt->locked_indexes_unprotecting == 1 ? "" : "es",
             nt->locked_indexes_unprotecting == 1 ? "its" : "their");
    if (rule->ago_wrapped)
        warn(out, "--ago '%s' overflows: acr-cli %s wraps the day count to a cutoff in the future, so everything "
                  "the filter matches is old enough (acr-cli issue 560, fixed in 0.18)",
             rule->ago_text, purgecmd_version_name(rule->version));
    /* a filter that matches no repository: dryrun_run() adds policy_check_rule()'s words */
    if (rule->version == ACR_CLI_0_16 && rule->untagged)
        warn(out, "acr-cli 0.16: --untagged deletes every untagged manifest whatever its age; "
                  "--ago and --keep select tags only");
    const struct model_oddities *o = &m->odd;
    if (o->bad_times || o->missing_times || o->missing_media || o->missing_attrs)
        warn(out, "export oddities kept as data: %zu unreadable times, %zu missing times, %zu "
                  "manifests without mediaType, %zu without changeableAttributes",
             o->bad_times, o->missing_times, o->missing_media, o->missing_attrs);
    if (o->tags_from_manifests)
        warn(out, "%zu tags had no show-tags listing: their times and locks were taken from their "
                  "manifests", o->tags_from_manifests);
    if (!out->dedup_known)
        warn(out, "layers are not known for every manifest: deduplicated bytes are not computed "
                  "(export bodies with export-acr.sh --bodies)");
}

int dryrun_analyse(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
                   const struct cost_opts *co, struct dryrun_report *out)
{
    memset(out, 0, sizeof *out);
    out->m = m;
    out->rule = rule;
    out->price = co ? co->price : NULL;
    out->now_ns = now_ns;
    out->registry = rule->registry ? rule->registry : m->registry;
    purge_run(m, rule, now_ns, &out->res);

    /* gone[r][i]: 1 deleted by purge, 2 by cascade */
    uint8_t **gone = xcalloc(m->n_repos + 1, sizeof *gone);
    struct dryrun_repo *byrepo = xcalloc(m->n_repos + 1, sizeof *byrepo);
    for (size_t k = 0; k < out->res.n_ev; k++) {
        const struct purge_event *e = &out->res.ev[k];
        const struct repo *rp = &m->repos[e->repo];
        struct dryrun_repo *dr = &byrepo[e->repo];
        if (e->kind == PEV_TAG) {
            dr->tags++;
            out->tags++;
        } else if (e->kind == PEV_MANIFEST || e->kind == PEV_CASCADE) {
            if (!gone[e->repo]) gone[e->repo] = xcalloc(rp->n_manifests + 1, 1);
            uint64_t size = rp->manifests[e->item].size_bytes;
            if (e->kind == PEV_MANIFEST) {
                gone[e->repo][e->item] = 1;
                dr->manifests++;
                dr->bytes += size;
                out->manifests++;
                out->bytes += size;
            } else {
                gone[e->repo][e->item] = 2;
                dr->cascade++;
                dr->cascade_bytes += size;
                out->cascade++;
                out->cascade_bytes += size;
            }
        }
    }
    for (size_t r = 0; r < m->n_repos; r++) {
        for (size_t i = 0; i < m->repos[r].n_manifests; i++)
            out->stored_bytes += m->repos[r].manifests[i].size_bytes;
        if (!byrepo[r].tags && !byrepo[r].manifests && !byrepo[r].cascade) continue;
        byrepo[r].repo = (uint32_t)r;
        out->repos = xrealloc(out->repos, (out->n_repos + 1) * sizeof *out->repos);
        out->repos[out->n_repos++] = byrepo[r];
    }
    out->dedup_known = model_layers_known(m);
    if (out->dedup_known) dedup_figures(out, gone);
    if (co) {
        /* the same basis as a replay: storage money of the registry before minus after */
        cost_basis_init(co, &out->basis);
        out->have_basis = true;
        out->sku = co->sku;
        uint64_t freed = out->dedup_known ? out->bytes_dedup : out->bytes + out->cascade_bytes;
        uint64_t before = out->dedup_known ? out->stored_bytes_dedup : out->stored_bytes;
        uint64_t after = before - (freed < before ? freed : before);
        out->reclaimed_units = (double)freed / out->basis.unit_bytes;
        out->stored_units_before = (double)before / out->basis.unit_bytes;
        out->stored_units_after = (double)after / out->basis.unit_bytes;
        out->storage_per_day_before = cost_storage_per_day(&out->basis, before);
        out->storage_per_day_after = cost_storage_per_day(&out->basis, after);
        out->per_day = out->storage_per_day_before - out->storage_per_day_after;
        out->per_month = out->per_day * PRICING_DAYS_PER_MONTH;
    }
    add_warnings(out);
    for (size_t r = 0; r < m->n_repos; r++) free(gone[r]);
    free(gone);
    free(byrepo);
    return PS_OK;
}

void dryrun_report_free(struct dryrun_report *r)
{
    if (!r) return;
    purge_result_free(&r->res);
    free(r->repos);
    strv_free(r->warnings, r->n_warnings);
    memset(r, 0, sizeof *r);
}

/* acr purge's validation of the command; on refusal job->acr_error says what it prints. */
static int parse_command(const struct dryrun_opts *o, struct dryrun_job *job, struct diag *d)
{
    struct purgecmd_opts po = {o->version, o->concurrency_default ? o->concurrency_default : 2};
    char err[1024];
    enum purgecmd_status st = purge_rule_parse(o->cmd_words, o->n_cmd_words, &po, &job->rule, err, sizeof err);
    if (st == PURGECMD_NOT_PURGE) {
        diag_msg(d, "%s", err);
        return ERR_USAGE;
    }
    if (st == PURGECMD_INVALID) {
        snprintf(job->acr_error, sizeof job->acr_error, "%s", err);
        job->ago_capped_before_error = job->rule.ago_capped;
        return ERR_USAGE;
    }
    return PS_OK;
}

/* The registry the run sees: the export, or with several snapshots the latest one, the
 * registry as it is now (a warning says so; simulate replays what happened between them). */
static int read_registry(const struct dryrun_opts *o, struct dryrun_job *job, struct diag *d)
{
    struct ingest_opts io = {o->repo, o->registry, o->jobs, 0};
    struct model *snaps[SNAPSHOT_MAX];
    size_t n;
    int rc = snapshot_read(o->inputs, (size_t)o->n_inputs, &io, &o->cache, snaps, &n, d);
    if (rc != PS_OK) return rc;
    job->m = snaps[n - 1];
    for (size_t k = 0; k + 1 < n; k++) model_free(snaps[k]);
    if (n > 1) {
        char t[48];
        strv_addf(&job->warnings, &job->n_warnings,
                  "dry-run: runs on the latest of the %zu snapshots (exportedAt %s), the registry as it is now; "
                  "the others are not used", n, timeu_format(job->m->exported_at_ns, t, sizeof t));
    }
    return PS_OK;
}

int dryrun_run(const struct dryrun_opts *o, struct dryrun_job *job, struct diag *d)
{
    memset(job, 0, sizeof *job);
    /* what needs no export is checked first: a typo should not wait for a large export */
    int64_t now = 0;
    char why[512];
    if (o->at && !timeu_parse_user(o->at, &now)) {
        diag_msg(d, "--at: %s", timeu_user_error(o->at, why, sizeof why));
        return ERR_USAGE;
    }
    int rc0 = parse_command(o, job, d);
    if (rc0 != PS_OK) return rc0;
    progress_enable(!o->quiet);
    int rc = read_registry(o, job, d);
    progress_done();
    if (rc != PS_OK) return rc;
    if (o->at) {
        if (job->m->has_exported_at && now < job->m->exported_at_ns)
            strv_addf(&job->warnings, &job->n_warnings,
                      "--at is before the export's exportedAt: the registry is taken as exported, with what was "
                      "pushed later (simulate --from/--to replays its history instead)");
    } else if (job->m->has_exported_at) {
        now = job->m->exported_at_ns;
    } else {
        diag_msg(d, "%s: the export has no exportedAt; give --at TIME", o->inputs[0]);
        return ERR_USAGE;
    }
    rc = risk_load_inputs(o->events, o->n_events, o->in_use, o->n_in_use, job->m->registry, &job->events, &job->inuse, d);
    if (rc != PS_OK) return rc;
    struct cost_opts co;
    struct cost_request rq = o->cost;
    if (!rq.replicas) rq.replicas = model_replicas(job->m);
    rc = cost_prepare(&rq, job->m->sku, &job->price, &co, d, &job->warnings, &job->n_warnings);
    if (rc != PS_OK) return rc;
    job->have_price = true;
    dryrun_analyse(job->m, &job->rule, now, &co, &job->rep);
    /* a filter that matches no repository, a --registry other than the export's */
    policy_check_rule(&job->rule, job->m, "", &job->rep.warnings, &job->rep.n_warnings);
    if (o->n_events || o->n_in_use) {
        risk_dryrun(job->m, &job->rep.res, o->n_events ? &job->events : NULL, o->n_in_use ? &job->inuse : NULL,
                    &job->risk);
        job->rep.risk = &job->risk;
        risk_input_warnings(o->n_events ? &job->events : NULL, o->n_in_use ? &job->inuse : NULL,
                            job->risk.inuse_missing, &job->warnings, &job->n_warnings);
    }
    for (size_t i = 0; i < job->n_warnings; i++) strv_addf(&job->rep.warnings, &job->rep.n_warnings, "%s", job->warnings[i]);
    return PS_OK;
}

void dryrun_job_free(struct dryrun_job *job)
{
    if (!job) return;
    dryrun_report_free(&job->rep);
    risk_dryrun_free(&job->risk);
    events_free(&job->events);
    inuse_free(&job->inuse);
    purge_rule_free(&job->rule);
    if (job->have_price) pricing_free(&job->price);
    model_free(job->m);
    strv_free(job->warnings, job->n_warnings);
    memset(job, 0, sizeof *job);
}
