"""Every word a reader or editor sees is in their language: German (the site's), or English on request.

A string added without a translation fails here, whoever wrote it:
- the catalogs: every string the project marks for translation (in Python, also inside f-strings,
  which xgettext skips, and in templates) has a German entry; the German catalogs have no empty or
  fuzzy entries; a message that counts something has plural forms;
- the pages: every public page, feed, API error and admin event page is rendered in German and in
  English, and no text a reader sees there (outside parts marked with another `lang`) is a phrase of
  the other language. English phrases are the source strings of this project, Django, its admin,
  DRF and every other installed app whose German differs; German ones are their German
  translations and the words German dates are written with. An API error reads differently in
  the two languages;
- the browser: the admin's two-pane pickers and the rich-text toolbar, which JavaScript writes.
"""

from __future__ import annotations

import ast
import base64
import binascii
import datetime
import json
import os
import re
import struct
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import import_module
from pathlib import Path

import django
import lxml.etree
import lxml.html
import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import templatize
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from tests.conftest import admin_log_in, log_in_verified, totp_code
from timeline import revisions
from timeline.dates import EXAMPLES, DatePoint, parse_event_date
from timeline.models import Event, Participant, Revision, Series, SourceLink, Topic

ROOT = Path(__file__).resolve().parents[1]
PROJECT_CODE = [ROOT / "timeline", ROOT / "feeds", ROOT / "config"]
PROJECT_TEMPLATES = [ROOT / "templates", ROOT / "timeline" / "templates"]
LANGUAGES = ("de", "en")

# ---------------------------------------------------------------------------------------------
# Catalogs


def read_mo(path: Path) -> dict[str, str]:
    """A compiled catalog (GNU .mo, https://www.gnu.org/software/gettext/manual/html_node/MO-Files.html)
    as {msgid: msgstr}; plural entries keep their NUL-separated forms, contexts their EOT prefix."""
    data = path.read_bytes()
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    count, originals, translations = struct.unpack(order + "3I", data[8:20])
    catalog = {}
    for index in range(count):
        length, offset = struct.unpack(order + "2I", data[originals + 8 * index : originals + 8 * index + 8])
        msgid = data[offset : offset + length].decode()
        length, offset = struct.unpack(order + "2I", data[translations + 8 * index : translations + 8 * index + 8])
        catalog[msgid] = data[offset : offset + length].decode()
    return catalog


def read_po(path: Path) -> list[dict]:
    """A catalog's source (.po) as entries {"msgid", "msgid_plural", "msgstr": [...], "fuzzy"}, the
    header left out; entries are separated by blank lines, as gettext's tools write them."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = {"fuzzy": False, "msgstr": []}, None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
                key, text = match.group(1), ast.literal_eval(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)
                else:
                    entry[key] = text
            elif line.startswith('"') and key is not None:
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def locale_dirs(language: str) -> list[Path]:
    """Where Django looks for a language's catalogs, highest precedence first (LOCALE_PATHS, the
    apps in INSTALLED_APPS order, Django's own)."""
    dirs = [Path(path) / language / "LC_MESSAGES" for path in settings.LOCALE_PATHS]
    dirs += [Path(config.path) / "locale" / language / "LC_MESSAGES" for config in apps.get_app_configs()]
    dirs.append(Path(django.__file__).parent / "conf" / "locale" / language / "LC_MESSAGES")
    return [path for path in dirs if path.is_dir()]


def forms(text: str) -> list[str]:
    """The message's forms without context: singular and plural."""
    return text.rpartition("\x04")[2].split("\x00")


@cache
def german() -> dict[str, str]:
    """Every English source string that has a German translation in the catalogs the site loads
    (django and djangojs), with the translation that wins (plural forms by their singular)."""
    merged: dict[str, str] = {}
    for directory in reversed(locale_dirs("de")):
        for domain in ("django", "djangojs"):
            if (directory / f"{domain}.mo").exists():
                for msgid, msgstr in read_mo(directory / f"{domain}.mo").items():
                    if msgid and msgstr:
                        for english, translated in zip(forms(msgid), msgstr.split("\x00"), strict=False):
                            merged[english] = translated
    return merged


GETTEXT_FUNCTIONS = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy",
}  # fmt: skip


