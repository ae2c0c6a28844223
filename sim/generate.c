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
 * in the sizes, so output is the same on every machine. */
#include "generate.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "prng.h"
#include "diag.h"
#include "timeu.h"

#define NONE UINT32_MAX
#define SEC TIMEU_NS_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY TIMEU_NS_PER_DAY
#define OUT_CAP ((size_t)1 << 18)
#define TAG_NAME_CAP 48

#define MT_DOCKER_V2 "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_ARTIFACT "application/vnd.oci.artifact.manifest.v1+json"
#define MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define MT_NOTARY "application/vnd.cncf.notary.signature"
/* sha256 of "{}", the OCI empty config every signature and SBOM manifest shares */
#define EMPTY_CONFIG_HEX "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

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

/* Base-image components shared by all services; each is re-released every period_days. */
struct component { double nominal_bytes; int period_days; };
enum { C_ALPINE, C_DEBIAN, C_UBUNTU, C_DISTROLESS, C_CACERTS, C_NODE, C_YARN, C_PYTHON, C_PIP,
       C_DOTNET, C_ASPNET, C_JRE, C_NGINX, C_CUDA, C_CUDNN, C_WINCORE, C_WINUPD, C_TOOLS,
       N_COMPONENTS };
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

static const char *const ARCH_NAME[] = {"amd64", "arm64", "arm"};

enum ev_kind { EV_MAIN, EV_PR, EV_DEV, EV_RELEASE, N_EV };
/* referrers per event in signing repositories */
static const double P_SIG[N_EV]  = {0.15, 0.0, 0.10, 1.0};
static const double P_SBOM[N_EV] = {0.05, 0.0, 0.0,  1.0};
// clang-format on

/* ---- deterministic randomness -------------------------------------------------------- */

/* A hash of two words; the building block of every derived key. */
static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * UINT64_C(0xD6E8FEB86659FD93));
    splitmix(&x);
    uint64_t h = splitmix(&x);
    return h ? h : 1;   /* 0 is reserved for the OCI empty config blob */
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *g)
{
    return (double)(rng_next(g) >> 11) * 0x1p-53;
}

/* Uniform in [0, n) for n < 2^53. */
static uint64_t rng_below(struct rng *g, uint64_t n)
{
    uint64_t v = (uint64_t)(rng_unit(g) * (double)n);
    return v < n ? v : (n ? n - 1 : 0);
}

static int64_t rng_range(struct rng *g, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)rng_below(g, (uint64_t)(hi - lo));
}

static bool rng_chance(struct rng *g, double p)
{
    return rng_unit(g) < p;
}

/* Standard normal as the sum of 12 uniforms (Irwin-Hall): no libm, tails cut at 6 sigma. */
static double rng_normal(struct rng *g)
{
    double s = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t r = rng_next(g);
        for (int k = 0; k < 4; k++) s += (double)((r >> (16 * k)) & 0xFFFF) + 0.5;
    }
    return s / 65536.0 - 6.0;
}

/* exp(x) with + and * only (and exact scaling), so results are identical on every machine. */
static double exp_det(double x)
{
    if (x > 40) x = 40;
    if (x < -40) x = -40;
    double y = x * 1.4426950408889634;   /* log2(e) */
    double n = floor(y);
    double z = (y - n) * 0.6931471805599453, term = 1, sum = 1;
    for (int k = 1; k <= 14; k++) {
        term = term * z / k;
        sum += term;
    }
    return ldexp(sum, (int)n);
}

static double rng_lognormal(struct rng *g, double median, double sigma)
{
    return median * exp_det(sigma * rng_normal(g));
}

/* A blob size that depends only on (key, median, sigma): the same blob has one size. */
static uint64_t size_from_key(uint64_t key, double median, double sigma, uint64_t min_bytes)
{
    struct rng g;
    rng_seed(&g, key);
    double v = rng_lognormal(&g, median, sigma);
    if (v > 9e15) v = 9e15;
    uint64_t s = (uint64_t)v;
    return s < min_bytes ? min_bytes + (key & 0xFF) : s;
}

static void digest_from_key(uint64_t key, uint8_t out[32])
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++) {
        uint64_t w = splitmix(&x);
        for (int k = 0; k < 8; k++) out[i * 8 + k] = (uint8_t)(w >> (56 - 8 * k));
    }
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- buffered output ----------------------------------------------------------------- */

struct out {
    FILE *fp;
    char *buf;
    size_t n;
    uint64_t total;
    bool failed;
    int64_t cached_day;           /* civil date of the last formatted time */
    char cached_date[11];
};

