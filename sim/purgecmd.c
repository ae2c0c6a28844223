/* purgecmd.c - acr purge command lines (and their az wrappers) -> validated purge rules. */
#include "purgecmd.h"

#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "duration.h"

/* PCRE2 limits: a pathological filter fails like acr purge's filter timeout instead of
 * running for minutes. */
#define REGEX_MATCH_LIMIT 1000000u
#define REGEX_DEPTH_LIMIT 10000u

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- versions --------------------------------------------------------------------- */

#define VERSION_MIN_MINOR 11
#define VERSION_MAX_MINOR 19

bool purgecmd_version_parse(const char *text, enum acr_version *out)
{
    if (!text) return false;
    if (!strcasecmp(text, "current")) {
        *out = ACR_CLI_CURRENT;
        return true;
    }
    const char *p = text;
    if (*p == 'v') p++;
    if (p[0] != '0' || p[1] != '.') return false;
    p += 2;
    /* the minor: two digits, no sign, no leading zero */
    if (!(p[0] >= '1' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9')) return false;
    int minor = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (*p == '.') {
        /* a patch release: one or more digits, no leading zero except "0" itself */
        p++;
        if (!(*p >= '0' && *p <= '9') || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p || minor < VERSION_MIN_MINOR || minor > VERSION_MAX_MINOR) return false;
    /* 0.17 added --include-locked and made --untagged honour --ago; 0.18 capped --ago at 150
     * years, added --untagged-only and applied --keep to untagged manifests too */
    *out = minor <= 16 ? ACR_CLI_0_16 : minor == 17 ? ACR_CLI_0_17 : ACR_CLI_CURRENT;
    return true;
}

const char *purgecmd_versions_supported(void)
{
    return "current or one of 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19";
}

const char *purgecmd_version_name(enum acr_version v)
{
    switch (v) {
    case ACR_CLI_0_16: return "0.11-0.16";   /* one family: the user's 0.13 is modelled as this */
    case ACR_CLI_0_17: return "0.17";
    case ACR_CLI_CURRENT: break;
    }
    return "current";
}

/* ---- shell-style splitting -------------------------------------------------------- */

struct wordbuf {
    char *s;
    size_t n, cap;
};

static void wb_push(struct wordbuf *w, char c)
{
    xgrow((void **)&w->s, &w->cap, w->n + 2, 1);
    w->s[w->n++] = c;
    w->s[w->n] = '\0';
}

int purgecmd_split(const char *line, char ***words_out, char *err, size_t errlen)
{
    char **words = NULL;
    size_t n = 0, cap = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        struct wordbuf w = {NULL, 0, 0};
        wb_push(&w, '\0');
        w.n = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) goto unterminated_single;
                for (p++; p < q; p++) wb_push(&w, *p);
                p++;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    /* inside double quotes a backslash escapes only $ ` " \ and newline */
                    if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                        if (p[1] != '\n') wb_push(&w, p[1]);
                        p += 2;
                    } else {
                        wb_push(&w, *p++);
                    }
                }
                if (!*p) goto unterminated_double;
                p++;
            } else if (*p == '\\') {
                if (p[1] == '\n') p += 2;              /* line continuation */
                else if (p[1]) { wb_push(&w, p[1]); p += 2; }
                else p++;
            } else {
                wb_push(&w, *p++);
            }
            continue;
        unterminated_single:
            set_err(err, errlen, "unterminated single quote");
            goto fail_word;
        unterminated_double:
            set_err(err, errlen, "unterminated double quote");
            goto fail_word;
        fail_word:
            free(w.s);
            purgecmd_free_words(words, (int)n);
            return -1;
        }
        xgrow((void **)&words, &cap, n + 2, sizeof *words);
        words[n++] = w.s;
        words[n] = NULL;
    }
    if (!words) words = xcalloc(1, sizeof *words);
    *words_out = words;
    return (int)n;
}

void purgecmd_free_words(char **words, int n)
{
    if (!words) return;
    for (int i = 0; i < n; i++) free(words[i]);
    free(words);
}

/* ---- regexes ---------------------------------------------------------------------- */

/* acr-cli's regex engine (regexp2) words the common errors its own way; use its words where
 * the meaning is the same, PCRE2's elsewhere. */
static const char *regexp2_wording(int code, const char *pcre2_text)
{
    switch (code) {
    case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS: return "missing closing )";
    case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS: return "unexpected )";
    case PCRE2_ERROR_MISSING_SQUARE_BRACKET: return "unterminated [] set";
    default: return pcre2_text;
    }
}

