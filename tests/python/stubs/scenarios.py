"""Subprocess runs of the backends that need a real event loop of their own: Qt, 3ds Max, GLib.

Only one QCoreApplication may exist per process, created on the main thread, and importing
gi.repository.GLib makes the GLib backend available for the rest of a process: so each of these runs
in a fresh interpreter started by test_backends.py:

    python -c "import sys; from stubs.scenarios import main; sys.exit(main('qt'))"

``main(kind)`` (kind: "qt", "max", "glib") creates the host's real loop on the main thread, runs
the checks of ``checks`` as worker-thread bodies while that loop runs, prints one line
``SCENARIO-RESULT {json}`` (backend name, DCC name, and per check ``ok`` plus a traceback on
failure) and returns 0 only if every check passed.

Qt follows Qt's documentation of QObject thread affinity ("Threads and QObjects"): a QObject lives in
the thread that created it, and a queued signal emitted from any thread runs its slot in the
receiver's thread. 3ds Max is that Qt application plus the ``pymxs`` stub of ``hosts.make_pymxs``.
GLib follows the GLib main-loop documentation: g_idle_add and g_main_loop_quit may be called from
any thread; sources attached to the default context run on the thread running its loop.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import traceback
from typing import Any, Callable, Dict, List

from dccview import _runtime
from dccview.utils import thread_dispatcher as td

from . import checks, hosts

RUN_TIMEOUT_S = 30.0


class Report:
    def __init__(self, kind: str) -> None:
        self.data: Dict[str, Any] = {"kind": kind, "checks": {}, "loop_errors": []}

    def check(self, name: str, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except BaseException:
            self.data["checks"][name] = {"ok": False, "error": traceback.format_exc()}
        else:
            self.data["checks"][name] = {"ok": True}

    def emit(self) -> int:
        ok = all(c["ok"] for c in self.data["checks"].values()) and not self.data["loop_errors"]
        self.data["ok"] = ok
        print("SCENARIO-RESULT " + json.dumps(self.data), flush=True)
        return 0 if ok else 1


def _run_body(body: Callable[[], Any], start_loop: Callable[[], None], stop_loop: Callable[[], None],
              arm_watchdog: Callable[[Callable[[], None]], Callable[[], None]]) -> Any:
    """Runs body() on a worker while the main thread runs the host loop (start_loop() returns once
    stop_loop() was called). The watchdog stops the loop after RUN_TIMEOUT_S."""
    outcome: Dict[str, Any] = {}

    def worker() -> None:
        try:
            outcome["value"] = body()
        except BaseException as error:
            outcome["error"] = error
        finally:
            stop_loop()

    def expired() -> None:
        outcome.setdefault("error", AssertionError(f"the loop still ran after {RUN_TIMEOUT_S} s"))
        stop_loop()

    disarm = arm_watchdog(expired)
    thread = threading.Thread(target=worker, name="scenario-body", daemon=True)
    thread.start()
    start_loop()
    disarm()
    thread.join(RUN_TIMEOUT_S)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# --------------------------------------------------------------------------------------------------
# Qt and 3ds Max
# --------------------------------------------------------------------------------------------------

def _qt_core(binding: str):
    """QtCore of ``binding`` with PySide's Signal/Slot names (PyQt5 calls them pyqtSignal/pyqtSlot)."""
    qt_core = importlib.import_module(binding + ".QtCore")
    signal = getattr(qt_core, "Signal", None) or qt_core.pyqtSignal
    slot = getattr(qt_core, "Slot", None) or qt_core.pyqtSlot
    return qt_core, signal, slot


