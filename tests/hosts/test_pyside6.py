"""A real PySide6 application (pip's wheel, Qt 6 bundled in it) as a stand-in for Qt 6 based DCCs
(Maya 2025+, Houdini 20.5+, Nuke 16+): the same mini Qt DCC (examples/qt/mini_qt_dcc.py) and scenario
(tests/hosts/qt/qt_app_scenario.py) as test_pyside2.py, run by build/venv-pyside6/bin/python (a venv
of its own, so that PySide6 stays out of build/venv; ./dev test creates it). The checks are shared
with test_pyside2.py: see tests/hosts/qt/qt_host_checks.py. Qt 6 on xcb runs its GLib dispatcher
(QXcbGlibEventDispatcher), so the panel lives on the Qt main thread in host mode, as with PySide2.
The screenshot is copied to build/pyside6_host.png for a human."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "qt"))

import qt_host_checks  # noqa: E402
from qt_host_checks import (  # noqa: E402,F401 - the shared tests, collected here
    test_close_under_load, test_closing_the_dock_closes_the_view,
    test_deleting_the_widget_a_view_is_docked_into_closes_it_without_a_crash, test_open_close_cycles_do_not_leak,
    test_page_handlers_run_on_the_main_thread, test_panel_follows_the_dock,
    test_panel_lives_on_the_qt_main_thread, test_scenario_ran_clean, test_scene_api_fails_off_the_main_thread,
    test_screenshot_shows_the_page_inside_the_dock, test_worker_job_streams_progress_while_qt_stays_responsive)

PYTHON = qt_host_checks.PYSIDE6_PYTHON
VERSION = qt_host_checks.probe(PYTHON, "import PySide6; print(PySide6.__version__)")
pytestmark = pytest.mark.skipif(
    VERSION is None, reason=f"no PySide6 for {PYTHON} (./dev test creates build/venv-pyside6 with pip's PySide6)")


@pytest.fixture(scope="module")
def parent_destroyed(tmp_path_factory):
    return qt_host_checks.run_parent_destroyed(PYTHON, "PySide6", tmp_path_factory.mktemp("pyside6-parent"))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return qt_host_checks.run(PYTHON, "PySide6", tmp_path_factory.mktemp("pyside6"))


def test_runs_qt6(scenario):
    qt = scenario.results["steps"].get("qt", {})
    assert qt.get("version", "").startswith("6."), qt
    assert qt["event_dispatcher"] == "QXcbGlibEventDispatcher", qt
