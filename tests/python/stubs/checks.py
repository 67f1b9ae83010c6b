"""The cross-thread checks every dispatcher backend must pass.

Each ``check_*`` is a test *body*: it runs on a worker thread (and starts more) while the main thread
runs the host's loop (HostLoop.run_with, a Qt or a GLib loop), and raises AssertionError on failure.
Every wait is bounded; nothing sleeps in the hope that something happened meanwhile.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable, List

from dccview import _core, _runtime
from dccview.errors import DeadlockDetectedError, ShutdownInProgressError, ThreadDispatchTimeoutError
from dccview.utils import thread_dispatcher as td

WAIT_S = 10.0  # bound of every wait that should succeed at once
TIMEOUT_S = 0.2  # the sync-call timeout of the timeout checks

PostToMain = Callable[[Callable[[], Any]], None]  # the host's own "run this on the main thread" (any thread)


def main_ident() -> int:
    return threading.main_thread().ident


def run_threads(count: int, target: Callable[[int], Any], timeout: float = 20.0) -> List[Any]:
    """Runs target(0..count-1) on ``count`` threads; returns their values, re-raises the first error."""
    results: List[Any] = [None] * count
    errors: List[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = target(k)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,), name=f"check-worker-{k}", daemon=True) for k in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"worker threads still running after {timeout} s"
    if errors:
        raise errors[0]
    return results


def check_sync_calls(threads: int = 4, calls: int = 25) -> None:
    """Workers' run_on_main_thread_sync(fn) returns fn's value; fn ran on the main thread; the
    @dcc_thread_safe decorator does the same."""
    assert threading.get_ident() != main_ident()
    assert td.is_main_thread() is False

    def on_main(k: int, i: int) -> tuple:
        return (k, i, threading.get_ident(), td.is_main_thread())

    @td.dcc_thread_safe
    def decorated(x: int) -> tuple:
        return (x * 3, threading.get_ident())

    def worker(k: int) -> None:
        for i in range(calls):
            got = td.run_on_main_thread_sync(on_main, k, i, timeout=WAIT_S)
            assert got == (k, i, main_ident(), True), f"worker {k} call {i} got {got!r}"
        assert decorated(k) == (k * 3, main_ident())

    run_threads(threads, worker)


def check_fifo(threads: int = 4, posts: int = 50) -> None:
    """run_on_main_thread (fire-and-forget) from several workers: every task runs, on the main thread,
    in FIFO order per posting thread."""
    ran: List[tuple] = []  # appended on the main thread only
    finished = [threading.Event() for _ in range(threads)]

    def record(k: int, i: int) -> None:
        ran.append((k, i, threading.get_ident()))

    def worker(k: int) -> None:
        for i in range(posts):
            assert td.run_on_main_thread(record, k, i) is None
        td.run_on_main_thread(finished[k].set)

    run_threads(threads, worker)
    for k, event in enumerate(finished):
        assert event.wait(WAIT_S), f"the tasks of worker {k} did not all run within {WAIT_S} s"
    assert len(ran) == threads * posts
    assert {ident for _k, _i, ident in ran} == {main_ident()}
    for k in range(threads):
        order = [i for kk, i, _ident in ran if kk == k]
        assert order == list(range(posts)), f"worker {k}'s tasks ran out of order: {order}"


class HostCallError(Exception):
    """Raised on the main thread by the exception checks."""


def check_exception_propagates() -> None:
    """The sync caller gets the function's own exception object, traceback intact; the loop serves on."""
    error = HostCallError("raised on the main thread")
    where: List[int] = []

    def raise_on_main() -> None:
        where.append(threading.get_ident())
        raise error

    try:
        td.run_on_main_thread_sync(raise_on_main, timeout=WAIT_S)
    except HostCallError as caught:
        assert caught is error, "the caller got a different exception object"
        names = [frame.name for frame in traceback.extract_tb(caught.__traceback__)]
        assert "raise_on_main" in names, f"the traceback lost the raising frame: {names}"
    else:
        raise AssertionError("run_on_main_thread_sync swallowed the exception")
    assert where == [main_ident()]
    assert td.run_on_main_thread_sync(lambda: "still serving", timeout=WAIT_S) == "still serving"


class OtherLoop:
    """A second dccview loop thread (a WebView thread, say) for cycles through the host's main thread."""

    def __enter__(self) -> "_core.Dispatcher":
        self.dispatcher = _core.Dispatcher()
        installed = threading.Event()

        def run() -> None:
            self.dispatcher.install_owned()
            installed.set()
            self.dispatcher.run()

        self.thread = threading.Thread(target=run, name="check-other-loop", daemon=True)
        self.thread.start()
        assert installed.wait(WAIT_S), "the other loop never started"
        return self.dispatcher

    def __exit__(self, *exc_info: Any) -> None:
        self.dispatcher.quit()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive(), "the other loop did not stop"


