"""The ``bayes-l1`` command: CSV in, tables and figures out.

bayes-l1 demo [--out DIR]                  # diabetes: MAP path, CV, then the Bayesian lasso
bayes-l1 path data.csv --target y [--logistic] [--l1-ratio R] [--cv K] [--out DIR]
bayes-l1 fit data.csv --target y [--prior laplace|horseshoe|regularized-horseshoe|ridge]
         [--logistic] [--sampler nuts|gibbs|pymc|nutpie] [--draws --tune --chains --seed]
         [--out DIR]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_l1.data import load_diabetes
from bayes_l1.map import CVResult, lasso_map_cv

__all__ = ["main"]


PRIOR_NAMES = ("laplace", "horseshoe", "regularized-horseshoe", "ridge")
SAMPLERS = ("nuts", "gibbs", "pymc", "nutpie")
SAMPLER_HELP = (
    "nuts: PyMC's NUTS (nutpie when installed, default); gibbs: exact Gibbs sampler "
    "(Gaussian likelihood); pymc: PyMC's own NUTS; nutpie: nutpie's NUTS"
)


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 2."""


def read_table(path: str, target: str) -> tuple[pd.DataFrame, pd.Series]:
    file = Path(path)
    if not file.is_file():
        raise CLIError(f"no such file: {path}")
    try:
        frame = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CLIError(f"could not read {path} as CSV: {exc}") from exc
    if target not in frame.columns:
        raise CLIError(
            f"target column {target!r} not in {path}; columns are: {', '.join(map(str, frame))}"
        )
    return frame.drop(columns=target), frame[target]


def format_path_report(cv: CVResult, title: str) -> str:
    path = cv.path
    lines = [
        title,
        f"MAP path: {path.alphas.size} alphas from alpha_max = {path.alpha_max:.4g} down to "
        f"{path.alphas[-1]:.4g} ({path.likelihood} likelihood, l1_ratio = {path.l1_ratio:g}, "
        "standardized features)",
        "Entry order along the path: " + ", ".join(path.entry_order),
        f"{len(cv.test_folds)}-fold CV ({cv.loss_name}): alpha_min = {cv.alpha:.4g} "
        f"(loss {cv.cv_mean[cv.index]:.4g} +/- {cv.cv_se[cv.index]:.3g}), "
        f"alpha_1se = {cv.alpha_1se:.4g} (loss {cv.cv_mean[cv.index_1se]:.4g})",
    ]
    for rule, alpha in (("min", cv.alpha), ("1se", cv.alpha_1se)):
        res = cv.result(rule)
        lines.append(
            f"Selected at alpha_{rule} = {alpha:.4g} ({len(res.selected)} of "
            f"{len(res.feature_names)}): " + ", ".join(res.selected)
        )
    table = pd.DataFrame(
        {"coef_min": cv.result("min").coef, "coef_1se": cv.result("1se").coef},
        index=pd.Index(path.feature_names, name="feature"),
    )
    lines += ["", "Coefficients on the original scale:", table.to_string(float_format="%.4g")]
    return "\n".join(lines)


def _bayesian_reading(X, y, cv: CVResult) -> str:
    from bayes_l1.map import lasso_map
    from bayes_l1.mapping import laplace_scale_from_alpha

    n = len(y)
    refit = lasso_map(X, y, cv.alpha, relax=True)
    resid = np.asarray(y) - (
        np.asarray(X, dtype=float) @ refit.relaxed_coef + refit.relaxed_intercept
    )
    sigma = float(np.sqrt(resid @ resid / (n - refit.support.sum() - 1)))
    b = laplace_scale_from_alpha(cv.alpha, sigma=sigma, n=n)
    return (
        f"Bayesian reading: alpha_min is the posterior mode under w_j ~ Laplace(0, b) on the "
        f"standardized features, b = sigma^2 / (n alpha) = {b:.4g}\n  (sigma = {sigma:.4g}, the "
        "residual sd of the relaxed refit on the selected support)."
    )


