"""The timeline drawn to scale (/zeitstrahl/, timeline/scale.py).

The page's SVG is read back as XML with the standard library, not with the code that wrote it;
positions are checked in proportion to the axis the drawing itself labels.
"""

import datetime
import itertools
import random
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from tests.conftest import as_read, panel_links
from tests.feeds.test_hostile_content import hostile  # noqa: F401  (the fixture)
from tests.test_client_input import PARAMETERS, VALUES
from timeline import scale
from timeline.cache import content_changed
from timeline.dates import stored_event_date
from timeline.models import Event, Series

TODAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
SVG = "{http://www.w3.org/2000/svg}"
SERIES = "german-japanese-economic-security-dialogue"
REICHE = "/events/reiche-trifft-kiuchi-berlin-2025/"
DIALOGUE = "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/"
CONSULTATIONS = "/events/erste-deutsch-japanische-regierungskonsultationen-2023/"


@pytest.fixture
def at_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def seed(db, at_today):
    call_command("load_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def seed_and_more(seed):
    """The seed and 40 generated events: fewer than a page of the list, so it shows them all."""
    call_command("generate_events", "40", "--seed", "3", stdout=open("/dev/null", "w"))  # noqa: SIM115


def drawing(response) -> ET.Element:
    """The page's time axis: its <svg> element, parsed as XML."""
    match = re.search(r'<svg\b[^>]*\brole="group".*?</svg>', response.content.decode(), re.S)
    assert match, "no drawing on the page"
    return ET.fromstring(match.group(0))


def marks(svg: ET.Element) -> dict[str, ET.Element]:
    """The drawing's links by address."""
    links = list(svg.iter(SVG + "a"))
    assert len({link.get("href") for link in links}) == len(links), "an event drawn twice"
    return {link.get("href"): link for link in links}


def listed(response) -> set[str]:
    """The events the timeline's list shows (their addresses)."""
    return set(re.findall(r'<h4 class="event-title"[^>]*><a href="([^"]+)"', response.content.decode()))


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def shape(link: ET.Element) -> ET.Element:
    return next(child for child in link if "mark-shape" in classes(child))


def share(value: str) -> float:
    """A coordinate of the drawing: a percentage of the plot, which stretches with the box."""
    assert value.endswith("%"), value
    return float(value[:-1])


class Axis:
    """The drawing's own axis: each year's line at 1 January, labelled with the year, and the last
    one closing the axis; positions in per cent of the plot."""

    def __init__(self, svg: ET.Element):
        lines = [line for line in svg.iter(SVG + "line") if "tick-year" in classes(line)]
        labels = [text for text in svg.iter(SVG + "text") if "tick-label-year" in classes(text)]
        self.first_year = int(labels[0].text)
        self.last_year = self.first_year + len(lines) - 2
        self.x0, self.x_end = share(lines[0].get("x1")), share(lines[-1].get("x1"))
        # Each year's label stands just right of its line, the axis' end included.
        assert len(labels) == len(lines)
        for line, label in zip(lines, labels, strict=True):
            assert label.get("x") == line.get("x1") and float(label.get("dx")) == scale.LABEL_GAP

    def x(self, day: datetime.date) -> float:
        """Where `day` begins, in proportion to the axis."""
        start, end = datetime.date(self.first_year, 1, 1), datetime.date(self.last_year + 1, 1, 1)
        return self.x0 + (day - start).days / (end - start).days * (self.x_end - self.x0)


def band_ends(link: ET.Element) -> tuple[float, float]:
    rect = shape(link)
    assert rect.tag == SVG + "rect"
    return share(rect.get("x")), share(rect.get("x")) + share(rect.get("width"))


def middle_y(link: ET.Element) -> float:
    element = shape(link)
    if element.tag == SVG + "circle":
        return float(element.get("cy"))
    return float(element.get("y")) + float(element.get("height")) / 2


def lane_labels(response) -> dict[str, float]:
    """The lanes' labels (kept apart from the drawing, so they stay in view when it scrolls) and
    their y."""
    match = re.search(r'<svg\b[^>]*\bclass="scale-lane-labels".*?</svg>', response.content.decode(), re.S)
    assert match, "no lane labels on the page"
    texts = [text for text in ET.fromstring(match.group(0)).iter(SVG + "text") if "lane-label" in classes(text)]
    return {text.text: float(text.get("y")) for text in texts}


# The page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?country=JP",
        "?topic=economic-security",
        f"?series={SERIES}",
        "?from=2024&to=2025",
        "?to=Ende 2024&kind=meeting&kind=conference",
        "?q=Kiuchi",
    ],
)
def test_the_drawing_links_exactly_the_events_the_list_shows_for_the_same_filters(client, seed_and_more, query):
    page = client.get("/zeitstrahl/" + query)
    assert page.status_code == 200
    drawn = marks(drawing(page))
    shown = listed(client.get("/" + query))
    assert set(drawn) == shown and shown
    assert f"{len(drawn)} Termin" in page.content.decode()
    # The list under the drawing holds the same events, in the drawing's order.
    below = re.findall(r'<ol class="scale-list">.*?</ol>', page.content.decode(), re.S)[0]
    assert re.findall(r'<a href="([^"]+)"', below) == list(drawn)


