"""`manage.py generate_events N`: realistic synthetic events for load tests and demos.

Dates of every precision, several countries, topics, series, participants with German and
Japanese names, bodies of a few paragraphs; mostly published, some drafts, some scheduled.
Deterministic for a given --seed. Rows are written in bulk, with the derived fields (date
bounds, slug, first publication) computed exactly as Event.save() would.
"""

import datetime
import random
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from timeline.cache import content_changed
from timeline.dates import parse_event_date
from timeline.models import Event, Participant, Series, SourceLink, Topic, make_search_documents, make_slug

TOPICS = [
    ("economic-security", "Wirtschaftssicherheit", "Economic security"),
    ("critical-raw-materials", "Kritische Rohstoffe", "Critical raw materials"),
    ("energy", "Energie", "Energy"),
    ("hydrogen", "Wasserstoff", "Hydrogen"),
    ("trade", "Handel", "Trade"),
    ("semiconductors", "Halbleiter", "Semiconductors"),
    ("climate", "Klimaschutz", "Climate action"),
    ("digital", "Digitalisierung", "Digitalisation"),
    ("research", "Forschung und Innovation", "Research and innovation"),
    ("security-policy", "Sicherheitspolitik", "Security policy"),
    ("culture", "Kultur", "Culture"),
    ("development", "Entwicklungszusammenarbeit", "Development cooperation"),
]
SERIES = [
    (
        "german-japanese-economic-security-dialogue",
        "Deutsch-Japanischer Wirtschaftssicherheitsdialog",
        "German-Japanese Economic Security Dialogue",
    ),
    (
        "german-japanese-government-consultations",
        "Deutsch-Japanische Regierungskonsultationen",
        "German-Japanese Government Consultations",
    ),
    ("g7-trade-ministers", "Treffen der G7-Handelsminister", "G7 Trade Ministers' Meeting"),
    ("energy-partnership-japan", "Deutsch-Japanische Energiepartnerschaft", "German-Japanese Energy Partnership"),
    ("raw-materials-dialogue", "Rohstoffdialog", "Raw Materials Dialogue"),
]
COUNTRIES = ["JP", "FR", "US", "GB", "IT", "CA", "KR", "IN", "AU", "PL", "NL", "ES", "BR", "ZA", "SG", "VN", "ID", "CL"]
PLACES = ["Berlin", "Tokio", "Osaka", "Paris", "Brüssel", "Washington", "London", "Rom", "Seoul", "Neu-Delhi",
          "Videokonferenz", "Hannover", "München", "Hamburg", "Yokohama", "Genf", "Singapur", "Canberra"]  # fmt: skip
# The English of the places whose German name differs.
PLACES_EN = {"Tokio": "Tokyo", "Brüssel": "Brussels", "Rom": "Rome", "Neu-Delhi": "New Delhi",
             "Videokonferenz": "Video conference", "München": "Munich", "Genf": "Geneva",
             "Singapur": "Singapore"}  # fmt: skip
