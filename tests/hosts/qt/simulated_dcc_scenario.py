"""SIMULATED DCC hosts on a real Qt loop with a real docked WebView (not the real applications).

One run per simulated host (argument or DCCVIEW_SIMULATED_HOST: maya, houdini, nuke, max, unreal):
creates the QApplication, installs that host's SIMULATED modules (tests/hosts/qt/simulated_hosts.py:
the host's documented main-thread API implemented on this Qt loop), then runs the mini Qt DCC
(examples/qt/mini_qt_dcc.py: its panel is a dcc_mode WebView docked in a QDockWidget, in host or
dedicated mode: see the variants below) so that dccview picks its backend for that host, and drives
it from a worker thread:

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

Three variants, chosen by DCCVIEW_BACKEND and QT_NO_GLIB:
  qtwebengine  (DCCVIEW_BACKEND unset: "auto", as the real DCCs get it) the panel is a QWebEngineView
               docked as an ordinary widget, on the Qt main thread; dcc_mode / @dcc_thread_safe
               handlers run inline there (they never need the host's backend).
  webkitgtk    (DCCVIEW_BACKEND=webkitgtk) host mode: Qt runs on its GLib event dispatcher, which owns
               the default GLib context, so the panel's WebKitGTK view lives on the Qt main thread
               and its handlers run inline there too.
  dedicated    (DCCVIEW_BACKEND=webkitgtk, QT_NO_GLIB=1) Qt runs its own event dispatcher, nothing runs
               the default GLib context, and every WebView ("auto") lives on dccview's dedicated
               WebView thread; every handler call then reaches the main thread through the simulated
               host's API. The scenario wraps that API (HostApiTrace) so that each handler can tell
               whether a host callback runs it.

Every step is recorded in the JSON file named by DCCVIEW_RESULT. Started by
tests/hosts/test_simulated_dccs.py under Xvfb:

    PYTHONPATH=build/release/python:examples/qt python tests/hosts/qt/simulated_dcc_scenario.py maya
    DCCVIEW_BACKEND=webkitgtk PYTHONPATH=... python tests/hosts/qt/simulated_dcc_scenario.py maya
    DCCVIEW_BACKEND=webkitgtk QT_NO_GLIB=1 PYTHONPATH=... python ...simulated_dcc_scenario.py maya
"""

import json
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from PySide2 import QtCore, QtGui, QtWidgets

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # scenario_support
sys.path.insert(0, str(ROOT / "examples" / "qt"))

import simulated_hosts  # noqa: E402
from qt_pixels import rgb32_pixels  # noqa: E402

HOST = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DCCVIEW_SIMULATED_HOST", "")).lower()
RESULT = os.environ["DCCVIEW_RESULT"]
RFC_EXAMPLES = ROOT / "tests" / "python" / "rfc_examples"
THREADS = 8
# Qt takes any non-empty QT_NO_GLIB as "no GLib dispatcher": the WebViews cannot be on the main thread.
THREAD_MODE = "dedicated" if os.environ.get("QT_NO_GLIB") else "host"
VARIANT = "dedicated" if THREAD_MODE == "dedicated" else (
    "webkitgtk" if os.environ.get("DCCVIEW_BACKEND") == "webkitgtk" else "qtwebengine")
SWATCH_PIXEL = 0xFFFF00C8  # the mini Qt DCC page's #swatch, rgb(255, 0, 200), as a Format_RGB32 pixel

results = {"host": HOST, "simulation": True, "variant": VARIANT, "steps": {}, "errors": []}
app = window = None
dccview = utils = None
scenario_support = on_main = wait_until = wait_ready = None  # imported after the host modules
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