def test_ende_2024_is_a_band_from_1_october_to_31_december_in_proportion_to_the_axis(client, seed):
    svg = drawing(client.get("/zeitstrahl/"))
    axis = Axis(svg)
    assert (axis.first_year, axis.last_year) == (2023, 2025)
    dialogue = marks(svg)[DIALOGUE]
    assert "mark-band" in classes(dialogue) and "mark-soft" not in classes(dialogue)
    start, end = band_ends(dialogue)
    assert start == pytest.approx(axis.x(datetime.date(2024, 10, 1)), abs=0.001)
    assert end == pytest.approx(axis.x(datetime.date(2025, 1, 1)), abs=0.001)  # to the end of 31 December
    assert dialogue.get("aria-label").endswith(", 4. Quartal 2024")


def test_a_day_is_a_point_in_the_middle_of_its_day_named_by_title_and_date(client, seed):
    svg = drawing(client.get("/zeitstrahl/"))
    axis = Axis(svg)
    reiche = marks(svg)[REICHE]
    assert "mark-point" in classes(reiche)
    circle = shape(reiche)
    assert circle.tag == SVG + "circle"
    middle = (axis.x(datetime.date(2025, 6, 26)) + axis.x(datetime.date(2025, 6, 27))) / 2
    assert share(circle.get("cx")) == pytest.approx(middle, abs=0.001)
    name = "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi, 26. Juni 2025"
    assert reiche.get("aria-label") == name
    assert reiche.find(SVG + "title").text == name


def test_the_series_has_its_own_lane_labelled_with_its_name(client, seed):
    page = client.get("/zeitstrahl/")
    drawn = marks(drawing(page))
    labels = lane_labels(page)
    series_y, other_y = labels["Deutsch-Japanischer Wirtschaftssicherheitsdialog"], labels["Termine ohne Reihe"]
    # Both events of the series on the series' lane, under its label; the other event below, under its own.
    assert middle_y(drawn[REICHE]) == middle_y(drawn[DIALOGUE])
    assert series_y < middle_y(drawn[REICHE]) < other_y < middle_y(drawn[CONSULTATIONS])


def test_every_precision_is_drawn_over_its_real_extent_and_approximate_dates_get_a_soft_edge(client, make_event):
    dates = {
        "ca-2023": "ca. 2023",
        "year-2023": "2023",
        "two-days": "26.–27. Juni 2025",
        "march-2024": "März 2024",
        "winter-2024": "Winter 2024",
        "unsicher-maerz": "2024-03?",
    }
    for slug, date in dates.items():
        make_event(title=f"Termin {slug}", slug=slug, date=date)
    page = client.get("/zeitstrahl/")
    svg = drawing(page)
    axis, drawn = Axis(svg), marks(svg)
    extents = {
        "ca-2023": (datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)),
        "year-2023": (datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)),
        "march-2024": (datetime.date(2024, 3, 1), datetime.date(2024, 4, 1)),
        "winter-2024": (datetime.date(2024, 12, 1), datetime.date(2025, 3, 1)),
        "unsicher-maerz": (datetime.date(2024, 3, 1), datetime.date(2024, 4, 1)),
    }
    for slug, (first, after) in extents.items():
        assert band_ends(drawn[f"/events/{slug}/"]) == (
            pytest.approx(axis.x(first), abs=0.001),
            pytest.approx(axis.x(after), abs=0.001),
        ), slug
    # Two days are a bar too, never a point: over their days, and on a floor wide enough to see.
    two_days = drawn["/events/two-days/"]
    assert "mark-band" in classes(two_days) and shape(two_days).tag == SVG + "rect"
    floor = next(child for child in two_days if "mark-floor" in classes(child))
    assert float(floor.get("width")) >= scale.MIN_BAND_WIDTH
    assert floor.get("x") == f"{(sum(band_ends(two_days)) / 2):.4f}".rstrip("0") + "%"
    # "ca." and "(unsicher)" are soft; the plain year is not.
    soft = {href.split("/")[2] for href, link in drawn.items() if "mark-soft" in classes(link)}
    assert soft == {"ca-2023", "unsicher-maerz"}
    # The soft edge: a gradient fading at both ends, and the legend saying what it means.
    gradient = svg.find(f".//{SVG}linearGradient[@id='scale-soft']")
    opacities = [float(stop.get("stop-opacity")) for stop in gradient.iter(SVG + "stop")]
    assert opacities[0] < opacities[1] and opacities[-1] < opacities[-2]
    assert "ungefähr („ca.“) oder unsicher" in page.content.decode()


