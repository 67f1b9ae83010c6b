"""SIMULATED DCC hosts on a real Qt loop with a real docked WebView (not the real applications).

One run per simulated host (argument or DCCVIEW_SIMULATED_HOST: maya, houdini, nuke, max, unreal):
creates the QApplication, installs that host's SIMULATED modules (tests/hosts/qt/simulated_hosts.py:
the host's documented main-thread API implemented on this Qt loop), then runs the mini Qt DCC
(examples/qt/mini_qt_dcc.py: its panel is a host-mode WebView docked in a QDockWidget, dcc_mode) so
that dccview picks its backend for that host, and drives it from a worker thread:

  maya     the RFC's Maya examples (tests/python/rfc_examples/design_1_decorator.py and
           design_2_dcc_mode.py, unchanged but for the package name), each docked in a dock widget,
           driven from the page; maya.utils' quirks (executeInMainThreadWithResult inline on main)
  houdini  8 threads x 200 page calls into a main-thread-only hou scene through a dcc_mode handler
           and a @dcc_thread_safe handler, while a hou.ui event loop callback fires every ~50 ms
           (the simulated hdefereval runs deferred work from that event loop, as Houdini's does)
  nuke     a handler's exception reaches the page as HandlerError and run_on_main_thread_sync's
           caller as the same exception object (Nuke's swallowing executeInMainThread does not eat it)
  max      pymxs.runtime through the dispatcher, a handler and @dcc_thread_safe
  unreal   the slate post-tick callback dccview registers, ticking from a main-thread QTimer
  all      the cross-thread stress: 8 threads x 1000 operations mixing emit, eval_js,
           run_on_main_thread_sync (calling the host's scene API) and eval_js_sync

Every step is recorded in the JSON file named by DCCVIEW_RESULT. Started by
tests/hosts/test_simulated_dccs.py under Xvfb:

    PYTHONPATH=build/release/python:examples/qt python tests/hosts/qt/simulated_dcc_scenario.py maya
"""

import json
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from PySide2 import QtCore, QtWidgets

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # scenario_support
sys.path.insert(0, str(ROOT / "examples" / "qt"))

import simulated_hosts  # noqa: E402

HOST = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DCCVIEW_SIMULATED_HOST", "")).lower()
RESULT = os.environ["DCCVIEW_RESULT"]
RFC_EXAMPLES = ROOT / "tests" / "python" / "rfc_examples"
THREADS = 8

results = {"host": HOST, "simulation": True, "steps": {}, "errors": []}
app = window = None
dccview = utils = None
on_main = wait_until = wait_ready = None  # from scenario_support, imported after the host modules
log_records = []


def record(step, value):
    results["steps"][step] = value
    with open(RESULT, "w") as out:
        json.dump(results, out, indent=1, default=repr)


class _Capture(logging.Handler):
    """dccview's logger: kept in the results instead of printed (expected handler errors included)."""

    def emit(self, rec):
        log_records.append({"level": rec.levelname, "message": rec.getMessage()[:300],
                            "exc_type": rec.exc_info[0].__name__ if rec.exc_info else None})


def main_thread_now():
    return threading.current_thread() is threading.main_thread()


def raises_off_main(call):
    try:
        call()
        return "no error"
    except simulated_hosts.SimulatedMainThreadViolation as error:
        return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------------------------------------
# Per-host scene probes: a main-thread-only call into the simulated host's scene API
# ------------------------------------------------------------------------------------------------

def scene_probe():
    if HOST == "maya":
        return len(sys.modules["maya.cmds"].ls())
    if HOST == "houdini":
        return sys.modules["hou"].node("/obj").path()
    if HOST == "nuke":
        return len(sys.modules["nuke"].allNodes())
    if HOST == "max":
        return sys.modules["pymxs"].runtime.getCurrentSelection()
    if HOST == "unreal":
        return len(sys.modules["unreal"].EditorLevelLibrary.get_all_level_actors())
    raise ValueError(HOST)


