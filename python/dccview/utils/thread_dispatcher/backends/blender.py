"""Blender: a persistent ``bpy.app.timers`` timer, registered on the main thread, pumps when work was
announced (Blender, "bpy.app.timers": use a timer to react to events in another thread). The timer
returns the next interval as a float: immediately again while work remains, IDLE_INTERVAL_S when idle
(Blender's window-manager loop wakes that often anyway), and None (Blender then unregisters it) once
the backend was uninstalled off the main thread, where bpy.app.timers must not be touched."""

from __future__ import annotations

import sys
from typing import Optional

from ..base import TickPolledBackend

IDLE_INTERVAL_S = 0.005


class BlenderBackend(TickPolledBackend):
    name = "Blender"

    def __init__(self) -> None:
        super().__init__()
        # bpy.app.timers identifies a timer by the function object itself (its address), and every
        # ``self._timer`` creates a new bound method: register, test and unregister this one object.
        self._timer_function = self._timer

    def is_available(self) -> bool:
        bpy = sys.modules.get("bpy")
        return bpy is not None and hasattr(getattr(bpy, "app", None), "timers")

    def register_tick(self) -> None:
        timers = sys.modules["bpy"].app.timers
        if not timers.is_registered(self._timer_function):
            timers.register(self._timer_function, first_interval=0.0, persistent=True)

    def unregister_tick(self) -> None:
        timers = sys.modules["bpy"].app.timers
        if timers.is_registered(self._timer_function):
            timers.unregister(self._timer_function)

    def _timer(self) -> Optional[float]:
        if self._dispatcher is None:
            return None  # uninstalled off the main thread: returning None makes Blender unregister it
        return 0.0 if self.tick() else IDLE_INTERVAL_S
