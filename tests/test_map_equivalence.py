"""The MAP solver reproduces scikit-learn's solutions at tight tolerance."""

import numpy as np
import pytest
from conftest import alpha_max, regression_case
from sklearn import linear_model as sklm
from sklearn import preprocessing

import bayes_l1 as bl

TIGHT = dict(tol=1e-12, max_iter=1000)
SK_TIGHT = dict(tol=1e-12, max_iter=200_000)
ATOL = 1e-6


def assert_same_solution(ours, coef, intercept):
    np.testing.assert_allclose(ours.coef, coef, rtol=0, atol=ATOL)
    np.testing.assert_allclose(ours.intercept, intercept, rtol=0, atol=ATOL)
    np.testing.assert_array_equal(ours.coef != 0, coef != 0)


@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.03])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_matches_sklearn(regression, fraction, fit_intercept):
    X, y = regression
    alpha = fraction * alpha_max(X, y, fit_intercept)
    ours = bl.lasso_map(X, y, alpha, standardize=False, fit_intercept=fit_intercept, **TIGHT)
    sk = sklm.Lasso(alpha=alpha, fit_intercept=fit_intercept, **SK_TIGHT).fit(X, y)
    assert ours.converged
    assert_same_solution(ours, sk.coef_, sk.intercept_)


def test_standardized_lasso_matches_scaler_pipeline(regression):
    """Default ``standardize=True`` = Lasso on StandardScaler output, mapped back."""
    X, y = regression
    scaler = preprocessing.StandardScaler().fit(X)
    Z = scaler.transform(X)
    alpha = 0.1 * alpha_max(Z, y)
    sk = sklm.Lasso(alpha=alpha, **SK_TIGHT).fit(Z, y)
    coef = sk.coef_ / scaler.scale_
    ours = bl.lasso_map(X, y, alpha, **TIGHT)
    assert_same_solution(ours, coef, sk.intercept_ - scaler.mean_ @ coef)
    np.testing.assert_allclose(ours.coef_working, sk.coef_, atol=ATOL)


@pytest.mark.parametrize("l1_ratio", [0.3, 0.7])
def test_elastic_net_matches_sklearn(regression, l1_ratio):
    X, y = regression
    alpha = 0.1 * alpha_max(X, y) / l1_ratio
    ours = bl.lasso_map(X, y, alpha, l1_ratio=l1_ratio, standardize=False, tol=1e-14, max_iter=1000)
    sk = sklm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=500_000).fit(X, y)
    assert_same_solution(ours, sk.coef_, sk.intercept_)


def test_ridge_matches_sklearn(regression):
    """l1_ratio=0 minimizes ||r||^2/(2n) + alpha/2 ||w||^2, i.e. Ridge(alpha=n*alpha)."""
    X, y = regression
    alpha = 0.05
    ours = bl.lasso_map(X, y, alpha, l1_ratio=0.0, standardize=False, tol=1e-14, max_iter=1000)
    sk = sklm.Ridge(alpha=X.shape[0] * alpha, solver="cholesky").fit(X, y)
    np.testing.assert_allclose(ours.coef, sk.coef_, atol=ATOL)
    np.testing.assert_allclose(ours.intercept, sk.intercept_, atol=ATOL)


def test_diabetes_matches_sklearn_raw_units(diabetes):
    X, y = diabetes
    for alpha in (0.1, 1.0, 5.0):
        ours = bl.lasso_map(X, y, alpha, standardize=False, **TIGHT)
        sk = sklm.Lasso(alpha=alpha, **SK_TIGHT).fit(X, y)
        assert_same_solution(ours, sk.coef_, sk.intercept_)


def test_lasso_path_matches_sklearn(regression):
    X, y = regression
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ours = bl.lasso_map_path(X, y, n_alphas=30, eps=1e-2, standardize=False, **TIGHT)
    alphas, coefs, _ = sklm.lasso_path(Xc, yc, alphas=ours.alphas, **SK_TIGHT)
    np.testing.assert_allclose(ours.alphas, alphas)
    np.testing.assert_allclose(ours.coefs, coefs, rtol=0, atol=ATOL)
    np.testing.assert_array_equal(ours.coefs != 0, coefs != 0)
    # The grid itself is scikit-learn's: alpha_max and a geometric decay to eps * alpha_max.
    _, default_coefs, _ = sklm.lasso_path(Xc, yc, alphas=30, eps=1e-2, **SK_TIGHT)
    np.testing.assert_allclose(ours.alphas[0], alpha_max(X, y))
    np.testing.assert_allclose(ours.coefs, default_coefs, rtol=0, atol=ATOL)


