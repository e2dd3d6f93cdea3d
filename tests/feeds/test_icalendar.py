"""iCalendar: the subscribed calendar at /feeds/ics/ and each event's .ics, read back with two
independent parsers (icalendar and vobject), never with the code that wrote them."""

import datetime
import io
import re

import icalendar
import pytest
import time_machine
import vobject
from django.core.management import call_command

from tests.conftest import panel_links
from tests.test_language import foreign_phrases
from timeline.cache import content_changed
from timeline.dates import parse_event_date
from timeline.models import Event, Topic

from .test_hostile_content import CONTROL, LONG, hostile  # noqa: F401  (the fixture)

# The seed's press release is of 26 June 2025; a few days later its meeting is in the past year,
# "Ende 2024" too, and "2023" long before.
NOW = datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2025, 7, 1)
CALENDAR = "/feeds/ics/"
MEETING = "/events/reiche-trifft-kiuchi-berlin-2025/"
QUARTER = "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/"
DOMAIN = "bundeswirtschaftsministerium.de"


@pytest.fixture
def frozen():
    """The clock at NOW, standing still; requested before `make_event` or `seed`, it holds for
    the events' publication times too."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def seed(frozen, db):
    call_command("load_seed", stdout=io.StringIO())


def read(response) -> tuple[icalendar.Calendar, vobject.base.Component]:
    """The calendar of `response` as both parsers read it, after checking the lines themselves:
    CRLF only, none longer than 75 octets (RFC 5545 section 3.1), and both parsers seeing the
    same entries."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    data = response.content
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line, line
    calendar = icalendar.Calendar.from_ical(data)
    second = vobject.readOne(data.decode())
    assert [str(entry["UID"]) for entry in calendar.events] == [entry.uid.value for entry in entries(second)]
    return calendar, second


def extension_text(calendar: icalendar.Calendar, name: str) -> str:
    """A property icalendar does not know (RFC 7986's NAME, X-WR-…) read as TEXT, as vobject and
    calendar programs read it: icalendar leaves those escaped."""
    from icalendar.parser.property import unescape_backslash

    return unescape_backslash(str(calendar[name]))


def entries(calendar: vobject.base.Component) -> list:
    return calendar.contents.get("vevent", [])


def by_summary(calendar: icalendar.Calendar, start: str) -> icalendar.Event:
    return next(entry for entry in calendar.events if str(entry["SUMMARY"]).startswith(start))


def words(texts: list[str]) -> list[str]:
    """The texts without their web addresses (a host or path is no word of either language)."""
    return [re.sub(r"https?://\S+", "", text) for text in texts]


def summaries(client, url: str = CALENDAR) -> list[str]:
    return [str(entry["SUMMARY"]) for entry in read(client.get(url))[0].events]


def test_the_seed_calendar_holds_the_meeting_of_26_june_2025_as_both_parsers_read_it(client, seed):
    calendar, second = read(client.get(CALENDAR))
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi"
    assert entry.start == datetime.date(2025, 6, 26)
    assert entry.end == datetime.date(2025, 6, 27)
    assert str(entry["UID"]) == f"5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a01@{DOMAIN}"
    assert str(entry["URL"]) == "https://events.example.org" + MEETING
    assert str(entry["LOCATION"]) == "Berlin"
    assert entry["STATUS"] == "CONFIRMED" and entry["TRANSP"] == "TRANSPARENT" and entry["CLASS"] == "PUBLIC"
    assert entry["SEQUENCE"] == 0
    assert entry.categories == ["Treffen", "Deutschland", "Japan", "Kritische Rohstoffe", "Wirtschaftssicherheit"]
    # DTSTAMP, CREATED and LAST-MODIFIED in UTC: the release's first publication (12:00 in Berlin).
    published = datetime.datetime(2025, 6, 26, 10, 0, tzinfo=datetime.UTC)
    assert entry.DTSTAMP == entry.created == entry.last_modified == published
    assert "DTSTAMP:20250626T100000Z" in client.get(CALENDAR).content.decode()
    description = str(entry["DESCRIPTION"])
    assert description.startswith("Datum: 26. Juni 2025 · Ort: Berlin\n\nKatherina Reiche und Minoru Kiuchi")
    assert "Rohstoffsicherung" in description  # from the body
    assert description.endswith("https://events.example.org" + MEETING)
    (same,) = entries(second)
    assert same.dtstart.value == datetime.date(2025, 6, 26) and same.dtend.value == datetime.date(2025, 6, 27)
    assert same.summary.value == str(entry["SUMMARY"]) and same.description.value == description
    assert same.categories.value == entry.categories


