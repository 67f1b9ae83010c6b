"""Blender: a persistent ``bpy.app.timers`` timer, registered on the main thread, pumps when work was
announced (Blender, "bpy.app.timers": use a timer to react to events in another thread). The timer
returns the next interval as a float: immediately again while work remains, IDLE_INTERVAL_S when idle
(Blender's window-manager loop wakes that often anyway)."""

from __future__ import annotations

import sys

from ..base import TickPolledBackend

IDLE_INTERVAL_S = 0.005


class BlenderBackend(TickPolledBackend):
    name = "Blender"

    def is_available(self) -> bool:
        bpy = sys.modules.get("bpy")
        return bpy is not None and hasattr(getattr(bpy, "app", None), "timers")

    def register_tick(self) -> None:
        timers = sys.modules["bpy"].app.timers
        if not timers.is_registered(self._timer):
            timers.register(self._timer, first_interval=0.0, persistent=True)

    def unregister_tick(self) -> None:
        timers = sys.modules["bpy"].app.timers
        if timers.is_registered(self._timer):
            timers.unregister(self._timer)

    def _timer(self) -> float:
        return 0.0 if self.tick() else IDLE_INTERVAL_S
