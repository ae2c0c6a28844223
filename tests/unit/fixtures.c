/* fixtures.c - in-code registry models, purge runs and result queries for the unit tests. */
#include "fixtures.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "timeu.h"

/* ---- staging ------------------------------------------------------------------------- */

struct fx_sman {
    const char *label;
    struct manifest mf;
    const char **children;
    size_t n_children, cap_children;
    const char *subject;            /* label, or NULL */
    uint32_t *layers;
    size_t n_layers, cap_layers;
};

struct fx_stag {
    struct tag t;
    const char *label;              /* the manifest it points at */
};

struct fx_srepo {
    const char *name;
    struct fx_sman *mans;
    size_t n_mans, cap_mans;
    struct fx_stag *tags;
    size_t n_tags, cap_tags;
};

struct fx_stage {
    struct fx_srepo *repos;
    size_t n_repos, cap_repos;
};

/* Models being built, keyed by address. Only addresses are compared, so an entry left behind
 * by a test that failed mid-build is harmless: fx_model() overwrites an entry with the same
 * address, and the staging data itself lives in that model's arena. */
#define FX_SLOTS 8
static struct {
    const struct model *m;
    struct fx_stage *st;
} fx_slots[FX_SLOTS];
static size_t fx_next_slot;

static struct fx_stage *stage_of(const struct model *m)
{
    for (size_t i = 0; i < FX_SLOTS; i++)
        if (fx_slots[i].m == m && fx_slots[i].st) return fx_slots[i].st;
    fail_msg("fixtures: model %p is not being built (fx_model not called, or already finished)",
             (const void *)m);
    return NULL;
}

/* Grows an arena array to hold n + 1 elements (the old block stays in the arena). */
static void *agrow(struct arena *a, void *old, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return old;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, ncap * size);
    if (n) memcpy(p, old, n * size);
    *cap = ncap;
    return p;
}

static const char *astr(struct model *m, const char *s)
{
    return arena_strndup(&m->arena, s, strlen(s));
}

struct model *fx_model(const char *registry)
{
    struct model *m = model_new();
    m->registry = astr(m, registry ? registry : "myreg.azurecr.io");
    struct fx_stage *st = arena_alloc(&m->arena, sizeof *st);
    memset(st, 0, sizeof *st);
    size_t slot = FX_SLOTS;
    for (size_t i = 0; i < FX_SLOTS; i++)
        if (fx_slots[i].m == m || !fx_slots[i].st) {
            slot = i;
            break;
        }
    if (slot == FX_SLOTS) slot = fx_next_slot++ % FX_SLOTS;
    fx_slots[slot].m = m;
    fx_slots[slot].st = st;
    return m;
}

static struct fx_srepo *srepo(struct model *m, const char *name)
{
    struct fx_stage *st = stage_of(m);
    for (size_t i = 0; i < st->n_repos; i++)
        if (!strcmp(st->repos[i].name, name)) return &st->repos[i];
    st->repos = agrow(&m->arena, st->repos, st->n_repos, &st->cap_repos, sizeof *st->repos);
    struct fx_srepo *r = &st->repos[st->n_repos++];
    memset(r, 0, sizeof *r);
    r->name = astr(m, name);
    return r;
}

void fx_repo(struct model *m, const char *repo)
{
    (void)srepo(m, repo);
}

struct digest fx_digest(const char *label)
{
    struct digest d;
    size_t n = strlen(label);
    if (n == 71 && digest_parse(label, n, &d)) return d;
    if (n == 0 || n > sizeof d.b) fail_msg("fixtures: label \"%s\" must have 1..32 bytes", label);
    memset(d.b, 0, sizeof d.b);
    memcpy(d.b, label, n);
    return d;
}

#define FX_ROT 8
static char fx_rot[FX_ROT][80];
static size_t fx_rot_i;

static char *rot_buf(void)
{
    return fx_rot[fx_rot_i++ % FX_ROT];
}

const char *fx_digest_str(const char *label)
{
    struct digest d = fx_digest(label);
    char *b = rot_buf();
    return digest_format(&d, b, sizeof fx_rot[0]);
}

const char *fx_label(const struct digest *d)
{
    char *b = rot_buf();
    size_t n = sizeof d->b;
    while (n && d->b[n - 1] == 0) n--;
    bool printable = n > 0;
    for (size_t i = 0; i < n && printable; i++) printable = d->b[i] > 0x20 && d->b[i] < 0x7f;
    if (!printable) return digest_format(d, b, sizeof fx_rot[0]);
    memcpy(b, d->b, n);
    b[n] = '\0';
    return b;
}

