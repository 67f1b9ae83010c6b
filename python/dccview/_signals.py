"""Python signal handlers while the main thread waits in dccview's own loop.

CPython runs a signal's Python handler (KeyboardInterrupt for SIGINT, a tool's SIGTERM handler) only
when the main thread executes bytecode; inside dccview's loop it waits in native code with the GIL
released, so an idle standalone tool never handled Ctrl-C. While the loop runs, the signal wakeup fd
(``signal.set_wakeup_fd``, written by CPython's C-level handler for every signal that has a Python
handler) points at a socket watched by a small thread, which wakes the loop: the loop returns to
Python, the handler runs at once, and a KeyboardInterrupt (or the handler's SystemExit) leaves
``run_main_loop()`` / ``show()``. A wakeup fd set before (asyncio's) keeps receiving every signal byte.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import threading
from typing import Callable, Iterator

__all__ = ["wake_on_signals"]


def _watch(reader: socket.socket, previous_fd: int, wake: Callable[[], None], stop: threading.Event) -> None:
    while True:
        select.select([reader], [], [])
        try:
            received = reader.recv(512)
        except BlockingIOError:
            continue
        if stop.is_set() or not received:
            return
        if previous_fd >= 0:
            with contextlib.suppress(OSError):
                os.write(previous_fd, received)
        wake()


@contextlib.contextmanager
def wake_on_signals(wake: Callable[[], None]) -> Iterator[None]:
    """Within the block, a signal with a Python handler calls ``wake()`` (any thread) so that the main
    thread's loop returns and the handler runs. A no-op off the main thread (only the main thread
    runs signal handlers, and only it may set the wakeup fd)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    try:
        previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except ValueError:  # not the main interpreter
        reader.close()
        writer.close()
        yield
        return
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(reader, previous_fd, wake, stop), name="dccview-signals",
                               daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        stop.set()
        with contextlib.suppress(OSError):
            writer.send(b"\0")  # the watcher wakes, sees stop and returns
        watcher.join()
        reader.close()
        writer.close()
