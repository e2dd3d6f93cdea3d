"""The formats of a selection: RSS, Atom, JSON Feed, iCalendar and TimelineJS data, each cached
per content version.

Caching, conditional requests (ETag, Last-Modified, 304) and gzip are timeline.cache's, as for
every public surface. Every format has a German address and an English one under /en/
(config/urls.py) and is written in its address's language whatever the reader's browser or
cookie says, so one address always has the same bytes and validator. Where an event has no
English text, the English formats show its German text, marked as German (feeds/builder.py).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from timeline.cache import cache_public, content_version, get_or_set_each
from timeline.filters import Selection, describe_applied, select_events
from timeline.languages import LANGUAGES, SOURCE_LANGUAGE, column
from timeline.models import SEARCH_DOCUMENTS, Correction, Event, PreviousSlug, make_slug
from timeline.pagination import Position, paginate
from timeline.structured_data import absolute_url
from timeline.translation import EventTranslationOptions

from . import ical
from .builder import MAX_ENTRIES, FeedInfo, FeedItem, build_feed, feed_item, feed_language, tag_uri
from .jsonfeed import build_json_feed
from .timelinejs import MAX_EVENTS, build_timeline

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "timelinejs": "application/json; charset=utf-8",
}
MAX_AGE = 300  # seconds readers and proxies may reuse a feed without asking
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
# Any site may read the feeds from a browser, never with credentials (the Fetch standard's CORS
# protocol): one constant header, so a feed is the same for every reader.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


# What an entry is made from besides its topics: the fields item_* in feeds/builder.py read. A
# text in German and English is read from each language's column (`title_de`, `title_en`): the
# plain column holds German only, so an English edit, or a raw UPDATE of one language, changes
# no other field.
ITEM_FIELDS = (
    "public_id", "slug", "date", "kind", "countries", "first_published_at", "publish_at", "revised_at",
    *(column(field, language) for field in EventTranslationOptions.fields for language in LANGUAGES),
)  # fmt: skip


def item_key(event: Event) -> str:
    """A key for `event`'s entry made of everything the entry is made from (its stored fields as
    read, each language's text included, its topics and participants (prefetched), the language
    and the site's settings), so no write path, not even a raw UPDATE, can leave an entry stale."""
    stored = vars(event)
    inputs = (
        translation.get_language(), settings.SITE_URL, settings.FEED_TAG_AUTHORITY, settings.PUBLISHER_NAME,
        [(topic.slug, topic.name) for topic in event.topics.all()], [stored[name] for name in ITEM_FIELDS],
        [(person.name, person.original_name, person.original_language) for person in event.participants.all()],
    )  # fmt: skip
    return "feed-item:" + hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()


def feed_items(events: list[Event]) -> list[FeedItem]:
    """The entries for `events`: each made once per state of its event (naming countries and
    sanitising bodies is most of a feed's work), so after an edit one entry is made, not fifty."""
    return get_or_set_each(
        [item_key(event) for event in events],
        lambda positions: {position: feed_item(events[position]) for position in positions},
        alias="feed_items",
    )


def refused(messages: list[str]) -> HttpResponse:
    """The 400 for an address with values that cannot be understood, naming each (`messages`,
    in the address's language), as plain text any client shows."""
    message = _("This address has values that cannot be understood:") + "\n" + "\n".join(messages)
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8", headers=CORS_HEADERS)


