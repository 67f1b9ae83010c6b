"""The WebView and its proxy: the RFC's Python API over dccview's native WebView.

Threads: the view lives on the WebView thread (dedicated GTK thread, or the host's main thread in host
mode). Every method here may be called from any thread. Handlers registered with ``on()`` run on the
WebView thread, or on the DCC main thread when ``dcc_mode=True`` (calls and events alike; the WebView
thread never blocks for them). Data crosses as JSON: handlers get ``handler(data)`` with the page's
params or event payload, and their return value resolves the page's promise.
"""

from __future__ import annotations

import inspect
import itertools
import json
import logging
import threading
import weakref
from types import SimpleNamespace
from typing import Any, Callable, Optional

from . import _bound_api, _core, _runtime, _strict, _web_backends
from .config import ThreadSafetyConfig
from .errors import (EvalError, JavaScriptError, ShutdownInProgressError, WebBackendUnavailableError,
                     javascript_error)
from .utils.dcc_thread_safe import DCCThreadSafeWrapper
from .utils.thread_dispatcher import call_on_main_thread, run_on_main_thread

__all__ = ["WebView", "WebViewProxy", "broadcast", "list_webviews"]

logger = logging.getLogger("dccview")

CLOSED_EVENT = "dccview:closed"
WEB_PROCESS_TERMINATED_EVENT = "dccview:web_process_terminated"

_live_views: "weakref.WeakSet[WebView]" = weakref.WeakSet()
_opened = itertools.count()  # numbers views in the order they were created (list_webviews())


JsonDefault = Optional[Callable[[Any], Any]]

# Why show_inspector() refuses on Qt WebEngine (from Python), and what to use instead.
QT_WEBENGINE_INSPECTOR = (
    "show_inspector() is not available for Qt WebEngine views from Python yet: an inspector opened in the "
    "process crashed it intermittently in testing. Use Chromium's remote debugging instead: start the "
    "application with QTWEBENGINE_REMOTE_DEBUGGING=127.0.0.1:9222 and open http://127.0.0.1:9222 in a browser")

# Qt WebEngine's setHtml() turns the page into a data: URL, which Chromium limits to 2 MB.
QT_WEBENGINE_MAX_HTML_BYTES = 2 * 1024 * 1024 - 64 * 1024


def _to_json(data: Any, default: JsonDefault = None) -> str:
    return json.dumps(data, allow_nan=False, separators=(",", ":"), default=default)


def _takes_argument(func: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD, parameter.VAR_POSITIONAL):
            return True
    return False


def _native_handler(name: str, func: Callable[..., Any], json_default: JsonDefault = None) -> Callable[[str], str]:
    """Adapts ``func(data)`` to the native JSON-text handler; failures reach the page as
    HandlerError (type and message) and the ``dccview`` logger (with the traceback). A return value
    that is not JSON is reported as such (``json_default`` converts what JSON cannot hold)."""
    with_data = _takes_argument(func)

    def handler(params_json: str) -> str:
        try:
            data = json.loads(params_json)
            result = func(data) if with_data else func()
        except Exception:
            logger.exception("handler %r raised", name)
            raise
        try:
            return _to_json(result, json_default)
        except (TypeError, ValueError) as error:
            logger.error("handler %r returned a value that is not JSON (%s): return dicts, lists, strings, "
                         "numbers, booleans or None, or give WebView(json_default=...) a function that "
                         "converts it", name, error)
            raise TypeError(f"the handler's return value is not JSON: {error}") from None

    return handler


def _eval_callback(callback: Callable[[Any, Optional[EvalError]], None], on_main: bool):
    def native(result_json: Optional[str], error) -> None:
        result = None if result_json is None else json.loads(result_json)
        js_error = None if error is None else javascript_error(*error)
        if on_main:
            run_on_main_thread(callback, result, js_error)  # failures logged and reported there
            return
        try:
            callback(result, js_error)
        except Exception:
            logger.exception("an eval_js_async callback raised")
            raise  # and to sys.unraisablehook, by the native caller

    return native


def _parent_widget(parent: Any) -> Any:
    """A Qt WebEngine view's parent: a QWidget, a native window id (the RFC's ``dcc_hwnd``: the
    backend finds its QWidget on the GUI thread), or None."""
    if parent is None or isinstance(parent, int) and not isinstance(parent, bool) and parent > 0:
        return parent
    if callable(getattr(parent, "winId", None)) and callable(getattr(parent, "layout", None)):
        return parent
    raise TypeError(f"parent must be a QWidget (or its window id) for a Qt WebEngine view, not "
                    f"{type(parent).__name__}")


