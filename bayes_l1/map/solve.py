"""MAP estimation under Laplace / elastic-net / Gaussian priors: ``lasso_map``.

The solver is a working-set method (as celer and skglm): an outer loop computes the full
gradient, the duality gap and each feature's KKT violation, then hands the worst violators
plus the current support to a compiled coordinate-descent inner solver. Exact zeros come
from the soft-thresholding step; the stopping rule is the duality gap, as scikit-learn's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.special import expit, xlogy

from bayes_l1._columns import align_columns
from bayes_l1._validation import (
    check_l1_ratio,
    check_likelihood,
    check_penalty_weights,
    check_positive,
    check_X,
    check_X_y,
)
from bayes_l1.data import Design
from bayes_l1.map import _cd

__all__ = ["ConvergenceWarning", "MapResult", "lasso_map"]

_MAX_INNER_EPOCHS = 10_000
_WS_START = 10


class ConvergenceWarning(UserWarning):
    """The solver stopped at ``max_iter`` before reaching the requested duality gap."""


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated data set on its working scale, ready to be solved at any penalty."""

    X: np.ndarray  # working design, Fortran order
    y: np.ndarray  # centred for the Gaussian likelihood with an intercept
    y_offset: float
    design: Design
    likelihood: str
    weights: np.ndarray
    classes: np.ndarray | None
    norms2: np.ndarray = field(init=False)
    gap_scale: float = field(init=False)

    def __post_init__(self):
        norms2 = np.einsum("ij,ij->j", self.X, self.X) / self.X.shape[0]
        object.__setattr__(self, "norms2", norms2)
        if self.likelihood == "gaussian":
            scale = self.y @ self.y / self.y.size
        else:  # the null model's mean log-loss
            ybar = self.y.mean() if self.design.fit_intercept else 0.5
            scale = -xlogy(ybar, ybar) - xlogy(1 - ybar, 1 - ybar)
        object.__setattr__(self, "gap_scale", max(float(scale), np.finfo(float).tiny))

    @classmethod
    def from_data(
        cls,
        X,
        y,
        *,
        likelihood="gaussian",
        standardize=True,
        fit_intercept=True,
        penalty_weights=None,
        warn=True,
    ):
        check_likelihood(likelihood)
        Xa, ya, names, classes = check_X_y(X, y, likelihood=likelihood)
        return cls.from_arrays(
            Xa,
            ya,
            names,
            classes,
            likelihood=likelihood,
            standardize=standardize,
            fit_intercept=fit_intercept,
            penalty_weights=penalty_weights,
            warn=warn,
        )

    @classmethod
    def from_arrays(
        cls,
        Xa,
        ya,
        names,
        classes,
        *,
        likelihood,
        standardize,
        fit_intercept,
        penalty_weights,
        warn=True,
    ):
        weights = check_penalty_weights(penalty_weights, Xa.shape[1])
        design, Z = Design.fit_transform(
            Xa, names, standardize=standardize, fit_intercept=fit_intercept, warn=warn
        )
        y_offset = float(ya.mean()) if (fit_intercept and likelihood == "gaussian") else 0.0
        return cls(Z, ya - y_offset, y_offset, design, likelihood, weights, classes)

    @property
    def active(self) -> np.ndarray:
        """Features that can move (not frozen, not an all-zero column)."""
        return self.norms2 > 0

    def penalties(self, alpha: float, l1_ratio: float):
        return alpha * l1_ratio * self.weights, alpha * (1.0 - l1_ratio) * self.weights

    def null_intercept(self) -> float:
        """Working-scale intercept of the model with every coefficient at 0."""
        if self.likelihood == "gaussian" or not self.design.fit_intercept:
            return 0.0
        ybar = self.y.mean()
        return float(np.log(ybar / (1.0 - ybar)))

    def residual_like(self, w, c):
        """``v`` with gradient of the loss ``-X^T v / n``: y - X w (Gaussian), y - p."""
        eta = self.X @ w + c
        if self.likelihood == "gaussian":
            return self.y - eta, eta
        return self.y - expit(eta), eta

    def null_solution(self):
        """(w, c) with every penalized coefficient at 0 and the rest at their optimum."""
        w = np.zeros(self.design.n_features)
        c = self.null_intercept()
        if ((self.weights == 0) & self.active).any():
            w, c, *_ = solve(self, np.finfo(float).max, 1.0, w, c, tol=1e-12, max_iter=1000)
        return w, c

    def alpha_max(self, l1_ratio: float = 1.0) -> float:
        """Smallest alpha at which every penalized coefficient is 0."""
        if l1_ratio == 0:
            raise ValueError("alpha_max is infinite for a pure ridge penalty (l1_ratio=0).")
        pen = (self.weights > 0) & self.active
        v, _ = self.residual_like(*self.null_solution())
        z = np.abs(self.X.T @ v) / self.X.shape[0]
        if not pen.any():
            return 0.0
        return float(np.max(z[pen] / (l1_ratio * self.weights[pen])))


