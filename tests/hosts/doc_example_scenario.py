"""Runs one guide's example (docs/dcc/<guide>.md, the python block of its "## Example" section,
unchanged but for the page path) in that guide's host, then drives the panel it opened from a worker
thread the way a user and a tool would. Every step goes to the JSON file named by DCCVIEW_RESULT; the
guide is DCCVIEW_DOC_GUIDE. Started by tests/hosts/test_doc_examples.py, under Xvfb.

Hosts (the example runs where the guide says it runs):
  maya, houdini, nuke, unreal, 3dsmax
           SIMULATED host modules (tests/hosts/qt/simulated_hosts.py) on a real PySide2
           application's loop; the example runs on the main thread inside that loop, as from the
           host's Script Editor. A simulation, not the real applications. With QT_NO_GLIB=1 Qt runs
           its own event dispatcher, so the example's "auto" view is on dccview's dedicated thread
           and its handlers reach the main thread through the simulated host's API.
  qt       the example is the whole application: PySide2, or the binding DCCVIEW_QT_BINDING names
           with the changes the example's own comments give (QT_BINDING_CHANGES).
  gtk      the example is the whole PyGObject GTK 3 application.
  blender  run by Blender (--python): the example, its register(), then open_panel() on the main
           thread as an operator would, once for each handler style (dcc_mode False and True).
  freecad  run by FreeCAD as a macro: on its main thread inside its Qt loop.

Driving a panel (worker thread, eval_js_sync: never on the main thread, where a host-mode view
lives): the page's dccview.call('list_objects'), create_object with a name, start_job until its
job_done event; then the page's own buttons "Create object" and "Run job". After each change the
scene is read on the main thread with the host's own API. Then the panel is closed the way the guide
says and the host quits.
"""

import json
import os
import sys
import threading
import traceback

for _entry in reversed([p for p in os.environ.get("DCCVIEW_SYS_PATH", "").split(os.pathsep) if p]):
    if _entry not in sys.path:  # FreeCAD clears PYTHONPATH: its test passes the path this way
        sys.path.insert(0, _entry)

import doc_examples  # noqa: E402
# scenario_support imports dccview: nothing is chosen yet (the backend is, at dccview's first use).
from scenario_support import on_main, thread_names, wait_ready, wait_until  # noqa: E402

GUIDE = os.environ["DCCVIEW_DOC_GUIDE"]
RESULT = os.environ["DCCVIEW_RESULT"]
SIMULATED = {"maya": "maya", "houdini": "houdini", "nuke": "nuke", "unreal": "unreal", "3dsmax": "max"}
OBJECT = "doc_example_object"  # what the tool creates through create_object
WAIT_S = 30.0

results = {"guide": GUIDE, "steps": {}, "errors": []}
namespace = {"__name__": "__main__"}  # the example's globals, as in a script or the host's console
_lock = threading.Lock()


def record(step, value):
    with _lock:
        results["steps"][step] = value
        with open(RESULT, "w") as out:
            json.dump(results, out, indent=1, default=repr)


def record_error(error):
    with _lock:
        results["errors"].append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    record("failed", True)
    sys.__stderr__.write(results["errors"][-1] + "\n")  # FreeCAD sends sys.stderr to its report view


def run_example(extra_replacements=()):
    """Executes the guide's example in `namespace`, on the calling (main) thread."""
    heading, code = doc_examples.runnable_example(GUIDE, extra_replacements)
    record("example", {"heading": heading, "lines": len(code.splitlines()),
                       "replacements": 1 + len(extra_replacements)})
    exec(compile(code, f"docs/dcc/{GUIDE}.md ({heading})", "exec"), namespace)


# ------------------------------------------------------------------------------------------------
# The scene, read with the host's own API (main thread only)
# ------------------------------------------------------------------------------------------------

def _unreal_labels(ns):
    unreal = ns["unreal"]
    actors = unreal.get_editor_subsystem(unreal.EditorActorSubsystem).get_all_level_actors()
    return [actor.get_actor_label() for actor in actors]


def _freecad_labels(ns):
    document = ns["App"].ActiveDocument
    return [obj.Label for obj in document.Objects] if document else []


