/* policy_import.c - Azure's JSON for ACR tasks and registry configuration -> policies (cJSON; the
 * task YAML is read by task_yaml.c). The shapes are described in sim/IMPORT.md. */
#include "policy_import.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "arm_expr.h"
#include "input_kind.h"
#include "jstream.h"
#include "strv.h"
#include "task_yaml.h"

#define IMPORT_MAX_TIMERS 64      /* read per task; PURGE_MAX_SCHEDULES are replayed */
#define IMPORT_PATH_MAX 256
#define IMPORT_ARM_DEPTH 8        /* nested ARM resources */
#define IMPORT_TF_DEPTH 16        /* nested terraform modules */

/* One document's import. */
struct importer {
    struct policy_set *ps;
    const char *label;
    const struct purgecmd_opts *o;
    const char *group;
    struct diag *d;
    size_t errors;              /* d->n_total before this document */
    struct arm_ctx arm;         /* an ARM template's root (strings may be expressions), and the
                                   strings made while resolving them (owned) */
    size_t n_added;             /* tasks and settings added */
    size_t n_skipped;           /* tasks reported and skipped */
};

/* A task as the shapes share it: all borrowed from the JSON tree except content and values. */
struct task_in {
    const char *name;
    bool enabled;
    int64_t timeout_seconds;
    char *content;              /* the step's YAML (template not rendered yet) */
    char *values;               /* a values YAML, or NULL */
    const cJSON *set_values;    /* step.values: [{"name": ..., "value": ...}], or NULL */
    const char *schedules[IMPORT_MAX_TIMERS];
    size_t n_schedules;         /* enabled timers only */
};

