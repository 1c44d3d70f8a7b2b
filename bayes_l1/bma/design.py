"""The design a g-prior works on: centred, unit-norm columns of X and y, summarized by their
Gram matrix (every model's R^2 is a function of it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StandardizedDesign"]


@dataclass(frozen=True, eq=False)
class StandardizedDesign:
    """Centred, unit-norm columns of X and y, summarized by their Gram matrix.

    Attributes
    ----------
    gram : (p+1, p+1) Gram matrix of [Z, z_y]; diagonal 1, y last.
    x_mean, x_norm : (p,) column means and norms of the centred X.
    y_mean, y_norm : mean and norm of the centred y.
    n : number of rows.
    """

    gram: np.ndarray
    x_mean: np.ndarray
    x_norm: np.ndarray
    y_mean: float
    y_norm: float
    n: int

    @classmethod
    def from_data(cls, X: np.ndarray, y: np.ndarray) -> StandardizedDesign:
        x_mean, y_mean = X.mean(axis=0), float(y.mean())
        Z = X - x_mean
        x_norm = np.linalg.norm(Z, axis=0)
        y_norm = float(np.linalg.norm(y - y_mean))
        scale = np.abs(X).max(axis=0) * np.sqrt(X.shape[0])
        constant = x_norm <= 1e-12 * np.maximum(scale, np.finfo(float).tiny)
        if constant.any():
            raise ValueError(
                f"X has constant columns {np.flatnonzero(constant).tolist()}: the g-prior is "
                "undefined for a model that contains one. Drop them."
            )
        if y_norm <= 1e-12 * np.abs(y).max() * np.sqrt(y.size) or y_norm == 0:
            raise ValueError("y is constant: every model has R^2 = 0. Nothing to select.")
        W = np.column_stack([Z / x_norm, (y - y_mean) / y_norm])
        gram = W.T @ W
        np.fill_diagonal(gram, 1.0)  # unit norms exactly: R^2 of the null model is 0
        return cls(gram=gram, x_mean=x_mean, x_norm=x_norm, y_mean=y_mean, y_norm=y_norm, n=len(y))
