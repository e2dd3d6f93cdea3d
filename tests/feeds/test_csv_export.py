"""/export.csv: read back with Python's csv module and compared with the API's data."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_countries import countries
from rest_framework.test import APIClient

from tests.conftest import panel_links
from tests.test_language import foreign_phrases
from timeline.cache import content_changed
from timeline.models import Event, Participant, Series, Topic

from .test_feeds import seed  # noqa: F401  (a fixture)
from .test_hostile_content import CONTROL, HOSTILE, LONG, hostile  # noqa: F401  (hostile: a fixture)

BOM = b"\xef\xbb\xbf"
HEADER = [
    "Öffentliche Kennung", "Webadresse", "Datum", "Datum (EDTF)", "Frühester Tag", "Spätester Tag", "Titel", "Art",
    "Ort", "Länder", "Ländercodes", "Themen", "Reihe", "Teilnehmende", "Zusammenfassung", "Erstveröffentlichung",
    "Letzte wesentliche Änderung", "Sprache der Texte",
]  # fmt: skip
ENGLISH_HEADER = [
    "Public ID", "Web address", "Date", "Date (EDTF)", "Earliest day", "Latest day", "Title", "Kind", "Place",
    "Countries", "Country codes", "Topics", "Series", "Participants", "Summary", "First published",
    "Last significant update", "Language of the texts",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def read_csv(response, expected_header: list[str] = HEADER) -> list[dict[str, str]]:
    """The rows of a CSV response as a spreadsheet user's script reads them, by header (German
    unless `expected_header` says otherwise)."""
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(BOM)
    text = response.content[len(BOM) :].decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    header, *rows = list(reader)
    assert header == expected_header
    return [dict(zip(header, row, strict=True)) for row in rows]


def export(client, query: str = "", headers: dict | None = None) -> list[dict[str, str]]:
    return read_csv(client.get("/export.csv" + query, headers=headers))


def english_export(client, query: str = "", headers: dict | None = None) -> list[dict[str, str]]:
    return read_csv(client.get("/en/export.csv" + query, headers=headers), ENGLISH_HEADER)


def api_events(query: str) -> list[dict]:
    """Every event the API lists for `query`, in its order, following its `next` links."""
    api, url, events = APIClient(), "/api/events/" + query, []
    while url:
        page = api.get(url).json()
        events += page["results"]
        url = page["next"]
    return events


def participant_line(person: dict) -> str:
    line = person["name"]
    if person["original_name"]:
        line += f" ({person['original_name']})"
    if person["role"]:
        line += ", " + person["role"]
    if person["organisation"]:
        line += f" ({person['organisation']})"
    if person["country"]:
        line += " – " + countries.name(person["country"])
    return line


def local(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    "query",
    ["", "?country=JP", "?country=JP&topic=economic-security", "?from=2024-11-01&to=2024-11-30", "?q=Kiuchi",
     "?kind=consultation", "?country=FR"],
)  # fmt: skip
@pytest.mark.usefixtures("seed")
def test_every_row_equals_the_apis_data_for_the_same_filter_in_the_same_order(client, make_event, query):
    later = make_event(title="Treffen in Paris", date="2026-01-15", place="Paris", countries=["FR", "KR"])
    Participant.objects.create(event=later, name="Jean Dupont", role="Minister", country="FR")
    topics = {topic["slug"]: topic["name"] for topic in APIClient().get("/api/topics/").json()}
    series = {each["slug"]: each["name"] for each in APIClient().get("/api/series/").json()}
    rows, expected = export(client, query), api_events(query)
    assert [row["Öffentliche Kennung"] for row in rows] == [event["id"] for event in expected]
    with translation.override("de"):
        for row, event in zip(rows, expected, strict=True):
            assert row["Webadresse"] == event["url"]
            assert row["Titel"] == event["title"]
            assert row["Art"] == str(Event.Kind(event["kind"]).label)
            assert row["Datum"] == event["date_display"]
            assert row["Datum (EDTF)"] == event["date"]
            assert (row["Frühester Tag"], row["Spätester Tag"]) == (event["date_start"], event["date_end"])
            assert row["Ort"] == event["location"]
            assert row["Ländercodes"].splitlines() == event["countries"]
            assert row["Länder"].splitlines() == [countries.name(code) for code in event["countries"]]
            assert row["Themen"].splitlines() == [topics[slug] for slug in event["topics"]]
            assert row["Reihe"] == (series[event["series"]] if event["series"] else "")
            assert row["Teilnehmende"].splitlines() == [participant_line(p) for p in event["participants"]]
            assert row["Zusammenfassung"] == event["summary"]
            # To the second, as a spreadsheet shows a time.
            assert local(row["Erstveröffentlichung"]) == local(event["first_published_at"]).replace(microsecond=0)


@pytest.mark.usefixtures("seed")
def test_the_file_is_utf_8_with_a_bom_semicolons_and_crlf_and_downloads_under_a_german_name(client):
    response = client.get("/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="diplomatische-termine.csv"'
    assert response.content.startswith(BOM + "Öffentliche Kennung;Webadresse;Datum;".encode())
    assert "城内実".encode() in response.content  # UTF-8 throughout, not a Windows code page
    assert response.content.endswith(b"\r\n")
    records = response.content.count(b"\r\n")
    assert records == 1 + 3  # the header and one record per event; lines inside cells end in LF alone
    assert len(export(client)) == 3


@pytest.mark.usefixtures("seed")
def test_the_file_at_the_german_address_is_german_whatever_the_readers_language(client):
    german = client.get("/export.csv")
    for headers in ({"Accept-Language": "en"}, {"Cookie": "django_language=en"}):
        asked = client.get("/export.csv", headers=headers)
        assert (asked.content, asked["ETag"], asked["Content-Language"]) == (german.content, german["ETag"], "de")
        assert "Accept-Language" not in asked.get("Vary", "")
    rows = read_csv(german)
    words = [cell for row in rows for column, cell in row.items() if column != "Webadresse"]  # an address is no word
    cells = [*rows[0], *words]
    assert foreign_phrases(cells, "de") == []
    assert {row["Sprache der Texte"] for row in rows} == {"de"}


@pytest.mark.usefixtures("seed")
def test_the_file_at_the_english_address_is_english_and_says_which_rows_are_shown_in_german(client):
    meeting = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    meeting.title_en, meeting.summary_en = "Minister Reiche meets Japan's Minister Kiuchi", "They met in Berlin."
    meeting.place_en = None
    meeting.save()
    dialogue = Event.objects.get(date="2024-36")
    dialogue.title_en = dialogue.summary_en = None
    dialogue.save()
    response = client.get("/en/export.csv")
    assert response["Content-Language"] == "en"
    assert response["Content-Disposition"] == 'attachment; filename="diplomatic-events.csv"'
    rows = {row["Public ID"]: row for row in read_csv(response, ENGLISH_HEADER)}
    english = rows[str(meeting.public_id)]
    assert (english["Title"], english["Summary"], english["Date"]) == (
        "Minister Reiche meets Japan's Minister Kiuchi",
        "They met in Berlin.",
        "26 June 2025",
    )
    assert english["Web address"] == "https://events.example.org/en/events/reiche-trifft-kiuchi-berlin-2025/"
    # Place has no English: the German one is shown, and the cell says which texts are German.
    assert english["Place"] == "Berlin"
    assert english["Language of the texts"].splitlines() == ["Title: en", "Place: de", "Summary: en"]
    quarter = next(row for row in rows.values() if row["Date (EDTF)"] == "2024-36")
    # No English at all: the German text, never an empty cell, marked as German.
    assert quarter["Title"] == "Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert"
    assert quarter["Language of the texts"] == "de"
    assert (quarter["Kind"], quarter["Date"], quarter["Countries"]) == ("Dialogue", "Q4 2024", "Germany\nJapan")


@pytest.mark.usefixtures("seed")
def test_a_filtered_file_is_named_after_its_filters(client):
    response = client.get("/export.csv?country=jp&topic=economic-security")
    assert response["Content-Disposition"] == 'attachment; filename="diplomatische-termine-jp-economic-security.csv"'


@pytest.mark.usefixtures("seed")
def test_the_seed_rows_read_as_the_press_release_says(client):
    rows = {row["Titel"]: row for row in export(client)}
    meeting = rows["Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi"]
    assert meeting["Öffentliche Kennung"] == "5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a01"
    assert meeting["Webadresse"] == "https://events.example.org/events/reiche-trifft-kiuchi-berlin-2025/"
    assert (meeting["Datum"], meeting["Datum (EDTF)"]) == ("26. Juni 2025", "2025-06-26")
    assert (meeting["Frühester Tag"], meeting["Spätester Tag"]) == ("2025-06-26", "2025-06-26")
    assert (meeting["Art"], meeting["Ort"]) == ("Treffen", "Berlin")
    assert meeting["Länder"] == "Deutschland\nJapan"
    assert meeting["Ländercodes"] == "DE\nJP"
    assert meeting["Themen"] == "Kritische Rohstoffe\nWirtschaftssicherheit"  # by name, as on the page
    assert meeting["Reihe"] == "Deutsch-Japanischer Wirtschaftssicherheitsdialog"
    assert meeting["Teilnehmende"] == (
        "Katherina Reiche, Bundesministerin für Wirtschaft und Energie "
        "(Bundesministerium für Wirtschaft und Energie (BMWE)) – Deutschland\n"
        "Minoru Kiuchi (城内実), Minister für Wirtschaftssicherheit (Regierung von Japan) – Japan"
    )
    assert meeting["Zusammenfassung"].startswith("Katherina Reiche und Minoru Kiuchi sprachen in Berlin")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", meeting["Erstveröffentlichung"])
    assert meeting["Letzte wesentliche Änderung"] == meeting["Erstveröffentlichung"]  # never corrected
    dialogue = rows["Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert"]
    assert (dialogue["Datum"], dialogue["Datum (EDTF)"]) == ("4. Quartal 2024", "2024-36")
    assert (dialogue["Frühester Tag"], dialogue["Spätester Tag"]) == ("2024-10-01", "2024-12-31")
    assert (dialogue["Art"], dialogue["Ort"], dialogue["Teilnehmende"]) == ("Dialog", "", "")
    consultations = rows["Erste Deutsch-Japanische Regierungskonsultationen mit Fokus auf Wirtschaftssicherheit"]
    assert (consultations["Art"], consultations["Ort"], consultations["Reihe"]) == ("Konsultationen", "Tokio", "")
    # The timeline's order: latest first, the quarter after the exact days of its period.
    assert [row["Datum (EDTF)"] for row in export(client)] == ["2025-06-26", "2024-36", "2023-03-18"]


def test_a_significant_update_is_in_its_own_column(client, make_event):
    event = make_event()
    event.change_note = "Der Ort wurde berichtigt."
    event.save()
    event.refresh_from_db()
    (row,) = export(client)
    assert local(row["Letzte wesentliche Änderung"]) == event.revised_at.replace(microsecond=0)
    assert row["Letzte wesentliche Änderung"] != row["Erstveröffentlichung"]
    assert row["Erstveröffentlichung"].endswith(("+01:00", "+02:00"))  # Berlin time, with its offset


@pytest.mark.usefixtures("seed")
def test_the_country_filter_selects_as_on_the_page(client, make_event):
    make_event(title="Treffen in Paris", countries=["FR"])
    assert {row["Titel"] for row in export(client, "?country=FR")} == {"Treffen in Paris"}
    japan = export(client, "?country=JP")
    assert len(japan) == 3 and all("JP" in row["Ländercodes"].splitlines() for row in japan)


@pytest.mark.usefixtures("seed")
def test_a_value_that_cannot_be_understood_is_a_400_naming_it(client):
    response = client.get("/export.csv?country=XX")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "XX" in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.usefixtures("seed")
def test_a_copy_still_current_is_answered_304_and_an_edit_makes_a_new_one(client):
    first = client.get("/export.csv?country=JP")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get("/export.csv?country=JP", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.place = "Berlin-Mitte"
    event.save()
    assert client.get("/export.csv?country=JP", headers={"If-None-Match": first["ETag"]}).status_code == 200


def add_events(count: int, series: Series, topics: list[Topic]) -> None:
    for number in range(count):
        event = Event.objects.create(
            title=f"Treffen {number}", date=f"2024-{number % 12 + 1:02d}", countries=["DE", "JP"], series=series,
            status=Event.Status.PUBLISHED, publish_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )  # fmt: skip
        event.topics.set(topics)
        for position in range(3):
            Participant.objects.create(event=event, name=f"Person {position}", position=position)


def test_the_number_of_queries_does_not_grow_with_the_number_of_events(client, db):
    series = Series.objects.create(name="Dialog")
    topics = [Topic.objects.create(name="Energie"), Topic.objects.create(name="Handel")]
    add_events(2, series, topics)
    with CaptureQueriesContext(connection) as few:
        assert len(export(client)) == 2
    add_events(20, series, topics)
    with CaptureQueriesContext(connection) as many:
        assert len(export(client)) == 22
    assert len(many) == len(few), [query["sql"] for query in many]
    # The content version, the count, the events with their series, their topics, their participants.
    assert len(many) <= 5, [query["sql"] for query in many]


def test_a_selection_above_the_cap_is_refused_with_a_message_saying_how_to_narrow_it(client, make_event, monkeypatch):
    monkeypatch.setattr("feeds.csv_export.MAX_ROWS", 2)
    make_event(title="Eins", countries=["FR"])
    make_event(title="Zwei", countries=["DE"])
    make_event(title="Drei", countries=["DE"])
    response = client.get("/export.csv")
    assert response.status_code == 400
    message = response.content.decode()
    assert message.startswith("Die Auswahl umfasst 3 Termine; eine Datei enthält höchstens 2.")
    assert "from=2024&to=2024" in message
    english = client.get("/en/export.csv").content.decode()
    assert english.startswith("The selection holds 3 events; one file holds at most 2.")
    # The German address answers in German whatever the browser asks for.
    assert client.get("/export.csv", headers={"Accept-Language": "en"}).content.decode() == message
    assert {row["Titel"] for row in export(client, "?country=DE")} == {"Zwei", "Drei"}  # narrowed: every one


@pytest.mark.usefixtures("seed")
def test_the_timeline_offers_the_file_in_its_panel_but_not_as_a_feed(client):
    page = client.get("/?country=JP").content.decode()
    link = panel_links(page)["Tabelle (CSV)"]
    assert (link["href"], link["type"], link["group"]) == (
        "https://events.example.org/export.csv?country=JP",
        "text/csv",
        "download",
    )
    assert 'rel="alternate" type="text/csv"' not in page


# --- whatever an editor typed -------------------------------------------------------------------


DANGEROUS = [f"{start}1+1" for start in "=+-@"] + ["\t=1+1", "\r=1+1", "@SUMME(1;1)", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", DANGEROUS, ids=range(len(DANGEROUS)))
def test_a_cell_a_spreadsheet_would_take_for_a_formula_starts_with_an_apostrophe(client, make_event, value):
    event = make_event(summary="Ein Treffen.")
    event.topics.add(Topic.objects.create(name="Thema", slug="thema"))
    event.series = Series.objects.create(name="Reihe")
    event.save()
    Participant.objects.create(event=event, name="Person")
    # Around the model, as a raw import might write it; the model itself keeps a tab or CR out.
    Event.objects.filter(pk=event.pk).update(title=value, place=value, summary=value)
    Participant.objects.filter(event=event).update(name=value)
    Topic.objects.filter(slug="thema").update(name=value)
    Series.objects.filter(name="Reihe").update(name=value)
    content_changed()
    (row,) = export(client)
    shown = "'" + value.lstrip("\t\r")  # the text as typed, control characters aside, after the apostrophe
    for column in ("Titel", "Ort", "Zusammenfassung", "Themen", "Reihe"):
        assert row[column] == shown, column
    assert row["Teilnehmende"] == shown
    for column, cell in row.items():
        assert not cell.startswith(FORMULA_STARTS), column


def test_a_title_that_only_looks_like_a_formula_is_kept_whole_behind_the_apostrophe(client, make_event):
    make_event(title="-30 % Zölle auf Stahl", place="+49 30 18615 0")
    (row,) = export(client)
    assert (row["Titel"], row["Ort"]) == ("'-30 % Zölle auf Stahl", "'+49 30 18615 0")


@pytest.mark.usefixtures("hostile")
def test_hostile_content_gives_a_file_of_clean_cells_and_loses_no_word(client):
    response = client.get("/export.csv")
    rows = read_csv(response)
    assert len(rows) == 2
    text = response.content.decode("utf-8-sig")
    for forbidden in [*CONTROL, "\x00", "\ufffe", "\uffff", "\u202e", "\u202c", "\u200f", "\u200b"]:
        assert forbidden not in text, repr(forbidden)
    row = next(row for row in rows if row["Titel"].startswith("Treffen"))
    assert len(row["Titel"]) > LONG  # long, but whole: nothing an editor wrote is silently cut
    assert "evil" in row["Titel"] and "<script>" in row["Titel"]  # plain text, as typed: a cell runs no markup
    assert row["Ort"] == "Berlin"
    assert row["Themen"] == "Thema mit </category> ]]>"
    assert "farbig" in row["Zusammenfassung"] and len(row["Zusammenfassung"]) > 10_000
    assert HOSTILE["body"] not in text  # the body is not a column
    (untitled,) = (other for other in rows if other is not row)
    assert untitled["Titel"] == ""  # invisible and control characters only: nothing left to show
