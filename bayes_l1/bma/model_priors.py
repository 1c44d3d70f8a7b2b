"""Prior probabilities of the 2^p linear models: each class owns its log probability.

All three priors are exchangeable: a model's prior depends on its size k only, so a prior is
a function ``log_prob(size, p)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from bayes_l1._validation import check_positive

__all__ = ["Bernoulli", "BetaBinomial", "UniformModelPrior", "resolve_model_prior"]


@dataclass(frozen=True)
class UniformModelPrior:
    """Every one of the 2^p models equally likely: features included independently with
    probability 1/2, so the prior on the model size is Binomial(p, 1/2).

    Examples
    --------
    >>> float(UniformModelPrior().log_prob(3, 4)) == -4 * math.log(2)
    True
    """

    def log_prob(self, size, p: int) -> np.ndarray:
        """Log prior probability of one model of each ``size`` among ``p`` features."""
        return np.full(np.shape(size), -p * math.log(2.0))


@dataclass(frozen=True)
class Bernoulli:
    """Each feature included independently with probability ``pi``.

    Parameters
    ----------
    pi : float
        Prior inclusion probability, in (0, 1).

    Examples
    --------
    >>> round(float(np.exp(Bernoulli(0.2).log_prob(1, 3))), 12)  # 0.2 * 0.8 ** 2
    0.128
    """

    pi: float = 0.5

    def __post_init__(self):
        pi = check_positive(self.pi, "Bernoulli pi")
        if not pi < 1:
            raise ValueError(f"Bernoulli pi must be in (0, 1); got {self.pi!r}.")
        object.__setattr__(self, "pi", pi)

    def log_prob(self, size, p: int) -> np.ndarray:
        """Log prior probability of one model of each ``size`` among ``p`` features."""
        size = np.asarray(size, dtype=float)
        return size * math.log(self.pi) + (p - size) * math.log1p(-self.pi)


@dataclass(frozen=True)
class BetaBinomial:
    """Inclusion probability pi ~ Beta(a, b), features included independently given pi.

    Integrating pi out, one model of size k among p features has prior probability
    B(k + a, p - k + b) / B(a, b) (Scott & Berger 2010, Ann. Statist. 38:2587). With a = b = 1
    every model size 0..p is equally likely, which corrects for multiplicity as p grows.

    Parameters
    ----------
    a, b : float
        Positive Beta parameters.

    Examples
    --------
    >>> p = 4
    >>> sizes = np.arange(p + 1)
    >>> from scipy.special import comb
    >>> np.allclose(comb(p, sizes) * np.exp(BetaBinomial(1, 1).log_prob(sizes, p)), 1 / 5)
    True
    """

    a: float = 1.0
    b: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "a", check_positive(self.a, "BetaBinomial a"))
        object.__setattr__(self, "b", check_positive(self.b, "BetaBinomial b"))

    def log_prob(self, size, p: int) -> np.ndarray:
        """Log prior probability of one model of each ``size`` among ``p`` features."""
        size = np.asarray(size, dtype=float)
        return special.betaln(size + self.a, p - size + self.b) - special.betaln(self.a, self.b)


ModelPrior = UniformModelPrior | Bernoulli | BetaBinomial


# model priors by name (the CLI's --model-prior choices): each a constructor
MODEL_PRIOR_NAMES = {"uniform": UniformModelPrior, "beta-binomial": BetaBinomial}


def resolve_model_prior(model_prior) -> ModelPrior:
    """A prior instance; ``"uniform"``, ``"beta-binomial"`` (``BetaBinomial(1, 1)``, BAS's
    default); or a number (a Bernoulli inclusion probability).

    Examples
    --------
    >>> resolve_model_prior(0.1)
    Bernoulli(pi=0.1)
    >>> resolve_model_prior("beta-binomial")
    BetaBinomial(a=1.0, b=1.0)
    """
    if isinstance(model_prior, UniformModelPrior | Bernoulli | BetaBinomial):
        return model_prior
    if isinstance(model_prior, str):
        if model_prior not in MODEL_PRIOR_NAMES:
            raise ValueError(
                "model_prior must be 'uniform', 'beta-binomial', BetaBinomial(a, b), "
                f"Bernoulli(pi) or an inclusion probability in (0, 1); got {model_prior!r}."
            )
        return MODEL_PRIOR_NAMES[model_prior]()
    if isinstance(model_prior, int | float | np.floating | np.integer) and not isinstance(
        model_prior, bool | np.bool_
    ):
        return Bernoulli(float(model_prior))
    raise TypeError(
        "model_prior must be 'uniform', BetaBinomial(a, b), Bernoulli(pi) or an inclusion "
        f"probability in (0, 1); got {model_prior!r}."
    )
