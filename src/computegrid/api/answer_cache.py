"""Answers of the open Carbon Aware SDK queries, kept while the served signals stay the same.

SDK clients poll the same questions (the best of a few locations over the next hours) again and
again, and an answer depends only on the query, the served signals and, for queries without a
start time, the current hour. :class:`AnswerCache` keeps the answer's bytes by (path, query
string, current hour) for one feed: a new feed (a publish) empties it. A hit is charged to the
caller's rate limit exactly as the first answer was (its number of points), and the rate limit
itself is applied before the cache is asked, so the cache makes no request cheaper to a client.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedAnswer:
    """One kept answer: status, body, the headers that vary, and the points it was charged."""

    status: int
    body: bytes
    media_type: str | None
    headers: tuple[tuple[str, str], ...]
    n_points: int


class AnswerCache:
    """Least-recently-used answers of one feed, at most ``max_bytes`` of bodies in all.

    Parameters
    ----------
    max_bytes : int
        Bodies kept at most, summed; answers larger than a quarter of it are not kept. [B]
        0: nothing is kept.
    max_entries : int
        Answers kept at most. [-]
    """

    def __init__(self, max_bytes: int, max_entries: int = 1024) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._feed: object | None = None
        self._entries: OrderedDict[tuple, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, feed: object, key: tuple) -> CachedAnswer | None:
        """The answer kept for ``key`` if it was computed from ``feed``."""
        with self._lock:
            if feed is not self._feed:
                return None
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, feed: object, key: tuple, answer: CachedAnswer) -> None:
        """Keep ``answer`` (computed from ``feed``); a new feed drops every older answer."""
        size = len(answer.body)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            if feed is not self._feed:
                self._entries.clear()
                self._bytes, self._feed = 0, feed
            old = self._entries.pop(key, None)
            self._bytes -= len(old.body) if old is not None else 0
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)
