from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """DRF throttles count in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()