int64_t fx_ns(const char *rfc3339)
{
    int64_t ns = 0;
    struct timeu_error err;
    if (!timeu_parse_rfc3339(rfc3339, strlen(rfc3339), &ns, &err))
        fail_msg("fixtures: bad instant \"%s\": %s", rfc3339, err.text);
    return ns;
}

/* Reads a time as ingest does: NULL = missing, unparseable = TIME_BAD with its raw text. */
static void read_time(struct model *m, const char *s, int64_t *ns, uint8_t *state, const char **raw,
                      const char *missing_raw)
{
    *ns = 0;
    if (!s) {
        *state = TIME_MISSING;
        *raw = missing_raw;
        return;
    }
    if (timeu_parse_rfc3339(s, strlen(s), ns, NULL)) {
        *state = TIME_OK;
        *raw = NULL;
        return;
    }
    *ns = 0;
    *state = TIME_BAD;
    *raw = astr(m, s);
}

static struct fx_sman *find_sman(struct fx_srepo *r, const char *label)
{
    for (size_t i = 0; i < r->n_mans; i++)
        if (!strcmp(r->mans[i].label, label)) return &r->mans[i];
    fail_msg("fixtures: no manifest \"%s\" in repository \"%s\"", label, r->name);
    return NULL;
}

static struct fx_stag *find_stag(struct fx_srepo *r, const char *tag)
{
    for (size_t i = 0; i < r->n_tags; i++)
        if (!strcmp(r->tags[i].t.name, tag)) return &r->tags[i];
    fail_msg("fixtures: no tag \"%s\" in repository \"%s\"", tag, r->name);
    return NULL;
}

void fx_manifest(struct model *m, const char *repo, const char *label, const char *updated,
                 uint64_t size_bytes, enum media_kind media)
{
    struct fx_srepo *r = srepo(m, repo);
    for (size_t i = 0; i < r->n_mans; i++)
        if (!strcmp(r->mans[i].label, label))
            fail_msg("fixtures: manifest \"%s\" added twice to \"%s\"", label, repo);
    struct digest d = fx_digest(label);
    r->mans = agrow(&m->arena, r->mans, r->n_mans, &r->cap_mans, sizeof *r->mans);
    struct fx_sman *s = &r->mans[r->n_mans++];
    memset(s, 0, sizeof *s);
    s->label = astr(m, label);
    s->mf.digest = d;
    s->mf.size_bytes = size_bytes;
    read_time(m, updated, &s->mf.updated_ns, &s->mf.updated_state, &s->mf.updated_raw, NULL);
    s->mf.created_ns = s->mf.updated_ns;
    s->mf.created_state = s->mf.updated_state;
    s->mf.created_raw = s->mf.updated_raw;
    s->mf.subject = MODEL_NO_MANIFEST;
    s->mf.delete_enabled = s->mf.write_enabled = true;
    s->mf.media = (uint8_t)media;
}

void fx_tag(struct model *m, const char *repo, const char *tag, const char *label,
            const char *updated, bool locked)
{
    struct fx_srepo *r = srepo(m, repo);
    for (size_t i = 0; i < r->n_tags; i++)
        if (!strcmp(r->tags[i].t.name, tag))
            fail_msg("fixtures: tag \"%s\" added twice to \"%s\"", tag, repo);
    r->tags = agrow(&m->arena, r->tags, r->n_tags, &r->cap_tags, sizeof *r->tags);
    struct fx_stag *s = &r->tags[r->n_tags++];
    memset(s, 0, sizeof *s);
    s->label = astr(m, label);
    s->t.name = astr(m, tag);
    read_time(m, updated, &s->t.updated_ns, &s->t.updated_state, &s->t.updated_raw, "");
    s->t.created_ns = s->t.updated_ns;
    s->t.delete_enabled = s->t.write_enabled = !locked;
}

void fx_tag_flags(struct model *m, const char *repo, const char *tag, bool delete_enabled,
                  bool write_enabled)
{
    struct fx_stag *s = find_stag(srepo(m, repo), tag);
    s->t.delete_enabled = delete_enabled;
    s->t.write_enabled = write_enabled;
}

void fx_lock_manifest(struct model *m, const char *repo, const char *label, bool delete_enabled,
                      bool write_enabled)
{
    struct fx_sman *s = find_sman(srepo(m, repo), label);
    s->mf.delete_enabled = delete_enabled;
    s->mf.write_enabled = write_enabled;
}

