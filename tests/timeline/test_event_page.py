"""One event's page: content, structured data, links, old addresses; sitemap and robots.txt."""

import datetime
import html
import json
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
import time_machine
from django.core.management import call_command

from timeline.cache import content_changed
from timeline.models import Event, Series, Topic


def jsonld(response) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")  # YYYY, YYYY-MM, YYYY-MM-DD: no EDTF code or qualifier
ATTENDANCE_MODES = {f"https://schema.org/{mode}EventAttendanceMode" for mode in ("Offline", "Online", "Mixed")}


def nodes(value):
    """Every JSON object in `value`, nested ones included."""
    if isinstance(value, dict):
        yield value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from nodes(item)


def assert_valid_event(data: dict) -> None:
    """What schema.org and Google's Event structured data require of what is there: a name, an
    ISO 8601 startDate (endDate likewise), an attendance mode from the enumeration, an address
    on every Place and a url on every VirtualLocation."""
    assert data["@type"] == "Event" and data["name"]
    for key in ("startDate", "endDate"):
        assert key not in data or ISO_DATE.fullmatch(data[key]), data[key]
    assert data.get("eventAttendanceMode", next(iter(ATTENDANCE_MODES))) in ATTENDANCE_MODES
    for node in nodes(data):
        if node.get("@type") == "Place":
            assert node.get("address"), node
        if node.get("@type") == "VirtualLocation":
            assert node.get("url"), node


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {event.slug: event for event in Event.objects.all()}


def test_jsonld_of_every_seed_event_parses_and_carries_dates_at_their_real_precision(client, seed):
    expected = {
        "reiche-trifft-kiuchi-berlin-2025": ("2025-06-26", None),
        "erste-deutsch-japanische-regierungskonsultationen-2023": ("2023-03-18", None),
        # "Ende 2024": the fourth quarter, given as the months it spans, never as a fake day.
        "deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert": ("2024-10", "2024-12"),
    }
    for slug, (start, end) in expected.items():
        data = jsonld(client.get(f"/events/{slug}/"))
        assert_valid_event(data)
        assert data["startDate"] == start
        assert data.get("endDate") == end
        assert data["url"] == f"https://events.example.org/events/{slug}/"
        assert data["identifier"] == f"urn:uuid:{seed[slug].public_id}"
        assert data["eventStatus"] == "https://schema.org/EventScheduled"


def test_jsonld_names_place_organizer_and_participants(client, seed):
    data = jsonld(client.get("/events/reiche-trifft-kiuchi-berlin-2025/"))
    assert data["location"] == {
        "@type": "Place",
        "name": "Berlin",
        "address": {"@type": "PostalAddress", "addressLocality": "Berlin"},
    }
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["organizer"]["name"] == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    assert [p["name"] for p in data["performer"]] == ["Katherina Reiche", "Minoru Kiuchi"]
    assert data["performer"][1]["jobTitle"] == "Minister für Wirtschaftssicherheit"
    assert data["superEvent"]["name"] == "Deutsch-Japanischer Wirtschaftssicherheitsdialog"


@pytest.mark.parametrize(
    ("date", "start", "end"),
    [
        ("2023-03", "2023-03", None),
        ("2024", "2024", None),
        ("2. Halbjahr 2024", "2024-07", "2024-12"),
        ("2025-06-26/2025-06-27", "2025-06-26", "2025-06-27"),
        ("ca. März 2023", "2023-03", None),
        # EDTF codes and qualifiers are not ISO 8601: the quarter is its months, "~" and "?" go.
        ("2024-36", "2024-10", "2024-12"),
        ("2024-41", "2024-07", "2024-12"),
        ("2024~", "2024", None),
        ("2023?", "2023", None),
        ("2023-05%/2024-35", "2023-05", "2024-09"),
    ],
)
def test_jsonld_dates_never_claim_more_precision_than_known(client, make_event, date, start, end):
    event = make_event(date=date)
    data = jsonld(client.get(event.get_absolute_url()))
    assert_valid_event(data)
    assert (data["startDate"], data.get("endDate")) == (start, end)


def test_text_with_closing_script_tag_cannot_break_out_of_the_jsonld(client, make_event):
    hostile = 'Zitat </script><script>alert("x")</script> <!-- & "Ende"'
    event = make_event(title=hostile, summary=hostile, place="</SCRIPT>")
    page = client.get(event.get_absolute_url()).content.decode()
    block = page[page.index('<script type="application/ld+json">') :]
    block = block[: block.index("</script>")]
    assert "<" not in block[len('<script type="application/ld+json">') :]
    data = jsonld(client.get(event.get_absolute_url()))
    assert data["description"] == hostile
    assert data["name"] == hostile
    assert '<script>alert("x")' not in page


