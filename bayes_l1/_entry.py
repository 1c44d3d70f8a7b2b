"""The ``bayes-l1`` command's entry point: imports the CLI (numpy, pandas, numba: about 3 s)
under a Ctrl-C that ends as one during a run does, with one line and exit status 130,
instead of a traceback from inside an import (or nothing: an import that catches every
exception can swallow a KeyboardInterrupt, and the run went on)."""

import os
import signal


def _interrupted(signum, frame):
    os.write(2, b"bayes-l1: interrupted; nothing written\n")  # nothing is staged yet
    os._exit(128 + signum)


def main() -> int:
    # a Ctrl-C the shell has the command ignore (a background job) stays ignored
    guard = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if guard:
        signal.signal(signal.SIGINT, _interrupted)
    try:
        from bayes_l1.cli import main as run
    finally:
        if guard:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    return run()
