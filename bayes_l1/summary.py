"""Posterior inclusion summaries and uncertainty-aware feature ranking.

Continuous shrinkage priors never put a coefficient exactly at zero, so "is feature j in the
model?" becomes "is |w_j| large enough to matter?" (docs/mathematics.md, "What pip means
here"). Every function here takes a fitted estimator
(:class:`~bayes_l1.BayesianLinearRegression`, :class:`~bayes_l1.BayesianLogisticRegression`)
or the ``xarray.DataTree`` it stores in ``idata_``, and works on all draws of all features
at once: numpy over a ``(draws, features)`` matrix, no Python loop over either (4 chains x
1000 draws x 5000 features take a few seconds). No PyMC import.

Scales. Relevance and ranks are judged on the *working* scale, ``beta_std``: coefficients of
standardized features (population sd 1) and, for the Gaussian likelihood, a standardized
response. There a coefficient means "sd of y per sd of x_j" for every feature, so a single
threshold and a single ordering are meaningful; on the original scale they would depend on
the units of each column. Reported locations and intervals (``mean``, ``median``, ``sd``,
``hdi_*``) are on the original scale (``beta``), like ``coef_``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from bayes_l1._columns import align_columns, check_rows
from bayes_l1._validation import (
    check_bool,
    check_int,
    check_labels,
    check_positive,
    check_probability,
    check_X,
    check_y,
    constant_columns_reported,
)
from bayes_l1.data import Design
from bayes_l1.diagnostics import Diagnostics, check_sampling, reported_variables
from bayes_l1.map import alpha_grid, lasso_map_cv, lasso_map_path
from bayes_l1.map.solve import working_target
from bayes_l1.priors import pseudo_sigma

__all__ = [
    "default_eps",
    "diagnose",
    "effective_nonzeros",
    "inclusion_summary",
    "joint_inclusion",
    "rank_distribution",
    "shrinkage_factors",
    "top_k_probability",
]

_SAMPLE_DIMS = ("chain", "draw")
_EPS_STANDARD_ERRORS = 2.0  # default eps, in standard errors of a standardized coefficient
_RANK_BY = ("abs_standardized", "abs")
_MAX_RANK = 50  # default columns of rank_distribution: p x 50 cells, never p x p
_BLOCK_CELLS = 2**22  # draws x features per block of the rank computations (32 MB float64)


# --------------------------------------------------------------------- inputs


def _datatree(fit) -> tuple[xr.DataTree, Any]:
    """(DataTree, estimator or None) from a fitted estimator or a DataTree."""
    if isinstance(fit, xr.DataTree):
        tree, est = fit, None
    elif hasattr(fit, "get_params") and hasattr(fit, "fit"):
        if not hasattr(fit, "idata_"):
            raise ValueError(
                f"This {type(fit).__name__} is not fitted yet (no posterior draws); "
                "call fit(X, y) first."
            )
        tree, est = fit.idata_, fit
    else:
        raise TypeError(
            "Expected a fitted BayesianLinearRegression / BayesianLogisticRegression or the "
            f"xarray.DataTree from its idata_; got {type(fit).__name__}."
        )
    if "posterior" not in tree.children:
        raise ValueError("The DataTree has no 'posterior' group: there are no draws to summarize.")
    post = tree["posterior"]
    missing = [v for v in ("beta_std", "beta") if v not in post.data_vars]
    if missing:
        raise ValueError(
            f"The posterior lacks {missing}: summaries need the coefficient draws written by "
            "bayes_l1's samplers (beta_std on the working scale, beta on the original one)."
        )
    if not {*_SAMPLE_DIMS, "feature"} <= set(post["beta_std"].dims):
        raise ValueError(
            f"beta_std must have dims (chain, draw, feature); got {post['beta_std'].dims}."
        )
    return tree, est


def _matrix(da: xr.DataArray) -> np.ndarray:
    """(chain, draw[, feature]) -> (draws, features) or (draws,) float64 array."""
    dims = [*_SAMPLE_DIMS, *(d for d in da.dims if d not in _SAMPLE_DIMS)]
    values = np.asarray(da.transpose(*dims).values, dtype=np.float64)
    return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])


def _feature_names(tree: xr.DataTree) -> list[str]:
    return [str(f) for f in tree["posterior"]["feature"].values]


def _is_gaussian(tree: xr.DataTree) -> bool:
    return "sigma_std" in tree["posterior"].data_vars


def _n_obs(tree: xr.DataTree) -> int:
    for group in ("observed_data", "log_likelihood"):
        if group in tree.children and "obs" in tree[group].dims:
            return int(tree[group].sizes["obs"])
    raise ValueError(
        "The number of observations is unknown (no observed_data or log_likelihood group "
        "with an 'obs' dimension); pass eps explicitly."
    )


def _noise_draws(tree: xr.DataTree) -> np.ndarray:
    """Noise sd on the working scale per draw: sigma_std, or the logistic pseudo-sigma
    1 / sqrt(mu (1 - mu)) with mu the observed event rate (Piironen & Vehtari 2017)."""
    post = tree["posterior"]
    if _is_gaussian(tree):
        return _matrix(post["sigma_std"])
    if "observed_data" not in tree.children or "y" not in tree["observed_data"].data_vars:
        raise ValueError("The logistic pseudo-sigma needs observed_data['y'].")
    n_draws = post.sizes["chain"] * post.sizes["draw"]
    return np.full(n_draws, pseudo_sigma(tree["observed_data"]["y"].values))


def _check_prob(prob: float) -> float:
    return check_probability(prob, "prob")


def _check_k(k, p: int) -> int:
    k = check_int(k, "k", minimum=1)
    if k > p:
        raise ValueError(f"k must be between 1 and the number of features ({p}); got {k}.")
    return k


def _feature_index(names: Sequence[str], features) -> np.ndarray:
    if isinstance(features, str):
        features = [features]
    features = [str(f) for f in features]
    if not features:
        raise ValueError("Give at least one feature name.")
    lookup = {name: j for j, name in enumerate(names)}
    unknown = [f for f in features if f not in lookup]
    if unknown:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise ValueError(f"Unknown feature names {unknown}; the fit has: {shown}.")
    return np.array([lookup[f] for f in features])


# --------------------------------------------------------------------- eps and ranks


def default_eps(fit) -> float:
    """Default relevance threshold of :func:`inclusion_summary`, on the working scale.

    Two standard errors of a standardized coefficient: ``2 sigma_hat / sqrt(n)``, with
    ``sigma_hat`` the posterior mean of ``sigma_std`` (noise sd in sd-of-y units). With
    unit-variance columns, ``sigma_hat / sqrt(n)`` is the sampling sd of a least-squares
    coefficient in an orthogonal design, so under a weakly shrinking prior (Laplace,
    ridge) ``pip > 0.5`` selects roughly the features whose |median| exceeds two standard
    errors. One standard error selected about a third of pure-noise features under those
    priors (a null estimate lands beyond 1 SE that often); the horseshoe shrinks noise far
    below either threshold. Logistic likelihood: the Fisher information of a unit-variance
    column at the base rate mu is ``n mu (1 - mu)``, giving pseudo-sigma / sqrt(n) with
    pseudo-sigma ``1 / sqrt(mu (1 - mu))``, the one that scales the horseshoe prior.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree

    Returns
    -------
    float
    """
    tree, _ = _datatree(fit)
    return float(_EPS_STANDARD_ERRORS * np.mean(_noise_draws(tree)) / np.sqrt(_n_obs(tree)))


def _resolve_eps(tree, eps) -> float:
    if eps is None:
        return default_eps(tree)
    return check_positive(eps, "eps", allow_zero=True)  # on the working scale


def _sizes(tree: xr.DataTree, by: str) -> np.ndarray:
    """The (draws, features) matrix whose absolute values are ranked (a view when it can)."""
    if by not in _RANK_BY:
        raise ValueError(f"by must be one of {_RANK_BY}; got {by!r}.")
    return _matrix(tree["posterior"]["beta_std" if by == "abs_standardized" else "beta"])


def _blocks(n_draws: int, p: int):
    """Slices of draws holding about ``_BLOCK_CELLS`` cells each: bounded temporaries."""
    step = max(1, _BLOCK_CELLS // max(p, 1))
    return (slice(i, i + step) for i in range(0, n_draws, step))


def _abs(values: np.ndarray) -> np.ndarray:
    """|values|, NaN as -1: ranked last, where an argsort of -|values| puts it."""
    out = np.abs(values)
    out[np.isnan(out)] = -1.0
    return out


def _rank_matrix(tree: xr.DataTree, by: str) -> np.ndarray:
    """Rank of each feature in each draw, 1 = largest, as int32 (draws, features).

    Ties (probability zero for continuous draws) go to the feature listed first.
    """
    values = _sizes(tree, by)
    n_draws, p = values.shape
    ranks = np.empty((n_draws, p), dtype=np.int32)
    positions = np.arange(1, p + 1, dtype=np.int32)
    for rows in _blocks(n_draws, p):
        order = np.argsort(-_abs(values[rows]), axis=1, kind="stable")
        block = ranks[rows]
        np.put_along_axis(block, order, np.broadcast_to(positions, order.shape), axis=1)
    return ranks


def _top_ranked(size: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The m largest of each row of ``size``, in rank order with ties to the lower
    index: (row, feature) index arrays of shape (rows, m). O(rows x p) time and memory."""
    rows, p = size.shape
    if m < p:  # the m-th largest value; the set is what beats it, then its earliest ties
        kth = -np.partition(-size, m - 1, axis=1)[:, m - 1 : m]
        chosen = size > kth
        ties = size == kth
        room = m - chosen.sum(axis=1, keepdims=True)
        chosen |= ties & (np.cumsum(ties, axis=1) <= room)
    else:
        chosen = np.ones((rows, p), dtype=bool)
    row, feature = np.nonzero(chosen)  # row-major: features ascending within a row
    row, feature = row.reshape(rows, m), feature.reshape(rows, m)
    order = np.argsort(-size[row, feature], axis=1, kind="stable")
    return row, np.take_along_axis(feature, order, axis=1)


