"""One function returns the fit: :func:`fit_posterior` samples the posterior of a sparse
regression and returns a self-describing ``xarray.DataTree``.

Data flow: validate the options, resolve the prior and the seed once; ``prepare`` puts
(X, y) on the working scale; ``build_context`` resolves what the prior needs from the data
(one cross-validated lasso at most); the sampler the prior and the options name draws;
then the tree is put on the original scale of y, made portable (netCDF, zarr) and given
what downstream code reads (:mod:`bayes_l1.fitted`): the design in ``constant_data``, the
fit's settings and diagnostics in ``attrs``, in-sample replicates in
``posterior_predictive``. The estimators are this function plus their fitted attributes.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from scipy.special import expit

from bayes_l1._validation import (
    check_bool,
    check_int,
    check_likelihood,
    check_positive,
    check_random_state,
)
from bayes_l1.diagnostics import check_sampling, reported_variables
from bayes_l1.model import (
    ModelData,
    build_context,
    build_model,
    can_marginalize,
    check_marginalize,
    check_prior_supported,
    marginal_cost,
    prepare,
)
from bayes_l1.priors import resolve_prior
from bayes_l1.samplers import sample_nuts
from bayes_l1.samplers.gibbs import check_gibbs_supported, sample_gibbs
from bayes_l1.samplers.model_space import (
    MODEL_SPACE_SAMPLERS,
    check_model_space_supported,
    sample_models,
)
from bayes_l1.samplers.nuts import check_nuts_sampler

__all__ = ["fit_posterior"]

# Automatic marginalization while one gradient costs (model.marginal_cost) <= this:
# n=100, p=200 (2e6) samples 4 x 2000 iterations in ~2 min on 2 cores; n=200, p=1000 (4e7)
# would take ~30 min, where sampler="gibbs" takes seconds.
MARGINAL_COST_LIMIT = 1e7


def fit_posterior(
    X,
    y,
    *,
    likelihood: str = "gaussian",
    prior=None,
    sampler: str | None = "auto",
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    target_accept: float | None = None,
    marginalize: bool | None = None,
    random_state=None,
    progressbar: bool = False,
    store_X: bool = True,
    cv=None,
    return_diagnostics: bool = False,
):
    """Sample the posterior of a sparse linear or logistic regression.

    Parameters
    ----------
    X : array-like or pandas.DataFrame, shape (n, p)
        Features; a DataFrame's column names become the ``feature`` coordinate.
    y : array-like, shape (n,)
        Response (Gaussian) or binary labels (logistic: ``classes[1]`` is coded 1).
    likelihood : {"gaussian", "logistic"}
    prior : Laplace, Horseshoe, RegularizedHorseshoe, Normal, ElasticNetPrior, SpikeAndSlab,
        or a name. Default :class:`~bayes_l1.Laplace` (the Bayesian lasso).
    sampler : {"auto", "nuts", "nutpie", "pymc", "numpyro", "gibbs", "enumeration", "mc3"}
        Default "auto" (None means the same): the fast exact sampler where the package has
        one for the model, else NUTS. In order: "enumeration" for a prior over models
        (:class:`~bayes_l1.SpikeAndSlab`) while p <= 20, "mc3" beyond; "nuts" when a
        NUTS-only option is set (``target_accept``, or ``marginalize`` not None); "gibbs"
        where the prior has a Gibbs kernel for the likelihood (Laplace, also ``lam="eb"``,
        Horseshoe, RegularizedHorseshoe, Normal; logistic by Polya-Gamma, all but
        ``lam="eb"``); else "nuts" (ElasticNetPrior, a prior of one's own without a Gibbs
        kernel). The tree records the sampler used (``attrs["bayes_l1_sampler"]``).
        "nuts" is PyMC's default NUTS (nutpie when installed); "pymc", "nutpie", "numpyro"
        name a NUTS backend. "gibbs": exact Gibbs samplers of the same posterior
        (:func:`~bayes_l1.samplers.sample_gibbs`), no model to compile and much faster for
        p >> n. "enumeration": exact draws over all 2^p models of a SpikeAndSlab prior
        (p <= 20; :func:`~bayes_l1.samplers.sample_models`), which has no NUTS
        construction; "mc3": its Metropolis chain over models (add/delete/swap moves) for
        larger p. ``tune`` is NUTS's adaptation, the burn-in of Gibbs and MC3 (discarded
        either way); enumeration draws exactly and needs none.
    draws, tune, chains : int
        Posterior draws and tuning steps per chain, and the number of chains.
    target_accept : float, optional
        NUTS only (set, it makes "auto" choose NUTS; with another sampler named it is an
        error). NUTS target acceptance rate in (0, 1). Default the prior's
        (``Prior.default_target_accept``): 0.9, and 0.99 for the horseshoe family when its
        coefficients are sampled (logistic, or ``marginalize=False``), whose funnels need
        small steps; raise it if divergences are reported.
    marginalize : bool, optional
        NUTS only (True or False makes "auto" choose NUTS; with another sampler named it is
        an error). Integrate the coefficients out of the Gaussian likelihood (Horseshoe,
        RegularizedHorseshoe, Normal priors) and draw them exactly from their Gaussian
        conditional afterwards: the same posterior without the funnel between a coefficient
        and its local scale that makes NUTS diverge on the joint model, at O(n^2 p) per
        gradient (O(p^3) when p < n). Default None: wherever possible while that cost is
        <= 1e7 (e.g. n=100, p=1000, or p=200 at any n); beyond it the joint model is
        sampled, and ``sampler="gibbs"`` is the fast exact choice.
    random_state : int, SeedSequence, Generator or None
        Seed of the sampler, of the CV folds a prior needs (0 when not an int) and of the
        in-sample replicates: the same seed gives the same draws on one machine.
    progressbar : bool
    store_X : bool, default True
        Keep the working design in ``constant_data["X"]`` (n x p floats): with it a reloaded
        tree gives the lasso columns, ``dss`` and ``compare_map_lasso``-style comparisons
        without the data; without it they need ``X``.
    cv : CVResult, optional
        ``lasso_map_cv(X, y, likelihood=...)`` already computed on these data, reused where
        the prior needs the CV alpha or the noise-sd estimate (default: computed here, with
        folds from ``random_state``).
    return_diagnostics : bool, default False
        Also return the :class:`~bayes_l1.Diagnostics` (the tree holds its summary as JSON;
        its per-parameter table is recomputed by :func:`bayes_l1.diagnose`).

    Returns
    -------
    xarray.DataTree or (xarray.DataTree, Diagnostics)
        Groups ``posterior`` (``beta``, ``intercept``, ``sigma`` on the original scale;
        ``beta_std``, ``intercept_std``, ``sigma_std`` on the working one; the prior's
        scales), ``sample_stats``, ``observed_data`` and ``log_likelihood`` (original scale
        of y), ``posterior_predictive`` (in-sample replicates of y), ``constant_data``
        (the design) and ``attrs`` (:data:`bayes_l1.fitted.ATTRS`).

    Warns
    -----
    SamplingWarning
        The draws failed a convergence check (the tree's diagnostics say which, with advice).

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> tree = bl.fit_posterior(X, y, prior=bl.Horseshoe(), sampler="gibbs", draws=200,
    ...                         tune=200, chains=2, random_state=0)
    >>> tree["posterior"]["beta"].sizes["feature"]
    10
    """
    requested = sampler
    prior, sampler = _check_options(
        likelihood, prior, sampler, draws, tune, chains, target_accept, marginalize,
        random_state, progressbar, store_X,
    )  # fmt: skip
    data = prepare(X, y, likelihood=likelihood)
    seed = check_random_state(random_state)
    context = build_context(data, prior, random_state=seed if isinstance(seed, int) else 0, cv=cv)
    gibbs = sampler == "gibbs"
    over_models = sampler in MODEL_SPACE_SAMPLERS
    marginalized = (
        not (gibbs or over_models)
        and _marginalized(marginalize, prior, likelihood, data.n, data.p)
    )  # fmt: skip
    if over_models:
        method = "auto" if requested in (None, "auto") else sampler
        tree = sample_models(
            data, prior, draws=draws, tune=tune, chains=chains, random_seed=random_state,
            method=method,
        )  # fmt: skip
        sampler = tree["posterior"].attrs["sampler"]
    elif gibbs:
        tree = sample_gibbs(
            data, prior, draws=draws, tune=tune, chains=chains, random_seed=random_state,
            progressbar=progressbar, context=context,
        )  # fmt: skip
    else:
        tree = sample_nuts(
            build_model(data, prior, context=context, marginalize=marginalized),
            draws=draws, tune=tune, chains=chains,
            target_accept=target_accept or prior.default_target_accept(marginalized),
            random_seed=random_state, progressbar=progressbar, sampler=sampler, data=data,
        )  # fmt: skip
    tree = _portable(_original_scale(tree, data))
    tree["posterior_predictive"] = xr.Dataset(
        {"y": replicate(tree["posterior"], in_sample_eta(tree, data), likelihood, random_state)}
    )
    tree["constant_data"] = _design_data(data, store_X)
    diagnostics = check_sampling(
        tree, var_names=reported_variables(tree["posterior"]), prior_name=prior
    )
    tree.attrs.update(_attrs(data, prior, context, sampler, marginalized, diagnostics))
    return (tree, diagnostics) if return_diagnostics else tree


def _check_options(
    likelihood, prior, sampler, draws, tune, chains, target_accept, marginalize,
    random_state, progressbar, store_X,
):  # fmt: skip
    """Every option checked before any work; returns the resolved prior and sampler."""
    check_likelihood(likelihood)
    check_int(draws, "draws", minimum=1)
    check_int(chains, "chains", minimum=1)
    check_int(tune, "tune", minimum=0)
    check_random_state(random_state)
    check_bool(progressbar, "progressbar")
    check_bool(store_X, "store_X")
    if target_accept is not None and not 0 < check_positive(target_accept, "target_accept") < 1:
        raise ValueError(f"target_accept must be in (0, 1); got {target_accept}.")
    prior = resolve_prior(prior)
    check_prior_supported(prior, likelihood)
    if marginalize not in (None, True, False):
        raise ValueError(f"marginalize must be None, True or False; got {marginalize!r}.")
    nuts_only = _nuts_options(target_accept, marginalize)
    sampler = _resolve_sampler("auto" if sampler is None else sampler, prior, likelihood, nuts_only)
    if sampler in MODEL_SPACE_SAMPLERS:
        check_model_space_supported(prior, likelihood)
    elif sampler == "gibbs":
        check_gibbs_supported(prior, likelihood)
    else:
        check_nuts_sampler(sampler)  # Laplace(lam="eb") is refused by its build
        if not prior.nuts:
            raise ValueError(
                f"{type(prior).__name__} has no NUTS construction (its model indicators are "
                f"discrete); sampler={sampler!r} does not apply: use {prior.sampler_advice()}."
            )
    if marginalize:
        check_marginalize(prior, likelihood)
    if nuts_only and (sampler == "gibbs" or sampler in MODEL_SPACE_SAMPLERS):
        verb, it = ("apply", "them") if len(nuts_only) > 1 else ("applies", "it")
        raise ValueError(
            f"{' and '.join(nuts_only)} {verb} to NUTS only, and the {sampler!r} sampler "
            f"would ignore {it}: leave {it} unset, or use sampler='nuts'."
        )
    return prior, sampler


def _nuts_options(target_accept, marginalize) -> list[str]:
    """The options the caller set that only NUTS honours."""
    names = ["target_accept"] if target_accept is not None else []
    return names + (["marginalize"] if marginalize is not None else [])


def _resolve_sampler(sampler: str, prior, likelihood: str, nuts_only=()) -> str:
    """``"auto"``: the sampler over models for a prior over models, else NUTS when a
    NUTS-only option is set (``nuts_only``: their names), else the exact Gibbs sampler
    where the prior has one for the likelihood, else NUTS; any other name as given."""
    if sampler != "auto":
        return sampler
    if prior.model_space:
        return MODEL_SPACE_SAMPLERS[0]
    if nuts_only:
        return "nuts"
    try:
        check_gibbs_supported(prior, likelihood)
    except ValueError:
        return "nuts"
    return "gibbs"


def _marginalized(marginalize, prior, likelihood: str, n: int, p: int) -> bool:
    """Whether NUTS samples the model with the coefficients integrated out."""
    if marginalize is None:
        cheap = marginal_cost(n, p) <= MARGINAL_COST_LIMIT
        return can_marginalize(prior, likelihood) and cheap
    return bool(marginalize)


def _original_scale(tree, data: ModelData):
    """Observed data and log-likelihood on the original scale of y: one boundary for every
    sampler, so summaries and LOO never depend on the working scale."""
    if data.likelihood == "gaussian":
        obs = tree["observed_data"].to_dataset()
        tree["observed_data"] = obs.assign(y=(("obs",), data.y))
        ll = tree["log_likelihood"].to_dataset()
        tree["log_likelihood"] = ll.assign(y=ll["y"] - np.log(data.y_scale))
    return tree


def _as_strings(values: np.ndarray) -> np.ndarray:
    """Object strings (None: no value) as fixed-width unicode, None as ""."""
    flat = ["" if v is None else str(v) for v in values.ravel()]
    return np.asarray(flat, dtype=str).reshape(values.shape)


def _portable(tree):
    """The tree in forms netCDF and zarr write and read back unchanged: feature names as
    fixed-width unicode (object strings come back as another dtype) and object-valued
    statistics, such as nutpie's ``divergence_message``, as strings with "" for None."""
    for group in list(tree.children):
        ds = tree[group].to_dataset()
        if "feature" in ds.coords:
            ds = ds.assign_coords(feature=_as_strings(ds["feature"].to_numpy()))
        for name, da in ds.data_vars.items():
            if da.dtype == object:
                ds[name] = da.copy(data=_as_strings(da.to_numpy()))
        tree[group] = ds
    return tree


def in_sample_eta(tree, data: ModelData) -> xr.DataArray:
    """Draws of the linear predictor at the fit's own rows, dims (chain, draw, obs)."""
    return linear_predictor(tree["posterior"], data.X)


def linear_predictor(posterior, X: np.ndarray) -> xr.DataArray:
    """Draws of X @ beta + intercept for rows X (original scale), dims (chain, draw, obs)."""
    beta = posterior["beta"].transpose("chain", "draw", "feature").to_numpy()
    eta = np.einsum("cdp,np->cdn", beta, X) + posterior["intercept"].to_numpy()[..., None]
    return xr.DataArray(eta, dims=("chain", "draw", "obs"))


def replicate(posterior, eta: xr.DataArray, likelihood: str, random_state) -> xr.DataArray:
    """Draws of y given draws of the linear predictor (logistic: 0/1, 1 for ``classes[1]``)."""
    rng = np.random.default_rng(random_state)
    if likelihood == "logistic":
        u = xr.DataArray(rng.uniform(size=eta.shape), dims=eta.dims)
        return (u < expit(eta)).astype(np.int8)
    noise = xr.DataArray(rng.standard_normal(eta.shape), dims=eta.dims)
    return eta + posterior["sigma"] * noise


def _design_data(data: ModelData, store_X: bool) -> xr.Dataset:
    """``constant_data``: the design (offsets, scales, constant columns), the working X and
    the class labels (logistic: ``classes[1]`` is coded 1)."""
    d = data.design
    ds = xr.Dataset(
        {
            "x_offset": ("feature", d.offset),
            "x_scale": ("feature", d.scale),
            "x_constant": ("feature", d.constant.astype(np.int8)),
        },
        coords={"feature": np.asarray(d.feature_names, dtype=str)},
    )
    if store_X:
        ds["X"] = (("obs", "feature"), np.ascontiguousarray(data.Z))
    if data.classes is not None:  # labels of a native dtype; objects (e.g. str) as strings
        labels = np.asarray(np.asarray(data.classes).tolist())
        ds["classes"] = ("class", _as_strings(labels) if labels.dtype == object else labels)
    return ds


def _attrs(data: ModelData, prior, context, sampler, marginalized, diagnostics) -> dict:
    """The fit's settings as flat netCDF/zarr attributes (:data:`bayes_l1.fitted.ATTRS`)."""
    attrs = {
        "likelihood": data.likelihood,
        "prior": repr(prior),
        "prior_class": type(prior).__name__,
        "sampler": sampler,
        "marginalized": int(marginalized),
        "y_center": data.y_center,
        "y_scale": data.y_scale,
        "diagnostics": json.dumps(diagnostics.to_dict()),
    }
    if context.alpha_cv is not None:
        attrs["alpha_cv"] = float(context.alpha_cv)
    if np.isfinite(context.sigma_hat):
        attrs["sigma_hat"] = float(context.sigma_hat * data.y_scale)
    if (penalty := prior.map_penalty(context)) is not None:
        attrs["map_alpha"], attrs["map_l1_ratio"] = float(penalty[0]), float(penalty[1])
    return {"bayes_l1_" + key: value for key, value in attrs.items()}
