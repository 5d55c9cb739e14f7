"""A small store of computed results shared by every session of the server, the least recently
used dropped first.

``st.cache_resource`` hashes every argument on every call (about a millisecond for a tuple of
floats here), which is most of the cost of a lookup that is made several times per rerun. A
store is keyed by a plain tuple that the caller builds: a dict lookup.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class SharedStore(Generic[Value]):
    """Up to ``size`` values by key; ``get`` computes a missing one (outside the lock: two
    sessions asking at once may both compute it, and the result is the same)."""

    def __init__(self, size: int):
        self.size = size
        self._values: collections.OrderedDict[Hashable, Value] = collections.OrderedDict()
        self._lock = threading.Lock()

    def find(self, key: Hashable) -> Value | None:
        """The value stored under ``key``, or None."""
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: Hashable, value: Value) -> Value:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def get(self, key: Hashable, make: Callable[[], Value]) -> Value:
        found = self.find(key)
        return found if found is not None else self.put(key, make())