bool purgecmd_shell_variable(const char *text, char *name, size_t n)
{
    for (const char *p = text; *p; p++) {
        if (*p != '$') continue;
        const char *q = p + 1;
        bool brace = *q == '{';
        if (brace) q++;
        if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_')) continue;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_') q++;
        if (brace) {
            if (*q != '}') continue;
            q++;
        }
        if (n) snprintf(name, n, "%.*s", (int)(q - p), p);
        return true;
    }
    return false;
}

void *purgecmd_compile_regex(const char *pattern, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR what[256];
        pcre2_get_error_message(code, what, sizeof what);
        set_err(err, errlen, "error parsing regexp: %s in `%s`", regexp2_wording(code, (const char *)what),
                pattern);
        return NULL;
    }
    return re;
}

struct purgecmd_matcher {
    const pcre2_code *re;
    pcre2_match_data *md;
    pcre2_match_context *mc;
};

struct purgecmd_matcher *purgecmd_matcher_new(const void *code)
{
    struct purgecmd_matcher *mt = xcalloc(1, sizeof *mt);
    mt->re = code;
    /* one pair is enough: only whether it matched is used (a match then returns 0) */
    mt->md = pcre2_match_data_create(1, NULL);
    mt->mc = pcre2_match_context_create(NULL);
    if (!mt->md || !mt->mc) {
        fputs("purgesim: out of memory\n", stderr);
        abort();
    }
    pcre2_set_match_limit(mt->mc, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(mt->mc, REGEX_DEPTH_LIMIT);
    return mt;
}

int purgecmd_matcher_match(struct purgecmd_matcher *mt, const char *subject)
{
    int rc = pcre2_match(mt->re, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, mt->md, mt->mc);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return -1;
}

void purgecmd_matcher_free(struct purgecmd_matcher *mt)
{
    if (!mt) return;
    pcre2_match_data_free(mt->md);
    pcre2_match_context_free(mt->mc);
    free(mt);
}

int purgecmd_regex_match(const void *code, const char *subject)
{
    struct purgecmd_matcher *mt = purgecmd_matcher_new(code);
    int rc = purgecmd_matcher_match(mt, subject);
    purgecmd_matcher_free(mt);
    return rc;
}

void purgecmd_regex_free(void *code)
{
    pcre2_code_free(code);
}

/* ---- filters (§3) ----------------------------------------------------------------- */

/* True when the colon at s[i] is acr purge's splitting colon. */
static bool is_splitting_colon(const char *s, size_t i)
{
    if (s[i + 1] == ']') return false;                     /* "[[:alpha:]]" closing */
    size_t b = i;
    while (b > 0 && s[b - 1] == '^') b--;                  /* "[:", "[^:", "[^^:" */
    if (b > 0 && s[b - 1] == '[') return false;
    /* "(?" plus at most 5 characters from "imsU-" */
    size_t k = i, flags = 0;
    while (k > 0 && flags <= 5 && strchr("imsU-", s[k - 1]) && s[k - 1]) {
        k--;
        flags++;
    }
    for (size_t f = 0; f <= flags && f <= 5; f++) {
        size_t start = i - f;   /* flags s[start..i) */
        if (start >= 2 && s[start - 1] == '?' && s[start - 2] == '(') return false;
    }
    return true;
}

static bool split_filter(const char *text, struct purge_filter *f, char *err, size_t errlen)
{
    size_t n = strlen(text), colon = 0, found = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] == ':' && is_splitting_colon(text, i)) {
            found++;
            colon = i;
        }
    if (found != 1) {
        set_err(err, errlen, "unable to correctly parse filter flag");
        return false;
    }
    if (colon == 0) {
        set_err(err, errlen, "missing repository name/expression");
        return false;
    }
    if (colon + 1 == n) {
        set_err(err, errlen, "missing tag name/expression");
        return false;
    }
    f->repo_re = xmalloc(colon + 1);
    memcpy(f->repo_re, text, colon);
    f->repo_re[colon] = '\0';
    f->tag_re = xstrdup(text + colon + 1);
    return true;
}

/* ---- flags ------------------------------------------------------------------------ */

enum flag_type { FT_BOOL, FT_INT, FT_STRING, FT_STRINGS };

