"""Interpreter exit and logging glue.

When the main script ends, before Python joins the remaining non-daemon threads (threading's exit
hooks), dccview shuts the main-thread dispatcher down (so workers blocked in run_on_main_thread_sync
get ShutdownInProgressError instead of waiting for a main thread that will never pump again) and
closes every open WebView (so emitting workers get ShutdownInProgressError). At atexit it closes the
native gate: from then on native threads never enter Python, and
Python threads calling into dccview get ShutdownInProgressError at once. No crash, no hang, however
many views are open and workers still posting.
"""

from __future__ import annotations

import atexit
import logging
import threading

from . import _core, _runtime, _strict

logger = logging.getLogger("dccview")

_LEVELS = {
    "trace": 5,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}

EXIT_GATE_TIMEOUT_S = 5.0


def _log_native(level: str, message: str) -> None:
    # One prefix: the logger's name says "dccview" already (some native lines start with it).
    logger.log(_LEVELS.get(level, logging.WARNING), "%s", message.removeprefix("dccview: "))


def _stop_work() -> None:
    from .webview import close_all_views

    _runtime.shut_down_for_exit(drain_timeout=0.5)
    close_all_views()
    _strict.stop_for_exit()


def _close_gate() -> None:
    try:
        _stop_work()  # again: work started by other atexit handlers, or the early hook was missing
    finally:
        if not _core.close_gate(EXIT_GATE_TIMEOUT_S):
            logger.warning("native work still inside Python %.0f s after exit began", EXIT_GATE_TIMEOUT_S)
        _core.set_log_handler(None)


def install() -> None:
    _core.set_log_handler(_log_native)
    register_early = getattr(threading, "_register_atexit", None)  # runs before non-daemon joins
    if register_early is not None:
        register_early(_stop_work)
    atexit.register(_close_gate)
