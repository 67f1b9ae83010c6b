"""FreeCAD 0.20 (Debian: Qt 5, PySide2, Python 3.11) in GUI mode under Xvfb, with the dccview panel of
examples/freecad/dccview_freecad.py docked in its main window, once on Qt WebEngine (what "auto"
picks in FreeCAD, which loads Qt WebEngine itself: the panel is a QWebEngineView in the dock) and
once on WebKitGTK (an X11 window docked in a window container): every step of
tests/hosts/freecad/freecad_scenario.py is checked, the screenshot's pixels must show the page's
magenta block inside the dock, any Python traceback or crash in the output fails the test, and
closing FreeCAD's main window with a panel open and events streaming ends the process within 10 s.

The screenshots are kept in the test's tmp_path and copied to build/freecad_host.png (WebKitGTK) and
build/freecad_qtwebengine_host.png for a human."""

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from host_runs import ROOT, host_env, problems_in, read_results, run_host, search_path
from qt_pixels import rgb32_pixels

FREECAD = "/usr/bin/freecad"
SCENARIO = ROOT / "tests" / "hosts" / "freecad" / "freecad_scenario.py"
SWATCH_RGB = (255, 0, 200)

pytestmark = pytest.mark.skipif(not os.path.exists(FREECAD), reason="FreeCAD is not installed (/usr/bin/freecad)")


def freecad_env(tmp_path, **variables):
    """The environment FreeCAD runs the scenario in: a home of its own in tmp_path, and the search
    path in DCCVIEW_SYS_PATH (FreeCAD clears PYTHONPATH for its embedded Python: the scenario puts
    DCCVIEW_SYS_PATH on sys.path)."""
    home, runtime = tmp_path / "home", tmp_path / "runtime"
    for directory in (home, runtime):
        directory.mkdir(mode=0o700, exist_ok=True)
    env = host_env(DCCVIEW_SYS_PATH=search_path(ROOT / "examples" / "freecad"), HOME=str(home),
                   XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
                   XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(runtime), **variables)
    if os.geteuid() == 0:
        # FreeCAD's Start page is a QtWebEngine view, and Chromium refuses to run as root with its
        # sandbox: FreeCAD exits with status 1 at startup ("Running as root without --no-sandbox").
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return env


def run_freecad(tmp_path, scenario=SCENARIO, **variables):
    """Runs `scenario` in FreeCAD (GUI mode; a file given on the command line runs on FreeCAD's main
    thread once its event loop runs) with `variables` in its environment; returns (completed
    process, what the scenario recorded, when FreeCAD exited)."""
    result_file = tmp_path / "result.json"
    env = freecad_env(tmp_path, DCCVIEW_RESULT=str(result_file),
                      DCCVIEW_SCREENSHOT=str(tmp_path / "freecad_host.png"), **variables)
    completed = run_host([FREECAD, str(scenario)], env, tmp_path, 180, f"FreeCAD running {scenario.name}")
    exited_at = time.time()
    results = read_results(result_file)
    quit_at = results["steps"].get("quit_requested_at")
    (tmp_path / "run.json").write_text(json.dumps({  # for a human: how FreeCAD ended
        "returncode": completed.returncode, "exit_s_after_quit": quit_at and round(exited_at - quit_at, 3),
        "output_tail": (completed.stdout + completed.stderr)[-4000:]}, indent=1))
    return completed, results, exited_at


def swatch_pixels(path):
    """(count, bounding box [x0, y0, x1, y1] inclusive) of the swatch's exact color in the PNG."""
    from PySide2 import QtGui  # only to read the PNG: QImage needs no QApplication

    image = QtGui.QImage()
    assert image.load(str(path)), f"cannot read {path}"
    image = image.convertToFormat(QtGui.QImage.Format_RGB32)
    wanted = 0xFF000000 | (SWATCH_RGB[0] << 16) | (SWATCH_RGB[1] << 8) | SWATCH_RGB[2]
    pixels = rgb32_pixels(image)
    per_line = image.bytesPerLine() // 4
    count, xs, ys = 0, [], []
    for y in range(image.height()):
        line = pixels[y * per_line: y * per_line + image.width()].tolist()
        hits = line.count(wanted)
        if hits:
            count += hits
            ys.append(y)
            xs += [line.index(wanted), len(line) - 1 - line[::-1].index(wanted)]
    return count, ([min(xs), min(ys), max(xs), max(ys)] if count else None)


