"""Interpreter exit with WebViews open and worker threads still posting: no crash, no hang."""

import os
import subprocess
import sys
import textwrap
import time

from conftest import needs_display

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    import dccview
    from dccview.utils import run_on_main_thread, run_on_main_thread_sync, run_main_loop, stop_main_loop

    views = [dccview.WebView(html="<p>exit test</p>", dcc_mode=(i == 0)) for i in range(2)]
    outcomes = []

    def worker(daemon_index):
        proxy = views[daemon_index % 2].get_proxy()
        while True:
            try:
                run_on_main_thread(lambda: None)
                proxy.emit("tick", {"i": daemon_index})
                run_on_main_thread_sync(lambda: None, timeout=30)
            except dccview.ShutdownInProgressError:
                outcomes.append("shutdown")
                return

    threads = [threading.Thread(target=worker, args=(i,), daemon=(i % 2 == 0)) for i in range(6)]
    for thread in threads:
        thread.start()
    threading.Timer(0.5, stop_main_loop).start()
    run_main_loop()
    print("script done", flush=True)
    """
)


@needs_display
def test_exit_with_open_views_and_posting_workers_neither_crashes_nor_hangs():
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=90)
    elapsed = time.monotonic() - started
    assert "script done" in result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Fatal Python error" not in result.stderr
    assert "Segmentation fault" not in result.stderr
    # A worker left waiting for the main thread would hold the exit for its whole 30 s timeout; a
    # clean exit takes about a second. 20 s is slack for a slow machine, far from both.
    assert elapsed < 20, f"exit took {elapsed:.1f} s: a worker waited out its timeout"


CLEAN_SCRIPT = textwrap.dedent(
    """
    import os, sys, threading
    import dccview

    # A tool's whole life in dedicated mode: a view, a handler the page calls, a strict view too,
    # then the script ends with the views open (the exit closes them).
    view = dccview.WebView(html="<p>clean exit</p>", thread_mode="dedicated")
    strict = dccview.WebView(html="<p>strict</p>", thread_mode="dedicated", strict=True)
    for v in (view, strict):
        v.on("ping")(lambda data: "pong")
        assert v.eval_js_sync("dccview.whenReady().then(() => dccview.call('ping'))", 20000) == "pong"
    # The OS sees dccview's threads under their names (ps, top, debuggers), as Python does.
    names = {open(f"/proc/self/task/{task}/comm").read().strip() for task in os.listdir("/proc/self/task")}
    print("os threads:", sorted(n for n in names if n.startswith("dccview")), flush=True)
    print("python threads:", sorted(t.name for t in threading.enumerate() if t.name.startswith("dccview")), flush=True)
    print("script done", flush=True)
    """
)


@needs_display
def test_a_clean_exit_prints_nothing_and_threads_have_their_names():
    result = subprocess.run([sys.executable, "-c", CLEAN_SCRIPT], env=dict(os.environ), capture_output=True,
                            text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "script done" in result.stdout
    # Nothing on stderr: no error line about a closed handler, no ShutdownInProgressError, no warning.
    assert result.stderr == "", result.stderr[-3000:]
    assert "os threads: ['dccview-strict', 'dccview-webview']" in result.stdout, result.stdout
    assert "python threads: ['dccview-strict', 'dccview-webview']" in result.stdout, result.stdout
