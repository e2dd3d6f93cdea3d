"""Public pages: the list of events and one event's page."""

from django.db.models import Prefetch, QuerySet
from django.views.generic import DetailView, ListView

from .models import Event, Participant


def visible_events(request) -> QuerySet[Event]:
    """What this request may see: public events, or every event for staff previewing drafts."""
    if request.user.is_authenticated and request.user.is_staff:
        return Event.objects.all()
    return Event.objects.public()


class EventListView(ListView):
    """The public list of events, newest event date first (the full timeline is issue 3)."""

    template_name = "timeline/event_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Event]:
        return Event.objects.public().newest_first().select_related("series").prefetch_related("topics").defer("body")


class EventDetailView(DetailView):
    """One event, with everything recorded about it. Staff also see drafts, marked as previews."""

    template_name = "timeline/event_detail.html"
    context_object_name = "event"

    def get_queryset(self) -> QuerySet[Event]:
        return (
            visible_events(self.request)
            .select_related("series")
            .prefetch_related("topics", "sources", Prefetch("participants", queryset=Participant.objects.all()))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_public()
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A staff preview must never be stored by a shared cache or indexed.
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        return response
