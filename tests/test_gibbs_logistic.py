"""Polya-Gamma Gibbs samplers of the logistic models: the weighted draw against direct linear
algebra, the tree's schema against NUTS, agreement with NUTS on the same PyMC model,
simulation-based calibration, seeds, errors. All Monte Carlo bounds via tests/mc.py."""

import dataclasses
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, log_expit

import bayes_l1 as bl
from bayes_l1.model import INTERCEPT_SD, build_context, prepare
from bayes_l1.samplers import check_gibbs_supported, sample_gibbs
from bayes_l1.samplers._kernels import GaussianFactor
from bayes_l1.samplers.gibbs_logistic import LogisticData, draw_omega
from tests.mc import FAIL_PROB, assert_agree, assert_draws_match_quadrature, mcse, seed
from tests.test_gibbs import (
    _NUTS_ONLY,
    _affine_law,
    _assert_agree,
    _nuts,
    _sbc_pvalues,
    assert_schema_of_the_pymc_model,
)

_PRIORS = {
    "laplace": bl.Laplace(),
    "horseshoe": bl.Horseshoe(),
    "regularized-horseshoe": bl.RegularizedHorseshoe(),
    "normal": bl.Normal(),
}


def _classification(n, p, k=3, random_state=1):
    sim = bl.make_sparse_classification(n, p, k, random_state=random_state)
    return prepare(sim.X.to_numpy(), sim.y.to_numpy(), likelihood="logistic")


@pytest.fixture(scope="module")
def small():
    return _classification(150, 6)


@pytest.fixture(scope="module")
def wide():
    return _classification(20, 40, random_state=2)


# -- the exact conditional of (c0, w) given omega ------------------------------------------