def check_cycle_through_the_main_thread(serving: bool) -> None:
    """RFC pattern 3 through the host's loop: the main thread waits for another loop whose task calls
    back into the main thread. A serving main thread runs that call while it waits; inside
    no_serving_wait nobody can, and the call back is refused at once with DeadlockDetectedError
    (never by timing out)."""

    def back_to_main() -> str:  # on the other loop thread
        try:
            return td.run_on_main_thread_sync(lambda: "served", timeout=WAIT_S)
        except DeadlockDetectedError:
            return "refused"

    with OtherLoop() as other:
        def on_main() -> tuple:
            outcomes: List[str] = []
            started = time.monotonic()
            if serving:
                other.call(lambda: outcomes.append(back_to_main()), WAIT_S, "other loop")
            else:
                with td.no_serving_wait("check: must not be re-entered"):
                    other.call(lambda: outcomes.append(back_to_main()), WAIT_S, "other loop")
            return outcomes[0], time.monotonic() - started

        outcome, took = td.run_on_main_thread_sync(on_main, timeout=3 * WAIT_S)
    assert outcome == ("served" if serving else "refused"), outcome
    assert took < WAIT_S / 2, f"took {took:.2f} s: the cycle was waited out, not resolved or refused"


def check_timeout_never_runs(post_to_main: PostToMain) -> None:
    """While the main loop is blocked (by a callback posted with the host's own API), a sync call with
    a short timeout raises ThreadDispatchTimeoutError naming the function, and the function never
    runs afterwards, even though the loop then serves (checked after two later round trips)."""
    blocked, release = threading.Event(), threading.Event()
    late_runs: List[int] = []

    def block_main_loop() -> None:
        blocked.set()
        if not release.wait(WAIT_S):
            raise AssertionError("block_main_loop was never released")

    def late_function() -> None:
        late_runs.append(threading.get_ident())

    post_to_main(block_main_loop)
    assert blocked.wait(WAIT_S), "the host loop never ran the blocking callback"
    started = time.monotonic()
    try:
        td.run_on_main_thread_sync(late_function, timeout=TIMEOUT_S)
    except ThreadDispatchTimeoutError as error:
        elapsed = time.monotonic() - started
        assert isinstance(error, TimeoutError)
        assert "late_function" in str(error), f"the error does not name the function: {error}"
    else:
        raise AssertionError("run_on_main_thread_sync returned although the main loop was blocked")
    finally:
        release.set()
    # The wait lasted about the timeout: not less (ms rounding aside), not unboundedly more.
    assert TIMEOUT_S - 0.01 <= elapsed < TIMEOUT_S + 5.0, f"timed out after {elapsed:.3f} s"
    # Two round trips through the dispatcher and one through the host after the release: the
    # cancelled call was queued before them, so it had its chance to (wrongly) run.
    assert td.run_on_main_thread_sync(lambda: 1, timeout=WAIT_S) == 1
    host_round_trip = threading.Event()
    post_to_main(host_round_trip.set)
    assert host_round_trip.wait(WAIT_S)
    assert td.run_on_main_thread_sync(lambda: 2, timeout=WAIT_S) == 2
    assert late_runs == [], f"the timed-out function ran after all: {late_runs}"


def check_worker_first_activation() -> None:
    """No main-thread call into dccview yet: the first use from a worker activates the backend, which
    installs itself on the main thread through the host's any-thread API; the call completes."""
    assert _runtime.current() is None, "the backend was already active"
    assert td.run_on_main_thread_sync(threading.get_ident, timeout=WAIT_S) == main_ident()
    state = _runtime.current()
    assert state is not None and state.dispatcher.installed


def check_registry_change_wakes_waiters(post_to_main: PostToMain, change_registry: Callable[[], None]) -> None:
    """A sync caller waiting while the main loop is blocked gets ShutdownInProgressError when the
    registry changes (from another worker); its function never runs."""
    blocked, release = threading.Event(), threading.Event()
    waiting_result: List[BaseException] = []
    ran: List[int] = []

    def block_main_loop() -> None:
        blocked.set()
        if not release.wait(WAIT_S):
            raise AssertionError("block_main_loop was never released")

    def never_runs() -> None:
        ran.append(1)

    post_to_main(block_main_loop)
    assert blocked.wait(WAIT_S)
    state = _runtime.current()
    accepted_before = state.dispatcher.stats()["accepted"]
    try:
        waiter_started = threading.Event()

        def waiter() -> None:
            waiter_started.set()
            try:
                td.run_on_main_thread_sync(never_runs, timeout=WAIT_S)
            except BaseException as error:
                waiting_result.append(error)

        thread = threading.Thread(target=waiter, name="waiting-caller", daemon=True)
        thread.start()
        assert waiter_started.wait(WAIT_S)
        # Poll (bounded) until the call is queued: the dispatcher then counts it as accepted.
        deadline = time.monotonic() + WAIT_S
        while state.dispatcher.stats()["accepted"] == accepted_before:
            assert time.monotonic() < deadline, "the sync call was never queued"
            time.sleep(0.001)
        change_registry()
        thread.join(WAIT_S)
        assert not thread.is_alive(), "the waiting caller was not woken by the registry change"
    finally:
        release.set()
    assert len(waiting_result) == 1 and isinstance(waiting_result[0], ShutdownInProgressError), waiting_result
    host_round_trip = threading.Event()
    post_to_main(host_round_trip.set)
    assert host_round_trip.wait(WAIT_S)
    assert ran == []
