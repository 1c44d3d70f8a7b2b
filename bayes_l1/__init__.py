"""bayes_l1: Bayesian sparse regression, from the lasso as a MAP estimate to the posterior.

The MAP layer (``lasso_map``, ``lasso_map_path``, ``lasso_map_cv``) needs only numpy,
scipy and numba; importing the package does not import PyMC.
"""

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

__version__ = "0.1.0"

__all__ = [
    "CVResult",
    "ConvergenceWarning",
    "Design",
    "MapResult",
    "PathResult",
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
