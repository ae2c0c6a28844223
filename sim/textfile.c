/* textfile.c - the shared start of a text loader: BOM, UTF-16 refusal, first-byte sniff. */
#include "textfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"

/* UTF-16 text (PowerShell's ">"), with a byte order mark or without (then ASCII has a NUL
 * byte beside each character). */
static bool looks_utf16(const char *s, size_t n)
{
    if (n >= 2 && (((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE) ||
                   ((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF)))
        return true;
    return n >= 2 && (s[0] == 0) != (s[1] == 0);
}

/* The first non-blank byte after a UTF-8 BOM, or -1. */
static int first_char(const char *s, size_t n)
{
    size_t i = n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    return i < n ? (unsigned char)s[i] : -1;
}

/* Reads what is left of f into a new buffer (*buf, *len; NUL-terminated). False with errno on
 * a read error. */
static bool read_rest(FILE *f, char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) b = xrealloc(b, (cap *= 2) + 1);
    }
    if (ferror(f)) {
        int err = errno;
        free(b);
        errno = err ? err : EIO;
        return false;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return true;
}

/* Whether f can be read a second time: a regular file can; a pipe (`cat x |`, `<(...)`,
 * /dev/stdin on one) or a terminal cannot, and the loaders that look at an input's head and
 * then read it from the start need it in memory first. */
static bool is_stream(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISBLK(st.st_mode);
}

FILE *textfile_fopen(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (f && is_stream(f)) {
        /* taken whole into a memory stream that can be rewound; its buffer goes with fclose */
        char *buf;
        size_t len;
        bool ok = read_rest(f, &buf, &len);
        int err = errno;
        fclose(f);
        if (!ok) {
            errno = err;
            return NULL;
        }
        f = fmemopen(NULL, len + 1, "w+");
        if (f && len && fwrite(buf, 1, len, f) != len) {
            fclose(f);
            f = NULL;
        }
        if (f) rewind(f);
        free(buf);
    }
    return f;
}

int textfile_slurp_stream(const char *path, const char *file, char **text, size_t *len, struct diag *d)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f || !is_stream(f)) {
        if (f) fclose(f);
        return PS_OK;   /* the loader opens it itself and says why it cannot */
    }
    bool ok = read_rest(f, text, len);
    int err = errno;
    fclose(f);
    if (!ok) {
        diag_msg(d, "%s: read error: %s", file, strerror(err));
        return ERR_IO;
    }
    return PS_OK;
}

bool textfile_is_text(const char *s, size_t n, size_t line, const char *file, struct diag *d)
{
    if (line == 1 && looks_utf16(s, n)) {
        diag_msg(d, "%s: file is UTF-16 encoded; save it as UTF-8 (PowerShell: -Encoding utf8)", file);
        return false;
    }
    const char *nul = n ? memchr(s, '\0', n) : NULL;
    if (!nul) return true;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(nul - p))); p++) line++;
    diag_msg(d, "%s: not a text file (NUL byte at line %zu)", file, line);
    return false;
}

int textfile_sniff(const char *path, const char *text, size_t len, const char *file, FILE **fp,
                   int *first, struct diag *d)
{
    FILE *f = NULL;
    int c;
    if (path) {
        f = textfile_fopen(path);
        if (!f) {
            diag_msg(d, "%s: cannot open: %s", file, strerror(errno));
            return ERR_IO;
        }
        char head[4096];
        size_t n = fread(head, 1, sizeof head, f);
        if (!textfile_is_text(head, n, 1, file, d)) {
            fclose(f);
            return ERR_INPUT;
        }
        c = first_char(head, n);
        /* blank beyond the first block: look further */
        while (c < 0 && n == sizeof head) {
            n = fread(head, 1, sizeof head, f);
            c = first_char(head, n);
        }
        if (ferror(f)) {
            diag_msg(d, "%s: read error: %s", file, strerror(errno));
            fclose(f);
            return ERR_IO;
        }
        rewind(f);
    } else {
        if (!textfile_is_text(text, len < 4096 ? len : 4096, 1, file, d)) return ERR_INPUT;
        c = first_char(text, len);
    }
    *fp = f;
    *first = c;
    return PS_OK;
}

int textfile_open_json(struct jstream *js, const char *path, const char *text, size_t len,
                       const char *file, struct diag *d)
{
    if (path) return js_open(js, path, file, d);
    js_open_mem(js, text, len, file, d, 1, 1, 0);
    return PS_OK;
}

FILE *textfile_stream(FILE *fp, const char *text, size_t len, const char *file, struct diag *d)
{
    /* An empty text is a zero-length memory stream, not /dev/null: a CI sandbox may have no /dev. */
    static char empty[1];
    if (!fp) fp = fmemopen(len ? (void *)(uintptr_t)text : empty, len, "rb");
    if (!fp) diag_msg(d, "%s: cannot open: %s", file, strerror(errno));
    return fp;
}

void textfile_skip_bom(struct jstream *js)
{
    if (js_peek(js) == 0xEF && js->len - js->pos >= 3 && (unsigned char)js->buf[js->pos + 1] == 0xBB &&
        (unsigned char)js->buf[js->pos + 2] == 0xBF)
        js->pos += 3;
}
