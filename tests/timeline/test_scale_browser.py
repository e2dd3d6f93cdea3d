"""The time axis (/zeitstrahl/) in a real browser: axe-core, the keyboard, a phone, the printer.

Uses the fixtures of tests/conftest.py (browser, site, page); screenshots go to test-artifacts/.
"""

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
    for _ in range(60):
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


def test_on_a_phone_the_axis_scrolls_sideways_inside_its_box_and_the_zoom_links_keep_the_filters(browser, site):
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.goto(site + "/zeitstrahl/?topic=economic-security")
    box = tab.locator(".scale-scroll")
    box.scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / "scale-phone-390.png"))
    sizes = box.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert sizes[0] > sizes[1] <= 390, sizes
    # A year keeps its room on the phone: the drawing is not squeezed into the screen.
    years = tab.locator(".tick-label-year").all_inner_texts()
    assert (sizes[0] / len(years)) >= 96, (sizes, years)
    box.evaluate("element => element.scrollLeft = element.scrollWidth")
    tab.screenshot(path=str(ARTIFACTS / "scale-phone-390-scrolled.png"))
    zoom = tab.get_by_role("navigation", name="Zeiträume").get_by_role("link").first
    zoom.click()
    tab.wait_for_url(re.compile(r"\?topic=economic-security&from=\d{4}&to=\d{4}$"))
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
