"""The RFC's names exist where the RFC puts them, and the error classes form its hierarchy."""

import importlib

import pytest

import dccview

RFC_UTILS_NAMES = [
    "dcc_thread_safe",
    "dcc_thread_safe_async",
    "ensure_main_thread",
    "run_on_main_thread",
    "run_on_main_thread_sync",
    "is_main_thread",
]


def test_top_level_names():
    from dccview import (  # noqa: F401
        DeadlockDetectedError,
        JavaScriptError,
        ShutdownInProgressError,
        ThreadDispatchTimeoutError,
        ThreadSafetyConfig,
        ThreadSafetyError,
        WebView,
    )


@pytest.mark.parametrize("module", ["dccview.utils", "dccview.utils.dcc_thread_safe",
                                    "dccview.utils.thread_dispatcher"])
def test_utils_names_including_the_wrapper(module):
    mod = importlib.import_module(module)
    for name in RFC_UTILS_NAMES + ["DCCThreadSafeWrapper"]:
        assert callable(getattr(mod, name)), f"{module}.{name}"


def test_thread_dispatcher_names():
    mod = importlib.import_module("dccview.utils.thread_dispatcher")
    from dccview.utils.thread_dispatcher import DCCThreadSafeWrapper  # the RFC's import form

    assert DCCThreadSafeWrapper is dccview.utils.DCCThreadSafeWrapper
    for name in RFC_UTILS_NAMES + [
        "register_dispatcher_backend",
        "unregister_dispatcher_backend",
        "clear_dispatcher_backends",
        "get_dispatcher_backend",
        "list_dispatcher_backends",
        "is_dcc_environment",
        "get_current_dcc_name",
    ]:
        assert callable(getattr(mod, name)), name
    assert mod.DispatcherPriority.MAYA == 200 and mod.DispatcherPriority.FALLBACK == 0


def test_error_hierarchy():
    assert issubclass(dccview.DeadlockDetectedError, dccview.ThreadSafetyError)
    assert issubclass(dccview.ThreadDispatchTimeoutError, dccview.ThreadSafetyError)
    assert issubclass(dccview.ThreadDispatchTimeoutError, TimeoutError)
    assert issubclass(dccview.ShutdownInProgressError, dccview.ThreadSafetyError)
    assert issubclass(dccview.ThreadSafetyError, Exception)
    assert issubclass(dccview.JavaScriptError, RuntimeError)
    assert not issubclass(dccview.JavaScriptError, dccview.ThreadSafetyError)


def test_config_defaults_and_validation():
    config = dccview.ThreadSafetyConfig()
    assert (config.js_eval_timeout_ms, config.main_thread_timeout_ms) == (5000, 30000)
    assert (config.max_retries, config.retry_delay_ms) == (3, 100)
    with pytest.raises(ValueError, match="main_thread_timeout_ms"):
        dccview.ThreadSafetyConfig(main_thread_timeout_ms=-1)
    with pytest.raises(ValueError, match="js_eval_timeout_ms"):
        dccview.ThreadSafetyConfig(js_eval_timeout_ms="5s")


def test_type_stubs_and_marker_ship_with_the_package():
    from pathlib import Path

    package = Path(dccview.__file__).parent
    assert (package / "py.typed").is_file()
    stub = (package / "_core.pyi").read_text()
    assert "class Dispatcher" in stub and "class WebView" in stub
    # The native API as it was reviewed: a change to it is a visible diff of the checked-in reference.
    reference = Path(__file__).resolve().parents[2] / "bindings" / "_core.reference.pyi"
    assert stub == reference.read_text(), (
        "dccview._core's API changed: review the difference, then copy the generated stub over the reference "
        f"(cp {package / '_core.pyi'} {reference})")
