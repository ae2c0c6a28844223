/* generate.c - synthetic registry bundles: a year of CI pushes as one exported snapshot.
 *
 * The model (see generate.h for the scale table):
 * - Repositories: names "team/word-word[-suffix]", written sorted by name. About 5% are hot
 *   services that take 60% of the manifests (several CI pushes a day); the rest are cold, with
 *   lognormal activity (a few pushes a month; some started late in the year, some retired).
 * - Events per repository, at weekday/business-hours-biased times: main builds (moving `main`,
 *   often `latest`, git-sha tags in about half the repositories), pull-request builds (`pr-N`
 *   moving to the newest push of PR N), dev builds (moving `dev`) and releases (semver tags
 *   that never move, sometimes a moving `X.Y`, `latest`; some repositories promote the newest
 *   main build instead of rebuilding, which moves that manifest's lastUpdateTime).
 * - About 12% of repositories build multi-arch: an index (Docker list or OCI index) with 2-3
 *   untagged children (amd64, arm64, arm) a few seconds older than it. PR builds are single-arch.
 * - Signing repositories (~30%) add Notation signatures (OCI manifest with subject) to releases
 *   and some main builds; half of them add an SPDX SBOM (OCI artifact manifest or OCI manifest
 *   with the empty config). Referrers are untagged, like in ACR.
 * - 7% of releases are locked some time after the push (manifest and semver tag, or the tag
 *   only), and 0.2% of main builds (manifest only): ~0.5% of manifests. Moving tags never are.
 * - Layers: every image lists its config blob first, then shared base layers (a global pool of
 *   OS/runtime components, each re-released every few weeks, so services on the same base share
 *   them), then per-repository dependency layers that change every ~10-30 builds, then a fresh
 *   app layer (and sometimes a tiny fresh metadata layer). A blob's size is a function of its
 *   digest, so it is the same everywhere; imageSize is exactly the sum of the listed blobs.
 *   Sizes come out roughly lognormal, median ~80 MB, with CUDA and Windows stacks as a tail of
 *   2-3 GB.
 * - Snapshot semantics: nothing is deleted, so most older pushes end up untagged.
 * - The churn profile (--profile churn) keeps all of the above per repository, but takes a fifth
 *   of the repositories, makes every one a hot service active all year, moves `latest` on main
 *   builds and adds a nightly build every day (a `nightly` tag): every repository is pushed
 *   daily, and most manifests end untagged. It draws from its own streams only where the
 *   default profile draws nothing, so the default's output is unchanged by it.
 * Randomness is xoshiro256** seeded through splitmix64, plus hash-derived values, with no libm
 * in the sizes, so output is the same on every machine.
 *
 * This file holds the API and the registry: the scales, the repositories' names, hot flags
 * and manifest targets, and the bundle made one repository at a time. One repository's pushes
 * are generate_repo.c's, the JSON generate_json.c's (generate_internal.h). */
#include "generate_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

// clang-format off
struct scale_info { const char *name; size_t repos, manifests; const char *sku; };
static const struct scale_info SCALES[] = {
    {"tiny",   1,     20,      "Basic"},
    {"small",  20,    2000,    "Standard"},
    {"medium", 500,   100000,  "Premium"},
    {"large",  5000,  1000000, "Premium"},
    {"xl",     20000, 5000000, "Premium"},
};
#define N_SCALES (sizeof SCALES / sizeof SCALES[0])

static const char *const TEAMS[] = {
    "payments", "identity", "search", "checkout", "platform", "data", "ml", "web",
    "mobile", "infra", "billing", "catalog", "growth", "ops", "security", "media",
    "ads", "analytics", "support", "logistics", "inventory", "notify", "partners", "core"};
static const char *const WORD_A[] = {
    "order", "user", "cart", "price", "report", "stream", "event", "image", "email", "session",
    "ledger", "quote", "invoice", "profile", "feed", "token", "audit", "export", "import",
    "rating"};
static const char *const WORD_B[] = {
    "api", "svc", "worker", "gateway", "service", "job", "processor", "sync", "web", "cache",
    "indexer", "scheduler", "consumer", "proxy", "ui"};