class HostApiTrace:
    """The simulated host API through which dccview's backend reaches the main thread, wrapped here
    (simulated_hosts.py stays as it is): it counts the calls into that API and marks the callables
    passed to it, so that code on the main thread can tell whether the host's loop is running one of
    them, i.e. whether it got there through the host's API rather than inline."""

    def __init__(self):
        self._lock = threading.Lock()  # calls come from any thread
        self._counts = {"host_api_calls": 0, "host_callbacks": 0}
        self._depth = threading.local()  # per thread: a handler on the wrong thread never sees it

    def wrap(self, owner, name):
        original = getattr(owner, name)

        def traced_host_api(callback, *args, **kwargs):
            self._count("host_api_calls")
            return original(self._marked(callback), *args, **kwargs)

        setattr(owner, name, traced_host_api)

    def _marked(self, callback):
        def host_callback(*args, **kwargs):
            self._count("host_callbacks")
            self._depth.value = getattr(self._depth, "value", 0) + 1
            try:
                return callback(*args, **kwargs)
            finally:
                self._depth.value -= 1

        return host_callback

    def _count(self, name):
        with self._lock:
            self._counts[name] += 1

    def inside_callback(self):
        return getattr(self._depth, "value", 0) > 0

    def counts(self):
        with self._lock:
            return dict(self._counts)


HOST_API = HostApiTrace()


def host_wake_api():
    """(object, attribute): the host API that dccview's backend for HOST calls with its pump."""
    if HOST == "maya":
        return sys.modules["maya.utils"], "executeDeferred"
    if HOST == "houdini":
        return sys.modules["hdefereval"], "executeDeferred"
    if HOST == "nuke":
        return sys.modules["nuke"], "executeInMainThread"
    if HOST == "unreal":  # registered once at activation; the callback is the tick that pumps
        return sys.modules["unreal"], "register_slate_post_tick_callback"
    if HOST == "max":  # 3ds Max has no such API: the backend's Qt waker (a queued signal) is it
        return utils.get_dispatcher_backend(), "wake_main_thread"
    raise ValueError(HOST)


class PageCallPath:
    """How page handler calls reached the scene: for each noted call, whether it ran on the main
    thread inside a host callback, and how many host API calls and host callbacks happened since
    this object was made (while the page calls were in flight)."""

    def __init__(self):
        self._calls = []
        self._before = HOST_API.counts()

    def note(self):  # from the handler, or from a scene command the handler calls
        self._calls.append((main_thread_now(), HOST_API.inside_callback()))

    def noting(self, owner, name):
        """Wraps owner.<name> (a scene command of code not changed here) so that each call is noted."""
        original = getattr(owner, name)

        def noted(*args, **kwargs):
            self.note()
            return original(*args, **kwargs)

        setattr(owner, name, noted)

    def summary(self):
        after = HOST_API.counts()
        return {"calls": len(self._calls), "on_main": sum(main for main, _inside in self._calls),
                "inside_host_callback": sum(inside for _main, inside in self._calls),
                **{name: after[name] - self._before[name] for name in after}}


class PanelDccview:
    """dccview as mini_qt_dcc sees it in the dedicated variant: its panel asks for thread_mode="host",
    which needs the main thread to run the default GLib context; with QT_NO_GLIB=1 nothing runs it,
    so the panel is created with "auto" (the default), which must pick the dedicated WebView thread."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def WebView(self, *args, **kwargs):  # noqa: N802 - dccview's name
        return self._module.WebView(*args, **dict(kwargs, thread_mode="auto"))


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
    record("web_backend", view.backend if view is not None else None)
    record("view_thread_mode", view.thread_mode if view is not None else None)
    record("panel_created_on", on_main(lambda: dict(window.panel.created_on)))
    record("scene_probe_off_main", raises_off_main(scene_probe))
    record("event_dispatcher", on_main(lambda: QtCore.QAbstractEventDispatcher.instance().metaObject().className()))
    record("dedicated_webview_thread", dedicated_webview_thread())
    record("eval_js_sync_on_main", on_main(eval_js_sync_here, view))
    record("panel_dock", dock_on_screen(view))
    return view


def dedicated_webview_thread():
    """Whether a thread of this process carries the name of dccview's dedicated WebView thread (the
    threads it starts, WebKit's, inherit the name: a host-mode process has none)."""
    return "dccview-webview" in scenario_support.thread_names()


