/* simulation.c - wires ingest, policies, history, replay and cost for simulate and report. */
#include "simulation.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "strv.h"
#include "history_log.h"
#include "ingest.h"
#include "model_cache.h"
#include "policy_check.h"
#include "policy_import.h"
#include "progress.h"
#include "pulls.h"
#include "timeu.h"

#define sim_warn(s, ...) strv_addf(&(s)->warnings, &(s)->n_warnings, __VA_ARGS__)

static bool parse_month(const char *s, int64_t *from, int64_t *to)
{
    int y, mo;
    char extra;
    if (sscanf(s, "%4d-%2d%c", &y, &mo, &extra) != 2 || strlen(s) != 7 || mo < 1 || mo > 12 || y < 1900 || y > 2100)
        return false;
    *from = timeu_days_from_civil(y, (unsigned)mo, 1) * TIMEU_NS_PER_DAY;
    *to = (mo == 12 ? timeu_days_from_civil(y + 1, 1, 1) : timeu_days_from_civil(y, (unsigned)mo + 1, 1)) *
          TIMEU_NS_PER_DAY;
    return true;
}

/* One snapshot (a bundle, an export directory, or raw az files together), or several bundles
 * or directories of one registry taken at different times, merged. */
static int load_inputs(struct simulation *s, struct diag *d)
{
    const struct sim_opts *o = &s->o;
    struct ingest_opts io = {o->repo, o->registry, o->jobs, 0};
    struct model *snaps[SNAPSHOT_MAX];
    size_t n;
    int rc = snapshot_read(o->inputs, (size_t)o->n_inputs, &io, &o->cache, snaps, &n, d);
    if (rc != PS_OK) return rc;
    if (n > 1) {
        rc = snapshot_set_build(snaps, n, &s->snaps, d);
        if (rc != PS_OK) {
            for (size_t k = 0; k < n; k++) model_free(snaps[k]);
            return rc;
        }
        s->m = s->snaps->merged;
        return PS_OK;
    }
    s->m = snaps[0];
    if (!s->m->has_exported_at && o->at) {
        if (!timeu_parse_user(o->at, &s->m->exported_at_ns)) {
            char why[512];
            diag_msg(d, "--at: %s", timeu_user_error(o->at, why, sizeof why));
            return ERR_USAGE;
        }
        s->m->has_exported_at = true;
    } else if (o->at) {
        sim_warn(s, "--at is for raw az files: the export carries its own exportedAt, which is used");
    }
    if (!s->m->has_exported_at) {
        diag_msg(d, "%s: the export has no exportedAt, which a replay needs as its end: give --at TIME (when the "
                    "files were taken)", o->inputs[0]);
        return ERR_USAGE;
    }
    return PS_OK;
}

/* The export's own purge setup (its tasks, retention and soft delete), replayed as the policy
 * "current" so that every candidate is compared with what the registry runs today. */
static int load_current(struct simulation *s, const struct purgecmd_opts *po, struct diag *d)
{
    const struct model_setup *st = &s->m->setup;
    if (!st->tasks && !st->acr_show && !st->retention && !st->soft_delete) return PS_OK;
    for (size_t i = 0; i < s->ps->n; i++)
        if (!strcmp(s->ps->p[i].name, SIM_CURRENT)) {
            sim_warn(s, "a policy of yours is named \"%s\": the export's own purge setup is not added as one", SIM_CURRENT);
            return PS_OK;
        }
    /* az acr show repeats the retention and soft-delete settings: read it only without them */
    const struct {
        const char *label, *text;
    } docs[] = {
        {"the export's tasks", st->tasks},
        {"the export's retentionPolicy", st->retention},
        {"the export's softDeletePolicy", st->soft_delete},
        {"the export's acrShow", st->retention || st->soft_delete ? NULL : st->acr_show},
    };
    struct policy_import_opts io = {SIM_CURRENT};
    size_t before = s->ps->n;
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        if (!docs[k].text) continue;
        int rc = policy_import_json(s->ps, docs[k].label, docs[k].text, strlen(docs[k].text), po, &io, d);
        if (rc != PS_OK) return rc;
    }
    /* a registry that runs nothing is "current" too: a policy that deletes nothing */
    if (s->ps->n == before) policy_add(s->ps, SIM_CURRENT, "the export", 0);
    s->has_current = true;
    /* current first among the policies (the baseline goes before it) */
    for (size_t i = before; i < s->ps->n; i++)
        if (!strcmp(s->ps->p[i].name, SIM_CURRENT)) {
            struct policy cur = s->ps->p[i];
            memmove(&s->ps->p[1], &s->ps->p[0], i * sizeof *s->ps->p);
            s->ps->p[0] = cur;
            break;
        }
    return PS_OK;
}