struct flag_spec {
    const char *name;
    char shorthand;
    enum flag_type type;
    enum acr_version since;   /* the first family that knows it (acr-cli's history) */
};

/* clang-format off */
static const struct flag_spec FLAGS[] = {
    {"filter", 'f', FT_STRINGS, ACR_CLI_0_16},
    {"ago", 0, FT_STRING, ACR_CLI_0_16},
    {"keep", 0, FT_INT, ACR_CLI_0_16},
    {"untagged", 0, FT_BOOL, ACR_CLI_0_16},
    {"untagged-only", 0, FT_BOOL, ACR_CLI_CURRENT},    /* acr-cli v0.18 (PR #489) */
    {"include-locked", 0, FT_BOOL, ACR_CLI_0_17},      /* acr-cli v0.17 (PR #479) */
    {"dry-run", 0, FT_BOOL, ACR_CLI_0_16},
    {"concurrency", 0, FT_INT, ACR_CLI_0_16},
    {"repository-page-size", 0, FT_INT, ACR_CLI_0_16},
    {"filter-timeout-seconds", 0, FT_INT, ACR_CLI_0_16},
    {"verbose", 0, FT_BOOL, ACR_CLI_CURRENT},
    {"registry", 'r', FT_STRING, ACR_CLI_0_16},
    {"username", 'u', FT_STRING, ACR_CLI_0_16},
    {"password", 'p', FT_STRING, ACR_CLI_0_16},
    {"config", 0, FT_STRING, ACR_CLI_0_16},
    {"help", 'h', FT_BOOL, ACR_CLI_0_16},
};
/* clang-format on */
#define N_FLAGS (sizeof FLAGS / sizeof FLAGS[0])

struct flag_values {
    bool changed[N_FLAGS];
    long long ints[N_FLAGS];
    bool bools[N_FLAGS];
    const char *strings[N_FLAGS];
    const char **list;        /* --filter values in order */
    size_t n_list, cap_list;
};

/* Release order of the families (the enum's values are not in release order). */
static int version_rank(enum acr_version v)
{
    switch (v) {
    case ACR_CLI_0_16: return 0;
    case ACR_CLI_0_17: return 1;
    case ACR_CLI_CURRENT: break;
    }
    return 2;
}

static int find_flag(const char *name, size_t len, char shorthand, enum acr_version v)
{
    for (size_t i = 0; i < N_FLAGS; i++) {
        if (version_rank(v) < version_rank(FLAGS[i].since)) continue;
        if (shorthand ? FLAGS[i].shorthand == shorthand
                      : (strlen(FLAGS[i].name) == len && !strncmp(FLAGS[i].name, name, len)))
            return (int)i;
    }
    return -1;
}

static int flag_index(const char *name)
{
    for (size_t i = 0; i < N_FLAGS; i++)
        if (!strcmp(FLAGS[i].name, name)) return (int)i;
    return -1;
}

/* pflag's "invalid argument" message names the flag as "-x, --name" when it has a shorthand. */
static void flag_label(int fi, char *buf, size_t n)
{
    if (FLAGS[fi].shorthand) snprintf(buf, n, "-%c, --%s", FLAGS[fi].shorthand, FLAGS[fi].name);
    else snprintf(buf, n, "--%s", FLAGS[fi].name);
}

/* Go's strconv.ParseInt(s, 0, 64) as pflag's int flag uses it (base prefixes, '_' allowed
 * only with a prefix; we accept plain decimal and 0x/0o/0b). */
static bool parse_go_int(const char *s, long long *out)
{
    if (!*s) return false;
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) base = 8, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) base = 2, p += 2;
    else if (p[0] == '0' && p[1]) base = 8, p += 1;
    if (!*p || *p == '+' || *p == '-' || *p == ' ') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(p, &end, base);
    if (*end || errno) return false;
    if (!neg && v > (unsigned long long)INT64_MAX) return false;
    if (neg && v > (unsigned long long)INT64_MAX + 1) return false;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

static bool parse_go_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < 6; i++) {
        if (!strcmp(s, yes[i])) { *out = true; return true; }
        if (!strcmp(s, no[i])) { *out = false; return true; }
    }
    return false;
}

