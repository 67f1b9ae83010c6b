"""Shared fixtures: a running dccview main loop, a clean dispatcher registry after every test.

The tests run the RFC's test plan "for real": the main thread runs dccview's loop (the fallback
backend) while the test body runs on worker threads, so every cross-thread path is exercised.

DCCVIEW_TEST_WEB_BACKEND=qtwebengine runs the WebView suites on Qt WebEngine instead of WebKitGTK:
this process then is a Qt application (PySide2, or DCCVIEW_TEST_QT_BINDING's binding; its QApplication
made here, before any test), the main
thread runs Qt's event loop while a body runs, and views default to the Qt WebEngine backend. Tests
that are about WebKitGTK alone carry the ``webkitgtk_only`` mark and are skipped there.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

import pytest

import dccview
from dccview.utils import thread_dispatcher as td

BODY_TIMEOUT_S = float(os.environ.get("DCCVIEW_TEST_BODY_TIMEOUT", "120"))
WEB_BACKEND = os.environ.get("DCCVIEW_TEST_WEB_BACKEND", "webkitgtk")

QT_BINDING = os.environ.get("DCCVIEW_TEST_QT_BINDING", "PySide2")  # with qtwebengine: PySide2, PyQt6, ...

if WEB_BACKEND == "qtwebengine":
    import importlib

    QtCore = importlib.import_module(QT_BINDING + ".QtCore")
    QtWidgets = importlib.import_module(QT_BINDING + ".QtWidgets")
    assert dccview.prepare_qt_application(), f"{QT_BINDING} has no Qt WebEngine here"
    os.environ["DCCVIEW_BACKEND"] = "qtwebengine"
    QT_APP = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["dccview-tests"])

webkitgtk_only = pytest.mark.skipif(WEB_BACKEND != "webkitgtk", reason="about WebKitGTK alone")


def wait_in_handler(event: threading.Event, timeout_s: float = 30.0) -> None:
    """Waits for ``event`` inside a page handler that runs on the main thread. On Qt WebEngine that
    thread also runs the page: the handler waits in a nested Qt event loop, as one showing a modal
    dialog does, so that the page, its reloads and its other messages go on meanwhile. On WebKitGTK
    the page has a thread of its own and the wait simply blocks."""
    if WEB_BACKEND != "qtwebengine":
        event.wait(timeout_s)
        return
    loop = QtCore.QEventLoop()
    poll = QtCore.QTimer()
    poll.timeout.connect(lambda: event.is_set() and loop.quit())
    poll.start(5)
    QtCore.QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    if not event.is_set():
        loop.exec() if hasattr(loop, "exec") else loop.exec_()
    poll.stop()


def _run_main_thread_until(done: threading.Event) -> None:
    """Serves the main thread until ``done`` is set (the setter then wakes it with stop_main_loop())."""
    if WEB_BACKEND != "qtwebengine":
        td.run_main_loop(until=done.is_set)
        return
    loop = QtCore.QEventLoop()
    quit_later = QtCore.QTimer()  # checks `done` each time Qt's loop is woken for dccview, and every 50 ms
    quit_later.timeout.connect(lambda: loop.quit() if done.is_set() else None)
    quit_later.start(50)
    if not done.is_set():
        run = getattr(loop, "exec", None) or loop.exec_  # PySide2 has exec_ only, PyQt6 exec only
        run()
    quit_later.stop()


def run_with_main_loop(body: Callable[[], Any], timeout: float = BODY_TIMEOUT_S) -> Any:
    """Runs ``body()`` on a worker thread while this (the main) thread runs dccview's main loop;
    returns body's value or re-raises its exception. Fails (instead of hanging) after ``timeout``."""
    assert threading.current_thread() is threading.main_thread()
    outcome: dict = {}
    done = threading.Event()

    def worker() -> None:
        try:
            outcome["value"] = body()
        except BaseException as error:  # re-raised on the main thread
            outcome["error"] = error
        finally:
            done.set()
            td.stop_main_loop()

    def watchdog() -> None:
        if not done.wait(timeout):
            outcome.setdefault("error", AssertionError(f"test body still running after {timeout} s"))
            done.set()
            td.stop_main_loop()

    threading.Thread(target=worker, name="test-body", daemon=True).start()
    threading.Thread(target=watchdog, name="test-watchdog", daemon=True).start()
    _run_main_thread_until(done)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def main_loop():
    """``main_loop(body)``: see run_with_main_loop."""
    return run_with_main_loop


@pytest.fixture(autouse=True)
def _fresh_registry():
    yield
    td.reset_dispatcher_backends()
    dccview._core.set_lock_order_mode("report")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY"))


needs_display = pytest.mark.skipif(not has_display(), reason="needs a display (run under tests/with_display.sh)")