def eval_js_sync_here(view):
    """On the main thread: a view on another thread answers; a host-mode view (whose thread this is)
    raises DeadlockDetectedError at once."""
    try:
        return view.eval_js_sync("1 + 1", 5000)
    except dccview.DeadlockDetectedError as error:
        return type(error).__name__


def dock_on_screen(view):
    """Waits until the panel shows in its dock: the page's viewport has the size Qt gives the dock's
    widget, and the screen inside the dock shows the page's whole swatch. Returns what it saw last."""
    seen = {}

    def docked():
        seen["viewport"] = view.eval_js_sync("[window.innerWidth, window.innerHeight]", 5000)
        seen.update(on_main(dock_widget_on_screen))
        return seen["viewport"] == seen["widget_size"] and seen["swatch_pixels"] == 200 * 100

    seen["docked"] = bool(wait_until(docked, 10, 0.1))
    return seen


def dock_widget_on_screen():
    """Main thread: the dock's widget, and the swatch pixels in a grab of the dock's screen area (the X
    server's framebuffer: the foreign WebView window is in it only where it really is shown)."""
    dock = window.panel.dock
    origin = dock.mapToGlobal(QtCore.QPoint(0, 0))
    image = QtGui.QGuiApplication.primaryScreen().grabWindow(
        0, origin.x(), origin.y(), dock.width(), dock.height()).toImage().convertToFormat(QtGui.QImage.Format_RGB32)
    pixels = rgb32_pixels(image)  # one 0xffRRGGBB each, rows unpadded
    return {"widget": dock.widget().metaObject().className(),
            "widget_is_a_qwebengineview": dock.widget().inherits("QWebEngineView"),
            "widget_size": [dock.widget().width(), dock.widget().height()],
            "swatch_pixels": pixels.tolist().count(SWATCH_PIXEL)}


RFC_PAGE = """<!doctype html><html><body><h3>RFC example (SIMULATED Maya)</h3><script>
  window.__loaded = false;
  dccview.whenReady().then(() => { window.__loaded = true; });
</script></body></html>"""


def run_rfc_example(name, namespace):
    """Main thread: execs the RFC example as written; its WebView ("auto") is docked, and lives on
    this thread in host mode, on dccview's WebView thread in dedicated mode."""
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


def close_and_wait(view, timeout=10):
    """Closes the view on the main thread and waits for dccview:closed. By then the X server must no
    longer have the view's window (a child of the dock's native window): dccview syncs with the
    server before the event, so the dock may be destroyed at once (a request GDK still had buffered
    would fail with BadWindow, and GDK ends the process)."""
    closed, window_id = threading.Event(), view.native_handle
    view.on("dccview:closed")(lambda data: closed.set())
    on_main(view.close)
    return closed.wait(timeout) and not scenario_support.x_window_exists(window_id)


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
    page = PageCallPath()  # the RFC handlers are not changed: their scene commands are noted
    page.noting(cmds, "file")
    page.noting(cmds, "polyCube")

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
    steps["page_call_path"] = page.summary()

    steps["rfc_views_closed"] = all(close_and_wait(view) for view in (view1, view2))

    def remove_docks():  # the views' windows are gone: their docks' native windows may go too
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
    page = None  # made when the page calls start

    def create_node(data):  # dcc_mode (the panel): runs on the main thread
        page.note()
        return hou.node("/obj").createNode(data["type"], data["name"]).path()

    @utils.dcc_thread_safe
    def create_node_safe(data):
        page.note()
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

    # Houdini's event loop is running (its callback has ticked) before the page calls start.
    steps["event_loop_ticking_before"] = bool(wait_until(lambda: len(ticks) >= 3, 10))
    page = PageCallPath()
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), name=f"houdini-worker-{i}") for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    ended = time.monotonic()
    page_call_path = page.summary()
    # ... and goes on after them: the callback ticks again before it is removed.
    steps["event_loop_ticking_after"] = bool(wait_until(lambda: ticks and ticks[-1][0] > ended, 10))
    on_main(hou.ui.removeEventLoopCallback, event_loop_callback)
    during = [t for t, _main in ticks if started <= t <= ended]
    marks = [started] + during + [ended]
    steps["threads"] = THREADS
    steps["calls_per_thread"] = per_thread
    steps["threads_alive"] = sum(thread.is_alive() for thread in threads)
    steps["ok_calls"] = sum(o["ok"] for o in outcomes.values())
    steps["errors"] = {i: o["errors"] for i, o in outcomes.items() if o["error_count"]}
    steps["handler_calls"] = page_call_path["calls"]
    steps["handler_calls_on_main"] = page_call_path["on_main"]
    steps["page_call_path"] = page_call_path
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
    page = PageCallPath()

    # dcc_mode, so on Nuke's main thread: inline in host mode (the view lives there), through
    # nuke.executeInMainThread in dedicated mode (the page_call_path counts tell which).
    def failing_handler(data):
        page.note()
        raised["on_main"] = main_thread_now()
        nuke.createNode("Grade")
        raise SimulatedNukeFailure(f"handler failed for {data['name']}")

    view.on("nuke_fail")(failing_handler)
    steps["page_error"] = view.eval_js_sync(
        "dccview.call('nuke_fail', {name: 'Grade1'}).then(v => ({resolved: v}),"
        " e => ({name: e.name, code: e.code, type: e.type || null, message: e.message}))", 10000)
    steps["handler_ran_on_main"] = raised.get("on_main")
    steps["page_call_path"] = page.summary()

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

    page = PageCallPath()

    def create_max_object(data):  # dcc_mode panel handler
        page.note()
        return [rt.Teapot().name, main_thread_now()]  # a pymxs node is not JSON: the page gets its name

    view.on("max_create")(create_max_object)
    steps["from_page"] = view.eval_js_sync("dccview.call('max_create', {})", 10000)
    steps["page_call_path"] = page.summary()
    steps["calls"] = sorted(set(pymxs.calls))
    return steps


