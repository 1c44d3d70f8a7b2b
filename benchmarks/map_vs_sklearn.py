"""MAP solver vs scikit-learn: single lasso fit and a 100-alpha path, same data, same tol.

Prints wall times, the ratio ours / scikit-learn (< 1 means faster) and the largest
coefficient difference. The first call (numba compilation, or loading the on-disk cache)
is timed on its own line so the true cost to a new user is visible.

    python benchmarks/map_vs_sklearn.py            # the sizes of the issue
    python benchmarks/map_vs_sklearn.py --quick    # small sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.linear_model import Lasso, lasso_path

import bayes_l1 as bl


def _best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def first_call_seconds() -> float:
    """Time of the very first solve in this process (compile or cache load)."""
    X = np.random.default_rng(0).standard_normal((20, 5))
    y = X[:, 0] + 0.1
    t0 = time.perf_counter()
    bl.lasso_map(X, y, alpha=0.1)
    bl.lasso_map(X, (y > 0).astype(int), alpha=0.01, likelihood="logistic")
    return time.perf_counter() - t0


def run_case(n, p, k, rho, *, tol, n_alphas, repeat, seed=0):
    sim = bl.make_sparse_regression(n, p, k, snr=3.0, rho=rho, random_state=seed)
    X = sim.X.to_numpy()
    y = sim.y.to_numpy()
    # scikit-learn's lasso_path has no intercept: centre once, for both solvers.
    X = np.asfortranarray(X - X.mean(axis=0))
    y = y - y.mean()
    opts = dict(standardize=False, fit_intercept=False, tol=tol)

    path = bl.lasso_map_path(X, y, n_alphas=n_alphas, **opts)
    alphas = path.alphas
    t_ours_path, ours = _best_of(lambda: bl.lasso_map_path(X, y, alphas=alphas, **opts), repeat)
    t_sk_path, (_, sk_coefs, _) = _best_of(
        lambda: lasso_path(X, y, alphas=alphas, tol=tol, max_iter=10_000), repeat
    )
    path_diff = np.abs(ours.coefs - sk_coefs).max()

    # Single fit at the alpha selecting about 2k features, from a cold start.
    alpha = alphas[np.argmin(np.abs(ours.n_nonzero - 2 * k))]
    t_ours_fit, fit = _best_of(lambda: bl.lasso_map(X, y, alpha, **opts), repeat)
    t_sk_fit, sk = _best_of(
        lambda: Lasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=10_000).fit(X, y),
        repeat,
    )
    fit_diff = np.abs(fit.coef - sk.coef_).max()
    same_support = bool(np.array_equal(fit.coef != 0, sk.coef_ != 0))
    return [
        (f"n={n} p={p} path({n_alphas})", t_ours_path, t_sk_path, path_diff, None),
        (f"n={n} p={p} fit(nnz={fit.support.sum()})", t_ours_fit, t_sk_fit, fit_diff, same_support),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--tol", type=float, default=1e-4, help="tolerance for both solvers")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)

    print(f"first call (compile or cache load): {first_call_seconds():.2f} s")
    cases = (
        [(100, 500, 5, 0.5)] if args.quick else [(1000, 10_000, 20, 0.5), (200, 20_000, 20, 0.5)]
    )
    n_alphas = 20 if args.quick else 100
    header = f"{'case':<34}{'ours s':>9}{'sklearn s':>11}{'ratio':>8}{'max|dcoef|':>12}  support"
    print(header)
    print("-" * len(header))
    for n, p, k, rho in cases:
        for name, ours, sk, diff, same in run_case(
            n, p, k, rho, tol=args.tol, n_alphas=n_alphas, repeat=args.repeat
        ):
            support = "" if same is None else ("identical" if same else "DIFFERENT")
            print(f"{name:<34}{ours:>9.3f}{sk:>11.3f}{ours / sk:>8.2f}{diff:>12.2e}  {support}")


if __name__ == "__main__":
    main()
