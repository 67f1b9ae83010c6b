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
