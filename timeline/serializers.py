"""The API's representation of the records, and its one way to write them.

Writes build model instances and run their `full_clean()`: the admin's validation, not a
second copy. DRF's field mapping only checks types and sizes before that.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.forms.utils import from_current_timezone
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from .dates import means_date
from .languages import LANGUAGES, SOURCE_LANGUAGE, column, text_language
from .models import (
    MAX_TOPICS,
    SLUG_MAX_LENGTH,
    Event,
    Participant,
    Series,
    SourceLink,
    Topic,
    may_change,
    too_many_topics,
)
from .roles import publisher_only_fields, publisher_only_fields_refused
from .structured_data import absolute_url
from .text import clean_text


def model_errors(error: DjangoValidationError) -> dict | list:
    """A model's ValidationError in DRF's shape: {field: [messages]} or [messages]."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else api_name(field)): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


class StaleVersion(APIException):
    """409: the change was based on an older version of the event."""

    status_code = 409
    default_code = "stale"

    def __init__(self, current_version: int):
        super().__init__(_("The event was changed since the version you based this on; fetch it again."))
        # The current version as a number, so a client can retry against it.
        self.detail = {"detail": self.detail, "version": current_version}


# Model field -> API field, where they differ.
API_NAMES = {"place": "location", "public_id": "id"}
# The texts written in German (the source) and optionally translated, by model field
# (timeline/translation.py registers their columns).
TRANSLATED_FIELDS = ("title", "summary", "body", "place", "change_note", "name", "description")
# The languages a text may be translated into: English.
TRANSLATIONS = tuple(language for language in LANGUAGES if language != SOURCE_LANGUAGE)
ENGLISH = "en"


def api_name(field: str) -> str:
    """The API's name for a model field or language column: `place` is `location`, `place_en`
    `location_en`, and `title_de` plain `title` (German is written through the plain name)."""
    base, _sep, language = field.rpartition("_")
    if base in TRANSLATED_FIELDS and language in LANGUAGES:
        name = API_NAMES.get(base, base)
        return name if language == SOURCE_LANGUAGE else column(name, language)
    return API_NAMES.get(field, field)


