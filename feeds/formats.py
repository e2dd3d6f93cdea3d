"""The formats a filtered view can be subscribed to or downloaded in, as the timeline offers them.

Each is served at the address named `url_name` with the timeline's query parameters
(`feeds.views.selection_format`), German at /feeds/… and English at /en/feeds/…: the links are
made in the page's language, so an English page offers the English formats.
The page lists them in its panel, feeds and the calendar under "Diese Ansicht abonnieren", files
under "Herunterladen", and those with `alternate` as `<link rel="alternate">` in its head (the
HTML standard's alternate link, which feed readers and browsers discover), all with the view's
filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from timeline.structured_data import absolute_url

from .csv_export import MAX_ROWS

SUBSCRIBE, DOWNLOAD = "subscribe", "download"


@dataclass(frozen=True)
class SubscriptionFormat:
    label: str | Promise  # what the panel's link says ("RSS")
    url_name: str  # the address's URL name: "feeds:rss" is /feeds/rss/, or /en/feeds/rss/ in English
    media_type: str  # the link's `type`, without parameters
    title: str | Promise  # the alternate link's and the panel link's title, in the reader's language
    group: str = SUBSCRIBE  # SUBSCRIBE (a reader's program fetches it again and again) or DOWNLOAD
    alternate: bool = True  # also a <link rel="alternate"> in the page's head
    max_events: int | None = None  # a larger selection is refused: the panel says so instead of linking
    # The panel links this scheme instead of http(s): "webcal" makes a click subscribe in a
    # calendar program (Apple Calendar, Outlook) instead of importing a copy once.
    subscribe_scheme: str | None = None


FORMATS: tuple[SubscriptionFormat, ...] = (
    SubscriptionFormat("RSS", "feeds:rss", "application/rss+xml", _("RSS feed of these events")),
    SubscriptionFormat("Atom", "feeds:atom", "application/atom+xml", _("Atom feed of these events")),
    SubscriptionFormat("JSON Feed", "feeds:json", "application/feed+json", _("JSON Feed of these events")),
    SubscriptionFormat(
        _("Calendar (iCalendar)"),
        "feeds:ics",
        "text/calendar",
        _("Calendar of these events (iCalendar)"),
        subscribe_scheme="webcal",
    ),
    # Files to download, not feeds: no alternate link (readers would offer them as subscriptions).
    SubscriptionFormat(
        _("Spreadsheet (CSV)"),
        "export-csv",
        "text/csv",
        _("These events as a spreadsheet (CSV)"),
        group=DOWNLOAD,
        alternate=False,
        max_events=MAX_ROWS,
    ),
    SubscriptionFormat(
        "TimelineJS",
        "timeline-json",
        "application/json",
        _("TimelineJS data of these events"),
        group=DOWNLOAD,
        alternate=False,
    ),
)


@dataclass(frozen=True)
class FormatLink:
    """One format of one view, as the page links it."""

    format: SubscriptionFormat
    url: str  # absolute http(s), with the view's filters
    too_many: str | None  # why the selection is too large for the format, or None
    subscribe_url: str | None  # the address in the format's subscription scheme, if it has one


def format_links(query_string: str, total: int) -> list[FormatLink]:
    """Every format of the view the applied parameters `query_string` ("?a=b&…" or "") select,
    as absolute links in the active language (the page's); `total` is the number of events
    selected."""
    links = []
    for each in FORMATS:
        url = absolute_url(reverse(each.url_name) + query_string)
        too_many = None
        if each.max_events is not None and total > each.max_events:
            too_many = _("at most %(max)s events; please narrow the selection") % {
                "max": number_format(each.max_events, force_grouping=True)
            }
        subscribe_url = each.subscribe_scheme + ":" + url.partition(":")[2] if each.subscribe_scheme else None
        links.append(FormatLink(each, url, too_many, subscribe_url))
    return links


def grouped(links: list[FormatLink]) -> dict[str, list[FormatLink]]:
    """`links` by group, subscriptions first."""
    return {group: [link for link in links if link.format.group == group] for group in (SUBSCRIBE, DOWNLOAD)}
