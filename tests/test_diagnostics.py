"""check_sampling on synthetic DataTrees (no MCMC): each rule fires alone, sampler statistics
of PyMC, nutpie and Gibbs runs, labels, serialization, speed, and agreement with arviz_stats."""

import json
import warnings

import arviz_stats as azs
import numpy as np
import pytest
import xarray as xr
from scipy.signal import lfilter

from bayes_l1.diagnostics import Diagnostics, SamplingWarning, check_sampling
from bayes_l1.priors import Horseshoe, RegularizedHorseshoe, SpikeAndSlab, prior_from_repr
from bayes_l1.summary import diagnose

FEATURES = ["x0", "x1", "x2"]


def make_tree(posterior, sample_stats=None, observed=None, coords=None):
    """DataTree from {name: (dims, values)} mappings, as pm.sample would lay it out."""
    groups = {"posterior": xr.Dataset(posterior, coords=coords)}
    if sample_stats is not None:
        groups["sample_stats"] = xr.Dataset(sample_stats)
    if observed is not None:
        groups["observed_data"] = xr.Dataset(observed)
    return xr.DataTree.from_dict(groups)


def ar1(rng, rho, shape):
    """Stationary AR(1) draws with unit variance along axis 1 (draw)."""
    noise = rng.normal(size=shape)
    noise[:, 0] /= np.sqrt(1 - rho**2)  # start in the stationary distribution
    return lfilter([np.sqrt(1 - rho**2)], [1, -rho], noise, axis=1)


def healthy_stats(rng, chains=4, draws=1000, treedepth_name="reached_max_treedepth"):
    return {
        "diverging": (("chain", "draw"), np.zeros((chains, draws), dtype=bool)),
        treedepth_name: (("chain", "draw"), np.zeros((chains, draws), dtype=bool)),
        "energy": (("chain", "draw"), rng.normal(size=(chains, draws))),
    }


def well_mixed(rng, chains=4, draws=1000):
    return {
        "beta": (("chain", "draw", "feature"), rng.normal(size=(chains, draws, 3))),
        "sigma": (("chain", "draw"), rng.lognormal(size=(chains, draws))),
    }


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_well_mixed_draws_pass_without_warning(rng):
    tree = make_tree(well_mixed(rng), healthy_stats(rng), coords={"feature": FEATURES})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, SamplingWarning included, fails
        diag = check_sampling(tree)
    assert isinstance(diag, Diagnostics)
    assert diag.verdict == "ok"
    assert diag.problems == () and diag.advice == ()
    assert (diag.n_chains, diag.n_draws) == (4, 1000)
    assert diag.n_divergent == 0 and diag.n_max_treedepth == 0
    assert diag.bfmi.shape == (4,) and (diag.bfmi > 1).all()  # iid energy: E-BFMI near 2
    assert list(diag.table.columns) == ["mean", "sd", "rhat", "ess_bulk", "ess_tail", "mcse_mean"]
    assert (diag.table["rhat"] < 1.01).all() and (diag.table["ess_bulk"] > 2000).all()


def test_chains_with_different_means_flag_rhat_of_that_parameter_only(rng):
    post = well_mixed(rng)
    tau = rng.normal(size=(4, 1000)) + np.array([0.0, 0.0, 0.0, 1.5])[:, None]
    post["tau"] = (("chain", "draw"), tau)
    tree = make_tree(post, healthy_stats(rng), coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning) as record:
        diag = check_sampling(tree)
    assert len(record) == 1
    assert list(diag.table.index[diag.table["rhat"] > 1.01]) == ["tau"]
    (line,) = [p for p in diag.problems if p.startswith("R-hat")]
    assert "tau (" in line and "beta" not in line and "sigma" not in line
    assert f"{diag.table.loc['tau', 'rhat']:.3f}" in line
    assert any("tune=2000, draws=2000" in a for a in diag.advice)
    message = str(record[0].message)
    assert line in message and "tune=2000" in message
    assert diag.verdict == "check"


