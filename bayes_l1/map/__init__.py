"""MAP solvers (coordinate descent, paths, cross-validation). Never imports PyMC."""

from bayes_l1.map.cv import CVResult, kfold_indices, lasso_map_cv
from bayes_l1.map.path import PathResult, alpha_grid, lasso_map_path
from bayes_l1.map.solve import ConvergenceWarning, MapResult, SeparationWarning, lasso_map

__all__ = [
    "CVResult",
    "ConvergenceWarning",
    "MapResult",
    "PathResult",
    "SeparationWarning",
    "alpha_grid",
    "kfold_indices",
    "lasso_map",
    "lasso_map_cv",
    "lasso_map_path",
]
