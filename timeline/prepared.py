"""Queries compiled by the ORM once per process and run again with the current time.

Building a query's SQL costs the ORM about half a millisecond here, more than SQLite takes to
answer it. For the few queries on the path of every feed build and every content stamp, the SQL
is compiled once with a marker in place of "now"; each run passes the real time in its place.
Anything else in the query (filters, limits) must follow from the key it is kept under: the feed
keys by its address, so filters put what the address says into the SQL (topic and series slugs,
not the ids they stand for today; tests/feeds/test_feeds.py checks a topic made anew).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Hashable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# An instant no real query asks about; replaced by the current time in every run.
MARKER = datetime.datetime(1971, 3, 5, 7, 9, 11, 131719, tzinfo=datetime.UTC)
MAX_KEPT = 512


class PreparedQueries:
    def __init__(self) -> None:
        self._compiled: dict[Hashable, tuple[str, str, tuple] | None] = {}
        self._lock = threading.Lock()

    def rows(self, key: Hashable, build: Callable[[datetime.datetime], QuerySet], now=None) -> list[tuple]:
        """The rows of `build(now)`, as the database driver returns them."""
        if key not in self._compiled:
            queryset = build(MARKER)
            try:
                sql, params = queryset.query.sql_with_params()
                compiled = (queryset.db, sql, tuple(params))
            except EmptyResultSet:
                compiled = None
            with self._lock:
                if len(self._compiled) >= MAX_KEPT:
                    self._compiled.clear()
                self._compiled[key] = compiled
        compiled = self._compiled[key]
        if compiled is None:
            return []
        alias, sql, params = compiled
        connection = connections[alias]
        marker = connection.ops.adapt_datetimefield_value(MARKER)
        current = connection.ops.adapt_datetimefield_value(now or timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [current if value == marker else value for value in params])
            return cursor.fetchall()

    def forget(self) -> None:
        with self._lock:
            self._compiled.clear()


def as_datetime(value) -> datetime.datetime | None:
    """A stored date-time as an aware datetime. PostgreSQL returns aware datetimes; SQLite returns
    naive ones (UTC) for date-time columns and text for computed values."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


def raw_events(where: str, params: list):
    """Events read with plain SQL, every column but the search text (as `.defer()` would), for
    the few reads on the path of every request. `where` may contain quoted names and
    placeholders only; values go in `params`."""
    from .models import Event

    connection = connections[Event.objects.db]
    name = connection.ops.quote_name
    columns = ", ".join(name(field.column) for field in Event._meta.concrete_fields if field.name != "search_document")
    return Event.objects.raw(f"SELECT {columns} FROM {name(Event._meta.db_table)} WHERE {where}", params)  # noqa: S608
