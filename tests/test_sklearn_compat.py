"""scikit-learn compliance: check_estimator, Pipeline, GridSearchCV, pickle, and the
``idata_`` DataTree round trip through netCDF and zarr.

The estimators sample with their default sampler (``sampler="auto"``: the Gibbs sampler of
the Bayesian lasso, Polya-Gamma for the logistic one; no model to compile) and tiny draws,
so the checks test the API contract, not the posterior (which tests/test_estimators.py
covers); one logistic fit samples by NUTS (nutpie), whose statistics must reload as well.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from sklearn.base import is_classifier, is_regressor
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_classifier_not_supporting_multiclass,
    check_complex_data,
    check_estimators_empty_data_messages,
    check_fit2d_1sample,
    check_requires_y_none,
    parametrize_with_checks,
)

import bayes_l1 as bl
from tests.mc import seed

pytest.importorskip("pymc")

# Tiny draws: the checks are about the API, not mixing (their SamplingWarnings are ignored).
TINY = {"draws": 20, "tune": 20, "chains": 1, "random_state": seed(0)}
ESTIMATORS = [bl.BayesianLinearRegression(**TINY), bl.BayesianLogisticRegression(**TINY)]


# Every check, none expected to fail: 108 checks, most fitting a tiny model by Gibbs (~10 s).
@parametrize_with_checks(ESTIMATORS)
def test_check_estimator(estimator, check):
    check(estimator)


# The checks that input validation answers before any sampling, also in the default run.
VALIDATION_CHECKS = [
    check_complex_data,
    check_estimators_empty_data_messages,
    check_fit2d_1sample,
    check_requires_y_none,
]


@pytest.mark.parametrize(
    ("estimator", "check"),
    [(est, check) for est in ESTIMATORS for check in VALIDATION_CHECKS]
    + [(ESTIMATORS[1], check_classifier_not_supporting_multiclass)],
    ids=lambda v: getattr(v, "__name__", type(v).__name__),
)
def test_validation_checks(estimator, check):
    check(type(estimator).__name__, estimator)


def diabetes_subset(n=120, p=5):
    X, y = bl.load_diabetes()
    return X.iloc[:n, :p], y.iloc[:n]


@pytest.fixture(scope="module")
def fitted_linear():
    X, y = diabetes_subset()
    return bl.BayesianLinearRegression(**TINY).fit(X, y), X, y


@pytest.fixture(scope="module")
def fitted_logistic():
    X, y = diabetes_subset()
    label = np.where(y > y.median(), "high", "low")
    return bl.BayesianLogisticRegression(**TINY).fit(X, label), X, label


def test_tags_and_not_fitted_error():
    assert is_regressor(bl.BayesianLinearRegression())
    assert is_classifier(bl.BayesianLogisticRegression())
    assert get_tags(bl.BayesianLogisticRegression()).classifier_tags.multi_class is False
    assert get_tags(bl.BayesianLinearRegression()).non_deterministic  # no seed
    assert not get_tags(bl.BayesianLinearRegression(random_state=0)).non_deterministic
    X, _ = diabetes_subset()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        bl.BayesianLogisticRegression().predict(X)


@pytest.mark.parametrize(
    "column", [pd.Series.to_frame, lambda y: y.to_numpy()[:, None]], ids=["DataFrame", "array"]
)
def test_column_y_warns_and_fits_as_1d(fitted_linear, column):
    model, X, y = fitted_linear
    with pytest.warns(DataConversionWarning, match=r"^A column-vector y was passed") as record:
        again = bl.BayesianLinearRegression(**TINY).fit(X, column(y))
    warned = [w for w in record if w.category is DataConversionWarning]
    assert len(warned) == 1 and warned[0].filename == __file__  # once, at the caller's line
    np.testing.assert_array_equal(again.coef_, model.coef_)


def test_feature_names_in_only_after_a_fit_on_named_columns(fitted_linear):
    """scikit-learn's convention: an array fit has no feature_names_in_; a refit on an array
    drops the names of an earlier DataFrame fit; a reloaded tree keeps what the fit had."""
    model, X, y = fitted_linear
    np.testing.assert_array_equal(model.feature_names_in_, X.columns)
    assert bl.BayesianLinearRegression.from_idata(model.idata_).feature_names_in_.tolist() == (
        X.columns.tolist()
    )
    again = bl.BayesianLinearRegression(**TINY).fit(X, y).fit(X.to_numpy(), y)
    assert not hasattr(again, "feature_names_in_") and again.n_features_in_ == X.shape[1]
    assert not hasattr(bl.BayesianLinearRegression.from_idata(again.idata_), "feature_names_in_")
    np.testing.assert_array_equal(again.predict(X), again.predict(X.to_numpy()))
    numbered = bl.BayesianLinearRegression(**TINY).fit(pd.DataFrame(X.to_numpy()), y)
    assert not hasattr(numbered, "feature_names_in_")  # integer names, as scikit-learn


def test_pipeline_equals_manual_scaling(fitted_linear):
    _, X, y = fitted_linear
    pipe = make_pipeline(StandardScaler(), bl.BayesianLinearRegression(**TINY)).fit(X, y)
    Z = StandardScaler().fit_transform(X)
    direct = bl.BayesianLinearRegression(**TINY).fit(Z, y)
    # Same seed and same input to the estimator: the same draws, the same predictions.
    np.testing.assert_allclose(pipe.predict(X), direct.predict(Z), rtol=1e-10)
    assert pipe.score(X, y) == pytest.approx(direct.score(Z, y), rel=1e-10)


def test_grid_search_over_priors(fitted_linear):
    _, X, y = fitted_linear
    gibbs = {**TINY, "sampler": "gibbs"}  # six fits: no model to compile
    grid = GridSearchCV(
        bl.BayesianLinearRegression(**gibbs),
        {"prior": [bl.Normal(), bl.Laplace()]},
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and scores.shape == (2,)
    assert grid.best_params_["prior"] == [bl.Normal(), bl.Laplace()][int(np.argmax(scores))]
    refit = bl.BayesianLinearRegression(**gibbs, prior=grid.best_params_["prior"]).fit(X, y)
    np.testing.assert_allclose(grid.predict(X), refit.predict(X), rtol=1e-10)


@pytest.mark.parametrize("which", ["fitted_linear", "fitted_logistic"])
def test_pickle_round_trip(which, request):
    model, X, _ = request.getfixturevalue(which)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    np.testing.assert_array_equal(clone.coef_, model.coef_)
    assert clone.idata_["posterior"].identical(model.idata_["posterior"])
    assert clone.get_params() == model.get_params()


def _assert_same_tree(loaded, original):
    assert set(loaded.children) == set(original.children)
    for group in original.children:
        assert loaded[group].to_dataset().equals(original[group].to_dataset()), group
    assert loaded.attrs == original.attrs
    names = loaded["posterior"]["feature"].to_numpy().tolist()
    assert names == original["posterior"]["feature"].to_numpy().tolist()


def test_idata_netcdf_round_trip(fitted_linear, tmp_path):
    pytest.importorskip("h5netcdf")
    model = fitted_linear[0]
    model.idata_.to_netcdf(tmp_path / "fit.nc", engine="h5netcdf")
    with xr.open_datatree(tmp_path / "fit.nc", engine="h5netcdf") as loaded:
        _assert_same_tree(loaded.load(), model.idata_)


def test_idata_zarr_round_trip(fitted_linear, tmp_path):
    pytest.importorskip("zarr")
    model = fitted_linear[0]
    # Zarr 3 warns that consolidated metadata is outside its spec; none is needed here.
    model.idata_.to_zarr(tmp_path / "fit.zarr", consolidated=False)
    with xr.open_datatree(tmp_path / "fit.zarr", engine="zarr", consolidated=False) as loaded:
        _assert_same_tree(loaded.load(), model.idata_)


# -- round trips that keep every value and dtype (issue 11) -------------------------------


def _save_and_load(tree, tmp_path, engine):
    if engine == "h5netcdf":
        pytest.importorskip("h5netcdf")
        tree.to_netcdf(tmp_path / "fit.nc", engine="h5netcdf")
        with xr.open_datatree(tmp_path / "fit.nc", engine="h5netcdf") as loaded:
            return loaded.load()
    pytest.importorskip("zarr")
    tree.to_zarr(tmp_path / "fit.zarr", consolidated=False)
    with xr.open_datatree(tmp_path / "fit.zarr", engine="zarr", consolidated=False) as loaded:
        return loaded.load()


def _assert_identical_values_and_dtypes(loaded, original):
    _assert_same_tree(loaded, original)
    for group in original.children:
        for name, var in original[group].to_dataset().variables.items():
            assert loaded[group][name].dtype == var.dtype, (group, name)


@pytest.fixture(scope="module")
def nutpie_logistic():
    """Logistic fit by PyMC's default NUTS (nutpie when installed: its sample_stats hold
    divergence_message, None where there was none), string labels in a Series."""
    X, y = diabetes_subset(90, 4)
    label = pd.Series(np.where(y > y.median(), "high", "low"), index=X.index, dtype=object)
    kw = dict(TINY, sampler="nuts", chains=2)
    return bl.BayesianLogisticRegression(**kw).fit(X, label), X, label


@pytest.mark.parametrize("engine", ["h5netcdf", "zarr"])
def test_reloaded_logistic_tree_summarizes_plots_and_predicts_as_live(
    nutpie_logistic, tmp_path, engine
):
    model, X, label = nutpie_logistic
    loaded = _save_and_load(model.idata_, tmp_path, engine)
    _assert_identical_values_and_dtypes(loaded, model.idata_)
    live = bl.lasso_columns(model.idata_, table=bl.inclusion_summary(model.idata_))
    again = bl.lasso_columns(loaded, table=bl.inclusion_summary(loaded))
    pd.testing.assert_frame_equal(again, live)
    assert again.attrs == live.attrs
    given = bl.lasso_columns(loaded, X, label)  # the labels are checked against the tree
    pd.testing.assert_frame_equal(given, bl.lasso_columns(loaded), atol=1e-9)
    restored = bl.BayesianLogisticRegression.from_idata(loaded)
    np.testing.assert_array_equal(restored.classes_, model.classes_)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored.score(X, label) == model.score(X, label)
    pd.testing.assert_frame_equal(
        bl.inclusion_summary(restored), bl.inclusion_summary(model.idata_), check_like=True
    )
    pytest.importorskip("matplotlib").use("Agg")
    from bayes_l1 import plots

    ax = plots.plot_inclusion(loaded)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(live.index)
    assert plots.matching_alpha(loaded) == plots.matching_alpha(model)
    plots.plot_ranks(restored)
    plots.plt.close("all")


def test_reloaded_linear_tree_with_a_constant_column_predicts_as_live(tmp_path):
    X, y = diabetes_subset(80, 4)
    X = X.assign(site=7.0)  # constant: held at 0 in the tree
    kw = dict(sampler="gibbs", draws=30, tune=30, chains=2, random_state=seed(4))
    with pytest.warns(UserWarning, match=r"\['site'\] are constant"):
        model = bl.BayesianLinearRegression(**kw).fit(X, y)
    loaded = _save_and_load(model.idata_, tmp_path, "h5netcdf")
    _assert_identical_values_and_dtypes(loaded, model.idata_)
    restored = bl.BayesianLinearRegression.from_idata(loaded)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    np.testing.assert_array_equal(restored.get_support(0.8), model.get_support(0.8))
    with pytest.raises(ValueError, match="holds a gaussian fit"):
        bl.BayesianLogisticRegression.from_idata(loaded)
    with pytest.raises(TypeError, match="DataTree"):
        bl.BayesianLinearRegression.from_idata(loaded["posterior"].to_dataset())