static bool set_flag(struct flag_values *fv, int fi, const char *value, char *err, size_t errlen)
{
    char label[64];
    flag_label(fi, label, sizeof label);
    fv->changed[fi] = true;
    switch (FLAGS[fi].type) {
    case FT_BOOL:
        if (!parse_go_bool(value, &fv->bools[fi])) {
            set_err(err, errlen, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax",
                    value, label, value);
            return false;
        }
        return true;
    case FT_INT:
        if (!parse_go_int(value, &fv->ints[fi])) {
            set_err(err, errlen, "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing \"%s\": %s",
                    value, label, value, "invalid syntax");
            return false;
        }
        return true;
    case FT_STRING:
        fv->strings[fi] = value;
        return true;
    case FT_STRINGS:
        xgrow((void **)&fv->list, &fv->cap_list, fv->n_list + 1, sizeof *fv->list);
        fv->list[fv->n_list++] = value;
        return true;
    }
    return true;
}

/* pflag parsing of acr purge's arguments. */
static bool parse_flags(char *const *args, int n, enum acr_version v, struct flag_values *fv,
                        char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (!strcmp(a, "--")) break;   /* the rest are positional, which acr purge ignores */
        if (a[0] != '-' || !a[1]) continue;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int fi = find_flag(name, len, 0, v);
            if (fi < 0) {
                set_err(err, errlen, "unknown flag: --%.*s", (int)len, name);
                return false;
            }
            const char *value;
            if (eq) value = eq + 1;
            else if (FLAGS[fi].type == FT_BOOL) value = "true";
            else if (i + 1 < n) value = args[++i];
            else {
                set_err(err, errlen, "flag needs an argument: --%s", FLAGS[fi].name);
                return false;
            }
            if (!set_flag(fv, fi, value, err, errlen)) return false;
            continue;
        }
        /* shorthand cluster: -f VALUE, -fVALUE, -f=VALUE */
        for (const char *c = a + 1; *c; c++) {
            int fi = find_flag(NULL, 0, *c, v);
            if (fi < 0) {
                set_err(err, errlen, "unknown shorthand flag: '%c' in %s", *c, a);
                return false;
            }
            const char *value;
            if (c[1] == '=') value = c + 2;
            else if (FLAGS[fi].type == FT_BOOL) value = "true";
            else if (c[1]) value = c + 1;
            else if (i + 1 < n) value = args[++i];
            else {
                set_err(err, errlen, "flag needs an argument: '%c' in %s", *c, a);
                return false;
            }
            if (!set_flag(fv, fi, value, err, errlen)) return false;
            if (FLAGS[fi].type != FT_BOOL || c[1] == '=') break;
        }
    }
    return true;
}

/* ---- wrappers --------------------------------------------------------------------- */

/* Finds `--name VALUE` / `--name=VALUE` among az's words; returns the value or NULL. */
static const char *az_option(char *const *w, int n, const char *name, const char *shorthand, int *from)
{
    size_t len = strlen(name);
    for (int i = from ? *from : 0; i < n; i++) {
        const char *a = w[i];
        if ((!strcmp(a, name) || (shorthand && !strcmp(a, shorthand))) && i + 1 < n) {
            if (from) *from = i + 2;
            return w[i + 1];
        }
        if (!strncmp(a, name, len) && a[len] == '=') {
            if (from) *from = i + 1;
            return a + len + 1;
        }
    }
    return NULL;
}

/* The registry as acr-cli's LoginURL writes it. */
static char *login_url(const char *registry)
{
    if (strchr(registry, '.')) return xstrdup(registry);
    size_t n = strlen(registry) + sizeof ".azurecr.io";
    char *s = xmalloc(n);
    snprintf(s, n, "%s.azurecr.io", registry);
    return s;
}

static enum purgecmd_status parse_purge_words(char *const *w, int n, const struct purgecmd_opts *o,
                                              struct purge_rule *rule, char *err, size_t errlen);

static enum purgecmd_status parse_cmd_string(const char *cmd, const struct purgecmd_opts *o,
                                             struct purge_rule *rule, char *err, size_t errlen)
{
    char **w;
    int n = purgecmd_split(cmd, &w, err, errlen);
    if (n < 0) return PURGECMD_NOT_PURGE;
    enum purgecmd_status st = parse_purge_words(w, n, o, rule, err, errlen);
    purgecmd_free_words(w, n);
    return st;
}

