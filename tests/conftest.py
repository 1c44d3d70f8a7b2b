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


# NIST StRD "Longley" (Longley 1967): employment on six collinear US macro series, 1947-62;
# condition number of the design ~5e9. Certified least-squares values from
# https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml.
_LONGLEY = """
TOTEMP,GNPDEFL,GNP,UNEMP,ARMED,POP,YEAR
60323,83.0,234289,2356,1590,107608,1947
61122,88.5,259426,2325,1456,108632,1948
60171,88.2,258054,3682,1616,109773,1949
61187,89.5,284599,3351,1650,110929,1950
63221,96.2,328975,2099,3099,112075,1951
63639,98.1,346999,1932,3594,113270,1952
64989,99.0,365385,1870,3547,115094,1953
63761,100.0,363112,3578,3350,116219,1954
66019,101.2,397469,2904,3048,117388,1955
67857,104.6,419180,2822,2857,118734,1956
68169,108.4,442769,2936,2798,120445,1957
66513,110.8,444546,4681,2637,121950,1958
68655,112.6,482704,3813,2552,123366,1959
69564,114.2,502601,3931,2514,125368,1960
69331,115.7,518173,4806,2572,127852,1961
70551,116.9,554894,4007,2827,130081,1962
"""
LONGLEY_CERTIFIED = {
    "intercept": -3482258.63459582,
    "coef": [15.0618722713733, -0.358191792925910e-01, -2.02022980381683,
             -1.03322686717359, -0.511041056535807e-01, 1829.15146461355],
    "se": [84.9149257747669, 0.334910077722432e-01, 0.488399681651699,
           0.214274163161675, 0.226073200069370, 455.478499142212],
    "rss": 836424.055505915,
}  # fmt: skip


@pytest.fixture(scope="session")
def longley():
    """(X, y) of NIST's Longley data as a pandas DataFrame and Series."""
    import io

    import pandas as pd

    X = pd.read_csv(io.StringIO(_LONGLEY))
    return X, X.pop("TOTEMP")