static int load_policies(struct simulation *s, struct diag *d)
{
    const struct sim_opts *o = &s->o;
    struct purgecmd_opts po = {o->version, 2};
    s->ps = policy_set_new();
    int rc = PS_OK;
    for (int k = 0; k < o->n_policy_files && rc == PS_OK; k++)
        rc = policy_parse_file_grouped(s->ps, o->policy_files[k], &po, o->policy_group, d);
    for (int k = 0; k < o->n_policy_quick && rc == PS_OK; k++) rc = policy_parse_quick(s->ps, o->policy_quick[k], &po, d);
    if (rc == PS_OK) rc = load_current(s, &po, d);
    if (rc == PS_OK && o->add_policies) rc = o->add_policies(s, o->add_policies_ctx, d);
    if (rc == PS_OK && s->ps->n == 0) {
        diag_msg(d, "no policies given (-p FILE or --policy NAME=COMMAND), and the export carries no purge setup "
                    "to compare with");
        rc = ERR_USAGE;
    }
    if (rc == PS_OK) policy_add_baseline(s->ps);
    return rc;
}

static int64_t floor_day(int64_t t)
{
    int64_t d = t / TIMEU_NS_PER_DAY * TIMEU_NS_PER_DAY;
    return d > t ? d - TIMEU_NS_PER_DAY : d;
}

/* A window bound for messages: a date when it is a day's start or end, else the instant. */
static const char *format_bound(int64_t t, char *buf, size_t len)
{
    if (t % TIMEU_NS_PER_DAY == 0) return timeu_format_date(t, buf, len);
    if ((t + 1) % TIMEU_NS_PER_DAY == 0) {
        char d[40];
        snprintf(buf, len, "the end of %s", timeu_format_date(t, d, sizeof d));
        return buf;
    }
    return timeu_format(t, buf, len);
}

/* --from/--to: a bare date is a whole UTC day (--to includes it: its end); an RFC 3339 time is
 * that instant. */
static bool parse_bound(const char *text, bool is_end, int64_t *out)
{
    if (!timeu_parse_user(text, out)) return false;
    if (is_end && strlen(text) == 10) *out += TIMEU_NS_PER_DAY - 1;
    return true;
}

/* The window is whole UTC days: from the first midnight at or after its start to the end of
 * the last day that ends at or before its end. A partial first or last day is left out, with
 * its runs, in every output alike (the default window starts at the first push and ends at
 * the export's exportedAt, neither of which is usually a midnight). */
