"""Revisions: record every saved state of an event, compare two, restore one, recover a deleted one."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Field, QuerySet
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from modeltranslation.translator import translator

from .languages import LANGUAGES, SOURCE_LANGUAGE, column
from .models import Event, Revision

# Fields that change on every save or are derived; a difference in them is not a change to show.
# `date_entered` is only the wording of `date` (a change of the date shows there).
# `languages` (where the representation has it) says which language each text is shown in: it
# follows from the texts, whose own differences show.
NOT_COMPARED = {
    "version", "updated_at", "date_display", "date_entered", "date_start", "date_end", "url", "languages",
}  # fmt: skip


def action_for(before: str | None, after: str) -> str:
    """Name what a save did to the workflow state."""
    if before is None:
        return Revision.Action.CREATED
    if before == after:
        return Revision.Action.EDITED
    return {
        Event.Status.IN_REVIEW: Revision.Action.SUBMITTED,
        Event.Status.PUBLISHED: Revision.Action.PUBLISHED,
        Event.Status.WITHDRAWN: Revision.Action.WITHDRAWN,
        Event.Status.DRAFT: Revision.Action.UNPUBLISHED,
    }[after]


def translated_fields() -> list[str]:
    """The event's fields kept in each language (timeline/translation.py): ["title", "summary", …]."""
    return list(translator.get_options_for_model(Event).fields)


def other_language_columns() -> dict[str, str]:
    """{key in a revision: model column} for the texts in the languages besides German, named as
    the record names the field, with the language after it: {"title_en": "title_en",
    "location_en": "place_en", …}. The German texts are the record's own fields ("title")."""
    from .serializers import API_NAMES

    return {
        column(API_NAMES.get(field, field), language): column(field, language)
        for field in translated_fields()
        for language in LANGUAGES
        if language != SOURCE_LANGUAGE
    }


def snapshot(event: Event) -> dict:
    """The whole record, as export_events writes it, in German, whoever saved it in which
    language, with the English texts beside it (`title_en`, …; None where there is none), so that
    an English edit is a difference like any other and is restored with the rest."""
    from .serializers import EventSerializer

    fresh = Event.objects.prefetch_related("topics", "participants", "sources").get(pk=event.pk)
    with translation.override(SOURCE_LANGUAGE):
        return dict(EventSerializer(fresh, context={"include_internal": True}).data)


def record(event: Event, user, action: str) -> Revision:
    """Keep the event's current state as a revision."""
    data = snapshot(event)
    return Revision.objects.create(
        event=event,
        event_public_id=event.public_id,
        title=(event.title_de or "")[:300],  # the list of revisions names each event alike
        version=event.version,
        action=action,
        status=event.status,
        user=user if getattr(user, "is_authenticated", False) else None,
        data=data,
    )


@transaction.atomic
def delete(events: QuerySet[Event], user) -> int:
    """Delete `events`, each kept as a revision first, so it can be recovered; the number deleted.

    The rows are locked first: a colleague's save in flight either commits before (its revision
    is then kept and unlinked like the others) or finds the event gone (StaleEvent); never a
    revision that points at a deleted event (which PostgreSQL refuses at commit).
    """
    # By key: a list's queryset may join the series, whose nullable side cannot be locked.
    locked = list(Event.objects.filter(pk__in=list(events.values_list("pk", flat=True))).select_for_update())
    for event in locked:
        record(event, user, Revision.Action.DELETED)
    return Event.objects.filter(pk__in=[event.pk for event in locked]).delete()[1].get(Event._meta.label, 0)


def differences(older: dict, newer: dict) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field that differs between two snapshots."""
    names = [name for name in newer if name not in NOT_COMPARED]
    return [(name, older.get(name), newer.get(name)) for name in names if older.get(name) != newer.get(name)]


def readable_differences(older: dict, newer: dict) -> list[tuple[str, str, str]]:
    """`differences` as editors read them: each field by its name in the admin ("Ort" for the
    record's "location"), choices by their label ("veröffentlicht"), lists joined, one
    participant or source after another."""
    from .serializers import EventSerializer

    fields = EventSerializer().fields
    other_languages = other_language_columns()
    translated = translated_fields()
    rows = []
    for name, before, after in differences(older, newer):
        source = other_languages.get(name) or (fields[name].source if name in fields else name)
        if source in translated:
            # The record's own text is the German one: named "Titel (Deutsch)" beside the
            # English "Titel (Englisch)".
            source = column(source, SOURCE_LANGUAGE)
        field = _model_field(source)
        if field is None:
            label = name
        elif field.auto_created and not field.concrete:  # the rows of an inline: participants, sources
            label = capfirst(field.related_model._meta.verbose_name_plural)
        else:
            label = capfirst(field.verbose_name)
        rows.append((str(label), _readable(field, before), _readable(field, after)))
    return rows


def _model_field(name: str) -> Field | None:
    try:
        return Event._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _readable(field: Field | None, value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # countries and topics by comma, participants and sources by semicolon
        return ("; " if any(isinstance(item, dict) for item in value) else ", ").join(
            _readable(None, item) for item in value
        )
    if isinstance(value, dict):
        return ", ".join(str(item) for item in value.values() if item not in (None, ""))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@transaction.atomic
def restore(revision: Revision, user) -> Event:
    """Make the event look as it did in `revision` (recreating it if deleted), through validation."""
    from rest_framework.exceptions import ValidationError

    from .serializers import EventSerializer

    # The English texts (`title_en`, …) are fields of the record's representation, written and
    # checked with the rest; a revision from before they existed leaves the English as it is.
    data = {key: value for key, value in revision.data.items() if key not in ("version", "withdrawn_at")}
    event = Event.objects.filter(public_id=revision.event_public_id).first()
    if event is not None:
        data["version"] = event.version  # restoring is a new change on top of the current state
    # The record's own texts are German (snapshot), whatever language the publisher reads.
    with translation.override(SOURCE_LANGUAGE):
        serializer = EventSerializer(event, data=data, context={"importing": True})  # keeps its id
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        event = serializer.save()
    first_published = revision.data.get("first_published_at")
    if first_published and event.first_published_at is None:
        # A recovered event keeps the publication time readers first saw (feeds stay in order).
        Event.objects.filter(pk=event.pk).update(first_published_at=parse_datetime(first_published))
        event.refresh_from_db()
    record(event, user, Revision.Action.RESTORED)
    return event
