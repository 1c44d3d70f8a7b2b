"""Bad input to ``bayes-l1``: options, output locations and CSV files (issue 11, classes 13,
14 and 15). Each is refused with one line and exit status 2 before any fitting, leaving
nothing behind; CSV variants that can be read correctly are."""

import os

import numpy as np
import pandas as pd
import pytest

import bayes_l1 as bl
from bayes_l1.cli import main
from tests.test_cli import TINY, run

# Draws no test could finish: a check made after sampling would time out (subprocesses; in
# this process, TINY runs and "Sampled" in stdout shows the check came late).
HUGE = ("--draws", "1000000", "--tune", "1000000", "--chains", "1", "--sampler", "pymc")

# The command as a user runs it: a new interpreter each (~5-20 s here); CI runs them
# (.ci/run), the default suite has in-process twins through the `cli` fixture.
SUBPROCESS = pytest.mark.slow


class Result:
    """What a run left: exit status, stdout, stderr (as subprocess.CompletedProcess)."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli(capsys, monkeypatch):
    """``bayes-l1`` in this process (no interpreter start per case); the subprocess tests
    cover the real command."""

    def call(*args, cwd):
        monkeypatch.chdir(cwd)
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return call


def one_line_error(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in proc.stderr, lines
    assert "Sampled" not in proc.stdout
    return lines[0]


def nothing_left(folder) -> bool:
    return not any(p.name.startswith(".bayes-l1-partial") for p in folder.rglob("*"))


@pytest.fixture
def small_csv(tmp_path):
    frame = pd.DataFrame(
        {"a": [1.5, 2, 3, 4, 5, 6, 7, 8], "b": [2.0, 1, 4, 3, 6, 5, 8, 7], "y": [1.0, 0, 3, 2] * 2}
    )
    frame.to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


# ----------------------------------------------------------------- 14: numbers in options


@pytest.mark.parametrize(
    ("option", "value", "accepts"),
    [
        ("--seed", "-3", "an integer from 0 to 4294967295"),
        ("--seed", "4294967296", "an integer from 0 to 4294967295"),
        ("--seed", "0.5", "an integer from 0 to 4294967295"),
        ("--draws", "-7", "an integer >= 1"),
        ("--draws", "1e3", "an integer >= 1"),
        ("--tune", "-1", "an integer >= 0"),
        ("--chains", "0", "an integer >= 1"),
        ("--cv", "1", "an integer >= 2"),
        ("--cv", "three", "an integer >= 2"),
        ("--top", "-2", "an integer >= 1"),
        ("--eps", "-0.1", "a number >= 0"),
        ("--eps", "inf", "a number >= 0"),
        ("--threshold", "1.5", "a number in [0, 1]"),  # as inclusion_summary's
        ("--threshold", "-0.25", "a number in [0, 1]"),
        ("--threshold", "nan", "a number in [0, 1]"),
        ("--fdr", "0", "a number in (0, 1)"),
        ("--fdr", "1", "a number in (0, 1)"),
        ("--p0", "0", "a number > 0"),
    ],
)
def test_fit_option_errors_name_the_option_and_what_it_accepts(
    cli, small_csv, option, value, accepts
):
    proc = cli("fit", "data.csv", "--target", "y", *TINY, option, value, cwd=small_csv)
    line = one_line_error(proc)
    assert f"argument {option}: expected {accepts}, got {value!r}" in line
    assert sorted(p.name for p in small_csv.iterdir()) == ["data.csv"]  # no bayes_l1_results


@SUBPROCESS
def test_option_errors_as_a_command(small_csv):
    proc = run("fit", "data.csv", "--target", "y", *HUGE, "--seed", "-2", cwd=small_csv)
    line = one_line_error(proc)
    assert line == (
        "bayes-l1 fit: error: argument --seed: expected an integer from 0 to 4294967295, "
        "got '-2' (see bayes-l1 fit --help)"
    )
    proc = run("path", "data.csv", "--target", "y", "--l1-ratio", "1.5", cwd=small_csv)
    assert "argument --l1-ratio: expected a number in (0, 1], got '1.5'" in one_line_error(proc)


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_path_l1_ratio_is_checked(cli, small_csv, value):
    proc = cli("path", "data.csv", "--target", "y", "--l1-ratio", value, cwd=small_csv)
    assert "argument --l1-ratio: expected a number in (0, 1]" in one_line_error(proc)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cv", "9"], "argument --cv: 9 folds need 9 rows; data.csv has 8"),
        (["--prior", "horseshoe", "--p0", "2"], "features of data.csv; got 2"),
        (["--p0", "1"], "--p0 applies to the horseshoe priors only"),
    ],
)
def test_fit_options_checked_against_each_other_and_the_data(cli, small_csv, args, message):
    proc = cli("fit", "data.csv", "--target", "y", *TINY, *args, cwd=small_csv)
    assert message in one_line_error(proc)
    assert sorted(p.name for p in small_csv.iterdir()) == ["data.csv"]


# ----------------------------------------------------------------- 13: output location


@SUBPROCESS
def test_out_naming_a_file_is_refused_before_sampling(small_csv):
    (small_csv / "notes.md").write_text("mine\n")
    proc = run("fit", "data.csv", "--target", "y", *HUGE, "--out", "notes.md", cwd=small_csv)
    assert "--out notes.md: exists and is not a folder" in one_line_error(proc)
    assert (small_csv / "notes.md").read_text() == "mine\n" and nothing_left(small_csv)


@SUBPROCESS
def test_out_under_a_file_is_refused(small_csv):
    proc = run("fit", "data.csv", "--target", "y", *HUGE, "--out", "data.csv/a/b", cwd=small_csv)
    assert "data.csv is not a folder" in one_line_error(proc)


@SUBPROCESS
def test_out_in_an_unwritable_folder_is_refused(small_csv):
    if os.geteuid() == 0:  # root writes anywhere chmod allows; sysfs refuses even root
        target = "/sys/bayes_l1_results"
    else:
        locked = small_csv / "locked"
        locked.mkdir(mode=0o500)
        target = str(locked / "results")
    proc = run("fit", "data.csv", "--target", "y", *HUGE, "--out", target, cwd=small_csv)
    assert f"--out {target}: cannot write in" in one_line_error(proc)
    assert not os.path.exists(target)


def test_out_where_an_output_file_is_a_folder_is_refused(cli, small_csv):
    (small_csv / "res" / "compare.csv").mkdir(parents=True)
    proc = cli("fit", "data.csv", "--target", "y", *TINY, "--out", "res", cwd=small_csv)
    assert "compare.csv is a folder" in one_line_error(proc)
    assert nothing_left(small_csv)


def test_path_out_naming_a_file_is_refused(cli, small_csv):
    proc = cli("path", "data.csv", "--target", "y", "--out", "data.csv", cwd=small_csv)
    assert "--out data.csv: exists and is not a folder" in one_line_error(proc)


@SUBPROCESS
def test_failed_fit_leaves_no_output_folder(small_csv):
    frame = pd.read_csv(small_csv / "data.csv")
    frame.loc[3, "b"] = np.inf
    frame.to_csv(small_csv / "bad.csv", index=False)
    proc = run("fit", "bad.csv", "--target", "y", *TINY, "--cv", "2", "--out", "o", cwd=small_csv)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (small_csv / "o").exists() and nothing_left(small_csv)


def test_path_outputs_go_into_an_existing_folder_keeping_its_files(cli, small_csv):
    out = small_csv / "existing" / "deeper"
    out.mkdir(parents=True)
    (out / "keep.txt").write_text("x")
    (out / "cv.csv").write_text("old")
    proc = cli("path", "data.csv", "--target", "y", "--cv", "2", "--out", str(out), cwd=small_csv)
    assert proc.returncode == 0, proc.stderr
    assert (out / "keep.txt").read_text() == "x"
    assert list(pd.read_csv(out / "cv.csv").columns) == ["alpha", "cv_mean", "cv_se"]
    assert (out / "path_coefs.csv").exists() and nothing_left(small_csv)
    new = small_csv / "new" / "nested"  # missing parents are made, at the end
    proc = cli("path", "data.csv", "--target", "y", "--cv", "2", "--out", str(new), cwd=small_csv)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in new.iterdir()) == ["cv.csv", "path_coefs.csv"]
    assert nothing_left(small_csv)


# ----------------------------------------------------------------- 15: CSV files


@pytest.fixture(scope="module")
def regression_frame():
    sim = bl.make_sparse_regression(60, 5, 2, snr=10, random_state=5)
    return sim.X.assign(resp=sim.y)


def entry_order(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("Entry order"))


@SUBPROCESS
def test_a_folder_as_the_csv_is_named_as_such(tmp_path):
    (tmp_path / "data.csv").mkdir()
    proc = run("path", "data.csv", "--target", "y", cwd=tmp_path)
    assert "data.csv is a folder, not a CSV file" in one_line_error(proc)


@pytest.mark.parametrize(
    ("text", "message"),
    [("a,b,y\n", "has a header but no data rows"), ("", "as CSV: the file is empty")],
)
def test_a_csv_without_data_says_so(cli, tmp_path, text, message):
    (tmp_path / "data.csv").write_text(text)
    proc = cli("path", "data.csv", "--target", "y", cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr  # not "non-numeric columns"


@pytest.mark.parametrize(
    ("sep", "shown"), [(";", "';'-separated"), ("\t", "tab-separated"), ("|", "'|'-separated")]
)
def test_delimiter_is_detected_and_shown(cli, tmp_path, regression_frame, sep, shown):
    regression_frame.to_csv(tmp_path / "comma.csv", index=False)
    regression_frame.to_csv(tmp_path / "other.csv", index=False, sep=sep)
    ref = cli("path", "comma.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    proc = cli("path", "other.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert ref.returncode == 0 and proc.returncode == 0, proc.stderr
    assert f"other.csv (60 x 5, {shown})" in proc.stdout
    assert entry_order(proc.stdout) == entry_order(ref.stdout)


@SUBPROCESS
def test_semicolon_csv_as_a_command(tmp_path, regression_frame):
    regression_frame.to_csv(tmp_path / "d.csv", index=False, sep=";")
    proc = run("path", "d.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "d.csv (60 x 5, ';'-separated)" in proc.stdout
    proc = run("path", "d.csv", "--target", "nope", cwd=tmp_path)
    line = one_line_error(proc)
    assert "target column 'nope' not in d.csv (read as ';'-separated)" in line
    assert "columns are: 'x0', 'x1', 'x2', 'x3', 'x4', 'resp'" in line


def test_unrecognized_delimiter_says_what_was_seen(cli, tmp_path, regression_frame):
    regression_frame.to_csv(tmp_path / "colon.csv", index=False, sep=":")
    proc = cli("path", "colon.csv", "--target", "resp", cwd=tmp_path)
    line = one_line_error(proc)
    assert "found one column, 'x0:x1:x2:x3:x4:resp'" in line and "';', tab, '|'" in line


def test_decimal_commas_are_pointed_out(cli, tmp_path, regression_frame):
    regression_frame.to_csv(tmp_path / "eu.csv", index=False, sep=";", decimal=",")
    proc = cli("path", "eu.csv", "--target", "resp", cwd=tmp_path)
    line = one_line_error(proc)
    assert "non-numeric columns ['x0'," in line
    assert "(a decimal comma or a thousands separator)" in line


@pytest.mark.parametrize("labels", ["default", "from_one", "names"])
def test_unnamed_index_column_is_left_out_with_a_warning(cli, tmp_path, regression_frame, labels):
    frame = regression_frame.copy()
    if labels == "from_one":  # R's write.csv
        frame.index = np.arange(1, len(frame) + 1)
    if labels == "names":
        frame.index = [f"row{i}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "indexed.csv")  # header starts with an empty field
    proc = cli("path", "indexed.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "indexed.csv (60 x 5)" in proc.stdout and "Unnamed" not in proc.stdout
    assert "warning: the first column of indexed.csv has no header" in proc.stderr

    proc = cli("path", "indexed.csv", "--target", "resp", "--index-col", "none", cwd=tmp_path)
    if labels == "names":  # row names as a feature: refused as text
        assert "non-numeric columns ['Unnamed: 0']" in one_line_error(proc)
    else:
        assert proc.returncode == 0 and "indexed.csv (60 x 6)" in proc.stdout


def test_index_col_by_name_or_position(cli, tmp_path, regression_frame):
    frame = regression_frame.assign(rid=np.arange(100, 160))[["rid", *regression_frame]]
    frame.to_csv(tmp_path / "ids.csv", index=False)
    for value in ("rid", "0"):
        proc = cli("path", "ids.csv", "--target", "resp", "--index-col", value, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "ids.csv (60 x 5)" in proc.stdout and "rid" not in proc.stdout
    proc = cli("path", "ids.csv", "--target", "resp", "--index-col", "ID", cwd=tmp_path)
    assert "--index-col 'ID' is neither a column of ids.csv" in one_line_error(proc)
    proc = cli("path", "ids.csv", "--target", "resp", "--index-col", "resp", cwd=tmp_path)
    assert "--index-col 'resp' is the target column" in one_line_error(proc)


@SUBPROCESS
def test_a_headed_row_counter_is_fitted_with_a_warning(tmp_path, regression_frame):
    frame = regression_frame.assign(n=np.arange(len(regression_frame)))[["n", *regression_frame]]
    frame.to_csv(tmp_path / "counted.csv", index=False)
    proc = run("path", "counted.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "counted.csv (60 x 6)" in proc.stdout
    assert "the first column, 'n', counts the rows" in proc.stderr
    assert "--index-col n leaves it out" in proc.stderr


def test_binary_csv(cli, tmp_path):
    (tmp_path / "bin.csv").write_bytes(b"a,b,y\n\xff\xfe\x00,1,2\n")
    proc = cli("path", "bin.csv", "--target", "y", cwd=tmp_path)
    assert "not UTF-8 text" in one_line_error(proc)


# ------------------------------------------------- public-data CSVs (a new user's files)


def test_duplicate_column_names_are_refused(cli, tmp_path, regression_frame):
    """pandas would rename the second 'resp' to 'resp.1' and the fit would model the wrong
    column without a word."""
    frame = regression_frame.copy()
    frame.columns = ["x0", "x1", "x2", "resp", "x4", "resp"]
    frame.to_csv(tmp_path / "dup.csv", index=False)
    proc = cli("path", "dup.csv", "--target", "resp", cwd=tmp_path)
    assert "dup.csv has duplicate column names ['resp']" in one_line_error(proc)


def test_delimiter_ending_every_line_is_left_out(cli, tmp_path, regression_frame):
    regression_frame.to_csv(tmp_path / "plain.csv", index=False)
    lines = (tmp_path / "plain.csv").read_text().splitlines()
    (tmp_path / "trail.csv").write_text("".join(f"{line},\n" for line in lines))
    ref = cli("path", "plain.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    proc = cli("path", "trail.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "trail.csv (60 x 5)" in proc.stdout and "1 column(s) with no header" in proc.stderr
    assert entry_order(proc.stdout) == entry_order(ref.stdout)


def test_spaces_after_delimiters_and_a_near_target_name(cli, tmp_path, regression_frame):
    regression_frame.to_csv(tmp_path / "plain.csv", index=False)
    text = (tmp_path / "plain.csv").read_text()
    (tmp_path / "spaced.csv").write_text(text.replace(",", ", "))
    ref = cli("path", "plain.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    proc = cli("path", "spaced.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert entry_order(proc.stdout) == entry_order(ref.stdout)
    (tmp_path / "trailing.csv").write_text(text.replace("resp", "resp "))
    proc = cli("path", "trailing.csv", "--target", "resp", cwd=tmp_path)
    assert "did you mean 'resp '?" in one_line_error(proc)
    for typed in ("RESP", "rsp"):  # other case, a letter missing
        assert "did you mean 'resp'?" in one_line_error(
            cli("path", "plain.csv", "--target", typed, cwd=tmp_path)
        )
    assert "did you mean" not in one_line_error(
        cli("path", "plain.csv", "--target", "y", cwd=tmp_path)
    )


def test_constant_and_two_valued_targets(cli, tmp_path, regression_frame):
    regression_frame.assign(resp=3.0).to_csv(tmp_path / "flat.csv", index=False)
    proc = cli("path", "flat.csv", "--target", "resp", cwd=tmp_path)
    assert "the target 'resp' is constant (3.0): nothing to regress" in one_line_error(proc)
    binary = regression_frame.assign(resp=(regression_frame["resp"] > 0).astype(int))
    binary.to_csv(tmp_path / "bin.csv", index=False)
    proc = cli("path", "bin.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "takes two values (0, 1)" in proc.stderr and "--logistic fits" in proc.stderr
    proc = cli("path", "bin.csv", "--target", "resp", "--cv", "3", "--logistic", cwd=tmp_path)
    assert proc.returncode == 0 and "takes two values" not in proc.stderr
    yes_no = binary.assign(resp=binary["resp"].map({0: "no", 1: "yes"}))
    yes_no.to_csv(tmp_path / "yn.csv", index=False)
    proc = cli("path", "yn.csv", "--target", "resp", cwd=tmp_path)
    assert "the target 'resp' holds text ('" in one_line_error(proc)
    assert "class labels need --logistic" in proc.stderr
    three = regression_frame.assign(resp=np.arange(len(regression_frame)) % 3)
    three.to_csv(tmp_path / "three.csv", index=False)
    proc = cli("path", "three.csv", "--target", "resp", "--logistic", cwd=tmp_path)
    assert "--logistic needs a target with two values; 'resp' has 3 (0, 1, 2)" in one_line_error(
        proc
    )


def test_logistic_runs_name_the_modelled_class_and_separation(cli, tmp_path, regression_frame):
    """Labels are coded in sorted order ('yes' is 1); separable classes are warned about; a
    CV minimum at the end of the alpha grid is called what it is."""
    labels = np.where(regression_frame["x0"] > 0, "yes", "no")  # x0 separates them
    regression_frame.assign(resp=labels).to_csv(tmp_path / "sep.csv", index=False)
    proc = cli("path", "sep.csv", "--target", "resp", "--cv", "3", "--logistic", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Modelling P(resp = 'yes') against resp = 'no'." in proc.stdout
    assert "the classes are linearly separable" in proc.stderr
    exact = regression_frame.assign(resp=2.0 * regression_frame["x0"])  # CV loss falls to 0
    exact.to_csv(tmp_path / "exact.csv", index=False)
    proc = cli("path", "exact.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert "alpha_min is the smallest alpha of the grid" in proc.stderr
    assert "separable" not in proc.stderr


def test_a_column_of_row_names_points_to_index_col(cli, tmp_path, regression_frame):
    frame = regression_frame.assign(state=[f"s{i}" for i in range(len(regression_frame))])
    frame.to_csv(tmp_path / "named.csv", index=False)
    proc = cli("path", "named.csv", "--target", "resp", cwd=tmp_path)
    assert "if these are row labels, --index-col state leaves them out" in one_line_error(proc)
    proc = cli("path", "named.csv", "--target", "resp", "--index-col", "state", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


@SUBPROCESS
def test_python_warnings_read_as_the_commands(tmp_path, regression_frame):
    regression_frame.assign(flat=1.0).to_csv(tmp_path / "flat_col.csv", index=False)
    proc = run("path", "flat_col.csv", "--target", "resp", "--cv", "3", cwd=tmp_path)
    assert proc.returncode == 0
    assert "bayes-l1: warning: Columns ['flat'] are constant" in proc.stderr
    assert "UserWarning" not in proc.stderr


def test_spike_slab_with_few_rows_says_which_models_are_out(cli, tmp_path, regression_frame):
    regression_frame.head(5).to_csv(tmp_path / "five.csv", index=False)
    proc = cli(
        "fit", "five.csv", "--target", "resp", "--prior", "spike-slab", "--cv", "2",
        "--draws", "50", "--chains", "1", "--out", "o", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "models of more than n - 2 = 3 features have probability 0" in proc.stdout


def test_a_missing_target_value_is_named_by_its_row(cli, tmp_path):
    (tmp_path / "data.csv").write_text("a,b,y\n1,2,3\n2,3,\n3,1,5\n4,4,NA\n5,0,1\n")
    proc = cli("path", "data.csv", "--target", "y", cwd=tmp_path)
    assert proc.returncode == 2
    assert "target column 'y' of data.csv has 2 missing value(s) (data rows 2, 4)" in proc.stderr
