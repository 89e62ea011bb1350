/* csvread.h - a streaming CSV reader that knows where it is.
 *
 * libcsv (strict mode) is the reference parser, but it reports no line
 * numbers and it copies every field. This reader streams the file through
 * one large buffer, counts physical lines itself, and splits plain lines
 * (no double quote) on commas in place: no copy, no allocation per row or
 * field. Any line with a quote goes to libcsv, as does every line when
 * force_libcsv is set, and the two give identical rows (a differential
 * test keeps them honest). Rules both follow:
 *   - only LF ends a line; CR counts as whitespace, so CRLF files and
 *     trailing CRs read the same as LF files;
 *   - unquoted fields lose leading and trailing spaces, tabs and CRs;
 *   - lines holding only whitespace are skipped (but counted);
 *   - a UTF-8 byte-order mark at the start is skipped.
 * Errors (NUL bytes, lines over 1 MiB, malformed or unterminated quotes)
 * are added to the caller's diag_list with file, line and column; the bad
 * line is skipped and reading goes on, so one pass finds every problem.
 * Every byte read is also hashed (SHA-256) and counted. */
#ifndef MEMREPORT_CSVREAD_H
#define MEMREPORT_CSVREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "sha256.h"

#define CSVR_MAX_LINE (1024 * 1024)

typedef struct csvr csvr;

/* One record. Field i is f[i][0..len[i]), not NUL-terminated. Everything
 * here stays valid until the next csvr_next call. */
typedef struct {
    const char *const *f;
    const size_t *len;
    size_t n;
    long line;          /* physical line where the record starts */
    long last_line;     /* physical line where it ends (quoted newlines) */
    bool terminated;    /* false: the file's last line, without a newline */
    bool fast;          /* split in place by the fast path */
    const char *raw;    /* the physical line when the record is one line */
    size_t rawlen;
} csv_row;

/* Opens a reader over f (which the caller keeps and closes). `display` is
 * the file name used in messages (copied). */
csvr *csvr_open(FILE *f, const char *display, bool force_libcsv);
/* A reader over bytes [from, to) of fd, read with pread (so several
 * readers can share one descriptor, each on its own thread). Lines count
 * from the range's start; only a range at offset 0 skips a byte-order mark;
 * nothing is hashed (csvr_sha256 gives the hash of no bytes). The caller
 * picks `from` at a line start. A file that ends before `to` is a read
 * error. */
csvr *csvr_open_range(int fd, uint64_t from, uint64_t to, const char *display);
/* Stops hashing: csvr_sha256 then gives "" (for a caller that does not
 * need the hash). Call before the first read. */
void csvr_no_hash(csvr *r);
/* Splits plain lines with memchr only, never with the vector scan (which
 * must give the same rows: tests compare the two). */
void csvr_no_vector_scan(csvr *r);
/* Rows split by the vector scan so far (0 where it is not built). */
uint64_t csvr_vector_rows(const csvr *r);
/* Reads the next record: 1 when *row was filled, 0 at the end of the file
 * (or after a read error, see csvr_io_error). Problems go to d. */
int csvr_next(csvr *r, csv_row *row, diag_list *d);
/* Adds an error about this file, at most a few dozen per file; the rest
 * are counted and summarised by csvr_close. col may be 0. */
void csvr_error(csvr *r, diag_list *d, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 1-based byte column of field i within its line, or 0 when unknown. */
long csv_row_col(const csv_row *row, size_t i);

bool csvr_io_error(const csvr *r);         /* errno is kept in csvr_errno */
int csvr_errno(const csvr *r);
/* Adds "read error: ..." to d once per reader, if reading failed. */
void csvr_report_io_error(csvr *r, diag_list *d);
uint64_t csvr_bytes(const csvr *r);        /* bytes read so far */
long csvr_lines(const csvr *r);            /* physical lines read so far */
/* Hashes the rest of the file (if reading stopped early), then writes the
 * SHA-256 of every byte into hex[65]. */
void csvr_sha256(csvr *r, char hex[65]);
/* Hashes the rest of the file like csvr_sha256, then exports the hash
 * state (sha256_state_export) instead of finishing it; call before
 * csvr_sha256. Returns the state's length. */
size_t csvr_sha256_state(csvr *r, unsigned char out[SHA256_STATE_MAX]);
/* Reports suppressed errors to d and frees the reader. NULL is fine. */
void csvr_close(csvr *r, diag_list *d);

#endif