SCENE = {
    "maya": lambda ns: ns["cmds"].ls(transforms=True),
    "houdini": lambda ns: [node.name() for node in ns["hou"].node("/obj").children()],
    "nuke": lambda ns: [node.name() for node in ns["nuke"].allNodes()],
    "unreal": _unreal_labels,
    "3dsmax": lambda ns: [str(node.name) for node in ns["rt"].objects],
    "qt": lambda ns: [ns["window"].scene.item(row).text() for row in range(ns["window"].scene.count())],
    "gtk": lambda ns: [row[0] for row in ns["store"]],
    "blender": lambda ns: [obj.name for obj in ns["bpy"].data.objects],
    "freecad": _freecad_labels,
}


def scene_names():
    return on_main(SCENE[GUIDE], namespace)


# ------------------------------------------------------------------------------------------------
# Driving a panel (worker thread)
# ------------------------------------------------------------------------------------------------

# panel.html is loaded (not the blank page a view starts with) and the bridge is ready.
PAGE_READY = ("document.getElementById('objects') !== null && document.readyState === 'complete'"
              " && typeof dccview === 'object' && dccview.whenReady().then(() => true)")
# Records what the page receives, next to the page's own listeners.
PAGE_PROBE = """(() => {
  const seen = window.__docExample = {progress: [], done: []};
  dccview.on("progress", (p) => seen.progress.push(p.step));
  dccview.on("job_done", (r) => seen.done.push(r));
  return true;
})()"""
PAGE_ITEMS = "Array.from(document.querySelectorAll('#objects li'), (li) => li.textContent)"


def page_call(view, handler, params=None):
    return view.eval_js_sync(f"dccview.call({json.dumps(handler)}, {json.dumps(params or {})})", 30000)


def jobs_done(view, count):
    """The page's record once it has received `count` job_done events, else None."""
    return view.eval_js_sync(f"window.__docExample.done.length >= {count} ? window.__docExample : null")


def drive_handlers(view, name):
    """The tool's calls: list_objects, create_object, start_job until job_done, with the scene read
    on the main thread in between."""
    steps = {"listed_before": page_call(view, "list_objects"), "scene_before": scene_names()}
    steps["created"] = page_call(view, "create_object", {"name": name})
    steps["listed_after"] = page_call(view, "list_objects")
    steps["scene_after"] = scene_names()
    steps["job_started"] = page_call(view, "start_job", {"steps": 5})
    steps["job"] = wait_until(lambda: jobs_done(view, 1), WAIT_S, 0.05)
    return steps


def page_items_once(view, count):
    """The page's object list once it shows `count` items, else None."""
    items = view.eval_js_sync(PAGE_ITEMS)
    return items if len(items) >= count else None


def click_buttons(view):
    """A user: the page's "Create object" button, then "Run job" until the page says it is done."""
    steps = {"items_before": view.eval_js_sync(f"refresh().then(() => {PAGE_ITEMS})", 30000)}
    view.eval_js_sync("document.getElementById('create').click(); true")
    count = len(steps["items_before"]) + 1
    steps["items_after_create"] = wait_until(lambda: page_items_once(view, count), WAIT_S)
    view.eval_js_sync("document.getElementById('job').click(); true")
    steps["job"] = wait_until(lambda: jobs_done(view, 2), WAIT_S, 0.05)
    # The page's own job_done listener (registered first) has set the status and asked for a refresh.
    steps["status"] = view.eval_js_sync("document.getElementById('status').textContent")
    steps["items_final"] = view.eval_js_sync(f"refresh().then(() => {PAGE_ITEMS})", 30000)
    steps["scene_final"] = scene_names()
    return steps


def dedicated_webview_thread():
    """Whether dccview's own WebView thread (named "dccview-webview") runs: the dedicated mode."""
    return "dccview-webview" in thread_names()


def drive(view, name):
    from dccview.utils import get_dispatcher_backend

    steps = {"ready": wait_ready(view, PAGE_READY, WAIT_S)}
    steps["backend"] = get_dispatcher_backend().get_name()
    steps["web_backend"] = view.backend
    steps["dedicated_webview_thread"] = dedicated_webview_thread()
    steps["probe"] = view.eval_js_sync(PAGE_PROBE)
    steps["handlers"] = drive_handlers(view, name)
    steps["buttons"] = click_buttons(view)
    return steps


