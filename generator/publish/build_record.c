/* build_record.c - the build record (see build_record.h).
 *
 * The record is lines of space-separated words, strings %-escaped (every
 * byte up to the space, '%' and DEL as %XX), so a path or a message with
 * spaces or newlines stays one word:
 *
 *   memreport build record 1
 *   key HEX                        the build's key
 *   file SIZE SHA256 PATH          an output written from bytes
 *   archive DEV INO SIZE SEC NSEC PATH   results.sqlite
 *   link PATH                      the same inode as the archive
 *   absent PATH                    removed by the build
 *   diag w|e LINE COL fFILE|- mMESSAGE   a message the analysis printed
 *   end SHA256                     of every byte before this line
 *
 * Paths are as the build staged them (relative to the working directory,
 * which is part of the key). A file counts as unchanged only as outset.c
 * would keep it: a plain file with one link and the umask's mode. */
#include "build_record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "report_common.h"
#include "sha256.h"
#include "status.h"
#include "util.h"

#define RECORD_MAGIC "memreport build record 1"
#define RECORD_MAX (4u << 20)                  /* the record itself */
#define KEY_FILE_MAX ((size_t)256 << 20)       /* one file read for the key */
#define OUTPUTS_MAX ((uint64_t)2 << 30)        /* all outputs hashed, together */
#define TREE_MAX_FILES 1000                    /* templates/ and assets/ */

/* ---- The key. --------------------------------------------------------- */

/* Each field is its name and its bytes, both length-prefixed, so no two
 * different sequences of fields hash the same bytes. */
static void put_len(sha256_ctx *c, uint64_t n)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(n >> (56 - 8 * i));
    sha256_update(c, b, sizeof b);
}

static void put_field(sha256_ctx *c, const char *name, const void *data, size_t len)
{
    put_len(c, strlen(name));
    sha256_update(c, name, strlen(name));
    put_len(c, len);
    sha256_update(c, data, len);
}

/* A string that may be unset: unset and "" are different fields. */
static void put_str(sha256_ctx *c, const char *name, const char *s)
{
    if (s) {
        put_field(c, name, s, strlen(s));
    } else {
        char unset[64];
        snprintf(unset, sizeof unset, "%s (unset)", name);
        put_field(c, unset, "", 0);
    }
}

/* The bytes of path; a missing file is a field of its own. False when it
 * exists but cannot be read. */
static bool put_file(sha256_ctx *c, const char *name, const char *path)
{
    file_result why;
    size_t len = 0;
    char *bytes = file_read_bounded(path, KEY_FILE_MAX, &len, &why);
    if (!bytes) {
        if (why.st == FILE_ERRNO && why.err == ENOENT) {
            put_str(c, name, NULL);
            return true;
        }
        return false;
    }
    put_field(c, name, bytes, len);
    free(bytes);
    return true;
}

/* Every file below dir (sorted names, hidden ones too): what the
 * templates and assets a build may read are. False when one cannot be
 * read or there are too many. */
