"""JSON Feed 1.1: checked against a schema of the specification and against the Atom feed, read
with feedparser and lxml rather than the code that writes them."""

import datetime
import io
import json
import re
from unittest import mock
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from tests.conftest import panel_links
from timeline.cache import clear, content_changed
from timeline.models import Event, Series, Topic

from .test_hostile_content import HOSTILE, LONG, hostile  # noqa: F401  (the fixture)

URL = "/feeds/json/"
ATOM = "{http://www.w3.org/2005/Atom}"
EDTF_SCHEME = "http://id.loc.gov/datatypes/edtf"
QUERIES = [
    "",
    "?country=JP",
    "?country=JP&topic=economic-security",
    "?kind=dialogue",
    "?series=german-japanese-economic-security-dialogue",
    "?from=2024-10-01&to=2024-12-31",
    "?q=Kiuchi",
    "?country=FR",
]

# RFC 3339, section 5.6 (date-time), which JSON Feed 1.1 names for its dates.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
STRING = {"type": "string"}
URL_STRING = {"type": "string", "format": "absolute-web-url"}
EXTENSION = {"type": "object"}  # "custom objects": a key of "_" and a letter, an object as value
AUTHOR = {
    "type": "object",
    "properties": {"name": STRING, "url": URL_STRING, "avatar": URL_STRING},
    "minProperties": 1,  # "if you provide an author object, then at least one is required"
}
# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): every field it defines with its type;
# the required ones (version, title, items; an item's id and content_html or content_text)
# required. Keys outside the specification are allowed only as extensions.
JSON_FEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": STRING,
        "home_page_url": URL_STRING,
        "feed_url": URL_STRING,
        "description": STRING,
        "user_comment": STRING,
        "next_url": URL_STRING,
        "icon": URL_STRING,
        "favicon": URL_STRING,
        "authors": {"type": "array", "items": AUTHOR, "minItems": 1},
        "language": {"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},  # RFC 5646
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {"type": "object", "required": ["type", "url"], "properties": {"type": STRING, "url": STRING}},
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": STRING,
                    "url": URL_STRING,
                    "external_url": URL_STRING,
                    "title": STRING,
                    "content_html": STRING,
                    "content_text": STRING,
                    "summary": STRING,
                    "image": URL_STRING,
                    "banner_image": URL_STRING,
                    "date_published": {"type": "string", "format": "rfc3339"},
                    "date_modified": {"type": "string", "format": "rfc3339"},
                    "authors": {"type": "array", "items": AUTHOR, "minItems": 1},
                    "tags": {"type": "array", "items": STRING},
                    "language": STRING,
                    "attachments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["url", "mime_type"],
                            "properties": {
                                "url": STRING,
                                "mime_type": STRING,
                                "title": STRING,
                                "size_in_bytes": {"type": "number"},
                                "duration_in_seconds": {"type": "number"},
                            },
                        },
                    },
                },
                "patternProperties": {"^_[A-Za-z][^.]*$": EXTENSION},
                "additionalProperties": False,
            },
        },
    },
    "patternProperties": {"^_[A-Za-z][^.]*$": EXTENSION},
    "additionalProperties": False,
}
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("rfc3339", raises=ValueError)
def is_rfc3339(value: str) -> bool:
    if not RFC3339.fullmatch(value):
        return False
    return datetime.datetime.fromisoformat(value.replace("z", "Z")).tzinfo is not None


@FORMATS.checks("absolute-web-url")
def is_absolute_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check(document: dict) -> None:
    """Raise if `document` breaks the JSON Feed 1.1 schema above (every error at once)."""
    errors = list(jsonschema.Draft202012Validator(JSON_FEED_SCHEMA, format_checker=FORMATS).iter_errors(document))
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors]


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def fetched(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def atom_entries(client, query: str) -> list[etree._Element]:
    return etree.fromstring(client.get("/feeds/atom/" + query).content).findall(ATOM + "entry")


@pytest.mark.parametrize("query", QUERIES)
def test_json_feed_is_valid_against_the_json_feed_1_1_schema(client, seed, query):
    feed = fetched(client, URL + query)
    check(feed)
    assert feed["feed_url"] == "https://events.example.org/feeds/json/" + query
    assert feed["home_page_url"] == "https://events.example.org/" + query
    assert feed["language"] == "de"
    assert feed["authors"] == [
        {"name": "Bundesministerium für Wirtschaft und Energie (BMWE)", "url": "https://events.example.org/"}
    ]


def test_the_schema_check_catches_what_the_specification_refuses():
    # The validation above means something only if a broken feed fails it.
    good = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [{"id": "1", "content_html": "<p>x</p>", "date_published": "2025-06-26T10:00:00+02:00"}],
    }
    check(good)
    broken = [
        {"version": "https://jsonfeed.org/version/1", "title": "T", "items": []},
        {"version": good["version"], "items": []},
        {**good, "items": [{"id": 1, "content_html": "x"}]},  # a numeric id
        {**good, "items": [{"id": "1"}]},  # no content
        {**good, "items": [{"id": "1", "content_text": "x", "date_published": "26.06.2025"}]},
        {**good, "items": [{"id": "1", "content_text": "x", "date_modified": "2025-06-26T10:00:00"}]},  # no offset
        {**good, "items": [{"id": "1", "content_text": "x", "url": "/events/x/"}]},  # relative
        {**good, "items": [{"id": "1", "content_text": "x", "tags": "Japan"}]},
        {**good, "items": [{"id": "1", "content_text": "x", "_edtf": "2024-36"}]},  # an extension is an object
        {**good, "items": [{"id": "1", "content_text": "x", "edtf": {}}]},  # not an extension's name
        {**good, "feed_url": "feed.json"},
    ]
    for document in broken:
        with pytest.raises(AssertionError):
            check(document)