def rank_distribution(
    fit, *, by: str = "abs_standardized", max_rank: int | None = None
) -> pd.DataFrame:
    """Posterior distribution of each feature's rank by coefficient size.

    In every draw the features are ranked by ``|beta_std|`` (1 = largest); the table gives
    the share of draws in which feature j has rank r.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
    by : {"abs_standardized", "abs"}
        Rank by |coefficient| on the working scale (default: comparable across features) or
        on the original scale (depends on the units of each column).
    max_rank : int, optional
        The columns for ranks 1..max_rank; default ``min(p, 50)``: a p x p table would have
        10 billion cells at p = 100,000. Memory is O(p x max_rank) beyond the draws.

    Returns
    -------
    pandas.DataFrame
        Index the feature names, columns the ranks 1..max_rank; rows sum to 1 when all
        ranks are kept (``max_rank = p``).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> b = np.array([[[3.0, -1.0, 2.0], [1.0, 2.0, -3.0]]])  # 1 chain, 2 draws, 3 features
    >>> post = xr.Dataset(
    ...     {v: (("chain", "draw", "feature"), b) for v in ("beta_std", "beta")},
    ...     coords={"feature": ["a", "b", "c"]},
    ... )
    >>> rank_distribution(xr.DataTree.from_dict({"posterior": post}))
         1    2    3
    a  0.5  0.0  0.5
    b  0.0  0.5  0.5
    c  0.5  0.5  0.0
    """
    tree, _ = _datatree(fit)
    names = _feature_names(tree)
    p = len(names)
    max_rank = min(p, _MAX_RANK) if max_rank is None else _check_k(max_rank, p)
    values = _sizes(tree, by)
    n_draws = values.shape[0]
    table = np.zeros((p, max_rank))  # the only p x max_rank array: counts, then shares
    rank0 = np.arange(max_rank)  # rank - 1 of each column of _top_ranked
    for rows in _blocks(n_draws, p):
        _, feature = _top_ranked(_abs(values[rows]), max_rank)
        np.add.at(table, (feature, rank0), 1.0)
    table /= n_draws
    return pd.DataFrame(table, index=names, columns=pd.RangeIndex(1, max_rank + 1), copy=False)


