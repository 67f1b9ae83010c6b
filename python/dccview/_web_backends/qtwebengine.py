"""The Qt WebEngine backend: a dccview panel as a QWebEngineView of the host's own Qt (PySide2,
PySide6, PyQt5 or PyQt6), driven by the same native core as WebKitGTK views (bindings/web_backend.h
lists what the core calls). Everything here runs on the Qt GUI thread, the host's main thread.

The bridge is the WebKitGTK one (js/bridge.js in the page's world, js/bridge_world.js in an isolated
world): here the isolated world is Qt's ApplicationWorld, and its channel to native code is a
QWebChannel set on that world only, so page scripts and frames cannot reach it (docs/protocol.md).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Callable, Dict, Optional

from .. import _core

logger = logging.getLogger("dccview")

_TOKEN_PLACEHOLDER = "__DCCVIEW_BRIDGE_TOKEN__"

_classes: Dict[str, SimpleNamespace] = {}


def _qt_classes(qt) -> SimpleNamespace:
    """The QObject subclasses this backend needs, made once per binding."""
    made = _classes.get(qt.binding)
    if made is not None:
        return made

    class Sink(qt.QtCore.QObject):
        """The QWebChannel object of the privileged half (its only object): the page posts to it,
        and its toPage signal carries native code's messages to the page (doc, messages, ack).

        Its slots only queue what arrived (the queued signal below): it is handled from Qt's event
        loop once the channel's call has returned. A handler that spins a nested event loop (a modal
        or file dialog) would otherwise run inside Chromium's task that delivered the call, where
        Chromium runs none of its own: every later page message and evaluation result would wait for
        the dialog to close (measured)."""

        toPage = qt.Signal(str, str, int)  # noqa: N815 - the name the page connects to
        _arrived = qt.Signal(str, str)  # (slot, argument), handled from Qt's loop (queued)

        def __init__(self, parent, events: "_core.BackendEvents") -> None:
            super().__init__(parent)
            self._events = events
            self._arrived.connect(self._handle, qt.QUEUED)

        @qt.Slot(int)
        def delivered(self, ack: int) -> None:
            self._arrived.emit("delivered", str(ack))

        @qt.Slot(str)
        def post(self, text: str) -> None:
            self._arrived.emit("post", text)

        @qt.Slot(str)
        def evalResult(self, text: str) -> None:  # noqa: N802 - the name the page calls
            self._arrived.emit("evalResult", text)

        @qt.Slot(str, str)
        def _handle(self, slot: str, argument: str) -> None:
            if slot == "post":
                self._events.page_message(argument)
            elif slot == "evalResult":
                self._events.evaluation_result(argument)
            else:
                self._events.delivered(int(argument))

    class View(qt.QWebEngineView):
        """Its window's close button asks the core to close gracefully instead of closing at once."""

        on_close_button: Optional[Callable[[], None]] = None

        def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
            if self.on_close_button is None:
                return super().closeEvent(event)
            event.ignore()
            self.on_close_button()

    class Page(qt.QWebEnginePage):
        """Console messages go to the "dccview" logger (DEBUG) instead of the process's stderr."""

        def javaScriptConsoleMessage(self, level, message, line, source) -> None:  # noqa: N802 - Qt's name
            logger.debug("page console (%s:%s): %s", source or "script", line, message)

    made = SimpleNamespace(Sink=Sink, View=View, Page=Page)
    _classes[qt.binding] = made
    return made


def _webchannel_js(qt) -> str:
    """qwebchannel.js, which Qt WebEngine ships as a resource."""
    resource = qt.QtCore.QFile(":/qtwebchannel/qwebchannel.js")
    if not resource.open(qt.READ_ONLY):
        raise RuntimeError("dccview: Qt WebEngine's qwebchannel.js resource is missing")
    try:
        return bytes(resource.readAll()).decode("utf-8")
    finally:
        resource.close()


def _termination_reason(qt, status) -> str:
    if status == qt.NORMAL_TERMINATION:
        return "terminated_by_api"
    return "crashed"  # abnormal exit, crash, or killed (the OOM killer included)


