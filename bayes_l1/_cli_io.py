"""Files for the ``bayes-l1`` command: reading a user's CSV, staging the output folder.

Both fail with :class:`CLIError` (one line, exit status 2) before any fitting starts.
"""

from __future__ import annotations

import csv
import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_l1._validation import preview

# Delimiters tried on a CSV, in order of preference when several fit.
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 2."""


def _show(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Table:
    X: pd.DataFrame
    y: pd.Series
    delimiter: str
    notes: tuple[str, ...]  # warnings for stderr (index column found, ...)

    def describe(self, path: str) -> str:
        """``path (n x p)``, with the delimiter when it is not a comma."""
        sep = "" if self.delimiter == "," else f", {_show(self.delimiter)}-separated"
        return f"{path} ({self.X.shape[0]} x {self.X.shape[1]}{sep})"


def sniff_delimiter(file: Path) -> str | None:
    """The delimiter that splits the header and the first lines into the same number (> 1)
    of fields, ',' first on ties; None when none does (a one-column file, or another
    delimiter)."""
    if file.suffix.lower() in _COMPRESSED:
        return ","  # pandas decompresses; the plain text is not at hand here
    with open(file, encoding="utf-8-sig", newline="") as fh:
        lines = [line for _, line in zip(range(_SNIFF_LINES + 1), fh, strict=False)]
    if len(lines) > 1 and not lines[-1].endswith("\n"):
        lines.pop()  # a partial last line (long file) would count its fields wrong
    for delimiter in DELIMITERS:
        counts = {len(row) for row in csv.reader(lines, delimiter=delimiter) if row}
        if len(counts) == 1 and counts.pop() > 1:
            return delimiter
    return None


def _header(file: Path, delimiter: str) -> list[str]:
    """The header row as written: pandas renames an empty name "Unnamed: k" and a repeated
    one "a.1", which would hide a written row index or a duplicated column."""
    row = pd.read_csv(
        file, sep=delimiter, header=None, nrows=1, dtype=str, keep_default_na=False,
        skipinitialspace=True, encoding="utf-8-sig",
    )  # fmt: skip
    return [str(name) for name in row.iloc[0]] if len(row) else []


def _is_row_counter(values: pd.Series) -> bool:
    """0..n-1 or 1..n, as pandas' and R's default row labels."""
    if not pd.api.types.is_integer_dtype(values) or values.size < 3:
        return False
    a = values.to_numpy()
    return bool(np.array_equal(a, np.arange(a.size)) or np.array_equal(a, np.arange(1, a.size + 1)))


def read_table(path: str, target: str, index_col: str | None = None) -> Table:
    """Features and target from a CSV file with a header row.

    ``index_col``: a column name (or 0-based position) of row labels, left out of the
    features; None detects one (a first column with an empty header, as ``DataFrame.to_csv``
    writes the index); "none" disables the detection.
    """
    file = Path(path)
    if file.is_dir():
        raise CLIError(f"{path} is a folder, not a CSV file")
    if not file.exists():
        raise CLIError(f"no such file: {path}")
    try:
        sniffed = sniff_delimiter(file)
        delimiter = sniffed or ","
        header = _header(file, delimiter)
        frame = pd.read_csv(file, sep=delimiter, encoding="utf-8-sig", skipinitialspace=True)
    except UnicodeDecodeError as exc:
        raise CLIError(f"could not read {path}: not UTF-8 text ({exc.reason})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        empty = isinstance(exc, pd.errors.EmptyDataError)
        reason = "the file is empty" if empty else _one_line(exc)
        raise CLIError(f"could not read {path} as CSV: {reason}") from None
    except OSError as exc:
        raise CLIError(f"could not read {path}: {exc.strerror or exc}") from None
    if frame.shape[1] < 2:
        seen = header[0] if header else str(frame.columns[0]) if frame.shape[1] else ""
        raise CLIError(
            f"{path}: found one column, {seen[:60]!r}; a CSV needs the target and at least one "
            f"feature separated by one of {', '.join(map(_show, DELIMITERS))}"
        )
    read_as = f"read as {_show(delimiter)}-separated"
    if frame.shape[0] == 0:
        raise CLIError(f"{path} has a header but no data rows")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CLIError(f"{path} has duplicate column names {repeated}; rename them to be unique")
    notes = []
    frame, header = _drop_empty_unnamed(frame, header, path, notes)
    if target not in frame.columns:
        near = _near_names(target, [str(c) for c in frame.columns])
        raise CLIError(
            f"target column {target!r} not in {path} ({read_as})"
            + (f"; did you mean {near!r}?" if near else "")
            + "; columns are: "
            + ", ".join(repr(str(c)) for c in frame.columns)
        )

    index = _index_column(frame, header, index_col, path)
    if index is not None:
        if index == target:
            raise CLIError(f"--index-col {index!r} is the target column")
        if index_col is None:
            notes.append(
                f"the first column of {path} has no header, as a written row index: it is "
                "not used as a feature (--index-col none to fit it)"
            )
        frame = frame.set_index(index)
    X, y = frame.drop(columns=target), frame[target]
    first = X.columns[0] if X.shape[1] else None
    if index_col is None and first is not None and _is_row_counter(X[first]):
        notes.append(
            f"the first column, {first!r}, counts the rows (a row index?); it is fitted as a "
            f"feature (--index-col {first} leaves it out)"
        )
    _check_numeric(X, path, read_as)
    _check_target_present(y, path)
    return Table(X, y, delimiter, tuple(notes))


def _drop_empty_unnamed(frame: pd.DataFrame, header: list[str], path: str, notes: list):
    """Columns with no name and no value (a delimiter ending every line) hold nothing: they
    are left out, with a note."""
    empty = [
        i for i, name in enumerate(header[: frame.shape[1]])
        if name == "" and frame.iloc[:, i].isna().all()
    ]  # fmt: skip
    if not empty:
        return frame, header
    notes.append(
        f"{path}: {len(empty)} column(s) with no header and no values (a delimiter at the end "
        "of every line?) left out"
    )
    keep = [i for i in range(frame.shape[1]) if i not in empty]
    return frame.iloc[:, keep], [header[i] for i in keep if i < len(header)]


def _near_names(name: str, columns: list[str]) -> str | None:
    """The column a mistyped name most likely meant: equal up to spaces and case, else the
    closest by difflib's ratio (at least 0.75: 'targt' for 'target', not 'y' for 'x')."""
    key = name.strip().casefold()
    same = [c for c in columns if c.strip().casefold() == key]
    if same:
        return same[0]
    folded = {c.strip().casefold(): c for c in columns}
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _index_column(frame: pd.DataFrame, header: list[str], index_col, path) -> str | None:
    if index_col is None:
        # pandas names an empty header "Unnamed: 0"; the raw header tells it from a real name
        unnamed = header[:1] == [""] or (not header and frame.columns[0] == "Unnamed: 0")
        return frame.columns[0] if unnamed else None
    if index_col.lower() == "none":
        return None
    if index_col in frame.columns:
        return index_col
    if index_col.isdigit() and int(index_col) < frame.shape[1]:
        return frame.columns[int(index_col)]
    raise CLIError(
        f"--index-col {index_col!r} is neither a column of {path} nor a position 0.."
        f"{frame.shape[1] - 1}; columns are: " + ", ".join(map(str, frame.columns))
    )


