"""GLib/GTK applications (PyGObject): a native GSource on the default GLib main context, attached on
the main thread. The host's GLib loop (Gtk.main, GLib.MainLoop) serves dccview without Python in the
wake-up path."""

from __future__ import annotations

import sys

from ..base import ThreadDispatcherBackend


class GLibBackend(ThreadDispatcherBackend):
    name = "GLib"

    def is_available(self) -> bool:
        return "gi.repository.GLib" in sys.modules

    def install(self, dispatcher) -> None:
        self._dispatcher = dispatcher
        dispatcher.install_glib()

    def install_from_other_thread(self, dispatcher) -> None:
        glib = sys.modules["gi.repository.GLib"]
        def install_once() -> bool:
            self._install_once(dispatcher)
            return False  # a one-shot idle source

        glib.idle_add(install_once)
