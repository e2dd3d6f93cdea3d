"""How an edit becomes visible on every surface: the content version and the response cache.

The timeline, event pages, feeds and the API's public list are cached under the *content
version*, a token that names one state of what the public can see. Everything cached is keyed by
it (Django's cache ``version`` argument), so nothing is ever invalidated by hand: when the content
changes, the version changes, and the next request builds anew.

The version
    Derived from the database (``SiteRevision``: a number every change bumps inside its own
    transaction, and the time of that bump; plus the latest publication time already reached), so
    it never repeats for other content, whatever happens to a cache. It moves on

    - with every committed transaction that changes events, participants, sources, corrections,
      topics or series (``content_changed``, connected to their signals in ``signals.py``; a write that
      bypasses ``save()``, such as ``QuerySet.update()`` or raw SQL, calls it itself), and nothing
      changes if the transaction rolls back;
    - by itself when a scheduled publication comes due (no job needed).

    A shared default cache (Redis, when ``REDIS_URL`` is set) keeps it for at most
    ``VERSION_TIMEOUT`` seconds; the writing process stores the new version there when its
    transaction commits. With a per-process default cache (local memory) it is read from the
    database instead. Each process also keeps it for at most ``LOCAL_VERSION_SECONDS``, so a
    change made elsewhere is served everywhere within about a second.

The responses
    ``ResponseCacheMiddleware`` answers readers of public addresses from the cache before the rest
    of the middleware and the URL resolver run, and keeps the responses their views mark
    (``cache_public``), as the middleware after it left them; the API keeps its public list
    itself with the same ``cached_response``, after its throttle. Responses are kept per version
    and ``response_key``: the code's release, language, day, site URL, scheme, host and full
    path (and, for the API, its negotiated media type). A public address has one language
    (German at ``/…``, English at ``/en/…``), which is in the path as well as in the key, so the
    two never meet; the API's language is negotiated and is in the key too.
    A local-memory alias ("local", bounded by ``MAX_ENTRIES``) sits in front of the shared cache.
    Only GET and HEAD requests without a session cookie or credentials are answered from the
    cache (the others get the view's response, with the same ETag and conditional answers); only
    200 responses that set no cookie and are not marked private are kept. A response is kept
    whole (an HttpResponse, as Django's cache middleware keeps it) in each content coding it is
    served in, plain and gzipped, so a reader gets the one it accepts without packing or
    unpacking; conditional requests (ETag, Last-Modified) are answered from it with Django's
    ``get_conditional_response``. A response is made for the version read before it is made and
    kept under that version (a change committed meanwhile has it made again on the next request,
    never keeps the older content for the newer version).

The cache is never a dependency: an error from the shared cache counts as a miss (logged once
per outage), the version is then read from the database, and after an outage the version the
cache holds is dropped, in case the cache came back from an older snapshot.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import gzip
import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, transaction
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language, override

from .languages import address_language
from .models import Event, SiteRevision

logger = logging.getLogger(__name__)
T = TypeVar("T")

# How long the shared cache keeps the version: the longest a cache that lost a write (restarted
# from an older snapshot, or two writers' announcements crossing) can serve an older version.
VERSION_TIMEOUT = 2
LOCAL_VERSION_SECONDS = 1.0
# After an error from the shared cache, requests leave it alone this long (seconds), so an outage
# costs one failed connection per process per interval, not one per request.
RETRY_AFTER = 1.0
# A response is useless once the version moves on; in Redis it expires this long after it was
# made (set maxmemory with an LRU policy for the rest: docs/performance.md).
RESPONSE_TIMEOUT = 10 * 60
GZIP_MIN_LENGTH = 512
LARGE_BODY = 256 * 1024  # bytes from which a kept response is kept gzipped only
CACHE_ERRORS = (redis.RedisError, OSError)


@dataclass(frozen=True)
class ContentVersion:
    """One state of the public content: `token` names it; `expires` is the next scheduled
    publication (when the content changes by itself); `changed_at` is when it last changed."""

    token: str
    changed_at: datetime.datetime
    expires: datetime.datetime | None

    def holds_at(self, now: datetime.datetime) -> bool:
        return self.expires is None or now < self.expires


EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def version_from_database() -> ContentVersion:
    """The version as the database has it: one query (the revision row, and from the publication
    time index the latest time reached and the next one ahead)."""
    now = timezone.now()
    times = Event.objects.order_by().values("publish_at")
    reached = times.filter(publish_at__lte=now).order_by("-publish_at")[:1]
    upcoming = times.filter(publish_at__gt=now).order_by("publish_at")[:1]
    # Annotated on the one revision row; before the first change ever there is none, and the two
    # times are read on their own.
    row = (
        SiteRevision.objects.filter(pk=1)
        .annotate(latest=Subquery(reached), upcoming=Subquery(upcoming))
        .values_list("number", "changed_at", "latest", "upcoming")
        .first()
    )
    if row is None:
        number, changed_at = 0, EPOCH
        latest = reached.values_list("publish_at", flat=True).first()
        ahead = upcoming.values_list("publish_at", flat=True).first()
    else:
        number, changed_at, latest, ahead = row
    # The bump's time is part of the token: a database restored from a backup (its number going
    # back) never meets what was cached for the same number before. Short, as it is part of
    # every key.
    moments = f"{changed_at.timestamp():.6f}.{latest.timestamp() if latest else 0:.6f}"
    token = f"{number}.{hashlib.blake2b(moments.encode(), digest_size=6).hexdigest()}"
    return ContentVersion(token=token, changed_at=max(filter(None, [changed_at, latest])), expires=ahead)


def version_key() -> str:
    """Where the shared cache keeps the version: one key per release of the code, so a process
    never reads a version another release wrote (its class may differ)."""
    return "content-version:" + code_release()


def shared_cache() -> BaseCache | None:
    """The default cache if other processes share it (Redis, Memcached, files, a database
    table); None if it is this process's own memory."""
    default = caches["default"]
    return None if isinstance(default, LocMemCache | DummyCache) else default


