"""Optimality certificates, the Laplace-posterior reading, paths and CV, checked independently
of the solver (no scikit-learn needed)."""

import numpy as np
import pytest
from conftest import alpha_max, regression_case
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import bayes_l1 as bl

TIGHT = dict(tol=1e-12, max_iter=1000)


def kkt_residuals(X, y, coef, intercept, alpha, likelihood="gaussian"):
    """x_j^T r / n for the raw design, with r the residual (or y - p)."""
    eta = X @ coef + intercept
    r = y - (eta if likelihood == "gaussian" else 1.0 / (1.0 + np.exp(-eta)))
    return X.T @ r / X.shape[0], r


@pytest.mark.parametrize("fraction", [0.5, 0.05])
def test_kkt_conditions_hold(regression, fraction):
    X, y = regression
    alpha = fraction * alpha_max(X, y)
    res = bl.lasso_map(X, y, alpha, standardize=False, **TIGHT)
    corr, r = kkt_residuals(X, y, res.coef, res.intercept, alpha)
    nz = res.coef != 0
    np.testing.assert_allclose(corr[nz], alpha * np.sign(res.coef[nz]), atol=1e-8)
    assert np.all(np.abs(corr[~nz]) <= alpha + 1e-8)
    assert abs(r.mean()) < 1e-8  # the unpenalized intercept is at its optimum
    assert 0 <= res.dual_gap <= 1e-12 * (y - y.mean()) @ (y - y.mean()) / len(y)
    assert res.kkt_violation < 1e-6


def test_logistic_kkt_conditions_hold(classification):
    X, y = classification
    alpha = 0.02
    res = bl.lasso_map(X, y, alpha, likelihood="logistic", standardize=False, **TIGHT)
    corr, r = kkt_residuals(X, y, res.coef, res.intercept, alpha, "logistic")
    nz = res.coef != 0
    assert 0 < nz.sum() < X.shape[1]
    np.testing.assert_allclose(corr[nz], alpha * np.sign(res.coef[nz]), atol=1e-8)
    assert np.all(np.abs(corr[~nz]) <= alpha + 1e-8)
    assert abs(r.mean()) < 1e-8


def test_standardized_kkt_on_working_scale(diabetes):
    X, y = diabetes
    Xa = X.to_numpy(dtype=float)
    Z = (Xa - Xa.mean(0)) / Xa.std(0)
    res = bl.lasso_map(X, y, 1.0, **TIGHT)
    corr, _ = kkt_residuals(Z, y.to_numpy(float), res.coef_working, y.mean(), 1.0)
    nz = res.coef_working != 0
    np.testing.assert_allclose(corr[nz], np.sign(res.coef_working[nz]), atol=1e-8)
    assert np.all(np.abs(corr[~nz]) <= 1.0 + 1e-8)


def laplace_neg_log_posterior(X, y, coef, intercept, *, sigma, b):
    """-log p(w, c | y) + const under y ~ N(Xw + c, sigma^2), w_j ~ Laplace(0, b), flat c."""
    return -(
        stats.norm.logpdf(y, X @ coef + intercept, sigma).sum()
        + stats.laplace.logpdf(coef, 0.0, b).sum()
    )


def test_lasso_is_the_laplace_posterior_mode():
    """With b = sigma^2 / (n alpha), lasso_map minimizes the Laplace model's -log posterior,
    computed with scipy.stats, and an independent smooth solver (L-BFGS-B on w = u - v,
    u, v >= 0) finds the same point."""
    X, y = regression_case("n>p")
    n, p = X.shape
    sigma = 1.7
    alpha = 0.1 * alpha_max(X, y)
    b = bl.laplace_scale_from_alpha(alpha, sigma=sigma, n=n)
    assert bl.alpha_from_laplace_scale(b, sigma=sigma, n=n) == pytest.approx(alpha)
    res = bl.lasso_map(X, y, alpha, standardize=False, **TIGHT)

    def nlp(theta):
        return laplace_neg_log_posterior(X, y, theta[:p], theta[p], sigma=sigma, b=b)

    best = nlp(np.append(res.coef, res.intercept))
    rng = np.random.default_rng(0)
    for step in (1e-2, 1e-4):
        for j in range(p + 1):
            for sign in (-1.0, 1.0):
                theta = np.append(res.coef, res.intercept)
                theta[j] += sign * step
                assert nlp(theta) >= best - 1e-9
        for _ in range(50):
            direction = rng.standard_normal(p + 1)
            theta = np.append(res.coef, res.intercept) + step * direction / np.linalg.norm(
                direction
            )
            assert nlp(theta) >= best - 1e-9

    def split_nlp(z):
        u, v, c = z[:p], z[p : 2 * p], z[2 * p]
        w = u - v
        r = y - X @ w - c
        value = r @ r / (2 * sigma**2) + (u.sum() + v.sum()) / b
        grad_w = -X.T @ r / sigma**2
        grad = np.concatenate([grad_w + 1 / b, -grad_w + 1 / b, [-r.sum() / sigma**2]])
        return value, grad

    bounds = [(0, None)] * (2 * p) + [(None, None)]
    z0 = np.zeros(2 * p + 1)
    z0[-1] = y.mean()
    opt = optimize.minimize(
        split_nlp,
        z0,
        jac=True,
        bounds=bounds,
        method="L-BFGS-B",
        options=dict(ftol=1e-15, gtol=1e-10, maxiter=20_000),
    )
    w_lbfgs = opt.x[:p] - opt.x[p : 2 * p]
    np.testing.assert_allclose(w_lbfgs, res.coef, atol=1e-4)
    assert nlp(opt.x[: p + 1] * 0 + np.append(w_lbfgs, opt.x[-1])) >= best - 1e-9


