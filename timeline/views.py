"""Public pages: the timeline, one event's page, robots.txt."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.generic import DetailView
from django.views.i18n import set_language as django_set_language
from django_countries import countries

from . import revisions
from .context_processors import site
from .dates import DAY, HALF, MONTH, MONTH_NAMES, QUARTER, _current_language
from .filters import PARAMETERS, describe_applied, select_events
from .freshness import ContentStamp, cached, content_stamp, made_here
from .memo import Memo, digest
from .models import (
    TIMELINE_ORDER,
    Event,
    Participant,
    PreviewLink,
    PreviousSlug,
    Revision,
    Series,
    SourceLink,
    Topic,
)
from .pagination import REVERSE_ORDER, Position, paginate
from .prepared import PreparedQueries
from .structured_data import absolute_url, event_jsonld, jsonld_script

CURSOR_PARAMETERS = ("after", "before")


def visible_events(request) -> QuerySet[Event]:
    """What this request may see: public events, or every event for staff previewing drafts."""
    if request.user.is_authenticated and request.user.is_staff:
        return Event.objects.all()
    return Event.objects.public()


@dataclass
class Group:
    """Events under one heading: a month, or a coarser period ("4. Quartal") of one year."""

    year: int
    label: str
    events: list[Event] = field(default_factory=list)
    first_of_year: bool = False


def period_label(event: Event, language: str) -> str:
    """The heading an event is listed under: its month, or the coarser period it is known by."""
    start = event.event_date.start
    if start.precision in (DAY, MONTH):
        return f"{MONTH_NAMES[language][start.month - 1]} {start.year}"
    if start.precision == QUARTER:
        return f"{start.quarter}. Quartal {start.year}" if language == "de" else f"Q{start.quarter} {start.year}"
    if start.precision == HALF:
        if language == "de":
            return f"{start.half}. Halbjahr {start.year}"
        return f"{'First' if start.half == 1 else 'Second'} half of {start.year}"
    return _("%(year)s, date within the year not known") % {"year": start.year}


# The rendered summary of each event, keyed by everything it shows: an edit, a renamed topic or
# an event becoming past gives a new key, so a kept summary is never out of date. Rendering 50
# summaries is most of the work of a timeline page.
_summaries = Memo(5000, max_bytes=8 * 2**20)


def summary_html(event: Event) -> str:
    language = get_language()
    key = digest(
        (
            language, settings.CONTENT_LANGUAGE, event.is_upcoming, event.pk, event.slug, event.date, event.title,
            event.kind, event.place, event.summary, ",".join(country.code for country in event.countries),
            [(topic.slug, topic.name) for topic in event.topics.all()],
        )
    )  # fmt: skip
    html = _summaries.get(key)
    if html is None:
        html = render_to_string(
            "timeline/_event_summary.html", {"event": event, "CONTENT_LANGUAGE": settings.CONTENT_LANGUAGE}
        )
        _summaries.put(key, html)
    return mark_safe(html)  # noqa: S308  (rendered by the template engine, which escaped it)


def forget_summaries() -> None:
    _summaries.clear()
    _event_parts.clear()
    _pages.clear()


# The event page's head and article, keyed by everything they show (the event's fields, and in
# event_rows its participants, sources, topics, series, neighbours and corrections; the language):
# the database is asked on every request, the template renders once per state of the event.
_event_parts = Memo(2000, max_bytes=16 * 2**20)


def state(obj) -> list:
    """A model object's field values, for a key."""
    return sorted((name, value) for name, value in vars(obj).items() if name[0] != "_")


_queries = PreparedQueries()


def public_event(slug: str) -> Event | None:
    """The public event at `slug`: Event.objects.public(), its SQL compiled once per process."""
    events = _queries.objects(
        "public-event",
        lambda now, slug: Event.objects.public(now).filter(slug=slug).defer("search_document"),
        values=(slug,),
    )
    return events[0] if events else None


SERIES_FIELDS = ("id", "name", "slug", "description")
NEIGHBOUR_FIELDS = ("id", "title", "slug", "date")  # what the page shows of a neighbour


def _series(now, series_id: int, start: datetime.date, end: datetime.date, pk: int) -> QuerySet:
    return Series.objects.filter(pk=series_id).values_list(*SERIES_FIELDS)


