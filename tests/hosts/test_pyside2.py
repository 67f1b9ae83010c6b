"""A real PySide2 (Qt 5.15, Debian's python3-pyside2) application as a stand-in for Qt-based DCCs
(Maya, Houdini, Nuke): the mini Qt DCC (examples/qt/mini_qt_dcc.py) with its dccview panel docked in a
QDockWidget, driven by tests/hosts/qt/qt_app_scenario.py in its own process under Xvfb. The checks
are shared with test_pyside6.py: see tests/hosts/qt/qt_host_checks.py. The screenshot is copied to
build/pyside2_host.png for a human."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "qt"))
pytest.importorskip("PySide2", reason="PySide2 is not installed (./dev test installs python3-pyside2.*)")

import qt_host_checks  # noqa: E402
from qt_host_checks import (  # noqa: E402,F401 - the shared tests, collected here
    test_close_under_load, test_closing_the_dock_closes_the_view,
    test_deleting_the_widget_a_view_is_docked_into_closes_it_without_a_crash, test_open_close_cycles_do_not_leak,
    test_page_handlers_run_on_the_main_thread, test_panel_follows_the_dock,
    test_panel_lives_on_the_qt_main_thread, test_scenario_ran_clean, test_scene_api_fails_off_the_main_thread,
    test_screenshot_shows_the_page_inside_the_dock, test_worker_job_streams_progress_while_qt_stays_responsive)


@pytest.fixture(scope="module")
def parent_destroyed(tmp_path_factory):
    return qt_host_checks.run_parent_destroyed(sys.executable, "PySide2", tmp_path_factory.mktemp("pyside2-parent"))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return qt_host_checks.run(sys.executable, "PySide2", tmp_path_factory.mktemp("pyside2"))


def test_runs_qt5(scenario):
    assert scenario.results["steps"]["qt"]["version"].startswith("5.15."), scenario.results["steps"].get("qt")
