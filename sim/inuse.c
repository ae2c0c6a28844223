/* inuse.c - image references in use: plain lists and kubectl's pod JSON. */
#include "inuse.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input_kind.h"
#include "jstream.h"
#include "textfile.h"

#define INUSE_LINE_LIMIT ((size_t)1 << 20)
#define INUSE_READ_CHUNK ((size_t)1 << 16)
/* what --in-use takes, for the message about another kind of file given as one */
#define INUSE_EXPECTED "an in-use list (image references, one a line, or kubectl get pods -A -o json)"

struct loader {
    struct inuse_list *l;
    const char *file;
    const char *login_server;
    struct diag *d;
    size_t errors;
    size_t seen;        /* references read from this file, ours or not */
    bool stop;          /* the file is another kind of input, said in one message: read no more */
};

/* A reference taken apart; pointers into the text. */
struct parsed {
    const char *reg, *repo, *tag;
    size_t reg_n, repo_n, tag_n;
    struct digest digest;
    bool has_digest;
};

static bool repo_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '/';
}

static bool tag_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* Docker's reference grammar, loosely: [registry/]repo[:tag][@sha256:hex]; the part before
 * the first '/' is a registry when it has a '.' or a ':' or is "localhost". Returns NULL, or
 * why the text is not a reference. */
static const char *parse_ref(const char *s, size_t n, struct parsed *p)
{
    memset(p, 0, sizeof *p);
    const char *at = memchr(s, '@', n);
    size_t name_n = at ? (size_t)(at - s) : n;
    if (at) {
        size_t dn = n - name_n - 1;
        if (!digest_parse(at + 1, dn, &p->digest)) return "expected sha256: and 64 hex digits after '@'";
        p->has_digest = true;
    }
    const char *slash = memchr(s, '/', name_n);
    if (slash) {
        size_t k = (size_t)(slash - s);
        if (memchr(s, '.', k) || memchr(s, ':', k) || (k == 9 && !memcmp(s, "localhost", 9))) {
            if (k == 0) return "empty registry name";
            p->reg = s;
            p->reg_n = k;
            s += k + 1;
            name_n -= k + 1;
        }
    }
    const char *last_slash = NULL;
    for (size_t i = 0; i < name_n; i++)
        if (s[i] == '/') last_slash = s + i;
    const char *colon = memchr(last_slash ? last_slash : s, ':', name_n - (size_t)((last_slash ? last_slash : s) - s));
    p->repo = s;
    p->repo_n = colon ? (size_t)(colon - s) : name_n;
    if (colon) {
        p->tag = colon + 1;
        p->tag_n = name_n - p->repo_n - 1;
        if (p->tag_n == 0 || p->tag_n > 128) return "a tag has 1 to 128 characters";
        if (p->tag[0] == '.' || p->tag[0] == '-') return "a tag starts with a letter, a digit or '_'";
        for (size_t i = 0; i < p->tag_n; i++)
            if (!tag_char(p->tag[i])) return "a tag has only letters, digits, '.', '_' and '-'";
    }
    if (p->repo_n == 0) return "no repository name";
    if (p->repo[0] == '/' || p->repo[p->repo_n - 1] == '/') return "a repository name neither starts nor ends with '/'";
    for (size_t i = 0; i < p->repo_n; i++)
        if (!repo_char(p->repo[i])) return "a repository name has only letters, digits, '.', '_', '-' and '/'";
    if (!p->tag && !p->has_digest) {   /* Docker's default */
        p->tag = "latest";
        p->tag_n = 6;
    }
    return NULL;
}

static uint64_t hash_ref(const char *repo, const char *tag, const struct inuse_ref *r)
{
    uint64_t h = 1469598103934665603u;
    for (const char *q = repo; *q; q++) h = (h ^ (unsigned char)*q) * 1099511628211u;
    h = (h ^ 0xff) * 1099511628211u;
    for (const char *q = tag ? tag : ""; *q; q++) h = (h ^ (unsigned char)*q) * 1099511628211u;
    if (r->has_digest)
        for (size_t i = 0; i < 8; i++) h = (h ^ r->digest.b[i]) * 1099511628211u;
    return h;
}

