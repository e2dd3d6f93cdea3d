"""The records: events, their participants and sources, topics and series."""

from __future__ import annotations

import datetime
import difflib
import functools
import re
import secrets
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_countries.fields import CountryField

from .dates import DAY, PRECISION_CHOICES, EventDate, date_as_entered, parse_event_date, stored_event_date
from .languages import LANGUAGES, SOURCE_LANGUAGE, clean_each_language, column
from .text import (
    body_text,
    clean_text,
    cleaned_and_dropped,
    sanitize_html,
    search_text,
    validate_not_blank,
    validate_web_url,
    web_address,
)

_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
SLUG_MAX_LENGTH = 120
TIMELINE_ORDER = ["-date_start", "date_end", "-pk"]


def make_slug(text: str, fallback: str, max_length: int = 80) -> str:
    """An ASCII slug for a title; German letters spelled out, `fallback` if nothing is left."""
    slug = slugify(text.translate(_GERMAN_LETTERS))[:max_length].strip("-")
    return slug or fallback


def title_slugs(title: str) -> set[str]:
    """The slugs a title gives when nobody chooses one: the service's (`make_slug`, "ä" as "ae")
    and the one Django's admin script copies into the field as the title is typed ("ä" as "a")."""
    title = clean_text(title)
    slugs = {make_slug(title, "", max_length=length) for length in (80, SLUG_MAX_LENGTH)}
    slugs.add(slugify(title.replace("ß", "ss"))[:SLUG_MAX_LENGTH].strip("-"))
    return slugs - {""}


def unique_slug(model: type[models.Model], base: str, exclude_pk=None) -> str:
    """`base`, or `base-2`, `base-3`, … whichever no other row of `model` uses yet, nor had before
    where its old slugs lead to it (`SlugClashNamed.taken_slugs`)."""
    taken = model.taken_slugs(base, exclude_pk)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


class WebURLFormField(forms.CharField):
    """A form field for a web address, read by the model field (web_address, then the validator),
    as the API and the importer read it: "www.example.net" is https://www.example.net, as in the
    body's links; Django's URLField would guess on its own ("//example.net/x" as http)."""

    widget = forms.URLInput


