"""Runs the mini Qt DCC (examples/qt/mini_qt_dcc.py, PySide2 or PySide6 as DCCVIEW_QT_BINDING says)
and drives it from a worker thread, as a tool's background work would: page calls through
eval_js_sync, scene checks through run_on_main_thread_sync. Records every step in the JSON file named
by DCCVIEW_RESULT and saves a screenshot of the screen to DCCVIEW_SCREENSHOT. Started by
tests/hosts/test_pyside2.py and tests/hosts/test_pyside6.py (through qt_host_checks.py), under Xvfb.

    DCCVIEW_QT_BINDING=PySide6 DCCVIEW_RESULT=/tmp/r.json \
        PYTHONPATH=build/release/python:examples/qt python tests/hosts/qt/qt_app_scenario.py

The main thread runs Qt's event loop (app.exec_() / app.exec()); the scenario ends by closing the
main window with the panel open and a job streaming into it, the way a user quits.
"""

import json
import os
import sys
import threading
import time
import traceback

import mini_qt_dcc  # first: it imports the Qt binding, then dccview
from mini_qt_dcc import QT_BINDING, QtCore, QtGui, QtWidgets

import scenario_support
from qt_pixels import rgb32_pixels
from scenario_support import longest_gap, next_frames, on_main, wait_ready, wait_until
from dccview.utils import get_current_dcc_name, get_dispatcher_backend, run_on_main_thread

RESULT = os.environ["DCCVIEW_RESULT"]
SCREENSHOT = os.environ.get("DCCVIEW_SCREENSHOT") or os.path.splitext(RESULT)[0] + ".png"
SWATCH_PIXEL = 0xFFFF00C8  # rgb(255, 0, 200) as a QImage.Format_RGB32 pixel

results = {"steps": {}, "errors": []}
app = window = None
heartbeats = []


def record(step, value):
    results["steps"][step] = value
    with open(RESULT, "w") as out:
        json.dump(results, out, indent=1)


def rect(widget):
    """The widget's rectangle in screen coordinates: [x, y, width, height]."""
    origin = widget.mapToGlobal(QtCore.QPoint(0, 0))
    return [origin.x(), origin.y(), widget.width(), widget.height()]


def heartbeat():
    heartbeats.append(time.monotonic())


# ------------------------------------------------------------------------------------------------
# Steps (worker thread)
# ------------------------------------------------------------------------------------------------

def panel_view():
    return on_main(lambda: window.panel.view)


def check_startup():
    record("qt", on_main(lambda: {
        "binding": QT_BINDING, "version": QtCore.qVersion(), "platform": QtGui.QGuiApplication.platformName(),
        "event_dispatcher": QtCore.QAbstractEventDispatcher.instance().metaObject().className()}))
    record("backend", get_dispatcher_backend().get_name())
    record("dcc_name", get_current_dcc_name())
    view = wait_until(panel_view, 30, 0.05)
    record("panel_opened_by_app", view is not None)
    record("web_backend", view.backend if view is not None else None)
    record("ready", wait_ready(view))
    record("created_on", on_main(lambda: dict(window.panel.created_on)))
    return view


def check_scene_off_thread():
    outcome = {}
    for name, call in [("objects", lambda: window.scene.objects()),
                       ("create", lambda: window.scene.create("cube", "from_worker"))]:
        try:
            call()
            outcome[name] = "no error"
        except RuntimeError as error:
            outcome[name] = f"{type(error).__name__}: {error}"
    outcome["on_main"] = on_main(window.scene.objects)
    return outcome


