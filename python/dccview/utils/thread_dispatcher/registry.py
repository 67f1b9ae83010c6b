"""Which backend serves the main thread: a priority-ordered registry.

The first *available* backend by priority wins; ``DCCVIEW_DISPATCHER=<name>`` forces one by display
name (case-insensitive; an unknown or unavailable name is logged and ignored). Changing the registry
deactivates the current backend (its pending synchronous callers get ShutdownInProgressError).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from enum import IntEnum
from typing import List, Optional, Tuple, Type, Union

from ... import _runtime
from .base import ThreadDispatcherBackend, display_name

__all__ = [
    "DispatcherPriority",
    "register_dispatcher_backend",
    "unregister_dispatcher_backend",
    "clear_dispatcher_backends",
    "get_dispatcher_backend",
    "list_dispatcher_backends",
    "is_dcc_environment",
    "get_current_dcc_name",
]

logger = logging.getLogger("dccview")


class DispatcherPriority(IntEnum):
    MAYA = 200
    HOUDINI = 190
    NUKE = 180
    BLENDER = 170
    MAX = 160
    UNREAL = 150
    DCC_THRESHOLD = 150
    QT = 100
    GLIB = 90
    FALLBACK = 0


BackendSpec = Union[ThreadDispatcherBackend, Type[ThreadDispatcherBackend], str]


class _Entry:
    __slots__ = ("priority", "name", "spec", "instance")

    def __init__(self, priority: int, name: str, spec: BackendSpec) -> None:
        self.priority = priority
        self.name = name
        self.spec = spec
        self.instance: Optional[ThreadDispatcherBackend] = spec if isinstance(spec, ThreadDispatcherBackend) else None

    def backend(self) -> ThreadDispatcherBackend:
        if self.instance is None:
            spec = self.spec
            if isinstance(spec, str):
                module_name, _, class_name = spec.partition(":")
                if not class_name:
                    raise ValueError(f"backend spec {spec!r} must look like 'module:Class'")
                spec = getattr(importlib.import_module(module_name), class_name)
            self.instance = spec if isinstance(spec, ThreadDispatcherBackend) else spec()
        return self.instance

    def available(self) -> bool:
        try:
            return bool(self.backend().is_available())
        except Exception:  # a broken third-party backend must not break dispatching
            logger.exception("dispatcher backend %s failed its availability check", self.name)
            return False


_lock = threading.RLock()
_entries: List[_Entry] = []
_selected: Optional[ThreadDispatcherBackend] = None

_BUILTINS = (
    ("Maya", DispatcherPriority.MAYA, ".backends.maya:MayaBackend"),
    ("Houdini", DispatcherPriority.HOUDINI, ".backends.houdini:HoudiniBackend"),
    ("Nuke", DispatcherPriority.NUKE, ".backends.nuke:NukeBackend"),
    ("Blender", DispatcherPriority.BLENDER, ".backends.blender:BlenderBackend"),
    ("3ds Max", DispatcherPriority.MAX, ".backends.qt:MaxBackend"),
    ("Unreal", DispatcherPriority.UNREAL, ".backends.unreal:UnrealBackend"),
    ("Qt", DispatcherPriority.QT, ".backends.qt:QtBackend"),
    ("GLib", DispatcherPriority.GLIB, ".backends.glib:GLibBackend"),
    ("Fallback", DispatcherPriority.FALLBACK, ".backends.fallback:FallbackBackend"),
)


def _spec_name(spec: BackendSpec) -> str:
    """The name a backend is listed and selected by: its get_name(), also for a class or a
    "module:Class" not imported yet (the class name, read the way get_name() reads it)."""
    if isinstance(spec, str):
        return display_name(type(spec.rpartition(":")[2], (), {}))
    if isinstance(spec, ThreadDispatcherBackend):
        return spec.get_name()
    return display_name(spec)


def _changed() -> None:
    global _selected
    _selected = None
    _runtime.reset()


def _check_change(change: str) -> None:
    """A registry change replaces the dispatcher: refused while dcc_mode views depend on it."""
    _runtime.ensure_no_bound_views(change)


def register_dispatcher_backend(backend: BackendSpec, priority: int = 0, *, name: str = "") -> None:
    """Adds a backend (an instance, a class, or "module:Class" imported on first use). A backend with
    the same name is replaced."""
    if not isinstance(backend, (ThreadDispatcherBackend, str)) and not (
        isinstance(backend, type) and issubclass(backend, ThreadDispatcherBackend)
    ):
        raise TypeError("backend must be a ThreadDispatcherBackend instance or subclass, or 'module:Class'")
    entry = _Entry(int(priority), name or _spec_name(backend), backend)
    _check_change("register a dispatcher backend")
    with _lock:
        _entries[:] = [e for e in _entries if e.name.lower() != entry.name.lower()]
        _entries.append(entry)
        _entries.sort(key=lambda e: -e.priority)  # stable: earlier registrations win ties
        _changed()


def unregister_dispatcher_backend(backend: Union[BackendSpec, str]) -> bool:
    """Removes a backend by name, instance or class; True if one was removed."""
    _check_change("unregister a dispatcher backend")
    with _lock:
        before = len(_entries)
        _entries[:] = [e for e in _entries if not _matches(e, backend)]
        removed = len(_entries) != before
        if removed:
            _changed()
        return removed


def _matches(entry: _Entry, key) -> bool:
    if isinstance(key, str):
        return entry.name.lower() == key.lower() or entry.spec == key
    return entry.spec is key or entry.instance is key


def clear_dispatcher_backends() -> None:
    """Removes every backend, built-ins included, until reset_dispatcher_backends() restores them;
    with nothing registered the fallback serves (dccview's own loop). For a process that brings its
    own backend only: clear, then register it."""
    _check_change("clear the dispatcher backends")
    with _lock:
        _entries.clear()
        _changed()


def reset_dispatcher_backends() -> None:
    """Restores the built-in backends and nothing else."""
    _check_change("reset the dispatcher backends")
    with _lock:
        _entries.clear()
        for name, priority, spec in _BUILTINS:
            _entries.append(_Entry(int(priority), name, __package__ + spec))
        _entries.sort(key=lambda e: -e.priority)
        _changed()


def list_dispatcher_backends() -> List[Tuple[int, str, bool]]:
    """``[(priority, name, available)]``, highest priority first."""
    with _lock:
        entries = list(_entries)
    return [(e.priority, e.name, e.available()) for e in entries]


def get_dispatcher_backend() -> ThreadDispatcherBackend:
    """The backend serving the main thread (chosen once, until the registry changes)."""
    global _selected
    with _lock:
        if _selected is None:
            _selected = _choose()
        return _selected


def _choose() -> ThreadDispatcherBackend:
    forced = os.environ.get("DCCVIEW_DISPATCHER", "").strip()
    if forced:
        for entry in _entries:
            if entry.name.lower() == forced.lower():
                if entry.available():
                    return entry.backend()
                logger.warning("DCCVIEW_DISPATCHER=%s is not available here; choosing by priority", forced)
                break
        else:
            logger.warning("DCCVIEW_DISPATCHER=%s names no registered backend; choosing by priority", forced)
    for entry in _entries:
        if entry.available():
            return entry.backend()
    from .backends.fallback import FallbackBackend

    return FallbackBackend()


def _priority_of(backend: ThreadDispatcherBackend) -> Optional[int]:
    with _lock:
        for entry in _entries:
            if entry.instance is backend:
                return entry.priority
    return None


def is_dcc_environment() -> bool:
    """True when a DCC backend (priority >= DCC_THRESHOLD) is available."""
    return any(p >= DispatcherPriority.DCC_THRESHOLD and ok for p, _name, ok in list_dispatcher_backends())


def get_current_dcc_name() -> Optional[str]:
    """The name of the DCC whose backend serves the main thread, or None outside a DCC."""
    backend = get_dispatcher_backend()
    priority = _priority_of(backend)
    if priority is None or priority < DispatcherPriority.DCC_THRESHOLD:
        return None
    return backend.get_name()


reset_dispatcher_backends()
