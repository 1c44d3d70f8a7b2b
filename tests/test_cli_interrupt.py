"""Ctrl-C during ``bayes-l1 fit`` (issue 11, class 11): exit 130 promptly with one line on
stderr, no output folder (not even the staged one), no process left behind.

Processes are found by a tag in their environment, which forked and spawned children
inherit: a worker orphaned by its parent's exit is still found (psutil is not needed).
The signal goes either to the main process alone or, as a terminal's Ctrl-C does, to the
whole process group.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

import bayes_l1 as bl
from tests.mc import seed

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    pytest.mark.slow,  # signals to real runs, ~2 min in all: CI runs them (.ci/run)
]

LONG = ("--draws", "1000000", "--tune", "200", "--seed", str(seed(0)))
INTERRUPTED = "bayes-l1: interrupted; nothing written"


def tagged(tag: str) -> list[int]:
    """Live (not zombie) processes whose environment holds ``tag``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:  # empty for a zombie
                if tag.encode() in fh.read():
                    found.append(int(name))
        except OSError:
            continue
    return found


def forked_workers(proc, tag: str) -> int:
    """Children forked without exec (the Gibbs pool): same command line as the parent."""
    try:
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            main = fh.read()
    except OSError:
        return 0
    count = 0
    for pid in tagged(tag):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                count += pid != proc.pid and fh.read() == main
        except OSError:
            continue
    return count


def wait_for(condition, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the moment to interrupt at never came")
        time.sleep(0.002)


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    sim = bl.make_sparse_regression(80, 6, 2, snr=5, random_state=7)
    path = tmp_path_factory.mktemp("interrupt") / "data.csv"
    sim.X.assign(y=sim.y).to_csv(path, index=False)
    return path


def interrupt(tmp_path, csv, args, *, when, group=False, signum=signal.SIGINT, times=1):
    """Run ``fit`` on ``csv`` into tmp_path/out, send ``signum`` (``times`` times, 50 ms
    apart) once ``when(proc, tag)`` holds; returns (process, seconds from the signal to its
    exit, stderr)."""
    tag = f"BAYES_L1_TEST_TAG={uuid.uuid4().hex}"
    key, value = tag.split("=")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bayes_l1", "fit", str(csv), "--target", "y", *args, "--out", "out"],
        cwd=tmp_path,
        env={**os.environ, key: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal job
    )
    try:
        wait_for(lambda: proc.poll() is not None or when(proc, tag))
        assert proc.poll() is None, f"ended before the signal: {proc.communicate()}"
        sent = time.monotonic()
        for k in range(times):
            if k:
                time.sleep(0.05)
            if proc.poll() is not None:
                break
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
        seconds = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    deadline = time.monotonic() + 2  # SIGKILLed children: gone once the kernel reaps them
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tagged(tag) == [], "processes left behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "output left behind"
    return proc, seconds, stderr


def staged(tmp_path, delay: float):
    """``delay`` seconds after the run staged its output folder (options checked, work
    begun)."""
    start = []

    def when(proc, tag):
        if not start and any(p.name.startswith(".bayes-l1-partial") for p in tmp_path.iterdir()):
            start.append(time.monotonic())
        return bool(start) and time.monotonic() - start[0] >= delay

    return when


def assert_interrupted(proc, seconds, stderr):
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == INTERRUPTED, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert seconds < 15, f"took {seconds:.1f} s to stop"


def importing(proc, tag) -> bool:
    """numpy is loaded: the command is importing its modules (about 3 s), before any work."""
    try:
        with open(f"/proc/{proc.pid}/maps") as fh:
            return "numpy" in fh.read()
    except OSError:
        return False


@pytest.mark.parametrize("group", [False, True], ids=["pid", "group"])
def test_ctrl_c_while_the_command_imports(tmp_path, csv, group):
    """Before bayes_l1._entry: a traceback from inside numba's or pandas' import, exit -2."""
    assert_interrupted(*interrupt(tmp_path, csv, LONG, when=importing, group=group))


@pytest.mark.parametrize("group", [False, True], ids=["pid", "group"])
def test_ctrl_c_as_the_gibbs_pool_starts(tmp_path, csv, group):
    """The issue's hang: SIGINT landing while the pool forks its workers."""
    args = ("--sampler", "gibbs", "--chains", "2", *LONG)
    when = forked_workers  # the first forked worker exists: the pool is starting
    assert_interrupted(*interrupt(tmp_path, csv, args, when=when, group=group))


@pytest.mark.parametrize("delay", [0.5, 2.0, 5.0])
def test_ctrl_c_during_a_gibbs_fit(tmp_path, csv, delay):
    """From the CV through model setup to the chains running, per the delay."""
    args = ("--sampler", "gibbs", "--chains", "2", *LONG)
    assert_interrupted(*interrupt(tmp_path, csv, args, when=staged(tmp_path, delay), group=True))


@pytest.mark.parametrize("delay", [1.0, 8.0])
def test_ctrl_c_during_a_nuts_fit(tmp_path, csv, delay):
    """Compiling, then sampling (nutpie when installed: it reported "Sampler has no results
    to take")."""
    args = ("--sampler", "nuts", "--chains", "2", *LONG)
    assert_interrupted(*interrupt(tmp_path, csv, args, when=staged(tmp_path, delay)))


def test_ctrl_c_during_a_pymc_fit(tmp_path, csv):
    """PyMC's own NUTS (its chains in processes of their own), sampling."""
    args = ("--sampler", "pymc", "--chains", "2", *LONG)
    assert_interrupted(*interrupt(tmp_path, csv, args, when=staged(tmp_path, 8.0), group=True))


@pytest.mark.parametrize("sampler", ["gibbs", "nuts"])
def test_a_second_ctrl_c_ends_the_same_way(tmp_path, csv, sampler):
    """An impatient user presses Ctrl-C three times: still one line, 130, nothing left."""
    args = ("--sampler", sampler, "--chains", "2", *LONG)
    when = staged(tmp_path, 4.0)
    assert_interrupted(*interrupt(tmp_path, csv, args, when=when, group=True, times=3))


def test_sigterm_cleans_up_the_same_way(tmp_path, csv):
    args = ("--sampler", "gibbs", "--chains", "2", *LONG)
    when = staged(tmp_path, 3.0)
    proc, seconds, stderr = interrupt(tmp_path, csv, args, when=when, signum=signal.SIGTERM)
    assert proc.returncode == 143 and seconds < 15, stderr
    assert stderr.strip().splitlines()[-1] == "bayes-l1: terminated (SIGTERM); nothing written"
