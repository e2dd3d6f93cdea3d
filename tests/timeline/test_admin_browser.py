"""The editorial admin in a real browser: it saves what it shows, and it fits a laptop's screen.

The browser, live site and page are conftest.py's; screenshots go to test-artifacts/.
"""

import re

import feedparser
import pytest

from tests.conftest import admin_log_in
from tests.timeline.test_browser import screenshot
from timeline.models import Event, Revision

# Transactional: the live server runs in another thread (see test_browser.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEETING = "reiche-trifft-kiuchi-berlin-2025"  # a seed event with Germany and Japan


def test_a_country_removed_in_the_chooser_is_gone_from_page_feed_and_api(page, site, publisher):
    event = Event.objects.get(slug=MEETING)
    admin_log_in(page, site, publisher, f"/admin/timeline/event/{event.pk}/change/")
    chosen = page.locator("#id_countries_to option")
    assert chosen.all_inner_texts() == ["Deutschland", "Japan"]
    # The label stands before the chooser, as with topics.
    label = page.locator(".field-countries label", has_text="Länder:").bounding_box()
    assert label["x"] < page.locator(".field-countries .selector").bounding_box()["x"]

    chosen.filter(has_text="Japan").first.click()
    page.click("#id_countries_remove")
    assert chosen.all_inner_texts() == ["Deutschland"]
    assert "Japan" in page.locator("#id_countries_from option").all_inner_texts()
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))
    assert page.locator(".messagelist .success").count() == 1

    page.goto(f"{site}/events/{MEETING}/")
    assert page.locator("dt:text-is('Länder') + dd").inner_text() == "Deutschland"
    feed = feedparser.parse(page.request.get(f"{site}/feeds/atom/").body())
    (entry,) = [entry for entry in feed.entries if entry.link.endswith(f"/events/{MEETING}/")]
    assert [tag.term for tag in entry.tags if tag.scheme.endswith("?country=")] == ["DE"]
    assert page.request.get(f"{site}/api/events/{MEETING}/").json()["countries"] == ["DE"]


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_the_event_list_and_form_fit_a_laptop_and_scroll_only_inside_their_tables_on_a_phone(browser, site, publisher):
    event = Event.objects.get(slug=MEETING)
    for width in (1280, 390):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
        tab = context.new_page()
        admin_log_in(tab, site, publisher, "/admin/timeline/event/")
        screenshot(tab, f"admin-event-list-{width}")
        assert tab.evaluate(SIDEWAYS) <= 0, f"the list scrolls sideways at {width} px"
        if width == 1280:
            # Every column is in view, none behind the table's scroll bar (Django's on a phone).
            results = tab.locator("#changelist .results")
            assert results.evaluate("box => box.scrollWidth - box.clientWidth") <= 0
            headers = tab.locator("#result_list thead th")
            assert [text.strip() for text in headers.all_text_contents()][-2:] == ["Status", "Öffentlich ab"]
            for header in headers.all():
                assert right_edge(header) <= right_edge(results), header.text_content()

        tab.goto(f"{site}/admin/timeline/event/{event.pk}/change/")
        screenshot(tab, f"admin-event-form-{width}")
        assert tab.evaluate(SIDEWAYS) <= 0, f"the form scrolls sideways at {width} px"
        if width == 1280:
            for name in ["participants", "sources"]:
                delete = tab.locator(f"#{name}-group thead th").last
                assert delete.text_content().strip() == "Löschen?"
                assert right_edge(tab.locator(f"#{name}-group table")) <= right_edge(tab.locator("#content-main"))
                assert right_edge(delete) <= width
        context.close()


def test_saving_an_unchanged_event_leaves_no_trace_and_the_history_speaks_german(page, site, publisher):
    event = Event.objects.get(slug=MEETING)
    event.body = "<h2>Ablauf</h2>\n<p>Erster Absatz.</p>\n<ul><li>Punkt</li></ul>"  # as the API may write it
    event.save()
    before = (event.version, event.updated_at)
    admin_log_in(page, site, publisher, f"/admin/timeline/event/{event.pk}/change/")
    # The whole title is in view in its box, and the change note has room for its sentences.
    title = page.locator("#id_title_de")
    assert title.input_value() == event.title
    assert title.evaluate("box => box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight")
    assert page.locator("#id_change_note_de").evaluate("box => box.tagName") == "TEXTAREA"

    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1
    event.refresh_from_db()
    assert (event.version, event.updated_at) == before
    assert Revision.objects.filter(event=event).count() == 0
    assert "0 Versionen" in page.locator(".field-revision_history").inner_text()

    page.fill("#id_title_de", "Reiche trifft Kiuchi in Berlin")
    page.fill("#id_change_note_de", "Titel gekürzt.\nDer Ort bleibt.")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.wait_for_load_state()
    event.refresh_from_db()
    assert (event.version, event.change_note) == (before[0] + 1, "Titel gekürzt. Der Ort bleibt.")
    page.get_by_role("link", name="Geschichte").click()
    rows = page.locator("#change-history tbody tr td:last-child").all_inner_texts()
    assert rows == [
        "Keine Felder geändert.",
        "Titel (Deutsch) und öffentlicher Änderungshinweis (Deutsch) geändert.",
    ]
    screenshot(page, "admin-event-history")
    assert page.problems == []  # no console error, the site's icon included


