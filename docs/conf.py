"""Sphinx configuration: MyST pages, MyST text notebooks executed by myst-nb, API from the
numpydoc docstrings (napoleon). Build with ``make docs`` (warnings are errors)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bayes_l1  # noqa: E402
from bayes_l1.cli import build_parser  # noqa: E402


def _write_cli_help() -> None:
    """`bayes-l1 --help` and each sub-command's help, for cli.md (always current)."""
    import argparse

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parts = ["$ bayes-l1 --help", parser.format_help()]
    for name, command in sub.choices.items():
        parts += [f"$ bayes-l1 {name} --help", command.format_help()]
    out = ROOT / "docs" / "_build" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    text = "\n".join(parts)
    target = out / "cli_help.txt"
    if not target.exists() or target.read_text() != text:  # unchanged: no rebuild
        target.write_text(text)


os.environ.setdefault("COLUMNS", "100")  # argparse wraps help to the terminal width
_write_cli_help()

project = "bayes_l1"
author = "bayes_l1 developers"
copyright = "2026, bayes_l1 developers"
release = version = bayes_l1.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "notebooks/README.md"]

# Docstrings are numpydoc style; napoleon renders them without numpydoc's strict validation.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": False}

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# Notebooks: executed once per build (cached between local builds); a failing cell fails the
# build. BAYES_L1_FAST=1 (set by CI) makes them use small draws.
nb_execution_mode = os.environ.get("BAYES_L1_NB_EXECUTION", "cache")
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_cache_path = str(ROOT / "docs" / "_build" / ".jupyter_cache")
nb_merge_streams = True

html_theme = "furo"
html_title = f"bayes_l1 {release}"
html_static_path = []
