"""Spike-and-slab fits through ``fit_posterior``: issue 12's speed and accuracy targets.

1. Enumeration at p = 20, n = 200 (about a million models), Zellner-Siow g-prior, 4 x 1000
   draws: wall time of the whole fit (target < 30 s).
2. MC3 against enumeration at p = 15 (UScrime, blma's transform) and p = 20 (simulated):
   the largest error of MC3's renormalized PIPs (BAS's estimate) and of its gamma
   frequencies (target <= 0.01 for the former).
3. MC3 at n = 200, p = 1000 with 10 true features, BetaBinomial(1, 1) model prior, over
   several simulated data sets: wall time (target < 60 s), the smallest true-feature pip
   (target > 0.9) and the false discovery proportion of ``selected`` (target <= 10% in
   most seeds).

Run: ``python benchmarks/spike_slab.py`` (``--quick`` for a smoke run with tiny sizes).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import bayes_l1 as bl
from bayes_l1.bma import enumerate_models
from bayes_l1.model import prepare
from bayes_l1.samplers.model_space import sample_models


def simulate(n, p, k, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    beta = np.zeros(p)
    beta[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 1.5, k)
    return X, X @ beta + rng.normal(size=n)


def enumeration_time(p: int) -> None:
    X, y = simulate(200, p, 4, seed=1)
    with warnings.catch_warnings():  # compile (or load the numba cache)
        warnings.simplefilter("ignore")
        bl.fit_posterior(*simulate(30, 3, 1), prior=bl.SpikeAndSlab(), draws=10, chains=1)
    t0 = time.perf_counter()
    tree = bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(), random_state=0)
    seconds = time.perf_counter() - t0
    n_models = tree["posterior"].attrs["n_models"]
    print(f"1. enumeration, n=200, p={p} ({n_models:,} models), 4 x 1000 draws: {seconds:.1f} s")


def mc3_accuracy(quick: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_gprior import blma_uscrime

    cases = {"UScrime (p=15)": blma_uscrime()}
    if not quick:
        cases["simulated n=100, p=20"] = simulate(100, 20, 5, seed=2)
    for label, (X, y) in cases.items():
        exact = enumerate_models(X, y, g="zellner-siow").pip.to_numpy()
        t0 = time.perf_counter()
        tree = sample_models(
            prepare(X, y), bl.SpikeAndSlab(), draws=500 if quick else 2000, tune=100,
            chains=4, random_seed=0, method="mc3",
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        post = tree["posterior"]
        rb = np.abs(np.asarray(post.attrs["pip_renormalized"]) - exact).max()
        freq = np.abs(post["gamma"].mean(("chain", "draw")).to_numpy() - exact).max()
        print(
            f"2. MC3 vs enumeration, {label}: max |renormalized pip - exact| = {rb:.4f}, "
            f"max |gamma frequency - exact| = {freq:.4f} ({seconds:.1f} s, "
            f"{post.attrs['n_models_evaluated']:,} models evaluated)"
        )


def mc3_large(n: int, p: int, seeds: int) -> None:
    prior = bl.SpikeAndSlab(model_prior=bl.BetaBinomial(1, 1))
    for seed in range(seeds):
        X, y = simulate(n, p, 10, seed=seed)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = bl.fit_posterior(X, y, prior=prior, random_state=seed)
        seconds = time.perf_counter() - t0
        table = bl.inclusion_summary(tree)
        names = [str(f) for f in tree["posterior"]["feature"].values]
        pip = tree["posterior"]["gamma"].mean(("chain", "draw")).to_numpy()
        selected = [names.index(f) for f in table.index[table["selected"]]]
        fdp = np.mean(np.asarray(selected) >= 10) if selected else 0.0
        print(
            f"3. MC3 n={n}, p={p}, seed {seed}: {seconds:.1f} s, min true pip "
            f"{pip[:10].min():.3f}, {len(selected)} selected, FDP {fdp:.2f}, "
            f"max noise pip {pip[10:].max():.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    args = parser.parse_args()
    enumeration_time(10 if args.quick else 20)
    mc3_accuracy(args.quick)
    if args.quick:
        mc3_large(100, 60, 1)
    else:
        mc3_large(200, 1000, 5)


if __name__ == "__main__":
    main()
