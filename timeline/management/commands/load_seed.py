"""`manage.py load_seed`: load the events of the seed press release; safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from timeline import seed
from timeline.models import Event, Participant, Series, SourceLink, Topic


def texts(data: dict, *fields: str) -> dict:
    """A seed record's texts as the per-language columns: {"title_de": …, "title_en": …}."""
    columns = {}
    for field in fields:
        columns[f"{field}_de"] = data.get(field) or None
        columns[f"{field}_en"] = data.get(f"{field}_en") or None
    return columns


def add_missing_english(record, data: dict, *fields: str) -> bool:
    """Give a record loaded by an earlier version of the seed its English texts, where it has
    none, through its own save (search text, content version); an English text an editor wrote
    since is kept. Whether anything was added."""
    missing = {
        column: value
        for column, value in texts(data, *fields).items()
        if column.endswith("_en") and value and not getattr(record, column)
    }
    for column, value in missing.items():
        setattr(record, column, value)
    if missing:
        record.save()
    return bool(missing)


class Command(BaseCommand):
    help = (
        "Create the events of the seed press release. Existing seed records are left unchanged, "
        "but for English texts they lack."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        topics = {}
        for data in seed.TOPICS:
            topics[data["slug"]], created = Topic.get_or_create_by_slug(data["slug"], texts(data, "name"))
            if not created:
                add_missing_english(topics[data["slug"]], data, "name")
        series = {}
        for data in seed.SERIES:
            series[data["slug"]], created = Series.get_or_create_by_slug(
                data["slug"], texts(data, "name", "description")
            )
            if not created:
                add_missing_english(series[data["slug"]], data, "name", "description")

        created = translated = 0
        for data in seed.EVENTS:
            existing = Event.objects.filter(public_id=data["public_id"]).first()
            if existing:
                translated += add_missing_english(existing, data, "title", "summary", "body", "place")
                continue
            event = Event(
                public_id=data["public_id"],
                slug=data["slug"],
                kind=data["kind"],
                date=data["date"],
                countries=data["countries"],
                series=series.get(data["series"]),
                **texts(data, "title", "summary", "body", "place"),
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
        self.stdout.write(
            f"Seed events: {created} created, {unchanged} already present"
            + (f" ({translated} given their English texts)." if translated else " (left unchanged).")
        )
