"""Reading a fit: the ``xarray.DataTree`` that :func:`bayes_l1.fit_posterior` writes.

Everything downstream (summaries, plots, comparisons, the CLI) reads a fit through these
functions, so a tree reloaded from netCDF or zarr works exactly as the live one. A fitted
estimator is read through its ``idata_``. What the tree holds besides the draws:

- ``constant_data``: ``x_offset``, ``x_scale`` and ``x_constant`` per feature (the
  :class:`~bayes_l1.Design` of the fit) and, unless the fit was asked not to keep it, ``X``:
  the working design ``(X - x_offset) / x_scale``, dims (obs, feature); for the logistic
  likelihood ``classes``, the labels (dim ``class``; ``classes[1]`` is coded 1);
- ``attrs`` (flat strings and numbers, as netCDF and zarr store them), all named
  ``bayes_l1_*``: see :data:`ATTRS`.

No PyMC import.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from bayes_l1.data import Design

__all__ = ["ATTRS"]

_SAMPLE_DIMS = ("chain", "draw")

# The attributes a fit carries, by short name (the tree's key is "bayes_l1_" + name).
ATTRS = {
    "likelihood": "'gaussian' or 'logistic'",
    "prior": "repr of the prior",
    "prior_class": "the prior's class name",
    "sampler": "the sampler that drew (sampler='auto' resolved)",
    "marginalized": "1 when NUTS sampled with the coefficients integrated out, else 0",
    "y_center": "mean of y (Gaussian; the working response is (y - y_center) / y_scale)",
    "y_scale": "population sd of y (Gaussian), 1 for the logistic likelihood",
    "alpha_cv": "the cross-validated lasso alpha, where the fit ran or was given a CV",
    "sigma_hat": "the noise-sd estimate (original scale of y), where the prior used it",
    "map_alpha": "the MAP penalty matching the prior (scikit-learn scaling), if any",
    "map_l1_ratio": "its l1_ratio",
    "diagnostics": "Diagnostics.to_dict() as JSON",
}


def attr(tree: xr.DataTree, name: str, default=None):
    """The fit's attribute ``name`` (one of :data:`ATTRS`), or ``default``."""
    return tree.attrs.get("bayes_l1_" + name, default)


def as_tree(fit) -> xr.DataTree:
    """The DataTree of a fit (a DataTree, or a fitted estimator's ``idata_``), checked to
    hold coefficient draws."""
    if isinstance(fit, xr.DataTree):
        tree = fit
    elif hasattr(fit, "get_params") and hasattr(fit, "fit"):
        if not hasattr(fit, "idata_"):
            raise ValueError(
                f"This {type(fit).__name__} is not fitted yet (no posterior draws); "
                "call fit(X, y) first."
            )
        tree = fit.idata_
    else:
        raise TypeError(
            "Expected an xarray.DataTree from bayes_l1.fit_posterior or a fitted "
            f"BayesianLinearRegression / BayesianLogisticRegression; got {type(fit).__name__}."
        )
    if "posterior" not in tree.children:
        raise ValueError("The DataTree has no 'posterior' group: there are no draws to summarize.")
    post = tree["posterior"]
    missing = [v for v in ("beta_std", "beta") if v not in post.data_vars]
    if missing:
        raise ValueError(
            f"The posterior lacks {missing}: summaries need the coefficient draws written by "
            "bayes_l1's samplers (beta_std on the working scale, beta on the original one)."
        )
    if not {*_SAMPLE_DIMS, "feature"} <= set(post["beta_std"].dims):
        raise ValueError(
            f"beta_std must have dims (chain, draw, feature); got {post['beta_std'].dims}."
        )
    return tree


def matrix(da: xr.DataArray) -> np.ndarray:
    """(chain, draw[, feature]) -> (draws, features) or (draws,) float64 array."""
    dims = [*_SAMPLE_DIMS, *(d for d in da.dims if d not in _SAMPLE_DIMS)]
    values = np.asarray(da.transpose(*dims).values, dtype=np.float64)
    return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])


def feature_names(tree: xr.DataTree) -> list[str]:
    return [str(f) for f in tree["posterior"]["feature"].values]


def is_gaussian(tree: xr.DataTree) -> bool:
    return "sigma_std" in tree["posterior"].data_vars


def n_obs(tree: xr.DataTree) -> int:
    for group in ("observed_data", "log_likelihood"):
        if group in tree.children and "obs" in tree[group].dims:
            return int(tree[group].sizes["obs"])
    raise ValueError(
        "The number of observations is unknown (no observed_data or log_likelihood group "
        "with an 'obs' dimension); pass eps explicitly."
    )


def observed_y(tree: xr.DataTree) -> np.ndarray | None:
    """The observed y on the original scale (0/1 coded for the logistic likelihood)."""
    obs = tree["observed_data"] if "observed_data" in tree.children else None
    return None if obs is None or "y" not in obs.data_vars else obs["y"].to_numpy()


def classes(tree: xr.DataTree) -> np.ndarray | None:
    """The class labels of a logistic fit (``classes[1]`` coded 1), or None."""
    const = tree["constant_data"] if "constant_data" in tree.children else None
    if const is not None and "classes" in const.data_vars:
        return const["classes"].to_numpy()
    labels = attr(tree, "classes")  # trees written before constant_data held them
    return None if labels is None else np.asarray(json.loads(labels))


def design(tree: xr.DataTree) -> Design | None:
    """The fit's :class:`~bayes_l1.Design` from ``constant_data`` (None: not recorded)."""
    const = tree["constant_data"] if "constant_data" in tree.children else None
    if const is None or not {"x_offset", "x_scale", "x_constant"} <= set(const.data_vars):
        return None
    return Design(
        tuple(feature_names(tree)),
        const["x_offset"].to_numpy(),
        const["x_scale"].to_numpy(),
        const["x_constant"].to_numpy().astype(bool),
        fit_intercept=True,
        standardize=True,
    )


def working_X(tree: xr.DataTree) -> np.ndarray | None:
    """The working design (obs, feature) the fit kept in ``constant_data``, or None."""
    const = tree["constant_data"] if "constant_data" in tree.children else None
    if const is None or "X" not in const.data_vars or set(const["X"].dims) != {"obs", "feature"}:
        return None
    return const["X"].transpose("obs", "feature").to_numpy()


def fit_data(tree: xr.DataTree) -> tuple[np.ndarray, np.ndarray] | None:
    """(X, y) on the original scale, rebuilt from the tree (None: it kept no X or design):
    X as ``working X * x_scale + x_offset`` (to rounding), y as observed."""
    Z, d, y = working_X(tree), design(tree), observed_y(tree)
    if Z is None or d is None or y is None:
        return None
    return Z * d.scale + d.offset, y


def matching_penalty(tree: xr.DataTree) -> tuple[float, float] | None:
    """(alpha, l1_ratio) of the MAP matching the fit's prior, or None where it has none."""
    alpha = attr(tree, "map_alpha")
    return None if alpha is None else (float(alpha), float(attr(tree, "map_l1_ratio", 1.0)))


def y_scale(tree: xr.DataTree) -> float:
    """sd of y (Gaussian; 1 for the logistic likelihood), by which working-scale quantities
    become original ones; computed from the observed y where the tree does not record it."""
    value = attr(tree, "y_scale")
    if value is not None:
        return float(value)
    y = observed_y(tree)
    if y is None or not is_gaussian(tree):
        return 1.0
    return float(Design.fit_transform(y[:, None], ("y",), warn=False)[0].scale[0])