@pytest.mark.parametrize("method", ["cholesky", "bhattacharya"])
@pytest.mark.parametrize("shape", [(25, 6), (10, 30)])
def test_weighted_draw_is_the_exact_conditional(method, shape):
    """Given omega and prior variances D, (c0, w) ~ N(A^-1 [1, Z]^T kappa, A^-1) with
    A = [1, Z]^T Omega [1, Z] + diag(5^2, D)^-1 (Polson, Scott & Windle 2013), exactly, for
    both factorizations; and the marginal of alpha = Omega^-1/2 kappa is N(0, I + Phi D Phi^T)."""
    data = _classification(*shape, random_state=3)
    rng = np.random.default_rng(0)
    omega = rng.gamma(2.0, 0.1, size=data.n)
    D = np.concatenate([[INTERCEPT_SD**2], rng.gamma(0.5, 1.0, size=data.p) + 1e-3])
    ld = LogisticData(data.Z, data.y_work, method)
    reg = ld.weighted(omega)
    assert reg.method == method
    f = GaussianFactor(reg, D)
    Z1 = np.column_stack([np.ones(data.n), data.Z])
    A = Z1.T @ (omega[:, None] * Z1) + np.diag(1.0 / D)
    cov = np.linalg.inv(A)
    mean = cov @ (Z1.T @ (data.y_work - 0.5))
    sizes = [data.p + 1] if method == "cholesky" else [data.p + 1, data.n]
    m_draw, c_draw = _affine_law(lambda r: f.draw(1.0, 0.0, r), sizes)
    np.testing.assert_allclose(m_draw, mean, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(c_draw, cov, rtol=1e-8, atol=1e-12)
    Phi, alpha = Z1 * np.sqrt(omega)[:, None], (data.y_work - 0.5) / np.sqrt(omega)
    M = np.eye(data.n) + (Phi * D) @ Phi.T
    assert f.quad(0.0) == pytest.approx(alpha @ np.linalg.solve(M, alpha), rel=1e-10)
    assert f.logdet == pytest.approx(np.linalg.slogdet(M)[1], rel=1e-10)


def test_pointwise_loglik_is_bernoulli(small):
    ld = LogisticData(small.Z, small.y_work, "auto")
    eta = np.linspace(-30.0, 30.0, small.n)
    exact = np.where(small.y_work == 1, log_expit(eta), log_expit(-eta))
    np.testing.assert_allclose(ld.loglik(eta), exact, rtol=1e-12, atol=1e-300)


# -- schema, dispatch, seeds, errors -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(_PRIORS))
def test_variables_match_the_pymc_model(small, name):
    assert_schema_of_the_pymc_model(small, _PRIORS[name])


def test_pseudo_sigma_in_the_horseshoe_global_scale(small):
    """The horseshoes' tau0 carries the pseudo-sigma, as build_model's tau does; the Laplace
    and Normal priors' scales are in units of 1 (ctx.noise)."""
    tau0 = _logistic_spec(small, bl.Horseshoe(p0=2)).tau0
    assert tau0 == pytest.approx(2 / 4 / np.sqrt(small.n) * small.pseudo_sigma())
    assert _logistic_spec(small, bl.Normal(scale=0.5)).scale == 0.5


def test_same_seed_same_draws(wide):
    kw = dict(draws=10, tune=10, chains=2, cores=1)
    for prior in _PRIORS.values():
        a = sample_gibbs(wide, prior, random_seed=seed(11), **kw)
        b = sample_gibbs(wide, prior, random_seed=seed(11), **kw)
        np.testing.assert_array_equal(a["posterior"]["beta"], b["posterior"]["beta"])
        assert a["posterior"].attrs["method"] == "bhattacharya"


def test_errors(small):
    with pytest.raises(ValueError, match=r"lam='eb'.*gaussian likelihood.*'nuts'"):
        sample_gibbs(small, bl.Laplace(lam="eb"), draws=5, tune=5, chains=1)
    with pytest.raises(ValueError, match="ElasticNetPrior use sampler='nuts'"):
        check_gibbs_supported(bl.ElasticNetPrior(alpha=0.1), "logistic")
    for prior in _PRIORS.values():
        check_gibbs_supported(prior, "logistic")


def test_estimator(classification):
    """BayesianLogisticRegression(sampler="gibbs") end to end: the tree, predictions, and the
    coefficients of the relevant features away from 0."""
    X, y = classification
    m = bl.BayesianLogisticRegression(
        bl.RegularizedHorseshoe(p0=4), sampler="gibbs", draws=400, tune=300, chains=2,
        random_state=seed(0),
    ).fit(X, y)  # fmt: skip
    assert m.idata_.attrs["bayes_l1_sampler"] == "gibbs"
    assert m.idata_.attrs["bayes_l1_likelihood"] == "logistic"
    assert m.predict_proba(X).shape == (len(y), 2)
    assert set(np.unique(m.idata_["posterior_predictive"]["y"])) <= {0, 1}
    assert m.score(X, y) > 0.7


# -- agreement with NUTS -------------------------------------------------------------------


@pytest.mark.slow  # compiles a NUTS model (~20 s on a cold cache); CI runs it
def test_agreement_with_nuts_fast(small):
    """n=150, p=6, Normal prior with its HalfNormal scale: same posterior as NUTS, and the
    same tree: groups, variables (less the NUTS-only auxiliaries), dims and data (the
    log-likelihood pointwise Bernoulli; no sigma)."""
    prior = bl.Normal()
    gibbs = sample_gibbs(small, prior, draws=2000, tune=300, chains=2, random_seed=seed(1))
    nuts = _nuts(small, prior, draws=1000, tune=500)
    _assert_agree(gibbs, nuts)
    assert set(gibbs.children) == set(nuts.children)
    for group in set(nuts.children) - {"sample_stats"}:
        ref, got = nuts[group].to_dataset(), gibbs[group].to_dataset()
        # y_obs: the joint PyMC model's data container (fit_posterior rewrites constant_data)
        names = set(ref.data_vars) - _NUTS_ONLY - {"y_obs"}
        assert set(got.data_vars) == names, group
        for v in names:
            assert got[v].dims == ref[v].dims, (group, v)
    np.testing.assert_array_equal(gibbs["observed_data"]["y"], nuts["observed_data"]["y"])
    ll = gibbs["log_likelihood"]["y"].to_numpy()
    post = gibbs["posterior"]
    eta = post["intercept_std"].to_numpy()[..., None] + post["beta_std"].to_numpy() @ small.Z.T
    np.testing.assert_allclose(ll, small.y_work * eta - np.logaddexp(0.0, eta), atol=1e-9)
    np.testing.assert_allclose(gibbs["sample_stats"]["loglik"], ll.sum(-1))
    assert "sigma" not in post and "sigma_std" not in post


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(_PRIORS))
def test_agreement_with_nuts(small, name):
    """Every prior at n=150, p=6: means within combined MCSEs, sds within 10% or MCSEs."""
    prior = _PRIORS[name]
    gibbs = sample_gibbs(small, prior, draws=4000, tune=500, chains=2, random_seed=seed(1))
    nuts = _nuts(small, prior, draws=2000, tune=1000)
    _assert_agree(gibbs, nuts)


