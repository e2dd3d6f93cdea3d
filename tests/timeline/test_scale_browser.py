"""The time axis (/zeitstrahl/) in a real browser: axe-core, the keyboard, a phone, the printer.

Uses the fixtures of tests/conftest.py (browser, site, page); screenshots go to test-artifacts/.
"""

import datetime
import re

import pytest

from tests.timeline.test_browser import ARTIFACTS, screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REICHE = "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi, 26. Juni 2025"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_time_axis_has_no_serious_accessibility_violations_and_scrolls_inside_its_box(browser, site, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    tab = context.new_page()
    failures = {}
    for name, path in {
        "scale": "/zeitstrahl/",
        "scale-filtered": "/zeitstrahl/?country=JP&topic=economic-security",
        "scale-error": "/zeitstrahl/?country=XX",
        "scale-empty": "/zeitstrahl/?q=Nirgendwo",
    }.items():
        response = tab.goto(site + path)
        assert response.status == (400 if "XX" in path else 200), path
        assert tab.locator("svg.scale-drawing[role=group]").count() == (0 if "empty" in name else 1), path
        screenshot(tab, f"{name}-{width}")
        violations = serious_violations(tab)
        if violations:
            failures[path] = violations
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    context.close()
    assert failures == {}


def focused(tab) -> dict:
    """The focused element: its tag, classes, accessible name as aria-label gives it, outline."""
    return tab.evaluate(
        """() => {
            const element = document.activeElement, style = getComputedStyle(element);
            return {tag: element.tagName.toLowerCase(), cls: element.getAttribute("class") || "",
                    label: element.getAttribute("aria-label"), outline: style.outlineStyle,
                    outlineWidth: style.outlineWidth, href: element.getAttribute("href")};
        }"""
    )


def test_a_keyboard_reader_tabs_to_a_mark_hears_its_name_sees_its_focus_and_opens_it(page, site):
    page.goto(site + "/zeitstrahl/?country=JP&topic=economic-security")
    # The mark's accessible name as Chromium computes it: the title and the date as the page shows it.
    mark = page.get_by_role("link", name=REICHE, exact=True).first
    assert mark.evaluate("element => element.namespaceURI") == "http://www.w3.org/2000/svg"
    for _ in range(100):
        page.keyboard.press("Tab")
        if focused(page)["cls"].startswith("mark "):
            break
    first = focused(page)
    assert first["tag"] == "a" and "mark" in first["cls"], first
    assert first["outline"] != "none" and first["outlineWidth"] != "0px"
    # Marks come in the drawing's order, earliest first: Tab on to the Reiche meeting, the latest.
    names = [first["label"]]
    while names[-1] != REICHE and len(names) < 10:
        page.keyboard.press("Tab")
        names.append(focused(page)["label"])
    assert names[-1] == REICHE
    assert mark.evaluate("element => element === document.activeElement")
    page.screenshot(path=str(ARTIFACTS / "scale-focus-1280.png"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/events/reiche-trifft-kiuchi-berlin-2025/$"))
    assert page.problems == []


def in_view(tab, selector: str, element=None) -> bool:
    """Whether `element` (else the first `selector`) lies wholly inside the drawing's box as shown."""
    target = element or tab.locator(selector).first
    return target.evaluate(
        """element => {
            const box = element.closest(".scale-scroll").getBoundingClientRect();
            const rect = element.getBoundingClientRect();
            return rect.width > 0 && rect.left >= box.left && rect.right <= box.right;
        }"""
    )


def upcoming_event() -> None:
    """An event a month from now, so that today is on the axis whenever the tests run."""
    from django.utils import timezone

    from timeline.models import Event

    Event.objects.create(
        title="Künftiges Treffen",
        date=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        kind=Event.Kind.MEETING,
        countries=["DE"],
        status=Event.Status.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(hours=1),
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_the_drawing_opens_at_its_newest_end_with_today_in_view_and_scrolls_back_by_keyboard(browser, site, width):
    upcoming_event()
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 844}, is_mobile=width < 500)
    tab = context.new_page()
    tab.goto(site + "/zeitstrahl/")
    box = tab.locator(".scale-scroll")
    box.scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / f"scale-opens-{width}.png"))
    sizes = box.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert sizes[0] > sizes[1], sizes  # the whole axis does not fit: it scrolls
    newest, oldest = tab.locator(".scale-marks a.mark").last, tab.locator(".scale-marks a.mark").first
    assert in_view(tab, "", newest.locator(".mark-shape"))
    assert in_view(tab, ".scale-today text")
    assert not in_view(tab, "", oldest.locator(".mark-shape"))
    # The drawing still runs left to right: each year's label right of the one before.
    lefts = tab.locator(".tick-label-year").evaluate_all(
        "labels => labels.map(label => label.getBoundingClientRect().left)"
    )
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
    # The keyboard scrolls back to the oldest events (the arrow keys, as in any box that scrolls).
    box.focus()
    for _ in range(200):
        if in_view(tab, "", oldest.locator(".mark-shape")):
            break
        tab.keyboard.press("ArrowLeft")
    assert in_view(tab, "", oldest.locator(".mark-shape")) and not in_view(tab, ".scale-today text")
    tab.screenshot(path=str(ARTIFACTS / f"scale-opens-{width}-home.png"))
    assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_a_year_fits_the_screen_with_its_quarters_and_the_zoom_links_keep_the_filters(browser, site, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.goto(site + "/zeitstrahl/?country=JP&from=2025&to=2025")
    box = tab.locator(".scale-scroll")
    box.scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / f"scale-year-{width}.png"))
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert in_view(tab, "", tab.get_by_role("link", name=REICHE, exact=True).locator(".mark-shape"))
    shown = [label for label in tab.locator(".scale-drawing .tick-label").all_text_contents() if label]
    visible = tab.locator(".scale-drawing .tick-label").evaluate_all(
        "labels => labels.filter(label => label.getBoundingClientRect().width > 0).map(label => label.textContent)"
    )
    assert visible == ["2025", "Apr", "Jul", "Okt", "2026"], visible
    assert "Feb" in shown  # drawn for a wide box, not on a phone
    # A longer selection scrolls; its zoom links keep the other filters.
    tab.goto(site + "/zeitstrahl/?topic=economic-security")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")
    tab.get_by_role("navigation", name="Zeiträume").get_by_role("link").first.click()
    tab.wait_for_url(re.compile(r"\?topic=economic-security&from=\d{4}&to=\d{4}$"))
    context.close()


