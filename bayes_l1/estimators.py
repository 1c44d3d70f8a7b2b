"""scikit-learn estimators over :func:`bayes_l1.fit_posterior`.

``fit`` is ``fit_posterior`` plus the fitted attributes (as scikit-learn's ``Lasso.fit``
over ``enet_path``); prediction reads the draws. Parameters are only stored in
``__init__``. scikit-learn's ``BaseEstimator`` and mixins give ``get_params``,
``set_params``, ``repr`` and the tags; ``score`` is the package's own (y checked as in
``fit``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning, NotFittedError

from bayes_l1 import fitted
from bayes_l1._columns import align_columns, default_names
from bayes_l1._validation import (
    check_labels,
    check_probability,
    check_sample_weight,
    check_X,
    check_y,
    constant_columns_reported,
    preview,
    warn_caller,
)
from bayes_l1.map import lasso_map
from bayes_l1.posterior import fit_posterior, linear_predictor, replicate

__all__ = ["BayesianLinearRegression", "BayesianLogisticRegression", "NotFittedError"]


def _ravel_column_y(y):
    """A one-column y as 1-D, with scikit-learn's DataConversionWarning; any other y as is."""
    shape = getattr(y, "shape", ())
    if len(shape) != 2 or shape[1] != 1:
        return y
    warn_caller(
        "A column-vector y was passed when a 1d array was expected. Please change the shape "
        "of y to (n_samples,), for example using ravel().",
        DataConversionWarning,
    )
    return y.iloc[:, 0] if isinstance(y, pd.DataFrame) else np.asarray(y)[:, 0]


class _BayesianLinearModel(BaseEstimator):
    _likelihood = "gaussian"

    def __init__(
        self,
        prior=None,
        *,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        target_accept: float | None = None,
        sampler: str | None = "auto",
        marginalize: bool | None = None,
        random_state=None,
        progressbar: bool = False,
    ):
        self.prior = prior
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.target_accept = target_accept
        self.sampler = sampler
        self.marginalize = marginalize
        self.random_state = random_state
        self.progressbar = progressbar

    def __sklearn_tags__(self):
        """scikit-learn's tags; deterministic only with a seed."""
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def fit(self, X, y):
        """Sample the posterior of the model given (X, y) (:func:`~bayes_l1.fit_posterior`
        with this estimator's parameters); returns self."""
        y = _ravel_column_y(y)
        settings = self.get_params(deep=False)
        tree, self.diagnostics_ = fit_posterior(
            X, y, likelihood=self._likelihood, **settings, return_diagnostics=True
        )
        self._read_fit(tree, X)
        self.marginalized_ = bool(fitted.attr(tree, "marginalized"))
        self.map_ = None
        if (penalty := fitted.matching_penalty(tree)) is not None:
            with constant_columns_reported():  # the fit named them, once
                self.map_ = lasso_map(
                    X, y, penalty[0], l1_ratio=penalty[1], likelihood=self._likelihood, tol=1e-10
                )
        return self

    def _read_fit(self, tree, X=None) -> None:
        """The fitted attributes that the tree holds (and X, the data of a live fit)."""
        post = tree["posterior"]
        self.idata_ = tree
        names = fitted.feature_names(tree)
        self._features = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        # scikit-learn's convention: feature_names_in_ only after a fit on columns whose
        # names are all strings (a saved tree: names other than the defaults x0 ..)
        if X is not None:
            named = isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns)
        else:
            named = not default_names(names)
        if named:
            self.feature_names_in_ = self._features
        else:
            self.__dict__.pop("feature_names_in_", None)
        self.coef_ = post["beta"].mean(("chain", "draw")).to_numpy()
        self.intercept_ = float(post["intercept"].mean())

    @classmethod
    def from_idata(cls, idata):
        """An estimator that predicts from a saved fit.

        Parameters
        ----------
        idata : xarray.DataTree
            The ``idata_`` of a fit, e.g. written with ``idata_.to_netcdf(path)`` and read
            back with ``xarray.open_datatree(path)``.

        Returns
        -------
        estimator
            With ``idata_``, ``coef_``, ``intercept_``, ``n_features_in_``,
            ``feature_names_in_`` (when the fit had named columns) and ``classes_``:
            ``predict``, ``score``, ``get_support`` and the summaries give what the live fit
            gives. Parameters are the defaults and
            ``map_`` and ``diagnostics_`` are None (:func:`bayes_l1.diagnose` recomputes
            the diagnostics from the tree).

        Raises
        ------
        TypeError
            ``idata`` is not a DataTree.
        ValueError
            It lacks coefficient draws, holds the other likelihood, or (logistic) lacks the
            class labels.
        """
        likelihood = "gaussian" if fitted.is_gaussian(fitted.as_tree(idata)) else "logistic"
        if likelihood != cls._likelihood:
            raise ValueError(
                f"idata holds a {likelihood} fit; {cls.__name__} needs a {cls._likelihood} one."
            )
        est = cls()
        est._read_fit(idata)
        est.map_ = est.diagnostics_ = None
        return est

    # -- draws -------------------------------------------------------------------------
    def sample_posterior_predictive(self, X, random_state=None) -> xr.DataArray:
        """Draws of y for new rows X, dims (chain, draw, obs), original scale (0/1 coded
        ``classes_[1]`` for the logistic model)."""
        eta = self.linear_predictor_draws(X)
        return replicate(self.idata_["posterior"], eta, self._likelihood, random_state)

    def _check_fitted(self):
        if not hasattr(self, "idata_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit(X, y).")

    def linear_predictor_draws(self, X) -> xr.DataArray:
        """Draws of X @ beta + intercept, dims (chain, draw, obs); a DataFrame's columns are
        matched to the fit's by name."""
        self._check_fitted()
        Xa, _ = check_X(align_columns(X, self._features))
        if Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xa.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (the number seen in fit)."
            )
        return linear_predictor(self.idata_["posterior"], Xa)

    def get_support(self, prob: float = 0.9) -> np.ndarray:
        """Features whose central ``prob`` credible interval excludes 0 (``prob`` in (0, 1))."""
        self._check_fitted()
        prob = check_probability(prob, "prob")
        beta = self.idata_["posterior"]["beta"]
        lo, hi = (
            beta.quantile(q, dim=("chain", "draw")).to_numpy()
            for q in ((1 - prob) / 2, (1 + prob) / 2)
        )
        return (lo > 0) | (hi < 0)


