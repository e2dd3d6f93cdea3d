"""Imprecise event dates: parse what editors type, store EDTF, derive bounds, show them honestly.

An event's date is stored as an EDTF string (Library of Congress Extended Date/Time Format), the
subset a press office needs: a day, a month, a season (``2024-21``), a quarter (``2024-36``), a
half-year (``2024-41``) or a year, optionally approximate (``~``), uncertain (``?``) or both (``%``),
and closed intervals of those (``2025-06-26/2025-06-27``). Editors may instead type the usual
German and English forms ("26. Juni 2025", "Ende 2024", "Q4 2024", "Frühjahr 2024", "KW 12 2025",
"2024/25", "ca. 2024"); they are normalised to EDTF here, so that the admin, the API, importers and
the public filters share one parser and one set of error messages (docs/dates.md).

The ``edtf`` package is the final judge of validity and computes the bounds used for sorting and
range filters; this module only adds the human forms and clear messages on top of it.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException

DAY, MONTH, SEASON, QUARTER, HALF, YEAR = "day", "month", "season", "quarter", "half", "year"
PRECISION_CHOICES = [
    (DAY, _("day")),
    (MONTH, _("month")),
    (SEASON, _("season")),
    (QUARTER, _("quarter")),
    (HALF, _("half-year")),
    (YEAR, _("year")),
]

# EDTF level 2 "sub-year groupings" that we support: 33-36 are quarters, 40-41 halves.
QUARTER_CODES = {33: 1, 34: 2, 35: 3, 36: 4}
HALF_CODES = {40: 1, 41: 2}
# EDTF level 1 seasons, 21-24: spring, summer, autumn, winter (numbered 1-4 here).
SEASON_CODES = {21: 1, 22: 2, 23: 3, 24: 4}
WINTER = 4
# Meteorological seasons (as the Deutscher Wetterdienst counts them): the first and last month.
# Winter begins in December of its year and ends with February of the next: "Winter 2024" is
# December 2024 to February 2025, shown as "Winter 2024/25" so nobody reads it as January 2024.
# The edtf package agrees on spring to autumn but ends winter on 31 December "for simplicity"
# (edtf.appsettings.SEASON_MONTHS_RANGE); that would hide a winter event from a January filter,
# so for winter alone our bounds are wider than its (see _edtf_package_bounds).
SEASON_MONTHS = {1: (3, 5), 2: (6, 8), 3: (9, 11), 4: (12, 2)}
SEASON_NAMES = {
    "de": ["Frühjahr", "Sommer", "Herbst", "Winter"],
    "en": ["Spring", "Summer", "Autumn", "Winter"],
}
SEASON_WORDS = {
    "frühjahr": 1, "frühling": 1, "fruehjahr": 1, "fruehling": 1, "spring": 1,
    "sommer": 2, "summer": 2,
    "herbst": 3, "autumn": 3, "fall": 3,
    "winter": 4,
}  # fmt: skip
SEASON_PATTERN = "|".join(sorted(SEASON_WORDS, key=len, reverse=True))

MONTH_NAMES = {
    "de": [
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}  # fmt: skip

# Every spelling an editor may type for a month, lower-cased, without a trailing dot.
MONTH_WORDS: dict[str, int] = {}
for _names in MONTH_NAMES.values():
    for _number, _name in enumerate(_names, start=1):
        MONTH_WORDS[_name.lower()] = _number
        MONTH_WORDS[_name.lower()[:3]] = _number
MONTH_WORDS.update({"mrz": 3, "maerz": 3, "sept": 9, "okt": 10, "dez": 12, "jänner": 1, "jän": 1, "feber": 2})
MONTH_PATTERN = "|".join(sorted((re.escape(w) for w in MONTH_WORDS), key=len, reverse=True))

# The years a date may touch: those of Python's datetime.date and Django's DateField, in which the
# bounds are stored. EDTF knows more (year 0 is 1 BC), but a date whose days cannot be stored
# cannot be filtered or sorted, so it is refused where it is built (_check_years).
FIRST_YEAR, LAST_YEAR = datetime.MINYEAR, datetime.MAXYEAR

# Shown in refusals, in the reader's language: English examples must not be German dates.
EXAMPLES = _("26 June 2025, March 2023, Q4 2024, late 2024, spring 2024, week 12 2025, 2024/25, c. 2024, 2024-36")


@dataclass(frozen=True)
class DatePoint:
    """One end of an event date: a day, month, quarter, half-year or year, maybe qualified."""

    year: int
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    half: int | None = None
    season: int | None = None  # 1-4: spring, summer, autumn, winter
    approximate: bool = False
    uncertain: bool = False

    def __post_init__(self):
        """Refuse a point whose days do not exist or fall outside the supported years.

        Every point, whether typed, read from storage or derived (a season as its months), is built
        here, so no date with days beyond FIRST_YEAR..LAST_YEAR, month 13 or 30 February exists.
        """
        last_year = self.year + 1 if self.season == WINTER else self.year  # a winter ends in February
        _check_years(self.year, last_year, self._winter_as_typed)
        if self.month is not None and not 1 <= self.month <= 12:
            raise _invalid(_("There is no month %(month)s; months run from 1 to 12."), "month_range", month=self.month)
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise _invalid(
                    _("%(month_year)s has no day %(day)s; it has %(last)s days."),
                    "day_range",
                    month_year=DatePoint(self.year, self.month).display(display_language()),
                    day=self.day,
                    last=last,
                )
        if (self.approximate or self.uncertain) and self.precision in (SEASON, QUARTER, HALF):
            # EDTF (and the edtf package) allow no qualifier on them.
            raise _invalid(
                _("A season, quarter or half-year cannot be marked approximate or uncertain; "
                  "mark the year instead (%(example)s) or leave out the mark."),
                "qualified_season",
                example=DatePoint(self.year, approximate=True).display(display_language()),
            )  # fmt: skip

    def _winter_as_typed(self) -> str:
        """The winter as the editor typed it, for a refusal: "Winter 9999", not "Winter 9999/00"."""
        return f"{SEASON_NAMES[display_language()][WINTER - 1]} {year_text(self.year)}"

    @property
    def precision(self) -> str:
        """How precisely this point is known."""
        if self.day is not None:
            return DAY
        if self.month is not None:
            return MONTH
        if self.season is not None:
            return SEASON
        if self.quarter is not None:
            return QUARTER
        if self.half is not None:
            return HALF
        return YEAR

    @property
    def edtf(self) -> str:
        """This point in EDTF notation."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        elif self.season is not None:
            text += f"-{self.season + 20}"
        elif self.quarter is not None:
            text += f"-{self.quarter + 32}"
        elif self.half is not None:
            text += f"-{self.half + 39}"
        if self.approximate and self.uncertain:
            text += "%"
        elif self.approximate:
            text += "~"
        elif self.uncertain:
            text += "?"
        return text

    def first_day(self) -> datetime.date:
        """The earliest day this point may mean."""
        if self.month is not None:
            return datetime.date(self.year, self.month, self.day or 1)
        if self.season is not None:
            return datetime.date(self.year, SEASON_MONTHS[self.season][0], 1)
        if self.quarter is not None:
            return datetime.date(self.year, 3 * self.quarter - 2, 1)
        if self.half is not None:
            return datetime.date(self.year, 6 * self.half - 5, 1)
        return datetime.date(self.year, 1, 1)

    def last_day(self) -> datetime.date:
        """The latest day this point may mean."""
        if self.day is not None:
            return datetime.date(self.year, self.month, self.day)
        if self.season is not None:
            return self.as_interval_end(start=False).last_day()
        if self.month is not None:
            last_month = self.month
        elif self.quarter is not None:
            last_month = 3 * self.quarter
        elif self.half is not None:
            last_month = 6 * self.half
        else:
            last_month = 12
        return datetime.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def html_datetime(self) -> str:
        """The most precise value an HTML <time> element can hold without inventing precision."""
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day is not None else "")
        return f"{self.year:04d}"

    def as_interval_end(self, *, start: bool) -> DatePoint:
        """Seasons, quarters and halves expressed as months, which EDTF intervals accept."""
        if self.season is not None:
            first, last = SEASON_MONTHS[self.season]
            year = self.year + 1 if not start and last < first else self.year  # winter ends next year
            return replace(self, season=None, year=year, month=first if start else last)
        if self.quarter is not None:
            month = 3 * self.quarter - 2 if start else 3 * self.quarter
        elif self.half is not None:
            month = 6 * self.half - 5 if start else 6 * self.half
        else:
            return self
        return replace(self, quarter=None, half=None, month=month)

    def display(self, language: str) -> str:
        """This point as a reader would write it, in German or English."""
        months, year = MONTH_NAMES[language], year_text(self.year)
        if self.day is not None:
            month = months[self.month - 1]
            text = f"{self.day}. {month} {year}" if language == "de" else f"{self.day} {month} {year}"
        elif self.month is not None:
            text = f"{months[self.month - 1]} {year}"
        elif self.season is not None:
            text = f"{SEASON_NAMES[language][self.season - 1]} {year}"
            if self.season == WINTER:
                text += f"/{(self.year + 1) % 100:02d}"
        elif self.quarter is not None:
            text = f"{self.quarter}. Quartal {year}" if language == "de" else f"Q{self.quarter} {year}"
        elif self.half is not None:
            if language == "de":
                text = f"{self.half}. Halbjahr {year}"
            else:
                text = f"{'first' if self.half == 1 else 'second'} half of {year}"
        else:
            text = year
        if self.approximate:
            text = ("ca. " if language == "de" else "c. ") + text
        if self.uncertain:
            text += " (unsicher)" if language == "de" else " (uncertain)"
        return text