def test_autocorrelated_draws_flag_low_ess(rng):
    post = well_mixed(rng)
    post["lam"] = (("chain", "draw"), ar1(rng, 0.99, (4, 1000)))
    tree = make_tree(post, coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning, match="ESS"):
        diag = check_sampling(tree)
    assert diag.table.loc["lam", "ess_bulk"] < 100  # about 4000 * 0.01 / 1.99 = 20
    low = diag.table.index[diag.table[["ess_bulk", "ess_tail"]].min(axis=1) < 400]
    assert list(low) == ["lam"]
    (line,) = [p for p in diag.problems if p.startswith("ESS")]
    assert "lam (bulk" in line and "400" in line and "beta" not in line
    assert diag.thresholds["ess_min"] == 400


def test_divergences_are_counted_and_advice_depends_on_prior(rng):
    stats = healthy_stats(rng)
    diverging = np.zeros((4, 1000), dtype=bool)
    diverging[1, [3, 50, 700]] = diverging[3, [10, 11, 12, 999]] = True
    stats["diverging"] = (("chain", "draw"), diverging)
    tree = make_tree(well_mixed(rng), stats, coords={"feature": FEATURES})

    with pytest.warns(SamplingWarning, match="7 divergent transitions"):
        diag = check_sampling(tree, prior_name="Horseshoe")
    assert diag.n_divergent == 7
    assert diag.problems == ("7 divergent transitions (0.2% of 4000 draws)",)
    advice = " ".join(diag.advice)
    assert "target_accept" in advice and "0.95-0.99" in advice
    assert "RegularizedHorseshoe" in advice

    with pytest.warns(SamplingWarning):
        plain = check_sampling(tree, prior_name="Normal")
    assert any("target_accept" in a for a in plain.advice)
    assert "RegularizedHorseshoe" not in " ".join(plain.advice)

    with pytest.warns(SamplingWarning):
        regularized = check_sampling(tree, prior_name="RegularizedHorseshoe")
    assert "p0" in " ".join(regularized.advice)
    # the prior itself: asked for p0 only while neither p0 nor tau0 is given
    for prior, asked in [
        (RegularizedHorseshoe(), True),
        (RegularizedHorseshoe(p0=3), False),
        (RegularizedHorseshoe(tau0=0.1), False),
    ]:
        with pytest.warns(SamplingWarning):
            advice = " ".join(check_sampling(tree, prior_name=prior).advice)
        assert ("give p0" in advice) is asked and "integrate the coefficients out" in advice
        # a saved fit: the prior rebuilt from the recorded repr, not only its class name
        saved = tree.copy()
        saved["posterior/beta_std"] = saved["posterior/beta"]
        saved.attrs |= {
            "bayes_l1_prior": repr(prior),
            "bayes_l1_prior_class": "RegularizedHorseshoe",
        }
        with pytest.warns(SamplingWarning):
            advice = " ".join(diagnose(saved).advice)
        assert ("give p0" in advice) is asked and "integrate the coefficients out" in advice
    with pytest.raises(TypeError, match="prior_name must be a prior's class name"):
        check_sampling(tree, prior_name=3)


def test_prior_from_repr_rebuilds_literal_priors_and_evaluates_nothing():
    for prior in [Horseshoe(p0=10), RegularizedHorseshoe(tau0=0.1, slab_df=2)]:
        assert prior_from_repr(repr(prior)) == prior
    assert prior_from_repr(repr(SpikeAndSlab())) is None  # model_prior is an object
    for text in [None, "", "__import__('os').getcwd()", "Horseshoe(p0=-1)", "Horseshoe(q=1)"]:
        assert prior_from_repr(text) is None


@pytest.mark.parametrize("name", ["reached_max_treedepth", "maxdepth_reached"])
def test_max_treedepth_of_pymc_and_nutpie(rng, name):
    stats = healthy_stats(rng, treedepth_name=name)
    hits = np.zeros((4, 1000), dtype=bool)
    hits[0, :5] = True
    stats[name] = (("chain", "draw"), hits)
    tree = make_tree(well_mixed(rng), stats, coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning, match="maximum tree depth"):
        diag = check_sampling(tree)
    assert diag.n_max_treedepth == 5
    assert diag.problems == ("5 transitions hit the maximum tree depth (0.1% of 4000 draws)",)
    assert any("tree depth" in a and "reparameterize" in a for a in diag.advice)


