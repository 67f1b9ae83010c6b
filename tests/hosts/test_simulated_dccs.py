"""SIMULATED Maya, Houdini, Nuke, 3ds Max and Unreal on a real Qt loop with a real docked WebView.

These are simulations, not the real applications. tests/hosts/qt/simulated_hosts.py installs modules
(maya.utils/maya.cmds, hdefereval/hou, nuke, pymxs, unreal) that implement each host's documented
main-thread API and quirks on a real PySide2 application's event loop; the scenario
(tests/hosts/qt/simulated_dcc_scenario.py) runs the mini Qt DCC (examples/qt/mini_qt_dcc.py, its panel
a host-mode WebView docked in a QDockWidget) in a subprocess under Xvfb, once per simulated host, so
that dccview's backend for that host is chosen and driven by a real loop. Every recorded step is
checked; any traceback, GLib critical or crash in the output fails the test. What only the real
application shows (library clashes, its event dispatcher, real latencies, startup order) is not
tested here.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "hosts" / "qt" / "simulated_dcc_scenario.py"
HOSTS = ["maya", "houdini", "nuke", "max", "unreal"]
BACKEND = {"maya": "Maya", "houdini": "Houdini", "nuke": "Nuke", "max": "3ds Max", "unreal": "Unreal"}
SIM_IDS = [f"{host}-simulation" for host in HOSTS]

pytest.importorskip("PySide2", reason="PySide2 is not installed (./dev test installs python3-pyside2.*)")

_runs = {}


def problems_in(output):
    markers = ("Traceback (most recent call last)", "Exception in thread", "Fatal Python error",
               "-CRITICAL **", "-WARNING **", "XCB error", "Segmentation fault", "Aborted", "core dumped")
    return [line for line in output.splitlines() if any(marker in line for marker in markers)]


def run_simulation(host, tmp_path):
    result_file = tmp_path / "result.json"
    package_dir = Path(__import__("dccview").__file__).resolve().parents[1]
    env = dict(os.environ, DCCVIEW_RESULT=str(result_file), DCCVIEW_SIMULATED_HOST=host,
               PYTHONPATH=os.pathsep.join([str(package_dir), str(ROOT / "examples" / "qt")]))
    for name in ("QT_QPA_PLATFORM", "DCCVIEW_DISPATCHER", "QT_NO_GLIB"):
        env.pop(name, None)  # xcb, Qt's GLib dispatcher, and the backend dccview picks for the host
    command = [sys.executable, str(SCENARIO), host]
    if not os.environ.get("DISPLAY"):
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] + command
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90, cwd=tmp_path)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"simulated {host}: the scenario did not finish within 90 s; output:\n"
                    f"{(expired.stdout or b'')[-3000:]!r}\n{(expired.stderr or b'')[-3000:]!r}")
    exited_at = time.time()
    results = json.loads(result_file.read_text()) if result_file.exists() else {"steps": {}, "errors": ["no result"]}
    return completed, results, exited_at


@pytest.fixture
def simulated(tmp_path_factory):
    """simulated(host) -> (completed process, results, exit time); one subprocess run per host."""

    def get(host):
        if host not in _runs:
            _runs[host] = run_simulation(host, tmp_path_factory.mktemp(f"simulated_{host}"))
        return _runs[host]

    return get


@pytest.mark.parametrize("host", HOSTS, ids=SIM_IDS)
def test_simulation_ran_clean(simulated, host):
    """Simulation: the scenario ran every step, printed no traceback/critical/crash, and quit."""
    completed, results, exited_at = simulated(host)
    output = completed.stdout + completed.stderr
    assert results["errors"] == [], results["errors"]
    assert problems_in(output) == [], output[-4000:]
    assert completed.returncode == 0, output[-4000:]
    steps = results["steps"]
    assert results["simulation"] is True and results["host"] == host
    assert steps["exec_returned"]["code"] == 0 and steps["exec_returned"]["panel_open"] is False
    assert exited_at - steps["quit_requested_at"] < 10.0
    # dccview never let an exception escape to the (simulated) host's deferred-call machinery.
    assert steps["escaped_to_host_console"] == []
    expected_log = [{"level": "ERROR", "message": "dccview: handler 'nuke_fail' raised",
                     "exc_type": "SimulatedNukeFailure"}] if host == "nuke" else []
    assert steps["dccview_log"] == expected_log


@pytest.mark.parametrize("host", HOSTS, ids=SIM_IDS)
def test_simulated_host_backend_is_chosen(simulated, host):
    """Simulation: with the simulated host modules installed, dccview picks that host's backend,
    and the simulated scene API refuses worker threads."""
    steps = simulated(host)[1]["steps"]
    assert steps["backend"] == BACKEND[host] and steps["dcc_name"] == BACKEND[host]
    assert steps["is_dcc_environment"] is True
    assert steps["installed_simulations"] == [host]
    assert steps["module_docs"] and all(doc.startswith("SIMULATION of ") for doc in steps["module_docs"].values())
    assert steps["panel_ready"] is True
    assert steps["panel_created_on"] == {"main_thread": True, "qt_loop_level": 1}  # host mode, in exec_()
    assert steps["scene_probe_off_main"].startswith("SimulatedMainThreadViolation: ")


@pytest.mark.parametrize("host", HOSTS, ids=SIM_IDS)
def test_cross_thread_stress(simulated, host):
    """Simulation: 8 threads x 1000 operations mixing emit, eval_js, run_on_main_thread_sync (into
    the simulated scene API) and eval_js_sync; every count checked on the page and the main thread."""
    stress = simulated(host)[1]["steps"]["stress"]
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


def test_maya_simulation_rfc_examples(simulated):
    """Simulation (maya.utils/maya.cmds on a Qt loop): the RFC's Maya examples design_1_decorator.py
    and design_2_dcc_mode.py run unchanged but for the package name, docked, driven from the page."""
    maya = simulated("maya")[1]["steps"]["maya"]
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


def test_houdini_simulation_multithreaded_handlers(simulated):
    """Simulation (hdefereval/hou on a Qt loop, deferred work run from a ~50 ms event loop
    callback): 8 threads x 200 page calls into the main-thread-only scene, all on the main thread,
    while a hou.ui event loop callback keeps firing."""
    hou = simulated("houdini")[1]["steps"]["houdini"]
    assert "deadlocks Houdini" in hou["execute_with_result_on_main"]
    assert hou["execute_with_result_from_worker"] is True
    assert hou["event_loop_callback_from_worker"].startswith("SimulatedMainThreadViolation")
    assert hou["hou_node_off_main"].startswith("SimulatedMainThreadViolation")
    assert hou["threads"] == 8 and hou["calls_per_thread"] == 200 and hou["threads_alive"] == 0
    assert hou["ok_calls"] == 1600 and hou["errors"] == {}, hou
    assert hou["handler_calls"] == hou["handler_calls_on_main"] == 1600
    assert hou["nodes_in_scene"] == 1600
    expected_ticks = hou["seconds"] / 0.05
    assert hou["event_loop_ticks_during"] >= 0.5 * expected_ticks, hou
    assert hou["event_loop_ticks_all_on_main"] is True and hou["event_loop_longest_gap_s"] < 0.5, hou
    assert hou["event_loop_callbacks_left"] == ["_processDeferred"]  # ours removed, hdefereval's stays
    assert hou["calls"]["executeDeferred"] > 0 and hou["calls"]["executeInMainThreadWithResult"] == 2


def test_nuke_simulation_exceptions_are_not_swallowed(simulated):
    """Simulation (nuke on a Qt loop, swallowing exceptions as Nuke does): a handler's exception
    reaches the page as HandlerError, run_on_main_thread_sync's caller gets the same exception."""
    nuke = simulated("nuke")[1]["steps"]["nuke"]
    assert nuke["execute_with_result_on_main"] is True and nuke["execute_with_result_from_worker"] is True
    assert nuke["create_node_off_main"].startswith("SimulatedMainThreadViolation")
    assert nuke["page_error"] == {"name": "HandlerError", "code": "HandlerError", "type": "SimulatedNukeFailure",
                                  "message": "handler failed for Grade1"}
    assert nuke["handler_ran_on_main"] is True and nuke["nodes"] == ["Grade1"]
    assert nuke["sync_caller_got"] == {"type": "SimulatedNukeFailure", "message": "raised on the main thread",
                                       "same_object": True, "traceback_has_raise_on_main": True}
    assert nuke["swallowed_by_nuke"] == 0
    assert nuke["quirk_swallowed"] is True  # the simulation does swallow (the deliberate 1 / 0)
    assert nuke["calls"]["executeInMainThread"] > 0 and nuke["calls"]["executeInMainThreadWithResult"] == 2