static const char *const SUFFIX[] = {"", "-v2", "-legacy", "-next", "-eu", "-us", "-batch",
                                     "-internal"};
#define N_TEAMS (sizeof TEAMS / sizeof TEAMS[0])
#define N_WORD_A (sizeof WORD_A / sizeof WORD_A[0])
#define N_WORD_B (sizeof WORD_B / sizeof WORD_B[0])
#define N_SUFFIX (sizeof SUFFIX / sizeof SUFFIX[0])
// clang-format on

/* ---- the registry --------------------------------------------------------------------- */

static int cmp_plan(const void *a, const void *b)
{
    return strcmp(((const struct plan *)a)->name, ((const struct plan *)b)->name);
}

/* Names, hot flags and manifest targets of every repository, sorted by name. */
static struct plan *make_plans(const struct generate_opts *o, size_t *n_out)
{
    const struct scale_info *si = &SCALES[o->scale];
    bool churn = o->profile == GENERATE_PROFILE_CHURN;
    /* churn: the same manifests over a fifth of the repositories, so each is pushed daily */
    size_t n = churn ? (si->repos / 5 ? si->repos / 5 : 1) : si->repos;
    struct plan *pl = xcalloc(n, sizeof *pl);
    struct rng r;
    rng_seed(&r, mix(o->seed, 0x706c616e));
    size_t per = N_TEAMS * N_WORD_A * N_WORD_B, k = (n + per - 1) / per;
    if (k > N_SUFFIX) k = N_SUFFIX;
    size_t domain = per * k;
    uint32_t *perm = xmalloc(domain * sizeof *perm);
    for (size_t i = 0; i < domain; i++) perm[i] = (uint32_t)i;
    /* a few hot services: 5% of the repositories, at least two once there are ten */
    size_t hot = n >= 10 ? (size_t)((double)n * 0.05 + 0.5) : 0;
    if (n >= 10 && hot < 2) hot = 2;
    if (churn) hot = n;   /* every repository is a busy CI service */
    double w_hot = 0, w_cold = 0;
    for (size_t i = 0; i < n && i < domain; i++) {
        size_t j = i + (size_t)rng_below(&r, domain - i);
        uint32_t v = perm[j];
        perm[j] = perm[i];
        perm[i] = v;
        size_t team = v % N_TEAMS, a = v / N_TEAMS % N_WORD_A;
        size_t b = v / N_TEAMS / N_WORD_A % N_WORD_B, s = v / per;
        snprintf(pl[i].name, sizeof pl[i].name, "%s/%s-%s%s", TEAMS[team], WORD_A[a], WORD_B[b],
                 SUFFIX[s]);
        pl[i].orig = (uint32_t)i;
        pl[i].hot = i < hot;
        pl[i].target = rng_lognormal(&r, 1.0, pl[i].hot ? 0.5 : 1.0);
        if (pl[i].hot) w_hot += pl[i].target;
        else w_cold += pl[i].target;
    }
    free(perm);
    double total = (double)si->manifests;
    double share_hot = churn ? 1.0 : hot ? 0.6 : 0.0, share_cold = 1.0 - share_hot;
    for (size_t i = 0; i < n; i++)
        pl[i].target *= pl[i].hot ? total * share_hot / w_hot : total * share_cold / w_cold;
    qsort(pl, n, sizeof *pl, cmp_plan);
    *n_out = n;
    return pl;
}

void generate_opts_default(struct generate_opts *o)
{
    memset(o, 0, sizeof *o);
    o->scale = GENERATE_SCALE_SMALL;
    o->seed = 1;
    o->exported_at_ns = timeu_days_from_civil(2026, 11, 1) * DAY;
    o->days = 365;
    o->registry = "synth.azurecr.io";
}

static const char *const PROFILES[] = {"default", "churn"};
#define N_PROFILES (sizeof PROFILES / sizeof PROFILES[0])

bool generate_profile_parse(const char *s, enum generate_profile *out)
{
    for (size_t i = 0; i < N_PROFILES; i++) {
        if (!strcmp(s, PROFILES[i])) {
            *out = (enum generate_profile)i;
            return true;
        }
    }
    return false;
}