class _SharedCacheState:
    """Whether the shared cache failed lately, so that requests leave it alone for a moment."""

    down_until = 0.0
    recovering = False


def _shared(operation: str, *args: Any, **kwargs: Any) -> Any:
    """The shared cache's `operation` (get, add, set, delete, clear); None if there is no shared
    cache, or it failed (or failed lately)."""
    shared, state = shared_cache(), _SharedCacheState
    if shared is None or shared_cache_resting():
        return None
    try:
        if state.recovering:
            # Back after an outage, perhaps restarted from an older snapshot: forget the version
            # it holds, so the next reader derives it from the database.
            shared.delete(version_key())
            state.recovering = False
            logger.warning("The shared cache answers again.")
        return getattr(shared, operation)(*args, **kwargs)
    except CACHE_ERRORS as error:
        shared_cache_failed(error)
        return None


def shared_cache_failed(error: Exception) -> None:
    """Note that the shared cache failed: it is left alone for RETRY_AFTER seconds (every user
    of the shared cache, the API's rate limit too, asks `shared_cache_resting()` first)."""
    state = _SharedCacheState
    if not state.recovering:
        logger.warning("The shared cache failed (%s); reading from the database until it is back.", error)
    state.down_until, state.recovering = time.monotonic() + RETRY_AFTER, True


def shared_cache_resting() -> bool:
    """Whether the shared cache failed less than RETRY_AFTER seconds ago."""
    return time.monotonic() < _SharedCacheState.down_until


def cache_available() -> bool:
    """Whether the shared cache answers now (True when there is none to ask): for /healthz."""
    shared = shared_cache()
    if shared is None:
        return True
    try:
        shared.get(version_key())
    except CACHE_ERRORS:
        return False
    return True


class _Local:
    """This process's copy of the version, until when it may be used (time.monotonic()) and
    until when it holds (time.time(): the next scheduled publication); the site's date and the
    POSIX times it starts and ends. Plain numbers, as every request compares them."""

    version: ContentVersion | None = None
    until = 0.0
    holds_until = math.inf
    day = ""
    day_starts = day_ends = 0.0


# The version a response is being made for (`cached_response`): every part of it (its
# Last-Modified, a feed's `updated`, a count kept on its own) is of that one version, even if
# this process learns of a newer one while it is made.
_making_for: contextvars.ContextVar[ContentVersion | None] = contextvars.ContextVar("making_for", default=None)


def content_version() -> ContentVersion:
    """The current content version (this process's copy, if younger than a second; while a
    response is made, the version it is made for)."""
    if (making := _making_for.get()) is not None:
        return making
    version = _Local.version
    if version is not None and time.monotonic() < _Local.until and time.time() < _Local.holds_until:
        return version
    now = timezone.now()
    version = _shared("get", version_key())
    if version is None or not version.holds_at(now):
        version = version_from_database()
        _shared("add", version_key(), version, _version_timeout(version, now))
    keep_locally(version)
    return version