def _violations(z, w, l1, l2):
    """Per-feature distance of -gradient to the penalty's subdifferential (``z = -grad``)."""
    g = -z + l2 * w
    return np.where(
        w > 0, np.abs(g + l1), np.where(w < 0, np.abs(g - l1), np.maximum(np.abs(g) - l1, 0))
    )


def duality_gap(problem: Problem, w, c, v, eta, z, l1, l2) -> float:
    """Fenchel duality gap of the working-scale problem at (w, c), dual point ``t v``.

    ``z = X^T v / n``. For a pure L1 penalty ``t`` rescales the dual point into the feasible
    set (as scikit-learn's ``enet_coordinate_descent``); with an L2 part the penalty's
    conjugate is finite everywhere and ``t = 1``. P - D is the sum of non-negative
    Fenchel-Young gaps minus ``t z_j w_j`` for each unpenalized feature and ``t c mean(v)``
    for the intercept, whose dual constraints (z_j = 0, sum(v) = 0) hold only at the
    optimum: those terms are added back and replaced by each direction's coordinate-wise
    gap g**2 / (2 curvature), so the certificate is >= 0 and vanishes at the optimum.
    """
    n = v.size
    y = problem.y
    pen = l1 > 0
    penalty = np.sum(l1 * np.abs(w)) + 0.5 * np.sum(l2 * w * w)
    if problem.likelihood == "gaussian":
        primal = 0.5 * (v @ v) / n + penalty
    else:
        primal = np.mean(np.logaddexp(0.0, eta) - y * eta) + penalty
    ridge = l2 > 0
    conj = np.sum(np.maximum(np.abs(z[ridge]) - l1[ridge], 0.0) ** 2 / (2.0 * l2[ridge]))
    worst = np.max(np.abs(z[pen]) / l1[pen]) if pen.any() and not ridge.any() else 0.0
    t = 1.0 / worst if worst > 1.0 else 1.0
    free = ~pen & ~ridge & problem.active
    if problem.likelihood == "gaussian":
        dual = (t * (v @ y) - 0.5 * t * t * (v @ v)) / n - conj
        curvature = problem.norms2[free]
    else:
        s = y - t * v
        dual = -np.mean(xlogy(s, s) + xlogy(1.0 - s, 1.0 - s)) - conj
        h = np.maximum((y - v) * (1.0 - y + v), 1e-12)  # p (1 - p): the actual curvature
        curvature = (problem.X[:, free] ** 2).T @ h / n if free.any() else np.zeros(0)
    extra = np.sum(t * z[free] * w[free] + z[free] ** 2 / (2.0 * curvature))
    if problem.design.fit_intercept and problem.likelihood == "logistic":
        extra += t * c * v.mean() + v.mean() ** 2 / (2.0 * h.mean())
    return float(primal - dual + extra)


def solve(problem: Problem, alpha, l1_ratio, w0, c0, *, tol=1e-4, max_iter=100):
    """Solve the working-scale problem from (w0, c0).

    Returns ``(w, c, n_outer, gap, kkt_violation, converged)``; ``gap`` and ``tol`` are on
    the per-sample objective scale, ``gap <= tol * gap_scale`` (scikit-learn's rule for the
    Gaussian case, relative to the null model's loss for the logistic case).
    """
    X = problem.X
    n = X.shape[0]
    l1, l2 = problem.penalties(alpha, l1_ratio)
    w = np.array(w0, dtype=np.float64)
    c = float(c0)
    active = problem.active
    w[~active] = 0.0
    target = tol * problem.gap_scale
    gap = kkt = np.inf
    # The inner solvers keep v (Gaussian residual) and eta (logistic) up to date in place.
    v, eta = problem.residual_like(w, c)
    stalled = False
    for it in range(1, max_iter + 1):
        if problem.likelihood == "logistic":
            v = problem.y - expit(eta)
        z = (X.T @ v) / n
        gap = duality_gap(problem, w, c, v, eta, z, l1, l2)
        viol = np.where(active, _violations(z, w, l1, l2), 0.0)
        kkt = float(viol.max())
        # At least one inner pass (as scikit-learn's first epoch) unless already optimal.
        if gap <= target and (it > 1 or kkt == 0):
            return w, c, it, gap, kkt, True
        if stalled:  # no progress possible at machine precision: report what was reached
            break
        ws = _working_set(viol, w, active)
        inner_tol = 0.3 * kkt
        w_before, c_before = w.copy(), c
        if problem.likelihood == "gaussian":
            _cd.gaussian_cd(X, v, w, ws, problem.norms2, l1, l2, _MAX_INNER_EPOCHS, inner_tol)
        else:
            fit_intercept = problem.design.fit_intercept
            c, _ = _cd.logistic_newton(
                X, problem.y, w, c, eta, ws, l1, l2, fit_intercept, 200, 1000, inner_tol
            )
        stalled = c == c_before and np.array_equal(w, w_before)
    return w, c, it, gap, kkt, False


