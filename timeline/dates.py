"""Imprecise event dates: parse what editors type, store EDTF, derive bounds, show them honestly.

An event's date is stored as an EDTF string (Library of Congress Extended Date/Time Format), the
subset a press office needs: a day, a month, a quarter (``2024-36``), a half-year (``2024-41``) or
a year, optionally approximate (``~``), uncertain (``?``) or both (``%``), and closed intervals of
those (``2025-06-26/2025-06-27``). Editors may instead type the usual German and English forms
("26. Juni 2025", "Ende 2024", "Q4 2024", "ca. 2024"); they are normalised to EDTF here, so that
the admin, the API and importers share one parser and one set of error messages.

The ``edtf`` package is the final judge of validity and computes the bounds used for sorting and
range filters; this module only adds the human forms and clear messages on top of it.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException

DAY, MONTH, QUARTER, HALF, YEAR = "day", "month", "quarter", "half", "year"
PRECISION_CHOICES = [
    (DAY, _("day")),
    (MONTH, _("month")),
    (QUARTER, _("quarter")),
    (HALF, _("half-year")),
    (YEAR, _("year")),
]

# EDTF level 2 "sub-year groupings" that we support: 33-36 are quarters, 40-41 halves.
QUARTER_CODES = {33: 1, 34: 2, 35: 3, 36: 4}
HALF_CODES = {40: 1, 41: 2}

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

# Shown in refusals, in the reader's language (the German lists the German forms); each example
# is a form this parser accepts (tests/test_language.py).
EXAMPLES = _("2025-06-26, 26 June 2025, March 2023, Q4 2024, late 2024, c. 2024, 2024-36")


@dataclass(frozen=True)
class DatePoint:
    """One end of an event date: a day, month, quarter, half-year or year, maybe qualified."""

    year: int
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    half: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> str:
        """How precisely this point is known."""
        if self.day is not None:
            return DAY
        if self.month is not None:
            return MONTH
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
        if self.quarter is not None:
            return datetime.date(self.year, 3 * self.quarter - 2, 1)
        if self.half is not None:
            return datetime.date(self.year, 6 * self.half - 5, 1)
        return datetime.date(self.year, 1, 1)

    def last_day(self) -> datetime.date:
        """The latest day this point may mean."""
        if self.day is not None:
            return datetime.date(self.year, self.month, self.day)
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
        """Quarters and halves expressed as months, which EDTF intervals accept."""
        if self.quarter is not None:
            month = 3 * self.quarter - 2 if start else 3 * self.quarter
        elif self.half is not None:
            month = 6 * self.half - 5 if start else 6 * self.half
        else:
            return self
        return replace(self, quarter=None, half=None, month=month)

    def display(self, language: str) -> str:
        """This point as a reader would write it, in German or English."""
        months = MONTH_NAMES[language]
        if self.day is not None:
            month = months[self.month - 1]
            text = f"{self.day}. {month} {self.year}" if language == "de" else f"{self.day} {month} {self.year}"
        elif self.month is not None:
            text = f"{months[self.month - 1]} {self.year}"
        elif self.quarter is not None:
            text = f"{self.quarter}. Quartal {self.year}" if language == "de" else f"Q{self.quarter} {self.year}"
        elif self.half is not None:
            if language == "de":
                text = f"{self.half}. Halbjahr {self.year}"
            else:
                text = f"{'first' if self.half == 1 else 'second'} half of {self.year}"
        else:
            text = str(self.year)
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

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        """The first and last day the date may mean (the edtf package's strict bounds)."""
        return self.start.first_day(), (self.end or self.start).last_day()

    def display(self, language: str | None = None) -> str:
        """The date for readers: "26. Juni 2025", "4. Quartal 2024", "26.–27. Juni 2025"."""
        language = _current_language(language)
        start, end = self.start, self.end
        if end is None:
            return start.display(language)
        plain = not self.is_approximate
        if plain and start.precision == end.precision == DAY and start.year == end.year:
            month = MONTH_NAMES[language][end.month - 1]
            if start.month == end.month:
                if language == "de":
                    return f"{start.day}.–{end.day}. {month} {end.year}"
                return f"{start.day}–{end.day} {month} {end.year}"
            first = MONTH_NAMES[language][start.month - 1]
            if language == "de":
                return f"{start.day}. {first} – {end.day}. {month} {end.year}"
            return f"{start.day} {first} – {end.day} {month} {end.year}"
        if plain and start.precision == end.precision == MONTH and start.year == end.year:
            names = MONTH_NAMES[language]
            return f"{names[start.month - 1]} – {names[end.month - 1]} {end.year}"
        return f"{start.display(language)} – {end.display(language)}"

    def __str__(self) -> str:
        return self.edtf


def _current_language(language: str | None = None) -> str:
    """German unless English is asked for (explicitly or by the active translation)."""
    return "en" if (language or get_language() or "de").startswith("en") else "de"


# ---------------------------------------------------------------------------------------------
# Parsing


def _invalid(message, error_code: str, **params) -> ValidationError:
    return ValidationError(message, code=error_code, params=params or None)


def _make_point(year: int, month: int | None = None, day: int | None = None, **flags) -> DatePoint:
    """Build a point, refusing days and months that do not exist with a message that says so."""
    if not 1 <= year <= 9999:
        raise _invalid(_("The year %(year)s is out of range; use four digits."), "year_range", year=year)
    if month is not None and not 1 <= month <= 12:
        raise _invalid(_("There is no month %(month)s; months run from 1 to 12."), "month_range", month=month)
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            month_year = DatePoint(year, month).display(_current_language())
            raise _invalid(
                _("%(month_year)s has no day %(day)s; it has %(last)s days."),
                "day_range",
                month_year=month_year,
                day=day,
                last=last,
            )
    return DatePoint(year=year, month=month, day=day, **flags)


_EDTF_POINT = r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?"
_EDTF_RE = re.compile(rf"^{_EDTF_POINT}(?:/{_EDTF_POINT})?$")
_EDTF_OPEN_RE = re.compile(r"^(\.\.)?/|/(\.\.)?$")


def _edtf_point(year: str, second: str | None, day: str | None, qualifier: str | None) -> DatePoint:
    flags = {"approximate": qualifier in ("~", "%"), "uncertain": qualifier in ("?", "%")}
    if second is not None and day is None and int(second) > 12:
        code = int(second)
        if code in QUARTER_CODES or code in HALF_CODES:
            return _season_point(int(year), flags, quarter=QUARTER_CODES.get(code), half=HALF_CODES.get(code))
        if 21 <= code <= 41:
            raise _invalid(
                _("The EDTF code %(code)s (seasons and other groupings) is not supported; use a "
                  "quarter (%(year)s-33 to %(year)s-36) or a half-year (%(year)s-40, %(year)s-41)."),
                "unsupported_season",
                code=code,
                year=year,
            )  # fmt: skip
    return _make_point(int(year), int(second) if second else None, int(day) if day else None, **flags)


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
    """Join two points into an interval, refusing one that ends before it starts."""
    start, end = start.as_interval_end(start=True), end.as_interval_end(start=False)
    if start == end:
        return EventDate(start)
    if end.first_day() < start.first_day():
        raise _invalid(
            _("The end of the date range (%(end)s) is before its start (%(start)s)."),
            "end_before_start",
            start=start.display(_current_language()),
            end=end.display(_current_language()),
        )
    return EventDate(start, end)


# Human forms. The text is lower-cased, dashes unified to "–", spaces collapsed before matching.
_APPROX = r"(?:(?P<approx>ca\.?|circa|c\.|um|etwa|ungefähr|ungefaehr|about|around|approx\.?|approximately)\s*)?"
_MONTH = rf"(?P<mname>{MONTH_PATTERN})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_HUMAN_POINTS = [
    r"(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?",
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})",
    rf"(?P<d>\d{{1,2}}){_ORD}\.?\s*(?:of\s+)?{_MONTH}\s*,?\s*(?P<y>\d{{4}})",
    rf"{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})",
    rf"{_MONTH}\s*(?P<y>\d{{4}})",
    r"(?P<m>\d{1,2})[./](?P<y>\d{4})",
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
    if "q" in groups or "qword" in groups or "early" in groups or "late" in groups:
        if "q" in groups:
            quarter = int(groups["q"])
        elif "qword" in groups:
            quarter = _WORD_NUMBERS[groups["qword"]]
        else:
            quarter = 1 if "early" in groups else 4
        return _season_point(year, flags, quarter=quarter)
    if "h" in groups or "hword" in groups:
        half = int(groups["h"]) if "h" in groups else _WORD_NUMBERS[groups["hword"]]
        return _season_point(year, flags, half=half)
    if day is not None and month is None:
        raise _invalid(_("Give the month as well as the day."), "incomplete")
    return _make_point(year, month, day, **flags)


