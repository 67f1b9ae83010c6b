"""dccview's exceptions (defined by the native module, re-exported here).

``ThreadSafetyError`` is the base of ``DeadlockDetectedError``, ``ThreadDispatchTimeoutError`` (also a
``TimeoutError``), ``ShutdownInProgressError`` and ``QueueFullError``. ``JavaScriptError`` (a
``RuntimeError``) reports a page-side failure and carries ``name``, ``message`` and ``stack``.
``WebProcessError`` (a ``RuntimeError``, not a ``JavaScriptError``) reports that the process running
the page ended (crash, kill, memory limit) before the page answered: no page bug; ``reload()`` brings
the page back.
"""

from typing import Union


from ._core import (
    DeadlockDetectedError,
    JavaScriptError,
    QueueFullError,
    ShutdownInProgressError,
    ThreadDispatchTimeoutError,
    ThreadSafetyError,
    WebProcessError,
)

__all__ = [
    "ThreadSafetyError",
    "DeadlockDetectedError",
    "ThreadDispatchTimeoutError",
    "ShutdownInProgressError",
    "QueueFullError",
    "JavaScriptError",
    "WebProcessError",
    "WebBackendUnavailableError",
    "javascript_error",
]


# What an eval_js_async callback receives as its error.
EvalError = Union[JavaScriptError, WebProcessError]

WEB_PROCESS_ERROR_NAME = "WebProcessError"  # the name the native side reports a lost web process with


def javascript_error(name: str, message: str, stack: str = "") -> EvalError:
    """The exception for a failed page evaluation: a JavaScriptError with the page's error name,
    message and stack, or a WebProcessError (same attributes) when the page's process ended."""
    error: EvalError
    if name == WEB_PROCESS_ERROR_NAME:
        error = WebProcessError(message)
    else:
        error = JavaScriptError(f"JavaScript error: {name}: {message}" if name else f"JavaScript error: {message}")
    # Both carry the page's three (WebProcessError's are set here: it has no fields of its own).
    setattr(error, "name", name)  # noqa: B010 - an attribute the type does not declare
    setattr(error, "message", message)  # noqa: B010
    setattr(error, "stack", stack)  # noqa: B010
    return error


class WebBackendUnavailableError(RuntimeError):
    """The web backend asked for (``backend=`` or ``DCCVIEW_BACKEND``) cannot run in this process; the
    message names what is missing (a module, a QApplication) and how to get it."""
