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
from scipy.linalg import solve_triangular

from bayes_l1._validation import check_int, seed_sequence
from bayes_l1.bma.enumeration import RANK_TOL, StandardizedDesign, _posterior
from bayes_l1.bma.gprior import sample_g
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
    """Independent draws of (code, g, sigma^2, w) on the unit-norm scale of ``design``, and
    standard normals for the intercept."""
    p = design.gram.shape[0] - 1
    n = design.n
    cdf = np.cumsum(res.prob)
    codes = np.searchsorted(cdf, rng.uniform(size=draws) * cdf[-1], side="right")
    codes = np.minimum(codes, cdf.size - 1)
    w = np.zeros((draws, p))
    g = np.empty(draws)
    s2 = np.empty(draws)
    shape = 0.5 * (n - 1)
    for code in np.unique(codes):
        idx = np.flatnonzero(codes == code)
        c = idx.size
        feats = np.flatnonzero((int(res.codes[code]) >> np.arange(p)) & 1)
        k = feats.size
        rss = float(1.0 - res.r2[code])
        g_m = sample_g(rss, k, n, gprior, rng.uniform(size=c))
        shrink = 1.0 / (1.0 + 1.0 / g_m)  # g/(1+g); 1 for g = inf ("bic")
        quad = 1.0 - shrink * (1.0 - rss) if k else np.ones(c)  # SST = 1 on this scale
        s2_m = 0.5 * quad / rng.gamma(shape, size=c)
        g[idx], s2[idx] = g_m, s2_m
        if k:
            G = design.gram[np.ix_(feats, feats)]
            L = np.linalg.cholesky(G)
            b_ols = solve_triangular(L.T, solve_triangular(L, design.gram[feats, p], lower=True))
            z = solve_triangular(L.T, rng.standard_normal((k, c)), lower=False)  # N(0, G^-1)
            w[np.ix_(idx, feats)] = (shrink * b_ols[:, None] + np.sqrt(s2_m * shrink) * z).T
    return codes, g, s2, w, rng.standard_normal(draws)


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