class QtWebEngineBackend:
    """One view. Made by the core on the GUI thread through the factory in _web_backends. The core
    (src/webview/channel_backend.h) holds scripts back while the view navigates and answers every
    evaluation; this class is the engine: it loads, runs scripts, and reports what Qt says."""

    def __init__(self, qt, events: "_core.BackendEvents", token: str, options: SimpleNamespace) -> None:
        self._qt = qt
        self._events = events
        self._lost = False  # the widget was deleted under us (its parent went)
        self._html_base: Optional[str] = None  # the URL load_html's page stands for, while shown
        classes = _qt_classes(qt)
        self.view = classes.View(options.parent) if options.parent is not None else classes.View()
        self._page = classes.Page(self.view)
        self.view.setPage(self._page)
        # The sink and the timer are the view's children: Qt deletes them with it, on this thread (a
        # Python-owned QObject would be deleted by whichever thread's garbage collection frees it).
        self._sink = classes.Sink(self.view, events)
        # The evaluations' one timer (arm_expiry). Never a timer per evaluation: a QTimer released
        # inside its own timeout is deleted while Qt's dispatcher still runs it, and PySide2's
        # singleShot with a callable crashed the same way (measured: SIGSEGV in
        # QEventDispatcherGlibPrivate::runTimersOnceWithNormalPriority, about one run in four).
        self._expiry = qt.QtCore.QTimer(self.view)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(events.expire_evaluations)
        self._install_bridge(token)
        self._page.loadStarted.connect(self._on_load_started)
        self._page.loadFinished.connect(self._on_load_finished)
        self._page.renderProcessTerminated.connect(self._on_render_process_terminated)
        self.view.destroyed.connect(self._on_destroyed)
        if options.parent is None:
            self.view.on_close_button = events.close_requested
        self.view.setWindowTitle(options.title)
        self.view.resize(options.width, options.height)
        if options.visible:
            self.view.show()

    def _install_bridge(self, token: str) -> None:
        """Both halves at document start, top frame only; the channel in dccview's world alone."""
        qt = self._qt
        self._channel = qt.QWebChannel(self._page)
        self._channel.registerObject("dccview", self._sink)
        self._page.setWebChannel(self._channel, qt.APPLICATION_WORLD)
        page_js, world_js = _core.bridge_scripts()
        self._add_script("dccview-bridge-world", _webchannel_js(qt) + world_js.replace(_TOKEN_PLACEHOLDER, token),
                         qt.APPLICATION_WORLD)
        self._add_script("dccview-bridge", page_js, qt.MAIN_WORLD)

    def _add_script(self, name: str, source: str, world: int) -> None:
        script = self._qt.QWebEngineScript()
        script.setName(name)
        script.setSourceCode(source)
        script.setWorldId(world)
        script.setInjectionPoint(self._qt.DOCUMENT_CREATION)
        script.setRunsOnSubFrames(False)  # the top frame only, as on WebKitGTK
        self._page.scripts().insert(script)

    # ---- what the core calls (bindings/web_backend.h), never after view_lost() ----
    def load_html(self, html: str, base_url: str) -> None:
        self._html_base = base_url or "about:blank"
        self.view.setHtml(html, self._qt.QtCore.QUrl(base_url)) if base_url else self.view.setHtml(html)

    def load_url(self, url: str) -> None:
        self._html_base = None
        self.view.load(self._qt.QtCore.QUrl(url))

    def reload(self) -> None:
        self.view.reload()

    def current_url(self) -> str:
        if self._lost:
            return ""
        url = self.view.url().toString()
        # setHtml shows a data: URL (or, with a base URL, that URL): report what load_html was given,
        # so that the core replays the HTML on reload() instead of loading the base URL.
        if self._html_base is not None and (url.startswith("data:") or url in (self._html_base, "")):
            return self._html_base
        return url

    def run(self, script: str, done: Optional[Callable[[], None]]) -> None:
        if done is None:
            self._page.runJavaScript(script, self._qt.MAIN_WORLD)
        else:
            # The completion value is dropped, and must be: PySide2 5.15 crashes converting a boolean
            # result for a callback (measured: "true" -> SIGSEGV), so the script ends in undefined.
            self._page.runJavaScript(script + "\n;void 0", self._qt.MAIN_WORLD, lambda _result: done())

    def send(self, doc: str, messages_json: str, ack: int) -> bool:
        self._sink.toPage.emit(doc, messages_json, ack)
        return True

    def arm_expiry(self, delay_s: float) -> None:
        if self._expiry is not None:
            self._expiry.start(int(delay_s * 1000))

    def show(self) -> None:
        if not self._lost:
            self.view.show()

    def hide(self) -> None:
        if not self._lost:
            self.view.hide()

    def set_title(self, title: str) -> None:
        if not self._lost:
            self.view.setWindowTitle(title)

    def set_size(self, width: int, height: int) -> None:
        if not self._lost:
            self.view.resize(width, height)

    def native_handle(self) -> int:
        return 0  # a widget of the host's own Qt: dock it with WebView.widget(), not a window id

    def show_inspector(self) -> bool:
        return False  # WebView.show_inspector() refuses before getting here (see webview.py)

    def save_png(self, path: str, done: Callable[[Optional[str]], None]) -> None:
        if self._lost:
            done("the WebView's widget was deleted")
            return
        if self.view.grab().save(path, "PNG"):
            done(None)
        else:
            done("cannot write " + path)

    def destroy(self) -> None:
        """Deletes every Qt object of the view here, on the GUI thread, and breaks the reference
        cycles to this object: left to Python's garbage collector, a QObject would be deleted on
        whichever thread collects, while Qt's GUI thread uses it."""
        if not self._lost:
            self._delete_view()
        self._sink = self._events = None  # type: ignore[assignment] # the view is gone: nothing reports

    def _delete_view(self) -> None:
        self._page.loadStarted.disconnect(self._on_load_started)
        self._page.loadFinished.disconnect(self._on_load_finished)
        self._page.renderProcessTerminated.disconnect(self._on_render_process_terminated)
        self.view.destroyed.disconnect(self._on_destroyed)
        self.view.on_close_button = None
        self.view.hide()
        self.view.setParent(None)
        self._expiry.stop()
        view, self.view, self._page, self._channel, self._expiry = self.view, None, None, None, None
        # Its page (and channel), sink and timer are its children: deleted with it, from Qt's loop
        # (deleteLater), never from inside the slot that is pumping dccview's queue right now.
        view.deleteLater()

    # ---- what Qt reports ----
    def _on_load_started(self) -> None:
        self._events.load_started()

    def _on_load_finished(self, _ok: bool) -> None:
        self._events.load_finished()

    def _on_render_process_terminated(self, status, _exit_code) -> None:
        self._events.web_process_terminated(_termination_reason(self._qt, status))

    def _on_destroyed(self, *_args) -> None:
        # The widget was deleted with its parent: the view closes gracefully ("dccview:closed", then
        # ShutdownInProgressError), as a docked WebKitGTK view does when its parent window goes.
        if self._lost:
            return
        self._lost = True
        self._expiry = None  # deleted with the view: the core answers the evaluations when the view closes
        logger.warning("WebView: its widget was deleted with its parent; closing")
        self._events.view_lost()
        self._events.close_requested()