def test_the_calendar_names_itself_says_what_it_leaves_out_and_why_and_asks_to_be_fetched_hourly(client, seed):
    calendar, second = read(client.get(CALENDAR))
    assert calendar["VERSION"] == "2.0" and calendar["CALSCALE"] == "GREGORIAN" and calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"]) == f"-//{DOMAIN}//Diplomatische Termine//DE"
    assert extension_text(calendar, "NAME") == extension_text(calendar, "X-WR-CALNAME") == "Diplomatische Termine"
    assert str(calendar["SOURCE"]) == "https://events.example.org/feeds/ics/"
    assert str(calendar["URL"]) == "https://events.example.org/"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    text = client.get(CALENDAR).content.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    description = str(calendar["DESCRIPTION"])
    assert second.x_wr_caldesc.value == description == extension_text(calendar, "X-WR-CALDESC")
    # The events of "2023" (18 March 2023, over a year ago) and "4. Quartal 2024" are not entries,
    # and the description says why, in German.
    assert "vergangenen zwölf Monate" in description
    assert "nur auf den Monat, das Quartal" in description and "„4. Quartal 2024“" in description
    assert "1 Termin dieser Ansicht aus diesem Zeitraum fehlt deshalb." in description
    assert description.endswith("Die Liste zeigt alle Termine: https://events.example.org/")
    assert foreign_phrases(words([description]), "de") == []


def test_a_calendar_with_no_entries_is_still_valid_and_says_it_is_empty_for_now(client, frozen, make_event):
    # Only an event dated to the quarter: nothing a calendar can show.
    make_event(title="Dialog etabliert", date="2024-36")
    calendar, second = read(client.get(CALENDAR))
    assert not calendar.events
    # RFC 5545, section 3.4: a calendar holds at least one component; strict importers insist.
    assert [component.name for component in calendar.subcomponents] == ["VTIMEZONE"]
    assert str(calendar.subcomponents[0]["TZID"]) == "Europe/Berlin"
    assert second.vtimezone.tzid.value == "Europe/Berlin"
    description = str(calendar["DESCRIPTION"])
    assert "Zurzeit enthält dieser Kalender keine Termine" in description
    assert "1 Termin dieser Ansicht aus diesem Zeitraum fehlt deshalb." in description
    # With an entry, no time zone is needed (all-day entries have none) and none is sent.
    make_event(title="Treffen", date=(NOW + datetime.timedelta(days=3)).date().isoformat())
    calendar, _second = read(client.get(CALENDAR))
    assert [component.name for component in calendar.subcomponents] == ["VEVENT"]
    assert "Zurzeit" not in str(calendar["DESCRIPTION"])


def test_a_calendar_of_a_long_past_period_says_it_stays_empty_and_counts_what_lies_further_back(
    client, frozen, make_event
):
    make_event(title="Vor Jahren", date="2020-05-04")
    make_event(title="Auch vor Jahren", date="2021-05-04")
    make_event(title="Ein Quartal vor Jahren", date="2021-34")  # never in a calendar: not counted here
    past = str(read(client.get(CALENDAR + "?from=2020&to=2021"))[0]["DESCRIPTION"])
    assert "Diese Ansicht endet vor mehr als zwölf Monaten; dieser Kalender bleibt daher leer." in past
    assert "Zurzeit" not in past
    assert "2 Termine dieser Ansicht liegen mehr als zwölf Monate zurück und sind nicht im Kalender." in past
    make_event(title="Bald", date=(NOW + datetime.timedelta(days=3)).date().isoformat())
    everything = str(read(client.get(CALENDAR))[0]["DESCRIPTION"])
    assert "2 Termine dieser Ansicht liegen mehr als zwölf Monate zurück" in everything
    assert "bleibt daher leer" not in everything