void fx_children(struct model *m, const char *repo, const char *index, ...)
{
    struct fx_sman *s = find_sman(srepo(m, repo), index);
    va_list ap;
    va_start(ap, index);
    const char *child;
    while ((child = va_arg(ap, const char *)) != NULL) {
        s->children = agrow(&m->arena, (void *)s->children, s->n_children, &s->cap_children,
                            sizeof *s->children);
        s->children[s->n_children++] = astr(m, child);
    }
    va_end(ap);
}

void fx_subject(struct model *m, const char *repo, const char *referrer, const char *subject)
{
    struct fx_sman *s = find_sman(srepo(m, repo), referrer);
    (void)fx_digest(subject);   /* checks the label */
    s->subject = astr(m, subject);
}

void fx_layer(struct model *m, const char *repo, const char *label, const char *blob,
              uint64_t size_bytes)
{
    struct fx_sman *s = find_sman(srepo(m, repo), label);
    struct digest d = fx_digest(blob);
    uint32_t id = model_intern_blob(m, &d, size_bytes);
    s->layers = agrow(&m->arena, s->layers, s->n_layers, &s->cap_layers, sizeof *s->layers);
    s->layers[s->n_layers++] = id;
}

static int srepo_cmp(const void *a, const void *b)
{
    return strcmp(((const struct fx_srepo *)a)->name, ((const struct fx_srepo *)b)->name);
}

static int sman_cmp(const void *a, const void *b)
{
    return digest_cmp(&((const struct fx_sman *)a)->mf.digest,
                      &((const struct fx_sman *)b)->mf.digest);
}

static int stag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct fx_stag *)a)->t.name, ((const struct fx_stag *)b)->t.name);
}

static uint32_t index_in(const struct repo *rp, const char *label)
{
    struct digest d = fx_digest(label);
    return model_find_manifest(rp, &d);
}

struct model *fx_finish(struct model *m)
{
    struct fx_stage *st = stage_of(m);
    if (st->n_repos > 1) qsort(st->repos, st->n_repos, sizeof *st->repos, srepo_cmp);
    xgrow((void **)&m->repos, &m->cap_repos, st->n_repos, sizeof *m->repos);
    m->n_repos = 0;
    m->n_manifests = m->n_tags = 0;
    for (size_t ri = 0; ri < st->n_repos; ri++) {
        struct fx_srepo *sr = &st->repos[ri];
        struct repo *rp = &m->repos[m->n_repos++];
        memset(rp, 0, sizeof *rp);
        rp->name = sr->name;
        if (ri && !strcmp(st->repos[ri - 1].name, sr->name))
            fail_msg("fixtures: repository \"%s\" twice", sr->name);

        if (sr->n_mans > 1) qsort(sr->mans, sr->n_mans, sizeof *sr->mans, sman_cmp);
        for (size_t i = 1; i < sr->n_mans; i++)
            if (!digest_cmp(&sr->mans[i - 1].mf.digest, &sr->mans[i].mf.digest))
                fail_msg("fixtures: two manifests with digest %s in \"%s\"",
                         fx_label(&sr->mans[i].mf.digest), sr->name);
        rp->manifests = arena_alloc(&m->arena, sr->n_mans * sizeof *rp->manifests);
        rp->n_manifests = sr->n_mans;
        for (size_t i = 0; i < sr->n_mans; i++) rp->manifests[i] = sr->mans[i].mf;
        for (size_t i = 0; i < sr->n_mans; i++) {
            const struct fx_sman *s = &sr->mans[i];
            struct manifest *mf = &rp->manifests[i];
            if (s->n_children) {
                uint32_t *ch = arena_alloc(&m->arena, s->n_children * sizeof *ch);
                for (size_t c = 0; c < s->n_children; c++) {
                    ch[c] = index_in(rp, s->children[c]);
                    if (ch[c] == MODEL_NO_MANIFEST)
                        fail_msg("fixtures: child \"%s\" of \"%s\" not in \"%s\"", s->children[c],
                                 s->label, sr->name);
                }
                mf->children = ch;
                mf->n_children = (uint32_t)s->n_children;
            }
            if (s->subject) {
                mf->has_subject = true;
                mf->subject = index_in(rp, s->subject);
            }
            if (s->n_layers) {
                uint32_t *ly = arena_alloc(&m->arena, s->n_layers * sizeof *ly);
                memcpy(ly, s->layers, s->n_layers * sizeof *ly);
                mf->layers = ly;
                mf->n_layers = (uint32_t)s->n_layers;
                mf->layers_known = true;
            }
        }

        if (sr->n_tags > 1) qsort(sr->tags, sr->n_tags, sizeof *sr->tags, stag_cmp);
        rp->tags = arena_alloc(&m->arena, sr->n_tags * sizeof *rp->tags);
        rp->n_tags = sr->n_tags;
        for (size_t i = 0; i < sr->n_tags; i++) {
            rp->tags[i] = sr->tags[i].t;
            rp->tags[i].manifest = index_in(rp, sr->tags[i].label);
            if (rp->tags[i].manifest == MODEL_NO_MANIFEST)
                fail_msg("fixtures: tag \"%s\" points at \"%s\", not in \"%s\"", rp->tags[i].name,
                         sr->tags[i].label, sr->name);
        }
        m->n_manifests += rp->n_manifests;
        m->n_tags += rp->n_tags;
    }
    for (size_t i = 0; i < FX_SLOTS; i++)
        if (fx_slots[i].m == m) {
            fx_slots[i].m = NULL;
            fx_slots[i].st = NULL;
        }
    return m;
}

