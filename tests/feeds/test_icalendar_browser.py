"""The calendar links in a real browser (Playwright driving Debian's Chromium; the fixtures are
conftest.py's): a reader adds an event to a calendar from its page, or finds the calendar of a view."""

import datetime
from pathlib import Path

import icalendar
import pytest
import vobject

from tests.timeline.test_browser import screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEETING = "/events/reiche-trifft-kiuchi-berlin-2025/"
QUARTER = "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/"


def test_a_reader_adds_an_event_known_to_the_day_to_a_calendar_from_its_page(page, site):
    page.goto(site + MEETING)
    link = page.get_by_role("link", name="In den Kalender übernehmen")
    assert link.is_visible()
    screenshot(page, "event-with-calendar-link-1280")
    assert serious_violations(page) == []
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "reiche-trifft-kiuchi-berlin-2025.ics"
    data = Path(download.path()).read_bytes()
    (entry,) = icalendar.Calendar.from_ical(data).events
    assert str(entry["SUMMARY"]).startswith("Bundesministerin Reiche trifft")
    assert entry.start == datetime.date(2025, 6, 26) and entry.end == datetime.date(2025, 6, 27)
    assert vobject.readOne(data.decode()).vevent.uid.value == str(entry["UID"])
    # "4. Quartal 2024" has no day a calendar could show: no link.
    page.goto(site + QUARTER)
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("link", name="In den Kalender übernehmen").count() == 0
    assert page.problems == []


def test_the_timeline_offers_the_calendar_of_the_filtered_view(page, site):
    page.goto(site + "/?country=JP")
    link = page.get_by_role("link", name="iCalendar")
    assert link.is_visible()
    href = link.get_attribute("href")
    assert href.endswith("/feeds/ics/?country=JP")
    # The address is absolute on SITE_URL; this site answers the same path.
    response = page.request.get(site + href[href.index("/feeds/") :])
    assert response.status == 200 and response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.body())
    assert "Land: Japan" in str(calendar["NAME"])
    assert page.problems == []