@pytest.mark.slow
def test_agreement_with_nuts_wide(wide):
    """p > n (n=20, p=40, Bhattacharya draws), regularized horseshoe."""
    prior = bl.RegularizedHorseshoe(p0=3)
    gibbs = sample_gibbs(wide, prior, draws=6000, tune=1000, chains=2, random_seed=seed(1))
    nuts = _nuts(wide, prior, draws=2000, tune=1000)
    _assert_agree(gibbs, nuts)


# -- the non-centred step of the global scale -----------------------------------------------


def _curve_log_density(ld, spec, st, xs):
    """The density along the curve the step moves on (t = e^x, w = z sd(t), z fixed), written
    from the model's joint density in (log t, log local, w) with the Jacobian prod_j sd_j(t)
    of w = z sd(t)."""
    c2 = st.get("c2", np.inf)

    def sd(t):
        v = (t * st["local"]) ** 2
        return np.sqrt(v if np.isinf(c2) else c2 * v / (c2 + v))

    z = st["w"] / sd(st["t"])
    out = []
    for x in xs:
        s = sd(np.exp(x))
        w = z * s
        eta = st["c0"] + ld.Z @ w
        lp = stats.halfcauchy.logpdf(np.exp(x), scale=spec.tau0) + x
        lp += np.sum(stats.norm.logpdf(w, scale=s)) + np.sum(np.log(s))
        out.append(lp + np.sum(log_expit(np.where(ld.y == 1.0, eta, -eta))))
    return np.array(out)


def _curve_start(data, prior, rng) -> dict:
    """A state whose coefficients point the way the labels favour (interior modes)."""
    ld = LogisticData(data.Z, data.y_work, "auto")
    spec = _logistic_spec(data, prior)
    w = ld.Z.T @ (ld.y - ld.y.mean())
    w = 1.5 * w / np.abs(w).max() + 0.02 * rng.standard_normal(ld.p)
    start = {"t": spec.tau0, "c0": 0.3, "w": w, "local": np.abs(w) / spec.tau0 / 0.7 + 0.1}
    if isinstance(prior, bl.RegularizedHorseshoe):
        start["c2"] = 4.0
    start["eta"] = start["c0"] + ld.Z @ w
    return ld, spec, start


def _repeat(step, ld, spec, start, rng, key):
    """2 chains of 3000 applications of ``step`` alone, the draws of log ``st[key]``."""
    chains = []
    for _ in range(2):
        st = dict(start)
        draws = []
        for _ in range(3000):
            step(ld, spec, st, rng)
            draws.append(np.log(st[key]))
        chains.append(draws)
    return chains


