"""Runs inside FreeCAD 0.20 (GUI mode under Xvfb): drives the dccview panel of
examples/freecad/dccview_freecad.py and records every step in the JSON file named by DCCVIEW_RESULT
(a screenshot goes to DCCVIEW_SCREENSHOT). Started by tests/hosts/test_freecad.py as ``freecad
<this file>``: FreeCAD runs it on its main thread once its Qt event loop runs.

FreeCAD clears PYTHONPATH for its embedded Python, so dccview and the example come from
DCCVIEW_SYS_PATH (os.pathsep-separated), inserted into sys.path here.

The script returns at once so that FreeCAD's event loop runs; the scenario runs on a worker thread,
as a tool's background work would, and ends by closing FreeCAD's main window with a panel open.
"""

import json
import os
import subprocess
import sys
import threading
import time
import traceback

for _entry in reversed([p for p in os.environ.get("DCCVIEW_SYS_PATH", "").split(os.pathsep) if p]):
    if _entry not in sys.path:
        sys.path.insert(0, _entry)

from PySide2 import QtCore, QtGui, QtWidgets  # noqa: E402 - before dccview's first use

import FreeCAD as App  # noqa: E402
import FreeCADGui as Gui  # noqa: E402

import dccview  # noqa: E402
import dccview_freecad as panel  # noqa: E402
import scenario_support  # noqa: E402
from qt_pixels import rgb32_pixels  # noqa: E402
from scenario_support import longest_gap, next_frames, on_main, paced, wait_ready, wait_until  # noqa: E402
from dccview.utils import (get_current_dcc_name, get_dispatcher_backend, is_main_thread,  # noqa: E402
                           run_on_main_thread)

RESULT = os.environ["DCCVIEW_RESULT"]
SCREENSHOT = os.environ.get("DCCVIEW_SCREENSHOT") or os.path.splitext(RESULT)[0] + ".png"
SWATCH_PIXEL = 0xFFFF00C8  # rgb(255, 0, 200) as a QImage.Format_RGB32 pixel

results = {"steps": {}, "errors": []}
heartbeats = []
_lock = threading.Lock()


def record(step, value):
    with _lock:
        results["steps"][step] = value
        with open(RESULT, "w") as out:
            json.dump(results, out, indent=1)


def record_error(text):
    with _lock:
        results["errors"].append(text)
        with open(RESULT, "w") as out:
            json.dump(results, out, indent=1)
    sys.__stderr__.write(text + "\n")  # FreeCAD's GUI redirects sys.stderr to its report view


def _thread_excepthook(args):
    record_error(f"exception in thread {args.thread.name if args.thread else '?'}:\n" + "".join(
        traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))


threading.excepthook = _thread_excepthook


def rect(widget):
    origin = widget.mapToGlobal(QtCore.QPoint(0, 0))
    return [origin.x(), origin.y(), widget.width(), widget.height()]


def heartbeat():
    heartbeats.append(time.monotonic())


# ------------------------------------------------------------------------------------------------
# Main thread, at script start
# ------------------------------------------------------------------------------------------------

def start():
    """Runs on FreeCAD's main thread while it executes this file (inside its Qt loop)."""
    record("startup", {
        "main_thread": is_main_thread(),
        "python_main_thread": threading.current_thread() is threading.main_thread(),
        "qt_loop_level": QtCore.QThread.currentThread().loopLevel(),
        "event_dispatcher": QtCore.QAbstractEventDispatcher.instance().metaObject().className(),
        "qt_no_glib": os.environ.get("QT_NO_GLIB"),
        "freecad_version": App.Version()[:3],
        "python": sys.version.split()[0],
        "pythonpath_env": os.environ.get("PYTHONPATH"),
    })
    record("backend", get_dispatcher_backend().get_name())
    record("dcc_name", get_current_dcc_name())
    main_window = Gui.getMainWindow()
    # All of it on the screen (FreeCAD's high-DPI scaling makes 1 Qt pixel ~1.04 screen pixels here).
    available = QtGui.QGuiApplication.primaryScreen().availableGeometry()
    main_window.resize(min(1180, available.width() - 20), min(880, available.height() - 40))
    main_window.move(0, 0)
    view = panel.open_panel(dcc_mode=True)
    record("web_backend", view.backend)
    record("created_on", {"main_thread": is_main_thread(),
                          "qt_loop_level": QtCore.QThread.currentThread().loopLevel()})
    timer = QtCore.QTimer(main_window)
    timer.timeout.connect(heartbeat)
    timer.start(10)
    QtWidgets.QApplication.instance().aboutToQuit.connect(about_to_quit)
    threading.Thread(target=run, args=(view,), name="freecad-scenario", daemon=True).start()


