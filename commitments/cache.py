"""Caching of public pages, keyed by the data version so nothing stale is ever served.

Every change to the tracked data bumps `DataVersion` inside the transaction that makes the
change (signals.py). A page is cached under (data version, language, day, release, host, path,
the query parameters the page reads): once a change commits, every process computes a new key, so
the next request renders fresh data. Signed-in users always get a fresh render, marked private.

Where the data version is read:

- With the default per-process cache (local memory), every process has its own cache, so the
  version is read from its database row on every request: one small query, never stale.
- With a shared Redis cache (`CACHE_URL`), a copy of the version lives in Redis and a cache
  hit touches no database. The row stays the source of truth. After every commit that bumped
  it, the writer copies the committed value to Redis, keeping the larger of copy and row in
  one atomic step (two writers committing at once cannot leave the older value last). A reader
  that finds no copy (expired, evicted, Redis restarted) reads the row and stores it only if
  there is still no copy (SET NX), so it cannot overwrite a newer value a writer just stored.
  A writer's response is sent after its copy is stored, so whoever learns of a change from it
  sees it at once; only a request racing the commit itself can be answered from the version
  before. If a writer dies between its commit and the copy, or Redis refuses the copy, the old
  copy lives at most VERSION_SECONDS. Each process also keeps its own copies of the pages it
  served last (`RecentPages`), so a hit reads only the version from Redis.

Public pages also tell browsers and proxies what they may keep (`mark_public`): an ETag and a
Last-Modified date from the cache key, `Cache-Control: public, max-age=PAGE_MAX_AGE`, and a
304 answer to a conditional request for the page they already hold."""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date
from django.utils.translation import get_language

from .dates import today
from .models import DataVersion

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60
VERSION_KEY = "data-version"
#: Pages smaller than this are sent as they are (gzip's own overhead would eat the gain).
GZIP_MIN_BYTES = 1024
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# How long Redis keeps its copy of the data version before a reader refreshes it from the
# database: the longest a copy can stay behind after a writer died between commit and copy.
VERSION_SECONDS = 10
# Raise the copy to ARGV[1] unless it is already as high: one atomic step in Redis.
RAISE_VERSION_SCRIPT = """
local current = tonumber(redis.call("GET", KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
    redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[2])
    return 1
end
return 0
"""
try:  # What a cache server that is down or unreachable raises (redis is installed with us).
    from redis.exceptions import RedisError

    CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
except ImportError:  # pragma: no cover
    CACHE_ERRORS = (OSError,)


def version_is_shared() -> bool:
    """Whether the data version is kept in the cache: only in a Redis cache, which every
    process shares and which can raise the copy atomically."""
    return isinstance(caches["default"], RedisCache)


@functools.cache
def _version_sql() -> str:
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    return f"SELECT version FROM {table} WHERE id = 1"


def stored_data_version() -> int:
    """The data version in the database: the source of truth.

    Read with one plain SELECT rather than through the ORM: every cache hit without a shared
    cache asks it, and building the ORM query cost more than the database's answer (0.8 of a
    hit's 1.1 ms on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    if row is None:
        DataVersion.objects.get_or_create(pk=1)
        return 0
    return row[0]


def data_version() -> int:
    """The version pages are keyed by: Redis's copy if there is one, else the row's."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return stored_data_version()
    client, key = version_store(backend)
    try:
        copy = client.get(key)
    except CACHE_ERRORS:
        logger.warning("The cache cannot be read; reading the data version from the database.")
        return stored_data_version()
    if copy is not None:
        return int(copy)
    version = stored_data_version()
    try:
        client.set(key, version, ex=VERSION_SECONDS, nx=True)  # never over a writer's newer copy
    except CACHE_ERRORS:
        logger.warning("The cache cannot be written; the data version is not kept there.")
    return version


