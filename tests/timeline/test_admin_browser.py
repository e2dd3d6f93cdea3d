"""The editorial admin in a real browser: it saves what it shows, and it fits a laptop's screen.

The browser, live site and page are conftest.py's; screenshots go to test-artifacts/.
"""

import re

import feedparser
import pytest

from tests.timeline.test_browser import screenshot
from timeline.models import Event

# Transactional: the live server runs in another thread (see test_browser.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEETING = "reiche-trifft-kiuchi-berlin-2025"  # a seed event with Germany and Japan


def log_in(tab, site, user, path: str) -> None:
    """Log in through the admin's own form and land on `path`."""
    tab.goto(f"{site}/admin/login/?next={path}")
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", "pw-for-tests-only")
    tab.click("input[type=submit]")
    tab.wait_for_url(re.compile(re.escape(path) + "$"))


def test_a_country_removed_in_the_chooser_is_gone_from_page_feed_and_api(page, site, publisher):
    event = Event.objects.get(slug=MEETING)
    log_in(page, site, publisher, f"/admin/timeline/event/{event.pk}/change/")
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
        log_in(tab, site, publisher, "/admin/timeline/event/")
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