def about_to_quit():
    record("about_to_quit", {"at": time.time(), "panels_open": len(panel.open_panels())})


# ------------------------------------------------------------------------------------------------
# Steps (worker thread)
# ------------------------------------------------------------------------------------------------

def check_document(view):
    steps = {"ready": wait_ready(view)}
    steps["created"] = [view.eval_js_sync("window.panel.createBox('Box_A', 12)", 20000),
                        view.eval_js_sync("window.panel.createBox('Box_B', 30)", 20000)]

    def read_document():
        doc = App.ActiveDocument
        box = doc.getObject("Box_A")
        return {"document": doc.Name, "names": [obj.Name for obj in doc.Objects],
                "types": sorted({obj.TypeId for obj in doc.Objects}),
                "box_a_length": float(box.Length.Value), "box_a_volume": round(box.Shape.Volume, 6),
                "box_b_length": float(doc.getObject("Box_B").Length.Value),
                "tree_items": len(Gui.getMainWindow().findChildren(QtWidgets.QTreeWidget))}

    steps["document"] = on_main(read_document)
    steps["page_list"] = view.eval_js_sync("window.panel.listed()")
    steps["page_document"] = view.eval_js_sync("document.getElementById('doc').textContent")
    steps["handler_calls"] = sorted({f"{name}:{'main' if main else 'other'}"
                                     for name, main in on_main(lambda: list(panel.handler_calls))})
    return steps


def check_progress(view):
    view.eval_js_sync("window.progress = []")
    started = time.monotonic()
    for step, _ in zip(range(1, 101), paced(0.01)):  # 100 events, 10 ms apart
        view.emit("progress", {"step": step, "total": 100})
    got = wait_until(lambda: view.eval_js_sync("window.progress.length") >= 100, 10)
    ended = time.monotonic()
    return {"all_arrived": bool(got), "progress": view.eval_js_sync("window.progress"),
            "seconds": round(ended - started, 3), "heartbeats": sum(started < t < ended for t in heartbeats),
            "longest_gap_s": round(longest_gap(heartbeats, started, ended), 3)}


