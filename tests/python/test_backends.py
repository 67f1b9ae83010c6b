"""Dispatcher backends against stub hosts that keep each host's documented main-thread rules.

Every DCC backend is exercised on a real loop: the test's main thread runs the stub host's loop
(tests/python/stubs/hosts.py: HostLoop) while worker threads call into dccview; Qt, 3ds Max and
GLib need a real event loop of their own and run in a subprocess (stubs/scenarios.py). The
cross-thread checks shared by all backends are in stubs/checks.py.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import dccview
from dccview import _runtime
from dccview.utils import thread_dispatcher as td
from dccview.utils.thread_dispatcher.backends.fallback import FallbackBackend

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from stubs import checks, hosts  # noqa: E402

WAIT_S = checks.WAIT_S

EXPECTED_NAME = {
    "maya": "Maya",
    "houdini": "Houdini",
    "nuke": "Nuke",
    "blender": "Blender",
    "unreal": "Unreal",
}
PRIORITY = {
    "maya": td.DispatcherPriority.MAYA,
    "houdini": td.DispatcherPriority.HOUDINI,
    "nuke": td.DispatcherPriority.NUKE,
    "blender": td.DispatcherPriority.BLENDER,
    "unreal": td.DispatcherPriority.UNREAL,
}
MAIN_MODULE = {"maya": "maya.utils", "houdini": "hdefereval", "nuke": "nuke", "blender": "bpy", "unreal": "unreal"}
ANY_THREAD_HOSTS = ("maya", "houdini", "nuke")  # hosts with an any-thread "run this on the main thread"
BUILTIN_ORDER = ["Maya", "Houdini", "Nuke", "Blender", "3ds Max", "Unreal", "Qt", "GLib", "Fallback"]


class StubHost:
    """One installed stub host: its loop, its stub modules, and helpers to drive it."""

    def __init__(self, kind: str, loop: hosts.HostLoop, modules: dict) -> None:
        self.kind = kind
        self.loop = loop
        self.modules = modules

    @property
    def module(self):
        """The stub module holding the host's main-thread API (maya.utils, hdefereval, nuke, bpy, unreal)."""
        return self.modules[MAIN_MODULE[self.kind]]

    def activate(self) -> "_runtime.Active":
        """Activates the registry's backend on the main thread (as a host's startup script would)."""
        assert threading.current_thread() is threading.main_thread()
        state = _runtime.active()
        assert state.dispatcher.installed
        assert state.main_ident == threading.main_thread().ident
        return state

    def run(self, body, timeout: float = 30.0):
        """Runs body on a worker while the main thread runs the host loop; the host saw no error."""
        value = self.loop.run_with(body, timeout=timeout)
        assert self.loop.errors == [], "\n".join(tb for _where, _error, tb in self.loop.errors)
        return value

    def post_to_main(self, fn) -> None:
        """The host runs fn on its main thread, outside dccview (e.g. the user's own work)."""
        self.loop.call_soon(fn)


@pytest.fixture
def install_host(monkeypatch):
    """``install_host(kind)``: puts fresh stub modules of that host into sys.modules (removed after
    the test) and resets the registry. At teardown the backend is deactivated on the main thread while
    the stubs are still installed, as the host would."""
    monkeypatch.delenv("DCCVIEW_DISPATCHER", raising=False)
    installed = []

    def install(kind: str) -> StubHost:
        loop = hosts.HostLoop(kind)
        modules = hosts.STUBS[kind](loop)
        for name, module in modules.items():
            monkeypatch.setitem(sys.modules, name, module)
        td.reset_dispatcher_backends()
        host = StubHost(kind, loop, modules)
        installed.append(host)
        return host

    yield install
    td.reset_dispatcher_backends()
    hosts.LoopBackend.loop = None


@pytest.fixture(params=list(EXPECTED_NAME))
def host(request, install_host) -> StubHost:
    return install_host(request.param)


def assert_no_real_host() -> None:
    """The registry tests assume no real host in this process (only the fallback is available)."""
    td.reset_dispatcher_backends()
    available = [name for _p, name, ok in td.list_dispatcher_backends() if ok]
    assert available == ["Fallback"], f"a host is loaded in the test process: {available}"


# --------------------------------------------------------------------------------------------------
# Every DCC backend against its stub host
# --------------------------------------------------------------------------------------------------

