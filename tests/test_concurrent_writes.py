"""Editors at the same instant: real parallel requests to gunicorn, on the suite's database.

Each race is several requests released together by a barrier, against four gunicorn workers on
a database of their own: an SQLite file (WAL, IMMEDIATE transactions, a busy timeout), or, when
the suite runs on PostgreSQL, a PostgreSQL database; each a copy of one prepared once with the
schema, the seed and a publisher. Whatever the interleaving, one
change wins and every other answers 409 or 412 (the API) or shows the merge form (the admin);
nothing answers 500 and nothing is silently lost.
"""

import functools
import html
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django_otp.oath import totp

from tests.test_scale_out import ROOT, free_port, shell

SEED_SLUG = "reiche-trifft-kiuchi-berlin-2025"
PASSWORD = "pw-for-race-tests-only"
# Six publishers, each with an authenticator app (this key, hex as django-otp keeps it: RFC 6238's
# test key): the admin asks each for the password and the app's code, which a device takes once.
PUBLISHERS = ["chefin", "chefin2", "chefin3", "chefin4", "chefin5", "chefin6"]
APP_KEY = "3132333435363738393031323334353637383930"


def server_env(database_url: str) -> dict[str, str]:
    """The environment of the servers (and their manage.py commands) on `database_url`."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "race-test-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "SITE_URL": "https://events.example.org",
        "API_ANON_RATE": "100000/hour",
        # This process's own: CI runs the SQLite and PostgreSQL suites side by side in one clone.
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / f"timeline-race-static-{os.getpid()}"),
    }


def postgresql_admin_url() -> str | None:
    """The suite's PostgreSQL server, at its maintenance database; None on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return urlunsplit(urlsplit(url)._replace(path="/postgres")) if url.startswith("postgres") else None


def postgresql(statement: str) -> None:
    import psycopg

    with psycopg.connect(postgresql_admin_url(), autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(scope="session")
def prepared_database(tmp_path_factory):
    """A database of the suite's kind with the schema, the seed and the PUBLISHERS (passwords and
    apps; "chefin" with an API token), made once; each race works on a copy of it (database_url). Yields the URL and
    the token."""
    if postgresql_admin_url():
        name = f"race_template_{uuid.uuid4().hex[:12]}"
        postgresql(f"CREATE DATABASE {name}")
        url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('race')}/template.sqlite3"
    env = server_env(url)
    for command in (["migrate", "--noinput"], ["load_seed"], ["collectstatic", "--noinput"]):  # admin pages need it
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    token = shell(
        env,
        "from django.contrib.auth.models import User, Group; from rest_framework.authtoken.models import Token;"
        "from django_otp.plugins.otp_totp.models import TOTPDevice;"
        f"users = [User.objects.create_user(name, password={PASSWORD!r}, is_staff=True) for name in {PUBLISHERS!r}];"
        "[u.groups.add(Group.objects.get(name='publisher')) for u in users];"
        f"[TOTPDevice.objects.create(user=u, name='default', key={APP_KEY!r}) for u in users];"
        "print(Token.objects.create(user=users[0]).key)",
    ).strip()
    yield url, token
    if postgresql_admin_url():
        postgresql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(prepared_database, tmp_path):
    """A copy of the prepared database for the servers of one test."""
    template = prepared_database[0]
    if not postgresql_admin_url():
        import sqlite3

        copy = tmp_path / "db.sqlite3"
        source, target = sqlite3.connect(template.removeprefix("sqlite:///")), sqlite3.connect(copy)
        source.backup(target)  # a consistent copy, whatever the template's WAL holds
        source.close()
        target.close()
        yield f"sqlite:///{copy}"
        return
    name = f"race_{uuid.uuid4().hex[:12]}"
    postgresql(f"CREATE DATABASE {name} TEMPLATE {urlsplit(template).path.lstrip('/')}")
    yield urlunsplit(urlsplit(template)._replace(path=f"/{name}"))
    postgresql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def app(prepared_database, database_url, tmp_path):
    """Four gunicorn workers with the seed, a publisher "chefin" (password and API token)."""
    env = server_env(database_url)
    token = prepared_database[1]
    port = free_port()
    log = (tmp_path / "app.log").open("w")  # Django's errors, to read when a test fails
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--no-control-socket",
         # CI runs the suite on both databases at once on two cores: a worker that is merely slow
         # to boot or answer is not what a race judges, so gunicorn's 30 s does not cut it off.
         "--timeout", "120", "--error-logfile", str(tmp_path / "gunicorn.log"),
         "--access-logfile", str(tmp_path / "gunicorn.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(M)sms"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            requests.get(base + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    SERVER_LOGS[:] = [tmp_path / "gunicorn.log", tmp_path / "app.log"]
    yield base, token, env
    process.terminate()
    process.wait(timeout=10)
    log.close()
    SERVER_LOGS.clear()


def superuser_token(env: dict, username: str) -> str:
    """The API token of a new superuser (only superusers delete events)."""
    return shell(
        env,
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token;"
        f"print(Token.objects.create(user=User.objects.create_superuser({username!r}, password='x')).key)",
    ).strip()


def create_event(base: str, token: str, title: str) -> tuple[str, int]:
    """A new event made through the API: its address in the API and its version."""
    created = api(base, token).post(f"{base}/api/events/", json={"title": title, "kind": "meeting", "date": "2025"})
    assert created.status_code == 201, created.text[:200]
    return f"{base}/api/events/{created.json()['id']}/", created.json()["version"]


SERVER_LOGS: list = []  # the running servers' log files, shown when a request of a race gets no answer


def race(requests_: list[functools.partial]) -> list[requests.Response]:
    """Each request from a thread of its own, all released at the same instant."""
    barrier = threading.Barrier(len(requests_))
    results: list = [None] * len(requests_)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = requests_[i]()
        except requests.RequestException as error:  # reported below, with what the servers logged
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests_))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [result for result in results if isinstance(result, Exception)]
    logs = "\n".join(f"--- {path.name}\n{path.read_text()[-6000:]}" for path in SERVER_LOGS if path.exists())
    assert not failed, f"{failed}\n{logs}"
    return results


