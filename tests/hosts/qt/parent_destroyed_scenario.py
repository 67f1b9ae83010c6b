"""A Qt application deletes the widget a dccview panel is docked into with `parent=` (the panel's X
window goes with it) while a worker keeps emitting to the panel. Before dccview handled it, GTK
destroyed the view's widgets under it and the process crashed. Prints one JSON line of results."""

import json
import sys
import threading
import time

import dccview

binding = sys.argv[1]
QtWidgets = __import__(binding + ".QtWidgets", fromlist=["QtWidgets"])
QtCore = __import__(binding + ".QtCore", fromlist=["QtCore"])
shiboken = __import__("shiboken2" if binding == "PySide2" else "shiboken6")

app = QtWidgets.QApplication(sys.argv)
window = QtWidgets.QMainWindow()
window.resize(800, 600)
dock = QtWidgets.QDockWidget("panel", window)
window.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
holder = QtWidgets.QWidget()
dock.setWidget(holder)
window.show()


def run_loop(seconds, until=lambda: False):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        app.processEvents(QtCore.QEventLoop.AllEvents, 20)


run_loop(0.5)
view = dccview.WebView(title="docked", html="<h1>panel</h1><script>window.__loaded = true;</script>",
                       parent=holder, thread_mode="host")
closed_event = threading.Event()
view.on("dccview:closed")(lambda data: closed_event.set())
run_loop(1.0)  # the page loads while Qt runs
emitted = {"ok": 0, "shutdown": 0}
stop = threading.Event()


def emitter():  # until an emit is refused (or 30 s, a failure the result shows)
    deadline = time.monotonic() + 30
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            view.emit("tick", {"t": time.monotonic()})
            emitted["ok"] += 1
        except dccview.ShutdownInProgressError:
            emitted["shutdown"] += 1
            return
        time.sleep(0.002)


worker = threading.Thread(target=emitter)
worker.start()
run_loop(0.3)
shiboken.delete(holder)  # the host deletes the panel's widget, and its X window
run_loop(10, lambda: view.closed)
view_closed = view.closed
worker.join(10)  # it stops at its first emit refused with ShutdownInProgressError
stop.set()
run_loop(0.5)
print(json.dumps({"view_closed": view_closed, "closed_event": closed_event.is_set(),
                  "emitted": emitted, "worker_alive": worker.is_alive(),
                  "main_window_alive": window.isVisible()}), flush=True)
