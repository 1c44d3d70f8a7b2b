"""Ctrl-C for the ``bayes-l1`` command: end at once, leave nothing behind.

The handler does its cleanup itself and ends the process with ``os._exit`` instead of
raising ``KeyboardInterrupt``: the exception would unwind through code that cannot handle
it promptly (a ``ProcessPoolExecutor`` waits for its running chains on exit, nutpie turns
it into "Sampler has no results to take", a signal landing while the Gibbs pool forks
its workers could hang). Python runs the handler in the main thread between bytecodes,
also while that thread waits on a lock, a queue, a child process or nutpie's sampler.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_main_pid: int | None = None
_cleanup: list[Callable[[], None]] = []
_note = "nothing written"
_deferred: int | None = None
_defer = False


class handled:
    """Within the block, SIGINT and SIGTERM kill child processes, run the cleanups, print
    one line and exit 128 + signal number (130 for Ctrl-C). The previous handlers come
    back after the block (``main`` may be called in a longer-lived process)."""

    def __enter__(self):
        global _main_pid, _note, _deferred, _defer
        _main_pid, _note, _deferred, _defer = os.getpid(), "nothing written", None, False
        _cleanup.clear()
        self._previous = {signum: signal.signal(signum, _handler) for signum in SIGNALS}
        return self

    def __exit__(self, *exc):
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        _cleanup.clear()


def add_cleanup(cleanup: Callable[[], None]) -> None:
    _cleanup.append(cleanup)


def set_note(note: str) -> None:
    """What the interrupted line says about the outputs (default "nothing written")."""
    global _note
    _note = note


class deferred:
    """Hold SIGINT and SIGTERM until the block ends: moving finished outputs into place is
    not cut in half."""

    def __enter__(self):
        global _defer
        _defer = True

    def __exit__(self, *exc):
        global _defer
        _defer = False
        if _deferred is not None:
            _handler(_deferred, None)


def _handler(signum, frame) -> None:
    global _deferred
    if os.getpid() != _main_pid:
        # A forked worker (the Gibbs chains) inherited this handler: Ctrl-C reaches the
        # whole process group; the main process cleans up and reports, the worker goes
        # quietly (no KeyboardInterrupt traceback from each chain).
        os._exit(128 + signum)
    if _defer:
        _deferred = signum
        return
    for other in SIGNALS:  # a second Ctrl-C must not cut the cleanup short
        signal.signal(other, signal.SIG_IGN)
    kill_children()
    for cleanup in _cleanup:
        try:
            cleanup()
        except Exception:  # leaving now regardless
            pass
    try:
        sys.stdout.flush()  # what was printed so far (a pipe buffers it)
    except Exception:  # e.g. the handler interrupted a write to stdout
        pass
    name = (
        "interrupted" if signum == signal.SIGINT else f"terminated ({signal.Signals(signum).name})"
    )
    # os.write, not print: the handler may run inside a write to sys.stderr.
    os.write(2, f"bayes-l1: {name}; {_note}\n".encode())
    os._exit(128 + signum)


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # exited meanwhile
            continue
        # comm (field 2) may hold spaces and parentheses: ppid is 2nd after the last ")"
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Process ids of ``pid``'s children, grandchildren, ... (Linux /proc)."""
    tree = _children_by_parent()
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def kill_children() -> None:
    """SIGKILL every descendant: chain workers, PyMC's processes, the Manager server (which
    ignores SIGINT), compilers. Twice, for a process forked during the first pass."""
    for _ in range(2):
        if os.path.isdir("/proc"):
            pids = descendants(os.getpid())
        else:  # no /proc: multiprocessing's own children at least
            pids = [p.pid for p in multiprocessing.active_children() if p.pid]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:  # already gone
                pass
