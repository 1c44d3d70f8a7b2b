"""The ``bayes-l1`` command's entry point: imports the CLI (numpy, pandas, numba: about 3 s)
under a Ctrl-C that ends as one during a run does, with one line and exit status 130,
instead of a traceback from inside an import."""

import sys


def main() -> int:
    try:
        from bayes_l1.cli import main as run
    except KeyboardInterrupt:
        print("bayes-l1: interrupted; nothing written", file=sys.stderr)
        return 130
    return run()