@pytest.fixture(scope="module", params=["qtwebengine", "webkitgtk"])
def scenario(request, tmp_path_factory):
    backend = request.param
    tmp_path = tmp_path_factory.mktemp(f"freecad-{backend}")
    # "auto" for Qt WebEngine: what a FreeCAD user gets without choosing.
    completed, results, exited_at = run_freecad(tmp_path, DCCVIEW_BACKEND="auto" if backend == "qtwebengine" else backend)
    screenshot = results["steps"].get("screenshot", {}).get("path")
    if screenshot and Path(screenshot).exists() and (ROOT / "build").is_dir():
        name = "freecad_host.png" if backend == "webkitgtk" else f"freecad_{backend}_host.png"
        shutil.copyfile(screenshot, ROOT / "build" / name)
    results["backend_asked"] = backend
    return completed, results, exited_at


def test_the_panel_runs_on_the_engine_asked_for(scenario):
    results = scenario[1]
    assert results["steps"]["web_backend"] == results["backend_asked"]


def test_freecad_ran_clean_and_quit(scenario):
    completed, results, exited_at = scenario
    output = completed.stdout + completed.stderr
    steps = results["steps"]
    assert results["errors"] == [], results["errors"]
    assert problems_in(output) == [], output[-4000:]
    assert completed.returncode == 0, output[-4000:]
    assert steps["documents_left"] == []
    assert steps["about_to_quit"]["panels_open"] == 0  # the main window closed the panel first
    assert steps["streaming"] is True  # quit with events arriving at the page
    assert exited_at - steps["quit_requested_at"] < 10.0


def test_panel_lives_on_freecads_main_thread(scenario):
    steps = scenario[1]["steps"]
    startup = steps["startup"]
    assert startup["main_thread"] is True and startup["python_main_thread"] is True
    assert startup["qt_loop_level"] == 1  # FreeCAD runs the file inside its event loop
    assert startup["event_dispatcher"] == "QXcbGlibEventDispatcher"  # Qt on GLib: host mode
    assert startup["freecad_version"][:2] == ["0", "20"]
    assert steps["backend"] == "Qt"  # no FreeCAD backend: dccview's Qt backend carries the calls
    assert steps["dcc_name"] is None
    assert steps["created_on"] == {"main_thread": True, "qt_loop_level": 1}


def test_page_creates_part_boxes_on_the_main_thread(scenario):
    doc = scenario[1]["steps"]["document"]
    assert doc["ready"] is True
    assert [c["name"] for c in doc["created"]] == ["Box_A", "Box_B"]
    assert doc["created"][0]["volume"] == 12 * 10 * 10
    assert doc["document"]["names"] == ["Box_A", "Box_B"]
    assert doc["document"]["types"] == ["Part::Box"]
    assert doc["document"]["box_a_length"] == 12.0 and doc["document"]["box_b_length"] == 30.0
    assert doc["document"]["box_a_volume"] == 1200.0
    assert doc["page_list"] == ["Box_A", "Box_B"]
    assert doc["page_document"] == doc["document"]["document"]
    assert doc["handler_calls"] == ["create_box:main", "list_objects:main"]


def test_the_decorator_style_creates_boxes_on_the_main_thread(scenario):
    decorated = scenario[1]["steps"]["decorator_style"]
    assert decorated["ready"] is True and decorated["closed"] is True
    assert decorated["created"]["name"] == "Box_C" and decorated["created"]["volume"] == 5 * 10 * 10
    assert decorated["in_document"] is True
    assert decorated["handler_calls"] == ["create_box:main", "list_objects:main"]


def test_progress_events_reach_the_page(scenario):
    progress = scenario[1]["steps"]["progress"]
    assert progress["all_arrived"] is True
    assert progress["progress"] == list(range(1, 101))
    # FreeCAD's 10 ms Qt timer kept firing while the worker streamed (never a half-second pause).
    assert progress["heartbeats"] >= 20 and progress["longest_gap_s"] < 0.5, progress


def test_panel_follows_the_dock(scenario):
    layout = scenario[1]["steps"]["layout"]
    # FreeCAD turns on Qt's high-DPI scaling: under Xvfb the ratio is fractional (~1.04), so Qt's
    # container is sized in device-independent pixels and GTK's window (scale 1) in device pixels;
    # Chromium (Qt WebEngine) lays out in Qt's device-independent pixels and paints at the ratio.
    assert layout["scaling"]["high_dpi_scaling"] is True, layout["scaling"]
    for step in ("initial", "dock_400", "dock_360"):
        assert layout[step]["follows"] is True, (step, layout[step])
    assert layout["dock_400"]["container"][0] == 400 and layout["dock_360"]["container"][0] == 360, layout


