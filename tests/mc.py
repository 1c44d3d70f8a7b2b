"""Monte Carlo assertions in Monte Carlo units, and the test seed.

A fixed seed reproduces draws only along one floating-point path (BLAS kernel, thread count,
what ran earlier in the process); elsewhere the draws are another sample of the same
posterior. So every bound on a Monte Carlo quantity is stated in Monte Carlo standard errors
(MCSE, from arviz-stats: autocorrelation-aware), with a normal quantile chosen so that a
correct sampler fails an assertion call with probability below ``FAIL_PROB`` = 1e-5
(Bonferroni over the ``m`` quantities compared at once). No test makes more than 10 such
calls, so a correct sampler fails a test with probability below 1e-4.

``BAYES_L1_TEST_SEED`` (integer, default 0) is added to the seed of every sampling test and
fixture: ``BAYES_L1_TEST_SEED=3 make test`` runs the suite on other draws of the same
posteriors. Simulated data sets keep their own seeds (the data under test stay fixed).
"""

import os

import arviz_stats
import numpy as np
import xarray as xr
from scipy import stats

FAIL_PROB = 1e-5  # per assertion call; <= 10 calls per test keep a test below 1e-4


def _test_seed() -> int:
    raw = os.environ.get("BAYES_L1_TEST_SEED", "0")
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"BAYES_L1_TEST_SEED must be an integer, got {raw!r}") from None


TEST_SEED = _test_seed()


def seed(base: int) -> int:
    """The sampler seed for a test: its own base plus ``BAYES_L1_TEST_SEED``."""
    return base + TEST_SEED


def z_bound(m: int = 1, fail_prob: float = FAIL_PROB) -> float:
    """Two-sided normal quantile for ``m`` simultaneous comparisons: 4.4 for one, 4.9 for
    10, 5.2 for 60 (Bonferroni), so all pass together with probability >= 1 - fail_prob."""
    return float(stats.norm.isf(fail_prob / (2 * m)))


def one_sided_z(m: int = 1, fail_prob: float = FAIL_PROB) -> float:
    """One-sided quantile for ``m`` simultaneous one-sided checks: 4.3 for one."""
    return float(stats.norm.isf(fail_prob / m))


def mcse(draws, method: str = "mean", **kw) -> np.ndarray:
    """Monte Carlo standard error of a (chain, draw, ...) DataArray, per remaining element;
    0 where the draws are constant (arviz-stats gives NaN there: no Monte Carlo variance)."""
    se = arviz_stats.mcse(draws, sample_dims=["chain", "draw"], method=method, **kw)
    return np.nan_to_num(np.asarray(se, dtype=float), nan=0.0)


def assert_agree(a, se_a, b, se_b=0.0, *, allowance=0.0, label=""):
    """|a - b| <= z * sqrt(se_a^2 + se_b^2) + allowance, elementwise, z for all elements at
    once. ``allowance`` is a model-based difference the caller explains (0 by default)."""
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    se = np.broadcast_to(np.hypot(se_a, se_b), a.shape)
    z = z_bound(max(a.size, 1))
    bad = np.abs(a - b) > z * se + allowance
    assert not bad.any(), (
        f"{label}: {int(bad.sum())} of {a.size} differ by more than {z:.2f} combined MCSE"
        f" + {allowance}: |a-b|={np.abs(a - b)[bad]}, mcse={se[bad]}"
    )


def assert_draws_match_quadrature(draws, grid, log_density, *, label=""):
    """The mean and sd of a scalar's (chain, draw) ``draws`` equal those of the density
    proportional to exp(``log_density``) on the even ``grid``, in MCSE units."""
    da = xr.DataArray(np.asarray(draws, dtype=float), dims=("chain", "draw"))
    wts = np.exp(log_density - np.max(log_density))
    wts /= wts.sum()
    mean = wts @ grid
    sd = np.sqrt(wts @ (grid - mean) ** 2)
    assert_agree(float(da.mean()), mcse(da), mean, label=f"mean of {label}")
    assert_agree(float(da.std()), mcse(da, method="sd"), sd, label=f"sd of {label}")