@functools.lru_cache(maxsize=16)
def version_store(backend: RedisCache) -> tuple:
    """The Redis client and the key of the data version's copy, for one cache connection.

    Django's RedisCache makes a new client for every operation, which costs as much as reading
    the version does; a client can be kept and shared (its pool gives each caller its own
    connection). The value is a plain integer, as Django's RedisCache stores integers."""
    return backend._cache.get_client(write=True), backend.make_and_validate_key(VERSION_KEY)


def bump_data_version() -> None:
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    if version_is_shared():
        # robust: the change is committed whatever happens to the copy; a failure is logged.
        transaction.on_commit(publish_data_version, robust=True)


def publish_data_version() -> None:
    """Copy the row's committed version to Redis, unless Redis already holds a newer one."""
    client, key = version_store(caches["default"])
    client.eval(RAISE_VERSION_SCRIPT, 1, key, stored_data_version(), VERSION_SECONDS)


@functools.cache
def release() -> str:
    """A fingerprint of everything besides the data that a page's HTML comes from: Django, the
    code, the templates, the translations and the static files' hashed names. Part of every
    page key and ETag, so a new release never serves, or confirms with a 304, a page the
    previous one rendered, even from a cache it shares with machines still running that one."""
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    for folder in ("commitments", "tracker", "templates", "locale"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml", ".mo"} and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def cached_page(*query: str):
    """Serve an anonymous GET from cache while the data it shows has not changed.

    Name the query parameters the page reads: `@cached_page("country", "page")`, or
    `@cached_page()` for a page that reads none. The view is given only those (in sorted
    order), and the cache key holds only those, so `?utm_source=…` or any other parameter
    the page ignores shares the page's one cache entry instead of filling the cache with
    copies of it."""
    if any(not isinstance(name, str) for name in query):
        # A bare @cached_page would take the view for a parameter name: say so at import.
        raise TypeError(
            "Name the query parameters the page reads: @cached_page('country', 'page'), "
            "or @cached_page() for none."
        )
    known = frozenset(query)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Only a request with a session cookie can be a signed-in one. Asking the session
            # of any other would add `Vary: Cookie`, and a proxy would keep a copy per cookie.
            signed_in = (
                settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
            )
            if signed_in:
                response = view(request, *args, **kwargs)
                add_never_cache_headers(response)  # staff's pages are theirs alone
                return response
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            started = time.time()
            keep_only_query(request, known)
            raw = (
                f"{data_version()}|{get_language()}|{today().isoformat()}|{release()}|"
                f"{request.get_host()}|{request.get_full_path()}"
            )
            digest = hashlib.sha256(raw.encode()).hexdigest()
            key = "page:" + digest
            etag = f'W/"{digest[:32]}"'
            rendered_at = time.time()  # after the version was read: see mark_public
            if "HTTP_IF_NONE_MATCH" in request.META:
                # The client names the page it holds: no need to fetch ours to compare.
                held = mark_public(HttpResponse(), etag)
                answer = get_conditional_response(request, etag=etag, response=held)
                if answer.status_code == 304:
                    return answer
            hit = cache_get(key)
            if hit is not None:
                content, status, content_type, rendered_at, compressed = hit
                response = HttpResponse(content, status=status, content_type=content_type)
                response["X-Cache"] = "hit"
            else:
                response = view(request, *args, **kwargs)
                if response.status_code not in (200, 400) or response.streaming:
                    return response
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                compressed = gzipped(response.content)
                cache_set(
                    key,
                    (
                        response.content,
                        response.status_code,
                        response["Content-Type"],
                        rendered_at,
                        compressed,
                    ),
                )
            response = encoded(request, response, compressed)
            # Last-Modified only once its second has begun when this request started.
            last_modified = math.ceil(rendered_at)
            if started < last_modified:
                last_modified = None
            response = mark_public(response, etag, last_modified)
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )

        return wrapper

    return decorator


