/* pulls.c - pulls and in-use references resolved against the natural history (pulls.h). */
#include "pulls.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Tag instances ordered by repository, name, then when set: the instance a tag pull got is
 * found by binary search. */
struct inst_key {
    uint32_t repo;
    const char *name;
    int64_t set_ns;
    uint32_t inst;
};

static int inst_key_cmp(const void *a, const void *b)
{
    const struct inst_key *x = a, *y = b;
    if (x->repo != y->repo) return x->repo < y->repo ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->set_ns != y->set_ns) return x->set_ns < y->set_ns ? -1 : 1;
    return x->inst < y->inst ? -1 : x->inst > y->inst;
}

static struct inst_key *inst_keys(const struct history *h)
{
    struct inst_key *k = xmalloc((h->n_inst + 1) * sizeof *k);
    for (size_t i = 0; i < h->n_inst; i++)
        k[i] = (struct inst_key){h->inst[i].repo, h->inst[i].name, h->inst[i].set_ns, (uint32_t)i};
    qsort(k, h->n_inst, sizeof *k, inst_key_cmp);
    return k;
}

/* The instance of tag `name` in repository r live at t (set_ns <= t < unset_ns), or -1. With
 * t = INT64_MAX - 1: the one current at the end of the history. */
static long find_instance(const struct history *h, const struct inst_key *k, uint32_t r, const char *name,
                          int64_t t)
{
    size_t lo = 0, hi = h->n_inst;
    struct inst_key probe = {r, name, t, UINT32_MAX};
    /* the last key <= (r, name, t) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (inst_key_cmp(&k[mid], &probe) <= 0) lo = mid + 1;
        else hi = mid;
    }
    /* several instances of one name can overlap only when a tag names two manifests at once,
     * which an export does not hold; the latest set is the one a pull got */
    for (size_t i = lo; i-- > 0;) {
        if (k[i].repo != r || strcmp(k[i].name, name)) break;
        const struct tag_instance *ti = &h->inst[k[i].inst];
        if (ti->set_ns <= t && t < ti->unset_ns) return (long)k[i].inst;
    }
    return -1;
}


void pulls_build(const struct event_log *log, const struct history *h, int64_t from_ns, int64_t to_ns,
                 struct pull_index *out)
{
    memset(out, 0, sizeof *out);
    out->log = log;
    struct inst_key *keys = inst_keys(h);
    /* the natural registry's manifests, played along with the log (both in time order): a
     * manifest can leave and come back (snapshots, an event log) */
    uint8_t *present = xcalloc(h->n_ids + 1, 1);
    size_t ev = 0;
    const struct model *m = h->m;
    out->p = xmalloc((log->n + 1) * sizeof *out->p);
    for (size_t i = 0; i < log->n; i++) {
        const struct event *e = &log->ev[i];
        if (e->op != EVENT_PULL || e->t_ns < from_ns || e->t_ns > to_ns) continue;
        for (; ev < h->n_ev && h->ev[ev].t_ns <= e->t_ns; ev++)
            if (h->ev[ev].kind == HEV_PUSH || h->ev[ev].kind == HEV_REMOVE)
                present[h->ev[ev].item] = h->ev[ev].kind == HEV_PUSH;
        out->pulls++;
        const struct repo *rp = model_find_repo(m, e->repo);
        long target = -1;
        bool by_tag = false;
        if (rp) {
            uint32_t r = (uint32_t)(rp - m->repos);
            if (e->tag) {
                by_tag = true;
                target = find_instance(h, keys, r, e->tag, e->t_ns);
            } else if (e->has_digest) {
                uint32_t idx = model_find_manifest(rp, &e->digest);
                size_t id = h->repo_base[r] + idx;
                if (idx != MODEL_NO_MANIFEST && present[id]) target = (long)id;
            }
        }
        if (target < 0) {
            out->unresolved++;
            continue;
        }
        out->p[out->n++] = (struct replay_pull){e->t_ns, (uint32_t)i, (uint32_t)target, by_tag};
    }
    free(keys);
    free(present);
}

void pulls_free(struct pull_index *px)
{
    if (!px) return;
    free(px->p);
    memset(px, 0, sizeof *px);
}

struct inuse_target *pulls_resolve_inuse(const struct inuse_list *l, const struct history *h)
{
    struct inuse_target *out = xcalloc(l->n + 1, sizeof *out);
    struct inst_key *keys = inst_keys(h);
    const struct model *m = h->m;
    for (size_t i = 0; i < l->n; i++) {
        const struct inuse_ref *ref = &l->refs[i];
        struct inuse_target *t = &out[i];
        t->ref = ref;
        const struct repo *rp = model_find_repo(m, ref->repo);
        if (!rp) continue;
        uint32_t r = (uint32_t)(rp - m->repos);
        t->repo = r;
        if (ref->has_digest) {
            /* a digest names exactly what runs, even when a tag is written beside it */
            uint32_t idx = model_find_manifest(rp, &ref->digest);
            if (idx == MODEL_NO_MANIFEST) continue;
            t->id = h->repo_base[r] + idx;
            t->found = true;
        } else if (ref->tag) {
            long inst = find_instance(h, keys, r, ref->tag, INT64_MAX - 1);
            if (inst < 0) continue;
            t->by_tag = true;
            t->inst = (size_t)inst;
            t->id = h->repo_base[r] + h->inst[inst].manifest;
            t->found = true;
        }
    }
    free(keys);
    return out;
}