def test_an_event_in_berlin_is_at_a_place_with_an_address(client, make_event):
    data = jsonld(client.get(make_event(place="Berlin", countries=["DE"]).get_absolute_url()))
    assert_valid_event(data)
    # Its countries are those involved, not where it took place: no addressCountry from them.
    assert data["location"]["address"] == {"@type": "PostalAddress", "addressLocality": "Berlin"}
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"


def test_a_video_conference_is_online_without_a_location_it_has_no_address_for(client, make_event):
    data = jsonld(client.get(make_event(place="Videokonferenz").get_absolute_url()))
    assert_valid_event(data)
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert "location" not in data


@pytest.mark.parametrize("place", ["", "Telefonat", "Telefonkonferenz"])
def test_an_event_without_a_place_claims_neither_location_nor_attendance_mode(client, make_event, place):
    data = jsonld(client.get(make_event(place=place).get_absolute_url()))
    assert_valid_event(data)
    assert "location" not in data
    assert "eventAttendanceMode" not in data


def test_an_imprecise_date_is_given_as_the_iso_8601_months_it_spans(client, make_event):
    data = jsonld(client.get(make_event(date="Ende 2024").get_absolute_url()))
    assert_valid_event(data)
    assert (data["startDate"], data["endDate"]) == ("2024-10", "2024-12")


def test_page_has_canonical_link_and_open_graph(client, seed):
    page = client.get("/events/reiche-trifft-kiuchi-berlin-2025/").content.decode()
    assert '<link rel="canonical" href="https://events.example.org/events/reiche-trifft-kiuchi-berlin-2025/">' in page
    assert '<meta property="og:title" content="Bundesministerin Reiche trifft Japans Minister' in page
    assert (
        '<meta property="og:url" content="https://events.example.org/events/reiche-trifft-kiuchi-berlin-2025/">' in page
    )
    assert '<meta property="og:locale" content="de_DE">' in page


def test_page_shows_everything_about_the_event(client, seed):
    page = client.get("/events/reiche-trifft-kiuchi-berlin-2025/").content.decode()
    for text in [
        "26. Juni 2025",
        "Berlin",
        "Deutschland",
        "Japan",
        'Minoru Kiuchi (<span lang="ja">城内実</span>)',
        "Minister für Wirtschaftssicherheit",
        "Kritische Rohstoffe",
        "Deutsch-Japanischer Wirtschaftssicherheitsdialog",
        "Pressemitteilung vom 26.06.2025",
        "Veröffentlicht",
    ]:
        assert text in page, text
    assert 'href="/?topic=economic-security"' in page
    assert 'href="/?country=JP"' in page
    assert 'href="/?series=german-japanese-economic-security-dialogue"' in page


def test_series_links_to_the_previous_and_next_public_event(client, make_event):
    series = Series.objects.create(name="Dialog", slug="dialog")
    first = make_event(title="Erste Runde", date="2023-05-01", series=series)
    middle = make_event(title="Zweite Runde", date="Ende 2024", series=series)
    make_event(title="Entwurf Runde", date="2025-01-10", series=series, status=Event.Status.DRAFT, publish_at=None)
    last = make_event(title="Dritte Runde", date="2025-06-26", series=series)

    page = client.get(middle.get_absolute_url()).content.decode()
    assert f'<a href="{last.get_absolute_url()}" rel="next" lang="de">Dritte Runde</a>' in page
    assert f'<a href="{first.get_absolute_url()}" rel="prev" lang="de">Erste Runde</a>' in page
    assert "Entwurf Runde" not in page
    assert 'rel="prev"' not in client.get(first.get_absolute_url()).content.decode()


def test_changed_slug_redirects_the_old_address_permanently(client, make_event):
    event = make_event(title="Alter Titel")
    old_url = event.get_absolute_url()
    event.slug = "neuer-titel"
    event.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/events/neuer-titel/"
    # Changed twice: both earlier addresses still lead to the current page.
    event.slug = "dritter-titel"
    event.save()
    assert client.get(old_url)["Location"] == "/events/dritter-titel/"
    assert client.get("/events/neuer-titel/")["Location"] == "/events/dritter-titel/"


def test_old_slug_of_a_draft_does_not_reveal_it(client, make_event):
    event = make_event(title="Alter Titel", status=Event.Status.DRAFT, publish_at=None)
    event.slug = "neuer-titel"
    event.save()
    assert client.get("/events/alter-titel/").status_code == 404


