"""Columns of a DataFrame that comes back in (prediction, summaries) are matched by name."""

import numpy as np
import pandas as pd
import pytest

import bayes_l1 as bl
from bayes_l1._columns import align_columns, check_rows


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(8)
    X = pd.DataFrame(rng.normal(size=(50, 5)) * [1.0, 5.0, 0.2, 1.0, 3.0], columns=list("vwxyz"))
    y = X["v"] - 0.3 * X["w"] + 2.0 * X["x"] + rng.normal(size=50)
    return X, y


def test_align_columns_reorders_by_name_or_raises():
    X = pd.DataFrame(np.arange(6.0).reshape(2, 3), columns=["c", "a", "b"])
    out = align_columns(X, ["a", "b", "c"])
    assert list(out.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(out["c"], X["c"])
    assert align_columns(X, ["c", "a", "b"]) is X  # already in order: no copy
    arr = X.to_numpy()
    assert align_columns(arr, ["a", "b", "c"]) is arr  # arrays: by position
    # a fit on an array has default names: a DataFrame is then matched by position
    assert align_columns(X, ["x0", "x1", "x2"]) is X
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['B'\]"):
        align_columns(X.rename(columns={"b": "B"}), ["a", "b", "c"], name="X_new")
    with pytest.raises(ValueError, match=r"missing \['d'\]"):
        align_columns(X, ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="X has 3 rows, but the fit used 4"):
        check_rows(3, 4)


@pytest.mark.parametrize("likelihood", ["gaussian", "logistic"])
def test_map_predict_matches_columns_by_name(frame, likelihood):
    X, y = frame
    target = y if likelihood == "gaussian" else (y > y.median()).astype(int)
    res = bl.lasso_map(X, target, 0.02, likelihood=likelihood)
    expected = res.predict(X)
    permuted = X[["z", "x", "v", "y", "w"]]
    np.testing.assert_allclose(res.predict(permuted), expected, rtol=1e-13)
    np.testing.assert_allclose(res.decision_function(permuted), res.decision_function(X))
    np.testing.assert_allclose(res.predict(X.to_numpy()), expected)  # arrays: by position
    with pytest.raises(ValueError, match=r"missing \['y'\], unexpected \['u'\]"):
        res.predict(X.rename(columns={"y": "u"}))
    with pytest.raises(ValueError, match="features"):
        res.predict(X.to_numpy()[:, :4])
