"""A small, thread-safe, least-recently-used store for values that never go stale.

Used for output keyed by everything it was made from (a digest of an event's inputs, or the
content stamp): such a value is either right or never asked for again, so each process may keep
the most recent ones without any invalidation.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any


def weight(value: Any, depth: int = 0) -> int:
    """About how many bytes `value` holds: texts and bytes by length, containers and plain objects
    (a few levels deep) by what they hold."""
    if isinstance(value, str | bytes):
        return len(value)
    if depth < 3:
        if isinstance(value, tuple | list):
            return sum(weight(item, depth + 1) for item in value)
        if isinstance(value, dict):
            return sum(weight(item, depth + 1) for item in value.values())
        if hasattr(value, "__dict__"):
            return sum(weight(item, depth + 1) for item in vars(value).values())
    return sys.getsizeof(value)


class Memo:
    """At most `size` values, and (if `max_bytes` is given) at most about that many bytes of them:
    a process's memory stays bounded whatever addresses it is asked for."""

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            kept = self._values.get(key)
            if kept is None:
                return None
            self._values.move_to_end(key)
            return kept[0]

    def put(self, key: Hashable, value: Any) -> None:
        size = weight(value) if self.max_bytes is not None else 0
        if self.max_bytes is not None and size > self.max_bytes:
            return  # larger than the whole store: not kept
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self.bytes -= previous[1]
            self._values[key] = (value, size)
            self.bytes += size
            while len(self._values) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                _key, (_value, dropped) = self._values.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._values)


def digest(values: Iterable[Any]) -> str:
    """A key for everything in `values` (by their text)."""
    text = "\x1f".join(map(str, values))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
