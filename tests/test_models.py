"""The PyMC models are the ones we claim: log densities against the penalized objectives,
structure, and bad input. No sampling here (see test_estimators.py)."""

import numpy as np
import pytest
from scipy import stats

import bayes_l1 as bl
from bayes_l1.model import build_context, build_model, prepare
from bayes_l1.priors import BuildContext

pytest.importorskip("pymc")


@pytest.fixture(scope="module")
def diabetes_data(diabetes):
    return prepare(*diabetes)


def working_objective(data, w, alpha_w, l1_ratio):
    """lasso_map's objective on the working scale (standardized X and y)."""
    r = data.y_work - data.Z @ w
    return (
        r @ r / (2 * data.n)
        + alpha_w * l1_ratio * np.abs(w).sum()
        + 0.5 * alpha_w * (1 - l1_ratio) * w @ w
    )


@pytest.mark.parametrize(
    ("prior_of", "l1_ratio"),
    [
        (lambda alpha, lam, scale: bl.Laplace(lam=lam), 1.0),
        (lambda alpha, lam, scale: bl.ElasticNetPrior(alpha=alpha, l1_ratio=0.5), 0.5),
        (lambda alpha, lam, scale: bl.Normal(scale=scale), 0.0),
    ],
    ids=["laplace", "elastic-net", "normal"],
)
def test_log_posterior_is_the_penalized_objective(diabetes_data, prior_of, l1_ratio):
    """With sigma fixed, log p(w | y) = -n / sigma_w^2 * objective(w) + const at ANY w: the
    model's posterior is exactly the penalized likelihood, so its mode is lasso_map."""
    data = diabetes_data
    X, y = bl.load_diabetes()
    sigma, alpha = 54.0, 0.8  # original scale of y
    sigma_w = sigma / data.y_scale
    lam = bl.lam_from_alpha(alpha / data.y_scale, sigma=sigma_w, n=data.n)
    scale = 0.3  # Normal: ridge alpha = 1 / (n scale^2), scale-free in y
    prior = prior_of(alpha, lam, scale)
    # The elastic-net prior maps alpha with sigma_hat; pin it to the fixed sigma.
    ctx = BuildContext(data.n, data.p, "gaussian", sigma_hat=sigma_w, y_scale=data.y_scale)
    model = build_model(data, prior, sigma=sigma, context=ctx)
    logp = model.compile_logp()
    if l1_ratio == 0:
        alpha_w = 1 / (data.n * scale**2)
        alpha_orig = alpha_w
    else:
        alpha_w = alpha / data.y_scale
        alpha_orig = alpha
    # The elastic net's L2 part does not scale with y: alpha_w differs per part.
    res = bl.lasso_map(X, y, alpha_orig, l1_ratio=l1_ratio, tol=1e-13)
    w_hat = res.coef_working / data.y_scale
    if l1_ratio not in (0.0, 1.0):
        l1_w, l2_w = alpha / data.y_scale * l1_ratio, alpha * (1 - l1_ratio)

        def objective(w):
            r = data.y_work - data.Z @ w
            return r @ r / (2 * data.n) + l1_w * np.abs(w).sum() + 0.5 * l2_w * w @ w
    else:

        def objective(w):
            return working_objective(data, w, alpha_w, l1_ratio)

    def at(w):
        return logp({"beta_std": w, "intercept_std": np.array(0.0)})

    rng = np.random.default_rng(0)
    base = at(w_hat)
    for _ in range(20):
        w = w_hat + rng.standard_normal(data.p) * rng.choice([1e-3, 0.1, 1.0])
        expected = -data.n / sigma_w**2 * (objective(w) - objective(w_hat))
        assert at(w) - base == pytest.approx(expected, rel=1e-9, abs=1e-9)
    for j in range(data.p):  # and the solution is the mode, coordinate by coordinate
        for step in (-1e-5, 1e-5):
            w = w_hat.copy()
            w[j] += step
            assert at(w) <= base


def test_laplace_lam_from_alpha_round_trips(diabetes_data):
    prior = bl.Laplace(alpha=0.8)
    ctx = build_context(diabetes_data, prior)
    lam = prior.fixed_lam(ctx)
    assert lam == pytest.approx(diabetes_data.n * 0.8 / diabetes_data.y_scale / ctx.sigma_hat)
    alpha, l1_ratio = prior.map_penalty(ctx)
    assert (alpha, l1_ratio) == (pytest.approx(0.8), 1.0)
    # sigma_hat is a sensible noise estimate (diabetes residual sd is about 54).
    assert 50 < ctx.sigma_hat * diabetes_data.y_scale < 58


def test_laplace_cv_uses_the_cross_validated_alpha(diabetes_data):
    X, y = bl.load_diabetes()
    ctx = build_context(diabetes_data, bl.Laplace(lam="cv"), random_state=0)
    cv = bl.lasso_map_cv(X, y, random_state=0)
    assert ctx.alpha_cv == pytest.approx(cv.alpha)
    assert bl.Laplace(lam="cv").map_penalty(ctx)[0] == pytest.approx(cv.alpha)


