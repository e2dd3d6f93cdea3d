"""The REST API: public read, editor write, over the same records, filter and validation."""

from __future__ import annotations

import base64
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import parse_etags
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, views, viewsets
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from . import revisions
from .cache import cached_response
from .filters import EventFilter
from .languages import LANGUAGES, SOURCE_LANGUAGE
from .models import SEARCH_DOCUMENTS, TIMELINE_ORDER, Event, Series, StaleEvent, Topic, may_preview
from .pagination import Position, paginate
from .roles import grouping_for_publishers, may_change_grouping
from .serializers import EventSerializer, SeriesSerializer, StaleVersion, TopicSerializer, content_language

STATUS_CHOICES = ("public", "draft", "scheduled", "all")
STALE_IF_MATCH = _("The event was changed since the version in If-Match; fetch it again.")
OTHER_LANGUAGE_IF_MATCH = _(
    "The ETag in If-Match is that of the event in another language than the texts sent; send the "
    "ETag of the event read in their language (German: without ?lang=en)."
)


def exception_handler(exc, context):
    """DRF's answer to an error (REST_FRAMEWORK["EXCEPTION_HANDLER"]), but every 404 says "not
    found" in the reader's language: Django's get_object_or_404, which DRF's lookups use, words
    its message in English with the model's class name ("No Topic matches the given query.")."""
    if isinstance(exc, Http404):
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Moved):
        response["Location"] = exc.location
    return response


def view_name(view) -> str:
    """A view's name in the reader's language (REST_FRAMEWORK["VIEW_NAME_FUNCTION"], shown by
    OPTIONS and the browsable API): its model's verbose name, plural for a list ("Termine")."""
    serializer = getattr(view, "serializer_class", None)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    suffix = getattr(view, "suffix", None)
    if model is not None and suffix in ("List", "Instance"):
        return capfirst(model._meta.verbose_name_plural if suffix == "List" else model._meta.verbose_name)
    return views.get_view_name(view)


def view_description(view, html: bool = False) -> str:
    """A view's description in the reader's language (REST_FRAMEWORK["VIEW_DESCRIPTION_FUNCTION"]):
    its `reader_description`, else DRF's (the docstring). DRF's `description` attribute cannot carry
    it: ViewSetMixin.as_view resets it."""
    text = getattr(view, "reader_description", None)
    return views.get_view_description(view, html) if text is None else str(text)


class Moved(APIException):
    """A topic or series asked for by a former slug (EventGrouping): it is at `location` now. 301
    for a read; 308 for a change, which keeps its method and body (RFC 9110, section 15.4.9)."""

    default_code = "moved"

    def __init__(self, request, location: str):
        self.status_code = 301 if request.method in permissions.SAFE_METHODS else 308
        self.location = location
        super().__init__(_("This has a new address: %(location)s") % {"location": location})


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = 412
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    """428 (RFC 6585, section 3): a change to an existing event must say which version it is based on."""

    status_code = 428
    default_code = "precondition_required"
    default_detail = _(
        "Say which version of the event this change is based on: send its ETag in If-Match or its version in the body."
    )


def if_match_passes(header: str, current_etag: str) -> bool:
    """Whether an If-Match header admits a resource whose strong ETag is `current_etag`: "*",
    or a list holding that tag, compared strongly (RFC 9110, sections 13.1.1 and 8.8.3.2; a weak
    tag never matches). An unreadable header matches nothing."""
    tags = parse_etags(header)
    return tags == ["*"] or current_etag in tags


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
                _(
                    "This change conflicts with one saved meanwhile (a value that must be unique, or a record "
                    "it refers to); reload and try again."
                )
            ) from error
        except StaleEvent as error:
            # A colleague's change committed between this request's read and its write.
            raise stale(self.request, error) from error


