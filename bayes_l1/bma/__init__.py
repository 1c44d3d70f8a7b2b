"""Bayesian model averaging over linear models under g-priors (spike-and-slab, as in BAS).

No PyMC import: the Bayes factors, the model priors, exact enumeration and the summaries
BAS users read (inclusion probabilities, top models, HPM/MPM/BPM).
"""

from bayes_l1.bma.design import StandardizedDesign
from bayes_l1.bma.enumeration import all_r2, enumerate_models, model_sizes
from bayes_l1.bma.gprior import (
    G_PRIORS,
    GPrior,
    log_bayes_factor,
    posterior_shrinkage,
    resolve_g,
    sample_g,
)
from bayes_l1.bma.model_priors import (
    Bernoulli,
    BetaBinomial,
    UniformModelPrior,
    resolve_model_prior,
)
from bayes_l1.bma.result import (
    BMAResult,
    inclusion_probabilities,
    model_features,
    posterior_probabilities,
    size_posterior,
)

__all__ = [
    "G_PRIORS",
    "BMAResult",
    "Bernoulli",
    "BetaBinomial",
    "GPrior",
    "StandardizedDesign",
    "UniformModelPrior",
    "all_r2",
    "enumerate_models",
    "inclusion_probabilities",
    "log_bayes_factor",
    "model_features",
    "model_sizes",
    "posterior_probabilities",
    "posterior_shrinkage",
    "resolve_g",
    "resolve_model_prior",
    "sample_g",
    "size_posterior",
]
