"""`manage.py load_seed`: load the events of the seed press release; safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from timeline import seed
from timeline.models import Event, Participant, Series, SourceLink, Topic


class Command(BaseCommand):
    help = "Create the events of the seed press release. Existing seed records are left unchanged."

    @transaction.atomic
    def handle(self, *args, **options):
        topics = {}
        for data in seed.TOPICS:
            topics[data["slug"]], _created = Topic.objects.get_or_create(slug=data["slug"], defaults=data)
        series = {}
        for data in seed.SERIES:
            series[data["slug"]], _created = Series.objects.get_or_create(slug=data["slug"], defaults=data)

        created = 0
        for data in seed.EVENTS:
            if Event.objects.filter(public_id=data["public_id"]).exists():
                continue
            event = Event(
                public_id=data["public_id"],
                slug=data["slug"],
                title=data["title"],
                kind=data["kind"],
                date=data["date"],
                place=data["place"],
                countries=data["countries"],
                summary=data["summary"],
                body=data["body"],
                series=series.get(data["series"]),
                status=Event.Status.PUBLISHED,
                publish_at=seed.RELEASE_PUBLISHED,
            )
            # The same validation as the admin: a broken seed must fail loudly, not load.
            event.full_clean(exclude=["slug"])
            event.save()
            event.topics.set([topics[slug] for slug in data["topics"]])
            for position, participant in enumerate(data["participants"]):
                record = Participant(event=event, position=position, **participant)
                record.full_clean()
                record.save()
            source = SourceLink(event=event, **seed.PRESS_RELEASE)
            source.full_clean()
            source.save()
            created += 1

        unchanged = len(seed.EVENTS) - created
        self.stdout.write(f"Seed events: {created} created, {unchanged} already present (left unchanged).")
