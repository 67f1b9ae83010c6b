"""DCCVIEW_REQUIRE_HOSTS=1 (set by ./dev test): every skip in tests/hosts is a failure.

The host tests skip where a host is missing (Blender, FreeCAD, PySide2, PySide6, PyQt5, PyGObject),
which is right on a developer's machine without them and wrong where they must all run: there a
skip would pass silently. With the variable set, the skip's reason becomes the failure's message,
however the skip came: a skipif mark, pytest.skip() or pytest.importorskip() in a test or a fixture,
or at a module's import (which skips the whole module while it is collected).
"""

import os

import pytest

REQUIRED = os.environ.get("DCCVIEW_REQUIRE_HOSTS") == "1"
MESSAGE = "DCCVIEW_REQUIRE_HOSTS=1: every host must be available, but this skipped: {reason}"


def skip_reason(report):
    """The reason a skipped report gives (its longrepr is (path, line, "Skipped: reason"))."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


class HostMissing(pytest.Item):
    """Stands for a module that skipped while it was collected, so that the run goes on and reports
    the module as one failed test."""

    def __init__(self, *, reason, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        pytest.fail(MESSAGE.format(reason=self.reason), pytrace=False)

    def reportinfo(self):
        return self.path, None, f"{self.name}: {self.reason}"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if REQUIRED and report.skipped and isinstance(collector, pytest.Module):
        item = HostMissing.from_parent(collector, name="host_available", reason=skip_reason(report))
        report = pytest.CollectReport(report.nodeid, "passed", None, [item], sections=report.sections)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if REQUIRED and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = MESSAGE.format(reason=skip_reason(report))
    return report
