/* generate_repo.c - one repository's year of pushes for the generator (the model is described
 * in generate.c): its profile drawn from its own seed, then main, PR, dev and release builds
 * (and the churn profile's nightly builds) in time order, each an image or an index over its
 * architectures with layers from the shared base images, the repository's dependencies and the
 * app; the tags they move, the signatures and SBOMs that refer to them, and the locks. What it
 * makes stays in struct gen's tables for generate_json.c to write. */
#include "generate_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

// clang-format off
/* Base-image components shared by all services; each is re-released every period_days. */
struct component { double nominal_bytes; int period_days; };
static const struct component COMPONENTS[N_COMPONENTS] = {
    [C_ALPINE] = {3.4e6, 60},   [C_DEBIAN] = {29e6, 21},   [C_UBUNTU] = {29.5e6, 28},
    [C_DISTROLESS] = {2.1e6, 90}, [C_CACERTS] = {0.45e6, 60}, [C_NODE] = {48e6, 30},
    [C_YARN] = {5.2e6, 90},     [C_PYTHON] = {17e6, 45},   [C_PIP] = {12e6, 45},
    [C_DOTNET] = {32e6, 30},    [C_ASPNET] = {10.5e6, 30}, [C_JRE] = {58e6, 45},
    [C_NGINX] = {14e6, 40},     [C_CUDA] = {1.45e9, 60},   [C_CUDNN] = {0.9e9, 90},
    [C_WINCORE] = {1.9e9, 30},  [C_WINUPD] = {0.3e9, 30},  [C_TOOLS] = {180e6, 30},
};

struct stack { double weight; uint8_t comps[3]; uint8_t n; bool windows; };
static const struct stack STACKS[] = {
    {12, {C_ALPINE}, 1, false},                  /* alpine */
    {6,  {C_ALPINE, C_NGINX}, 2, false},         /* nginx static sites */
    {10, {C_DISTROLESS, C_CACERTS}, 2, false},   /* Go / Rust on distroless */
    {8,  {C_DEBIAN}, 1, false},                  /* debian-slim */
    {14, {C_DEBIAN, C_NODE, C_YARN}, 3, false},  /* node */
    {14, {C_DEBIAN, C_PYTHON, C_PIP}, 3, false}, /* python */
    {12, {C_DEBIAN, C_DOTNET, C_ASPNET}, 3, false}, /* aspnet */
    {10, {C_UBUNTU, C_JRE}, 2, false},           /* java */
    {5,  {C_UBUNTU, C_TOOLS}, 2, false},         /* CI agents, tool images */
    {1.5, {C_UBUNTU, C_CUDA, C_CUDNN}, 3, false}, /* ML inference: the multi-GB tail */
    {1,  {C_WINCORE, C_WINUPD}, 2, true},        /* Windows Server Core */
};
#define N_STACKS (sizeof STACKS / sizeof STACKS[0])

/* referrers per event in signing repositories */
static const double P_SIG[N_EV]  = {0.15, 0.0, 0.10, 1.0};
static const double P_SBOM[N_EV] = {0.05, 0.0, 0.0,  1.0};
// clang-format on

/* ---- building manifests ------------------------------------------------------------- */

static uint32_t new_manifest(struct gen *g, struct rstate *rs, uint8_t kind, int64_t t)
{
    xgrow((void **)&g->man, &g->cap_man, g->n_man + 1, sizeof *g->man);
    struct gm *m = &g->man[g->n_man];
    memset(m, 0, sizeof *m);
    digest_from_key(mix(rs->key, UINT64_C(0x6d616e) << 32 | rs->n_made++), m->dg);
    m->created_ns = m->updated_ns = t;
    m->kind = kind;
    m->subject = m->tag_head = m->tag_tail = NONE;
    m->layer_off = (uint32_t)g->n_lay;
    m->child_off = (uint32_t)g->n_refs;
    return (uint32_t)g->n_man++;
}