def keep_locally(version: ContentVersion) -> None:
    """Keep `version` in this process for LOCAL_VERSION_SECONDS, or until it stops holding."""
    _Local.version, _Local.until = version, time.monotonic() + LOCAL_VERSION_SECONDS
    _Local.holds_until = version.expires.timestamp() if version.expires else math.inf


def _version_timeout(version: ContentVersion, now: datetime.datetime) -> int:
    if version.expires is None:
        return VERSION_TIMEOUT
    # Whole seconds, rounded down: the shared copy expires no later than the publication.
    return max(0, min(VERSION_TIMEOUT, int((version.expires - now).total_seconds())))


def _announce() -> None:
    """Store the committed version in the shared cache, for every process to read."""
    version = version_from_database()
    now = timezone.now()
    _shared("set", version_key(), version, _version_timeout(version, now))
    keep_locally(version)


def content_changed() -> None:
    """Move the content version on: every surface is built anew on its next request.

    Called by the signals of every model the public surfaces show; call it yourself after a write
    that bypasses ``save()`` and ``delete()`` (``QuerySet.update()``, ``bulk_create()``, raw SQL).
    Inside a transaction the database's revision moves with the transaction (undone if it rolls
    back) and other processes are told once, when it commits.
    """
    SiteRevision.bump()
    _Local.version = None  # this process sees its own change at once
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _announce()
        return
    # Until the commit, readers derive the version from the database (and so see the old one);
    # a test's transaction, which never commits, sees its own.
    _shared("delete", version_key())
    if not any(callback is _announce for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_announce)


def get_value(key: str, version: str | None = None) -> Any:
    """The value kept under `key` for `version` (a content version's token; the current one if
    None): this process's "local" alias first, then the shared cache; None if there is none."""
    version = version or content_version().token
    local = caches["local"]
    value = local.get(key, version=version)
    if value is None:
        value = _shared("get", key, version=version)
        if value is not None:
            local.set(key, value, version=version)
    return value


def set_value(key: str, value: Any, version: str | None = None) -> None:
    """Keep `value` under `key` for `version` (the current one if None), here and in the shared
    cache. What was made from the database is kept under the version read *before* it was made:
    a change committed meanwhile then makes it be made again, instead of its older content being
    kept for the newer version."""
    version = version or content_version().token
    _shared("set", key, value, RESPONSE_TIMEOUT, version=version)
    caches["local"].set(key, value, version=version)


def get_or_set(key: str, default: Callable[[], T]) -> T:
    """`default()`, computed once per content version: kept in this process (the "local" alias)
    and in the shared cache, under `key` and the version read before it is computed. A None from
    `default()` is not kept."""
    version = content_version().token
    value = get_value(key, version)
    if value is None:
        value = default()
        if value is not None:
            set_value(key, value, version)
    return value


def get_or_set_each(keys: Sequence[str], default: Callable[[list[int]], dict[int, T]], alias: str) -> list[T]:
    """The value of each key in the per-process cache `alias`; `default(positions)` makes the
    missing ones ({position in `keys`: value}), which are then kept. For values keyed by all
    their own inputs (they never go stale, so they outlive content versions)."""
    store = caches[alias]
    found = store.get_many(keys)
    missing = [position for position, key in enumerate(keys) if key not in found]
    if missing:
        made = default(missing)
        store.set_many({keys[position]: value for position, value in made.items()})
        found.update((keys[position], value) for position, value in made.items())
    return [found[key] for key in keys]


def clear() -> None:
    """Forget everything cached: every alias and this process's copy of the version (tests and
    the bench)."""
    for alias in settings.CACHES:
        try:
            caches[alias].clear()
        except CACHE_ERRORS:
            logger.warning("The %s cache could not be cleared.", alias)
    _Local.version = None
    _SharedCacheState.down_until, _SharedCacheState.recovering = 0.0, False


# Responses


@functools.cache
def code_release() -> str:
    """A digest of the code, dependencies, templates, translations and static files this process
    serves, so a deployment never serves pages cached by the release before it (links to old
    static files)."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    patterns = (
        "timeline/**/*.py", "feeds/**/*.py", "config/*.py", "templates/**/*.html", "locale/**/*.mo", "requirements.txt"
    )  # fmt: skip
    static = [Path(settings.STATIC_ROOT or root / "staticfiles") / "staticfiles.json", root / "timeline/static"]
    for path in sorted({*(file for pattern in patterns for file in root.glob(pattern)), *static[1].rglob("*")}):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    if static[0].is_file():
        digest.update(static[0].read_bytes())
    return digest.hexdigest()


def today() -> str:
    """The site's date (TIME_ZONE) in ISO form: which events are upcoming. Worked out once a day."""
    if not _Local.day_starts <= time.time() < _Local.day_ends:
        local = timezone.localtime()
        starts = local.replace(hour=0, minute=0, second=0, microsecond=0)
        _Local.day = local.date().isoformat()
        _Local.day_starts, _Local.day_ends = starts.timestamp(), (starts + datetime.timedelta(days=1)).timestamp()
    return _Local.day


