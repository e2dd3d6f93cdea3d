"""The timeline drawn to scale: where each event's mark goes on a time axis.

Pure layout, no request and no database: `layout()` takes the events' dates (timeline.dates.EventDate)
and lanes and gives coordinates; templates/timeline/_scale_drawing.html draws them. How each
precision is drawn is described in docs/dates.md ("On the time axis"):

- a date known to the day, one day long, is a point (a circle);
- every other date is a band over all the days it may mean (`EventDate.bounds()`): a range of days,
  a month, a season, a quarter ("Ende 2024" is October to December 2024), a half-year, a year;
- an approximate or uncertain date ("ca. 2023") gets a soft, dashed edge (`Mark.soft`).

Events of a series share the series' lanes; the others share lanes of their own. Within each, marks
are packed greedily into as few rows as keep them apart.

The drawing is as wide as the box it is shown in, but never narrower than its plot's `Scale.width`:
a year at least MIN_PX_PER_YEAR, the whole axis at least MIN_WIDTH, which fits a phone. So a day's x
is a percentage of the plot (the browser resolves it against the drawing's width, without a
script), while sizes that must not stretch (circles, text, the gaps between marks) stay in pixels.
Marks are packed at the narrowest width, so any wider drawing only spaces them further apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .dates import FIRST_YEAR, LAST_YEAR, MONTH_NAMES, EventDate, year_text

# At most this many events are drawn; a larger selection draws its most recent ones and says so
# (500 marks and their list make a page of about 330 kB, 35 kB as sent gzipped).
MAX_DRAWN = 500

# Widths in CSS pixels. LEFT and RIGHT are the margins beside the plot (the padding of .scale-canvas
# in site.css): the right one holds the number beside a mark at the very end and the year closing
# the axis. The box around the drawing has a 1 px border.
LEFT, RIGHT = 16, 44
MIN_WIDTH = 266  # the narrowest plot: with the margins and the border it fits a 360 px phone's screen
MIN_PX_PER_YEAR = 96  # room a year keeps however many there are (the drawing then scrolls)
MAX_WIDTH = 9600  # beyond this the years get narrower (and fewer labels) instead of the drawing wider
# A box at least WIDE_BOX px wide (site.css: the container query on .scale-scroll) shows the ticks
# a plot of WIDE_WIDTH px has room for: the months of a year that gets only quarters on a phone.
WIDE_WIDTH = 600
WIDE_BOX = WIDE_WIDTH + LEFT + RIGHT
# Printed, a drawing wider than this is shrunk to fit (print-zoom-* in site.css): an A4 page's
# width inside margins of 1.5 cm, which a US Letter page has room for too.
PRINT_WIDTH = 680
AXIS_HEIGHT = 52  # year labels, month labels, then the first lane
GROUP_HEADER = 24  # a lane group's label
ROW_HEIGHT = 28
BOTTOM = 28  # below the last lane: the label of the "today" line
YEAR_LABEL_Y, MONTH_LABEL_Y, MINOR_TICK_TOP = 18, 40, 26
POINT_RADIUS = 7
BAND_HEIGHT = 14
MIN_BAND_WIDTH = 10  # a two-day meeting stays a visible bar, and never looks like a point
MARK_GAP = 6  # between marks (and their numbers) in one row
DIGIT_WIDTH = 7.5  # of the 12 px numbers beside the marks, for packing
LABEL_GAP = 4
MIN_TICK_SPACING = 48  # px between labelled year ticks: "2024" fits with room to spare
QUARTERS_FROM = 128  # px per year from which the quarters are drawn, labelled with their first month
MONTHS_FROM = 360  # px per year from which every month is drawn, labelled
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
MAX_PERIOD_YEARS = 15  # up to this many years the zoom links are years, beyond it decades

POINT, BAND = "point", "band"
YEAR_TICK, MONTH_TICK = "year", "month"


@dataclass(frozen=True)
class Item:
    """One event to draw: `key` is handed back untouched (the event), `lane` names its series ("" for none)."""

    key: Any
    date: EventDate
    lane: str = ""


def percent(fraction: float) -> float:
    """A share of the plot as written into the drawing, in per cent: to 1/10,000 %, a hundredth of a
    pixel on the widest plot."""
    return round(fraction * 100, 4)


@dataclass(frozen=True)
class Scale:
    """Days to shares of the plot: the axis runs over the whole years `first_year`..`last_year`;
    `width` is the plot's narrowest width in px (it may be drawn wider, never narrower)."""

    first_year: int
    last_year: int
    width: float

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.first_year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.last_year, 12, 31)

    @property
    def days(self) -> int:
        return self.last_day.toordinal() + 1 - self.start.toordinal()

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def px_per_year(self) -> float:
        """At the narrowest width."""
        return self.width / self.years

    def at(self, day: datetime.date) -> float:
        """Where `day` begins, as a share of the plot (0 to 1); a day is drawn from there to `after(day)`."""
        return (day.toordinal() - self.start.toordinal()) / self.days

    def after(self, day: datetime.date) -> float:
        """Where `day` ends (counted in ordinals, so 31 December 9999 has an end too)."""
        return (day.toordinal() + 1 - self.start.toordinal()) / self.days