static void add_layer(struct gen *g, uint32_t mi, uint64_t key, uint64_t size_bytes)
{
    xgrow((void **)&g->lay, &g->cap_lay, g->n_lay + 1, sizeof *g->lay);
    g->lay[g->n_lay].key = key;   /* 0 only for the empty config (hashed keys are never 0) */
    g->lay[g->n_lay].size_bytes = size_bytes;
    g->n_lay++;
    g->man[mi].n_layers++;
    g->man[mi].size_bytes += size_bytes;
}

static uint64_t comp_version(const struct gen *g, int c, int64_t t_ns)
{
    int64_t d = floor_div(t_ns, DAY) + g->comp_phase_days[c];
    return (uint64_t)floor_div(d, COMPONENTS[c].period_days);
}

/* One image for one architecture of build number rs->n_builds. */
static uint32_t build_image(struct gen *g, struct rstate *rs, int64_t t, uint8_t arch)
{
    const struct profile *p = &rs->p;
    uint32_t mi = new_manifest(g, rs, GM_IMAGE, t);
    g->man[mi].arch = arch;
    uint64_t b = rs->n_builds * 8 + arch;
    uint64_t k = mix(mix(rs->key, 0x636f6e66), b);           /* config */
    add_layer(g, mi, k, size_from_key(k, 6000, 0.5, 600));
    const struct stack *s = &STACKS[p->stack];
    for (int i = 0; i < s->n; i++) {
        int c = s->comps[i];
        k = mix(mix(g->seedkey, 1000 + (uint64_t)c), comp_version(g, c, t - p->lag_ns) * 8 + arch);
        add_layer(g, mi, k, size_from_key(k, COMPONENTS[c].nominal_bytes, 0.04, 1000));
    }
    for (int j = 0; j < p->n_deps; j++) {
        k = mix(mix(rs->key, 2000 + (uint64_t)j), (uint64_t)rs->deps_ver[j] * 8 + arch);
        add_layer(g, mi, k, size_from_key(k, p->deps_median[j], 0.06, 1000));
    }
    k = mix(mix(rs->key, 3000), b);                           /* the app itself: fresh */
    add_layer(g, mi, k, size_from_key(k, p->app_median, 0.3, 1000));
    if (p->extra_layer) {
        k = mix(mix(rs->key, 4000), b);
        add_layer(g, mi, k, size_from_key(k, 15000, 0.8, 100));
    }
    return mi;
}

/* One build event: an image, or an index over 2-3 images pushed seconds before it. */
static uint32_t build(struct gen *g, struct rstate *rs, int64_t t, bool multi)
{
    const struct profile *p = &rs->p;
    for (int j = 0; j < p->n_deps; j++)
        if (rng_chance(&rs->rng, p->deps_change[j])) rs->deps_ver[j]++;
    rs->n_builds++;
    if (!multi) return build_image(g, rs, t, p->arch);
    uint8_t n = p->three_arch ? 3 : 2;
    uint32_t kids[3] = {0, 0, 0};
    int64_t tc = t;
    for (int i = n - 1; i >= 0; i--) {
        tc -= rng_range(&rs->rng, 4 * SEC, 30 * SEC);
        kids[i] = build_image(g, rs, tc, (uint8_t)i);
    }
    uint32_t mi = new_manifest(g, rs, GM_INDEX, t);
    for (uint8_t i = 0; i < n; i++) {
        xgrow((void **)&g->refs, &g->cap_refs, g->n_refs + 1, sizeof *g->refs);
        g->refs[g->n_refs++] = kids[i];
    }
    g->man[mi].n_children = n;
    return mi;
}

