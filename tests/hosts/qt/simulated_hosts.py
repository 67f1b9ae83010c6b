"""SIMULATED DCC host modules on a real, running Qt application's event loop.

These are NOT the real applications. Each ``install_<host>()`` puts into ``sys.modules`` modules that
implement the host's *documented* main-thread API (and its documented quirks) on the Qt loop of the
QApplication of this process, so that dccview's backend for that host is chosen and driven by a real
event loop with a real docked WebView (tests/hosts/qt/simulated_dcc_scenario.py,
tests/hosts/test_simulated_dccs.py). They cannot show what only the real host shows (library clashes,
the host's own event dispatcher, real latencies, startup order).

Rules of the simulation, shared by every host:
  * "Later, on the main thread" is a queued Qt signal to a QObject living on the GUI thread
    (``_MainThreadPoster``); QTimer.singleShot is never called from a worker thread.
  * Periodic host callbacks (Houdini event loop callbacks, Unreal slate ticks) come from a QTimer
    created on the main thread.
  * Scene APIs (``maya.cmds``, ``hou.node`` and its nodes, the ``nuke`` node graph and its nodes,
    ``pymxs.runtime`` and its nodes, ``unreal`` editor calls and actors) raise
    ``SimulatedMainThreadViolation`` off the main thread, as the hosts document their APIs to be
    main-thread only. They cover what the RFC's examples, the scenarios and the guides' examples
    (docs/dcc/*.md, run by tests/hosts/test_doc_examples.py) call, no more.
  * An exception that escapes a queued callback is what a host prints to its console: it is recorded
    in ``SIMULATION.escaped`` and printed as one line (no traceback, so a test's output check stays
    meaningful); dccview must never let one escape.

Must be installed on the main thread after the QApplication exists and before dccview is first used.
"""

from __future__ import annotations

import collections
import itertools
import re
import sys
import threading
import time
import traceback
import types
from typing import Any, Callable, Dict, List, Optional

from PySide2 import QtCore

MAIN_THREAD_WAIT_S = 30.0  # the simulations bound their blocking calls (a real host waits forever)
HOUDINI_EVENT_LOOP_MS = 50  # Houdini calls event loop callbacks about 20 times a second
UNREAL_TICK_MS = 16  # one Slate tick per frame at ~60 fps


class SimulatedMainThreadViolation(RuntimeError):
    """A simulated host API documented as main-thread only was called from another thread."""


class _Simulation:
    """Shared state of the installed simulations (diagnostics for the scenario)."""

    def __init__(self) -> None:
        self.main_ident = threading.main_thread().ident
        self.poster = None
        self.escaped: List[str] = []  # exceptions that escaped a queued callback (host console)
        self.queued = 0  # callbacks queued to the Qt loop
        self.installed: List[str] = []

    def on_main_thread(self) -> bool:
        return threading.get_ident() == self.main_ident

    def require_main(self, api: str) -> None:
        if not self.on_main_thread():
            raise SimulatedMainThreadViolation(
                f"{api} called from thread {threading.current_thread().name!r}: main thread only "
                "(SIMULATION of the host's documented rule)")


SIMULATION = _Simulation()


class _MainThreadPoster(QtCore.QObject):
    """Lives on the GUI thread; ``post(fn)`` from any thread queues fn to the Qt loop."""

    posted = QtCore.Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run, QtCore.Qt.QueuedConnection)

    @QtCore.Slot(object)
    def _run(self, fn) -> None:
        try:
            fn()
        except BaseException as error:  # the host prints it and goes on
            SIMULATION.escaped.append(traceback.format_exc())
            print(f"SIMULATED HOST CONSOLE: a deferred callback raised {type(error).__name__}: {error}",
                  file=sys.stderr)

    def post(self, fn: Callable[[], Any]) -> None:
        SIMULATION.queued += 1
        self.posted.emit(fn)


