"""Bayes factors of linear models under Zellner's g-prior and its mixtures.

Model gamma has k = |gamma| columns of the centred design Z_gamma, a flat prior on the
intercept, p(sigma^2) proportional to 1/sigma^2 and beta_gamma | sigma^2, g ~
N(0, g sigma^2 (Z_gamma^T Z_gamma)^-1). With R^2 the model's coefficient of determination
(Liang, Paulo, Molina, Clyde & Berger 2008, JASA 103:410, eq. 5):

    BF(gamma : null | g) = (1 + g)^((n-1-k)/2) (1 + g (1 - R^2))^(-(n-1)/2).

Every function here works with ``rss = 1 - R^2`` (the residual sum of squares over the total)
so that models with R^2 close to 1 keep their precision. Mixtures over g are one-dimensional
integrals, computed by the trapezoidal rule in tau = log g after a sinh change of variable
centred at the mode: the rule converges geometrically for smooth integrands and the sinh map
makes the power-law tails of the mixing priors decay double-exponentially.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy import special

from bayes_l1._validation import check_positive

__all__ = [
    "G_PRIORS",
    "GPrior",
    "log_bayes_factor",
    "posterior_shrinkage",
    "resolve_g",
    "sample_g",
    "sample_g_by_model",
]

G_PRIORS = ("n", "bic", "hyper-g", "hyper-g/n", "zellner-siow")
_MIXTURES = {"hyper-g": 0, "hyper-g/n": 1, "zellner-siow": 2}

# Quadrature settings: first step in the sinh variable, agreement of two successive halvings
# that ends the refinement, and the relative size of the tail term that ends the sum. Checked
# against 30-digit mpmath integrals (75 cases, n in [5, 20000], k in [1, 20], R^2 in
# [1e-8, 1 - 1e-9], a in {2.5, 3}: |error of log BF| <= 3e-11, i.e. rounding of log BF up to
# 2e5) and against the same rule at step 0.02 and tolerance 1e-13 on 20,000 random cases
# (n in [5, 1e5], k in [1, 60], a in {2.2, 3, 4}: |error| <= 1e-12). The first halving is
# nearly always taken, so the cost is about 125 integrand evaluations per model.
_STEP = 0.125
_RTOL = 1e-9
_TAIL = 1e-20
_MAX_NODES = 400
_MAX_HALVINGS = 10


@dataclass(frozen=True)
class GPrior:
    """A resolved choice of g: ``kind`` is ``"fixed"``, ``"n"``, ``"bic"`` or a mixture.

    Attributes
    ----------
    kind : str
        ``"fixed"`` (``g`` holds the value), ``"n"`` (g = number of rows), ``"bic"``,
        ``"hyper-g"``, ``"hyper-g/n"`` or ``"zellner-siow"``.
    g : float or None
        The fixed value of g when ``kind == "fixed"``.
    a : float or None
        Hyperparameter of the hyper-g and hyper-g/n priors (> 2).
    """

    kind: str
    g: float | None = None
    a: float | None = None

    @property
    def label(self) -> str:
        """Short text for tables and attributes, e.g. ``"g=100"``, ``"hyper-g(a=3)"``."""
        if self.kind == "fixed":
            return f"g={self.g:g}"
        if self.a is not None:
            return f"{self.kind}(a={self.a:g})"
        return self.kind


# R BAS's prior names (bas.lm(prior=)), lower-cased, and their names here.
_BAS_NAMES = {
    "zs-null": "g='zellner-siow'",
    "jzs": "g='zellner-siow'",
    "g-prior": "g=<BAS's alpha> (g='n' for its default alpha = n)",
    "hyper-g-n": "g='hyper-g/n'",
    "hyper-g-laplace": "g='hyper-g', integrated exactly,",
    "bic": "g='bic'",
}


def resolve_g(g: float | str = "n", *, a: float | None = None) -> GPrior:
    """Validate a choice of g and its hyperparameter.

    Parameters
    ----------
    g : float or {"n", "bic", "hyper-g", "hyper-g/n", "zellner-siow"}
        A positive number fixes g. ``"n"`` is the unit-information prior g = n. ``"bic"`` is
        the BIC approximation of BAS, log BF = -(n/2) log(1 - R^2) - (k/2) log n.
        ``"hyper-g"``: g / (1 + g) ~ Beta(1, a/2 - 1) (Liang et al. 2008, sec. 3.2).
        ``"hyper-g/n"``: the same on g / n (Liang et al. 2008, eq. 19).
        ``"zellner-siow"``: g ~ InvGamma(1/2, n/2), a Cauchy prior on the coefficients.
    a : float, optional
        Only for the hyper-g priors, default 3. Must be > 2 for a proper prior; Liang et al.
        recommend 2 < a <= 4.

    Returns
    -------
    GPrior

    Examples
    --------
    >>> resolve_g("hyper-g").label
    'hyper-g(a=3)'
    >>> resolve_g(100).label
    'g=100'
    """
    if isinstance(g, str):
        if g not in G_PRIORS:
            bas = _BAS_NAMES.get(g.lower())
            hint = f"; BAS's {g!r} is {bas} here" if bas else ""
            raise ValueError(f"g must be a positive number or one of {G_PRIORS}; got {g!r}{hint}.")
        if g in ("hyper-g", "hyper-g/n"):
            a = 3.0 if a is None else check_positive(a, "a")
            if not a > 2:
                raise ValueError(
                    f"a must be > 2 for the {g} prior to be proper (Liang et al. 2008 "
                    f"recommend 2 < a <= 4); got a={a!r}."
                )
            return GPrior(kind=g, a=a)
        kind, value = g, None
    else:
        kind, value = "fixed", check_positive(g, "g")
    if a is not None:
        raise ValueError(f"a applies to g='hyper-g' or 'hyper-g/n' only; got g={g!r}, a={a!r}.")
    return GPrior(kind=kind, g=value)


def log_bayes_factor(r2, size, n: int, g: float | str = "n", *, a: float | None = None):
    """Log Bayes factor of each model against the intercept-only model.

    Parameters
    ----------
    r2 : array_like
        Coefficient of determination of each model (least squares with an intercept).
    size : array_like of int
        Number of features k in each model (intercept not counted); broadcast with ``r2``.
    n : int
        Number of rows.
    g, a
        As in :func:`resolve_g`.

    Returns
    -------
    numpy.ndarray
        log p(y | model) - log p(y | null). The null model (k = 0) gets exactly 0. Models
        with k >= n - 1 leave no residual degree of freedom: they get -inf (probability 0).

    Notes
    -----
    ``"hyper-g"`` uses Liang et al.'s closed form (eq. 17) with the Gaussian hypergeometric
    function written as a regularized incomplete beta function,

        2F1((n-1)/2, 1; c; x) = (c-1) x^(1-c) (1-x)^(c-1-(n-1)/2) B(c-1, (n+1)/2-c) I_x(...)

    with c = (k + a)/2, which stays finite in log space as R^2 -> 1 where
    ``scipy.special.hyp2f1`` overflows (its power series where (n-1) R^2 / 2 < 1/2).
    ``"hyper-g/n"`` (an Appell F1 function) and ``"zellner-siow"`` are 1-D integrals over g,
    computed to about 1e-12 in log BF. R's BAS differs for Zellner-Siow: its default
    ``prior="ZS-null"`` is a Laplace approximation of this integral, and its ``"JZS"``
    integrates over log g with QUADPACK at relative tolerance 2^(-13) (about 1.2e-4).
    BAS's BIC keeps model-independent constants in its ``logmarg``
    (-(n/2) log SST - (1/2) log n); differences between models are the same as here.

    Examples
    --------
    >>> round(float(log_bayes_factor(0.5, 2, 30, g=30)), 6)  # log (1+g)^13.5 (1+g/2)^-14.5
    6.156291
    >>> float(log_bayes_factor(0.0, 0, 30, "zellner-siow"))
    0.0
    """
    prior = resolve_g(g, a=a)
    r2, size = np.broadcast_arrays(np.asarray(r2, dtype=float), np.asarray(size))
    return log_bf_from_rss(1.0 - r2, size, n, prior)


def posterior_shrinkage(r2, size, n: int, g: float | str = "n", *, a: float | None = None):
    """Posterior mean of the shrinkage factor g / (1 + g) given each model.

    The posterior mean of the coefficients of a model is this factor times their least-squares
    estimate. It is g / (1 + g) for fixed g, 1 for ``"bic"`` (as in BAS), and an integral
    over g for the mixtures. NaN for the null model (it has no coefficients) and for models
    without a residual degree of freedom.

    Examples
    --------
    >>> float(posterior_shrinkage(0.5, 2, 30, g=9))
    0.9
    """
    prior = resolve_g(g, a=a)
    r2, size = np.broadcast_arrays(np.asarray(r2, dtype=float), np.asarray(size))
    return shrinkage_from_rss(1.0 - r2, size, n, prior)


def _validity(rss, size, n):
    """Models that leave a residual degree of freedom and have R^2 < 1 (rss NaN: invalid)."""
    return (size <= n - 2) & (rss > 0)


def log_bf_from_rss(rss, size, n: int, prior: GPrior) -> np.ndarray:
    """Log Bayes factors from ``rss = 1 - R^2``; see :func:`log_bayes_factor`."""
    rss = np.minimum(np.asarray(rss, dtype=float), 1.0)  # R^2 >= 0 up to rounding
    size = np.asarray(size, dtype=np.int64)
    valid = _validity(rss, size, n)
    safe_rss = np.where(valid, rss, 1.0)
    if prior.kind in ("fixed", "n"):
        out = _log_bf_fixed(safe_rss, size, n, prior.g if prior.kind == "fixed" else float(n))
    elif prior.kind == "bic":
        out = -0.5 * n * np.log(safe_rss) - 0.5 * size * math.log(n)
    elif prior.kind == "hyper-g":
        out = _log_bf_hyper_g_closed(safe_rss, size, n, prior.a)
        redo = ~np.isfinite(out) & valid
        if redo.any():  # incomplete-beta form out of range or underflowed
            out[redo] = _mixture(safe_rss[redo], size[redo], n, prior)[0]
    else:
        out = _mixture(safe_rss, size, n, prior)[0]
    out = np.where(valid, out, -np.inf)
    return np.where(size == 0, 0.0, out)


def shrinkage_from_rss(rss, size, n: int, prior: GPrior) -> np.ndarray:
    """E[g / (1 + g) | y, model] from ``rss = 1 - R^2``; see :func:`posterior_shrinkage`."""
    rss = np.minimum(np.asarray(rss, dtype=float), 1.0)
    size = np.asarray(size, dtype=np.int64)
    valid = _validity(rss, size, n)
    if prior.kind == "bic":
        out = np.ones(rss.shape)
    elif prior.kind in ("fixed", "n"):
        g = prior.g if prior.kind == "fixed" else float(n)
        out = np.full(rss.shape, g / (1.0 + g))
    else:
        out = _mixture(np.where(valid, rss, 1.0), size, n, prior, shrinkage=True)[1]
    return np.where(valid & (size > 0), out, np.nan)


def _log_bf_fixed(rss, size, n, g):
    return 0.5 * (n - 1 - size) * math.log1p(g) - 0.5 * (n - 1) * np.log1p(g * rss)


def _log_bf_hyper_g_closed(rss, size, n, a):
    """Liang et al. eq. 17: BF = (a-2)/(k+a-2) 2F1((n-1)/2, 1; (k+a)/2; R^2).

    2F1 by its power series when (n-1)/2 R^2 < 1/2 (the incomplete beta function is then
    tiny and loses relative accuracy), else through the incomplete beta function. NaN where
    neither applies (k + a >= n + 1 with a large R^2)."""
    big_a = 0.5 * (n - 1)
    c = 0.5 * (size + a)
    p, q = c - 1.0, big_a - c + 1.0  # Beta parameters: q <= 0 when k + a >= n + 1
    r2 = 1.0 - rss
    series = big_a * r2 < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ibeta = np.log(special.betainc(p, q, r2))
        out = (
            math.log(0.5 * (a - 2.0))
            + (c - 1.0 - big_a) * np.log(rss)
            + (1.0 - c) * np.log(r2)
            + special.betaln(p, q)
            + log_ibeta
        )
    out = np.where((q > 0) & (r2 > 0), out, np.nan)
    out[series] = np.log((a - 2.0) / (size[series] + a - 2.0)) + np.log(
        _hyp2f1_b1_series(big_a, c[series], r2[series])
    )
    return out


def _hyp2f1_b1_series(big_a, c, x):
    """2F1(A, 1; c; x) = sum_m (A)_m / (c)_m x^m, for A x < 1/2 (terms fall by half or more)."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    for m in range(200):
        term = term * (big_a + m) / (c + m) * x
        total = total + term
        if np.all(term <= 1e-17 * total):
            break
    return total


