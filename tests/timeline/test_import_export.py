"""import_events and export_events: the API's validation, re-runnable, exact round trip."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from timeline.models import Event, Topic


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def export() -> str:
    return run("export_events")


def test_export_wipe_import_export_is_identical(seed, tmp_path, make_event):
    make_event(title="Entwurf mit Quelle", status=Event.Status.DRAFT, publish_at=None, date="ca. März 2023")
    first = export()
    path = tmp_path / "events.json"
    path.write_text(first, encoding="utf-8")
    Event.objects.all().delete()
    report = run("import_events", str(path))
    assert "4 created, 0 updated, 0 refused." in report
    assert export() == first


def test_second_import_updates_by_import_ref_instead_of_duplicating(seed, tmp_path):
    records = [
        {"import_ref": "alt-system-17", "title": "Besuch in Osaka", "kind": "visit", "date": "März 2023",
         "countries": ["DE", "JP"], "topics": ["economic-security"], "status": "published"},
    ]  # fmt: skip
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert "#1 created: alt-system-17" in run("import_events", str(path))
    records[0]["title"] = "Besuch in Osaka (korrigiert)"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert "#1 updated: alt-system-17" in run("import_events", str(path))
    event = Event.objects.get(import_ref="alt-system-17")
    assert (event.title, event.date) == ("Besuch in Osaka (korrigiert)", "2023-03")
    assert Event.objects.filter(import_ref="alt-system-17").count() == 1


def test_refused_records_are_reported_and_the_valid_ones_imported(seed, tmp_path):
    records = [
        {"title": "Gut", "kind": "meeting", "date": "2024"},
        {"title": "Schlecht", "kind": "meeting", "date": "2024-02-30"},
        {"title": "Unbekanntes Thema", "kind": "meeting", "date": "2024", "topics": ["raumfahrt"]},
    ]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 created, 0 updated, 2 refused"):
        call_command("import_events", str(path), stdout=out)
    report = out.getvalue()
    assert "#1 created" in report
    assert "#2 refused: Schlecht" in report and "hat keinen 30. Tag" in report
    assert "#3 refused" in report and "raumfahrt" in report
    assert Event.objects.filter(title="Gut").exists()
    assert not Event.objects.filter(title__in=["Schlecht", "Unbekanntes Thema"]).exists()


def test_atomic_import_imports_nothing_when_one_record_is_refused(seed, tmp_path):
    records = [{"title": "Gut", "kind": "meeting", "date": "2024"}, {"title": "", "kind": "meeting", "date": "2024"}]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_events", str(path), "--atomic", stdout=io.StringIO())
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
    assert "1 created" in run("import_events", str(path))
    event = Event.objects.get(import_ref="csv-1")
    assert event.date == "2025-06-26"
    assert [p.name for p in event.participants.all()] == ["Minoru Kiuchi (城内実)", "Katherina Reiche"]
    assert event.participants.all()[1].organisation == ""
    assert [s.url for s in event.sources.all()] == ["https://www.example.org/p"]
    assert [t.slug for t in event.topics.all()] == ["economic-security"]
    assert event.is_public()


@pytest.mark.parametrize(
    ("name", "content"), [("x.json", "{not json"), ("x.json", '{"title": "x"}'), ("x.csv", b"\xff\xfe")]
)
def test_unreadable_file_is_a_clear_error(db, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_events", str(path), stdout=io.StringIO())


def test_import_cannot_invent_topics(seed, tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"title": "x", "kind": "meeting", "date": "2024", "topics": ["neu"]}]))
    with pytest.raises(CommandError):
        call_command("import_events", str(path), stdout=io.StringIO())
    assert not Topic.objects.filter(slug="neu").exists()
