"""Input checks shared by every entry point: arrays in, clean float64 arrays and names out.

Every error names what is wrong and how to fix it. Nothing here imports PyMC.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

LIKELIHOODS = ("gaussian", "logistic")


def check_likelihood(likelihood: str) -> str:
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}; got {likelihood!r}.")
    return likelihood


def feature_names_of(X: Any, n_features: int) -> tuple[str, ...]:
    """Column names of a DataFrame, else ``x0 .. x{p-1}``."""
    if isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
        if len(set(names)) != len(names):
            dup = sorted({c for c in names if names.count(c) > 1})
            raise ValueError(f"X has duplicate column names {dup}; rename them to be unique.")
        return names
    return tuple(f"x{j}" for j in range(n_features))


def _non_numeric_columns(X: pd.DataFrame) -> list[str]:
    return [
        str(c)
        for c, dt in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
    ]


class ComplexDataError(TypeError, ValueError):
    """Complex input: a TypeError, and the ValueError scikit-learn's tools expect."""


_NO_COMPLEX = "Complex data not supported."
_ENCODE = "Encode categorical columns first (e.g. pandas.get_dummies)."
_CLASS_LABELS = "For class labels use the logistic likelihood."


def _object_as_float(arr: np.ndarray, name: str, hint: str) -> np.ndarray:
    """An object array of numbers as float64 (None and pandas' NA become NaN, which the
    finiteness checks then name). Strings are refused, never parsed: ``"1.5"`` would
    silently become 1.5."""
    if any(isinstance(v, str | bytes) for v in arr.flat):
        raise TypeError(f"{name} must be numeric; got dtype object holding strings. {hint}")
    try:
        return np.where(pd.isna(arr), np.nan, arr).astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be numeric; got dtype object with an entry float64 cannot hold "
            f"({exc}). {hint}"
        ) from exc


def check_X(X: Any, *, name: str = "X") -> tuple[np.ndarray, tuple[str, ...]]:
    """Validate a design matrix; return it as a float64 array and its feature names."""
    if isinstance(X, pd.Series):
        raise ValueError(
            f"{name} is a pandas Series (1-D); pass a DataFrame, e.g. {name}.to_frame(), "
            "so that each column is a feature."
        )
    if sparse.issparse(X):
        raise TypeError(
            f"{name} is a scipy.sparse matrix; sparse input is not supported, pass a dense "
            f"array ({name}.toarray())."
        )
    if isinstance(X, pd.DataFrame):
        bad = _non_numeric_columns(X)
        if bad:
            raise TypeError(
                f"{name} has non-numeric columns {bad}; encode them first "
                "(e.g. pandas.get_dummies) or drop them."
            )
        cplx = [str(c) for c, dt in X.dtypes.items() if pd.api.types.is_complex_dtype(dt)]
        if cplx:
            raise ComplexDataError(
                f"{name} must be real-valued; got complex columns {cplx}. {_NO_COMPLEX}"
            )
        arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # ragged lists and the like
            raise TypeError(f"{name} could not be converted to an array: {exc}") from exc
        if arr.dtype == object:
            arr = _object_as_float(arr, name, _ENCODE)
        elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"{name} must be numeric; got dtype {arr.dtype}. {_ENCODE}")
        if np.iscomplexobj(arr):
            raise ComplexDataError(
                f"{name} must be real-valued; got complex dtype {arr.dtype}. {_NO_COMPLEX}"
            )
        arr = np.asarray(arr, dtype=np.float64)  # no copy when already float64
    if arr.ndim != 2:
        hint = (
            f" Reshape your data: {name}.reshape(-1, 1) if it holds a single feature, "
            f"{name}.reshape(1, -1) if it holds a single sample."
            if arr.ndim == 1
            else ""
        )
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features); got {arr.ndim}-D with shape "
            f"{arr.shape}.{hint}"
        )
    n, p = arr.shape
    if n == 0:
        raise ValueError(f"{name} has 0 rows; at least 2 samples are needed.")
    if p == 0:
        raise ValueError(
            f"{name} has 0 columns: 0 feature(s) (shape={arr.shape}) while a minimum of 1 "
            "is required."
        )
    names = feature_names_of(X, p)
    # One cheap pass: a finite sum means finite entries (overflow only costs a re-check).
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not np.isfinite(total) and not (finite := np.isfinite(arr)).all():
        cols = [names[j] for j in np.flatnonzero(~finite.all(axis=0))]
        kind = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(
            f"{name} contains {kind} (non-finite) values in columns [{preview(cols, 10)}]; "
            "impute or drop those rows first."
        )
    return arr, names


def _target_array(y) -> np.ndarray:
    """y as an array; None (no target passed) is refused."""
    if y is None:
        raise ValueError(
            "This call requires y to be passed, but the target y is None: pass the response, "
            "one value per row of X."
        )
    return y.to_numpy() if isinstance(y, pd.Series | pd.DataFrame) else np.asarray(y)


