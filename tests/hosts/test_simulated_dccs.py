"""SIMULATED Maya, Houdini, Nuke, 3ds Max and Unreal on a real Qt loop with a real docked WebView.

These are simulations, not the real applications. tests/hosts/qt/simulated_hosts.py installs modules
(maya.utils/maya.cmds, hdefereval/hou, nuke, pymxs, unreal) that implement each host's documented
main-thread API and quirks on a real PySide2 application's event loop; the scenario
(tests/hosts/qt/simulated_dcc_scenario.py) runs the mini Qt DCC (examples/qt/mini_qt_dcc.py, its panel
a WebView docked in a QDockWidget) in a subprocess under Xvfb, once per simulated host and thread mode,
so that dccview's backend for that host is chosen and driven by a real loop. Every recorded step is
checked; any traceback, GLib critical or crash in the output fails the test. What only the real
application shows (library clashes, its event dispatcher, real latencies, startup order) is not
tested here.

Each host runs three times. By default (ids ``<host>-simulation``) the panel is on Qt WebEngine, as
the real DCCs get it ("auto" in a QApplication whose binding has QtWebEngine): a QWebEngineView
docked as an ordinary widget, on the Qt main thread, so dcc_mode and @dcc_thread_safe handlers run
inline there. The WebKitGTK host-mode run (ids ``<host>-simulation-webkitgtk``) keeps Qt on its GLib
event dispatcher: the WebKitGTK view is on the Qt main thread too. The dedicated run (ids
``<host>-simulation-dedicated``) forces WebKitGTK and sets QT_NO_GLIB=1, as a host whose Qt runs
without the GLib dispatcher would: the WebView is on dccview's dedicated WebView thread, and every
handler call must reach the main thread through the simulated host's API.
"""

import os
import sys
import time

import pytest

from host_runs import ROOT, host_env, problems_in, read_results, run_host, search_path

SCENARIO = ROOT / "tests" / "hosts" / "qt" / "simulated_dcc_scenario.py"
HOSTS = ["maya", "houdini", "nuke", "max", "unreal"]
# The web engine and where the WebView lives: Qt WebEngine on the Qt main thread (the default), WebKitGTK on
# the Qt main thread (host mode), WebKitGTK on dccview's own thread (dedicated mode).
MODES = ["qtwebengine", "webkitgtk", "dedicated"]
MAIN_THREAD_MODES = ["qtwebengine", "webkitgtk"]
BACKEND = {"maya": "Maya", "houdini": "Houdini", "nuke": "Nuke", "max": "3ds Max", "unreal": "Unreal"}
# Page handler calls each scenario makes, as it counts them: Maya's are the RFC handlers' scene
# commands (design_1: file twice; design_2: 3 + 4 threads x 5 polyCube), Houdini's 8 threads x 200.
PAGE_CALLS = {"maya": 2 + 23, "houdini": 8 * 200, "nuke": 1, "max": 1, "unreal": 1}

sys.path.insert(0, str(ROOT / "tests" / "hosts" / "qt"))
pytest.importorskip("PySide2", reason="PySide2 is not installed (./dev test installs python3-pyside2.*)")

from qt_host_checks import GLIB_DISPATCHERS  # noqa: E402


def sim_id(host, mode="qtwebengine"):
    return f"{host}-simulation" + ("" if mode == "qtwebengine" else f"-{mode}")


VARIANTS = [(host, mode) for mode in MODES for host in HOSTS]
VARIANT_IDS = [sim_id(host, mode) for host, mode in VARIANTS]
MAIN_THREAD_VARIANTS = [(host, mode) for mode in MAIN_THREAD_MODES for host in HOSTS]
MAIN_THREAD_IDS = [sim_id(host, mode) for host, mode in MAIN_THREAD_VARIANTS]
DEDICATED_IDS = [sim_id(host, "dedicated") for host in HOSTS]


def in_every_mode(host):
    """Parametrizes a one-host test over the variants, ids saying it is a simulation."""
    return pytest.mark.parametrize("mode", MODES, ids=[sim_id(host, mode) for mode in MODES])


