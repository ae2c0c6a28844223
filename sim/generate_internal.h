/* generate_internal.h - what the generator's files share (not for other modules: they use
 * generate.h): the deterministic randomness they all draw from, the repository being generated
 * (its manifests, blobs and tags, and the state of its year of pushes), and each file's entry
 * points. The files, in the order a bundle is made:
 *   generate.c       the API and the registry: scales, repository names and manifest targets,
 *                    then one repository after another, history first, then its JSON
 *   generate_repo.c  one repository's year of pushes: its profile, events, builds, tags, locks
 *   generate_json.c  the bundle's JSON through one buffer, and the counts of what it wrote
 * The model itself is described at the top of generate.c. */
#ifndef PURGESIM_GENERATE_INTERNAL_H
#define PURGESIM_GENERATE_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "generate.h"
#include "prng.h"
#include "timeu.h"

#define NONE UINT32_MAX
#define SEC TIMEU_NS_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY TIMEU_NS_PER_DAY
#define TAG_NAME_CAP 48

/* Base-image components shared by all services (their sizes and release periods are in
 * generate_repo.c); the registry draws each one's release phase once. */
// clang-format off
enum { C_ALPINE, C_DEBIAN, C_UBUNTU, C_DISTROLESS, C_CACERTS, C_NODE, C_YARN, C_PYTHON, C_PIP,
       C_DOTNET, C_ASPNET, C_JRE, C_NGINX, C_CUDA, C_CUDNN, C_WINCORE, C_WINUPD, C_TOOLS,
       N_COMPONENTS };
// clang-format on

enum ev_kind { EV_MAIN, EV_PR, EV_DEV, EV_RELEASE, N_EV };

/* ---- deterministic randomness (inline: the generator draws several per manifest) -------- */

/* A hash of two words; the building block of every derived key. */
static inline uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * UINT64_C(0xD6E8FEB86659FD93));
    splitmix(&x);
    uint64_t h = splitmix(&x);
    return h ? h : 1;   /* 0 is reserved for the OCI empty config blob */
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *g)
{
    return (double)(rng_next(g) >> 11) * 0x1p-53;
}

/* Uniform in [0, n) for n < 2^53. */
static inline uint64_t rng_below(struct rng *g, uint64_t n)
{
    uint64_t v = (uint64_t)(rng_unit(g) * (double)n);
    return v < n ? v : (n ? n - 1 : 0);
}

static inline int64_t rng_range(struct rng *g, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)rng_below(g, (uint64_t)(hi - lo));
}

static inline bool rng_chance(struct rng *g, double p)
{
    return rng_unit(g) < p;
}

/* Standard normal as the sum of 12 uniforms (Irwin-Hall): no libm, tails cut at 6 sigma. */
static inline double rng_normal(struct rng *g)
{
    double s = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t r = rng_next(g);
        for (int k = 0; k < 4; k++) s += (double)((r >> (16 * k)) & 0xFFFF) + 0.5;
    }
    return s / 65536.0 - 6.0;
}

/* exp(x) with + and * only (and exact scaling), so results are identical on every machine. */
static inline double exp_det(double x)
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

static inline double rng_lognormal(struct rng *g, double median, double sigma)
{
    return median * exp_det(sigma * rng_normal(g));
}

/* A blob size that depends only on (key, median, sigma): the same blob has one size. */
static inline uint64_t size_from_key(uint64_t key, double median, double sigma, uint64_t min_bytes)
{
    struct rng g;
    rng_seed(&g, key);
    double v = rng_lognormal(&g, median, sigma);
    if (v > 9e15) v = 9e15;
    uint64_t s = (uint64_t)v;
    return s < min_bytes ? min_bytes + (key & 0xFF) : s;
}

static inline void digest_from_key(uint64_t key, uint8_t out[32])
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++) {
        uint64_t w = splitmix(&x);
        for (int k = 0; k < 8; k++) out[i * 8 + k] = (uint8_t)(w >> (56 - 8 * k));
    }
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- buffered output (generate_json.c) --------------------------------------------------- */

struct out {
    FILE *fp;
    char *buf;
    size_t n;
    uint64_t total;
    bool failed;
    int64_t cached_day;           /* civil date of the last formatted time */
    char cached_date[11];
};

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

/* ---- entry points ---------------------------------------------------------------------- */

/* generate_repo.c: draws each base-image component's release phase (once per bundle). */
void gen_base_phases(struct gen *g);
/* generate_repo.c: plays the year of pushes of repository pl into g's tables (emptied first),
 * leaving in rs what writing it needs. */
void gen_repo_history(struct gen *g, struct rstate *rs, const struct plan *pl);

/* generate_json.c: the output buffer on fp (not closed). */
void gen_out_open(struct out *o, FILE *fp);
/* generate_json.c: the document up to the opening of its "repositories" array. */
void gen_write_head(struct out *o, const struct generate_opts *opts, const char *sku);
/* generate_json.c: repository pl as generated into g by gen_repo_history (sorted here as az
 * lists it), counted into g->st; first: the array's first element. */
void gen_write_repo(struct gen *g, const struct rstate *rs, const struct plan *pl, bool first);
/* generate_json.c: closes the document (any_repos: the array has elements), flushes and frees
 * the buffer. Returns false when a write failed; o->total is then what was handed on. */
bool gen_write_end(struct out *o, bool any_repos);

#endif