def _check_target_present(y: pd.Series, path: str) -> None:
    """A missing target value, named by its data row (ISLP's Hitters: 59 Salary)."""
    missing = np.flatnonzero(y.isna().to_numpy())
    if missing.size:
        raise CLIError(
            f"target column {y.name!r} of {path} has {missing.size} missing value(s) (data "
            f"rows {preview(missing + 1, 5)}); drop those rows or impute them first"
        )


def _check_numeric(X: pd.DataFrame, path: str, read_as: str) -> None:
    bad = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if not bad:
        return
    values = X[bad[0]].dropna().astype(str)
    comma = values[values.str.fullmatch(r"-?\d+,\d+")]
    if comma.size:
        hint = (
            f"; values such as {comma.iloc[0]!r} look like numbers written with a comma "
            "(a decimal comma or a thousands separator)"
        )
    else:  # categories, e.g. ISLP's Carseats (ShelveLoc: Bad / Medium / Good)
        dummies = "pandas.get_dummies(frame, drop_first=True, dtype=int)"
        hint = f"; encode categories as 0/1 columns first, one per level but one: {dummies}"
        if len(X) >= 3 and values.size == len(X) and values.is_unique:  # e.g. state names
            hint = (
                f"; {bad[0]!r} has a different value in every row: if these are row labels, "
                f"--index-col {bad[0]} leaves them out; if categories, encode them as 0/1 "
                f"columns, one per level but one: {dummies}"
            )
    raise CLIError(
        f"{path} has non-numeric columns [{preview(bad, 10)}] "
        f"({read_as}{hint}); features must be numbers"
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- writing


class OutputFolder:
    """Stage outputs in a hidden temporary folder; :meth:`commit` moves them into place.

    A new target: the temporary folder is created next to it (in its nearest existing
    ancestor; missing parents are made at commit) and renamed to it. An existing folder:
    the temporary folder is created inside it and each file is moved in by ``os.replace``;
    the command's own files (``names``) that this run did not write are removed, so that a
    folder never mixes two runs (a spike-and-slab run's ``models.csv`` beside a Laplace
    run's tables), and the folder's other files are left alone. Either way an interrupted
    or failed run leaves no half-written output folder (:meth:`discard`).

    Creating the temporary folder is the test that the location is writable, so a bad
    ``--out`` fails before any fitting.
    """

    def __init__(self, target: str, *, option: str = "--out", names: tuple[str, ...] = ()):
        if not target:
            raise CLIError(f"{option} must name a folder")
        self.target = Path(target)
        self.names = names
        self.committed = False
        self.removed: list[str] = []  # the earlier run's files commit removed
        where = f"{option} {target}"
        if self.target.exists() and not self.target.is_dir():
            raise CLIError(f"{where}: exists and is not a folder")
        for name in names:  # a folder where an output file goes would fail only at commit
            if (self.target / name).is_dir():
                raise CLIError(f"{where}: {self.target / name} is a folder; cannot write {name}")
        if self.target.is_dir():
            parent, self._rename = self.target, False
        else:
            parent, self._rename = self._existing_ancestor(where), True
        try:
            self.path = Path(tempfile.mkdtemp(prefix=".bayes-l1-partial-", dir=parent))
        except OSError as exc:
            raise CLIError(f"{where}: cannot write in {parent} ({exc.strerror or exc})") from None

    def _existing_ancestor(self, where: str) -> Path:
        parent = self.target.absolute().parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise CLIError(f"{where}: {parent} is not a folder")
        return parent

    def commit(self) -> Path:
        """Move the staged files into the target; returns the target."""
        if self._rename and not self.target.exists():
            self.target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.path, self.target)
        else:  # an existing folder (or one created meanwhile): file by file
            self.target.mkdir(parents=True, exist_ok=True)
            written = sorted(self.path.iterdir())
            for item in written:
                os.replace(item, self.target / item.name)
            self.path.rmdir()
            new = {item.name for item in written}
            for name in self.names:
                if name not in new and (self.target / name).is_file():
                    (self.target / name).unlink()
                    self.removed.append(name)
        self.committed = True
        return self.target

    def discard(self) -> None:
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)

    def final(self, name: str) -> Path:
        """Where a staged file ends up (for messages)."""
        return self.target / name