# (name in Latin script, office, organisation, country, name in its original script, its language)
PEOPLE = [
    ("Katherina Reiche", "Bundesministerin für Wirtschaft und Energie", "BMWE", "DE", "", ""),
    ("Minoru Kiuchi", "Minister für Wirtschaftssicherheit", "Regierung von Japan", "JP", "城内実", "ja"),
    ("Yōko Kamikawa", "Außenministerin", "Regierung von Japan", "JP", "上川陽子", "ja"),
    ("Ken Saitō", "Minister für Wirtschaft, Handel und Industrie", "METI", "JP", "齋藤健", "ja"),
    ("Jürgen Groß", "Staatssekretär", "BMWE", "DE", "", ""),
    ("Sophie Müller-Lüdenscheidt", "Botschafterin", "Auswärtiges Amt", "DE", "", ""),
    ("Haruka Satō", "Generaldirektorin", "JETRO", "JP", "佐藤遥", "ja"),
    ("Claire Dubois", "Ministre déléguée", "Gouvernement français", "FR", "", ""),
    ("Min-jun Kim", "Vizeminister", "MOTIE", "KR", "김민준", "ko"),
]
KIND_TITLES = {
    "meeting": "{person} trifft {other} in {place}",
    "visit": "Besuch in {place}: Gespräche über {topic}",
    "consultation": "Regierungskonsultationen in {place} mit Fokus auf {topic}",
    "dialogue": "Dialog zu {topic} in {place}",
    "agreement": "Abkommen über {topic} unterzeichnet",
    "conference": "Konferenz „{topic}“ in {place}",
    "statement": "Gemeinsame Erklärung zu {topic}",
    "other": "Austausch zu {topic}",
}
KIND_TITLES_EN = {
    "meeting": "{person} meets {other} in {place}",
    "visit": "Visit to {place}: talks on {topic}",
    "consultation": "Government consultations in {place} centred on {topic}",
    "dialogue": "Dialogue on {topic} in {place}",
    "agreement": "Agreement on {topic} signed",
    "conference": "Conference “{topic}” in {place}",
    "statement": "Joint statement on {topic}",
    "other": "Exchange on {topic}",
}
PARAGRAPHS = [
    "Beide Seiten bekräftigten ihre enge Partnerschaft und vereinbarten, die Zusammenarbeit zu vertiefen.",
    "Im Mittelpunkt standen Lieferketten, Investitionen und der Schutz kritischer Infrastruktur.",
    "Die Delegationen verständigten sich auf ein Arbeitsprogramm für die kommenden Monate.",
    "Vertreterinnen und Vertreter der Wirtschaft nahmen an einem anschließenden Round Table teil.",
    "Ein Folgetreffen ist für das kommende Jahr geplant.",
]
PARAGRAPHS_EN = [
    "Both sides affirmed their close partnership and agreed to deepen their cooperation.",
    "Supply chains, investment and the protection of critical infrastructure were at the centre.",
    "The delegations agreed on a programme of work for the coming months.",
    "Business representatives took part in a round table afterwards.",
    "A follow-up meeting is planned for next year.",
]


def random_date(rng: random.Random, today: datetime.date) -> str:
    """An EDTF date with a realistic mix of precisions, mostly in the past."""
    day = today - datetime.timedelta(days=rng.randint(-120, 25 * 365))
    roll = rng.random()
    if roll < 0.70:
        text = day.isoformat()
        if rng.random() < 0.06:
            text += "/" + (day + datetime.timedelta(days=rng.randint(1, 3))).isoformat()
        return text
    if roll < 0.80:
        return f"{day.year:04d}-{day.month:02d}" + ("~" if rng.random() < 0.2 else "")
    if roll < 0.88:
        return f"{day.year:04d}-{32 + (day.month - 1) // 3 + 1}"
    if roll < 0.93:
        return f"{day.year:04d}-{40 if day.month <= 6 else 41}"
    return f"{day.year:04d}" + ("~" if rng.random() < 0.3 else "")


