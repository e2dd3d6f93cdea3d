"""The timeline in a real browser: Playwright driving Debian's Chromium, headless.

Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium. Without it these tests are skipped,
except in CI ($CI set), where they fail. Screenshots go to
test-artifacts/ at 1280 and 360 px wide; axe-core (shipped with axe-playwright-python) checks
every page for serious and critical accessibility violations. The browser, the live site and a
page are fixtures of conftest.py, shared with the admin's browser tests.
"""

import html
import itertools
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import admin_log_in, as_read
from tests.timeline.test_body_links import ODD_ADDRESSES
from timeline.models import Event
from timeline.text import body_allowlist, body_link

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# Transactional (the live server runs in another thread); serialized_rollback puts back what the
# migrations wrote (the editor and publisher groups) for the tests that follow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def serious_violations(tab) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def screenshot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_reader_filters_by_country_and_topic_with_the_form(page, site):
    page.goto(site + "/")
    # On a wide screen the small script opens the filter sections; the boxes are right there.
    page.get_by_label("Japan").check()
    page.get_by_label("Wirtschaftssicherheit").check()
    page.get_by_role("button", name="Termine anzeigen").click()
    page.wait_for_url(re.compile(r"country=JP"))
    # The fields left empty are not in the address.
    assert page.url == site + "/?country=JP&topic=economic-security"
    titles = [as_read(title) for title in page.locator(".event-title").all_inner_texts()]
    assert "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi" in titles
    assert page.get_by_text("Land: Japan").is_visible()
    assert page.get_by_text("Thema: Wirtschaftssicherheit").is_visible()
    # The subscribe links carry the same selection.
    atom = page.get_by_role("link", name="Atom").get_attribute("href")
    assert "country=JP" in atom and "topic=economic-security" in atom
    # Removing one filter keeps the other.
    page.get_by_role("link", name="Filter Land: Japan entfernen").click()
    page.wait_for_url(re.compile(r"/\?topic=economic-security$"))
    assert page.problems == []


def test_reader_opens_an_event_from_the_timeline(page, site):
    page.goto(site + "/?q=Kiuchi")
    page.get_by_role("link", name=re.compile("Reiche trifft Japans Minister")).click()
    page.wait_for_url(re.compile(r"/events/reiche-trifft-kiuchi-berlin-2025/$"))
    # Soft hyphens mark where the long words may break on a phone.
    assert as_read(page.get_by_role("heading", level=1).inner_text()).startswith("Bundesministerin Reiche")
    assert page.get_by_text("26. Juni 2025").first.is_visible()
    assert page.get_by_text("Minoru Kiuchi (城内実)").is_visible()
    assert page.problems == []


# The text of an element (its text nodes, those in a <span lang> included), and for each character
# the top of the line it sits on.
LINES_OF_TEXT = """element => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT), range = document.createRange();
  const tops = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      // For the first character after a break Chromium also reports a box at the end of the line
      // before; the character itself is drawn in the lower one.
      const boxes = [...range.getClientRects()].filter(box => box.width && box.height);
      tops.push(boxes.length ? Math.round(Math.max(...boxes.map(box => box.top))) : null);
    }
    text += node.data;
  }
  return [text, tops];
}"""


def assert_breaks_only_between_words_or_syllables(name: str, text: str, tops: list) -> bool:
    """Whether `text` broke into lines at all; fails if it broke inside a word without a hyphen."""
    drawn = [index for index, top in enumerate(tops) if top is not None]
    # A new line starts where a drawn character sits clearly lower than the one drawn before it;
    # what lies between them (a space, a hyphen, a soft hyphen drawn as "-") is where it broke.
    breaks = [(a, b) for a, b in itertools.pairwise(drawn) if tops[b] > tops[a] + 8]
    for a, b in breaks:
        assert set(text[a : b + 1]) & {" ", "-", "\u00ad"}, f"{name!r} broken mid-word: {text[a : b + 1]!r}"
    return bool(breaks)