@pytest.mark.parametrize(
    ("prior", "free", "scales"),
    [
        (bl.Laplace(), {"lam2", "beta_std", "sigma_std", "intercept_std"}, {"lam"}),
        (bl.Laplace(lam=2.0), {"beta_std", "sigma_std", "intercept_std"}, {"lam"}),
        (bl.Horseshoe(p0=3), {"tau_a", "tau_b", "local_a", "local_b", "z"}, {"tau", "local"}),
        (bl.RegularizedHorseshoe(p0=3), {"c2_aux", "z"}, {"tau", "local", "c"}),
        (bl.Normal(), {"ridge_scale", "beta_std"}, {"ridge_scale"}),
        (bl.ElasticNetPrior(alpha=0.5), {"beta_std"}, set()),
    ],
)
def test_model_structure(diabetes_data, prior, free, scales):
    model = build_model(diabetes_data, prior)
    names = {v.name for v in model.free_RVs}
    assert free <= names
    deterministic = {v.name for v in model.deterministics}
    assert {"beta", "intercept", "sigma"} <= deterministic | names
    assert scales <= deterministic | names
    assert list(model.coords["feature"]) == list(diabetes_data.feature_names)
    assert {"X", "y_obs"} <= set(model.named_vars)
    assert np.isfinite(model.compile_logp()(model.initial_point()))


@pytest.mark.parametrize("shape", [(30, 8), (12, 30)], ids=["woodbury", "sample-space"])
@pytest.mark.parametrize(
    "prior", [bl.RegularizedHorseshoe(p0=2), bl.Horseshoe(), bl.Normal()], ids=repr
)
def test_marginal_likelihood_is_the_gaussian_integral(shape, prior):
    """marginalize=True: the potential is log N(y | c0, sigma^2 I + Z diag(sd^2) Z^T), in
    both algebraic forms, at random points; the coefficients are no longer variables."""
    sim = bl.make_sparse_regression(*shape, 3, random_state=0)
    data = prepare(sim.X, sim.y)
    model = build_model(data, prior, marginalize=True)
    assert not {"z", "beta_std", "beta"} & set(model.named_vars)
    outs = [model[v] for v in ("y_marginal", "coef_sd", "sigma_std", "intercept_std")]
    fn = model.compile_fn(model.replace_rvs_by_values(outs), inputs=model.value_vars)
    rng = np.random.default_rng(1)
    for _ in range(3):
        point = {k: v + rng.normal(0, 0.7, v.shape) for k, v in model.initial_point().items()}
        ll, sd, sigma, c0 = fn(point)
        cov = sigma**2 * np.eye(data.n) + (data.Z * sd**2) @ data.Z.T
        expected = stats.multivariate_normal.logpdf(data.y_work, np.full(data.n, c0), cov)
        assert ll == pytest.approx(expected, rel=1e-10)


def test_marginalize_needs_a_gaussian_scale_mixture(diabetes_data):
    with pytest.raises(ValueError, match="marginalize=True needs the Gaussian likelihood"):
        build_model(diabetes_data, bl.Laplace(), marginalize=True)
    sim = bl.make_sparse_classification(60, 4, 2, random_state=0)
    logistic = prepare(sim.X, sim.y, likelihood="logistic")
    with pytest.raises(ValueError, match="got Horseshoe with the logistic likelihood"):
        build_model(logistic, bl.Horseshoe(), marginalize=True)
    from bayes_l1.samplers import sample_nuts

    model = build_model(diabetes_data, bl.Horseshoe(), marginalize=True)
    with pytest.raises(ValueError, match="needs data= to draw beta"):
        sample_nuts(model, draws=5, tune=5, chains=1, target_accept=0.9, random_seed=0)


def test_horseshoe_global_scale_from_p0():
    ctx = BuildContext(n=100, p=200, likelihood="gaussian")
    assert bl.Horseshoe(p0=10).global_scale(ctx) == pytest.approx(10 / 190 / 10)
    assert bl.Horseshoe(tau0=0.3).global_scale(ctx) == 0.3
    # default p0 = min(n, p) / 2: n / 2 when p > n; p / 2 (tau0 = 1 / sqrt(n)) when n >= p
    assert bl.Horseshoe().global_scale(ctx) == pytest.approx(50 / 150 / 10)
    narrow = BuildContext(n=100, p=40, likelihood="gaussian")
    assert bl.RegularizedHorseshoe().global_scale(narrow) == pytest.approx(1 / 10)
    with pytest.raises(ValueError, match=r"p0 .* must be in \(0, p=200\)"):
        bl.Horseshoe(p0=200).global_scale(ctx)


