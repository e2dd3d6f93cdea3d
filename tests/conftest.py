import datetime
import os
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from timeline.models import Event
from timeline.roles import ensure_roles
from timeline.two_step import two_step_required


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


# Two-step verification (timeline/two_step.py): publishers and superusers reach the admin only
# after the authenticator app's code. `log_in_verified` is how tests log them in, `admin_log_in`
# how browser tests do it through the form.


def authenticator(user) -> TOTPDevice:
    """The user's authenticator app as the admin's setup leaves it: two_factor's "default" TOTP
    device, confirmed (made if the user has none)."""
    return TOTPDevice.objects.get_or_create(user=user, name="default")[0]


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the app shows at Unix time `at` (now if None), as typed: six digits."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def log_in_verified(client: Client, user) -> Client:
    """Log `user` in on `client` as after the password and the app's code: the session carries
    the verified device as django-otp's login leaves it. Works for any user (an editor too)."""
    device = authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def admin_log_in(tab, site: str, user, path: str) -> None:
    """Log in through the admin's form and land on `path`; a user who must use the second step
    gets an authenticator app (if none yet) and types its code."""
    device = authenticator(user) if two_step_required(user) else None
    tab.goto(f"{site}/admin/login/?next={path}")
    tab.fill("#id_username", user.get_username())
    tab.fill("#id_password", "pw-for-tests-only")
    tab.click("#login-form input[type=submit]")
    if device is not None:
        device.refresh_from_db()
        # A code is accepted once: after a login in this time step, the next step's (the device
        # allows one step of drift).
        now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        at = time.time() + device.step if now.t() <= device.last_t else None
        tab.fill("#id_token-otp_token", totp_code(device, at))
        tab.click("#login-form input[type=submit]")
    tab.wait_for_url(re.compile(re.escape(path) + "$"))


@pytest.fixture
def publisher_client(publisher):
    """A publisher logged in to the admin, second step included."""
    return log_in_verified(Client(), publisher)


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


def as_read(page: bytes | str) -> str:
    """A page's text as a reader reads it: without the soft hyphens (U+00AD) that mark where long
    words may break, which show only as a "-" at the end of a line."""
    text = page.decode() if isinstance(page, bytes) else page
    return text.replace("\u00ad", "")


class _PanelLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.group: str | None = None
        self.links: dict[str, dict[str, str]] = {}
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "p" and attributes.get("class") in ("subscribe", "download"):
            self.group = attributes["class"]
        elif tag == "a" and self.group:
            self.current = {**attributes, "group": self.group, "text": ""}

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag):
        if tag == "p":
            self.group = None
        elif tag == "a" and self.current is not None:
            self.links[self.current["text"]] = self.current
            self.current = None


def panel_links(page: bytes | str) -> dict[str, dict[str, str]]:
    """The links of a page's "Diese Ansicht abonnieren" and "Herunterladen" panel by their text:
    each with its attributes (href, type, title) and its group ("subscribe" or "download")."""
    parser = _PanelLinks()
    parser.feed(as_read(page))
    return parser.links


def missing(reason: str) -> None:
    """Something a test needs from outside the repository is not here: skip, but fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


# The browser tests' fixtures: Playwright driving Debian's Chromium, headless, against the live
# server with the seed events. Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium; without
# it the tests are skipped, except in CI ($CI set), where they fail. One browser serves the whole
# session: Playwright's sync API runs one event loop per thread, so a second browser fixture (one
# per test module) could not start beside it.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one for the whole session."""
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium to run the browser tests)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(live_server):
    """The live server with the seed events and a few dozen generated ones."""
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_seed", stdout=devnull)
    call_command("generate_events", "40", "--seed", "3", stdout=devnull)
    return live_server.url


@pytest.fixture
def page(browser, site):
    """A tab at 1280 × 900 px in German; `tab.problems` collects its console errors."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    yield tab
    context.close()