def _season_point(year: int, flags: dict, **which: int | None) -> DatePoint:
    """A quarter or half-year; EDTF (and the edtf package) allow no qualifier on them."""
    if flags["approximate"] or flags["uncertain"]:
        raise _invalid(
            _("A quarter or half-year cannot be marked approximate or uncertain; "
              "mark the year instead (c. %(year)s) or leave out the mark."),
            "qualified_season",
            year=year,
        )  # fmt: skip
    return DatePoint(year=year, **which)


def _parse_human_point(text: str) -> DatePoint | None:
    for regex in _HUMAN_POINT_RES:
        match = regex.match(text)
        if match:
            return _point_from_match(match)
    return None


def _parse_human_range(text: str) -> EventDate | None:
    """Parse "26.–27. Juni 2025", "März – April 2023", "June 26–27, 2025" and the like."""
    for separator in _RANGE_SEPARATOR_RE.finditer(text):
        left, right = text[: separator.start()].strip(), text[separator.end() :].strip()
        if not left or not right:
            continue
        end = _parse_human_point(right)
        if end is None:
            partial_right = _PARTIAL_RIGHT_RE.match(right)
            partial_left = _MONTH_DAY_RE.match(left)
            if partial_right and partial_left:
                start = _point_from_match(partial_left, year=int(partial_right["y"]))
                return _interval(start, _point_from_match(partial_right, month=start.month))
            continue
        start = _parse_human_point(left)
        if start is None:
            for regex in _PARTIAL_LEFT_RES:
                match = regex.match(left)
                if match:
                    start = _point_from_match(match, year=end.year, month=end.month)
                    break
        if start is not None:
            return _interval(start, end)
    return None


_INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DASHES_RE = re.compile(r"[‐‑‒–—―−]")


def _normalise_input(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text))
    text = _INVISIBLE_RE.sub("", text)
    text = _DASHES_RE.sub("–", text)
    return " ".join(text.split()).lower()


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
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2}", text):
        raise _invalid(_("Write the year with four digits (e.g. 26.06.2025)."), "two_digit_year")
    if re.search(r"\b(mitte|mid|middle)\b", text):
        raise _invalid(
            _("“Mid-year” has no exact meaning; use a quarter (Q2 2024) or a half-year."),
            "mid",
        )


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
    result = _parse_edtf_text(text)
    if result is None:
        point = _parse_human_point(text)
        result = EventDate(point) if point is not None else _parse_human_range(text)
    if result is None:
        raise _invalid(
            _("“%(value)s” is not a date this service understands. Examples: %(examples)s."),
            "invalid",
            value=str(value).strip()[:100],
            examples=EXAMPLES,
        )
    try:
        bounds = result.bounds()
    except ValueError as error:  # year 0 (EDTF has it; Python's calendar and ours start at 1)
        year = result.start.year if result.start.year < 1 else (result.end or result.start).year
        raise _invalid(_("The year %(year)s is out of range; use four digits."), "year_range", year=year) from error
    if check_edtf:
        _check_with_edtf_package(result.edtf, bounds)
    return result


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