@dataclass(frozen=True)
class EventDate:
    """A whole event date: one point, or a closed interval of two."""

    start: DatePoint
    end: DatePoint | None = None

    def __post_init__(self):
        """Refuse an interval that ends before it starts (its points have checked their years)."""
        if self.end is not None and self.end.first_day() < self.start.first_day():
            raise _invalid(
                _("The end of the date range (%(end)s) is before its start (%(start)s)."),
                "end_before_start",
                start=self.start.display(display_language()),
                end=self.end.display(display_language()),
            )

    @property
    def edtf(self) -> str:
        """The date in EDTF notation: what is stored and what the API exposes."""
        if self.end is None:
            return self.start.edtf
        return f"{self.start.edtf}/{self.end.edtf}"

    @property
    def precision(self) -> str:
        """The precision of the (start) date."""
        return self.start.precision

    @property
    def is_approximate(self) -> bool:
        """Whether any end of the date is marked approximate or uncertain."""
        points = [self.start] + ([self.end] if self.end else [])
        return any(p.approximate or p.uncertain for p in points)

    @property
    def is_day_precise(self) -> bool:
        """Whether both ends are known to the day ("26. Juni 2025", "26.–27. Juni 2025", "KW 12
        2025"), so a calendar can show the date as whole days; "KW 12 2025 – April 2025" is not."""
        return self.start.precision == DAY and (self.end is None or self.end.precision == DAY)

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        """The first and last day the date may mean (the edtf package's strict bounds)."""
        return self.start.first_day(), (self.end or self.start).last_day()

    def display(self, language: str | None = None) -> str:
        """The date for readers: "26. Juni 2025", "4. Quartal 2024", "26.–27. Juni 2025"."""
        language = display_language(language)
        start, end = self.start, self.end
        if end is None:
            return start.display(language)
        plain = not self.is_approximate
        if plain and start.precision == end.precision == DAY and start.year == end.year:
            month = MONTH_NAMES[language][end.month - 1]
            if start.month == end.month:
                if language == "de":
                    return f"{start.day}.–{end.day}. {month} {year_text(end.year)}"
                return f"{start.day}–{end.day} {month} {year_text(end.year)}"
            first = MONTH_NAMES[language][start.month - 1]
            if language == "de":
                return f"{start.day}. {first} – {end.day}. {month} {year_text(end.year)}"
            return f"{start.day} {first} – {end.day} {month} {year_text(end.year)}"
        if plain and start.precision == end.precision == MONTH and start.year == end.year:
            names = MONTH_NAMES[language]
            return f"{names[start.month - 1]} – {names[end.month - 1]} {year_text(end.year)}"
        return f"{start.display(language)} – {end.display(language)}"

    def __str__(self) -> str:
        return self.edtf


