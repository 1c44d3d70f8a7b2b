"""PyMC models: ``prepare`` puts the data on the working scale, ``build_model`` writes the model.

Working scale: features standardized (population sd) and centred; for the Gaussian
likelihood the response is standardized too, so priors mean the same on every data set.
The posterior holds both the working-scale coefficients (``beta_std``, ``intercept_std``)
and Deterministics on the original scale (``beta``, ``intercept``, ``sigma``).

``build_model(..., marginalize=True)`` writes the Gaussian-likelihood model of a Gaussian
scale-mixture prior (horseshoes, Normal) with the coefficients integrated out: NUTS then
samples only the scales, sigma and the intercept, and
:func:`~bayes_l1.samplers.nuts.sample_nuts` draws the coefficients from their exact Gaussian
conditional. Same posterior, without the funnel between a coefficient and its local scale
that makes NUTS diverge on the joint model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bayes_l1._validation import (
    check_label_types,
    check_likelihood,
    check_positive,
    check_X_y,
    constant_columns_reported,
    preview,
    warn_caller,
)
from bayes_l1.data import Design
from bayes_l1.map import CVResult, lasso_map_cv
from bayes_l1.map.cv import cv_noise_sd
from bayes_l1.map.solve import working_target
from bayes_l1.priors import (
    BuildContext,
    prior_names,
    pseudo_sigma,
    resolve_prior,
)

__all__ = [
    "ModelData",
    "build_model",
    "can_marginalize",
    "check_marginalize",
    "prepare",
    "restore_held_at_zero",
]

# Intercept prior sd on the working scale: wide next to the centred response (sd 1) or the
# log-odds scale, and irrelevant to the coefficients' mode (centred X decouples them).
INTERCEPT_SD = 5.0


@dataclass(frozen=True, eq=False)
class ModelData:
    """Data on the working scale, with the maps back to the original one."""

    design: Design
    Z: np.ndarray
    y: np.ndarray  # original response (0/1 for logistic)
    y_work: np.ndarray
    y_center: float
    y_scale: float
    likelihood: str
    classes: np.ndarray | None

    @property
    def n(self) -> int:
        return self.Z.shape[0]

    @property
    def p(self) -> int:
        return self.Z.shape[1]

    @property
    def X(self) -> np.ndarray:
        """The validated design on its original scale (the inverse of the standardization)."""
        return self.Z * self.design.scale + self.design.offset

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.design.feature_names

    @property
    def active(self) -> np.ndarray:
        """Features in the model: all but the constant columns (``design.held_at_zero``)."""
        return ~self.design.held_at_zero

    def drop_held_at_zero(self) -> ModelData:
        """These data without the constant columns: every sampler works on this subset and
        :func:`restore_held_at_zero` puts those features back at exactly 0."""
        keep = self.active
        if keep.all():
            return self
        d = self.design
        design = replace(
            d,
            feature_names=tuple(np.asarray(d.feature_names, dtype=object)[keep]),
            offset=d.offset[keep],
            scale=d.scale[keep],
            constant=d.constant[keep],
        )
        return replace(self, design=design, Z=np.asfortranarray(self.Z[:, keep]))

    def pseudo_sigma(self) -> float:
        """Logistic pseudo-sigma of these labels (:func:`bayes_l1.priors.pseudo_sigma`)."""
        return pseudo_sigma(self.y)


def prepare(X, y, *, likelihood: str = "gaussian") -> ModelData:
    """Validate and put (X, y) on the working scale."""
    check_likelihood(likelihood)
    if likelihood == "logistic":
        check_label_types(y)
    Xa, ya, names, classes = check_X_y(X, y, likelihood=likelihood, min_samples=3)
    design, Z = Design.fit_transform(Xa, names, standardize=True, fit_intercept=True, warn=False)
    _check_held_at_zero(design)
    if likelihood == "gaussian":
        center, scale, y_work = _standardize_y(ya)
    else:
        center, scale, y_work = 0.0, 1.0, ya
    return ModelData(design, Z, ya, y_work, center, scale, likelihood, classes)


def _standardize_y(y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Mean, population sd and standardized y, computed as for the columns of X (without
    squaring y; constant up to rounding relative to its own magnitude), for y whose squares
    in its own units are representable: summaries and diagnostics square draws in y's
    units, as the MAP solver squares y (|y - mean(y)| within about 1e-150 .. 1e150)."""
    try:
        d, z = Design.fit_transform(y[:, None], ("y",), warn=False)
    except ValueError:
        raise ValueError(
            "y holds values too large for float64 arithmetic (their differences overflow "
            "beyond 1.8e308); rescale y, e.g. divide it by 1e300."
        ) from None
    if d.constant[0]:
        raise ValueError("y is constant: there is nothing to regress.")
    working_target(y, "gaussian", True)  # raises where squares of y in its units over/underflow
    return float(d.offset[0]), float(d.scale[0]), z[:, 0]