@pytest.mark.parametrize("width", [390, 360])
def test_long_german_titles_break_only_at_spaces_hyphens_and_syllables_on_a_phone(browser, site, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 844})
    tab = context.new_page()
    tab.goto(site + "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/")
    headings = {
        "Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert": tab.locator("h1").evaluate(LINES_OF_TEXT),
        "Mehr aus der Reihe „Deutsch-Japanischer Wirtschaftssicherheitsdialog“": tab.locator(
            "#series-heading"
        ).evaluate(LINES_OF_TEXT),
    }
    screenshot(tab, f"event-title-{width}")
    for expected, (text, tops) in headings.items():
        assert as_read(text) == expected
        assert assert_breaks_only_between_words_or_syllables(expected, text, tops), f"{expected!r} fits one line"
    # The timeline's titles too.
    tab.goto(site + "/")
    titles = [link.evaluate(LINES_OF_TEXT) for link in tab.locator(".event-title a").all()]
    screenshot(tab, f"timeline-titles-{width}")
    context.close()
    broken = [assert_breaks_only_between_words_or_syllables(text, text, tops) for text, tops in titles]
    assert any(broken), "no title on the page needed two lines; the test would prove nothing"


def test_reader_switches_to_english_and_back(page, site):
    page.goto(site + "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/")
    assert page.get_by_text("4. Quartal 2024").first.is_visible()
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
    page.wait_for_url(site + "/en/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Q4 2024").first.is_visible()
    assert page.get_by_text("Germany").first.is_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(site + "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/")
    assert page.locator("html").get_attribute("lang") == "de"


def visible_titles(tab) -> list[str]:
    return [as_read(title) for title in tab.locator(".event-title").all_inner_texts()]


def test_reader_switches_language_on_a_filtered_page_and_keeps_the_selection(page, site):
    # The seed's meeting has English text; the other events in the selection are given none.
    filtered = "/?country=JP&topic=economic-security"
    in_selection = Event.objects.filter(topics__slug="economic-security").exclude(
        slug="reiche-trifft-kiuchi-berlin-2025"
    )
    for event in in_selection:
        event.title_en = event.summary_en = event.body_en = event.place_en = None
        event.save()
    page.goto(site + filtered)
    german = visible_titles(page)
    assert "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi" in german
    assert page.get_by_text("Land: Japan").is_visible()

    # From the keyboard: focus the switch's link and follow it.
    english_link = page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English")
    english_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/en" + filtered)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Country: Japan").is_visible()  # the interface is English
    assert page.get_by_text("Topic: Economic security").is_visible()  # the topic's English name
    assert page.get_by_role("button", name="Show events").is_visible()
    english = visible_titles(page)
    assert len(english) == len(german)  # the same events
    assert "Minister Reiche meets Japan's Minister for Economic Security, Kiuchi" in english
    meeting = page.locator(".event-title", has_text="Minister Reiche meets")
    assert meeting.get_attribute("lang") == "en"
    # Where an event has no English, its German title, marked German, in the same place.
    untranslated = [title for title, german_title in zip(english, german, strict=True) if title == german_title]
    assert untranslated, "no event without English in the selection; the test would prove less"
    for title in untranslated:
        assert page.locator(".event-title", has_text=title).first.get_attribute("lang") == "de"
    assert page.get_by_role("link", name="English").get_attribute("aria-current") == "page"

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(site + filtered)
    assert page.locator("html").get_attribute("lang") == "de"
    assert visible_titles(page) == german


def test_keyboard_only_reader_skips_to_content_searches_and_sees_focus(page, site):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Tab onwards from the main content to the search field, type, and submit with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "filter-q":
            break
    assert page.evaluate("document.activeElement.id") == "filter-q"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("Kiuchi")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Kiuchi"))
    assert page.locator(".event-title").count() >= 1
    # A filter section opens from the keyboard, without JavaScript's help.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site + "/")
    summary = page.locator("details.more-filters summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.more-filters").first.get_attribute("open") is not None