static void add_referrer(struct gen *g, struct rstate *rs, uint32_t subject, int64_t t, bool sbom)
{
    uint8_t kind = !sbom ? GM_SIG : rs->p.sbom_artifact ? GM_SBOM_ARTIFACT : GM_SBOM_OCI;
    uint32_t mi = new_manifest(g, rs, kind, t);
    g->man[mi].subject = subject;
    if (kind != GM_SBOM_ARTIFACT) add_layer(g, mi, 0, 2);
    uint64_t k = mix(mix(rs->key, sbom ? 5001 : 5000), rs->n_made);
    uint64_t size = sbom ? size_from_key(k, 150e3, 0.9, 2000) : size_from_key(k, 2200, 0.12, 900);
    add_layer(g, mi, k, size);
}

/* ---- tags --------------------------------------------------------------------------- */

static void touch(struct gen *g, uint32_t mi, int64_t t)
{
    if (t > g->man[mi].updated_ns) g->man[mi].updated_ns = t;
}

static uint32_t new_tag(struct gen *g, const char *name, uint32_t mi, int64_t t)
{
    xgrow((void **)&g->tags, &g->cap_tags, g->n_tags + 1, sizeof *g->tags);
    struct gt *tg = &g->tags[g->n_tags];
    memset(tg, 0, sizeof *tg);
    snprintf(tg->name, sizeof tg->name, "%s", name);
    tg->manifest = mi;
    tg->created_ns = tg->updated_ns = t;
    touch(g, mi, t);
    return (uint32_t)g->n_tags++;
}

/* Points a moving tag at mi (creating it on first use). */
static void move_tag(struct gen *g, uint32_t *slot, const char *name, uint32_t mi, int64_t t)
{
    if (*slot == NONE) {
        *slot = new_tag(g, name, mi, t);
        return;
    }
    g->tags[*slot].manifest = mi;
    g->tags[*slot].updated_ns = t;
    touch(g, mi, t);
}

/* A bijection on 28 bits, so short git-sha tags never repeat within a repository. */
static uint32_t perm28(uint32_t x)
{
    const uint32_t mask = (1u << 28) - 1;
    x &= mask;
    x = (x * 0x9E3779B1u) & mask;
    x ^= x >> 13;
    x = (x * 0x85EBCA77u) & mask;
    x ^= x >> 11;
    return x;
}

static void sha_tag(struct gen *g, struct rstate *rs, uint32_t mi, int64_t t)
{
    char name[TAG_NAME_CAP];
    uint32_t h = perm28(rs->sha_offset + rs->n_sha++);
    if (rs->p.sha_style == 0) snprintf(name, sizeof name, "sha-%07" PRIx32, h);
    else if (rs->p.sha_style == 1) snprintf(name, sizeof name, "%07" PRIx32, h);
    else {
        /* draw in a fixed order: argument evaluation order is unspecified */
        uint64_t a = rng_next(&rs->rng), b = rng_next(&rs->rng);
        char last = "0123456789abcdef"[rng_below(&rs->rng, 16)];
        snprintf(name, sizeof name, "%07" PRIx32 "%016" PRIx64 "%016" PRIx64 "%c", h, a, b, last);
    }
    new_tag(g, name, mi, t);
}

/* ---- one repository ------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A push time: mostly weekdays, mostly 07:00-19:00 UTC, as CI runs. */
static int64_t push_time(struct rng *g, int64_t lo, int64_t hi)
{
    int64_t t = lo;
    for (int attempt = 0; attempt < 6; attempt++) {
        t = rng_range(g, lo, hi);
        int64_t day = floor_div(t, DAY);
        int dow = (int)((day % 7 + 7 + 3) % 7);   /* 0 = Monday; 1970-01-01 was a Thursday */
        if (dow >= 5 && rng_chance(g, 0.8)) continue;
        if (rng_chance(g, 0.8)) {
            int64_t t2 = day * DAY + 7 * HOUR + rng_range(g, 0, 12 * HOUR);
            if (t2 >= lo && t2 < hi) t = t2;
        }
        break;
    }
    return t;
}

