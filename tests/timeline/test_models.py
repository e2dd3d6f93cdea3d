"""The records: what is public, slugs, sanitising, validation shared by every writer."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from timeline.models import Event, SourceLink
from timeline.text import sanitize_html

NOW = datetime.datetime(2025, 6, 26, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("status", "publish_at", "is_public"),
    [
        (Event.Status.PUBLISHED, NOW - datetime.timedelta(days=1), True),
        (Event.Status.PUBLISHED, NOW - SECOND, True),
        (Event.Status.PUBLISHED, NOW, True),  # the boundary: public at the very second
        (Event.Status.PUBLISHED, NOW + SECOND, False),  # scheduled
        (Event.Status.PUBLISHED, NOW + datetime.timedelta(days=1), False),
        (Event.Status.DRAFT, NOW - datetime.timedelta(days=1), False),
        (Event.Status.DRAFT, NOW + datetime.timedelta(days=1), False),
        (Event.Status.DRAFT, None, False),
    ],
)
def test_public_truth_table(make_event, status, publish_at, is_public):
    with time_machine.travel(NOW, tick=False):
        event = make_event(status=status, publish_at=publish_at)
        assert (event in Event.objects.public()) is is_public
        assert event.is_public() is is_public


def test_scheduled_event_becomes_public_when_its_time_comes_without_any_job(make_event):
    with time_machine.travel(NOW, tick=False) as traveller:
        event = make_event(publish_at=NOW + datetime.timedelta(hours=2))
        assert not Event.objects.public().filter(pk=event.pk).exists()
        assert event.is_scheduled()
        traveller.shift(datetime.timedelta(hours=2))
        assert Event.objects.public().filter(pk=event.pk).exists()


def test_publishing_without_a_time_publishes_now_and_records_first_publication(make_event):
    with time_machine.travel(NOW, tick=False):
        event = make_event(status=Event.Status.DRAFT, publish_at=None)
        assert event.first_published_at is None
        event.status = Event.Status.PUBLISHED
        event.save()
    assert event.publish_at == NOW
    assert event.first_published_at == NOW


def test_first_publication_time_is_kept_through_later_edits_and_republishing(make_event):
    with time_machine.travel(NOW, tick=False) as traveller:
        event = make_event(status=Event.Status.PUBLISHED, publish_at=None)
        traveller.shift(datetime.timedelta(days=3))
        event.status = Event.Status.DRAFT
        event.save()
        event.status = Event.Status.PUBLISHED
        event.title = "Korrigierter Titel"
        event.save()
    event.refresh_from_db()
    assert event.first_published_at == NOW


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Reiche trifft Kiuchi in Berlin", "reiche-trifft-kiuchi-in-berlin"),
        ("Gespräch über Rohstoffsicherung & Größe", "gespraech-ueber-rohstoffsicherung-groesse"),
        ("城内実経済安全保障担当大臣との会談", "meeting-2025-06-26"),
        ("★ ☆ !!! ???", "meeting-2025-06-26"),
    ],
)
def test_every_title_gets_a_usable_ascii_slug(make_event, title, expected):
    event = make_event(title=title)
    assert event.slug == expected
    assert event.get_absolute_url() == f"/events/{expected}/"


def test_slugs_stay_unique_for_equal_titles(make_event):
    slugs = [make_event(title="城内実との会談").slug for _ in range(3)]
    assert slugs == ["meeting-2025-06-26", "meeting-2025-06-26-2", "meeting-2025-06-26-3"]


def test_public_identifier_never_changes(make_event):
    event = make_event()
    public_id = event.public_id
    event.title, event.slug = "Neuer Titel", "neuer-titel"
    event.save()
    event.refresh_from_db()
    assert event.public_id == public_id


HOSTILE_BODIES = [
    ('<p>Hallo</p><script>alert("x")</script>', "<script"),
    ('<p onclick="steal()">Klick</p>', "onclick"),
    ('<a href="javascript:alert(1)">Link</a>', "javascript:"),
    ('<a href=" JaVaScRiPt:alert(1)">Link</a>', "avascript"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
    ("<svg><script>alert(1)</script></svg>", "<svg"),
]


@pytest.mark.parametrize(("body", "forbidden"), HOSTILE_BODIES)
def test_hostile_html_is_removed_from_the_body_on_save(make_event, body, forbidden):
    event = make_event(body=body)
    event.refresh_from_db()
    assert forbidden.lower() not in event.body.lower()


def test_harmless_formatting_and_web_links_survive_sanitising(make_event):
    body = (
        '<h2>Ergebnis</h2><p><strong>Wichtig:</strong> <a href="https://www.bmwk.de/">BMWE</a></p><ul><li>a</li></ul>'
    )
    event = make_event(body=body)
    assert "<h2>Ergebnis</h2>" in event.body
    assert "<strong>Wichtig:</strong>" in event.body
    assert 'href="https://www.bmwk.de/"' in event.body
    assert 'rel="noopener noreferrer"' in event.body
    assert "<li>a</li>" in event.body


def test_invisible_and_bidi_characters_leave_the_body_as_they_leave_the_title(make_event):
    event = make_event(body="<p>Reiche\u200b trifft &#x202E;Kiuchi\ufeff</p>")
    event.refresh_from_db()
    assert event.body == "<p>Reiche trifft Kiuchi</p>"


def test_a_control_character_written_as_a_reference_is_removed_too(make_event):
    event = make_event(body="<p>a&#x1;b&#0;c&#x7f;d&#x85;e</p>")
    event.refresh_from_db()
    # By HTML's rules &#0; is U+FFFD and &#x85; is "…" (windows-1252); the other controls go.
    assert event.body == "<p>ab\ufffdcd…e</p>"
    before = (event.body, event.version)
    event.save()  # saving again changes nothing
    event.refresh_from_db()
    assert event.body == before[0]


HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<a href='https://x.example/'>", "</a>", "<script>", "<b>", "&#x1;", "&#0;", "&#xd800;",
     "&amp;", "&lt;", "<!--", "-->", "\x01", "\u200b", "e\u0301", "<h2>", "<", ">", "\"", "城内", " "]
)  # fmt: skip


@given(st.lists(HTML_PIECES, max_size=30).map("".join))
def test_sanitising_twice_gives_what_sanitising_once_gave(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "vbscript:msgbox",
    ],
)
def test_source_links_refuse_non_web_schemes(make_event, url):
    source = SourceLink(event=make_event(), url=url, title="Quelle")
    with pytest.raises(ValidationError) as refusal:
        source.full_clean()
    with translation.override("en"):
        assert refusal.value.message_dict["url"] == ["Enter a web address starting with http:// or https://."]
    with translation.override("de"):
        german = "Geben Sie eine Webadresse an, die mit http:// oder https:// beginnt."
        assert refusal.value.message_dict["url"] == [german]


def test_source_links_accept_https(make_event):
    source = SourceLink(event=make_event(), url="https://www.bundeswirtschaftsministerium.de/", title="Quelle")
    source.full_clean()


@pytest.mark.parametrize("title", ["", "   ", "\u200b\u200b", "\u202e\u2066", "\x00\x07"])
def test_title_of_only_invisible_characters_is_refused(db, title):
    event = Event(title=title, date="2025-06-26", kind="meeting")
    with pytest.raises(ValidationError) as refusal:
        event.full_clean()
    assert "title" in refusal.value.message_dict


def test_invisible_and_control_characters_are_removed_from_saved_text(make_event):
    event = make_event(
        title="Reiche\u200b trifft\x07 Kiuchi\u202e",
        summary="Erste Zeile\r\n\r\n\r\n\r\nZweite\x0bZeile",
        place="  Berlin \ufeff",
    )
    event.refresh_from_db()
    assert event.title == "Reiche trifft Kiuchi"
    assert event.summary == "Erste Zeile\n\nZweiteZeile"
    assert event.place == "Berlin"


def test_japanese_names_and_german_letters_survive_a_round_trip(make_event):
    event = make_event(title="Gespräch mit 城内実 über Größe", summary="Straße – „Zitat“")
    event.refresh_from_db()
    assert event.title == "Gespräch mit 城内実 über Größe"
    assert event.summary == "Straße – „Zitat“"


def test_oversized_fields_are_refused_with_a_message(db):
    event = Event(title="x" * 301, date="2025", kind="meeting", summary="y" * 1001)
    with pytest.raises(ValidationError) as refusal:
        event.full_clean()
    with translation.override("en"):
        assert "at most 300 characters" in refusal.value.message_dict["title"][0]
        assert "at most 1000 characters" in refusal.value.message_dict["summary"][0]


def test_publication_time_is_timezone_aware(make_event):
    event = make_event(publish_at=None)
    assert timezone.is_aware(event.publish_at)


def test_a_naive_publication_time_is_an_error_not_a_silent_guess(make_event):
    with pytest.raises(RuntimeWarning, match="naive datetime"):
        make_event(publish_at=datetime.datetime(2025, 6, 26, 12, 0))  # noqa: DTZ001
