"""TimelineJS data (/timeline.json): checked against a schema of TimelineJS3's documented format
and against the timeline page it mirrors."""

import datetime
import io
import json
import re
from html import unescape

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from lxml import html as lxml_html

from tests.conftest import as_read, panel_links
from tests.feeds.test_json_feed import QUERIES
from timeline.cache import clear, content_changed
from timeline.models import Event, Series

from .test_hostile_content import LONG, hostile  # noqa: F401  (the fixture)

URL = "/timeline.json"
SERIES_NAME = "Deutsch-Japanischer Wirtschaftssicherheitsdialog"

# TimelineJS3's JSON format (https://timeline.knightlab.com/docs/json-format.html), object by
# object as its tables list them, with what they mark required. The tables call `year` "a number"
# (Knight Lab's examples write it as a string, which TimelineJS reads too); month 1-12, hour
# 0-23, minute and second 0-59. Only the documented properties are allowed, so a misspelt one
# fails here instead of being ignored by TimelineJS.
TEXT = {
    "type": "object",
    "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
    "additionalProperties": False,
}
DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "minute": {"type": "integer", "minimum": 0, "maximum": 59},
        "second": {"type": "integer", "minimum": 0, "maximum": 59},
        "millisecond": {"type": "integer"},
        "display_date": {"type": "string"},
        "format": {"type": "string"},
    },
    "additionalProperties": False,
}
MEDIA = {
    "type": "object",
    "required": ["url"],
    "properties": {
        name: {"type": "string"}
        for name in ("url", "caption", "credit", "thumbnail", "alt", "title", "link", "link_target")
    },
}
SLIDE_PROPERTIES = {
    "start_date": DATE,
    "end_date": DATE,
    "text": TEXT,
    "media": MEDIA,
    "group": {"type": "string"},
    "display_date": {"type": "string"},
    "background": {
        "type": "object",
        "properties": {"url": {"type": "string"}, "alt": {"type": "string"}, "color": {"type": "string"}},
        "additionalProperties": False,
    },
    "autolink": {"type": "boolean"},
    "unique_id": {"type": "string", "minLength": 1},
}
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date"],  # "Yes, except for title slides"
                "properties": SLIDE_PROPERTIES,
                "additionalProperties": False,
            },
        },
        "title": {"type": "object", "properties": SLIDE_PROPERTIES, "additionalProperties": False},
        "eras": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date", "end_date"],
                "properties": {"start_date": DATE, "end_date": DATE, "text": TEXT},
                "additionalProperties": False,
            },
        },
        "scale": {"enum": ["human", "cosmological"]},
    },
    "additionalProperties": False,
}


def check(document: dict) -> None:
    """Raise if `document` breaks TimelineJS3's format (every error at once)."""
    errors = list(jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).iter_errors(document))
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors]
    ids = [event["unique_id"] for event in document["events"] if "unique_id" in event]
    assert len(ids) == len(set(ids)), "unique_id must be unique among all slides"


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def fetched(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content.decode("utf-8"))
    check(document)
    return document


def slide_of(document: dict, event: Event) -> dict:
    (slide,) = [slide for slide in document["events"] if slide["unique_id"] == f"event-{event.public_id}"]
    return slide


def text_of(markup: str) -> str:
    """What TimelineJS shows of an HTML string."""
    return lxml_html.fragment_fromstring(markup, create_parent="div").text_content() if markup else ""


def page_events(client, query: str) -> list[tuple[str, str]]:
    """(date as shown, public id) of each event the page lists, in its order."""
    page = as_read(client.get("/" + query).content)
    shown = re.findall(
        r'<time datetime="[^"]*">([^<]+)</time>.*?<h4 class="event-title"[^>]*><a href="/events/([^/]+)/"', page, re.S
    )
    ids = dict(Event.objects.values_list("slug", "public_id"))
    return [(unescape(date), f"event-{ids[slug]}") for date, slug in shown]


