"""Lasso vs the PyMC model's MAP (scikit-learn as the reference), LOO comparison with Pareto-k
warnings, and decoupled shrinkage and selection against a brute-force loss."""

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from sklearn import linear_model as sklm

import bayes_l1 as bl
from bayes_l1.model import prepare
from tests.mc import assert_at_least, inclusion_draws, mcse, seed

pytest.importorskip("pymc")

SMALL = dict(draws=300, tune=300, chains=2, sampler="gibbs")  # no NUTS compile: same posterior


@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_compare_map_lasso_matches_sklearn_on_diabetes(diabetes, alpha, capsys):
    X, y = diabetes
    res = bl.compare_map_lasso(X, y, alpha=alpha, posterior=False)
    assert res.max_abs_diff <= 1e-6
    assert res.max_abs_diff_lasso_map <= 1e-6
    # an independent scikit-learn fit, not the one inside the function
    Z = (X - X.mean()) / X.std(ddof=0)
    ref = sklm.Lasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(Z, y).coef_ / X.std(ddof=0)
    np.testing.assert_allclose(res.table["pymc_map"], ref, atol=1e-6)
    # exactly sparse, with the lasso's support
    np.testing.assert_array_equal(res.table["pymc_map"] == 0, np.abs(ref.to_numpy()) < 1e-12)
    assert (res.table["pymc_map"] == 0).any()
    # the model's log density at its mode is not below its value at the lasso solution
    assert res.logp_gap >= -1e-8
    assert capsys.readouterr().out == ""  # quiet by default, as scikit-learn
    assert "max |sklearn - pymc_map|" in str(res)
    bl.compare_map_lasso(X, y, alpha=alpha, posterior=False, verbose=True)
    assert "max |sklearn - pymc_map|" in capsys.readouterr().out


