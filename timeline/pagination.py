"""Keyset pagination of the timeline: every page costs the same, however far back a reader goes.

A page link carries the position of the last (or first) event shown, as
``<date_start>.<date_end>.<id>``, so links stay valid and bookmarkable while events are added.
A bare date (``2025-06-27``) is a position too: "events that start before this day", which is
how the page jumps to today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import TIMELINE_ORDER, Event

PAGE_SIZE = 50
MAX_ID = 2**63  # a position's id beyond any database's integer key is damaged, not a query


@dataclass(frozen=True)
class Position:
    """A place in the timeline's order (newest start first, then shortest, then newest record)."""

    date_start: datetime.date
    date_end: datetime.date | None = None
    pk: int | None = None

    @classmethod
    def of(cls, event: Event) -> Position:
        return cls(event.date_start, event.date_end, event.pk)

    @classmethod
    def parse(cls, token: str) -> Position:
        """Read a position from a link; refuse anything else with a message."""
        parts = token.strip().split(".")
        try:
            if len(parts) == 1:
                return cls(datetime.date.fromisoformat(parts[0]))
            if len(parts) == 3:
                start, end, pk = parts
                if pk.isdecimal() and int(pk) < MAX_ID:
                    return cls(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end), int(pk))
        except ValueError:
            pass
        raise ValidationError(_("This page link is damaged; showing the newest events instead."), code="cursor")

    def token(self) -> str:
        if self.pk is None:
            return self.date_start.isoformat()
        return f"{self.date_start.isoformat()}.{self.date_end.isoformat()}.{self.pk}"

    def older(self) -> Q:
        """Events after this position in the timeline's order."""
        if self.pk is None:
            return Q(date_start__lt=self.date_start)
        # Written as "start <= s AND (...)" so SQLite walks the index from the position.
        return Q(date_start__lte=self.date_start) & (
            Q(date_start__lt=self.date_start)
            | Q(date_end__gt=self.date_end)
            | Q(date_end=self.date_end, pk__lt=self.pk)
        )

    def newer(self) -> Q:
        """Events before this position in the timeline's order."""
        if self.pk is None:
            return Q(date_start__gte=self.date_start)
        return Q(date_start__gte=self.date_start) & (
            Q(date_start__gt=self.date_start)
            | Q(date_end__lt=self.date_end)
            | Q(date_end=self.date_end, pk__gt=self.pk)
        )


REVERSE_ORDER = ["date_start", "-date_end", "pk"]


@dataclass
class Page:
    events: list[Event]
    older: Position | None  # where the next (older) page starts, if there is one
    newer: Position | None  # where the previous (newer) page ends, if there is one


def paginate(
    queryset: QuerySet[Event],
    *,
    after: Position | None = None,
    before: Position | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of at most `size` events: the newest, those older than `after`, or those newer
    than `before`."""
    if before is not None:
        rows = list(queryset.filter(before.newer()).order_by(*REVERSE_ORDER)[: size + 1])
        events = rows[:size][::-1]
        newer = Position.of(events[0]) if len(rows) > size else None
        return Page(events, older=Position.of(events[-1]) if events else before, newer=newer)

    selected = queryset.filter(after.older()) if after is not None else queryset
    rows = list(selected.order_by(*TIMELINE_ORDER)[: size + 1])
    events = rows[:size]
    older = Position.of(events[-1]) if len(rows) > size else None
    newer = None
    if after is not None:
        first = Position.of(events[0]) if events else after
        if queryset.filter(first.newer()).exists():
            newer = first
    return Page(events, older=older, newer=newer)
