/* diag.h - problems found while reading or checking an experiment.
 *
 * Every parser appends to a diag_list instead of printing, so one pass can
 * report every problem (memreport check) and callers decide what is fatal.
 * Printed form: "memreport: FILE:LINE[:COL]: [warning: ]message". */
#ifndef MEMREPORT_DIAG_H
#define MEMREPORT_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_WARNING, DIAG_ERROR } diag_severity;

typedef struct {
    diag_severity severity;
    char *file; /* path as given to the user, or NULL */
    long line;  /* 1-based; 0 when the problem is about the whole file */
    long col;   /* 1-based; 0 when unknown */
    char *message;
} diag_item;

typedef struct {
    diag_item *items;
    size_t n, cap;
    size_t nerrors;
    size_t nio;  /* errors that were the system's, not the data's (exit 3) */
} diag_list;

void diag_init(diag_list *d);
void diag_free(diag_list *d);
void diag_add(diag_list *d, diag_severity sev, const char *file, long line, long col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define diag_error(d, file, line, ...) diag_add((d), DIAG_ERROR, (file), (line), 0, __VA_ARGS__)
/* An error reading or writing (EIO, EACCES, ENOMEM...): counted in nio
 * too, so commands exit 3 rather than 1 (README, exit status). */
#define diag_io(d, file, line, ...)                                                          \
    ((d)->nio++, diag_add((d), DIAG_ERROR, (file), (line), 0, __VA_ARGS__))
#define diag_warn(d, file, line, ...) diag_add((d), DIAG_WARNING, (file), (line), 0, __VA_ARGS__)
/* Appends copies of every item of src to dst. */
void diag_append(diag_list *dst, const diag_list *src);
/* Prints items to f, in insertion order. When errors_only, warnings are skipped. */
void diag_print(const diag_list *d, FILE *f, bool errors_only);
/* Formats one item as it is printed, without the "memreport: " prefix or
 * newline. Caller frees. */
char *diag_format(const diag_item *it);

#endif
