/* model.c - registry model: digests, blob interning, lookups. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct model *model_new(void)
{
    struct model *m = xcalloc(1, sizeof *m);
    return m;
}

void model_free(struct model *m)
{
    if (!m) return;
    free(m->repos);
    free(m->blobs);
    free(m->blob_slots);
    free(m->trail);
    arena_free_all(&m->arena);
    free(m);
}

#ifndef __SSE2__
/* hex digit value plus one; 0 for anything that is not a hex digit */
static const unsigned char HEX1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
    ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};
#endif

#ifdef __SSE2__
/* 16 hex digits -> their 8 bytes, one per 16-bit lane; false when one is not a hex digit. */
static bool hex16(const unsigned char *h, __m128i *out)
{
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)h);
    /* unsigned "x <= k" is min(x, k) == x; bytes below '0' or 'a' wrap to large values */
    __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
    __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    /* or-ing 0x20 lowers 'A'-'F' and makes no other byte a letter a-f */
    __m128i l = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
    if (_mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)) != 0xFFFF) return false;
    __m128i v = _mm_or_si128(_mm_and_si128(is_digit, d),
                             _mm_and_si128(is_letter, _mm_add_epi8(l, _mm_set1_epi8(10))));
    /* the even byte of each pair is the high nibble */
    *out = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0xFF)), 4), _mm_srli_epi16(v, 8));
    return true;
}
#endif

/* Every digest of an export passes here (about eight per manifest), so on x86-64 the 64 hex
 * digits are decoded 16 at a time: a third of the instructions of the byte loop. */
bool digest_parse(const char *s, size_t n, struct digest *out)
{
    if (n != 7 + 64 || memcmp(s, "sha256:", 7) != 0) return false;
    const unsigned char *h = (const unsigned char *)s + 7;
    struct digest d;
#ifdef __SSE2__
    __m128i a, b, c, e;
    if (!hex16(h, &a) || !hex16(h + 16, &b) || !hex16(h + 32, &c) || !hex16(h + 48, &e)) return false;
    _mm_storeu_si128((__m128i *)(void *)d.b, _mm_packus_epi16(a, b));
    _mm_storeu_si128((__m128i *)(void *)(d.b + 16), _mm_packus_epi16(c, e));
#else
    for (size_t i = 0; i < 32; i++) {
        unsigned hi = HEX1[h[2 * i]], lo = HEX1[h[2 * i + 1]];
        if (!hi || !lo) return false;
        d.b[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
#endif
    *out = d;
    return true;
}

char *digest_format(const struct digest *d, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (len < 72) {
        if (len) buf[0] = '\0';
        return buf;
    }
    memcpy(buf, "sha256:", 7);
    for (size_t i = 0; i < 32; i++) {
        buf[7 + 2 * i] = hex[d->b[i] >> 4];
        buf[8 + 2 * i] = hex[d->b[i] & 15];
    }
    buf[71] = '\0';
    return buf;
}

int digest_cmp(const struct digest *a, const struct digest *b)
{
    return memcmp(a->b, b->b, sizeof a->b);
}

enum media_kind media_classify(const char *mt)
{
    if (!mt) return MEDIA_NONE;
    if (!strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json")) return MEDIA_DOCKER_V2;
    if (!strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"))
        return MEDIA_DOCKER_LIST;
    if (!strcmp(mt, "application/vnd.oci.image.manifest.v1+json")) return MEDIA_OCI_MANIFEST;
    if (!strcmp(mt, "application/vnd.oci.image.index.v1+json")) return MEDIA_OCI_INDEX;
    if (!strcmp(mt, "application/vnd.oci.artifact.manifest.v1+json")) return MEDIA_OCI_ARTIFACT;
    return MEDIA_OTHER;
}

static uint64_t digest_hash(const struct digest *d)
{
    uint64_t h;
    memcpy(&h, d->b, sizeof h);   /* digests are already uniformly distributed */
    return h;
}

static void blob_table_grow(struct model *m)
{
    size_t n = m->n_blob_slots ? m->n_blob_slots * 2 : 1024;
    uint32_t *slots = xcalloc(n, sizeof *slots);
    for (size_t id = 0; id < m->n_blobs; id++) {
        size_t i = (size_t)digest_hash(&m->blobs[id].digest) & (n - 1);
        while (slots[i]) i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)id + 1;
    }
    free(m->blob_slots);
    m->blob_slots = slots;
    m->n_blob_slots = n;
}

void model_intern_prefetch(const struct model *m, const struct digest *d)
{
    if (m->n_blob_slots) __builtin_prefetch(&m->blob_slots[(size_t)digest_hash(d) & (m->n_blob_slots - 1)]);
}

uint32_t model_intern_blob(struct model *m, const struct digest *d, uint64_t size_bytes)
{
    if ((m->n_blobs + 1) * 2 > m->n_blob_slots) blob_table_grow(m);
    size_t mask = m->n_blob_slots - 1;
    size_t i = (size_t)digest_hash(d) & mask;
    while (m->blob_slots[i]) {
        uint32_t id = m->blob_slots[i] - 1;
        if (!digest_cmp(&m->blobs[id].digest, d)) return id;
        i = (i + 1) & mask;
    }
    xgrow((void **)&m->blobs, &m->cap_blobs, m->n_blobs + 1, sizeof *m->blobs);
    uint32_t id = (uint32_t)m->n_blobs++;
    m->blobs[id].digest = *d;
    m->blobs[id].size_bytes = size_bytes;
    m->blob_slots[i] = id + 1;
    return id;
}

uint32_t model_find_manifest(const struct repo *r, const struct digest *d)
{
    size_t lo = 0, hi = r->n_manifests;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = digest_cmp(&r->manifests[mid].digest, d);
        if (c == 0) return (uint32_t)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return MODEL_NO_MANIFEST;
}

static int repo_cmp(const void *a, const void *b)
{
    return strcmp(((const struct repo *)a)->name, ((const struct repo *)b)->name);
}

void model_sort_repos(struct model *m)
{
    if (m->n_repos > 1) qsort(m->repos, m->n_repos, sizeof *m->repos, repo_cmp);
}

const struct repo *model_find_repo(const struct model *m, const char *name)
{
    size_t lo = 0, hi = m->n_repos;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->repos[mid].name, name);
        if (c == 0) return &m->repos[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

bool model_layers_known(const struct model *m)
{
    for (size_t r = 0; r < m->n_repos; r++)
        for (size_t i = 0; i < m->repos[r].n_manifests; i++) {
            const struct manifest *mf = &m->repos[r].manifests[i];
            if (!mf->layers_known && !media_is_index(mf->media)) return false;
        }
    return m->n_manifests > 0;
}

int model_replicas(const struct model *m)
{
    if (!m->setup.replications) return 1;
    cJSON *list = cJSON_Parse(m->setup.replications);
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    cJSON_Delete(list);
    return n > 0 ? n : 1;
}
