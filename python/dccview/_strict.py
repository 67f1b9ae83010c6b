"""Strict handler mode (``DCCVIEW_STRICT=1``, or ``WebView(strict=True)``): a debug aid for tools that
run in several hosts.

Without ``dcc_mode``, a handler runs on the WebView thread. In host mode (Qt WebEngine, a Qt or GTK
host whose main thread runs the view) that thread is the main thread, so a handler that touches the
scene without ``dcc_mode`` or ``@dcc_thread_safe`` works there, by accident, and fails in the next host
where the view has a thread of its own (Blender, Unreal, dedicated mode). In strict mode every such
handler runs on a thread of dccview's own, never the main thread, in every host: the mistake fails the
same way everywhere, at once. Handlers of ``dcc_mode`` views and ``@dcc_thread_safe`` ones are
unchanged (they run on the main thread).

How: the view's native core is given this thread's dispatcher as the thread its handlers run on (the
mechanism ``dcc_mode`` uses for the main thread), so the WebView thread never waits for a handler and a
handler may itself wait for the main thread (``run_on_main_thread_sync``, ``@dcc_thread_safe``
helpers) without a deadlock. Like the WebView thread of dedicated mode, it runs one handler at a time.
"""

from __future__ import annotations

import os
import threading
from typing import Optional

from . import _core

__all__ = ["strict_requested", "handler_dispatcher", "stop_for_exit", "THREAD_NAME"]

THREAD_NAME = "dccview-strict"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

_lock = threading.Lock()
_dispatcher: Optional["_core.Dispatcher"] = None


def strict_requested(strict: Optional[bool]) -> bool:
    """``strict`` when given, else ``DCCVIEW_STRICT`` (1/true/yes/on or 0/false/no/off)."""
    if strict is not None:
        return bool(strict)
    value = os.environ.get("DCCVIEW_STRICT", "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        raise ValueError(f"DCCVIEW_STRICT={value!r}: expected 1, true, yes, on (strict) or 0, false, no, off")
    return False


def handler_dispatcher() -> "_core.Dispatcher":
    """The dispatcher of the strict handler thread, started on first use; it lives until exit."""
    global _dispatcher
    with _lock:
        if _dispatcher is None:
            _dispatcher = _start()
        return _dispatcher


def _start() -> "_core.Dispatcher":
    dispatcher = _core.Dispatcher()
    installed = threading.Event()
    failed: list = []

    def serve() -> None:
        try:
            _core.set_current_thread_name(THREAD_NAME)  # for the OS too (ps, top, debuggers)
            dispatcher.install_owned()  # this thread becomes the one the dispatcher serves
        except BaseException as error:  # reported to the view being created, never a silent hang
            failed.append(error)
            return
        finally:
            installed.set()
        dispatcher.run()  # until exit (releases the GIL while it waits)

    # Until exit: stop_for_exit() ends it once the views have closed (their "dccview:closed" handlers
    # run here).
    threading.Thread(target=serve, name=THREAD_NAME, daemon=True).start()
    installed.wait()
    if failed:
        raise RuntimeError(f"dccview: the strict handler thread could not start: {failed[0]!r}") from failed[0]
    return dispatcher


def stop_for_exit() -> None:
    """At exit, after every view closed: the thread leaves native code (the exit gate waits for that)."""
    with _lock:
        dispatcher = _dispatcher
    if dispatcher is not None:
        dispatcher.quit()