def test_slowly_wandering_energy_gives_low_bfmi(rng):
    stats = healthy_stats(rng)
    stats["energy"] = (("chain", "draw"), np.cumsum(rng.normal(size=(4, 1000)), axis=1))
    tree = make_tree(well_mixed(rng), stats, coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning, match="E-BFMI"):
        diag = check_sampling(tree, prior_name="Horseshoe")
    assert (diag.bfmi < 0.3).all()
    (line,) = diag.problems
    assert line.startswith("E-BFMI < 0.3 on 4 of 4 chains: chain 0 (")
    (advice,) = diag.advice
    assert "heavy-tailed scale" in advice and "RegularizedHorseshoe" in advice
    np.testing.assert_allclose(diag.bfmi, azs.bfmi(tree["sample_stats"]["energy"]).to_numpy())


def test_gibbs_output_without_sampler_statistics(rng):
    # no sample_stats at all, or one without any HMC statistic: checks are not applicable
    for stats in (None, {"lp": (("chain", "draw"), rng.normal(size=(4, 1000)))}):
        tree = make_tree(well_mixed(rng), stats, coords={"feature": FEATURES})
        diag = check_sampling(tree)
        assert diag.n_divergent is None and diag.n_max_treedepth is None and diag.bfmi is None
        assert diag.verdict == "ok"
        assert "Divergences: n/a; max tree depth hits: n/a; E-BFMI per chain: n/a" in str(diag)


def test_single_chain_has_nan_rhat_and_a_problem(rng):
    tree = make_tree(well_mixed(rng, chains=1), coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning, match="R-hat needs at least 2 chains"):
        diag = check_sampling(tree)
    assert diag.table["rhat"].isna().all()
    assert np.isfinite(diag.table[["ess_bulk", "ess_tail", "mcse_mean"]]).all(axis=None)
    assert diag.problems == ("R-hat needs at least 2 chains (got 1); it is NaN",)
    assert any("chains=4" in a for a in diag.advice)


def test_labels_follow_coords_and_variable_order(rng):
    post = {
        "sigma": (("chain", "draw"), rng.lognormal(size=(2, 100))),
        "beta": (("chain", "draw", "feature"), rng.normal(size=(2, 100, 3))),
        "w": (("chain", "draw", "cls", "feature"), rng.normal(size=(2, 100, 2, 3))),
        "k": (("chain", "draw", "idx"), rng.normal(size=(2, 100, 2))),
    }
    tree = make_tree(post, coords={"feature": FEATURES, "cls": ["a", "b"]})
    diag = check_sampling(tree, warn=False)  # 2 x 100 draws: R-hat may exceed 1.01
    assert list(diag.table.index) == [
        "sigma",
        "beta[x0]",
        "beta[x1]",
        "beta[x2]",
        "w[a, x0]",
        "w[a, x1]",
        "w[a, x2]",
        "w[b, x0]",
        "w[b, x1]",
        "w[b, x2]",
        "k[0]",
        "k[1]",
    ]
    # same labels and element order as arviz_stats.summary
    assert list(azs.summary(tree, round_to="none").index) == list(diag.table.index)
    # the element of w at (b, x1) is where the label says
    np.testing.assert_allclose(
        diag.table.loc["w[b, x1]", "mean"], post["w"][1][:, :, 1, 1].mean(), rtol=1e-12
    )


def test_var_names_selects_variables(rng):
    tree = make_tree(well_mixed(rng), coords={"feature": FEATURES})
    assert list(check_sampling(tree, var_names="sigma").table.index) == ["sigma"]
    assert len(check_sampling(tree, var_names=["beta"]).table) == 3
    with pytest.raises(KeyError, match="tau"):
        check_sampling(tree, var_names=["beta", "tau"])


