"""RSS and Atom: parsed with feedparser, validated against RFC 4287, fetched like a feed reader."""

import datetime
import email.utils
import gzip
import io
import re
from pathlib import Path

import feedparser
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from lxml import etree

from tests.conftest import as_read, missing
from timeline.models import Event, Topic

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "schemas" / "atom-rfc4287.rnc"
NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
FEEDS = ["/feeds/rss/", "/feeds/atom/"]


@pytest.fixture(scope="session")
def atom_schema():
    """RFC 4287's RELAX NG (compact syntax, from ../shared/schemas), converted for lxml."""
    if not SCHEMA.exists():
        missing(f"Atom schema not found at {SCHEMA}")
    import rnc2rng

    rng = rnc2rng.dumps(rnc2rng.loads(SCHEMA.read_text()))
    # rnc2rng declares the empty "local" namespace with a prefix, which XML does not allow.
    rng = rng.replace(' xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode()))


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def parsed(response):
    assert response.status_code == 200, response.content[:500]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def titles(client, url: str) -> list[str]:
    return [entry.title for entry in parsed(client.get(url)).entries]


@pytest.mark.parametrize("url", FEEDS)
def test_feed_of_the_seed_parses_without_errors_and_every_entry_is_complete(client, seed, url):
    feed = parsed(client.get(url))
    assert len(feed.entries) == 3
    for entry in feed.entries:
        assert entry.id.startswith("tag:bundeswirtschaftsministerium.de,2025:event:")
        assert entry.link.startswith("https://events.example.org/events/")
        assert entry.published_parsed
        assert entry.updated_parsed if url.endswith("atom/") else entry.published_parsed
        assert entry.title and entry.summary
        assert entry.author == "Bundesministerium für Wirtschaft und Energie (BMWE)"


def test_atom_feed_is_valid_against_the_rfc_4287_schema(client, seed, atom_schema):
    for url in ["/feeds/atom/", "/feeds/atom/?country=JP&topic=economic-security", "/feeds/atom/?country=FR"]:
        document = etree.fromstring(client.get(url).content)
        assert atom_schema.validate(document), (url, atom_schema.error_log)


def test_the_schema_check_catches_an_invalid_feed(atom_schema):
    # The validation above means something only if a broken feed fails it.
    broken = etree.fromstring(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>')
    assert not atom_schema.validate(broken)


def test_rss_dates_are_rfc_822(client, seed):
    content = client.get("/feeds/rss/").content.decode()
    dates = re.findall(r"<(?:pubDate|lastBuildDate)>([^<]+)<", content)
    assert len(dates) == 4
    for value in dates:
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", value), value
        assert email.utils.parsedate_to_datetime(value).tzinfo is not None


def test_rss_guid_is_the_tag_uri_and_not_a_permalink(client, seed):
    content = client.get("/feeds/rss/").content.decode()
    guids = re.findall(r'<guid isPermaLink="false">(tag:[^<]+)</guid>', content)
    assert len(guids) == 3


def test_entry_shows_the_human_date_place_summary_body_and_edtf(client, seed):
    feed = parsed(client.get("/feeds/atom/"))
    entry = next(e for e in feed.entries if "Reiche" in e.title)
    html = entry.content[0].value
    assert "26. Juni 2025" in html and "Berlin" in html
    assert '<time datetime="2025-06-26">' in html
    assert "Katherina Reiche und Minoru Kiuchi" in html
    assert "Rohstoffsicherung" in html  # from the body
    terms = {(tag.term, tag.scheme) for tag in entry.tags}
    assert ("2025-06-26", "http://id.loc.gov/datatypes/edtf") in terms
    assert ("meeting", "https://events.example.org/?kind=") in terms
    assert ("JP", "https://events.example.org/?country=") in terms
    assert ("economic-security", "https://events.example.org/?topic=") in terms
    imprecise = next(e for e in feed.entries if "etabliert" in e.title)
    assert "4. Quartal 2024" in imprecise.content[0].value
    assert ("2024-36", "http://id.loc.gov/datatypes/edtf") in {(t.term, t.scheme) for t in imprecise.tags}


@pytest.mark.parametrize("url", ["/feeds/atom/", "/feeds/rss/"])
def test_list_items_reach_feed_readers_without_paragraphs_inside(client, make_event, url):
    # As the rich-text editor writes lists; newsboat showed each bullet alone on a line.
    make_event(body="<ul><li><p>Rohstoffe</p></li><li><p>Lieferketten</p><p>und Häfen</p></li></ul><p>Ende.</p>")
    html = parsed(client.get(url)).entries[0].content[0].value
    # (feedparser writes <br> as <br />)
    assert "<ul><li>Rohstoffe</li><li>Lieferketten<br />und Häfen</li></ul><p>Ende.</p>" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?country=JP&topic=economic-security",
        "?country=JP",
        "?kind=dialogue",
        "?series=german-japanese-economic-security-dialogue",
        "?from=2024-10-01&to=2024-12-31",
        "?q=Kiuchi",
        "?country=FR",
    ],
)
def test_filtered_feed_holds_exactly_the_events_of_the_filtered_page(client, seed, query):
    page = client.get("/" + query).content.decode()
    titles_on_page = re.findall(r'<h4 class="event-title"[^>]*><a href="[^"]+">([^<]+)</a>', page)
    on_page = {as_read(title) for title in titles_on_page}
    for url in FEEDS:
        assert set(titles(client, url + query)) == on_page


