"""The process-wide main-thread runtime: the active dispatcher backend and its native dispatcher.

One native ``_core.Dispatcher`` serves the DCC main thread. The active backend (chosen by the
registry in ``dccview.utils.thread_dispatcher``) only connects it to the host's loop: it wakes the
main thread and makes it pump. Queues, waits, timeouts, cancellation and cycle detection are the
native dispatcher's, so every host gets the same guarantees.
"""

from __future__ import annotations

import logging
import threading
import weakref
from _thread import get_ident
from typing import Optional

from . import _core
from .config import ThreadSafetyConfig

logger = logging.getLogger("dccview")

_lock = threading.RLock()
_config = ThreadSafetyConfig()
_active: Optional["Active"] = None
_exiting = False  # set by the exit hook: nothing is activated again


class Active:
    """The active backend, its native dispatcher, the main thread's ident, and the views bound to
    the dispatcher (dcc_mode WebViews run their handlers through it for as long as they are open)."""

    __slots__ = ("backend", "dispatcher", "main_ident", "bound_views")

    def __init__(self, backend, dispatcher: "_core.Dispatcher") -> None:
        self.backend = backend
        self.dispatcher = dispatcher
        self.main_ident = backend.main_thread_ident()
        self.bound_views: "weakref.WeakSet" = weakref.WeakSet()

    def open_bound_views(self) -> int:
        return sum(1 for view in list(self.bound_views) if not view.closed)


def config() -> ThreadSafetyConfig:
    """The configuration new dispatchers and WebViews start from."""
    return _config


def configure(new_config: ThreadSafetyConfig) -> None:
    """Sets the process-wide ThreadSafetyConfig: the default timeout of run_on_main_thread_sync and the
    decorators (from the next call on), the lock-order mode, and the defaults of WebViews created
    afterwards without ``config=``. Any thread, any time: the dispatcher serving the main thread stays
    as it is, so open views, waiting callers and a running main loop go on undisturbed (a view keeps
    the configuration it was created with)."""
    global _config
    if not isinstance(new_config, ThreadSafetyConfig):
        raise TypeError(f"expected a ThreadSafetyConfig, not {type(new_config).__name__}")
    with _lock:
        _config = new_config
    _core.configure_lock_order(new_config.debug_lock_order)


def bind_view(view) -> None:
    """Records that ``view`` (a dcc_mode WebView) runs its handlers through the active dispatcher."""
    active().bound_views.add(view)


def ensure_no_bound_views(change: str) -> None:
    """Raises RuntimeError when ``change`` (a registry change, which replaces the dispatcher) would
    cut open dcc_mode WebViews off the main thread."""
    state = _active
    count = state.open_bound_views() if state is not None else 0
    if state is not None and count:
        raise RuntimeError(
            f"dccview: cannot {change} while {count} dcc_mode WebView(s) are open: their handlers run "
            f"through the {state.backend.get_name()} backend's main thread. Close them first, or set up "
            "the dispatcher backends before opening views.")


def active() -> Active:
    """The active backend and dispatcher, activating the registry's choice on first use.

    The backend's loop is installed on the main thread: at once when called there, else through the
    backend's any-thread host API, else (hosts without one, and the fallback) at the next call made
    on the main thread. Work queued before that waits for it.
    """
    state = _active
    if state is not None and (state.dispatcher.installed or get_ident() != state.main_ident):
        return state
    with _lock:
        if _exiting:
            raise _core.ShutdownInProgressError("dccview: the interpreter is exiting")
        state = _active if _active is not None else _activate()
        if not state.dispatcher.installed and get_ident() == state.main_ident:
            state.backend.install(state.dispatcher)
        return state


def adopt_calling_thread_as_main() -> Active:
    """The active state, for a thread about to run dccview's own loop: when the backend runs that loop
    (the fallback) and nothing installed it yet, the calling thread becomes the main thread, so that
    is_main_thread(), the decorators and the native dispatcher agree on which thread serves."""
    state = active()
    if state.dispatcher.installed or not state.backend.runs_own_loop:
        return state
    with _lock:
        if not state.dispatcher.installed:
            state.main_ident = get_ident()
            state.backend.install(state.dispatcher)
    return state


def current() -> Optional[Active]:
    """The active state without activating anything."""
    return _active


def _activate() -> Active:
    global _active
    from .utils.thread_dispatcher import registry

    backend = registry.get_dispatcher_backend()
    dispatcher = _core.Dispatcher(**_config.native_kwargs())
    state = Active(backend, dispatcher)
    if get_ident() != state.main_ident:
        backend.install_from_other_thread(dispatcher)
    _active = state
    logger.debug("dispatcher backend %s is active", backend.get_name())
    return state


def shut_down_for_exit(drain_timeout: float) -> None:
    """The exit hook: deactivates for good; later calls raise ShutdownInProgressError."""
    global _exiting
    with _lock:
        _exiting = True
    reset(drain_timeout)


def reset(drain_timeout: float = 1.0) -> None:
    """Deactivates the current backend (the registry changed, or the process exits).

    Synchronous callers still waiting are woken with ShutdownInProgressError; queued work gets
    ``drain_timeout`` seconds to run when called on the main thread, and is destroyed after that.
    """
    global _active
    with _lock:
        state, _active = _active, None
    if state is None:
        return
    state.dispatcher.shutdown()
    state.backend.stop_loop(state.dispatcher)  # a main thread in run_main_loop() moves to the new state
    if state.dispatcher.installed and state.dispatcher.is_main_thread():
        if not state.dispatcher.wait_for_drain(drain_timeout):
            logger.warning("queued main-thread work did not finish within %.1f s; destroyed", drain_timeout)
        state.dispatcher.discard_pending()
    state.backend.uninstall()