def test_max_simulation_pymxs_through_the_dispatcher(simulated):
    """Simulation (pymxs raising off the main thread; the Qt application is real): pymxs calls
    through run_on_main_thread_sync, @dcc_thread_safe and a dcc_mode page handler."""
    mx = simulated("max")[1]["steps"]["max"]
    assert mx["runtime_off_main"].startswith("SimulatedMainThreadViolation: pymxs.runtime.Box")
    assert mx["through_dispatcher"] == "Box1"
    assert mx["dcc_thread_safe"] == ["Sphere1", True]
    assert mx["from_page"] == ["Teapot1", True]
    assert mx["calls"] == ["Box", "Sphere", "Teapot"]


def test_unreal_simulation_slate_tick(simulated):
    """Simulation (unreal slate post-tick callbacks from a ~16 ms main-thread QTimer): dccview
    registers one callback on the game thread and is served by it."""
    ue = simulated("unreal")[1]["steps"]["unreal"]
    assert ue["register_off_main"].startswith("SimulatedMainThreadViolation")
    assert ue["registered_handles"] == 1
    assert ue["ticks_in_half_a_second"] >= 15, ue
    assert ue["spawn_off_main"].startswith("SimulatedMainThreadViolation")
    assert ue["spawn_through_dispatcher"] == "Cube_1"
    assert ue["from_page"] == ["Light_2", True]