def year_text(year: int) -> str:
    """A year as it is typed and as EDTF and ISO 8601 write it: with four digits ("0800", "2024")."""
    return f"{year:04d}"


def display_language(language: str | None = None) -> str:
    """German unless English is asked for (explicitly or by the active translation)."""
    return "en" if (language or get_language() or "de").startswith("en") else "de"


# ---------------------------------------------------------------------------------------------
# Parsing


def _invalid(message, error_code: str, **params) -> ValidationError:
    return ValidationError(message, code=error_code, params=params or None)


def _check_years(first: int, last: int, period: Callable[[], str] | None = None) -> None:
    """Refuse a period whose days are not all within FIRST_YEAR..LAST_YEAR; `period` names it.

    The one rule for the years of every date: DatePoint applies it to each point (a winter's days
    reach into the next year) and _iso_week to a week, whose last days may be in the next year.
    """
    if not FIRST_YEAR <= first <= LAST_YEAR:
        raise _invalid(
            _("The year %(year)s is out of range: this service knows the years %(first)s to %(last)s."),
            "year_range",
            year=year_text(first),
            first=year_text(FIRST_YEAR),
            last=year_text(LAST_YEAR),
        )
    if last > LAST_YEAR:
        raise _invalid(
            _("“%(period)s” runs into the year %(next)s, after the last year this service knows (%(last)s)."),
            "year_range_end",
            period=period(),
            next=last,
            last=year_text(LAST_YEAR),
        )


_EDTF_POINT = r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?"
_EDTF_RE = re.compile(rf"^{_EDTF_POINT}(?:/{_EDTF_POINT})?$")
_EDTF_OPEN_RE = re.compile(r"^(\.\.)?/|/(\.\.)?$")