def check_y(y: Any, n_samples: int, *, likelihood: str = "gaussian"):
    """Validate a target vector.

    Returns ``(y, classes)``: for the Gaussian likelihood ``y`` is float64 and ``classes``
    is None; for the logistic likelihood ``y`` is 0/1 float64 and ``classes`` holds the two
    original labels (``classes[1]`` is coded 1).
    """
    check_likelihood(likelihood)
    arr = _target_array(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,); got shape {arr.shape}.")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X and y have different numbers of rows: X has {n_samples}, y has {arr.shape[0]}."
        )
    if likelihood == "logistic":
        return _binary_target(arr)
    if arr.dtype == object:
        arr = _object_as_float(arr, "y", _CLASS_LABELS)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise TypeError(f"y must be numeric for the gaussian likelihood; got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError("y contains NaN or inf; drop or impute those rows first.")
    return arr, None


def _binary_target(arr: np.ndarray):
    check_label_types(arr)  # np.unique would fail on, e.g., strings mixed with inf
    if pd.isna(arr).any():
        raise ValueError("y contains missing values; drop those rows first.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("y contains inf; a logistic target needs two class labels.")
    classes = np.unique(arr)
    shown = preview(classes)
    if classes.size == 1:
        raise ValueError(f"y has a single class ({shown}); logistic regression needs both classes.")
    if classes.size > 2:
        raise ValueError(
            f"y has {classes.size} distinct values ({shown}). Only binary classification is "
            "supported: "
            "the logistic likelihood needs a binary target (two classes). For a continuous "
            "target use likelihood='gaussian'."
        )
    return (arr == classes[1]).astype(np.float64), classes


def preview(values, shown: int = 5) -> str:
    """The first ``shown`` values, as reprs, for a message: "'a', 'b', ..."."""
    values = np.asarray(values)
    more = ", ..." if values.size > shown else ""
    return ", ".join(map(repr, values[:shown].tolist())) + more


def check_X_y(X, y, *, likelihood: str = "gaussian", min_samples: int = 2):
    """Validate X and y together. Returns ``(X, y, feature_names, classes)``."""
    Xa, names = check_X(X)
    if Xa.shape[0] < min_samples:  # before y: "one class" of a single row is a symptom
        raise ValueError(
            f"Only {Xa.shape[0]} sample(s); at least {min_samples} are needed for this fit."
        )
    ya, classes = check_y(y, Xa.shape[0], likelihood=likelihood)
    return Xa, ya, names, classes


def _is_bool(value) -> bool:
    return isinstance(value, bool | np.bool_)


def check_number(value, name: str) -> float:
    """A real number (Python or NumPy scalar, or a 0-d real array) as a float.

    bool and strings are refused: ``True`` or ``"0.1"`` would otherwise pass as 1.0 or 0.1.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__}).")
    return float(value)


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """A finite number > 0 (``>= 0`` with ``allow_zero``) as a float."""
    v = check_number(value, name)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}.")
    return v


def check_int(value, name: str, *, minimum: int) -> int:
    """An integer (Python or NumPy) >= minimum as an int; floats such as 2.5 or 5.0 are
    refused rather than truncated, bool and strings too."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value.item()
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}; got {value!r} ({type(value).__name__})."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def check_l1_ratio(l1_ratio) -> float:
    v = check_positive(l1_ratio, "l1_ratio", allow_zero=True)
    if v > 1:
        raise ValueError(f"l1_ratio must be in [0, 1]; got {l1_ratio!r}.")
    return v


def real_array(values, name: str) -> np.ndarray:
    """``values`` as a float64 array of the same shape, every entry a real number.

    A list may hold True or "0.1", which ``np.asarray(..., dtype=float)`` would convert
    silently; such entries are refused with the parameter's name.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(np.float64)
    kinds = f"{name} must be real numbers"
    if isinstance(values, str | bytes) or (
        isinstance(values, np.ndarray) and values.dtype != object
    ):
        raise TypeError(f"{kinds}; got {values!r}.")
    try:
        entries = np.asarray(values, dtype=object)
    except (TypeError, ValueError) as exc:  # e.g. ragged nesting numpy cannot shape
        raise TypeError(f"{kinds}; got {values!r}.") from exc
    flat = [check_number(v, f"each of {name}") for v in entries.ravel()]
    return np.array(flat, dtype=np.float64).reshape(entries.shape)


def check_alphas(alphas) -> np.ndarray:
    """A non-empty 1-D grid of finite penalties >= 0, sorted descending."""
    a = real_array(alphas, "alphas").ravel()
    if a.size == 0 or not np.isfinite(a).all() or (a < 0).any():
        raise ValueError("alphas must be a non-empty sequence of finite values >= 0.")
    return np.sort(a)[::-1]


def check_penalty_weights(weights, feature_names: Sequence[str]) -> np.ndarray:
    """Per-feature penalty factors (adaptive lasso); 0 leaves a feature unpenalized. A
    pandas Series with labels is matched to the features by name, as columns are."""
    n_features = len(feature_names)
    if weights is None:
        return np.ones(n_features)
    if isinstance(weights, pd.Series) and not isinstance(weights.index, pd.RangeIndex):
        labels = [str(label) for label in weights.index]
        if len(set(labels)) != len(labels) or set(labels) != set(feature_names):
            missing = [name for name in feature_names if name not in set(labels)]
            extra = [label for label in labels if label not in set(feature_names)]
            raise ValueError(
                "penalty_weights is a Series whose labels are not X's columns, one each "
                f"(missing: [{preview(missing)}], not in X: [{preview(extra)}]); label one weight "
                "per column, or pass an array in column order."
            )
        weights = pd.Series(weights.to_numpy(), index=labels)[list(feature_names)]
    w = real_array(weights, "penalty_weights")
    if w.shape != (n_features,):
        raise ValueError(
            f"penalty_weights must have one entry per feature ({n_features}); got shape {w.shape}."
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("penalty_weights must be finite and >= 0.")
    if not (w > 0).any():
        raise ValueError("penalty_weights are all 0: at least one feature must be penalized.")
    return w


def warn_constant_columns(names: Sequence[str], constant: np.ndarray) -> None:
    if constant.any():
        cols = [names[j] for j in np.flatnonzero(constant)]
        warn_caller(
            f"Columns [{preview(cols, 10)}] are constant; with an "
            "intercept they carry no information, so their coefficients are fixed at 0."
        )


_SEED_KINDS = "None, an integer >= 0, a numpy SeedSequence or a numpy Generator"


def check_random_state(random_state, name: str = "random_state"):
    """None, an integer >= 0 (as int), a SeedSequence or a Generator, unchanged otherwise."""
    if random_state is None or isinstance(
        random_state, np.random.SeedSequence | np.random.Generator
    ):
        return random_state
    if _is_bool(random_state) or not isinstance(random_state, numbers.Integral):
        raise TypeError(f"{name} must be {_SEED_KINDS}; got {random_state!r}.")
    if random_state < 0:
        raise ValueError(f"{name} must be {_SEED_KINDS}; got {random_state!r} (negative).")
    return int(random_state)


def seed_sequence(random_seed, name: str = "random_seed") -> np.random.SeedSequence:
    """A SeedSequence from None, an int >= 0, a SeedSequence or a Generator."""
    seed = check_random_state(random_seed, name)
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    return np.random.SeedSequence(seed)


# -- options of the Bayesian layer, and warnings placed at the caller's line ------------

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def check_probability(value, name: str, *, inclusive: bool = False) -> float:
    """A real number in (0, 1), or in [0, 1] with ``inclusive``."""
    interval = "[0, 1]" if inclusive else "(0, 1)"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}; got {value!r}.")
    v = float(value)
    if not (0 <= v <= 1 if inclusive else 0 < v < 1):  # NaN fails both
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}.")
    return v


def check_bool(value, name: str) -> bool:
    """A flag: True or False (numpy bools too), never a truthy string or number."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def warn_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn at the first frame outside bayes_l1: the user's line, however deep the call."""
    warnings.warn(message, category, skip_file_prefixes=(_PACKAGE_DIR,))


def check_sample_weight(weights, n_samples: int) -> np.ndarray:
    """Weights of the rows in a score: None (all 1) or n finite values >= 0, not all 0."""
    if weights is None:
        return np.ones(n_samples)
    w = real_array(weights, "sample_weight")
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have one entry per row ({n_samples}); got shape {w.shape}."
        )
    if not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
        raise ValueError("sample_weight must be finite, >= 0 and not all 0.")
    return w


