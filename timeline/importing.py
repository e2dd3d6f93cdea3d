"""Import and export of events in the API's representation (JSON), or from CSV.

Every record goes through EventSerializer, so an import validates exactly as the API and the
admin do. A record with an `import_ref` (or an `id`) that exists already is updated, so an
import can be run again.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.dateparse import parse_datetime

from . import revisions
from .cache import content_changed
from .models import Event
from .serializers import EventSerializer

# CSV columns, in the order export would write them. Lists are separated by ";", the fields of a
# participant or source by "|" (name|role|organisation|country, url|title|publisher); a cell
# starting with "[" is read as JSON instead.
CSV_COLUMNS = [
    "import_ref", "id", "slug", "title", "kind", "date", "location", "countries", "topics", "series",
    "summary", "body", "participants", "sources", "status", "publish_at", "change_note",
]  # fmt: skip
PARTICIPANT_FIELDS = ["name", "role", "organisation", "country"]
SOURCE_FIELDS = ["url", "title", "publisher"]
# Kept from the file on import (the API treats them as read-only), so a round trip is exact.
RESTORED_TIMES = ["first_published_at", "updated_at"]


@dataclass
class Outcome:
    number: int  # 1-based position in the file
    action: str  # "created", "updated" or "refused"
    label: str
    errors: dict | list | str = field(default_factory=dict)

    def __str__(self) -> str:
        text = f"#{self.number} {self.action}: {self.label}"
        if self.errors:
            text += " – " + json.dumps(self.errors, ensure_ascii=False)
        return text


class Refused(Exception):
    """Raised inside an atomic import to undo everything."""


def _split(cell: str, names: list[str]) -> list[dict]:
    if cell.strip().startswith("["):
        return json.loads(cell)
    rows = []
    for item in filter(None, (part.strip() for part in cell.split(";"))):
        values = [value.strip() for value in item.split("|")]
        rows.append(dict(zip(names, values + [""] * (len(names) - len(values)), strict=False)))
    return rows


def read_csv(text: str) -> list[dict]:
    """CSV rows as API records (empty cells are left out, so defaults apply)."""
    records = []
    for row in csv.DictReader(io.StringIO(text)):
        record = {key: value for key, value in row.items() if key and value not in (None, "")}
        for name in ("countries", "topics"):
            if name in record:
                record[name] = [part.strip() for part in record[name].replace(",", ";").split(";") if part.strip()]
        if "participants" in record:
            record["participants"] = _split(record["participants"], PARTICIPANT_FIELDS)
        if "sources" in record:
            record["sources"] = _split(record["sources"], SOURCE_FIELDS)
        records.append(record)
    return records


def read_file(path: str, text: str) -> list[dict]:
    """Records from a JSON list or a CSV file; raise ValueError saying what is wrong."""
    if path.lower().endswith(".csv"):
        return read_csv(text)
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("A JSON import file holds a list of event objects.")
    return data


def _existing(record: dict) -> Event | None:
    if record.get("import_ref"):
        found = Event.objects.filter(import_ref=record["import_ref"]).first()
        if found:
            return found
    try:
        return Event.objects.filter(public_id=uuid.UUID(str(record.get("id")))).first()
    except ValueError:
        return None


def _import_one(number: int, record: dict) -> Outcome:
    existing = _existing(record)
    status_before = existing.status if existing else None  # before validation applies the new values
    serializer = EventSerializer(existing, data=record)
    label = str(record.get("import_ref") or record.get("slug") or record.get("title") or "")[:80]
    if not serializer.is_valid():
        return Outcome(number, "refused", label, serializer.errors)
    event = serializer.save()
    revisions.record(event, None, revisions.action_for(status_before, event.status))
    times = {name: parse_datetime(str(record[name])) for name in RESTORED_TIMES if record.get(name)}
    if any(value is None for value in times.values()):
        raise ValueError(f"#{number}: unreadable time in {', '.join(times)}")
    if times:
        Event.objects.filter(pk=event.pk).update(**times)
        content_changed()  # the update above sends no signal
    return Outcome(number, "updated" if existing else "created", event.import_ref or event.slug)


def import_records(records: list[dict], *, atomic: bool = False) -> list[Outcome]:
    """Import every valid record, or with `atomic`, all of them or none."""
    outcomes: list[Outcome] = []
    if atomic:
        try:
            with transaction.atomic():
                for number, record in enumerate(records, start=1):
                    outcomes.append(_import_one(number, record))
                if any(outcome.action == "refused" for outcome in outcomes):
                    raise Refused
        except Refused:
            pass
        return outcomes
    for number, record in enumerate(records, start=1):
        with transaction.atomic():
            outcomes.append(_import_one(number, record))
    return outcomes


def export_records() -> list[dict]:
    """Every event (drafts too) in the API's representation, in a stable order."""
    events = (
        Event.objects.order_by("-date_start", "date_end", "public_id")
        .select_related("series")
        .prefetch_related("topics", "participants", "sources")
    )
    return [EventSerializer(event, context={"include_internal": True}).data for event in events]
