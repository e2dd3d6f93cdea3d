"""Redis is a cache, not a dependency: a real redis-server, stopped and started again.

With the default cache on Redis and Redis stopped, every public surface (timeline, event page,
RSS and Atom feeds, the API's public list) answers 200 with the content the database holds, a
change saved meanwhile (admin, API, ``Event.save()``) included; editors and publishers can save;
the API's limit lets readers through; /healthz says "degraded" with 200. When Redis answers again,
/healthz says "ok" and responses are kept in Redis again. When Redis comes back from an older
snapshot, a withdrawal made afterwards is gone from every surface on the next request, and without
any write the snapshot's older content is served no longer than the version's lifetime in Redis
plus a process's copy of it. Last, the production shape: gunicorn with two workers keeps answering
every read and write while Redis stops and starts again.
"""

import itertools
import json
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import tests.test_scale_out as scale_out
from tests.conftest import as_read, missing
from timeline import cache
from timeline.api_throttling import AnonRateThrottle
from timeline.cache import RETRY_AFTER
from timeline.models import Event

LISTS = ("/", "/feeds/rss/", "/feeds/atom/", "/api/events/")
DEGRADED = {"status": "degraded", "database": "ok", "cache": "unavailable"}
HEALTHY = {"status": "ok", "database": "ok", "cache": "ok"}

# gunicorn with two workers, as tests/test_scale_out.py starts it (see `production` below).
server = scale_out.server


class RedisServer:
    """A private redis-server on a free port: stopped and started again on the same port and
    directory, so that a start loads the snapshot a SAVE wrote there (and nothing else)."""

    def __init__(self, directory: Path):
        self.server, self.cli_path = shutil.which("redis-server"), shutil.which("redis-cli")
        if not (self.server and self.cli_path):
            missing("redis-server and redis-cli are needed to test a Redis outage (apt-get install redis-server)")
        self.directory, self.port = directory, scale_out.free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *command: str) -> str:
        done = subprocess.run(
            [self.cli_path, "-p", str(self.port), *command], capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout.strip()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while self.cli("ping") != "PONG":
            assert self.process.poll() is None, f"redis-server exited with {self.process.returncode}"
            assert time.monotonic() < deadline, "redis-server does not answer"
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop without writing a snapshot: what it holds now is lost."""
        if self.process is None:
            return
        self.cli("shutdown", "nosave")
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=5)
        self.process = None

    def snapshot(self) -> None:
        """Write what it holds now to dump.rdb, for the next start to load."""
        assert self.cli("save") == "OK"

    def keys(self) -> int:
        return int(self.cli("dbsize"))


@pytest.fixture
def redis_server(tmp_path):
    directory = tmp_path / "redis"
    directory.mkdir()
    redis = RedisServer(directory)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def shared_redis(redis_server):
    """This process's default cache on `redis_server`, as with REDIS_URL set (short timeouts, as
    config/settings.py sets them); the per-process aliases ("local", …) as configured."""
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_server.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={**settings.CACHES, "default": redis_cache}):
        cache.clear()
        yield redis_server


def forget_this_process() -> None:
    """Drop the responses and the content version this process keeps, as a worker that has just
    started would have none: what it serves next comes from Redis, or else from the database."""
    for alias in settings.CACHES:
        if alias != "default":
            caches[alias].clear()
    cache._Local.version = None


def read(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return as_read(response.content)


def assert_everywhere(client, paths, shown: tuple[str, ...] = (), hidden: tuple[str, ...] = ()) -> None:
    for path in paths:
        page = read(client, path)
        for text in shown:
            assert text in page, (path, text)
        for text in hidden:
            assert text not in page, (path, text)


def healthz(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()


def patch_event(client, event: Event, **fields) -> None:
    """Change `event` through the API, as a publisher's script or the editing app does."""
    response = client.patch(
        f"/api/events/{event.slug}/", json.dumps(fields), content_type="application/json", headers={"if-match": "*"}
    )
    assert response.status_code == 200, response.content


def admin_add_form(title: str) -> dict:
    """What the admin's add page sends for a draft without participants or sources."""
    empty = ("TOTAL_FORMS", "INITIAL_FORMS")
    inlines = {f"{inline}-{count}": "0" for inline in ("participants", "sources") for count in empty}
    return {
        "title_de": title, "kind": "meeting", "date": "3. Juli 2025", "place_de": "Osaka",
        "countries": ["DE", "JP"], "summary_de": "Ein Gespräch.", "status": "draft", "version": "0", **inlines,
    }  # fmt: skip


