"""Foundry Nuke: ``nuke.executeInMainThread(call, args=(), kwargs={})`` (any thread). Nuke prints and
swallows exceptions of the call; dccview's pump never lets one escape to it, and the task's own
exception reaches its caller (sync) or the ``dccview`` logger (async)."""

from __future__ import annotations

import sys

from ..base import ThreadDispatcherBackend


class NukeBackend(ThreadDispatcherBackend):
    name = "Nuke"

    def is_available(self) -> bool:
        module = sys.modules.get("nuke")
        return module is not None and hasattr(module, "executeInMainThread")

    def wake_main_thread(self, callback) -> None:
        sys.modules["nuke"].executeInMainThread(callback)
