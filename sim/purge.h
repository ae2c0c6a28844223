/* purge.h - one `acr purge` run at one instant against the model: which tags and manifests it
 * deletes and what its dry run prints (sim/RULES.md §4-5). Pure: it reads the
 * model and the rule and writes only the result. The single place where selection rules live.
 * Ownership: purge_run() fills a result the caller frees with purge_result_free(). */
#ifndef PURGESIM_PURGE_H
#define PURGESIM_PURGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "purgecmd.h"

/* A manifest's lastUpdateTime over time, as a caller that replays a history knows it: `later`
 * from the instant `later` itself, `before` until then (the same value in both when it never
 * changes). */
struct purge_upd_pair {
    int64_t later, before;
};

/* The lastUpdateTime a pair gives at instant t. */
static inline int64_t purge_upd_pair_at(const struct purge_upd_pair *p, int64_t t)
{
    return p->later <= t ? p->later : p->before;
}

/* One repository as the run sees it. The dry run sees the snapshot as it is; the replay sees
 * the state at the run's instant: which manifests are there, their lastUpdateTime then, and
 * the tags then. */
struct purge_view {
    const struct repo *repo;          /* name and manifests (static facts; repo->tags unused) */
    const uint8_t *present;           /* per manifest: nonzero = in the registry; NULL = all */
    const int64_t *updated_ns;        /* per manifest lastUpdateTime; NULL = upd_pair's, or
                                         without it the model's */
    const struct purge_upd_pair *upd_pair;   /* per manifest: lastUpdateTime at upd_at_ns (one
                                         record a caller keeps for every run, rather than a
                                         copy it writes for each) */
    int64_t upd_at_ns;
    const uint8_t *locks;             /* per manifest: bit 0 deleteEnabled, bit 1 writeEnabled;
                                         NULL = the model's (a replay whose locks change) */
    const struct tag *tags;           /* the tags now, in any order (the engine orders them by
                                         time, then name); .manifest indexes repo */
    size_t n_tags;
    const uint32_t *present_list;     /* the present manifests' indexes, ascending; with it the
                                         run costs what is present, not all ever pushed */
    size_t n_present;
    const uint8_t *brief;             /* per manifest: purge_manifest_brief(), kept by a caller
                                         that runs often; NULL = read from the manifests */
    const uint32_t *child_start;      /* per manifest: its children (indexes into repo->manifests)
                                         are child[child_start[i] .. child_start[i + 1]), one
                                         packed list a caller keeps; NULL = the manifests' own */
    const uint32_t *child;
    const uint32_t *subject;          /* per manifest: its subject's index, MODEL_NO_MANIFEST for
                                         none (for the registry's cascade); NULL = read from the
                                         manifests */
    bool name_printable;              /* the caller knows repo->name is printable ASCII
                                         (purge_name_printable); false = the engine checks */
};

/* What the listing pass of a run reads of a manifest, in one byte: it looks at every present
 * manifest, and a caller that keeps these reads a byte each rather than the manifest's record
 * (two cache lines). */
enum {
    PURGE_BRIEF_REFERRER = 1u,        /* has a subject in its repository */
    PURGE_BRIEF_INDEX = 2u,           /* an index or manifest list */
    PURGE_BRIEF_LOCKED = 4u,          /* deleteEnabled or writeEnabled off, in the model */
    PURGE_BRIEF_UPD_MISSING = 8u,     /* lastUpdateTime missing */
    PURGE_BRIEF_UPD_BAD = 16u,        /* lastUpdateTime unreadable */
    PURGE_BRIEF_LISTS_CHILDREN = 32u, /* acr-cli reads its body when it is protected */
    PURGE_BRIEF_SUBJECT_INDEX = 64u,  /* an OCI index with a subject and children */
    PURGE_BRIEF_NOT_LISTED = 128u,    /* never in the deletion list even when a candidate (a
                                         referrer, an OCI index with a subject and no children)
                                         or only with a note (no mediaType) */
};
uint8_t purge_manifest_brief(const struct manifest *mf);
/* Whether a repository name is printable ASCII, which the filter ".*" matches whole without
 * asking PCRE2 (a name with a line break or other control byte it would not). */
bool purge_name_printable(const char *name);

/* A tag or manifest of one view with the key the engine orders it by. */
struct purge_keyed {
    int64_t key;
    uint32_t index, pad;
};