def make_scale(first_year: int, last_year: int) -> Scale:
    """The scale for whole years `first_year`..`last_year`: at least MIN_PX_PER_YEAR a year and MIN_WIDTH
    in all, at most MAX_WIDTH in all (then a year may get less)."""
    years = last_year - first_year + 1
    per_year = min(max(MIN_PX_PER_YEAR, MIN_WIDTH / years), MAX_WIDTH / years)
    return Scale(first_year, last_year, per_year * years)


def rounded(value: float) -> float:
    """A length in px as written into the drawing: to a tenth of a pixel, which no screen shows."""
    return round(value, 1)


@dataclass(frozen=True)
class Tick:
    """A line across the drawing at the start of a year or month, with its label."""

    x: float  # per cent of the plot
    kind: str  # YEAR_TICK, MONTH_TICK
    label: str  # "" for an unlabelled tick
    wide: bool = False  # drawn only in a box at least WIDE_BOX px wide (a phone has no room for it)

    @property
    def label_dx(self) -> int:
        """The label stands this far right of its line, in px."""
        return LABEL_GAP

    @property
    def label_y(self) -> int:
        return YEAR_LABEL_Y if self.kind == YEAR_TICK else MONTH_LABEL_Y

    @property
    def top(self) -> int:
        """Year lines run through the labels' row, months start below the years."""
        return 4 if self.kind == YEAR_TICK else MINOR_TICK_TOP


def year_step(px_per_year: float) -> int:
    """Every how many years a year is labelled, so labels stay MIN_TICK_SPACING apart."""
    return next((step for step in YEAR_STEPS if step * px_per_year >= MIN_TICK_SPACING), YEAR_STEPS[-1])


def months_drawn(px_per_year: float) -> tuple[int, ...]:
    """The months (2 to 12) whose first day a year this wide gets a labelled tick for: every
    month, the quarters' first months, or none."""
    if px_per_year >= MONTHS_FROM:
        return tuple(range(2, 13))
    if px_per_year >= QUARTERS_FROM:
        return (4, 7, 10)
    return ()


def ticks(scale: Scale, language: str) -> list[Tick]:
    """The axis' ticks, left to right: each year's 1 January, labelled every `year_step` years
    (unless too close to the label closing the axis), and the axis' end, labelled with the year
    that begins there; when a year is wide enough, the first days of its quarters or of all its
    months, labelled with the month's first three letters in `language`. Those only a plot
    WIDE_WIDTH px wide has room for are `wide`."""
    step = year_step(scale.px_per_year)
    names = MONTH_NAMES[language]
    always = months_drawn(scale.px_per_year)
    in_wide_box = months_drawn(scale.px_per_year * max(1.0, WIDE_WIDTH / scale.width))
    end = scale.last_year + 1
    result: list[Tick] = []
    for year in range(scale.first_year, end):
        labelled = year % step == 0 and (end - year) * scale.px_per_year >= MIN_TICK_SPACING
        if not labelled and scale.px_per_year < 8:
            continue  # years a few pixels apart: only the labelled ones get a line
        label = year_text(year) if labelled else ""
        result.append(Tick(percent(scale.at(datetime.date(year, 1, 1))), YEAR_TICK, label))
        result.extend(
            Tick(
                percent(scale.at(datetime.date(year, month, 1))),
                MONTH_TICK,
                names[month - 1][:3],
                wide=month not in always,
            )
            for month in in_wide_box
        )
    # The end of 31 December of the last year, where the next year begins: labelled with that year
    # like every other year's line, so no line of the axis is left without its year. The label
    # stands in the right margin.
    result.append(Tick(percent(1.0), YEAR_TICK, year_text(end) if end <= LAST_YEAR else ""))
    return result


