"""The events a view selects as a CSV file for spreadsheets: /export.csv (docs/feeds.md, "CSV export").

One row per event, in the timeline's order, under a header row in the address's language
(German at /export.csv, English at /en/export.csv); a column says which language each row's
texts are in, German where the English file shows the German text of an event without English.
UTF-8 with a byte order mark and ";" between cells, so German Excel opens it by double-click with
its umlauts and kanji intact and its columns apart; CRLF after each record (RFC 4180). A cell
with several values holds one per line. Text an editor typed is cleaned as on the page (no
control or bidi characters), and a text cell a spreadsheet would read as a formula begins with
an apostrophe (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from timeline.cache import cache_public
from timeline.filters import Selection
from timeline.languages import text_language
from timeline.models import SEARCH_DOCUMENTS, Event, Participant
from timeline.structured_data import absolute_url
from timeline.text import clean_text

from .builder import item_pubdate, item_updateddate
from .views import download_name, selection_format

MAX_ROWS = 10_000  # events in one file; a larger selection is refused with a 400 (docs/feeds.md)
CONTENT_TYPE = "text/csv; charset=utf-8; header=present"  # RFC 4180's media type, with its parameters
DELIMITER = ";"  # the list separator of German Excel, which it splits on when a file is opened
LINE_END = "\r\n"  # between records (RFC 4180)
VALUES_APART = "\n"  # between the values of one cell: no country, topic or person's name holds one
# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets:
# OWASP's list (including tab, CR and LF), and the full-width forms some locales take as well.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralised(text: str) -> str:
    """`text` as a spreadsheet shows it as text: with an apostrophe in front if it would start a
    formula ("-30 % Zölle" is "'-30 % Zölle"), as OWASP advises; otherwise unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local_time(moment: datetime.datetime | None) -> str:
    """ISO 8601 in the site's time zone with its offset, to the second: "2025-06-26T12:00:00+02:00"."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def participant_line(participant: Participant) -> str:
    """A participant as the event page lists one: "Name (原名), Amt (Organisation) – Land"."""
    line = clean_text(participant.name)
    if participant.original_name:
        line += f" ({clean_text(participant.original_name)})"
    if participant.role:
        line += ", " + clean_text(participant.role)
    if participant.organisation:
        line += f" ({clean_text(participant.organisation)})"
    if participant.country:
        line += " – " + participant.country.name
    return line


def lines(values) -> str:
    """Several values of one cell, each cleaned, one per line (empty ones left out)."""
    return VALUES_APART.join(filter(None, (clean_text(str(value)) for value in values)))


# The columns holding an event's own texts, whose language `texts_language` gives.
TEXT_FIELDS = {"title": gettext_lazy("Title"), "place": gettext_lazy("Place"), "summary": gettext_lazy("Summary")}


def texts_language(event: Event) -> str:
    """The language of the event's title, place and summary as the file shows them: "en", or
    "de" for German shown where English is missing. Should they differ, one line per column
    ("Title: en", "Summary: de")."""
    languages = {field: text_language(event, field) for field in TEXT_FIELDS if getattr(event, field)}
    if len(set(languages.values())) <= 1:
        return next(iter(languages.values()), text_language(event, "title"))
    return VALUES_APART.join(f"{TEXT_FIELDS[field]}: {language}" for field, language in languages.items())


@dataclass(frozen=True)
class Column:
    """One column of the file: its header (in the address's language) and how a cell is made."""

    header: str
    value: Callable[[Event], str]
    text: bool = True  # holds words (an editor's or a name), which a spreadsheet might take for a formula


# The file's columns, in order; docs/feeds.md lists them with their meaning. The columns that
# are not `text` hold what the service writes (an id, an address, EDTF, ISO 8601), which never
# begins with a formula's character and must reach scripts as it is.
COLUMNS = (
    Column(gettext_lazy("Public ID"), lambda event: str(event.public_id), text=False),
    Column(gettext_lazy("Web address"), lambda event: absolute_url(event.get_absolute_url()), text=False),
    Column(gettext_lazy("Date"), lambda event: event.date_display()),
    Column(gettext_lazy("Date (EDTF)"), lambda event: event.date, text=False),
    Column(gettext_lazy("Earliest day"), lambda event: event.date_start.isoformat(), text=False),
    Column(gettext_lazy("Latest day"), lambda event: event.date_end.isoformat(), text=False),
    Column(gettext_lazy("Title"), lambda event: clean_text(event.title)),
    Column(gettext_lazy("Kind"), lambda event: capfirst(event.get_kind_display())),  # "Meeting", as a cell begins
    Column(gettext_lazy("Place"), lambda event: clean_text(event.place)),
    Column(gettext_lazy("Countries"), lambda event: lines(country.name for country in event.countries)),
    Column(gettext_lazy("Country codes"), lambda event: lines(country.code for country in event.countries)),
    Column(gettext_lazy("Topics"), lambda event: lines(topic.name for topic in event.topics.all())),
    Column(gettext_lazy("Series"), lambda event: clean_text(event.series.name) if event.series else ""),
    Column(gettext_lazy("Participants"), lambda event: lines(map(participant_line, event.participants.all()))),
    Column(gettext_lazy("Summary"), lambda event: clean_text(event.summary, multiline=True)),
    Column(gettext_lazy("First published"), lambda event: local_time(item_pubdate(event)), text=False),
    Column(gettext_lazy("Last significant update"), lambda event: local_time(item_updateddate(event)), text=False),
    Column(gettext_lazy("Language of the texts"), texts_language, text=False),
)


def cell(column: Column, event: Event) -> str:
    """The cell of `column` for `event`, neutralised if it holds words."""
    value = column.value(event)
    return neutralised(value) if column.text else value


def csv_bytes(events: list[Event]) -> bytes:
    """The file for `events` (their topics, participants and series at hand): a UTF-8 byte order
    mark, the header row and one row per event."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([str(column.header) for column in COLUMNS])
    writer.writerows([cell(column, event) for column in COLUMNS] for event in events)
    return buffer.getvalue().encode("utf-8-sig")


def too_many(count: int) -> HttpResponse:
    """The 400 for a selection of more than MAX_ROWS events, in the address's language, saying
    how to narrow it."""
    message = ngettext(
        "The selection holds %(count)s event; one file holds at most %(max)s.",
        "The selection holds %(count)s events; one file holds at most %(max)s.",
        count,
    ) % {"count": number_format(count, force_grouping=True), "max": number_format(MAX_ROWS, force_grouping=True)}
    message += " " + _(
        "Please narrow the selection, for example to a period with from and to (from=2024&to=2024), "
        "or by country, topic or kind."
    )
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


def csv_response(request: HttpRequest, selection: Selection) -> HttpResponse:
    """The CSV file of `selection`, or a 400 if it has more than MAX_ROWS events. A fixed number
    of queries whatever the number of events."""
    count = selection.events.count()  # cheap, and a refusal reads no rows
    if count > MAX_ROWS:
        return too_many(count)
    events = list(
        selection.events.newest_first()
        .select_related("series")
        .prefetch_related("topics", "participants")
        .defer("body", *SEARCH_DOCUMENTS)[: MAX_ROWS + 1]
    )
    if len(events) > MAX_ROWS:  # events published since the count: refused as well, never cut
        return too_many(selection.events.count())
    response = HttpResponse(csv_bytes(events), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, download_name(selection, "csv"))
    return response


@require_http_methods(["GET", "HEAD", "OPTIONS"])
@cache_public
def export_csv(request):
    """The selected events as a CSV file for spreadsheets."""
    return selection_format(request, csv_response)
