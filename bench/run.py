"""`make bench`: serve the app as in production and measure it against references of the same run.

For each size (BENCH_SIZES, default "100000") it builds a SQLite database of synthetic events
(kept in bench-results/ for later runs) and measures each configuration (BENCH_CONFIGS, default
"default redis"): "default" is the app as it ships, with its per-process cache; "redis" is the
production shape, with a private redis-server and REDIS_URL set (skipped when redis-server is not
installed). Each is served by gunicorn (2 sync workers, debug off) and measured with wrk (-t1 -c16):

- every surface, requested again and again, against the trivial Django view (a large file, against
  a view sending as many bytes);
- the Atom feed, the timeline and an event page through nginx with the cache settings of
  deploy/nginx/, against nginx serving a static copy of the same bytes;

each measured in three runs, every run between two of its reference's, and reported by the run
with the median ratio (another guest's burst of work on a shared machine slows single runs);
- the peak memory of each gunicorn worker after those runs;

and in-process, with Django's test client: the SQL queries of a repeated request, the timeline's
and the API's pages made anew as on the first request after a change, and the first build of a
feed after an edit against Django's stock syndication feeds. It prints a table per configuration,
then every target with its measured ratio and whether it held, and writes
bench-results/results.json. Both configurations at the default size take about thirteen minutes
(a minute more the first time, to generate the database).

BENCH_CONFIGS="default" (or "redis") measures one configuration, BENCH_SIZES="10000 100000" more
sizes; BENCH_DURATION (seconds per wrk run, default 2), BENCH_ROUNDS (runs of each surface, each
between two of its reference, default 3) and BENCH_ONLY (a regular expression over
the names in the tables, e.g. "feed" or "made anew") shorten a run.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-results"
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "2")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "100000").split()]
CONFIGS = os.environ.get("BENCH_CONFIGS", "default redis").split()
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
DESCRIPTIONS = {
    "default": "default configuration: SQLite, no REDIS_URL (per-process local-memory cache)",
    "redis": "production shape: SQLite, REDIS_URL set (a private redis-server)",
}
GZIP = {"Accept-Encoding": "gzip"}
TRIVIAL = "/bench/trivial"
SIZED = "/bench/bytes/{size}"

# Targets: the least ratio to the reference that holds, or (made anew, p99) the most.
APP_TARGET = 0.8  # a repeated request, against the trivial view
CONDITIONAL_TARGET = 0.9  # a conditional GET answered 304, against the trivial view
NGINX_TARGET = 0.8  # through nginx, against nginx serving a static copy of the same bytes
NGINX_P99_MS = 5.0
FIRST_BUILD_TARGET = 1.0  # the first build after an edit, against the like-for-like stock feed
DEEPEST_TARGET = 1.2  # the deepest page made anew, against the first page made anew


class Surface(NamedTuple):
    path: str
    headers: dict
    target: float | None = None  # least ratio to the reference
    conditional: bool = False  # sent with the ETag its address answers with: a 304
    # A file of many kilobytes is measured against a view sending as many bytes (SIZED), not the
    # trivial view's two: what is left is the app's own work, not the copying of the bytes.
    sized: bool = False


def environment(database: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "BENCH_REFERENCES": "1",
        "API_ANON_RATE": "100000000/hour",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def database_of(size: int) -> Path:
    return RESULTS / f"bench-{size}.sqlite3"


def build_database(size: int) -> Path:
    database = database_of(size)
    if database.exists():
        manage(environment(database), "migrate", "--noinput")  # a database from an older version
        return database
    print(f"Generating {size} events into {database.name} (once; kept for later runs) …", flush=True)
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = environment(partial)
    manage(env, "migrate", "--noinput")
    manage(env, "load_seed")
    manage(env, "generate_events", str(size))
    partial.rename(database)
    return database


# Servers: gunicorn, redis-server and nginx, each in its own process group for the length of a block.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], port: int, **popen):
    """Run a server for the length of the block, from when it accepts connections on `port`;
    yields its process id."""
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, **popen)
    try:
        while True:
            if process.poll() is not None:  # a configuration or import error
                raise RuntimeError(f"{command[0]} ended with status {process.returncode}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@contextmanager
def gunicorn(env: dict):
    """The app as in production; yields its address and the master's process id."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--no-control-socket",
               "--access-logfile", "/dev/null", "--error-logfile", str(RESULTS / "gunicorn.log")]  # fmt: skip
    with serving(command, port, cwd=ROOT, env=env) as master:
        base = f"http://127.0.0.1:{port}"
        fetch(base + "/healthz")  # the workers have booted
        yield base, master