def top_k_probability(fit, k: int, *, by: str = "abs_standardized") -> pd.Series:
    """P(rank_j <= k): the probability that feature j is among the k largest.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
    k : int
        1 <= k <= p.
    by : {"abs_standardized", "abs"}
        As :func:`rank_distribution`.

    Returns
    -------
    pandas.Series
        Indexed by feature name, in the fit's order; sums to k.
    """
    tree, _ = _datatree(fit)
    names = _feature_names(tree)
    k = _check_k(k, len(names))
    values = _sizes(tree, by)
    counts = np.zeros(len(names), dtype=np.int64)
    for rows in _blocks(values.shape[0], len(names)):
        _, feature = _top_ranked(_abs(values[rows]), k)
        counts += np.bincount(feature.ravel(), minlength=len(names))
    return pd.Series(counts / values.shape[0], index=names, name=f"p_top_{k}")


def joint_inclusion(fit, features, *, eps: float | None = None, how: str = "any") -> float:
    """Probability that at least one (``how="any"``) or all (``"all"``) of ``features``
    are relevant, i.e. have ``|beta_std| > eps``.

    For two nearly collinear columns of which one matters, each marginal inclusion
    probability can be well below 1 (the posterior splits the effect between them) while
    P(at least one) is close to 1: the data say "one of these", not which.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
    features : str or sequence of str
        Feature names.
    eps : float, optional
        Threshold on the working scale; default :func:`default_eps`.
    how : {"any", "all"}

    Returns
    -------
    float
    """
    if how not in ("any", "all"):
        raise ValueError(f"how must be 'any' or 'all'; got {how!r}.")
    tree, _ = _datatree(fit)
    idx = _feature_index(_feature_names(tree), features)
    eps = _resolve_eps(tree, eps)
    beta = tree["posterior"]["beta_std"].isel(feature=idx)
    relevant = np.abs(_matrix(beta)) > eps
    return float((relevant.any(axis=1) if how == "any" else relevant.all(axis=1)).mean())