const char *generate_profile_name(enum generate_profile p)
{
    return (size_t)p < N_PROFILES ? PROFILES[p] : "?";
}

bool generate_scale_parse(const char *s, enum generate_scale *out)
{
    for (size_t i = 0; i < N_SCALES; i++) {
        if (!strcmp(s, SCALES[i].name)) {
            *out = (enum generate_scale)i;
            return true;
        }
    }
    return false;
}

const char *generate_scale_name(enum generate_scale s)
{
    return (size_t)s < N_SCALES ? SCALES[s].name : "?";
}

void generate_scale_targets(enum generate_scale s, size_t *repos, size_t *manifests)
{
    size_t i = (size_t)s < N_SCALES ? (size_t)s : 0;
    if (repos) *repos = SCALES[i].repos;
    if (manifests) *manifests = SCALES[i].manifests;
}

/* One repository: its history, then its JSON; g's tables are reused by the next. */
static void gen_repo(struct gen *g, const struct plan *pl, bool first)
{
    struct rstate rs;
    gen_repo_history(g, &rs, pl);
    gen_write_repo(g, &rs, pl, first);
}

int generate_bundle(FILE *fp, const struct generate_opts *o, struct generate_stats *st)
{
    if ((size_t)o->scale >= N_SCALES || (size_t)o->profile >= N_PROFILES || o->days < 1 || o->days > 3650)
        return ERR_USAGE;
    if (o->exported_at_ns < TIMEU_MIN_NS / 2 || o->exported_at_ns > TIMEU_MAX_NS / 2)
        return ERR_USAGE;
    struct gen g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.seedkey = mix(o->seed, 0x67656e31);
    gen_out_open(&g.out, fp);
    int64_t window = (int64_t)o->days * DAY;
    g.win_lo = o->exported_at_ns - window + HOUR;
    g.win_hi = o->exported_at_ns - HOUR;
    if (g.win_hi - g.win_lo < HOUR) g.win_lo = g.win_hi - HOUR;
    gen_base_phases(&g);

    size_t n_plans;
    struct plan *pl = make_plans(o, &n_plans);
    gen_write_head(&g.out, o, SCALES[o->scale].sku);
    for (size_t i = 0; i < n_plans && !g.out.failed; i++) gen_repo(&g, &pl[i], i == 0);
    bool ok = gen_write_end(&g.out, n_plans > 0);
    g.st.bytes_written = g.out.total;
    if (st) *st = g.st;
    free(pl);
    free(g.man);
    free(g.lay);
    free(g.refs);
    free(g.tags);
    free(g.times);
    free(g.nightly);
    free(g.order);
    return ok ? PS_OK : ERR_IO;
}

void generate_print_stats(const struct generate_opts *o, const struct generate_stats *st, const char *path,
                          double secs, FILE *fp)
{
    double n = st->manifests ? (double)st->manifests : 1.0;
    fprintf(fp,
            "purgesim generate: %s (scale %s%s%s, seed %" PRIu64 "): %zu repositor%s, %zu manifests "
            "(%zu images, %zu indexes with %zu children, %zu signatures, %zu SBOMs), %zu tags\n"
            "  untagged manifests %zu (%.1f%%), locked manifests %zu (%.2f%%), locked tags %zu\n"
            "  imageSize total %.1f GiB; %.1f MB written in %.2f s (%.0f MB/s)\n",
            path, generate_scale_name(o->scale), o->profile ? ", profile " : "",
            o->profile ? generate_profile_name(o->profile) : "", o->seed, st->repos, st->repos == 1 ? "y" : "ies",
            st->manifests, st->images, st->indexes, st->children, st->signatures, st->sboms, st->tags, st->untagged_manifests,
            100.0 * (double)st->untagged_manifests / n, st->locked_manifests,
            100.0 * (double)st->locked_manifests / n, st->locked_tags,
            (double)st->image_size_sum / 1073741824.0, (double)st->bytes_written / 1e6, secs,
            secs > 0 ? (double)st->bytes_written / 1e6 / secs : 0.0);
}