def test_a_retired_slug_keeps_leading_to_its_event_and_a_new_event_gets_another(client, make_event):
    old = make_event(title="Treffen")
    old.slug = "treffen-berlin"
    old.save()
    newer = make_event(title="Treffen")
    assert newer.slug == "treffen-2"  # links and bookmarks to /events/treffen/ still mean the first
    assert client.get("/events/treffen/")["Location"] == "/events/treffen-berlin/"
    assert client.get("/events/treffen-2/").context["event"] == newer


def test_detail_query_count_does_not_grow_with_participants_topics_sources_or_corrections(
    client, make_event, django_assert_num_queries
):
    from timeline.cache import clear, content_version

    series = Series.objects.create(name="Reihe", slug="reihe")
    event = make_event(series=series, date="2025-06-26")
    make_event(title="Davor", series=series, date="2024")
    make_event(title="Danach", series=series, date="2025-09")

    def built_anew() -> str:
        clear()
        content_version()  # this process knows the version already, as it does within a second
        # The event with its series; its topics, participants, sources, corrections; and its two
        # neighbours in the series.
        with django_assert_num_queries(1 + 4 + 2):
            return client.get(event.get_absolute_url()).content.decode()

    page = built_anew()
    assert "Reihe" in page and "Davor" in page and "Danach" in page and "2024" in page
    for number in range(8):
        event.participants.create(name=f"Person {number}", country="JP")
        event.sources.create(url=f"https://example.org/{number}", title=f"Quelle {number}")
        event.topics.add(Topic.objects.create(name=f"Thema {number}", slug=f"thema-{number}"))
        event.change_note = f"Korrektur {number}"
        event.save()
    page = built_anew()
    assert "Person 7" in page and "Quelle 7" in page and "Thema 7" in page and "Korrektur 7" in page
    # Repeated: from the cache, no query at all.
    with django_assert_num_queries(0):
        assert client.get(event.get_absolute_url()).content.decode() == page


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def update_times(client, event: Event) -> dict:
    """What each surface says about when `event` was published and last updated."""
    page = client.get(event.get_absolute_url()).content.decode()
    footer = page[page.index('<footer class="event-times">') :]
    data = jsonld(client.get(event.get_absolute_url()))["mainEntityOfPage"]
    entry = next(e for e in feedparser.parse(client.get("/feeds/atom/").content).entries if e.title == event.title)
    sitemap = ElementTree.fromstring(client.get("/sitemap.xml").content)
    lastmod = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in sitemap}
    updated_on_page = re.search(r'Zuletzt aktualisiert: <time datetime="([^"]+)"', footer)
    return {
        "page published": re.search(r'Veröffentlicht: <time datetime="([^"]+)"', footer)[1],
        "page updated": updated_on_page[1] if updated_on_page else None,
        "json-ld published": data["datePublished"],
        "json-ld modified": data["dateModified"],
        "atom published": entry.published,
        "atom updated": entry.updated,
        "sitemap": lastmod[f"https://events.example.org{event.get_absolute_url()}"],
    }


def same_instant(*values: str) -> bool:
    return len({datetime.datetime.fromisoformat(value.replace("Z", "+00:00")) for value in values}) == 1


def test_last_updated_moves_only_with_a_significant_correction_on_page_json_ld_feed_and_sitemap(client, seed):
    event = seed["reiche-trifft-kiuchi-berlin-2025"]
    before = update_times(client, event)
    # Loaded today, published with the press release: no surface claims an update at load time.
    assert before["page updated"] is None
    assert same_instant(
        "2025-06-26T12:00:00+02:00", before["page published"], before["json-ld published"],
        before["json-ld modified"], before["atom published"], before["atom updated"],
    )  # fmt: skip
    assert before["sitemap"] == "2025-06-26"  # the sitemap protocol's lastmod is a W3C date

    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        event.place += " "  # a minor edit: no change note
        event.save()
        assert update_times(client, event) == before

    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC)):
        event.change_note = "Ort präzisiert."
        event.save()
        after = update_times(client, event)
    assert after["page published"] == before["page published"]
    assert same_instant(
        "2026-03-03T09:00:00+00:00", after["page updated"], after["json-ld modified"], after["atom updated"]
    )
    assert after["sitemap"] == "2026-03-03"