@pytest.mark.parametrize("name", ["horseshoe", "regularized-horseshoe"])
def test_noncentred_global_step_samples_its_curve(wide, name):
    """Repeated alone, the non-centred step of t is a Markov chain on one curve (z = w / sd(t)
    fixed); the mean and sd of its log t match quadrature of the joint density along that
    curve, with the Jacobian of w = z sd(t), within MCSEs. Power, measured: the regularized
    horseshoe's target written as linear in t (the horseshoe's shortcut) fails by 90 MCSE."""
    from bayes_l1.samplers.gibbs_logistic import _noncentred_global_step

    rng = np.random.default_rng(seed(17))
    ld, spec, start = _curve_start(wide, _PRIORS[name], rng)
    chains = _repeat(_noncentred_global_step, ld, spec, start, rng, "t")
    x = np.log(spec.tau0) + np.linspace(-30.0, 30.0, 24001)
    logp = _curve_log_density(ld, spec, start, x)
    assert np.max(logp[[0, -1]]) - logp.max() < np.log(1e-12)  # the grid holds the mass
    assert_draws_match_quadrature(chains, x, logp, label="log t")


def test_noncentred_slab_step_samples_its_curve(wide):
    """The same for the slab's c^2 (z = w / sd(c) fixed): the joint density along the curve
    from the model's own terms, c^2 / s^2 ~ InvGamma(df / 2, df / 2) and w_j ~ N(0, sd_j^2)
    with the Jacobian prod_j sd_j of w = z sd(c). Power, measured: the quadrature without
    the Jacobian of c^2 = e^x fails by 42 MCSE."""
    from bayes_l1.samplers._kernels import log_slab_var
    from bayes_l1.samplers.gibbs_logistic import _noncentred_slab_step

    rng = np.random.default_rng(seed(18))
    ld, spec, start = _curve_start(wide, _PRIORS["regularized-horseshoe"], rng)
    chains = _repeat(_noncentred_slab_step, ld, spec, start, rng, "c2")
    log_t, log_local = np.log(start["t"]), np.log(start["local"])
    z = start["w"] / np.exp(0.5 * log_slab_var(log_t, log_local, np.log(start["c2"])))
    prior_c2 = stats.invgamma(0.5 * spec.slab_df, scale=0.5 * spec.slab_df * spec.slab_scale**2)
    x = np.log(start["c2"]) + np.linspace(-25.0, 25.0, 20001)
    logp = []
    for v in x:
        sd = np.exp(0.5 * log_slab_var(log_t, log_local, v))
        eta = start["c0"] + ld.Z @ (z * sd)
        lp = prior_c2.logpdf(np.exp(v)) + v + np.sum(stats.norm.logpdf(z * sd, scale=sd))
        logp.append(lp + np.sum(np.log(sd)) + np.sum(log_expit(np.where(ld.y == 1.0, eta, -eta))))
    logp = np.array(logp)
    assert np.max(logp[[0, -1]]) - logp.max() < np.log(1e-12)
    assert_draws_match_quadrature(chains, x, logp, label="log c^2")


# -- simulation-based calibration ----------------------------------------------------------


def _logistic_spec(data, prior):
    """The GibbsSpec sample_gibbs resolves for these data: its context, the pseudo-sigma of
    the labels as sigma (in the horseshoes' tau0), as build_model writes the prior."""
    ctx = dataclasses.replace(build_context(data, prior), sigma=data.pseudo_sigma())
    return prior.gibbs_spec(ctx)


