"""Import and export of events in the API's representation (JSON), or from CSV.

Every record goes through EventSerializer, so an import validates exactly as the API and the
admin do. A record with an `import_ref` (or an `id`) that exists already is updated, so an
import can be run again; a record that would change nothing leaves the event alone (no new
version, no revision).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, models, transaction
from django.forms.utils import from_current_timezone
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework.exceptions import APIException

from . import revisions
from .cache import content_changed
from .languages import SOURCE_LANGUAGE
from .models import PUBLICATION_TIME_VALIDATORS, Event, Revision, StaleEvent
from .serializers import EventSerializer, StaleVersion

# CSV columns, in the order export would write them. Lists are separated by ";", the fields of a
# participant or source by "|" (name|role|organisation|country|original_name|original_language,
# the last two added later and so at the end; url|title|publisher); a cell
# starting with "[" is read as JSON instead. The plain texts are German, `…_en` the English.
CSV_COLUMNS = [
    "import_ref", "id", "slug", "title", "title_en", "kind", "date", "location", "location_en", "countries",
    "topics", "series", "summary", "summary_en", "body", "body_en", "participants", "sources", "status",
    "publish_at", "change_note", "change_note_en",
]  # fmt: skip
PARTICIPANT_FIELDS = ["name", "role", "organisation", "country", "original_name", "original_language"]
SOURCE_FIELDS = ["url", "title", "publisher"]
# Kept from the file on import (the API treats them as read-only), so a round trip is exact.
RESTORED_TIMES = ["first_published_at", "updated_at"]
# Every key a record may have: the API's fields, including those that export writes and import
# ignores or restores (url, date_display, first_published_at, version, …).
RECORD_FIELDS = EventSerializer.Meta.fields
# A CSV file's delimiter is the one of these its header line uses most (German Excel writes ";").
DELIMITERS = [",", ";", "\t"]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing in it was."""


@dataclass
class Record:
    """One record of a file: its API fields, where it starts, and what was wrong with its cells."""

    data: dict
    line: int | None = None  # CSV: the physical line the record starts on
    entry: int | None = None  # JSON: its position in the list, from 1
    errors: dict = field(default_factory=dict)

    def __str__(self) -> str:
        if self.line is not None:
            return _("line %(number)s") % {"number": self.line}
        return _("entry %(number)s") % {"number": self.entry}

    @property
    def label(self) -> str:
        """What an editor recognises the record by."""
        return str(self.data.get("import_ref") or self.data.get("slug") or self.data.get("title") or "")[:80]


class Action(models.TextChoices):
    CREATED = "created", gettext_lazy("created")
    UPDATED = "updated", gettext_lazy("updated")
    UNCHANGED = "unchanged", gettext_lazy("unchanged")
    REFUSED = "refused", gettext_lazy("refused")  # the record is wrong: correct it
    FAILED = "failed", gettext_lazy("failed")  # the database did not take it: try again


@dataclass
class Outcome:
    record: Record
    action: Action
    errors: dict | list | str = field(default_factory=dict)

    def __str__(self) -> str:
        label = self.record.label
        text = f"{self.record} {quoted([label])}" if label else str(self.record)
        text += f": {self.action.label}"
        if self.errors:
            text += " – " + "; ".join(error_messages(self.errors))
        return text


def error_messages(errors, path: str = "") -> Iterator[str]:
    """DRF's nested errors as "field: message" lines, rows of a list counted from 1
    (`participants[2].name: …`)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a row, as DRF's ListSerializer keys it (from 0)
                name = f"{path}[{key + 1}]"
            elif key == "non_field_errors":
                name = path
            else:
                name = f"{path}.{key}" if path else str(key)
            yield from error_messages(value, name)
    elif isinstance(errors, list):
        for position, item in enumerate(errors, start=1):
            yield from error_messages(item, f"{path}[{position}]" if isinstance(item, dict | list) else path)
    else:
        yield f"{path}: {errors}" if path else str(errors)


def quoted(names: list[str]) -> str:
    """The names in the language's quotation marks, separated by commas."""
    return ", ".join(_("“%(name)s”") % {"name": name} for name in names)