def test_lasso_cv_matches_sklearn_lassocv(diabetes):
    X, y = (np.asarray(a, dtype=float) for a in diabetes)
    folds = bl.map.kfold_indices(len(y), 5, random_state=1)
    splits = [(np.setdiff1d(np.arange(len(y)), t), t) for t in folds]
    ours = bl.lasso_map_cv(X, y, cv=splits, n_alphas=40, standardize=False, **TIGHT)
    sk = sklm.LassoCV(alphas=ours.alphas, cv=splits, **SK_TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.cv_folds, sk.mse_path_, rtol=1e-8)
    assert ours.alpha == pytest.approx(sk.alpha_)
    np.testing.assert_allclose(ours.coef, sk.coef_, atol=ATOL)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("C", [0.05, 1.0])
def test_logistic_matches_sklearn_saga(classification, fit_intercept, l1_ratio, C):
    """LogisticRegression(l1_ratio, C) minimizes pen(w) + C sum(logloss): alpha = 1/(nC)."""
    X, y = classification
    alpha = 1.0 / (len(y) * C)
    ours = bl.lasso_map(
        X,
        y,
        alpha,
        l1_ratio=l1_ratio,
        likelihood="logistic",
        standardize=False,
        fit_intercept=fit_intercept,
        **TIGHT,
    )
    sk = sklm.LogisticRegression(
        l1_ratio=l1_ratio, C=C, solver="saga", fit_intercept=fit_intercept, **SK_TIGHT
    ).fit(X, y)
    assert ours.converged
    assert_same_solution(ours, sk.coef_.ravel(), float(np.atleast_1d(sk.intercept_)[0]))
    np.testing.assert_allclose(ours.predict(X), sk.predict_proba(X)[:, 1], atol=ATOL)


def test_relaxed_refit_is_ols_on_support(diabetes):
    X, y = diabetes
    res = bl.lasso_map(X, y, alpha=2.0, relax=True, **TIGHT)
    support = res.support
    assert 0 < support.sum() < X.shape[1]
    ols = sklm.LinearRegression().fit(X.loc[:, support], y)
    np.testing.assert_allclose(res.relaxed_coef[support], ols.coef_, rtol=1e-8)
    assert np.all(res.relaxed_coef[~support] == 0)
    assert res.relaxed_intercept == pytest.approx(ols.intercept_)


def test_relaxed_refit_with_ridge(diabetes):
    X, y = diabetes
    res = bl.lasso_map(X, y, alpha=2.0, relax=True, relax_alpha=0.1, standardize=False, **TIGHT)
    support = res.support
    ridge = sklm.Ridge(alpha=len(y) * 0.1, solver="cholesky").fit(X.loc[:, support], y)
    np.testing.assert_allclose(res.relaxed_coef[support], ridge.coef_, atol=ATOL)


def test_adaptive_weights_equal_rescaled_columns():
    """Penalty factor v_j on x_j equals the plain lasso on x_j / v_j, coefficient / v_j."""
    X, y = regression_case("n>p")
    v = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[1])
    alpha = 0.1 * alpha_max(X, y)
    weighted = bl.lasso_map(X, y, alpha, penalty_weights=v, standardize=False, **TIGHT)
    sk = sklm.Lasso(alpha=alpha, **SK_TIGHT).fit(X / v, y)
    np.testing.assert_allclose(weighted.coef, sk.coef_ / v, atol=ATOL)


@pytest.mark.parametrize("standardize", [True, False])
def test_unpenalized_fit_reproduces_nist_certified_longley(longley, standardize):
    """alpha = 0 is least squares: NIST's certified values for its hardest classic design
    (condition number ~5e9; NIST counts 7+ correct digits as good)."""
    from conftest import LONGLEY_CERTIFIED as cert

    ours = bl.lasso_map(*longley, 0.0, standardize=standardize)
    np.testing.assert_allclose(ours.coef, cert["coef"], rtol=1e-9)
    np.testing.assert_allclose(ours.intercept, cert["intercept"], rtol=1e-9)


@pytest.mark.parametrize("fraction", [0.3, 0.01])
def test_lasso_on_longley_matches_sklearn(longley, fraction):
    X, y = longley
    alpha = fraction * alpha_max(X.to_numpy(), y.to_numpy())
    ours = bl.lasso_map(X, y, alpha, standardize=False, **TIGHT)
    sk = sklm.Lasso(alpha=alpha, **SK_TIGHT).fit(X, y)
    assert_same_solution(ours, sk.coef_, sk.intercept_)
