"""The data layer: bundled diabetes data, the Design (standardization) and the simulators."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import bayes_l1 as bl

DIABETES_COLUMNS = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
COMBOS = list(itertools.product([True, False], [True, False]))  # (standardize, fit_intercept)
COMBO_IDS = [f"std={s}-icpt={i}" for s, i in COMBOS]

# --------------------------------------------------------------------------------------
# load_diabetes


def test_diabetes_shape_and_names():
    X, y = bl.load_diabetes()
    assert isinstance(X, pd.DataFrame)
    assert isinstance(y, pd.Series)
    assert X.shape == (442, 10)
    assert list(X.columns) == DIABETES_COLUMNS
    assert y.shape == (442,)
    assert y.name == "progression"
    assert "progression" not in X.columns


def test_diabetes_is_numeric_and_complete():
    X, y = bl.load_diabetes()
    assert all(pd.api.types.is_numeric_dtype(dt) for dt in X.dtypes)
    assert pd.api.types.is_numeric_dtype(y.dtype)
    assert not X.isna().any().any()
    assert not y.isna().any()


def test_diabetes_is_in_raw_units():
    X, y = bl.load_diabetes()
    assert X["age"].mean() == pytest.approx(48.518, abs=1e-3)
    assert set(X["sex"].unique()) == {1, 2}
    assert X["bmi"].mean() == pytest.approx(26.376, abs=1e-3)
    assert X["bp"].mean() == pytest.approx(94.647, abs=1e-3)
    assert X["age"].between(19, 79).all()
    assert y.mean() == pytest.approx(152.133, abs=1e-3)
    assert y.between(25, 346).all()


def test_diabetes_returns_fresh_copies():
    X1, y1 = bl.load_diabetes()
    X1.iloc[0, 0] = -1.0
    y1.iloc[0] = -1.0
    X2, y2 = bl.load_diabetes()
    assert X2.iloc[0, 0] == 59
    assert y2.iloc[0] == 151


def test_diabetes_equals_sklearn():
    from sklearn import datasets

    ref = datasets.load_diabetes(scaled=False)
    X, y = bl.load_diabetes()
    assert list(X.columns) == list(ref.feature_names)
    np.testing.assert_array_equal(X.to_numpy(dtype=float), ref.data)
    np.testing.assert_array_equal(y.to_numpy(dtype=float), ref.target)


# --------------------------------------------------------------------------------------
# Design


@pytest.fixture
def raw():
    """C-ordered raw design with very different locations and scales per column."""
    rng = np.random.default_rng(4)
    loc = np.array([0.0, -5.0, 2.0, 1000.0, 1e4])
    scale = np.array([1.0, 10.0, 0.01, 3.0, 100.0])
    return rng.standard_normal((50, 5)) * scale + loc


NAMES = ("a", "b", "c", "d", "e")


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_working_matrix_moments(raw, standardize, fit_intercept):
    design, Z = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    if fit_intercept:
        np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(design.offset, raw.mean(axis=0), rtol=1e-14)
    else:
        np.testing.assert_array_equal(design.offset, 0.0)
    if standardize:
        np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
        np.testing.assert_allclose(design.scale, raw.std(axis=0), rtol=1e-12)
    else:
        np.testing.assert_array_equal(design.scale, 1.0)
        np.testing.assert_allclose(Z.std(axis=0), raw.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(Z, (raw - design.offset) / design.scale, rtol=1e-13)


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_design_records_its_options(raw, standardize, fit_intercept):
    design, _ = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    assert design.feature_names == NAMES
    assert design.n_features == 5
    assert design.standardize is standardize
    assert design.fit_intercept is fit_intercept
    assert not design.constant.any()


def test_population_sd_is_used(raw):
    """ddof=0, as scikit-learn's StandardScaler."""
    design, _ = bl.Design.fit_transform(raw, NAMES)
    np.testing.assert_allclose(design.scale, raw.std(axis=0, ddof=0), rtol=1e-12)
    assert not np.allclose(design.scale, raw.std(axis=0, ddof=1), rtol=1e-3)