@contextmanager
def redis_server():
    port = free_port()
    with serving(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port
    ):
        yield f"redis://127.0.0.1:{port}/0"


NGINX_CONF = """worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  proxy_cache_path {dir}/cache levels=1:2 keys_zone=timeline:10m max_size=200m use_temp_path=off;
  upstream timeline_app {{ server {app}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    include {deploy}/nginx/proxy.conf;
    location /feeds/ {{ proxy_pass http://timeline_app; include {deploy}/nginx/feeds.conf; }}
    location = / {{ proxy_pass http://timeline_app; include {deploy}/nginx/pages.conf; }}
    location /events/ {{ proxy_pass http://timeline_app; include {deploy}/nginx/pages.conf; }}
    location /static-copy/ {{ alias {dir}/static/; }}
  }}
}}
"""


@contextmanager
def nginx(app: str, workdir: Path):
    """nginx routing to the app as deploy/nginx.conf does, with its included settings, and serving
    workdir/static/ at /static-copy/; yields its address."""
    port = free_port()
    config = workdir / "nginx.conf"
    deploy = ROOT / "deploy"
    config.write_text(NGINX_CONF.format(dir=workdir, app=app.removeprefix("http://"), port=port, deploy=deploy))
    with serving(
        ["nginx", "-c", str(config), "-p", str(workdir), "-g", "daemon off;"], port, stderr=subprocess.DEVNULL
    ):
        yield f"http://127.0.0.1:{port}"


# Measuring.


def fetch(url: str, headers: dict | None = None):
    """The answer to a GET (a 304 is an answer too); anything else stops the run."""
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60)  # noqa: S310
    except urllib.error.HTTPError as error:
        if error.code != 304:
            raise RuntimeError(f"{url} answered {error.code}") from error
        return error


def request_headers(surface: Surface, get: Callable[[str, dict], object]) -> dict:
    """The surface's headers; a conditional GET adds the ETag `get` is answered with now."""
    if not surface.conditional:
        return surface.headers
    return {**surface.headers, "If-None-Match": get(surface.path, surface.headers)["ETag"]}


