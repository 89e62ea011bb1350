/* test_outset.c - the commit never writes through a symbolic link that
 * appeared below a locked directory after the files were staged (a
 * folder swapped for a link, or the folder of a removal, which staging
 * never made): it stops before anything changed. A locked directory
 * named through a link is written into its target. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int main(void)
{
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
    OK(diag_says(&d, "leads through a symbolic link since a killed build"), "... saying so");
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
