"""Queries compiled once per process give what the ORM gives, with each run's own time and values."""

import datetime

import pytest
from django.utils import timezone

from timeline.models import Event, Series
from timeline.prepared import PreparedQueries


def fields(event: Event) -> dict:
    return {name: value for name, value in vars(event).items() if not name.startswith("_")}


def test_compiled_objects_are_the_objects_the_orm_makes(make_event):
    series = Series.objects.create(name="Dialog", slug="dialog")
    made = [
        make_event(title="Reiche trifft Kiuchi", date="2025-06-26", series=series, body="<p>Über Rohstoffe.</p>"),
        make_event(title="Dialog etabliert", date="Ende 2024", countries=["JP"], place=""),
        make_event(title="Konsultationen", date="2023", publish_at=timezone.now() + datetime.timedelta(days=1)),
    ]
    queries = PreparedQueries()
    for event in made:

        def build(now, slug):
            return Event.objects.public(now).filter(slug=slug).defer("search_document")

        compiled = queries.objects("public", build, values=(event.slug,))
        expected = list(build(timezone.now(), event.slug))
        assert [fields(found) for found in compiled] == [fields(found) for found in expected]
        if compiled:
            found = compiled[0]
            # Converted as the ORM converts: aware date-times, UUIDs, lists; the deferred field
            # is loaded when asked for, and the object saves like any other.
            assert timezone.is_aware(found.publish_at) and found.public_id == event.public_id
            assert found.countries == event.countries and found.get_deferred_fields() == {"search_document"}
            found.summary = "Geändert."
            found.save()
            assert Event.objects.get(pk=event.pk).summary == "Geändert."
    assert [len(queries.objects("public", build, values=(event.slug,))) for event in made] == [1, 1, 0]


def test_the_time_and_values_of_each_run_are_used(make_event):
    now = timezone.now()
    event = make_event(title="Geplant", publish_at=now + datetime.timedelta(hours=1))
    queries = PreparedQueries()

    def build(now, slug):
        return Event.objects.public(now).filter(slug=slug)

    assert queries.objects("public", build, now=now, values=(event.slug,)) == []
    later = now + datetime.timedelta(hours=2)
    assert queries.objects("public", build, now=later, values=(event.slug,)) == [event]
    assert queries.objects("public", build, now=later, values=("another-slug",)) == []


def test_a_query_joining_related_objects_is_refused_rather_than_half_made(make_event):
    event = make_event(series=Series.objects.create(name="Dialog", slug="dialog"))
    queries = PreparedQueries()
    with pytest.raises(ValueError, match="plain model objects"):
        queries.objects(
            "joined", lambda now, slug: Event.objects.select_related("series").filter(slug=slug), values=(event.slug,)
        )
