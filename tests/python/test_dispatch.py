"""Main-thread dispatch from Python with a running main loop: the RFC's unit tests, timeouts,
exception propagation, the GIL and lock order, and fire-and-forget failures."""

import logging
import os
import subprocess
import sys
import threading
import time
import traceback

import pytest

import dccview
from dccview import _core
from dccview.utils import (
    dcc_thread_safe,
    dcc_thread_safe_async,
    ensure_main_thread,
    is_main_thread,
    run_on_main_thread,
    run_on_main_thread_sync,
)
from dccview.utils import thread_dispatcher as td

MAIN = threading.main_thread().ident


def test_dcc_thread_safe_decorator(main_loop):
    calls = []

    @dcc_thread_safe
    def touch_scene(name, *, suffix=""):
        """Docstring kept."""
        calls.append(threading.get_ident())
        return name + suffix

    assert touch_scene.__name__ == "touch_scene"
    assert touch_scene.__doc__ == "Docstring kept."
    assert touch_scene("inline", suffix="!") == "inline!"  # on the main thread: inline
    assert calls == [MAIN]

    def body():
        return [touch_scene(f"cube{i}", suffix="_geo") for i in range(5)]

    assert main_loop(body) == [f"cube{i}_geo" for i in range(5)]
    assert calls == [MAIN] * 6


def test_dcc_thread_safe_async_always_queues_even_on_the_main_thread(main_loop):
    ran = []

    @dcc_thread_safe_async
    def refresh(tag):
        ran.append((tag, threading.get_ident()))

    assert refresh.__name__ == "refresh"
    assert refresh("from-main") is None
    assert ran == []  # queued, not inline
    done = threading.Event()

    def body():
        for i in range(3):
            refresh(i)
        run_on_main_thread(done.set)
        assert done.wait(10)

    main_loop(body)
    assert ran == [("from-main", MAIN), (0, MAIN), (1, MAIN), (2, MAIN)]  # FIFO per thread


def test_timeout_keyword_is_dccviews_and_never_reaches_the_function(main_loop):
    def takes_kwargs(**kwargs):
        return kwargs

    def body():
        return run_on_main_thread_sync(takes_kwargs, timeout=5.0, answer=42)

    assert main_loop(body) == {"answer": 42}


def test_the_functions_own_exception_object_arrives_with_its_traceback(main_loop):
    raised = []

    def fails():
        error = KeyError("missing node")
        raised.append(error)
        raise error

    def body():
        with pytest.raises(KeyError) as info:
            run_on_main_thread_sync(fails)
        return info.value

    error = main_loop(body)
    assert error is raised[0]
    frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    assert "fails" in frames


def test_timeout_names_the_function_and_unstarted_work_never_runs(main_loop):
    release = threading.Event()
    started_blocker = threading.Event()
    late_runs = []

    def blocker():
        started_blocker.set()
        release.wait(30)

    def never_in_time():
        late_runs.append(1)

    def body():
        run_on_main_thread(blocker)
        assert started_blocker.wait(10)
        with pytest.raises(dccview.ThreadDispatchTimeoutError) as info:
            run_on_main_thread_sync(never_in_time, timeout=0.2)
        release.set()
        assert isinstance(info.value, TimeoutError)
        # The loop drains everything queued after the blocker; the cancelled call is not among it.
        drained = threading.Event()
        run_on_main_thread(drained.set)
        assert drained.wait(10)
        return str(info.value)

    message = main_loop(body)
    assert "never_in_time" in message and "200" in message
    assert late_runs == []


def test_fire_and_forget_exceptions_reach_logging_and_unraisablehook(main_loop, caplog, monkeypatch):
    hooked = []
    monkeypatch.setattr(sys, "unraisablehook", lambda args: hooked.append(args.exc_value))
    done = threading.Event()

    def broken():
        raise ValueError("viewport refresh failed")

    def body():
        run_on_main_thread(broken)
        run_on_main_thread(done.set)
        assert done.wait(10)

    with caplog.at_level(logging.ERROR, logger="dccview"):
        main_loop(body)
    assert [type(e) for e in hooked] == [ValueError]
    assert any("broken" in record.getMessage() and record.exc_info for record in caplog.records)


def test_is_main_thread_and_ensure_main_thread(main_loop):
    assert is_main_thread() is True
    checked = ensure_main_thread(lambda: is_main_thread())

    def body():
        return is_main_thread(), checked()

    assert main_loop(body) == (False, True)


def test_work_after_shutdown_is_refused_not_dropped():
    state = dccview._runtime.active()
    state.dispatcher.shutdown()
    with pytest.raises(dccview.ShutdownInProgressError):
        run_on_main_thread(lambda: None)
    errors = []

    def worker():
        try:
            run_on_main_thread_sync(lambda: None)
        except dccview.ShutdownInProgressError as error:
            errors.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert len(errors) == 1


def test_a_library_lock_held_while_taking_the_gil_is_a_lock_order_violation():
    ran = []
    _core.set_lock_order_mode("throw")
    with pytest.raises(dccview.DeadlockDetectedError, match="python.gil"):
        _core._call_under_library_lock(lambda: ran.append(1))
    assert ran == []


