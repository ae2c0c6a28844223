/* forecast.c - the registry carried forward with synthesised pushes, and the forecast's
 * per-policy figures (forecast.h has the model). */
#include "forecast.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "prng.h"
#include "cron.h"
#include "diag.h"
#include "policy.h"
#include "pricing.h"
#include "timeu.h"

#define DAY TIMEU_NS_PER_DAY
#define SEC TIMEU_NS_PER_SEC
/* Poisson draws are split into pieces of at most this mean (Knuth's method stays exact). */
#define POISSON_PIECE 16.0
#define VERSION_MAX_PARTS 8
#define VERSION_MAX_DIGITS 18
#define TAG_NAME_CAP 256

/* domain constants keep the streams of one repository apart */
#define DOMAIN_RNG UINT64_C(0x524E4721)
#define DOMAIN_MANIFEST UINT64_C(0x4D414E49)
#define DOMAIN_BLOB UINT64_C(0x424C4F42)

void forecast_opts_default(struct forecast_opts *o)
{
    memset(o, 0, sizeof *o);
    o->days = FORECAST_DEFAULT_DAYS;
    o->seed = FORECAST_DEFAULT_SEED;
    o->lookback_days = FORECAST_DEFAULT_LOOKBACK_DAYS;
    o->deletes_per_second = FORECAST_DEFAULT_DELETES_PER_SECOND;
}

/* ---- deterministic randomness (integer arithmetic and IEEE + - * / only) ---------------- */

/* A hash of two words; for a fixed a it is a bijection of b (so counters never collide). */
static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * UINT64_C(0xD6E8FEB86659FD93));
    splitmix(&x);
    return splitmix(&x);
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = UINT64_C(0xCBF29CE484222325);   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001B3);
    }
    return h;
}

/* Uniform in [0, 1). */
static double rng_uniform(struct rng *g)
{
    return (double)(rng_next(g) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n) from one uniform draw u (n >= 1). */
static size_t pick(double u, size_t n)
{
    size_t k = (size_t)(u * (double)n);
    return k < n ? k : n - 1;
}

/* e^-x for 0 <= x <= POISSON_PIECE, without libm: halve until small, Taylor, square back. */
static double exp_neg(double x)
{
    int k = 0;
    while (x > 0.25) {
        x *= 0.5;
        k++;
    }
    double term = 1.0, sum = 1.0;
    for (int i = 1; i <= 18; i++) {
        term *= -x / (double)i;
        sum += term;
    }
    while (k-- > 0) sum *= sum;
    return sum;
}

/* A Poisson count with mean lambda (Knuth's product of uniforms, in pieces). */
static size_t poisson(struct rng *g, double lambda)
{
    size_t n = 0;
    while (lambda > 0) {
        double piece = lambda > POISSON_PIECE ? POISSON_PIECE : lambda;
        lambda -= piece;
        double limit = exp_neg(piece), p = 1.0;
        for (;;) {
            p *= rng_uniform(g);
            if (p <= limit) break;
            n++;
        }
    }
    return n;
}

static void digest_from(uint64_t h, struct digest *d)
{
    uint64_t w[4] = {h, mix(h, 1), mix(h, 2), mix(h, 3)};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++) d->b[i * 8 + b] = (uint8_t)(w[i] >> (8 * b));
}

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int weekday_of_day(int64_t day)
{
    int64_t w = (day + 4) % 7;   /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

int forecast_weekday(int64_t t_ns)
{
    return weekday_of_day(floor_div(t_ns, DAY));
}

struct version {
    uint64_t part[VERSION_MAX_PARTS];
    int n;
    bool v;
};

static bool version_parse(const char *s, struct version *out)
{
    const char *p = s;
    out->v = *p == 'v';
    if (out->v) p++;
    out->n = 0;
    for (;;) {
        if (*p < '0' || *p > '9' || out->n == VERSION_MAX_PARTS) return false;
        uint64_t x = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (++digits > VERSION_MAX_DIGITS) return false;
            x = x * 10 + (uint64_t)(*p++ - '0');
        }
        out->part[out->n++] = x;
        if (!*p) break;
        if (*p++ != '.') return false;
    }
    return out->n >= 2;
}

bool forecast_is_version(const char *tag)
{
    struct version v;
    return version_parse(tag, &v);
}

