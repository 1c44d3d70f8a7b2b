"""NUTS through PyMC: its default (nutpie when installed), its own, or numpyro."""

from __future__ import annotations

import importlib.util
import warnings

# Our name -> PyMC's ``nuts_sampler`` (None: PyMC chooses, nutpie when installed).
NUTS_SAMPLERS = {"nuts": None, "nutpie": "nutpie", "pymc": "pymc", "numpyro": "numpyro"}


def check_nuts_sampler(sampler: str) -> str | None:
    if sampler not in NUTS_SAMPLERS:
        choices = sorted([*NUTS_SAMPLERS, "gibbs"])
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
):
    """Sample ``model`` with NUTS and add the pointwise log-likelihood (for LOO)."""
    import pymc as pm

    backend = check_nuts_sampler(sampler)
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
        pm.compute_log_likelihood(
            idata, var_names=["y"], extend_inferencedata=True, progressbar=False
        )
    return idata
