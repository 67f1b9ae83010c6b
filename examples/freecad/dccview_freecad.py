"""A dccview panel docked in FreeCAD's main window (FreeCAD 0.20, Qt 5, PySide2).

Use it from a macro or from FreeCAD's Python console (both run on FreeCAD's main thread, inside its
Qt event loop)::

    import sys
    sys.path += ["/path/to/dccview/site-packages", "/path/to/dccview/examples/freecad"]
    import dccview_freecad
    view = dccview_freecad.open_panel()          # docked on the right of FreeCAD's main window
    ...
    dccview_freecad.close_panel(view)            # or the dock's close button

FreeCAD clears PYTHONPATH for its embedded Python: put dccview on ``sys.path`` by hand, as above.

Web engine: FreeCAD loads Qt WebEngine itself (its Start page is one), so ``backend="auto"`` (the
default, or ``DCCVIEW_BACKEND``) gives the panel as a ``QWebEngineView``, an ordinary widget of
FreeCAD's own Qt. ``open_panel(backend="webkitgtk")`` docks a WebKitGTK view's X11 window instead.

Threads: Debian's Qt 5 runs Qt's GLib event dispatcher, so FreeCAD's main thread owns GLib's
default context; the WebView is created on that thread (``thread_mode="host"``: a Qt WebEngine view
is there anyway) and Qt's loop drives it. dccview has no FreeCAD backend: its Qt backend (a QObject
waker on the GUI thread) carries ``run_on_main_thread`` calls. Both of the RFC's styles are shown:
with ``dcc_mode=True`` every handler runs on the main thread, where FreeCAD's API may be used; with
``dcc_mode=False`` the handlers that touch FreeCAD say so with ``@dcc_thread_safe`` (inline here,
where the WebView thread is the main thread; marshalled in a process where the view has a thread of
its own).

Close rule: the widget that holds the view (``view.widget()``) is hidden before the view closes, and
its dock deleted only after the view reported ``dccview:closed``. On WebKitGTK that widget is a
container around the view's X11 window, and a container deleted while the view is open hands the
view's window back to the root window (Qt does that with foreign windows): the view would live on as
a stray top-level window. Closing FreeCAD's main window with panels open therefore closes the panels
first (an event filter on the main window) and closes the main window again once they are gone.
"""

from __future__ import annotations

import collections
from typing import Dict, List, Optional

from PySide2 import QtCore, QtGui, QtWidgets  # before dccview's first use: its Qt backend needs it

import FreeCAD as App
import FreeCADGui as Gui

import dccview
from dccview.utils import dcc_thread_safe, is_main_thread

CLOSED_EVENT = "dccview:closed"

# The swatch's color, rgb(255, 0, 200), appears nowhere in FreeCAD's UI: a test finds the page by it.
PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>FreeCAD panel</title>
<style>
  html, body { margin: 0; height: 100%; }
  body { font: 13px sans-serif; background: #2b2f36; color: #ddd; padding: 10px; box-sizing: border-box; }
  #swatch { width: 200px; height: 100px; background: rgb(255, 0, 200); margin-bottom: 8px; }
  button { margin: 2px 4px 2px 0; padding: 3px 8px; }
  #objects { margin: 8px 0; padding-left: 18px; }
  #bar { height: 10px; background: #444; margin-top: 6px; }
  #fill { height: 100%; width: 0; background: #5a9; }
</style>
</head>
<body>
<div id="swatch"></div>
<div>Document <b id="doc">?</b>: <span id="count">?</span> objects</div>
<button id="refresh">List</button>
<button id="box">Add box</button>
<ul id="objects"></ul>
<div>Progress: <span id="status">idle</span></div>
<div id="bar"><div id="fill"></div></div>
<script>
  window.progress = [];
  const list = document.getElementById("objects");
  async function refresh() {
    const info = await dccview.call("list_objects");
    list.innerHTML = "";
    for (const name of info.objects) {
      const li = document.createElement("li");
      li.textContent = name;
      list.appendChild(li);
    }
    document.getElementById("doc").textContent = info.document;
    document.getElementById("count").textContent = String(info.objects.length);
    return info.objects;
  }
  async function createBox(name, length) {
    const created = await dccview.call("create_box", { name, length });
    await refresh();
    return created;
  }
  function listed() {
    return [...list.querySelectorAll("li")].map(li => li.textContent);
  }
  function swatchRect() {
    const r = document.getElementById("swatch").getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height, dpr: window.devicePixelRatio };
  }
  window.panel = { refresh, createBox, listed, swatchRect };
  document.getElementById("refresh").onclick = refresh;
  document.getElementById("box").onclick = () => createBox("Box", 10);
  dccview.on("progress", (p) => {
    window.progress.push(p.step);
    document.getElementById("status").textContent = `${p.step} / ${p.total}`;
    document.getElementById("fill").style.width = `${(100 * p.step) / Math.max(p.total, 1)}%`;
  });
  dccview.whenReady().then(async () => {
    await refresh();
    window.__loaded = true;
  });
