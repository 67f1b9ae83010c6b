"""Helpers shared by the scenario scripts that run inside real hosts (Blender, FreeCAD, the Qt
applications and the simulated DCCs): bounded waits, paced loops, page readiness, process and X
server measurements, and the two steps every real host runs alike (closing a panel under load, and
open/close cycles that must leave nothing behind).

The scenarios run in the host's own interpreter; their pytest wrappers put this folder on the path
(PYTHONPATH, or DCCVIEW_SYS_PATH for FreeCAD, which clears PYTHONPATH).
"""

import collections
import ctypes
import os
import threading
import time

import dccview
from dccview.utils import run_on_main_thread_sync

EMIT_BURST = 10  # events per burst of the close-under-load emitter: 10 every 10 ms, 1000/s
EMIT_INTERVAL_S = 0.01
LOADED_EVENTS = 500  # the emitter's events before the close: half a second at 1000/s
THREADS_SETTLE_S = 5.0  # how long WebKit's exiting helper threads get to end after the last close


def on_main(func, *args, timeout=30):
    """func(*args) on the host's main thread (a worker's synchronous call)."""
    return run_on_main_thread_sync(func, *args, timeout=timeout)


def wait_until(predicate, timeout=10.0, interval=0.02):
    """predicate()'s first truthy value, or its last value once `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def paced(interval):
    """An endless iterator whose items come `interval` seconds apart on a fixed schedule (a late item
    is followed at once by the next one due): a rate, rather than a pause after each item."""
    due = time.monotonic()
    while True:
        yield
        due += interval
        time.sleep(max(0.0, due - time.monotonic()))


def wait_ready(view, expression="window.__loaded === true", timeout=30.0):
    """True once the page says `expression` (it may not exist yet while the page loads)."""

    def ready():
        try:
            return view.eval_js_sync(expression, 2000)
        except dccview.ThreadSafetyError:
            return False

    return bool(wait_until(ready, timeout, 0.05))


def next_frames(view):
    """Resolves after the page painted twice more (its last changes are on screen)."""
    return view.eval_js_sync(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))", 5000)


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def thread_count():
    return len(os.listdir("/proc/self/task"))


def thread_names():
    """The names (/proc/self/task/*/comm) of this process's threads; one that ends meanwhile is left
    out."""
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                names.append(comm.read().strip())
        except OSError:
            pass
    return names


def child_processes():
    """The names (comm) of every process descended from this one (WebKit's web and network processes,
    Qt WebEngine's zygote, GPU and renderer processes); one that ends meanwhile is left out."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after its last ")".
            comm = text[text.index("(") + 1:text.rindex(")")]
            parents[int(entry)] = (int(text[text.rindex(")") + 2:].split()[1]), comm)
    found, frontier = [], {os.getpid()}
    while frontier:
        children = {pid for pid, (ppid, _) in parents.items() if ppid in frontier}
        found += [parents[pid][1] for pid in children]
        frontier = children
    return sorted(found)


class _XcbCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


_xcb = {}  # libxcb, libc and this process's own X connection (one, made at first use; xcb is thread-safe)
_xcb_lock = threading.Lock()


def _xcb_connection():
    with _xcb_lock:
        if not _xcb:
            xcb, libc = ctypes.CDLL("libxcb.so.1"), ctypes.CDLL(None)
            xcb.xcb_connect.restype = ctypes.c_void_p
            xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
            xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
            xcb.xcb_get_window_attributes.restype = _XcbCookie
            xcb.xcb_get_window_attributes.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
            xcb.xcb_get_window_attributes_reply.restype = ctypes.c_void_p
            xcb.xcb_get_window_attributes_reply.argtypes = [ctypes.c_void_p, _XcbCookie,
                                                            ctypes.POINTER(ctypes.c_void_p)]
            libc.free.argtypes = [ctypes.c_void_p]
            connection = xcb.xcb_connect(None, None)  # $DISPLAY
            if xcb.xcb_connection_has_error(connection):  # else every window would seem gone
                raise RuntimeError(f"cannot connect to the X display {os.environ.get('DISPLAY')!r}")
            _xcb.update(xcb=xcb, free=libc.free, connection=connection)
        return _xcb


def x_window_exists(window_id):
    """Whether the X server has the window `window_id` now, asked on a connection of this module's
    own: when it says no, every request GDK sent on that window (on GDK's connection) has reached
    the server, so destroying its parent window cannot make a later one fail."""
    x = _xcb_connection()
    error = ctypes.c_void_p()
    reply = x["xcb"].xcb_get_window_attributes_reply(
        x["connection"], x["xcb"].xcb_get_window_attributes(x["connection"], window_id), ctypes.byref(error))
    x["free"](reply)
    x["free"](error)
    return bool(reply)


def longest_gap(times, start, end):
    """The longest time without an entry of `times` between start and end (a frozen main thread
    that should have ticked: all of it)."""
    marks = [start] + [t for t in times if start < t < end] + [end]
    return max(b - a for a, b in zip(marks, marks[1:]))


class _Load:
    """Two workers against an open view: one emits ~1000 events/s into it, the other calls
    run_on_main_thread_sync(main_value) in a loop. Both run until the view refuses them with
    ShutdownInProgressError, or stop()."""

    def __init__(self, view, main_value):
        self.view, self.main_value = view, main_value
        self.emitted, self.emitter_end, self.waiter_got = 0, None, []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._emit, name="emitter"),
                         threading.Thread(target=self._wait, name="waiter")]
        self.began = time.monotonic()
        for thread in self._threads:
            thread.start()

    def _emit(self):
        try:
            for _ in paced(EMIT_INTERVAL_S):
                if self._stop.is_set():
                    self.emitter_end = "stopped"
                    return
                for _ in range(EMIT_BURST):
                    self.view.emit("progress", {"job": 0, "step": self.emitted, "total": 0})
                    self.emitted += 1
        except dccview.ShutdownInProgressError:
            self.emitter_end = "shutdown"

    def _wait(self):
        while not self._stop.is_set():
            try:
                self.waiter_got.append(run_on_main_thread_sync(self.main_value, timeout=10))
            except dccview.ShutdownInProgressError:
                self.waiter_got.append("shutdown")

    def running(self):
        """Half a second of events sent, and the main thread answered."""
        return self.emitted >= LOADED_EVENTS and bool(self.waiter_got)

    def stop(self):
        """Stops both (the emitter stops by itself at its first emit after a close: the flag is the
        fallback); returns how many are still alive 15 s later."""
        wait_until(lambda: self.emitter_end is not None, 10)
        self._stop.set()
        for thread in self._threads:
            thread.join(15)
        return sum(thread.is_alive() for thread in self._threads)


def close_under_load(view, close, main_value, closed=None):
    """Closes `view` with close() on the main thread while _Load runs against it: no crash, no hang,
    every waiter call gets a value or ShutdownInProgressError, and the emitter's first emit after the
    close is refused with ShutdownInProgressError. `closed()` tells when the host saw the view closed
    (default: the view says so)."""
    load = _Load(view, main_value)
    outcomes = {"loaded": bool(wait_until(load.running, 10))}
    started = time.monotonic()
    outcomes["emit_rate"] = round(load.emitted / (started - load.began))
    on_main(close)
    outcomes["close_call_s"] = round(time.monotonic() - started, 4)
    outcomes["closed_event"] = bool(wait_until(closed or (lambda: view.closed), 10))
    outcomes["close_s"] = round(time.monotonic() - started, 4)
    outcomes["threads_alive"] = load.stop()
    return dict(outcomes, emitted=load.emitted, emitter=load.emitter_end, waiter_calls=len(load.waiter_got),
                waiter_kinds=sorted({type(v).__name__ for v in load.waiter_got}), view_closed=view.closed)


def threads_back_to(baseline, baseline_names, timeout=THREADS_SETTLE_S):
    """Waits up to `timeout` s until no more threads run than `baseline`: whether they did, how many
    run then, how long it took, and the names of the threads beyond `baseline_names` (a leak, or a
    pool that grew once)."""
    started = time.monotonic()
    back = bool(wait_until(lambda: thread_count() <= baseline, timeout))
    leftover = collections.Counter(thread_names()) - collections.Counter(baseline_names)
    return {"no_leftover_threads": back, "threads_after": thread_count(),
            "threads_settled_s": round(time.monotonic() - started, 2),
            "leftover_threads": sorted(leftover.elements())}


def open_close_cycles(cycle, cycles, host_objects=dict):
    """Runs cycle() (opens and closes a panel; True when the panel worked) once to warm up, then
    `cycles` times, and measures from the warm-up's end: RSS growth, no web engine process (renderer)
    left over, and (threads_back_to) no thread left over once the host removed the last panel's objects (host_objects(): what the host keeps
    for open panels, e.g. Qt window containers and docks, back to what it was before the cycles)."""
    objects_initial = host_objects()
    cycle()  # the first view starts WebKit's process pool and thread pools, which stay
    wait_until(lambda: host_objects() == objects_initial, THREADS_SETTLE_S)  # the warm-up panel is gone
    objects_before, rss_before = host_objects(), rss_kib()
    threads_before, names_before = thread_count(), thread_names()
    processes_before = child_processes()
    started = time.monotonic()
    ok = [cycle() for _ in range(cycles)]
    seconds = round(time.monotonic() - started, 2)
    objects_gone = bool(wait_until(lambda: host_objects() == objects_before, THREADS_SETTLE_S))
    processes_back = bool(wait_until(lambda: len(child_processes()) <= len(processes_before), THREADS_SETTLE_S))
    return {"child_processes_before": processes_before, "child_processes_after": child_processes(),
            "no_leftover_processes": processes_back,"cycles": cycles, "all_ok": all(ok), "seconds": seconds,
            "rss_before_kib": rss_before, "rss_growth_kib": rss_kib() - rss_before,
            "objects_before": objects_before, "objects_after": host_objects(), "objects_gone": objects_gone,
            "threads_before": threads_before, "thread_names_before": sorted(names_before),
            **threads_back_to(threads_before, names_before)}
