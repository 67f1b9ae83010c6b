"""Test helpers for tests/python/test_backends.py: stub DCC host modules running on a real loop.

``hosts``     HostLoop (a host application's main loop, run on the test's main thread) and the stub
              host modules (maya.utils, hdefereval, nuke, bpy.app.timers, unreal, pymxs).
``checks``    the cross-thread checks every backend must pass; each runs on a worker thread while
              the main thread runs the host's loop.
``scenarios`` the Qt, 3ds Max and GLib runs, which need a real event loop of their own and so run
              in a subprocess (``python -c "from stubs.scenarios import main; main('qt')"``).

Not a test package: nothing here is collected by pytest.
"""