def api(base: str, token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


def test_simultaneous_api_changes_of_one_version_give_one_200_and_409s(app):
    base, token, _env = app
    url = f"{base}/api/events/{SEED_SLUG}/"
    for round_number in range(6):
        version = api(base, token).get(url).json()["version"]
        answers = race(
            [
                functools.partial(
                    api(base, token).patch, url, json={"summary": f"{round_number}/{i}.", "version": version}
                )
                for i in range(4)
            ]
        )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200, 409, 409, 409], [answer.text[:200] for answer in answers]
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["version"] == version + 1
        winner = next(answer for answer in answers if answer.status_code == 200).json()["summary"]
        assert api(base, token).get(url).json()["summary"] == winner


def test_simultaneous_api_changes_with_one_if_match_give_one_200_and_412s(app):
    base, token, _env = app
    url = f"{base}/api/events/{SEED_SLUG}/"
    for round_number in range(6):
        etag = api(base, token).get(url).headers["ETag"]
        answers = race(
            [
                functools.partial(
                    api(base, token).patch, url, json={"summary": f"{round_number}/{i}."}, headers={"If-Match": etag}
                )
                for i in range(4)
            ]
        )
        assert sorted(answer.status_code for answer in answers) == [200, 412, 412, 412]


def test_writers_to_different_events_all_succeed(app):
    """SQLite's "database is locked" came from writers upgrading a read lock; now they queue."""
    base, token, _env = app
    session = api(base, token)
    events = [event["id"] for event in session.get(f"{base}/api/events/").json()["results"]]
    assert len(events) >= 3
    for round_number in range(5):
        answers = race(
            [
                functools.partial(
                    api(base, token).patch,
                    f"{base}/api/events/{events[i % len(events)]}/",
                    json={"change_note": f"{round_number}-{i}"},
                    headers={"If-Match": "*"},
                )
                for i in range(8)
            ]
        )
        assert all(answer.status_code == 200 for answer in answers), [
            (a.status_code, a.text[:300]) for a in answers if a.status_code != 200
        ]


class FormReader(HTMLParser):
    """The fields a browser would submit from the page's form with id `form_id`."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields.append((self.textarea, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


class PlainHTTPSession(requests.Session):
    """A browser session that sends production's Secure cookies back over this test's plain HTTP."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def admin_session(base: str, username: str = "chefin") -> requests.Session:
    """A browser session logged in to the admin as one of the PUBLISHERS: password, then the app's code."""
    session = PlainHTTPSession()
    step = session.get(f"{base}/admin/login/")
    for answer in (
        {"username": username, "password": PASSWORD},
        {"token-otp_token": f"{totp(bytes.fromhex(APP_KEY)):06d}"},
    ):
        reader = FormReader("login-form")
        reader.feed(step.text)
        step = session.post(f"{base}/admin/login/", data=dict(reader.fields) | answer, allow_redirects=False)
    assert step.status_code == 302, step.text[:3000]
    return session