def test_on_a_wide_screen_a_year_fills_the_box_with_its_months(page, site):
    page.goto(site + "/zeitstrahl/?country=JP&from=2025&to=2025")
    box = page.locator(".scale-scroll")
    drawing = page.locator("svg.scale-drawing[role=group]")
    assert drawing.evaluate("element => element.getBoundingClientRect().width") >= box.evaluate(
        "element => element.clientWidth - 60"
    )
    visible = page.locator(".scale-drawing .tick-label-month").evaluate_all(
        "labels => labels.filter(label => label.getBoundingClientRect().width > 0).map(label => label.textContent)"
    )
    assert visible == ["Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
    screenshot(page, "scale-year-1280")


@pytest.mark.parametrize("width", [390, 1280])
def test_each_lane_is_labelled_once_and_the_label_stays_in_view_while_the_drawing_scrolls(browser, site, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 844}, is_mobile=width < 500)
    tab = context.new_page()
    tab.goto(site + "/zeitstrahl/")
    box = tab.locator(".scale-scroll")
    box.scroll_into_view_if_needed()
    label = tab.locator(".lane-label", has_text="Termine ohne Reihe")
    assert label.count() == 1
    for position in ("start", "middle", "end"):
        box.evaluate(
            """(element, position) => {
                const range = element.scrollWidth - element.clientWidth;  // scrollLeft runs from -range to 0
                element.scrollLeft = {start: -range, middle: -range / 2, end: 0}[position];
            }""",
            position,
        )
        tab.wait_for_timeout(100)
        assert in_view(tab, "", label), position
    tab.screenshot(path=str(ARTIFACTS / f"scale-lanes-{width}.png"))
    context.close()


def test_printed_the_whole_axis_fits_the_page_and_the_marks_are_black(browser, site):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto(site + "/zeitstrahl/")
    # On screen an approximate date ("ca. 2007" among the generated events) fades out at both
    # ends and has a dashed outline, so it differs from a plain period without colour too.
    soft = tab.locator(".mark-soft.mark-band .mark-shape").first
    style = soft.evaluate("element => [getComputedStyle(element).fill, getComputedStyle(element).strokeDasharray]")
    assert style[0].startswith('url("') and style[0].endswith('#scale-soft")') and style[1] != "none", style
    tab.emulate_media(media="print")
    screenshot(tab, "scale-print")
    box = tab.locator(".scale-scroll")
    # Nothing cut off by the scrolling box: the drawing is as wide as the page's content.
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    drawing = tab.locator("svg.scale-drawing[role=group]")
    width = drawing.evaluate("element => element.getBoundingClientRect().width")
    assert width <= tab.locator("main").evaluate("element => element.clientWidth")
    assert tab.locator(".filters").is_hidden() and tab.locator(".view-switch").is_hidden()
    fill = tab.locator(".mark-point .mark-shape").first.evaluate("element => getComputedStyle(element).fill")
    assert fill == "rgb(0, 0, 0)"
    context.close()
