"""Coefficient priors as frozen specifications; each builds its PyMC construction.

Every prior acts on the *working* scale: standardized features and, for the Gaussian
likelihood, a standardized response, so that defaults mean the same thing on every data set.
``sigma`` below is the noise sd on that scale (a random variable, or fixed), and for the
logistic likelihood the pseudo-sigma 1 / sqrt(mu (1 - mu)) of Piironen & Vehtari (2017).

Scales are recorded in the posterior under these names: ``lam`` (Laplace rate), ``tau``
(global), ``local`` (horseshoe local scales, dim ``feature``), ``c`` (slab scale),
``ridge_scale`` (Normal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import erfcx

from bayes_l1._validation import check_l1_ratio, check_positive
from bayes_l1.mapping import alpha_from_lam, lam_from_alpha

__all__ = [
    "ElasticNetPrior",
    "Horseshoe",
    "Laplace",
    "Normal",
    "Prior",
    "RegularizedHorseshoe",
    "PRIORS",
]


def pseudo_sigma(y) -> float:
    """Logistic pseudo-sigma 1 / sqrt(mu (1 - mu)), mu the event rate of the 0/1 labels
    ``y`` clipped to [0.001, 0.999] (Piironen & Vehtari 2017)."""
    mu = float(np.clip(np.mean(y), 1e-3, 1 - 1e-3))
    return 1.0 / np.sqrt(mu * (1.0 - mu))


@dataclass(frozen=True)
class BuildContext:
    """What a prior needs to know about the data to build itself."""

    n: int
    p: int
    likelihood: str
    sigma: Any = 1.0  # noise sd on the working scale: a tensor, or a float
    sigma_hat: float = float("nan")  # its point estimate (for alpha mappings)
    y_scale: float = 1.0  # sd of y (Gaussian): alpha on the original scale = working * y_scale
    alpha_cv: float | None = None  # the cross-validated lasso alpha (original scale of y)

    @property
    def noise_hat(self) -> float:
        return 1.0 if self.likelihood == "logistic" else self.sigma_hat

    @property
    def noise(self):
        return 1.0 if self.likelihood == "logistic" else self.sigma


def _set_positive(spec, *names: str, optional: bool = False) -> None:
    """Validate numeric fields of a frozen prior and store them as floats.

    Any real number is accepted (NumPy scalars included), so that ``lam=np.int64(5)`` means
    the fixed rate 5.0 everywhere downstream, never something else.
    """
    for name in names:
        value = getattr(spec, name)
        if value is None and optional:
            continue
        object.__setattr__(spec, name, check_positive(value, name))


def _half_cauchy(pm, name, scale, dims=None):
    """Half-Cauchy(scale) as HalfNormal * sqrt(InvGamma(1/2, 1/2)): the same distribution,
    with a geometry NUTS explores without divergences (Piironen & Vehtari 2017, App. C)."""
    a = pm.HalfNormal(f"{name}_a", 1.0, dims=dims)
    b = pm.InverseGamma(f"{name}_b", 0.5, 0.5, dims=dims)
    return pm.Deterministic(name, scale * a * pm.math.sqrt(b), dims=dims)


@dataclass(frozen=True)
class Laplace:
    """Bayesian lasso (Park & Casella 2008): w_j | sigma ~ Laplace(0, sigma / lam).

    The posterior mode with sigma fixed is the lasso at ``alpha = lam sigma / n``
    (logistic: ``alpha = lam / n``, scale 1 / lam = C).

    Parameters
    ----------
    lam : float, "cv", "eb" or None
        A fixed rate; ``"cv"`` takes the cross-validated lasso alpha (``lasso_map_cv``,
        minimum rule) and maps it to lam; ``"eb"`` the empirical-Bayes (marginal maximum
        likelihood) rate by Monte Carlo EM, with ``sampler="gibbs"`` only; None (default)
        puts a Gamma(r, delta) prior on lam**2.
    alpha : float, optional
        Fix lam from a scikit-learn alpha on the original scale of y (as ``lasso_map``'s
        default standardized fit): ``lam = n alpha / sigma_hat``, with sigma_hat the noise
        sd estimated from the data. Mutually exclusive with ``lam``.
    r, delta : float
        Shape and rate of the Gamma prior on lam**2. The defaults (1, 0.1) give
        E[lam**2] = 10 with an exponential tail: diffuse on the working scale, where
        cross-validated lasso fits typically give lam between 1 and sqrt(n) * 3.
    """

    lam: float | str | None = None
    alpha: float | None = None
    r: float = 1.0
    delta: float = 0.1

    def __post_init__(self):
        if self.lam is not None and self.alpha is not None:
            raise ValueError("Give either lam or alpha to Laplace, not both.")
        if isinstance(self.lam, str):
            if self.lam not in ("cv", "eb"):
                raise ValueError(
                    f"Laplace lam must be a number, 'cv', 'eb' or None; got {self.lam!r}."
                )
        else:
            _set_positive(self, "lam", optional=True)
        _set_positive(self, "alpha", optional=True)
        _set_positive(self, "r", "delta")

    @property
    def needs_sigma_hat(self) -> bool:
        return (self.lam is not None and self.lam != "eb") or self.alpha is not None

    def fixed_lam(self, ctx: BuildContext) -> float | None:
        """The fixed rate, from ``lam``, ``alpha`` or the CV alpha (None: hyperprior, or
        ``lam="eb"``, which the Gibbs sampler estimates from the data)."""
        if isinstance(self.lam, float):  # numbers are stored as floats by __post_init__
            return self.lam
        if self.lam == "eb":
            return None
        alpha = ctx.alpha_cv if self.lam == "cv" else self.alpha
        if alpha is None:
            return None
        # alpha / y_scale: the alpha of the working problem, where the noise sd is noise_hat
        return lam_from_alpha(alpha / ctx.y_scale, sigma=ctx.noise_hat, n=ctx.n)

    def map_penalty(self, ctx: BuildContext):
        """(alpha, l1_ratio) of ``lasso_map`` on the original scale matching this prior's
        mode at sigma = sigma_hat, or None when lam has a hyperprior."""
        lam = self.fixed_lam(ctx)
        if lam is None:
            return None
        return alpha_from_lam(lam, sigma=ctx.noise_hat, n=ctx.n) * ctx.y_scale, 1.0

    def build(self, pm, ctx: BuildContext):
        if self.lam == "eb":
            raise ValueError(
                "Laplace(lam='eb') (empirical-Bayes lam by Monte Carlo EM) needs "
                "sampler='gibbs'; with NUTS use lam=None (Gamma hyperprior), 'cv' or a number."
            )
        lam = self.fixed_lam(ctx)
        if lam is None:
            lam2 = pm.Gamma("lam2", alpha=self.r, beta=self.delta)
            lam = pm.Deterministic("lam", pm.math.sqrt(lam2))
        else:
            lam = pm.Deterministic("lam", pm.math.constant(lam, dtype="float64"))
        return pm.Laplace("beta_std", 0.0, ctx.noise / lam, dims="feature")


def _tau0(p0, ctx: BuildContext) -> float:
    """Global scale tau0 = p0 / (p - p0) / sqrt(n) (times sigma, applied by the caller)."""
    if p0 is None:
        return 1.0 / np.sqrt(ctx.n)
    if not 0 < p0 < ctx.p:
        raise ValueError(
            f"p0 (expected number of relevant features) must be in (0, p={ctx.p}); got {p0}."
        )
    return p0 / (ctx.p - p0) / np.sqrt(ctx.n)


@dataclass(frozen=True)
class Horseshoe:
    """Horseshoe (Carvalho, Polson & Scott 2010), non-centred.

    w_j = z_j tau local_j, z_j ~ N(0, 1), local_j ~ C+(0, 1), tau ~ C+(0, tau0 sigma),
    i.e. w_j ~ N(0, tau^2 local_j^2) with the global scale proportional to sigma.

    Parameters
    ----------
    p0 : float, optional
        Prior guess of the number of relevant features: tau0 = p0 / (p - p0) / sqrt(n)
        (Piironen & Vehtari 2017). Default None gives tau0 = 1 / sqrt(n) (p0 = p / 2: weak).
    tau0 : float, optional
        Set the global scale directly (overrides p0).
    """

    p0: float | None = None
    tau0: float | None = None

    def __post_init__(self):
        _set_positive(self, "p0", "tau0", optional=True)

    needs_sigma_hat = False

    def map_penalty(self, ctx: BuildContext):
        return None  # no penalized-likelihood counterpart

    def global_scale(self, ctx: BuildContext) -> float:
        return self.tau0 if self.tau0 is not None else _tau0(self.p0, ctx)

    def _scales(self, pm, ctx):
        # ctx.sigma, not ctx.noise: for the logistic likelihood the global scale uses the
        # pseudo-sigma (Piironen & Vehtari 2017, sec. 3.3)
        tau = _half_cauchy(pm, "tau", self.global_scale(ctx) * ctx.sigma)
        local = _half_cauchy(pm, "local", 1.0, dims="feature")
        return tau, local

    def coefficient_sd(self, pm, ctx: BuildContext):
        """The scale variables, and the sd of w_j given them: w_j | scales ~ N(0, sd_j^2)."""
        tau, local = self._scales(pm, ctx)
        return tau * local

    def build(self, pm, ctx: BuildContext):
        sd = self.coefficient_sd(pm, ctx)
        z = pm.Normal("z", 0.0, 1.0, dims="feature")
        return pm.Deterministic("beta_std", z * sd, dims="feature")


@dataclass(frozen=True)
class RegularizedHorseshoe(Horseshoe):
    """Regularized horseshoe (Piironen & Vehtari 2017): a horseshoe with a slab.

    local~_j^2 = c^2 local_j^2 / (c^2 + tau^2 local_j^2), c^2 ~ InvGamma(df/2, df s^2/2):
    large coefficients are shrunk as under N(0, c^2), which keeps the posterior geometry
    tame (no divergences where the horseshoe has them) and identifies separable logistic fits.

    Parameters
    ----------
    p0, tau0 : as :class:`Horseshoe`.
    slab_scale : float
        s, on the working scale (per sd of a feature, in sd of y): default 2.
    slab_df : float
        Degrees of freedom of the slab: default 4.
    """

    slab_scale: float = 2.0
    slab_df: float = 4.0

    def __post_init__(self):
        super().__post_init__()
        _set_positive(self, "slab_scale", "slab_df")

    def coefficient_sd(self, pm, ctx: BuildContext):
        tau, local = self._scales(pm, ctx)
        c2_aux = pm.InverseGamma("c2_aux", 0.5 * self.slab_df, 0.5 * self.slab_df)
        c2 = self.slab_scale**2 * c2_aux
        pm.Deterministic("c", pm.math.sqrt(c2))
        return tau * pm.math.sqrt(c2 * local**2 / (c2 + tau**2 * local**2))


@dataclass(frozen=True)
class Normal:
    """Gaussian (ridge) prior: w_j | sigma ~ N(0, sigma^2 scale^2).

    The posterior mode with sigma fixed is ridge at ``alpha = 1 / (n scale^2)`` in
    ``lasso_map``'s scaling (``l1_ratio=0``), i.e. scikit-learn ``Ridge(alpha=1/scale^2)``
    on the working scale: no sigma estimate needed.

    Parameters
    ----------
    scale : float, optional
        Fixed prior scale (relative to sigma); default None puts a HalfNormal(1) prior on it.
    alpha : float, optional
        Fix the scale from a ridge alpha (``lasso_map`` scaling): scale = 1 / sqrt(n alpha).
    """

    scale: float | None = None
    alpha: float | None = None

    def __post_init__(self):
        if self.scale is not None and self.alpha is not None:
            raise ValueError("Give either scale or alpha to Normal, not both.")
        _set_positive(self, "scale", "alpha", optional=True)

    needs_sigma_hat = False

    def fixed_scale(self, ctx: BuildContext) -> float | None:
        if self.alpha is not None:
            return 1.0 / np.sqrt(ctx.n * self.alpha)
        return self.scale

    def map_penalty(self, ctx: BuildContext):
        """Ridge alpha 1 / (n scale^2), unchanged by the scale of y; None under a hyperprior."""
        scale = self.fixed_scale(ctx)
        return None if scale is None else (1.0 / (ctx.n * scale**2), 0.0)

    def coefficient_sd(self, pm, ctx: BuildContext):
        """The scale variable, and the sd of every w_j given it (a scalar)."""
        scale = self.fixed_scale(ctx)
        if scale is None:
            scale = pm.HalfNormal("ridge_scale", 1.0)
        else:
            pm.Deterministic("ridge_scale", pm.math.constant(scale, dtype="float64"))
        return ctx.noise * scale

    def build(self, pm, ctx: BuildContext):
        return pm.Normal("beta_std", 0.0, self.coefficient_sd(pm, ctx), dims="feature")


@dataclass(frozen=True)
class ElasticNetPrior:
    """Elastic-net prior: density proportional to exp(-l1 |w| / sigma - l2 (w / sigma)^2).

    With ``l1 = n (alpha / sd(y)) l1_ratio / sigma_hat`` and ``l2 = n alpha (1 - l1_ratio) / 2``
    on the working scale, the posterior mode at sigma = sigma_hat is
    ``lasso_map(X, y, alpha, l1_ratio=l1_ratio)`` (alpha on the original scale of y).
    w / sigma has a fixed law, so the normalizing constant is
    sigma * sqrt(pi / l2) * erfcx(l1 / (2 sqrt(l2))), included exactly.
    """

    alpha: float
    l1_ratio: float = 0.5

    def __post_init__(self):
        _set_positive(self, "alpha")
        object.__setattr__(self, "l1_ratio", check_l1_ratio(self.l1_ratio))
        if not 0 < self.l1_ratio < 1:
            raise ValueError(
                "ElasticNetPrior needs 0 < l1_ratio < 1; use Laplace (1) or Normal (0)."
            )

    needs_sigma_hat = True

    def rates(self, ctx: BuildContext) -> tuple[float, float]:
        """(l1, l2) on the working scale: only the L1 part scales with the sd of y."""
        l1 = lam_from_alpha(self.alpha * self.l1_ratio / ctx.y_scale, sigma=ctx.noise_hat, n=ctx.n)
        l2 = ctx.n * self.alpha * (1.0 - self.l1_ratio) / 2.0
        return l1, l2

    def map_penalty(self, ctx: BuildContext):
        return self.alpha, self.l1_ratio

    def build(self, pm, ctx: BuildContext):
        import pytensor.tensor as pt

        l1, l2 = self.rates(ctx)
        log_norm = 0.5 * np.log(np.pi / l2) + np.log(erfcx(l1 / (2.0 * np.sqrt(l2))))

        def logp(value, s):
            return -l1 * pt.abs(value) / s - l2 * value**2 / s**2 - pt.log(s) - log_norm

        return pm.CustomDist("beta_std", ctx.noise, logp=logp, dims="feature")


Prior = Laplace | Horseshoe | RegularizedHorseshoe | Normal | ElasticNetPrior

PRIORS = {
    "laplace": Laplace,
    "horseshoe": Horseshoe,
    "regularized-horseshoe": RegularizedHorseshoe,
    "ridge": Normal,
    "normal": Normal,
}


def resolve_prior(prior) -> Prior:
    """A prior instance from an instance, a class, or a name in ``PRIORS``."""
    if prior is None:
        return Laplace()
    if isinstance(prior, str):
        key = prior.lower().replace("_", "-")
        if key not in PRIORS:
            raise ValueError(f"Unknown prior {prior!r}; choose one of {sorted(PRIORS)}.")
        return PRIORS[key]()
    if isinstance(prior, type) and prior in (Laplace, Horseshoe, RegularizedHorseshoe, Normal):
        return prior()
    if not isinstance(prior, Laplace | Horseshoe | Normal | ElasticNetPrior):
        raise TypeError(
            f"prior must be a bayes_l1 prior (Laplace, Horseshoe, RegularizedHorseshoe, Normal, "
            f"ElasticNetPrior) or its name; got {prior!r}."
        )
    return prior