def _parent_handle(parent: Any) -> int:
    if parent is None:
        return 0
    if isinstance(parent, int):
        if parent < 0:
            raise ValueError("parent must be a native window id >= 0")
        return parent
    win_id = getattr(parent, "winId", None)
    if callable(win_id):  # a QWidget or QWindow
        return int(win_id())
    raise TypeError(f"parent must be a native window id (int) or a Qt widget, not {type(parent).__name__}")


def _chain_closed(internal: Callable[[str], str], user: Callable[[str], str]) -> Callable[[str], str]:
    def on_closed(data: str) -> str:
        internal(data)  # first: show(wait=True) returns even if the application's handler raises
        return user(data)

    return on_closed


class WebViewProxy:
    """A handle on a WebView for any thread (the RFC's ``webview.get_proxy()``).

    Every method raises ShutdownInProgressError once the view is closed: nothing is dropped silently.
    """

    def __init__(self, native: "_core.WebViewProxy", dcc_mode: bool, owner: "WebView",
                 json_default: JsonDefault = None) -> None:
        self._native = native
        self._dcc_mode = dcc_mode
        self._json_default = json_default
        self._owner = weakref.ref(owner)
        self._max_html_bytes: Optional[int] = None  # the engine's limit on load_html, if any

    def eval_js(self, script: str) -> None:
        """Runs ``script`` in the page (fire-and-forget; page errors are logged)."""
        self._native.eval_js(script)

    def eval_js_async(self, script: str, callback: Callable[[Any, Optional[EvalError]], None],
                      timeout_ms: Optional[int] = None) -> None:
        """Runs ``script``; ``callback(result, error)`` gets its (awaited) value or a JavaScriptError
        (name, message, stack; a TimeoutError-named one after ``timeout_ms``, by default the view's
        ``js_eval_timeout_ms``, from ``configure()`` when the view was created without ``config=``).
        The callback runs on the WebView thread, or on the main thread in dcc_mode."""
        self._native.eval_js_async(script, _eval_callback(callback, self._dcc_mode), timeout_ms)

    def eval_js_sync(self, script: str, timeout_ms: Optional[int] = None) -> Any:
        """Runs ``script`` and returns its (awaited) value; see DCCThreadSafeWrapper.eval_js_sync."""
        try:
            return json.loads(self._native.eval_js_sync(script, timeout_ms))
        except JavaScriptError as error:
            name, _, message = str(error).partition(": ")
            raise javascript_error(getattr(error, "name", name), getattr(error, "message", message),
                                   getattr(error, "stack", "")) from None

    def emit(self, event_name: str, data: Any = None) -> None:
        """Sends ``event_name`` with ``data`` (JSON-serializable) to the page's listeners. Never blocks.
        ``None`` sends ``{}``, as the RFC's ``thread_safe().emit`` does, through every way to emit: a
        listener can read fields of what it gets without checking for null first."""
        self._native.emit(event_name, _to_json({} if data is None else data, self._json_default))

    def load_url(self, url: str) -> None:
        self._native.load_url(url)

    def load_html(self, html: str) -> None:
        if self._max_html_bytes is not None and len(html.encode("utf-8")) > self._max_html_bytes:
            raise ValueError(f"load_html: {len(html.encode('utf-8'))} bytes is more than Qt WebEngine shows "
                             f"({self._max_html_bytes}: setHtml makes a data: URL); serve it with load_url")
        self._native.load_html(html)

    def reload(self) -> None:
        self._native.reload()

    def close(self) -> None:
        """Closes the view gracefully; waits up to its close timeout."""
        self._native.close()

    # The RFC's DCC-aware methods.
    def on_dcc_main_thread(self, event_name: str, handler: Callable[..., Any]) -> None:
        """Registers ``handler`` for ``event_name``; it runs on the DCC main thread whatever the view's
        dcc_mode (its return value still reaches the page)."""
        self._open_owner()._register(event_name, handler, on_main=True)

    def call_on_dcc_main_thread(self, func: Callable[..., Any], *args: Any, timeout: Optional[float] = None,
                                **kwargs: Any) -> Any:
        """``run_on_main_thread_sync(func, *args, timeout=timeout, **kwargs)``; refused once the view is
        closed, like every other proxy method (the work belongs to the panel that is gone)."""
        self._open_owner()
        return call_on_main_thread(func, args, kwargs, timeout)

    def _open_owner(self) -> "WebView":
        owner = self._owner()
        if owner is None or owner.closed:
            raise ShutdownInProgressError("dccview: the WebView is closed")
        return owner


