"""Linear-algebra and one-dimensional kernels of the Gibbs samplers (numpy / scipy only);
``GaussianFactor`` also completes NUTS runs of a model with the coefficients integrated out.

Everything here works on the working scale, with a centred design Z (``Z.T @ 1 == 0``), a
response y, an intercept c0 and the Gaussian conditional prior w ~ N(0, sigma^2 D). Writing
y' = y - c0 and M = I_n + Z D Z^T, the two facts the samplers use are

* y' | sigma, D ~ N(0, sigma^2 M) (w integrated out), and
* w | y', sigma, D ~ N(A^-1 Z^T y', sigma^2 A^-1), A = Z^T Z + D^-1.

Both are computed either in feature space (p x p, from a cached Z^T Z; "cholesky") or in
sample space (n x n, Bhattacharya, Chakraborty & Mallick 2016; "bhattacharya"). Because
Z^T 1 = 0, M 1 = 1 and every quantity depending on c0 is a cheap update of its c0 = 0 value.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import stats
from scipy.linalg import blas, cho_solve, cholesky, eigh, solve_triangular

METHODS = ("auto", "cholesky", "bhattacharya")


def choose_method(n: int, p: int, method: str = "auto") -> str:
    """Resolve ``method``: feature space when p <= n, sample space (O(n^2 p)) when p > n."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    if method == "auto":
        return "cholesky" if p <= n else "bhattacharya"
    return method


def _gram_rows(B: np.ndarray) -> np.ndarray:
    """B @ B.T (lower triangle filled) with one BLAS syrk: half the flops of a matmul."""
    return blas.dsyrk(1.0, B.T, trans=1, lower=1)  # no copy when B is C-contiguous


def _gram_cols(B: np.ndarray) -> np.ndarray:
    """B.T @ B (lower triangle filled)."""
    return blas.dsyrk(1.0, B.T, trans=0, lower=1)