def _sklearn_check(X, y, alpha) -> str:
    from bayes_l1.compare import sklearn_lasso
    from bayes_l1.map import lasso_map

    sk = sklearn_lasso(X, y, alpha, tol=1e-12)
    if sk is None:
        return "scikit-learn not installed: equivalence check skipped."
    diff = np.abs(lasso_map(X, y, alpha, tol=1e-12).coef - sk).max()
    return (
        f"Check: max |lasso_map - scikit-learn Lasso| at alpha_min = {diff:.2e} "
        "(original units, both at tol 1e-12)."
    )


def run_demo(args) -> int:
    X, y = load_diabetes()
    cv = lasso_map_cv(X, y, cv=args.cv, random_state=args.seed)
    print(format_path_report(cv, f"bayes_l1 demo: diabetes data ({X.shape[0]} x {X.shape[1]})"))
    print()
    print(_bayesian_reading(X, y, cv))
    print(_sklearn_check(X, y, cv.alpha))
    _write_outputs(cv, args.out)
    print()
    print(
        f"The Bayesian lasso: Laplace prior, lam ~ Gamma hyperprior, {args.chains} chains x "
        f"{args.draws} draws ({args.sampler})"
    )
    fit_and_report(X, y, prior="laplace", cv=cv, args=args)
    return 0


def run_path(args) -> int:
    X, y = read_table(args.csv, args.target)
    likelihood = "logistic" if args.logistic else "gaussian"
    cv = lasso_map_cv(
        X, y, cv=args.cv, l1_ratio=args.l1_ratio, likelihood=likelihood, random_state=args.seed
    )
    print(format_path_report(cv, f"bayes_l1 path: {args.csv} ({X.shape[0]} x {X.shape[1]})"))
    _write_outputs(cv, args.out)
    return 0


def run_fit(args) -> int:
    X, y = read_table(args.csv, args.target)
    print(f"bayes_l1 fit: {args.csv} ({X.shape[0]} x {X.shape[1]}), prior {args.prior}")
    fit_and_report(X, y, prior=args.prior, cv=None, args=args)
    return 0


def _make_prior(name: str, p0: float | None):
    from bayes_l1.priors import Horseshoe, RegularizedHorseshoe, resolve_prior

    if p0 is not None:
        if name == "horseshoe":
            return Horseshoe(p0=p0)
        if name == "regularized-horseshoe":
            return RegularizedHorseshoe(p0=p0)
        raise CLIError("--p0 applies to the horseshoe priors only.")
    return resolve_prior(name)


