/* test_outset.c - the commit never writes through a symbolic link that
 * appeared below a locked directory after the files were staged (a
 * folder swapped for a link, or the folder of a removal, which staging
 * never made): it stops before anything changed, as it does when the
 * folder was replaced by another. A locked directory named through a link
 * is written into its target; one below another locked directory may not
 * be a link. (A swap after the commit's look: tests/e2e/dir_swap.sh.)
 * Directories locked to read are shared, exclusive when a killed run's
 * journal is there to finish (or a killed site's saved archive to remove),
 * never swept, and let go once read. A journal's other directories are
 * locked before it is finished, and one another run holds keeps it. A
 * journal in any directory written is finished, one below is kept from
 * the sweep, and so is a folder another run holds. A commit into a folder
 * outside its journal's directory leaves a reference to the journal there
 * while it runs, by which the sweep spares what that journal names, and
 * one whose journal is gone is swept. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "harness.h"
#include "outset.h"
#include "util.h"

static char *read_text(const char *path)
{
    size_t len;
    return file_read_all(path, &len);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool diag_says(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->items[i].message, needle))
            return true;
    return false;
}

/* Counts the entries of dir (not . and ..). */
static int entries(const char *dir)
{
    char *cmd = xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    free(cmd);
    return n;
}

/* Whether another open file of dir could take its lock (LOCK_SH or
 * LOCK_EX) now; flock locks of two open files conflict even in one
 * process. */
static bool could_lock(const char *dir, int mode)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && flock(fd, mode | LOCK_NB) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void test_read_locks(const char *base)
{
    char *out = path_join(base, "site"), *rd = path_join(base, "read");
    char *rd_again = path_join(base, "read/."), *missing = path_join(base, "nowhere");
    mkdir(rd, 0777);
    diag_list d;
    diag_init(&d);

    outset *o = outset_new();
    outset_dir dirs[] = {{out, OUTSET_WRITE, 0}, {rd, OUTSET_READ, 0}, {missing, OUTSET_READ, 0},
                         {rd_again, OUTSET_READ, 0}};
    INT_EQ(outset_lock_dirs(o, dirs, 4, &d), 0, "lock a site and what it reads");
    OK(access(out, F_OK) == 0, "... the directory to write is made");
    OK(!could_lock(out, LOCK_SH), "... and held exclusive");
    OK(could_lock(rd, LOCK_SH), "... one to read is shared with other readers");
    OK(!could_lock(rd, LOCK_EX), "... but not with a writer");
    INT_EQ(dirs[2].err, ENOENT, "... one to read that is missing: its errno, not locked");
    INT_EQ(dirs[1].err, 0, "... none for the others");
    outset_unlock_read(o, rd);
    OK(!could_lock(rd, LOCK_EX), "named twice to read: held until read twice");
    outset_unlock_read(o, rd_again);
    OK(could_lock(rd, LOCK_EX), "... then let go");
    outset_free(o);
    OK(could_lock(out, LOCK_EX), "outset_free lets go of the rest");

    /* To read and to write (site -o X X): one lock, exclusive, kept. */
    o = outset_new();
    outset_dir both[] = {{rd, OUTSET_WRITE, 0}, {rd_again, OUTSET_READ, 0}};
    INT_EQ(outset_lock_dirs(o, both, 2, &d), 0, "one directory to write and to read");
    OK(!could_lock(rd, LOCK_SH), "... locked once, exclusive");
    outset_unlock_read(o, rd);
    OK(!could_lock(rd, LOCK_SH), "... and kept when read: it is written too");
    outset_free(o);

    /* A killed build's journal in a directory to read: taken exclusive,
     * finished by outset_recover; its leftovers are not swept. */
    char *journal = path_join(rd, ".memreport.journal");
    char *tmp = path_join(rd, ".REPORT.md.tmp-abc123"), *dest = path_join(rd, "REPORT.md");
    char *other = path_join(rd, ".notes.md.tmp-xyz789");
    char *jtext = xasprintf("memreport journal 1\n%s\t%s\t\ncommit\n", tmp, dest);
    write_text(journal, jtext);
    write_text(tmp, "new\n");
    write_text(other, "a killed run's\n");
    o = outset_new();
    outset_dir two[] = {{out, OUTSET_WRITE, 0}, {rd, OUTSET_READ, 0}};
    INT_EQ(outset_lock_dirs(o, two, 2, &d), 0, "lock what holds a killed build's journal");
    OK(!could_lock(rd, LOCK_SH), "... to read, taken exclusive for the journal");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    char *got = read_text(dest);
    STR_EQ(got, "new\n", "... the commit finished");
    free(got);
    OK(access(journal, F_OK) != 0, "... the journal gone");
    OK(access(other, F_OK) == 0, "... a directory only read is not swept");
    outset_unlock_read(o, rd);
    OK(could_lock(rd, LOCK_EX), "... let go once read");
    INT_EQ(d.n, 0, "no message on the way");
    outset_free(o);
    diag_free(&d);
    free(journal);
    free(tmp);
    free(dest);
    free(other);
    free(jtext);
    free(out);
    free(rd);
    free(rd_again);
    free(missing);
}

