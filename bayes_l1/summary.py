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

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_l1._validation import (
    check_int,
    check_positive,
    check_probability,
    preview,
    warn_caller,
)
from bayes_l1.bma import BMAResult, StandardizedDesign, resolve_g
from bayes_l1.diagnostics import Diagnostics, check_sampling, reported_variables
from bayes_l1.fitted import as_tree, attr, feature_names, fit_data, is_gaussian, matrix, n_obs
from bayes_l1.priors import prior_from_repr, pseudo_sigma

__all__ = [
    "bayesian_fdr_selection",
    "default_eps",
    "diagnose",
    "effective_nonzeros",
    "inclusion_summary",
    "joint_inclusion",
    "model_posterior",
    "rank_distribution",
    "shrinkage_factors",
    "top_k_probability",
]

_SAMPLE_DIMS = ("chain", "draw")
_EPS_STANDARD_ERRORS = 2.0  # default eps, in standard errors of a standardized coefficient
_RANK_BY = ("abs_standardized", "abs")
_MAX_RANK = 50  # default columns of rank_distribution: p x 50 cells, never p x p
_BLOCK_CELLS = 2**22  # draws x features per block of the computations (32 MB float64)
_RANK_CELLS = 2**19  # per block of the rankings, whose temporaries take ~60 bytes a cell


# --------------------------------------------------------------------- inputs


def _noise_draws(tree: xr.DataTree) -> np.ndarray:
    """Noise sd on the working scale per draw: sigma_std, or the logistic pseudo-sigma
    1 / sqrt(mu (1 - mu)) with mu the observed event rate (Piironen & Vehtari 2017)."""
    post = tree["posterior"]
    if is_gaussian(tree):
        return matrix(post["sigma_std"])
    if "observed_data" not in tree.children or "y" not in tree["observed_data"].data_vars:
        raise ValueError("The logistic pseudo-sigma needs observed_data['y'].")
    n_draws = post.sizes["chain"] * post.sizes["draw"]
    return np.full(n_draws, pseudo_sigma(tree["observed_data"]["y"].values))


def _check_prob(prob: float) -> float:
    return check_probability(prob, "prob")


def _check_k(k, p: int, name: str = "k") -> int:
    k = check_int(k, name, minimum=1)
    if k > p:
        raise ValueError(f"{name} must be between 1 and the number of features ({p}); got {k}.")
    return k


def _feature_index(names: Sequence[str], features) -> np.ndarray:
    if isinstance(features, str) or np.ndim(features) == 0:  # one name (0 for int columns)
        features = [features]
    features = [str(f) for f in features]
    if not features:
        raise ValueError("Give at least one feature name.")
    lookup = {name: j for j, name in enumerate(names)}
    unknown = [f for f in features if f not in lookup]
    if unknown:
        raise ValueError(
            f"Unknown feature names [{preview(unknown)}]; the fit has: {preview(names, 10)}."
        )
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
    tree = as_tree(fit)
    return float(_EPS_STANDARD_ERRORS * np.mean(_noise_draws(tree)) / np.sqrt(n_obs(tree)))


def _resolve_eps(tree, eps) -> float:
    if eps is None:
        return default_eps(tree)
    eps = check_positive(eps, "eps", allow_zero=True)  # on the working scale
    if "gamma" in tree["posterior"].data_vars:
        warn_caller(
            "eps plays no role for a spike-and-slab fit: relevance is being in the model, "
            "gamma_j = 1, and pip is P(gamma_j = 1 | y). Leave eps out."
        )
    return eps


def _sizes(tree: xr.DataTree, by: str) -> np.ndarray:
    """The (draws, features) matrix whose absolute values are ranked (a view when it can)."""
    if by not in _RANK_BY:
        raise ValueError(f"by must be one of {_RANK_BY}; got {by!r}.")
    return matrix(tree["posterior"]["beta_std" if by == "abs_standardized" else "beta"])


