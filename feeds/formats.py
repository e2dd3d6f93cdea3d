"""The formats a filtered view can be subscribed to or exported in, as the timeline offers them.

Each is served at `path` with the timeline's query parameters (`feeds.views.selection_format`).
The page lists every format in its "Diese Ansicht abonnieren" panel, and those with `alternate`
as `<link rel="alternate">` in its head (the HTML standard's alternate link, which feed readers
and browsers discover), both with the view's filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from timeline.structured_data import absolute_url

from .csv_export import MAX_ROWS


@dataclass(frozen=True)
class SubscriptionFormat:
    label: str  # what the panel's link says ("RSS"): a format's own name needs no translation
    path: str  # the site-relative address, before the query string
    media_type: str  # the link's `type`, without parameters
    title: str | Promise  # the alternate link's title, in the reader's language
    alternate: bool = True  # also a <link rel="alternate"> in the page's head
    max_events: int | None = None  # a larger selection is refused: the panel says so instead of linking


FORMATS: tuple[SubscriptionFormat, ...] = (
    SubscriptionFormat("RSS", "/feeds/rss/", "application/rss+xml", _("RSS feed of these events")),
    SubscriptionFormat("Atom", "/feeds/atom/", "application/atom+xml", _("Atom feed of these events")),
    SubscriptionFormat("JSON Feed", "/feeds/json/", "application/feed+json", _("JSON Feed of these events")),
    SubscriptionFormat("iCalendar", "/feeds/ics/", "text/calendar", _("Calendar of these events (iCalendar)")),
    # Files to download, not feeds: no alternate link (readers would offer them as subscriptions).
    SubscriptionFormat(
        "CSV", "/export.csv", "text/csv", _("These events as a spreadsheet (CSV)"), alternate=False, max_events=MAX_ROWS
    ),
    SubscriptionFormat(
        "TimelineJS", "/timeline.json", "application/json", _("TimelineJS data of these events"), alternate=False
    ),
)


@dataclass(frozen=True)
class FormatLink:
    label: str
    url: str
    media_type: str
    title: str | Promise
    alternate: bool
    too_many: str | None  # why the selection is too large for the format, or None


def format_links(query_string: str, total: int) -> list[FormatLink]:
    """Every format of the view the applied parameters `query_string` ("?a=b&…" or "") select,
    as absolute links; `total` is the number of events selected."""
    links = []
    for each in FORMATS:
        too_many = None
        if each.max_events is not None and total > each.max_events:
            too_many = _("at most %(max)s events; please narrow the selection") % {
                "max": number_format(each.max_events, force_grouping=True)
            }
        links.append(
            FormatLink(
                each.label,
                absolute_url(each.path + query_string),
                each.media_type,
                each.title,
                each.alternate,
                too_many,
            )
        )
    return links
