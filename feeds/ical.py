"""Turn events into iCalendar (RFC 5545, with RFC 7986's calendar properties) through the
icalendar library's API. No I/O, no request.

Only events known to the day at both ends become calendar entries (`in_calendars`): all-day
events, `DTSTART;VALUE=DATE` to the exclusive `DTEND;VALUE=DATE` after the last day. A calendar
cannot show "4. Quartal 2024" as anything but days it is not known to be, so such events are left
out and the calendar's description says so. Every text passes `clean_text` on its way in (no
control, invisible or bidi characters, which iCalendar's TEXT does not allow); the library escapes
commas, semicolons, backslashes and line breaks and folds long lines. The calendar is in the
active language (its address's); SUMMARY, DESCRIPTION and LOCATION say which language their text
is in (RFC 5545's LANGUAGE parameter), German where an English calendar shows the German text of
an event without English. The output depends only on the events, the language and
`CalendarInfo`: building twice gives the same bytes (no "now", no random UID).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, vDuration, vText
from icalendar import Event as CalendarEvent

from timeline.languages import fallback_note, text_language
from timeline.models import Event
from timeline.text import body_plain_text, clean_text

from .builder import (
    entry_language,
    feed_language,
    item_date_line,
    item_link,
    item_pubdate,
    item_title,
    item_updateddate,
    tag_uri,
)

CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often a subscribed calendar should be fetched again (RFC 7986 REFRESH-INTERVAL, and
# X-PUBLISHED-TTL for Outlook and older Apple clients).
REFRESH = datetime.timedelta(hours=1)
MAX_EVENTS = 1000  # entries of a subscribed calendar: the upcoming first, then the past year's
PAST_DAYS = 365  # how far back a subscribed calendar reaches, by the event's own last day


def in_calendars(event: Event) -> bool:
    """Whether `event` can be a calendar entry: its date is known to the day at both ends."""
    return event.event_date.is_day_precise


def uid_domain() -> str:
    """The host of the feeds' tag: authority ("bundeswirtschaftsministerium.de" of
    "bundeswirtschaftsministerium.de,2025"; an e-mail authority gives its domain)."""
    return settings.FEED_TAG_AUTHORITY.split(",", 1)[0].rpartition("@")[2]


def item_uid(event: Event) -> str:
    """`<public_id>@<authority host>` (RFC 5545 section 3.8.4.7; RFC 7986 recommends a UUID): it
    never changes with the title, slug or host, and needs no escaping in any client."""
    return f"{event.public_id}@{uid_domain()}"


def item_sequence(event: Event) -> int:
    """The revision sequence (RFC 5545 section 3.8.7.4): how many significant corrections the
    event has had (its Correction rows, one per new public change note); minor edits leave it."""
    counted = getattr(event, "corrections_count", None)
    return counted if counted is not None else event.corrections.count()


def item_summary(event: Event) -> str:
    """The title; with a date known only roughly ("ca. 26. Juni 2025"), the title says so, since
    the calendar shows the day as if it were certain."""
    title = item_title(event)
    date = event.event_date
    points = [date.start, *([date.end] if date.end else [])]
    approximate = any(point.approximate for point in points)
    uncertain = any(point.uncertain for point in points)
    if approximate and uncertain:
        qualifier = _("date approximate and uncertain")
    elif approximate:
        qualifier = _("date approximate")
    elif uncertain:
        qualifier = _("date uncertain")
    else:
        return title
    return f"{title} ({qualifier})"


def item_description(event: Event) -> str:
    """The date line as the page and the feeds show it, the summary, the body as plain text, the
    latest correction and the event's address, apart by empty lines; an event shown in German in
    a calendar of another language opens with a note saying so."""
    correction_label = _("Correction")
    entry = entry_language(event)
    parts = [
        fallback_note(entry) if entry != feed_language() else "",
        item_date_line(event),
        clean_text(event.summary, multiline=True),
        body_plain_text(event.body),
        f"{correction_label}: {clean_text(event.change_note)}" if clean_text(event.change_note) else "",
        item_link(event) or "",
    ]
    return "\n\n".join(part for part in parts if part)


def description_language(event: Event) -> str:
    """The language of the event's own text in DESCRIPTION: its summary's, else its body's, else
    the title's (the date line and labels around it are in the calendar's language)."""
    for field in ("summary", "body"):
        if getattr(event, field):
            return text_language(event, field)
    return entry_language(event)


def item_categories(event: Event) -> list[str]:
    """The kind, the countries and the topics, by the names readers read."""
    names = [capfirst(event.get_kind_display())]
    names += [str(country.name) for country in event.countries]
    names += [topic.name for topic in event.topics.all()]
    return [name for name in (clean_text(name) for name in names) if name]


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def calendar_entry(event: Event) -> bytes:
    """The VEVENT for `event` (its topics prefetched; `corrections_count` annotated or counted),
    in the active language, as iCalendar bytes. `event` must be in_calendars."""
    first_day, last_day = event.event_date.bounds()
    updated = as_utc(item_updateddate(event))
    entry = CalendarEvent.new(
        uid=item_uid(event),
        # With METHOD:PUBLISH, DTSTAMP is when this entry was made: the last significant update,
        # so the same content always gives the same bytes (and the same ETag).
        stamp=updated,
        created=as_utc(item_pubdate(event)),
        last_modified=updated,
        sequence=item_sequence(event),
        start=first_day,
        end=None if last_day == datetime.date.max else last_day + datetime.timedelta(days=1),
        summary=item_summary(event),
        location=clean_text(event.place) or None,
        url=item_link(event),
        description=item_description(event),
        categories=item_categories(event),
        status="CONFIRMED",
        transparency="TRANSPARENT",  # a reader's own time stays free
        classification="PUBLIC",
    )
    # Each text says its language (RFC 5545, section 3.2.10): English, or German where an English
    # calendar shows the German text of an event that has none in English.
    languages = {
        "SUMMARY": entry_language(event),
        "DESCRIPTION": description_language(event),
        "LOCATION": text_language(event, "place"),
    }
    for name, language in languages.items():
        if name in entry:
            entry[name].LANGUAGE = language
    if last_day == datetime.date.max:
        # DTEND of all-day events is exclusive, and the day after 31 December 9999 has no date:
        # the same span as a DURATION (RFC 5545 section 3.8.2.5) instead.
        entry.add("DURATION", last_day - first_day + datetime.timedelta(days=1))
    return entry.to_ical()


@dataclass(frozen=True)
class CalendarInfo:
    """What a calendar says about itself."""

    name: str | None  # NAME and X-WR-CALNAME: a subscribed calendar's name; None for one event
    description: str | None
    self_url: str
    page_url: str
    subscribed: bool  # a subscription (refresh hints) rather than one event to import


def calendar_uid(self_url: str) -> str:
    """The calendar's own UID (RFC 7986 section 5.3): a UUID derived from its address's tag: URI,
    so one address keeps one UID."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, tag_uri(f"calendar:{self_url}")))