</script>
</body>
</html>
"""

# Open panels: view -> (dock, container). Main thread only.
_panels: Dict[dccview.WebView, tuple] = {}
# (handler name, ran on the main thread), for diagnostics and tests.
handler_calls: collections.deque = collections.deque(maxlen=1000)
closed_count = 0


def document():
    """The active document; a new one when there is none (main thread)."""
    return App.ActiveDocument or App.newDocument("dccview")


class _Relay(QtCore.QObject):
    """Defers work to FreeCAD's Qt loop (queued), and re-closes the main window after its panels."""

    view_closed = QtCore.Signal(object)

    def __init__(self, main_window: QtWidgets.QMainWindow) -> None:
        super().__init__(main_window)
        self.main_window = main_window
        self.quit_pending = False
        self.view_closed.connect(self._finish_close, QtCore.Qt.QueuedConnection)
        main_window.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.main_window and event.type() == QtCore.QEvent.Close and _panels:
            self.quit_pending = True  # close the panels first; _finish_close closes the window again
            for view in list(_panels):
                close_panel(view)
            event.ignore()
            return True
        return False

    def _finish_close(self, view: dccview.WebView) -> None:
        global closed_count
        dock, container = _panels.pop(view, (None, None))
        if dock is not None:
            self.main_window.removeDockWidget(dock)
            dock.deleteLater()  # and the container with it: the view has let its window go by now
        closed_count += 1
        if self.quit_pending and not _panels:
            self.quit_pending = False
            self.main_window.close()


_relay: Optional[_Relay] = None


class _PanelDock(QtWidgets.QDockWidget):
    """Its close button closes the WebView, not just hides the dock."""

    def __init__(self, title: str, parent: QtWidgets.QWidget) -> None:
        super().__init__(title, parent)
        self.view: Optional[dccview.WebView] = None

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self.view is not None and self.view in _panels:
            close_panel(self.view)
        super().closeEvent(event)


def _note(name: str) -> None:
    handler_calls.append((name, is_main_thread()))


def open_panel(dcc_mode: bool = True, title: str = "dccview panel", backend: Optional[str] = None) -> dccview.WebView:
    """Creates the panel (FreeCAD's main thread) and docks it on the right of the main window.
    ``backend``: the web engine (None: ``DCCVIEW_BACKEND``, else "auto"). Returns the WebView; the
    page loads and the handlers answer once Qt's loop runs."""
    global _relay
    if not is_main_thread():
        raise RuntimeError("open_panel() must run on FreeCAD's main thread")
    main_window = Gui.getMainWindow()
    if _relay is None:
        _relay = _Relay(main_window)
    view = dccview.WebView(title=title, width=420, height=560, dcc_mode=dcc_mode,
                           thread_mode="host", visible=False, backend=backend)

    @view.on("list_objects")
    @dcc_thread_safe
    def list_objects(data):
        _note("list_objects")
        doc = document()
        return {"document": doc.Name, "objects": [obj.Name for obj in doc.Objects]}

    @view.on("create_box")
    @dcc_thread_safe
    def create_box(data):
        _note("create_box")
        doc = document()
        box = doc.addObject("Part::Box", str(data.get("name") or "Box"))
        box.Length = float(data.get("length", 10))
        doc.recompute()
        return {"name": box.Name, "label": box.Label, "volume": round(box.Shape.Volume, 6)}

    relay = _relay

    @view.on(CLOSED_EVENT)
    def on_closed(data):  # after the engine let the view go (host mode: the main thread)
        relay.view_closed.emit(view)  # queued: the dock is deleted from Qt's loop, not from here

    dock = _PanelDock(title, main_window)
    dock.setObjectName(f"dccview_panel_{id(view):x}")
    dock.view = view
    # The QWebEngineView itself, or a window container around WebKitGTK's X11 window.
    container = view.widget()
    container.setMinimumSize(320, 240)
    container.setFocusPolicy(QtCore.Qt.StrongFocus)
    dock.setWidget(container)
    main_window.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
    _panels[view] = (dock, container)
    dock.show()
    dock.raise_()
    view.load_html(PAGE)
    view.show(wait=False)  # in a host: maps the (now docked) window and returns
    return view


def close_panel(view: dccview.WebView) -> None:
    """Closes a panel (main thread): hides its container and dock, then closes the view; the dock is
    deleted once the view reports dccview:closed."""
    if not is_main_thread():
        raise RuntimeError("close_panel() must run on FreeCAD's main thread")
    entry = _panels.get(view)
    if entry is None or view.closed:
        return
    dock, container = entry
    dock.view = None  # the dock's closeEvent must not close it again
    container.hide()  # unmaps the view's window while the container still exists
    dock.hide()
    view.close()  # host mode: scheduled on this thread; dccview:closed follows from Qt's loop


def open_panels() -> List[dccview.WebView]:
    return list(_panels)


def dock_of(view: dccview.WebView) -> Optional[QtWidgets.QDockWidget]:
    entry = _panels.get(view)
    return entry[0] if entry else None
