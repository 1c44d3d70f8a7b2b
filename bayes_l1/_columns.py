"""Match the columns of a DataFrame that comes back in (predict, summaries) to a fit's features.

A DataFrame's columns are matched **by name**: the same names in another order are put back
in the fit's order; missing or unexpected names raise. Arrays are matched by position (the
caller checks their width). A fit made on an array has the default names ``x0 .. x{p-1}``,
and a DataFrame with other names is then matched by position too, as scikit-learn does.
No PyMC import.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["align_columns", "check_rows", "default_names"]

_SHOWN = 5  # names listed in an error; the rest are counted


def default_names(names: Sequence[str]) -> bool:
    """Whether ``names`` are the defaults ``x0 .. x{p-1}`` that a fit on an array gets."""
    return list(names) == [f"x{j}" for j in range(len(names))]


def _listed(names: list[str]) -> str:
    more = f" (+{len(names) - _SHOWN} more)" if len(names) > _SHOWN else ""
    return f"{names[:_SHOWN]}{more}"


def align_columns(X, feature_names: Sequence[str], *, name: str = "X"):
    """``X`` with its columns in the order of ``feature_names``.

    Parameters
    ----------
    X : array-like or pandas.DataFrame
        New data. Anything but a DataFrame is returned unchanged (matched by position).
    feature_names : sequence of str
        The features of the fit, in its order.
    name : str
        What ``X`` is called in error messages.

    Returns
    -------
    X, reordered by name when it is a DataFrame with the fit's names in another order.

    Raises
    ------
    ValueError
        A DataFrame lacks some of the fit's feature names or has others, while the fit had
        names of its own (not the defaults ``x0 .. x{p-1}`` of an array).
    """
    if not isinstance(X, pd.DataFrame):
        return X
    expected = [str(f) for f in feature_names]
    columns = [str(c) for c in X.columns]
    if columns == expected:
        return X
    if sorted(columns) == sorted(expected) and len(set(columns)) == len(columns):
        position = {c: j for j, c in enumerate(columns)}
        return X.iloc[:, [position[f] for f in expected]]
    if default_names(expected):
        return X  # fitted on an array: columns mean positions
    missing = [f for f in expected if f not in set(columns)]
    unexpected = [c for c in columns if c not in set(expected)]
    raise ValueError(
        f"{name}'s columns do not match the features of the fit: missing {_listed(missing)}, "
        f"unexpected {_listed(unexpected)}. Pass a DataFrame with the fit's column names "
        "(any order) or an array with its columns in the fit's order."
    )


def check_rows(n_rows: int, n_fit: int, *, name: str = "X") -> None:
    """Raise ValueError when new data that must be the fit's own has another row count."""
    if n_rows != n_fit:
        raise ValueError(
            f"{name} has {n_rows} rows, but the fit used {n_fit}: pass the data the model "
            "was fitted on."
        )