_runs = {}


def is_sandbox_warning(line, mode):
    """The one warning a Qt WebEngine panel logs when the test runs as root (Chromium refuses to start
    as root with its sandbox, so dccview disables it and says so)."""
    return (mode == "qtwebengine" and os.geteuid() == 0 and line["level"] == "WARNING"
            and "sandbox is disabled" in line["message"])


def run_simulation(host, mode, tmp_path):
    result_file = tmp_path / "result.json"
    # Qt's own dispatcher in dedicated mode: nothing runs the default GLib context.
    variables = {"QT_NO_GLIB": "1"} if mode == "dedicated" else {}
    # "auto" picks Qt WebEngine here, as in the real DCCs; host_env forces WebKitGTK otherwise.
    variables["DCCVIEW_BACKEND"] = "auto" if mode == "qtwebengine" else "webkitgtk"
    env = host_env(DCCVIEW_RESULT=str(result_file), DCCVIEW_SIMULATED_HOST=host, **variables,
                   PYTHONPATH=search_path(ROOT / "examples" / "qt"))
    completed = run_host([sys.executable, str(SCENARIO), host], env, tmp_path, 90,
                         f"the simulated {host} ({mode} mode)")
    return completed, read_results(result_file), time.time()


@pytest.fixture
def simulated(tmp_path_factory):
    """simulated(host, mode) -> (completed process, results, exit time); one subprocess run per host
    and mode."""

    def get(host, mode="qtwebengine"):
        if (host, mode) not in _runs:
            _runs[host, mode] = run_simulation(host, mode, tmp_path_factory.mktemp(f"simulated_{host}_{mode}"))
        return _runs[host, mode]

    return get


@pytest.mark.parametrize("host, mode", VARIANTS, ids=VARIANT_IDS)
def test_simulation_ran_clean(simulated, host, mode):
    """Simulation: the scenario ran every step, printed no traceback/critical/crash, and quit."""
    completed, results, exited_at = simulated(host, mode)
    output = completed.stdout + completed.stderr
    assert results["errors"] == [], results["errors"]
    assert problems_in(output) == [], output[-4000:]
    assert completed.returncode == 0, output[-4000:]
    steps = results["steps"]
    assert results["simulation"] is True and results["host"] == host and results["variant"] == mode
    assert steps["exec_returned"]["code"] == 0 and steps["exec_returned"]["panel_open"] is False
    assert exited_at - steps["quit_requested_at"] < 10.0
    # dccview never let an exception escape to the (simulated) host's deferred-call machinery.
    assert steps["escaped_to_host_console"] == []
    expected_log = [{"level": "ERROR", "message": "handler 'nuke_fail' raised",
                     "exc_type": "SimulatedNukeFailure"}] if host == "nuke" else []
    assert [line for line in steps["dccview_log"] if not is_sandbox_warning(line, mode)] == expected_log


@pytest.mark.parametrize("host, mode", VARIANTS, ids=VARIANT_IDS)
def test_simulated_host_backend_is_chosen(simulated, host, mode):
    """Simulation: with the simulated host modules installed, dccview picks that host's backend,
    and the simulated scene API refuses worker threads."""
    steps = simulated(host, mode)[1]["steps"]
    assert steps["backend"] == BACKEND[host] and steps["dcc_name"] == BACKEND[host]
    assert steps["is_dcc_environment"] is True
    assert steps["installed_simulations"] == [host]
    assert steps["module_docs"] and all(doc.startswith("SIMULATION of ") for doc in steps["module_docs"].values())
    assert steps["panel_ready"] is True
    assert steps["web_backend"] == ("qtwebengine" if mode == "qtwebengine" else "webkitgtk")
    assert steps["view_thread_mode"] == ("dedicated" if mode == "dedicated" else "host")  # what "auto" chose
    assert steps["panel_created_on"] == {"main_thread": True, "qt_loop_level": 1}  # in exec_()
    assert steps["scene_probe_off_main"].startswith("SimulatedMainThreadViolation: ")