def _edtf_point(year: str, second: str | None, day: str | None, qualifier: str | None) -> DatePoint:
    flags = {"approximate": qualifier in ("~", "%"), "uncertain": qualifier in ("?", "%")}
    if second is not None and day is None and int(second) > 12:
        code = int(second)
        if code in QUARTER_CODES or code in HALF_CODES or code in SEASON_CODES:
            return DatePoint(
                int(year),
                **flags,
                quarter=QUARTER_CODES.get(code),
                half=HALF_CODES.get(code),
                season=SEASON_CODES.get(code),
            )
        if code == (int(year) + 1) % 100:
            # "2024-25" is how a span of two years is often written, but in EDTF it is a code.
            raise _invalid(
                _("“%(value)s” is no date in EDTF (%(code)s is no month); for the years %(year)s and "
                  "%(next)s write %(year)s/%(short)s or %(year)s–%(next)s."),
                "years_with_hyphen",
                value=f"{year}-{second}",
                code=code,
                year=year,
                next=int(year) + 1,
                short=second,
            )  # fmt: skip
        if 21 <= code <= 41:
            raise _invalid(
                _("The EDTF code %(code)s is not supported; use a season (%(year)s-21 to %(year)s-24), "
                  "a quarter (%(year)s-33 to %(year)s-36) or a half-year (%(year)s-40, %(year)s-41)."),
                "unsupported_season",
                code=code,
                year=year,
            )  # fmt: skip
    return DatePoint(int(year), int(second) if second else None, int(day) if day else None, **flags)


def _parse_edtf_text(text: str) -> EventDate | None:
    """Parse the EDTF subset we support, or return None if the text is not EDTF-shaped."""
    if "/" in text and _EDTF_OPEN_RE.search(text):
        raise _invalid(_("Open-ended date ranges are not supported; give both a start and an end."), "open")
    match = _EDTF_RE.match(text)
    if not match:
        return None
    start = _edtf_point(*match.group(1, 2, 3, 4))
    if match.group(5) is None:
        return EventDate(start)
    return _interval(start, _edtf_point(*match.group(5, 6, 7, 8)))


def _interval(start: DatePoint, end: DatePoint) -> EventDate:
    """Join two points into an interval (EventDate refuses one that ends before it starts).

    A range from a period to the same period is that period: "Q4 2024 – Q4 2024" is the quarter,
    not October to December, which is what EDTF intervals (no quarters in them) would make of it.
    """
    if start == end:
        return EventDate(start)
    start, end = start.as_interval_end(start=True), end.as_interval_end(start=False)
    if start == end:
        return EventDate(start)
    return EventDate(start, end)


# Human forms. The text is lower-cased, dashes unified to "–", spaces collapsed before matching.
_APPROX = r"(?:(?P<approx>ca\.?|circa|c\.|um|etwa|ungefähr|ungefaehr|about|around|approx\.?|approximately)\s*)?"
_MONTH = rf"(?P<mname>{MONTH_PATTERN})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_SEASON = rf"(?:im\s+|in\s+(?:the\s+)?)?(?P<season>{SEASON_PATTERN})"
# "Anfang/Mitte/Ende November 2022": EDTF has no part of a month, and a day interval (1-10
# November) would claim the event lasted ten days. The month is what is known for certain, and
# the editor's wording is kept beside it (Event.date_entered); see docs/dates.md.
_MONTH_PART = r"(?P<part>anfang|mitte|ende|early|mid|late|beginning\s+of|middle\s+of|end\s+of)"
_HUMAN_POINTS = [
    r"(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?",
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})",
    rf"(?P<d>\d{{1,2}}){_ORD}\.?\s*(?:of\s+)?{_MONTH}\s*,?\s*(?P<y>\d{{4}})",
    rf"{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})",
    rf"{_MONTH_PART}[\s-]*{_MONTH}\s*(?P<y>\d{{4}})",
    rf"{_MONTH}\s*(?P<y>\d{{4}})",
    r"(?P<m>\d{1,2})[./](?P<y>\d{4})",
    # "Winter 2024/25": a winter runs into the next year, which may be written after it.
    rf"{_SEASON}\s+(?:of\s+)?(?P<y>\d{{4}})(?:\s*[/–-]\s*(?P<y2>\d{{4}}|\d{{2}}))?",
    r"(?P<q>[1-4])\.\s*quartal\s+(?P<y>\d{4})",
    r"q\s*(?P<q>[1-4])\s*[/ ]?\s*(?P<y>\d{4})",
    r"(?P<y>\d{4})\s*[-/ ]?\s*q(?P<q>[1-4])",
    r"(?P<q>[1-4])(?:st|nd|rd|th)\s+quarter\s+(?:of\s+)?(?P<y>\d{4})",
    r"(?P<qword>first|second|third|fourth)\s+quarter\s+(?:of\s+)?(?P<y>\d{4})",
    r"(?P<h>[12])\.\s*halbjahr\s+(?P<y>\d{4})",
    r"(?P<hword>erstes|zweites)\s+halbjahr\s+(?P<y>\d{4})",
    r"h\s*(?P<h>[12])\s*[/ ]?\s*(?P<y>\d{4})",
    r"(?P<hword>first|second|1st|2nd)\s+half\s+(?:of\s+)?(?P<y>\d{4})",
    r"(?P<early>anfang|early|beginning\s+of|start\s+of)\s+(?P<y>\d{4})",
    r"(?P<late>ende|late|end\s+of)\s+(?P<y>\d{4})",
    r"(?:(?:im\s+)?jahre?\s+|in\s+)?(?P<y>\d{4})",
]
_HUMAN_POINT_RES = [re.compile(rf"^{_APPROX}{pattern}(?P<mark>[~?%])?$") for pattern in _HUMAN_POINTS]

