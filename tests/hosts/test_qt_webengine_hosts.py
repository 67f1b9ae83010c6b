"""The mini Qt DCC (examples/qt/mini_qt_dcc.py) in real PySide2, PyQt5 and PySide6 applications with
its panel on Qt WebEngine: a QWebEngineView docked in the QDockWidget, the way Maya, Houdini or Nuke
would host it. The same checks as the WebKitGTK runs (tests/hosts/qt/qt_host_checks.py): handlers on
the main thread, a worker streaming progress, the page following the dock, the page's pixels inside
the dock, close under load, 20 open/close cycles without a thread or renderer process left over, and
the widget the panel is docked into deleted under it. PySide2 and PyQt5 are Debian's (Qt 5.15);
PySide6 is pip's PySide6-Essentials plus PySide6-Addons (Qt 6 and its QtWebEngine), run by
build/venv-pyside6/bin/python. Screenshots are copied to build/<binding>_qtwebengine_host.png."""

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "qt"))

import qt_host_checks  # noqa: E402
from qt_host_checks import (  # noqa: E402,F401 - the shared tests, collected here
    test_close_under_load, test_closing_the_dock_closes_the_view,
    test_deleting_the_widget_a_view_is_docked_into_closes_it_without_a_crash, test_open_close_cycles_do_not_leak,
    test_page_handlers_run_on_the_main_thread, test_panel_follows_the_dock, test_panel_lives_on_the_qt_main_thread,
    test_scenario_ran_clean, test_scene_api_fails_off_the_main_thread, test_screenshot_shows_the_page_inside_the_dock,
    test_worker_job_streams_progress_while_qt_stays_responsive)


def _has_webengine(binding):
    try:
        return importlib.util.find_spec(f"{binding}.QtWebEngineWidgets") is not None
    except ImportError:
        return False


PYSIDE6_WEBENGINE = qt_host_checks.probe(qt_host_checks.PYSIDE6_PYTHON,
                                         "import PySide6, PySide6.QtWebEngineWidgets; print(PySide6.__version__)")
# binding -> (the interpreter that runs it, why it cannot run here or None)
BINDINGS = {
    "PySide2": (sys.executable, None if _has_webengine("PySide2") else
                "PySide2's QtWebEngine is not installed (./dev test installs python3-pyside2.qtwebengine*)"),
    "PyQt5": (sys.executable, None if _has_webengine("PyQt5") else
              "PyQt5's QtWebEngine is not installed (./dev test installs python3-pyqt5.qtwebengine)"),
    "PySide6": (qt_host_checks.PYSIDE6_PYTHON, None if PYSIDE6_WEBENGINE else
                "no PySide6 with QtWebEngine in build/venv-pyside6 (./dev test installs PySide6-Addons there)"),
}


def _interpreter(binding):
    python, missing = BINDINGS[binding]
    if missing:
        pytest.skip(missing)
    return python


@pytest.fixture(scope="module", params=list(BINDINGS))
def binding(request):
    return request.param


@pytest.fixture(scope="module")
def parent_destroyed(binding, tmp_path_factory):
    outcome = qt_host_checks.run_parent_destroyed(_interpreter(binding), binding,
                                                  tmp_path_factory.mktemp(f"{binding.lower()}-qwe-parent"),
                                                  backend="qtwebengine")
    assert outcome[1] is None or outcome[1]["web_backend"] == "qtwebengine", outcome[1]
    return outcome


@pytest.fixture(scope="module")
def scenario(binding, tmp_path_factory):
    return qt_host_checks.run(_interpreter(binding), binding, tmp_path_factory.mktemp(f"{binding.lower()}-qtwebengine"),
                              backend="qtwebengine")


def test_the_panel_is_a_qt_webengine_view(scenario):
    assert scenario.results["steps"]["web_backend"] == "qtwebengine"
    assert scenario.results["steps"]["qt"]["binding"] == scenario.binding


def test_each_binding_runs_its_own_qt(binding, scenario):
    """Debian's PySide2 and PyQt5 are Qt 5.15; pip's PySide6 brings Qt 6 and its Qt WebEngine."""
    expected = "6." if binding == "PySide6" else "5.15."
    assert scenario.results["steps"]["qt"]["version"].startswith(expected), scenario.results["steps"]["qt"]