static bool same_ref(const struct inuse_ref *a, const struct inuse_ref *b)
{
    if (strcmp(a->repo, b->repo) || a->has_digest != b->has_digest) return false;
    if ((a->tag == NULL) != (b->tag == NULL) || (a->tag && strcmp(a->tag, b->tag))) return false;
    return !a->has_digest || !digest_cmp(&a->digest, &b->digest);
}

static void rehash(struct inuse_list *l, size_t cap)
{
    size_t *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < l->n; i++) {
        size_t j = hash_ref(l->refs[i].repo, l->refs[i].tag, &l->refs[i]) & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = i + 1;
    }
    free(l->slots);
    l->slots = t;
    l->cap_slots = cap;
}

/* Adds p (already known to be ours) unless an identical reference is there. */
static void add_ref(struct loader *ld, const struct parsed *p, const char *source)
{
    struct inuse_list *l = ld->l;
    size_t rn = p->repo_n, tn = p->tag_n;   /* tn <= 128 (parse_ref) */
    char *repo = xmalloc(rn + 1), tag[160];
    for (size_t i = 0; i < rn; i++) {   /* registries store repository names in lower case */
        char c = p->repo[i];
        repo[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    repo[rn] = '\0';
    if (p->tag) memcpy(tag, p->tag, tn);
    tag[tn] = '\0';
    struct inuse_ref key = {repo, p->tag ? tag : NULL, p->digest, p->has_digest, NULL};
    if (l->n * 2 + 2 > l->cap_slots) rehash(l, l->cap_slots ? l->cap_slots * 2 : 64);
    size_t j = hash_ref(key.repo, key.tag, &key) & (l->cap_slots - 1);
    for (; l->slots[j]; j = (j + 1) & (l->cap_slots - 1)) {
        if (same_ref(&l->refs[l->slots[j] - 1], &key)) {
            l->duplicates++;
            free(repo);
            return;
        }
    }
    if (l->n == l->cap) xgrow((void **)&l->refs, &l->cap, l->n + 1, sizeof *l->refs);
    struct inuse_ref *r = &l->refs[l->n++];
    *r = key;
    r->repo = arena_strndup(&l->arena, repo, rn);
    r->tag = p->tag ? arena_strndup(&l->arena, tag, tn) : NULL;
    r->source = arena_strndup(&l->arena, source, strlen(source));
    l->slots[j] = l->n;
    free(repo);
}

/* Is a parsed reference ours? `bare_is_ours`: a reference without a registry names our
 * registry (lists), or Docker Hub (Kubernetes). */
static bool is_ours(const struct loader *ld, const struct parsed *p, bool bare_is_ours)
{
    if (!ld->login_server) return true;
    if (!p->reg) return bare_is_ours;
    return strlen(ld->login_server) == p->reg_n && !strncasecmp(ld->login_server, p->reg, p->reg_n);
}

/* ---- lists ------------------------------------------------------------------------------ */

/* What a list line holds: s[0..*n) without its '#' comment and surrounding blanks. */
static const char *line_content(const char *s, size_t *n)
{
    const char *hash = memchr(s, '#', *n);
    if (hash) *n = (size_t)(hash - s);
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r' || s[*n - 1] == '\n')) --*n;
    while (*n && (*s == ' ' || *s == '\t')) s++, --*n;
    return s;
}

/* NULL when s[0..n) (a line's content) is one reference, taken apart into *p; else why not. */
static const char *line_ref(const char *s, size_t n, struct parsed *p)
{
    return memchr(s, ' ', n) || memchr(s, '\t', n) ? "one reference a line" : parse_ref(s, n, p);
}

bool inuse_line_is_reference(const char *s, size_t n)
{
    struct parsed p;
    s = line_content(s, &n);
    return n && !line_ref(s, n, &p);
}

static void list_line(struct loader *ld, const char *s, size_t n, size_t lineno)
{
    s = line_content(s, &n);
    if (!n) return;
    struct parsed p;
    const char *why = line_ref(s, n, &p);
    /* the first line is not a reference and looks like another input's (a policy file's
     * section, an event log's CSV header): one message for the file, not one a line */
    if (why && !ld->seen && !ld->errors &&
        input_kind_mixup(ld->d, ld->file, input_kind_of_line(s, n), INUSE_EXPECTED)) {
        ld->errors++;
        ld->stop = true;
        return;
    }
    if (why) {
        char q[200];
        diag_quote(q, sizeof q, s, n, 80);
        diag_msg(ld->d, "%s:%zu: expected an image reference ([registry/]repository[:tag][@sha256:digest]), got %s: %s",
                 ld->file, lineno, q, why);
        ld->errors++;
        return;
    }
    ld->seen++;
    if (!is_ours(ld, &p, true)) {
        ld->l->other_registry++;
        return;
    }
    char src[600];
    snprintf(src, sizeof src, "%s:%zu", ld->file, lineno);
    add_ref(ld, &p, src);
}

static void read_list(struct loader *ld, FILE *fp)
{
    char *chunk = xmalloc(INUSE_READ_CHUNK), *line = NULL;
    size_t have = 0, pos = 0, cap = 0;
    bool eof = false;
    for (size_t lineno = 1; !ld->stop; lineno++) {
        size_t ll = 0;
        bool nl_seen = false, any = false, too_long = false;
        while (!nl_seen) {
            if (pos == have) {
                if (eof) break;
                have = fread(chunk, 1, INUSE_READ_CHUNK, fp);
                pos = 0;
                if (!have) {
                    eof = true;
                    break;
                }
            }
            any = true;
            const char *nl = memchr(chunk + pos, '\n', have - pos);
            size_t take = nl ? (size_t)(nl - (chunk + pos)) + 1 : have - pos;
            if (ll + take > INUSE_LINE_LIMIT) {
                too_long = true;
                break;
            }
            if (ll + take > cap) xgrow((void **)&line, &cap, ll + take, 1);
            memcpy(line + ll, chunk + pos, take);
            ll += take;
            pos += take;
            nl_seen = nl != NULL;
        }
        if (too_long) {
            diag_msg(ld->d, "%s:%zu: line longer than %zu MiB", ld->file, lineno, INUSE_LINE_LIMIT >> 20);
            ld->errors++;
            break;
        }
        if (!any) break;
        /* a NUL past the head textfile_sniff looked at: binary, not one error a line */
        if (!textfile_is_text(line, ll, lineno, ld->file, ld->d)) {
            ld->errors++;
            break;
        }
        if (lineno == 1 && ll >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) list_line(ld, line + 3, ll - 3, lineno);
        else list_line(ld, line, ll, lineno);
    }
    if (ferror(fp)) {
        diag_msg(ld->d, "%s: read error: %s", ld->file, strerror(errno));
        ld->errors++;
    }
    free(line);
    free(chunk);
}

/* ---- kubectl JSON ----------------------------------------------------------------------- */

static void image_value(struct loader *ld, struct jstream *js, const cJSON *v, const char *path, bool is_id)
{
    if (!v || cJSON_IsNull(v)) return;
    if (!cJSON_IsString(v)) {
        diag_error(ld->d, ld->file, js->cap_line, js->cap_col, path, "expected a string");
        ld->errors++;
        return;
    }
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (!n) return;
    const char *scheme = strstr(s, "://");
    if (scheme) {   /* docker-pullable://, docker://, containerd:// */
        n -= (size_t)(scheme + 3 - s);
        s = scheme + 3;
    }
    /* an image ID without a repository (a config digest, "sha256:..."), or a status image the
     * runtime shows as such: no reference to a manifest */
    if ((is_id && !memchr(s, '@', n)) || (n >= 7 && !memcmp(s, "sha256:", 7))) return;
    struct parsed p;
    const char *why = parse_ref(s, n, &p);
    if (why) {
        char q[200];
        diag_quote(q, sizeof q, v->valuestring, strlen(v->valuestring), 80);
        diag_error(ld->d, ld->file, js->cap_line, js->cap_col, path, "expected an image reference, got %s: %s", q, why);
        ld->errors++;
        return;
    }
    if (is_id) {   /* the digest that runs; its tag, if any, comes from "image" */
        p.tag = NULL;
        p.tag_n = 0;
    }
    ld->seen++;
    if (!is_ours(ld, &p, false)) {
        ld->l->other_registry++;
        return;
    }
    char src[700];
    snprintf(src, sizeof src, "%s: %s", ld->file, path);
    add_ref(ld, &p, src);
}

static void pod(struct loader *ld, struct jstream *js, const cJSON *o, const char *ipath)
{
    static const char *const SPEC[] = {"containers", "initContainers", "ephemeralContainers"};
    static const char *const STATUS[] = {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"};
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
    char path[256];
    for (int k = 0; k < 3; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(spec, SPEC[k]);
        int i = 0;
        for (const cJSON *c = cJSON_IsArray(a) ? a->child : NULL; c; c = c->next, i++) {
            snprintf(path, sizeof path, "%s.spec.%s[%d].image", ipath, SPEC[k], i);
            image_value(ld, js, cJSON_GetObjectItemCaseSensitive(c, "image"), path, false);
        }
        a = cJSON_GetObjectItemCaseSensitive(status, STATUS[k]);
        i = 0;
        for (const cJSON *c = cJSON_IsArray(a) ? a->child : NULL; c; c = c->next, i++) {
            snprintf(path, sizeof path, "%s.status.%s[%d].image", ipath, STATUS[k], i);
            image_value(ld, js, cJSON_GetObjectItemCaseSensitive(c, "image"), path, false);
            snprintf(path, sizeof path, "%s.status.%s[%d].imageID", ipath, STATUS[k], i);
            image_value(ld, js, cJSON_GetObjectItemCaseSensitive(c, "imageID"), path, true);
        }
    }
}

static void read_items(struct loader *ld, struct jstream *js)
{
    if (!js_expect(js, '[', "items")) return;
    bool done = js_peek(js) == ']';
    if (done) js_expect(js, ']', "items");
    for (size_t i = 0; !done && !js->failed; i++) {
        char path[48];
        snprintf(path, sizeof path, "items[%zu]", i);
        if (!js_capture(js, path)) return;
        cJSON *o = js_parse_captured(js, path);
        if (!o) return;
        if (cJSON_IsObject(o)) pod(ld, js, o, path);
        else {
            diag_error(ld->d, ld->file, js->cap_line, js->cap_col, path, "expected an object (a pod)");
            ld->errors++;
        }
        cJSON_Delete(o);
        js_next_member(js, ']', "items", &done);
    }
}

static void read_kubectl(struct loader *ld, struct jstream *js)
{
    js->cap_limit = INUSE_LINE_LIMIT;
    textfile_skip_bom(js);
    js_expect(js, '{', "");
    bool done = js_peek(js) == '}', items = false;
    if (done) js_expect(js, '}', "");
    while (!done && !js->failed) {
        char key[64];
        if (!js_read_key(js, key, sizeof key, "")) break;
        if (!strcmp(key, "items")) {
            items = true;
            read_items(ld, js);
        } else if (!items && input_kind_mixup(ld->d, ld->file, input_kind_of_key(key), INUSE_EXPECTED)) {
            /* an export, a price table, an event log's REST body: said before reading on (an
             * export's repositories may be far larger than anything a pod list holds) */
            ld->errors++;
            return;
        } else if (!js_capture(js, key)) {
            break;
        }
        if (!js->failed) js_next_member(js, '}', "", &done);
    }
    if (!js->failed && js_peek(js) >= 0) js_error_here(js, "", "unexpected text after the end of the JSON value");
    if (js->failed) ld->errors++;
    else if (!items) {
        diag_msg(ld->d, "%s: expected an \"items\" array (the output of kubectl get pods -A -o json)", ld->file);
        ld->errors++;
    }
}

/* ---- entry points ----------------------------------------------------------------------- */

/* A file that starts with '[' is never a list ('[' starts no reference): a JSON array (an event
 * log, a listing of the export, a task list) or a policy file's "[name]". Says what a JSON
 * array is and returns true; returns false for anything else, which the list reader reads
 * (and a policy file's section line is named there). */
static bool json_array(struct loader *ld, const char *path, const char *text, size_t len)
{
    enum input_kind k = input_kind_of_json(path, text, len);
    if (k == INPUT_UNKNOWN) return false;
    if (!input_kind_mixup(ld->d, ld->file, k, INUSE_EXPECTED))
        diag_msg(ld->d, "%s: expected %s, got a JSON array", ld->file, INUSE_EXPECTED);
    ld->errors++;
    return true;
}

/* Remembers a file read without error that lists no image (empty, only comments, no pods):
 * accepted, as a cluster may run nothing of ours, but worth a warning (inuse.h). */
static void note_empty(struct inuse_list *l, const char *file)
{
    if (l->n_empty_files == l->cap_empty_files)
        xgrow((void **)&l->empty_files, &l->cap_empty_files, l->n_empty_files + 1, sizeof *l->empty_files);
    l->empty_files[l->n_empty_files++] = arena_strndup(&l->arena, file, strlen(file));
}

static int load(struct inuse_list *l, const char *path, const char *text, size_t len, const char *file,
                const char *login_server, struct diag *d)
{
    struct loader ld = {l, file, login_server, d, 0, 0, false};
    size_t n_before = l->n, other_before = l->other_registry, dup_before = l->duplicates;
    FILE *fp = NULL;
    int c;
    int rc = textfile_sniff(path, text, len, file, &fp, &c, d);
    if (rc != PS_OK) return rc;
    if (c == '[' && json_array(&ld, path, text, len)) {
        if (fp) fclose(fp);
    } else if (c == '{') {
        if (fp) fclose(fp);
        struct jstream js;
        rc = textfile_open_json(&js, path, text, len, file, d);
        if (rc != PS_OK) return rc;
        read_kubectl(&ld, &js);
        js_close(&js);
    } else {
        fp = textfile_stream(fp, text, len, file, d);
        if (!fp) return ERR_IO;
        read_list(&ld, fp);
        fclose(fp);
    }
    if (!ld.errors) {
        if (!ld.seen) note_empty(l, file);
        return PS_OK;
    }
    l->n = n_before;
    l->other_registry = other_before;
    l->duplicates = dup_before;
    rehash(l, l->cap_slots ? l->cap_slots : 64);
    return ERR_INPUT;
}

int inuse_load(struct inuse_list *l, const char *path, const char *login_server, struct diag *d)
{
    /* read twice (its head to tell JSON from lines, then all of it): a pipe is taken whole first */
    char *text;
    size_t len;
    int rc = textfile_slurp_stream(path, path, &text, &len, d);
    if (rc != PS_OK) return rc;
    rc = text ? load(l, NULL, text, len, path, login_server, d) : load(l, path, NULL, 0, path, login_server, d);
    free(text);
    return rc;
}

int inuse_load_mem(struct inuse_list *l, const char *text, size_t len, const char *file,
                   const char *login_server, struct diag *d)
{
    return load(l, NULL, text, len, file, login_server, d);
}

char *inuse_format(const struct inuse_ref *r, char *buf, size_t len)
{
    char dg[80];
    if (r->has_digest) digest_format(&r->digest, dg, sizeof dg);
    snprintf(buf, len, "%s%s%s%s%s", r->repo, r->tag ? ":" : "", r->tag ? r->tag : "", r->has_digest ? "@" : "",
             r->has_digest ? dg : "");
    return buf;
}

void inuse_free(struct inuse_list *l)
{
    if (!l) return;
    free(l->refs);
    free(l->slots);
    free(l->empty_files);
    arena_free_all(&l->arena);
    memset(l, 0, sizeof *l);
}