def test_logistic_model_uses_pseudo_sigma():
    sim = bl.make_sparse_classification(200, 8, 2, random_state=0)
    data = prepare(sim.X, sim.y, likelihood="logistic")
    mu = sim.y.mean()
    assert data.pseudo_sigma() == pytest.approx(1 / np.sqrt(mu * (1 - mu)))
    model = build_model(data, bl.RegularizedHorseshoe(p0=2))
    assert "sigma" not in model.named_vars
    # tau = tau0 * pseudo_sigma * a * sqrt(b): at a = b = 1 it is the prior scale
    tau = model["tau"].eval({model["tau_a"]: 1.0, model["tau_b"]: 1.0})
    assert tau == pytest.approx(2 / 6 / np.sqrt(200) * data.pseudo_sigma())
    assert np.isfinite(model.compile_logp()(model.initial_point()))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: bl.Laplace(lam=-1.0), ValueError, "lam must be finite and > 0"),
        (lambda: bl.Laplace(lam="mle"), ValueError, "Laplace lam must be a number, 'cv'"),
        (lambda: bl.Laplace(lam=1.0, alpha=0.1), ValueError, "either lam or alpha"),
        (lambda: bl.Laplace(r=0.0), ValueError, "r must be finite and > 0"),
        (lambda: bl.Horseshoe(tau0=0.0), ValueError, "tau0 must be finite and > 0"),
        (lambda: bl.Horseshoe(p0=-2), ValueError, "p0 must be finite and > 0"),
        (lambda: bl.RegularizedHorseshoe(slab_scale=-1), ValueError, "slab_scale must be"),
        (lambda: bl.RegularizedHorseshoe(slab_df=0), ValueError, "slab_df must be"),
        (lambda: bl.Normal(scale=0.0), ValueError, "scale must be finite and > 0"),
        (lambda: bl.Normal(scale=1.0, alpha=1.0), ValueError, "either scale or alpha"),
        (lambda: bl.ElasticNetPrior(alpha=-1), ValueError, "alpha must be finite and > 0"),
        (lambda: bl.ElasticNetPrior(alpha=1, l1_ratio=1), ValueError, "0 < l1_ratio < 1"),
    ],
)
def test_bad_prior_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_unknown_prior_and_sampler_names(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="Unknown prior 'lasso'"):
        bl.BayesianLinearRegression(prior="lasso").fit(X, y)
    with pytest.raises(TypeError, match="prior must be a bayes_l1 prior"):
        bl.BayesianLinearRegression(prior=3).fit(X, y)
    with pytest.raises(ValueError, match="Unknown sampler 'hmc'"):
        bl.BayesianLinearRegression(sampler="hmc").fit(X, y)
    with pytest.raises(ValueError, match=r"p0 .* must be in"):
        bl.BayesianLinearRegression(prior=bl.Horseshoe(p0=10)).fit(X, y)
    for bad in (
        dict(draws=0),
        dict(chains=0),
        dict(tune=-1),
        dict(target_accept=1.0),
        dict(marginalize="yes"),
    ):
        with pytest.raises(ValueError, match="must be"):
            bl.BayesianLinearRegression(**bad).fit(X, y)
    with pytest.raises(ValueError, match="got Laplace with the gaussian likelihood"):
        bl.BayesianLinearRegression(prior="laplace", marginalize=True).fit(X, y)
    with pytest.raises(ValueError, match="got Horseshoe with the logistic likelihood"):
        bl.BayesianLogisticRegression("horseshoe", marginalize=True).fit(X, y > y.median())


def test_estimator_input_errors(diabetes):
    X, y = diabetes
    Xn = X.copy()
    Xn.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        bl.BayesianLinearRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="single class"):
        bl.BayesianLogisticRegression().fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="binary target"):
        bl.BayesianLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="not fitted"):
        bl.BayesianLinearRegression().predict(X)


def test_get_set_params():
    m = bl.BayesianLinearRegression(prior=bl.Horseshoe(p0=3), draws=10)
    params = m.get_params()
    assert params["draws"] == 10 and params["prior"] == bl.Horseshoe(p0=3)
    m.set_params(chains=2)
    assert m.chains == 2
    with pytest.raises(ValueError, match="Invalid parameter 'foo'"):
        m.set_params(foo=1)
    assert "draws=10" in repr(m)


@pytest.mark.parametrize(
    ("estimator", "prior", "n", "p", "marginalize", "expected"),
    [
        (bl.BayesianLinearRegression, bl.RegularizedHorseshoe(), 100, 200, None, True),
        (bl.BayesianLinearRegression, bl.Normal(), 10_000, 200, None, True),  # p^3 = 8e6
        (bl.BayesianLinearRegression, bl.Horseshoe(), 200, 1000, None, False),  # n^2 p = 4e7
        (bl.BayesianLinearRegression, bl.Horseshoe(), 200, 1000, True, True),
        (bl.BayesianLinearRegression, bl.Horseshoe(), 100, 200, False, False),
        (bl.BayesianLinearRegression, bl.Laplace(), 100, 200, None, False),
        (bl.BayesianLogisticRegression, bl.Horseshoe(), 100, 200, None, False),
    ],
)
def test_when_coefficients_are_integrated_out(estimator, prior, n, p, marginalize, expected):
    """Default: wherever possible while a gradient costs <= 1e7 flops."""
    from bayes_l1.model import marginal_cost
    from bayes_l1.posterior import _marginalized

    assert marginal_cost(100, 200) == 100 * 100 * 200 and marginal_cost(300, 20) == 20**3
    assert _marginalized(marginalize, prior, estimator._likelihood, n, p) is expected
