"""The timeline's headings: events grouped under the month or the period they are known by."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from .dates import DAY, YEAR, DatePoint, EventDate, display_language, year_text
from .models import Event


@dataclass
class Group:
    """Events under one heading: a month, or a coarser period ("Frühjahr", "4. Quartal") of one year."""

    year: int
    label: str
    events: list[Event] = field(default_factory=list)
    first_of_year: bool = False

    @property
    def year_heading(self) -> str:
        """The year above its groups, written as every date writes it ("2024", "0800")."""
        return year_text(self.year)


def period_label(event: Event, language: str) -> str:
    """The heading an event is listed under: the month it begins in, or the period it is known by.

    A date known to the day is listed, as in a calendar, under the month of its first day ("30. Juni
    – 2. Juli 2025" and "KW 1 2025" under the month they begin in); the date beside it says where it
    ends. A coarser date is listed under its own period, and a range of coarse periods under the
    range ("2024 – 2025", "Oktober 2024 – März 2025"), never under a period it is not known to lie
    in. Qualifiers ("ca.") belong to the event's date, not to the heading.
    """
    date = event.event_date
    start = replace(date.start, approximate=False, uncertain=False)
    if start.precision == DAY:
        return DatePoint(start.year, start.month).display(language)
    if date.end is not None:
        end = replace(date.end, day=None, approximate=False, uncertain=False)
        return EventDate(start, end).display(language) if end != start else start.display(language)
    if start.precision == YEAR:
        return _("%(year)s, date within the year not known") % {"year": year_text(start.year)}
    label = start.display(language)  # "März 2024", "Frühjahr 2024", "Winter 2024/25", "4. Quartal 2024"
    return label[:1].upper() + label[1:]  # "second half of 2024" opens a heading


def group_events(events: list[Event]) -> list[Group]:
    """Consecutive events sharing a year and a period, in timeline order."""
    language = display_language()
    groups: list[Group] = []
    for event in events:
        year, label = event.date_start.year, period_label(event, language)
        if not groups or (groups[-1].year, groups[-1].label) != (year, label):
            groups.append(Group(year, label, first_of_year=not groups or groups[-1].year != year))
        groups[-1].events.append(event)
    return groups