static int version_cmp(const struct version *a, const struct version *b)
{
    for (int i = 0; i < a->n && i < b->n; i++)
        if (a->part[i] != b->part[i]) return a->part[i] < b->part[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

static void version_format(const struct version *v, char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "%s", v->v ? "v" : "");
    for (int i = 0; i < v->n && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, i ? ".%llu" : "%llu", (unsigned long long)v->part[i]);
}

static const char *adup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* A push's time as the history sees it: createdTime, else lastUpdateTime; false if neither. */
static bool push_time(const struct manifest *mf, int64_t *t)
{
    if (mf->created_state == TIME_OK) *t = mf->created_ns;
    else if (mf->updated_state == TIME_OK) *t = mf->updated_ns;
    else return false;
    return true;
}

/* ---- one repository's plan ---------------------------------------------------------------- */

struct plan {
    double rate[7];
    uint32_t *pool;              /* recent top-level pushes (manifest indexes) */
    size_t n_pool;
    size_t n_versioned;          /* of which hold a versioned tag */
    double share;
    int64_t moving;              /* tag index, or -1 */
    bool have_version;
    struct version top;          /* the highest versioned tag */
    uint8_t *is_child;           /* per manifest: an index in the repository lists it */
};

static void plan_free(struct plan *pl)
{
    free(pl->pool);
    free(pl->is_child);
    memset(pl, 0, sizeof *pl);
}

static void plan_repo(const struct repo *rp, int64_t end, int lookback_days, struct plan *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->moving = -1;
    pl->is_child = xcalloc(rp->n_manifests + 1, 1);
    pl->pool = xmalloc((rp->n_manifests + 1) * sizeof *pl->pool);
    uint8_t *has_version = xcalloc(rp->n_manifests + 1, 1);
    for (size_t i = 0; i < rp->n_manifests; i++)
        for (uint32_t c = 0; c < rp->manifests[i].n_children; c++) pl->is_child[rp->manifests[i].children[c]] = 1;

    int64_t best_t = INT64_MIN;
    for (size_t t = 0; t < rp->n_tags; t++) {
        const struct tag *tg = &rp->tags[t];
        struct version v;
        if (version_parse(tg->name, &v)) {
            has_version[tg->manifest] = 1;
            if (!pl->have_version || version_cmp(&v, &pl->top) > 0) pl->top = v;
            pl->have_version = true;
        } else if (tg->write_enabled && tg->updated_state == TIME_OK && tg->updated_ns > best_t) {
            best_t = tg->updated_ns;   /* ties: the first by name */
            pl->moving = (int64_t)t;
        }
    }

    /* pushes per weekday over the lookback, and how many days of each weekday it holds */
    int64_t start = end - (int64_t)lookback_days * DAY;
    double count[7] = {0}, exposure[7] = {0};
    for (int64_t a = start; a < end;) {
        int64_t z = floor_div(a, DAY), b = (z + 1) * DAY < end ? (z + 1) * DAY : end;
        exposure[weekday_of_day(z)] += (double)(b - a) / (double)DAY;
        a = b;
    }
    for (size_t i = 0; i < rp->n_manifests; i++) {
        const struct manifest *mf = &rp->manifests[i];
        int64_t t;
        if (pl->is_child[i] || mf->has_subject || !push_time(mf, &t)) continue;
        if (t > end) t = end;
        if (t < start) continue;
        count[forecast_weekday(t)] += 1;
        pl->pool[pl->n_pool++] = (uint32_t)i;
        pl->n_versioned += has_version[i];
    }
    for (int w = 0; w < 7; w++) pl->rate[w] = exposure[w] > 0 ? count[w] / exposure[w] : 0;
    pl->share = pl->n_pool ? (double)pl->n_versioned / (double)pl->n_pool : 0;
    free(has_version);
}

struct syn {
    int64_t t_ns;
    uint32_t sample;             /* manifest index of the push it copies */
    uint32_t draw;               /* draw order within its day, for ties */
    bool versioned;
};

static int syn_cmp(const void *a, const void *b)
{
    const struct syn *x = a, *y = b;
    if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
    return (x->draw > y->draw) - (x->draw < y->draw);
}

/* Draws the repository's pushes over (start, end), day by day, in time order. Returns false
 * when the running total would pass limit. */
static bool draw_pushes(const struct plan *pl, struct rng *g, int64_t start, int64_t end, struct syn **out,
                        size_t *n, size_t *cap, size_t total, size_t limit)
{
    for (int64_t a = start; a < end;) {
        int64_t z = floor_div(a, DAY), b = (z + 1) * DAY < end ? (z + 1) * DAY : end;
        double lambda = pl->rate[weekday_of_day(z)] * (double)(b - a) / (double)DAY;
        size_t k = poisson(g, lambda), first = *n;
        /* whole seconds, strictly after the snapshot */
        int64_t lo = a == start ? (floor_div(start, SEC) + 1) * SEC : a;
        int64_t n_sec = lo < b ? (b - lo + SEC - 1) / SEC : 0;
        if (k > limit || total + *n > limit - k) return false;
        for (size_t j = 0; j < k; j++) {
            double u_time = rng_uniform(g), u_sample = rng_uniform(g), u_version = rng_uniform(g);
            if (n_sec <= 0 || !pl->n_pool) continue;
            xgrow((void **)out, cap, *n + 1, sizeof **out);
            struct syn *s = &(*out)[(*n)++];
            s->t_ns = lo + (int64_t)pick(u_time, (size_t)n_sec) * SEC;
            s->sample = pl->pool[pick(u_sample, pl->n_pool)];
            s->draw = (uint32_t)j;
            s->versioned = pl->have_version && u_version < pl->share;
        }
        if (*n - first > 1) qsort(*out + first, *n - first, sizeof **out, syn_cmp);
        a = b;
    }
    return true;
}

/* ---- building the extended model ----------------------------------------------------------- */

struct builder {
    struct model *nm;
    uint32_t *layers;            /* scratch for one synthetic manifest */
    size_t n_layers, cap_layers;
    size_t new_blobs;
};

/* A blob no manifest of the registry has, of the given size. */
static uint32_t fresh_blob(struct builder *b, uint64_t key, uint64_t size)
{
    for (uint64_t salt = 0;; salt++) {
        struct digest d;
        digest_from(salt ? mix(key, salt) : key, &d);
        size_t before = b->nm->n_blobs;
        uint32_t id = model_intern_blob(b->nm, &d, size);
        if (b->nm->n_blobs > before) {
            b->new_blobs++;
            return id;
        }
    }
}

/* Appends src's blobs to the scratch list, its top ceil(n/5) layers replaced by fresh ones. */
static void add_layers(struct builder *b, const struct manifest *src, uint64_t key, uint64_t *slot)
{
    uint32_t n = src->n_layers, fresh = (n + 4) / 5;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t id = src->layers[k];
        if (k >= n - fresh) id = fresh_blob(b, mix(key, (*slot)++), b->nm->blobs[id].size_bytes);
        xgrow((void **)&b->layers, &b->cap_layers, b->n_layers + 1, sizeof *b->layers);
        b->layers[b->n_layers++] = id;
    }
}

