/* model_cache_write.c - writing a model's image (model_cache.c describes the format): one pass
 * over the model per section, each section's checksum computed as it is written, pointers
 * written as STRINGS and U32 numbers, and the header last, over the placeholder it left. The
 * file is a temporary one renamed into place, so a reader sees a whole image or none. */
#include "model_cache_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mc_writer {
    FILE *fp;
    uint64_t pos;
    struct mc_hasher h;
    struct mc_header hd;
    int sec;
    uint64_t n_str, n_u32;   /* STRINGS bytes and U32 entries handed out so far */
    bool err;
};

static void w_put(struct mc_writer *w, const void *p, size_t n)
{
    if (!n) return;
    if (fwrite(p, 1, n, w->fp) != n) w->err = true;
    mc_hasher_update(&w->h, p, n);
    w->pos += n;
}

static void w_begin(struct mc_writer *w, int sec)
{
    w->hd.sec[sec].off = w->pos;
    mc_hasher_init(&w->h, (uint64_t)sec);
    w->sec = sec;
}

/* The section's length, then zeros to the next 8 bytes, which its checksum covers too: every
 * byte of an image is under a checksum. */
static void w_end(struct mc_writer *w)
{
    static const unsigned char zeros[8];
    w->hd.sec[w->sec].len = w->pos - w->hd.sec[w->sec].off;
    w_put(w, zeros, (size_t)(-w->pos & 7));
    w->hd.sec[w->sec].hash = mc_hasher_final(&w->h);
}

/* A string's place in STRINGS (offset + 1, 0 for NULL); STRINGS is written in the same order. */
static uint64_t w_str(struct mc_writer *w, const char *s)
{
    if (!s) return 0;
    uint64_t off = w->n_str + 1;
    w->n_str += strlen(s) + 1;
    return off;
}

static void w_emit_str(struct mc_writer *w, const char *s)
{
    if (s) w_put(w, s, strlen(s) + 1);
}

static uint64_t w_u32(struct mc_writer *w, const uint32_t *v, uint32_t n)
{
    if (!v) return 0;
    uint64_t off = w->n_u32 + 1;
    w->n_u32 += n;
    return off;
}

static void set_num(void *field, uint64_t v)
{
    uintptr_t u = (uintptr_t)v;
    memcpy(field, &u, sizeof u);
}

static void put_manifest(struct mc_writer *w, const struct manifest *mf)
{
    struct manifest r;
    memset(&r, 0, sizeof r);   /* padding included: the image is the same bytes every time */
    r.digest = mf->digest;
    r.size_bytes = mf->size_bytes;
    r.created_ns = mf->created_ns;
    r.updated_ns = mf->updated_ns;
    set_num(&r.created_raw, w_str(w, mf->created_raw));
    set_num(&r.updated_raw, w_str(w, mf->updated_raw));
    set_num(&r.children, w_u32(w, mf->children, mf->n_children));
    set_num(&r.layers, w_u32(w, mf->layers, mf->n_layers));
    r.n_children = mf->n_children;
    r.n_layers = mf->n_layers;
    r.subject = mf->subject;
    r.has_subject = mf->has_subject;
    r.layers_known = mf->layers_known;
    r.delete_enabled = mf->delete_enabled;
    r.write_enabled = mf->write_enabled;
    r.media = mf->media;
    r.created_state = mf->created_state;
    r.updated_state = mf->updated_state;
    w_put(w, &r, sizeof r);
}

static void put_tag(struct mc_writer *w, const struct tag *t)
{
    struct tag r;
    memset(&r, 0, sizeof r);
    set_num(&r.name, w_str(w, t->name));
    r.manifest = t->manifest;
    r.created_ns = t->created_ns;
    r.updated_ns = t->updated_ns;
    set_num(&r.updated_raw, w_str(w, t->updated_raw));
    r.delete_enabled = t->delete_enabled;
    r.write_enabled = t->write_enabled;
    r.updated_state = t->updated_state;
    w_put(w, &r, sizeof r);
}

