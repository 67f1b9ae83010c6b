"""ThreadSafetyConfig: the RFC's tunables ("Rust-Side Timeout Configuration"), validated."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ThreadSafetyConfig"]


@dataclass(frozen=True)
class ThreadSafetyConfig:
    """Timeouts and checks for dccview's cross-thread operations.

    Attributes:
        js_eval_timeout_ms: default timeout of ``eval_js_sync`` and ``eval_js_async``.
        main_thread_timeout_ms: default timeout of ``run_on_main_thread_sync`` and the
            ``@dcc_thread_safe`` decorators.
        max_retries: how often a synchronous call retries admission into a full bounded queue.
        retry_delay_ms: the pause between those retries.
        debug_lock_order: ``True`` makes a lock-order violation raise ``DeadlockDetectedError``;
            ``False`` (the default) logs it once and goes on. The check itself is always on (the
            RFC only checks in debug builds); ``DCCVIEW_LOCK_ORDER=off|report|throw|abort`` wins.
    """

    js_eval_timeout_ms: int = 5000
    main_thread_timeout_ms: int = 30000
    max_retries: int = 3
    retry_delay_ms: int = 100
    debug_lock_order: bool = False

    def __post_init__(self) -> None:
        for name in ("js_eval_timeout_ms", "main_thread_timeout_ms", "max_retries", "retry_delay_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ThreadSafetyConfig.{name} must be an int >= 0, not {value!r}")
        if not isinstance(self.debug_lock_order, bool):
            raise ValueError(f"ThreadSafetyConfig.debug_lock_order must be a bool, not {self.debug_lock_order!r}")

    def native_kwargs(self) -> dict:
        """Keyword arguments for the native dispatcher."""
        return {
            "main_thread_timeout_ms": self.main_thread_timeout_ms,
            "js_eval_timeout_ms": self.js_eval_timeout_ms,
            "max_retries": self.max_retries,
            "retry_delay_ms": self.retry_delay_ms,
            "debug_lock_order": self.debug_lock_order,
        }