def _poster() -> _MainThreadPoster:
    if SIMULATION.poster is None:
        app = QtCore.QCoreApplication.instance()
        if app is None:
            raise RuntimeError("simulated hosts need a QApplication first")
        SIMULATION.require_main("installing a simulated host")
        SIMULATION.poster = _MainThreadPoster()
    return SIMULATION.poster


def _wait_on_main(fn: Callable[..., Any], args: tuple, kwargs: dict,
                  enqueue: Optional[Callable[[Callable[[], None]], None]] = None, host: str = "host") -> Any:
    """Queues fn to the main thread (with `enqueue`, or the Qt poster) and blocks for its result (the
    hosts' blocking variants)."""
    done = threading.Event()
    box: Dict[str, Any] = {}

    def task() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as error:
            box["error"] = error
        finally:
            done.set()

    (enqueue or _poster().post)(task)
    if not done.wait(MAIN_THREAD_WAIT_S):
        raise RuntimeError(f"SIMULATION: the main thread did not answer (a real {host} waits forever)")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _module(name: str, doc: str) -> types.ModuleType:
    return types.ModuleType(name, doc)


def _install(modules: Dict[str, types.ModuleType], host: str) -> Dict[str, types.ModuleType]:
    sys.modules.update(modules)
    SIMULATION.installed.append(host)
    return modules


def _main_timer(interval_ms: int, callback: Callable[[], None]) -> QtCore.QTimer:
    SIMULATION.require_main("creating a host timer")
    timer = QtCore.QTimer(_poster())  # created on, and owned by an object of, the GUI thread
    timer.setInterval(interval_ms)
    timer.timeout.connect(callback)
    return timer


# --------------------------------------------------------------------------------------------------
# Autodesk Maya
# --------------------------------------------------------------------------------------------------

def install_maya() -> Dict[str, types.ModuleType]:
    """``maya``, ``maya.utils`` and ``maya.cmds`` (SIMULATION)."""
    _poster()
    utils = _module("maya.utils", """SIMULATION of Autodesk Maya's documented API on a Qt loop: maya.utils,
    following Autodesk Maya Help, "Python and threading" (maya.utils.executeDeferred,
    maya.utils.executeInMainThreadWithResult). Not Maya.

    executeDeferred(fn, *args, **kwargs): any thread; queues fn to the Qt loop (Maya: "when Maya is
        next idle"); never inline, also on the main thread.
    executeInMainThreadWithResult(fn, *args, **kwargs): on the main thread runs fn inline (Maya's
        quirk); elsewhere queues fn and blocks the caller until it ran (bounded here to 30 s).
    ``calls`` counts both.
    """)
    utils.calls = collections.Counter()

    def executeDeferred(fn, *args, **kwargs):
        utils.calls["executeDeferred"] += 1
        if isinstance(fn, str):
            raise NotImplementedError("SIMULATION: MEL/Python source strings are not simulated")
        _poster().post(lambda: fn(*args, **kwargs))

    def executeInMainThreadWithResult(fn, *args, **kwargs):
        utils.calls["executeInMainThreadWithResult"] += 1
        if SIMULATION.on_main_thread():
            return fn(*args, **kwargs)
        return _wait_on_main(fn, args, kwargs)

    utils.executeDeferred = executeDeferred
    utils.executeInMainThreadWithResult = executeInMainThreadWithResult

    cmds = _module("maya.cmds", """SIMULATION of Autodesk Maya's documented API on a Qt loop: maya.cmds,
    following Autodesk Maya Help, "Python and threading" (Maya's commands are main-thread only).
    Not Maya. polyCube(name=...), file(rename=..., save=...), ls(transforms=..., type=...), refresh()
    raise SimulatedMainThreadViolation off the main thread; ``log`` records the commands run.

    The scene starts with the four default cameras' transforms. polyCube() adds a transform
    (``pCube<n>``, or ``name`` made unique the way Maya does: a trailing number) and its history node
    (``polyCube<n>``) and returns [transform, history node], as Maya's polyCube does. Shape nodes are
    not simulated.
    """)
    cmds.log = []
    cmds.scene = {"file": "untitled", "saved": 0, "nodes": ["persp", "top", "front", "side"]}
    cmds.node_types = {name: "transform" for name in cmds.scene["nodes"]}
    cubes = itertools.count(1)

    def command(name):
        SIMULATION.require_main(f"maya.cmds.{name}")
        cmds.log.append(name)

    def unique_node_name(wanted):
        name = wanted
        for number in itertools.count(1):
            if name not in cmds.node_types:
                return name
            name = f"{wanted.rstrip('0123456789')}{number}"

    def add_node(name, node_type):
        cmds.node_types[name] = node_type
        cmds.scene["nodes"].append(name)
        return name

    def polyCube(*args, name=None, **kwargs):
        command("polyCube")
        number = next(cubes)
        transform = add_node(unique_node_name(name or f"pCube{number}"), "transform")
        return [transform, add_node(unique_node_name(f"polyCube{number}"), "polyCube")]

    def file(*args, rename=None, save=False, **kwargs):
        command("file")
        if rename:
            cmds.scene["file"] = rename
            return rename
        if save:
            cmds.scene["saved"] += 1
            return cmds.scene["file"]
        return cmds.scene["file"]

    def ls(*args, transforms=False, type=None, **kwargs):
        command("ls")
        wanted = "transform" if transforms else type
        return [name for name in cmds.scene["nodes"] if wanted is None or cmds.node_types[name] == wanted]

    def refresh(*args, **kwargs):
        command("refresh")

    for function in (polyCube, file, ls, refresh):
        setattr(cmds, function.__name__, function)

    maya = _module("maya", "SIMULATION of Autodesk Maya's documented API on a Qt loop: the maya package "
                           "(see maya.utils, maya.cmds). Not Maya.")
    maya.__path__ = []
    maya.utils, maya.cmds = utils, cmds
    return _install({"maya": maya, "maya.utils": utils, "maya.cmds": cmds}, "maya")