/* The leftovers of outset_save_temp (a site's saved archive, killed
 * before its rename): only that exact name, only a plain file of one link,
 * only in the folder of a directory held exclusive, which a directory to
 * read that shows one is taken as. */
static void test_saved_leftovers(const char *base)
{
    static const struct {
        const char *name;
        bool saved;
    } names[] = {
        {".results.sqlite.save-Ab12Cd", true},   {".x.save-000000", true},
        {".results.sqlite.save-Ab12C", false},   {".results.sqlite.save-Ab12Cd7", false},
        {".results.sqlite.save-Ab12Cd.orig", false}, {"results.sqlite.save-Ab12Cd", false},
        {".save-Ab12Cd", false},                 {".results.sqlite.save-Ab12Cd-journal", false},
        {".results.sqlite.save-Ab_2Cd", false},  {".results.sqlite.backup", false},
        {".results.sqlite.tmp-Ab12Cd", false},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        INT_EQ(outset_is_saved_leftover(names[i].name), names[i].saved, names[i].name);
    OK(!outset_is_leftover(".results.sqlite.save-Ab12Cd"),
       "a saved leftover is not for the sweep below directories written");

    char *out = path_join(base, "saved-site"), *rd = path_join(base, "saved");
    char *sub = path_join(base, "saved/sub"), *arch = path_join(rd, "results.sqlite");
    mkdir(rd, 0777);
    mkdir(sub, 0777);
    char *tmp = NULL;
    int fd = outset_save_temp(arch, &tmp);
    struct stat st;
    OK(fd >= 0 && tmp && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600,
       "outset_save_temp: a file of mode 0600");
    if (fd >= 0)
        close(fd);
    OK(tmp && !strncmp(tmp, rd, strlen(rd)) && outset_is_saved_leftover(strrchr(tmp, '/') + 1),
       "... beside the path, by the name it removes");

    /* Someone's files named alike; and one in a folder below. */
    static const char *kept[] = {".results.sqlite.backup", ".results.sqlite.save-Ab12C",
                                 ".results.sqlite.save-Ab12Cd.orig", "results.sqlite.save-Ab12Cd",
                                 "sub/.results.sqlite.save-Sub123"};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        char *p = path_join(rd, kept[i]);
        write_text(p, "mine\n");
        free(p);
    }
    char *dirlike = path_join(rd, ".results.sqlite.save-Dir123");
    char *linklike = path_join(rd, ".results.sqlite.save-Lnk123");
    char *hardlike = path_join(rd, ".results.sqlite.save-Hrd123"), *orig = path_join(rd, "orig");
    mkdir(dirlike, 0777);
    symlink("orig", linklike);
    write_text(orig, "mine\n");
    link(orig, hardlike);

    diag_list d;
    diag_init(&d);
    outset *o = outset_new();
    outset_dir two[] = {{out, OUTSET_WRITE, 0}, {rd, OUTSET_READ, 0}};
    INT_EQ(outset_lock_dirs(o, two, 2, &d), 0, "lock what holds a saved leftover, to read");
    OK(!could_lock(rd, LOCK_SH), "... taken exclusive for it");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    OK(tmp && access(tmp, F_OK) != 0, "... the leftover removed");
    bool all = true;
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        char *p = path_join(rd, kept[i]);
        all &= access(p, F_OK) == 0;
        free(p);
    }
    OK(all, "... files named alike kept, and one in a folder below");
    struct stat sl;
    OK(stat(dirlike, &st) == 0 && S_ISDIR(st.st_mode), "... a directory of that name kept");
    OK(lstat(linklike, &sl) == 0 && S_ISLNK(sl.st_mode), "... a link of that name kept");
    OK(access(hardlike, F_OK) == 0, "... a file of two links kept");
    INT_EQ(d.n, 0, "... no message");
    outset_free(o);

    o = outset_new();
    INT_EQ(outset_lock_dirs(o, two, 2, &d), 0, "lock it again, none left");
    OK(could_lock(rd, LOCK_SH), "... shared with other readers again");
    outset_free(o);

    /* The same leftover in a directory a run writes (build EXPDIR). */
    free(tmp);
    fd = outset_save_temp(arch, &tmp);
    if (fd >= 0)
        close(fd);
    o = outset_new();
    INT_EQ(outset_lock(o, rd, &d), 0, "lock it to write");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    OK(tmp && access(tmp, F_OK) != 0, "... the leftover removed there too");
    outset_free(o);
    diag_free(&d);
    free(tmp);
    free(dirlike);
    free(linklike);
    free(hardlike);
    free(orig);
    free(arch);
    free(sub);
    free(out);
    free(rd);
}