def test_a_calendar_opened_in_a_browser_is_saved_under_a_name_saying_what_it_holds(client, seed):
    assert client.get(CALENDAR)["Content-Disposition"] == 'attachment; filename="diplomatische-termine.ics"'
    filtered = client.get(CALENDAR + "?country=JP&topic=economic-security")
    assert filtered["Content-Disposition"] == 'attachment; filename="diplomatische-termine-jp-economic-security.ics"'
    one = client.get(MEETING + "event.ics")
    assert one["Content-Disposition"] == 'attachment; filename="reiche-trifft-kiuchi-berlin-2025.ics"'


def test_a_filtered_calendar_names_its_filters_like_the_feeds(client, seed):
    calendar, second = read(client.get(CALENDAR + "?topic=economic-security&country=JP"))
    name = "Diplomatische Termine: Land: Japan, Thema: Wirtschaftssicherheit"
    assert extension_text(calendar, "NAME") == extension_text(calendar, "X-WR-CALNAME") == name
    assert second.contents["name"][0].value == second.x_wr_calname.value == name
    assert str(calendar["SOURCE"]) == "https://events.example.org/feeds/ics/?country=JP&topic=economic-security"
    assert str(calendar["URL"]) == "https://events.example.org/?country=JP&topic=economic-security"


def test_all_day_ends_are_exclusive_for_a_single_day_a_range_and_a_calendar_week(client, frozen, make_event):
    make_event(title="Ein Tag", date="2025-07-10")
    make_event(title="Zwei Tage", date="30. Juni – 1. Juli 2025")
    make_event(title="Eine Woche", date="KW 52 2025")
    calendar, second = read(client.get(CALENDAR))
    spans = {str(entry["SUMMARY"]): (entry.start, entry.end) for entry in calendar.events}
    assert spans == {
        "Zwei Tage": (datetime.date(2025, 6, 30), datetime.date(2025, 7, 2)),
        "Ein Tag": (datetime.date(2025, 7, 10), datetime.date(2025, 7, 11)),
        "Eine Woche": (datetime.date(2025, 12, 22), datetime.date(2025, 12, 29)),
    }
    assert {entry.summary.value: (entry.dtstart.value, entry.dtend.value) for entry in entries(second)} == spans
    # All-day: dates, never times (VALUE=DATE).
    text = client.get(CALENDAR).content.decode()
    assert "DTSTART;VALUE=DATE:20250630\r\nDTEND;VALUE=DATE:20250702\r\n" in text


@pytest.mark.parametrize("date, days", [("9999-12-31", 1), ("9999-12-30/9999-12-31", 2)])
def test_an_event_ending_on_the_last_day_there_is_spans_it_by_duration(client, frozen, make_event, date, days):
    # The exclusive end would be 1 January 10000, which no calendar date can say.
    event = make_event(title="Am Ende der Zeit", date=date)
    for path in (CALENDAR, event.get_absolute_url() + "event.ics"):
        calendar, second = read(client.get(path))
        (entry,) = calendar.events
        assert "DTEND" not in entry
        assert entry.start == datetime.date(9999, 12, 32 - days)
        assert entry["DURATION"].dt == datetime.timedelta(days=days)
        (other,) = entries(second)
        assert (other.dtstart.value, other.duration.value) == (entry.start, datetime.timedelta(days=days))


def test_uids_are_unique_and_survive_a_new_title_slug_and_site_address(client, frozen, make_event, settings):
    first = make_event(title="Treffen in Berlin", date="2025-07-10")
    make_event(title="Treffen in Berlin", date="2025-07-10", place="Bonn")  # the same title, another event
    before = {str(entry["UID"]): str(entry["URL"]) for entry in read(client.get(CALENDAR))[0].events}
    assert len(before) == 2
    assert f"{first.public_id}@{DOMAIN}" in before
    first.title = "Treffen in Berlin (verschoben)"
    first.slug = "treffen-berlin-neu"
    first.save()
    settings.SITE_URL = "https://termine.example.de"
    content_changed()
    after = {str(entry["UID"]): str(entry["URL"]) for entry in read(client.get(CALENDAR))[0].events}
    assert set(after) == set(before)
    assert after[f"{first.public_id}@{DOMAIN}"] == "https://termine.example.de/events/treffen-berlin-neu/"