def test_matches_sklearn_standard_scaler(raw):
    from sklearn import preprocessing

    scaler = preprocessing.StandardScaler().fit(raw)
    design, Z = bl.Design.fit_transform(raw, NAMES)
    np.testing.assert_allclose(design.offset, scaler.mean_, rtol=1e-14)
    np.testing.assert_allclose(design.scale, scaler.scale_, rtol=1e-12)
    np.testing.assert_allclose(Z, scaler.transform(raw), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_working_matrix_is_fortran_ordered(raw, standardize, fit_intercept, order):
    X = np.asarray(raw, order=order)
    _, Z = bl.Design.fit_transform(X, NAMES, standardize=standardize, fit_intercept=fit_intercept)
    assert Z.flags.f_contiguous
    assert Z.dtype == np.float64


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_input_is_never_modified(raw, standardize, fit_intercept, order):
    X = np.asarray(raw, order=order)
    X[:, 2] = 7.0  # a constant column too: it is zeroed in the working matrix
    before = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, Z = bl.Design.fit_transform(
            X, NAMES, standardize=standardize, fit_intercept=fit_intercept
        )
    np.testing.assert_array_equal(X, before)
    assert Z.shape == X.shape


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_integer_input(standardize, fit_intercept):
    Xi = np.random.default_rng(8).integers(-20, 300, size=(40, 5))
    design, Z = bl.Design.fit_transform(
        Xi, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    ref, Zf = bl.Design.fit_transform(
        Xi.astype(np.float64), NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    assert Z.dtype == np.float64
    assert Z.flags.f_contiguous
    np.testing.assert_allclose(Z, Zf, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(design.offset, ref.offset, rtol=1e-14)
    np.testing.assert_allclose(design.scale, ref.scale, rtol=1e-14)


def _to_working(design, coef, intercept):
    """The inverse of ``Design.to_original``, to test the map by its round trip."""
    coef = np.asarray(coef, dtype=np.float64)
    scale = design.scale if coef.ndim == 1 else design.scale[:, None]
    return coef * scale, np.asarray(intercept) + design.offset @ coef


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_round_trip_1d(raw, standardize, fit_intercept):
    design, _ = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    rng = np.random.default_rng(5)
    w, c = rng.standard_normal(5), 0.7
    coef, icpt = design.to_original(w, c)
    w2, c2 = _to_working(design, coef, icpt)
    np.testing.assert_allclose(w2, w, rtol=1e-13)
    np.testing.assert_allclose(c2, c, rtol=1e-9, atol=1e-9)
    coef3, icpt3 = design.to_original(*_to_working(design, coef, icpt))
    np.testing.assert_allclose(coef3, coef, rtol=1e-13)
    np.testing.assert_allclose(icpt3, icpt, rtol=1e-12)
    assert coef.shape == (5,)
    assert np.ndim(icpt) == 0


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_round_trip_2d(raw, standardize, fit_intercept):
    design, _ = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    rng = np.random.default_rng(6)
    W, C = rng.standard_normal((5, 3)), rng.standard_normal(3)
    coefs, icpts = design.to_original(W, C)
    assert coefs.shape == (5, 3)
    assert icpts.shape == (3,)
    W2, C2 = _to_working(design, coefs, icpts)
    np.testing.assert_allclose(W2, W, rtol=1e-13)
    np.testing.assert_allclose(C2, C, rtol=1e-9, atol=1e-9)
    for k in range(3):  # column k of the 2-D map is the 1-D map of column k
        coef_k, icpt_k = design.to_original(W[:, k], C[k])
        np.testing.assert_allclose(coefs[:, k], coef_k, rtol=1e-15)
        np.testing.assert_allclose(icpts[k], icpt_k, rtol=1e-15)


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_predictions_agree_on_both_scales(raw, standardize, fit_intercept):
    design, Z = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    rng = np.random.default_rng(7)
    W, C = rng.standard_normal((5, 4)), rng.standard_normal(4)
    coefs, icpts = design.to_original(W, C)
    np.testing.assert_allclose(Z @ W + C, raw @ coefs + icpts, rtol=1e-9, atol=1e-9)
    coef, icpt = design.to_original(W[:, 0], C[0])
    np.testing.assert_allclose(Z @ W[:, 0] + C[0], raw @ coef + icpt, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("standardize", "fit_intercept"), COMBOS, ids=COMBO_IDS)
def test_transform_reproduces_the_working_matrix(raw, standardize, fit_intercept):
    design, Z = bl.Design.fit_transform(
        raw, NAMES, standardize=standardize, fit_intercept=fit_intercept
    )
    Z2 = design.transform(raw)
    assert Z2.flags.f_contiguous
    np.testing.assert_allclose(Z2, Z, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("value", [0.0, 1.0, -3.5, 1e6, 0.1])
def test_constant_column_with_intercept(raw, value):
    X = raw.copy()
    X[:, 1] = value
    with pytest.warns(UserWarning, match=r"Columns \['b'\] are constant"):
        design, Z = bl.Design.fit_transform(X, NAMES, standardize=True)
    np.testing.assert_array_equal(design.constant, [False, True, False, False, False])
    np.testing.assert_array_equal(design.held_at_zero, design.constant)
    assert design.scale[1] == 1.0
    assert (Z[:, 1] == 0.0).all()
    np.testing.assert_allclose(Z[:, [0, 2, 3, 4]].std(axis=0), 1.0, rtol=1e-12)


def test_constant_column_without_warning(raw):
    X = raw.copy()
    X[:, 1] = 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        design, Z = bl.Design.fit_transform(X, NAMES, warn=False)
    assert design.held_at_zero[1]
    assert (Z[:, 1] == 0.0).all()


def test_constant_column_without_intercept_is_kept(raw):
    """Without an intercept a constant column is a feature: no warning, not held at zero, kept."""
    X = raw.copy()
    X[:, 1] = 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        design, Z = bl.Design.fit_transform(X, NAMES, fit_intercept=False)
    assert design.constant[1]
    assert not design.held_at_zero.any()
    assert design.scale[1] == 1.0
    np.testing.assert_array_equal(Z[:, 1], 2.0)


def test_all_zero_column(raw):
    X = raw.copy()
    X[:, 3] = 0.0
    design, Z = bl.Design.fit_transform(X, NAMES, fit_intercept=False)
    assert design.constant[3]
    assert design.scale[3] == 1.0
    assert (Z[:, 3] == 0.0).all()


@pytest.mark.parametrize("loc", [1e4, 1e6, 1e8])
def test_sd_without_intercept_is_accurate_far_from_zero(raw, loc):
    """The sd about the mean must not cancel when |mean| >> sd (fit_intercept=False)."""
    X = raw.copy()
    X[:, 0] += loc
    design, Z = bl.Design.fit_transform(X, NAMES, fit_intercept=False)
    assert not design.constant.any()
    np.testing.assert_allclose(design.scale, X.std(axis=0), rtol=1e-10)
    # Z keeps |mean| / sd ~ loc, so its own sd is only good to ~ loc * eps
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=max(1e-12, 1e-16 * loc))


def test_sd_agrees_with_and_without_intercept(raw):
    d1, _ = bl.Design.fit_transform(raw, NAMES, fit_intercept=True)
    d0, _ = bl.Design.fit_transform(raw, NAMES, fit_intercept=False)
    np.testing.assert_allclose(d0.scale, d1.scale, rtol=1e-10)


# --------------------------------------------------------------------------------------
# make_sparse_regression / make_sparse_classification

SIMULATORS = [
    pytest.param(bl.make_sparse_regression, id="regression"),
    pytest.param(bl.make_sparse_classification, id="classification"),
]


@pytest.mark.parametrize("make", SIMULATORS)
def test_simulation_shapes_and_names(make):
    sim = make(40, 12, 3, random_state=0)
    assert isinstance(sim, bl.Simulation)
    assert isinstance(sim.X, pd.DataFrame)
    assert sim.X.shape == (40, 12)
    assert list(sim.X.columns) == [f"x{j}" for j in range(12)]
    assert isinstance(sim.y, pd.Series)
    assert sim.y.shape == (40,)
    assert sim.y.name == "y"
    assert list(sim.coef.index) == list(sim.X.columns)
    assert np.isfinite(sim.X.to_numpy()).all()


@pytest.mark.parametrize("make", SIMULATORS)
@pytest.mark.parametrize("k", [0, 1, 5, 12])
def test_exactly_k_nonzero(make, k):
    sim = make(40, 12, k, random_state=1)
    assert int((sim.coef != 0).sum()) == k


@pytest.mark.parametrize("make", SIMULATORS)
def test_same_seed_same_data(make):
    a, b = make(30, 8, 3, rho=0.4, random_state=123), make(30, 8, 3, rho=0.4, random_state=123)
    pd.testing.assert_frame_equal(a.X, b.X)
    pd.testing.assert_series_equal(a.y, b.y)
    pd.testing.assert_series_equal(a.coef, b.coef)
    assert a.intercept == b.intercept
    np.testing.assert_array_equal(a.noise_sd, b.noise_sd)


@pytest.mark.parametrize("make", SIMULATORS)
def test_different_seed_different_data(make):
    a, b = make(30, 8, 3, random_state=1), make(30, 8, 3, random_state=2)
    assert not np.array_equal(a.X.to_numpy(), b.X.to_numpy())
    assert not np.array_equal(a.coef.to_numpy(), b.coef.to_numpy())


def test_regression_coefficients_in_range():
    sim = bl.make_sparse_regression(20, 200, 50, random_state=3)
    nz = np.abs(sim.coef[sim.coef != 0])
    assert nz.between(0.5, 2.0).all()
    assert (sim.coef > 0).any()
    assert (sim.coef < 0).any()


def test_classification_coefficients_in_effect_range():
    sim = bl.make_sparse_classification(20, 200, 50, effect=(0.2, 0.4), random_state=3)
    nz = np.abs(sim.coef[sim.coef != 0])
    assert nz.between(0.2, 0.4).all()


@pytest.mark.parametrize("make", SIMULATORS)
@pytest.mark.parametrize("rho", [0.0, 0.6, -0.5])
def test_neighbouring_correlation_is_rho(make, rho):
    sim = make(20_000, 6, 2, rho=rho, random_state=4)
    X = sim.X.to_numpy()
    corr = np.corrcoef(X, rowvar=False)
    np.testing.assert_allclose(np.diag(corr, 1), rho, atol=0.03)
    np.testing.assert_allclose(np.diag(corr, 2), rho**2, atol=0.03)  # AR(1): rho^|i-j|
    np.testing.assert_allclose(X.std(axis=0), 1.0, atol=0.03)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=0.03)


@pytest.mark.parametrize(("snr", "rho"), [(3.0, 0.0), (0.5, 0.7), (10.0, 0.3)])
def test_empirical_snr(snr, rho):
    sim = bl.make_sparse_regression(50_000, 10, 5, snr=snr, rho=rho, intercept=2.0, random_state=5)
    signal = sim.X.to_numpy() @ sim.coef.to_numpy()
    noise = sim.y.to_numpy() - signal - sim.intercept
    assert signal.var() / noise.var() == pytest.approx(snr, rel=0.05)
    assert noise.std() == pytest.approx(sim.noise_sd, rel=0.02)
    assert noise.mean() == pytest.approx(0.0, abs=0.05 * sim.noise_sd)


def test_snr_is_exact_on_the_population_scale():
    rho, snr = 0.5, 2.5
    sim = bl.make_sparse_regression(10, 8, 4, snr=snr, rho=rho, random_state=6)
    idx = np.arange(8)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    w = sim.coef.to_numpy()
    assert (w @ cov @ w) / sim.noise_sd**2 == pytest.approx(snr, rel=1e-12)


def test_regression_intercept():
    sim = bl.make_sparse_regression(20_000, 5, 2, intercept=-3.0, random_state=7)
    assert sim.intercept == -3.0
    assert sim.y.mean() == pytest.approx(-3.0, abs=0.1)


def test_regression_without_signal():
    sim = bl.make_sparse_regression(100, 5, 0, random_state=8)
    assert (sim.coef == 0).all()
    assert sim.noise_sd > 0


def test_classification_y_is_binary():
    sim = bl.make_sparse_classification(200, 10, 3, random_state=9)
    assert set(sim.y.unique()) == {0, 1}
    assert pd.api.types.is_integer_dtype(sim.y.dtype)
    assert np.isnan(sim.noise_sd)


def test_classification_probabilities_match_the_model():
    sim = bl.make_sparse_classification(50_000, 6, 3, intercept=-1.0, random_state=10)
    prob = expit(sim.X.to_numpy() @ sim.coef.to_numpy() + sim.intercept)
    assert sim.intercept == -1.0
    assert sim.y.mean() == pytest.approx(prob.mean(), abs=0.01)
    high = prob > 0.8
    assert sim.y[high].mean() == pytest.approx(prob[high].mean(), abs=0.02)


@pytest.mark.parametrize("make", SIMULATORS)
@pytest.mark.parametrize("k", [13, 100, -1])
def test_bad_k(make, k):
    with pytest.raises(ValueError, match=r"k \(number of true features\) must be in \[0, p=12\]"):
        make(40, 12, k, random_state=0)


@pytest.mark.parametrize("make", SIMULATORS)
@pytest.mark.parametrize("rho", [1.0, -1.0, 1.5, -2.0, np.nan])
def test_bad_rho(make, rho):
    with pytest.raises(ValueError, match=r"rho must be in \(-1, 1\)"):
        make(40, 12, 3, rho=rho, random_state=0)


@pytest.mark.parametrize("make", SIMULATORS)
@pytest.mark.parametrize(("n", "p"), [(1, 5), (0, 5), (10, 0)])
def test_bad_sizes(make, n, p):
    with pytest.raises(ValueError, match=r"need n >= 2 and p >= 1"):
        make(n, p, 0, random_state=0)


@pytest.mark.parametrize("snr", [0.0, -1.0, np.nan, np.inf])
def test_bad_snr(snr):
    with pytest.raises(ValueError, match=r"snr must be finite and > 0"):
        bl.make_sparse_regression(40, 12, 3, snr=snr, random_state=0)


# --------------------------------------------------------------------------------------
# Constant means constant relative to the column's own magnitude (issue 11, class 2)


@pytest.mark.parametrize("unit", [1e-9, 1e-30, 1e-100, 1e-250, 1e250])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_small_or_large_units_are_not_constant(raw, unit, fit_intercept):
    X = raw.copy()
    X[:, [0, 2]] *= unit
    ref, Z0 = bl.Design.fit_transform(raw, NAMES, fit_intercept=fit_intercept)
    design, Z = bl.Design.fit_transform(X, NAMES, fit_intercept=fit_intercept)
    assert not design.constant.any()
    np.testing.assert_allclose(Z, Z0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(design.scale[[0, 2]], ref.scale[[0, 2]] * unit, rtol=1e-12)


@pytest.mark.parametrize(
    "values",
    [
        [0.3, 0.1 * 3, 0.3, 3 * 0.1],  # one ulp apart
        np.full(4, 7e250) * (1 + np.array([0, 2, 4, 8]) * np.finfo(float).eps),
        np.full(4, -2.5e-280),
        np.array([1e-300, 1e-300 * (1 + np.finfo(float).eps), 1e-300, 1e-300]),
    ],
)
def test_equal_up_to_rounding_is_constant(raw, values):
    X = raw[:4].copy()
    X[:, 1] = values
    with pytest.warns(UserWarning, match=r"Columns \['b'\] are constant"):
        design, Z = bl.Design.fit_transform(X, NAMES)
    assert design.constant.tolist() == [False, True, False, False, False]
    assert (Z[:, 1] == 0).all()


@pytest.mark.parametrize("spread", [1e-13, 1e-11, 1e-6])
def test_tiny_relative_variation_is_data(raw, spread):
    """Spread of 1e-13 of the magnitude is ~450 ulps: real variation (the old absolute
    cut-off 1e-12 called it constant), standardized to sd 1 and centred to rounding."""
    X = raw.copy()
    X[:, 1] = 5.0 * (1 + spread * np.random.default_rng(0).standard_normal(len(X)))
    design, Z = bl.Design.fit_transform(X, NAMES)
    assert not design.constant.any()
    np.testing.assert_allclose(Z[:, 1].std(), 1.0, rtol=1e-6)
    assert abs(Z[:, 1].mean()) < 1e-15 / spread  # the offset is a double: ~ulp(5) / sd


@pytest.mark.parametrize("spread", [1e-14, 1e-12])
def test_constant_columns_are_standard_scalers(spread):
    """A variation of 1e-14 of a column's magnitude at n = 442 (45 ulps) is within
    StandardScaler's bound (n ulps): constant there, so held at 0 here (it was scaled up by
    1e14, and rounding the column to 12 digits moved predictions by more than sd(y)); 1e-12
    (4500 ulps) is data in both."""
    from sklearn.preprocessing import StandardScaler

    X, _ = bl.load_diabetes()
    Xn = X.to_numpy()
    near = 1.0 + spread * Xn[:, 2] / Xn[:, 2].std()
    Xc = np.column_stack([Xn, near])
    sk_constant = StandardScaler().fit(Xc).scale_[10] == 1.0
    design, _ = bl.Design.fit_transform(Xc, [*X.columns, "near"], warn=False)
    assert design.constant[10] == sk_constant == (spread == 1e-14)


def test_lasso_map_keeps_a_column_in_small_units():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((60, 3))
    y = 1.5 * X[:, 1] + 0.5 * rng.standard_normal(60)
    ref = bl.lasso_map(X, y, 0.05)
    res = bl.lasso_map(X * [1, 1e-15, 1], y, 0.05)
    assert res.selected == ref.selected and "x1" in res.selected
    np.testing.assert_allclose(res.coef * [1, 1e-15, 1], ref.coef, rtol=1e-9)


def test_genomics_scale_simulation_is_cheap():
    # the AR(1) signal variance comes from the support alone: the p x p covariance needed
    # 80 GB at p = 100,000 (and 3 GB, 45 s at p = 20,000)
    rho, p = 0.3, 100_000
    sim = bl.make_sparse_regression(10, p, 6, snr=2.0, rho=rho, random_state=8)
    idx = np.flatnonzero(sim.coef.to_numpy())
    w = sim.coef.to_numpy()[idx]
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    assert (w @ cov @ w) / sim.noise_sd**2 == pytest.approx(2.0, rel=1e-12)
    assert sim.X.shape == (10, p)