def _check_held_at_zero(design: Design) -> None:
    """Warn once, by name, about constant columns (left out of the model, reported at exactly
    0); raise when no column varies."""
    held = design.held_at_zero
    if held.all():
        raise ValueError(
            "Every column of X is constant: with an intercept there is nothing to regress on."
        )
    if held.any():
        cols = [design.feature_names[j] for j in np.flatnonzero(held)]
        warn_caller(
            f"Columns [{preview(cols, 10)}] are constant: with an "
            "intercept they carry no information, so they are left out of the model and "
            "their coefficients are exactly 0 in every draw."
        )


def restore_held_at_zero(idata, data: ModelData):
    """Put the constant columns left out by :meth:`ModelData.drop_held_at_zero` back into every
    group with a ``feature`` dimension, in the order of ``data``, with every value 0: the
    coefficients (and the horseshoe's local scales) of those features are exactly 0."""
    if data.active.all():
        return idata
    names = np.asarray(data.feature_names, dtype=object)
    for group in list(idata.children):
        ds = idata[group].to_dataset()
        if "feature" in ds.dims:
            idata[group] = ds.reindex(feature=names, fill_value=0)
    return idata


def build_context(data: ModelData, prior, *, random_state=0, cv=None) -> BuildContext:
    """Resolve what the prior needs from the data: the CV alpha for ``Laplace(lam="cv")``,
    the noise-sd estimate where an alpha must be mapped to a prior scale. Both come from one
    cross-validated lasso, ``lasso_map_cv(X, y)`` on the fit's data (given as ``cv`` or
    computed with folds from ``random_state``): the noise sd is RSS / (n - k - 1) at its
    alpha (Reid, Tibshirani & Friedman 2016). Constant columns are left out (``p`` counts
    the features in the model)."""
    needs_sigma = prior.needs_sigma_hat and data.likelihood == "gaussian"
    if cv is not None:
        _check_cv(cv, data)
    if cv is None and (prior.needs_alpha_cv or needs_sigma):
        with constant_columns_reported():  # prepare named them, once
            cv = lasso_map_cv(data.X, data.y, likelihood=data.likelihood, random_state=random_state)
    sigma_hat = float("nan")
    if needs_sigma:
        sigma_hat = cv_noise_sd(cv, data.X, data.y) / data.y_scale
    active = data.drop_held_at_zero()
    return BuildContext(
        active.n,
        active.p,
        data.likelihood,
        sigma_hat=sigma_hat,
        y_scale=data.y_scale,
        alpha_cv=None if cv is None else float(cv.alpha),
    )


def _check_cv(cv, data: ModelData) -> None:
    """A CV passed in must be ``lasso_map_cv`` on these data: its likelihood and features."""
    if not isinstance(cv, CVResult):
        raise TypeError(
            f"cv must be a CVResult from bayes_l1.lasso_map_cv; got {type(cv).__name__}."
        )
    path = cv.path
    if path.likelihood != data.likelihood or len(path.feature_names) != data.p:
        raise ValueError(
            f"cv was computed for other data ({path.likelihood} likelihood, "
            f"{len(path.feature_names)} features); pass lasso_map_cv(X, y) of these data "
            f"({data.likelihood}, {data.p} features)."
        )


