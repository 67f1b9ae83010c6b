"""A miniature Qt "DCC" with a dccview panel docked in it: a stand-in for Maya, Houdini or Nuke.

Run it: ``python examples/qt/mini_qt_dcc.py`` (dccview importable, an X11 display).
``DCCVIEW_QT_BINDING`` picks the binding (PySide2, PySide6, PyQt5 or PyQt6); without it, PySide2
is used when importable, else PySide6.

What a Qt-based DCC looks like to a tool author, in small:
  * ``Scene``: the application's scene API. Like ``maya.cmds`` or ``hou``, it must only be used on
    the GUI (main) thread, and it fails loudly (SceneThreadError, a RuntimeError) anywhere else.
  * ``MainWindow``: a QMainWindow whose central QListWidget shows the scene objects.
  * ``ScenePanel``: a dccview WebView docked in a QDockWidget. The page lists and creates objects
    through handlers, and a background job streams its progress to the page with ``emit``.

Threads:
  * The panel runs on the web engine ``DCCVIEW_BACKEND`` names (default ``auto``: Qt WebEngine when the
    binding has it, else WebKitGTK) and is docked through ``view.widget()`` either way.
  * The WebView lives on the Qt main thread (``thread_mode="host"``). On WebKitGTK: this process runs Qt's GLib
    event dispatcher (Qt 5's QEventDispatcherGlib, Qt 6's QXcbGlibEventDispatcher: both the default
    on Linux, pip's PySide6 wheels included), which owns the default GLib context, so WebKitGTK cannot run on a thread of
    its own here; created on the main thread, it is driven by Qt's event loop. It is created once
    the loop runs (``QTimer.singleShot(0, ...)`` from the main thread, or a menu action).
  * The panel is opened with ``dcc_mode=True``: every handler runs on the Qt main thread, where the
    scene API works. ``delete_object`` and ``_finish_job`` are also ``@dcc_thread_safe``, the way a
    helper that worker threads call is written: the job's worker thread calls ``_finish_job``
    directly and it still runs on the main thread.
  * dccview's Qt dispatcher backend serves ``run_on_main_thread`` and friends: it is chosen because
    a QApplication exists, and activates on the main thread at its first use (``main()`` touches it
    right after creating the application).
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import threading
from typing import Dict, List, Optional


QT_BINDINGS = ("PySide2", "PySide6", "PyQt5", "PyQt6")


def _import_qt():
    """(binding name, QtCore, QtGui, QtWidgets): DCCVIEW_QT_BINDING's binding (one of QT_BINDINGS), else
    PySide2 when importable, else PySide6. The code below uses the spellings all four accept (scoped
    enums such as ``Qt.DockWidgetArea.RightDockWidgetArea``, ``exec_app`` for exec_/exec, ``Signal``)."""
    wanted = os.environ.get("DCCVIEW_QT_BINDING", "").strip()
    candidates = [wanted] if wanted else ["PySide2", "PySide6"]
    for binding in candidates:
        if binding not in QT_BINDINGS:
            raise ImportError(f"DCCVIEW_QT_BINDING={binding!r}: one of {', '.join(QT_BINDINGS)} expected")
        try:
            modules = [importlib.import_module(f"{binding}.{name}") for name in ("QtCore", "QtGui", "QtWidgets")]
        except ImportError:
            if binding == candidates[-1]:
                raise
            continue
        if not hasattr(modules[0], "Signal"):  # PyQt spells it pyqtSignal
            modules[0].Signal = modules[0].pyqtSignal
        return (binding, *modules)
    raise ImportError("no Qt binding")


QT_BINDING, QtCore, QtGui, QtWidgets = _import_qt()

import dccview  # noqa: E402 - after the binding: dccview's Qt backend looks for it in sys.modules
from dccview.utils import dcc_thread_safe, is_main_thread  # noqa: E402

CLOSED_EVENT = "dccview:closed"

# The page. The magenta block (#swatch, 200 x 100 CSS px of rgb(255, 0, 200)) is what the CI test
# looks for in a screenshot of the screen, inside the dock's rectangle.
PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>Scene panel</title>
<style>
  html, body { margin: 0; height: 100%; }
  body { font: 13px sans-serif; background: #262626; color: #ddd; padding: 10px; box-sizing: border-box; }
  #swatch { width: 200px; height: 100px; background: rgb(255, 0, 200); margin-bottom: 8px; }
  button { margin: 2px 4px 2px 0; padding: 3px 8px; }
  #objects { margin: 8px 0; padding-left: 18px; }
  #bar { height: 10px; background: #444; margin-top: 6px; }
  #fill { height: 100%; width: 0; background: #5a9; }
</style>
</head>
<body>
<div id="swatch"></div>
<div>Scene: <span id="count">?</span> objects</div>
<button id="refresh">List</button>
<button id="cube">Add cube</button>
<button id="sphere">Add sphere</button>
<button id="delete">Delete last</button>
<button id="job">Run job</button>
<ul id="objects"></ul>
<div>Job: <span id="status">idle</span></div>
<div id="bar"><div id="fill"></div></div>
<script>
  window.progress = [];
  window.jobResults = [];
  const list = document.getElementById("objects");
  async function refresh() {
    const names = await dccview.call("list_objects");
    list.innerHTML = "";
    for (const name of names) {
      const li = document.createElement("li");
      li.textContent = name;
      list.appendChild(li);
    }
    document.getElementById("count").textContent = String(names.length);
    return names;
  }
  async function create(kind) {
    const name = await dccview.call("create_object", { kind });
    await refresh();
    return name;
  }
  async function remove(name) {
    const removed = await dccview.call("delete_object", { name });
    await refresh();
    return removed;
  }
  function startJob(steps, intervalMs) {
    window.progress = [];
    window.jobDone = false;
    return dccview.call("start_job", { steps, interval_ms: intervalMs });
  }
  function swatchRect() {
    const r = document.getElementById("swatch").getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height, dpr: window.devicePixelRatio };
  }
  window.panel = { refresh, create, remove, startJob, swatchRect };
  document.getElementById("refresh").onclick = refresh;
  document.getElementById("cube").onclick = () => create("cube");
  document.getElementById("sphere").onclick = () => create("sphere");
  document.getElementById("delete").onclick = () => {
    const items = list.querySelectorAll("li");
    if (items.length) remove(items[items.length - 1].textContent);
  };
  document.getElementById("job").onclick = () => startJob(100, 20);
  dccview.on("progress", (p) => {
    window.progress.push(p.step);
    document.getElementById("status").textContent = `${p.step} / ${p.total}`;
    document.getElementById("fill").style.width = `${(100 * p.step) / Math.max(p.total, 1)}%`;
  });
  dccview.on("job_done", (d) => {
    window.jobResults.push(d.object);
    window.jobDone = true;
    document.getElementById("status").textContent = "done: " + d.object;
    refresh();
  });
  dccview.whenReady().then(async () => {
    await refresh();
    window.__loaded = true;
  });
</script>
</body>
</html>
"""


