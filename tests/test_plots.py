"""Figures: rendered with the Agg backend, checked for what is drawn (artists, positions,
labels) against independent computations from the draws."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import bayes_l1 as bl
from tests.mc import seed

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402

from bayes_l1 import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def make_tree(p, *, draws=60, n=100, horseshoe=False, seed=0):
    """A posterior in the package's schema: a few strong features, the rest near zero."""
    rng = np.random.default_rng(seed)
    center = np.zeros(p)
    center[: min(5, p)] = [1.0, -0.8, 0.6, 0.4, 0.2][: min(5, p)]
    beta_std = center + 0.05 * rng.standard_normal((1, draws, p))
    names = [f"x{j}" for j in range(p)]
    post = {
        "beta_std": (("chain", "draw", "feature"), beta_std),
        "beta": (("chain", "draw", "feature"), 3.0 * beta_std),
        "sigma_std": (("chain", "draw"), 0.5 + 0.01 * rng.standard_normal((1, draws))),
    }
    if horseshoe:
        post["tau"] = (("chain", "draw"), np.exp(rng.normal(-3, 0.2, (1, draws))))
        post["local"] = (("chain", "draw", "feature"), np.abs(rng.standard_cauchy((1, draws, p))))
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(post, coords={"feature": names}),
            "observed_data": xr.Dataset({"y": (("obs",), rng.standard_normal(n))}),
        }
    )


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_import_bayes_l1_does_not_import_matplotlib():
    code = "import sys, bayes_l1; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------- path


@pytest.fixture(scope="module")
def diabetes_cv(diabetes):
    X, y = diabetes
    return bl.lasso_map_cv(X, y, cv=3, n_alphas=40, random_state=0)


def test_path_draws_lines_entries_and_cv_lines(diabetes_cv):
    cv = diabetes_cv
    ax = plots.plot_path(cv, n_labels=3)
    paths = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(paths) == 1
    segments = paths[0].get_segments()
    entered = np.flatnonzero((cv.path.coefs != 0).any(axis=1))
    assert len(segments) == len(entered)
    np.testing.assert_allclose(segments[0][:, 0], np.log10(cv.alphas))
    np.testing.assert_allclose(segments[0][:, 1], cv.path.coefs_working[entered[0]])
    entries = next(c for c in ax.collections if isinstance(c, PathCollection))
    expected = np.sort(np.log10(cv.path.entry_alpha[entered]))
    np.testing.assert_allclose(np.sort(entries.get_offsets()[:, 0]), expected)
    vlines = {line.get_label(): line.get_xdata()[0] for line in ax.get_lines()}
    assert vlines["CV alpha"] == pytest.approx(np.log10(cv.alpha))
    assert vlines["alpha_1se"] == pytest.approx(np.log10(cv.alpha_1se))
    assert [t.get_text() for t in ax.texts] == list(cv.path.entry_order[:3])
    assert "log10(alpha)" in ax.get_xlabel() and "standardized" in ax.get_ylabel()


def test_path_original_scale_and_bad_input(diabetes_cv):
    ax = plots.plot_path(diabetes_cv.path, standardized=False, n_labels=0)
    seg = ax.collections[0].get_segments()[0]
    j = np.flatnonzero((diabetes_cv.path.coefs != 0).any(axis=1))[0]
    np.testing.assert_allclose(seg[:, 1], diabetes_cv.path.coefs[j])
    assert "CV alpha" not in [line.get_label() for line in ax.get_lines()]
    with pytest.raises(TypeError, match="PathResult"):
        plots.plot_path(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="prob"):
        plots.plot_path(diabetes_cv, prob=1.5)


@pytest.fixture(scope="module")
def laplace_cv_fit(diabetes):
    X, y = diabetes
    model = bl.BayesianLinearRegression(
        prior=bl.Laplace(lam="cv"),
        draws=100,
        tune=100,
        chains=1,
        sampler="gibbs",
        random_state=seed(0),
    )
    return model.fit(X, y)


def test_path_overlays_posterior_at_matching_alpha(diabetes, diabetes_cv, laplace_cv_fit):
    X, _ = diabetes
    fit = laplace_cv_fit
    ax = plots.plot_path(diabetes_cv, fit=fit, prob=0.8)
    intervals = [c for c in ax.collections if c.get_label() == "posterior 80%"]
    assert len(intervals) == 1
    segments = intervals[0].get_segments()
    assert len(segments) == X.shape[1]
    draws = fit.idata_["posterior"]["beta"].values[0] * X.std(ddof=0).to_numpy()
    lo, hi = np.quantile(draws, [0.1, 0.9], axis=0)
    np.testing.assert_allclose([s[:, 1].min() for s in segments], lo, rtol=1e-10)
    np.testing.assert_allclose([s[:, 1].max() for s in segments], hi, rtol=1e-10)
    centre = np.mean([s[0, 0] for s in segments])
    # Laplace(lam="cv") has a fixed rate, so its lasso counterpart is fit.map_ (the tree
    # records its alpha).
    assert centre == pytest.approx(np.log10(fit.map_.alpha))