enum purgecmd_status purge_rule_parse(char *const *w, int n, const struct purgecmd_opts *o,
                                      struct purge_rule *rule, char *err, size_t errlen)
{
    memset(rule, 0, sizeof *rule);
    rule->version = o->version;
    if (n >= 3 && !strcmp(w[0], "az") && !strcmp(w[1], "acr") &&
        (!strcmp(w[2], "run") || (n >= 4 && !strcmp(w[2], "task") && !strcmp(w[3], "create")))) {
        const char *cmd = az_option(w, n, "--cmd", NULL, NULL);
        if (!cmd) {
            set_err(err, errlen, "az acr %s: no --cmd \"acr purge ...\" found", w[2]);
            return PURGECMD_NOT_PURGE;
        }
        enum purgecmd_status st = parse_cmd_string(cmd, o, rule, err, errlen);
        if (!strcmp(w[2], "task")) {
            int from = 0;
            const char *s;
            while ((s = az_option(w, n, "--schedule", NULL, &from)) &&
                   rule->n_schedules < PURGE_MAX_SCHEDULES)
                rule->schedules[rule->n_schedules++] = xstrdup(s);
            const char *name = az_option(w, n, "--name", "-n", NULL);
            if (name) rule->task_name = xstrdup(name);
            /* az's enum values are case-insensitive */
            const char *status = az_option(w, n, "--status", NULL, NULL);
            if (status && !strcasecmp(status, "Disabled")) rule->task_disabled = true;
        }
        const char *reg = az_option(w, n, "--registry", "-r", NULL);
        if (reg && *reg) rule->az_registry = login_url(reg);
        return st;
    }
    return parse_purge_words(w, n, o, rule, err, errlen);
}

enum purgecmd_status purge_rule_parse_line(const char *line, const struct purgecmd_opts *o,
                                           struct purge_rule *rule, char *err, size_t errlen)
{
    char **w;
    memset(rule, 0, sizeof *rule);
    int n = purgecmd_split(line, &w, err, errlen);
    if (n < 0) return PURGECMD_NOT_PURGE;
    enum purgecmd_status st = purge_rule_parse(w, n, o, rule, err, errlen);
    purgecmd_free_words(w, n);
    return st;
}

static enum purgecmd_status parse_purge_words(char *const *w, int n, const struct purgecmd_opts *o,
                                              struct purge_rule *rule, char *err, size_t errlen)
{
    /* "acr purge ..." (also "acr" with a path prefix, as in the ACR Task image) */
    if (n < 2 || strcmp(w[1], "purge") || (strcmp(w[0], "acr") && !strstr(w[0], "/acr"))) {
        set_err(err, errlen, "not an acr purge command (expected \"acr purge ...\", "
                             "\"az acr run --cmd ...\" or \"az acr task create ... --cmd ...\")");
        return PURGECMD_NOT_PURGE;
    }
    rule->version = o->version;
    struct flag_values fv;
    memset(&fv, 0, sizeof fv);
    enum purgecmd_status st = PURGECMD_INVALID;
    if (!parse_flags(w + 2, n - 2, o->version, &fv, err, errlen)) goto out;

    const int f_filter = flag_index("filter"), f_ago = flag_index("ago"),
              f_keep = flag_index("keep"), f_untagged = flag_index("untagged"),
              f_only = flag_index("untagged-only"), f_locked = flag_index("include-locked"),
              f_conc = flag_index("concurrency"), f_reg = flag_index("registry"),
              f_dry = flag_index("dry-run"), f_timeout = flag_index("filter-timeout-seconds");
    const char *ago = fv.changed[f_ago] ? fv.strings[f_ago] : NULL;
    if (fv.bools[flag_index("help")]) {
        /* cobra prints the help and runs nothing */
        set_err(err, errlen, "acr purge --help prints the help and deletes nothing");
        st = PURGECMD_NOT_PURGE;
        goto out;
    }

