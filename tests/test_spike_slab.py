"""Spike-and-slab (SpikeAndSlab prior, sampler="enumeration"): exact model averaging under
g-priors, drawn into the package's DataTree schema.

The draws are independent, so the Monte Carlo error of an inclusion frequency is binomial:
the number of draws with gamma_j = 1 is Binomial(N, pip_j) with N = chains x draws, and the
tests bound it by the exact binomial quantiles at the suite's failure probability (mc.py),
arithmetic on N, not a normal approximation (which fails for pips near 0 or 1). Means of
continuous quantities are compared in MCSE units (mc.assert_agree).
"""

from __future__ import annotations

import numpy as np
import pytest
from mc import FAIL_PROB, assert_agree, mcse, seed
from scipy import stats

import bayes_l1 as bl
from bayes_l1.bma import enumerate_models, resolve_g, sample_g
from bayes_l1.bma.gprior import shrinkage_from_rss
from bayes_l1.model import prepare
from bayes_l1.samplers.model_space import MAX_ENUMERATION, sample_models

CHAINS, DRAWS = 2, 2000
N_DRAWS = CHAINS * DRAWS


def _fit(X, y, prior, base=0, **kw):
    kw = {"draws": DRAWS, "chains": CHAINS, "random_state": seed(base), **kw}
    return bl.fit_posterior(X, y, prior=prior, **kw)


def assert_binomial(counts, n: int, prob, *, label=""):
    """Each count is a plausible draw of Binomial(n, prob): inside its central binomial
    interval of mass 1 - FAIL_PROB / m (m counts at once, Bonferroni)."""
    counts, prob = np.broadcast_arrays(np.asarray(counts), np.asarray(prob, float))
    alpha = FAIL_PROB / max(counts.size, 1)
    lo = stats.binom.ppf(alpha / 2, n, prob)
    hi = stats.binom.isf(alpha / 2, n, prob)
    bad = (counts < lo) | (counts > hi)
    assert not bad.any(), f"{label}: counts {counts[bad]} outside [{lo[bad]}, {hi[bad]}] of n={n}"


PRIORS = [
    bl.SpikeAndSlab(),
    bl.SpikeAndSlab(g="hyper-g", a=3.0),
    bl.SpikeAndSlab(g="hyper-g/n"),
    bl.SpikeAndSlab(g="bic"),
    bl.SpikeAndSlab(g=50.0, model_prior=bl.BetaBinomial(1, 1)),
    bl.SpikeAndSlab(g="n", model_prior=0.2),
]


@pytest.mark.parametrize("prior", PRIORS, ids=lambda p: p.g_prior.label)
def test_pips_are_the_enumeration_pips(diabetes, prior):
    X, y = diabetes
    tree = _fit(X, y, prior)
    assert tree.attrs["bayes_l1_sampler"] == "enumeration"
    exact = enumerate_models(X, y, g=prior.g, a=prior.a, model_prior=prior.model_prior)
    np.testing.assert_allclose(tree["posterior"].attrs["pip_exact"], exact.pip, atol=1e-12)
    gamma = tree["posterior"]["gamma"]
    assert gamma.dims == ("chain", "draw", "feature") and gamma.dtype == np.int8
    counts = gamma.sum(("chain", "draw")).to_numpy()
    assert_binomial(counts, N_DRAWS, exact.pip.to_numpy(), label="gamma counts")
    table = bl.inclusion_summary(tree)  # the exact pips, not the draw frequencies
    np.testing.assert_allclose(table["pip"], exact.pip[table.index], rtol=0, atol=1e-12)
    assert table.attrs["eps"] is None and "exact" in table.attrs["pip_definition"]


def _order(tree, table):
    names = list(tree["posterior"]["feature"].values)
    return [names.index(f) for f in table.index]


