"""MAP paths vs glmnet, celer and scikit-learn: same data, same 100-alpha grid, timing and error.

Every solver computes the lasso path on the same standardized X (population sd, centred) and
centred y, without intercept, on the same descending grid. The error of a path is the largest
|coef| difference to a tight path of this package (tol 1e-10). bayes_l1 runs at tol 1e-4 and
at the largest tolerance whose error is no larger than glmnet's at its default thr 1e-7
("matched"); celer at the same two tolerances (its gap rule is the same: gap <= tol * |y|^2/n).

Competitors are timed in the same run, interleaved, best of ``--repeat`` rounds (more for
sub-second problems: rounds continue for a second), with BLAS limited
to ``--threads`` threads (default 1: the compiled solvers are single-threaded, and threaded
BLAS on a busy machine measures contention, not solvers); the ratios printed
are bayes_l1 time / competitor time (< 1 means bayes_l1 is faster). glmnet (the
``python-glmnet`` wheel, import name ``glmnet``), celer and scikit-learn are optional: a
missing one is a column of "-". Install them with ``pip install bayes_l1[bench]``.

    python benchmarks/map_vs_glmnet.py            # the sizes of issue 15
    python benchmarks/map_vs_glmnet.py --quick    # small sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import bayes_l1 as bl
from bayes_l1.map.path import alpha_grid

try:
    from glmnet import ElasticNet as GlmnetNet
    from glmnet import LogitNet as GlmnetLogit
except ImportError:  # optional benchmark dependency
    GlmnetNet = GlmnetLogit = None
try:
    from celer import celer_path
except ImportError:
    celer_path = None
try:
    from sklearn.linear_model import lasso_path
except ImportError:
    lasso_path = None

MATCH_TOLS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9)


def _quiet(fn):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


# Sub-millisecond timings need more rounds than ``--repeat`` for a stable best: rounds go on
# until they have taken this many seconds (at most MAX_ROUNDS rounds).
MIN_SECONDS, MAX_ROUNDS = 1.0, 500


def interleaved(solvers: dict, repeat: int) -> dict:
    """Best seconds of each solver over at least ``repeat`` rounds (more, up to MAX_ROUNDS,
    while the rounds so far took under MIN_SECONDS), the solvers taking turns in every
    round."""
    best = dict.fromkeys(solvers, np.inf)
    start, rounds = time.perf_counter(), 0
    while rounds < repeat or (time.perf_counter() - start < MIN_SECONDS and rounds < MAX_ROUNDS):
        for name, fn in solvers.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
        rounds += 1
    return best


def standardized(X, y):
    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(axis=0)
    sd = np.sqrt(np.mean(Xc * Xc, axis=0))
    return np.asfortranarray(Xc / np.where(sd > 0, sd, 1.0)), np.asarray(y, float) - np.mean(y)


def problems(quick: bool):
    Xd, yd = bl.load_diabetes()
    yield "diabetes p=10", Xd.to_numpy(), yd.to_numpy()
    sizes = [(200, 2_000), (100, 5_000)] if quick else [(1_000, 10_000), (200, 20_000)]
    for n, p in sizes:
        sim = bl.make_sparse_regression(n, p, 20, snr=3.0, rho=0.5, random_state=0)
        yield f"n={n} p={p:,}", sim.X.to_numpy(), sim.y.to_numpy()


def path_solvers(X, y, grid, tols):
    """name -> callable returning the (p, K) coefficient path."""
    opts = dict(alphas=grid, standardize=False, fit_intercept=False, max_iter=10_000)
    out = {}
    for label, tol in tols.items():
        out[f"bayes_l1 {label}"] = _quiet(
            lambda tol=tol: bl.lasso_map_path(X, y, tol=tol, **opts).coefs
        )
    if GlmnetNet is not None:
        for thr in (1e-7, 1e-12):
            out[f"glmnet thr={thr:g}"] = _quiet(
                lambda thr=thr: (
                    GlmnetNet(
                        alpha=1.0,
                        lambda_path=grid,
                        standardize=False,
                        fit_intercept=False,
                        tol=thr,
                        n_splits=0,
                        max_iter=100_000,
                    )
                    .fit(X, y)
                    .coef_path_
                )
            )
    if celer_path is not None:
        for label, tol in tols.items():
            out[f"celer {label}"] = _quiet(
                lambda tol=tol: celer_path(X, y, "lasso", alphas=grid, tol=tol, prune=True)[1]
            )
    if lasso_path is not None:
        out["sklearn tol=1e-4"] = _quiet(
            lambda: lasso_path(X, y, alphas=grid, tol=1e-4, max_iter=100_000)[1]
        )
    return out


def matched_tol(X, y, grid, ref, target_err) -> float:
    """The largest tolerance in MATCH_TOLS whose path error is at most ``target_err``."""
    for tol in MATCH_TOLS:
        coefs = _quiet(
            lambda tol=tol: (
                bl.lasso_map_path(
                    X, y, alphas=grid, standardize=False, fit_intercept=False, tol=tol
                ).coefs
            )
        )()
        if np.abs(coefs - ref).max() <= target_err:
            return tol
    return MATCH_TOLS[-1]


def run_paths(name, X, y, repeat, rows):
    X, y = standardized(X, y)
    grid = alpha_grid(np.max(np.abs(X.T @ y)) / X.shape[0], 100, 1e-3)
    ref = _quiet(
        lambda: (
            bl.lasso_map_path(
                X,
                y,
                alphas=grid,
                standardize=False,
                fit_intercept=False,
                tol=1e-10,
                max_iter=10_000,
            ).coefs
        )
    )()
    tols = {"tol=1e-4": 1e-4}
    if GlmnetNet is not None:
        g = path_solvers(X, y, grid, {})["glmnet thr=1e-07"]()
        tol = matched_tol(X, y, grid, ref, np.abs(g - ref).max())
        tols[f"tol={tol:g} (matched)"] = tol
    solvers = path_solvers(X, y, grid, tols)
    errors = {k: float(np.abs(fn() - ref).max()) for k, fn in solvers.items()}  # also warms up
    times = interleaved(solvers, repeat)
    for k in solvers:
        rows.append((name, k, times[k], errors[k]))


def cv_solvers(X, y, grid, folds, likelihood):
    out = {
        "bayes_l1 tol=1e-4": _quiet(
            lambda: (
                bl.lasso_map_cv(
                    X, y, cv=folds, alphas=grid, likelihood=likelihood, random_state=0
                ).path.coefs
            )
        )
    }
    if GlmnetNet is not None:
        cls = GlmnetNet if likelihood == "gaussian" else GlmnetLogit
        out["glmnet thr=1e-7"] = _quiet(
            lambda: (
                cls(alpha=1.0, lambda_path=grid, n_splits=folds, random_state=0)
                .fit(X, y)
                .coef_path_.reshape(X.shape[1], -1)
            )
        )
    return out


def run_cv(name, X, y, likelihood, folds, repeat, rows):
    grid = bl.lasso_map_path(X, y, likelihood=likelihood).alphas
    ref = _quiet(
        lambda: (
            bl.lasso_map_path(
                X, y, alphas=grid, likelihood=likelihood, tol=1e-10, max_iter=10_000
            ).coefs
        )
    )()
    solvers = cv_solvers(X, y, grid, folds, likelihood)
    errors = {k: float(np.abs(fn() - ref).max()) for k, fn in solvers.items()}
    times = interleaved(solvers, repeat)
    for k in solvers:
        rows.append((f"{name} cv={folds}", k, times[k], errors[k]))


def print_table(rows, title):
    print(f"\n{title}")
    head = f"{'problem':<30}{'solver':<30}{'seconds':>10}{'max|dcoef|':>12}"
    print(head)
    print("-" * len(head))
    for prob, solver, t, err in rows:
        print(f"{prob:<30}{solver:<30}{t:>10.4f}{err:>12.1e}")


def print_ratios(rows):
    """bayes_l1 / competitor at tol 1e-4 and at matched accuracy."""
    print("\nratios bayes_l1 / competitor (< 1: bayes_l1 faster)")
    by = {}
    for prob, solver, t, _ in rows:
        by.setdefault(prob, {})[solver] = t
    for prob, d in by.items():
        ours = {k: v for k, v in d.items() if k.startswith("bayes_l1")}
        for mine, t_mine in ours.items():
            parts = []
            for other, t_other in d.items():
                if other.startswith("bayes_l1"):
                    continue
                same_tol = (
                    not other.startswith("celer") or other.split(" ", 1)[1] == mine.split(" ", 1)[1]
                )
                if same_tol:
                    parts.append(f"{other}: {t_mine / t_other:.2f}")
            print(f"  {prob:<30}{mine:<30}" + "  ".join(parts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--repeat", type=int, default=None, help="best of (default 5, quick 2)")
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation rows")
    ap.add_argument(
        "--threads", type=int, default=1, help="BLAS threads for every solver (default 1)"
    )
    args = ap.parse_args(argv)
    with threadpool_limits(limits=args.threads):
        run(args)


def run(args):
    repeat = args.repeat or (2 if args.quick else 5)
    missing = [
        m
        for m, ok in (("glmnet", GlmnetNet), ("celer", celer_path), ("sklearn", lasso_path))
        if ok is None
    ]
    if missing:
        print(f"not installed (columns skipped): {', '.join(missing)}")

    rows = []
    for name, X, y in problems(args.quick):
        run_paths(name, X, y, repeat, rows)
    print_table(rows, "100-alpha lasso paths, standardized X, no intercept")
    print_ratios(rows)
    if args.no_cv:
        return
    cv_rows = []
    Xd, yd = bl.load_diabetes()
    Xd, yd = Xd.to_numpy(), yd.to_numpy()
    run_cv("diabetes", Xd, yd, "gaussian", 5, repeat, cv_rows)
    n, p = (100, 2_000) if args.quick else (200, 20_000)
    sim = bl.make_sparse_regression(n, p, 20, snr=3.0, rho=0.5, random_state=0)
    Xs, ys = sim.X.to_numpy(), sim.y.to_numpy()
    run_cv(f"n={n} p={p:,}", Xs, ys, "gaussian", 5, max(1, repeat // 2), cv_rows)
    yb = (ys > np.median(ys)).astype(float)
    run_cv(f"logistic n={n} p={p:,}", Xs, yb, "logistic", 5, max(1, repeat // 2), cv_rows)
    yb = (yd > np.median(yd)).astype(float)
    run_cv("logistic diabetes", Xd, yb, "logistic", 5, repeat, cv_rows)
    print_table(cv_rows, "cross-validation (full data + folds), own standardization, intercept")
    print_ratios(cv_rows)


if __name__ == "__main__":
    main()
