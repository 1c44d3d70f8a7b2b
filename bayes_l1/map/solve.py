"""MAP estimation under Laplace / elastic-net / Gaussian priors: ``lasso_map``.

The solver is a working-set method (as celer and skglm): an outer loop computes the full
gradient, the duality gap and each feature's KKT violation, then hands the worst violators
plus the current support to a compiled coordinate-descent inner solver. Exact zeros come
from the soft-thresholding step; the stopping rule is the duality gap, as scikit-learn's,
plus a stop when float64 can resolve no further progress (so that a tol below what the data
allow costs a few iterations, not max_iter). The Gaussian response is solved in units of a
power of two near its spread, which is exact and keeps every square representable.

The whole outer loop, and a whole path, is one compiled call (``_cd.gaussian_path``,
``_cd.logistic_path``: no Python per alpha or per coordinate). The Gaussian inner solver uses
glmnet's covariance update (X^T X / n) when n >= p and p is small; the logistic one is
proximal Newton (newGLMNET).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import expit, xlogy

from bayes_l1._columns import align_columns
from bayes_l1._validation import (
    check_int,
    check_l1_ratio,
    check_likelihood,
    check_penalty_weights,
    check_positive,
    check_X,
    check_X_y,
    preview,
    warn_caller,
)
from bayes_l1.data import Design
from bayes_l1.map import _cd
from bayes_l1.separation import classes_separable

__all__ = ["ConvergenceWarning", "MapResult", "SeparationWarning", "lasso_map"]

# The inner solver stops at this fraction of the outer KKT violation.
_INNER_TOL = 0.3
# A stop at float64 precision warns only when the gap is this far above the target.
_FAR_ABOVE_TARGET = 100.0
# The working y is y / y_scale; squares of y (gap, held-out MSE) are reported times
# y_scale**2, which must stay a normal float64: |y - mean(y)| within about 1e-150 .. 1e150.
_Y_SCALE_RANGE = (2.0**-500, 2.0**500)
# The Gaussian solver keeps the gradient through X^T X (glmnet's covariance update) up to
# this many features when n >= p: a coordinate update then costs O(p), not O(n).
_GRAM_MAX_FEATURES = 500
# Mean squares of a raw column (standardize=False) that float64 holds without loss.
_NORMS2_RANGE = (2.0**-900, 2.0**900)


class ConvergenceWarning(UserWarning):
    """The solver stopped before reaching the requested duality gap."""


class SeparationWarning(ConvergenceWarning):
    """The classes are separable along unpenalized directions: no maximum exists."""


def _pow2_at_least(value: float) -> float:
    """The power of two 2**e with value <= 2**e < 2 value (1 for 0; 2**1023, the largest,
    for value beyond it): scaling by it is exact."""
    if value == 0:
        return 1.0
    _, e = np.frexp(value)
    return float(np.ldexp(1.0, min(int(e), 1023)))


def working_target(y, likelihood, fit_intercept):
    """``(offset, scale, y_work)`` with y = offset + scale * y_work and |y_work| <= 1.

    ``scale`` is a power of two, so the working problem is the original one with every
    quantity in exact binary units: the same bits wherever the original neither overflows
    nor underflows, and a finite answer where squares of y would.
    """
    if likelihood == "logistic":
        return 0.0, 1.0, y
    s0 = _pow2_at_least(float(np.max(np.abs(y))))  # so that the mean cannot overflow
    y0 = y / s0
    mean = float(y0.mean()) if fit_intercept else 0.0
    yc = y0 - mean
    spread = float(np.max(np.abs(yc)))
    s1 = _pow2_at_least(spread)
    scale = s0 * s1
    low, high = _Y_SCALE_RANGE
    if spread > 0 and not low <= scale <= high:
        size = spread * s0
        raise ValueError(
            f"y varies by up to {size:.3g} around its mean, beyond what float64 can square "
            "(squared errors, duality gaps, held-out MSEs and variances of posterior draws "
            "need |y - mean(y)| between about 1e-150 and 1e150). Rescale y, e.g. multiply it by "
            f"1e{-int(np.round(np.log10(size)))}; coefficients and intercept scale with it."
        )
    return mean * s0, scale, yc / s1


def _check_raw_magnitudes(Z, design: Design) -> None:
    """With standardize=False the solver squares raw columns: they must stay representable."""
    if design.standardize:
        return
    ms = np.einsum("ij,ij->j", Z, Z) / Z.shape[0]
    low, high = _NORMS2_RANGE
    bad = np.flatnonzero(~((ms == 0) | ((ms >= low) & (ms <= high))))
    if bad.size:
        cols = preview([design.feature_names[j] for j in bad], 10)
        raise ValueError(
            f"With standardize=False, columns [{cols}] are too large or too small for float64 "
            "to square (the solver needs root mean squares between about 1e-135 and 1e135). "
            "Use standardize=True (coefficients are still reported in the original units) "
            "or rescale those columns."
        )


class Solution(NamedTuple):
    """What :func:`solve` returns. ``status``: "converged", "max_iter" or "precision" (no
    progress left at float64 precision before the gap reached its target)."""

    w: np.ndarray
    c: float
    n_iter: int
    gap: float
    kkt: float
    converged: bool
    status: str


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated data set on its working scale, ready to be solved at any penalty.

    The working response is ``(y - y_offset) / y_scale`` (Gaussian; the 0/1 labels for the
    logistic likelihood, with ``y_scale = 1``), so penalties, coefficients and gaps on the
    working scale are those of the original problem in units of ``y_scale``.
    """

    X: np.ndarray  # working design, Fortran order
    y: np.ndarray  # centred for the Gaussian likelihood with an intercept, divided by y_scale
    y_offset: float
    design: Design
    likelihood: str
    weights: np.ndarray
    classes: np.ndarray | None
    y_scale: float = 1.0
    norms2: np.ndarray = field(init=False)
    gap_scale: float = field(init=False)

    def __post_init__(self):
        # one array type for the compiled solvers (each new type is a compilation of
        # seconds): a read-only X, which the solvers never write, is copied once
        object.__setattr__(self, "X", np.require(self.X, np.float64, ["F", "W"]))
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
        weights = check_penalty_weights(penalty_weights, names)
        y_offset, y_scale, y_work = working_target(ya, likelihood, fit_intercept)
        design, Z = Design.fit_transform(
            Xa, names, standardize=standardize, fit_intercept=fit_intercept, warn=warn
        )
        _check_raw_magnitudes(Z, design)
        return cls(Z, y_work, y_offset, design, likelihood, weights, classes, y_scale)

    @cached_property
    def gram(self) -> np.ndarray:
        """``X^T X / n`` when the covariance form of coordinate descent pays (Gaussian, n >= p,
        p <= ``_GRAM_MAX_FEATURES``), else a (0, 0) array (the residual form)."""
        n, p = self.X.shape
        if self.likelihood != "gaussian" or p > min(n, _GRAM_MAX_FEATURES):
            return np.zeros((0, 0))
        return np.ascontiguousarray(self.X.T @ self.X) / n

    @property
    def active(self) -> np.ndarray:
        """Features that can move (not held at zero, not an all-zero column)."""
        return self.norms2 > 0

    def penalties(self, alpha: float, l1_ratio: float):
        """Working-scale (l1, l2) per feature: only the L1 part is in units of y."""
        l1 = (alpha * l1_ratio / self.y_scale) * self.weights
        return l1, alpha * (1.0 - l1_ratio) * self.weights

    def free(self, alpha: float, l1_ratio: float) -> np.ndarray:
        """Features with no penalty at all at this alpha (and that can move)."""
        l1, l2 = self.penalties(alpha, l1_ratio)
        return (l1 == 0) & (l2 == 0) & self.active

    def to_original(self, w, c):
        """Coefficients (original scale of X and y) and intercept from a working solution."""
        coef, intercept = self.design.to_original(
            np.asarray(w) * self.y_scale, np.asarray(c) * self.y_scale
        )
        return coef, intercept + self.y_offset

    def null_intercept(self) -> float:
        """Working-scale intercept of the model with every coefficient at 0."""
        if self.likelihood == "gaussian" or not self.design.fit_intercept:
            return 0.0
        ybar = self.y.mean()
        return float(np.log(ybar / (1.0 - ybar)))

    def null_solution(self):
        """(w, c) with every penalized coefficient at 0 and the rest at their optimum (a
        fresh copy of the cached solve)."""
        w, c = self._null
        return w.copy(), c

    @cached_property
    def _null(self):
        w = np.zeros(self.design.n_features)
        c = self.null_intercept()
        if ((self.weights == 0) & self.active).any():
            huge = np.finfo(float).max * min(1.0, self.y_scale)  # finite once in y units
            sol = solve(self, huge, 1.0, w, c, tol=1e-12, max_iter=1000)
            w, c = sol.w, sol.c
        return w, c

    @cached_property
    def _null_gradient(self) -> np.ndarray:
        """|X^T v| / n at the null solution: what ``alpha_max`` compares to the weights."""
        w, c = self._null
        return _cd.start_gradient(self.X, self.y, w, float(c), self.likelihood == "logistic")

    def alpha_max(self, l1_ratio: float = 1.0) -> float:
        """Smallest alpha at which every penalized coefficient is 0."""
        if l1_ratio == 0:
            raise ValueError("alpha_max is infinite for a pure ridge penalty (l1_ratio=0).")
        pen = (self.weights > 0) & self.active
        if not pen.any():
            return 0.0
        z = self._null_gradient
        return float(np.max(z[pen] / (l1_ratio * self.weights[pen]))) * self.y_scale