@pytest.mark.parametrize("query", ["", "?country=FR", "?kind=visit", "?q=Paris", "?to=2025-06-30"])
def test_the_calendar_holds_exactly_the_page_s_events_known_to_the_day_within_the_past_year(
    client, frozen, make_event, query
):
    for date in [
        "2025-07-10", "2025-06-30/2025-07-02", "KW 12 2025", "ca. 26. Juni 2025", "2025-05-01?", "2030-01-15",
        "2024-07-01",  # exactly 365 days ago: the first day of the bound
        "2024-06-30",  # one day before it
        "2024-06-28/2024-07-03",  # began before the bound, ended inside it
        "Juli 2025", "3. Quartal 2025", "Sommer 2025", "2025", "2. Halbjahr 2025", "2025/2026",
        "KW 12 2025 – April 2025",  # a week to a month: the end is not known to the day
        "März – April 2025",
    ]:  # fmt: skip
        make_event(title=f"Besuch in Paris am {date}", date=date, kind="visit", countries=["FR"], place="Paris")
        make_event(title=f"Treffen in Tokio am {date}", date=date, countries=["JP"], place="Tokio")
    make_event(title="Entwurf", date="2025-07-10", status=Event.Status.DRAFT)
    bound = (TODAY - datetime.timedelta(days=365)).isoformat()
    page = client.get("/" + (query + "&" if query else "?") + f"from={bound}").content.decode()
    links = re.findall(r'<h4 class="event-title"[^>]*><a href="(/events/[^"]+/)">', page)
    assert 0 < len(links) < 50  # one page holds them all
    day_precise = {
        "https://events.example.org" + link
        for link in links
        if Event.objects.get(slug=link.split("/")[2]).event_date.is_day_precise
    }
    calendar, _second = read(client.get(CALENDAR + query))
    urls = [str(entry["URL"]) for entry in calendar.events]
    assert len(urls) == len(day_precise) and set(urls) == day_precise
    assert not any(title.endswith("am 2024-06-30") for title in summaries(client, CALENDAR + query))


def test_entries_are_ordered_by_date_and_the_limit_keeps_the_upcoming_then_the_latest_past(
    client, frozen, make_event, monkeypatch
):
    from feeds import ical

    for date in ["2025-06-01", "2025-08-01", "2025-06-20", "2025-07-01", "2026-01-01", "2024-09-01", "2025-07-02"]:
        make_event(title=date, date=date)
    assert summaries(client) == [
        "2024-09-01", "2025-06-01", "2025-06-20", "2025-07-01", "2025-07-02", "2025-08-01", "2026-01-01",
    ]  # fmt: skip
    monkeypatch.setattr(ical, "MAX_EVENTS", 6)
    content_changed()
    # Today's and the upcoming first, then the past ones latest first: the oldest is left out.
    calendar = read(client.get(CALENDAR))[0]
    assert [str(entry["SUMMARY"]) for entry in calendar.events] == [
        "2025-06-01", "2025-06-20", "2025-07-01", "2025-07-02", "2025-08-01", "2026-01-01",
    ]  # fmt: skip
    assert "1 weiterer Termin fehlt, weil die Höchstzahl erreicht ist." in str(calendar["DESCRIPTION"])
    monkeypatch.setattr(ical, "MAX_EVENTS", 3)
    content_changed()
    assert summaries(client) == ["2025-07-01", "2025-07-02", "2025-08-01"]


def test_a_date_known_only_roughly_keeps_its_day_and_the_summary_says_it_is_not_certain(client, frozen, make_event):
    make_event(title="Ungefähr", date="ca. 26. Juni 2025")
    make_event(title="Unsicher", date="2025-07-03?")
    make_event(title="Beides", date="2025-07-04%")
    calendar = read(client.get(CALENDAR))[0]
    assert [str(entry["SUMMARY"]) for entry in calendar.events] == [
        "Ungefähr (Datum ungefähr)",
        "Unsicher (Datum unsicher)",
        "Beides (Datum ungefähr und unsicher)",
    ]
    assert str(by_summary(calendar, "Ungefähr")["DESCRIPTION"]).startswith("Datum: ca. 26. Juni 2025")
    assert by_summary(calendar, "Ungefähr").start == datetime.date(2025, 6, 26)