# --------------------------------------------------------------------- shrinkage


def shrinkage_factors(fit) -> xr.DataArray:
    """Draws of the horseshoe shrinkage factors kappa_j, dims (chain, draw, feature).

    In this package's parameterization ``beta_std_j ~ N(0, tau^2 local_j^2)`` with ``tau``
    already on the noise scale and unit-variance columns, the posterior mean of beta_j in
    an orthogonal design is ``(1 - kappa_j)`` times the least-squares estimate, with

        kappa_j = 1 / (1 + n tau^2 local_j^2 / sigma^2)

    (Carvalho, Polson & Scott 2010; Piironen & Vehtari 2017). For the regularized horseshoe
    ``local_j`` is replaced by ``local~_j = c local_j / sqrt(c^2 + tau^2 local_j^2)``.
    ``sigma`` is ``sigma_std`` (Gaussian) or the pseudo-sigma (logistic). kappa near 0: not
    shrunk (signal); near 1: shrunk to zero (noise).

    Raises
    ------
    ValueError
        The posterior has no ``tau`` and ``local`` (not a horseshoe-family prior).
    """
    tree, _ = _datatree(fit)
    post = tree["posterior"]
    kappa = _kappa_matrix(tree).reshape(post.sizes["chain"], post.sizes["draw"], -1)
    return xr.DataArray(
        kappa, dims=(*_SAMPLE_DIMS, "feature"), coords={"feature": post["feature"].values}
    ).rename("kappa")


def _kappa_matrix(tree: xr.DataTree) -> np.ndarray:
    """kappa as a (draws, features) array, computed in place (one p x S temporary)."""
    post = tree["posterior"]
    if "tau" not in post.data_vars or "local" not in post.data_vars:
        raise ValueError(
            "Shrinkage factors need the horseshoe scales 'tau' and 'local' in the posterior; "
            "this fit has another prior."
        )
    tau2 = _matrix(post["tau"])[:, None] ** 2
    x = _matrix(post["local"]) ** 2  # a new array: the DataTree's draws are never modified
    if "c" in post.data_vars:  # regularized: local~^2 = c^2 local^2 / (c^2 + tau^2 local^2)
        c2 = _matrix(post["c"])[:, None] ** 2
        x *= c2 / (c2 + tau2 * x)
    x *= tau2 * (_n_obs(tree) / _noise_draws(tree)[:, None] ** 2)
    x += 1.0
    np.reciprocal(x, out=x)
    return x


