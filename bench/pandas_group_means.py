#!/usr/bin/env python3
"""pandas_group_means.py - the comparison point for bench/ingest.sh.

Does what users' chart scripts do today before they draw anything: read the
whole memory CSV with pandas, keep the relay rows, map each nickname to its
group through the group files named in experiment.json, drop rows before
the group's start, and average RSS per group per collection timestamp.

usage: pandas_group_means.py EXPDIR [OUT.csv]
Prints one line with the seconds taken and the number of (timestamp, group)
means; writes them to OUT.csv when given (so a run can be checked by eye).
"""
import json
import os
import sys
import time

import pandas as pd


def load(expdir):
    """Returns (manifest, relay rows joined to their groups from the group's
    start on). A relay listed in two groups counts in both, as the
    published report did."""
    with open(os.path.join(expdir, "experiment.json"), encoding="utf-8") as f:
        man = json.load(f)
    members = []
    for gid, g in man["groups"].items():
        with open(os.path.join(expdir, g["members"]), encoding="utf-8") as f:
            for line in f:
                name = line.split("#", 1)[0].strip()
                if name:
                    members.append((name, gid, g.get("start", "")))
    groups = pd.DataFrame(members, columns=["key", "group", "start"])
    groups["start"] = pd.to_datetime(groups["start"])

    df = pd.read_csv(os.path.join(expdir, "memory.csv"))
    df = df[df["type"] == "relay"]
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    # Group files list nicknames, or fingerprints when they look like one.
    fp = groups["key"].str.fullmatch(r"[0-9A-Fa-f]{40}").all()
    df = df.merge(groups, left_on="fingerprint" if fp else "nickname", right_on="key",
                  how="inner")
    return man, df[df["timestamp"] >= df["start"]]


def group_means(df):
    """Mean RSS in GiB per (timestamp, group)."""
    return (df.groupby(["timestamp", "group"])["rss_kb"].mean() / (1024 * 1024)).rename("mean_gib")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.monotonic()
    _, df = load(sys.argv[1])
    means = group_means(df)
    secs = time.monotonic() - t0
    if len(sys.argv) > 2:
        means.reset_index().to_csv(sys.argv[2], index=False)
    print("pandas seconds=%.3f means=%d rows_in_groups=%d" % (secs, len(means), len(df)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