def test_constant_parameter_is_not_a_problem_but_nonfinite_draws_are(rng):
    post = well_mixed(rng)
    post["c"] = (("chain", "draw"), np.full((4, 1000), 2.0))
    diag = check_sampling(make_tree(post, coords={"feature": FEATURES}))
    assert diag.verdict == "ok"
    assert np.isnan(diag.table.loc["c", "rhat"]) and diag.table.loc["c", "ess_bulk"] == 4000

    beta = post["beta"][1].copy()
    beta[2, 10, 1] = np.nan
    post["beta"] = (("chain", "draw", "feature"), beta)
    with pytest.warns(SamplingWarning, match=r"non-finite draws .* beta\[x1\]"):
        diag = check_sampling(make_tree(post, coords={"feature": FEATURES}))
    assert diag.table.loc["beta[x1]"].isna().all()
    assert diag.table.drop(index=["beta[x1]", "c"]).notna().all(axis=None)


def test_constant_parameter_is_not_listed_when_the_draws_are_below_the_ess_rule(rng):
    """A constant element's ESS is the number of draws: with fewer draws than the ESS rule
    asks for it was listed among the low-ESS parameters (a constant column, held at 0,
    named in the fit's problems), though nothing about it was sampled."""
    post = {"beta": (("chain", "draw", "feature"), rng.normal(size=(1, 40, 3)))}
    post["beta"][1][..., 0] = 0.0
    with pytest.warns(SamplingWarning, match="ESS < 100"):
        diag = check_sampling(make_tree(post, coords={"feature": FEATURES}))
    ess_problem = next(text for text in diag.problems if text.startswith("ESS"))
    assert "for 2 of 3 parameters" in ess_problem
    assert f"beta[{FEATURES[0]}]" not in ess_problem


def test_gibbs_advice_for_horseshoe_depends_on_p_and_n(rng):
    def advice(p, n, sampler="nuts"):
        post = {"tau": (("chain", "draw"), ar1(rng, 0.995, (4, 500)))}
        post["beta"] = (("chain", "draw", "feature"), rng.normal(size=(4, 500, p)))
        observed = None if n is None else {"y": (("obs",), rng.normal(size=n))}
        tree = make_tree(post, observed=observed)
        tree["posterior"].attrs["sampler"] = sampler
        with pytest.warns(SamplingWarning):
            return " ".join(check_sampling(tree, **kw).advice)

    kw = {"prior_name": "Horseshoe"}
    assert "with p = 60 > n = 20, use sampler='gibbs'" in advice(60, 20)
    assert "gibbs" not in advice(5, 20)
    assert "if p >> n, use sampler='gibbs'" in advice(5, None)
    # already Gibbs: at p > n the advice is the global scale (p0), not the sampler
    assert "with p = 60 > n = 20, give p0" in advice(60, 20, "gibbs")
    assert "p0" not in advice(5, 20, "gibbs") and "sampler=" not in advice(60, 20, "gibbs")
    kw = {"prior_name": "RegularizedHorseshoe"}
    assert "give p0" in advice(60, 20, "gibbs")
    kw = {"prior_name": Horseshoe()}
    assert "with p = 60 > n = 20, give p0" in advice(60, 20, "gibbs")
    kw = {"prior_name": Horseshoe(p0=10)}  # the user gave p0: not asked again
    assert "p0" not in advice(60, 20, "gibbs") and "more tuning" in advice(60, 20, "gibbs")
    kw = {"prior_name": "Normal"}
    assert "gibbs" not in advice(60, 20) and "p0" not in advice(60, 20, "gibbs")


def test_to_dict_is_json_serializable(rng):
    stats = healthy_stats(rng, chains=1)
    stats["diverging"][1][0, :2] = True
    tree = make_tree(well_mixed(rng, chains=1), stats, coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning):
        diag = check_sampling(tree, prior_name="Laplace")
    summary = diag.to_dict()
    text = json.dumps(summary, allow_nan=False)  # NaN R-hat of one chain becomes null
    back = json.loads(text)
    assert back["verdict"] == "check" and back["max_rhat"] is None
    assert back["n_divergent"] == 2 and back["n_chains"] == 1 and back["n_parameters"] == 4
    assert back["problems"] == list(diag.problems) and back["advice"] == list(diag.advice)
    assert back["thresholds"]["rhat_max"] == 1.01 and len(back["bfmi"]) == 1
    # and in DataTree attrs, as the estimators store it
    tree.attrs["bayes_l1_diagnostics"] = text
    assert json.loads(tree.attrs["bayes_l1_diagnostics"])["verdict"] == "check"