class KnownFieldsOnly:
    """Refuse a write that names a field the representation does not have, naming it, instead
    of ignoring it (a misspelt or invented field would otherwise be lost without a word).
    Read-only fields may be sent back as they were read: they are known, and not written."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class SlugField(serializers.SlugRelatedField):
    """A topic or series named by its slug, or by a slug it had before (EventGrouping), as a
    record exported before a change of slug names it. A value no slug can be (NUL, which
    PostgreSQL cannot even compare, or more than a slug's length) names nothing: refused as an
    unknown slug, without asking the database."""

    def to_internal_value(self, data):
        if isinstance(data, str) and ("\x00" in data or len(data) > SLUG_MAX_LENGTH):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "")[:80])
        try:
            return super().to_internal_value(data)
        except ValidationError:
            moved = self.get_queryset().filter(former_slugs__slug=data).first() if isinstance(data, str) else None
            if moved is None:
                raise
            return moved


class LocalDateTimeField(serializers.DateTimeField):
    """A date and time; one without an offset is read in the site's time zone and refused if it
    does not exist there or is ambiguous (a clock change), with the admin's message
    (django.forms.utils.from_current_timezone), instead of being moved an hour."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            try:
                value = from_current_timezone(value)
            except DjangoValidationError as error:
                raise ValidationError(error.messages) from error
        return super().enforce_timezone(value)


def english_field(model, field: str, name: str | None = None) -> serializers.CharField:
    """The API field for `field`'s English text (`title_en`; `location_en` for `place`, whose API
    name is `name`), as the editor wrote it: null where there is none; writing "" or null removes
    it. The model checks the rest (its length, its links) as for the German."""
    name = name or field
    # DRF refuses a source equal to the field's name, as saying nothing.
    source = {"source": column(field, ENGLISH)} if name != field else {}
    return serializers.CharField(
        **source,
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=model._meta.get_field(column(field, ENGLISH)).max_length,
        help_text=f"`{name}` in English as written, null where there is none (`{name}` then shows the German). "
        'Writable in any request language; "" or null removes it.',
    )


class TextLanguagesField(serializers.Field):
    """Which language each translated text of a record is shown in for this request: `{"title":
    "en", "body": "de"}` where the English title exists and the body has only its German. Read-only;
    the texts are its serializer's `translated` (API name -> model field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "The language each text is shown in: `en` where the English exists and English was asked "
            "for, else `de` (the German source text, also where no English exists); null where the "
            "record has no such text in any language.",
        )
        super().__init__(read_only=True, source="*", **kwargs)

    def bind(self, field_name: str, parent) -> None:
        super().bind(field_name, parent)
        names = list(parent.translated)
        language = {"type": "string", "enum": list(LANGUAGES), "nullable": True}
        extend_schema_field(
            {"type": "object", "properties": dict.fromkeys(names, language), "required": names},
        )(self)

    def to_representation(self, instance) -> dict[str, str | None]:
        return {
            name: text_language(instance, field) if getattr(instance, field) else None
            for name, field in self.parent.translated.items()
        }


def content_language(request) -> str:
    """The language of a write request's texts: its `Content-Language` (RFC 9110, section 8.5;
    the first tag's primary language: "de-DE" is German), else the language it is answered in."""
    declared = request.headers.get("Content-Language", "").split(",")[0].strip()
    if declared:
        return declared.split("-")[0].lower()
    return translation.get_language() or SOURCE_LANGUAGE


class TranslatedTexts:
    """A serializer of a record whose texts exist in German, the source, and in English (`translated`:
    API name -> model field).

    Read: the plain field (`title`) in the request's language, the German where no English exists;
    `languages` says which each is in; `title_en` the English as written (null where there is none).
    Write: `title_en` writes the English in any request. The plain `title` writes the German, on a
    request whose content is German: one saying `Content-Language: de` (RFC 9110, section 8.5),
    else one in German (`?lang=`, `Accept-Language`). Otherwise it is refused, as what it means is
    ambiguous there (a record read in English and put back would write the English, or the German
    it fell back to, over the German). An import file or a revision has no request language: its
    plain fields are the German, as export_events writes them.
    """

    translated: dict[str, str] = {}

    def request_language(self) -> str:
        """The language the request's plain fields are in (`content_language`); the source
        language without a request."""
        request = self.context.get("request")
        return SOURCE_LANGUAGE if request is None else content_language(request)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if self.request_language() != SOURCE_LANGUAGE:
            # Refused when sent (to_internal_value), so not required either: an English PUT
            # leaves the German as it is.
            for name in self.translated:
                fields[name].required = False
        return fields

    def to_internal_value(self, data):
        language = self.request_language()
        if isinstance(data, Mapping) and language != SOURCE_LANGUAGE:
            sent = [name for name in self.translated if name in data]
            if sent:
                raise ValidationError({name: [plain_text_refused(name, language)] for name in sent})
        if isinstance(data, Mapping) and isinstance(data.get("languages"), Mapping):
            # A representation sent back as read: its plain texts are in the languages it says.
            read_in = data["languages"]
            other = [name for name in self.translated if name in data and read_in.get(name) not in (None, language)]
            if other:
                raise ValidationError({name: [read_in_another_language(name, read_in[name])] for name in other})
        values = super().to_internal_value(data)
        # Each text into its language's column, named explicitly: the plain field would write the
        # active language's (timeline/translation.py).
        for field in self.translated.values():
            if field in values:
                values[column(field, SOURCE_LANGUAGE)] = values.pop(field)
            for translated in TRANSLATIONS:
                if column(field, translated) in values:
                    values[column(field, translated)] = values[column(field, translated)] or None
        return values


def read_in_another_language(name: str, language) -> str:
    """The message refusing a plain text field `name` sent back as read in `language` (its
    `languages` entry) to a request whose texts are German."""
    return _(
        "“%(name)s” was read in “%(language)s” (see “languages”) and would be written as the German "
        "source text: send the translation as “%(translated)s”, or the German text."
    ) % {"name": name, "language": str(language)[:20], "translated": column(name, TRANSLATIONS[0])}


def plain_text_refused(name: str, language: str) -> str:
    """The message refusing the plain text field `name` on a write request in `language`."""
    return _(
        "“%(name)s” holds the German source text, which a request in another language does not "
        "write: send the translation as “%(translated)s”, or the German text with "
        "“Content-Language: %(source)s” or ?lang=%(source)s."
    ) % {"name": name, "translated": column(name, TRANSLATIONS[0]), "source": SOURCE_LANGUAGE}


class TopicSerializer(KnownFieldsOnly, TranslatedTexts, serializers.ModelSerializer):
    """A topic: its slug, and its name in German and English."""

    translated = {"name": "name"}
    languages = TextLanguagesField()
    name_en = english_field(Topic, "name")

    class Meta:
        model = Topic
        fields = ["slug", "languages", "name", "name_en"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}  # the model names a clash

    def validate(self, attrs):
        return validate_with_model(self.instance or Topic(), attrs)


class SeriesSerializer(KnownFieldsOnly, TranslatedTexts, serializers.ModelSerializer):
    """A series: its slug, and its name and description in German and English."""

    translated = {"name": "name", "description": "description"}
    languages = TextLanguagesField()
    name_en = english_field(Series, "name")
    description_en = english_field(Series, "description")

    class Meta:
        model = Series
        fields = ["slug", "languages", "name", "name_en", "description", "description_en"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}  # the model names a clash

    def validate(self, attrs):
        return validate_with_model(self.instance or Series(), attrs)


def same_value(sent, stored) -> bool:
    """Whether a value sent is the one stored: a text as the model stores it (clean_text), so
    that "" and None, or a trailing space, are no change."""
    if isinstance(sent, str) or isinstance(stored, str):
        return clean_text(sent) == clean_text(stored)
    return sent == stored


def validate_with_model(instance, attrs: dict) -> dict:
    """Run the model's own validation on `instance` with `attrs` applied; raise it in DRF's shape.

    A missing slug is left to the model, which makes one from the name on save. A translated text
    is checked in its language columns (`title_de`, `title_en`), not in the plain field beside them,
    which reads whichever language is active.
    """
    for name, value in attrs.items():
        setattr(instance, name, value)
    exclude = [name for name in TRANSLATED_FIELDS if hasattr(instance, column(name, SOURCE_LANGUAGE))]
    if not instance.slug:
        exclude.append("slug")
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as error:
        raise ValidationError(model_errors(error)) from error
    return attrs


class ParticipantSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    # A plain code in and out; the model field checks it is a country.
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)

    class Meta:
        model = Participant
        fields = ["name", "original_name", "original_language", "role", "organisation", "country"]

    def validate_country(self, value: str) -> str:
        return value.strip().upper()

    def validate(self, attrs):
        # The model's rules across fields (an original name goes with its language), with its
        # messages; the event is not known yet, so it is left out of the check.
        instance = Participant(**attrs)
        try:
            instance.clean()
        except DjangoValidationError as error:
            raise ValidationError(model_errors(error)) from error
        return attrs


class SourceSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    # Checked by the model's validator (http and https only), with the admin's message.
    url = serializers.CharField(max_length=500)

    class Meta:
        model = SourceLink
        fields = ["url", "title", "publisher"]


class EventSerializer(KnownFieldsOnly, TranslatedTexts, serializers.ModelSerializer):
    """An event as integrators see it; editors may also write it.

    `id` is given by the service (the importer and restoring a revision alone may write one, with
    the context {"importing": True}); countries keep the order they are given in; at most MAX_TOPICS topics.
    """

    translated = {
        "title": "title",
        "summary": "summary",
        "body": "body",
        "location": "place",
        "change_note": "change_note",
    }
    id = serializers.UUIDField(source="public_id", required=False)
    languages = TextLanguagesField()
    title_en = english_field(Event, "title")
    summary_en = english_field(Event, "summary")
    body_en = english_field(Event, "body")
    location_en = english_field(Event, "place", "location")
    change_note_en = english_field(Event, "change_note")
    publish_at = LocalDateTimeField(required=False, allow_null=True)
    url = serializers.SerializerMethodField()
    date_display = serializers.SerializerMethodField()
    location = serializers.CharField(source="place", required=False, allow_blank=True, max_length=200)
    countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False, max_length=50)
    participants = ParticipantSerializer(many=True, required=False, max_length=100)
    topics = SlugField(
        many=True,
        slug_field="slug",
        queryset=Topic.objects.all(),
        required=False,
        help_text=f"Topic slugs, at most {MAX_TOPICS}.",
    )
    series = SlugField(slug_field="slug", queryset=Series.objects.all(), required=False, allow_null=True)
    sources = SourceSerializer(many=True, required=False, max_length=100)

    class Meta:
        model = Event
        fields = [
            "id",
            "slug",
            "url",
            "languages",
            "title",
            "title_en",
            "kind",
            "date",
            "date_entered",
            "date_display",
            "date_start",
            "date_end",
            "location",
            "location_en",
            "countries",
            "participants",
            "topics",
            "series",
            "summary",
            "summary_en",
            "body",
            "body_en",
            "sources",
            "status",
            "publish_at",
            "first_published_at",
            "updated_at",
            "change_note",
            "change_note_en",
            "withdrawn_at",
            "withdrawal_reason",
            "version",
            "import_ref",
        ]
        read_only_fields = ["date_start", "date_end", "first_published_at", "updated_at", "withdrawn_at"]
        extra_kwargs = {
            "date_entered": {
                "help_text": 'How `date` was last written when that was not EDTF ("KW 12 2025"), else empty. '
                "Set by writing such a form into `date`."
            },
            # Checked by the model (Event.validate_unique), which names the event that has it.
            "slug": {"required": False, "allow_blank": True, "validators": []},
            "import_ref": {"required": False},
            "version": {
                "required": False,
                "help_text": "The version the change is based on; an older one than stored is refused with 409.",
            },
        }

    def get_url(self, event: Event) -> str:
        return absolute_url(event.get_absolute_url())

    def get_date_display(self, event: Event) -> str:
        return event.date_display()

    def to_representation(self, event: Event) -> dict:
        data = super().to_representation(event)
        data["countries"] = [country.code for country in event.countries]
        request = self.context.get("request")
        editor = request is not None and request.user.has_perm("timeline.change_event")
        if not (editor or self.context.get("include_internal")):
            data.pop("import_ref")  # internal: where the record came from
        return data

    def validate(self, attrs: dict) -> dict:
        """Build the event as it would be saved and let the model validate it, nested rows too."""
        if "countries" in attrs:
            attrs["countries"] = [code.strip().upper() for code in attrs["countries"]]
        nested = {name: attrs.pop(name) for name in ("participants", "sources", "topics") if name in attrs}
        event = self.instance or Event()
        if self.instance is not None and attrs.get("public_id", event.public_id) != event.public_id:
            raise ValidationError({"id": [_("An event's id never changes.")]})
        if self.instance is None and "public_id" in attrs and not self.context.get("importing"):
            raise ValidationError({"id": [_("The service gives a new event its id; leave id out.")]})
        topics = nested.get("topics", ())
        if len(topics) > MAX_TOPICS:
            raise ValidationError({"topics": [too_many_topics()]})
        if len(set(topics)) < len(topics):
            raise ValidationError({"topics": [_("Each topic once, please.")]})
        request = self.context.get("request")
        if request is not None and not may_change(request.user, event, attrs.get("status")):
            raise PermissionDenied(
                _("Only publishers may publish, schedule, withdraw or change published events; "
                  "submit the event for review instead.")
            )  # fmt: skip
        # What the admin shows the same user read-only, sent other than stored (a representation
        # sent back as read passes).
        changed = [
            api_name(name)
            for name in publisher_only_fields(request.user if request is not None else None)
            if name in attrs and not same_value(attrs[name], getattr(event, name))
        ]
        if changed:
            raise PermissionDenied(publisher_only_fields_refused(changed))
        expected = attrs.pop("version", None)
        if self.instance is not None and expected is not None and expected != event.version:
            raise StaleVersion(event.version)
        if self.instance is None and "date" not in attrs:
            raise ValidationError({"date": [serializers.Field.default_error_messages["required"]]})
        if "date" in attrs and self.context.get("importing"):
            # An export or a revision carries the wording beside the EDTF: restore it when it
            # still means that date (the model keeps it from what `date` is given as).
            entered = str(self.initial_data.get("date_entered") or "")
            if entered and means_date(entered, str(attrs["date"])):
                attrs["date"] = entered
        validate_with_model(event, attrs)
        attrs["date"] = event.date  # normalised to EDTF by the model field ("Ende 2024" -> "2024-36")
        attrs["date_entered"] = event.date_entered  # and how it was written ("Ende 2024")
        errors = {}
        for name, model in (("participants", Participant), ("sources", SourceLink)):
            row_errors = []
            for row in nested.get(name, []):
                try:
                    model(**row).full_clean(exclude=["event"])
                    row_errors.append({})
                except DjangoValidationError as error:
                    row_errors.append(model_errors(error))
            if any(row_errors):
                errors[name] = row_errors
        if errors:
            raise ValidationError(errors)
        return {**attrs, **nested}

    @transaction.atomic
    def create(self, validated: dict) -> Event:
        return self._save(Event(), validated)

    @transaction.atomic
    def update(self, event: Event, validated: dict) -> Event:
        return self._save(event, validated)

    def _save(self, event: Event, validated: dict) -> Event:
        participants = validated.pop("participants", None)
        sources = validated.pop("sources", None)
        topics = validated.pop("topics", None)
        for name, value in validated.items():
            setattr(event, name, value)
        event.save()
        if topics is not None:
            event.topics.set(topics)
        # Nested lists replace what was there when given (PUT always, PATCH when present).
        # save() one by one: it cleans the text and tells the caches, as in the admin.
        if participants is not None:
            event.participants.all().delete()
            for position, row in enumerate(participants):
                Participant(event=event, position=position, **row).save()
        if sources is not None:
            event.sources.all().delete()
            for position, row in enumerate(sources):
                SourceLink(event=event, position=position, **row).save()
        return event