/* The synthetic manifest copying `sample` (an image, or an index flattened into one image). */
static void make_manifest(struct builder *b, const struct repo *rp, const struct manifest *sample, int64_t t,
                          uint64_t key, struct manifest *mf)
{
    memset(mf, 0, sizeof *mf);
    mf->created_ns = mf->updated_ns = t;
    mf->created_state = mf->updated_state = TIME_OK;
    mf->subject = MODEL_NO_MANIFEST;
    mf->delete_enabled = mf->write_enabled = true;
    mf->size_bytes = sample->size_bytes;
    mf->media = sample->media;
    mf->layers_known = sample->layers_known;
    b->n_layers = 0;
    uint64_t slot = 0;
    if (media_is_index(sample->media)) {
        mf->media = MEDIA_OCI_MANIFEST;
        mf->layers_known = true;
        for (uint32_t c = 0; c < sample->n_children; c++) {
            const struct manifest *ch = &rp->manifests[sample->children[c]];
            if (c == 0 && !media_is_index(ch->media) && ch->media != MEDIA_NONE) mf->media = ch->media;
            mf->size_bytes += ch->size_bytes;
            mf->layers_known = mf->layers_known && ch->layers_known;
            add_layers(b, ch, key, &slot);
        }
    } else {
        add_layers(b, sample, key, &slot);
    }
    if (b->n_layers) {
        uint32_t *ly = arena_alloc(&b->nm->arena, b->n_layers * sizeof *ly);
        memcpy(ly, b->layers, b->n_layers * sizeof *ly);
        mf->layers = ly;
        mf->n_layers = (uint32_t)b->n_layers;
    }
}

