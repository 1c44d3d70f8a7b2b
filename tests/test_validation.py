"""Every bad input to the public entry points gets a clear error (type and message)."""

import numpy as np
import pandas as pd
import pytest

import bayes_l1 as bl
from bayes_l1._validation import check_labels, check_X

# --------------------------------------------------------------------------------------
# Entry points: validation runs before any solving, so the defaults cost nothing there.
# The small grids below only matter for the tests in which a fit actually runs.


def fit_map(X, y, **kw):
    kw.setdefault("alpha", 0.1)
    return bl.lasso_map(X, y, **kw)


def fit_path(X, y, **kw):
    kw.setdefault("n_alphas", 5)
    kw.setdefault("eps", 0.05)
    return bl.lasso_map_path(X, y, **kw)


def fit_cv(X, y, **kw):
    kw.setdefault("n_alphas", 5)
    kw.setdefault("eps", 0.05)
    kw.setdefault("cv", 3)
    kw.setdefault("random_state", 0)
    return bl.lasso_map_cv(X, y, **kw)


ENTRY_POINTS = [
    pytest.param(fit_map, id="lasso_map"),
    pytest.param(fit_path, id="lasso_map_path"),
    pytest.param(fit_cv, id="lasso_map_cv"),
]
# Entry points that compute an alpha grid (n_alphas, eps, alphas, cv, ridge without alphas).
GRID_ENTRY_POINTS = ENTRY_POINTS[1:]


def coefs_of(fit):
    """Original-scale coefficients of any result, as (p, K) with K >= 1."""
    if isinstance(fit, bl.MapResult):
        return fit.coef[:, None]
    if isinstance(fit, bl.CVResult):
        return fit.path.coefs
    return fit.coefs


def classes_of(fit):
    return fit.path.classes if isinstance(fit, bl.CVResult) else fit.classes


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = X @ np.array([1.5, -1.0, 0.0, 0.0]) + 0.5 * rng.standard_normal(30)
    return X, y


@pytest.fixture
def frame(data):
    X, y = data
    return pd.DataFrame(X, columns=["age", "bmi", "bp", "s1"]), pd.Series(y, name="y")


@pytest.fixture
def binary():
    sim = bl.make_sparse_classification(60, 5, 2, random_state=1)
    return sim.X.to_numpy(), sim.y.to_numpy()


