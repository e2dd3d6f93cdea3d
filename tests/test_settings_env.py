"""Configuration from the environment, checked the way an operator would start the service."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-key-7f3c9b1e5d2a8f4c6e0b9d7a3f1c5e8b2d4a6c",
    "DJANGO_ALLOWED_HOSTS": "events.example.org",
    "SITE_URL": "https://events.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_off_without_a_secret_key_fails_and_names_the_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_deployment_check_warns_when_site_url_is_missing():
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "SITE_URL" in result.stdout + result.stderr


def test_deployment_check_warns_when_no_host_is_allowed():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_on_another_port_links_to_that_port(tmp_path):
    """`make run PORT=…` as the README documents it: the site's own links must not point elsewhere."""
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL", "DATABASE_URL", "REDIS_URL"))
    }
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", DJANGO_ADMIN_PASSWORD="pw-for-tests-only")
    server = subprocess.Popen(
        [shutil.which("make") or "make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # runserver's reloader starts a child; the whole group is stopped below
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = urllib.request.urlopen(base + "/", timeout=5).read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("make run did not serve: " + server.stdout.read().decode()[-2000:])
                time.sleep(0.5)
        robots = urllib.request.urlopen(base + "/robots.txt", timeout=5).read().decode()
        api = json.loads(urllib.request.urlopen(base + "/api/events/", timeout=5).read())
        feed = urllib.request.urlopen(base + "/feeds/atom/", timeout=5).read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert f'href="{base}/feeds/rss/"' in page
    assert f'<link rel="canonical" href="{base}/">' in page
    assert f"Sitemap: {base}/sitemap.xml" in robots
    assert api["results"][0]["url"].startswith(base + "/events/")
    assert f'href="{base}/events/' in feed
    assert ":8000" not in page + robots + feed


def test_in_production_the_language_cookie_is_secure_and_same_site_and_a_login_lands_in_the_admin():
    script = (
        "from django.conf import settings;"
        "print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SAMESITE, settings.LOGIN_REDIRECT_URL)"
    )
    result = manage("shell", "-c", script, **PRODUCTION)
    assert result.stdout.split()[-3:] == ["True", "Lax", "admin:index"], result.stdout + result.stderr