def check_handlers(view):
    steps = {}
    steps["listed"] = view.eval_js_sync("window.panel.refresh()", 10000)
    steps["created_cube"] = view.eval_js_sync("window.panel.create('cube')", 10000)
    steps["created_sphere"] = view.eval_js_sync("window.panel.create('sphere')", 10000)
    steps["deleted"] = view.eval_js_sync("window.panel.remove('camera')", 10000)
    steps["scene"] = on_main(window.scene.objects)
    steps["qt_list"] = on_main(window.list_items)
    steps["page_list"] = view.eval_js_sync(
        "[...document.querySelectorAll('#objects li')].map(li => li.textContent)")
    steps["handler_calls"] = sorted({f"{name}:{'main' if main else 'other'}"
                                     for name, main in on_main(lambda: list(window.panel.handler_calls))})
    return steps


def check_job(view):
    on_main(lambda: window.panel.handler_calls.clear())
    timer = on_main(lambda: _start_heartbeat())
    started = time.monotonic()
    view.eval_js_sync("window.panel.startJob(100, 10)", 10000)
    done = bool(wait_until(lambda: view.eval_js_sync("window.jobDone === true", 5000), 30, 0.05))
    ended = time.monotonic()
    on_main(timer.stop)
    return {"done": done, "progress": view.eval_js_sync("window.progress"),
            "results": view.eval_js_sync("window.jobResults"),
            "in_scene": "job_result_1" in on_main(window.scene.objects),
            "in_qt_list": "job_result_1" in on_main(window.list_items),
            "finish_job_on": sorted({f"{name}:{'main' if main else 'other'}"
                                     for name, main in on_main(lambda: list(window.panel.handler_calls))}),
            "seconds": round(ended - started, 3), "heartbeats": sum(started < t < ended for t in heartbeats),
            "longest_gap_s": round(longest_gap(heartbeats, started, ended), 3)}


def _start_heartbeat():
    timer = QtCore.QTimer(window)  # created on the main thread
    timer.timeout.connect(heartbeat)
    timer.start(10)
    return timer


def sizes(view):
    """(page viewport, container widget) sizes, with Qt's view of the dock."""
    page = view.eval_js_sync("[window.innerWidth, window.innerHeight]")
    container = on_main(lambda: [window.panel.dock.widget().width(), window.panel.dock.widget().height()])
    return page, container


def follows(view, timeout=5.0):
    """Waits until the page's viewport has the container's size; returns the sizes seen last."""
    seen = {}

    def same():
        seen["page"], seen["container"] = sizes(view)
        return seen["page"] == seen["container"]

    seen["follows"] = bool(wait_until(same, timeout, 0.05))
    return seen


def check_resize(view):
    steps = {"initial": follows(view)}
    on_main(lambda: window.resize(1000, 650))
    steps["main_window_1000x650"] = follows(view)
    on_main(lambda: window.resize(1200, 800))
    steps["main_window_1200x800"] = follows(view)
    on_main(lambda: window.resizeDocks([window.panel.dock], [480], QtCore.Qt.Orientation.Horizontal))
    steps["dock_480"] = follows(view)
    on_main(lambda: window.panel.dock.setFloating(True))
    steps["floating"] = follows(view)
    steps["floating_eval"] = view.eval_js_sync("1 + 1")
    on_main(lambda: window.panel.dock.setFloating(False))
    on_main(lambda: window.resizeDocks([window.panel.dock], [480], QtCore.Qt.Orientation.Horizontal))
    steps["redocked"] = follows(view)
    return steps


def grab_screen():
    """Main thread: the X server's framebuffer (foreign windows included, unlike QWidget.grab()),
    the geometry to look in, and how many swatch pixels are in the dock."""
    image = QtGui.QGuiApplication.primaryScreen().grabWindow(0).toImage().convertToFormat(
        QtGui.QImage.Format.Format_RGB32)
    dock = window.panel.dock
    geometry = {"screen": [image.width(), image.height()], "main_window": rect(window),
                "dock": rect(dock), "container": rect(dock.widget()),
                "dock_floating": dock.isFloating(), "dock_visible": dock.isVisible()}
    return image, geometry