def test_logistic_map_is_the_laplace_posterior_mode(classification):
    """Logistic: b = C = 1 / (n alpha)."""
    X, y = classification
    n = len(y)
    C = 0.3
    alpha = bl.alpha_from_laplace_scale(C, n=n, likelihood="logistic")
    assert alpha == pytest.approx(1 / (n * C))
    res = bl.lasso_map(X, y, alpha, likelihood="logistic", standardize=False, **TIGHT)

    def nlp(coef, c):
        eta = X @ coef + c
        return -(
            stats.bernoulli.logpmf(y, 1 / (1 + np.exp(-eta))).sum()
            + stats.laplace.logpdf(coef, 0, C).sum()
        )

    best = nlp(res.coef, res.intercept)
    for j in range(X.shape[1]):
        for delta in (-1e-3, 1e-3):
            coef = res.coef.copy()
            coef[j] += delta
            assert nlp(coef, res.intercept) >= best - 1e-9
    assert nlp(res.coef, res.intercept + 1e-3) >= best - 1e-9


def test_mapping_functions_round_trip():
    assert bl.laplace_scale_from_alpha(0.1, sigma=2.0, n=100) == pytest.approx(0.4)
    assert bl.alpha_from_laplace_scale(0.4, sigma=2.0, n=100) == pytest.approx(0.1)
    lam = bl.lam_from_alpha(0.1, sigma=2.0, n=100)
    assert lam == pytest.approx(5.0)
    assert bl.alpha_from_lam(lam, sigma=2.0, n=100) == pytest.approx(0.1)
    # Park & Casella's Laplace(0, sigma / lam) is the same prior as Laplace(0, b).
    b = bl.laplace_scale_from_alpha(0.1, sigma=2.0, n=100)
    assert 2.0 / lam == pytest.approx(b)
    with pytest.raises(ValueError, match="sigma"):
        bl.laplace_scale_from_alpha(0.1, n=100)
    with pytest.raises(ValueError, match="alpha must be finite and > 0"):
        bl.laplace_scale_from_alpha(-1.0, sigma=1.0, n=10)
    # a path's alphas in one call, element by element
    alphas = bl.alpha_grid(2.0, 4)
    np.testing.assert_allclose(
        bl.lam_from_alpha(alphas, sigma=2.0, n=100),
        [bl.lam_from_alpha(a, sigma=2.0, n=100) for a in alphas],
        rtol=1e-15,
    )
    np.testing.assert_allclose(bl.alpha_from_lam(list(alphas), sigma=1.0, n=1), alphas)
    for call, error, words in [
        (lambda: bl.lam_from_alpha(np.array([0.1, -1.0]), sigma=1.0, n=10), ValueError, "alpha"),
        (lambda: bl.lam_from_alpha(0.1, sigma=1.0, n=100.5), TypeError, "n must be an integer"),
        (
            lambda: bl.laplace_scale_from_alpha(0.1, sigma=2.0, n=10, likelihood="logistic"),
            ValueError,
            "logistic likelihood has none",
        ),
        # results past float64's range would be a prior with scale 0 or inf, silently
        (lambda: bl.lam_from_alpha(1e-300, sigma=1e300, n=1), ValueError, "lam these inputs"),
        (lambda: bl.laplace_scale_from_alpha(1e-9, sigma=1e160, n=1), ValueError, "range"),
        (lambda: bl.alpha_from_lam([1.0, 1e300], sigma=1e10, n=1), ValueError, "alpha these"),
        (lambda: bl.alpha_grid(float("nan"), 3), ValueError, "alpha_max must be finite"),
        (lambda: bl.alpha_grid(float("inf"), 3), ValueError, "alpha_max must be finite"),
        (lambda: bl.alpha_grid(-1.0, 3), ValueError, "alpha_max must be finite and >= 0"),
        (lambda: bl.alpha_grid("1", 3), TypeError, "alpha_max"),
        (lambda: bl.alpha_grid(0.0, 3), ValueError, "alpha_max is 0"),
    ]:
        with pytest.raises(error, match=words):
            call()