# --------------------------------------------------------------------------------------
# Non-finite values


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize(("bad", "kind"), [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_nonfinite_X_array_names_column(fit, data, bad, kind):
    X, y = data
    X = X.copy()
    X[3, 2] = bad
    with pytest.raises(ValueError, match=rf"X contains {kind} \(non-finite\).*\['x2'\]"):
        fit(X, y)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize(("bad", "kind"), [(np.nan, "NaN"), (np.inf, "inf")])
def test_nonfinite_X_frame_names_column(fit, frame, bad, kind):
    X, y = frame
    X = X.copy()
    X.loc[5, "bp"] = bad
    with pytest.raises(ValueError, match=rf"X contains {kind}.*columns \['bp'\]"):
        fit(X, y)


def test_nonfinite_X_lists_every_bad_column(frame):
    X, y = frame
    X = X.copy()
    X.loc[0, "age"] = np.nan
    X.loc[1, "s1"] = np.inf
    with pytest.raises(ValueError, match=r"columns \['age', 's1'\]"):
        bl.lasso_map(X, y, alpha=0.1)


def test_missing_value_in_nullable_frame_column(frame):
    X, y = frame
    X = X.copy()
    X["count"] = pd.array([1, 2, None] + [3] * 27, dtype="Int64")
    with pytest.raises(ValueError, match=r"X contains NaN.*\['count'\]"):
        bl.lasso_map(X, y, alpha=0.1)


def test_huge_but_finite_X_is_not_reported_as_nonfinite(data):
    """The fast finite check sums X; an overflowing sum must not be mistaken for inf."""
    X, _ = data
    X = X.copy()
    X[:, 0] = 1e308
    with np.errstate(over="ignore"):
        Xa, names = check_X(X)
    assert Xa is X
    assert names == ("x0", "x1", "x2", "x3")


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_y(fit, data, bad):
    X, y = data
    y = y.copy()
    y[7] = bad
    with pytest.raises(ValueError, match=r"y contains NaN or inf"):
        fit(X, y)


@pytest.mark.parametrize("dtype", ["Float64", object])
def test_missing_value_in_nullable_y(data, dtype):
    """pandas' NA in a nullable or an object y is a missing value (object: it was a
    TypeError about 'NAType')."""
    X, y = data
    ys = pd.Series(y, dtype=dtype)
    ys[4] = pd.NA
    with pytest.raises(ValueError, match=r"y contains NaN or inf"):
        bl.lasso_map(X, ys, alpha=0.1)


# --------------------------------------------------------------------------------------
# Shapes


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("n_y", [29, 31])
def test_mismatched_lengths(fit, data, n_y):
    X, y = data
    y = np.resize(y, n_y)
    with pytest.raises(ValueError, match=rf"different numbers of rows: X has 30, y has {n_y}"):
        fit(X, y)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_1d_X(fit, data):
    X, y = data
    hint = r"Reshape your data: X\.reshape\(-1, 1\) .* feature, X\.reshape\(1, -1\) .* sample"
    with pytest.raises(ValueError, match=rf"X must be 2-D.*got 1-D.*{hint}"):
        fit(X[:, 0], y)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_series_X(fit, frame):
    X, y = frame
    with pytest.raises(ValueError, match=r"X is a pandas Series.*to_frame\(\)"):
        fit(X["bmi"], y)


def test_3d_X(data):
    X, y = data
    with pytest.raises(ValueError, match=r"X must be 2-D.*got 3-D"):
        bl.lasso_map(X.reshape(30, 2, 2), y, alpha=0.1)


def test_single_feature_as_column_works(data):
    X, y = data
    res = bl.lasso_map(X[:, :1], y, alpha=0.1)
    assert res.coef.shape == (1,)
    assert res.feature_names == ("x0",)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_zero_rows(fit):
    with pytest.raises(ValueError, match=r"X has 0 rows"):
        fit(np.empty((0, 3)), np.empty(0))


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_zero_columns(fit, data):
    _, y = data
    with pytest.raises(ValueError, match=r"X has 0 columns: 0 feature\(s\) \(shape=\(30, 0\)\)"):
        fit(np.empty((30, 0)), y)


def test_zero_columns_frame(data):
    _, y = data
    with pytest.raises(ValueError, match=r"X has 0 columns"):
        bl.lasso_map(pd.DataFrame(index=range(30)), y, alpha=0.1)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_y_none(fit, data):
    X, _ = data
    with pytest.raises(ValueError, match=r"requires y to be passed, but the target y is None"):
        fit(X, None)


def test_y_none_to_score_against():
    with pytest.raises(ValueError, match=r"requires y to be passed, but the target y is None"):
        check_labels(None, 3)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_2d_y_with_several_columns(fit, data):
    X, y = data
    with pytest.raises(ValueError, match=r"y must be 1-D \(n_samples,\); got shape \(30, 2\)"):
        fit(X, np.c_[y, y])


def test_2d_frame_y_with_several_columns(data):
    X, y = data
    with pytest.raises(ValueError, match=r"y must be 1-D"):
        bl.lasso_map(X, pd.DataFrame({"a": y, "b": y}), alpha=0.1)


@pytest.mark.parametrize("shape", ["column", "frame"])
def test_single_column_y_is_accepted(data, shape):
    X, y = data
    y2 = y[:, None] if shape == "column" else pd.DataFrame({"y": y})
    np.testing.assert_array_equal(
        bl.lasso_map(X, y2, alpha=0.1).coef, bl.lasso_map(X, y, alpha=0.1).coef
    )


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_one_sample(fit, data):
    X, y = data
    with pytest.raises(ValueError, match=r"Only 1 sample\(s\); at least 2"):
        fit(X[:1], y[:1])


def test_two_samples_work(data):
    X, y = data
    res = bl.lasso_map(X[:2], y[:2], alpha=0.01)
    assert res.converged


# --------------------------------------------------------------------------------------
# Types


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("dtype", [object, "string"])
def test_string_column(fit, frame, dtype):
    X, y = frame
    X = X.assign(city=pd.Series(["Oslo", "Lima", "Pune"] * 10, dtype=dtype))
    with pytest.raises(TypeError, match=r"non-numeric columns \['city'\].*get_dummies"):
        fit(X, y)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_categorical_column(fit, frame):
    X, y = frame
    X = X.assign(grade=pd.Categorical(["a", "b", "c"] * 10))
    with pytest.raises(TypeError, match=r"non-numeric columns \['grade'\]"):
        fit(X, y)


def test_categorical_with_numeric_categories_is_still_rejected(frame):
    X, y = frame
    X = X.assign(level=pd.Categorical([1, 2, 3] * 10))
    with pytest.raises(TypeError, match=r"non-numeric columns \['level'\]"):
        bl.lasso_map(X, y, alpha=0.1)


def test_only_the_bad_columns_are_named(frame):
    X, y = frame
    X = X.assign(city=["Oslo"] * 30, when=pd.Timestamp("2024-01-01"))
    with pytest.raises(TypeError, match=r"non-numeric columns \['city', 'when'\]"):
        bl.lasso_map(X, y, alpha=0.1)


def test_bool_and_int_columns_are_numeric(frame):
    X, y = frame
    X = X.assign(flag=np.arange(30) % 2 == 0, count=np.arange(30))
    res = bl.lasso_map(X, y, alpha=0.1)
    assert res.feature_names[-2:] == ("flag", "count")


def test_complex_frame_column(frame):
    X, y = frame
    X = X.assign(z=X["bp"] + 1j)
    with pytest.raises(TypeError, match=r"complex.*\['z'\]\. Complex data not supported") as err:
        bl.lasso_map(X, y, alpha=0.1)
    assert isinstance(err.value, ValueError)  # scikit-learn's tools expect a ValueError


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_object_arrays_of_numbers_fit_as_floats(fit, data):
    X, y = data
    objects = fit(X.astype(object), y.astype(object))
    np.testing.assert_array_equal(coefs_of(objects), coefs_of(fit(X, y)))


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("entry", ["1.5", b"1.5", np.str_("1.5")], ids=["str", "bytes", "np.str_"])
def test_object_array_holding_strings(fit, data, entry):
    # Refused, not parsed: "1.5" is not silently the number 1.5.
    X, y = data
    X = X.astype(object)
    X[3, 1] = entry
    with pytest.raises(TypeError, match=r"X must be numeric; got dtype object holding strings"):
        fit(X, y)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_object_y_holding_strings_for_gaussian(fit, data):
    X, y = data
    y = y.astype(object)
    y[3] = "1.5"
    with pytest.raises(TypeError, match=r"y must be numeric; got dtype object holding strings"):
        fit(X, y)


def test_object_array_with_an_entry_that_is_no_number(data):
    X, y = data
    X = X.astype(object)
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match=r"X must be numeric; got dtype object with an entry.*dict"):
        bl.lasso_map(X, y, alpha=0.1)


def test_object_array_with_none_is_missing(data):
    X, y = data
    X = X.astype(object)
    X[0, 2] = None
    with pytest.raises(ValueError, match=r"X contains NaN .* columns \['x2'\]"):
        bl.lasso_map(X, y, alpha=0.1)


def test_string_array(data):
    X, y = data
    with pytest.raises(TypeError, match=r"X must be numeric; got dtype <U"):
        bl.lasso_map(X.astype(str), y, alpha=0.1)


def test_complex_array(data):
    X, y = data
    with pytest.raises(
        TypeError, match=r"X must be real-valued; got complex.*not supported"
    ) as err:
        bl.lasso_map(X + 0j, y, alpha=0.1)
    assert isinstance(err.value, ValueError)


def test_ragged_list(data):
    _, y = data
    with pytest.raises(TypeError, match=r"X could not be converted to an array"):
        bl.lasso_map([[1.0, 2.0], [3.0]], y[:2], alpha=0.1)


def test_sparse_matrix(data):
    sparse = pytest.importorskip("scipy.sparse")
    X, y = data
    with pytest.raises(TypeError, match=r"sparse.*toarray\(\)"):
        bl.lasso_map(sparse.csr_matrix(X), y, alpha=0.1)


def test_list_input_equals_array_input(data):
    X, y = data
    np.testing.assert_array_equal(
        bl.lasso_map(X.tolist(), y.tolist(), alpha=0.1).coef, bl.lasso_map(X, y, alpha=0.1).coef
    )


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_string_y_for_gaussian(fit, data):
    X, y = data
    with pytest.raises(TypeError, match=r"y must be numeric for the gaussian likelihood"):
        fit(X, y.astype(str))


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_duplicate_column_names(fit, frame):
    X, y = frame
    X = X.set_axis(["a", "b", "a", "c"], axis=1)
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        fit(X, y)


def test_column_names_colliding_as_strings(frame):
    X, y = frame
    X = X.set_axis([0, "0", "b", "c"], axis=1)
    with pytest.raises(ValueError, match=r"duplicate column names \['0'\]"):
        bl.lasso_map(X, y, alpha=0.1)


# --------------------------------------------------------------------------------------
# Constant columns


def with_constant_column(X, value=3.0, at=1):
    return np.insert(X, at, value, axis=1)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_constant_column_warns_with_its_name(fit, frame):
    X, y = frame
    X = X.assign(const=7.5)
    with pytest.warns(UserWarning, match=r"Columns \['const'\] are constant"):
        res = fit(X, y)
    assert (coefs_of(res)[-1] == 0).all()


@pytest.mark.parametrize("value", [0.0, 3.0, -1e6, 0.1])
def test_constant_column_coefficient_is_zero_and_others_unchanged(data, value):
    X, y = data
    Xc = with_constant_column(X, value)
    with pytest.warns(UserWarning, match=r"\['x1'\] are constant"):
        res = bl.lasso_map(Xc, y, alpha=0.05, tol=1e-10)
    ref = bl.lasso_map(X, y, alpha=0.05, tol=1e-10)
    assert res.coef[1] == 0.0
    assert res.coef_working[1] == 0.0
    np.testing.assert_allclose(np.delete(res.coef, 1), ref.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.intercept, ref.intercept, rtol=1e-8, atol=1e-10)


def test_constant_column_unstandardized(data):
    X, y = data
    with pytest.warns(UserWarning, match=r"\['x1'\] are constant"):
        res = bl.lasso_map(with_constant_column(X), y, alpha=0.05, standardize=False, tol=1e-10)
    ref = bl.lasso_map(X, y, alpha=0.05, standardize=False, tol=1e-10)
    assert res.coef[1] == 0.0
    np.testing.assert_allclose(np.delete(res.coef, 1), ref.coef, rtol=1e-8, atol=1e-10)


def test_constant_column_on_the_path(data):
    X, y = data
    with pytest.warns(UserWarning, match=r"\['x1'\] are constant"):
        path = bl.lasso_map_path(with_constant_column(X), y, n_alphas=8, eps=0.01, tol=1e-10)
    ref = bl.lasso_map_path(X, y, n_alphas=8, eps=0.01, tol=1e-10)
    assert (path.coefs[1] == 0).all()
    np.testing.assert_allclose(path.alphas, ref.alphas, rtol=1e-12)
    np.testing.assert_allclose(np.delete(path.coefs, 1, axis=0), ref.coefs, rtol=1e-8, atol=1e-10)


def test_constant_logistic_column(binary):
    X, y = binary
    with pytest.warns(UserWarning, match=r"\['x1'\] are constant"):
        res = bl.lasso_map(with_constant_column(X), y, alpha=0.02, likelihood="logistic", tol=1e-10)
    ref = bl.lasso_map(X, y, alpha=0.02, likelihood="logistic", tol=1e-10)
    assert res.coef[1] == 0.0
    np.testing.assert_allclose(np.delete(res.coef, 1), ref.coef, rtol=1e-7, atol=1e-9)


def test_many_constant_columns_are_truncated_in_the_message(data):
    X, y = data
    Xc = np.hstack([X, np.ones((30, 12))])
    with pytest.warns(UserWarning, match=r"\['x4', .*'x13', \.\.\.\] are constant"):
        res = bl.lasso_map(Xc, y, alpha=0.1)
    assert (res.coef[4:] == 0).all()


def test_constant_column_without_intercept_is_a_feature(data):
    """Without an intercept a constant column carries the level: no warning, not held at zero."""
    X, y = data
    res = bl.lasso_map(with_constant_column(X, 1.0), y + 5.0, alpha=0.01, fit_intercept=False)
    assert res.coef[1] != 0.0


# --------------------------------------------------------------------------------------
# Logistic targets


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("label", [1, 0, "yes"])
def test_single_class(fit, binary, label):
    X, _ = binary
    y = np.full(X.shape[0], label)
    with pytest.raises(ValueError, match=rf"single class \({label!r}\).*needs both classes"):
        fit(X, y, likelihood="logistic")


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_one_row_is_too_few_before_it_is_one_class(fit, binary):
    X, y = binary
    with pytest.raises(ValueError, match=r"Only 1 sample\(s\)"):
        fit(X[:1], y[:1], likelihood="logistic")


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_three_classes(fit, binary):
    X, _ = binary
    y = np.arange(X.shape[0]) % 3
    with pytest.raises(
        ValueError, match=r"3 distinct values \(0, 1, 2\)\. Only binary classification.*binary"
    ):
        fit(X, y, likelihood="logistic")


def test_continuous_y_for_logistic(data):
    X, y = data
    with pytest.raises(ValueError, match=r"30 distinct values.*likelihood='gaussian'"):
        bl.lasso_map(X, y, alpha=0.1, likelihood="logistic")


def test_missing_label(binary):
    X, y = binary
    y = y.astype(object)
    y[3] = None
    with pytest.raises(ValueError, match=r"y contains missing values"):
        bl.lasso_map(X, y, alpha=0.1, likelihood="logistic")


@pytest.mark.parametrize(
    ("bad", "msg"), [(np.nan, r"y contains missing values"), (np.inf, r"y contains inf")]
)
def test_nonfinite_float_label(binary, bad, msg):
    X, y = binary
    y = y.astype(float)
    y[3] = bad
    with pytest.raises(ValueError, match=msg):
        bl.lasso_map(X, y, alpha=0.1, likelihood="logistic")


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_string_labels(fit, binary):
    X, y = binary
    labels = np.where(y == 1, "yes", "no")
    res = fit(X, labels, likelihood="logistic")
    ref = fit(X, y, likelihood="logistic")
    np.testing.assert_array_equal(classes_of(res), ["no", "yes"])
    np.testing.assert_array_equal(classes_of(ref), [0, 1])
    np.testing.assert_array_equal(coefs_of(res), coefs_of(ref))


def test_second_sorted_label_is_coded_one(binary):
    """classes[1] is the sorted second label, whatever the label order in y."""
    X, y = binary
    labels = pd.Series(np.where(y == 1, "neg", "pos"))  # "pos" is coded 1: flipped coding
    res = bl.lasso_map(X, labels, alpha=0.02, likelihood="logistic")
    ref = bl.lasso_map(X, 1 - y, alpha=0.02, likelihood="logistic")
    np.testing.assert_array_equal(res.classes, ["neg", "pos"])
    np.testing.assert_array_equal(res.coef, ref.coef)
    np.testing.assert_allclose(res.predict(X), ref.predict(X))


def test_bool_labels(binary):
    X, y = binary
    res = bl.lasso_map(X, y == 1, alpha=0.02, likelihood="logistic")
    ref = bl.lasso_map(X, y, alpha=0.02, likelihood="logistic")
    np.testing.assert_array_equal(res.classes, [False, True])
    np.testing.assert_array_equal(res.coef, ref.coef)


def test_categorical_labels(binary):
    X, y = binary
    labels = pd.Series(pd.Categorical(np.where(y == 1, "b", "a")))
    res = bl.lasso_map(X, labels, alpha=0.02, likelihood="logistic")
    ref = bl.lasso_map(X, y, alpha=0.02, likelihood="logistic")
    np.testing.assert_array_equal(res.classes, ["a", "b"])
    np.testing.assert_array_equal(res.coef, ref.coef)


# --------------------------------------------------------------------------------------
# p >> n


def wide_problem(n=10, p=500, seed=0):
    sim = bl.make_sparse_regression(n, p, 3, snr=5.0, random_state=seed)
    return sim.X.to_numpy(), sim.y.to_numpy()


def working_kkt(X, y, res):
    """Largest KKT violation of a lasso solution on the standardized (working) scale."""
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    r = y - X @ res.coef - res.intercept
    g = Z.T @ r / X.shape[0]
    w = res.coef_working
    return np.max(np.where(w != 0, np.abs(g - res.alpha * np.sign(w)), np.abs(g) - res.alpha))


def test_wide_lasso_map_works():
    X, y = wide_problem()
    res = bl.lasso_map(X, y, alpha=0.1, tol=1e-8)
    assert res.converged
    assert res.coef.shape == (500,)
    assert 0 < res.support.sum() < X.shape[0]
    assert res.kkt_violation < 1e-6
    assert working_kkt(X, y, res) < 1e-6
    np.testing.assert_allclose(working_kkt(X, y, res), res.kkt_violation, rtol=1e-3)


def test_wide_path_and_cv_work():
    X, y = wide_problem(n=12)
    path = bl.lasso_map_path(X, y, n_alphas=10, eps=0.05)
    assert path.converged.all()
    assert path.coefs.shape == (500, 10)
    cv = bl.lasso_map_cv(X, y, cv=3, n_alphas=10, eps=0.05, random_state=0)
    assert np.isfinite(cv.cv_mean).all()


def test_wide_logistic_works():
    sim = bl.make_sparse_classification(20, 300, 3, random_state=2)
    res = bl.lasso_map(sim.X, sim.y, alpha=0.05, likelihood="logistic")
    assert res.converged
    assert res.support.any()
    assert res.kkt_violation < 1e-4


# --------------------------------------------------------------------------------------
# Penalty parameters


@pytest.mark.parametrize(
    ("alpha", "err", "msg"),
    [
        (-0.1, ValueError, r"alpha must be finite and >= 0; got -0\.1"),
        (np.nan, ValueError, r"alpha must be finite and >= 0; got nan"),
        (np.inf, ValueError, r"alpha must be finite and >= 0; got inf"),
        ("abc", TypeError, r"alpha must be a number; got 'abc'"),
        ("0.1", TypeError, r"alpha must be a number; got '0\.1'"),
        (True, TypeError, r"alpha must be a number; got True"),
        (None, TypeError, r"alpha must be a number; got None"),
        ([0.1, 0.2], TypeError, r"alpha must be a number"),
    ],
)
def test_bad_alpha(data, alpha, err, msg):
    X, y = data
    with pytest.raises(err, match=msg):
        bl.lasso_map(X, y, alpha=alpha)


def test_alpha_zero_is_least_squares(data):
    X, y = data
    res = bl.lasso_map(X, y, alpha=0.0, tol=1e-12)
    A = np.c_[np.ones(len(y)), X]
    ols = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(res.coef, ols[1:], rtol=0, atol=1e-6)
    assert res.dual_gap >= 0


def test_alpha_zero_logistic_reaches_the_mle(binary):
    X, y = binary
    # The gap bounds the objective: coefficients are accurate to ~sqrt(gap / curvature),
    # so 1e-6 agreement with the MLE needs a gap near 1e-15 on this ill-conditioned fit.
    res = bl.lasso_map(X, y, alpha=0.0, likelihood="logistic", tol=1e-15)
    assert res.dual_gap >= 0
    assert res.kkt_violation < 1e-6
    from sklearn import linear_model as sklm

    mle = sklm.LogisticRegression(
        C=np.inf, solver="newton-cholesky", tol=1e-14, max_iter=10_000
    ).fit(X, y)
    np.testing.assert_allclose(res.coef, mle.coef_.ravel(), rtol=0, atol=1e-6)


def test_numpy_scalar_alpha_is_accepted(data):
    X, y = data
    res = bl.lasso_map(X, y, alpha=np.float32(0.1))
    assert res.alpha == pytest.approx(0.1)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
@pytest.mark.parametrize("alphas", [[], [0.1, -0.1], [np.nan], [np.inf, 0.1]])
def test_bad_alphas(fit, data, alphas):
    X, y = data
    with pytest.raises(ValueError, match=r"alphas must be a non-empty sequence of finite"):
        fit(X, y, alphas=alphas)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("l1_ratio", "msg"),
    [
        (1.5, r"l1_ratio must be in \[0, 1\]; got 1\.5"),
        (-0.1, r"l1_ratio must be finite and >= 0; got -0\.1"),
        (np.nan, r"l1_ratio must be finite"),
    ],
)
def test_bad_l1_ratio(fit, data, l1_ratio, msg):
    X, y = data
    with pytest.raises(ValueError, match=msg):
        fit(X, y, l1_ratio=l1_ratio)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("likelihood", ["poisson", "Gaussian", ""])