def fit_and_report(X, y, *, prior: str, cv: CVResult | None, args) -> dict[str, Path]:
    """Fit the posterior, print the key results, write tables and figures to ``args.out``.

    Files: ``inclusion_summary.csv``, ``compare.csv`` (posterior next to the MAP/lasso and,
    when installed, scikit-learn's lasso), ``diagnostics.csv`` and ``diagnostics.txt``,
    and PNG figures (``path``, ``coefficients``, ``inclusion``, ``ranks``, ``shrinkage``
    for the horseshoe priors) when matplotlib is installed.
    """
    from bayes_l1.diagnostics import SamplingWarning
    from bayes_l1.estimators import BayesianLinearRegression, BayesianLogisticRegression
    from bayes_l1.summary import inclusion_summary

    logistic = bool(getattr(args, "logistic", False))
    likelihood = "logistic" if logistic else "gaussian"
    if cv is None:
        cv = lasso_map_cv(X, y, cv=args.cv, likelihood=likelihood, random_state=args.seed)
    estimator = (BayesianLogisticRegression if logistic else BayesianLinearRegression)(
        prior=_make_prior(prior, getattr(args, "p0", None)),
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        sampler=args.sampler,
        random_state=args.seed,
    )
    import pymc  # noqa: F401  - imported first: its import resets the logger level below

    logging.getLogger("pymc").setLevel(logging.WARNING)  # PyMC's progress chatter
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Reported below from fit.diagnostics_ (and written to diagnostics.txt), with advice.
        warnings.simplefilter("ignore", SamplingWarning)
        fit = estimator.fit(X, y)
    seconds = time.perf_counter() - start
    # X, y passed explicitly so the lasso columns carry the CSV's column names; alpha: the
    # prior's own lasso counterpart when it has one, else the CV alpha (inclusion_summary's
    # rule).
    alpha = fit.map_.alpha if fit.map_ is not None and fit.map_.l1_ratio == 1.0 else None
    table = inclusion_summary(
        fit,
        eps=args.eps,
        threshold=args.threshold,
        X=X,
        y=fit.model_data_.y,
        alpha=alpha,
        random_state=args.seed,
    )
    compare = _compare_table(X, y, table, likelihood)
    diag = fit.diagnostics_

    print(f"Sampled in {seconds:.1f} s. {str(diag).splitlines()[0]}")
    for problem in diag.problems:
        print(f"  - {problem}")
    shown = table[["median", "hdi_lower", "hdi_upper", "pip", "selected", "map_coef"]]
    attrs = table.attrs
    print(
        f"\nInclusion (pip = P(|beta_std| > {attrs['eps']:.3g}); selected: pip > "
        f"{attrs['threshold']:g}; {attrs['prob']:.0%} HDI; map_coef: lasso at alpha = "
        f"{attrs['lasso']['alpha']:.4g} ({attrs['lasso']['alpha_source']})):"
    )
    print(shown.head(args.top).to_string(float_format=lambda v: f"{v:.4g}"))
    if len(table) > args.top:
        print(f"... {len(table) - args.top} more rows in inclusion_summary.csv")
    if attrs.get("m_eff"):
        m = attrs["m_eff"]
        print(f"Effective number of non-zeros m_eff: {m['mean']:.2f} (sd {m['sd']:.2f})")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "inclusion_summary": out / "inclusion_summary.csv",
        "compare": out / "compare.csv",
        "diagnostics": out / "diagnostics.csv",
        "diagnostics_report": out / "diagnostics.txt",
    }
    table.to_csv(written["inclusion_summary"])
    compare.to_csv(written["compare"])
    diag.table.to_csv(written["diagnostics"])
    written["diagnostics_report"].write_text(str(diag) + "\n")
    written.update(_write_figures(fit, cv, table, out, top=args.top))
    print("\nWrote " + ", ".join(str(path) for path in written.values()))
    return written


def _compare_table(X, y, table: pd.DataFrame, likelihood: str) -> pd.DataFrame:
    """Posterior next to the MAP / lasso at the matching alpha and scikit-learn's lasso."""
    cols = ["median", "hdi_lower", "hdi_upper", "pip", "selected"]
    cols += [c for c in ("map_coef", "lasso_selected", "lasso_entry_rank") if c in table]
    compare = table[cols].rename(columns={"map_coef": "lasso_map"})
    info = table.attrs.get("lasso")
    if likelihood == "gaussian" and info and info["l1_ratio"] == 1.0:
        from bayes_l1.compare import sklearn_lasso

        sk = sklearn_lasso(X, y, info["alpha"], tol=1e-12)
        if sk is not None:
            names = [str(c) for c in getattr(X, "columns", range(sk.size))]
            compare["sklearn_lasso"] = pd.Series(sk, index=names).loc[compare.index]
    return compare


def _write_figures(fit, cv, table, out: Path, *, top: int) -> dict[str, Path]:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no figures (pip install 'bayes_l1[plots]').")
        return {}
    matplotlib.use("Agg")  # files only; never open windows
    from bayes_l1 import plots

    try:
        plots.matching_alpha(fit)
        path_fig = plots.plot_path(cv, fit=fit)
    except ValueError:  # a prior without a lasso alpha (horseshoe, ridge): path alone
        path_fig = plots.plot_path(cv)
    figures = {
        "path": path_fig,
        "coefficients": plots.plot_coefficients(fit, top=top),
        "inclusion": plots.plot_inclusion(table, top=top),
        "ranks": plots.plot_ranks(fit, top=min(top, 15)),
    }
    if "tau" in fit.idata_["posterior"].data_vars:
        figures["shrinkage"] = plots.plot_shrinkage(fit)
    paths = plots.save_figures(figures, out)
    return {f"{name}_png": path for name, path in zip(figures, paths, strict=True)}


