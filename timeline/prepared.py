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

# Stand-ins no real query asks about: an instant, replaced by the current time in every run, and
# texts, replaced by the values of that run (a slug, say).
MARKER = datetime.datetime(1971, 3, 5, 7, 9, 11, 131719, tzinfo=datetime.UTC)
TEXT_MARKER = "prepared-query-value-{}-7f3a9c"
MAX_KEPT = 512


class PreparedQueries:
    def __init__(self) -> None:
        self._compiled: dict[Hashable, tuple | None] = {}
        self._lock = threading.Lock()

    def _statement(self, key: Hashable, build: Callable[..., QuerySet], now, values: tuple):
        """(queryset's model, connection, sql, params) for this run, or None if it asks for nothing."""
        compiled = self._compiled.get(key, ...)
        if compiled is ...:
            queryset = build(MARKER, *(TEXT_MARKER.format(number) for number in range(len(values))))
            try:
                sql, params = queryset.query.sql_with_params()
                compiled = (queryset.model, queryset.db, sql, tuple(params))
            except EmptyResultSet:
                compiled = None
            with self._lock:
                if len(self._compiled) >= MAX_KEPT:
                    self._compiled.clear()
                self._compiled[key] = compiled
        if compiled is None:
            return None
        model, alias, sql, params = compiled
        connection = connections[alias]
        adapt = connection.ops.adapt_datetimefield_value
        replacements = {adapt(MARKER): adapt(now or timezone.now())}
        replacements.update((TEXT_MARKER.format(number), value) for number, value in enumerate(values))
        return model, connection, sql, [replacements.get(value, value) for value in params]

    def rows(self, key: Hashable, build: Callable[..., QuerySet], now=None, values: tuple = ()) -> list[tuple]:
        """The rows of `build(now, *values)`, as the database driver returns them."""
        statement = self._statement(key, build, now, values)
        if statement is None:
            return []
        _model, connection, sql, params = statement
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def objects(self, key: Hashable, build: Callable[..., QuerySet], now=None, values: tuple = ()) -> list:
        """The model objects of `build(now, *values)` (deferred fields stay deferred)."""
        statement = self._statement(key, build, now, values)
        if statement is None:
            return []
        model, connection, sql, params = statement
        return list(model.objects.using(connection.alias).raw(sql, params))


def as_datetime(value) -> datetime.datetime | None:
    """A stored date-time as an aware datetime. PostgreSQL returns aware datetimes; SQLite returns
    naive ones (UTC) for date-time columns and text for computed values."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)
