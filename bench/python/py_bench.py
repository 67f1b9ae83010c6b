"""py_bench [--quick] [--json FILE]: dccview's Python layer against the RFC's pure-Python design.

    PYTHONPATH=build/release/python build/venv/bin/python bench/python/py_bench.py [--quick] [--json FILE]

Benchmarks (all impls measured in the same run, interleaved round by round so that drift on a shared
machine hits every impl alike):

  py_sync_call           a Python worker thread runs a no-op on the main thread and waits for it, one
                         call at a time; each call timed on the worker with time.perf_counter_ns.
                         impls: dccview   (dccview.utils.run_on_main_thread_sync, the main thread
                                           inside dccview.utils.run_main_loop())
                                rfc_python (the RFC's design: a queue.Queue pumped by the main thread,
                                           one threading.Event per call)
                         figures: p50_us, p99_us, calls
  py_decorator_overhead  a @dcc_thread_safe function called on the main thread (the inline fast path)
                         against the same bare function; timeit-style, best repeat per call.
                         impls: dccview (ns, added_ns = dccview - bare), bare (ns)

Prints a table and every target with its measured value and "met"/"MISSED", writes JSON lines (one
object per row, the C++ bench's format) to FILE (a fresh file). Exits 0 even when a target is missed:
targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import queue
import sys
import threading
import time
import timeit
from typing import Any, Callable, Dict, List, Optional, Tuple

import dccview
from dccview import utils as dutils

# ------------------------------------------------------------------------------------------------
# Reporting (the C++ bench's Report: rows of (benchmark, impl, ordered figures)).


class Report:
    def __init__(self) -> None:
        self.rows: List[Tuple[str, str, List[Tuple[str, float]]]] = []

    def add(self, benchmark: str, impl: str, figures: List[Tuple[str, float]]) -> None:
        line = f"{benchmark:<22} {impl:<20}" + "".join(f"  {k}={v:.3f}" for k, v in figures)
        print(line, flush=True)
        self.rows.append((benchmark, impl, figures))

    def find(self, benchmark: str, impl: str, figure: str) -> float:
        for b, i, figures in self.rows:
            if b == benchmark and i == impl:
                for k, v in figures:
                    if k == figure:
                        return v
        return math.nan

    def write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as out:  # a fresh file, never appended to
            for benchmark, impl, figures in self.rows:
                line = f'{{"benchmark":{json.dumps(benchmark)},"impl":{json.dumps(impl)}'
                for k, v in figures:  # numbers as the C++ bench prints them (%.6g); null if not finite
                    line += f',{json.dumps(k)}:{format(v, ".6g") if math.isfinite(v) else "null"}'
                out.write(line + "}\n")


def percentile(samples: List[float], pct: float) -> float:
    """Same rule as bench/report.cc: the ceil(pct% * n)-th smallest sample."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    index = max(0, math.ceil(pct / 100.0 * len(ordered)) - 1)
    return ordered[min(index, len(ordered) - 1)]


