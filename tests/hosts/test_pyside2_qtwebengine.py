"""The mini Qt DCC (examples/qt/mini_qt_dcc.py) in a real PySide2 application with its panel on Qt
WebEngine: a QWebEngineView docked in the QDockWidget, the way Maya, Houdini or Nuke would host it.
The same checks as the WebKitGTK run (tests/hosts/qt/qt_host_checks.py): handlers on the main thread,
a worker streaming progress, the page following the dock, the page's pixels inside the dock, close
under load, 20 open/close cycles without leftovers. The screenshot is copied to
build/pyside2_qtwebengine_host.png."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "qt"))
pytest.importorskip("PySide2.QtWebEngineWidgets",
                    reason="PySide2's QtWebEngine is not installed (./dev test installs python3-pyside2.qtwebengine*)")

import qt_host_checks  # noqa: E402
from qt_host_checks import (  # noqa: E402,F401 - the shared tests, collected here
    test_close_under_load, test_closing_the_dock_closes_the_view,
    test_deleting_the_widget_a_view_is_docked_into_closes_it_without_a_crash, test_open_close_cycles_do_not_leak,
    test_page_handlers_run_on_the_main_thread, test_panel_follows_the_dock, test_panel_lives_on_the_qt_main_thread,
    test_scenario_ran_clean, test_scene_api_fails_off_the_main_thread, test_screenshot_shows_the_page_inside_the_dock,
    test_worker_job_streams_progress_while_qt_stays_responsive)


@pytest.fixture(scope="module")
def parent_destroyed(tmp_path_factory):
    outcome = qt_host_checks.run_parent_destroyed(sys.executable, "PySide2", tmp_path_factory.mktemp("pyside2-qwe-parent"),
                                                  backend="qtwebengine")
    assert outcome[1] is None or outcome[1]["web_backend"] == "qtwebengine", outcome[1]
    return outcome


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return qt_host_checks.run(sys.executable, "PySide2", tmp_path_factory.mktemp("pyside2-qtwebengine"),
                              backend="qtwebengine")


def test_the_panel_is_a_qt_webengine_view(scenario):
    assert scenario.results["steps"]["web_backend"] == "qtwebengine"