struct sort_item {
    struct digest d;
    uint32_t i;
};

static int sort_item_cmp(const void *a, const void *b)
{
    const struct sort_item *x = a, *y = b;
    int c = digest_cmp(&x->d, &y->d);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int tag_name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tag *)a)->name, ((const struct tag *)b)->name);
}

static void clamp(int64_t *t, uint8_t state, int64_t end)
{
    if (state == TIME_OK && *t > end) *t = end;
}

/* Copies repository rp of the export with its synthetic pushes into nr (in b->nm's arena). */
static void build_repo(struct builder *b, const struct repo *rp, const struct plan *pl, const struct syn *syn,
                       size_t n_syn, int64_t export_ns, uint64_t repo_key, struct repo *nr,
                       struct forecast_repo *fr)
{
    const int64_t end = export_ns;   /* times after the snapshot are clamped to it */
    struct arena *a = &b->nm->arena;
    size_t n_old = rp->n_manifests, n = n_old + n_syn;
    struct manifest *tmp = xmalloc((n + 1) * sizeof *tmp);
    for (size_t i = 0; i < n_old; i++) {
        struct manifest *mf = &tmp[i];
        *mf = rp->manifests[i];
        clamp(&mf->created_ns, mf->created_state, end);
        clamp(&mf->updated_ns, mf->updated_state, end);
        mf->created_raw = adup(a, mf->created_raw);
        mf->updated_raw = adup(a, mf->updated_raw);
    }
    uint64_t man_key = mix(repo_key, DOMAIN_MANIFEST), blob_key = mix(repo_key, DOMAIN_BLOB);
    for (size_t k = 0; k < n_syn; k++) {
        struct manifest *mf = &tmp[n_old + k];
        make_manifest(b, rp, &rp->manifests[syn[k].sample], syn[k].t_ns, mix(blob_key, k), mf);
        uint64_t h = mix(man_key, k);
        for (uint64_t salt = 1;; salt++) {
            digest_from(h, &mf->digest);
            if (model_find_manifest(rp, &mf->digest) == MODEL_NO_MANIFEST) break;
            h = mix(h, salt);   /* taken by a real manifest: practically never */
        }
    }

    /* sorted by digest; pos maps a manifest's place in tmp to its index in the repository */
    uint32_t *pos = xmalloc((n + 1) * sizeof *pos);
    struct manifest *mans = arena_alloc(a, n * sizeof *mans);
    if (n_syn) {
        struct sort_item *items = xmalloc((n + 1) * sizeof *items);
        for (size_t i = 0; i < n; i++) {
            items[i].d = tmp[i].digest;
            items[i].i = (uint32_t)i;
        }
        qsort(items, n, sizeof *items, sort_item_cmp);
        for (size_t k = 0; k < n; k++) {
            mans[k] = tmp[items[k].i];
            pos[items[k].i] = (uint32_t)k;
        }
        free(items);
    } else {
        for (size_t i = 0; i < n; i++) {
            mans[i] = tmp[i];
            pos[i] = (uint32_t)i;
        }
    }
    for (size_t k = 0; k < n; k++) {
        struct manifest *mf = &mans[k];
        if (mf->n_children) {
            uint32_t *ch = arena_alloc(a, mf->n_children * sizeof *ch);
            for (uint32_t c = 0; c < mf->n_children; c++) ch[c] = pos[mf->children[c]];
            mf->children = ch;
        }
        if (mf->subject != MODEL_NO_MANIFEST) mf->subject = pos[mf->subject];
    }
    /* layers of copied manifests: blob ids are the same in both models */
    for (size_t i = 0; i < n_old; i++) {
        struct manifest *mf = &mans[pos[i]];
        if (mf->n_layers) {
            uint32_t *ly = arena_alloc(a, mf->n_layers * sizeof *ly);
            memcpy(ly, rp->manifests[i].layers, mf->n_layers * sizeof *ly);
            mf->layers = ly;
        }
    }