def _neighbour(direction: str):
    def build(now, series_id: int, start: datetime.date, end: datetime.date, pk: int) -> QuerySet:
        here = Position(start, end, pk)
        in_series = Event.objects.public(now).filter(series_id=series_id).exclude(pk=pk)
        if direction == "older":
            in_series = in_series.filter(here.older()).order_by(*TIMELINE_ORDER)
        else:
            in_series = in_series.filter(here.newer()).order_by(*REVERSE_ORDER)
        return in_series.values_list(*NEIGHBOUR_FIELDS)[:1]

    return build


_SERIES_PARTS = {"series": _series, "series_older": _neighbour("older"), "series_newer": _neighbour("newer")}


def series_neighbours(event: Event, rows: dict[str, list[tuple]]) -> dict:
    """The event's series (set on the event) and the public events just before and after it in
    the series, in timeline order, from the rows of event_rows: {"series_older": …,
    "series_newer": …}, None where there is none."""
    alias = Event.objects.db
    found = {name: rows.get(name) for name in _SERIES_PARTS}
    # Each row: two empty sort keys, the four fields, one empty column (see event_rows).
    event.series = Series.from_db(alias, SERIES_FIELDS, found["series"][0][2:6]) if found["series"] else None
    return {
        name: Event.from_db(alias, NEIGHBOUR_FIELDS, found[name][0][2:6]) if found[name] else None
        for name in ("series_older", "series_newer")
    }


@functools.cache
def _event_rows_sql(alias: str) -> str:
    name = connections[alias].ops.quote_name
    participants, sources = name(Participant._meta.db_table), name(SourceLink._meta.db_table)
    topics, tagged = name(Topic._meta.db_table), name(Event.topics.through._meta.db_table)
    revisions_table = name(Revision._meta.db_table)
    # Columns: group, two sort keys, id, then four values. Only quoted table names go into the
    # text; the values are parameters.
    return (
        f"SELECT 'participants', position, NULL, id, name, role, organisation, country FROM {participants}"  # noqa: S608
        " WHERE event_id = %s"
        f" UNION ALL SELECT 'sources', position, NULL, id, url, title, publisher, NULL FROM {sources}"
        " WHERE event_id = %s"
        f" UNION ALL SELECT 'topics', NULL, t.name, t.id, t.slug, NULL, NULL, NULL FROM {topics} t"
        f" JOIN {tagged} et ON t.id = et.topic_id WHERE et.event_id = %s"
        f" UNION ALL SELECT 'revisions', NULL, CAST(created_at AS TEXT), id, CAST(data AS TEXT), status, NULL, NULL"
        f" FROM {revisions_table} WHERE event_public_id = %s"
    )


def event_rows(event: Event) -> dict[str, list[tuple]]:
    """The event's participants, sources, topics and revisions as stored (values as text), and for
    an event in a series its series and its neighbours there: what the event page shows besides
    the event's own fields. One statement over indexed reads (the series parts are the compiled
    queries of _SERIES_PARTS, as subqueries), each group in the order the page shows it."""
    connection = connections[Event.objects.db]
    public_id = Revision._meta.get_field("event_public_id").get_db_prep_value(event.public_id, connection)
    statement, params = [_event_rows_sql(connection.alias)], [event.pk, event.pk, event.pk, public_id]
    rows: dict[str, list[tuple]] = {"participants": [], "sources": [], "topics": [], "revisions": []}
    if event.series_id:
        here = (event.series_id, event.date_start, event.date_end, event.pk)
        for group, build in _SERIES_PARTS.items():
            rows[group] = []
            part = _queries.sql(group, build, values=here)
            if part is not None:
                # The same eight columns: group, two empty sort keys, the part's four, one empty.
                # Only our own group names and the ORM's SQL go into the text; values are parameters.
                statement.append(f"SELECT '{group}', NULL, NULL, part.*, NULL FROM ({part[0]}) part")  # noqa: S608
                params.extend(part[1])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statement) + " ORDER BY 1, 2, 3, 4", params)
        for group, *values in cursor.fetchall():
            rows[group].append(tuple(values))
    return rows


def change_history(rows: dict[str, list[tuple]]) -> list[tuple]:
    """The public corrections, from the revision rows of event_rows."""
    return revisions.change_history_from((when, data, status) for _, when, _, data, status, _, _ in rows["revisions"])