def test_six_simultaneous_admin_saves_of_one_form_give_one_save_and_five_merge_forms(app):
    base, token, env = app
    pk = int(shell(env, f"from timeline.models import Event; print(Event.objects.get(slug={SEED_SLUG!r}).pk)"))
    change = f"{base}/admin/timeline/event/{pk}/change/"
    sessions = [admin_session(base, name) for name in PUBLISHERS]
    forms = []
    for i, session in enumerate(sessions):
        reader = FormReader("event_form")
        reader.feed(session.get(change).text)
        fields = [(name, value) for name, value in reader.fields if name != "summary_de"]
        forms.append([*fields, ("summary_de", f"Fassung {i} der Zusammenfassung."), ("_save", "Sichern")])
    answers = race(
        [
            functools.partial(session.post, change, data=form, allow_redirects=False)
            for session, form in zip(sessions, forms, strict=True)
        ]
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200, 200, 200, 200, 302], [a.text[:3000] for a in answers if a.status_code >= 400]
    saved = api(base, token).get(f"{base}/api/events/{SEED_SLUG}/").json()["summary"]
    winner = next(i for i, answer in enumerate(answers) if answer.status_code == 302)
    assert saved == f"Fassung {winner} der Zusammenfassung."
    for i, answer in enumerate(answers):
        if answer.status_code == 200:  # the merge form, with this editor's own text kept
            assert "nachdem Sie ihn geöffnet haben" in answer.text
            assert f"Fassung {i} der Zusammenfassung." in answer.text


def test_a_form_with_a_new_participant_sent_twice_at_once_saves_it_once(app):
    """A double click on "Sichern": both sendings succeed, the person is stored once."""
    base, token, env = app
    pk = int(shell(env, f"from timeline.models import Event; print(Event.objects.get(slug={SEED_SLUG!r}).pk)"))
    change = f"{base}/admin/timeline/event/{pk}/change/"
    first = admin_session(base)
    second = PlainHTTPSession()
    second.cookies.update(first.cookies)  # the same browser: one login, one CSRF cookie
    reader = FormReader("event_form")
    reader.feed(first.get(change).text)
    fields = dict(reader.fields)
    new_row = f"participants-{fields['participants-INITIAL_FORMS']}-name"
    form = [(name, "Neue Person" if name == new_row else value) for name, value in reader.fields]
    send = [*form, ("_save", "Sichern")]
    answers = race([functools.partial(s.post, change, data=send, allow_redirects=False) for s in (first, second)])
    assert [answer.status_code for answer in answers] == [302, 302], [a.text[:3000] for a in answers]
    stored = api(base, token).get(f"{base}/api/events/{SEED_SLUG}/").json()
    people = [person["name"] for person in stored["participants"]]
    assert people.count("Neue Person") == 1, people


def test_simultaneous_new_events_with_one_title_each_get_an_address(app):
    base, token, _env = app
    event = {"title": "Gespräch mit der Botschaft Japans", "kind": "meeting", "date": "2025-07-01"}
    answers = race([functools.partial(api(base, token).post, f"{base}/api/events/", json=event) for _ in range(6)])
    assert [answer.status_code for answer in answers] == [201] * 6, [answer.text[:200] for answer in answers]
    slugs = sorted(answer.json()["slug"] for answer in answers)
    assert len(set(slugs)) == 6
    assert "gesprach-mit-der-botschaft-japans" in slugs or "gespraech-mit-der-botschaft-japans" in slugs


def test_a_deletion_racing_changes_answers_each_and_keeps_every_revision(app):
    base, token, env = app
    root = superuser_token(env, "root")
    for round_number in range(4):
        url, _version = create_event(base, token, f"Runde {round_number}")
        change = {"summary": "Neu."}
        answers = race(
            [functools.partial(api(base, root).delete, url)]
            + [functools.partial(api(base, token).patch, url, json=change, headers={"If-Match": "*"}) for _ in range(3)]
        )
        assert answers[0].status_code == 204
        assert {answer.status_code for answer in answers[1:]} <= {200, 404}, [a.text[:200] for a in answers]
        assert api(base, token).get(url).status_code == 404
    # Every deletion is kept as a revision (PostgreSQL refused the commit when a change's revision
    # pointed at the event being deleted: a 500).
    deleted = shell(
        env, "from timeline.models import Revision; print(Revision.objects.filter(action='deleted').count())"
    )
    assert deleted.strip() == "4"


