"""Samplers over models for the spike-and-slab prior (:class:`~bayes_l1.SpikeAndSlab`).

``sample_models`` enumerates all 2^p models exactly (:mod:`bayes_l1.bma.enumeration`,
p <= :data:`MAX_ENUMERATION`), then draws, independently for each of ``chains x draws``
draws:

1. a model gamma from its posterior probability p(gamma | y);
2. g from p(g | gamma, y) (mixtures of g-priors: inversion of the 1-D posterior,
   :func:`bayes_l1.bma.sample_g`; fixed g and ``"n"``: that value; ``"bic"``: the limit
   g -> infinity, no shrinkage, as BAS);
3. sigma^2 | gamma, g, y ~ InvGamma((n-1)/2, SST (1 + g (1 - R^2)) / (2 (1 + g))), with
   the coefficients and the flat intercept integrated out;
4. w_gamma | sigma^2, g, gamma, y ~ N(g/(1+g) w_OLS, sigma^2 g/(1+g) (Z_g^T Z_g)^-1);
   the excluded coefficients are exactly 0;
5. the intercept | w, sigma^2, y ~ N(mean(y) - mean(Z) w, sigma^2 / n) (flat prior).

Steps 3-5 follow from the g-prior w_gamma | sigma^2, g ~ N(0, g sigma^2 (Z_g^T Z_g)^-1),
the flat intercept and p(sigma^2) proportional to 1 / sigma^2 (Liang et al. 2008): the
quadratic form left after integrating w out is
SST - g/(1+g) SSR = SST (1 + g (1 - R^2)) / (1 + g), and the determinants it leaves do
not involve sigma^2. The draws are exact and independent: no warm-up (``tune`` is not
used), R-hat and ESS are those of independent draws.

The tree has the schema of every sampler (:func:`~bayes_l1.samplers.sample_gibbs`), plus
``gamma`` (chain, draw, feature; int8) and ``shrinkage`` g/(1+g) in the posterior (and
``g`` for the mixture and fixed g priors), and in ``sample_stats`` the model's log
posterior probability (``log_model_prob``), its size and code (bit j: the j-th feature
that varies).
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from bayes_l1._validation import check_int, seed_sequence
from bayes_l1.bma.enumeration import RANK_TOL, StandardizedDesign, _posterior
from bayes_l1.bma.gprior import sample_g_by_model
from bayes_l1.bma.result import _ols
from bayes_l1.model import (
    ModelData,
    check_prior_supported,
    gaussian_loglik,
    original_scale,
    restore_held_at_zero,
)
from bayes_l1.priors import prior_classes, prior_names, resolve_prior

__all__ = [
    "MAX_ENUMERATION",
    "MODEL_SPACE_SAMPLERS",
    "check_model_space_supported",
    "sample_models",
]

# Exact enumeration up to this many (non-constant) features: 2^20 models, about a million.
MAX_ENUMERATION = 20
MODEL_SPACE_SAMPLERS = ("enumeration",)
_MODEL_SPACE_PRIORS = tuple(cls for cls in prior_classes() if cls.model_space)


def check_model_space_supported(prior, likelihood: str = "gaussian", p: int | None = None):
    """Raise ValueError when a sampler over models does not apply to this model (the prior,
    the likelihood, or ``p`` beyond :data:`MAX_ENUMERATION`)."""
    if not prior.model_space:
        names = prior_names(lambda cls: cls in _MODEL_SPACE_PRIORS, " or ")
        raise ValueError(
            f"sampler='enumeration' samples over models: it needs a {names} prior; for "
            f"{type(prior).__name__} use {prior.sampler_advice()}."
        )
    check_prior_supported(prior, likelihood)
    if p is not None and p > MAX_ENUMERATION:
        raise ValueError(
            f"sampler='enumeration' visits all 2^p models; p = {p} features vary, more than "
            f"its limit of {MAX_ENUMERATION} (about a million models). Select fewer features "
            "first (e.g. with a horseshoe fit or the lasso path); a sampler over models for "
            "larger p is not implemented yet."
        )


def _draw_chain(res, design: StandardizedDesign, gprior, draws: int, rng):
    """Independent draws of (code index, g, sigma^2, w) on the unit-norm scale of ``design``,
    and standard normals for the intercept. The draws are grouped by model, so that each
    model's least squares and the grid of its g posterior are computed once."""
    p = design.gram.shape[0] - 1
    cdf = np.cumsum(res.prob)
    codes = np.searchsorted(cdf, rng.uniform(size=draws) * cdf[-1], side="right")
    codes = np.sort(np.minimum(codes, cdf.size - 1))  # the draws are exchangeable
    models, start = np.unique(codes, return_index=True)
    start = np.append(start, draws)
    size = res.size[models].astype(np.int64)
    rss = 1.0 - res.r2[models]
    g = sample_g_by_model(rss, size, design.n, gprior, rng.uniform(size=draws), start)
    shrink = 1.0 / (1.0 + 1.0 / g)  # g / (1 + g); 1 for g = inf ("bic")
    rss_d, size_d = np.repeat(rss, np.diff(start)), np.repeat(size, np.diff(start))
    quad = np.where(size_d > 0, 1.0 - shrink * (1.0 - rss_d), 1.0)  # SST = 1 on this scale
    s2 = 0.5 * quad / rng.gamma(0.5 * (design.n - 1), size=draws)
    z = rng.standard_normal((draws, p))
    w = _coefficients(design.gram, res.codes[models], start, shrink, s2, z)
    perm = rng.permutation(draws)  # independent draws in a random order, as drawn
    return codes[perm], g[perm], s2[perm], w[perm], rng.standard_normal(draws)