def _working_set(viol, w, active):
    support = w != 0
    size = max(_WS_START, min(2 * int(support.sum()), w.size))
    score = np.where(support, np.inf, viol)
    score[~active] = -1.0
    if size < w.size:
        ws = np.argpartition(-score, size - 1)[:size]
    else:
        ws = np.arange(w.size)
    ws = ws[(score[ws] > 0)]
    return np.sort(ws).astype(np.int64)


@dataclass(frozen=True, eq=False)
class MapResult:
    """A MAP (penalized maximum-likelihood) solution.

    Attributes
    ----------
    coef, intercept : coefficients and intercept on the original scale of X.
    coef_working : coefficients on the working (standardized) scale, where the prior acts.
    alpha, l1_ratio, likelihood : the penalty and likelihood solved.
    n_iter : outer working-set iterations.
    dual_gap : duality gap on the per-sample objective scale (a certificate of optimality).
    kkt_violation : largest distance of a feature's gradient to its subdifferential.
    converged : whether ``dual_gap <= tol * gap_scale`` was reached.
    relaxed_coef, relaxed_intercept : the refit on the selected support (``relax=True``).
    """

    coef: np.ndarray
    intercept: float
    coef_working: np.ndarray
    alpha: float
    l1_ratio: float
    likelihood: str
    feature_names: tuple[str, ...]
    n_iter: int
    dual_gap: float
    kkt_violation: float
    converged: bool
    classes: np.ndarray | None = None
    relaxed_coef: np.ndarray | None = None
    relaxed_intercept: float | None = None

    @property
    def support(self) -> np.ndarray:
        """Boolean mask of non-zero coefficients."""
        return self.coef != 0

    @property
    def selected(self) -> list[str]:
        """Names of the features with a non-zero coefficient."""
        return [n for n, s in zip(self.feature_names, self.support, strict=True) if s]

    def to_series(self) -> pd.Series:
        """Coefficients as a pandas Series indexed by feature name."""
        return pd.Series(self.coef, index=list(self.feature_names), name="coef")

    def decision_function(self, X) -> np.ndarray:
        """Linear predictor X @ coef + intercept (the log-odds for the logistic case).

        A DataFrame's columns are matched to the fit's features by name."""
        Xa, _ = check_X(align_columns(X, self.feature_names))
        if Xa.shape[1] != self.coef.size:
            raise ValueError(f"X has {Xa.shape[1]} features; this fit has {self.coef.size}.")
        return Xa @ self.coef + self.intercept

    def predict(self, X) -> np.ndarray:
        """Predicted mean: the regression value, or P(y = classes[1]) for the logistic case."""
        eta = self.decision_function(X)
        return expit(eta) if self.likelihood == "logistic" else eta


def _check_alpha_inputs(alpha, l1_ratio, likelihood, tol, max_iter):
    check_likelihood(likelihood)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    l1_ratio = check_l1_ratio(l1_ratio)
    check_positive(tol, "tol")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be >= 1; got {max_iter}.")
    return alpha, l1_ratio


def result_from_solution(problem, alpha, l1_ratio, sol, tol, *, warn=True) -> MapResult:
    w, c, n_iter, gap, kkt, converged = sol
    if warn and not converged:
        warnings.warn(
            f"MAP solver did not converge at alpha={alpha:.4g}: duality gap {gap:.3g} > "
            f"{tol * problem.gap_scale:.3g} after {n_iter} outer iterations. Increase "
            "max_iter or tol, or standardize strongly correlated features.",
            ConvergenceWarning,
            stacklevel=3,
        )
    coef, intercept = problem.design.to_original(w, c + problem.y_offset)
    return MapResult(
        coef=coef,
        intercept=float(intercept),
        coef_working=w,
        alpha=alpha,
        l1_ratio=l1_ratio,
        likelihood=problem.likelihood,
        feature_names=problem.design.feature_names,
        n_iter=n_iter,
        dual_gap=gap,
        kkt_violation=kkt,
        converged=converged,
        classes=problem.classes,
    )


