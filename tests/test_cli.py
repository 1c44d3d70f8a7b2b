"""The ``bayes-l1`` command on temporary CSV files: in this process (``main(argv)``, 2 s
faster a call than a new interpreter), and as a subprocess where the process itself is
under test (PyMC's logging, exit codes of a real run; see also test_cli_input.py)."""

import contextlib
import io
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import bayes_l1 as bl
from tests.mc import seed


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bayes_l1", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def run_here(*args, cwd=None):
    """``bayes-l1 *args`` through ``main`` in this process: exit code and captured output,
    as :func:`run` returns them (argparse's SystemExit gives its code)."""
    from bayes_l1.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd or "."),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


# Tiny posterior runs by the default sampler ("auto": Gibbs for these priors, no model to
# compile); the tables and files are under test. NUTS_TINY: the same by PyMC's own NUTS.
TINY = ("--draws", "60", "--tune", "60", "--chains", "1")
NUTS_TINY = (*TINY, "--sampler", "pymc")
SEED = ("--seed", str(seed(0)))
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow  # a subprocess: imports, CV, Gibbs sampling and four figures; CI runs it
def test_demo_prints_diabetes_result_and_writes_figures(tmp_path):
    """The table's first two rows (pip, then rank median) are bmi and s5 in any 60 draws:
    their |beta_std| never fell below eps in a 2 x 20,000-draw Gibbs run, and the only
    other feature that can tie them at pip 1, bp (pip 0.9988), is in the top 2 ranks in
    4.2% of draws; its rank median reaches theirs only if half the draws put it there,
    which at an ESS of 20 or more has probability below 1e-8 (binomial tail)."""
    proc = run("demo", "--out", str(tmp_path), *TINY, *SEED)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Entry order along the path: bmi, s5, bp" in out
    assert "alpha_1se" in out and "Selected at alpha_min" in out
    assert "Laplace(0, b)" in out
    path = pd.read_csv(tmp_path / "path_coefs.csv", index_col=0)
    assert path.shape == (10, 100)
    cv = pd.read_csv(tmp_path / "cv.csv")
    assert list(cv.columns) == ["alpha", "cv_mean", "cv_se"]
    assert "The Bayesian lasso" in out and "Sampling diagnostics" in out
    for name in ("path", "coefficients", "inclusion", "ranks"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == PNG
    table = pd.read_csv(tmp_path / "inclusion_summary.csv", index_col=0)
    assert set(table.index) == set(bl.load_diabetes()[0].columns)
    assert set(table.index[:2]) == {"bmi", "s5"}  # the two largest standardized effects
    assert "Initializing NUTS" not in proc.stderr  # PyMC's chatter is silenced


@pytest.mark.slow  # a subprocess whose stdout reader is gone: CI runs it
def test_a_closed_stdout_does_not_lose_the_fit(tmp_path):
    """``bayes-l1 path ... | head -1``: the report is cut, the files are written, exit 0."""
    X, y = bl.load_diabetes()
    X.assign(y=y).to_csv(tmp_path / "d.csv", index=False)
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    proc = subprocess.run(
        [sys.executable, "-m", "bayes_l1", "path", str(tmp_path / "d.csv"), "--target", "y",
         "--out", str(tmp_path / "out")],
        stdout=write, stderr=subprocess.PIPE, text=True, timeout=300,
    )  # fmt: skip
    os.close(write)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert pd.read_csv(tmp_path / "out" / "path_coefs.csv", index_col=0).shape == (10, 100)


@pytest.fixture(scope="module")
def sparse_csv(tmp_path_factory):
    sim = bl.make_sparse_regression(100, 8, 2, snr=10, random_state=3)
    csv = tmp_path_factory.mktemp("fit") / "data.csv"
    sim.X.assign(response=sim.y).to_csv(csv, index=False)
    return csv, sim


def test_fit_writes_tables_and_figures(tmp_path, sparse_csv):
    """The two true features lead with pip > 0.9 in any 60 draws: in a 2 x 20,000-draw
    Gibbs run (Laplace and horseshoe) neither fell below eps nor out of the top 2 ranks,
    and no null feature had pip above 0.18 (so an estimate of 1 from 60 draws is
    impossible in practice); more than 6 of 60 draws below eps at a per-draw probability
    under 1e-4 has probability below 1e-16."""
    csv, sim = sparse_csv
    runs = []
    for name in ("a", "b"):
        args = ("--target", "response", *TINY, *SEED, "--out", str(tmp_path / name))
        proc = run_here("fit", str(csv), *args)
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"Sampled in [0-9.]+ s by gibbs\.", proc.stdout)  # --sampler auto
        runs.append(pd.read_csv(tmp_path / name / "inclusion_summary.csv", index_col=0))
    out = tmp_path / "a"
    table = runs[0]
    pd.testing.assert_frame_equal(runs[0], runs[1])  # same --seed, same results
    for column in ("mean", "median", "sd", "hdi_lower", "hdi_upper", "pip", "p_sign", "kappa"):
        assert column in table.columns
    truth = set(sim.coef.index[sim.coef != 0])
    assert set(table.index[:2]) == truth and table["pip"].iloc[:2].min() > 0.9
    compare = pd.read_csv(out / "compare.csv", index_col=0)
    # The MAP column is the lasso: scikit-learn at the same alpha agrees.
    np.testing.assert_allclose(compare["lasso_map"], compare["sklearn_lasso"], atol=1e-6)
    diagnostics = pd.read_csv(out / "diagnostics.csv", index_col=0)
    assert {"rhat", "ess_bulk"} <= set(diagnostics.columns) and "sigma" in diagnostics.index
    assert "Sampling diagnostics" in (out / "diagnostics.txt").read_text()
    for name in ("path", "coefficients", "inclusion", "ranks"):
        assert (out / f"{name}.png").read_bytes()[:8] == PNG
    assert not (out / "shrinkage.png").exists()  # Laplace prior: no kappa


