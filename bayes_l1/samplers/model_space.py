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

Beyond p = :data:`MAX_ENUMERATION`, ``method="mc3"`` replaces step 1 by a Metropolis
chain over models (Madigan & York 1995; add/delete and swap moves) on the closed-form
(fixed g) or 1-D integral (mixtures) marginal likelihood, memoized, and steps 2-5 are the
same exact conditional draws given each kept model. The draws of gamma are correlated
(check ESS) and their mean is what ``inclusion_summary`` reports: an unbiased Monte Carlo
estimate. The inclusion probabilities from the posterior probabilities of every model it
evaluated, renormalized over them (BAS's estimate for MCMC), are recorded next to the
draws: their Monte Carlo noise is smaller, but the models never visited count as
probability 0, so they run low (ISLP Hitters, p = 19, 4 x 5000 draws: 18 of 19 below the
exact value, by up to 0.012; 0.004 on average at 4 x 20,000). The
Gram matrix of all p features is formed once ((p+1)^2 floats: 8 MB at p = 1000).

The tree has the schema of every sampler (:func:`~bayes_l1.samplers.sample_gibbs`), plus
``gamma`` (chain, draw, feature; int8) and ``shrinkage`` g/(1+g) in the posterior (and
``g`` for the mixture and fixed g priors), and in ``sample_stats`` the model's log
posterior probability (``log_model_prob``), its size and code (bit j: the j-th feature
that varies; p <= 62). A ``model_posterior`` group keeps the most probable models with their
R^2, Bayes factor and probability (exact, or MC3's renormalized), for the top-models table,
HPM/MPM/BPM and model-averaged predictions (:func:`bayes_l1.model_posterior`).
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from bayes_l1._validation import check_int, seed_sequence, warn_caller
from bayes_l1.bma.design import StandardizedDesign
from bayes_l1.bma.enumeration import RANK_TOL, _posterior
from bayes_l1.bma.gprior import kind_code, log_bf_one, sample_g_by_model
from bayes_l1.bma.model_priors import UniformModelPrior
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
    "choose_method",
    "sample_models",
]

# Exact enumeration up to this many (non-constant) features: 2^20 models, about a million.
MAX_ENUMERATION = 20
MODEL_SPACE_SAMPLERS = ("enumeration", "mc3")
# The tree's model_posterior group keeps the most probable models until the probability left
# out is below TABLE_MASS_LEFT, and at most max(1000, MAX_TABLE_CELLS / p) models (4 MB).
TABLE_MASS_LEFT = 1e-12
MAX_TABLE_CELLS = 2**22
_MODEL_SPACE_PRIORS = tuple(cls for cls in prior_classes() if cls.model_space)


def check_model_space_supported(prior, likelihood: str = "gaussian", p: int | None = None):
    """Raise ValueError when a sampler over models does not apply to this model (the prior,
    the likelihood, or ``p`` beyond :data:`MAX_ENUMERATION`)."""
    if not prior.model_space:
        names = prior_names(lambda cls: cls in _MODEL_SPACE_PRIORS, " or ")
        raise ValueError(
            f"sampler='enumeration' or 'mc3' samples over models: it needs a {names} prior; for "
            f"{type(prior).__name__} use {prior.sampler_advice()}."
        )
    check_prior_supported(prior, likelihood)
    if p is not None and p > MAX_ENUMERATION:
        raise ValueError(
            f"sampler='enumeration' visits all 2^p models; p = {p} features vary, more than "
            f"its limit of {MAX_ENUMERATION} (about a million models). Use sampler='mc3' "
            "(or 'auto'): a Metropolis chain over models."
        )


def _enumeration_chain(res, draws: int, rng) -> np.ndarray:
    """Model indices (into ``res``) of independent draws from the exact model posterior."""
    cdf = np.cumsum(res.prob)
    codes = np.searchsorted(cdf, rng.uniform(size=draws) * cdf[-1], side="right")
    return np.minimum(codes, cdf.size - 1)


def _conditional_draws(design: StandardizedDesign, gprior, models, rss, which, rng):
    """(g, sigma^2, w) on the unit-norm scale of ``design`` for draws of models: ``models``
    a list of feature-index arrays, ``rss`` their 1 - R^2, ``which`` (draws,) the model of
    each draw. Draws are grouped by model, so that each model's least squares and the grid
    of its g posterior are computed once, then put back in the order of ``which``."""
    p = design.gram.shape[0] - 1
    draws = which.size
    order = np.argsort(which, kind="stable")
    counts = np.bincount(which, minlength=len(models))
    used = np.flatnonzero(counts)
    start = np.concatenate([[0], np.cumsum(counts[used])])
    size = np.array([models[m].size for m in used], dtype=np.int64)
    rss_u = np.asarray(rss, dtype=float)[used]
    g = sample_g_by_model(rss_u, size, design.n, gprior, rng.uniform(size=draws), start)
    shrink = 1.0 / (1.0 + 1.0 / g)  # g / (1 + g); 1 for g = inf ("bic")
    rss_d, size_d = np.repeat(rss_u, counts[used]), np.repeat(size, counts[used])
    quad = np.where(size_d > 0, 1.0 - shrink * (1.0 - rss_d), 1.0)  # SST = 1 on this scale
    s2 = 0.5 * quad / rng.gamma(0.5 * (design.n - 1), size=draws)
    z = rng.standard_normal((draws, max(int(size.max(initial=0)), 1)))
    flat = np.concatenate([models[m] for m in used] + [np.empty(0, np.int64)]).astype(np.int64)
    idx_start = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    w_sorted = _coefficients(design.gram, flat, idx_start, start, shrink, s2, z, p)
    out_g, out_s2, out_w = np.empty(draws), np.empty(draws), np.empty((draws, p))
    out_g[order], out_s2[order], out_w[order] = g, s2, w_sorted
    return out_g, out_s2, out_w


@njit(cache=True)
def _cholesky_solve(gram, idx, k, chol, beta):
    """Cholesky factor of the model's Gram matrix into chol[:k, :k] and its least-squares
    coefficients into beta[:k]; returns 1 - R^2, NaN when a pivot is below RANK_TOL."""
    p = gram.shape[0] - 1
    for i in range(k):
        for j in range(i + 1):
            s = gram[idx[i], idx[j]]
            for m in range(j):
                s -= chol[i, m] * chol[j, m]
            if i == j:
                if s <= RANK_TOL * gram[idx[i], idx[i]]:
                    return np.nan
                chol[i, i] = np.sqrt(s)
            else:
                chol[i, j] = s / chol[j, j]
    r2 = 0.0
    for i in range(k):  # L z = G_Sy
        s = gram[idx[i], p]
        for m in range(i):
            s -= chol[i, m] * beta[m]
        beta[i] = s / chol[i, i]
        r2 += beta[i] * beta[i]
    for i in range(k - 1, -1, -1):  # L^T beta = z
        s = beta[i]
        for m in range(i + 1, k):
            s -= chol[m, i] * beta[m]
        beta[i] = s / chol[i, i]
    return gram[p, p] - r2


@njit(cache=True)
def _coefficients(gram, flat_idx, idx_start, start, shrink, s2, z, p):
    """w | sigma^2, g, model ~ N(s b_OLS, sigma^2 s G^-1), s = g/(1+g), G the model's Gram
    matrix, for draws sorted by model (rows start[m]:start[m+1] have the features
    flat_idx[idx_start[m]:idx_start[m+1]]); excluded entries exactly 0."""
    w = np.zeros((s2.size, p))
    kmax = z.shape[1]
    chol = np.empty((kmax, kmax))
    beta = np.empty(kmax)
    x = np.empty(kmax)
    for m in range(start.size - 1):
        idx = flat_idx[idx_start[m] : idx_start[m + 1]]
        k = idx.size
        _cholesky_solve(gram, idx, k, chol, beta)
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


@njit(cache=True)
def _log_bf_model(gram, idx, n, kind, a, g):
    """(log BF against the null, 1 - R^2) of the model with features ``idx``."""
    k = idx.size
    chol = np.empty((max(k, 1), max(k, 1)))
    beta = np.empty(max(k, 1))
    rss = _cholesky_solve(gram, idx, k, chol, beta) if k > 0 else gram[-1, -1]
    if np.isnan(rss):
        return -np.inf, rss
    return log_bf_one(kind, rss, k, n, a, g), rss


class _ModelSpace:
    """The log posterior of models (up to a constant), memoized: key the sorted tuple of
    the model's features; value (log BF + log prior, 1 - R^2)."""

    def __init__(self, design: StandardizedDesign, gprior, model_prior, p: int):
        self.gram, self.n, self.p = design.gram, float(design.n), p
        self.kind, self.a, self.g = kind_code(gprior, design.n)
        self.log_prior = model_prior.log_prob(np.arange(p + 1), p)
        self.memo: dict[tuple, tuple[float, float]] = {}

    def __call__(self, model: tuple) -> float:
        hit = self.memo.get(model)
        if hit is None:
            idx = np.array(model, dtype=np.int64)
            lbf, rss = _log_bf_model(self.gram, idx, self.n, self.kind, self.a, self.g)
            hit = self.memo[model] = (lbf + self.log_prior[len(model)], rss)
        return hit[0]


def _mc3_chain(space: _ModelSpace, tune: int, draws: int, steps: int, rng):
    """One Metropolis chain over models: each step proposes, with probability 1/2 each,
    flipping one uniformly chosen feature (add or delete) or swapping an included feature
    for an excluded one (rejected outright when the model is empty or full); both are
    symmetric, so a proposal is accepted with probability min(1, posterior ratio).
    Returns the model after every ``steps`` steps past ``tune * steps``, and the
    acceptance rate over those steps."""
    p = space.p
    members: list[int] = []
    inside = np.zeros(p, dtype=bool)
    current = ()
    cur = space(current)
    total = (tune + draws) * steps
    u = rng.uniform(size=(total, 4))
    kept, accepted = [], np.zeros(draws)
    for it in range(total):
        k = len(members)
        if u[it, 0] < 0.5:
            j = min(int(u[it, 1] * p), p - 1)
            new = [m for m in members if m != j] if inside[j] else sorted([*members, j])
            out_j, in_j = (j, -1) if inside[j] else (-1, j)
        elif 0 < k < p:
            out_j = members[min(int(u[it, 1] * k), k - 1)]
            in_j = min(int(u[it, 2] * p), p - 1)
            while inside[in_j]:  # uniform over the excluded features
                in_j = int(rng.integers(p))
            new = sorted([m for m in members if m != out_j] + [in_j])
        else:
            new = None
        if new is not None:
            proposal = tuple(new)
            lp = space(proposal)
            if np.log(u[it, 3]) < lp - cur:
                members, current, cur = new, proposal, lp
                if out_j >= 0:
                    inside[out_j] = False
                if in_j >= 0:
                    inside[in_j] = True
                if it >= tune * steps:
                    accepted[(it - tune * steps) // steps] += 1.0 / steps
        if it >= tune * steps and (it - tune * steps + 1) % steps == 0:
            kept.append(current)
    return kept, accepted


def _renormalized(space: _ModelSpace):
    """Posterior probabilities renormalized over the models evaluated, and the inclusion
    probabilities from them (the estimator of BAS's MCMC, Clyde, Ghosh & Littman 2011)."""
    models = list(space.memo)
    lp = np.array([space.memo[m][0] for m in models])
    prob = np.exp(lp - lp.max())
    prob /= prob.sum()
    pip = np.zeros(space.p)
    for m, w in zip(models, prob, strict=True):
        pip[list(m)] += w
    return dict(zip(models, prob, strict=True)), pip


def sample_models(
    data: ModelData,
    prior=None,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed=None,
    method: str = "auto",
    steps_per_draw: int | None = None,
):
    """Posterior draws of the spike-and-slab model: exact by enumeration of all models, or
    by a Metropolis chain over models (MC3) when there are too many to enumerate.

    Parameters
    ----------
    data : ModelData
        From :func:`bayes_l1.model.prepare` with ``likelihood="gaussian"``.
    prior : SpikeAndSlab or its name; default ``SpikeAndSlab()``.
    draws, chains : int
        Draws per chain, and chains (seeded from ``SeedSequence(random_seed).spawn(chains)``).
    tune : int
        MC3 only: draws discarded at the start of each chain (which starts from the null
        model). Enumeration draws are exact from the first.
    random_seed : int, SeedSequence, Generator or None
    method : {"auto", "enumeration", "mc3"}
        "auto": enumeration while p <= :data:`MAX_ENUMERATION`, else MC3.
    steps_per_draw : int, optional
        MC3 proposals per kept draw; default max(10, ceil(p / 50)).

    Returns
    -------
    xarray.DataTree
        As :func:`~bayes_l1.samplers.sample_gibbs`, with ``gamma``, ``shrinkage`` (and
        ``g``) in the posterior and ``log_model_prob`` (log posterior probability of the
        draw's model; MC3: renormalized over the models it evaluated), ``model_size``,
        ``model_code`` (p <= 62) and ``loglik`` in ``sample_stats`` (MC3 also
        ``accept``). The posterior group's attrs hold inclusion probabilities computed
        from model probabilities rather than draw frequencies: exact by enumeration
        (``pip_exact``, what :func:`~bayes_l1.inclusion_summary` reports), or MC3's
        renormalized over the models evaluated (``pip_renormalized``, BAS's estimate;
        biased low, the unvisited models counting 0: ``inclusion_summary`` reports the
        mean of the gamma draws), by feature. The ``model_posterior``
        group keeps the most probable models (``gamma`` by model and feature, ``size``,
        ``r2``, ``log_bf``, ``log_prior``, ``prob``) for :func:`bayes_l1.model_posterior`.

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
    method = choose_method(method, data.p)
    check_model_space_supported(prior, data.likelihood, data.p if method == "enumeration" else None)
    draws = check_int(draws, "draws", minimum=1)
    tune = check_int(tune, "tune", minimum=0)
    chains = check_int(chains, "chains", minimum=1)
    p, n = data.p, data.n
    if steps_per_draw is None:
        steps_per_draw = max(10, -(-p // 50))
    steps_per_draw = check_int(steps_per_draw, "steps_per_draw", minimum=1)
    if p > MAX_ENUMERATION and isinstance(prior.model_prior, UniformModelPrior):
        _warn_uniform_model_prior(p)
    start = time.perf_counter()
    design = StandardizedDesign.from_data(data.Z, data.y_work)
    gprior = prior.g_prior
    seeds = seed_sequence(random_seed).spawn(chains)
    rngs = [np.random.default_rng(s) for s in seeds]
    info = {"inference_library": "bayes_l1", "sampler": method, "g_prior": gprior.label}
    info["model_prior"] = repr(prior.model_prior)
    if method == "enumeration":
        which, models, rss, log_prob, pip_attr, extra, accept, table = _enumerated(
            design, data.feature_names, gprior, prior.model_prior, draws, rngs
        )
    else:
        which, models, rss, log_prob, pip_attr, extra, accept, table = _mc3(
            design, gprior, prior.model_prior, p, tune, draws, steps_per_draw, rngs
        )
    info |= extra
    parts = [
        _conditional_draws(design, gprior, models, rss, which[c], rngs[c]) for c in range(chains)
    ]
    g, s2, w = (np.stack([part[i] for part in parts]) for i in range(3))
    z0 = np.stack([rng.standard_normal(draws) for rng in rngs])
    # back to the working scale: coefficients per sd of z_j in sd of y_work
    beta_std = w * (design.y_norm / design.x_norm)
    sigma_std = np.sqrt(s2) * design.y_norm
    intercept_std = design.y_mean - beta_std @ design.x_mean + sigma_std / np.sqrt(n) * z0
    elapsed = time.perf_counter() - start
    loglik = gaussian_loglik(data.Z, data.y_work, beta_std, intercept_std, sigma_std)
    posterior = {
        "beta_std": beta_std,
        "intercept_std": intercept_std,
        "sigma_std": sigma_std,
        "gamma": _indicators(which, models, p),
        "shrinkage": 1.0 / (1.0 + 1.0 / g),
    }
    if gprior.kind != "bic":
        posterior["g"] = g
    posterior |= original_scale(data, beta_std, intercept_std, sigma_std)
    stats = _model_stats(which, models, log_prob, loglik, accept, p)
    info |= {"sampling_time": elapsed, "tuning_steps": tune if method == "mc3" else 0}
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
    pip = dict(zip(data.feature_names, pip_attr[1].tolist(), strict=True))
    tree["posterior"].attrs[pip_attr[0]] = [float(pip.get(f, 0.0)) for f in full.feature_names]
    tree["model_posterior"] = _table_tree(table, names, info, gprior)
    return tree


def _table_tree(table: dict, names, info: dict, gprior):
    """The ``model_posterior`` group: the kept models, the method and the priors (g as its
    kind, or its value when fixed; ``a`` where the hyper-g priors have it)."""
    import xarray as xr

    attrs = table["attrs"] | {
        "method": info["sampler"],
        "g": gprior.g if gprior.kind == "fixed" else gprior.kind,
        "model_prior": info["model_prior"],
    }
    if gprior.a is not None:
        attrs["a"] = float(gprior.a)
    return xr.DataTree(xr.Dataset(table["data"], coords={"feature": names}, attrs=attrs))


def _warn_uniform_model_prior(p: int) -> None:
    """Beyond enumeration the uniform prior over models stops adjusting for multiplicity."""
    warn_caller(
        f"The uniform prior over models expects p / 2 = {p / 2:g} of the {p} features in the "
        "model and does not adjust for multiplicity: with many features and few effects, "
        "`selected` can hold many false discoveries (realized FDP 0.56 at p = 200 with 5 "
        "true features, against 0.05 under BetaBinomial(1, 1)). Pass "
        "model_prior=bl.BetaBinomial(1, 1) (BAS's default: every model size equally "
        "likely, Scott & Berger 2010; CLI: --model-prior beta-binomial)."
    )


def _indicators(which: np.ndarray, models: list, p: int) -> np.ndarray:
    """gamma (chain, draw, feature): 1 where the draw's model holds the feature."""
    gamma = np.zeros((*which.shape, p), dtype=np.int8)
    for (c, d), m in np.ndenumerate(which):
        gamma[c, d, models[m]] = 1
    return gamma


def _model_stats(which, models: list, log_prob, loglik, accept, p: int) -> dict:
    """sample_stats of a run over models: each draw's model log posterior probability,
    size and (p <= 62) code, the log-likelihood, and MC3's acceptance rates."""
    sizes = np.array([m.size for m in models], dtype=np.int64)
    stats = {
        "log_model_prob": log_prob[which],
        "model_size": sizes[which],
        "loglik": loglik.sum(axis=-1),
    }
    if p <= 62:  # a model's code fits in an int64
        codes = np.array([int(np.sum(1 << m.astype(np.int64))) for m in models], dtype=np.int64)
        stats["model_code"] = codes[which]
    if accept is not None:
        stats["accept"] = accept
    return stats


def _enumerated(design, names, gprior, model_prior, draws: int, rngs):
    """Models drawn from their exact posterior over all 2^p: per chain the index of each
    draw's model among the distinct ``models`` (feature index arrays), their RSS and log
    posterior probability, the exact PIPs, run information."""
    res = _posterior(design, names, gprior, model_prior, RANK_TOL)
    which = np.stack([_enumeration_chain(res, draws, rng) for rng in rngs])
    uniq, inverse = np.unique(which, return_inverse=True)
    models = [np.flatnonzero(row) for row in res.models[uniq]]
    info = {"n_models": int(res.prob.size), "log_evidence": float(res.log_evidence)}
    top = _top_rows(res.prob, len(names))
    table = _table(
        res.models[top], res.r2[top], res.log_bf[top], res.log_prior[top], res.prob[top],
        res.log_evidence, res.prob.size,
    )  # fmt: skip
    return (
        inverse.reshape(which.shape), models, 1.0 - res.r2[uniq], np.log(res.prob[uniq]),
        ("pip_exact", res.pip.to_numpy()), info, None, table,
    )  # fmt: skip


def _mc3(design, gprior, model_prior, p: int, tune: int, draws: int, steps_per_draw: int, rngs):
    """As :func:`_enumerated`, from a Metropolis chain over models per generator, with
    renormalized PIPs from the models visited and the acceptance rates."""
    space = _ModelSpace(design, gprior, model_prior, p)
    runs = [_mc3_chain(space, tune, draws, steps_per_draw, rng) for rng in rngs]
    prob, pip = _renormalized(space)
    ids: dict[tuple, int] = {}
    which = np.array([[ids.setdefault(m, len(ids)) for m in kept] for kept, _ in runs])
    info = {"n_models_evaluated": len(space.memo), "steps_per_draw": steps_per_draw}
    return (
        which, [np.array(m, dtype=np.int64) for m in ids],
        np.array([space.memo[m][1] for m in ids]), np.log(np.array([prob[m] for m in ids])),
        ("pip_renormalized", pip), info, np.stack([acc for _, acc in runs]),
        _evaluated_table(space, prob),
    )  # fmt: skip


def _evaluated_table(space: _ModelSpace, prob: dict):
    """The table of the most probable models MC3 evaluated, probabilities renormalized over
    every model it evaluated (log evidence unknown: NaN)."""
    evaluated = list(prob)
    values = np.array([prob[m] for m in evaluated])
    top = _top_rows(values, space.p)
    kept = [evaluated[i] for i in top]
    models = np.zeros((len(kept), space.p), dtype=bool)
    for row, m in enumerate(kept):
        models[row, list(m)] = True
    size = models.sum(axis=1)
    log_prior = space.log_prior[size]
    log_bf = np.array([space.memo[m][0] for m in kept]) - log_prior
    r2 = 1.0 - np.array([space.memo[m][1] for m in kept])
    return _table(models, r2, log_bf, log_prior, values[top], np.nan, len(evaluated))


def _top_rows(prob: np.ndarray, p: int) -> np.ndarray:
    """Indices of the models the tree keeps, most probable first: until the probability
    left out is below :data:`TABLE_MASS_LEFT`, at most max(1000, MAX_TABLE_CELLS / p)."""
    cap = max(1000, MAX_TABLE_CELLS // max(p, 1))
    order = np.argsort(-prob, kind="stable")
    enough = int(np.searchsorted(np.cumsum(prob[order]), 1.0 - TABLE_MASS_LEFT)) + 1
    return order[: min(enough, cap, prob.size)]


def _table(models, r2, log_bf, log_prior, prob, log_evidence: float, n_models: int) -> dict:
    """The ``model_posterior`` group's variables (dims model, feature) and attrs."""
    return {
        "data": {
            "gamma": (("model", "feature"), models.astype(np.int8)),
            "size": (("model",), models.sum(axis=1).astype(np.int64)),
            "r2": (("model",), r2),
            "log_bf": (("model",), log_bf),
            "log_prior": (("model",), log_prior),
            "prob": (("model",), prob),
        },
        "attrs": {
            "log_evidence": float(log_evidence),
            "n_models": int(n_models),
            "mass": float(np.sum(prob)),
        },
    }


def choose_method(method: str, p: int) -> str:
    """The sampler over models: ``"auto"`` is enumeration while p <= MAX_ENUMERATION."""
    if method not in ("auto", *MODEL_SPACE_SAMPLERS):
        raise ValueError(f"method must be 'auto' or one of {MODEL_SPACE_SAMPLERS}; got {method!r}.")
    if method == "auto":
        return "enumeration" if p <= MAX_ENUMERATION else "mc3"
    return method
