"""Figures for MAP paths and posteriors (matplotlib; ``pip install bayes_l1[plots]``).

Every function draws into the Axes (or Figure) it is given, creating one when it is not,
and returns it so that it can be restyled. Nothing here computes statistics of its own:
paths come from :func:`bayes_l1.lasso_map_path` / :func:`bayes_l1.lasso_map_cv`, posterior
tables from :func:`bayes_l1.inclusion_summary`, :func:`bayes_l1.rank_distribution` and
:func:`bayes_l1.shrinkage_factors`. ArviZ's own plots (trace, rank, energy, forest) work
on the fit's DataTree directly, e.g. ``arviz.plot_trace_dist(tree, var_names=["beta"])``.

``import bayes_l1`` never imports matplotlib; this module does, on import.

Coefficient scale. Paths and the posterior overlay are drawn on the *standardized-X* scale
by default (coefficient times the column's sd: change in y per sd of x_j), where features
are comparable; ``standardized=False`` gives original units.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from bayes_l1 import fitted
from bayes_l1._validation import check_int, preview
from bayes_l1.map import CVResult, PathResult

__all__ = [
    "matching_alpha",
    "plot_coefficients",
    "plot_inclusion",
    "plot_path",
    "plot_ranks",
    "plot_shrinkage",
    "save_figures",
]


# --------------------------------------------------------------------- helpers


_LABEL_CHARS = 32  # longer feature names are shortened in the middle on the figures


def _short(name: str) -> str:
    """A feature name as a tick label: beyond 32 characters its start and end with an
    ellipsis between (a 90-character name pushed the axes off a 7-inch figure)."""
    name = str(name)
    if len(name) <= _LABEL_CHARS:
        return name
    half = (_LABEL_CHARS - 1) // 2
    return f"{name[:half]}\u2026{name[-half:]}"


def _new_axes(ax: Axes | None, figsize=(7.0, 4.5)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes; got {type(ax).__name__}.")
    return ax


def _summary(fit_or_table, table=None) -> tuple[pd.DataFrame, object]:
    """(inclusion table, the fit's Design or None) from a fit (and optionally its table) or
    a table."""
    if isinstance(fit_or_table, pd.DataFrame):
        fit_or_table, table = None, fit_or_table
    design = None
    if fit_or_table is not None:
        from bayes_l1.summary import inclusion_summary

        tree = fitted.as_tree(fit_or_table)
        design = fitted.design(tree)
        table = inclusion_summary(tree) if table is None else table
    missing = {"pip", "median", "hdi_lower", "hdi_upper"} - set(table.columns)
    if missing:
        raise ValueError(
            f"Expected a table from bayes_l1.inclusion_summary; missing columns {sorted(missing)}."
        )
    return table, design


def _rest_note(table: pd.DataFrame, shown: int, threshold: float) -> str | None:
    """One line about the features not drawn (so p = 20,000 never draws 20,000 rows)."""
    rest = table.iloc[shown:]
    if rest.empty:
        return None
    n_sel = int((rest["pip"] > threshold).sum())
    return (
        f"+ {len(rest):,} more features not shown: max pip {rest['pip'].max():.2f}, "
        f"{n_sel:,} with pip > {threshold:.3g}"
    )


def matching_alpha(fit) -> float:
    """The lasso alpha (scikit-learn scaling, original y) that corresponds to a fit's prior.

    The MAP penalty of the prior when it has one (Laplace with a fixed rate, elastic net:
    recorded by the fit); for a Laplace prior whose rate ``lam`` is sampled, the posterior
    median of ``lam sigma / n`` (Gaussian) or ``lam / n`` (logistic).

    Parameters
    ----------
    fit : xarray.DataTree from :func:`~bayes_l1.fit_posterior`, or a fitted estimator

    Raises
    ------
    ValueError
        The prior has no lasso counterpart (horseshoe, ridge with a sampled scale).
    """
    tree = fitted.as_tree(fit)
    if (penalty := fitted.matching_penalty(tree)) is not None:
        return penalty[0]
    post = tree["posterior"]
    if "lam" not in post.data_vars:
        raise ValueError(
            f"The prior {fitted.attr(tree, 'prior', 'of this fit')} has no lasso alpha to "
            "place the posterior at; pass alpha= explicitly."
        )
    n = fitted.n_obs(tree)
    lam = post["lam"]
    scaled = lam * post["sigma"] if "sigma" in post.data_vars else lam
    return float((scaled / n).median())


# --------------------------------------------------------------------- path


def plot_path(
    path: PathResult | CVResult,
    *,
    fit=None,
    alpha: float | None = None,
    prob: float = 0.9,
    standardized: bool = True,
    n_labels: int = 8,
    ax: Axes | None = None,
) -> Axes:
    """The MAP (lasso / elastic-net) coefficient path against log10(alpha).

    Draws one line per feature that ever enters the path (features that never leave zero
    share the zero line), a dot where each enters, the CV choices ``alpha`` and
    ``alpha_1se`` as vertical lines when given a :class:`~bayes_l1.CVResult`, and, when
    given a fitted estimator, its posterior ``prob`` intervals and medians at the alpha that
    matches its prior (see :func:`matching_alpha`).

    Parameters
    ----------
    path : PathResult or CVResult
        From :func:`bayes_l1.lasso_map_path` or :func:`bayes_l1.lasso_map_cv`.
    fit : fitted BayesianLinearRegression or BayesianLogisticRegression, optional
        Same data as the path.
    alpha : float, optional
        Where to draw the posterior intervals; default the fit's matching alpha.
    prob : float, default 0.9
        Central posterior interval mass.
    standardized : bool, default True
        Coefficients times the column sd (comparable across features), else original units.
    n_labels : int, default 8
        Label the first ``n_labels`` features to enter, at the small-alpha end.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]`` is the LineCollection of paths (one segment per feature drawn).

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> from bayes_l1.plots import plot_path
    >>> X, y = bl.load_diabetes()
    >>> ax = plot_path(bl.lasso_map_cv(X, y, cv=3, random_state=0))
    >>> len(ax.collections[0].get_segments())
    10
    """
    cv = path if isinstance(path, CVResult) else None
    if cv is not None:
        path = cv.path
    if not isinstance(path, PathResult):
        raise TypeError(
            "path must be a PathResult (lasso_map_path) or CVResult (lasso_map_cv); "
            f"got {type(path).__name__}."
        )
    if not 0 < prob < 1:
        raise ValueError(f"prob must be in (0, 1); got {prob}.")
    ax = _new_axes(ax)
    coefs = path.coefs_working if standardized else path.coefs
    x = np.log10(path.alphas)
    entered = np.flatnonzero((path.coefs != 0).any(axis=1))
    segments = [np.column_stack([x, coefs[j]]) for j in entered]
    colors = plt.get_cmap("tab10")(np.arange(len(entered)) % 10)
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=1.2, label="MAP path"))
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    # Entry points: the first grid alpha at which each feature is non-zero.
    entry = np.log10(path.entry_alpha[entered])
    ax.scatter(entry, np.zeros_like(entry), s=14, color=colors, zorder=3, label="entry")
    if cv is not None:
        ax.axvline(np.log10(cv.alpha), color="k", linestyle="--", linewidth=1, label="CV alpha")
        ax.axvline(np.log10(cv.alpha_1se), color="k", linestyle=":", linewidth=1, label="alpha_1se")
    names = path.feature_names
    order = [names.index(f) for f in path.entry_order[: max(int(n_labels), 0)]]
    for j in order:
        ax.annotate(
            _short(names[j]), (x[-1], coefs[j, -1]), xytext=(3, 0), textcoords="offset points",
            fontsize=8, va="center",
        )  # fmt: skip
    if fit is not None:
        _overlay_posterior(ax, fit, names, alpha, prob, standardized)
    ax.autoscale_view()
    ax.set_xlim(x[0] + 0.02 * (x[0] - x[-1]), x[-1] - 0.12 * (x[0] - x[-1]))  # descending
    ax.set_xlabel("log10(alpha)   (penalty decreases to the right)")
    scale = "standardized (per sd of x)" if standardized else "original units"
    ax.set_ylabel(f"coefficient, {scale}")
    ax.set_title(f"MAP path ({path.likelihood}, l1_ratio = {path.l1_ratio:g})")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _overlay_posterior(ax, fit, names, alpha, prob, standardized) -> None:
    tree = fitted.as_tree(fit)
    post = tree["posterior"]
    fit_names = [str(v) for v in post["feature"].to_numpy()]
    if fit_names != list(names):
        raise ValueError("The fit's features differ from the path's: fit on the same X.")
    alpha = matching_alpha(fit) if alpha is None else float(alpha)
    beta = post["beta"].stack(sample=("chain", "draw")).transpose("feature", "sample")
    draws = beta.to_numpy()
    if standardized:
        if (design := fitted.design(tree)) is None:
            raise ValueError("standardized=True needs the column sds, which this fit lacks.")
        draws = draws * design.scale[:, None]
    q = (1.0 - prob) / 2.0
    lo, med, hi = np.quantile(draws, [q, 0.5, 1.0 - q], axis=1)
    # Spread the p intervals over a small band around log10(alpha) so they do not overlap.
    width = 0.04 * (ax.get_xlim()[1] - ax.get_xlim()[0] or 1.0)
    xs = np.log10(alpha) + np.linspace(-width, width, len(names))
    ax.vlines(xs, lo, hi, color="0.2", linewidth=2.0, alpha=0.7, label=f"posterior {prob:.0%}")
    ax.scatter(xs, med, marker="D", s=12, color="0.1", zorder=4, label="posterior median")


# --------------------------------------------------------------------- posterior tables


def plot_coefficients(
    fit,
    *,
    top: int = 25,
    lasso=None,
    standardized: bool | None = None,
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot: posterior median and HDI per feature, sorted by pip, with MAP / lasso
    markers.

    Only the ``top`` features by pip are drawn; the rest are summarized in a second line of
    the x label (count, largest pip, how many pass the threshold), so p = 20,000 stays
    legible and fast.

    Parameters
    ----------
    fit : xarray.DataTree, fitted estimator, or a table from :func:`bayes_l1.inclusion_summary`
        A table may carry the lasso columns (``bl.lasso_columns(fit, table=table)``).
    top : int, default 25
    lasso : pandas.Series, dict or MapLassoComparison, optional
        scikit-learn lasso coefficients to mark, by feature name (not by position: the
        rows are sorted by pip); a :class:`~bayes_l1.MapLassoComparison` contributes its
        ``sklearn`` column. The table's ``map_coef`` (:func:`bayes_l1.lasso_columns`), where
        it has one, is always marked: "MAP = lasso" at the prior's own penalty, "lasso" at
        a cross-validated or given alpha.
    standardized : bool, optional
        Multiply by the column sd (change in y per sd of x_j: comparable across features;
        needs a fit, whose tree records the sds). Default True for a fit, else False.
    table : pandas.DataFrame, optional
        With a fit: its inclusion summary to draw, e.g. with the lasso columns
        (``bl.lasso_columns(fit, table=bl.inclusion_summary(fit))``); default
        ``inclusion_summary(fit)``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Interval lines are ``ax.collections[0]`` (one segment per feature drawn).
    """
    top = check_int(top, "top", minimum=1)
    table, design = _summary(fit, table)
    shown = table.iloc[:top]
    k = len(shown)
    scale = pd.Series(1.0, index=table.index)
    if standardized is None:
        standardized = design is not None
    if standardized:
        if design is None:
            raise ValueError("standardized=True needs a fit that records its column sds.")
        scale = pd.Series(design.scale, index=list(design.feature_names))
    s = scale.loc[shown.index].to_numpy()
    ax = _new_axes(ax, figsize=(7.0, 1.2 + 0.28 * k))
    ypos = np.arange(k)[::-1]  # highest pip at the top
    lo, hi = shown["hdi_lower"].to_numpy() * s, shown["hdi_upper"].to_numpy() * s
    prob = table.attrs.get("prob", 0.9)
    ax.hlines(ypos, lo, hi, color="C0", linewidth=2.5, label=f"{prob:.0%} HDI")
    ax.scatter(shown["median"] * s, ypos, color="C0", s=18, zorder=3, label="posterior median")
    if "map_coef" in shown.columns:
        ax.scatter(
            shown["map_coef"] * s, ypos, marker="x", color="C3", s=30, zorder=4,
            label=_map_label(table),
        )  # fmt: skip
    if lasso is not None:
        values = _lasso_values(lasso, table)
        ax.scatter(
            values.loc[shown.index] * s, ypos, marker="o", facecolors="none",
            edgecolors="k", s=45, zorder=5, label="scikit-learn lasso",
        )  # fmt: skip
    ax.axvline(0.0, color="0.6", linewidth=0.8, zorder=0)
    ax.set_yticks(ypos, [f"{_short(name)}  ({pip:.2f})" for name, pip in shown["pip"].items()])
    ax.set_ylim(-0.7, k - 0.3)
    xlabel = "coefficient" + (", standardized (per sd of x)" if standardized else "")
    note = _rest_note(table, k, table.attrs.get("threshold", 0.5))
    ax.set_xlabel(xlabel if note is None else f"{xlabel}\n{note}")
    ax.set_ylabel("feature  (pip)")
    ax.set_title(f"Top {k} of {len(table):,} features by inclusion probability (pip)", wrap=True)
    ax.legend(fontsize=8, loc="best")
    return ax