# --------------------------------------------------------------------------------------------------
# SideFX Houdini
# --------------------------------------------------------------------------------------------------

class _HouNode:
    def __init__(self, scene: "Dict[str, str]", path: str) -> None:
        self._scene, self._path = scene, path

    def path(self) -> str:
        SIMULATION.require_main("hou.Node.path")
        return self._path

    def name(self) -> str:
        SIMULATION.require_main("hou.Node.name")
        return self._path.rsplit("/", 1)[-1]

    def createNode(self, node_type: str, node_name: str = None) -> "_HouNode":
        SIMULATION.require_main("hou.Node.createNode")
        base = node_name or f"{node_type}1"
        name, number = base, 1
        while f"{self._path}/{name}" in self._scene:
            number += 1
            name = f"{base.rstrip('0123456789')}{number}"
        path = f"{self._path}/{name}"
        self._scene[path] = node_type
        return _HouNode(self._scene, path)

    def children(self) -> "List[_HouNode]":
        SIMULATION.require_main("hou.Node.children")
        prefix = self._path.rstrip("/") + "/"
        return [_HouNode(self._scene, p) for p in self._scene if p.startswith(prefix) and "/" not in p[len(prefix):]]


def install_houdini() -> Dict[str, types.ModuleType]:
    """``hdefereval`` and ``hou`` (SIMULATION)."""
    _poster()
    hou = _module("hou", """SIMULATION of SideFX Houdini's documented API on a Qt loop: hou, following the SideFX
    Houdini Python documentation (hou.ui.addEventLoopCallback, hou.ui.removeEventLoopCallback,
    hou.node; hou is not thread-safe). Not Houdini.

    hou.ui.addEventLoopCallback(fn) / removeEventLoopCallback(fn) / eventLoopCallbacks(): main thread
        only here; while registered, fn() is called about every 50 ms (the interval this simulation
        assumes for Houdini's event loop callbacks) from a QTimer created on the main thread. An
        exception is printed and the callback stays registered.
    hou.node(path) and hou.Node.createNode/children/path/name raise SimulatedMainThreadViolation off
        the main thread. hou.isUIAvailable() is True.
    """)
    scene: Dict[str, str] = {"/obj": "obj", "/out": "out", "/stage": "stage"}
    hou.scene = scene
    callbacks: List[Callable[[], None]] = []
    hou.event_loop_iterations = 0

    def run_callbacks() -> None:
        hou.event_loop_iterations += 1
        for fn in list(callbacks):
            try:
                fn()
            except Exception as error:
                SIMULATION.escaped.append(traceback.format_exc())
                print(f"SIMULATED HOUDINI CONSOLE: an event loop callback raised {error!r}", file=sys.stderr)

    timer = _main_timer(HOUDINI_EVENT_LOOP_MS, run_callbacks)

    def addEventLoopCallback(fn):
        SIMULATION.require_main("hou.ui.addEventLoopCallback")
        if fn not in callbacks:
            callbacks.append(fn)
        if not timer.isActive():
            timer.start()

    def removeEventLoopCallback(fn):
        SIMULATION.require_main("hou.ui.removeEventLoopCallback")
        callbacks.remove(fn)  # ValueError for an unknown callback
        if not callbacks:
            timer.stop()

    hou.ui = types.SimpleNamespace(addEventLoopCallback=addEventLoopCallback,
                                   removeEventLoopCallback=removeEventLoopCallback,
                                   eventLoopCallbacks=lambda: tuple(callbacks))

    def node(path):
        SIMULATION.require_main("hou.node")
        return _HouNode(scene, path) if path in scene else None

    hou.node = node
    hou.isUIAvailable = lambda: True
    hou.Node = _HouNode

    hdefereval = _module("hdefereval", """SIMULATION of SideFX Houdini's documented API on a Qt loop: hdefereval,
    following the SideFX Houdini Python documentation of the hdefereval module. Not Houdini.

    Houdini's quirk: deferred work runs from a hou.ui event loop callback (``_processDeferred``,
    registered at import), so it waits for the next event loop iteration, about every 50 ms here.
    executeDeferred(fn, *args, **kwargs): any thread; appends to the queue; never inline.
    executeDeferredAfterWaiting(fn, num_waits, *args, **kwargs): the same, num_waits iterations later.
    executeInMainThreadWithResult(fn, *args, **kwargs): any thread but the main one: queues fn and
        blocks for its result (bounded to 30 s here). On the main thread it deadlocks real Houdini:
        here it raises RuntimeError.
    ``calls`` counts the calls; ``processed`` counts deferred callables run.
    """)
    hdefereval.calls = collections.Counter()
    hdefereval.processed = 0
    queue_lock = threading.Lock()
    deferred: List[list] = []  # [waits left, callable]

    def _processDeferred() -> None:  # main thread, from the event loop callback
        with queue_lock:
            due = [fn for waits, fn in deferred if waits <= 0]
            deferred[:] = [[waits - 1, fn] for waits, fn in deferred if waits > 0]
        for fn in due:
            hdefereval.processed += 1
            try:
                fn()
            except Exception as error:  # Houdini prints it
                SIMULATION.escaped.append(traceback.format_exc())
                print(f"SIMULATED HOUDINI CONSOLE: a deferred callable raised {error!r}", file=sys.stderr)

    def executeDeferredAfterWaiting(fn, num_waits, *args, **kwargs):
        hdefereval.calls["executeDeferredAfterWaiting"] += 1
        with queue_lock:
            deferred.append([int(num_waits), lambda: fn(*args, **kwargs)])

    def executeDeferred(fn, *args, **kwargs):
        hdefereval.calls["executeDeferred"] += 1
        with queue_lock:
            deferred.append([0, lambda: fn(*args, **kwargs)])

    def executeInMainThreadWithResult(fn, *args, **kwargs):
        hdefereval.calls["executeInMainThreadWithResult"] += 1
        if SIMULATION.on_main_thread():
            raise RuntimeError("SIMULATION: hdefereval.executeInMainThreadWithResult on the main thread "
                               "deadlocks Houdini")
        def enqueue(task):
            with queue_lock:
                deferred.append([0, task])

        return _wait_on_main(fn, args, kwargs, enqueue, "Houdini")

    hdefereval._processDeferred = _processDeferred
    hdefereval.executeDeferred = executeDeferred
    hdefereval.executeDeferredAfterWaiting = executeDeferredAfterWaiting
    hdefereval.executeInMainThreadWithResult = executeInMainThreadWithResult
    addEventLoopCallback(_processDeferred)
    return _install({"hdefereval": hdefereval, "hou": hou}, "houdini")


