/* experiment.json: every key of DESIGN 5, defaults, group order, and
 * errors reported at the line and column of the offending value. */
#include <stdlib.h>

#include "harness.h"
#include "manifest.h"
#include "timestamp.h"
#include "util.h"

static int parse(const char *text, manifest *m, diag_list *d)
{
    manifest_defaults(m);
    diag_init(d);
    return manifest_parse(text, strlen(text), "experiment.json", m, d);
}

/* Frees a manifest through the experiment that owns it normally. */
static void drop(manifest *m, diag_list *d)
{
    experiment e = {0};
    e.man = *m;
    experiment_free(&e);
    diag_free(d);
}

static int64_t ts(const char *s)
{
    ts_value v;
    timestamp_parse(s, strlen(s), 0, &v);
    return v.t;
}

static void full(void)
{
    const char *t =
        "{\n"
        "  \"id\": \"x-1\", \"name\": \"Five way\", \"server\": \"go\",\n"
        "  \"start_date\": \"2025-12-31\", \"end_date\": \"\",\n"
        "  \"timezone\": \"-08:00\", \"hypothesis\": \"h\", \"description\": \"d\",\n"
        "  \"problem\": \"p\", \"result\": \"r\", \"recommendation\": \"rec\",\n"
        "  \"baseline\": \"Z\", \"tor_version\": \"0.4.8\", \"allocator\": \"mixed\",\n"
        "  \"memory_budget_gib\": 8, \"added\": \"2026-01-01\", \"owner\": {\"x\": 1},\n"
        "  \"thresholds\": {\"flat_gib_day\": 0.1, \"warmup_hours\": 12},\n"
        "  \"groups\": {\n"
        "    \"Z\": {\"name\": \"last letter first\", \"color\": \"#2ecc71\",\n"
        "          \"members\": [\"alpha\", \"$12e3d3ae15c3a4f39191ec69ff9ffb28a130a32e\"],\n"
        "          \"exclude\": [\"beta\"], \"start\": \"2026-01-02T22:00:00\", \"end\": \"2026-01-09\",\n"
        "          \"config\": {\"allocator\": \"mimalloc\", \"version\": \"3.0.1\",\n"
        "                     \"source\": \"Debian\", \"env\": {\"LD_PRELOAD\": \"x.so\"}},\n"
        "          \"added\": \"2026-01-02\", \"description\": \"gd\"},\n"
        "    \"A\": {\"members\": \"./groups/group_A.txt\", \"config\": \"LD_PRELOAD=y\"}\n"
        "  }\n"
        "}\n";
    manifest m;
    diag_list d;
    INT_EQ(parse(t, &m, &d), 0, "full manifest parses");
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.items[i]);
        printf("  diag: %s\n", s);
        free(s);
    }
    OK(m.present, "present");
    STR_EQ(m.id, "x-1", "id");
    STR_EQ(m.name, "Five way", "name");
    STR_EQ(m.end_date, "", "empty end_date kept");
    STR_EQ(m.recommendation, "rec", "recommendation");
    STR_EQ(m.baseline, "Z", "baseline");
    INT_EQ(m.baseline_line, 6, "baseline line");
    INT_EQ(m.tz_offset_min, -480, "timezone");
    DBL_NEAR(m.memory_budget_gib, 8, 0, "memory budget");
    DBL_NEAR(m.th.flat_gib_day, 0.1, 0, "threshold override");
    DBL_NEAR(m.th.warmup_hours, 12, 0, "warm-up override");
    DBL_NEAR(m.th.variable_cv, 0.10, 0, "threshold default kept");
    INT_EQ(m.ngroups, 2, "two groups");
    if (m.ngroups == 2) {
        const manifest_group *z = &m.groups[0], *a = &m.groups[1];
        STR_EQ(z->id, "Z", "file order kept (Z first)");
        INT_EQ(z->line, 10, "group line");
        STR_EQ(z->color, "#2ecc71", "color");
        OK(z->has_members && z->nmembers == 2 && !z->members_file, "member list");
        STR_EQ(z->members[1], "12E3D3AE15C3A4F39191EC69FF9FFB28A130A32E", "fingerprint normalised");
        INT_EQ(z->nexclude, 1, "exclude");
        INT_EQ(z->start, ts("2026-01-03T06:00:00Z"), "start in the manifest zone");
        INT_EQ(z->end, ts("2026-01-10T07:59:59Z"), "date-only end is the end of that day");
        STR_EQ(z->allocator, "mimalloc", "config allocator");
        STR_EQ(z->version, "3.0.1", "config version");
        STR_EQ(z->source, "Debian", "config source");
        STR_EQ(z->config_json,
               "{\"allocator\":\"mimalloc\",\"version\":\"3.0.1\",\"source\":\"Debian\","
               "\"env\":{\"LD_PRELOAD\":\"x.so\"}}",
               "config kept as compact JSON");
        STR_EQ(z->added, "2026-01-02", "added");
        STR_EQ(a->members_file, "groups/group_A.txt", "members path cleaned");
        STR_EQ(a->config_json, "\"LD_PRELOAD=y\"", "string config kept as JSON text");
        OK(a->start == TIME_NONE && a->end == TIME_NONE, "no window");
        OK(!a->name, "absent name is NULL");
    }
    drop(&m, &d);
}