def test_str_reports_verdict_problems_advice_and_worst_rows(rng):
    stats = healthy_stats(rng)
    stats["diverging"][1][0, 0] = True
    post = well_mixed(rng)
    post["tau"] = (("chain", "draw"), ar1(rng, 0.99, (4, 1000)))
    tree = make_tree(post, stats, coords={"feature": FEATURES})
    with pytest.warns(SamplingWarning):
        diag = check_sampling(tree)
    text = str(diag)
    assert text.startswith("Sampling diagnostics: check (4 chains x 1000 draws, 5 parameters)")
    for item in diag.problems + diag.advice:
        assert item in text
    assert "Largest R-hat:" in text and "Smallest ESS:" in text
    worst_rhat, worst_ess = diag.worst()
    assert worst_rhat.index[0] == "tau" and worst_ess.index[0] == "tau"


def test_agrees_with_arviz_stats(rng):
    # odd draws (the split drops the middle one), ties, strong and negative autocorrelation
    shape = (3, 301)
    post = {
        "a": (("chain", "draw"), rng.normal(size=shape)),
        "b": (("chain", "draw"), ar1(rng, 0.9, shape)),
        "c": (("chain", "draw"), ar1(rng, -0.6, shape) + np.array([0, 0, 0.5])[:, None]),
        "d": (("chain", "draw"), np.round(rng.normal(size=shape), 1)),
        "e": (("chain", "draw"), rng.standard_cauchy(size=shape)),
    }
    tree = make_tree(post)
    table = check_sampling(tree, warn=False).table
    for name in post:
        assert table.loc[name, "rhat"] == pytest.approx(float(azs.rhat(tree)[name]), rel=1e-12)
        for method in ("bulk", "tail"):
            expected = float(azs.ess(tree, method=method)[name])
            assert table.loc[name, f"ess_{method}"] == pytest.approx(expected, rel=1e-12)
        expected = float(azs.mcse(tree, method="mean")[name])
        assert table.loc[name, "mcse_mean"] == pytest.approx(expected, rel=1e-12)
    summary = azs.summary(tree, round_to="none")
    columns = {"mean": "mean", "sd": "sd", "rhat": "r_hat", "ess_bulk": "ess_bulk"}
    columns |= {"ess_tail": "ess_tail", "mcse_mean": "mcse_mean"}
    for ours, theirs in columns.items():
        np.testing.assert_allclose(table[ours], summary.loc[table.index, theirs], rtol=1e-12)


def test_large_posterior_is_vectorized(rng, monkeypatch):
    """R-hat, ESS and MCSE of all parameters at once: arviz_stats' own functions loop over
    parameters (minutes at p = 5000), so they must not be called. The time is measured in
    benchmarks/summaries.py against arviz_stats."""
    chains, draws, p = 4, 1000, 5000
    post = {
        "beta": (("chain", "draw", "feature"), rng.normal(size=(chains, draws, p))),
        "sigma": (("chain", "draw"), rng.lognormal(size=(chains, draws))),
    }
    tree = make_tree(post, healthy_stats(rng), coords={"feature": [f"x{j}" for j in range(p)]})

    def per_parameter(*args, **kwargs):
        raise AssertionError("check_sampling called arviz_stats' per-parameter functions")

    for name in ("ess", "rhat", "mcse", "summary"):
        monkeypatch.setattr(azs, name, per_parameter)
    diag = check_sampling(tree)
    assert diag.verdict == "ok" and len(diag.table) == p + 1
    assert diag.table.index[-2:].tolist() == ["beta[x4999]", "sigma"]