class BayesianLinearRegression(RegressorMixin, _BayesianLinearModel):
    """Bayesian linear regression with a sparsity prior.

    y ~ N(X beta + intercept, sigma^2), with the coefficient prior of ``prior`` acting on
    standardized features and a standardized response (results on the original scale).

    Parameters
    ----------
    prior, draws, tune, chains, target_accept, sampler, marginalize, random_state, progressbar
        As :func:`~bayes_l1.fit_posterior`: the prior (default :class:`~bayes_l1.Laplace`,
        the Bayesian lasso), the sampler and its settings. ``fit`` passes them on unchanged.
        The sampler is "auto" by default: the exact Gibbs sampler where the prior has one
        for the likelihood (Laplace, Horseshoe, RegularizedHorseshoe, Normal), the sampler
        over models for SpikeAndSlab, NUTS otherwise (ElasticNetPrior) or when a NUTS-only
        option is set (``target_accept``, or ``marginalize`` True or False); name one
        ("nuts", "nutpie", "pymc", "numpyro", "gibbs", "enumeration", "mc3") to choose.
        ``idata_.attrs["bayes_l1_sampler"]`` records the one used.

    Attributes
    ----------
    idata_ : xarray.DataTree
        The fit (:func:`~bayes_l1.fit_posterior`): draws, design and settings; every summary,
        plot and comparison takes it (or the estimator).
    coef_, intercept_ : posterior means on the original scale.
    map_ : MapResult or None
        ``lasso_map`` at the penalty matching the prior (fixed lam, elastic net, fixed ridge
        scale), with sigma at its estimate; None where the prior has no such counterpart.
    diagnostics_ : Diagnostics
        R-hat, ESS, divergences, tree depth and E-BFMI, with a verdict and advice.
    marginalized_ : bool
        Whether NUTS sampled with the coefficients integrated out (see ``marginalize``;
        False for the other samplers).

    Examples
    --------
    >>> import bayes_l1 as bl
    >>> X, y = bl.load_diabetes()
    >>> m = bl.BayesianLinearRegression(draws=300, tune=300, chains=2, random_state=0)
    >>> m = m.fit(X, y)  # doctest: +SKIP
    >>> m.predict(X.iloc[:3], return_std=True)  # doctest: +SKIP
    """

    def predict(self, X, return_std: bool = False):
        """Posterior mean prediction; with ``return_std`` also the posterior predictive sd
        (parameter uncertainty plus noise)."""
        eta = self.linear_predictor_draws(X)
        mean = eta.mean(("chain", "draw")).to_numpy()
        if not return_std:
            return mean
        sigma2 = float((self.idata_["posterior"]["sigma"] ** 2).mean())
        return mean, np.sqrt(eta.var(("chain", "draw")).to_numpy() + sigma2)

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 of the posterior mean prediction (weighted as scikit-learn's ``r2_score``);
        y is checked as in ``fit``. A constant y scores 1 when predicted exactly, else 0."""
        pred = self.predict(X)
        y, _ = check_y(y, pred.shape[0])
        w = check_sample_weight(sample_weight, pred.shape[0])
        resid, dev = y - pred, y - np.average(y, weights=w)
        unit = float(np.max(np.abs(dev)))  # squares in units of y's spread: no over/underflow
        if unit == 0:
            return 1.0 if not np.any(resid) else 0.0
        with np.errstate(over="ignore"):  # a wild prediction scores -inf
            return 1.0 - float(np.sum(w * (resid / unit) ** 2) / np.sum(w * (dev / unit) ** 2))


class BayesianLogisticRegression(ClassifierMixin, _BayesianLinearModel):
    """Bayesian logistic regression with a sparsity prior (by default the Polya-Gamma Gibbs
    sampler where the prior has one, else NUTS: ``sampler="auto"``).

    P(y = classes_[1]) = sigmoid(X beta + intercept); the prior acts on standardized features
    (horseshoe global scales use the pseudo-sigma 1 / sqrt(mu (1 - mu))). Parameters and
    attributes as :class:`BayesianLinearRegression`, plus ``classes_``.
    """

    _likelihood = "logistic"

    def __sklearn_tags__(self):
        """scikit-learn's classifier tags, binary targets only."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        super().fit(X, y)
        self.classes_ = fitted.classes(self.idata_)
        return self

    @classmethod
    def from_idata(cls, idata):
        """As :meth:`BayesianLinearRegression.from_idata`, plus ``classes_``, the labels the
        fit stored in ``idata["constant_data"]["classes"]``."""
        est = super().from_idata(idata)
        labels = fitted.classes(idata)
        if labels is None:
            raise ValueError(
                "idata holds no class labels (constant_data['classes']): it was not written "
                "by a logistic fit of bayes_l1."
            )
        est.classes_ = labels
        return est

    def predict_proba(self, X) -> np.ndarray:
        """Posterior mean of P(y = class), shape (n, 2)."""
        p1 = expit(self.linear_predictor_draws(X)).mean(("chain", "draw")).to_numpy()
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """The class with posterior mean probability above 1/2."""
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, 1] > 0.5).astype(int)]

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy: the (weighted) share of rows whose predicted label equals y (1-D, one
        per row, labels of the type of ``classes_``)."""
        pred = self.predict(X)
        labels = check_labels(y, pred.shape[0])
        if _is_text(labels) != _is_text(self.classes_):
            raise ValueError(
                f"y's labels (e.g. {labels[0]!r}) and the classes the model was fitted on "
                f"({preview(self.classes_)}) mix strings and numbers."
            )
        w = check_sample_weight(sample_weight, pred.shape[0])
        return float(np.average(pred == labels, weights=w))


def _is_text(labels: np.ndarray) -> bool:
    return labels.dtype.kind in "US" or any(isinstance(v, str | bytes) for v in labels.flat)
