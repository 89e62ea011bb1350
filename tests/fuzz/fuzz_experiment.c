/* fuzz_experiment.c - a whole ingest and analysis of an experiment
 * directory. The first byte of the input chooses which file it becomes
 * (memory.csv, events.csv or experiment.json); the others are a small
 * valid experiment, so the analysis behind ingest runs too. */
#include <sys/stat.h>

#include "analysis.h"
#include "fuzz_common.h"

static const char memory_csv[] =
    "timestamp,type,nickname,fingerprint,rss_kb,hwm_kb\n"
    "2026-01-01T00:00:00,relay,alpha,,100,100\n"
    "2026-01-01T00:00:00,relay,beta,,200,200\n"
    "2026-01-01T00:00:00,aggregate,,,,\n"
    "2026-01-02T00:00:00,relay,alpha,,110,110\n"
    "2026-01-02T00:00:00,relay,beta,,190,200\n"
    "2026-01-03T00:00:00,relay,alpha,,50,50\n"
    "2026-01-03T00:00:00,relay,beta,,210,210\n";
static const char events_csv[] =
    "timestamp,event_type,description,group\n"
    "2026-01-02T12:00:00,restart,alpha restarted,A\n";
static const char manifest_json[] =
    "{\"timezone\": \"+01:00\", \"baseline\": \"B\", \"memory_budget_gib\": 1,\n"
    " \"groups\": {\"A\": {\"members\": [\"alpha\"]}, \"B\": {\"members\": \"groups/b.txt\"}}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[] = {"memory.csv", "events.csv", "experiment.json"};
    const char *dir = fuzz_scratch();
    static int ready;
    if (!ready) {
        char g[300];
        snprintf(g, sizeof g, "%s/groups", dir);
        mkdir(g, 0700);
        fuzz_write(dir, "groups/b.txt", "beta\n", 5);
        ready = 1;
    }
    fuzz_write(dir, "memory.csv", memory_csv, sizeof memory_csv - 1);
    fuzz_write(dir, "events.csv", events_csv, sizeof events_csv - 1);
    fuzz_write(dir, "experiment.json", manifest_json, sizeof manifest_json - 1);
    fuzz_write(dir, names[data[0] % 3], data + 1, size - 1);

    analysis_options o;
    analysis_options_default(&o);
    o.strict = data[0] & 4;
    analysis a;
    memset(&a, 0, sizeof a);
    diag_init(&a.diag);
    analysis_run(dir, &o, &a);
    analysis_free(&a);
    return 0;
}
