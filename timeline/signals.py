"""Every change to the records moves the content version, so cached feeds and pages are rebuilt.

Connected in TimelineConfig.ready(). Bulk writes that bypass signals (generate_events,
QuerySet.update) call timeline.cache.content_changed() themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache
from .models import (
    Correction,
    Event,
    FormerSeriesSlug,
    FormerTopicSlug,
    Participant,
    PreviousSlug,
    Series,
    SourceLink,
    Topic,
    make_search_documents,
)

WATCHED = (Event, Participant, SourceLink, Topic, Series, PreviousSlug, FormerTopicSlug, FormerSeriesSlug, Correction)


def content_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    if kwargs.get("action", "post_").startswith("post_"):
        cache.content_changed()


def participants_changed(sender, instance, **kwargs) -> None:
    """Keep the event's search texts in step with its participants."""
    if kwargs.get("raw"):
        return
    event = Event.objects.filter(pk=instance.event_id).first()
    if event is not None:  # gone already when the event itself is being deleted
        Event.objects.filter(pk=event.pk).update(**make_search_documents(event))


def connect() -> None:
    for model in WATCHED:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"revision-save-{model.__name__}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"revision-delete-{model.__name__}")
    m2m_changed.connect(content_changed, sender=Event.topics.through, dispatch_uid="revision-topics")
    post_save.connect(participants_changed, sender=Participant, dispatch_uid="search-participants-save")
    post_delete.connect(participants_changed, sender=Participant, dispatch_uid="search-participants-delete")
