"""schema.org structured data (JSON-LD) for event pages."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from .dates import DatePoint, EventDate
from .languages import SOURCE_LANGUAGE, text_language
from .models import Event

VIDEO_CONFERENCE_WORDS = ("video", "online", "virtuell", "virtual")
PHONE_CALL_WORDS = ("telefon", "phone")  # Telefonat, Telefonkonferenz, telefonisch, phone call
# Inside <script>, these could end the element or start a comment; JSON allows them escaped.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(path: str) -> str:
    """An absolute URL on the public site, built from SITE_URL (never from the Host header)."""
    return settings.SITE_URL + path


def iso_bounds(date: EventDate) -> tuple[str, str | None]:
    """startDate and endDate in ISO 8601 at the precision actually known: "2025-06-26", "2023-03"
    or "2023" (reduced precision is still an ISO 8601 date, which schema.org's Date is).

    Quarters and half-years become the months they span ("2024-36" is "2024-10" to "2024-12"),
    and EDTF's qualifiers (~ ? %) are dropped: neither is ISO 8601. A date is never given as a
    day it is not known to be.
    """
    start = date.start.as_interval_end(start=True)
    end_point: DatePoint = (date.end or date.start).as_interval_end(start=False)
    start_iso, end_iso = start.html_datetime(), end_point.html_datetime()
    return start_iso, (end_iso if end_iso != start_iso else None)


def is_online(place: str) -> bool:
    """Whether the place names an online meeting ("Videokonferenz", "online", "virtuell")."""
    return any(word in place.lower() for word in VIDEO_CONFERENCE_WORDS)


def place_jsonld(place: str) -> dict:
    """eventAttendanceMode and location for the free-text place, each only where it is known.

    Google's Event structured data requires a Place to have an address and a VirtualLocation
    to have a url (developers.google.com/search/docs/appearance/structured-data/event):

    - "Berlin": Offline, and a Place whose PostalAddress has the place as addressLocality;
    - "Videokonferenz": Online, and no location: no address to join it is published;
    - "Telefonat" (a call) or "": neither: no place, and no attendance mode schema.org has fits
      a call.
    """
    if not place or any(word in place.lower() for word in PHONE_CALL_WORDS):
        return {}
    if is_online(place):
        # Our own page is not where the event happens, so it cannot be the VirtualLocation's url.
        return {"eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"}
    # No addressCountry: the event's countries are those involved, not the one it took place in.
    address = {"@type": "PostalAddress", "addressLocality": place}
    return {
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": place, "address": address},
    }


def tagged(text: str, language: str, declared: str) -> str | dict:
    """`text` as JSON-LD gives it: a plain string where it is in the `declared` language (the
    data's `inLanguage`), else a language-tagged value object (JSON-LD 1.1, section 4.2.4), as
    for the German a record shows where it has no English."""
    return text if language == declared else {"@value": text, "@language": language}


def event_jsonld(event: Event) -> dict:
    """The event as a schema.org Event in the active language, with the properties Google's Event
    rich results require (name, startDate, location) where they are known, and none that would
    claim more. `inLanguage` is the language its name is shown in (BCP 47: "en", or "de" where
    the event has no English title); any text in another language carries its own tag."""
    start, end = iso_bounds(event.event_date)
    language = text_language(event, "title")
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": absolute_url(event.get_absolute_url()) + "#event",
        "identifier": f"urn:uuid:{event.public_id}",
        "name": event.title,
        "inLanguage": language,
        # This language's page: /en/events/… for English readers.
        "url": absolute_url(event.get_absolute_url()),
        "startDate": start,
        "eventStatus": "https://schema.org/EventScheduled",
        # The place as shown, plain text even where it is the German (Google reads an address's
        # locality only as text); a place's name rarely differs between the two languages.
        **place_jsonld(event.place),
        "organizer": {"@type": "Organization", "name": settings.PUBLISHER_NAME, "url": settings.SITE_URL + "/"},
    }
    if end:
        data["endDate"] = end
    if event.first_published_at:
        # The page about the event carries the publication dates (schema.org's Event has none): the
        # same two the feeds give, so a minor edit moves none of them.
        data["mainEntityOfPage"] = {
            "@type": "WebPage",
            "@id": data["url"],
            "datePublished": event.first_published_at.isoformat(),
            "dateModified": event.last_significant_update.isoformat(),
        }
    if event.summary:
        data["description"] = tagged(event.summary, text_language(event, "summary"), language)
    performers = []
    for participant in event.participants.all():
        person: dict = {"@type": "Person", "name": participant.name}
        if participant.original_name:
            # A language-tagged string (JSON-LD 1.1 value object), so a reader knows how to read it.
            person["alternateName"] = {"@value": participant.original_name, "@language": participant.original_language}
        # Offices and organisations are recorded in German only.
        if participant.role:
            person["jobTitle"] = tagged(participant.role, SOURCE_LANGUAGE, language)
        if participant.organisation:
            person["affiliation"] = {
                "@type": "Organization",
                "name": tagged(participant.organisation, SOURCE_LANGUAGE, language),
            }
        if participant.country:
            person["nationality"] = {"@type": "Country", "name": participant.country.code}
        performers.append(person)
    if performers:
        data["performer"] = performers
    topics = [tagged(topic.name, text_language(topic, "name"), language) for topic in event.topics.all()]
    if topics:
        # One text as schema.org's examples give it; a list where a name is in another language.
        plain = all(isinstance(name, str) for name in topics)
        data["keywords"] = ", ".join(topics) if plain else topics
    if event.series_id:
        data["superEvent"] = {
            "@type": "EventSeries",
            "name": tagged(event.series.name, text_language(event.series, "name"), language),
        }
    return data


def jsonld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that no text in `data` can break out of."""
    payload = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
