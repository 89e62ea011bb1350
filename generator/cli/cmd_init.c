/* cmd_init.c - memreport init: writes a first experiment.json for a
 * directory from what it finds, never over an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "ingest.h"
#include "manifest_init.h"
#include "membership.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memreport init EXPDIR\n\n"
            "Writes EXPDIR/experiment.json from what the directory holds: every group with\n"
            "its member file (of several for one group, one is used and the others are\n"
            "listed under \"alternatives\"), the timezone the inputs write offsets in, the\n"
            "period of the data, and start times from events.csv where an event names a\n"
            "group. Review it, then run memreport build EXPDIR. An existing\n"
            "experiment.json is never overwritten.\n\n"
            "  -h, --help   this help\n");
}

/* Writes text as dir/experiment.json only if no such file exists: a
 * temporary beside it, synced, then a hard link, which fails rather than
 * replace anything. Returns 0, 1 when it exists, 3 on I/O failure. */
static int write_new(const char *dir, const char *text, size_t len, diag_list *d)
{
    char *path = path_join(dir, "experiment.json");
    char *tmp = xasprintf("%s/.experiment.json.init-%ld", dir, (long)getpid());
    int rc = EXIT_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        diag_error(d, tmp, 0, "cannot create: %s", strerror(errno));
        goto out;
    }
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    ok &= close(fd) == 0;
    if (!ok) {
        diag_error(d, tmp, 0, "cannot write: %s", strerror(errno));
    } else if (link(tmp, path) != 0) {
        if (errno == EEXIST) {
            diag_error(d, path, 0, "already exists; init never overwrites it");
            rc = EXIT_BAD_INPUT;
        } else {
            diag_error(d, path, 0, "cannot create: %s", strerror(errno));
        }
    } else {
        rc = EXIT_OK;
    }
    unlink(tmp);
out:
    free(tmp);
    free(path);
    return rc;
}

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        usage(stderr);
        return EXIT_USAGE;
    }
    if (optind != argc - 1)
        return cli_usage_error(usage, "init needs exactly one experiment directory");
    const char *dir = argv[optind];
    diag_list d;
    diag_init(&d);
    int status = EXIT_OK;
    char *mpath = path_join(dir, "experiment.json");
    struct stat st;
    if (lstat(mpath, &st) == 0) {
        diag_error(&d, mpath, 0, "already exists; init never overwrites it (edit it, or move it "
                                 "away to start again)");
        status = EXIT_BAD_INPUT;
    }
    free(mpath);
    /* Nothing to draft from, and nothing missing: the archive holds the
     * manifest it was built with. */
    if (!status && archive_only(dir)) {
        diag_error(&d, dir, 0,
                   "holds results.sqlite and no memory CSV: an experiment kept as its archive, "
                   "which keeps the manifest it was built with, so every command works "
                   "without experiment.json (init drafts one from a memory CSV)");
        status = EXIT_BAD_INPUT;
    }
    experiment e;
    memset(&e, 0, sizeof e);
    if (!status && ingest_experiment(dir, NULL, &e, &d) != 0)
        status = EXIT_BAD_INPUT;
    /* A draft with more groups than a report has would fail the build. */
    if (!status && membership_check_count(&e, &d) != 0)
        status = EXIT_BAD_INPUT;
    if (!status) {
        const char *slash = strrchr(dir, '/');
        char *name = xstrdup(slash && slash[1] ? slash + 1 : dir);
        size_t n = strlen(name);
        while (n > 1 && name[n - 1] == '/')
            name[--n] = '\0';
        if (strchr(name, '/'))
            memmove(name, strrchr(name, '/') + 1, strlen(strrchr(name, '/')));
        strbuf json;
        buf_init(&json);
        char **notes;
        size_t nnotes;
        manifest_init_text(&e, name, &json, &notes, &nnotes);
        status = write_new(dir, json.data, json.len, &d);
        for (size_t i = 0; i < nnotes; i++) {
            if (!status)
                fprintf(stderr, "memreport: init: %s\n", notes[i]);
            free(notes[i]);
        }
        free(notes);
        if (!status)
            fprintf(stderr, "memreport: wrote %s/experiment.json; review it, then run "
                            "memreport build %s\n",
                    dir, dir);
        buf_free(&json);
        free(name);
    }
    diag_print(&d, stderr, false);
    diag_free(&d);
    experiment_free(&e);
    return status;
}