def _qt(report: Report, max_host: bool, binding: str = "PySide2") -> None:
    QtCore, Signal, Slot = _qt_core(binding)  # noqa: N806 - Qt's own module name

    if max_host:
        sys.modules.update(hosts.make_pymxs())
    app = QtCore.QCoreApplication([])
    loop_errors: List[str] = report.data["loop_errors"]

    class Poster(QtCore.QObject):
        """Qt's own any-thread "run on the GUI thread": a queued signal to a GUI-thread object."""

        post = Signal(object)

        def __init__(self) -> None:
            super().__init__()
            self.post.connect(self.on_post, QtCore.Qt.QueuedConnection)

        @Slot(object)
        def on_post(self, fn) -> None:
            try:
                fn()
            except BaseException:
                loop_errors.append(traceback.format_exc())

    class Stopper(QtCore.QObject):
        stop = Signal()

    poster = Poster()
    stopper = Stopper()
    stopper.stop.connect(app.quit, QtCore.Qt.QueuedConnection)

    def arm_watchdog(expired: Callable[[], None]) -> Callable[[], None]:
        timer = QtCore.QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(expired)
        timer.start(int(RUN_TIMEOUT_S * 1000))
        return timer.stop

    def run(body: Callable[[], Any]) -> Any:
        return _run_body(body, app.exec_, stopper.stop.emit, arm_watchdog)

    def post_to_main(fn: Callable[[], Any]) -> None:
        poster.post.emit(fn)

    td.reset_dispatcher_backends()
    backend = td.get_dispatcher_backend()
    report.data["backend"] = backend.get_name()
    report.data["dcc"] = td.get_current_dcc_name()
    report.data["is_dcc_environment"] = td.is_dcc_environment()

    def activation() -> None:
        assert QtCore.QThread.currentThread() == app.thread(), "the test's main thread is not the GUI thread"
        state = _runtime.active()  # on the main (GUI) thread: creates the waker here
        assert state.dispatcher.installed and state.backend is backend
        waker = backend._waker
        assert waker is not None and waker.thread() == app.thread(), "the waker does not live on the GUI thread"

    report.check("activation_on_gui_thread", activation)
    report.check("sync_calls", lambda: run(checks.check_sync_calls))
    report.check("fifo", lambda: run(checks.check_fifo))
    report.check("exception_propagates", lambda: run(checks.check_exception_propagates))
    report.check("timeout_never_runs", lambda: run(lambda: checks.check_timeout_never_runs(post_to_main)))
    report.check("cycle_served", lambda: run(lambda: checks.check_cycle_through_the_main_thread(True)))
    report.check("cycle_refused", lambda: run(lambda: checks.check_cycle_through_the_main_thread(False)))

    if max_host:
        def pymxs_main_thread_only() -> None:
            pymxs = sys.modules["pymxs"]
            try:
                pymxs.runtime.Box(width=3)
            except hosts.MainThreadViolation:
                pass
            else:
                raise AssertionError("the pymxs stub accepted a call off the main thread")
            got = td.run_on_main_thread_sync(lambda: pymxs.runtime.Box(width=3), timeout=checks.WAIT_S)
            assert got == ("Box", (), (("width", 3),)), got
            assert pymxs.calls == [("Box", checks.main_ident())], pymxs.calls

        report.check("pymxs_through_dispatcher", lambda: run(pymxs_main_thread_only))

    def reset_deletes_waker() -> None:
        waker = backend._waker
        destroyed = []
        waker.destroyed.connect(lambda *_: destroyed.append(True))
        td.reset_dispatcher_backends()  # main thread: uninstall -> waker.deleteLater()
        assert backend._waker is None
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
        assert destroyed == [True], "the waker was not deleted after the reset"

    report.check("reset_deletes_waker", reset_deletes_waker)
    # No main-thread call into dccview since that reset: a worker's first call installs the backend
    # through a waker it made and moved to the GUI thread.
    report.check("worker_first_activation", lambda: run(checks.check_worker_first_activation))


# --------------------------------------------------------------------------------------------------
# GLib
# --------------------------------------------------------------------------------------------------

def _glib(report: Report) -> None:
    from gi.repository import GLib

    loop = GLib.MainLoop()
    loop_errors: List[str] = report.data["loop_errors"]

    def arm_watchdog(expired: Callable[[], None]) -> Callable[[], None]:
        fired: List[bool] = []

        def on_timeout() -> bool:
            fired.append(True)
            expired()
            return False

        source = GLib.timeout_add(int(RUN_TIMEOUT_S * 1000), on_timeout)
        return lambda: None if fired else GLib.source_remove(source)

    def stop_loop() -> None:
        # Through the loop itself: a g_main_loop_quit() that lands before g_main_loop_run() is lost.
        GLib.idle_add(lambda: loop.quit() or False)

    def run(body: Callable[[], Any]) -> Any:
        return _run_body(body, loop.run, stop_loop, arm_watchdog)

    def post_to_main(fn: Callable[[], Any]) -> None:
        def idle() -> bool:
            try:
                fn()
            except BaseException:
                loop_errors.append(traceback.format_exc())
            return False  # GLib.SOURCE_REMOVE

        GLib.idle_add(idle)

    td.reset_dispatcher_backends()
    backend = td.get_dispatcher_backend()
    report.data["backend"] = backend.get_name()
    report.data["dcc"] = td.get_current_dcc_name()
    report.data["is_dcc_environment"] = td.is_dcc_environment()

    # No main-thread call into dccview before this one: the worker activates, the backend installs
    # itself through GLib.idle_add on the thread running the default context's loop.
    report.check("worker_first_activation", lambda: run(checks.check_worker_first_activation))
    report.check("sync_calls", lambda: run(checks.check_sync_calls))
    report.check("fifo", lambda: run(checks.check_fifo))
    report.check("exception_propagates", lambda: run(checks.check_exception_propagates))
    report.check("timeout_never_runs", lambda: run(lambda: checks.check_timeout_never_runs(post_to_main)))
    report.check("cycle_served", lambda: run(lambda: checks.check_cycle_through_the_main_thread(True)))
    report.check("cycle_refused", lambda: run(lambda: checks.check_cycle_through_the_main_thread(False)))
    report.check("reset_on_main_thread", td.reset_dispatcher_backends)


def main(kind: str) -> int:
    report = Report(kind)
    try:
        if kind in ("qt", "max"):
            _qt(report, max_host=(kind == "max"))
        elif kind == "pyqt5":
            _qt(report, max_host=False, binding="PyQt5")
        elif kind == "glib":
            _glib(report)
        else:
            raise ValueError(f"unknown scenario {kind!r}")
    except BaseException:
        report.data["checks"]["scenario"] = {"ok": False, "error": traceback.format_exc()}
    return report.emit()
