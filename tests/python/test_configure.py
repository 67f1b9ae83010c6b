"""dccview.configure(): the process-wide ThreadSafetyConfig reaches the main-thread dispatch."""

import threading

import pytest

import dccview
from dccview.utils import dcc_thread_safe, run_on_main_thread, run_on_main_thread_sync
from dccview.utils import thread_dispatcher as td
from dccview.utils.thread_dispatcher.backends.fallback import FallbackBackend

from conftest import needs_display
from test_standalone_loop import run_script
from test_webview import MAIN, open_view


@pytest.fixture
def restore_config():
    yield
    dccview.configure(dccview.ThreadSafetyConfig())


def test_configure_sets_the_default_main_thread_timeout(main_loop, restore_config):
    dccview.configure(dccview.ThreadSafetyConfig(main_thread_timeout_ms=150))
    release = threading.Event()
    started = threading.Event()

    @dcc_thread_safe
    def touch():
        return "late"

    def body():
        run_on_main_thread(lambda: (started.set(), release.wait(20)))
        assert started.wait(10)
        try:
            with pytest.raises(dccview.ThreadDispatchTimeoutError, match="150 ms"):
                touch()  # no timeout given: the configured 150 ms, not 30 s
        finally:
            release.set()

    main_loop(body)


def test_configure_rejects_what_is_not_a_config(restore_config):
    with pytest.raises(TypeError):
        dccview.configure({"main_thread_timeout_ms": 1})


def test_is_main_thread_on_the_main_thread_connects_a_backend_a_worker_activated():
    dccview.utils.thread_dispatcher.reset_dispatcher_backends()
    activated = threading.Thread(target=dccview.utils.is_main_thread)  # a worker uses dccview first
    activated.start()
    activated.join(10)
    state = dccview._runtime.current()
    assert state is not None and not state.dispatcher.installed
    assert dccview.utils.is_main_thread() is True
    assert state.dispatcher.installed


# configure() and registry changes against open views (both orders), and a main loop that is running.

@needs_display
def test_configure_while_a_dcc_mode_view_is_open_leaves_it_working(main_loop, restore_config):
    def body():
        view = open_view(dcc_mode=True)
        view.on("where")(lambda: threading.get_ident())
        before = view.eval_js_sync("dccview.call('where')")
        dccview.configure(dccview.ThreadSafetyConfig(main_thread_timeout_ms=7000))  # from this worker
        after = view.eval_js_sync("dccview.call('where')")
        sync = run_on_main_thread_sync(threading.get_ident)
        view.close()
        return before, after, sync

    assert main_loop(body) == (MAIN, MAIN, MAIN)


@needs_display
def test_a_view_opened_after_configure_uses_the_new_defaults(main_loop, restore_config):
    dccview.configure(dccview.ThreadSafetyConfig(js_eval_timeout_ms=150))

    def body():
        view = open_view(dcc_mode=True)
        view.on("where")(lambda: threading.get_ident())
        where = view.eval_js_sync("dccview.call('where')")
        never = "new Promise(() => {})"
        for wait in (view.eval_js_sync, view.thread_safe().eval_js_sync, view.get_proxy().eval_js_sync):
            with pytest.raises(dccview.ThreadDispatchTimeoutError, match="150 ms"):
                wait(never)  # the configured default everywhere, not a fixed 5000 ms
        answered = threading.Event()
        errors = []
        view.get_proxy().eval_js_async(never, lambda _value, error: (errors.append(error), answered.set()))
        assert answered.wait(2.5), "the configured 150 ms, not 5000 ms (2.5 s of slack)"
        view.close()
        assert errors[0].name == "TimeoutError"
        return where

    assert main_loop(body) == MAIN


