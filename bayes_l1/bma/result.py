"""The posterior over models and what BAS users read from it.

``BMAResult`` holds one row per model (its features, size, R^2, log Bayes factor, log prior
and posterior probability); everything else is a function of those rows: inclusion
probabilities, the posterior of the model size, the top-models table, and the highest-
probability, median-probability and best-predictive models (Barbieri & Berger 2004).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numba import njit

from bayes_l1._columns import align_columns
from bayes_l1._validation import check_X
from bayes_l1.bma.gprior import GPrior, shrinkage_from_rss

if TYPE_CHECKING:
    from bayes_l1.bma.design import StandardizedDesign

__all__ = [
    "BMAResult",
    "inclusion_probabilities",
    "model_features",
    "models_of_codes",
    "posterior_probabilities",
    "size_posterior",
]


def posterior_probabilities(log_bf, log_prior) -> tuple[np.ndarray, float]:
    """Normalized posterior model probabilities and log sum of BF x prior.

    Models with log BF = -inf get probability 0.

    Examples
    --------
    >>> prob, _ = posterior_probabilities(np.log([1.0, 3.0]), np.log([0.5, 0.5]))
    >>> prob.tolist()
    [0.25, 0.75]
    """
    log_post = np.asarray(log_bf, dtype=float) + np.asarray(log_prior, dtype=float)
    top = np.max(log_post)
    weights = np.exp(log_post - top)
    total = weights.sum()
    return weights / total, float(top + np.log(total))


def inclusion_probabilities(prob, models) -> np.ndarray:
    """P(feature j in the model | y): the summed probability of the models containing j.

    ``models`` is the (M, p) 0/1 matrix of the models' features, one row per model.

    Examples
    --------
    >>> inclusion_probabilities([0.125, 0.25, 0.375, 0.25], [[0, 0], [1, 0], [0, 1], [1, 1]])
    array([0.5  , 0.625])
    """
    prob, models = np.asarray(prob, dtype=float), np.asarray(models, dtype=bool)
    pip = np.array([prob[models[:, j]].sum() for j in range(models.shape[1])])
    return np.minimum(pip, 1.0)  # a sum of probabilities can round above 1


def size_posterior(prob, size, p: int) -> np.ndarray:
    """P(|gamma| = k | y) for k = 0..p."""
    return np.bincount(np.asarray(size, dtype=np.int64), weights=prob, minlength=p + 1)


def models_of_codes(codes, p: int) -> np.ndarray:
    """(M, p) boolean matrix of models given by integer codes (bit j: feature j).

    Examples
    --------
    >>> models_of_codes([5], 3).astype(int).tolist()
    [[1, 0, 1]]
    """
    codes = np.asarray(codes, dtype=np.int64)
    models = np.empty((codes.size, p), dtype=bool)
    for j in range(p):  # column by column: no (M, 64) temporary
        models[:, j] = (codes >> j) & 1
    return models


def model_features(model, names) -> tuple[str, ...]:
    """Names of the features in ``model`` (a 0/1 row: feature j included where it is 1).

    Examples
    --------
    >>> model_features([1, 0, 1], ("a", "b", "c"))
    ('a', 'c')
    """
    return tuple(name for name, keep in zip(names, model, strict=True) if keep)


_NEGLIGIBLE = 1e-20


@dataclass(frozen=True, eq=False)
class BMAResult:
    """Posterior over linear models under a g-prior (one row per model).

    Attributes
    ----------
    feature_names : tuple of str
    models : (M, p) bool; row m holds the features of model m.
    size, r2, log_bf, log_prior, prob : (M,) model size, R^2, log Bayes factor against the
        null model, log prior probability and posterior probability.
    log_evidence : log of sum over models of BF x prior, i.e. log p(y) / p(y | null); NaN
        when the rows are not every model (MC3).
    g_prior, model_prior : the priors used.
    design : the standardized design (Gram matrix, means, norms) the models were fit on.
    method : ``"enumeration"`` (every model), or ``"mc3"`` (the models a Metropolis chain
        evaluated, their probabilities renormalized over them, as BAS's MCMC estimates).
    """

    feature_names: tuple[str, ...]
    models: np.ndarray
    size: np.ndarray
    r2: np.ndarray
    log_bf: np.ndarray
    log_prior: np.ndarray
    prob: np.ndarray
    log_evidence: float
    g_prior: GPrior
    model_prior: Any
    design: StandardizedDesign
    method: str

    def __repr__(self) -> str:  # the arrays (the Gram matrix among them) would fill a screen
        names = ", ".join(self.feature_names[:5]) + (", ..." if self.n_features > 5 else "")
        return (
            f"BMAResult(method={self.method!r}, {self.prob.size} models over "
            f"{self.n_features} features ({names}), n={self.design.n}, "
            f"g_prior={self.g_prior!r}, model_prior={self.model_prior!r})"
        )

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def codes(self) -> np.ndarray:
        """(M,) int64 model codes, bit j set when feature j is in the model (p <= 62)."""
        if self.n_features > 62:
            raise ValueError(
                f"codes fit in an int64 for p <= 62; this result has p = {self.n_features}."
            )
        return self.models @ (np.int64(1) << np.arange(self.n_features, dtype=np.int64))

    @cached_property
    def pip(self) -> pd.Series:
        """Posterior inclusion probability of each feature, P(gamma_j = 1 | y)."""
        values = inclusion_probabilities(self.prob, self.models)
        return pd.Series(values, index=list(self.feature_names), name="pip")

    @cached_property
    def size_posterior(self) -> pd.Series:
        """Posterior probability of each model size 0..p."""
        values = size_posterior(self.prob, self.size, self.n_features)
        return pd.Series(values, index=pd.RangeIndex(self.n_features + 1, name="size"))

    def top_models(self, n_models: int = 10) -> pd.DataFrame:
        """The ``n_models`` most probable models, most probable first.

        Columns: ``model`` (tuple of feature names), ``size``, ``r2``, ``log_bf`` (against
        the null model; the Bayes factor is its exp) and ``prob`` (posterior probability).
        Ties keep the order of the rows.
        """
        if int(n_models) < 1:
            raise ValueError(f"n_models must be >= 1; got {n_models!r}.")
        n_models = min(int(n_models), self.prob.size)
        top = np.argpartition(-self.prob, n_models - 1)[:n_models]
        top = top[np.lexsort((top, -self.prob[top]))]
        return pd.DataFrame(
            {
                "model": [model_features(m, self.feature_names) for m in self.models[top]],
                "size": self.size[top].astype(int),
                "r2": self.r2[top],
                "log_bf": self.log_bf[top],
                "prob": self.prob[top],
            },
            index=pd.RangeIndex(1, n_models + 1, name="rank"),
        )

    @property
    def highest_probability_model(self) -> tuple[str, ...]:
        """The model with the largest posterior probability (HPM)."""
        return model_features(self.models[np.argmax(self.prob)], self.feature_names)

    @property
    def median_probability_model(self) -> tuple[str, ...]:
        """Features with inclusion probability > 1/2 (Barbieri & Berger 2004; as BAS)."""
        return model_features(self.pip.to_numpy() > 0.5, self.feature_names)

    @cached_property
    def _averaged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices of the models averaged, their shrinkage, averaged working coefficients).

        Models below _NEGLIGIBLE times the largest posterior probability are left out: at
        most 2^p of them, so they carry less than 2^p * 1e-20 of the mass in all."""
        keep = np.flatnonzero(self.prob > _NEGLIGIBLE * self.prob.max())
        shrink = shrinkage_from_rss(
            1.0 - self.r2[keep], self.size[keep], self.design.n, self.g_prior
        )
        shrink = np.nan_to_num(shrink)  # the null model has no coefficients
        coef = _weighted_ols_sum(self.design.gram, self.models[keep], self.prob[keep] * shrink)
        return keep, shrink, coef

    @property
    def coef(self) -> pd.Series:
        """Model-averaged posterior mean of the coefficients, on the original scale.

        Each model contributes its posterior mean E[g/(1+g) | y, model] times its
        least-squares coefficients, weighted by its posterior probability.
        """
        d = self.design
        values = self._averaged[2] * d.y_norm / d.x_norm
        return pd.Series(values, index=list(self.feature_names), name="coef")

    @property
    def intercept(self) -> float:
        """Model-averaged intercept: the flat-prior intercept is mean(y) - mean(X) @ coef."""
        return float(self.design.y_mean - self.design.x_mean @ self.coef.to_numpy())

    def predict(self, X) -> np.ndarray:
        """Model-averaged prediction of E[y | x]: ``intercept + X @ coef``, i.e. each
        model's posterior-mean fit weighted by its posterior probability.

        Parameters
        ----------
        X : array_like or pandas.DataFrame, shape (m, p)
            On the original scale; a DataFrame's columns are matched by name, an array's
            by position (the order of ``feature_names``).
        """
        Xa = check_X(align_columns(X, self.feature_names))[0]  # finite, numeric, 2-D
        if Xa.shape[1] != self.n_features:
            raise ValueError(
                f"X must be 2-D with {self.n_features} columns ({', '.join(self.feature_names[:5])}"
                f"{', ...' if self.n_features > 5 else ''}); got shape {Xa.shape}."
            )
        return self.intercept + Xa @ self.coef.to_numpy()

    def best_predictive_model(self) -> tuple[str, ...]:
        """The model whose posterior-mean fit is closest to the model-averaged fit (BPM).

        Barbieri & Berger (2004, Ann. Statist. 32:870), as in BAS: minimize
        ||X (beta_BMA - beta_gamma)||^2 over models gamma, where beta_gamma is the posterior
        mean under gamma (shrinkage times least squares). Searched over every model with
        posterior probability above 1e-20 times the largest.
        """
        keep, shrink, coef = self._averaged
        gram = self.design.gram
        g_bar = gram[:-1, :-1] @ coef
        dist = _prediction_distances(gram, self.models[keep], shrink, g_bar, coef @ g_bar)
        return model_features(self.models[keep][np.argmin(dist)], self.feature_names)


# ---------------------------------------------------------------------------------------------
# Per-model least squares on the standardized Gram matrix (y last), by Cholesky.


@njit(cache=True)
def _ols(gram, model, idx, chol, beta):
    """Least-squares coefficients of ``model`` (a boolean row) into beta[:k]; returns k."""
    p = gram.shape[0] - 1
    k = 0
    for j in range(p):
        if model[j]:
            idx[k] = j
            k += 1
    for i in range(k):  # Cholesky G_SS = L L^T, row by row
        for j in range(i + 1):
            s = gram[idx[i], idx[j]]
            for m in range(j):
                s -= chol[i, m] * chol[j, m]
            chol[i, j] = np.sqrt(s) if i == j else s / chol[j, j]
    for i in range(k):  # L z = G_Sy
        s = gram[idx[i], p]
        for m in range(i):
            s -= chol[i, m] * beta[m]
        beta[i] = s / chol[i, i]
    for i in range(k - 1, -1, -1):  # L^T beta = z
        s = beta[i]
        for m in range(i + 1, k):
            s -= chol[m, i] * beta[m]
        beta[i] = s / chol[i, i]
    return k


@njit(cache=True)
def _weighted_ols_sum(gram, models, weights):
    p = gram.shape[0] - 1
    out = np.zeros(p)
    idx = np.empty(p, dtype=np.int64)
    chol = np.empty((p, p))
    beta = np.empty(p)
    for m in range(models.shape[0]):
        k = _ols(gram, models[m], idx, chol, beta)
        for i in range(k):
            out[idx[i]] += weights[m] * beta[i]
    return out


@njit(cache=True)
def _prediction_distances(gram, models, shrink, g_bar, base):
    """||Z (b - shrink_m beta_m)||^2 for each model m, with Z the standardized design,
    b the averaged coefficients, g_bar = Z^T Z b and base = b^T Z^T Z b."""
    p = gram.shape[0] - 1
    out = np.empty(models.shape[0])
    idx = np.empty(p, dtype=np.int64)
    chol = np.empty((p, p))
    beta = np.empty(p)
    for m in range(models.shape[0]):
        k = _ols(gram, models[m], idx, chol, beta)
        cross, fitted = 0.0, 0.0
        for i in range(k):
            cross += beta[i] * g_bar[idx[i]]
            fitted += beta[i] * gram[idx[i], p]  # = beta' G_SS beta = R^2
        out[m] = base - 2.0 * shrink[m] * cross + shrink[m] ** 2 * fitted
    return out