def test_stub_host_selects_its_backend(host):
    backend = td.get_dispatcher_backend()
    assert backend.get_name() == EXPECTED_NAME[host.kind]
    assert td.get_current_dcc_name() == EXPECTED_NAME[host.kind]
    assert td.is_dcc_environment() is True
    assert (PRIORITY[host.kind], EXPECTED_NAME[host.kind], True) in td.list_dispatcher_backends()
    state = host.activate()
    assert state.backend is backend
    assert td.is_main_thread() is True


def test_sync_calls_from_workers_run_on_the_main_thread(host):
    host.activate()
    host.run(checks.check_sync_calls)


def test_fire_and_forget_runs_in_fifo_order_per_thread(host):
    host.activate()
    host.run(checks.check_fifo)


def test_exception_reaches_the_sync_caller_as_the_same_object(host):
    host.activate()
    host.run(checks.check_exception_propagates)


def test_timeout_while_the_main_loop_is_blocked_and_the_function_never_runs(host):
    host.activate()
    host.run(lambda: checks.check_timeout_never_runs(host.post_to_main))


@pytest.mark.parametrize("serving", [True, False], ids=["main-serves", "main-must-not-reenter"])
def test_a_cycle_through_the_host_main_thread_is_served_or_refused_at_once(host, serving):
    host.activate()
    host.run(lambda: checks.check_cycle_through_the_main_thread(serving))


def test_registry_change_from_a_worker_wakes_waiting_callers(host):
    """The registry changes on a worker thread while a caller waits: the caller gets
    ShutdownInProgressError, its function never runs, and the backend's uninstall does not call a
    main-thread-only host API from that worker (the stubs would raise)."""
    host.activate()
    host.run(lambda: checks.check_registry_change_wakes_waiters(
        host.post_to_main, lambda: td.unregister_dispatcher_backend("GLib")))
    assert _runtime.current() is None
    # A new activation on the main thread serves again.
    host.activate()
    assert host.run(lambda: td.run_on_main_thread_sync(threading.get_ident, timeout=WAIT_S)) == threading.main_thread().ident


# --------------------------------------------------------------------------------------------------
# Hosts with an any-thread API: Maya, Houdini, Nuke
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ANY_THREAD_HOSTS)
def test_first_use_from_a_worker_installs_through_the_host_api(install_host, kind):
    host = install_host(kind)
    host.run(checks.check_worker_first_activation)  # no main-thread call into dccview before
    wake_api = {"maya": "executeDeferred", "houdini": "executeDeferred", "nuke": "executeInMainThread"}[kind]
    assert host.module.calls[wake_api] >= 1


@pytest.mark.parametrize("kind", ANY_THREAD_HOSTS)
def test_blocking_host_apis_are_never_used(install_host, kind):
    host = install_host(kind)
    host.activate()
    host.run(checks.check_sync_calls)
    host.run(lambda: checks.check_timeout_never_runs(host.post_to_main))
    assert host.module.calls["executeInMainThreadWithResult"] == 0


def test_stub_maya_and_houdini_blocking_apis_behave_as_documented(install_host):
    maya = install_host("maya").module
    hou = install_host("houdini")
    # Maya's quirk: inline on the main thread, no loop needed.
    assert maya.executeInMainThreadWithResult(threading.get_ident) == threading.main_thread().ident
    # Houdini deadlocks there; the stub raises instead.
    with pytest.raises(RuntimeError, match="deadlock"):
        hou.module.executeInMainThreadWithResult(lambda: None)
    # Off the main thread both queue and wait for the loop.
    assert hou.run(lambda: hou.module.executeInMainThreadWithResult(lambda x: x + 1, 41)) == 42


# --------------------------------------------------------------------------------------------------
# Nuke: executeInMainThread swallows exceptions
# --------------------------------------------------------------------------------------------------

def test_stub_nuke_prints_and_swallows_exceptions(install_host, capsys):
    host = install_host("nuke")
    nuke = host.module
    done = threading.Event()

    def body():
        assert nuke.executeInMainThread(lambda x: 1 / x, args=(0,)) is None
        nuke.executeInMainThread(done.set)
        assert done.wait(WAIT_S)

    host.run(body)
    assert [type(e) for e in nuke.swallowed] == [ZeroDivisionError]
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_nuke_user_exception_reaches_the_sync_caller_not_nuke(install_host):
    host = install_host("nuke")
    host.activate()
    host.run(checks.check_exception_propagates)
    assert host.module.swallowed == [], "an exception escaped dccview's pump into Nuke"