def selection_format(
    request: HttpRequest,
    make: Callable[[HttpRequest, Selection], HttpResponse],
) -> HttpResponse:
    """A machine-readable format of the events the address selects (the timeline's query
    parameters): `make(request, selection)` writes it in the address's language (German at
    /feeds/…, English at /en/feeds/…: the active language, which LanguageMiddleware takes from
    the path alone), whatever the reader's browser or cookie says, so one address always has the
    same bytes and validator, and no `Vary: Accept-Language`.

    Shared by every subscription and export format: kept per content version for each address
    (timeline.cache), answering conditional GET (ETag, Last-Modified), readable from any site
    (CORS), and a 400 in the address's language naming each value that could not be understood.
    """
    if request.method == "OPTIONS":  # a browser asking whether another site may read the format
        return HttpResponse(status=204, headers=PREFLIGHT_HEADERS)
    selection = select_events(request.GET, Event.objects.public())
    if selection.errors:
        return refused(selection.errors)
    response = make(request, selection)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    response.setdefault("Last-Modified", http_date(content_version().changed_at.timestamp()))
    response.setdefault("Cache-Control", CACHE_CONTROL)
    response["Content-Language"] = feed_language()
    return response


# What the files hold, in the readers' words: "diplomatische-termine" in German.
DOWNLOAD_NAME = pgettext_lazy("file name", "diplomatic-events")


def download_name(selection: Selection, extension: str) -> str:
    """A file name for a format of `selection` in the address's language:
    "diplomatische-termine.csv" ("diplomatic-events.csv" in English), with the applied filters'
    values after it ("diplomatische-termine-jp-economic-security.ics"), ASCII only."""
    name = make_slug(str(DOWNLOAD_NAME), "events", max_length=60)
    filters = make_slug(" ".join(value for _name, value in selection.applied), "", max_length=60)
    return f"{name}-{filters}.{extension}" if filters else f"{name}.{extension}"


def timeline_url(selection: Selection) -> str:
    """The timeline page of `selection` in the address's language, absolute: the page a format
    mirrors ("https://…/en/?country=JP" for an English one)."""
    return absolute_url(reverse("timeline:event-list") + selection.query_string)


def feed_title(selection: Selection) -> str:
    """ "Diplomatic events", followed by the applied filters as a reader reads them."""
    described = describe_applied(selection)
    title = _("Diplomatic events")
    if described:
        title += ": " + ", ".join(f"{label}: {value}" for label, value in described)
    return title


def feed_subtitle() -> str:
    return _("Meetings, visits, consultations and agreements, published by %(publisher)s") % {
        "publisher": settings.PUBLISHER_NAME
    }


def latest_publications(selection: Selection) -> list[Event]:
    """The entries of every feed of `selection`: the latest MAX_ENTRIES by first publication,
    newest first, with their topics and participants."""
    events = (
        selection.events.order_by("-first_published_at", "-pk")
        .prefetch_related("topics", "participants")
        .defer(*SEARCH_DOCUMENTS)[:MAX_ENTRIES]
    )
    return list(events)


def feed_info(request: HttpRequest, selection: Selection, kind: str) -> FeedInfo:
    """What the feed of `selection` in the format `kind` says about itself, in the address's
    language, linking itself and the timeline at that language's addresses."""
    language = feed_language()
    # The English feed is another feed than the German one (another id); the German id is as
    # it was before there were two.
    specific = kind if language == SOURCE_LANGUAGE else f"{language}/{kind}"
    return FeedInfo(
        kind=kind,
        title=feed_title(selection),
        subtitle=feed_subtitle(),
        feed_id=tag_uri(f"feed:{specific}{selection.query_string}"),
        self_url=absolute_url(request.path + selection.query_string),
        page_url=timeline_url(selection),
        language=language,
        updated=content_version().changed_at,
    )


def feed_response(request: HttpRequest, selection: Selection, kind: str) -> HttpResponse:
    """The RSS or Atom feed of `selection`."""
    items = feed_items(latest_publications(selection))
    return HttpResponse(build_feed(feed_info(request, selection, kind), items), content_type=CONTENT_TYPES[kind])


def json_feed_response(request: HttpRequest, selection: Selection) -> HttpResponse:
    """The JSON Feed of `selection`: the Atom feed's entries (the same cached FeedItems)."""
    content = build_json_feed(feed_info(request, selection, "json"), feed_items(latest_publications(selection)))
    return HttpResponse(content, content_type=CONTENT_TYPES["json"])


