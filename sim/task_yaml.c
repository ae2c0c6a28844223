/* task_yaml.c - an ACR task's YAML: its {{.Values.x}} references filled in, its one acr purge step found. */
#include "task_yaml.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "purgecmd.h"

static char *dupn(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static bool yaml_load(const char *text, yaml_document_t *doc, char *err, size_t errlen)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    bool ok = yaml_parser_load(&parser, doc) != 0;
    if (!ok) {
        snprintf(err, errlen, "YAML line %zu: %s", (size_t)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "cannot be read");
    } else if (!yaml_document_get_root_node(doc)) {
        yaml_document_delete(doc);
        snprintf(err, errlen, "the YAML is empty");
        ok = false;
    }
    yaml_parser_delete(&parser);
    return ok;
}

static yaml_node_t *ymap_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
            !memcmp(k->data.scalar.value, key, k->data.scalar.length))
            return yaml_document_get_node(doc, pr->value);
    }
    return NULL;
}

static char *yscalar(const yaml_node_t *n)
{
    return dupn((const char *)n->data.scalar.value, n->data.scalar.length);
}

/* The value of template variable `key`: step.values (az's --set) first, then the values YAML. */
static char *template_value(const char *values, const cJSON *set_values, const char *key)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, set_values)
    {
        if (!cJSON_IsObject(v)) continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(v, "value");
        if (cJSON_IsString(name) && !strcmp(name->valuestring, key) && cJSON_IsString(val))
            return dupn(val->valuestring, strlen(val->valuestring));
    }
    if (!values) return NULL;
    yaml_document_t doc;
    char err[256];
    if (!yaml_load(values, &doc, err, sizeof err)) return NULL;
    yaml_node_t *n = ymap_get(&doc, yaml_document_get_root_node(&doc), key);
    char *out = n && n->type == YAML_SCALAR_NODE ? yscalar(n) : NULL;
    yaml_document_delete(&doc);
    return out;
}

/* Renders the Go-template references "{{ .Values.x }}" of ACR's task YAML. Returns the text, or
 * NULL with why set (a reference other than .Values, or a value not given). */
static char *render(const char *values, const cJSON *set_values, const char *text, char *why, size_t whylen)
{
    size_t cap = strlen(text) + 1, n = 0;
    char *out = xmalloc(cap);
    const char *s = text;
    for (;;) {
        const char *open = strstr(s, "{{");
        size_t lit = open ? (size_t)(open - s) : strlen(s);
        xgrow((void **)&out, &cap, n + lit + 1, 1);
        memcpy(out + n, s, lit);
        n += lit;
        if (!open) break;
        const char *close = strstr(open + 2, "}}");
        const char *e = open + 2;
        while (*e == ' ') e++;
        char key[128];
        size_t kl = 0;
        bool ok = close && !strncmp(e, ".Values.", 8);
        if (ok) {
            for (e += 8; kl < sizeof key - 1 && ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
                                                 (*e >= '0' && *e <= '9') || *e == '_');
                 e++)
                key[kl++] = *e;
            key[kl] = '\0';
            while (*e == ' ') e++;
            ok = kl > 0 && e == close;
        }
        if (!ok) {
            size_t shown = close ? (size_t)(close + 2 - open) : strlen(open);
            snprintf(why, whylen, "uses the template %.*s, which purgesim cannot fill in", (int)(shown > 60 ? 60 : shown),
                     open);
            free(out);
            return NULL;
        }
        char *val = template_value(values, set_values, key);
        if (!val) {
            snprintf(why, whylen, "uses {{.Values.%s}}, which has no value (encodedValuesContent or step values)", key);
            free(out);
            return NULL;
        }
        size_t vl = strlen(val);
        xgrow((void **)&out, &cap, n + vl + 1, 1);
        memcpy(out + n, val, vl);
        n += vl;
        free(val);
        s = close + 2;
    }
    out[n] = '\0';
    return out;
}

/* True when cmd is one acr purge command (not "acr purge ... && ..."). */
static bool one_command(const char *cmd)
{
    char q = 0;
    for (const char *s = cmd; *s; s++) {
        if (q) {
            if (*s == q) q = 0;
            else if (*s == '\\' && q == '"' && s[1]) s++;
        } else if (*s == '\'' || *s == '"') {
            q = *s;
        } else if (*s == '\\' && s[1]) {
            s++;
        } else if (*s == ';' || *s == '|' || *s == '&' || *s == '\n') {
            return false;
        }
    }
    return true;
}

int task_yaml_command(const char *content, const char *values, const cJSON *set_values, char **cmd,
                      char *why, size_t whylen)
{
    char *yaml = render(values, set_values, content, why, whylen);
    if (!yaml) return 0;
    yaml_document_t doc;
    if (!yaml_load(yaml, &doc, why, whylen)) {
        free(yaml);
        return -1;
    }
    free(yaml);
    int rc = -1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *steps = ymap_get(&doc, root, "steps");
    if (root->type != YAML_MAPPING_NODE) {
        snprintf(why, whylen, "the task YAML is not a mapping (version:, steps:)");
        goto out;
    }
    if (!steps || steps->type != YAML_SEQUENCE_NODE) {
        snprintf(why, whylen, "the task YAML has no steps: list");
        goto out;
    }
    size_t n_steps = (size_t)(steps->data.sequence.items.top - steps->data.sequence.items.start);
    rc = 0;
    if (n_steps != 1) {
        snprintf(why, whylen, "has %zu steps (purgesim replays tasks of one acr purge step)", n_steps);
        goto out;
    }
    yaml_node_t *step = yaml_document_get_node(&doc, *steps->data.sequence.items.start);
    yaml_node_t *c = ymap_get(&doc, step, "cmd");
    if (!c || c->type != YAML_SCALAR_NODE) {
        snprintf(why, whylen, "has a step that is not a cmd (a build, push or other step), not acr purge");
        goto out;
    }
    char *text = yscalar(c);
    char **w;
    int n = purgecmd_split(text, &w, why, whylen);
    bool purge = n >= 2 && !strcmp(w[1], "purge") && (!strcmp(w[0], "acr") || strstr(w[0], "/acr"));
    if (n >= 0) purgecmd_free_words(w, n);
    if (!purge) {
        snprintf(why, whylen, "runs \"%.60s\", not acr purge", text);
        free(text);
        goto out;
    }
    if (!one_command(text)) {
        snprintf(why, whylen, "runs several commands in one step (\"%.60s\")", text);
        free(text);
        goto out;
    }
    *cmd = text;
    rc = 1;
out:
    yaml_document_delete(&doc);
    return rc;
}