# Status names of the compiled kernels' codes (``_cd.CONVERGED``, ``MAX_ITER``, ``PRECISION``).
STATUS_NAMES = np.array(["converged", "max_iter", "precision"])


def solve_grid(problem: Problem, alphas, l1_ratio, w0, c0, *, tol, max_iter):
    """The working-set solver along descending ``alphas`` (warm starts), compiled in one call
    for either likelihood (``_cd.gaussian_path``, ``_cd.logistic_path``): no Python per alpha
    or per coordinate. Returns ``(W (p, K), intercepts, gaps, kkts, n_iter, status codes)``
    on the working scale; ``w0``, ``c0`` is the start."""
    alphas = np.ascontiguousarray(alphas, dtype=np.float64)
    w = np.array(w0, dtype=np.float64)
    target = tol * problem.gap_scale
    if problem.likelihood == "gaussian":
        W, gaps, kkts, iters, codes = _cd.gaussian_path(
            problem.X,
            problem.y,
            w,
            float(c0),
            problem.norms2,
            problem.weights,
            problem.active,
            alphas,
            float(l1_ratio),
            float(problem.y_scale),
            target,
            int(max_iter),
            problem.gram,
            _INNER_TOL,
        )
        return W, np.full(alphas.size, float(c0)), gaps, kkts, iters, codes
    return _cd.logistic_path(
        problem.X,
        problem.y,
        w,
        float(c0),
        problem.weights,
        problem.active,
        alphas,
        float(l1_ratio),
        target,
        int(max_iter),
        problem.design.fit_intercept,
        _INNER_TOL,
    )


