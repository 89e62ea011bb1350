/* memsim.c - the experiment simulator.
 *
 * Writes a complete experiment directory in the formats memreport reads
 * (memory.csv with aggregate and relay rows, events.csv, diagnostics.csv,
 * groups/group_<ID>_<slug>.txt, experiment.json) from a small model of
 * relay memory, and prints the truth it used as CSV, so that tests can
 * check memreport's figures against values known exactly.
 *
 * Model, per relay: a level (the group's level times a log-normal spread),
 * a warm-up ramp after each start, a linear leak since the last start, and
 * mean-reverting noise (per relay, plus an optional component shared by
 * the whole group). Scheduled restarts drop RSS to a low start level and
 * reset hwm_kb. Output is fully determined by the arguments: every random
 * draw comes from a xoshiro256** generator seeded from --seed. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt.h"
#include "rng.h"
#include "timestamp.h"
#include "util.h"

#define SIM_EXIT_USAGE 2
#define SIM_EXIT_IO 3
#define MIN_GAP_S 600       /* manual collections stay this far from others */
#define MAX_GROUPS 64
#define RESTART_PHASE_S 5400  /* restarts fall this long after the schedule */

/* ---- random numbers ---------------------------------------------------- */

/* The project's generator (analysis/rng.h), one stream per purpose and
 * per relay, so that adding a collection does not change any other draw;
 * plus the spare of the Box-Muller pair. */
typedef struct {
    rng_stream st;
    bool has_spare;
    double spare;
} xrng;

static void xrng_seed(xrng *r, uint64_t seed, uint64_t stream)
{
    rng_stream_seed(&r->st, seed, stream);
    r->has_spare = false;
    r->spare = 0;
}

static uint64_t xrng_next(xrng *r)
{
    return rng_stream_next(&r->st);
}

/* Uniform in [0, 1). */
static double xrng_unif(xrng *r)
{
    return rng_stream_unit(&r->st);
}

static uint64_t xrng_below(xrng *r, uint64_t n)
{
    return n ? xrng_next(r) % n : 0;
}

/* Standard normal (Box-Muller). */
static double xrng_norm(xrng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u = xrng_unif(r), v = xrng_unif(r);
    double m = sqrt(-2.0 * log(1.0 - u));
    r->spare = m * sin(2.0 * M_PI * v);
    r->has_spare = true;
    return m * cos(2.0 * M_PI * v);
}

/* ---- the model ---------------------------------------------------------- */

typedef enum { KIND_FLAT, KIND_LEAK, KIND_NOISY, KIND_RESTART } sim_kind;

static const char *const kind_names[] = {"flat", "leak", "noisy", "restart"};

typedef struct {
    char *id, *name, *slug, *alloc, *version, *source, *color;
    char **cfg_keys, **cfg_values; /* extra config keys (config.KEY=VALUE) */
    size_t ncfg;
    sim_kind kind;
    double level;       /* GiB */
    double rate;        /* leak, GiB/day */
    double sd, gsd;     /* noise sd per relay and shared by the group, GiB */
    double tau_h;       /* noise correlation time */
    double every_h;     /* scheduled restarts; 0: none */
    double share;       /* weight in the split; 0: equal */
    double age_h;       /* relays already running this long at their start */
    double start_h;     /* group starts this long after --start (relays added) */
    double warm_h;      /* warm-up ramp after a start */
    double spread;      /* log-normal spread of relay levels */
    bool list_fp;       /* group file lists fingerprints, not nicknames */

    size_t nrelays;     /* relays that behave as this group */
    size_t *listed;     /* relays in the group file (own + overlap) */
    size_t nlisted;
    int64_t t_start;    /* when the group's relays start */
    double gnoise;      /* shared noise state */
    double phi, psd;    /* this collection's AR(1) factors */
    double gphi, gpsd;
} sim_group;

typedef struct {
    char nick[20];
    char fp[41];
    int group;          /* -1: reserve (in no group) */
    double level, rate, start_gib, vm_over_gib, sd;
    int64_t first_start, last_start;
    int stagger;        /* seconds after a group restart this relay restarts */
    size_t next_restart;
    double noise;
    bool seen;          /* has been sampled since its last start */
    uint32_t hwm;
    bool no_fp;         /* rows written with an empty fingerprint */
    int move_to;        /* group it moves to at sim.move_t, or -1 */
    bool mover;         /* moves (or moved) to the second group */
    double move_level, move_rate; /* its level and leak in the new group */
    int64_t stop_t;     /* no samples after this time; INT64_MAX: none */
    xrng r;
} sim_relay;

typedef struct {
    const char *outdir;
    const char *truth_path;
    const char *server, *id, *name, *problem, *hypothesis, *description, *baseline, *control;
    double budget;
    size_t nrelays, ncoll_req, overlap, reserve;
    size_t shared_nick, stop_early, move; /* relays of the first group that
                                             share a nickname, stop early,
                                             move to the second group */
    int64_t move_t;     /* when the movers restart in their new group */
    double days, interval_h, manual_per_week;
    uint64_t seed;
    int64_t t0;
    int tz;             /* minutes east of UTC */
    int skew;           /* seconds over which one collection's rows spread */
    bool group_column, format_old;

    sim_group *groups;
    size_t ngroups;
    sim_relay *relays;
    int64_t *coll;      /* collection times */
    size_t ncoll;
    int64_t *restarts;  /* per group: scheduled restart times (flat array) */
    size_t *restart_off, *restart_n;
} sim;

/* ---- small output helpers ----------------------------------------------- */

/* A plain byte buffer flushed to a FILE in big chunks; all numbers are
 * formatted by hand, which is most of the speed on big fleets. */
typedef struct {
    FILE *f;
    char *p;
    size_t len, cap;
    bool err;
} obuf;

static void ob_flush(obuf *o)
{
    if (o->len && fwrite(o->p, 1, o->len, o->f) != o->len)
        o->err = true;
    o->len = 0;
}

static inline void ob_reserve(obuf *o, size_t n)
{
    if (o->len + n > o->cap)
        ob_flush(o);
}