# Left sides of a range that borrow the rest from the right side: "26.–27. Juni 2025".
_PARTIAL_LEFT_RES = [
    re.compile(rf"^{_APPROX}(?P<d>\d{{1,2}})\.?$"),
    re.compile(rf"^{_APPROX}(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.?$"),
    re.compile(rf"^{_APPROX}(?P<d>\d{{1,2}}){_ORD}\.?\s*{_MONTH}$"),
    re.compile(rf"^{_APPROX}{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD}$"),
    re.compile(rf"^{_APPROX}{_MONTH}$"),
    re.compile(rf"^{_APPROX}{_SEASON}$"),
]
# "June 26–27, 2025".
_MONTH_DAY_RE = _PARTIAL_LEFT_RES[3]
_PARTIAL_RIGHT_RE = re.compile(rf"^(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})$")

_RANGE_SEPARATOR_RE = re.compile(r"\s*–\s*|\s+-\s+|(?<=\.)-|(?<=\d)-(?=\d{1,2}\b)|\s+(?:bis|to|until)\s+|\s*/\s*")
_WORD_NUMBERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "erstes": 1, "zweites": 2}


def _point_from_match(match: re.Match, year: int | None = None, month: int | None = None) -> DatePoint:
    """Turn one human-form match into a point; year and month may come from the other side."""
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    mark = groups.get("mark")
    flags = {
        "approximate": "approx" in groups or mark in ("~", "%"),
        "uncertain": mark in ("?", "%"),
    }
    year = int(groups["y"]) if "y" in groups else year
    if "mname" in groups:
        month = MONTH_WORDS[groups["mname"]]
    elif "m" in groups:
        month = int(groups["m"])
    day = int(groups["d"]) if "d" in groups else None
    if "season" in groups:
        season = SEASON_WORDS[groups["season"]]
        if "y2" in groups:
            _check_following_year(season, year, groups["y2"])
        return DatePoint(year, **flags, season=season)
    if "q" in groups or "qword" in groups or "early" in groups or "late" in groups:
        if "q" in groups:
            quarter = int(groups["q"])
        elif "qword" in groups:
            quarter = _WORD_NUMBERS[groups["qword"]]
        else:
            quarter = 1 if "early" in groups else 4
        return DatePoint(year, **flags, quarter=quarter)
    if "h" in groups or "hword" in groups:
        half = int(groups["h"]) if "h" in groups else _WORD_NUMBERS[groups["hword"]]
        return DatePoint(year, **flags, half=half)
    if day is not None and month is None:
        raise _invalid(_("Give the month as well as the day."), "incomplete")
    return DatePoint(year, month, day, **flags)


def _check_following_year(season: int, year: int, following: str) -> None:
    """Refuse "Sommer 2024/25" and "Winter 2024/26": only a winter runs into the next year."""
    if season == WINTER and following in (str(year + 1), f"{(year + 1) % 100:02d}"):
        return
    raise _invalid(
        _("Only a winter runs into the next year, and only into the next one; write “%(example)s”."),
        "season_years",
        example=DatePoint(year, season=season).display(display_language()),
    )


def _parse_human_point(text: str) -> DatePoint | None:
    for regex in _HUMAN_POINT_RES:
        match = regex.match(text)
        if match:
            return _point_from_match(match)
    return None