def test_path_starts_at_zero_and_entry_order_is_first_nonzero(diabetes):
    X, y = diabetes
    path = bl.lasso_map_path(X, y, n_alphas=60, **TIGHT)
    assert np.all(np.diff(path.alphas) < 0)
    assert np.all(path.coefs[:, 0] == 0)
    assert path.n_nonzero[1] >= 1
    # Just below alpha_max exactly one feature enters (generic data).
    just_below = bl.lasso_map(X, y, path.alpha_max * (1 - 1e-6), **TIGHT)
    assert just_below.support.sum() == 1
    assert just_below.selected[0] == path.entry_order[0]
    # Brute force: sort entered features by first non-zero index, then |coef| at entry.
    first = {}
    for j, name in enumerate(path.feature_names):
        nz = np.flatnonzero(path.coefs[j])
        if nz.size:
            first[name] = (nz[0], -abs(path.coefs_working[j, nz[0]]))
    assert list(path.entry_order) == sorted(first, key=first.get)
    assert path.entry_order[:3] == ("bmi", "s5", "bp")


def test_path_equals_cold_fits():
    X, y = regression_case("correlated")
    path = bl.lasso_map_path(X, y, n_alphas=15, eps=0.01, **TIGHT)
    for k in (0, 5, 14):
        cold = bl.lasso_map(X, y, path.alphas[k], **TIGHT)
        np.testing.assert_allclose(path.coefs[:, k], cold.coef, atol=1e-8)
        assert path.result(k).alpha == path.alphas[k]
    frame = path.to_frame()
    assert frame.shape == (X.shape[1], 15)


def test_cv_one_standard_error_rule_and_reproducibility(diabetes):
    X, y = diabetes
    a = bl.lasso_map_cv(X, y, cv=5, n_alphas=30, random_state=7)
    b = bl.lasso_map_cv(X, y, cv=5, n_alphas=30, random_state=7)
    np.testing.assert_array_equal(a.cv_folds, b.cv_folds)
    mean = a.cv_folds.mean(axis=1)
    se = a.cv_folds.std(axis=1, ddof=1) / np.sqrt(5)
    best = np.argmin(mean)
    assert a.alpha == a.alphas[best]
    within = [k for k in range(len(mean)) if mean[k] <= mean[best] + se[best]]
    assert a.alpha_1se == max(a.alphas[k] for k in within)
    assert a.alpha_1se >= a.alpha
    assert a.result("1se").support.sum() <= a.result("min").support.sum()
    folds = np.sort(np.concatenate(a.test_folds))
    np.testing.assert_array_equal(folds, np.arange(len(y)))
    other = bl.lasso_map_cv(X, y, cv=5, n_alphas=30, random_state=8)
    assert not np.array_equal(a.cv_folds, other.cv_folds)


def test_logistic_cv_is_stratified_and_picks_a_sparse_model():
    sim = bl.make_sparse_classification(300, 30, 3, random_state=2)
    cv = bl.lasso_map_cv(sim.X, sim.y, likelihood="logistic", cv=4, n_alphas=25, random_state=0)
    for test in cv.test_folds:
        assert 0.3 < sim.y.to_numpy()[test].mean() < 0.7
    assert cv.loss_name == "deviance"
    truth = set(sim.coef.index[sim.coef != 0])
    chosen = set(cv.result("1se").selected)
    assert truth <= chosen | truth and len(truth & chosen) >= 2


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(5, 40),
    p=st.integers(1, 60),
    fraction=st.floats(0.01, 0.99),
    seed=st.integers(0, 2**16),
    standardize=st.booleans(),
)
def test_kkt_property_random_shapes(n, p, fraction, seed, standardize):
    """For any shape (including p >> n and tiny n) the solution satisfies the KKT
    conditions on its working scale and the duality gap certificate."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10, p)
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    Z = X - X.mean(0)
    if standardize:
        Z = Z / Z.std(0)
    amax = alpha_max(Z, y)
    res = bl.lasso_map(X, y, fraction * amax, standardize=standardize, **TIGHT)
    assert res.converged
    corr, _ = kkt_residuals(Z, y, res.coef_working, y.mean(), fraction * amax)
    nz = res.coef_working != 0
    scale = 1e-7 * max(1.0, amax)
    np.testing.assert_allclose(
        corr[nz], fraction * amax * np.sign(res.coef_working[nz]), atol=scale
    )
    assert np.all(np.abs(corr[~nz]) <= fraction * amax + scale)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(5, 40), p=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_property_matches_sklearn_random_shapes(n, p, seed):
    from sklearn import linear_model as sklm

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    alpha = 0.2 * alpha_max(X, y)
    ours = bl.lasso_map(X, y, alpha, standardize=False, **TIGHT)
    sk = sklm.Lasso(alpha=alpha, tol=1e-12, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(ours.coef, sk.coef_, atol=1e-6)
