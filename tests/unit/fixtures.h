/* fixtures.h - build registry models in code for unit tests, run acr purge rules on them and
 * query the results (no JSON files).
 *
 * Labels: a manifest or blob is named by a short label ("a", "idx1"); its digest is the label's
 * bytes, zero-padded to 32 bytes, so digest order == label order (byte-wise, a prefix first).
 * A full "sha256:<64 hex>" is also accepted as a label. Labels longer than 32 bytes fail.
 *
 * Building: fx_model(); then fx_repo/fx_manifest/fx_tag/... in any order (repos are created on
 * first mention); then fx_finish(m), which sorts repos, manifests and tags and resolves labels
 * into indexes, as ingest does (model.h invariants). After fx_finish the model is an ordinary
 * model: free it with model_free(). Everything lives in the model's arena (plus the arrays
 * model_free() frees), so a test that fails before fx_finish leaks nothing beyond its model.
 *
 * Times: "2024-01-01T00:00:00Z" (RFC 3339, parsed as ingest does); NULL = missing
 * (TIME_MISSING); any text that does not parse, e.g. "garbage" = unreadable (TIME_BAD).
 *
 * Failures (unknown repo/label at fx_finish, bad label, bad time in fx_ns, a rule that does not
 * parse) fail the current cmocka test. */
#ifndef PURGESIM_TESTS_FIXTURES_H
#define PURGESIM_TESTS_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "purge.h"
#include "purgecmd.h"

/* ---- building ------------------------------------------------------------------------ */

/* A new, empty model being built. registry NULL means "myreg.azurecr.io". */
struct model *fx_model(const char *registry);
/* Declares a repository (also created implicitly by the calls below). */
void fx_repo(struct model *m, const char *repo);
/* Adds a manifest, unlocked, with no children, layers or subject. */
void fx_manifest(struct model *m, const char *repo, const char *label, const char *updated,
                 uint64_t size_bytes, enum media_kind media);
/* Adds a tag on manifest `label`; locked sets both deleteEnabled and writeEnabled false. */
void fx_tag(struct model *m, const char *repo, const char *tag, const char *label,
            const char *updated, bool locked);
/* Sets a tag's lock flags separately (call after fx_tag). */
void fx_tag_flags(struct model *m, const char *repo, const char *tag, bool delete_enabled,
                  bool write_enabled);
/* Sets a manifest's lock flags (call after fx_manifest). */
void fx_lock_manifest(struct model *m, const char *repo, const char *label, bool delete_enabled,
                      bool write_enabled);
/* Lists an index's children by label; the list ends with NULL. May be called repeatedly. */
void fx_children(struct model *m, const char *repo, const char *index, ...);
/* The body of `referrer` names `subject` (which need not exist in the repository). */
void fx_subject(struct model *m, const char *repo, const char *referrer, const char *subject);
/* Adds one blob (config or layer) to a manifest. */
void fx_layer(struct model *m, const char *repo, const char *label, const char *blob,
              uint64_t size_bytes);
/* Sorts and resolves; the model is complete afterwards. Returns m. */
struct model *fx_finish(struct model *m);

/* ---- values ---------------------------------------------------------------------------- */

/* The digest of a label. */
struct digest fx_digest(const char *label);
/* "sha256:<64 hex>" of a label, in one of 8 rotating static buffers. */
const char *fx_digest_str(const char *label);
/* Label of a digest when it is one (printable bytes then zeros), else its "sha256:..." text;
 * in one of 8 rotating static buffers. */
const char *fx_label(const struct digest *d);
/* An RFC 3339 instant as ns (fails the test when it does not parse). */
int64_t fx_ns(const char *rfc3339);
/* Index of a repository / a manifest / a tag in the finished model (fails when absent). */
uint32_t fx_repo_index(const struct model *m, const char *repo);
uint32_t fx_manifest_index(const struct model *m, const char *repo, const char *label);
uint32_t fx_tag_index(const struct model *m, const char *repo, const char *tag);

/* ---- running --------------------------------------------------------------------------- */

#define FX_STR_CAP 16384

struct fx_run {
    const struct model *m;
    struct purge_rule rule;
    struct purge_result res;
    char str[4][FX_STR_CAP];   /* buffers for the *_str helpers */
};

/* Parses `line` (must be PURGECMD_OK) for `version` and runs it at instant `now` (RFC 3339).
 * Free with fx_run_free(). */
void fx_run(struct fx_run *r, const struct model *m, enum acr_version version, const char *line,
            const char *now);
void fx_run_free(struct fx_run *r);

/* Convenience: current acr-cli. */
#define fx_run_cur(r, m, line, now) fx_run((r), (m), ACR_CLI_CURRENT, (line), (now))
#define fx_run_016(r, m, line, now) fx_run((r), (m), ACR_CLI_0_16, (line), (now))

/* ---- querying -------------------------------------------------------------------------- */

/* True when purge deleted the tag (a PEV_TAG event). */
bool fx_tag_deleted(const struct fx_run *r, const char *repo, const char *tag);
/* True when purge deleted the manifest (a PEV_MANIFEST event). */
bool fx_manifest_deleted(const struct fx_run *r, const char *repo, const char *label);
/* True when the registry deleted it as a referrer (a PEV_CASCADE event). */
bool fx_manifest_cascaded(const struct fx_run *r, const char *repo, const char *label);
/* Number of events of a kind. */
size_t fx_count(const struct fx_run *r, enum purge_event_kind kind);

/* Deleted tags in event order, "repo:tag" separated by single spaces ("" when none). */
const char *fx_tags_str(struct fx_run *r);
/* Manifests purge deleted in event order, "repo@label" separated by spaces. */
const char *fx_manifests_str(struct fx_run *r);
/* Referrers cascaded, "repo@label" separated by spaces. */
const char *fx_cascade_str(struct fx_run *r);
/* Every event in order, one word each, separated by spaces:
 *   tags(R) tag(R:T) manifests(R) unavailable(R@L) unreadable(R@L) nomedia(R@L) manifest(R@L)
 *   cascade(R@L) */
const char *fx_events_str(struct fx_run *r);

/* ---- history and replay helpers ---------------------------------------------------------- */

/* Sets a manifest's createdTime apart from its lastUpdateTime (fx_manifest makes them equal);
 * NULL = missing, unparseable text = unreadable. Call after fx_manifest, before fx_finish. */
void fx_created(struct model *m, const char *repo, const char *label, const char *created);
/* Sets the snapshot's exportedAt (RFC 3339; fails the test when it does not parse). */
void fx_exported_at(struct model *m, const char *rfc3339);
/* Writes `text` to a new temporary file and copies its path into path (>= 64 bytes); the
 * caller unlinks it. Fails the test when the file cannot be written. */
void fx_temp_file(const char *text, char *path, size_t len);

/* ---- files ---------------------------------------------------------------------------- */

/* Writes len bytes of text to a new file "PREFIX-XXXXXX.json" in $TMPDIR (or /tmp); returns its
 * path (the caller frees it and unlinks the file). Fails the current test on any error. */
char *fx_write_temp(const char *prefix, const char *text, size_t len);

#endif
