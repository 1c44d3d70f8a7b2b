"""Priors own their dispatch: what a prior supports, how it is sampled and what advice it
gives are attributes of its class (bayes_l1/priors.py), not type tests spread over the
package. A new prior is one class (plus its Gibbs kernel, if it has one)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import bayes_l1 as bl
from bayes_l1.diagnostics import _advice
from bayes_l1.model import build_context, build_model, can_marginalize, prepare
from bayes_l1.posterior import _marginalized
from bayes_l1.priors import GibbsSpec, Prior, prior_class, prior_classes, resolve_prior
from bayes_l1.samplers.gibbs import _STEPS, GIBBS_PRIORS, check_gibbs_supported

PACKAGE = Path(bl.__file__).parent
PRIOR_CLASSES = {"Prior", "Laplace", "Horseshoe", "RegularizedHorseshoe", "Normal"}
PRIOR_CLASSES |= {"ElasticNetPrior", "GIBBS_PRIORS", "SpikeAndSlab", "_MODEL_SPACE_PRIORS"}
PRIOR_WORDS = {"laplace", "horseshoe", "regularizedhorseshoe", "regularized-horseshoe"}
PRIOR_WORDS |= {"normal", "ridge", "elasticnetprior", "spikeandslab", "spike-slab"}
PRIOR_WORDS |= {"spike-and-slab"}
# The kernels the priors name (GibbsSpec.kind) switch on their own kind strings.
KERNELS = {"samplers/gibbs.py", "samplers/gibbs_logistic.py"}


def _names(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _strings(node) -> set:
    return {
        n.value.replace("_", "").lower()
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _type_tests(path: Path, *, kernel: bool = False) -> list:
    """isinstance / issubclass on prior classes, and (outside the kernels, which switch on
    their own ``GibbsSpec.kind``) comparisons with prior names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("isinstance", "issubclass")
            and _names(node.args[1]) & PRIOR_CLASSES
        ):
            found.append(node.lineno)
        if not kernel and isinstance(node, ast.Compare) and _strings(node) & PRIOR_WORDS:
            found.append(node.lineno)
    return found


def test_no_module_outside_the_priors_tests_prior_types():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "priors.py":
            continue
        lines = _type_tests(path, kernel=rel in KERNELS)
        if lines:
            offenders[rel] = lines
    assert offenders == {}, f"prior types tested outside priors.py: {offenders}"


def test_the_grep_finds_type_tests(tmp_path):
    """The check above is not vacuous: it flags the forms it looks for."""
    source = (
        "isinstance(prior, Horseshoe | Normal)\n"
        "prior == 'laplace'\n"
        "'horseshoe' in name\n"
        "args.prior in ('horseshoe', 'regularized-horseshoe')\n"
        "isinstance(prior, GIBBS_PRIORS)\n"
        "isinstance(x, int)\n"
    )
    path = tmp_path / "module.py"
    path.write_text(source)
    assert _type_tests(path) == [1, 2, 3, 4, 5]
    assert _type_tests(path, kernel=True) == [1, 5]


@dataclass(frozen=True)
class Spiky(Prior):
    """A minimal new prior: Gaussian given its (fixed) scale, Gaussian likelihood only."""

    scale: float = 1.0

    likelihoods = ("gaussian",)
    marginalizable = True
    target_accept = 0.97
    target_accept_marginalized = 0.85
    advice = {  # noqa: RUF012 - read-only class data
        "divergences": ("spiky: shrink the spikes",),
        "bfmi": ", or blunt the spikes",
        "mixing_wide": ("spiky: p = {p} > n = {n}",),
    }

    def coefficient_sd(self, pm, ctx):
        return ctx.noise * self.scale

    def build(self, pm, ctx):
        return pm.Normal("beta_std", 0.0, self.coefficient_sd(pm, ctx), dims="feature")


