"""dccview.utils.thread_dispatcher: run work on the DCC main thread, from any thread, in any host.

See ``wrapper`` (the functions and decorators), ``registry`` (which host backend serves the main
thread) and ``base`` (how to write a backend).
"""

from .base import ThreadDispatcherBackend, TickPolledBackend
from .registry import (
    DispatcherPriority,
    clear_dispatcher_backends,
    get_current_dcc_name,
    get_dispatcher_backend,
    is_dcc_environment,
    list_dispatcher_backends,
    register_dispatcher_backend,
    reset_dispatcher_backends,
    unregister_dispatcher_backend,
)
from .wrapper import (
    call_on_main_thread,
    dcc_thread_safe,
    dcc_thread_safe_async,
    defer_to_main_thread,
    ensure_main_thread,
    is_main_thread,
    no_serving_wait,
    run_main_loop,
    run_on_main_thread,
    run_on_main_thread_sync,
    run_on_main_thread_sync_with_timeout,
    stop_main_loop,
    wrap_callback_for_dcc,
)
from .backends.blender import BlenderBackend
from .backends.fallback import FallbackBackend
from .backends.houdini import HoudiniBackend
from .backends.maya import MayaBackend
from .backends.nuke import NukeBackend
from .backends.qt import MaxBackend, QtBackend
from .backends.unreal import UnrealBackend
from ...errors import (
    DeadlockDetectedError,
    ShutdownInProgressError,
    ThreadDispatchTimeoutError,
    ThreadSafetyError,
)

__all__ = [
    "ThreadDispatcherBackend",
    "TickPolledBackend",
    "DispatcherPriority",
    "register_dispatcher_backend",
    "unregister_dispatcher_backend",
    "clear_dispatcher_backends",
    "reset_dispatcher_backends",
    "get_dispatcher_backend",
    "list_dispatcher_backends",
    "is_dcc_environment",
    "get_current_dcc_name",
    "is_main_thread",
    "run_on_main_thread",
    "run_on_main_thread_sync",
    "call_on_main_thread",
    "ensure_main_thread",
    "defer_to_main_thread",
    "dcc_thread_safe",
    "dcc_thread_safe_async",
    "wrap_callback_for_dcc",
    "run_main_loop",
    "stop_main_loop",
    "no_serving_wait",
    "ThreadSafetyError",
    "DeadlockDetectedError",
    "ThreadDispatchTimeoutError",
    "ShutdownInProgressError",
    "DCCThreadSafeWrapper",
    # AuroraView's names (docs/migrating-from-auroraview.md)
    "run_on_main_thread_sync_with_timeout",
    "FallbackDispatcherBackend",
    "MayaDispatcherBackend",
    "HoudiniDispatcherBackend",
    "NukeDispatcherBackend",
    "BlenderDispatcherBackend",
    "MaxDispatcherBackend",
    "UnrealDispatcherBackend",
    "QtDispatcherBackend",
]

# AuroraView's names for the built-in backends: the same classes.
FallbackDispatcherBackend = FallbackBackend
MayaDispatcherBackend = MayaBackend
HoudiniDispatcherBackend = HoudiniBackend
NukeDispatcherBackend = NukeBackend
BlenderDispatcherBackend = BlenderBackend
MaxDispatcherBackend = MaxBackend
UnrealDispatcherBackend = UnrealBackend
QtDispatcherBackend = QtBackend


def __getattr__(name: str):
    # The wrapper lives in ..dcc_thread_safe, which imports this package: resolved on first use so the
    # RFC's seven names are importable from here too without an import cycle.
    if name == "DCCThreadSafeWrapper":
        from ..dcc_thread_safe import DCCThreadSafeWrapper

        return DCCThreadSafeWrapper
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
