"""dccview: thread-safe web UIs inside DCC applications.

    from dccview import WebView
    from dccview.utils import dcc_thread_safe

    webview = WebView(title="Tool", html=PAGE, dcc_mode=True)

    @webview.on("create_object")
    def handle_create(data):          # runs on the DCC main thread (dcc_mode)
        return make_cube(data["name"])  # the return value resolves the page's promise

    webview.show()

See docs/python.md for the threading rules and guarantees.
"""

from . import _core  # noqa: F401 - dccview._core, the native module, is part of the package's API
from ._exit import install as _install_exit_hook
from ._runtime import configure
from .config import ThreadSafetyConfig
from .errors import (
    DeadlockDetectedError,
    JavaScriptError,
    QueueFullError,
    ShutdownInProgressError,
    ThreadDispatchTimeoutError,
    ThreadSafetyError,
    WebBackendUnavailableError,
    WebProcessError,
)
from ._web_backends import prepare_qt_application
from .webview import WebView, WebViewProxy, broadcast, list_webviews

__version__ = "0.1.0"

__all__ = [
    "WebView",
    "WebViewProxy",
    "list_webviews",
    "broadcast",
    "prepare_qt_application",
    "ThreadSafetyConfig",
    "configure",
    "ThreadSafetyError",
    "DeadlockDetectedError",
    "ThreadDispatchTimeoutError",
    "ShutdownInProgressError",
    "QueueFullError",
    "JavaScriptError",
    "WebBackendUnavailableError",
    "WebProcessError",
]

_install_exit_hook()
