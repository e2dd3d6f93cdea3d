"""One event's page: at its public address (a DetailView, cached for readers like the timeline),
as a staff preview there, and at a secret preview link."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie
from django.views.generic import DetailView

from .cache import cache_public
from .models import SEARCH_DOCUMENTS, TIMELINE_ORDER, Event, PreviewLink, PreviousSlug, Series, Topic, may_preview
from .pagination import REVERSE_ORDER, Position
from .structured_data import absolute_url, event_jsonld, jsonld_script


def visible_events(request) -> QuerySet[Event]:
    """What this request may see: public events, or every event for those who may preview
    (`models.may_preview`: the view permission on events, not being staff, and a session that
    passed its second step where the account needs one)."""
    if may_preview(request.user):
        return Event.objects.all()
    return Event.objects.public()


NEIGHBOUR_FIELDS = ("title", "slug", "date")  # what the page shows of them


def series_neighbours(event: Event) -> tuple[Event | None, Event | None]:
    """The public events just before and just after `event` in its series, in timeline order
    (None where there is none); one slice of event_series_idx each."""
    here = Position.of(event)
    in_series = Event.objects.public().filter(series_id=event.series_id).exclude(pk=event.pk).only(*NEIGHBOUR_FIELDS)
    older = in_series.filter(here.older()).order_by(*TIMELINE_ORDER).first()
    newer = in_series.filter(here.newer()).order_by(*REVERSE_ORDER).first()
    return older, newer


def event_page_context(event: Event, *, is_preview: bool, with_jsonld: bool = True) -> dict:
    """What the event page shows besides the event and its related rows (which the caller
    prefetches): its neighbours in its series, its canonical address, its structured data."""
    context = {
        "event": event,
        "is_preview": is_preview,
        "canonical_path": event.get_absolute_url(),  # in the page's language: /en/events/… in English
        "canonical_url": absolute_url(event.get_absolute_url()),
        "jsonld": jsonld_script(event_jsonld(event)) if with_jsonld else "",
        "series_older": None,
        "series_newer": None,
    }
    if event.series_id:
        context["series_older"], context["series_newer"] = series_neighbours(event)
    if is_preview and event.is_gone():
        # The banner tells staff what the public sees of the withdrawn event: what it last saw,
        # which a later draft's title, date or address may differ from.
        seen = context["public_state"] = event.last_public_state()
        shown = ("title_de", "title_en", "date", "slug")
        context["public_state_differs"] = seen is not None and any(
            (getattr(seen, name) or None) != (getattr(event, name) or None) for name in shown
        )
    if is_preview:
        # A preview shows topics and series the public may not know yet; a link to filter by one
        # would be refused (400) to whoever holds a secret preview link, so only public ones link.
        context["public_topics"] = set(Topic.objects.public().filter(events=event).values_list("slug", flat=True))
        context["public_series"] = bool(event.series_id) and Series.objects.public().filter(pk=event.series_id).exists()
    return context


def with_related(events: QuerySet[Event]) -> QuerySet[Event]:
    """`events` with everything the event page shows of each: a fixed number of queries."""
    return (
        events.select_related("series")
        .prefetch_related("topics", "participants", "sources", "corrections")
        .defer(*SEARCH_DOCUMENTS)
    )


class EventDetailView(DetailView):
    """One event, with everything recorded about it. Staff also see drafts, marked as previews."""

    template_name = "timeline/event_detail.html"
    context_object_name = "event"

    def get_queryset(self) -> QuerySet[Event]:
        return with_related(visible_events(self.request))

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            seen = Event.objects.gone_at(kwargs["slug"])
            if seen is not None:
                # It was public once: say so, when and why, instead of pretending it never was,
                # showing only what the public saw. Withdrawn before anyone saw it, it stays
                # unknown (404), its title unsaid.
                context = {"event": seen, "canonical_path": seen.get_absolute_url()}
                return render(request, "timeline/event_withdrawn.html", context, status=410)
            moved = PreviousSlug.objects.filter(slug=kwargs["slug"]).values_list("event_id", flat=True).first()
            event = visible_events(request).filter(pk=moved).first() if moved else None
            if event is None:
                raise
            return HttpResponsePermanentRedirect(event.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(event_page_context(self.object, is_preview=not self.object.is_public()))
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A staff preview must never be stored by a shared cache or indexed.
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        return response


# Public readers get the page from the cache; staff (who have a session) always anew.
event_detail = require_safe(cache_public(vary_on_cookie(EventDetailView.as_view())))


def preview(request, token: str):
    """An unpublished event at its secret address (PreviewLink).

    A link to an event that is public by now leads to its public page (302: nothing secret is
    there, and a colleague's link keeps working, although publishing revoked it); an unknown,
    revoked or expired link, and one to a withdrawn event, is 404.
    """
    link = get_object_or_404(PreviewLink.objects.select_related("event"), token=token)
    if link.event.is_public():
        return redirect(link.event)
    if not link.is_open() or link.event.is_withdrawn():
        raise Http404
    event = with_related(Event.objects.filter(pk=link.event_id)).get()
    context = event_page_context(event, is_preview=True, with_jsonld=False)
    response = render(request, "timeline/event_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the secret address must not leak to linked sites
    return response
