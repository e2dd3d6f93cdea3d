"""The editorial admin: where press offices record events."""

import datetime
import uuid
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget, FilteredSelectMultiple
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, QuerySet, When
from django.forms.models import BaseInlineFormSet
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries as all_countries
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_prose_editor.fields import ProseEditorFormField
from rest_framework.authtoken.models import TokenProxy
from rest_framework.exceptions import ValidationError

from . import merging, revisions
from .dates import parse_event_date
from .filters import search
from .languages import LANGUAGES, SOURCE_LANGUAGE, column, text_language
from .merging import INLINE_FIELDS, stored_rows, submitted_rows
from .models import (
    MAX_TOPICS,
    Event,
    Participant,
    PreviewLink,
    Revision,
    Series,
    SourceLink,
    StaleEvent,
    Topic,
    may_change,
    similar_events,
    title_slugs,
    too_many_topics,
)
from .roles import grouping_for_publishers, may_change_grouping, publisher_only_fields
from .templatetags.typography import hyphenate
from .text import BODY_EDITOR_EXTENSIONS, clean_text, sanitize_html

admin.site.site_header = _("Diplomatic events – editorial office")
admin.site.site_title = _("Diplomatic events")
admin.site.index_title = _("Editorial office")

# API tokens and the second step's devices are managed on the account page (timeline/two_step.py,
# admin:account): DRF's token admin shows every key whole, django-otp's device admins speak only
# English and show the apps' secrets.
for model in (TokenProxy, TOTPDevice, StaticDevice):
    admin.site.unregister(model)


MAX_INLINE_ROWS = merging.MAX_ROWS  # participants or sources of one event, as in the API


def translated_field(db_field: models.Field) -> models.Field:
    """The field a language's column translates (`title` for `title_en`, as modeltranslation
    links them); any other field itself."""
    return getattr(db_field, "translated_field", db_field)


def column_language(db_field: models.Field) -> str | None:
    """The language a column holds ("de" for `title_de`), None for a field not translated."""
    return getattr(db_field, "language", None) if db_field is not translated_field(db_field) else None


def each_language(field: str) -> tuple[str, ...]:
    """A translated field's columns, German first: one row of a form, the languages side by side."""
    return tuple(column(field, language) for language in LANGUAGES)


def each_language_columns(*fields: str) -> list[str]:
    """The columns of the given fields in every language, as a flat list."""
    return [name for field in fields for name in each_language(field)]


# Under every column of another language than German: where it is shown, and what readers there
# see while it is empty (modeltranslation's fallback to German, settings.py).
OTHER_LANGUAGE_HELP = _(
    "Optional. Shown on the English pages (/en/…), in their feeds and in the API in English; "
    "where it is empty, the German text is shown there."
)
OTHER_LANGUAGE_NOTE_HELP = _(
    "The German note, translated: shown with the correction on the English pages and feeds. "
    "Write the German note first; changing only this one corrects the translation, not the event."
)


class PlainTextField(forms.CharField):
    """Plain text read as the models store it (text.clean_text: NFC, no invisible characters,
    spaces collapsed, line breaks kept only if `multiline`), so that the form checks the length
    that is stored, and counts the field as changed only when its text changed: not when a browser
    sends a text area's line breaks as CR LF, or a space was typed at the end."""

    # A class attribute, not an argument: modeltranslation makes the form field of a language's
    # column from this class (adding "empty is None"), without the arguments it was given.
    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value, multiline=self.multiline) if value else value


class MultilinePlainTextField(PlainTextField):
    """PlainTextField keeping line breaks, for a TextField."""

    multiline = True


class BodyField(ProseEditorFormField):
    """The body's rich-text field, counted as changed only when the body as stored changed
    (text.sanitize_html, which the model applies on save): not when a browser sends the text
    area's line breaks as CR LF. What is saved is still the HTML sent, checked by the model."""

    def has_changed(self, initial, data):
        return sanitize_html(initial) != sanitize_html(data)