def response_key(request: HttpRequest, *vary: str, language: str | None = None) -> str:
    """The cache key of a response: everything it varies on besides the content version. The
    code's release (which also fixes which view an address reaches), the language (the active
    one unless given), the day (which events are upcoming), the site URL, scheme, host and full
    path, and anything else the caller names in `vary` (the API: its negotiated media type)."""
    parts = (
        code_release(),
        language or get_language(),
        today(),
        settings.SITE_URL,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        *vary,
    )
    return "r:" + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def is_cacheable(request: HttpRequest) -> bool:
    """Whether `request` may be answered from the shared cache: a GET or HEAD from a reader with
    no session and no credentials (editors and previews are always answered anew)."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


COMPRESSIBLE = ("text/", "application/rss+xml", "application/atom+xml", "application/json", "application/feed+json")
NOT_KEPT_HEADERS = {"content-length", "content-encoding", "etag", "set-cookie"}
CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header (RFC 9110, section 12.5.3) admits gzip: named (or as
    x-gzip, or by "*") with a weight above zero."""
    if "gzip" not in accept_encoding.lower() and "*" not in accept_encoding:
        return False
    if ";" not in accept_encoding:  # no weights: named, so admitted
        return True
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        weights[coding.strip()] = weight
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


def kept_forms(response: HttpResponse) -> dict[str, HttpResponse] | None:
    """What to keep of `response`, by content coding (RFC 9110, section 8.4.1): "identity", and
    "gzip" for a compressible body of GZIP_MIN_LENGTH bytes or more (its ETag weak, as Django's
    GZipMiddleware makes it); a body of LARGE_BODY bytes or more is kept gzipped only. Each form
    is a whole HttpResponse with its ETag and Content-Length, kept as Django's cache middleware
    keeps one. None if `response` must not be kept: not a 200, streaming, setting a cookie, or
    private."""
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    cache_control = response.get("Cache-Control", "")
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or any(word in cache_control for word in ("private", "no-store", "no-cache"))
    ):
        return None
    content = response.content
    compressible = len(content) >= GZIP_MIN_LENGTH and response.get("Content-Type", "").startswith(COMPRESSIBLE)
    if compressible:
        patch_vary_headers(response, ("Accept-Encoding",))
    headers = {name: value for name, value in response.items() if name.lower() not in NOT_KEPT_HEADERS}
    etag = response.get("ETag") or content_etag(content)
    forms = {}
    if compressible:
        packed = gzip.compress(content, compresslevel=6, mtime=0)
        gzipped = {"Content-Encoding": "gzip", "ETag": "W/" + etag, "Content-Length": str(len(packed))}
        forms["gzip"] = HttpResponse(packed, headers={**headers, **gzipped})
    # A large body (a CSV file, a long calendar) is kept gzipped only: a tenth of the memory per
    # address, and most clients take it so; the rest get it unpacked (`unpacked`).
    if not compressible or len(content) < LARGE_BODY:
        plain = {"ETag": etag, "Content-Length": str(len(content))}
        forms["identity"] = HttpResponse(content, headers={**headers, **plain})
    return forms