@pytest.mark.parametrize("host, mode", VARIANTS, ids=VARIANT_IDS)
def test_cross_thread_stress(simulated, host, mode):
    """Simulation: 8 threads x 1000 operations mixing emit, eval_js, run_on_main_thread_sync (into
    the simulated scene API) and eval_js_sync; every count checked on the page and the main thread."""
    stress = simulated(host, mode)[1]["steps"]["stress"]
    per_thread = stress["expected_per_thread"]
    assert stress["threads"] == 8 and stress["ops_per_thread"] == 1000 and per_thread == 250
    assert stress["threads_alive"] == 0 and stress["errors"] == {}, stress
    assert stress["page_settled"] is True, stress
    every = {str(t): per_thread for t in range(8)}
    page = stress["page"]
    assert page["emits"] == every and page["js"] == every and page["sync"] == every, page
    assert page["orderErrors"] == 0 and page["syncOrderErrors"] == 0, page  # per-thread order kept
    assert stress["main_counts"] == [per_thread] * 8
    assert stress["main_ops_off_main"] == 0 and stress["probe_errors"] == []
    assert all(c == {"emit": 250, "eval_js": 250, "sync": 250, "eval_js_sync": 250}
               for c in stress["worker_counts"].values()), stress["worker_counts"]


@in_every_mode("maya")
def test_maya_simulation_rfc_examples(simulated, mode):
    """Simulation (maya.utils/maya.cmds on a Qt loop): the RFC's Maya examples design_1_decorator.py
    and design_2_dcc_mode.py run unchanged but for the package name, docked, driven from the page."""
    maya = simulated("maya", mode)[1]["steps"]["maya"]
    assert maya["execute_with_result_on_main"] == ["inline", True]  # Maya's quirk: inline on main
    assert maya["execute_with_result_from_worker"] is True
    assert all(v.startswith("SimulatedMainThreadViolation: maya.cmds.") for v in maya["cmds_off_main"].values())
    for design in ("design_1", "design_2"):
        assert maya[f"{design}_created_on"] == {"main_thread": True, "loop_level": 1}
        assert maya[f"{design}_ready"] is True
    assert maya["design_1_answer"] == {"status": "saved", "path": "/tmp/shot010.ma"}
    assert maya["design_1_log"] == ["file", "file"]
    assert maya["design_1_scene"] == {"file": "/tmp/shot010.ma", "saved": 1}
    assert maya["design_2_answers"] == ["pCube1", "pCube2", "pCube3"]
    assert maya["design_2_threaded_answers"] == [f"pCube{n}" for n in range(4, 24)]
    assert maya["design_2_log"] == ["polyCube"] and maya["design_2_cube_count"] == 23
    assert maya["calls"]["executeDeferred"] > 0
    assert maya["calls"]["executeInMainThreadWithResult"] == 2  # the scenario's own two: dccview never
    assert maya["rfc_views_closed"] is True


@in_every_mode("houdini")
def test_houdini_simulation_multithreaded_handlers(simulated, mode):
    """Simulation (hdefereval/hou on a Qt loop, deferred work run from a ~50 ms event loop
    callback): 8 threads x 200 page calls into the main-thread-only scene, all on the main thread,
    while a hou.ui event loop callback keeps firing."""
    hou = simulated("houdini", mode)[1]["steps"]["houdini"]
    assert "deadlocks Houdini" in hou["execute_with_result_on_main"]
    assert hou["execute_with_result_from_worker"] is True
    assert hou["event_loop_callback_from_worker"].startswith("SimulatedMainThreadViolation")
    assert hou["hou_node_off_main"].startswith("SimulatedMainThreadViolation")
    assert hou["threads"] == 8 and hou["calls_per_thread"] == 200 and hou["threads_alive"] == 0
    assert hou["ok_calls"] == 1600 and hou["errors"] == {}, hou
    assert hou["handler_calls"] == 1600 and hou["nodes_in_scene"] == 1600
    if mode == "dedicated":  # otherwise the handlers run on the view's thread, the main one anyway
        assert hou["handler_calls_on_main"] == 1600, hou
    assert hou["event_loop_ticking_before"] is True and hou["event_loop_ticking_after"] is True, hou
    expected_ticks = hou["seconds"] / 0.05
    assert hou["event_loop_ticks_during"] >= 0.5 * expected_ticks, hou
    assert hou["event_loop_ticks_all_on_main"] is True and hou["event_loop_longest_gap_s"] < 0.5, hou
    assert hou["event_loop_callbacks_left"] == ["_processDeferred"]  # ours removed, hdefereval's stays
    assert hou["calls"]["executeDeferred"] > 0 and hou["calls"]["executeInMainThreadWithResult"] == 2