class SceneThreadError(RuntimeError):
    """The scene API was used off the main thread."""


class Scene(QtCore.QObject):
    """The DCC's scene: main-thread only, like a real DCC's API. Every method raises
    SceneThreadError when called from any other thread. ``changed`` is emitted on the main thread."""

    changed = QtCore.Signal()

    def __init__(self) -> None:
        app = QtCore.QCoreApplication.instance()
        if app is None or QtCore.QThread.currentThread() is not app.thread():
            raise SceneThreadError("Scene must be created on the QApplication's thread")
        super().__init__()
        self._owner = threading.get_ident()
        self._objects: Dict[str, str] = {"camera": "camera", "cube": "cube", "light": "light"}

    def _check_thread(self, what: str) -> None:
        if threading.get_ident() != self._owner:
            raise SceneThreadError(f"Scene.{what}() called from thread {threading.current_thread().name!r}: "
                                   "the scene API may only be used on the main (GUI) thread")

    def objects(self) -> List[str]:
        self._check_thread("objects")
        return sorted(self._objects)

    def create(self, kind: str, name: Optional[str] = None) -> str:
        self._check_thread("create")
        if kind not in ("cube", "sphere", "camera", "light", "locator"):
            raise ValueError(f"unknown object kind {kind!r}")
        base = name or kind
        unique = base
        for number in itertools.count(1):
            if unique not in self._objects:
                break
            unique = f"{base}{number}"
        self._objects[unique] = kind
        self.changed.emit()
        return unique

    def delete(self, name: str) -> str:
        self._check_thread("delete")
        del self._objects[name]  # KeyError for an unknown name: the page's promise is rejected
        self.changed.emit()
        return name


class PanelDock(QtWidgets.QDockWidget):
    """The dock that holds the panel; its close button closes the WebView (not just hides it)."""

    close_requested = QtCore.Signal()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)