def test_sequence_moves_with_a_significant_update_and_not_with_a_minor_one(client, frozen, make_event):
    event = make_event(title="Treffen", date="2025-07-10")
    first = by_summary(read(client.get(CALENDAR))[0], "Treffen")
    assert first["SEQUENCE"] == 0
    frozen.shift(datetime.timedelta(hours=2))
    event.summary = "Tippfehler korrigiert."
    event.save()
    minor = by_summary(read(client.get(CALENDAR))[0], "Treffen")
    assert minor["SEQUENCE"] == 0 and minor.DTSTAMP == first.DTSTAMP and minor.last_modified == first.last_modified
    assert str(minor["DESCRIPTION"]) != str(first["DESCRIPTION"])  # the content did change
    frozen.shift(datetime.timedelta(hours=2))
    event.change_note = "Das Datum wurde korrigiert."
    event.date = "2025-07-11"
    event.save()
    corrected = by_summary(read(client.get(CALENDAR))[0], "Treffen")
    assert corrected["SEQUENCE"] == 1
    assert corrected.DTSTAMP == corrected.last_modified == NOW + datetime.timedelta(hours=4)
    assert corrected.created == first.created
    assert "Korrektur: Das Datum wurde korrigiert." in str(corrected["DESCRIPTION"])
    frozen.shift(datetime.timedelta(hours=2))
    event.change_note = "Der Ort wurde korrigiert."
    event.save()
    assert by_summary(read(client.get(CALENDAR))[0], "Treffen")["SEQUENCE"] == 2
    # The event's own .ics says the same.
    single = read(client.get(f"/events/{event.slug}/event.ics"))[0]
    assert single.events[0]["SEQUENCE"] == 2


def test_the_same_content_gives_the_same_bytes_as_time_passes(client, seed):
    first = client.get(CALENDAR).content
    single = client.get(MEETING + "event.ics").content
    assert len(read(client.get(CALENDAR))[0].events) == len(read(client.get(MEETING + "event.ics"))[0].events) == 1
    from timeline.cache import clear

    clear()  # built anew, not served from the cache
    with time_machine.travel(NOW + datetime.timedelta(hours=5), tick=False):
        assert client.get(CALENDAR).content == first
        assert client.get(MEETING + "event.ics").content == single


def test_a_withdrawn_event_leaves_the_calendar_and_its_ics_is_gone(client, frozen, make_event):
    event = make_event(title="Abgesagt", date="2025-07-10")
    assert summaries(client) == ["Abgesagt"]
    ics = f"/events/{event.slug}/event.ics"
    assert client.get(ics).status_code == 200
    event.status = Event.Status.WITHDRAWN
    event.withdrawal_reason = "Das Treffen fand nicht statt."
    event.save()
    assert summaries(client) == []
    gone = client.get(ics)
    assert gone.status_code == 410
    assert "Das Treffen fand nicht statt." in gone.content.decode()


def test_a_draft_has_no_ics_and_no_link_even_for_staff(client, publisher_client, frozen, make_event):
    public = make_event(title="Öffentlich", date="2025-07-10")
    draft = make_event(title="Vertraulicher Entwurf", date="2025-07-10", status=Event.Status.DRAFT)
    scheduled = make_event(title="Geplant", date="2025-07-10", publish_at=NOW + datetime.timedelta(days=1))
    for event in (draft, scheduled):
        ics = f"/events/{event.slug}/event.ics"
        assert client.get(ics).status_code == 404
        assert publisher_client.get(ics).status_code == 404
        # Staff preview the draft at its page, without a link to a file that is not there.
        page = publisher_client.get(event.get_absolute_url())
        assert page.status_code == 200 and "Vorschau" in page.content.decode()
        assert "event.ics" not in page.content.decode()
    assert summaries(client) == summaries(publisher_client) == ["Öffentlich"]
    for reader in (client, publisher_client):
        assert read(reader.get(f"/events/{public.slug}/event.ics"))[0].events[0]["SUMMARY"] == "Öffentlich"
        assert "In den Kalender übernehmen" in reader.get(public.get_absolute_url()).content.decode()


