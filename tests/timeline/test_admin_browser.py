"""The editorial admin in a real browser: it saves what it shows, and it fits a laptop's screen.

Uses the browser, live site and page of test_browser.py; screenshots go to test-artifacts/.
"""

import re

import feedparser

from tests.timeline import test_browser
from timeline.models import Event

browser, site, page = test_browser.browser, test_browser.site, test_browser.page
pytestmark = test_browser.pytestmark

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