# --------------------------------------------------------------------------------------------------
# Foundry Nuke
# --------------------------------------------------------------------------------------------------

_NUKE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _NukeNode:
    """A node of the simulated graph; every method is main-thread only."""

    def __init__(self, graph: "_NukeGraph", node_class: str, name: str) -> None:
        self._graph, self._class, self._name = graph, node_class, name

    def name(self) -> str:
        SIMULATION.require_main("nuke.Node.name")
        return self._name

    def Class(self) -> str:
        SIMULATION.require_main("nuke.Node.Class")
        return self._class

    def setName(self, name: str, uncollide: bool = False, updateExpressions: bool = False) -> None:
        SIMULATION.require_main("nuke.Node.setName")
        if not isinstance(name, str) or not _NUKE_NAME.match(name):
            raise ValueError(f"{name!r} is not a legal node name (SIMULATION of Nuke's rule)")
        if name != self._name and self._graph.named(name):
            if not uncollide:
                raise ValueError(f"a node named {name!r} already exists (SIMULATION of Nuke's rule)")
            name = self._graph.free_name(name.rstrip("0123456789"))
        self._name = name

    def __repr__(self) -> str:  # no thread check: recording a result is not a call into Nuke
        return self._name


class _NukeGraph:
    """The simulated node graph: its nodes, in creation order."""

    def __init__(self) -> None:
        self.nodes: List[_NukeNode] = []

    def named(self, name: str) -> bool:
        return any(node._name == name for node in self.nodes)

    def free_name(self, base: str) -> str:
        return next(f"{base}{n}" for n in itertools.count(1) if not self.named(f"{base}{n}"))

    def add(self, node_class: str) -> _NukeNode:
        node = _NukeNode(self, node_class, self.free_name(node_class.rstrip("0123456789")))
        self.nodes.append(node)
        return node