def test_the_gil_inversion_report_reaches_stderr_at_once_and_the_dccview_logger(capfd, caplog):
    # Report mode: the thread holding a library lock must not wait for the GIL to log its own report
    # (a report stuck behind the inversion it describes would never be seen): the line is on stderr
    # before the violating acquisition proceeds, and reaches the logger through a pending call.
    ran = []
    _core.set_lock_order_mode("report")
    with caplog.at_level(logging.ERROR, logger="dccview"):
        _core._call_under_library_lock(lambda: ran.append(1))
        assert "python.gil" in capfd.readouterr().err
        deadline = time.monotonic() + 10
        while not _gil_reports(caplog) and time.monotonic() < deadline:
            time.sleep(0.001)  # bytecode boundaries: the interpreter runs its pending calls
    assert ran == [1]  # report mode: reported, not refused
    assert len(_gil_reports(caplog)) == 1, caplog.records


def _gil_reports(caplog):
    return [r for r in caplog.records if r.name == "dccview" and "python.gil" in r.getMessage()]


def test_blocking_calls_release_the_gil(main_loop):
    # While a worker waits in run_on_main_thread_sync, other Python threads keep running: counting
    # progress of a spinning thread during the wait proves the GIL was released.
    progress = []
    stop = threading.Event()
    release = threading.Event()

    def spinner():
        while not stop.is_set():
            progress.append(1)
            release.wait(0.001)

    def slow_on_main():
        release.wait(0.3)
        return len(progress)

    def body():
        thread = threading.Thread(target=spinner)
        thread.start()
        before = run_on_main_thread_sync(slow_on_main)
        stop.set()
        thread.join(10)
        return before

    assert main_loop(body) > 10


def test_custom_backend_classes_plug_in(main_loop):
    woken = []

    class Loop(td.ThreadDispatcherBackend):
        name = "TestHost"

        def is_available(self):
            return True

        def wake_main_thread(self, callback):
            woken.append(threading.get_ident())
            _pending.append(callback)

    _pending = []
    td.register_dispatcher_backend(Loop, priority=500)
    assert td.get_dispatcher_backend().get_name() == "TestHost"
    assert is_main_thread()  # activates and installs on the main thread
    result = []

    def worker():
        result.append(run_on_main_thread_sync(lambda: threading.get_ident(), timeout=10))

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive() or _pending:
        if _pending:
            _pending.pop(0)()
        thread.join(0.001)
    assert result == [MAIN]
    assert woken  # the host was asked to pump (wake-ups coalesce, so not necessarily by the worker)


@pytest.mark.parametrize("value, named", [("verbose", True), ("error", False), ("off", False)])
def test_dccview_log_values(value, named):
    # A level dccview does not know is named on stderr (and means warn) instead of being ignored
    # silently; a known one is taken: "error" still prints the GIL inversion report, "off" nothing.
    script = (
        "import dccview\nfrom dccview import _core\n"
        "_core.set_lock_order_mode('report')\n"
        "_core._call_under_library_lock(lambda: None)\n"
    )
    env = dict(os.environ, DCCVIEW_LOG=value)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    complaint = f"DCCVIEW_LOG='{value}' is not one of trace, debug, info, warn, error, off: using warn"
    assert (complaint in result.stderr) == named, result.stderr
    assert ("python.gil" in result.stderr) == (value != "off"), result.stderr


def test_auroraview_names_are_dccviews_own(main_loop):
    # A tool written against AuroraView imports these names; they are dccview's classes and functions
    # (docs/migrating-from-auroraview.md), with dccview's guarantees.
    from dccview.utils import thread_dispatcher as td

    assert (td.FallbackDispatcherBackend, td.MayaDispatcherBackend, td.HoudiniDispatcherBackend,
            td.NukeDispatcherBackend, td.BlenderDispatcherBackend, td.MaxDispatcherBackend,
            td.UnrealDispatcherBackend, td.QtDispatcherBackend) == (
        td.backends.fallback.FallbackBackend, td.backends.maya.MayaBackend, td.backends.houdini.HoudiniBackend,
        td.backends.nuke.NukeBackend, td.backends.blender.BlenderBackend, td.backends.qt.MaxBackend,
        td.backends.unreal.UnrealBackend, td.backends.qt.QtBackend)
    from dccview.utils import run_on_main_thread_sync_with_timeout

    release = threading.Event()
    late_runs = []

    def body():
        where = run_on_main_thread_sync_with_timeout(lambda x, y=0: (threading.get_ident(), x + y), 1, y=2)
        run_on_main_thread(lambda: release.wait(30))
        with pytest.raises(dccview.ThreadDispatchTimeoutError):
            run_on_main_thread_sync_with_timeout(lambda: late_runs.append(1), timeout=0.2)
        release.set()
        drained = threading.Event()
        run_on_main_thread(drained.set)
        assert drained.wait(10)
        return where

    assert main_loop(body) == (MAIN, 3)
    assert late_runs == [], "a call that timed out before it started never runs (AuroraView's did)"