@pytest.mark.parametrize("query", QUERIES)
def test_items_are_the_atom_entries_with_the_same_ids_order_dates_content_and_tags(client, seed, query):
    feed = fetched(client, URL + query)
    atom_raw = atom_entries(client, query)
    atom = feedparser.parse(client.get("/feeds/atom/" + query).content).entries
    assert [item["id"] for item in feed["items"]] == [entry.id for entry in atom]
    for item, entry, raw in zip(feed["items"], atom, atom_raw, strict=True):
        assert item["id"].startswith("tag:bundeswirtschaftsministerium.de,2025:event:")
        assert item["url"] == entry.link
        assert item["title"] == entry.title
        assert item["summary"] == entry.summary
        assert item["content_html"] == raw.findtext(ATOM + "content")
        for name, atom_name in (("date_published", "published"), ("date_modified", "updated")):
            assert datetime.datetime.fromisoformat(item[name]) == datetime.datetime.fromisoformat(
                raw.findtext(ATOM + atom_name)
            )
        categories = raw.findall(ATOM + "category")
        assert item["_edtf"]["date"] == next(c.get("term") for c in categories if c.get("scheme") == EDTF_SCHEME)
        assert item["tags"] == [c.get("label") for c in categories if c.get("scheme") != EDTF_SCHEME]


def test_the_edtf_extension_holds_the_events_own_date_and_says_what_it_is(client, seed):
    feed = fetched(client, URL)
    stored = {f"tag:bundeswirtschaftsministerium.de,2025:event:{e.public_id}": e.date for e in Event.objects.all()}
    assert {item["id"]: item["_edtf"]["date"] for item in feed["items"]} == stored
    assert "2024-36" in stored.values()
    for item in feed["items"]:
        assert item["_edtf"]["about"] == "https://www.loc.gov/standards/datetime/"


def test_tags_name_the_kind_the_countries_and_the_topics_as_readers_read_them(client, seed):
    item = next(item for item in fetched(client, URL)["items"] if "Kiuchi" in item["title"])
    assert item["tags"] == ["Treffen", "Deutschland", "Japan", "Kritische Rohstoffe", "Wirtschaftssicherheit"]


@pytest.mark.parametrize("query", QUERIES)
def test_json_feed_holds_exactly_the_events_of_the_filtered_page_and_the_api(client, seed, query):
    page = client.get("/" + query).content.decode()
    slugs = set(re.findall(r'<h4 class="event-title"[^>]*><a href="/events/([^/]+)/"', page))
    on_page = {str(uuid) for uuid in Event.objects.filter(slug__in=slugs).values_list("public_id", flat=True)}
    from_api = {event["id"] for event in client.get("/api/events/" + query).json()["results"]}
    in_feed = {item["id"].rsplit(":", 1)[1] for item in fetched(client, URL + query)["items"]}
    assert in_feed == on_page == from_api


def test_json_feed_follows_publication_time_and_holds_the_latest_fifty(client, make_event):
    for number in range(55):
        make_event(title=f"Termin {number:02d}", publish_at=timezone.now() - datetime.timedelta(minutes=number + 1))
    titles = [item["title"] for item in fetched(client, URL)["items"]]
    assert titles == [f"Termin {number:02d}" for number in range(50)]


def test_a_value_that_cannot_be_understood_gets_a_400_that_says_why(client, seed):
    response = client.get(URL + "?country=XX")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "„XX“ ist kein Ländercode" in response.content.decode()