class ScenePanel(QtCore.QObject):
    """The dccview panel in a QDockWidget. ``open()`` and ``close()`` run on the main thread.

    Docking: the view is created hidden, its X11 window is adopted with ``QWindow.fromWinId`` and
    wrapped in ``QWidget.createWindowContainer``, which becomes the dock's widget. Then Qt knows the
    foreign window: the dock's layout sizes it (no set_size calls on resize), Qt moves it along
    when the dock floats and re-docks (the dock's native window is re-created then), and it is
    hidden with its container. ``WebView(parent=<QWidget>)`` also works (dccview reparents its
    window into the widget's X window) but Qt does not know about that child: the panel keeps its
    creation size until set_size is called from resize events, and it dies with whatever native
    window Qt destroys under it.

    Teardown order: the container is hidden (which unmaps the GTK window) before the view closes,
    and deleted only once the view reports ``dccview:closed`` (GTK has destroyed its window by
    then). Never destroy the container (or a widget holding it) while the view is open: X destroys
    GTK's window with its parent, GDK's next request on it fails (BadDrawable) and GDK's X error
    handler ends the whole process (exit status 1). The same holds for the main window: closing it
    closes the panel first (MainWindow.closeEvent).
    """

    opened = QtCore.Signal()
    closed = QtCore.Signal()
    _view_closed = QtCore.Signal(object)

    def __init__(self, main_window: QtWidgets.QMainWindow, scene: Scene) -> None:
        super().__init__(main_window)
        self.scene = scene
        self.view: Optional[dccview.WebView] = None
        self.dock = PanelDock("Scene Panel (dccview)", main_window)
        self.dock.setObjectName("dccview_scene_panel")
        self.dock.setWidget(self._placeholder())
        self.dock.close_requested.connect(self.close)
        self._view_closed.connect(self._finish_close, QtCore.Qt.ConnectionType.QueuedConnection)
        main_window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.closed_count = 0
        self.created_on: Dict[str, object] = {}  # where the last view was created (diagnostics)
        self.handler_calls: List[tuple] = []  # (handler, ran on the main thread)
        self._jobs = itertools.count(1)

    def _placeholder(self) -> QtWidgets.QWidget:
        label = QtWidgets.QLabel("Scene panel closed")
        label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        return label

    @property
    def is_open(self) -> bool:
        return self.view is not None

    def _note(self, handler: str) -> None:
        self.handler_calls.append((handler, is_main_thread()))

    def open(self) -> dccview.WebView:
        """Opens the panel (main thread, with Qt's event loop running). Returns the WebView."""
        if not is_main_thread():
            raise RuntimeError("ScenePanel.open() must run on the main thread")
        if self.view is not None:
            return self.view
        view = dccview.WebView(title="Scene Panel", width=420, height=560, dcc_mode=True,
                               thread_mode="host", visible=False)
        self.created_on = {"main_thread": threading.current_thread() is threading.main_thread(),
                           "qt_loop_level": QtCore.QThread.currentThread().loopLevel()}
        scene = self.scene

        @view.on("list_objects")
        def list_objects(data):
            self._note("list_objects")
            return scene.objects()

        @view.on("create_object")
        def create_object(data):
            self._note("create_object")
            return scene.create(data["kind"], data.get("name"))

        @view.on("delete_object")
        @dcc_thread_safe
        def delete_object(data):
            self._note("delete_object")
            return scene.delete(data["name"])

        @view.on("start_job")
        def start_job(data):
            steps = int(data.get("steps", 100))
            interval_s = float(data.get("interval_ms", 10)) / 1000.0
            job = next(self._jobs)
            threading.Thread(target=self._run_job, args=(view, job, steps, interval_s), daemon=True,
                             name=f"scene-panel-job-{job}").start()
            return {"job": job, "steps": steps}

        closed_signal = self._view_closed
        docked = {}

        @view.on(CLOSED_EVENT)
        def on_closed(data):  # after GTK destroyed the view's window (here: the main thread)
            # Queued: the container is deleted from Qt's loop, not from inside dccview's close.
            closed_signal.emit((view, docked.pop("container", None)))

        # The widget to dock: the QWebEngineView itself on Qt WebEngine, a window container around
        # the view's X11 window on WebKitGTK (QWindow.fromWinId + createWindowContainer).
        container = view.widget()
        docked["container"] = container if view.backend == "webkitgtk" else None  # Qt WebEngine: dccview deletes its own
        container.setMinimumSize(320, 240)
        container.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        old = self.dock.widget()
        self.dock.setWidget(container)
        if old is not None:
            old.deleteLater()
        self.dock.show()
        view.load_html(PAGE)
        view.show(wait=False)  # in a host: maps the (now docked) window and returns
        self.view = view
        self.opened.emit()
        return view

    def close(self) -> None:
        """Closes the panel (main thread). The view finishes closing from the event loop; ``closed``
        is emitted then."""
        view, self.view = self.view, None
        if view is None:
            return
        old = self.dock.widget()
        self.dock.setWidget(self._placeholder())  # hides the container, and the GTK window with it
        if old is not None:
            old.hide()
        view.close()  # on the WebView thread (this one): scheduled; dccview:closed follows

    def _finish_close(self, closed) -> None:
        view, container = closed
        if view is self.view:  # closed by someone else (view.close() from a worker, say)
            self.view = None
            self.dock.setWidget(self._placeholder())
        if container is not None:
            container.deleteLater()
        self.closed_count += 1
        self.closed.emit()

    def _run_job(self, view: dccview.WebView, job: int, steps: int, interval_s: float) -> None:
        """A background job (worker thread): streams progress to the page, then stores its result in
        the scene through a @dcc_thread_safe helper."""
        stop = threading.Event()
        try:
            for step in range(1, steps + 1):
                if stop.wait(interval_s):
                    return
                view.emit("progress", {"job": job, "step": step, "total": steps})
            name = self._finish_job(job)
            view.emit("job_done", {"job": job, "object": name})
        except dccview.ShutdownInProgressError:
            return  # the panel closed (or the application quits): stop quietly

    @dcc_thread_safe
    def _finish_job(self, job: int) -> str:
        self._note("_finish_job")
        return self.scene.create("locator", f"job_result_{job}")