def effective_nonzeros(fit) -> xr.DataArray:
    """Draws of m_eff = sum_j (1 - kappa_j), the effective number of non-zero coefficients
    under a horseshoe-family prior (Piironen & Vehtari 2017), dims (chain, draw).

    See :func:`shrinkage_factors` for kappa.
    """
    return (1.0 - shrinkage_factors(fit)).sum("feature").rename("m_eff")


# --------------------------------------------------------------------- lasso columns


def _lasso_columns(tree, est, X, y, alpha, random_state) -> tuple[pd.DataFrame, dict] | None:
    """map_coef, lasso_selected and lasso_entry_rank at the alpha matching the fit."""
    likelihood = "gaussian" if _is_gaussian(tree) else "logistic"
    l1_ratio = 1.0
    source = "given" if alpha is not None else "cv"
    names = _feature_names(tree)
    if X is None:
        if est is None or not hasattr(est, "model_data_"):
            return None  # a DataTree (or an estimator restored from one) has no design matrix
        data = est.model_data_
        X = data.X
        y = data.y
        if alpha is None and getattr(est, "map_", None) is not None and est.map_.l1_ratio > 0:
            alpha, l1_ratio = float(est.map_.alpha), float(est.map_.l1_ratio)
            source = "fit.map_"
    elif y is None:
        raise ValueError("Pass y together with X.")
    else:
        X = _fit_data(tree, X, y, names)
    # The squared-error solver squares y: solve in units of y's spread (a power of two, so
    # exact), in which any y a fit accepts can be squared; alpha and coefficients scale back.
    unit = 1.0
    if likelihood == "gaussian":
        y = np.asarray(y, dtype=float)
        unit = working_target(y, "gaussian", True)[1]
        y = y / unit
    with constant_columns_reported():  # the fit warned about them once, by name
        if alpha is None:
            cv = lasso_map_cv(X, y, likelihood=likelihood, random_state=random_state)
            alpha = cv.alpha * unit
        alpha = check_positive(alpha, "alpha")
        top = lasso_map_path(X, y, alphas=[alpha / unit], l1_ratio=l1_ratio, likelihood=likelihood)
        grid = alpha_grid(top.alpha_max, 100)
        grid = np.append(grid[grid > alpha / unit], alpha / unit)
        path = lasso_map_path(
            X, y, alphas=grid, l1_ratio=l1_ratio, likelihood=likelihood, tol=1e-10, max_iter=1000
        )
    coef = path.coefs[:, -1] * unit + 0.0  # no -0.0
    position = pd.Series(np.arange(len(names)), index=list(path.feature_names))
    order = position[list(path.entry_order)].to_numpy()
    entry = pd.array(np.full(len(names), pd.NA), dtype="Int64")
    entry[order] = np.arange(1, order.size + 1)
    frame = pd.DataFrame(
        {"map_coef": coef, "lasso_selected": coef != 0, "lasso_entry_rank": entry}, index=names
    )
    return frame, {"alpha": alpha, "l1_ratio": l1_ratio, "alpha_source": source}


def _standardized(A: np.ndarray) -> np.ndarray:
    """Columns of A as z-scores, computed as a fit computes them: in any units (nothing is
    squared), constant columns 0."""
    names = tuple(str(j) for j in range(A.shape[1]))
    return Design.fit_transform(A, names, warn=False)[1]


def _same_design(tree: xr.DataTree, Xa: np.ndarray) -> bool:
    """Whether X standardizes to the working design in ``constant_data`` (True when the tree
    has none); constant columns, all 0 there, are skipped."""
    const = tree["constant_data"] if "constant_data" in tree.children else None
    if const is None or "X" not in const.data_vars or set(const["X"].dims) != {"obs", "feature"}:
        return True
    Z = const["X"].transpose("obs", "feature").to_numpy()
    check_rows(Xa.shape[0], Z.shape[0])
    used = np.abs(Z).max(axis=0) > 0
    return bool(np.allclose(_standardized(Xa)[:, used], Z[:, used], rtol=0.0, atol=1e-8))


