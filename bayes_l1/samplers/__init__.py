"""Samplers. Each returns an ``xarray.DataTree`` with the same schema: groups ``posterior``,
``sample_stats``, ``observed_data``, ``log_likelihood``; dims ``chain``, ``draw``, ``feature``.

``sample_nuts`` runs NUTS through PyMC (nutpie when installed), on the joint model or on one
with the coefficients integrated out (then drawn from their Gaussian conditional);
``sample_gibbs`` runs exact Gibbs samplers of the same posteriors (the logistic likelihood by
Polya-Gamma augmentation), fast when p >> n; ``sample_models`` draws the spike-and-slab
posterior exactly over all models, or by a Metropolis chain over models.
"""

from bayes_l1.samplers.gibbs import GIBBS_PRIORS, check_gibbs_supported, sample_gibbs
from bayes_l1.samplers.model_space import MODEL_SPACE_SAMPLERS, sample_models
from bayes_l1.samplers.nuts import NUTS_SAMPLERS, sample_nuts

__all__ = [
    "GIBBS_PRIORS",
    "MODEL_SPACE_SAMPLERS",
    "NUTS_SAMPLERS",
    "check_gibbs_supported",
    "sample_gibbs",
    "sample_models",
    "sample_nuts",
]
