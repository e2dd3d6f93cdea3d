"""A body reaches feed readers whole: nested however deep, every word, none glued to the next."""

import atoma
import feedparser
import pytest
from lxml import etree

from feeds.builder import feed_html

from .test_feeds import FEEDS, atom_schema  # noqa: F401  (the schema fixture)

PAGE = "https://events.example.org/events/treffen/"
# lxml's parser, which feeds used, stopped at 255 levels and lost everything after them.
DEEP_BOLD = "<ul><li>" + "<strong>" * 254 + "tief" + "</strong>" * 254 + "</li></ul><p>Schluss-Absatz</p>"
DEEP_LISTS = "<ul><li>" * 130 + "<p>tief</p>" + "</li></ul>" * 130 + "<p>Schluss-Absatz</p>"


def entry_html(client, url: str) -> str:
    response = client.get(url)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed.entries[0].content[0].value


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize("body", [DEEP_BOLD, DEEP_LISTS], ids=["254 bold in a list item", "lists 130 deep"])
def test_a_deeply_nested_body_keeps_its_last_paragraph_in_the_feed_as_on_the_page(client, make_event, url, body):
    event = make_event(body=body)
    assert "Schluss-Absatz" in client.get(event.get_absolute_url()).content.decode()
    html = entry_html(client, url)
    assert "tief" in html
    assert "<p>Schluss-Absatz</p>" in html


def test_paragraphs_and_text_of_a_list_item_become_lines_not_one_glued_word():
    html = feed_html("<ul><li>tail<p>a</p>mid<p>b</p>end</li></ul>", PAGE)
    assert html == "<ul><li>tail<br>a<br>mid<br>b<br>end</li></ul>"


@pytest.mark.parametrize("url", FEEDS)
def test_a_list_item_of_text_and_paragraphs_reaches_readers_line_by_line(client, make_event, url):
    make_event(body="<ul><li>tail<p>a</p>mid<p>b</p>end</li></ul>")
    assert "<li>tail<br />a<br />mid<br />b<br />end</li>" in entry_html(client, url)


def test_a_list_item_of_empty_paragraphs_is_an_empty_closed_item():
    assert feed_html("<ul><li><p></p></li><li><p></p><p></p></li></ul><p>Ende</p>", PAGE) == (
        "<ul><li></li><li></li></ul><p>Ende</p>"
    )


def test_a_nested_list_and_the_text_after_it_keep_their_lines():
    html = feed_html("<ul><li><p>a</p><ul><li><p>b</p><p>c</p></li></ul><p>d</p></li></ul>", PAGE)
    assert html == "<ul><li>a<ul><li>b<br>c</li></ul>d</li></ul>"


@pytest.fixture
def deep_bodies(make_event):
    make_event(title="Tief verschachtelt", body=DEEP_BOLD)
    make_event(title="Tiefe Listen", body=DEEP_LISTS)
    make_event(title="Listenpunkt", body="<ul><li>tail<p>a</p>mid<p>b</p>end</li><li><p></p></li></ul>")


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_of_such_bodies_are_well_formed_and_parse_cleanly(client, deep_bodies, url):
    content = client.get(url).content
    etree.fromstring(content)  # well-formed XML, or this raises
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 3


def test_the_atom_feed_of_such_bodies_is_valid_against_rfc_4287(client, deep_bodies, atom_schema):  # noqa: F811
    document = etree.fromstring(client.get("/feeds/atom/").content)
    assert atom_schema.validate(document), atom_schema.error_log


def test_feeds_of_such_bodies_pass_the_second_strict_parser(client, deep_bodies):
    assert len(atoma.parse_atom_bytes(client.get("/feeds/atom/").content).entries) == 3
    assert len(atoma.parse_rss_bytes(client.get("/feeds/rss/").content).items) == 3