def content_etag(content: bytes) -> str:
    """A strong ETag (RFC 9110, section 8.8.3) for a body: its digest, quoted."""
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def made_conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response`, made anew for a reader the cache does not serve (one with a session), with
    the ETag a kept copy would carry, and 304 or 412 if the request's conditions say so, as
    Django's ConditionalGetMiddleware answers them."""
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    if response.status_code != 200 or response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = content_etag(response.content)
    modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(request, etag=response["ETag"], last_modified=modified, response=response)


# What a 304 repeats of the response it stands for (RFC 9110, section 15.4.5), besides the ETag.
NOT_MODIFIED_HEADERS = {"cache-control", "content-location", "expires", "last-modified", "vary"}


@dataclass(frozen=True)
class Validators:
    """What answers a conditional request for a kept response without reading its body."""

    etag: str  # strong; the gzip form carries it weak
    last_modified: int | None
    headers: tuple[tuple[str, str], ...]  # what a 304 repeats

    @classmethod
    def of(cls, form: HttpResponse) -> Validators:
        """The validators of a kept form (either: they differ only in the ETag's weakness)."""
        headers = tuple((name, value) for name, value in form.items() if name.lower() in NOT_MODIFIED_HEADERS)
        return cls(form["ETag"].removeprefix("W/"), parse_http_date_safe(form.get("Last-Modified", "")), headers)

    def not_modified(self, request: HttpRequest, coding: str) -> HttpResponse | None:
        """A 304 if `request`'s conditions say the reader's copy (in `coding`) is current, else None."""
        response = get_conditional_response(request, etag=self.etag, last_modified=self.last_modified)
        if response is None or response.status_code != 304:
            return None
        for name, value in self.headers:
            response[name] = value
        response["ETag"] = "W/" + self.etag if coding == "gzip" else self.etag
        return response


def unpacked(packed: HttpResponse) -> HttpResponse:
    """The "identity" form of a kept "gzip" form, for a client that does not take gzip."""
    response = HttpResponse(gzip.decompress(packed.content), headers=packed.headers)
    del response["Content-Encoding"]
    response["ETag"] = packed["ETag"].removeprefix("W/")
    response["Content-Length"] = str(len(response.content))
    return response


def cached_response(
    request: HttpRequest, build: Callable[[], HttpResponse], *vary: str, language: str | None = None
) -> HttpResponse:
    """The response `build()` makes for `request`, kept per content version and `response_key`
    (see the module's docstring for what is kept and who gets it), in the content coding the
    request accepts; 304 or 412 if its conditions say so (RFC 9110, section 13)."""
    if not is_cacheable(request):
        return made_conditional(request, build())
    key = response_key(request, *vary, language=language)
    try:
        current = content_version()  # read once: what is built below is made for it and kept under it
    except DatabaseError:
        # The database does not answer: made without the cache, so that the view's own failure
        # is answered as every other one is (503 with Retry-After, timeline.middleware).
        return build()
    version = current.token
    coding = "gzip" if accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "identity"
    conditional = any(condition in request.META for condition in CONDITIONS)
    if conditional:
        # A reader revalidating its copy (feed readers, proxies): a 304 from the validators
        # alone, without reading the body.
        validators = get_value(f"{key}:v", version)
        answer = validators.not_modified(request, coding) if validators is not None else None
        if answer is not None:
            return answer
    response = get_value(f"{key}:{coding}", version)
    if response is None and coding == "identity" and (packed := get_value(f"{key}:gzip", version)) is not None:
        response = unpacked(packed)
    if response is None:
        making = _making_for.set(current)
        try:
            built = build()
        finally:
            _making_for.reset(making)
        forms = kept_forms(built)
        if forms is None:  # not to be kept: the response as built (then never stored)
            return built
        for name, form in forms.items():
            set_value(f"{key}:{name}", form, version)
        set_value(f"{key}:v", Validators.of(next(iter(forms.values()))), version)
        response = forms.get(coding) or unpacked(forms["gzip"])
    if conditional:  # a 412 (If-Match), or the validators were gone
        etag = response["ETag"].removeprefix("W/")
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=etag, last_modified=modified, response=response)
    return response


def cache_public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a public view whose responses to readers may be kept (`ResponseCacheMiddleware`),
    as `csrf_exempt` marks a view: they must depend on nothing but the content version and
    `response_key`'s parts. A page that editors see otherwise (previews) also says
    `vary_on_cookie`."""
    view.cache_public = True
    return view


class ResponseCacheMiddleware:
    """Answers a reader's request for the address of a marked view (`cache_public`) from the
    response cache (`cached_response`) before the rest of the middleware and the view run, as
    Django's FetchFromCacheMiddleware does, and keeps its responses as the middleware after this
    one left them. Public addresses only: their language is the address's (`address_language`);
    the API, whose language and media type are negotiated, keeps its public list itself, after
    its throttle."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = address_language(request.path_info)
        if language is None:
            return self.get_response(request)
        # Which view the address reaches, as the URL resolver will find it (in the address's
        # language, as LanguageMiddleware activates it): only a marked one's responses are kept,
        # and only for those is the cache asked.
        with override(language):
            try:
                view = resolve(request.path_info).func
            except Resolver404:
                return self.get_response(request)
        if not getattr(view, "cache_public", False):
            return self.get_response(request)
        return cached_response(request, lambda: self.get_response(request), language=language)
