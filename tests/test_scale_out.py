"""The production shape: gunicorn with two workers (and Redis when REDIS_URL is set).

A change made by another process (here: `manage.py shell`, as an editor's save in another worker
or host would be) is visible on the very next request to every worker: nothing stale is served
from a process-local cache.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "scale-out-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SITE_URL": "https://events.example.org",
        "CACHE_KEY_PREFIX": f"test-{tmp_path.name}",
    }
    for command in (["migrate", "--noinput"], ["load_seed"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, env
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()


def test_a_change_in_another_process_is_seen_by_every_worker_at_once(server):
    base, env = server
    for path in ("/feeds/atom/", "/"):
        for _ in range(12):  # enough requests to warm the caches of both workers
            assert "Reiche trifft Japans Minister" in fetch(base + path)
    change = (
        "from timeline.models import Event;"
        "e = Event.objects.get(slug='reiche-trifft-kiuchi-berlin-2025');"
        "e.title = 'Reiche und Kiuchi vereinbaren Rohstoffdialog'; e.change_note = 'Titel präzisiert.'; e.save()"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", change], cwd=ROOT, env=env, check=True)
    for path in ("/feeds/atom/", "/feeds/rss/", "/", "/api/events/"):
        for _ in range(12):
            page = fetch(base + path)
            assert "Reiche und Kiuchi vereinbaren Rohstoffdialog" in page, path
            assert "Reiche trifft Japans Minister" not in page, path
