"""The dispatcher backend interface: how one host's main thread is woken to pump dccview's queue."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any, Callable, Optional

from ... import _core

__all__ = ["ThreadDispatcherBackend", "TickPolledBackend"]

PUMP_BUDGET_S = 0.008  # one pump's slice of the host's frame; the rest stays the host's


class ThreadDispatcherBackend(ABC):
    """Connects dccview's native dispatcher to a host's main loop.

    A backend only *wakes* the host's main thread and makes it call ``dispatcher.pump()``; queues,
    waits, timeouts, cancellation and deadlock checks are the dispatcher's. Subclasses implement
    ``is_available()`` and either ``wake_main_thread()`` (hosts with an any-thread "run this soon on
    the main thread" API) or ``install()`` (hosts that drive the pump themselves).
    """

    #: True for a backend whose run_loop() runs dccview's own loop (the fallback). Before anything
    #: installed it, the thread that first runs that loop becomes the main thread.
    runs_own_loop = False

    def __init__(self) -> None:
        self._dispatcher: Optional[_core.Dispatcher] = None

    @abstractmethod
    def is_available(self) -> bool:
        """True when this backend's host is running in this process."""

    def wake_main_thread(self, callback: Callable[[], None]) -> None:
        """Arranges for ``callback()`` to run soon on the main thread. Called from any thread; must
        not block."""
        raise NotImplementedError(f"{type(self).__name__} implements neither wake_main_thread() nor install()")

    def install(self, dispatcher: "_core.Dispatcher") -> None:
        """Connects ``dispatcher`` to the host loop. Called once, on the main thread."""
        self._dispatcher = dispatcher
        dispatcher.install_manual(self._request_pump)

    def install_from_other_thread(self, dispatcher: "_core.Dispatcher") -> None:
        """Called instead of install() when activation happens off the main thread. The default uses
        wake_main_thread() to install there; hosts without an any-thread API leave it to the next
        call made on the main thread."""
        try:
            self.wake_main_thread(lambda: self._install_once(dispatcher))
        except NotImplementedError:
            pass

    def uninstall(self) -> None:
        """Disconnects from the host loop (unregisters timers or callbacks). Main thread preferred."""
        self._dispatcher = None

    def run_loop(self, dispatcher: "_core.Dispatcher", until: Optional[Callable[[], bool]] = None) -> None:  # noqa: B027
        """Runs dccview's own loop until ``until()`` is true (checked after each stop_loop()). Hosts run
        their own loop: the default returns at once (optional to override, hence not abstract)."""

    def stop_loop(self, dispatcher: "_core.Dispatcher") -> None:  # noqa: B027 - optional, like run_loop
        """Makes run_loop() check ``until`` again. Any thread."""

    def is_main_thread(self) -> bool:
        """True on the host's main thread."""
        return threading.get_ident() == self.main_thread_ident()

    def main_thread_ident(self) -> int:
        """The ``threading.get_ident()`` of the host's main thread."""
        ident = threading.main_thread().ident
        assert ident is not None  # the main thread has started: it is running this
        return ident

    def get_name(self) -> str:
        """The backend's display name ("Maya", "Qt", ...): see display_name()."""
        return display_name(type(self))

    # The upstream backend surface, with dccview's guarantees behind it.
    def run_deferred(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        from .wrapper import run_on_main_thread

        run_on_main_thread(func, *args, **kwargs)

    def run_sync(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from .wrapper import call_on_main_thread

        return call_on_main_thread(func, args, kwargs)

    def _install_once(self, dispatcher: "_core.Dispatcher") -> None:
        if not dispatcher.installed:
            self.install(dispatcher)

    def _request_pump(self) -> None:
        self.wake_main_thread(self._pump)

    def _pump(self) -> None:
        dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.pump(PUMP_BUDGET_S)  # re-wakes through _request_pump while work remains

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_name()!r}>"


class TickPolledBackend(ThreadDispatcherBackend):
    """For hosts whose only main-thread hook is a periodic callback (Blender timers, Unreal ticks):
    the callback pumps when work was announced. Waking only sets a flag, so it is safe from any
    thread."""

    def __init__(self) -> None:
        super().__init__()
        self._work_announced = False

    def install(self, dispatcher: "_core.Dispatcher") -> None:
        self._dispatcher = dispatcher
        dispatcher.install_manual(self._announce_work)
        self.register_tick()

    def install_from_other_thread(self, dispatcher: "_core.Dispatcher") -> None:
        pass  # the tick can only be registered on the main thread: the next main-thread call does it

    def uninstall(self) -> None:
        super().uninstall()  # first: a tick that runs from now on finds no dispatcher
        if self.is_main_thread():
            self.unregister_tick()
        # Elsewhere the host's tick API must not be touched (it is main-thread only): the tick
        # callback unregisters itself when it next runs and finds no dispatcher (see subclasses).

    @abstractmethod
    def register_tick(self) -> None:
        """Registers the host callback that calls ``self.tick()``. Main thread."""

    @abstractmethod
    def unregister_tick(self) -> None:
        """Unregisters it. Main thread. The tick callback must also stop (unregister itself) when it
        runs while ``self._dispatcher`` is None: uninstall() off the main thread leaves it to it."""

    def tick(self) -> bool:
        """Pumps if work was announced; True when work remains for the next tick."""
        dispatcher = self._dispatcher
        if dispatcher is None or not (self._work_announced or dispatcher.has_pending()):
            return False
        self._work_announced = False
        _ran, more = dispatcher.pump(PUMP_BUDGET_S)
        return more

    def _announce_work(self) -> None:
        self._work_announced = True


def display_name(backend_class: type) -> str:
    """A backend class's display name: its ``name`` attribute, else its class name without a
    "Backend" or "Dispatcher" suffix (``CustomBackend`` -> ``Custom``). The registry lists backends by
    it and ``DCCVIEW_DISPATCHER`` selects by it, so the three always agree."""
    name = getattr(backend_class, "name", None) or backend_class.__name__
    for suffix in ("Backend", "Dispatcher"):
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
    return name