static void draw_profile(struct gen *g, struct rstate *rs, const struct plan *pl, bool showcase)
{
    struct rng *r = &rs->rng;
    struct profile *p = &rs->p;
    memset(p, 0, sizeof *p);
    bool hot = pl->hot;
    double w = 0;
    for (size_t i = 0; i < N_STACKS; i++) w += STACKS[i].weight;
    double x = rng_unit(r) * w;
    p->stack = (uint8_t)(N_STACKS - 1);
    for (size_t i = 0; i < N_STACKS; i++) {
        if (x < STACKS[i].weight) {
            p->stack = (uint8_t)i;
            break;
        }
        x -= STACKS[i].weight;
    }
    p->windows = STACKS[p->stack].windows;
    p->oci = rng_chance(r, 0.45);
    p->multiarch = !p->windows && rng_chance(r, hot ? 0.15 : 0.12);
    p->three_arch = rng_chance(r, 0.25);
    p->arch = (!p->windows && rng_chance(r, 0.08)) ? 1 : 0;
    p->sha_tags = rng_chance(r, hot ? 0.25 : 0.3);
    p->sha_style = (int)rng_below(r, 10) < 5 ? 0 : rng_chance(r, 0.6) ? 1 : 2;
    p->main_tag = rng_chance(r, 0.6);
    p->minor_tag = rng_chance(r, 0.3);
    p->v_prefix = rng_chance(r, 0.25);
    bool has_pr = rng_chance(r, hot ? 0.9 : 0.5), has_dev = rng_chance(r, 0.35);
    bool has_release = rng_chance(r, hot ? 0.8 : 0.7);
    p->promote = has_release && rng_chance(r, 0.35);
    p->latest_on = rng_chance(r, 0.15)                       ? -1
                   : (has_release && rng_chance(r, 0.6)) ? EV_RELEASE
                                                         : EV_MAIN;
    p->signs = rng_chance(r, 0.3);
    p->sboms = p->signs && rng_chance(r, 0.5);
    p->sbom_artifact = rng_chance(r, 0.5);
    p->extra_layer = rng_chance(r, 0.4);
    p->n_deps = 1 + (int)rng_below(r, 3);
    for (int j = 0; j < p->n_deps; j++) {
        double m = rng_lognormal(r, 5e6, 1.1);
        p->deps_median[j] = m < 5e4 ? 5e4 : m > 1.5e9 ? 1.5e9 : m;
        p->deps_change[j] = j == 0 ? 0.03 : 0.1;
    }
    double am = rng_lognormal(r, 4e6, 1.2);
    p->app_median = am < 1e5 ? 1e5 : am > 8e8 ? 8e8 : am;
    p->lag_ns = rng_range(r, 0, 45 * DAY);
    p->p_kind[EV_MAIN] = 0.5;
    p->p_kind[EV_PR] = has_pr ? (hot ? 0.36 : 0.2) : 0;
    p->p_kind[EV_DEV] = has_dev ? (hot ? 0.1 : 0.12) : 0;
    p->p_kind[EV_RELEASE] = has_release ? (hot ? 0.04 : 0.18) : 0;
    p->start_ns = g->win_lo;
    p->end_ns = g->win_hi;
    /* some cold services start late in the year, some are retired before its end */
    double span = (double)(g->win_hi - g->win_lo);
    if (!hot && rng_chance(r, 0.3)) p->start_ns += (int64_t)(rng_unit(r) * 0.8 * span);
    if (!hot && rng_chance(r, 0.12)) {
        double left = (double)(g->win_hi - p->start_ns);
        p->end_ns = p->start_ns + (int64_t)((0.2 + 0.6 * rng_unit(r)) * left);
    }
    if (showcase) {
        /* tiny: one repository that shows every feature at least once */
        p->script = "MPPRMDPMRMPM";
        p->multiarch = true;
        p->multi_release_only = true;
        p->three_arch = false;
        p->windows = false;
        if (STACKS[p->stack].windows) p->stack = 4;
        p->arch = 0;
        p->sha_tags = true;
        p->sha_style = 0;
        p->main_tag = true;
        p->minor_tag = true;
        p->promote = false;
        p->latest_on = EV_RELEASE;
        p->signs = p->sboms = true;
        p->start_ns = g->win_lo;
        p->end_ns = g->win_hi;
    }
    if (g->o->profile == GENERATE_PROFILE_CHURN) {
        /* CI moves one tag on every main build, so each repository has its moving tag */
        p->latest_on = EV_MAIN;
    }
    double sum = 0;
    for (int k = 0; k < N_EV; k++) sum += p->p_kind[k];
    for (int k = 0; k < N_EV; k++) p->p_kind[k] /= sum;
}

