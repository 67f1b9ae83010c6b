"""Shared by tests/hosts/test_pyside2.py and tests/hosts/test_pyside6.py: runs the mini Qt DCC
(examples/qt/mini_qt_dcc.py) under one binding through qt_app_scenario.py, in its own process, and
checks what it recorded. The test functions below are imported by both wrappers (pytest collects
them there); each wrapper provides the module-scoped ``scenario`` fixture with ``run()``.

Every recorded step is checked; the screenshot's pixels must show the page's magenta block inside
the dock, where the page put it; any Python traceback or GLib/GTK critical in the output fails the
test; closing the main window with the panel open and a job streaming must end the process within
10 s. The screenshot is kept in the test's tmp_path and copied to build/<binding>_host.png.

Run as a script (``python qt_host_checks.py count-swatch PNG``, with DCCVIEW_QT_BINDING set), it
counts the swatch's pixels in a PNG with that binding's QImage: the wrappers run it with the
scenario's interpreter, so the pytest process needs no Qt binding of its own.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # host_runs, also when run as a script
from host_runs import ROOT, host_env, problems_in, read_results, run_host, search_path  # noqa: E402
from qt_pixels import rgb32_pixels  # noqa: E402

SCENARIO = ROOT / "tests" / "hosts" / "qt" / "qt_app_scenario.py"
SWATCH_RGB = (255, 0, 200)
# Qt's GLib event dispatchers (Qt 5 / Qt 6 on xcb): the reason the panel runs in host mode.
GLIB_DISPATCHERS = ("QEventDispatcherGlib", "QXcbGlibEventDispatcher")


class Scenario(NamedTuple):
    completed: subprocess.CompletedProcess
    results: dict
    exited_at: float
    binding: str
    python: str


# pip's PySide6 (Qt 6 with its QtWebEngine in PySide6-Addons), in a venv of its own: ./dev test makes it.
PYSIDE6_PYTHON = Path(os.environ.get("DCCVIEW_PYSIDE6_PYTHON") or ROOT / "build" / "venv-pyside6" / "bin" / "python")


def probe(python, code):
    """What `code` prints when run by `python` (stripped), or None when it fails or `python` is missing."""
    if not os.access(python, os.X_OK):
        return None
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60)
    return out.stdout.strip() if out.returncode == 0 else None


def scenario_env(binding, **variables):
    """The environment of a Qt scenario under `binding` (DCCVIEW_QT_BINDING), with examples/qt and
    tests/hosts on its path and `variables` set."""
    return host_env(DCCVIEW_QT_BINDING=binding, **variables, PYTHONPATH=search_path(ROOT / "examples" / "qt"))


def run_parent_destroyed(python, binding, tmp_path, backend="webkitgtk"):
    """Runs parent_destroyed_scenario.py with the panel on `backend`; returns (completed process, its
    JSON result or None)."""
    command = [str(python), str(Path(__file__).resolve().parent / "parent_destroyed_scenario.py"), binding]
    completed = run_host(command, scenario_env(binding, DCCVIEW_BACKEND=backend), tmp_path, 120,
                         f"the parent-destroyed scenario ({binding}, {backend})")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    return completed, json.loads(lines[-1]) if lines else None


def test_deleting_the_widget_a_view_is_docked_into_closes_it_without_a_crash(parent_destroyed):
    completed, result = parent_destroyed
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert result is not None, completed.stdout[-2000:]
    assert result["window_shown"] and result["page_loaded"] and result["streaming"], result
    assert result["view_closed"] is True and result["closed_event"] is True, result
    assert result["emitted"]["ok"] > 0 and result["emitted"]["shutdown"] == 1, result
    assert result["worker_alive"] is False and result["main_window_alive"] is True, result


def run(python, binding, tmp_path, backend="webkitgtk"):
    """Runs the scenario with `python` under `binding` with its panel on `backend`; keeps the screenshot
    as build/<binding>_host.png (build/<binding>_<backend>_host.png for other engines than WebKitGTK)."""
    result_file = tmp_path / "result.json"
    suffix = "" if backend == "webkitgtk" else f"_{backend}"
    screenshot = tmp_path / f"{binding.lower()}{suffix}_host.png"
    env = scenario_env(binding, DCCVIEW_RESULT=str(result_file), DCCVIEW_SCREENSHOT=str(screenshot),
                       DCCVIEW_BACKEND=backend)
    completed = run_host([str(python), str(SCENARIO)], env, tmp_path, 120, f"qt_app_scenario.py ({binding})")
    exited_at = time.time()
    results = read_results(result_file)
    shot = results["steps"].get("screenshot", {}).get("path")
    if shot and Path(shot).exists() and (ROOT / "build").is_dir():
        shutil.copyfile(shot, ROOT / "build" / screenshot.name)
    return Scenario(completed, results, exited_at, binding, str(python))


def count_swatch(path):
    """(count, bounding box [x0, y0, x1, y1] inclusive) of the swatch's exact color in the PNG, read
    with DCCVIEW_QT_BINDING's QImage (this process)."""
    import importlib

    QtGui = importlib.import_module(os.environ.get("DCCVIEW_QT_BINDING", "PySide2") + ".QtGui")
    image = QtGui.QImage()
    assert image.load(str(path)), f"cannot read {path}"
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
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
            first = line.index(wanted)
            xs += [first, len(line) - 1 - line[::-1].index(wanted)]
    box = [min(xs), min(ys), max(xs), max(ys)] if count else None
    return count, box


