"""One selection, every surface: the page, its time axis, the API and each format of a filtered
view hold the same events. Each format is read with a parser that did not write it."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.conftest import panel_links
from timeline.models import Event, Series

NOW = datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC)
QUERIES = [
    "",
    "?country=JP",
    "?country=JP&topic=economic-security",
    "?from=2024-11-01&to=2024-11-30",
    "?q=Kiuchi",
    "?kind=consultation",
    "?kind=meeting&kind=visit",
    "?country=FR",
    "?series=energiedialog",
    "?from=2025",
]


@pytest.fixture
def events(make_event):
    """The seed and a few more: a day range, a month, a year, an approximate day, upcoming ones,
    a series of its own, and a draft that nothing may list."""
    with time_machine.travel(NOW, tick=False):
        call_command("load_seed", stdout=io.StringIO())
        energy = Series.objects.create(name="Energiedialog")
        make_event(title="Energiedialog in Paris", date="2025-09-01/2025-09-03", countries=["DE", "FR"], series=energy)
        make_event(title="Besuch in Tokio", kind=Event.Kind.VISIT, date="2025-08", countries=["JP"], series=energy)
        make_event(title="Jahrestreffen", date="2025", countries=["FR"])
        make_event(title="Ungefähr am 10. Juli", date="2025-07-10~", countries=["JP"])
        make_event(title="Im Vorjahr", date="2024-11-12", countries=["JP"])
        make_event(title="Entwurf", date="2025-07-02", status=Event.Status.DRAFT)
        yield


def page_slugs(client, query: str) -> list[str]:
    page = client.get("/" + query).content.decode()
    return re.findall(r'<h4 class="event-title"[^>]*><a href="/events/([^/]+)/"', page)


def api_ids(query: str) -> set[str]:
    api, url, ids = APIClient(), "/api/events/" + query, set()
    while url:
        answer = api.get(url).json()
        ids |= {event["id"] for event in answer["results"]}
        url = answer.get("next")
    return ids


@pytest.mark.parametrize("query", QUERIES)
def test_same_parameters_give_the_same_events_on_every_surface(client, events, query):
    with time_machine.travel(NOW, tick=False):
        slugs = page_slugs(client, query)
        by_slug = {event.slug: event for event in Event.objects.filter(slug__in=slugs)}
        listed = {str(by_slug[slug].public_id) for slug in slugs}

        atom = feedparser.parse(client.get("/feeds/atom/" + query).content)
        rss = feedparser.parse(client.get("/feeds/rss/" + query).content)
        json_feed = json.loads(client.get("/feeds/json/" + query).content)
        export = client.get("/export.csv" + query).content.decode("utf-8-sig")
        timeline_js = json.loads(client.get("/timeline.json" + query).content)
        calendar = icalendar.Calendar.from_ical(client.get("/feeds/ics/" + query).content)
        drawn = re.search(
            r'<svg\b[^>]*\brole="group".*?</svg>', client.get("/zeitstrahl/" + query).content.decode(), re.S
        )

        uuid_of = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
        assert api_ids(query) == listed
        assert {uuid_of.search(entry.id)[1] for entry in atom.entries} == listed
        assert {uuid_of.search(entry.id)[1] for entry in rss.entries} == listed
        assert {uuid_of.search(item["id"])[1] for item in json_feed["items"]} == listed
        assert {row[0] for row in list(csv.reader(io.StringIO(export, newline=""), delimiter=";"))[1:]} == listed
        marks = ElementTree.fromstring(drawn[0]).iter("{http://www.w3.org/2000/svg}a")
        assert {mark.get("href").split("/")[2] for mark in marks} == set(slugs)
        # TimelineJS keeps the page's order too.
        assert [uuid_of.search(slide["unique_id"])[1] for slide in timeline_js.get("events", [])] == [
            str(by_slug[slug].public_id) for slug in slugs
        ]
        # A calendar holds the events known to the day, upcoming or of the past year.
        year_ago = NOW.date() - datetime.timedelta(days=365)
        in_calendar = {
            str(event.public_id)
            for event in by_slug.values()
            if event.date_precision == "day" and event.date_end >= year_ago
        }
        assert {uuid_of.search(str(entry["UID"]))[1] for entry in calendar.walk("VEVENT")} == in_calendar
        assert listed  # every query above selects something


def test_every_format_is_offered_with_the_views_filters(client, events):
    page = client.get("/?country=JP&topic=economic-security").content.decode()
    query = "?country=JP&topic=economic-security"
    offered = {
        (link["group"], link["href"].replace("https://events.example.org", ""), link["type"])
        for link in panel_links(page).values()
    }
    assert offered == {
        ("subscribe", "/feeds/rss/" + query, "application/rss+xml"),
        ("subscribe", "/feeds/atom/" + query, "application/atom+xml"),
        ("subscribe", "/feeds/json/" + query, "application/feed+json"),
        ("subscribe", "webcal://events.example.org/feeds/ics/" + query, "text/calendar"),
        ("download", "/export.csv" + query, "text/csv"),
        ("download", "/timeline.json" + query, "application/json"),
    }
    head = page[: page.index("</head>")]
    alternates = set(re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="[^"]*\?country=JP', head))
    assert alternates == {"application/rss+xml", "application/atom+xml", "application/feed+json", "text/calendar"}


@pytest.mark.parametrize(
    "path",
    ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", "/feeds/ics/", "/export.csv", "/timeline.json", "/zeitstrahl/"],
)
def test_every_format_refuses_what_it_cannot_understand_and_answers_304(client, events, path):
    with time_machine.travel(NOW, tick=False):
        refused = client.get(path + "?country=XX")
        assert refused.status_code == 400 and "XX" in refused.content.decode()
        first = client.get(path + "?country=JP")
        assert first.status_code == 200
        again = client.get(path + "?country=JP", headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
        if path != "/zeitstrahl/":  # a page, not a format other sites read
            assert first["Access-Control-Allow-Origin"] == "*"


def test_a_format_the_selection_is_too_large_for_is_named_with_the_reason_not_linked(client, events, monkeypatch):
    from dataclasses import replace

    from feeds import formats

    small = tuple(replace(each, max_events=2) if each.url_name == "export-csv" else each for each in formats.FORMATS)
    monkeypatch.setattr(formats, "FORMATS", small)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/").content.decode()
        assert "Tabelle (CSV) (höchstens 2 Termine; bitte Auswahl eingrenzen)" in page
        assert 'href="https://events.example.org/export.csv"' not in page
        narrow = client.get("/?kind=consultation").content.decode()
        assert 'href="https://events.example.org/export.csv?kind=consultation"' in narrow