class Command(BaseCommand):
    help = "Generate N synthetic events (deterministic per --seed) for benchmarks and demos."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, count: int, seed: int, batch_size: int, **options):
        if count < 0:
            raise CommandError("count must be zero or more")
        rng = random.Random(seed)  # noqa: S311  (synthetic data, not security)
        now = timezone.now()
        today = timezone.localdate()
        topics = [
            Topic.get_or_create_by_slug(slug, {"name_de": name, "name_en": english})[0]
            for slug, name, english in TOPICS
        ]
        series = [
            Series.get_or_create_by_slug(slug, {"name_de": name, "name_en": english})[0]
            for slug, name, english in SERIES
        ]
        run = uuid.UUID(int=rng.getrandbits(128)).hex[:6]
        created = 0
        while created < count:
            size = min(batch_size, count - created)
            with transaction.atomic():
                self._batch(rng, size, created, run, now, today, topics, series)
            created += size
            self.stdout.write(f"{created}/{count}", ending="\r")
        content_changed()  # bulk writes send no signals
        self.stdout.write(f"Generated {count} events.")

    def _batch(self, rng, size, offset, run, now, today, topics, series):
        events = []
        for number in range(offset, offset + size):
            kind = rng.choice(list(KIND_TITLES))
            place = rng.choice(PLACES)
            person, other = rng.sample(PEOPLE, 2)
            chosen_topics = rng.sample(topics, rng.randint(1, 3))
            words = {"person": person[0], "other": other[0], "place": place, "topic": chosen_topics[0].name_de}
            title = KIND_TITLES[kind].format(**words)
            parsed = parse_event_date(random_date(rng, today), check_edtf=False)  # well-formed by construction
            start, end = parsed.bounds()
            roll = rng.random()
            status = Event.Status.DRAFT if roll < 0.05 else Event.Status.PUBLISHED
            publish_at = now - datetime.timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60))
            if 0.05 <= roll < 0.07:
                publish_at = now + datetime.timedelta(hours=rng.randint(1, 24 * 30))  # scheduled
            summary = rng.sample(range(len(PARAGRAPHS)), 2)
            body = rng.sample(range(len(PARAGRAPHS)), rng.randint(2, 5))
            event = Event(
                title_de=title,
                slug=f"{make_slug(title, kind)[:80]}-{run}-{number}",
                kind=kind,
                date=parsed.edtf,
                date_start=start,
                date_end=end,
                date_precision=parsed.precision,
                place_de=place,
                countries=["DE", *rng.sample(COUNTRIES, rng.randint(1, 3))],
                series=rng.choice(series) if rng.random() < 0.3 else None,
                summary_de=" ".join(PARAGRAPHS[i] for i in summary),
                body_de="".join(f"<p>{PARAGRAPHS[i]}</p>" for i in body),
                status=status,
                publish_at=publish_at if status == Event.Status.PUBLISHED else None,
                first_published_at=publish_at if status == Event.Status.PUBLISHED else None,
            )
            if number % 2:
                # Every other event has its English texts too, as a press office translates some.
                english = {**words, "place": PLACES_EN.get(place, place), "topic": chosen_topics[0].name_en.lower()}
                event.title_en = KIND_TITLES_EN[kind].format(**english)
                event.summary_en = " ".join(PARAGRAPHS_EN[i] for i in summary)
                event.body_en = "".join(f"<p>{PARAGRAPHS_EN[i]}</p>" for i in body)
                event.place_en = english["place"]
            people = list(dict.fromkeys([person, other, *rng.sample(PEOPLE, rng.randint(0, 2))]))
            event._generated = (chosen_topics, people)
            documents = make_search_documents(
                event,
                participants=[
                    (name, original, role, organisation) for name, role, organisation, _c, original, _l in people
                ],
            )
            for column, document in documents.items():
                setattr(event, column, document)
            events.append(event)
        Event.objects.bulk_create(events, batch_size=500)
        saved = Event.objects.filter(slug__in=[e.slug for e in events]).values_list("slug", "pk")
        pks = dict(saved)
        through = Event.topics.through
        links, people, sources = [], [], []
        for event in events:
            pk = pks[event.slug]
            chosen_topics, participants = event._generated
            links.extend(through(event_id=pk, topic_id=topic.pk) for topic in chosen_topics)
            for position, (name, role, organisation, country, original, language) in enumerate(participants):
                people.append(
                    Participant(
                        event_id=pk,
                        name=name,
                        role=role,
                        organisation=organisation,
                        country=country,
                        original_name=original,
                        original_language=language,
                        position=position,
                    )
                )
            sources.append(
                SourceLink(event_id=pk, url=f"https://www.example.org/presse/{event.slug}", title="Pressemitteilung")
            )
        through.objects.bulk_create(links, batch_size=1000)
        Participant.objects.bulk_create(people, batch_size=1000)
        SourceLink.objects.bulk_create(sources, batch_size=1000)