def swatch_pixels(scenario, path):
    """count_swatch(path) run by the scenario's interpreter and binding."""
    env = dict(os.environ, DCCVIEW_QT_BINDING=scenario.binding)
    out = subprocess.run([scenario.python, __file__, "count-swatch", str(path)], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    count, box = json.loads(out.stdout.splitlines()[-1])
    return count, box


# ------------------------------------------------------------------------------------------------
# The tests (imported by test_pyside2.py and test_pyside6.py)
# ------------------------------------------------------------------------------------------------

def test_scenario_ran_clean(scenario):
    completed, results, exited_at = scenario[:3]
    output = completed.stdout + completed.stderr
    assert results["errors"] == [], results["errors"]
    assert problems_in(output) == [], output[-4000:]
    assert completed.returncode == 0, output[-4000:]
    steps = results["steps"]
    assert steps["exec_returned"]["code"] == 0
    assert steps["exec_returned"]["panel_open"] is False  # the main window closed the panel first
    assert steps["streaming"] is True  # quit with the job's events arriving at the page
    assert exited_at - steps["quit_requested_at"] < 10.0


def test_panel_lives_on_the_qt_main_thread(scenario):
    steps = scenario.results["steps"]
    assert steps["qt"]["binding"] == scenario.binding, steps["qt"]
    assert steps["qt"]["platform"] == "xcb", steps["qt"]
    # Qt's GLib dispatcher owns the default GLib context: WebKitGTK must run on the Qt main thread.
    assert steps["qt"]["event_dispatcher"] in GLIB_DISPATCHERS, steps["qt"]
    assert steps["backend"] == "Qt"
    assert steps["dcc_name"] is None  # a plain Qt application is no DCC (priority 100 < 150)
    assert steps["panel_opened_by_app"] is True and steps["ready"] is True
    assert steps["created_on"] == {"main_thread": True, "qt_loop_level": 1}  # inside app.exec()


def test_scene_api_fails_off_the_main_thread(scenario):
    off = scenario.results["steps"]["scene_off_thread"]
    thread = f"{scenario.binding.lower()}-scenario"
    assert off["objects"].startswith(f"SceneThreadError: Scene.objects() called from thread '{thread}'"), off
    assert off["create"].startswith("SceneThreadError: Scene.create() called from thread")
    assert off["on_main"] == ["camera", "cube", "light"]  # and the failed create changed nothing


def test_page_handlers_run_on_the_main_thread(scenario):
    handlers = scenario.results["steps"]["handlers"]
    assert handlers["listed"] == ["camera", "cube", "light"]
    assert handlers["created_cube"] == "cube1"
    assert handlers["created_sphere"] == "sphere"
    assert handlers["deleted"] == "camera"  # the @dcc_thread_safe handler
    expected = ["cube", "cube1", "light", "sphere"]
    assert handlers["scene"] == handlers["qt_list"] == handlers["page_list"] == expected
    assert handlers["handler_calls"] == ["create_object:main", "delete_object:main", "list_objects:main"]


def test_worker_job_streams_progress_while_qt_stays_responsive(scenario):
    job = scenario.results["steps"]["job"]
    assert job["done"] is True
    assert job["progress"] == list(range(1, 101))
    assert job["results"] == ["job_result_1"]
    assert job["in_scene"] is True and job["in_qt_list"] is True
    assert "_finish_job:main" in job["finish_job_on"]  # @dcc_thread_safe called from the job's thread
    # Qt's 10 ms heartbeat kept firing during the ~1 s job (a blocked main thread: one long gap).
    assert job["seconds"] >= 1.0 and job["heartbeats"] >= 20, job
    assert job["longest_gap_s"] < 0.5, job


def test_panel_follows_the_dock(scenario):
    resize = scenario.results["steps"]["resize"]
    for step in ("initial", "main_window_1000x650", "main_window_1200x800", "dock_480", "floating", "redocked"):
        assert resize[step]["follows"] is True, (step, resize[step])
    heights = [resize[step]["container"][1] for step in ("main_window_1000x650", "main_window_1200x800")]
    assert heights[1] - heights[0] == 150, resize  # the main window grew 150 px: so did the panel
    assert resize["dock_480"]["page"][0] == 480, resize
    assert resize["floating_eval"] == 2


def test_screenshot_shows_the_page_inside_the_dock(scenario):
    shot = scenario.results["steps"]["screenshot"]
    assert shot["dock_visible"] is True and shot["dock_floating"] is False
    swatch = shot["swatch"]
    assert swatch["dpr"] == 1 and (swatch["width"], swatch["height"]) == (200, 100), swatch
    count, box = swatch_pixels(scenario, shot["path"])
    assert count == 200 * 100, (count, box, shot)  # exactly one block, all of it visible
    # Where the page put it: the container's screen position plus the block's place in the page.
    cx, cy = shot["container"][:2]
    expected = [cx + swatch["x"], cy + swatch["y"], cx + swatch["x"] + 199, cy + swatch["y"] + 99]
    assert box == expected, (box, expected, shot)
    dx, dy, dw, dh = shot["dock"]
    assert dx <= box[0] and box[2] < dx + dw and dy <= box[1] and box[3] < dy + dh, (box, shot["dock"])


def test_closing_the_dock_closes_the_view(scenario):
    assert scenario.results["steps"]["dock_close_button"] is True


def test_close_under_load(scenario):
    loaded = scenario.results["steps"]["close_under_load"]
    assert loaded["ready"] is True and loaded["loaded"] is True, loaded
    assert loaded["emitter"] == "shutdown" and loaded["emit_rate"] > 700, loaded  # ~1000/s asked
    assert loaded["threads_alive"] == 0, loaded
    assert set(loaded["waiter_kinds"]) <= {"int", "str"} and "int" in loaded["waiter_kinds"], loaded
    assert loaded["closed_event"] is True and loaded["close_s"] < 5.0, loaded
    assert loaded["view_closed"] is True and loaded["dock_widget"] == "QLabel", loaded


def test_open_close_cycles_do_not_leak(scenario):
    cycles = scenario.results["steps"]["open_close_cycles"]
    assert cycles["cycles"] == 20 and cycles["all_ok"] is True, cycles
    assert cycles["rss_growth_kib"] < 20 * 1024, cycles
    assert cycles["no_leftover_threads"] is True, cycles  # back to the warmed-up count within 5 s
    assert cycles["no_leftover_processes"] is True, cycles  # no renderer / web process left running
    assert cycles["objects_after"] == cycles["objects_before"], cycles
    assert cycles["objects_after"]["window_containers"] == 0, cycles
    assert scenario.results["steps"]["reopened"] is True


if __name__ == "__main__":
    if sys.argv[1:2] != ["count-swatch"] or len(sys.argv) != 3:
        sys.exit("usage: qt_host_checks.py count-swatch PNG (DCCVIEW_QT_BINDING picks the binding)")
    print(json.dumps(count_swatch(sys.argv[2])))