# Redis stopped


def test_with_redis_stopped_every_surface_answers_from_the_database_a_change_saved_meanwhile_included(
    client, shared_redis, make_event, django_capture_on_commit_callbacks
):
    event = make_event(title="Treffen in Osaka")
    paths = (*LISTS, event.get_absolute_url())
    assert_everywhere(client, paths, shown=("Treffen in Osaka",))  # kept in Redis and in this process
    shared_redis.stop()
    forget_this_process()
    assert_everywhere(client, paths, shown=("Treffen in Osaka",))
    with django_capture_on_commit_callbacks(execute=True):  # announced on commit, to a Redis that is gone
        event.title = "Gespräch in Kobe"
        event.save()
    assert_everywhere(client, paths, shown=("Gespräch in Kobe",), hidden=("Treffen in Osaka",))
    assert healthz(client) == DEGRADED  # the outage was real all along


def test_with_redis_stopped_editors_and_publishers_save_through_the_admin_and_the_api_and_readers_see_it(
    client, shared_redis, make_event, editor_client, publisher_client, django_capture_on_commit_callbacks
):
    earlier = make_event(title="Treffen in Osaka")
    assert_everywhere(client, LISTS, shown=("Treffen in Osaka",))
    shared_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post("/admin/timeline/event/add/", admin_add_form("Dialog in Tokio")).status_code == 302
    draft = Event.objects.get(title="Dialog in Tokio")
    assert_everywhere(client, LISTS, shown=("Treffen in Osaka",), hidden=("Dialog in Tokio",))
    with django_capture_on_commit_callbacks(execute=True):
        patch_event(publisher_client, draft, status="published")
        patch_event(publisher_client, earlier, status="withdrawn", withdrawal_reason="Der Termin fiel aus.")
    assert_everywhere(client, LISTS, shown=("Dialog in Tokio",), hidden=("Treffen in Osaka",))
    assert_everywhere(client, (draft.get_absolute_url(),), shown=("Dialog in Tokio",))
    withdrawn = client.get(earlier.get_absolute_url())
    assert withdrawn.status_code == 410 and "Der Termin fiel aus." in withdrawn.content.decode()
    assert healthz(client) == DEGRADED


