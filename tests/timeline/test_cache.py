"""The content version and the response cache (timeline/cache.py).

Every change is seen on the next request, repeated and conditional requests touch no database,
and no reader ever gets bytes made for another language, address or host.

Run with the configured default cache (this process's memory; Redis in CI's second run) and with
a file cache, a stock backend that processes share, standing in for a shared one.
"""

import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import as_read, log_in_verified
from timeline import cache
from timeline.models import Event, SiteRevision

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
LIST_SURFACES = ["/feeds/atom/", "/feeds/rss/", "/", "/api/events/"]


@pytest.fixture
def shared_files(tmp_path):
    """A shared default cache (files), with the configured per-process aliases."""
    files = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "cache")}
    with override_settings(CACHES={**settings.CACHES, "default": files}):
        cache.clear()
        yield
    cache.clear()


@pytest.fixture(params=["configured cache", "shared file cache"])
def cache_mode(request):
    if request.param == "shared file cache":
        request.getfixturevalue("shared_files")
    return request.param


@pytest.fixture(params=LIST_SURFACES)
def shown_on(request):
    def read(client) -> str:
        response = client.get(request.param)
        assert response.status_code == 200
        return response.content.decode()

    return read


@pytest.mark.parametrize("path", ["/", "/feeds/atom/"])
def test_a_change_committed_while_a_response_is_built_is_served_on_the_next_request(
    client, make_event, cache_mode, path
):
    """The response built from the rows before the change must not be kept for the version
    after it: it would be served until the next change (two bodies and ETags for one address).
    And its Last-Modified is of the version it was made for, so a reader asking "changed since?"
    with it gets the change, not a 304 for the older content it holds."""
    from feeds import views as feed_views
    from timeline import views

    event = make_event(title="Vor der Änderung")
    name, module = ("render_timeline", views) if path == "/" else ("feed_response", feed_views)
    build = getattr(module, name)
    with time_machine.travel(timezone.now(), tick=False) as traveller:

        def build_while_a_colleague_saves(*args, **kwargs):
            response = build(*args, **kwargs)
            traveller.shift(datetime.timedelta(seconds=5))
            Event.objects.filter(pk=event.pk).update(title_de="Nach der Änderung")
            cache.content_changed()
            return response

        with mock.patch.object(module, name, build_while_a_colleague_saves):
            first = client.get(path)
        assert "Vor der Änderung" in first.content.decode()
        again = client.get(path)
        assert "Nach der Änderung" in again.content.decode() and "Vor der Änderung" not in again.content.decode()
        if path == "/feeds/atom/":
            asked = client.get(path, headers={"if-modified-since": first["Last-Modified"]})
            assert asked.status_code == 200 and "Nach der Änderung" in asked.content.decode()


def test_edit_publish_withdraw_and_delete_are_seen_on_the_next_request(client, make_event, cache_mode, shown_on):
    event = make_event(title="Erste Fassung")
    assert "Erste Fassung" in shown_on(client)
    event.title = "Zweite Fassung"
    event.save()
    assert "Zweite Fassung" in shown_on(client)
    draft = make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    assert "Entwurf" not in shown_on(client)
    draft.status = Event.Status.PUBLISHED
    draft.save()
    assert "Entwurf" in shown_on(client)
    draft.status = Event.Status.WITHDRAWN
    draft.withdrawal_reason = "Termin abgesagt."
    draft.save()
    assert "Entwurf" not in shown_on(client)
    event.delete()
    assert "Zweite Fassung" not in shown_on(client)


def test_a_scheduled_publication_is_seen_when_its_time_comes_without_any_job(client, make_event, cache_mode, shown_on):
    with time_machine.travel(NOW, tick=False) as traveller:
        make_event(title="Geplant", publish_at=NOW + datetime.timedelta(minutes=30))
        assert "Geplant" not in shown_on(client)
        traveller.shift(datetime.timedelta(minutes=29, seconds=59))
        assert "Geplant" not in shown_on(client)
        traveller.shift(datetime.timedelta(seconds=1))
        assert "Geplant" in shown_on(client)


