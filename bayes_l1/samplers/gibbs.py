"""Exact Gibbs samplers for the models of :mod:`bayes_l1.model`: the Gaussian likelihood
here, the logistic one by Polya-Gamma augmentation in :mod:`bayes_l1.samplers.gibbs_logistic`.

They sample the same posterior as the PyMC model (working scale; sigma ~ HalfNormal(1);
intercept ~ N(0, 5^2); the coefficient prior of :mod:`bayes_l1.priors`) and return the
same ``xarray.DataTree`` schema as :func:`~bayes_l1.samplers.sample_nuts`, so everything
downstream is unaware of the sampler. Each iteration updates, with y' = y - intercept:

* **Laplace** (Park & Casella 2008): (sigma^2, w) in a block given the mixing variances
  tau_j^2 (sigma^2 from its marginal with w integrated out, exact rejection for the
  HalfNormal prior), the intercept, 1 / tau_j^2 ~ InverseGaussian, and lam^2 ~ Gamma when
  it has a hyperprior. ``lam="eb"`` sets lam by Monte Carlo EM first (Park & Casella 3.1).
* **Horseshoe**: the global scale t = tau / sigma by Metropolis-Hastings with w *and*
  sigma^2 integrated out, then sigma^2 and w from their exact conditionals: the blocked
  update of Johndrow, Orenstein & Bhattacharya (2020), which keeps tau mixing when p is
  large (one eigendecomposition per iteration makes each t proposal O(min(n, p))). The
  local scales by a sweep of (local_j, w_j) pairs with w_j integrated out of the local
  update (numba): the inverse-gamma auxiliaries of Makalic & Schmidt (2016) are exact too,
  but leave noise coefficients stuck in the funnel local_j ~ 0 <-> w_j ~ 0 (min ESS ~6x
  lower at n=200, p=1000); each local scale is an exact rejection draw from its prior when
  that succeeds within a few proposals (most noise coefficients), else a slice step. When
  p > n, the 2n features with the largest |z_j^T y| (the likeliest to enter or leave the
  fit) first get a local-scale sweep with w *and* sigma^2 integrated out (rank-one updates
  of M^-1, O(n^2) each; a slice step, then a proposal that can jump between a feature's
  "in" and "out" modes), and sigma^2 and w are drawn after it: a feature moving in or out
  carries the noise level with it instead of waiting for sigma. A rescaling move t e^u,
  local e^-u decouples global and local.
* **Normal**: the horseshoe machinery with unit local scales (one decomposition in all)
  and the HalfNormal(1) prior on the ridge scale.
* **Regularized horseshoe**: sigma by slice sampling, then tau by Metropolis-Hastings,
  both with w integrated out (an eigendecomposition for the current tau, a Cholesky factor
  for the proposal), the (local_j, w_j) sweep of the horseshoe with the slab in the prior
  variance, and the slab c^2 by slice sampling. When p > n, the horseshoe's integrated
  sweep comes before w, in the coordinates t = tau / sigma, c~ = c / sigma: there sigma^2
  scales the marginal covariance of y', and the slab's inverse-gamma prior becomes a factor
  of the same GIG form in sigma^2, so sigma^2 integrates out in closed form again.

The w draw uses the Cholesky factor of Z^T Z + D^-1 (Z^T Z cached) when p <= n and the
O(n^2 p) algorithm of Bhattacharya, Chakraborty & Mallick (2016) when p > n.

The Gaussian kernels below sample the same posterior as the PyMC model (the text above);
the logistic kernels draw the coefficients with the same factors, given the Polya-Gamma
variables.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import time
import warnings
from dataclasses import replace

import numpy as np
from arviz_stats.base import array_stats

from bayes_l1._validation import check_int, seed_sequence, warn_caller
from bayes_l1.model import (
    INTERCEPT_SD,
    ModelData,
    build_context,
    check_prior_supported,
    gaussian_loglik,
    original_scale,
    restore_held_at_zero,
)
from bayes_l1.priors import GibbsSpec as _Spec
from bayes_l1.priors import prior_classes, prior_names, resolve_prior
from bayes_l1.samplers._kernels import (
    LOG_T_BOUND,
    METHODS,
    PRIOR_VAR_MAX,
    SIGMA2_MIN,
    GaussianFactor,
    GaussianRegression,
    SpectralFactor,
    adapt_step,
    choose_method,
    collapsed_local_sweep,
    draw_gamma_gauss,
    draw_sigma2,
    draw_slab_c2,
    integrated_local_sweep,
    log1p_square,
    log_gig_integral,
    max_global_scale,
    rescale_move,
    slab_var,
    slice_sample,
)

__all__ = ["GIBBS_PRIORS", "check_gibbs_supported", "sample_gibbs"]

# The priors with a Gibbs kernel: each names its kernel (``gibbs_kernel``, a key of _STEPS)
# and returns the kernel's parameters (``gibbs_spec``)
GIBBS_PRIORS = tuple(cls for cls in prior_classes() if cls.gibbs_kernel is not None)
_GIBBS_PRIOR_NAMES = prior_names(lambda cls: cls in GIBBS_PRIORS, " and ")
_NUTS_NAMES = "'nuts', 'nutpie', 'pymc' or 'numpyro'"
_GLOBAL_PROPOSALS = 4  # global-scale proposals per iteration when each costs O(min(n, p))
# The regularized horseshoe's tau proposals each need a factor of their own: as many as the
# horseshoe's (_GLOBAL_PROPOSALS) per iteration while that is cheap next to the rest of the
# iteration (the Cholesky factor, O(p^3 / 3)
# against the eigendecomposition's O(p^3); the sample-space one while its Gram, O(n^2 p),
# is small), else 1. Measured: statecrime (51 x 6), 4 x 1000 draws, seeds 0-3: tau's bulk
# ESS 155-372 with R-hat up to 1.036 with one, 781-813 and <= 1.006 with four, for 23% more
# time; n = 100, p = 1000: min ESS per second 5.4-7.9 against 8.5-10.7; but n = 100,
# p = 20,000: 1.87 against 1.28 (the Grams dominate there).
_RHS_CHEAP_GRAM = 2e7


def _tau_proposals(reg: GaussianRegression) -> int:
    cheap = reg.method == "cholesky" or reg.n * reg.n * reg.p <= _RHS_CHEAP_GRAM
    return _GLOBAL_PROPOSALS if cheap else 1


# Horseshoes at p > n: the 2n features with the largest |z_j^T y| get the integrated scale
# update, O(n^2) each, so O(n^3) per iteration next to the O(n^2 p) of the factor
ACTIVE_PER_N = 2


def check_gibbs_supported(prior, likelihood: str = "gaussian") -> None:
    """Raise ValueError when ``sampler="gibbs"`` does not apply to this model (the prior
    says which likelihoods its kernel samples: ``Prior.gibbs_likelihoods``)."""
    check_prior_supported(prior, likelihood)
    if prior.gibbs_kernel not in _STEPS:
        other = f"sampler={_NUTS_NAMES}" if prior.nuts else prior.sampler_advice()
        raise ValueError(
            f"sampler='gibbs' supports the {_GIBBS_PRIOR_NAMES} priors; for "
            f"{type(prior).__name__} use {other}."
        )
    if likelihood not in prior.gibbs_likelihoods:
        raise ValueError(
            f"sampler='gibbs' with {prior!r} needs the "
            f"{' or '.join(prior.gibbs_likelihoods)} likelihood; for the {likelihood} "
            f"likelihood use sampler={_NUTS_NAMES} or another setting of the prior."
        )


# -- the conditional updates ------------------------------------------------------------


def _draw_intercept(reg: GaussianRegression, sigma2: float, rng) -> float:
    """c0 | sigma^2, y: Z^T 1 = 0 decouples it from w."""
    prec = reg.n / sigma2 + 1.0 / INTERCEPT_SD**2
    return float(reg.sy / sigma2 / prec + rng.standard_normal() / np.sqrt(prec))


def _laplace_step(
    reg: GaussianRegression, spec: _Spec, st: dict, rng, tuning: bool, it: int
) -> None:
    n = reg.n
    f = GaussianFactor(reg, st["tau2"])
    st["sigma2"] = draw_sigma2(0.5 * (n - 1), 0.5 * f.quad(st["c0"]), rng)
    sigma = np.sqrt(st["sigma2"])
    st["w"] = f.draw(sigma, st["c0"], rng)
    st["c0"] = _draw_intercept(reg, st["sigma2"], rng)
    absw = np.maximum(np.abs(st["w"]), 1e-12 * sigma)
    if spec.lam is None and not st.get("eb", False):
        # lam | w, sigma with the tau_j^2 integrated out (w_j ~ Laplace(0, sigma / lam)):
        # density lam^(p + 2r - 1) exp(-lam sum|w_j| / sigma - delta lam^2). The conjugate
        # Gamma(p + r, sum tau_j^2 / 2 + delta) draw of Park & Casella given the tau_j^2
        # mixes slowly when p is large.
        lam = draw_gamma_gauss(
            reg.p + 2.0 * spec.r, absw.sum() / sigma, spec.delta, rng, np.sqrt(st["lam2"])
        )
        st["lam2"] = lam * lam
    lam = np.sqrt(st["lam2"])
    inv_tau2 = rng.wald(lam * sigma / absw, st["lam2"])
    # Prior variance sigma^2 tau_j^2 at most PRIOR_VAR_MAX: flat for any coefficient, and the
    # wald draw cannot underflow to 0 when lam and sigma collapse (noise-free y).
    st["tau2"] = 1.0 / np.fmax(inv_tau2, st["sigma2"] / PRIOR_VAR_MAX)
    if spec.lam is None and not st.get("eb", False):
        _noncentred_scales_step(reg, spec, st, rng)
    st["accept"] = np.nan


def _noncentred_scales_step(reg: GaussianRegression, spec: _Spec, st: dict, rng) -> None:
    """sigma and lam scaled together by e^v, the mixing variances tau^2 by e^-2v, w held:
    the prior variances sigma^2 tau^2 of w and each lam^2 tau_j^2 stay put, so the
    conditional of v (Liu & Sabatti 2000's generalized Gibbs step on the multiplicative
    group, Jacobian included) is one-dimensional, O(1) per evaluation:
    (2r + 1 - n) v - sigma^2 e^2v / 2 - delta lam^2 e^2v - RSS e^-2v / (2 sigma^2).
    The centred updates crawl along this direction when p >> n, where the residuals pin
    sigma only weakly and w pins sigma / lam (n = 100, p = 1000: lam's and sigma's ESS
    17 and 18 in 2 x 5000 draws without it)."""
    resid = reg.y - st["c0"] - reg.Z @ st["w"]
    rss, sigma2, lam2 = resid @ resid, st["sigma2"], st["lam2"]
    a, b, c = 2.0 * spec.r + 1.0 - reg.n, 0.5 * sigma2 + spec.delta * lam2, 0.5 * rss / sigma2

    def log_density(v, idx):
        return a * v - b * np.exp(2.0 * v) - c * np.exp(-2.0 * v)

    v = float(slice_sample(np.zeros(1), log_density, rng)[0])
    scale = np.exp(2.0 * v)
    st["sigma2"], st["lam2"] = max(sigma2 * scale, SIGMA2_MIN), lam2 * scale
    st["tau2"] = np.minimum(st["tau2"] / scale, PRIOR_VAR_MAX / st["sigma2"])


def _global_log_target(spec: _Spec, f: SpectralFactor, t: float, c0: float, n: int) -> float:
    """log p(t | local, c0, y) + log t, with w and sigma^2 integrated out."""
    if abs(np.log(t)) > LOG_T_BOUND:
        return -np.inf
    if spec.kind == "horseshoe":
        log_prior = -log1p_square(t / spec.tau0)  # t = tau / sigma ~ C+(0, tau0)
    else:
        log_prior = -0.5 * t * t  # ridge scale ~ HalfNormal(1)
    # Within the bound t^2 times an eigenvalue can still overflow (huge local scales): such
    # a proposal gets density 0 and is rejected, without a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        logdet = f.logdet(t)
        return log_prior + np.log(t) - 0.5 * logdet + log_gig_integral(0.5 * (1 - n), f.quad(t, c0))


def _global_local_step(reg: GaussianRegression, spec: _Spec, st: dict, rng, tuning: bool, it: int):
    """Horseshoe (local scales updated) and Normal (unit local scales, factor cached)."""
    n, c0 = reg.n, st["c0"]
    if spec.kind == "horseshoe" or "factor" not in st:
        st["factor"] = SpectralFactor(reg, st["local"])
    f = st["factor"]
    t = st["t"]
    if not (spec.kind == "normal" and spec.scale is not None):
        t_max = max_global_scale(st["local"], reg.ztz) if spec.kind == "horseshoe" else np.inf
        cur = _global_log_target(spec, f, t, c0, n)
        n_acc = 0
        for _ in range(_GLOBAL_PROPOSALS):
            prop = t * np.exp(np.exp(st["log_step"]) * rng.standard_normal())
            new = _global_log_target(spec, f, prop, c0, n) if prop <= t_max else -np.inf
            if np.log(rng.uniform()) < new - cur:
                t, cur, n_acc = prop, new, n_acc + 1
        st["accept"] = n_acc / _GLOBAL_PROPOSALS
        if tuning:
            adapt_step(st, st["accept"], it)
    else:
        st["accept"] = np.nan
    st["t"] = t
    st["sigma2"] = draw_sigma2(0.5 * (n - 1), 0.5 * f.quad(t, c0), rng)
    c0 = st["c0"] = _draw_intercept(reg, st["sigma2"], rng)  # Z^T 1 = 0: free of w
    if "active" in st:
        # The features likeliest to enter or leave the fit get their scales updated with
        # sigma^2 integrated out too; sigma^2 and w are then redrawn from the new scales.
        M, Minv = f.sample_space(t)
        q = integrated_local_sweep(
            st["active"], reg.Zt, reg.ztz, M, Minv, reg.y - c0, st["local"], t, f.quad(t, c0),
            rng, 0.5 * (1 - n), 0.0, 0.0,
        )  # fmt: skip
        g = GaussianFactor(reg, t * t * st["local"] ** 2, M=M)
        st["sigma2"] = draw_sigma2(0.5 * (n - 1), 0.5 * q, rng)
        st["w"] = g.draw(np.sqrt(st["sigma2"]), c0, rng)
    else:
        st["w"] = f.draw(t, np.sqrt(st["sigma2"]), c0, rng)
    if spec.kind == "horseshoe":
        resid = reg.y - st["c0"] - reg.Z @ st["w"]
        collapsed_local_sweep(
            reg.Zt, reg.ztz, resid, st["w"], st["local"], t, st["sigma2"], rng, 0.0, reg.ztz
        )
        rescale_move(spec, st, rng, tuning, it)


def _reg_horseshoe_step(reg: GaussianRegression, spec: _Spec, st: dict, rng, tuning: bool, it: int):
    """sigma, c0 and tau with w integrated out (tau by ``_tau_proposals`` Metropolis-Hastings
    proposals); w; the (local_j, w_j) sweep; c^2.

    The slab makes the prior variance D of w nonlinear in tau, so each tau needs its own
    factor; sigma, which D does not contain, is free given tau: y' ~ N(0, sigma^2 I +
    Z D Z^T), O(min(n, p)) per evaluation from the eigendecomposition of Z D Z^T (M(t) with
    t = 1 / sigma). Drawn given w instead, sigma is pinned by the residuals and crawls with
    the fit at p >> n (n = 100, p = 1000: sigma's ESS 4-5 from 2 x 1000 draws)."""
    n, sigma = reg.n, np.sqrt(st["sigma2"])

    def prior_var(tau):  # the prior variance of w_j, tau^2 local_j^2 regularized by the slab
        return slab_var(tau, st["local"], st["c2"])

    def log_tau_prior(tau, sigma):  # tau ~ C+(0, tau0 sigma), constants dropped
        return -np.log(sigma) - log1p_square(tau / (spec.tau0 * sigma))

    tau = st["tau"]
    f = SpectralFactor(reg, np.sqrt(prior_var(tau)))
    t_max = max_global_scale(st["local"], reg.ztz)  # bounds t = tau / sigma

    def log_marginal(sigma, c0):  # log p(y | sigma, tau, local, c, c0), w integrated out
        t = 1.0 / sigma
        return -n * np.log(sigma) - 0.5 * f.logdet(t) - 0.5 * f.quad(t, c0) * t * t

    def log_sigma_density(x, idx):  # x = log sigma; HalfNormal(1) prior, + log-Jacobian
        out = np.full(x.shape, -np.inf)
        for i, v in enumerate(x):
            s = np.exp(v)
            if s * s >= SIGMA2_MIN and tau <= s * t_max:
                out[i] = log_marginal(s, st["c0"]) - 0.5 * s * s + log_tau_prior(tau, s) + v
        return out

    sigma = float(np.exp(slice_sample(np.array([np.log(sigma)]), log_sigma_density, rng)[0]))
    st["sigma2"] = sigma2 = sigma * sigma
    c0 = st["c0"] = _draw_intercept(reg, sigma2, rng)

    cur = log_marginal(sigma, c0) + log_tau_prior(tau, sigma) + np.log(tau)
    g = None  # the factor at an accepted tau (None: f's)
    n_acc, proposals = 0, _tau_proposals(reg)
    for _ in range(proposals):
        prop = tau * np.exp(np.exp(st["log_step"]) * rng.standard_normal())
        g_prop = GaussianFactor(reg, prior_var(prop) / sigma2)
        new = -n * np.log(sigma) - 0.5 * g_prop.logdet - 0.5 * g_prop.quad(c0) / sigma2
        new += log_tau_prior(prop, sigma) + np.log(prop)
        if prop > sigma * t_max:  # a local scale past its cap at t = prop / sigma
            new = -np.inf
        if np.log(rng.uniform()) < new - cur:
            tau, cur, g, n_acc = prop, new, g_prop, n_acc + 1
    st["accept"] = n_acc / proposals
    if tuning:
        adapt_step(st, st["accept"], it)
    if "active" in st:
        # As the horseshoe's integrated sweep, in the coordinates t = tau / sigma and
        # c~^2 = c^2 / sigma^2, where sigma^2 scales the marginal covariance of y' and
        # c^2 ~ InvGamma(df / 2, df s^2 / 2) becomes (sigma^2)^(-df/2) e^(-df s^2 / (2 c~^2
        # sigma^2)) in sigma^2: one more power and shift of its GIG integral.
        M, Minv = f.sample_space(1.0 / sigma) if g is None else g.sample_space()
        inv_c2 = sigma2 / st["c2"]
        shift = spec.slab_df * spec.slab_scale**2 * inv_c2
        q = integrated_local_sweep(
            st["active"], reg.Zt, reg.ztz, M, Minv, reg.y - c0, st["local"], tau / sigma,
            f.quad(1.0 / sigma, c0) if g is None else g.quad(c0), rng,
            0.5 * (1 - n - spec.slab_df), inv_c2, shift,
        )  # fmt: skip
        new_sigma2 = draw_sigma2(0.5 * (n - 1 + spec.slab_df), 0.5 * (q + shift), rng)
        tau *= np.sqrt(new_sigma2 / sigma2)  # t and c~ held
        st["c2"] *= new_sigma2 / sigma2
        st["sigma2"] = sigma2 = new_sigma2
        sigma = np.sqrt(sigma2)
        var = prior_var(tau)  # at the new c^2
        w = GaussianFactor(reg, var / sigma2, M=M).draw(sigma, c0, rng)
    else:
        w = f.draw(1.0 / sigma, sigma, c0, rng) if g is None else g.draw(sigma, c0, rng)
    st["tau"], st["w"] = tau, w
    # (local_j, w_j) pairs with w_j integrated out of the local update: the slab variance
    # tau^2 local_j^2 / (1 + tau^2 local_j^2 / c^2) is sigma^2 v_j of the sweep's
    # parametrization with t = tau / sigma and 1 / c~^2 = sigma^2 / c^2. Given w the local
    # scales would crawl through the funnel local_j ~ 0 <-> w_j ~ 0 of the noise features.
    resid = reg.y - c0 - reg.Z @ w
    collapsed_local_sweep(
        reg.Zt, reg.ztz, resid, w, st["local"], tau / sigma, sigma2, rng, sigma2 / st["c2"],
        reg.ztz,
    )  # fmt: skip
    st["c2"] = draw_slab_c2(spec, np.log(tau), np.log(st["local"]), w**2, st["c2"], rng)


_STEPS = {
    "laplace": _laplace_step,
    "horseshoe": _global_local_step,
    "normal": _global_local_step,
    "regularized-horseshoe": _reg_horseshoe_step,
}


def _init_state(reg: GaussianRegression, spec: _Spec, rng) -> dict:
    """Dispersed starting values (on the working scale y has sd 1)."""
    jitter = np.exp(rng.uniform(-0.5, 0.5, size=3))
    st = {"w": np.zeros(reg.p), "c0": 0.0, "sigma2": 0.5 * jitter[0], "log_step": 0.0}
    if spec.kind == "laplace":
        st["lam2"] = spec.lam**2 if spec.lam is not None else spec.r / spec.delta * jitter[1]
        st["tau2"] = np.full(reg.p, 2.0 / st["lam2"])
    elif spec.kind in ("horseshoe", "normal"):
        st["local"] = np.ones(reg.p)
        st["log_step_rescale"] = -1.0
        if spec.kind == "normal" and spec.scale is not None:  # fixed, never updated: no jitter
            st["t"] = spec.scale
        else:
            st["t"] = (spec.tau0 if spec.kind == "horseshoe" else 1.0) * jitter[1]
    else:
        st["local"] = np.ones(reg.p)
        st["tau"] = spec.tau0 * np.sqrt(st["sigma2"]) * jitter[1]
        st["c2"] = spec.slab_scale**2 * jitter[2]
    if spec.kind in ("horseshoe", "regularized-horseshoe") and reg.method == "bhattacharya":
        # p > n. Fixed by the data, not the state (a state-dependent choice of which scales
        # to update would change the stationary distribution): largest |z_j^T y|
        st["active"] = np.argsort(-np.abs(reg.Zty), kind="stable")[: ACTIVE_PER_N * reg.n]
    return st


def _record(reg: GaussianRegression, spec: _Spec, st: dict) -> dict:
    """The posterior variables (model names) and statistics of the current state."""
    sigma = float(np.sqrt(st["sigma2"]))
    loglik = gaussian_loglik(reg.Z, reg.y, st["w"], st["c0"], sigma)
    out = {"beta_std": st["w"], "intercept_std": st["c0"], "sigma_std": sigma, "_ll": loglik}
    if spec.kind == "laplace":
        if spec.lam is None:
            out["lam2"] = st["lam2"]
        out["lam"] = np.sqrt(st["lam2"])
    elif spec.kind == "horseshoe":
        out["tau"], out["local"] = sigma * st["t"], st["local"]
    elif spec.kind == "normal":
        out["ridge_scale"] = st["t"]
    else:
        out["tau"], out["local"], out["c"] = st["tau"], st["local"], np.sqrt(st["c2"])
    out["loglik"] = float(loglik.sum())
    if spec.kind != "laplace" and not (spec.kind == "normal" and spec.scale is not None):
        out["global_accept"] = st["accept"]
    return out


def _run_chain(
    Z,
    y,
    spec: _Spec,
    method: str,
    tune: int,
    draws: int,
    thin: int,
    seed,
    progress,
    chain: int,
    threads: int | None,
    likelihood: str = "gaussian",
):
    """Run one chain; returns {name: array with leading draw axis}."""
    if threads is not None:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads):
            return _run_chain(
                Z, y, spec, method, tune, draws, thin, seed, progress, chain, None, likelihood
            )
    rng = np.random.default_rng(seed)
    if likelihood == "logistic":
        from bayes_l1.samplers import gibbs_logistic as kernels

        reg = kernels.LogisticData(Z, y, method)
        st = kernels.init_state(reg, spec, rng)
        step, record = kernels.STEPS[spec.kind], kernels.record
    else:
        reg = GaussianRegression(Z, y, method)
        st = _init_state(reg, spec, rng)
        step, record = _STEPS[spec.kind], _record
    total = tune + draws * thin
    tick = max(total // 100, 1)
    out = None
    for it in range(total):
        step(reg, spec, st, rng, it < tune, it)
        if it >= tune and (it - tune + 1) % thin == 0:
            draw = record(reg, spec, st)
            if out is None:  # preallocated: the draws are held once (p = 100,000: GBs)
                out = {k: np.empty((draws, *np.shape(v))) for k, v in draw.items()}
            for k, v in draw.items():
                out[k][(it - tune + 1) // thin - 1] = v
        if progress is not None and ((it + 1) % tick == 0 or it + 1 == total):
            progress((chain, min(tick, (it % tick) + 1)))
    return out


def _eb_lam(reg: GaussianRegression, spec: _Spec, n_iter: int, rng) -> tuple[float, float]:
    """Empirical-Bayes lam: the root of the marginal-likelihood score
    d/dlam log m(y | lam) = p / lam - E_lam[S], with S = sum_j |w_j| / sigma.

    Monte Carlo EM (Park & Casella 2008, sec. 3.1), lam^2 <- 2p / sum_j E[tau_j^2] with the
    E-step Rao-Blackwellized through E[tau_j^2 | w_j, sigma, lam] = |w_j| / (lam sigma) +
    1 / lam^2, brings lam near the root in the first half of the iterations. EM converges only
    linearly, slowly when the coefficients carry much of the missing information (a 5% bias
    on diabetes after 600 iterations), so the second half takes two Newton steps on the
    score, its slope -p / lam^2 + Var_lam[S] estimated from the same draws. Returns lam and
    its Monte Carlo standard error (the last block's MCSE of E[S] over the slope)."""
    st = _init_state(reg, spec, rng)
    st["lam2"], st["eb"] = 1.0, True
    st["tau2"] = np.full(reg.p, 2.0)

    def block_of_scores(size: int) -> np.ndarray:
        scores = np.empty(size)
        for it in range(size):
            _laplace_step(reg, spec, st, rng, True, it)
            scores[it] = np.abs(st["w"]).sum() / np.sqrt(st["sigma2"])
        return scores

    p = reg.p
    em_block = max(10, n_iter // 50)
    for _ in range(max(n_iter // (2 * em_block), 4)):
        lam = np.sqrt(st["lam2"])
        mean_s = block_of_scores(em_block).mean()
        st["lam2"] = 2.0 * p / (mean_s / lam + p / st["lam2"])
    for size in (n_iter // 6, n_iter // 3):
        lam = np.sqrt(st["lam2"])
        scores = block_of_scores(max(size, 50))
        slope = p / st["lam2"] - scores.var()  # minus the score's derivative
        if slope > 0.05 * p / st["lam2"]:
            step = (p / lam - scores.mean()) / slope
            new_lam = float(np.clip(lam + step, 0.5 * lam, 2.0 * lam))
        else:  # the sampled log-likelihood is not concave here: stay with EM
            new_lam = float(np.sqrt(2.0 * p / (scores.mean() / lam + p / st["lam2"])))
            slope = p / st["lam2"]
        st["lam2"] = new_lam**2
    se = float(array_stats.mcse(scores[None, :], method="mean", chain_axis=0, draw_axis=1))
    return new_lam, se / slope


# -- driver -------------------------------------------------------------------------------


def _run_all(Z, y, spec, method, tune, draws, thin, seeds, cores, progressbar, likelihood):
    """Run the chains, in parallel processes when cores > 1, with a rich progress bar."""
    chains = len(seeds)
    total = chains * (tune + draws * thin)
    workers = min(chains, cores)
    progress_ctx = None
    if progressbar:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        progress_ctx = Progress(
            TextColumn("Gibbs ({task.fields[chains]} chains)"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
        )
    if workers == 1:
        if progress_ctx is None:
            return [
                _run_chain(Z, y, spec, method, tune, draws, thin, s, None, i, None, likelihood)
                for i, s in enumerate(seeds)
            ]
        with progress_ctx as bar:
            task = bar.add_task("gibbs", total=total, chains=chains)

            def advance(msg):
                bar.advance(task, msg[1])

            return [
                _run_chain(Z, y, spec, method, tune, draws, thin, s, advance, i, None, likelihood)
                for i, s in enumerate(seeds)
            ]
    from concurrent.futures import ProcessPoolExecutor

    # fork where the platform has it (Linux): no re-import of the caller's __main__, so
    # scripts need no ``if __name__ == "__main__"`` guard, and the chains only run numpy /
    # BLAS code (OpenBLAS re-initializes its pool after fork). Each worker gets its share of
    # the cores for BLAS so that the chains do not oversubscribe them.
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    threads = max(1, (os.cpu_count() or 1) // workers)
    with warnings.catch_warnings():
        # Python >= 3.12 warns about fork in a process with threads: see above.
        warnings.filterwarnings("ignore", ".*multi-threaded.*fork", DeprecationWarning)
        manager = mp.Manager() if progress_ctx is not None else None
        report = manager.Queue() if manager is not None else None
        try:
            with ProcessPoolExecutor(workers, mp_context=mp) as ex:
                args = (Z, y, spec, method, tune, draws, thin)
                futures = [
                    ex.submit(_run_chain, *args, s, report and report.put, i, threads, likelihood)
                    for i, s in enumerate(seeds)
                ]
                if report is not None:
                    _follow(futures, report, progress_ctx, total, chains)
                return [fut.result() for fut in futures]
        finally:
            if manager is not None:
                manager.shutdown()


def _follow(futures, report, progress_ctx, total: int, chains: int) -> None:
    """Advance the progress bar with the workers' reports until every chain is done."""
    with progress_ctx as bar:
        task = bar.add_task("gibbs", total=total, chains=chains)
        while not all(fut.done() for fut in futures):
            try:
                bar.advance(task, report.get(timeout=0.2)[1])
            except queue_module.Empty:
                pass
        while not report.empty():
            bar.advance(task, report.get()[1])


def sample_gibbs(
    data: ModelData,
    prior=None,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed=None,
    progressbar: bool = False,
    thin: int = 1,
    method: str = "auto",
    cores: int | None = None,
    context=None,
):
    """Sample the posterior of the model ``build_model(data, prior)`` by Gibbs.

    Parameters
    ----------
    data : ModelData
        From :func:`bayes_l1.model.prepare`: ``likelihood="gaussian"``, or ``"logistic"``
        (Polya-Gamma augmentation, :mod:`bayes_l1.samplers.gibbs_logistic`).
    prior : Laplace, Horseshoe, RegularizedHorseshoe or Normal (or a name); default Laplace.
        ``Laplace(lam="eb")`` (Gaussian likelihood only) first sets lam by Monte Carlo EM
        (``tune`` iterations), then samples with lam fixed; the value and its Monte Carlo
        standard error are recorded in the posterior attrs ``eb_lam`` and ``eb_lam_mcse``.
    draws : int
        Saved draws per chain (after thinning: ``draws * thin`` iterations are run).
    tune : int
        Warm-up iterations per chain, discarded (the global-scale proposal is tuned there).
    chains : int
        Independent chains, seeded from ``SeedSequence(random_seed).spawn(chains)``.
    random_seed : int, SeedSequence, Generator or None
        The same seed gives the same draws, whatever ``cores``.
    progressbar : bool
        Show a rich progress bar.
    thin : int
        Keep every ``thin``-th iteration.
    method : {"auto", "cholesky", "bhattacharya"}
        How w is drawn: Cholesky in feature space (O(p^3), Z^T Z cached) or the O(n^2 p)
        sample-space algorithm; "auto" takes the first when p <= n (logistic: p + 1 <= n,
        the intercept drawn jointly with w; Z^T Omega Z is formed each iteration).
    cores : int, optional
        Processes for the chains; default ``min(chains, os.cpu_count())``.
    context : BuildContext, optional
        Pre-resolved data summaries (:func:`bayes_l1.model.build_context`), e.g. the
        cross-validated alpha behind ``Laplace(lam="cv")``.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior`` (``beta_std``, ``intercept_std``, ``sigma_std``, ``beta``,
        ``intercept``, ``sigma`` and the prior's scales; no sigma for the logistic
        likelihood), ``sample_stats`` (``loglik``: the
        log-likelihood of each draw, ``global_accept``: Metropolis acceptance rate of the
        global scale, where there is one), ``observed_data``, ``log_likelihood`` (working
        scale, as the NUTS path gives it; :func:`~bayes_l1.fit_posterior` puts both on the
        original scale of y) and ``constant_data``.

    Notes
    -----
    Constant columns are left out and returned at exactly 0 (with local scale 0).
    sigma^2 is floored at 1e-24 on the working scale (sigma >= 1e-12 sd(y)), a
    coefficient's prior variance capped at 1e24 and the horseshoes' local scales at a
    shrinkage factor of 1e-12: far out in the tails for any noisy y, they keep a noise-free
    y (whose posterior of sigma has no lower bound) from underflowing; a UserWarning says
    when draws of sigma fall below 1e-5 sd(y).

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> from bayes_l1.model import prepare
    >>> X, y = bl.load_diabetes()
    >>> idata = sample_gibbs(prepare(X, y), bl.Horseshoe(), draws=50, tune=50, chains=1,
    ...                      random_seed=0)
    >>> idata["posterior"]["beta"].sizes["feature"]
    10
    """
    prior = resolve_prior(prior)
    check_gibbs_supported(prior, data.likelihood)
    full, data = data, data.drop_held_at_zero()  # constant columns: out of the model, 0 in the tree
    draws = check_int(draws, "draws", minimum=1)
    tune = check_int(tune, "tune", minimum=0)
    chains = check_int(chains, "chains", minimum=1)
    thin = check_int(thin, "thin", minimum=1)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    cores = (
        min(chains, os.cpu_count() or 1) if cores is None else check_int(cores, "cores", minimum=1)
    )
    seed_seq = seed_sequence(random_seed)
    if context is None:
        seed = int(random_seed) if isinstance(random_seed, int | np.integer) else 0
        context = build_context(data, prior, random_state=seed)
    logistic = data.likelihood == "logistic"
    if logistic:  # the prior's scales as build_model writes them: pseudo-sigma where used
        context = replace(context, sigma=data.pseudo_sigma())
    spec = prior.gibbs_spec(context)
    seeds = seed_seq.spawn(chains + 1)
    start = time.perf_counter()
    attrs = {}
    if spec.eb:
        reg = GaussianRegression(data.Z, data.y_work, method)
        lam, lam_se = _eb_lam(reg, spec, max(tune, 200), np.random.default_rng(seeds[-1]))
        spec = replace(spec, lam=lam, eb=False)
        attrs["eb_lam"], attrs["eb_lam_mcse"] = lam, lam_se
    results = _run_all(
        data.Z, data.y_work, spec, method, tune, draws, thin, seeds[:chains], cores,
        progressbar, data.likelihood,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    # one variable at a time, each chain's copy dropped once stacked: a bounded peak
    out = {k: np.stack([r.pop(k) for r in results]) for k in list(results[0])}

    info = {
        "inference_library": "bayes_l1",
        "sampler": "gibbs",
        "method": choose_method(data.n, data.p + logistic, method),
        "sampling_time": elapsed,
        "tuning_steps": tune,
        "thin": thin,
        **attrs,
    }
    if not logistic:
        _warn_exact_fit(out["sigma_std"])
    return restore_held_at_zero(_tree(data, spec, out, info), full)


def _posterior(data: ModelData, spec, out: dict) -> dict:
    """The posterior variables from the chains' draws: working and original scale, and the
    prior's scales (fixed ones as constant draws, so every fit has the same variables)."""
    chains, draws = out["intercept_std"].shape
    logistic = data.likelihood == "logistic"
    posterior = {"beta_std": out["beta_std"], "intercept_std": out["intercept_std"]}
    if not logistic:
        posterior["sigma_std"] = out["sigma_std"]
    for name in ("lam2", "lam", "tau", "local", "c", "ridge_scale"):
        if name in out:
            posterior[name] = out[name]
    if spec.kind == "laplace" and spec.lam is not None:
        posterior["lam"] = np.full((chains, draws), spec.lam)
    if spec.kind == "normal" and spec.scale is not None:
        posterior["ridge_scale"] = np.full((chains, draws), spec.scale)
    sigma_std = out.get("sigma_std", np.ones_like(out["intercept_std"]))
    scaled = original_scale(data, out["beta_std"], out["intercept_std"], sigma_std)
    if logistic:
        del scaled["sigma"]
    return posterior | scaled


def _tree(data: ModelData, spec, out: dict, info: dict):
    """The DataTree of a Gibbs run, in the schema of :func:`~bayes_l1.samplers.sample_nuts`."""
    from arviz_base import from_dict

    return from_dict(
        {
            "posterior": _posterior(data, spec, out),
            "sample_stats": {k: out[k] for k in ("loglik", "global_accept") if k in out},
            "observed_data": {"y": data.y_work},
            "log_likelihood": {"y": out["_ll"]},
            "constant_data": {"X": data.Z},
        },
        coords={"feature": np.asarray(data.feature_names, dtype=object), "obs": np.arange(data.n)},
        dims={
            "beta_std": ["feature"],
            "beta": ["feature"],
            "local": ["feature"],
            "y": ["obs"],
            "X": ["obs", "feature"],
        },
        attrs={"posterior": info, "sample_stats": dict(info)},
    )


_EXACT_FIT_SIGMA = 1e-5  # noise sd in units of sd(y): R^2 above 1 - 1e-10


def _warn_exact_fit(sigma_std: np.ndarray) -> None:
    """Say so when draws of sigma fall below 1e-5 sd(y): y is then a linear function of X up
    to rounding, where the posterior of sigma has no lower bound and the numerical floors
    decide where the draws stop (1e-12 sd(y) for sigma; about 1e-6 sd(y) for the
    horseshoes at n > p, whose local scales are capped)."""
    if sigma_std.min() < _EXACT_FIT_SIGMA:
        warn_caller(
            "y is fitted exactly by X (noise sd below 1e-5 sd(y) in some draws): the "
            "posterior of a noise-free fit would drift to sigma = 0, and the sampler's "
            "numerical floors hold it above. Check for a target computed from the features."
        )
