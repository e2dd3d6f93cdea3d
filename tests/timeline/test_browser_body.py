"""The body's rich-text editor in a real browser: links as the public page shows them, links that
cannot be published named to the editor, and everything the body may hold kept by an editor's save.

Playwright driving Debian's Chromium, with the fixtures of test_browser.py.
"""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.timeline.test_browser import browser, open_admin_add_form, page, site  # noqa: F401 (fixtures)
from timeline.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EDITOR = ".ProseMirror[contenteditable=true]"


def link_in_the_body(tab, text: str, address: str) -> None:
    """Type `text` into the empty body, select it and make it a link to `address` in the editor's
    link dialog (opened with Ctrl+K, as the toolbar's link button opens it)."""
    editor = tab.locator(EDITOR)
    editor.click()
    tab.keyboard.type(text)
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Control+k")
    dialog = tab.locator("dialog[open]")
    dialog.locator("input[name=href]").fill(address)
    dialog.locator("button[type=submit]").click()
    editor.locator("a").wait_for()


def test_a_body_link_typed_as_a_host_name_points_to_https_on_the_public_page(page, site, publisher):  # noqa: F811
    open_admin_add_form(page, site, publisher)
    page.locator(EDITOR).wait_for()
    page.fill("#id_title", "Gespräch im Auswärtigen Amt")
    page.fill("#id_date", "2025-07-01")
    link_in_the_body(page, "Auswärtiges Amt", "www.auswaertiges-amt.de")
    page.select_option("#id_status", "published")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))

    page.goto(site + Event.objects.get(title="Gespräch im Auswärtigen Amt").get_absolute_url())
    link = page.locator(".event-body").get_by_role("link", name="Auswärtiges Amt")
    assert link.evaluate("a => a.href") == "https://www.auswaertiges-amt.de/"


def test_a_javascript_link_in_the_body_is_named_to_the_editor_and_nothing_is_saved(page, site, editor):  # noqa: F811
    open_admin_add_form(page, site, editor)
    page.locator(EDITOR).wait_for()
    page.fill("#id_title", "Mit bösem Link")
    page.fill("#id_date", "2025-07-01")
    link_in_the_body(page, "hier klicken", "javascript:alert(1)")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()

    message = page.locator(".field-body .errorlist")
    assert message.is_visible()
    assert "„javascript:alert(1)“ kann nicht veröffentlicht werden" in message.inner_text()
    # The editor still shows the link as typed, to correct or remove.
    assert page.locator(EDITOR).locator("a").get_attribute("href") == "javascript:alert(1)"
    assert not Event.objects.filter(title="Mit bösem Link").exists()


# Every element and attribute the body may hold (text.body_allowlist), in the form the editor
# writes it: a list item's text in a paragraph, an ordered list with its numbering type.
EVERYTHING_THE_BODY_HOLDS = (
    "<h2>Zwei</h2><h3>Drei</h3><h4>Vier</h4>"
    "<p><strong>fett</strong> <em>kursiv</em> <s>gestrichen</s> H<sub>2</sub>O m<sup>2</sup><br>Zeile</p>"
    '<p><a href="https://www.auswaertiges-amt.de/" title="Auswärtiges Amt" rel="noopener noreferrer nofollow">AA</a>'
    ' <a href="mailto:presse@bmwe.bund.de" rel="noopener noreferrer nofollow">Presse</a></p>'
    "<ul><li><p>Punkt</p></li></ul>"
    '<ol data-type="lower-alpha" start="3" type="a"><li><p>drei</p></li></ol>'
    "<blockquote><p>Zitat</p></blockquote>"
)


# What an API client may send besides, which the editor has no way to show or keep.
MARKUP_THE_EDITOR_CANNOT_KEEP = (
    '<p lang="en"><abbr title="Auswärtiges Amt">AA</abbr> <u>u</u> <code>c</code> <q cite="https://a.example/">q</q>'
    ' <cite>Werk</cite> <a href="https://a.example/" hreflang="en">a</a> <b>b</b> <i>i</i></p><hr>'
    '<table><caption>T</caption><thead><tr><th scope="col">1</th></tr></thead>'
    "<tbody><tr><td>2</td></tr></tbody></table>"
)


class Markup(HTMLParser):
    """The elements of a piece of HTML, each with its attributes, and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements, self.text = Counter(), ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements[(tag, tuple(sorted(attrs)))] += 1

    def handle_data(self, data):
        self.text += data


def test_a_body_written_through_the_api_survives_an_edit_in_the_admin(page, site, publisher, make_event):  # noqa: F811
    from timeline.text import body_allowlist

    written = set(re.findall(r"<([a-z0-9]+)", EVERYTHING_THE_BODY_HOLDS))
    assert written == body_allowlist()["tags"], "the sample holds every tag the body may hold"
    event = make_event(
        title="Mit allem im Text", body=EVERYTHING_THE_BODY_HOLDS + MARKUP_THE_EDITOR_CANNOT_KEEP + "<p>Ende</p>"
    )
    stored = event.body  # as the API, an import or the seed store it

    open_admin_add_form(page, site, publisher)
    page.goto(f"{site}/admin/timeline/event/{event.pk}/change/")
    page.locator(EDITOR).get_by_text("Ende").click()
    page.keyboard.press("End")
    page.keyboard.type(".")  # an edit anywhere makes the editor write the whole body anew
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))

    event.refresh_from_db()
    # Every element with every attribute, and every word, as stored before; what the editor
    # writes itself comes back byte for byte (it may only put loose text into a paragraph).
    before, after = Markup(stored), Markup(event.body)
    assert before.elements - after.elements == Counter()
    assert after.text == before.text.replace("Ende", "Ende.")
    assert event.body.startswith(EVERYTHING_THE_BODY_HOLDS)
