"""Running Python on the DCC main thread: the RFC's functions and decorators.

Guarantees (see docs/python.md):
  * ``run_on_main_thread`` never runs inline, keeps FIFO order per calling thread, and raises
    ``ShutdownInProgressError`` instead of dropping work after shutdown.
  * ``run_on_main_thread_sync`` runs inline on the main thread; elsewhere it queues and waits with
    the GIL released, re-raises the function's own exception object (its traceback intact), raises
    ``ThreadDispatchTimeoutError`` (a ``TimeoutError``) naming the function, and work that had not
    started when the caller gave up never runs. A wait that would deadlock raises
    ``DeadlockDetectedError`` at once.
  * Exceptions of fire-and-forget work go to the ``dccview`` logger and ``sys.unraisablehook``.
  * KeyboardInterrupt and SystemExit are never swallowed: raised by work on the main thread, they
    end dccview's loop and leave ``run_main_loop()`` / ``show()`` (in a host, the host's Python sees
    them); a synchronous caller waiting for that work gets ShutdownInProgressError.
"""

from __future__ import annotations

import functools
import logging
from _thread import get_ident
from typing import Any, Callable, Optional, TypeVar

from ... import _core, _runtime
from ...errors import ShutdownInProgressError

__all__ = [
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
]

T = TypeVar("T")
logger = logging.getLogger("dccview")


def is_main_thread() -> bool:
    """True on the DCC's main thread (the thread the active backend serves). Called there, it also
    connects dccview to the host's loop if that is still pending (a worker used dccview first)."""
    return get_ident() == _runtime.active().main_ident


def _label(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)