def test_matching_alpha_for_sampled_lam_and_horseshoe():
    tree = make_tree(4, n=200)
    rng = np.random.default_rng(1)
    lam = rng.gamma(5.0, 2.0, (1, 60))
    sigma = rng.gamma(50.0, 1.0, (1, 60))
    post = (
        tree["posterior"]
        .to_dataset()
        .assign(lam=(("chain", "draw"), lam), sigma=(("chain", "draw"), sigma))
    )
    tree["posterior"] = post
    assert plots.matching_alpha(tree) == pytest.approx(np.median(lam * sigma / 200))
    with pytest.raises(ValueError, match="no lasso alpha"):
        plots.matching_alpha(make_tree(4, horseshoe=True))


# --------------------------------------------------------------------- posterior tables


def test_coefficients_at_large_p_draws_only_top_rows():
    tree = make_tree(20_000, draws=40)
    table = bl.inclusion_summary(tree)
    ax = plots.plot_coefficients(tree, top=25)
    segments = ax.collections[0].get_segments()
    assert len(segments) == 25
    labels = [t.get_text().split()[0] for t in ax.get_yticklabels()]
    assert labels == list(table.index[:25])
    lo = np.array([s[:, 0].min() for s in segments])
    np.testing.assert_allclose(lo, table["hdi_lower"].to_numpy()[:25])
    note = ax.get_xlabel().splitlines()[-1]
    assert "19,975 more features" in note
    assert f"max pip {table['pip'].iloc[25:].max():.2f}" in note


def test_coefficients_markers_and_lasso_overlay():
    tree = make_tree(6)
    table = bl.inclusion_summary(tree)
    table["map_coef"] = table["median"] * 0.9
    lasso = pd.Series(table["median"].to_numpy() * 0.8, index=table.index)
    ax = plots.plot_coefficients(table, lasso=lasso)
    assert legend_texts(ax) == [
        "90% HDI",
        "posterior median",
        "MAP = lasso",
        "scikit-learn lasso",
    ]
    lasso_points = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(lasso_points[:, 0], lasso.loc[table.index])
    assert "\n" not in ax.get_xlabel()  # all six drawn: nothing summarized
    with pytest.raises(TypeError, match="Series"):
        plots.plot_coefficients(table, lasso=np.zeros(6))
    # at a cross-validated alpha (a horseshoe's lasso_columns) the marks are no MAP
    for source, label in [("cv", "lasso, alpha 0.012 (cv)"), ("fit", "MAP = lasso, alpha 0.012")]:
        table.attrs["lasso"] = {"alpha": 0.012, "alpha_source": source}
        assert legend_texts(plots.plot_coefficients(table))[2].startswith(label)
    plots.plt.close("all")
    with pytest.raises(ValueError, match="records its column sds"):
        plots.plot_coefficients(table, standardized=True)
    with pytest.raises(ValueError, match="missing columns"):
        plots.plot_coefficients(table.drop(columns="pip"))


def test_coefficients_standardized_from_fit(laplace_cv_fit, diabetes):
    X, _ = diabetes
    table = bl.lasso_columns(laplace_cv_fit, table=bl.inclusion_summary(laplace_cv_fit))
    ax = plots.plot_coefficients(laplace_cv_fit, table=table, top=4)
    assert f"MAP = lasso, alpha {laplace_cv_fit.map_.alpha:.3g}" in legend_texts(ax)[2]
    sd = X.std(ddof=0)[table.index[:4]].to_numpy()
    upper = np.array([s[:, 0].max() for s in ax.collections[0].get_segments()])
    np.testing.assert_allclose(upper, table["hdi_upper"].to_numpy()[:4] * sd, rtol=1e-10)
    assert "standardized" in ax.get_xlabel()


def test_inclusion_bars_and_threshold():
    tree = make_tree(12)
    table = bl.inclusion_summary(tree, eps=0.3)
    ax = plots.plot_inclusion(table, top=8, threshold=0.6)
    bars = ax.patches
    assert len(bars) == 8
    np.testing.assert_allclose([b.get_width() for b in bars], table["pip"].iloc[:8])
    blue = mpl.colors.to_rgba("C0")
    selected = [b.get_facecolor() == blue for b in bars]
    assert selected == list(table["pip"].iloc[:8] > 0.6)
    threshold = next(line for line in ax.get_lines() if line.get_label() == "threshold 0.6")
    assert threshold.get_xdata()[0] == 0.6
    assert f"{int((table['pip'] > 0.6).sum())} of 12 features" in ax.get_title()
    with pytest.raises(ValueError, match="threshold"):
        plots.plot_inclusion(table, threshold=2)
    with pytest.raises(ValueError, match="top must be an integer >= 1; got 0"):
        plots.plot_inclusion(table, top=0)
    with pytest.raises(TypeError, match="top must be an integer >= 1"):
        plots.plot_inclusion(table, top=2.5)  # refused, not truncated


