/* Reading CSV data tables (the files in data/): internal helpers shared by the modules
 * that read them. Not installed. */
#ifndef MGSIM_IO_CSV_H
#define MGSIM_IO_CSV_H

/* Split one CSV line (no newline) in place into at most max fields; double-quoted
 * fields may hold commas and "" for a quote. Returns the number of fields, or -1 for
 * an unterminated quote or more than max fields. */
int mg_csv_split(char *line, char **fields, int max);

/* Parse the whole string s as a finite number into *out. Returns 1 on success. */
int mg_csv_parse_num(const char *s, double *out);

#endif /* MGSIM_IO_CSV_H */