def _parse_human_range(text: str) -> EventDate | None:
    """Parse "26.–27. Juni 2025", "März – April 2023", "June 26–27, 2025", "KW 52 2024 – KW 2 2025"
    and the like: from the first day of the left side to the last day of the right side."""
    for separator in _RANGE_SEPARATOR_RE.finditer(text):
        left, right = text[: separator.start()].strip(), text[separator.end() :].strip()
        if not left or not right:
            continue
        right_week = _match_week(right)
        end = _week(right_week) if right_week else _parse_point_date(right)
        if end is None:
            # The right side is a number and a year, the rest is on the left: "June 26–27, 2025",
            # "KW 12–14 2025".
            day, day_left = _PARTIAL_RIGHT_RE.match(right), _MONTH_DAY_RE.match(left)
            if day and day_left:
                start = _point_from_match(day_left, year=int(day["y"]))
                return _interval(start, _point_from_match(day, month=start.month))
            week, week_left = _WEEK_NUMBER_RE.match(right), _WEEK_ALONE_RE.match(left)
            if week and week_left:
                return _join(_week(week_left, year=week["y"]), _week(week))
            continue
        start = _match_week(left)
        start = _week(start) if start else _parse_point_date(left)
        if start is None and right_week:
            # "KW 12 – KW 14 2025": the week takes the year typed on the right.
            week_left = _WEEK_ALONE_RE.match(left)
            start = _week(week_left, year=right_week["y"]) if week_left else None
        elif start is None and end.end is None:
            # "26.–27. Juni 2025": the day takes month and year from the right.
            for regex in _PARTIAL_LEFT_RES:
                match = regex.match(left)
                if match:
                    start = EventDate(_point_from_match(match, year=end.start.year, month=end.start.month))
                    break
        if start is not None:
            return _join(start, end)
    return None


def _parse_point_date(text: str) -> EventDate | None:
    point = _parse_human_point(text)
    return EventDate(point) if point is not None else None


def _join(start: EventDate, end: EventDate) -> EventDate:
    """The range from the first day of `start` to the last of `end` (either may be a week)."""
    return _interval(start.start, end.end or end.start)


# Calendar weeks (ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday).
_WEEK_WORD = r"(?:kw|kalenderwoche|woche|calendar\s+week|week|wk|cw|w)\.?"
_WEEK_RES = [
    re.compile(rf"^{_WEEK_WORD}\s*(?P<w>\d{{1,2}})(?:\s*[/,.]\s*|\s+of\s+|\s+)(?P<y>\d{{4}}|\d{{2}})$"),
    re.compile(rf"^(?P<y>\d{{4}})\s*,?\s*{_WEEK_WORD}\s*(?P<w>\d{{1,2}})$"),
    re.compile(r"^(?P<y>\d{4})-?w(?P<w>\d{2})(?:-?(?P<wd>[1-7]))?$"),  # 2025-W12, 2025-W12-3
]
# The ends of a range of weeks that leave out the year or the word: "KW 12 – KW 14 2025", "KW 12–14 2025".
_WEEK_ALONE_RE = re.compile(rf"^{_WEEK_WORD}\s*(?P<w>\d{{1,2}})$")
_WEEK_NUMBER_RE = re.compile(r"^(?P<w>\d{1,2})(?:\s*[/,.]\s*|\s+)(?P<y>\d{4}|\d{2})$")
# "2024/25", "2024–25", "2024-2025": a span of years ("2024-25" is an EDTF code, _edtf_point).
_YEARS_RE = re.compile(r"^(?P<y>\d{4})\s*(?:/|–|-)\s*(?P<y2>\d{4}|\d{2})$")


def week_example(week: int, year: int) -> str:
    """A calendar week as an editor types it in the active language: "KW 12 2025", "week 12 2025"."""
    return _("week %(week)s %(year)s") % {"week": week, "year": year_text(year)}


def _match_week(text: str) -> re.Match | None:
    return next((match for regex in _WEEK_RES if (match := regex.match(text))), None)


def _week(match: re.Match, year: str | None = None) -> EventDate:
    """The week (or day of it) a week pattern matched; `year` if the match has none of its own."""
    week, year = int(match["w"]), match.groupdict().get("y") or year
    if len(year) == 2:
        raise _four_digits(week_example(week, _century() + int(year)))
    weekday = match.groupdict().get("wd")
    return _iso_week(int(year), week, int(weekday) if weekday else None)


def _iso_week(year: int, week: int, weekday: int | None = None) -> EventDate:
    """An ISO week as the interval of its days, Monday to Sunday (or one day of it)."""

    def typed() -> str:
        return f"{year_text(year)}-W{week:02d}-{weekday}" if weekday else week_example(week, year)

    _check_years(year, year, typed)  # before the calendar is asked about the year
    weeks = datetime.date(year, 12, 28).isocalendar().week  # 28 December is always in the last week
    if not 1 <= week <= weeks:
        raise _invalid(
            _("%(year)s has no calendar week %(week)s: its weeks run from 1 to %(weeks)s (ISO 8601), "
              "the last is “%(last)s”."),
            "week_range",
            year=year_text(year),
            week=week,
            weeks=weeks,
            last=week_example(weeks, year),
        )  # fmt: skip
    monday = datetime.date.fromisocalendar(year, week, 1)
    offsets = (weekday - 1,) if weekday else (0, 6)
    # A year's last week may end in the next year: for LAST_YEAR, in one that has no days.
    runs_into_next = monday.toordinal() + offsets[-1] > datetime.date(year, 12, 31).toordinal()
    _check_years(year, year + 1 if runs_into_next else year, typed)
    days = [monday + datetime.timedelta(days=offset) for offset in offsets]
    points = [DatePoint(day.year, day.month, day.day) for day in days]
    return EventDate(points[0]) if len(points) == 1 else _interval(*points)