def _map_label(table: pd.DataFrame) -> str:
    """ "MAP = lasso" only at the prior's own penalty; at a cross-validated or given alpha
    the marks are a lasso beside the posterior, not its mode (a horseshoe has no lasso MAP)."""
    info = table.attrs.get("lasso")
    if not info:
        return "MAP = lasso"
    source = info.get("alpha_source", "given")
    return f"{'MAP = lasso' if source == 'fit' else 'lasso'}, alpha {info['alpha']:.3g} ({source})"


def _lasso_values(lasso, table: pd.DataFrame) -> pd.Series:
    if hasattr(lasso, "table") and hasattr(lasso, "max_abs_diff"):  # MapLassoComparison
        lasso = lasso.table["sklearn"]
    if isinstance(lasso, dict):
        lasso = pd.Series(lasso, dtype=float)
    if not isinstance(lasso, pd.Series):
        raise TypeError(
            "lasso must be a pandas Series indexed by feature name (or a dict, or a "
            f"MapLassoComparison); got {type(lasso).__name__}. The table is sorted by pip, "
            "so bare arrays would be ambiguous."
        )
    missing = set(table.index) - set(lasso.index)
    if missing:
        raise ValueError(f"lasso lacks coefficients for [{preview(sorted(missing))}].")
    return lasso.astype(float)


