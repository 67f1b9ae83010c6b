"""Mistakes a tool author makes in the first hour get messages that say what to do: a handler
registered after the page called it, eval_js_sync where it would wait for itself, a return value
that is not JSON (and json_default for the types a tool wants to send)."""

import logging
import pathlib

import pytest

import dccview

from conftest import needs_display
from test_webview import open_view

pytestmark = needs_display


def test_a_call_without_a_handler_is_logged_and_so_is_registering_it_too_late(main_loop, caplog):
    caplog.set_level(logging.WARNING, logger="dccview")

    def body():
        view = open_view()
        early = view.eval_js_sync("dccview.call('export_scene').catch((e) => e.name)")
        view.on("export_scene")(lambda: "exported")  # too late for the call above
        late = view.eval_js_sync("dccview.call('export_scene')")
        view.close()
        return early, late

    assert main_loop(body) == ("NotFoundError", "exported")
    messages = [record.getMessage() for record in caplog.records if record.name == "dccview"]
    assert any("the page called 'export_scene', which has no handler: register it with on('export_scene') "
               "before loading the page" in m for m in messages), messages
    assert any("handler 'export_scene' was registered after the page called it" in m for m in messages), messages
    assert not any(m.startswith("dccview: ") for m in messages), "one prefix: the logger's name"


def test_eval_js_sync_on_the_webviews_own_thread_says_to_call_it_from_a_worker(main_loop):
    def body():
        view = open_view()
        refusal = {}

        @view.on("nested")
        def nested():  # runs on the WebView thread (no dcc_mode)
            with pytest.raises(dccview.DeadlockDetectedError) as error:
                view.eval_js_sync("1")
            refusal["message"] = str(error.value)
            return True

        assert view.eval_js_sync("dccview.call('nested')") is True
        view.close()
        return refusal["message"]

    message = main_loop(body)
    assert "would wait for itself" in message
    assert "call it from a worker thread, or use eval_js_async" in message, message


def test_a_return_value_that_is_not_json_is_reported_as_such_and_json_default_converts_it(main_loop, caplog):
    caplog.set_level(logging.ERROR, logger="dccview")

    def body():
        plain = open_view()
        plain.on("objects")(lambda: {"selected": {"cube1"}})
        refused = plain.eval_js_sync("dccview.call('objects').catch((e) => [e.name, e.type, e.message])")
        plain.close()
        converting = open_view(json_default=lambda value: sorted(value) if isinstance(value, set) else str(value))
        converting.on("objects")(lambda: {"selected": {"cube2", "cube1"}, "file": pathlib.PurePosixPath("/a/b.ma")})
        converted = converting.eval_js_sync("dccview.call('objects')")
        converting.eval_js("window.got = null; dccview.on('saved', (d) => { window.got = d; })")
        converting.emit("saved", {"path": pathlib.PurePosixPath("/a/c.ma")})
        got = converting.eval_js_sync("window.got")  # an evaluation after an emit sees it (same thread)
        converting.close()
        return refused, converted, got

    refused, converted, got = main_loop(body)
    assert refused[0:2] == ["HandlerError", "TypeError"] and "return value is not JSON" in refused[2], refused
    assert converted == {"selected": ["cube1", "cube2"], "file": "/a/b.ma"}
    assert got == {"path": "/a/c.ma"}
    assert any("returned a value that is not JSON" in r.getMessage() and "json_default" in r.getMessage()
               for r in caplog.records), [r.getMessage() for r in caplog.records]


def test_re_running_a_tool_script_replaces_its_panel(main_loop):
    def body():
        other = open_view(name="other tool")
        first = open_view(name="scene tool", singleton=True)
        first.on("which")(lambda: "first")
        second = open_view(name="scene tool", singleton=True)  # the script run again
        second.on("which")(lambda: "second")
        listed = [view.name for view in dccview.list_webviews()]
        outcome = (first.closed, second.eval_js_sync("dccview.call('which')"), listed, repr(second))
        second.close()
        other.close()
        return outcome + (dccview.list_webviews(),)

    first_closed, which, listed, shown, left = main_loop(body)
    assert first_closed and which == "second"
    assert listed == ["other tool", "scene tool"], listed
    assert shown == "<dccview.WebView 'scene tool' open>"
    assert left == []
