"""Which web engine a WebView runs on: WebKitGTK (built into dccview._core) or Qt WebEngine (the host's
own Qt binding, python/dccview/_web_backends/qtwebengine.py), chosen by ``WebView(backend=...)`` or
``DCCVIEW_BACKEND``:

- ``"auto"`` (the default): Qt WebEngine when this process runs a QApplication and its binding has
  QtWebEngine (Maya, Houdini, Nuke, 3ds Max, a PySide application), WebKitGTK otherwise (Blender,
  GTK applications, standalone tools on Linux);
- ``"qtwebengine"`` or ``"webkitgtk"``: that engine, or a WebBackendUnavailableError naming what is
  missing.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from types import SimpleNamespace
from typing import Any, Callable, Optional

from ..errors import WebBackendUnavailableError
from . import qt_binding

logger = logging.getLogger("dccview")

BACKENDS = ("auto", "webkitgtk", "qtwebengine")
ENVIRONMENT_VARIABLE = "DCCVIEW_BACKEND"


def resolve(requested: Optional[str], foreign_parent: bool = False) -> str:
    """``"webkitgtk"`` or ``"qtwebengine"`` for ``backend=requested`` (None: the environment, else auto).
    ``auto`` keeps WebKitGTK for a view docked into a foreign window (``foreign_parent``: a native
    window id that is no QWidget of this process): a Qt WebEngine view's parent is a QWidget."""
    name = requested if requested is not None else os.environ.get(ENVIRONMENT_VARIABLE, "auto")
    name = str(name).strip().lower() or "auto"
    if name not in BACKENDS:
        source = "backend" if requested is not None else ENVIRONMENT_VARIABLE
        raise ValueError(f"{source} must be one of {', '.join(BACKENDS)}, not {name!r}")
    if name != "auto":
        return name
    binding = qt_binding.running_binding()
    if foreign_parent or binding is None or not qt_binding.has_webengine(binding):
        return "webkitgtk"
    try:
        qt_binding.load(binding)
    except WebBackendUnavailableError as error:  # installed, but it cannot load here
        logger.warning("Qt WebEngine cannot be used (%s): this view runs on WebKitGTK", error)
        return "webkitgtk"
    return "qtwebengine"


def check_thread_mode(backend: str, thread_mode: str) -> None:
    if backend == "qtwebengine" and thread_mode not in ("auto", "host"):
        raise ValueError(f"thread_mode={thread_mode!r} does not apply to Qt WebEngine: its views live on the Qt "
                         "GUI thread, the host's main thread (use 'auto' or 'host')")


def qtwebengine_factory(options: SimpleNamespace, on_created: Callable[[Any], None]):
    """The native core's backend factory for a Qt WebEngine view with ``options`` (title, width,
    height, visible, debug, parent: a QWidget or None). ``on_created(backend)`` runs on the GUI thread
    once the view exists. Raises WebBackendUnavailableError at once when Qt WebEngine cannot run."""
    binding = qt_binding.running_binding()
    if binding is None:
        raise WebBackendUnavailableError(
            "Qt WebEngine needs a running Qt application: create a QApplication (PySide2, PySide6, PyQt5 "
            "or PyQt6) first, or use backend='webkitgtk'")
    qt = qt_binding.load(binding)
    _prepare_environment()
    from .qtwebengine import QtWebEngineBackend

    def factory(events, token: str):  # GUI thread
        if isinstance(options.parent, int):
            options.parent = _widget_for_window_id(options.parent)
        backend = QtWebEngineBackend(qt, events, token, options)
        on_created(backend)
        return backend

    return factory


_prepared = False


def _prepare_environment() -> None:
    """Qt WebEngine's pitfalls that dccview can fix before its first view starts Chromium: as root,
    Chromium refuses to start with its sandbox on (a container, a render farm node)."""
    global _prepared
    if _prepared:
        return
    _prepared = True
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags \
            and not os.environ.get("QTWEBENGINE_DISABLE_SANDBOX"):
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        logger.warning("running as root: Qt WebEngine's sandbox is disabled (QTWEBENGINE_DISABLE_SANDBOX=1), "
                       "as Chromium refuses to start otherwise")


def window_container(native_handle: int) -> Any:
    """A QWidget around a foreign X11 window (a WebKitGTK view docked in a Qt host), made with the
    application's binding. GUI thread only."""
    binding = qt_binding.running_binding()
    if binding is None:
        raise WebBackendUnavailableError("widget() needs a running Qt application (PySide2, PySide6, PyQt5 or PyQt6)")
    if native_handle == 0:
        raise WebBackendUnavailableError("widget(): the WebKitGTK view has no X11 window here (Wayland?); "
                                         "use QT_QPA_PLATFORM=xcb GDK_BACKEND=x11")
    qt = qt_binding.load_widgets(binding)
    return qt.QtWidgets.QWidget.createWindowContainer(qt.QtGui.QWindow.fromWinId(native_handle))


def prepare_qt_application() -> bool:
    """Call before creating the QApplication (a standalone Qt tool; DCCs do this themselves): loads
    Qt WebEngine for the Qt binding in use, which must happen before the application exists (PyQt5
    refuses it later, and Qt warns about shared OpenGL contexts). Returns True when Qt WebEngine is
    ready; False when the binding has none (views then run on WebKitGTK) or when the application
    already exists, or when ``DCCVIEW_BACKEND=webkitgtk`` asks for no Qt WebEngine at all."""
    if os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "webkitgtk":
        return False
    binding = next((name for name in qt_binding.BINDINGS if name + ".QtCore" in sys.modules), None)
    if binding is None:
        raise RuntimeError("prepare_qt_application(): import your Qt binding (PySide2, PySide6, PyQt5, PyQt6) first")
    core = sys.modules[binding + ".QtCore"]
    if core.QCoreApplication.instance() is not None:
        logger.warning("prepare_qt_application() comes too late: the QApplication exists already")
        return binding + ".QtWebEngineWidgets" in sys.modules
    if not qt_binding.has_webengine(binding):
        return False
    share = getattr(core.Qt, "AA_ShareOpenGLContexts", None) or core.Qt.ApplicationAttribute.AA_ShareOpenGLContexts
    core.QCoreApplication.setAttribute(share)
    importlib.import_module(binding + ".QtWebEngineWidgets")
    return True


def _widget_for_window_id(window_id: int) -> Any:
    """The QWidget a Qt WebEngine view docks into for ``parent=window_id``. GUI thread."""
    widget = widget_of_window_id(window_id)
    if widget is None:
        raise ValueError(f"parent={window_id} is no window of a QWidget in this process: a Qt WebEngine view "
                         "docks into a QWidget (pass the widget, or backend='webkitgtk' for a foreign window)")
    return widget


def widget_of_window_id(window_id: int) -> Any:
    """The QWidget of this process whose native window is `window_id`, or None. GUI thread."""
    binding = qt_binding.running_binding()
    if binding is None or window_id <= 0:
        return None
    return qt_binding.load_widgets(binding).QtWidgets.QWidget.find(window_id)


def is_foreign_window(parent: Any) -> bool:
    """True for a native window id (an int) that is no QWidget of this process. Qt's widget lookup is
    for the GUI thread only: asked elsewhere, an id counts as foreign (auto keeps WebKitGTK)."""
    if not isinstance(parent, int) or isinstance(parent, bool) or parent <= 0:
        return False
    if threading.current_thread() is not threading.main_thread():
        return True
    return widget_of_window_id(parent) is None