def test_an_event_known_to_the_day_has_its_own_ics_with_the_same_entry(client, seed):
    response = client.get(MEETING + "event.ics")
    calendar, second = read(response)
    assert response["Content-Disposition"] == 'attachment; filename="reiche-trifft-kiuchi-berlin-2025.ics"'
    assert response["Cache-Control"] == "public, max-age=300"  # as the feeds
    assert calendar["METHOD"] == "PUBLISH" and "X-WR-CALNAME" not in calendar and "REFRESH-INTERVAL" not in calendar
    (entry,) = calendar.events
    (subscribed,) = read(client.get(CALENDAR))[0].events
    assert entry.to_ical() == subscribed.to_ical()
    assert entries(second)[0].uid.value == f"5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a01@{DOMAIN}"
    # The 2023 consultations, known to the day but over a year ago, have their .ics too.
    old = read(client.get("/events/erste-deutsch-japanische-regierungskonsultationen-2023/event.ics"))[0]
    assert old.events[0].start == datetime.date(2023, 3, 18)


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_event_known_only_to_the_quarter_has_no_ics_and_the_404_says_why(client, seed, language):
    prefix = "" if language == "de" else "/en"
    response = client.get(prefix + QUARTER + "event.ics")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    if language == "de":
        assert "ist nur als „4. Quartal 2024“ datiert. Ein Kalendereintrag braucht den Tag" in text
    else:
        assert "is dated only as “Q4 2024”. A calendar entry needs the day" in text
    assert "https://events.example.org" + prefix + QUARTER in text
    assert foreign_phrases(words([text]), language) == []
    assert client.get("/events/keine-solche-seite/event.ics").status_code == 404


def test_an_old_slug_s_ics_redirects_to_the_new_one(client, seed):
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.slug = "reiche-kiuchi-berlin"
    event.save()
    response = client.get(MEETING + "event.ics")
    assert response.status_code == 301
    assert response["Location"] == "/events/reiche-kiuchi-berlin/event.ics"
    assert read(client.get(response["Location"]))[0].events[0]["SUMMARY"].startswith("Bundesministerin Reiche")


def test_the_event_page_offers_the_calendar_only_for_an_event_known_to_the_day(client, seed):
    page = client.get(MEETING).content.decode()
    assert f'<a href="{MEETING}event.ics" type="text/calendar">In den Kalender übernehmen</a>' in page
    assert "In den Kalender übernehmen" not in client.get(QUARTER).content.decode()
    english = client.get("/en" + MEETING).content.decode()
    assert f'<a href="/en{MEETING}event.ics" type="text/calendar">Add to calendar</a>' in english


def test_the_timeline_offers_the_calendar_of_its_view(client, seed):
    page = client.get("/?country=JP").content.decode()
    alternate = re.search(r'<link rel="alternate" type="text/calendar" title="([^"]+)" href="([^"]+)">', page)
    assert alternate is not None
    assert alternate.group(1) == "Kalender dieser Termine (iCalendar)"
    assert alternate.group(2) == "https://events.example.org/feeds/ics/?country=JP"
    # A click subscribes in a calendar program (webcal:); Google Calendar takes the address itself.
    links = panel_links(page)
    assert links["Kalender (iCalendar)"]["href"] == "webcal://events.example.org/feeds/ics/?country=JP"
    # The https address, to copy into a calendar that subscribes by address (not a link: a click
    # would download a copy that never updates).
    assert "Adresse für Google Kalender" not in links
    copy = r'<details class="subscribe-address"><summary>([^<]+)</summary>.*?<code>([^<]+)</code>'
    address = re.search(copy, page, re.S)
    assert address.groups() == ("Kalenderadresse zum Kopieren", "https://events.example.org/feeds/ics/?country=JP")
    assert links["Kalender (iCalendar)"]["title"] == "Kalender dieser Termine (iCalendar)"
    assert read(client.get("/feeds/ics/?country=JP"))[0].events


def test_the_calendar_at_the_german_address_is_german_whatever_the_reader_s_language(client, seed):
    german = client.get(CALENDAR + "?country=JP")
    for headers in ({"Accept-Language": "en"}, {"Cookie": "django_language=en"}):
        asked = client.get(CALENDAR + "?country=JP", headers=headers)
        assert (asked.content, asked["ETag"], asked["Content-Language"]) == (german.content, german["ETag"], "de")
    calendar = read(german)[0]
    texts = [extension_text(calendar, "NAME"), str(calendar["DESCRIPTION"])]
    for entry in calendar.events:
        texts += [str(entry["SUMMARY"]), str(entry["DESCRIPTION"]), *entry.categories]
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            assert entry[name].params["LANGUAGE"] == "de", name
    assert foreign_phrases(words(texts), "de") == []


