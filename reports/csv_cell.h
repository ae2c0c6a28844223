/* csv_cell.h - CSV cells as every CSV file of purgesim writes them: text quoted through libcsv
 * only when needed (and defused when a spreadsheet would run it as a formula), whole numbers as
 * they are, other numbers with six decimals. `last` ends the row. */
#ifndef PURGESIM_CSV_CELL_H
#define PURGESIM_CSV_CELL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

void cell_text(FILE *fp, const char *s, bool last);
void cell_u64(FILE *fp, uint64_t v, bool last);
void cell_f(FILE *fp, double v, bool last);

#endif