def _draw_truth(name, prior, spec, p, rng):
    """The intercept, the prior's scales (model names) and w, from the model's prior."""
    truth = {"intercept_std": rng.normal(0.0, INTERCEPT_SD)}
    if name == "normal":
        s = abs(rng.standard_normal())
        w = s * rng.standard_normal(p)
        truth["ridge_scale"] = s
    elif name == "laplace":
        lam = np.sqrt(rng.gamma(prior.r, 1 / prior.delta))
        w = rng.laplace(0.0, 1.0 / lam, size=p)
        truth["lam"] = lam
    elif spec.kind in ("horseshoe", "regularized-horseshoe"):
        # tau ~ C+(0, tau0) with the pseudo-sigma in spec.tau0; local_j ~ C+(0, 1)
        tau = abs(stats.cauchy.rvs(scale=spec.tau0, random_state=rng))
        local = abs(stats.cauchy.rvs(size=p, random_state=rng))
        var = (tau * local) ** 2
        truth["tau"] = tau
        if spec.kind == "regularized-horseshoe":  # c^2 = s^2 c2_aux, c2_aux ~ IG(df/2, df/2)
            c2 = spec.slab_scale**2 * stats.invgamma.rvs(
                spec.slab_df / 2, scale=spec.slab_df / 2, random_state=rng
            )
            var = c2 * var / (c2 + var)
            truth["c"] = np.sqrt(c2)
        w = np.sqrt(var) * rng.standard_normal(p)
        truth.update({f"local[{j}]": v for j, v in enumerate(local)})
    else:
        raise ValueError(name)
    return truth, w