uint32_t fx_repo_index(const struct model *m, const char *repo)
{
    const struct repo *rp = model_find_repo(m, repo);
    if (!rp) fail_msg("fixtures: no repository \"%s\"", repo);
    return (uint32_t)(rp - m->repos);
}

uint32_t fx_manifest_index(const struct model *m, const char *repo, const char *label)
{
    const struct repo *rp = &m->repos[fx_repo_index(m, repo)];
    uint32_t i = index_in(rp, label);
    if (i == MODEL_NO_MANIFEST) fail_msg("fixtures: no manifest \"%s\" in \"%s\"", label, repo);
    return i;
}

uint32_t fx_tag_index(const struct model *m, const char *repo, const char *tag)
{
    const struct repo *rp = &m->repos[fx_repo_index(m, repo)];
    for (size_t i = 0; i < rp->n_tags; i++)
        if (!strcmp(rp->tags[i].name, tag)) return (uint32_t)i;
    fail_msg("fixtures: no tag \"%s\" in \"%s\"", tag, repo);
    return 0;
}

/* ---- running ----------------------------------------------------------------------------- */

void fx_run(struct fx_run *r, const struct model *m, enum acr_version version, const char *line,
            const char *now)
{
    struct purgecmd_opts opts = {version, 2};
    char err[512] = "";
    memset(r, 0, sizeof *r);
    r->m = m;
    enum purgecmd_status st = purge_rule_parse_line(line, &opts, &r->rule, err, sizeof err);
    if (st != PURGECMD_OK) {
        purge_rule_free(&r->rule);
        fail_msg("fixtures: rule \"%s\" does not parse (status %d): %s", line, (int)st, err);
    }
    int rc = purge_run(m, &r->rule, fx_ns(now), &r->res);
    if (rc != 0) fail_msg("fixtures: purge_run returned %d", rc);
}

void fx_run_free(struct fx_run *r)
{
    purge_result_free(&r->res);
    purge_rule_free(&r->rule);
}

/* ---- querying ---------------------------------------------------------------------------- */

static bool has_event(const struct fx_run *r, enum purge_event_kind kind, uint32_t repo,
                      uint32_t item)
{
    for (size_t i = 0; i < r->res.n_ev; i++) {
        const struct purge_event *e = &r->res.ev[i];
        if (e->kind == kind && e->repo == repo && e->item == item) return true;
    }
    return false;
}

bool fx_tag_deleted(const struct fx_run *r, const char *repo, const char *tag)
{
    return has_event(r, PEV_TAG, fx_repo_index(r->m, repo), fx_tag_index(r->m, repo, tag));
}

bool fx_manifest_deleted(const struct fx_run *r, const char *repo, const char *label)
{
    return has_event(r, PEV_MANIFEST, fx_repo_index(r->m, repo),
                     fx_manifest_index(r->m, repo, label));
}

bool fx_manifest_cascaded(const struct fx_run *r, const char *repo, const char *label)
{
    return has_event(r, PEV_CASCADE, fx_repo_index(r->m, repo),
                     fx_manifest_index(r->m, repo, label));
}

