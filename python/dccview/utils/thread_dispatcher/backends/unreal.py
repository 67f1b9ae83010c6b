"""Unreal Editor: a slate post-tick callback registered on the game thread with
``unreal.register_slate_post_tick_callback`` and unregistered by its handle with
``unreal.unregister_slate_post_tick_callback`` (returning a value from the callback does not
unregister it)."""

from __future__ import annotations

import sys

from ..base import TickPolledBackend


class UnrealBackend(TickPolledBackend):
    name = "Unreal"

    def __init__(self) -> None:
        super().__init__()
        self._handle = None

    def is_available(self) -> bool:
        module = sys.modules.get("unreal")
        return module is not None and hasattr(module, "register_slate_post_tick_callback")

    def register_tick(self) -> None:
        if self._handle is None:
            self._handle = sys.modules["unreal"].register_slate_post_tick_callback(self._on_tick)

    def unregister_tick(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            sys.modules["unreal"].unregister_slate_post_tick_callback(handle)

    def _on_tick(self, delta_seconds: float) -> None:
        if self._dispatcher is None:
            self.unregister_tick()  # uninstalled off the game thread: unregister here, on it
            return
        self.tick()
