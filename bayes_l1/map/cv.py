"""K-fold cross-validated choice of the penalty: ``lasso_map_cv``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bayes_l1._validation import check_X_y
from bayes_l1.map.path import PathResult, _check_alphas, alpha_grid, solve_path
from bayes_l1.map.solve import MapResult, Problem, _check_alpha_inputs

__all__ = ["CVResult", "kfold_indices", "lasso_map_cv"]


def kfold_indices(n: int, n_folds: int, *, y=None, random_state=None) -> list[np.ndarray]:
    """Test-index arrays of a shuffled K-fold split, stratified by class when ``y`` is given.

    The same ``random_state`` gives the same folds.
    """
    if int(n_folds) < 2:
        raise ValueError(f"cv must be >= 2 folds; got {n_folds}.")
    if n_folds > n:
        raise ValueError(f"cv={n_folds} folds need at least {n_folds} samples; got {n}.")
    rng = np.random.default_rng(random_state)
    if y is None:
        order = rng.permutation(n)
    else:  # deal each class round-robin so every fold sees both classes
        order = np.concatenate([rng.permutation(np.flatnonzero(y == k)) for k in np.unique(y)])
    folds = [order[i::n_folds] for i in range(n_folds)]
    return [np.sort(f) for f in folds]


def _splits(cv, Xa, ya, likelihood, random_state):
    n = Xa.shape[0]
    if isinstance(cv, int | np.integer):
        strat = ya if likelihood == "logistic" else None
        tests = kfold_indices(n, int(cv), y=strat, random_state=random_state)
        return [(np.setdiff1d(np.arange(n), t), t) for t in tests]
    if hasattr(cv, "split"):  # a scikit-learn splitter
        cv = cv.split(Xa, ya)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    if len(splits) < 2:
        raise ValueError("cv must give at least 2 (train, test) splits.")
    return splits


def _held_out_loss(likelihood, eta, y):
    """Mean squared error (Gaussian) or binomial deviance (logistic) per alpha."""
    if likelihood == "gaussian":
        return np.mean((y[:, None] - eta) ** 2, axis=0)
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
    cv : int, scikit-learn splitter, or iterable of (train, test) index arrays
        An int gives shuffled folds (stratified by class for the logistic likelihood),
        reproducible through ``random_state``.
    Other parameters as :func:`bayes_l1.lasso_map_path`.

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
    _check_alpha_inputs(0.0, l1_ratio, likelihood, tol, max_iter)
    Xa, ya, names, classes = check_X_y(X, y, likelihood=likelihood)
    opts = dict(
        likelihood=likelihood,
        standardize=standardize,
        fit_intercept=fit_intercept,
        penalty_weights=penalty_weights,
    )
    full = Problem.from_arrays(Xa, ya, names, classes, **opts)
    if alphas is None:
        if l1_ratio == 0:
            raise ValueError("Cross-validating a pure ridge penalty (l1_ratio=0) needs `alphas`.")
        grid = alpha_grid(full.alpha_max(l1_ratio), n_alphas, eps)
    else:
        grid = _check_alphas(alphas)
    splits = _splits(cv, Xa, ya, likelihood, random_state)
    losses = np.empty((grid.size, len(splits)))
    for f, (train, test) in enumerate(splits):
        if likelihood == "logistic" and np.unique(ya[train]).size < 2:
            raise ValueError(f"Fold {f} has a single class in its training rows; use fewer folds.")
        fold = Problem.from_arrays(Xa[train], ya[train], names, classes, warn=False, **opts)
        fp = solve_path(fold, grid, l1_ratio, tol=tol, max_iter=max_iter)
        eta = Xa[test] @ fp.coefs + fp.intercepts
        losses[:, f] = _held_out_loss(likelihood, eta, ya[test])
    mean = losses.mean(axis=1)
    se = losses.std(axis=1, ddof=1) / np.sqrt(len(splits))
    best = int(np.argmin(mean))
    one_se = int(np.flatnonzero(mean <= mean[best] + se[best])[0])
    return CVResult(
        alphas=grid,
        cv_mean=mean,
        cv_se=se,
        cv_folds=losses,
        alpha=float(grid[best]),
        index=best,
        alpha_1se=float(grid[one_se]),
        index_1se=one_se,
        path=solve_path(full, grid, l1_ratio, tol=tol, max_iter=max_iter),
        test_folds=[te for _, te in splits],
        loss_name="mse" if likelihood == "gaussian" else "deviance",
    )