@in_every_mode("nuke")
def test_nuke_simulation_exceptions_are_not_swallowed(simulated, mode):
    """Simulation (nuke on a Qt loop, swallowing exceptions as Nuke does): a handler's exception
    reaches the page as HandlerError, run_on_main_thread_sync's caller gets the same exception."""
    nuke = simulated("nuke", mode)[1]["steps"]["nuke"]
    assert nuke["execute_with_result_on_main"] is True and nuke["execute_with_result_from_worker"] is True
    assert nuke["create_node_off_main"].startswith("SimulatedMainThreadViolation")
    assert nuke["page_error"] == {"name": "HandlerError", "code": "HandlerError", "type": "SimulatedNukeFailure",
                                  "message": "handler failed for Grade1"}
    assert nuke["nodes"] == ["Grade1"]
    if mode == "dedicated":  # otherwise the handler runs on the view's thread, the main one anyway
        assert nuke["handler_ran_on_main"] is True
    assert nuke["sync_caller_got"] == {"type": "SimulatedNukeFailure", "message": "raised on the main thread",
                                       "same_object": True, "traceback_has_raise_on_main": True}
    assert nuke["swallowed_by_nuke"] == 0
    assert nuke["quirk_swallowed"] is True  # the simulation does swallow (the deliberate 1 / 0)
    assert nuke["calls"]["executeInMainThread"] > 0 and nuke["calls"]["executeInMainThreadWithResult"] == 2


@in_every_mode("max")
def test_max_simulation_pymxs_through_the_dispatcher(simulated, mode):
    """Simulation (pymxs raising off the main thread; the Qt application is real): pymxs calls
    through run_on_main_thread_sync, @dcc_thread_safe and a dcc_mode page handler."""
    mx = simulated("max", mode)[1]["steps"]["max"]
    assert mx["runtime_off_main"].startswith("SimulatedMainThreadViolation: pymxs.runtime.Box")
    assert mx["through_dispatcher"] == "Box1"
    assert mx["dcc_thread_safe"] == ["Sphere1", True]  # called from a worker: ran on the main thread
    assert mx["from_page"][0] == "Teapot1"
    if mode == "dedicated":  # otherwise the handler runs on the view's thread, the main one anyway
        assert mx["from_page"][1] is True
    assert mx["calls"] == ["Box", "Sphere", "Teapot"]


@in_every_mode("unreal")
def test_unreal_simulation_slate_tick(simulated, mode):
    """Simulation (unreal slate post-tick callbacks from a ~16 ms main-thread QTimer): dccview
    registers one callback on the game thread and is served by it."""
    ue = simulated("unreal", mode)[1]["steps"]["unreal"]
    assert ue["register_off_main"].startswith("SimulatedMainThreadViolation")
    assert ue["registered_handles"] == 1
    assert ue["ticked_15_times"] is True and ue["seconds_for_15_ticks"] < 0.5, ue  # >= 30 ticks/s
    assert ue["spawn_off_main"].startswith("SimulatedMainThreadViolation")
    assert ue["spawn_through_dispatcher"] == "Cube_1"
    assert ue["from_page"][0] == "Light_2"
    if mode == "dedicated":  # otherwise the handler runs on the view's thread, the main one anyway
        assert ue["from_page"][1] is True


