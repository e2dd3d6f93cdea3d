"""The events of the seed press release (BMWE, 26 June 2025), as records.

Each event has a fixed public identifier, so loading the seed again finds it instead of adding
a copy. Summaries are written for this service; the release is the source. The English texts
(`*_en`) were written for this service from the German release, not machine-translated; the
German ones are the source.
"""

import datetime
import uuid
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
RELEASE_PUBLISHED = datetime.datetime(2025, 6, 26, 12, 0, tzinfo=BERLIN)

PRESS_RELEASE = {
    "url": "https://www.bundeswirtschaftsministerium.de/",
    "title": (
        "Pressemitteilung vom 26.06.2025: Bundesministerin Katherina Reiche trifft japanischen "
        "Minister für Wirtschaftssicherheit Minoru Kiuchi"
    ),
    "publisher": "Bundesministerium für Wirtschaft und Energie (BMWE)",
}

TOPICS = [
    {"slug": "economic-security", "name": "Wirtschaftssicherheit", "name_en": "Economic security"},
    {"slug": "critical-raw-materials", "name": "Kritische Rohstoffe", "name_en": "Critical raw materials"},
]

SERIES = [
    {
        "slug": "german-japanese-economic-security-dialogue",
        "name": "Deutsch-Japanischer Wirtschaftssicherheitsdialog",
        "description": (
            "Seit Ende 2024 bestehender Dialog Deutschlands und Japans über gemeinsame "
            "Herausforderungen und Handlungsfelder der Wirtschaftssicherheit."
        ),
        "name_en": "German-Japanese Economic Security Dialogue",
        "description_en": (
            "Germany and Japan's dialogue, held since late 2024, on the challenges they share in "
            "economic security and where to act on them together."
        ),
    },
]

EVENTS = [
    {
        "public_id": uuid.UUID("5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a01"),
        "slug": "reiche-trifft-kiuchi-berlin-2025",
        "title": "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi",
        "kind": "meeting",
        "date": "2025-06-26",
        "place": "Berlin",
        "countries": ["DE", "JP"],
        "summary": (
            "Katherina Reiche und Minoru Kiuchi sprachen in Berlin über engere Zusammenarbeit in der "
            "Wirtschaftssicherheit und bei der Sicherung kritischer Rohstoffe. Der bestehende "
            "Wirtschaftssicherheitsdialog beider Länder soll ausgebaut werden."
        ),
        "title_en": "Minister Reiche meets Japan's Minister for Economic Security, Kiuchi",
        "summary_en": (
            "Meeting in Berlin, Katherina Reiche and Minoru Kiuchi discussed working more closely on "
            "economic security and on securing critical raw materials. The two countries mean to "
            "widen the economic security dialogue they already hold."
        ),
        "body_en": (
            "<p>Germany and Japan face similar geopolitical challenges and want to become more "
            "resilient together. Japan is seen as a pioneer in economic security, and Germany wants "
            "to learn from what it has done.</p>"
            "<p>Both sides intend to step up their exchange on securing raw materials, critical raw "
            "materials above all, and to give it concrete form.</p>"
        ),
        "place_en": "Berlin",
        "body": (
            "<p>Deutschland und Japan stehen vor ähnlichen geopolitischen Herausforderungen und wollen "
            "sich gemeinsam resilienter aufstellen. Japan gilt in der Wirtschaftssicherheit als "
            "Vorreiter; Deutschland will von seinen Erfahrungen lernen.</p>"
            "<p>Beide Seiten wollen den Austausch zur Rohstoffsicherung, insbesondere zu kritischen "
            "Rohstoffen, intensivieren und konkretisieren.</p>"
        ),
        "participants": [
            {
                "name": "Katherina Reiche",
                "role": "Bundesministerin für Wirtschaft und Energie",
                "organisation": "Bundesministerium für Wirtschaft und Energie (BMWE)",
                "country": "DE",
            },
            {
                "name": "Minoru Kiuchi",
                "original_name": "城内実",
                "original_language": "ja",
                "role": "Minister für Wirtschaftssicherheit",
                "organisation": "Regierung von Japan",
                "country": "JP",
            },
        ],
        "topics": ["economic-security", "critical-raw-materials"],
        "series": "german-japanese-economic-security-dialogue",
    },
    {
        "public_id": uuid.UUID("5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a02"),
        "slug": "erste-deutsch-japanische-regierungskonsultationen-2023",
        "title": "Erste Deutsch-Japanische Regierungskonsultationen mit Fokus auf Wirtschaftssicherheit",
        "kind": "consultation",
        # The release says only "2023"; the consultations were held in Tokyo on 18 March 2023.
        "date": "2023-03-18",
        "place": "Tokio",
        "countries": ["DE", "JP"],
        "summary": (
            "Die ersten Regierungskonsultationen zwischen Deutschland und Japan stellten die "
            "Wirtschaftssicherheit in den Mittelpunkt."
        ),
        "title_en": "First German-Japanese government consultations, centred on economic security",
        "summary_en": (
            "The first government consultations between Germany and Japan put economic security at their centre."
        ),
        "place_en": "Tokyo",
        "body": "",
        "participants": [
            {
                "name": "Olaf Scholz",
                "role": "Bundeskanzler",
                "organisation": "Bundesregierung",
                "country": "DE",
            },
            {
                "name": "Fumio Kishida",
                "original_name": "岸田文雄",
                "original_language": "ja",
                "role": "Premierminister",
                "organisation": "Regierung von Japan",
                "country": "JP",
            },
        ],
        "topics": ["economic-security"],
        "series": None,
    },
    {
        "public_id": uuid.UUID("5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a03"),
        "slug": "deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert",
        "title": "Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert",
        "kind": "dialogue",
        # "Ende 2024": only the quarter is known.
        "date": "Ende 2024",
        "place": "",
        "countries": ["DE", "JP"],
        "summary": (
            "Deutschland und Japan richteten einen Dialog zur Wirtschaftssicherheit ein, der gemeinsame "
            "Herausforderungen und Handlungsfelder benennt und fortgesetzt werden soll."
        ),
        "title_en": "German-Japanese economic security dialogue set up",
        "summary_en": (
            "Germany and Japan set up a dialogue on economic security that names the challenges and "
            "fields of action they share; it is to continue."
        ),
        "body": "",
        "participants": [],
        "topics": ["economic-security"],
        "series": "german-japanese-economic-security-dialogue",
    },
]
