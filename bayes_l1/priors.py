"""Coefficient priors as frozen specifications; each builds its PyMC construction.

Every prior acts on the *working* scale: standardized features and, for the Gaussian
likelihood, a standardized response, so that defaults mean the same thing on every data set.
``sigma`` below is the noise sd on that scale (a random variable, or fixed), and for the
logistic likelihood the pseudo-sigma 1 / sqrt(mu (1 - mu)) of Piironen & Vehtari (2017).

Scales are recorded in the posterior under these names: ``lam`` (Laplace rate), ``tau``
(global), ``local`` (horseshoe local scales, dim ``feature``), ``c`` (slab scale),
``ridge_scale`` (Normal).

Each prior class also says how the rest of the package treats it (the attributes and
methods of :class:`Prior`): the likelihoods it supports, whether its coefficients can be
integrated out, its NUTS target acceptance, its MAP penalty, the Gibbs kernel that samples
it (by name, with the parameters that kernel needs: :class:`GibbsSpec`) and its advice on
sampling problems. No other module tests prior types: a new prior is one class here, plus
its kernels.
"""

from __future__ import annotations

import ast
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

import numpy as np
from scipy.special import erfcx

from bayes_l1._validation import check_l1_ratio, check_positive
from bayes_l1.bma.gprior import GPrior, resolve_g
from bayes_l1.bma.model_priors import resolve_model_prior
from bayes_l1.mapping import alpha_from_lam, lam_from_alpha

