"""dccview.configure(): the process-wide ThreadSafetyConfig reaches the main-thread dispatch."""

import threading

import pytest

import dccview
from dccview.utils import dcc_thread_safe, run_on_main_thread


@pytest.fixture
def restore_config():
    yield
    dccview.configure(dccview.ThreadSafetyConfig())


def test_configure_sets_the_default_main_thread_timeout(main_loop, restore_config):
    dccview.configure(dccview.ThreadSafetyConfig(main_thread_timeout_ms=150))
    release = threading.Event()
    started = threading.Event()

    @dcc_thread_safe
    def touch():
        return "late"

    def body():
        run_on_main_thread(lambda: (started.set(), release.wait(20)))
        assert started.wait(10)
        try:
            with pytest.raises(dccview.ThreadDispatchTimeoutError, match="150 ms"):
                touch()  # no timeout given: the configured 150 ms, not 30 s
        finally:
            release.set()

    main_loop(body)


def test_configure_rejects_what_is_not_a_config(restore_config):
    with pytest.raises(TypeError):
        dccview.configure({"main_thread_timeout_ms": 1})


def test_is_main_thread_on_the_main_thread_connects_a_backend_a_worker_activated():
    dccview.utils.thread_dispatcher.reset_dispatcher_backends()
    activated = threading.Thread(target=dccview.utils.is_main_thread)  # a worker uses dccview first
    activated.start()
    activated.join(10)
    state = dccview._runtime.current()
    assert state is not None and not state.dispatcher.installed
    assert dccview.utils.is_main_thread() is True
    assert state.dispatcher.installed