def _parse_week_or_years(text: str) -> EventDate | None:
    """Parse "KW 12 2025", "2025-W12" (a week of days) and "2024/25" (a span of years)."""
    match = _match_week(text)
    if match:
        return _week(match)
    match = _YEARS_RE.match(text)
    if match:
        first, second = int(match["y"]), match["y2"]
        last = int(second) if len(second) == 4 else first - first % 100 + int(second)
        if len(second) == 2 and last < first and (first + 1) % 100 == int(second):
            last = first + 1  # 2099/00
        return _interval(DatePoint(first), DatePoint(last))
    return None


def _century() -> int:
    return datetime.date.today().year // 100 * 100  # noqa: DTZ011 (a calendar year, not a moment)


def _four_digits(example: str) -> ValidationError:
    return _invalid(_("Write the year with four digits, for example “%(example)s”."), "two_digit_year", example=example)


_INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DASHES_RE = re.compile(r"[‐‑‒–—―−]")


def _tidy(text: str) -> str:
    """The text without invisible characters, with one kind of dash and single spaces."""
    text = unicodedata.normalize("NFC", str(text))
    text = _INVISIBLE_RE.sub("", text)
    text = _DASHES_RE.sub("–", text)
    return " ".join(text.split())


def _normalise_input(text: str) -> str:
    return _tidy(text).lower()


def _refuse_common_mistakes(text: str) -> None:
    """Explain the forms we refuse on purpose instead of answering "not understood"."""
    if re.search(r"\d[t ]\d{1,2}:\d{2}", text):
        raise _invalid(_("Give the date without a time of day."), "time")
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}", text):
        raise _invalid(
            _("“%(value)s” is ambiguous: day and month cannot be told apart. "
              "Write it as DD.MM.YYYY (German order) or YYYY-MM-DD."),
            "ambiguous",
            value=text,
        )  # fmt: skip
    two_digit = re.fullmatch(r"(\d{1,2}\.\d{1,2}\.)(\d{2})", text)
    if two_digit:
        raise _four_digits(f"{two_digit[1]}{_century() + int(two_digit[2])}")


_MID_RE = re.compile(r"\b(?:mitte|mid|middle)\b")
_WEEK_WORD_RE = re.compile(rf"\b{_WEEK_WORD}\s*\d|\b\d{{4}}-?w\d")
_SEASON_WORD_RE = re.compile(rf"\b(?:{SEASON_PATTERN})\b")


def _explain_refusal(text: str, typed: str, *, range_year: int | None = None) -> ValidationError:
    """The most specific message for a date no form matched, saying what to type instead.

    `text` is the normalised input, `typed` the same as the editor wrote it (for quoting);
    `range_year` is given when explaining one end of a range, the year found in the whole.
    """
    whole = range_year is None
    language = display_language()
    found_year = re.search(r"\b\d{4}\b", text)
    year = int(found_year[0]) if found_year else range_year or datetime.date.today().year  # noqa: DTZ011
    if found_year:
        try:
            _check_years(year, year)  # "Mitte 0000": the year is what is wrong, not the words
        except ValidationError as error:
            return error
    else:
        # "Frühjahr", "KW 12", "Anfang November": understood once the year is added.
        suggestion = f"{typed} {year_text(year)}"
        try:
            understood = _parse(_normalise_input(suggestion))
        except ValidationError:
            understood = None
        if understood is not None:
            return _invalid(_("Give the year too, for example “%(example)s”."), "year_missing", example=suggestion)
    if whole:
        # "KW 12 2025 bis Ostern": one end is a date, so the other is what to explain; the hints
        # below would otherwise repeat the end that was typed right.
        unknown = _unknown_end(text)
        if unknown is not None:
            start, end = unknown
            typed_end = typed[start:end] if typed.lower() == text else text[start:end]
            return _explain_refusal(text[start:end], typed_end, range_year=year)
    if _MID_RE.search(text):
        return _invalid(
            _("“%(value)s” has no exact meaning: write a quarter (%(second)s or %(third)s), "
              "a month (%(month)s) or the year (%(year)s)."),
            "mid",
            value=typed,
            second=DatePoint(year, quarter=2).display(language),
            third=DatePoint(year, quarter=3).display(language),
            month=DatePoint(year, 6).display(language),
            year=year_text(year),
        )  # fmt: skip
    if _WEEK_WORD_RE.search(text):
        return _invalid(
            _("Write a calendar week as “%(example)s” or “%(iso)s” (ISO 8601), several weeks as “%(weeks)s”."),
            "week_form",
            example=week_example(12, year),
            iso=f"{year_text(year)}-W12",
            weeks=f"{week_example(12, year)} – {week_example(14, year)}",
        )
    if _SEASON_WORD_RE.search(text):
        winter = min(year, LAST_YEAR - 1)  # the winter of LAST_YEAR runs past it
        return _invalid(
            _("Write a season with its year, for example “%(example)s” or “%(winter)s”."),
            "season_form",
            example=DatePoint(year, season=1).display(language),
            winter=DatePoint(winter, season=WINTER).display(language),
        )
    return _invalid(
        _("“%(value)s” is not a date this service understands. Examples: %(examples)s."),
        "invalid",
        value=typed,
        examples=EXAMPLES,
    )