static int set_window(struct simulation *s, struct replay_opts *ro, struct diag *d)
{
    const struct sim_opts *o = &s->o;
    const int64_t first_push = s->h->first_push_ns, exported = s->m->exported_at_ns;
    int64_t from = first_push, to = exported;
    char a[40], b[40], why[512];
    if (o->from && !parse_bound(o->from, false, &from)) {
        diag_msg(d, "--from: %s", timeu_user_error(o->from, why, sizeof why));
        return ERR_USAGE;
    }
    if (o->to && !parse_bound(o->to, true, &to)) {
        diag_msg(d, "--to: %s", timeu_user_error(o->to, why, sizeof why));
        return ERR_USAGE;
    }
    if (o->month) {
        if (!parse_month(o->month, &s->month_from_ns, &s->month_to_ns)) {
            diag_msg(d, "--month: expected YYYY-MM, got \"%s\"", o->month);
            return ERR_USAGE;
        }
        /* the replay needs the history before the month, and stops at its end */
        if (!o->to && s->month_to_ns - 1 < to) to = s->month_to_ns - 1;
    }
    if (from > exported) {
        diag_msg(d, "the window starts at %s, after the export's exportedAt %s: nothing is known there (forecast "
                    "carries the registry forward)", format_bound(from, a, sizeof a), timeu_format(exported, b, sizeof b));
        return ERR_USAGE;
    }
    if (to < first_push) {
        if (o->month && !o->to)   /* the month set the window's end: say it in its words */
            diag_msg(d, "--month %s ends before the registry's first push %s", o->month,
                     timeu_format(first_push, b, sizeof b));
        else
            diag_msg(d, "the window ends at %s, before the registry's first push %s", format_bound(to, a, sizeof a),
                     timeu_format(first_push, b, sizeof b));
        return ERR_USAGE;
    }
    if (from > to) {
        diag_msg(d, "--from %s is after --to %s", format_bound(from, a, sizeof a), format_bound(to, b, sizeof b));
        return ERR_USAGE;
    }
    int64_t first_day = floor_day(from);
    if (first_day < from) first_day += TIMEU_NS_PER_DAY;
    int64_t last_end = floor_day(to + 1) - 1;
    if (first_day > last_end) {
        diag_msg(d, "the window %s to %s holds no whole UTC day; give whole days (--from DATE --to DATE)",
                 format_bound(from, a, sizeof a), format_bound(to, b, sizeof b));
        return ERR_USAGE;
    }
    ro->from_ns = first_day;
    ro->to_ns = last_end;
    if ((ro->to_ns - ro->from_ns) / TIMEU_NS_PER_DAY + 1 > SIM_MAX_WINDOW_DAYS) {
        diag_msg(d, "the window is %lld days; purgesim replays at most %d (20 years)",
                 (long long)((ro->to_ns - ro->from_ns) / TIMEU_NS_PER_DAY + 1), SIM_MAX_WINDOW_DAYS);
        return ERR_USAGE;
    }
    if (o->month) {
        if (s->month_from_ns > ro->to_ns || s->month_to_ns <= ro->from_ns) {
            /* the window is the export's history unless --from or --to cut it */
            diag_msg(d, "--month %s holds no whole day of %s (%s to %s)", o->month,
                     o->from || o->to ? "the window --from and --to leave" : "the export's history",
                     timeu_format_date(ro->from_ns, a, sizeof a), timeu_format_date(ro->to_ns, b, sizeof b));
            return ERR_USAGE;
        }
        ro->acct_from_ns = s->month_from_ns;
        ro->acct_to_ns = s->month_to_ns;
    }
    if (ro->to_ns > exported)
        sim_warn(s, "the window ends after the export's exportedAt (%s): nothing new is pushed after it "
                    "(forecast synthesises pushes)", timeu_format(exported, a, sizeof a));
    return PS_OK;
}

/* Whether any repository pushed in the forecast's lookback, which gives it a push rate. */
static bool recent_pushes(const struct forecast_info *fi)
{
    for (size_t r = 0; r < fi->n_repos; r++)
        if (fi->repos[r].observed_pushes) return true;
    return false;
}

/* forecast: the latest snapshot carried forward with synthetic pushes (forecast.h); the
 * replay runs from its exportedAt to the forecast's end. */
static int forecast_setup(struct simulation *s, struct replay_opts *ro, struct diag *d)
{
    const struct forecast_opts *fo = s->o.forecast;
    const struct model *base = s->snaps ? s->snaps->snap[s->snaps->n - 1] : s->m;
    int rc = forecast_extend(base, fo, &s->fm, &s->finfo);
    if (rc == ERR_LIMIT)
        diag_msg(d, "the forecast would add more than %zu manifests: give fewer --days",
                 fo->max_synthetic ? fo->max_synthetic : FORECAST_MAX_SYNTHETIC);
    else if (rc == ERR_USAGE)
        diag_msg(d, "--days must be 1-%d and --lookback-days %d-%d", FORECAST_MAX_DAYS, FORECAST_MIN_LOOKBACK_DAYS,
                 FORECAST_MAX_LOOKBACK_DAYS);
    else if (rc == ERR_INPUT)
        diag_msg(d, "%s: the export has no exportedAt, which a forecast starts from", s->o.inputs[0]);
    if (rc != PS_OK) return rc;
    if (s->snaps)
        sim_warn(s, "forecast: starts from the latest of the %zu snapshots; the others are not used", s->snaps->n);
    /* the rates, not this seed's draw: a short forecast may draw no push at a low rate */
    if (!recent_pushes(&s->finfo))
        sim_warn(s, "no repository has pushes in the %d days before the export: the forecast adds none",
                 fo->lookback_days);
    history_build(s->fm, s->o.untag, &s->h);
    ro->from_ns = s->finfo.start_ns;   /* the first run at the export's instant, as dry-run's */
    ro->to_ns = s->finfo.end_ns - 1;   /* N whole days after the export's own day */
    ro->days_from_ns = s->finfo.end_ns - (int64_t)fo->days * TIMEU_NS_PER_DAY;
    return PS_OK;
}