def test_a_new_prior_answers_from_its_own_class(diabetes):
    X, y = diabetes
    prior = resolve_prior(Spiky)
    assert prior == Spiky() and resolve_prior(Spiky(2.0)).scale == 2.0
    assert prior_class("Spiky") is Spiky and Spiky in prior_classes()
    # NUTS target acceptance and marginalization
    assert prior.default_target_accept(False) == 0.97
    assert prior.default_target_accept(marginalized=True) == 0.85
    assert can_marginalize(prior, "gaussian") and not can_marginalize(prior, "logistic")
    assert _marginalized(None, prior, "gaussian", 100, 10) is True
    # likelihoods
    with pytest.raises(ValueError, match="Spiky supports the gaussian likelihood, not logistic"):
        bl.BayesianLogisticRegression(prior).fit(X, y > y.median())
    logistic = prepare(X, y > y.median(), likelihood="logistic")
    with pytest.raises(ValueError, match="Spiky supports the gaussian likelihood"):
        build_model(logistic, prior)
    data = prepare(X, y)
    assert "y_marginal" in build_model(data, prior, marginalize=True).named_vars
    assert "beta_std" in build_model(data, prior).named_vars
    # no Gibbs kernel, no MAP penalty, no fixed lasso mode, no CV or sigma_hat needed
    with pytest.raises(ValueError, match="for Spiky use sampler='nuts'"):
        check_gibbs_supported(prior)
    with pytest.raises(ValueError, match="for Spiky use sampler='nuts'"):
        bl.BayesianLinearRegression(prior, sampler="gibbs").fit(X, y)
    context = build_context(data, prior)
    assert context.alpha_cv is None and prior.map_penalty(context) is None
    with pytest.raises(ValueError, match="needs a Laplace prior with a fixed rate"):
        bl.compare_map_lasso(X, y, prior=prior)
    # its advice
    found = {"divergences", "bfmi", "rhat"}
    advice = _advice(found, "Spiky", (10, 100), sampler="nuts")
    assert "spiky: shrink the spikes" in advice and "spiky: p = 100 > n = 10" in advice
    assert any(a.endswith(", or blunt the spikes") for a in advice)
    assert not any("spiky" in a for a in _advice(found, "Laplace", (10, 100), sampler="nuts"))
    # the package's own priors still list only themselves in messages
    with pytest.raises(TypeError, match=r"\(Laplace, Horseshoe, RegularizedHorseshoe, Normal, "):
        resolve_prior(3)


def test_every_gibbs_prior_names_a_kernel(diabetes):
    X, y = diabetes
    data = prepare(X, y)
    assert GIBBS_PRIORS == (bl.Laplace, bl.Horseshoe, bl.RegularizedHorseshoe, bl.Normal)
    for cls in GIBBS_PRIORS:
        spec = cls().gibbs_spec(build_context(data, cls()))
        assert isinstance(spec, GibbsSpec) and spec.kind == cls.gibbs_kernel in _STEPS
    assert bl.ElasticNetPrior.gibbs_kernel is None
    eb = bl.Laplace(lam="eb").gibbs_spec(build_context(data, bl.Laplace(lam="eb")))
    assert eb == GibbsSpec("laplace", lam=None, eb=True)
    assert bl.Normal(scale=0.5).gibbs_spec(None) == GibbsSpec("normal", scale=0.5)


@pytest.mark.parametrize(
    ("prior", "joint", "marginal", "marginalizable", "fixed_lasso"),
    [
        (bl.Laplace(), 0.9, 0.9, False, False),
        (bl.Laplace(lam=3.0), 0.9, 0.9, False, True),
        (bl.Laplace(lam="eb"), 0.9, 0.9, False, False),
        (bl.Horseshoe(), 0.99, 0.9, True, False),
        (bl.RegularizedHorseshoe(), 0.99, 0.9, True, False),
        (bl.Normal(), 0.9, 0.9, True, False),
        (bl.ElasticNetPrior(alpha=0.1), 0.9, 0.9, False, False),
    ],
)
def test_what_the_package_priors_say(prior, joint, marginal, marginalizable, fixed_lasso):
    assert prior.default_target_accept(False) == joint
    assert prior.default_target_accept(True) == marginal
    assert prior.can_marginalize("gaussian") is marginalizable
    assert not prior.can_marginalize("logistic")
    assert prior.fixed_lasso is fixed_lasso
    assert prior.supports_likelihood("gaussian") and prior.supports_likelihood("logistic")