class WebURLField(models.URLField):
    """A URL that may be published as a link: http or https only; a host name typed without a
    scheme is read as https (text.web_address, the rule the body's links follow)."""

    default_validators = [validate_web_url]

    def to_python(self, value):
        value = super().to_python(value)
        return web_address(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


class EventDateField(models.CharField):
    """An event date stored as EDTF; human German and English forms are normalised on clean."""

    description = _("Event date (EDTF)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return ""
        return parse_event_date(str(value)).edtf

    def get_prep_value(self, value):
        # Lookups compare stored EDTF strings; never parse (and never raise) while querying.
        return None if value is None else str(value)


class SlugClashNamed:
    """Django's unique checks, but a slug another row has is refused naming that row and a free
    variant (the admin, the API and the importer all show this message). For models whose save()
    makes a free slug when none is given.

    A model whose old slugs keep leading to it names their relation in `former_slugs_relation`
    (the related name of a model with a unique `slug`): such a slug counts as taken as well, so
    that no other row takes an address links and feed subscriptions still use.
    """

    former_slugs_relation: str | None = None

    @classmethod
    def taken_slugs(cls, prefix: str, exclude_pk=None) -> set[str]:
        """The slugs starting with `prefix` that rows other than `exclude_pk` hold, now or before."""
        others = cls.objects.exclude(pk=exclude_pk)
        taken = set(others.filter(slug__startswith=prefix).values_list("slug", flat=True))
        if cls.former_slugs_relation:
            former = f"{cls.former_slugs_relation}__slug"
            taken |= set(others.filter(**{f"{former}__startswith": prefix}).values_list(former, flat=True))
        return taken

    def validate_unique(self, exclude=None):
        exclude = set(exclude or ())
        errors = {}
        if "slug" not in exclude and self.slug:
            exclude.add("slug")
            model = type(self)
            others = model.objects.exclude(pk=self.pk)
            params = {"slug": self.slug, "free": unique_slug(model, self.slug, self.pk)}
            holder = others.filter(slug=self.slug).first()
            if holder is not None:
                message = _(
                    "The address “%(slug)s” is taken by “%(holder)s”. “%(free)s” is free; or leave the "
                    "slug empty to have one made."
                )
                errors["slug"] = [ValidationError(message, code="unique", params={**params, "holder": str(holder)})]
            elif self.former_slugs_relation:
                holder = others.filter(**{f"{self.former_slugs_relation}__slug": self.slug}).first()
                if holder is not None:
                    message = _(
                        "The address “%(slug)s” was that of “%(holder)s” and still leads there, so that links and "
                        "feed subscriptions with it keep working. “%(free)s” is free; or leave the slug empty to "
                        "have one made."
                    )
                    params["holder"] = str(holder)
                    errors["slug"] = [ValidationError(message, code="former_slug", params=params)]
        try:
            super().validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def translations_without_source(instance, fields: tuple[str, ...]) -> dict[str, ValidationError]:
    """{column: error} for each of `fields` written in another language than German while its
    German is empty. German is the source: an English text translates it, and German readers
    would see nothing in its place. The change note has its own message, as editors meet it."""
    errors = {}
    for field in fields:
        source = getattr(instance, column(field, SOURCE_LANGUAGE)) or ""
        if clean_text(body_text(source) if field == "body" else source):
            continue
        for language in LANGUAGES:
            value = getattr(instance, column(field, language)) or ""
            if language != SOURCE_LANGUAGE and clean_text(body_text(value) if field == "body" else value):
                if field == "change_note":
                    message = _("Write the German change note first; the English one translates it.")
                else:
                    message = _("Write the German text first; the English one translates it.")
                errors[column(field, language)] = ValidationError(message, code="translation_without_source")
    return errors


def stored_body(html: str) -> str:
    """A body as stored: sanitised, and empty where it has no words ("<p> </p>"), so a body with
    nothing to read is no text in that language and the German fallback applies."""
    cleaned = sanitize_html(html)
    return cleaned if body_text(cleaned) else ""


def save_in_source_language(save, *args, **kwargs) -> None:
    """Call a model's `save` with German active, so the plain column modeltranslation keeps beside
    the per-language ones (`title` beside `title_de`) always holds the German text, whoever saves."""
    with translation.override(SOURCE_LANGUAGE):
        save(*args, **kwargs)


class InPublicUseQuerySet(models.QuerySet):
    """Topics or series, of which the public learns only through public events."""

    def public(self, now: datetime.datetime | None = None) -> models.QuerySet:
        """Those a public event (at `now`) is filed under: a topic or series that only drafts,
        events in review, scheduled or withdrawn events use is nobody's business but the
        editors' (its name can announce what is still embargoed). One EXISTS per row, so a list
        of them costs one query however many events there are."""
        # The event's field naming this row: `topics` for a topic, `series` for a series.
        field = self.model._meta.get_field("events").remote_field.name
        used = Event.objects.public(now).filter(**{field: models.OuterRef("pk")})
        return self.filter(models.Exists(used))

    def visible_to(self, user) -> models.QuerySet:
        """All of them for a `user` with the model's view permission ("timeline.view_topic",
        "timeline.view_series": editors and publishers) whose session owes no second step (as
        `may_preview`), else those the public sees (`public()`)."""
        from .two_step import second_step_missing  # here: two_step imports the admin, which imports this

        opts = self.model._meta
        permission = f"{opts.app_label}.{get_permission_codename('view', opts)}"
        if user is not None and user.has_perm(permission) and not second_step_missing(user):
            return self.all()
        return self.public()


class EventGrouping(SlugClashNamed):
    """What events are filed under (a topic) or belong to (a series).

    Once a published event uses it (`is_published`, scheduled ones too), its name and address are
    what readers, search engines and feed subscriptions see or will see at the scheduled time,
    which only a publisher may change (roles.may_change_grouping). A slug it had before
    (`former_slugs`, kept by save()) still leads to it: filters, feeds and the API take it as the
    current one, and no other topic or series of the kind may take it while it does.
    """

    former_slugs_relation = "former_slugs"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")  # a change leaves the old one behind
        return instance

    @classmethod
    def get_or_create_by_slug(cls, slug: str, defaults: dict) -> tuple[EventGrouping, bool]:
        """As `objects.get_or_create(slug=slug, defaults=defaults)`, but the one that had `slug`
        before is found too: a command loading records again after a change of slug adds none."""
        moved = cls.objects.filter(former_slugs__slug=slug).first()
        return (moved, False) if moved is not None else cls.objects.get_or_create(slug=slug, defaults=defaults)

    def is_published(self) -> bool:
        """Whether an event a publisher has published uses it: public now, or scheduled to become
        public with no one's further say (status "published" whatever `publish_at`). From then on
        its name and address are the publisher's (roles.may_change_grouping)."""
        return self.pk is not None and self.events.filter(status=Event.Status.PUBLISHED).exists()

    def save_keeping_former_slug(self, save, *args, **kwargs) -> None:
        """Save the row with `save`; if its slug changed, keep the old one as a former slug (the
        one taken back, if it was one, is current again)."""
        with transaction.atomic():
            save_in_source_language(save, *args, **kwargs)
            old = getattr(self, "_loaded_slug", None)
            if old and old != self.slug:
                self.former_slugs.update_or_create(slug=old)
                self.former_slugs.filter(slug=self.slug).delete()
        self._loaded_slug = self.slug


class Topic(EventGrouping, models.Model):
    """A subject events are filed under, such as "Wirtschaftssicherheit"."""

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_not_blank])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    objects = InPublicUseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.clean()
        if not self.slug:
            self.slug = unique_slug(Topic, make_slug(self.name_de or "", "topic"), self.pk)
        self.save_keeping_former_slug(super().save, *args, **kwargs)

    def clean(self):
        # Before the uniqueness check, so that "Energie" and "Energie\u200b" count as one name.
        clean_each_language(self, "name", clean_text)


