"""A sliding-window rate limiter in this process's memory.

Like Odoo's own login cooldown (``registry._login_failures``), it is per worker
process: with N workers a client gets at most N times the limit, which still
turns an enumeration of thousands of names into hours. Nothing is written to the
database, so a flood of calls costs no rows and no transaction conflicts.
"""

import threading
import time
from collections import deque


class RateLimiter:
    def __init__(self, window_seconds, max_keys=10000, clock=time.monotonic):
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._hits = {}
        self._lock = threading.Lock()

    def hit(self, limits):
        """Count one call for every key of ``limits`` ({key: calls allowed per
        window}) unless one of them is at its limit; whether the call is allowed.

        A refused call is not counted, so a client that waits gets through again.
        """
        now = self._clock()
        with self._lock:
            if len(self._hits) >= self.max_keys:
                self._forget_idle(now)
            recent = {key: self._recent(key, now) for key in limits}
            if any(len(recent[key]) >= limit for key, limit in limits.items()):
                return False
            for key in limits:
                recent[key].append(now)
            return True

    def reset(self):
        with self._lock:
            self._hits.clear()

    def _recent(self, key, now):
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _forget_idle(self, now):
        for key in list(self._hits):
            if not self._recent(key, now):
                del self._hits[key]
        if len(self._hits) >= self.max_keys:
            # a flood of distinct keys: start over rather than grow without bound
            self._hits.clear()