def _fit_data(tree: xr.DataTree, X, y, names: list[str]):
    """X with its columns in the fit's order (by name for a DataFrame), checked to be the
    fit's own data: as many columns and rows, its columns' z-scores equal to the working
    design and y to the observed y, where the tree holds them."""
    X = align_columns(X, names)
    Xa, _ = check_X(X)
    if Xa.shape[1] != len(names):
        raise ValueError(f"X has {Xa.shape[1]} columns; the fit has {len(names)}.")
    if not _same_design(tree, Xa):
        raise ValueError("X differs from the design of the fit: pass the data it used.")
    obs = tree["observed_data"] if "observed_data" in tree.children else None
    if obs is None or "y" not in obs.data_vars:
        return X
    observed = obs["y"].to_numpy()
    check_rows(Xa.shape[0], observed.shape[0])
    if _is_gaussian(tree):  # z-scores: the tree may hold y on the original or working scale
        ya = check_y(y, Xa.shape[0])[0]
        same = np.allclose(_standardized(ya[:, None]), _standardized(observed[:, None]), atol=1e-8)
    elif "bayes_l1_classes" in tree.attrs:  # 0/1 coded as in fit: classes[1] is 1
        positive = json.loads(tree.attrs["bayes_l1_classes"])[1]
        same = np.array_equal(check_labels(y, Xa.shape[0]) == positive, observed == 1)
    else:
        same = True  # labels whose coding is unknown: the row count is all we can check
    if not same:
        raise ValueError("y differs from the observed y of the fit: pass the data it used.")
    return X


# --------------------------------------------------------------------- the summary


def _hdi_sorted(sorted_draws: np.ndarray, prob: float) -> tuple[np.ndarray, np.ndarray]:
    """Shortest interval holding floor(prob * S) + 1 sorted draws, per column (as
    ``arviz_stats.hdi(method="nearest")``)."""
    n = sorted_draws.shape[0]
    inc = min(int(np.floor(prob * n)), n - 1)
    widths = sorted_draws[inc:] - sorted_draws[: n - inc]
    start = np.argmin(widths, axis=0)
    cols = np.arange(sorted_draws.shape[1])
    return sorted_draws[start, cols], sorted_draws[start + inc, cols]


