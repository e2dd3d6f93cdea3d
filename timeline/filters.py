"""One filter for every surface: the timeline page, the API and the feeds select events alike.

Query parameters: ``country`` (ISO code, repeatable), ``topic`` (slug, repeatable), ``kind``,
``series`` (slug), ``from`` and ``to`` (dates in any form the date field accepts; an event matches
when its date range overlaps), ``q`` (text search). Repeated values of one parameter are
alternatives (``country=DE&country=FR``: either); different parameters must all hold.
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field

from .cache import get_or_set
from .dates import parse_event_date
from .languages import LANGUAGES, column
from .models import Event, Series, Topic
from .text import search_text

MAX_SEARCH_LENGTH = 200
MAX_VALUES = 20  # per repeatable parameter: more is never a person, and each costs a condition


class CountryCodesField(forms.MultipleChoiceField):
    """ISO 3166-1 alpha-2 codes, case-insensitive, with a message naming the unknown code."""

    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not a country code (use ISO 3166-1 alpha-2, such as DE or JP)."),
        "too_many": _("Choose at most %(max)s values."),
    }

    def to_python(self, value):
        return [code.strip().upper() for code in super().to_python(value) if code.strip()]

    def validate(self, value):
        if len(value) > MAX_VALUES:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"max": MAX_VALUES})
        for code in value:
            if code not in countries:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code[:10]}
                )


class DateBoundField(forms.CharField):
    """A date in any form the event date field accepts; `2024` as a start means 1 January."""

    def __init__(self, *, end: bool, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value) -> datetime.date | None:
        text = super().to_python(value)
        if not text:
            return None
        # The parser refuses overlong input with its own message.
        first, last = parse_event_date(text, check_edtf=False).bounds()
        return last if self.end else first


@extend_schema_field(
    {
        "type": "string",
        "example": "2024-10-01",
        "description": "A date in any form the date field accepts: 2024, 2024-10, Ende 2024, 26.06.2025.",
    }
)
class DateBoundFilter(django_filters.Filter):
    field_class = DateBoundField


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "description": "ISO 3166-1 alpha-2 codes; repeat for several (any of them).",
    }
)
class CountryFilter(django_filters.Filter):
    field_class = CountryCodesField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            # Named under `to` (the API's 400 body names a parameter, not "__all__").
            self.add_error(
                "to",
                ValidationError(
                    _("The start of the period (%(start)s) is after its end (%(end)s)."),
                    code="from_after_to",
                    params={"start": start.isoformat(), "end": end.isoformat()},
                ),
            )
        return cleaned


def current_slugs(among: QuerySet[Topic] | QuerySet[Series], slugs: list[str]) -> dict[str, str]:
    """{former slug: current slug} for those of `slugs` that are a former slug of one of `among`
    (topics or series: EventGrouping), in one query. `among` is what the reader may filter by: a
    former slug of a topic the public does not see must not tell its new one."""
    found = among.filter(former_slugs__slug__in=slugs)
    return dict(found.values_list("former_slugs__slug", "slug"))


class SlugsField(django_filters.fields.ModelMultipleChoiceField):
    """Slugs of topics or series; a former slug is taken as the current one, so an address or a
    feed subscription made before the change keeps selecting what it did."""

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            renamed = current_slugs(self.queryset, [str(slug) for slug in value or []])
            if not renamed:
                raise
            return super().clean([renamed.get(str(slug), slug) for slug in value])


# One value's schema: drf-spectacular makes a multiple-choice filter an array of it (explode=true).
@extend_schema_field({"type": "string", "description": "Topic slugs; repeat for several (any of them)."})
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Topics by slug; an unknown slug is named in the message instead of being ignored."""

    field_class = SlugsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("There is no topic “%(value)s”."), "invalid_pk_value": _("“%(pk)s” is not a topic.")},
        )
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "description": "Series slugs; repeat for several (any of them)."})
class SeriesFilter(SlugMultipleChoiceFilter):
    """Series by slug, as topics are."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _("There is no series “%(value)s”."),
                "invalid_pk_value": _("“%(pk)s” is not a series."),
            },
        )
        super().__init__(*args, **kwargs)


def offered(model: type[Topic | Series]):
    """The `queryset` of a filter by topic or series, called with the request (None on pages and
    feeds): those the requester may see (`visible_to`), so a slug only unpublished events use is
    refused to the public as one that does not exist, and its name is nowhere to be read."""

    def choices(request) -> QuerySet:
        return model.objects.visible_to(getattr(request, "user", None))

    return choices


class EventFilter(django_filters.FilterSet):
    """Maps the shared query parameters onto event querysets."""

    country = CountryFilter(method="filter_country", label=_("Country"))
    topic = SlugMultipleChoiceFilter(queryset=offered(Topic), method="filter_topic", label=_("Topic"))
    kind = django_filters.MultipleChoiceFilter(
        choices=Event.Kind.choices,
        method="filter_kind",
        label=_("Kind"),
        error_messages={"invalid_choice": _("“%(value)s” is not a kind of event.")},
    )
    series = SeriesFilter(queryset=offered(Series), method="filter_series", label=_("Series"))
    date_from = DateBoundFilter(end=False, method="filter_from", label=_("From"))
    date_to = DateBoundFilter(end=True, method="filter_to", label=_("To"))
    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=MAX_SEARCH_LENGTH)

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # An empty value filters nothing (`?topic=` as a form leaves it), on every surface.
            data = data.copy()
            for name in list(data):
                data.setlist(name, [value for value in data.getlist(name) if value.strip()])
        super().__init__(data, *args, **kwargs)

    def filter_country(self, queryset: QuerySet[Event], name: str, codes: list[str]) -> QuerySet[Event]:
        if not codes:
            return queryset
        # Countries are stored as "DE,JP"; a two-letter code can only match inside one code.
        condition = Q()
        for code in codes:
            condition |= Q(countries__contains=code)
        return queryset.filter(condition)

    def filter_topic(self, queryset: QuerySet[Event], name: str, topics: list[Topic]) -> QuerySet[Event]:
        if not topics:
            return queryset
        # EXISTS rather than a join: no duplicate rows, no DISTINCT over the whole page.
        slugs = sorted(topic.slug for topic in topics)
        tagged = Event.topics.through.objects.filter(event_id=OuterRef("pk"), topic__slug__in=slugs)
        return queryset.filter(Exists(tagged))

    def filter_kind(self, queryset: QuerySet[Event], name: str, kinds: list[str]) -> QuerySet[Event]:
        return queryset.filter(kind__in=kinds) if kinds else queryset

    def filter_series(self, queryset: QuerySet[Event], name: str, series: list[Series]) -> QuerySet[Event]:
        return queryset.filter(series__slug__in=[one.slug for one in series]) if series else queryset

    def filter_from(self, queryset: QuerySet[Event], name: str, day: datetime.date) -> QuerySet[Event]:
        return queryset.filter(date_end__gte=day)

    def filter_to(self, queryset: QuerySet[Event], name: str, day: datetime.date) -> QuerySet[Event]:
        return queryset.filter(date_start__lte=day)

    def filter_search(self, queryset: QuerySet[Event], name: str, text: str) -> QuerySet[Event]:
        return search(queryset, text)


def search(queryset: QuerySet[Event], text: str) -> QuerySet[Event]:
    """The events of `queryset` that `text` finds, as the public search finds them (the page,
    the API, the feeds and the admin's search box)."""
    text = " ".join(text.split())
    if not WORD.search(search_text(text)):
        return queryset  # nothing to look for (invisible characters, "-", quotes): no filter, on both databases
    if connection.vendor == "postgresql":
        return search_postgresql(queryset, text)
    return search_portable(queryset, text)


# `from` is a Python keyword, so the filters are declared under other names and renamed here;
# the form fields, the API and the error messages all use the public names.
EventFilter.base_filters["from"] = EventFilter.base_filters.pop("date_from")
EventFilter.base_filters["to"] = EventFilter.base_filters.pop("date_to")
EventFilter.base_filters["q"] = EventFilter.base_filters.pop("q")  # keep q last, as on the page

PARAMETERS = list(EventFilter.base_filters)


@dataclass
class Selection:
    """The events a set of query parameters selects, and what could not be applied."""

    events: QuerySet[Event]
    errors: list[str]  # one readable message per refused value, naming the parameter
    applied: list[tuple[str, str]]  # the parameters that were applied, in a stable order
    # The values given that are a former slug of a topic or series: {(parameter, value): current
    # slug}; `applied` has the current one.
    renamed: dict[tuple[str, str], str] = field(default_factory=dict)
    # The first and the last day the applied `from` and `to` select (None where not applied).
    period: tuple[datetime.date | None, datetime.date | None] = (None, None)

    @property
    def query_string(self) -> str:
        """The applied parameters as "?a=b&…", or "" when nothing is filtered."""
        return ("?" + urlencode(self.applied)) if self.applied else ""


REPEATABLE = ("country", "topic", "kind", "series")  # repeated values are alternatives


def without_refused_values(params: QueryDict) -> tuple[QueryDict, list[str]]:
    """`params` without the values of repeatable parameters that are refused one by one, and a
    message for each: `?country=XX&country=FR` still selects France, and says what XX is."""
    kept, errors = params.copy(), []
    filters = EventFilter(params).filters
    for name in REPEATABLE:
        values = [value for value in params.getlist(name) if value.strip()]
        good = []
        for value in values:
            try:
                filters[name].field.clean([value])
            except ValidationError as error:
                errors.extend(f"{filters[name].label}: {message}" for message in error.messages)
            else:
                good.append(value)
        kept.setlist(name, good)
    return kept, errors


def applied_value(name: str, value: str) -> str:
    """A value as the address of the selection holds it: a country code in capitals."""
    return value.strip().upper() if name == "country" else value


def select_events(params: QueryDict, queryset: QuerySet[Event]) -> Selection:
    """Apply the shared query parameters to `queryset`; a refused value is reported, not applied,
    and the values given with it still are."""
    if not any(name in params for name in PARAMETERS):
        # Nothing to filter by (a page link's position is not a filter): the events as they are.
        return Selection(events=queryset.all(), errors=[], applied=[])
    params, errors = without_refused_values(params)
    filterset = EventFilter(params, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        for name, messages in filterset.errors.items():
            label = filterset.filters[name].label if name in filterset.filters else None
            errors.extend(f"{label}: {message}" if label else message for message in messages)
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    renamed = former_slugs_given(params, cleaned)
    applied: list[tuple[str, str]] = []
    for name in PARAMETERS:
        if cleaned.get(name) in (None, "", []):
            continue
        for value in params.getlist(name):
            pair = (name, renamed.get((name, value)) or applied_value(name, value))
            if value.strip() and pair not in applied:  # `?country=jp&country=JP` is one filter
                applied.append(pair)
    period = (cleaned.get("from"), cleaned.get("to"))
    return Selection(events=filterset.qs, errors=errors, applied=applied, period=period, renamed=renamed)


def former_slugs_given(params: QueryDict, cleaned: dict) -> dict[tuple[str, str], str]:
    """{(parameter, value): current slug} for the topic and series values of `params` that are a
    former slug (`cleaned`, the filter's data, holds the topics and series they selected); asks
    the database only when such a value was given."""
    renamed = {}
    for name in ("topic", "series"):
        current = {one.slug for one in cleaned.get(name) or []}
        former = [value for value in params.getlist(name) if value.strip() and value not in current]
        if current and former:
            model = {"topic": Topic, "series": Series}[name]
            # Only to what was selected: the filter took these former slugs as those.
            found = current_slugs(model.objects.filter(slug__in=current), former)
            renamed.update(((name, old), new) for old, new in found.items())
    return renamed


# A quoted phrase (its closing quote optional, as in web search) or a word.
_TERM_RE = re.compile(r'"([^"]*)"?|([^\s"]+)')


def search_portable(queryset: QuerySet[Event], text: str) -> QuerySet[Event]:
    """Every word or quoted phrase (at most 10) must occur in the event's search text.

    Both sides are in the form `search_text` gives, so width, composition and case do not matter
    for any letter (SQLite's LIKE alone folds only ASCII); a Chinese, Japanese or Korean run is
    one phrase of its characters and pairs, found inside any longer run.
    """
    terms = (" ".join(phrase.split()) or word for phrase, word in _TERM_RE.findall(search_text(text, phrases=True)))
    for term in [term for term in terms if term][:10]:
        queryset = queryset.filter(search_document__icontains=term)
    return queryset


# PostgreSQL's text search configuration for each record language's search text.
SEARCH_CONFIGURATIONS = {"de": "german", "en": "english"}
# What PostgreSQL's search matches: each language's text with that language's stemming, and
# every word as written ("simple": names such as "Kiuchi", in any language), as one tsvector, so
# that every term of a query is looked for in all of an event's texts together.
SEARCHED_DOCUMENTS = [
    *((column("search_document", language), SEARCH_CONFIGURATIONS[language]) for language in LANGUAGES),
    ("search_document", "simple"),
]


def search_vector() -> SearchVector:
    """`to_tsvector('german', …) || to_tsvector('english', …) || to_tsvector('simple', …)` over
    SEARCHED_DOCUMENTS: the expression of the GIN index `event_search_idx` (migration 0023)."""
    return functools.reduce(
        operator.add, (SearchVector(document, config=config) for document, config in SEARCHED_DOCUMENTS)
    )


# A term of a web-search query: a quoted phrase (its closing quote optional) or a word, excluded
# when a "-" stands before it (a run of them, spaces between allowed, as PostgreSQL reads it).
_QUERY_TERM_RE = re.compile(r'(?P<exclude>(?:-\s*)*)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"-][^\s"]*))')


def split_query(query: str) -> tuple[str, str]:
    """A web-search query as two web-search queries: what must be found, and what excludes.

    `kiuchi or reiche -trifft "raw materials"` gives `"kiuchi" or "reiche" "raw materials"` and
    `-"trifft"`. Each term is quoted, so PostgreSQL reads it as it reads the event's text (a
    "<" or "!" inside a word is no operator). `or` between two found terms joins them; beside an
    excluded term it has nothing to join and is dropped; at either end of the query it is a word.
    """
    terms = [(bool(match["exclude"]), match["phrase"], match["word"]) for match in _QUERY_TERM_RE.finditer(query)]
    found: list[str] = []
    excluded: list[str] = []
    joined = False  # an `or` stands between the last term and the next
    for position, (exclude, phrase, word) in enumerate(terms):
        if word == "or" and not exclude and 0 < position < len(terms) - 1:
            joined = not terms[position - 1][0]
            continue
        term = " ".join((phrase if phrase is not None else word).split())
        if not term:
            continue  # `""`: nothing to look for
        term = f'"{term}"'
        if exclude:
            excluded.append(f"-{term}")
            joined = False
            continue
        if joined and found:
            found.append("or")
        found.append(term)
        joined = False
    return " ".join(found), " ".join(excluded)


def search_postgresql(queryset: QuerySet[Event], text: str) -> QuerySet[Event]:
    """Full-text search over all of an event's texts at once, per language: German stemming
    ("Gesprächen" finds "Gespräch"), English stemming ("meetings" finds "meeting") or any word as
    written (names such as "Kiuchi" or 城内実), answered from one GIN index; web-search syntax
    (`"…"`, `or`, `-`). An excluded term excludes every event that the term alone would find, in
    any text and any of its forms. The query is in the form `search_text` gives, as the texts are.
    """
    found, excluded = split_query(search_text(text, phrases=True))
    configs = [config for _document, config in SEARCHED_DOCUMENTS]
    conditions = []
    if found:
        # The found terms with each language's rules in turn (its stemming, its stop words): an
        # English query word that is a German stop word ("war") still finds the English text.
        conditions.append(
            functools.reduce(
                operator.or_, (SearchQuery(found, config=config, search_type="websearch") for config in configs)
            )
        )
    # Each excluded term in every language's form: `-Gesprächen` is "gesprach" in German rules
    # and "gesprächen" in English ones, and the event with "Gespräch" must go whichever matched.
    if excluded:
        conditions.extend(SearchQuery(excluded, config=config, search_type="websearch") for config in configs)
    # The vector is written exactly as the index holds it, so PostgreSQL answers from it.
    return queryset.filter(SearchVectorExact(search_vector(), functools.reduce(operator.and_, conditions)))


WORD = re.compile(r"\w")


def describe_value(name: str, value: str, topics: dict[str, str], series: dict[str, str]) -> str:
    """A filter value as a reader should see it: names, not codes."""
    if name == "country":
        return countries.name(value.strip().upper()) or value
    if name == "topic":
        return topics.get(value, value)
    if name == "series":
        return series.get(value, value)
    if name == "kind":
        return str(dict(Event.Kind.choices).get(value, value))
    return value


def describe_applied(
    selection: Selection, topics: dict[str, str] | None = None, series: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """The applied filters as (label, value) a reader understands: ("Land", "Japan").

    `topics` and `series` map slugs to names; when not given, they are read if needed.
    """
    names = {name for name, _value in selection.applied}
    if topics is None:
        topics = dict(Topic.objects.values_list("slug", "name")) if "topic" in names else {}
    if series is None:
        series = dict(Series.objects.values_list("slug", "name")) if "series" in names else {}
    return [
        (str(EventFilter.base_filters[name].label), describe_value(name, value, topics, series))
        for name, value in selection.applied
    ]


def used_countries() -> set[str]:
    """The codes of the countries public events involve."""
    codes: set[str] = set()
    for value in Event.objects.public().order_by().values_list("countries", flat=True).distinct():
        codes.update(code for code in value.split(",") if code)
    return codes


def facet_countries(selected: list[str]) -> list[tuple[str, str]]:
    """The countries a reader can filter by: those public events involve, plus any selected."""
    codes = {code.strip().upper() for code in selected if code.strip().upper() in countries}
    codes |= get_or_set("used-countries", used_countries)
    return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])