def test_sitemap_lists_public_event_pages_with_last_modification_and_no_drafts(client, seed, make_event):
    draft = make_event(title="Geheim", status=Event.Status.DRAFT, publish_at=None)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    for slug in seed:
        german, english = (f"https://events.example.org{prefix}/events/{slug}/" for prefix in ("", "/en"))
        assert entries[german] and entries[english] == entries[german]  # each language, one last change
    assert "https://events.example.org/" in entries and "https://events.example.org/en/" in entries
    assert not any(urlsplit(address).path.endswith(draft.get_absolute_url()) for address in entries)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://events.example.org/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def test_german_content_is_marked_as_german_on_english_pages(client, make_event):
    event = make_event(title="Bundesministerin trifft Amtskollegen", summary="Ein Treffen.")
    page = client.get("/en" + event.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page
    assert '<h1 lang="de">Bun\u00addes' in page  # German, and hyphenated by German rules
    assert 'class="event-summary lead" lang="de"' in page


def test_publication_time_reads_as_a_press_office_writes_it(client, seed):
    german = client.get("/events/reiche-trifft-kiuchi-berlin-2025/").content.decode()
    assert "26. Juni 2025, 12:00 Uhr" in german
    english = client.get("/en/events/reiche-trifft-kiuchi-berlin-2025/")
    assert "26 June 2025, 12:00" in english.content.decode()


def test_the_page_shows_the_current_state_after_every_kind_of_change(client, make_event):
    # The page is cached per content version; no kind of change may leave it stale.
    topic = Topic.objects.create(name="Energie", slug="energie")
    event = make_event(title="Konsultationen", topics=[topic])
    person = event.participants.create(name="Kiuchi Minoru", role="Minister")
    source = event.sources.create(url="https://example.org/a", title="Pressemitteilung")
    url = event.get_absolute_url()

    def page() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    assert "Kiuchi Minoru" in page()
    person.role = "Staatsminister"
    person.save()
    assert "Staatsminister" in page()
    source.title = "Gemeinsame Erklärung"
    source.save()
    assert "Gemeinsame Erklärung" in page()
    topic.name = "Energiepolitik"
    topic.save()
    assert "Energiepolitik" in page()
    event.change_note = "Ort berichtigt."
    event.place = "Tokio"
    event.save()
    body = page()
    assert "Ort berichtigt." in body and "Tokio" in body
    # Around the model: the writer announces it, as the documented contract says.
    Event.objects.filter(pk=event.pk).update(summary="Ohne save() geändert.")
    content_changed()
    assert "Ohne save() geändert." in page()
    person.delete()
    assert "Kiuchi Minoru" not in page()


def test_the_language_switch_on_an_event_page_works_for_each_visitor(make_event):
    # The page is rendered once per state of the event; each response still carries its own
    # address for the language switch, and nothing else made for one visitor.
    from django.test import Client

    address = make_event(title="Konsultationen").get_absolute_url()
    for query in ("", "?a=1&b=<x>"):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(address + query)
        page = response.content.decode()
        assert "csrfmiddlewaretoken" not in page and not response.cookies
        english_link = re.search(r'<a href="([^"]*)" hreflang="en" lang="en">English</a>', page).group(1)
        assert html.unescape(english_link) == "/en" + response.wsgi_request.get_full_path()
        assert "<x>" not in page
        english = visitor.get(html.unescape(english_link))
        assert '<html lang="en">' in english.content.decode() and "Diplomatic events" in english.content.decode()
        assert not english.cookies
        german_link = re.search(r'<a href="([^"]*)" hreflang="de" lang="de">Deutsch</a>', english.content.decode())
        assert html.unescape(german_link.group(1)) == response.wsgi_request.get_full_path()


def test_a_scheduled_events_page_opens_when_its_time_comes(client, make_event):
    # The page's query is compiled once; the time it asks about must be the time of each visit.
    now = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        event = make_event(title="Geplant", publish_at=now + datetime.timedelta(hours=1))
        assert client.get(event.get_absolute_url()).status_code == 404
        traveller.shift(datetime.timedelta(hours=1))
        assert "Geplant" in client.get(event.get_absolute_url()).content.decode()


def test_a_preview_link_shows_a_drafts_place_in_its_series(client, make_event):
    from timeline.models import PreviewLink

    series = Series.objects.create(name="Dialog", slug="dialog")
    first = make_event(title="Erste Runde", date="2023-05-01", series=series)
    draft = make_event(title="Zweite Runde", date="2024-05", series=series, status=Event.Status.DRAFT, publish_at=None)
    link = PreviewLink.objects.create(event=draft)
    page = client.get(link.get_absolute_url()).content.decode()
    assert "Zweite Runde" in page and "Dialog" in page
    assert f'<a href="{first.get_absolute_url()}" rel="prev" lang="de">Erste Runde</a>' in page
