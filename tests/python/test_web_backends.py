"""Choosing the web engine: backend= and DCCVIEW_BACKEND, and the errors that say what is missing.
(The WebView suites themselves run on each engine: see conftest.py.)"""

import pytest

import dccview
from dccview import WebView, _web_backends

from conftest import WEB_BACKEND


def test_an_unknown_backend_name_is_refused_naming_the_choices(monkeypatch):
    with pytest.raises(ValueError, match="backend must be one of auto, webkitgtk, qtwebengine, not 'gecko'"):
        WebView(backend="gecko")
    monkeypatch.setenv("DCCVIEW_BACKEND", "servo")
    with pytest.raises(ValueError, match="DCCVIEW_BACKEND must be one of"):
        WebView()


@pytest.mark.skipif(WEB_BACKEND == "qtwebengine", reason="this process runs a QApplication")
def test_qt_webengine_without_a_qt_application_says_what_is_missing():
    with pytest.raises(dccview.WebBackendUnavailableError, match="needs a running Qt application"):
        WebView(backend="qtwebengine")
    assert _web_backends.resolve("auto") == "webkitgtk"  # no QApplication here


def test_qt_webengine_views_live_on_the_gui_thread_only():
    with pytest.raises(ValueError, match="does not apply to Qt WebEngine"):
        WebView(backend="qtwebengine", thread_mode="dedicated")


def test_auto_keeps_webkitgtk_for_a_view_docked_into_a_foreign_window(monkeypatch):
    monkeypatch.delenv("DCCVIEW_BACKEND", raising=False)
    monkeypatch.setattr(_web_backends.qt_binding, "running_binding", lambda: "PySide2")
    monkeypatch.setattr(_web_backends.qt_binding, "has_webengine", lambda binding: True)
    monkeypatch.setattr(_web_backends.qt_binding, "load", lambda binding: None)
    assert _web_backends.resolve(None) == "qtwebengine"
    assert _web_backends.resolve(None, foreign_parent=True) == "webkitgtk"
    assert _web_backends.resolve("webkitgtk") == "webkitgtk"
    monkeypatch.setattr(_web_backends.qt_binding, "has_webengine", lambda binding: False)
    assert _web_backends.resolve(None) == "webkitgtk"  # the binding has no QtWebEngine


def test_auto_falls_back_to_webkitgtk_when_qt_webengine_cannot_load(monkeypatch, caplog):
    monkeypatch.delenv("DCCVIEW_BACKEND", raising=False)
    monkeypatch.setattr(_web_backends.qt_binding, "running_binding", lambda: "PyQt5")
    monkeypatch.setattr(_web_backends.qt_binding, "has_webengine", lambda binding: True)

    def refuse(binding):
        raise dccview.WebBackendUnavailableError("PyQt5.QtWebEngineWidgets must be imported before the QApplication")

    monkeypatch.setattr(_web_backends.qt_binding, "load", refuse)
    assert _web_backends.resolve(None) == "webkitgtk"
    assert "must be imported before the QApplication" in caplog.text


@pytest.mark.skipif(WEB_BACKEND != "qtwebengine", reason="needs this process's QApplication (Qt WebEngine run)")
def test_the_window_id_of_a_qwidget_docks_a_qt_webengine_view_into_that_widget(main_loop):
    from conftest import QtWidgets
    from dccview.utils import run_on_main_thread_sync

    def body():
        def make():  # the RFC's WebView(parent=dcc_hwnd), with a widget of this application
            holder = QtWidgets.QWidget()
            holder.resize(320, 200)
            holder.show()
            view = WebView(title="docked by window id", parent=int(holder.winId()))
            return holder, view, view.backend, view.widget().parentWidget() is holder

        holder, view, backend, docked = run_on_main_thread_sync(make, timeout=60)
        view.close()
        run_on_main_thread_sync(holder.deleteLater, timeout=10)
        return backend, docked

    assert main_loop(body) == ("qtwebengine", True)
