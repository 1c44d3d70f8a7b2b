"""Design matrices (standardization and its exact inverse), bundled data and simulators."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import numpy as np
import pandas as pd

from bayes_l1._validation import check_positive, preview, warn_constant_columns

__all__ = [
    "Design",
    "Simulation",
    "load_diabetes",
    "make_sparse_classification",
    "make_sparse_regression",
]


_EPS = np.finfo(np.float64).eps
# A column is constant when its spread is at most max(this, n) ulps of its magnitude. After
# the corrected two-pass centring below, identical values have spread 0 (or ~eps**2); values
# that agree up to the rounding of a few arithmetic steps (unit conversions, text round trips)
# differ by a few ulps. The n ulps are scikit-learn's StandardScaler bound (the error bound
# of a two-pass variance, Chan, Golub & LeVeque 1983; var <= n eps var + (n eps mean)^2), so
# that the default standardization treats the same columns as constant as StandardScaler.
_CONSTANT_ULPS = 16
# Mean squares below this lose bits to underflow (squares of |z| < 1e-154 are subnormal).
_MS_LOW = 2.0**-900


def _pow2_magnitude(A: np.ndarray) -> np.ndarray:
    """Per column a power of two within a factor 2 of max|A| (0.5 for an all-zero column).

    Dividing by a power of two is exact, so rescaled columns give bit-identical results
    wherever the unscaled arithmetic neither overflows nor underflows.
    """
    _, e = np.frexp(np.max(np.abs(A), axis=0))
    return np.ldexp(1.0, e - 1)


def _column_mean(X: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is redone below
        mean = X.mean(axis=0)
    bad = ~np.isfinite(mean)  # the sum overflowed: entries near the float64 maximum
    if bad.any():
        sub = X[:, bad]
        s = _pow2_magnitude(sub)
        mean[bad] = (sub / s).mean(axis=0) * s
    return mean


def _column_rms(Z: np.ndarray) -> np.ndarray:
    """sqrt(mean(z**2)) per column, computed so that the squares never overflow or underflow.

    The fast path squares Z as is; columns whose mean square overflowed or fell below
    ``_MS_LOW`` (|z| beyond about 1e154 or below 1e-135) are redone on a power-of-two
    rescaling: units from 1e-300 to 1e300 give the same standardized column.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # redone below
        ms = np.einsum("ij,ij->j", Z, Z) / Z.shape[0]
    rms = np.sqrt(ms)
    bad = ~(ms >= _MS_LOW) | np.isinf(ms)
    if bad.any():
        sub = Z[:, bad]
        s = _pow2_magnitude(sub)
        t = sub / s
        rms[bad] = np.sqrt(np.einsum("ij,ij->j", t, t) / Z.shape[0]) * s
    return rms


