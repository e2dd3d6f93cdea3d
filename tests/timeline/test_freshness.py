"""The content stamp: every change is seen on the next request, repeated requests touch no database.

Feeds, the timeline and the API's public list keep what they made under the stamp; all are
checked here.

Run in both modes: the stamp read from the database (per-process cache) and the stamp kept in the
shared cache (Redis in production; here the test process's cache stands in for it, and CI also
runs the whole suite against a real Redis).
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from timeline import freshness
from timeline.models import Event

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(params=["database", "shared cache"])
def stamp_mode(request):
    with override_settings(CACHE_IS_SHARED=request.param == "shared cache"):
        yield request.param


@pytest.fixture(params=["/feeds/atom/", "/", "/api/events/"])
def surface(request):
    """The feed, the timeline and the API's list: each keeps what it made under the content stamp."""
    return request.param


@pytest.fixture
def shown_on(surface):
    def read(client) -> str:
        response = client.get(surface)
        assert response.status_code == 200
        return response.content.decode()

    return read


def test_edit_publish_withdraw_and_delete_are_seen_on_the_next_request(client, make_event, stamp_mode, shown_on):
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


def test_a_scheduled_publication_is_seen_when_its_time_comes(client, make_event, stamp_mode, shown_on):
    with time_machine.travel(NOW, tick=False) as traveller:
        make_event(title="Geplant", publish_at=NOW + datetime.timedelta(minutes=30))
        assert "Geplant" not in shown_on(client)
        traveller.shift(datetime.timedelta(minutes=29, seconds=59))
        assert "Geplant" not in shown_on(client)
        traveller.shift(datetime.timedelta(seconds=1))
        assert "Geplant" in shown_on(client)


@override_settings(CACHE_IS_SHARED=True)
def test_with_a_shared_cache_repeated_and_conditional_feed_requests_touch_no_database(
    client, make_event, django_assert_num_queries
):
    make_event()
    first = client.get("/feeds/rss/?country=JP")
    with django_assert_num_queries(0):
        assert client.get("/feeds/rss/?country=JP").content == first.content
        assert client.get("/feeds/rss/?country=JP", headers={"if-none-match": first["ETag"]}).status_code == 304
    # Another process builds its own stamp and body once per change, the same bytes, then asks nothing.
    freshness.forget_local()
    assert client.get("/feeds/rss/?country=JP").content == first.content
    with django_assert_num_queries(0):
        assert client.get("/feeds/rss/?country=JP").content == first.content


@override_settings(CACHE_IS_SHARED=True)
def test_with_a_shared_cache_a_repeated_timeline_page_touches_no_database(
    client, make_event, django_assert_num_queries
):
    make_event(title="Treffen in Berlin")
    first = client.get("/?country=JP")
    with django_assert_num_queries(0):
        assert client.get("/?country=JP").content == first.content
    # Kept per language and address: the English page and another filter are their own.
    english = client.get("/?country=JP", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in english and "Treffen in Berlin" in english
    assert "Treffen in Berlin" not in client.get("/?country=FR").content.decode()


@override_settings(CACHE_IS_SHARED=True)
def test_with_a_shared_cache_a_repeated_api_list_touches_no_database_but_is_made_for_each_address(
    client, make_event, editor, django_assert_num_queries
):
    for number in range(3):
        make_event(title=f"Treffen {number}", date=f"2025-06-2{number}")
    first = client.get("/api/events/?page_size=2")
    with django_assert_num_queries(0):
        again = client.get("/api/events/?page_size=2")
    assert again.content == first.content and again["Content-Type"] == "application/json"
    assert "Accept" in again["Vary"]
    # Its links name the host that was asked; the browsable API and editors are answered anew.
    other = client.get("/api/events/?page_size=2", headers={"host": "localhost"}).json()
    assert other["next"].startswith("http://localhost/") and first.json()["next"].startswith("http://testserver/")
    assert "<html" in client.get("/api/events/?page_size=2", headers={"accept": "text/html"}).content.decode()
    make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    assert "Entwurf" not in client.get("/api/events/?status=draft").content.decode()  # 401, not a kept list
    client.force_login(editor)
    assert "Entwurf" in client.get("/api/events/?status=draft").content.decode()


@override_settings(CACHE_IS_SHARED=False)
def test_without_a_shared_cache_each_request_reads_the_stamp_from_the_database(
    client, make_event, django_assert_num_queries
):
    make_event()
    client.get("/feeds/atom/")
    with django_assert_num_queries(1):  # the revision and, from an index, the publication times
        client.get("/feeds/atom/")


@override_settings(CACHE_IS_SHARED=True)
def test_a_stamp_built_from_a_read_older_than_a_change_is_not_trusted(client, make_event, shown_on):
    event = make_event(title="Vorher")
    shown_on(client)
    # A worker reads the generation, then the database; meanwhile an editor saves.
    generation = freshness.current_generation()
    freshness._stamp = freshness.stamp_from_database(generation)
    event.title = "Nachher"
    event.save()
    assert freshness.content_stamp().generation != generation
    assert "Nachher" in shown_on(client)


@pytest.mark.django_db(transaction=True)
@override_settings(CACHE_IS_SHARED=True)
def test_a_transaction_is_announced_once_more_when_it_commits_and_not_if_it_rolls_back(make_event):
    make_event()

    def generation() -> int:
        return cache.get(freshness.GENERATION_KEY)

    before = generation()
    with transaction.atomic():
        for number in range(3):
            make_event(title=f"Eintrag {number}", date=f"2025-06-{number + 1:02d}")
        during = generation()
    # Each change moves it at once; the commit moves it once more, for readers that began before.
    assert during > before
    assert generation() == during + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        make_event(title="Verworfen", date="2025-07-01")
        rolled = generation()
        raise RuntimeError
    assert generation() == rolled
    assert not Event.objects.filter(title="Verworfen").exists()


@override_settings(CACHE_IS_SHARED=True)
def test_an_emptied_shared_cache_starts_a_generation_never_used_before(make_event):
    make_event()
    first = freshness.content_stamp()
    cache.clear()
    freshness.forget_local()
    assert freshness.content_stamp().generation != first.generation


def test_this_process_keeps_only_the_latest_copies(make_event):
    stamp = freshness.stamp_from_database()
    for number in range(freshness.LOCAL_ENTRIES + 10):
        freshness.remember(stamp, "test", str(number), value=number)
    assert freshness.recall(stamp, "test", "0") is None
    assert freshness.recall(stamp, "test", str(freshness.LOCAL_ENTRIES + 9)) == freshness.LOCAL_ENTRIES + 9


def test_an_entry_reused_between_builds_follows_even_a_raw_update(client, make_event, stamp_mode, shown_on):
    # Unchanged entries are reused from one feed build to the next; what is reused is keyed by
    # the entry's own inputs, so a change that bypasses save() cannot leave an old entry behind.
    event = make_event(title="Alter Titel")
    make_event(title="Nachbar", date="2025-06-01")
    assert "Alter Titel" in shown_on(client)
    Event.objects.filter(pk=event.pk).update(summary="Neu geschrieben ohne save()")
    freshness.content_changed()
    body = shown_on(client)
    assert "Neu geschrieben ohne save()" in body and "Nachbar" in body