def _mixture(rss, size, n, prior: GPrior, *, shrinkage: bool = False):
    """(log BF, E[g/(1+g)]) for a mixture prior on g, by quadrature, one model at a time.
    The shrinkage is NaN unless asked for (it costs a third more)."""
    rss = np.ascontiguousarray(rss, dtype=np.float64).ravel()
    size_flat = np.ascontiguousarray(size, dtype=np.int64).ravel()
    log_bf = np.empty(rss.size)
    shrink = np.full(rss.size, np.nan)
    a = 0.0 if prior.a is None else prior.a
    kind = _MIXTURES[prior.kind]
    _mixture_loop(kind, rss, size_flat, float(n), a, log_bf, shrink, shrinkage)
    return log_bf.reshape(np.shape(size)), shrink.reshape(np.shape(size))


# ---------------------------------------------------------------------------------------------
# Compiled quadrature. phi(tau) is the log of the integrand over tau = log g:
#   phi = tau + log pi(g) + ((n-1-k)/2) log(1+g) - ((n-1)/2) log(1 + g rss)
#       = tau + log pi(g) + ((n-1-k)/2) d - (k/2) log(1 + g rss),
# with d = log((1+g)/(1+g rss)) = log1p(R^2 / (1/g + rss)), which stays O(1) for large g
# instead of being the difference of two O(n tau) terms.


