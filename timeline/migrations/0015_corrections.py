import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def corrections_from_revisions(apps, schema_editor):
    """Each event's corrections as its page listed them until now: every new change note among
    its revisions in the published state, oldest first."""
    Event = apps.get_model("timeline", "Event")
    Revision = apps.get_model("timeline", "Revision")
    Correction = apps.get_model("timeline", "Correction")
    events = dict(Event.objects.values_list("public_id", "pk"))
    last_note: dict = {}
    made = []
    for public_id, when, data, status in Revision.objects.order_by("created_at", "pk").values_list(
        "event_public_id", "created_at", "data", "status"
    ):
        note = (data or {}).get("change_note") or ""
        if note and note != last_note.get(public_id, "") and status == "published" and public_id in events:
            made.append(Correction(event_id=events[public_id], note=note[:500], created_at=when))
        last_note[public_id] = note
    Correction.objects.bulk_create(made)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0014_series_timeline_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Correction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("note", models.CharField(max_length=500, verbose_name="public change note")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="when")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="corrections", to="timeline.event"
                    ),
                ),
            ],
            options={
                "verbose_name": "correction",
                "verbose_name_plural": "corrections",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.RunPython(corrections_from_revisions, migrations.RunPython.noop),
    ]