class _NukeNodeConstructors:
    """nuke.nodes: ``nuke.nodes.Blur(**knobs)`` creates a Blur node (main thread only)."""

    def __init__(self, graph: _NukeGraph) -> None:
        self._graph = graph

    def __getattr__(self, node_class: str) -> Callable[..., _NukeNode]:
        if node_class.startswith("__"):
            raise AttributeError(node_class)
        graph = self._graph

        def create(**knobs: Any) -> _NukeNode:
            SIMULATION.require_main(f"nuke.nodes.{node_class}")
            return graph.add(node_class)

        return create


def install_nuke() -> Dict[str, types.ModuleType]:
    """``nuke`` (SIMULATION)."""
    _poster()
    nuke = _module("nuke", """SIMULATION of Foundry Nuke's documented API on a Qt loop: nuke, following the Foundry
    Nuke Python Developer's Guide, "Threading" (nuke.executeInMainThread,
    nuke.executeInMainThreadWithResult). Not Nuke.

    executeInMainThread(call, args=(), kwargs={}): any thread; queues call(*args, **kwargs) to the
        Qt loop and returns None. Nuke's quirk: an exception of the call is printed and swallowed;
        here it is appended to ``swallowed`` (with its traceback text) and printed as one line.
    executeInMainThreadWithResult(call, args=(), kwargs={}): inline on the main thread, else queues
        and blocks for the result.
    The node graph, main thread only (SimulatedMainThreadViolation elsewhere): createNode(node_class)
        and nuke.nodes.<node_class>(**knobs) return a Node named after its class without the class's
        version digits plus the first free number (CheckerBoard2 -> CheckerBoard1), as Nuke names new
        nodes; allNodes() returns the Nodes. Node.name(), Node.Class(), Node.setName(name,
        uncollide=False): an illegal name (not letters, digits and underscores starting with a letter
        or underscore) or a name in use raises ValueError (uncollide=True appends a number instead).
        A Node's repr is its name, so that recorded results read as node names.
    ``calls`` counts the executeInMainThread* calls.
    """)
    nuke.calls = collections.Counter()
    nuke.swallowed = []
    graph = _NukeGraph()

    def executeInMainThread(call, args=(), kwargs=None):
        nuke.calls["executeInMainThread"] += 1
        if not isinstance(args, tuple):
            args = (args,)  # Nuke accepts a single non-tuple argument
        kwargs = dict(kwargs or {})

        def run() -> None:
            try:
                call(*args, **kwargs)
            except Exception as error:  # Nuke: printed, swallowed
                nuke.swallowed.append(traceback.format_exc())
                print(f"SIMULATED NUKE CONSOLE: swallowed {type(error).__name__}: {error}", file=sys.stderr)

        _poster().post(run)

    def executeInMainThreadWithResult(call, args=(), kwargs=None):
        nuke.calls["executeInMainThreadWithResult"] += 1
        if not isinstance(args, tuple):
            args = (args,)
        kwargs = dict(kwargs or {})
        if SIMULATION.on_main_thread():
            return call(*args, **kwargs)
        return _wait_on_main(call, args, kwargs)

    def createNode(node_class, *args, **kwargs):
        SIMULATION.require_main("nuke.createNode")
        return graph.add(node_class)

    def allNodes(*args, **kwargs):
        SIMULATION.require_main("nuke.allNodes")
        return list(graph.nodes)

    nuke.executeInMainThread = executeInMainThread
    nuke.executeInMainThreadWithResult = executeInMainThreadWithResult
    nuke.createNode = createNode
    nuke.allNodes = allNodes
    nuke.nodes = _NukeNodeConstructors(graph)
    nuke.Node = _NukeNode
    return _install({"nuke": nuke}, "nuke")


