"""RSS and Atom views: select, answer conditional requests, build once per content revision."""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from timeline.filters import describe_applied, select_events
from timeline.freshness import content_stamp, recall, remember
from timeline.models import Event, Topic
from timeline.prepared import PreparedQueries
from timeline.structured_data import absolute_url

from .builder import ENTRY_FIELDS, MAX_ENTRIES, FeedInfo, build_feed, tag_uri

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
MAX_AGE = 300  # seconds readers and proxies may reuse a feed without asking
CACHE_CONTROL = f"public, max-age={MAX_AGE}"


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: int

    @functools.cached_property
    def last_modified_header(self) -> str:
        return http_date(self.last_modified)


_queries = PreparedQueries()
FEW = 4


def feed_rows(request, selection) -> list[tuple]:
    """The feed's events, ENTRY_FIELDS as stored, newest publication first (SQL kept per selection)."""

    def build(now):
        events = select_events(request.GET, Event.objects.public(now)).events
        return events.order_by("-first_published_at", "-pk").values_list(*ENTRY_FIELDS)[:MAX_ENTRIES]

    return _queries.rows(("feed-rows", selection.query_string), build)


def _events_by_id(now, *ids: int):
    return Event.objects.filter(pk__in=ids).defer("search_document")


def load_events(ids: list[int]) -> list[Event]:
    """The events whose entries are made anew: after an edit one or a few, by SQL compiled once per
    number of them; more (a first build) in one query the ORM builds."""
    if len(ids) <= FEW:
        return _queries.objects(("feed-load", len(ids)), _events_by_id, values=tuple(ids))
    return list(_events_by_id(None, *ids))


def topics_of(event_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(slug, name) of each event's topics, by name, in one query."""
    topics: dict[int, list[tuple[str, str]]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return topics
    connection = connections[Event.objects.db]
    name = connection.ops.quote_name
    # Only quoted identifiers and placeholders go into the text; the ids are parameters.
    sql = (
        f"SELECT et.{name('event_id')}, t.{name('slug')}, t.{name('name')}"  # noqa: S608
        f" FROM {name(Event.topics.through._meta.db_table)} et"
        f" JOIN {name(Topic._meta.db_table)} t ON t.{name('id')} = et.{name('topic_id')}"
        f" WHERE et.{name('event_id')} IN ({', '.join(['%s'] * len(event_ids))})"
        f" ORDER BY t.{name('name')}, t.{name('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, event_ids)
        for event_id, slug, topic_name in cursor.fetchall():
            topics[event_id].append((slug, topic_name))
    return topics


def render_feed(request, kind: str, selection, stamp) -> RenderedFeed:
    described = describe_applied(selection)
    title = _("Diplomatic events")
    if described:
        title += ": " + ", ".join(f"{label}: {value}" for label, value in described)
    # Read as stored (no conversion to Python values): entries are keyed by these, and most are
    # reused from the last build (feeds/builder.py).
    rows = feed_rows(request, selection)
    topics = topics_of([row[0] for row in rows])

    def load(ids: list[int]) -> dict[int, Event]:
        events = {event.pk: event for event in load_events(ids)}
        for event in events.values():
            event.feed_topics = topics[event.pk]
        return events

    info = FeedInfo(
        kind=kind,
        title=title,
        subtitle=_("Meetings, visits, consultations and agreements, published by %(publisher)s")
        % {"publisher": settings.PUBLISHER_NAME},
        feed_id=tag_uri(f"feed:{kind}{selection.query_string}"),
        self_url=absolute_url(request.path + selection.query_string),
        page_url=absolute_url("/" + selection.query_string),
        language=settings.LANGUAGE_CODE,
        updated=stamp.changed_at,
    )
    body = build_feed(info, [(row, topics[row[0]]) for row in rows], load)
    return RenderedFeed(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=int(stamp.last_modified.timestamp()),
    )


def finish(response: HttpResponse, rendered: RenderedFeed, compressed: bool) -> HttpResponse:
    """The validators and cache headers every answer about a feed carries (200 and 304 alike)."""
    response["ETag"] = f"W/{rendered.etag}" if compressed else rendered.etag
    response["Last-Modified"] = rendered.last_modified_header
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = CACHE_CONTROL
    return response


def feed_view(request, kind: str) -> HttpResponse:
    stamp = content_stamp()
    parts = ("feed", kind, settings.LANGUAGE_CODE, settings.SITE_URL)
    # A repeated request (same address, nothing changed) is answered from this process's copy
    # without parsing the parameters again; anything else goes through the filter.
    raw_query = request.META.get("QUERY_STRING", "")
    rendered = recall(stamp, *parts, "raw", raw_query)
    if rendered is None:
        selection = select_events(request.GET, Event.objects.public())
        if selection.errors:
            message = _("This feed address has values that cannot be understood:") + "\n" + "\n".join(selection.errors)
            return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")
        # Built once per content stamp in each process (timeline/freshness.py); after a change only
        # the changed entries are made anew (feeds/builder.py), so no shared copy is kept.
        rendered = recall(stamp, *parts, selection.query_string)
        if rendered is None:
            rendered = render_feed(request, kind, selection, stamp)
            remember(stamp, *parts, selection.query_string, value=rendered)
        remember(stamp, *parts, "raw", raw_query, value=rendered)

    # Compressed once per content stamp, when a reader first asks for it; a gzipped body carries a
    # weak validator (as Django's GZipMiddleware does), and conditional requests match either form.
    compressed = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    if request.META.get("HTTP_IF_NONE_MATCH", "").strip() in (rendered.etag, f"W/{rendered.etag}") and not (
        "HTTP_IF_MATCH" in request.META or "HTTP_IF_UNMODIFIED_SINCE" in request.META
    ):
        # The common conditional request, a reader sending back the validator it was given: 304
        # without making the full response first (get_conditional_response handles the rest).
        return finish(HttpResponseNotModified(), rendered, compressed)
    body = rendered.body
    if compressed:
        body = recall(stamp, *parts, "gzip", rendered.etag)
        if body is None:
            body = gzip.compress(rendered.body, compresslevel=6, mtime=0)
            remember(stamp, *parts, "gzip", rendered.etag, value=body)
    response = finish(HttpResponse(body, content_type=CONTENT_TYPES[kind]), rendered, compressed)
    if compressed:
        response["Content-Encoding"] = "gzip"
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        return get_conditional_response(
            request, etag=rendered.etag, last_modified=rendered.last_modified, response=response
        )
    return response


@require_safe
def rss(request):
    """The selected events as RSS 2.0."""
    return feed_view(request, "rss")


@require_safe
def atom(request):
    """The selected events as Atom 1.0."""
    return feed_view(request, "atom")