def x_geometry(window_id):
    """X's view of a window: [x, y, width, height] in screen pixels (None if xwininfo fails)."""
    try:
        out = subprocess.run(["xwininfo", "-id", str(window_id)], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    fields = dict(line.strip().split(":", 1) for line in out.splitlines() if ":" in line)
    try:
        return [int(fields[name]) for name in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")]
    except (KeyError, ValueError):
        return None


def sizes(view):
    """Main thread + worker: the page's viewport and devicePixelRatio, the widget in the dock, and
    (WebKitGTK) X's geometry of GTK's window."""

    def qt_side():
        widget = panel.dock_of(view).widget()
        dpr = widget.devicePixelRatioF()
        return {"container": [widget.width(), widget.height()],
                "container_px": [round(widget.width() * dpr), round(widget.height() * dpr)], "dpr": dpr}

    seen = on_main(qt_side)
    seen["page"], seen["page_dpr"] = view.eval_js_sync("[[window.innerWidth, window.innerHeight], window.devicePixelRatio]")
    if view.backend == "webkitgtk":
        seen["x_window"] = x_geometry(view.native_handle)
    return seen


def follows(view, timeout=5.0):
    seen = {}

    def same():
        seen.update(sizes(view))
        if view.backend == "qtwebengine":  # Chromium lays out in Qt's device-independent pixels
            return all(abs(a - b) <= 1 for a, b in zip(seen["page"], seen["container"]))
        # Qt sizes the container in device-independent pixels; X and GTK (scale 1) see device pixels.
        x_window = seen["x_window"] or [0, 0, -1, -1]
        return (seen["page"] == x_window[2:] and
                all(abs(a - b) <= 1 for a, b in zip(seen["page"], seen["container_px"])))

    seen["follows"] = bool(wait_until(same, timeout, 0.1))
    return seen


def scaling():
    """FreeCAD enables Qt's high-DPI scaling; under Xvfb the screen's DPI makes a fractional ratio."""
    app = QtWidgets.QApplication.instance()
    screen = QtGui.QGuiApplication.primaryScreen()
    policy = getattr(QtGui.QGuiApplication, "highDpiScaleFactorRoundingPolicy", None)
    return {"screen_dpr": screen.devicePixelRatio(), "logical_dpi": screen.logicalDotsPerInch(),
            "physical_dpi": round(screen.physicalDotsPerInch(), 2),
            "screen_geometry": [screen.geometry().width(), screen.geometry().height()],
            "high_dpi_scaling": app.testAttribute(QtCore.Qt.AA_EnableHighDpiScaling),
            "rounding_policy": str(policy()) if policy else None,
            "qt_scale_env": {k: v for k, v in os.environ.items() if k.startswith("QT_") and "SCALE" in k}}


def check_layout(view):
    steps = {"scaling": on_main(scaling), "initial": follows(view)}
    dock = on_main(lambda: panel.dock_of(view))
    on_main(lambda: Gui.getMainWindow().resizeDocks([dock], [400], QtCore.Qt.Horizontal))
    steps["dock_400"] = follows(view)
    on_main(lambda: Gui.getMainWindow().resizeDocks([dock], [360], QtCore.Qt.Horizontal))
    steps["dock_360"] = follows(view)
    return steps


def grab_screen(view):
    image = QtGui.QGuiApplication.primaryScreen().grabWindow(0).toImage().convertToFormat(
        QtGui.QImage.Format_RGB32)
    dock = panel.dock_of(view)
    main_window = Gui.getMainWindow()
    area = main_window.dockWidgetArea(dock)
    dpr = dock.devicePixelRatioF()
    geometry = {"dpr": dpr, "dock_px": [round(v * dpr) for v in rect(dock)],
                "main_window_px": [round(v * dpr) for v in rect(main_window)],"screen": [image.width(), image.height()], "main_window": rect(main_window),
                "dock": rect(dock), "container": rect(dock.widget()), "dock_floating": dock.isFloating(),
                "dock_visible": dock.isVisible(), "dock_area_right": area == QtCore.Qt.RightDockWidgetArea,
                "dock_parent_is_main_window": dock.parent() is main_window}
    return image, geometry


def swatch_pixels_in(image, box):
    x, y, w, h = box
    pixels = rgb32_pixels(image)
    per_line = image.bytesPerLine() // 4
    x0, x1 = max(x, 0), min(x + w, image.width())
    return sum(pixels[row * per_line + x0: row * per_line + x1].tolist().count(SWATCH_PIXEL)
               for row in range(max(y, 0), min(y + h, image.height())))


def check_screenshot(view):
    """Grabs the screen until the page's whole swatch shows inside the dock (painting lags the layout
    by a frame or two), within 10 s; saves the last grab."""
    swatch = view.eval_js_sync("window.panel.swatchRect()")
    seen = {"attempts": 0}

    def swatch_in_dock():
        seen["attempts"] += 1
        next_frames(view)
        seen["image"], seen["geometry"] = on_main(lambda: grab_screen(view))
        seen["in_dock"] = swatch_pixels_in(seen["image"], seen["geometry"]["dock_px"])  # device pixels
        return seen["in_dock"] >= swatch["width"] * swatch["height"]

    wait_until(swatch_in_dock, 10, 0.05)
    seen["image"].save(SCREENSHOT)
    page_size = view.eval_js_sync("[window.innerWidth, window.innerHeight]")
    main_window_id = on_main(lambda: int(Gui.getMainWindow().winId()))
    return {"path": SCREENSHOT, "swatch": swatch, "attempts": seen["attempts"],
            "swatch_pixels_in_dock": seen["in_dock"], "page_size": page_size,
            "x_view": x_geometry(view.native_handle) if view.backend == "webkitgtk" else None,
            "x_main_window": x_geometry(main_window_id), **seen["geometry"]}


def closed_count():
    return on_main(lambda: panel.closed_count)


def check_dock_close_button(view):
    before = closed_count()
    on_main(lambda: panel.dock_of(view).close())
    return bool(wait_until(lambda: closed_count() > before, 10)) and view.closed


def close_under_load():
    """Closes a panel on the main thread under load (scenario_support.close_under_load); the panel
    counts as closed once FreeCAD's dock saw dccview:closed."""
    view = on_main(lambda: panel.open_panel(dcc_mode=True))
    ready = wait_ready(view)
    before = closed_count()
    outcomes = scenario_support.close_under_load(
        view, lambda: panel.close_panel(view), lambda: len(App.ActiveDocument.Objects),
        closed=lambda: closed_count() > before)
    outcomes["panels_open"] = on_main(lambda: len(panel.open_panels()))
    return dict(outcomes, ready=ready)


def qt_objects():
    widgets = QtWidgets.QApplication.allWidgets()
    containers = [w for w in widgets if w.metaObject().className() == "QWindowContainer"]
    web_views = [w for w in widgets if w.inherits("QWebEngineView")]
    docks = [d for d in Gui.getMainWindow().findChildren(QtWidgets.QDockWidget)
             if d.objectName().startswith("dccview_panel_")]
    return {"window_containers": len(containers), "web_views": len(web_views), "panel_docks": len(docks),
            "qwindows": len(QtGui.QGuiApplication.allWindows())}


def open_close_cycles(cycles):
    """Opens and closes a docked panel `cycles` times after a warm-up cycle: RSS growth, Qt objects,
    and no thread left over (scenario_support.open_close_cycles)."""

    def cycle():
        before = closed_count()
        view = on_main(lambda: panel.open_panel(dcc_mode=True))
        ready = wait_ready(view)
        on_main(lambda: panel.close_panel(view))
        closed = wait_until(lambda: closed_count() > before, 10)
        return ready and bool(closed)

    return scenario_support.open_close_cycles(cycle, cycles, host_objects=lambda: on_main(qt_objects))


def check_decorator_style():
    """A panel without dcc_mode, whose handlers are marked @dcc_thread_safe: boxes created from its
    page land in the document, from the main thread."""
    view = on_main(lambda: panel.open_panel(dcc_mode=False, title="decorated panel"))
    steps = {"ready": wait_ready(view)}
    before = on_main(lambda: len(panel.handler_calls))
    steps["created"] = view.eval_js_sync("window.panel.createBox('Box_C', 5)", 20000)
    steps["in_document"] = on_main(lambda: App.ActiveDocument.getObject("Box_C") is not None)
    steps["handler_calls"] = sorted({f"{name}:{'main' if main else 'other'}"
                                     for name, main in on_main(lambda: list(panel.handler_calls)[before:])})
    closed_before = closed_count()
    on_main(lambda: panel.close_panel(view))
    steps["closed"] = bool(wait_until(lambda: closed_count() > closed_before, 10))
    return steps


def close_documents():
    for name in list(App.listDocuments()):
        App.closeDocument(name)
    return list(App.listDocuments())


def scenario(view):
    record("document", check_document(view))
    record("progress", check_progress(view))
    record("decorator_style", check_decorator_style())
    record("layout", check_layout(view))
    record("screenshot", check_screenshot(view))
    record("dock_close_button", check_dock_close_button(view))
    record("close_under_load", close_under_load())
    record("open_close_cycles", open_close_cycles(20))
    # Quit like a user: a panel open with events streaming into it; the unsaved document is closed
    # first (FreeCAD would ask whether to save it), then FreeCAD's main window is closed.
    view = on_main(lambda: panel.open_panel(dcc_mode=True))
    record("reopened", wait_ready(view))

    def stream():  # 500 events/s until FreeCAD's quit closes the panel (a daemon thread)
        try:
            for step, _ in enumerate(paced(0.002), 1):
                view.emit("progress", {"step": step, "total": 0})
        except dccview.ShutdownInProgressError:
            pass

    view.eval_js_sync("window.progress = []")
    threading.Thread(target=stream, name="quit-stream", daemon=True).start()
    record("documents_left", on_main(close_documents))
    # Quit while the events are arriving: the page has shown some of them.
    record("streaming", bool(wait_until(lambda: view.eval_js_sync("window.progress.length >= 10"), 10)))
    record("quit_requested_at", time.time())
    run_on_main_thread(lambda: Gui.getMainWindow().close())


def run(view):
    try:
        scenario(view)
    except BaseException as error:  # recorded, then FreeCAD is asked to quit anyway
        record_error("".join(traceback.format_exception(error)))
        record("failed", True)
        try:
            on_main(close_documents)
        finally:
            run_on_main_thread(lambda: Gui.getMainWindow().close())


try:
    start()
except BaseException as error:
    record_error("".join(traceback.format_exception(error)))
    record("failed", True)
    QtCore.QTimer.singleShot(0, QtWidgets.QApplication.instance().quit)