/* --events and --in-use: what really ran, read for the risk figures (risk.h). */
static int load_risk_inputs(struct simulation *s, struct diag *d)
{
    const struct sim_opts *o = &s->o;
    s->have_events = o->n_events > 0;
    s->have_inuse = o->n_in_use > 0;
    return risk_load_inputs(o->events, o->n_events, o->in_use, o->n_in_use, s->m->registry, &s->events, &s->inuse, d);
}

/* The natural history (sim/REPLAY.md): from the snapshots, refined by the event log's pushes,
 * untags and deletes when there is one snapshot (with several, the log's pulls alone are read). */
static void build_history(struct simulation *s)
{
    const struct sim_opts *o = &s->o;
    if (s->snaps) {
        history_build_snapshots(s->snaps, o->untag, &s->h);
        if (s->have_events)
            sim_warn(s, "event log: with several snapshots the history comes from the snapshots alone: the log's "
                        "pushes, untags and deletes do not change it (its pulls are checked)");
        return;
    }
    if (!s->have_events) {
        history_build(s->m, o->untag, &s->h);
        return;
    }
    struct history_log_stats st;
    history_build_log(s->m, &s->events, o->untag, &st, &s->h);
    sim_warn(s, "event log: the history follows its %zu pushes, untags and deletes up to the export's exportedAt "
                "(%zu manifests and %zu repositories only the log has added, each stored as one blob of the pushed "
                "size)", st.applied, st.manifests_added, st.repos_added);
    if (st.conflicts)
        sim_warn(s, "event log: %zu manifests and tags disagree with the export at its exportedAt: the export wins",
                 st.conflicts);
    if (st.unknown_deletes || st.unplaced || st.after_export)
        sim_warn(s, "event log: %zu deletes of digests neither pushed in it nor in the export (sizes unknown), %zu "
                    "rows naming nothing present then and %zu rows after the export's exportedAt: skipped",
                 st.unknown_deletes, st.unplaced, st.after_export);
}

/* What the risk figures rest on, in the warnings every report prints. */
static void risk_warnings(struct simulation *s)
{
    if (s->have_events) {
        risk_input_warnings(&s->events, NULL, 0, &s->warnings, &s->n_warnings);
        if (!s->pulls.pulls)
            sim_warn(s, "event log: no successful pull lies in the window: no pull can break");
        if (s->pulls.unresolved)
            sim_warn(s, "event log: %zu of %zu pulls in the window name a tag or digest the export's history does "
                        "not hold at that time: they are not counted", s->pulls.unresolved, s->pulls.pulls);
    }
    if (s->have_inuse) {
        size_t missing = 0;
        for (size_t i = 0; i < s->inuse.n; i++) missing += !s->inuse_targets[i].found;
        risk_input_warnings(NULL, &s->inuse, missing, &s->warnings, &s->n_warnings);
    }
}

/* PURGESIM_TIMING=1 prints each phase's wall time on stderr (used by make bench), with the
 * system time and the page faults it took: on virtual machines the first touch of fresh
 * memory is a large share of a phase, and the wall time alone does not say so. */
static bool timing_enabled(void)
{
    static int enabled = -1;
    if (enabled < 0) enabled = getenv("PURGESIM_TIMING") != NULL;
    return enabled;
}