@pytest.mark.parametrize("width", [1280, 360])
def test_pages_have_no_serious_accessibility_violations_and_fit_the_screen(browser, site, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    tab = context.new_page()
    pages = {
        "timeline": "/",
        "timeline-filtered": "/?country=JP&topic=economic-security",
        "timeline-error": "/?country=XX",
        "event": "/events/reiche-trifft-kiuchi-berlin-2025/",
        "event-imprecise": "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/",
    }
    failures = {}
    for name, path in pages.items():
        tab.goto(site + path)
        screenshot(tab, f"{name}-{width}")
        violations = serious_violations(tab)
        if violations:
            failures[path] = violations
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    context.close()
    assert failures == {}


def test_english_pages_have_no_serious_accessibility_violations(browser, site):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    for path in ["/en/", "/en/?country=JP", "/en/events/reiche-trifft-kiuchi-berlin-2025/", "/en/zeitstrahl/"]:
        tab.goto(site + path)
        assert tab.locator("html").get_attribute("lang") == "en"
        assert serious_violations(tab) == []
    context.close()


# The German body's rich-text editor (the English one stands beside it).
EDITOR = ".fieldBox.field-body_de .ProseMirror[contenteditable=true]"


def open_admin_add_form(page, site, user) -> None:
    """Log in through the admin's own form and open "add event"."""
    admin_log_in(page, site, user, "/admin/timeline/event/add/")


def test_editor_sees_how_a_typed_date_will_read_while_typing(page, site, editor):
    open_admin_add_form(page, site, editor)
    page.fill("#id_date", "Ende 2024")
    preview = page.locator("#date-preview")
    preview.filter(has_text="4. Quartal 2024").wait_for()
    assert "2024-36" in preview.inner_text()
    page.fill("#id_date", "30.02.2024")
    preview.filter(has_text="30").wait_for()
    assert preview.get_attribute("data-ok") == "no"


WORD_PASTE = (
    '<p class="MsoNormal" style="mso-margin-top-alt:auto"><span style="font-family:Calibri;color:#1F497D">'
    "Erster Absatz aus Word</span><o:p></o:p></p>"
    '<ul style="margin-top:0cm"><li class="MsoListParagraph"><span lang="DE">Punkt eins</span></li></ul>'
    '<p><a href="https://www.bundeswirtschaftsministerium.de/" style="color:blue">Quelle</a>'
    '<a href="javascript:alert(1)">böse</a></p><script>alert(1)</script>'
)


def test_editor_writes_the_body_in_a_rich_text_editor_and_a_word_paste_arrives_clean(page, site, editor):
    open_admin_add_form(page, site, editor)
    page.locator(EDITOR).wait_for()
    page.evaluate("(editor) => document.querySelector(editor).focus()", EDITOR)
    page.evaluate(
        """([html, editor]) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Erster Absatz aus Word");
            document.querySelector(editor).dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [WORD_PASTE, EDITOR],
    )
    page.fill("#id_title_de", "Mit Word-Text")
    page.fill("#id_date", "2025-06-26")
    page.locator("input[name=_save]").click()
    # The pasted javascript: link is named, not dropped without a word; the editor deletes it.
    page.locator(".field-body_de .errorlist").get_by_text("„javascript:alert(1)“").wait_for()
    # Select the link's words, as a person would by dragging over them, and delete them.
    link = page.locator(EDITOR).locator("a", has_text="böse")
    link.evaluate(
        """(element) => {
            element.closest("[contenteditable]").focus();
            const range = document.createRange();
            range.selectNodeContents(element);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    page.keyboard.press("Delete")
    link.wait_for(state="detached")
    # The editor writes its content back to the form's field after an edit, not at once: save
    # when the field no longer holds the link, as a person would after seeing it gone.
    page.wait_for_function("!document.querySelector('textarea[name=body_de]').value.includes('javascript:')")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))
    body = Event.objects.get(title="Mit Word-Text").body
    assert "Erster Absatz aus Word" in body and "<li>" in body and "Punkt eins" in body
    assert 'href="https://www.bundeswirtschaftsministerium.de/"' in body
    for unwanted in ("Mso", "style=", "<span", "o:p", "javascript:", "<script"):
        assert unwanted not in body, body


# The body's editor: links as the public page shows them, links that cannot be published named to
# the editor, and everything the body may hold kept by an editor's save.


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


def publish_with_a_body_link(page, site, publisher, title: str, text: str, address: str) -> Event:
    """A publisher adds and publishes an event whose body links `text` to `address`, typed into
    the editor's link dialog; the event as saved."""
    open_admin_add_form(page, site, publisher)
    page.locator(EDITOR).wait_for()
    page.fill("#id_title_de", title)
    page.fill("#id_date", "2025-07-01")
    link_in_the_body(page, text, address)
    page.select_option("#id_status", "published")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))
    return Event.objects.get(title=title)


