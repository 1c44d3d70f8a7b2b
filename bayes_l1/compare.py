"""Comparisons: the lasso against the MAP and posterior of the PyMC model, models against each
other by PSIS-LOO, and decoupled shrinkage and selection (a sparse summary of a posterior).

``compare_map_lasso`` builds and fits a PyMC model (imported on call); the other functions
only read the DataTree of a fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bayes_l1._columns import align_columns
from bayes_l1._validation import (
    check_bool,
    check_positive,
    check_probability,
    check_random_state,
    constant_columns_reported,
    warn_caller,
)
from bayes_l1.data import Design
from bayes_l1.map import lasso_map, lasso_map_path
from bayes_l1.summary import (
    _datatree,
    _feature_names,
    _is_gaussian,
    _matrix,
    _same_design,
    inclusion_summary,
)

__all__ = [
    "DSSResult",
    "MapLassoComparison",
    "ParetoKWarning",
    "compare_map_lasso",
    "compare_models",
    "dss",
]


class ParetoKWarning(UserWarning):
    """PSIS-LOO is unreliable for some observations (Pareto k above the threshold)."""


# --------------------------------------------------------------------- MAP vs lasso


@dataclass(frozen=True, eq=False)
class MapLassoComparison:
    """Result of :func:`compare_map_lasso`; ``print`` it for the report.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature, original scale: ``sklearn`` (scikit-learn's ``Lasso``),
        ``lasso_map``, ``pymc_map`` and, when sampled, ``post_mean, post_median, post_lower,
        post_upper`` (HDI) and ``pip``.
    alpha : float
        The lasso penalty (scikit-learn scaling, original y).
    sigma_hat : float
        The noise sd at which the PyMC model's sigma is fixed (original scale of y).
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
        The sampled :class:`~bayes_l1.BayesianLinearRegression`, if any.
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
        lines = [
            f"Lasso vs MAP of the Laplace model at alpha = {self.alpha:.6g} "
            f"(sigma fixed at {self.sigma_hat:.4g}):",
            f"  max |sklearn - pymc_map| = {self.max_abs_diff:.3g}; "
            f"max |lasso_map - pymc_map| = {self.max_abs_diff_lasso_map:.3g}; "
            f"log density at MAP minus at lasso_map = {self.logp_gap:.3g}",
        ]
        with pd.option_context("display.width", 120, "display.max_columns", 12):
            lines.append(self.table.to_string(float_format=lambda v: f"{v:.6g}"))
        return "\n".join(lines)


def sklearn_lasso(
    X, y, alpha: float, *, tol: float = 1e-14, max_iter: int = 1_000_000
) -> np.ndarray:
    """scikit-learn's Lasso on StandardScaler(X) (as lasso_map standardizes), mapped back to
    the original units. At ``max_iter`` epochs it stops where it is (scikit-learn warns)."""
    from sklearn.linear_model import Lasso  # imported on use: only this comparison needs it
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=float)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = Lasso(alpha=alpha, tol=tol, max_iter=max_iter)
    model.fit(scaler.transform(X), np.asarray(y, dtype=float))
    return model.coef_ / scale


