"""Helpers shared by the scenario scripts that run inside real hosts (Blender, FreeCAD, the Qt
applications and the simulated DCCs): bounded waits, page readiness, process measurements.

The scenarios run in the host's own interpreter; their pytest wrappers put this folder on the path
(PYTHONPATH, or DCCVIEW_SYS_PATH for FreeCAD, which clears PYTHONPATH).
"""

import os
import time

import dccview
from dccview.utils import run_on_main_thread_sync


def on_main(func, *args, timeout=30):
    """func(*args) on the host's main thread (a worker's synchronous call)."""
    return run_on_main_thread_sync(func, *args, timeout=timeout)


def wait_until(predicate, timeout=10.0, interval=0.02):
    """predicate()'s first truthy value, or its last value once `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def wait_ready(view, expression="window.__loaded === true", timeout=30.0):
    """True once the page says `expression` (it may not exist yet while the page loads)."""

    def ready():
        try:
            return view.eval_js_sync(expression, 2000)
        except dccview.ThreadSafetyError:
            return False

    return bool(wait_until(ready, timeout, 0.05))


def next_frames(view):
    """Resolves after the page painted twice more (its last changes are on screen)."""
    return view.eval_js_sync(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))", 5000)


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def thread_count():
    return len(os.listdir("/proc/self/task"))


def longest_gap(times, start, end):
    """The longest time without an entry of `times` between start and end (a frozen main thread
    that should have ticked: all of it)."""
    marks = [start] + [t for t in times if start < t < end] + [end]
    return max(b - a for a, b in zip(marks, marks[1:]))