def _blocks(n_draws: int, p: int, cells: int = _BLOCK_CELLS):
    """Slices of draws holding about ``cells`` cells each: bounded temporaries."""
    step = max(1, cells // max(p, 1))
    return (slice(i, i + step) for i in range(0, n_draws, step))


def _abs(values: np.ndarray) -> np.ndarray:
    """|values|, NaN as -1: ranked last, where an argsort of -|values| puts it."""
    out = np.abs(values)
    out[np.isnan(out)] = -1.0
    return out


def _tie_groups(size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of each row of ``size``: the first rank of its group of equal values
    (1 = largest) and the group's size, both (rows, p) int32. Equal sizes share their ranks
    (the draws of a spike-and-slab fit are exactly 0 outside the model), so nothing depends
    on the order of the features."""
    rows, p = size.shape
    order = np.argsort(-size, axis=1, kind="stable")
    ordered = np.take_along_axis(size, order, axis=1)
    position = np.broadcast_to(np.arange(p, dtype=np.int32), (rows, p))
    starts = np.ones((rows, p), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = np.ones((rows, p), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, position, p - 1)[:, ::-1], axis=1)[:, ::-1]
    first_rank, count = np.empty((rows, p), np.int32), np.empty((rows, p), np.int32)
    np.put_along_axis(first_rank, order, first + 1, axis=1)
    np.put_along_axis(count, order, last - first + 1, axis=1)
    return first_rank, count


def _rank_matrix(tree: xr.DataTree, by: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each feature in each draw, 1 = largest, as float32 (draws, features), tied
    features sharing the mean of their ranks (exact in float32 up to p = 2^23); and
    P(rank <= k) per feature, ties sharing as in :func:`top_k_probability`."""
    values = _sizes(tree, by)
    n_draws, p = values.shape
    ranks = np.empty((n_draws, p), dtype=np.float32)
    in_top = np.zeros(p)
    for rows in _blocks(n_draws, p, _RANK_CELLS):
        first, count = _tie_groups(_abs(values[rows]))
        ranks[rows] = first + (count - 1) / 2.0
        in_top += _share_in_top(first, count, k).sum(axis=0)
    return ranks, in_top / n_draws


def _share_in_top(first: np.ndarray, count: np.ndarray, k: int) -> np.ndarray:
    """The share of the first k ranks each entry holds: 1 or 0, or for a group of ties that
    straddles rank k, the part of the group inside it spread evenly over its members."""
    return np.clip((k - first + 1) / count, 0.0, 1.0)


def _top_groups(size: np.ndarray, m: int):
    """The entries of each row of ``size`` that hold any of ranks 1..m: (feature, first,
    count) as in :func:`_tie_groups`, flattened over the rows. Only they are sorted (the m-th
    largest value by a partition, O(p) a row), so the cost is that of a full ranking only
    when a tie at the cut spans most of the row (the zeros of a sparse fit)."""
    rows, p = size.shape
    kth = -np.partition(-size, m - 1, axis=1)[:, m - 1 : m] if m < p else -np.inf
    row, feature = np.nonzero(size >= kth)  # every value above the cut, and its ties
    held = np.bincount(row, minlength=rows)
    column = np.arange(row.size) - np.repeat(np.cumsum(held) - held, held)
    top = np.full((rows, held.max()), -np.inf)  # the padding ranks after every value
    top[row, column] = size[row, feature]
    first, count = _tie_groups(top)
    return feature, first[row, column], count[row, column]


def rank_distribution(
    fit, *, by: str = "abs_standardized", max_rank: int | None = None
) -> pd.DataFrame:
    """Posterior distribution of each feature's rank by coefficient size.

    In every draw the features are ranked by ``|beta_std|`` (1 = largest); the table gives
    the share of draws in which feature j has rank r. Features of equal size in a draw (the
    exact zeros of a spike-and-slab fit, constant columns) share their ranks: t of them
    from rank r each hold 1 / t of ranks r .. r + t - 1, whatever the column order.

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
    tree = as_tree(fit)
    names = feature_names(tree)
    p = len(names)
    max_rank = min(p, _MAX_RANK) if max_rank is None else _check_k(max_rank, p, "max_rank")
    values = _sizes(tree, by)
    n_draws = values.shape[0]
    # a group of t ties from rank r gives each member 1 / t of ranks r .. r + t - 1: added
    # as steps (+1 / t at r, -1 / t after the group) and summed along the ranks at the end
    width = max_rank + 1
    steps = np.zeros(p * width)  # the only p x max_rank array
    for rows in _blocks(n_draws, p, _RANK_CELLS):
        feature, first, count = _top_groups(_abs(values[rows]), max_rank)
        at, share = feature * width, 1.0 / count
        steps += np.bincount(at + first - 1, share, minlength=steps.size)
        steps -= np.bincount(at + np.minimum(first - 1 + count, max_rank), share, steps.size)
    table = np.cumsum(steps.reshape(p, width)[:, :max_rank], axis=1) / n_draws
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
        Indexed by feature name, in the fit's order; sums to k. Ties share the ranks (see
        :func:`rank_distribution`): t tied features of which s fit in the top k hold s / t.
    """
    tree = as_tree(fit)
    names = feature_names(tree)
    k = _check_k(k, len(names))
    values = _sizes(tree, by)
    counts = np.zeros(len(names))
    for rows in _blocks(values.shape[0], len(names), _RANK_CELLS):
        feature, first, count = _top_groups(_abs(values[rows]), k)
        counts += np.bincount(feature, _share_in_top(first, count, k), len(names))
    return pd.Series(counts / values.shape[0], index=names, name=f"p_top_{k}")


def joint_inclusion(fit, features, *, eps: float | None = None, how: str = "any") -> float:
    """Probability that at least one (``how="any"``) or all (``"all"``) of ``features``
    are relevant, i.e. have ``|beta_std| > eps`` (for a spike-and-slab fit: are in the
    model, gamma_j = 1; eps plays no role).

    From the draws; for a spike-and-slab fit by enumeration, exact from the model
    probabilities (as its pips in :func:`inclusion_summary`).

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
    tree = as_tree(fit)
    idx = _feature_index(feature_names(tree), features)
    eps = _resolve_eps(tree, eps)
    post = tree["posterior"]
    weights = None  # equal weights: one per draw
    if _EXACT_PIPS in post.attrs and "model_posterior" in tree.children:
        # every model down to a total probability of 1e-12 (exact enumeration)
        table = tree["model_posterior"]
        relevant = table["gamma"].reindex(feature=post["feature"]).isel(feature=idx)
        relevant = relevant.transpose("model", "feature").fillna(0).to_numpy() > 0
        weights = table["prob"].to_numpy()
    elif "gamma" in post.data_vars:
        relevant = matrix(post["gamma"].isel(feature=idx)) > 0
    else:
        relevant = np.abs(matrix(post["beta_std"].isel(feature=idx))) > eps
    hit = relevant.any(axis=1) if how == "any" else relevant.all(axis=1)
    return float(np.clip(np.average(hit, weights=weights), 0.0, 1.0))


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
    tree = as_tree(fit)
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
    tau2 = matrix(post["tau"])[:, None] ** 2
    x = matrix(post["local"]) ** 2  # a new array: the DataTree's draws are never modified
    if "c" in post.data_vars:  # regularized: local~^2 = c^2 local^2 / (c^2 + tau^2 local^2)
        c2 = matrix(post["c"])[:, None] ** 2
        x *= c2 / (c2 + tau2 * x)
    x *= tau2 * (n_obs(tree) / _noise_draws(tree)[:, None] ** 2)
    x += 1.0
    np.reciprocal(x, out=x)
    return x


def effective_nonzeros(fit) -> xr.DataArray:
    """Draws of m_eff = sum_j (1 - kappa_j), the effective number of non-zero coefficients
    under a horseshoe-family prior (Piironen & Vehtari 2017), dims (chain, draw).

    See :func:`shrinkage_factors` for kappa.
    """
    return (1.0 - shrinkage_factors(fit)).sum("feature").rename("m_eff")


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


def bayesian_fdr_selection(pip, fdr: float = 0.1) -> tuple[np.ndarray, float]:
    """The Bayesian false-discovery-rate rule (Newton et al. 2004; Mueller et al. 2006).

    Select the features with the highest pips, as many as possible while the mean of
    1 - pip over those selected (the posterior expected proportion of false discoveries)
    stays at most ``fdr``. The cut falls only between distinct pip values, so the set is
    ``pip > threshold``; features with pip 0 are never selected.

    Parameters
    ----------
    pip : array-like of float in [0, 1]
    fdr : float, default 0.1
        In (0, 1).

    Returns
    -------
    selected : numpy.ndarray of bool
    threshold : float
        The cutoff: ``selected == (pip > threshold)``.

    Examples
    --------
    >>> selected, cutoff = bayesian_fdr_selection([0.99, 0.95, 0.9, 0.6, 0.1], fdr=0.1)
    >>> selected.tolist(), cutoff
    ([True, True, True, False, False], 0.6)
    """
    pip = np.asarray(pip, dtype=float)
    if pip.ndim != 1 or not np.all((pip >= 0) & (pip <= 1)):  # NaN fails too
        raise ValueError("pip must be a 1-d array of probabilities in [0, 1] (no NaN).")
    fdr = check_probability(fdr, "fdr")
    s = np.sort(pip)[::-1]
    mean_error = np.cumsum(1.0 - s) / np.arange(1, s.size + 1)
    below = np.append(s[1:], 0.0)  # the next pip: the cutoff if the set ends here
    ok = (mean_error <= fdr) & (s > below)  # a cut between distinct values, above pip 0
    k = int(np.flatnonzero(ok)[-1]) + 1 if ok.any() else 0
    threshold = float(below[k - 1]) if k else float(s[0]) if s.size else 1.0
    return pip > threshold, threshold


# Enumeration's exact inclusion probabilities. MC3's renormalized ones (attrs
# "pip_renormalized", as BAS's) are not used: the models a chain has not visited, many of
# them larger, count as probability 0, which biases them low (ISLP Hitters, p = 19, 4 x 5000
# draws: 18 of 19 below the exact value, by up to 0.012); the mean of gamma is unbiased.
_EXACT_PIPS = "pip_exact"


def _relevance(tree: xr.DataTree, eps: float):
    """pip, sign probability and mean of beta_std per feature, and what pip means. Where the
    posterior has model indicators ``gamma`` (spike-and-slab): P(gamma_j = 1 | y), exact
    when enumeration recorded it, else the mean of gamma over the draws (MC3). Otherwise
    P(|beta_std| > eps)."""
    post = tree["posterior"]
    work = matrix(post["beta_std"])
    p_sign = np.maximum((work > 0).mean(axis=0), (work < 0).mean(axis=0))
    if "gamma" in post.data_vars:
        pip = matrix(post["gamma"]).mean(axis=0)
        how = "the mean of the model indicators gamma over the draws"
        if len(post.attrs.get(_EXACT_PIPS, ())) == pip.size:
            pip = np.clip(np.asarray(post.attrs[_EXACT_PIPS], dtype=float), 0.0, 1.0)  # rounding
            how = "exact, from the probabilities of all 2^p models"
        meaning = f"P(gamma_j = 1 | y), averaged over models ({how}; eps plays no role)"
    else:
        pip, meaning = (np.abs(work) > eps).mean(axis=0), "P(|beta_std_j| > eps | y)"
    return pip, p_sign, work.mean(axis=0), meaning


def _selection(pip: np.ndarray, fdr: float, threshold: float | None) -> tuple[np.ndarray, dict]:
    """The decision and its description: the Bayesian FDR rule, or ``pip > threshold``."""
    rule = "bayesian_fdr" if threshold is None else "threshold"
    if threshold is None:
        selected, threshold = bayesian_fdr_selection(pip, fdr)
    else:
        selected = pip > threshold
    expected = float(np.mean(1.0 - pip[selected])) if selected.any() else 0.0
    return selected, {
        "selection": rule,
        "fdr": fdr if rule == "bayesian_fdr" else None,
        "threshold": threshold,
        "expected_fdr": expected,
    }


def _locations(beta: np.ndarray, prob: float):
    """Mean, median, sd and ``prob`` HDI per column of a (draws, features) matrix, from one
    sort."""
    beta = np.sort(beta, axis=0)
    n_draws, mid = beta.shape[0], beta.shape[0] // 2
    median = beta[mid] if n_draws % 2 else 0.5 * (beta[mid - 1] + beta[mid])
    lower, upper = _hdi_sorted(beta, prob)
    sd = beta.std(axis=0, ddof=1) if n_draws > 1 else np.zeros(beta.shape[1])
    return beta.mean(axis=0), median, sd, lower, upper


def _shrinkage(tree: xr.DataTree, prob: float) -> tuple[np.ndarray, dict | None]:
    """Posterior mean kappa per feature and the summary of m_eff (horseshoe family; else
    NaN and None)."""
    post = tree["posterior"]
    p = post.sizes["feature"]
    if "tau" not in post.data_vars or "local" not in post.data_vars:
        return np.full(p, np.nan), None
    kappa_draws = _kappa_matrix(tree)
    m = p - kappa_draws.sum(axis=1)
    lo, hi = _hdi_sorted(np.sort(m)[:, None], prob)
    m_eff = {"mean": float(m.mean()), "sd": float(m.std()), "hdi": (float(lo[0]), float(hi[0]))}
    return kappa_draws.mean(axis=0), m_eff


def inclusion_summary(
    fit,
    *,
    eps: float | None = None,
    prob: float = 0.9,
    k: int | None = None,
    fdr: float = 0.1,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Which features matter, and how sure is the posterior? One row per feature.

    Parameters
    ----------
    fit : xarray.DataTree from :func:`~bayes_l1.fit_posterior`, or a fitted estimator
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
    fdr : float, default 0.1
        The decision rule's error rate: ``selected`` is the largest set of features with the
        highest pips whose posterior expected false discovery proportion, the mean of
        1 - pip over the set, is at most ``fdr`` (:func:`bayesian_fdr_selection`), in (0, 1).
        A false discovery is a selected feature with |beta_std_j| <= eps (continuous priors)
        or gamma_j = 0, an exactly zero coefficient (spike-and-slab).
    threshold : float, optional
        Instead, ``selected = pip > threshold`` (in [0, 1]); 0.5 is the median probability
        model (Barbieri & Berger 2004), which states no error rate.

    Returns
    -------
    pandas.DataFrame
        Index the feature names, sorted by relevance (pip, then median rank). Columns:

        - ``mean, median, sd, hdi_lower, hdi_upper``: posterior of ``beta`` (original scale);
        - ``mean_std``: posterior mean of ``beta_std`` (working scale);
        - ``pip``: P(|beta_std| > eps); for a spike-and-slab fit (a ``gamma`` indicator
          in the posterior) P(gamma_j = 1 | y) averaged over models: exact by enumeration,
          the mean of the gamma draws by MC3 (a Monte Carlo estimate), and eps
          plays no role (``attrs["eps"]`` is None); ``p_sign``: max(P(w > 0), P(w < 0)),
          the probability of the more likely sign (the sign of the median when the median
          is not 0; the exact zeros of a spike-and-slab fit count for neither sign);
        - ``ci_excludes_zero``: the HDI excludes 0; ``selected``: the decision rule's set,
          always ``pip > attrs["threshold"]``;
        - ``kappa``: posterior mean shrinkage factor (horseshoe family, else NaN; see
          :func:`shrinkage_factors`);
        - ``rank_median, rank_lower, rank_upper``: rank by |beta_std| (1 = largest), its
          median and central ``prob`` interval (tied features take the mean of their
          ranks); ``p_top_k``: P(rank <= k), ties sharing as in :func:`top_k_probability`;

        The lasso at the matching alpha is one call away:
        ``bl.lasso_columns(fit, table=table)`` (:func:`~bayes_l1.lasso_columns`).

        ``attrs`` holds ``eps``, ``pip_definition`` (what ``pip`` means for this fit),
        ``prob``, ``k``, the rule (``selection``: "bayesian_fdr" or "threshold", ``fdr``,
        ``threshold``: the pip cutoff, ``expected_fdr``: the mean of 1 - pip over the
        selected features) and ``m_eff`` (posterior mean, sd and HDI of the
        effective number of non-zeros, horseshoe family; else None).

    Raises
    ------
    ValueError
        Unfitted estimator or no posterior draws; eps < 0; k outside 1..p; prob outside
        (0, 1); fdr outside (0, 1); threshold outside [0, 1].
    TypeError
        An option of the wrong type (e.g. a string for a number).

    Notes
    -----
    Cost: a sort and an argsort of the (draws x features) matrix; about 7 s for 4 x 1000
    draws of 5000 features on two shared cores.

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
    tree = as_tree(fit)
    prob = _check_prob(prob)
    fdr = check_probability(fdr, "fdr")
    if threshold is not None:
        threshold = check_probability(threshold, "threshold", inclusive=True)
    eps = _resolve_eps(tree, eps)
    post = tree["posterior"]
    names = feature_names(tree)
    p = len(names)

    pip, p_sign, mean_std, pip_definition = _relevance(tree, eps)
    mean, median, sd, lower, upper = _locations(matrix(post["beta"]), prob)
    selected, rule = _selection(pip, fdr, threshold)
    k = max(int(selected.sum()), 1) if k is None else _check_k(k, p)
    ranks, p_top_k = _rank_matrix(tree, "abs_standardized", k)
    rank_lower, rank_median, rank_upper = _rank_quantiles(ranks, prob)
    del ranks

    kappa, m_eff = _shrinkage(tree, prob)
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
    order = np.lexsort((np.arange(p), rank_median, -pip))
    table = table.iloc[order]
    table.attrs.update(
        eps=None if "gamma" in post.data_vars else eps,
        eps_scale="working (standardized X; standardized y for the Gaussian likelihood)",
        pip_definition=pip_definition,
        prob=prob,
        k=k,
        **rule,
        m_eff=m_eff,
    )
    return table


# --------------------------------------------------------------------- models


def model_posterior(fit) -> BMAResult:
    """The posterior over models of a spike-and-slab fit, as BAS users read it.

    Parameters
    ----------
    fit : xarray.DataTree from :func:`~bayes_l1.fit_posterior` with a
        :class:`~bayes_l1.SpikeAndSlab` prior, or an estimator fitted with one. The tree
        must keep X (``store_X=True``, the default).

    Returns
    -------
    bayes_l1.bma.BMAResult
        One row per model the tree keeps (its ``model_posterior`` group): the most probable
        models until the probability left out is below 1e-12 (at most 4 million cells,
        models x features). By enumeration the probabilities are exact; by MC3 they are
        renormalized over the models the chain evaluated (as BAS's MCMC estimates), and
        ``log_evidence`` is NaN. It gives

        - ``top_models(n)``: model, size, R^2, log Bayes factor against the null model,
          posterior probability;
        - ``highest_probability_model``, ``median_probability_model`` (pip > 1/2) and
          ``best_predictive_model()`` (Barbieri & Berger 2004);
        - ``size_posterior`` and ``pip`` (P(gamma_j = 1 | y));
        - ``coef``, ``intercept`` and ``predict(X)``: the model-averaged posterior mean
          of the coefficients and predictions, on the original scale of X and y.

    Raises
    ------
    ValueError
        The fit is not over models (no ``model_posterior`` group), or kept no X.

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> fit = bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(), draws=200, chains=2,
    ...                        random_state=0, progressbar=False)
    >>> models = bl.model_posterior(fit)
    >>> models.highest_probability_model
    ('sex', 'bmi', 'bp', 's1', 's2', 's5')
    """
    tree = as_tree(fit)
    if "model_posterior" not in tree.children:
        raise ValueError(
            "This fit has no posterior over models: fit with prior=bl.SpikeAndSlab() "
            "(sampler 'enumeration' or 'mc3') for model probabilities."
        )
    data = fit_data(tree)
    if data is None:
        raise ValueError(
            "This fit kept no X (store_X=False): the model-averaged coefficients need it. "
            "Fit again with store_X=True."
        )
    table = tree["model_posterior"].to_dataset()
    names = [str(f) for f in table["feature"].to_numpy()]
    columns = [feature_names(tree).index(f) for f in names]  # constant columns left out
    kind = table.attrs["g"]
    return BMAResult(
        feature_names=tuple(names),
        models=table["gamma"].transpose("model", "feature").to_numpy().astype(bool),
        size=table["size"].to_numpy(),
        r2=table["r2"].to_numpy(),
        log_bf=table["log_bf"].to_numpy(),
        log_prior=table["log_prior"].to_numpy(),
        prob=table["prob"].to_numpy(),
        log_evidence=float(table.attrs["log_evidence"]),
        g_prior=resolve_g(
            float(kind) if not isinstance(kind, str) else kind, a=table.attrs.get("a")
        ),
        model_prior=table.attrs["model_prior"],
        design=StandardizedDesign.from_data(data[0][:, columns], data[1]),
        method=str(table.attrs["method"]),
    )


# --------------------------------------------------------------------- diagnostics


def diagnose(fit, **kwargs) -> Diagnostics:
    """Convergence report: R-hat, bulk/tail ESS and MCSE per parameter, divergences,
    tree-depth hits and E-BFMI per chain, a verdict and advice.

    Computed from the draws with :func:`bayes_l1.check_sampling` on the reported parameters
    and the prior's scales (``beta, intercept, sigma, lam, tau, local, c, ridge_scale``:
    those present and not constant), with advice for the fit's prior (recorded in the
    tree). A fitted estimator holds the same report, computed on fit, in ``diagnostics_``.

    Parameters
    ----------
    fit : xarray.DataTree or fitted estimator
    **kwargs
        Passed to :func:`bayes_l1.check_sampling` (``var_names``, ``rhat_max``,
        ``ess_min_per_chain``, ``bfmi_min``, ``warn``, ...).

    Returns
    -------
    Diagnostics
    """
    tree = as_tree(fit)
    kwargs.setdefault("var_names", reported_variables(tree["posterior"]))
    kwargs.setdefault(
        "prior_name", prior_from_repr(attr(tree, "prior")) or attr(tree, "prior_class")
    )
    return check_sampling(tree, **kwargs)
