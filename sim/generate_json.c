/* generate_json.c - the generator's output: the bundle's JSON (data/EXPORT-FORMAT.md v1) written
 * through one buffer, the top-level structure indented and each manifest and tag object compact
 * on one line, and the counts of what was written (struct generate_stats). A repository is
 * listed as az lists it: manifests by digest, tags by name. Numbers, times and digests are
 * formatted by hand: they are most of the bytes of a bundle of millions of manifests. */
#include "generate_internal.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define OUT_CAP ((size_t)1 << 18)

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

static const char *const ARCH_NAME[] = {"amd64", "arm64", "arm"};

/* ---- buffered output ----------------------------------------------------------------- */

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

/* ---- manifests and tags -------------------------------------------------------------- */

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

/* ---- one repository ------------------------------------------------------------------- */

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

/* Puts g's repository in the order az lists it, ready to be written. */
static void sort_as_listed(struct gen *g)
{
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
}

void gen_write_repo(struct gen *g, const struct rstate *rs, const struct plan *pl, bool first)
{
    sort_as_listed(g);
    struct out *o = &g->out;
    out_str(o, first ? "\n    {\n      \"name\": " : ",\n    {\n      \"name\": ");
    out_jstr(o, pl->name);
    OUT_LIT(o, ",\n      \"manifests\": [");
    for (size_t i = 0; i < g->n_man; i++) {
        const struct gm *m = &g->man[g->order[i].idx];
        out_str(o, i ? ",\n" : "\n");
        emit_manifest(g, rs, m);
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

/* ---- the document ----------------------------------------------------------------------- */

void gen_out_open(struct out *o, FILE *fp)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->buf = xmalloc(OUT_CAP);
    o->cached_day = INT64_MIN;
}

void gen_write_head(struct out *out, const struct generate_opts *o, const char *sku)
{
    char at[40];
    timeu_format(o->exported_at_ns, at, sizeof at);
    OUT_LIT(out, "{\n  \"registry\": ");
    out_jstr(out, o->registry ? o->registry : "synth.azurecr.io");
    OUT_LIT(out, ",\n  \"exportedAt\": ");
    out_jstr(out, at);
    OUT_LIT(out, ",\n  \"sku\": ");
    out_jstr(out, sku);
    OUT_LIT(out, ",\n  \"generator\": {\"tool\": \"purgesim generate\", \"model\": 1, \"scale\": ");
    out_jstr(out, generate_scale_name(o->scale));
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
}

bool gen_write_end(struct out *out, bool any_repos)
{
    out_str(out, any_repos ? "\n  ]\n}\n" : "]\n}\n");
    out_flush(out);
    if (fflush(out->fp) != 0 || ferror(out->fp)) out->failed = true;
    free(out->buf);
    out->buf = NULL;
    return !out->failed;
}
