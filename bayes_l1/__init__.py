"""bayes_l1: Bayesian sparse regression, from the lasso as a MAP estimate to the posterior.

The MAP layer (``lasso_map``, ``lasso_map_path``, ``lasso_map_cv``) needs only numpy,
scipy and numba: importing the package does not import PyMC. The estimators, models and
diagnostics load on first use.
"""

import importlib

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
from bayes_l1.priors import ElasticNetPrior, Horseshoe, Laplace, Normal, RegularizedHorseshoe

__version__ = "0.1.0"

# Public names whose modules import PyMC / ArviZ: loaded on first access (PEP 562).
_LAZY = {
    "BayesianLinearRegression": "bayes_l1.estimators",
    "BayesianLogisticRegression": "bayes_l1.estimators",
    "build_model": "bayes_l1.model",
    "prepare": "bayes_l1.model",
    "check_sampling": "bayes_l1.diagnostics",
    "Diagnostics": "bayes_l1.diagnostics",
    "SamplingWarning": "bayes_l1.diagnostics",
    "default_eps": "bayes_l1.summary",
    "diagnose": "bayes_l1.summary",
    "effective_nonzeros": "bayes_l1.summary",
    "inclusion_summary": "bayes_l1.summary",
    "joint_inclusion": "bayes_l1.summary",
    "rank_distribution": "bayes_l1.summary",
    "shrinkage_factors": "bayes_l1.summary",
    "top_k_probability": "bayes_l1.summary",
    "DSSResult": "bayes_l1.compare",
    "MapLassoComparison": "bayes_l1.compare",
    "ParetoKWarning": "bayes_l1.compare",
    "compare_map_lasso": "bayes_l1.compare",
    "compare_models": "bayes_l1.compare",
    "dss": "bayes_l1.compare",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bayes_l1' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


__all__ = [
    "DSSResult",
    "MapLassoComparison",
    "ParetoKWarning",
    "compare_map_lasso",
    "compare_models",
    "default_eps",
    "diagnose",
    "dss",
    "effective_nonzeros",
    "inclusion_summary",
    "joint_inclusion",
    "rank_distribution",
    "shrinkage_factors",
    "top_k_probability",
    "BayesianLinearRegression",
    "BayesianLogisticRegression",
    "CVResult",
    "Diagnostics",
    "ElasticNetPrior",
    "Horseshoe",
    "Laplace",
    "Normal",
    "RegularizedHorseshoe",
    "SamplingWarning",
    "build_model",
    "check_sampling",
    "prepare",
    "ConvergenceWarning",
    "Design",
    "MapResult",
    "PathResult",
    "SeparationWarning",
    "Simulation",
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
]