def test_the_add_form_asks_about_a_similar_event_with_the_box_under_the_warning(page, site, publisher):
    admin_log_in(page, site, publisher, "/admin/timeline/event/add/")
    page.fill("#id_title_de", "Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert")  # the seed's
    page.fill("#id_date", "Ende 2024")
    page.locator("#date-preview").filter(has_text="4. Quartal 2024").wait_for()
    # Nothing on the add form contradicts the preview or shows a value saving has yet to set.
    assert page.locator(".field-human_date, .field-public_id, .field-created_at").count() == 0
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.wait_for_load_state()

    warning = page.locator(".field-save_anyway ul.errorlist > li")
    box = page.get_by_label("Trotzdem speichern")
    assert "schon erfasst" in warning.inner_text()
    screenshot(page, "admin-event-similar-warning")
    warning_box, check_box = warning.bounding_box(), box.bounding_box()
    # In the warning's column, right below it: not in the labels' column on the left.
    assert abs(check_box["x"] - warning_box["x"]) <= 4
    assert 0 <= check_box["y"] - (warning_box["y"] + warning_box["height"]) <= 30
    box.check()
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/$"))
    assert Event.objects.filter(title="Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert").count() == 2
    assert page.problems == []


def test_an_editor_writes_the_english_title_beside_the_german_and_the_event_leaves_the_english_missing_list(
    page, site, editor
):
    draft = Event.objects.create(
        title_de="Gespräch über Rohstoffe", kind="meeting", date="2031-03-03", status=Event.Status.DRAFT
    )
    admin_log_in(page, site, editor, "/admin/timeline/event/")
    missing = "fehlt (Titel, Zusammenfassung oder Haupttext)"  # the choice says what counts
    page.get_by_role("link", name=missing).click()
    page.wait_for_url(re.compile(r"english=missing"))
    titles = page.locator("#result_list tbody th a")
    assert "Gespräch über Rohstoffe" in titles.all_inner_texts()
    page.get_by_role("link", name="Gespräch über Rohstoffe").click()

    german, english = page.get_by_label("Titel (Deutsch)"), page.get_by_label("Titel (Englisch)")
    left, right = german.bounding_box(), english.bounding_box()
    # Side by side on one row, each wide enough for a title, both within a laptop's screen.
    assert abs(left["y"] - right["y"]) <= 2 and right["x"] >= left["x"] + left["width"]
    assert min(left["width"], right["width"]) >= 300 and right["x"] + right["width"] <= 1280
    assert "steht dort der deutsche Text" in page.locator(".fieldBox.field-title_en + .help").inner_text()
    # The German body and the English one each in their rich-text editor, side by side too.
    editors = page.locator(".ProseMirror[contenteditable=true]")
    assert editors.count() == 2
    assert abs(editors.nth(0).bounding_box()["y"] - editors.nth(1).bounding_box()["y"]) <= 2
    # From the German title the keyboard goes on to the English one.
    german.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_title_en"
    page.keyboard.type("Talks on raw materials")
    screenshot(page, "admin-event-form-two-languages")
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/timeline/event/(\?.*)?$"))

    draft.refresh_from_db()
    assert (draft.title_de, draft.title_en, draft.version) == ("Gespräch über Rohstoffe", "Talks on raw materials", 2)
    page.get_by_role("link", name=missing).click()
    page.wait_for_url(re.compile(r"english=missing"))
    assert "Gespräch über Rohstoffe" not in titles.all_inner_texts()
    page.get_by_role("link", name="vollständig").click()
    page.wait_for_url(re.compile(r"english=complete"))
    assert "Gespräch über Rohstoffe" in page.locator("#result_list tbody th a").all_inner_texts()
    screenshot(page, "admin-event-list-english-complete")
    assert page.problems == []
