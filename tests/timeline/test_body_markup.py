"""Markup the body's editor cannot hold becomes markup it can: no word is lost or glued to the next."""

import io
import json

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.timeline.test_timeline import filtered_titles
from timeline.models import Event
from timeline.text import body_text, sanitize_html

PASTED = "<h1>Big</h1><h5>small</h5><table><tr><td>cell</td></tr></table><pre>pre</pre>"


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def stored_through_the_api(client, body: str) -> Event:
    response = client.post("/api/events/", {"title": "Mit Tabelle", "date": "2025", "body": body}, format="json")
    assert response.status_code == 201, response.json()
    return Event.objects.get(slug=response.json()["slug"])


def stored_through_an_import(tmp_path, body: str) -> Event:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([{"import_ref": "t-1", "title": "Mit Tabelle", "date": "2025", "body": body}]))
    call_command("import_events", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return Event.objects.get(import_ref="t-1")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (PASTED, ["Big", "small", "cell", "pre"]),
        ("<span>span</span><div>div</div>", ["span", "div"]),
        ("<dl><dt>Begriff</dt><dd>Erklärung</dd></dl><section>Abschnitt</section><article>Artikel</article>",
         ["Begriff", "Erklärung", "Abschnitt", "Artikel"]),
        ("<figure><figcaption>Bildunterschrift</figcaption></figure><address>Anschrift</address>",
         ["Bildunterschrift", "Anschrift"]),
    ],
)  # fmt: skip
def test_block_elements_the_editor_cannot_hold_keep_their_words_apart_through_the_api(editor_api, body, words):
    event = stored_through_the_api(editor_api, body)
    assert set(words) <= set(body_text(event.body).split()), event.body
    # Search reads the same words: each one found as a word of its own.
    assert {word.casefold() for word in words} <= set(event.search_document.split())
    assert sanitize_html(event.body) == event.body


@pytest.mark.parametrize("word", ["Big", "small", "cell", "pre"])
def test_search_finds_each_word_of_a_pasted_heading_and_table(client, make_event, word):
    # (On PostgreSQL a word glued to the next is no word of its own; SQLite finds any substring.)
    make_event(title="Mit Tabelle", body=PASTED)
    assert filtered_titles(client, f"?q={word}") == ["Mit Tabelle"]


def test_block_elements_the_editor_cannot_hold_keep_their_words_apart_through_an_import(tmp_path, db):
    event = stored_through_an_import(tmp_path, PASTED)
    assert {"Big", "small", "cell", "pre"} <= set(body_text(event.body).split())
    assert {"big", "small", "cell", "pre"} <= set(event.search_document.split())


def test_what_the_editor_cannot_hold_becomes_what_it_can(make_event):
    event = make_event(
        body="<h1>Eins</h1><h5>Fünf</h5><h6>Sechs</h6><p><b>fett</b> <i>kursiv</i> <del>weg</del></p>"
        "<table><caption>Termine</caption><tr><th>Tag</th><th>Ort</th></tr><tr><td>Montag</td><td>Tokio</td></tr>"
        "</table><pre>Zeile eins\nZeile zwei</pre><div>Lose <em>Worte</em></div>"
    )
    assert event.body == (
        "<h2>Eins</h2><h4>Fünf</h4><h4>Sechs</h4><p><strong>fett</strong> <em>kursiv</em> <s>weg</s></p>"
        "<p>Termine</p><p>Tag</p><p>Ort</p><p>Montag</p><p>Tokio</p>"
        "<p>Zeile eins<br>Zeile zwei</p><p>Lose <em>Worte</em></p>"
    )


def test_a_block_inside_a_heading_or_bold_text_leaves_a_space_not_a_paragraph(make_event):
    event = make_event(body="<h2><div>Deutsch-</div><div>Japanisch</div></h2><p><strong><div>a</div>b</strong></p>")
    assert event.body.startswith("<h2>Deutsch- Japanisch</h2>")
    assert "a b" in body_text(event.body)


def test_a_list_item_of_blocks_becomes_an_item_of_paragraphs_as_the_editor_writes_it(make_event):
    event = make_event(body="<ul><li><div>erstens</div><div>zweitens</div></li></ul>")
    assert event.body == "<ul><li><p>erstens</p><p>zweitens</p></li></ul>"


# What the editor itself writes comes back byte for byte.
EDITOR_WRITES = (
    "<h2>Zwei</h2><h3>Drei</h3><h4>Vier</h4>"
    "<p><strong>fett</strong> <em>kursiv</em> <s>gestrichen</s> H<sub>2</sub>O m<sup>2</sup><br>Zeile</p>"
    '<p><a href="https://www.auswaertiges-amt.de/" title="Auswärtiges Amt" rel="noopener noreferrer">AA</a>'
    ' <a href="mailto:presse@bmwe.bund.de">Presse</a> <a href="/events/x/">intern</a></p>'
    "<ul><li><p>Punkt</p></li></ul>"
    '<ol data-type="lower-alpha" start="3" type="a"><li><p>drei</p></li></ol>'
    "<blockquote><p>Zitat</p></blockquote><p></p>"
)


def test_what_the_editor_writes_is_stored_byte_for_byte():
    assert sanitize_html(EDITOR_WRITES) == EDITOR_WRITES


BLOCK_TAGS = st.sampled_from(
    ["div", "p", "h1", "h2", "h5", "h6", "pre", "section", "article", "li", "blockquote", "dt", "dd", "figcaption"]
)
WORDS = st.sampled_from(["Alpha", "Beta", "Gamma", "Delta"])
# Words, each in a block element, in block elements nested at random: as a browser reads it, each
# word stands apart from the others. (A stray end tag or a cell outside a table is no boundary to
# a browser either, so the markup is well formed.)
BLOCKS = st.recursive(
    st.tuples(BLOCK_TAGS, WORDS).map(lambda block: f"<{block[0]}>{block[1]}</{block[0]}>"),
    lambda inner: st.tuples(BLOCK_TAGS, st.lists(inner, min_size=1, max_size=4)).map(
        lambda block: f"<{block[0]}>{''.join(block[1])}</{block[0]}>"
    ),
    max_leaves=12,
)


@given(st.lists(BLOCKS, max_size=4).map("".join))
def test_words_parted_by_block_elements_stay_words_and_sanitising_twice_changes_nothing(body):
    once = sanitize_html(body)
    assert sanitize_html(once) == once
    words = [word for word in ("Alpha", "Beta", "Gamma", "Delta") for _ in range(body.count(f">{word}<"))]
    assert sorted(body_text(once).split()) == sorted(words)
