"""Every per-host guide's example (docs/dcc/<guide>.md, the python block of its "## Example" section)
is run unchanged but for the page path, in the guide's host, and the panel it opens is driven like a
user: the page's list_objects, create_object and start_job (until job_done), then its own buttons,
with the host's scene read on the main thread after each change. The example comes from the guide's
text each run (tests/hosts/doc_examples.py), so a guide whose example stops working fails here.

Where each example runs (tests/hosts/doc_example_scenario.py, one subprocess each, under Xvfb):
  maya, houdini, nuke, unreal, 3dsmax: SIMULATED host modules (tests/hosts/qt/simulated_hosts.py)
      on a real PySide2 application's loop, with a real WebView. A simulation: it shows that the
      example's code works against the hosts' documented APIs and thread rules, not that it works
      in the real applications, which are untested.
  qt: the example is a real PySide2 application, a real PyQt5 one and (when build/venv-pyside6
      exists) a real PySide6 one, with only the changes the guide's comments allow for them (the
      binding's name; PySide6: also app.exec()).
  gtk: the example is a real PyGObject GTK 3 application.
  blender, freecad: the real applications (Debian 12's packages), started the way
      tests/hosts/test_blender.py and test_freecad.py start them.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "qt"))

import doc_examples  # noqa: E402
import test_blender  # noqa: E402 - reused: how Blender is started (with this test's scenario)
import test_freecad  # noqa: E402 - reused: how FreeCAD is started (with this test's scenario)
import test_pyside6  # noqa: E402 - reused: which PySide6 interpreter, and whether it works
from host_runs import problems_in, read_results, run_host  # noqa: E402
from qt_host_checks import scenario_env  # noqa: E402

SCENARIO = HERE / "doc_example_scenario.py"
GUIDES = ["maya", "houdini", "nuke", "unreal", "3dsmax", "qt", "gtk", "blender", "freecad"]
SIMULATED = {"maya": "Maya", "houdini": "Houdini", "nuke": "Nuke", "unreal": "Unreal", "3dsmax": "3ds Max"}
OBJECT = "doc_example_object"  # the name the scenario asks create_object for
# What the qt.md example's comments allow for each binding, as doc_example_scenario.py applies them:
# the page path always; PyQt5: "from PyQt5 import"; PySide6: "from PySide6 import" and app.exec().
QT_SUBSTITUTIONS = {"PySide2": 1, "PyQt5": 2, "PySide6": 3}

# The scenarios run in subprocesses: these are what their interpreter (this one) needs.
needs_pyside2 = pytest.mark.skipif(importlib.util.find_spec("PySide2") is None,
                                   reason="PySide2 is not installed (./dev test installs python3-pyside2.*)")
needs_pyqt5 = pytest.mark.skipif(importlib.util.find_spec("PyQt5") is None,
                                 reason="PyQt5 is not installed (./dev test installs python3-pyqt5)")
needs_pygobject = pytest.mark.skipif(importlib.util.find_spec("gi") is None,
                                     reason="PyGObject is not installed (python3-gi, a venv with system site packages)")


def run_scenario(guide, tmp_path, python=sys.executable, binding="PySide2", **variables):
    """Runs the guide's example in a plain interpreter (simulated hosts, Qt, GTK); returns (completed
    process, recorded results)."""
    result_file = tmp_path / "result.json"
    env = scenario_env(binding, DCCVIEW_DOC_GUIDE=guide, DCCVIEW_RESULT=str(result_file), **variables)
    completed = run_host([str(python), str(SCENARIO)], env, tmp_path, 90, f"the {guide} example ({binding})")
    return completed, read_results(result_file)


def check_ran_clean(guide, completed, results, replacements=1):
    """The example itself ran (the guide's own heading, only the allowed substitutions), and nothing
    failed, printed a traceback or crashed."""
    output = completed.stdout + completed.stderr
    assert results["errors"] == [], results["errors"]
    assert problems_in(output) == [], output[-4000:]
    assert completed.returncode == 0, output[-4000:]
    heading, _code = doc_examples.example_section(guide)
    assert results["steps"]["example"]["heading"] == heading
    assert results["steps"]["example"]["replacements"] == replacements


def check_panel(drive, backend, dedicated, name=OBJECT):
    """What the page got agrees with the scene the host's API shows on the main thread."""
    assert drive["ready"] is True and drive["probe"] is True
    assert drive["backend"] == backend
    assert drive["dedicated_webview_thread"] is dedicated  # else host mode: the view is on the main thread
    calls = drive["handlers"]
    before, after = calls["scene_before"], calls["scene_after"]
    assert sorted(calls["listed_before"]) == sorted(before), calls
    assert calls["created"] == name, calls
    assert name not in before and sorted(after) == sorted(before + [name]), calls
    assert sorted(calls["listed_after"]) == sorted(after), calls
    assert calls["job_started"]["started"], calls
    assert calls["job"] == {"progress": [1, 2, 3, 4, 5], "done": [{"objects": len(after)}]}, calls

    clicks = drive["buttons"]
    final = clicks["scene_final"]
    added = [item for item in clicks["items_after_create"] if item not in clicks["items_before"]]
    assert len(added) == 1 and added[0].startswith("web_object"), clicks  # Blender: web_object.001
    assert sorted(final) == sorted(after + added), clicks
    assert clicks["job"]["progress"] == [1, 2, 3, 4, 5] + list(range(1, 21)), clicks
    assert clicks["job"]["done"][1] == {"objects": len(final)}, clicks
    assert clicks["status"] == f"done: {len(final)} objects", clicks
    assert sorted(clicks["items_final"]) == sorted(final), clicks


@pytest.mark.parametrize("guide", GUIDES)
def test_every_guide_has_one_runnable_python_example(guide):
    """The example is found by its heading, and the page path is its only placeholder."""
    heading, code = doc_examples.example_section(guide)
    assert heading.startswith("Example")
    assert code.count(doc_examples.PAGE_PLACEHOLDER) == 1
    _heading, runnable = doc_examples.runnable_example(guide)
    compile(runnable, f"docs/dcc/{guide}.md", "exec")
    assert str(doc_examples.PAGE) in runnable and doc_examples.PAGE.exists()


# The guides leave the WebView thread to "auto": host mode where the host's Qt runs on GLib, dedicated
# where nothing owns the default GLib context (Unreal's expected case). Both run: in dedicated mode
# every handler reaches the main thread through the simulated host's own API.
VIEW_THREADS = {"host": {}, "dedicated": {"QT_NO_GLIB": "1"}}


@needs_pyside2
@pytest.mark.parametrize("view_thread", list(VIEW_THREADS))
@pytest.mark.parametrize("guide", list(SIMULATED), ids=[f"{guide}-simulation" for guide in SIMULATED])
def test_simulated_host_runs_the_guides_example(guide, view_thread, tmp_path):
    """SIMULATION (simulated host modules on a real PySide2 loop): the guide's example runs on the
    main thread inside the loop, as from the host's console, twice (re-running it replaces its panel);
    its panel works; panel.close() closes it."""
    completed, results = run_scenario(guide, tmp_path, **VIEW_THREADS[view_thread])
    check_ran_clean(guide, completed, results)
    steps = results["steps"]
    assert steps["simulation"] and all(doc.startswith("SIMULATION of ") for doc in steps["simulation"].values())
    assert ("Glib" in steps["event_dispatcher"]) == (view_thread == "host"), steps["event_dispatcher"]
    # The example ran twice, as a user re-runs a tool script: one panel, the second run's.
    title = {"nuke": "Node tool", "unreal": "Level tool"}.get(guide, "Scene tool")
    assert steps["rerun"] == {"first_closed": True, "second_open": True, "distinct": True, "open": [title]}, steps
    check_panel(steps["drive_panel"], SIMULATED[guide], dedicated=view_thread == "dedicated")
    assert steps["closed"] is True
    assert steps["escaped_to_host_console"] == []  # nothing the example or dccview did escaped to the host
    assert steps["exec_returned"] == 0


needs_pyside2_webengine = pytest.mark.skipif(importlib.util.find_spec("PySide2.QtWebEngineWidgets") is None,
                                             reason="PySide2's QtWebEngine is not installed")
needs_pyqt5_webengine = pytest.mark.skipif(importlib.util.find_spec("PyQt5.QtWebEngineWidgets") is None,
                                           reason="PyQt5's QtWebEngine is not installed")


@pytest.mark.parametrize("binding, web_backend", [
    pytest.param("PySide2", "webkitgtk", marks=needs_pyside2), ("PySide6", "webkitgtk"),
    pytest.param("PyQt5", "webkitgtk", marks=needs_pyqt5),
    pytest.param("PySide2", "auto", marks=[needs_pyside2, needs_pyside2_webengine]),
    pytest.param("PyQt5", "auto", marks=[needs_pyqt5, needs_pyqt5_webengine])])
def test_qt_application_example(binding, web_backend, tmp_path):
    """A real Qt application: the example is the whole program; closing its window closes the view
    first ("dccview:closed"), then the application exits with status 0. Run on WebKitGTK, and as
    written (auto: Qt WebEngine, since the binding has it)."""
    python = sys.executable
    if binding == "PySide6":
        if test_pyside6.VERSION is None:
            pytest.skip(f"no PySide6 for {test_pyside6.PYTHON}")
        python = test_pyside6.PYTHON
    completed, results = run_scenario("qt", tmp_path, python=python, binding=binding, DCCVIEW_BACKEND=web_backend)
    expected_engine = "qtwebengine" if web_backend == "auto" else web_backend
    assert results["steps"]["drive_panel"]["web_backend"] == expected_engine, results["steps"]["drive_panel"]
    check_ran_clean("qt", completed, results, QT_SUBSTITUTIONS[binding])
    assert "DeprecationWarning" not in completed.stderr, completed.stderr[-2000:]
    # The example ran on this binding alone: dccview's Qt backend had no other one to pick.
    assert results["steps"]["qt_bindings_loaded"] == [binding], results["steps"]["qt_bindings_loaded"]
    check_panel(results["steps"]["drive_panel"], "Qt", dedicated=False)
    assert results["steps"]["exited"] == {"code": 0, "view_gone": True, "view_closed": True}


@needs_pygobject
def test_gtk_application_example(tmp_path):
    """A real PyGObject GTK 3 application: the example is the whole program (host mode on the GTK
    main thread, GLib backend); closing its window closes the view, and Gtk.main() returns."""
    completed, results = run_scenario("gtk", tmp_path)
    check_ran_clean("gtk", completed, results)
    check_panel(results["steps"]["drive_panel"], "GLib", dedicated=False)
    assert results["steps"]["exited"] == {"view_closed": True}


@pytest.mark.skipif(test_blender.BLENDER is None, reason="blender is not installed (./dev test installs it)")
def test_blender_example(tmp_path):
    """The real Blender: the example's register(), then open_panel() from Blender's main thread, once
    per handler style (@dcc_thread_safe and dcc_mode), one after the other: the second replaces the
    first (singleton); both work; the last closes; Blender quits."""
    completed, results, _exited_at = test_blender.run_blender(tmp_path, SCENARIO, DCCVIEW_DOC_GUIDE="blender")
    check_ran_clean("blender", completed, results)
    steps = results["steps"]
    assert steps["rerun"] == {"first_closed": True, "second_open": True, "distinct": True,
                              "open": ["dccview Scene Panel"]}, steps
    check_panel(steps["drive_panel"], "Blender", dedicated=True)
    check_panel(steps["drive_dcc_mode_panel"], "Blender", dedicated=True, name=f"{OBJECT}_2")
    assert steps["closed"] is True


@pytest.mark.skipif(not Path(test_freecad.FREECAD).exists(), reason="FreeCAD is not installed")
def test_freecad_example(tmp_path):
    """The real FreeCAD: the example runs as a macro (main thread, inside its Qt loop), twice, as a
    user re-runs it: one panel and one dock are left, the second run's; that panel works;
    "dock.hide(); view.close()" closes it and deletes the dock; FreeCAD quits with 0."""
    completed, results, _exited_at = test_freecad.run_freecad(tmp_path, SCENARIO, DCCVIEW_DOC_GUIDE="freecad")
    check_ran_clean("freecad", completed, results)
    steps = results["steps"]
    assert steps["rerun"] == {"first_closed": True, "second_open": True, "distinct": True, "open": ["Scene tool"],
                              "only_new_dock": True, "distinct_docks": True}, steps
    check_panel(steps["drive_panel"], "Qt", dedicated=False)
    assert steps["closed"] is True and steps["dock_deleted"] is True