class TimelinePagination(CursorPagination):
    """Cursor pages in the timeline's order, keyed on its unique position (date bounds and id,
    timeline/pagination.py): as fast on the last page as on the first, and walking back shows
    exactly the pages walking forward showed.

    A cursor is the base64 of "a" (events after) or "b" (events before) and a position; one
    that does not decode to that is answered 404 (DRF's "Invalid cursor").
    """

    ordering = TIMELINE_ORDER
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.base_url = request, request.build_absolute_uri()
        direction, position = self.decode_cursor(request) or ("a", None)
        if direction == "b":
            self.page = paginate(queryset, before=position, size=self.get_page_size(request))
        else:
            self.page = paginate(queryset, after=position, size=self.get_page_size(request))
        return self.page.events

    def decode_cursor(self, request) -> tuple[str, Position] | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            direction, _, token = base64.urlsafe_b64decode(encoded.encode("ascii")).decode("ascii").partition(":")
            if direction not in ("a", "b"):
                raise ValueError(direction)
            return direction, Position.parse(token)
        except (ValueError, DjangoValidationError) as error:  # binascii.Error is a ValueError
            raise NotFound(self.invalid_cursor_message) from error

    def encode_cursor(self, direction: str, position: Position) -> str:
        encoded = base64.urlsafe_b64encode(f"{direction}:{position.token()}".encode()).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        return self.encode_cursor("a", self.page.older) if self.page.older else None

    def get_previous_link(self) -> str | None:
        return self.encode_cursor("b", self.page.newer) if self.page.newer else None


class ReadAnyoneWriteWithPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Reads for everyone; writes need the model permission (the "editor" group has them)."""


def stale(request, error: StaleEvent) -> APIException:
    """The answer to a change that lost a race: 404 if the event was deleted meanwhile, else 412
    with If-Match or 409 with the current version."""
    if error.current_version is None:
        return NotFound(_("The event was deleted meanwhile."))
    if "If-Match" in request.headers:
        return PreconditionFailed(STALE_IF_MATCH)
    return StaleVersion(error.current_version)


def has_version(data) -> bool:
    """Whether a write's body names the version it is based on."""
    return isinstance(data, dict) and data.get("version") not in (None, "")


status_parameter = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=STATUS_CHOICES,
    description="Editors only: `draft`, `scheduled` or `all` events instead of the public ones (the default).",
)


# RFC 9110, section 13.1.1; a change needs it or `version` in the body (428 without either).
if_match_parameter = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The event's ETag as last read (or `*`); a change to a newer version is refused with 412.",
)
changes = extend_schema(parameters=[if_match_parameter])