def test_feed_names_its_filters_and_links_to_itself_and_the_filtered_page(client, seed):
    feed = parsed(client.get("/feeds/atom/?topic=economic-security&country=JP"))
    assert feed.feed.title == "Diplomatische Termine: Land: Japan, Thema: Wirtschaftssicherheit"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "https://events.example.org/feeds/atom/?country=JP&topic=economic-security"
    assert links["alternate"] == "https://events.example.org/?country=JP&topic=economic-security"
    rss = parsed(client.get("/feeds/rss/?country=JP"))
    assert rss.feed.link == "https://events.example.org/?country=JP"


def test_entries_follow_publication_time_not_event_date(client, make_event):
    with time_machine.travel(NOW, tick=False):
        make_event(title="Altes Ereignis, heute eingetragen", date="1990", publish_at=NOW - datetime.timedelta(hours=1))
        make_event(title="Künftiges Treffen", date="2030-01-01", publish_at=NOW - datetime.timedelta(days=2))
        make_event(title="Gestriges Treffen", date="2026-11-26", publish_at=NOW - datetime.timedelta(days=1))
        for url in FEEDS:
            assert titles(client, url) == [
                "Altes Ereignis, heute eingetragen",
                "Gestriges Treffen",
                "Künftiges Treffen",
            ]


def test_feed_is_bounded_to_the_latest_fifty(client, make_event):
    for number in range(55):
        make_event(title=f"Termin {number:02d}", publish_at=timezone.now() - datetime.timedelta(minutes=number + 1))
    for url in FEEDS:
        entries = titles(client, url)
        assert len(entries) == 50
        assert entries[0] == "Termin 00" and entries[-1] == "Termin 49"


def test_entry_ids_survive_slug_and_site_url_changes(client, seed):
    before = {e.id: e.link for e in parsed(client.get("/feeds/atom/")).entries}
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.slug = "reiche-kiuchi-berlin"
    event.save()
    with override_settings(SITE_URL="https://termine.example.de"):
        after = {e.id: e.link for e in parsed(client.get("/feeds/atom/")).entries}
    assert set(after) == set(before)
    assert after[f"tag:bundeswirtschaftsministerium.de,2025:event:{event.public_id}"] == (
        "https://termine.example.de/events/reiche-kiuchi-berlin/"
    )


@pytest.mark.parametrize("url", FEEDS)
def test_same_feed_twice_is_byte_identical_even_as_time_passes(client, seed, url):
    first = client.get(url).content
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert client.get(url).content == first


@pytest.mark.parametrize("url", FEEDS)
def test_conditional_get_with_the_last_etag_or_date_gets_304(client, seed, url):
    response = client.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # A 304 says what a cache needs to keep its copy: validators, lifetime, what it varies by.
    assert again["Last-Modified"] == modified and again["Cache-Control"] == response["Cache-Control"]
    assert again["Vary"] == response["Vary"]
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200
    assert client.get(url, headers={"if-none-match": f'"something-else", {etag}'}).status_code == 304
    # If-Match is checked first (RFC 9110): a validator that does not match fails the request.
    assert client.get(url, headers={"if-none-match": etag, "if-match": '"other"'}).status_code == 412


def test_an_edit_changes_the_etag_and_the_next_request_sees_it(client, seed):
    response = client.get("/feeds/atom/")
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.title = "Reiche und Kiuchi vereinbaren engere Zusammenarbeit"
    event.save()
    fresh = client.get("/feeds/atom/", headers={"if-none-match": response["ETag"]})
    assert fresh.status_code == 200
    assert fresh["ETag"] != response["ETag"]
    assert "Reiche und Kiuchi vereinbaren engere Zusammenarbeit" in [e.title for e in parsed(fresh).entries]


