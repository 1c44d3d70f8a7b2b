"""NUTS (PyMC's default: nutpie) on every prior: wall time, divergences, min ESS per second.

For each problem and prior, one ``BayesianLinearRegression(sampler="nuts")`` fit at the
estimator's other default settings (4 chains x 1000 draws after 1000 tuning steps; the
estimator's own default sampler, "auto", is Gibbs for these priors). Wall time includes the model's
compilation, which a user pays on every fit. The minimum ESS (bulk and tail) is over every
parameter the fit diagnoses: coefficients, intercept, sigma and the prior's scales.
Where the default integrates the coefficients out (``coefs = integrated``), the joint model
(``marginalize=False``, ``coefs = sampled``) runs too, as the reference, with the ratios.

    python benchmarks/nuts_models.py            # the three problems of the issue
    python benchmarks/nuts_models.py --quick    # small draws, for a smoke test
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

import bayes_l1 as bl
from bayes_l1.diagnostics import SamplingWarning


def problems(quick: bool):
    X, y = bl.load_diabetes()
    yield "diabetes n=442 p=10", X, y, 5
    sizes = [(100, 200), (200, 1000)] if not quick else [(60, 40)]
    for n, p in sizes:
        sim = bl.make_sparse_regression(n, p, 10, snr=3.0, rho=0.3, random_state=0)
        yield f"sim n={n} p={p} k=10", sim.X, sim.y, 10


def priors(p0):
    return {
        "laplace": bl.Laplace(),
        "horseshoe": bl.Horseshoe(p0=p0),
        "reg. horseshoe": bl.RegularizedHorseshoe(p0=p0),
        "ridge": bl.Normal(),
    }


def run(quick: bool, seed: int) -> pd.DataFrame:
    draws = dict(draws=200, tune=200, chains=2) if quick else {}
    rows = []
    for problem, X, y, p0 in problems(quick):
        for name, prior in priors(p0).items():
            default = bl.BayesianLinearRegression(
                prior=prior, sampler="nuts", random_state=seed, **draws
            )
            rows.append({"problem": problem, "prior": name, **fit_row(default, X, y)})
            show(rows)
            if default.marginalized_:  # the joint model, as the reference
                joint = bl.BayesianLinearRegression(
                    prior=prior, sampler="nuts", marginalize=False, random_state=seed, **draws
                )
                rows.append({"problem": problem, "prior": name, **fit_row(joint, X, y)})
                rows[-1]["ess_per_s_ratio"] = rows[-2]["min_ess_per_s"] / rows[-1]["min_ess_per_s"]
                show(rows)
    return pd.DataFrame(rows)


def show(rows):
    print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1))


def fit_row(model, X, y) -> dict:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SamplingWarning)  # reported in the table
        model.fit(X, y)
    seconds = time.perf_counter() - t0
    diag = model.diagnostics_
    beta = diag.table.loc[diag.table.index.str.startswith("beta[")]
    min_ess = float(diag.table[["ess_bulk", "ess_tail"]].min().min())
    return {
        "coefs": "integrated" if model.marginalized_ else "sampled",
        "seconds": seconds,
        "divergences": diag.n_divergent,
        "max_rhat": float(diag.table["rhat"].max()),
        "min_ess": min_ess,
        "min_ess_beta": float(beta[["ess_bulk", "ess_tail"]].min().min()),
        "min_ess_per_s": min_ess / seconds,
        "verdict": diag.verdict,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small problem and draws")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    table = run(args.quick, args.seed)
    print()
    print(table.to_string(index=False, float_format="%.3g"))


if __name__ == "__main__":
    main()