def event_parts(context: dict, rows: dict[str, list[tuple]]) -> tuple[str | None, dict[str, str]]:
    """The page's head and article for `context`, rendered once per state of the event (`rows`
    as from event_rows), and the key of that state (None if it changed while rendering)."""
    event: Event = context["event"]

    def key_of(rows):
        return digest(
            (
                get_language(), settings.CONTENT_LANGUAGE, settings.SITE_URL, context["is_preview"],
                context.get("with_jsonld", True), event.is_scheduled(), state(event), rows,
            )
        )  # fmt: skip

    key = key_of(rows)
    parts = _event_parts.get(key)
    if parts is None:
        prefetch_related_objects([event], "topics", "sources", "participants")
        values = {**context, "CONTENT_LANGUAGE": settings.CONTENT_LANGUAGE}
        values["canonical_url"] = absolute_url(event.get_absolute_url())
        values["jsonld"] = jsonld_script(event_jsonld(event)) if context.get("with_jsonld", True) else ""
        parts = {
            "head": render_to_string("timeline/_event_head.html", values),
            "article": render_to_string("timeline/_event_article.html", values),
        }
        # Kept only if nothing changed while it was rendered (else used once).
        if key_of(event_rows(event)) == key:
            _event_parts.put(key, parts)
        else:
            key = None
    return key, {part: mark_safe(html) for part, html in parts.items()}  # noqa: S308  (escaped by the templates)


def with_event_parts(context: dict) -> dict:
    """`context` (the event, is_preview) with what the event page shows besides the event's own
    fields: corrections, series neighbours, and the rendered head and article with their key."""
    event: Event = context["event"]
    rows = event_rows(event)
    context["change_history"] = change_history(rows)
    if event.series_id:
        context.update(series_neighbours(event, rows))
    context["page_key"], context["event_parts"] = event_parts(context, rows)
    return context


# The whole page, per state of the event and language, with a marker where each request puts its
# own address (the language switch's form); letters and digits only, so escaping leaves it as is.
_pages = Memo(1000, max_bytes=16 * 2**20)
PATH_MARKER = "address0of0this0request"


class _MarkedRequest:
    @staticmethod
    def get_full_path() -> str:
        return PATH_MARKER


def render_event_page(request, template_name: str, context: dict) -> HttpResponse:
    key = (context["page_key"], template_name, get_language())
    html = _pages.get(key) if context["page_key"] else None
    if html is None:
        values = {**context, **site(request), "request": _MarkedRequest()}
        html = render_to_string(template_name, values)
        if context["page_key"]:
            _pages.put(key, html)
    return HttpResponse(html.replace(PATH_MARKER, escape(request.get_full_path())))


# The language switch changes nothing but the reader's display language (a cookie, checked against
# LANGUAGES; `next` only to this site), so it takes no CSRF token. Without one, public pages carry
# nothing made for one visitor, set no cookie, and a proxy or CDN may store them.
set_language = csrf_exempt(django_set_language)


def group_events(events: list[Event]) -> list[Group]:
    """Consecutive events sharing a year and a period, in timeline order."""
    language = _current_language()
    groups: list[Group] = []
    for event in events:
        year, label = event.date_start.year, period_label(event, language)
        if not groups or (groups[-1].year, groups[-1].label) != (year, label):
            groups.append(Group(year, label, first_of_year=not groups or groups[-1].year != year))
        groups[-1].events.append(event)
    return groups


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_url: str


def query_string(pairs: list[tuple[str, str]]) -> str:
    return ("?" + urlencode(pairs)) if pairs else ""


@require_safe
def timeline(request):
    """The public timeline: filtered, grouped by year and period, paged by position.

    The same for every visitor (drafts are not listed, the page carries nothing made for one
    visitor), so each process keeps what it rendered under the content stamp, the address, the
    language and the day (which events are upcoming): a change by an editor, or a scheduled
    publication coming due, gives a new stamp and the next request renders anew."""
    stamp = content_stamp()

    def make() -> tuple[int, bytes]:
        rendered = render_timeline(request, stamp)
        return rendered.status_code, rendered.content

    parts = ("timeline", get_language(), timezone.localdate().isoformat(), settings.SITE_URL, request.get_full_path())
    status, content = made_here(stamp, *parts, make=make)
    response = HttpResponse(content, status=status)
    # The language comes from the reader's cookie or Accept-Language (LocaleMiddleware adds that).
    patch_vary_headers(response, ("Cookie",))
    return response