def test_after_an_edit_only_the_edited_entry_is_made_anew(client, make_event):
    from unittest import mock

    from feeds import views

    events = [make_event(title=f"Treffen {number}", date=f"2025-06-{number + 1:02d}") for number in range(5)]
    with mock.patch.object(views, "feed_item", wraps=views.feed_item) as made:
        client.get("/feeds/atom/")
        assert made.call_count == 5
        events[2].title = "Treffen, berichtigt"
        events[2].save()
        client.get("/feeds/atom/")
        assert made.call_count == 6  # one entry, not five
        client.get("/feeds/rss/")  # the other format reuses the same entries
        assert made.call_count == 6
    assert "Treffen, berichtigt" in titles(client, "/feeds/rss/")


def test_renaming_a_topic_reaches_the_feed_at_once(client, seed):
    client.get("/feeds/atom/")
    topic = Topic.objects.get(slug="economic-security")
    topic.name = "Ökonomische Sicherheit"
    topic.save()
    entry = parsed(client.get("/feeds/atom/")).entries[0]
    assert "Ökonomische Sicherheit" in {tag.label for tag in entry.tags}


@pytest.mark.parametrize(
    ("url", "content_type"), [(FEEDS[0], "application/rss+xml"), (FEEDS[1], "application/atom+xml")]
)
def test_http_headers_of_a_good_feed_citizen(client, seed, url, content_type):
    response = client.get(url)
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert email.utils.parsedate_to_datetime(response["Last-Modified"])


