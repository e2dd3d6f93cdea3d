from django.db import migrations


def rebuild_search_documents(apps, schema_editor):
    """Write every event's search text again, in the folded form that queries now use."""
    # The live function, given the participants, reads only plain fields of the event; the
    # search text is derived data, so the current rule is the right one for old rows.
    from timeline.models import make_search_document

    Event = apps.get_model("timeline", "Event")
    batch = []
    for event in Event.objects.prefetch_related("participants").iterator(chunk_size=500):
        people = [(p.name, p.role, p.organisation) for p in event.participants.all()]
        event.search_document = make_search_document(event, participants=people)
        batch.append(event)
        if len(batch) == 500:
            Event.objects.bulk_update(batch, ["search_document"])
            batch = []
    Event.objects.bulk_update(batch, ["search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0016_countries_index"),
    ]

    operations = [
        # Going back leaves the folded text; the earlier code writes its own form on the next save.
        migrations.RunPython(rebuild_search_documents, migrations.RunPython.noop),
    ]