class PlainTextAsStored:
    """Form fields (PlainTextField) that read the models' plain text as their save() and clean()
    store it: every model here cleans a CharField's text onto one line and a TextField's with its
    line breaks (Event.save, Participant.save, SourceLink.save, Topic.clean, Series.clean)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Exactly these classes: a slug, an address, a date or a list of countries is no plain
        # text. A language's column (title_en) is judged by the field it translates (title).
        field = translated_field(db_field)
        if type(field) in (models.CharField, models.TextField) and not field.choices:
            multiline = isinstance(field, models.TextField)
            kwargs.setdefault("form_class", MultilinePlainTextField if multiline else PlainTextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def edited_fields(form: forms.ModelForm, names: Iterable[str]) -> list[models.Field]:
    """The model fields among `names` (a form's changed_data) that the page shows: what an editor
    changes, not the form's bookkeeping (hidden fields: the version, the snapshot; fields that are
    no model field: a confirmation)."""
    fields = []
    for name in names:
        if name not in form.fields or form[name].is_hidden:
            continue
        try:
            fields.append(form.instance._meta.get_field(name))
        except FieldDoesNotExist:
            continue
    return fields


def change_message(form: forms.ModelForm, formsets: list, add: bool) -> list[dict]:
    """What a save changed, for the admin's history, in Django's form of LogEntry.change_message
    (as django.contrib.admin.utils.construct_change_message builds it): the fields an editor changed
    (edited_fields) and the rows added, changed and deleted inline.

    Django stores the message untranslated and translates each name when the history is shown: so
    each field is named by its model's verbose name, the string the catalog translates ("public
    change note"), not by the form's label, which Django capitalises ("Public change note") and
    which no catalog has.
    """
    with translation.override(None):
        message = [{"added": {}}] if add else []
        changed = [str(field.verbose_name) for field in edited_fields(form, form.changed_data)]
        if changed and not add:
            message.append({"changed": {"fields": changed}})
        for formset in formsets:
            for row in formset.new_objects:
                message.append({"added": {"name": str(row._meta.verbose_name), "object": str(row)}})
            for row, names in formset.changed_objects:
                # Every row's form has the same fields.
                fields = [str(field.verbose_name) for field in edited_fields(formset.forms[0], names)]
                entry = {"name": str(row._meta.verbose_name), "object": str(row), "fields": fields}
                message.append({"changed": entry})
            for row in formset.deleted_objects:
                message.append({"deleted": {"name": str(row._meta.verbose_name), "object": str(row)}})
    return message


class EditorialAdmin(PlainTextAsStored, admin.ModelAdmin):
    """A model's admin whose forms read plain text as it is stored and whose history
    ("Geschichte") names what the editor changed, in the editor's language (change_message).

    A translated text is two columns (timeline/translation.py), which the admin's fieldsets put
    side by side on one row (each_language): German, required where the field is, and English,
    optional, each labelled with its language ("Titel (Englisch)", timeline/language_labels.py)
    and marked with it (`lang`, for the browser's spelling check and admin.css's layout)."""

    class Media:
        css = {"all": ["timeline/admin.css"]}  # the languages side by side, and the laptop's width

    def construct_change_message(self, request, form, formsets, add=False):
        return change_message(form, formsets, add)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return self.in_its_language(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    @staticmethod
    def in_its_language(db_field: models.Field, formfield: forms.Field | None) -> forms.Field | None:
        """`formfield` marked with the language of its column, and for a column that translates
        German told where it is shown (OTHER_LANGUAGE_HELP)."""
        language = column_language(db_field)
        if formfield is None or language is None:
            return formfield
        formfield.widget.attrs["lang"] = language
        if language != SOURCE_LANGUAGE:
            note = translated_field(db_field).name == "change_note"
            formfield.help_text = OTHER_LANGUAGE_NOTE_HELP if note else OTHER_LANGUAGE_HELP
        return formfield


class ValidatedAgainOnRace(admin.ModelAdmin):
    """A save that loses a race to a colleague's (two new records with one unique name or
    address, or, for events, two saves of one version) is undone with its transaction and the
    form validated again, which now says what clashes; that second pass does not save."""

    lost_race = (IntegrityError,)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.lost_race:
            return super().changeform_view(request, object_id, form_url, extra_context)


POSITION_MAX = 32767  # the range of a PositiveSmallIntegerField on every database Django supports


class PositionedFormSet(BaseInlineFormSet):
    """Rows saved in the order the form shows them: a row whose position is left empty (a new
    row starts empty) goes after the rows above it; a position typed in is kept."""

    def save(self, commit=True):
        last = -1
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue  # a blank extra row, or one to delete
            position = form.cleaned_data.get("position")
            if position is None:
                position = form.instance.position = min(last + 1, POSITION_MAX)
            last = max(last, position)
        return super().save(commit)


class BoundedInline(PlainTextAsStored, admin.TabularInline):
    """As many rows as the API takes; a form claiming more (its TOTAL_FORMS) is refused with
    Django's message, and at most this many rows are rendered (each with its country list)."""

    extra = 1
    max_num = MAX_INLINE_ROWS
    formset = PositionedFormSet

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, **{"absolute_max": MAX_INLINE_ROWS, **kwargs})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "position":
            # Not the model's default 0, which would put a new row first (PositionedFormSet).
            kwargs.update(required=False, initial=None, help_text=_("Empty: after the rows above."))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ParticipantInline(BoundedInline):
    model = Participant
    fields = ["name", "original_name", "original_language", "role", "organisation", "country", "position"]


class SourceLinkInline(BoundedInline):
    model = SourceLink
    fields = ["url", "title", "publisher", "position"]


