"""The ``bayes-l1`` command: CSV in, tables and figures out.

bayes-l1 demo [--out DIR]                  # diabetes: MAP path, CV, then the Bayesian lasso
bayes-l1 path data.csv --target y [--logistic] [--l1-ratio R] [--cv K] [--out DIR]
bayes-l1 fit data.csv --target y
         [--prior laplace|horseshoe|regularized-horseshoe|ridge|spike-slab] [--logistic]
         [--sampler auto|gibbs|nuts|pymc|nutpie|enumeration|mc3]
         [--draws --tune --chains --seed]
         [--out DIR]

Every option, the CSV and the output location are checked before any fitting: a bad one
ends the run with one line on stderr and exit status 2. Outputs are staged in a hidden
folder and moved into place at the end; Ctrl-C ends the run at once (exit 130), leaving no
partial output and no worker processes (``_cli_signals``).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import logging
import math
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_l1 import _cli_signals
from bayes_l1._cli_io import CLIError, OutputFolder, Table, read_table
from bayes_l1._validation import check_y, constant_columns_reported, preview
from bayes_l1.bma.model_priors import MODEL_PRIOR_NAMES
from bayes_l1.data import load_diabetes
from bayes_l1.map import CVResult, lasso_map_cv

__all__ = ["main"]


PRIOR_NAMES = ("laplace", "horseshoe", "regularized-horseshoe", "ridge", "spike-slab")
SAMPLERS = ("nuts", "gibbs", "enumeration", "mc3", "auto", "pymc", "nutpie")
SAMPLER_HELP = (
    "auto (default): enumeration for spike-slab while p <= 20, mc3 beyond, else gibbs (every "
    "other --prior has one, also with --logistic); the output names the sampler used. "
    "gibbs: exact Gibbs sampler (with --logistic by Polya-Gamma augmentation); nuts: PyMC's "
    "NUTS (nutpie when installed); pymc: PyMC's own NUTS; nutpie: nutpie's NUTS; "
    "enumeration: exact draws over all models (spike-slab, p <= 20); mc3: Metropolis over "
    "models (spike-slab)"
)
# demo fits the Bayesian lasso: the samplers that have it
DEMO_SAMPLERS = ("auto", "gibbs", "nuts", "pymc", "nutpie")
PATH_FILES = ("path_coefs.csv", "cv.csv")
# --model-prior: the spike-and-slab prior over models by name
MODEL_PRIORS = tuple(MODEL_PRIOR_NAMES)
FIT_FILES = ("inclusion_summary.csv", "compare.csv", "diagnostics.csv", "diagnostics.txt")
FIT_FILES += tuple(f"{name}.png" for name in ("path", "coefficients", "inclusion", "ranks"))
FIT_FILES += ("shrinkage.png", "models.csv")
# scikit-learn's lasso for compare.csv (Gaussian): a cap on its epochs (p coordinate updates
# each; measured 0.09 ms per epoch at 10,000 x 50: at most ~9 s, reached at correlation 0.999)
SKLEARN_MAX_ITER = 100_000


def _names(names, shown: int = 30) -> str:
    """Names joined, the first ``shown`` of them (p = 5000 prints no 5000-name line)."""
    more = f", ... (+{len(names) - shown:,} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def format_path_report(cv: CVResult, title: str, rows: int = 30) -> str:
    """The path and CV report; the coefficient table lists at most ``rows`` features: every
    one when p <= rows, else those non-zero at alpha_min or alpha_1se, by |coef_min|."""
    path = cv.path
    lines = [
        title,
        f"MAP path: {path.alphas.size} alphas from alpha_max = {path.alpha_max:.4g} down to "
        f"{path.alphas[-1]:.4g} ({path.likelihood} likelihood, l1_ratio = {path.l1_ratio:g}, "
        "standardized features)",
        "Entry order along the path: " + _names(path.entry_order),
        f"{len(cv.test_folds)}-fold CV ({cv.loss_name}): alpha_min = {cv.alpha:.4g} "
        f"(loss {cv.cv_mean[cv.index]:.4g} +/- {cv.cv_se[cv.index]:.3g}), "
        f"alpha_1se = {cv.alpha_1se:.4g} (loss {cv.cv_mean[cv.index_1se]:.4g})",
    ]
    for rule, alpha in (("min", cv.alpha), ("1se", cv.alpha_1se)):
        res = cv.result(rule)
        lines.append(
            f"Selected at alpha_{rule} = {alpha:.4g} ({len(res.selected)} of "
            f"{len(res.feature_names)}): " + (_names(res.selected) or "none")
        )
    table = pd.DataFrame(
        {"coef_min": cv.result("min").coef, "coef_1se": cv.result("1se").coef},
        index=pd.Index(path.feature_names, name="feature"),
    )
    heading = "Coefficients on the original scale:"
    if len(table) > rows:
        nonzero = table[(table != 0).any(axis=1)]
        table = nonzero.loc[nonzero["coef_min"].abs().sort_values(ascending=False).index]
        left = len(path.feature_names) - min(len(table), rows)
        heading = (
            f"Coefficients on the original scale (non-zero at alpha_min or alpha_1se, by "
            f"|coef_min|; {left:,} more features, every coefficient of the path in path_coefs.csv):"
        )
        table = table.head(rows)
    lines += ["", heading, table.to_string(float_format="%.4g")]
    return "\n".join(lines)


def _bayesian_reading(X, y, cv: CVResult) -> str:
    from bayes_l1.map.cv import cv_noise_sd
    from bayes_l1.mapping import laplace_scale_from_alpha

    n = len(y)
    sigma = cv_noise_sd(cv, np.asarray(X, dtype=float), np.asarray(y, dtype=float))
    b = laplace_scale_from_alpha(cv.alpha, sigma=sigma, n=n)
    return (
        f"Bayesian reading: alpha_min is the posterior mode under w_j ~ Laplace(0, b) on the "
        f"standardized features, b = sigma^2 / (n alpha) = {b:.4g}\n  (sigma = {sigma:.4g}, the "
        "noise sd the fits estimate: sqrt(RSS / (n - k - 1)) of the cross-validated lasso)."
    )


def _sklearn_check(X, y, alpha) -> str:
    from bayes_l1.compare import sklearn_lasso
    from bayes_l1.map import lasso_map

    sk = sklearn_lasso(X, y, alpha, tol=1e-12)
    diff = np.abs(lasso_map(X, y, alpha, tol=1e-12).coef - sk).max()
    return (
        f"Check: max |lasso_map - scikit-learn Lasso| at alpha_min = {diff:.2e} "
        "(original units, both at tol 1e-12)."
    )


def run_demo(args) -> int:
    check_sampling_options(args)
    with staged(args.out, PATH_FILES + FIT_FILES) as out:
        X, y = load_diabetes()
        cv = lasso_map_cv(X, y, cv=args.cv, random_state=args.seed)
        print(format_path_report(cv, f"bayes_l1 demo: diabetes data ({X.shape[0]} x {X.shape[1]})"))
        print()
        print(_bayesian_reading(X, y, cv))
        print(_sklearn_check(X, y, cv.alpha))
        written = _write_path_outputs(cv, out)
        print()
        print(
            f"The Bayesian lasso: Laplace prior, lam ~ Gamma hyperprior, {args.chains} chains x "
            f"{args.draws} draws (--sampler {args.sampler})"
        )
        written += fit_and_report(X, y, prior="laplace", cv=cv, args=args, out=out)
        _commit(out, written)
    return 0


def run_path(args) -> int:
    with staged(args.out, PATH_FILES) as out:
        table = _read(args)
        likelihood = "logistic" if args.logistic else "gaussian"
        cv = lasso_map_cv(
            table.X, table.y, cv=args.cv, l1_ratio=args.l1_ratio, likelihood=likelihood,
            random_state=args.seed,
        )  # fmt: skip
        print(format_path_report(cv, f"bayes_l1 path: {table.describe(args.csv)}"))
        labels = _labels(table) if args.logistic else None
        if labels is not None:
            print(_positive_class(labels[1], args.target))
        for note in _path_notes(cv, table, labels):
            _warn(note)
        if out is not None:
            _commit(out, _write_path_outputs(cv, out))
    return 0


def run_fit(args) -> int:
    check_sampling_options(args)
    with staged(args.out, FIT_FILES) as out:
        table = _read(args)
        X, y = table.X, table.y
        if args.p0 is not None and not args.p0 < X.shape[1]:
            raise CLIError(
                f"argument --p0: the prior guess of relevant features must be below the "
                f"{X.shape[1]} features of {args.csv}; got {args.p0:g}"
            )
        print(f"bayes_l1 fit: {table.describe(args.csv)}, prior {args.prior}")
        if args.logistic:
            print(_positive_class(_labels(table)[1], args.target))
        _commit(out, fit_and_report(X, y, prior=args.prior, cv=None, args=args, out=out))
    return 0


def _read(args) -> Table:
    table = read_table(args.csv, args.target, args.index_col)
    for note in table.notes:
        _warn(note)
    n = table.X.shape[0]
    if args.cv > n:
        raise CLIError(f"argument --cv: {args.cv} folds need {args.cv} rows; {args.csv} has {n}")
    values, target = table.y.dropna().unique(), args.target
    shown = preview(values)
    if args.logistic and values.size > 2:
        raise CLIError(
            f"--logistic needs a target with two values; {target!r} has {values.size} ({shown})"
        )
    if args.logistic:
        return table
    if not pd.api.types.is_numeric_dtype(table.y):
        raise CLIError(f"the target {target!r} holds text ({shown}): class labels need --logistic")
    if values.size == 1:
        raise CLIError(f"the target {target!r} is constant ({values[0]}): nothing to regress")
    if values.size == 2:
        shown = ", ".join(sorted(map(str, values)))
        _warn(
            f"the target {target!r} takes two values ({shown}): it "
            "is fitted as continuous (a linear probability model); --logistic fits a binary "
            "outcome"
        )
    return table


_WARNING = "bayes-l1: warning: "


def _warn(message: str) -> None:
    print(f"{_WARNING}{message}", file=sys.stderr)


def _labels(table: Table):
    """(y coded 0/1, the two class labels) of a logistic target, checked as the fits do."""
    return check_y(table.y, len(table.y), likelihood="logistic")


def _positive_class(classes, target: str) -> str:
    """Which label the logistic model codes 1 (the larger one, as scikit-learn's)."""
    show = [repr(v) if isinstance(v, str) else str(v) for v in np.asarray(classes).tolist()]
    return f"Modelling P({target} = {show[1]}) against {target} = {show[0]}."


def _path_notes(cv: CVResult, table: Table, labels) -> list[str]:
    """Notes on a path: a CV minimum at the smallest alpha of the grid, where the CV loss may
    still fall, and (``labels`` of a logistic target given) separable classes, where the
    path's coefficients grow without bound."""
    notes = []
    if cv.index == cv.alphas.size - 1:
        notes.append(
            f"alpha_min is the smallest alpha of the grid ({cv.alphas[-1]:.4g}, 1/1000 of "
            "alpha_max): the CV loss may fall further below it, so it is a property of the grid"
        )
    if labels is not None:
        from bayes_l1.data import Design
        from bayes_l1.separation import separable_if_cheap

        X = table.X.to_numpy(dtype=float)  # on the fits' working scale: ranks on one scale
        _, Z = Design.fit_transform(X, [str(c) for c in table.X.columns], warn=False)
        if separable_if_cheap(Z, labels[0]):
            notes.append(
                "the classes are linearly separable (complete or quasi-complete separation): "
                "the lasso's coefficients grow without bound as alpha falls, and the "
                "unpenalized fit does not exist"
            )
    return notes


def check_sampling_options(args) -> None:
    """Combinations of options the parser cannot check one by one."""
    prior = getattr(args, "prior", None)
    if getattr(args, "p0", None) is not None and not _takes(prior, "p0"):
        raise CLIError("--p0 applies to the horseshoe priors only.")
    if getattr(args, "model_prior", None) is not None and not _takes(prior, "model_prior"):
        raise CLIError("--model-prior applies to --prior spike-slab only.")
    if getattr(args, "eps", None) is not None and _takes(prior, "model_prior"):
        raise CLIError("--eps does not apply to --prior spike-slab: its pip is P(gamma_j = 1 | y)")
    _check_prior_options(
        getattr(args, "prior", None), args.sampler, getattr(args, "logistic", False)
    )
    if args.sampler == "nutpie" and importlib.util.find_spec("nutpie") is None:
        raise CLIError("--sampler nutpie needs the nutpie package (pip install nutpie)")


@contextmanager
def staged(target: str | None, names: tuple[str, ...]):
    """The output folder staged (None: no outputs); removed unless committed, also on
    Ctrl-C (the signal handler runs the same discard)."""
    if target is None:
        yield None
        return
    with _cli_signals.deferred():  # no Ctrl-C between creating it and registering its removal
        out = OutputFolder(target, names=names)
        _cli_signals.add_cleanup(out.discard)
    try:
        yield out
    finally:
        out.discard()


def _commit(out: OutputFolder, written: list[str]) -> None:
    with _cli_signals.deferred():
        final = out.commit()
        _cli_signals.set_note(f"the results were already written to {final}")
    print("\nWrote " + ", ".join(str(final / name) for name in written))
    if out.removed:
        print("Removed an earlier run's " + ", ".join(out.removed) + " (not written by this run)")


def _check_prior_options(name: str | None, sampler: str | None, logistic: bool) -> None:
    """The likelihood and sampler the prior of this name supports (its class says)."""
    from bayes_l1.priors import prior_class

    cls = prior_class(name)
    if cls is None:
        return
    if logistic and "logistic" not in cls.likelihoods:
        raise CLIError(f"--prior {name} supports the Gaussian likelihood only (no --logistic)")
    if cls.model_space and sampler not in (None, "auto", "enumeration", "mc3"):
        raise CLIError(
            f"--prior {name} is sampled over models: use --sampler auto, enumeration or mc3"
        )
    if not cls.model_space and sampler in ("enumeration", "mc3"):
        raise CLIError(f"--sampler {sampler} applies to --prior spike-slab only")


def _takes(name: str | None, parameter: str) -> bool:
    """Whether the prior of this name has this parameter (p0: the horseshoes; model_prior:
    spike-and-slab)."""
    from dataclasses import fields

    from bayes_l1.priors import prior_class

    cls = prior_class(name)
    return cls is not None and parameter in {f.name for f in fields(cls)}


def _make_prior(name: str, p0: float | None, model_prior: str | None = None):
    from bayes_l1.priors import prior_class, resolve_prior

    if p0 is not None:  # check_sampling_options: only with a prior that takes p0
        return prior_class(name)(p0=p0)
    if model_prior is not None:  # check_sampling_options: only with spike-slab
        return prior_class(name)(model_prior=model_prior)
    return resolve_prior(name)


def fit_and_report(X, y, *, prior: str, cv: CVResult | None, args, out: OutputFolder) -> list[str]:
    """Fit the posterior, print the key results, write tables and figures to ``out.path``;
    returns the names of the files written.

    Files: ``inclusion_summary.csv``, ``compare.csv`` (posterior next to the MAP/lasso and,
    for the Gaussian lasso, scikit-learn's lasso), ``diagnostics.csv`` and ``diagnostics.txt``,
    and PNG figures (``path``, ``coefficients``, ``inclusion``, ``ranks``, ``shrinkage``
    for the horseshoe priors) when matplotlib is installed.
    """
    from bayes_l1.compare import lasso_columns
    from bayes_l1.diagnostics import SamplingWarning
    from bayes_l1.posterior import fit_posterior
    from bayes_l1.summary import inclusion_summary

    likelihood = "logistic" if getattr(args, "logistic", False) else "gaussian"
    if cv is None:
        with constant_columns_reported():  # the fit below names them, once
            cv = lasso_map_cv(X, y, cv=args.cv, likelihood=likelihood, random_state=args.seed)
    import pymc  # noqa: F401  - imported first: its import resets the logger level below

    logging.getLogger("pymc").setLevel(logging.WARNING)  # PyMC's progress chatter
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Reported below from the diagnostics (and written to diagnostics.txt), with advice.
        warnings.simplefilter("ignore", SamplingWarning)
        fit, diag = fit_posterior(
            X, y, likelihood=likelihood,
            prior=_make_prior(prior, getattr(args, "p0", None), getattr(args, "model_prior", None)),
            sampler=args.sampler, draws=args.draws, tune=args.tune, chains=args.chains,
            random_state=args.seed, cv=cv, return_diagnostics=True,
        )  # fmt: skip
    seconds = time.perf_counter() - start
    # The lasso columns reuse the CV above (its alpha and path): one CV per run.
    table = lasso_columns(
        fit,
        cv=cv,
        table=inclusion_summary(fit, eps=args.eps, fdr=args.fdr, threshold=args.threshold),
    )
    compare = _compare_table(X, y, table, likelihood)

    sampler = fit.attrs["bayes_l1_sampler"]
    print(f"Sampled in {seconds:.1f} s by {sampler}. {str(diag).splitlines()[0]}")
    for problem in diag.problems:
        print(f"  - {problem}")
    for advice in diag.advice:
        print(f"  advice: {_as_options(advice)}")
    shown = table[["median", "hdi_lower", "hdi_upper", "pip", "selected", "map_coef"]]
    attrs = table.attrs
    rule = f"pip > {attrs['threshold']:.3g}"
    if attrs["selection"] == "bayesian_fdr":
        rule = f"Bayesian FDR {attrs['fdr']:g}, {rule}, expected FDR {attrs['expected_fdr']:.3f}"
    pip_text = (
        f"P(|beta_std| > {attrs['eps']:.3g})"
        if attrs["eps"] is not None
        else "P(gamma_j = 1 | y), averaged over models"
    )
    print(
        f"\nInclusion (pip = {pip_text}; selected: {rule}; "
        f"{attrs['prob']:.0%} HDI; map_coef: lasso at alpha = "
        f"{attrs['lasso']['alpha']:.4g} ({attrs['lasso']['alpha_source']})):"
    )
    print(shown.head(args.top).to_string(float_format=lambda v: f"{v:.4g}"))
    if len(table) > args.top:
        print(f"... {len(table) - args.top} more rows in inclusion_summary.csv")
    if attrs.get("m_eff"):
        m = attrs["m_eff"]
        print(f"Effective number of non-zeros m_eff: {m['mean']:.2f} (sd {m['sd']:.2f})")

    table.to_csv(out.path / "inclusion_summary.csv")
    compare.to_csv(out.path / "compare.csv")
    diag.table.to_csv(out.path / "diagnostics.csv")
    (out.path / "diagnostics.txt").write_text(_as_options(str(diag)) + "\n")
    written = ["inclusion_summary.csv", "compare.csv", "diagnostics.csv", "diagnostics.txt"]
    if "model_posterior" in fit.children:
        written.append(_report_models(fit, out.path, top=args.top))
    return written + _write_figures(fit, cv, table, out.path, top=args.top)


def _report_models(fit, out: Path, *, top: int) -> str:
    """A fit over models: print what BAS users read (the most probable models, HPM, MPM,
    BPM, the model size) and write the model table to models.csv."""
    from bayes_l1.summary import model_posterior

    models = model_posterior(fit)
    table = models.top_models(models.prob.size)
    table["model"] = [" + ".join(m) if m else "(null model)" for m in table["model"]]
    sizes = models.size_posterior
    how = "exact" if models.method == "enumeration" else "renormalized over the models MC3 visited"
    n = models.design.n
    if n - 2 < models.n_features:  # no residual degree of freedom: probability 0
        how += f"; models of more than n - 2 = {n - 2} features have probability 0"
    print(f"\nMost probable models ({how}; log_bf against the null model):")
    print(table.head(min(top, 5)).to_string(float_format=lambda v: f"{v:.4g}"))
    for label, chosen in (
        ("highest-probability", models.highest_probability_model),
        ("median-probability", models.median_probability_model),
        ("best-predictive", models.best_predictive_model()),
    ):
        print(f"{label} model: {' + '.join(chosen) or '(null model)'}")
    print(f"Model size: posterior mean {sizes @ sizes.index:.2f}, mode {sizes.idxmax()}")
    table.to_csv(out / "models.csv")
    return "models.csv"


def _compare_table(X, y, table: pd.DataFrame, likelihood: str) -> pd.DataFrame:
    """Posterior next to the MAP / lasso at the matching alpha and scikit-learn's lasso."""
    cols = ["median", "hdi_lower", "hdi_upper", "pip", "selected"]
    cols += [c for c in ("map_coef", "lasso_selected", "lasso_entry_rank") if c in table]
    compare = table[cols].rename(columns={"map_coef": "lasso_map"})
    info = table.attrs.get("lasso")
    if likelihood == "gaussian" and info and info["l1_ratio"] == 1.0:
        from bayes_l1.compare import sklearn_lasso

        with warnings.catch_warnings():  # bounded work after sampling: at most
            warnings.simplefilter("ignore")  # SKLEARN_MAX_ITER epochs, where it stops
            sk = sklearn_lasso(X, y, info["alpha"], tol=1e-12, max_iter=SKLEARN_MAX_ITER)
        names = [str(c) for c in getattr(X, "columns", range(sk.size))]
        compare["sklearn_lasso"] = pd.Series(sk, index=names).loc[compare.index]
    return compare


# The diagnostics' advice names Python arguments; those the command has as options are
# shown as the options: sampler='nuts' -> --sampler nuts, tune=2000 -> --tune 2000
_ADVICE_OPTIONS = re.compile(r"\b(sampler|tune|draws|chains|p0)=('?)([\w./-]+)\2")


def _as_options(text: str) -> str:
    return _ADVICE_OPTIONS.sub(lambda m: f"--{m[1]} {m[3]}", text)


def _write_figures(fit, cv, table, out: Path, *, top: int) -> list[str]:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no figures (pip install 'bayes_l1[plots]').")
        return []
    matplotlib.use("Agg")  # files only; never open windows
    from bayes_l1 import plots

    try:
        plots.matching_alpha(fit)
        path_fig = plots.plot_path(cv, fit=fit)
    except ValueError:  # a prior without a lasso alpha (horseshoe, ridge): path alone
        path_fig = plots.plot_path(cv)
    figures = {
        "path": path_fig,
        "coefficients": plots.plot_coefficients(fit, table=table, top=top),
        "inclusion": plots.plot_inclusion(table, top=top),
        "ranks": plots.plot_ranks(fit, top=min(top, 15)),
    }
    if "tau" in fit["posterior"].data_vars:
        figures["shrinkage"] = plots.plot_shrinkage(fit)
    paths = plots.save_figures(figures, out)
    return [Path(path).name for path in paths]


def _write_path_outputs(cv: CVResult, out: OutputFolder) -> list[str]:
    cv.path.to_frame().to_csv(out.path / "path_coefs.csv")
    pd.DataFrame({"alpha": cv.alphas, "cv_mean": cv.cv_mean, "cv_se": cv.cv_se}).to_csv(
        out.path / "cv.csv", index=False
    )
    return list(PATH_FILES)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, as every other bayes-l1 error (argparse would print the usage first).
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _integer(minimum: int, maximum: int | None = None):
    """argparse type: an integer in [minimum, maximum]; the message says what is accepted."""
    accepts = (
        f"an integer >= {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"
    )

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {accepts}, got {text!r}")
        return value

    return parse


def _real(low: float, high: float = math.inf, *, low_open=False, high_open=False):
    """argparse type: a finite number in the interval given (open or closed ends)."""
    if high == math.inf:
        accepts = f"a number {'>' if low_open else '>='} {low:g}"
    else:
        ends = ("(" if low_open else "[", ")" if high_open else "]")
        accepts = f"a number in {ends[0]}{low:g}, {high:g}{ends[1]}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and (low < value if low_open else low <= value)
        ok = ok and (value < high if high_open else value <= high)
        if not ok:
            raise argparse.ArgumentTypeError(f"expected {accepts}, got {text!r}")
        return value

    return parse


SEED_MAX = 2**32 - 1


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="bayes-l1",
        description="Bayesian sparse regression: the lasso as a MAP estimate, and beyond.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, out=None, seeds="folds, sampler"):
        p.add_argument("--cv", type=_integer(2), default=5, help="number of CV folds (default 5)")
        p.add_argument(
            "--seed", type=_integer(0, SEED_MAX), default=0,
            help=f"random seed ({seeds}), 0 to {SEED_MAX} (default 0)",
        )  # fmt: skip
        where = f" (default {out})" if out else " (default: none written)"
        p.add_argument(
            "--out", default=out,
            help="folder for the output files, created or added to (an earlier run's files "
            "of this command that this run does not write are removed, other files kept); "
            "written only when the run completes" + where,
        )  # fmt: skip

    def table(p):
        p.add_argument("--target", required=True, help="name of the response column")
        p.add_argument(
            "--index-col", default=None, metavar="COLUMN",
            help="column of row labels, not a feature (name or 0-based position); by default "
            "a first column with an empty header (a written row index) is one; 'none': no "
            "index column",
        )  # fmt: skip

    def sampling(p, *, draws, tune, chains, samplers=SAMPLERS, sampler_help=SAMPLER_HELP):
        g = p.add_argument_group("posterior sampling")
        g.add_argument("--sampler", choices=samplers, default="auto", help=sampler_help)
        g.add_argument(
            "--draws", type=_integer(1), default=draws, help=f"draws per chain ({draws})"
        )
        g.add_argument(
            "--tune", type=_integer(0), default=tune, help=f"tuning steps per chain ({tune})"
        )
        g.add_argument("--chains", type=_integer(1), default=chains, help=f"chains ({chains})")
        g.add_argument(
            "--eps", type=_real(0.0), default=None,
            help="relevance threshold for pip = P(|beta_std| > eps), on the standardized "
            "scale (default two standard errors, 2 sigma_hat / sqrt(n))",
        )  # fmt: skip
        rule = g.add_mutually_exclusive_group()  # one selection rule: both is an error
        rule.add_argument(
            "--fdr", type=_real(0.0, 1.0, low_open=True, high_open=True), default=0.1,
            help="selected: the features with the highest pips whose posterior expected false "
            "discovery proportion is at most this, in (0, 1) (default 0.1)",
        )  # fmt: skip
        rule.add_argument(
            "--threshold", type=_real(0.0, 1.0), default=None,
            help="instead of --fdr: selected = pip > threshold, in [0, 1] (0.5 is the median "
            "probability model)",
        )  # fmt: skip
        g.add_argument(
            "--top", type=_integer(1), default=20,
            help="rows printed and plotted (20; ranks.png shows at most 15)",
        )  # fmt: skip

    demo = sub.add_parser(
        "demo",
        help="diabetes data: MAP path and CV, then the Bayesian lasso, with figures",
        description="Bundled diabetes data (442 x 10): the lasso path and CV, the Bayesian "
        "reading of the CV alpha, a check against scikit-learn, then the Bayesian lasso "
        "posterior (inclusion table, diagnostics) with figures written to --out.",
    )
    common(demo, out="bayes_l1_demo")
    sampling(
        demo, draws=1000, tune=1000, chains=2, samplers=DEMO_SAMPLERS,
        sampler_help="auto / gibbs (default: the exact Gibbs sampler of the Bayesian lasso); "
        "nuts: PyMC's NUTS (nutpie when installed); pymc, nutpie: that NUTS",
    )  # fmt: skip
    demo.set_defaults(func=run_demo)

    fit = sub.add_parser(
        "fit",
        help="posterior of a sparse regression for a CSV file: tables and figures",
        description="Sample the posterior of a linear (or --logistic) regression with a "
        "sparsity prior and write to --out: inclusion_summary.csv (mean, median, sd, HDI, "
        "pip, p_sign, kappa, ranks, the lasso at the matching alpha), compare.csv "
        "(posterior vs MAP/lasso vs scikit-learn's lasso), diagnostics.csv / .txt (R-hat, "
        "ESS, divergences, advice) and PNG figures (path, coefficients, inclusion, ranks, "
        "shrinkage for the horseshoe priors). Features are standardized internally; "
        "results are in the original units.",
    )
    fit.add_argument(
        "csv",
        help="CSV file with a header row (delimiter ',', ';', tab or '|', detected); numeric "
        "feature columns only",
    )
    table(fit)
    fit.add_argument(
        "--prior", choices=PRIOR_NAMES, default="laplace",
        help="coefficient prior: laplace (Bayesian lasso, default), horseshoe, "
        "regularized-horseshoe, ridge (normal), spike-slab (Zellner-Siow g-prior model "
        "model averaging: pip = P(gamma_j = 1 | y); Gaussian; all models enumerated for "
        "p <= 20, MC3 beyond; models.csv holds the most probable models)",
    )  # fmt: skip
    fit.add_argument(
        "--p0", type=_real(0.0, low_open=True), default=None,
        help="horseshoe priors: prior guess of the number of relevant features "
        "(default min(n, p) / 2)",
    )  # fmt: skip
    fit.add_argument(
        "--model-prior", choices=MODEL_PRIORS, default=None,
        help="spike-slab: prior over models, uniform (default: every model equally likely) "
        "or beta-binomial (BetaBinomial(1, 1): every model size equally likely, which "
        "adjusts for multiplicity; advised with many features)",
    )  # fmt: skip
    fit.add_argument("--logistic", action="store_true", help="binary target (logistic model)")
    common(fit, out="bayes_l1_results")
    sampling(fit, draws=1000, tune=1000, chains=4)
    fit.set_defaults(func=run_fit)

    path = sub.add_parser(
        "path",
        help="MAP (lasso / elastic-net) path and CV for a CSV file",
        description="The lasso (or elastic-net, --l1-ratio; L1 logistic, --logistic) path on "
        "standardized features and K-fold CV: prints the entry order, alpha_min and "
        "alpha_1se and the coefficients at both in the original units; with --out writes "
        "path_coefs.csv and cv.csv. No sampling.",
    )
    path.add_argument(
        "csv", help="CSV file with a header row (delimiter detected); numeric columns only"
    )
    table(path)
    path.add_argument("--logistic", action="store_true", help="binary target (L1 logistic)")
    path.add_argument(
        "--l1-ratio", type=_real(0.0, 1.0, low_open=True), default=1.0,
        help="1 lasso (default), in (0, 1) elastic net",
    )  # fmt: skip
    common(path, seeds="folds")
    path.set_defaults(func=run_path)
    return parser


def _format_warning(message, category, filename, lineno, line=None) -> str:
    return f"{_WARNING}{message}\n"


@contextmanager
def _warnings_as_the_commands():
    """Python warnings printed as the command's own lines, without the interpreter's file
    and line ("<frozen runpy>:88: UserWarning: ..."); recorded warnings are untouched."""
    saved, warnings.formatwarning = warnings.formatwarning, _format_warning
    try:
        yield
    finally:
        warnings.formatwarning = saved


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    stdout = _PipeSafe(sys.stdout)
    with _cli_signals.handled(), _warnings_as_the_commands(), redirect_stdout(stdout):
        try:
            return args.func(args)
        except (CLIError, ValueError, TypeError) as exc:
            print(f"bayes-l1: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        except OSError as exc:  # writing the outputs: disk full, folder removed meanwhile
            print(f"bayes-l1: error: {_one_line(exc)}", file=sys.stderr)
            return 1
        finally:
            if stdout.broken:  # no "Exception ignored" when Python flushes it at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())


class _PipeSafe(io.TextIOBase):
    """stdout that a closed reader (``bayes-l1 fit ... | head``) does not break: the rest
    of the report is dropped, the run goes on and writes its files."""

    def __init__(self, stream):
        self.stream, self.broken = stream, False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.broken = True
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.broken = True


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
