"""Three-way merge of the rows an event's change form edits inline (participants, sources).

When a colleague saved the event after an editor opened its form, the admin compares, row by
row (rows are told apart by their id), the rows as the form was opened (the *base*, kept in the
form's signed snapshot), as stored now (*theirs*) and as submitted (*mine*):

- a row only one of them changed, added or deleted takes that change;
- a row both changed alike is kept once, and so is a row both added alike (the same values, the
  position aside): a form sent twice (a double click) or two editors adding the same person;
- a row both changed differently keeps this editor's values and is reported as a clash, with the
  colleague's values; a row the colleague deleted and this editor changed comes back as a new row.

The result is written back into the form's data for the inline formset, so the page shows the
merged rows and saving it again stores them (timeline/admin.py, EventAdminForm and
EventAdmin.get_inline_formsets).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from .models import Event
from .text import clean_text, web_address

# The rows edited inline, by formset prefix (the relation's name), and the values compared.
INLINE_FIELDS = {
    "participants": ("name", "original_name", "original_language", "role", "organisation", "country", "position"),
    "sources": ("url", "title", "publisher", "position"),
}
MAX_ROWS = 100  # participants or sources of one event, as in the API and the admin's inlines

Values = tuple[str, ...]


def stored_rows(event: Event, name: str) -> dict[str, Values]:
    """The rows of one inline as stored: {id: values}, in their order."""
    if not event.pk:
        return {}
    rows = getattr(event, name).all()
    return {str(row.pk): tuple(str(getattr(row, attribute)) for attribute in INLINE_FIELDS[name]) for row in rows}


@dataclass
class Submitted:
    """The rows of one inline as a change form sent them."""

    existing: dict[str, Values | None]  # {id: values}, None for a row marked for deletion
    new: list[Values]  # rows added in the form, blank extra rows left out


def submitted_rows(data: QueryDict, name: str) -> Submitted | None:
    """The rows a change form sent for one inline, or None if it sent none (no formset)."""
    try:
        total = min(int(data.get(f"{name}-TOTAL_FORMS", "")), MAX_ROWS)
    except ValueError:
        return None
    submitted = Submitted({}, [])
    for index in range(total):
        prefix = f"{name}-{index}-"
        values = tuple(normalised(attribute, data.get(prefix + attribute, "")) for attribute in INLINE_FIELDS[name])
        pk = data.get(prefix + "id", "")
        deleted = bool(data.get(prefix + "DELETE"))
        if pk:
            submitted.existing[pk] = None if deleted else values
        elif not deleted and any(values[:-1]):
            submitted.new.append(values)
    return submitted


def normalised(attribute: str, value: str) -> str:
    """A submitted value as the model would store it (cleaned text; a web address as source links
    read it; a position as a number, or empty: after the rows above, as the admin saves it)."""
    if attribute == "position":
        return str(int(value)) if value.strip().isdecimal() else value.strip()
    if attribute == "url":
        return web_address(value)
    return clean_text(value) if attribute != "country" else value.strip().upper()


@dataclass
class Row:
    pk: str | None  # None: a row to create
    values: Values
    delete: bool = False


@dataclass
class Merge:
    rows: list[Row] = field(default_factory=list)
    clashes: list[Values | None] = field(default_factory=list)  # the colleague's side of rows both changed
    # (None: the colleague deleted the row)


def same_row(mine: Values, stored: Values) -> bool:
    """Whether a submitted row is a stored one: the same values, and the same position unless the
    submitted one left it empty (then it goes after the rows above, wherever that is). The
    position is each row's last value (INLINE_FIELDS)."""
    return mine[:-1] == stored[:-1] and mine[-1] in ("", stored[-1])


def twin(values: Values, candidates: dict[str, Values]) -> str | None:
    """The id of the first of `candidates` that is the same row as `values`, or None."""
    return next((pk for pk, stored in candidates.items() if same_row(values, stored)), None)


def already_stored(theirs: dict[str, Values], mine: Submitted) -> bool:
    """Whether the submitted rows are the stored ones: every stored row sent as it is (or, a row
    stored since the form was opened, sent as a new row like it: the form sent again after its
    first sending saved it), every row sent for deletion gone, nothing else."""
    for pk, values in mine.existing.items():
        if (values is None) != (pk not in theirs) or (values is not None and not same_row(values, theirs[pk])):
            return False
    unsent = {pk: values for pk, values in theirs.items() if pk not in mine.existing}
    for values in mine.new:
        pk = twin(values, unsent)
        if pk is None:
            return False
        del unsent[pk]
    return not unsent


def merge(base: dict[str, Values], theirs: dict[str, Values], mine: Submitted) -> Merge:
    """Merge one inline's rows (see the module's docstring)."""
    base = {pk: tuple(values) for pk, values in base.items()}  # JSON from the snapshot has lists
    # Rows stored since the form was opened; a new row of this form like one of them is that row.
    added_meanwhile = {pk: values for pk, values in theirs.items() if pk not in base}
    result = Merge()
    for pk in [*theirs, *(pk for pk in base if pk not in theirs)]:
        old, their, my = base.get(pk), theirs.get(pk), mine.existing.get(pk, base.get(pk))
        if their == old:
            chosen = my
        elif my in (old, their):
            chosen = their
        else:  # both changed this row, differently
            chosen = my
            result.clashes.append(their)
        if pk in theirs:
            result.rows.append(Row(pk, chosen or their, delete=chosen is None))
        elif chosen is not None and chosen != old:
            result.rows.append(Row(None, chosen))  # deleted by the colleague, changed here: kept
    for values in mine.new:
        pk = twin(values, added_meanwhile)
        if pk is None:
            result.rows.append(Row(None, values))
        else:
            del added_meanwhile[pk]  # kept once, as stored
    return result


def formset_data(name: str, event: Event, merged: Merge) -> QueryDict:
    """The merged rows as the inline formset's POST data (management form included, with the
    inline's limit of rows, MAX_ROWS)."""
    data = QueryDict(mutable=True)
    existing = [row for row in merged.rows if row.pk is not None]
    rows = existing + [row for row in merged.rows if row.pk is None]
    data.update({f"{name}-TOTAL_FORMS": str(len(rows)), f"{name}-INITIAL_FORMS": str(len(existing))})
    data.update({f"{name}-MIN_NUM_FORMS": "0", f"{name}-MAX_NUM_FORMS": str(MAX_ROWS)})
    for index, row in enumerate(rows):
        prefix = f"{name}-{index}-"
        data[prefix + "event"] = str(event.pk)
        if row.pk is not None:
            data[prefix + "id"] = row.pk
        if row.delete:
            data[prefix + "DELETE"] = "on"
        for attribute, value in zip(INLINE_FIELDS[name], row.values, strict=True):
            data[prefix + attribute] = value
    return data
