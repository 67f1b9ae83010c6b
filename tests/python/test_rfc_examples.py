"""Every RFC code example (package name changed) runs unchanged against a simulated main-thread-only
scene API, with a running main loop; page calls reach the handlers and the scene is changed only on
the main thread."""

import logging
import sys
import threading
import time
import types
from pathlib import Path

import pytest

import dccview
from dccview.utils import dcc_thread_safe, run_on_main_thread_sync

from conftest import needs_display

pytestmark = needs_display

EXAMPLES = Path(__file__).parent / "rfc_examples"
PAGE = """<!doctype html><html><body><script>
  window.events = [];
  window.statuses = [];
  window.updateStatus = (s) => window.statuses.push(s);
  dccview.on("status", (d) => window.events.push(d));
  window.__loaded = true;
</script></body></html>"""


class SimulatedScene:
    """A stand-in for maya.cmds: every call fails loudly off the main thread, as Maya's API would."""

    def __init__(self):
        self.log = []
        self.cubes = 0

    def _main_only(self, what):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError(f"maya.cmds.{what} called from thread {threading.current_thread().name}")
        self.log.append(what)

    def file(self, rename=None, save=False, exportSelected=False):
        self._main_only("file")
        if exportSelected:
            self.log.append("exportSelected")
        return rename

    def polyCube(self):
        self._main_only("polyCube")
        self.cubes += 1
        return [f"pCube{self.cubes}", f"polyCube{self.cubes}"]

    def refresh(self):
        self._main_only("refresh")


@pytest.fixture
def scene(monkeypatch):
    scene = SimulatedScene()
    maya = types.ModuleType("maya")
    cmds = types.ModuleType("maya.cmds")
    for name in ("file", "polyCube", "refresh"):
        setattr(cmds, name, getattr(scene, name))
    maya.cmds = cmds
    monkeypatch.setitem(sys.modules, "maya", maya)
    monkeypatch.setitem(sys.modules, "maya.cmds", cmds)
    return scene


def run_example(name, namespace=None):
    namespace = dict(namespace or {})
    namespace.setdefault("__name__", f"rfc_example_{name}")
    source = (EXAMPLES / f"{name}.py").read_text()
    assert "auroraview" not in source
    exec(compile(source, str(EXAMPLES / f"{name}.py"), "exec"), namespace)
    return namespace


def ready(view):
    view.load_html(PAGE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if view.eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2000):
                return
        except dccview.ThreadDispatchTimeoutError:
            pass
    raise AssertionError("page never ready")


def test_design_1_decorator(main_loop, scene):
    def body():
        ns = run_example("design_1_decorator", {"dcc_hwnd": 0})
        view = ns["webview"]
        ready(view)
        answer = view.eval_js_sync("dccview.call('save_scene', {path: '/tmp/shot010.ma'})")
        view.close()
        return answer

    assert main_loop(body) == {"status": "saved", "path": "/tmp/shot010.ma"}
    assert scene.log == ["file", "file"]


def test_design_2_dcc_mode(main_loop, scene):
    def body():
        ns = run_example("design_2_dcc_mode", {"dcc_hwnd": 0, "WebView": dccview.WebView})
        view = ns["webview"]
        ready(view)
        names = [view.eval_js_sync("dccview.call('create_object', {})") for _ in range(3)]
        view.close()
        return names

    assert main_loop(body) == ["pCube1", "pCube2", "pCube3"]


def test_design_3_thread_safe_wrapper_from_a_worker(main_loop):
    def body():
        ns = run_example("design_3_thread_safe")
        view = ns["webview"]
        assert ns["safe_webview"].__class__.__name__ == "DCCThreadSafeWrapper"
        ready(view)  # replaces the example.com navigation with the local test page
        ns["safe_webview"].emit("status", {"ready": True})
        deadline = time.monotonic() + 10
        while view.eval_js_sync("window.events.length") == 0 and time.monotonic() < deadline:
            pass
        events = view.eval_js_sync("window.events")
        view.close()
        return events

    events = main_loop(body)
    # Ours arrives; the example's own emit, made before any page was ready, is kept for the next
    # ready page rather than lost, so it may arrive too.
    assert events in ([{"ready": True}], [{"ready": True}, {"ready": True}])