class MainWindow(QtWidgets.QMainWindow):
    """The DCC's main window: the scene list in the middle, the panel docked on the right. Closing
    it closes the panel first and waits for it (the view shuts down from Qt's loop), then quits."""

    def __init__(self, scene: Scene) -> None:
        super().__init__()
        self.setWindowTitle("Mini Qt DCC")
        self.scene = scene
        self.scene_list = QtWidgets.QListWidget()
        self.setCentralWidget(self.scene_list)
        self.panel = ScenePanel(self, scene)
        self.panel.closed.connect(self._panel_closed)
        self._closing = False
        menu = self.menuBar().addMenu("&Window")
        menu.addAction("Scene Panel", self.panel.open)
        menu.addAction("Quit", self.close)
        scene.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.scene_list.clear()
        self.scene_list.addItems(self.scene.objects())

    def list_items(self) -> List[str]:
        return [self.scene_list.item(row).text() for row in range(self.scene_list.count())]

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self.panel.is_open:
            self._closing = True
            self.panel.close()
            event.ignore()  # _panel_closed closes the window again
            return
        super().closeEvent(event)

    def _panel_closed(self) -> None:
        if self._closing:
            self._closing = False
            self.close()


def create_app(argv: Optional[List[str]] = None, open_panel: bool = True):
    """Creates the application, its scene and main window; the panel opens once the loop runs.
    Returns (app, window)."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        dccview.prepare_qt_application()  # Qt WebEngine loads before the application exists (PyQt5 insists)
        app = QtWidgets.QApplication(argv if argv is not None else sys.argv)
    # First use of dccview on the main thread, with the QApplication in place: activates dccview's
    # Qt dispatcher backend here (its waker QObject must live on the GUI thread).
    if not is_main_thread():
        raise RuntimeError("create_app() must run on the main thread")
    scene = Scene()
    window = MainWindow(scene)
    window.resize(1100, 700)
    window.show()
    if open_panel:
        QtCore.QTimer.singleShot(0, window.panel.open)  # from the main thread, with the loop running
    return app, window


def exec_app(app: QtCore.QCoreApplication) -> int:
    """Runs the event loop: ``exec`` (PySide6, PyQt; ``exec_`` is deprecated or gone there) or ``exec_``
    (PySide2)."""
    run = getattr(app, "exec", None) or app.exec_
    return run()


def main(argv: Optional[List[str]] = None) -> int:
    app, window = create_app(argv)
    return exec_app(app)


if __name__ == "__main__":
    sys.exit(main())
