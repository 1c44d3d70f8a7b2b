"""Whether a linear combination of the features separates two classes.

Under separation the logistic likelihood rises forever along the separating direction: the
MAP estimate has no maximum there (:mod:`bayes_l1.map`) and the posterior along it is the
prior's tail, which samplers cross slowly (:func:`bayes_l1.check_sampling` names it).
"""

from __future__ import annotations

import numpy as np

# The linear programme has n rows and p + 1 columns: diagnostics skip the check beyond this
# many entries, to stay cheap (HiGHS, measured: 0.9 s at 10,000 x 100, 5.6 s at 2,000 x 500;
# 98 s at 2,500 x 2,000).
MAX_ENTRIES = 1_000_000


def separable_if_cheap(X: np.ndarray, y: np.ndarray) -> bool:
    """:func:`classes_separable` (with an intercept) where it is cheap to decide, else False:
    with p + 1 >= n and [X, 1] of full row rank the classes are always separable (rank from
    the n x n Gram, O(n^2 p) flops, no copy of X); otherwise Konis's linear programme up to
    ``MAX_ENTRIES``."""
    n, p = X.shape
    if p + 1 >= n:
        return n * n * p <= 1e10 and np.linalg.matrix_rank(X @ X.T + 1.0, hermitian=True) == n
    return n * (p + 1) <= MAX_ENTRIES and classes_separable(X, y)


def classes_separable(X: np.ndarray, y: np.ndarray, *, intercept: bool = True) -> bool:
    """Whether labels ``y`` in {0, 1} are separated, completely or quasi-completely, by a
    combination of the columns of ``X`` (and a constant when ``intercept``).

    Decided by the linear programme of Konis (2007): maximize sum(A d) subject to A d >= 0,
    |d| <= 1, with rows A_i = (2 y_i - 1) (x_i, 1); the data are separable exactly when the
    optimum is positive (Albert & Anderson 1984). The direction found is checked in float64,
    so solver tolerances cannot report a separation that is not there.
    """
    from scipy.optimize import linprog  # only needed for logistic fits

    cols = [np.asarray(X, dtype=float)]
    if intercept:
        cols.append(np.ones((cols[0].shape[0], 1)))
    A = (2.0 * np.asarray(y, dtype=float) - 1.0)[:, None] * np.hstack(cols)
    A /= np.maximum(np.abs(A).max(axis=0), np.finfo(float).tiny)  # unit columns: same signs
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=(-1.0, 1.0))
    if res.status != 0:
        return False
    margin = A @ res.x
    return bool(margin.max() > 1e-7 and margin.min() >= -1e-9 * margin.max())