@extend_schema_view(
    list=extend_schema(parameters=[status_parameter]), update=changes, partial_update=changes, destroy=changes
)
class EventViewSet(SafeWritesMixin, viewsets.ModelViewSet):
    """Events. Look one up by its id (UUID) or its slug."""

    reader_description = _("Events. Look one up by its id (UUID) or its slug.")  # see view_description

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
            events = Event.objects.all() if may_preview(self.request.user) else Event.objects.public()
        elif status == "public":
            events = Event.objects.public()
        elif status not in STATUS_CHOICES:
            raise ValidationError(
                {"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(STATUS_CHOICES)}]}
            )
        elif not self.request.user.is_authenticated:
            raise NotAuthenticated(_("Log in or send an editor's token to list unpublished events."))
        elif not may_preview(self.request.user):
            raise PermissionDenied(_("Only editors may list unpublished events."))
        elif status == "draft":
            events = Event.objects.filter(status=Event.Status.DRAFT)
        elif status == "scheduled":
            events = Event.objects.filter(status=Event.Status.PUBLISHED, publish_at__gt=timezone.now())
        else:
            events = Event.objects.all()
        events = events.select_related("series").prefetch_related("topics", "participants", "sources")
        if self.request.method not in permissions.SAFE_METHODS:
            # A change reads, checks its precondition and writes under the row's lock (update()
            # and destroy() run in a transaction), so no colleague's change lands in between.
            # Not deferred: validation reads every field.
            return events.select_for_update(of=("self",))
        return events.defer(*SEARCH_DOCUMENTS)  # large and never shown: kept out of every read

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
        revisions.delete(Event.objects.filter(pk=event.pk), self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return with_etag(super().retrieve(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                response = super().update(request, *args, **kwargs)
        except StaleEvent as error:  # a save outside the API (the admin) won the race
            raise stale(request, error) from error
        return with_etag(response)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

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
        # Checked here, on the one lookup a change makes, rather than with a second one.
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            expected = self.request.headers.get("If-Match")
            # A change replaces the representation in the language of the texts it sends: an
            # English read's ETag does not admit German texts (nor the reverse). A deletion removes
            # every representation: the ETag of any one of the current version admits it.
            this_version = {event_etag(event.version, language) for language in LANGUAGES}
            admitted = (
                this_version
                if self.request.method == "DELETE"
                else {event_etag(event.version, content_language(self.request))}
            )
            if expected is not None and not any(if_match_passes(expected, etag) for etag in admitted):
                in_other_language = this_version.intersection(parse_etags(expected))
                raise PreconditionFailed(OTHER_LANGUAGE_IF_MATCH if in_other_language else STALE_IF_MATCH)
            if expected is None and self.request.method != "DELETE" and not has_version(self.request.data):
                raise PreconditionRequired
        return event


def event_etag(version: int, language: str | None = None) -> str:
    """The strong ETag of an event's representation at `version` in `language` (the answer's
    unless given): `"7"` in German, `"7-en"` in English. Each representation has its own
    (RFC 9110, section 8.8.3), so a record read in English and put back as German fails its
    If-Match instead of writing the English over the German."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    return f'"{version}"' if language == SOURCE_LANGUAGE else f'"{version}-{language}"'


def with_etag(response):
    """The response for one event, with the ETag of its representation to send in If-Match."""
    if response.status_code == 200:
        response["ETag"] = event_etag(response.data["version"])
    return response


class PublicGroupingForPublishers(permissions.BasePermission):
    """A topic or series that published events use (public or scheduled) is changed (or deleted)
    by publishers only (roles.may_change_grouping, which the admin follows too); 403 naming the
    rule for anyone else."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or may_change_grouping(request.user, obj):
            return True
        self.message = grouping_for_publishers(obj)  # DRF's 403 detail; one instance per request
        return False


class BySlugViewSet(SafeWritesMixin, viewsets.ModelViewSet):
    """A small list looked up by slug: topics and series. A former slug leads to the current one.

    The public reads those public events use; one that only unpublished events use is 404 to it.
    Whoever may view the model (editors and publishers) reads them all (`visible_to`).
    """

    permission_classes = [ReadAnyoneWriteWithPermission, PublicGroupingForPublishers]
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # anything else is a JSON 404 from the API, not an HTML page
    pagination_class = None

    def get_queryset(self) -> QuerySet[Topic | Series]:
        # Evaluated per request: what is public depends on the time of the request.
        return self.serializer_class.Meta.model.objects.visible_to(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            moved = self.get_queryset().filter(former_slugs__slug=self.kwargs["slug"]).first()
            if moved is None:
                raise
            location = reverse(f"api:{self.basename}-detail", kwargs={"slug": moved.slug})
            query = self.request.META.get("QUERY_STRING")
            raise Moved(self.request, f"{location}?{query}" if query else location) from None


class TopicViewSet(BySlugViewSet):
    """Topics, by slug."""

    reader_description = _("Topics, by slug.")

    serializer_class = TopicSerializer


class SeriesViewSet(BySlugViewSet):
    """Series of events, by slug."""

    reader_description = _("Series of events, by slug.")

    serializer_class = SeriesSerializer

    def perform_destroy(self, series: Series) -> None:
        try:
            series.delete()
        except ProtectedError as error:
            raise Conflict(_("Events still belong to this series; move or delete them first.")) from error