@pytest.mark.parametrize("host", HOSTS, ids=DEDICATED_IDS)
def test_dedicated_panel_is_on_dccviews_webview_thread_and_docked(simulated, host):
    """Simulation, QT_NO_GLIB=1: Qt runs its own event dispatcher, the panel's view ("auto") is on
    dccview's dedicated WebView thread, and docking it into the Qt dock by its native handle works:
    the page fills the dock's window container and its swatch is on screen inside the dock."""
    steps = simulated(host, "dedicated")[1]["steps"]
    assert steps["event_dispatcher"] not in GLIB_DISPATCHERS, steps["event_dispatcher"]
    assert steps["dedicated_webview_thread"] is True
    # eval_js_sync on the main thread answers: a view on the main thread raises DeadlockDetectedError.
    assert steps["eval_js_sync_on_main"] == 2
    dock = steps["panel_dock"]
    assert dock["widget"] == "QWindowContainer" and dock["docked"] is True, dock
    assert dock["viewport"] == dock["widget_size"] and dock["swatch_pixels"] == 200 * 100, dock


@pytest.mark.parametrize("host", HOSTS, ids=DEDICATED_IDS)
def test_dedicated_page_handlers_run_inside_host_callbacks(simulated, host):
    """Simulation, dedicated WebView thread: every page handler call (dcc_mode or @dcc_thread_safe;
    Houdini's 8 threads x 200, the Maya RFC examples', Nuke's failing one) ran on the main thread
    inside a callable that dccview's backend handed to the simulated host's API (maya.utils.
    executeDeferred, hdefereval.executeDeferred run from its event loop callback,
    nuke.executeInMainThread, the 3ds Max Qt waker, the Unreal slate post-tick callback), and the
    host's API was called and ran such callables while the page calls were in flight. (In host
    mode the same handlers run inline: test_host_mode_page_handlers_run_inline.)"""
    path = simulated(host, "dedicated")[1]["steps"][host]["page_call_path"]
    assert path["calls"] == path["on_main"] == path["inside_host_callback"] == PAGE_CALLS[host], path
    assert path["host_callbacks"] >= 1, path
    if host != "unreal":  # Unreal's backend registered its tick callback once, at activation
        assert path["host_api_calls"] >= 1, path


@pytest.mark.parametrize("host, mode", MAIN_THREAD_VARIANTS, ids=MAIN_THREAD_IDS)
def test_main_thread_page_handlers_run_inline(simulated, host, mode):
    """Simulation, the view on the Qt main thread (Qt WebEngine, or WebKitGTK with Qt on its GLib
    dispatcher): every page handler call ran there inline, none inside a callable handed to the
    simulated host's API (which carries the workers' run_on_main_thread_sync calls only). That
    handlers reach the main thread through the host's API is shown in dedicated mode."""
    steps = simulated(host, mode)[1]["steps"]
    assert steps["event_dispatcher"] in GLIB_DISPATCHERS, steps["event_dispatcher"]
    assert steps["dedicated_webview_thread"] is False
    # The view is on the main thread: eval_js_sync there is refused at once instead of deadlocking.
    assert steps["eval_js_sync_on_main"] == "DeadlockDetectedError"
    path = steps[host]["page_call_path"]
    assert path["calls"] == PAGE_CALLS[host] and path["inside_host_callback"] == 0, path


@pytest.mark.parametrize("host", HOSTS, ids=[sim_id(host) for host in HOSTS])
def test_qt_webengine_panel_is_a_native_widget_in_the_dock(simulated, host):
    """Simulation, default engine: the panel is a QWebEngineView, an ordinary widget of the host's
    Qt, the dock's own widget; the page fills it and its swatch is on screen inside the dock."""
    dock = simulated(host)[1]["steps"]["panel_dock"]
    assert dock["widget_is_a_qwebengineview"] is True and dock["docked"] is True, dock
    assert dock["viewport"] == dock["widget_size"] and dock["swatch_pixels"] == 200 * 100, dock