def check(what: str, value: float, limit: float, at_most: bool) -> int:
    met = value <= limit if at_most else value >= limit
    print(f"  {what:<58} {value:8.3f}  (target {'<=' if at_most else '>='} {limit:.2f})  "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


# ------------------------------------------------------------------------------------------------
# The RFC's pure-Python main-thread dispatch, implemented as the RFC describes it.


class RfcDispatcher:
    """RFC 0002's design: run_on_main_thread puts a wrapper into a queue.Queue that the main thread
    pumps; run_on_main_thread_sync makes one threading.Event per call, the wrapper stores the result
    or the error and sets the event, the caller waits with event.wait(timeout)."""

    _STOP = object()

    def __init__(self) -> None:
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._main_ident = threading.main_thread().ident

    def is_main_thread(self) -> bool:
        return threading.get_ident() == self._main_ident

    def run_on_main_thread(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._queue.put(lambda: func(*args, **kwargs))

    def run_on_main_thread_sync(self, func: Callable[..., Any], *args: Any, timeout: float = 30.0,
                                **kwargs: Any) -> Any:
        if self.is_main_thread():
            return func(*args, **kwargs)
        result_holder: list = [None]
        error_holder: list = [None]
        event = threading.Event()

        def wrapper() -> None:
            try:
                result_holder[0] = func(*args, **kwargs)
            except Exception as e:
                error_holder[0] = e
            finally:
                event.set()

        self.run_on_main_thread(wrapper)
        if not event.wait(timeout=timeout):
            raise TimeoutError(f"Main thread execution timed out after {timeout}s")
        if error_holder[0] is not None:
            raise error_holder[0]
        return result_holder[0]

    def run_loop(self) -> None:
        """The main thread's pump: blocking get, run, until stop()."""
        get = self._queue.get
        while True:
            item = get()
            if item is self._STOP:
                return
            try:
                item()
            except Exception:  # the RFC logs fire-and-forget errors; none happen here
                pass

    def stop(self) -> None:
        self._queue.put(self._STOP)


# ------------------------------------------------------------------------------------------------
# py_sync_call


def noop() -> None:
    return None


def timed_calls(call: Callable[[Callable[[], None]], Any], warmup: int, calls: int) -> List[float]:
    """On the worker: `warmup` untimed calls, then `calls` calls timed one by one (microseconds)."""
    for _ in range(warmup):
        call(noop)
    clock = time.perf_counter_ns
    samples = [0.0] * calls
    for i in range(calls):
        t0 = clock()
        call(noop)
        samples[i] = (clock() - t0) / 1000.0
    return samples


def on_worker_with_main_loop(body: Callable[[], Any], run_loop: Callable[[Callable[[], bool]], None],
                             stop_loop: Callable[[], None]) -> Any:
    """Runs body() on a worker thread while the main thread runs `run_loop`; returns body's value."""
    assert threading.current_thread() is threading.main_thread()
    outcome: dict = {}
    done = threading.Event()

    def worker() -> None:
        try:
            outcome["value"] = body()
        except BaseException as error:  # re-raised on the main thread
            outcome["error"] = error
        finally:
            done.set()
            stop_loop()

    thread = threading.Thread(target=worker, name="py_bench-worker", daemon=True)
    thread.start()
    run_loop(done.is_set)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def dccview_round(warmup: int, calls: int) -> List[float]:
    sync = dutils.run_on_main_thread_sync
    return on_worker_with_main_loop(lambda: timed_calls(sync, warmup, calls),
                                    lambda until: dutils.run_main_loop(until=until), dutils.stop_main_loop)


def rfc_round(warmup: int, calls: int) -> List[float]:
    rfc = RfcDispatcher()
    return on_worker_with_main_loop(lambda: timed_calls(rfc.run_on_main_thread_sync, warmup, calls),
                                    lambda _until: rfc.run_loop(), rfc.stop)


def run_py_sync_call(quick: bool, report: Report) -> None:
    total = 2000 if quick else 20000
    rounds = 2 if quick else 4
    warmup = 200 if quick else 1000
    per_round = total // rounds
    samples: Dict[str, List[float]] = {"dccview": [], "rfc_python": []}
    for r in range(rounds):
        # Alternate which impl goes first, so neither always follows the other.
        order = [("dccview", dccview_round), ("rfc_python", rfc_round)]
        if r % 2:
            order.reverse()
        for name, round_fn in order:
            samples[name] += round_fn(warmup, per_round)
    for name in ("dccview", "rfc_python"):
        s = samples[name]
        report.add("py_sync_call", name,
                   [("p50_us", percentile(s, 50)), ("p99_us", percentile(s, 99)), ("calls", float(len(s)))])


# ------------------------------------------------------------------------------------------------
# py_decorator_overhead


def bare(x: Any) -> Any:
    return x


@dutils.dcc_thread_safe
def decorated(x: Any) -> Any:
    return x


def run_py_decorator_overhead(quick: bool, report: Report) -> None:
    assert threading.current_thread() is threading.main_thread()
    # Activates the runtime on the main thread (the decorator's fast path needs it); not an assert, so
    # that it also runs under python -O.
    if not dutils.is_main_thread():
        raise SystemExit("py_bench: dccview does not see this thread as the main thread")
    number = 100_000 if quick else 500_000
    repeats = 3 if quick else 7
    timers = {
        "bare": timeit.Timer("f(1)", globals={"f": bare}),
        "dccview": timeit.Timer("f(1)", globals={"f": decorated}),
    }
    for timer in timers.values():  # warm-up
        timer.timeit(number // 10)
    best = {name: math.inf for name in timers}
    for _ in range(repeats):  # interleaved rounds, best round of each (timeit turns gc off meanwhile)
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number * 1e9)
    report.add("py_decorator_overhead", "dccview",
               [("ns", best["dccview"]), ("added_ns", best["dccview"] - best["bare"])])
    report.add("py_decorator_overhead", "bare", [("ns", best["bare"])])


# ------------------------------------------------------------------------------------------------


def print_targets(report: Report) -> int:
    print("\ntargets (measured in this run):")
    missed = 0
    rfc_p50 = report.find("py_sync_call", "rfc_python", "p50_us")
    missed += check("py_sync_call p50 dccview / rfc_python p50",
                    report.find("py_sync_call", "dccview", "p50_us") / rfc_p50, 0.5, True)
    missed += check("py_decorator_overhead added ns (dccview - bare)",
                    report.find("py_decorator_overhead", "dccview", "added_ns"), 1000.0, True)
    print(f"{missed} target(s) missed")
    return missed


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter run")
    parser.add_argument("--json", metavar="FILE", help="write JSON lines to FILE (overwritten)")
    args = parser.parse_args(argv)
    if threading.current_thread() is not threading.main_thread():
        raise SystemExit("py_bench must run on the main thread")
    print(f"py_bench: Python {sys.version.split()[0]}, dccview from {dccview.__file__}, "
          f"switch interval {sys.getswitchinterval() * 1e3:.1f} ms, gc {'on' if gc.isenabled() else 'off'}"
          f"{', quick' if args.quick else ''}", flush=True)
    report = Report()
    run_py_sync_call(args.quick, report)
    run_py_decorator_overhead(args.quick, report)
    print_targets(report)
    if args.json:
        report.write_json(args.json)
    return 0  # a missed target is a finding to record, not a failure


if __name__ == "__main__":
    sys.exit(main())