static const struct {
    const char *name;
    const char *text;
    const char *want; /* first message, prefix */
} bad[] = {
    {"invalid JSON", "{\n  \"id\": \"x\",\n  \"name\" \"y\"\n}\n", "experiment.json:3:"},
    {"duplicate key", "{\"id\": \"a\",\n \"id\": \"b\"}", "experiment.json:2:"},
    {"not an object", "[1, 2]", "experiment.json:1:1: the manifest must be a JSON object"},
    {"wrong type", "{\n  \"name\": 5\n}", "experiment.json:2:11: name must be a string, not a number"},
    {"bad timezone", "{\"timezone\": \"PST\"}", "experiment.json:1:14: timezone \"PST\""},
    {"bad start_date", "{\"start_date\": \"2026-02-30\"}",
     "experiment.json:1:16: start_date \"2026-02-30\": impossible"},
    {"bad color", "{\"groups\": {\"A\": {\"color\": \"green\"}}}",
     "experiment.json:1:28: groups.A.color \"green\" is not #rrggbb"},
    {"unknown baseline", "{\"baseline\": \"Q\",\n \"groups\": {\"A\": {}, \"B\": {}}}",
     "experiment.json:1:14: baseline \"Q\" names no group (the groups are A, B)"},
    {"members with ..", "{\"groups\": {\"A\": {\"members\": \"groups/../../x.txt\"}}}",
     "experiment.json:1:30: groups.A.members \"groups/../../x.txt\" leaves"},
    {"absolute members", "{\"groups\": {\"A\": {\"members\": \"/etc/passwd\"}}}",
     "experiment.json:1:30: groups.A.members \"/etc/passwd\" leaves"},
    {"members wrong type", "{\"groups\": {\"A\": {\"members\": 3}}}",
     "experiment.json:1:30: groups.A.members must be a file path or a list"},
    {"member not a string", "{\"groups\": {\"A\": {\"members\": [\"a\",\n 7]}}}",
     "experiment.json:2:2: groups.A.members[1] must be a nickname"},
    {"member object without relay", "{\"groups\": {\"A\": {\"members\": [\"a\",\n {\"end\": \"2026-01-05\"}]}}}",
     "experiment.json:2:2: groups.A.members[1] needs \"relay\": a nickname or fingerprint (the key is missing)"},
    {"member object, unknown key", "{\"groups\": {\"A\": {\"members\": [{\"relay\": \"a\", \"until\": \"x\"}]}}}",
     "experiment.json:1:46: groups.A.members[0]: unknown key \"until\" (a member is {\"relay\": NAME, \"start\": TIME, \"end\": TIME})"},
    {"member object, bad end", "{\"groups\": {\"A\": {\"members\": [{\"relay\": \"a\", \"end\": \"later\"}]}}}",
     "experiment.json:1:53: groups.A.members[0].end \"later\": not a timestamp"},
    {"member object, end before start",
     "{\"groups\": {\"A\": {\"members\": [{\"relay\": \"a\", \"start\": \"2026-01-02\", \"end\": \"2026-01-01\"}]}}}",
     "experiment.json:1:76: groups.A.members[0]: the member's end is before its start"},
    {"member object, relay not a string", "{\"groups\": {\"A\": {\"members\": [{\"relay\": 5}]}}}",
     "experiment.json:1:31: groups.A.members[0] needs \"relay\": a nickname or fingerprint"},
    {"group not an object", "{\"groups\": {\"A\": \"x\"}}",
     "experiment.json:1:18: groups.A must be an object"},
    {"bad group start", "{\"timezone\": \"+01:00\", \"groups\": {\"A\": {\"start\": \"soon\"}}}",
     "experiment.json:1:50: groups.A.start \"soon\": not a timestamp"},
    {"end before start",
     "{\"groups\": {\"A\": {\"start\": \"2026-01-02\", \"end\": \"2026-01-01T00:00\"}}}",
     "experiment.json:1:49: groups.A.end is before its start"},
    {"threshold out of range", "{\"thresholds\": {\"restart_drop\": 2}}",
     "experiment.json:1:33: thresholds.restart_drop is 2"},
    {"budget not a number", "{\"memory_budget_gib\": \"8\"}",
     "experiment.json:1:23: memory_budget_gib must be a number"},
    {"non-ASCII column counts code points", "{\"name\": \"\xE2\x86\x92\", \"id\": 1}",
     "experiment.json:1:21: id must be a string"},
};

