"""The timeline drawn to scale: where each event's mark goes on a time axis.

Pure layout, no request and no database: `layout()` takes the events' dates (timeline.dates.EventDate)
and lanes and gives coordinates in SVG user units, which are CSS pixels at the drawing's natural
width; templates/timeline/_scale_drawing.html draws them. How each precision is drawn is described
in docs/dates.md ("On the time axis"):

- a date known to the day, one day long, is a point (a circle);
- every other date is a band over all the days it may mean (`EventDate.bounds()`): a range of days,
  a month, a season, a quarter ("Ende 2024" is October to December 2024), a half-year, a year;
- an approximate or uncertain date ("ca. 2023") gets a soft, dashed edge (`Mark.soft`).

Events of a series share the series' lanes; the others share lanes of their own. Within each, marks
are packed greedily into as few rows as keep them apart.
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

MIN_WIDTH = 720  # the narrowest plot: with the margins it fits the results column on a desktop screen
MIN_PX_PER_YEAR = 96  # room a year keeps however many there are (the drawing then scrolls)
MAX_WIDTH = 9600  # beyond this the years get narrower (and fewer labels) instead of the drawing wider
LEFT, RIGHT = 16, 40  # margins; the right one holds the number beside a mark at the very end
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
QUARTERS_FROM = 160  # px per year from which quarter ticks are drawn
MONTHS_FROM = 360  # px per year from which month ticks, labelled, are drawn
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
# A lane's label repeats along the lane, this far beyond its own end, so that a reader scrolling
# sideways on a 360 px phone always sees (part of) it; LABEL_CHAR_WIDTH estimates the 12 px bold text.
LABEL_SPACING, LABEL_CHAR_WIDTH = 120, 7.2
MAX_PERIOD_YEARS = 15  # up to this many years the zoom links are years, beyond it decades

POINT, BAND = "point", "band"
YEAR_TICK, QUARTER_TICK, MONTH_TICK = "year", "quarter", "month"


@dataclass(frozen=True)
class Item:
    """One event to draw: `key` is handed back untouched (the event), `lane` names its series ("" for none)."""

    key: Any
    date: EventDate
    lane: str = ""


@dataclass(frozen=True)
class Scale:
    """Days to x: the axis runs over the whole years `first_year`..`last_year`, `width` px long."""

    first_year: int
    last_year: int
    width: float  # of the plot, between the margins

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
    def px_per_year(self) -> float:
        return self.width / (self.last_year - self.first_year + 1)

    def x(self, day: datetime.date) -> float:
        """Where `day` begins: a day is drawn from its start to the next day's (`x_after`)."""
        return LEFT + (day.toordinal() - self.start.toordinal()) * self.width / self.days

    def x_after(self, day: datetime.date) -> float:
        """Where `day` ends (counted in ordinals, so 31 December 9999 has an end too)."""
        return LEFT + (day.toordinal() + 1 - self.start.toordinal()) * self.width / self.days


def make_scale(first_year: int, last_year: int) -> Scale:
    """The scale for whole years `first_year`..`last_year`: at least MIN_PX_PER_YEAR a year and MIN_WIDTH
    in all, at most MAX_WIDTH in all (then a year may get less)."""
    years = last_year - first_year + 1
    per_year = min(max(MIN_PX_PER_YEAR, MIN_WIDTH / years), MAX_WIDTH / years)
    return Scale(first_year, last_year, per_year * years)


def rounded(value: float) -> float:
    """A coordinate as written into the drawing: to a tenth of a pixel, which no screen shows."""
    return round(value, 1)


@dataclass(frozen=True)
class Tick:
    x: float
    kind: str  # YEAR_TICK, QUARTER_TICK, MONTH_TICK
    label: str  # "" for an unlabelled tick

    @property
    def label_x(self) -> float:
        return rounded(self.x + LABEL_GAP)

    @property
    def label_y(self) -> int:
        return YEAR_LABEL_Y if self.kind == YEAR_TICK else MONTH_LABEL_Y

    @property
    def top(self) -> int:
        """Year lines run through the labels' row, months and quarters start below the years."""
        return 4 if self.kind == YEAR_TICK else MINOR_TICK_TOP


def year_step(px_per_year: float) -> int:
    """Every how many years a year is labelled, so labels stay MIN_TICK_SPACING apart."""
    return next((step for step in YEAR_STEPS if step * px_per_year >= MIN_TICK_SPACING), YEAR_STEPS[-1])


