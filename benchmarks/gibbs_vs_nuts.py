"""Gibbs vs PyMC's default NUTS (nutpie) on the same model, in the same run.

Efficiency is the minimum ESS (bulk and tail, ``check_sampling(...).table``) over every
posterior parameter -- beta, intercept, sigma and the prior's scales, tau and the local
scales included -- divided by the wall time of the sampling call (NUTS: model build,
compilation and sampling; Gibbs: everything, process start-up included). Where NUTS is not
feasible (p >= 20,000) the table gives Gibbs's wall time, min ESS, max R-hat and peak memory
(the largest resident set of this process plus that of the largest chain process: an upper
bound, shared pages counted twice).

Problems (issue 13's table):
  Gaussian, against NUTS: horseshoe, n = 200, p = 1000 (10 relevant features); the Bayesian
  lasso (Gamma hyperprior on lam^2) on the diabetes data.
  Gaussian, n = 100, p = 20,000, Gibbs only, about 5 minutes each: horseshoe (p0 = 10 and
  the default p0 = n / 2), regularized horseshoe (p0 = 10), Laplace, Normal (target: min
  ESS >= 400 from 2 chains in 5 minutes).
  Logistic, n = 100, p = 1000, against NUTS: regularized horseshoe and Bayesian lasso (target
  for the first: R-hat <= 1.01, min ESS >= 400 in 2 minutes); the regularized horseshoe at
  p = 20,000, Gibbs only (target: converged in 10 minutes).
  ``--large``: horseshoe (p0 = 10), Gaussian, n = 100, p = 100,000 (target: min ESS >= 100
  in 20 minutes, peak memory <= 6 GB), about 20 minutes.

Run: ``python benchmarks/gibbs_vs_nuts.py`` (``--quick`` for a smoke run with tiny sizes).
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import pandas as pd

import bayes_l1 as bl
from bayes_l1.diagnostics import check_sampling
from bayes_l1.model import build_model, prepare
from bayes_l1.samplers import sample_gibbs, sample_nuts

_SCALES = ("beta", "intercept", "sigma", "lam", "tau", "local", "c", "ridge_scale")


def mixing(idata) -> tuple[float, str, float]:
    """Smallest bulk or tail ESS over all (non-constant) posterior parameters, the
    parameter that has it, and the largest R-hat."""
    post = idata["posterior"]
    names = [v for v in _SCALES if v in post and float(post[v].std()) > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = check_sampling(idata, var_names=names, warn=False).table
    ess = table[["ess_bulk", "ess_tail"]].min(axis=1)
    return float(ess.min()), str(ess.idxmin()), float(table["rhat"].max())


def run(problem, data, prior, *, draws, tune, chains=2, nuts: bool, thin=1, seed=0) -> list[dict]:
    rows = []
    start = time.perf_counter()
    gibbs = sample_gibbs(
        data, prior, draws=draws, tune=tune, chains=chains, thin=thin, random_seed=seed
    )  # fmt: skip
    rows.append(_row(problem, "gibbs", gibbs, time.perf_counter() - start, draws, thin, chains))
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
        seconds = time.perf_counter() - start
        row = _row(problem, "nuts (nutpie)", idata, seconds, draws, 1, chains)
        row["divergences"] = int(idata["sample_stats"]["diverging"].sum())
        rows.append(row)
        rows[0]["speed-up"] = rows[0]["ESS/s"] / row["ESS/s"]
    return rows


def _row(problem, sampler, idata, seconds, draws, thin, chains) -> dict:
    ess, worst, rhat = mixing(idata)
    return {
        "problem": problem,
        "sampler": sampler,
        "chains x draws": f"{chains} x {draws}" + (f" x {thin}" if thin > 1 else ""),
        "wall s": seconds,
        "min ESS": ess,
        "worst parameter": worst,
        "max R-hat": rhat,
        "ESS/s": ess / seconds,
        "peak GB": _peak_gb(),
    }


def _peak_gb() -> float:
    """Peak resident set of this process plus that of its largest child so far."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 2**20  # kB on Linux