def _unknown_end(text: str) -> tuple[int, int] | None:
    """Where in `text` the one end of a range that is no date is, if the other end is a date."""
    for separator in _RANGE_SEPARATOR_RE.finditer(text):
        ends = [(0, separator.start()), (separator.end(), len(text))]
        understood = []
        for start, end in ends:
            try:
                understood.append(_parse(text[start:end].strip()) is not None)
            except ValidationError:  # a date, but a wrong one: not this split's message to give
                understood.append(None)
        if set(understood) == {False, True}:
            start, end = ends[understood.index(False)]
            while text[start] == " ":
                start += 1
            return start, len(text[:end].rstrip())
    return None


def _parse(text: str) -> EventDate | None:
    """The date a normalised text means, None if no form matches; ValidationError if it is wrong."""
    result = _parse_edtf_text(text)
    if result is None:
        result = _parse_week_or_years(text)
    if result is None:
        result = _parse_point_date(text) or _parse_human_range(text)
    return result


def parse_event_date(value: str | EventDate, *, check_edtf: bool = True) -> EventDate:
    """Parse EDTF or a German/English human date; raise ValidationError saying what is wrong.

    With `check_edtf`, the edtf package must also accept the result and agree on its bounds.
    Its grammar parser is far slower than ours, so only writes check; reading stored values need not.
    """
    if isinstance(value, EventDate):
        return value
    text = _normalise_input(value or "")
    if not text:
        raise _invalid(_("Enter a date, for example: %(examples)s."), "required", examples=EXAMPLES)
    if len(text) > 100:
        raise _invalid(_("A date cannot be longer than 100 characters."), "too_long")
    _refuse_common_mistakes(text)
    result = _parse(text)
    if result is None:
        raise _explain_refusal(text, _tidy(value)[:100])
    if check_edtf:
        _check_with_edtf_package(result.edtf, _edtf_package_bounds(result, result.bounds()))
    return result


def _edtf_package_bounds(date: EventDate, bounds: tuple[datetime.date, datetime.date]):
    """Our bounds as the edtf package computes them: it ends a winter on 31 December (SEASON_MONTHS)."""
    if date.end is None and date.start.season == WINTER:
        return bounds[0], datetime.date(date.start.year, 12, 31)
    return bounds


@functools.lru_cache(maxsize=4096)
def _check_with_edtf_package(edtf: str, bounds: tuple[datetime.date, datetime.date]) -> None:
    """The edtf package has the last word on what is valid EDTF and what it spans."""
    try:
        parsed = parse_edtf(edtf)
        theirs = struct_time_to_date(parsed.lower_strict()), struct_time_to_date(parsed.upper_strict())
    except (EDTFParseException, ValueError, TypeError) as error:
        raise _invalid(_("“%(value)s” is not valid EDTF (%(error)s)."), "edtf", value=edtf, error=error) from error
    if theirs != bounds:
        raise _invalid(_("“%(value)s” is not valid EDTF (%(error)s)."), "edtf", value=edtf, error=f"bounds {theirs}")


@functools.lru_cache(maxsize=8192)
def stored_event_date(edtf: str) -> EventDate:
    """A stored (already validated) EDTF value as a structured date, for display."""
    return parse_event_date(edtf, check_edtf=False)


def date_as_entered(given: str, edtf: str, kept: str = "") -> str:
    """The editor's wording worth keeping beside the stored EDTF ("KW 12 2025"), or "".

    `given` is what was just written into the date, `edtf` what it was stored as, `kept` the
    wording kept so far: it stays while it still means `edtf`, so that a save which passes the
    date on as EDTF (an API PATCH, an import of an export) does not lose it.
    """
    wording = " ".join(_INVISIBLE_RE.sub("", unicodedata.normalize("NFC", str(given))).split())[:100]
    if wording and wording != edtf:
        return wording
    return kept if kept and means_date(kept, edtf) else ""


def means_date(wording: str, edtf: str) -> bool:
    """Whether `wording` is understood as the date `edtf` (False if it is not understood at all)."""
    try:
        return parse_event_date(wording, check_edtf=False).edtf == edtf
    except ValidationError:
        return False