def test_no_advice_to_switch_to_gibbs_for_a_gibbs_run(rng):
    """Gibbs trees say so in posterior.attrs["sampler"]: the horseshoe's p > n advice to use
    sampler='gibbs' is then left out, the rest of the advice kept."""
    post = {
        "tau": (("chain", "draw"), ar1(rng, 0.995, (2, 300))),
        "beta": (("chain", "draw", "feature"), rng.normal(size=(2, 300, 40))),
    }
    observed = {"y": (("obs",), rng.normal(size=15))}
    for sampler, expect_gibbs in (("gibbs", False), (None, True)):
        tree = make_tree(post, observed=observed)
        if sampler is not None:
            tree["posterior"].attrs["sampler"] = sampler
        with pytest.warns(SamplingWarning):
            advice = " ".join(check_sampling(tree, prior_name="RegularizedHorseshoe").advice)
        assert ("sampler='gibbs'" in advice) == expect_gibbs
        assert "run more tuning and draws" in advice


def test_sampling_warning_points_at_the_callers_line(rng):
    """Direct calls and estimator fits alike: the warning's file is the caller's, not
    bayes_l1's own."""
    import bayes_l1 as bl

    tree = make_tree({"sigma": (("chain", "draw"), ar1(rng, 0.99, (2, 200)))})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_sampling(tree)
    assert [w.filename for w in caught if w.category is SamplingWarning] == [__file__]

    X = rng.normal(size=(25, 3))
    y = X[:, 0] + rng.normal(size=25)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bl.BayesianLinearRegression(sampler="gibbs", draws=20, tune=20, chains=1).fit(X, y)
    sampling = [w for w in caught if w.category is SamplingWarning]
    assert sampling and {w.filename for w in sampling} == {__file__}


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"rhat_max": "x"}, TypeError, "rhat_max must be a number"),
        ({"rhat_max": "1.05"}, TypeError, "rhat_max must be a number"),
        ({"rhat_max": 0.99}, ValueError, "rhat_max must be finite and >= 1"),
        ({"rhat_max": np.nan}, ValueError, "rhat_max must be finite and >= 1"),
        ({"ess_min_per_chain": -5}, ValueError, "ess_min_per_chain must be finite and >= 0"),
        ({"ess_min_per_chain": None}, TypeError, "ess_min_per_chain must be a number"),
        ({"bfmi_min": np.inf}, ValueError, "bfmi_min must be finite"),
        ({"warn": "no"}, TypeError, "warn must be True or False"),
    ],
)
def test_thresholds_are_validated_by_name(rng, kwargs, error, words):
    """Issue 11, class 14: each option's message names it and what it accepts; numpy
    scalars are numbers."""
    post = make_tree(well_mixed(rng, chains=2, draws=200))
    with pytest.raises(error, match=words):
        check_sampling(post, **kwargs)
    check_sampling(post, rhat_max=np.float32(1.05), ess_min_per_chain=np.int64(10), warn=False)


def _logistic_like_tree(X, y, *, classes=True):
    """A tree with a logistic fit's groups (working X, 0/1 labels, ``classes``) whose two
    chains disagree, so R-hat is flagged."""
    draws = np.random.default_rng(0).normal(size=(2, 300, X.shape[1]))
    draws[1] += 5.0
    const = {"X": (("obs", "feature"), X)}
    if classes:
        const["classes"] = ("class", np.array([0, 1]))
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"beta": (("chain", "draw", "feature"), draws)}),
            "observed_data": xr.Dataset({"y": ("obs", np.asarray(y, dtype=float))}),
            "constant_data": xr.Dataset(const),
        }
    )


def _names_separation(diag) -> bool:
    return any("linearly separable" in a for a in diag.advice)


