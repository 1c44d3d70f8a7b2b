"""Property test of the estimators' ``fit`` on careless input (issue 11, "Done when").

Hypothesis draws shapes, column scales from 1e-150 to 1e150, dtypes, NaN / inf positions and
array or DataFrame form. Every input must either raise a ValueError / TypeError whose
message names the problem, or give finite coefficients, intercept and predictions. Tiny
draws: this checks the plumbing from validation to the samplers, not the posterior.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayes_l1 as bl
from tests.mc import seed

pytest.importorskip("pymc")

DTYPES = ("float64", "float32", "int64", "bool")
DEFECTS = (None, None, "nan in X", "inf in X", "nan in y", "inf in y")
# Words naming each defect in an error message (a logistic y with NaN has a missing label,
# with inf a third class).
NAMED = {
    "nan in X": ("NaN",),
    "inf in X": ("inf",),
    "nan in y": ("NaN", "missing"),
    "inf in y": ("inf", "distinct values"),
}


def _column(rng, z, log_scale, dtype):
    """One column: z times 10**log_scale, in the given dtype (integers keep a few digits)."""
    if dtype == "bool":
        return z > 0
    if dtype == "int64":
        return np.round(z * 10.0 ** min(abs(log_scale), 6.0)).astype(np.int64)
    with np.errstate(over="ignore"):  # float32 overflows to inf beyond 3e38: a defect too
        return (z * 10.0**log_scale).astype(dtype)


@st.composite
def problems(draw, logistic=False):
    n = draw(st.integers(3, 14))
    p = draw(st.integers(1, 5))
    log_scales = draw(st.lists(st.floats(-150, 150), min_size=p, max_size=p))
    frame = draw(st.booleans())
    dtypes = (
        draw(st.lists(st.sampled_from(DTYPES), min_size=p, max_size=p))
        if frame
        else [draw(st.sampled_from(DTYPES))] * p
    )
    defect = draw(st.sampled_from(DEFECTS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Z = rng.standard_normal((n, p))
    columns = [_column(rng, Z[:, j], log_scales[j], dtypes[j]) for j in range(p)]
    defects = set()
    if not all(np.isfinite(c.astype(np.float64)).all() for c in columns):
        defects.add("inf in X")  # float32 overflow
    y = Z[:, 0] + 0.5 * rng.standard_normal(n)
    if logistic:
        y = np.where(y > 0, "yes", "no").astype(object)
    i, j = rng.integers(n), rng.integers(p)
    if defect in ("nan in X", "inf in X"):
        columns[j] = columns[j].astype(np.float64)
        columns[j][i] = np.nan if defect == "nan in X" else -np.inf
    elif defect is not None:
        y[i] = np.nan if defect == "nan in y" else np.inf
    defects |= {defect} - {None}
    if frame:
        X = pd.DataFrame({f"col {k}": c for k, c in enumerate(columns)})
    else:
        X = np.column_stack(columns)  # one dtype, or float64 after a NaN / inf went in
    return X, y, defects


def _check(estimator, X, y, defects):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant columns, sampling problems: allowed
            model = estimator.fit(X, y)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert re.search(r"\b(X|y)\b", message), f"names neither X nor y: {message}"
        if defects:
            words = [w for d in defects for w in NAMED[d]]
            assert any(w in message for w in words), f"{defects} not named: {message}"
        return
    assert not defects, f"{defects} accepted"
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_)
    if isinstance(model, bl.BayesianLogisticRegression):
        assert np.isfinite(model.predict_proba(X)).all()
        assert set(model.predict(X)) <= set(model.classes_)
    else:
        assert np.isfinite(model.predict(X)).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), prior=st.sampled_from([bl.Laplace(), bl.Horseshoe(), bl.Normal()]))
def test_linear_fit_raises_a_named_error_or_gives_finite_results(problem, prior):
    X, y, defects = problem
    model = bl.BayesianLinearRegression(
        prior=prior, sampler="gibbs", draws=15, tune=15, chains=1, random_state=seed(0)
    )
    _check(model, X, y, defects)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(logistic=True))
def test_logistic_fit_raises_a_named_error_or_gives_finite_results(problem):
    X, y, defects = problem
    model = bl.BayesianLogisticRegression(
        sampler="pymc", draws=10, tune=10, chains=1, random_state=seed(0)
    )
    _check(model, X, y, defects)


@pytest.mark.parametrize("scale", [2.0**-490, 2.0**-160, 2.0**160, 2.0**490])
def test_y_units_scale_the_posterior_exactly(scale):
    """Class 4: y in any units whose squares float64 holds (spread about 1e-150 to 1e150) is
    standardized without squaring, so the working response, hence the draws (same seed),
    are those of y in units of 1: bit for bit, as the scales are powers of two (exact in
    binary; other factors change the last bits of the working y, and a chain can then take
    another path). The original-scale results, the MAP and the summaries scale with y."""
    rng = np.random.default_rng(seed(3))
    X = rng.standard_normal((30, 4))
    y = 2 * X[:, 0] + rng.standard_normal(30)
    kw = dict(prior=bl.Laplace(lam=4.0), sampler="gibbs", draws=50, tune=50, chains=1)
    ref = bl.BayesianLinearRegression(**kw, random_state=seed(3)).fit(X, y)
    est = bl.BayesianLinearRegression(**kw, random_state=seed(3)).fit(X, y * scale)
    np.testing.assert_allclose(est.map_.coef, ref.map_.coef * scale, rtol=1e-8)
    post, post_ref = est.idata_["posterior"], ref.idata_["posterior"]
    np.testing.assert_array_equal(post["beta_std"], post_ref["beta_std"])
    np.testing.assert_allclose(est.coef_, ref.coef_ * scale, rtol=1e-6)
    np.testing.assert_allclose(est.predict(X), ref.predict(X) * scale, rtol=1e-6)
    assert np.isclose(est.score(X, y * scale), ref.score(X, y), rtol=1e-9)
    table = bl.lasso_columns(est, alpha=0.1 * scale, table=bl.inclusion_summary(est))
    ref_table = bl.lasso_columns(ref, alpha=0.1, table=bl.inclusion_summary(ref))
    np.testing.assert_array_equal(table["pip"], ref_table["pip"])
    np.testing.assert_allclose(table["sd"], ref_table["sd"] * scale, rtol=1e-9)
    np.testing.assert_allclose(table["map_coef"], ref_table["map_coef"] * scale, rtol=1e-9)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 2.0**-520, 2.0**520, 1e200, 1e300])
def test_y_whose_squares_float64_cannot_hold_is_refused(scale):
    """Beyond that range (the reproducers' 1e200 and 1e-200 among them) the fit says so and
    how to rescale, before any sampling: the draws' variances in y's units would overflow
    or underflow."""
    rng = np.random.default_rng(seed(4))
    X = rng.standard_normal((20, 3))
    y = X[:, 0] + rng.standard_normal(20)
    est = bl.BayesianLinearRegression(sampler="gibbs", draws=20, tune=20, chains=1)
    with pytest.raises(ValueError, match=r"y varies by up to .* float64 can square.*Rescale y"):
        est.fit(X, y * scale)
    huge = np.full(20, 1.7e308)
    huge[0] = -1.7e308  # its difference from the mean is beyond the float64 maximum
    with pytest.raises(ValueError, match="y holds values too large for float64"):
        est.fit(X, huge)
    with pytest.raises(ValueError, match=r"y varies by up to 1.7e\+308 .* float64 can square"):
        est.fit(X, np.where(np.arange(20) % 2, 1.7e308, -1.7e308))
