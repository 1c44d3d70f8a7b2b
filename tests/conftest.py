"""Shared problems: small, seeded, covering n > p, p >> n and strongly correlated columns.

Hypothesis draws the same examples on every run (profile "fixed", derandomized), so CI is
reproducible; ``HYPOTHESIS_PROFILE=explore`` draws new ones to hunt for defects.
"""

import os

import numpy as np
import pytest
from hypothesis import settings

import bayes_l1 as bl

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

# name -> (n, p, k, rho)
REGRESSION_CASES = {
    "n>p": (120, 20, 5, 0.3),
    "p>>n": (50, 200, 5, 0.5),
    "correlated": (80, 40, 5, 0.95),
}


def regression_case(name, seed=0):
    n, p, k, rho = REGRESSION_CASES[name]
    sim = bl.make_sparse_regression(n, p, k, snr=4.0, rho=rho, intercept=3.0, random_state=seed)
    return sim.X.to_numpy(), sim.y.to_numpy()


@pytest.fixture(params=sorted(REGRESSION_CASES))
def regression(request):
    return regression_case(request.param)


@pytest.fixture(scope="session")
def diabetes():
    return bl.load_diabetes()


@pytest.fixture(scope="session")
def classification():
    sim = bl.make_sparse_classification(200, 12, 4, rho=0.3, intercept=-0.5, random_state=3)
    return sim.X.to_numpy(), sim.y.to_numpy()


def alpha_max(X, y, fit_intercept=True):
    """max_j |x_j^T (y - mean y)| / n on the raw design (scikit-learn's formula)."""
    if fit_intercept:
        X, y = X - X.mean(axis=0), y - y.mean()
    return np.max(np.abs(X.T @ y)) / X.shape[0]