def test_the_calendar_at_the_english_address_is_english_and_marks_german_text_as_german(client, seed):
    meeting = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    meeting.title_en = meeting.summary_en = meeting.body_en = meeting.place_en = None  # the seed's English set aside
    meeting.save()
    calendar, second = read(client.get("/en" + CALENDAR))
    assert str(calendar["PRODID"]) == f"-//{DOMAIN}//Diplomatic events//EN"
    assert extension_text(calendar, "NAME") == "Diplomatic events"
    assert str(calendar["SOURCE"]) == "https://events.example.org/en/feeds/ics/"
    assert str(calendar["URL"]) == "https://events.example.org/en/"
    assert str(calendar["DESCRIPTION"]).endswith("The timeline lists every event: https://events.example.org/en/")
    # No English yet: the German text, never empty, with LANGUAGE=de (RFC 5545, section 3.2.10)
    # and a note; the calendar's own words are English.
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == meeting.title_de
    assert [entry[name].params["LANGUAGE"] for name in ("SUMMARY", "DESCRIPTION", "LOCATION")] == ["de"] * 3
    description = str(entry["DESCRIPTION"])
    assert description.startswith("Not yet available in English; shown in German.\n\nDate: 26 June 2025 · Place: ")
    assert str(entry["URL"]) == "https://events.example.org/en" + MEETING
    assert entry.categories[:3] == ["Meeting", "Germany", "Japan"]
    assert entries(second)[0].summary.params["LANGUAGE"] == ["de"]
    # With English, the entry is English; the place, still German only, says so on its own.
    meeting.title_en, meeting.summary_en = "Minister Reiche meets Japan's Minister Kiuchi", "They met in Berlin."
    meeting.save()
    (entry,) = read(client.get("/en" + CALENDAR))[0].events
    assert str(entry["SUMMARY"]) == "Minister Reiche meets Japan's Minister Kiuchi"
    assert [entry[name].params["LANGUAGE"] for name in ("SUMMARY", "DESCRIPTION", "LOCATION")] == ["en", "en", "de"]
    assert str(entry["DESCRIPTION"]).startswith("Date: 26 June 2025 · Place: Berlin\n\nThey met in Berlin.")
    # One event's .ics in English, at its English address.
    response = client.get("/en" + MEETING + "event.ics")
    assert response["Content-Language"] == "en"
    (single,) = read(response)[0].events
    assert single.to_ical() == entry.to_ical()
    # The German calendar is as it was, German throughout.
    (german,) = read(client.get(CALENDAR))[0].events
    assert str(german["SUMMARY"]) == meeting.title_de and german["SUMMARY"].params["LANGUAGE"] == "de"


def test_an_unreadable_filter_gets_a_400_that_says_why(client, seed):
    response = client.get(CALENDAR + "?country=XX")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "„XX“ ist kein Ländercode" in response.content.decode()


@pytest.mark.parametrize("url", [CALENDAR, CALENDAR + "?country=JP", MEETING + "event.ics"])
def test_a_calendar_asked_again_with_its_etag_gets_304(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={"if-modified-since": response["Last-Modified"]}).status_code == 304
    gzipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert client.get(url, headers={"accept-encoding": "gzip", "if-none-match": gzipped["ETag"]}).status_code == 304


def test_the_calendar_of_a_new_day_is_not_answered_with_yesterdays_304(client, frozen, make_event):
    # An event exactly a year ago is in today's calendar and leaves it at midnight.
    make_event(title="Vor einem Jahr", date=(NOW - datetime.timedelta(days=365)).date().isoformat())
    today = client.get(CALENDAR)
    assert [str(entry["SUMMARY"]) for entry in read(today)[0].events] == ["Vor einem Jahr"]
    frozen.move_to(NOW + datetime.timedelta(days=1))
    tomorrow = client.get(CALENDAR, headers={"if-modified-since": today["Last-Modified"]})
    assert tomorrow.status_code == 200
    assert read(tomorrow)[0].events == []


