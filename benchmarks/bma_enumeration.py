"""Exact enumeration of all 2^p models: wall time per stage at p = 20 (about a million models).

Prints the time of the first call (numba compilation or loading the on-disk cache) on its own
line, then, for each choice of g, the time of ``enumerate_models`` (R^2 of every model, Bayes
factors, posterior probabilities), of the summaries (inclusion probabilities, size posterior,
top models) and of the best predictive model (two least-squares solves per model).

    python benchmarks/bma_enumeration.py            # p = 20, n = 200 (issue 12's target: < 30 s)
    python benchmarks/bma_enumeration.py --quick    # p = 10, for a smoke test
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from bayes_l1.bma import enumerate_models
from bayes_l1.bma.design import StandardizedDesign
from bayes_l1.bma.enumeration import _all_rss

G_CHOICES = ("n", "bic", "hyper-g", "hyper-g/n", "zellner-siow")


def simulate(n, p, k, seed=0):
    rng = np.random.default_rng(seed)
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))  # AR(1), rho = 0.5
    X = rng.multivariate_normal(np.zeros(p), cov, size=n)
    beta = np.zeros(p)
    beta[rng.choice(p, k, replace=False)] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.3, 1.0, k)
    return X, X @ beta + rng.normal(size=n)


def first_call_seconds() -> float:
    X, y = simulate(30, 4, 2, seed=1)
    t0 = time.perf_counter()
    for g in G_CHOICES:
        enumerate_models(X, y, g=g).best_predictive_model()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="p = 10 instead of 20")
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)
    p = 10 if args.quick else 20
    X, y = simulate(args.n, p, 5)
    print(f"first call (compile or cache load): {first_call_seconds():.2f} s")

    design = StandardizedDesign.from_data(X, y)
    t0 = time.perf_counter()
    _all_rss(design.gram, 1e-10)
    print(
        f"n = {args.n}, p = {p}: {2**p:,} models; R^2 of all models alone: "
        f"{time.perf_counter() - t0:.3f} s"
    )
    print("wall seconds (CPU seconds of this process); the machine may be shared")
    print(f"{'g':>14} {'enumerate':>16} {'summaries':>14} {'BPM':>16}")
    for g in G_CHOICES:
        stamps = [(time.perf_counter(), time.process_time())]
        res = enumerate_models(X, y, g=g)
        stamps.append((time.perf_counter(), time.process_time()))
        _ = res.pip, res.size_posterior, res.top_models(10), res.median_probability_model
        stamps.append((time.perf_counter(), time.process_time()))
        res.best_predictive_model()
        stamps.append((time.perf_counter(), time.process_time()))
        cells = [f"{b[0] - a[0]:.2f} ({b[1] - a[1]:.2f})" for a, b in itertools.pairwise(stamps)]
        print(f"{g:>14} {cells[0]:>16} {cells[1]:>14} {cells[2]:>16}")


if __name__ == "__main__":
    main()