class Series(EventGrouping, models.Model):
    """A run of related events, such as a recurring dialogue."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_not_blank])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(2000)])

    objects = InPublicUseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("series")
        # English has one word for both; German has two ("Reihe", "Reihen").
        verbose_name_plural = pgettext_lazy("plural", "series")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.clean_texts()
        if not self.slug:
            self.slug = unique_slug(Series, make_slug(self.name_de or "", "series"), self.pk)
        self.save_keeping_former_slug(super().save, *args, **kwargs)

    def clean_texts(self) -> None:
        """Clean the name and description in each language, as every save stores them."""
        clean_each_language(self, "name", clean_text)
        clean_each_language(self, "description", functools.partial(clean_text, multiline=True))

    def clean(self):
        self.clean_texts()
        errors = translations_without_source(self, ("description",))
        if errors:
            raise ValidationError(errors)


def make_search_documents(event, participants=None) -> dict[str, str]:
    """The texts search reads for an event, by column, each folded by `search_text` as queries are.

    `search_document` holds every word: both languages' title, summary, place and body text
    (without markup) and the participants' texts (SQLite's search, and PostgreSQL's words as
    written). `search_document_de` holds the German text and the participants' texts, for
    PostgreSQL's German stemming; `search_document_en` the English text and the participants'
    names, for English stemming, or "" where the event has no English. Apart, so that neither
    language's words are stemmed by the other's rules.

    `participants` is a list of each participant's (name, original name, role, organisation);
    read from the database when None. The original name is folded too, so 城内実 finds the event
    as Kiuchi does, in either language.
    """
    if participants is None:
        participants = (
            list(
                Participant.objects.filter(event_id=event.pk).values_list(
                    "name", "original_name", "role", "organisation"
                )
            )
            if event.pk
            else []
        )
    people = [" ".join(filter(None, person)) for person in participants]
    names = [" ".join(filter(None, person[:2])) for person in participants]  # alike in every language
    words = {}
    for language in LANGUAGES:
        texts = (getattr(event, column(field, language)) for field in ("title", "summary", "place", "body"))
        title, summary, place, body = (text or "" for text in texts)
        words[language] = [title, summary, place, body_text(body)]
    documents = {"search_document": [*(part for language in LANGUAGES for part in words[language]), *people]}
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:  # offices and organisations are written in German only
            documents[column("search_document", language)] = [*words[language], *people]
        elif any(words[language]):
            documents[column("search_document", language)] = [*words[language], *names]
        else:
            documents[column("search_document", language)] = []
    return {name: search_text(" ".join(filter(None, parts))) for name, parts in documents.items()}


# The search texts' columns: large and never shown, so every read of events defers them.
SEARCH_DOCUMENTS = ("search_document", *(column("search_document", language) for language in LANGUAGES))


class StaleEvent(Exception):
    """A save was based on an older version of the event than the one stored."""

    def __init__(self, event, current_version):
        super().__init__(f"Event {event.pk} is at version {current_version}, not {event.version}")
        self.event = event
        self.current_version = current_version


class EventQuerySet(models.QuerySet):
    """Selections of events that every surface shares."""

    def public(self, now: datetime.datetime | None = None) -> EventQuerySet:
        """Events the public may see now (or at `now`): published, and their publication time reached."""
        return self.filter(status=Event.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def gone(self, now: datetime.datetime | None = None) -> EventQuerySet:
        """Withdrawn events the public saw before they were withdrawn: their first publication at
        or before the withdrawal, and reached (by `now`); a scheduled event withdrawn before its
        time never was public. Only these say publicly that they were withdrawn, when and why
        (410); any other withdrawn event is, to the public, an event that never was (404)."""
        return self.filter(
            status=Event.Status.WITHDRAWN,
            first_published_at__lte=models.F("withdrawn_at"),
        ).filter(first_published_at__lte=now or timezone.now())

    def gone_at(self, slug: str) -> Event | None:
        """The withdrawn event readers knew at `slug`, as they last saw it (`last_public_state`),
        for its 410 page and .ics; None where the public knew no such address. The current slug
        of a gone event counts only if it was public: one chosen after the event left the public
        says nothing, not even that the event exists (404). Two or three queries."""
        found = self.gone().filter(models.Q(slug=slug) | models.Q(previous_slugs__slug=slug)).distinct()
        for event in found:  # at most two: one has the slug now, another had it before
            seen = event.last_public_state()
            if seen is not None and slug in seen.public_slugs:
                return seen
        return None

    def day_precise(self) -> EventQuerySet:
        """Events whose date is known to the day at both ends (`EventDate.is_day_precise`), in the
        database: `date_precision` is the start's, and an end coarser than a day is an EDTF end
        without a day ("KW 12 2025 – April 2025" is stored as 2025-03-17/2025-04)."""
        return self.filter(date_precision=DAY).exclude(date__regex=r"/[0-9]{4}(-[0-9]{2})?[~?%]?$")

    def newest_first(self) -> EventQuerySet:
        """The timeline's order: latest start first; on the same start, the more precise first.

        A coarse date ("4. Quartal 2024") thus follows the exact dates of its period, as
        "date not known more precisely" (README, "Sort rule").
        """
        return self.order_by(*TIMELINE_ORDER)


# A publication time any database and Python's calendar can hold in UTC, whatever its offset
# (0001-01-01T00:00+01:00 is a time of the year 0 in UTC, which PostgreSQL refuses).
PUBLICATION_TIME_VALIDATORS = [
    MinValueValidator(datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)),
    MaxValueValidator(datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)),
]
SLUG_ATTEMPTS = 8  # a slug taken meanwhile is chosen anew: enough for a few editors at once
BODY_MAX_LENGTH = 100_000  # characters of the body as stored (Event.clean)
MAX_TOPICS = 20  # per event: a reader's filter, not a keyword list


def too_many_topics() -> str:
    return ngettext("Choose at most %(count)d topic.", "Choose at most %(count)d topics.", MAX_TOPICS) % {
        "count": MAX_TOPICS
    }


def unpublishable_link(address: str) -> str:
    """The message for a link of the body that cannot be published, naming its address."""
    shown = address if len(address) <= 80 else address[:79] + "…"
    return _(
        "The link “%(address)s” cannot be published: give a web address (https://…), an e-mail "
        "address, a page of this site (/…) or a place on this page (#…), or remove the link."
    ) % {"address": shown}


class Event(SlugClashNamed, models.Model):
    """A dated diplomatic event: a meeting, visit, consultation, dialogue, agreement, …"""

    former_slugs_relation = "previous_slugs"  # PreviousSlug: an old address redirects here

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        VISIT = "visit", _("visit")
        CONSULTATION = "consultation", _("consultation")
        DIALOGUE = "dialogue", _("dialogue")
        AGREEMENT = "agreement", _("agreement")
        CONFERENCE = "conference", _("conference")
        STATEMENT = "statement", _("statement")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300, validators=[validate_not_blank])
    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text=_("Part of the event's web address. Left empty, it is made from the title."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    date = EventDateField(
        _("date"),
        help_text=_(
            "As precise as known: 26 June 2025, March 2023, Q4 2024, late 2024, spring 2024, "
            "week 12 2025, 2024/25, c. 2024, 26–27 June 2025, or EDTF (2024-36)."
        ),
    )
    # How the date was last given when that was not EDTF ("KW 12 2025" for 2025-03-17/2025-03-23),
    # shown again in the admin's date field; "" when it was given as EDTF (docs/dates.md).
    date_entered = models.CharField(_("date as entered"), max_length=100, blank=True, editable=False)
    # Derived from `date` on every save, so that sorting and range filters run in the database.
    date_start = models.DateField(_("earliest day"), editable=False, db_index=True)
    date_end = models.DateField(_("latest day"), editable=False, db_index=True)
    date_precision = models.CharField(_("date precision"), max_length=10, choices=PRECISION_CHOICES, editable=False)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("City or venue, or “Videokonferenz”."))
    # In the order the editor gave (the host first, say); a country given twice is refused.
    countries = CountryField(_("countries"), multiple=True, blank=True, multiple_sort=False, multiple_unique=False)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="events")
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,  # event_series_idx starts with it
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text=_("Plain text, a few sentences; shown in lists and feeds."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        validators=[MaxLengthValidator(BODY_MAX_LENGTH)],
        help_text=_("Paragraphs, headings, lists, quotes and links; anything else is removed on save."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("When the event becomes public. Empty: now, when published. In the future: scheduled."),
        validators=PUBLICATION_TIME_VALIDATORS,
    )
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    change_note = models.CharField(
        _("public change note"),
        max_length=500,
        blank=True,
        help_text=_(
            "For significant corrections: what changed, in one sentence readers will see. "
            "A new note marks the event as updated in feeds."
        ),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawal_reason = models.CharField(
        _("reason for withdrawal"),
        max_length=500,
        blank=True,
        help_text=_("Shown on the event's page once it is withdrawn."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("Counts saves; a save based on an older version is refused instead of overwriting."),
    )
    # What text search looks at (make_search_documents): every word in one column, and each
    # language's words apart for PostgreSQL's stemming in that language (one GIN index over all
    # three: migration 0023, filters.search_postgresql).
    search_document = models.TextField(_("search text"), blank=True, default="", editable=False)
    search_document_de = models.TextField(_("search text (German)"), blank=True, default="", editable=False)
    search_document_en = models.TextField(_("search text (English)"), blank=True, default="", editable=False)
    import_ref = models.CharField(
        _("import reference"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The record's key in the system it was imported from; a second import updates it."),
    )
    revised_at = models.DateTimeField(
        _("last significant update"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when a published event gets a new public change note."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = TIMELINE_ORDER
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("publish_event", _("Can publish, schedule, withdraw and restore events"))]
        indexes = [
            # The public timeline's order behind the status, with the publication time last, so
            # that a page (at any depth) and the count both read one slice of one index.
            models.Index(fields=["status", *TIMELINE_ORDER[:2], "-id", "publish_at"], name="event_timeline_idx"),
            # The feeds' order: newest first publication first.
            models.Index(fields=["status", "-first_published_at", "-id", "publish_at"], name="event_feed_idx"),
            # An event's neighbours in its series, and the timeline of one series: one slice of
            # one index, however few of all events the series has.
            models.Index(
                fields=["series", "status", *TIMELINE_ORDER[:2], "-id", "publish_at"], name="event_series_idx"
            ),
            # The latest publication time already reached, and the next one ahead (the content
            # version, timeline/cache.py).
            models.Index(fields=["publish_at"], name="event_publish_at_idx"),
            # The countries public events involve (the timeline's country filter): read from
            # this index alone, never from the table's rows with their bodies.
            models.Index(fields=["status", "countries", "publish_at"], name="event_countries_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        clean_each_language(self, "title", clean_text)
        clean_each_language(self, "place", clean_text)
        clean_each_language(self, "summary", functools.partial(clean_text, multiline=True))
        clean_each_language(self, "change_note", clean_text)
        clean_each_language(self, "body", stored_body)
        parsed = parse_event_date(self.date)
        self.date_entered = date_as_entered(self.date, parsed.edtf, self.date_entered)
        self.date = parsed.edtf
        self.date_start, self.date_end = parsed.bounds()
        self.date_precision = parsed.precision
        now = timezone.now()
        corrected = translated = False
        loaded_notes = getattr(self, "_loaded_change_notes", self.change_notes())
        if self.status == self.Status.PUBLISHED:
            if self.publish_at is None or self._waited_past_its_time(now):
                self.publish_at = now
            # Set once, when the event first becomes public; a scheduled time may still move.
            if self.first_published_at is None or self.first_published_at > now:
                self.first_published_at = self.publish_at
            # A new public change note on an event already out is a significant update. The note
            # is written in German first; an English one alone translates the note already given.
            elif self.change_note_de and self.change_note_de != loaded_notes.get(SOURCE_LANGUAGE):
                self.revised_at = now
                corrected = True
                # A translation left as it was belongs to the note before: readers of that
                # language get the new German note instead of the old one's translation.
                for language in LANGUAGES:
                    name = column("change_note", language)
                    if language != SOURCE_LANGUAGE and getattr(self, name) == loaded_notes.get(language):
                        setattr(self, name, None)
            else:
                translated = self.change_notes() != loaded_notes
        elif self.first_published_at is not None and self.first_published_at > now:
            # A scheduled first publication called off before its time (back to draft, or
            # withdrawn) never happened: readers never saw the event, and a later publication
            # is its first (Event.objects.gone(), the feeds' order).
            self.first_published_at = None
        if self.status == self.Status.WITHDRAWN:
            self.withdrawn_at = self.withdrawn_at or now
        else:
            self.withdrawn_at = None
        self.withdrawal_reason = clean_text(self.withdrawal_reason)
        slug_given = bool(self.slug)
        if not slug_given:
            self.slug = self._free_slug()
        for name, document in make_search_documents(self).items():
            setattr(self, name, document)
        loaded_status = getattr(self, "_loaded_status", None)
        loaded_publish_at = getattr(self, "_loaded_publish_at", None)
        # Public as stored (the version check below makes sure it is this object's), and as saved
        # (a naive time, which only code can give, is refused as the row is written).
        was_public = (
            loaded_status == self.Status.PUBLISHED and loaded_publish_at is not None and loaded_publish_at <= now
        )
        stays_public = (
            self.status == self.Status.PUBLISHED and timezone.is_aware(self.publish_at) and self.publish_at <= now
        )
        with transaction.atomic():
            if was_public and not stays_public and not self._state.adding:
                self._keep_public_state()
            self._claim_next_version()
            self._save_row(slug_given, *args, **kwargs)
            if corrected:
                # Listed on the event's page from now on, as readers were told it, in each
                # language it was written in.
                notes = {
                    column("note", language): getattr(self, column("change_note", language)) for language in LANGUAGES
                }
                Correction.objects.create(event=self, created_at=now, **notes)
            elif translated:
                self._translate_latest_correction()
            decided = loaded_status is not None and loaded_status != self.status and self.status in PUBLISHING_STATES
            if decided or was_public or stays_public:
                # A preview link shows what is not decided yet and not public. Once a publisher
                # publishes or withdraws the event, or a save finds it public (its scheduled time
                # passed, or was set to now), the links shared before stop for good: revoked, so
                # that no later expiry a publisher sets opens them again; taken back to a draft,
                # the event is not theirs to show again.
                self.preview_links.filter(revoked_at__isnull=True).update(revoked_at=now)
        old_slug = getattr(self, "_loaded_slug", None)
        if old_slug and old_slug != self.slug:
            # The old address keeps working: it redirects permanently to the new one. One that
            # leads to another event stays that event's (validate_unique keeps it from being
            # taken; a save without validation must not re-point it either).
            PreviousSlug.objects.get_or_create(slug=old_slug, defaults={"event": self})
            self.previous_slugs.filter(slug=self.slug).delete()
        self._loaded_slug = self.slug
        self._loaded_change_notes = self.change_notes()
        self._loaded_status = self.status
        self._loaded_publish_at = self.publish_at

    def get_absolute_url(self) -> str:
        return reverse("timeline:event-detail", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None):
        given = self.date
        super().clean_fields(exclude=exclude)
        # The date field has normalised the date to EDTF: keep how it was written, which save()
        # no longer sees.
        if self.date != given:
            self.date_entered = date_as_entered(given, self.date, self.date_entered)

    def clean(self):
        errors = {}
        codes = [country.code for country in self.countries]
        repeated = sorted({country.name for country in self.countries if codes.count(country.code) > 1})
        if repeated:
            message = _("Each country once, please: %(countries)s given twice.")
            errors["countries"] = ValidationError(message % {"countries": ", ".join(repeated)}, code="repeated")
        if self.status == self.Status.WITHDRAWN and not clean_text(self.withdrawal_reason):
            message = _("Say publicly why the event is withdrawn; readers will see it.")
            errors["withdrawal_reason"] = ValidationError(message, code="reason_required")
        for language in LANGUAGES:  # the body in each language, under its own column
            body = column("body", language)
            # A link the sanitiser would drop is named, not lost without a word (text.body_link).
            stored, dropped = cleaned_and_dropped(getattr(self, body))
            if dropped:
                errors[body] = [ValidationError(unpublishable_link(address), code="link") for address in dropped]
            elif len(stored) > BODY_MAX_LENGTH:
                # The limit holds for the body as stored, or the event could not be saved again:
                # cleaning completes links and writes "&" as "&amp;", so a body under it as typed
                # may grow past it.
                message = _(
                    "As stored (links completed, special characters written out), the body would have "
                    "%(length)s characters; at most %(max)s are possible. Please shorten it."
                )
                errors[body] = ValidationError(
                    message, code="max_length", params={"length": len(stored), "max": BODY_MAX_LENGTH}
                )
        for name, error in translations_without_source(self, ("summary", "body", "place", "change_note")).items():
            errors.setdefault(name, error)  # a refused link says more than "German first"
        if errors:
            raise ValidationError(errors)

    def _free_slug(self) -> str:
        # From the German title, so that an event's address does not depend on who saved it.
        return unique_slug(Event, make_slug(self.title_de or "", f"{self.kind}-{self.date_start.isoformat()}"), self.pk)

    def _waited_past_its_time(self, now: datetime.datetime) -> bool:
        """Whether this save first publishes the event with a publication time that passed while
        it waited unpublished, one this save does not set (the publisher's one-click action, or a
        change of the status alone). It becomes public now, not at that time: dated back, it
        would enter the feeds below entries published since, where subscribers never see it. A
        past time set in the same save as the status is kept: a publisher dating an event back."""
        return (
            self.first_published_at is None
            and self.publish_at == getattr(self, "_loaded_publish_at", None)
            and self.publish_at < now
        )

    def _keep_public_state(self) -> None:
        """Keep the stored state, which the public sees until this save, as a revision, unless
        the latest revision holds it already (the admin, the API and the importer record one
        after each save). What the public last saw is read from the revisions
        (`last_public_state`); an event made public by another path (the seed, a script) would
        otherwise leave none, and its withdrawn page would have nothing it may show."""
        from .revisions import action_for, record  # revisions builds on the API's serializer

        recorded = Revision.objects.filter(event_public_id=self.public_id).values_list("version", "status").first()
        if recorded is not None and recorded[0] == self.version:
            return
        stored = Event.objects.get(pk=self.pk)
        # With no revision before it, the state kept is the publication itself: "published",
        # not "created" (its creation was not recorded, and happened earlier).
        action = action_for(recorded[1], stored.status) if recorded else Revision.Action.PUBLISHED
        record(stored, None, action)

    def _save_row(self, slug_given: bool, *args, **kwargs) -> None:
        """Write the row. Two events with one title saved at the same instant find the same free
        slug; on PostgreSQL the later insert fails on the unique index once the earlier commits.
        A slug the service chose is then chosen again (in a savepoint, so the transaction goes on);
        one the editor gave is theirs, and the clash is reported."""
        for attempt in range(SLUG_ATTEMPTS):
            try:
                with transaction.atomic():
                    save_in_source_language(super().save, *args, **kwargs)
                return
            except IntegrityError:
                taken = Event.objects.filter(slug=self.slug).exclude(pk=self.pk).exists()
                if slug_given or not taken or attempt == SLUG_ATTEMPTS - 1:
                    raise
                self.slug = self._free_slug()

    def _claim_next_version(self) -> None:
        """Move the stored version on by one, but only from the version this object was read at.

        One conditional UPDATE, atomic on every database: of two editors who started from the
        same version, the second gets StaleEvent instead of silently overwriting the first.
        """
        if self._state.adding or self.pk is None:
            self.version = max(self.version, 1)
            return
        claimed = Event.objects.filter(pk=self.pk, version=self.version).update(version=models.F("version") + 1)
        if not claimed:
            current = Event.objects.filter(pk=self.pk).values_list("version", flat=True).first()
            raise StaleEvent(self, current)
        self.version += 1

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the slug as loaded, so a change can leave a redirect behind, and the change
        # note, so that a new one can be told from an unchanged one.
        instance._loaded_slug = instance.__dict__.get("slug")
        instance._loaded_change_notes = instance.change_notes()
        # And the status, so that publishing or withdrawing can stop the event's preview links.
        instance._loaded_status = instance.__dict__.get("status")
        # And the publication time: one that passed while the event waited unpublished is not
        # taken as its first publication (`_waited_past_its_time`).
        instance._loaded_publish_at = instance.__dict__.get("publish_at")
        return instance

    def _translate_latest_correction(self) -> None:
        """Give the latest correction the change note's other languages as they are now, if it
        is the correction of the German note still given: the note's translation was added or
        corrected, which tells readers of nothing new (no new correction, `revised_at` kept)."""
        latest = self.corrections.order_by("-created_at", "-pk").first()
        if latest is None or latest.note_de != self.change_note_de:
            return
        others = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
        for language in others:
            setattr(latest, column("note", language), getattr(self, column("change_note", language)))
        latest.save(update_fields=[column("note", language) for language in others])

    def change_notes(self) -> dict[str, str | None]:
        """The public change note by language, None where there is none (or it was not loaded)."""
        return {language: self.__dict__.get(column("change_note", language)) for language in LANGUAGES}

    @property
    def event_date(self) -> EventDate:
        """The date as a structured value (EDTF, bounds, precision)."""
        return stored_event_date(self.date)

    def body_html(self) -> str:
        """The body, sanitised again at output so no write path (even a bulk update) can bypass it."""
        return mark_safe(sanitize_html(self.body))  # noqa: S308  (nh3 has just cleaned it)

    def date_display(self, language: str | None = None) -> str:
        """The date as readers see it, in the given or active language."""
        return self.event_date.display(language)

    date_display.short_description = _("date")

    @property
    def last_significant_update(self) -> datetime.datetime | None:
        """When readers should consider the event last updated: a significant change, else first publication."""
        return self.revised_at or self.first_published_at

    def is_public(self) -> bool:
        """Whether the public may see this event now (the same rule as `Event.objects.public()`)."""
        return (
            self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= timezone.now()
        )

    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def is_scheduled(self) -> bool:
        """Whether the event is published with a publication time still in the future."""
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > timezone.now()

    def last_public_state(self) -> Event | None:
        """The event as the public last saw it, for its page and .ics once it is withdrawn (410):
        an unsaved Event, for display only, with the title (in each language), date and slug of
        the latest revision whose state was public (published, its publication time reached
        before the next revision replaced it), the withdrawal time and reason as they are now,
        and `public_slugs`, every address a public state had. None if no revision holds a public
        state (the event was withdrawn before revisions were kept). One query.

        The current record may hold what was written after the event left the public (a new
        title, date or slug for a draft); the public saw none of it. Event.save keeps the state
        the public saw as a revision when the event leaves the public, whichever path saves it."""
        shown = ("data__slug", "data__title", "data__title_en", "data__date")
        rows = list(
            Revision.objects.filter(event_public_id=self.public_id)
            .order_by("created_at", "pk")
            .values_list("action", "status", "created_at", "data__publish_at", *shown)
        )
        seen, slugs = None, set()
        for index, (action, status, saved_at, publish_at, slug, title, title_en, edtf) in enumerate(rows):
            # A state lasts until the next revision replaces it, or until the event is deleted.
            if action == Revision.Action.DELETED:
                until = saved_at
            else:
                until = rows[index + 1][2] if index + 1 < len(rows) else timezone.now()
            public_from = parse_datetime(publish_at) if publish_at else None
            if status == self.Status.PUBLISHED and public_from is not None and public_from <= until:
                seen = {"slug": slug, "title_de": title, "title_en": title_en or None, "date": edtf}
                slugs.add(slug)
        if seen is None:
            return None
        state = Event(
            public_id=self.public_id,
            status=self.status,
            first_published_at=self.first_published_at,
            withdrawn_at=self.withdrawn_at,
            withdrawal_reason=self.withdrawal_reason,
            **seen,
        )
        state.public_slugs = slugs
        return state

    def is_gone(self) -> bool:
        """Whether the event is withdrawn after the public saw it (the rule of `objects.gone()`):
        its page tells the public when and why (410); any other withdrawn event never was public."""
        first, withdrawn = self.first_published_at, self.withdrawn_at
        return (
            self.status == self.Status.WITHDRAWN
            and first is not None
            and withdrawn is not None
            and first <= withdrawn
            and first <= timezone.now()
        )


SIMILAR_TITLES = 0.9  # difflib's ratio of two folded titles from which they probably name one event


def title_key(title: str) -> str:
    """A title as compared for likeness: folded as search folds it, words only."""
    return " ".join(re.findall(r"\w+", search_text(title)))


def similar_events(title: str, date: EventDate, exclude_pk=None) -> list[Event]:
    """Events, in any state, that are probably the one described: their possible days overlap
    `date`'s and their title is the same, or nearly (difflib's ratio of `title_key`s at least
    SIMILAR_TITLES: a changed word ending, a typo). The admin asks before saving such an event."""
    start, end = date.bounds()
    key = title_key(title)
    candidates = Event.objects.filter(date_start__lte=end, date_end__gte=start).exclude(pk=exclude_pk)
    found = []
    # Compared by the German titles, which every event has, whatever language the editor reads.
    for event in candidates.only("pk", "title_de", "title_en", "slug", "date", "status", "publish_at"):
        matcher = difflib.SequenceMatcher(None, key, title_key(event.title_de or ""))
        if matcher.real_quick_ratio() >= SIMILAR_TITLES and matcher.ratio() >= SIMILAR_TITLES:
            found.append(event)
    return found


# The languages a name may be given in besides its Latin spelling (BCP 47 tags, as pages put them
# in `lang` and JSON-LD in `@language`): those of the scripts a press office meets, a closed list
# so every tag is one browsers, screen readers and fonts know.
ORIGINAL_NAME_LANGUAGES = [
    ("ja", _("Japanese")),
    ("zh", _("Chinese")),
    ("ko", _("Korean")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("bg", _("Bulgarian")),
    ("sr", _("Serbian")),
    ("el", _("Greek")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("he", _("Hebrew")),
    ("hi", _("Hindi")),
    ("th", _("Thai")),
    ("ka", _("Georgian")),
    ("hy", _("Armenian")),
    ("mn", _("Mongolian")),
]


class Participant(models.Model):
    """A person at an event, with the office they held then.

    `name` is the Latin spelling every page uses; `original_name` the same name in its own script
    (城内実), with `original_language`, its BCP 47 tag, given with it and only with it (`clean`).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=200, validators=[validate_not_blank])
    original_name = models.CharField(
        _("name in original script"),
        max_length=200,
        blank=True,
        help_text=_("The name in its own script, such as 城内実; the name above stays in Latin script."),
    )
    original_language = models.CharField(
        _("language of the original name"), max_length=8, blank=True, choices=ORIGINAL_NAME_LANGUAGES
    )
    role = models.CharField(_("office held"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.original_name = clean_text(self.original_name)
        self.role = clean_text(self.role)
        self.organisation = clean_text(self.organisation)
        super().save(*args, **kwargs)

    def clean(self):
        # Pages mark the original with its language (lang="ja"), so one is no use without the other.
        self.original_name = clean_text(self.original_name)
        if self.original_name and not self.original_language:
            message = _("Choose the language of the name in its original script.")
            # Not code "required": a ModelForm would put its generic "required" message in place of this one.
            raise ValidationError({"original_language": ValidationError(message, code="original_language_missing")})
        if self.original_language and not self.original_name:
            message = _("A language is given only with a name in its original script.")
            raise ValidationError({"original_name": ValidationError(message, code="original_name_missing")})


class SourceLink(models.Model):
    """A public source for an event, such as a press release."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sources")
    url = WebURLField(_("web address"), max_length=500)
    title = models.CharField(_("title"), max_length=300, validators=[validate_not_blank])
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.url = web_address(self.url or "")
        self.title = clean_text(self.title)
        self.publisher = clean_text(self.publisher)
        super().save(*args, **kwargs)


class Correction(models.Model):
    """A significant correction of a published event: its public change note and when it was made.

    Written when a published event is saved with a new change note (Event.save), so the event's
    page lists its corrections without reading its revisions.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("event"))
    note = models.CharField(_("public change note"), max_length=500)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return self.note


class PreviousSlug(models.Model):
    """A slug an event had before; its old URL redirects permanently to the current one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="previous_slugs", verbose_name=_("event"))
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True)
    replaced_at = models.DateTimeField(_("replaced"), auto_now=True)

    class Meta:
        verbose_name = _("previous slug")
        verbose_name_plural = _("previous slugs")

    def __str__(self) -> str:
        return self.slug


class FormerSlug(models.Model):
    """A slug a topic or series had before (EventGrouping): still taken as the current one."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    replaced_at = models.DateTimeField(_("replaced"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.slug


class FormerTopicSlug(FormerSlug):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="former_slugs", verbose_name=_("topic"))

    class Meta:
        verbose_name = _("former slug of a topic")
        verbose_name_plural = _("former slugs of topics")