@pytest.mark.parametrize("query", QUERIES)
def test_timeline_data_follows_timelinejs3s_documented_format(client, seed, query):
    document = fetched(client, URL + query)
    assert document["scale"] == "human"
    assert text_of(document["title"]["text"]["headline"]).startswith("Diplomatische Termine")


def test_the_schema_check_catches_what_timelinejs_cannot_read():
    # The validation above means something only if broken data fails it.
    good = {"events": [{"start_date": {"year": 2024}, "text": {"headline": "h", "text": "t"}}]}
    check(good)
    broken = [
        {"title": {"text": {"headline": "h"}}},  # no events
        {"events": [{"text": {"headline": "h"}}]},  # no start date
        {"events": [{"start_date": {"month": 3}}]},  # no year
        {"events": [{"start_date": {"year": "Ende 2024"}}]},
        {"events": [{"start_date": {"year": 2024, "month": 13}}]},
        {"events": [{"start_date": {"year": 2024, "quarter": 4}}]},  # no such part
        {"events": [{"start_date": {"year": 2024}, "text": "Ende 2024"}]},
        {"events": [{"start_date": {"year": 2024}, "group": 7}]},
        {
            "events": [
                {"start_date": {"year": 2024}, "unique_id": "a"},
                {"start_date": {"year": 2025}, "unique_id": "a"},
            ]
        },
        {"events": [], "scale": "geological"},
    ]
    for document in broken:
        with pytest.raises(AssertionError):
            check(document)


@pytest.mark.parametrize("query", QUERIES)
def test_slides_are_the_events_of_the_filtered_page_in_its_order_with_its_dates(client, seed, query):
    document = fetched(client, URL + query)
    assert [(unescape(slide["display_date"]), slide["unique_id"]) for slide in document["events"]] == page_events(
        client, query
    )


def test_late_2024_gives_the_year_alone_and_says_fourth_quarter(client, seed):
    event = Event.objects.get(date="2024-36")
    slide = slide_of(fetched(client, URL), event)
    assert slide["start_date"] == {"year": 2024}  # no month or day it does not know
    assert slide["display_date"] == "4. Quartal 2024"
    assert "end_date" not in slide


def test_the_2023_consultations_give_the_parts_of_the_date_that_are_known(client, seed):
    event = Event.objects.get(date__startswith="2023")
    slide = slide_of(fetched(client, URL), event)
    assert slide["start_date"] == {"year": 2023, "month": 3, "day": 18}
    assert slide["display_date"] == "18. März 2023"


@pytest.mark.parametrize(
    ("typed", "start", "end", "shown"),
    [
        ("2023", {"year": 2023}, None, "2023"),
        ("März 2023", {"year": 2023, "month": 3}, None, "März 2023"),
        ("ca. 2023", {"year": 2023}, None, "ca. 2023"),
        ("2023?", {"year": 2023}, None, "2023 (unsicher)"),
        ("Frühjahr 2024", {"year": 2024}, None, "Frühjahr 2024"),
        ("Winter 2024", {"year": 2024}, None, "Winter 2024/25"),
        ("Q2 2024", {"year": 2024}, None, "2. Quartal 2024"),
        ("2. Halbjahr 2024", {"year": 2024}, None, "2. Halbjahr 2024"),
        (
            "26.–27. Juni 2025",
            {"year": 2025, "month": 6, "day": 26},
            {"year": 2025, "month": 6, "day": 27},
            "26.–27. Juni 2025",
        ),
        ("2024/25", {"year": 2024}, {"year": 2025}, "2024 – 2025"),
        (
            "KW 12 2025",
            {"year": 2025, "month": 3, "day": 17},
            {"year": 2025, "month": 3, "day": 23},
            "17.–23. März 2025",
        ),
        ("2024-10/2025-03", {"year": 2024, "month": 10}, {"year": 2025, "month": 3}, "Oktober 2024 – März 2025"),
    ],
)
def test_an_imprecise_date_gives_only_the_parts_it_knows_and_the_date_as_the_page_shows_it(
    client, make_event, typed, start, end, shown
):
    event = make_event(date=typed)
    slide = slide_of(fetched(client, URL), event)
    assert slide["start_date"] == start
    assert slide.get("end_date") == end
    assert slide["display_date"] == shown == event.date_display("de")
    assert page_events(client, "") == [(shown, slide["unique_id"])]