def _regression(n, p, random_state):
    sim = bl.make_sparse_regression(n, p, 10, snr=4.0, rho=0.3, random_state=random_state)
    return prepare(sim.X.to_numpy(), sim.y.to_numpy())


def _classification(n, p):
    sim = bl.make_sparse_classification(n, p, 5, random_state=0)
    return prepare(sim.X.to_numpy(), sim.y.to_numpy(), likelihood="logistic")


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--large", action="store_true", help="add p = 100,000 (~19 min)")
    parser.add_argument(
        "--only", choices=["gaussian", "wide", "logistic", "large"], help="one group"
    )
    parser.add_argument(
        "--prior", action="append", help="wide group: only this prior (class name; repeatable)"
    )
    args = parser.parse_args(argv)
    q = args.quick
    draws, tune = (100, 100) if q else (1000, 1000)
    groups = [args.only] if args.only else ["gaussian", "wide", "logistic"]
    rows = []

    if "gaussian" in groups:
        n, p = (50, 200) if q else (200, 1000)
        data = _regression(n, p, random_state=0)
        rows += run(
            f"horseshoe n={n} p={p}", data, bl.Horseshoe(), draws=draws, tune=tune, nuts=True
        )
        data = prepare(*bl.load_diabetes())
        rows += run(
            "Bayesian lasso, diabetes", data, bl.Laplace(), draws=draws, tune=tune, nuts=True
        )

    if "wide" in groups:
        n, p = (50, 2000) if q else (100, 20_000)
        data = _regression(n, p, random_state=1)
        # Each about 5 minutes (the target's budget), thinned so that the draws fit in memory:
        # (prior, iterations per stored draw). p0 = 10: a user's sparse guess (Piironen &
        # Vehtari 2017); the default p0 = min(n, p) / 2 is n / 2 = 50 here.
        for prior, thin in (
            (bl.Horseshoe(p0=10), 7),
            (bl.Horseshoe(), 7),
            (bl.RegularizedHorseshoe(p0=10), 5),
            (bl.Laplace(), 14),
            (bl.Normal(), 1),
        ):
            if args.prior and type(prior).__name__ not in args.prior:
                continue
            p0 = getattr(prior, "p0", None)
            name = type(prior).__name__ + (f"(p0={p0:g})" if p0 else "")
            rows += run(
                f"{name} n={n} p={p}", data, prior, draws=2 * draws, tune=tune, thin=thin,
                nuts=False,
            )  # fmt: skip

    if "logistic" in groups:
        n, p = (50, 200) if q else (100, 1000)
        data = _classification(n, p)
        for prior, thin in ((bl.RegularizedHorseshoe(p0=5), 15), (bl.Laplace(), 5)):
            problem = f"logistic {type(prior).__name__} n={n} p={p}"
            rows += run(problem, data, prior, draws=draws, tune=tune, thin=thin, nuts=True)
        n, p = (50, 2000) if q else (100, 20_000)
        rows += run(
            f"logistic RegularizedHorseshoe(p0=5) n={n} p={p}", _classification(n, p),
            bl.RegularizedHorseshoe(p0=5), draws=draws // 2, tune=tune // 2, nuts=False,
        )  # fmt: skip

    if args.large or args.only == "large":
        n, p = (50, 5000) if q else (100, 100_000)
        rows += run(
            f"Horseshoe(p0=10) n={n} p={p}", _regression(n, p, random_state=2),
            bl.Horseshoe(p0=10), draws=draws // 2, tune=tune, thin=30, nuts=False,
        )  # fmt: skip

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(
            table.round(
                {"wall s": 1, "min ESS": 0, "ESS/s": 2, "speed-up": 1, "max R-hat": 3, "peak GB": 1}
            ).to_string(index=False)
        )
    return table


if __name__ == "__main__":
    main()