static char *dupn(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void import_error(struct importer *imp, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void import_error(struct importer *imp, const char *path, const char *fmt, ...)
{
    char text[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (path && *path) diag_msg(imp->d, "%s: %s: %s", imp->label, path, text);
    else diag_msg(imp->d, "%s: %s", imp->label, text);
}

/* A warning about a task that made no policy: "[task name or group] LABEL: PATH: text". */
static void skip_task(struct importer *imp, const char *name, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void skip_task(struct importer *imp, const char *name, const char *path, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    strv_addf(&imp->ps->warnings, &imp->ps->n_warnings, "[%.60s] %s: %s: task '%.80s' %s: skipped",
              imp->group ? imp->group : name, imp->label, path, name, text);
    imp->n_skipped++;
}

/* out = a + sep + b, cut at IMPORT_PATH_MAX (a cut path still names the place well enough). */
static void path_join(char *out, const char *a, const char *sep, const char *b)
{
    size_t n = 0;
    for (const char *parts[3] = {a, sep, b}, **p = parts; p < parts + 3; p++)
        for (const char *c = *p; *c && n < IMPORT_PATH_MAX - 1; c++) out[n++] = *c;
    out[n] = '\0';
}

static void path_key(char *out, const char *base, const char *key)
{
    path_join(out, base, *base ? "." : "", key);
}

static void path_index(char *out, const char *base, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    path_join(out, base, "", idx);
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static const char *get_str(struct importer *imp, const cJSON *obj, const char *key, const char *base, bool *bad)
{
    const cJSON *v = get(obj, key);
    if (!v || cJSON_IsNull(v)) return NULL;
    char path[IMPORT_PATH_MAX], err[512];
    path_key(path, base, key);
    v = arm_value(&imp->arm, v, err, sizeof err);
    if (!v) {
        import_error(imp, path, "%s", err);
        *bad = true;
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        import_error(imp, path, "expected a string");
        *bad = true;
        return NULL;
    }
    return v->valuestring;
}

/* A whole number of seconds or days: a JSON integer or a string of digits. */
static bool get_int(struct importer *imp, const cJSON *obj, const char *key, const char *base, int64_t *out,
                    bool *bad)
{
    const cJSON *v = get(obj, key);
    if (!v || cJSON_IsNull(v)) return false;
    char path[IMPORT_PATH_MAX], err[512];
    path_key(path, base, key);
    v = arm_value(&imp->arm, v, err, sizeof err);
    if (!v) {
        import_error(imp, path, "%s", err);
        *bad = true;
        return false;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e9 &&
        v->valuedouble == (double)(int64_t)v->valuedouble) {
        *out = (int64_t)v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v) && v->valuestring[0] && strspn(v->valuestring, "0123456789") == strlen(v->valuestring) &&
        strlen(v->valuestring) <= 9) {
        *out = (int64_t)strtoll(v->valuestring, NULL, 10);
        return true;
    }
    import_error(imp, path, "expected a whole number");
    *bad = true;
    return false;
}

/* "Enabled"/"Disabled" (any case) or a JSON boolean (terraform's enabled). Absent: dflt. */
static bool get_status(struct importer *imp, const cJSON *obj, const char *key, const char *base, bool dflt,
                       bool *bad)
{
    const cJSON *v = get(obj, key);
    if (!v || cJSON_IsNull(v)) return dflt;
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    const char *s = get_str(imp, obj, key, base, bad);
    if (!s) return dflt;
    if (!strcasecmp(s, "enabled") || !strcasecmp(s, "true")) return true;
    if (!strcasecmp(s, "disabled") || !strcasecmp(s, "false")) return false;
    char path[IMPORT_PATH_MAX];
    path_key(path, base, key);
    import_error(imp, path, "expected Enabled or Disabled, got \"%.60s\"", s);
    *bad = true;
    return dflt;
}

/* ---- policies ---------------------------------------------------------------------------- */

/* The policy for a task or setting called `name`: the group's, or a new one named after it
 * (made a valid policy name, with "-2", "-3", ... on a collision). */
static struct policy *target_policy(struct importer *imp, const char *name)
{
    if (imp->group) {
        for (size_t i = 0; i < imp->ps->n; i++)
            if (!strcmp(imp->ps->p[i].name, imp->group)) return &imp->ps->p[i];
        return policy_add(imp->ps, imp->group, imp->label, 0);
    }
    char base[48], cand[64];
    size_t n = 0;
    for (const char *s = name; *s && n < sizeof base - 1; s++)
        base[n++] = (strchr("-_.+", *s) || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                     (*s >= '0' && *s <= '9')) ? *s : '-';
    base[n] = '\0';
    if (!n || !strcmp(base, "baseline")) snprintf(base, sizeof base, "%s", n ? "baseline-task" : "task");
    snprintf(cand, sizeof cand, "%s", base);
    for (unsigned k = 2; policy_name_taken(imp->ps, cand); k++) snprintf(cand, sizeof cand, "%s-%u", base, k);
    return policy_add(imp->ps, cand, imp->label, 0);
}

/* Retention (retention true: days, status) or soft delete (retentionDays, status) from one
 * configuration object, as `az acr config ... update` would set it. */
static void import_setting(struct importer *imp, const cJSON *obj, bool retention, const char *path,
                           const char *policy_name)
{
    bool bad = false;
    bool enabled = get_status(imp, obj, "status", path, false, &bad);
    int64_t days = 7;
    get_int(imp, obj, retention ? "days" : "retentionDays", path, &days, &bad);
    if (bad) return;
    if (!enabled) {
        /* az acr show lists both settings, disabled ones too: say so only when one is asked for */
        if (!imp->group && strcmp(policy_name, "registry")) {
            struct policy *p = target_policy(imp, policy_name);
            policy_add_warning(imp->ps, p, "%s: %s: status disabled: the %s deletes nothing", imp->label, path,
                               retention ? "retention policy" : "soft-delete policy");
            imp->n_added++;
        }
        return;
    }
    struct policy *p = target_policy(imp, policy_name);
    char err[512];
    if (!policy_set_config(imp->ps, p, retention, true, days, err, sizeof err))
        import_error(imp, path, "%s", err);
    imp->n_added++;
}

/* ---- the task YAML ----------------------------------------------------------------------- */

/* The task's one step, rendered and parsed: sets *cmd (owned) to its acr purge command. Returns
 * 1 on success, 0 when the task is skipped (warning given), -1 on an error (reported). */
static int task_command(struct importer *imp, const struct task_in *t, const char *path, char **cmd)
{
    char why[512];
    int rc = task_yaml_command(t->content, t->values, t->set_values, cmd, why, sizeof why);
    if (rc == 0) skip_task(imp, t->name, path, "%s", why);
    else if (rc < 0) import_error(imp, path, "task '%.80s': %s", t->name, why);
    return rc;
}

/* Adds one task, read into t. path names the task in messages. */
static void import_task(struct importer *imp, const struct task_in *t, const char *path)
{
    char *cmd = NULL;
    int rc = task_command(imp, t, path, &cmd);
    if (rc <= 0) return;
    struct policy *p = target_policy(imp, t->name);
    struct policy_task_spec spec = {t->name, cmd, t->schedules, t->n_schedules, t->enabled, t->timeout_seconds};
    char err[1400];
    if (!policy_add_task(imp->ps, p, &spec, imp->o, err, sizeof err))
        import_error(imp, path, "task '%.80s': %s", t->name, err);
    imp->n_added++;
    free(cmd);
}

/* Reads a step's text field: base64 (Azure's encodedTaskContent) or, for terraform, base64 or
 * plain YAML. Returns an owned string, or NULL (reported). */
static char *step_text(struct importer *imp, const char *text, const char *path, bool plain_ok)
{
    char err[256];
    char *s = arm_base64_decode(text, err, sizeof err);
    if (s || !plain_ok) {
        if (!s) import_error(imp, path, "%s", err);
        return s;
    }
    return dupn(text, strlen(text));
}

static void task_timers(struct importer *imp, struct task_in *t, const cJSON *timers, const char *base,
                        const char *enabled_key, bool *bad)
{
    size_t i = 0;
    const cJSON *tm;
    cJSON_ArrayForEach(tm, timers)
    {
        char path[IMPORT_PATH_MAX];
        path_index(path, base, i++);
        const char *sched = get_str(imp, tm, "schedule", path, bad);
        const char *name = get_str(imp, tm, "name", path, bad);
        bool on = get_status(imp, tm, enabled_key, path, true, bad);
        if (!sched) {
            if (!*bad) import_error(imp, path, "a timer trigger without a schedule");
            *bad = true;
            continue;
        }
        if (!on) {
            strv_addf(&imp->ps->warnings, &imp->ps->n_warnings, "[%.60s] %s: %s: timer '%.60s' of task '%.80s' is "
                      "disabled: it never fires", imp->group ? imp->group : t->name, imp->label, path, name ? name : "", t->name);
            continue;
        }
        if (t->n_schedules < IMPORT_MAX_TIMERS) t->schedules[t->n_schedules++] = sched;
    }
}

/* A task of az acr task show/list, or the properties of an ARM/REST task resource. */
static void import_az_task(struct importer *imp, const cJSON *obj, const char *name, const char *base)
{
    struct task_in t;
    memset(&t, 0, sizeof t);
    bool bad = false;
    t.name = name;
    t.enabled = get_status(imp, obj, "status", base, true, &bad);
    get_int(imp, obj, "timeout", base, &t.timeout_seconds, &bad);
    char path[IMPORT_PATH_MAX];
    path_key(path, base, "step");
    const cJSON *step = get(obj, "step");
    if (!cJSON_IsObject(step)) {
        import_error(imp, path, "task '%.80s' has no step", name);
        return;
    }
    const char *type = get_str(imp, step, "type", path, &bad);
    const char *content = get_str(imp, step, "encodedTaskContent", path, &bad);
    const char *values = get_str(imp, step, "encodedValuesContent", path, &bad);
    t.set_values = get(step, "values");
    if (t.set_values && !cJSON_IsArray(t.set_values)) t.set_values = NULL;
    char tpath[IMPORT_PATH_MAX];
    path_key(tpath, base, "trigger.timerTriggers");
    task_timers(imp, &t, get(get(obj, "trigger"), "timerTriggers"), tpath, "status", &bad);
    if (bad) return;
    if (type && strcmp(type, "EncodedTask")) {
        skip_task(imp, name, path, "has a step of type %.40s, not an encoded acr purge step", type);
        return;
    }
    if (!content) {
        if (!type) import_error(imp, path, "task '%.80s': a step with neither type nor encodedTaskContent", name);
        else import_error(imp, path, "task '%.80s': an EncodedTask step without encodedTaskContent", name);
        return;
    }
    char cpath[IMPORT_PATH_MAX];
    path_key(cpath, path, "encodedTaskContent");
    t.content = step_text(imp, content, cpath, false);
    if (t.content && values) {
        path_key(cpath, path, "encodedValuesContent");
        t.values = step_text(imp, values, cpath, false);
        if (!t.values) goto out;
    }
    if (t.content) import_task(imp, &t, base);
out:
    free(t.content);
    free(t.values);
}

/* The name an ARM resource gives its task: "registry/task", or the last literal of an expression
 * ("[format('{0}/{1}', parameters('registryName'), 'purge')]"). */
static char *arm_task_name(const char *name)
{
    const char *s = name;
    if (s[0] == '[' && s[1] != '[') {
        char *last = NULL;
        while ((s = strchr(s, '\'')) != NULL) {
            char *lit = arm_literal(&s);
            if (!lit) break;
            free(last);
            last = lit;
        }
        if (last && strchr(last, '/')) {
            char *tail = dupn(strrchr(last, '/') + 1, strlen(strrchr(last, '/') + 1));
            free(last);
            return tail;
        }
        return last ? last : dupn("task", 4);
    }
    if (s[0] == '[') s++;
    const char *slash = strrchr(s, '/');
    return slash ? dupn(slash + 1, strlen(slash + 1)) : dupn(s, strlen(s));
}

static bool type_is(const cJSON *res, const char *type)
{
    const cJSON *t = get(res, "type");
    return cJSON_IsString(t) && !strcasecmp(t->valuestring, type);
}

/* An ARM resource (and its nested child resources): tasks and a registry's policies. */
static void import_arm_resource(struct importer *imp, const cJSON *res, const char *base, bool in_registry,
                                int depth)
{
    if (!cJSON_IsObject(res) || depth > IMPORT_ARM_DEPTH) return;
    const cJSON *props = get(res, "properties");
    char ppath[IMPORT_PATH_MAX];
    path_key(ppath, base, "properties");
    if (type_is(res, "Microsoft.ContainerRegistry/registries/tasks") || (in_registry && type_is(res, "tasks"))) {
        const cJSON *name = get(res, "name");
        char *tname = arm_task_name(cJSON_IsString(name) ? name->valuestring : "task");
        if (!cJSON_IsObject(props)) import_error(imp, base, "task '%.80s' has no properties", tname);
        else import_az_task(imp, props, tname, ppath);
        free(tname);
        return;
    }
    if (!type_is(res, "Microsoft.ContainerRegistry/registries")) return;
    const cJSON *pol = get(props, "policies");
    char path[IMPORT_PATH_MAX];
    path_key(path, ppath, "policies.retentionPolicy");
    if (get(pol, "retentionPolicy")) import_setting(imp, get(pol, "retentionPolicy"), true, path, "registry");
    path_key(path, ppath, "policies.softDeletePolicy");
    if (get(pol, "softDeletePolicy")) import_setting(imp, get(pol, "softDeletePolicy"), false, path, "registry");
    const cJSON *child;
    size_t i = 0;
    path_key(path, base, "resources");
    cJSON_ArrayForEach(child, get(res, "resources"))
    {
        char cpath[IMPORT_PATH_MAX];
        path_index(cpath, path, i++);
        import_arm_resource(imp, child, cpath, true, depth + 1);
    }
}

/* ---- terraform show -json ------------------------------------------------------------------ */

static const cJSON *tf_block(const cJSON *values, const char *key)
{
    const cJSON *b = get(values, key);
    if (cJSON_IsArray(b)) b = cJSON_GetArrayItem(b, 0);   /* a block is a list of one */
    return cJSON_IsObject(b) ? b : NULL;
}

static void import_tf_task(struct importer *imp, const cJSON *values, const char *base)
{
    struct task_in t;
    memset(&t, 0, sizeof t);
    bool bad = false;
    t.name = get_str(imp, values, "name", base, &bad);
    if (!t.name) {
        if (!bad) import_error(imp, base, "a container registry task without a name");
        return;
    }
    t.enabled = get_status(imp, values, "enabled", base, true, &bad);
    get_int(imp, values, "timeout_in_seconds", base, &t.timeout_seconds, &bad);
    char tpath[IMPORT_PATH_MAX];
    path_key(tpath, base, "timer_trigger");
    task_timers(imp, &t, get(values, "timer_trigger"), tpath, "enabled", &bad);
    /* the provider's block: encoded_step, whose task_content the state holds in base64
     * (Base64EncodeIfNot); encoded_task_step before provider 3.0 */
    const char *key = "encoded_step";
    const cJSON *step = tf_block(values, key);
    if (!step) step = tf_block(values, key = "encoded_task_step");
    char path[IMPORT_PATH_MAX];
    path_key(path, base, key);
    if (bad) return;
    if (!step) {
        const char *other = tf_block(values, "docker_step")      ? "docker_step"
                            : tf_block(values, "file_step")      ? "file_step"
                            : tf_block(values, "file_task_step") ? "file_task_step"
                                                                 : NULL;
        if (other) skip_task(imp, t.name, base, "has a %s, not an encoded acr purge step", other);
        else import_error(imp, base, "task '%.80s' has no step (encoded_step, docker_step or file_step)", t.name);
        return;
    }
    const char *content = get_str(imp, step, "task_content", path, &bad);
    const char *vals = get_str(imp, step, "value_content", path, &bad);
    if (bad) return;
    if (!content) {
        import_error(imp, path, "task '%.80s': encoded step without task_content", t.name);
        return;
    }
    /* providers before 3.0 (block encoded_task_step) kept only a SHA-1 of the content in the state */
    if (strlen(content) == 40 && strspn(content, "0123456789abcdef") == 40) {
        skip_task(imp, t.name, path, "has only a SHA-1 hash of its task_content in the state (providers before "
                                     "3.0 kept no more): read the task with az acr task show -o json instead");
        return;
    }
    char cpath[IMPORT_PATH_MAX];
    path_key(cpath, path, "task_content");
    t.content = step_text(imp, content, cpath, true);
    if (vals && *vals) {
        path_key(cpath, path, "value_content");
        t.values = step_text(imp, vals, cpath, true);
    }
    import_task(imp, &t, base);
    free(t.content);
    free(t.values);
}

static void import_tf_module(struct importer *imp, const cJSON *mod, const char *base, int depth)
{
    if (!cJSON_IsObject(mod) || depth > IMPORT_TF_DEPTH) return;
    const cJSON *r;
    size_t i = 0;
    char path[IMPORT_PATH_MAX];
    path_key(path, base, "resources");
    cJSON_ArrayForEach(r, get(mod, "resources"))
    {
        char rpath[IMPORT_PATH_MAX], vpath[IMPORT_PATH_MAX];
        path_index(rpath, path, i++);
        const cJSON *type = get(r, "type"), *mode = get(r, "mode");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "azurerm_container_registry_task")) continue;
        if (cJSON_IsString(mode) && strcmp(mode->valuestring, "managed")) continue;
        path_key(vpath, rpath, "values");
        import_tf_task(imp, get(r, "values"), vpath);
    }
    i = 0;
    path_key(path, base, "child_modules");
    cJSON_ArrayForEach(r, get(mod, "child_modules"))
    {
        char cpath[IMPORT_PATH_MAX];
        path_index(cpath, path, i++);
        import_tf_module(imp, r, cpath, depth + 1);
    }
}

/* ---- the document -------------------------------------------------------------------------- */

static bool is_task(const cJSON *obj)
{
    return get(obj, "step") != NULL || get(obj, "trigger") != NULL ||
           type_is(obj, "Microsoft.ContainerRegistry/registries/tasks");
}

/* An object of az acr task show/list, or a REST/ARM resource body with properties. */
static void import_task_object(struct importer *imp, const cJSON *obj, const char *base)
{
    bool bad = false;
    const cJSON *props = get(obj, "properties");
    const char *name = get_str(imp, obj, "name", base, &bad);
    if (bad) return;
    if (!name) {
        import_error(imp, base, "a task without a name");
        return;
    }
    if (cJSON_IsObject(props) && !get(obj, "step")) {
        char ppath[IMPORT_PATH_MAX];
        path_key(ppath, base, "properties");
        char *tname = arm_task_name(name);
        import_az_task(imp, props, tname, ppath);
        free(tname);
        return;
    }
    import_az_task(imp, obj, name, base);
}

/* A list none of whose elements is a task: what it is instead, in one message for the file
 * (as ingest says of an event log given as the export), not one for each element. */
static void not_a_task_list(struct importer *imp, const cJSON *root)
{
    enum input_kind k = input_kind_of_element(root->child);
    char says[400];
    if (k == INPUT_EVENTS || k == INPUT_LISTING)
        import_error(imp, NULL, "%s", input_kind_says(k, "a policy file or a list of ACR tasks", says, sizeof says));
    else
        import_error(imp, NULL, "a list of %d elements, none of them an ACR task (as az acr task list -o json prints "
                                "them: objects with a step or a trigger)", cJSON_GetArraySize(root));
}

/* Another input given as the policy file, said in the words every loader uses (input_kind.h). */
static void not_a_setup(struct importer *imp, enum input_kind k)
{
    char says[400];
    import_error(imp, NULL, "%s", input_kind_says(k, "a policy file or an Azure task/configuration", says, sizeof says));
}

/* Another input whose JSON is broken too (an export cut short): named as import_document names
 * it whole, rather than by where its JSON breaks. False for a task list (a broken one keeps its
 * own error) and for JSON of no kind. */
static bool broken_other_input(struct importer *imp, enum input_kind k)
{
    if (k <= INPUT_JSON || k == INPUT_TASKS) return false;
    if (k == INPUT_EVENTS || k == INPUT_LISTING) {
        char says[400];
        import_error(imp, NULL, "%s", input_kind_says(k, "a policy file or a list of ACR tasks", says, sizeof says));
    } else {
        not_a_setup(imp, k);
    }
    return true;
}

/* The document's tree, or NULL with one message: where and why its JSON breaks, as the export
 * reader says it ("doc.json:79:22: expected ',' or '}', got end of file", the same strict RFC
 * 8259 check), or what other input it is. */
static cJSON *parse_document(struct importer *imp, const char *text, size_t len)
{
    struct js_parse_error err;
    cJSON *root = js_parse_text(text, len, 1, 1, &err);
    if (!root && !broken_other_input(imp, input_kind_of_json(NULL, text, len)))
        diag_error(imp->d, imp->label, err.line, err.col, NULL, "%s", err.msg);
    return root;
}

static void import_document(struct importer *imp, const cJSON *root)
{
    if (cJSON_IsArray(root)) {
        size_t i = 0;
        const cJSON *el;
        /* when some elements are tasks, each of the others is an error of its own */
        bool any_task = false;
        cJSON_ArrayForEach(el, root) any_task = any_task || (cJSON_IsObject(el) && is_task(el));
        if (root->child && !any_task) {
            not_a_task_list(imp, root);
            return;
        }
        cJSON_ArrayForEach(el, root)
        {
            char path[IMPORT_PATH_MAX];
            path_index(path, "", i++);
            if (!cJSON_IsObject(el) || !is_task(el)) {
                import_error(imp, path, "expected an ACR task (as az acr task list -o json prints them)");
                continue;
            }
            import_task_object(imp, el, path);
        }
        if (i == 0) import_error(imp, NULL, "an empty list: no ACR task to import");
        return;
    }
    if (!cJSON_IsObject(root)) {
        import_error(imp, NULL, "expected a JSON object or a list of tasks");
        return;
    }
    const cJSON *res = get(root, "resources");
    if (res && (get(root, "$schema") || get(root, "contentVersion"))) {
        imp->arm.arm = root;
        size_t i = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, res)
        {
            char path[IMPORT_PATH_MAX];
            /* languageVersion 2.0 templates key their resources by symbolic name */
            if (cJSON_IsObject(res)) path_key(path, "resources", r->string);
            else path_index(path, "resources", i);
            i++;
            import_arm_resource(imp, r, path, false, 0);
        }
        return;
    }
    if (get(root, "format_version") || get(root, "terraform_version")) {
        const char *top = get(root, "values") ? "values" : "planned_values";
        char path[IMPORT_PATH_MAX];
        path_key(path, top, "root_module");
        import_tf_module(imp, get(get(root, top), "root_module"), path, 0);
        return;
    }
    if (get(root, "repositories") || get(root, "exportedAt") || get(root, "manifests")) {
        not_a_setup(imp, INPUT_EXPORT);
        return;
    }
    if (is_task(root)) {
        import_task_object(imp, root, "");
        return;
    }
    const cJSON *pol = get(root, "policies");
    if (cJSON_IsObject(pol)) {
        if (get(pol, "retentionPolicy"))
            import_setting(imp, get(pol, "retentionPolicy"), true, "policies.retentionPolicy", "registry");
        if (get(pol, "softDeletePolicy"))
            import_setting(imp, get(pol, "softDeletePolicy"), false, "policies.softDeletePolicy", "registry");
        if (!imp->n_added && imp->errors == imp->d->n_total) {
            struct policy *p = target_policy(imp, "registry");
            policy_add_warning(imp->ps, p, "%s: neither the retention policy nor soft delete is enabled: the "
                                           "registry's settings delete nothing", imp->label);
            imp->n_added++;
        }
        return;
    }
    if (get(root, "retentionDays")) {
        import_setting(imp, root, false, "", "soft-delete");
        return;
    }
    if (get(root, "days") && get(root, "status")) {
        import_setting(imp, root, true, "", "retention");
        return;
    }
    /* the other JSON inputs (pricing.c and events_json.c read these keys) */
    if (get(root, "skus") && get(root, "overage_per_gb_day")) {
        not_a_setup(imp, INPUT_PRICES);
        return;
    }
    if (cJSON_IsArray(get(root, "tables"))) {
        not_a_setup(imp, INPUT_EVENTS_REST);
        return;
    }
    import_error(imp, NULL, "JSON that is neither a policy file nor Azure's description of tasks or registry "
                            "settings (az acr task list/show, az acr config retention/soft-delete show, az acr "
                            "show, an ARM template, terraform show -json)");
}

int policy_import_json(struct policy_set *ps, const char *label, const char *text, size_t len,
                       const struct purgecmd_opts *o, const struct policy_import_opts *io, struct diag *d)
{
    struct importer imp = {ps, label, o, io ? io->group : NULL, d, d->n_total, {NULL, NULL}, 0, 0};
    if (imp.group && (!policy_name_valid(imp.group) || !strcmp(imp.group, "baseline"))) {
        diag_msg(d, "--policy-group: \"%s\" must be 1-63 letters, digits, '-', '_', '.' or '+', and not baseline",
                 imp.group);
        return ERR_INPUT;
    }
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    cJSON *root = parse_document(&imp, text, len);
    if (!root) return ERR_INPUT;
    imp.arm.scratch = cJSON_CreateArray();
    import_document(&imp, root);
    cJSON_Delete(imp.arm.scratch);
    cJSON_Delete(root);
    if (d->n_total == imp.errors && !imp.n_added) {
        if (imp.group) {
            struct policy *p = target_policy(&imp, imp.group);
            policy_add_warning(ps, p, "%s: no acr purge task (%zu skipped) and no registry setting: the policy "
                                      "deletes nothing", label, imp.n_skipped);
        } else {
            diag_msg(d, "%s: no acr purge task (%zu skipped) and no registry setting to import", label, imp.n_skipped);
        }
    }
    return d->n_total == imp.errors ? PS_OK : ERR_INPUT;
}