def wrk(url: str, headers: dict | None = None, seconds: str = DURATION) -> dict:
    command = ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def percentile(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {
        "rps": rate,
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "errors": int(failed.group(1)) if failed else 0,
    }


def progress(name: str, row: dict) -> None:
    rounds = ", ".join(f"{ratio:.2f}" for ratio in row["ratios"])
    print(f"  {name:36} {row['rps']:9.0f} req/s  ratio {row['ratio']:.2f} (rounds: {rounds})", flush=True)


def surfaces() -> dict[str, Surface]:
    """What wrk requests, by name. Deep positions and events are read from the database."""
    from timeline.api import TimelinePagination
    from timeline.models import Event
    from timeline.pagination import Position

    public = Event.objects.public()
    count = public.count()
    # The last page of the timeline and of the API, as their "older" and "next" links give it.
    anchor = Position.of(public.newest_first()[max(count - 51, 0)])
    deep = anchor.token()
    paginator = TimelinePagination()
    paginator.base_url = "/api/events/"
    deep_api = paginator.encode_cursor("a", anchor)
    # The middle event, and the middle one of those in a series (whose page also shows the series
    # and its neighbours).
    alone, in_series = public.filter(series__isnull=True), public.filter(series__isnull=False)
    event = alone.newest_first()[alone.count() // 2]
    series_event = in_series.newest_first()[in_series.count() // 2] if in_series.exists() else event
    # A calendar file exists for events known to the day.
    day_event = public.day_precise().newest_first()[:1].get()
    return {
        # Pages as browsers ask for them: with Accept-Encoding: gzip (and once without).
        "timeline /": Surface("/", GZIP, APP_TARGET),
        "timeline /, no gzip": Surface("/", {}),
        "timeline filtered": Surface("/?country=JP&topic=energy", GZIP, APP_TARGET),
        # The English addresses: the same views, English where the events have it.
        "timeline /en/": Surface("/en/", GZIP, APP_TARGET),
        "timeline deepest page": Surface(f"/?after={deep}", GZIP, APP_TARGET),
        "event page": Surface(event.get_absolute_url(), GZIP, APP_TARGET),
        "event page, in a series": Surface(series_event.get_absolute_url(), GZIP, APP_TARGET),
        # As feed readers ask: with Accept-Encoding: gzip (and once without, for comparison).
        "feed RSS": Surface("/feeds/rss/", GZIP, APP_TARGET),
        "feed Atom": Surface("/feeds/atom/", GZIP, APP_TARGET),
        "feed Atom, no gzip": Surface("/feeds/atom/", {}),
        "feed filtered": Surface("/feeds/atom/?country=JP&topic=energy", GZIP, APP_TARGET),
        "feed Atom /en/": Surface("/en/feeds/atom/", GZIP, APP_TARGET),
        "feed conditional GET (304)": Surface("/feeds/atom/", GZIP, CONDITIONAL_TARGET, conditional=True),
        # The unfiltered selection is over the CSV file's cap at this size (refused, docs/feeds.md).
        "CSV export filtered": Surface("/export.csv?country=JP&topic=energy", GZIP, APP_TARGET, sized=True),
        "CSV export conditional GET (304)": Surface(
            "/export.csv?country=JP&topic=energy", GZIP, CONDITIONAL_TARGET, conditional=True
        ),
        # A subscribed calendar holds up to 1,000 entries (some 100 kB gzipped).
        "calendar iCalendar": Surface("/feeds/ics/", GZIP, APP_TARGET, sized=True),
        "calendar conditional GET (304)": Surface("/feeds/ics/", GZIP, CONDITIONAL_TARGET, conditional=True),
        "API list": Surface("/api/events/", {}),
        "API deepest page": Surface(deep_api, {}),
        # The other formats of a selection, as their readers ask for them.
        "JSON Feed": Surface("/feeds/json/", GZIP, APP_TARGET),
        "event calendar file": Surface(day_event.get_absolute_url() + "event.ics", GZIP, APP_TARGET),
        "TimelineJS filtered": Surface("/timeline.json?country=JP&topic=energy", GZIP, APP_TARGET),
        "drawn timeline filtered": Surface("/zeitstrahl/?country=JP&topic=energy", GZIP, APP_TARGET),
    }


def alternated(subject: Callable[[], dict], reference: Callable[[], dict], references: list[dict]) -> dict:
    """`subject` measured ROUNDS times, each run between two runs of `reference` (appended to
    `references`, whose last run is the first one's "before"), and its ratio taken to the mean
    of those two: the machine's speed drifts over minutes, and another guest's burst of work
    can slow a single run by a tenth or more. Returns the round with the median ratio, with
    `ratio`, `reference_rps` and `ratios` (every round's)."""
    rounds = []
    for _ in range(ROUNDS):
        row = subject()
        references.append(reference())
        row["reference_rps"] = (references[-2]["rps"] + references[-1]["rps"]) / 2
        row["ratio"] = row["rps"] / row["reference_rps"]
        rounds.append(row)
    rounds.sort(key=lambda row: row["ratio"])
    return {**rounds[len(rounds) // 2], "ratios": [round(row["ratio"], 3) for row in rounds]}


def repeated(base: str, paths: dict[str, Surface]) -> dict[str, dict]:
    """Each surface with wrk, alternated with the trivial view (`alternated`). The reference row
    shown is the median of the trivial runs."""
    wrk(base + TRIVIAL, seconds="1")  # both workers import and set up what every request uses
    rows, references = {}, [wrk(base + TRIVIAL)]
    for name, surface in paths.items():
        headers = request_headers(surface, lambda path, headers: fetch(base + path, headers).headers)
        # Every worker must answer the ETag with a 304, or wrk would count its 200s alike.
        if surface.conditional and any(fetch(base + surface.path, headers).status != 304 for _ in range(8)):
            raise RuntimeError(f"{name}: the ETag the app sent did not always give a 304")
        # Each worker makes what it keeps for repeated requests: asked one at a time first, so a
        # build longer than the warm-up (a calendar of 1,000 entries) is not measured as a slow
        # repeated request.
        for _ in range(8):
            fetch(base + surface.path, headers)
        wrk(base + surface.path, headers, seconds="1")
        measured = functools.partial(wrk, base + surface.path, headers)
        if surface.sized:
            size = len(fetch(base + surface.path, headers).read())  # as sent: gzipped where asked so
            reference = functools.partial(wrk, base + SIZED.format(size=size))
            row = rows[name] = alternated(measured, reference, [reference()])
            row["reference"] = f"× a view sending as many bytes ({size:,})"
        else:
            row = rows[name] = alternated(measured, functools.partial(wrk, base + TRIVIAL), references)
        row["target"] = surface.target and ("≥", surface.target)
        progress(name, row)
    median = sorted(references, key=lambda row: row["rps"])[len(references) // 2]
    return {f"trivial view (reference, median of {len(references)})": median, **rows}


# Through nginx: (name, surface whose address is requested). Without Accept-Encoding, so the
# static copy nginx serves beside it is the very bytes the app answered.
BEHIND_NGINX = {"nginx: feed Atom": "feed Atom", "nginx: timeline /": "timeline /", "nginx: event page": "event page"}


def through_nginx(base: str, paths: dict[str, Surface]) -> dict[str, dict]:
    """Each address through nginx with the shipped cache settings, against nginx serving a
    static copy of the same bytes (measured right before and after it)."""
    wanted = {name: paths[surface].path for name, surface in BEHIND_NGINX.items() if ONLY.search(name)}
    if not wanted or not shutil.which("nginx"):
        return {}
    workdir = RESULTS / "nginx"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "static").mkdir(parents=True)
    rows = {}
    with nginx(base, workdir) as proxy:
        for number, (name, path) in enumerate(wanted.items()):
            (workdir / "static" / str(number)).write_bytes(fetch(base + path).read())
            for _ in range(8):  # each worker has made the page, as for the app's own runs, before nginx revalidates
                fetch(base + path)
            fetch(proxy + path)  # stored by nginx
            copy = functools.partial(wrk, f"{proxy}/static-copy/{number}")
            copies = [copy()]
            row = rows[name] = alternated(functools.partial(wrk, proxy + path), copy, copies)
            row["static_p99_ms"] = max(run["p99_ms"] for run in copies)
            row["target"] = ("≥", NGINX_TARGET)
            progress(name, row)
    return rows


def worker_peaks_mib(master: int) -> list[float]:
    """Peak resident memory (VmHWM) of each child of the gunicorn master."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):  # a process that ended meanwhile
            continue
        if fields.get("PPid", "").strip() == str(master):
            peaks.append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return sorted(peaks)


# In-process, with Django's test client.


def repeated_queries(client, paths: dict[str, Surface]) -> dict[str, dict]:
    """SQL queries and peak Python memory of a repeated request to each surface, as wrk makes them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measured = {}
    for name, surface in paths.items():
        headers = request_headers(surface, lambda path, headers: client.get(path, headers=headers))
        # Twice: a build longer than a second outlives the process's copy of the content version,
        # which the next request then reads again (once a second, as under any traffic).
        client.get(surface.path, headers=headers)
        client.get(surface.path, headers=headers)
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            client.get(surface.path, headers=headers)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        measured[name] = {"queries": len(queries), "peak_kib": round(peak / 1024)}
    return measured


def interleaved(client, requests: dict[str, tuple[str, Callable[[], None]]], rounds: int) -> dict[str, dict]:
    """Median milliseconds and SQL queries of each request (name: (path, what happens just before
    it)). Rounds are interleaved, so a drift of the machine's speed hits every request alike; the
    first round, which compiles and imports what the later ones reuse, is not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {name: [] for name in requests}
    queries = {}
    for number in range(rounds + 1):
        for name, (path, before) in requests.items():
            before()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                status = client.get(path).status_code
                elapsed = time.perf_counter() - start
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            queries[name] = len(captured)
            if number:
                times[name].append(elapsed)
    return {
        name: {"ms": sorted(values)[len(values) // 2] * 1000, "queries": queries[name]}
        for name, values in times.items()
    }


PAGED = {
    "timeline made anew": ("timeline /", "timeline deepest page"),
    "API made anew": ("API list", "API deepest page"),
}


def made_anew(client, paths: dict[str, Surface], rounds: int = 30) -> dict[str, dict]:
    """The first and the deepest page of the timeline and of the API, each made anew: what this
    process keeps (responses and its copy of the content version) is dropped before each request."""
    from timeline.cache import clear

    wanted = {name: pair for name, pair in PAGED.items() if ONLY.search(name)}
    times = interleaved(client, {page: (paths[page].path, clear) for pair in wanted.values() for page in pair}, rounds)
    rows = {}
    for name, (first, deepest) in wanted.items():
        ratio = times[deepest]["ms"] / times[first]["ms"]
        rows[name] = {"first": times[first], "deepest": times[deepest], "ratio": ratio, "target": ("≤", DEEPEST_TARGET)}
    return rows


FEEDS = {  # name: (path, ours)
    "feed RSS, first build after an edit": ("/feeds/rss/", True),
    "feed Atom, first build after an edit": ("/feeds/atom/", True),
    "stock feed, like-for-like": ("/bench/stock-rss-full/", False),
    "stock feed, thin": ("/bench/stock-rss/", False),
}


def first_build(client, rounds: int = 20) -> dict[str, dict]:
    """Each of our feeds right after an editor saved its newest entry (which the feed must build
    anew), beside the stock feeds of the same events (which build everything on every request)."""
    if not ONLY.search(" ".join(FEEDS)):
        return {}
    from timeline.models import Event

    newest = Event.objects.public().order_by("-first_published_at", "-pk").first()
    summary = newest.summary
    edits = itertools.count()

    def edit() -> None:
        newest.summary = f"{summary} (Korrektur {next(edits)})"
        newest.save()

    requests = {name: (path, edit if ours else (lambda: None)) for name, (path, ours) in FEEDS.items()}
    try:
        rows = interleaved(client, requests, rounds)
    finally:
        newest.summary = summary
        newest.save()
    stock = rows["stock feed, like-for-like"]["ms"]
    for name, (_path, ours) in FEEDS.items():
        if ours:
            rows[name].update(ratio=stock / rows[name]["ms"], target=("≥", FIRST_BUILD_TARGET))
    return rows


def measure(size: int, config: str) -> dict:
    """Everything for one configuration; run in a process of its own, as Django's settings (and
    REDIS_URL with them) are read once per process."""
    env = environment(database_of(size))
    env.pop("REDIS_URL", None)  # the default configuration has none, whatever the shell has
    load = [os.getloadavg()[0]]
    with ExitStack() as stack:
        if config == "redis":
            env["REDIS_URL"] = stack.enter_context(redis_server())
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.test import Client

        paths = surfaces()
        chosen = {name: surface for name, surface in paths.items() if ONLY.search(name)}
        with gunicorn(env) as (base, master):
            measured = {"load": load, "surfaces": repeated(base, chosen), "nginx": through_nginx(base, paths)}
            measured["worker_peak_mib"] = worker_peaks_mib(master)
            load.append(os.getloadavg()[0])
        client = Client()
        for name, extra in repeated_queries(client, chosen).items():
            measured["surfaces"][name].update(extra)
        measured["made_anew"] = made_anew(client, paths)
        measured["first_build"] = first_build(client)
    return measured


# Reporting. A row with a target has "ratio" and "target": (sign, value).

RATIOS = {
    "surfaces": "× trivial view",
    "nginx": "× static copy",
    "made_anew": "deepest ÷ first page, time",
    "first_build": "× stock like-for-like, speed",
}


def checks(measured: dict) -> list[tuple[str, float, str, float]]:
    """(what, measured, "≥" or "≤", target) of every target this run measured."""
    found = []
    for section, meaning in RATIOS.items():
        for name, row in measured[section].items():
            if row.get("target"):
                found.append((f"{name}: {row.get('reference', meaning)}", row["ratio"], *row["target"]))
            if section == "nginx":
                found.append((f"{name}: p99 ms", row["p99_ms"], "≤", NGINX_P99_MS))
    return found


def judged(value: float, sign: str, target: float) -> str:
    held = value >= target if sign == "≥" else value <= target
    return f"{sign} {target:g} {'held' if held else 'MISSED'}"


def table(size: int, config: str, measured: dict) -> None:
    print(
        f"\n{size:,} events, {DESCRIPTIONS[config]}; wrk -t1 -c16 -d{DURATION}s, the median of {ROUNDS} rounds"
        ", gunicorn 2 sync workers"
    )
    # Other work on the machine skews ratios even within a run: its load is shown with the results.
    before, after = measured["load"]
    print(f"load average (1 min) before the wrk runs {before:.2f}, after {after:.2f}, on {os.cpu_count()} CPUs")
    header = f"{'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6}  {'target':14}"
    print(f"{'surface (ratio: × the trivial view)':38} {header} {'queries':>7} {'peak KiB':>8}")

    def line(name: str, numbers: str, row: dict, rest: str = "") -> None:
        ratio = f"{row['ratio']:6.3f}" if "ratio" in row else ""
        target = judged(row["ratio"], *row["target"]) if row.get("target") else ""
        failed = f"  {row['errors']} answers not 2xx or 3xx!" if row.get("errors") else ""
        print(f"{name:38} {numbers:24} {ratio:>6}  {target:14} {rest}{failed}")

    def speed(row: dict) -> str:
        return f"{row['rps']:8.0f} {row['p50_ms']:7.2f} {row['p99_ms']:7.2f}"

    def duration(row: dict) -> str:
        return f"{row['ms']:.1f} ms, {row['queries']} queries"

    for name, row in measured["surfaces"].items():
        line(name, speed(row), row, f"{row.get('queries', ''):>7} {row.get('peak_kib', ''):>8}")
    if measured["nginx"]:
        print(f"{'through nginx (ratio: × its static copy)':38} {header} p99 ≤ {NGINX_P99_MS:g}; static copy")
        for name, row in measured["nginx"].items():
            static = f"{row['reference_rps']:.0f} req/s, p99 {row['static_p99_ms']:.2f} ms"
            line(name, speed(row), row, f"{judged(row['p99_ms'], '≤', NGINX_P99_MS)}; {static}")
    if measured["made_anew"] or measured["first_build"]:
        print(f"{'in-process, medians':38} {'':24} {'ratio':>6}  {'target':14}")
    for name, row in measured["made_anew"].items():
        warning = "" if row["first"]["queries"] else "  (no queries: was anything made anew?)"
        line(name, f"{duration(row['first']):>24}", row, f"deepest page {duration(row['deepest'])}{warning}")
    for name, row in measured["first_build"].items():
        line(name, f"{duration(row):>24}", row)
    peaks = ", ".join(f"{mib:.1f} MiB" for mib in measured["worker_peak_mib"])
    print(f"gunicorn workers' peak memory (VmHWM) after the wrk runs: {peaks}")


def summary(everything: dict) -> None:
    print("\nTargets: ratios to a reference measured in the same run (p99: milliseconds)")
    for size, configs in everything.items():
        rows: dict[str, dict[str, str]] = {}
        for config, measured in configs.items():
            for what, value, sign, target in checks(measured):
                verdict = judged(value, sign, target).split()[-1]
                rows.setdefault(f"{what} {sign} {target:g}", {})[config] = f"{value:.3f} {verdict}"
        print(f"{size:,} events".ljust(80) + "".join(f"{config:>15}" for config in configs))
        for what, cells in rows.items():
            print(f"  {what:78}" + "".join(f"{cells.get(config, '—'):>15}" for config in configs))
        verdicts = [cell.split()[-1] for cells in rows.values() for cell in cells.values()]
        print(f"  {verdicts.count('held')} of {len(verdicts)} held")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if unknown := set(CONFIGS) - DESCRIPTIONS.keys():
        sys.exit(f"BENCH_CONFIGS: unknown {' '.join(unknown)} (known: {' '.join(DESCRIPTIONS)})")
    configs = CONFIGS
    if "redis" in configs and not shutil.which("redis-server"):
        print("redis-server is not installed (apt-get install redis-server): the redis configuration is skipped")
        configs = [config for config in configs if config != "redis"]
    RESULTS.mkdir(exist_ok=True)
    everything: dict[int, dict] = {}
    for size in SIZES:
        env = environment(build_database(size))
        manage(env, "collectstatic", "--noinput")
        for config in configs:
            print(f"\n== {size:,} events, {config}", flush=True)
            output = RESULTS / f"results-{size}-{config}.json"
            output.unlink(missing_ok=True)
            if subprocess.run([PYTHON, __file__, "--measure", str(size), config], cwd=ROOT, check=False).returncode:
                sys.exit(f"bench: the {config} configuration at {size} events failed")
            everything.setdefault(size, {})[config] = json.loads(output.read_text())
            table(size, config, everything[size][config])
    summary(everything)
    (RESULTS / "results.json").write_text(json.dumps(everything, indent=2))
    print(f"\nResults: {RESULTS / 'results.json'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        size, config = int(sys.argv[2]), sys.argv[3]
        sys.path.insert(0, str(ROOT))
        (RESULTS / f"results-{size}-{config}.json").write_text(json.dumps(measure(size, config), indent=2))
    else:
        main()
