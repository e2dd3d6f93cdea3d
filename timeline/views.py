"""Public pages: the timeline (a list, and drawn to scale), robots.txt, the 404 page. One event's
page is timeline.event_pages."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie
from django.views.i18n import set_language as django_set_language

from feeds.formats import format_links, grouped

from . import scale
from .cache import cache_public, get_or_set
from .dates import display_language
from .filters import PARAMETERS, Selection, describe_applied, facet_countries, select_events
from .headings import group_events
from .languages import SOURCE_LANGUAGE, column, text_language
from .middleware import is_api, refusal
from .models import SEARCH_DOCUMENTS, TIMELINE_ORDER, Event, Series, Topic
from .pagination import Position, paginate
from .structured_data import absolute_url

CURSOR_PARAMETERS = ("after", "before")


# The admin's language choice changes nothing but the display language (a cookie, checked against
# LANGUAGES; `next` only to this site), so it takes no CSRF token. Public pages switch language by
# links to their other address instead (templates/base.html), carry nothing made for one visitor,
# set no cookie, and a proxy or CDN may store them.
set_language = csrf_exempt(django_set_language)


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_url: str
    lang: str | None = None  # the language of a topic's or series' name; None for interface words


class Choice(NamedTuple):
    """One value of a filter the form offers: what it sends, what it shows, and the language of
    that text where it is a record's (a topic's or series' name) rather than the interface's."""

    value: str
    text: str
    lang: str | None = None


def query_string(pairs: list[tuple[str, str]]) -> str:
    return ("?" + urlencode(pairs)) if pairs else ""


CHECKBOX_PARAMETERS = ("country", "topic")  # the filter form's groups of boxes


def without_empty_parameters(request) -> str | None:
    """The request's address without its empty parameters (`?q=&kind=&country=JP` as the filter
    form submits it gives `?country=JP`), or None if it has none."""
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    kept = [(name, value) for name, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    return request.path + query_string(kept)


@require_safe
@cache_public
@vary_on_cookie
def timeline(request):
    """The public timeline: filtered, grouped by year and period, paged by position. The same for
    every reader (drafts are never listed), so it is cached per content version."""
    clean = without_empty_parameters(request)
    if clean is not None:
        # One address per selection, for readers' bookmarks, caches and search engines alike.
        return HttpResponsePermanentRedirect(clean)
    return render_timeline(request)


def selection_key(selection: Selection) -> str:
    """A short cache key naming the selection, whatever the length of its parameters."""
    return hashlib.blake2b(selection.query_string.encode(), digest_size=16).hexdigest()


def with_current_slugs(request, selection: Selection) -> HttpResponse | None:
    """A permanent redirect to the request's address with each former slug of a topic or series
    replaced by the current one (Selection.renamed), or None if it has none: a bookmark made
    before a change of slug leads to the page's one address."""
    if not selection.renamed:
        return None
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    pairs = [(name, selection.renamed.get((name, value), value)) for name, value in pairs]
    # `?topic=old&topic=new` is one filter: named once.
    return HttpResponsePermanentRedirect(request.path + query_string(list(dict.fromkeys(pairs))))


def render_timeline(request) -> HttpResponse:
    selection = select_events(request.GET, Event.objects.public())
    if moved := with_current_slugs(request, selection):
        return moved
    errors, filter_pairs = list(selection.errors), selection.applied

    after = before = None
    for name in CURSOR_PARAMETERS:
        token = request.GET.get(name)
        if token:
            try:
                position = Position.parse(token)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            after, before = (position, None) if name == "after" else (None, position)

    # The count and the country list scan many rows; both change only with the content, so they
    # are cached per content version, for every page and language of the selection (and its
    # time axis).
    total = get_or_set("timeline-count:" + selection_key(selection), selection.events.count)
    page = paginate(
        selection.events.select_related("series").prefetch_related("topics").defer("body", *SEARCH_DOCUMENTS),
        after=after,
        before=before,
    )

    today = timezone.localdate()
    tomorrow = Position(today + datetime.timedelta(days=1))
    at_top = after is None and before is None
    today_marked = False
    for event in page.events:
        event.is_upcoming = event.date_start > today
        event.is_today_marker = False
        if not today_marked and not event.is_upcoming and (at_top or after == tomorrow):
            event.is_today_marker = today_marked = True

    context = {
        **filter_panel(request, selection, total),
        "errors": errors,
        "total": total,
        "groups": group_events(page.events),
        "older_url": query_string([*filter_pairs, ("after", page.older.token())]) if page.older else None,
        "newer_url": query_string([*filter_pairs, ("before", page.newer.token())]) if page.newer else None,
        "today_url": "#today"
        if today_marked
        else query_string([*filter_pairs, ("after", tomorrow.token())]) + "#today",
    }
    return render(request, "timeline/event_list.html", context, status=400 if errors else 200)


