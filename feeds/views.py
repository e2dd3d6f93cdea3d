"""RSS and Atom views: select, answer conditional requests, build once per content revision."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from timeline.filters import describe_applied, select_events
from timeline.freshness import cached, content_stamp
from timeline.models import Event
from timeline.structured_data import absolute_url

from .builder import MAX_ENTRIES, FeedInfo, build_feed, tag_uri

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
MAX_AGE = 300  # seconds readers and proxies may reuse a feed without asking


def feed_view(request, kind: str) -> HttpResponse:
    selection = select_events(request.GET, Event.objects.public())
    if selection.errors:
        message = _("This feed address has values that cannot be understood:") + "\n" + "\n".join(selection.errors)
        return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")

    stamp = content_stamp()
    language = settings.LANGUAGE_CODE

    def build() -> tuple[bytes, str, int]:
        described = describe_applied(selection)
        title = _("Diplomatic events")
        if described:
            title += ": " + ", ".join(f"{label}: {value}" for label, value in described)
        events = (
            selection.events.order_by("-first_published_at", "-pk")
            .select_related("series")
            .prefetch_related("topics")
            .defer("search_document")[:MAX_ENTRIES]
        )
        info = FeedInfo(
            kind=kind,
            title=title,
            subtitle=_("Meetings, visits, consultations and agreements, published by %(publisher)s")
            % {"publisher": settings.PUBLISHER_NAME},
            feed_id=tag_uri(f"feed:{kind}{selection.query_string}"),
            self_url=absolute_url(request.path + selection.query_string),
            page_url=absolute_url("/" + selection.query_string),
            language=language,
            updated=stamp.revision.changed_at,
        )
        body = build_feed(info, list(events))
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return body, etag, int(stamp.last_modified.timestamp())

    # Built once per content revision and scheduled release, in any process (timeline/freshness.py).
    body, etag, last_modified = cached(
        stamp, "feed", kind, language, selection.query_string, settings.SITE_URL, compute=build
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response) or response


@gzip_page
@require_safe
def rss(request):
    """The selected events as RSS 2.0."""
    return feed_view(request, "rss")


@gzip_page
@require_safe
def atom(request):
    """The selected events as Atom 1.0."""
    return feed_view(request, "atom")