def test_nuke_fire_and_forget_exception_is_reported_and_the_queue_goes_on(install_host, monkeypatch, caplog):
    host = install_host("nuke")
    host.activate()
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: unraisable.append(info.exc_value))
    error = checks.HostCallError("fire-and-forget failure")
    after = threading.Event()

    def fail():
        raise error

    def body():
        td.run_on_main_thread(fail)
        td.run_on_main_thread(after.set)
        assert after.wait(WAIT_S), "the task after the failing one never ran"

    with caplog.at_level(logging.ERROR, logger="dccview"):
        host.run(body)
    assert unraisable == [error]
    assert any("fail" in r.getMessage() and r.exc_info and r.exc_info[1] is error for r in caplog.records)
    assert host.module.swallowed == []


# --------------------------------------------------------------------------------------------------
# Blender: a persistent bpy.app.timers timer
# --------------------------------------------------------------------------------------------------

def test_stub_blender_timers_keep_blenders_rules(install_host):
    host = install_host("blender")
    timers = host.modules["bpy"].app.timers
    returns = iter([0.0, 0.001, 7])  # the int is not a valid return value
    calls = []

    def timer():
        calls.append(threading.get_ident())
        return next(returns)

    class Owner:
        def method(self):
            return None

    owner = Owner()
    timers.register(owner.method)
    assert not timers.is_registered(owner.method), "timers are keyed by the function object itself"
    timers.unregister(timers.registered()[0])

    def body():
        with pytest.raises(hosts.MainThreadViolation):
            timers.register(timer)
        with pytest.raises(hosts.MainThreadViolation):
            timers.unregister(timer)
        # 0.0 and 0.001 reschedule it; the int unregisters it with an error
        assert host.loop.wait_for(lambda: not timers.is_registered(timer), WAIT_S)

    timers.register(timer, first_interval=0.0)
    host.loop.run_with(body)
    assert calls == [threading.main_thread().ident] * 3
    assert [r for _f, r in timers.returns if _f is timer] == [0.0, 0.001, 7]
    assert len(timers.errors) == 1 and "did not return None or float" in timers.errors[0]
    assert [type(e) for _w, e, _tb in host.loop.errors] == [TypeError]
    with pytest.raises(ValueError, match="not registered"):
        timers.unregister(timer)


def test_blender_timer_returns_floats_and_is_unregistered_after_reset(install_host):
    host = install_host("blender")
    timers = host.modules["bpy"].app.timers
    assert timers.registrations == []
    backend = td.get_dispatcher_backend()
    host.activate()
    assert len(timers.registrations) == 1
    function, first_interval, persistent = timers.registrations[0]
    assert (first_interval, persistent) == (0.0, True)
    assert timers.is_registered(function)
    host.run(checks.check_sync_calls)
    host.run(checks.check_fifo)
    host.run(lambda: checks.check_timeout_never_runs(host.post_to_main))
    results = [value for fn, value in timers.returns if fn is function]
    assert results, "the timer never ran"
    assert all(value is None or type(value) is float for value in results), set(map(type, results))
    assert timers.errors == []
    assert timers.registrations == [(function, 0.0, True)], "the timer was registered again"
    td.reset_dispatcher_backends()  # main thread
    assert timers.registered() == [], "the dispatcher's timer is still registered after the reset"
    assert timers.unregistrations == [function]
    assert backend._dispatcher is None


def test_blender_first_use_from_a_worker_leaves_the_timer_to_the_main_thread(install_host):
    host = install_host("blender")
    timers = host.modules["bpy"].app.timers
    ran = threading.Event()
    worker_error = []

    def post_from_worker():
        try:
            td.run_on_main_thread(ran.set)  # activates from this worker
        except BaseException as error:
            worker_error.append(error)

    thread = threading.Thread(target=post_from_worker)
    thread.start()
    thread.join(WAIT_S)
    assert worker_error == [] and not thread.is_alive()
    assert timers.registrations == [], "bpy.app.timers was touched from a worker"
    host.activate()  # the next main-thread call registers the timer
    assert len(timers.registrations) == 1
    host.run(lambda: ran.wait(WAIT_S))
    assert ran.is_set()


def test_blender_timer_is_persistent_across_file_loads(install_host):
    host = install_host("blender")
    host.activate()
    host.modules["bpy"].app.timers.simulate_load_post()
    assert host.run(lambda: td.run_on_main_thread_sync(lambda: "after load", timeout=WAIT_S)) == "after load"