def test_unknown_likelihood(fit, data, likelihood):
    X, y = data
    with pytest.raises(ValueError, match=r"likelihood must be one of \('gaussian', 'logistic'\)"):
        fit(X, y, likelihood=likelihood)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("weights", "msg"),
    [
        ([1.0, 1.0, 1.0], r"must have one entry per feature \(4\); got shape \(3,\)"),
        ([1.0] * 5, r"must have one entry per feature \(4\); got shape \(5,\)"),
        (1.0, r"must have one entry per feature \(4\); got shape \(\)"),
        ([1.0, -0.5, 1.0, 1.0], r"must be finite and >= 0"),
        ([1.0, np.nan, 1.0, 1.0], r"must be finite and >= 0"),
        ([1.0, np.inf, 1.0, 1.0], r"must be finite and >= 0"),
        ([0.0, 0.0, 0.0, 0.0], r"are all 0: at least one feature must be penalized"),
    ],
)
def test_bad_penalty_weights(fit, data, weights, msg):
    X, y = data
    with pytest.raises(ValueError, match=rf"^penalty_weights {msg}"):
        fit(X, y, penalty_weights=weights)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_penalty_weights_series_are_matched_by_name(fit):
    """A labelled Series in another order weighs the same columns (it was applied by
    position); labels that are not X's columns are refused."""
    X, y = bl.load_diabetes()
    w = pd.Series(1.0, index=X.columns)
    w["bmi"] = 0.0
    a = fit(X, y, penalty_weights=w)
    b = fit(X, y, penalty_weights=w[X.columns[::-1]])
    np.testing.assert_array_equal(coefs_of(a), coefs_of(b))
    c = fit(X, y, penalty_weights=w.to_numpy())  # an array: column order
    np.testing.assert_array_equal(coefs_of(a), coefs_of(c))
    with pytest.raises(
        ValueError, match=r"not X's columns.*missing: \['bmi'\], not in X: \['BMI'\]"
    ):
        fit(X, y, penalty_weights=w.rename({"bmi": "BMI"}))
    upper = w.rename(str.upper)  # ten labels off: the message shows five and says so
    with pytest.raises(ValueError, match=r"missing: \['age', .*'s1', \.\.\.\], not in X"):
        fit(X, y, penalty_weights=upper)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("tol", [0.0, -1.0, np.nan])