def render_timeline(request, stamp: ContentStamp) -> HttpResponse:
    selection = select_events(request.GET, Event.objects.public())
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

    # The count and the country list scan many rows at 100,000 events; both change only with the
    # content, so they are cached under the content stamp (correct in every process at once).
    total = cached(stamp, "count", selection.query_string, compute=selection.events.count)
    page = paginate(
        selection.events.select_related("series").prefetch_related("topics").defer("body", "search_document"),
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
        event.summary_html = summary_html(event)

    topic_names = dict(Topic.objects.values_list("slug", "name"))
    series_names = dict(Series.objects.values_list("slug", "name"))
    active = [
        ActiveFilter(
            label=label,
            value=value,
            remove_url=request.path + query_string([other for other in filter_pairs if other != pair]),
        )
        for (label, value), pair in zip(
            describe_applied(selection, topic_names, series_names), filter_pairs, strict=True
        )
    ]

    context = {
        "errors": errors,
        "total": total,
        "groups": group_events(page.events),
        "active_filters": active,
        "older_url": query_string([*filter_pairs, ("after", page.older.token())]) if page.older else None,
        "newer_url": query_string([*filter_pairs, ("before", page.newer.token())]) if page.newer else None,
        "today_url": "#today"
        if today_marked
        else query_string([*filter_pairs, ("after", tomorrow.token())]) + "#today",
        "rss_url": absolute_url("/feeds/rss/" + selection.query_string),
        "atom_url": absolute_url("/feeds/atom/" + selection.query_string),
        "canonical_url": absolute_url(request.path + selection.query_string),
        "form_values": {name: request.GET.getlist(name) for name in PARAMETERS},
        "country_choices": facet_countries(stamp, request.GET.getlist("country")),
        "topic_choices": list(topic_names.items()),
        "series_choices": list(series_names.items()),
        "kind_choices": Event.Kind.choices,
        "is_filtered": bool(filter_pairs),
    }
    return render(request, "timeline/event_list.html", context, status=400 if errors else 200)


def used_countries() -> set[str]:
    """The codes of the countries public events involve."""
    codes: set[str] = set()
    for value in Event.objects.public().order_by().values_list("countries", flat=True).distinct():
        codes.update(code for code in value.split(",") if code)
    return codes


def facet_countries(stamp: ContentStamp, selected: list[str]) -> list[tuple[str, str]]:
    """The countries a reader can filter by: those public events involve, plus any selected."""
    codes = {code.strip().upper() for code in selected if code.strip().upper() in countries}
    codes |= cached(stamp, "used-countries", compute=used_countries)
    return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])


class EventDetailView(DetailView):
    """One event, with everything recorded about it. Staff also see drafts, marked as previews."""

    template_name = "timeline/event_detail.html"
    context_object_name = "event"

    def get_queryset(self) -> QuerySet[Event]:
        return visible_events(self.request).select_related("series")

    def get_object(self, queryset=None) -> Event:
        if self.request.user.is_authenticated and self.request.user.is_staff:
            return super().get_object(queryset)
        # The public's case, on every visit: public()'s SQL, compiled once per process.
        event = public_event(self.kwargs["slug"])
        if event is None:
            raise Http404(_("No event found matching the query"))
        return event

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            withdrawn = Event.objects.filter(
                slug=kwargs["slug"], status=Event.Status.WITHDRAWN, first_published_at__isnull=False
            ).first()
            if withdrawn is not None:
                # It was public once: say so, when and why, instead of pretending it never was.
                return render(request, "timeline/event_withdrawn.html", {"event": withdrawn}, status=410)
            moved = PreviousSlug.objects.filter(slug=kwargs["slug"]).values_list("event_id", flat=True).first()
            event = visible_events(request).filter(pk=moved).first() if moved else None
            if event is None:
                raise
            return HttpResponsePermanentRedirect(event.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event: Event = self.object
        context["is_preview"] = not event.is_public()
        return with_event_parts(context)

    def render_to_response(self, context, **response_kwargs):
        response = render_event_page(self.request, self.template_name, context)
        if context["is_preview"]:
            # A staff preview must never be stored by a shared cache or indexed.
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        return response


@require_safe
def robots_txt(request):
    """Everything public may be crawled; the admin may not; the sitemap says what exists."""
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {absolute_url('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def preview(request, token: str):
    """An unpublished event at its secret address; revoked or unknown addresses are 404."""
    link = get_object_or_404(PreviewLink.objects.select_related("event"), token=token, revoked_at__isnull=True)
    event = link.event
    context = {
        "event": event,
        "is_preview": not event.is_public(),
        "with_jsonld": False,
    }
    response = render(request, "timeline/event_detail.html", with_event_parts(context))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the secret address must not leak to linked sites
    return response
