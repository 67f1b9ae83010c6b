"""
dccview's native core: dispatcher, WebView, errors (use the dccview package instead).
"""

from collections.abc import Sequence


class ThreadSafetyError(Exception):
    """Base class of dccview's thread-safety errors."""

class DeadlockDetectedError(ThreadSafetyError):
    """A wait would close a cycle of waits that nobody serves, or a lock was taken against the lock order."""

class ThreadDispatchTimeoutError(ThreadSafetyError, TimeoutError):
    """A synchronous dispatch did not finish in time (also a TimeoutError)."""

class ShutdownInProgressError(ThreadSafetyError):
    """The target (dispatcher, WebView, interpreter) is shutting down or gone."""

class QueueFullError(ThreadSafetyError):
    """A bounded queue refused the work (backpressure)."""

class JavaScriptError(RuntimeError):
    """A page script threw or rejected (a RuntimeError)."""
    name: str
    message: str
    stack: str

class WebProcessError(RuntimeError):
    """The process running the page ended before the page answered; reload() brings the page back."""

class NoServingWait:
    """with-scope: waits on this thread do not serve its loop."""

    def __init__(self, reason: str) -> None: ...

    def __enter__(self) -> NoServingWait: ...

    def __exit__(self, *args) -> None: ...

    @property
    def reason(self) -> str: ...

class Dispatcher:
    """
    The native main-thread dispatcher (queues, waits, timeouts, cycle checks).
    """

    def __init__(self, main_thread_timeout_ms: int = 30000, js_eval_timeout_ms: int = 5000, max_retries: int = 3, retry_delay_ms: int = 100, debug_lock_order: bool | None = None) -> None: ...

    def install_owned(self) -> None:
        """The calling thread becomes the main thread; run() drives it."""

    def install_manual(self, wake: object) -> None:
        """
        The calling thread becomes the main thread; wake() (any thread) must make it call pump().
        """

    def install_glib(self) -> None:
        """
        The calling thread becomes the main thread, served by the default GLib main context.
        """

    def run(self) -> None:
        """Runs the owned loop until quit() (main thread; releases the GIL)."""

    def quit(self) -> None:
        """Makes run() return (sticky until reset_quit()). Any thread."""

    def reset_quit(self) -> None:
        """Clears an earlier quit() so run() runs again. Main thread."""

    def pump(self, budget_s: float = 0.01) -> tuple[int, bool]:
        """
        Runs queued work for up to budget_s seconds; returns (ran, more_pending). Main thread.
        """

    def post(self, fn: object) -> None:
        """Queues fn() for the main thread; never runs it inline."""

    def call(self, fn: object, timeout_s: float, label: str) -> None:
        """Runs fn() on the main thread and waits (GIL released) up to timeout_s."""

    def is_main_thread(self) -> bool: ...

    @property
    def installed(self) -> bool: ...

    def has_pending(self) -> bool:
        """True when work waits (main thread)."""

    def shutdown(self) -> None: ...

    @property
    def is_shutdown(self) -> bool: ...

    def wait_for_drain(self, timeout_s: float) -> bool: ...

    def discard_pending(self) -> int: ...

    def stats(self) -> dict: ...

class WebViewProxy:
    """A handle usable from any thread; raises after close."""

    def eval_js(self, arg: str, /) -> None: ...

    def eval_js_async(self, script: str, callback: object, timeout_ms: float | None = None) -> None: ...

    def eval_js_sync(self, script: str, timeout_ms: float | None = None) -> str: ...

    def emit(self, event: str, data_json: str = 'null') -> None: ...

    def load_url(self, arg: str, /) -> None: ...

    def load_html(self, html: str, base_url: str = '') -> None: ...

    def reload(self) -> None: ...

    def close(self) -> None: ...