static void out_flush(struct out *o)
{
    if (o->n && !o->failed && fwrite(o->buf, 1, o->n, o->fp) != o->n) o->failed = true;
    o->total += o->n;
    o->n = 0;
}

static void out_mem(struct out *o, const char *s, size_t n)
{
    if (OUT_CAP - o->n < n) out_flush(o);
    if (n > OUT_CAP) {
        if (!o->failed && fwrite(s, 1, n, o->fp) != n) o->failed = true;
        o->total += n;
        return;
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

#define OUT_LIT(o, s) out_mem((o), (s), sizeof(s) - 1)

static void out_str(struct out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

/* A JSON string literal (quotes included), escaping what JSON requires. */
static void out_jstr(struct out *o, const char *s)
{
    OUT_LIT(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\';
            e[1] = (char)*p;
            out_mem(o, e, 2);
        } else if (*p < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", *p);
            out_mem(o, e, 6);
        } else {
            out_mem(o, (const char *)p, 1);
        }
    }
    OUT_LIT(o, "\"");
}

static void out_u64(struct out *o, uint64_t v)
{
    char b[24];
    int i = (int)sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_mem(o, b + i, sizeof b - (size_t)i);
}

static void put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ" (7 fractional digits, as az prints), quoted. */
static void out_time(struct out *o, int64_t t_ns)
{
    int64_t day = floor_div(t_ns, DAY), rem = t_ns - day * DAY;
    if (day != o->cached_day) {
        int64_t y;
        unsigned mo, d;
        timeu_civil_from_days(day, &y, &mo, &d);
        if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999;
        put_digits(o->cached_date, (unsigned)y, 4);
        o->cached_date[4] = '-';
        put_digits(o->cached_date + 5, mo, 2);
        o->cached_date[7] = '-';
        put_digits(o->cached_date + 8, d, 2);
        o->cached_day = day;
    }
    char b[30];
    b[0] = '"';
    memcpy(b + 1, o->cached_date, 10);
    unsigned secs = (unsigned)(rem / SEC), frac = (unsigned)((rem % SEC) / 100);
    b[11] = 'T';
    put_digits(b + 12, secs / 3600, 2);
    b[14] = ':';
    put_digits(b + 15, secs / 60 % 60, 2);
    b[17] = ':';
    put_digits(b + 18, secs % 60, 2);
    b[20] = '.';
    put_digits(b + 21, frac, 7);
    b[28] = 'Z';
    b[29] = '"';
    out_mem(o, b, 30);
}

static void out_digest(struct out *o, const uint8_t dg[32])
{
    static const char hex[] = "0123456789abcdef";
    char b[73];
    memcpy(b, "\"sha256:", 8);
    for (int i = 0; i < 32; i++) {
        b[8 + 2 * i] = hex[dg[i] >> 4];
        b[9 + 2 * i] = hex[dg[i] & 15];
    }
    b[72] = '"';
    out_mem(o, b, 73);
}

/* ---- the repository being generated ------------------------------------------------- */

enum gm_kind { GM_IMAGE, GM_INDEX, GM_SIG, GM_SBOM_ARTIFACT, GM_SBOM_OCI };

struct gm {                        /* one manifest */
    uint8_t dg[32];
    int64_t created_ns, updated_ns;
    uint64_t size_bytes;
    uint32_t layer_off, child_off, subject, tag_head, tag_tail;
    uint16_t n_layers;
    uint8_t n_children, kind, arch;
    bool locked;
};

struct gl {                        /* one blob reference; key 0 is the OCI empty config */
    uint64_t key, size_bytes;
};

struct gt {                        /* one tag */
    char name[TAG_NAME_CAP];
    uint32_t manifest, next;
    int64_t created_ns, updated_ns;
    bool locked;
};

struct sortkey {
    uint8_t dg[32];
    uint32_t idx;
};

struct profile {
    double p_kind[N_EV];
    bool oci, multiarch, multi_release_only, three_arch, windows;
    bool sha_tags, main_tag, minor_tag, v_prefix, promote, signs, sboms, sbom_artifact;
    bool extra_layer;
    int sha_style;                 /* 0 "sha-abcdef1", 1 "abcdef1", 2 40 hex digits */
    int latest_on;                 /* EV_MAIN, EV_RELEASE or -1 (no latest) */
    uint8_t arch;                  /* single-arch builds */
    uint8_t stack;
    int n_deps;
    double deps_median[3], deps_change[3];
    double app_median;
    int64_t lag_ns;                /* how far behind the base images this service rebuilds */
    int64_t start_ns, end_ns;
    const char *script;            /* fixed event kinds (the tiny showcase), or NULL */
};

struct plan {
    char name[64];
    uint32_t orig;                 /* index before sorting: seeds the repository */
    bool hot;
    double target;                 /* manifests */
};

struct gen {
    const struct generate_opts *o;
    uint64_t seedkey;
    int64_t win_lo, win_hi;        /* event times fall in here */
    int64_t comp_phase_days[N_COMPONENTS];
    struct out out;
    struct gm *man;
    struct gl *lay;
    uint32_t *refs;
    struct gt *tags;
    int64_t *times, *nightly;      /* push times of daytime events, of nightly builds (churn) */
    struct sortkey *order;
    size_t n_man, cap_man, n_lay, cap_lay, n_refs, cap_refs, n_tags, cap_tags, cap_times, cap_order;
    size_t cap_nightly;
    struct generate_stats st;
};

struct rstate {
    struct rng rng;
    struct profile p;
    uint64_t key;
    uint64_t n_made, n_builds;
    uint32_t n_sha, sha_offset;
    uint32_t deps_ver[3];
    int maj, min, pat, n_releases;
    uint32_t pr_num;
    int64_t pr_last_ns;
    uint32_t slot_latest, slot_main, slot_dev, slot_minor, slot_pr;
    uint32_t last_main;
    uint32_t slot_nightly;         /* churn profile */
};

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

static int cmp_sortkey(const void *a, const void *b)
{
    const struct sortkey *x = a, *y = b;
    int c = memcmp(x->dg, y->dg, 32);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_tag(const void *a, const void *b)
{
    return strcmp(((const struct gt *)a)->name, ((const struct gt *)b)->name);
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

static void emit_attrs(struct out *o, bool locked)
{
    if (locked)
        OUT_LIT(o, "\"changeableAttributes\":{\"deleteEnabled\":false,\"writeEnabled\":false,"
                   "\"readEnabled\":true,\"listEnabled\":true}");
    else
        OUT_LIT(o, "\"changeableAttributes\":{\"deleteEnabled\":true,\"writeEnabled\":true,"
                   "\"readEnabled\":true,\"listEnabled\":true}");
}

static void emit_layer_digest(struct out *o, uint64_t key)
{
    if (key == 0) {
        OUT_LIT(o, "\"sha256:" EMPTY_CONFIG_HEX "\"");
        return;
    }
    uint8_t dg[32];
    digest_from_key(key, dg);
    out_digest(o, dg);
}

static void emit_manifest(struct gen *g, const struct rstate *rs, const struct gm *m)
{
    struct out *o = &g->out;
    bool oci = rs->p.oci;
    OUT_LIT(o, "        {\"digest\":");
    out_digest(o, m->dg);
    OUT_LIT(o, ",\"imageSize\":");
    out_u64(o, m->size_bytes);
    OUT_LIT(o, ",\"createdTime\":");
    out_time(o, m->created_ns);
    OUT_LIT(o, ",\"lastUpdateTime\":");
    out_time(o, m->updated_ns);
    switch (m->kind) {
    case GM_IMAGE:
        OUT_LIT(o, ",\"architecture\":\"");
        out_str(o, ARCH_NAME[m->arch]);
        OUT_LIT(o, "\",\"os\":\"");
        out_str(o, rs->p.windows ? "windows" : "linux");
        if (oci)
            OUT_LIT(o, "\",\"mediaType\":\"" MT_OCI_MANIFEST
                       "\",\"configMediaType\":\"" MT_OCI_CONFIG "\"");
        else
            OUT_LIT(o, "\",\"mediaType\":\"" MT_DOCKER_V2
                       "\",\"configMediaType\":\"" MT_DOCKER_CONFIG "\"");
        break;
    case GM_INDEX:
        if (oci) OUT_LIT(o, ",\"mediaType\":\"" MT_OCI_INDEX "\"");
        else OUT_LIT(o, ",\"mediaType\":\"" MT_DOCKER_LIST "\"");
        break;
    case GM_SIG:
        OUT_LIT(o, ",\"mediaType\":\"" MT_OCI_MANIFEST "\",\"configMediaType\":\"" MT_NOTARY "\"");
        break;
    case GM_SBOM_ARTIFACT:
        OUT_LIT(o, ",\"mediaType\":\"" MT_OCI_ARTIFACT "\"");
        break;
    default:
        OUT_LIT(o, ",\"mediaType\":\"" MT_OCI_MANIFEST
                   "\",\"configMediaType\":\"" MT_OCI_EMPTY "\"");
        break;
    }
    OUT_LIT(o, ",\"tags\":[");
    for (uint32_t ti = m->tag_head; ti != NONE; ti = g->tags[ti].next) {
        if (ti != m->tag_head) OUT_LIT(o, ",");
        out_jstr(o, g->tags[ti].name);
    }
    OUT_LIT(o, "],");
    emit_attrs(o, m->locked);
    if (m->n_layers) {
        OUT_LIT(o, ",\"layers\":[");
        for (uint32_t i = 0; i < m->n_layers; i++) {
            const struct gl *l = &g->lay[m->layer_off + i];
            out_str(o, i ? ",{\"digest\":" : "{\"digest\":");
            emit_layer_digest(o, l->key);
            OUT_LIT(o, ",\"size\":");
            out_u64(o, l->size_bytes);
            OUT_LIT(o, "}");
        }
        OUT_LIT(o, "]");
    }
    if (m->n_children) {
        OUT_LIT(o, ",\"references\":[");
        for (uint32_t i = 0; i < m->n_children; i++) {
            out_str(o, i ? ",{\"digest\":" : "{\"digest\":");
            out_digest(o, g->man[g->refs[m->child_off + i]].dg);
            OUT_LIT(o, "}");
        }
        OUT_LIT(o, "]");
    }
    if (m->subject != NONE) {
        OUT_LIT(o, ",\"subject\":{\"digest\":");
        out_digest(o, g->man[m->subject].dg);
        OUT_LIT(o, "}");
    }
    OUT_LIT(o, "}");
}

static void count_manifest(struct generate_stats *st, const struct gm *m)
{
    st->manifests++;
    st->image_size_sum += m->size_bytes;
    if (m->kind == GM_IMAGE) st->images++;
    else if (m->kind == GM_INDEX) st->indexes++;
    else if (m->kind == GM_SIG) st->signatures++;
    else st->sboms++;
    if (m->kind == GM_INDEX) st->children += m->n_children;
    if (m->tag_head == NONE) st->untagged_manifests++;
    if (m->locked) st->locked_manifests++;
}

static void gen_repo(struct gen *g, const struct plan *pl, bool first)
{
    struct rstate rs;
    memset(&rs, 0, sizeof rs);
    rs.key = mix(g->seedkey, UINT64_C(0x7265706f) << 32 | pl->orig);
    rng_seed(&rs.rng, rs.key);
    bool churn = g->o->profile == GENERATE_PROFILE_CHURN;
    draw_profile(g, &rs, pl, g->o->scale == GENERATE_SCALE_TINY && !churn);
    rs.slot_latest = rs.slot_main = rs.slot_dev = rs.slot_minor = rs.slot_pr = rs.last_main = NONE;
    rs.slot_nightly = NONE;
    rs.maj = (int)rng_below(&rs.rng, 4);
    rs.min = (int)rng_below(&rs.rng, 10);
    rs.pat = (int)rng_below(&rs.rng, 5);
    rs.pr_num = (uint32_t)rng_below(&rs.rng, pl->hot ? 2000 : 300);
    rs.sha_offset = (uint32_t)rng_below(&rs.rng, 1u << 28);
    g->n_man = g->n_lay = g->n_refs = g->n_tags = 0;

    size_t n_events, n_nightly = 0;
    if (rs.p.script) {
        n_events = strlen(rs.p.script);
    } else if (churn) {
        /* the nightly builds come first; daytime pushes make up the rest of the target */
        n_nightly = nightly_times(g, &rs);
        double ev = (pl->target - (double)n_nightly * per_nightly(&rs.p)) / per_event(&rs.p);
        n_events = ev < 0.5 ? 0 : (size_t)(ev + 0.5);
    } else {
        double ev = pl->target / per_event(&rs.p);
        n_events = ev < 1.5 ? 1 : (size_t)(ev + 0.5);
    }
    run_events(g, &rs, n_events, n_nightly);

    /* tags by name; each manifest's tag list follows, in name order */
    if (g->n_tags > 1) qsort(g->tags, g->n_tags, sizeof *g->tags, cmp_tag);
    for (size_t i = 0; i < g->n_tags; i++) {
        struct gt *tg = &g->tags[i];
        struct gm *m = &g->man[tg->manifest];
        tg->next = NONE;
        if (m->tag_head == NONE) m->tag_head = (uint32_t)i;
        else g->tags[m->tag_tail].next = (uint32_t)i;
        m->tag_tail = (uint32_t)i;
    }
    /* manifests by digest, as az lists them */
    xgrow((void **)&g->order, &g->cap_order, g->n_man, sizeof *g->order);
    for (size_t i = 0; i < g->n_man; i++) {
        memcpy(g->order[i].dg, g->man[i].dg, 32);
        g->order[i].idx = (uint32_t)i;
    }
    qsort(g->order, g->n_man, sizeof *g->order, cmp_sortkey);

    struct out *o = &g->out;
    out_str(o, first ? "\n    {\n      \"name\": " : ",\n    {\n      \"name\": ");
    out_jstr(o, pl->name);
    OUT_LIT(o, ",\n      \"manifests\": [");
    for (size_t i = 0; i < g->n_man; i++) {
        const struct gm *m = &g->man[g->order[i].idx];
        out_str(o, i ? ",\n" : "\n");
        emit_manifest(g, &rs, m);
        count_manifest(&g->st, m);
    }
    out_str(o, g->n_man ? "\n      ],\n      \"tags\": [" : "],\n      \"tags\": [");
    for (size_t i = 0; i < g->n_tags; i++) {
        const struct gt *tg = &g->tags[i];
        out_str(o, i ? ",\n        {\"name\":" : "\n        {\"name\":");
        out_jstr(o, tg->name);
        OUT_LIT(o, ",\"digest\":");
        out_digest(o, g->man[tg->manifest].dg);
        OUT_LIT(o, ",\"createdTime\":");
        out_time(o, tg->created_ns);
        OUT_LIT(o, ",\"lastUpdateTime\":");
        out_time(o, tg->updated_ns);
        OUT_LIT(o, ",\"signed\":false,");
        emit_attrs(o, tg->locked);
        OUT_LIT(o, "}");
        g->st.tags++;
        if (tg->locked) g->st.locked_tags++;
    }
    out_str(o, g->n_tags ? "\n      ]\n    }" : "]\n    }");
    g->st.repos++;
}

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
    g.out.fp = fp;
    g.out.buf = xmalloc(OUT_CAP);
    g.out.cached_day = INT64_MIN;
    int64_t window = (int64_t)o->days * DAY;
    g.win_lo = o->exported_at_ns - window + HOUR;
    g.win_hi = o->exported_at_ns - HOUR;
    if (g.win_hi - g.win_lo < HOUR) g.win_lo = g.win_hi - HOUR;
    struct rng r;
    rng_seed(&r, mix(g.seedkey, 0x62617365));
    for (int c = 0; c < N_COMPONENTS; c++)
        g.comp_phase_days[c] = (int64_t)rng_below(&r, (uint64_t)COMPONENTS[c].period_days);

    size_t n_plans;
    struct plan *pl = make_plans(o, &n_plans);
    char at[40];
    timeu_format(o->exported_at_ns, at, sizeof at);
    struct out *out = &g.out;
    OUT_LIT(out, "{\n  \"registry\": ");
    out_jstr(out, o->registry ? o->registry : "synth.azurecr.io");
    OUT_LIT(out, ",\n  \"exportedAt\": ");
    out_jstr(out, at);
    OUT_LIT(out, ",\n  \"sku\": ");
    out_jstr(out, SCALES[o->scale].sku);
    OUT_LIT(out, ",\n  \"generator\": {\"tool\": \"purgesim generate\", \"model\": 1, \"scale\": ");
    out_jstr(out, SCALES[o->scale].name);
    OUT_LIT(out, ", \"seed\": ");
    out_u64(out, o->seed);
    OUT_LIT(out, ", \"days\": ");
    out_u64(out, (uint64_t)o->days);
    /* named only when not the default, so default bundles keep their bytes */
    if (o->profile != GENERATE_PROFILE_DEFAULT) {
        OUT_LIT(out, ", \"profile\": ");
        out_jstr(out, generate_profile_name(o->profile));
    }
    OUT_LIT(out, "},\n  \"repositories\": [");
    for (size_t i = 0; i < n_plans && !out->failed; i++) gen_repo(&g, &pl[i], i == 0);
    out_str(out, n_plans ? "\n  ]\n}\n" : "]\n}\n");
    out_flush(out);
    if (fflush(fp) != 0 || ferror(fp)) out->failed = true;
    g.st.bytes_written = out->total;
    if (st) *st = g.st;
    free(pl);
    free(g.out.buf);
    free(g.man);
    free(g.lay);
    free(g.refs);
    free(g.tags);
    free(g.times);
    free(g.nightly);
    free(g.order);
    return out->failed ? ERR_IO : PS_OK;
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