def test_excluded_coefficients_are_exactly_zero_and_stats_describe_the_model(diabetes):
    X, y = diabetes
    prior = bl.SpikeAndSlab(g="zellner-siow")
    tree = _fit(X, y, prior, base=1)
    post, stats_ = tree["posterior"], tree["sample_stats"]
    gamma = post["gamma"].to_numpy()
    for var in ("beta", "beta_std"):
        values = post[var].transpose("chain", "draw", "feature").to_numpy()
        assert np.all(values[gamma == 0] == 0.0) and np.all(values[gamma == 1] != 0.0)
    np.testing.assert_array_equal(stats_["model_size"], gamma.sum(axis=-1))
    codes = stats_["model_code"].to_numpy()
    np.testing.assert_array_equal(codes, (gamma << np.arange(X.shape[1])).sum(axis=-1))
    exact = enumerate_models(X, y, g="zellner-siow")
    np.testing.assert_allclose(stats_["log_model_prob"], np.log(exact.prob[codes]), rtol=1e-12)
    assert np.all((post["shrinkage"] > 0) & (post["shrinkage"] < 1))
    assert tree["log_likelihood"]["y"].sizes == {"chain": CHAINS, "draw": DRAWS, "obs": len(y)}


@pytest.mark.parametrize(
    "prior",
    [bl.SpikeAndSlab(), bl.SpikeAndSlab(g="hyper-g/n"), bl.SpikeAndSlab(g="bic")],
    ids=lambda p: p.g_prior.label,
)
def test_posterior_mean_is_the_model_averaged_mean(diabetes, prior):
    X, y = diabetes
    tree = _fit(X, y, prior, base=2)
    exact = enumerate_models(X, y, g=prior.g, a=prior.a, model_prior=prior.model_prior)
    beta = tree["posterior"]["beta"]
    assert_agree(beta.mean(("chain", "draw")), mcse(beta), exact.coef, label="beta mean")
    intercept = tree["posterior"]["intercept"]
    assert_agree(intercept.mean(), mcse(intercept), exact.intercept, label="intercept mean")


def test_noise_precision_has_its_exact_model_averaged_mean(diabetes):
    """E[1 / sigma^2 | y] = sum_m p(m | y) (n-1) / (SST (1 - g/(1+g) R^2_m)) for fixed g:
    checks the sigma^2 conditional, the one part the coefficient means do not see."""
    X, y = diabetes
    g = float(len(y))
    tree = _fit(X, y, bl.SpikeAndSlab(g=g), base=3)
    exact = enumerate_models(X, y, g=g)
    sst = float(np.sum((y - y.mean()) ** 2))
    shrink = g / (1.0 + g)
    expected = np.sum(exact.prob * (len(y) - 1) / (sst * (1.0 - shrink * exact.r2)))
    precision = 1.0 / tree["posterior"]["sigma"] ** 2
    assert_agree(precision.mean(), mcse(precision), expected, label="E[1/sigma^2]")


def test_g_draws_have_the_exact_posterior_shrinkage():
    rng = np.random.default_rng(seed(4))
    for kind in ("zellner-siow", "hyper-g", "hyper-g/n"):
        prior = resolve_g(kind)
        for rss, k, n in [(0.5, 3, 50), (0.05, 8, 400), (0.99, 1, 20)]:
            g = sample_g(rss, k, n, prior, rng.uniform(size=20_000))
            s = g / (1.0 + g)
            exact = shrinkage_from_rss(np.array([rss]), np.array([k]), n, prior)[0]
            assert_agree(s.mean(), s.std() / np.sqrt(s.size), exact, label=f"{kind} {rss}")
    assert np.all(sample_g(0.5, 2, 30, resolve_g("bic"), [0.5]) == np.inf)