# --------------------------------------------------------------------------------------------------
# Autodesk 3ds Max
# --------------------------------------------------------------------------------------------------

# MAXScript geometry classes: calling one creates a scene node (the others are plain functions here).
_MAX_GEOMETRY = frozenset({"Box", "Sphere", "GeoSphere", "Teapot", "Cylinder", "Cone", "Torus", "Tube",
                           "Pyramid", "Plane"})


class _MaxNode:
    """A scene node; its ``name`` property is main-thread only, as every pymxs access is."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        SIMULATION.require_main("pymxs node .name")
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        SIMULATION.require_main("pymxs node .name")
        self._name = str(value)

    def __repr__(self) -> str:  # no thread check: recording a result is not a call into Max
        return self._name


class _MaxRuntime:
    """pymxs.runtime: every MAXScript function, and the ``objects`` scene set, raise off the main
    thread."""

    def __init__(self, calls: List[str]) -> None:
        self._calls = calls
        self._scene: List[_MaxNode] = []

    @property
    def objects(self) -> tuple:
        SIMULATION.require_main("pymxs.runtime.objects")
        return tuple(self._scene)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)
        calls, scene = self._calls, self._scene

        def maxscript_function(*args: Any, **kwargs: Any) -> Any:
            SIMULATION.require_main(f"pymxs.runtime.{name}")
            calls.append(name)
            default_name = f"{name}{sum(1 for c in calls if c == name)}"
            if name not in _MAX_GEOMETRY:
                return default_name
            scene.append(_MaxNode(str(kwargs.get("name", default_name))))
            return scene[-1]

        maxscript_function.__name__ = name
        return maxscript_function


def install_max() -> Dict[str, types.ModuleType]:
    """``pymxs`` (SIMULATION); the Qt application is the real one of this process."""
    _poster()
    pymxs = _module("pymxs", """SIMULATION of Autodesk 3ds Max's documented API on a Qt loop: pymxs, following the
    Autodesk 3ds Max Python API documentation (pymxs; 3ds Max and MAXScript are not thread-safe and
    may only be used from the main thread). Not 3ds Max.

    Every ``pymxs.runtime.<function>(...)`` raises SimulatedMainThreadViolation off the main thread;
    on it, it appends the function's name to ``calls`` and returns "<name><count>". A geometry class
    (Box, Sphere, Teapot, ...) instead creates a scene node named ``name=`` or "<name><count>" and
    returns it (its repr is its name; reading ``node.name`` is main-thread only).
    ``pymxs.runtime.objects``: the scene's nodes, main thread only.
    """)
    pymxs.calls = []
    pymxs.runtime = _MaxRuntime(pymxs.calls)
    return _install({"pymxs": pymxs}, "max")


# --------------------------------------------------------------------------------------------------
# Unreal Editor
# --------------------------------------------------------------------------------------------------

class _SlateHandle:
    _ids = itertools.count(1)

    def __init__(self) -> None:
        self.id = next(self._ids)

    def __repr__(self) -> str:
        return f"<SIMULATED slate post-tick handle {self.id}>"


class _UnrealVector(collections.namedtuple("Vector", "x y z")):
    """unreal.Vector: a plain value, usable on any thread."""


class _UnrealActor:
    """An actor in the simulated level; its methods are game-thread (main-thread) only."""

    def __init__(self, label: str, location: _UnrealVector) -> None:
        self._label, self._location = label, location

    def get_actor_label(self) -> str:
        SIMULATION.require_main("unreal.Actor.get_actor_label")
        return self._label

    def set_actor_label(self, label: str, mark_dirty: bool = True) -> None:
        SIMULATION.require_main("unreal.Actor.set_actor_label")
        self._label = str(label)

    def get_actor_location(self) -> _UnrealVector:
        SIMULATION.require_main("unreal.Actor.get_actor_location")
        return self._location


class _UnrealEditorActorSubsystem:
    """unreal.EditorActorSubsystem over the simulated level (game thread only)."""

    def __init__(self, level: List[_UnrealActor]) -> None:
        self._level = level

    def spawn_actor_from_class(self, actor_class, location, rotation=None, transient=False) -> _UnrealActor:
        SIMULATION.require_main("unreal.EditorActorSubsystem.spawn_actor_from_class")
        if not (isinstance(actor_class, type) and issubclass(actor_class, _UnrealActor)):
            raise TypeError(f"{actor_class!r} is not an actor class")
        labels = {actor._label for actor in self._level}
        base = actor_class.__name__
        candidates = itertools.chain([base], (f"{base}{n}" for n in itertools.count(2)))
        label = next(label for label in candidates if label not in labels)
        self._level.append(actor_class(label, _UnrealVector(*location)))
        return self._level[-1]

    def get_all_level_actors(self) -> List[_UnrealActor]:
        SIMULATION.require_main("unreal.EditorActorSubsystem.get_all_level_actors")
        return list(self._level)


def install_unreal() -> Dict[str, types.ModuleType]:
    """``unreal`` (SIMULATION)."""
    _poster()
    unreal = _module("unreal", """SIMULATION of Unreal Editor's documented API on a Qt loop: unreal, following the
    Unreal Engine Python API reference (unreal.register_slate_post_tick_callback,
    unreal.unregister_slate_post_tick_callback; the editor's Python API is game-thread only).
    Not Unreal.

    register_slate_post_tick_callback(fn) -> handle: main (game) thread only; while registered,
        fn(delta_seconds) is called every ~16 ms from a QTimer created on the main thread; its return
        value is ignored; an exception is printed and the callback stays registered.
    unregister_slate_post_tick_callback(handle): main thread only; unknown handle: ValueError.
    The level, main thread only (SimulatedMainThreadViolation elsewhere):
        get_editor_subsystem(EditorActorSubsystem) -> the subsystem (an Unreal 5 editor subsystem);
        its spawn_actor_from_class(actor_class, location) adds an Actor labelled after the class
        (StaticMeshActor, StaticMeshActor2, ...) and get_all_level_actors() returns the Actors;
        Actor.get_actor_label() / set_actor_label(label) / get_actor_location().
        Vector(x, y, z) is a plain value. StaticMeshActor, PointLight, CameraActor are actor classes.
        EditorLevelLibrary.spawn_actor(name) / get_all_level_actors() are this simulation's
        shorthand on the same level: labels "<name>_<n>", and the labels of every actor.
    Records ``registered`` (handle -> fn), ``unregistered`` and ``ticks``.
    """)
    unreal.registered = {}
    unreal.unregistered = []
    unreal.ticks = 0
    state = {"last": time.monotonic()}

    def tick() -> None:
        now = time.monotonic()
        delta, state["last"] = now - state["last"], now
        unreal.ticks += 1
        for handle, fn in list(unreal.registered.items()):
            if handle not in unreal.registered:
                continue
            try:
                fn(delta)
            except Exception as error:
                SIMULATION.escaped.append(traceback.format_exc())
                print(f"SIMULATED UNREAL LOG: a slate tick callback raised {error!r}", file=sys.stderr)
        if not unreal.registered:
            timer.stop()

    timer = _main_timer(UNREAL_TICK_MS, tick)

    def register_slate_post_tick_callback(fn):
        SIMULATION.require_main("unreal.register_slate_post_tick_callback")
        if not callable(fn):
            raise TypeError("callback is not callable")
        handle = _SlateHandle()
        unreal.registered[handle] = fn
        if not timer.isActive():
            state["last"] = time.monotonic()
            timer.start()
        return handle

    def unregister_slate_post_tick_callback(handle):
        SIMULATION.require_main("unreal.unregister_slate_post_tick_callback")
        if handle not in unreal.registered:
            raise ValueError(f"{handle!r} is not a registered slate post-tick callback")
        del unreal.registered[handle]
        unreal.unregistered.append(handle)

    level: List[_UnrealActor] = []

    def spawn_actor(name):
        SIMULATION.require_main("unreal.EditorLevelLibrary.spawn_actor")
        level.append(_UnrealActor(f"{name}_{len(level) + 1}", _UnrealVector(0, 0, 0)))
        return level[-1]._label

    def get_all_level_actors():
        SIMULATION.require_main("unreal.EditorLevelLibrary.get_all_level_actors")
        return [actor._label for actor in level]

    subsystem = _UnrealEditorActorSubsystem(level)

    def get_editor_subsystem(subsystem_class):
        SIMULATION.require_main("unreal.get_editor_subsystem")
        if subsystem_class is not _UnrealEditorActorSubsystem:
            raise NotImplementedError(f"SIMULATION: {subsystem_class!r} is not simulated")
        return subsystem

    unreal.register_slate_post_tick_callback = register_slate_post_tick_callback
    unreal.unregister_slate_post_tick_callback = unregister_slate_post_tick_callback
    unreal.EditorLevelLibrary = types.SimpleNamespace(spawn_actor=spawn_actor,
                                                      get_all_level_actors=get_all_level_actors)
    unreal.get_editor_subsystem = get_editor_subsystem
    unreal.EditorActorSubsystem = _UnrealEditorActorSubsystem
    unreal.Vector = _UnrealVector
    unreal.Actor = _UnrealActor
    for actor_class in ("StaticMeshActor", "PointLight", "CameraActor"):
        setattr(unreal, actor_class, type(actor_class, (_UnrealActor,), {}))
    return _install({"unreal": unreal}, "unreal")


INSTALLERS = {
    "maya": install_maya,
    "houdini": install_houdini,
    "nuke": install_nuke,
    "max": install_max,
    "unreal": install_unreal,
}

EXPECTED_BACKEND = {"maya": "Maya", "houdini": "Houdini", "nuke": "Nuke", "max": "3ds Max", "unreal": "Unreal"}
