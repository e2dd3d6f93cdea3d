"""What makes cached output stale, and where every process learns of it.

A content stamp names the state of the published content. Output cached under a stamp (feed
bodies, the timeline's count) is never stale: when the content changes, the stamp changes.

Two ways to read the stamp, chosen by ``settings.CACHE_IS_SHARED``:

- Shared cache (Redis; several workers or hosts): a *generation* counter lives in the cache and
  is incremented with every change and again when it is committed (``content_changed``). Each
  process watches the counter through Redis's client tracking (``GenerationWatch``): Redis tells
  it when the counter changes, so the hot path makes no round trip and no database query. The
  stamp (generation, latest publication reached, next scheduled publication) is built from the
  database once per generation, and again when a scheduled publication time has passed. A stamp
  built from a read that began before a commit carries the old generation, and is replaced on
  the next request.
- Per-process cache (no Redis): the stamp is read from the database on each request (one small
  query answered from indexes), so every process agrees at once without a shared cache.

Values cached under a stamp never change, so each process also keeps the most recent ones in
memory (``LOCAL_ENTRIES``) and asks the shared cache only on a miss.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from .memo import Memo
from .models import Event, SiteRevision
from .prepared import PreparedQueries, as_datetime

T = TypeVar("T")
CACHE_TIMEOUT = 60 * 60 * 24
GENERATION_KEY = "content:generation"
LOCAL_ENTRIES = 256
LOCAL_BYTES = 32 * 2**20  # feeds, timeline and API pages kept per process: at most about 32 MiB


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

    @functools.cached_property
    def key(self) -> str:
        return f"{self.generation}|{self.latest_publication}"

    @property
    def last_modified(self) -> datetime.datetime:
        return max(filter(None, [self.changed_at, self.latest_publication]))

    def holds_at(self, now: datetime.datetime) -> bool:
        return self.next_publication is None or now < self.next_publication


_queries = PreparedQueries()


def _stamp_query(now: datetime.datetime) -> QuerySet:
    times = Event.objects.order_by().values("publish_at")
    return (
        SiteRevision.objects.filter(pk=1)
        .annotate(
            latest=Subquery(times.filter(publish_at__lte=now).order_by("-publish_at")[:1]),
            upcoming=Subquery(times.filter(publish_at__gt=now).order_by("publish_at")[:1]),
        )
        .values_list("number", "changed_at", "latest", "upcoming")
    )


def stamp_from_database(generation: str | None = None) -> ContentStamp:
    """The stamp as the database has it: one query (the revision row, and from the publication
    time index the latest time reached and the next one ahead)."""
    rows = _queries.rows("stamp", _stamp_query)
    if rows:
        number, changed_at, latest, upcoming = rows[0]
        changed_at, latest, upcoming = as_datetime(changed_at), as_datetime(latest), as_datetime(upcoming)
    else:  # nothing has been changed yet in this database
        revision = SiteRevision.current()
        number, changed_at = revision.number, revision.changed_at
        latest, upcoming = reached_publications().first(), next_publication()
    if generation is None:
        # The revision's time is part of it, so a database rebuilt from scratch (numbers
        # restarting) cannot meet values cached for the old one.
        generation = f"db:{number}|{changed_at.isoformat()}"
    return ContentStamp(
        generation=generation, changed_at=changed_at, latest_publication=latest, next_publication=upcoming
    )


class GenerationWatch:
    """This process's copy of the generation counter in Redis, kept current by Redis itself.

    One connection per process with Redis's client tracking on (RESP3): once the counter has been
    read, Redis pushes an invalidation on this connection whenever any client changes it. Each
    request only looks for such a message already waiting on the socket (a few microseconds, no
    round trip) and reads the counter again only after it changed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection = None
        self._pid = 0
        self._value: bytes | None = None

    def _connect(self):
        import redis

        connection = redis.ConnectionPool.from_url(settings.REDIS_URL, protocol=3).make_connection()
        connection.connect()
        connection._parser.set_invalidation_push_handler(self._invalidated)
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()
        return connection

    def _invalidated(self, message) -> None:
        self._value = None

    def forget(self) -> None:
        self._value = None

    def current(self) -> str | None:
        import redis

        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is None or self._pid != os.getpid():
                        self._value = None
                        self._connection, self._pid = self._connect(), os.getpid()
                    while self._connection.can_read():
                        self._connection.read_response(push_request=True)
                    if self._value is None:
                        self._connection.send_command("GET", cache.make_and_validate_key(GENERATION_KEY))
                        self._value = self._connection.read_response()
                    return None if self._value is None else self._value.decode()
                except (redis.RedisError, OSError):
                    # A lost connection loses the tracking too: start again with nothing known.
                    if self._connection is not None:
                        self._connection.disconnect()
                    self._connection, self._value = None, None
                    if attempt == 2:
                        raise
        return None


_watch = GenerationWatch()
_stamp: ContentStamp | None = None


def read_generation() -> str | None:
    if settings.REDIS_URL:
        return _watch.current()
    value = cache.get(GENERATION_KEY)  # a shared cache other than Redis: one round trip
    return None if value is None else str(value)


def current_generation() -> str:
    generation = read_generation()
    if generation is None:
        # First use, or the cache was emptied: start from a number never used before.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        _watch.forget()
        generation = read_generation()
    return f"gen:{generation}"


def content_stamp() -> ContentStamp:
    """The current stamp (see the module's docstring for where it comes from)."""
    global _stamp
    if not settings.CACHE_IS_SHARED:
        return stamp_from_database()
    generation = current_generation()
    stamp = _stamp
    if stamp is not None and stamp.generation == generation and stamp.holds_at(timezone.now()):
        return stamp
    # The generation is read before the database: if a change commits meanwhile, the stamp built
    # here carries the old generation and the next request builds it again.
    _stamp = stamp = stamp_from_database(generation)
    return stamp


def advance_generation() -> None:
    """Tell every process that the content changed (after the change is committed)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet, or evicted
        if not cache.add(GENERATION_KEY, time.time_ns(), timeout=None):
            cache.incr(GENERATION_KEY)
    _watch.forget()  # this process knows without waiting for Redis to say so


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


_local = Memo(LOCAL_ENTRIES, max_bytes=LOCAL_BYTES)


def forget_local() -> None:
    """Drop this process's copies (tests, and after the database is replaced)."""
    global _stamp
    _local.clear()
    _stamp = None
    _watch.forget()


def _cache_key(stamp: ContentStamp, parts: tuple[str, ...]) -> str:
    return "content:" + hashlib.sha256("|".join([stamp.key, *parts]).encode()).hexdigest()


def recall(stamp: ContentStamp, *parts: str) -> Any:
    """This process's copy of a value cached under `stamp` and `parts`, or None."""
    return _local.get((stamp.key, *parts))


def remember(stamp: ContentStamp, *parts: str, value: Any) -> None:
    _local.put((stamp.key, *parts), value)


def made_here(stamp: ContentStamp, *parts: str, make: Callable[[], T]) -> T:
    """`make()`, once per stamp and `parts` in this process (for output too large or too cheap to
    remake to send through the shared cache: pages, lists)."""
    value = recall(stamp, *parts)
    if value is None:
        value = make()
        remember(stamp, *parts, value=value)
    return value


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
