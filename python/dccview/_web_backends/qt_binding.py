"""The host's Qt binding and its Qt WebEngine modules, found without importing a binding the host does
not use (DCCs ship their own Qt builds: dccview links against none of them)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import SimpleNamespace
from typing import Optional

from ..errors import WebBackendUnavailableError

# Searched in this order when more than one is loaded (a host's own binding comes first in practice).
BINDINGS = ("PySide6", "PySide2", "PyQt6", "PyQt5")

# Debian packages and PyPI distributions that provide each binding's Qt WebEngine, for error messages.
_INSTALL_HINT = {
    "PySide2": "Debian: python3-pyside2.qtwebenginewidgets and python3-pyside2.qtwebchannel",
    "PyQt5": "Debian: python3-pyqt5.qtwebengine; PyPI: PyQtWebEngine",
    "PySide6": "PyPI: PySide6-Addons (or the DCC's own PySide6)",
    "PyQt6": "Debian: python3-pyqt6.qtwebengine; PyPI: PyQt6-WebEngine",
}


def running_binding() -> Optional[str]:
    """The binding whose QtCore is loaded and whose QCoreApplication exists, or None."""
    for name in BINDINGS:
        core = sys.modules.get(name + ".QtCore")
        if core is not None and core.QCoreApplication.instance() is not None:
            return name
    return None


def has_webengine(binding: str) -> bool:
    """True when `binding` ships its QtWebEngineWidgets module (checked without importing it)."""
    try:
        return importlib.util.find_spec(binding + ".QtWebEngineWidgets") is not None
    except (ImportError, ValueError):
        return False


def load_widgets(binding: str) -> SimpleNamespace:
    """QtCore, QtGui and QtWidgets of `binding`."""
    qt = SimpleNamespace(binding=binding, qt6=binding in ("PySide6", "PyQt6"))
    qt.QtCore = importlib.import_module(binding + ".QtCore")
    qt.QtWidgets = importlib.import_module(binding + ".QtWidgets")
    qt.QtGui = importlib.import_module(binding + ".QtGui")
    return qt


def load(binding: str) -> SimpleNamespace:
    """The Qt classes the Qt WebEngine backend uses, from `binding`. Raises WebBackendUnavailableError
    naming what is missing: the module, or the application (a QApplication, for widgets)."""
    qt = load_widgets(binding)
    app = qt.QtCore.QCoreApplication.instance()
    if app is None or not isinstance(app, qt.QtWidgets.QApplication):
        raise WebBackendUnavailableError(
            f"Qt WebEngine views are widgets: create a {binding}.QtWidgets.QApplication first "
            f"(this process has {type(app).__name__ if app is not None else 'no application'})")
    try:
        widgets = importlib.import_module(binding + ".QtWebEngineWidgets")
        core = importlib.import_module(binding + ".QtWebEngineCore") if qt.qt6 else widgets
        channel = importlib.import_module(binding + ".QtWebChannel")
    except ImportError as error:
        if "before a QCoreApplication" in str(error):  # PyQt5 refuses to load it late
            raise WebBackendUnavailableError(
                f"{binding}.QtWebEngineWidgets must be imported before the QApplication is created: "
                f"import it at the top of the application's script (docs/dcc/qt.md)") from error
        raise WebBackendUnavailableError(
            f"{binding} has no Qt WebEngine here ({error}); install it ({_INSTALL_HINT[binding]}) or "
            f"use backend='webkitgtk'") from error
    qt.QWebEngineView = widgets.QWebEngineView
    qt.QWebEnginePage = core.QWebEnginePage
    qt.QWebEngineScript = core.QWebEngineScript
    qt.QWebChannel = channel.QWebChannel
    qt.delete = _deleter(binding)
    # Enum values by name, however the binding scopes them (PyQt6 only has the scoped names).
    script = qt.QWebEngineScript
    qt.MAIN_WORLD = _as_int(_enum(script, "ScriptWorldId", "MainWorld"))
    qt.APPLICATION_WORLD = _as_int(_enum(script, "ScriptWorldId", "ApplicationWorld"))
    qt.DOCUMENT_CREATION = _enum(script, "InjectionPoint", "DocumentCreation")
    qt.READ_ONLY = _enum(qt.QtCore.QIODevice, "OpenModeFlag", "ReadOnly")
    qt.QUEUED = _enum(qt.QtCore.Qt, "ConnectionType", "QueuedConnection")
    qt.NORMAL_TERMINATION = _enum(qt.QWebEnginePage, "RenderProcessTerminationStatus", "NormalTerminationStatus")
    qt.Signal = getattr(qt.QtCore, "Signal", None) or qt.QtCore.pyqtSignal
    qt.Slot = getattr(qt.QtCore, "Slot", None) or qt.QtCore.pyqtSlot
    return qt


def _deleter(binding: str):
    """The binding's way to delete a Qt object now (deleteLater needs a loop turn the host may never
    give, and a page outliving its profile at exit is reported by Qt WebEngine)."""
    if binding.startswith("PySide"):
        return importlib.import_module("shiboken" + binding[-1]).delete
    return importlib.import_module(binding + ".sip").delete


def _enum(owner, scope: str, name: str):
    """owner.name, or owner.scope.name where the binding only has scoped enums (PyQt6)."""
    value = getattr(owner, name, None)
    return value if value is not None else getattr(getattr(owner, scope), name)


def _as_int(value) -> int:
    """An enum value as the int that world ids are (Python enums carry it in .value)."""
    return int(getattr(value, "value", value))