def test_a_reader_holding_the_current_copy_gets_304(client, seed):
    response = client.get(URL + "?country=JP")
    again = client.get(URL + "?country=JP", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(URL + "?country=JP", headers={"if-modified-since": response["Last-Modified"]}).status_code == 304
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.title = "Reiche und Kiuchi vereinbaren engere Zusammenarbeit"
    event.save()
    changed = client.get(URL + "?country=JP", headers={"if-none-match": response["ETag"]})
    assert changed.status_code == 200
    assert "Reiche und Kiuchi vereinbaren engere Zusammenarbeit" in [
        item["title"] for item in json.loads(changed.content)["items"]
    ]


def test_http_headers_of_a_good_feed_citizen(client, seed):
    response = client.get(URL)
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Language"] == "de"
    assert client.get(URL, headers={"accept-encoding": "gzip"})["Content-Encoding"] == "gzip"


def test_same_feed_twice_is_byte_identical_even_as_time_passes(client, seed):
    first = client.get(URL)
    assert first.status_code == 200
    clear()  # made anew, not the kept copy
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert client.get(URL).content == first.content


def test_umlauts_and_kanji_are_written_as_themselves(client, make_event):
    series = Series.objects.create(name="Dialog", slug="dialog")
    make_event(title="Treffen mit 城内実 über Rohstoffe", series=series)
    content = client.get(URL).content
    assert "Treffen mit 城内実 über Rohstoffe".encode() in content
    assert b"\\u" not in content


def test_the_json_feed_reuses_the_entries_the_atom_feed_made(client, make_event):
    from feeds import views

    for number in range(3):
        make_event(title=f"Treffen {number}", date=f"2025-06-{number + 1:02d}")
    with mock.patch.object(views, "feed_item", wraps=views.feed_item) as made:
        client.get("/feeds/atom/")
        assert made.call_count == 3
        fetched(client, URL)
        assert made.call_count == 3  # the same entries, not made anew


def test_a_topic_renamed_is_renamed_in_the_tags_at_once(client, seed):
    fetched(client, URL)
    topic = Topic.objects.get(slug="economic-security")
    topic.name = "Ökonomische Sicherheit"
    topic.save()
    assert "Ökonomische Sicherheit" in fetched(client, URL)["items"][0]["tags"]


def test_hostile_content_still_gives_a_valid_feed_with_every_word(client, hostile):  # noqa: F811
    # Line and paragraph separators end a string literal in JavaScript before ES2019.
    Event.objects.filter(pk=hostile.pk).update(body=HOSTILE["body"] + "<p>Zeile\u2028zwei\u2029drei</p>")
    content_changed()
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode("utf-8")  # valid UTF-8, or this raises
    feed = json.loads(text)
    check(feed)
    assert len(feed["items"]) == 2
    for forbidden in ["\x00", "\x01", "\x07", "\x08", "\x0c", "\x1b", "\ufffe", "\uffff", "\u202e", "\u2028", "\u2029"]:
        assert forbidden not in text
    item = next(item for item in feed["items"] if item["title"].startswith("Treffen"))
    # The HTML is sanitised; the plain text fields keep what was typed, as text (JSON Feed 1.1:
    # "the only place HTML is allowed in this format is in content_html").
    for unsafe in ["javascript:", "data:text/html", "<script", "onclick", "iframe", "mailto:"]:
        assert unsafe not in item["content_html"]
    assert "</title><script>alert(1)</script>" in item["title"]
    assert len(item["title"]) > LONG  # long, but whole
    assert "Zusammenfassung" in item["summary"] and "farbig" in item["summary"]
    assert "Zeile\u2028zwei\u2029drei" in item["content_html"]  # escaped on the wire, kept in the text
    assert "Korrigiert" in item["content_html"]
    assert 'href="https://events.example.org/events/anderes/"' in item["content_html"]
    assert item["tags"] == ["Treffen", "Deutschland", "Japan", "Thema mit </category> ]]>"]
    untitled = next(item for item in feed["items"] if not item["title"].startswith("Treffen"))
    assert untitled["title"] == "Termin ohne Titel"


def test_a_lone_surrogate_cannot_break_the_json():
    from feeds.jsonfeed import json_bytes

    written = json_bytes({"title": "Treffen \ud800 in Berlin", "note": "a\u2028b"})
    assert json.loads(written.decode("utf-8")) == {"title": "Treffen \ufffd in Berlin", "note": "a\u2028b"}


def test_every_public_page_announces_the_json_feed_and_the_panel_offers_it(client, seed):
    pages = ["/", "/?country=JP&topic=economic-security", "/events/reiche-trifft-kiuchi-berlin-2025/"]
    for path in pages:
        page = client.get(path).content.decode()
        href = re.search(r'<link rel="alternate" type="application/feed\+json"[^>]* href="([^"]+)"', page).group(1)
        url = href.replace("&amp;", "&").removeprefix("https://events.example.org")
        assert url.startswith(URL)
        assert fetched(client, url)["items"]
    link = panel_links(client.get("/?country=JP").content)["JSON Feed"]
    assert (link["href"], link["type"], link["group"]) == (
        "https://events.example.org/feeds/json/?country=JP",
        "application/feed+json",
        "subscribe",
    )