static bool multi_for(const struct profile *p, int kind)
{
    return p->multiarch && kind != EV_PR && (!p->multi_release_only || kind == EV_RELEASE);
}

/* Manifests one event makes on average, to turn a manifest target into an event count. */
static double per_event(const struct profile *p)
{
    double e = 0;
    for (int k = 0; k < N_EV; k++) {
        double m = multi_for(p, k) ? 1.0 + (p->three_arch ? 3 : 2) : 1.0;
        if (k == EV_RELEASE && p->promote) m *= 0.15;
        if (p->signs) m += P_SIG[k];
        if (p->sboms) m += P_SBOM[k];
        e += p->p_kind[k] * m;
    }
    return e;
}

static int pick_kind(struct rstate *rs, size_t i)
{
    if (rs->p.script) {
        switch (rs->p.script[i]) {
        case 'P': return EV_PR;
        case 'D': return EV_DEV;
        case 'R': return EV_RELEASE;
        default: return EV_MAIN;
        }
    }
    double x = rng_unit(&rs->rng);
    for (int k = 0; k < N_EV - 1; k++) {
        if (x < rs->p.p_kind[k]) return k;
        x -= rs->p.p_kind[k];
    }
    return EV_RELEASE;
}

/* Locks manifest mi and/or tag ti (either may be NONE) some time after t; the lock is an
 * attribute change, so it moves lastUpdateTime. */
static void lock_later(struct gen *g, struct rstate *rs, uint32_t mi, uint32_t ti, int64_t t)
{
    int64_t lt = t + rng_range(&rs->rng, 10 * MINUTE, 7 * DAY);
    if (lt >= g->o->exported_at_ns) lt = g->o->exported_at_ns - SEC;
    if (lt < t) lt = t;
    if (ti != NONE) {
        g->tags[ti].locked = true;
        if (g->tags[ti].updated_ns < lt) g->tags[ti].updated_ns = lt;
    }
    if (mi != NONE) {
        g->man[mi].locked = true;
        touch(g, mi, lt);
    }
}

static void release(struct gen *g, struct rstate *rs, int64_t t, uint32_t *top)
{
    const struct profile *p = &rs->p;
    double x = rng_unit(&rs->rng);
    if (rs->n_releases > 0) {
        if (x < 0.04) {
            rs->maj++;
            rs->min = rs->pat = 0;
        } else if (x < 0.3) {
            rs->min++;
            rs->pat = 0;
        } else {
            rs->pat++;
        }
    }
    rs->n_releases++;
    if (p->promote && rs->last_main != NONE && !g->man[rs->last_main].locked) *top = rs->last_main;
    else *top = build(g, rs, t, multi_for(p, EV_RELEASE));
    char name[TAG_NAME_CAP];
    const char *v = p->v_prefix ? "v" : "";
    snprintf(name, sizeof name, "%s%d.%d.%d", v, rs->maj, rs->min, rs->pat);
    uint32_t semver = new_tag(g, name, *top, t);
    if (p->minor_tag) {
        snprintf(name, sizeof name, "%s%d.%d", v, rs->maj, rs->min);
        if (rs->slot_minor != NONE && strcmp(g->tags[rs->slot_minor].name, name) != 0)
            rs->slot_minor = NONE;   /* a new minor line: the old X.Y tag stays where it is */
        move_tag(g, &rs->slot_minor, name, *top, t);
    }
    if (p->latest_on == EV_RELEASE) move_tag(g, &rs->slot_latest, "latest", *top, t);
    /* production pins: the release tag, and usually its manifest, locked a bit later */
    if (p->script ? rs->n_releases == 1 : rng_chance(&rs->rng, 0.07))
        lock_later(g, rs, p->script || rng_chance(&rs->rng, 0.75) ? *top : NONE, semver, t);
}