def test_the_fit_reads_like_any_other(diabetes, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from bayes_l1 import plots

    X, y = diabetes
    tree = _fit(X, y, bl.SpikeAndSlab(), base=5, draws=500)
    table = bl.inclusion_summary(tree)
    assert {"pip", "selected", "rank_median", "p_top_k"} <= set(table.columns)
    assert table.attrs["expected_fdr"] <= 0.1
    assert list(table.index[:3]) == ["bmi", "bp", "s5"] or set(table.index[:3]) == {
        "bmi",
        "bp",
        "s5",
    }
    ranks = bl.rank_distribution(tree)
    assert ranks.shape[0] == X.shape[1]
    # exact, from every model's probability, as the pips (not the draws' frequency)
    exact = enumerate_models(X, y, g="zellner-siow")
    pair = exact.models[:, [exact.feature_names.index(f) for f in ("s1", "s2")]]
    for how, hit in (("any", pair.any(axis=1)), ("all", pair.all(axis=1))):
        expected = exact.prob[hit].sum()
        assert bl.joint_inclusion(tree, ["s1", "s2"], how=how) == pytest.approx(expected, abs=1e-9)
    assert bl.joint_inclusion(tree, "s1") == pytest.approx(table.loc["s1", "pip"], abs=1e-9)
    assert bl.diagnose(tree).verdict == "ok"
    for fig in (
        plots.plot_inclusion(table),
        plots.plot_coefficients(tree, table=table),
        plots.plot_ranks(tree),
    ):
        matplotlib.pyplot.close(fig.figure if hasattr(fig, "figure") else fig)
    # a tree written to disk summarizes the same
    path = tmp_path / "fit.nc"
    tree.to_netcdf(path)
    import xarray as xr

    reloaded = xr.open_datatree(path).load()
    assert bl.inclusion_summary(reloaded).equals(table)


def test_the_estimator_and_loo(diabetes):
    X, y = diabetes
    m = bl.BayesianLinearRegression(
        prior=bl.SpikeAndSlab(), draws=500, chains=2, random_state=seed(6)
    ).fit(X, y)
    assert m.idata_.attrs["bayes_l1_sampler"] == "enumeration"
    exact = enumerate_models(X, y, g="zellner-siow")
    beta = m.idata_["posterior"]["beta"]
    assert_agree(m.coef_, mcse(beta), exact.coef, label="coef_")
    assert m.predict(X[:5]).shape == (5,)
    horseshoe = bl.fit_posterior(
        X, y, prior=bl.Horseshoe(), sampler="gibbs", draws=300, tune=300, chains=2,
        random_state=seed(6),
    )  # fmt: skip
    comparison = bl.compare_models({"spike-slab": m, "horseshoe": horseshoe}, warn=False)
    assert set(comparison.index) == {"spike-slab", "horseshoe"}


# -- What BAS users read from a fit: top models, HPM / MPM / BPM, model size, BMA --------


@pytest.mark.parametrize("prior", PRIORS[:2] + PRIORS[4:5], ids=lambda p: p.g_prior.label)
def test_model_posterior_of_a_fit_is_the_enumeration(diabetes, prior, tmp_path):
    """The fit's model table gives what enumerate_models gives (itself checked against brute
    force and blma in test_gprior.py): exact, no Monte Carlo error; also after a reload."""
    import xarray as xr

    X, y = diabetes
    tree = _fit(X, y, prior, base=11, draws=50)
    exact = enumerate_models(X, y, g=prior.g, a=prior.a, model_prior=prior.model_prior)
    tree.to_netcdf(tmp_path / "fit.nc")
    for fit in (tree, xr.open_datatree(tmp_path / "fit.nc").load()):
        models = bl.model_posterior(fit)
        assert models.method == "enumeration" and models.prob.sum() >= 1 - 1e-12
        ours, ref = models.top_models(20), exact.top_models(20)
        assert list(ours["model"]) == list(ref["model"])
        for col in ("r2", "log_bf", "prob"):
            np.testing.assert_allclose(ours[col], ref[col], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(models.pip, exact.pip, atol=1e-11)
        np.testing.assert_allclose(models.size_posterior, exact.size_posterior, atol=1e-11)
        assert models.highest_probability_model == exact.highest_probability_model
        assert models.median_probability_model == exact.median_probability_model
        assert models.best_predictive_model() == exact.best_predictive_model()
        np.testing.assert_allclose(models.coef, exact.coef, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(models.predict(X), exact.predict(X), rtol=1e-10)
        assert models.log_evidence == pytest.approx(exact.log_evidence, rel=1e-12)
        assert repr(models).startswith("BMAResult(method='enumeration', ")
        assert "over 10 features (age, sex, bmi, bp, s1, ...), n=442" in repr(models)
        assert len(repr(models)) < 300  # not the arrays (the Gram matrix among them)


def test_the_draws_average_to_the_model_averaged_prediction(diabetes):
    """The estimator's predict (the mean over draws) estimates the BMA prediction:
    within the suite's MCSE bound of the exact one at every row."""
    import xarray as xr

    X, y = diabetes
    tree = _fit(X, y, bl.SpikeAndSlab(), base=12)
    post = tree["posterior"]
    Xd = xr.DataArray(X.to_numpy(), dims=("obs", "feature"), coords={"feature": list(X.columns)})
    fitted = post["intercept"] + (post["beta"] * Xd).sum("feature")
    exact = bl.model_posterior(tree).predict(X.iloc[:, ::-1])  # columns matched by name
    assert_agree(fitted.mean(("chain", "draw")), mcse(fitted), exact, label="BMA prediction")


def test_mc3_model_table_has_the_exact_probability_ratios():
    """MC3's table: every model the chain evaluated, its probability renormalized over them,
    so ratios between models are exact; the highest-probability model is the exact one."""
    X, y = _uscrime()
    fit = bl.fit_posterior(
        X, y, prior=bl.SpikeAndSlab(), sampler="mc3", draws=500, tune=100, chains=2,
        random_state=seed(13),
    )  # fmt: skip
    models, exact = bl.model_posterior(fit), enumerate_models(X, y, g="zellner-siow")
    assert models.method == "mc3" and np.isnan(models.log_evidence)
    assert models.prob.sum() == pytest.approx(1.0, abs=1e-12)
    top = models.top_models(10)
    ref = exact.top_models(2**15).set_index("model")["prob"]
    ratio = top["prob"].to_numpy() / ref[top["model"]].to_numpy()
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    assert models.highest_probability_model == exact.highest_probability_model
    # the pips reported are the gamma draws' mean (unbiased), not the renormalized ones
    table = bl.inclusion_summary(fit)
    assert "mean of the model indicators gamma" in table.attrs["pip_definition"]
    gamma = fit["posterior"]["gamma"].mean(("chain", "draw")).to_series()
    np.testing.assert_allclose(table["pip"], gamma[table.index], rtol=1e-12)


def test_model_posterior_needs_a_fit_over_models_that_kept_X(diabetes):
    X, y = diabetes
    laplace = bl.fit_posterior(X, y, prior=bl.Laplace(), sampler="gibbs", draws=50, tune=50,
                               chains=1, random_state=0)  # fmt: skip
    with pytest.raises(
        ValueError, match=r"no posterior over models: fit with prior=bl\.SpikeAndSlab"
    ):
        bl.model_posterior(laplace)
    slim = _fit(X, y, bl.SpikeAndSlab(), draws=20, store_X=False)
    with pytest.raises(ValueError, match=r"kept no X.*store_X=True"):
        bl.model_posterior(slim)
    models = bl.model_posterior(_fit(X, y, bl.SpikeAndSlab(), draws=20))
    with pytest.raises(ValueError, match="X must be 2-D with 10 columns"):
        models.predict(X.to_numpy()[:, :3])
    with pytest.raises(ValueError, match=r"columns do not match.*missing \['s1'"):
        models.predict(X.drop(columns="s1"))
    bad = X.to_numpy().copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        models.predict(bad)
    with pytest.raises(ValueError, match=r"X must be 2-D \(n_samples, n_features\)"):
        models.predict(X.to_numpy()[0])


def test_constant_columns_are_out_of_every_model(diabetes):
    X, y = diabetes
    X = X.assign(const=1.0)
    with pytest.warns(UserWarning, match="constant"):
        tree = _fit(X, y, bl.SpikeAndSlab(), base=7, draws=200)
    post = tree["posterior"]
    assert np.all(post["gamma"].sel(feature="const") == 0)
    assert np.all(post["beta"].sel(feature="const") == 0)
    assert post.attrs["pip_exact"][-1] == 0.0
    models = bl.model_posterior(tree)  # over the features that vary
    assert "const" not in models.feature_names
    np.testing.assert_allclose(models.pip, post.attrs["pip_exact"][:-1], atol=1e-11)


def test_same_seed_same_draws(diabetes):
    X, y = diabetes
    a = _fit(X, y, bl.SpikeAndSlab(), base=8, draws=100)
    b = _fit(X, y, bl.SpikeAndSlab(), base=8, draws=100)
    np.testing.assert_array_equal(a["posterior"]["beta"], b["posterior"]["beta"])


def test_bad_inputs_get_clear_errors(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="SpikeAndSlab supports the gaussian likelihood"):
        bl.fit_posterior(X, y > y.median(), likelihood="logistic", prior=bl.SpikeAndSlab())
    for sampler in ("nuts", "pymc"):
        with pytest.raises(
            ValueError, match=r"no NUTS construction.*'enumeration', 'mc3' or 'auto'"
        ):
            bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(), sampler=sampler)
    with pytest.raises(ValueError, match="for SpikeAndSlab use sampler='enumeration'"):
        bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(), sampler="gibbs")
    with pytest.raises(ValueError, match="needs a SpikeAndSlab prior; for Horseshoe use"):
        bl.fit_posterior(X, y, prior=bl.Horseshoe(), sampler="enumeration")
    with pytest.raises(ValueError, match="marginalize=True needs"):
        bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(), marginalize=True)
    with pytest.raises(ValueError, match="g must be finite and > 0"):
        bl.SpikeAndSlab(g=-1.0)
    with pytest.raises(ValueError, match="a must be > 2"):
        bl.SpikeAndSlab(g="hyper-g", a=2.0)
    with pytest.raises(ValueError, match="BAS's 'ZS-null' is g='zellner-siow' here"):
        bl.SpikeAndSlab(g="ZS-null")  # R BAS's names are mapped in the message
    by_name = bl.SpikeAndSlab(model_prior="beta-binomial").model_prior  # as the CLI's
    assert by_name == bl.BetaBinomial(1, 1)
    with pytest.raises(ValueError, match="a applies to g='hyper-g'"):
        bl.SpikeAndSlab(g="n", a=3.0)
    with pytest.raises(ValueError, match="Bernoulli pi must be in"):
        bl.SpikeAndSlab(model_prior=1.5)
    with pytest.raises(ValueError, match="model_prior must be"):
        bl.SpikeAndSlab(model_prior="flat")
    with pytest.raises(ValueError, match="SpikeAndSlab has no NUTS construction"):
        bl.build_model(prepare(X, y), bl.SpikeAndSlab())
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(40, MAX_ENUMERATION + 1))
    with pytest.raises(ValueError, match=f"p = {MAX_ENUMERATION + 1} features vary.*'mc3'"):
        sample_models(
            prepare(wide, wide[:, 0] + rng.normal(size=40)), bl.SpikeAndSlab(), method="enumeration"
        )
    with pytest.raises(ValueError, match="method must be 'auto' or one of"):
        sample_models(prepare(X, y), bl.SpikeAndSlab(), method="gibbs")