/* A killed build's journal that names its -o directory (a "lock" line) is
 * finished only under that directory's lock too: taken without waiting;
 * when another run holds it, the journal is kept, nothing finished. */
static void test_journal_locks(const char *base)
{
    char *exp = path_join(base, "jexp"), *site = path_join(base, "jsite");
    char *w = path_join(base, "jw");
    mkdir(exp, 0777);
    mkdir(site, 0777);
    char *journal = path_join(exp, ".memreport.journal");
    char *tmp = path_join(site, ".index.html.tmp-abc123"), *dest = path_join(site, "index.html");
    char *jtext = xasprintf("memreport journal 2\nlock\t%s\n%s\t%s\t\ncommit\n", site, tmp, dest);
    static const int modes[] = {LOCK_EX, LOCK_SH};
    static const char *says[] = {"is being written by another memreport (pid ",
                                 "is being read by another memreport (pid "};
    diag_list d;
    for (int k = 0; k < 2; k++) {
        write_text(journal, jtext);
        write_text(tmp, "new\n");
        write_text(dest, "old\n");
        int holder = open(site, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        flock(holder, modes[k]);
        diag_init(&d);
        outset *o = outset_new();
        INT_EQ(outset_lock(o, exp, &d), 0, "lock a journal that names another directory");
        INT_EQ(outset_recover(o, &d), -1, "... held by another run: not finished");
        OK(diag_says(&d, says[k]), "... saying who holds it");
        OK(diag_says(&d, "the journal is kept for a later run"), "... and that it waits");
        OK(d.nio > 0, "... not an error of the data (exit 3)");
        outset_free(o);
        diag_free(&d);
        char *got = read_text(dest);
        STR_EQ(got, "old\n", "... nothing renamed there");
        free(got);
        OK(access(journal, F_OK) == 0 && access(tmp, F_OK) == 0, "... journal and temporary kept");
        close(holder);
    }

    diag_init(&d);
    outset *o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock it once let go");
    INT_EQ(outset_recover(o, &d), 0, "... finished");
    OK(could_lock(site, LOCK_EX), "... and the other directory let go");
    outset_free(o);
    char *got = read_text(dest);
    STR_EQ(got, "new\n", "... renamed into the other directory");
    free(got);
    OK(access(journal, F_OK) != 0, "... the journal gone");

    /* Both held by this run (build EXPDIR -o SITE): no second lock. */
    write_text(journal, jtext);
    write_text(tmp, "newer\n");
    o = outset_new();
    outset_dir both[] = {{exp, OUTSET_WRITE, 0}, {site, OUTSET_WRITE, 0}};
    INT_EQ(outset_lock_dirs(o, both, 2, &d), 0, "lock both to write");
    INT_EQ(outset_recover(o, &d), 0, "... finished under this run's own locks");
    outset_free(o);
    got = read_text(dest);
    STR_EQ(got, "newer\n", "... renamed");
    free(got);

    /* The other directory one this run reads (a site of both): exclusive. */
    write_text(journal, jtext);
    write_text(tmp, "newest\n");
    o = outset_new();
    outset_dir reads[] = {{w, OUTSET_WRITE, 0}, {exp, OUTSET_READ, 0}, {site, OUTSET_READ, 0}};
    INT_EQ(outset_lock_dirs(o, reads, 3, &d), 0, "lock a site reading both");
    OK(!could_lock(site, LOCK_SH), "... the one the journal names taken exclusive");
    INT_EQ(outset_recover(o, &d), 0, "... finished");
    INT_EQ(d.n, 0, "... no message on the way");
    outset_free(o);
    got = read_text(dest);
    STR_EQ(got, "newest\n", "... renamed");
    free(got);
    diag_free(&d);
    free(journal);
    free(tmp);
    free(dest);
    free(jtext);
    free(exp);
    free(site);
    free(w);
}

/* A journal in any directory this run writes, not only its home, is
 * finished before the sweep (a killed site's in the SITE of build EXPDIR
 * -o SITE); the sweep keeps what a journal left below names, and leaves a
 * folder another run holds (build Y -o X/www while X is swept). */
static void test_sweep_journals(const char *base)
{
    char *x = path_join(base, "kx"), *s = path_join(base, "ks");
    char *b = path_join(x, "b"), *c = path_join(x, "b/c"), *held = path_join(x, "held");
    mkdir(x, 0777);
    mkdir(s, 0777);
    mkdir(b, 0777);
    mkdir(c, 0777);
    mkdir(held, 0777);
    char *sj = path_join(s, ".memreport.journal");
    char *stmp = path_join(s, ".index.html.tmp-abc123"), *sdest = path_join(s, "index.html");
    char *stext = xasprintf("memreport journal 2\n%s\t%s\t\ncommit\n", stmp, sdest);
    write_text(sj, stext);
    write_text(stmp, "the site's\n");
    /* A killed run's journal in x/b/c naming files of x/b, swept before
     * x/b/c is walked to; and a leftover no journal names. */
    char *cj = path_join(c, ".memreport.journal");
    char *btmp = path_join(b, ".f.csv.tmp-aaaaaa"), *bdest = path_join(b, "f.csv");
    char *bold = path_join(b, ".f.csv.old-bbbbbb"), *stray = path_join(b, ".g.csv.tmp-cccccc");
    char *ctext = xasprintf("memreport journal 2\n%s\t%s\t%s\ncommit\n", btmp, bdest, bold);
    write_text(cj, ctext);
    write_text(btmp, "pending\n");
    write_text(bdest, "previous\n");
    link(bdest, bold);
    write_text(stray, "killed\n");
    char *live = path_join(held, ".h.csv.tmp-dddddd");
    write_text(live, "live\n");
    int holder = open(held, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    flock(holder, LOCK_EX);

    diag_list d;
    diag_init(&d);
    outset *o = outset_new();
    outset_dir both[] = {{x, OUTSET_WRITE, 0}, {s, OUTSET_WRITE, 0}};
    INT_EQ(outset_lock_dirs(o, both, 2, &d), 0, "lock two directories to write");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    char *got = read_text(sdest);
    STR_EQ(got, "the site's\n", "... the journal of the one not the home finished");
    free(got);
    OK(access(sj, F_OK) != 0, "... and removed");
    OK(access(btmp, F_OK) == 0 && access(bold, F_OK) == 0,
       "... a temporary and a backup a journal below names are not swept");
    OK(access(stray, F_OK) != 0, "... a leftover none names is");
    OK(access(live, F_OK) == 0, "... nor one in a folder another run holds");
    INT_EQ(d.n, 0, "... no message on the way");
    outset_free(o);
    close(holder);
    o = outset_new();
    INT_EQ(outset_lock(o, x, &d), 0, "lock again, the folder let go");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    OK(access(live, F_OK) != 0, "... its leftover swept now");
    outset_free(o);
    diag_free(&d);
    free(x);
    free(s);
    free(b);
    free(c);
    free(held);
    free(sj);
    free(stmp);
    free(sdest);
    free(stext);
    free(cj);
    free(btmp);
    free(bdest);
    free(bold);
    free(stray);
    free(ctext);
    free(live);
}

/* Journals recovery must not act on: one whose entries are not what a
 * commit writes (a destination outside its temporary's folder, a removal
 * whose backup is elsewhere), and one found above a directory swept that
 * another user owns (anyone may put one in /tmp). */
static void test_unsound_journals(const char *base)
{
    char *x = path_join(base, "ux"), *out = path_join(base, "uout");
    mkdir(x, 0777);
    mkdir(out, 0777);
    char *victim = path_join(out, "victim"), *victim2 = path_join(out, "victim2");
    char *tmp = path_join(x, ".victim.tmp-abcdef"), *old = path_join(x, ".victim2.old-abcdef");
    write_text(victim, "mine\n");
    write_text(victim2, "mine too\n");
    write_text(tmp, "planted\n");
    write_text(old, "planted\n");
    char *j = path_join(x, ".memreport.journal");
    char *text = xasprintf("memreport journal 2\n%s\t%s\t\n\t%s\t%s\ncommit\n", tmp, victim,
                           victim2, old);
    write_text(j, text);
    diag_list d;
    diag_init(&d);
    outset *o = outset_new();
    INT_EQ(outset_lock(o, x, &d), 0, "lock a directory whose journal names files elsewhere");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    char *got = read_text(victim), *got2 = read_text(victim2);
    OK(got && str_eq(got, "mine\n"),
       "... a destination outside its temporary's folder: not renamed over");
    OK(got2 && str_eq(got2, "mine too\n"), "... a removal whose backup is elsewhere: not removed");
    OK(access(j, F_OK) != 0 && access(tmp, F_OK) != 0,
       "... the journal dropped and its leftovers swept");
    free(got);
    free(got2);
    outset_free(o);

    /* Above a directory swept: finished when this user wrote it, left
     * alone (and what it names swept) when another did. */
    char *up = path_join(base, "up"), *e = path_join(base, "up/exp");
    mkdir(up, 0777);
    mkdir(e, 0777);
    char *uj = path_join(up, ".memreport.journal"), *dest = path_join(e, "f.csv");
    char *ut = path_join(e, ".f.csv.tmp-aaaaaa");
    char *utext = xasprintf("memreport journal 2\n%s\t%s\t\ncommit\n", ut, dest);
    for (int other = 0; other < 2; other++) {
        write_text(dest, "previous\n");
        write_text(ut, "pending\n");
        write_text(uj, utext);
        if (other && (geteuid() != 0 || chown(uj, 54321, 54321) != 0)) {
            printf("SKIP outset: another user's journal (needs root to make one)\n");
            unlink(uj);
            break;
        }
        o = outset_new();
        INT_EQ(outset_lock(o, e, &d), 0,
               other ? "lock below another user's journal" : "lock below a journal of ours");
        INT_EQ(outset_recover(o, &d), 0, "... recovered");
        got = read_text(dest);
        if (!other)
            OK(got && str_eq(got, "pending\n") && access(uj, F_OK) != 0, "... ours is finished");
        else
            OK(got && str_eq(got, "previous\n") && access(ut, F_OK) != 0 && access(uj, F_OK) == 0,
               "... another user's is not acted on: nothing renamed, its temporary swept, "
               "it stays");
        free(got);
        outset_free(o);
        unlink(uj);
    }
    diag_free(&d);
    free(x);
    free(out);
    free(victim);
    free(victim2);
    free(tmp);
    free(old);
    free(j);
    free(text);
    free(up);
    free(e);
    free(uj);
    free(dest);
    free(ut);
    free(utext);
}

/* The references to a journal in dir: how many, *first the path of one
 * (malloc'd, or NULL). */
static int refs_in(const char *dir, char **first)
{
    *first = NULL;
    DIR *dh = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (dh && (de = readdir(dh)))
        if (outset_is_journal_ref(de->d_name) && n++ == 0)
            *first = path_join(dir, de->d_name);
    if (dh)
        closedir(dh);
    return n;
}

static int refs_count(const char *dir)
{
    char *first;
    int n = refs_in(dir, &first);
    free(first);
    return n;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* A child commits into y, y/site and x/www (as build Y -o X/www with its
 * site both places), paused once its journal is written; it is killed
 * there. Returns true once the journal is in place and the child gone. */
static bool killed_commit(const char *y, const char *xw, const char *journal)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("MEMREPORT_PAUSE_COMMIT", "20000", 1);
        diag_list d;
        diag_init(&d);
        outset *o = outset_new();
        outset_dir dirs[] = {{y, OUTSET_WRITE, 0}, {xw, OUTSET_WRITE, 0}};
        char *rep = path_join(y, "REPORT.md"), *own = path_join(y, "site/index.html");
        char *idx = path_join(xw, "index.html"), *csv = path_join(xw, "data/a.csv");
        int rc = outset_lock_dirs(o, dirs, 2, &d) || outset_add(o, rep, "new\n", 4, &d) ||
                 outset_add(o, own, "new\n", 4, &d) || outset_add(o, idx, "new\n", 4, &d) ||
                 outset_add(o, csv, "new\n", 4, &d) || outset_commit(o, &d);
        _exit(rc ? 1 : 0);
    }
    bool there = false;
    for (int i = 0; pid > 0 && i < 400 && !there; i++) {
        there = exists(journal);
        if (!there)
            nanosleep(&(struct timespec){0, 25000000}, NULL);
    }
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return there;
}

static void test_journal_refs(const char *base)
{
    static const struct {
        const char *name;
        bool ref;
    } names[] = {
        {".memreport.journal-ref-Ab12Cd", true},   {".memreport.journal-ref-Ab12C", false},
        {".memreport.journal-ref-Ab12Cd.x", false}, {".memreport.journal-ref-Ab12Cd7", false},
        {"memreport.journal-ref-Ab12Cd", false},   {".other.journal-ref-Ab12Cd", false},
        {".memreport.journal", false},             {".memreport.journal.tmp-Ab12Cd", false},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        INT_EQ(outset_is_journal_ref(names[i].name), names[i].ref, names[i].name);
    OK(!outset_is_leftover(".memreport.journal-ref-Ab12Cd"), "a reference is no temporary");

    char *y = path_join(base, "ry"), *x = path_join(base, "rx"), *xw = path_join(base, "rx/www");
    char *xd = path_join(xw, "data"), *ys = path_join(y, "site");
    char *journal = path_join(y, ".memreport.journal");
    mkdir(y, 0777);
    mkdir(x, 0777);
    OK(killed_commit(y, xw, journal), "a commit into y and x/www killed with its journal in place");
    char *ref = NULL, *dref = NULL;
    INT_EQ(refs_in(xw, &ref), 1, "... a reference to the journal in x/www");
    INT_EQ(refs_in(xd, &dref), 1, "... and in x/www/data");
    INT_EQ(refs_count(y) + refs_count(ys), 0, "... none in y's own tree");
    char *text = ref ? read_text(ref) : NULL, *want = xasprintf("%s\n", journal);
    STR_EQ(text ? text : "", want, "... holding the journal's absolute path");
    free(text);
    free(want);

    /* References whose journal is gone, names nothing there, or is torn. */
    char *gone = path_join(xw, ".memreport.journal-ref-Gone01");
    char *other = path_join(xw, ".memreport.journal-ref-Othr01");
    char *torn = path_join(xw, ".memreport.journal-ref-Torn01");
    char *ojournal = path_join(x, ".memreport.journal");
    char *nowhere = xasprintf("%s/nowhere/.memreport.journal\n", base);
    char *elsewhere = xasprintf("%s\n", ojournal);
    write_text(gone, nowhere);
    write_text(other, elsewhere);
    write_text(torn, base);
    char *otmp = path_join(x, ".o.csv.tmp-oooooo");
    char *otext = xasprintf("memreport journal 2\n%s\t%s/o.csv\t\ncommit\n", otmp, x);
    char *stray = path_join(xd, ".b.csv.tmp-ssssss");
    write_text(stray, "killed\n");

    /* build X while another run holds y (a site reading it): x's own
     * journal is finished; nothing y's journal names is swept. */
    write_text(ojournal, otext);
    write_text(otmp, "x's\n");
    int holder = open(y, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    flock(holder, LOCK_SH);
    diag_list d;
    diag_init(&d);
    outset *o = outset_new();
    INT_EQ(outset_lock(o, x, &d), 0, "lock x, a killed commit's folders inside it, y held");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    INT_EQ(d.n, 0, "... no message");
    /* A run about to write into x/www is told before it does any work. */
    const char *free_dirs[] = {x, "/nonexistent/memreport-held"};
    INT_EQ(outset_check_held(o, free_dirs, 2, &d), 0,
           "... x itself and a folder that is not there: not held");
    const char *www_dirs[] = {x, xw};
    INT_EQ(outset_check_held(o, www_dirs, 2, &d), -1, "... x/www: held, refused");
    OK(d.n == 1 && d.nio == 1 && strstr(d.items[0].message, "still needs") &&
           strstr(d.items[0].message, journal) && !strcmp(d.items[0].file, xw),
       "... one I/O error at x/www, naming y's journal");
    diag_free(&d);
    diag_init(&d);
    outset_free(o);
    OK(exists(journal), "... y's journal is not x's to finish");
    int tmps = 0;
    DIR *dh = opendir(xw);
    struct dirent *de;
    while (dh && (de = readdir(dh)))
        tmps += outset_is_leftover(de->d_name);
    if (dh)
        closedir(dh);
    OK(tmps > 0, "... the temporary y's journal names in x/www kept");
    OK(ref && exists(ref) && dref && exists(dref), "... and the references to it");
    OK(!exists(gone) && !exists(other) && !exists(torn),
       "... references whose journal is gone, names nothing there or is torn swept");
    OK(!exists(stray), "... a temporary no journal names swept");

    /* y let go: the next build X finishes y's journal (its locks free). */
    close(holder);
    o = outset_new();
    INT_EQ(outset_lock(o, x, &d), 0, "lock x again, y let go");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    OK(!exists(journal), "... y's journal finished");
    char *idx = path_join(xw, "index.html"), *rep = path_join(y, "REPORT.md");
    char *got = read_text(idx);
    STR_EQ(got ? got : "", "new\n", "... renamed into x/www");
    free(got);
    got = read_text(rep);
    STR_EQ(got ? got : "", "new\n", "... and into y");
    free(got);
    INT_EQ(refs_count(xw) + refs_count(xd), 0, "... the references removed");

    /* Killed again: y's own next run finishes it just the same. */
    OK(killed_commit(y, xw, journal), "killed again");
    o = outset_new();
    INT_EQ(outset_lock(o, y, &d), 0, "lock y");
    INT_EQ(outset_recover(o, &d), 0, "... its journal finished");
    outset_free(o);
    INT_EQ(refs_count(xw) + refs_count(xd), 0, "... the references removed");

    /* A commit that finishes leaves none. */
    o = outset_new();
    outset_dir dirs[] = {{y, OUTSET_WRITE, 0}, {xw, OUTSET_WRITE, 0}};
    INT_EQ(outset_lock_dirs(o, dirs, 2, &d), 0, "lock y and x/www");
    INT_EQ(outset_add(o, idx, "newer\n", 6, &d), 0, "... staged into x/www");
    INT_EQ(outset_commit(o, &d), 0, "... committed");
    outset_free(o);
    INT_EQ(refs_count(xw) + refs_count(xd), 0, "... no reference left");

    /* A journal above the directory swept (build Y killed, then build Z
     * -o Y/site): what it names there is kept. */
    mkdir(ys, 0777);
    char *stmp = path_join(ys, ".index.html.tmp-yyyyyy");
    char *ytext = xasprintf("memreport journal 2\n%s\t%s/index.html\t\ncommit\n", stmp, ys);
    write_text(journal, ytext);
    write_text(stmp, "y's\n");
    holder = open(y, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    flock(holder, LOCK_SH);
    o = outset_new();
    INT_EQ(outset_lock(o, ys, &d), 0, "lock y/site alone, y's journal above it, y held");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    OK(exists(stmp) && exists(journal), "... what the journal above names is kept");
    close(holder);
    o = outset_new();
    INT_EQ(outset_lock(o, ys, &d), 0, "... y let go");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    char *yidx = path_join(ys, "index.html");
    got = read_text(yidx);
    free(yidx);
    STR_EQ(got ? got : "", "y's\n", "... the journal above finished");
    free(got);
    write_text(stmp, "stray\n");
    o = outset_new();
    INT_EQ(outset_lock(o, ys, &d), 0, "... a leftover again, no journal");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    OK(!exists(stmp), "... it is swept");

    /* A journal above that names nothing below is not this run's. */
    char *ytmp = path_join(y, ".REPORT.md.tmp-zzzzzz");
    char *ztext = xasprintf("memreport journal 2\n%s\t%s/REPORT.md\t\ncommit\n", ytmp, y);
    write_text(journal, ztext);
    write_text(ytmp, "y's own\n");
    o = outset_new();
    INT_EQ(outset_lock(o, ys, &d), 0, "lock y/site, y's journal naming nothing there");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    OK(exists(journal) && exists(ytmp), "... that journal left to y's next run");
    o = outset_new();
    INT_EQ(outset_lock(o, y, &d), 0, "... which finishes it");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    free(ytmp);
    free(ztext);

    /* The site a directory of its own inside y (build Y -o Y/www): the
     * sweep of any directory reaching it reads y's journal, so none. */
    char *yw = path_join(y, "www"), *ywd = path_join(y, "www/data");
    OK(killed_commit(y, yw, journal), "a commit into y and y/www killed");
    INT_EQ(refs_count(yw) + refs_count(ywd) + refs_count(ys) + refs_count(y), 0,
           "... no reference in y's tree");
    o = outset_new();
    INT_EQ(outset_lock(o, y, &d), 0, "... y's next run");
    INT_EQ(outset_recover(o, &d), 0, "... finishes it");
    outset_free(o);

    /* A reference to a journal without its "commit" line (never finished,
     * so nothing renamed): the run that finds it drops it, as that
     * journal's own run would, and its temporaries are swept. */
    char *qtmp = path_join(xw, ".q.csv.tmp-qqqqqq");
    char *qref = path_join(xw, ".memreport.journal-ref-Qqqq01");
    char *qtext = xasprintf("memreport journal 2\n%s\t%s/q.csv\t\n", qtmp, xw);
    char *qpath = xasprintf("%s\n", journal);
    write_text(journal, qtext);
    write_text(qtmp, "unfinished\n");
    write_text(qref, qpath);
    o = outset_new();
    INT_EQ(outset_lock(o, x, &d), 0, "lock x, a reference to an unfinished journal");
    INT_EQ(outset_recover(o, &d), 0, "... recovered");
    outset_free(o);
    OK(!exists(journal) && !exists(qtmp) && !exists(qref),
       "... the journal dropped, its temporary and the reference swept");
    INT_EQ(d.n, 0, "no message on the way");
    diag_free(&d);
    free(yw);
    free(ywd);
    free(qtmp);
    free(qref);
    free(qtext);
    free(qpath);
    free(y);
    free(x);
    free(xw);
    free(xd);
    free(ys);
    free(journal);
    free(ref);
    free(dref);
    free(gone);
    free(other);
    free(torn);
    free(ojournal);
    free(nowhere);
    free(elsewhere);
    free(otmp);
    free(otext);
    free(stray);
    free(idx);
    free(rep);
    free(stmp);
    free(ytext);
}

/* The folder part of a staged path, by which its descriptor is found. */
static void test_path_dir(void)
{
    static const char *cases[][2] = {
        {"a.csv", "."}, {"/a.csv", "/"}, {"exp/a.csv", "exp"},
        {"/x/exp/data/a.csv", "/x/exp/data"}, {"exp/", "exp"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = path_dir(cases[i][0]);
        STR_EQ(got, cases[i][1], cases[i][0]);
        free(got);
    }
}

int main(void)
{
    test_path_dir();
    char made[] = "/tmp/test_outset-XXXXXX";
    if (!mkdtemp(made))
        return 1;
    /* Resolved, as the journal writes its paths. */
    char *base = realpath(made, NULL);
    if (!base)
        return 1;
    char *exp = path_join(base, "exp"), *sub = path_join(base, "exp/data");
    char *file = path_join(base, "exp/data/a.csv"), *away = path_join(base, "away");
    char *moved = path_join(base, "moved");
    mkdir(exp, 0777);
    mkdir(away, 0777);

    /* A staged file whose folder became a link before the commit. */
    diag_list d;
    diag_init(&d);
    outset *o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock");
    INT_EQ(outset_add(o, file, "new\n", 4, &d), 0, "staged into a real folder");
    rename(sub, moved);
    symlink(away, sub);
    INT_EQ(outset_commit(o, &d), -1, "folder swapped for a link: the commit stops");
    OK(diag_says(&d, "is a symbolic link (to "), "... saying the folder is a link");
    INT_EQ(d.nio, 0, "... an error of the setup, not the system's (exit 1)");
    outset_free(o);
    diag_free(&d);
    INT_EQ(entries(away), 0, "... nothing written into the link's target");
    unlink(sub);
    rename(moved, sub);

    /* A staged file whose folder was then replaced by another, real one:
     * the temporary is in the folder opened, so the commit stops. */
    diag_init(&d);
    o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock for a replaced folder");
    INT_EQ(outset_add(o, file, "new\n", 4, &d), 0, "staged into the folder");
    rename(sub, moved);
    mkdir(sub, 0777);
    INT_EQ(outset_commit(o, &d), -1, "folder replaced by another: the commit stops");
    OK(diag_says(&d, "was moved or replaced"), "... saying so");
    outset_free(o);
    diag_free(&d);
    INT_EQ(entries(sub), 0, "... nothing written into the new folder");
    INT_EQ(entries(moved), 0, "... the temporary removed from the folder it was made in");
    rmdir(sub);
    rename(moved, sub);

    /* A second locked directory below the first that is a link. */
    char *inner = path_join(exp, "site");
    symlink(away, inner);
    diag_init(&d);
    o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock the outer directory");
    INT_EQ(outset_lock(o, inner, &d), -1, "a directory below it that is a link: not locked");
    OK(diag_says(&d, "is a symbolic link (to "), "... saying so");
    outset_free(o);
    diag_free(&d);
    unlink(inner);
    free(inner);

    /* A removal in a folder that is now a link to one holding that name. */
    char *victim = path_join(away, "a.csv");
    write_text(victim, "not ours\n");
    rename(sub, moved);
    symlink(away, sub);
    diag_init(&d);
    o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock again");
    outset_remove(o, file);
    INT_EQ(outset_commit(o, &d), -1, "removal through a link: the commit stops");
    outset_free(o);
    diag_free(&d);
    char *left = read_text(victim);
    STR_EQ(left, "not ours\n", "... the file the link leads to is not removed");
    free(left);
    unlink(sub);
    rename(moved, sub);

    /* The locked directory itself named through a link: followed. */
    char *exp_link = path_join(base, "exp-link"), *via = path_join(base, "exp-link/data/b.csv");
    symlink(exp, exp_link);
    diag_init(&d);
    o = outset_new();
    INT_EQ(outset_lock(o, exp_link, &d), 0, "lock through a link");
    INT_EQ(outset_add(o, via, "b\n", 2, &d), 0, "stage through the locked link");
    INT_EQ(outset_commit(o, &d), 0, "commit through the locked link");
    INT_EQ(d.n, 0, "... with no warning");
    outset_free(o);
    diag_free(&d);
    char *b = path_join(base, "exp/data/b.csv");
    char *got = read_text(b);
    STR_EQ(got, "b\n", "... written into the link's target");
    free(got);

    /* A killed build's journal, then its folder swapped for a link: the
     * next run does not finish the commit through the link. */
    char *journal = path_join(exp, ".memreport.journal");
    char *tmp_in = path_join(sub, ".c.csv.tmp-abc123"), *dest_in = path_join(sub, "c.csv");
    char *jtext = xasprintf("memreport journal 1\n%s\t%s\t\ncommit\n", tmp_in, dest_in);
    write_text(journal, jtext);
    rename(sub, moved);
    symlink(away, sub);
    char *away_tmp = path_join(away, ".c.csv.tmp-abc123"), *away_dest = path_join(away, "c.csv");
    write_text(away_tmp, "pending\n");
    diag_init(&d);
    o = outset_new();
    INT_EQ(outset_lock(o, exp, &d), 0, "lock with a journal");
    INT_EQ(outset_recover(o, &d), -1, "journal through a folder now a link: not finished");
    OK(diag_says(&d, "leads through a symbolic link since a killed run"), "... saying so");
    INT_EQ(d.nio, 0, "... an error of the setup (exit 1)");
    outset_free(o);
    diag_free(&d);
    OK(access(away_dest, F_OK) != 0, "... nothing renamed in the link's target");
    OK(access(journal, F_OK) == 0, "... the journal kept for a run after the link is gone");
    free(journal);
    free(tmp_in);
    free(dest_in);
    free(jtext);
    free(away_tmp);
    free(away_dest);

    test_read_locks(base);
    test_saved_leftovers(base);
    test_journal_locks(base);
    test_sweep_journals(base);
    test_journal_refs(base);
    test_unsound_journals(base);

    char *cmd = xasprintf("rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", base);
    free(cmd);
    free(base);
    free(b);
    free(exp_link);
    free(via);
    free(victim);
    free(exp);
    free(sub);
    free(file);
    free(away);
    free(moved);
    return harness_done();
}