def test_poor_mixing_of_a_separable_logistic_fit_names_the_separation():
    """Separable classes (here one feature's sign) put the posterior in the prior's tail,
    where samplers crawl: the advice says so, with the prior's own line."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    separable = (X[:, 0] > 0).astype(float)
    diag = check_sampling(_logistic_like_tree(X, separable), prior_name="Horseshoe", warn=False)
    assert diag.verdict == "check" and _names_separation(diag)
    assert any("use RegularizedHorseshoe" in a for a in diag.advice)
    # overlapping classes, a Gaussian fit (no class labels) and p + 1 >= n (always separable)
    overlapping = np.r_[separable[:-2], 1 - separable[-2:]]
    overlapping[:4] = 1 - overlapping[:4]
    assert not _names_separation(check_sampling(_logistic_like_tree(X, overlapping), warn=False))
    tree = _logistic_like_tree(X, separable, classes=False)
    assert not _names_separation(check_sampling(tree, warn=False))
    wide = rng.standard_normal((10, 12))
    labels = rng.integers(0, 2, 10).astype(float)
    assert _names_separation(check_sampling(_logistic_like_tree(wide, labels), warn=False))
    for design, y in ((X, separable), (wide, labels)):  # a hand-made tree with a NaN
        broken = design.copy()
        broken[0, 0] = np.nan
        diag = check_sampling(_logistic_like_tree(broken, y), warn=False)
        assert diag.verdict == "check" and not _names_separation(diag)


def test_separable_classes_under_cauchy_tails_are_a_problem_however_well_mixed():
    """Under the horseshoe (Cauchy-tailed coefficients) a separating coefficient's posterior
    has no mean: well-mixed chains still get a problem and the verdict "check" (a helper's
    4 x 5000 draws on wine classes 0 and 1 passed with sds 408 to 1327 by run); under the
    regularized horseshoe (a slab), or with overlapping classes, nothing is added."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3))
    separable = (X[:, 0] > 0).astype(float)
    tree = _logistic_like_tree(X, separable)
    tree["posterior"] = xr.Dataset(
        {"beta": (("chain", "draw", "feature"), rng.normal(size=(2, 300, 3)))}
    )  # well mixed
    for prior, flagged in [
        ("Horseshoe", True),
        (Horseshoe(p0=2), True),
        ("RegularizedHorseshoe", False),
        ("Laplace", False),
        (None, False),
    ]:
        diag = check_sampling(tree, prior_name=prior, warn=False)
        cauchy = any("Cauchy tails" in p for p in diag.problems)
        assert cauchy == flagged and (diag.verdict == "check") == flagged, prior
        assert _names_separation(diag) == flagged, prior
    overlapping = np.r_[separable[:-2], 1 - separable[-2:]]
    overlapping[:4] = 1 - overlapping[:4]
    mixed = tree.copy()
    mixed["observed_data"] = xr.Dataset({"y": ("obs", overlapping)})
    assert check_sampling(mixed, prior_name="Horseshoe", warn=False).verdict == "ok"
    with pytest.warns(SamplingWarning, match="Cauchy tails"):
        check_sampling(tree, prior_name="Horseshoe")


def test_poor_polya_gamma_mixing_on_a_rare_class_suggests_nuts():
    """Imbalanced outcomes slow the Polya-Gamma Gibbs sampler (Johndrow et al. 2019): with
    poor mixing, a rare class (< 10%) adds the advice; balanced classes, or NUTS, do not."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 3))
    for positives, sampler, advised in [
        (10, "gibbs", True),
        (100, "gibbs", False),
        (10, "nutpie", False),
    ]:
        y = np.zeros(200)
        y[rng.choice(200, positives, replace=False)] = 1.0
        tree = _logistic_like_tree(X, y)
        tree["posterior"].attrs["sampler"] = sampler
        diag = check_sampling(tree, warn=False)
        assert any("one class is rare" in a for a in diag.advice) == advised


def test_exact_independent_draws_are_not_flagged_for_rhat_or_ess(rng):
    """Enumeration's draws are exact and independent: R-hat and ESS only restate their
    number. The same draws from an MCMC sampler are flagged."""
    draws = rng.normal(size=(2, 30, 3)) + np.array([0.0, 0.5])[:, None, None]  # R-hat >> 1
    for sampler, flagged in (("enumeration", False), ("mc3", True), (None, True)):
        tree = make_tree({"beta": (("chain", "draw", "feature"), draws)})
        if sampler is not None:
            tree["posterior"].attrs["sampler"] = sampler
        diag = check_sampling(tree, warn=False)
        assert (diag.verdict != "ok") == flagged, sampler
        assert (diag.table["rhat"] > 1.01).any() and (diag.table["ess_bulk"] < 200).all()