class FormerSeriesSlug(FormerSlug):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="former_slugs", verbose_name=_("series"))

    class Meta:
        verbose_name = _("former slug of a series")
        verbose_name_plural = _("former slugs of series")


class SiteRevision(models.Model):
    """A counter bumped by every change to published content: the content version that all
    cached output is keyed by is derived from it (timeline/cache.py).

    One row, updated in the writing transaction, so the version moves when the change commits
    and not if it rolls back.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("site revision")

    def __str__(self) -> str:
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def bump(cls) -> None:
        """Record that content changed (atomic in the database, safe under concurrency)."""
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(number=models.F("number") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})

    @classmethod
    def current(cls) -> SiteRevision:
        """The current revision (number 0 before the first change)."""
        return cls.objects.filter(pk=1).first() or cls(
            pk=1, number=0, changed_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
        )


PUBLISHING_STATES = {Event.Status.PUBLISHED, Event.Status.WITHDRAWN}


def may_change(user, event: Event, new_status: str | None = None) -> bool:
    """Whether `user` may save `event` (moving it to `new_status`): the workflow's one rule.

    Editors create and edit drafts and submit them for review. Publishing, scheduling,
    withdrawing, restoring, and any change to an event that is published or withdrawn, need the
    publisher's permission ("timeline.publish_event").
    """
    if user is None or user.has_perm("timeline.publish_event"):
        return True
    stored = event.status if event.pk else Event.Status.DRAFT
    target = new_status or event.status
    return stored not in PUBLISHING_STATES and target not in PUBLISHING_STATES


def may_preview(user) -> bool:
    """Whether `user` may read events the public cannot (drafts, events in review, scheduled and
    withdrawn ones) where the public reads published ones: the event page, the API. The view
    permission on events ("timeline.view_event", which editors and publishers have) decides;
    being staff alone does not, nor a session still owing its second step (two_step)."""
    from .two_step import second_step_missing  # here: two_step imports the admin, which imports this

    return user is not None and user.has_perm("timeline.view_event") and not second_step_missing(user)


class Revision(models.Model):
    """One saved state of an event: who did what when, and the whole record as it then was.

    Written after every save and before every deletion (admin, API, import), so any earlier state
    can be compared and restored, and a deleted event recovered; and by Event.save for the state
    a public event leaves if none holds it, as what its withdrawn page may show
    (Event.last_public_state). Restoring goes through the same validation as any other write and
    makes a new revision; history is never rewritten.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        SUBMITTED = "submitted", _("submitted for review")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("unpublished")
        WITHDRAWN = "withdrawn", _("withdrawn")
        RESTORED = "restored", _("restored")
        DELETED = "deleted", _("deleted")

    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions", verbose_name=_("event")
    )
    event_public_id = models.UUIDField(_("event"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    status = models.CharField(_("status"), max_length=20, choices=Event.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    data = models.JSONField(_("record"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_action_display()})"


def new_preview_token() -> str:
    return secrets.token_urlsafe(32)


def preview_link_expiry() -> datetime.datetime:
    """When a preview link made now stops: PREVIEW_LINK_MAX_AGE days from now (settings)."""
    return timezone.now() + datetime.timedelta(days=settings.PREVIEW_LINK_MAX_AGE)


class PreviewLink(models.Model):
    """A secret, revocable address at which anyone holding it sees an unpublished event, until it
    expires: PREVIEW_LINK_MAX_AGE days after it was made unless a publisher sets another time,
    and for good once the event is published or withdrawn, or the public has seen it since (a
    save then sets the expiry to its time: Event.save; a scheduled time that passed with no save
    shows in the first publication time: `is_open`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("event"))
    token = models.CharField(max_length=64, unique=True, default=new_preview_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("expires"),
        default=preview_link_expiry,
        validators=PUBLICATION_TIME_VALIDATORS,
        help_text=_("The link stops working at this time, and at once when the event is published or withdrawn."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return f"{self.event} ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("timeline:event-preview", kwargs={"token": self.token})

    def is_open(self) -> bool:
        """Whether the link still works: neither revoked nor expired, and its event not first
        published between the link's making and now: a link made for a scheduled event has served
        once the time came, even if nothing saved the event then, and whatever a publisher later
        sets as its expiry."""
        now = timezone.now()
        first = self.event.first_published_at
        first_public_since = first is not None and self.created_at <= first <= now
        return self.revoked_at is None and self.expires_at > now and not first_public_since