def filter_panel(request, selection: Selection, total: int) -> dict:
    """What every view of a selection shows around it (the timeline's list and its time axis):
    the filter form (submitting to this page), the active filters with links removing each, the
    switch to the other view and the formats, all with the selection's applied filters. `total`
    is the number of events selected (a format may hold fewer)."""
    filter_pairs = selection.applied
    formats = format_links(selection.query_string, total)
    # Names in the reader's language, or German where a topic or series has no English; only
    # those public events use (a draft's new topic would announce it).
    topics = [Choice(topic.slug, topic.name, text_language(topic, "name")) for topic in by_shown_name(Topic)]
    series = [Choice(one.slug, one.name, text_language(one, "name")) for one in by_shown_name(Series)]
    topic_names = {choice.value: choice.text for choice in topics}
    series_names = {choice.value: choice.text for choice in series}
    name_languages = {
        "topic": {choice.value: choice.lang for choice in topics},
        "series": {choice.value: choice.lang for choice in series},
    }
    active = [
        ActiveFilter(
            label=label,
            value=value,
            remove_url=request.path + query_string([other for other in filter_pairs if other != pair]),
            lang=name_languages.get(pair[0], {}).get(pair[1]),
        )
        for (label, value), pair in zip(
            describe_applied(selection, topic_names, series_names), filter_pairs, strict=True
        )
    ]
    return {
        "active_filters": active,
        "form_action": request.path,
        "view_urls": {
            "list": reverse("timeline:event-list") + selection.query_string,
            "scale": reverse("timeline:event-scale") + selection.query_string,
        },
        "formats": formats,
        "format_groups": grouped(formats),
        # The selection's one address in this language; the hreflang alternates are its other
        # languages' (templatetags/language_tags.py).
        "canonical_path": request.path + selection.query_string,
        "canonical_url": absolute_url(request.path + selection.query_string),
        # What the reader typed stays in the text fields; a box is ticked (and counted) only for
        # a value that was applied, so a refused `country=XX` does not read as "Länder (1)".
        "form_values": {
            **{name: request.GET.getlist(name) for name in PARAMETERS},
            **{name: [value for key, value in filter_pairs if key == name] for name in CHECKBOX_PARAMETERS},
        },
        "country_choices": [Choice(code, name) for code, name in facet_countries(request.GET.getlist("country"))],
        "topic_choices": topics,
        "series_choices": series,
        "kind_choices": Event.Kind.choices,
        "is_filtered": bool(filter_pairs),
    }


def by_shown_name(model: type[Topic | Series]) -> QuerySet:
    """The topics or series public events use, in the order of the names a reader of this
    language sees: theirs, or the German one where there is none (the model's own ordering would
    put those first)."""
    shown = Coalesce(column("name", get_language()), column("name", SOURCE_LANGUAGE))
    return model.objects.public().order_by(shown, "pk")


@require_safe
@cache_public
@vary_on_cookie
def event_scale(request):
    """The selection drawn to scale on a time axis (timeline.scale), as inline SVG: the timeline's
    filters and refusals, at most scale.MAX_DRAWN events (the most recent), cached as the timeline."""
    clean = without_empty_parameters(request)
    if clean is not None:
        return HttpResponsePermanentRedirect(clean)
    selection = select_events(request.GET, Event.objects.public())
    if moved := with_current_slugs(request, selection):
        return moved
    events = list(
        selection.events.select_related("series")
        .defer("body", *SEARCH_DOCUMENTS)
        .order_by(*TIMELINE_ORDER)[: scale.MAX_DRAWN + 1]
    )
    total = len(events)
    if total > scale.MAX_DRAWN:
        events = events[: scale.MAX_DRAWN]
        total = get_or_set("timeline-count:" + selection_key(selection), selection.events.count)
    items = [scale.Item(event, event.event_date, event.series.name if event.series else "") for event in events]
    drawing = scale.layout(
        items,
        today=timezone.localdate(),
        language=display_language(),
        no_series=_("Events outside a series"),
        period=selection.period,
    )
    # Links zooming to each year or decade that holds events, keeping the other filters; once
    # zoomed, one back to every period.
    others = [pair for pair in selection.applied if pair[0] not in ("from", "to")]
    zoom, whole_period_url = [], None
    if drawing is not None:
        zoom = [
            (period.label, request.path + query_string([*others, ("from", period.start), ("to", period.end)]))
            for period in scale.periods(items, drawing.scale.first_year, drawing.scale.last_year)
        ]
        if len(others) < len(selection.applied):
            whole_period_url = request.path + query_string(others)
    context = {
        **filter_panel(request, selection, total),
        "errors": selection.errors,
        "total": total,
        "drawing": drawing,
        "max_drawn": scale.MAX_DRAWN,
        "zoom_links": zoom,
        "whole_period_url": whole_period_url,
    }
    return render(request, "timeline/event_scale.html", context, status=400 if selection.errors else 200)


@require_safe
def robots_txt(request):
    """Everything public may be crawled; the admin may not; the sitemap says what exists."""
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {absolute_url('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    """A 404 for an address nothing answers (config.urls.handler404): JSON under /api/, like the
    API's own 404s, in the reader's language; the site's page elsewhere."""
    if is_api(request):
        return refusal(request, _("Not found."), status=404)
    return defaults.page_not_found(request, exception)