def swatch_pixels_in(image, box):
    x, y, w, h = box
    pixels = rgb32_pixels(image)  # Format_RGB32: one 0xffRRGGBB each
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
        seen["image"], seen["geometry"] = on_main(grab_screen)
        seen["in_dock"] = swatch_pixels_in(seen["image"], seen["geometry"]["dock"])
        return seen["in_dock"] >= swatch["width"] * swatch["height"]

    wait_until(swatch_in_dock, 10, 0.05)
    seen["image"].save(SCREENSHOT)
    return {"path": SCREENSHOT, "swatch": swatch, "attempts": seen["attempts"],
            "swatch_pixels_in_dock": seen["in_dock"], **seen["geometry"]}


def closed_count():
    return on_main(lambda: window.panel.closed_count)


def close_under_load():
    """Closes a panel on the main thread under load (scenario_support.close_under_load); the panel
    counts as closed once it saw dccview:closed."""
    view = on_main(window.panel.open)
    ready = wait_ready(view)
    before = closed_count()
    outcomes = scenario_support.close_under_load(view, window.panel.close, lambda: len(window.scene.objects()),
                                                 closed=lambda: closed_count() > before)
    outcomes["dock_widget"] = on_main(lambda: type(window.panel.dock.widget()).__name__)
    return dict(outcomes, ready=ready)


def open_close_cycles(cycles):
    """Opens and closes the docked panel `cycles` times after a warm-up cycle: RSS growth, Qt
    objects, and no thread left over (scenario_support.open_close_cycles)."""

    def cycle():
        before = closed_count()
        view = on_main(window.panel.open)
        ready = wait_ready(view)
        on_main(window.panel.close)
        return ready and bool(wait_until(lambda: closed_count() > before, 10))

    return scenario_support.open_close_cycles(cycle, cycles, host_objects=lambda: on_main(qt_objects))


def qt_objects():
    """Window containers and QWindows alive (main thread): a panel that leaks its container or its
    foreign QWindow adds one of each per cycle."""
    containers = [w for w in QtWidgets.QApplication.allWidgets()
                  if w.metaObject().className() == "QWindowContainer"]
    return {"window_containers": len(containers), "qwindows": len(QtGui.QGuiApplication.allWindows())}


def scenario():
    view = check_startup()
    record("scene_off_thread", check_scene_off_thread())
    record("handlers", check_handlers(view))
    record("job", check_job(view))
    record("resize", check_resize(view))
    record("screenshot", check_screenshot(view))
    # The first panel closes from the dock's close button path (ScenePanel.close).
    closed_before = closed_count()
    on_main(window.panel.dock.close)
    record("dock_close_button", bool(wait_until(lambda: closed_count() > closed_before, 10)) and view.closed)
    record("close_under_load", close_under_load())
    record("open_close_cycles", open_close_cycles(20))
    # Quit like a user: close the main window with the panel open and a job streaming into it.
    view = on_main(window.panel.open)
    record("reopened", wait_ready(view))
    view.eval_js_sync("window.panel.startJob(100000, 1)", 10000)
    # Quit while the job's events are arriving: the page has shown some of them.
    record("streaming", bool(wait_until(lambda: view.eval_js_sync("window.progress.length >= 10"), 10)))
    record("quit_requested_at", time.time())
    run_on_main_thread(window.close)


def run():
    try:
        scenario()
    except BaseException as error:  # recorded, then the application is asked to quit anyway
        results["errors"].append("".join(traceback.format_exception(error)))
        record("failed", True)
        run_on_main_thread(app.quit)


def main():
    global app, window
    app, window = mini_qt_dcc.create_app(sys.argv[:1])
    threading.Thread(target=run, name=f"{QT_BINDING.lower()}-scenario", daemon=True).start()
    code = mini_qt_dcc.exec_app(app)
    record("exec_returned", {"code": code, "at": time.time(), "panel_open": window.panel.is_open})
    return code


if __name__ == "__main__":
    sys.exit(main())