def gzipped(content: bytes) -> bytes | None:
    """The page compressed once, when it is rendered, to be sent to every browser that accepts
    gzip (all do): a 100 KB dashboard travels as ~15 KB and a cache hit compresses nothing.
    (Public pages hold no secret, no CSRF token and no session, so compressing them beside
    reflected query text gives BREACH nothing to find.) None for pages too small to gain."""
    if len(content) < GZIP_MIN_BYTES:
        return None
    return gzip.compress(content, compresslevel=6, mtime=0)


def encoded(request: HttpRequest, response: HttpResponse, compressed: bytes | None):
    """The compressed copy for a client that accepts gzip, the plain one for any other (the
    page says `Vary: Accept-Encoding`: mark_public)."""
    if compressed is not None and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response.content = compressed
        response["Content-Encoding"] = "gzip"
    return response


def keep_only_query(request: HttpRequest, names: frozenset[str]) -> None:
    """Narrow the request's query string to `names`, sorted by name (each name's values keep
    their order). The rendered page can then depend on nothing the cache key leaves out: not
    even the language switch's link back (`request.get_full_path()`) carries other parameters."""
    pairs = [
        (name, value)
        for name in sorted(names.intersection(request.GET))
        for value in request.GET.getlist(name)
    ]
    query = urlencode(pairs)
    request.GET = QueryDict(query)
    request.META["QUERY_STRING"] = query


def mark_public(
    response: HttpResponse, etag: str, last_modified: int | None = None
) -> HttpResponse:
    """Let browsers and proxies keep a public page for PAGE_MAX_AGE seconds, and revalidate it.

    The ETag is the page's cache key: it changes with the data version, the language, the day
    and the release. Last-Modified is the whole second after the page was rendered, sent only
    by requests that started once that second had begun. HTTP dates count whole seconds, so
    without that rule a page rendered at 12:00:00.4 and the one rendered after a change at
    12:00:00.7 would share a date, and a client asking "modified since 12:00:00?" would keep
    the first. As it is, a page is rendered after it read its data version, and any request
    that was sent the earlier page's date started after that date and read the version before
    the change: the later page's date is at least a second after it.

    The language is in the page's address (/ja/…, /en/…), so the URL alone names the page: no
    `Vary` on the cookie or Accept-Language, and a proxy keeps one copy per address."""
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
    patch_vary_headers(response, ("Accept-Encoding",))  # plain or gzipped: encoded()
    if response.status_code == 200:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
    return response


class RecentPages:
    """This process's own copies of the pages it served last, in front of a shared cache.

    A page's key holds the data version, so what is stored under a key never goes stale: a
    copy here is as good as Redis's, and a hit then costs one small read from Redis (the data
    version) instead of two, the second carrying the whole page. Bounded by size, oldest first
    out."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple) -> None:
        size = entry_size(entry)
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = entry
            self.size += size
            while self.size > self.max_bytes:
                _key, oldest = self.pages.popitem(last=False)
                self.size -= entry_size(oldest)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


def entry_size(entry: tuple) -> int:
    """A cached page's bytes: the page and its compressed copy."""
    return len(entry[0]) + len(entry[4] or b"")


recent_pages = RecentPages(max_bytes=16 * 1024 * 1024)


def cache_get(key: str):
    """The cached page, or None, also when the cache server cannot be reached: the page is
    then rendered, as it would be without a cache."""
    shared = version_is_shared()
    if shared and (entry := recent_pages.get(key)) is not None:
        return entry
    try:
        entry = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("The cache cannot be read; rendering the page.")
        return None
    if shared and entry is not None:
        recent_pages.put(key, entry)
    return entry


def cache_set(key: str, entry: tuple) -> None:
    if version_is_shared():
        recent_pages.put(key, entry)
    try:
        cache.set(key, entry, CACHE_SECONDS)
    except CACHE_ERRORS:
        logger.warning("The cache cannot be written; the page is not kept.")
