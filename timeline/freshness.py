"""What makes cached output stale, and where every process learns of it.

A content stamp names the state of the published content. Output cached under a stamp (feed
bodies, the timeline's count) is never stale: when the content changes, the stamp changes.

Two ways to read the stamp, chosen by ``settings.CACHE_IS_SHARED``:

- Shared cache (Redis, several workers or hosts): a *generation* counter lives in the cache and
  is incremented with every change and again when it is committed (``content_changed``). The stamp (generation, latest
  publication reached, next scheduled publication) is kept beside it and rebuilt from the database
  only when the generation moved or a scheduled publication time has passed. The hot path is one
  cache round trip and no database query. A stamp built from a database read that began before a
  change carries the old generation, so it is rebuilt on the next request.
- Per-process cache (no Redis): the stamp is read from the database on each request (two small
  indexed queries), so every process agrees at once without a shared cache.

Values cached under a stamp never change, so each process also keeps the most recent ones in
memory (``LOCAL_ENTRIES``) and asks the shared cache only on a miss.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Event, SiteRevision

T = TypeVar("T")
CACHE_TIMEOUT = 60 * 60 * 24
GENERATION_KEY = "content:generation"
STAMP_KEY = "content:stamp"
LOCAL_ENTRIES = 256


def reached_publications() -> QuerySet[Event]:
    """Publication times already reached, latest first (read from an index)."""
    return (
        Event.objects.filter(publish_at__lte=timezone.now())
        .order_by("-publish_at")
        .values_list("publish_at", flat=True)
    )


def next_publication() -> datetime.datetime | None:
    """The earliest publication time still ahead, when the content will change by itself."""
    return (
        Event.objects.filter(publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ContentStamp:
    generation: str
    changed_at: datetime.datetime
    latest_publication: datetime.datetime | None
    next_publication: datetime.datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.generation}|{self.latest_publication}"

    @property
    def last_modified(self) -> datetime.datetime:
        return max(filter(None, [self.changed_at, self.latest_publication]))

    def holds_at(self, now: datetime.datetime) -> bool:
        return self.next_publication is None or now < self.next_publication


def stamp_from_database(generation: str | None = None, *, with_next: bool = False) -> ContentStamp:
    revision = SiteRevision.current()
    if generation is None:
        # The revision's time is part of it, so a database rebuilt from scratch (numbers
        # restarting) cannot meet values cached for the old one.
        generation = f"db:{revision.number}|{revision.changed_at.isoformat()}"
    return ContentStamp(
        generation=generation,
        changed_at=revision.changed_at,
        latest_publication=reached_publications().first(),
        next_publication=next_publication() if with_next else None,
    )


def current_generation(known: Any = None) -> str:
    if known is None:
        # First use, or the cache was emptied: start from a number never used before.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        known = cache.get(GENERATION_KEY)
    return f"gen:{known}"


def content_stamp() -> ContentStamp:
    """The current stamp (see the module's docstring for where it comes from)."""
    if not settings.CACHE_IS_SHARED:
        return stamp_from_database()
    values = cache.get_many([GENERATION_KEY, STAMP_KEY])
    generation = current_generation(values.get(GENERATION_KEY))
    stamp = values.get(STAMP_KEY)
    if isinstance(stamp, ContentStamp) and stamp.generation == generation and stamp.holds_at(timezone.now()):
        return stamp
    # The generation is read before the database: if a change commits meanwhile, the stamp built
    # here carries the old generation and the next request rebuilds it.
    stamp = stamp_from_database(generation, with_next=True)
    cache.set(STAMP_KEY, stamp, CACHE_TIMEOUT)
    return stamp


def advance_generation() -> None:
    """Tell every process that the content changed (after the change is committed)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet, or evicted
        if not cache.add(GENERATION_KEY, time.time_ns(), timeout=None):
            cache.incr(GENERATION_KEY)


def content_changed() -> None:
    """Called with every change to published content (timeline/signals.py, bulk writers)."""
    SiteRevision.bump()
    if settings.CACHE_IS_SHARED:
        # Now, so this connection's own next read sees the change, and again once it is committed,
        # so no stamp built from a read made before the commit outlives it. The second is what
        # other processes rely on: once per transaction, however many rows it changes.
        advance_generation()
        connection = transaction.get_connection()
        if not any(callback is advance_generation for _, callback, _ in connection.run_on_commit):
            transaction.on_commit(advance_generation)


_local: OrderedDict[str, Any] = OrderedDict()
_local_lock = threading.Lock()


def forget_local() -> None:
    """Drop this process's copies (tests, and after the database is replaced)."""
    with _local_lock:
        _local.clear()


def _cache_key(stamp: ContentStamp, parts: tuple[str, ...]) -> str:
    return "content:" + hashlib.sha256("|".join([stamp.key, *parts]).encode()).hexdigest()


def recall(stamp: ContentStamp, *parts: str) -> Any:
    """This process's copy of a value cached under `stamp` and `parts`, or None."""
    key = _cache_key(stamp, parts)
    with _local_lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
        return value


def remember(stamp: ContentStamp, *parts: str, value: Any) -> None:
    key = _cache_key(stamp, parts)
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def cached(stamp: ContentStamp, *parts: str, compute: Callable[[], T]) -> T:
    """`compute()`, cached until the content changes (keyed by `stamp` and `parts`)."""
    value = recall(stamp, *parts)
    if value is None:
        key = _cache_key(stamp, parts)
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, CACHE_TIMEOUT)
        remember(stamp, *parts, value=value)
    return value