def _write_outputs(cv: CVResult, out):
    if out is None:
        return
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cv.path.to_frame().to_csv(out / "path_coefs.csv")
    pd.DataFrame({"alpha": cv.alphas, "cv_mean": cv.cv_mean, "cv_se": cv.cv_se}).to_csv(
        out / "cv.csv", index=False
    )
    print(f"\nWrote {out / 'path_coefs.csv'} and {out / 'cv.csv'}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayes-l1",
        description="Bayesian sparse regression: the lasso as a MAP estimate, and beyond.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, out=None):
        p.add_argument("--cv", type=int, default=5, help="number of CV folds (default 5)")
        p.add_argument("--seed", type=int, default=0, help="random seed (folds, sampler)")
        where = f" (default {out})" if out else " (default: none written)"
        p.add_argument("--out", default=out, help="directory for the output files" + where)

    def sampling(p, *, draws, tune, chains):
        g = p.add_argument_group("posterior sampling")
        g.add_argument("--sampler", choices=SAMPLERS, default="nuts", help=SAMPLER_HELP)
        g.add_argument("--draws", type=int, default=draws, help=f"draws per chain ({draws})")
        g.add_argument("--tune", type=int, default=tune, help=f"tuning steps per chain ({tune})")
        g.add_argument("--chains", type=int, default=chains, help=f"chains ({chains})")
        g.add_argument(
            "--eps", type=float, default=None,
            help="relevance threshold for pip = P(|beta_std| > eps), on the standardized "
            "scale (default two standard errors, 2 sigma_hat / sqrt(n))",
        )  # fmt: skip
        g.add_argument(
            "--threshold", type=float, default=0.5,
            help="selected = pip > threshold (default 0.5, the median probability model)",
        )  # fmt: skip
        g.add_argument("--top", type=int, default=20, help="rows printed and plotted (20)")

    demo = sub.add_parser(
        "demo",
        help="diabetes data: MAP path and CV, then the Bayesian lasso, with figures",
        description="Bundled diabetes data (442 x 10): the lasso path and CV, the Bayesian "
        "reading of the CV alpha, a check against scikit-learn, then the Bayesian lasso "
        "posterior (inclusion table, diagnostics) with figures written to --out.",
    )
    common(demo, out="bayes_l1_demo")
    sampling(demo, draws=1000, tune=1000, chains=2)
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
    fit.add_argument("csv", help="CSV file with a header row; numeric feature columns only")
    fit.add_argument("--target", required=True, help="name of the response column")
    fit.add_argument(
        "--prior", choices=PRIOR_NAMES, default="laplace",
        help="coefficient prior: laplace (Bayesian lasso, default), horseshoe, "
        "regularized-horseshoe, ridge (normal)",
    )  # fmt: skip
    fit.add_argument(
        "--p0", type=float, default=None,
        help="horseshoe priors: prior guess of the number of relevant features",
    )  # fmt: skip
    fit.add_argument("--logistic", action="store_true", help="binary target (logistic model)")
    common(fit, out="bayes_l1_results")
    sampling(fit, draws=1000, tune=1000, chains=4)
    fit.set_defaults(func=run_fit)

    path = sub.add_parser("path", help="MAP (lasso / elastic-net) path and CV for a CSV file")
    path.add_argument("csv", help="CSV file with a header row; numeric columns only")
    path.add_argument("--target", required=True, help="name of the response column")
    path.add_argument("--logistic", action="store_true", help="binary target (L1 logistic)")
    path.add_argument("--l1-ratio", type=float, default=1.0, help="1 lasso, (0,1) elastic net")
    common(path)
    path.set_defaults(func=run_path)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CLIError, ValueError, TypeError) as exc:
        print(f"bayes-l1: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