def solve(problem: Problem, alpha, l1_ratio, w0, c0, *, tol=1e-4, max_iter=100) -> Solution:
    """Solve the working-scale problem from (w0, c0): :func:`solve_grid` at one alpha.

    ``gap`` and ``tol`` are on the per-sample objective scale of the working problem,
    ``gap <= tol * gap_scale`` (scikit-learn's rule for the Gaussian case, relative to the
    null model's loss for the logistic case). The loop also stops, with status
    "precision", when float64 cannot resolve further progress: the inner solver leaves the
    point unchanged, or for ``_cd._STALL_ROUNDS`` outer iterations in a row the objective moves
    by no more than rounding and the gap does not halve. Such a tol would only cost time.
    """
    W, C, gaps, kkts, iters, codes = solve_grid(
        problem, [float(alpha)], l1_ratio, w0, c0, tol=tol, max_iter=max_iter
    )
    status = str(STATUS_NAMES[codes[0]])
    return Solution(
        W[:, 0],
        float(C[0]),
        int(iters[0]),
        float(gaps[0]),
        float(kkts[0]),
        status == "converged",
        status,
    )


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
    converged : whether ``dual_gap <= tol * gap_scale`` was reached at a point that is a
        maximum (False for separable classes, where no maximum exists).
    relaxed_coef, relaxed_intercept : the refit on the selected support (``relax=True``).
    status : why the solver stopped: "converged"; "max_iter"; "precision" (no progress left
        at float64 precision before the gap reached ``tol``: a ConvergenceWarning only when
        the gap is more than 100 times its target); "separable" (the logistic likelihood
        has no maximum along the unpenalized features: a SeparationWarning).
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
    status: str = "converged"

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
    """``(alpha, l1_ratio)`` validated, with the solver options of one fit."""
    check_likelihood(likelihood)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    return alpha, _check_solver_inputs(l1_ratio, likelihood, tol, max_iter)


