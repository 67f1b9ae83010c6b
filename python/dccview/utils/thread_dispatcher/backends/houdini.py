"""SideFX Houdini: ``hdefereval.executeDeferred`` (any thread; runs from the UI event loop). The
blocking ``executeInMainThreadWithResult`` is never used: it deadlocks when called on the main thread
and has no timeout."""

from __future__ import annotations

import sys

from ..base import ThreadDispatcherBackend


class HoudiniBackend(ThreadDispatcherBackend):
    name = "Houdini"

    def is_available(self) -> bool:
        module = sys.modules.get("hdefereval")
        return module is not None and hasattr(module, "executeDeferred")

    def wake_main_thread(self, callback) -> None:
        sys.modules["hdefereval"].executeDeferred(callback)
