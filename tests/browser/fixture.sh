# fixture.sh - sourced by the build and browser tests: make_fixture DIR
# writes a small experiment (2 groups x 3 relays, 6 daily collections)
# whose group names, event descriptions, manifest text and notes.md carry
# HTML/JS injection attempts. Group A grows 0.5 GiB/day, group B stays at
# 1 GiB, so A's final mean is 3.5 GiB and B's 1.0 GiB (ratio 3.50).
XSS1='<script>alert(1)</script>'
XSS2='"><img src=x onerror=alert(1)>'

make_fixture() {
    d=$1
    mkdir -p "$d"
    cat >"$d/experiment.json" <<'JSON'
{
  "id": "injection-fixture",
  "name": "Fixture <script>alert(1)</script>",
  "server": "s1",
  "timezone": "+00:00",
  "problem": "\"><img src=x onerror=alert(1)>",
  "hypothesis": "Names | pipes and `ticks` stay literal",
  "baseline": "A",
  "groups": {
    "A": {"name": "<script>alert(1)</script>", "members": ["r1", "r2", "r3"]},
    "B": {"name": "\"><img src=x onerror=alert(1)>", "members": ["r4", "r5", "r6"]}
  }
}
JSON
    {
        echo "timestamp,server,type,fingerprint,nickname,rss_kb,vmsize_kb,hwm_kb,frag_ratio,count,total_kb,avg_kb,min_kb,max_kb"
        for day in 1 2 3 4 5 6; do
            ts=$(printf '2026-01-%02dT02:00:00' "$day")
            tot=0
            for r in 1 2 3; do
                # A: 1 GiB on day 1, +0.5 GiB per day; relays differ slightly.
                kb=$(( 1048576 + (day - 1) * 524288 + (r - 2) * 10240 ))
                tot=$((tot + kb))
                echo "$ts,s1,relay,,r$r,$kb,$((kb * 2)),$kb,1.1,,,,,"
            done
            for r in 4 5 6; do
                kb=$(( 1048576 + (r - 5) * 10240 ))
                tot=$((tot + kb))
                echo "$ts,s1,relay,,r$r,$kb,$((kb * 2)),$kb,1.1,,,,,"
            done
            echo "$ts,s1,aggregate,,,,,,,6,$tot,$((tot / 6)),,"
        done
    } >"$d/memory.csv"
    cat >"$d/events.csv" <<'CSV'
timestamp,event_type,description,group
2026-01-02T12:00:00,experiment,<script>alert(1)</script>,all
2026-01-04T12:00:00,config_change,"""><img src=x onerror=alert(1)>",B
CSV
    cat >"$d/notes.md" <<'MD'
## Root cause <script>alert(1)</script>

The notes say "><img src=x onerror=alert(1)> in prose.

<div class="evil-block">raw block</div>

| kept | table |
|------|-------|
| 1    | 2     |

## Next steps

- [ ] plain verbatim item
MD
}
