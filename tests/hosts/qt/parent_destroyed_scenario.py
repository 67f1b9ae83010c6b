"""A Qt application deletes the widget a dccview panel is docked into with `parent=` while a worker
keeps emitting to the panel. On WebKitGTK the panel's X window goes with it (before dccview handled
it, GTK destroyed the view's widgets under it and the process crashed); on Qt WebEngine
(DCCVIEW_BACKEND=qtwebengine) the QWebEngineView is deleted with its parent. Either way the view
closes gracefully. Prints one JSON line of results."""

import json
import sys
import threading
import time

import dccview
from scenario_support import paced

binding = sys.argv[1]
QtWidgets = __import__(binding + ".QtWidgets", fromlist=["QtWidgets"])
QtCore = __import__(binding + ".QtCore", fromlist=["QtCore"])
# What deletes a wrapped C++ object: shiboken for PySide, sip for PyQt (both spell it delete()).
shiboken = __import__({"PySide2": "shiboken2", "PySide6": "shiboken6", "PyQt5": "PyQt5.sip",
                       "PyQt6": "PyQt6.sip"}[binding], fromlist=["delete"])

dccview.prepare_qt_application()  # Qt WebEngine loads before the application exists (PyQt5 insists)
app = QtWidgets.QApplication(sys.argv)
window = QtWidgets.QMainWindow()
window.resize(800, 600)
dock = QtWidgets.QDockWidget("panel", window)
window.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
holder = QtWidgets.QWidget()
dock.setWidget(holder)
window.show()


def run_loop(until, seconds=10):
    """Runs Qt's loop (which drives the host-mode view) until until() is true or `seconds` passed;
    returns until()."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        app.processEvents(QtCore.QEventLoop.AllEvents, 20)
    return bool(until())


window_shown = run_loop(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
PAGE = "<h1>panel</h1><script>dccview.whenReady().then(() => dccview.emit('loaded', {}));</script>"
view = dccview.WebView(title="docked", html=PAGE, parent=holder, thread_mode="host")  # DCCVIEW_BACKEND
loaded, closed_event = threading.Event(), threading.Event()
view.on("loaded")(lambda data: loaded.set())  # host mode: on this thread, from run_loop
view.on("dccview:closed")(lambda data: closed_event.set())
page_loaded = run_loop(loaded.is_set, 30)
emitted = {"ok": 0, "shutdown": 0}
stop = threading.Event()


def emitter():  # 500 events/s until an emit is refused (or 30 s, a failure the result shows)
    deadline = time.monotonic() + 30
    for _ in paced(0.002):
        if stop.is_set() or time.monotonic() > deadline:
            return
        try:
            view.emit("tick", {"t": time.monotonic()})
            emitted["ok"] += 1
        except dccview.ShutdownInProgressError:
            emitted["shutdown"] += 1
            return


worker = threading.Thread(target=emitter)
worker.start()
streaming = run_loop(lambda: emitted["ok"] >= 100)  # the worker is emitting into the open view
shiboken.delete(holder)  # the host deletes the panel's widget, and its X window
view_closed = run_loop(lambda: view.closed)
worker.join(10)  # it stops at its first emit refused with ShutdownInProgressError
stop.set()
run_loop(closed_event.is_set)  # the closed event comes from Qt's loop
print(json.dumps({"window_shown": window_shown, "page_loaded": page_loaded, "streaming": streaming,
                  "view_closed": view_closed, "closed_event": closed_event.is_set(),
                  "emitted": emitted, "worker_alive": worker.is_alive(),
                  "main_window_alive": window.isVisible(), "web_backend": view.backend}), flush=True)
