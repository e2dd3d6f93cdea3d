"""`make bench`: serve the app as in production and measure every surface with wrk.

For each size (BENCH_SIZES, default "10000 100000") it builds a SQLite database of synthetic
events (kept in bench-results/ for the next run), starts gunicorn (2 sync workers, debug off),
and measures with wrk (-t1 -c16) each surface and two references served by the same app: a
trivial Django view and Django's stock syndication feed of the same 50 events. It prints req/s,
p50 and p99 and the ratios to those references, measures SQL queries and peak memory per request
in-process, and writes everything to bench-results/results.json.
"""

from __future__ import annotations

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-results"
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "5")
GZIP = {"Accept-Encoding": "gzip"}
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000 100000").split()]


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


def build_database(size: int) -> Path:
    database = RESULTS / f"bench-{size}.sqlite3"
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url: str, headers: dict | None = None) -> dict:
    command = ["wrk", "-t1", "-c16", f"-d{DURATION}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rate,
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def surfaces(env: dict) -> dict[str, tuple[str, dict]]:
    """Paths to measure: (path, headers). Deep positions are read from the database."""
    os.environ.update(env)
    import django

    django.setup()
    from rest_framework.pagination import Cursor

    from timeline.api import TimelinePagination
    from timeline.models import Event
    from timeline.pagination import Position

    public = Event.objects.public()
    count = public.count()
    last_page_start = public.newest_first()[max(count - 51, 0)]
    deep = Position.of(last_page_start).token()
    paginator = TimelinePagination()
    paginator.base_url = "/api/events/"
    deep_api_anchor = public.newest_first()[max(count - 50, 0)]
    cursor = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(deep_api_anchor.date_start)))
    # The middle event, and the middle one of those in a series (whose series and neighbours
    # there are read with its participants, sources and topics).
    alone, in_series = public.filter(series__isnull=True), public.filter(series__isnull=False)
    event = alone.newest_first()[alone.count() // 2]
    series_event = in_series.newest_first()[in_series.count() // 2] if in_series.exists() else event
    return {
        "trivial view (reference)": ("/bench/trivial", {}),
        "stock syndication RSS (reference)": ("/bench/stock-rss/", {}),
        "timeline /": ("/", {}),
        "timeline filtered": ("/?country=JP&topic=energy", {}),
        "timeline deepest page": (f"/?after={deep}", {}),
        "event page": (event.get_absolute_url(), {}),
        "event page, in a series": (series_event.get_absolute_url(), {}),
        # As feed readers ask: with Accept-Encoding: gzip (and once without, for comparison).
        "feed RSS": ("/feeds/rss/", GZIP),
        "feed Atom": ("/feeds/atom/", GZIP),
        "feed Atom, no gzip": ("/feeds/atom/", {}),
        "feed filtered": ("/feeds/atom/?country=JP&topic=energy", GZIP),
        "feed conditional GET (304)": ("/feeds/atom/", {**GZIP, "If-None-Match": "__etag__"}),
        "API list": ("/api/events/", {}),
        "API deepest page": (cursor, {}),
    }


def in_process(paths: dict[str, tuple[str, dict]]) -> dict[str, dict]:
    """SQL queries and peak Python memory of one request to each surface (warm, in-process: a
    repeated request, as wrk makes them)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, measured = Client(), {}
    for name, (path, headers) in paths.items():
        if "__etag__" in headers.values():
            continue
        client.get(path)
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        measured[name] = {"queries": len(queries), "peak_kib": round(peak / 1024)}
    return measured


PAGED = ("timeline /", "timeline deepest page", "API list", "API deepest page")


def rendered_anew(paths: dict[str, tuple[str, dict]], rounds: int = 30) -> dict[str, dict]:
    """Milliseconds and SQL queries of a timeline or API page made anew, as on the first request
    after a change: this process's kept pages are dropped before each request (the content stamp,
    the shared cache's count and the rendered event summaries stay, as they do after an edit to
    another event). In-process, rounds interleaved, medians of `rounds`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from timeline import freshness

    client, times, queries = Client(), {name: [] for name in PAGED if name in paths}, {}
    for name in times:
        client.get(paths[name][0])
    for _ in range(rounds):
        for name in times:
            freshness._local.clear()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                status = client.get(paths[name][0]).status_code
                times[name].append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"{paths[name][0]} answered {status}")
            queries[name] = len(captured)
    return {
        name: {"ms": round(sorted(values)[len(values) // 2] * 1000, 2), "queries": queries[name]}
        for name, values in times.items()
    }


def first_render(rounds: int = 20) -> dict:
    """Milliseconds to answer a feed request right after an editor's change (the feed body is
    rebuilt; entries whose inputs did not change are reused), against the stock syndication feed
    of the same events (which builds everything each time). In-process through Django's test
    client, so both pay the same overhead; rounds interleaved, medians of `rounds`."""
    from django.test import Client

    from timeline.models import Event

    client = Client()
    newest = Event.objects.public().order_by("-first_published_at", "-pk").first()
    summary = newest.summary

    def timed(path: str) -> float:
        start = time.perf_counter()
        status = client.get(path).status_code
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return time.perf_counter() - start

    times: dict[str, list[float]] = {"rss": [], "atom": [], "stock": []}
    for number in range(rounds):  # interleaved, so a drift of the machine's speed hits all three
        for kind in ("rss", "atom"):
            # An editor corrects the newest entry: every feed containing it is rebuilt.
            newest.summary = f"{summary} (Korrektur {number}, {kind})"
            newest.save()
            times[kind].append(timed(f"/feeds/{kind}/"))
        times["stock"].append(timed("/bench/stock-rss/"))
    newest.summary = summary
    newest.save()
    median = {name: sorted(values)[len(values) // 2] * 1000 for name, values in times.items()}
    ours, stock = {"rss": median["rss"], "atom": median["atom"]}, median["stock"]
    return {
        "stock_rss_ms": round(stock, 2),
        **{f"{kind}_ms": round(value, 2) for kind, value in ours.items()},
        **{f"{kind}_speedup": round(stock / value, 2) for kind, value in ours.items()},
    }


NGINX_CONF = """worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  proxy_cache_path {dir}/cache levels=1:2 keys_zone=timeline:10m max_size=200m use_temp_path=off;
  upstream timeline_app {{ server 127.0.0.1:{app_port}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port};
    include {deploy}/nginx/proxy.conf;
    location /feeds/ {{ proxy_pass http://timeline_app; include {deploy}/nginx/feeds.conf; }}
    location = / {{ proxy_pass http://timeline_app; include {deploy}/nginx/pages.conf; }}
    location /static-copy/ {{ alias {dir}/static/; }}
  }}
}}
"""


def through_nginx(app_port: int) -> dict:
    """The feed and the timeline through nginx with the cache settings of deploy/nginx/ (1 s
    micro-cache; feeds revalidated with If-None-Match), against nginx serving a static copy of
    the same feed (the ceiling)."""
    if not shutil.which("nginx"):
        return {}
    workdir = RESULTS / "nginx"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "static").mkdir(parents=True)
    port = free_port()
    config = workdir / "nginx.conf"
    config.write_text(NGINX_CONF.format(dir=workdir, app_port=app_port, port=port, deploy=ROOT / "deploy"))
    base = f"http://127.0.0.1:{port}"
    feed = urllib.request.urlopen(f"http://127.0.0.1:{app_port}/feeds/atom/").read()
    (workdir / "static" / "atom.xml").write_bytes(feed)
    subprocess.run(["nginx", "-c", str(config), "-p", str(workdir)], check=True, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        urllib.request.urlopen(base + "/feeds/atom/").read()  # noqa: S310
        urllib.request.urlopen(base + "/").read()  # noqa: S310
        results = {
            "feed Atom through nginx (1 s micro-cache)": wrk(base + "/feeds/atom/"),
            "timeline / through nginx (1 s micro-cache)": wrk(base + "/"),
            "static copy of the feed via nginx (ceiling)": wrk(base + "/static-copy/atom.xml"),
        }
        for name, row in results.items():
            print(f"  {name:38} {row['rps']:9.0f} req/s", flush=True)
        return results
    finally:
        subprocess.run(["nginx", "-c", str(config), "-p", str(workdir), "-s", "stop"], check=False)


def start_redis() -> tuple[subprocess.Popen | None, str]:
    """A private redis-server for the run (the production shape), if Debian's is installed."""
    if not shutil.which("redis-server"):
        return None, ""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def run_size(size: int) -> dict:
    database = build_database(size)
    redis, redis_url = start_redis()
    try:
        return measure(database, redis_url)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)


def measure(database: Path, redis_url: str) -> dict:
    env = environment(database)
    if redis_url:
        env["REDIS_URL"] = redis_url
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--no-control-socket",
         "--access-logfile", "/dev/null", "--error-logfile", str(RESULTS / "gunicorn.log")],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        paths = surfaces(env)
        etag = urllib.request.urlopen(urllib.request.Request(base + "/feeds/atom/", headers=GZIP)).headers["ETag"]  # noqa: S310
        results = {}
        only = re.compile(os.environ.get("BENCH_ONLY", ""))
        paths = {name: value for name, value in paths.items() if "reference" in name or only.search(name)}
        for name, (path, headers) in paths.items():
            headers = {key: (etag if value == "__etag__" else value) for key, value in headers.items()}
            try:  # warm up (a 304 is an answer too)
                urllib.request.urlopen(urllib.request.Request(base + path, headers=headers))  # noqa: S310
            except urllib.error.HTTPError as error:
                if error.code != 304:
                    raise
            results[name] = wrk(base + path, headers)
            if "reference" not in name:
                # The machine's speed drifts over minutes: each surface gets its own trivial-view
                # measurement taken just after it, and its ratio is to that one.
                results[name]["trivial_rps"] = wrk(base + "/bench/trivial")["rps"]
            print(f"  {name:38} {results[name]['rps']:9.0f} req/s", flush=True)
        # The machine's speed drifts during a run: the trivial view is measured again at the end,
        # and the ratios use the mean of both.
        trivial = results["trivial view (reference)"]
        again = wrk(base + "/bench/trivial")
        print(f"  {'trivial view (reference), again':38} {again['rps']:9.0f} req/s", flush=True)
        trivial.update(rps=(trivial["rps"] + again["rps"]) / 2, rps_first=trivial["rps"], rps_last=again["rps"])
        for name, extra in in_process(paths).items():
            results[name].update(extra)
        results.update(through_nginx(port))
        return {
            "surfaces": results,
            "rendered_anew": rendered_anew(paths),
            "first_render": first_render(),
            "redis": bool(redis_url),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def report(size: int, measured: dict) -> None:
    results = measured["surfaces"]
    trivial = results["trivial view (reference)"]["rps"]
    stock = results["stock syndication RSS (reference)"]["rps"]
    cache = "shared Redis cache" if measured["redis"] else "per-process cache (no redis-server found)"
    print(f"\n{size:,} events — wrk -t1 -c16 -d{DURATION}s, gunicorn 2 sync workers, SQLite, {cache}")
    print(
        f"{'surface':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× trivial':>10} {'× stock feed':>13}"
        f" {'queries':>8} {'peak KiB':>9}"
    )

    def ratio(name: str) -> float:
        row = results[name]
        return row["rps"] / row.get("trivial_rps", trivial)

    for name, row in results.items():
        versus_stock = f"{row['rps'] / stock:13.2f}" if "feed" in name else " " * 13
        print(
            f"{name:38} {row['rps']:8.0f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {ratio(name):10.2f} "
            f"{versus_stock} {row.get('queries', ''):>8} {row.get('peak_kib', ''):>9}"
        )
    anew = measured.get("rendered_anew", {})
    if anew:
        print("made anew (first request after a change; median, in-process):")
        for first, deepest in (("timeline /", "timeline deepest page"), ("API list", "API deepest page")):
            if {first, deepest} <= anew.keys():
                a, b = anew[first], anew[deepest]
                print(
                    f"  {first:18} {a['ms']:6.1f} ms, {a['queries']} queries; deepest page {b['ms']:6.1f} ms,"
                    f" {b['queries']} queries: deepest/first {b['ms'] / a['ms']:.2f} × the time (target ≤ 1.2)"
                )
    first = measured["first_render"]
    print(
        f"first render after a change (median, in-process): RSS {first['rss_ms']:.1f} ms,"
        f" Atom {first['atom_ms']:.1f} ms;"
        f" stock syndication feed {first['stock_rss_ms']:.1f} ms: {first['rss_speedup']:.2f} × and"
        f" {first['atom_speedup']:.2f} × as fast"
    )


def main() -> None:
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool}")
    RESULTS.mkdir(exist_ok=True)
    everything = {}
    for size in SIZES:
        print(f"\n== {size:,} events", flush=True)
        # Each size in its own process: Django is set up once per process, for one database.
        output = subprocess.run(
            [PYTHON, __file__, "--size", str(size)], cwd=ROOT, capture_output=True, text=True, check=False
        )
        sys.stdout.write(output.stdout)
        if output.returncode != 0:
            sys.stderr.write(output.stderr)
            sys.exit(output.returncode)
        everything[size] = json.loads((RESULTS / f"results-{size}.json").read_text())
    (RESULTS / "results.json").write_text(json.dumps(everything, indent=2))
    print(f"\nResults: {RESULTS / 'results.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        size = int(sys.argv[2])
        sys.path.insert(0, str(ROOT))
        measured = run_size(size)
        (RESULTS / f"results-{size}.json").write_text(json.dumps(measured, indent=2))
        report(size, measured)
    else:
        main()