def test_the_prior_states_its_support():
    prior = bl.SpikeAndSlab()
    assert prior.likelihoods == ("gaussian",) and prior.model_space and not prior.nuts
    assert prior.gibbs_kernel is None and prior.map_penalty(None) is None
    assert not bl.Laplace.model_space
    assert bl.priors.resolve_prior("spike-slab") == prior


# -- Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) ----
#
# The intercept and sigma have improper priors (flat, 1/sigma^2), so (y, parameters) cannot
# be drawn from the joint. But p(c, sigma) ~ 1/sigma is the right Haar measure of the
# location-scale group, and gamma, g and the standardized coefficients w / sigma are
# invariant under y -> a + b y: their posterior depends on y only through
# (y - mean y) / ||y - mean y||, whose distribution given (gamma, g, w / sigma) does not
# involve c or sigma. So drawing gamma, g and w / sigma from their (proper) priors and y with
# any fixed c and sigma is a draw from the joint of those quantities and the data, and the
# rank of the true value among L exact posterior draws is uniform on {0, ..., L}. The
# g-prior N(0, g sigma^2 (Z_g^T Z_g)^-1) is the same for any rescaling of the centred columns
# (the sampler's unit-norm design, bma/design.py, or X's own units), so it is simulated here
# on the centred X and compared with beta / sigma on the original scale.