def pack(extents: Sequence[tuple[float, float]], gap: float = MARK_GAP) -> list[int]:
    """The row of each extent (start, end), given in order of start: the first row whose last extent
    ends at least `gap` before it starts, else a new row. For intervals taken by start this greedy
    rule needs no more rows than the most extents overlapping at one place."""
    row_ends: list[float] = []
    rows = []
    for start, end in extents:
        row = next((index for index, row_end in enumerate(row_ends) if row_end + gap <= start), len(row_ends))
        if row == len(row_ends):
            row_ends.append(end)
        else:
            row_ends[row] = end
        rows.append(row)
    return rows


@dataclass
class Mark:
    """One event's mark, in row `y` (its middle): a point at `middle`, or a band from `start` to
    `end` (per cent of the plot), with its number beside it."""

    key: Any
    number: int  # 1, 2, …: earliest first; the list below the drawing is numbered alike
    lane: str
    shape: str  # POINT or BAND
    soft: bool  # approximate or uncertain: drawn with a soft, dashed edge
    start: float  # per cent of the plot: where the mark's first day begins
    end: float  # and where its last day ends
    # A band narrower than MIN_BAND_WIDTH px on the narrowest plot is drawn over at least that many
    # px, centred on its days, wherever it would otherwise be narrower (`floor_*`).
    floor: bool
    number_dx: float  # px right of `number_x` where the number starts
    extent: tuple[float, float]  # px taken up on the narrowest plot, its number included (for packing)
    y: float = 0.0

    @property
    def middle(self) -> float:
        return round((self.start + self.end) / 2, 4)

    @property
    def width(self) -> float:
        return round(self.end - self.start, 4)

    @property
    def radius(self) -> int:
        return POINT_RADIUS

    @property
    def floor_width(self) -> int:
        return MIN_BAND_WIDTH

    @property
    def floor_dx(self) -> float:
        return -MIN_BAND_WIDTH / 2

    @property
    def top(self) -> float:
        return self.y - BAND_HEIGHT / 2

    @property
    def height(self) -> int:
        return BAND_HEIGHT

    @property
    def number_x(self) -> float:
        return self.middle if self.shape == POINT else self.end

    @property
    def label_y(self) -> float:
        return self.y + 4  # the baseline that centres 12 px digits on the row


@dataclass
class Group:
    """The lanes of one series (or of the events outside any series), stacked from `y`."""

    name: str  # the series' name; "" for the events outside any series
    label: str  # what the lane is labelled: the series' name, or the caller's words for no series
    y: float = 0.0
    rows: int = 1
    marks: list[Mark] = field(default_factory=list)

    @property
    def height(self) -> float:
        return GROUP_HEADER + self.rows * ROW_HEIGHT

    @property
    def label_y(self) -> float:
        return self.y + GROUP_HEADER - 8


@dataclass
class Drawing:
    """Everything the template draws: the axis' ticks, the lanes and their marks, the today line."""

    scale: Scale
    height: float
    ticks: list[Tick]
    groups: list[Group]
    marks: list[Mark]  # earliest first, numbered so
    today_x: float | None  # per cent of the plot

    @property
    def width(self) -> float:
        """The plot's narrowest width, px."""
        return rounded(self.scale.width)

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return RIGHT

    @property
    def min_width(self) -> float:
        """The narrowest the drawing gets, px, with its margins: a narrower box scrolls."""
        return rounded(LEFT + self.scale.width + RIGHT)

    @property
    def fits_a_phone(self) -> bool:
        """Whether the drawing is at its narrowest, which fits a phone's screen."""
        return self.scale.width <= MIN_WIDTH

    @property
    def fits_a_desktop(self) -> bool:
        """Whether a box WIDE_BOX px wide, the results column on a desktop, holds the whole drawing."""
        return self.min_width <= WIDE_BOX

    @property
    def print_zoom(self) -> int:
        """How large the drawing is printed, in per cent, in steps of 5: as large as fits PRINT_WIDTH
        (CSS cannot divide a page's width by the drawing's, so the steps are classes in site.css)."""
        if self.min_width <= PRINT_WIDTH:
            return 100
        return max(5, int(PRINT_WIDTH / self.min_width * 20) * 5)

    @property
    def today_line_end(self) -> float:
        return self.height - BOTTOM + 8

    @property
    def today_label_y(self) -> float:
        return self.height - 6

    @property
    def first_year(self) -> str:
        return year_text(self.scale.first_year)

    @property
    def last_year(self) -> str:
        return year_text(self.scale.last_year)