def page_origin_px(shot):
    """Where the page's top-left corner is on screen, in device pixels (the screenshot's), and the
    device pixels per CSS pixel there. WebKitGTK: GTK's window as X has it, at scale 1. Qt WebEngine:
    the dock's widget, scaled by Qt's (fractional) device pixel ratio, which Chromium takes on."""
    if shot["x_view"] is not None:
        vx, vy, vw, vh = shot["x_view"]
        assert shot["page_size"] == [vw, vh], shot  # the page fills GTK's window
        return (vx, vy), 1
    cx, cy = shot["container"][:2]
    return (cx * shot["dpr"], cy * shot["dpr"]), shot["dpr"]


def test_screenshot_shows_the_page_inside_the_dock(scenario):
    shot = scenario[1]["steps"]["screenshot"]
    assert shot["dock_visible"] is True and shot["dock_floating"] is False, shot
    assert shot["dock_area_right"] is True and shot["dock_parent_is_main_window"] is True, shot
    swatch = shot["swatch"]
    (ox, oy), scale = page_origin_px(shot)
    assert abs(swatch["dpr"] - scale) < 0.01 and (round(swatch["width"]), round(swatch["height"])) == (200, 100), swatch
    count, box = swatch_pixels(shot["path"])
    width, height = box[2] - box[0] + 1, box[3] - box[1] + 1
    assert count == width * height, (count, box, shot)  # one solid block, all of it visible
    # 200 x 100 CSS px at `scale` device pixels each, where the page put it: exact at scale 1; with
    # a fractional scale Chromium snaps the block's edges to whole pixels (one pixel of slack).
    slack = 0 if scale == 1 else 1
    expected = [ox + swatch["x"] * scale, oy + swatch["y"] * scale, 200 * scale, 100 * scale]
    assert all(abs(got - want) <= slack for got, want in zip([box[0], box[1], width, height], expected)), \
        (box, expected, shot)
    for outer in (shot["dock_px"], shot["x_main_window"]):  # inside the dock, inside FreeCAD's window
        dx, dy, dw, dh = outer
        assert dx <= box[0] and box[2] < dx + dw and dy <= box[1] and box[3] < dy + dh, (box, outer, shot)
    if shot["x_view"] is not None:  # GTK's window: on screen, within the dock (rounding aside)
        vx, vy, vw, vh = shot["x_view"]
        assert vx + vw <= shot["screen"][0] and vy + vh <= shot["screen"][1], shot
        dx, dy, dw, dh = shot["dock_px"]
        assert dx - 1 <= vx and vx + vw <= dx + dw + 1 and dy - 1 <= vy and vy + vh <= dy + dh + 1, shot


def test_dock_close_button_closes_the_view(scenario):
    assert scenario[1]["steps"]["dock_close_button"] is True


def test_close_under_load(scenario):
    loaded = scenario[1]["steps"]["close_under_load"]
    assert loaded["ready"] is True and loaded["loaded"] is True, loaded
    assert loaded["emitter"] == "shutdown" and loaded["emit_rate"] > 700, loaded  # ~1000/s asked
    assert loaded["threads_alive"] == 0, loaded
    assert set(loaded["waiter_kinds"]) <= {"int", "str"} and "int" in loaded["waiter_kinds"], loaded
    assert loaded["closed_event"] is True and loaded["close_s"] < 5.0, loaded
    assert loaded["view_closed"] is True and loaded["panels_open"] == 0, loaded


def test_open_close_cycles_do_not_leak(scenario):
    cycles = scenario[1]["steps"]["open_close_cycles"]
    assert cycles["cycles"] == 20 and cycles["all_ok"] is True, cycles
    assert cycles["rss_growth_kib"] < 20 * 1024, cycles
    assert cycles["no_leftover_threads"] is True, cycles  # back to the warmed-up count within 5 s
    assert cycles["no_leftover_processes"] is True, cycles  # no web process left running
    assert cycles["objects_after"] == cycles["objects_before"], cycles
    assert cycles["objects_after"]["window_containers"] == 0, cycles
    assert cycles["objects_after"]["panel_docks"] == 0, cycles
    assert scenario[1]["steps"]["reopened"] is True