static void write_image(struct mc_writer *w, const struct model *m, const char *key)
{
    const struct model_setup *su = &m->setup;
    struct mc_top top;
    memset(&top, 0, sizeof top);
    /* the model's own strings come first in STRINGS */
    top.registry = w_str(w, m->registry);
    top.sku = w_str(w, m->sku);
    const char *setup[5] = {su->acr_show, su->tasks, su->retention, su->soft_delete, su->replications};
    for (int i = 0; i < 5; i++) top.setup[i] = w_str(w, setup[i]);

    w_put(w, &w->hd, sizeof w->hd);   /* a placeholder, rewritten at the end */
    w_begin(w, SEC_KEY);
    w_put(w, key, strlen(key));
    w_end(w);
    w_begin(w, SEC_REPOS);
    for (size_t i = 0; i < m->n_repos; i++) {
        struct mc_repo r = {w_str(w, m->repos[i].name), m->repos[i].n_manifests, m->repos[i].n_tags};
        w_put(w, &r, sizeof r);
    }
    w_end(w);
    w_begin(w, SEC_MANIFESTS);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) put_manifest(w, &m->repos[i].manifests[j]);
    w_end(w);
    w_begin(w, SEC_TAGS);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_tags; j++) put_tag(w, &m->repos[i].tags[j]);
    w_end(w);
    w_begin(w, SEC_U32);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) {
            const struct manifest *mf = &m->repos[i].manifests[j];
            if (mf->children) w_put(w, mf->children, mf->n_children * sizeof *mf->children);
            if (mf->layers) w_put(w, mf->layers, mf->n_layers * sizeof *mf->layers);
        }
    w_end(w);
    w_begin(w, SEC_STRINGS);
    w_emit_str(w, m->registry);
    w_emit_str(w, m->sku);
    for (int i = 0; i < 5; i++) w_emit_str(w, setup[i]);
    for (size_t i = 0; i < m->n_repos; i++) w_emit_str(w, m->repos[i].name);
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_manifests; j++) {
            w_emit_str(w, m->repos[i].manifests[j].created_raw);
            w_emit_str(w, m->repos[i].manifests[j].updated_raw);
        }
    for (size_t i = 0; i < m->n_repos; i++)
        for (size_t j = 0; j < m->repos[i].n_tags; j++) {
            w_emit_str(w, m->repos[i].tags[j].name);
            w_emit_str(w, m->repos[i].tags[j].updated_raw);
        }
    w_end(w);
    w_begin(w, SEC_BLOBS);
    w_put(w, m->blobs, m->n_blobs * sizeof *m->blobs);
    w_end(w);
    w_begin(w, SEC_SLOTS);
    w_put(w, m->blob_slots, m->n_blob_slots * sizeof *m->blob_slots);
    w_end(w);

    top.exported_at_ns = m->exported_at_ns;
    top.has_exported_at = m->has_exported_at;
    top.n_repos = m->n_repos;
    top.n_manifests = m->n_manifests;
    top.n_tags = m->n_tags;
    top.n_blobs = m->n_blobs;
    top.n_blob_slots = m->n_blob_slots;
    top.n_u32 = w->n_u32;
    top.n_strings = w->n_str;
    const struct model_oddities *o = &m->odd;
    const size_t odd[MC_N_ODD] = {o->bad_times,           o->missing_times,     o->missing_media,
                                  o->missing_attrs,       o->tags_from_manifests, o->dangling_children,
                                  o->bodies_without_manifest};
    for (int i = 0; i < MC_N_ODD; i++) top.odd[i] = odd[i];
    w_begin(w, SEC_TOP);
    w_put(w, &top, sizeof top);
    w_end(w);

    memcpy(w->hd.magic, MC_MAGIC, sizeof w->hd.magic);
    w->hd.format = MODEL_CACHE_FORMAT;
    w->hd.sz_manifest = sizeof(struct manifest);
    w->hd.sz_tag = sizeof(struct tag);
    w->hd.sz_blob = sizeof(struct blob);
    w->hd.sz_ptr = sizeof(void *);
    w->hd.bom = MC_BOM;
    w->hd.file_size = w->pos;
    w->hd.hash = mc_header_hash(&w->hd);
    if (w->hd.sec[SEC_STRINGS].len != w->n_str) w->err = true;   /* the two walks disagree: a bug */
    if (fseek(w->fp, 0, SEEK_SET) != 0 || fwrite(&w->hd, sizeof w->hd, 1, w->fp) != 1) w->err = true;
}

bool model_cache_write(const struct model *m, const char *key, const char *path, char *why, size_t whylen)
{
    if (m->n_trail || m->observed_until_ns) {
        snprintf(why, whylen, "a forecast's model is not cached");
        return false;
    }
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
        snprintf(why, whylen, "path too long");
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
        return false;
    }
    struct mc_writer w;
    memset(&w, 0, sizeof w);
    w.fp = fdopen(fd, "wb");
    if (!w.fp) {
        snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    write_image(&w, m, key);
    if (fflush(w.fp) != 0 || ferror(w.fp)) w.err = true;
    int saved = errno;
    if (fclose(w.fp) != 0) w.err = true;
    if (!w.err && rename(tmp, path) == 0) return true;
    snprintf(why, whylen, "%s: %s", w.err ? tmp : path, strerror(w.err ? saved : errno));
    unlink(tmp);
    return false;
}
