"""dccview's exceptions (defined by the native module, re-exported here).

``ThreadSafetyError`` is the base of ``DeadlockDetectedError``, ``ThreadDispatchTimeoutError`` (also a
``TimeoutError``), ``ShutdownInProgressError`` and ``QueueFullError``. ``JavaScriptError`` (a
``RuntimeError``) reports a page-side failure and carries ``name``, ``message`` and ``stack``.
"""

from ._core import (
    DeadlockDetectedError,
    JavaScriptError,
    QueueFullError,
    ShutdownInProgressError,
    ThreadDispatchTimeoutError,
    ThreadSafetyError,
)

__all__ = [
    "ThreadSafetyError",
    "DeadlockDetectedError",
    "ThreadDispatchTimeoutError",
    "ShutdownInProgressError",
    "QueueFullError",
    "JavaScriptError",
    "javascript_error",
]


def javascript_error(name: str, message: str, stack: str = "") -> JavaScriptError:
    """A JavaScriptError for a page failure, with the page's error name, message and stack."""
    error = JavaScriptError(f"JavaScript error: {name}: {message}" if name else f"JavaScript error: {message}")
    error.name = name
    error.message = message
    error.stack = stack
    return error
