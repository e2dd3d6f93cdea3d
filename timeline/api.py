"""The REST API: public read, editor write, over the same records, filter and validation."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import APIException, NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination

from . import revisions
from .cache import cached_response
from .filters import EventFilter
from .models import TIMELINE_ORDER, Event, Series, Topic
from .serializers import EventSerializer, SeriesSerializer, TopicSerializer

STATUS_CHOICES = ("public", "draft", "scheduled", "all")


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = 412
    default_code = "precondition_failed"


class SafeWritesMixin:
    """A write that loses a race for a unique value (two editors, one name) is a 409, not a 500."""

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        # Read again: validation ran full_clean() on the instance with the new values set.
        stored = type(serializer.instance).objects.filter(pk=serializer.instance.pk).first()
        self._save(serializer, getattr(stored, "status", None))

    def _save(self, serializer, status_before):
        try:
            with transaction.atomic():
                saved = serializer.save()
                if isinstance(saved, Event):
                    revisions.record(saved, self.request.user, revisions.action_for(status_before, saved.status))
        except IntegrityError as error:
            raise Conflict(
                _("Another record was saved with the same unique value meanwhile; reload and retry.")
            ) from error


class TimelinePagination(CursorPagination):
    """Cursor pages in the timeline's order: as fast on the last page as on the first."""

    ordering = TIMELINE_ORDER
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReadAnyoneWriteWithPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Reads for everyone; writes need the model permission (the "editor" group has them)."""


def is_editor(request) -> bool:
    return request.user.is_authenticated and request.user.has_perm("timeline.change_event")


status_parameter = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=STATUS_CHOICES,
    description="Editors only: `draft`, `scheduled` or `all` events instead of the public ones (the default).",
)


@extend_schema_view(list=extend_schema(parameters=[status_parameter]))
class EventViewSet(SafeWritesMixin, viewsets.ModelViewSet):
    """Events. Look one up by its id (UUID) or its slug."""

    serializer_class = EventSerializer
    permission_classes = [ReadAnyoneWriteWithPermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter
    pagination_class = TimelinePagination
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Event]:
        # Evaluated per request: "public" depends on the time of the request.
        status = self.request.query_params.get("status", "public") if self.action == "list" else None
        if status is None:
            # One event: editors reach any of theirs, everyone else the public ones.
            events = Event.objects.all() if is_editor(self.request) else Event.objects.public()
        elif status == "public":
            events = Event.objects.public()
        elif status not in STATUS_CHOICES:
            raise ValidationError(
                {"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(STATUS_CHOICES)}]}
            )
        elif not self.request.user.is_authenticated:
            raise NotAuthenticated(_("Log in or send an editor's token to list unpublished events."))
        elif not is_editor(self.request):
            raise PermissionDenied(_("Only editors may list unpublished events."))
        elif status == "draft":
            events = Event.objects.filter(status=Event.Status.DRAFT)
        elif status == "scheduled":
            events = Event.objects.filter(status=Event.Status.PUBLISHED, publish_at__gt=timezone.now())
        else:
            events = Event.objects.all()
        # The search text is large and never shown: keep it out of every read.
        return (
            events.select_related("series")
            .prefetch_related("topics", "participants", "sources")
            .defer("search_document")
        )

    def list(self, request, *args, **kwargs):
        if request.user.is_authenticated or request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)

        # The public list in JSON is the same for every reader of one address: cached per content
        # version like the pages (timeline/cache.py), and per negotiated media type.
        def build():
            response = super(EventViewSet, self).list(request, *args, **kwargs)
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            return response.render()

        return cached_response(request, build, request.accepted_media_type)

    def perform_destroy(self, event: Event) -> None:
        revisions.record_deletion(event, self.request.user)
        event.delete()

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def get_object(self) -> Event:
        key = self.kwargs["key"]
        try:
            lookup = {"public_id": uuid.UUID(key)}
        except ValueError:
            lookup = {"slug": key}
        event = self.get_queryset().filter(**lookup).first()
        if event is None:
            raise Http404
        self.check_object_permissions(self.request, event)
        # Checked here, on the one lookup an update makes, rather than with a second one.
        expected = self.request.headers.get("If-Match") if self.request.method in ("PUT", "PATCH") else None
        if expected and expected.strip() not in ("*", f'"{event.version}"'):
            raise PreconditionFailed(_("The event was changed since the version in If-Match; fetch it again."))
        return event


class BySlugViewSet(SafeWritesMixin, viewsets.ModelViewSet):
    """A small list looked up by slug: topics and series."""

    permission_classes = [ReadAnyoneWriteWithPermission]
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # anything else is a JSON 404 from the API, not an HTML page
    pagination_class = None


class TopicViewSet(BySlugViewSet):
    """Topics, by slug."""

    queryset = Topic.objects.all()
    serializer_class = TopicSerializer


class SeriesViewSet(BySlugViewSet):
    """Series of events, by slug."""

    queryset = Series.objects.all()
    serializer_class = SeriesSerializer

    def perform_destroy(self, series: Series) -> None:
        try:
            series.delete()
        except ProtectedError as error:
            raise Conflict(_("Events still belong to this series; move or delete them first.")) from error