def check_unreal(view):
    unreal = sys.modules["unreal"]
    steps = {"register_off_main": raises_off_main(lambda: unreal.register_slate_post_tick_callback(print))}
    steps["registered_handles"] = on_main(lambda: len(unreal.registered))
    # The slate tick's rate: the seconds 15 ticks take (~16 ms each: about 0.25 s).
    ticks_before, counting_since = unreal.ticks, time.monotonic()
    steps["ticked_15_times"] = bool(wait_until(lambda: unreal.ticks - ticks_before >= 15, 5, 0.005))
    steps["seconds_for_15_ticks"] = round(time.monotonic() - counting_since, 3)
    steps["spawn_off_main"] = raises_off_main(lambda: unreal.EditorLevelLibrary.spawn_actor("Cube"))
    steps["spawn_through_dispatcher"] = on_main(lambda: unreal.EditorLevelLibrary.spawn_actor("Cube"))

    page = PageCallPath()

    def spawn_handler(data):
        page.note()
        return [unreal.EditorLevelLibrary.spawn_actor(data["name"]), main_thread_now()]

    view.on("ue_spawn")(spawn_handler)
    steps["from_page"] = view.eval_js_sync("dccview.call('ue_spawn', {name: 'Light'})", 10000)
    steps["page_call_path"] = page.summary()
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
    global app, window, dccview, utils, scenario_support, on_main, wait_until, wait_ready
    if HOST not in simulated_hosts.INSTALLERS:
        raise SystemExit(f"usage: simulated_dcc_scenario.py {{{','.join(simulated_hosts.INSTALLERS)}}}")
    app = QtWidgets.QApplication(sys.argv[:1])
    simulated_hosts.INSTALLERS[HOST]()  # before dccview's first use: its backend is chosen then
    import dccview as _dccview
    import dccview.utils as _utils
    import mini_qt_dcc
    import scenario_support as _scenario_support
    dccview, utils, scenario_support = _dccview, _utils, _scenario_support
    on_main, wait_until = scenario_support.on_main, scenario_support.wait_until
    wait_ready = scenario_support.wait_ready
    HOST_API.wrap(*host_wake_api())  # before dccview activates its backend (Unreal registers then)
    if THREAD_MODE == "dedicated":
        mini_qt_dcc.dccview = PanelDccview(dccview)
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