static inline void ob_putn(obuf *o, const char *s, size_t n)
{
    if (n > o->cap) {
        ob_flush(o);
        if (fwrite(s, 1, n, o->f) != n)
            o->err = true;
        return;
    }
    ob_reserve(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static inline void ob_puts(obuf *o, const char *s)
{
    ob_putn(o, s, strlen(s));
}

static inline void ob_putc(obuf *o, char c)
{
    ob_reserve(o, 1);
    o->p[o->len++] = c;
}

static inline void ob_u64(obuf *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ob_reserve(o, (size_t)n);
    while (n)
        o->p[o->len++] = tmp[--n];
}

/* Fixed point with two decimals, v >= 0. */
static inline void ob_fix2(obuf *o, double v)
{
    uint64_t c = (uint64_t)llround(v * 100.0);
    ob_u64(o, c / 100);
    ob_putc(o, '.');
    ob_putc(o, (char)('0' + c / 10 % 10));
    ob_putc(o, (char)('0' + c % 10));
}

static void ob_printf(obuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ob_printf(obuf *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    ob_puts(o, s);
    free(s);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void ob_csv(obuf *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        ob_puts(o, s);
        return;
    }
    ob_putc(o, '"');
    for (; *s; s++) {
        if (*s == '"')
            ob_putc(o, '"');
        ob_putc(o, *s);
    }
    ob_putc(o, '"');
}

static void ob_json_str(obuf *o, const char *s)
{
    ob_putc(o, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            ob_putc(o, '\\');
            ob_putc(o, (char)*p);
        } else if (*p < 0x20) {
            ob_printf(o, "\\u%04x", *p);
        } else {
            ob_putc(o, (char)*p);
        }
    }
    ob_putc(o, '"');
}

static bool ob_open(obuf *o, const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    o->f = fopen(path, "wb");
    if (!o->f) {
        fprintf(stderr, "memsim: %s: %s\n", path, strerror(errno));
        free(path);
        return false;
    }
    free(path);
    o->cap = 1 << 20;
    o->p = xmalloc(o->cap);
    o->len = 0;
    o->err = false;
    return true;
}

static bool ob_close(obuf *o, const char *name)
{
    ob_flush(o);
    bool ok = !o->err && !ferror(o->f);
    if (fclose(o->f) != 0)
        ok = false;
    free(o->p);
    o->p = NULL;
    if (!ok)
        fprintf(stderr, "memsim: writing %s failed: %s\n", name, strerror(errno));
    return ok;
}

/* Naive local time "YYYY-MM-DDTHH:MM:SS" (19 bytes + NUL); sep between
 * date and time (0 writes the date alone, 10 bytes). */
static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

static void fmt_local(int64_t t, int tz, char sep, char *out)
{
    int64_t lt = t + (int64_t)tz * 60;
    int64_t day = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
    unsigned sec = (unsigned)(lt - day * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    unsigned yy = (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y);
    put2(out, yy / 100);
    put2(out + 2, yy % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    if (!sep) {
        out[10] = 0;
        return;
    }
    out[10] = sep;
    put2(out + 11, sec / 3600);
    out[13] = ':';
    put2(out + 14, sec / 60 % 60);
    out[16] = ':';
    put2(out + 17, sec % 60);
    out[19] = 0;
}

/* ---- options ------------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs(
        "usage: memsim -o DIR [options]\n"
        "Writes a simulated memory experiment to DIR (memory.csv, events.csv,\n"
        "diagnostics.csv, groups/, experiment.json) and prints the truth it used as\n"
        "CSV: group,name,relays,level_gib,leak_gib_day,restart_every_h,true_final_mean_gib\n"
        "(true_final_mean_gib: exact mean RSS of the group's listed relays at the last\n"
        "collection, from the kB values written). Same arguments, same bytes.\n"
        "\n"
        "  -o, --output DIR         experiment directory to write (created if needed;\n"
        "                           files memsim writes are replaced)\n"
        "      --relays N           relays on the server (default 100)\n"
        "      --days D             length of the experiment in days (default 21)\n"
        "      --interval-hours H   hours between scheduled collections (default 6)\n"
        "      --collections M      exactly M collections (scheduled + manual) instead\n"
        "                           of --days\n"
        "      --manual R           manual extra collections per week at random times\n"
        "                           (default 2; 0 for a strictly regular schedule)\n"
        "      --group SPEC         one group, repeatable (default: A:flat B:leak);\n"
        "                           SPEC is ID:KIND[:key=value]... with KIND one of\n"
        "                           flat, leak, noisy, restart and keys\n"
        "                             level=GiB    typical RSS (default 1.5)\n"
        "                             rate=GiB/day leak since the last start (leak: 1,\n"
        "                                          restart: 0.5, others 0)\n"
        "                             every=DUR    scheduled restart of the whole group,\n"
        "                                          at start + k x DUR + 90 min (restart: 72h)\n"
        "                             sd=GiB       noise per relay (noisy: 0.4, else 0.03)\n"
        "                             gsd=GiB      noise shared by the group (noisy:\n"
        "                                          0.75 x sd, else 0)\n"
        "                             tau=DUR      noise correlation time (6h)\n"
        "                             share=W      weight in the split of relays\n"
        "                                          (default: equal split)\n"
        "                             start=DUR    relays added this long after --start\n"
        "                             age=DUR      relays already up this long at --start\n"
        "                                          (12h; 0: cold start; a group with\n"
        "                                          start= always starts cold)\n"
        "                             warm=DUR     warm-up ramp after a start (3h)\n"
        "                             spread=X     log-normal sd of relay levels (0.08)\n"
        "                             name=TEXT alloc=TEXT version=TEXT source=TEXT\n"
        "                             color=#rrggbb slug=TEXT  manifest fields\n"
        "                             config.KEY=TEXT  another key of the group's\n"
        "                                          manifest config (DirCache=0, ...)\n"
        "                             list=fp      group file lists fingerprints\n"
        "                           DUR is a number with h (hours, the default) or d.\n"
        "      --overlap K          K relays of the last group are also listed in the\n"
        "                           file of the group before it\n"
        "      --reserve K          K relays in no group\n"
        "      --shared-nickname K  K pairs of relays of the first group share a\n"
        "                           nickname, with empty fingerprints (an older\n"
        "                           collector); the group file lists the name once\n"
        "      --stop-early K       K relays of the first group stop reporting after\n"
        "                           three quarters of the collections\n"
        "      --move K             K relays of the first group move to the second\n"
        "                           at a restart halfway through (a migration event\n"
        "                           names the second group); the first group's file\n"
        "                           still lists them, and group_<ID>_<slug>_moved.txt\n"
        "                           lists the second group after the move\n"
        "      --seed S             random seed (default 1)\n"
        "      --start TIME         first collection, local time (default\n"
        "                           2026-01-01T02:00:00)\n"
        "      --timezone OFF       timezone of the naive timestamps (default +00:00)\n"
        "      --skew S             rows of one collection spread over S seconds\n"
        "                           (default 0: one shared timestamp)\n"
        "      --with-group-column  write a group column after nickname instead of\n"
        "                           group files and manifest members\n"
        "      --format-old         the older layout: memory_measurements.csv with a\n"
        "                           group column, no fingerprints, vmsize or hwm\n"
        "      --server NAME        server name (default sim)\n"
        "      --id ID  --name TEXT  --problem TEXT  --hypothesis TEXT\n"
        "      --description TEXT   manifest texts\n"
        "      --baseline ID        manifest baseline group\n"
        "      --control ID         manifest control group (for memreport compare)\n"
        "      --budget GIB         manifest memory_budget_gib\n"
        "      --truth FILE         write the truth CSV to FILE instead of stdout\n"
        "  -h, --help               this help\n",
        f);
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out = (size_t)v;
    return true;
}

/* A duration: hours by default, or with an h or d suffix. */
static bool parse_dur_h(const char *s, double *hours)
{
    size_t n = strlen(s);
    double mul = 1;
    char *tmp = xstrdup(s);
    if (n && (tmp[n - 1] == 'h' || tmp[n - 1] == 'd')) {
        mul = tmp[n - 1] == 'd' ? 24 : 1;
        tmp[n - 1] = 0;
    }
    double v;
    bool ok = parse_double(tmp, &v) && v >= 0;
    free(tmp);
    if (ok)
        *hours = v * mul;
    return ok;
}

static char *make_slug(const char *name)
{
    strbuf b;
    buf_init(&b);
    fmt_slug(&b, name, "", ".", '_', false, SIZE_MAX);
    if (!b.len)
        buf_puts(&b, "group");
    return buf_detach(&b);
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 15)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Parses ID:KIND[:key=value]... into g. */
static bool parse_group(const char *spec, sim_group *g)
{
    memset(g, 0, sizeof *g);
    char *copy = xstrdup(spec);
    char *save = NULL;
    char *id = strtok_r(copy, ":", &save);
    char *kind = id ? strtok_r(NULL, ":", &save) : NULL;
    bool ok = true;
    if (!id || !valid_id(id)) {
        fprintf(stderr, "memsim: --group %s: the ID must be 1-15 letters, digits, _ or -\n",
                spec);
        free(copy);
        return false;
    }
    g->id = xstrdup(id);
    g->kind = KIND_FLAT;
    if (kind) {
        size_t k;
        for (k = 0; k < ARRAY_LEN(kind_names); k++)
            if (str_eq(kind, kind_names[k]))
                break;
        if (k == ARRAY_LEN(kind_names)) {
            fprintf(stderr, "memsim: --group %s: unknown kind '%s' (flat, leak, noisy, restart)\n",
                    spec, kind);
            ok = false;
            k = KIND_FLAT;
        }
        g->kind = (sim_kind)k;
    }
    g->level = 1.5;
    g->rate = g->kind == KIND_LEAK ? 1.0 : g->kind == KIND_RESTART ? 0.5 : 0.0;
    g->every_h = g->kind == KIND_RESTART ? 72 : 0;
    g->sd = g->kind == KIND_NOISY ? 0.4 : 0.03;
    g->gsd = -1;
    g->tau_h = 6;
    g->age_h = 12;
    g->warm_h = 3;
    g->spread = 0.08;
    for (char *kv = strtok_r(NULL, ":", &save); ok && kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            fprintf(stderr, "memsim: --group %s: '%s' is not key=value\n", spec, kv);
            ok = false;
            break;
        }
        *eq = 0;
        const char *k = kv, *v = eq + 1;
        struct { const char *key; double *num; bool dur; } nums[] = {
            {"level", &g->level, false}, {"rate", &g->rate, false}, {"sd", &g->sd, false},
            {"gsd", &g->gsd, false},     {"share", &g->share, false},
            {"spread", &g->spread, false}, {"every", &g->every_h, true},
            {"tau", &g->tau_h, true},    {"start", &g->start_h, true},
            {"age", &g->age_h, true},    {"warm", &g->warm_h, true},
        };
        struct { const char *key; char **str; } strs[] = {
            {"name", &g->name},     {"alloc", &g->alloc}, {"version", &g->version},
            {"source", &g->source}, {"color", &g->color}, {"slug", &g->slug},
        };
        bool known = false;
        for (size_t i = 0; i < ARRAY_LEN(nums) && !known; i++) {
            if (!str_eq(k, nums[i].key))
                continue;
            known = true;
            if (nums[i].dur ? !parse_dur_h(v, nums[i].num) : !parse_double(v, nums[i].num)) {
                fprintf(stderr, "memsim: --group %s: bad value for %s: '%s'\n", spec, k, v);
                ok = false;
            }
        }
        for (size_t i = 0; i < ARRAY_LEN(strs) && !known; i++) {
            if (!str_eq(k, strs[i].key))
                continue;
            known = true;
            free(*strs[i].str);
            *strs[i].str = xstrdup(v);
        }
        if (!known && str_starts(k, "config.") && k[7]) {
            /* Another tunable in the manifest's config: DirCache=0 ... */
            known = true;
            g->cfg_keys = xrealloc(g->cfg_keys, (g->ncfg + 1) * sizeof *g->cfg_keys);
            g->cfg_values = xrealloc(g->cfg_values, (g->ncfg + 1) * sizeof *g->cfg_values);
            g->cfg_keys[g->ncfg] = xstrdup(k + 7);
            g->cfg_values[g->ncfg++] = xstrdup(v);
        }
        if (!known && str_eq(k, "list")) {
            known = true;
            g->list_fp = str_eq(v, "fp");
        }
        if (!known) {
            fprintf(stderr, "memsim: --group %s: unknown key '%s'\n", spec, k);
            ok = false;
        }
    }
    if (ok && (g->level <= 0 || g->sd < 0 || g->share < 0 || g->tau_h <= 0 || g->rate < -10)) {
        fprintf(stderr, "memsim: --group %s: level and tau must be > 0, sd and share >= 0\n",
                spec);
        ok = false;
    }
    if (g->gsd < 0)
        g->gsd = g->kind == KIND_NOISY ? 0.75 * g->sd : 0.0;
    bool explicit_name = g->name != NULL;
    if (!g->name)
        g->name = xasprintf("Group %s (%s)", g->id, kind_names[g->kind]);
    if (!g->slug)
        g->slug = make_slug(explicit_name ? g->name : kind_names[g->kind]);
    if (!g->alloc)
        g->alloc = xstrdup("simulated");
    if (!g->version)
        g->version = xstrdup(kind_names[g->kind]);
    if (!g->source)
        g->source = xstrdup("memsim");
    free(copy);
    return ok;
}

static void group_free(sim_group *g)
{
    free(g->id);
    free(g->name);
    free(g->slug);
    free(g->alloc);
    free(g->version);
    free(g->source);
    free(g->color);
    free(g->listed);
    for (size_t i = 0; i < g->ncfg; i++) {
        free(g->cfg_keys[i]);
        free(g->cfg_values[i]);
    }
    free(g->cfg_keys);
    free(g->cfg_values);
}

/* ---- building the fleet --------------------------------------------------- */

static const char *const syl[] = {
    "ka", "ri", "no", "ve", "lu", "ta", "mo", "xi", "bel", "dor", "fen", "gal", "hux", "jin",
    "kor", "lam", "mir", "nox", "pol", "qua", "ros", "sil", "tor", "umb", "vax", "wen", "yor",
    "zed", "ar", "el", "on", "is", "ex", "ny", "ph", "sto", "cra", "bri", "dra", "fla",
};

static int cmp_nick(const void *a, const void *b)
{
    return strcmp(((const sim_relay *)a)->nick, ((const sim_relay *)b)->nick);
}

static void make_name(xrng *r, char *out)
{
    size_t n = 0;
    size_t parts = 2 + xrng_below(r, 3);
    for (size_t i = 0; i < parts; i++) {
        const char *s = syl[xrng_below(r, ARRAY_LEN(syl))];
        size_t l = strlen(s);
        if (n + l > 14)
            break;
        memcpy(out + n, s, l);
        n += l;
    }
    if (xrng_below(r, 4) == 0)
        n += (size_t)snprintf(out + n, 5, "%u", (unsigned)xrng_below(r, 1000));
    out[n] = 0;
}

/* Unique nicknames (regenerating duplicates) and random fingerprints,
 * relays sorted by nickname like a collector lists them. */
static void make_relays(sim *s)
{
    xrng r;
    xrng_seed(&r, s->seed, 1);
    s->relays = xcalloc(s->nrelays, sizeof *s->relays);
    for (size_t i = 0; i < s->nrelays; i++)
        make_name(&r, s->relays[i].nick);
    for (;;) {
        qsort(s->relays, s->nrelays, sizeof *s->relays, cmp_nick);
        bool dup = false;
        for (size_t i = 1; i < s->nrelays; i++)
            if (str_eq(s->relays[i].nick, s->relays[i - 1].nick)) {
                make_name(&r, s->relays[i].nick);
                dup = true;
            }
        if (!dup)
            break;
    }
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s->nrelays; i++) {
        for (int k = 0; k < 40; k++)
            s->relays[i].fp[k] = hex[xrng_below(&r, 16)];
        s->relays[i].fp[40] = 0;
    }
}

/* Splits relays over groups (share weights or equal), reserve last. */
static void assign_groups(sim *s)
{
    xrng r;
    xrng_seed(&r, s->seed, 2);
    size_t n = s->nrelays;
    size_t *perm = xmalloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)xrng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    size_t grouped = n - s->reserve;
    double wsum = 0;
    for (size_t g = 0; g < s->ngroups; g++)
        wsum += s->groups[g].share > 0 ? s->groups[g].share : 1.0;
    size_t given = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        double w = s->groups[g].share > 0 ? s->groups[g].share : 1.0;
        s->groups[g].nrelays = (size_t)floor(grouped * w / wsum);
        given += s->groups[g].nrelays;
    }
    for (size_t g = 0; given < grouped; g = (g + 1) % s->ngroups, given++)
        s->groups[g].nrelays++;
    size_t k = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        sim_group *G = &s->groups[g];
        G->listed = xmalloc((G->nrelays + s->overlap + 1) * sizeof *G->listed);
        for (size_t i = 0; i < G->nrelays; i++) {
            s->relays[perm[k]].group = (int)g;
            G->listed[G->nlisted++] = perm[k++];
        }
    }
    for (; k < n; k++)
        s->relays[perm[k]].group = -1;
    /* Overlap: the first K members of the last group also go into the
     * previous group's file (a stale member list, as operators have them). */
    if (s->overlap && s->ngroups >= 2) {
        sim_group *last = &s->groups[s->ngroups - 1], *prev = &s->groups[s->ngroups - 2];
        for (size_t i = 0; i < s->overlap && i < last->nrelays; i++)
            prev->listed[prev->nlisted++] = last->listed[i];
    }
    free(perm);
}