def ticks(scale: Scale, language: str) -> list[Tick]:
    """The axis' ticks, left to right: each year's 1 January (labelled every `year_step` years) and
    an unlabelled one closing the axis; when a year is wide enough, its quarters (unlabelled) or its
    months (labelled with the month's first three letters in `language`)."""
    step = year_step(scale.px_per_year)
    names = MONTH_NAMES[language]
    result: list[Tick] = []
    for year in range(scale.first_year, scale.last_year + 1):
        labelled = year % step == 0
        if not labelled and scale.px_per_year < 8:
            continue  # years a few pixels apart: only the labelled ones get a line
        result.append(Tick(rounded(scale.x(datetime.date(year, 1, 1))), YEAR_TICK, year_text(year) if labelled else ""))
        if scale.px_per_year >= MONTHS_FROM:
            months = [(month, MONTH_TICK, names[month - 1][:3]) for month in range(2, 13)]
        elif scale.px_per_year >= QUARTERS_FROM:
            months = [(month, QUARTER_TICK, "") for month in (4, 7, 10)]
        else:
            months = []
        result.extend(
            Tick(rounded(scale.x(datetime.date(year, month, 1))), kind, label) for month, kind, label in months
        )
    result.append(Tick(rounded(scale.x_after(scale.last_day)), YEAR_TICK, ""))
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
    """One event's mark: a point at `cx`, or a band from `x` over `width`, in row `y` (its middle)."""

    key: Any
    number: int  # 1, 2, …: earliest first; the list below the drawing is numbered alike
    lane: str
    shape: str  # POINT or BAND
    soft: bool  # approximate or uncertain: drawn with a soft, dashed edge
    x: float  # band: left end; point: cx - radius
    width: float  # band: length; point: the diameter
    y: float = 0.0

    @property
    def cx(self) -> float:
        return rounded(self.x + self.width / 2)

    @property
    def radius(self) -> float:
        return POINT_RADIUS

    @property
    def top(self) -> float:
        return self.y - BAND_HEIGHT / 2

    @property
    def height(self) -> float:
        return BAND_HEIGHT

    @property
    def label_x(self) -> float:
        return rounded(self.x + self.width + LABEL_GAP)

    @property
    def label_y(self) -> float:
        return self.y + 4  # the baseline that centres 12 px digits on the row

    @property
    def extent(self) -> tuple[float, float]:
        """What the mark takes up in its row, its number included."""
        return self.x, self.label_x + len(str(self.number)) * DIGIT_WIDTH


@dataclass
class Group:
    """The lanes of one series (or of the events outside any series), stacked from `y`."""

    name: str  # the series' name; "" for the events outside any series
    label: str  # what the lane is labelled: the series' name, or the caller's words for no series
    y: float = 0.0
    rows: int = 1
    marks: list[Mark] = field(default_factory=list)
    label_xs: list[float] = field(default_factory=list)  # the label and its repeats along the lane

    @property
    def height(self) -> float:
        return GROUP_HEADER + self.rows * ROW_HEIGHT

    @property
    def label_y(self) -> float:
        return self.y + GROUP_HEADER - 8


@dataclass
class Drawing:
    width: float
    height: float
    scale: Scale
    ticks: list[Tick]
    groups: list[Group]
    marks: list[Mark]  # earliest first, numbered so
    today_x: float | None

    @property
    def fits_a_desktop(self) -> bool:
        """Whether the drawing is at its narrowest, which fits the page's results column on a desktop."""
        return self.width <= LEFT + MIN_WIDTH + RIGHT

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
    x1, x2 = scale.x(max(first, scale.start)), scale.x_after(min(last, scale.last_day))
    soft = item.date.is_approximate
    if first == last:
        diameter = 2 * POINT_RADIUS
        return Mark(item.key, number, item.lane, POINT, soft, rounded((x1 + x2 - diameter) / 2), diameter)
    if x2 - x1 < MIN_BAND_WIDTH:
        middle = (x1 + x2) / 2
        x1, x2 = middle - MIN_BAND_WIDTH / 2, middle + MIN_BAND_WIDTH / 2
    return Mark(item.key, number, item.lane, BAND, soft, rounded(x1), rounded(x2 - x1))


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
    order = sorted(groups.values(), key=lambda group: (group.name == "", min(mark.x for mark in group.marks)))
    width = rounded(LEFT + scale.width + RIGHT)
    y = AXIS_HEIGHT
    for group in order:
        in_rows = sorted(group.marks, key=lambda mark: mark.extent)
        rows = pack([mark.extent for mark in in_rows])
        group.y, group.rows = y, max(rows) + 1
        for mark, row in zip(in_rows, rows, strict=True):
            mark.y = y + GROUP_HEADER + row * ROW_HEIGHT + ROW_HEIGHT / 2
        repeat = max(360 - LABEL_SPACING, len(group.label) * LABEL_CHAR_WIDTH) + LABEL_SPACING
        group.label_xs = [rounded(LEFT + offset * repeat) for offset in range(max(1, int((width - LEFT) // repeat)))]
        y += group.height

    today_x = None
    if scale.start <= today <= scale.last_day:
        today_x = rounded((scale.x(today) + scale.x_after(today)) / 2)
    return Drawing(
        width=width,
        height=y + BOTTOM,
        scale=scale,
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
