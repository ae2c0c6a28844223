/* input_kind.c - what an input file looks like, for one-line mix-up messages (input_kind.h). */
#include "input_kind.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "inuse.h"
#include "jstream.h"
#include "textfile.h"
#include "tune.h"

/* A value skipped on the way to a decisive key is at most this long, and at most this many keys
 * are looked at: the sniff only reads a file's head (the kinds it knows put their decisive keys
 * first or close to it), whatever the file's size. */
#define SNIFF_VALUE_LIMIT ((size_t)1 << 20)
#define SNIFF_MAX_KEYS 64

static const struct {
    const char *what, *hint;
} KINDS[] = {
    [INPUT_EXPORT] = {"a registry export", "an export goes with -i"},
    [INPUT_LISTING] = {"a listing of manifests or tags (digest)", "an export goes with -i"},
    [INPUT_EVENTS] = {"an event log (OperationName, TimeGenerated)", "give it with --events"},
    [INPUT_EVENTS_REST] = {"an event log (the tables of a Log Analytics query)", "give it with --events"},
    [INPUT_EVENTS_CSV] = {"an event log (CSV with TimeGenerated and OperationName columns)", "give it with --events"},
    [INPUT_PRICES] = {"a price table (currency, skus, overage_per_gb_day)", "give it with --pricing"},
    [INPUT_POLICIES] = {"a policy file ([name] sections, az or acr command lines)", "give it with -p"},
    [INPUT_TASKS] = {"Azure's description of ACR tasks (step, trigger)", "give it with -p"},
    [INPUT_PODS] = {"kubectl's list of pods (items)", "give it with --in-use"},
    [INPUT_INUSE_LIST] = {"an in-use list (image references, one a line)", "give it with --in-use"},
    [INPUT_GRID] = {"a tune grid file (KEY = VALUES lines)", "give it to tune with --grid"},
};

enum input_kind input_kind_of_key(const char *key)
{
    static const struct {
        const char *key;
        enum input_kind kind;
    } KEYS[] = {
        {"repositories", INPUT_EXPORT}, {"exportedAt", INPUT_EXPORT},  {"imageName", INPUT_EXPORT},
        {"manifests", INPUT_EXPORT},    {"skus", INPUT_PRICES},        {"overage_per_gb_day", INPUT_PRICES},
        {"tables", INPUT_EVENTS_REST},  {"step", INPUT_TASKS},         {"trigger", INPUT_TASKS},
        {"items", INPUT_PODS},
    };
    for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++)
        if (!strcmp(key, KEYS[i].key)) return KEYS[i].kind;
    return INPUT_UNKNOWN;
}

static bool starts_with_word(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n > k && !memcmp(s, word, k) && (s[k] == ' ' || s[k] == '\t');
}

size_t input_kind_section_len(const char *s, size_t n)
{
    if (!n || s[0] != '[') return 0;
    size_t i = 1;   /* s[i] first: strchr finds a NUL byte (its terminator) */
    while (i < n && s[i] && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+", s[i])) i++;
    return i > 1 && i < n && s[i] == ']' ? i + 1 : 0;
}

/* An in-use list's line (inuse.c's grammar, a '#' comment allowed) that starts like a registry
 * or repository name and has a '/', ':' or '@': a bare word ("true", "1234") or a line of JSON
 * could be anything. */
static bool reference_line(const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    size_t k = hash ? (size_t)(hash - s) : n;
    return k && isalnum((unsigned char)s[0]) && (memchr(s, '/', k) || memchr(s, ':', k) || memchr(s, '@', k)) &&
           inuse_line_is_reference(s, n);
}

enum input_kind input_kind_of_line(const char *s, size_t n)
{
    while (n && strchr(" \t", *s) && *s) s++, n--;
    while (n && strchr(" \t\r\n", s[n - 1]) && s[n - 1]) n--;
    bool section = n && input_kind_section_len(s, n) == n;   /* the whole line, unlike the export's check */
    if (section || starts_with_word(s, n, "az") || starts_with_word(s, n, "acr")) return INPUT_POLICIES;
    /* the portal's header row: no other input has a comma in its first line */
    if (memchr(s, ',', n) && memmem(s, n, "TimeGenerated", 13) && memmem(s, n, "OperationName", 13))
        return INPUT_EVENTS_CSV;
    /* never for the in-use list's own bad lines: it asks only about a line it cannot read */
    if (reference_line(s, n)) return INPUT_INUSE_LIST;
    /* the grid's own grammar (tune_grid.c): a known key, then '=' */
    if (tune_grid_line_is_setting(s, n)) return INPUT_GRID;
    return INPUT_UNKNOWN;
}

enum input_kind input_kind_of_text(const char *s, size_t n)
{
    size_t i = n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n, b = i;
        while (b < end && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) b++;
        if (b < end && s[b] != '#' && s[b] != ';') return input_kind_of_line(s + b, end - b);
        i = end + 1;
    }
    return INPUT_UNKNOWN;
}

