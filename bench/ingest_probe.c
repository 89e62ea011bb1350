/* ingest_probe.c - times one layer of the ingest stack on one file, so
 * bench/ingest.sh can put them side by side in one run:
 *
 *   scan FILE          fread + memchr for newlines (the floor: bytes only)
 *   sha FILE [soft]    SHA-256 of the file (sha256.c; CPU instructions
 *                      when present, or the portable code with soft)
 *   libcsv FILE        libcsv strict parse, callbacks only count fields
 *   csvr FILE [libcsv] the project's reader (fast path, or libcsv forced):
 *                      records split, nothing stored
 *   ingest DIR [libcsv] ingest_experiment: every input read and packed
 *   analysis DIR       analysis_run: ingest + membership + stats
 *   archive DIR        archive_serialize after an (untimed) analysis_run:
 *                      the build's in-memory sqlite archive; "mb" is its size
 *   load DIR           archive_read of DIR/results.sqlite (what a rebuild
 *                      with unchanged inputs reads instead of the CSVs)
 *
 * Prints one line: mode, seconds (monotonic clock, this step only), input
 * MB (10^6 bytes), MB/s and rows. Peak memory comes from the caller's
 * /usr/bin/time. Built by bench/ingest.sh against build/libmemreport.a;
 * the Makefile does not pick it up. */
#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis.h"
#include "archive.h"
#include "csvread.h"
#include "ingest.h"
#include "sha256.h"
#include "util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double file_mb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0.0;
}

static void report(const char *mode, double secs, double mb, unsigned long long rows)
{
    printf("%s seconds=%.3f mb=%.1f mb_s=%.0f rows=%llu\n", mode, secs, mb,
           secs > 0 ? mb / secs : 0.0, rows);
}

static FILE *open_or_die(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(3);
    }
    return f;
}

#define CHUNK (4u * 1024 * 1024)

static int do_scan(const char *path)
{
    FILE *f = open_or_die(path);
    char *buf = xmalloc(CHUNK);
    unsigned long long lines = 0;
    double t = now();
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        const char *p = buf, *end = buf + n;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
    }
    double s = now() - t;
    fclose(f);
    free(buf);
    report("scan", s, file_mb(path), lines);
    return 0;
}

static int do_sha(const char *path, bool soft)
{
    bool hw = sha256_use_hardware(!soft);
    FILE *f = open_or_die(path);
    char *buf = xmalloc(CHUNK);
    sha256_ctx c;
    unsigned char out[32];
    double t = now();
    sha256_init(&c);
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0)
        sha256_update(&c, buf, n);
    sha256_final(&c, out);
    double s = now() - t;
    fclose(f);
    free(buf);
    report(hw ? "sha256-hardware" : "sha256-portable", s, file_mb(path), 0);
    return 0;
}

struct counts {
    unsigned long long fields, rows;
};

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((struct counts *)data)->fields++;
}

static void on_row(int c, void *data)
{
    (void)c;
    ((struct counts *)data)->rows++;
}

static int do_libcsv(const char *path)
{
    FILE *f = open_or_die(path);
    char *buf = xmalloc(CHUNK);
    struct csv_parser p;
    struct counts k = {0, 0};
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    double t = now();
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        if (csv_parse(&p, buf, n, on_field, on_row, &k) != n) {
            fprintf(stderr, "libcsv: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    }
    csv_fini(&p, on_field, on_row, &k);
    double s = now() - t;
    csv_free(&p);
    fclose(f);
    free(buf);
    report("libcsv", s, file_mb(path), k.rows);
    return 0;
}

static int do_csvr(const char *path, bool force)
{
    FILE *f = open_or_die(path);
    diag_list d;
    diag_init(&d);
    double t = now();
    csvr *r = csvr_open(f, path, force);
    csv_row row;
    unsigned long long rows = 0, fields = 0;
    while (csvr_next(r, &row, &d) == 1) {
        rows++;
        fields += row.n;
    }
    csvr_close(r, &d);
    double s = now() - t;
    fclose(f);
    int rc = d.nerrors ? 1 : 0;
    diag_print(&d, stderr, true);
    diag_free(&d);
    report(force ? "csvr-libcsv" : "csvr-fast", s, file_mb(path), rows);
    return rc;
}

static double memory_mb(const char *dir)
{
    const char *name = ingest_find_memory_csv(dir);
    if (!name)
        return 0.0;
    char *p = path_join(dir, name);
    double mb = file_mb(p);
    free(p);
    return mb;
}

static int do_ingest(const char *dir, bool force)
{
    ingest_options o = {.strict = false, .force_libcsv = force};
    experiment e;
    diag_list d;
    diag_init(&d);
    double t = now();
    int rc = ingest_experiment(dir, &o, &e, &d);
    double s = now() - t;
    unsigned long long rows = (unsigned long long)e.nrelays * e.ncoll;
    report(force ? "ingest-libcsv" : "ingest-fast", s, memory_mb(dir), rows);
    if (rc)
        diag_print(&d, stderr, true);
    experiment_free(&e);
    diag_free(&d);
    return rc;
}

static int do_analysis(const char *dir)
{
    analysis_options o;
    analysis_options_default(&o);
    analysis a;
    double t = now();
    int rc = analysis_run(dir, &o, &a);
    double s = now() - t;
    report("analysis", s, memory_mb(dir), (unsigned long long)a.e.nrelays * a.e.ncoll);
    if (rc)
        diag_print(&a.diag, stderr, true);
    analysis_free(&a);
    return rc;
}

static int do_archive(const char *dir)
{
    analysis_options o;
    analysis_options_default(&o);
    analysis a;
    if (analysis_run(dir, &o, &a) != 0) {
        diag_print(&a.diag, stderr, true);
        analysis_free(&a);
        return 1;
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    double t = now();
    int rc = archive_serialize(&a, &o, "results.sqlite", &bytes, &len, &a.diag);
    double s = now() - t;
    report("archive_serialize", s, (double)len / 1e6, (unsigned long long)a.e.nrelays * a.e.ncoll);
    if (rc)
        diag_print(&a.diag, stderr, true);
    free(bytes);
    analysis_free(&a);
    return rc;
}

static int do_load(const char *dir)
{
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    analysis a;
    memset(&a, 0, sizeof a);
    diag_init(&a.diag);
    double t = now();
    int rc = archive_read(path, dir, &a, &a.diag);
    double s = now() - t;
    report("archive_read", s, file_mb(path), (unsigned long long)a.e.nrelays * a.e.ncoll);
    if (rc)
        diag_print(&a.diag, stderr, true);
    analysis_free(&a);
    free(path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ingest_probe scan|sha|libcsv|csvr|ingest|analysis|archive|load PATH [libcsv]\n");
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    bool force = argc > 3 && strcmp(argv[3], "libcsv") == 0;
    if (strcmp(mode, "scan") == 0)
        return do_scan(path);
    if (strcmp(mode, "sha") == 0)
        return do_sha(path, argc > 3 && strcmp(argv[3], "soft") == 0);
    if (strcmp(mode, "libcsv") == 0)
        return do_libcsv(path);
    if (strcmp(mode, "csvr") == 0)
        return do_csvr(path, force);
    if (strcmp(mode, "ingest") == 0)
        return do_ingest(path, force);
    if (strcmp(mode, "analysis") == 0)
        return do_analysis(path);
    if (strcmp(mode, "archive") == 0)
        return do_archive(path);
    if (strcmp(mode, "load") == 0)
        return do_load(path);
    fprintf(stderr, "ingest_probe: unknown mode %s\n", mode);
    return 2;
}