def test_design_4_proxy(main_loop, scene):
    calls = []

    def handle_scene_change(data):
        calls.append(threading.current_thread() is threading.main_thread())
        return {"seen": data}

    def get_scene_info():
        return {"main": threading.current_thread() is threading.main_thread()}

    def body():
        view = dccview.WebView(html=PAGE)
        ready(view)
        ns = run_example("design_4_proxy", {"webview": view, "handle_scene_change": handle_scene_change,
                                            "get_scene_info": get_scene_info})
        answer = view.eval_js_sync("dccview.call('scene_changed', 5)")
        view.close()
        return ns["result"], answer

    result, answer = main_loop(body)
    assert result == {"main": True}
    assert answer == {"seen": 5} and calls == [True]


def test_module_async_decorator(main_loop, scene):
    ns = run_example("module_async_decorator")
    done = threading.Event()

    def body():
        ns["update_viewport"]()
        dccview.utils.run_on_main_thread(done.set)
        assert done.wait(10)

    main_loop(body)
    assert scene.log == ["refresh"]


def test_migration_before_and_after(main_loop, scene):
    def body():
        before = run_example("migration_before", {"hwnd": 0, "run_on_main_thread_sync": run_on_main_thread_sync})
        ready(before["webview"])
        cube = before["webview"].eval_js_sync("dccview.call('create_object', {})")
        before["background_work"]()
        status = []
        deadline = time.monotonic() + 10
        while not status and time.monotonic() < deadline:
            status = before["webview"].eval_js_sync("window.statuses")
        before["webview"].close()

        after = run_example("migration_after", {"hwnd": 0})
        ready(after["webview"])
        cube2 = after["webview"].eval_js_sync("dccview.call('create_object', {})")
        exported = after["webview"].eval_js_sync("dccview.call('export', {})")
        after["webview"].close()
        return cube, status, cube2, exported

    cube, status, cube2, exported = main_loop(body)
    assert (cube, cube2, exported) == ("pCube1", "pCube2", None)
    assert status == ["working"]
    assert scene.log == ["polyCube", "polyCube", "file"]


def test_dcc_thread_safe_docstring_example(main_loop, scene):
    def body():
        view = dccview.WebView()
        ns = run_example("dcc_thread_safe_docstring", {"webview": view, "dcc_thread_safe": dcc_thread_safe})
        ready(view)
        answer = view.eval_js_sync("dccview.call('export', {})")
        view.close()
        return ns["handle_export"].__name__, answer

    assert main_loop(body) == ("handle_export", None)
    assert scene.log == ["file", "exportSelected"]  # on the main thread, or the scene raises


def test_error_recovery_example(main_loop, caplog):
    views = []

    def perform_dcc_operation(data):
        if data["mode"] == "timeout":  # a real dccview timeout: a page promise that never settles
            return views[0].thread_safe().eval_js_sync("new Promise(() => {})", timeout_ms=100)
        if data["mode"] == "fail":
            raise dccview.ShutdownInProgressError("host is closing")
        if data["mode"] == "bug":
            raise KeyError("pCube9")
        return data["mode"].upper()

    ns = run_example("error_recovery", {"dcc_thread_safe": dcc_thread_safe,
                                        "perform_dcc_operation": perform_dcc_operation,
                                        "ThreadSafetyError": dccview.ThreadSafetyError,
                                        "logger": logging.getLogger("tool")})
    operation = ns["safe_dcc_operation"]
    assert operation.__name__ == "safe_dcc_operation"

    def body():
        views.append(dccview.WebView(html=PAGE))
        ready(views[0])
        outcomes = [operation({"mode": mode}) for mode in ("ok", "fail", "timeout", "bug")]
        views[0].close()
        return outcomes

    with caplog.at_level(logging.ERROR, logger="tool"):
        ok, failed, timed_out, bug = main_loop(body)
    assert ok == {"success": True, "result": "OK"}
    assert failed == {"success": False, "error": "thread_safety", "message": "host is closing"}
    assert timed_out["error"] == "timeout" and "new Promise(() => {})" in timed_out["message"]
    assert bug == {"success": False, "error": "unknown", "message": "'pCube9'"}
    tool_records = [r for r in caplog.records if r.name == "tool"]
    assert [r.getMessage().split(":")[0] for r in tool_records] == [
        "Thread safety error", "Operation timed out", "Unexpected error in DCC operation"]
    assert tool_records[-1].exc_info[0] is KeyError  # logger.exception kept the traceback