# The positions a TimelineJS address may carry, as the page's "Ältere/Neuere Termine" links do,
# and what a damaged one is called.
CURSORS = {
    "after": gettext_lazy(
        "The link to older events is damaged (“%(value)s”); without it, the data begin with the latest events."
    ),
    "before": gettext_lazy("The link to newer events is damaged (“%(value)s”)."),
}


def timeline_positions(params: QueryDict) -> tuple[Position | None, Position | None]:
    """Where a TimelineJS file begins in the timeline's order, as on the page: (`after`, None)
    for the events older than a position, (None, `before`) for those newer than one (`before`
    wins when both are given, as on the page), (None, None) for the newest. Raises
    ValidationError naming a damaged position."""
    after = before = None
    for name, message in CURSORS.items():
        token = params.get(name, "").strip()
        if not token:
            continue
        try:
            position = Position.parse(token)
        except ValidationError:
            raise ValidationError(message, code="cursor", params={"value": token[:40]}) from None
        after, before = (position, None) if name == "after" else (None, position)
    return after, before


def timelinejs_response(
    request: HttpRequest, selection: Selection, after: Position | None, before: Position | None = None
) -> HttpResponse:
    """TimelineJS data of `selection`: at most MAX_EVENTS events older than `after` (or newer than
    `before`, or the newest), in the timeline's order. When more follow, the title slide says so
    and links to them, and so does a `Link: <…>; rel="next"` header (RFC 8288): nothing is left
    out without a word."""
    page = paginate(
        selection.events.select_related("series").defer("body", *SEARCH_DOCUMENTS),
        after=after,
        before=before,
        size=MAX_EVENTS,
    )
    paragraphs = [escape(feed_subtitle())]
    if not page.events and after is None and before is None:  # as the page says it
        empty = _("No events match these filters.") if selection.applied else _("No events have been published yet.")
        paragraphs.append(escape(empty))
    headers = {}
    if page.older is not None:
        next_url = absolute_url(request.path + "?" + urlencode([*selection.applied, ("after", page.older.token())]))
        held = ngettext(
            "This file holds %(count)s event of this selection in the timeline's order; more follow:",
            "This file holds %(count)s events of this selection in the timeline's order; more follow:",
            len(page.events),
        ) % {"count": len(page.events)}
        paragraphs.append(f'{escape(held)} <a href="{escape(next_url)}">{escape(_("Older events"))}</a>')
        headers["Link"] = f'<{next_url}>; rel="next"'
    content = build_timeline(feed_title(selection), timeline_url(selection), paragraphs, page.events)
    # Offered under "Herunterladen": a browser saves it; TimelineJS reads it by its address alike.
    headers["Content-Disposition"] = content_disposition_header(True, download_name(selection, "json"))
    return HttpResponse(content, content_type=CONTENT_TYPES["timelinejs"], headers=headers)


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def rss(request):
    """The selected events as RSS 2.0."""
    return selection_format(request, lambda request, selection: feed_response(request, selection, "rss"))


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def atom(request):
    """The selected events as Atom 1.0."""
    return selection_format(request, lambda request, selection: feed_response(request, selection, "atom"))


# What a calendar entry is made from besides its topics: the fields feeds/ical.py reads, each
# language's text included.
CALENDAR_ENTRY_FIELDS = (*ITEM_FIELDS, "corrections_count")


def calendar_entry_key(event: Event) -> str:
    """A key for `event`'s calendar entry made of everything the entry is made from (as
    `item_key` for feed entries), its count of corrections (the SEQUENCE) included."""
    stored = vars(event)
    inputs = (
        translation.get_language(), settings.SITE_URL, settings.FEED_TAG_AUTHORITY,
        [(topic.slug, topic.name) for topic in event.topics.all()],
        [stored[name] for name in CALENDAR_ENTRY_FIELDS],
    )  # fmt: skip
    return "calendar-entry:" + hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()


