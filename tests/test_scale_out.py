"""The production shape: gunicorn with two workers (and Redis when REDIS_URL is set), and nginx.

A change made by another process (here: `manage.py shell`, as an editor's save in another worker
or host would be) is served by every worker within a second (the longest a worker keeps the
content version it last read). Behind nginx, with the cache settings of deploy/nginx/, a change
reaches readers once nginx's 1-second copy expires, and a draft never reaches its cache.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import as_read, missing
from timeline.cache import LOCAL_VERSION_SECONDS

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path, request):
    """gunicorn with the seed; a test may add environment variables by parametrising this fixture
    indirectly with a dict of them."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "scale-out-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SITE_URL": "https://events.example.org",
        "CACHE_KEY_PREFIX": f"test-{tmp_path.name}",
        # Its own: CI runs the SQLite and PostgreSQL suites side by side in one clone.
        "STATIC_ROOT": str(tmp_path / "static"),
        **getattr(request, "param", {}),
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
    return as_read(urllib.request.urlopen(url, timeout=10).read())


def test_a_change_in_another_process_is_seen_by_every_worker_within_a_second(server):
    base, env = server
    for path in ("/feeds/atom/", "/", "/api/events/"):
        for _ in range(12):  # enough requests to warm the caches of both workers
            assert "Reiche trifft Japans Minister" in fetch(base + path)
    change = (
        "from timeline.models import Event;"
        "e = Event.objects.get(slug='reiche-trifft-kiuchi-berlin-2025');"
        "e.title = 'Reiche und Kiuchi vereinbaren Rohstoffdialog'; e.change_note = 'Titel präzisiert.'; e.save()"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", change], cwd=ROOT, env=env, check=True)
    time.sleep(LOCAL_VERSION_SECONDS)  # how long a worker may keep the version it last read
    for path in ("/feeds/atom/", "/feeds/rss/", "/", "/api/events/"):
        for _ in range(12):
            page = fetch(base + path)
            assert "Reiche und Kiuchi vereinbaren Rohstoffdialog" in page, path
            assert "Reiche trifft Japans Minister" not in page, path


# Behind nginx with the cache settings of deploy/nginx/ (the files production includes), and the
# locations of deploy/nginx.conf: each for the German and the English addresses.
NGINX_CONF = """worker_processes 1;
{user}
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log off;
  proxy_cache_path {dir}/cache levels=1:2 keys_zone=timeline:1m use_temp_path=off;
  upstream timeline_app {{ server {upstream}; }}
  server {{
    listen 127.0.0.1:{port};
    include {deploy}/nginx/proxy.conf;
    location ~ ^(/en)?/feeds/ {{ proxy_pass http://timeline_app; include {deploy}/nginx/feeds.conf; }}
    location ~ ^(/en)?/(timeline\\.json|export\\.csv)$ {{
      proxy_pass http://timeline_app; include {deploy}/nginx/feeds.conf;
    }}
    location ~ ^(/en)?/(zeitstrahl/)?$ {{ proxy_pass http://timeline_app; include {deploy}/nginx/pages.conf; }}
    location ~ ^(/en)?/events/ {{ proxy_pass http://timeline_app; include {deploy}/nginx/pages.conf; }}
    location / {{ proxy_pass http://timeline_app; }}
  }}
}}
"""


@pytest.fixture
def proxy(server, tmp_path):
    nginx = shutil.which("nginx")
    if not nginx:
        missing("nginx is not installed (apt-get install nginx to test deploy/nginx/)")
    base, env = server
    workdir = tmp_path / "nginx"
    workdir.mkdir()
    port = free_port()
    config = workdir / "nginx.conf"
    config.write_text(
        NGINX_CONF.format(
            dir=workdir, port=port, upstream=base.removeprefix("http://"), deploy=ROOT / "deploy",
            user="user root;" if os.geteuid() == 0 else "",  # the workers must reach tmp_path
        )
    )  # fmt: skip
    subprocess.run([nginx, "-c", str(config), "-p", str(workdir)], check=True, capture_output=True)
    yield f"http://127.0.0.1:{port}", env
    subprocess.run([nginx, "-c", str(config), "-p", str(workdir), "-s", "stop"], check=False, capture_output=True)


def get(url: str, **headers: str):
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    return response.status, response.headers, as_read(response.read())


def shell(env: dict, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""  # after the shell's own notes


# What says which language a surface is in, in its body.
LANGUAGE_MARKS = {"page": '<html lang="{}">', "feed": 'xml:lang="{}"'}


def test_the_proxy_answers_repeated_requests_and_keeps_each_language_apart(proxy):
    base, _env = proxy
    meeting = "/events/reiche-trifft-kiuchi-berlin-2025/"
    surfaces = {
        "/": "page", "/zeitstrahl/": "page", meeting: "page", meeting + "event.ics": None, "/feeds/atom/": "feed",
        "/feeds/rss/": None, "/feeds/json/": None, "/feeds/ics/": None, "/timeline.json": None, "/export.csv": None,
    }  # fmt: skip
    for path in surfaces:
        for address in (path, "/en" + path):  # the English address cached as the German one
            get(base + address)
            status, headers, _body = get(base + address)
            assert status == 200 and headers["X-Cache-Status"] == "HIT", address
            assert headers["Content-Language"] == ("en" if address.startswith("/en/") else "de"), address
    # One language per address, one copy per address: German at /…, English at /en/…, whatever
    # the browser asks for or the language cookie says; none served for the other, whether
    # nginx's copy was made from the app's cache or anew (the copies below come from the app's).
    time.sleep(2.1)  # nginx's copies have expired
    others = ({"Cookie": "django_language={}"}, {"Accept-Language": "{}"}, {"Accept-Language": "{}-GB,{};q=0.9"})
    for path, kind in surfaces.items():
        if kind is None:
            continue
        for language, address in (("de", path), ("en", "/en" + path)):
            other = "en" if language == "de" else "de"
            status, headers, body = get(base + address)
            assert LANGUAGE_MARKS[kind].format(language) in body, address
            for asked in others:
                headers = {name: value.format(other, other) for name, value in asked.items()}
                status, answered, body = get(base + address, **headers)
                assert LANGUAGE_MARKS[kind].format(language) in body, (address, headers)
                # The copy the plain request left (HIT, or EXPIRED when its second is over); a
                # copy of its own would be a MISS.
                assert answered["X-Cache-Status"] != "MISS", (address, headers)
    # A feed, kept for a reader without Origin, still gives a browser on another site its CORS
    # header, and gzip only to those who ask for it.
    get(base + "/feeds/atom/")
    _status, headers, _body = get(base + "/feeds/atom/", Origin="https://research.example.edu")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Encoding" not in get(base + "/feeds/atom/")[1]


def test_a_draft_previewed_by_staff_never_reaches_readers_through_the_proxy(proxy):
    base, env = proxy
    session = shell(
        env,
        "from importlib import import_module;"
        "from django.conf import settings;"
        "from django.contrib.auth.models import User;"
        "from timeline.models import Event;"
        "Event.objects.create(title='Geheimer Entwurf', kind='meeting', date='2025-07-01', status='draft');"
        "from django_otp import DEVICE_ID_SESSION_KEY;"
        "from django_otp.plugins.otp_totp.models import TOTPDevice;"
        "user = User.objects.create_superuser('chefin', 'chefin@example.org', 'pw-for-tests-only');"
        "store = import_module(settings.SESSION_ENGINE).SessionStore();"
        "store.update({'_auth_user_id': str(user.pk),"
        " '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend',"
        " '_auth_user_hash': user.get_session_auth_hash(),"
        # Past the second step, as a superuser must be to preview (timeline/two_step.py).
        " DEVICE_ID_SESSION_KEY: TOTPDevice.objects.create(user=user, name='default').persistent_id});"
        "store.create(); print(store.session_key)",
    )
    for _ in range(2):
        status, headers, body = get(base + "/events/geheimer-entwurf/", Cookie=f"sessionid={session}")
        assert status == 200 and "Geheimer Entwurf" in body and headers["X-Cache-Status"] == "BYPASS"
        assert "no-store" in headers["Cache-Control"]
        status, _headers, body = get(base + "/events/geheimer-entwurf/")
        assert status == 404 and "Geheimer Entwurf" not in body


def test_an_editors_change_reaches_readers_through_the_proxy_once_its_copy_expires(proxy):
    base, env = proxy
    for path in ("/", "/feeds/atom/"):
        get(base + path)
        assert "Reiche trifft Japans Minister" in get(base + path)[2]
    shell(
        env,
        "from timeline.models import Event;"
        "e = Event.objects.get(slug='reiche-trifft-kiuchi-berlin-2025');"
        "e.title = 'Reiche und Kiuchi vereinbaren Rohstoffdialog'; e.save()",
    )
    # nginx keeps a copy for 1 s and counts whole seconds, so after 2 s every copy has expired;
    # each worker may keep the content version it last read for one more second.
    time.sleep(2.1 + LOCAL_VERSION_SECONDS)
    for path in ("/", "/feeds/atom/"):
        body = get(base + path)[2]
        assert "Reiche und Kiuchi vereinbaren Rohstoffdialog" in body and "Reiche trifft Japans Minister" not in body


def test_the_documented_nginx_configuration_is_accepted_by_nginx(tmp_path):
    # deploy/nginx.conf as an operator installs it: certificate, cache and include paths are the
    # only lines changed.
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        missing("nginx and openssl are needed to check deploy/nginx.conf")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=events.example.org",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for installed, here in (
        ("/etc/ssl/certs/events.example.org.pem", tmp_path / "cert.pem"),
        ("/etc/ssl/private/events.example.org.key", tmp_path / "key.pem"),
        ("/var/cache/nginx/timeline", tmp_path / "cache"),
        ("/srv/timeline/deploy/", f"{ROOT / 'deploy'}/"),
    ):
        assert installed in site
        site = site.replace(installed, str(here))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log; pid {tmp_path}/nginx.pid; events {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr


def send(base: str, source: str, path: str, form: dict | None = None, **headers: str):
    """A request to `base` from the loopback address `source` (127.0.0.2, …: a client other than
    nginx, which reaches the app from 127.0.0.1): status, headers and body, redirects not followed."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request("GET" if form is None else "POST", path, urllib.parse.urlencode(form or {}) or None, headers)
    response = connection.getresponse()
    answer = response.status, response.headers, as_read(response.read())
    connection.close()
    return answer


@pytest.mark.parametrize("server", [{"API_ANON_RATE": "3/min"}], indirect=True)
def test_a_forged_x_forwarded_for_neither_escapes_the_api_limit_nor_the_login_limit_behind_nginx(proxy):
    # nginx (deploy/nginx/proxy.conf) appends the address it was reached from to whatever
    # X-Forwarded-For the client sent; the app trusts that one proxy (TRUSTED_PROXIES=1) only. The
    # guesser comes from 127.0.0.2 and claims another address on every request; a colleague from
    # 127.0.0.3 keeps their own count.
    base, env = proxy
    guesses = [send(base, "127.0.0.2", "/api/events/", **{"X-Forwarded-For": f"10.0.0.{n}"})[0] for n in range(10)]
    # Three requests a minute per address, counted in Redis for every worker; without it, in each
    # of the two workers' memory.
    assert set(guesses) == {200, 429}
    assert guesses.count(200) == 3 if env.get("REDIS_URL") else 3 <= guesses.count(200) <= 6
    assert send(base, "127.0.0.3", "/api/events/")[0] == 200

    _status, headers, page = send(base, "127.0.0.2", "/admin/login/")
    cookie = headers["Set-Cookie"].split(";")[0]  # csrftoken=…
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(source: str, username: str, password: str, forged: str) -> int:
        form = {
            "csrfmiddlewaretoken": token,
            "login_view-current_step": "auth",
            "username": username,
            "password": password,
        }
        return send(base, source, "/admin/login/", form, Cookie=cookie, **{"X-Forwarded-For": forged})[0]

    # Five accounts guessed from one address, each try claiming another: that address is locked
    # (429) for every account; from the colleague's address the login form still answers (200).
    for n in range(5):
        assert login("127.0.0.2", f"konto-{n}", "Sommer2025!", f"10.1.0.{n}") in (200, 429)
    assert login("127.0.0.2", "redaktion", "Sommer2025!", "10.1.0.99") == 429
    assert login("127.0.0.3", "redaktion", "Sommer2025!", "10.1.0.4") == 200
