"""Every format at its English address (/en/feeds/atom/, /en/export.csv, …): English where the
event has English text, its German text marked as German where it has none, never empty; the
German addresses as they were. Read with the parsers the German formats are read with
(feedparser, atoma, RFC 4287's schema, lxml, JSON Schema, icalendar and vobject, csv)."""

import io
import json
import re
from html import escape

import atoma
import feedparser
import icalendar
import pytest
import time_machine
import vobject
from django.core.management import call_command
from lxml import etree

from tests.conftest import panel_links
from timeline.cache import content_changed
from timeline.models import Event

from . import test_json_feed, test_timelinejs
from .test_feeds import atom_schema, parsed  # noqa: F401  (atom_schema: a fixture)
from .test_hostile_content import CONTROL, HOSTILE, LONG
from .test_icalendar import NOW

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITE = "https://events.example.org"
MEETING = "reiche-trifft-kiuchi-berlin-2025"
DIALOGUE = "deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert"
ENGLISH_TITLE = "Minister Reiche meets Japan's Minister for Economic Security Kiuchi"
ENGLISH_SUMMARY = "Katherina Reiche and Minoru Kiuchi met in Berlin to talk about economic security."
NOTE = "Not yet available in English; shown in German."


@pytest.fixture
def seed(db):
    """The seed, its meeting with an English title and summary (its place German); the other two
    German only. The
    clock a few days after the meeting, so that the calendars hold it."""
    with time_machine.travel(NOW, tick=False):
        call_command("load_seed", stdout=io.StringIO())
        for event in Event.objects.all():  # the seed's own English set aside
            event.title_en = event.summary_en = event.body_en = event.place_en = None
            event.save()
        meeting = Event.objects.get(slug=MEETING)
        meeting.title_en, meeting.summary_en = ENGLISH_TITLE, ENGLISH_SUMMARY
        meeting.save()
        yield meeting


def entry_elements(client, url: str) -> dict[str, etree._Element]:
    """The Atom entries of `url` by their event's slug, as lxml reads them."""
    root = etree.fromstring(client.get(url).content)
    return {
        entry.find(ATOM + "link").get("href").rstrip("/").rpartition("/")[2]: entry
        for entry in root.findall(ATOM + "entry")
    }


def entries_by_slug(feed) -> dict[str, feedparser.FeedParserDict]:
    return {entry.link.rstrip("/").rpartition("/")[2]: entry for entry in feed.entries}


def test_an_event_with_english_text_is_english_in_the_english_atom_feed(client, seed):
    feed = parsed(client.get("/en/feeds/atom/"))
    assert feed.feed.language == "en" and feed.feed.title == "Diplomatic events"
    entry = entries_by_slug(feed)[MEETING]
    assert entry.title == ENGLISH_TITLE and entry.title_detail.language == "en"
    assert entry.link == f"{SITE}/en/events/{MEETING}/"
    html = entry.content[0].value
    assert ENGLISH_SUMMARY in html and "26 June 2025" in html and NOTE not in html
    # Its place has no English: shown in German, and marked so inside the English entry.
    assert '<strong>Place:</strong> <span lang="de">Berlin</span>' in html
    assert XML_LANG not in entry_elements(client, "/en/feeds/atom/")[MEETING].attrib


@pytest.mark.parametrize("url", ["/en/feeds/atom/", "/en/feeds/rss/"])
def test_an_event_without_english_is_german_marked_as_german_with_a_note_and_never_empty(client, seed, url):
    feed = parsed(client.get(url))
    entry = entries_by_slug(feed)[DIALOGUE]
    dialogue = Event.objects.get(slug=DIALOGUE)
    assert entry.title == dialogue.title_de and entry.summary.endswith(dialogue.summary_de)
    # Atom: xml:lang on the entry, which feedparser gives its texts; RSS: dc:language on the item.
    assert (entry.title_detail.language if url.endswith("atom/") else entry.language) == "de"
    html = entry.content[0].value
    assert f'<p lang="en"><em>({NOTE})</em></p>' in html
    assert dialogue.summary_de in html and "Q4 2024" in html  # the site's words are English
    if url.endswith("atom/"):
        assert entry_elements(client, url)[DIALOGUE].get(XML_LANG) == "de"
    else:
        assert feed.feed.language == "en"  # the channel's language is the feed's