def plot_inclusion(
    fit,
    *,
    top: int = 30,
    threshold: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Posterior inclusion probabilities as bars, with the decision threshold.

    Parameters
    ----------
    fit : fitted estimator, xarray.DataTree, or a table from :func:`bayes_l1.inclusion_summary`
    top : int, default 30
        Bars for the ``top`` features by pip; the rest are summarized in the title.
    threshold : float, optional
        Default the table's decision (``attrs["threshold"]``: the cutoff of its Bayesian FDR
        rule, or the threshold it was given).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar patch per feature drawn; selected features (pip > threshold) in colour C0.
    """
    top = check_int(top, "top", minimum=1)
    table, _ = _summary(fit)
    label = f"threshold {threshold}"
    if threshold is None:
        threshold = table.attrs.get("threshold", 0.5)
        if table.attrs.get("selection") == "bayesian_fdr":
            label = f"Bayesian FDR {table.attrs['fdr']:g}: pip > {threshold:.3g}"
        else:
            label = f"threshold {threshold:g}"
    threshold = float(threshold)
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be in [0, 1]; got {threshold}.")
    shown = table["pip"].iloc[:top]
    ax = _new_axes(ax, figsize=(7.0, 1.2 + 0.25 * len(shown)))
    ypos = np.arange(len(shown))[::-1]
    colors = np.where(shown.to_numpy() > threshold, "C0", "0.7")
    ax.barh(ypos, shown.to_numpy(), color=colors, height=0.7)
    ax.axvline(threshold, color="C3", linestyle="--", linewidth=1, label=label)
    ax.set_yticks(ypos, [_short(name) for name in shown.index])
    ax.set_xlim(0, 1)
    eps = table.attrs.get("eps")
    if eps is None and table.attrs.get("pip_definition", "").startswith("P(gamma_j"):
        ax.set_xlabel("pip = P(gamma_j = 1 | data), averaged over models")
    else:
        ax.set_xlabel("pip = P(|beta_std| > eps | data)" + (f",  eps = {eps:.3g}" if eps else ""))
    n_sel = int((table["pip"] > threshold).sum())
    ax.set_title(f"Inclusion: {n_sel} of {len(table):,} features with pip > {threshold:.3g}")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_ranks(
    fit,
    *,
    top: int = 15,
    max_rank: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat map of P(rank of feature j = r): how sure the posterior is about the ordering.

    Features are ranked by |beta_std| in every draw (1 = largest); columns are ranks
    1..``max_rank`` (default ``top``), rows the ``top`` features most likely to rank within
    them (ties by their mean rank there). Only ``p x max_rank`` probabilities are computed.

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree
    top : int, default 15
        Rows shown; at most the number of features p.
    max_rank : int, optional
        Columns shown (default ``top``); at most p. A plot shows what there is, where
        :func:`~bayes_l1.rank_distribution` refuses ``max_rank > p``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the (top, max_rank) probability matrix.
    """
    from bayes_l1.summary import rank_distribution

    top = check_int(top, "top", minimum=1)
    tree = fitted.as_tree(fit)
    p = tree["posterior"].sizes["feature"]
    top = min(top, p)
    max_rank = top if max_rank is None else min(check_int(max_rank, "max_rank", minimum=1), p)
    # Only ranks 1..max_rank are tabulated: p x max_rank, never p x p (p = 20,000).
    probs = rank_distribution(fit, max_rank=max_rank)
    table = probs.to_numpy()
    mass = table.sum(axis=1)  # P(rank <= max_rank)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rank = np.where(mass > 0, table @ np.arange(1, max_rank + 1) / mass, np.inf)
    # mass rounded: when max_rank = p it is 1 for every row up to the sums' rounding,
    # which must not decide the order
    rows = np.lexsort((mean_rank, -np.round(mass, 9)))[:top]
    matrix = probs.iloc[rows]
    # at least 5 inches wide: the title and the x label must fit beside a few ranks
    ax = _new_axes(ax, figsize=(max(5.0, 1.5 + 0.35 * max_rank), 1.2 + 0.3 * top))
    image = ax.imshow(matrix.to_numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="P(rank = r)")
    ax.set_yticks(np.arange(top), [_short(name) for name in matrix.index])
    ax.set_xticks(np.arange(max_rank), [str(r) for r in matrix.columns])
    ax.set_xlabel("rank r by |standardized coefficient| (1 = largest)", wrap=True)
    ax.set_title(f"Rank distribution, top {top} of {p:,} features", wrap=True)
    return ax


