"""Regularization paths with warm starts: ``lasso_map_path``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_l1._validation import check_alphas, check_int, check_positive, warn_caller
from bayes_l1.map.solve import (
    _FAR_ABOVE_TARGET,
    STATUS_NAMES,
    ConvergenceWarning,
    MapResult,
    Problem,
    _check_solver_inputs,
    separable,
    solve_grid,
    warn_separable,
)

__all__ = ["PathResult", "alpha_grid", "lasso_map_path"]


def alpha_grid(alpha_max: float, n_alphas: int = 100, eps: float = 1e-3) -> np.ndarray:
    """Descending geometric grid from ``alpha_max`` to ``eps * alpha_max`` (scikit-learn's)."""
    n_alphas = check_int(n_alphas, "n_alphas", minimum=1)
    if not 0 < check_positive(eps, "eps") < 1:
        raise ValueError(f"eps must be in (0, 1) so that the grid descends; got {eps!r}.")
    if check_positive(alpha_max, "alpha_max", allow_zero=True) == 0:
        raise ValueError(
            "alpha_max is 0: y is orthogonal to every feature (or constant), so every "
            "penalized coefficient is 0 at any alpha. Pass `alphas` explicitly."
        )
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def path_grid(problem: Problem, l1_ratio, alphas, n_alphas, eps, *, what: str) -> np.ndarray:
    """The penalties of a path: ``alphas`` checked, or :func:`alpha_grid` from the
    problem's ``alpha_max``; ``what`` names the caller in the pure-ridge error."""
    if alphas is not None:
        return check_alphas(alphas)
    if l1_ratio == 0:
        raise ValueError(f"{what} (l1_ratio=0) needs explicit `alphas`.")
    return alpha_grid(problem.alpha_max(l1_ratio), n_alphas, eps)


@dataclass(frozen=True, eq=False)
class PathResult:
    """Solutions along a descending grid of penalties.

    Attributes
    ----------
    alphas : (K,) descending penalties.
    coefs : (p, K) coefficients on the original scale; ``coefs_working`` on the working one.
    intercepts : (K,)
    dual_gaps, n_iter, converged, status : (K,) per-alpha solver certificates (``status`` as
        :attr:`MapResult.status`).
    entry_order : feature names in the order their coefficient first becomes non-zero along
        the path; ties (same alpha) by decreasing |working-scale coefficient| at entry.
    entry_alpha : (p,) the largest grid alpha at which each feature is non-zero (NaN: never).
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    coefs_working: np.ndarray
    dual_gaps: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    feature_names: tuple[str, ...]
    l1_ratio: float
    likelihood: str
    alpha_max: float
    classes: np.ndarray | None = None
    status: np.ndarray | None = None

    @property
    def entry_alpha(self) -> np.ndarray:
        nz = self.coefs != 0
        first = np.argmax(nz, axis=1)
        return np.where(nz.any(axis=1), self.alphas[first], np.nan)

    @property
    def entry_order(self) -> tuple[str, ...]:
        nz = self.coefs != 0
        entered = np.flatnonzero(nz.any(axis=1))
        first = np.argmax(nz, axis=1)[entered]
        size = np.abs(self.coefs_working[entered, first])
        order = entered[np.lexsort((-size, first))]
        return tuple(self.feature_names[j] for j in order)

    @property
    def n_nonzero(self) -> np.ndarray:
        return (self.coefs != 0).sum(axis=0)

    def result(self, k: int) -> MapResult:
        """The solution at grid index ``k`` as a :class:`MapResult`."""
        return MapResult(
            coef=self.coefs[:, k].copy(),
            intercept=float(self.intercepts[k]),
            coef_working=self.coefs_working[:, k].copy(),
            alpha=float(self.alphas[k]),
            l1_ratio=self.l1_ratio,
            likelihood=self.likelihood,
            feature_names=self.feature_names,
            n_iter=int(self.n_iter[k]),
            dual_gap=float(self.dual_gaps[k]),
            kkt_violation=float("nan"),
            converged=bool(self.converged[k]),
            classes=self.classes,
            status="converged" if self.status is None else str(self.status[k]),
        )

    def to_frame(self) -> pd.DataFrame:
        """Coefficients (original scale): one row per feature, one column per alpha."""
        return pd.DataFrame(
            self.coefs,
            index=pd.Index(list(self.feature_names), name="feature"),
            columns=pd.Index(self.alphas, name="alpha"),
        )


def _path_statuses(problem: Problem, alphas, l1_ratio, status, conv, warn) -> None:
    """Mark (and warn about) alphas whose unpenalized features separate the classes.

    The unpenalized features are the zero-weight ones at alpha > 0 and all at alpha = 0:
    at most two sets to check."""
    for idx in (np.flatnonzero(alphas > 0), np.flatnonzero(alphas == 0)):
        if idx.size == 0:
            continue
        free = problem.free(alphas[idx[0]], l1_ratio)
        if separable(problem, free):
            status[idx], conv[idx] = "separable", False
            if not warn:
                continue
            names = [problem.design.feature_names[j] for j in np.flatnonzero(free)]
            more = ", ..." if idx.size > 5 else ""
            at = ", ".join(f"{a:.4g}" for a in alphas[idx][:5]) + more
            warn_separable(names, problem.design.fit_intercept, f"alpha in [{at}]")


def _warn_path(problem: Problem, alphas, gaps, status, tol) -> None:
    """One ConvergenceWarning for max_iter stops and float64 stalls far above target."""
    far = (status == "precision") & (gaps > _FAR_ABOVE_TARGET * tol * problem.gap_scale)
    bad = (status == "max_iter") | far
    if bad.any():
        warn_caller(
            f"MAP path: {bad.sum()} of {alphas.size} alphas did not converge (smallest "
            f"{alphas[bad].min():.3g}; {far.sum()} stopped at float64 precision far above "
            "tol); increase max_iter or tol.",
            ConvergenceWarning,
        )


def solve_path(problem: Problem, alphas, l1_ratio, *, tol, max_iter, warn=True) -> PathResult:
    """Warm-started solutions of ``problem`` at each alpha (alphas must be descending)."""
    W, C, gaps, _, iters, codes = solve_grid(
        problem, alphas, l1_ratio, *problem.null_solution(), tol=tol, max_iter=max_iter
    )
    status = STATUS_NAMES[codes]  # the names are 9 characters at most, as "separable"
    conv = codes == 0
    if problem.likelihood == "logistic":
        _path_statuses(problem, alphas, l1_ratio, status, conv, warn)
    if warn:
        _warn_path(problem, alphas, gaps, status, tol)
    coefs, intercepts = problem.to_original(W, C)
    return PathResult(
        alphas=alphas,
        coefs=coefs,
        intercepts=np.asarray(intercepts, dtype=np.float64),
        coefs_working=W * problem.y_scale,
        dual_gaps=gaps * problem.y_scale**2,
        n_iter=iters,
        converged=conv,
        feature_names=problem.design.feature_names,
        l1_ratio=l1_ratio,
        likelihood=problem.likelihood,
        alpha_max=problem.alpha_max(l1_ratio) if l1_ratio > 0 else np.inf,
        classes=problem.classes,
        status=status,
    )


def lasso_map_path(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    likelihood: str = "gaussian",
    n_alphas: int = 100,
    eps: float = 1e-3,
    alphas=None,
    standardize: bool = True,
    fit_intercept: bool = True,
    penalty_weights=None,
    tol: float = 1e-4,
    max_iter: int = 100,
) -> PathResult:
    """MAP solutions along a descending penalty grid, each warm-started from the last.

    The grid runs from ``alpha_max`` (the smallest alpha with every penalized coefficient
    at 0) down to ``eps * alpha_max`` in ``n_alphas`` geometric steps, as scikit-learn's
    ``lasso_path``; pass ``alphas`` to use your own. Other parameters as
    :func:`bayes_l1.lasso_map`.

    Returns
    -------
    PathResult
        ``.alphas`` (descending), ``.coefs`` (p, n_alphas), ``.entry_order``, ...

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> path = bl.lasso_map_path(X, y, n_alphas=50)
    >>> path.coefs.shape
    (10, 50)
    >>> path.entry_order[:3]
    ('bmi', 's5', 'bp')
    """
    _check_solver_inputs(l1_ratio, likelihood, tol, max_iter)
    problem = Problem.from_data(
        X,
        y,
        likelihood=likelihood,
        standardize=standardize,
        fit_intercept=fit_intercept,
        penalty_weights=penalty_weights,
    )
    grid = path_grid(problem, l1_ratio, alphas, n_alphas, eps, what="A pure ridge path")
    return solve_path(problem, grid, l1_ratio, tol=tol, max_iter=max_iter)