static void init_relays(sim *s)
{
    for (size_t i = 0; i < s->nrelays; i++) {
        sim_relay *R = &s->relays[i];
        xrng_seed(&R->r, s->seed, 1000 + i);
        const sim_group *G = R->group >= 0 ? &s->groups[R->group] : NULL;
        double level = G ? G->level : 1.0, rate = G ? G->rate : 0.0;
        double spread = G ? G->spread : 0.08;
        R->level = level * exp(spread * xrng_norm(&R->r));
        R->rate = rate * (1.0 + 0.05 * xrng_norm(&R->r));
        R->start_gib = 0.25 * R->level;
        R->vm_over_gib = 3.8 + 0.6 * xrng_unif(&R->r);
        R->sd = G ? G->sd : 0.03;
        R->noise = R->sd * xrng_norm(&R->r);
        R->stagger = (int)xrng_below(&R->r, 240);
        int64_t gstart = G ? G->t_start : s->t0;
        double age = G ? G->age_h : 12;
        /* Relays of a group added later are started cold in the five
         * minutes before the group's start, so its first collection has
         * them all. */
        R->first_start = gstart == s->t0 ? s->t0 - (int64_t)llround(age * 3600)
                                         : gstart - 300 + R->stagger;
        R->last_start = R->first_start;
        R->next_restart = 0;
        R->move_to = -1;
        R->stop_t = INT64_MAX;
    }
}