# ------------------------------------------------------------------------------------------------
# Steps (worker thread)
# ------------------------------------------------------------------------------------------------

def check_startup():
    backend = utils.get_dispatcher_backend()
    record("backend", backend.get_name())
    record("dcc_name", utils.get_current_dcc_name())
    record("is_dcc_environment", utils.is_dcc_environment())
    record("backends", [[p, n, ok] for p, n, ok in utils.list_dispatcher_backends()])
    record("installed_simulations", list(simulated_hosts.SIMULATION.installed))
    record("module_docs", {name: (sys.modules[name].__doc__ or "").split("\n")[0]
                           for name in ("maya.utils", "maya.cmds", "hdefereval", "hou", "nuke", "pymxs", "unreal")
                           if name in sys.modules})
    view = wait_until(lambda: on_main(lambda: window.panel.view), 30, 0.05)
    record("panel_ready", view is not None and wait_ready(view))
    record("panel_created_on", on_main(lambda: dict(window.panel.created_on)))
    record("scene_probe_off_main", raises_off_main(scene_probe))
    return view


RFC_PAGE = """<!doctype html><html><body><h3>RFC example (SIMULATED Maya)</h3><script>
  window.__loaded = false;
  dccview.whenReady().then(() => { window.__loaded = true; });
</script></body></html>"""


def run_rfc_example(name, namespace):
    """Main thread (the WebView is created in host mode, docked): execs the RFC example as written."""
    source = (RFC_EXAMPLES / f"{name}.py").read_text()
    if "auroraview" in source:
        raise AssertionError("the RFC example must only differ by the package name")
    dock = QtWidgets.QDockWidget(f"RFC {name} (SIMULATED Maya)", window)
    dock.setObjectName(f"rfc_{name}")
    host = QtWidgets.QWidget()
    host.setMinimumSize(360, 240)
    host.setAttribute(QtCore.Qt.WA_NativeWindow)
    dock.setWidget(host)
    window.addDockWidget(QtCore.Qt.LeftDockWidgetArea, dock)
    dock.show()
    namespace = dict(namespace, __name__=f"rfc_example_{name}", dcc_hwnd=int(host.winId()))
    exec(compile(source, str(RFC_EXAMPLES / f"{name}.py"), "exec"), namespace)
    view = namespace["webview"]
    view.load_html(RFC_PAGE)
    rfc_docks.append(dock)
    return view, {"main_thread": main_thread_now(), "loop_level": QtCore.QThread.currentThread().loopLevel()}


rfc_docks = []