def _check_solver_inputs(l1_ratio, likelihood, tol, max_iter) -> float:
    """The options every fit shares (one alpha, a path or CV); returns ``l1_ratio``."""
    check_likelihood(likelihood)
    l1_ratio = check_l1_ratio(l1_ratio)
    check_positive(tol, "tol")
    check_int(max_iter, "max_iter", minimum=1)
    return l1_ratio


def separable(problem: Problem, free: np.ndarray) -> bool:
    """Whether the classes are separated by a combination of the ``free`` (unpenalized)
    working columns and the intercept: then no maximum exists along them
    (:func:`bayes_l1.separation.classes_separable`)."""
    if problem.likelihood != "logistic" or not free.any():
        return False
    return classes_separable(problem.X[:, free], problem.y, intercept=problem.design.fit_intercept)


def _warn_unconverged(problem: Problem, alpha, sol: Solution, tol, what="MAP solver"):
    """ConvergenceWarning for max_iter, or for a float64 stall far above its target."""
    target = tol * problem.gap_scale
    if sol.status == "converged" or (
        sol.status == "precision" and sol.gap <= _FAR_ABOVE_TARGET * target
    ):
        return
    unit = problem.y_scale**2  # report gaps in the units of the original objective
    if sol.status == "max_iter":
        msg = (
            f"{what} did not converge at alpha={alpha:.4g}: duality gap {sol.gap * unit:.3g} "
            f"> {target * unit:.3g} after {sol.n_iter} outer iterations. Increase max_iter "
            "or tol, or standardize strongly correlated features."
        )
    else:
        msg = (
            f"{what} stopped at alpha={alpha:.4g} where float64 precision allows no further "
            f"progress: duality gap {sol.gap * unit:.3g} is far above the target "
            f"{target * unit:.3g} (tol={tol:.3g}). The result is as accurate as float64 "
            f"allows on these data; tol >= {sol.gap / problem.gap_scale:.1g} is reachable."
        )
    warn_caller(msg, ConvergenceWarning)


def warn_separable(names, fit_intercept: bool, alphas: str) -> None:
    """SeparationWarning naming the unpenalized features that separate the classes."""
    with_icpt = " and the intercept" if fit_intercept else ""
    warn_caller(
        f"The classes are separable by the unpenalized features [{preview(names, 10)}]"
        f"{with_icpt} (at {alphas}): the logistic "
        "likelihood has no maximum and the coefficients grow without bound, so the result "
        "is the solver's last iterate (converged=False). Use alpha > 0 (and no zero "
        "penalty_weights) for a finite MAP estimate.",
        SeparationWarning,
    )