def check_labels(y, n_samples: int) -> np.ndarray:
    """Class labels to score against: 1-D (a single column is raveled), one per row of X,
    none missing. Unlike fitting, one class alone is fine."""
    arr = _target_array(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,); got shape {arr.shape}.")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X and y have different numbers of rows: X has {n_samples}, y has {arr.shape[0]}."
        )
    if pd.isna(arr).any():
        raise ValueError("y contains missing values; drop those rows first.")
    return arr


@contextlib.contextmanager
def constant_columns_reported():
    """Silence the constant-columns warning inside calls on data whose fit already gave it
    once, by name (its MAP and lasso side computations would repeat it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(?s).*\bconstant\b", UserWarning)
        yield


def check_label_types(y) -> None:
    """Raise TypeError when class labels mix types that cannot be compared (e.g. strings and
    numbers), which sorting them into classes would fail on; missing values are left to
    the target check, which names them."""
    arr = y.to_numpy() if isinstance(y, pd.Series | pd.DataFrame) else np.asarray(y)
    if arr.dtype != object:
        return
    values = arr.ravel()
    kinds = {
        "string" if isinstance(v, str | bytes) else "number" if isinstance(v, numbers.Number)
        else type(v).__name__
        for v in values[~pd.isna(values)]
    }  # fmt: skip
    if len(kinds) > 1:
        raise TypeError(
            f"y mixes label types {sorted(kinds)}; class labels must be all strings or all "
            "numbers (a stray value such as inf or a number among strings?)."
        )