def axis_years(
    items: Sequence[Item], period: tuple[datetime.date | None, datetime.date | None] = (None, None)
) -> tuple[int, int]:
    """The whole years the axis covers: those of the items' days, within `period` (the days of the
    `from` and `to` filters, None where not given). `items` must not be empty."""
    first = min(item.date.bounds()[0] for item in items)
    last = max(item.date.bounds()[1] for item in items)
    if period[0] is not None:
        first = max(first, period[0])
    if period[1] is not None:
        last = min(last, period[1])
    return first.year, max(first.year, last.year)


def place(item: Item, scale: Scale, number: int) -> Mark:
    """`item`'s mark on `scale`, its days clipped to the axis (a `to` filter may cut a long date)."""
    first, last = item.date.bounds()
    start, end = scale.at(max(first, scale.start)), scale.after(min(last, scale.last_day))
    # On the narrowest plot, in px: what the mark takes up, and where its number goes.
    left, right = start * scale.width, end * scale.width
    middle = (left + right) / 2
    if first == last:
        shape, floor = POINT, False
        left, number_dx = middle - POINT_RADIUS, POINT_RADIUS + LABEL_GAP
        number_x = middle + number_dx
    else:
        shape, floor = BAND, right - left < MIN_BAND_WIDTH
        if floor:
            left = middle - MIN_BAND_WIDTH / 2
        number_x = max(right, middle + MIN_BAND_WIDTH / 2) + LABEL_GAP
        number_dx = number_x - right
    return Mark(
        key=item.key,
        number=number,
        lane=item.lane,
        shape=shape,
        soft=item.date.is_approximate,
        start=percent(start),
        end=percent(end),
        floor=floor,
        number_dx=rounded(number_dx),
        extent=(left, number_x + len(str(number)) * DIGIT_WIDTH),
    )


def layout(
    items: Sequence[Item],
    *,
    today: datetime.date,
    language: str,
    no_series: str = "",
    period: tuple[datetime.date | None, datetime.date | None] = (None, None),
) -> Drawing | None:
    """The drawing of `items` (None for none): the axis over their whole years within `period`, a
    group of lanes per series (ordered by their earliest event) and one for the events outside any
    series (last, labelled `no_series`), marks numbered earliest first (ties: shorter first, then as
    given)."""
    if not items:
        return None
    scale = make_scale(*axis_years(items, period))
    ordered = sorted(items, key=lambda item: item.date.bounds())  # stable: ties keep the caller's order
    marks = [place(item, scale, number) for number, item in enumerate(ordered, start=1)]

    groups: dict[str, Group] = {}
    for mark in marks:
        groups.setdefault(mark.lane, Group(mark.lane, mark.lane or no_series)).marks.append(mark)
    order = sorted(groups.values(), key=lambda group: (group.name == "", min(mark.start for mark in group.marks)))
    y = AXIS_HEIGHT
    for group in order:
        in_rows = sorted(group.marks, key=lambda mark: mark.extent)
        rows = pack([mark.extent for mark in in_rows])
        group.y, group.rows = y, max(rows) + 1
        for mark, row in zip(in_rows, rows, strict=True):
            mark.y = y + GROUP_HEADER + row * ROW_HEIGHT + ROW_HEIGHT / 2
        y += group.height

    today_x = None
    if scale.start <= today <= scale.last_day:
        today_x = percent((scale.at(today) + scale.after(today)) / 2)
    return Drawing(
        scale=scale,
        height=y + BOTTOM,
        ticks=ticks(scale, language),
        groups=order,
        marks=marks,
        today_x=today_x,
    )


@dataclass(frozen=True)
class Period:
    """A period to zoom to: its label and the values of `from` and `to` that select it."""

    label: str
    start: str
    end: str


def periods(items: Sequence[Item], first_year: int, last_year: int) -> list[Period]:
    """The years (up to MAX_PERIOD_YEARS on the axis) or decades from `first_year` to `last_year`
    that hold an item's days, to zoom to; none when the axis is one year already."""
    if first_year == last_year:
        return []
    years: set[int] = set()
    for item in items:
        first, last = item.date.bounds()
        years.update(range(max(first.year, first_year), min(last.year, last_year) + 1))
    if last_year - first_year + 1 <= MAX_PERIOD_YEARS:
        return [Period(year_text(year), year_text(year), year_text(year)) for year in sorted(years)]
    decades = sorted({year - year % 10 for year in years})
    return [
        Period(f"{year_text(first)}–{year_text(last)}", year_text(first), year_text(last))
        for first, last in ((max(decade, FIRST_YEAR), min(decade + 9, LAST_YEAR)) for decade in decades)
    ]