def test_a_write_around_the_models_is_seen_once_it_is_announced(client, make_event, cache_mode, shown_on):
    event = make_event(title="Alter Titel")
    make_event(title="Nachbar", date="2025-06-01")
    assert "Alter Titel" in shown_on(client)
    Event.objects.filter(pk=event.pk).update(title="Ohne save() geändert")
    cache.content_changed()  # what the importer, generate_events and the restore do
    body = shown_on(client)
    assert "Ohne save() geändert" in body and "Nachbar" in body


@pytest.mark.parametrize("path", [*LIST_SURFACES, "event page"])
def test_repeated_and_conditional_requests_touch_no_database(
    client, make_event, cache_mode, path, django_assert_num_queries
):
    event = make_event()
    path = event.get_absolute_url() if path == "event page" else path
    first = client.get(path)
    with django_assert_num_queries(0):
        assert client.get(path).content == first.content
        assert client.get(path, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_another_process_with_the_shared_cache_builds_nothing_and_asks_no_database(
    client, make_event, shared_files, django_assert_num_queries
):
    make_event()
    paths = [*LIST_SURFACES, "/?country=JP", "/events/treffen-in-berlin/"]
    first = {path: client.get(path) for path in paths}
    # Another process: nothing of its own yet, but the version and responses are in the shared cache.
    caches["local"].clear()
    cache._Local.version = None
    with django_assert_num_queries(0):
        for path in paths:
            assert client.get(path).content == first[path].content
            assert client.get(path, headers={"if-none-match": first[path]["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/", "/feeds/atom/", "/export.csv", "event page"])
def test_a_reader_with_a_session_cookie_gets_the_same_validators_and_conditional_answers(client, make_event, path):
    """Made anew (a session bypasses the cache), a response carries the ETag the kept copy
    carries, and answers If-None-Match, If-Modified-Since and If-Match as the cache does."""
    event = make_event()
    path = event.get_absolute_url() if path == "event page" else path
    kept = client.get(path)
    anew = Client(headers={"cookie": f"{settings.SESSION_COOKIE_NAME}=none"})
    made = anew.get(path)
    assert made["ETag"] == kept["ETag"] and made.content == kept.content
    assert anew.get(path, headers={"if-none-match": kept["ETag"]}).status_code == 304
    if "Last-Modified" in kept:
        assert anew.get(path, headers={"if-modified-since": kept["Last-Modified"]}).status_code == 304
    assert anew.get(path, headers={"if-match": '"another"'}).status_code == 412


def test_only_addresses_of_marked_views_are_looked_up_and_kept(client, make_event, shared_files):
    """An address whose view is not marked `cache_public` (the sitemap, robots.txt, a secret
    preview link, an unknown address) costs no trip to the shared cache, and is made anew."""
    event = make_event()
    asked = []
    shared_get = caches["default"].get

    def recording_get(key, *args, **kwargs):
        asked.append(key)
        return shared_get(key, *args, **kwargs)

    cache.content_version()  # the version, read once a second, is not what this is about
    with mock.patch.object(caches["default"], "get", recording_get):
        for path in ("/sitemap.xml", "/robots.txt", "/preview/no-such-link/", "/no-such-address/"):
            client.get(path)
            assert asked == [], path
        client.get(event.get_absolute_url())
        assert asked, "a marked view's address is looked up in the shared cache"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap.xml").status_code == 200
    assert len(queries) > 0


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_version_once_when_it_commits_and_not_at_all_if_it_rolls_back(make_event, shared_files):
    make_event()
    shared = caches["default"]
    before = cache.content_version()
    with mock.patch.object(cache, "_announce", wraps=cache._announce) as announce:
        with transaction.atomic():
            for number in range(3):
                make_event(title=f"Eintrag {number}", date=f"2025-06-{number + 1:02d}")
            assert announce.call_count == 0  # nothing is told before the commit
        assert announce.call_count == 1
        committed = shared.get(cache.version_key())
        assert committed.token != before.token and committed == cache.version_from_database()

        revision = SiteRevision.objects.get().number
        with pytest.raises(RuntimeError), transaction.atomic():
            make_event(title="Verworfen", date="2025-07-01")
            raise RuntimeError
        assert announce.call_count == 1
    assert SiteRevision.objects.get().number == revision
    assert cache.content_version().token == committed.token
    assert not Event.objects.filter(title="Verworfen").exists()


def test_an_emptied_cache_gives_the_same_version_for_the_same_content(make_event, cache_mode):
    make_event()
    before = cache.content_version()
    cache.clear()
    assert cache.content_version() == before


def test_the_version_never_repeats_after_the_database_goes_back(make_event, db):
    # A database restored from a backup has an older revision number; the next change must not
    # meet what was cached for that number before (the restore announces itself).
    make_event()
    old = SiteRevision.objects.get()
    make_event(title="Danach", date="2025-07-01")
    newer = cache.content_version()
    SiteRevision.objects.filter(pk=1).update(number=old.number, changed_at=old.changed_at)
    cache.content_changed()
    assert cache.content_version().token != newer.token
    assert cache.content_version().token.split(".")[0] == newer.token.split(".")[0]


def test_a_stale_version_from_a_cache_that_lost_writes_is_replaced_after_an_outage(client, make_event, shared_files):
    # A cache restarted from an older snapshot holds an old version (and what was cached for it):
    # once this process has seen the cache fail, the first call after it answers again drops it.
    event = make_event(title="Vorher")
    client.get("/feeds/atom/")
    old = cache.content_version()
    event.title = "Nachher"
    event.save()
    shared = caches["default"]
    shared.set(cache.version_key(), old, cache.VERSION_TIMEOUT)
    cache._Local.version = None
    with mock.patch.object(type(shared), "get", side_effect=OSError("connection refused")):
        assert "Nachher" in client.get("/feeds/atom/").content.decode()  # from the database
    cache._SharedCacheState.down_until = 0.0  # the backoff has passed
    cache._Local.version = None
    assert "Nachher" in client.get("/feeds/atom/").content.decode()
    assert shared.get(cache.version_key()) != old


# What a response varies on: no reader gets another's bytes, validators or headers.

# Every cached public surface, at its German address; the English one is "/en" + it.
PUBLIC_SURFACES = [
    "/", "/zeitstrahl/", "event page", "event calendar", "/feeds/atom/", "/feeds/rss/", "/feeds/json/",
    "/feeds/ics/", "/export.csv", "/timeline.json",
]  # fmt: skip
GERMAN_TITLE, ENGLISH_TITLE = "Treffen zur Rohstoffsicherung", "Meeting on securing raw materials"


@pytest.fixture
def bilingual(make_event):
    """A published event with a German and an English title, dated today (so the calendars
    hold it)."""
    return make_event(title_de=GERMAN_TITLE, title_en=ENGLISH_TITLE, date=timezone.localdate().isoformat())


def address(path: str, event: Event) -> str:
    if path == "event page":
        return event.get_absolute_url()
    return event.get_absolute_url() + "event.ics" if path == "event calendar" else path


def text(response) -> str:
    """A response's body as a reader reads it: without soft hyphens, a calendar's lines unfolded."""
    return as_read(response.content.decode("utf-8-sig").replace("\r\n ", ""))


def vary(response) -> set[str]:
    return {word.strip().lower() for word in response.get("Vary", "").split(",") if word.strip()}


@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_german_and_english_addresses_never_get_each_others_bytes_validators_or_headers(
    client, bilingual, cache_mode, path
):
    german_path = address(path, bilingual)
    english_path = "/en" + german_path
    # Each asked twice, the English first: the second of each comes from the cache.
    english, german = client.get(english_path), client.get(german_path)
    english_again, german_again = client.get(english_path), client.get(german_path)
    assert german.status_code == english.status_code == 200
    assert (german.content, german["ETag"]) == (german_again.content, german_again["ETag"])
    assert (english.content, english["ETag"]) == (english_again.content, english_again["ETag"])
    assert german.content != english.content and german["ETag"] != english["ETag"]
    assert (german["Content-Language"], english["Content-Language"]) == ("de", "en")
    assert GERMAN_TITLE in text(german) and ENGLISH_TITLE not in text(german)
    assert ENGLISH_TITLE in text(english)
    for header in ("Content-Disposition", "Link", "Content-Type"):
        assert german_again.get(header) == german.get(header) and english_again.get(header) == english.get(header)
    if path in ("/feeds/ics/", "/export.csv", "/timeline.json"):  # a file saved under its language's name
        assert german["Content-Disposition"] != english["Content-Disposition"]
    # Made anew or from the cache, a response says the same (a proxy keeps it by that).
    assert vary(german) == vary(german_again) and vary(english) == vary(english_again)


@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_a_response_from_the_cache_has_every_header_of_the_one_made_anew(client, bilingual, cache_mode, path):
    """Kept as the middleware below the cache finished it: its security headers, its
    Content-Security-Policy, its language and length, in each content coding."""
    url = address(path, bilingual)
    # A session cookie (here one naming no session) bypasses the cache: made anew every time.
    anew = Client(headers={"cookie": f"{settings.SESSION_COOKIE_NAME}=none"})
    client.get(url)
    kept, made = client.get(url), anew.get(url)
    assert made.status_code == kept.status_code == 200 and kept.content == made.content
    # Vary aside (the session's middleware adds Cookie for a request that has one, and the cache
    # the coding it serves by; other tests check it), and the ETag the cache adds where the view
    # set none, the two say the same.
    added = {"ETag", "Vary"}
    assert {name: value for name, value in kept.headers.items() if name not in added} == {
        name: value for name, value in made.headers.items() if name not in added
    }
    assert int(kept["Content-Length"]) == len(kept.content) and "Content-Security-Policy" in kept
    packed = client.get(url, headers={"accept-encoding": "gzip"})
    if packed.get("Content-Encoding") == "gzip":  # the same headers, but for the coding's own
        own = {*added, "Content-Encoding", "Content-Length"}
        assert {name: value for name, value in packed.headers.items() if name not in own} == {
            name: value for name, value in made.headers.items() if name not in own
        }
        assert int(packed["Content-Length"]) == len(packed.content) and "Content-Security-Policy" in packed


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_accept_language_and_the_language_cookie_change_nothing_at_a_public_address(
    client, bilingual, cache_mode, path, language
):
    url = ("" if language == "de" else "/en") + address(path, bilingual)
    other = "en" if language == "de" else "de"
    # The first request, which fills the cache, asks for the other language by header.
    asked = [
        client.get(url, headers={"accept-language": other}),
        client.get(url),
        Client(headers={"cookie": f"{settings.LANGUAGE_COOKIE_NAME}={other}"}).get(url),
        client.get(url, headers={"accept-language": f"{other};q=1, {language};q=0.1"}),
    ]
    first = asked[0]
    for response in asked:
        assert (response.content, response["ETag"]) == (first.content, first["ETag"])
        assert response["Content-Language"] == language
        assert "accept-language" not in vary(response)
        assert response.cookies == {}  # a reader gets no cookie, so every cache may keep the response


@pytest.mark.parametrize("path", ["/feeds/atom/", "/feeds/json/", "/feeds/ics/", "/export.csv", "/timeline.json"])
def test_a_refused_format_address_answers_in_its_own_language(client, make_event, path):
    make_event()
    german = client.get(path + "?country=XX", headers={"accept-language": "en"})
    english = client.get("/en" + path + "?country=XX", headers={"accept-language": "de"})
    assert german.status_code == english.status_code == 400
    assert "nicht verstanden" in german.content.decode() and "cannot be understood" in english.content.decode()


def test_the_api_varies_by_accept_language_and_lang_and_says_so(client, bilingual, cache_mode):
    url = "/api/events/"
    # The English first, so that the German answers below could only be wrong from the cache.
    by_header = client.get(url, headers={"accept-language": "en"})
    by_parameter = client.get(url + "?lang=en", headers={"accept-language": "de"})
    german = client.get(url)
    german_by_parameter = client.get(url + "?lang=de", headers={"accept-language": "en"})
    by_cookie = Client(headers={"cookie": f"{settings.LANGUAGE_COOKIE_NAME}=en"}).get(url)  # no cookie is read
    again = [client.get(url), client.get(url, headers={"accept-language": "en"})]
    for response in (by_header, by_parameter, german, german_by_parameter, by_cookie, *again):
        assert response.status_code == 200 and "accept-language" in vary(response)
    assert [r["Content-Language"] for r in (by_header, by_parameter, german, german_by_parameter, by_cookie)] == [
        "en", "en", "de", "de", "de",
    ]  # fmt: skip
    assert ENGLISH_TITLE in text(by_header) and ENGLISH_TITLE in text(by_parameter)
    assert by_header.content != german.content and by_header["ETag"] != german["ETag"]
    assert (
        (again[0].content, again[0]["ETag"])
        == (german.content, german["ETag"])
        == (by_cookie.content, by_cookie["ETag"])
    )
    assert (again[1].content, again[1]["ETag"]) == (by_header.content, by_header["ETag"])
    assert client.get(url + "?lang=fr").status_code == 400


@pytest.mark.parametrize("path", [*LIST_SURFACES, "/en/", "/en/feeds/atom/", "/en/feeds/ics/", "/en/export.csv"])
def test_two_filter_addresses_never_get_each_others_bytes(client, make_event, cache_mode, path):
    today = timezone.localdate()
    make_event(title="Treffen in Tokio", countries=["JP"], date=today.isoformat())
    make_event(title="Treffen in Paris", countries=["FR"], date=(today - datetime.timedelta(days=1)).isoformat())
    japan = client.get(path + "?country=JP").content.decode()
    france = client.get(path + "?country=FR").content.decode()
    assert "Treffen in Tokio" in japan and "Treffen in Paris" not in japan
    assert "Treffen in Paris" in france and "Treffen in Tokio" not in france


def test_two_hosts_never_get_each_others_api_links(client, make_event, cache_mode):
    for number in range(3):
        make_event(title=f"Treffen {number}", date=f"2025-06-2{number}")
    first = client.get("/api/events/?page_size=2").json()
    other = client.get("/api/events/?page_size=2", headers={"host": "localhost"}).json()
    again = client.get("/api/events/?page_size=2").json()
    assert first["next"].startswith("http://testserver/") and again["next"] == first["next"]
    assert other["next"].startswith("http://localhost/")


def test_the_key_names_everything_a_response_varies_on(rf, db):
    from timeline.languages import address_language

    def key(path: str = "/", **headers) -> str:
        request = rf.get(path, headers=headers)
        return cache.response_key(request, language=address_language(request.path))

    base = key()
    assert key() == base
    assert len({base, key(host="localhost"), key("/?country=JP"), key("/?country=FR"), key("/feeds/atom/")}) == 5
    with override_settings(SITE_URL="https://other.example.org"):
        assert key() != base
    from django.utils import translation

    # The English address is another key, which the browser's language does not change; one
    # address in another language (the API's, whose language is negotiated) is another key too.
    english = key("/en/")
    assert english != base and english == key("/en/", accept_language="de")
    with translation.override("en"):
        api_request = rf.get("/api/events/")
        assert cache.response_key(api_request) != cache.response_key(api_request, language="de")
    with time_machine.travel(NOW + datetime.timedelta(days=1)):
        assert key() != base
    # A new release of the code, templates or static files never serves the old one's pages.
    with mock.patch.object(cache, "code_release", return_value="another release"):
        assert key() != base


def test_the_api_list_is_kept_apart_for_each_media_type_and_not_for_editors(client, make_event, editor):
    make_event(title="Öffentlich")
    json_list = client.get("/api/events/")
    assert json_list["Content-Type"] == "application/json" and "Accept" in json_list["Vary"]
    assert "<html" in client.get("/api/events/", headers={"accept": "text/html"}).content.decode()
    assert client.get("/api/events/").content == json_list.content
    make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    assert client.get("/api/events/?status=draft").status_code == 401
    client.force_login(editor)
    assert "Entwurf" in client.get("/api/events/?status=draft").content.decode()


def test_api_readers_of_each_language_never_get_each_others_list(client, make_event, cache_mode):
    make_event(title="Treffen in Berlin", title_en="Meeting in Berlin")
    german = client.get("/api/events/")
    by_header = client.get("/api/events/", headers={"accept-language": "en"})
    by_parameter = client.get("/api/events/?lang=en")
    # The API negotiates by header or parameter, never by the cookie, which a cache cannot see.
    with_cookie = Client(headers={"cookie": f"{settings.LANGUAGE_COOKIE_NAME}=en"}).get("/api/events/")
    again = client.get("/api/events/")
    answers = [german, by_header, by_parameter, with_cookie, again]
    shown = [
        (answer.json()["results"][0]["title"], answer.json()["results"][0]["languages"]["title"]) for answer in answers
    ]
    german_title, english_title = ("Treffen in Berlin", "de"), ("Meeting in Berlin", "en")
    assert shown == [german_title, english_title, english_title, german_title, german_title]
    assert by_header["ETag"] == by_parameter["ETag"] != german["ETag"] == with_cookie["ETag"] == again["ETag"]
    assert [answer["Content-Language"] for answer in answers] == ["de", "en", "en", "de", "de"]
    vary = {word.strip() for word in german["Vary"].split(",")}
    assert {"Accept-Language", "Accept"} <= vary
    # Made anew or from the cache, a response says the same (a proxy keeps it by that).
    assert {word.strip() for word in again["Vary"].split(",")} == vary


def test_a_staff_preview_and_anything_with_a_session_are_never_cached(client, make_event, publisher):
    draft = make_event(title="Geheimer Entwurf", status=Event.Status.DRAFT, publish_at=None)
    staff = log_in_verified(Client(), publisher)
    preview = staff.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "Geheimer Entwurf" in preview.content.decode()
    assert preview["Cache-Control"] == "private, no-store"
    assert client.get(draft.get_absolute_url()).status_code == 404
    # A reader with a session is answered anew each time, never from the cache.
    for path in ("/", "/feeds/atom/", make_event(title="Öffentlich").get_absolute_url()):
        staff.get(path)
        with CaptureQueriesContext(connection) as queries:
            staff.get(path)
        assert len(queries) > 0, path


def test_gzip_is_served_to_readers_who_ask_with_a_weak_validator(client, make_event):
    import gzip

    make_event()
    for path in ("/", "/feeds/atom/", "/api/events/"):
        plain = client.get(path)
        packed = client.get(path, headers={"accept-encoding": "gzip"})
        assert packed["Content-Encoding"] == "gzip" and gzip.decompress(packed.content) == plain.content
        assert packed["ETag"] == "W/" + plain["ETag"] and "Accept-Encoding" in packed["Vary"]
        assert "Accept-Encoding" in plain["Vary"]
        again = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]})
        assert again.status_code == 304
        # No length of a body it does not send: gunicorn closes a keep-alive connection after a
        # 304 that announces one (CommonMiddleware's 0, on the API's, is harmless).
        assert again.get("Content-Length", "0") == "0"
        for refused in ("gzip;q=0", "identity;q=1, gzip;q=0", "br", "*;q=0"):
            response = client.get(path, headers={"accept-encoding": refused})
            assert "Content-Encoding" not in response and response.content == plain.content, refused


