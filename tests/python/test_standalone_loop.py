"""How show(wait=True) and run_main_loop() behave in a standalone script and inside a host. Each case
runs in its own interpreter: which thread is the main thread is decided once per process."""

import json
import os
import subprocess
import sys
import textwrap

from conftest import needs_display

pytestmark = needs_display


def run_script(source: str) -> dict:
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    env.pop("DCCVIEW_DISPATCHER", None)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(source)], env=env, capture_output=True,
                            text=True, timeout=90)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, f"exit {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def test_the_thread_that_runs_show_wait_becomes_the_main_thread():
    outcome = run_script("""
        import json, threading
        import dccview
        from dccview.utils import dcc_thread_safe, is_main_thread, run_on_main_thread_sync

        out = {}

        @dcc_thread_safe
        def where():
            return [threading.current_thread().name, is_main_thread()]

        def tool():  # Python's main thread never touches dccview in this script
            view = dccview.WebView(html="<p>tool</p>")

            def closer():
                out["sync"] = run_on_main_thread_sync(lambda: threading.current_thread().name, timeout=20)
                out["decorated"] = where()
                view.close()

            threading.Thread(target=closer).start()
            view.show(wait=True)
            out["returned_closed"] = view.closed

        thread = threading.Thread(target=tool, name="tool-thread")
        thread.start()
        thread.join(60)
        print("RESULT " + json.dumps(out), flush=True)
    """)
    assert outcome == {"sync": "tool-thread", "decorated": ["tool-thread", True], "returned_closed": True}


def test_closing_one_view_does_not_end_a_bare_run_main_loop():
    outcome = run_script("""
        import json, threading
        import dccview
        from dccview.utils import run_main_loop, run_on_main_thread_sync, stop_main_loop

        first, second = dccview.WebView(html="<p>1</p>"), dccview.WebView(html="<p>2</p>")
        events = []

        def script():
            first.close()
            # The loop still serves after a view closed: this call would otherwise time out.
            events.append(run_on_main_thread_sync(lambda: "served after the first close", timeout=20))
            second.close()
            events.append(run_on_main_thread_sync(lambda: "served after the second close", timeout=20))
            events.append("stop")
            stop_main_loop()

        threading.Thread(target=script).start()
        run_main_loop()
        events.append("loop returned")
        print("RESULT " + json.dumps(events), flush=True)
    """)
    assert outcome == ["served after the first close", "served after the second close", "stop", "loop returned"]


def test_inside_a_host_show_wait_returns_at_once():
    # A host whose own loop serves the main thread (here: a minimal backend the script registers, its
    # loop a plain queue the script pumps) never gives its thread to dccview: show(wait=True) shows
    # and returns while the view stays open.
    outcome = run_script("""
        import json, queue, threading, time
        import dccview
        from dccview.utils import register_dispatcher_backend, get_current_dcc_name, run_on_main_thread_sync
        from dccview.utils.thread_dispatcher import ThreadDispatcherBackend

        host_queue = queue.Queue()

        class MiniHost(ThreadDispatcherBackend):
            name = "MiniHost"
            def is_available(self):
                return True
            def wake_main_thread(self, callback):
                host_queue.put(callback)

        register_dispatcher_backend(MiniHost(), priority=500, name="MiniHost")
        view = dccview.WebView(html="<p>host</p>")
        started = time.monotonic()
        view.show(wait=True)
        out = {"show_s": time.monotonic() - started, "open_after_show": not view.closed}

        def worker():  # the host's loop (below) serves the main thread
            out["served"] = run_on_main_thread_sync(lambda: "by the host loop", timeout=20)
            view.close()
            host_queue.put(None)

        threading.Thread(target=worker).start()
        while (callback := host_queue.get(timeout=30)) is not None:
            callback()
        out["closed"] = view.closed
        print("RESULT " + json.dumps(out), flush=True)
    """)
    assert outcome["open_after_show"] and outcome["show_s"] < 5.0, outcome  # slack: a loaded machine
    assert outcome["served"] == "by the host loop" and outcome["closed"]