def test_a_series_is_the_group_and_an_event_outside_one_has_none(client, seed, make_event):
    alone = make_event(title="Einzeltermin", date="2025-07-01")
    document = fetched(client, URL)
    groups = {slide["unique_id"]: slide.get("group") for slide in document["events"]}
    in_series = Event.objects.filter(series__name=SERIES_NAME)
    assert in_series.count() >= 2
    for event in in_series:
        assert groups[f"event-{event.public_id}"] == SERIES_NAME
    assert groups[f"event-{alone.public_id}"] is None


def test_the_headline_links_to_the_event_page_and_the_text_is_the_summary(client, seed):
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    slide = slide_of(fetched(client, URL), event)
    link = lxml_html.fragment_fromstring(slide["text"]["headline"])
    assert link.tag == "a"
    assert link.get("href") == "https://events.example.org/events/reiche-trifft-kiuchi-berlin-2025/"
    assert link.text_content() == event.title
    assert text_of(slide["text"]["text"]) == event.summary


def test_more_events_than_one_file_holds_are_linked_not_dropped(client, seed, monkeypatch):
    from feeds import views

    monkeypatch.setattr(views, "MAX_EVENTS", 2)
    response = client.get(URL + "?country=JP")
    first = json.loads(response.content)
    assert len(first["events"]) == 2
    # The title slide says so, in words and with a link to the rest; so does the Link header.
    title = first["title"]["text"]["text"]
    assert "Diese Datei enthält 2 Termine dieser Auswahl in der Reihenfolge der Liste; weitere folgen:" in text_of(
        title
    )
    more = lxml_html.fragment_fromstring(title, create_parent="div").xpath("//a")[-1]
    assert more.text_content() == "Ältere Termine"
    next_url = more.get("href")
    assert next_url.startswith("https://events.example.org/timeline.json?country=JP&after=")
    assert response["Link"] == f'<{next_url}>; rel="next"'
    rest_response = client.get(next_url.removeprefix("https://events.example.org"))
    rest = fetched(client, next_url.removeprefix("https://events.example.org"))
    assert "Link" not in rest_response
    together = [slide["unique_id"] for slide in first["events"] + rest["events"]]
    assert together == [unique_id for _, unique_id in page_events(client, "?country=JP")]
    assert len(together) == 3


def test_positions_select_what_the_page_selects_with_them(client, seed):
    from timeline.pagination import Position

    middle = Event.objects.get(slug="deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert")
    for name in ("before", "after"):
        query = f"?{name}={Position.of(middle).token()}"
        slides = [slide["unique_id"] for slide in fetched(client, URL + query)["events"]]
        assert slides == [unique_id for _, unique_id in page_events(client, query)], name
        assert slides  # the seed has an event on either side of the middle one
    for name in ("before", "after"):
        assert client.get(f"/?{name}=kaputt").status_code == client.get(f"{URL}?{name}=kaputt").status_code == 400


def test_the_data_offered_for_download_is_saved_under_a_name_saying_what_it_holds(client, seed):
    assert client.get(URL)["Content-Disposition"] == 'attachment; filename="diplomatische-termine.json"'
    assert (
        client.get(URL + "?country=JP")["Content-Disposition"] == 'attachment; filename="diplomatische-termine-jp.json"'
    )


def test_a_file_that_holds_everything_says_nothing_of_more(client, seed):
    response = client.get(URL)
    assert len(json.loads(response.content)["events"]) == Event.objects.count() == 3
    assert "Link" not in response
    assert "weitere folgen" not in response.content.decode()