static void phase(const char *name, double *t0)
{
    static double sys0;
    static long faults0;
    double t = timeu_wall_seconds();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (timing_enabled() && name)
        fprintf(stderr, "timing %s %.3f sys %.3f faults %ld\n", name, t - *t0, sys - sys0, ru.ru_minflt - faults0);
    sys0 = sys;
    faults0 = ru.ru_minflt;
    *t0 = t;
}

int simulation_run(const struct sim_opts *o, struct simulation *s, struct diag *d)
{
    memset(s, 0, sizeof *s);
    s->o = *o;
    double t0 = 0;
    phase(NULL, &t0);
    progress_enable(!o->quiet);
    int rc = load_inputs(s, d);
    progress_done();
    phase("ingest", &t0);
    if (rc == PS_OK) rc = load_policies(s, d);
    if (rc != PS_OK) return rc;
    struct cost_request rq = {o->pricing_path, o->pricing_date,     o->unit,    o->sku,
                              o->replicas,     o->price_per_gb_day, o->currency};
    if (!rq.replicas) rq.replicas = model_replicas(s->m);
    struct cost_opts co;
    rc = cost_prepare(&rq, s->m->sku, &s->price, &co, d, &s->warnings, &s->n_warnings);
    if (rc != PS_OK) return rc;
    s->have_price = true;
    s->pricing_label = s->price.label;   /* the table used: as given, or the default found by date */
    if (o->price_per_gb_day > 0) {
        /* the overage was given; the table still holds the SKUs (included storage, fees) */
        snprintf(s->pricing_label_own, sizeof s->pricing_label_own, "--price-per-gb-day; SKUs from %s", s->price.label);
        s->pricing_label = s->pricing_label_own;
    }
    s->sku = co.sku;
    s->sku_name = o->sku ? o->sku : s->m->sku;
    s->sku_from_export = !o->sku;

    struct replay_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.tag_delete_touches_manifest = o->tag_delete_touches_manifest;
    ro.jobs = o->jobs;
    const char *plain = getenv("PURGESIM_PLAIN_REPLAY");   /* the differential test's reference */
    ro.plain = plain && !strcmp(plain, "1");
    if (o->forecast) {
        rc = forecast_setup(s, &ro, d);
        phase("history", &t0);
    } else {
        rc = load_risk_inputs(s, d);   /* the event log refines the history */
        if (rc == PS_OK) build_history(s);
        phase("history", &t0);
        if (rc == PS_OK) rc = set_window(s, &ro, d);
    }
    if (rc != PS_OK) return rc;
    policy_check(s->ps, o->forecast ? s->fm : s->m, ro.from_ns, ro.to_ns, &s->warnings, &s->n_warnings);
    if (o->forecast) rc = load_risk_inputs(s, d);
    if (rc != PS_OK) return rc;
    if (s->have_events) {
        pulls_build(&s->events, s->h, ro.from_ns, ro.to_ns, &s->pulls);
        ro.pulls = &s->pulls;
    }
    if (s->have_inuse) s->inuse_targets = pulls_resolve_inuse(&s->inuse, s->h);
    if (o->counts_only || (o->lists_unread && !o->forecast)) {
        /* the in-use images are all risk reads of the deletion lists (a forecast reads its
         * first run's) */
        uint8_t *ids = NULL, *inst = NULL;
        for (size_t k = 0; s->inuse_targets && k < s->inuse.n; k++) {
            const struct inuse_target *it = &s->inuse_targets[k];
            if (!it->found) continue;
            if (!ids) ids = xcalloc(s->h->n_ids + 1, 1), inst = xcalloc(s->h->n_inst + 1, 1);
            ids[it->id] = 1;
            if (it->by_tag) inst[it->inst] = 1;
        }
        s->keep = (struct replay_keep){ids, inst};
        ro.keep = &s->keep;
    }
    if (s->have_events || s->have_inuse) phase("events", &t0);   /* reading and resolving them */
    for (size_t i = 0; i < s->ps->n; i++) {
        const struct policy *p = &s->ps->p[i];
        if (p->retention && (!s->sku || strcasecmp(s->sku->name, "Premium")))
            sim_warn(s, "[%s] the retention policy for untagged manifests needs the Premium SKU; simulated "
                        "anyway (registry SKU: %s)", p->name, s->sku ? s->sku->name : "unknown");
    }
    replay_run(s->h, s->ps, &ro, &s->rr);
    phase("replay", &t0);
    if (timing_enabled()) {
        /* what the replay's wall time is made of: shared setup, then each policy's CPU time */
        fprintf(stderr, "timing replay-setup %.3f\n", s->rr.setup_seconds);
        for (size_t i = 0; i < s->rr.n_pol; i++)
            fprintf(stderr, "timing policy-cpu %.3f %s\n", s->rr.pol[i].cpu_seconds, s->rr.pol[i].p->name);
    }
    for (size_t i = 0; i < s->ps->n && s->has_current; i++)
        if (!strcmp(s->ps->p[i].name, SIM_CURRENT)) {
            co.has_current = true;
            co.current = i;
        }
    cost_compute(&s->rr, &co, &s->cost);
    if (!o->counts_only) cost_series_compute(&s->cost, &s->series);
    risk_compute(&s->rr, s->have_events ? &s->pulls : NULL, s->have_inuse ? s->inuse_targets : NULL, s->inuse.n,
                 &s->risk);
    if (o->month) {
        s->risk.have_month = true;
        for (size_t i = 0; i < s->risk.n_pol; i++) {
            struct risk_policy *r = &s->risk.pol[i];
            if (s->have_events) {
                struct risk_period rk;
                risk_period(&s->rr.pol[i], &s->pulls, s->month_from_ns, s->month_to_ns, &rk);
                r->month_broken_pulls = rk.pulls;
                risk_period_free(&rk);
            }
            r->month_inuse_deleted = risk_inuse_before(r, s->month_to_ns);
        }
    }
    risk_warnings(s);
    if (o->forecast) forecast_report_build(&s->rr, &s->cost, &s->finfo, o->forecast, &s->frep);
    for (size_t i = 0; i < s->rr.n_pol; i++) {
        const struct replay_policy *rp = &s->rr.pol[i];
        for (size_t k = 0; k < rp->n_fail && k < 3; k++) {
            char t[40];
            sim_warn(s, "[%s] the run at %s failed: %s", rp->p->name, timeu_format(rp->fail[k].t_ns, t, sizeof t),
                     rp->fail[k].error);
        }
        if (rp->n_fail > 3) sim_warn(s, "[%s] %zu more runs failed", rp->p->name, rp->n_fail - 3);
    }
    const struct model_oddities *odd = &s->m->odd;
    if (odd->bad_times || odd->missing_times || odd->missing_media || odd->missing_attrs)
        sim_warn(s, "export oddities kept as data: %zu unreadable times, %zu missing times, %zu manifests without "
                    "mediaType, %zu without changeableAttributes", odd->bad_times, odd->missing_times,
                 odd->missing_media, odd->missing_attrs);
    if (odd->tags_from_manifests)
        sim_warn(s, "%zu tags had no show-tags listing: their times and locks were taken from their manifests",
                 odd->tags_from_manifests);
    if (!s->rr.dedup_known)
        sim_warn(s, "layers are not known for every manifest: storage is the sum of imageSize, which "
                    "overstates usage and savings where layers are shared");
    return PS_OK;
}

void simulation_free(struct simulation *s)
{
    if (!s) return;
    forecast_report_free(&s->frep);
    cost_series_free(&s->series);
    risk_free(&s->risk);
    pulls_free(&s->pulls);
    free(s->inuse_targets);
    free((void *)s->keep.ids);
    free((void *)s->keep.inst);
    if (s->have_events) events_free(&s->events);
    if (s->have_inuse) inuse_free(&s->inuse);
    cost_result_free(&s->cost);
    replay_result_free(&s->rr);
    history_free(s->h);
    model_free(s->fm);   /* after the history, which reads it */
    forecast_info_free(&s->finfo);
    policy_set_free(s->ps);
    if (s->have_price) pricing_free(&s->price);
    if (s->snaps) snapshot_set_free(s->snaps);
    else model_free(s->m);
    strv_free(s->warnings, s->n_warnings);
    memset(s, 0, sizeof *s);
}
