"""dccview scene panel for Blender: a web panel that lists and creates scene objects.

Install: put this folder on Blender's add-on path (or on sys.path) with dccview importable from
Blender's Python (Debian's Blender embeds the system Python 3.11: `pip install dccview` into it, or
set PYTHONPATH and start Blender with --python-use-system-env). Then enable the add-on and run
"View > dccview Scene Panel", or call ``open_panel()`` from the Python console.

Threads: Blender runs no GLib loop, so the view lives on dccview's own WebView thread (dedicated
mode) and Blender's main thread stays free; dccview's Blender backend serves the main thread from a
persistent bpy.app.timers timer. Handlers that touch bpy are marked @dcc_thread_safe, or the whole
panel is opened with dcc_mode=True (no decorators needed).
"""

import threading
from pathlib import Path

import bpy

import dccview
from dccview.utils import dcc_thread_safe

bl_info = {
    "name": "dccview Scene Panel",
    "author": "dccview",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View > dccview Scene Panel",
    "description": "A web panel (dccview) that lists and creates scene objects",
    "category": "Interface",
}

PAGE = (Path(__file__).parent / "panel.html").read_text(encoding="utf-8")

_panels = []


def _scene_objects():
    return sorted(obj.name for obj in bpy.data.objects)


def _add_object(kind, name):
    if kind == "cube":
        bpy.ops.mesh.primitive_cube_add(location=(0, 0, 2))
    elif kind == "sphere":
        bpy.ops.mesh.primitive_uv_sphere_add(location=(0, 0, 4))
    else:
        raise ValueError(f"unknown object kind {kind!r}")
    obj = bpy.context.active_object
    obj.name = name
    return obj.name


def _run_job(view, steps, interval_s):
    """A background job: streams progress to the page while Blender stays responsive."""
    stop = threading.Event()
    for step in range(1, steps + 1):
        if stop.wait(interval_s):
            return
        try:
            view.emit("progress", {"step": step, "total": steps})
        except dccview.ShutdownInProgressError:
            return  # the panel was closed: stop quietly
    try:
        view.emit("job_done", {"steps": steps})
    except dccview.ShutdownInProgressError:
        pass


def open_panel(dcc_mode=False, title="dccview Scene Panel"):
    """Opens the panel. With dcc_mode=True every handler runs on Blender's main thread; otherwise the
    handlers that touch bpy are decorated with @dcc_thread_safe. Returns the WebView."""
    view = dccview.WebView(title=title, width=420, height=520, dcc_mode=dcc_mode)

    if dcc_mode:

        @view.on("list_objects")
        def list_objects(data):
            return _scene_objects()

        @view.on("create_object")
        def create_object(data):
            return _add_object(data["kind"], data["name"])

    else:

        @view.on("list_objects")
        @dcc_thread_safe
        def list_objects(data):
            return _scene_objects()

        @view.on("create_object")
        @dcc_thread_safe
        def create_object(data):
            return _add_object(data["kind"], data["name"])

    @view.on("mode")
    def mode(data):
        return "dcc_mode" if dcc_mode else "@dcc_thread_safe"

    @view.on("start_job")
    def start_job(data):
        steps = int(data.get("steps", 50))
        interval_s = float(data.get("interval_ms", 10)) / 1000.0
        threading.Thread(target=_run_job, args=(view, steps, interval_s), daemon=True,
                         name="dccview-panel-job").start()
        return {"started": steps}

    view.load_html(PAGE)
    view.show(wait=False)
    _panels.append(view)
    return view


class DCCVIEW_OT_open_panel(bpy.types.Operator):
    """Open the dccview scene panel"""

    bl_idname = "dccview.open_panel"
    bl_label = "dccview Scene Panel"

    dcc_mode: bpy.props.BoolProperty(name="dcc_mode", default=False)

    def execute(self, context):
        open_panel(dcc_mode=self.dcc_mode)
        return {"FINISHED"}


def _menu(self, context):
    self.layout.operator(DCCVIEW_OT_open_panel.bl_idname)


def register():
    bpy.utils.register_class(DCCVIEW_OT_open_panel)
    bpy.types.VIEW3D_MT_view.append(_menu)
    dccview.utils.is_main_thread()  # activates dccview's Blender backend here, on the main thread


def unregister():
    bpy.types.VIEW3D_MT_view.remove(_menu)
    bpy.utils.unregister_class(DCCVIEW_OT_open_panel)
    while _panels:
        _panels.pop().close()