static void errors(void)
{
    char name[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        manifest m;
        diag_list d;
        int rc = parse(bad[i].text, &m, &d);
        snprintf(name, sizeof name, "manifest %s: status 1", bad[i].name);
        INT_EQ(rc, 1, name);
        char *got = d.n ? diag_format(&d.items[0]) : xstrdup("");
        snprintf(name, sizeof name, "manifest %s: message", bad[i].name);
        CHECK_(!strncmp(got, bad[i].want, strlen(bad[i].want)), name,
               "got \"%s\", want \"%s...\"", got, bad[i].want);
        free(got);
        drop(&m, &d);
    }
}

/* A members list mixing names, fingerprints and member objects, each with
 * its window (a date alone as an end means the end of that day, in the
 * manifest's timezone) and its line. */
static void member_objects(void)
{
    const char *t = "{\"timezone\": \"-08:00\", \"groups\": {\"E\": {\"members\": [\n"
                    "  \"keithsweat\",\n"
                    "  {\"relay\": \"marleymarl\", \"end\": \"2026-01-05T10:58:00\"},\n"
                    "  {\"relay\": \"$12e3d3ae15c3a4f39191ec69ff9ffb28a130a32e\", \"start\": \"2026-01-05\"},\n"
                    "  {\"relay\": \"noid\", \"start\": \"2026-01-02T00:00\", \"end\": \"2026-01-05\"}\n"
                    "]}}}\n";
    manifest m;
    diag_list d;
    INT_EQ(parse(t, &m, &d), 0, "member objects parse");
    manifest_group *g = m.ngroups ? &m.groups[0] : NULL;
    INT_EQ(g ? g->nmembers : 0, 4, "member objects: four members");
    if (g && g->nmembers == 4) {
        STR_EQ(g->members[1], "marleymarl", "member object: relay");
        STR_EQ(g->members[2], "12E3D3AE15C3A4F39191EC69FF9FFB28A130A32E",
               "member object: fingerprint normalised");
        OK(g->member_start[0] == TIME_NONE && g->member_end[0] == TIME_NONE,
           "a plain name has no window");
        INT_EQ(g->member_end[1], ts("2026-01-05T18:58:00"), "end in the manifest's timezone");
        OK(g->member_start[1] == TIME_NONE, "start left open");
        INT_EQ(g->member_start[2], ts("2026-01-05T08:00:00"), "a start date is its first second");
        INT_EQ(g->member_end[3], ts("2026-01-06T07:59:59"), "an end date is its last second");
        INT_EQ(g->member_lines[0], 2, "line of a plain name");
        INT_EQ(g->member_lines[3], 5, "line of a member object");
    }
    drop(&m, &d);
}

static void defaults(void)
{
    manifest m;
    diag_list d;
    INT_EQ(parse("{}", &m, &d), 0, "empty object is a valid manifest");
    INT_EQ(m.tz_offset_min, 0, "default timezone UTC");
    DBL_NEAR(m.th.warmup_hours, 6, 0, "default warm-up");
    DBL_NEAR(m.th.restart_drop, 0.10, 0, "default restart drop");
    INT_EQ(m.ngroups, 0, "no groups");
    OK(!m.baseline, "no baseline");
    drop(&m, &d);
    INT_EQ(parse("{\"baseline\": \"A\"}", &m, &d), 0,
           "baseline without manifest groups is checked later, not here");
    drop(&m, &d);
    char *c = manifest_clean_path("./a//b/./c.txt");
    STR_EQ(c, "a/b/c.txt", "clean path");
    free(c);
}

int main(void)
{
    full();
    errors();
    member_objects();
    defaults();
    return harness_done();
}