@needs_display
def test_registry_changes_are_refused_while_a_dcc_mode_view_is_open(main_loop):
    def body():
        view = open_view(dcc_mode=True)
        view.on("where")(lambda: threading.get_ident())
        refusals = []
        for change in (lambda: td.register_dispatcher_backend(FallbackBackend, 5, name="Other"),
                       lambda: td.unregister_dispatcher_backend("Qt"),
                       td.clear_dispatcher_backends, td.reset_dispatcher_backends):
            with pytest.raises(RuntimeError, match="1 dcc_mode WebView.*Close them first") as refused:
                change()
            refusals.append(str(refused.value))
        still = view.eval_js_sync("dccview.call('where')")
        view.close()
        td.register_dispatcher_backend(FallbackBackend, 5, name="Other")  # accepted once it closed
        return refusals, still

    refusals, still = main_loop(body)
    assert len(refusals) == 4 and still == MAIN


def test_a_registry_change_does_not_end_or_hang_a_running_main_loop():
    outcome = run_script("""
        import json, threading
        from dccview.utils import run_main_loop, run_on_main_thread_sync, stop_main_loop
        from dccview.utils import thread_dispatcher as td
        from dccview.utils.thread_dispatcher.backends.fallback import FallbackBackend

        out = {}

        def worker():
            out["before"] = run_on_main_thread_sync(threading.get_ident, timeout=20)
            td.register_dispatcher_backend(FallbackBackend, 5, name="Other")  # replaces the dispatcher
            out["after"] = run_on_main_thread_sync(threading.get_ident, timeout=20)
            stop_main_loop()

        threading.Thread(target=worker).start()
        run_main_loop()
        out["main"] = threading.get_ident()
        print("RESULT " + json.dumps(out), flush=True)
    """)
    assert outcome["before"] == outcome["after"] == outcome["main"]


@needs_display
def test_configure_from_a_worker_while_show_waits_keeps_the_page_served_and_show_returns():
    outcome = run_script("""
        import json, threading
        import dccview

        view = dccview.WebView(html="<p>tool</p>", dcc_mode=True)
        view.on("where")(lambda: threading.get_ident())
        out = {}

        def worker():
            ready = "window.dccview && document.body ? dccview.whenReady().then(() => true) : false"
            while not view.eval_js_sync(ready, 5000):
                pass
            dccview.configure(dccview.ThreadSafetyConfig(main_thread_timeout_ms=9000))
            out["where"] = view.eval_js_sync("dccview.call('where')", 10000)
            view.close()

        threading.Thread(target=worker).start()
        view.show(wait=True)
        out["main"] = threading.get_ident()
        print("RESULT " + json.dumps(out), flush=True)
    """)
    assert outcome["where"] == outcome["main"]


class CustomBackend(FallbackBackend):
    """A third-party backend without a ``name`` attribute: its display name comes from the class."""

    name = None


def test_a_backend_is_listed_and_selected_by_the_name_get_name_gives(monkeypatch):
    for spec in (CustomBackend, "test_configure:CustomBackend", CustomBackend()):
        td.reset_dispatcher_backends()
        td.register_dispatcher_backend(spec, -1)  # below the fallback: only chosen when forced
        names = [name for _priority, name, _available in td.list_dispatcher_backends()]
        assert "Custom" in names and "CustomBackend" not in names, (spec, names)
        monkeypatch.setenv("DCCVIEW_DISPATCHER", "custom")
        td.unregister_dispatcher_backend("Custom")  # re-registered: the choice is made afresh
        td.register_dispatcher_backend(spec, -1)
        chosen = td.get_dispatcher_backend()
        assert chosen.get_name() == "Custom" and isinstance(chosen, CustomBackend), (spec, chosen)
        monkeypatch.delenv("DCCVIEW_DISPATCHER")


def test_clearing_removes_the_built_in_backends_until_they_are_reset():
    td.clear_dispatcher_backends()
    assert td.list_dispatcher_backends() == []
    assert td.get_dispatcher_backend().get_name() == "Fallback"  # what serves with nothing registered
    td.reset_dispatcher_backends()
    names = [name for _priority, name, _available in td.list_dispatcher_backends()]
    assert names == ["Maya", "Houdini", "Nuke", "Blender", "3ds Max", "Unreal", "Qt", "GLib", "Fallback"]
