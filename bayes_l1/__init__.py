"""bayes_l1: Bayesian sparse regression, from the lasso as a MAP estimate to the posterior.

Every public name loads on first use (PEP 562): importing the package imports nothing
heavy, so the ``bayes-l1`` command answers Ctrl-C from its start. The MAP layer
(``lasso_map``, ``lasso_map_path``, ``lasso_map_cv``) needs only numpy, scipy and numba;
the estimators, models and diagnostics import PyMC and ArviZ.
"""

import importlib
import importlib.util

__version__ = "0.1.0"

# The public names by module, each loaded on first access (PEP 562) and in its module's
# ``__all__`` (tests/test_public_names.py checks it). The first five need no PyMC.
_LAZY_BY_MODULE = {
    "bayes_l1.bma.model_priors": ("Bernoulli", "BetaBinomial"),
    "bayes_l1.data": (
        "Design",
        "Simulation",
        "load_diabetes",
        "make_sparse_classification",
        "make_sparse_regression",
    ),
    "bayes_l1.map": (
        "CVResult",
        "ConvergenceWarning",
        "MapResult",
        "PathResult",
        "SeparationWarning",
        "alpha_grid",
        "lasso_map",
        "lasso_map_cv",
        "lasso_map_path",
    ),
    "bayes_l1.mapping": (
        "alpha_from_lam",
        "alpha_from_laplace_scale",
        "lam_from_alpha",
        "laplace_scale_from_alpha",
    ),
    "bayes_l1.priors": (
        "ElasticNetPrior",
        "Horseshoe",
        "Laplace",
        "Normal",
        "RegularizedHorseshoe",
        "SpikeAndSlab",
    ),
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

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")  # a subpackage: bl.bma, bl.plots
    raise AttributeError(f"module 'bayes_l1' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