/* An object's keys, up to the first decisive one. */
static enum input_kind object_kind(struct jstream *js)
{
    if (!js_expect(js, '{', "")) return INPUT_UNKNOWN;
    bool done = js_peek(js) == '}';
    for (int i = 0; i < SNIFF_MAX_KEYS && !done; i++) {
        char key[64];
        if (!js_read_key(js, key, sizeof key, "")) return INPUT_UNKNOWN;
        enum input_kind k = input_kind_of_key(key);
        if (k != INPUT_UNKNOWN) return k;
        if (!js_capture(js, key) || !js_next_member(js, '}', "", &done)) break;
    }
    return INPUT_JSON;
}

enum input_kind input_kind_of_element(const cJSON *o)
{
    if (!cJSON_IsObject(o)) return INPUT_JSON;
    if (cJSON_GetObjectItemCaseSensitive(o, "OperationName") && cJSON_GetObjectItemCaseSensitive(o, "TimeGenerated"))
        return INPUT_EVENTS;
    if (cJSON_GetObjectItemCaseSensitive(o, "digest")) return INPUT_LISTING;
    if (cJSON_GetObjectItemCaseSensitive(o, "step") || cJSON_GetObjectItemCaseSensitive(o, "trigger"))
        return INPUT_TASKS;
    return INPUT_JSON;
}

/* An array's first element. "[name]" (a policy file's section) is not JSON: unknown. */
static enum input_kind array_kind(struct jstream *js)
{
    if (!js_expect(js, '[', "")) return INPUT_UNKNOWN;
    int c = js_peek(js);
    if (c == ']' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9')) return INPUT_JSON;
    if (c != '{') return INPUT_UNKNOWN;
    /* cut short or malformed, it is still JSON, not a line format */
    if (!js_capture(js, "[0]")) return INPUT_JSON;
    cJSON *o = js_parse_captured(js, "[0]");
    if (!o) return INPUT_JSON;
    enum input_kind k = input_kind_of_element(o);
    js_tree_release(o);
    return k;
}

enum input_kind input_kind_of_json(const char *path, const char *text, size_t len)
{
    /* the sniff's own syntax errors are no concern of the caller's */
    struct diag quiet;
    memset(&quiet, 0, sizeof quiet);
    struct jstream js;
    enum input_kind k = INPUT_UNKNOWN;
    if (textfile_open_json(&js, path, text, len, "", &quiet) == PS_OK) {
        js.cap_limit = SNIFF_VALUE_LIMIT;
        textfile_skip_bom(&js);
        int c = js_peek(&js);
        k = c == '{' ? object_kind(&js) : c == '[' ? array_kind(&js) : INPUT_UNKNOWN;
        js_close(&js);
    }
    diag_free(&quiet);
    return k;
}

enum input_kind input_kind_of(const char *s, size_t n)
{
    enum input_kind k = input_kind_of_json(NULL, s, n);
    return k != INPUT_UNKNOWN ? k : input_kind_of_text(s, n);
}

enum input_kind input_kind_of_stream(FILE *fp)
{
    const size_t head_max = (size_t)64 << 10;
    char *head = xmalloc(head_max);
    size_t n = fread(head, 1, head_max, fp);
    rewind(fp);
    enum input_kind k = input_kind_of(head, n);
    free(head);
    return k;
}

const char *input_kind_says(enum input_kind k, const char *expected, char *buf, size_t len)
{
    if (k <= INPUT_JSON || (size_t)k >= sizeof KINDS / sizeof *KINDS) snprintf(buf, len, "not %s", expected);
    else snprintf(buf, len, "this is %s, not %s: %s", KINDS[k].what, expected, KINDS[k].hint);
    return buf;
}

bool input_kind_mixup(struct diag *d, const char *file, enum input_kind k, const char *expected)
{
    if (k <= INPUT_JSON || (size_t)k >= sizeof KINDS / sizeof *KINDS) return false;
    char says[400];
    diag_msg(d, "%s: %s", file, input_kind_says(k, expected, says, sizeof says));
    return true;
}