class WebView:
    """A web panel whose every operation is safe from any thread.

    Args:
        title, width, height: the window.
        url, html: content to load at once (html wins if both are given).
        parent: a native window id (X11) or a Qt widget to dock into.
        dcc_mode: run every handler (calls and events) on the DCC main thread.
        debug: enable the WebKit inspector.
        config: a ThreadSafetyConfig (eval and main-thread timeouts).
        thread_mode: "auto" (default), "dedicated" or "host" (see docs/python.md).
        allowed_origins: origins whose pages may call handlers (default: what the application loaded).
        close_timeout: seconds close() drains queued operations before destroying them (logged).
        name: the view's name (default: its title), for ``singleton`` and ``dccview.list_webviews()``.
        backend: the web engine: "auto" (the default, or ``DCCVIEW_BACKEND``), "webkitgtk" or
            "qtwebengine" (see docs/python.md); ``backend`` tells which one the view runs on.
        singleton: close an open view of the same name first: re-running a tool script (a DCC's script
            editor) replaces its panel instead of opening a second one beside it.
        strict: a debug aid (default: ``DCCVIEW_STRICT``): handlers without dcc_mode run on dccview's
            strict handler thread, never on the main thread, in every host, so a handler that touches
            the host's API without dcc_mode or ``@dcc_thread_safe`` fails at once in every host instead
            of working by accident where the view lives on the main thread.
        json_default: converts what JSON cannot hold (sets, dataclasses, paths) in handler return values
            and emitted data, as ``json.dumps(default=...)`` does; without it such values are refused
            with a TypeError that says so.
    """

    def __init__(self, title: str = "dccview", width: int = 800, height: int = 600, url: Optional[str] = None,
                 html: Optional[str] = None, *, parent: Any = None, dcc_mode: bool = False, debug: bool = False,
                 config: Optional[ThreadSafetyConfig] = None, thread_mode: str = "auto", visible: bool = True,
                 allowed_origins: Optional[list] = None, max_payload_bytes: int = 16 << 20,
                 close_timeout: float = 5.0, json_default: JsonDefault = None, name: Optional[str] = None,
                 singleton: bool = False, backend: Optional[str] = None, strict: Optional[bool] = None) -> None:
        if title is Ellipsis:  # the RFC's examples write WebView(...) for "the usual arguments"
            title = "dccview"
        self._name = str(name) if name is not None else title
        if singleton:  # re-running a tool script replaces its panel instead of opening a second one
            for earlier in list_webviews():
                if earlier.name == self._name:
                    earlier.close()
        self._config = config if config is not None else _runtime.config()
        if not isinstance(self._config, ThreadSafetyConfig):
            raise TypeError("config must be a ThreadSafetyConfig")
        self._dcc_mode = bool(dcc_mode)
        # Strict (a debug aid, dccview/_strict.py): handlers without dcc_mode run on dccview's strict
        # handler thread in every host, never on the main thread by accident of the host.
        self._strict = not self._dcc_mode and _strict.strict_requested(strict)
        self._closed_event = threading.Event()
        self._backend_name = _web_backends.resolve(backend, foreign_parent=_web_backends.is_foreign_window(parent))
        _web_backends.check_thread_mode(self._backend_name, thread_mode)
        self._engine: Any = None  # the Qt WebEngine backend object (GUI thread only)
        self._container: Any = None  # widget() for a WebKitGTK view in a Qt host
        factory = None
        if self._backend_name == "qtwebengine":
            options = SimpleNamespace(title=title, width=width, height=height, visible=visible, debug=debug,
                                      parent=_parent_widget(parent))
            factory = _web_backends.qtwebengine_factory(options, lambda engine: setattr(self, "_engine", engine))
            parent = None
        # The native core runs dcc_mode handlers on the main thread, or (strict) on the strict handler
        # thread; a Python web backend's views live on the main (GUI) thread either way.
        self._native = _core.WebView(
            title=title, width=width, height=height, visible=visible, debug=debug,
            dcc_mode=self._dcc_mode or self._strict, thread_mode=thread_mode, parent=_parent_handle(parent),
            dispatcher=_runtime.active().dispatcher,
            handlers_dispatcher=_strict.handler_dispatcher() if self._strict else None,
            **self._config.native_kwargs(),
            allowed_origins=list(allowed_origins or []), max_payload_bytes=max_payload_bytes,
            close_timeout_ms=int(close_timeout * 1000), backend_factory=factory)
        self._thread_mode = self._native.thread_mode
        if self._dcc_mode:
            _runtime.bind_view(self)  # registry changes are refused while it is open
        self._json_default = json_default
        self._bound = _bound_api.BoundSignatures()  # what bind_call/bind_api bound, for typescript()
        self._proxy = WebViewProxy(self._native.get_proxy(), self._dcc_mode, self, json_default)
        if self._backend_name == "qtwebengine":
            self._proxy._max_html_bytes = QT_WEBENGINE_MAX_HTML_BYTES
        self._native.on(CLOSED_EVENT, self._closed_handler())
        self._order = next(_opened)
        _live_views.add(self)
        if html is not None:
            self.load_html(html)
        elif url is not None:
            self.load_url(url)

    def _closed_handler(self) -> Callable[[str], str]:
        closed = self._closed_event

        def on_closed(_data: str) -> str:  # WebView thread; holds no reference to the view
            closed.set()
            from .utils.thread_dispatcher.wrapper import wake_main_loop

            wake_main_loop()  # show(wait=True) returns; a bare run_main_loop() goes on
            return "null"

        return on_closed

    # Handlers
    def on(self, event_name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: ``func(data)`` answers page calls ``dccview.call(event_name, params)`` (its return
        value resolves the page's promise, an exception rejects it with HandlerError) and receives
        page events ``dccview.emit(event_name, data)``. In dcc_mode it runs on the main thread."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self._register(event_name, func, on_main=False)
            return func

        return decorator

    def register_callback(self, event_name: str, func: Callable[..., Any]) -> None:
        """``on(event_name)(func)`` without the decorator syntax."""
        self._register(event_name, func, on_main=False)

    def bind_call(self, name: str, func: Optional[Callable[..., Any]] = None) -> Any:
        """AuroraView's name for a call handler: ``func`` answers ``dccview.call(name, params)`` with the
        params unpacked (an object as keyword arguments, an array as positional ones, null as none for
        a callable that takes none, anything else as one argument). Return values, exceptions and
        ``dcc_mode`` as for ``on()``. Also a decorator: ``@view.bind_call("name")``."""
        name = _bound_api.check_name(name)
        if func is None:
            return lambda decorated: self.bind_call(name, decorated)
        self._register(name, _bound_api.unpacking(func), on_main=False)
        self._bound.add(name, func)
        return func

    def bind_api(self, obj: Any, namespace: str = "api") -> "list[str]":
        """Binds every public method of ``obj`` as ``"<namespace>.<method>"`` (``bind_call``'s
        unpacking): ``dccview.call("api.create", {...})``. Returns the names bound, in name order;
        ``typescript()`` declares them for the page."""
        namespace = _bound_api.check_name(namespace)
        names = []
        for method, func in _bound_api.public_methods(obj).items():
            names.append(f"{namespace}.{method}")
            self.bind_call(names[-1], func)
        return names

    def typescript(self, module: str = "./dccview") -> str:
        """A TypeScript declaration of the calls bound with ``bind_call``/``bind_api`` (params and
        results typed from the Python annotations): save it beside js/dccview.d.ts (``module`` is how it
        imports that file) and ``dccview.call()`` of those names is type-checked. Any thread."""
        return self._bound.typescript(self._name, module)

    def _register(self, event_name: str, func: Callable[..., Any], on_main: bool) -> None:
        if not callable(func):
            raise TypeError("a handler must be callable")
        if on_main and not self._dcc_mode:
            target = func

            def func(*args: Any) -> Any:  # noqa: F811 - runs the original on the main thread
                return call_on_main_thread(target, args)

        handler = _native_handler(event_name, func, self._json_default)
        if event_name == CLOSED_EVENT:
            # The native side keeps one handler per name: chain the view's own closed bookkeeping
            # (which ends show(wait=True)) so an application's closed handler does not replace it.
            handler = _chain_closed(self._closed_handler(), handler)
        self._native.on(event_name, handler)

    # Thread-safe operations (all through the proxy: after close they raise ShutdownInProgressError)
    def emit(self, event_name: str, data: Any = None) -> None:
        self._proxy.emit(event_name, data)

    def eval_js(self, script: str) -> None:
        self._proxy.eval_js(script)

    def eval_js_async(self, script: str, callback: Callable[[Any, Optional[EvalError]], None],
                      timeout_ms: Optional[int] = None) -> None:
        self._proxy.eval_js_async(script, callback, timeout_ms)

    def eval_js_sync(self, script: str, timeout_ms: Optional[int] = None) -> Any:
        return self._proxy.eval_js_sync(script, timeout_ms)

    def load_url(self, url: str) -> None:
        self._proxy.load_url(url)

    def load_html(self, html: str) -> None:
        self._proxy.load_html(html)

    def reload(self) -> None:
        self._proxy.reload()

    def set_title(self, title: str) -> None:
        self._native.set_title(title)

    def set_size(self, width: int, height: int) -> None:
        self._native.set_size(width, height)

    @property
    def backend(self) -> str:
        """The web engine the view runs on: "webkitgtk" or "qtwebengine"."""
        return self._backend_name

    @property
    def strict(self) -> bool:
        """Whether handlers without dcc_mode run on dccview's strict handler thread (``strict=True`` or
        ``DCCVIEW_STRICT=1``; never for a dcc_mode view, whose handlers run on the main thread)."""
        return self._strict

    @property
    def thread_mode(self) -> str:
        """Where the view lives, as ``thread_mode="auto"`` resolved it: ``"dedicated"`` (dccview's own
        WebView thread: handlers without dcc_mode run there, off the main thread) or ``"host"`` (the
        host's main thread, which also runs every handler; Qt WebEngine views always). Fixed for the
        view's life; readable from any thread."""
        return self._thread_mode

    def widget(self) -> Any:
        """The QWidget to dock into a Qt host's layout or dock widget: the QWebEngineView itself, or
        (a WebKitGTK view in a Qt application) a window container around the view's X11 window, made
        with the application's binding on the first call. GUI (main) thread only."""
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("widget(): Qt widgets belong to the GUI thread; call it there")
        if self._native.is_closed:
            raise ShutdownInProgressError("widget(): the WebView is closed")
        if self._engine is not None:
            return self._engine.view
        if self._container is None:
            self._container = _web_backends.window_container(self._native.native_handle())
        return self._container

    def hide(self) -> None:
        self._native.hide()

    @property
    def native_handle(self) -> int:
        """The X11 window id of the view (for docking it into a host's widget)."""
        return self._native.native_handle()

    def show_inspector(self) -> None:
        """Opens the WebKit inspector in a window of its own. Raises ``ValueError`` when the view was
        created without ``debug=True``, ``ShutdownInProgressError`` once it is closed."""
        if self._backend_name == "qtwebengine":
            raise WebBackendUnavailableError(QT_WEBENGINE_INSPECTOR)
        self._native.show_inspector()

    def save_screenshot(self, path: str, timeout: float = 10.0) -> None:
        self._native.save_screenshot(str(path), timeout)

    def show(self, wait: bool = True) -> None:
        """Shows the view. In a standalone script ``show(wait=True)`` runs dccview's loop on the calling
        thread (which becomes the main thread) until the view is closed from any thread; inside a host
        (whose loop serves the main thread) it returns at once."""
        self._native.show()
        if wait and not self._closed_event.is_set():
            from .utils.thread_dispatcher import run_main_loop

            run_main_loop(until=self._closed_event.is_set)

    def close(self) -> None:
        """Graceful close: stop accepting, drain queued operations up to close_timeout (a warning is
        logged when it is hit), reject the page's pending calls, destroy. Idempotent; any thread."""
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.is_closed

    @property
    def name(self) -> str:
        """The view's name (``name=``, else its title): what ``singleton=True`` and
        ``list_webviews()`` go by."""
        return self._name

    def get_proxy(self) -> WebViewProxy:
        return self._proxy

    def thread_safe(self) -> DCCThreadSafeWrapper:
        """A wrapper whose methods may be called from any thread (the RFC's ``thread_safe()``)."""
        return DCCThreadSafeWrapper(self)

    def __enter__(self) -> "WebView":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<dccview.WebView {self._name!r} {state}{' dcc_mode' if self._dcc_mode else ''}>"


def list_webviews() -> "list[WebView]":
    """The open WebViews of this process, oldest first. Any thread."""
    return sorted((view for view in list(_live_views) if not view.closed), key=lambda view: view._order)


def broadcast(event_name: str, data: Any = None) -> int:
    """Emits ``event_name`` with ``data`` to every open WebView of this process (as ``emit``: never
    blocks; ``None`` sends ``{}``). A view closing meanwhile is skipped. Returns how many views it went
    to. Any thread."""
    sent = 0
    for view in list_webviews():
        try:
            view.emit(event_name, data)
            sent += 1
        except ShutdownInProgressError:
            pass  # closed between the listing and the emit
    return sent


def close_all_views() -> None:
    """Closes every open WebView (the exit hook)."""
    for view in list(_live_views):
        try:
            view.close()
        except Exception:
            logger.exception("closing a WebView at exit failed")
