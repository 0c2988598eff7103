"""Rate-limit buckets in debt are not forgotten by the eviction of idle buckets (review of 2026-11-28:
a bucket charged for a large answer was dropped after ``idle_s`` and the debt forgiven)."""

import time

from computegrid.api.security import TokenBucketLimiter


def test_a_bucket_in_debt_survives_eviction():
    limiter = TokenBucketLimiter(idle_s=0.01)
    assert limiter.allow("anon:a", 1.0)[0]
    limiter.debit("anon:a", 1.0, 500.0)  # a large answer: 500 requests' worth
    time.sleep(0.05)
    assert limiter.allow("anon:b", 1.0)[0]  # triggers the sweep of idle buckets
    allowed, wait_s = limiter.allow("anon:a", 1.0)
    assert not allowed and wait_s > 400.0


def test_idle_buckets_without_debt_are_evicted():
    limiter = TokenBucketLimiter(idle_s=0.01)
    for name in ("x", "y", "z"):
        limiter.allow(name, 1.0)
    time.sleep(0.05)
    limiter.allow("w", 1.0)
    assert len(limiter) == 1
