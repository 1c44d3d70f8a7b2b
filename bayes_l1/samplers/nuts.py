"""NUTS through PyMC: its default (nutpie when installed), its own, or numpyro."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import xarray as xr

# Our name -> PyMC's ``nuts_sampler`` (None: PyMC chooses, nutpie when installed).
NUTS_SAMPLERS = {"nuts": None, "nutpie": "nutpie", "pymc": "pymc", "numpyro": "numpyro"}


def check_nuts_sampler(sampler: str) -> str | None:
    if sampler not in NUTS_SAMPLERS:
        choices = sorted([*NUTS_SAMPLERS, "auto", "enumeration", "gibbs", "mc3"])
        raise ValueError(f"Unknown sampler {sampler!r}; choose one of {choices}.")
    backend = NUTS_SAMPLERS[sampler]
    if backend in ("nutpie", "numpyro") and importlib.util.find_spec(backend) is None:
        raise ValueError(f"sampler={sampler!r} needs the {backend} package; pip install {backend}.")
    return backend


def sample_nuts(
    model,
    *,
    draws: int,
    tune: int,
    chains: int,
    target_accept: float,
    random_seed,
    progressbar: bool = False,
    sampler: str = "nuts",
    data=None,
):
    """Sample ``model`` with NUTS and add the pointwise log-likelihood (for LOO).

    A model built with ``marginalize=True`` needs its ``data`` (:class:`ModelData`): the
    coefficients are then drawn from their Gaussian conditional given each NUTS draw, with
    a generator seeded from ``random_seed`` (see :func:`draw_coefficients`). With ``data``
    the constant columns that :func:`~bayes_l1.model.build_model` leaves out are put back
    at exactly 0 (:func:`~bayes_l1.model.restore_held_at_zero`).
    """
    import pymc as pm

    from bayes_l1.model import restore_held_at_zero

    backend = check_nuts_sampler(sampler)
    marginal = "y_marginal" in model.named_vars
    if marginal and data is None:
        raise ValueError("A model built with marginalize=True needs data= to draw beta.")
    with model, warnings.catch_warnings():
        # PyMC's own NUTS overflows in early tuning steps and records them as divergences,
        # which check_sampling reports; numpy's warning would only repeat it, unexplained.
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            target_accept=target_accept,
            random_seed=random_seed,
            progressbar=progressbar,
            nuts_sampler=backend,
            compute_convergence_checks=False,  # ours run on every fit, with advice
        )
        if marginal:
            idata = draw_coefficients(idata, data.drop_held_at_zero(), random_seed)
        else:
            pm.compute_log_likelihood(
                idata, var_names=["y"], extend_inferencedata=True, progressbar=False
            )
    return idata if data is None else restore_held_at_zero(idata, data)


def draw_coefficients(idata, data, random_seed):
    """Complete the draws of a marginalized model: w | scales, sigma, intercept, y is
    Gaussian, drawn exactly (one factorization per draw, in sample space when p > n), then
    the original-scale variables, the log-likelihood and the observed data, as the joint
    model has them. ``coef_sd`` is dropped: the prior's scales are in the posterior."""
    from bayes_l1._validation import seed_sequence
    from bayes_l1.model import gaussian_loglik, original_scale
    from bayes_l1.samplers._kernels import GaussianFactor, GaussianRegression

    post = idata["posterior"].to_dataset()
    sd = post["coef_sd"].transpose("chain", "draw", "feature").to_numpy()
    sigma = post["sigma_std"].to_numpy()
    c0 = post["intercept_std"].to_numpy()
    rng = np.random.default_rng(seed_sequence(random_seed).spawn(1)[0])
    reg = GaussianRegression(data.Z, data.y_work, "auto")
    w = np.empty_like(sd)
    for idx in np.ndindex(sigma.shape):
        factor = GaussianFactor(reg, (sd[idx] / sigma[idx]) ** 2)
        w[idx] = factor.draw(sigma[idx], c0[idx], rng)
    dims = ("chain", "draw", "feature")
    post = post.drop_vars("coef_sd").assign(beta_std=(dims, w))
    for name, value in original_scale(data, w, c0, sigma).items():
        post[name] = (dims if value.ndim == 3 else dims[:2], value)
    post.attrs["marginalized"] = 1  # w drawn here, not by NUTS
    idata["posterior"] = post
    idata["observed_data"] = xr.Dataset({"y": (("obs",), data.y_work)})
    loglik = gaussian_loglik(data.Z, data.y_work, w, c0, sigma)
    idata["log_likelihood"] = xr.Dataset({"y": (("chain", "draw", "obs"), loglik)})
    return idata