def lasso_map(
    X,
    y,
    alpha: float,
    *,
    l1_ratio: float = 1.0,
    likelihood: str = "gaussian",
    standardize: bool = True,
    fit_intercept: bool = True,
    penalty_weights=None,
    tol: float = 1e-4,
    max_iter: int = 100,
    relax: bool = False,
    relax_alpha: float = 0.0,
) -> MapResult:
    """MAP estimate of a linear or logistic model under a Laplace / elastic-net prior.

    Minimizes, on the working scale (standardized columns unless ``standardize=False``),

        L(w, c) + alpha * sum_j weight_j * (l1_ratio |w_j| + (1 - l1_ratio) / 2 * w_j**2)

    with L the Gaussian loss ||y - X w - c||^2 / (2 n) or the mean logistic loss, and an
    unpenalized intercept c. This is the posterior mode under w_j ~ Laplace(0, b) with
    alpha = sigma**2 / (n b) (Gaussian) or alpha = 1 / (n b) (logistic); see
    :func:`bayes_l1.laplace_scale_from_alpha`.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n, p)
    y : array-like, shape (n,); two classes for ``likelihood="logistic"``.
    alpha : float >= 0
        Penalty strength, in scikit-learn's per-sample scaling.
    l1_ratio : float in [0, 1]
        1 is the lasso (Laplace prior), 0 ridge (Gaussian prior), between: elastic net.
    likelihood : {"gaussian", "logistic"}
    standardize : bool
        Penalize standardized coefficients (population sd, as ``StandardScaler``);
        coefficients are reported on the original scale either way. With
        ``standardize=False`` the solution equals scikit-learn's on the raw X.
    fit_intercept : bool
    penalty_weights : array-like of shape (p,), optional
        Per-feature penalty factors (adaptive lasso); 0 leaves a feature unpenalized.
    tol : float
        Stop when the duality gap is below ``tol`` times ||y - mean(y)||^2 / n (Gaussian,
        scikit-learn's rule) or times the null model's mean log-loss (logistic).
    max_iter : int
        Maximum outer (working-set) iterations.
    relax : bool
        Also refit the selected support with penalty ``relax_alpha`` (0: unpenalized), the
        select-then-refit workflow; stored in ``relaxed_coef`` / ``relaxed_intercept``.

    Returns
    -------
    MapResult

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> res = bl.lasso_map(X, y, alpha=1.0)
    >>> res.selected
    ['sex', 'bmi', 'bp', 's1', 's3', 's5', 's6']
    >>> res.converged
    True
    """
    alpha, l1_ratio = _check_alpha_inputs(alpha, l1_ratio, likelihood, tol, max_iter)
    problem = Problem.from_data(
        X,
        y,
        likelihood=likelihood,
        standardize=standardize,
        fit_intercept=fit_intercept,
        penalty_weights=penalty_weights,
    )
    sol = solve(problem, alpha, l1_ratio, *problem.null_solution(), tol=tol, max_iter=max_iter)
    result = result_from_solution(problem, alpha, l1_ratio, sol, tol)
    if relax:
        result = relaxed_refit(problem, result, relax_alpha, tol=tol, max_iter=max_iter)
    return result


def relaxed_refit(problem: Problem, result: MapResult, ridge: float, *, tol, max_iter):
    """Refit the support of ``result`` with a ridge penalty ``ridge`` (0: unpenalized)."""
    ridge = check_positive(ridge, "relax_alpha", allow_zero=True)
    support = result.support
    coef = np.zeros_like(result.coef)
    sub = Problem(
        np.asfortranarray(problem.X[:, support]),
        problem.y,
        problem.y_offset,
        problem.design,
        problem.likelihood,
        np.ones(int(support.sum())),
        problem.classes,
    )
    if not support.any():
        w, c = np.zeros(0), problem.null_intercept()
    elif problem.likelihood == "gaussian" and ridge == 0:
        w = np.linalg.lstsq(sub.X, sub.y, rcond=None)[0]
        c = 0.0
    else:
        w, c, *_, converged = solve(
            sub,
            ridge,
            0.0,
            np.zeros(sub.X.shape[1]),
            sub.null_intercept(),
            tol=tol * 1e-2,
            max_iter=max_iter,
        )
        if not converged:
            warnings.warn(
                "Relaxed refit did not converge (separable classes?).",
                ConvergenceWarning,
                stacklevel=3,
            )
    w_full = np.zeros(problem.design.n_features)
    w_full[support] = w
    coef, intercept = problem.design.to_original(w_full, c + problem.y_offset)
    return replace(result, relaxed_coef=coef, relaxed_intercept=float(intercept))