def assert_at_least(estimate, se, bound, *, label=""):
    """The posterior quantity estimated by ``estimate`` (MCSE ``se``) is not below ``bound``:
    fails only when the estimate is below it by more than a one-sided z of MCSEs."""
    est, se = np.broadcast_arrays(np.asarray(estimate, float), np.asarray(se, float))
    z = one_sided_z(max(est.size, 1))
    bad = est + z * se < bound
    assert not bad.any(), f"{label}: {est[bad]} (mcse {se[bad]}) below {bound} by > {z:.2f} MCSE"


def assert_at_most(estimate, se, bound, *, label=""):
    """Mirror of :func:`assert_at_least`."""
    assert_at_least(-np.asarray(estimate, float), se, -bound, label=label)


def inclusion_draws(fit, features=None, how="any"):
    """Draws of the indicator "some (``how="any"``) or every (``"all"``) feature in
    ``features`` has |beta_std| > eps" as (chain, draw[, feature]) floats: its mean is a pip
    or a joint inclusion probability, and :func:`mcse` gives that mean's MCSE."""
    import bayes_l1 as bl
    from bayes_l1.fitted import as_tree

    beta = as_tree(fit)["posterior"]["beta_std"]
    if features is not None:
        beta = beta.sel(feature=list(features))
    relevant = (abs(beta) > bl.default_eps(fit)).astype(float)
    if features is None or len(features) == 1:
        return relevant
    return relevant.max("feature") if how == "any" else relevant.min("feature")


def rank_draws(fit):
    """Rank of each feature by |beta_std| in each draw (1 = largest), as (chain, draw,
    feature): the mean of an indicator of it (e.g. rank <= k) is a probability whose MCSE
    :func:`mcse` gives."""
    from bayes_l1.fitted import as_tree

    beta = abs(as_tree(fit)["posterior"]["beta_std"])
    order = np.argsort(-beta.to_numpy(), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, order.shape[-1] + 1), axis=-1)
    return beta.copy(data=ranks)


def binomial_se(p: float, n: float) -> float:
    """Standard error of a proportion p over n independent trials (draws or replications)."""
    return float(np.sqrt(p * (1.0 - p) / n))


def assert_excludes_zero(beta, prob=0.9, *, label=""):
    """Every coefficient's central ``prob`` interval excludes 0, up to Monte Carlo error: the
    endpoint on the side of 0 (by the posterior median's sign) is beyond 0 unless it misses
    by more than a one-sided z of its quantile MCSEs. ``beta`` is (chain, draw, feature)."""
    q = ((1 - prob) / 2, (1 + prob) / 2)
    lo, hi = (beta.quantile(x, ("chain", "draw")).to_numpy() for x in q)
    se_lo, se_hi = (mcse(beta, method="quantile", prob=x) for x in q)
    up = beta.median(("chain", "draw")).to_numpy() > 0
    assert_at_least(np.where(up, lo, -hi), np.where(up, se_lo, se_hi), 0.0, label=label)


def r2_mcse(fit, X, y) -> float:
    """Monte Carlo error of ``fit.score(X, y)`` (R^2 of the posterior-mean prediction), to
    first order: |dR^2 / d coef_j| times coef_j's MCSE, added in absolute value (an upper
    bound whatever the correlation of the coefficients' errors), plus the intercept's."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    post = fit.idata_["posterior"]
    resid = y - fit.predict(X)
    sst = np.sum((y - y.mean()) ** 2)
    grad = 2.0 * X.T @ resid / sst
    return float(
        np.abs(grad) @ mcse(post["beta"]) + abs(2.0 * resid.sum() / sst) * mcse(post["intercept"])
    )
