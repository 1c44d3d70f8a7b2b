"""The ``bayes-l1`` command, run as a user would: a subprocess on temporary CSV files."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import bayes_l1 as bl


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bayes_l1", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_demo_prints_diabetes_result(tmp_path):
    proc = run("demo", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Entry order along the path: bmi, s5, bp" in out
    assert "alpha_1se" in out and "Selected at alpha_min" in out
    assert "Laplace(0, b)" in out
    path = pd.read_csv(tmp_path / "path_coefs.csv", index_col=0)
    assert path.shape == (10, 100)
    cv = pd.read_csv(tmp_path / "cv.csv")
    assert list(cv.columns) == ["alpha", "cv_mean", "cv_se"]


def test_path_on_csv_recovers_truth(tmp_path):
    sim = bl.make_sparse_regression(150, 30, 3, snr=10, random_state=0)
    frame = sim.X.assign(target=sim.y)
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)
    proc = run("path", str(csv), "--target", "target", "--cv", "4")
    assert proc.returncode == 0, proc.stderr
    truth = sim.coef.index[sim.coef != 0]
    selected_line = next(
        line for line in proc.stdout.splitlines() if line.startswith("Selected at alpha_1se")
    )
    assert all(name in selected_line for name in truth)


def test_path_logistic_on_csv(tmp_path):
    sim = bl.make_sparse_classification(200, 10, 2, random_state=1)
    csv = tmp_path / "binary.csv"
    sim.X.assign(label=np.where(sim.y == 1, "yes", "no")).to_csv(csv, index=False)
    proc = run("path", str(csv), "--target", "label", "--logistic", "--cv", "3")
    assert proc.returncode == 0, proc.stderr
    assert "deviance" in proc.stdout


@pytest.mark.parametrize(
    ("make_file", "args", "message"),
    [
        (None, ["path", "missing.csv", "--target", "y"], "no such file"),
        ("ok", ["path", "data.csv", "--target", "nope"], "target column 'nope' not in"),
        ("text", ["path", "data.csv", "--target", "y"], "non-numeric columns ['city']"),
        ("nan", ["path", "data.csv", "--target", "y"], "NaN"),
    ],
)
def test_path_errors_are_clear(tmp_path, make_file, args, message):
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "y": range(6)})
    if make_file == "text":
        frame["city"] = list("abcdef")
    if make_file == "nan":
        frame.loc[2, "a"] = np.nan
    if make_file:
        frame.to_csv(tmp_path / "data.csv", index=False)
    proc = run(*args, "--cv", "2", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_documents_commands():
    proc = run("--help")
    assert proc.returncode == 0
    assert "demo" in proc.stdout and "path" in proc.stdout
    proc = run("path", "--help")
    assert "--target" in proc.stdout and "--logistic" in proc.stdout