@njit(cache=True, inline="always")
def _softplus(x):
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@njit(cache=True, inline="always")
def _expit(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def _log_prior_const(kind, n, a):
    if kind == 0:  # hyper-g: pi(g) = (a-2)/2 (1+g)^(-a/2)
        return math.log(0.5 * (a - 2.0))
    if kind == 1:  # hyper-g/n: pi(g) = (a-2)/(2n) (1+g/n)^(-a/2)
        return math.log(0.5 * (a - 2.0) / n)
    # Zellner-Siow, g ~ InvGamma(1/2, n/2): pi(g) = sqrt(n/(2 pi)) g^(-3/2) exp(-n/(2g))
    return 0.5 * math.log(0.5 * n / math.pi)


@njit(cache=True, inline="always")
def _phi_value(kind, tau, k, rss, n, a, const):
    """phi(tau) alone: the quadrature's inner loop, so few transcendental calls."""
    g = math.exp(tau)
    inv_g = 1.0 / g
    d = math.log1p((1.0 - rss) / (inv_g + rss))
    f = tau + const + 0.5 * (n - 1.0 - k) * d - 0.5 * k * math.log1p(g * rss)
    if kind == 0:
        return f - 0.5 * a * math.log1p(g)
    if kind == 1:
        return f - 0.5 * a * math.log1p(g / n)
    return f - 1.5 * tau - 0.5 * n * inv_g


@njit(cache=True)
def _phi(kind, tau, k, rss, n, a):
    """phi(tau) and its first two derivatives (for the mode and the scale)."""
    ell = math.log(rss)
    s0, s1 = _expit(tau), _expit(tau + ell)
    a1 = 0.5 * (n - 1.0 - k)
    f = _phi_value(kind, tau, k, rss, n, a, _log_prior_const(kind, n, a))
    df = 1.0 + a1 * (s0 - s1) - 0.5 * k * s1
    d2f = a1 * (s0 * (1.0 - s0) - s1 * (1.0 - s1)) - 0.5 * k * s1 * (1.0 - s1)
    if kind == 2:
        e = 0.5 * n * math.exp(-tau) if tau > -700.0 else math.inf
        return f, df - 1.5 + e, d2f - e
    s = s0 if kind == 0 else _expit(tau - math.log(n))
    return f, df - 0.5 * a * s, d2f - 0.5 * a * s * (1.0 - s)


@njit(cache=True)
def _mode(kind, k, rss, n, a):
    """Root of phi' by Newton's method safeguarded by bisection. phi' > 0 far left and < 0
    far right for every proper mixing prior and k >= 1."""
    f_stat = ((1.0 - rss) / k) / (rss / max(n - 1.0 - k, 1.0))
    x = math.log(max(f_stat - 1.0, 1e-3))  # the local empirical-Bayes g as the start
    lo, hi = x - 1.0, x + 1.0
    while _phi(kind, lo, k, rss, n, a)[1] <= 0.0 and lo > -700.0:
        lo -= 4.0
    while _phi(kind, hi, k, rss, n, a)[1] >= 0.0 and hi < 700.0:
        hi += 4.0
    x = min(max(x, lo), hi)
    for _ in range(200):
        _, df, d2f = _phi(kind, x, k, rss, n, a)
        if df > 0.0:
            lo = x
        else:
            hi = x
        new = x - df / d2f if d2f < 0.0 else math.nan
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        if abs(new - x) <= 1e-10 * (1.0 + abs(x)):
            return new
        x = new
    return x


@njit(cache=True, inline="always")
def _node(kind, k, rss, n, a, const, mode, f0, scale, t, want_shrink):
    """Trapezoid term at t: exp(phi(tau) - f0) dtau/dt, and (if wanted) that times g/(1+g)."""
    s = scale * math.sinh(t)
    term = scale * math.cosh(t) * math.exp(_phi_value(kind, mode + s, k, rss, n, a, const) - f0)
    return term, term / (1.0 + math.exp(-mode - s)) if want_shrink else 0.0


@njit(cache=True)
def _integrate(kind, k, rss, n, a, step, rtol, want_shrink):
    """log of the integral of exp(phi) over tau, and the mean of g/(1+g) under it.

    Trapezoidal rule in t, with tau = mode + scale sinh(t): geometric convergence in the
    step, and power-law tails in tau become double-exponential in t. The sum at step h
    holds the sum at 2h (its even nodes); the step is halved until the two agree to
    ``rtol``, which leaves an error far below it (see _STEP for the checks)."""
    mode = _mode(kind, k, rss, n, a)
    f0, _, d2f = _phi(kind, mode, k, rss, n, a)
    const = _log_prior_const(kind, n, a)
    # The curvature scale, capped: a wide plateau (few residual degrees of freedom and
    # R^2 near 1) must still be sampled finely where it ends.
    scale = min(1.0 / math.sqrt(-d2f), 1.0) if d2f < 0.0 else 1.0
    h = step
    total = scale  # the node t = 0; "first" sums the terms times g/(1+g)
    first = scale / (1.0 + math.exp(-mode)) if want_shrink else 0.0
    odd = 0.0  # the part of total on odd j: total - odd is the rule at step 2h
    j_lo = j_hi = 0  # last j used on each side
    for sign in (-1.0, 1.0):
        for j in range(1, _MAX_NODES):
            term, term1 = _node(
                kind, k, rss, n, a, const, mode, f0, scale, sign * j * h, want_shrink
            )
            total += term
            first += term1
            if j % 2 == 1:
                odd += term
            if sign < 0.0:
                j_lo = j
            else:
                j_hi = j
            if term < _TAIL * total:
                break
    coarse, fine = 2.0 * h * (total - odd), h * total
    for _ in range(_MAX_HALVINGS):
        if abs(fine - coarse) <= rtol * fine:
            break
        h *= 0.5
        j_lo, j_hi = 2 * j_lo, 2 * j_hi
        for sign, j_end in ((-1.0, j_lo), (1.0, j_hi)):
            for j in range(1, j_end + 1, 2):
                term, term1 = _node(
                    kind, k, rss, n, a, const, mode, f0, scale, sign * j * h, want_shrink
                )
                total += term
                first += term1
        coarse, fine = fine, h * total
    return f0 + math.log(fine), first / total


@njit(cache=True)
def _mixture_loop(kind, rss, size, n, a, log_bf, shrink, want_shrink, step=_STEP, rtol=_RTOL):
    for i in range(rss.size):
        k = size[i]
        if k == 0:
            log_bf[i] = 0.0
        else:
            log_bf[i], s = _integrate(kind, float(k), rss[i], n, a, step, rtol, want_shrink)
            if want_shrink:
                shrink[i] = s


# ---------------------------------------------------------------------------------------------
# Draws of g given a model: inversion of the cumulative trapezoidal integral of the same
# integrand, on a fine grid of the sinh variable.

# Grid step in the sinh variable t (tau = mode + scale sinh(t)): the density in t is smooth
# on the scale of 1 (the quadrature above converges at step 0.0625), so linear interpolation
# of the cumulative integral at step 0.01 errs far below any Monte Carlo error.
_DRAW_STEP = 0.01
_DRAW_TAIL = 1e-18


@njit(cache=True)
def _draw_log_g_groups(kind, size, rss, n, a, u, start, step):
    """tau = log g for draws sorted by model: u[start[m]:start[m+1]] are model m's."""
    out = np.empty(u.size)
    for m in range(size.size):
        lo, hi = start[m], start[m + 1]
        if size[m] > 0 and hi > lo:
            out[lo:hi] = _draw_log_g(kind, float(size[m]), rss[m], n, a, u[lo:hi], step)
        else:
            out[lo:hi] = np.nan  # the null model: drawn from the prior by the caller
    return out


@njit(cache=True)
def _draw_log_g(kind, k, rss, n, a, u, step):
    """Draws of tau = log g from p(g | y, model) for uniforms ``u``."""
    mode = _mode(kind, k, rss, n, a)
    f0, _, d2f = _phi(kind, mode, k, rss, n, a)
    const = _log_prior_const(kind, n, a)
    scale = min(1.0 / math.sqrt(-d2f), 1.0) if d2f < 0.0 else 1.0
    j_lo = 0
    while j_lo < 100000:
        j_lo += 1
        term = _node(kind, k, rss, n, a, const, mode, f0, scale, -j_lo * step, False)[0]
        if term < _DRAW_TAIL * scale:
            break
    j_hi = 0
    while j_hi < 100000:
        j_hi += 1
        term = _node(kind, k, rss, n, a, const, mode, f0, scale, j_hi * step, False)[0]
        if term < _DRAW_TAIL * scale:
            break
    m = j_lo + j_hi + 1
    t = np.empty(m)
    cdf = np.empty(m)
    prev = 0.0
    for i in range(m):
        t[i] = (i - j_lo) * step
        dens = _node(kind, k, rss, n, a, const, mode, f0, scale, t[i], False)[0]
        cdf[i] = 0.0 if i == 0 else cdf[i - 1] + 0.5 * step * (prev + dens)
        prev = dens
    out = np.empty(u.size)
    total = cdf[m - 1]
    for r in range(u.size):
        target = u[r] * total
        i = np.searchsorted(cdf, target)
        i = min(max(i, 1), m - 1)
        width = cdf[i] - cdf[i - 1]
        frac = (target - cdf[i - 1]) / width if width > 0.0 else 0.5
        ti = t[i - 1] + frac * step
        out[r] = mode + scale * math.sinh(ti)
    return out


def sample_g(rss: float, size: int, n: int, prior: GPrior, u) -> np.ndarray:
    """Draws of g from its posterior given one model, by inversion of uniforms ``u``.

    For a mixture of g-priors, p(g | y, model) is proportional to
    pi(g) (1+g)^((n-1-k)/2) (1 + g (1-R^2))^(-(n-1)/2): its cumulative integral over
    tau = log g is tabulated on a fine grid and inverted. A fixed g (also ``"n"``) is
    returned as is; ``"bic"`` gives inf (the g -> infinity limit: no shrinkage, as BAS).
    The null model (size 0) has no coefficients: its g is drawn from the prior's limit of
    the same expression (the prior itself).

    Examples
    --------
    >>> float(sample_g(0.5, 2, 30, resolve_g(9.0), [0.3])[0])
    9.0
    """
    u = np.ascontiguousarray(u, dtype=np.float64).ravel()
    if prior.kind == "fixed":
        return np.full(u.size, prior.g)
    if prior.kind == "n":
        return np.full(u.size, float(n))
    if prior.kind == "bic":
        return np.full(u.size, np.inf)
    if size == 0:
        return _prior_g(prior, n, u)
    a = 0.0 if prior.a is None else prior.a
    tau = _draw_log_g(_MIXTURES[prior.kind], float(size), float(rss), float(n), a, u, _DRAW_STEP)
    return np.exp(tau)


def sample_g_by_model(rss, size, n: int, prior: GPrior, u, start) -> np.ndarray:
    """:func:`sample_g` for many models at once: draws sorted by model, model m's uniforms
    ``u[start[m]:start[m+1]]`` (``start`` has one more entry than ``rss`` and ``size``)."""
    rss = np.ascontiguousarray(rss, dtype=np.float64)
    size = np.ascontiguousarray(size, dtype=np.int64)
    u = np.ascontiguousarray(u, dtype=np.float64)
    start = np.ascontiguousarray(start, dtype=np.int64)
    if prior.kind in ("fixed", "n", "bic"):
        return sample_g(0.5, 1, n, prior, u)
    a = 0.0 if prior.a is None else prior.a
    kind = _MIXTURES[prior.kind]
    g = np.exp(_draw_log_g_groups(kind, size, rss, float(n), a, u, start, _DRAW_STEP))
    null = np.isnan(g)
    if null.any():
        g[null] = _prior_g(prior, n, u[null])
    return g


def _prior_g(prior: GPrior, n: int, u: np.ndarray) -> np.ndarray:
    """Draws of g from its prior (the posterior of the null model, which has no data on g)."""
    with np.errstate(divide="ignore"):
        if prior.kind == "zellner-siow":  # InvGamma(1/2, n/2)
            return 0.5 * n / special.gammainccinv(0.5, u)
        # g/(1+g) ~ Beta(1, a/2 - 1) (hyper-g), the same for g/n (hyper-g/n)
        v = 1.0 - (1.0 - u) ** (1.0 / (0.5 * prior.a - 1.0))
        g = v / (1.0 - v)
        return g * n if prior.kind == "hyper-g/n" else g


@njit(cache=True)
def log_bf_one(kind, rss, k, n, a, g):
    """Log Bayes factor of one model against the null (compiled, for samplers over models):
    ``kind`` -1 fixed g (``g``), -2 BIC, else a mixture code of ``_MIXTURES``; as
    :func:`log_bf_from_rss` (-inf without a residual degree of freedom or with R^2 = 1)."""
    if k == 0:
        return 0.0
    rss = min(rss, 1.0)
    if k > n - 2 or not rss > 0.0:
        return -math.inf
    if kind == -1:
        return 0.5 * (n - 1.0 - k) * math.log1p(g) - 0.5 * (n - 1.0) * math.log1p(g * rss)
    if kind == -2:
        return -0.5 * n * math.log(rss) - 0.5 * k * math.log(n)
    return _integrate(kind, float(k), rss, n, a, _STEP, _RTOL, False)[0]


def kind_code(prior: GPrior, n: int) -> tuple[int, float, float]:
    """(kind, a, g) arguments of :func:`log_bf_one` for a resolved g-prior."""
    if prior.kind in ("fixed", "n"):
        return -1, 0.0, float(prior.g if prior.kind == "fixed" else n)
    if prior.kind == "bic":
        return -2, 0.0, 0.0
    return _MIXTURES[prior.kind], 0.0 if prior.a is None else float(prior.a), 0.0