def can_marginalize(prior, likelihood: str) -> bool:
    """Whether the coefficients can be integrated out: Gaussian likelihood and a prior that
    is Gaussian given its scales (Horseshoe, RegularizedHorseshoe, Normal: the prior says,
    ``Prior.can_marginalize``)."""
    return prior.can_marginalize(likelihood)


def check_prior_supported(prior, likelihood: str) -> None:
    """Raise ValueError when the prior does not support this likelihood."""
    if not prior.supports_likelihood(likelihood):
        raise ValueError(
            f"{type(prior).__name__} supports the {' and '.join(prior.likelihoods)} "
            f"likelihood, not {likelihood}."
        )


def check_marginalize(prior, likelihood: str) -> None:
    """Raise ValueError where ``marginalize=True`` cannot apply."""
    if not can_marginalize(prior, likelihood):
        raise ValueError(
            f"marginalize=True needs the Gaussian likelihood and a "
            f"{prior_names(lambda cls: cls.marginalizable, ' or ')} prior (Gaussian given "
            f"its scales); got "
            f"{type(prior).__name__} with the {likelihood} likelihood."
        )


def marginal_cost(n: int, p: int) -> int:
    """Flops of one evaluation of :func:`marginal_loglik`, up to a constant."""
    return n * n * p if n <= p else p**3


def marginal_loglik(Z: np.ndarray, y: np.ndarray, intercept, sd, sigma):
    """log N(y | intercept, sigma^2 I + Z diag(sd^2) Z^T), a PyTensor expression of the
    scales for fixed data: the Gaussian likelihood with w ~ N(0, diag(sd^2)) integrated out.

    Factors the n x n covariance when n <= p (O(n^2 p) per evaluation). When p < n, factors
    M = I + A^T A with A = Z diag(sd) / sigma (p x p, eigenvalues >= 1, so tiny scales are
    harmless) by Woodbury and the determinant lemma, from Z^T Z and Z^T y computed once:
    O(p^3) per evaluation, whatever n.
    """
    import pytensor.tensor as pt
    from pytensor.tensor.linalg import cholesky, solve_triangular

    n, p = Z.shape
    if n <= p:
        K = (pt.as_tensor(Z) * sd**2) @ Z.T + sigma**2 * pt.eye(n)
        L = cholesky(K)
        v = solve_triangular(L, y - intercept, lower=True)
        quad, logdet = v @ v, 2.0 * pt.log(pt.diag(L)).sum()
    else:
        a = sd / sigma
        M = a[:, None] * (Z.T @ Z) * a[None, :] + pt.eye(p)
        L = cholesky(M)
        Ztr = Z.T @ y - intercept * Z.sum(axis=0)  # Z^T (y - intercept)
        v = solve_triangular(L, a * Ztr, lower=True)
        rtr = y @ y - 2.0 * intercept * y.sum() + n * intercept**2
        quad = (rtr - v @ v) / sigma**2
        logdet = 2.0 * n * pt.log(sigma) + 2.0 * pt.log(pt.diag(L)).sum()
    return -0.5 * (quad + logdet + n * np.log(2.0 * np.pi))


