"""The ``bayes-l1`` command's entry point: imports the CLI (numpy, pandas, numba: about 3 s)
under a Ctrl-C that ends as one during a run does (:mod:`bayes_l1._cli_signals`), with one
line and exit status 130, instead of a traceback from inside an import."""

import os
import signal


def _interrupted(signum, frame):
    os.write(2, b"bayes-l1: interrupted; nothing written\n")  # nothing is staged yet
    os._exit(128 + signum)


def main() -> int:
    # As the run's own handler, also where the command was started with SIGINT ignored (a
    # background job of a script): Ctrl-C and `kill -INT` end it the same way.
    previous = signal.signal(signal.SIGINT, _interrupted)
    try:
        from bayes_l1.cli import main as run
    finally:
        signal.signal(signal.SIGINT, previous)
    return run()