    /* 0.16 and 0.17 mark --filter and --ago required; 0.18 replaced that with flag groups */
    const bool legacy = o->version != ACR_CLI_CURRENT;
    if (legacy) {
        /* cobra's required flags, named in sorted order */
        bool no_ago = !fv.changed[f_ago], no_filter = !fv.changed[f_filter];
        if (no_ago || no_filter) {
            set_err(err, errlen, "required flag(s) %s%s%s not set", no_ago ? "\"ago\"" : "",
                    no_ago && no_filter ? ", " : "", no_filter ? "\"filter\"" : "");
            goto out;
        }
    } else {
        /* flag groups (cobra counts a flag as set when it was given at all) */
        if (!fv.changed[f_filter] && !fv.changed[f_only]) {
            set_err(err, errlen, "at least one of the flags in the group [filter untagged-only] is required");
            goto out;
        }
        if (fv.changed[f_untagged] && fv.changed[f_only]) {
            set_err(err, errlen, "if any flags in the group [untagged untagged-only] are set none of the "
                                 "others can be; [untagged untagged-only] were all set");
            goto out;
        }
    }
    rule->untagged = fv.bools[f_untagged];
    /* find_flag refused these where the release lacks them, so they are false there */
    rule->untagged_only = fv.bools[f_only];
    rule->include_locked = fv.bools[f_locked];
    rule->dry_run = fv.bools[f_dry];
    rule->keep = fv.ints[f_keep];
    rule->filter_timeout_seconds = fv.changed[f_timeout] && fv.ints[f_timeout] > 0 ? fv.ints[f_timeout] : 60;
    if (fv.changed[f_reg] && fv.strings[f_reg][0]) rule->registry = login_url(fv.strings[f_reg]);
    /* --ago '' counts as not given today; 0.16 and 0.17 take it and fail in the run */
    if (ago && !*ago && !legacy) ago = NULL;
    if (o->version == ACR_CLI_CURRENT && !rule->untagged_only) {
        if (fv.n_list == 0) {
            set_err(err, errlen, "--filter is required when not using --untagged-only");
            goto out;
        }
        if (!ago) {
            set_err(err, errlen, "--ago is required when not using --untagged-only");
            goto out;
        }
    }
    if (ago) {
        rule->ago_text = xstrdup(ago);
        struct duration_result dr;
        if (legacy) {
            /* 0.16 and 0.17 parse --ago inside the run, per repository, without a cap: a day
             * count past 106751 wraps Go's int64 nanoseconds (duration.h) */
            if (duration_parse_ago_v016(ago, &dr) == DURATION_OK) {
                rule->ago_ns = dr.ns;
                rule->ago_wrapped = dr.wrapped;
            } else {
                rule->ago_error = true;
                snprintf(rule->ago_err, sizeof rule->ago_err, "%s", dr.err);
            }
        } else {
            enum duration_status ds = duration_parse_ago(ago, &dr);
            rule->ago_capped = dr.capped;
            if (ds != DURATION_OK) {
                set_err(err, errlen, "%s", dr.err);
                goto out;
            }
            rule->ago_ns = dr.ns;
        }
    }
    if (fv.changed[f_conc]) {
        char line[128];
        if (fv.ints[f_conc] > 32) {
            snprintf(line, sizeof line, "Specified concurrency value too large. Set to maximum value: 32 ");
            rule->concurrency_warning = xstrdup(line);
        } else if (fv.ints[f_conc] <= 0) {
            snprintf(line, sizeof line, "Specified concurrency value invalid. Set to default value: %d ",
                     o->concurrency_default);
            rule->concurrency_warning = xstrdup(line);
        }
    }
    /* each filter in flag order: split, then compile the anchored repository regex */
    rule->filters = xcalloc(fv.n_list ? fv.n_list : 1, sizeof *rule->filters);
    for (size_t i = 0; i < fv.n_list; i++) {
        struct purge_filter *f = &rule->filters[rule->n_filters++];
        f->text = xstrdup(fv.list[i]);
        if (!split_filter(f->text, f, err, errlen)) goto out;
        size_t len = strlen(f->repo_re) + 3;
        char *anchored = xmalloc(len);
        snprintf(anchored, len, "^%s$", f->repo_re);
        f->repo_code = purgecmd_compile_regex(anchored, err, errlen);
        free(anchored);
        if (!f->repo_code) goto out;
    }
    st = PURGECMD_OK;
out:
    free(fv.list);
    return st;
}

void purge_rule_free(struct purge_rule *rule)
{
    if (!rule) return;
    for (size_t i = 0; i < rule->n_filters; i++) {
        free(rule->filters[i].text);
        free(rule->filters[i].repo_re);
        free(rule->filters[i].tag_re);
        if (rule->filters[i].repo_code) purgecmd_regex_free(rule->filters[i].repo_code);
    }
    free(rule->filters);
    free(rule->ago_text);
    free(rule->concurrency_warning);
    free(rule->registry);
    for (size_t i = 0; i < rule->n_schedules; i++) free(rule->schedules[i]);
    free(rule->task_name);
    free(rule->az_registry);
    memset(rule, 0, sizeof *rule);
}