def test_an_empty_selection_says_so_as_the_page_does(client, seed):
    document = fetched(client, URL + "?country=FR")
    assert document["events"] == []
    assert "Keine Termine entsprechen diesen Filtern." in text_of(document["title"]["text"]["text"])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("?country=XX", "„XX“ ist kein Ländercode"),
        ("?after=gestern", "Der Verweis auf ältere Termine ist beschädigt („gestern“)"),
    ],
)
def test_a_value_that_cannot_be_understood_gets_a_400_that_says_why(client, seed, query, says):
    response = client.get(URL + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert says in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_reader_holding_the_current_copy_gets_304_until_an_edit(client, seed):
    response = client.get(URL)
    assert client.get(URL, headers={"if-none-match": response["ETag"]}).status_code == 304
    assert client.get(URL, headers={"if-modified-since": response["Last-Modified"]}).status_code == 304
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.date = "2025-06-27"
    event.save()
    changed = client.get(URL, headers={"if-none-match": response["ETag"]})
    assert changed.status_code == 200
    assert slide_of(json.loads(changed.content), event)["display_date"] == "27. Juni 2025"


def test_same_data_twice_is_byte_identical_even_as_time_passes(client, seed):
    first = client.get(URL)
    assert first.status_code == 200
    clear()  # made anew, not the kept copy
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert client.get(URL).content == first.content


def test_any_site_may_load_it_into_timelinejs_from_a_browser(client, seed):
    response = client.get(URL, headers={"origin": "https://newsroom.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        URL, headers={"origin": "https://newsroom.example", "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 204


def test_drafts_never_reach_the_timeline_data(client, make_event):
    make_event(title="Vertraulicher Entwurf", status=Event.Status.DRAFT, publish_at=None)
    make_event(title="Öffentlich")
    headlines = [text_of(slide["text"]["headline"]) for slide in fetched(client, URL)["events"]]
    assert headlines == ["Öffentlich"]


def test_hostile_content_still_gives_valid_data_with_every_word_as_text(client, hostile):  # noqa: F811
    Series.objects.create(name="Reihe <b>fett</b> & ]]>", slug="reihe")
    Event.objects.filter(pk=hostile.pk).update(
        series=Series.objects.get(slug="reihe"), summary="Zeile\u2028zwei <img src=x onerror=alert(1)>"
    )
    content_changed()
    response = client.get(URL)
    text = response.content.decode("utf-8")
    document = fetched(client, URL)
    assert len(document["events"]) == 2
    for forbidden in ["\x00", "\x01", "\x07", "\x1b", "\ufffe", "\u202e", "\u2028", "\u2029"]:
        assert forbidden not in text
    # TimelineJS puts headline, text, group and display_date into the page as HTML: all escaped.
    for unsafe in ["<script", "<img", "<b>", "</title>"]:
        assert unsafe not in text
    slide = slide_of(document, hostile)
    headline = text_of(slide["text"]["headline"])
    assert headline.startswith("Treffen") and "</title><script>alert(1)</script>" in headline
    assert len(headline) > LONG  # long, but whole
    assert text_of(slide["text"]["text"]) == "Zeile zwei <img src=x onerror=alert(1)>"
    assert text_of(slide["group"]) == "Reihe <b>fett</b> & ]]>"
    untitled = next(slide for slide in document["events"] if slide is not slide_of(document, hostile))
    assert text_of(untitled["text"]["headline"]) == "Termin ohne Titel"


def test_the_page_offers_timeline_data_of_its_view_in_the_panel_only(client, seed):
    page = as_read(client.get("/?country=JP").content)
    link = panel_links(page)["TimelineJS"]
    assert (link["href"], link["type"], link["group"]) == (
        "https://events.example.org/timeline.json?country=JP",
        "application/json",
        "download",
    )
    assert '<link rel="alternate" type="application/json"' not in page  # data for a tool, not a feed