/* Nightly build times (churn profile): one per UTC day of [start, end), 00:30-03:30, as a cron
 * job that starts at night and waits for a free agent. Returns how many. */
static size_t nightly_times(struct gen *g, struct rstate *rs)
{
    const struct profile *p = &rs->p;
    if (g->o->profile != GENERATE_PROFILE_CHURN || p->end_ns <= p->start_ns) return 0;
    int64_t d0 = floor_div(p->start_ns, DAY), d1 = floor_div(p->end_ns - 1, DAY);
    xgrow((void **)&g->nightly, &g->cap_nightly, (size_t)(d1 - d0 + 1), sizeof *g->nightly);
    size_t n = 0;
    for (int64_t d = d0; d <= d1; d++) {
        int64_t t = d * DAY + 30 * MINUTE + rng_range(&rs->rng, 0, 3 * HOUR);
        if (t >= p->start_ns && t < p->end_ns) g->nightly[n++] = t;
    }
    return n;
}

/* Manifests one nightly build makes on average: a main build's, by per_event's arithmetic. */
static double per_nightly(const struct profile *p)
{
    double m = multi_for(p, EV_MAIN) ? 1.0 + (p->three_arch ? 3 : 2) : 1.0;
    if (p->signs) m += P_SIG[EV_MAIN];
    if (p->sboms) m += P_SBOM[EV_MAIN];
    return m;
}

static void nightly_build(struct gen *g, struct rstate *rs, int64_t t)
{
    const struct profile *p = &rs->p;
    uint32_t top = build(g, rs, t, multi_for(p, EV_MAIN));
    move_tag(g, &rs->slot_nightly, "nightly", top, t);
    if (p->signs && rng_chance(&rs->rng, P_SIG[EV_MAIN]))
        add_referrer(g, rs, top, t + rng_range(&rs->rng, 20 * SEC, 300 * SEC), false);
    if (p->sboms && rng_chance(&rs->rng, P_SBOM[EV_MAIN]))
        add_referrer(g, rs, top, t + rng_range(&rs->rng, 30 * SEC, 600 * SEC), true);
}

/* Plays n_events daytime events, merged in time order with the n_nightly builds already in
 * g->nightly (none in the default profile, which then draws exactly what it always drew). */