def wait_for_view(find):
    """The WebView the example created, found by `find(namespace)` once it exists."""
    view = wait_until(lambda: find(namespace), 60, 0.05)
    if view is None:
        raise TimeoutError(f"the {GUIDE} example created no view within 60 s")
    return view


def wait_closed(view):
    return bool(wait_until(lambda: view.closed, WAIT_S))


def start_worker(panels, finish):
    """Drives the (label, view) pairs `panels()` returns, then `finish(views)`; on a worker thread."""

    def work():
        views = []
        try:
            for index, (label, view) in enumerate(panels()):
                views.append(view)
                record(f"drive_{label}", drive(view, OBJECT if index == 0 else f"{OBJECT}_{index + 1}"))
        except BaseException as error:
            record_error(error)
        finally:
            try:
                finish(views)
            except BaseException as error:
                record_error(error)

    threading.Thread(target=work, name=f"doc-example-{GUIDE}", daemon=True).start()


# ------------------------------------------------------------------------------------------------
# Hosts
# ------------------------------------------------------------------------------------------------

def main_simulated():
    """A PySide2 application with the guide's SIMULATED host modules; the example runs inside its loop."""
    from PySide2 import QtCore, QtWidgets

    from dccview.utils import run_on_main_thread

    sys.path.insert(0, str(doc_examples.ROOT / "tests" / "hosts" / "qt"))
    import simulated_hosts

    app = QtWidgets.QApplication(sys.argv[:1])
    modules = simulated_hosts.INSTALLERS[SIMULATED[GUIDE]]()  # before dccview's first use
    record("simulation", {name: (module.__doc__ or "").split("\n")[0] for name, module in modules.items()})
    # Qt's GLib dispatcher (host mode for "auto" views), or Qt's own with QT_NO_GLIB=1 (dedicated).
    record("event_dispatcher", QtCore.QAbstractEventDispatcher.instance().metaObject().className())

    rerun = {}

    def example_in_the_loop():  # the host's Script Editor: the main thread inside its event loop
        try:
            run_example()
            rerun["first"] = namespace.get("panel")
            run_example()  # run again, as a user re-runs a tool script: its panel replaces the first
            rerun["second"] = namespace.get("panel")
        except BaseException as error:
            record_error(error)
            app.quit()

    def panels():
        if not wait_until(lambda: "second" in rerun, 60, 0.05):
            raise TimeoutError(f"the {GUIDE} example did not run twice within 60 s")
        record("rerun", replaced(rerun["first"], rerun["second"]))
        return [("panel", wait_for_view(lambda ns: ns.get("panel")))]

    def finish(views):  # the guide: "later: panel.close()"
        for view in views:
            on_main(view.close)
            record("closed", wait_closed(view))
        record("escaped_to_host_console", list(simulated_hosts.SIMULATION.escaped))
        run_on_main_thread(app.quit)

    QtCore.QTimer.singleShot(0, example_in_the_loop)
    start_worker(panels, finish)
    record("exec_returned", app.exec_())


def replaced(first, second):
    """After the example ran twice: whether the second run's panel replaced the first (worker)."""
    return {"first_closed": wait_closed(first), "second_open": not second.closed, "distinct": first is not second,
            "open": [view.name for view in namespace["dccview"].list_webviews()]}


# What the qt.md example's comments say to change for each binding (it is written for PySide2).
QT_BINDING_CHANGES = {
    "PySide2": [],
    "PySide6": [("from PySide2 import", "from PySide6 import"), ("app.exec_()", "app.exec()")],
    "PyQt5": [("from PySide2 import", "from PyQt5 import")],
}


def qt_bindings_loaded():
    """The Qt bindings whose QtCore this process has imported (dccview's Qt backend picks among them)."""
    return [name for name in ("PySide2", "PySide6", "PyQt5") if f"{name}.QtCore" in sys.modules]