def build_model(
    data: ModelData,
    prior=None,
    *,
    sigma: float | None = None,
    context=None,
    marginalize: bool = False,
):
    """Write the PyMC model for ``data`` under ``prior``.

    Parameters
    ----------
    data : ModelData
        From :func:`prepare`.
    prior : a prior from :mod:`bayes_l1.priors`, its name, or None (Laplace).
    sigma : float, optional
        Fix the noise sd (original scale of y) instead of giving it a HalfNormal(1) prior on
        the working scale: the setting in which the Laplace MAP is exactly the lasso.
    context : BuildContext, optional
        Pre-resolved data summaries (see :func:`build_context`).
    marginalize : bool
        Integrate the coefficients out (see :func:`can_marginalize`): the model then holds
        the scales, ``sigma_std``, ``intercept_std``, the conditional sd of each coefficient
        ``coef_sd`` and the potential ``y_marginal``; :func:`~bayes_l1.samplers.sample_nuts`
        completes its draws with the coefficients.

    Returns
    -------
    pymc.Model
        Coordinates ``feature`` (the feature names, without constant columns: those are
        left out, see :meth:`ModelData.drop_held_at_zero`) and ``obs``; data ``X`` and (joint
        model) ``y_obs`` as ``pm.Data`` so the same model predicts on new rows.
    """
    import pymc as pm

    data = data.drop_held_at_zero()
    prior = resolve_prior(prior)
    check_prior_supported(prior, data.likelihood)
    if marginalize:
        check_marginalize(prior, data.likelihood)
    context = context or build_context(data, prior)
    gaussian = data.likelihood == "gaussian"
    coords = {"feature": list(data.feature_names), "obs": np.arange(data.n)}
    with pm.Model(coords=coords) as model:
        X = pm.Data("X", data.Z, dims=("obs", "feature"))
        if not gaussian:
            noise = data.pseudo_sigma()
        elif sigma is None:
            noise = pm.HalfNormal("sigma_std", 1.0)
        else:
            fixed = check_positive(sigma, "sigma") / data.y_scale
            noise = pm.Deterministic("sigma_std", pm.math.constant(fixed, dtype="float64"))
        if marginalize:
            sd = prior.coefficient_sd(pm, replace(context, sigma=noise)) * np.ones(data.p)
            pm.Deterministic("coef_sd", sd, dims="feature")
            intercept_std = pm.Normal("intercept_std", 0.0, INTERCEPT_SD)
            # the data enter as constants: Z^T Z is then computed once, not per gradient
            loglik = marginal_loglik(data.Z, data.y_work, intercept_std, sd, noise)
            pm.Potential("y_marginal", loglik)
            return model
        y_obs = pm.Data("y_obs", data.y_work, dims="obs")
        beta_std = prior.build(pm, replace(context, sigma=noise))
        intercept_std = pm.Normal("intercept_std", 0.0, INTERCEPT_SD)
        mu = intercept_std + pm.math.dot(X, beta_std)
        if gaussian:
            pm.Normal("y", mu, noise, observed=y_obs, dims="obs")
        else:
            pm.Bernoulli("y", logit_p=mu, observed=y_obs, dims="obs")
        beta = pm.Deterministic(
            "beta", beta_std * (data.y_scale / data.design.scale), dims="feature"
        )
        pm.Deterministic(
            "intercept",
            data.y_center + data.y_scale * intercept_std - pm.math.dot(data.design.offset, beta),
        )
        if gaussian:
            pm.Deterministic("sigma", noise * data.y_scale)
    return model


def original_scale(data: ModelData, beta_std, intercept_std, sigma_std) -> dict:
    """Draws of ``beta``, ``intercept`` and ``sigma`` on the original scale (numpy), as the
    Deterministics of :func:`build_model`, for samplers that draw outside PyMC."""
    beta = beta_std * (data.y_scale / data.design.scale)
    return {
        "beta": beta,
        "intercept": data.y_center + data.y_scale * intercept_std - beta @ data.design.offset,
        "sigma": sigma_std * data.y_scale,
    }


def gaussian_loglik(Z, y, beta_std, intercept_std, sigma_std) -> np.ndarray:
    """Pointwise log N(y | intercept_std + Z beta_std, sigma_std^2) on the working scale,
    dims (..., obs) for draws with leading dims (...)."""
    resid = y - np.asarray(intercept_std)[..., None] - beta_std @ Z.T
    sigma2 = np.asarray(sigma_std)[..., None] ** 2
    return -0.5 * np.log(2.0 * np.pi * sigma2) - 0.5 * resid**2 / sigma2