size_t fx_count(const struct fx_run *r, enum purge_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->res.n_ev; i++) n += r->res.ev[i].kind == kind;
    return n;
}

/* Appends one word for event e to buf (space-separated). */
static void put_event(char *buf, const struct model *m, const struct purge_event *e, bool with_kind)
{
    static const char *const names[] = {
        [PEV_TAGS_HEADER] = "tags",          [PEV_TAG] = "tag",
        [PEV_MANIFESTS_HEADER] = "manifests", [PEV_PROTECT_UNAVAILABLE] = "unavailable",
        [PEV_PROTECT_UNREADABLE] = "unreadable", [PEV_NO_MEDIA] = "nomedia",
        [PEV_MANIFEST] = "manifest",          [PEV_CASCADE] = "cascade",
    };
    if (e->repo >= m->n_repos) fail_msg("fixtures: event with repo %u out of range", e->repo);
    const struct repo *rp = &m->repos[e->repo];
    char word[512];
    switch (e->kind) {
    case PEV_TAGS_HEADER:
    case PEV_MANIFESTS_HEADER:
        snprintf(word, sizeof word, "%s(%s)", names[e->kind], rp->name);
        break;
    case PEV_TAG:
        if (e->item >= rp->n_tags) fail_msg("fixtures: tag event item %u out of range", e->item);
        if (with_kind) snprintf(word, sizeof word, "tag(%s:%s)", rp->name, rp->tags[e->item].name);
        else snprintf(word, sizeof word, "%s:%s", rp->name, rp->tags[e->item].name);
        break;
    default:
        if (e->kind > PEV_CASCADE) fail_msg("fixtures: unknown event kind %u", e->kind);
        if (e->item >= rp->n_manifests)
            fail_msg("fixtures: manifest event item %u out of range", e->item);
        if (with_kind)
            snprintf(word, sizeof word, "%s(%s@%s)", names[e->kind], rp->name,
                     fx_label(&rp->manifests[e->item].digest));
        else
            snprintf(word, sizeof word, "%s@%s", rp->name, fx_label(&rp->manifests[e->item].digest));
        break;
    }
    size_t len = strlen(buf), wl = strlen(word);
    if (len + wl + 2 > FX_STR_CAP) fail_msg("fixtures: result string longer than %d", FX_STR_CAP);
    if (len) buf[len++] = ' ';
    memcpy(buf + len, word, wl + 1);
}

static const char *events_of(struct fx_run *r, int slot, int kind, bool with_kind)
{
    char *buf = r->str[slot];
    buf[0] = '\0';
    for (size_t i = 0; i < r->res.n_ev; i++)
        if (kind < 0 || r->res.ev[i].kind == kind) put_event(buf, r->m, &r->res.ev[i], with_kind);
    return buf;
}

const char *fx_tags_str(struct fx_run *r)
{
    return events_of(r, 0, PEV_TAG, false);
}

const char *fx_manifests_str(struct fx_run *r)
{
    return events_of(r, 1, PEV_MANIFEST, false);
}

const char *fx_cascade_str(struct fx_run *r)
{
    return events_of(r, 2, PEV_CASCADE, false);
}

const char *fx_events_str(struct fx_run *r)
{
    return events_of(r, 3, -1, true);
}

/* ---- history and replay helpers ------------------------------------------------------------ */

void fx_created(struct model *m, const char *repo, const char *label, const char *created)
{
    struct fx_sman *s = find_sman(srepo(m, repo), label);
    read_time(m, created, &s->mf.created_ns, &s->mf.created_state, &s->mf.created_raw, NULL);
}

void fx_exported_at(struct model *m, const char *rfc3339)
{
    m->exported_at_ns = fx_ns(rfc3339);
    m->has_exported_at = true;
}

void fx_temp_file(const char *text, char *path, size_t len)
{
    char tmpl[] = "/tmp/purgesim-unit-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) fail_msg("fixtures: mkstemp failed");
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlink(tmpl);
        fail_msg("fixtures: fdopen failed");
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, fp) == n;
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        unlink(tmpl);
        fail_msg("fixtures: cannot write %s", tmpl);
    }
    snprintf(path, len, "%s", tmpl);
}

char *fx_write_temp(const char *prefix, const char *text, size_t len)
{
    const char *dir = getenv("TMPDIR");
    size_t n = strlen(dir ? dir : "/tmp") + strlen(prefix) + 32;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s-XXXXXX.json", dir ? dir : "/tmp", prefix);
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    return path;
}
