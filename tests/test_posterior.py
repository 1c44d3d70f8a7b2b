"""fit_posterior: one function returns the fit, a DataTree that describes itself, so that a
tree reloaded from netCDF or zarr summarizes, plots and compares exactly as the live one."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import bayes_l1 as bl
import bayes_l1.model
from bayes_l1 import fitted
from bayes_l1.posterior import _resolve_sampler
from tests.mc import seed
from tests.test_sklearn_compat import _save_and_load

GIBBS = dict(sampler="gibbs", draws=150, tune=100, chains=2)


@pytest.fixture(scope="module")
def live(diabetes):
    """A Laplace(lam="cv") fit: the tree records the CV alpha, sigma_hat and the MAP alpha."""
    X, y = diabetes
    return bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), random_state=seed(3), **GIBBS)


def test_the_estimator_is_fit_posterior_plus_attributes(live, diabetes):
    X, y = diabetes
    m = bl.BayesianLinearRegression(bl.Laplace(lam="cv"), random_state=seed(3), **GIBBS)
    m.fit(X, y)
    for group in ("posterior", "posterior_predictive", "constant_data", "observed_data"):
        xr.testing.assert_equal(m.idata_[group].to_dataset(), live[group].to_dataset())
    np.testing.assert_array_equal(m.coef_, live["posterior"]["beta"].mean(("chain", "draw")))
    assert m.map_.alpha == live.attrs["bayes_l1_map_alpha"]
    assert m.diagnostics_.to_dict() == json.loads(live.attrs["bayes_l1_diagnostics"])


def test_the_tree_records_design_and_settings(live, diabetes):
    X, y = diabetes
    attrs = {k.removeprefix("bayes_l1_"): v for k, v in live.attrs.items()}
    assert set(attrs) == set(fitted.ATTRS)
    assert attrs["likelihood"] == "gaussian" and attrs["prior_class"] == "Laplace"
    assert attrs["sampler"] == "gibbs" and attrs["marginalized"] == 0
    assert attrs["y_center"] == pytest.approx(y.mean()) and attrs["y_scale"] == pytest.approx(
        y.std(ddof=0)
    )
    cv = bl.lasso_map_cv(X, y, random_state=seed(3))  # the one CV the fit ran
    # the MAP alpha is the CV alpha mapped to lam and back: equal up to rounding
    assert attrs["alpha_cv"] == pytest.approx(cv.alpha, rel=1e-12)
    assert attrs["map_alpha"] == pytest.approx(cv.alpha, rel=1e-12)
    assert attrs["map_l1_ratio"] == 1.0
    const = live["constant_data"]
    np.testing.assert_allclose(const["x_offset"], X.mean(), rtol=1e-12)
    np.testing.assert_allclose(const["x_scale"], X.std(ddof=0), rtol=1e-12)
    np.testing.assert_allclose(const["X"], (X - X.mean()) / X.std(ddof=0), atol=1e-12)
    rebuilt, y_kept = fitted.fit_data(live)
    np.testing.assert_allclose(rebuilt, X, rtol=1e-12)
    np.testing.assert_array_equal(y_kept, y)


@pytest.mark.parametrize("engine", ["h5netcdf", "zarr"])
def test_a_reloaded_tree_summarizes_plots_and_compares_as_live(live, tmp_path, engine):
    loaded = _save_and_load(live, tmp_path, engine)
    assert loaded.attrs == live.attrs
    for fn in (bl.inclusion_summary, bl.lasso_columns, bl.rank_distribution):
        pd.testing.assert_frame_equal(fn(loaded), fn(live))
    pd.testing.assert_frame_equal(bl.dss(loaded).table, bl.dss(live).table)
    report, again = bl.diagnose(live, warn=False), bl.diagnose(loaded, warn=False)
    pd.testing.assert_frame_equal(again.table, report.table)
    assert again.advice == report.advice
    table = bl.compare_models({"live": live, "loaded": loaded}, warn=False)
    assert table.loc["loaded", "elpd"] == table.loc["live", "elpd"]
    pytest.importorskip("matplotlib").use("Agg")
    from bayes_l1 import plots

    assert (
        plots.matching_alpha(loaded)
        == plots.matching_alpha(live)
        == live.attrs["bayes_l1_map_alpha"]
    )
    axes = [plots.plot_coefficients(tree, top=5) for tree in (live, loaded)]
    segments = [np.asarray(ax.collections[0].get_segments()) for ax in axes]
    np.testing.assert_array_equal(segments[1], segments[0])
    assert "standardized" in axes[1].get_xlabel()  # the column sds came from the tree
    plots.plt.close("all")


def test_a_tree_without_X_asks_for_it(diabetes):
    X, y = diabetes
    lean = bl.fit_posterior(X, y, store_X=False, random_state=seed(1), **GIBBS)
    assert "X" not in lean["constant_data"] and "x_scale" in lean["constant_data"]
    with pytest.raises(ValueError, match="pass X and y"):
        bl.lasso_columns(lean)
    with pytest.raises(ValueError, match="pass X"):
        bl.dss(lean)
    full = bl.fit_posterior(X, y, random_state=seed(1), **GIBBS)
    pd.testing.assert_frame_equal(bl.lasso_columns(lean, X, y), bl.lasso_columns(full))
    pd.testing.assert_frame_equal(bl.dss(lean, X=X).table, bl.dss(full).table)


def test_one_cross_validation_per_fit(diabetes, monkeypatch):
    """Laplace(lam="cv") needs the CV alpha and the noise sd: one CV gives both, and a CV
    passed in (as the CLI does) is reused, not repeated."""
    X, y = diabetes
    calls = []
    original = bayes_l1.model.lasso_map_cv

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(bayes_l1.model, "lasso_map_cv", counted)
    tree = bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), random_state=seed(2), **GIBBS)
    assert len(calls) == 1
    cv = bl.lasso_map_cv(X, y, random_state=7)
    given = bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), cv=cv, random_state=seed(2), **GIBBS)
    assert len(calls) == 1 and given.attrs["bayes_l1_alpha_cv"] == cv.alpha
    assert tree.attrs["bayes_l1_alpha_cv"] == pytest.approx(
        bl.lasso_map_cv(X, y, random_state=seed(2)).alpha, rel=1e-12
    )


@pytest.mark.parametrize(
    ("prior", "likelihood", "expected"),
    [
        (bl.Horseshoe(), "gaussian", "gibbs"),
        (bl.Laplace(lam="eb"), "gaussian", "gibbs"),
        (bl.ElasticNetPrior(alpha=0.1, l1_ratio=0.5), "gaussian", "nuts"),
        (bl.RegularizedHorseshoe(), "logistic", "gibbs"),
        (bl.Laplace(lam="eb"), "logistic", "nuts"),
    ],
)
def test_auto_takes_gibbs_where_the_prior_has_it(prior, likelihood, expected):
    from bayes_l1.posterior import _resolve_sampler

    assert _resolve_sampler("auto", prior, likelihood) == expected
    assert _resolve_sampler("pymc", prior, likelihood) == "pymc"


def test_auto_is_recorded(diabetes):
    X, y = diabetes
    tree = bl.fit_posterior(X, y, prior=bl.Normal(), sampler="auto", draws=50, tune=50, chains=1)
    assert tree.attrs["bayes_l1_sampler"] == "gibbs" == tree["posterior"].attrs["sampler"]


def test_a_cv_of_other_data_is_refused(diabetes):
    X, y = diabetes
    with pytest.raises(TypeError, match="CVResult"):
        bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), cv=0.5, **GIBBS)
    other = bl.lasso_map_cv(X.iloc[:, :5], y, random_state=0)
    with pytest.raises(ValueError, match="other data"):
        bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), cv=other, **GIBBS)
    logistic = bl.lasso_map_cv(X, y > y.median(), likelihood="logistic", random_state=0)
    with pytest.raises(ValueError, match="other data"):
        bl.fit_posterior(X, y, prior=bl.Laplace(lam="cv"), cv=logistic, **GIBBS)


def test_lasso_columns_refuses_a_table_of_other_features(live):
    with pytest.raises(ValueError, match="inclusion summary of this fit"):
        bl.lasso_columns(live, table=bl.inclusion_summary(live).iloc[:3])


def test_logistic_tree_keeps_its_labels(diabetes):
    X, y = diabetes
    label = np.where(y > y.median(), "high", "low")
    tree = bl.fit_posterior(
        X.iloc[:, :4], label, likelihood="logistic", draws=30, tune=30, chains=1,
        sampler="gibbs", random_state=seed(5),
    )  # fmt: skip
    np.testing.assert_array_equal(fitted.classes(tree), ["high", "low"])
    assert set(np.unique(tree["observed_data"]["y"])) == {0, 1}
    assert "bayes_l1_y_scale" in tree.attrs and tree.attrs["bayes_l1_y_scale"] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"likelihood": "poisson"}, ValueError, "likelihood"),
        ({"draws": 0}, ValueError, "draws"),
        ({"store_X": "yes"}, TypeError, "store_X"),
        ({"target_accept": 1.5}, ValueError, "target_accept"),
        ({"marginalize": "auto"}, ValueError, "marginalize"),
        (
            {"likelihood": "logistic", "sampler": "gibbs", "prior": bl.Laplace(lam="eb")},
            ValueError,
            "gibbs",
        ),
        ({"sampler": "hmc"}, ValueError, "Unknown sampler"),
    ],
)
def test_options_are_checked_before_any_work(diabetes, kwargs, error, words):
    X, y = diabetes
    with pytest.raises(error, match=words):
        bl.fit_posterior(X, y > y.median() if "likelihood" in kwargs else y, **kwargs)


# -- the default sampler: "auto" ---------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "prior", "expected"),
    [
        ("gaussian", bl.Laplace(), "gibbs"),
        ("gaussian", bl.Laplace(lam="eb"), "gibbs"),
        ("gaussian", bl.Horseshoe(), "gibbs"),
        ("gaussian", bl.RegularizedHorseshoe(p0=2), "gibbs"),
        ("gaussian", bl.Normal(), "gibbs"),
        ("gaussian", bl.ElasticNetPrior(alpha=0.1), "nuts"),
        ("gaussian", bl.SpikeAndSlab(), "enumeration"),
        ("logistic", bl.Laplace(lam="cv"), "gibbs"),
        ("logistic", bl.RegularizedHorseshoe(), "gibbs"),
        ("logistic", bl.ElasticNetPrior(alpha=0.1), "nuts"),
    ],
)
def test_auto_is_gibbs_where_the_prior_has_a_kernel_else_nuts(likelihood, prior, expected):
    assert _resolve_sampler("auto", prior, likelihood) == expected
    # an option only NUTS honours picks NUTS (a prior over models has none: refused below)
    if expected != "enumeration":
        assert _resolve_sampler("auto", prior, likelihood, ["target_accept"]) == "nuts"
    assert _resolve_sampler("pymc", prior, likelihood) == "pymc"  # a name is kept


def test_the_estimators_default_to_auto_and_record_the_sampler_used(diabetes):
    X, y = diabetes
    tiny = dict(draws=30, tune=30, chains=1, random_state=seed(4))
    for est, target in (
        (bl.BayesianLinearRegression(**tiny), y),
        (bl.BayesianLogisticRegression(bl.Horseshoe(), **tiny), y > y.median()),
    ):
        assert est.get_params()["sampler"] == "auto"
        tree = est.fit(X, target).idata_
        assert tree.attrs["bayes_l1_sampler"] == "gibbs" and not est.marginalized_
        assert est.diagnostics_.n_divergent is None  # no NUTS statistics: Gibbs drew them
    default = bl.fit_posterior(X, y, **tiny)
    assert default.attrs["bayes_l1_sampler"] == "gibbs"
    xr.testing.assert_equal(  # sampler=None is "auto", and "auto" is the default
        bl.fit_posterior(X, y, sampler=None, **tiny)["posterior"].to_dataset(),
        default["posterior"].to_dataset(),
    )


class _Dispatched(Exception):
    """Raised by the NUTS stub below: the fit reached NUTS (nothing compiled)."""


@pytest.fixture
def nuts_calls(monkeypatch):
    """sample_nuts replaced by a stub that records its arguments and stops the fit."""
    calls = []

    def stub(model, **kwargs):
        calls.append(dict(kwargs, model=model))
        raise _Dispatched

    monkeypatch.setattr(bayes_l1.posterior, "sample_nuts", stub)
    return calls


@pytest.mark.parametrize(
    ("kwargs", "sampler", "target_accept", "marginalized"),
    [
        ({"prior": bl.ElasticNetPrior(alpha=0.1)}, "nuts", 0.9, False),  # no Gibbs kernel
        ({"sampler": "nuts"}, "nuts", 0.9, False),  # named: kept
        ({"sampler": "pymc", "prior": bl.Horseshoe()}, "pymc", 0.9, True),
        ({"target_accept": 0.95}, "nuts", 0.95, False),  # NUTS-only options pick NUTS
        ({"prior": bl.Horseshoe(), "marginalize": True}, "nuts", 0.9, True),
        ({"prior": bl.Horseshoe(), "marginalize": False}, "nuts", 0.99, False),
    ],
)
def test_nuts_where_auto_must_or_the_caller_names_it(
    diabetes, nuts_calls, kwargs, sampler, target_accept, marginalized
):
    X, y = diabetes
    with pytest.raises(_Dispatched):
        bl.BayesianLinearRegression(**kwargs, random_state=seed(0)).fit(X, y)
    (call,) = nuts_calls
    assert call["sampler"] == sampler and call["target_accept"] == target_accept
    assert ("y_marginal" in call["model"].named_vars) == marginalized


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"sampler": "gibbs", "target_accept": 0.95}, "target_accept applies to NUTS only"),
        ({"sampler": "gibbs", "marginalize": False}, "marginalize applies to NUTS only"),
        (
            {
                "sampler": "gibbs",
                "prior": bl.Horseshoe(),
                "marginalize": True,
                "target_accept": 0.9,
            },
            "target_accept and marginalize apply to NUTS only",
        ),
        ({"prior": bl.SpikeAndSlab(), "target_accept": 0.95}, "'enumeration' sampler would"),
    ],
)
def test_a_nuts_option_is_refused_by_another_sampler_not_ignored(diabetes, kwargs, words):
    X, y = diabetes
    with pytest.raises(ValueError, match=words):
        bl.fit_posterior(X, y, **kwargs)