def test_fit_logistic_horseshoe(tmp_path):
    sim = bl.make_sparse_classification(120, 6, 2, random_state=4)
    csv = tmp_path / "binary.csv"
    sim.X.assign(label=np.where(sim.y == 1, "yes", "no")).to_csv(csv, index=False)
    out = tmp_path / "out"
    proc = run_here(
        "fit", str(csv), "--target", "label", "--logistic", "--prior", "horseshoe",
        "--p0", "2", *TINY, *SEED, "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "m_eff" in proc.stdout
    table = pd.read_csv(out / "inclusion_summary.csv", index_col=0)
    assert table["kappa"].between(0, 1).all()
    assert (out / "shrinkage.png").read_bytes()[:8] == PNG
    assert "sklearn_lasso" not in pd.read_csv(out / "compare.csv").columns


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "nope"], "target column 'nope' not in"),
        (["--target", "y", "--draws", "0"], "argument --draws: expected an integer >= 1"),
        (["--target", "y", "--p0", "2"], "--p0 applies to the horseshoe priors only"),
        (
            ["--target", "y", "--prior", "spike-slab", "--logistic"],
            "--prior spike-slab supports the Gaussian likelihood only",
        ),
        (
            ["--target", "y", "--prior", "spike-slab", "--sampler", "nuts"],
            "use --sampler auto, enumeration or mc3",
        ),
        (["--target", "y", "--sampler", "mc3"], "--sampler mc3 applies to --prior spike-slab"),
        (
            ["--target", "y", "--model-prior", "beta-binomial"],
            "--model-prior applies to --prior spike-slab only",
        ),
        (
            ["--target", "y", "--prior", "spike-slab", "--model-prior", "flat"],
            "argument --model-prior: invalid choice: 'flat'",
        ),
        (  # one selection rule: --threshold would silently win
            ["--target", "y", "--fdr", "0.2", "--threshold", "0.5"],
            "argument --threshold: not allowed with argument --fdr",
        ),
    ],
)
def test_fit_errors_are_clear(tmp_path, args, message):
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "y": range(6)})
    frame.to_csv(tmp_path / "data.csv", index=False)
    proc = run_here("fit", "data.csv", *args, "--cv", "2", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fit_rejects_unknown_prior(tmp_path):
    proc = run_here("fit", "data.csv", "--target", "y", "--prior", "slab", cwd=tmp_path)
    assert proc.returncode == 2
    assert "invalid choice: 'slab'" in proc.stderr
    # demo fits the Bayesian lasso: a spike-and-slab sampler is refused before any work
    proc = run_here("demo", "--sampler", "mc3", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid choice: 'mc3'" in proc.stderr


def test_fit_spike_slab_on_csv(tmp_path):
    sim = bl.make_sparse_regression(80, 6, 2, snr=10, random_state=0)
    csv = tmp_path / "data.csv"
    sim.X.assign(target=sim.y).to_csv(csv, index=False)
    out = tmp_path / "out"
    proc = run_here(
        "fit", str(csv), "--target", "target", "--prior", "spike-slab", "--draws", "200",
        "--chains", "2", *SEED, "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "pip = P(gamma_j = 1 | y), averaged over models" in proc.stdout
    table = pd.read_csv(out / "inclusion_summary.csv", index_col=0)
    assert table["pip"].between(0, 1).all() and table["selected"].sum() >= 2
    # the model table, exact by enumeration: the most probable model first, all 2^6 models
    # (minus those below 1e-12 of the mass), probabilities summing to one
    exact = bl.bma.enumerate_models(sim.X, sim.y, g="zellner-siow")
    models = pd.read_csv(out / "models.csv", index_col=0)
    best = " + ".join(exact.highest_probability_model)
    assert models["model"].iloc[0] == best and f"highest-probability model: {best}" in proc.stdout
    assert models["prob"].sum() == pytest.approx(1.0, abs=1e-11)
    np.testing.assert_allclose(models["prob"].iloc[:5], exact.top_models(5)["prob"], rtol=1e-9)
    # --model-prior beta-binomial: BetaBinomial(1, 1), the exact model probabilities again
    proc = run_here(
        "fit", str(csv), "--target", "target", "--prior", "spike-slab", "--model-prior",
        "beta-binomial", "--draws", "50", "--chains", "1", *SEED, "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    exact = bl.bma.enumerate_models(
        sim.X, sim.y, model_prior=bl.BetaBinomial(1, 1), g="zellner-siow"
    )
    models = pd.read_csv(out / "models.csv", index_col=0)
    np.testing.assert_allclose(models["prob"].iloc[:5], exact.top_models(5)["prob"], rtol=1e-9)
    # a Laplace fit into the same folder: the spike-and-slab run's models.csv goes (a folder
    # never mixes two runs' files); the user's own files stay
    (out / "notes.txt").write_text("mine")
    proc = run_here(
        "fit", str(csv), "--target", "target", "--prior", "laplace", *TINY, *SEED, "--out", str(out)
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert not (out / "models.csv").exists() and (out / "notes.txt").read_text() == "mine"
    assert "Removed an earlier run's models.csv" in proc.stdout


def test_path_on_csv_recovers_truth(tmp_path):
    sim = bl.make_sparse_regression(150, 30, 3, snr=10, random_state=0)
    frame = sim.X.assign(target=sim.y)
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)
    proc = run_here("path", str(csv), "--target", "target", "--cv", "4")
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
    proc = run_here("path", str(csv), "--target", "label", "--logistic", "--cv", "3")
    assert proc.returncode == 0, proc.stderr
    assert "deviance" in proc.stdout


@pytest.mark.parametrize(
    ("make_file", "args", "message"),
    [
        (None, ["path", "missing.csv", "--target", "y"], "no such file"),
        ("ok", ["path", "data.csv", "--target", "nope"], "target column 'nope' not in"),
        ("text", ["path", "data.csv", "--target", "y"], "non-numeric columns ['city']"),
        ("nan", ["path", "data.csv", "--target", "y"], "NaN"),
        (None, ["fit", "missing.csv", "--target", "y"], "no such file"),
        ("text", ["fit", "data.csv", "--target", "y"], "non-numeric columns ['city']"),
        ("text", ["fit", "data.csv", "--target", "y"], "get_dummies(frame, drop_first=True"),
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
    proc = run_here(*args, "--cv", "2", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_documents_commands():
    proc = run_here("--help")
    assert proc.returncode == 0
    assert all(command in proc.stdout for command in ("demo", "path", "fit"))
    proc = run_here("path", "--help")
    assert "--target" in proc.stdout and "--logistic" in proc.stdout
    proc = run_here("fit", "--help")
    options = ["--target", "--prior", "--logistic", "--sampler", "--draws", "--tune"]
    options += ["--chains", "--seed", "--out", "--p0", "--eps", "--fdr", "--threshold", "--top"]
    assert all(option in proc.stdout for option in options)
    for word in ("regularized-horseshoe", "gibbs", "inclusion_summary.csv", "compare.csv"):
        assert word in proc.stdout


def test_fit_gibbs_horseshoe(tmp_path, sparse_csv):
    """The true features lead (see test_fit_writes_tables_and_figures for the arithmetic)."""
    csv, sim = sparse_csv
    out = tmp_path / "gibbs"
    args = ["--prior", "horseshoe", "--sampler", "gibbs", "--draws", "300", "--tune", "200", *SEED]
    proc = run_here("fit", str(csv), "--target", "response", *args, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "inclusion_summary.csv", index_col=0)
    assert set(table.index[:2]) == set(sim.coef.index[sim.coef != 0])
    assert (out / "shrinkage.png").read_bytes()[:8] == PNG


def test_fit_gibbs_logistic(tmp_path):
    """--sampler gibbs with --logistic: the Polya-Gamma sampler, tables written."""
    sim = bl.make_sparse_classification(80, 5, 2, random_state=3)
    sim.X.assign(label=sim.y).to_csv(tmp_path / "data.csv", index=False)
    proc = run_here(
        "fit", "data.csv", "--target", "label", "--logistic", "--sampler", "gibbs", "--prior",
        "horseshoe", "--draws", "200", "--tune", "200", "--cv", "3", *SEED, "--out", "out",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "out" / "inclusion_summary.csv", index_col=0)
    assert len(table) == 5


def test_constant_column_is_reported_once_by_name_and_held_at_zero(tmp_path, sparse_csv):
    """Issue 11, class 1 through the CLI: one warning naming the column (the CV, the fit and
    the lasso columns each meet it), and the column exactly 0 in every table."""
    import warnings

    csv, _ = sparse_csv
    pd.read_csv(csv).assign(flat=-2.5).to_csv(tmp_path / "d.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        args = ("--target", "response", *TINY, *SEED, "--out", "o")
        proc = run_here("fit", "d.csv", *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    named = [str(w.message) for w in caught if "constant" in str(w.message)]
    assert len(named) == 1 and "'flat'" in named[0], named
    table = pd.read_csv(tmp_path / "o" / "inclusion_summary.csv", index_col=0)
    row = table.loc["flat"]
    assert row["pip"] == 0 and row["median"] == 0 and row["map_coef"] == 0
    assert row["rank_median"] == len(table)  # last
    compare = pd.read_csv(tmp_path / "o" / "compare.csv", index_col=0)
    assert compare.loc["flat", "sklearn_lasso"] == 0


def test_advice_names_the_commands_options():
    from bayes_l1.cli import _as_options

    advice = "run more (e.g. tune=2000, draws=2000), or try sampler='nuts'; slab_scale=2"
    expected = "run more (e.g. --tune 2000, --draws 2000), or try --sampler nuts; slab_scale=2"
    assert _as_options(advice) == expected  # slab_scale: no option, left as it is


def test_path_report_lists_at_most_30_coefficients_at_large_p(tmp_path):
    sim = bl.make_sparse_regression(60, 500, 3, random_state=0)
    sim.X.assign(y=sim.y).to_csv(tmp_path / "wide.csv", index=False)
    proc = run_here("path", str(tmp_path / "wide.csv"), "--target", "y", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("path_coefs.csv):\n")[1].split("\n\n")[0].splitlines()[2:]
    assert 3 <= len(table) <= 30 and "(+" in proc.stdout  # entry order cut too
    coefs = pd.read_csv(tmp_path / "path_coefs.csv", index_col=0)
    assert coefs.shape[0] == 500 and coefs.index.name == "feature"