def test_a_large_response_is_kept_gzipped_only_and_still_served_whole_to_every_reader():
    import gzip

    from django.http import HttpResponse

    body = ("Zeile mit Umlauten äöü und 城内実\n" * 20_000).encode()
    forms = cache.kept_forms(HttpResponse(body, content_type="text/csv; charset=utf-8"))
    assert set(forms) == {"gzip"} and len(forms["gzip"].content) < len(body) / 10
    plain = cache.unpacked(forms["gzip"])
    assert plain.content == body and "Content-Encoding" not in plain
    assert plain["ETag"] == forms["gzip"]["ETag"].removeprefix("W/") and not plain["ETag"].startswith("W/")
    assert forms["gzip"]["Content-Encoding"] == "gzip" and gzip.decompress(forms["gzip"].content) == body
    small = cache.kept_forms(HttpResponse(b"x" * 1000, content_type="text/plain"))
    assert small["identity"].content == b"x" * 1000 and gzip.decompress(small["gzip"].content) == b"x" * 1000
    tiny = cache.kept_forms(HttpResponse(b"x" * 100, content_type="text/plain"))
    assert set(tiny) == {"identity"}  # too short to be worth packing


@pytest.mark.parametrize("path", ["/export.csv", "/feeds/atom/", "/feeds/ics/", "/timeline.json"])
def test_a_format_is_the_same_whatever_else_its_address_carries(client, make_event, path, django_assert_num_queries):
    make_event(countries=["DE", "JP"], topics=[])
    first = client.get(path + "?country=JP&kind=meeting")
    others = ["?kind=meeting&country=JP", "?country=JP&kind=meeting&x=1", "?_=1701&country=JP&kind=meeting&q="]
    if path != "/timeline.json":  # positions are TimelineJS's; the other formats do not read them
        others += ["?country=JP&kind=meeting&before=abc", "?country=JP&kind=meeting&after=xyz"]
    for other in others:
        again = client.get(path + other)
        assert (again.status_code, again.content, again["ETag"]) == (200, first.content, first["ETag"]), other
        # Kept for its own address: asked again, it is answered from the cache.
        with django_assert_num_queries(0):
            assert client.get(path + other).content == first.content