def test_the_german_atom_feed_is_unchanged_by_english_text(client, seed):
    german = client.get("/feeds/atom/")
    Event.objects.filter(slug=MEETING).update(title_en=None, summary_en=None)
    content_changed()
    without_english = client.get("/feeds/atom/")
    assert german.content == without_english.content
    feed = parsed(german)
    assert feed.feed.language == "de" and feed.feed.title == "Diplomatische Termine"
    entry = entries_by_slug(feed)[MEETING]
    assert entry.title == seed.title_de and entry.link == f"{SITE}/events/{MEETING}/"
    assert all(XML_LANG not in element.attrib for element in entry_elements(client, "/feeds/atom/").values())
    assert "Not yet available" not in german.content.decode() and german["Content-Language"] == "de"


@pytest.mark.parametrize("query", ["", "?country=JP&topic=economic-security"])
def test_the_english_feeds_are_valid_and_link_to_english_addresses(client, seed, atom_schema, query):  # noqa: F811
    atom = client.get("/en/feeds/atom/" + query).content
    assert atom_schema.validate(etree.fromstring(atom)), atom_schema.error_log
    strict = atoma.parse_atom_bytes(atom)
    assert strict.id_ == "tag:bundeswirtschaftsministerium.de,2025:feed:en/atom" + query
    links = {link.rel: link.href for link in strict.links}
    assert links == {"self": f"{SITE}/en/feeds/atom/{query}", "alternate": f"{SITE}/en/{query}"}
    assert all(entry.links[0].href.startswith(f"{SITE}/en/events/") for entry in strict.entries)
    rss = atoma.parse_rss_bytes(client.get("/en/feeds/rss/" + query).content)
    assert rss.link == f"{SITE}/en/{query}" and rss.language == "en"
    assert [item.guid for item in rss.items] == [entry.id_ for entry in strict.entries]
    for url in ("/en/feeds/atom/", "/en/feeds/rss/"):
        feed = parsed(client.get(url + query))
        for entry in feed.entries:
            assert entry.title and entry.summary and entry.content[0].value
            schemes = {tag.scheme for tag in entry.tags} - {"http://id.loc.gov/datatypes/edtf"}
            assert schemes and all(scheme.startswith(f"{SITE}/en/?") for scheme in schemes)


def test_the_english_json_feed_is_valid_and_gives_each_item_its_language(client, seed):
    response = client.get("/en/feeds/json/")
    assert response["Content-Language"] == "en"
    feed = json.loads(response.content)
    test_json_feed.check(feed)
    assert (feed["language"], feed["title"]) == ("en", "Diplomatic events")
    assert (feed["home_page_url"], feed["feed_url"]) == (f"{SITE}/en/", f"{SITE}/en/feeds/json/")
    items = {item["url"].rstrip("/").rpartition("/")[2]: item for item in feed["items"]}
    assert (items[MEETING]["language"], items[MEETING]["title"]) == ("en", ENGLISH_TITLE)
    dialogue = items[DIALOGUE]
    assert (dialogue["language"], dialogue["title"]) == ("de", Event.objects.get(slug=DIALOGUE).title_de)
    assert NOTE in dialogue["content_html"]
    # The German feed: German, and every item says so too.
    german = json.loads(client.get("/feeds/json/").content)
    assert german["language"] == "de" and {item["language"] for item in german["items"]} == {"de"}


def test_the_english_timeline_data_are_valid_and_mark_german_text(client, seed, monkeypatch):
    monkeypatch.setattr("feeds.views.MAX_EVENTS", 2)  # so that a next file follows
    response = client.get("/en/timeline.json")
    assert response["Link"].startswith(f"<{SITE}/en/timeline.json?after=") and 'rel="next"' in response["Link"]
    document = json.loads(response.content)
    test_timelinejs.check(document)
    assert response["Content-Disposition"] == 'attachment; filename="diplomatic-events.json"'
    assert document["title"]["text"]["headline"] == f'<a href="{SITE}/en/">Diplomatic events</a>'
    assert f'<a href="{SITE}/en/timeline.json?after=' in document["title"]["text"]["text"]
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    meeting = slides[f"event-{seed.public_id}"]
    assert meeting["text"]["headline"] == f'<a href="{SITE}/en/events/{MEETING}/">{escape(ENGLISH_TITLE)}</a>'
    assert meeting["display_date"] == "26 June 2025"
    dialogue = Event.objects.get(slug=DIALOGUE)
    slide = slides[f"event-{dialogue.public_id}"]
    assert slide["text"]["headline"].endswith(f' lang="de">{dialogue.title_de}</a>')
    assert slide["text"]["text"] == f'<p><em>({NOTE})</em></p><p lang="de">{dialogue.summary_de}</p>'