def test_with_redis_stopped_the_api_limit_lets_readers_through_and_counts_again_once_it_is_back(
    client, shared_redis, make_event, monkeypatch
):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    make_event()
    shared_redis.stop()
    assert [client.get("/api/events/").status_code for _ in range(6)] == [200] * 6
    shared_redis.start()
    time.sleep(RETRY_AFTER)  # after a failure the cache is left alone this long
    assert [client.get("/api/events/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_redis_that_hangs_is_asked_once_not_on_every_request(client, shared_redis, make_event):
    make_event()
    shared = caches["default"]
    shared_redis.process.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        with mock.patch.object(type(shared), "get", autospec=True, side_effect=type(shared).get) as asked:
            statuses = [client.get("/api/events/", {"page_size": n}).status_code for n in range(1, 11)]
    finally:
        shared_redis.process.send_signal(signal.SIGCONT)
    assert statuses == [200] * 10
    # Each call waits the 0.5-second socket timeout; after the first failure the cache (the
    # API's rate limit included) is left alone for RETRY_AFTER seconds.
    assert asked.call_count == 1


def test_healthz_reports_the_cache_degraded_not_down_while_redis_is_stopped_and_ok_once_it_is_back(
    client, shared_redis, db
):
    assert healthz(client) == HEALTHY
    shared_redis.stop()
    assert healthz(client) == DEGRADED
    shared_redis.start()
    assert healthz(client) == HEALTHY


def test_when_redis_is_back_responses_are_kept_in_it_again(client, shared_redis, make_event, django_assert_num_queries):
    event = make_event(title="Treffen in Osaka")
    paths = (*LISTS, event.get_absolute_url())
    shared_redis.stop()
    for path in paths:
        forget_this_process()
        with CaptureQueriesContext(connection) as queries:
            read(client, path)
        assert queries, path  # nothing kept anywhere: built from the database
    shared_redis.start()
    time.sleep(cache.RETRY_AFTER + 0.1)  # the last error was before the start: its backoff is over
    for path in paths:
        read(client, path)
        forget_this_process()  # another worker: the version and the response from Redis alone
        with django_assert_num_queries(0):
            assert "Treffen in Osaka" in read(client, path)


# Redis restarted from an older snapshot


@dataclass
class OlderSnapshot:
    """Redis stopped after a snapshot was taken and the content changed since: started again, it
    holds the content version and the responses of before the change."""

    redis: RedisServer
    version: cache.ContentVersion  # the snapshot's
    event: Event  # the same in the snapshot and now
    changed: Event  # "Konsultationen in Berlin" in the snapshot, "… in Bonn" now

    def restart(self) -> float:
        """Start Redis again, loading the snapshot; returns when."""
        self.redis.start()
        assert caches["default"].get(cache.version_key()) == self.version  # the older version is back
        return time.monotonic()

    def assert_current(self, client) -> None:
        for path in (*LISTS, self.changed.get_absolute_url()):
            page = read(client, path)
            assert "Konsultationen in Bonn" in page and "Konsultationen in Berlin" not in page, path


@pytest.fixture
def older_snapshot(client, shared_redis, make_event, django_capture_on_commit_callbacks) -> OlderSnapshot:
    event = make_event(title="Treffen in Osaka", date="2025-06-26")
    changed = make_event(title="Konsultationen in Berlin", date="2025-05-12")
    pages = (*LISTS, event.get_absolute_url())
    assert_everywhere(client, pages, shown=("Treffen in Osaka",))  # kept in Redis, then in the snapshot
    assert_everywhere(client, (*LISTS, changed.get_absolute_url()), shown=("Konsultationen in Berlin",))
    version = caches["default"].get(cache.version_key())
    assert version is not None
    shared_redis.snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        changed.title = "Konsultationen in Bonn"
        changed.save()
    scenario = OlderSnapshot(shared_redis, version, event, changed)
    assert_everywhere(client, pages, shown=("Treffen in Osaka",))  # kept in Redis, for the next version
    scenario.assert_current(client)
    shared_redis.stop()
    return scenario


def test_after_a_restart_from_an_older_snapshot_a_withdrawal_is_gone_from_every_surface_on_the_next_request(
    client, older_snapshot, publisher_client, django_capture_on_commit_callbacks
):
    older_snapshot.restart()
    event = older_snapshot.event
    with django_capture_on_commit_callbacks(execute=True):
        patch_event(publisher_client, event, status="withdrawn", withdrawal_reason="Der Termin fiel aus.")
    assert_everywhere(client, ("/feeds/atom/", "/", "/api/events/", "/feeds/rss/"), hidden=("Treffen in Osaka",))
    withdrawn = client.get(event.get_absolute_url())
    assert withdrawn.status_code == 410 and "Der Termin fiel aus." in withdrawn.content.decode()
    older_snapshot.assert_current(client)


def test_after_a_restart_from_an_older_snapshot_every_surface_is_current_again_within_the_versions_lifetime(
    client, older_snapshot
):
    # Nothing told this process of the outage, so it cannot know that the version in Redis is
    # older than its own: once its copy expires it takes the snapshot's, and the snapshot's
    # responses with it, until that copy expires in Redis (at most VERSION_TIMEOUT after it was
    # stored, which was before the restart). Readers asking meanwhile may get the older content
    # (they do, for about four seconds here); from VERSION_TIMEOUT + LOCAL_VERSION_SECONDS after
    # the restart on, every one gets the current content. A process that met the outage drops
    # the snapshot's version at once: see the next test.
    current_by = older_snapshot.restart() + cache.VERSION_TIMEOUT + cache.LOCAL_VERSION_SECONDS
    while time.monotonic() < current_by:  # readers all along, so that the older copy is taken if it can be
        read(client, "/feeds/atom/")
        time.sleep(0.05)
    for _ in range(3):
        older_snapshot.assert_current(client)
        time.sleep(cache.LOCAL_VERSION_SECONDS / 2)


def test_after_a_restart_from_an_older_snapshot_a_process_that_met_the_outage_serves_current_content_at_once(
    client, older_snapshot
):
    forget_this_process()
    older_snapshot.assert_current(client)  # meets the outage
    restarted = older_snapshot.restart()
    while time.monotonic() < restarted + cache.RETRY_AFTER + cache.LOCAL_VERSION_SECONDS + 0.5:  # past the backoff
        forget_this_process()  # the version from Redis on every request, once Redis is asked again
        older_snapshot.assert_current(client)
        time.sleep(0.1)


# The production shape


@pytest.fixture
def production(request, redis_server, monkeypatch):
    """gunicorn with two workers (tests/test_scale_out.py's `server`), REDIS_URL on `redis_server`,
    and an API token of a publisher."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    base, env = request.getfixturevalue("server")
    token = scale_out.shell(
        env,
        "from django.contrib.auth.models import Group, User;"
        "from rest_framework.authtoken.models import Token;"
        "from timeline.roles import ensure_roles;"
        "ensure_roles(); user = User.objects.create_user('herausgeberin', is_staff=True);"
        "user.groups.add(Group.objects.get(name='publisher')); print(Token.objects.create(user=user).key)",
    )
    return base, env, token


SEED_SLUG = "reiche-trifft-kiuchi-berlin-2025"


def save_in_shell(env: dict, title: str) -> None:
    """Change the seed event's title in another process, as `manage.py shell` or a job does."""
    scale_out.shell(
        env,
        f"from timeline.models import Event; e = Event.objects.get(slug={SEED_SLUG!r}); e.title = {title!r}; e.save()",
    )


def save_over_api(base: str, token: str, title: str) -> None:
    request = urllib.request.Request(
        f"{base}/api/events/{SEED_SLUG}/",
        data=json.dumps({"title": title}).encode(),
        method="PATCH",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "If-Match": "*"},
    )
    assert urllib.request.urlopen(request, timeout=10).status == 200


def assert_every_worker_serves(base: str, title: str) -> None:
    for path in (*LISTS, f"/events/{SEED_SLUG}/"):
        for _ in range(6):  # enough requests to reach both workers
            assert title in scale_out.fetch(base + path), path


def read_until(stop: threading.Event, base: str, answers: list) -> None:
    """Read the timeline, the feeds and the API list in turn until `stop`, noting each status."""
    for path in itertools.cycle(LISTS):
        if stop.is_set():
            return
        try:
            answers.append((path, scale_out.get(base + path)[0]))
        except OSError as error:  # no HTTP answer at all
            answers.append((path, repr(error)))
        time.sleep(0.005)


def wait_for_reads(answers: list, count: int) -> None:
    """Wait until the readers have made `count` more requests (however busy the machine is)."""
    target, deadline = len(answers) + count, time.monotonic() + 60
    while len(answers) < target:
        assert time.monotonic() < deadline, f"the readers made {len(answers)} requests, not {target}"
        time.sleep(0.05)


def test_gunicorn_with_two_workers_answers_every_read_and_write_while_redis_stops_and_starts_again(
    redis_server, production
):
    base, env, token = production
    answers: list = []
    stop = threading.Event()
    readers = [threading.Thread(target=read_until, args=(stop, base, answers)) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        wait_for_reads(answers, 100)
        assert redis_server.keys() > 0  # the workers keep their responses in this Redis
        redis_server.stop()
        save_in_shell(env, "Reiche und Kiuchi, Fassung 1")
        save_over_api(base, token, "Reiche und Kiuchi, Fassung 2")
        assert json.loads(scale_out.get(base + "/healthz")[2]) == DEGRADED
        time.sleep(cache.LOCAL_VERSION_SECONDS)  # the longest a worker keeps the version it read
        wait_for_reads(answers, 200)
        assert_every_worker_serves(base, "Reiche und Kiuchi, Fassung 2")
        redis_server.start()
        save_over_api(base, token, "Reiche und Kiuchi, Fassung 3")
        save_in_shell(env, "Reiche und Kiuchi, Fassung 4")
        time.sleep(cache.RETRY_AFTER + cache.LOCAL_VERSION_SECONDS)
        wait_for_reads(answers, 100)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert [answer for answer in answers if answer[1] != 200] == []
    assert_every_worker_serves(base, "Reiche und Kiuchi, Fassung 4")
    assert json.loads(scale_out.get(base + "/healthz")[2]) == HEALTHY
    assert redis_server.keys() > 0  # kept in Redis again
