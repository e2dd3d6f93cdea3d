"""Imprecise dates: every accepted form, every refusal, and sorting and filtering by bounds."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from timeline.dates import parse_event_date
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
    ("2024-21", "not supported"),
    ("2024-36~", "cannot be marked approximate"),
    ("2024-06-26/..", "Open-ended"),
    ("2025-06-26T10:00", "time of day"),
    ("nächste Woche", "not a date this service understands"),
    ("", "Enter a date"),
    ("\u200b", "Enter a date"),
    ("2" * 200, "longer than 100"),
    ("0000-36", "The year 0 is out of range"),  # a quarter of year 0: no calendar has its days
    ("0000-41", "The year 0 is out of range"),
    ("Q4 0000", "The year 0 is out of range"),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_refused_date_says_what_is_wrong(typed, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            parse_event_date(typed)
        assert message in " ".join(refusal.value.messages)


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