static bool put_tree(sha256_ctx *c, const char *dir, int depth, size_t *budget)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        put_str(c, dir, errno == ENOENT ? NULL : "(unreadable)");
        return errno == ENOENT;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (ok && !str_eq(nm, ".") && !str_eq(nm, "..")) {
            char *p = path_join(dir, nm);
            struct stat st;
            /* Followed, as the loaders follow it (depth bounds a loop). */
            if (*budget == 0 || stat(p, &st) != 0)
                ok = false;
            else if (S_ISDIR(st.st_mode))
                ok = depth < 4 && (put_str(c, p, "(dir)"), put_tree(c, p, depth + 1, budget));
            else
                ok = S_ISREG(st.st_mode) && put_file(c, p, p);
            if (*budget)
                (*budget)--;
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shared libraries the program runs with (cairo, libpng, zlib draw
 * the charts): each one's identity, not its bytes, from /proc/self/maps,
 * in name order (addresses vary from run to run). */
static void put_libraries(sha256_ctx *c)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char **paths = NULL, *line = NULL;
    size_t n = 0, cap = 0, len = 0;
    while (f && n < 4096 && getline(&line, &len, f) > 0) {
        /* Code only ("r-xp"): files mapped to be read (fontconfig's caches,
         * fonts, which a thread may be mapping right now) are no part of
         * the program. */
        char perms[8] = "";
        char *p = strchr(line, '/');
        if (!p || sscanf(line, "%*s %7s", perms) != 1 || perms[2] != 'x')
            continue;
        p[strcspn(p, "\n")] = '\0';
        xgrow((void **)&paths, &cap, n + 1, sizeof *paths);
        paths[n++] = xstrdup(p);
    }
    free(line);
    if (f)
        fclose(f);
    if (n)
        qsort(paths, n, sizeof *paths, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i && str_eq(paths[i - 1], paths[i]))
            continue;
        struct stat st;
        char id[128] = "(gone)";
        if (stat(paths[i], &st) == 0)
            snprintf(id, sizeof id, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 ".%09ld",
                     (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
                     (uint64_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        put_str(c, paths[i], id);
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

void build_key_start(build_key *k, const build_key_input *in)
{
    memset(k, 0, sizeof *k);
    sha256_ctx *c = &k->ctx;
    sha256_init(c);
    put_str(c, "record", RECORD_MAGIC);
    put_str(c, "version", MEMREPORT_VERSION);
    char cwd[4096];
    put_str(c, "cwd", getcwd(cwd, sizeof cwd) ? cwd : NULL);
    put_str(c, "dir", in->dir);
    put_str(c, "site", in->site);
    put_str(c, "single-file", in->single_file);
    put_str(c, "options", in->options);
    put_str(c, "SOURCE_DATE_EPOCH", getenv("SOURCE_DATE_EPOCH"));
    const char *data = report_data_dir();
    char *tpl = path_join(data, "templates"), *assets = path_join(data, "assets");
    size_t budget = TREE_MAX_FILES;
    /* The program itself: a rebuilt memreport renders anew. */
    put_libraries(c);
    k->ok = put_file(c, "program", "/proc/self/exe") &&
            (put_str(c, "data-dir", data), put_tree(c, tpl, 0, &budget)) &&
            put_tree(c, assets, 0, &budget);
    free(tpl);
    free(assets);
}

void build_key_add_theme(build_key *k, const site_theme *t)
{
    sha256_ctx *c = &k->ctx;
    put_str(c, "theme", t ? t->dir : NULL);
    if (!t)
        return;
    put_str(c, "theme-header", t->header);
    put_str(c, "theme-footer", t->footer);
    for (size_t i = 0; k->ok && i < t->nfiles; i++) {
        char *p = path_join(t->dir, t->files[i]);
        k->ok = put_file(c, t->files[i], p);
        free(p);
    }
}

/* One list of files into the key: path, bytes, SHA-256 of each. */
static void put_files(sha256_ctx *c, const char *kind, const input_file *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char size[32];
        snprintf(size, sizeof size, "%" PRIu64, in[i].bytes);
        put_str(c, kind, in[i].path);
        put_str(c, "bytes", size);
        put_str(c, "sha256", in[i].sha256);
    }
}

/* The key: what build_key_start and build_key_add_theme hashed, then the
 * experiment's inputs (path, bytes, SHA-256 as the archive lists them).
 * The files beside an archive kept alone that are not read are keyed too:
 * a build says they were not, so one edited since the last build is said
 * by a build, not skipped as up to date. */
static bool key_of(const build_key *k, const char *dir, const input_file *in, size_t n,
                   const input_file *unread, size_t nunread, unsigned char key[32])
{
    if (!k->ok)
        return false;
    sha256_ctx c = k->ctx;
    put_str(&c, "archive-only", archive_only(dir) ? "yes" : "no");
    put_files(&c, "input", in, n);
    put_files(&c, "unread", unread, nunread);
    sha256_final(&c, key);
    return true;
}

/* ---- Words: %-escaped strings. --------------------------------------- */

static void put_word(strbuf *b, const char *s)
{
    buf_putc(b, ' ');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '%' || *p == 0x7f)
            buf_printf(b, "%%%02X", *p);
        else
            buf_putc(b, (char)*p);
    }
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                    : -1;
}

/* Undoes put_word in place; false on a bad escape or an escaped NUL. */
static bool unescape(char *w)
{
    char *o = w;
    for (char *p = w; *p; p++) {
        if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0 || (hi | lo) == 0)
                return false;
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return true;
}

/* Splits line (modified) into at most max words; returns the count, or -1
 * when there are more or one does not unescape. */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        if (n == max || !unescape(t))
            return -1;
        w[n++] = t;
    }
    return n;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!*s || strlen(s) > 20)
        return false;
    uint64_t x = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    *v = x;
    return true;
}

/* ---- Outputs. --------------------------------------------------------- */

static mode_t umask_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* SHA-256 of the open file fd, of exactly size bytes; false when it
 * cannot be read or its length differs. */
static bool hash_fd(int fd, uint64_t size, char hex[65])
{
    uint64_t len;
    return sha256_hex_of_fd(fd, size, &len, hex) && len == size;
}

/* Opens path as outset.c would keep it (a plain file, one link, the
 * umask's mode, no symlink followed, never blocking); -1 otherwise. */
static int open_kept(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_nlink != 1 ||
        (st->st_mode & 07777) != umask_mode()) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- Checking a record. ----------------------------------------------- */

/* Checks one line (its words) against the file system; msgs collects the
 * diag lines; arch is the archive's identity once its line was seen. */