def test_feed_is_gzipped_when_the_reader_asks(client, seed):
    plain = client.get("/feeds/atom/").content
    response = client.get("/feeds/atom/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain
    assert "Accept-Encoding" in response["Vary"]
    # A gzipped body carries a weak validator, and a reader's conditional request still works.
    assert response["ETag"].startswith('W/"')
    again = client.get("/feeds/atom/", headers={"accept-encoding": "gzip", "if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_cached_feed_needs_no_event_queries(client, seed, django_assert_max_num_queries):
    client.get("/feeds/atom/")
    # At most the content version (read once a second per process), nothing else.
    with django_assert_max_num_queries(1):
        assert client.get("/feeds/atom/").status_code == 200


@pytest.mark.parametrize("url", FEEDS)
def test_draft_is_absent_until_published_then_present_on_the_next_request(client, make_event, url):
    draft = make_event(title="Vertraulicher Entwurf", status=Event.Status.DRAFT, publish_at=None)
    assert "Vertraulicher Entwurf" not in titles(client, url)
    draft.status = Event.Status.PUBLISHED
    draft.save()
    assert "Vertraulicher Entwurf" in titles(client, url)
    draft.status = Event.Status.DRAFT
    draft.save()
    assert "Vertraulicher Entwurf" not in titles(client, url)


def test_deleted_event_leaves_the_feed(client, make_event):
    event = make_event(title="Wird gelöscht")
    assert "Wird gelöscht" in titles(client, "/feeds/rss/")
    event.delete()
    assert "Wird gelöscht" not in titles(client, "/feeds/rss/")


@pytest.mark.parametrize("url", FEEDS)
def test_scheduled_event_appears_when_its_time_passes_without_any_job(client, make_event, url):
    with time_machine.travel(NOW, tick=False) as traveller:
        make_event(title="Geplante Meldung", publish_at=NOW + datetime.timedelta(hours=1))
        assert "Geplante Meldung" not in titles(client, url)
        traveller.shift(datetime.timedelta(minutes=59))
        assert "Geplante Meldung" not in titles(client, url)
        traveller.shift(datetime.timedelta(minutes=1))
        assert "Geplante Meldung" in titles(client, url)


def test_a_new_change_note_marks_the_entry_updated_and_a_minor_edit_does_not(client, make_event):
    with time_machine.travel(NOW, tick=False) as traveller:
        event = make_event(title="Treffen", publish_at=NOW - datetime.timedelta(days=1))
        entry = parsed(client.get("/feeds/atom/")).entries[0]
        assert entry.updated == entry.published
        traveller.shift(datetime.timedelta(hours=2))
        event.summary = "Tippfehler korrigiert."
        event.save()
        assert parsed(client.get("/feeds/atom/")).entries[0].updated == entry.updated
        traveller.shift(datetime.timedelta(hours=2))
        event.change_note = "Das Datum wurde korrigiert."
        event.save()
        updated = parsed(client.get("/feeds/atom/")).entries[0]
    assert updated.updated_parsed > entry.updated_parsed
    assert updated.published == entry.published
    assert "Das Datum wurde korrigiert." in updated.content[0].value


def test_invalid_filter_gets_a_400_that_says_why(client, seed):
    response = client.get("/feeds/atom/?country=XX")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "„XX“ ist kein Ländercode" in response.content.decode()


def test_every_public_page_advertises_feeds_that_work(client, seed):
    pages = ["/", "/?country=JP&topic=economic-security", "/events/reiche-trifft-kiuchi-berlin-2025/", "/nope/"]
    for path in pages:
        page = client.get(path).content.decode()
        for kind in ("rss", "atom"):
            href = re.search(rf'<link rel="alternate" type="application/{kind}\+xml"[^>]* href="([^"]+)"', page)
            url = href.group(1).replace("&amp;", "&").removeprefix("https://events.example.org")
            assert parsed(client.get(url)).entries


@pytest.mark.parametrize("query", ["", "?country=JP&topic=economic-security"])
def test_a_second_strict_parser_reads_both_feeds_completely(client, seed, query):
    # atoma refuses feeds that lack what the RSS and Atom specifications require.
    import atoma

    atom = atoma.parse_atom_bytes(client.get("/feeds/atom/" + query).content)
    assert atom.id_.startswith("tag:") and atom.updated
    assert {link.rel for link in atom.links} == {"self", "alternate"}
    for entry in atom.entries:
        assert entry.id_.startswith("tag:") and entry.updated and entry.published
        assert entry.links[0].href.startswith("https://events.example.org/events/")
    rss = atoma.parse_rss_bytes(client.get("/feeds/rss/" + query).content)
    assert rss.link.startswith("https://events.example.org/")
    assert [item.guid for item in rss.items] == [entry.id_ for entry in atom.entries]
    for item in rss.items:
        assert item.pub_date.tzinfo is not None and item.link and item.title


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plans checked here are SQLite's")
def test_sqlite_answers_the_feed_queries_from_indexes(make_event):
    from django.test.utils import CaptureQueriesContext

    from timeline.cache import version_from_database

    make_event()
    newest = Event.objects.public().order_by("-first_published_at", "-pk")[:50].explain()
    assert "event_feed_idx" in newest and "TEMP B-TREE" not in newest, newest
    # The content version: the revision row and both publication times from the index, in one query.
    with CaptureQueriesContext(connection) as queries:
        version_from_database()
    (version_query,) = queries.captured_queries
    plan = " ".join(str(row) for row in connection.cursor().execute("EXPLAIN QUERY PLAN " + version_query["sql"]))
    assert plan.count("event_publish_at_idx") == 2 and "SCAN" not in plan, plan


def test_entries_use_the_namespace_prefixes_readers_look_for(client, seed):
    # The root declares content: and dc: once, and every item uses exactly those prefixes.
    rss = client.get("/feeds/rss/").content.decode()
    assert rss.count("<content:encoded>") == rss.count("<item>") == 3
    assert rss.count("<dc:creator>") == 3
    assert rss.count("xmlns:content=") == 1 and "ns0" not in rss
    atom = client.get("/feeds/atom/").content.decode()
    assert atom.count('xmlns="http://www.w3.org/2005/Atom"') == 1 and atom.count("<entry>") == 3


def test_a_filtered_feed_follows_a_topic_deleted_and_made_anew(client, make_event):
    # A feed address names topics by slug; a topic made anew under the same slug is the same topic.
    energy = Topic.objects.create(name="Energie", slug="energie")
    Topic.objects.create(name="Anderes", slug="anderes")
    make_event(title="Altes Thema", topics=[energy])
    assert titles(client, "/feeds/rss/?topic=energie") == ["Altes Thema"]
    old_pk = energy.pk
    energy.delete()
    renewed = Topic.objects.create(name="Energie", slug="energie")
    assert renewed.pk != old_pk
    make_event(title="Neues Thema", date="2025-07-01", topics=[renewed])
    assert titles(client, "/feeds/rss/?topic=energie") == ["Neues Thema"]


@pytest.mark.parametrize("url", FEEDS)
def test_any_site_may_read_a_feed_from_a_browser_without_credentials(client, seed, url):
    response = client.get(url, headers={"origin": "https://research.example.edu"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    # The same header for everyone: one cached copy, nothing varies by Origin.
    assert client.get(url)["Access-Control-Allow-Origin"] == "*"
    assert "origin" not in response["Vary"].lower()
    preflight = client.options(url, headers={"origin": "https://evil.example", "access-control-request-method": "GET"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.post(url).status_code == 405