def _sbc_ranks(name, n_sims, base_seed, n_draws=39, thin=4, tune=100, n=40, p=3):
    """Talts et al. (2018) for the logistic model: parameters from the prior, labels from
    the model, the rank of each true value among thinned posterior draws. One design, n x p.

    The horseshoes' global scale is C+(0, tau0 * pseudo-sigma of the labels): a prior that
    depends on y. So each horseshoe data set fixes a label count k (uniform on n/4..n/2) and
    redraws (parameters, labels) until sum(y) is k or n - k, which fixes the pseudo-sigma
    and the prior before the draw. Conditioning on a statistic of y keeps SBC exact: the
    truth of a kept data set is a draw from its posterior."""
    rng = np.random.default_rng(base_seed)
    base = prepare(rng.standard_normal((n, p)), np.tile([0, 1], n // 2), likelihood="logistic")
    prior = _PRIORS[name]
    horseshoe = name in ("horseshoe", "regularized-horseshoe")
    ranks = []
    for i in range(n_sims):
        k = spec = None
        if horseshoe:
            k = int(rng.integers(n // 4, n // 2 + 1))
            labels = (np.arange(n) < k).astype(float)
            spec = _logistic_spec(dataclasses.replace(base, y_work=labels, y=labels), prior)
        while True:
            truth, w = _draw_truth(name, prior, spec, p, rng)
            eta = truth["intercept_std"] + base.Z @ w
            y = (rng.uniform(size=n) < expit(eta)).astype(float)
            if not horseshoe or y.sum() in (k, n - k):
                break
        data = dataclasses.replace(base, y_work=y, y=y)
        if horseshoe:  # the prior the sampler resolves is the one drawn from (k or n - k)
            got = _logistic_spec(data, prior)
            assert got.tau0 == pytest.approx(spec.tau0, rel=1e-12)
            assert dataclasses.replace(got, tau0=spec.tau0) == spec
        g = sample_gibbs(
            data, prior, draws=n_draws, tune=tune, thin=thin, chains=1,
            random_seed=base_seed + i, cores=1,
        )  # fmt: skip
        post = g["posterior"]
        row = [int((post["beta_std"].values[0] < w).sum(0)[j]) for j in range(p)]
        for key, v in truth.items():
            var, _, j = key.partition("[")
            d = post[var].values[0] if not j else post[var].values[0][:, int(j[:-1])]
            row.append(int((d < v).sum()))
        ranks.append(row)
    return np.array(ranks)


@pytest.mark.parametrize(
    "name",
    # the plain horseshoe's case (20 s) is slow: the default suite keeps the regularized
    # one, which runs the same kernel, and CI runs both horseshoes' full test_sbc
    [pytest.param(n, marks=pytest.mark.slow) if n == "horseshoe" else n for n in sorted(_PRIORS)],
)
def test_sbc_fast(name):
    """60 simulated data sets, ranks of 39 draws in 5 bins: Bonferroni-corrected chi-square
    p-values above 1e-5 (a correct sampler fails with probability below 1e-5). Ranked: the
    coefficients, the intercept and the prior's scales (horseshoes: tau, each local scale
    and the slab's c)."""
    ranks = _sbc_ranks(name, n_sims=60, base_seed=seed(20261204))
    pvals = _sbc_pvalues(ranks, 39, bins=5)
    assert pvals.min() * pvals.size > FAIL_PROB, pvals


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(_PRIORS))
def test_sbc(name):
    """400 data sets, ranks of 99 draws (every 5th of 495 after 200 warm-up) in 10 bins
    (horseshoes ~95 s, regularized horseshoe ~130 s). Power, measured: truths of tau drawn
    without the pseudo-sigma are rejected (p ~ 3e-15); a tau scale off by a factor 2
    upwards is not (p ~ 2e-5 uncorrected)."""
    ranks = _sbc_ranks(name, n_sims=400, base_seed=seed(20261204), n_draws=99, thin=5, tune=200)
    pvals = _sbc_pvalues(ranks, 99, bins=10)
    assert pvals.min() * pvals.size > FAIL_PROB, pvals


@pytest.mark.slow
@pytest.mark.parametrize("name", ["horseshoe", "regularized-horseshoe"])
def test_sbc_wide(name):
    """SBC with p + 1 > n (n = 12, p = 16): the sample-space (Bhattacharya) draws of
    (c0, w) given omega, and the local scales' rejection-or-slice updates."""
    ranks = _sbc_ranks(
        name, n_sims=400, base_seed=seed(20261206), n_draws=99, thin=5, tune=200, n=12, p=16
    )  # fmt: skip
    pvals = _sbc_pvalues(ranks, 99, bins=10)
    assert pvals.min() * pvals.size > FAIL_PROB, pvals


def test_fixed_scale_normal_posterior_mean_matches_quadrature():
    """One coefficient, no intercept uncertainty to speak of: the posterior mean of w under
    N(0, 1) by the sampler equals 2-D quadrature over (c0, w), within z MCSEs."""
    rng = np.random.default_rng(7)
    n = 30
    x = rng.standard_normal(n)
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-(0.3 + 1.2 * x)))).astype(int)
    data = prepare(x[:, None], y, likelihood="logistic")
    g = sample_gibbs(data, bl.Normal(scale=1.0), draws=3000, tune=200, chains=2,
                     random_seed=seed(5))  # fmt: skip
    z = data.Z[:, 0]
    cs, ws = np.linspace(-4, 4, 401), np.linspace(-4, 5, 451)
    C, W = np.meshgrid(cs, ws, indexing="ij")
    eta = C[..., None] + W[..., None] * z
    logp = (data.y_work * eta - np.logaddexp(0.0, eta)).sum(-1)
    logp += -0.5 * W**2 - 0.5 * (C / INTERCEPT_SD) ** 2
    wts = np.exp(logp - logp.max())
    exact = np.array([(W * wts).sum(), (C * wts).sum()]) / wts.sum()
    post = g["posterior"]
    w = post["beta_std"].isel(feature=0)
    got = [float(w.mean()), float(post["intercept_std"].mean())]
    se = [float(mcse(w)), float(mcse(post["intercept_std"]))]
    assert_agree(got, se, exact, label="posterior means")


def test_cli_accepts_gibbs_with_logistic():
    import argparse

    from bayes_l1.cli import check_sampling_options

    args = argparse.Namespace(sampler="gibbs", p0=None, prior="horseshoe")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_sampling_options(args)