    /* tags: the export's, the moving one moved to the newest push, new versioned ones */
    size_t n_ver = 0;
    for (size_t k = 0; k < n_syn; k++) n_ver += syn[k].versioned;
    size_t n_tags = rp->n_tags + n_ver;
    struct tag *tags = arena_alloc(a, n_tags * sizeof *tags);
    for (size_t t = 0; t < rp->n_tags; t++) {
        struct tag *tg = &tags[t];
        *tg = rp->tags[t];
        tg->name = adup(a, tg->name);
        tg->updated_raw = adup(a, tg->updated_raw);
        tg->manifest = pos[tg->manifest];
        clamp(&tg->updated_ns, tg->updated_state, end);
        if (tg->created_ns > end) tg->created_ns = end;
    }
    if (pl->moving >= 0) fr->moving_tag = tags[pl->moving].name;
    if (pl->moving >= 0 && n_syn) {
        struct tag *tg = &tags[pl->moving];
        /* the history keeps the tag where the export had it until the first synthetic push */
        b->nm->trail = xrealloc(b->nm->trail, (b->nm->n_trail + 1) * sizeof *b->nm->trail);
        b->nm->trail[b->nm->n_trail++] = (struct model_tag_trail){(uint32_t)(nr - b->nm->repos), *tg, syn[0].t_ns};
        tg->manifest = pos[n - 1];
        tg->updated_ns = syn[n_syn - 1].t_ns + 1;
        tg->updated_state = TIME_OK;
        tg->updated_raw = NULL;
    }
    struct version v = pl->top;
    size_t t = rp->n_tags;
    for (size_t k = 0; k < n_syn; k++) {
        if (!syn[k].versioned) continue;
        char name[TAG_NAME_CAP];
        v.part[v.n - 1]++;
        version_format(&v, name, sizeof name);
        struct tag *tg = &tags[t++];
        memset(tg, 0, sizeof *tg);
        tg->name = adup(a, name);
        tg->manifest = pos[n_old + k];
        tg->created_ns = tg->updated_ns = syn[k].t_ns;
        tg->updated_state = TIME_OK;
        tg->delete_enabled = tg->write_enabled = true;
    }
    if (pl->have_version) {
        char name[TAG_NAME_CAP];
        version_format(&v, name, sizeof name);
        fr->last_version = adup(a, name);
    }
    if (n_tags > 1 && n_ver) qsort(tags, n_tags, sizeof *tags, tag_name_cmp);

    nr->name = adup(a, rp->name);
    nr->manifests = mans;
    nr->n_manifests = n;
    nr->tags = tags;
    nr->n_tags = n_tags;
    fr->synthetic = n_syn;
    fr->versioned = n_ver;
    free(tmp);
    free(pos);
}

void forecast_info_free(struct forecast_info *info)
{
    if (!info) return;
    free(info->repos);
    memset(info, 0, sizeof *info);
}