def _pymc_map(model, *, max_iter: int = 100_000, tol: float = 1e-13):
    """Mode of a PyMC Laplace-prior model with fixed sigma, from its compiled log densities.

    The log density splits into a smooth part (likelihood and intercept prior: value and
    gradient compiled from ``model.logp``) and the Laplace prior of ``beta_std``, whose
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
    smooth = model.logp(vars=[model["y"], icpt_rv], jacobian=False)
    smooth_fn = pytensor.function(values, [smooth, *pytensor.grad(smooth, values)])
    prior_fn = pytensor.function([values[0]], model.logp(vars=[beta_rv], jacobian=False))
    total_fn = model.compile_logp(jacobian=False)
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
    prior=None,
    posterior: bool = True,
    eps: float | None = None,
    prob: float = 0.9,
    random_state=0,
    verbose: bool = True,
    **fit_kwargs,
) -> MapLassoComparison:
    """The lasso, three ways, next to the posterior: proof of "lasso = Laplace MAP" in one call.

    Columns (original scale): scikit-learn's ``Lasso`` on ``StandardScaler(X)`` mapped back
    (as ``lasso_map`` standardizes), :func:`bayes_l1.lasso_map`, the mode of the PyMC model
    (Laplace prior with ``lam = n alpha / sigma_hat`` on the working scale and sigma *fixed*
    at sigma_hat, the cross-validated-lasso noise estimate: the setting in which the mode is
    exactly the lasso), and the posterior of the same prior with sigma free: mean, median,
    HDI and pip.

    The PyMC mode is found from the model's compiled log densities by proximal gradient
    (see ``_pymc_map``): soft thresholding with the model's own Laplace rate, so it is
    exactly sparse, and it matches scikit-learn to ~1e-9 on diabetes. Gaussian likelihood.

    Parameters
    ----------
    X, y : array-like
    alpha : float, optional
        Lasso penalty (scikit-learn scaling, original y). Needed unless ``prior`` fixes it.
    prior : Laplace, optional
        Default ``Laplace(alpha=alpha)``; a Laplace prior with fixed ``lam``/``alpha``/"cv".
    posterior : bool, default True
        Also sample the posterior (``BayesianLinearRegression(prior, **fit_kwargs)``).
    eps, prob : as :func:`bayes_l1.inclusion_summary`.
    random_state : int, default 0
        Seed of the noise-sd estimate's CV folds and of the sampler.
    verbose : bool, default True
        Print the one-line verdict (max difference scikit-learn vs MAP).
    **fit_kwargs
        Passed to :class:`~bayes_l1.BayesianLinearRegression` (``draws``, ``chains``, ...).

    Returns
    -------
    MapLassoComparison
        ``.table``, ``.max_abs_diff``, ...; ``str()`` gives the report.
    """
    from bayes_l1.estimators import BayesianLinearRegression
    from bayes_l1.model import build_context, build_model, prepare
    from bayes_l1.priors import Laplace, resolve_prior

    if alpha is not None:
        alpha = check_positive(alpha, "alpha")  # "0.1" or True must not pass as a number
    random_state = check_random_state(random_state)
    data = prepare(X, y, likelihood="gaussian")
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
    context = build_context(data, prior, random_state=random_state)
    alpha_prior = prior.map_penalty(context)[0]
    if alpha is not None and not np.isclose(alpha_prior, alpha, rtol=1e-12):
        raise ValueError(f"alpha={alpha} disagrees with the prior's alpha {alpha_prior}.")
    alpha = float(alpha_prior)
    sigma_hat = context.sigma_hat * data.y_scale
    Xa = data.X

    model = build_model(data, prior, sigma=sigma_hat, context=context)
    beta_active, _, n_iter, logp_map, total_fn, values = _pymc_map(model)
    beta_std = np.zeros(data.p)  # the model leaves constant columns out: they are 0
    beta_std[data.active] = beta_active
    pymc_map = beta_std * data.y_scale / data.design.scale

    with constant_columns_reported():  # prepare warned once, by name
        lasso = lasso_map(Xa, data.y, alpha, tol=1e-12, max_iter=10_000)
    w_lasso = lasso.coef_working / data.y_scale
    c_lasso = 0.0  # the working response is centred: the intercept mode is 0 at any beta
    logp_lasso = float(total_fn({values[0].name: w_lasso[data.active], values[1].name: c_lasso}))

    names = list(data.feature_names)
    table = pd.DataFrame(index=pd.Index(names, name="feature"))
    sk = sklearn_lasso(Xa, data.y, alpha)
    table["sklearn"] = sk + 0.0  # no -0.0 in the display
    table["lasso_map"] = lasso.coef
    table["pymc_map"] = pymc_map + 0.0
    fit = None
    if posterior:
        fit_kwargs.setdefault("random_state", random_state)
        X_named = pd.DataFrame(Xa, columns=names)
        with constant_columns_reported():
            fit = BayesianLinearRegression(prior=prior, **fit_kwargs).fit(X_named, data.y)
        summ = inclusion_summary(fit, eps=eps, prob=prob, lasso=False).loc[names]
        table["post_mean"] = summ["mean"]
        table["post_median"] = summ["median"]
        table["post_lower"] = summ["hdi_lower"]
        table["post_upper"] = summ["hdi_upper"]
        table["pip"] = summ["pip"]
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
    elpds, k_max, n_high, thresholds = {}, {}, {}, {}
    for name, fit in fits.items():
        tree, _ = _datatree(fit)
        if "log_likelihood" not in tree.children or "y" not in tree["log_likelihood"].data_vars:
            raise ValueError(f"Model {name!r} has no log_likelihood['y'] group: LOO needs it.")
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
    prob: float = 0.9,
) -> DSSResult:
    """Decoupled shrinkage and selection (Hahn & Carvalho 2015): a sparse summary of a posterior.

    The posterior-mean fit ``Z beta_bar`` (working scale) is the target of a lasso path,
    ``min_g ||Z beta_bar - Z g||^2 / (2n) + alpha sum_j w_j |g_j|`` with adaptive weights
    ``w_j = 1 / |beta_bar_j|`` (``adaptive=True``, the paper's choice) or 1. Each sparse
    ``g`` is scored by its predictive loss under every posterior draw,

        psi_s(g) = sqrt(sigma_s^2 + ||Z (beta_s - g)||^2 / n)    (original units of y),

    against the full model's psi_s(beta_bar); ``excess`` = psi(g) - psi(beta_bar) per draw.
    The suggested size is the smallest whose central ``prob`` interval of the excess
    includes 0: a model the posterior cannot tell apart from the dense one.

    Parameters
    ----------
    fit : fitted BayesianLinearRegression or its DataTree
        A DataTree needs ``X`` (the raw design the fit used).
    X : array-like, optional
        The design the fit used (needed for a bare DataTree); a DataFrame's columns are
        matched to the fit's features by name.
    n_alphas : int, default 100
        Grid size of the path.
    adaptive : bool, default True
    prob : float, default 0.9

    Returns
    -------
    DSSResult
    """
    prob = check_probability(prob, "prob")
    adaptive = check_bool(adaptive, "adaptive")
    tree, est = _datatree(fit)
    if not _is_gaussian(tree):
        raise ValueError("dss supports the Gaussian likelihood (a sigma_std posterior) only.")
    names = _feature_names(tree)
    if X is not None:
        Xa = np.asarray(align_columns(X, names), dtype=np.float64)
        if Xa.ndim != 2 or Xa.shape[1] != len(names):
            raise ValueError(f"X must be 2-d with {len(names)} columns; got shape {Xa.shape}.")
        if not _same_design(tree, Xa):
            raise ValueError("X differs from the design of the fit: pass the data it used.")
        # the fit warned about constant columns; sds computed without squares, as the fit's
        design, Z = Design.fit_transform(Xa, names, warn=False)
        y_obs = tree["observed_data"]["y"].to_numpy()[:, None]
        y_scale = float(Design.fit_transform(y_obs, ("y",), warn=False)[0].scale[0])
    elif est is not None:
        design, Z = est.model_data_.design, est.model_data_.Z
        y_scale = est.model_data_.y_scale
    else:
        raise ValueError("dss on a bare DataTree needs X, the design matrix the fit used.")
    n = Z.shape[0]
    post = tree["posterior"]
    B = _matrix(post["beta_std"])  # (S, p)
    sigma = _matrix(post["sigma_std"])
    beta_bar = B.mean(axis=0)
    target = Z @ beta_bar
    weights = 1.0 / np.maximum(np.abs(beta_bar), 1e-12) if adaptive else None
    path = lasso_map_path(
        Z, target, standardize=False, penalty_weights=weights, n_alphas=n_alphas, tol=1e-8
    )
    # the path ends at the dense summary itself (alpha -> 0 gives g = beta_bar)
    G = np.column_stack([path.coefs_working, beta_bar])  # (p, K + 1)
    alphas = np.append(path.alphas, 0.0)
    # psi per (draw, path point): ||Z b_s - Z g_k||^2 = |Zb_s|^2 - 2 (Zb_s).(Zg_k) + |Zg_k|^2
    E = B @ Z.T  # (S, n)
    F = (Z @ G).T  # (K, n)
    e2 = np.einsum("sn,sn->s", E, E)
    sq = e2[:, None] - 2.0 * E @ F.T + np.einsum("kn,kn->k", F, F)[None, :]
    psi = y_scale * np.sqrt(sigma[:, None] ** 2 + np.maximum(sq, 0.0) / n)
    Ebar = target
    sq_full = e2 - 2.0 * E @ Ebar + Ebar @ Ebar
    psi_full = y_scale * np.sqrt(sigma**2 + np.maximum(sq_full, 0.0) / n)
    excess = psi - psi_full[:, None]
    q = (1.0 - prob) / 2.0
    lo, hi = np.quantile(excess, [q, 1.0 - q], axis=0)

    sizes = (G != 0).sum(axis=0)
    first = np.unique(sizes, return_index=True)[1]  # largest alpha reaching each size
    first = np.sort(first)
    rows = []
    for k in first:  # one row per model size (<= p rows), not per draw or feature
        support = tuple(names[j] for j in np.flatnonzero(G[:, k]))
        rows.append(
            (
                int(sizes[k]),
                alphas[k],
                support,
                psi[:, k].mean(),
                excess[:, k].mean(),
                lo[k],
                hi[k],
            )
        )
    table = pd.DataFrame(
        rows,
        columns=["size", "alpha", "features", "loss", "excess", "excess_lower", "excess_upper"],
    ).set_index("size")
    coefs = pd.DataFrame(
        design.to_original(G[:, first] * y_scale, np.zeros(first.size))[0],
        index=names,
        columns=pd.Index(table.index, name="size"),
    )
    reached = table.index[table["excess_lower"].to_numpy() <= 0]
    suggested = int(reached[0]) if len(reached) else int(table.index[-1])
    return DSSResult(table, coefs, float(psi_full.mean()), suggested)
