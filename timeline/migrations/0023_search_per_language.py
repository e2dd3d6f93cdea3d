import functools
import importlib
import operator

from django.db import migrations, models

# The GIN index PostgreSQL's search reads (timeline.filters.search_vector): each language's text
# with its text search configuration and every word as written ("simple"), as one tsvector, so a
# query's terms, and its excluded terms above all, hold across all of an event's texts. The query
# writes the same expression, so the planner matches it with the index.
SEARCH_INDEX = "event_search_idx"
SEARCHED_DOCUMENTS = [
    ("search_document_de", "german"),
    ("search_document_en", "english"),
    ("search_document", "simple"),
]
# The indexes of 0013, over the one column with both languages' words.
earlier = importlib.import_module("timeline.migrations.0013_search_document")


def rebuild_search_documents(apps, schema_editor):
    """Write every event's search texts again, the German and English ones apart.

    The live rule, as in 0017: the search texts are derived data, so the current rule is the right
    one for old rows; given the participants, it reads only the event's per-language fields, which
    exist from 0022 on. This is the one rebuild an older database runs (0017 and 0021 leave it here).
    """
    from timeline.models import make_search_documents

    Event = apps.get_model("timeline", "Event")
    batch, columns = [], None
    for event in Event.objects.prefetch_related("participants").iterator(chunk_size=500):
        people = [(p.name, p.original_name, p.role, p.organisation) for p in event.participants.all()]
        documents = make_search_documents(event, participants=people)
        for column, document in documents.items():
            setattr(event, column, document)
        columns = list(documents)
        batch.append(event)
        if len(batch) == 500:
            Event.objects.bulk_update(batch, columns)
            batch = []
    if batch:
        Event.objects.bulk_update(batch, columns)


def search_index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = functools.reduce(
        operator.add, (SearchVector(column, config=config) for column, config in SEARCHED_DOCUMENTS)
    )
    return GinIndex(vector, name=SEARCH_INDEX)


def create_search_index(apps, schema_editor):
    # On PostgreSQL only: SQLite's search reads `search_document` with LIKE, without an index.
    if schema_editor.connection.vendor != "postgresql":
        return
    earlier.drop_search_indexes(apps, schema_editor)
    Event = apps.get_model("timeline", "Event")
    schema_editor.add_index(Event, search_index())


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Event = apps.get_model("timeline", "Event")
    schema_editor.remove_index(Event, search_index())
    earlier.create_search_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0022_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="search_document_de",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text (German)"),
        ),
        migrations.AddField(
            model_name="event",
            name="search_document_en",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text (English)"),
        ),
        # Going back keeps `search_document` as this rule wrote it: both languages' words, as before.
        migrations.RunPython(rebuild_search_documents, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
