"""Gibbs vs PyMC's default NUTS (nutpie) on the same model, in the same run.

Efficiency is the minimum ESS (bulk and tail, ``check_sampling(...).table``) over every
posterior parameter -- beta, intercept, sigma and the prior's scales, tau and the local
scales included -- divided by the wall time of the sampling call (NUTS: model build,
compilation and sampling; Gibbs: everything, process start-up included).

Problems:
  1. horseshoe, n = 200, p = 1000 (simulated, 10 relevant features): target >= 10x;
  2. Bayesian lasso (Gamma hyperprior on lam^2) on the diabetes data: target >= 5x;
  3. horseshoe, n = 100, p = 20,000: Gibbs only, 2 chains x 1000 draws in < 5 minutes.

Run: ``python benchmarks/gibbs_vs_nuts.py`` (``--quick`` for a smoke run with tiny sizes).
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

import bayes_l1 as bl
from bayes_l1.diagnostics import check_sampling
from bayes_l1.model import build_model, prepare
from bayes_l1.samplers import sample_gibbs, sample_nuts

_SCALES = ("beta", "intercept", "sigma", "lam", "tau", "local", "c", "ridge_scale")


def min_ess(idata) -> tuple[float, str]:
    """Smallest bulk or tail ESS over all (non-constant) posterior parameters."""
    post = idata["posterior"]
    names = [v for v in _SCALES if v in post and float(post[v].std()) > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = check_sampling(idata, var_names=names, warn=False).table
    ess = table[["ess_bulk", "ess_tail"]].min(axis=1)
    return float(ess.min()), str(ess.idxmin())


def run(problem, data, prior, *, draws, tune, chains, nuts: bool, seed=0) -> list[dict]:
    rows = []
    start = time.perf_counter()
    gibbs = sample_gibbs(data, prior, draws=draws, tune=tune, chains=chains, random_seed=seed)
    rows.append(_row(problem, "gibbs", gibbs, time.perf_counter() - start, draws, chains))
    del gibbs
    if nuts:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = sample_nuts(
                build_model(data, prior),
                draws=draws,
                tune=tune,
                chains=chains,
                target_accept=0.9,
                random_seed=seed,
            )
        row = _row(problem, "nuts (nutpie)", idata, time.perf_counter() - start, draws, chains)
        row["divergences"] = int(idata["sample_stats"]["diverging"].sum())
        rows.append(row)
        rows[0]["speed-up"] = rows[0]["ESS/s"] / row["ESS/s"]
    return rows


def _row(problem, sampler, idata, seconds, draws, chains) -> dict:
    ess, worst = min_ess(idata)
    return {
        "problem": problem,
        "sampler": sampler,
        "chains x draws": f"{chains} x {draws}",
        "wall s": seconds,
        "min ESS": ess,
        "worst parameter": worst,
        "ESS/s": ess / seconds,
    }


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    q = args.quick
    draws, tune = (100, 100) if q else (1000, 1000)
    rows = []

    n, p = (50, 200) if q else (200, 1000)
    sim = bl.make_sparse_regression(n, p, 10, snr=4.0, rho=0.3, random_state=0)
    data = prepare(sim.X.to_numpy(), sim.y.to_numpy())
    rows += run(
        f"horseshoe n={n} p={p}", data, bl.Horseshoe(), draws=draws, tune=tune, chains=2, nuts=True
    )

    data = prepare(*bl.load_diabetes())
    rows += run(
        "Bayesian lasso, diabetes", data, bl.Laplace(), draws=draws, tune=tune, chains=2, nuts=True
    )

    n, p = (50, 2000) if q else (100, 20_000)
    sim = bl.make_sparse_regression(n, p, 10, snr=4.0, rho=0.3, random_state=1)
    data = prepare(sim.X.to_numpy(), sim.y.to_numpy())
    rows += run(
        f"horseshoe n={n} p={p}", data, bl.Horseshoe(), draws=draws, tune=tune, chains=2, nuts=False
    )

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(
            table.round({"wall s": 1, "min ESS": 0, "ESS/s": 2, "speed-up": 1}).to_string(
                index=False
            )
        )
    return table


if __name__ == "__main__":
    main()