def calendar_entries(events: list[Event]) -> list[bytes]:
    """The VEVENTs for `events`, each made once per state of its event (as `feed_items`)."""
    return get_or_set_each(
        [calendar_entry_key(event) for event in events],
        lambda positions: {position: ical.calendar_entry(events[position]) for position in positions},
        alias="calendar_entries",
    )


def with_calendar_fields(events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` with what a calendar entry reads: topics, and the number of corrections as
    `corrections_count` (one subquery, not a row per correction)."""
    corrections = (
        Correction.objects.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    counted = Coalesce(Subquery(corrections, output_field=IntegerField()), Value(0))
    return events.prefetch_related("topics").defer(*SEARCH_DOCUMENTS).annotate(corrections_count=counted)


def calendar_events(events: QuerySet[Event], today: datetime.date) -> list[Event]:
    """The entries of a subscribed calendar of `events`: those known to the day whose last day
    is today or later, soonest first, then those of the past PAST_DAYS, latest first, at most
    MAX_EVENTS in all; ordered by date (docs/feeds.md, "iCalendar")."""
    events = with_calendar_fields(events.day_precise())
    upcoming = list(events.filter(date_end__gte=today).order_by("date_start", "date_end", "pk")[: ical.MAX_EVENTS])
    room = ical.MAX_EVENTS - len(upcoming)
    past = events.filter(date_end__lt=today, date_end__gte=today - datetime.timedelta(days=ical.PAST_DAYS))
    chosen = upcoming + (list(past.order_by("-date_end", "-date_start", "-pk")[:room]) if room else [])
    return sorted(chosen, key=lambda event: (event.date_start, event.date_end, event.pk))


def calendar_description(selection: Selection, today: datetime.date, shown: int) -> str:
    """What a subscribed calendar holds and what it leaves out, and why, in words."""
    reach = today - datetime.timedelta(days=ical.PAST_DAYS)
    in_bound = selection.events.filter(date_end__gte=reach)
    day_precise = in_bound.day_precise().count()
    left_out = in_bound.count() - day_precise
    older = selection.events.day_precise().filter(date_end__lt=reach).count()  # the others never would be
    paragraphs = [feed_subtitle() + "."]
    ends = selection.period[1]
    if ends is not None and ends < reach:
        # A view of a period long past: nothing will ever come; say so instead of "for now".
        paragraphs.append(_("This view ends more than twelve months ago, so this calendar stays empty."))
    elif not shown:
        paragraphs.append(_("At the moment this calendar holds no events; they appear here as soon as there are."))
    paragraphs += [
        _(
            "All upcoming events of this view known to the day, and those of the past twelve months; "
            "at most %(max)s, the upcoming first."
        )
        % {"max": ical.MAX_EVENTS},
        _(
            "Events known only to the month, quarter, season, half-year or year (such as “Q4 2024”) are "
            "left out: a calendar can show them only on particular days, and those are not known."
        ),
    ]
    if left_out:
        paragraphs.append(
            ngettext(
                "%(count)s event of this view from this period is left out for that reason.",
                "%(count)s events of this view from this period are left out for that reason.",
                left_out,
            )
            % {"count": left_out}
        )
    if older:
        paragraphs.append(
            ngettext(
                "%(count)s event of this view lies more than twelve months back and is not in the calendar.",
                "%(count)s events of this view lie more than twelve months back and are not in the calendar.",
                older,
            )
            % {"count": older}
        )
    if day_precise > shown:
        beyond = day_precise - shown
        paragraphs.append(
            ngettext(
                "%(count)s more event is left out because the limit is reached.",
                "%(count)s more events are left out because the limit is reached.",
                beyond,
            )
            % {"count": beyond}
        )
    paragraphs.append(_("The timeline lists every event: %(url)s") % {"url": timeline_url(selection)})
    return "\n\n".join(paragraphs)


def calendar_response(request: HttpRequest, selection: Selection) -> HttpResponse:
    """The iCalendar of `selection`, for subscription."""
    today = timezone.localdate()
    events = calendar_events(selection.events, today)
    info = ical.CalendarInfo(
        name=feed_title(selection),
        description=calendar_description(selection, today, len(events)),
        self_url=absolute_url(request.path + selection.query_string),
        page_url=timeline_url(selection),
        subscribed=True,
    )
    response = HttpResponse(ical.build_calendar(info, calendar_entries(events)), content_type=ical.CONTENT_TYPE)
    # What the calendar holds moves on at midnight too (the past year's window), so a reader
    # asking "changed since?" with yesterday's date must get today's calendar.
    day_starts = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    response["Last-Modified"] = http_date(max(content_version().changed_at, day_starts).timestamp())
    # A browser that opens the address saves it under a name a reader recognises; calendar
    # programs subscribing to it ignore the header.
    response["Content-Disposition"] = content_disposition_header(True, download_name(selection, "ics"))
    return response


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def icalendar(request):
    """The selected events known to the day as iCalendar, for calendar subscription."""
    return selection_format(request, calendar_response)


@require_safe
@cache_public
def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """One public event known to the day as an .ics file ("Add to calendar" on its page), in the
    address's language (/en/events/<slug>/event.ics is English), cached per content version like
    the page and answering conditional GET. A redirect from an old slug; 410 for a withdrawn event
    the public saw at `slug`, as they saw it (as its page: `Event.objects.gone_at()`); 404 for any
    other, and, saying why, for one not known to the day."""
    event = with_calendar_fields(Event.objects.public()).filter(slug=slug).first()
    if event is None:
        moved = PreviousSlug.objects.filter(slug=slug).values_list("event_id", flat=True).first()
        event = with_calendar_fields(Event.objects.public()).filter(pk=moved).first() if moved else None
        if event is not None and ical.in_calendars(event):
            return HttpResponsePermanentRedirect(reverse("timeline:event-calendar", kwargs={"slug": event.slug}))
    if event is None:
        seen = Event.objects.gone_at(slug)
        if seen is not None:
            return render(request, "timeline/event_withdrawn.html", {"event": seen}, status=410)
        # Drafts too: a calendar file is only ever made of a public event, even for staff.
        raise Http404
    if not ical.in_calendars(event):
        message = _(
            "“%(title)s” is dated only as “%(date)s”. A calendar entry needs the day, so this event "
            "has none. The event's page: %(url)s"
        ) % {"title": event.title, "date": event.date_display(), "url": absolute_url(event.get_absolute_url())}
        return HttpResponse(message + "\n", status=404, content_type="text/plain; charset=utf-8")
    info = ical.CalendarInfo(
        name=None,
        description=None,
        self_url=absolute_url(request.path),
        page_url=absolute_url(event.get_absolute_url()),
        subscribed=False,
    )
    response = HttpResponse(ical.build_calendar(info, calendar_entries([event])), content_type=ical.CONTENT_TYPE)
    # Saved under the event's name; a calendar program offers to add it.
    response["Content-Disposition"] = content_disposition_header(True, f"{event.slug}.ics")
    response["Last-Modified"] = http_date(content_version().changed_at.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Language"] = feed_language()
    return response


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def json_feed(request):
    """The selected events as JSON Feed 1.1."""
    return selection_format(request, json_feed_response)


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def timeline_json(request):
    """The selected events as TimelineJS3 data (/timeline.json)."""
    try:
        after, before = timeline_positions(request.GET) if request.method != "OPTIONS" else (None, None)
    except ValidationError as error:
        return refused(error.messages)
    return selection_format(request, lambda request, selection: timelinejs_response(request, selection, after, before))