/* Working memory a caller that runs often can keep between runs (zeroed; grown as needed). */
struct purge_scratch {
    uint32_t *tags_left, *stack, *list, *touched, *cands, *refs, *idxs;
    uint8_t *prot, *cand, *del;
    size_t cap;
    struct purge_keyed *keyed, *keyed_tmp;     /* one view's tags or manifests with their
                                                  sort keys, and room to merge them */
    size_t cap_keyed;
    uint32_t *tag_order;       /* per tag of one view: the tag phase's order */
    bool *tag_deleted;         /* per tag of one view; all false between views */
    size_t cap_tags;
};
void purge_scratch_free(struct purge_scratch *s);

/* What the run did, in the order the dry run prints it. */
enum purge_event_kind {
    PEV_TAGS_HEADER,          /* "Would delete tags for repository: R" */
    PEV_TAG,                  /* tag deleted (item = tag index) */
    PEV_MANIFESTS_HEADER,     /* "Would delete manifests for repository: R" */
    PEV_PROTECT_UNAVAILABLE,  /* "Protecting manifest D because the last update time is unavailable" */
    PEV_PROTECT_UNREADABLE,   /* "... because the last update time cannot be read" */
    PEV_NO_MEDIA,             /* "Manifest D has no media type, skipping deletion" */
    PEV_MANIFEST,             /* manifest deleted by purge (item = manifest index) */
    PEV_CASCADE,              /* referrer deleted by the registry with its subject (not printed) */
};

struct purge_event {
    uint8_t kind;             /* enum purge_event_kind */
    uint32_t repo;            /* index into the views (purge_run: into model->repos) */
    uint32_t item;            /* index into the view's tags, or manifest index in the repository */
};

/* Surprises worth a warning in the human formats. */
struct purge_notes {
    size_t repos_keep_twice;          /* repositories where --keep spared manifests again */
    size_t indexes_with_deleted_children;   /* surviving indexes that lose children */
    size_t locked_indexes_unprotecting;     /* locked indexes whose children were deleted */
    bool no_repo_matched;             /* filters matched no repository */
};

struct purge_result {
    struct purge_event *ev;
    size_t n_ev, cap_ev;
    size_t tags_counted;      /* "Number of tags to be deleted" */
    size_t manifests_counted; /* "Number of manifests to be deleted" */
    bool failed;              /* the run stopped with an error */
    bool failed_before_banner;/* ... while matching repositories: nothing printed */
    char error[1024];         /* text after "Failed to complete purge: " (no trailing space) */
    struct purge_notes notes;
};

/* The --ago cutoff of a run at now_ns: now - ago (sim/RULES.md, "cutoff"), saturated at the
 * int64 ends rather than wrapped, so a huge --ago puts it at the beginning of time and a
 * negative one (acr-cli's wrapped day count) at its end. The one place it is computed: the
 * engine compares times with it (the two predicates below) and the replay's run skipping
 * (replay_skip.c) needs the very same value to know which times lie between two runs' cutoffs. */
static inline int64_t purge_cutoff_ns(int64_t now_ns, int64_t ago_ns)
{
    int64_t r;
    if (__builtin_sub_overflow(now_ns, ago_ns, &r)) return ago_ns > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

/* A tag is old enough when its lastUpdateTime is strictly before the cutoff (RULES.md §4.2). */
static inline bool purge_tag_old_enough(int64_t updated_ns, int64_t cutoff_ns)
{
    return updated_ns < cutoff_ns;
}

/* A manifest is old enough when its lastUpdateTime is not after the cutoff: exactly at it is
 * old enough (RULES.md §4.5, §4.12). */
static inline bool purge_manifest_old_enough(int64_t updated_ns, int64_t cutoff_ns)
{
    return updated_ns <= cutoff_ns;
}

/* Runs `rule` at instant now_ns over views sorted by repository name. Returns PS_OK (a failed
 * run is still PS_OK with result->failed set, as it is data about the run). With
 * rule->deletes_nothing the result keeps its headers, protection lines and failure but no
 * PEV_TAG, PEV_MANIFEST or PEV_CASCADE event, and both counts are 0. */
int purge_run_views(const struct purge_view *views, size_t n_views, const struct purge_rule *rule,
                    int64_t now_ns, struct purge_result *out);
/* The same with the caller's scratch (NULL: a temporary one). */
int purge_run_views_scratch(const struct purge_view *views, size_t n_views, const struct purge_rule *rule,
                            int64_t now_ns, struct purge_scratch *scratch, struct purge_result *out);
/* The same over a whole snapshot, as it is. */
int purge_run(const struct model *m, const struct purge_rule *rule, int64_t now_ns,
              struct purge_result *out);
void purge_result_free(struct purge_result *r);

#endif