def test_a_body_link_typed_as_a_host_name_points_to_https_on_the_public_page(page, site, publisher):
    event = publish_with_a_body_link(
        page, site, publisher, "Gespräch im Auswärtigen Amt", "Auswärtiges Amt", "www.auswaertiges-amt.de"
    )
    page.goto(site + event.get_absolute_url())
    link = page.locator(".event-body").get_by_role("link", name="Auswärtiges Amt")
    assert link.evaluate("a => a.href") == "https://www.auswaertiges-amt.de/"


def test_a_link_to_a_host_with_a_port_made_in_the_editor_is_saved_as_a_link(page, site, publisher):
    event = publish_with_a_body_link(
        page, site, publisher, "Pressestelle mit Port", "Presse", "www.bundesregierung.de:8443/presse"
    )
    assert '<a href="https://www.bundesregierung.de:8443/presse" rel="noopener noreferrer">Presse</a>' in event.body
    page.goto(site + event.get_absolute_url())
    link = page.locator(".event-body").get_by_role("link", name="Presse")
    assert link.evaluate("a => a.href") == "https://www.bundesregierung.de:8443/presse"


def test_every_body_link_kept_leads_in_chromium_where_its_stored_address_says(page, site, make_event):
    # Each odd address as the sanitiser keeps it (or drops it, as Event.clean names it): a page
    # of this site stays on this site; a web address is stored as Chromium reads it, so it goes
    # to the host it shows.
    body = "".join(
        f'<p><a href="{html.escape(address)}">Link {number}</a></p>' for number, address in enumerate(ODD_ADDRESSES)
    )
    event = make_event(title="Seltsame Links", body=body)
    page.goto(site + event.get_absolute_url())
    links = page.locator(".event-body a[href]").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.href, a.protocol, a.host, a.origin])"
    )
    assert len(links) == len([address for address in ODD_ADDRESSES if body_link(address)])
    origin = page.evaluate("location.origin")
    for stored, read, protocol, host, link_origin in links:
        if stored.startswith(("/", "#")):
            assert link_origin == origin, stored
        elif stored.startswith("mailto:"):
            assert protocol == "mailto:", stored
        else:
            address = urlsplit(stored)
            assert (protocol, host) == (f"{address.scheme}:", address.netloc), stored
            assert read in (stored, stored + "/")  # (an empty path is read as "/")


def test_a_javascript_link_in_the_body_is_named_to_the_editor_and_nothing_is_saved(page, site, editor):
    open_admin_add_form(page, site, editor)
    page.locator(EDITOR).wait_for()
    page.fill("#id_title_de", "Mit bösem Link")
    page.fill("#id_date", "2025-07-01")
    link_in_the_body(page, "hier klicken", "javascript:alert(1)")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()

    message = page.locator(".field-body_de .errorlist")
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
    '<p><a href="https://www.auswaertiges-amt.de/" title="Auswärtiges Amt" rel="noopener noreferrer">AA</a>'
    ' <a href="mailto:presse@bmwe.bund.de">Presse</a> <a href="/events/anderes/">intern</a></p>'
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


def test_a_body_written_through_the_api_survives_an_edit_in_the_admin(page, site, publisher, make_event):

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