SBC_N, SBC_P, SBC_L, SBC_BINS = 30, 5, 99, 10  # L + 1 = 100 ranks in 10 bins of 10


def _sbc_design() -> np.ndarray:
    """A fixed design (the data under test): n = 30, p = 5, AR(1)-like correlation 0.6."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(SBC_N, SBC_P))
    for j in range(1, SBC_P):
        X[:, j] = 0.6 * X[:, j - 1] + 0.8 * X[:, j]
    return X


def _prior_draw(prior, rng, n: int, p: int):
    """(gamma, g) from the prior of ``prior``, written out from the definitions (not from the
    package's code): the model prior's inclusion probability pi, then g."""
    mp = prior.model_prior
    if isinstance(mp, bl.BetaBinomial):
        pi = rng.beta(mp.a, mp.b)
    else:
        pi = getattr(mp, "pi", 0.5)  # uniform over models: each feature in with 1/2
    gamma = rng.uniform(size=p) < pi
    gp = prior.g_prior
    if gp.kind in ("fixed", "n"):
        g = float(gp.g if gp.kind == "fixed" else n)
    elif gp.kind == "zellner-siow":  # InvGamma(1/2, n/2)
        g = 0.5 * n / rng.gamma(0.5)
    else:  # g/(1+g) ~ Beta(1, a/2 - 1), on g/n for hyper-g/n
        v = rng.beta(1.0, 0.5 * gp.a - 1.0)
        g = v / (1.0 - v) * (n if gp.kind == "hyper-g/n" else 1.0)
    return gamma, g


def _randomized_rank(draws: np.ndarray, truth: float, rng) -> int:
    """Number of draws below the truth plus a uniform share of the ties: uniform on
    {0, ..., L} for a calibrated posterior, also for discrete quantities (gamma, the model
    size, a coefficient at exactly 0)."""
    ties = int(np.sum(draws == truth))
    return int(np.sum(draws < truth)) + int(rng.integers(ties + 1))


def _sbc_pvalues(fit_prior, sim_prior, base: int, reps: int, coef_var: float = 1.0) -> dict:
    """Chi-square p-values (9 degrees of freedom) of the ranks of the model size, each
    gamma_j, each w_j / sigma, the signal ||Z w||^2 / sigma^2 and (mixtures of g-priors) g,
    over ``reps`` data sets simulated from ``sim_prior`` (``coef_var`` times the g-prior's
    covariance) and fitted under ``fit_prior`` by exact enumeration with L = 99 draws."""
    X = _sbc_design()
    Xc = X - X.mean(axis=0)
    n, p = X.shape
    rng = np.random.default_rng(seed(base))
    ranks: dict[str, list[int]] = {}
    for _ in range(reps):
        gamma, g = _prior_draw(sim_prior, rng, n, p)
        w = np.zeros(p)
        idx = np.flatnonzero(gamma)
        if idx.size:
            cov = coef_var * g * np.linalg.inv(Xc[:, idx].T @ Xc[:, idx])
            w[idx] = rng.multivariate_normal(np.zeros(idx.size), cov)
        sigma = 2.0
        y = 3.0 + X @ (sigma * w) + sigma * rng.standard_normal(n)
        tree = sample_models(
            prepare(X, y), fit_prior, draws=SBC_L, chains=1, random_seed=rng.integers(2**32),
            method="enumeration",
        )  # fmt: skip
        post = tree["posterior"].isel(chain=0)
        gam = post["gamma"].transpose("draw", "feature").to_numpy()
        ws = (post["beta"] / post["sigma"]).transpose("draw", "feature").to_numpy()
        pairs = {"size": (gam.sum(axis=1), gamma.sum()), "signal": (
            np.sum((ws @ Xc.T) ** 2, axis=1), np.sum((Xc @ w) ** 2)
        )}  # fmt: skip
        for j in range(p):
            pairs[f"gamma[{j}]"] = (gam[:, j], float(gamma[j]))
            pairs[f"w[{j}]/sigma"] = (ws[:, j], w[j])
        if fit_prior.g_prior.kind in ("zellner-siow", "hyper-g", "hyper-g/n"):
            pairs["g"] = (post["g"].to_numpy(), g)
        for name, (draws, truth) in pairs.items():
            ranks.setdefault(name, []).append(_randomized_rank(draws, truth, rng))
    width = (SBC_L + 1) // SBC_BINS
    return {
        name: float(stats.chisquare(np.bincount(np.asarray(r) // width, minlength=SBC_BINS)).pvalue)
        for name, r in ranks.items()
    }


@pytest.mark.parametrize(
    "prior",
    [
        bl.SpikeAndSlab(),  # Zellner-Siow, uniform over models
        # each ~4 s (200 trees built): CI's slow list
        pytest.param(
            bl.SpikeAndSlab(g="hyper-g", model_prior=bl.BetaBinomial(1, 1)), marks=pytest.mark.slow
        ),
        pytest.param(bl.SpikeAndSlab(g=10.0, model_prior=0.3), marks=pytest.mark.slow),
    ],
    ids=lambda p: p.g_prior.label,
)
def test_simulation_based_calibration(prior):
    """SBC over 200 data sets (n = 30, p = 5): the ranks of every quantity identified by the
    model (see above) are uniform. Each chi-square p-value must exceed FAIL_PROB / m for the
    m quantities (Bonferroni): a calibrated sampler fails with probability below FAIL_PROB."""
    pvalues = _sbc_pvalues(prior, prior, base=20, reps=200)
    threshold = FAIL_PROB / len(pvalues)
    bad = {k: v for k, v in pvalues.items() if v <= threshold}
    assert not bad, f"SBC ranks not uniform (p <= {threshold:.1e}): {bad}"


@pytest.mark.parametrize(
    "sim_prior, coef_var, reps",
    [
        (bl.SpikeAndSlab(g="hyper-g"), 1.0, 100),  # g from another prior
        # models from another prior; coefficients twice as wide as the g-prior's
        pytest.param(bl.SpikeAndSlab(model_prior=0.2), 1.0, 200, marks=pytest.mark.slow),
        pytest.param(bl.SpikeAndSlab(), 4.0, 200, marks=pytest.mark.slow),
    ],
    ids=["g-prior", "model-prior", "coefficient-scale"],
)
def test_calibration_check_rejects_a_wrong_prior(sim_prior, coef_var, reps):
    """The SBC check has power: data simulated from another prior than the one fitted
    (Zellner-Siow, uniform) give some p-value below the threshold the calibrated fits pass."""
    pvalues = _sbc_pvalues(bl.SpikeAndSlab(), sim_prior, base=21, reps=reps, coef_var=coef_var)
    assert min(pvalues.values()) <= FAIL_PROB / len(pvalues), pvalues


# -- MC3: a Metropolis chain over models, for p beyond enumeration ----------------------


def _uscrime():
    from test_gprior import blma_uscrime

    return blma_uscrime()


def test_mc3_pips_are_the_enumeration_pips():
    """UScrime (p = 15, blma's transform): MC3's renormalized PIPs over the models it
    evaluated are within 0.01 of the exact ones (issue 12's bound), and its draws of gamma
    agree with the exact PIPs within their MCSE (correlated draws: ESS-based)."""
    X, y = _uscrime()
    tree = sample_models(
        prepare(X, y), bl.SpikeAndSlab(), draws=2000, tune=100, chains=4,
        random_seed=seed(9), method="mc3",
    )  # fmt: skip
    post = tree["posterior"]
    assert post.attrs["sampler"] == "mc3" and "pip_exact" not in post.attrs
    exact = enumerate_models(X, y, g="zellner-siow").pip.to_numpy()
    np.testing.assert_allclose(post.attrs["pip_renormalized"], exact, atol=0.01)
    gamma = post["gamma"].astype(float)
    assert_agree(gamma.mean(("chain", "draw")), mcse(gamma), exact, label="MC3 gamma")
    beta = post["beta_std"].transpose("chain", "draw", "feature").to_numpy()
    assert np.all(beta[post["gamma"].to_numpy() == 0] == 0.0)
    assert 0 < float(tree["sample_stats"]["accept"].mean()) < 1


def test_auto_switches_to_mc3_beyond_the_enumeration_limit():
    rng = np.random.default_rng(3)
    n, p = 60, MAX_ENUMERATION + 5
    X = rng.normal(size=(n, p))
    y = 2.0 * X[:, 0] - 1.5 * X[:, 1] + rng.normal(size=n)
    # beyond enumeration the uniform prior over models is flagged (multiplicity) ...
    with pytest.warns(UserWarning, match=r"expects p / 2 = 12.5 of the 25.*BetaBinomial\(1, 1\)"):
        bl.fit_posterior(X, y, prior=bl.SpikeAndSlab(g="n"), draws=20, chains=1, random_state=0)
    tree = bl.fit_posterior(  # ... and BetaBinomial(1, 1) is not
        X, y, prior=bl.SpikeAndSlab(g="n", model_prior=bl.BetaBinomial(1, 1)), draws=300,
        tune=100, chains=2, random_state=seed(10),
    )  # fmt: skip
    assert tree.attrs["bayes_l1_sampler"] == "mc3"
    assert "model_code" in tree["sample_stats"]  # p <= 62
    table = bl.inclusion_summary(tree)
    assert set(table.index[:2]) == {"x0", "x1"} and table["pip"].iloc[:2].min() > 1 - 1e-9


@pytest.mark.slow
def test_mc3_at_n200_p1000_finds_the_true_features():
    """Issue 12's speed case: n = 200, p = 1000, 10 true features, BetaBinomial(1, 1)."""
    rng = np.random.default_rng(0)
    n, p = 200, 1000
    X = rng.normal(size=(n, p))
    b = np.zeros(p)
    b[:10] = rng.choice([-1.0, 1.0], 10) * rng.uniform(0.5, 1.5, 10)
    y = X @ b + rng.normal(size=n)
    prior = bl.SpikeAndSlab(model_prior=bl.BetaBinomial(1, 1))
    tree = bl.fit_posterior(X, y, prior=prior, random_state=seed(11))
    assert tree.attrs["bayes_l1_sampler"] == "mc3" and "model_code" not in tree["sample_stats"]
    pip = tree["posterior"]["gamma"].mean(("chain", "draw")).to_numpy()
    assert pip[:10].min() > 0.9


def test_mc3_mixing_advice_is_more_draws():
    """Poor R-hat / ESS under MC3 (star98's collinear interactions: R-hat 1.06 at 4 x 1000
    draws, fine at 4 x 10,000 in 3.6 s) advises more draws, not NUTS's tuning."""
    from bayes_l1.diagnostics import _advice

    advice = _advice({"rhat", "ess"}, "SpikeAndSlab", (303, 21), sampler="mc3")
    assert any("draws=10000" in a for a in advice)
    assert not any("tune=" in a for a in advice)
    assert any("tune=2000" in a for a in _advice({"rhat"}, "Horseshoe", (30, 5), sampler="nuts"))


def test_eps_is_refused_or_warned_for_a_fit_over_models(diabetes, tmp_path):
    """pip of a spike-and-slab fit is P(gamma_j = 1 | y): an eps given would be ignored."""
    X, y = diabetes
    tree = _fit(X, y, bl.SpikeAndSlab(), base=7, draws=100)
    with pytest.warns(UserWarning, match="eps plays no role for a spike-and-slab fit"):
        with_eps = bl.inclusion_summary(tree, eps=0.3)
    np.testing.assert_array_equal(with_eps["pip"], bl.inclusion_summary(tree)["pip"])
    with pytest.warns(UserWarning, match="eps plays no role"):
        bl.joint_inclusion(tree, "bmi", eps=0.3)
    from bayes_l1.cli import main

    X.assign(y=y).to_csv(tmp_path / "d.csv", index=False)
    args = ["fit", str(tmp_path / "d.csv"), "--target", "y", "--prior", "spike-slab"]
    assert main([*args, "--eps", "0.1", "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
