"""Stub DCC host modules that keep their host's documented main-thread rules, on a real loop.

``HostLoop`` is a host application's main loop: the test's main thread runs it (``run_with()``)
while worker threads call into dccview. The stub modules post to it exactly where their host would
run something "later, on the main thread", enforce the host's thread rules (raising where the host
documents that a call is main-thread only) and record what happened, so a test can check that a
backend used its host the documented way.

Each ``make_*`` builds fresh stub modules for one host and returns ``{sys.modules name: module}``;
the test installs them with ``monkeypatch.setitem(sys.modules, name, module)`` so they are removed
afterwards. Every stub module's docstring names the vendor documentation it follows:

    maya.utils       Autodesk Maya, "Python and threading"
    hdefereval       SideFX Houdini, the hdefereval module
    nuke             Foundry Nuke Python developer guide, "Threading"
    bpy.app.timers   Blender Python API, "Application Timers (bpy.app.timers)"
    unreal           Unreal Engine Python API, register_slate_post_tick_callback
    pymxs            Autodesk 3ds Max Python API (pymxs on the main thread only); the Qt side is a
                     real QCoreApplication (Qt, "Threads and QObjects": QObject thread affinity),
                     see scenarios.py
"""

from __future__ import annotations

import collections
import heapq
import itertools
import queue
import sys
import threading
import time
import traceback
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

from dccview.utils.thread_dispatcher import ThreadDispatcherBackend

MAIN_THREAD_WAIT_S = 30.0  # bound of the stubs' own blocking calls (a real host would wait forever)

_WAKE = object()


class HostLoopTimeout(AssertionError):
    """The host loop ran longer than its run() allowed: the test fails instead of hanging."""


class MainThreadViolation(RuntimeError):
    """A stub host API documented as main-thread only was called from another thread."""


