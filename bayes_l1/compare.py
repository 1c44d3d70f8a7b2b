"""Comparisons: the lasso against the MAP and posterior of the PyMC model, the lasso next to a
fit's posterior (``lasso_columns``), models against each other by PSIS-LOO, and decoupled
shrinkage and selection (a sparse summary of a posterior).

``compare_map_lasso`` builds a PyMC model and samples with :func:`bayes_l1.fit_posterior`
(imported on call); the other functions read the DataTree of a fit (:mod:`bayes_l1.fitted`)
and, for the lasso, the data it kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import special

from bayes_l1 import fitted
from bayes_l1._columns import align_columns, check_rows
from bayes_l1._validation import (
    check_bool,
    check_labels,
    check_likelihood,
    check_positive,
    check_probability,
    check_random_state,
    check_X,
    check_y,
    constant_columns_reported,
    warn_caller,
)
from bayes_l1.data import Design
from bayes_l1.map import ConvergenceWarning, alpha_grid, lasso_map, lasso_map_cv, lasso_map_path
from bayes_l1.summary import inclusion_summary

__all__ = [
    "DSSResult",
    "MapLassoComparison",
    "ParetoKWarning",
    "compare_map_lasso",
    "compare_models",
    "dss",
    "lasso_columns",
]

# The lasso columns' coefficient at alpha: the duality-gap tolerance of the refined solution
# and its cap on outer iterations. The logistic solver may never reach a tight tolerance on
# near-separable data (issue 11: 14+ minutes after sampling): the work stays bounded, and
# the gap reached is reported.
REFINE_TOL = 1e-10
REFINE_MAX_ITER = 50


class ParetoKWarning(UserWarning):
    """PSIS-LOO is unreliable for some observations (Pareto k above the threshold)."""


# --------------------------------------------------------------------- MAP vs lasso


@dataclass(frozen=True, eq=False)
class MapLassoComparison:
    """Result of :func:`compare_map_lasso`; ``print`` it for the report.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature, original scale: ``sklearn`` (scikit-learn's ``Lasso``, or
        ``LogisticRegression`` with the L1 penalty),
        ``lasso_map``, ``pymc_map`` and, when sampled, ``post_mean, post_median, post_lower,
        post_upper`` (HDI) and ``pip``.
    alpha : float
        The lasso penalty (scikit-learn scaling, original y).
    sigma_hat : float
        The noise sd at which the PyMC model's sigma is fixed (original scale of y); NaN for
        the logistic likelihood, which has none.
    max_abs_diff : float
        max_j |sklearn_j - pymc_map_j|.
    max_abs_diff_lasso_map : float
        max_j |lasso_map_j - pymc_map_j|.
    logp_gap : float
        Model log density at ``pymc_map`` minus at the ``lasso_map`` solution (>= 0 up to
        rounding when both are the mode).
    n_iter : int
        Proximal-gradient iterations of the PyMC MAP search.
    fit : estimator or None
        The posterior's DataTree (:func:`~bayes_l1.fit_posterior`), if sampled.
    """

    table: pd.DataFrame
    alpha: float
    sigma_hat: float
    max_abs_diff: float
    max_abs_diff_lasso_map: float
    logp_gap: float
    n_iter: int
    fit: object = field(default=None, repr=False)

    def __str__(self) -> str:
        setting = (
            "logistic likelihood, flat intercept"
            if np.isnan(self.sigma_hat)
            else f"sigma fixed at {self.sigma_hat:.4g}"
        )
        lines = [
            f"Lasso vs MAP of the Laplace model at alpha = {self.alpha:.6g} ({setting}):",
            f"  max |sklearn - pymc_map| = {self.max_abs_diff:.3g}; "
            f"max |lasso_map - pymc_map| = {self.max_abs_diff_lasso_map:.3g}; "
            f"log density at MAP minus at lasso_map = {self.logp_gap:.3g}",
        ]
        with pd.option_context("display.width", 120, "display.max_columns", 12):
            lines.append(self.table.to_string(float_format=lambda v: f"{v:.6g}"))
        return "\n".join(lines)


def sklearn_lasso(
    X, y, alpha: float, *, likelihood: str = "gaussian", tol: float = 1e-14,
    max_iter: int = 1_000_000,
) -> np.ndarray:  # fmt: skip
    """scikit-learn's lasso on StandardScaler(X) (as lasso_map standardizes), mapped back to
    the original units: ``Lasso(alpha)``, or for the logistic likelihood
    ``LogisticRegression(l1_ratio=1, C=1 / (n alpha), solver="saga")`` (the same objective,
    mean log loss + alpha |w|). At ``max_iter`` epochs it stops where it is (scikit-learn
    warns)."""
    from sklearn.linear_model import Lasso, LogisticRegression  # on use: only this needs it
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=float)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    if likelihood == "gaussian":
        model = Lasso(alpha=alpha, tol=tol, max_iter=max_iter)
    else:
        C = 1.0 / (len(X) * alpha)
        model = LogisticRegression(l1_ratio=1.0, C=C, solver="saga", tol=tol, max_iter=max_iter)
    model.fit(scaler.transform(X), np.asarray(y))
    return np.ravel(model.coef_) / scale


def _pymc_map(model, *, flat_intercept: bool = False, max_iter: int = 100_000, tol: float = 1e-13):
    """Mode of a PyMC Laplace-prior model with fixed sigma, from its compiled log densities.

    The log density splits into a smooth part (likelihood and intercept prior: value and
    gradient compiled from ``model.logp``; ``flat_intercept`` leaves the intercept's prior
    out, as the lasso leaves the intercept unpenalized) and the Laplace prior of ``beta_std``, whose
    rate is read from its compiled log density. Accelerated proximal gradient (FISTA with
    backtracking and adaptive restart) on that split reaches the mode to rounding and puts
    coefficients exactly at zero (the prox of the Laplace term is soft thresholding); a
    smooth optimizer on the total log density would only approach zero.

    Returns (beta_std, intercept_std, n_iter, logp, total_fn, value_vars): logp is the
    model's log density at the mode, total_fn its compiled log density.
    """
    import pytensor

    beta_rv, icpt_rv = model["beta_std"], model["intercept_std"]
    values = [model.rvs_to_values[beta_rv], model.rvs_to_values[icpt_rv]]
    free = {v.name for v in model.free_RVs}
    if free != {"beta_std", "intercept_std"}:
        raise ValueError(
            f"The MAP search needs a model with only beta_std and intercept_std free; got {free}."
        )
    terms = [model["y"]] if flat_intercept else [model["y"], icpt_rv]
    smooth = model.logp(vars=terms, jacobian=False)
    smooth_fn = pytensor.function(values, [smooth, *pytensor.grad(smooth, values)])
    prior_fn = pytensor.function([values[0]], model.logp(vars=[beta_rv], jacobian=False))
    total_fn = model.compile_logp(vars=[*terms, beta_rv], jacobian=False)
    p = len(model.coords["feature"])
    # Laplace log density is c - rate * sum|b|: read the rate off two evaluations
    rate = float(prior_fn(np.zeros(p)) - prior_fn(np.ones(p))) / p
    check = float(prior_fn(np.zeros(p)) - prior_fn(-2.0 * np.ones(p))) / (2 * p)
    if not np.isclose(rate, check, rtol=1e-10) or rate <= 0:
        raise ValueError("beta_std's prior is not a Laplace density with a fixed rate.")

    def f_grad(x):
        lp, gb, gc = smooth_fn(x[:-1], x[-1])
        return -float(lp), -np.append(gb, gc)

    def prox(x, step):
        out = x.copy()
        out[:-1] = np.sign(x[:-1]) * np.maximum(np.abs(x[:-1]) - step * rate, 0.0)
        return out

    x = np.zeros(p + 1)
    z, t_mom, step = x.copy(), 1.0, 1.0
    fz, gz = f_grad(z)
    it = 0
    while it < max_iter:
        it += 1
        while True:  # backtracking on the smooth part
            x_new = prox(z - step * gz, step)
            d = x_new - z
            f_new, _ = f_grad(x_new)
            if f_new <= fz + gz @ d + (d @ d) / (2 * step) + 1e-12 * abs(fz):
                break
            step *= 0.5
        if d @ (x_new - x) > 0:  # adaptive restart (O'Donoghue & Candes 2015)
            t_mom = 1.0
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t_mom**2))
        z = x_new + ((t_mom - 1.0) / t_next) * (x_new - x)
        change = np.max(np.abs(x_new - x))
        x, t_mom = x_new, t_next
        if change <= tol * max(1.0, np.max(np.abs(x))):
            break
        fz, gz = f_grad(z)
    logp = float(total_fn({values[0].name: x[:-1], values[1].name: x[-1]}))
    return x[:-1], float(x[-1]), it, logp, total_fn, values


def compare_map_lasso(
    X,
    y,
    alpha: float | None = None,
    *,
    likelihood: str = "gaussian",
    prior=None,
    posterior: bool = True,
    eps: float | None = None,
    prob: float = 0.9,
    random_state=0,
    verbose: bool = False,
    **fit_kwargs,
) -> MapLassoComparison:
    """The lasso, three ways, next to the posterior: proof of "lasso = Laplace MAP" in one call.

    Columns (original scale): scikit-learn's lasso on ``StandardScaler(X)`` mapped back
    (as ``lasso_map`` standardizes), :func:`bayes_l1.lasso_map`, the mode of the PyMC model,
    and the posterior of the same prior: mean, median, HDI and pip.

    - Gaussian: scikit-learn's ``Lasso``; the PyMC model has the Laplace prior with
      ``lam = n alpha / sigma_hat`` on the working scale and sigma *fixed* at sigma_hat,
      the cross-validated-lasso noise estimate (the setting in which the mode is exactly
      the lasso); the posterior has sigma free.
    - Logistic: scikit-learn's ``LogisticRegression(l1_ratio=1, C=1 / (n alpha))``; the
      PyMC model has ``lam = n alpha``, and its mode is taken with the intercept's weak
      N(0, 5^2) prior left out (flat), as the lasso leaves the intercept unpenalized.

    The PyMC mode is found from the model's compiled log densities by proximal gradient
    (see ``_pymc_map``): soft thresholding with the model's own Laplace rate, so it is
    exactly sparse, and it matches scikit-learn to ~1e-9 on diabetes.

    Parameters
    ----------
    X, y : array-like
    alpha : float, optional
        Lasso penalty (scikit-learn scaling, original y). Needed unless ``prior`` fixes it.
    likelihood : {"gaussian", "logistic"}
    prior : Laplace, optional
        Default ``Laplace(alpha=alpha)``; a Laplace prior with fixed ``lam``/``alpha``/"cv".
    posterior : bool, default True
        Also sample the posterior (``fit_posterior(X, y, prior=prior, **fit_kwargs)``).
    eps, prob : as :func:`bayes_l1.inclusion_summary`.
    random_state : int, default 0
        Seed of the noise-sd estimate's CV folds and of the sampler.
    verbose : bool, default False
        Also print the one-line verdict (max difference scikit-learn vs MAP); ``str()`` of
        the result holds it too.
    **fit_kwargs
        Passed to :func:`~bayes_l1.fit_posterior` (``draws``, ``chains``, ...).

    Returns
    -------
    MapLassoComparison
        ``.table``, ``.max_abs_diff``, ...; ``str()`` gives the report.
    """
    from bayes_l1.model import build_context, build_model, prepare
    from bayes_l1.posterior import fit_posterior

    if alpha is not None:
        alpha = check_positive(alpha, "alpha")  # "0.1" or True must not pass as a number
    random_state = check_random_state(random_state)
    gaussian = check_likelihood(likelihood) == "gaussian"
    data = prepare(X, y, likelihood=likelihood)
    prior = _fixed_laplace(prior, alpha)
    cv = None  # the logistic model needs no noise sd: a CV only for Laplace(lam="cv")
    if gaussian or prior.needs_alpha_cv:
        with constant_columns_reported():  # prepare named them, once
            cv = lasso_map_cv(data.X, data.y, likelihood=likelihood, random_state=random_state)
    context = build_context(data, prior, cv=cv)
    alpha_prior = prior.map_penalty(context)[0]
    if alpha is not None and not np.isclose(alpha_prior, alpha, rtol=1e-12):
        raise ValueError(f"alpha={alpha} disagrees with the prior's alpha {alpha_prior}.")
    alpha = float(alpha_prior)
    sigma_hat = context.sigma_hat * data.y_scale if gaussian else float("nan")
    Xa = data.X

    model = build_model(data, prior, sigma=sigma_hat if gaussian else None, context=context)
    beta_active, _, n_iter, logp_map, total_fn, values = _pymc_map(
        model, flat_intercept=not gaussian
    )
    beta_std = np.zeros(data.p)  # the model leaves constant columns out: they are 0
    beta_std[data.active] = beta_active
    pymc_map = beta_std * data.y_scale / data.design.scale

    with constant_columns_reported():  # prepare warned once, by name
        lasso = lasso_map(Xa, data.y, alpha, likelihood=likelihood, tol=1e-12, max_iter=10_000)
    w_lasso = lasso.coef_working / data.y_scale
    # the lasso's intercept on the working scale: 0 for the centred Gaussian response
    c_lasso = 0.0 if gaussian else lasso.intercept + data.design.offset @ lasso.coef
    logp_lasso = float(total_fn({values[0].name: w_lasso[data.active], values[1].name: c_lasso}))

    names = list(data.feature_names)
    table = pd.DataFrame(index=pd.Index(names, name="feature"))
    sk = sklearn_lasso(Xa, data.y, alpha, likelihood=likelihood)
    table["sklearn"] = sk + 0.0  # no -0.0 in the display
    table["lasso_map"] = lasso.coef
    table["pymc_map"] = pymc_map + 0.0
    fit = None
    if posterior:
        fit_kwargs.setdefault("random_state", random_state)
        X_named = pd.DataFrame(Xa, columns=names)
        with constant_columns_reported():
            fit = fit_posterior(
                X_named, data.y, likelihood=likelihood, prior=prior, cv=cv, **fit_kwargs
            )
        summ = inclusion_summary(fit, eps=eps, prob=prob).loc[names]
        table = table.join(summ[list(_POSTERIOR_COLUMNS)].rename(columns=_POSTERIOR_COLUMNS))
    result = MapLassoComparison(
        table=table,
        alpha=alpha,
        sigma_hat=float(sigma_hat),
        max_abs_diff=float(np.max(np.abs(sk - pymc_map))),
        max_abs_diff_lasso_map=float(np.max(np.abs(lasso.coef - pymc_map))),
        logp_gap=logp_map - logp_lasso,
        n_iter=n_iter,
        fit=fit,
    )
    if verbose:
        print(str(result).splitlines()[1].strip())
    return result


# compare_map_lasso's posterior columns: inclusion_summary's column -> its name here
_POSTERIOR_COLUMNS = {
    "mean": "post_mean",
    "median": "post_median",
    "hdi_lower": "post_lower",
    "hdi_upper": "post_upper",
    "pip": "pip",
}


def _fixed_laplace(prior, alpha):
    """The Laplace prior of a comparison: ``Laplace(alpha=alpha)`` by default, else the
    given one, which must fix the rate (its mode is then the lasso)."""
    from bayes_l1.priors import Laplace, resolve_prior

    if prior is None:
        if alpha is None:
            raise ValueError("Give alpha (or a Laplace prior with a fixed lam or alpha).")
        prior = Laplace(alpha=alpha)
    prior = resolve_prior(prior)
    if not prior.fixed_lasso:
        raise ValueError(
            "compare_map_lasso needs a Laplace prior with a fixed rate (lam, alpha or 'cv'); "
            f"got {prior!r}."
        )
    return prior


# --------------------------------------------------------------------- the lasso beside a fit


def lasso_columns(
    fit, X=None, y=None, *, alpha=None, cv=None, random_state=0, table=None
) -> pd.DataFrame:
    """The lasso at the alpha matching a fit, as columns beside its inclusion summary.

    ``bl.lasso_columns(fit, table=bl.inclusion_summary(fit))`` puts the MAP / lasso solution
    next to the posterior of each feature.

    Parameters
    ----------
    fit : xarray.DataTree from :func:`~bayes_l1.fit_posterior`, or a fitted estimator
    X, y : array-like, optional
        The data the fit used; default the data the tree kept (``store_X=True``). A
        DataFrame's columns are matched to the fit's features by name; rows and y must be
        the fit's (checked against the tree).
    alpha : float, optional
        Penalty (scikit-learn scaling, original y). Default, in this order: the fit's
        matching MAP penalty (Laplace with a fixed rate, elastic net; ``l1_ratio`` too),
        ``cv.alpha``, the cross-validated alpha the fit recorded (``attrs
        ["bayes_l1_alpha_cv"]``), else a new ``lasso_map_cv`` (minimum rule).
    cv : CVResult, optional
        ``lasso_map_cv`` on these data: its alpha and path are reused (no new CV or path).
    random_state : int, default 0
        Seed of the CV folds when a new CV runs.
    table : pandas.DataFrame, optional
        An inclusion summary of the fit: returned with these columns joined (its rows, order
        and ``attrs`` kept; ``attrs["lasso"]`` added).

    Returns
    -------
    pandas.DataFrame
        Index the feature names (the fit's order, or ``table``'s). ``map_coef``: the
        solution at alpha (original scale; duality gap at most ``REFINE_TOL`` relative, or what
        ``REFINE_MAX_ITER`` outer iterations reach); ``lasso_selected``: ``map_coef != 0``;
        ``lasso_entry_rank``: the order in which features enter the path from alpha_max
        down to alpha (NA: not entered). ``attrs["lasso"]``: alpha, l1_ratio, where alpha
        came from (``"given"``, ``"fit"``, ``"cv"``) and the duality gap reached.
    """
    tree = fitted.as_tree(fit)
    names = fitted.feature_names(tree)
    likelihood = "gaussian" if fitted.is_gaussian(tree) else "logistic"
    X, y = _fit_data(tree, X, y, names)
    l1_ratio, penalty = 1.0, fitted.matching_penalty(tree)
    if alpha is not None:
        alpha, source = check_positive(alpha, "alpha"), "given"
    elif penalty is not None:
        (alpha, l1_ratio), source = penalty, "fit"
    else:
        source = "cv"
        recorded = fitted.attr(tree, "alpha_cv")
        if cv is None and recorded is None:
            with constant_columns_reported():  # the fit named them, once
                cv = lasso_map_cv(X, y, likelihood=likelihood, random_state=random_state)
        alpha = float(cv.alpha if cv is not None else recorded)
    with constant_columns_reported(), warnings.catch_warnings():
        # a path at the default tolerance gives the entry order; the refinement reports its gap
        warnings.simplefilter("ignore", ConvergenceWarning)
        if cv is not None and cv.alpha == alpha and l1_ratio == cv.path.l1_ratio:
            path = cv.path
        else:
            top = lasso_map_path(X, y, alphas=[alpha], l1_ratio=l1_ratio, likelihood=likelihood)
            grid = alpha_grid(top.alpha_max, 100)
            grid = np.append(grid[grid > alpha], alpha)
            path = lasso_map_path(X, y, alphas=grid, l1_ratio=l1_ratio, likelihood=likelihood)
        refined = lasso_map(
            X, y, alpha, l1_ratio=l1_ratio, likelihood=likelihood, tol=REFINE_TOL,
            max_iter=REFINE_MAX_ITER,
        )  # fmt: skip
    coef = refined.coef + 0.0  # no -0.0
    keep = slice(0, int(np.sum(path.alphas >= alpha)))  # the grid from alpha_max to alpha
    coefs, working = path.coefs[:, keep].copy(), path.coefs_working[:, keep].copy()
    coefs[:, -1], working[:, -1] = coef, refined.coef_working
    path = replace(path, alphas=path.alphas[keep], coefs=coefs, coefs_working=working)
    position = pd.Series(np.arange(len(names)), index=list(path.feature_names))  # X's order
    entry = pd.array(np.full(len(names), pd.NA), dtype="Int64")
    entry[position[list(path.entry_order)].to_numpy()] = np.arange(1, len(path.entry_order) + 1)
    frame = pd.DataFrame(
        {"map_coef": coef, "lasso_selected": coef != 0, "lasso_entry_rank": entry},
        index=pd.Index(names, name="feature"),
    )
    info = {
        "alpha": float(alpha),
        "l1_ratio": float(l1_ratio),
        "alpha_source": source,
        "dual_gap": float(refined.dual_gap),
    }
    if table is not None:
        if not isinstance(table, pd.DataFrame) or set(table.index) != set(names):
            raise ValueError(
                "table must be an inclusion summary of this fit (a DataFrame indexed by its "
                "features), e.g. bl.inclusion_summary(fit)."
            )
        frame = table.join(frame)
        frame.attrs = {**table.attrs}  # join keeps no attrs
    frame.attrs["lasso"] = info
    return frame


def _standardized(A: np.ndarray) -> np.ndarray:
    """Columns of A as z-scores, computed as a fit computes them: in any units (nothing is
    squared), constant columns 0."""
    names = tuple(str(j) for j in range(A.shape[1]))
    return Design.fit_transform(A, names, warn=False)[1]


def _same_design(tree, Xa: np.ndarray) -> bool:
    """Whether X standardizes to the working design the tree kept (True when it kept none);
    constant columns, all 0 there, are skipped."""
    Z = fitted.working_X(tree)
    if Z is None:
        return True
    check_rows(Xa.shape[0], Z.shape[0])
    used = np.abs(Z).max(axis=0) > 0
    return bool(np.allclose(_standardized(Xa)[:, used], Z[:, used], rtol=0.0, atol=1e-8))


def _fit_data(tree, X, y, names: list[str]) -> tuple:
    """(X, y) of the fit: the tree's own when X is None, else X with its columns in the
    fit's order (by name for a DataFrame) and y, checked to be the fit's data: as many
    columns and rows, z-scores equal to the working design and y to the observed y, where
    the tree holds them."""
    if X is None:
        if y is not None:
            raise ValueError("Pass X together with y.")
        kept = fitted.fit_data(tree)
        if kept is None:
            raise ValueError(
                "The fit kept no design (fit_posterior(..., store_X=False), or a tree from "
                "elsewhere): pass X and y, the data it used."
            )
        return kept
    if y is None:
        raise ValueError("Pass y together with X.")
    X = align_columns(X, names)
    Xa, _ = check_X(X)
    if Xa.shape[1] != len(names):
        raise ValueError(f"X has {Xa.shape[1]} columns; the fit has {len(names)}.")
    if not _same_design(tree, Xa):
        raise ValueError("X differs from the design of the fit: pass the data it used.")
    observed = fitted.observed_y(tree)
    if observed is None:
        return X, y
    check_rows(Xa.shape[0], observed.shape[0])
    if fitted.is_gaussian(tree):  # z-scores: the tree may hold y on the original or working scale
        ya = check_y(y, Xa.shape[0])[0]
        same = np.allclose(_standardized(ya[:, None]), _standardized(observed[:, None]), atol=1e-8)
    elif (labels := fitted.classes(tree)) is not None:  # 0/1 coded as in fit: classes[1] is 1
        same = np.array_equal(check_labels(y, Xa.shape[0]) == labels[1], observed == 1)
    else:
        same = True  # labels whose coding is unknown: the row count is all we can check
    if not same:
        raise ValueError("y differs from the observed y of the fit: pass the data it used.")
    return X, y


# --------------------------------------------------------------------- LOO comparison


def compare_models(
    fits: dict, *, pareto_k_max: float | None = None, warn: bool = True
) -> pd.DataFrame:
    """PSIS-LOO comparison of fits on the same data (``arviz_stats.loo`` / ``compare``).

    Parameters
    ----------
    fits : dict of {str: fitted estimator or xarray.DataTree}
        At least two; each needs a ``log_likelihood`` group with variable ``y``.
    pareto_k_max : float, optional
        Threshold for unreliable observations; default ArviZ's, min(1 - 1/log10(S), 0.7).
    warn : bool, default True
        Emit one :class:`ParetoKWarning` naming the models with observations above it.

    Returns
    -------
    pandas.DataFrame
        ``arviz_stats.compare``'s table (rank, elpd, p, elpd_diff, weight, se, dse, ...)
        plus ``pareto_k_max`` (largest k) and ``n_high_k`` (observations above the
        threshold) per model.
    """
    import arviz_stats as azs

    if not isinstance(fits, dict) or len(fits) < 2:
        raise ValueError("compare_models needs a dict of at least two {name: fit}.")
    if pareto_k_max is not None:
        pareto_k_max = check_positive(pareto_k_max, "pareto_k_max")
    trees = {name: fitted.as_tree(fit) for name, fit in fits.items()}
    for name, tree in trees.items():
        if "log_likelihood" not in tree.children or "y" not in tree["log_likelihood"].data_vars:
            raise ValueError(f"Model {name!r} has no log_likelihood['y'] group: LOO needs it.")
    _check_same_observations(trees)
    elpds, k_max, n_high, thresholds = {}, {}, {}, {}
    for name, tree in trees.items():
        with warnings.catch_warnings():
            # ArviZ warns per model; the table and one ParetoKWarning report it instead.
            warnings.filterwarnings("ignore", "Estimated shape parameter of Pareto", UserWarning)
            elpd = azs.loo(tree, pointwise=True, var_name="y")
        k = np.asarray(elpd.pareto_k).ravel()
        good = elpd.good_k if pareto_k_max is None else pareto_k_max
        elpds[name] = elpd
        k_max[name], n_high[name], thresholds[name] = float(np.max(k)), int(np.sum(k > good)), good
    table = azs.compare(elpds, round_to="none")  # full precision; round for display
    table["pareto_k_max"] = pd.Series(k_max)
    table["n_high_k"] = pd.Series(n_high)
    bad = {name: n for name, n in n_high.items() if n}
    if warn and bad:
        listed = ", ".join(
            f"{name} ({n} obs, max k {k_max[name]:.2f} > {thresholds[name]:.2f})"
            for name, n in bad.items()
        )
        warn_caller(
            f"PSIS-LOO is unreliable for {listed}: use moment matching "
            "(arviz_stats.loo_moment_match), K-fold CV, or a more robust model.",
            ParetoKWarning,
        )
    return table


def _check_same_observations(trees: dict) -> None:
    """Raise ValueError unless every fit modelled the same y with the same likelihood: elpds
    of other observations, or densities against probabilities, do not compare."""
    (first, reference), *others = trees.items()
    y0 = _observed_y(first, reference)
    for name, tree in others:
        if fitted.is_gaussian(tree) != fitted.is_gaussian(reference):
            raise ValueError(
                f"Models {first!r} and {name!r} have different likelihoods (gaussian and "
                "logistic): their elpds (densities against probabilities) do not compare."
            )
        y = _observed_y(name, tree)
        if y.shape != y0.shape or not np.array_equal(y, y0):
            how = f"{y0.size} and {y.size} observations" if y.size != y0.size else "other values"
            raise ValueError(
                f"Models {first!r} and {name!r} were fitted to different y ({how}): LOO "
                "compares models of the same observations."
            )


def _observed_y(name: str, tree) -> np.ndarray:
    if "observed_data" not in tree.children or "y" not in tree["observed_data"].data_vars:
        raise ValueError(f"Model {name!r} has no observed_data['y'] group: LOO needs it.")
    return np.asarray(tree["observed_data"]["y"])


# --------------------------------------------------------------------- DSS


@dataclass(frozen=True, eq=False)
class DSSResult:
    """Result of :func:`dss`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model size along the path (index ``size``): ``alpha``, ``features``
        (tuple of names), ``loss`` (posterior mean of psi), ``excess`` (posterior mean of
        psi - psi_full), ``excess_lower``, ``excess_upper`` (central ``prob`` interval).
    coefs : pandas.DataFrame
        Sparse summaries (original scale), one column per size.
    loss_full : float
        Posterior mean of psi_full.
    suggested_size : int
        Smallest size whose excess interval reaches 0.
    """

    table: pd.DataFrame
    coefs: pd.DataFrame
    loss_full: float
    suggested_size: int

    @property
    def selected(self) -> tuple[str, ...]:
        """Features of the suggested sparse summary."""
        return self.table.loc[self.suggested_size, "features"]


def dss(
    fit,
    *,
    X=None,
    n_alphas: int = 100,
    adaptive: bool = True,
    relax: bool = True,
    prob: float = 0.9,
) -> DSSResult:
    """Decoupled shrinkage and selection (Hahn & Carvalho 2015): a sparse summary of a posterior.

    The posterior-mean fit is the target of a lasso path on the working scale, with adaptive
    weights ``w_j = 1 / |beta_bar_j|`` (``adaptive=True``, the paper's choice) or 1; the
    path ends at the dense summary ``beta_bar`` itself. The path chooses the supports. For
    each model size, the summary ``g`` is the projection of the posterior-mean fit onto the
    last support of that size on the path (``relax=True``: least squares of the target on
    those columns, the relaxed lasso) or the lasso solution there (``relax=False``, the
    paper's summary, shrunk toward 0 by the penalty that chose it: its loss mixes the cost
    of leaving features out with that of the shrinkage, so larger sizes are suggested).
    Each ``g`` is scored by its predictive loss under every posterior draw s, against the
    dense summary's: ``excess_s = psi_s(g) - psi_s(beta_bar)``. The suggested size is the
    smallest whose central ``prob`` interval of the excess includes 0: a model the
    posterior cannot tell apart from the dense one.

    - **Gaussian**: ``min_g ||Z beta_bar - Z g||^2 / (2n) + alpha sum_j w_j |g_j|`` and
      ``psi_s(g) = sqrt(sigma_s^2 + ||Z (beta_s - g)||^2 / n)``, in units of y.
    - **Logistic**: the target is the posterior-mean linear predictor
      ``eta_bar = a_bar + Z beta_bar``, fit by weighted least squares with the Bernoulli
      information ``v_i = p_i (1 - p_i)`` at ``p = expit(eta_bar)`` (an unpenalized
      intercept): the second-order expansion of the Kullback-Leibler divergence from
      Bernoulli(expit(eta_bar)) to the summary's predictions. ``psi_s(g)`` is the
      expected log loss of the summary's probabilities under draw s's, in nats per
      observation, ``mean_i softplus(eta_g,i) - p_s,i eta_g,i`` (the entropy of draw s
      cancels from the excess).

    Parameters
    ----------
    fit : xarray.DataTree from :func:`~bayes_l1.fit_posterior`, or a fitted estimator
        A tree that kept no design (``store_X=False``) needs ``X``.
    X : array-like, optional
        The design the fit used (needed for a bare DataTree); a DataFrame's columns are
        matched to the fit's features by name.
    n_alphas : int, default 100
        Grid size of the path.
    adaptive : bool, default True
    relax : bool, default True
        Project onto each support (True) or keep the lasso solution (False).
    prob : float, default 0.9

    Returns
    -------
    DSSResult
        ``table.alpha`` is where the path last had the support (0 for ``beta_bar``).
    """
    prob = check_probability(prob, "prob")
    adaptive = check_bool(adaptive, "adaptive")
    relax = check_bool(relax, "relax")
    tree = fitted.as_tree(fit)
    names = fitted.feature_names(tree)
    design, Z = _dss_design(tree, X, names)
    post = tree["posterior"]
    B = fitted.matrix(post["beta_std"])  # (S, p)
    beta_bar = B.mean(axis=0)
    weights = 1.0 / np.maximum(np.abs(beta_bar), 1e-12) if adaptive else None
    target = _gaussian_target if fitted.is_gaussian(tree) else _logistic_target
    A, b, score = target(tree, Z, B, beta_bar)
    with constant_columns_reported():  # the fit named them; here they are zero columns
        path = lasso_map_path(
            A, b, standardize=False, fit_intercept=False, penalty_weights=weights,
            n_alphas=n_alphas, tol=1e-8,
        )  # fmt: skip
    alphas = np.append(path.alphas, 0.0)
    G = np.column_stack([path.coefs_working, beta_bar])  # (p, K + 1)
    sizes = (G != 0).sum(axis=0)
    # per size the last point on the path, the least shrunk (beta_bar ends the path)
    last = np.sort(len(sizes) - 1 - np.unique(sizes[::-1], return_index=True)[1])
    G, alphas, sizes = G[:, last], alphas[last], sizes[last]
    if relax and G.shape[1] > 1:  # the last summary is beta_bar itself
        G[:, :-1] = np.column_stack([_project(A, b, g) for g in G[:, :-1].T])
    psi, psi_full = score(G)
    excess = psi - psi_full[:, None]
    q = (1.0 - prob) / 2.0
    lo, hi = np.quantile(excess, [q, 1.0 - q], axis=0)
    table = pd.DataFrame(
        {
            "alpha": alphas,
            "features": [tuple(names[j] for j in np.flatnonzero(g)) for g in G.T],
            "loss": psi.mean(axis=0),
            "excess": excess.mean(axis=0),
            "excess_lower": lo,
            "excess_upper": hi,
        },
        index=pd.Index(sizes.astype(int), name="size"),
    )
    coefs = pd.DataFrame(
        design.to_original(G * fitted.y_scale(tree), np.zeros(G.shape[1]))[0],
        index=names,
        columns=pd.Index(table.index, name="size"),
    )
    reached = table.index[table["excess_lower"].to_numpy() <= 0]
    suggested = int(reached[0]) if len(reached) else int(table.index[-1])
    return DSSResult(table, coefs, float(psi_full.mean()), suggested)


def _project(A: np.ndarray, b: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Least squares of b on the columns of A where g != 0 (minimum norm if they are
    collinear), as a full-length vector: the relaxed summary on g's support."""
    on = np.flatnonzero(g)
    out = np.zeros_like(g)
    if on.size:
        out[on] = np.linalg.lstsq(A[:, on], b, rcond=None)[0]
    return out


def _dss_design(tree, X, names):
    """The fit's Design and working design: from the tree, or from X checked against it."""
    if X is not None:
        Xa = np.asarray(align_columns(X, names), dtype=np.float64)
        if Xa.ndim != 2 or Xa.shape[1] != len(names):
            raise ValueError(f"X must be 2-d with {len(names)} columns; got shape {Xa.shape}.")
        if not _same_design(tree, Xa):
            raise ValueError("X differs from the design of the fit: pass the data it used.")
        # the fit warned about constant columns; sds computed without squares, as the fit's
        return Design.fit_transform(Xa, names, warn=False)
    design, Z = fitted.design(tree), fitted.working_X(tree)
    if design is None or Z is None:
        raise ValueError(
            "The fit kept no design (fit_posterior(..., store_X=False), or a tree from "
            "elsewhere): pass X, the design matrix it used."
        )
    return design, Z


def _gaussian_target(tree, Z, B, beta_bar):
    """The least-squares problem (A, b) = (Z, Z beta_bar) whose path and projections give
    the summaries, and score(G) -> (psi (S, K), psi_full (S,)), psi_s(g) =
    sqrt(sigma_s^2 + ||Z (b_s - g)||^2 / n) in units of y, from ||Z b - Z g||^2 =
    |Zb|^2 - 2 (Zb).(Zg) + |Zg|^2: no (draws x features x summaries) array. Z is centred:
    no intercept."""
    sigma, y_scale, n = fitted.matrix(tree["posterior"]["sigma_std"]), fitted.y_scale(tree), len(Z)
    E = B @ Z.T  # (S, n)
    e2 = np.einsum("sn,sn->s", E, E)
    fit_bar = Z @ beta_bar

    def psi(F):  # F (n, K): the summaries' fitted values
        sq = e2[:, None] - 2.0 * E @ F + np.einsum("nk,nk->k", F, F)[None, :]
        return y_scale * np.sqrt(sigma[:, None] ** 2 + np.maximum(sq, 0.0) / n)

    def score(G):
        return psi(Z @ G), psi(fit_bar[:, None])[:, 0]

    return Z, fit_bar, score


def _logistic_target(tree, Z, B, beta_bar):
    """As :func:`_gaussian_target` for the logistic likelihood: the weighted least squares to
    eta_bar (weights v = p (1 - p) at expit(eta_bar), unpenalized intercept by weighted
    centring: A = sqrt(v) Zc, b = sqrt(v) (eta_bar - its weighted mean)), and
    psi_s(g) = mean_i softplus(eta_g,i) - p_s,i eta_g,i (nats per observation)."""
    intercepts = fitted.matrix(tree["posterior"]["intercept_std"])
    eta_bar = intercepts.mean() + Z @ beta_bar
    p_bar = special.expit(eta_bar)
    v = np.maximum(p_bar * (1.0 - p_bar), 1e-12)
    root, centre = np.sqrt(v), v @ eta_bar / v.sum()
    Zc = Z - v @ Z / v.sum()  # weighted centring: the intercept drops out
    P = special.expit(intercepts[:, None] + B @ Z.T)  # (S, n) each draw's probabilities
    n = len(Z)

    def psi(H):  # H (n, K): the summaries' linear predictors
        return (np.logaddexp(0.0, H).sum(axis=0)[None, :] - P @ H) / n

    def score(G):  # each summary's intercept by weighted least squares
        return psi(Zc @ G + centre), psi(eta_bar[:, None])[:, 0]

    return root[:, None] * Zc, root * (eta_bar - centre), score
