"""import_events and export_events: the API's validation, every record reported, exact round trip."""

import csv
import io
import json
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from timeline.importing import export_records
from timeline.models import Event, Revision, Topic

SUMMARY_REFUSED = "Die abgelehnten und fehlgeschlagenen Einträge wurden nicht importiert, alle anderen schon."


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def run(path, *args, stdout=None) -> tuple[str, str | None]:
    """What import_events prints, and its error when it exits with status 1 (else None)."""
    stdout = stdout or io.StringIO()
    try:
        call_command("import_events", str(path), *args, stdout=stdout, stderr=io.StringIO())
    except CommandError as error:
        return stdout.getvalue(), str(error)
    return stdout.getvalue(), None


def write_json(tmp_path, records: list[dict]):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def export() -> str:
    out = io.StringIO()
    call_command("export_events", stdout=out)
    return out.getvalue()


def test_export_wipe_import_export_is_identical(seed, tmp_path, make_event):
    make_event(title="Entwurf mit Quelle", status=Event.Status.DRAFT, publish_at=None, date="ca. März 2023")
    first = export()
    path = tmp_path / "events.json"
    path.write_text(first, encoding="utf-8")
    Event.objects.all().delete()
    out, error = run(path)
    assert error is None
    assert out.endswith("4 angelegt, 0 aktualisiert, 0 unverändert, 0 abgelehnt, 0 fehlgeschlagen.\n")
    assert export() == first


def test_english_texts_go_out_with_an_export_and_come_back_with_its_import(seed, tmp_path, make_event):
    make_event(
        title="Treffen in Rom",
        title_en="Meeting in Rome",
        summary="Gespräche.",
        summary_en="Talks.",
        place="Rom",
        place_en="Rome",
        body="<p>Deutsch.</p>",
        body_en="<p>English.</p>",
        change_note="Datum korrigiert.",
        change_note_en="Date corrected.",
        status=Event.Status.DRAFT,
        publish_at=None,
    )
    first = export()
    record = next(record for record in json.loads(first) if record["title"] == "Treffen in Rom")
    assert (record["title_en"], record["summary_en"], record["location_en"], record["body_en"]) == (
        "Meeting in Rome",
        "Talks.",
        "Rome",
        "<p>English.</p>",
    )
    assert record["change_note_en"] == "Date corrected."
    columns = ["title_de", "title_en", "summary_de", "summary_en", "place_de", "place_en", "body_de", "body_en"]
    stored = list(Event.objects.order_by("public_id").values_list(*columns))
    path = tmp_path / "events.json"
    path.write_text(first, encoding="utf-8")
    Event.objects.all().delete()

    _out, error = run(path)

    assert error is None
    assert list(Event.objects.order_by("public_id").values_list(*columns)) == stored
    assert export() == first


def test_an_export_writes_the_german_as_the_plain_texts_in_any_language(db, make_event):
    make_event(title="Treffen in Rom", title_en="Meeting in Rome")
    with translation.override("en"):
        records = export_records()
    assert (records[0]["title"], records[0]["title_en"]) == ("Treffen in Rom", "Meeting in Rome")


def test_an_import_clears_english_given_as_empty_or_null(seed, tmp_path):
    record = {"import_ref": "rom", "title": "Treffen in Rom", "title_en": "Meeting in Rome", "kind": "meeting",
              "date": "2024", "location": "Rom", "location_en": "Rome"}  # fmt: skip
    run(write_json(tmp_path, [record]))
    run(write_json(tmp_path, [{**record, "title_en": "", "location_en": None}]))
    event = Event.objects.get(import_ref="rom")
    assert (event.title_de, event.title_en, event.place_de, event.place_en) == ("Treffen in Rom", None, "Rom", None)