def result_from_solution(problem, alpha, l1_ratio, sol: Solution, tol, *, warn=True):
    """The :class:`MapResult` of a working-scale solution, with its warnings."""
    status, converged = sol.status, sol.converged
    free = problem.free(alpha, l1_ratio)
    if separable(problem, free):
        status, converged = "separable", False
        if warn:
            names = [problem.design.feature_names[j] for j in np.flatnonzero(free)]
            warn_separable(names, problem.design.fit_intercept, f"alpha={alpha:.4g}")
    elif warn:
        _warn_unconverged(problem, alpha, sol, tol)
    coef, intercept = problem.to_original(sol.w, sol.c)
    return MapResult(
        coef=coef,
        intercept=float(intercept),
        coef_working=sol.w * problem.y_scale,
        alpha=alpha,
        l1_ratio=l1_ratio,
        likelihood=problem.likelihood,
        feature_names=problem.design.feature_names,
        n_iter=sol.n_iter,
        dual_gap=sol.gap * problem.y_scale**2,
        kkt_violation=sol.kkt * problem.y_scale,
        converged=converged,
        classes=problem.classes,
        status=status,
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
    penalty_weights : array-like of shape (p,) or pandas Series, optional
        Per-feature penalty factors (adaptive lasso); 0 leaves a feature unpenalized. A
        Series labelled by column names is matched to X's columns by name.
    tol : float > 0
        Stop when the duality gap is below ``tol`` times ||y - mean(y)||^2 / n (Gaussian,
        scikit-learn's rule) or times the null model's mean log-loss (logistic). The solver
        also stops, with ``status="precision"``, when float64 resolves no further progress.
        scikit-learn computes the gap only once a sweep changes no coefficient by more than
        ``tol`` (relative), so at the same ``tol`` its solution is often closer to the
        optimum than its certificate requires (elastic net on diabetes, alpha=1,
        l1_ratio=0.3, tol=1e-4: 7e-4 against our 0.18, both within the gap rule); compare
        solvers at the same reported ``dual_gap``, or tighten ``tol`` (1e-6: both 1.8e-6).
    max_iter : int >= 1
        Maximum outer (working-set) iterations.
    relax : bool
        Also refit the selected support with penalty ``relax_alpha`` (0: unpenalized), the
        select-then-refit workflow; stored in ``relaxed_coef`` / ``relaxed_intercept``.

    Returns
    -------
    MapResult

    Raises
    ------
    TypeError
        A parameter of the wrong type (``max_iter=1.7``, ``alpha="0.1"``, ``alpha=True``).
    ValueError
        Out-of-range parameters; a Gaussian y whose spread around its mean is outside about
        1e-150 .. 1e150, whose squares float64 cannot hold (rescale y).

    Warns
    -----
    ConvergenceWarning
        ``max_iter`` reached, or float64 precision reached with the gap more than 100 times
        its target.
    SeparationWarning
        Logistic likelihood with unpenalized features (``alpha=0`` or zero
        ``penalty_weights``) that separate the classes: no maximum exists.

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
    sub = Problem(
        np.asfortranarray(problem.X[:, support]),
        problem.y,
        problem.y_offset,
        problem.design,
        problem.likelihood,
        np.ones(int(support.sum())),
        problem.classes,
        problem.y_scale,
    )
    if not support.any():
        w, c = np.zeros(0), problem.null_intercept()
    elif problem.likelihood == "gaussian" and ridge == 0:
        w = np.linalg.lstsq(sub.X, sub.y, rcond=None)[0]
        c = 0.0
    else:
        start = np.zeros(sub.X.shape[1]), sub.null_intercept()
        sol = solve(sub, ridge, 0.0, *start, tol=tol * 1e-2, max_iter=max_iter)
        w, c = sol.w, sol.c
        free = sub.free(ridge, 0.0)
        if separable(sub, free):
            names = [problem.design.feature_names[j] for j in np.flatnonzero(support)[free]]
            warn_separable(names, problem.design.fit_intercept, "relax_alpha=0")
        else:
            _warn_unconverged(sub, ridge, sol, tol * 1e-2, what="Relaxed refit")
    w_full = np.zeros(problem.design.n_features)
    w_full[support] = w
    coef, intercept = problem.to_original(w_full, c)
    return replace(result, relaxed_coef=coef, relaxed_intercept=float(intercept))