def test_ranks_heat_map_matches_direct_count():
    tree = make_tree(8, draws=200)
    ax = plots.plot_ranks(tree, top=5, max_rank=6)
    shown = ax.images[0].get_array()
    assert shown.shape == (5, 6)
    size = np.abs(tree["posterior"]["beta_std"].values[0])  # (draws, p)
    rank = (-size).argsort(axis=1).argsort(axis=1) + 1
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for row, name in enumerate(labels):
        j = int(name[1:])
        expected = [(rank[:, j] == r).mean() for r in range(1, 7)]
        np.testing.assert_allclose(shown[row], expected)
    assert labels[:3] == ["x0", "x1", "x2"]  # the three largest effects, in order


def test_ranks_rows_follow_the_mean_rank_when_every_rank_is_shown():
    """max_rank = p (the default when p <= top): P(rank <= p) is 1 for every row, up to the
    rounding of its sum, which must not order the rows."""
    tree = make_tree(12, draws=300)
    ax = plots.plot_ranks(tree)  # top 15 >= p: max_rank = p
    shown = ax.images[0].get_array()
    mean_rank = shown @ np.arange(1, 13)
    assert np.all(np.diff(mean_rank) >= 0)
    assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["x0", "x1", "x2"]


def test_ranks_at_large_p_tabulates_only_the_shown_ranks():
    tree = make_tree(20_000, draws=40)
    ax = plots.plot_ranks(tree, top=5)
    assert ax.images[0].get_array().shape == (5, 5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x0", "x1", "x2", "x3", "x4"]
    assert "20,000 features" in ax.get_title()
    with pytest.raises(TypeError, match="DataTree"):
        plots.plot_ranks(pd.DataFrame({"pip": [0.5]}))


def test_shrinkage_panels_match_kappa_formula():
    tree = make_tree(30, horseshoe=True)
    fig = plots.plot_shrinkage(tree, bins=10)
    left, right = fig.axes[:2]
    post = tree["posterior"]
    tau, local, sigma = (post[v].values[0] for v in ("tau", "local", "sigma_std"))
    kappa = 1 / (1 + 100 * tau[:, None] ** 2 * local**2 / sigma[:, None] ** 2)
    assert sum(patch.get_height() for patch in left.patches) == 30
    assert sum(patch.get_height() for patch in right.patches) == 60
    assert legend_texts(right) == [f"mean {(1 - kappa).sum(axis=1).mean():.1f}"]
    with pytest.raises(ValueError, match="horseshoe"):
        plots.plot_shrinkage(make_tree(5))


def test_save_figures_writes_png(tmp_path, diabetes_cv):
    paths = plots.save_figures({"path": plots.plot_path(diabetes_cv)}, tmp_path / "figs")
    assert [p.name for p in paths] == ["path.png"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []


def test_every_posterior_plot_at_p_100000_in_bounded_memory():
    """p = 100,000: each figure tabulates what it shows, never p x p (80 GB here); peak
    memory stays within a few copies of one posterior variable (16 MB: 20 draws)."""
    import tracemalloc

    p = 100_000
    tree = make_tree(p, draws=20, horseshoe=True)
    budget = 8 * tree["posterior"]["beta_std"].nbytes
    plots.plot_ranks(make_tree(30))  # imports and first-call caches, untraced
    for name, draw in {
        "plot_ranks": lambda: plots.plot_ranks(tree),
        "plot_ranks_30": lambda: plots.plot_ranks(tree, top=10, max_rank=30),
        "plot_inclusion": lambda: plots.plot_inclusion(tree),
        "plot_coefficients": lambda: plots.plot_coefficients(tree),
        "plot_shrinkage": lambda: plots.plot_shrinkage(tree),
    }.items():
        tracemalloc.start()
        try:
            draw()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            plt.close("all")
        assert peak < budget, f"{name}: peak {peak / 1e6:.0f} MB > {budget / 1e6:.0f} MB"


def test_long_feature_names_are_shortened_in_the_middle():
    """A 90-character name kept whole pushed the axes off a 7-inch figure."""
    tree = make_tree(4)
    long = [f"x{j}_" + "measurement_" * 7 + f"end{j}" for j in range(4)]
    tree["posterior"] = tree["posterior"].to_dataset().assign_coords(feature=long)
    labels = [t.get_text() for t in plots.plot_ranks(tree).get_yticklabels()]
    assert all(len(label) <= 32 and "\u2026" in label for label in labels)
    assert {label[:3] for label in labels} == {"x0_", "x1_", "x2_", "x3_"}
    assert {label[-4:] for label in labels} == {"end0", "end1", "end2", "end3"}