def test_bad_tol(fit, data, tol):
    X, y = data
    with pytest.raises(ValueError, match=r"tol must be finite and > 0"):
        fit(X, y, tol=tol)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
def test_bad_max_iter(fit, data):
    X, y = data
    with pytest.raises(ValueError, match=r"max_iter must be an integer >= 1; got 0"):
        fit(X, y, max_iter=0)


# --------------------------------------------------------------------------------------
# Grid and cross-validation parameters


@pytest.mark.parametrize("n_folds", [1, 0, -3])
def test_too_few_folds(data, n_folds):
    X, y = data
    with pytest.raises(ValueError, match=rf"cv must be an integer >= 2; got {n_folds}"):
        bl.lasso_map_cv(X, y, cv=n_folds)


def test_more_folds_than_samples(data):
    X, y = data
    with pytest.raises(ValueError, match=r"cv=31 folds need at least 31 samples; got 30"):
        bl.lasso_map_cv(X, y, cv=31)


def test_leave_one_out_is_allowed(data):
    X, y = data
    cv = bl.lasso_map_cv(X[:8], y[:8], cv=8, n_alphas=4, eps=0.1)
    assert cv.cv_folds.shape == (4, 8)


def test_single_explicit_split(data):
    X, y = data
    idx = np.arange(30)
    with pytest.raises(ValueError, match=r"at least 2 \(train, test\) splits"):
        bl.lasso_map_cv(X, y, cv=[(idx[:20], idx[20:])])


