/* generate.h - synthetic registry bundles (data/EXPORT-FORMAT.md v1) for tests and benchmarks.
 * Ownership: nothing is kept between calls; generate_bundle() borrows the FILE it writes to.
 *
 * A bundle is a 365-day (--days) history of pushes ending at exportedAt, seen as a snapshot in
 * which everything ever pushed is still present (the registry was never purged). Output is
 * deterministic for (scale, seed, exportedAt, days) and streamed repository by repository:
 * memory is O(repositories) for names and O(manifests of one repository) while writing.
 *
 * Scales (seed 1, 365 days; measured on a 2-core Xeon, generation peak RSS < 8 MB at every scale):
 *   scale    repos  manifests  tags       sku       file      generate
 *   tiny         1         20  16         Basic     27 KB     < 0.01 s
 *   small       20      1,975  571        Standard  2.4 MB    0.01 s
 *   medium     500     99,507  32,375     Premium   119 MB    0.4 s
 *   large    5,000    996,210  313,742    Premium   1.21 GB   3.5 s
 *   xl      20,000  4,980,083  1,571,336  Premium   6.07 GB   17 s
 * Manifest totals land within ~3% of 20 / 2k / 100k / 1M / 5M for any seed. From medium up the
 * mix is stable: ~91% images, 2-4% indexes (2-3 children each: 5-10% of manifests), 3.5-4.5%
 * signatures, ~1% SBOMs, ~70% untagged, ~0.5% locked; imageSize median ~90 MB, p10 ~23 MB,
 * p90 ~140 MB, p99 ~2.1 GB, max ~2.6 GB. Small and tiny vary more by seed: small has two hot
 * repositories holding 60% of its manifests, so whether they build multi-arch or sign decides
 * its index and referrer counts (seeds 1-200: indexes 0-405, referrers 0-287, untagged 22-86%,
 * locked 3-21). Tiny is one fixed-script showcase repository: 12 events over the year, 2
 * multi-arch releases (2 indexes, 4 children), the first release locked, 2-6 signatures, 2-5
 * SBOMs, 20-25 manifests, and main/dev/latest/X.Y/semver/sha-/pr- tags.
 * Profiles (--profile): `default` is the mix above. `churn` is a registry under heavy CI churn, for
 * benchmarking replays where most of the work is untagging and deleting: a fifth of the scale's
 * repositories (tiny 1, small 4, medium 100, large 1,000, xl 4,000) share the same manifest
 * target, every one active all year with a nightly CI build each day (00:30-03:30 UTC, moving a
 * `nightly` tag) on top of several daytime pushes (main builds that move `latest`, PR and dev
 * builds, a few releases); so every repository is pushed every day, and ~85% of manifests end
 * untagged. Repositories that build multi-arch push 3-4 manifests a night, so totals can end
 * a few percent above the target. The default profile's output does not depend on this one.
 * Output: the top-level structure indented, each manifest and tag object compact on one line
 * (~1.2 KB per manifest; an image lists 4-9 blobs); the extra top-level "generator" object (scale,
 * seed, days) is ignored by ingest.
 */
#ifndef PURGESIM_GENERATE_H
#define PURGESIM_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum generate_profile {
    GENERATE_PROFILE_DEFAULT = 0,
    GENERATE_PROFILE_CHURN,
};

enum generate_scale {
    GENERATE_SCALE_TINY = 0,
    GENERATE_SCALE_SMALL,
    GENERATE_SCALE_MEDIUM,
    GENERATE_SCALE_LARGE,
    GENERATE_SCALE_XL,
};

struct generate_opts {
    enum generate_scale scale;
    uint64_t seed;                 /* default 1 */
    int64_t exported_at_ns;        /* default 2026-11-01T00:00:00Z */
    int days;                      /* history length, default 365 (1..3650) */
    const char *registry;          /* default "synth.azurecr.io" */
    enum generate_profile profile; /* default GENERATE_PROFILE_DEFAULT */
};

/* What one generate_bundle() call wrote (filled even on an I/O error, as far as it got). */
struct generate_stats {
    size_t repos, manifests, images, indexes, children, signatures, sboms;
    size_t tags, untagged_manifests, locked_manifests, locked_tags;
    uint64_t image_size_sum;       /* sum of imageSize over all manifests */
    uint64_t bytes_written;
};

/* Fills *o with the defaults above (scale small). */
void generate_opts_default(struct generate_opts *o);

/* Parses "tiny", "small", "medium", "large" or "xl". Returns true and sets *out on success. */
bool generate_scale_parse(const char *s, enum generate_scale *out);
/* The scale's name ("tiny", ...). */
const char *generate_scale_name(enum generate_scale s);
/* The scale's documented targets: repositories and manifests. */
void generate_scale_targets(enum generate_scale s, size_t *repos, size_t *manifests);

/* Parses "default" or "churn". Returns true and sets *out on success. */
bool generate_profile_parse(const char *s, enum generate_profile *out);
/* The profile's name ("default", "churn"). */
const char *generate_profile_name(enum generate_profile p);

/* Writes one bundle to fp (not closed). st may be NULL.
 * Returns PS_OK, ERR_USAGE for invalid options, or ERR_IO when a write fails. */
int generate_bundle(FILE *fp, const struct generate_opts *o, struct generate_stats *st);

/* One line of counts and timing for `purgesim generate --stats`. */
void generate_print_stats(const struct generate_opts *o, const struct generate_stats *st, const char *path,
                          double secs, FILE *fp);

#endif