class GaussianRegression:
    """The working-scale regression data (Z, y) with the summaries every conditional draw
    reuses: Z^T y, sum(y), y^T y, and Z^T Z when working in feature space."""

    def __init__(self, Z: np.ndarray, y: np.ndarray, method: str, Zt: np.ndarray | None = None):
        self.Z = np.ascontiguousarray(Z, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.n, self.p = self.Z.shape
        self.method = choose_method(self.n, self.p, method)
        self.Zty = self.Z.T @ self.y
        self.sy = float(self.y.sum())
        self.yty = float(self.y @ self.y)
        self.ZtZ = _symmetrize(_gram_cols(self.Z)) if self.method == "cholesky" else None
        self._Zt, self._scaled = Zt, None  # Zt: Z^T when the caller has it contiguous
        self.ztz = np.einsum("ij,ij->j", self.Z, self.Z)

    @property
    def Zt(self) -> np.ndarray:
        """Z^T, C-contiguous (columns of Z as rows), made on first use."""
        if self._Zt is None:
            self._Zt = np.ascontiguousarray(self.Z.T)
        return self._Zt

    def scaled(self, d: np.ndarray) -> np.ndarray:
        """Z diag(d), written into one n x p buffer that the next call overwrites: a fresh
        array per iteration costs page faults (Laplace at n = 100, p = 20,000: 12.6 -> 8.4 ms
        per iteration)."""
        if self._scaled is None:
            self._scaled = np.empty_like(self.Z)
        return np.multiply(self.Z, d, out=self._scaled)

    def yty_c(self, c0: float) -> float:
        """||y - c0||^2."""
        return self.yty - 2.0 * c0 * self.sy + self.n * c0 * c0


def _symmetrize(lower: np.ndarray) -> np.ndarray:
    """Fill the upper triangle of a matrix whose lower triangle holds the values."""
    return np.tril(lower) + np.tril(lower, -1).T


def _cholesky_unit_plus_psd(A: np.ndarray, *, lower: bool) -> np.ndarray:
    """Cholesky factor of A = I + (positive semi-definite), which is positive definite.

    When some prior variances are huge next to sigma^2 (a noise-free y) A spans more than
    float64 resolves and rounding can make it numerically indefinite; the diagonal is then
    raised by a few ulps of its largest entry, the size of the rounding in A itself.
    """
    try:
        return cholesky(A, lower=lower, check_finite=False)
    except np.linalg.LinAlgError:
        pass
    jitter = A.shape[0] * np.finfo(float).eps * float(np.max(np.diag(A)))
    for _ in range(4):
        B = A.copy()
        B[np.diag_indices_from(B)] += jitter
        try:
            return cholesky(B, lower=lower, check_finite=False)
        except np.linalg.LinAlgError:
            jitter *= 100.0
    raise np.linalg.LinAlgError(
        "I + Z D Z^T is not numerically positive definite even after a diagonal jitter: the "
        "prior variances of the coefficients span more than float64 resolves."
    )


class GaussianFactor:
    """Cholesky factor for an arbitrary diagonal D (Laplace, regularized horseshoe).

    Feature space factors S = I + D^1/2 Z^T Z D^1/2 (so A^-1 = D^1/2 S^-1 D^1/2, stable when
    some D_j are tiny); sample space factors M = I + Z D Z^T.
    """

    def __init__(self, reg: GaussianRegression, D: np.ndarray, M: np.ndarray | None = None):
        self.reg, self.D = reg, D
        if reg.method == "cholesky":
            s = np.sqrt(D)
            S = reg.ZtZ * s[:, None] * s[None, :]
            S[np.diag_indices_from(S)] += 1.0
            self.R = _cholesky_unit_plus_psd(S, lower=False)
            self.s = s
            self.g = s * reg.Zty
            self.m = cho_solve((self.R, False), self.g, check_finite=False)
            self._qy = reg.yty - self.g @ self.m  # y^T M^-1 y (Woodbury)
            self.logdet = 2.0 * np.log(np.diag(self.R)).sum()
        else:
            if M is None:  # sample space; else M = I + Z D Z^T is given
                M = _gram_rows(reg.scaled(np.sqrt(D)))
                M[np.diag_indices_from(M)] += 1.0
            self.L = _cholesky_unit_plus_psd(M, lower=True)
            self.My = cho_solve((self.L, True), reg.y, check_finite=False)
            self._qy = reg.y @ self.My
            self.logdet = 2.0 * np.log(np.diag(self.L)).sum()

    def sample_space(self) -> tuple[np.ndarray, np.ndarray]:
        """M and M^-1 (sample space), C-contiguous (the layout the compiled sweeps take)."""
        Minv = cho_solve((self.L, True), np.eye(self.reg.n), check_finite=False)
        return self.L @ self.L.T, np.ascontiguousarray(Minv)

    def quad(self, c0: float) -> float:
        """(y - c0)^T M^-1 (y - c0); M^-1 1 = 1 because Z^T 1 = 0."""
        return max(self._qy - 2.0 * c0 * self.reg.sy + self.reg.n * c0 * c0, 1e-300)

    def draw(self, sigma: float, c0: float, rng: np.random.Generator) -> np.ndarray:
        """One draw of w | y, sigma, D, c0."""
        reg = self.reg
        if reg.method == "cholesky":
            xi = rng.standard_normal(reg.p)
            noise = solve_triangular(self.R, xi, lower=False, check_finite=False)
            return self.s * (self.m + sigma * noise)
        # Bhattacharya et al. (2016) with Phi = Z / sigma, alpha = (y - c0) / sigma.
        u = sigma * np.sqrt(self.D) * rng.standard_normal(reg.p)
        v = reg.Z @ u / sigma + rng.standard_normal(reg.n)
        z = (self.My - c0) / sigma - cho_solve((self.L, True), v, check_finite=False)
        return u + sigma * self.D * (reg.Z.T @ z)


class SpectralFactor:
    """Eigendecomposition for D = t^2 diag(local^2) (horseshoe, Normal prior): every
    quantity is then a function of the global scale t at O(min(n, p)) cost, so t can be
    updated by Metropolis-Hastings with w and sigma^2 integrated out (Johndrow, Orenstein &
    Bhattacharya 2020) at almost no extra cost.

    Feature space decomposes H = L^1/2 Z^T Z L^1/2; sample space G = Z L Z^T, so that
    M(t) = I + t^2 G.
    """

    def __init__(self, reg: GaussianRegression, local: np.ndarray):
        self.reg, self.local = reg, local
        if reg.method == "cholesky":
            H = reg.ZtZ * local[:, None] * local[None, :]
            ev, self.V = eigh(H, check_finite=False, overwrite_a=True, driver="evd")
            self.h = self.V.T @ (local * reg.Zty)
        else:
            self.B = reg.Z * local
            ev, self.U = eigh(
                _gram_rows(self.B), lower=True, check_finite=False, overwrite_a=True, driver="evd"
            )
            self.ey = self.U.T @ reg.y
            self.e1 = self.U.sum(axis=0)
        self.ev = np.maximum(ev, 0.0)

    def quad(self, t: float, c0: float) -> float:
        """(y - c0)^T M(t)^-1 (y - c0)."""
        t2ev = 1.0 + t * t * self.ev
        if self.reg.method == "cholesky":
            q = self.reg.yty_c(c0) - t * t * np.sum(self.h**2 / t2ev)
        else:
            q = np.sum((self.ey - c0 * self.e1) ** 2 / t2ev)
        return max(q, 1e-300)

    def sample_space(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """M(t) and M(t)^-1 (sample space)."""
        m = 1.0 + t * t * self.ev
        return (self.U * m) @ self.U.T, (self.U / m) @ self.U.T

    def logdet(self, t: float) -> float:
        """log det M(t)."""
        return float(np.log1p(t * t * self.ev).sum())

    def draw(self, t: float, sigma: float, c0: float, rng: np.random.Generator) -> np.ndarray:
        """One draw of w | y, sigma, t, local, c0."""
        reg = self.reg
        den = 1.0 + t * t * self.ev
        if reg.method == "cholesky":
            xi = rng.standard_normal(reg.p)
            return self.local * (self.V @ (t * t * self.h / den + sigma * t * xi / np.sqrt(den)))
        u = sigma * t * self.local * rng.standard_normal(reg.p)
        rhs = (reg.y - c0 - reg.Z @ u) / sigma - rng.standard_normal(reg.n)
        z = self.U @ ((self.U.T @ rhs) / den)
        return u + sigma * t * t * self.local**2 * (reg.Z.T @ z)


_ROUNDS = 4  # rejection rounds of 16 proposals before the fallback
# Floor of sigma^2 on the working scale (y has sd 1): sigma >= 1e-12 sd(y). Residuals of an
# exact fit are float64 rounding (~1e-16), where the posterior of sigma, unbounded at 0,
# would drift to underflow; for any noisy y the floor lies far out in the tail.
SIGMA2_MIN = 1e-24


def draw_sigma2(shape: float, scale: float, rng: np.random.Generator) -> float:
    """Draw x with density proportional to x^(-shape-1) exp(-scale / x) exp(-x / 2),
    never below ``SIGMA2_MIN`` (and with ``scale`` floored a million times below it).

    That is sigma^2 under a HalfNormal(1) prior on sigma (the exp(-x/2) and half of the
    x^-1/2 Jacobian are in the exponent), by exact rejection from InvGamma(shape, scale):
    accept with probability exp(-x/2). When the acceptance rate is low (the data far from
    the prior, as in simulation-based calibration) the rejection rounds give up and an exact
    GIG draw (scipy's ratio-of-uniforms) is made instead: either choice leaves the target
    invariant, and whether it happens does not depend on the current state.
    """
    scale = max(scale, SIGMA2_MIN * 1e-6)
    for _ in range(_ROUNDS):
        x = scale / rng.standard_gamma(shape, size=16)
        ok = np.flatnonzero(np.log(rng.uniform(size=16)) < -0.5 * x)
        if ok.size:
            return max(float(x[ok[0]]), SIGMA2_MIN)
    root = np.sqrt(2.0 * scale)
    x = stats.geninvgauss.rvs(-shape, root, scale=root, random_state=rng)
    return max(float(x), SIGMA2_MIN)


def draw_gamma_gauss(
    shape: float, rate: float, quad: float, rng: np.random.Generator, current: float
) -> float:
    """Draw x > 0 with density proportional to x^(shape-1) exp(-rate x - quad x^2).

    Exact rejection from Gamma(shape, rate + 2 quad m) with m the mode: the remaining
    factor exp(-quad x^2 + 2 quad m x) is at most exp(quad m^2), so accept with probability
    exp(-quad (x - m)^2), high when the target's sd is small next to 1 / sqrt(quad); else
    (after a few rounds, independently of the state) a slice update from ``current``.
    """
    m = (np.sqrt(rate * rate + 8.0 * quad * max(shape - 1.0, 0.0)) - rate) / (4.0 * quad)
    for _ in range(_ROUNDS):
        x = rng.gamma(shape, 1.0 / (rate + 2.0 * quad * m), size=16)
        ok = np.flatnonzero(np.log(rng.uniform(size=16)) < -quad * (x - m) ** 2)
        if ok.size:
            return float(x[ok[0]])

    def log_density(lx, idx):
        x = np.exp(lx)
        return shape * lx - rate * x - quad * x * x

    return float(np.exp(slice_sample(np.log([current]), log_density, rng)[0]))


@njit(cache=True)
def log_gig_integral(lam: float, b: float) -> float:
    """log of the integral over x > 0 of x^(lam - 1) exp(-(x + b / x) / 2).

    Equal to log(2 b^(lam/2) K_lam(sqrt(b))), computed without Bessel functions (which
    overflow for the orders n / 2 that occur here): in s = log x the integrand is smooth and
    strictly log-concave, so the trapezoid rule on 97 points over +- 14 sd around the mode
    is exact to rounding (the end points carry weight below 1e-40, so a plain sum is the
    rule). Compiled: the collapsed local-scale sweep evaluates it in its inner loop.
    """
    root = np.sqrt(lam * lam + b)
    mode = np.log(lam + root) if lam >= 0 else np.log(b / (root - lam))
    sd = 1.0 / np.sqrt(0.5 * (np.exp(mode) + b * np.exp(-mode)))
    h = 28.0 / 96.0  # grid step, in units of sd
    f = np.empty(97)
    for i in range(97):
        x = mode + sd * h * (i - 48)
        f[i] = lam * x - 0.5 * (np.exp(x) + b * np.exp(-x))
    fmax = f.max()
    return fmax + np.log(sd * h * np.exp(f - fmax).sum())


def slice_sample(
    x0: np.ndarray, logf, rng: np.random.Generator, width: float = 2.0, max_steps: int = 30
) -> np.ndarray:
    """One slice-sampling update (Neal 2003, stepping out and shrinkage) of each element
    of ``x0`` independently, vectorized: ``logf(x, idx)`` returns the log densities of
    elements ``idx`` at values ``x``."""
    x0 = np.asarray(x0, dtype=np.float64)
    k = x0.size
    idx_all = np.arange(k)
    level = logf(x0, idx_all) - rng.standard_exponential(k)
    left = x0 - width * rng.uniform(size=k)
    right = left + width
    for bound, sign in ((left, -1.0), (right, 1.0)):
        active = idx_all
        for _ in range(max_steps):
            active = active[logf(bound[active], active) > level[active]]
            if active.size == 0:
                break
            bound[active] += sign * width
    out = x0.copy()
    active = idx_all
    while active.size:
        prop = left[active] + rng.uniform(size=active.size) * (right[active] - left[active])
        ok = logf(prop, active) > level[active]
        out[active[ok]] = prop[ok]
        bad = active[~ok]
        lower = prop[~ok] < x0[bad]
        left[bad[lower]] = prop[~ok][lower]
        right[bad[~lower]] = prop[~ok][~lower]
        active = bad
    return out


@njit(cache=True)
def _slab(u, inv_c2):
    """The regularized horseshoe's prior variance u / (1 + u / c^2) of a coefficient with
    u = t^2 local^2 (1 / c^2 = 0: the horseshoe's, u itself)."""
    return u / (1.0 + u * inv_c2)


@njit(cache=True)
def _log_half_cauchy(x, e2x):
    """log-density of x = log local, local ~ C+(0, 1), up to a constant: x - log(1 + e^2x),
    from e2x = e^2x (computed once per evaluation: these targets run p times a sweep)."""
    return x - (np.log1p(e2x) if x < 18.0 else 2.0 * x + 1.0 / e2x)


@njit(cache=True)
def _log_local_target(x, a, b, t2, sigma2, inv_c2):
    """log p(log local_j | w_-j, ...) with w_j integrated out (local_j ~ C+(0, 1)); the
    prior variance t^2 local_j^2 / (1 + t^2 local_j^2 / c^2) (1 / c^2 = 0: horseshoe)."""
    e2x = np.exp(2.0 * x)
    v = _slab(t2 * e2x, inv_c2)
    prior = _log_half_cauchy(x, e2x)
    return prior - 0.5 * np.log1p(a * v) + b * b * v / (2.0 * sigma2 * (1.0 + a * v))


_GIVEN_W, _INTEGRATED = 0.0, 1.0  # which target _slice_log_scale samples (args[0])


@njit(cache=True)
def _log_scale_target(x, args):
    """The local-scale target named by args[0], with its parameters args[1:]. (A branch,
    not a function argument: numba cannot cache functions that take functions.)"""
    if args[0] == _GIVEN_W:
        return _log_local_target(x, args[1], args[2], args[3], args[4], args[5])
    return _log_local_target_integrated(x, args[1], args[2], args[3], args[4], args[5], args[6])


@njit(cache=True)
def _slice_log_scale(args, x0, x_max, rng):
    """One slice-sampling update (Neal 2003: width 2, stepping out, shrinkage) of x = log
    local_j under ``_log_scale_target(x, args)``, truncated above at x_max."""
    log_f = _log_scale_target
    level = log_f(x0, args) - rng.standard_exponential()
    left = x0 - 2.0 * rng.random()
    right = min(left + 2.0, x_max)
    for _ in range(40):
        if log_f(left, args) <= level:
            break
        left -= 2.0
    for _ in range(40):
        if log_f(right, args) <= level:
            break
        right = min(right + 2.0, x_max)
        if right == x_max:
            break
    for _ in range(200):  # shrinkage ends unless the density is NaN: keep x0 then
        prop = left + rng.random() * (right - left)
        if log_f(prop, args) > level:
            return prop
        if prop < x0:
            left = prop
        else:
            right = prop
    return x0


_SCALE_CAP = 1e12


@njit(cache=True)
def _log_scale_cap(t2, ztz_j):
    """Truncate local_j where t^2 local_j^2 z_j^T z_j > 1e12 (shrinkage factor < 1e-12, the
    coefficient fully unshrunk): beyond it the conditional of w_j is unchanged, and the
    dynamic range of the scales stays within what eigh resolves."""
    return 0.5 * np.log(_SCALE_CAP / (t2 * ztz_j))


def max_global_scale(local: np.ndarray, ztz: np.ndarray) -> float:
    """The largest t at which every local scale is within the cap of ``_log_scale_cap``.

    The cap truncates the joint prior of (t, local), so a move of t given the local scales
    must stay below this value too: the sweeps keep each local within the cap of the current
    t, and a t moved past it (sigma falling towards its floor when y is fitted exactly) left
    the inverse of M = I + Z D Z^T singular (condition number 2e16). A relative slack of
    1e-9 keeps a scale drawn at the cap inside after the rounding of exp(log local_j)."""
    return float(np.sqrt(_SCALE_CAP / np.max(local * local * ztz)) * (1.0 + 1e-9))


_REJECTION_TRIES = 4  # prior proposals per local scale before the slice step


@njit(cache=True)
def _draw_local_by_rejection(a, b, t2, sigma2, inv_c2, x_max, rng):
    """An exact draw of log local_j from ``_log_local_target`` by rejection from its
    half-Cauchy prior, or NaN after _REJECTION_TRIES proposals. The likelihood factor
    h(v) = -log(1 + a v) / 2 + B v / (1 + a v), B = b^2 / (2 sigma^2), is at most
    log(a / 2B) / 2 + B / a - 1/2 when 2B > a (else 0): in u = a v / (1 + a v) in [0, 1)
    it is log(1 - u) / 2 + B u / a. A noise coefficient's B / a is O(1), so most of the p
    scales are drawn independently in about two proposals; a pinned one falls through."""
    big_b = 0.5 * b * b / sigma2
    h_max = 0.5 * np.log(a / (2.0 * big_b)) + big_b / a - 0.5 if 2.0 * big_b > a else 0.0
    for _ in range(_REJECTION_TRIES):
        local = np.tan(0.5 * np.pi * rng.random())  # C+(0, 1)
        if not 0.0 < local <= np.exp(x_max):
            continue
        v = _slab(t2 * local * local, inv_c2)
        h = -0.5 * np.log1p(a * v) + big_b * v / (1.0 + a * v)
        if np.log(rng.random()) < h - h_max:
            return np.log(local)
    return np.nan


@njit(cache=True)
def collapsed_local_sweep(Zt, ztz, resid, w, local, t, sigma2, rng, inv_c2, ztz_cap):
    """One sweep over j of (local_j, w_j) | everything else, w_j integrated out of the
    local_j update: an exact draw by rejection from the prior when it succeeds within a few
    proposals, else a slice step on log local_j; then w_j from its Gaussian conditional.
    ``inv_c2`` = 1 / c^2 of the regularized horseshoe's slab (0: the horseshoe); ``ztz_cap``
    the z_j^T z_j of the scales' cap (``_log_scale_cap``): ``ztz`` itself for the Gaussian
    likelihood, the unweighted one for the logistic, whose ``ztz`` moves with omega (a cap
    that moved with the state would not be a fixed truncation of the prior). (Whether
    the rejection succeeds does not depend on the current local_j, so the mixture of the
    two updates leaves the target invariant.)

    Breaks the funnel between a noise coefficient and its local scale (tiny local_j ->
    tiny w_j -> tiny local_j) that the conditionally conjugate updates crawl through.
    ``resid`` (y - c0 - Z w) and ``w``, ``local`` are updated in place; O(n p) per sweep.
    """
    t2 = t * t
    for j in range(Zt.shape[0]):
        zj = Zt[j]
        a = ztz[j]
        b = zj @ resid + a * w[j]
        x_max = _log_scale_cap(t2, ztz_cap[j])
        x = _draw_local_by_rejection(a, b, t2, sigma2, inv_c2, x_max, rng)
        if np.isnan(x):
            x0 = min(np.log(local[j]), x_max)
            args = (_GIVEN_W, a, b, t2, sigma2, inv_c2, 0.0)  # the tuple type of _INTEGRATED's
            x = _slice_log_scale(args, x0, x_max, rng)
        local[j] = np.exp(x)
        v = _slab(t2 * local[j] * local[j], inv_c2)
        new = b * v / (1.0 + a * v) + np.sqrt(sigma2 * v / (1.0 + a * v)) * rng.standard_normal()
        resid -= zj * (new - w[j])
        w[j] = new


@njit(cache=True)
def _log_local_target_integrated(x, s, r, q, t2, gig_order, inv_c2):
    """log p(log local_j | local_-j, t, c0, y) with w and sigma^2 integrated out:
    s = z_j^T M_-j^-1 z_j, r = z_j^T M_-j^-1 y', q = y'^T M_-j^-1 y' (plus the slab's share
    of the GIG argument), where M_-j is M without feature j; adding it back with
    d_j = t^2 local_j^2 (regularized by the slab when 1 / c^2 > 0) multiplies det M by
    1 + d_j s and takes d_j r^2 / (1 + d_j s) off q (rank one)."""
    e2x = np.exp(2.0 * x)
    d = _slab(t2 * e2x, inv_c2)
    den = 1.0 + d * s
    prior = _log_half_cauchy(x, e2x)
    return prior - 0.5 * np.log(den) + log_gig_integral(gig_order, max(q - d * r * r / den, 1e-300))


# Removing feature j from M^-1 by a rank-one downdate divides by the shrinkage factor
# kappa = 1 - d_j z_j^T M^-1 z_j, whose rounding error is about eps d_j z_j^T z_j: the
# downdate is used while that error is below DOWNDATE_TOL kappa, else M_-j is inverted
# afresh (O(n^3)); M_-j itself is M - d_j z_j z_j^T unless d_j z_j^T z_j > REBUILD_MIN,
# where that subtraction would lose digits of M too and M_-j is rebuilt from Z (O(n^2 p)).
DOWNDATE_TOL, REBUILD_MIN = 1e-10, 1e8
_EPS = np.finfo(np.float64).eps


# After its slice step, each scale of the integrated sweep gets a Metropolis-Hastings
# proposal uniform in log local_j on [x_max - _JUMP_RANGE, x_max] (x_max: the cap), which
# can jump between a coefficient's "in the fit" and "out of it" modes that the slice step
# rarely crosses (a state outside the range never gets the proposal: still reversible)
_JUMP_RANGE = 30.0


@njit(cache=True)
def integrated_local_sweep(
    active, Zt, ztz, M, Minv, y0, local, t, q, rng, gig_order, inv_c2, gig_shift
):
    """One sweep over j in ``active`` of local_j | local_-j, t, c0, y with the coefficients
    w *and* sigma^2 integrated out (sample space): y' = y - c0 ~ sigma^2 N(0, M), and
    sigma^2's integral is the GIG integral of order ``gig_order`` at y'^T M^-1 y' plus
    ``gig_shift``. Horseshoe: order (1 - n) / 2, shift 0; the regularized horseshoe in the
    coordinates t = tau / sigma, 1 / c~^2 = ``inv_c2`` = sigma^2 / c^2, where the slab's
    inverse-gamma prior adds its own power and shift of sigma^2.

    A feature's scale then moves together with the noise its coefficient explains away,
    not given sigma: at p >> n a feature that enters or leaves the fit changes sigma, which
    updates given sigma can only follow in many small steps. ``M`` = I + Z diag(d) Z^T,
    ``Minv`` its inverse (rank-one updates, O(n^2) per feature), ``q`` = y'^T M^-1 y'; all
    three and ``local`` are updated in place, and the final q is returned.
    """
    t2 = t * t
    n = M.shape[0]
    for j in active:
        zj = Zt[j]
        d_old = _slab(t2 * local[j] * local[j], inv_c2)
        v = Minv @ zj
        s = zj @ v
        kappa = 1.0 - d_old * s
        pin = d_old * ztz[j]
        if pin * _EPS < DOWNDATE_TOL * kappa:  # without feature j, from the values with it
            s_ex, r_ex = s / kappa, (v @ y0) / kappa
            q_ex = q + d_old * r_ex * r_ex * kappa
        else:  # M_-j and its inverse afresh
            if pin <= REBUILD_MIN:
                for i in range(n):
                    for k in range(n):
                        M[i, k] -= d_old * zj[i] * zj[k]
            else:
                keep, local[j] = local[j], 0.0
                B = Zt * np.sqrt(_slab(t2 * local * local, inv_c2)).reshape(-1, 1)
                M[:] = B.T @ B + np.eye(n)
                local[j] = keep
            Minv[:] = np.linalg.inv(M)
            v = Minv @ zj
            s_ex = s = zj @ v
            r_ex = v @ y0
            q_ex = y0 @ (Minv @ y0)
            d_old = 0.0
        x_max = _log_scale_cap(t2, ztz[j])
        x0 = min(np.log(local[j]), x_max)
        args = (_INTEGRATED, s_ex, r_ex, q_ex + gig_shift, t2, gig_order, inv_c2)
        x = _slice_log_scale(args, x0, x_max, rng)
        if x >= x_max - _JUMP_RANGE:  # independence proposal, uniform on the range
            prop = x_max - _JUMP_RANGE * rng.random()
            if np.log(rng.random()) < _log_scale_target(prop, args) - _log_scale_target(x, args):
                x = prop
        local[j] = np.exp(x)
        d_new = _slab(t2 * local[j] * local[j], inv_c2)
        delta = d_new - d_old
        c = delta / (1.0 + delta * s)  # 1 + delta s = kappa + d_new s > 0
        for i in range(n):  # scalar loops: row slices would allocate a temporary each
            cv, dz = c * v[i], delta * zj[i]
            for k in range(n):
                Minv[i, k] -= cv * v[k]
                M[i, k] += dz * zj[k]
        q = q_ex - d_new * r_ex * r_ex / (1.0 + d_new * s_ex)
    return q


# -- moves shared by the Gaussian and logistic Gibbs samplers ------------------------

ACCEPT_TARGET = 0.44  # random-walk Metropolis on one scalar (Roberts & Rosenthal 2001)
# Largest prior variance of a coefficient on the working scale (sd 1e12 sd(y) per sd(x)):
# wider than any coefficient float64 data can support, so the cap never binds on real data.
PRIOR_VAR_MAX = 1e24


def adapt_step(st: dict, accepted: float, it: int) -> None:
    """Robbins-Monro step-size adaptation of a random-walk proposal (warm-up only)."""
    st["log_step"] += (accepted - ACCEPT_TARGET) / (it + 1.0) ** 0.6


def rescale_move(spec, st: dict, rng, tuning: bool, it: int) -> None:
    """Metropolis move t -> t e^u, local_j -> local_j e^-u with w and sigma fixed.

    The prior variances t^2 local_j^2 of w do not change, so only the priors of t and of
    the local scales enter the ratio: an O(p)
    step that decouples the global scale from the local ones when n >> p, where the
    likelihood pins down the products t local_j but not the split.
    """
    x, t = np.log(st["local"]), st["t"]

    def log_target(log_t, shift):  # in log coordinates (translations have unit Jacobian)
        if abs(log_t) > LOG_T_BOUND:
            return -np.inf
        xs = x - shift  # local_j ~ C+(0, 1): density local / (1 + local^2) in log local
        local_part = np.sum(xs - np.logaddexp(0.0, 2.0 * xs))
        return log_t - log1p_square(np.exp(log_t) / spec.tau0) + local_part

    log_t, shift = np.log(t), 0.0
    cur = log_target(log_t, shift)
    n_acc = 0
    for _ in range(2):
        u = np.exp(st["log_step_rescale"]) * rng.standard_normal()
        new = log_target(log_t + u, shift + u)
        if np.log(rng.uniform()) < new - cur:
            log_t, shift, cur, n_acc = log_t + u, shift + u, new, n_acc + 1
    if tuning:
        st["log_step_rescale"] += (n_acc / 2 - ACCEPT_TARGET) / (it + 1.0) ** 0.6
    st["t"] = float(np.exp(log_t))
    st["local"] = np.exp(x - shift)


# The horseshoes' global scale t lives in [1e-100, 1e100]: a half-Cauchy prior mass below
# 1e-99 left out, so that random-walk proposals (noise-free y drives t up without bound)
# never overflow float64 or underflow the local scales that the rescaling move trades
# against t.
LOG_T_BOUND = 100.0 * np.log(10.0)


def log1p_square(x):
    """log(1 + x^2) without overflow for |x| up to the float64 maximum (a half-Cauchy's
    log-density; random-walk proposals can reach 1e155)."""
    return np.logaddexp(0.0, 2.0 * np.log(np.abs(x)))


def slab_var(tau: float, local, c2: float):
    """tau^2 local~^2 = c^2 u / (c^2 + u) = 1 / (1 / u + 1 / c^2) with u = (tau local)^2, in
    linear space (no exp or log: at p = 20,000 a ninth of the log-space time). The harmonic
    form has the limits: u = inf gives c^2, c^2 = inf gives u, u = 0 gives 0."""
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 / (tau * np.asarray(local)) ** 2 + 1.0 / c2)


def log_slab_var(log_tau: float, log_local, log_c2: float):
    """log of tau^2 local~^2 = c^2 tau^2 local^2 / (c^2 + tau^2 local^2)."""
    a = 2.0 * (log_tau + log_local)
    return log_c2 + a - np.logaddexp(log_c2, a)


def draw_slab_c2(spec, log_tau: float, log_local, w2, c2: float, rng) -> float:
    """c^2 | w, tau, local of the regularized horseshoe, by slice sampling in log c^2
    (prior c^2 / s^2 ~ InvGamma(df/2, df/2)); ``w2`` the squared coefficients."""
    half_df, log_s2 = 0.5 * spec.slab_df, 2.0 * np.log(spec.slab_scale)

    def log_c2_density(x, idx):
        lv = log_slab_var(log_tau, log_local[None, :], x[:, None])
        loglik = -0.5 * lv.sum(axis=1) - 0.5 * (w2 * np.exp(-lv)).sum(axis=1)
        return loglik - half_df * (x - log_s2) - half_df * np.exp(log_s2 - x)

    return float(np.exp(slice_sample(np.array([np.log(c2)]), log_c2_density, rng)[0]))