def test_stratified_folds_warn_when_a_class_has_fewer_members_than_folds(binary):
    X, y = binary
    rare = np.flatnonzero(y == 1)[3:]
    keep = np.setdiff1d(np.arange(y.size), rare)  # three of class 1 left
    with pytest.warns(UserWarning, match=r"least populated class has 3 member\(s\), fewer than"):
        bl.lasso_map_cv(X[keep], y[keep], cv=5, likelihood="logistic", random_state=0)


def test_logistic_fold_with_a_single_training_class(binary):
    X, y = binary
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    splits = [(pos, neg), (neg, pos)]
    with pytest.raises(ValueError, match=r"Fold 0 has a single class"):
        bl.lasso_map_cv(X, y, cv=splits, likelihood="logistic")


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
@pytest.mark.parametrize("n_alphas", [0, -1])
def test_bad_n_alphas(fit, data, n_alphas):
    X, y = data
    with pytest.raises(ValueError, match=rf"n_alphas must be an integer >= 1; got {n_alphas}"):
        fit(X, y, n_alphas=n_alphas)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
@pytest.mark.parametrize("eps", [0.0, -1e-3, np.nan])
def test_bad_eps(fit, data, eps):
    X, y = data
    with pytest.raises(ValueError, match=r"eps must be finite and > 0"):
        fit(X, y, eps=eps)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