def plot_shrinkage(fit, *, bins: int = 20, fig: Figure | None = None) -> Figure:
    """Horseshoe shrinkage: the distribution of kappa_j and the posterior of m_eff.

    Left: histogram over features of the posterior mean shrinkage factor kappa_j (0: kept,
    1: shrunk to zero; a horseshoe separating signal from noise is U-shaped). Right: the
    posterior of the effective number of non-zero coefficients m_eff = sum_j (1 - kappa_j).

    Parameters
    ----------
    fit : fitted estimator or xarray.DataTree with a horseshoe-family prior
    bins : int, default 20
    fig : matplotlib Figure, optional
        Drawn into (two new Axes); default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]`` kappa histogram, ``fig.axes[1]`` m_eff histogram.

    Raises
    ------
    ValueError
        The prior is not a horseshoe (no ``tau`` and ``local`` in the posterior).
    """
    from bayes_l1.summary import shrinkage_factors

    bins = check_int(bins, "bins", minimum=1)
    kappa = shrinkage_factors(fit)
    m_eff = (1.0 - kappa).sum("feature").to_numpy().ravel()
    kappa_mean = kappa.mean(("chain", "draw")).to_numpy()
    if fig is None:
        fig = plt.figure(figsize=(9.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.hist(kappa_mean, bins=np.linspace(0, 1, bins + 1), color="C0")
    left.set_xlabel("posterior mean shrinkage factor kappa_j")
    left.set_ylabel("features")
    left.yaxis.get_major_locator().set_params(integer=True)  # a count of features
    plural = "s" if kappa_mean.size != 1 else ""
    left.set_title(f"Shrinkage of {kappa_mean.size:,} coefficient{plural}")
    right.hist(m_eff, bins=bins, color="C1")
    right.axvline(m_eff.mean(), color="k", linestyle="--", label=f"mean {m_eff.mean():.1f}")
    right.set_xlabel("m_eff = sum_j (1 - kappa_j)")
    right.set_ylabel("draws")
    right.set_title("Effective number of non-zeros")
    right.legend(fontsize=8)
    return fig


def save_figures(figures: dict[str, Figure | Axes], directory, *, dpi: int = 120) -> list:
    """Write figures as ``directory/<name>.png`` and close them; returns the paths.

    Parameters
    ----------
    figures : dict of {str: Figure or Axes}
    directory : path-like
        Created when missing.
    dpi : int, default 120
    """
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, figure in figures.items():
        fig = figure.figure if isinstance(figure, Axes) else figure
        path = out / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        written.append(path)
    return written