class CountryChooser(FilteredSelectMultiple):
    """The two-box chooser, wrapped as Django wraps a relation's (topics): its script puts the
    boxes first in the element around the list, which unwrapped is the one the label is in."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<div class="related-widget-wrapper">{}</div>', super().render(name, value, attrs, renderer))


class CountryListFilter(admin.SimpleListFilter):
    """Events involving one country (events may involve several)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = set()
        for codes in Event.objects.values_list("countries", flat=True).distinct():
            used.update(code for code in codes.split(",") if code)
        return sorted(((code, all_countries.name(code)) for code in used), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        code = self.value()
        if code and code in all_countries:
            # Stored as "DE,JP"; a two-letter code can only match inside one code.
            return queryset.filter(countries__contains=code)
        return queryset


def lacking_translation(fields: Iterable[str]) -> Q:
    """Rows where one of `fields` has German text and no text in another language (English):
    the rows whose English readers are shown some German in its place.

    `> ""` holds for a text, not for an empty one or NULL (no text in that language); the
    condition reads the row's own columns only: no join, one query whatever the rows.
    """
    condition = Q()
    for field in fields:
        for language in LANGUAGES:
            if language != SOURCE_LANGUAGE:
                source, other = column(field, SOURCE_LANGUAGE), column(field, language)
                condition |= Q(**{f"{source}__gt": ""}) & ~Q(**{f"{other}__gt": ""})
    return condition


class EnglishListFilter(admin.SimpleListFilter):
    """Records whose English is complete, or missing.

    English is missing where a text readers see in lists and on pages has German but no English
    (the model admin's `english_counted`): for an event its title, summary or body; for a topic
    its name; for a series its name or description. A record's title or name is always given in
    German, so one without an English title is missing English. An event's place and change note
    are not counted: a place usually reads the same in both languages ("Berlin"), and an English
    change note goes with the correction it translates (Event.clean). The choice names the fields,
    so the editor reads the definition where they choose it.
    """

    title = _("English")
    parameter_name = "english"

    def lookups(self, request, model_admin):
        fields = [str(model_admin.model._meta.get_field(name).verbose_name) for name in model_admin.english_counted]
        return [
            ("complete", _("complete")),
            ("missing", _("missing (%(fields)s)") % {"fields": get_text_list(fields, _("or"))}),
        ]

    def queryset(self, request, queryset):
        if self.value() in ("complete", "missing"):
            return queryset.filter(english_missing=self.value() == "missing")
        return queryset


class TracksEnglish(admin.ModelAdmin):
    """A change list that shows and filters whether a record's English is complete
    (EnglishListFilter says what counts): each row read with an `english_missing` flag computed
    by the database in the list's own query."""

    english_counted: tuple[str, ...] = ()

    def get_queryset(self, request):
        # True or False, never NULL: a comparison with a NULL column is unknown in SQL, and a row
        # whose flag were unknown would be listed under neither choice of the filter.
        missing = Case(When(lacking_translation(self.english_counted), then=True), default=False)
        return super().get_queryset(request).annotate(english_missing=missing)

    @admin.display(description=_("English"), ordering="english_missing")
    def english(self, obj) -> str:
        return _("missing") if obj.english_missing else _("complete")


class YearListFilter(admin.SimpleListFilter):
    """Events whose (possibly imprecise) date overlaps a calendar year."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Event.objects.dates("date_start", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdecimal() and 1 <= int(value) <= 9999:
            year = int(value)
            return queryset.filter(date_start__lte=datetime.date(year, 12, 31), date_end__gte=datetime.date(year, 1, 1))
        return queryset


# The fields two editors can change at the same time and that are merged when one saves second;
# a translated text in each language apart, so that one editor's English and another's German
# are both kept.
MERGED_FIELDS = [
    *each_language("title"), "slug", "kind", "date", *each_language("place"), "countries",
    *each_language_columns("summary", "body"), "topics", "series", "status", "publish_at",
    *each_language("change_note"), "withdrawal_reason",
]  # fmt: skip
# The columns holding the text of a translated field in one language: no text is None, whether
# stored (the models' save) or sent (an empty box), so that an empty English box is no change.
TEXT_COLUMNS = set(each_language_columns("title", "place", "summary", "body", "change_note"))


def field_state(event: Event, name: str):
    """A comparable value of one field of a stored event, as a form would hold it."""
    value = getattr(event, name) if name != "topics" else None
    if name == "topics":
        return sorted(event.topics.values_list("pk", flat=True)) if event.pk else []
    if name == "countries":
        return sorted(country.code for country in value)
    if name == "series":
        return event.series_id
    if name == "publish_at":
        return publication_time(value)
    if name in TEXT_COLUMNS:
        return value or None
    return value


def publication_time(value: datetime.datetime | None) -> str | None:
    """A publication time as the form shows and sends it: to the second (a time set on publishing
    has microseconds, which the form's field drops)."""
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat() if value else None


def form_state(cleaned: dict, name: str):
    """The same comparable value, from a form's cleaned data."""
    value = cleaned.get(name)
    if name == "topics":
        return sorted(topic.pk for topic in value or [])
    if name == "countries":
        return sorted(value or [])
    if name == "series":
        return value.pk if value else None
    if name == "publish_at":
        return publication_time(value)
    if name in each_language("body"):
        return sanitize_html(value) or None  # as the model stores it (BodyField)
    if name in TEXT_COLUMNS:
        return value or None
    if name == "date" and value:
        # The form shows the editor's wording: "KW 12 2025" is the stored 2025-03-17/2025-03-23.
        try:
            return parse_event_date(value, check_edtf=False).edtf
        except DjangoValidationError:
            return value
    return value


def snapshot(event: Event) -> str:
    """The signed state of the event as a change form shows it: the base of a later merge."""
    state = {name: field_state(event, name) for name in MERGED_FIELDS}
    return signing.dumps(state | {name: list(stored_rows(event, name).items()) for name in INLINE_FIELDS})


class SlugLeftToTheService(forms.ModelForm):
    """A form whose slug may be left empty: the model's save() makes it from the title or name
    (`slug_source`, German: an address does not depend on the language it was saved in), free
    of clashes. The admin does not copy the title into the field as it is typed (Django's script
    spells "ä" as "a" and copies an address another record has)."""

    slug_source = column("name", SOURCE_LANGUAGE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            if not self.fields["slug"].help_text:
                help_text = _("Part of the web address. Left empty, it is made from the German name.")
                self.fields["slug"].help_text = help_text

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        # The title's own slug (as the admin's script used to copy it) was chosen by nobody: left
        # to the model, which makes it free ("-2") if another record has it.
        if slug != self.instance.slug and slug in title_slugs(self.cleaned_data.get(self.slug_source) or ""):
            return ""
        return slug


class EventAdminForm(SlugLeftToTheService):
    """The event form, with the workflow's rule and protection against lost updates.

    The form carries the version it was opened at and a signed snapshot of the values then. If
    a colleague saved in between, fields only the colleague changed are merged in, fields both
    changed are marked, and the editor is told what changed; nothing either of them typed is lost.
    """

    slug_source = column("title", SOURCE_LANGUAGE)
    snapshot = forms.CharField(widget=forms.HiddenInput, required=False)
    # Shown (as a checkbox) only beside the warning about a similar event, with the events it named.
    save_anyway = forms.BooleanField(label=_("Save anyway"), required=False, widget=forms.HiddenInput)
    similar_shown = forms.CharField(label=_("similar events shown"), widget=forms.HiddenInput, required=False)
    request = None  # set by EventAdmin.get_form
    # Set by clean() when the form, opened at an older version, sends exactly what is stored now:
    # sent again after its first sending saved it (a double click), or a colleague saved the same.
    already_stored = False

    class Meta:
        model = Event
        fields = [*MERGED_FIELDS, "version"]  # the admin's fieldsets decide the rest
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The series chooser looks its value up to show it; a value that is no key (only a
        # crafted request sends one) would break the page: refused, and not looked up.
        series = self.data.get("series", "") if self.is_bound else ""
        self.unknown_series = bool(series) and not str(series).isdecimal()
        if self.unknown_series:
            self.data = self.data.copy()
            self.data["series"] = ""
        if self.instance.pk and not self.is_bound:
            self.initial["snapshot"] = snapshot(self.instance)
        if self.instance.date_entered and "date" in self.fields:
            # The date as the editor wrote it ("KW 12 2025"), with what it is stored as below it;
            # also when bound, so that the date counts as changed only if the editor changed it.
            self.initial["date"] = self.instance.date_entered
            self.fields["date"].help_text = format_html(
                "{}<br>{}", _("Stored as EDTF: %(edtf)s") % {"edtf": self.instance.date}, self.fields["date"].help_text
            )
        if "status" in self.fields and self.request and not self.request.user.has_perm("timeline.publish_event"):
            allowed = {Event.Status.DRAFT, Event.Status.IN_REVIEW, self.instance.status}
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] in allowed]

    def clean_countries(self):
        chosen = self.cleaned_data.get("countries") or []
        stored = [country.code for country in self.instance.countries] if self.instance.pk else []
        # The chooser lists countries alphabetically: keep the order they were given in (the
        # API's and the importer's too), countries added now after them. A country sent twice
        # stays twice, for the model to refuse: what is saved is what the form sent.
        return sorted(chosen, key=lambda code: stored.index(code) if code in stored else len(stored))

    def clean_topics(self):
        topics = self.cleaned_data.get("topics")
        if topics is not None and len(topics) > MAX_TOPICS:
            raise forms.ValidationError(too_many_topics(), code="too_many")
        return topics

    def clean(self):
        cleaned = super().clean()
        if self.unknown_series:
            self.add_error("series", self.fields["series"].error_messages["invalid_choice"])
        user = self.request.user if self.request else None
        new_status = cleaned.get("status", self.instance.status)
        if not may_change(user, self.instance, new_status):
            raise forms.ValidationError(
                _("Only publishers may publish, schedule, withdraw or change published events; "
                  "submit the event for review instead."),
                code="publisher_only",
            )  # fmt: skip
        if self.instance.pk:
            self._merge_concurrent_changes(cleaned)
        if not self.already_stored:
            self._ask_about_similar_events(cleaned)
        return cleaned

    def _ask_about_similar_events(self, cleaned: dict) -> None:
        """An event like one already recorded (models.similar_events) is saved only once the editor
        ticks "Save anyway" beside the warning, which links to each; asked on adding, and when a
        change of title or date makes an event like another."""
        # By the German title, which every event has: the English one is a translation of it.
        title = clean_text(cleaned.get(column("title", SOURCE_LANGUAGE)))
        try:
            date = parse_event_date(cleaned.get("date") or "")
        except DjangoValidationError:
            return  # the date's own error is shown; asked once it is right
        stored = (self.instance.title_de, self.instance.date)
        if not title or (self.instance.pk and (title, date.edtf) == stored):
            return
        similar = similar_events(title, date, exclude_pk=self.instance.pk)
        if not similar:
            return
        self.fields["save_anyway"].widget = forms.CheckboxInput()
        shown = {str(event.pk) for event in similar}
        if cleaned.get("save_anyway") and shown <= set(str(cleaned.get("similar_shown")).split(",")):
            return
        self.data = self.data.copy()
        self.data["similar_shown"] = ",".join(sorted(shown))
        self.add_error("save_anyway", similar_events_warning(similar))

    def _merge_concurrent_changes(self, cleaned: dict) -> None:
        stored = Event.objects.filter(pk=self.instance.pk).first()
        if stored is None or stored.version == cleaned.get("version"):
            return
        if self._sends_what_is_stored(stored, cleaned):
            # Nothing to merge and nothing to save (EventAdmin.edits): no merge form blaming a
            # colleague for this editor's own first click, no participant stored twice.
            self.already_stored = True
            return
        try:
            base = signing.loads(self.data.get("snapshot", ""))
        except signing.BadSignature:
            base = {}
        data = self.data.copy()
        merged, clashes = [], []
        for name in MERGED_FIELDS:
            theirs, mine = field_state(stored, name), form_state(cleaned, name)
            if name not in base or theirs == base[name] or theirs == mine:
                continue
            label = str(Event._meta.get_field(name).verbose_name)
            if mine == base[name]:
                merged.append(label)
                self._put(data, name, stored)
            else:
                clashes.append(label)
                self.add_error(name if name in self.fields else None, _("A colleague changed this meanwhile."))
        # Rows edited inline, merged row by row (timeline/merging.py); the page shows the result
        # (EventAdmin.get_inline_formsets).
        merged_inlines = {}
        for name in INLINE_FIELDS:
            theirs, mine = stored_rows(stored, name), submitted_rows(self.data, name)
            if mine is None or name not in base:
                continue
            result = merging.merge(dict(base[name]), theirs, mine)
            merged_inlines[name] = merging.formset_data(name, stored, result)
            label = str(Event._meta.get_field(name).related_model._meta.verbose_name_plural)
            if theirs != {pk: tuple(values) for pk, values in base[name]}:
                (clashes if result.clashes else merged).append(label)
            for row in result.clashes:
                values = ", ".join(filter(None, row[:-1])) if row is not None else _("deleted")
                self.add_error(
                    None, _("%(rows)s as a colleague saved them: %(values)s") % {"rows": label, "values": values}
                )
        if self.request is not None:
            self.request.merged_inlines = merged_inlines
        data["version"] = str(stored.version)
        data["snapshot"] = snapshot(stored)
        self.data = data
        message = _("Someone saved this event after you opened it (now version %(version)s).") % {
            "version": stored.version
        }
        if merged:
            message += " " + _("Their changes to %(fields)s are now in the form.") % {"fields": ", ".join(merged)}
        if clashes:
            message += " " + _("You both changed %(fields)s: choose what to keep.") % {"fields": ", ".join(clashes)}
        message += " " + _("Your own changes are kept. Check the form and save again.")
        raise forms.ValidationError(message, code="stale")

    def _sends_what_is_stored(self, stored: Event, cleaned: dict) -> bool:
        """Whether every field the form has and every row it edits inline is as stored now."""
        if any(field_state(stored, name) != form_state(cleaned, name) for name in MERGED_FIELDS if name in self.fields):
            return False
        rows = ((stored_rows(stored, name), submitted_rows(self.data, name)) for name in INLINE_FIELDS)
        return all(mine is None or merging.already_stored(theirs, mine) for theirs, mine in rows)

    @staticmethod
    def _put(data, name: str, stored: Event) -> None:
        """Write a stored field's value into the submitted data, as the widget would send it."""
        if name == "topics":
            data.setlist("topics", [str(pk) for pk in field_state(stored, "topics")])
        elif name == "countries":
            data.setlist("countries", field_state(stored, "countries"))
        elif name == "series":
            data["series"] = str(stored.series_id or "")
        elif name == "publish_at":
            local = timezone.localtime(stored.publish_at) if stored.publish_at else None
            data["publish_at_0"] = local.strftime("%Y-%m-%d") if local else ""
            data["publish_at_1"] = local.strftime("%H:%M:%S") if local else ""
        elif name == "date":
            data["date"] = stored.date_entered or stored.date  # as the field shows it
        else:
            data[name] = getattr(stored, name) or ""  # no English is an empty box


def without_fields(fieldsets: list, names: set[str]) -> list:
    """Admin fieldsets without the named fields, and without a fieldset left empty."""
    kept = []
    for title, options in fieldsets:
        lines = []
        for line in options["fields"]:
            rest = [name for name in (line if isinstance(line, tuple | list) else [line]) if name not in names]
            if rest:
                lines.append(tuple(rest) if len(rest) > 1 else rest[0])
        if lines:
            kept.append((title, {**options, "fields": lines}))
    return kept


def similar_events_warning(events: list[Event]) -> str:
    """The warning about events like the one being saved: each with its date, state and links."""
    items = []
    for event in events:
        described = _("“%(title)s” (%(date)s, %(status)s)") % {
            "title": event.title,
            "date": event.date_display(),
            "status": event.get_status_display(),
        }
        links = [(reverse("admin:timeline_event_change", args=[event.pk]), _("open in the admin"))]
        if event.is_public():
            links.append((event.get_absolute_url(), _("public page")))
        items.append((described, format_html_join(" · ", '<a href="{}">{}</a>', links)))
    message = ngettext(
        "An event with this title and an overlapping date is recorded already:",
        "Events with this title and an overlapping date are recorded already:",
        len(events),
    )
    advice = _("If yours is another event, tick “Save anyway” and save again; everything you typed is kept.")
    return format_html("{}<ul>{}</ul>{}", message, format_html_join("", "<li>{}: {}</li>", items), advice)


@admin.register(Event)
class EventAdmin(TracksEnglish, EditorialAdmin, ValidatedAgainOnRace):
    # Two saves of one form at the same instant both pass the form's version check; the later
    # save() finds the version moved on: validated again, the editor gets the merge form.
    lost_race = (IntegrityError, StaleEvent)
    form = EventAdminForm
    # What fits beside the navigation and the filters at 1280 px: short headings, compact times;
    # the kind is a filter.
    list_display = ["title_shown", "date_shown", "country_codes", "english", "status_display", "public_from"]
    list_filter = ["status", "kind", EnglishListFilter, CountryListFilter, "topics", "series", YearListFilter]
    english_counted = ("title", "summary", "body")
    list_select_related = ["series"]
    search_fields = ["title"]  # the box is shown; get_search_results searches as the public search does
    date_hierarchy = "date_start"
    # No prepopulated slug: left empty, the model makes it from the title by the service's rule
    # ("ä" as "ae") and free of clashes; the admin's script would copy "ä" as "a" and a taken one.
    readonly_fields = [
        "human_date", "public_id", "import_ref", "first_published_at", "withdrawn_at", "created_at", "updated_at",
        "revision_history",
    ]  # fmt: skip
    autocomplete_fields = ["series"]
    filter_horizontal = ["topics"]
    inlines = [ParticipantInline, SourceLinkInline]
    actions = ["submit_for_review", "publish", "unpublish", "share_preview"]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    each_language("title"),
                    "save_anyway",
                    "slug",
                    "kind",
                    ("date", "human_date"),
                    each_language("place"),
                    "countries",
                ]
            },
        ),
        (_("Content"), {"fields": [each_language("summary"), each_language("body"), "topics", "series"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    each_language("change_note"),
                    "withdrawal_reason",
                    "version",
                    "snapshot",
                    "similar_shown",
                ]
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "public_id",
                    "import_ref",
                    "first_published_at",
                    "withdrawn_at",
                    "created_at",
                    "updated_at",
                    "revision_history",
                ]
            },
        ),
    ]

    # Set by saving: on the add form they would read "–", or (the public identifier) show an
    # identifier the event will not get; the date's live preview says how the date will read.
    set_by_saving = {"human_date", *fieldsets[-1][1]["fields"]}

    class Media:
        js = ["timeline/admin-date-preview.js"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else without_fields(fieldsets, self.set_by_saving)

    def get_urls(self):
        preview = path(
            "date-preview/", self.admin_site.admin_view(self.date_preview), name="timeline_event_date_preview"
        )
        return [preview, *super().get_urls()]

    def date_preview(self, request):
        """How a typed date will be stored and read, for the live preview beside the field."""
        try:
            parsed = parse_event_date(request.GET.get("value", "")[:200])
        except DjangoValidationError as error:
            return JsonResponse({"ok": False, "error": " ".join(error.messages)})
        return JsonResponse(
            {"ok": True, "edtf": parsed.edtf, "display": {"de": parsed.display("de"), "en": parsed.display("en")}}
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_search_results(self, request, queryset, search_term):
        # What the public search finds (folded text, participants, Japanese names by any part),
        # and besides an event's address or import reference as an editor may paste it.
        term = search_term.strip()
        if not term:
            return queryset, False
        found = search(queryset, term) | queryset.filter(Q(slug=term) | Q(import_ref=term))
        return found, False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # An add link may preset the series by key (?series=3); anything else is no key and the
        # chooser, which looks it up to show it, would fail on it. A publication time cannot be
        # preset (the two-part widget takes only a datetime).
        if not str(initial.get("series", "0")).isdecimal():
            del initial["series"]
        initial.pop("publish_at", None)
        return initial

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        # After a merge (EventAdminForm), each inline shows the merged rows.
        merged = getattr(request, "merged_inlines", {})
        formsets = [
            self.merged_formset(request, obj, inline, formset, merged[formset.prefix])
            if formset.prefix in merged
            else formset
            for formset, inline in zip(formsets, inline_instances, strict=True)
        ]
        return super().get_inline_formsets(request, formsets, inline_instances, obj)

    def merged_formset(self, request, obj, inline, formset, data):
        """The inline's formset bound to the merged rows (timeline/merging.py)."""
        kwargs = self.get_formset_kwargs(request, obj, inline, formset.prefix)
        return type(formset)(**(kwargs | {"data": data, "files": {}}))

    def get_readonly_fields(self, request, obj=None):
        # Scheduling and withdrawing are the publisher's: the fields the API refuses to the same users.
        return [*super().get_readonly_fields(request, obj), *publisher_only_fields(request.user)]

    def has_change_permission(self, request, obj=None):
        # Published and withdrawn events are the publisher's; editors see them read-only.
        return super().has_change_permission(request, obj) and (obj is None or may_change(request.user, obj))

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("timeline.publish_event")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        name = translated_field(db_field).name  # "body" for body_de and body_en alike
        if name == "body":
            # A rich-text editor instead of raw HTML. Its schema keeps only these elements, so a
            # paste from Word or a PDF arrives as clean paragraphs, lists and links; the model's
            # sanitiser, which allows exactly what these extensions write, still runs on save.
            body = BodyField(
                extensions=BODY_EDITOR_EXTENSIONS,
                widget=AdminTextareaWidget,
                required=False,
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
            )
            return self.in_its_language(db_field, body)
        if name == "countries":
            # A plain multiple select loses every other country on a click without Ctrl;
            # the two-pane chooser with search is what editors know from topics.
            kwargs["widget"] = CountryChooser(db_field.verbose_name, is_stacked=False)
        if name == "title":
            # Titles run to 80 characters and more, and each language has half the form's width:
            # a box of two lines shows a whole title. A line break typed here becomes a space, as
            # the model stores titles (PlainTextField).
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 2})
        if name in ("change_note", "withdrawal_reason"):
            # Sentences of up to 500 characters that readers see: a few lines, to be read whole.
            # A line break typed here becomes a space, as the model stores them (PlainTextField).
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 4})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("title"), ordering="title_de")
    def title_shown(self, obj: Event) -> str:
        # Long words with soft hyphens, as on the public pages: the longest word of any title
        # ("„Entwicklungszusammenarbeit“") would otherwise set the column's width, and the list
        # would no longer fit a laptop beside the navigation and the filters.
        return hyphenate(obj.title, text_language(obj, "title"))

    @admin.display(description=_("date as shown"), ordering="date_start")
    def human_date(self, obj: Event) -> str:
        if not obj.pk or not obj.date:
            return "–"
        try:
            return obj.date_display()
        except DjangoValidationError:  # a refused date the form shows for correction
            return "–"

    @admin.display(description=_("date"), ordering="date_start")
    def date_shown(self, obj: Event) -> str:
        return self.human_date(obj)

    @admin.display(description=_("public from"), ordering="publish_at")
    def public_from(self, obj: Event) -> str | None:
        if not obj.publish_at:
            return None  # the admin's sign for empty
        return formats.date_format(timezone.localtime(obj.publish_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("revisions"))
    def revision_history(self, obj: Event) -> str:
        if not obj.pk:
            return "–"
        url = reverse("admin:timeline_revision_changelist") + f"?event_public_id={obj.public_id}"
        count = Revision.objects.filter(event_public_id=obj.public_id).count()
        text = ngettext("%(count)s revision: compare and restore", "%(count)s revisions: compare and restore", count)
        return format_html('<a href="{}">{}</a>', url, text % {"count": count})

    @admin.display(description=_("countries"))
    def country_codes(self, obj: Event) -> str:
        return ", ".join(country.code for country in obj.countries)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Event) -> str:
        if obj.is_scheduled():
            return _("scheduled for %(time)s") % {"time": timezone.localtime(obj.publish_at).strftime("%d.%m.%Y %H:%M")}
        return obj.get_status_display()

    @staticmethod
    def edits(form: EventAdminForm, formsets: list) -> bool:
        """Whether saving a change form changes the event: a field the editor sees, or a row
        edited inline; not a form that sends what is stored (EventAdminForm.already_stored)."""
        if form.already_stored:
            return False
        return bool(edited_fields(form, form.changed_data)) or any(formset.has_changed() for formset in formsets)

    def save_model(self, request, obj, form, change):
        form._status_before = form.initial.get("status") if change else None
        if change and (form.already_stored or not edited_fields(form, form.changed_data)):
            return  # saved in save_related if a row edited inline changed, else not at all
        super().save_model(request, obj, form, change)
        typed = " ".join(str(form.data.get("date", "")).split())
        # Only when the date was changed: the field shows the editor's wording on every later save.
        if typed and typed != obj.date and "date" in form.changed_data:
            # Confirm back how a human date was understood, so a misreading is caught at once.
            messages.info(
                request,
                _("The date “%(typed)s” was saved as %(edtf)s and reads “%(shown)s”.")
                % {"typed": typed, "edtf": obj.date, "shown": obj.date_display()},
            )

    def save_related(self, request, form, formsets, change):
        if change and not self.edits(form, formsets):
            # A save that changes nothing writes nothing: no version, no revision, no new
            # "updated" time; the history says no fields changed.
            return
        if change and not edited_fields(form, form.changed_data):
            # Only rows changed: the event is saved too, so that its version moves on (a
            # colleague's form opened before merges these rows) and the revision counts.
            super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)
        # After the inlines, so the revision holds participants and sources as saved.
        revisions.record(form.instance, request.user, revisions.action_for(form._status_before, form.instance.status))

    def construct_change_message(self, request, form, formsets, add=False):
        if not add and not self.edits(form, formsets):
            return []  # "No fields changed." (the rows were not saved: nothing to list)
        return super().construct_change_message(request, form, formsets, add)

    def delete_model(self, request, obj):
        revisions.delete(Event.objects.filter(pk=obj.pk), request.user)

    def delete_queryset(self, request, queryset):
        revisions.delete(queryset, request.user)

    @staticmethod
    def _move_to(request, events: QuerySet[Event], status: str) -> int:
        """Give each event the status through save(), so publication times are kept right; an
        event a colleague changed since the list was read is left as it is, and the editor told."""
        count, changed = 0, []
        for event in events.exclude(status=status):
            before, event.status = event.status, status
            try:
                with transaction.atomic():
                    event.save()
                    revisions.record(event, request.user, revisions.action_for(before, status))
            except StaleEvent:
                changed.append(event.title)
                continue
            count += 1
        if changed:
            message = _("Changed by someone else meanwhile and left as it is, select again: %(titles)s")
            messages.warning(request, message % {"titles": ", ".join(changed)})
        return count

    @admin.action(description=_("Submit selected drafts for review"), permissions=["change"])
    def submit_for_review(self, request, queryset: QuerySet[Event]) -> None:
        count = self._move_to(request, queryset.filter(status=Event.Status.DRAFT), Event.Status.IN_REVIEW)
        message = ngettext("%(count)d event is now in review.", "%(count)d events are now in review.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish selected events"), permissions=["publish"])
    def publish(self, request, queryset: QuerySet[Event]) -> None:
        count = self._move_to(request, queryset, Event.Status.PUBLISHED)
        message = ngettext("%(count)d event was published.", "%(count)d events were published.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Share a secret preview link"), permissions=["publish"])
    def share_preview(self, request, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            if event.is_public() or event.is_withdrawn():
                # A link shows only what the public cannot see yet; it would answer 404 or lead
                # to the public page.
                message = _(
                    "No preview link for “%(title)s”: it is public or withdrawn, and a preview shows only "
                    "events not yet public."
                )
                self.message_user(request, message % {"title": event.title}, messages.WARNING)
                continue
            link = PreviewLink.objects.create(event=event, created_by=request.user)
            self.message_user(
                request,
                format_html(
                    _(
                        'Preview of “{}”: <a href="{}">{}</a>, valid until {} or until the event is published '
                        "or withdrawn (change or revoke it under Preview links)"
                    ),
                    event.title,
                    settings.SITE_URL + link.get_absolute_url(),
                    settings.SITE_URL + link.get_absolute_url(),
                    formats.localize(timezone.localtime(link.expires_at)),
                ),
                messages.SUCCESS,
            )

    @admin.action(description=_("Unpublish selected events (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset: QuerySet[Event]) -> None:
        count = self._move_to(request, queryset, Event.Status.DRAFT)
        message = ngettext("%(count)d event was unpublished.", "%(count)d events were unpublished.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


class PublicGroupingForPublishers(admin.ModelAdmin):
    """A topic's or series' admin where one that published events use is the publisher's
    (roles.may_change_grouping, which the API follows too): others see its fields read-only,
    with the reason above them."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_change_grouping(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_change_grouping(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_change_grouping(request.user, obj):
            return fieldsets
        (title, options), *rest = fieldsets
        return [(title, {**options, "description": grouping_for_publishers(obj)}), *rest]


@admin.register(Topic)
class TopicAdmin(PublicGroupingForPublishers, TracksEnglish, EditorialAdmin, ValidatedAgainOnRace):
    form = SlugLeftToTheService
    fields = [each_language("name"), "slug"]
    # The English name is its own column: empty ("–") is English missing.
    list_display = [*each_language("name"), "slug"]
    list_filter = [EnglishListFilter]
    english_counted = ("name",)
    search_fields = each_language("name")


@admin.register(Series)
class SeriesAdmin(PublicGroupingForPublishers, TracksEnglish, EditorialAdmin, ValidatedAgainOnRace):
    form = SlugLeftToTheService
    fields = [each_language("name"), "slug", each_language("description")]
    list_display = [*each_language("name"), "english", "slug"]
    list_filter = [EnglishListFilter]
    english_counted = ("name", "description")
    search_fields = each_language("name")  # the event form's series chooser too


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Every saved state of every event: who did what when; compare with the previous; restore."""

    list_display = ["created_at", "title", "version", "action", "status", "user"]
    list_filter = ["action", "status", "user"]
    search_fields = ["title", "=event_public_id"]
    date_hierarchy = "created_at"
    actions = ["restore"]
    fields = ["title", "event_public_id", "version", "action", "status", "user", "created_at", "changes"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        event = request.GET.get("event_public_id")
        return queryset.filter(event_public_id=event) if event and _is_uuid(event) else queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("timeline.publish_event")

    @admin.display(description=_("changes from the revision before"))
    def changes(self, revision: Revision) -> str:
        previous = (
            Revision.objects.filter(event_public_id=revision.event_public_id, created_at__lte=revision.created_at)
            .exclude(pk=revision.pk)
            .order_by("-created_at", "-pk")
            .first()
        )
        rows = revisions.readable_differences(previous.data if previous else {}, revision.data)
        if not rows:
            return _("No differences.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", ((n, _short(b), _short(a)) for n, b, a in rows)
            ),
        )

    @admin.action(description=_("Restore the event to the selected revision"), permissions=["publish"])
    def restore(self, request, queryset: QuerySet[Revision]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one revision to restore."), messages.WARNING)
            return
        revision = queryset.get()
        try:
            event = revisions.restore(revision, request.user)
        except ValidationError as error:  # say what, and keep everything as it is
            self.message_user(request, _("Not restored: %(error)s") % {"error": error}, messages.ERROR)
            return
        except (StaleEvent, IntegrityError):  # a colleague changed or recovered it at the same instant
            message = _("Not restored: someone recovered or changed this event meanwhile; look at it again.")
            self.message_user(request, message, messages.ERROR)
            return
        self.message_user(
            request,
            _("“%(title)s” is restored to version %(version)s.") % {"title": event.title, "version": revision.version},
            messages.SUCCESS,
        )


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    """Secret preview addresses shared by publishers, who may set when each expires; revoke one
    and it stops working at once."""

    list_display = ["event", "created_by", "created_at", "expires_at", "revoked_at", "address"]
    list_filter = ["revoked_at"]
    actions = ["revoke"]
    # Only the expiry is for the publisher to set; the rest is the record of what was shared.
    readonly_fields = ["event", "created_by", "created_at", "revoked_at", "address"]
    fields = ["event", "created_by", "created_at", "expires_at", "revoked_at", "address"]

    def has_add_permission(self, request):
        return False  # made with the "share a secret preview link" action on events

    def has_change_permission(self, request, obj=None):
        # Publishers share links, so they set their expiry (the role has no change_previewlink).
        return self.has_publish_permission(request)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("timeline.publish_event")

    @admin.display(description=_("address"))
    def address(self, link: PreviewLink) -> str:
        if not link.is_open():
            return _("expired") if link.revoked_at is None else "–"
        url = settings.SITE_URL + link.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description=_("Revoke selected preview links"), permissions=["publish"])
    def revoke(self, request, queryset: QuerySet[PreviewLink]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        message = ngettext("%(count)d link revoked.", "%(count)d links revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
