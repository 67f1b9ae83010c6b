"""DCC thread-safety utilities (the RFC's module): decorators and the thread-safe WebView wrapper."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .thread_dispatcher import (
    dcc_thread_safe,
    dcc_thread_safe_async,
    ensure_main_thread,
    is_main_thread,
    run_on_main_thread,
    run_on_main_thread_sync,
)

if TYPE_CHECKING:
    from ..webview import WebView

__all__ = [
    "dcc_thread_safe",
    "dcc_thread_safe_async",
    "ensure_main_thread",
    "is_main_thread",
    "run_on_main_thread",
    "run_on_main_thread_sync",
    "DCCThreadSafeWrapper",
]


class DCCThreadSafeWrapper:
    """A WebView's operations, safe to call from any thread (the RFC's ``webview.thread_safe()``).

    Every method goes through the view's proxy: it never blocks the caller on the WebView thread
    (except ``eval_js_sync`` and ``close``, which wait with timeouts), and raises
    ShutdownInProgressError once the view is closed instead of dropping work.
    """

    def __init__(self, webview: "WebView") -> None:
        self._webview = webview
        self._proxy = webview.get_proxy()

    def eval_js(self, script: str) -> None:
        """Runs ``script`` in the page (fire-and-forget)."""
        self._proxy.eval_js(script)

    def eval_js_sync(self, script: str, timeout_ms: Optional[int] = None) -> Any:
        """Runs ``script`` and returns its value (awaited if it is a Promise). ``timeout_ms`` defaults to
        the view's ``js_eval_timeout_ms`` (the RFC's 5000 ms unless ``configure()`` or the view's
        ``config=`` says otherwise).

        Raises TimeoutError (ThreadDispatchTimeoutError) whose message includes the script's first 100
        characters, RuntimeError (JavaScriptError) "JavaScript error: ..." for page errors, and
        DeadlockDetectedError at once where waiting could never end (on the WebView's own thread).
        """
        return self._proxy.eval_js_sync(script, timeout_ms)

    def emit(self, event_name: str, data: Optional[dict] = None) -> None:
        """Sends ``event_name`` with ``data`` (JSON-serializable; None becomes {}) to the page."""
        self._proxy.emit(event_name, {} if data is None else data)

    def load_url(self, url: str) -> None:
        self._proxy.load_url(url)

    def load_html(self, html: str) -> None:
        self._proxy.load_html(html)

    def reload(self) -> None:
        self._proxy.reload()

    def close(self) -> None:
        """Closes the view gracefully (drains queued operations up to the close timeout)."""
        self._proxy.close()

    def __repr__(self) -> str:
        return f"<DCCThreadSafeWrapper of {self._webview!r}>"

