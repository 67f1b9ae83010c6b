"""Autodesk Maya: ``maya.utils.executeDeferred`` (callable from any thread, runs on the main thread at
the next idle). Autodesk, "Python and threading": executeInMainThreadWithResult has no timeout and is
not used; dccview's own waits provide timeouts, cancellation and deadlock detection."""

from __future__ import annotations

import sys

from ..base import ThreadDispatcherBackend


class MayaBackend(ThreadDispatcherBackend):
    name = "Maya"

    def is_available(self) -> bool:
        utils = sys.modules.get("maya.utils")
        return utils is not None and hasattr(utils, "executeDeferred")

    def wake_main_thread(self, callback) -> None:
        sys.modules["maya.utils"].executeDeferred(callback)