def _recentre(X: np.ndarray, Z: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> None:
    """Second pass of the corrected two-pass algorithm, in place on Z = X - mean, mean, sd.

    The mean's rounding error (up to ~n ulps of |mean| for a sequential sum) is left in the
    centred column; where it is more than an ulp of the spread, correct the mean by the
    centred column's own mean and recentre, so that a column of identical values has sd
    exactly 0 and Z stays exactly ``X - offset`` (what :meth:`Design.transform` computes).
    """
    resid = _column_mean(Z)
    fix = np.flatnonzero(np.abs(resid) > _EPS * sd)
    if fix.size:
        mean[fix] += resid[fix]
        Z[:, fix] = X[:, fix] - mean[fix]
        sd[fix] = _column_rms(Z[:, fix])


def _uncentred_sd(X: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Population sd of each column of X without writing a centred copy of X."""
    rms = _column_rms(X)
    m = np.abs(mean)
    # sqrt(rms^2 - mean^2), factored so that nothing is squared
    sd = np.sqrt(np.maximum(rms - m, 0.0)) * np.sqrt(rms + m)
    # That difference cancels when |mean| >> sd: redo those columns in two passes.
    far = np.flatnonzero(m > 10.0 * sd)
    if far.size:
        Xf = X[:, far]
        Zf = Xf - mean[far]
        sd_far = _column_rms(Zf)
        _recentre(Xf, Zf, mean[far].copy(), sd_far)
        sd[far] = sd_far
    return sd


def _check_representable(sd: np.ndarray, feature_names) -> None:
    if not np.isfinite(sd).all():
        cols = [feature_names[j] for j in np.flatnonzero(~np.isfinite(sd))]
        raise ValueError(
            f"X columns [{preview(cols, 10)}] hold values too large for float64 arithmetic (their "
            "differences overflow beyond 1.8e308); rescale them, e.g. divide by 1e300."
        )


@dataclass(frozen=True, eq=False)
class Design:
    """How raw columns map to the scale the model works on, and back.

    The working design is ``(X - offset) / scale``. ``offset`` is the column mean when an
    intercept is fitted (centring makes the intercept orthogonal to the features), else 0.
    ``scale`` is the population standard deviation (``ddof=0``, as scikit-learn's
    ``StandardScaler``) when standardizing, else 1. Constant columns keep scale 1 and are
    flagged in ``constant``; their coefficients are held at exactly 0.

    A column is constant when its spread is within a few float64 ulps of its own magnitude
    (sd <= max(16, n) eps (|mean| + sd), n ulps as ``StandardScaler``'s bound, which a
    variation of 1e-14 of the magnitude at n = 442 falls under): the cut-off is relative,
    so the units of a column never
    decide whether it is constant, and means and sds are computed without overflow or
    underflow, so standardized columns are the same in any units from 1e-300 to 1e300.
    """

    feature_names: tuple[str, ...]
    offset: np.ndarray
    scale: np.ndarray
    constant: np.ndarray
    fit_intercept: bool
    standardize: bool

    @classmethod
    def fit_transform(
        cls,
        X: np.ndarray,
        feature_names,
        *,
        standardize: bool = True,
        fit_intercept: bool = True,
        warn: bool = True,
    ) -> tuple[Design, np.ndarray]:
        """Fit the design to X and return it with the working matrix (Fortran order).

        Fused so that a large X is read a few times and copied at most once; with neither
        centring nor scaling a Fortran-ordered float64 X is used as is (never modified).
        """
        p = X.shape[1]
        mean = _column_mean(X)
        if fit_intercept:
            Z = np.empty(X.shape, order="F")
            with np.errstate(over="ignore"):  # reported by _check_representable
                np.subtract(X, mean, out=Z)
            sd = _column_rms(Z)
            _check_representable(sd, feature_names)
            _recentre(X, Z, mean, sd)
        else:
            Z = np.asfortranarray(X, dtype=np.float64)
            sd = _uncentred_sd(Z, mean)
            _check_representable(sd, feature_names)
        constant = sd <= max(_CONSTANT_ULPS, X.shape[0]) * _EPS * (np.abs(mean) + sd)
        if warn and fit_intercept:
            warn_constant_columns(feature_names, constant)
        offset = mean if fit_intercept else np.zeros(p)
        scale = np.where(constant | (not standardize), 1.0, sd)
        design = cls(tuple(feature_names), offset, scale, constant, fit_intercept, standardize)
        if standardize and (scale != 1.0).any():
            if Z is X:
                Z = np.array(X, order="F")
            Z /= scale
        if fit_intercept and constant.any():
            Z[:, constant] = 0.0
        return design, Z

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def held_at_zero(self) -> np.ndarray:
        """Features whose coefficient is fixed at 0 (constant columns under an intercept)."""
        return self.constant & self.fit_intercept

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Working matrix of new rows, Fortran-ordered so that each column is contiguous."""
        Z = np.asfortranarray((X - self.offset) / self.scale)
        Z[:, self.held_at_zero] = 0.0
        return Z

    def to_original(self, coef, intercept):
        """Map coefficients of the working design back to the raw columns.

        ``coef`` may be (p,) or (p, k); ``intercept`` a scalar or (k,).
        """
        coef = np.asarray(coef, dtype=np.float64)
        scale = self.scale if coef.ndim == 1 else self.scale[:, None]
        raw = coef / scale
        return raw, np.asarray(intercept) - self.offset @ raw


def load_diabetes() -> tuple[pd.DataFrame, pd.Series]:
    """The diabetes data of Efron, Hastie, Johnstone & Tibshirani (2004), in raw units.

    442 patients, 10 baseline variables (age, sex, bmi, bp, s1..s6: six blood serum
    measurements) and a quantitative measure of disease progression one year later.

    Returns
    -------
    X : pandas.DataFrame, shape (442, 10)
    y : pandas.Series, named ``"progression"``

    Examples
    --------
    >>> X, y = load_diabetes()
    >>> X.shape, list(X.columns[:4])
    ((442, 10), ['age', 'sex', 'bmi', 'bp'])
    """
    with resources.files("bayes_l1.datasets").joinpath("diabetes.csv").open() as fh:
        frame = pd.read_csv(fh)
    return frame.drop(columns="progression"), frame["progression"]


class Simulation(NamedTuple):
    """Simulated data with the truth that generated it."""

    X: pd.DataFrame
    y: pd.Series
    coef: pd.Series
    intercept: float
    noise_sd: float


def _simulation(X, y, coef, intercept, noise_sd) -> Simulation:
    """The arrays of a simulation as named pandas objects (features x0, x1, ...)."""
    names = [f"x{j}" for j in range(X.shape[1])]
    return Simulation(
        pd.DataFrame(X, columns=names),
        pd.Series(y, name="y"),
        pd.Series(coef, index=names, name="coef"),
        float(intercept),
        float(noise_sd),
    )


def _correlated_design(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    """Gaussian columns with AR(1) correlation rho^|i-j| (unit variance)."""
    X = rng.standard_normal((n, p))
    if rho:
        X = np.asfortranarray(X)  # contiguous columns: the recursion runs along them
        innov = np.sqrt(1.0 - rho**2)
        for j in range(1, p):
            X[:, j] = rho * X[:, j - 1] + innov * X[:, j]
    return X


def _sparse_truth(rng, p, k, *, magnitude):
    if not 0 <= k <= p:
        raise ValueError(f"k (number of true features) must be in [0, p={p}]; got {k}.")
    coef = np.zeros(p)
    support = np.sort(rng.choice(p, size=k, replace=False))
    coef[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(*magnitude, size=k)
    return coef


def _check_sizes(n, p, rho):
    if int(n) < 2 or int(p) < 1:
        raise ValueError(f"need n >= 2 and p >= 1; got n={n}, p={p}.")
    if not -1 < rho < 1:
        raise ValueError(f"rho must be in (-1, 1); got {rho}.")


def make_sparse_regression(
    n: int = 100,
    p: int = 50,
    k: int = 5,
    *,
    snr: float = 3.0,
    rho: float = 0.0,
    intercept: float = 0.0,
    random_state=None,
) -> Simulation:
    """Simulate y = X w + c + noise with k non-zero coefficients out of p.

    Columns are standard normal with AR(1) correlation ``rho**|i-j|``; the k true features
    sit at random positions with random signs and magnitudes in [0.5, 2]. The noise sd is
    set so that var(X w) / noise_sd**2 equals ``snr`` (on the population scale).

    Examples
    --------
    >>> sim = make_sparse_regression(50, 20, 3, random_state=0)
    >>> sim.X.shape, int((sim.coef != 0).sum())
    ((50, 20), 3)
    """
    _check_sizes(n, p, rho)
    check_positive(snr, "snr")
    rng = np.random.default_rng(random_state)
    X = _correlated_design(rng, n, p, rho)
    coef = _sparse_truth(rng, p, k, magnitude=(0.5, 2.0))
    # Population variance of X w under the AR(1) covariance (over the support only: the
    # p x p covariance would need 80 GB at p = 100,000).
    idx = np.flatnonzero(coef)
    signal_var = coef[idx] @ (rho ** np.abs(idx[:, None] - idx[None, :])) @ coef[idx] if k else 1.0
    noise_sd = float(np.sqrt(signal_var / snr))
    y = X @ coef + intercept + noise_sd * rng.standard_normal(n)
    return _simulation(X, y, coef, intercept, noise_sd)


def make_sparse_classification(
    n: int = 200,
    p: int = 50,
    k: int = 5,
    *,
    rho: float = 0.0,
    effect: tuple[float, float] = (0.5, 1.5),
    intercept: float = 0.0,
    random_state=None,
) -> Simulation:
    """Simulate a binary y with P(y = 1) = sigmoid(X w + c), k non-zero coefficients.

    ``effect`` bounds the magnitude of the true log-odds coefficients (per unit of a
    standard-normal feature). ``noise_sd`` is NaN: Bernoulli noise has no scale.

    Examples
    --------
    >>> sim = make_sparse_classification(100, 10, 2, random_state=0)
    >>> sorted(sim.y.unique().tolist())
    [0, 1]
    """
    _check_sizes(n, p, rho)
    rng = np.random.default_rng(random_state)
    X = _correlated_design(rng, n, p, rho)
    coef = _sparse_truth(rng, p, k, magnitude=effect)
    prob = 1.0 / (1.0 + np.exp(-(X @ coef + intercept)))
    y = (rng.uniform(size=n) < prob).astype(int)
    return _simulation(X, y, coef, intercept, float("nan"))