typedef struct {
    bool seen;
    dev_t dev;
    ino_t ino;
} archive_id;

static bool line_holds(char **w, int n, archive_id *arch, uint64_t *hashed, diag_list *msgs)
{
    struct stat st;
    uint64_t v[5];
    if (n == 4 && str_eq(w[0], "file")) {
        if (!parse_u64(w[1], &v[0]) || strlen(w[2]) != 64 || v[0] > OUTPUTS_MAX - *hashed)
            return false;
        *hashed += v[0];
        int fd = open_kept(w[3], &st);
        char hex[65];
        bool ok = fd >= 0 && (uint64_t)st.st_size == v[0] && hash_fd(fd, v[0], hex) &&
                  str_eq(hex, w[2]);
        if (fd >= 0)
            close(fd);
        return ok;
    }
    if (n == 7 && str_eq(w[0], "archive")) {
        for (int i = 0; i < 5; i++)
            if (!parse_u64(w[1 + i], &v[i]))
                return false;
        if (arch->seen || lstat(w[6], &st) != 0 || !S_ISREG(st.st_mode) ||
            (uint64_t)st.st_dev != v[0] || (uint64_t)st.st_ino != v[1] ||
            (uint64_t)st.st_size != v[2] || (uint64_t)st.st_mtim.tv_sec != v[3] ||
            (uint64_t)st.st_mtim.tv_nsec != v[4])
            return false;
        *arch = (archive_id){true, st.st_dev, st.st_ino};
        return true;
    }
    if (n == 2 && str_eq(w[0], "link"))
        return arch->seen && lstat(w[1], &st) == 0 && S_ISREG(st.st_mode) &&
               st.st_dev == arch->dev && st.st_ino == arch->ino;
    if (n == 2 && str_eq(w[0], "absent")) /* outset_remove leaves a directory */
        return lstat(w[1], &st) != 0 ? errno == ENOENT : S_ISDIR(st.st_mode);
    if (n == 6 && str_eq(w[0], "diag") && (str_eq(w[1], "w") || str_eq(w[1], "e"))) {
        char *end1, *end2;
        long line = strtol(w[2], &end1, 10), col = strtol(w[3], &end2, 10);
        if (*end1 || *end2 || line < 0 || col < 0 || w[5][0] != 'm' ||
            !(str_eq(w[4], "-") || w[4][0] == 'f'))
            return false;
        diag_add(msgs, str_eq(w[1], "e") ? DIAG_ERROR : DIAG_WARNING,
                 w[4][0] == 'f' ? w[4] + 1 : NULL, line, col, "%s", w[5] + 1);
        return true;
    }
    return false;
}

bool build_record_check_text(char *text, size_t len, const char *key, diag_list *msgs,
                             char **why)
{
    diag_init(msgs);
    *why = NULL;
    /* The checksum line closes the record: a truncated or edited record,
     * or one with a NUL inside, is not read further. */
    size_t head = strlen(RECORD_MAGIC "\n");
    char *last = len >= 2 + head ? text + len - 1 : NULL;
    while (last && last > text && last[-1] != '\n')
        last--;
    bool ok = last && strlen(text) == len && text[len - 1] == '\n' &&
              !strncmp(text, RECORD_MAGIC "\n", head) && (size_t)(last - text) >= head &&
              !strncmp(last, "end ", 4) && len - (size_t)(last - text) == 4 + 64 + 1;
    if (ok) {
        char hex[65];
        sha256_hex_of(text, (size_t)(last - text), hex);
        ok = !strncmp(last + 4, hex, 64);
    }
    if (!ok) {
        *why = xstrdup("the build record is not one this version wrote");
        return false;
    }
    *last = '\0';
    archive_id arch = {0};
    uint64_t hashed = 0;
    bool keyed = false;
    char *save = NULL;
    for (char *line = strtok_r(text + head, "\n", &save); ok && line;
         line = strtok_r(NULL, "\n", &save)) {
        char *w[8];
        int n = split_words(line, w, 8);
        if (!keyed) {
            keyed = n == 2 && str_eq(w[0], "key") && str_eq(w[1], key);
            ok = keyed;
            if (!ok)
                *why = xstrdup("made from other inputs or options");
        } else if (!line_holds(w, n, &arch, &hashed, msgs)) {
            ok = false;
            *why = n > 0 && (str_eq(w[0], "file") || str_eq(w[0], "archive") ||
                             str_eq(w[0], "link") || str_eq(w[0], "absent"))
                       ? xasprintf("%s changed since the last build", w[n - 1])
                       : xstrdup("the build record has a line it cannot read");
        }
    }
    if (ok && !keyed) {
        ok = false;
        *why = xstrdup("the build record has no key");
    }
    if (!ok) {
        diag_free(msgs);
        diag_init(msgs);
    }
    return ok;
}