def check_maya():
    maya_utils, cmds = sys.modules["maya.utils"], sys.modules["maya.cmds"]
    steps = {}
    main_ident = threading.main_thread().ident

    def inline_on_main():
        ran = []
        value = maya_utils.executeInMainThreadWithResult(lambda: ran.append(threading.get_ident()) or "inline")
        return value, ran == [main_ident]  # it ran before executeInMainThreadWithResult returned

    steps["execute_with_result_on_main"] = list(on_main(inline_on_main))
    steps["execute_with_result_from_worker"] = maya_utils.executeInMainThreadWithResult(
        lambda: threading.get_ident() == main_ident)
    steps["cmds_off_main"] = {"polyCube": raises_off_main(cmds.polyCube), "ls": raises_off_main(cmds.ls),
                              "file": raises_off_main(lambda: cmds.file(save=True))}
    cmds.log.clear()

    # design_1_decorator.py: WebView(parent=dcc_hwnd) and a @dcc_thread_safe save_scene handler.
    view1, created1 = on_main(run_rfc_example, "design_1_decorator", {})
    steps["design_1_created_on"] = created1
    steps["design_1_ready"] = wait_ready(view1)
    steps["design_1_answer"] = view1.eval_js_sync("dccview.call('save_scene', {path: '/tmp/shot010.ma'})", 10000)
    steps["design_1_log"] = list(cmds.log)
    steps["design_1_scene"] = dict(on_main(lambda: {k: cmds.scene[k] for k in ("file", "saved")}))

    # design_2_dcc_mode.py: WebView(parent=dcc_hwnd, dcc_mode=True), handler create_object.
    cmds.log.clear()
    view2, created2 = on_main(run_rfc_example, "design_2_dcc_mode", {"WebView": dccview.WebView})
    steps["design_2_created_on"] = created2
    steps["design_2_ready"] = wait_ready(view2)
    steps["design_2_answers"] = [view2.eval_js_sync("dccview.call('create_object', {})", 10000) for _ in range(3)]
    # From several threads at once, too.
    answers, lock = [], threading.Lock()

    def create_from_thread():
        for _ in range(5):
            name = view2.eval_js_sync("dccview.call('create_object', {})", 10000)
            with lock:
                answers.append(name)

    threads = [threading.Thread(target=create_from_thread, name=f"maya-page-{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    steps["design_2_threaded_answers"] = sorted(answers, key=lambda n: int(n[5:]))
    steps["design_2_log"] = sorted(set(cmds.log))
    steps["design_2_cube_count"] = len(cmds.log)
    steps["calls"] = dict(maya_utils.calls)

    for view in (view1, view2):
        on_main(view.close)
    steps["rfc_views_closed"] = bool(wait_until(lambda: view1.closed and view2.closed, 10))
    time.sleep(0.2)

    def remove_docks():
        for dock in rfc_docks:
            window.removeDockWidget(dock)
            dock.deleteLater()
        rfc_docks.clear()

    on_main(remove_docks)
    return steps


def check_houdini(view):
    hdefereval, hou = sys.modules["hdefereval"], sys.modules["hou"]
    steps = {}
    main_ident = threading.main_thread().ident

    def eimtwr_on_main():
        try:
            hdefereval.executeInMainThreadWithResult(lambda: None)
            return "no error"
        except RuntimeError as error:
            return str(error)

    steps["execute_with_result_on_main"] = on_main(eimtwr_on_main)
    steps["execute_with_result_from_worker"] = hdefereval.executeInMainThreadWithResult(
        lambda: threading.get_ident() == main_ident)
    steps["event_loop_callback_from_worker"] = raises_off_main(lambda: hou.ui.addEventLoopCallback(lambda: None))
    steps["hou_node_off_main"] = raises_off_main(lambda: hou.node("/obj"))

    ticks = []

    def event_loop_callback():
        ticks.append((time.monotonic(), main_thread_now()))

    on_main(hou.ui.addEventLoopCallback, event_loop_callback)
    handler_threads = []

    def create_node(data):  # dcc_mode (the panel): runs on the main thread
        handler_threads.append(main_thread_now())
        return hou.node("/obj").createNode(data["type"], data["name"]).path()

    @utils.dcc_thread_safe
    def create_node_safe(data):
        handler_threads.append(main_thread_now())
        return hou.node("/obj").createNode(data["type"], data["name"]).path()

    view.on("create_node")(create_node)
    view.on("create_node_safe")(create_node_safe)
    per_thread = 200
    outcomes = {}

    def worker(index):
        method = "create_node" if index % 2 == 0 else "create_node_safe"
        good, errors = 0, []
        for i in range(per_thread):
            name = f"t{index}_n{i}"
            try:
                path = view.eval_js_sync(
                    f"dccview.call('{method}', {{type: 'geo', name: '{name}'}})", 20000)
                if path == f"/obj/{name}":
                    good += 1
                else:
                    errors.append(f"unexpected {path!r}")
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
        outcomes[index] = {"ok": good, "errors": errors[:5], "error_count": len(errors)}

    time.sleep(0.3)
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), name=f"houdini-worker-{i}") for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    ended = time.monotonic()
    time.sleep(0.2)
    on_main(hou.ui.removeEventLoopCallback, event_loop_callback)
    during = [t for t, _main in ticks if started <= t <= ended]
    marks = [started] + during + [ended]
    steps["threads"] = THREADS
    steps["calls_per_thread"] = per_thread
    steps["threads_alive"] = sum(thread.is_alive() for thread in threads)
    steps["ok_calls"] = sum(o["ok"] for o in outcomes.values())
    steps["errors"] = {i: o["errors"] for i, o in outcomes.items() if o["error_count"]}
    steps["handler_calls"] = len(handler_threads)
    steps["handler_calls_on_main"] = sum(handler_threads)
    steps["nodes_in_scene"] = on_main(lambda: len([p for p in hou.scene if p.startswith("/obj/t")]))
    steps["seconds"] = round(ended - started, 3)
    steps["event_loop_ticks_during"] = len(during)
    steps["event_loop_ticks_all_on_main"] = all(main for _t, main in ticks)
    steps["event_loop_longest_gap_s"] = round(max(b - a for a, b in zip(marks, marks[1:])), 3)
    steps["event_loop_callbacks_left"] = [fn.__name__ for fn in on_main(hou.ui.eventLoopCallbacks)]
    steps["calls"] = dict(hdefereval.calls)
    steps["deferred_processed"] = hdefereval.processed
    steps["event_loop_iterations"] = hou.event_loop_iterations
    return steps


