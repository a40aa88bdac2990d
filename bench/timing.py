"""What the benchmarks share: cold, best-of-N wall-clock timing."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from fedreg.validation.checks import clear_caches


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, object]:
    """Best wall time of `repeat` cold runs (caches of per-value checks cleared each time)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        clear_caches()
        gc.collect()
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result