def _rank_quantiles(ranks: np.ndarray, prob: float):
    """Per-feature lower, median and upper rank from one partition of (features, draws):
    the ``prob`` interval's ends as ``np.quantile(method="lower"/"higher")``, the median as
    ``np.median``."""
    n = ranks.shape[0]
    q = (1.0 - prob) / 2.0
    lo, hi = int(np.floor(q * (n - 1))), int(np.ceil((1.0 - q) * (n - 1)))
    mids = (n // 2,) if n % 2 else (n // 2 - 1, n // 2)
    kth = sorted({lo, hi, *mids})
    part = np.partition(np.ascontiguousarray(ranks.T), kth, axis=1)
    median = part[:, list(mids)].mean(axis=1)
    return part[:, lo].astype(float), median, part[:, hi].astype(float)


def inclusion_summary(
    fit,
    *,
    eps: float | None = None,
    prob: float = 0.9,
    k: int | None = None,
    threshold: float = 0.5,
    lasso: bool = True,
    X=None,
    y=None,
    alpha: float | None = None,
    random_state=0,
) -> pd.DataFrame:
    """Which features matter, and how sure is the posterior? One row per feature.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
        A DataTree alone has no design matrix: the lasso columns then need ``X`` and ``y``
        (else they are left out).
    eps : float, optional
        Relevance threshold on the **working scale** (|coefficient| in sd of y per sd of
        x_j; logistic: log-odds per sd of x_j): ``pip = P(|beta_std_j| > eps | data)``.
        Default two standard errors of a standardized coefficient, ``2 sigma_hat /
        sqrt(n)`` (logistic: 2 pseudo-sigma / sqrt(n)); see :func:`default_eps`. >= 0.
    prob : float, default 0.9
        Mass of the highest-density intervals and of the rank intervals.
    k : int, optional
        ``p_top_k = P(rank_j <= k)``. Default: the number of ``selected`` features (at least
        1), i.e. how sure the posterior is that each belongs to the top of that size.
    threshold : float, default 0.5
        Decision rule: ``selected = pip > threshold``, in [0, 1]. The default is the
        median probability model (Barbieri & Berger 2004), optimal for prediction under
        squared loss in orthogonal designs.
    lasso : bool, default True
        Add ``map_coef``, ``lasso_selected`` and ``lasso_entry_rank``.
    X, y : array-like, optional
        The data the fit used (only needed for a bare DataTree). A DataFrame's columns are
        matched to the fit's features by name; the rows and y must be the fit's (checked
        against the tree's observed data).
    alpha : float, optional
        Penalty (scikit-learn scaling, original y) for the lasso columns. Default: the
        fit's matching MAP penalty (``fit.map_.alpha``, the lasso equivalent of a Laplace
        prior with fixed lam or of an elastic-net prior) when it has one, else the
        cross-validated lasso alpha (``lasso_map_cv``, minimum rule, folds from
        ``random_state``).
    random_state : int, default 0
        Seed of the CV folds when the CV alpha is used.

    Returns
    -------
    pandas.DataFrame
        Index the feature names, sorted by relevance (pip, then median rank). Columns:

        - ``mean, median, sd, hdi_lower, hdi_upper``: posterior of ``beta`` (original scale);
        - ``mean_std``: posterior mean of ``beta_std`` (working scale);
        - ``pip``: P(|beta_std| > eps); ``p_sign``: P(sign(w) = sign(median w)), i.e.
          max(P(w > 0), P(w < 0));
        - ``ci_excludes_zero``: the HDI excludes 0; ``selected``: pip > threshold;
        - ``kappa``: posterior mean shrinkage factor (horseshoe family, else NaN; see
          :func:`shrinkage_factors`);
        - ``rank_median, rank_lower, rank_upper``: rank by |beta_std| (1 = largest), its
          median and central ``prob`` interval; ``p_top_k``: P(rank <= k);
        - ``map_coef, lasso_selected, lasso_entry_rank``: the MAP / lasso solution at the
          matching alpha and the order in which features enter the path from alpha_max
          down to it (NA: not entered).

        ``attrs`` holds ``eps``, ``prob``, ``k``, ``threshold``, ``m_eff`` (posterior mean,
        sd and HDI of the effective number of non-zeros, horseshoe family; else None) and
        ``lasso`` (alpha, l1_ratio, and where alpha came from).

    Raises
    ------
    ValueError
        Unfitted estimator or no posterior draws; eps < 0; k outside 1..p; prob outside
        (0, 1); threshold outside [0, 1]; X or y not the data of the fit.
    TypeError
        An option of the wrong type (e.g. a string for a number, a number for ``lasso``).

    Notes
    -----
    Cost: a sort and an argsort of the (draws x features) matrix; about 7 s for 4 x 1000
    draws of 5000 features on two shared cores. The lasso columns add a MAP path (a few
    seconds at p = 5000) and, without a matching MAP alpha, a 5-fold CV path (~25 s there);
    pass ``alpha`` or ``lasso=False`` to skip it.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> b = rng.normal([2.0, 0.0, 0.05], 0.1, size=(2, 200, 3))
    >>> post = xr.Dataset(
    ...     {v: (("chain", "draw", "feature"), b) for v in ("beta_std", "beta")},
    ...     coords={"feature": ["a", "b", "c"]},
    ... )
    >>> tree = xr.DataTree.from_dict({"posterior": post})
    >>> table = inclusion_summary(tree, eps=0.2)
    >>> list(table.index), table["selected"].tolist(), table["rank_median"].tolist()
    (['a', 'c', 'b'], [True, False, False], [1.0, 2.0, 3.0])
    """
    tree, est = _datatree(fit)
    prob = _check_prob(prob)
    threshold = check_probability(threshold, "threshold", inclusive=True)
    lasso = check_bool(lasso, "lasso")
    alpha = None if alpha is None else check_positive(alpha, "alpha")
    eps = _resolve_eps(tree, eps)
    post = tree["posterior"]
    names = _feature_names(tree)
    p = len(names)

    work = _matrix(post["beta_std"])
    pip = (np.abs(work) > eps).mean(axis=0)
    p_sign = np.maximum((work > 0).mean(axis=0), (work < 0).mean(axis=0))
    mean_std = work.mean(axis=0)
    del work

    beta = np.sort(_matrix(post["beta"]), axis=0)
    n_draws = beta.shape[0]
    mid = n_draws // 2
    median = beta[mid] if n_draws % 2 else 0.5 * (beta[mid - 1] + beta[mid])
    lower, upper = _hdi_sorted(beta, prob)
    mean, sd = beta.mean(axis=0), beta.std(axis=0, ddof=1) if n_draws > 1 else np.zeros(p)
    del beta

    selected = pip > threshold
    k = max(int(selected.sum()), 1) if k is None else _check_k(k, p)
    ranks = _rank_matrix(tree, "abs_standardized")
    p_top_k = (ranks <= k).mean(axis=0)
    rank_lower, rank_median, rank_upper = _rank_quantiles(ranks, prob)
    del ranks

    m_eff = None
    kappa = np.full(p, np.nan)
    if "tau" in post.data_vars and "local" in post.data_vars:
        kappa_draws = _kappa_matrix(tree)
        kappa = kappa_draws.mean(axis=0)
        m = p - kappa_draws.sum(axis=1)
        del kappa_draws
        lo, hi = _hdi_sorted(np.sort(m)[:, None], prob)
        m_eff = {"mean": float(m.mean()), "sd": float(m.std()), "hdi": (float(lo[0]), float(hi[0]))}

    table = pd.DataFrame(
        {
            "mean": mean,
            "median": median,
            "sd": sd,
            "hdi_lower": lower,
            "hdi_upper": upper,
            "mean_std": mean_std,
            "pip": pip,
            "p_sign": p_sign,
            "ci_excludes_zero": (lower > 0) | (upper < 0),
            "selected": selected,
            "kappa": kappa,
            "rank_median": rank_median,
            "rank_lower": rank_lower,
            "rank_upper": rank_upper,
            "p_top_k": p_top_k,
        },
        index=pd.Index(names, name="feature"),
    )
    lasso_info = None
    if lasso:
        found = _lasso_columns(tree, est, X, y, alpha, random_state)
        if found is not None:
            columns, lasso_info = found
            table = table.join(columns)
    order = np.lexsort((np.arange(p), rank_median, -pip))
    table = table.iloc[order]
    table.attrs.update(
        eps=eps,
        eps_scale="working (standardized X; standardized y for the Gaussian likelihood)",
        prob=prob,
        k=k,
        threshold=threshold,
        m_eff=m_eff,
        lasso=lasso_info,
    )
    return table


# --------------------------------------------------------------------- diagnostics


def diagnose(fit, **kwargs) -> Diagnostics:
    """Convergence report: R-hat, bulk/tail ESS and MCSE per parameter, divergences,
    tree-depth hits and E-BFMI per chain, a verdict and advice.

    A fitted estimator returns its ``diagnostics_`` (computed on fit) unless keyword
    arguments ask for other settings; a DataTree is checked with
    :func:`bayes_l1.check_sampling` on the reported parameters and the prior's scales
    (``beta, intercept, sigma, lam, tau, local, c, ridge_scale``: those present and not
    constant).

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
    **kwargs
        Passed to :func:`bayes_l1.check_sampling` (``var_names``, ``rhat_max``,
        ``ess_min_per_chain``, ``bfmi_min``, ``warn``, ...).

    Returns
    -------
    Diagnostics
    """
    tree, est = _datatree(fit)
    if est is not None and getattr(est, "diagnostics_", None) is not None and not kwargs:
        return est.diagnostics_
    post = tree["posterior"]
    if "var_names" not in kwargs:
        kwargs["var_names"] = reported_variables(post)
    if getattr(est, "prior_", None) is not None and "prior_name" not in kwargs:
        kwargs["prior_name"] = type(est.prior_).__name__
    return check_sampling(tree, **kwargs)