/* The first group's own members (not the overlap) are the ones the
 * variations pick from: shared nicknames from the front of its list, the
 * movers next, the relays that stop early from the back. Returns false
 * (with a message) when the group is too small for what was asked. */
static bool plan_variations(sim *s)
{
    if (!s->shared_nick && !s->stop_early && !s->move)
        return true;
    sim_group *G = &s->groups[0];
    size_t need = 2 * s->shared_nick + s->move + s->stop_early;
    if (need > G->nrelays) {
        fprintf(stderr, "memsim: group %s has %zu relays, too few for %zu shared nicknames, "
                        "%zu movers and %zu that stop early\n",
                G->id, G->nrelays, s->shared_nick, s->move, s->stop_early);
        return false;
    }
    if (s->move && s->ngroups < 2) {
        fprintf(stderr, "memsim: --move needs a second group to move to\n");
        return false;
    }
    if (s->shared_nick && G->list_fp) {
        fprintf(stderr, "memsim: --shared-nickname needs a group file of nicknames, not "
                        "list=fp\n");
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->shared_nick; i++, k += 2) {
        sim_relay *a = &s->relays[G->listed[k]], *b = &s->relays[G->listed[k + 1]];
        memcpy(b->nick, a->nick, sizeof b->nick);
        a->no_fp = b->no_fp = true;
    }
    if (s->move) {
        /* Halfway between two collections in the middle of the data, so
         * the collection before and the one after bracket the restart. */
        size_t c = s->ncoll / 2;
        int64_t next = c + 1 < s->ncoll ? s->coll[c + 1] : s->coll[c] + 7200;
        s->move_t = s->coll[c] + (next - s->coll[c]) / 2;
        const sim_group *to = &s->groups[1];
        for (size_t i = 0; i < s->move; i++, k++) {
            sim_relay *R = &s->relays[G->listed[k]];
            R->move_to = 1;
            R->mover = true;
            R->move_level = to->level * exp(to->spread * xrng_norm(&R->r));
            R->move_rate = to->rate * (1.0 + 0.05 * xrng_norm(&R->r));
        }
    }
    int64_t stop = s->coll[(s->ncoll * 3) / 4 < s->ncoll ? (s->ncoll * 3) / 4 : s->ncoll - 1];
    for (size_t i = 0; i < s->stop_early; i++)
        s->relays[G->listed[G->nrelays - 1 - i]].stop_t = stop;
    return true;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Scheduled collections (cron plus a few seconds of latency) and manual
 * extras at random times, never closer than MIN_GAP_S to another one. */
static void make_schedule(sim *s)
{
    xrng r;
    xrng_seed(&r, s->seed, 3);
    int64_t step = (int64_t)llround(s->interval_h * 3600);
    size_t nsched, nextra;
    if (s->ncoll_req) {
        nextra = (size_t)llround((double)s->ncoll_req * s->interval_h / 168.0 * s->manual_per_week);
        if (nextra > s->ncoll_req / 4)
            nextra = s->ncoll_req / 4;
        nsched = s->ncoll_req - nextra;
    } else {
        nsched = (size_t)floor(s->days * 24.0 / s->interval_h + 1e-9);
        if (!nsched)
            nsched = 1;
        nextra = (size_t)llround(s->days / 7.0 * s->manual_per_week);
        if (nextra > nsched / 4 + 1)
            nextra = nsched / 4 + 1;
        if (nsched < 4)
            nextra = 0;
    }
    s->ncoll = nsched + nextra;
    s->coll = xmalloc(s->ncoll * sizeof *s->coll);
    for (size_t k = 0; k < nsched; k++)
        s->coll[k] = s->t0 + (int64_t)k * step + 1 + (int64_t)xrng_below(&r, 20);
    int64_t lo = s->t0 + 3600, hi = s->coll[nsched - 1];
    size_t have = nsched;
    for (size_t e = 0; e < nextra && hi > lo; e++) {
        for (int tries = 0; tries < 200; tries++) {
            int64_t t = lo + (int64_t)xrng_below(&r, (uint64_t)(hi - lo));
            bool near = false;
            /* The scheduled ones are regular: check the two neighbours. */
            int64_t k = (t - s->t0) / step;
            for (int64_t j = k - 1; j <= k + 1 && !near; j++)
                if (j >= 0 && (size_t)j < nsched && llabs(s->coll[j] - t) < MIN_GAP_S)
                    near = true;
            for (size_t j = nsched; j < have && !near; j++)
                if (llabs(s->coll[j] - t) < MIN_GAP_S)
                    near = true;
            if (!near) {
                s->coll[have++] = t;
                break;
            }
        }
    }
    s->ncoll = have;
    qsort(s->coll, s->ncoll, sizeof *s->coll, cmp_i64);
}

/* Restart times per group: group start + k x every, inside the data. */
static void make_restarts(sim *s)
{
    s->restart_off = xcalloc(s->ngroups, sizeof *s->restart_off);
    s->restart_n = xcalloc(s->ngroups, sizeof *s->restart_n);
    size_t cap = 0, n = 0;
    int64_t end = s->coll[s->ncoll - 1];
    for (size_t g = 0; g < s->ngroups; g++) {
        sim_group *G = &s->groups[g];
        s->restart_off[g] = n;
        if (G->every_h <= 0)
            continue;
        int64_t every = (int64_t)llround(G->every_h * 3600);
        if (every < 3600)
            every = 3600;
        /* Restarts run from the operators' cron, 90 minutes off the
         * collection schedule, so a collection does not race them. */
        for (int64_t t = G->t_start + every + RESTART_PHASE_S; t < end; t += every) {
            xgrow((void **)&s->restarts, &cap, n + 1, sizeof *s->restarts);
            s->restarts[n++] = t;
            s->restart_n[g]++;
        }
    }
}

/* ---- writing --------------------------------------------------------------- */

typedef struct {
    uint32_t rss, vm, hwm;
    bool present;
} sample;

/* Advances relay R to time t and returns its sample. */
static void relay_step(sim *s, sim_relay *R, int64_t t, sample *out)
{
    if (t < R->first_start || t > R->stop_t) {
        out->present = false;
        return;
    }
    if (R->move_to >= 0 && t >= s->move_t) {
        /* Restarted in the new group: its level, leak and noise from now
         * on, RSS back to the start level, hwm_kb reset, and the new
         * group's restart schedule from the move on. */
        size_t g = (size_t)R->move_to;
        R->group = R->move_to;
        R->move_to = -1;
        R->level = R->move_level;
        R->rate = R->move_rate;
        R->start_gib = 0.25 * R->level;
        R->sd = s->groups[g].sd;
        R->last_start = s->move_t;
        R->seen = false;
        R->next_restart = 0;
        while (R->next_restart < s->restart_n[g] &&
               s->restarts[s->restart_off[g] + R->next_restart] + R->stagger <= s->move_t)
            R->next_restart++;
    }
    const sim_group *G = R->group >= 0 ? &s->groups[R->group] : NULL;
    if (G) {
        size_t g = (size_t)R->group;
        while (R->next_restart < s->restart_n[g] &&
               s->restarts[s->restart_off[g] + R->next_restart] + R->stagger <= t) {
            R->last_start = s->restarts[s->restart_off[g] + R->next_restart] + R->stagger;
            R->next_restart++;
            R->seen = false;
        }
    }
    double phi = G ? G->phi : 0.5, psd = G ? G->psd : 0.87;
    R->noise = phi * R->noise + psd * R->sd * xrng_norm(&R->r);
    double age_h = (double)(t - R->last_start) / 3600.0;
    double warm = G ? G->warm_h : 3;
    double ramp = 1.0;
    if (warm > 0 && age_h < warm) {
        double x = age_h / warm;
        ramp = x * x * (3 - 2 * x);
    }
    double gib = R->start_gib + (R->level - R->start_gib) * ramp + R->rate * age_h / 24.0 +
                 R->noise + (G ? G->gnoise * R->level / G->level : 0.0);
    if (gib < 0.0625)
        gib = 0.0625;
    uint32_t rss = (uint32_t)llround(gib * KB_PER_GIB);
    if (!R->seen || rss > R->hwm)
        R->hwm = rss;
    R->seen = true;
    out->rss = rss;
    out->vm = (uint32_t)llround(gib * 1.04 * KB_PER_GIB + R->vm_over_gib * KB_PER_GIB);
    out->hwm = R->hwm;
    out->present = true;
}

/* The collector walks the relays in order, so with --skew the rows of one
 * collection carry timestamps up to `skew` seconds apart. */
static int64_t relay_time(const sim *s, size_t i, int64_t t)
{
    return t + (s->skew ? (int64_t)((uint64_t)i * (uint64_t)s->skew / s->nrelays) : 0);
}

/* Writes memory.csv (or the older memory_measurements.csv) collection by
 * collection: the aggregate row first, then the relays by nickname. Fills
 * final_kb[relay] (RSS at the last collection, -1 when absent) and the
 * per-collection totals and counts that diagnostics.csv repeats. */
static bool write_memory(sim *s, double *final_kb, uint64_t *totals, uint64_t *counts)
{
    obuf o;
    const char *fname = s->format_old ? "memory_measurements.csv" : "memory.csv";
    if (!ob_open(&o, s->outdir, fname))
        return false;
    bool gcol = s->group_column || s->format_old;
    ob_puts(&o, gcol ? "timestamp,server,type,fingerprint,nickname,group,rss_kb,vmsize_kb,"
                       "hwm_kb,frag_ratio,count,total_kb,avg_kb,min_kb,max_kb\n"
                     : "timestamp,server,type,fingerprint,nickname,rss_kb,vmsize_kb,hwm_kb,"
                       "frag_ratio,count,total_kb,avg_kb,min_kb,max_kb\n");
    sample *smp = xmalloc(s->nrelays * sizeof *smp);
    xrng gr;
    xrng_seed(&gr, s->seed, 4);
    char ts[32], ts_relay[32];
    int64_t ts_relay_t = INT64_MIN;
    size_t srvlen = strlen(s->server);
    for (size_t c = 0; c < s->ncoll; c++) {
        int64_t t = s->coll[c];
        double dt_h = c ? (double)(t - s->coll[c - 1]) / 3600.0 : 1e9;
        for (size_t g = 0; g < s->ngroups; g++) {
            sim_group *G = &s->groups[g];
            G->phi = exp(-dt_h / G->tau_h);
            G->psd = sqrt(1 - G->phi * G->phi);
            double gphi = exp(-dt_h / (4 * G->tau_h));
            G->gnoise = gphi * G->gnoise + sqrt(1 - gphi * gphi) * G->gsd * xrng_norm(&gr);
        }
        uint64_t count = 0, total = 0, mn = UINT64_MAX, mx = 0;
        for (size_t i = 0; i < s->nrelays; i++) {
            relay_step(s, &s->relays[i], relay_time(s, i, t), &smp[i]);
            if (!smp[i].present)
                continue;
            count++;
            total += smp[i].rss;
            if (smp[i].rss < mn)
                mn = smp[i].rss;
            if (smp[i].rss > mx)
                mx = smp[i].rss;
        }
        if (c + 1 == s->ncoll)
            for (size_t i = 0; i < s->nrelays; i++)
                final_kb[i] = smp[i].present ? (double)smp[i].rss : -1;
        totals[c] = total;
        counts[c] = count;
        fmt_local(t, s->tz, 'T', ts);
        if (count) {
            ob_puts(&o, ts);
            ob_putc(&o, ',');
            ob_putn(&o, s->server, srvlen);
            ob_puts(&o, gcol ? ",aggregate,,,,,,,," : ",aggregate,,,,,,,");
            ob_u64(&o, count);
            ob_putc(&o, ',');
            ob_u64(&o, total);
            ob_putc(&o, ',');
            ob_u64(&o, total / count);
            ob_putc(&o, ',');
            ob_u64(&o, mn);
            ob_putc(&o, ',');
            ob_u64(&o, mx);
            ob_putc(&o, '\n');
        }
        for (size_t i = 0; i < s->nrelays; i++) {
            if (!smp[i].present)
                continue;
            const sim_relay *R = &s->relays[i];
            const char *tsr = ts;
            if (s->skew) {
                int64_t tr = relay_time(s, i, t);
                if (tr != ts_relay_t) {
                    fmt_local(tr, s->tz, 'T', ts_relay);
                    ts_relay_t = tr;
                }
                tsr = ts_relay;
            }
            ob_putn(&o, tsr, 19);
            ob_putc(&o, ',');
            ob_putn(&o, s->server, srvlen);
            ob_puts(&o, ",relay,");
            if (!s->format_old && !R->no_fp)
                ob_putn(&o, R->fp, 40);
            ob_putc(&o, ',');
            ob_puts(&o, R->nick);
            ob_putc(&o, ',');
            if (gcol) {
                if (R->group >= 0)
                    ob_puts(&o, s->groups[R->group].id);
                ob_putc(&o, ',');
            }
            ob_u64(&o, smp[i].rss);
            ob_putc(&o, ',');
            if (s->format_old) {
                ob_puts(&o, ",,,,,,,\n");
                continue;
            }
            ob_u64(&o, smp[i].vm);
            ob_putc(&o, ',');
            ob_u64(&o, smp[i].hwm);
            ob_putc(&o, ',');
            ob_fix2(&o, (double)smp[i].vm / smp[i].rss);
            ob_puts(&o, ",,,,,\n");
        }
    }
    free(smp);
    return ob_close(&o, fname);
}

typedef struct {
    int64_t t;
    const char *type;
    char *desc;
    const char *group;
    bool offset;        /* written with an explicit offset */
} sim_event;

static int cmp_event(const void *a, const void *b)
{
    const sim_event *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

static bool write_events(sim *s)
{
    sim_event *ev = NULL;
    size_t n = 0, cap = 0;
#define ADD_EVENT(T, TYPE, GROUP, OFF, ...)                            \
    do {                                                               \
        xgrow((void **)&ev, &cap, n + 1, sizeof *ev);                  \
        ev[n] = (sim_event){(T), (TYPE), xasprintf(__VA_ARGS__), (GROUP), (OFF)}; \
        n++;                                                           \
    } while (0)
    size_t grouped = s->nrelays - s->reserve;
    ADD_EVENT(s->t0 - 1800, "experiment", "all", false,
              "Experiment started: %zu groups, %zu relays (%zu in groups), "
              "allocators via LD_PRELOAD",
              s->ngroups, s->nrelays, grouped);
    for (size_t g = 0; g < s->ngroups; g++) {
        const sim_group *G = &s->groups[g];
        if (G->t_start > s->t0) {
            ADD_EVENT(G->t_start - 600, "config_change", G->id, false,
                      "Group %s → %s %s, %s", G->id, G->alloc, G->version, G->source);
            ADD_EVENT(G->t_start - 300, "relay_add", G->id, false, "+%zu new relays (%s)",
                      G->nrelays, G->name);
        } else {
            ADD_EVENT(s->t0 - 3600 + (int64_t)g * 60, "config_change", G->id, false,
                      "Group %s → %s %s, %s", G->id, G->alloc, G->version, G->source);
        }
        for (size_t k = 0; k < s->restart_n[g]; k++)
            ADD_EVENT(s->restarts[s->restart_off[g] + k], "restart", G->id, false,
                      "Scheduled restart of group %s (%s), every %gh", G->id, G->name,
                      G->every_h);
    }
    if (s->move) {
        ADD_EVENT(s->move_t - 600, "migration", s->groups[1].id, false,
                  "%zu relays from %s to %s", s->move, s->groups[0].id, s->groups[1].id);
        ADD_EVENT(s->move_t, "restart", s->groups[0].id, false,
                  "%zu relays of %s restarted with the allocator of %s", s->move,
                  s->groups[0].id, s->groups[1].id);
    }
    ADD_EVENT(s->coll[s->ncoll - 1] + 600, "experiment_end", "all", true,
              "Experiment concluded, \"final\" collection → report");
#undef ADD_EVENT
    qsort(ev, n, sizeof *ev, cmp_event);
    obuf o;
    bool ok = ob_open(&o, s->outdir, "events.csv");
    if (ok) {
        ob_puts(&o, "timestamp,event_type,description,group\n");
        for (size_t i = 0; i < n; i++) {
            char ts[40];
            if (ev[i].offset) {
                timestamp_format_iso(ev[i].t, s->tz, ts, sizeof ts);
            } else {
                fmt_local(ev[i].t, s->tz, 'T', ts);
            }
            ob_puts(&o, ts);
            ob_putc(&o, ',');
            ob_puts(&o, ev[i].type);
            ob_putc(&o, ',');
            ob_csv(&o, ev[i].desc);
            ob_putc(&o, ',');
            ob_csv(&o, ev[i].group);
            ob_putc(&o, '\n');
        }
        ok = ob_close(&o, "events.csv");
    }
    for (size_t i = 0; i < n; i++)
        free(ev[i].desc);
    free(ev);
    return ok;
}

/* Host facts a few seconds after each collection; relay totals agree with
 * the aggregate rows (in MB). */
static bool write_diagnostics(sim *s, const uint64_t *totals, const uint64_t *counts)
{
    obuf o;
    if (!ob_open(&o, s->outdir, "diagnostics.csv"))
        return false;
    xrng r;
    xrng_seed(&r, s->seed, 5);
    ob_puts(&o, "date,time,hostname,tor_version,os_release,kernel,allocator,mem_total_mb,"
                "mem_free_mb,mem_available_mb,mem_cached_mb,swap_total_mb,swap_free_mb,"
                "tcp_established,tcp_total,fd_limit,relay_count,relay_total_mb,relay_avg_mb\n");
    uint64_t mem_total = (uint64_t)(s->nrelays > 8 ? s->nrelays : 8) * 8 * 1024;
    for (size_t c = 0; c < s->ncoll; c++) {
        if (!counts[c])
            continue;
        char d[16], tm[32];
        int64_t t = s->coll[c] + 6 + (int64_t)xrng_below(&r, 10);
        fmt_local(t, s->tz, ' ', tm);
        memcpy(d, tm, 10);
        d[10] = 0;
        uint64_t relay_mb = totals[c] / 1024;
        uint64_t cached = 40000 + xrng_below(&r, 8000);
        uint64_t used = relay_mb + 6000 + cached;
        uint64_t freemb = used + 1024 < mem_total ? mem_total - used : 1024;
        uint64_t tcp = counts[c] * (4000 + xrng_below(&r, 1000));
        ob_printf(&o, "%s,%s,%s,0.4.8.21,Debian GNU/Linux 13 (trixie),6.12.57+deb13-amd64,glibc,",
                  d, tm + 11, s->server);
        ob_u64(&o, mem_total);
        ob_putc(&o, ',');
        ob_u64(&o, freemb);
        ob_putc(&o, ',');
        ob_u64(&o, freemb + cached * 9 / 10);
        ob_putc(&o, ',');
        ob_u64(&o, cached);
        ob_puts(&o, ",10409,10409,");
        ob_u64(&o, tcp);
        ob_putc(&o, ',');
        ob_u64(&o, tcp + xrng_below(&r, 20000));
        ob_puts(&o, ",65536,");
        ob_u64(&o, counts[c]);
        ob_putc(&o, ',');
        ob_u64(&o, relay_mb);
        ob_putc(&o, ',');
        ob_u64(&o, relay_mb / counts[c]);
        ob_putc(&o, '\n');
    }
    return ob_close(&o, "diagnostics.csv");
}

/* One member file: a comment line, then the listed relays (a nickname
 * shared by two relays once). */
static bool write_member_file(const sim *s, const char *gdir, const char *name,
                              const sim_group *G, const size_t *listed, size_t n)
{
    obuf o;
    if (!ob_open(&o, gdir, name))
        return false;
    ob_printf(&o, "# %s: %s, %zu relays\n", G->id, G->name, n);
    for (size_t i = 0; i < n; i++) {
        const sim_relay *R = &s->relays[listed[i]];
        bool again = false;
        for (size_t j = 0; s->shared_nick && j < i && !again; j++)
            again = str_eq(s->relays[listed[j]].nick, R->nick);
        if (!again) {
            ob_puts(&o, G->list_fp && !R->no_fp ? R->fp : R->nick);
            ob_putc(&o, '\n');
        }
    }
    return ob_close(&o, name);
}

static bool write_group_files(sim *s)
{
    char *gdir = xasprintf("%s/groups", s->outdir);
    if (mkdir(gdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "memsim: %s: %s\n", gdir, strerror(errno));
        free(gdir);
        return false;
    }
    bool ok = true;
    for (size_t g = 0; g < s->ngroups && ok; g++) {
        const sim_group *G = &s->groups[g];
        char *name = xasprintf("group_%s_%s.txt", G->id, G->slug);
        ok = write_member_file(s, gdir, name, G, G->listed, G->nlisted);
        free(name);
    }
    if (ok && s->move) {
        /* The second group after the move: its own list and the movers,
         * a file the manifest does not use (the operators' new allocation). */
        const sim_group *G = &s->groups[1];
        size_t *after = xmalloc((G->nlisted + s->move) * sizeof *after), n = 0;
        for (size_t i = 0; i < G->nlisted; i++)
            after[n++] = G->listed[i];
        for (size_t i = 0; i < s->nrelays; i++)
            if (s->relays[i].mover)
                after[n++] = i;
        char *name = xasprintf("group_%s_%s_moved.txt", G->id, G->slug);
        ok = write_member_file(s, gdir, name, G, after, n);
        free(name);
        free(after);
    }
    free(gdir);
    return ok;
}

static bool write_manifest(sim *s)
{
    obuf o;
    if (!ob_open(&o, s->outdir, "experiment.json"))
        return false;
    char d0[16], d1[16], ts[32], tz[8];
    fmt_local(s->coll[0], s->tz, 0, d0);
    fmt_local(s->coll[s->ncoll - 1], s->tz, 0, d1);
    int a = s->tz < 0 ? -s->tz : s->tz;
    snprintf(tz, sizeof tz, "%c%02d:%02d", s->tz < 0 ? '-' : '+', a / 60 % 100, a % 60);
    char *id = s->id ? xstrdup(s->id) : xasprintf("%s-simulated", d0);
    char *name = s->name ? xstrdup(s->name)
                         : xasprintf("Simulated %zu-group allocator comparison", s->ngroups);
    ob_puts(&o, "{\n  \"id\": ");
    ob_json_str(&o, id);
    ob_puts(&o, ",\n  \"name\": ");
    ob_json_str(&o, name);
    ob_puts(&o, ",\n  \"server\": ");
    ob_json_str(&o, s->server);
    ob_printf(&o, ",\n  \"start_date\": \"%s\",\n  \"end_date\": \"%s\",\n  \"timezone\": \"%s\"",
              d0, d1, tz);
    const char *texts[][2] = {
        {"problem", s->problem ? s->problem : "Relay memory use differs between allocators."},
        {"hypothesis",
         s->hypothesis ? s->hypothesis : "Some allocators keep relay memory flat, others grow."},
        {"description",
         s->description ? s->description
                        : "Simulated fleet written by memsim; the true levels and leak "
                          "rates are known."},
    };
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        ob_printf(&o, ",\n  \"%s\": ", texts[i][0]);
        ob_json_str(&o, texts[i][1]);
    }
    ob_puts(&o, ",\n  \"tor_version\": \"0.4.8.21\",\n  \"allocator\": \"mixed\"");
    ob_puts(&o, ",\n  \"baseline\": ");
    ob_json_str(&o, s->baseline ? s->baseline : s->groups[0].id);
    if (s->control) {
        ob_puts(&o, ",\n  \"control\": ");
        ob_json_str(&o, s->control);
    }
    if (s->budget > 0)
        ob_printf(&o, ",\n  \"memory_budget_gib\": %g", s->budget);
    ob_puts(&o, ",\n  \"groups\": {");
    for (size_t g = 0; g < s->ngroups; g++) {
        const sim_group *G = &s->groups[g];
        ob_puts(&o, g ? ",\n    " : "\n    ");
        ob_json_str(&o, G->id);
        ob_puts(&o, ": {\"name\": ");
        ob_json_str(&o, G->name);
        if (!s->group_column && !s->format_old) {
            char *path = xasprintf("groups/group_%s_%s.txt", G->id, G->slug);
            ob_puts(&o, ", \"members\": ");
            ob_json_str(&o, path);
            free(path);
        }
        fmt_local(G->t_start, s->tz, 'T', ts);
        ob_printf(&o, ",\n          \"start\": \"%s\"", ts);
        if (G->color) {
            ob_puts(&o, ", \"color\": ");
            ob_json_str(&o, G->color);
        }
        ob_puts(&o, ",\n          \"config\": {\"allocator\": ");
        ob_json_str(&o, G->alloc);
        ob_puts(&o, ", \"version\": ");
        ob_json_str(&o, G->version);
        ob_puts(&o, ", \"source\": ");
        ob_json_str(&o, G->source);
        for (size_t k = 0; k < G->ncfg; k++) {
            ob_puts(&o, ", ");
            ob_json_str(&o, G->cfg_keys[k]);
            ob_puts(&o, ": ");
            ob_json_str(&o, G->cfg_values[k]);
        }
        ob_puts(&o, "}}");
    }
    ob_puts(&o, "\n  }\n}\n");
    free(id);
    free(name);
    return ob_close(&o, "experiment.json");
}

static bool write_truth(sim *s, const double *final_kb)
{
    FILE *f = stdout;
    if (s->truth_path) {
        f = fopen(s->truth_path, "w");
        if (!f) {
            fprintf(stderr, "memsim: %s: %s\n", s->truth_path, strerror(errno));
            return false;
        }
    }
    fputs("group,name,relays,level_gib,leak_gib_day,restart_every_h,true_final_mean_gib\n", f);
    for (size_t g = 0; g < s->ngroups; g++) {
        const sim_group *G = &s->groups[g];
        double sum = 0;
        size_t n = 0;
        for (size_t i = 0; i < G->nlisted; i++)
            if (final_kb[G->listed[i]] >= 0) {
                sum += final_kb[G->listed[i]];
                n++;
            }
        fputs(G->id, f);
        fputc(',', f);
        if (strpbrk(G->name, ",\"")) {
            fputc('"', f);
            for (const char *p = G->name; *p; p++) {
                if (*p == '"')
                    fputc('"', f);
                fputc(*p, f);
            }
            fputc('"', f);
        } else {
            fputs(G->name, f);
        }
        fprintf(f, ",%zu,%.6f,%.6f,%g,%.6f\n", n, G->level, G->rate, G->every_h,
                n ? sum / (double)n / KB_PER_GIB : 0.0);
    }
    bool ok = !ferror(f);
    if (f != stdout) {
        if (fclose(f) != 0)
            ok = false;
    } else if (fflush(f) != 0) {
        ok = false;
    }
    if (!ok)
        fprintf(stderr, "memsim: writing the truth failed\n");
    return ok;
}

/* ---- main -------------------------------------------------------------------- */

enum {
    OPT_RELAYS = 256, OPT_DAYS, OPT_INTERVAL, OPT_COLLECTIONS, OPT_MANUAL, OPT_GROUP,
    OPT_OVERLAP, OPT_RESERVE, OPT_SEED, OPT_START, OPT_TZ, OPT_SKEW, OPT_GCOL, OPT_OLD,
    OPT_SERVER, OPT_ID, OPT_NAME, OPT_PROBLEM, OPT_HYPOTHESIS, OPT_DESCRIPTION,
    OPT_BASELINE, OPT_CONTROL, OPT_BUDGET, OPT_TRUTH, OPT_SHARED_NICK, OPT_STOP_EARLY, OPT_MOVE,
};

static int bad_value(const char *opt, const char *v)
{
    fprintf(stderr, "memsim: bad value for --%s: '%s'\n", opt, v);
    return SIM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"relays", required_argument, NULL, OPT_RELAYS},
        {"days", required_argument, NULL, OPT_DAYS},
        {"interval-hours", required_argument, NULL, OPT_INTERVAL},
        {"collections", required_argument, NULL, OPT_COLLECTIONS},
        {"manual", required_argument, NULL, OPT_MANUAL},
        {"group", required_argument, NULL, OPT_GROUP},
        {"overlap", required_argument, NULL, OPT_OVERLAP},
        {"reserve", required_argument, NULL, OPT_RESERVE},
        {"shared-nickname", required_argument, NULL, OPT_SHARED_NICK},
        {"stop-early", required_argument, NULL, OPT_STOP_EARLY},
        {"move", required_argument, NULL, OPT_MOVE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"start", required_argument, NULL, OPT_START},
        {"timezone", required_argument, NULL, OPT_TZ},
        {"skew", required_argument, NULL, OPT_SKEW},
        {"with-group-column", no_argument, NULL, OPT_GCOL},
        {"format-old", no_argument, NULL, OPT_OLD},
        {"server", required_argument, NULL, OPT_SERVER},
        {"id", required_argument, NULL, OPT_ID},
        {"name", required_argument, NULL, OPT_NAME},
        {"problem", required_argument, NULL, OPT_PROBLEM},
        {"hypothesis", required_argument, NULL, OPT_HYPOTHESIS},
        {"description", required_argument, NULL, OPT_DESCRIPTION},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"truth", required_argument, NULL, OPT_TRUTH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sim s;
    memset(&s, 0, sizeof s);
    s.nrelays = 100;
    s.days = 21;
    s.interval_h = 6;
    s.manual_per_week = 2;
    s.seed = 1;
    s.server = "sim";
    const char *start = "2026-01-01T02:00:00";
    const char *specs[MAX_GROUPS];
    size_t nspecs = 0;
    size_t sz;
    double dv;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': s.outdir = optarg; break;
        case 'h': usage(stdout); return 0;
        case OPT_RELAYS:
            if (!parse_size(optarg, &s.nrelays) || !s.nrelays || s.nrelays > 10000000)
                return bad_value("relays", optarg);
            break;
        case OPT_DAYS:
            if (!parse_double(optarg, &s.days) || s.days <= 0 || s.days > 36600)
                return bad_value("days", optarg);
            break;
        case OPT_INTERVAL:
            if (!parse_double(optarg, &s.interval_h) || s.interval_h < 0.05 || s.interval_h > 8760)
                return bad_value("interval-hours", optarg);
            break;
        case OPT_COLLECTIONS:
            if (!parse_size(optarg, &s.ncoll_req) || !s.ncoll_req || s.ncoll_req > 10000000)
                return bad_value("collections", optarg);
            break;
        case OPT_MANUAL:
            if (!parse_double(optarg, &s.manual_per_week) || s.manual_per_week < 0)
                return bad_value("manual", optarg);
            break;
        case OPT_GROUP:
            if (nspecs == MAX_GROUPS) {
                fprintf(stderr, "memsim: at most %d groups\n", MAX_GROUPS);
                return SIM_EXIT_USAGE;
            }
            specs[nspecs++] = optarg;
            break;
        case OPT_OVERLAP:
            if (!parse_size(optarg, &s.overlap))
                return bad_value("overlap", optarg);
            break;
        case OPT_RESERVE:
            if (!parse_size(optarg, &s.reserve))
                return bad_value("reserve", optarg);
            break;
        case OPT_SHARED_NICK:
            if (!parse_size(optarg, &s.shared_nick))
                return bad_value("shared-nickname", optarg);
            break;
        case OPT_STOP_EARLY:
            if (!parse_size(optarg, &s.stop_early))
                return bad_value("stop-early", optarg);
            break;
        case OPT_MOVE:
            if (!parse_size(optarg, &s.move))
                return bad_value("move", optarg);
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            s.seed = strtoull(optarg, &end, 0);
            if (errno || end == optarg || *end)
                return bad_value("seed", optarg);
            break;
        }
        case OPT_START: start = optarg; break;
        case OPT_TZ:
            if (!timestamp_parse_offset(optarg, &s.tz))
                return bad_value("timezone", optarg);
            break;
        case OPT_SKEW:
            if (!parse_size(optarg, &sz) || sz > 110)
                return bad_value("skew", optarg);
            s.skew = (int)sz;
            break;
        case OPT_GCOL: s.group_column = true; break;
        case OPT_OLD: s.format_old = true; break;
        case OPT_SERVER: s.server = optarg; break;
        case OPT_ID: s.id = optarg; break;
        case OPT_NAME: s.name = optarg; break;
        case OPT_PROBLEM: s.problem = optarg; break;
        case OPT_HYPOTHESIS: s.hypothesis = optarg; break;
        case OPT_DESCRIPTION: s.description = optarg; break;
        case OPT_BASELINE: s.baseline = optarg; break;
        case OPT_CONTROL: s.control = optarg; break;
        case OPT_BUDGET:
            if (!parse_double(optarg, &dv) || dv <= 0)
                return bad_value("budget", optarg);
            s.budget = dv;
            break;
        case OPT_TRUTH: s.truth_path = optarg; break;
        default:
            usage(stderr);
            return SIM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "memsim: unexpected argument '%s'\n", argv[optind]);
        return SIM_EXIT_USAGE;
    }
    if (!s.outdir) {
        fprintf(stderr, "memsim: -o DIR is required (see --help)\n");
        return SIM_EXIT_USAGE;
    }
    if (strpbrk(s.server, ",\"\r\n") || !*s.server) {
        fprintf(stderr, "memsim: --server must be a plain name\n");
        return SIM_EXIT_USAGE;
    }
    ts_value tv;
    if (timestamp_parse(start, strlen(start), s.tz, &tv) != TS_OK) {
        fprintf(stderr, "memsim: bad --start '%s'\n", start);
        return SIM_EXIT_USAGE;
    }
    s.t0 = tv.t;
    const char *defaults[] = {"A:flat", "B:leak"};
    if (!nspecs) {
        specs[0] = defaults[0];
        specs[1] = defaults[1];
        nspecs = 2;
    }
    s.groups = xcalloc(nspecs, sizeof *s.groups);
    int rc = 0;
    for (size_t g = 0; g < nspecs; g++) {
        if (!parse_group(specs[g], &s.groups[g])) {
            rc = SIM_EXIT_USAGE;
            nspecs = g + 1;
            break;
        }
        for (size_t h = 0; h < g; h++)
            if (str_eq(s.groups[h].id, s.groups[g].id)) {
                fprintf(stderr, "memsim: group %s given twice\n", s.groups[g].id);
                rc = SIM_EXIT_USAGE;
            }
        s.groups[g].t_start = s.t0 + (int64_t)llround(s.groups[g].start_h * 3600);
    }
    s.ngroups = nspecs;
    if (!rc && s.reserve + s.ngroups > s.nrelays) {
        fprintf(stderr, "memsim: %zu relays are too few for %zu groups and %zu in reserve\n",
                s.nrelays, s.ngroups, s.reserve);
        rc = SIM_EXIT_USAGE;
    }
    if (!rc && s.baseline) {
        bool found = false;
        for (size_t g = 0; g < s.ngroups; g++)
            found |= str_eq(s.groups[g].id, s.baseline);
        if (!found) {
            fprintf(stderr, "memsim: --baseline %s is not a group\n", s.baseline);
            rc = SIM_EXIT_USAGE;
        }
    }
    if (!rc && s.overlap && (s.group_column || s.format_old)) {
        fprintf(stderr, "memsim: warning: --overlap needs group files; "
                        "ignored with a group column\n");
        s.overlap = 0;
    }
    if (rc) {
        for (size_t g = 0; g < s.ngroups; g++)
            group_free(&s.groups[g]);
        free(s.groups);
        return rc;
    }

    make_relays(&s);
    assign_groups(&s);
    make_schedule(&s);
    for (size_t g = 0; g < s.ngroups; g++)
        if (s.groups[g].t_start > s.coll[s.ncoll - 1])
            fprintf(stderr, "memsim: warning: group %s starts after the last collection\n",
                    s.groups[g].id);
    init_relays(&s);
    make_restarts(&s);
    if (!plan_variations(&s))
        rc = SIM_EXIT_USAGE;

    if (!rc && mkdir(s.outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "memsim: %s: %s\n", s.outdir, strerror(errno));
        rc = SIM_EXIT_IO;
    }
    double *final_kb = xmalloc(s.nrelays * sizeof *final_kb);
    uint64_t *totals = xcalloc(s.ncoll, sizeof *totals);
    uint64_t *counts = xcalloc(s.ncoll, sizeof *counts);
    if (!rc && !write_memory(&s, final_kb, totals, counts))
        rc = SIM_EXIT_IO;
    if (!rc && !write_diagnostics(&s, totals, counts))
        rc = SIM_EXIT_IO;
    if (!rc && !write_events(&s))
        rc = SIM_EXIT_IO;
    if (!rc && !s.group_column && !s.format_old && !write_group_files(&s))
        rc = SIM_EXIT_IO;
    if (!rc && !write_manifest(&s))
        rc = SIM_EXIT_IO;
    if (!rc && !write_truth(&s, final_kb))
        rc = SIM_EXIT_IO;

    free(final_kb);
    free(totals);
    free(counts);
    for (size_t g = 0; g < s.ngroups; g++)
        group_free(&s.groups[g]);
    free(s.groups);
    free(s.relays);
    free(s.coll);
    free(s.restarts);
    free(s.restart_off);
    free(s.restart_n);
    return rc;
}