def test_ridge_scale_prior_posterior_means_match_quadrature():
    """One strong coefficient (near separation), Normal prior with its HalfNormal(1) scale:
    the means of w, c0 and the scale match 3-D quadrature over (c0, w, log scale), within
    z MCSEs. Exercises the Polya-Gamma block, the non-centred scale step and the intercept
    step together, where |eta| is large."""
    rng = np.random.default_rng(1)
    n = 30
    x = rng.standard_normal(n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.5 + 3.0 * x)))).astype(int)
    data = prepare(x[:, None], y, likelihood="logistic")
    g = sample_gibbs(data, bl.Normal(), draws=3000, tune=300, chains=2, random_seed=seed(5))
    z = data.Z[:, 0]
    cs, ws = np.linspace(-6, 6, 121), np.linspace(-2, 14, 241)
    scales = np.exp(np.linspace(-4, 3.5, 151))
    C, W = np.meshgrid(cs, ws, indexing="ij")
    eta = C[..., None] + W[..., None] * z
    loglik = (-np.logaddexp(0, np.where(data.y_work == 1, -eta, eta))).sum(-1)
    loglik -= 0.5 * (C / INTERCEPT_SD) ** 2
    # in log s: HalfNormal(1) density times s; w | s ~ N(0, s^2)
    logp = loglik[..., None] - 0.5 * (W[..., None] / scales) ** 2 - 0.5 * scales**2
    wts = np.exp(logp - logp.max())
    exact = [float((v * wts).sum() / wts.sum()) for v in (W[..., None], C[..., None], scales)]
    post = g["posterior"]
    draws = [post["beta_std"].isel(feature=0), post["intercept_std"], post["ridge_scale"]]
    got = [float(d.mean()) for d in draws]
    assert_agree(got, [float(mcse(d)) for d in draws], exact, label="posterior means")


@pytest.mark.parametrize("eta", [0.5, 50.0, 200.0, 1e3, -1e3, 1e5])
def test_polya_gamma_draws_have_their_mean_at_large_eta(eta):
    """omega ~ PG(1, eta) has mean tanh(eta / 2) / (2 eta) and variance
    (2 tanh(eta / 2) - eta sech^2(eta / 2)) / (4 eta^3) (Polson, Scott & Windle 2013), also
    where |eta| is large (a separating coefficient): polyagamma's default method returned
    draws near 0.16 there, 64 times the mean at eta = 200."""
    m = 20_000
    draws = draw_omega(np.full(m, eta), np.random.default_rng(seed(11)))
    a = abs(eta)
    mean = np.tanh(a / 2) / (2 * a)
    sech2 = 4 * np.exp(-a) / (1 + np.exp(-a)) ** 2  # sech^2(a / 2), without overflow
    var = (2 * np.tanh(a / 2) - a * sech2) / (4 * a**3)
    assert_agree(draws.mean(), np.sqrt(var / m), mean, label=f"mean of PG(1, {eta})")


