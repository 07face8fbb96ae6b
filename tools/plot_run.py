#!/usr/bin/env python3
"""Corner plot and run diagnostics from the files parnest::write() produces.

    python3 tools/plot_run.py out/gauss                  # writes out/gauss.png
    python3 tools/plot_run.py out/gauss -o run.png --params 4

Reads ROOT.txt and ROOT.paramnames (weights, -log L, parameters), ROOT_dead-birth.txt (nested
samplers: log L and birth contours, for log X) and ROOT_summary.json (for the title) if they
exist. Needs only numpy and matplotlib (Debian: apt-get install python3-numpy
python3-matplotlib).
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_chain(root):
    """Weights, log L and parameter samples from the GetDist chain, and the parameter names."""
    data = np.atleast_2d(np.loadtxt(root + ".txt"))
    with open(root + ".paramnames") as f:
        names = [line.split("\t")[-1].strip() for line in f if line.strip()]
    return data[:, 0], -data[:, 1], data[:, 2:], names


def log_volumes(root):
    """log L and the expected log X at each dead point, from birth and death contours.

    The live count when point i dies is the number of points born below its log L minus those
    that died before it; each death shrinks X by a factor with E[log t] = -1/n.
    """
    path = root + "_dead-birth.txt"
    if not os.path.exists(path):
        return None, None
    data = np.atleast_2d(np.loadtxt(path))
    log_l, birth = data[:, -2], data[:, -1]
    order = np.argsort(log_l, kind="stable")
    log_l, birth = log_l[order], birth[order]
    born_below = np.searchsorted(np.sort(birth), log_l, side="left")
    live = born_below - np.arange(len(log_l))
    return log_l, -np.cumsum(1.0 / np.maximum(live, 1))


def credible_levels(hist, masses=(0.68, 0.95)):
    """Histogram heights that enclose the given posterior masses."""
    flat = np.sort(hist.ravel())[::-1]
    cumulative = np.cumsum(flat) / flat.sum()
    return sorted(flat[min(np.searchsorted(cumulative, m), len(flat) - 1)] for m in masses)


def weighted_quantile(x, weights, q):
    order = np.argsort(x)
    cumulative = np.cumsum(weights[order])
    return x[order][min(np.searchsorted(cumulative, q * cumulative[-1]), len(x) - 1)]


def posterior_range(x, weights):
    """Where the posterior is: its 0.1 to 99.9 % quantiles, widened by 10 % on each side."""
    lo, hi = weighted_quantile(x, weights, 0.001), weighted_quantile(x, weights, 0.999)
    pad = 0.1 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def corner(fig, grid, weights, samples, names, bins=30):
    d = samples.shape[1]
    ranges = [posterior_range(samples[:, i], weights) for i in range(d)]
    for i in range(d):
        for j in range(i + 1):
            ax = fig.add_subplot(grid[i, j])
            if i == j:
                ax.hist(samples[:, i], bins=bins, range=ranges[i], weights=weights,
                        histtype="step", color="C0")
                ax.set_yticks([])
            else:
                h, xe, ye = np.histogram2d(samples[:, j], samples[:, i], bins=bins,
                                           range=[ranges[j], ranges[i]], weights=weights)
                ax.pcolormesh(xe, ye, h.T, cmap="Blues", shading="auto")
                if h.sum() > 0:
                    levels = credible_levels(h)
                    if levels[0] < levels[1]:
                        xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
                        ax.contour(xc, yc, h.T, levels=levels, colors="k", linewidths=0.8)
            ax.set_xlim(ranges[j])
            if i == d - 1:
                ax.set_xlabel(names[j])
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(names[i])
            elif j > 0:
                ax.set_yticklabels([])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", help="the root given to parnest::write(), e.g. out/gauss")
    parser.add_argument("-o", "--output", help="image file (default ROOT.png)")
    parser.add_argument("--params", type=int, default=6, help="parameters in the corner plot")
    args = parser.parse_args(argv)

    weights, log_l, samples, names = read_chain(args.root)
    d = min(samples.shape[1], args.params)
    samples, names = samples[:, :d], names[:d]
    log_l_dead, log_x = log_volumes(args.root)

    size = max(d, 2)
    fig = plt.figure(figsize=(2.4 * (size + 2), 2.4 * size))
    grid = fig.add_gridspec(size, size + 2, wspace=0.08, hspace=0.08)
    corner(fig, grid, weights, samples, names)

    right = grid[:, size + 1:].subgridspec(2, 1, hspace=0.35)
    top, bottom = fig.add_subplot(right[0]), fig.add_subplot(right[1])
    if log_x is not None:
        top.plot(log_x, log_l_dead, ".", ms=1.5, color="C0")
        top.set_xlabel("log X (expected)")
        top.set_ylabel("log L")
        lowest = np.percentile(log_l_dead, 10)  # the first draws from the prior can be far below
        top.set_ylim(lowest, log_l_dead.max() + 0.05 * (log_l_dead.max() - lowest))
        # L dX for each dead point, relative to the largest: where the evidence comes from.
        log_mass = log_l_dead + np.log(-np.diff(np.concatenate([[1.0], np.exp(log_x)])))
        bottom.plot(log_x, np.exp(log_mass - log_mass.max()), color="C1")
        bottom.set_xlabel("log X (expected)")
        bottom.set_ylabel("posterior mass per point (max 1)")
    else:  # not a nested sampler: weights in sample order
        top.plot(log_l, ".", ms=1.5)
        top.set_ylabel("log L")
        bottom.plot(weights / weights.max(), color="C1")
        bottom.set_ylabel("weight (max 1)")

    title = os.path.basename(args.root)
    summary = args.root + "_summary.json"
    if os.path.exists(summary):
        with open(summary) as f:
            s = json.load(f)
        def shown(value, spec):  # the summary writes null for infinite or NaN numbers
            return "n/a" if value is None else format(value, spec)
        title = (f"{title}: {s['sampler']} on {s['pool']}, log Z = {shown(s['log_z'], '.3f')} "
                 f"± {shown(s['log_z_err'], '.3f')}, {s['n_like']} calls, "
                 f"n_eff {shown(s['n_eff'], '.0f')}")
    fig.suptitle(title)
    output = args.output or args.root + ".png"
    fig.savefig(output, dpi=110, bbox_inches="tight")
    print(f"plot_run.py: wrote {output} ({len(weights)} samples, sum of weights "
          f"{weights.sum():.6f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
