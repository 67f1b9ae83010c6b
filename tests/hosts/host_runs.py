"""The pytest side of the host tests, shared by every tests/hosts/test_*.py: how a host application
or a scenario script is started (its environment, a display, a bounded run), how what it recorded is
read, and which lines of its output are problems.

The scenarios themselves run inside the hosts and share tests/hosts/scenario_support.py instead.
"""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ROOT / "tests" / "hosts"
# Set in a developer's shell, these would run a host unlike a user's: another Qt platform, no GLib
# event dispatcher, a forced dccview backend, another Python's standard library.
STEERING_VARIABLES = ("QT_QPA_PLATFORM", "QT_NO_GLIB", "DCCVIEW_DISPATCHER", "PYTHONHOME")
# Lines of a host's output that mean something failed: Python errors (Blender prints "Error: Python"
# for an add-on's), GLib/GTK criticals and warnings, X errors, crashes.
PROBLEM_MARKERS = (
    "Traceback (most recent call last)", "Exception in thread", "exception in thread", "Error: Python",
    "Fatal Python error", "-CRITICAL **", "-WARNING **", "Gdk-ERROR", "XCB error", "BadWindow",
    "BadDrawable", "Segmentation fault", "Aborted", "core dumped")
NO_RESULT = "no result file: the scenario did not get as far as its first step"


def problems_in(output):
    """The lines of `output` that carry a PROBLEM_MARKERS entry."""
    return [line for line in output.splitlines() if any(marker in line for marker in PROBLEM_MARKERS)]


def search_path(*folders):
    """A PYTHONPATH value: the dccview package under test, `folders`, and tests/hosts (the scenarios'
    helpers)."""
    package_dir = Path(__import__("dccview").__file__).resolve().parents[1]
    return os.pathsep.join([str(package_dir), *map(str, folders), str(HOSTS)])


def host_env(**variables):
    """This process's environment without STEERING_VARIABLES, with `variables` set. The scenarios here
    dock WebKitGTK views into their hosts (X11 windows): they run with DCCVIEW_BACKEND=webkitgtk
    unless `variables` say otherwise (Qt WebEngine in these hosts: tests/python with
    DCCVIEW_TEST_WEB_BACKEND=qtwebengine)."""
    env = {name: value for name, value in os.environ.items() if name not in STEERING_VARIABLES}
    env["DCCVIEW_BACKEND"] = "webkitgtk"
    env.update(variables)
    return env


def with_display(command):
    """`command`, under a fresh Xvfb when there is no display."""
    if not os.environ.get("DISPLAY"):
        return ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] + command
    return command


def run_host(command, env, cwd, timeout, what):
    """Runs `command` (under a display) to its end; a run longer than `timeout` seconds fails the
    test with the output it had, naming `what` ran."""
    try:
        return subprocess.run(with_display(command), env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired as expired:
        import pytest  # here: qt_host_checks.py, run as a script by a Qt binding's venv, has no pytest

        pytest.fail(f"{what} did not finish within {timeout} s; output:\n"
                    f"{(expired.stdout or b'')[-3000:]!r}\n{(expired.stderr or b'')[-3000:]!r}")


def read_results(result_file):
    """What the scenario recorded in `result_file` (no steps and the error NO_RESULT when it wrote
    nothing)."""
    return json.loads(result_file.read_text()) if result_file.exists() else {"steps": {}, "errors": [NO_RESULT]}
