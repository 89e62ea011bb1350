/* instream.h - an input file opened as a stream of its contents.
 *
 * A plain file is handed out as the FILE * fopen gives. A file whose name
 * ends in .gz (gzip, through zlib) or .zst (Zstandard, through libzstd) is
 * handed out as a FILE * that yields the decompressed bytes, decompressed
 * while they are read: memory stays a few buffers (zstd's window is capped
 * at libzstd's default limit, 128 MiB, so a hostile frame is refused rather
 * than allocated), and the CSV reader above it needs no change.
 *
 * The stream also counts and hashes the bytes as they are stored, so the
 * data reference and the archive describe the file on disk (what
 * sha256sum prints), not its decompressed contents. */
#ifndef MEMREPORT_INSTREAM_H
#define MEMREPORT_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

typedef enum { INSTREAM_PLAIN, INSTREAM_GZIP, INSTREAM_ZSTD } instream_kind;

typedef struct instream instream;

/* The kind a file name says: ".gz" gzip, ".zst" Zstandard, else plain. */
instream_kind instream_kind_of(const char *name);
/* "gzip", "zstd" or "plain". */
const char *instream_kind_name(instream_kind k);

/* What a file's first bytes say it holds. The compressed kinds this
 * stream reads carry their kind; every other format is one no input may
 * be (an image, a spreadsheet, a database, a program, other compressors). */
typedef struct {
    const char *what;   /* "a PNG image", "gzip-compressed data" */
    const char *hint;   /* what to do about it, for the message; or NULL */
    instream_kind kind; /* INSTREAM_GZIP or INSTREAM_ZSTD, else INSTREAM_PLAIN */
} instream_format;

/* The format whose signature head[0..n), the first bytes of a file (a few
 * KiB of it), starts with; NULL when none does (text, or a binary format
 * the table does not know). The result is static. */
const instream_format *instream_sniff(const void *head, size_t n);
/* The table's entry for a compressed kind ("gzip-compressed data"), so a
 * message about its contents can say what they came out of; NULL for
 * INSTREAM_PLAIN. The result is static. */
const instream_format *instream_format_of(instream_kind k);

/* Opens path for reading when it is a regular file (file_fopen_regular:
 * never blocks on a FIFO). Returns the stream, or NULL with *why filled
 * in. The FILE * to read is instream_file(s); it belongs to the stream
 * and is closed by instream_close. */
instream *instream_open(const char *path, file_result *why);
FILE *instream_file(instream *s);
/* Reads into buf up to size of the first bytes a stream of path yields
 * (decompressed, under a .gz or .zst name): what its reader will see
 * first, for instream_sniff. Returns how many; 0 when path cannot be
 * opened or yields nothing, and short of size at the end of the data or
 * where corrupt data stops it (its reader then says why). */
size_t instream_head(const char *path, void *buf, size_t size);
instream_kind instream_kind_get(const instream *s);

/* A message about the compressed data ("truncated gzip data", "corrupt
 * zstd data: ...") once a read failed because of it, else NULL. A read
 * that failed so returns an error with errno EIO. */
const char *instream_error(const instream *s);

/* Bytes of the file as stored, read so far (after instream_finish: all). */
uint64_t instream_stored_bytes(const instream *s);
/* Reads whatever the decompressor left of the stored file and writes the
 * SHA-256 of all its stored bytes into hex[65]. For a compressed file
 * only (a plain file's bytes are hashed by its reader); call once, after
 * reading is done. Returns false on a read error. */
bool instream_finish(instream *s, char hex[65]);
/* Closes the file and frees the stream. NULL is fine. */
void instream_close(instream *s);

#endif
