"""K-fold cross-validated choice of the penalty: ``lasso_map_cv``."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from bayes_l1._validation import check_int, check_random_state, check_X_y, warn_caller
from bayes_l1.map.path import PathResult, path_grid, solve_path
from bayes_l1.map.solve import MapResult, Problem, _check_solver_inputs

__all__ = ["CVResult", "kfold_indices", "lasso_map_cv"]


_CV_KINDS = (
    "an integer >= 2 (number of folds), a scikit-learn splitter (with a split method) or "
    "an iterable of (train, test) index arrays"
)


def kfold_indices(n: int, n_folds: int, *, y=None, random_state=None) -> list[np.ndarray]:
    """Test-index arrays of a shuffled K-fold split, stratified by class when ``y`` is given.

    The same ``random_state`` gives the same folds.
    """
    n_folds = check_int(n_folds, "cv", minimum=2)
    if n_folds > n:
        raise ValueError(f"cv={n_folds} folds need at least {n_folds} samples; got {n}.")
    rng = np.random.default_rng(check_random_state(random_state))
    if y is None:
        order = rng.permutation(n)
    else:  # deal each class round-robin so every fold sees both classes
        labels, counts = np.unique(y, return_counts=True)
        if counts.min() < n_folds:
            warn_caller(
                f"The least populated class has {counts.min()} member(s), fewer than the "
                f"cv={n_folds} folds: some test folds hold none of it. Use fewer folds."
            )
        order = np.concatenate([rng.permutation(np.flatnonzero(y == k)) for k in labels])
    folds = [order[i::n_folds] for i in range(n_folds)]
    return [np.sort(f) for f in folds]


def _index_array(idx, n: int, f: int, part: str) -> np.ndarray:
    """One side of a custom split as an integer index array into the n rows."""
    where = f"cv split {f} ({part} indices)"
    try:
        a = np.asarray(idx)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where} could not be read as an index array: {exc}") from exc
    if a.size == 0:
        raise ValueError(f"{where} is empty; every fold needs {part} rows.")
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise TypeError(
            f"{where} must be a 1-D array of integer row indices; got dtype {a.dtype}, "
            f"shape {a.shape} (for a boolean mask use np.flatnonzero(mask))."
        )
    if a.min() < -n or a.max() >= n:
        raise ValueError(f"{where} must lie in [0, {n}); got values from {a.min()} to {a.max()}.")
    return a % n  # negative indices count from the end, as numpy's


def _custom_splits(cv, Xa, ya) -> list[tuple[np.ndarray, np.ndarray]]:
    if hasattr(cv, "split"):  # a scikit-learn splitter
        cv = cv.split(Xa, ya)
    try:
        pairs = list(cv)
    except TypeError:
        raise TypeError(f"cv must be {_CV_KINDS}; got {cv!r}.") from None
    n = Xa.shape[0]
    splits = []
    for f, pair in enumerate(pairs):
        if isinstance(pair, str | bytes) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise TypeError(f"cv must be {_CV_KINDS}; split {f} is {pair!r}, not a pair.")
        splits.append((_index_array(pair[0], n, f, "train"), _index_array(pair[1], n, f, "test")))
    if len(splits) < 2:
        raise ValueError("cv must give at least 2 (train, test) splits.")
    return splits


def _splits(cv, Xa, ya, likelihood, random_state):
    n = Xa.shape[0]
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool | np.bool_):
        strat = ya if likelihood == "logistic" else None
        tests = kfold_indices(n, cv, y=strat, random_state=random_state)
        return [(np.setdiff1d(np.arange(n), t), t) for t in tests]
    if cv is None or isinstance(cv, numbers.Number | bool | np.bool_ | str | bytes):
        raise TypeError(f"cv must be {_CV_KINDS}; got {cv!r}.")
    return _custom_splits(cv, Xa, ya)


def _held_out_loss(likelihood, eta, y, y_scale):
    """Mean squared error (Gaussian) or binomial deviance (logistic) per alpha.

    Residuals are divided by ``y_scale`` (a power of two) before squaring, so that the MSE
    neither overflows nor underflows when y is in extreme units.
    """
    if likelihood == "gaussian":
        r = (y[:, None] - eta) / y_scale
        return np.mean(r * r, axis=0) * y_scale**2
    return 2.0 * np.mean(np.logaddexp(0.0, eta) - y[:, None] * eta, axis=0)


@dataclass(frozen=True, eq=False)
class CVResult:
    """Cross-validated penalty choice.

    Attributes
    ----------
    alphas : (K,) the grid (descending), shared by every fold and the full-data path.
    cv_mean, cv_se : (K,) mean held-out loss and its standard error over folds
        (MSE for the Gaussian likelihood, binomial deviance for the logistic).
    cv_folds : (K, n_folds) the held-out loss of every fold.
    alpha, index : the alpha with the smallest mean loss and its grid index.
    alpha_1se, index_1se : the largest alpha within one standard error of that minimum.
    coef, intercept : the full-data solution at ``alpha`` (original scale).
    path : the full-data :class:`PathResult` on the same grid.
    test_folds : the held-out indices of each fold.
    """

    alphas: np.ndarray
    cv_mean: np.ndarray
    cv_se: np.ndarray
    cv_folds: np.ndarray
    alpha: float
    index: int
    alpha_1se: float
    index_1se: int
    path: PathResult
    test_folds: list[np.ndarray]
    loss_name: str

    @property
    def coef(self) -> np.ndarray:
        return self.path.coefs[:, self.index]

    @property
    def intercept(self) -> float:
        return float(self.path.intercepts[self.index])

    @property
    def coef_1se(self) -> np.ndarray:
        return self.path.coefs[:, self.index_1se]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.path.feature_names

    def result(self, rule: str = "min") -> MapResult:
        """The full-data solution at ``alpha`` (``rule="min"``) or ``alpha_1se`` ("1se")."""
        if rule not in ("min", "1se"):
            raise ValueError(f"rule must be 'min' or '1se'; got {rule!r}.")
        return self.path.result(self.index if rule == "min" else self.index_1se)


def cv_noise_sd(cv: CVResult, X: np.ndarray, y: np.ndarray) -> float:
    """Noise sd from the cross-validated lasso: sqrt(RSS / (n - k - 1)) at ``cv.alpha``, k its
    non-zero coefficients (Reid, Tibshirani & Friedman 2016); ``X`` and ``y`` the arrays
    ``cv`` was fitted to, the estimate in the units of ``y``."""
    k = int((cv.coef != 0).sum())
    resid = y - X @ cv.coef - cv.intercept
    return float(np.sqrt(resid @ resid / max(y.size - k - 1, 1)))


def lasso_map_cv(
    X,
    y,
    *,
    cv=5,
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
    random_state=None,
) -> CVResult:
    """Choose alpha by K-fold cross-validation of the MAP path.

    The alpha grid is computed once on the full data; each fold standardizes and solves on
    its own training rows and scores the held-out rows. ``alpha`` minimizes the mean
    held-out loss; ``alpha_1se`` is the largest alpha whose mean loss is within one
    standard error of that minimum (the one-standard-error rule).

    Parameters
    ----------
    cv : int >= 2, scikit-learn splitter, or iterable of (train, test) index arrays
        An int gives shuffled folds (stratified by class for the logistic likelihood),
        reproducible through ``random_state``. Custom splits need non-empty integer index
        arrays into the rows (a float such as 5.0 is refused, not truncated).
    random_state : None, int >= 0, numpy SeedSequence or Generator
        Seed of the shuffled folds (unused with custom splits).
    Other parameters as :func:`bayes_l1.lasso_map_path`.

    Raises
    ------
    ValueError
        A Gaussian y whose spread float64 cannot square (outside about 1e-150 .. 1e150):
        the held-out MSE would overflow or underflow. Rescale y.

    Returns
    -------
    CVResult

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> cv = bl.lasso_map_cv(X, y, cv=5, random_state=0)
    >>> cv.alpha_1se >= cv.alpha
    True
    """
    _check_solver_inputs(l1_ratio, likelihood, tol, max_iter)
    random_state = check_random_state(random_state)
    Xa, ya, names, classes = check_X_y(X, y, likelihood=likelihood)
    splits = _splits(cv, Xa, ya, likelihood, random_state)
    opts = dict(
        likelihood=likelihood,
        standardize=standardize,
        fit_intercept=fit_intercept,
        penalty_weights=penalty_weights,
    )
    full = Problem.from_arrays(Xa, ya, names, classes, **opts)
    grid = path_grid(
        full, l1_ratio, alphas, n_alphas, eps, what="Cross-validating a pure ridge penalty"
    )
    losses = np.empty((grid.size, len(splits)))
    for f, (train, test) in enumerate(splits):
        if likelihood == "logistic" and np.unique(ya[train]).size < 2:
            raise ValueError(f"Fold {f} has a single class in its training rows; use fewer folds.")
        fold = Problem.from_arrays(Xa[train], ya[train], names, classes, warn=False, **opts)
        fp = solve_path(fold, grid, l1_ratio, tol=tol, max_iter=max_iter)
        eta = Xa[test] @ fp.coefs + fp.intercepts
        losses[:, f] = _held_out_loss(likelihood, eta, ya[test], full.y_scale)
    # Compare in units of y_scale**2: the spread of MSEs near 1e300 would overflow.
    unit = full.y_scale**2 if likelihood == "gaussian" else 1.0
    mean = (losses / unit).mean(axis=1)
    se = (losses / unit).std(axis=1, ddof=1) / np.sqrt(len(splits))
    best = int(np.argmin(mean))
    one_se = int(np.flatnonzero(mean <= mean[best] + se[best])[0])
    return CVResult(
        alphas=grid,
        cv_mean=mean * unit,
        cv_se=se * unit,
        cv_folds=losses,
        alpha=float(grid[best]),
        index=best,
        alpha_1se=float(grid[one_se]),
        index_1se=one_se,
        path=solve_path(full, grid, l1_ratio, tol=tol, max_iter=max_iter),
        test_folds=[te for _, te in splits],
        loss_name="mse" if likelihood == "gaussian" else "deviance",
    )
