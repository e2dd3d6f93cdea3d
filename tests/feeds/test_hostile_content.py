"""Whatever an editor typed (or a bulk update wrote around the model), the feeds stay valid."""

import feedparser
import pytest
from django.db import connection
from lxml import etree

from timeline.cache import content_changed
from timeline.models import Event, Topic

from .test_feeds import FEEDS, atom_schema  # noqa: F401  (the schema fixture)

# PostgreSQL cannot store NUL at all (the model strips it before any database sees it).
FIRST_CONTROL = 1 if connection.vendor == "postgresql" else 0
CONTROL = "".join(chr(c) for c in range(FIRST_CONTROL, 32) if c not in (9, 10, 13))
NUL = "\x00" if FIRST_CONTROL == 0 else ""
# PostgreSQL enforces the title's 300 characters; SQLite stores what it is given.
LONG = 10_000 if connection.vendor == "sqlite" else 200
HOSTILE = {
    "title": f"Treffen{CONTROL}\ufffe\uffff]]></title><script>alert(1)</script>\u202eevil\u202c" + "x" * LONG,
    "summary": f"Zusammenfassung ]]> <![CDATA[ & </script> {NUL}\x1b[31m farbig \u200f" + " lang" * 2_000,
    "body": (
        '<p onclick="alert(1)">Text\x0c</p><script>alert("x")</script>'
        '<a href="javascript:alert(1)">js</a> <a href="mailto:presse@example.org">Mail</a>'
        '<a href="/events/anderes/">intern</a> <a href="data:text/html,x">data</a>'
        "<p>]]&gt; ]]></p><!-- Kommentar --><iframe src=https://evil.example></iframe>"
    ),
    "place": "Berlin\x08\u202e",
    "change_note": "Korrigiert \x01 ]]>",
}


@pytest.fixture
def hostile(make_event):
    event = make_event(title="wird überschrieben")
    topic = Topic.objects.create(name="Thema", slug="thema")
    event.topics.add(topic)
    # Around the model: no cleaning on save, as a raw import or a future bug might write it.
    Event.objects.filter(pk=event.pk).update(**HOSTILE)
    Topic.objects.filter(pk=topic.pk).update(name="Thema\x07 mit </category> ]]>")
    make_event(title="", summary="", body="", place="", countries=[], change_note="")
    Event.objects.filter(title="").update(title=f"\u200b{NUL}\x01")
    content_changed()
    return event


@pytest.mark.parametrize("url", FEEDS)
def test_feed_with_hostile_content_is_well_formed_and_parses_cleanly(client, hostile, url):
    response = client.get(url)
    assert response.status_code == 200
    etree.fromstring(response.content)  # well-formed XML, or this raises
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 2
    text = response.content.decode()
    for forbidden in ["\x00", "\x01", "\x07", "\x08", "\x0c", "\x1b", "\ufffe", "\uffff"]:
        assert forbidden not in text
    assert "javascript:" not in text
    assert "data:text/html" not in text
    assert "mailto:" not in text  # feeds carry web links only
    assert "<script" not in text  # neither as markup nor as escaped text inside content
    assert "onclick" not in text
    assert "iframe" not in text
    assert "\u202e" not in text  # no right-to-left override to disguise a title


def test_hostile_entry_keeps_its_words_and_makes_relative_links_absolute(client, hostile):
    feed = feedparser.parse(client.get("/feeds/atom/").content)
    entry = next(e for e in feed.entries if e.title.startswith("Treffen"))
    assert len(entry.title) > LONG  # long, but whole: nothing an editor wrote is silently cut
    assert len(entry.summary) > 10_000
    html = entry.content[0].value
    assert "Zusammenfassung" in html and "farbig" in html
    assert 'href="https://events.example.org/events/anderes/"' in html
    assert "Korrigiert" in html
    untitled = next(e for e in feed.entries if not e.title.startswith("Treffen"))
    assert untitled.title == "Termin ohne Titel"


def test_hostile_atom_feed_is_still_valid_against_rfc_4287(client, hostile, atom_schema):  # noqa: F811
    document = etree.fromstring(client.get("/feeds/atom/").content)
    assert atom_schema.validate(document), atom_schema.error_log


def test_hostile_feeds_pass_the_second_strict_parser(client, hostile):
    import atoma

    assert len(atoma.parse_atom_bytes(client.get("/feeds/atom/").content).entries) == 2
    assert len(atoma.parse_rss_bytes(client.get("/feeds/rss/").content).items) == 2


def test_a_place_or_summary_of_invisible_characters_only_is_left_out_not_shown_empty(client, make_event):
    event = make_event(title="Treffen", place="Berlin", summary="Ein Treffen.", change_note="")
    Event.objects.filter(pk=event.pk).update(place="\u202e\u200b", summary="\u200f", change_note="\x01")
    content_changed()
    for url in ("/feeds/atom/", "/feeds/rss/", "/feeds/json/"):
        text = client.get(url).content.decode()
        assert "Ort:" not in text and "Korrektur" not in text, url
        assert "Datum: 26. Juni 2025" in text, url
    entry = feedparser.parse(client.get("/feeds/atom/").content).entries[0]
    assert entry.summary == "Datum: 26. Juni 2025"
