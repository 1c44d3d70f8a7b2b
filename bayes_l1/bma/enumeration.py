"""Exact enumeration of all 2^p linear models: R^2 of every model, then its posterior.

Model ``m`` (an integer code) contains feature j when bit j of m is set. The R^2 of all 2^p
models comes from one pass over the codes in increasing order, which is a depth-first walk of
the binary tree that decides feature p-1 first and feature 0 last. Each node holds the Schur
complement of the centred, unit-norm Gram matrix of [X, y] after eliminating (sweeping) the
features included so far; a child that adds feature t eliminates one more pivot, which
touches only the rows of the undecided features 0..t-1 and y. So each model costs one
rank-one update of a (t+1) x (t+1) block, O(2^p) work in all, and each model's residual
sum of squares comes from at most p eliminations from the root: no error accumulates from
model to model as it does with add/delete updates along a Gray code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bayes_l1._validation import check_X_y
from bayes_l1.bma.design import StandardizedDesign
from bayes_l1.bma.gprior import GPrior, log_bf_from_rss, resolve_g
from bayes_l1.bma.model_priors import resolve_model_prior
from bayes_l1.bma.result import BMAResult, models_of_codes, posterior_probabilities

__all__ = ["StandardizedDesign", "all_r2", "enumerate_models", "model_sizes"]

# A feature whose squared norm, after regressing out the other included features, is below
# this fraction of its own (1 / variance inflation factor) makes its model rank deficient.
RANK_TOL = 1e-10


def model_sizes(p: int) -> np.ndarray:
    """Number of features in each model code 0 .. 2^p - 1 (its bit count).

    Examples
    --------
    >>> model_sizes(3).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    """
    size = np.zeros(1, dtype=np.int8)
    for _ in range(p):
        size = np.concatenate([size, size + 1])
    return size


@njit(cache=True)
def _all_rss(gram, rank_tol):
    """1 - R^2 of every model code (NaN when its columns are linearly dependent)."""
    p = gram.shape[0] - 1
    rss = np.empty(1 << p)
    rss[0] = gram[p, p]
    # state[t]: Schur complement after the decisions down to feature t (t included), valid
    # for rows/columns 0..t-1 and p (upper triangle); singular[t]: a dependent pivot met.
    state = np.empty((max(p, 1), p + 1, p + 1))
    singular = np.zeros(max(p, 1), dtype=np.bool_)
    for m in range(1, 1 << p):
        t = 0
        while not (m >> t) & 1:
            t += 1
        rest = m ^ (1 << t)  # the higher features, decided earlier
        if rest == 0:
            src, bad = gram, False
        else:
            s = 0
            while not (rest >> s) & 1:
                s += 1
            src, bad = state[s], singular[s]
        piv = src[t, t]
        if bad or piv <= rank_tol * gram[t, t]:
            singular[t] = True
            rss[m] = np.nan
            continue
        singular[t] = False
        dst = state[t]
        for i in range(t):
            f = src[i, t] / piv
            for j in range(i, t):
                dst[i, j] = src[i, j] - f * src[j, t]
            dst[i, p] = src[i, p] - f * src[t, p]
        dst[p, p] = src[p, p] - src[t, p] * src[t, p] / piv
        rss[m] = dst[p, p]
    return rss


def all_r2(X, y, *, rank_tol: float = RANK_TOL) -> np.ndarray:
    """R^2 of the least-squares fit (with intercept) of every model, indexed by model code.

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    rank_tol : float
        Models whose columns are (numerically) linearly dependent get NaN.

    Returns
    -------
    numpy.ndarray, shape (2^p,)
        Entry m is the R^2 of the model with the features of the set bits of m.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 3))
    >>> y = X[:, 0] + rng.normal(size=30)
    >>> r2 = all_r2(X, y)
    >>> int(np.argmax(r2)), bool(r2[0] == 0)
    (7, True)
    """
    Xa, ya, _, _ = check_X_y(X, y)
    design = StandardizedDesign.from_data(Xa, ya)
    return 1.0 - _all_rss(design.gram, rank_tol)


def enumerate_models(
    X,
    y,
    *,
    g: float | str = "n",
    a: float | None = None,
    model_prior="uniform",
    max_features: int = 24,
    rank_tol: float = RANK_TOL,
) -> BMAResult:
    """Posterior over all 2^p linear models under a g-prior, by exact enumeration.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (n, p)
    y : array_like, shape (n,)
    g : float or {"n", "bic", "hyper-g", "hyper-g/n", "zellner-siow"}
        Choice of g, see :func:`bayes_l1.bma.resolve_g`.
    a : float, optional
        Hyperparameter of the hyper-g priors (default 3).
    model_prior : "uniform", BetaBinomial, Bernoulli or float
        Prior over models, see :func:`bayes_l1.bma.resolve_model_prior`.
    max_features : int
        Refuse larger p: memory and time grow as 2^p (p = 20 is about a million models).
    rank_tol : float
        Models with linearly dependent columns, and models with k >= n - 1 features (no
        residual degree of freedom), get prior weight 0. (BAS instead gives models with
        k >= n - 1 the Bayes factor 1 of the null model.)

    Returns
    -------
    BMAResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 4))
    >>> y = 2 * X[:, 1] + rng.normal(size=50)
    >>> res = enumerate_models(X, y, g="zellner-siow")
    >>> res.highest_probability_model
    ('x1',)
    >>> bool(res.pip["x1"] > 0.99)
    True
    """
    prior = resolve_g(g, a=a)
    mprior = resolve_model_prior(model_prior)
    Xa, ya, names, _ = check_X_y(X, y, min_samples=3)
    p = Xa.shape[1]
    if p > max_features:
        raise ValueError(
            f"Enumeration visits 2^p models; p = {p} > max_features = {max_features}. Raise "
            "max_features if memory allows (about 60 bytes per model), or reduce p."
        )
    design = StandardizedDesign.from_data(Xa, ya)
    return _posterior(design, names, prior, mprior, rank_tol)


def _posterior(design: StandardizedDesign, names, prior: GPrior, mprior, rank_tol) -> BMAResult:
    p = len(names)
    rss = _all_rss(design.gram, rank_tol)
    size = model_sizes(p)
    valid = np.isfinite(rss)
    log_bf = np.full(rss.shape, -np.inf)
    log_bf[valid] = log_bf_from_rss(rss[valid], size[valid], design.n, prior)
    log_prior = mprior.log_prob(size, p)
    prob, log_evidence = posterior_probabilities(log_bf, log_prior)
    return BMAResult(
        feature_names=tuple(names),
        models=models_of_codes(np.arange(rss.size), p),
        size=size,
        r2=1.0 - rss,
        log_bf=log_bf,
        log_prior=log_prior,
        prob=prob,
        log_evidence=log_evidence,
        g_prior=prior,
        model_prior=mprior,
        design=design,
        method="enumeration",
    )