__all__ = [
    "ElasticNetPrior",
    "GibbsSpec",
    "Horseshoe",
    "Laplace",
    "Normal",
    "Prior",
    "RegularizedHorseshoe",
    "SpikeAndSlab",
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


@dataclass(frozen=True)
class GibbsSpec:
    """What a Gibbs chain needs to know about the prior, resolved against the data
    (picklable): ``kind`` names the kernel in :mod:`bayes_l1.samplers.gibbs`."""

    kind: str  # "laplace", "horseshoe", "normal", "regularized-horseshoe"
    lam: float | None = None  # Laplace: fixed rate (None: Gamma(r, delta) prior on lam^2)
    r: float = 1.0
    delta: float = 0.1
    eb: bool = False  # Laplace: set lam by empirical Bayes (Monte Carlo EM) first
    # horseshoes: tau ~ C+(0, tau0 sigma) (Gaussian); logistic: tau ~ C+(0, tau0), the
    # pseudo-sigma already in tau0 (Prior.gibbs_spec gets the context with sigma set to it)
    tau0: float = 1.0
    scale: float | None = None  # Normal: fixed ridge scale (None: HalfNormal(1) prior)
    slab_scale: float = 2.0
    slab_df: float = 4.0


_MARGINALIZE_ADVICE = (
    "with the Gaussian likelihood, integrate the coefficients out "
    "(marginalize=True: no funnel between a coefficient and its scale) or use "
    "sampler='gibbs'"
)
# The horseshoes' advice to give p0, which a prior whose global scale the user set omits
# (Horseshoe.settings_advice).
_GIVE_P0_WIDE = (
    "with p = {p} > n = {n}, give p0 (the expected number of relevant features) if "
    "you know it: the default expects n / 2 of them, and a global scale that "
    "allows near-interpolating fits leaves posterior mass there that a sampler "
    "crosses slowly (Piironen & Vehtari 2017)"
)
_GIVE_P0_FUNNEL = (
    "give p0, the expected number of relevant features: the global scale "
    "tau0 = p0 / (p - p0) / sqrt(n) keeps tau out of the funnel"
)
_GIVE_P0_BFMI = ", or give p0 (expected number of relevant features) to concentrate tau"
_GIVE_P0 = (_GIVE_P0_WIDE, _GIVE_P0_FUNNEL, _GIVE_P0_BFMI)


class Prior:
    """Base of the coefficient priors: what a prior supports, and how it is sampled.

    The defaults describe a prior that NUTS samples with its coefficients (any likelihood,
    target acceptance 0.9) and nothing else does; a subclass overrides what differs and
    implements ``build(pm, ctx)`` (its PyMC construction).
    """

    likelihoods: ClassVar[tuple[str, ...]] = ("gaussian", "logistic")
    needs_sigma_hat: ClassVar[bool] = False  # a noise-sd estimate maps its parameters
    needs_alpha_cv: ClassVar[bool] = False  # it takes the cross-validated lasso alpha
    # Gaussian given its scales (w | scales ~ N(0, coefficient_sd^2)): with the Gaussian
    # likelihood the coefficients can be integrated out (build_model(marginalize=True))
    marginalizable: ClassVar[bool] = False
    # NUTS target acceptance with the coefficients sampled, and integrated out
    target_accept: ClassVar[float] = 0.9
    target_accept_marginalized: ClassVar[float] = 0.9
    gibbs_kernel: ClassVar[str | None] = None  # the Gibbs kernel's name (None: NUTS only)
    # the likelihoods that kernel samples (logistic: by Polya-Gamma augmentation)
    gibbs_likelihoods: ClassVar[tuple[str, ...]] = ()
    # A sampler over models (spike-and-slab: exact enumeration of the 2^p models, the
    # kernel in samplers/model_space.py); such a prior has no NUTS construction.
    model_space: ClassVar[bool] = False
    nuts: ClassVar[bool] = True  # NUTS samples it (build returns its PyMC construction)
    fixed_lasso: ClassVar[bool] = False  # its mode is the lasso at a fixed alpha
    # its coefficients' marginal prior has tails as heavy as a Cauchy's (no finite mean):
    # where the logistic likelihood is flat (separable classes) so is the posterior's
    cauchy_tails: ClassVar[bool] = False
    # Advice on sampling problems (diagnostics.check_sampling), after the generic advice:
    # "divergences": lines; "bfmi": appended to the E-BFMI line; "mixing_wide" (formatted
    # with n and p when p > n) and "mixing" (size unknown): lines for poor R-hat / ESS
    # under NUTS; "mixing_mc3": lines for poor R-hat / ESS under MC3 (in place of the
    # generic advice); "separation": lines when the classes of a logistic fit are separable.
    advice: ClassVar[dict[str, Any]] = {}

    def settings_advice(self) -> dict[str, Any]:
        """``advice`` that applies to this instance's settings (default: all of it)."""
        return self.advice

    def supports_likelihood(self, likelihood: str) -> bool:
        return likelihood in self.likelihoods

    def sampler_advice(self) -> str:
        """The samplers to name in an error message when a requested one does not apply."""
        if self.model_space:
            return "sampler='enumeration', 'mc3' or 'auto' (the default)"
        if self.gibbs_kernel is not None:
            return "sampler='gibbs', 'nuts' or 'auto' (the default)"
        return "sampler='nuts'"

    def can_marginalize(self, likelihood: str) -> bool:
        """Whether the coefficients can be integrated out under this likelihood."""
        return self.marginalizable and likelihood == "gaussian"

    def default_target_accept(self, marginalized: bool = False) -> float:
        return self.target_accept_marginalized if marginalized else self.target_accept

    def map_penalty(self, ctx: BuildContext):
        """(alpha, l1_ratio) of ``lasso_map`` matching the prior's mode; None: none."""
        return None

    def gibbs_spec(self, ctx: BuildContext) -> GibbsSpec:
        """The parameters of this prior's Gibbs kernel, resolved against the data."""
        raise NotImplementedError(f"{type(self).__name__} has no Gibbs kernel.")

    def build(self, pm, ctx: BuildContext):  # pragma: no cover - every prior defines it
        raise NotImplementedError


def _half_cauchy(pm, name, scale, dims=None):
    """Half-Cauchy(scale) as HalfNormal * sqrt(InvGamma(1/2, 1/2)): the same distribution,
    with a geometry NUTS explores without divergences (Piironen & Vehtari 2017, App. C)."""
    a = pm.HalfNormal(f"{name}_a", 1.0, dims=dims)
    b = pm.InverseGamma(f"{name}_b", 0.5, 0.5, dims=dims)
    return pm.Deterministic(name, scale * a * pm.math.sqrt(b), dims=dims)


@dataclass(frozen=True)
class Laplace(Prior):
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

    gibbs_kernel = "laplace"
    advice: ClassVar[dict[str, Any]] = {
        "divergences": (
            "the Laplace density has a kink at 0 that NUTS can trip on; if divergences "
            "persist, use the scale-mixture Gibbs sampler (sampler='gibbs')",
        ),
        "separation": (
            "under the Laplace prior that tail is exponential, at the rate lam: the "
            "separating coefficients' size is set by lam, not by the data",
        ),
    }

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

    @property
    def gibbs_likelihoods(self) -> tuple[str, ...]:
        """Both likelihoods, but ``lam="eb"`` (Monte Carlo EM on the Gaussian model only)."""
        return ("gaussian",) if self.lam == "eb" else ("gaussian", "logistic")

    @property
    def needs_alpha_cv(self) -> bool:
        return self.lam == "cv"

    @property
    def fixed_lasso(self) -> bool:
        """A fixed rate (lam, alpha or "cv"): the mode is the lasso at a fixed alpha."""
        return self.needs_sigma_hat

    def gibbs_spec(self, ctx: BuildContext) -> GibbsSpec:
        if self.lam == "eb":
            return GibbsSpec("laplace", lam=None, r=self.r, delta=self.delta, eb=True)
        return GibbsSpec("laplace", lam=self.fixed_lam(ctx), r=self.r, delta=self.delta)

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
            where = "sampler='gibbs'" if ctx.likelihood == "gaussian" else "the Gaussian likelihood"
            raise ValueError(
                f"Laplace(lam='eb') (empirical-Bayes lam by Monte Carlo EM) needs {where}; "
                "here use lam=None (Gamma hyperprior), 'cv' or a number."
            )
        lam = self.fixed_lam(ctx)
        if lam is None:
            lam2 = pm.Gamma("lam2", alpha=self.r, beta=self.delta)
            lam = pm.Deterministic("lam", pm.math.sqrt(lam2))
        else:
            lam = pm.Deterministic("lam", pm.math.constant(lam, dtype="float64"))
        return pm.Laplace("beta_std", 0.0, ctx.noise / lam, dims="feature")


def _tau0(p0, ctx: BuildContext) -> float:
    """Global scale tau0 = p0 / (p - p0) / sqrt(n) (times sigma, applied by the caller).

    The default p0 is half the number of coefficients the data can resolve, min(n, p) / 2:
    p / 2 (tau0 = 1 / sqrt(n)) when n >= p; n / 2 when p > n, where p / 2 would expect more
    relevant features than there are observations and put the prior's mass on
    near-interpolating fits."""
    if p0 is None:
        p0 = min(ctx.n, ctx.p) / 2.0
    if not 0 < p0 < ctx.p:
        raise ValueError(
            f"p0 (expected number of relevant features) must be in (0, p={ctx.p}); got {p0}."
        )
    return p0 / (ctx.p - p0) / np.sqrt(ctx.n)


@dataclass(frozen=True)
class Horseshoe(Prior):
    """Horseshoe (Carvalho, Polson & Scott 2010), non-centred.

    w_j = z_j tau local_j, z_j ~ N(0, 1), local_j ~ C+(0, 1), tau ~ C+(0, tau0 sigma),
    i.e. w_j ~ N(0, tau^2 local_j^2) with the global scale proportional to sigma.

    Parameters
    ----------
    p0 : float, optional
        Prior guess of the number of relevant features: tau0 = p0 / (p - p0) / sqrt(n)
        (Piironen & Vehtari 2017). Default None: p0 = min(n, p) / 2, half the coefficients
        the data can resolve (tau0 = 1 / sqrt(n) when n >= p). With p > n a default of
        p / 2 would expect more relevant features than observations; the posterior then
        kept mass on near-interpolating fits that mixed slowly (n = 100, p = 20,000, Gibbs:
        min ESS 69 in 4 minutes; 594-977 with this default). Give your guess if you have one.
    tau0 : float, optional
        Set the global scale directly (overrides p0).
    """

    p0: float | None = None
    tau0: float | None = None

    def __post_init__(self):
        _set_positive(self, "p0", "tau0", optional=True)

    def settings_advice(self) -> dict[str, Any]:
        """``advice`` without the lines asking for p0 once p0 or tau0 is given."""
        if self.p0 is None and self.tau0 is None:
            return self.advice
        return {
            key: ("" if lines in _GIVE_P0 else lines)
            if isinstance(lines, str)
            else tuple(line for line in lines if line not in _GIVE_P0)
            for key, lines in self.advice.items()
        }

    marginalizable = True
    # Piironen & Vehtari (2017) recommend adapt_delta >= 0.99 for the funnel-shaped
    # posteriors of the horseshoe family; integrating the coefficients out removes the funnel
    target_accept = 0.99
    gibbs_kernel = "horseshoe"
    gibbs_likelihoods = ("gaussian", "logistic")
    cauchy_tails = True
    advice: ClassVar[dict[str, Any]] = {
        "divergences": (
            _MARGINALIZE_ADVICE,
            "switch to RegularizedHorseshoe, whose slab bounds the largest scales "
            "(the horseshoe's funnel between tau and the local scales causes divergences)",
        ),
        "bfmi": ", or switch to RegularizedHorseshoe, whose slab bounds the largest scales",
        "mixing_wide": (
            "with p = {p} > n = {n}, use sampler='gibbs': its conditional "
            "updates of the scales mix better than NUTS in the horseshoe funnel",
        ),
        "mixing": ("if p >> n, use sampler='gibbs' (conditional updates of the scales)",),
        "separation": (
            "the horseshoe's tail is as heavy as a Cauchy's: use RegularizedHorseshoe, "
            "whose slab bounds the separating coefficients",
        ),
        "gibbs_wide": (_GIVE_P0_WIDE,),
    }

    # no penalized-likelihood counterpart: map_penalty is None

    def gibbs_spec(self, ctx: BuildContext) -> GibbsSpec:
        return GibbsSpec("horseshoe", tau0=self.gibbs_tau0(ctx))

    def gibbs_tau0(self, ctx: BuildContext) -> float:
        """tau0 of GibbsSpec: relative to sigma (Gaussian, where sigma is a parameter), and
        times the pseudo-sigma ``ctx.sigma`` (logistic), as ``_scales`` builds it."""
        return self.global_scale(ctx) * (ctx.sigma if ctx.likelihood == "logistic" else 1.0)

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

    gibbs_kernel = "regularized-horseshoe"
    cauchy_tails = False  # the slab bounds the coefficients
    advice: ClassVar[dict[str, Any]] = {
        **Horseshoe.advice,
        "divergences": (_MARGINALIZE_ADVICE, _GIVE_P0_FUNNEL),
        "bfmi": _GIVE_P0_BFMI,
        "separation": (
            "the slab bounds the separating coefficients: their posterior is the slab's "
            "Student-t(slab_df, slab_scale) tail; check how the results change with "
            "slab_scale",
        ),
    }

    def __post_init__(self):
        super().__post_init__()
        _set_positive(self, "slab_scale", "slab_df")

    def gibbs_spec(self, ctx: BuildContext) -> GibbsSpec:
        return GibbsSpec(
            "regularized-horseshoe",
            tau0=self.gibbs_tau0(ctx),
            slab_scale=self.slab_scale,
            slab_df=self.slab_df,
        )

    def coefficient_sd(self, pm, ctx: BuildContext):
        tau, local = self._scales(pm, ctx)
        c2_aux = pm.InverseGamma("c2_aux", 0.5 * self.slab_df, 0.5 * self.slab_df)
        c2 = self.slab_scale**2 * c2_aux
        pm.Deterministic("c", pm.math.sqrt(c2))
        return tau * pm.math.sqrt(c2 * local**2 / (c2 + tau**2 * local**2))


@dataclass(frozen=True)
class Normal(Prior):
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

    marginalizable = True
    gibbs_kernel = "normal"
    gibbs_likelihoods = ("gaussian", "logistic")
    advice: ClassVar[dict[str, Any]] = {
        "divergences": (_MARGINALIZE_ADVICE,),
        "separation": ("the prior scale sets how large the separating coefficients get",),
    }

    def gibbs_spec(self, ctx: BuildContext) -> GibbsSpec:
        return GibbsSpec("normal", scale=self.fixed_scale(ctx))

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
class ElasticNetPrior(Prior):
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


@dataclass(frozen=True)
class SpikeAndSlab(Prior):
    """Spike-and-slab model averaging under Zellner's g-prior (Liang, Paulo, Molina, Clyde
    & Berger 2008; as R's BAS). Gaussian likelihood only.

    A model gamma in {0, 1}^p includes feature j when gamma_j = 1; an excluded coefficient
    is exactly 0. Given gamma, on the working scale (centred, standardized design Z):
    w_gamma | sigma^2, g ~ N(0, g sigma^2 (Z_gamma^T Z_gamma)^-1), a flat prior on the
    intercept and p(sigma^2) proportional to 1 / sigma^2, so each model's marginal
    likelihood is closed form (fixed g) or a one-dimensional integral over g. The g-prior is
    invariant to the scale of each column and of y: the model posterior is the same on the
    original and the working scale.

    The posterior of (gamma, g, sigma, w) is sampled by ``sampler="enumeration"`` (what
    the default ``"auto"`` chooses while p <= 20): all 2^p models enumerated exactly
    (:func:`bayes_l1.bma.enumerate_models`, p <= 20), then for each draw a model from its
    posterior probability, g given the model (mixtures of g-priors: by inversion of its
    1-D posterior), then sigma^2 and w from their exact conditionals. For this prior
    ``inclusion_summary``'s ``pip`` is P(gamma_j = 1 | y), averaged over models.

    Parameters
    ----------
    g : float or {"zellner-siow", "n", "bic", "hyper-g", "hyper-g/n"}
        Default "zellner-siow" (g ~ InvGamma(1/2, n/2): Cauchy coefficients); a positive
        number fixes g; see :func:`bayes_l1.bma.resolve_g`.
    model_prior : "uniform", "beta-binomial", BetaBinomial, Bernoulli or float
        Prior over models (:func:`bayes_l1.bma.resolve_model_prior`); "beta-binomial" is
        ``BetaBinomial(1, 1)`` (R BAS's default), a number a Bernoulli inclusion probability.
    a : float, optional
        The hyper-g priors' hyperparameter, > 2 (default 3).

    Examples
    --------
    >>> SpikeAndSlab(g="hyper-g").g_prior.label
    'hyper-g(a=3)'
    """

    g: float | str = "zellner-siow"
    model_prior: Any = "uniform"
    a: float | None = None

    likelihoods = ("gaussian",)
    model_space = True
    nuts = False
    advice: ClassVar[dict[str, Any]] = {
        "mixing_mc3": (
            "MC3 moves one or two features per step, so strongly correlated features swap "
            "in and out slowly; its draws are cheap: run many more (e.g. draws=10000; CLI "
            "--draws 10000)",
        ),
    }
    # no penalized-likelihood counterpart (map_penalty None), no Gibbs kernel

    def __post_init__(self):
        gp = resolve_g(self.g, a=self.a)  # validates g and a
        if gp.kind == "fixed":
            object.__setattr__(self, "g", gp.g)
        object.__setattr__(self, "a", gp.a if self.a is not None else None)
        object.__setattr__(self, "model_prior", resolve_model_prior(self.model_prior))

    @property
    def g_prior(self) -> GPrior:
        """The resolved choice of g (:class:`bayes_l1.bma.GPrior`)."""
        return resolve_g(self.g, a=self.a)

    def build(self, pm, ctx: BuildContext):
        raise ValueError(
            "SpikeAndSlab has no NUTS construction (the model indicators are discrete): use "
            f"{self.sampler_advice()}."
        )


PRIORS = {
    "laplace": Laplace,
    "horseshoe": Horseshoe,
    "regularized-horseshoe": RegularizedHorseshoe,
    "ridge": Normal,
    "normal": Normal,
    "spike-slab": SpikeAndSlab,
    "spike-and-slab": SpikeAndSlab,
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
    if isinstance(prior, type) and issubclass(prior, Prior) and _has_defaults(prior):
        return prior()
    if not isinstance(prior, Prior):
        raise TypeError(
            f"prior must be a bayes_l1 prior ({prior_names()}) or its name; got {prior!r}."
        )
    return prior


def _has_defaults(cls) -> bool:
    """Whether the prior class can be built without arguments."""
    return all(f.default is not MISSING or f.default_factory is not MISSING for f in fields(cls))


def prior_classes(base: type = Prior) -> list:
    """Every subclass of ``base`` (default: every prior class), in definition order."""
    out = []
    for sub in base.__subclasses__():
        out += [sub, *prior_classes(sub)]
    return out


def prior_names(where=lambda cls: True, last: str = ", ") -> str:
    """The names of the package's prior classes for which ``where(cls)`` holds, in
    definition order, the last two joined by ``last`` (" and ", " or ")."""
    names = [c.__name__ for c in prior_classes() if c.__module__ == __name__ and where(c)]
    return last.join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def prior_class(name: str | None) -> type[Prior] | None:
    """The prior class of a class name (as recorded with a fit: ``"RegularizedHorseshoe"``,
    case and underscores ignored) or a name in ``PRIORS``; None when there is none."""
    key = (name or "").replace("_", "").lower()
    for cls in prior_classes():
        if cls.__name__.lower() == key:
            return cls
    return PRIORS.get(key)


def cauchy_tailed(prior: Prior | str | None) -> bool:
    """Whether a prior (an instance or a class name, as :func:`prior_advice` takes) has
    Cauchy-tailed coefficients (``Prior.cauchy_tails``); False for None or an unknown name."""
    if isinstance(prior, Prior):
        return prior.cauchy_tails
    cls = prior_class(prior) if isinstance(prior, str) else None
    return bool(cls is not None and cls.cauchy_tails)


def prior_from_repr(text: str | None) -> Prior | None:
    """The prior a fit recorded as ``repr(prior)`` (``attrs["prior"]``), rebuilt when every
    argument is a literal (``Horseshoe(p0=10, tau0=None)``); None otherwise (e.g. a
    ``model_prior`` object): the class name then stands for it. Parsed, never evaluated."""
    try:
        call = ast.parse(text or "", mode="eval").body
        cls = prior_class(call.func.id) if isinstance(call, ast.Call) else None
        if cls is None or call.args:
            return None
        return cls(**{kw.arg: ast.literal_eval(kw.value) for kw in call.keywords})
    except (SyntaxError, ValueError, TypeError, AttributeError):
        return None


def prior_advice(prior: Prior | str | None) -> dict[str, Any]:
    """The advice on sampling problems (``Prior.advice``) of a prior given as an instance
    (its settings count: :meth:`Prior.settings_advice`) or a class name; {} for None."""
    if isinstance(prior, Prior):
        return prior.settings_advice()
    if prior is not None and not isinstance(prior, str):
        raise TypeError(
            f"prior_name must be a prior's class name, a bayes_l1 prior or None; got {prior!r}."
        )
    cls = prior_class(prior)
    return {} if cls is None else cls.advice
