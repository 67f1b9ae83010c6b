"""Runs inside Blender (GUI mode under Xvfb): drives the dccview scene panel add-on and records every
step in the JSON file named by DCCVIEW_RESULT. Started by tests/hosts/test_blender.py.

The script returns at once so that Blender's event loop runs; the scenario runs on a worker thread,
as a tool's background work would, and ends by asking Blender to quit with the panels still open.
"""

import json
import os
import threading
import time
import traceback

import bpy

import dccview_panel
import scenario_support
from scenario_support import longest_gap, wait_ready, wait_until
from dccview.utils import get_current_dcc_name, run_on_main_thread, run_on_main_thread_sync

RESULT = os.environ["DCCVIEW_RESULT"]
results = {"steps": {}, "errors": []}
timer_fires = [0]


def record(step, value):
    results["steps"][step] = value
    with open(RESULT, "w") as out:
        json.dump(results, out)


fire_times = []


def heartbeat():
    timer_fires[0] += 1
    fire_times.append(time.monotonic())
    return 0.01


def wait_for_blender_loop(timeout=60.0):
    """Blender's window-manager loop runs timers slowly for the first seconds after start (about one
    per 0.5 s here); wait until the 10 ms heartbeat fires at its rate: 10 fires within 0.2 s."""

    def at_rate():
        last = fire_times[-10:]
        return len(last) == 10 and last[-1] - last[0] <= 0.2

    return bool(wait_until(at_rate, timeout))


def open_panel():
    """A dcc_mode panel, opened on Blender's main thread (an operator would do it)."""
    return run_on_main_thread_sync(lambda: dccview_panel.open_panel(dcc_mode=True), timeout=60)


def close_under_load():
    """Closes a panel on the main thread while a worker emits ~1000 events/s into it and another
    waits in run_on_main_thread_sync (scenario_support.close_under_load)."""
    view = open_panel()
    ready = wait_ready(view)
    outcomes = scenario_support.close_under_load(view, view.close, lambda: len(bpy.data.objects))
    dccview_panel._panels.remove(view)
    return dict(outcomes, ready=ready)


def open_close_cycles(cycles):
    """Opens and closes the panel `cycles` times after a warm-up cycle: RSS growth, and no thread
    left over (scenario_support.open_close_cycles)."""

    def cycle():
        view = open_panel()
        ready = wait_ready(view)
        run_on_main_thread_sync(view.close, timeout=30)
        dccview_panel._panels.remove(view)
        return ready

    return scenario_support.open_close_cycles(cycle, cycles)


def scenario():
    record("dcc_name", get_current_dcc_name())
    record("loop_running", wait_for_blender_loop())
    # Opening the panels is main-thread work in Blender (an operator would do it).
    decorated = run_on_main_thread_sync(lambda: dccview_panel.open_panel(dcc_mode=False), timeout=60)
    dcc_mode = run_on_main_thread_sync(lambda: dccview_panel.open_panel(dcc_mode=True), timeout=60)
    record("ready", [wait_ready(decorated), wait_ready(dcc_mode)])
    # Blender runs no GLib loop: the views live on dccview's own WebView thread (dedicated mode), so
    # Blender's main thread may wait for the page (in host mode this raises DeadlockDetectedError).
    record("webview_thread", "dccview-webview" in scenario_support.thread_names())
    record("eval_from_main", run_on_main_thread_sync(lambda: decorated.eval_js_sync("1 + 1", 10000), timeout=30))
    record("modes", [decorated.eval_js_sync("document.getElementById('mode').textContent"),
                     dcc_mode.eval_js_sync("document.getElementById('mode').textContent")])
    record("listed", decorated.eval_js_sync("window.panel.refresh()", 10000))
    record("created_decorated", decorated.eval_js_sync("window.panel.create('cube')", 10000))
    record("created_dcc_mode", dcc_mode.eval_js_sync("window.panel.create('sphere')", 10000))
    record("scene_after", run_on_main_thread_sync(lambda: sorted(o.name for o in bpy.data.objects)))
    record("listed_after", dcc_mode.eval_js_sync("window.panel.refresh()", 10000))
    # A background job streams 100 progress events 10 ms apart; Blender's own timer keeps firing.
    fires_before = timer_fires[0]
    started = time.monotonic()
    decorated.eval_js("dccview.call('start_job', {steps: 100, interval_ms: 10})")
    job_done = bool(wait_until(lambda: decorated.eval_js_sync("window.jobDone === true", 5000), 30))
    ended = time.monotonic()
    record("job", {"done": job_done, "progress": decorated.eval_js_sync("window.progress"),
                   "timer_fires": timer_fires[0] - fires_before, "seconds": ended - started,
                   "longest_gap_s": longest_gap(fire_times, started, ended)})
    record("close_under_load", close_under_load())
    record("open_close_cycles", open_close_cycles(20))
    # Quit with the panels open (and a job streaming into one of them).
    dcc_mode.eval_js("dccview.call('start_job', {steps: 100000, interval_ms: 1})")
    record("quit_requested_at", time.time())
    run_on_main_thread(bpy.ops.wm.quit_blender)


def run():
    try:
        scenario()
    except BaseException as error:  # recorded, then Blender is asked to quit anyway
        results["errors"].append("".join(traceback.format_exception(error)))
        record("failed", True)
        run_on_main_thread(bpy.ops.wm.quit_blender)


dccview_panel.register()
bpy.app.timers.register(heartbeat, first_interval=0.01, persistent=True)
threading.Thread(target=run, name="blender-scenario", daemon=True).start()