@pytest.fixture
def busy_timeout_of_one_second(monkeypatch):
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT", "1")


def test_a_write_that_waits_past_the_busy_timeout_is_a_503_to_retry(busy_timeout_of_one_second, app, database_url):
    """As while a long import holds SQLite's write lock; PostgreSQL writers wait for row locks."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock of the whole database is SQLite's")
    import sqlite3

    base, token, _env = app
    url = f"{base}/api/events/{SEED_SLUG}/"
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = api(base, token).patch(url, json={"summary": "Neu."}, headers={"If-Match": "*"})
        assert api(base, token).get(url).status_code == 200  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert busy.json() == {"detail": "Die Datenbank ist ausgelastet; versuchen Sie es in ein paar Sekunden erneut."}
    assert api(base, token).patch(url, json={"summary": "Neu."}, headers={"If-Match": "*"}).status_code == 200


def test_simultaneous_unconditional_changes_all_succeed_one_after_another(app):
    """If-Match: * asks for the change whatever the version: each waits for the row, none fails."""
    base, token, _env = app
    url = f"{base}/api/events/{SEED_SLUG}/"
    before = api(base, token).get(url).json()["version"]
    answers = race(
        [
            functools.partial(
                api(base, token).patch, url, json={"change_note": f"Fassung {i}."}, headers={"If-Match": "*"}
            )
            for i in range(6)
        ]
    )
    assert [answer.status_code for answer in answers] == [200] * 6, [answer.text[:200] for answer in answers]
    assert api(base, token).get(url).json()["version"] == before + 6


def test_a_delete_based_on_a_version_never_deletes_a_newer_one(app):
    base, token, env = app
    root = superuser_token(env, "root2")
    for round_number in range(5):
        url, version = create_event(base, token, f"Probe {round_number}")
        patch, delete = race(
            [
                functools.partial(api(base, token).patch, url, json={"summary": "Neu.", "version": version}),
                functools.partial(api(base, root).delete, url, headers={"If-Match": f'"{version}"'}),
            ]
        )
        # One of them wins; the other learns the event changed (or is gone): never both.
        assert sorted([patch.status_code, delete.status_code]) in ([200, 412], [204, 404]), (patch.text, delete.text)


def test_simultaneous_admin_adds_with_one_title_and_a_publish_action_racing_the_api_give_no_error(app):
    base, token, _env = app
    sessions = [admin_session(base, name) for name in PUBLISHERS[:4]]
    forms = []
    for session in sessions:
        reader = FormReader("event_form")
        reader.feed(session.get(f"{base}/admin/timeline/event/add/").text)
        # An address chosen on purpose (not the title's, which would be made free with "-2").
        fields = dict(reader.fields) | {"title_de": "Konsultationen in Tokio", "slug": "konsultationen-tokio-2025"}
        forms.append(fields | {"date": "2025-09-01", "kind": "meeting", "_save": "Sichern"})
    answers = race(
        [
            functools.partial(session.post, f"{base}/admin/timeline/event/add/", data=form, allow_redirects=False)
            for session, form in zip(sessions, forms, strict=True)
        ]
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200, 200, 302], statuses  # one saved; the others told the address is taken
    taken = "Die Adresse „konsultationen-tokio-2025“ gehört schon zu „Konsultationen in Tokio“."
    assert all(taken in html.unescape(answer.text) for answer in answers if answer.status_code == 200)

    event = api(base, token).get(f"{base}/api/events/konsultationen-tokio-2025/").json()
    changelist = f"{base}/admin/timeline/event/"
    reader = FormReader("changelist-form")
    reader.feed(sessions[0].get(changelist).text)
    action = dict(reader.fields) | {"action": "publish", "_selected_action": str(event_pk(base, sessions[0], event))}
    for round_number in range(4):
        publish, patch = race(
            [
                functools.partial(sessions[0].post, changelist, data=action, allow_redirects=False),
                functools.partial(
                    api(base, token).patch,
                    f"{base}/api/events/{event['id']}/",
                    json={"status": "draft", "change_note": str(round_number)},
                    headers={"If-Match": "*"},
                ),
            ]
        )
        assert publish.status_code == 302 and patch.status_code == 200, (publish.status_code, patch.text[:200])


def event_pk(base: str, session: requests.Session, event: dict) -> int:
    """The admin's key of an event, from its change link in the admin's list."""
    page = session.get(f"{base}/admin/timeline/event/", params={"q": event["slug"]}).text
    return int(re.search(r"/admin/timeline/event/(\d+)/change/", page).group(1))