def test_blender_registry_change_off_the_main_thread_unregisters_the_timer_on_it(install_host):
    host = install_host("blender")
    timers = host.modules["bpy"].app.timers
    host.activate()
    function = timers.registrations[0][0]

    def body():
        td.unregister_dispatcher_backend("GLib")  # a worker changes the registry
        assert host.loop.wait_for(lambda: not timers.is_registered(function), WAIT_S), \
            "the timer of the deactivated backend stayed registered"

    host.run(body)
    assert [value for fn, value in timers.returns if fn is function][-1] is None
    assert timers.errors == []
    host.activate()  # registers again on the main thread and serves
    assert len(timers.registered()) == 1
    assert host.run(lambda: td.run_on_main_thread_sync(lambda: 5, timeout=WAIT_S)) == 5


# --------------------------------------------------------------------------------------------------
# Unreal: a slate post-tick callback
# --------------------------------------------------------------------------------------------------

def test_stub_unreal_keeps_unreals_rules(install_host):
    host = install_host("unreal")
    unreal = host.module
    deltas = []

    def callback(delta):
        deltas.append(delta)
        return False  # a return value must not unregister it

    handle = unreal.register_slate_post_tick_callback(callback)

    def body():
        with pytest.raises(hosts.MainThreadViolation):
            unreal.register_slate_post_tick_callback(callback)
        with pytest.raises(hosts.MainThreadViolation):
            unreal.unregister_slate_post_tick_callback(handle)
        assert host.loop.wait_for(lambda: len(deltas) >= 3, WAIT_S)

    host.run(body)
    assert all(isinstance(d, float) and d >= 0 for d in deltas)
    assert handle in unreal.registered
    unreal.unregister_slate_post_tick_callback(handle)
    with pytest.raises(ValueError):
        unreal.unregister_slate_post_tick_callback(handle)


def test_unreal_tick_callback_is_unregistered_by_handle_after_reset(install_host):
    host = install_host("unreal")
    unreal = host.module
    backend = td.get_dispatcher_backend()
    host.activate()
    assert len(unreal.registered) == 1
    (handle,) = unreal.registered
    host.run(checks.check_sync_calls)
    host.run(checks.check_fifo)
    assert unreal.ticks > 0
    assert list(unreal.registered) == [handle], "the callback was registered again"
    td.reset_dispatcher_backends()  # main thread
    assert unreal.registered == {}
    assert unreal.unregistered == [handle]
    assert backend._handle is None


def test_unreal_registry_change_off_the_game_thread_unregisters_on_it(install_host):
    host = install_host("unreal")
    unreal = host.module
    host.activate()
    (handle,) = unreal.registered

    def body():
        td.unregister_dispatcher_backend("GLib")  # a worker changes the registry
        assert host.loop.wait_for(lambda: not unreal.registered, WAIT_S), "the tick callback stayed registered"

    host.run(body)
    assert unreal.unregistered == [handle]
    host.activate()
    assert len(unreal.registered) == 1
    assert host.run(lambda: td.run_on_main_thread_sync(lambda: 6, timeout=WAIT_S)) == 6


# --------------------------------------------------------------------------------------------------
# Qt, 3ds Max and GLib: real event loops, in a subprocess each
# --------------------------------------------------------------------------------------------------

def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@pytest.mark.parametrize("kind, expected_name, expected_dcc, requirement", [
    ("qt", "Qt", None, "PySide2"),
    ("pyqt5", "Qt", None, "PyQt5"),
    ("max", "3ds Max", "3ds Max", "PySide2"),
    ("glib", "GLib", None, "gi"),
])
def test_real_event_loop_backend_in_a_subprocess(kind, expected_name, expected_dcc, requirement):
    if not _has_module(requirement):
        pytest.skip(f"{requirement} is not installed")
    package_root = Path(dccview.__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "DCCVIEW_DISPATCHER"}
    env["PYTHONPATH"] = os.pathsep.join([str(package_root), str(TESTS_DIR)])
    env["QT_QPA_PLATFORM"] = "offscreen"
    script = "import sys; from stubs.scenarios import main; sys.exit(main(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", script, kind], env=env, cwd=str(TESTS_DIR),
                          capture_output=True, text=True, timeout=60)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("SCENARIO-RESULT ")]
    assert lines, f"no result (exit {proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    report = json.loads(lines[-1][len("SCENARIO-RESULT "):])
    failed = {name: c["error"] for name, c in report["checks"].items() if not c["ok"]}
    assert not failed, "\n".join(f"--- {name}\n{error}" for name, error in failed.items()) + proc.stderr
    assert report["loop_errors"] == []
    assert report["backend"] == expected_name
    assert report["dcc"] == expected_dcc
    assert report["is_dcc_environment"] is (expected_dcc is not None)
    expected_checks = {"sync_calls", "fifo", "exception_propagates", "timeout_never_runs", "cycle_served",
                       "cycle_refused", "worker_first_activation"}
    assert expected_checks <= set(report["checks"])
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------------------------------
# The fallback backend (dccview's own loop)
# --------------------------------------------------------------------------------------------------