def _split(cell: str, names: list[str]) -> list[dict]:
    if cell.strip().startswith("["):
        return json.loads(cell)
    rows = []
    for item in filter(None, (part.strip() for part in cell.split(";"))):
        values = [value.strip() for value in item.split("|")]
        rows.append(dict(zip(names, values + [""] * (len(names) - len(values)), strict=False)))
    return rows


def _csv_record(line: int, header: list[str], row: list[str]) -> Record:
    record = Record({}, line=line)
    for position, value in enumerate(row):
        name = header[position] if position < len(header) else ""
        if value == "":
            continue  # left out, so defaults apply
        if not name:
            if value.strip():  # Excel's trailing empty columns are harmless; a lost value is not
                record.errors[_("column %(number)s") % {"number": position + 1}] = [_("A value without a column name.")]
            continue
        if name in ("countries", "topics"):
            value = [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
        elif name in ("participants", "sources"):
            try:
                value = _split(value, PARTICIPANT_FIELDS if name == "participants" else SOURCE_FIELDS)
            except ValueError as error:
                record.errors[name] = [_("Not readable as JSON: %(error)s") % {"error": error}]
                continue
        record.data[name] = value
    return record


def read_csv(text: str) -> list[Record]:
    """CSV rows as records, empty cells left out so defaults apply.

    The delimiter is comma, semicolon or tab, whichever the header line uses most. Raise
    ImportFileError for an unknown or repeated column, or a line the csv module cannot read.
    """
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(DELIMITERS, key=header_line.count))
    records = []
    try:
        header = [name.strip() for name in next(reader, [])]
        if not any(header):
            raise ImportFileError(_("The file has no header line naming its columns."))
        unknown = [name for name in header if name and name not in RECORD_FIELDS]
        if unknown:
            raise ImportFileError(
                ngettext("Unknown column %(names)s.", "Unknown columns %(names)s.", len(unknown))
                % {"names": quoted(unknown)}
                + " "
                + _("Known columns: %(names)s.") % {"names": ", ".join(CSV_COLUMNS)}
            )
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            raise ImportFileError(
                ngettext(
                    "Column %(names)s appears more than once.",
                    "Columns %(names)s appear more than once.",
                    len(repeated),
                )
                % {"names": quoted(repeated)}
            )
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):  # blank lines and Excel's ";;;;" rows are no records
                records.append(_csv_record(line, header, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(_("line %(number)s: %(error)s") % {"number": reader.line_num, "error": error}) from error
    return records


def read_file(path: str, text: str) -> list[Record]:
    """Records from a JSON list or a CSV file; raise ValueError saying what is wrong."""
    if path.lower().endswith(".csv"):
        return read_csv(text)
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError(_("A JSON import file holds a list of event objects."))
    return [Record(item, entry=position) for position, item in enumerate(data, start=1)]


def _existing(data: dict) -> Event | None:
    if data.get("import_ref"):
        found = Event.objects.filter(import_ref=data["import_ref"]).first()
        if found:
            return found
    try:
        return Event.objects.filter(public_id=uuid.UUID(str(data.get("id")))).first()
    except ValueError:
        return None


def _read_time(value) -> datetime | None:
    """An ISO 8601 time, or None if unreadable; one without an offset is read in the site's time
    zone, as the admin and the API read it, and refused (ValidationError, the admin's message)
    if it does not exist there or is ambiguous."""
    try:
        parsed = parse_datetime(str(value))
    except ValueError:  # well-formed but impossible, such as 2024-02-30T10:00
        return None
    parsed = from_current_timezone(parsed)
    if parsed is not None:
        for validator in PUBLICATION_TIME_VALIDATORS:  # the range publish_at allows
            validator(parsed)
    return parsed


def edited_since_import(event: Event) -> Revision | None:
    """The latest revision of `event` if a person made it (through the admin or the API), which
    a re-run of an import without `version` must not silently overwrite; None if the latest one
    came from an import or a command."""
    latest = Revision.objects.filter(event_public_id=event.public_id).select_related("user").first()
    return latest if latest is not None and latest.user_id is not None else None


def _import_one(record: Record) -> Outcome:
    data = record.data
    errors = dict(record.errors)
    errors.update({name: [_("Unknown field.")] for name in data if name not in RECORD_FIELDS})
    times = {}
    for name in RESTORED_TIMES:
        if data.get(name):
            try:
                times[name] = _read_time(data[name])
            except DjangoValidationError as error:
                errors[name] = error.messages
    for name, value in times.items():
        if value is None:
            errors[name] = [
                _("“%(value)s” is not a readable time (for example 2025-06-26T10:00:00+02:00).") % {"value": data[name]}
            ]
    if errors:
        return Outcome(record, Action.REFUSED, errors)
    existing = _existing(data)
    edited = edited_since_import(existing) if existing and data.get("version") in (None, "") else None
    if edited is not None:
        message = _(
            "Changed by %(user)s in the admin or the API since it was imported (now version %(version)s); "
            "to overwrite that, give version %(version)s in the record."
        ) % {"user": edited.user, "version": existing.version}
        return Outcome(record, Action.REFUSED, {"version": [message]})
    before = revisions.snapshot(existing) if existing else None
    status_before = existing.status if existing else None  # before validation applies the new values
    serializer = EventSerializer(existing, data=data, context={"importing": True})
    try:
        if not serializer.is_valid():
            return Outcome(record, Action.REFUSED, serializer.errors)
    except StaleVersion as error:
        return Outcome(record, Action.REFUSED, {"version": [error.detail["detail"]]})
    except APIException as error:
        return Outcome(record, Action.REFUSED, {"non_field_errors": [str(error.detail)]})
    try:
        with transaction.atomic():
            event = serializer.save()
            if times:
                Event.objects.filter(pk=event.pk).update(**times)
                content_changed()  # the update above sends no signal
            if before is not None and not revisions.differences(before, revisions.snapshot(event)):
                transaction.set_rollback(True)  # the version and updated_at stay as they were
                return Outcome(record, Action.UNCHANGED)
            revisions.record(event, None, revisions.action_for(status_before, event.status))
    except StaleEvent as error:  # changed by someone else since it was read above
        return Outcome(record, Action.REFUSED, {"version": [StaleVersion(error.current_version).detail["detail"]]})
    return Outcome(record, Action.UPDATED if existing else Action.CREATED)


def import_records(records: list[Record], *, atomic: bool = False) -> Iterator[Outcome]:
    """Import the records in turn, yielding each one's Outcome as soon as it is known.

    Each record is saved in its own transaction; with `atomic`, all in one that is undone at the
    end if any record was refused or failed. A database error (busy, locked, gone) fails its
    record only, and the next records are still tried.
    """
    with transaction.atomic() if atomic else nullcontext():
        spoilt = False
        for record in records:
            try:
                with transaction.atomic():
                    outcome = _import_one(record)
            except DatabaseError as error:
                reason = _("Database error, try again: %(error)s") % {"error": str(error).partition("\n")[0]}
                outcome = Outcome(record, Action.FAILED, reason)
            spoilt |= outcome.action in (Action.REFUSED, Action.FAILED)
            yield outcome
        if atomic and spoilt:
            transaction.set_rollback(True)


def export_records() -> list[dict]:
    """Every event (drafts too) in the API's representation, in a stable order: the plain texts
    (`title`) in German, as an import reads them, and the English beside them (`title_en`)."""
    events = (
        Event.objects.order_by("-date_start", "date_end", "public_id")
        .select_related("series")
        .prefetch_related("topics", "participants", "sources")
    )
    with translation.override(SOURCE_LANGUAGE):
        return [EventSerializer(event, context={"include_internal": True}).data for event in events]