def run_on_main_thread(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queues ``func(*args, **kwargs)`` for the main thread and returns at once (never inline).

    Raises ShutdownInProgressError after shutdown and QueueFullError on a full bounded queue: work is
    never dropped silently.
    """

    def task() -> None:
        try:
            func(*args, **kwargs)
        except Exception:
            logger.exception("%s, run on the main thread, raised", _label(func))
            raise  # the native side passes it to sys.unraisablehook
        # KeyboardInterrupt and SystemExit pass unlogged: the native side raises them on the main
        # thread, out of dccview's loop.

    _runtime.active().dispatcher.post(task)


class _Outcome:
    __slots__ = ("value", "error")

    def __init__(self) -> None:
        self.value: Any = None
        self.error: Optional[BaseException] = None


def call_on_main_thread(func: Callable[..., T], args: tuple = (), kwargs: Optional[dict] = None,
                        timeout: Optional[float] = None) -> T:
    """``run_on_main_thread_sync`` with explicit argument containers (so ``func`` may itself take a
    keyword named ``timeout``)."""
    kwargs = kwargs or {}
    state = _runtime.active()
    if get_ident() == state.main_ident:
        return func(*args, **kwargs)
    if timeout is None:
        timeout = _runtime.config().main_thread_timeout_ms / 1000.0
    outcome = _Outcome()

    def task() -> None:
        try:
            outcome.value = func(*args, **kwargs)
        except (KeyboardInterrupt, SystemExit) as interrupt:  # the main thread's, not the caller's
            outcome.error = ShutdownInProgressError(
                f"dccview: the main thread was interrupted ({type(interrupt).__name__}) while running "
                f"{_label(func)}")
            raise
        except BaseException as error:  # carried to the caller, re-raised there
            outcome.error = error

    state.dispatcher.call(task, timeout, _label(func))
    if outcome.error is not None:
        error, outcome.error = outcome.error, None
        try:
            raise error
        finally:
            del error  # no reference cycle through the traceback
    return outcome.value


def run_on_main_thread_sync(func: Callable[..., T], *args: Any, timeout: Optional[float] = None,
                            **kwargs: Any) -> T:
    """Runs ``func(*args, **kwargs)`` on the main thread and returns its value.

    ``timeout`` (seconds; default ``ThreadSafetyConfig.main_thread_timeout_ms``, 30 s) is dccview's and
    is never passed to ``func``. Inline on the main thread. Raises the function's own exception,
    ThreadDispatchTimeoutError (naming the function), DeadlockDetectedError, or
    ShutdownInProgressError.
    """
    return call_on_main_thread(func, args, kwargs, timeout)


def run_on_main_thread_sync_with_timeout(func: Callable[..., T], *args: Any, timeout: float = 30.0,
                                         **kwargs: Any) -> T:
    """AuroraView's name: ``run_on_main_thread_sync`` with a 30 s default. Unlike AuroraView's, a call
    that timed out before it started never runs afterwards (it is cancelled), and it never runs on the
    calling worker when no host loop serves the main thread."""
    return call_on_main_thread(func, args, kwargs, timeout)


def ensure_main_thread(func: Callable[..., T]) -> Callable[..., T]:
    """Decorator: calls run inline on the main thread, elsewhere through run_on_main_thread_sync."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        state = _runtime.current()
        if state is not None and get_ident() == state.main_ident:
            return func(*args, **kwargs)
        return call_on_main_thread(func, args, kwargs)

    return wrapper


def defer_to_main_thread(func: Callable[..., Any]) -> Callable[..., None]:
    """Decorator: every call is queued for the main thread (fire-and-forget, returns None)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        run_on_main_thread(func, *args, **kwargs)

    return wrapper


def dcc_thread_safe(func: Callable[..., T]) -> Callable[..., T]:
    """Decorator for handlers that call DCC APIs: runs ``func`` on the DCC main thread and returns its
    value (inline when already there). Keeps ``__name__`` and ``__doc__``."""
    return ensure_main_thread(func)


def dcc_thread_safe_async(func: Callable[..., Any]) -> Callable[..., None]:
    """Decorator for fire-and-forget DCC work: always queued for the main thread, as in the RFC (also
    when called there), returns None at once."""
    return defer_to_main_thread(func)


def wrap_callback_for_dcc(callback: Callable[..., Any], async_mode: bool = False) -> Callable[..., Any]:
    """Wraps ``callback`` for the main thread: blocking (``ensure_main_thread``) or fire-and-forget."""
    return defer_to_main_thread(callback) if async_mode else ensure_main_thread(callback)


_stop_requests = 0  # stop_main_loop() calls so far: a bare run_main_loop() runs until the next one


def run_main_loop(until: Optional[Callable[[], bool]] = None) -> None:
    """Runs dccview's own main loop on the calling thread (standalone tools, the fallback backend;
    inside a host the host's loop serves the main thread and this returns at once). Without
    ``until`` it runs until stop_main_loop(); with it, until ``until()`` is true, checked whenever
    stop_main_loop() is called or a WebView closes. Call it on the main thread; in a standalone
    script, the first thread to run the loop becomes the main thread. A registry change while it runs
    (which replaces the dispatcher) does not end it: it goes on serving the new one."""
    if until is None:
        started_at = _stop_requests
        until = lambda: _stop_requests != started_at  # noqa: E731
    while True:
        state = _runtime.adopt_calling_thread_as_main()
        dispatcher = state.dispatcher
        # Bound now: the loop below replaces `dispatcher` only after this run_loop() returned.
        state.backend.run_loop(dispatcher, lambda d=dispatcher: until() or d.is_shutdown)
        if until() or not state.backend.runs_own_loop:
            return


def stop_main_loop() -> None:
    """Makes run_main_loop() return. Any thread."""
    global _stop_requests
    _stop_requests += 1
    wake_main_loop()


def wake_main_loop() -> None:
    """Makes a running run_main_loop() check its ``until`` again (a WebView closed). Any thread."""
    state = _runtime.current()
    if state is not None:
        state.backend.stop_loop(state.dispatcher)


def no_serving_wait(reason: str) -> "_core.NoServingWait":
    """``with no_serving_wait("inside an undo chunk"):`` on a loop thread (the main thread): its
    synchronous waits inside the block do not run the main-thread calls other threads send it, for
    code that must not be re-entered (a host callback, an undo chunk). The price: a cycle of waits
    only this thread could have served is refused at once with DeadlockDetectedError (RFC pattern 3)
    instead of completing. Enter and leave it on one thread."""
    return _core.NoServingWait(reason)
