/* The build record's reader (build_record_check_text): a record is
 * believed only whole, with its checksum, its key, and every line as the
 * file system is now; a truncated, flipped or malformed record, a FIFO, a
 * symbolic link, an output of another mode or content is refused, and
 * messages come back exactly as they were written. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_record.h"
#include "harness.h"
#include "sha256.h"
#include "util.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OTHER "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The record of body (lines after the key), sealed with its checksum. */
static char *sealed(const char *body, size_t *len)
{
    strbuf b;
    buf_init(&b);
    buf_printf(&b, "memreport build record 1\nkey %s\n%s", KEY, body);
    char hex[65];
    sha256_hex_of(b.data, b.len, hex);
    buf_printf(&b, "end %s\n", hex);
    *len = b.len;
    return buf_detach(&b);
}

/* Checks body's sealed record; *msgs kept for the caller when given. */
static bool holds(const char *body, diag_list *keep)
{
    size_t len;
    char *text = sealed(body, &len);
    diag_list msgs;
    char *why = NULL;
    bool ok = build_record_check_text(text, len, KEY, &msgs, &why);
    free(text);
    free(why);
    if (keep)
        *keep = msgs;
    else
        diag_free(&msgs);
    return ok;
}

static void write_file(const char *path, const char *bytes)
{
    FILE *f = fopen(path, "w");
    fputs(bytes, f);
    fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/test_build_record-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char *out = path_join(dir, "out.txt"), *fifo = path_join(dir, "fifo"),
         *link = path_join(dir, "link"), *gone = path_join(dir, "gone");
    write_file(out, "hello\n");
    mkfifo(fifo, 0600);
    symlink(out, link);
    char hex[65];
    sha256_hex_of("hello\n", 6, hex);

    OK(holds("", NULL), "a record with no lines holds");
    char *line = xasprintf("file 6 %s %s\n", hex, out);
    OK(holds(line, NULL), "an output as recorded holds");
    free(line);
    line = xasprintf("file 6 %s %s\n", KEY, out);
    OK(!holds(line, NULL), "an output with other bytes does not");
    free(line);
    line = xasprintf("file 7 %s %s\n", hex, out);
    OK(!holds(line, NULL), "an output of another size does not");
    free(line);
    line = xasprintf("file 6 %s %s\n", hex, link);
    OK(!holds(line, NULL), "a symbolic link to the output does not");
    free(line);
    sha256_hex_of("", 0, hex);
    line = xasprintf("file 0 %s %s\nfile 0 %s /dev/null\n", hex, fifo, hex);
    OK(!holds(line, NULL), "a FIFO or a device is refused without reading it");
    free(line);
    sha256_hex_of("hello\n", 6, hex);
    chmod(out, 0600);
    line = xasprintf("file 6 %s %s\n", hex, out);
    OK(!holds(line, NULL), "an output whose mode changed does not hold");
    free(line);
    mode_t mask = umask(0);
    umask(mask);
    chmod(out, 0666 & ~mask);

    line = xasprintf("absent %s\nabsent %s\n", gone, dir);
    OK(holds(line, NULL), "absent: a missing path or a directory holds");
    free(line);
    line = xasprintf("absent %s\n", out);
    OK(!holds(line, NULL), "absent: a file there does not");
    free(line);
    line = xasprintf("link %s\n", out);
    OK(!holds(line, NULL), "a link line before any archive line does not hold");
    free(line);
    struct stat st;
    stat(out, &st);
    line = xasprintf("archive %llu %llu %llu %llu %llu %s\n", (unsigned long long)st.st_dev,
                     (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
                     (unsigned long long)st.st_mtim.tv_sec,
                     (unsigned long long)st.st_mtim.tv_nsec, out);
    OK(holds(line, NULL), "an archive of the recorded inode, size and time holds");
    char *twice = xasprintf("%s%s", line, line);
    OK(!holds(twice, NULL), "two archive lines do not");
    free(twice);
    free(line);
    line = xasprintf("archive %llu %llu 6 %llu %llu %s\n", (unsigned long long)st.st_dev,
                     (unsigned long long)st.st_ino, (unsigned long long)st.st_mtim.tv_sec,
                     (unsigned long long)st.st_mtim.tv_nsec + 1, out);
    OK(!holds(line, NULL), "an archive touched since does not");
    free(line);

    /* Messages: escaped on the way in, exactly themselves on the way out. */
    diag_list m;
    OK(holds("diag w 12 3 fexp/memory%20csv m50%25%20of%0Athe%20rows\ndiag e 0 0 - m\n", &m),
       "diag lines hold");
    INT_EQ(m.n, 2, "both messages read");
    if (m.n == 2) {
        STR_EQ(m.items[0].file, "exp/memory csv", "a file name with a space");
        STR_EQ(m.items[0].message, "50% of\nthe rows", "a message with % and a newline");
        INT_EQ(m.items[0].line, 12, "its line");
        INT_EQ(m.items[0].col, 3, "its column");
        OK(m.items[0].severity == DIAG_WARNING && m.items[1].severity == DIAG_ERROR,
           "the severities");
        OK(m.items[1].file == NULL, "no file stays none");
        STR_EQ(m.items[1].message, "", "an empty message");
    }
    diag_free(&m);

    static const char *const bad[] = {
        "diag w 1 1 - m%\n",          "diag w 1 1 - m%4\n",     "diag w 1 1 - m%00\n",
        "diag w 1 1 - m%zz\n",        "diag w -1 1 - m\n",      "diag x 1 1 - m\n",
        "diag w 1 1 xfile m\n",       "diag w 1 1 - text\n",    "diag w 1x 1 - m\n",
        "file 99999999999999999999999 0 /x\n", "file -1 0 /x\n", "archive 1 2 3 4\n",
        "nonsense\n",                 "key " KEY "\n",          "end " KEY "\n",
        "file 1 2 3 4 5 6 7 8 9\n",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *name = xasprintf("refused: %.*s", (int)strcspn(bad[i], "\n"), bad[i]);
        OK(!holds(bad[i], NULL), name);
        free(name);
    }

    /* Whole or nothing: every truncation and every flipped byte. */
    size_t len;
    char *full = sealed("diag w 1 2 fa mb\n", &len);
    bool any = false;
    for (size_t n = 0; n < len; n++) {
        char *t = xstrndup(full, n);
        diag_list msgs;
        char *why = NULL;
        any |= build_record_check_text(t, n, KEY, &msgs, &why);
        diag_free(&msgs);
        free(why);
        free(t);
    }
    OK(!any, "no truncation of a record holds");
    any = false;
    for (size_t i = 0; i < len; i++) {
        char *t = xstrdup(full);
        t[i] ^= 0x01;
        diag_list msgs;
        char *why = NULL;
        any |= build_record_check_text(t, len, KEY, &msgs, &why);
        diag_free(&msgs);
        free(why);
        free(t);
    }
    OK(!any, "no record with a flipped bit holds");
    char *t = xstrdup(full);
    diag_list msgs;
    char *why = NULL;
    OK(!build_record_check_text(t, len, OTHER, &msgs, &why) && why,
       "another key does not hold, and says why");
    diag_free(&msgs);
    free(why);
    free(t);
    t = xstrdup(full);
    t[10] = '\0';
    OK(!build_record_check_text(t, len, KEY, &msgs, &why), "a NUL inside is refused");
    diag_free(&msgs);
    free(why);
    free(t);
    free(full);

    unlink(out);
    unlink(fifo);
    unlink(link);
    rmdir(dir);
    free(out);
    free(fifo);
    free(link);
    free(gone);
    return harness_done();
}