bool build_record_holds(const char *dir, const build_key *k, const analysis_options *ao,
                        diag_list *msgs, char **why)
{
    diag_init(msgs);
    *why = NULL;
    input_file *in = NULL, *unread = NULL;
    size_t nin = 0, nunread = 0;
    unsigned char key[32];
    if (archive_current_inputs(dir, ao, &in, &nin, &unread, &nunread, why) != 0)
        return false;
    bool keyed = key_of(k, dir, in, nin, unread, nunread, key);
    input_files_free(in, nin);
    input_files_free(unread, nunread);
    if (!keyed) {
        *why = xstrdup("a template, an asset or a theme file cannot be read");
        return false;
    }
    char *path = path_join(dir, BUILD_RECORD_NAME);
    size_t len = 0;
    file_result fr;
    char *text = file_read_bounded(path, RECORD_MAX, &len, &fr);
    free(path);
    if (!text) {
        *why = xstrdup("no build record");
        return false;
    }
    char want[65];
    sha256_hex(key, want);
    bool ok = build_record_check_text(text, len, want, msgs, why);
    free(text);
    return ok;
}

/* ---- Writing a record. ------------------------------------------------ */

/* The archive's line: it is staged as a finished temporary (tmp) or kept
 * as it is, and either way its bytes stay: rename keeps the inode and the
 * modification time. */
static bool record_archive(strbuf *b, const char *archive, const char *tmp, archive_id *arch)
{
    struct stat st;
    if (stat(tmp ? tmp : archive, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    *arch = (archive_id){true, st.st_dev, st.st_ino};
    buf_printf(b, "archive %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
               (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
               (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec);
    put_word(b, archive);
    buf_putc(b, '\n');
    return true;
}

/* The line for one other staged entry; false when it cannot be recorded. */
static bool record_entry(strbuf *b, outset_entry e, const archive_id *arch, uint64_t *hashed)
{
    struct stat st;
    const char *at = e.tmp ? e.tmp : e.dest;
    if (!e.remove && lstat(at, &st) == 0 && st.st_dev == arch->dev && st.st_ino == arch->ino) {
        buf_puts(b, "link");
        put_word(b, e.dest);
        buf_putc(b, '\n');
        return true;
    }
    if (e.remove) {
        buf_puts(b, "absent");
        put_word(b, e.dest);
        buf_putc(b, '\n');
        return true;
    }
    int fd = open(at, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    char hex[65];
    bool ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size <= OUTPUTS_MAX - *hashed &&
              hash_fd(fd, (uint64_t)st.st_size, hex);
    if (fd >= 0)
        close(fd);
    if (!ok)
        return false;
    *hashed += (uint64_t)st.st_size;
    buf_printf(b, "file %" PRIu64 " %s", (uint64_t)st.st_size, hex);
    put_word(b, e.dest);
    buf_putc(b, '\n');
    return true;
}

int build_record_stage(outset *os, const char *dir, const build_key *k, const experiment *e,
                       const char *archive, const char *archive_tmp, const diag_list *msgs,
                       diag_list *d)
{
    char *path = path_join(dir, BUILD_RECORD_NAME);
    strbuf b;
    buf_init(&b);
    unsigned char key[32];
    bool ok = key_of(k, dir, e->inputs, e->ninputs, e->unread, e->nunread, key);
    char hex[65];
    sha256_hex(key, hex);
    buf_printf(&b, RECORD_MAGIC "\nkey %s\n", hex);
    archive_id arch = {0};
    uint64_t hashed = 0;
    /* The archive first, so a link to it is known as one. */
    ok = ok && record_archive(&b, archive, archive_tmp, &arch);
    for (size_t i = 0; ok && i < outset_count(os); i++) {
        outset_entry e = outset_entry_at(os, i);
        if (!str_eq(e.dest, archive))
            ok = record_entry(&b, e, &arch, &hashed);
    }
    for (size_t i = 0; ok && i < msgs->n; i++) {
        const diag_item *it = &msgs->items[i];
        buf_printf(&b, "diag %c %ld %ld", it->severity == DIAG_ERROR ? 'e' : 'w', it->line,
                   it->col);
        /* A prefix letter, so no file and an empty message are words too. */
        char *f = xasprintf("%c%s", it->file ? 'f' : '-', it->file ? it->file : "");
        char *m = xasprintf("m%s", it->message ? it->message : "");
        put_word(&b, f);
        put_word(&b, m);
        free(f);
        free(m);
        buf_putc(&b, '\n');
    }
    int rc;
    if (ok && b.len < RECORD_MAX - 80) {
        sha256_hex_of(b.data, b.len, hex);
        buf_printf(&b, "end %s\n", hex);
        rc = outset_add(os, path, b.data, b.len, d);
    } else {
        rc = outset_remove(os, path);
    }
    buf_free(&b);
    free(path);
    return rc;
}
