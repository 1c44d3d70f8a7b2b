"""The Polya-Gamma Gibbs sampler of the logistic models: mixing and speed.

Problems:
  1. regularized horseshoe, logistic, n = 100, p = 1000 (simulated, 5 relevant features),
     2 chains: wall time, min bulk / tail ESS and max R-hat over beta, tau, local, c and the
     intercept (target: R-hat <= 1.01, min ESS >= 400 in under 2 minutes); ``--p 20000``
     for the wide case (target: under 10 minutes);
  2. horseshoe on scikit-learn's breast-cancer data (569 x 30): posterior means of the
     working-scale coefficients against NUTS (nutpie), in combined Monte Carlo standard
     errors;
  3. the Bayesian lasso (Laplace, lam with its Gamma hyperprior) on problem 1's data.

Run: ``python benchmarks/gibbs_logistic.py`` (``--quick`` for a smoke run with tiny sizes).
"""

from __future__ import annotations

import argparse
import time
import warnings

import arviz_stats as azs
import numpy as np

import bayes_l1 as bl
from bayes_l1.model import build_model, prepare
from bayes_l1.samplers import sample_gibbs, sample_nuts

_DIMS = ["chain", "draw"]


def mixing(tree) -> dict:
    """(min bulk ESS, min tail ESS, max R-hat) of each posterior variable that varies."""
    post = tree["posterior"]
    out = {}
    for v in ("beta", "tau", "local", "c", "lam", "intercept"):
        if v in post and float(post[v].std()) > 0:
            bulk = np.atleast_1d(azs.ess(post[v], sample_dims=_DIMS, method="bulk"))
            tail = np.atleast_1d(azs.ess(post[v], sample_dims=_DIMS, method="tail"))
            rhat = np.atleast_1d(azs.rhat(post[v], sample_dims=_DIMS))
            out[v] = (np.nanmin(bulk), np.nanmin(tail), np.nanmax(rhat))
    return out


def wide(n: int, p: int, draws: int, thin: int, tune: int, prior=None) -> None:
    prior = bl.RegularizedHorseshoe(p0=5) if prior is None else prior
    sim = bl.make_sparse_classification(n, p, 5, random_state=0)
    start = time.perf_counter()
    data = prepare(sim.X.to_numpy(), sim.y.to_numpy(), likelihood="logistic")
    tree = sample_gibbs(
        data, prior, draws=draws, tune=tune, thin=thin, chains=2, random_seed=1
    )  # fmt: skip
    wall = time.perf_counter() - start
    print(f"{prior!r}, n={n}, p={p}, {tune} + {draws} x {thin} iterations: {wall:.1f} s")
    for v, (bulk, tail, rhat) in mixing(tree).items():
        print(f"  {v:10s} min bulk ESS {bulk:7.0f}  min tail ESS {tail:7.0f}  max R-hat {rhat:.4f}")


def breast_cancer(draws: int, tune: int) -> None:
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    data = prepare(X, y, likelihood="logistic")
    prior = bl.Horseshoe()
    start = time.perf_counter()
    gibbs = sample_gibbs(data, prior, draws=draws, tune=tune, thin=4, chains=2, random_seed=1)
    t_gibbs = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nuts = sample_nuts(
            build_model(data, prior), draws=draws, tune=tune, chains=2,
            target_accept=prior.default_target_accept(), random_seed=1, data=data,
        )  # fmt: skip
    t_nuts = time.perf_counter() - start
    means, ses = [], []
    for tree in (gibbs, nuts):
        beta = tree["posterior"]["beta_std"]
        means.append(beta.mean(_DIMS).to_numpy())
        ses.append(np.asarray(azs.mcse(beta, sample_dims=_DIMS)))
    z = (means[0] - means[1]) / np.hypot(*ses)
    n_div = int(nuts["sample_stats"]["diverging"].sum())
    print(
        f"breast cancer, horseshoe: Gibbs {t_gibbs:.0f} s, NUTS {t_nuts:.0f} s ({n_div} divergent)"
    )
    print(f"  posterior means of beta_std: max |z| {np.abs(z).max():.2f} over {z.size}")
    for name, key in (("Gibbs", 0), ("NUTS", 1)):
        print(f"  {name:5s} min bulk ESS, beta: {mixing((gibbs, nuts)[key])['beta'][0]:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    parser.add_argument("--p", type=int, default=1000)
    args = parser.parse_args()
    if args.quick:
        wide(40, 60, draws=50, thin=1, tune=50)
        breast_cancer(draws=50, tune=50)
        return
    thin = 25 if args.p <= 1000 else 2  # p = 1000: 26,000 iterations a chain, min ESS 400+
    wide(100, args.p, draws=1000, thin=thin, tune=1000 if args.p <= 1000 else 500)
    wide(100, args.p, draws=1000, thin=5, tune=1000, prior=bl.Laplace())  # the Bayesian lasso
    breast_cancer(draws=2000, tune=1000)


if __name__ == "__main__":
    main()