@njit(cache=True)
def _coefficients(gram, model_codes, start, shrink, s2, z):
    """w | sigma^2, g, model ~ N(s b_OLS, sigma^2 s G^-1), s = g/(1+g), G the model's Gram
    matrix, for draws sorted by model (rows start[m]:start[m+1]); excluded entries 0."""
    p = gram.shape[0] - 1
    w = np.zeros((s2.size, p))
    idx = np.empty(p, dtype=np.int64)
    chol = np.empty((p, p))
    beta = np.empty(p)
    x = np.empty(p)
    for m in range(model_codes.size):
        k = _ols(gram, model_codes[m], idx, chol, beta)
        for d in range(start[m], start[m + 1]):
            for i in range(k - 1, -1, -1):  # L^T x = z: x ~ N(0, G^-1)
                acc = z[d, i]
                for j in range(i + 1, k):
                    acc -= chol[j, i] * x[j]
                x[i] = acc / chol[i, i]
            sd = np.sqrt(s2[d] * shrink[d])
            for i in range(k):
                w[d, idx[i]] = shrink[d] * beta[i] + sd * x[i]
    return w


def sample_models(
    data: ModelData,
    prior=None,
    *,
    draws: int = 1000,
    chains: int = 4,
    random_seed=None,
):
    """Exact posterior draws of the spike-and-slab model by enumeration of all models.

    Parameters
    ----------
    data : ModelData
        From :func:`bayes_l1.model.prepare` with ``likelihood="gaussian"``.
    prior : SpikeAndSlab or its name; default ``SpikeAndSlab()``.
    draws, chains : int
        Independent draws per chain, and chains (seeded from
        ``SeedSequence(random_seed).spawn(chains)``).
    random_seed : int, SeedSequence, Generator or None

    Returns
    -------
    xarray.DataTree
        As :func:`~bayes_l1.samplers.sample_gibbs`, with ``gamma``, ``shrinkage`` (and
        ``g``) in the posterior and ``log_model_prob``, ``model_size``, ``model_code``,
        ``loglik`` in ``sample_stats``. The posterior group's attrs hold the exact
        inclusion probabilities (``pip_exact``, by feature) and the log evidence against
        the null model.

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> from bayes_l1.model import prepare
    >>> X, y = bl.load_diabetes()
    >>> tree = sample_models(prepare(X, y), bl.SpikeAndSlab(), draws=100, chains=2,
    ...                      random_seed=0)
    >>> tree["posterior"]["gamma"].sizes["feature"]
    10
    """
    from arviz_base import from_dict

    prior = resolve_prior("spike-slab" if prior is None else prior)
    full, data = data, data.drop_held_at_zero()
    check_model_space_supported(prior, data.likelihood, data.p)
    draws = check_int(draws, "draws", minimum=1)
    chains = check_int(chains, "chains", minimum=1)
    start = time.perf_counter()
    design = StandardizedDesign.from_data(data.Z, data.y_work)
    gprior = prior.g_prior
    res = _posterior(design, data.feature_names, gprior, prior.model_prior, RANK_TOL)
    seeds = seed_sequence(random_seed).spawn(chains)
    parts = [_draw_chain(res, design, gprior, draws, np.random.default_rng(s)) for s in seeds]
    codes, g, s2, w, z0 = (np.stack([part[i] for part in parts]) for i in range(5))
    # back to the working scale: coefficients per sd of z_j in sd of y_work
    beta_std = w * (design.y_norm / design.x_norm)
    sigma_std = np.sqrt(s2) * design.y_norm
    n = data.n
    intercept_std = design.y_mean - beta_std @ design.x_mean + sigma_std / np.sqrt(n) * z0
    elapsed = time.perf_counter() - start
    loglik = gaussian_loglik(data.Z, data.y_work, beta_std, intercept_std, sigma_std)
    shrink = 1.0 / (1.0 + 1.0 / g)
    posterior = {
        "beta_std": beta_std,
        "intercept_std": intercept_std,
        "sigma_std": sigma_std,
        "gamma": ((res.codes[codes][..., None] >> np.arange(data.p)) & 1).astype(np.int8),
        "shrinkage": shrink,
    }
    if gprior.kind != "bic":
        posterior["g"] = g
    posterior |= original_scale(data, beta_std, intercept_std, sigma_std)
    stats = {
        "log_model_prob": np.log(res.prob[codes]),
        "model_size": res.size[codes].astype(np.int64),
        "model_code": res.codes[codes],
        "loglik": loglik.sum(axis=-1),
    }
    info = {
        "inference_library": "bayes_l1",
        "sampler": "enumeration",
        "n_models": int(res.prob.size),
        "g_prior": gprior.label,
        "model_prior": repr(prior.model_prior),
        "log_evidence": float(res.log_evidence),
        "sampling_time": elapsed,
        "tuning_steps": 0,
    }
    names = np.asarray(data.feature_names, dtype=object)
    tree = from_dict(
        {
            "posterior": posterior,
            "sample_stats": stats,
            "observed_data": {"y": data.y_work},
            "log_likelihood": {"y": loglik},
            "constant_data": {"X": data.Z},
        },
        coords={"feature": names, "obs": np.arange(n)},
        dims={
            "beta_std": ["feature"],
            "beta": ["feature"],
            "gamma": ["feature"],
            "y": ["obs"],
            "X": ["obs", "feature"],
        },
        attrs={"posterior": info, "sample_stats": dict(info)},
    )
    tree = restore_held_at_zero(tree, full)
    pip = dict(zip(data.feature_names, res.pip.to_numpy().tolist(), strict=True))
    tree["posterior"].attrs["pip_exact"] = [float(pip.get(f, 0.0)) for f in full.feature_names]
    return tree