int forecast_extend(const struct model *m, const struct forecast_opts *o, struct model **out,
                    struct forecast_info *info)
{
    if (!m->has_exported_at) return ERR_INPUT;
    if (o->days < 1 || o->days > FORECAST_MAX_DAYS || o->lookback_days < FORECAST_MIN_LOOKBACK_DAYS ||
        o->lookback_days > FORECAST_MAX_LOOKBACK_DAYS)
        return ERR_USAGE;
    /* N whole UTC days after the export's own (partial) day, so every day reported is whole; an
     * export at midnight starts its first day */
    int64_t start = m->exported_at_ns, first_day = (start / DAY) * DAY;
    if (first_day > start) first_day -= DAY;
    if (first_day < start) first_day += DAY;
    int64_t end = first_day + (int64_t)o->days * DAY;
    size_t limit = o->max_synthetic ? o->max_synthetic : FORECAST_MAX_SYNTHETIC;
    struct model *nm = model_new();
    nm->registry = adup(&nm->arena, m->registry);
    nm->sku = adup(&nm->arena, m->sku);
    nm->exported_at_ns = end;
    nm->has_exported_at = true;
    nm->observed_until_ns = start;
    nm->odd = m->odd;
    /* the export's blobs first, in order, so their ids stay the same */
    for (size_t id = 0; id < m->n_blobs; id++) {
        uint32_t nid = model_intern_blob(nm, &m->blobs[id].digest, m->blobs[id].size_bytes);
        assert(nid == id);   /* the export's blobs are distinct */
        (void)nid;
    }
    struct forecast_info fi;
    memset(&fi, 0, sizeof fi);
    fi.start_ns = start;
    fi.end_ns = end;
    fi.days = o->days;
    fi.lookback_days = o->lookback_days;
    fi.seed = o->seed;
    fi.n_repos = m->n_repos;
    fi.repos = xcalloc(m->n_repos + 1, sizeof *fi.repos);
    xgrow((void **)&nm->repos, &nm->cap_repos, m->n_repos + 1, sizeof *nm->repos);
    struct builder b = {nm, NULL, 0, 0, 0};
    struct syn *syn = NULL;
    size_t cap_syn = 0;
    int rc = PS_OK;
    for (size_t r = 0; r < m->n_repos && rc == PS_OK; r++) {
        const struct repo *rp = &m->repos[r];
        struct forecast_repo *fr = &fi.repos[r];
        struct plan pl;
        plan_repo(rp, start, o->lookback_days, &pl);
        memcpy(fr->rate, pl.rate, sizeof fr->rate);
        fr->observed_pushes = pl.n_pool;
        fr->versioned_share = pl.share;
        uint64_t repo_key = mix(o->seed, hash_name(rp->name));
        struct rng g;
        rng_seed(&g, mix(repo_key, DOMAIN_RNG));
        size_t n_syn = 0;
        if (!draw_pushes(&pl, &g, start, end, &syn, &n_syn, &cap_syn, fi.synthetic_manifests, limit)) {
            rc = ERR_LIMIT;
        } else {
            struct repo *nr = &nm->repos[nm->n_repos++];
            memset(nr, 0, sizeof *nr);
            build_repo(&b, rp, &pl, syn, n_syn, start, repo_key, nr, fr);
            fi.synthetic_manifests += n_syn;
            fi.versioned_tags += fr->versioned;
            nm->n_manifests += nr->n_manifests;
            nm->n_tags += nr->n_tags;
        }
        plan_free(&pl);
    }
    free(syn);
    free(b.layers);
    if (rc != PS_OK) {
        forecast_info_free(&fi);
        model_free(nm);
        return rc;
    }
    fi.synthetic_blobs = b.new_blobs;
    *out = nm;
    *info = fi;
    return PS_OK;
}

/* ---- figures ----------------------------------------------------------------------------- */

void forecast_first_run(const struct replay_result *rr, size_t policy, double deletes_per_second,
                        struct forecast_first_run *out)
{
    memset(out, 0, sizeof *out);
    const struct replay_policy *rp = &rr->pol[policy];
    const struct policy *p = rp->p;
    int64_t first = INT64_MAX;
    for (size_t k = 0; k < p->n_tasks; k++)
        for (size_t c = 0; c < p->tasks[k].n_crons; c++) {
            int64_t t = cron_next(&p->tasks[k].crons[c], rr->from_ns - 1);   /* at or after from */
            if (t < first) first = t;
        }
    if (first > rr->to_ns) first = INT64_MAX;
    out->t_ns = first;
    if (first == INT64_MAX) return;
    for (size_t k = 0; k < rp->n_del; k++) {
        const struct replay_deletion *d = &rp->del[k];
        if (d->t_ns != first) continue;
        if (d->kind == RDEL_TAG) out->tags++;
        else if (d->kind == RDEL_MANIFEST) out->manifests++;
        else if (d->kind == RDEL_CASCADE) out->cascades++;
    }
    size_t calls = out->tags + out->manifests;
    if (deletes_per_second > 0) {
        out->seconds = (double)calls / deletes_per_second;
        double cap = FORECAST_TASK_TIMEOUT_SECONDS * deletes_per_second;
        out->deletable_in_timeout = (double)calls <= cap ? calls : (size_t)cap;
    } else {
        out->deletable_in_timeout = calls;
    }
    out->too_long = out->seconds > FORECAST_TASK_TIMEOUT_SECONDS;
}

ptrdiff_t forecast_first_exceeding(const uint64_t *day_bytes, size_t n, double unit_bytes,
                                   double included_units)
{
    for (size_t d = 0; d < n; d++)
        if ((double)day_bytes[d] / unit_bytes > included_units) return (ptrdiff_t)d;
    return -1;
}

char *forecast_exceeding_text(ptrdiff_t day, int64_t first_day_ns, int days, char *buf, size_t len)
{
    if (day < 0) {
        snprintf(buf, len, "not within %d day%s", days, days == 1 ? "" : "s");
        return buf;
    }
    char date[24];
    timeu_format_date(first_day_ns + (int64_t)day * DAY, date, sizeof date);
    snprintf(buf, len, day == 0 ? "%s (already)" : "%s", date);
    return buf;
}

