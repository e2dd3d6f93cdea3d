import datetime
import os

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from timeline.models import Event
from timeline.roles import ensure_roles


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language; a request in English must not leak into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as a fresh deployment would."""
    from timeline.cache import clear

    clear()
    yield
    clear()


@pytest.fixture
def make_event(db):
    """Create an event; keyword arguments override sensible published defaults."""

    def make(**fields) -> Event:
        topics = fields.pop("topics", [])
        defaults = {
            "title": "Treffen in Berlin",
            "kind": Event.Kind.MEETING,
            "date": "2025-06-26",
            "place": "Berlin",
            "countries": ["DE", "JP"],
            "summary": "Ein Treffen.",
            "status": Event.Status.PUBLISHED,
            "publish_at": timezone.now() - datetime.timedelta(hours=1),
        }
        event = Event.objects.create(**{**defaults, **fields})
        event.topics.set(topics)
        return event

    return make


@pytest.fixture
def editor(db) -> User:
    """A press-office editor: staff, in the "editor" group, not a superuser."""
    ensure_roles()  # as after every migrate; a flushed transactional test database may lack them
    user = User.objects.create_user("redakteurin", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture
def publisher(db) -> User:
    """A press-office publisher: may also publish, schedule, withdraw and restore."""
    ensure_roles()
    user = User.objects.create_user("herausgeberin", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="publisher"))
    return user


@pytest.fixture
def publisher_client(publisher):
    client = Client()
    client.force_login(publisher)
    return client


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return (
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip() + f"; cache: {cache}"
    )


def missing(reason: str) -> None:
    """Something a test needs from outside the repository is not here: skip, but fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)
