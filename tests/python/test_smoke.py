import threading

from dccview.utils import is_main_thread, run_on_main_thread_sync


def test_sync_call_runs_on_the_main_thread(main_loop):
    def body():
        return run_on_main_thread_sync(lambda: (threading.get_ident(), is_main_thread()))

    ident, on_main = main_loop(body)
    assert ident == threading.main_thread().ident
    assert on_main is True
