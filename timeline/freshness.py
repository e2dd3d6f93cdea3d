"""What makes cached output stale: the content revision and the latest publication time reached.

Both come from the database, so every process agrees at once whatever the cache backend: a
save anywhere bumps the revision; a scheduled event going public moves the latest publication.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from .models import Event, SiteRevision

T = TypeVar("T")
CACHE_TIMEOUT = 60 * 60 * 24


def reached_publications() -> QuerySet[Event]:
    """Publication times already reached, latest first (read from an index)."""
    return (
        Event.objects.filter(publish_at__lte=timezone.now())
        .order_by("-publish_at")
        .values_list("publish_at", flat=True)
    )


@dataclass(frozen=True)
class ContentStamp:
    revision: SiteRevision
    latest_publication: datetime.datetime | None

    @property
    def key(self) -> str:
        # The revision's time is part of it, so a database rebuilt from scratch (numbers
        # restarting) cannot meet values cached for the old one.
        return f"{self.revision.number}|{self.revision.changed_at.isoformat()}|{self.latest_publication}"

    @property
    def last_modified(self) -> datetime.datetime:
        return max(filter(None, [self.revision.changed_at, self.latest_publication]))


def content_stamp() -> ContentStamp:
    """The current stamp: two small indexed queries."""
    return ContentStamp(SiteRevision.current(), reached_publications().first())


def cached(stamp: ContentStamp, *parts: str, compute: Callable[[], T]) -> T:
    """`compute()`, cached until the content changes (keyed by `stamp` and `parts`)."""
    key = "content:" + hashlib.sha256("|".join([stamp.key, *parts]).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_TIMEOUT)
    return value