def test_eps_of_one_or_more(fit, data):
    X, y = data
    with pytest.raises(ValueError, match=r"eps"):
        fit(X, y, eps=2.0)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
def test_ridge_grid_needs_alphas(fit, data):
    X, y = data
    with pytest.raises(ValueError, match=r"pure ridge.*\(l1_ratio=0\) needs.*`alphas`"):
        fit(X, y, l1_ratio=0.0)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
def test_ridge_grid_with_alphas_works(fit, data):
    X, y = data
    res = fit(X, y, l1_ratio=0.0, alphas=[1.0, 0.1])
    coefs = coefs_of(res)
    assert coefs.shape == (4, 2)
    assert (coefs != 0).all()  # ridge never selects


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
def test_constant_y_has_no_grid(fit, data):
    X, _ = data
    with pytest.raises(ValueError, match=r"alpha_max is 0.*Pass `alphas` explicitly"):
        fit(X, np.full(30, 2.5))


# --------------------------------------------------------------------------------------
# Zero penalty weights


def test_zero_weight_feature_satisfies_its_normal_equation(data):
    """An unpenalized feature has x_j^T r / n == 0 on the (centred) working scale."""
    X, y = data
    weights = np.array([1.0, 1.0, 0.0, 1.0])
    res = bl.lasso_map(X, y, alpha=0.2, standardize=False, penalty_weights=weights, tol=1e-12)
    Xw = X - X.mean(axis=0)  # working design with an intercept and standardize=False
    r = y - X @ res.coef - res.intercept
    np.testing.assert_allclose(res.coef_working, res.coef)
    assert abs(r.mean()) < 1e-12
    assert abs(Xw[:, 2] @ r / len(y)) < 1e-8
    assert res.coef[2] != 0.0  # x2 has no true effect, but it is never shrunk to 0


