"""Imprecise dates: every accepted form, every refusal, and sorting and filtering by bounds."""

import datetime
import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.timeline.test_admin import ADD_URL, add_form
from tests.timeline.test_timeline import parse
from tests.timeline.test_workflow import CHANGE, change_form_data, with_colleague
from timeline.dates import parse_event_date
from timeline.importing import Record, export_records, import_records
from timeline.models import Event

D = datetime.date

ACCEPTED = [
    # (typed, EDTF stored, first day, last day, German display, English display)
    ("2025-06-26", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    ("2023-03", "2023-03", D(2023, 3, 1), D(2023, 3, 31), "März 2023", "March 2023"),
    ("2024", "2024", D(2024, 1, 1), D(2024, 12, 31), "2024", "2024"),
    ("2024-36", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("2024-41", "2024-41", D(2024, 7, 1), D(2024, 12, 31), "2. Halbjahr 2024", "second half of 2024"),
    ("2024-12~", "2024-12~", D(2024, 12, 1), D(2024, 12, 31), "ca. Dezember 2024", "c. December 2024"),
    ("2024?", "2024?", D(2024, 1, 1), D(2024, 12, 31), "2024 (unsicher)", "2024 (uncertain)"),
    (
        "2025-06-26/2025-06-27",
        "2025-06-26/2025-06-27",
        D(2025, 6, 26),
        D(2025, 6, 27),
        "26.–27. Juni 2025",
        "26–27 June 2025",
    ),
    ("26.06.2025", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    ("26. Juni 2025", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    ("26 June 2025", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    ("June 26, 2025", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    ("März 2023", "2023-03", D(2023, 3, 1), D(2023, 3, 31), "März 2023", "March 2023"),
    ("Ende 2024", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("late 2024", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("Anfang 2024", "2024-33", D(2024, 1, 1), D(2024, 3, 31), "1. Quartal 2024", "Q1 2024"),
    ("4. Quartal 2024", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("Q4 2024", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("2. Halbjahr 2024", "2024-41", D(2024, 7, 1), D(2024, 12, 31), "2. Halbjahr 2024", "second half of 2024"),
    ("ca. 2024", "2024~", D(2024, 1, 1), D(2024, 12, 31), "ca. 2024", "c. 2024"),
    ("ca. März 2023", "2023-03~", D(2023, 3, 1), D(2023, 3, 31), "ca. März 2023", "c. March 2023"),
    (
        "26.–27. Juni 2025",
        "2025-06-26/2025-06-27",
        D(2025, 6, 26),
        D(2025, 6, 27),
        "26.–27. Juni 2025",
        "26–27 June 2025",
    ),
    (
        "30. Juni – 2. Juli 2025",
        "2025-06-30/2025-07-02",
        D(2025, 6, 30),
        D(2025, 7, 2),
        "30. Juni – 2. Juli 2025",
        "30 June – 2 July 2025",
    ),
    (
        "June 26–27, 2025",
        "2025-06-26/2025-06-27",
        D(2025, 6, 26),
        D(2025, 6, 27),
        "26.–27. Juni 2025",
        "26–27 June 2025",
    ),
    ("März – April 2023", "2023-03/2023-04", D(2023, 3, 1), D(2023, 4, 30), "März – April 2023", "March – April 2023"),
    # EDTF intervals take no quarters: they are stored as the months they span.
    (
        "Q4 2024 – Q1 2025",
        "2024-10/2025-03",
        D(2024, 10, 1),
        D(2025, 3, 31),
        "Oktober 2024 – März 2025",
        "October 2024 – March 2025",
    ),
    # Pasted text carries invisible characters and odd spacing; they must not matter.
    ("\u200b 26.06.2025\u00a0", "2025-06-26", D(2025, 6, 26), D(2025, 6, 26), "26. Juni 2025", "26 June 2025"),
    # Seasons: EDTF level 1 codes 21-24, meteorological (spring March-May, as the edtf package).
    ("Frühjahr 2024", "2024-21", D(2024, 3, 1), D(2024, 5, 31), "Frühjahr 2024", "Spring 2024"),
    ("Frühling 2024", "2024-21", D(2024, 3, 1), D(2024, 5, 31), "Frühjahr 2024", "Spring 2024"),
    ("spring 2024", "2024-21", D(2024, 3, 1), D(2024, 5, 31), "Frühjahr 2024", "Spring 2024"),
    ("2024-21", "2024-21", D(2024, 3, 1), D(2024, 5, 31), "Frühjahr 2024", "Spring 2024"),
    ("Sommer 2024", "2024-22", D(2024, 6, 1), D(2024, 8, 31), "Sommer 2024", "Summer 2024"),
    ("Herbst 2024", "2024-23", D(2024, 9, 1), D(2024, 11, 30), "Herbst 2024", "Autumn 2024"),
    ("fall 2024", "2024-23", D(2024, 9, 1), D(2024, 11, 30), "Herbst 2024", "Autumn 2024"),
    # Winter runs into the next year, and says so.
    ("Winter 2024", "2024-24", D(2024, 12, 1), D(2025, 2, 28), "Winter 2024/25", "Winter 2024/25"),
    ("winter 2024/25", "2024-24", D(2024, 12, 1), D(2025, 2, 28), "Winter 2024/25", "Winter 2024/25"),
    ("Winter 2023/2024", "2023-24", D(2023, 12, 1), D(2024, 2, 29), "Winter 2023/24", "Winter 2023/24"),
    (
        "Frühjahr – Sommer 2024",
        "2024-03/2024-08",
        D(2024, 3, 1),
        D(2024, 8, 31),
        "März – August 2024",
        "March – August 2024",
    ),
    # A span of years.
    ("2024/25", "2024/2025", D(2024, 1, 1), D(2025, 12, 31), "2024 – 2025", "2024 – 2025"),
    ("2024/2025", "2024/2025", D(2024, 1, 1), D(2025, 12, 31), "2024 – 2025", "2024 – 2025"),
    ("2024–2025", "2024/2025", D(2024, 1, 1), D(2025, 12, 31), "2024 – 2025", "2024 – 2025"),
    ("2024-2025", "2024/2025", D(2024, 1, 1), D(2025, 12, 31), "2024 – 2025", "2024 – 2025"),
    # ISO 8601 calendar weeks: Monday to Sunday.
    ("KW 12 2025", "2025-03-17/2025-03-23", D(2025, 3, 17), D(2025, 3, 23), "17.–23. März 2025", "17–23 March 2025"),
    ("KW 12/2025", "2025-03-17/2025-03-23", D(2025, 3, 17), D(2025, 3, 23), "17.–23. März 2025", "17–23 March 2025"),
    ("2025-W12", "2025-03-17/2025-03-23", D(2025, 3, 17), D(2025, 3, 23), "17.–23. März 2025", "17–23 March 2025"),
    ("week 12 2025", "2025-03-17/2025-03-23", D(2025, 3, 17), D(2025, 3, 23), "17.–23. März 2025", "17–23 March 2025"),
    (
        "KW 1 2025",
        "2024-12-30/2025-01-05",
        D(2024, 12, 30),
        D(2025, 1, 5),
        "30. Dezember 2024 – 5. Januar 2025",
        "30 December 2024 – 5 January 2025",
    ),
    ("2025-W12-3", "2025-03-19", D(2025, 3, 19), D(2025, 3, 19), "19. März 2025", "19 March 2025"),
    # A part of a month is the month: EDTF cannot say "early November", and ten days would claim
    # a ten-day event (docs/dates.md).
    ("Anfang November 2022", "2022-11", D(2022, 11, 1), D(2022, 11, 30), "November 2022", "November 2022"),
    ("Mitte November 2022", "2022-11", D(2022, 11, 1), D(2022, 11, 30), "November 2022", "November 2022"),
    ("Ende Nov. 2022", "2022-11", D(2022, 11, 1), D(2022, 11, 30), "November 2022", "November 2022"),
    ("mid-November 2022", "2022-11", D(2022, 11, 1), D(2022, 11, 30), "November 2022", "November 2022"),
    # A range of weeks: Monday of the first to Sunday of the last, the year typed once or twice.
    (
        "KW 52 2024 – KW 2 2025",
        "2024-12-23/2025-01-12",
        D(2024, 12, 23),
        D(2025, 1, 12),
        "23. Dezember 2024 – 12. Januar 2025",
        "23 December 2024 – 12 January 2025",
    ),
    (
        "2024-W52/2025-W02",
        "2024-12-23/2025-01-12",
        D(2024, 12, 23),
        D(2025, 1, 12),
        "23. Dezember 2024 – 12. Januar 2025",
        "23 December 2024 – 12 January 2025",
    ),
    (
        "KW 12 bis KW 13 2025",
        "2025-03-17/2025-03-30",
        D(2025, 3, 17),
        D(2025, 3, 30),
        "17.–30. März 2025",
        "17–30 March 2025",
    ),
    (
        "KW 12–14 2025",
        "2025-03-17/2025-04-06",
        D(2025, 3, 17),
        D(2025, 4, 6),
        "17. März – 6. April 2025",
        "17 March – 6 April 2025",
    ),
    # A range from a period to the same period is that period, not the months it spans.
    ("Q4 2024 – Q4 2024", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("2024-36/2024-36", "2024-36", D(2024, 10, 1), D(2024, 12, 31), "4. Quartal 2024", "Q4 2024"),
    ("Winter 2024 – Winter 2024", "2024-24", D(2024, 12, 1), D(2025, 2, 28), "Winter 2024/25", "Winter 2024/25"),
    (
        "2. Halbjahr 2024 bis 2. Halbjahr 2024",
        "2024-41",
        D(2024, 7, 1),
        D(2024, 12, 31),
        "2. Halbjahr 2024",
        "second half of 2024",
    ),
    # The first and last supported days; a year is shown with the four digits it is typed with.
    ("KW 1 0001", "0001-01-01/0001-01-07", D(1, 1, 1), D(1, 1, 7), "1.–7. Januar 0001", "1–7 January 0001"),
    ("0800", "0800", D(800, 1, 1), D(800, 12, 31), "0800", "0800"),
    ("9999-W52-5", "9999-12-31", D(9999, 12, 31), D(9999, 12, 31), "31. Dezember 9999", "31 December 9999"),
    ("Herbst 9999", "9999-23", D(9999, 9, 1), D(9999, 11, 30), "Herbst 9999", "Autumn 9999"),
]


@pytest.mark.parametrize(("typed", "edtf", "first", "last", "german", "english"), ACCEPTED)
def test_accepted_date_is_normalised_to_edtf_and_shown_honestly(typed, edtf, first, last, german, english):
    parsed = parse_event_date(typed)
    assert parsed.edtf == edtf
    assert parsed.bounds() == (first, last)
    assert parsed.display("de") == german
    assert parsed.display("en") == english


REFUSED = [
    # (typed, part of the message the editor reads)
    ("2024-02-30", "has no day 30"),
    ("30.02.2024", "has no day 30"),
    ("2023-02-29", "has no day 29"),
    ("2024-13", "no month 13"),
    ("2025-06-27/2025-06-26", "before its start"),
    ("27.06.2025 – 26.06.2025", "before its start"),
    ("03/04/2025", "ambiguous"),
    ("26.06.25", "four digits"),
    ("Mitte 2024", "quarter"),
    ("2024-30", "not supported"),  # an EDTF level 2 grouping (southern hemisphere summer)
    ("2024-36~", "cannot be marked approximate"),
    ("2024-06-26/..", "Open-ended"),
    ("2025-06-26T10:00", "time of day"),
    ("nächste Woche", "not a date this service understands"),
    ("", "Enter a date"),
    ("\u200b", "Enter a date"),
    ("2" * 200, "longer than 100"),
    ("0000-36", "The year 0000 is out of range"),  # a quarter of year 0: no calendar has its days
    ("0000-41", "The year 0000 is out of range"),
    ("Q4 0000", "The year 0000 is out of range"),
    # Ranges with an end in year 0, and winters that would end in the year 10000.
    ("0000-36/0001-33", "The year 0000 is out of range"),
    ("Q1 0000 – Q2 0000", "The year 0000 is out of range"),
    ("Sommer 0000 bis Herbst 0000", "The year 0000 is out of range"),
    ("2024 – Winter 9999", "“Winter 9999” runs into the year 10000"),
    ("Herbst 9999 – Winter 9999", "“Winter 9999” runs into the year 10000"),
    ("9999-23/9999-24", "“Winter 9999” runs into the year 10000"),
    ("2024-24/9999-24", "“Winter 9999” runs into the year 10000"),
    ("9999/00", "The year 10000 is out of range"),
    ("9999-W52-6", "“9999-W52-6” runs into the year 10000"),
    ("Mitte 0000", "The year 0000 is out of range"),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_refused_date_says_what_is_wrong(typed, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            parse_event_date(typed)
        assert message in " ".join(refusal.value.messages)


# (typed, English message, German message): each says what to type instead, in one language.
EXPLAINED = [
    (
        "KW 54 2025",
        "2025 has no calendar week 54: its weeks run from 1 to 52 (ISO 8601), the last is “week 52 2025”.",
        "Das Jahr 2025 hat keine Kalenderwoche 54, nur die Wochen 1 bis 52 (ISO 8601); die letzte ist „KW 52 2025“.",
    ),
    (
        "KW 12/25",
        "Write the year with four digits, for example “week 12 2025”.",
        "Schreiben Sie das Jahr vierstellig, zum Beispiel „KW 12 2025“.",
    ),
    (
        "26.06.25",
        "Write the year with four digits, for example “26.06.2025”.",
        "Schreiben Sie das Jahr vierstellig, zum Beispiel „26.06.2025“.",
    ),
    (
        "Frühjahr",
        "Give the year too, for example “Frühjahr {year}”.",
        "Geben Sie auch das Jahr an, zum Beispiel „Frühjahr {year}“.",
    ),
    (
        "KW 12",
        "Give the year too, for example “KW 12 {year}”.",
        "Geben Sie auch das Jahr an, zum Beispiel „KW 12 {year}“.",
    ),
    (
        "Anfang November",
        "Give the year too, for example “Anfang November {year}”.",
        "Geben Sie auch das Jahr an, zum Beispiel „Anfang November {year}“.",
    ),
    (
        "Mitte 2025",
        "“Mitte 2025” has no exact meaning: write a quarter (Q2 2025 or Q3 2025), a month (June 2025) "
        "or the year (2025).",
        "„Mitte 2025“ ist nicht eindeutig: schreiben Sie ein Quartal (2. Quartal 2025 oder 3. Quartal 2025), "
        "einen Monat (Juni 2025) oder das Jahr (2025).",
    ),
    (
        "Sommer 2024/25",
        "Only a winter runs into the next year, and only into the next one; write “Summer 2024”.",
        "Nur ein Winter reicht ins nächste Jahr, und nur in das unmittelbar folgende; schreiben Sie „Sommer 2024“.",
    ),
    (
        "Winter 2024/26",
        "Only a winter runs into the next year, and only into the next one; write “Winter 2024/25”.",
        "Nur ein Winter reicht ins nächste Jahr, und nur in das unmittelbar folgende; schreiben Sie „Winter 2024/25“.",
    ),
    (
        "ca. Frühjahr 2024",
        "A season, quarter or half-year cannot be marked approximate or uncertain; "
        "mark the year instead (c. 2024) or leave out the mark.",
        "Eine Jahreszeit, ein Quartal oder Halbjahr kann nicht als ungefähr oder unsicher markiert werden; "
        "markieren Sie stattdessen das Jahr (ca. 2024) oder lassen Sie die Markierung weg.",
    ),
    (
        "2024-25",
        "“2024-25” is no date in EDTF (25 is no month); for the years 2024 and 2025 write 2024/25 or 2024–2025.",
        "„2024-25“ ist kein EDTF-Datum (25 ist kein Monat); für die Jahre 2024 und 2025 schreiben Sie 2024/25 "
        "oder 2024–2025.",
    ),
    (
        "KW 12 und 13 2025",
        "Write a calendar week as “week 12 2025” or “2025-W12” (ISO 8601), several weeks as “week 12 2025 – "
        "week 14 2025”.",
        "Schreiben Sie eine Kalenderwoche als „KW 12 2025“ oder „2025-W12“ (ISO 8601), mehrere Wochen als "
        "„KW 12 2025 – KW 14 2025“.",
    ),
    # One end of a range is a date: the message is about the other, not a hint to type the first.
    (
        "KW 12 2025 bis Ostern",
        "“Ostern” is not a date this service understands. Examples: 26 June 2025, March 2023, Q4 2024, "
        "late 2024, spring 2024, week 12 2025, 2024/25, c. 2024, 2024-36.",
        "„Ostern“ ist kein Datum, das dieser Dienst versteht. Beispiele: 26.06.2025, 26. Juni 2025, März 2023, "
        "4. Quartal 2024, Ende 2024, Frühjahr 2024, KW 12 2025, 2024/25, ca. 2024, 2024-36.",
    ),
    (
        "Frühjahr 2025 – Mitte 2025",
        "“Mitte 2025” has no exact meaning: write a quarter (Q2 2025 or Q3 2025), a month (June 2025) or the "
        "year (2025).",
        "„Mitte 2025“ ist nicht eindeutig: schreiben Sie ein Quartal (2. Quartal 2025 oder 3. Quartal 2025), einen "
        "Monat (Juni 2025) oder das Jahr (2025).",
    ),
    (
        "KW 52 2024 – KW 2",
        "Give the year too, for example “KW 2 2024”.",
        "Geben Sie auch das Jahr an, zum Beispiel „KW 2 2024“.",
    ),
    # Four digits were given: the reason is the period running past the last supported year.
    (
        "Winter 9999",
        "“Winter 9999” runs into the year 10000, after the last year this service knows (9999).",
        "„Winter 9999“ reicht bis ins Jahr 10000, nach dem letzten Jahr, das dieser Dienst kennt (9999).",
    ),
    (
        "9999-24",
        "“Winter 9999” runs into the year 10000, after the last year this service knows (9999).",
        "„Winter 9999“ reicht bis ins Jahr 10000, nach dem letzten Jahr, das dieser Dienst kennt (9999).",
    ),
    (
        "KW 52 9999",
        "“week 52 9999” runs into the year 10000, after the last year this service knows (9999).",
        "„KW 52 9999“ reicht bis ins Jahr 10000, nach dem letzten Jahr, das dieser Dienst kennt (9999).",
    ),
    (
        "Q1 0000 – Q2 0000",
        "The year 0000 is out of range: this service knows the years 0001 to 9999.",
        "Das Jahr 0000 liegt außerhalb des unterstützten Bereichs: Dieser Dienst kennt die Jahre 0001 bis 9999.",
    ),
    (
        "Frühjahr 24",
        "Write a season with its year, for example “Spring {year}” or “Winter {year}/{next}”.",
        "Schreiben Sie eine Jahreszeit mit Jahr, zum Beispiel „Frühjahr {year}“ oder „Winter {year}/{next}“.",
    ),
    (
        "2024-30",
        "The EDTF code 30 is not supported; use a season (2024-21 to 2024-24), a quarter (2024-33 to 2024-36) "
        "or a half-year (2024-40, 2024-41).",
        "Der EDTF-Code 30 wird nicht unterstützt; verwenden Sie eine Jahreszeit (2024-21 bis 2024-24), "
        "ein Quartal (2024-33 bis 2024-36) oder ein Halbjahr (2024-40, 2024-41).",
    ),
    (
        "irgendwann",
        "“irgendwann” is not a date this service understands. Examples: 26 June 2025, March 2023, Q4 2024, "
        "late 2024, spring 2024, week 12 2025, 2024/25, c. 2024, 2024-36.",
        "„irgendwann“ ist kein Datum, das dieser Dienst versteht. Beispiele: 26.06.2025, 26. Juni 2025, März 2023, "
        "4. Quartal 2024, Ende 2024, Frühjahr 2024, KW 12 2025, 2024/25, ca. 2024, 2024-36.",
    ),
]


def refusal(typed: str, language: str) -> str:
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            parse_event_date(typed)
        return " ".join(refused.value.messages)


@pytest.mark.parametrize(("typed", "english", "german"), EXPLAINED)
def test_each_refusal_says_what_to_type_instead_in_the_editors_language(typed, english, german):
    year = datetime.date.today().year  # noqa: DTZ011 (the suggestion adds this year)
    values = {"year": year, "next": f"{(year + 1) % 100:02d}"}
    assert refusal(typed, "en") == english.format(**values)
    assert refusal(typed, "de") == german.format(**values)


# Every form the parser knows, with {y} for the year, {n} for the next year's last two digits.
FORMS = [
    "{y}", "{y}~", "{y}?", "{y}%", "ca. {y}", "{y}-01", "{y}-12", "{y}-02-29", "{y}-01-01", "{y}-12-31",
    "{y}-21", "{y}-22", "{y}-23", "{y}-24", "{y}-33", "{y}-36", "{y}-40", "{y}-41", "{y}-36~",
    "31.12.{y}", "01.01.{y}", "26. Juni {y}", "June 26, {y}", "Dezember {y}", "12.{y}", "ca. März {y}",
    "Anfang November {y}", "Ende Dezember {y}", "Q1 {y}", "Q4 {y}", "4. Quartal {y}", "{y} Q4",
    "fourth quarter of {y}", "Anfang {y}", "Ende {y}", "H1 {y}", "2. Halbjahr {y}", "second half of {y}",
    "Frühjahr {y}", "Sommer {y}", "Herbst {y}", "Winter {y}", "Winter {y}/{n}", "im Winter {y}",
    "KW 1 {y}", "KW 52 {y}", "KW 53 {y}", "{y}-W01", "{y}-W52", "{y}-W52-7", "{y}-W53-1", "week 1 of {y}",
    "{y}/{n}", "{y}–{n}", "Mitte {y}", "KW 52", "Frühjahr",
]  # fmt: skip
YEARS = ["0000", "0001", "0002", "0999", "9998", "9999", "10000"]
SEPARATORS = [" – ", "/", "–", " bis ", " to ", "-", " - "]


def date_text(form: str, year: str) -> str:
    return form.format(y=year, n=f"{(int(year) + 1) % 100:02d}")


def is_understood_or_refused(typed: str) -> bool:
    """parse_event_date's contract: a date whose days exist, or a ValidationError that can be read."""
    try:
        date = parse_event_date(typed)
    except ValidationError as refusal:
        for language in ("de", "en"):
            with translation.override(language):
                assert all(isinstance(message, str) and message for message in refusal.messages), typed
        return False
    first, last = date.bounds()
    assert first <= last, typed
    assert date.display("de") and date.display("en"), typed
    assert parse_event_date(date.edtf) == date, typed  # what is stored reads back as the same date
    return True


@pytest.mark.parametrize("year", YEARS)
def test_every_form_with_an_edge_year_is_a_date_or_a_refusal_never_a_crash(year):
    understood = {form: is_understood_or_refused(date_text(form, year)) for form in FORMS}
    for form in FORMS:  # and as either end of a range, to itself and to an ordinary year
        for start, end in [(form, form), ("2024", form), (form, "2024")]:
            is_understood_or_refused(f"{date_text(start, year)} – {date_text(end, year)}")
    if year in ("0000", "10000"):
        assert not any(understood.values())
    else:
        assert understood["{y}"] and understood["Herbst {y}"] and understood["{y}-W01"]
    # The last year is there to its last day, but not a winter or a week that would end after it.
    if year == "9999":
        assert understood["{y}-12-31"]
        assert not understood["Winter {y}"] and not understood["{y}-W52"] and not understood["{y}-W52-7"]


@settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(FORMS),
    start_year=st.sampled_from(YEARS),
    separator=st.sampled_from(SEPARATORS),
    end=st.sampled_from(FORMS),
    end_year=st.sampled_from(YEARS),
)
def test_any_range_of_two_forms_with_edge_years_is_a_date_or_a_refusal_never_a_crash(
    start, start_year, separator, end, end_year
):
    is_understood_or_refused(date_text(start, start_year) + separator + date_text(end, end_year))


def test_refusal_names_the_impossible_day_in_the_editors_language():
    with translation.override("de"), pytest.raises(ValidationError) as refusal:
        parse_event_date("2024-02-30")
    assert "Februar 2024" in refusal.value.messages[0]
    assert "30" in refusal.value.messages[0]


def test_display_follows_the_active_language():
    parsed = parse_event_date("2025-06-26")
    with translation.override("en"):
        assert parsed.display() == "26 June 2025"
    with translation.override("de"):
        assert parsed.display() == "26. Juni 2025"


def test_html_time_value_never_claims_more_precision_than_known():
    assert parse_event_date("Ende 2024").start.html_datetime() == "2024"
    assert parse_event_date("März 2023").start.html_datetime() == "2023-03"
    assert parse_event_date("26.06.2025").start.html_datetime() == "2025-06-26"


def test_model_stores_edtf_and_bounds_for_a_human_date(make_event):
    event = make_event(date="Ende 2024")
    event.refresh_from_db()
    assert (event.date, event.date_precision) == ("2024-36", "quarter")
    assert (event.date_start, event.date_end) == (D(2024, 10, 1), D(2024, 12, 31))


def test_model_clean_refuses_an_impossible_date_on_the_date_field(db):
    event = Event(title="Treffen", date="2024-02-30", kind="meeting")
    with pytest.raises(ValidationError) as refusal:
        event.full_clean()
    assert "date" in refusal.value.message_dict


def test_end_of_2024_event_falls_inside_a_fourth_quarter_range_filter(make_event):
    ende_2024 = make_event(title="Dialog etabliert", date="Ende 2024")
    make_event(title="Konsultationen", date="2023-03-18")
    make_event(title="Treffen", date="2025-06-26")

    in_q4 = Event.objects.filter(date_start__lte=D(2024, 12, 31), date_end__gte=D(2024, 10, 1))
    assert list(in_q4) == [ende_2024]
    # A range that only touches part of the quarter still overlaps it.
    in_november = Event.objects.filter(date_start__lte=D(2024, 11, 30), date_end__gte=D(2024, 11, 1))
    assert list(in_november) == [ende_2024]


def test_coarse_dates_sort_after_the_exact_dates_of_their_period(make_event):
    for title, date in [
        ("2023-03-18", "2023-03-18"),
        ("Q4 2024", "Ende 2024"),
        ("2024-11-05", "2024-11-05"),
        ("2024-10-01", "2024-10-01"),
        ("2024-10-01/2024-10-03", "2024-10-01/2024-10-03"),
        ("H2 2024", "2. Halbjahr 2024"),
        ("2024-07", "Juli 2024"),
        ("2025-06-26", "2025-06-26"),
        ("2024", "2024"),
        ("2024-01-15", "2024-01-15"),
    ]:
        make_event(title=title, date=date)

    titles = list(Event.objects.newest_first().values_list("title", flat=True))
    # Latest start first; on the same start, the shortest (most precise) first.
    assert titles == [
        "2025-06-26",
        "2024-11-05",
        "2024-10-01",
        "2024-10-01/2024-10-03",
        "Q4 2024",
        "2024-07",
        "H2 2024",
        "2024-01-15",
        "2024",
        "2023-03-18",
    ]


def test_seasons_and_weeks_sort_by_the_days_they_may_mean(make_event):
    for title, date in [
        ("Frühjahr 2024", "Frühjahr 2024"),
        ("KW 12 2024", "KW 12 2024"),  # 18-24 March 2024
        ("2024-04-10", "2024-04-10"),
        ("März 2024", "März 2024"),
        ("Winter 2024", "Winter 2024"),
        ("2025-01-15", "2025-01-15"),
        ("2024-02-20", "2024-02-20"),
    ]:
        make_event(title=title, date=date)

    titles = list(Event.objects.newest_first().values_list("title", flat=True))
    # A season follows every exact date of its months; a week sorts from its Monday.
    assert titles == [
        "2025-01-15",
        "Winter 2024",
        "2024-04-10",
        "KW 12 2024",
        "März 2024",
        "Frühjahr 2024",
        "2024-02-20",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Winter 2024 runs into January 2025 (the edtf package would end it on 31 December).
        ({"from": "Januar 2025", "to": "Januar 2025"}, ["2025-01-15", "Winter 2024"]),
        ({"from": "KW 12 2024", "to": "KW 12 2024"}, ["KW 12 2024", "März 2024", "Frühjahr 2024"]),
        ({"from": "2024-W13", "to": "Sommer 2024"}, ["2024-04-10", "März 2024", "Frühjahr 2024"]),
        ({"to": "Winter 2023/24"}, ["2024-02-20"]),
        ({"from": "Herbst 2024"}, ["2025-01-15", "Winter 2024"]),
    ],
)
def test_filters_take_seasons_and_weeks_in_the_api_and_on_the_page(client, make_event, query, expected):
    for title, date in [
        ("Frühjahr 2024", "Frühjahr 2024"),
        ("KW 12 2024", "KW 12 2024"),
        ("2024-04-10", "2024-04-10"),
        ("März 2024", "März 2024"),
        ("Winter 2024", "Winter 2024"),
        ("2025-01-15", "2025-01-15"),
        ("2024-02-20", "2024-02-20"),
    ]:
        make_event(title=title, date=date)

    api = client.get("/api/events/", query)
    assert api.status_code == 200
    assert [event["title"] for event in api.json()["results"]] == expected
    page = client.get("/", query)
    assert page.status_code == 200
    assert parse(page).titles == expected


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [
        ("en", "From", "“Mitte 2025” has no exact meaning: write a quarter (Q2 2025 or Q3 2025), a month "
         "(June 2025) or the year (2025)."),
        ("de", "Von", "„Mitte 2025“ ist nicht eindeutig: schreiben Sie ein Quartal (2. Quartal 2025 oder 3. Quartal "
         "2025), einen Monat (Juni 2025) oder das Jahr (2025)."),
    ],
)  # fmt: skip
def test_a_refused_filter_date_is_explained_wholly_in_the_readers_language(client, db, language, label, message):
    page = client.get("/en/" if language == "en" else "/", {"from": "Mitte 2025"})
    assert page.status_code == 400
    assert f"<li>{label}: {message}</li>" in html.unescape(page.content.decode())

    api = client.get("/api/events/", {"from": "Mitte 2025"}, headers={"accept-language": language})
    assert api.status_code == 400
    assert api.json()["from"] == [message]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0000-36/0001-33", "The year 0000 is out of range"),
        ("Q1 0000 – Q2 0000", "The year 0000 is out of range"),
        ("Sommer 0000 bis Herbst 0000", "The year 0000 is out of range"),
        ("2024 – Winter 9999", "“Winter 9999” runs into the year 10000"),
        ("KW 52 9999", "“week 52 9999” runs into the year 10000"),
    ],
)
def test_a_date_outside_the_supported_years_is_refused_everywhere_with_the_reason(client, editor, typed, reason):
    english = {"accept-language": "en"}  # the API's; the pages' and feeds' language is in their address
    for address, parameter in [("/en/", "to"), ("/en/feeds/rss/", "from"), ("/api/events/", "from")]:
        response = client.get(address, {parameter: typed}, headers=english)
        assert response.status_code == 400, address
        assert reason in html.unescape(response.content.decode()), address

    api = APIClient()
    api.force_authenticate(editor)
    # The German title, said to be German; the answer in English.
    created = api.post(
        "/api/events/",
        {"title": "Treffen", "kind": "meeting", "date": typed},
        format="json",
        headers={**english, "content-language": "de"},
    )
    assert created.status_code == 400
    assert reason in created.json()["date"][0]

    admin = APIClient()  # a session like the editor's in the admin
    admin.force_login(editor)
    with translation.override("en"):
        added = admin.post(ADD_URL, add_form(date=typed), headers=english)
        assert added.status_code == 200  # the form again, with the message at the date field
        assert reason in " ".join(added.context["adminform"].form.errors["date"])
        preview = admin.get("/admin/timeline/event/date-preview/", {"value": typed}, headers=english).json()
    assert preview["ok"] is False and reason in preview["error"]
    assert not Event.objects.exists()


def test_the_timeline_heads_a_season_with_its_name(client, make_event):
    make_event(title="Frühjahrstreffen", date="Frühjahr 2024")
    make_event(title="Wintertreffen", date="Winter 2024")
    german = [text for _level, text in parse(client.get("/")).headings]
    english = [text for _level, text in parse(client.get("/en/")).headings]
    assert "Frühjahr 2024" in german and "Winter 2024/25" in german
    assert "Spring 2024" in english and "Winter 2024/25" in english


def test_each_event_is_headed_by_a_period_it_lies_in_a_span_of_years_by_the_span(client, make_event):
    for date in [
        "30. Juni – 2. Juli 2025",
        "KW 1 2025",  # 30 December 2024 to 5 January 2025
        "Winter 2024",
        "2024-10-15",
        "Q4 2024",
        "Q4 2024 – Q1 2025",
        "2024",
        "2024/25",
        "ca. 2022/2023",
        "März – April 2023",
    ]:
        make_event(title=date, date=date)

    def headings(language: str) -> list[str]:
        page = parse(client.get("/en/" if language == "en" else "/"))
        return [text for level, text in page.headings if level in ("h2", "h3")][1:]

    assert headings("de") == [
        "2025",
        "Juni 2025",  # a date known to the day is listed under the month it begins in, as in a calendar
        "2024",
        "Dezember 2024",
        "Winter 2024/25",
        "Oktober 2024",
        "4. Quartal 2024",
        "Oktober 2024 – März 2025",  # a range of periods: the range, not its first month
        "2024, Datum innerhalb des Jahres nicht bekannt",
        "2024 – 2025",  # not "2024, Datum innerhalb des Jahres nicht bekannt": it runs into 2025
        "2023",
        "März – April 2023",
        "2022",
        "2022 – 2023",
    ]
    assert headings("en")[8:10] == ["2024, date within the year not known", "2024 – 2025"]


def test_the_editors_wording_is_kept_beside_the_edtf_while_it_means_that_date(make_event):
    event = make_event(date="KW 12 2025")
    event.refresh_from_db()
    assert (event.date, event.date_entered) == ("2025-03-17/2025-03-23", "KW 12 2025")

    event.title = "Anders betitelt"
    event.save()  # the date passed on as EDTF, as an API PATCH or an import does
    event.refresh_from_db()
    assert event.date_entered == "KW 12 2025"

    event.date = "2025-03-18"
    event.save()  # another date: the old wording would be wrong
    event.refresh_from_db()
    assert (event.date, event.date_entered) == ("2025-03-18", "")

    event.date = "Frühjahr 2025"
    event.full_clean()  # normalises the date to EDTF, as the admin's and the API's validation do
    event.save()
    event.refresh_from_db()
    assert (event.date, event.date_entered) == ("2025-21", "Frühjahr 2025")


# --- the editor's wording, through the admin, the API and import -----------------------------------


def test_the_admin_shows_the_editors_wording_again_with_the_edtf_below_it(editor_client):
    added = editor_client.post(ADD_URL, add_form(date="KW 12 2025"), follow=True)
    assert any("wurde als 2025-03-17/2025-03-23 gespeichert" in str(m) for m in added.context["messages"])
    event = Event.objects.get()
    assert (event.date, event.date_entered) == ("2025-03-17/2025-03-23", "KW 12 2025")

    page = editor_client.get(CHANGE.format(event.pk))
    text = page.content.decode()
    assert 'value="KW 12 2025"' in text  # the field, as the editor wrote it
    assert "Gespeichert als EDTF: 2025-03-17/2025-03-23" in text  # the help line below it
    assert "17.–23. März 2025" in text  # and how readers will see it, beside it

    # Saved again as shown: same date, same wording, and no second confirmation of the date.
    saved = editor_client.post(CHANGE.format(event.pk), change_form_data(page), follow=True)
    assert not any("wurde als" in str(m) for m in saved.context["messages"])
    event.refresh_from_db()
    assert (event.date, event.date_entered) == ("2025-03-17/2025-03-23", "KW 12 2025")

    # A date typed as EDTF has no wording to show: the field shows the EDTF.
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    editor_client.post(CHANGE.format(event.pk), {**data, "date": "2025-03-18"})
    event.refresh_from_db()
    assert (event.date, event.date_entered) == ("2025-03-18", "")
    page = editor_client.get(CHANGE.format(event.pk)).content.decode()
    assert 'value="2025-03-18"' in page and "Gespeichert als EDTF" not in page


def test_a_colleagues_new_date_is_merged_into_a_form_that_shows_the_wording(editor, make_event):
    event = make_event(date="KW 12 2025", status=Event.Status.DRAFT, publish_at=None)
    alice, bob = with_colleague(editor, "bob")
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    assert alice_form["date"] == bob_form["date"] == "KW 12 2025"

    assert bob.post(CHANGE.format(event.pk), {**bob_form, "date": "Frühjahr 2025"}).status_code == 302
    # Alice left the date as shown: Bob's date is merged in, not reported as a clash.
    response = alice.post(CHANGE.format(event.pk), {**alice_form, "title_de": "Treffen im Frühjahr"})
    assert response.status_code == 200
    assert "date" not in response.context["adminform"].form.errors
    merged = change_form_data(response)
    assert merged["date"] == "Frühjahr 2025"
    assert alice.post(CHANGE.format(event.pk), merged).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.date, event.date_entered) == ("Treffen im Frühjahr", "2025-21", "Frühjahr 2025")


def test_the_api_takes_the_new_forms_and_shows_the_wording_read_only(editor, db):
    api = APIClient()
    api.force_authenticate(editor)
    created = api.post(
        "/api/events/", {"title": "Frühjahrstreffen", "kind": "meeting", "date": "Frühjahr 2024"}, format="json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["date"], data["date_entered"], data["date_display"]) == ("2024-21", "Frühjahr 2024", "Frühjahr 2024")
    assert (data["date_start"], data["date_end"]) == ("2024-03-01", "2024-05-31")
    url = f"/api/events/{data['id']}/"
    assert api.get(url, headers={"accept-language": "en"}).json()["date_display"] == "Spring 2024"

    # Read-only: sending it changes nothing; another field changed leaves it as it was.
    changed = api.patch(url, {"title": "Treffen", "date_entered": "Sommer", "version": data["version"]}, format="json")
    assert (changed.json()["date"], changed.json()["date_entered"]) == ("2024-21", "Frühjahr 2024")
    # A new date sent as EDTF: there is no wording any more.
    changed = api.patch(url, {"date": "2024-22", "version": changed.json()["version"]}, format="json")
    assert (changed.json()["date"], changed.json()["date_entered"], changed.json()["date_display"]) == (
        "2024-22",
        "",
        "Sommer 2024",
    )


def test_an_exported_event_comes_back_with_its_wording(make_event):
    event = make_event(title="Winterdialog", date="Winter 2024")
    records = json.loads(json.dumps(export_records()))
    assert (records[0]["date"], records[0]["date_entered"]) == ("2024-24", "Winter 2024")
    event.delete()

    outcomes = list(import_records([Record(data=records[0], entry=1)]))
    assert [outcome.action for outcome in outcomes] == ["created"], [str(outcome) for outcome in outcomes]
    restored = Event.objects.get(title="Winterdialog")
    assert (restored.date, restored.date_entered) == ("2024-24", "Winter 2024")
    assert (restored.date_start, restored.date_end) == (D(2024, 12, 1), D(2025, 2, 28))