def test_fallback_serves_without_a_host(main_loop):
    assert_no_real_host()
    assert isinstance(td.get_dispatcher_backend(), FallbackBackend)
    assert td.get_current_dcc_name() is None
    assert td.is_dcc_environment() is False
    main_loop(checks.check_sync_calls)
    main_loop(checks.check_fifo)
    main_loop(checks.check_exception_propagates)
    main_loop(lambda: checks.check_timeout_never_runs(td.run_on_main_thread))


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------

def test_priorities():
    P = td.DispatcherPriority
    assert (P.MAYA, P.HOUDINI, P.NUKE, P.BLENDER, P.MAX, P.UNREAL, P.QT, P.FALLBACK) == \
        (200, 190, 180, 170, 160, 150, 100, 0)
    assert P.DCC_THRESHOLD == 150


def test_builtins_are_listed_by_priority():
    assert_no_real_host()
    listed = td.list_dispatcher_backends()
    assert [name for _p, name, _ok in listed] == BUILTIN_ORDER
    priorities = [p for p, _name, _ok in listed]
    assert priorities == sorted(priorities, reverse=True)
    assert listed[0][0] == td.DispatcherPriority.MAYA and listed[-1][0] == td.DispatcherPriority.FALLBACK


def test_highest_available_priority_wins(install_host):
    install_host("unreal")
    assert td.get_dispatcher_backend().get_name() == "Unreal"
    install_host("nuke")  # both loaded: Nuke (180) beats Unreal (150)
    assert td.get_dispatcher_backend().get_name() == "Nuke"
    install_host("maya")
    assert td.get_dispatcher_backend().get_name() == "Maya"
    assert [name for _p, name, ok in td.list_dispatcher_backends() if ok] == ["Maya", "Nuke", "Unreal", "Fallback"]


def test_env_override_beats_an_available_maya(install_host, monkeypatch):
    install_host("maya")
    monkeypatch.setenv("DCCVIEW_DISPATCHER", "fallback")  # by name, case-insensitive
    td.reset_dispatcher_backends()
    assert isinstance(td.get_dispatcher_backend(), FallbackBackend)
    assert td.get_current_dcc_name() is None
    assert td.is_dcc_environment() is True  # Maya is still there; it just does not serve


@pytest.mark.parametrize("forced, message", [
    ("NoSuchHost", "names no registered backend"),
    ("Blender", "is not available here"),  # registered, but bpy is not loaded
])
def test_env_override_with_an_unusable_name_warns_and_chooses_by_priority(install_host, monkeypatch, caplog,
                                                                          forced, message):
    install_host("maya")
    monkeypatch.setenv("DCCVIEW_DISPATCHER", forced)
    td.reset_dispatcher_backends()
    with caplog.at_level(logging.WARNING, logger="dccview"):
        assert td.get_dispatcher_backend().get_name() == "Maya"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and forced in r.getMessage()]
    assert warnings and message in warnings[0].getMessage()