def test_zero_weight_feature_at_large_alpha_is_least_squares(data):
    """With every penalized feature at 0 the free one is the simple regression slope."""
    X, y = data
    weights = np.array([0.0, 1.0, 1.0, 1.0])
    res = bl.lasso_map(X, y, alpha=100.0, standardize=False, penalty_weights=weights, tol=1e-12)
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    assert (res.coef[1:] == 0).all()
    np.testing.assert_allclose(res.coef[0], slope, rtol=1e-8)
    np.testing.assert_allclose(res.intercept, intercept, rtol=1e-8)


def test_zero_weight_feature_stays_in_along_the_path(data):
    X, y = data
    weights = np.array([1.0, 1.0, 0.0, 1.0])
    path = bl.lasso_map_path(X, y, penalty_weights=weights, n_alphas=6, eps=0.05)
    assert (path.coefs[2] != 0).all()
    # alpha_max zeroes every penalized coefficient (up to the solver tolerance; see below)
    np.testing.assert_allclose(path.coefs[[0, 1, 3], 0], 0.0, atol=1e-6)
    assert (np.abs(path.coefs[[0, 1, 3], 1:]) > 0).any()


def test_zero_weight_path_starts_exactly_at_zero(data):
    X, y = data
    weights = np.array([1.0, 1.0, 0.0, 1.0])
    path = bl.lasso_map_path(X, y, penalty_weights=weights, n_alphas=6, eps=0.05)
    assert (path.coefs[[0, 1, 3], 0] == 0).all()


# --------------------------------------------------------------------------------------
# Numbers: any real (NumPy scalars too), never bool or str, never silently truncated
# (issue 11, classes 3, 8 and 14)


def test_numpy_scalars_equal_python_numbers(data):
    X, y = data
    py = dict(l1_ratio=0.5, tol=1e-8, max_iter=50, n_alphas=6, cv=3, random_state=4, eps=0.05)
    npy = dict(
        l1_ratio=np.float32(0.5),
        tol=np.float64(1e-8),
        max_iter=np.int32(50),
        n_alphas=np.int64(6),
        cv=np.int16(3),
        random_state=np.uint8(4),
        eps=np.float64(0.05),
    )
    a, b = bl.lasso_map_cv(X, y, **py), bl.lasso_map_cv(X, y, **npy)
    np.testing.assert_array_equal(a.path.coefs, b.path.coefs)
    assert a.alpha == b.alpha
    r1 = bl.lasso_map(X, y, 0.25, max_iter=40)
    r2 = bl.lasso_map(X, y, np.float16(0.25), max_iter=np.uint16(40))
    np.testing.assert_array_equal(r1.coef, r2.coef)
    assert isinstance(r2.alpha, float)


@pytest.mark.parametrize("fit", ENTRY_POINTS)
@pytest.mark.parametrize("value", [2.5, 10.0, "10", None, np.float64(3.0), True, [5]])
def test_max_iter_must_be_an_integer(fit, data, value):
    X, y = data
    with pytest.raises(TypeError, match=r"^max_iter must be an integer >= 1; got "):
        fit(X, y, max_iter=value)


@pytest.mark.parametrize("fit", GRID_ENTRY_POINTS)
@pytest.mark.parametrize("value", [3.7, 20.0, "5", np.True_])
def test_n_alphas_is_never_truncated(fit, data, value):
    X, y = data
    with pytest.raises(TypeError, match=r"^n_alphas must be an integer >= 1; got "):
        fit(X, y, n_alphas=value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("alpha", np.True_), ("l1_ratio", False), ("tol", True), ("tol", "1e-4"), ("alpha", 1j)],
)
def test_bool_and_strings_are_not_numbers(data, name, value):
    X, y = data
    kw = {"alpha": 0.1, name: value}
    with pytest.raises(TypeError, match=rf"^{name} must be a number; got "):
        bl.lasso_map(X, y, **kw)


@pytest.mark.parametrize("alphas", [["0.1", "0.01"], [True, 0.1], [0.1, None], "0.1"])
def test_alphas_must_be_numbers(data, alphas):
    X, y = data
    with pytest.raises(TypeError, match=r"alphas must be"):
        bl.lasso_map_path(X, y, alphas=alphas)


@pytest.mark.parametrize("weights", [["1", "1", "0", "1"], [True, True, False, True]])
def test_penalty_weights_must_be_numbers(data, weights):
    X, y = data
    with pytest.raises(TypeError, match=r"^each of penalty_weights must be a number; got "):
        bl.lasso_map(X, y, 0.1, penalty_weights=weights)


CV_KINDS = r"cv must be an integer >= 2 \(number of folds\), a scikit-learn splitter"


@pytest.mark.parametrize("cv", [4.0, 2.5, None, "5", b"5", True, object()])
def test_cv_of_the_wrong_kind(data, cv):
    X, y = data
    with pytest.raises(TypeError, match=rf"^{CV_KINDS}.*; got "):
        bl.lasso_map_cv(X, y, cv=cv)


def test_cv_splits_that_are_not_pairs(data):
    X, y = data
    idx = np.arange(30)
    with pytest.raises(TypeError, match=rf"^{CV_KINDS}.*split 1 is"):
        bl.lasso_map_cv(X, y, cv=[(idx[:20], idx[20:]), idx])


