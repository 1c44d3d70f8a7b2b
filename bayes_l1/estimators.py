"""scikit-learn estimators: validate, call the functions of the package, store ``attr_``.

Parameters are only stored in ``__init__``; ``fit`` does the work and returns ``self``.
scikit-learn's ``BaseEstimator`` and mixins give ``get_params``, ``set_params``, ``repr``
and the tags; ``score`` is the package's own (y checked as in ``fit``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning, NotFittedError

from bayes_l1._columns import align_columns
from bayes_l1._validation import (
    check_bool,
    check_int,
    check_labels,
    check_positive,
    check_probability,
    check_random_state,
    check_X,
    check_y,
    constant_columns_reported,
    warn_caller,
)
from bayes_l1.diagnostics import check_sampling, reported_variables
from bayes_l1.map import lasso_map
from bayes_l1.model import (
    ModelData,
    build_context,
    build_model,
    can_marginalize,
    check_marginalize,
    check_prior_supported,
    marginal_cost,
    prepare,
)
from bayes_l1.priors import resolve_prior
from bayes_l1.samplers import sample_nuts
from bayes_l1.samplers.gibbs import check_gibbs_supported, sample_gibbs
from bayes_l1.samplers.nuts import check_nuts_sampler

__all__ = ["BayesianLinearRegression", "BayesianLogisticRegression", "NotFittedError"]

# Automatic marginalization while one gradient costs (model.marginal_cost) <= this:
# n=100, p=200 (2e6) samples 4 x 2000 iterations in ~2 min on 2 cores; n=200, p=1000 (4e7)
# would take ~30 min, where sampler="gibbs" takes seconds.
MARGINAL_COST_LIMIT = 1e7


def default_target_accept(prior, marginalized: bool = False) -> float:
    """NUTS target acceptance: 0.99 for the horseshoe family with its coefficients sampled
    (Piironen & Vehtari 2017 recommend adapt_delta >= 0.99 for its funnel-shaped
    posteriors), else 0.9: integrating the coefficients out removes the funnel. The prior
    says (``Prior.default_target_accept``)."""
    return prior.default_target_accept(marginalized)


def _portable(values: np.ndarray) -> np.ndarray:
    """Object strings (None: no value) as fixed-width unicode, None as "": the forms that
    netCDF and zarr write and read back unchanged."""
    flat = ["" if v is None else str(v) for v in values.ravel()]
    return np.asarray(flat, dtype=str).reshape(values.shape)


def make_portable(idata):
    """Make the tree survive netCDF and zarr unchanged: the feature names as fixed-width
    unicode (object strings come back as another dtype) and object-valued statistics, such
    as nutpie's ``divergence_message`` (None where there was none: NaN after a round trip),
    as strings with "" for None."""
    for group in list(idata.children):
        ds = idata[group].to_dataset()
        if "feature" in ds.coords:
            ds = ds.assign_coords(feature=_portable(ds["feature"].to_numpy()))
        for name, da in ds.data_vars.items():
            if da.dtype == object:
                ds[name] = da.copy(data=_portable(da.to_numpy()))
        idata[group] = ds
    return idata


def _labels_json(classes) -> str | None:
    """The class labels as JSON, or None when they are not numbers, strings or bools."""
    try:
        return json.dumps(np.asarray(classes).tolist())
    except TypeError:
        return None


def to_original_scale(idata, data: ModelData):
    """Put observed data and log-likelihood on the original scale of y: one boundary for
    every sampler, so summaries and LOO never depend on the working scale."""
    if data.likelihood == "gaussian":
        obs = idata["observed_data"].to_dataset()
        idata["observed_data"] = obs.assign(y=(("obs",), data.y))
        ll = idata["log_likelihood"].to_dataset()
        idata["log_likelihood"] = ll.assign(y=ll["y"] - np.log(data.y_scale))
    return idata


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
        sampler: str = "nuts",
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

    def _check_settings(self):
        check_int(self.draws, "draws", minimum=1)
        check_int(self.chains, "chains", minimum=1)
        check_int(self.tune, "tune", minimum=0)
        check_random_state(self.random_state)
        check_bool(self.progressbar, "progressbar")
        if self.target_accept is not None and not (
            0 < check_positive(self.target_accept, "target_accept") < 1
        ):
            raise ValueError(f"target_accept must be in (0, 1); got {self.target_accept}.")
        prior = resolve_prior(self.prior)
        check_prior_supported(prior, self._likelihood)
        if self.sampler == "gibbs":
            check_gibbs_supported(prior, self._likelihood)
        else:
            check_nuts_sampler(self.sampler)  # Laplace(lam="eb") is refused by its build
        check_random_state(self.random_state)
        if self.marginalize not in (None, True, False):
            raise ValueError(f"marginalize must be None, True or False; got {self.marginalize!r}.")
        if self.marginalize:
            check_marginalize(prior, self._likelihood)

    def _marginalized(self, prior, n: int, p: int) -> bool:
        """Whether NUTS samples the model with the coefficients integrated out."""
        if self.marginalize is None:
            cost = marginal_cost(n, p)
            return can_marginalize(prior, self._likelihood) and cost <= MARGINAL_COST_LIMIT
        return bool(self.marginalize)

    def fit(self, X, y):
        """Sample the posterior of the model given (X, y); returns self."""
        self._check_settings()
        y = _ravel_column_y(y)
        prior = resolve_prior(self.prior)
        data = prepare(X, y, likelihood=self._likelihood)
        seed = check_random_state(self.random_state)  # an int for any integer, np.int64 too
        seed = seed if isinstance(seed, int) else 0
        context = build_context(data, prior, random_state=seed)
        self.marginalized_ = self.sampler != "gibbs" and self._marginalized(prior, data.n, data.p)
        if self.sampler == "gibbs":
            idata = sample_gibbs(
                data,
                prior,
                draws=int(self.draws),
                tune=int(self.tune),
                chains=int(self.chains),
                random_seed=self.random_state,
                progressbar=self.progressbar,
                context=context,
            )
        else:
            idata = sample_nuts(
                build_model(data, prior, context=context, marginalize=self.marginalized_),
                draws=int(self.draws),
                tune=int(self.tune),
                chains=int(self.chains),
                target_accept=self.target_accept
                or default_target_accept(prior, self.marginalized_),
                random_seed=self.random_state,
                progressbar=self.progressbar,
                sampler=self.sampler,
                data=data,
            )
        idata = make_portable(to_original_scale(idata, data))
        post = idata["posterior"]
        self.diagnostics_ = check_sampling(
            idata, var_names=reported_variables(post), prior_name=type(prior).__name__
        )
        idata.attrs["bayes_l1_prior"] = repr(prior)
        idata.attrs["bayes_l1_diagnostics"] = json.dumps(self.diagnostics_.to_dict())
        idata.attrs["bayes_l1_likelihood"] = self._likelihood
        if data.classes is not None and (labels := _labels_json(data.classes)) is not None:
            idata.attrs["bayes_l1_classes"] = labels  # JSON: netCDF/zarr attrs are flat
        self.idata_ = idata
        self.prior_ = prior
        self.context_ = context
        self.model_data_ = data
        self.feature_names_in_ = np.asarray(data.feature_names, dtype=object)
        self.n_features_in_ = data.p
        self.coef_ = post["beta"].mean(("chain", "draw")).to_numpy()
        self.intercept_ = float(post["intercept"].mean())
        idata["posterior_predictive"] = xr.Dataset(
            {"y": self._replicate(self.linear_predictor_draws(X), self.random_state)}
        )
        penalty = prior.map_penalty(context)
        self.map_ = None
        if penalty is not None:
            with constant_columns_reported():
                self.map_ = lasso_map(
                    X, y, penalty[0], l1_ratio=penalty[1], likelihood=self._likelihood, tol=1e-10
                )
        return self

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
            With ``idata_``, ``coef_``, ``intercept_``, ``feature_names_in_``,
            ``n_features_in_`` (and ``classes_``): ``predict``, ``score``, ``get_support``
            and the summaries give what the live fit gives. Parameters are the defaults and
            ``map_``, ``prior_``, ``diagnostics_`` are None: refit for those.

        Raises
        ------
        TypeError
            ``idata`` is not a DataTree.
        ValueError
            It lacks the draws of ``beta`` and ``intercept``, holds the other likelihood, or
            (logistic) lacks the class labels.
        """
        if not isinstance(idata, xr.DataTree):
            raise TypeError(f"idata must be an xarray.DataTree; got {type(idata).__name__}.")
        post = idata["posterior"] if "posterior" in idata.children else None
        if post is None or not {"beta", "intercept"} <= set(post.data_vars):
            raise ValueError("idata lacks posterior draws of 'beta' and 'intercept'.")
        likelihood = idata.attrs.get("bayes_l1_likelihood") or (
            "gaussian" if "sigma" in post.data_vars else "logistic"  # trees from before attrs
        )
        if likelihood != cls._likelihood:
            raise ValueError(
                f"idata holds a {likelihood} fit; {cls.__name__} needs a {cls._likelihood} one."
            )
        est = cls()
        est.idata_, est.prior_, est.map_, est.diagnostics_ = idata, None, None, None
        names = [str(f) for f in post["feature"].to_numpy()]
        est.feature_names_in_ = np.asarray(names, dtype=object)
        est.n_features_in_ = len(names)
        est.coef_ = post["beta"].mean(("chain", "draw")).to_numpy()
        est.intercept_ = float(post["intercept"].mean())
        return est

    # -- draws -------------------------------------------------------------------------
    def sample_posterior_predictive(self, X, random_state=None) -> xr.DataArray:
        """Draws of y for new rows X, dims (chain, draw, obs), original scale (0/1 coded
        ``classes_[1]`` for the logistic model)."""
        return self._replicate(self.linear_predictor_draws(X), random_state)

    def _check_fitted(self):
        if not hasattr(self, "idata_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit(X, y).")

    def _check_new_X(self, X) -> np.ndarray:
        """New rows as a float array in the fit's column order (a DataFrame's by name)."""
        self._check_fitted()
        Xa, _ = check_X(align_columns(X, self.feature_names_in_))
        if Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xa.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (the number seen in fit)."
            )
        return Xa

    def linear_predictor_draws(self, X) -> xr.DataArray:
        """Draws of X @ beta + intercept, dims (chain, draw, obs)."""
        Xa = self._check_new_X(X)
        post = self.idata_["posterior"]
        beta = post["beta"].transpose("chain", "draw", "feature").to_numpy()
        eta = np.einsum("cdp,np->cdn", beta, Xa) + post["intercept"].to_numpy()[..., None]
        return xr.DataArray(eta, dims=("chain", "draw", "obs"))

    def _replicate(self, eta: xr.DataArray, random_state) -> xr.DataArray:
        """Draws of y given draws of the linear predictor."""
        rng = np.random.default_rng(random_state)
        if self._likelihood == "logistic":
            return (xr.DataArray(rng.uniform(size=eta.shape), dims=eta.dims) < expit(eta)).astype(
                np.int8
            )
        noise = xr.DataArray(rng.standard_normal(eta.shape), dims=eta.dims)
        return eta + self.idata_["posterior"]["sigma"] * noise

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
    """Bayesian linear regression with a sparsity prior, sampled with NUTS.

    y ~ N(X beta + intercept, sigma^2), with the coefficient prior of ``prior`` acting on
    standardized features and a standardized response (results on the original scale).

    Parameters
    ----------
    prior : Laplace, Horseshoe, RegularizedHorseshoe, Normal, ElasticNetPrior, or a name
        Default :class:`~bayes_l1.Laplace` (the Bayesian lasso).
    draws, tune, chains : int
        Posterior draws and tuning steps per chain, and the number of chains.
    target_accept : float, optional
        NUTS target acceptance rate. Default 0.9, and 0.99 for the horseshoe family when its
        coefficients are sampled (logistic, or ``marginalize=False``), whose funnels need
        small steps; raise it if divergences are reported.
    sampler : {"nuts", "nutpie", "pymc", "numpyro", "gibbs"}
        "nuts" is PyMC's default NUTS (nutpie when installed). "gibbs": exact Gibbs
        samplers of the same posterior (:func:`~bayes_l1.samplers.sample_gibbs`), much
        faster for p >> n; Laplace (also ``lam="eb"``), Horseshoe, RegularizedHorseshoe and
        Normal priors with the Gaussian likelihood only.
    marginalize : bool, optional
        NUTS only. Integrate the coefficients out of the Gaussian likelihood (Horseshoe,
        RegularizedHorseshoe, Normal priors) and draw them exactly from their Gaussian
        conditional afterwards: the same posterior without the funnel between a coefficient
        and its local scale that makes NUTS diverge on the joint model, at O(n^2 p) per
        gradient (O(p^3) when p < n). Default None: wherever possible while that cost is
        <= 1e7 (e.g. n=100, p=1000, or p=200 at any n); beyond it the joint model is
        sampled, and ``sampler="gibbs"`` is the fast exact choice.
    random_state : int, optional
        Seed: the same seed gives the same draws.
    progressbar : bool

    Attributes
    ----------
    idata_ : xarray.DataTree
        Groups posterior (``beta``, ``intercept``, ``sigma`` on the original scale, the
        prior's scales), sample_stats, observed_data, log_likelihood.
    coef_, intercept_ : posterior means on the original scale.
    map_ : MapResult or None
        ``lasso_map`` at the penalty matching the prior (fixed lam, elastic net, fixed ridge
        scale), with sigma at its estimate; None where the prior has no such counterpart.
    diagnostics_ : Diagnostics
        R-hat, ESS, divergences, tree depth and E-BFMI, with a verdict and advice.
    marginalized_ : bool
        Whether NUTS sampled with the coefficients integrated out (see ``marginalize``).

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

    def score(self, X, y) -> float:
        """R^2 of the posterior mean prediction; y is checked as in ``fit``. A constant y
        scores 1 when predicted exactly, else 0 (as scikit-learn's ``r2_score``)."""
        pred = self.predict(X)
        y, _ = check_y(y, pred.shape[0])
        resid, dev = y - pred, y - y.mean()
        unit = float(np.max(np.abs(dev)))  # squares in units of y's spread: no over/underflow
        if unit == 0:
            return 1.0 if not np.any(resid) else 0.0
        with np.errstate(over="ignore"):  # a wild prediction scores -inf
            return 1.0 - float(np.sum((resid / unit) ** 2) / np.sum((dev / unit) ** 2))


class BayesianLogisticRegression(ClassifierMixin, _BayesianLinearModel):
    """Bayesian logistic regression with a sparsity prior, sampled with NUTS.

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
        self.classes_ = self.model_data_.classes
        return self

    @classmethod
    def from_idata(cls, idata):
        """As :meth:`BayesianLinearRegression.from_idata`, plus ``classes_``, the labels the
        fit stored in ``idata.attrs["bayes_l1_classes"]``."""
        est = super().from_idata(idata)
        labels = idata.attrs.get("bayes_l1_classes")
        if labels is None:
            raise ValueError(
                "idata holds no class labels (attrs['bayes_l1_classes']): it was not written "
                "by BayesianLogisticRegression.fit, or its labels are not numbers or strings."
            )
        est.classes_ = np.asarray(json.loads(labels))
        return est

    def predict_proba(self, X) -> np.ndarray:
        """Posterior mean of P(y = class), shape (n, 2)."""
        p1 = expit(self.linear_predictor_draws(X)).mean(("chain", "draw")).to_numpy()
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """The class with posterior mean probability above 1/2."""
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, 1] > 0.5).astype(int)]

    def score(self, X, y) -> float:
        """Accuracy: the share of rows whose predicted label equals y (1-D, one per row)."""
        pred = self.predict(X)
        return float(np.mean(pred == check_labels(y, pred.shape[0])))