class HostLoop:
    """A host application's main loop, run on Python's main thread.

    ``call_soon(fn)`` (any thread) queues ``fn`` for the loop, FIFO; ``call_later(delay, fn)`` (main
    thread, like the host's own timers) runs ``fn`` once after ``delay`` seconds. An exception that
    escapes a callback is what a host prints to its console: it is recorded in ``errors`` and the
    loop goes on. The loop sleeps in ``queue.get`` until the next callback or timer is due.
    """

    def __init__(self, name: str = "host") -> None:
        self.name = name
        self.main_ident = threading.main_thread().ident
        self.errors: List[Tuple[str, BaseException, str]] = []
        self.callbacks_run = 0
        self._queue: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._timers: List[Tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._running = False
        self._progress = threading.Condition()  # notified after every callback

    # -- thread rules ----------------------------------------------------------------------------
    def on_main_thread(self) -> bool:
        return threading.get_ident() == self.main_ident

    def require_main_thread(self, api: str) -> None:
        if not self.on_main_thread():
            raise MainThreadViolation(f"{api} must be called on the main thread (called on "
                                      f"{threading.current_thread().name!r})")

    # -- scheduling ------------------------------------------------------------------------------
    def call_soon(self, fn: Callable[[], Any]) -> None:
        """Queues ``fn`` for the loop. Any thread; never runs ``fn`` inline."""
        self._queue.put(fn)

    def call_later(self, delay: float, fn: Callable[[], Any]) -> None:
        """Runs ``fn`` once on the loop after ``delay`` seconds. Main thread (host timers are)."""
        self.require_main_thread(f"{self.name} timer scheduling")
        heapq.heappush(self._timers, (time.monotonic() + max(0.0, delay), next(self._seq), fn))

    def wake(self) -> None:
        """Makes a sleeping run() look at its ``until`` condition again. Any thread."""
        self._queue.put(_WAKE)

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Waits (another thread) until ``predicate()`` holds, re-checked after every callback the
        loop runs; False after ``timeout`` seconds. For state the stubs change on the loop."""
        with self._progress:
            return self._progress.wait_for(predicate, timeout)

    # -- running ---------------------------------------------------------------------------------
    def run(self, until: Callable[[], bool], timeout: float = 30.0) -> None:
        """Runs the loop on the main thread until ``until()`` is true (checked after every callback
        and every wake()). Raises HostLoopTimeout after ``timeout`` seconds."""
        if not self.on_main_thread():
            raise MainThreadViolation("HostLoop.run must be called on the main thread")
        if self._running:
            raise RuntimeError("HostLoop.run is not re-entrant")
        self._running = True
        deadline = time.monotonic() + timeout
        try:
            while not until():
                now = time.monotonic()
                if now >= deadline:
                    raise HostLoopTimeout(f"{self.name} loop still running after {timeout} s")
                wait = deadline - now
                if self._timers:
                    wait = min(wait, self._timers[0][0] - now)
                try:
                    item = self._queue.get_nowait() if wait <= 0 else self._queue.get(timeout=wait)
                except queue.Empty:
                    item = _WAKE
                if item is not _WAKE:
                    self._invoke(item, "queued callback")
                self._run_due_timers()
        finally:
            self._running = False

    def run_with(self, body: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Runs ``body()`` on a worker thread while this (main) thread runs the loop; returns body's
        value or re-raises its exception. Fails instead of hanging after ``timeout``."""
        done = threading.Event()
        outcome: Dict[str, Any] = {}

        def worker() -> None:
            try:
                outcome["value"] = body()
            except BaseException as error:  # re-raised on the main thread
                outcome["error"] = error
            finally:
                done.set()
                self.wake()

        thread = threading.Thread(target=worker, name=f"{self.name}-test-body", daemon=True)
        thread.start()
        self.run(until=done.is_set, timeout=timeout)
        thread.join(timeout)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def _run_due_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _due, _seq, fn = heapq.heappop(self._timers)
            self._invoke(fn, "timer")

    def _invoke(self, fn: Callable[[], Any], kind: str) -> None:
        self.callbacks_run += 1
        try:
            fn()
        except BaseException as error:  # the host prints it and goes on
            self.errors.append((f"{self.name} {kind} {fn!r}", error, traceback.format_exc()))
        finally:
            with self._progress:
                self._progress.notify_all()


def _module(name: str, doc: str) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    return module


def _wait_on_main(loop: HostLoop, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """Queues ``fn`` for the loop and waits for its result (the hosts' blocking variants)."""
    done = threading.Event()
    box: Dict[str, Any] = {}

    def task() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as error:
            box["error"] = error
        finally:
            done.set()

    loop.call_soon(task)
    if not done.wait(MAIN_THREAD_WAIT_S):
        raise RuntimeError("stub: the main thread did not answer (a real host would wait forever)")
    if "error" in box:
        raise box["error"]
    return box["value"]


# --------------------------------------------------------------------------------------------------
# Autodesk Maya
# --------------------------------------------------------------------------------------------------

def make_maya(loop: HostLoop) -> Dict[str, types.ModuleType]:
    """``maya`` and ``maya.utils``, following Autodesk's Maya documentation "Python and threading"."""
    utils = _module("maya.utils", """Stub of maya.utils following Autodesk Maya, "Python and threading".

    executeDeferred(fn, *args, **kwargs): callable from any thread; queues fn to run on the main
        thread when Maya is next idle and returns at once (never inline). An exception is printed
        to the Script Editor (recorded in HostLoop.errors).
    executeInMainThreadWithResult(fn, *args, **kwargs): on the main thread it runs fn inline (Maya's
        quirk); elsewhere it queues fn and blocks, without timeout, for its result (the stub bounds
        the wait). Counted in ``calls``: dccview must not use it.
    """)
    utils.calls = collections.Counter()

    def executeDeferred(fn, *args, **kwargs):
        utils.calls["executeDeferred"] += 1
        if isinstance(fn, str):
            raise NotImplementedError("stub: MEL/Python source strings are not emulated")
        loop.call_soon(lambda: fn(*args, **kwargs))

    def executeInMainThreadWithResult(fn, *args, **kwargs):
        utils.calls["executeInMainThreadWithResult"] += 1
        if loop.on_main_thread():
            return fn(*args, **kwargs)
        return _wait_on_main(loop, fn, args, kwargs)

    utils.executeDeferred = executeDeferred
    utils.executeInMainThreadWithResult = executeInMainThreadWithResult
    maya = _module("maya", "Stub of the maya package (Autodesk Maya); see maya.utils.")
    maya.__path__ = []  # a package, so "maya.utils" is its submodule
    maya.utils = utils
    return {"maya": maya, "maya.utils": utils}


# --------------------------------------------------------------------------------------------------
# SideFX Houdini
# --------------------------------------------------------------------------------------------------

def make_houdini(loop: HostLoop) -> Dict[str, types.ModuleType]:
    """``hdefereval``, following SideFX's Houdini documentation of the hdefereval module."""
    hdefereval = _module("hdefereval", """Stub of hdefereval following SideFX's Houdini "hdefereval" docs.

    executeDeferred(fn, *args, **kwargs): any thread; fn runs from Houdini's UI event loop the next
        time it is idle (never inline). Exceptions are printed (recorded in HostLoop.errors).
    executeInMainThreadWithResult(fn, *args, **kwargs): any thread but the main one; queues fn and
        blocks for its result. Called on the main thread it deadlocks in Houdini: the stub raises
        instead. Counted in ``calls``: dccview must not use it.
    """)
    hdefereval.calls = collections.Counter()

    def executeDeferred(fn, *args, **kwargs):
        hdefereval.calls["executeDeferred"] += 1
        loop.call_soon(lambda: fn(*args, **kwargs))

    def executeInMainThreadWithResult(fn, *args, **kwargs):
        hdefereval.calls["executeInMainThreadWithResult"] += 1
        if loop.on_main_thread():
            raise RuntimeError("stub: hdefereval.executeInMainThreadWithResult on the main thread deadlocks Houdini")
        return _wait_on_main(loop, fn, args, kwargs)

    hdefereval.executeDeferred = executeDeferred
    hdefereval.executeInMainThreadWithResult = executeInMainThreadWithResult
    return {"hdefereval": hdefereval}


# --------------------------------------------------------------------------------------------------
# Foundry Nuke
# --------------------------------------------------------------------------------------------------

def make_nuke(loop: HostLoop) -> Dict[str, types.ModuleType]:
    """``nuke``, following Foundry's Nuke Python developer guide, "Threading"."""
    nuke = _module("nuke", """Stub of nuke following Foundry's Nuke Python developer guide, "Threading".

    executeInMainThread(call, args=(), kwargs={}): any thread; queues call(*args, **kwargs) for
        Nuke's main thread and returns None at once. Nuke prints an exception of the call and
        swallows it: the stub prints it to stderr and appends it to ``swallowed``.
    executeInMainThreadWithResult(call, args=(), kwargs={}): queues and blocks for the result
        (inline on the main thread). Counted in ``calls``: dccview must not use it.
    """)
    nuke.calls = collections.Counter()
    nuke.swallowed = []

    def executeInMainThread(call, args=(), kwargs=None):
        nuke.calls["executeInMainThread"] += 1
        if not isinstance(args, tuple):
            args = (args,)  # Nuke accepts a single non-tuple argument
        kwargs = dict(kwargs or {})

        def run() -> None:
            try:
                call(*args, **kwargs)
            except Exception as error:  # Nuke: printed, swallowed
                nuke.swallowed.append(error)
                traceback.print_exc(file=sys.stderr)

        loop.call_soon(run)
        return None

    def executeInMainThreadWithResult(call, args=(), kwargs=None):
        nuke.calls["executeInMainThreadWithResult"] += 1
        if not isinstance(args, tuple):
            args = (args,)
        kwargs = dict(kwargs or {})
        if loop.on_main_thread():
            return call(*args, **kwargs)
        return _wait_on_main(loop, call, args, kwargs)

    nuke.executeInMainThread = executeInMainThread
    nuke.executeInMainThreadWithResult = executeInMainThreadWithResult
    return {"nuke": nuke}


# --------------------------------------------------------------------------------------------------
# Blender
# --------------------------------------------------------------------------------------------------

class _Timer:
    __slots__ = ("function", "persistent", "alive")

    def __init__(self, function: Callable[[], Any], persistent: bool) -> None:
        self.function = function
        self.persistent = persistent
        self.alive = True


class BlenderTimers(types.ModuleType):
    """Stub of bpy.app.timers following Blender's Python API reference, "Application Timers
    (bpy.app.timers)".

    register(function, first_interval=0, persistent=False): main thread only (Blender data, timers
        included, must never be touched from other threads: the stub raises MainThreadViolation).
        ``function()`` is called on the main thread after first_interval seconds; it must return
        None (the timer is unregistered) or a float (seconds until the next call). Anything else,
        or an exception, unregisters the timer and is recorded in ``errors`` (Blender prints it);
        the stub is stricter than Blender and also rejects ints and bools.
    is_registered(function) / unregister(function): a timer is identified by the function object
        itself (Blender keys timers by the object's address), as in Blender; unregister of an
        unknown function raises ValueError("Error: function is not registered"). Main thread only.
    simulate_load_post(): what loading a .blend file does: non-persistent timers are removed.

    Records every register() call in ``registrations`` and every return value in ``returns``.
    """

    def __init__(self, loop: HostLoop) -> None:
        super().__init__("bpy.app.timers", BlenderTimers.__doc__)
        self._loop = loop
        self._timers: List[_Timer] = []
        self.registrations: List[Tuple[Callable[[], Any], float, bool]] = []
        self.unregistrations: List[Callable[[], Any]] = []
        self.returns: List[Tuple[Callable[[], Any], Any]] = []
        self.errors: List[str] = []

    def register(self, function, first_interval=0, persistent=False):
        self._loop.require_main_thread("bpy.app.timers.register")
        if not callable(function):
            raise TypeError("function is not callable")
        first_interval = float(first_interval)
        self.registrations.append((function, first_interval, bool(persistent)))
        timer = _Timer(function, bool(persistent))
        self._timers.append(timer)
        self._loop.call_later(first_interval, lambda: self._fire(timer))

    def is_registered(self, function) -> bool:
        return any(t.function is function for t in self._timers)

    def unregister(self, function) -> None:
        self._loop.require_main_thread("bpy.app.timers.unregister")
        for timer in self._timers:
            if timer.function is function:
                self._remove(timer)
                self.unregistrations.append(function)
                return
        raise ValueError("Error: function is not registered")

    def registered(self) -> List[Callable[[], Any]]:
        return [t.function for t in self._timers]

    def simulate_load_post(self) -> None:
        self._loop.require_main_thread("loading a .blend file")
        for timer in list(self._timers):
            if not timer.persistent:
                self._remove(timer)

    def _remove(self, timer: _Timer) -> None:
        timer.alive = False
        self._timers = [t for t in self._timers if t is not timer]

    def _fire(self, timer: _Timer) -> None:
        if not timer.alive:
            return
        try:
            result = timer.function()
        except BaseException as error:
            self._remove(timer)
            self.errors.append(f"timer {timer.function!r} raised {error!r}")
            raise  # printed by the host (HostLoop.errors)
        self.returns.append((timer.function, result))
        if result is None:
            self._remove(timer)
            return
        if type(result) is not float:
            self._remove(timer)
            message = f"Error: 'bpy.app.timers' callback {timer.function!r} did not return None or float: {result!r}"
            self.errors.append(message)
            raise TypeError(message)
        if timer.alive:
            self._loop.call_later(max(result, 0.0), lambda: self._fire(timer))


def make_blender(loop: HostLoop) -> Dict[str, types.ModuleType]:
    """``bpy`` with ``bpy.app.timers``, following Blender's API reference for bpy.app.timers."""
    bpy = _module("bpy", "Stub of bpy (Blender) with only bpy.app.timers; see BlenderTimers.")
    bpy.app = types.SimpleNamespace(timers=BlenderTimers(loop), version=(4, 2, 0))
    return {"bpy": bpy}


# --------------------------------------------------------------------------------------------------
# Unreal Editor
# --------------------------------------------------------------------------------------------------

UNREAL_TICK_S = 0.005


class _Handle:
    _ids = itertools.count(1)

    def __init__(self) -> None:
        self.id = next(self._ids)

    def __repr__(self) -> str:
        return f"<stub slate tick handle {self.id}>"


def make_unreal(loop: HostLoop) -> Dict[str, types.ModuleType]:
    """``unreal``, following the Unreal Python API reference for register_slate_post_tick_callback."""
    unreal = _module("unreal", """Stub of unreal following the Unreal Engine Python API reference,
    unreal.register_slate_post_tick_callback / unreal.unregister_slate_post_tick_callback.

    register_slate_post_tick_callback(fn) -> handle: game (main) thread only (the editor's Python
        API is not thread-safe: the stub raises MainThreadViolation elsewhere). While registered,
        the editor's Slate tick (every ~5 ms here) calls fn(delta_seconds) on the game thread.
        fn's return value is ignored: returning anything does not unregister it. An exception is
        logged (HostLoop.errors) and the callback stays registered.
    unregister_slate_post_tick_callback(handle): by the handle register returned; game thread only;
        an unknown handle raises ValueError.

    Records ``registered`` (handle -> fn), ``unregistered`` (handles) and ``ticks``.
    """)
    unreal.registered = {}
    unreal.unregistered = []
    unreal.ticks = 0
    state = {"ticking": False, "last": time.monotonic()}

    def tick() -> None:
        now = time.monotonic()
        delta, state["last"] = now - state["last"], now
        unreal.ticks += 1
        for handle, fn in list(unreal.registered.items()):
            if handle not in unreal.registered:
                continue  # unregistered by an earlier callback of this tick
            try:
                fn(delta)  # the value is ignored
            except BaseException as error:
                loop.errors.append((f"unreal tick {fn!r}", error, traceback.format_exc()))
        if unreal.registered:
            loop.call_later(UNREAL_TICK_S, tick)
        else:
            state["ticking"] = False

    def register_slate_post_tick_callback(fn):
        loop.require_main_thread("unreal.register_slate_post_tick_callback")
        if not callable(fn):
            raise TypeError("callback is not callable")
        handle = _Handle()
        unreal.registered[handle] = fn
        if not state["ticking"]:
            state["ticking"] = True
            state["last"] = time.monotonic()
            loop.call_later(UNREAL_TICK_S, tick)
        return handle

    def unregister_slate_post_tick_callback(handle):
        loop.require_main_thread("unreal.unregister_slate_post_tick_callback")
        if handle not in unreal.registered:
            raise ValueError(f"{handle!r} is not a registered slate post-tick callback")
        del unreal.registered[handle]
        unreal.unregistered.append(handle)

    unreal.register_slate_post_tick_callback = register_slate_post_tick_callback
    unreal.unregister_slate_post_tick_callback = unregister_slate_post_tick_callback
    return {"unreal": unreal}


# --------------------------------------------------------------------------------------------------
# Autodesk 3ds Max (pymxs); the Qt application itself is real (see scenarios.py)
# --------------------------------------------------------------------------------------------------

class _MaxRuntime:
    """pymxs.runtime: every MAXScript function raises off the main thread."""

    def __init__(self, calls: List[Tuple[str, int]]) -> None:
        self._calls = calls

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)

        def maxscript_function(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != threading.main_thread().ident:
                raise MainThreadViolation(f"pymxs.runtime.{name}: MAXScript may only be called on 3ds Max's main thread")
            self._calls.append((name, threading.get_ident()))
            return (name, args, tuple(sorted(kwargs.items())))

        maxscript_function.__name__ = name
        return maxscript_function


def make_pymxs() -> Dict[str, types.ModuleType]:
    """``pymxs``, following Autodesk's 3ds Max Python API documentation (pymxs, threading)."""
    pymxs = _module("pymxs", """Stub of pymxs following Autodesk's 3ds Max Python API documentation:
    3ds Max and MAXScript are not thread-safe, pymxs may only be used on the main thread (MaxPlus,
    which had an any-thread helper, is gone). Every ``pymxs.runtime.<function>(...)`` raises
    MainThreadViolation off the main thread; on it, it records (name, thread ident) in ``calls`` and
    returns (name, args, sorted kwargs).
    """)
    pymxs.calls = []
    pymxs.runtime = _MaxRuntime(pymxs.calls)
    return {"pymxs": pymxs}


# --------------------------------------------------------------------------------------------------
# A third-party backend for the registry tests ("stubs.hosts:LoopBackend")
# --------------------------------------------------------------------------------------------------

class LoopBackend(ThreadDispatcherBackend):
    """A third-party backend served by ``LoopBackend.loop`` (a HostLoop), available while it is set.
    Registered by string spec in the registry tests."""

    name = "StubLoop"
    loop: Optional[HostLoop] = None

    def is_available(self) -> bool:
        return LoopBackend.loop is not None

    def wake_main_thread(self, callback: Callable[[], None]) -> None:
        LoopBackend.loop.call_soon(callback)


class BrokenBackend(ThreadDispatcherBackend):
    """A third-party backend whose availability check raises."""

    name = "Broken"

    def is_available(self) -> bool:
        raise RuntimeError("stub: broken availability check")


STUBS = {
    "maya": make_maya,
    "houdini": make_houdini,
    "nuke": make_nuke,
    "blender": make_blender,
    "unreal": make_unreal,
}
