"""The fallback backend: dccview runs its own loop on the main thread (standalone tools, tests).

The main thread serves dccview's queue inside run_main_loop() (and WebView.show(wait=True)); work
queued while it does something else waits for it.
"""

from __future__ import annotations

from typing import Callable, Optional

from ...._signals import wake_on_signals
from ..base import ThreadDispatcherBackend


class FallbackBackend(ThreadDispatcherBackend):
    name = "Fallback"
    runs_own_loop = True

    def is_available(self) -> bool:
        return True

    def install(self, dispatcher) -> None:
        self._dispatcher = dispatcher
        dispatcher.install_owned()

    def install_from_other_thread(self, dispatcher) -> None:
        pass  # installed by the main thread's next call into dccview

    def run_loop(self, dispatcher, until: Optional[Callable[[], bool]] = None) -> None:
        if not dispatcher.installed:
            self.install(dispatcher)
        # A signal wakes the loop so that its Python handler runs now (dccview/_signals.py); a
        # KeyboardInterrupt or SystemExit, from a handler or from a task, leaves through run().
        with wake_on_signals(dispatcher.quit):
            while True:
                dispatcher.reset_quit()
                if until is not None and until():
                    return
                dispatcher.run()  # returns at stop_loop() or a signal, releasing the GIL meanwhile
                if until is None:
                    return

    def stop_loop(self, dispatcher) -> None:
        dispatcher.quit()
