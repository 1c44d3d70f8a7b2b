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