def main_qt():
    """The example is the application: it runs app.exec_() and ends with sys.exit."""
    replacements = QT_BINDING_CHANGES[os.environ.get("DCCVIEW_QT_BINDING") or "PySide2"]

    def finish(views):  # a user closes the main window; the example closes its view first
        from dccview.utils import run_on_main_thread

        if "window" in namespace:
            run_on_main_thread(namespace["window"].close)

    def panels():
        view = wait_for_view(lambda ns: getattr(ns.get("window"), "view", None))
        record("qt_bindings_loaded", qt_bindings_loaded())
        return [("panel", view)]

    start_worker(panels, finish)
    try:
        run_example(replacements)
        record("exited", {"code": "no sys.exit"})
    except SystemExit as exit_:
        window = namespace["window"]
        record("exited", {"code": exit_.code, "view_gone": window.view_gone, "view_closed": window.view.closed})


def main_gtk():
    """The example is the application: Gtk.main() returns once its window is destroyed."""

    def finish(views):  # a user closes the window ("delete-event", then "destroy")
        from dccview.utils import run_on_main_thread

        if "window" in namespace:
            run_on_main_thread(namespace["window"].close)

    start_worker(lambda: [("panel", wait_for_view(lambda ns: ns.get("view")))], finish)
    run_example()
    record("exited", {"view_closed": namespace["view"].closed})


def main_blender():
    """Blender runs this file on its main thread before its loop: the example defines open_panel and
    register; register() runs now, as when the add-on is enabled; open_panel() runs from the loop."""
    import bpy

    from dccview.utils import run_on_main_thread

    def panels():
        # The example's two styles, one after the other: the second replaces the first (singleton).
        first = on_main(lambda: namespace["open_panel"](dcc_mode=False), timeout=60)
        yield "panel", first
        second = on_main(lambda: namespace["open_panel"](dcc_mode=True), timeout=60)
        record("rerun", replaced(first, second))
        yield "dcc_mode_panel", second

    def finish(views):  # the example's unregister(): "close the panels: view.close()"
        for view in views:
            on_main(view.close)
        record("closed", all(wait_closed(view) for view in views))
        run_on_main_thread(bpy.ops.wm.quit_blender)

    try:
        run_example()
        namespace["register"]()
    except BaseException as error:
        record_error(error)
        bpy.ops.wm.quit_blender()
        return
    start_worker(panels, finish)


def main_freecad():
    """FreeCAD runs this file on its main thread inside its Qt loop, as it runs a macro."""
    from PySide2 import QtWidgets

    import FreeCAD as App
    import FreeCADGui as Gui

    from dccview.utils import run_on_main_thread

    def scene_tool_docks():
        return [d for d in Gui.getMainWindow().findChildren(QtWidgets.QDockWidget) if d.windowTitle() == "Scene tool"]

    def finish(views):  # the guide: "When the tool is done: dock.hide(); view.close()"
        view, dock = namespace["view"], namespace["dock"]
        on_main(lambda: (dock.hide(), view.close()))
        record("closed", wait_closed(view))
        record("dock_deleted", bool(wait_until(lambda: on_main(scene_tool_docks) == [], WAIT_S)))
        for name in on_main(App.listDocuments):
            on_main(App.closeDocument, name)  # nothing left to save: FreeCAD closes without asking
        run_on_main_thread(Gui.getMainWindow().close)

    def panels():  # after the macro ran twice, as a user re-runs it: one panel and one dock, the new ones
        only_new_dock = wait_until(lambda: on_main(scene_tool_docks) == [namespace["dock"]], WAIT_S)
        record("rerun", dict(replaced(first["view"], namespace["view"]), only_new_dock=bool(only_new_dock),
                             distinct_docks=first["dock"] is not namespace["dock"]))
        return [("panel", namespace["view"])]

    first = {}
    try:
        run_example()
        first.update(view=namespace["view"], dock=namespace["dock"])
        run_example()  # run again: its panel replaces the first
    except BaseException as error:
        record_error(error)
        QtWidgets.QApplication.instance().quit()
        return
    start_worker(panels, finish)


def main():
    if GUIDE in SIMULATED:
        return main_simulated()
    return {"qt": main_qt, "gtk": main_gtk, "blender": main_blender, "freecad": main_freecad}[GUIDE]()


try:
    main()
except Exception as error:  # recorded for the test; the worker (a daemon thread) ends with the process
    record_error(error)