def test_a_refused_value_is_answered_400_naming_it_and_the_other_filters_still_apply(client, seed_and_more):
    page = client.get("/zeitstrahl/?country=XX&topic=economic-security")
    assert page.status_code == 400
    text = unescape(page.content.decode())
    assert "Einige Filter konnten nicht angewandt werden" in text and "„XX“" in text
    assert set(marks(drawing(page))) == listed(client.get("/?topic=economic-security"))
    reversed_period = client.get("/zeitstrahl/?from=2025&to=2024")
    assert reversed_period.status_code == 400
    assert "2025-01-01" in reversed_period.content.decode()


def test_empty_form_fields_lead_to_the_clean_address(client, seed):
    response = client.get("/zeitstrahl/?q=&kind=&country=JP")
    assert response.status_code == 301 and response["Location"] == "/zeitstrahl/?country=JP"


def test_the_filter_form_submits_to_the_time_axis_and_shows_the_active_filters(client, seed):
    page = client.get("/zeitstrahl/?country=JP").content.decode()
    assert 'action="/zeitstrahl/"' in page
    assert 'href="/zeitstrahl/" aria-label="Filter Land: Japan entfernen"' in page


def test_repeated_and_conditional_requests_touch_no_database(client, seed, django_assert_num_queries):
    first = client.get("/zeitstrahl/?country=JP")
    with django_assert_num_queries(0):
        assert client.get("/zeitstrahl/?country=JP").content == first.content
        assert client.get("/zeitstrahl/?country=JP", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_the_page_costs_the_same_queries_for_a_few_events_and_for_many(
    client, make_event, at_today, django_assert_max_num_queries
):
    from timeline.cache import content_version

    make_event(title="Eins", slug="eins")
    content_version()
    with django_assert_max_num_queries(6) as few:
        client.get("/zeitstrahl/")
    series = [Series.objects.create(name=f"Reihe {number}", slug=f"reihe-{number}") for number in range(3)]
    for number in range(60):
        make_event(
            title=f"Treffen {number}",
            slug=f"treffen-{number}",
            date=f"2024-{number % 12 + 1:02d}-01",
            series=series[number % 3] if number % 2 else None,
        )
    content_version()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(marks(drawing(client.get("/zeitstrahl/")))) == 61


def test_an_edit_is_drawn_on_the_next_request(client, seed):
    client.get("/zeitstrahl/")
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    event.date = "2025-07-03"
    event.save()
    svg = drawing(client.get("/zeitstrahl/"))
    assert marks(svg)[REICHE].get("aria-label").endswith(", 3. Juli 2025")


def test_a_selection_larger_than_the_cap_draws_the_most_recent_and_says_how_to_narrow_it(
    client, make_event, monkeypatch
):
    monkeypatch.setattr(scale, "MAX_DRAWN", 3)
    for month in range(1, 6):
        make_event(title=f"Treffen {month}", slug=f"treffen-{month}", date=f"2025-0{month}-10")
    page = client.get("/zeitstrahl/")
    assert set(marks(drawing(page))) == {f"/events/treffen-{month}/" for month in (3, 4, 5)}
    text = as_read(unescape(page.content.decode()))
    assert "5 Termine" in text
    assert "Die Zeichnung zeigt die 3 jüngsten dieser Termine." in text


def test_the_cap_is_500(client):
    assert scale.MAX_DRAWN == 500


def test_an_empty_selection_and_an_empty_site_say_so(client, seed):
    page = client.get("/zeitstrahl/?q=Nirgendwo").content.decode()
    assert "Keine Termine entsprechen diesen Filtern." in page and 'role="group"' not in page
    Event.objects.all().delete()
    assert "Es wurden noch keine Termine veröffentlicht." in client.get("/zeitstrahl/").content.decode()


def test_list_and_time_axis_link_to_each_other_with_the_applied_filters(client, seed):
    listing = client.get("/?country=XX&country=JP&after=2025-01-01.2025-01-01.1").content.decode()
    assert '<a href="/zeitstrahl/?country=JP">Zeitstrahl</a>' in listing
    assert '<a href="/?country=JP" aria-current="page">Liste</a>' in listing
    axis = client.get("/zeitstrahl/?country=JP").content.decode()
    assert '<a href="/?country=JP">Liste</a>' in axis
    assert '<a href="/zeitstrahl/?country=JP" aria-current="page">Zeitstrahl</a>' in axis


def test_zoom_links_keep_the_other_filters_and_the_zoomed_axis_is_that_period(client, seed):
    page = client.get("/zeitstrahl/?topic=economic-security").content.decode()
    links = re.findall(r'<a href="(/zeitstrahl/\?[^"]+)">(\d{4})</a>', page)
    assert [label for _url, label in links] == ["2023", "2024", "2025"]
    url = unescape({label: url for url, label in links}["2024"])
    assert url == "/zeitstrahl/?topic=economic-security&from=2024&to=2024"
    zoomed = client.get(url)
    svg = drawing(zoomed)
    axis = Axis(svg)
    assert (axis.first_year, axis.last_year) == (2024, 2024)
    assert set(marks(svg)) == {DIALOGUE}
    # A single year has its months on the axis, in the reader's language.
    months = [text.text for text in svg.iter(SVG + "text") if "tick-label-month" in classes(text)]
    assert months[:3] == ["Feb", "Mär", "Apr"]
    assert '<a href="/zeitstrahl/?topic=economic-security">Alle Zeiträume</a>' in zoomed.content.decode()


def test_the_today_line_stands_at_today_when_today_is_on_the_axis(client, seed):
    with time_machine.travel(datetime.datetime(2025, 7, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        svg = drawing(client.get("/zeitstrahl/"))
    axis = Axis(svg)
    today = svg.find(f".//{SVG}g[@class='scale-today']")
    middle = (axis.x(datetime.date(2025, 7, 1)) + axis.x(datetime.date(2025, 7, 2))) / 2
    assert share(today.find(SVG + "line").get("x1")) == pytest.approx(middle, abs=0.001)
    assert today.find(SVG + "text").text == "Heute"
    # The site's today (27 November 2026) lies after the seed's last year: no line.
    assert drawing(client.get("/zeitstrahl/")).find(f".//{SVG}g[@class='scale-today']") is None


def test_every_dark_line_of_the_axis_is_labelled_with_its_year_the_one_closing_the_axis_too(client, seed):
    svg = drawing(client.get("/zeitstrahl/"))
    labels = {text.get("x"): text.text for text in svg.iter(SVG + "text") if "tick-label-year" in classes(text)}
    dark = [
        line.get("x1")
        for line in svg.iter(SVG + "line")
        if "tick-year" in classes(line) and "tick-unlabelled" not in classes(line)
    ]
    assert [labels.get(x) for x in dark] == ["2023", "2024", "2025", "2026"]
    assert dark[-1] == "100.0%"  # the end of 2025, where 2026 begins
    # On a long axis only every few years are labelled; the others' lines are light.
    make_event = Event.objects.create
    make_event(title="Früh", date="1800", status=Event.Status.PUBLISHED, publish_at=TODAY)
    long = drawing(client.get("/zeitstrahl/"))
    years = [line for line in long.iter(SVG + "line") if "tick-year" in classes(line)]
    named = {text.get("x") for text in long.iter(SVG + "text") if "tick-label-year" in classes(text)}
    assert {line.get("x1") in named for line in years} == {True, False}
    assert all(("tick-unlabelled" in classes(line)) == (line.get("x1") not in named) for line in years)


def test_the_time_axis_offers_the_same_subscriptions_as_the_list_for_the_same_filters(client, seed):
    def panel(path: str) -> dict[str, dict[str, str]]:
        return panel_links(client.get(path + "?country=JP&topic=economic-security").content)

    offered = panel("/zeitstrahl/")
    assert offered == panel("/")
    assert list(offered) == [
        "RSS", "Atom", "JSON Feed", "Kalender (iCalendar)", "Tabelle (CSV)", "TimelineJS",
    ]  # fmt: skip
    assert all(link["href"].endswith("?country=JP&topic=economic-security") for link in offered.values())


def test_the_caption_says_in_plain_german_what_the_numbers_are(client, seed):
    text = as_read(unescape(client.get("/zeitstrahl/").content.decode()))
    assert "Die Nummern entsprechen der Liste darunter." in text and "Ihre Nummern" not in text
    assert "ein Zeitraum: mehrere Tage oder ein ganzer Monat, ein ganzes Quartal oder Jahr" in text


def test_a_drawing_that_fits_a_phone_says_nothing_about_scrolling(client, seed):
    assert "seitlich verschieben" not in client.get("/zeitstrahl/?from=2025&to=2025").content.decode()
    assert "Die Zeichnung lässt sich seitlich verschieben." in client.get("/zeitstrahl/").content.decode()


def test_hostile_parameters_and_the_extreme_years_are_answered_without_a_server_error(client, seed):
    for name in PARAMETERS:
        for value in VALUES:
            assert client.get(f"/zeitstrahl/?{name}={value}").status_code in (200, 400), (name, value[:20])
    make_event = Event.objects.create
    make_event(title="Am Anfang", date="0001-01-01", status=Event.Status.PUBLISHED, publish_at=TODAY)
    make_event(title="Am Ende", date="Winter 9998", status=Event.Status.PUBLISHED, publish_at=TODAY)
    for query in ("", "?from=0001&to=0001", "?from=9999", "?to=0010"):
        page = client.get("/zeitstrahl/" + query)
        assert page.status_code == 200, query
        drawing(page)


def test_the_sitemap_names_the_time_axis(client, seed):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://events.example.org/zeitstrahl/</loc>" in sitemap
    assert "<loc>https://events.example.org/en/zeitstrahl/</loc>" in sitemap


def test_an_english_reader_gets_the_drawing_in_english(client, seed):
    page = client.get("/en/zeitstrahl/?from=2025&to=2025")
    svg = drawing(page)
    # Each mark leads to the event's English page, titled in English.
    assert marks(svg)["/en" + REICHE].get("aria-label") == (
        "Minister Reiche meets Japan's Minister for Economic Security, Kiuchi, 26 June 2025"
    )
    months = [text.text for text in svg.iter(SVG + "text") if "tick-label-month" in classes(text)]
    assert months[:2] == ["Feb", "Mar"]
    text = page.content.decode()
    assert "Diplomatic events on a time axis" in text and "approximate (“c.”) or uncertain" in text


# The layout (timeline/scale.py)


def item(date: str, lane: str = "", key=None) -> scale.Item:
    return scale.Item(key or date, stored_event_date(date), lane)


def test_packing_puts_each_mark_in_the_first_row_where_it_keeps_its_distance():
    assert scale.pack([(0, 10), (5, 15), (16, 20), (12, 30)], gap=0) == [0, 1, 0, 2]
    # With a gap of 6 the third no longer fits behind the first (10 + 6 > 15) nor the second.
    assert scale.pack([(0, 10), (5, 15), (15, 20)], gap=6) == [0, 1, 2]
    assert scale.pack([(0, 10), (16, 20)], gap=6) == [0, 0]
    assert scale.pack([]) == []


def test_packing_needs_no_more_rows_than_marks_overlap_at_one_place():
    rng = random.Random(15)  # noqa: S311 (test data)
    for _ in range(50):
        extents = sorted((start, start + rng.uniform(1, 40)) for start in (rng.uniform(0, 200) for _ in range(30)))
        rows = scale.pack(extents, gap=0)
        deepest = max(sum(1 for start, end in extents if start <= point < end) for point, _end in extents)
        assert max(rows) + 1 == deepest
        for row in set(rows):
            in_row = [extent for extent, each in zip(extents, rows, strict=True) if each == row]
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(in_row))


def test_a_short_axis_is_at_least_the_minimum_width_and_a_long_one_keeps_room_for_each_year():
    assert scale.make_scale(2024, 2024).width == scale.MIN_WIDTH
    # The narrowest a year's drawing gets fits a 360 px phone: plot, margins and the box's border.
    assert scale.MIN_WIDTH + scale.LEFT + scale.RIGHT + 2 <= 360 - 2 * 16
    assert scale.make_scale(2023, 2025).width == 3 * scale.MIN_PX_PER_YEAR
    assert scale.make_scale(2000, 2024).width == 25 * scale.MIN_PX_PER_YEAR
    # Beyond MAX_WIDTH the years get narrower instead.
    assert scale.make_scale(1000, 2025).width == pytest.approx(scale.MAX_WIDTH)


def test_the_stylesheet_gives_the_drawing_the_margins_and_the_wide_box_the_layout_counts_with():
    css = (Path(__file__).resolve().parents[2] / "timeline/static/timeline/site.css").read_text()
    assert f"padding: 0 {scale.RIGHT}px 0 {scale.LEFT}px;" in css
    assert f"@container (min-width: {scale.WIDE_BOX + 2}px)" in css  # the box's two 1 px borders
    zooms = {int(step) for step in re.findall(r"\.print-zoom-(\d+) \{ zoom: ", css)}
    assert zooms == set(range(5, 100, 5))


def test_a_drawing_wider_than_a_page_is_printed_smaller_in_steps_of_five_per_cent():
    def printed(first_year: int, last_year: int) -> int:
        return scale.layout(
            [item(f"{first_year:04d}"), item(f"{last_year:04d}")], today=datetime.date(2026, 1, 1), language="de"
        ).print_zoom

    assert printed(2024, 2025) == 100
    assert printed(2002, 2026) == 25  # 2,400 px: a quarter of that fits 680
    assert printed(1, 2026) == 5
    for years in range(1, 120):
        zoom = printed(2000, 2000 + years)
        width = scale.LEFT + scale.make_scale(2000, 2000 + years).width + scale.RIGHT
        assert width * zoom / 100 <= scale.PRINT_WIDTH and zoom % 5 == 0


def test_ticks_are_years_with_quarters_on_a_phone_and_months_in_a_wide_box_and_sparser_years_on_a_long_axis():
    one_year = scale.ticks(scale.make_scale(2024, 2024), "de")
    # MIN_WIDTH px: the quarters' first months always, the other months only in a box wide enough.
    assert [(tick.kind, tick.label, tick.wide) for tick in one_year[:5]] == [
        ("year", "2024", False),
        ("month", "Feb", True),
        ("month", "Mär", True),
        ("month", "Apr", False),
        ("month", "Mai", True),
    ]
    # 2024 has 366 days: 1 March lies 60 days in.
    assert one_year[2].x == pytest.approx(60 / 366 * 100, abs=0.0001)
    # The end of 31 December closes the axis, labelled with the year beginning there.
    assert one_year[-1] == scale.Tick(100.0, "year", "2025")
    assert [tick.label for tick in one_year if not tick.wide] == ["2024", "Apr", "Jul", "Okt", "2025"]

    three = scale.ticks(scale.make_scale(2023, 2025), "de")  # 96 px a year, 200 in a wide box
    assert [tick.label for tick in three if tick.kind == "year"] == ["2023", "2024", "2025", "2026"]
    assert [tick.label for tick in three if tick.kind == "month"] == ["Apr", "Jul", "Okt"] * 3
    assert all(tick.wide for tick in three if tick.kind == "month")
    assert three[4].x == pytest.approx(365 / 1096 * 100, abs=0.0001)  # 1 January 2024

    quarter_century = scale.ticks(scale.make_scale(2000, 2024), "de")
    assert {tick.kind for tick in quarter_century} == {"year"} and len(quarter_century) == 26
    assert all(tick.label for tick in quarter_century)

    millennium = scale.make_scale(1000, 2025)  # about 9.4 px a year: a label every ten years
    assert scale.year_step(millennium.px_per_year) == 10
    labels = [tick.label for tick in scale.ticks(millennium, "de") if tick.label]
    assert labels[:3] == ["1000", "1010", "1020"] and labels[-2:] == ["2020", "2026"]
    # 2020 stands too close to 2022, which closes an axis ending in 2021: it gives up its label.
    ending_2021 = [tick.label for tick in scale.ticks(scale.make_scale(1000, 2021), "de") if tick.label]
    assert ending_2021[-2:] == ["2010", "2022"]
    assert scale.year_step(scale.make_scale(1, 2025).px_per_year) == 20
    # The last year there is has no next one to name.
    assert scale.ticks(scale.make_scale(9999, 9999), "de")[-1].label == ""


def test_layout_puts_series_lanes_first_numbers_marks_earliest_first_and_packs_overlaps_into_rows():
    drawing = scale.layout(
        [
            item("2025-06-26", "Dialog"),
            item("2023-03-18"),
            item("2024-36", "Dialog"),
            item("2023~"),
            item("2023-09"),
        ],
        today=datetime.date(2026, 11, 27),
        language="de",
        no_series="Termine ohne Reihe",
    )
    assert [group.label for group in drawing.groups] == ["Dialog", "Termine ohne Reihe"]
    # "2023~" spans the other two, which fit one row behind the other.
    assert [group.rows for group in drawing.groups] == [1, 2]
    y = {mark.key: mark.y for mark in drawing.marks}
    assert y["2023-03-18"] == y["2023-09"] != y["2023~"]
    assert [mark.key for mark in drawing.marks] == ["2023~", "2023-03-18", "2023-09", "2024-36", "2025-06-26"]
    assert [mark.number for mark in drawing.marks] == [1, 2, 3, 4, 5]
    shapes = {mark.key: (mark.shape, mark.soft) for mark in drawing.marks}
    assert shapes == {
        "2023~": ("band", True),
        "2023-03-18": ("point", False),
        "2023-09": ("band", False),
        "2024-36": ("band", False),
        "2025-06-26": ("point", False),
    }
    assert drawing.today_x is None  # 2026 is not on the axis
    dialogue = [mark for mark in drawing.marks if mark.lane == "Dialog"]
    assert len({mark.y for mark in dialogue}) == 1


def test_a_period_filter_cuts_the_axis_and_a_longer_date_is_drawn_to_its_edge():
    drawing = scale.layout(
        [item("2020/2030"), item("2024-06-01")],
        today=datetime.date(2024, 6, 1),
        language="de",
        period=(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
    )
    assert (drawing.scale.first_year, drawing.scale.last_year) == (2024, 2024)
    long = drawing.marks[0]
    assert (long.start, long.end) == (0, 100)
    assert drawing.today_x == drawing.marks[1].middle


def test_zoom_periods_are_the_years_with_events_on_a_short_axis_and_decades_on_a_long_one():
    few = [item("2023-03-18"), item("2025-06-26")]
    assert [period.label for period in scale.periods(few, 2023, 2025)] == ["2023", "2025"]
    assert scale.periods(few[:1], 2023, 2023) == []
    many = [item("1999"), item("2001/2003"), item("2024-36")]
    assert scale.periods(many, 1999, 2024) == [
        scale.Period("1990–1999", "1990", "1999"),
        scale.Period("2000–2009", "2000", "2009"),
        scale.Period("2020–2029", "2020", "2029"),
    ]
    assert scale.periods([item("0005"), item("0100")], 5, 100)[0] == scale.Period("0001–0009", "0001", "0009")


def test_text_written_around_the_models_still_gives_a_well_formed_drawing_with_named_marks(client, hostile):  # noqa: F811
    from timeline.models import Series

    series = Series.objects.create(name="Reihe")
    Event.objects.filter(pk=hostile.pk).update(series=series)
    Series.objects.filter(pk=series.pk).update(name="Rei\x01he \x0c <b>fett</b> \ufffe")
    content_changed()
    response = client.get("/zeitstrahl/")
    svg = drawing(response)  # parsed as XML: no character XML forbids
    names = [link.get("aria-label") for link in marks(svg).values()]
    assert "Termin ohne Titel, 26. Juni 2025" in names
    assert all(name.split(",")[0].strip() for name in names)
    assert "Reihe <b>fett</b>" in lane_labels(response)  # parsed as XML too: shown as typed, controls left out
