"""The bridge between the frequentist penalty and the Bayesian prior scale.

Gaussian likelihood y ~ N(X w + c, sigma^2), flat prior on c, w_j ~ Laplace(0, b):
the MAP is scikit-learn's ``Lasso(alpha)`` with ``alpha = sigma^2 / (n b)``. In Park &
Casella's conditional form w_j | sigma ~ Laplace(0, sigma / lam): ``alpha = lam sigma / n``.
Logistic likelihood: the MAP is ``LogisticRegression(l1_ratio=1, C=b)``, i.e.
``alpha = 1 / (n b)`` in the same per-sample scaling.
"""

from __future__ import annotations

import functools

import numpy as np

from bayes_l1._validation import (
    check_int,
    check_likelihood,
    check_positive,
    real_array,
)

__all__ = [
    "alpha_from_lam",
    "alpha_from_laplace_scale",
    "lam_from_alpha",
    "laplace_scale_from_alpha",
]


def _positive(value, name: str):
    """A finite number > 0 as a float, or an array of them (e.g. a path's ``alphas``)."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray | list | tuple):
        return check_positive(value, name)
    values = real_array(value, name)
    if not (np.isfinite(values) & (values > 0)).all():
        raise ValueError(f"{name} must be finite and > 0; got {value!r}.")
    return values


def _in_range(name: str):
    """Decorator: the mapped value, refused when it leaves float64's range (0 or inf would
    be a prior with no scale, silently)."""

    def wrap(mapping):
        @functools.wraps(mapping)
        def checked(*args, **kwargs):
            with np.errstate(over="ignore", under="ignore"):
                result = mapping(*args, **kwargs)
            if not np.all(np.isfinite(result) & (result > 0)):
                raise ValueError(
                    f"The {name} these inputs give is outside float64's range (it under- or "
                    "overflows); rescale y or X so that alpha, sigma and the scales are moderate."
                )
            return result

        return checked

    return wrap


def _noise_variance(sigma, likelihood):
    check_likelihood(likelihood)
    if likelihood == "logistic":
        if sigma is not None:
            raise ValueError(
                "sigma is the Gaussian noise sd; the logistic likelihood has none: leave it out."
            )
        return 1.0
    if sigma is None:
        raise ValueError("sigma (the noise sd) is required for the gaussian likelihood.")
    return float(np.float64(check_positive(sigma, "sigma")) ** 2)


def _n(n) -> int:
    return check_int(n, "n", minimum=1)


@_in_range("scale b")
def laplace_scale_from_alpha(alpha, *, n, sigma=None, likelihood="gaussian") -> float:
    """Laplace prior scale b whose MAP is the penalized fit at ``alpha``.

    ``b = sigma**2 / (n alpha)`` (Gaussian) or ``b = 1 / (n alpha) = C`` (logistic).

    Examples
    --------
    >>> laplace_scale_from_alpha(0.1, sigma=2.0, n=100)
    0.4
    >>> laplace_scale_from_alpha(0.01, n=50, likelihood="logistic")
    2.0
    """
    var = _noise_variance(sigma, likelihood)
    return var / (_n(n) * _positive(alpha, "alpha"))


@_in_range("alpha")
def alpha_from_laplace_scale(b, *, n, sigma=None, likelihood="gaussian") -> float:
    """Inverse of :func:`laplace_scale_from_alpha`: ``alpha = sigma**2 / (n b)``.

    Examples
    --------
    >>> alpha_from_laplace_scale(0.4, sigma=2.0, n=100)
    0.1
    """
    var = _noise_variance(sigma, likelihood)
    return var / (_n(n) * _positive(b, "b"))


@_in_range("lam")
def lam_from_alpha(alpha, *, sigma, n) -> float:
    """Park & Casella's rate ``lam`` (w_j | sigma ~ Laplace(0, sigma / lam)): n alpha / sigma.

    Examples
    --------
    >>> lam_from_alpha(0.1, sigma=2.0, n=100)
    5.0
    """
    return _n(n) * _positive(alpha, "alpha") / check_positive(sigma, "sigma")


@_in_range("alpha")
def alpha_from_lam(lam, *, sigma, n) -> float:
    """Inverse of :func:`lam_from_alpha`: ``alpha = lam sigma / n``."""
    return _positive(lam, "lam") * check_positive(sigma, "sigma") / _n(n)