static void run_events(struct gen *g, struct rstate *rs, size_t n_events, size_t n_nightly)
{
    const struct profile *p = &rs->p;
    size_t next_nightly = 0;
    xgrow((void **)&g->times, &g->cap_times, n_events, sizeof *g->times);
    for (size_t i = 0; i < n_events; i++) g->times[i] = push_time(&rs->rng, p->start_ns, p->end_ns);
    qsort(g->times, n_events, sizeof *g->times, cmp_i64);
    for (size_t i = 0; i < n_events; i++) {
        int64_t t = g->times[i];
        while (next_nightly < n_nightly && g->nightly[next_nightly] < t)
            nightly_build(g, rs, g->nightly[next_nightly++]);
        int kind = pick_kind(rs, i);
        uint32_t top = NONE;
        switch (kind) {
        case EV_MAIN:
            top = build(g, rs, t, multi_for(p, kind));
            if (p->main_tag) move_tag(g, &rs->slot_main, "main", top, t);
            if (p->latest_on == EV_MAIN) move_tag(g, &rs->slot_latest, "latest", top, t);
            if (p->sha_tags) sha_tag(g, rs, top, t);
            /* a build kept for an incident or an audit */
            if (rng_chance(&rs->rng, 0.002)) lock_later(g, rs, top, NONE, t);
            rs->last_main = top;
            break;
        case EV_DEV:
            top = build(g, rs, t, multi_for(p, kind));
            move_tag(g, &rs->slot_dev, "dev", top, t);
            if (p->sha_tags) sha_tag(g, rs, top, t);
            break;
        case EV_PR: {
            top = build(g, rs, t, false);
            char name[TAG_NAME_CAP];
            /* a PR gets ~4 pushes, and none after a week of silence */
            if (rs->slot_pr == NONE || rng_chance(&rs->rng, 0.25) || t - rs->pr_last_ns > 7 * DAY) {
                rs->pr_num += 1 + (uint32_t)rng_below(&rs->rng, 4);
                rs->slot_pr = NONE;
            }
            snprintf(name, sizeof name, "pr-%" PRIu32, rs->pr_num);
            move_tag(g, &rs->slot_pr, name, top, t);
            rs->pr_last_ns = t;
            break;
        }
        default:
            release(g, rs, t, &top);
            break;
        }
        if (p->signs && rng_chance(&rs->rng, P_SIG[kind]))
            add_referrer(g, rs, top, t + rng_range(&rs->rng, 20 * SEC, 300 * SEC), false);
        if (p->sboms && rng_chance(&rs->rng, P_SBOM[kind]))
            add_referrer(g, rs, top, t + rng_range(&rs->rng, 30 * SEC, 600 * SEC), true);
    }
    while (next_nightly < n_nightly) nightly_build(g, rs, g->nightly[next_nightly++]);
}

void gen_base_phases(struct gen *g)
{
    struct rng r;
    rng_seed(&r, mix(g->seedkey, 0x62617365));
    for (int c = 0; c < N_COMPONENTS; c++)
        g->comp_phase_days[c] = (int64_t)rng_below(&r, (uint64_t)COMPONENTS[c].period_days);
}

void gen_repo_history(struct gen *g, struct rstate *rs, const struct plan *pl)
{
    memset(rs, 0, sizeof *rs);
    rs->key = mix(g->seedkey, UINT64_C(0x7265706f) << 32 | pl->orig);
    rng_seed(&rs->rng, rs->key);
    bool churn = g->o->profile == GENERATE_PROFILE_CHURN;
    draw_profile(g, rs, pl, g->o->scale == GENERATE_SCALE_TINY && !churn);
    rs->slot_latest = rs->slot_main = rs->slot_dev = rs->slot_minor = rs->slot_pr = rs->last_main = NONE;
    rs->slot_nightly = NONE;
    rs->maj = (int)rng_below(&rs->rng, 4);
    rs->min = (int)rng_below(&rs->rng, 10);
    rs->pat = (int)rng_below(&rs->rng, 5);
    rs->pr_num = (uint32_t)rng_below(&rs->rng, pl->hot ? 2000 : 300);
    rs->sha_offset = (uint32_t)rng_below(&rs->rng, 1u << 28);
    g->n_man = g->n_lay = g->n_refs = g->n_tags = 0;

    size_t n_events, n_nightly = 0;
    if (rs->p.script) {
        n_events = strlen(rs->p.script);
    } else if (churn) {
        /* the nightly builds come first; daytime pushes make up the rest of the target */
        n_nightly = nightly_times(g, rs);
        double ev = (pl->target - (double)n_nightly * per_nightly(&rs->p)) / per_event(&rs->p);
        n_events = ev < 0.5 ? 0 : (size_t)(ev + 0.5);
    } else {
        double ev = pl->target / per_event(&rs->p);
        n_events = ev < 1.5 ? 1 : (size_t)(ev + 0.5);
    }
    run_events(g, rs, n_events, n_nightly);
}
