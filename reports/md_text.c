/* md_text.c - text into GitHub-flavoured Markdown safely (md_text.h). */
#include "md_text.h"

#include <string.h>
#include <strings.h>

#define MD_WARN_BUDGET 8000   /* bytes of the warnings list: a comment holds 65,536 characters */

size_t md_put(FILE *fp, const char *s)
{
    if (fp) fputs(s, fp);
    return strlen(s);
}

/* Writes s as Markdown text (to fp when it is not NULL) and returns the bytes it takes:
 * - ASCII punctuation Markdown or GitHub give a meaning is backslash-escaped:
 *   \ ` * _ [ ] < > | ~ & $ (emphasis, code, links, HTML, entities, table cells, math);
 * - '@' and '#' become code spans: GitHub links mentions, e-mail addresses and issue numbers in
 *   the rendered text, where a backslash no longer counts;
 * - ':' before "//" and '.' after "www" are escaped (no URL autolink);
 * - at the start, what would make a line a list item or a rule is escaped: a '-', '+' or '='
 *   followed by a blank, the end or the same character, and the '.' or ')' closing 1-9 digits
 *   followed by a blank or the end;
 * - control characters are shown as \n, \r, \t or \xHH (a newline would end a table row). */
size_t md_escape(FILE *fp, const char *s)
{
    size_t n = 0;
    size_t lead_digits = strspn(s, "0123456789");
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char buf[8];
        bool lead = p == s && strchr("-+=", c) && (p[1] == ' ' || p[1] == '\t' || !p[1] || (unsigned char)p[1] == c);
        bool ordinal = p > s && (size_t)(p - s) == lead_digits && lead_digits <= 9 && (c == '.' || c == ')') &&
                       (p[1] == ' ' || p[1] == '\t' || !p[1]);
        if (c == '\n') n += md_put(fp, "\\\\n");
        else if (c == '\r') n += md_put(fp, "\\\\r");
        else if (c == '\t') n += md_put(fp, "\\\\t");
        else if (c < 0x20 || c == 0x7f) {
            snprintf(buf, sizeof buf, "\\\\x%02x", c);
            n += md_put(fp, buf);
        } else if (c == '@' || c == '#') {
            snprintf(buf, sizeof buf, "`%c`", c);
            n += md_put(fp, buf);
        } else if (strchr("\\`*_[]<>|~&$", c) || lead || ordinal ||
                   (c == ':' && p[1] == '/' && p[2] == '/') ||
                   (c == '.' && p - s >= 3 && !strncasecmp(p - 3, "www", 3))) {
            snprintf(buf, sizeof buf, "\\%c", c);
            n += md_put(fp, buf);
        } else {
            if (fp) fputc(c, fp);
            n++;
        }
    }
    return n;
}

/* Writes s as one code span (to fp when not NULL) and returns its length: fenced by one backtick
 * more than the longest run inside, padded with a space when s starts or ends with a backtick or
 * a space (CommonMark strips one from each side); '|' as "\|" inside a table cell, control
 * characters as \n, \t or \xHH (a newline would end the paragraph or row). */
size_t md_code(FILE *fp, const char *s, bool in_table)
{
    size_t run = 0, longest = 0, len = strlen(s), n = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    bool pad = len && (s[0] == '`' || s[len - 1] == '`' || s[0] == ' ' || s[len - 1] == ' ') &&
               strspn(s, " ") != len;
    for (size_t k = 0; k <= longest; k++) n += md_put(fp, "`");
    if (pad) n += md_put(fp, " ");
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char buf[8];
        if (c == '\n') n += md_put(fp, "\\n");
        else if (c == '\r') n += md_put(fp, "\\r");
        else if (c == '\t') n += md_put(fp, "\\t");
        else if (c < 0x20 || c == 0x7f) {
            snprintf(buf, sizeof buf, "\\x%02x", c);
            n += md_put(fp, buf);
        } else if (c == '|' && in_table) n += md_put(fp, "\\|");
        else {
            if (fp) fputc(c, fp);
            n++;
        }
    }
    if (pad) n += md_put(fp, " ");
    for (size_t k = 0; k <= longest; k++) n += md_put(fp, "`");
    return n;
}

void md_warnings(FILE *fp, char *const *w, size_t n)
{
    if (!n) return;
    fputs("\n**Warnings**\n\n", fp);
    size_t used = 0, k = 0;
    for (; k < n; k++) {
        size_t len = md_escape(NULL, w[k]) + 3;
        if (k && used + len > MD_WARN_BUDGET) break;
        fputs("- ", fp);
        md_escape(fp, w[k]);
        fputc('\n', fp);
        used += len;
    }
    if (k < n) fprintf(fp, "- … and %zu more (`--format text` lists them all)\n", n - k);
}