def test_horseshoe_posterior_of_a_separating_feature_matches_quadrature():
    """x separates the classes completely, so the likelihood alone does not bound w and its
    posterior is the horseshoe's heavy tail: P(w < q) at three quantiles q of the exact
    posterior (quadrature over (c0, w), the prior of w integrated over log(tau local), cut
    at the sampler's cap) equal the sampler's, within z MCSEs. Failed by 9 to 11 MCSEs
    (P(w < q_0.1) 0.16-0.18, P(w < q_0.5) 0.61) while the Polya-Gamma draws were wrong for
    |eta| >= 180."""
    rng = np.random.default_rng(3)
    n = 30
    x = rng.standard_normal(n)
    data = prepare(x[:, None], (x > 0).astype(int), likelihood="logistic")
    post = sample_gibbs(data, bl.Horseshoe(), draws=2000, tune=500, chains=2,
                        random_seed=seed(12))["posterior"]  # fmt: skip
    tau0 = _logistic_spec(data, bl.Horseshoe()).tau0  # the prior's global scale, as sampled
    z = data.Z[:, 0]
    # density of log s, s = tau local: log tau + log local, each the log of a half-Cauchy
    g = np.linspace(-45.0, 45.0, 9001)
    h = g[1] - g[0]

    def log_cauchy_density(u):
        return u - np.logaddexp(0.0, 2.0 * u)

    f_s = np.convolve(np.exp(log_cauchy_density(g)), np.exp(log_cauchy_density(g - np.log(tau0))),
                      mode="same")  # fmt: skip
    f_s[g > np.log(1e6 / np.sqrt(z @ z))] = 0.0  # the cap t^2 local^2 z^T z <= 1e12
    keep = f_s > 1e-300
    s, f_s = np.exp(g[keep]), f_s[keep] * h
    w = np.concatenate([-np.logspace(7, -3, 1000), np.logspace(-3, 7, 1000)])
    prior_w = (np.exp(-0.5 * (w[:, None] / s) ** 2) / s * f_s).sum(axis=1)
    c = np.linspace(-12.0, 12.0, 241)
    sign = 2.0 * data.y_work - 1.0
    loglik = log_expit(sign * (c[:, None, None] + w[None, :, None] * z)).sum(-1)
    joint = np.exp(loglik - loglik.max() - 0.5 * (c[:, None] / INTERCEPT_SD) ** 2)
    mass = joint.sum(axis=0) * prior_w * np.gradient(w)
    cdf = np.cumsum(mass / mass.sum())
    qs = w[np.searchsorted(cdf, [0.1, 0.5, 0.9])]
    beta = post["beta_std"].isel(feature=0)
    below = [(beta < q).astype(float) for q in qs]
    got = [float(b.mean()) for b in below]
    assert_agree(got, [float(mcse(b)) for b in below], [0.1, 0.5, 0.9],
                 label="P(w < q) at the exact deciles 1, 5, 9")  # fmt: skip


def test_swap_step_samples_the_exchangeable_pairs():
    """Repeated alone on three features, the swap step is a Markov chain on the 3! ways of
    giving them three (local, w) pairs. The pairs are exchangeable a priori, so the exact
    probability of each way is proportional to its Bernoulli likelihood; the visit
    frequencies of 2 chains match it within MCSEs (ESS of the indicator draws), and every
    state keeps its pairs whole with eta = c0 + Z w. Power, measured: x_j - x_k with the
    wrong sign in the proposed eta fails by 200 MCSE."""
    import itertools

    import xarray as xr

    from bayes_l1.samplers.gibbs_logistic import _swap_step

    rng = np.random.default_rng(seed(23))
    data = _classification(40, 3, k=2, random_state=5)
    ld = LogisticData(data.Z, data.y_work, "auto")
    w0, local0, c0 = np.array([0.15, -0.1, 0.05]), np.array([2.0, 1.0, 0.5]), 0.2
    ways = list(itertools.permutations(range(3)))  # feature f holds pair way[f]
    loglik = np.array([ld.loglik(c0 + ld.Z @ w0[list(way)]).sum() for way in ways])
    exact = np.exp(loglik - loglik.max()) / np.exp(loglik - loglik.max()).sum()
    assert exact.min() > 0.02  # every way is visited often enough to be compared
    visits = np.zeros((2, 2000, len(ways)))
    for chain in range(2):
        st = {"w": w0.copy(), "local": local0.copy(), "t": 1.0, "c0": c0}
        st["eta"] = c0 + ld.Z @ st["w"]
        for draw in range(visits.shape[1]):
            _swap_step(ld, st, rng)
            way = tuple(int(np.flatnonzero(local0 == v)[0]) for v in st["local"])
            np.testing.assert_array_equal(st["w"], w0[list(way)])
            visits[chain, draw, ways.index(way)] = 1.0
        np.testing.assert_allclose(st["eta"], c0 + ld.Z @ st["w"], rtol=0, atol=1e-9)
    draws = xr.DataArray(visits, dims=("chain", "draw", "way"))
    assert_agree(visits.mean((0, 1)), mcse(draws), exact, label="P(way)")
