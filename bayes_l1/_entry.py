"""The ``bayes-l1`` command's entry point: imports the CLI (numpy, pandas, numba: about 3 s)
under the run's own signal handling (:mod:`bayes_l1._cli_signals`), so that Ctrl-C then
ends as during a run, with one line and exit status 130, not a traceback from inside an
import; also where the command started with SIGINT ignored (a background job of a script)."""

from bayes_l1 import _cli_signals


def main() -> int:
    with _cli_signals.handled():
        from bayes_l1.cli import main as run
    return run()