char *forecast_duration_text(double seconds, char *buf, size_t len)
{
    if (seconds < 120) snprintf(buf, len, "%.0f s", seconds);
    else if (seconds < 7200) snprintf(buf, len, "%.0f min", seconds / 60);
    else snprintf(buf, len, "%.1f h", seconds / 3600);
    return buf;
}

void forecast_row_text(const struct forecast_policy *p, int64_t first_day_ns, int days, const char *too_long_mark,
                       struct forecast_row_text *out)
{
    forecast_exceeding_text(p->quota_day, first_day_ns, days, out->exceeded, sizeof out->exceeded);
    snprintf(out->first_run, sizeof out->first_run, "none in the window");
    snprintf(out->deletions, sizeof out->deletions, "-");
    snprintf(out->duration, sizeof out->duration, "-");
    if (p->first_run.t_ns == INT64_MAX) return;
    timeu_format(p->first_run.t_ns, out->first_run, sizeof out->first_run);
    snprintf(out->deletions, sizeof out->deletions, "%zu", p->first_run.tags + p->first_run.manifests);
    char x[24];
    snprintf(out->duration, sizeof out->duration, "%s%s", forecast_duration_text(p->first_run.seconds, x, sizeof x),
             p->first_run.too_long ? too_long_mark : "");
}

int forecast_report_build(const struct replay_result *rr, const struct cost_result *c,
                          const struct forecast_info *info, const struct forecast_opts *o,
                          struct forecast_report *out)
{
    memset(out, 0, sizeof *out);
    out->rr = rr;
    out->cost = c;
    out->info = info;
    out->o = *o;
    out->n_pol = rr->n_pol;
    out->pol = xcalloc(rr->n_pol + 1, sizeof *out->pol);
    uint64_t *bytes = xcalloc(rr->n_days + 1, sizeof *bytes);
    for (size_t i = 0; i < rr->n_pol; i++) {
        const struct replay_policy *rp = &rr->pol[i];
        const struct cost_policy *cp = &c->pol[i];
        struct forecast_policy *fp = &out->pol[i];
        fp->stored_units = xcalloc(rr->n_days + 1, sizeof *fp->stored_units);
        for (size_t d = 0; d < rr->n_days; d++) {
            bytes[d] = cost_day_bytes(&rp->days[d], c->dedup);
            fp->stored_units[d] = (double)bytes[d] / c->unit_bytes;
        }
        fp->quota_day = forecast_first_exceeding(bytes, rr->n_days, c->unit_bytes, c->included_units);
        fp->quota_day_ns = fp->quota_day < 0 ? 0 : rp->days[fp->quota_day].day_ns;
        forecast_first_run(rr, i, o->deletes_per_second, &fp->first_run);
        out->n_too_long += fp->first_run.too_long;
        fp->per_month = cp->per_month + c->sku_fee_per_day * PRICING_DAYS_PER_MONTH;
        /* calendar months */
        size_t cap = 0;
        for (size_t d = 0; d < rr->n_days; d++) {
            int64_t y;
            unsigned mo, dd;
            timeu_civil_from_days(floor_div(rp->days[d].day_ns, DAY), &y, &mo, &dd);
            int64_t month_ns = timeu_days_from_civil(y, mo, 1) * DAY;
            if (!fp->n_months || fp->months[fp->n_months - 1].month_ns != month_ns) {
                xgrow((void **)&fp->months, &cap, fp->n_months + 1, sizeof *fp->months);
                memset(&fp->months[fp->n_months], 0, sizeof *fp->months);
                fp->months[fp->n_months++].month_ns = month_ns;
            }
            struct forecast_month *fm = &fp->months[fp->n_months - 1];
            fm->days++;
            fm->avg_units += fp->stored_units[d];
            fm->storage += cp->storage_cost[d];
            fm->sku_fee += c->sku_fee_per_day;
        }
        for (size_t k = 0; k < fp->n_months; k++) fp->months[k].avg_units /= (double)fp->months[k].days;
    }
    free(bytes);
    return PS_OK;
}

void forecast_report_free(struct forecast_report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_pol; i++) {
        free(r->pol[i].stored_units);
        free(r->pol[i].months);
    }
    free(r->pol);
    memset(r, 0, sizeof *r);
}