@pytest.mark.parametrize(
    ("train", "test", "err", "msg"),
    [
        (np.arange(30), np.arange(0), ValueError, r"cv split 1 \(test indices\) is empty"),
        ([], np.arange(5), ValueError, r"cv split 1 \(train indices\) is empty"),
        (np.arange(10), np.arange(25, 31), ValueError, r"must lie in \[0, 30\); got .* 30"),
        (np.arange(10), np.arange(5.0), TypeError, r"integer row indices; got dtype float64"),
        (np.arange(30) < 10, np.arange(30) >= 10, TypeError, r"np\.flatnonzero\(mask\)"),
    ],
)
def test_custom_split_with_a_bad_fold(data, train, test, err, msg):
    X, y = data
    idx = np.arange(30)
    with pytest.raises(err, match=msg):
        bl.lasso_map_cv(X, y, cv=[(idx[:20], idx[20:]), (train, test)])


def test_negative_indices_in_a_split_count_from_the_end(data):
    X, y = data
    idx = np.arange(30)
    a = bl.lasso_map_cv(X, y, cv=[(idx[:20], idx[20:]), (idx[10:], idx[:10])], n_alphas=4)
    b = bl.lasso_map_cv(X, y, cv=[(idx[:20], idx[20:] - 30), (idx[10:], idx[:10])], n_alphas=4)
    np.testing.assert_array_equal(a.cv_mean, b.cv_mean)


@pytest.mark.parametrize(
    ("seed", "err"), [(-1, ValueError), (-(2**40), ValueError), (1.5, TypeError), ("0", TypeError)]
)
def test_bad_random_state(data, seed, err):
    X, y = data
    with pytest.raises(err, match=r"^random_state must be None, an integer >= 0, a numpy"):
        bl.lasso_map_cv(X, y, random_state=seed)


def test_generator_and_seed_sequence_random_state(data):
    X, y = data
    a = bl.lasso_map_cv(X, y, cv=3, n_alphas=4, random_state=np.random.default_rng(5))
    b = bl.lasso_map_cv(X, y, cv=3, n_alphas=4, random_state=np.random.default_rng(5))
    assert [f.tolist() for f in a.test_folds] == [f.tolist() for f in b.test_folds]


# Priors: a NumPy number is the same number (Laplace(lam=np.int64(5)) used to become the
# Gamma hyperprior), stored as a float; bool and str are refused with the field's name.


@pytest.mark.parametrize("lam", [np.int64(5), np.float32(5.0), np.uint8(5), 5])
def test_laplace_lam_numpy_scalar_is_a_fixed_rate(lam):
    prior = bl.Laplace(lam=lam)
    assert prior.lam == 5.0 and type(prior.lam) is float
    assert prior == bl.Laplace(lam=5.0)
    assert prior.fixed_lam(None) == 5.0  # a fixed rate, not the hyperprior (None)


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (lambda: bl.Laplace(alpha=np.float32(0.5)), "alpha", 0.5),
        (lambda: bl.Laplace(r=np.int8(2), delta=np.float16(0.5)), "r", 2.0),
        (lambda: bl.Horseshoe(p0=np.int64(3)), "p0", 3.0),
        (lambda: bl.Horseshoe(tau0=np.float32(0.25)), "tau0", 0.25),
        (lambda: bl.RegularizedHorseshoe(slab_df=np.int32(5)), "slab_df", 5.0),
        (lambda: bl.Normal(scale=np.float64(0.5)), "scale", 0.5),
        (lambda: bl.ElasticNetPrior(alpha=np.int64(1), l1_ratio=np.float32(0.5)), "alpha", 1.0),
    ],
)
def test_prior_fields_accept_numpy_numbers(make, field, value):
    prior = make()
    assert getattr(prior, field) == value and type(getattr(prior, field)) is float


@pytest.mark.parametrize(
    ("make", "msg"),
    [
        (lambda: bl.Laplace(lam=True), r"lam must be a number; got True"),
        (lambda: bl.Laplace(lam=np.bool_(True)), r"lam must be a number"),
        (lambda: bl.Laplace(r="1"), r"r must be a number; got '1'"),
        (lambda: bl.Horseshoe(p0="3"), r"p0 must be a number"),
        (lambda: bl.Normal(alpha=[0.1]), r"alpha must be a number"),
        (lambda: bl.ElasticNetPrior(alpha=0.1, l1_ratio="0.5"), r"l1_ratio must be a number"),
    ],
)
def test_prior_fields_refuse_bool_and_str(make, msg):
    with pytest.raises(TypeError, match=msg):
        make()


@pytest.mark.parametrize(
    ("alpha", "err"), [("0.1", TypeError), (True, TypeError), (-1, ValueError)]
)
def test_compare_map_lasso_checks_alpha_first(data, alpha, err):
    X, y = data
    with pytest.raises(err, match=r"^alpha must be"):
        bl.compare_map_lasso(X, y, alpha=alpha, posterior=False)


@pytest.mark.parametrize(("seed", "err"), [(-1, ValueError), (2.0, TypeError)])
def test_estimator_random_state_is_checked_before_sampling(data, seed, err):
    X, y = data
    model = bl.BayesianLinearRegression(random_state=seed, sampler="gibbs", draws=5, tune=5)
    with pytest.raises(err, match=r"^random_state must be None, an integer >= 0"):
        model.fit(X, y)