def test_an_edit_reaches_the_calendar_on_the_next_request(client, seed):
    etag = client.get(CALENDAR)["ETag"]
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.title = "Reiche trifft Kiuchi"
    event.save()
    response = client.get(CALENDAR, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert summaries(client) == ["Reiche trifft Kiuchi"]


def test_typed_commas_semicolons_backslashes_and_line_breaks_stay_valid_and_come_back(client, frozen, make_event):
    event = make_event(title="x", date="2025-07-10", countries=["DE"])
    topic = Topic.objects.create(name="Energie, Klima; Wasser", slug="energie")
    event.topics.add(topic)
    # Around the model, as a raw import might write it.
    Event.objects.filter(pk=event.pk).update(
        title="Gespräch, Teil 1; Ort\\Zeit\r\nzweite Zeile\rdritte",
        place="Tokio, Japan; Raum 3\\4",
        summary="Erste Zeile\r\nZweite, mit; Zeichen\\ und 城内実 " + "lang " * 400,
    )
    content_changed()
    calendar, second = read(client.get(CALENDAR))
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == "Gespräch, Teil 1; Ort\\Zeit zweite Zeile dritte"
    assert str(entry["LOCATION"]) == "Tokio, Japan; Raum 3\\4"
    assert "Energie, Klima; Wasser" in entry.categories
    assert "\nErste Zeile\nZweite, mit; Zeichen\\ und 城内実 lang" in str(entry["DESCRIPTION"])
    (same,) = entries(second)
    assert same.summary.value == str(entry["SUMMARY"]) and same.location.value == str(entry["LOCATION"])
    assert "Energie, Klima; Wasser" in same.categories.value
    assert same.description.value == str(entry["DESCRIPTION"])


def test_hostile_content_still_parses_with_both_parsers_and_keeps_its_words(client, frozen, hostile):  # noqa: F811
    response = client.get(CALENDAR)
    calendar, second = read(response)
    assert len(calendar.events) == 2
    text = response.content.decode()
    for forbidden in [*CONTROL, "\ufffe", "\uffff", "\u202e", "\u200b"]:
        assert forbidden not in text, repr(forbidden)
    # The body's markup is gone; the title's "<script>" is text a calendar shows as typed.
    assert "javascript:" not in text and "onclick" not in text and "iframe" not in text
    entry = by_summary(calendar, "Treffen")
    title = str(entry["SUMMARY"])
    assert title.startswith("Treffen]]></title>") and title.endswith("evil" + "x" * LONG)  # whole, not cut
    assert str(entry["LOCATION"]) == "Berlin"
    assert "Thema mit </category> ]]>" in entry.categories
    description = str(entry["DESCRIPTION"])
    assert "Zusammenfassung" in description and "farbig" in description and "Text" in description
    assert "Korrektur: Korrigiert ]]>" in description
    assert 'alert("x")' not in description  # a script's text is no text of the body
    untitled = next(event for event in calendar.events if event is not entry)
    assert str(untitled["SUMMARY"]) == "Termin ohne Titel"
    assert {item.summary.value for item in entries(second)} == {title, "Termin ohne Titel"}


def test_the_database_and_the_date_agree_on_which_dates_are_known_to_the_day(frozen, make_event):
    typed = [
        "2025-06-26", "26.–27. Juni 2025", "KW 12 2025", "KW 12 2025 – KW 14 2025", "ca. 26. Juni 2025",
        "2025-06-26~/2025-06-28?", "2025-06", "Juni 2025", "KW 12 2025 – April 2025", "März – April 2025",
        "2025-03-17/2026", "2025-36", "Sommer 2025", "2025", "2025?", "2024/25", "2. Halbjahr 2025",
    ]  # fmt: skip
    for date in typed:
        make_event(title=date, date=date)
    in_database = set(Event.objects.day_precise().values_list("title", flat=True))
    assert in_database == {date for date in typed if parse_event_date(date).is_day_precise}
    assert in_database == {
        "2025-06-26", "26.–27. Juni 2025", "KW 12 2025", "KW 12 2025 – KW 14 2025", "ca. 26. Juni 2025",
        "2025-06-26~/2025-06-28?",
    }  # fmt: skip


def test_a_cached_calendar_needs_no_event_queries(client, seed, django_assert_max_num_queries):
    client.get(CALENDAR)
    # At most the content version (read once a second per process), nothing else.
    with django_assert_max_num_queries(1):
        read(client.get(CALENDAR))
