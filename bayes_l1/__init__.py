"""bayes_l1: Bayesian sparse regression, from the lasso as a MAP estimate to the posterior.

The MAP layer (``lasso_map``, ``lasso_map_path``, ``lasso_map_cv``) needs only numpy,
scipy and numba: importing the package does not import PyMC. The estimators, models and
diagnostics load on first use.
"""

import importlib

from bayes_l1.bma.model_priors import Bernoulli, BetaBinomial
from bayes_l1.data import (
    Design,
    Simulation,
    load_diabetes,
    make_sparse_classification,
    make_sparse_regression,
)
from bayes_l1.map import (
    ConvergenceWarning,
    CVResult,
    MapResult,
    PathResult,
    SeparationWarning,
    alpha_grid,
    lasso_map,
    lasso_map_cv,
    lasso_map_path,
)
from bayes_l1.mapping import (
    alpha_from_lam,
    alpha_from_laplace_scale,
    lam_from_alpha,
    laplace_scale_from_alpha,
)
from bayes_l1.priors import (
    ElasticNetPrior,
    Horseshoe,
    Laplace,
    Normal,
    RegularizedHorseshoe,
    SpikeAndSlab,
)

__version__ = "0.1.0"

# Public names whose modules import PyMC / ArviZ, by module: loaded on first access (PEP 562).
# Each is in its module's ``__all__`` (tests/test_public_names.py checks it).
_LAZY_BY_MODULE = {
    "bayes_l1.posterior": ("fit_posterior",),
    "bayes_l1.estimators": ("BayesianLinearRegression", "BayesianLogisticRegression"),
    "bayes_l1.model": ("build_model", "prepare"),
    "bayes_l1.diagnostics": ("Diagnostics", "SamplingWarning", "check_sampling"),
    "bayes_l1.summary": (
        "bayesian_fdr_selection",
        "default_eps",
        "diagnose",
        "effective_nonzeros",
        "inclusion_summary",
        "joint_inclusion",
        "model_posterior",
        "rank_distribution",
        "shrinkage_factors",
        "top_k_probability",
    ),
    "bayes_l1.compare": (
        "DSSResult",
        "MapLassoComparison",
        "ParetoKWarning",
        "compare_map_lasso",
        "compare_models",
        "dss",
        "lasso_columns",
    ),
}
_LAZY = {name: module for module, names in _LAZY_BY_MODULE.items() for name in names}

# The names imported above, then the lazy ones.
__all__ = [
    "Bernoulli",
    "BetaBinomial",
    "CVResult",
    "ConvergenceWarning",
    "Design",
    "ElasticNetPrior",
    "Horseshoe",
    "Laplace",
    "MapResult",
    "Normal",
    "PathResult",
    "RegularizedHorseshoe",
    "SeparationWarning",
    "Simulation",
    "SpikeAndSlab",
    "alpha_from_lam",
    "alpha_from_laplace_scale",
    "alpha_grid",
    "lam_from_alpha",
    "laplace_scale_from_alpha",
    "lasso_map",
    "lasso_map_cv",
    "lasso_map_path",
    "load_diabetes",
    "make_sparse_classification",
    "make_sparse_regression",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bayes_l1' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
