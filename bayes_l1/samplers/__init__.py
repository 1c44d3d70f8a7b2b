"""Samplers. Each returns an ``xarray.DataTree`` with the same schema: groups ``posterior``,
``sample_stats``, ``observed_data``, ``log_likelihood``; dims ``chain``, ``draw``, ``feature``."""

from bayes_l1.samplers.nuts import NUTS_SAMPLERS, sample_nuts

__all__ = ["NUTS_SAMPLERS", "sample_nuts"]