def test_an_imported_english_text_is_checked_as_the_german_one(seed, tmp_path):
    records = [
        {"title": "Links", "kind": "meeting", "date": "2024", "body_en": '<p><a href="javascript:x()">x</a></p>'},
        {"title": "Lang", "kind": "meeting", "date": "2024", "title_en": "x" * 301},
        {"title": "x" * 301, "kind": "meeting", "date": "2024"},
    ]
    out, _error = run(write_json(tmp_path, records))
    lines = out.splitlines()
    assert lines[0].startswith("Eintrag 1 „Links“: abgelehnt – body_en: Der Link „javascript:x()“ ")
    assert lines[1].startswith("Eintrag 2 „Lang“: abgelehnt – title_en: ")
    # The German title's limit, with its message.
    assert lines[1].partition("title_en: ")[2] == lines[2].partition("title: ")[2] != ""
    assert not Event.objects.filter(title__in=["Links", "Lang"]).exists()


def test_second_import_updates_by_import_ref_and_a_third_changes_nothing(seed, tmp_path):
    records = [
        {"import_ref": "alt-system-17", "title": "Besuch in Osaka", "kind": "visit", "date": "März 2023",
         "countries": ["DE", "JP"], "topics": ["economic-security"], "status": "published"},
    ]  # fmt: skip
    assert run(write_json(tmp_path, records))[0].startswith("Eintrag 1 „alt-system-17“: angelegt\n")
    records[0]["title"] = "Besuch in Osaka (korrigiert)"
    assert run(write_json(tmp_path, records))[0].startswith("Eintrag 1 „alt-system-17“: aktualisiert\n")
    event = Event.objects.get(import_ref="alt-system-17")
    assert (event.title, event.date) == ("Besuch in Osaka (korrigiert)", "2023-03")
    saved = (event.version, event.updated_at, Revision.objects.filter(event=event).count())

    out, error = run(write_json(tmp_path, records))

    assert out == (
        "Eintrag 1 „alt-system-17“: unverändert\n"
        "0 angelegt, 0 aktualisiert, 1 unverändert, 0 abgelehnt, 0 fehlgeschlagen.\n"
    )
    assert error is None
    event.refresh_from_db()
    assert (event.version, event.updated_at, Revision.objects.filter(event=event).count()) == saved
    assert Event.objects.filter(import_ref="alt-system-17").count() == 1


