"""Queries compiled by the ORM once per process and run again with the current time.

Building a query's SQL costs the ORM about half a millisecond here, more than SQLite takes to
answer it. For the few queries on the path of every feed build, every content stamp and every
event page, the SQL is compiled once with markers in place of "now" and of the run's values (texts,
whole numbers, dates); each run passes the real time and values in their place. Anything else in
the query (filters, limits) must follow from the key it is kept under: the feed keys by its
address, so filters put what the address says into the SQL (topic and series slugs, not the ids
they stand for today; tests/feeds/test_feeds.py checks a topic made anew).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# Stand-ins no real query asks about: an instant, replaced by the current time in every run, and
# values of each type, replaced by the values of that run (a slug, an id, a date). Whole numbers
# are negative (no id is) and within 32 bits (so no backend refuses them as out of range).
MARKER = datetime.datetime(1971, 3, 5, 7, 9, 11, 131719, tzinfo=datetime.UTC)
TEXT_MARKER = "prepared-query-value-{}-7f3a9c"
NUMBER_MARKER = -1_987_654_321
DATE_MARKER = datetime.date(1003, 1, 1)
MAX_KEPT = 512


def marker(number: int, value):
    """The stand-in for the `number`th value of a run, of the value's type."""
    if isinstance(value, str):
        return TEXT_MARKER.format(number)
    if isinstance(value, int) and not isinstance(value, bool):
        return NUMBER_MARKER - number
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return DATE_MARKER + datetime.timedelta(days=number)
    raise TypeError(f"a prepared query takes texts, whole numbers and dates, not {value!r}")


def adapt(connection, value):
    """A value as the ORM passes it to the database driver."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class Compiled:
    model: type
    alias: str
    sql: str
    params: tuple
    # For model objects: the attribute each column fills, and the converters the ORM would
    # apply to each column ({position: (converters, expression)}, as SQLCompiler keeps them).
    attnames: tuple[str, ...] | None
    converters: dict


class PreparedQueries:
    def __init__(self) -> None:
        self._compiled: dict[Hashable, Compiled | None] = {}
        self._lock = threading.Lock()

    def _compile(self, build: Callable[..., QuerySet], values: tuple) -> Compiled | None:
        queryset = build(MARKER, *(marker(number, value) for number, value in enumerate(values)))
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        attnames, converters = None, {}
        info = compiler.klass_info
        # Plain model objects only: every column one of the model's own fields, nothing joined in.
        if info and not info.get("related_klass_infos") and len(info["select_fields"]) == len(compiler.select):
            attnames = tuple(column.target.attname for column, *_ in compiler.select)
            converters = compiler.get_converters([column for column, *_ in compiler.select])
        return Compiled(queryset.model, queryset.db, sql, tuple(params), attnames, converters)

    def _statement(self, key: Hashable, build: Callable[..., QuerySet], now, values: tuple):
        """(what was compiled, connection, params for this run), or None if it asks for nothing.
        Each run under one key passes values of the same types."""
        compiled = self._compiled.get(key, ...)
        if compiled is ...:
            compiled = self._compile(build, values)
            with self._lock:
                if len(self._compiled) >= MAX_KEPT:
                    self._compiled.clear()
                self._compiled[key] = compiled
        if compiled is None:
            return None
        connection = connections[compiled.alias]
        instant = connection.ops.adapt_datetimefield_value
        replacements = {instant(MARKER): instant(now or timezone.now())}
        replacements.update(
            (adapt(connection, marker(number, value)), adapt(connection, value)) for number, value in enumerate(values)
        )
        return compiled, connection, [replacements.get(value, value) for value in compiled.params]

    def rows(self, key: Hashable, build: Callable[..., QuerySet], now=None, values: tuple = ()) -> list[tuple]:
        """The rows of `build(now, *values)`, as the database driver returns them."""
        statement = self._statement(key, build, now, values)
        if statement is None:
            return []
        compiled, connection, params = statement
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

    def sql(
        self, key: Hashable, build: Callable[..., QuerySet], now=None, values: tuple = ()
    ) -> tuple[str, list] | None:
        """The SQL and parameters of `build(now, *values)` for this run, to be part of a larger
        statement (None if it asks for nothing)."""
        statement = self._statement(key, build, now, values)
        return None if statement is None else (statement[0].sql, statement[2])

    def objects(self, key: Hashable, build: Callable[..., QuerySet], now=None, values: tuple = ()) -> list:
        """The model objects of `build(now, *values)`, made as the ORM makes them (from_db, with
        its converters; deferred fields stay deferred). `build` may not select related objects."""
        statement = self._statement(key, build, now, values)
        if statement is None:
            return []
        compiled, connection, params = statement
        if compiled.attnames is None:
            raise ValueError(f"{key!r}: only a query for plain model objects gives objects")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        made = []
        for row in rows:
            values = list(row)
            for position, (converters, expression) in compiled.converters.items():
                value = values[position]
                for convert in converters:
                    value = convert(value, expression, connection)
                values[position] = value
            made.append(compiled.model.from_db(compiled.alias, compiled.attnames, values))
        return made


def as_datetime(value) -> datetime.datetime | None:
    """A stored date-time as an aware datetime. PostgreSQL returns aware datetimes; SQLite returns
    naive ones (UTC) for date-time columns and text for computed values."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)