def test_the_english_calendar_is_read_back_by_both_parsers_with_the_language_of_each_text(client, seed):
    data = client.get("/en/feeds/ics/").content
    calendar = icalendar.Calendar.from_ical(data)
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == ENGLISH_TITLE and entry["SUMMARY"].params["LANGUAGE"] == "en"
    assert entry["DESCRIPTION"].params["LANGUAGE"] == "en" and entry["LOCATION"].params["LANGUAGE"] == "de"
    (second,) = vobject.readOne(data.decode()).contents["vevent"]
    assert second.summary.value == ENGLISH_TITLE and second.location.params["LANGUAGE"] == ["de"]


def titles(client, url: str) -> list[str]:
    """The entries' titles of a feed or calendar, as feedparser or icalendar read them."""
    response = client.get(url)
    if url.endswith("ics/"):
        return [str(entry["SUMMARY"]) for entry in icalendar.Calendar.from_ical(response.content).events]
    if url.endswith("json/"):
        return [item["title"] for item in json.loads(response.content)["items"]]
    return [entry.title for entry in parsed(response).entries]


FORMATS = ["/feeds/atom/", "/feeds/rss/", "/feeds/json/", "/feeds/ics/"]


def test_an_english_edit_and_a_raw_update_of_either_language_reach_the_formats_at_once(client, seed):
    for url in FORMATS:
        assert ENGLISH_TITLE in titles(client, "/en" + url)
    Event.objects.filter(slug=MEETING).update(title_en="Reiche and Kiuchi agree on a raw materials dialogue")
    content_changed()  # what the importer does after such a write
    for url in FORMATS:
        shown = titles(client, "/en" + url)
        assert "Reiche and Kiuchi agree on a raw materials dialogue" in shown and ENGLISH_TITLE not in shown, url
    Event.objects.filter(slug=MEETING).update(title_en=None, title_de="Reiche und Kiuchi vereinbaren Dialog")
    content_changed()
    for url in FORMATS:
        for address in (url, "/en" + url):
            assert "Reiche und Kiuchi vereinbaren Dialog" in titles(client, address), address


def test_hostile_english_text_still_gives_valid_english_feeds(client, seed, atom_schema):  # noqa: F811
    english = {
        f"{field}_en": value for field, value in HOSTILE.items() if field in ("title", "summary", "body", "place")
    }
    Event.objects.filter(slug=MEETING).update(**english)
    content_changed()
    atom = client.get("/en/feeds/atom/")
    assert atom_schema.validate(etree.fromstring(atom.content)), atom_schema.error_log
    entry = entries_by_slug(parsed(atom))[MEETING]
    assert len(entry.title) > LONG and entry.title_detail.language == "en"
    for url in ("/en/feeds/rss/", "/en/feeds/json/", "/en/feeds/ics/", "/en/export.csv", "/en/timeline.json"):
        text = client.get(url).content.decode("utf-8-sig")
        assert not [character for character in [*CONTROL, "\x00", "\u202e"] if character in text], url
    parsed(client.get("/en/feeds/rss/"))
    icalendar.Calendar.from_ical(client.get("/en/feeds/ics/").content)


@pytest.mark.parametrize(
    ("page", "prefix"),
    [("/?country=JP", ""), ("/en/?country=JP", "/en"), (f"/events/{MEETING}/", ""), (f"/en/events/{MEETING}/", "/en")],
)
def test_a_page_offers_the_formats_of_its_own_language(client, seed, page, prefix):
    html = client.get(page).content.decode()
    alternates = re.findall(r'<link rel="alternate" type="application/([a-z+]+)"[^>]* href="([^"]+)"', html)
    feeds = {kind: href.replace("&amp;", "&") for kind, href in alternates}
    assert set(feeds) >= {"rss+xml", "atom+xml", "feed+json"}
    for kind, path in (("rss+xml", "rss"), ("atom+xml", "atom"), ("feed+json", "json")):
        assert feeds[kind].startswith(f"{SITE}{prefix}/feeds/{path}/"), (kind, feeds[kind])
        assert client.get(feeds[kind].removeprefix(SITE))["Content-Language"] == (prefix.strip("/") or "de")
    if "country" in page:
        links = {link["href"] for link in panel_links(html).values()}
        assert links == {
            f"{SITE}{prefix}/feeds/rss/?country=JP",
            f"{SITE}{prefix}/feeds/atom/?country=JP",
            f"{SITE}{prefix}/feeds/json/?country=JP",
            f"webcal://events.example.org{prefix}/feeds/ics/?country=JP",
            f"{SITE}{prefix}/export.csv?country=JP",
            f"{SITE}{prefix}/timeline.json?country=JP",
        }