def build_calendar(info: CalendarInfo, entries: Sequence[bytes]) -> bytes:
    """The calendar as bytes, holding `entries` (each `calendar_entry`'s bytes) in their order."""
    calendar = Calendar.new(
        prodid=f"-//{uid_domain()}//{_('Diplomatic events')}//{feed_language().upper()}",
        uid=calendar_uid(info.self_url),
        method="PUBLISH",
        calscale="GREGORIAN",
        source=info.self_url if info.subscribed else None,
        url=info.page_url,
    )
    # NAME and DESCRIPTION (RFC 7986) with X-WR-CALNAME and X-WR-CALDESC (Apple, Google and
    # Outlook read these), all four as TEXT: the library's own calendar_name and description
    # properties write the X-WR- copies unescaped, where a comma or a line break breaks them.
    texts = (("NAME", "X-WR-CALNAME", info.name), ("DESCRIPTION", "X-WR-CALDESC", info.description))
    for standard, compatible, value in texts:
        if value:
            calendar.add(standard, vText(clean_text(value, multiline=True)))
            calendar.add(compatible, vText(clean_text(value, multiline=True)))
    if info.subscribed:
        # RFC 7986 section 5.7 requires VALUE=DURATION, which the library's setter leaves out.
        calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    if not entries:
        # RFC 5545 (section 3.4) wants at least one component in a calendar, and strict
        # importers refuse one without: the site's time zone, for the coming two years.
        year = timezone.localdate().year
        zone = Timezone.from_tzid(
            settings.TIME_ZONE, first_date=datetime.date(year, 1, 1), last_date=datetime.date(year + 2, 1, 1)
        )
        zone.pop("COMMENT", None)  # the library's note to programmers, in English
        calendar.add_component(zone)
    end = b"END:VCALENDAR\r\n"
    # The entries are kept as bytes per state of their event (feeds.views.calendar_entries), so a
    # change serialises one entry, not a thousand; they go where the library ends the calendar.
    return calendar.to_ical().removesuffix(end) + b"".join(entries) + end
