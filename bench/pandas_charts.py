#!/usr/bin/env python3
"""pandas_charts.py - the comparison point for bench/build.sh.

Draws the three charts users' hand-written reports embed today
(memory_timeseries, memory_distribution, memory_trajectories) the way
their scripts do: pandas for the data (pandas_group_means.load), matplotlib
for the drawing, every sample plotted (no thinning), PNG at 150 dpi.

usage: pandas_charts.py EXPDIR OUTDIR
Prints one line with the seconds taken; the PNGs land in OUTDIR.
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pandas_group_means import group_means, load  # noqa: E402


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    expdir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    t0 = time.monotonic()
    man, df = load(expdir)
    colors = {g: v.get("color") for g, v in man["groups"].items()}
    names = {g: v.get("name", g) for g, v in man["groups"].items()}
    df = df.assign(rss_gib=df["rss_kb"] / (1024 * 1024))

    means = group_means(df).unstack("group")
    fig, ax = plt.subplots(figsize=(12, 6))
    for g in means.columns:
        ax.plot(means.index, means[g], label=names[g], color=colors[g], marker="o", markersize=3)
    ax.set_ylabel("Mean RSS (GiB)")
    ax.set_title("Memory over time")
    ax.legend()
    fig.savefig(os.path.join(out, "memory_timeseries.png"), dpi=150)
    plt.close(fig)

    last = df[df["timestamp"] == df["timestamp"].max()]
    gs = sorted(last["group"].unique())
    fig, ax = plt.subplots(figsize=(12, 6))
    ax.boxplot([last.loc[last["group"] == g, "rss_gib"] for g in gs], labels=[names[g] for g in gs])
    ax.set_ylabel("RSS (GiB)")
    ax.set_title("Memory distribution at the last collection")
    fig.savefig(os.path.join(out, "memory_distribution.png"), dpi=150)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(12, 6))
    for (g, relay), s in df.groupby(["group", "nickname"]):
        ax.plot(s["timestamp"], s["rss_gib"], color=colors[g], alpha=0.4, linewidth=0.8)
    ax.set_ylabel("RSS (GiB)")
    ax.set_title("Per-relay trajectories")
    fig.savefig(os.path.join(out, "memory_trajectories.png"), dpi=150)
    plt.close(fig)

    print("pandas_charts seconds=%.3f charts=3 rows_in_groups=%d" % (time.monotonic() - t0, len(df)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