def check_nuke(view):
    nuke = sys.modules["nuke"]
    steps = {}
    main_ident = threading.main_thread().ident
    steps["execute_with_result_on_main"] = on_main(
        lambda: nuke.executeInMainThreadWithResult(lambda: threading.get_ident() == main_ident))
    steps["execute_with_result_from_worker"] = nuke.executeInMainThreadWithResult(
        lambda: threading.get_ident() == main_ident)
    steps["create_node_off_main"] = raises_off_main(lambda: nuke.createNode("Blur"))

    class SimulatedNukeFailure(ValueError):
        pass

    raised = {}

    def failing_handler(data):  # dcc_mode: on Nuke's main thread, through nuke.executeInMainThread
        raised["on_main"] = main_thread_now()
        nuke.createNode("Grade")
        raise SimulatedNukeFailure(f"handler failed for {data['name']}")

    view.on("nuke_fail")(failing_handler)
    steps["page_error"] = view.eval_js_sync(
        "dccview.call('nuke_fail', {name: 'Grade1'}).then(v => ({resolved: v}),"
        " e => ({name: e.name, code: e.code, type: e.type || null, message: e.message}))", 10000)
    steps["handler_ran_on_main"] = raised.get("on_main")

    def raise_on_main():
        error = SimulatedNukeFailure("raised on the main thread")
        raised["error"] = error
        raise error

    try:
        on_main(raise_on_main)
        steps["sync_caller_got"] = "nothing"
    except SimulatedNukeFailure as error:
        steps["sync_caller_got"] = {"type": type(error).__name__, "message": str(error),
                                    "same_object": error is raised.get("error"),
                                    "traceback_has_raise_on_main": "raise_on_main" in "".join(
                                        traceback.format_tb(error.__traceback__))}
    steps["swallowed_by_nuke"] = len(nuke.swallowed)  # dccview never lets an exception reach Nuke
    steps["nodes"] = on_main(nuke.allNodes)
    # The simulation's quirk itself: Nuke prints and swallows an exception of executeInMainThread.
    before = len(nuke.swallowed)
    nuke.executeInMainThread(lambda: 1 / 0)
    steps["quirk_swallowed"] = bool(wait_until(lambda: len(nuke.swallowed) > before, 5))
    steps["calls"] = dict(nuke.calls)
    return steps