class WebView:
    """
    The native WebView (WebKitGTK, or a web backend written in Python); every method is thread-safe.
    """

    def __init__(self, title: str = 'dccview', width: int = 800, height: int = 600, visible: bool = True, debug: bool = False, dcc_mode: bool = False, thread_mode: str = 'auto', parent: int = 0, dispatcher: Dispatcher | None = None, js_eval_timeout_ms: int = 5000, main_thread_timeout_ms: int = 30000, max_retries: int = 3, retry_delay_ms: int = 100, debug_lock_order: bool | None = None, allowed_origins: Sequence[str] = [], max_payload_bytes: int = 16777216, close_timeout_ms: int = 5000, backend_factory: object | None = None, handlers_dispatcher: Dispatcher | None = None) -> None:
        """
        backend_factory(events, bridge_token) -> backend: a web engine written in Python (see dccview._web_backends); None for the built-in WebKitGTK. handlers_dispatcher: where dcc_mode handlers run, if not on `dispatcher`'s (the main) thread.
        """

    def load_html(self, html: str, base_url: str = '') -> None: ...

    def load_url(self, arg: str, /) -> None: ...

    def reload(self) -> None: ...

    def on(self, name: str, handler: object) -> None:
        """handler(params_json: str) -> str (JSON text)."""

    def show(self) -> None: ...

    def hide(self) -> None: ...

    def set_title(self, arg: str, /) -> None: ...

    def set_size(self, arg0: int, arg1: int, /) -> None: ...

    def native_handle(self) -> int: ...

    def show_inspector(self) -> None:
        """Opens the WebKit inspector (the view must be created with debug=True)."""

    def save_screenshot(self, path: str, timeout_s: float = 10.0) -> None: ...

    def close(self) -> None: ...

    @property
    def is_closed(self) -> bool: ...

    @property
    def thread_mode(self) -> str:
        """
        Where the view lives: 'dedicated' (dccview's own WebView thread) or 'host' (the host's main thread).
        """

    def get_proxy(self) -> WebViewProxy: ...

class BackendEvents:
    """
    What a web backend reports to the WebView core. GUI thread only; calls after the view is destroyed do nothing.
    """

    def page_message(self, arg: str, /) -> None:
        """
        A message the bridge's privileged half posted (header line and page message).
        """

    def evaluation_result(self, arg: str, /) -> None:
        """
        '<evaluation id>\\n<outcome JSON>', as the evaluation script (run(...)) sent it.
        """

    def delivered(self, arg: int, /) -> None:
        """The page handled the delivery sent with `ack`."""

    def load_started(self) -> None:
        """A navigation started (one the view made or one the page started)."""

    def load_finished(self) -> None:
        """The load ended (loaded or failed)."""

    def expire_evaluations(self) -> None:
        """The timer arm_expiry() armed fired."""

    def web_process_terminated(self, arg: str, /) -> None:
        """reason: 'crashed', 'exceeded_memory_limit' or 'terminated_by_api'."""

    def view_lost(self) -> None:
        """
        The engine's view was deleted under the backend (its parent went): nothing reaches the page any more. Report close_requested() as well to close the WebView.
        """

    def close_requested(self) -> None: ...

    @property
    def alive(self) -> bool: ...

def bridge_scripts() -> tuple[str, str]:
    """
    (page half, privileged half) for web backends: js/bridge.js, and js/bridge_world.js with its token placeholder __DCCVIEW_BRIDGE_TOKEN__.
    """

def set_log_handler(handler: object | None) -> None:
    """
    Routes native log lines to handler(level_name, message); None restores stderr.
    """

def set_log_level(level: str) -> None: ...

def close_gate(timeout_s: float) -> bool:
    """
    Exit hook: native threads stop entering Python; waits for those inside.
    """

def gate_open() -> bool: ...

def set_current_thread_name(name: str) -> None:
    """
    Names the calling thread for the OS (ps, top, debuggers); Linux cuts it to 15 bytes.
    """

def set_lock_order_mode(mode: str) -> None: ...

def configure_lock_order(debug_lock_order: bool) -> None:
    """
    Applies ThreadSafetyConfig.debug_lock_order (throw or report) unless DCCVIEW_LOCK_ORDER or set_lock_order_mode() decided the mode.
    """