def test_string_spec_backend_is_imported_and_ranked_by_priority(install_host):
    host = install_host("maya")
    loop = hosts.HostLoop("stub-loop")
    hosts.LoopBackend.loop = loop
    td.register_dispatcher_backend("stubs.hosts:LoopBackend", priority=300, name="StubLoop")
    listed = td.list_dispatcher_backends()
    assert listed[0] == (300, "StubLoop", True)
    backend = td.get_dispatcher_backend()
    assert isinstance(backend, hosts.LoopBackend) and backend.get_name() == "StubLoop"
    assert td.get_current_dcc_name() == "StubLoop"  # priority >= DCC_THRESHOLD
    _runtime.active()
    assert loop.run_with(lambda: td.run_on_main_thread_sync(threading.get_ident, timeout=WAIT_S)) == \
        threading.main_thread().ident
    assert loop.errors == [] and host.loop.callbacks_run == 0  # served by StubLoop, not Maya
    # Same name again: replaced, now below Maya.
    td.register_dispatcher_backend("stubs.hosts:LoopBackend", priority=td.DispatcherPriority.QT, name="StubLoop")
    assert [(p, n) for p, n, _ok in td.list_dispatcher_backends()].count((100, "StubLoop")) == 1
    assert "StubLoop" not in [n for p, n, _ok in td.list_dispatcher_backends() if p == 300]
    assert td.get_dispatcher_backend().get_name() == "Maya"


def test_is_dcc_environment_follows_the_threshold():
    assert_no_real_host()
    assert td.is_dcc_environment() is False
    hosts.LoopBackend.loop = hosts.HostLoop("stub-loop")
    try:
        td.register_dispatcher_backend("stubs.hosts:LoopBackend", priority=td.DispatcherPriority.QT, name="StubLoop")
        assert td.is_dcc_environment() is False
        assert td.get_current_dcc_name() is None
        td.register_dispatcher_backend("stubs.hosts:LoopBackend", priority=td.DispatcherPriority.DCC_THRESHOLD,
                                       name="StubLoop")
        assert td.is_dcc_environment() is True
        assert td.get_current_dcc_name() == "StubLoop"
    finally:
        hosts.LoopBackend.loop = None


def test_broken_backends_are_skipped_and_logged(caplog):
    assert_no_real_host()
    td.register_dispatcher_backend("stubs.hosts", priority=500, name="NoClass")  # not module:Class
    td.register_dispatcher_backend("stubs.no_such_module:Backend", priority=400, name="NoModule")
    td.register_dispatcher_backend(hosts.BrokenBackend, priority=300)
    with caplog.at_level(logging.ERROR, logger="dccview"):
        listed = td.list_dispatcher_backends()
        assert listed[:3] == [(500, "NoClass", False), (400, "NoModule", False), (300, "Broken", False)]
        assert isinstance(td.get_dispatcher_backend(), FallbackBackend)
    logged = " ".join(r.getMessage() for r in caplog.records)
    for name in ("NoClass", "NoModule", "Broken"):
        assert f"backend {name} failed its availability check" in logged


def test_register_rejects_what_is_not_a_backend():
    with pytest.raises(TypeError):
        td.register_dispatcher_backend(object())
    with pytest.raises(TypeError):
        td.register_dispatcher_backend(dict)


def test_unregister_by_name_class_and_instance(install_host):
    install_host("maya")
    assert td.unregister_dispatcher_backend("maya") is True  # case-insensitive
    assert td.unregister_dispatcher_backend("Maya") is False
    assert isinstance(td.get_dispatcher_backend(), FallbackBackend)
    assert td.get_current_dcc_name() is None

    hosts.LoopBackend.loop = hosts.HostLoop("stub-loop")
    td.register_dispatcher_backend(hosts.LoopBackend, priority=250)
    assert td.get_dispatcher_backend().get_name() == "StubLoop"
    assert td.unregister_dispatcher_backend(hosts.LoopBackend) is True
    instance = hosts.LoopBackend()
    td.register_dispatcher_backend(instance, priority=250)
    assert td.get_dispatcher_backend() is instance
    assert td.unregister_dispatcher_backend(instance) is True
    assert td.unregister_dispatcher_backend(instance) is False
    assert isinstance(td.get_dispatcher_backend(), FallbackBackend)


def test_registry_change_resets_the_runtime(install_host):
    host = install_host("maya")
    state = host.activate()
    assert _runtime.current() is state
    td.register_dispatcher_backend(hosts.BrokenBackend, priority=1)
    assert _runtime.current() is None
    assert state.dispatcher.is_shutdown
    assert _runtime.active() is not state


def test_clear_leaves_the_fallback_serving(install_host, main_loop):
    install_host("maya")
    td.clear_dispatcher_backends()
    assert td.list_dispatcher_backends() == []
    assert isinstance(td.get_dispatcher_backend(), FallbackBackend)
    assert td.get_current_dcc_name() is None
    assert td.is_dcc_environment() is False
    assert main_loop(lambda: td.run_on_main_thread_sync(threading.get_ident, timeout=WAIT_S)) == \
        threading.main_thread().ident
