"""Posterior summaries at large p: the package against the references, in the same run.

1. ``check_sampling`` (R-hat, bulk and tail ESS, MCSE of every parameter, vectorized)
   against ``arviz_stats`` computing the same four quantities;
2. ``rank_distribution`` (P(rank = r) for r <= 50, ties shared) against the direct way:
   a full argsort of |beta| in every draw and a count per (feature, rank);
3. ``inclusion_summary`` (pips, means, intervals, rank medians) against ``arviz_stats.summary``
   of beta (means, sds, intervals, diagnostics) plus the pips in numpy.

Synthetic draws: 20 strong features among p, the rest near 0. Prints seconds and the ratio
ours / reference (< 1: faster).

    python benchmarks/summaries.py            # p = 5,000 (4 x 1000 draws), 100,000 (2 x 1000)
    python benchmarks/summaries.py --quick    # small sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import time
import warnings

import arviz_stats as azs
import numpy as np
import xarray as xr

import bayes_l1 as bl

_DIMS = ("chain", "draw", "feature")


def posterior(chains: int, draws: int, p: int, seed: int = 0) -> xr.DataTree:
    rng = np.random.default_rng(seed)
    scale = np.r_[np.ones(20), np.full(p - 20, 0.02)]
    b = rng.standard_normal((chains, draws, p)) * scale
    post = xr.Dataset(
        {
            "beta_std": (_DIMS, b),
            "beta": (_DIMS, 3.0 * b),
            "sigma_std": (("chain", "draw"), np.ones((chains, draws))),
        },
        coords={"feature": [f"x{j}" for j in range(p)]},
    )
    observed = xr.Dataset({"y": (("obs",), np.zeros(200))})
    return xr.DataTree.from_dict({"posterior": post, "observed_data": observed})


def seconds(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def arviz_diagnostics(tree) -> None:
    beta = tree["posterior"].to_dataset()[["beta"]]
    azs.rhat(beta)
    azs.ess(beta, method="bulk")
    azs.ess(beta, method="tail")
    azs.mcse(beta, method="mean")


def argsort_ranks(tree, max_rank: int) -> np.ndarray:
    b = np.abs(tree["posterior"]["beta_std"].to_numpy())
    b = b.reshape(-1, b.shape[-1])
    counts = np.zeros((b.shape[1], max_rank))
    for row in b:
        top = np.argsort(-row, kind="stable")[:max_rank]
        counts[top, np.arange(max_rank)] += 1
    return counts / b.shape[0]


def arviz_summary(tree, eps: float) -> None:
    azs.summary(tree["posterior"].to_dataset()[["beta"]], round_to="none")
    (np.abs(tree["posterior"]["beta_std"]) > eps).mean(("chain", "draw"))


def compare(name: str, ours: float, ref: float, ref_name: str) -> None:
    print(f"  {name:18s} {ours:7.2f} s   {ref_name:28s} {ref:7.2f} s   ratio {ours / ref:5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = ap.parse_args()
    sizes = [(2, 200, 500)] if args.quick else [(4, 1000, 5_000), (2, 1000, 100_000)]
    bl.check_sampling(posterior(2, 50, 30), warn=False)  # imports, first-call costs
    for chains, draws, p in sizes:
        tree = posterior(chains, draws, p)
        print(f"{chains} x {draws} draws, p = {p:,}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = seconds(bl.check_sampling, tree, var_names="beta", warn=False)
            ref = seconds(arviz_diagnostics, tree)
        compare("check_sampling", ours, ref, "arviz_stats rhat/ess/mcse")
        ours = seconds(bl.rank_distribution, tree, max_rank=50)
        ref = seconds(argsort_ranks, tree, 50)
        compare("rank_distribution", ours, ref, "argsort in every draw")
        eps = bl.default_eps(tree)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = seconds(bl.inclusion_summary, tree, eps=eps)
            ref = seconds(arviz_summary, tree, eps)
        compare("inclusion_summary", ours, ref, "arviz_stats.summary + pips")


if __name__ == "__main__":
    main()