def test_reimporting_its_own_export_changes_nothing(seed, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(export(), encoding="utf-8")
    versions = dict(Event.objects.values_list("pk", "version"))
    out, error = run(path)
    assert error is None
    assert out.endswith("0 angelegt, 0 aktualisiert, 3 unverändert, 0 abgelehnt, 0 fehlgeschlagen.\n")
    assert dict(Event.objects.values_list("pk", "version")) == versions


def test_an_outdated_export_is_refused_and_the_editors_later_change_kept(seed, tmp_path):
    records = json.loads(json.dumps(export_records()))
    event = Event.objects.get(public_id=records[0]["id"])
    records[0]["summary"] = "In der alten Datei geändert"
    event.title = "Von der Redaktion korrigiert"
    event.save()  # after the export

    out, error = run(write_json(tmp_path, records[:1]))

    assert out == (
        f"Eintrag 1 „{event.slug}“: abgelehnt – version: Der Termin wurde seit der Version, auf der Ihre "
        "Änderung beruht, geändert; laden Sie ihn erneut.\n"
    )
    assert error == f"0 angelegt, 0 aktualisiert, 0 unverändert, 1 abgelehnt, 0 fehlgeschlagen. {SUMMARY_REFUSED}"
    assert Event.objects.filter(pk=event.pk, title=event.title, summary=event.summary).exists()


def test_refused_records_are_reported_and_the_valid_ones_imported(seed, tmp_path):
    records = [
        {"title": "Gut", "kind": "meeting", "date": "2024"},
        {"title": "Schlecht", "kind": "meeting", "date": "2024-02-30"},
        {"title": "Unbekanntes Thema", "kind": "meeting", "date": "2024", "topics": ["raumfahrt"]},
        {"title": "Vertippt", "kind": "meeting", "date": "2024", "locaton": "Rom"},
        {"title": "Ohne Namen", "kind": "meeting", "date": "2024", "participants": [{"name": "A"}, {"role": "B"}]},
    ]

    out, error = run(write_json(tmp_path, records))

    lines = out.splitlines()
    assert lines[2].startswith("Eintrag 3 „Unbekanntes Thema“: abgelehnt – topics: ") and "raumfahrt" in lines[2]
    assert lines[:2] + lines[3:] == [
        "Eintrag 1 „Gut“: angelegt",
        "Eintrag 2 „Schlecht“: abgelehnt – date: Der Februar 2024 hat keinen 30. Tag; er hat 29 Tage.",
        "Eintrag 4 „Vertippt“: abgelehnt – locaton: Unbekanntes Feld.",
        "Eintrag 5 „Ohne Namen“: abgelehnt – participants[2].name: Dieses Feld ist zwingend erforderlich.",
    ]
    assert error == f"1 angelegt, 0 aktualisiert, 0 unverändert, 4 abgelehnt, 0 fehlgeschlagen. {SUMMARY_REFUSED}"
    assert list(Event.objects.filter(title__in=[r["title"] for r in records]).values_list("title", flat=True)) == [
        "Gut"
    ]


def test_an_unreadable_publication_time_refuses_its_record_and_the_import_goes_on(seed, tmp_path):
    records = [
        {"import_ref": "a", "title": "Vorher", "kind": "meeting", "date": "2024"},
        {"import_ref": "b", "title": "Gestern", "kind": "meeting", "date": "2024", "first_published_at": "gestern"},
        {"import_ref": "c", "title": "Nachher", "kind": "meeting", "date": "2024", "updated_at": "2024-02-30T10:00"},
        {"import_ref": "d", "title": "Ohne Zone", "kind": "meeting", "date": "2024", "status": "published",
         "first_published_at": "2024-06-26T10:00:00"},
    ]  # fmt: skip

    out, error = run(write_json(tmp_path, records))

    assert out.splitlines() == [
        "Eintrag 1 „a“: angelegt",
        "Eintrag 2 „b“: abgelehnt – first_published_at: „gestern“ ist keine lesbare Zeit "
        "(zum Beispiel 2025-06-26T10:00:00+02:00).",
        "Eintrag 3 „c“: abgelehnt – updated_at: „2024-02-30T10:00“ ist keine lesbare Zeit "
        "(zum Beispiel 2025-06-26T10:00:00+02:00).",
        "Eintrag 4 „d“: angelegt",
    ]
    assert error.startswith("2 angelegt, 0 aktualisiert, 0 unverändert, 2 abgelehnt, 0 fehlgeschlagen.")
    assert sorted(Event.objects.exclude(import_ref=None).values_list("import_ref", flat=True)) == ["a", "d"]
    # A time without a zone is the site's (Europe/Berlin, summer time).
    assert Event.objects.get(import_ref="d").first_published_at.isoformat() == "2024-06-26T08:00:00+00:00"


def test_a_local_time_that_does_not_exist_is_refused_with_the_admins_message(seed, tmp_path):
    records = [
        {"import_ref": "a", "title": "Sommerzeit", "kind": "meeting", "date": "2027", "status": "published",
         "publish_at": "2027-03-28T02:30:00"},
        {"import_ref": "b", "title": "Erster Abruf", "kind": "meeting", "date": "2027", "status": "published",
         "first_published_at": "2027-10-31T02:30:00"},
    ]  # fmt: skip
    out, error = run(write_json(tmp_path, records))
    assert error.startswith("0 angelegt")
    lines = out.splitlines()
    assert lines[0].startswith("Eintrag 1 „a“: abgelehnt – publish_at: 2027-03-28 02:30:00 konnte mit der Zeitzone")
    assert lines[1].startswith("Eintrag 2 „b“: abgelehnt – first_published_at: 2027-10-31 02:30:00 konnte mit der")
    assert not Event.objects.filter(import_ref__in=["a", "b"]).exists()


def test_each_outcome_is_printed_when_its_record_is_saved(seed, tmp_path):
    class Recorder(io.StringIO):
        """Notes how many events exist when each line is printed."""

        def __init__(self):
            super().__init__()
            self.seen = []

        def write(self, text):
            self.seen.append((text.strip(), Event.objects.count()))
            return super().write(text)

    records = [{"title": f"Termin {n}", "kind": "meeting", "date": "2024"} for n in (1, 2)]
    stdout = Recorder()
    run(write_json(tmp_path, records), stdout=stdout)
    assert stdout.seen == [
        ("Eintrag 1 „Termin 1“: angelegt", 4),
        ("Eintrag 2 „Termin 2“: angelegt", 5),
        ("2 angelegt, 0 aktualisiert, 0 unverändert, 0 abgelehnt, 0 fehlgeschlagen.", 5),
    ]


def test_progress_bar_only_on_a_terminal(seed, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = write_json(tmp_path, [{"title": f"Termin {n}", "kind": "meeting", "date": "2024"} for n in (1, 2)])
    on_terminal = run(path, stdout=Terminal())[0]
    assert "0/2" in on_terminal and "\r" in on_terminal
    assert "Eintrag 2 „Termin 2“: angelegt\n" in on_terminal
    assert "\r" not in run(path)[0]


def test_atomic_import_imports_nothing_when_one_record_is_refused(seed, tmp_path):
    records = [{"title": "Gut", "kind": "meeting", "date": "2024"}, {"title": "", "kind": "meeting", "date": "2024"}]
    out, error = run(write_json(tmp_path, records), "--atomic")
    assert out == "Eintrag 1 „Gut“: angelegt\nEintrag 2: abgelehnt – title: Dieses Feld darf nicht leer sein.\n"
    assert error.endswith("Es wurde nichts importiert (--atomic).")
    assert not Event.objects.filter(title="Gut").exists()


def test_csv_import_with_documented_columns(seed, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "import_ref,title,kind,date,location,countries,topics,participants,sources,status\n"
        "csv-1,Treffen in Tokio,meeting,26.06.2025,Tokio,DE;JP,economic-security,"
        '"Minoru Kiuchi (城内実)|Minister|Regierung von Japan|JP; Katherina Reiche|Bundesministerin||DE",'
        "https://www.example.org/p|Pressemitteilung|BMWE,published\n",
        encoding="utf-8",
    )
    assert run(path) == (
        "Zeile 2 „csv-1“: angelegt\n1 angelegt, 0 aktualisiert, 0 unverändert, 0 abgelehnt, 0 fehlgeschlagen.\n",
        None,
    )
    event = Event.objects.get(import_ref="csv-1")
    assert event.date == "2025-06-26"
    assert [p.name for p in event.participants.all()] == ["Minoru Kiuchi (城内実)", "Katherina Reiche"]
    assert event.participants.all()[1].organisation == ""
    assert [s.url for s in event.sources.all()] == ["https://www.example.org/p"]
    assert [t.slug for t in event.topics.all()] == ["economic-security"]
    assert event.is_public()
    assert run(path)[0].startswith("Zeile 2 „csv-1“: unverändert\n")


def test_csv_import_reads_the_english_columns(seed, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "import_ref;title;title_en;kind;date;location;location_en;summary;summary_en;body;body_en\n"
        "csv-en;Treffen in Tokio;Meeting in Tokyo;meeting;2025;Tokio;Tokyo;Gespräch.;Talks.;<p>Text</p>;<p>Text</p>\n",
        encoding="utf-8",
    )
    assert run(path)[1] is None
    event = Event.objects.get(import_ref="csv-en")
    assert (event.title_de, event.title_en, event.place_de, event.place_en, event.summary_en, event.body_en) == (
        "Treffen in Tokio",
        "Meeting in Tokyo",
        "Tokio",
        "Tokyo",
        "Talks.",
        "<p>Text</p>",
    )


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_detected_as_german_excel_writes_it(seed, tmp_path, delimiter):
    text = io.StringIO()
    rows = [
        ["import_ref", "title", "kind", "date", "location", "countries", "participants", "summary"],
        ["excel-1", "Treffen in Tokio", "meeting", "26.06.2025", "Tokio; Kantei", "DE;JP",
         "Minoru Kiuchi|Minister|Regierung von Japan|JP; Katherina Reiche|Bundesministerin||DE", 'Er sagte: "Ja"'],
        [""] * 8,  # a formatted but empty row
        ["excel-2", "Zweites Treffen", "meeting", "März 2023", "Berlin", "DE", "", ""],
    ]  # fmt: skip
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "Termine.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode())  # Excel's "CSV UTF-8" starts with a BOM

    out, error = run(path)

    assert (out, error) == (
        "Zeile 2 „excel-1“: angelegt\nZeile 4 „excel-2“: angelegt\n"
        "2 angelegt, 0 aktualisiert, 0 unverändert, 0 abgelehnt, 0 fehlgeschlagen.\n",
        None,
    )
    event = Event.objects.get(import_ref="excel-1")
    assert (event.place, event.summary) == ("Tokio; Kantei", 'Er sagte: "Ja"')
    assert [country.code for country in event.countries] == ["DE", "JP"]
    assert [p.name for p in event.participants.all()] == ["Minoru Kiuchi", "Katherina Reiche"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("import_ref,title,kind,date,locaton", "Unbekannte Spalte „locaton“. Bekannte Spalten: import_ref, id, slug, "
         "title, title_en, kind, date, location, location_en, countries, topics, series, summary, summary_en, body, "
         "body_en, participants, sources, status, publish_at, change_note, change_note_en."),
        ("import_ref;Titel;kind;date;Ort", "Unbekannte Spalten „Titel“, „Ort“."),
        ("import_ref,title,kind,date,title", "Spalte „title“ kommt mehrfach vor."),
    ],
)  # fmt: skip
def test_csv_with_an_unknown_or_repeated_column_is_refused_whole(seed, tmp_path, header, message):
    delimiter = ";" if ";" in header else ","
    path = tmp_path / "batch.csv"
    path.write_text(f"{header}\nneu-1{delimiter}Treffen{delimiter}meeting{delimiter}2024{delimiter}Berlin\n")
    out, error = run(path)
    assert out == ""
    assert error.startswith(f"Aus {path} wurde nichts importiert: {message}")
    assert not Event.objects.filter(import_ref="neu-1").exists()


def test_csv_outcomes_name_the_line_each_record_starts_on(seed, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "import_ref,title,kind,date,body,participants\n"
        'z-1,Eins,meeting,2024,"<p>Absatz eins</p>\n<p>Absatz zwei</p>",\n'
        "z-2,Zwei,meeting,2024-02-30,,\n"
        "\n"
        "z-3,Drei,meeting,2024,,[kaputt\n"
        "z-4,Tokio, Japan,meeting,2024,,Katherina Reiche\n",
        encoding="utf-8",
    )
    out, error = run(path)
    assert out.splitlines() == [
        "Zeile 2 „z-1“: angelegt",
        "Zeile 4 „z-2“: abgelehnt – date: Der Februar 2024 hat keinen 30. Tag; er hat 29 Tage.",
        "Zeile 6 „z-3“: abgelehnt – participants: Kein lesbares JSON: Expecting value: line 1 column 2 (char 1)",
        "Zeile 7 „z-4“: abgelehnt – Spalte 7: Ein Wert ohne Spaltenüberschrift.",
    ]
    assert error.startswith("1 angelegt, 0 aktualisiert, 0 unverändert, 3 abgelehnt, 0 fehlgeschlagen.")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.json", "{not json", "Expecting property name enclosed in double quotes"),
        ("x.json", '{"title": "x"}', "Eine JSON-Importdatei enthält eine Liste von Termin-Objekten."),
        ("x.csv", b"\xff\xfe", "Die Datei ist nicht in UTF-8 gespeichert (in Excel: „CSV UTF-8“)."),
        ("x.csv", "title;date\nGrüße;2024\n".encode("cp1252"), "Die Datei ist nicht in UTF-8 gespeichert"),
        ("x.csv", "", "Die Datei hat keine Kopfzeile mit den Namen der Spalten."),
    ],
)
def test_unreadable_file_is_a_clear_error(db, tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out, error = run(path)
    assert out == ""
    assert error.startswith(f"Aus {path} wurde nichts importiert: ") and reason in error


def test_import_cannot_invent_topics(seed, tmp_path):
    _, error = run(write_json(tmp_path, [{"title": "x", "kind": "meeting", "date": "2024", "topics": ["neu"]}]))
    assert error
    assert not Topic.objects.filter(slug="neu").exists()


@contextmanager
def participants_table_busy():
    """A second connection holds a lock on the participants' table: other writers to it wait,
    briefly, and fail as under a long write elsewhere (PostgreSQL: a lock timeout; SQLite's
    shared-cache test database: "database table is locked")."""
    other = connection.get_new_connection(connection.get_connection_params())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            other.execute("LOCK TABLE timeline_participant IN EXCLUSIVE MODE")
            cursor.execute("SET lock_timeout = '200ms'")
        else:
            other.execute("BEGIN")
            other.execute("SELECT count(*) FROM timeline_participant").fetchall()
        try:
            yield
        finally:
            other.rollback()
            other.close()
            if connection.vendor == "postgresql":
                cursor.execute("RESET lock_timeout")


@pytest.mark.django_db(transaction=True)  # each record commits, as outside tests; no test transaction holds locks
def test_busy_database_fails_one_record_the_import_goes_on_and_a_rerun_completes(tmp_path):
    records = [
        {"import_ref": "a", "title": "Ohne Teilnehmer", "kind": "meeting", "date": "2024"},
        {"import_ref": "b", "title": "Mit Teilnehmer", "kind": "meeting", "date": "2024",
         "participants": [{"name": "Katherina Reiche"}]},
        {"import_ref": "c", "title": "Auch ohne", "kind": "meeting", "date": "2024"},
    ]  # fmt: skip
    path = write_json(tmp_path, records)

    with participants_table_busy():
        out, error = run(path)

    first, second, third = out.splitlines()
    assert (first, third) == ("Eintrag 1 „a“: angelegt", "Eintrag 3 „c“: angelegt")
    assert second.startswith("Eintrag 2 „b“: fehlgeschlagen – Datenbankfehler, bitte erneut versuchen: ")
    assert "lock" in second
    assert error == f"2 angelegt, 0 aktualisiert, 0 unverändert, 0 abgelehnt, 1 fehlgeschlagen. {SUMMARY_REFUSED}"
    assert sorted(Event.objects.values_list("import_ref", flat=True)) == ["a", "c"]

    out, error = run(path)

    assert out.splitlines()[:3] == [
        "Eintrag 1 „a“: unverändert",
        "Eintrag 2 „b“: angelegt",
        "Eintrag 3 „c“: unverändert",
    ]
    assert error is None


def test_rerunning_an_import_does_not_undo_an_editors_later_change(seed, tmp_path, editor):
    from rest_framework.test import APIClient

    records = [{"import_ref": "r-1", "title": "Entwurf", "kind": "meeting", "date": "2025", "location": "Berlin"}]
    path = write_json(tmp_path, records)
    assert run(path)[1] is None
    event = Event.objects.get(import_ref="r-1")
    client = APIClient()
    client.force_authenticate(editor)
    changed = {"location": "Tokio", "version": event.version}
    assert client.patch(f"/api/events/{event.public_id}/", changed, format="json").status_code == 200

    out, error = run(path)
    event.refresh_from_db()
    assert event.place == "Tokio"  # the editor's change stands
    assert out.startswith("Eintrag 1 „r-1“: abgelehnt – version: ")
    assert "redakteurin" in out and f"version {event.version}" in out
    assert error.startswith("0 angelegt, 0 aktualisiert, 0 unverändert, 1 abgelehnt")

    # Given the version, the record overwrites it, as asked.
    path = write_json(tmp_path, [{**records[0], "version": event.version}])
    assert run(path)[1] is None
    event.refresh_from_db()
    assert event.place == "Berlin"