def check_max(view):
    pymxs = sys.modules["pymxs"]
    rt = pymxs.runtime
    steps = {"runtime_off_main": raises_off_main(lambda: rt.Box())}
    steps["through_dispatcher"] = on_main(lambda: rt.Box())

    @utils.dcc_thread_safe
    def make_sphere():
        return rt.Sphere(), main_thread_now()

    steps["dcc_thread_safe"] = list(make_sphere())

    def create_max_object(data):  # dcc_mode panel handler
        return [rt.Teapot(), main_thread_now()]

    view.on("max_create")(create_max_object)
    steps["from_page"] = view.eval_js_sync("dccview.call('max_create', {})", 10000)
    steps["calls"] = sorted(set(pymxs.calls))
    return steps


def check_unreal(view):
    unreal = sys.modules["unreal"]
    steps = {"register_off_main": raises_off_main(lambda: unreal.register_slate_post_tick_callback(print))}
    steps["registered_handles"] = on_main(lambda: len(unreal.registered))
    ticks_before = unreal.ticks
    time.sleep(0.5)
    steps["ticks_in_half_a_second"] = unreal.ticks - ticks_before
    steps["spawn_off_main"] = raises_off_main(lambda: unreal.EditorLevelLibrary.spawn_actor("Cube"))
    steps["spawn_through_dispatcher"] = on_main(lambda: unreal.EditorLevelLibrary.spawn_actor("Cube"))

    def spawn_handler(data):
        return [unreal.EditorLevelLibrary.spawn_actor(data["name"]), main_thread_now()]

    view.on("ue_spawn")(spawn_handler)
    steps["from_page"] = view.eval_js_sync("dccview.call('ue_spawn', {name: 'Light'})", 10000)
    return steps


STRESS_PAGE_SETUP = """
(() => {
  const s = window.stress = {emits: {}, js: {}, sync: {}, orderErrors: 0, syncOrderErrors: 0,
                             last: {}, lastSync: {}};
  const seq = (t, i) => { if ((s.last[t] ?? -1) >= i) s.orderErrors++; s.last[t] = i; };
  window.stressJs = (t, i) => { s.js[t] = (s.js[t] || 0) + 1; seq(t, i); };
  window.stressSync = (t, i) => {
    if ((s.lastSync[t] ?? -1) >= i) s.syncOrderErrors++;
    s.lastSync[t] = i;
    return s.sync[t] = (s.sync[t] || 0) + 1;
  };
  dccview.on("stress", (d) => { s.emits[d.t] = (s.emits[d.t] || 0) + 1; seq(d.t, d.i); });
  return true;
})()
"""