def test_compare_map_lasso_logistic_on_breast_cancer():
    """Public data (scikit-learn's breast cancer, n = 569, p = 30): the PyMC logistic model's
    mode with the Laplace prior at lam = n alpha and a flat intercept is the L1 logistic
    regression, against an independent scikit-learn fit on the working scale."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    alpha = 0.05
    res = bl.compare_map_lasso(X, y, alpha=alpha, likelihood="logistic", posterior=False)
    scale = X.std(ddof=0)
    ref = sklm.LogisticRegression(
        l1_ratio=1.0, C=1 / (len(y) * alpha), solver="saga", tol=1e-13, max_iter=1_000_000
    ).fit((X - X.mean()) / scale, y)
    working = res.table["pymc_map"] * scale
    np.testing.assert_allclose(working, ref.coef_.ravel(), atol=1e-6)
    np.testing.assert_array_equal(working == 0, np.abs(ref.coef_.ravel()) < 1e-10)
    assert 0 < (working != 0).sum() < 30 and res.logp_gap >= -1e-8
    assert np.isnan(res.sigma_hat) and "logistic likelihood, flat intercept" in str(res)


def test_compare_map_lasso_logistic_posterior_columns():
    sim = bl.make_sparse_classification(200, 6, 2, random_state=2)
    res = bl.compare_map_lasso(
        sim.X, sim.y, alpha=0.02, likelihood="logistic", random_state=seed(3),
        **SMALL,
    )  # fmt: skip
    assert res.fit.attrs["bayes_l1_likelihood"] == "logistic"
    assert res.max_abs_diff <= 1e-6 and res.max_abs_diff_lasso_map <= 1e-6
    beta = res.fit["posterior"]["beta"]
    np.testing.assert_allclose(res.table["post_mean"], beta.mean(("chain", "draw")).values)


@pytest.fixture(scope="module")
def laplace_comparison(diabetes):
    X, y = diabetes
    return bl.compare_map_lasso(X, y, alpha=0.5, random_state=seed(1), **SMALL)


def test_compare_map_lasso_posterior_columns(laplace_comparison):
    res = laplace_comparison
    t = res.table
    assert list(t.columns) == [
        "sklearn",
        "lasso_map",
        "pymc_map",
        "post_mean",
        "post_median",
        "post_lower",
        "post_upper",
        "pip",
    ]
    assert ((t["post_lower"] <= t["post_median"]) & (t["post_median"] <= t["post_upper"])).all()
    assert t["pip"].between(0, 1).all()
    beta = res.fit["posterior"]["beta"]
    np.testing.assert_allclose(t["post_mean"], beta.mean(("chain", "draw")).values)
    # bmi, s5 and bp dominate diabetes: the posterior is sure about them (pip > 0.99, up to
    # z MCSEs of each pip)
    top = ["bmi", "s5", "bp"]
    assert_at_least(t.loc[top, "pip"], mcse(inclusion_draws(res.fit, top)), 0.99, label="pip")
    assert res.max_abs_diff <= 1e-6


def test_compare_map_lasso_bad_input(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="Give alpha"):
        bl.compare_map_lasso(X, y, posterior=False)
    with pytest.raises(ValueError, match="Laplace prior with a fixed rate"):
        bl.compare_map_lasso(X, y, alpha=0.1, prior=bl.Horseshoe(), posterior=False)
    with pytest.raises(ValueError, match="Laplace prior with a fixed rate"):
        bl.compare_map_lasso(X, y, alpha=0.1, prior=bl.Laplace(), posterior=False)
    with pytest.raises(ValueError, match="disagrees"):
        bl.compare_map_lasso(X, y, alpha=0.1, prior=bl.Laplace(alpha=0.2), posterior=False)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        bl.compare_map_lasso(X, y, alpha=0.1, likelihood="poisson", posterior=False)


# --------------------------------------------------------------------- LOO


def loo_tree(seed, *, bad_obs=False):
    """A normal-mean model's draws and pointwise log-likelihood; ``bad_obs`` gives one
    observation importance ratios with a Pareto tail of shape ~2 (LOO unreliable)."""
    rng = np.random.default_rng(seed)
    shape, n = (2, 200), 30
    y = np.random.default_rng(0).standard_normal(n)  # the same observations for every seed
    mu = rng.normal(0.0, 0.2, shape)
    ll = -0.5 * (y - mu[..., None]) ** 2 - 0.5 * np.log(2 * np.pi)
    if bad_obs:
        ll[..., 0] = -rng.exponential(2.0, shape)
    b = mu[..., None]
    dims = ("chain", "draw", "feature")
    post = xr.Dataset(
        {
            "beta_std": (dims, b),
            "beta": (dims, b),
            "sigma_std": (("chain", "draw"), np.ones(shape)),
        },
        coords={"feature": ["x"]},
    )
    return xr.DataTree.from_dict(
        {
            "posterior": post,
            "log_likelihood": xr.Dataset({"y": (("chain", "draw", "obs"), ll)}),
            "observed_data": xr.Dataset({"y": (("obs",), y)}),
        }
    )


def test_compare_models_flags_high_pareto_k():
    import arviz_stats as azs

    trees = {"good": loo_tree(0), "bad": loo_tree(1, bad_obs=True)}
    with pytest.warns(bl.ParetoKWarning, match="bad"):
        table = bl.compare_models(trees)
    assert table.loc["bad", "n_high_k"] >= 1 and table.loc["good", "n_high_k"] == 0
    with pytest.warns(UserWarning, match="Pareto"):  # ArviZ's own warning, for reference
        k_bad = azs.loo(trees["bad"], pointwise=True).pareto_k.values
    assert table.loc["bad", "pareto_k_max"] == pytest.approx(np.max(k_bad))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = bl.compare_models(trees, warn=False)
    pd.testing.assert_frame_equal(quiet, table)


def test_compare_models_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        bl.compare_models({"one": loo_tree(0)})
    no_ll = xr.DataTree.from_dict({"posterior": loo_tree(0)["posterior"].to_dataset()})
    with pytest.raises(ValueError, match="log_likelihood"):
        bl.compare_models({"a": loo_tree(0), "b": no_ll})
    # fits of other observations: other values, or another count
    other = loo_tree(1)
    other["observed_data"] = other["observed_data"].to_dataset() + 1.0
    with pytest.raises(ValueError, match=r"'a' and 'b' were fitted to different y \(other values"):
        bl.compare_models({"a": loo_tree(0), "b": other})
    fewer = loo_tree(1)
    fewer["observed_data"] = fewer["observed_data"].to_dataset().isel(obs=slice(1, None))
    with pytest.raises(ValueError, match=r"different y \(30 and 29 observations"):
        bl.compare_models({"a": loo_tree(0), "b": fewer})
    logistic = loo_tree(1)
    logistic["posterior"] = logistic["posterior"].to_dataset().drop_vars("sigma_std")
    with pytest.raises(ValueError, match="different likelihoods"):
        bl.compare_models({"a": loo_tree(0), "b": logistic})
    for value, error in [("0.7", TypeError), (-1.0, ValueError), (0.0, ValueError)]:
        with pytest.raises(error, match="pareto_k_max"):
            bl.compare_models({"a": loo_tree(0), "b": loo_tree(1)}, pareto_k_max=value)


def test_compare_models_laplace_vs_ridge(diabetes, laplace_comparison):
    import arviz_stats as azs

    X, y = diabetes
    ridge = bl.BayesianLinearRegression(prior=bl.Normal(), random_state=seed(2), **SMALL).fit(X, y)
    fits = {"laplace": laplace_comparison.fit, "ridge": ridge.idata_}
    table = bl.compare_models(fits, warn=False)
    assert set(table.index) == {"laplace", "ridge"}
    for name, fit in fits.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            elpd = azs.loo(fit, var_name="y").elpd
        assert table.loc[name, "elpd"] == pytest.approx(elpd)
    assert table["weight"].sum() == pytest.approx(1.0)
    # Both are reasonable linear models of diabetes: elpd close. |elpd_diff| was 0.30 to
    # 0.41 at four seeds (dse 0.30 to 0.37), so its Monte Carlo spread from 2 x 300 draws
    # is about 0.05; the bound 3 is over 50 such sds above it.
    assert table["elpd_diff"].max() == 0.0  # the better model, 0 against itself
    assert table["elpd_diff"].abs().max() < 3.0


# --------------------------------------------------------------------- DSS


def test_dss_losses_match_brute_force(laplace_comparison, diabetes):
    X, y = diabetes
    fit = laplace_comparison.fit
    res = bl.dss(fit, n_alphas=30)
    table = res.table
    assert list(table.index) == sorted(table.index) and table.index[0] == 0
    assert table.index[-1] == X.shape[1]
    assert res.suggested_size in table.index and set(res.selected) <= set(X.columns)
    # excess loss: 0 up to rounding for the full model (its projection is the posterior
    # mean prediction itself: no Monte Carlo error), large for the empty one (22 here)
    assert abs(table["excess"].iloc[-1]) <= 1e-10 * table["excess"].iloc[0]
    assert table["excess"].iloc[0] > 1.0
    assert table.loc[res.suggested_size, "excess_lower"] <= 0
    smaller = table.index[table.index < res.suggested_size]
    assert (table.loc[smaller, "excess_lower"] > 0).all()
    # brute force: psi per draw, with explicit loops over draws
    data = prepare(X, y)
    post = fit["posterior"]
    B = post["beta_std"].values.reshape(-1, X.shape[1])
    sig = post["sigma_std"].values.ravel()
    beta_bar = B.mean(axis=0)
    size = int(table.index[len(table) // 2])
    g = res.coefs[size].to_numpy() * data.design.scale / data.y_scale  # back to working
    psi, psi_full = np.empty(len(B)), np.empty(len(B))
    for s in range(len(B)):
        r = data.Z @ (B[s] - g)
        r_full = data.Z @ (B[s] - beta_bar)
        psi[s] = data.y_scale * np.sqrt(sig[s] ** 2 + r @ r / data.n)
        psi_full[s] = data.y_scale * np.sqrt(sig[s] ** 2 + r_full @ r_full / data.n)
    assert table.loc[size, "loss"] == pytest.approx(psi.mean(), rel=1e-9)
    assert table.loc[size, "excess"] == pytest.approx((psi - psi_full).mean(), rel=1e-7)
    assert res.loss_full == pytest.approx(psi_full.mean(), rel=1e-9)
    # relaxed (the default): each summary is the least-squares projection of the posterior
    # mean fit onto its support (normal equations), never farther from it than the lasso
    # solution on the same support; the dense end is the posterior mean itself
    shrunk = bl.dss(fit, n_alphas=30, relax=False)
    assert list(shrunk.table["features"]) == list(table["features"])
    target = data.Z @ beta_bar
    for size in table.index[1:]:
        g = res.coefs[size].to_numpy() * data.design.scale / data.y_scale
        on = g != 0
        np.testing.assert_allclose(data.Z[:, on].T @ (target - data.Z @ g), 0, atol=1e-9)
        lasso = shrunk.coefs[size].to_numpy() * data.design.scale / data.y_scale
        distance = np.linalg.norm(target - data.Z @ g)
        assert distance <= np.linalg.norm(target - data.Z @ lasso) + 1e-12 * np.linalg.norm(target)
    np.testing.assert_allclose(
        res.coefs[X.shape[1]], post["beta"].mean(("chain", "draw")), rtol=1e-9
    )
    # one feature: the summaries are the empty model and the posterior mean
    one = bl.fit_posterior(X[["bmi"]], y, prior=bl.Laplace(), random_state=seed(3), **SMALL)
    single = bl.dss(one)
    assert list(single.table.index) == [0, 1] and single.suggested_size == 1
    assert single.table.loc[1, "excess"] == pytest.approx(0, abs=1e-12)
    # a DataTree with the raw X gives the same summary
    again = bl.dss(fit, X=X, n_alphas=30)
    pd.testing.assert_frame_equal(again.table, table, rtol=1e-6)
    lean = fit.copy()
    lean["constant_data"] = lean["constant_data"].to_dataset().drop_vars("X")
    with pytest.raises(ValueError, match="pass X"):
        bl.dss(lean)
    pd.testing.assert_frame_equal(bl.dss(lean, X=X, n_alphas=30).table, table, rtol=1e-6)
    with pytest.raises(ValueError, match="columns"):
        bl.dss(fit, X=X.iloc[:, :3])
    # issue 11: columns matched by name (class 5), options checked by name (class 8)
    permuted = bl.dss(fit, X=X[X.columns[::-1]], n_alphas=30)
    pd.testing.assert_frame_equal(permuted.table, table, rtol=1e-6)
    for kwargs, error, words in [
        ({"prob": "0.5"}, TypeError, "prob must be a number in"),
        ({"prob": 1.0}, ValueError, "prob must be a number in"),
        ({"adaptive": "yes"}, TypeError, "adaptive must be True or False"),
    ]:
        with pytest.raises(error, match=words):
            bl.dss(fit, **kwargs)


@pytest.fixture(scope="module")
def logistic_dss_fit():
    sim = bl.make_sparse_classification(300, 8, 2, random_state=3)
    fit = bl.fit_posterior(
        sim.X, sim.y, likelihood="logistic", prior=bl.Horseshoe(), random_state=seed(14), **SMALL
    )
    return sim, fit


@pytest.mark.parametrize("relax", [True, False], ids=["relaxed", "lasso"])
def test_dss_logistic_projects_the_posterior_mean_logit(logistic_dss_fit, relax):
    """Logistic DSS: each summary solves the weighted least squares on its support (relaxed)
    or the weighted lasso it states (KKT at 1e-6), with an unpenalized intercept; the path
    ends at the posterior mean, the losses are the expected log loss (brute force), and the
    strong true features come first."""
    from scipy.special import expit

    sim, fit = logistic_dss_fit
    res = bl.dss(fit, n_alphas=40, relax=relax)
    table = res.table
    truth = set(sim.coef.index[sim.coef != 0])
    assert set(table.loc[2, "features"]) == truth  # by the posterior mean: |beta| 1 vs 0.1
    post = fit["posterior"]
    data = prepare(sim.X, sim.y, likelihood="logistic")
    Z, n = data.Z, data.n
    B = post["beta_std"].transpose("chain", "draw", "feature").values.reshape(-1, Z.shape[1])
    a = post["intercept_std"].values.ravel()
    beta_bar, eta_bar = B.mean(axis=0), a.mean() + Z @ B.mean(axis=0)
    np.testing.assert_allclose(res.coefs[8].to_numpy() * data.design.scale, beta_bar, rtol=1e-9)
    assert abs(table.loc[8, "excess"]) < 1e-12
    v = expit(eta_bar) * (1 - expit(eta_bar))
    weights = 1 / np.abs(beta_bar)
    P = expit(a[:, None] + B @ Z.T)
    for size in table.index[1:-1]:
        g = res.coefs[size].to_numpy() * data.design.scale  # working scale
        alpha = 0.0 if relax else table.loc[size, "alpha"]
        c = v @ (eta_bar - Z @ g) / v.sum()  # the intercept: weighted least squares
        r = v * (eta_bar - c - Z @ g)
        grad = Z.T @ r / n  # KKT: = alpha w_j sign(g_j) where g_j != 0, |.| <= alpha w_j else
        on = g != 0
        assert on.sum() == size
        np.testing.assert_allclose(grad[on], alpha * weights[on] * np.sign(g[on]), atol=1e-6)
        if not relax:
            assert np.all(np.abs(grad[~on]) <= alpha * weights[~on] + 1e-6)
        eta_g = c + Z @ g
        psi = -(P * np.log(expit(eta_g)) + (1 - P) * np.log(expit(-eta_g))).mean(axis=1)
        full = -(P * np.log(expit(eta_bar)) + (1 - P) * np.log(expit(-eta_bar))).mean(axis=1)
        assert table.loc[size, "loss"] == pytest.approx(psi.mean(), rel=1e-9)
        assert table.loc[size, "excess"] == pytest.approx((psi - full).mean(), rel=1e-7, abs=1e-12)
    assert table.loc[0, "excess_lower"] > 0 and res.suggested_size >= 2


def test_lasso_columns_at_the_fit_alpha(laplace_comparison, diabetes):
    X, y = diabetes
    table = bl.lasso_columns(laplace_comparison.fit).loc[X.columns]
    assert table.attrs["lasso"]["alpha_source"] == "fit"
    assert table.attrs["lasso"]["alpha"] == pytest.approx(0.5)
    np.testing.assert_allclose(table["map_coef"], laplace_comparison.table["sklearn"], atol=1e-6)
    np.testing.assert_array_equal(table["lasso_selected"], table["map_coef"] != 0)
    entered = table["lasso_entry_rank"].dropna().sort_values()
    assert set(entered.index) == set(X.columns[table["lasso_selected"]])
    assert list(entered.index[:3]) == list(bl.lasso_map_path(X, y).entry_order[:3])