def python_messages(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(function, msgid, msgid_plural) of every translation call with literal text in a Python file,
    also those inside f-strings."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args
        texts = [arg.value for arg in args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if texts:
            yield name, texts[0], texts[1] if "ngettext" in name and len(texts) > 1 else None


TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)")


def template_messages(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """The same for a template, through the conversion makemessages uses (translate, blocktranslate)."""
    for match in TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        texts = ast.literal_eval("(" + match.group(2).rstrip(", ") + ",)")
        if match.group(1).startswith("p"):
            texts = texts[1:]
        yield match.group(1), texts[0], texts[1] if "ngettext" in match.group(1) else None


def project_messages() -> list[tuple[str, str, str | None, Path]]:
    """Every message this project marks for translation, with the file that marks it."""
    found = []
    for directory in PROJECT_CODE:
        for path in sorted(directory.rglob("*.py")):
            found += [(*message, path) for message in python_messages(path)]
    for directory in PROJECT_TEMPLATES:
        for path in sorted(directory.rglob("*.html")) if directory.is_dir() else []:
            found += [(*message, path) for message in template_messages(path)]
    return found


@cache
def english_sources() -> frozenset[str]:
    """The English source strings a reader may meet: this project's, and those of every installed
    app and of Django (their code, and their English catalogs, which hold template strings too)."""
    sources = {msgid for _, msgid, _, _ in project_messages()}
    sources |= {plural for _, _, plural, _ in project_messages() if plural}
    packages = [Path(config.path) for config in apps.get_app_configs() if not config.path.startswith(str(ROOT))]
    for package in packages:
        for path in package.rglob("*.py"):
            if "migrations" not in path.parts and "tests" not in path.parts:
                for _, msgid, plural in python_messages(path):
                    sources |= {msgid, plural} - {None}
    for directory in locale_dirs("en"):
        for path in directory.glob("*.po"):
            sources |= {text for entry in read_po(path) for text in (entry["msgid"], entry.get("msgid_plural")) if text}
        for path in directory.glob("*.mo"):
            sources |= {text for msgid in read_mo(path) for text in forms(msgid) if text}
    return frozenset(sources)


# ---------------------------------------------------------------------------------------------
# Phrases of one language in text of the other

PLACEHOLDER = re.compile(r"%\(\w+\)[sdrf]|%[sdrf]|\{\w*\}")
SEPARATORS = re.compile(r"\s*(?:[:·|()\[\]„“”\"«»–—,;!?…/]|\.(?=\s|$)|\s-\s)\s*")
# A word of letters standing alone: not the letters inside "a0e78bac-33ee" or "2024-W12".
WORD = re.compile(r"(?<!\w)[^\W\d_]{2,}(?!\w)")


# Language codes ("en", "DE") stand in text of both languages (addresses, country codes) and are
# words of neither; some catalogs translate one as a setting (two_factor's Twilio voice: "en" → "de").
LANGUAGE_CODES = frozenset(LANG_INFO)


class Phrases:
    """Phrases of one language, found in text: a single word as a whole part of the text (between
    punctuation, in any case, as labels are capitalised), a longer phrase anywhere (its placeholders
    standing for any words), and `words` wherever they occur."""

    def __init__(self, phrases: Iterable[str], words: Iterable[str] = ()):
        self.labels: set[str] = set()
        self.words = set(words)
        self.patterns: dict[str, list[tuple[str, re.Pattern]]] = {}
        for phrase in phrases:
            phrase = " ".join(phrase.replace("%%", "%").split())
            if phrase.casefold() in LANGUAGE_CODES:
                continue
            literal_words = WORD.findall(PLACEHOLDER.sub(" ", phrase))
            bare = phrase.strip(" .:")
            if PLACEHOLDER.search(phrase) is None and WORD.fullmatch(bare):
                self.labels.add(bare.casefold())
            elif len(literal_words) >= 2:
                parts = [re.escape(part).replace(r"\ ", r"\s+") for part in PLACEHOLDER.split(phrase)]
                pattern = re.compile(r"(?<!\w)" + ".+?".join(parts).strip() + r"(?!\w)")
                self.patterns.setdefault(literal_words[0], []).append((phrase, pattern))

    def found_in(self, text: str) -> list[str]:
        """The phrases in `text`."""
        text = " ".join(text.split())
        found = [part for part in SEPARATORS.split(text) if part.casefold() in self.labels]
        words = set(WORD.findall(text))
        found += sorted(words & self.words)
        for word in words:
            found += [phrase for phrase, pattern in self.patterns.get(word, []) if pattern.search(text)]
        return found


@cache
def english_phrases() -> Phrases:
    """English strings a German reader must not meet: those without German, or whose German differs,
    unless they are German words too."""
    translations = german()
    german_texts = {text.casefold() for text in translations.values()}
    return Phrases(
        text for text in english_sources() if translations.get(text) != text and text.casefold() not in german_texts
    )


@cache
def german_phrases() -> Phrases:
    """German strings an English reader must not meet: the translations, unless they are also
    English source strings; and the words German dates are written with."""
    sources = {text.casefold() for text in english_sources()}
    translations = {translated for english, translated in german().items() if translated != english}
    return Phrases({text for text in translations if text.casefold() not in sources}, german_date_words())


def german_date_words() -> set[str]:
    """Words in dates as German readers see them ("März", "Quartal") that English dates never use."""
    points = [DatePoint(2024, month=month) for month in range(1, 13)]
    points += [DatePoint(2024, quarter=q) for q in range(1, 5)] + [DatePoint(2024, half=h) for h in (1, 2)]
    points += [DatePoint(2024, approximate=True, uncertain=True)]
    words = {language: {w for p in points for w in WORD.findall(p.display(language))} for language in LANGUAGES}
    return words["de"] - words["en"]


def foreign(language: str) -> Phrases:
    """The phrases of the other language."""
    return english_phrases() if language == "de" else german_phrases()


# ---------------------------------------------------------------------------------------------
# What a reader sees

SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
BUTTON_TYPES = ("submit", "button", "reset")


def in_language(element, language: str) -> bool:
    """Whether an element's text is in the page's language: no ancestor marks another one."""
    marked = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
    return not marked or marked[0].split("-")[0].lower() == language


def html_texts(html: str, language: str) -> list[str]:
    """The texts of an HTML page or fragment that a reader sees or hears in its language: text,
    titles, labels, placeholders, alternative texts, button captions; not scripts, styles or the
    values of form fields (those are the record's content)."""
    root = lxml.html.fromstring(html)
    for element in root.xpath("//script|//style|//textarea|//template"):
        element.drop_tree()
    texts = []
    for element in root.iter(lxml.etree.Element):
        if in_language(element, language):
            texts.append(element.text or "")
            texts += [element.get(name, "") for name in SHOWN_ATTRIBUTES]
            if element.tag == "input" and element.get("type") in BUTTON_TYPES:
                texts.append(element.get("value", ""))
        parent = element.getparent()
        if element.tail and parent is not None and in_language(parent, language):
            texts.append(element.tail)
    return [text for text in texts if text.strip()]


def json_texts(data) -> Iterator[str]:
    """Every string in a JSON document (keys are names, not words for readers)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from json_texts(value)
    elif isinstance(data, list):
        for item in data:
            yield from json_texts(item)


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"


def feed_language_of(element) -> str:
    """The language a feed marks an element's text as: the nearest xml:lang (Atom), else its RSS
    item's dc:language, else the RSS channel's <language>."""
    for ancestor in (element, *element.iterancestors()):
        if ancestor.get(XML_LANG):
            return ancestor.get(XML_LANG)
        marked = ancestor.find(DC_LANGUAGE)
        if marked is None:
            marked = ancestor.find("language")
        if marked is not None and marked.text:
            return marked.text
    return "de"


def feed_texts(xml: bytes, language: str = "de") -> list[str]:
    """The texts of an RSS or Atom feed a feed reader shows in `language`: titles, summaries,
    content (HTML in it read as HTML), category labels; not those marked as another language."""
    texts = []
    for element in lxml.etree.fromstring(xml).iter(lxml.etree.Element):
        name = lxml.etree.QName(element).localname
        marked = feed_language_of(element)
        if name in ("content", "encoded", "description", "summary") and element.text:
            texts += html_texts(f'<div lang="{marked}">{element.text}</div>', language)
        elif marked != language:
            continue
        elif name in ("title", "subtitle") and element.text:
            texts.append(element.text)
        elif name == "category":
            texts += [element.get("label") or "", element.text or ""]
    return [text for text in texts if text.strip()]


def foreign_phrases(texts: Iterable[str], language: str) -> list[str]:
    """Each text that holds a phrase of the other language, with the phrases."""
    return [f"{text.strip()[:120]!r}: {found}" for text in texts if (found := foreign(language).found_in(text))]


# ---------------------------------------------------------------------------------------------
# The catalogs


def test_every_string_the_project_marks_for_translation_has_a_german_translation():
    translations = german()
    missing = sorted(
        {
            f"{path.relative_to(ROOT)}: {msgid!r}"
            for _, msgid, _, path in project_messages()
            if msgid not in translations
        }
    )
    assert missing == []


def test_the_german_catalogs_have_no_empty_or_fuzzy_entries():
    problems = []
    for path in settings.LOCALE_PATHS:
        for po in sorted(Path(path).glob("de/LC_MESSAGES/*.po")):
            for entry in read_po(po):
                if entry["fuzzy"] or not all(entry["msgstr"]):
                    problems.append(f"{po.name}: {entry['msgid']!r}")
    assert problems == []


# Packages whose words editors and API clients meet, by the module whose folder holds their code
# and English catalog (Django's own: django/conf/locale).
PACKAGES = {"django": "django.conf", "django.contrib.admin": None, "django.contrib.auth": None, "rest_framework": None,
            "django_filters": None, "axes": None}  # fmt: skip


def package_sources(name: str, catalog_module: str | None) -> set[str]:
    """A package's English source strings: its English catalogs, and, for a package outside Django,
    its code too (some ship no English catalog, or an outdated one)."""
    folder = Path(import_module(name).__file__).parent
    locale = Path(import_module(catalog_module or name).__file__).parent / "locale" / "en" / "LC_MESSAGES"
    sources = set()
    for path in locale.glob("*.po"):
        sources |= {text for entry in read_po(path) for text in (entry["msgid"], entry.get("msgid_plural")) if text}
    for path in locale.glob("*.mo"):
        sources |= {text for msgid in read_mo(path) for text in forms(msgid) if text}
    if not name.startswith("django"):
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts and "tests" not in path.parts:
                sources |= {text for _, msgid, plural in python_messages(path) for text in (msgid, plural) if text}
    return sources


def test_django_its_admin_drf_and_django_filter_have_german_for_every_string():
    # A new release may bring strings its German catalog lacks (Django 5.2's picker did):
    # locale_packages/ supplies them.
    translations = german()
    missing = {
        name: sorted(sources - translations.keys())
        for name, catalog in PACKAGES.items()
        if (sources := package_sources(name, catalog)) - translations.keys()
    }
    assert missing == {}


COUNT = re.compile(r"%\((count|counter|number_of|num|n)\)|\{count\}")


def test_a_message_that_counts_something_has_singular_and_plural_forms():
    # "1 Versionen": a count inside a message that has only one form.
    wrong = [
        f"{path.relative_to(ROOT)}: {msgid!r}"
        for function, msgid, _, path in project_messages()
        if COUNT.search(msgid) and "ngettext" not in function
    ]
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# Pages, feeds and API errors in both languages


@pytest.fixture
def content(db, publisher):
    """The seed, and events in every state a page shows: with corrections and a series neighbour,
    withdrawn, a draft; each with revisions, as the admin would leave them."""
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_seed", stdout=devnull)
    now = timezone.now()
    series = Series.objects.get()
    corrected = Event.objects.create(
        title="Folgetreffen in Tokio", kind=Event.Kind.MEETING, date="März 2026", place="Tokio",
        countries=["DE", "JP"], summary="Ein weiteres Treffen.", body="<p>Absatz</p><ul><li>Punkt</li></ul>",
        status=Event.Status.PUBLISHED, publish_at=now - datetime.timedelta(days=2), series=series,
    )  # fmt: skip
    corrected.change_note = "Der Ort wurde berichtigt."
    corrected.save()
    corrected.topics.set(Topic.objects.all())
    Participant.objects.create(event=corrected, name="Minoru Kiuchi", role="Minister", country="JP")
    SourceLink.objects.create(event=corrected, url="https://example.org/", title="Mitteilung", publisher="BMWE")
    withdrawn = Event.objects.create(
        title="Abgesagtes Treffen", date="2025", status=Event.Status.WITHDRAWN,
        withdrawal_reason="Das Treffen fand nicht statt.", publish_at=now - datetime.timedelta(days=3),
    )  # fmt: skip
    draft = Event.objects.create(title="Entwurf eines Termins", date="2. Halbjahr 2026")
    for event in Event.objects.all():
        revisions.record(event, publisher, revisions.action_for(None, event.status))
    revisions.record(corrected, publisher, Revision.Action.EDITED)
    return {
        "corrected": corrected,
        "withdrawn": withdrawn,
        "draft": draft,
        "seed": Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025"),
    }


PUBLIC_PAGES = [
    "/",
    "/?country=JP&topic=economic-security&kind=meeting",
    "/?from=Mitte%202025&to=30.02.2024&country=XX&topic=nope&kind=nope&series=nope",
    "/?q=keinsolcheswort",
    "/?after=kaputt",
    "/events/reiche-trifft-kiuchi-berlin-2025/",
    "/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/",
    "/events/keine-solche-seite/",
    "/zeitstrahl/",
    "/zeitstrahl/?from=2026&to=2026&country=XX",
    "/zeitstrahl/?q=keinsolcheswort",
]


def address_in(path: str, language: str) -> str:
    """A public page's address in `language`: German at `path`, English under /en/."""
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


def read_page(client: Client, path: str, language: str, **headers) -> str:
    response = client.get(path, headers={"Accept-Language": language, **headers})
    assert response.status_code in (200, 400, 404, 410), (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_in_the_readers_language(client, content, language):
    paths = [*PUBLIC_PAGES, content["corrected"].get_absolute_url(), content["withdrawn"].get_absolute_url()]
    problems = {
        path: foreign_phrases(html_texts(read_page(client, address_in(path, language), language), language), language)
        for path in paths
    }
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_previewed_draft_is_in_the_editors_language(publisher_client, content, language):
    html = read_page(publisher_client, address_in(content["draft"].get_absolute_url(), language), language)
    assert foreign_phrases(html_texts(html, language), language) == []


# Each format at its German address and at its English one (/en/…); a browser asking for the
# other language changes nothing at either.
PREFIXES = {"de": "", "en": "/en"}
OTHER = {"de": "en", "en": "de"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/feeds/rss/", "/feeds/atom/", "/feeds/atom/?series=german-japanese-economic-security-dialogue&country=JP"]
)
def test_feeds_are_in_their_addresses_language_throughout(client, content, path, language):
    # The content has no English: the English feeds show its German text, marked as German.
    response = client.get(PREFIXES[language] + path, headers={"Accept-Language": OTHER[language]})
    assert response.status_code == 200
    texts = feed_texts(response.content, language)
    assert texts and foreign_phrases(texts, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_feed_address_is_answered_in_its_language(client, content, language):
    url = PREFIXES[language] + "/feeds/rss/?from=Mitte%202025&country=XX"
    response = client.get(url, headers={"Accept-Language": OTHER[language]})
    assert response.status_code == 400
    assert foreign_phrases([response.content.decode()], language) == []


def json_shown_texts(document, language: str, declared: str) -> list[str]:
    """The texts of a JSON Feed or TimelineJS document in `declared` (its Content-Language) a
    reader sees in `language`: HTML read as HTML (its `lang` marks heeded), a JSON Feed item marked
    as another language (its `language`) left out."""
    texts = []
    items = document.get("items", [])
    for part in [{key: value for key, value in document.items() if key != "items"}, *items]:
        marked = part.get("language", document.get("language", declared))
        shown = [value for value in json_texts(part) if not value.startswith(("http", "tag:")) and value != marked]
        texts += [text for value in shown for text in html_texts(f'<div lang="{marked}">{value}</div>', language)]
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["/feeds/json/", "/timeline.json", "/timeline.json?country=JP&country=FR"])
def test_json_feed_and_timeline_data_are_in_their_addresses_language_throughout(
    client, content, monkeypatch, path, language
):
    from feeds import views

    monkeypatch.setattr(views, "MAX_EVENTS", 1)  # so the timeline data says that more follow
    response = client.get(PREFIXES[language] + path, headers={"Accept-Language": OTHER[language]})
    assert response.status_code == 200
    texts = json_shown_texts(json.loads(response.content), language, response["Content-Language"])
    assert texts and foreign_phrases(texts, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_timeline_data_address_is_answered_in_its_language(client, content, language):
    response = client.get(
        PREFIXES[language] + "/timeline.json?after=kaputt", headers={"Accept-Language": OTHER[language]}
    )
    assert response.status_code == 400
    assert foreign_phrases([response.content.decode()], language) == []


# ---------------------------------------------------------------------------------------------
# The API's errors


def api_errors(content, editor) -> dict[str, tuple[str, str, dict]]:
    """One request per kind of error the API answers, by name: (method, path, request arguments)."""
    as_editor = {"headers": {"Authorization": f"Token {Token.objects.create(user=editor).key}"}}
    chief = User.objects.create_superuser("chefredakteurin", password="pw-for-tests-only")
    as_chief = {"headers": {"Authorization": f"Token {Token.objects.create(user=chief).key}"}}
    json_body = {"content_type": "application/json"}
    event = f"/api/events/{content['seed'].slug}/"
    # The English title, which a request in either language may write (the German one is missing).
    invalid_event = json.dumps({"title_en": "Title", "date": "Mitte 2025", "countries": ["XX"]})
    return {
        "404 event": ("get", "/api/events/keine-solche/", {}),
        "404 topic": ("get", "/api/topics/keine-solche/", {}),
        "404 series": ("get", "/api/series/keine-solche/", {}),
        "404 cursor": ("get", "/api/events/?cursor=kaputt", {}),
        "404 unknown id": ("get", "/api/events/00000000-0000-0000-0000-000000000000/", {}),
        "405": ("put", "/api/topics/", as_editor | json_body | {"data": "{}"}),
        "406": ("get", "/api/events/", {"headers": {"Accept": "text/csv"}}),
        "415": ("post", "/api/topics/", as_editor | {"data": "name=x", "content_type": "text/plain"}),
        "400 unreadable JSON": ("post", "/api/topics/", as_editor | json_body | {"data": "{kaputt"}),
        "400 JSON nested too deeply": ("post", "/api/topics/", as_editor | json_body | {"data": "[" * 100_000}),
        "400 not UTF-8": ("post", "/api/topics/", as_editor | json_body | {"data": b'{"name": "\xff"}'}),
        "400 unreadable form": (
            "post",
            "/api/topics/",
            as_editor | {"data": b"x", "content_type": "multipart/form-data"},
        ),
        "400 missing field": ("post", "/api/topics/", as_editor | json_body | {"data": "{}"}),
        "400 unknown field": ("post", "/api/events/", as_editor | json_body | {"data": '{"title": "x", "zusatz": 1}'}),
        "400 invalid event": ("post", "/api/events/", as_editor | json_body | {"data": invalid_event}),
        "400 filter": ("get", "/api/events/?from=Mitte%202025&to=30.02.2024&country=XX&kind=nope&topic=nope", {}),
        "401 no credentials": ("post", "/api/topics/", json_body | {"data": "{}"}),
        "401 wrong token": (
            "post",
            "/api/topics/",
            json_body | {"data": "{}", "headers": {"Authorization": "Token x"}},
        ),
        "401 unpublished list": ("get", "/api/events/?status=draft", {}),
        "403": ("delete", event, as_editor),
        "403 public topic": ("patch", "/api/topics/economic-security/", as_editor | json_body | {"data": "{}"}),
        "403 publisher's field": (
            "post",
            "/api/events/",
            json_body
            | {
                "data": '{"title": "x", "date": "2025", "withdrawal_reason": "x"}',
                "headers": {**as_editor["headers"], "Content-Language": "de"},
            },
        ),
        "409": ("delete", "/api/series/german-japanese-economic-security-dialogue/", as_chief),
        "412": ("patch", event, json_body | {"data": "{}", "headers": {**as_editor["headers"], "If-Match": '"9"'}}),
        "428": ("patch", event, as_editor | json_body | {"data": "{}"}),
    }


def api_response(method: str, path: str, arguments: dict, language: str, client: Client | None = None):
    arguments = {**arguments, "headers": {"Accept-Language": language, **arguments.get("headers", {})}}
    return getattr(client or Client(), method)(path, **arguments)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_api_error_is_in_the_readers_language(content, editor, language, monkeypatch):
    answers, problems = {}, {}
    for name, (method, path, arguments) in api_errors(content, editor).items():
        response = api_response(method, path, arguments, language)
        assert response.status_code >= 400, (name, response.status_code, response.content[:200])
        answers[name] = response
        found = foreign_phrases(json_texts(response.json()), language)
        if found:
            problems[name] = found
    # Throttled, and refused for a missing CSRF token (a session without it).
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    for _ in range(2):
        throttled = api_response("get", "/api/topics/", {}, language)
    assert throttled.status_code == 429
    answers["429"] = throttled
    session = Client(enforce_csrf_checks=True)
    session.force_login(editor)
    answers["403 CSRF"] = api_response(
        "post", "/api/topics/", {"data": "{}", "content_type": "application/json"}, language, session
    )
    for name in ("429", "403 CSRF"):
        if found := foreign_phrases(json_texts(answers[name].json()), language):
            problems[name] = found
    assert problems == {}


def test_every_api_error_reads_differently_in_german_and_english(content, editor):
    errors = api_errors(content, editor)
    same = {}
    for name, (method, path, arguments) in errors.items():
        bodies = {language: api_response(method, path, arguments, language).content for language in LANGUAGES}
        if bodies["de"] == bodies["en"]:
            same[name] = bodies["de"][:200]
    assert same == {}


# ---------------------------------------------------------------------------------------------
# The admin's event pages


@pytest.fixture
def superuser_client(db):
    return log_in_verified(Client(), User.objects.create_superuser("chefin", password="pw-for-tests-only"))


def admin_pages(content) -> list[str]:
    event = content["corrected"]
    Client().post("/admin/login/", {"username": "chefin", "password": "falsch"})  # what the login limits keep
    return [
        "/admin/",
        "/admin/timeline/event/",
        "/admin/timeline/event/?status__exact=published&q=Kiuchi",
        "/admin/timeline/event/add/",
        f"/admin/timeline/event/{event.pk}/change/",
        f"/admin/timeline/event/{content['withdrawn'].pk}/change/",
        f"/admin/timeline/event/{event.pk}/history/",
        f"/admin/timeline/event/{event.pk}/delete/",
        f"/admin/timeline/revision/?event_public_id={event.public_id}",
        *(f"/admin/timeline/revision/{revision.pk}/change/" for revision in Revision.objects.filter(event=event)),
        "/admin/timeline/revision/",
        "/admin/timeline/topic/",
        "/admin/timeline/topic/add/",
        f"/admin/timeline/series/{event.series_id}/change/",
        "/admin/timeline/previewlink/",
        "/admin/axes/accessattempt/",
        *(f"/admin/axes/accessattempt/{pk}/change/" for pk in AccessAttempt.objects.values_list("pk", flat=True)),
        "/admin/axes/accessfailurelog/",
        "/admin/account/",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admins_event_pages_are_in_the_editors_language(superuser_client, content, language):
    problems = {}
    for path in admin_pages(content):
        html = read_page(superuser_client, path, language)
        if found := foreign_phrases(html_texts(html, language), language):
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admins_messages_and_form_errors_are_in_the_editors_language(superuser_client, content, language):
    headers = {"Accept-Language": language}
    event = content["corrected"]
    refused = superuser_client.post(
        "/admin/timeline/event/add/",
        {"title_de": " ", "date": "Mitte 2025", "kind": "meeting", "status": "draft", "participants-TOTAL_FORMS": "0",
         "participants-INITIAL_FORMS": "0", "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0"},
        headers=headers,
    )  # fmt: skip
    assert refused.status_code == 200
    acted = superuser_client.post(
        "/admin/timeline/event/",
        {"action": "unpublish", "_selected_action": [event.pk]},
        headers=headers,
        follow=True,
    )
    preview = superuser_client.get("/admin/timeline/event/date-preview/", {"value": "Mitte 2025"}, headers=headers)
    problems = foreign_phrases(html_texts(refused.content.decode(), language), language)
    problems += foreign_phrases(html_texts(acted.content.decode(), language), language)
    problems += foreign_phrases(json_texts(preview.json()), language)
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_its_second_step_and_the_setup_are_in_the_editors_language(publisher, language):
    client = Client(headers={"Accept-Language": language})
    login = {"login_view-current_step": "auth", "username": publisher.username, "password": "pw-for-tests-only"}
    pages = [client.get("/admin/login/"), client.post("/admin/login/", {**login, "password": "falsch"})]
    setup = client.post("/admin/login/", login, follow=True)
    pages.append(setup)
    code = totp_code(TOTPDevice(key=binascii.hexlify(base64.b32decode(setup.context["secret_key"])).decode()))
    step = {"setup_view-current_step": "generator"}
    pages.append(client.post(setup.request["PATH_INFO"], {**step, "generator-token": "1"}))
    pages.append(client.post(setup.request["PATH_INFO"], {**step, "generator-token": code}, follow=True))
    client = Client(headers={"Accept-Language": language})
    client.post("/admin/login/", login)
    token = {"login_view-current_step": "token"}
    pages.append(client.post("/admin/login/", {**token, "token-otp_token": "1"}))
    pages.append(client.post("/admin/login/", {**token, "wizard_goto_step": "backup"}))
    problems = [
        found for page in pages if (found := foreign_phrases(html_texts(page.content.decode(), language), language))
    ]
    assert problems == []


def test_back_to_draft_is_not_named_like_withdrawing(superuser_client, content):
    # "zurückziehen" is what withdrawing (410, with a public reason) is called.
    event = content["corrected"]
    listing = superuser_client.get("/admin/timeline/event/").content.decode()
    assert "Ausgewählte Termine zurück in den Entwurf setzen" in listing
    done = superuser_client.post(
        "/admin/timeline/event/", {"action": "unpublish", "_selected_action": [event.pk]}, follow=True
    )
    messages = [str(message) for message in done.context["messages"]]
    assert messages == ["1 Termin ist wieder ein Entwurf."]
    assert "zurückzieh" not in listing.split('name="action"')[1].split("</select>")[0]


def test_the_admin_counts_versions_in_singular_and_plural(superuser_client, content, publisher):
    event = content["draft"]
    page = superuser_client.get(f"/admin/timeline/event/{event.pk}/change/").content.decode()
    assert "1 Version:" in page
    listing = superuser_client.get(f"/admin/timeline/revision/?event_public_id={event.public_id}").content.decode()
    assert "1 Version" in listing and "1 Version (" not in listing
    for _ in range(7):
        revisions.record(event, publisher, Revision.Action.EDITED)
    page = superuser_client.get(f"/admin/timeline/event/{event.pk}/change/").content.decode()
    assert "8 Versionen:" in page
    listing = superuser_client.get(f"/admin/timeline/revision/?event_public_id={event.public_id}").content.decode()
    assert "8 Versionen" in listing


# ---------------------------------------------------------------------------------------------
# Dates as examples


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_date_examples_are_in_the_readers_language_and_understood(client, db, language):
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            parse_event_date("")
        message = refused.value.messages[0]
        examples = str(EXAMPLES).split(", ")
        help_text = str(Event._meta.get_field("date").help_text)
    html = client.get(address_in("/", language)).content.decode()
    hint = lxml.html.fromstring(html).get_element_by_id("date-hint").text_content()
    assert foreign_phrases([message, hint, help_text], language) == []
    assert all(example in message for example in examples)
    for example in examples + hint.partition(":")[2].strip(" .").split(", "):
        parse_event_date(example)  # refused with a ValidationError if not understood


# ---------------------------------------------------------------------------------------------
# What the admin's JavaScript writes

COLLECT_TEXTS = """(selector) => {
    const texts = [];
    for (const root of document.querySelectorAll(selector)) {
        for (const element of [root, ...root.querySelectorAll("*")]) {
            for (const name of ["title", "aria-label", "placeholder"]) {
                if (element.getAttribute(name)) texts.push(element.getAttribute(name));
            }
            if (element.classList.contains("material-icons")) continue;  // the icon's name, not a word
            for (const node of element.childNodes) {
                if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) texts.push(node.textContent);
            }
        }
    }
    return texts;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admins_pickers_and_text_toolbar_speak_the_editors_language(browser, site, publisher, language):
    context = browser.new_context(
        locale={"de": "de-DE", "en": "en-GB"}[language], viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    event = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    admin_log_in(tab, site, publisher, f"/admin/timeline/event/{event.pk}/change/")
    tab.locator(".selector-chooseall").first.wait_for()
    tab.locator(".prose-menubar").first.wait_for()
    widgets = tab.evaluate(COLLECT_TEXTS, ".selector, .prose-menubar")
    # The link dialog, on a selected word.
    tab.locator(".ProseMirror[contenteditable=true] p").first.dblclick()
    tab.locator(".prose-menubar button[data-name=link]").first.click()
    tab.locator(".prose-editor-dialog").wait_for()
    dialog = tab.evaluate(COLLECT_TEXTS, ".prose-editor-dialog")
    context.close()
    assert foreign_phrases(widgets, language) == []
    assert foreign_phrases(dialog, language) == []
    expected = {
        "de": ["Alle Länder auswählen", "Alle Themen entfernen", "Fett", "Überschrift 2", "Absatz", "Link bearbeiten"],
        "en": ["Choose all countries", "Remove all topics", "bold", "Heading 2", "paragraph", "Edit Link"],
    }[language]
    assert [text for text in expected if text not in widgets + dialog] == []


@pytest.mark.django_db
def test_country_names_are_spelt_as_german_readers_know_them(client, make_event):
    # django-countries' German catalog had "Kirivati", "Granada", "Mozambique", "Hong Kong".
    make_event(countries=["DE", "KI", "GD", "MZ", "HK", "PG", "SA", "FO", "SZ"])
    page = client.get("/").content.decode()
    for name in ("Kiribati", "Grenada", "Mosambik", "Hongkong", "Papua-Neuguinea", "Saudi-Arabien", "Färöer",
                 "Eswatini"):  # fmt: skip
        assert f"> {name}</label>" in page, name
    english = client.get("/en/").content.decode()
    assert "> Mozambique</label>" in english