def check_stress(view):
    """8 threads x 1000 operations: emit, eval_js, run_on_main_thread_sync, eval_js_sync."""
    ops_per_thread = 1000
    steps = {"threads": THREADS, "ops_per_thread": ops_per_thread}
    steps["page_setup"] = view.eval_js_sync(STRESS_PAGE_SETUP, 10000)
    main_counts = [0] * THREADS
    off_main = []
    probe_errors = []
    outcomes = {}
    sync = utils.run_on_main_thread_sync

    def main_op(t):  # on the main thread, through the simulated host's dispatcher backend
        if not main_thread_now():
            off_main.append(t)
        try:
            scene_probe()
        except Exception as error:
            probe_errors.append(repr(error))
        main_counts[t] += 1
        return main_counts[t]

    def worker(t):
        counts = {"emit": 0, "eval_js": 0, "sync": 0, "eval_js_sync": 0}
        errors = []
        for i in range(ops_per_thread):
            kind = (i + t) % 4
            try:
                if kind == 0:
                    view.emit("stress", {"t": t, "i": i})
                    counts["emit"] += 1
                elif kind == 1:
                    view.eval_js(f"window.stressJs({t}, {i})")
                    counts["eval_js"] += 1
                elif kind == 2:
                    counts["sync"] += 1
                    if sync(main_op, t, timeout=30) != counts["sync"]:
                        errors.append(f"main count mismatch at {i}")
                else:
                    counts["eval_js_sync"] += 1
                    value = view.eval_js_sync(f"window.stressSync({t}, {i})", 20000)
                    if value != counts["eval_js_sync"]:
                        errors.append(f"page sync count {value} != {counts['eval_js_sync']} at {i}")
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
        outcomes[t] = {"counts": counts, "errors": errors[:5], "error_count": len(errors)}

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,), name=f"stress-{t}") for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    steps["threads_alive"] = sum(thread.is_alive() for thread in threads)
    steps["worker_seconds"] = round(time.monotonic() - started, 3)
    expected = {str(t): ops_per_thread // 4 for t in range(THREADS)}

    def page_done():
        page = view.eval_js_sync("({emits: window.stress.emits, js: window.stress.js})", 10000)
        return page if page["emits"] == expected and page["js"] == expected else None

    steps["page_settled"] = wait_until(page_done, 20, 0.1) is not None
    steps["page"] = view.eval_js_sync(
        "({emits: window.stress.emits, js: window.stress.js, sync: window.stress.sync,"
        " orderErrors: window.stress.orderErrors, syncOrderErrors: window.stress.syncOrderErrors})", 10000)
    steps["expected_per_thread"] = ops_per_thread // 4
    steps["main_counts"] = on_main(lambda: list(main_counts))
    steps["main_ops_off_main"] = len(off_main)
    steps["probe_errors"] = probe_errors[:5]
    steps["worker_counts"] = {t: o["counts"] for t, o in outcomes.items()}
    steps["errors"] = {t: o["errors"] for t, o in outcomes.items() if o["error_count"]}
    steps["seconds"] = round(time.monotonic() - started, 3)
    return steps


def scenario():
    view = check_startup()
    if HOST == "maya":
        record("maya", check_maya())
    elif HOST == "houdini":
        record("houdini", check_houdini(view))
    elif HOST == "nuke":
        record("nuke", check_nuke(view))
    elif HOST == "max":
        record("max", check_max(view))
    elif HOST == "unreal":
        record("unreal", check_unreal(view))
    record("stress", check_stress(view))
    record("escaped_to_host_console", list(simulated_hosts.SIMULATION.escaped))
    record("dccview_log", list(log_records))
    record("quit_requested_at", time.time())
    utils.run_on_main_thread(window.close)


def run():
    try:
        scenario()
    except BaseException as error:
        results["errors"].append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        record("failed", True)
        try:
            utils.run_on_main_thread(window.close)
        except Exception:
            utils.run_on_main_thread(app.quit)


def main():
    global app, window, dccview, utils, on_main, wait_until, wait_ready
    if HOST not in simulated_hosts.INSTALLERS:
        raise SystemExit(f"usage: simulated_dcc_scenario.py {{{','.join(simulated_hosts.INSTALLERS)}}}")
    app = QtWidgets.QApplication(sys.argv[:1])
    simulated_hosts.INSTALLERS[HOST]()  # before dccview's first use: its backend is chosen then
    import dccview as _dccview
    import dccview.utils as _utils
    import mini_qt_dcc
    import scenario_support
    dccview, utils = _dccview, _utils
    on_main, wait_until = scenario_support.on_main, scenario_support.wait_until
    wait_ready = scenario_support.wait_ready
    logger = logging.getLogger("dccview")
    logger.addHandler(_Capture())
    logger.propagate = False
    app, window = mini_qt_dcc.create_app(sys.argv[:1])
    window.setWindowTitle(f"Mini Qt DCC: SIMULATED {simulated_hosts.EXPECTED_BACKEND[HOST]}")
    threading.Thread(target=run, name=f"simulated-{HOST}-scenario", daemon=True).start()
    code = app.exec_()
    record("exec_returned", {"code": code, "at": time.time(), "panel_open": window.panel.is_open})
    return code


if __name__ == "__main__":
    sys.exit(main())
