/* csv_cell.c - one CSV cell at a time (csv_cell.h). */
#include "csv_cell.h"

#include <csv.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A cell: quoted through libcsv only when needed; text that a spreadsheet would run as a
 * formula (= + - @ tab CR first) gets a leading apostrophe. Numbers are written as numbers. */
void cell_text(FILE *fp, const char *s, bool last)
{
    char *tmp = NULL;
    if (strchr("=+-@\t\r", s[0]) && s[0]) {
        size_t n = strlen(s) + 2;
        tmp = malloc(n);
        if (tmp) {
            snprintf(tmp, n, "'%s", s);
            s = tmp;
        }
    }
    if (strpbrk(s, ",\"\n\r")) csv_fwrite(fp, s, strlen(s));
    else fputs(s, fp);
    free(tmp);
    fputc(last ? '\n' : ',', fp);
}

void cell_u64(FILE *fp, uint64_t v, bool last)
{
    fprintf(fp, "%" PRIu64 "%c", v, last ? '\n' : ',');
}

void cell_f(FILE *fp, double v, bool last)
{
    fprintf(fp, "%.6f%c", v, last ? '\n' : ',');
}
