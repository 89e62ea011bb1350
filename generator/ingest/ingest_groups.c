/* ingest_groups.c - group member files: groups/group_<ID>_<slug>.txt and
 * the files experiment.json names in `members`.
 *
 * One member per line, a nickname or a 40-hex fingerprint (an optional
 * leading '$' is dropped, hex is upper-cased to match the memory CSV).
 * Blank lines and '#' comments are ignored; whitespace and CR are trimmed. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_internal.h"
#include "sha256.h"
#include "util.h"

char *ingest_group_id_from_name(const char *base)
{
    if (!str_starts(base, "group_") || !str_ends(base, ".txt"))
        return NULL;
    const char *p = base + 6, *end = base + strlen(base) - 4;
    const char *us = memchr(p, '_', (size_t)(end - p));
    const char *stop = us ? us : end;
    if (stop == p)
        return NULL;
    return xstrndup(p, (size_t)(stop - p));
}

/* Normalises a member: fingerprints upper-case without '$'. */
static char *member_from(const char *s, size_t n)
{
    const char *p = s;
    size_t k = n;
    if (k == 41 && *p == '$')
        p++, k--;
    bool fp = k == 40;
    for (size_t i = 0; fp && i < k; i++)
        fp = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
             (p[i] >= 'A' && p[i] <= 'F');
    if (!fp)
        return xstrndup(s, n);
    char *m = xstrndup(p, k);
    for (char *q = m; *q; q++)
        if (*q >= 'a' && *q <= 'f')
            *q = (char)(*q - 'a' + 'A');
    return m;
}

int ingest_group_file(const char *dir, const char *rel, const char *display, const char *id,
                      experiment *e, diag_list *d)
{
    size_t errors_before = d->nerrors;
    size_t len;
    int rc;
    char *text = ingest_read_input(dir, rel, display, INGEST_MAX_GROUP_FILE_BYTES, &len, d, &rc);
    if (!text)
        return rc;
    size_t cap = 0;
    group_file g = {.id = xstrdup(id), .path = xstrdup(rel)};
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    long line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *z = memchr(p, '\0', (size_t)(le - p));
        if (z) {
            diag_add(d, DIAG_ERROR, display, line, (long)(z - p) + 1,
                     "NUL byte in the data (binary file?)");
        } else if (le - p > 1024 * 1024) {
            diag_add(d, DIAG_ERROR, display, line, 0, "line is longer than 1 MiB");
        } else {
            const char *a = p, *b = le;
            const char *hash = memchr(a, '#', (size_t)(b - a));
            if (hash)
                b = hash;
            while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
                b--;
            if (a < b) {
                if (!utf8_valid(a, (size_t)(b - a))) {
                    diag_add(d, DIAG_ERROR, display, line, (long)(a - p) + 1,
                             "member name is not valid UTF-8");
                } else {
                    size_t c2 = cap;
                    xgrow((void **)&g.members, &cap, g.nmembers + 1, sizeof *g.members);
                    xgrow((void **)&g.member_lines, &c2, g.nmembers + 1, sizeof *g.member_lines);
                    g.member_lines[g.nmembers] = line;
                    g.members[g.nmembers++] = member_from(a, (size_t)(b - a));
                }
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (!g.nmembers && d->nerrors == errors_before)
        diag_add(d, DIAG_WARNING, display, 0, 0, "group file lists no members");
    char hex[65];
    sha256_hex_of(text, len, hex);
    ingest_add_input(e, rel, len, g.nmembers, hex);
    free(text);
    size_t gcap = e->ngfiles;
    xgrow((void **)&e->gfiles, &gcap, e->ngfiles + 1, sizeof *e->gfiles);
    e->gfiles[e->ngfiles++] = g;
    return d->nerrors > errors_before ? 1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ingest_group_dir(const char *dir, experiment *e, diag_list *d)
{
    char *gdir = xasprintf("%s/groups", dir);
    DIR *dh = opendir(gdir);
    if (!dh) {
        int rc = 0;
        if (errno != ENOENT) {
            diag_add(d, DIAG_ERROR, gdir, 0, 0, "cannot read directory: %s", strerror(errno));
            rc = 1;
        }
        free(gdir);
        return rc;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dh)))
        if (str_ends(de->d_name, ".txt")) {
            xgrow((void **)&names, &cap, n + 1, sizeof *names);
            names[n++] = xstrdup(de->d_name);
        }
    closedir(dh);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *rel = xasprintf("groups/%s", names[i]);
        char *display = path_join(gdir, names[i]);
        char *id = ingest_group_id_from_name(names[i]);
        if (!id) {
            diag_add(d, DIAG_WARNING, display, 0, 0,
                     "ignored: the name is not group_<ID>_<name>.txt");
        } else {
            char *why = NULL;
            if (!ingest_path_inside(dir, rel, &why)) {
                diag_add(d, DIAG_ERROR, display, 0, 0, "%s", why);
                rc = 1;
            } else {
                rc |= ingest_group_file(dir, rel, display, id, e, d);
            }
            free(why);
        }
        free(id);
        free(rel);
        free(display);
        free(names[i]);
    }
    free(names);
    free(gdir);
    return rc;
}
