"""Qt applications (PySide6, PySide2, PyQt6, PyQt5) and hosts built on them (3ds Max): a QObject living on
the GUI thread receives a queued signal and pumps. Emitting a signal is safe from any thread (Qt queues
it to the receiver's thread); QTimer.singleShot from a foreign thread is not and is never used."""

from __future__ import annotations

import collections
import logging
import sys
from typing import Callable, Deque

from ...._web_backends.qt_binding import BINDINGS
from ..base import ThreadDispatcherBackend

_BINDINGS = BINDINGS  # the same search as the Qt WebEngine backend's
logger = logging.getLogger("dccview")


def loaded_qt_core():
    """The QtCore module of the Qt binding this process already uses, or None."""
    for binding in _BINDINGS:
        module = sys.modules.get(binding + ".QtCore")
        if module is not None:
            return module
    return None


def _make_waker(qt_core, callback: Callable[[], None]):
    signal_type = getattr(qt_core, "Signal", None) or qt_core.pyqtSignal  # PySide's name, else PyQt's
    slot_type = getattr(qt_core, "Slot", None) or qt_core.pyqtSlot

    class Waker(qt_core.QObject):
        wake = signal_type()

        def __init__(self) -> None:
            super().__init__()
            queued = getattr(qt_core.Qt, "QueuedConnection", None) or qt_core.Qt.ConnectionType.QueuedConnection
            self.wake.connect(self.on_wake, queued)  # PyQt6 only has the scoped enum name

        @slot_type()
        def on_wake(self) -> None:
            callback()

    return Waker()


class QtBackend(ThreadDispatcherBackend):
    name = "Qt"

    def __init__(self) -> None:
        super().__init__()
        self._waker = None
        self._callbacks: Deque[Callable[[], None]] = collections.deque()

    def _application(self):
        qt_core = loaded_qt_core()
        return None if qt_core is None else qt_core.QCoreApplication.instance()

    def is_available(self) -> bool:
        return self._application() is not None

    def main_thread_ident(self) -> int:
        # The GUI thread is the thread that created the application; in every host it is Python's
        # main thread. Qt exposes no thread ident, so this relies on that.
        return super().main_thread_ident()

    def install(self, dispatcher) -> None:
        self._dispatcher = dispatcher
        waker = self._ensure_waker()
        dispatcher.install_manual(self._request_pump)
        if self._callbacks:
            waker.wake.emit()

    def install_from_other_thread(self, dispatcher) -> None:
        # A QObject made on this thread may move itself to the GUI thread; its queued signal then
        # runs the installation there (a worker's first call is served without waiting for the
        # GUI thread to call into dccview).
        self._ensure_waker()
        self.wake_main_thread(lambda: self._install_once(dispatcher))

    def _ensure_waker(self):
        """The waker, made on the calling thread if there is none yet and moved to the GUI thread."""
        waker = self._waker
        if waker is None:
            qt_core = loaded_qt_core()
            waker = _make_waker(qt_core, self._run_callbacks)
            # Allowed from the thread the object lives in, and a no-op on the GUI thread. Never ask a
            # worker's object for its thread(): the Python wrapper of Qt's adopted-thread object would
            # then be released when that thread ends, possibly during interpreter exit, where taking
            # the GIL ends the thread inside Qt's destructor (std::terminate; seen with PySide2).
            waker.moveToThread(qt_core.QCoreApplication.instance().thread())
            self._waker = waker
        return waker

    def wake_main_thread(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)  # deque.append is atomic under the GIL
        waker = self._waker
        if waker is not None:
            waker.wake.emit()

    def _run_callbacks(self) -> None:
        while self._callbacks:
            callback = self._callbacks.popleft()
            try:
                callback()
            except Exception:
                logger.exception("a main-thread callback raised")

    def uninstall(self) -> None:
        waker, self._waker = self._waker, None
        if waker is not None:
            waker.deleteLater()
        super().uninstall()


class MaxBackend(QtBackend):
    """Autodesk 3ds Max (pymxs raises on worker threads; MaxPlus is gone): the Qt waker on Max's GUI
    thread."""

    name = "3ds Max"

    def is_available(self) -> bool:
        return "pymxs" in sys.modules and super().is_available()
