/* archive_check.c - `memreport check` on an experiment kept as its
 * archive: sqlite's own integrity check, the schema version, and the
 * archive read back in full (archive_read compares every stored count
 * with the rows it holds). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "status.h"
#include "util.h"

int archive_check(const char *path, const char *dir, archive_facts *f, analysis *a, diag_list *d)
{
    memset(f, 0, sizeof *f);
    f->schema_version = -1;
    memset(a, 0, sizeof *a);
    diag_init(&a->diag);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        diag_error(d, path, 0, "cannot open the archive: %s",
                   db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return EXIT_IO;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        f->schema_version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    /* Every problem sqlite finds is one row; "ok" alone means none. */
    size_t nbad = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *msg = (const char *)sqlite3_column_text(st, 0);
            if (str_eq(msg, "ok"))
                continue;
            if (nbad++ < 10)
                diag_error(d, path, 0, "integrity check: %s", msg ? msg : "(no message)");
        }
        if (rc != SQLITE_DONE)
            diag_error(d, path, 0, "integrity check could not run: %s", sqlite3_errmsg(db));
    } else {
        diag_error(d, path, 0, "not a readable archive: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (nbad > 10)
        diag_error(d, path, 0, "integrity check: %zu more problems", nbad - 10);
    f->integrity_ok = nbad == 0 && d->nerrors == 0;
    if (d->nerrors)
        return EXIT_BAD_INPUT;
    /* Counts, indices and names, read back the way every command reads it. */
    int rc = archive_read(path, dir, a, d);
    f->read_ok = rc == 0;
    return rc;
}
