"""Helpers shared by the benchmark scripts."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """fn's value and the seconds it took."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start
