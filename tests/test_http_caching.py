"""Public pages a browser, a proxy or a CDN may keep, and a page cache shared by machines.

commitments/cache.py: every public page carries an ETag and a Last-Modified date taken from its
cache key (data version, language, day, release), answers a conditional request for the page
the client already holds with 304, says `Cache-Control: public, max-age=…`, and sets no
cookie. Staff's pages and the admin are never kept by anyone but the browser that asked.

The tests marked `redis_only` run with CACHE_URL set (`.ci/run` starts a Redis and runs this
file with CACHE_URL=redis://127.0.0.1:6379/1); without it they are skipped. Every other test runs
with whichever cache is configured, so the same expectations hold for both. Writes go through
`committed()`: the shared cache learns of a change when its transaction commits, and a test's
transaction never does unless its on-commit callbacks are run.
"""

from __future__ import annotations

import datetime
import os
import runpy
import types
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

import commitments.cache as page_cache
from commitments.cache import (
    VERSION_KEY,
    VERSION_SECONDS,
    bump_data_version,
    data_version,
    publish_data_version,
    stored_data_version,
)
from commitments.choices import DuePrecision, Status
from commitments.models import DataVersion
from commitments.services import item_set_status

from .factories import ActionItemFactory, ParagraphFactory
from .urls import en, in_language, ja

pytestmark = pytest.mark.django_db

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
DASHBOARD = ja("/")
SHARED = bool(os.environ.get("CACHE_URL"))
redis_only = pytest.mark.skipif(
    not SHARED, reason="needs a shared cache: run with CACHE_URL=redis://127.0.0.1:6379/1"
)
local_only = pytest.mark.skipif(SHARED, reason="about the default per-process cache")
SETTINGS_FILE = Path(settings.BASE_DIR) / "tracker" / "settings.py"


@pytest.fixture(autouse=True)
def no_recent_pages():
    """Every test rolls its data back, so data versions repeat from test to test: this
    process's copies of recent pages start empty, as conftest empties the cache itself."""
    page_cache.recent_pages.clear()
    yield
    page_cache.recent_pages.clear()


@pytest.fixture
def item(turkmenistan):
    return ActionItemFactory(
        paragraph=ParagraphFactory(number=25),
        ref="25.2",
        title_en="Hold the sixth Foreign Ministers' Meeting",
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
        owners=[turkmenistan],
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what follows as if its transaction committed: its on-commit callbacks run."""

    @contextmanager
    def commit():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return commit


@pytest.fixture
def clock(monkeypatch):
    """The time as commitments/cache.py sees it, set by the test."""
    fake = types.SimpleNamespace(now=1_750_000_000.2)
    monkeypatch.setattr(page_cache, "time", types.SimpleNamespace(time=lambda: fake.now))
    return fake


def public_urls(item, language: str = "ja") -> list[str]:
    """Every page and download a reader can reach without signing in, in `language`."""
    theme = item.theme.slug
    urls = [
        DASHBOARD,
        reverse("commitments:document-list"),
        reverse("commitments:document-detail", args=[item.document.slug]),
        item.get_absolute_url(),
        reverse("commitments:item-list"),
        reverse("commitments:item-list") + "?country=TM&status=not_assessed",
        reverse("commitments:country-list"),
        reverse("commitments:country-detail", args=["TM"]),
        reverse("commitments:theme-detail", args=[theme]),
        reverse("commitments:about-figures"),
        reverse("commitments:feed-updates"),
        reverse("commitments:feed-country", args=["TM"]),
        reverse("commitments:feed-theme", args=[theme]),
        reverse("commitments:item-export") + "?country=TM",
        reverse("commitments:update-export"),
        reverse("healthz"),
    ]
    return [in_language(url, language) for url in urls]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


# --- What a public page tells browsers and proxies -------------------------------------------


def test_a_public_page_may_be_kept_by_proxies_for_a_short_while_and_revalidated(client, item):
    response = client.get(DASHBOARD)

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.PAGE_MAX_AGE}"}
    assert response["ETag"].startswith('W/"')
    # The address names the language (/ja/…, /en/…): a proxy keeps one copy per address, and
    # neither the language cookie nor Accept-Language changes what it holds.
    assert not {"cookie", "accept-language"} & vary(response)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_first_visit_to_any_public_page_sets_no_cookie(item, language):
    reader = Client(HTTP_ACCEPT_LANGUAGE=language)
    for url in public_urls(item, language):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, f"{url} sets {list(response.cookies)}"
        assert "Set-Cookie" not in response, url
    assert not reader.cookies  # so the next page is asked for without one, too


@pytest.mark.parametrize(("language", "other"), [("ja", "en"), ("en", "ja")])
def test_a_public_page_is_in_its_addresses_language_and_varies_on_nothing_a_reader_sends(
    item, language, other
):
    # A reader whose cookie and browser both ask for the other language, and who has no
    # session: the page is the address's, says so, and the session is never read (reading it
    # would add `Vary: Cookie`).
    reader = Client(HTTP_ACCEPT_LANGUAGE=other)
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = other
    for url in public_urls(item, language):
        if not url.startswith(f"/{language}/"):
            continue  # /healthz: the same few bytes in every language
        response = reader.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language, url
        assert not {"cookie", "accept-language"} & vary(response), url
        assert "Set-Cookie" not in response, url
    assert list(reader.cookies) == [settings.LANGUAGE_COOKIE_NAME]


@pytest.mark.parametrize(
    ("cookie", "accept_language", "language"),
    [
        (None, None, "ja"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "fr", "ja"),  # a language the site does not have
        ("en", "ja", "en"),  # the language switch's cookie comes first
        ("ja", "en", "ja"),
        ("xx", "en", "en"),  # a cookie naming no site language is ignored
    ],
)
def test_an_address_without_a_language_is_sent_to_the_readers_and_varies_on_what_chose_it(
    item, cookie, accept_language, language
):
    reader = Client(**({"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}))
    if cookie:
        reader.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    for url in ("/", "/items/?country=TM&status=not_assessed", item.get_absolute_url()[3:]):
        response = reader.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/{language}{url}"
        # The same address goes to another place for another reader: a proxy must keep one
        # answer per cookie and Accept-Language, or it would send the next reader to this one's.
        assert {"cookie", "accept-language"} <= vary(response), url
        assert "ETag" not in response, url
        assert "Set-Cookie" not in response, url
        assert reader.get(response["Location"]).status_code == 200, url
    assert list(reader.cookies) == ([settings.LANGUAGE_COOKIE_NAME] if cookie else [])


def test_the_pages_etag_answers_if_none_match_with_304_and_no_body(client, item):
    first = client.get(item.get_absolute_url())

    again = client.get(item.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]


def test_an_etag_from_another_page_gets_the_page(client, item):
    dashboard = client.get(DASHBOARD)

    response = client.get(item.get_absolute_url(), HTTP_IF_NONE_MATCH=dashboard["ETag"])

    assert response.status_code == 200
    assert response["ETag"] != dashboard["ETag"]


def test_a_page_gets_its_date_once_the_second_after_its_rendering_has_begun(client, item, clock):
    rendered = client.get(DASHBOARD)
    assert "Last-Modified" not in rendered  # rendered at .2: its date, :01, has not come yet

    clock.now = 1_750_000_001.0
    dated = client.get(DASHBOARD)
    clock.now = 1_750_000_030.0
    revalidated = client.get(DASHBOARD, HTTP_IF_MODIFIED_SINCE=dated["Last-Modified"])

    assert dated["Last-Modified"] == http_date(1_750_000_001)
    assert revalidated.status_code == 304
    assert revalidated.content == b""


def test_a_change_changes_the_etag_and_the_old_etag_gets_the_new_page(client, item, committed):
    before = client.get(en(item.get_absolute_url()))

    with committed():
        item.title_en = "Hold the sixth meeting in Ashgabat"
        item.save()
    after = client.get(en(item.get_absolute_url()), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Hold the sixth meeting in Ashgabat" in after.content.decode()


def test_a_new_status_makes_the_pages_date_of_before_the_change_stale(
    client, item, committed, clock
):
    client.get(DASHBOARD)
    clock.now = 1_750_000_001.0
    date_before = client.get(DASHBOARD)["Last-Modified"]

    with committed():
        item_set_status(
            item=item, status=Status.COMPLETED, date=datetime.date(2016, 5, 1), source_url=SOURCE
        )
    # Rendered in the same second as the page the client holds was dated.
    clock.now = 1_750_000_001.3
    undated = client.get(DASHBOARD, HTTP_IF_MODIFIED_SINCE=date_before)
    clock.now = 1_750_000_002.0
    later = client.get(DASHBOARD, HTTP_IF_MODIFIED_SINCE=date_before)

    assert undated.status_code == 200
    assert "Last-Modified" not in undated
    assert later.status_code == 200
    assert later["Last-Modified"] == http_date(1_750_000_002)


def test_the_other_language_has_its_own_etag(client, item):
    japanese = client.get(ja(DASHBOARD))

    english = client.get(en(DASHBOARD), HTTP_IF_NONE_MATCH=japanese["ETag"])

    assert japanese["Content-Language"] == "ja"
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    assert english["ETag"] != japanese["ETag"]
    assert "X-Cache" not in english


def test_another_host_name_has_its_own_page_and_etag(client, item):
    # A page names its other-language versions by absolute address (hreflang), so the copy
    # made for one host name must not be served, or confirmed with a 304, for another.
    here = client.get(DASHBOARD)

    there = client.get(DASHBOARD, HTTP_HOST="localhost", HTTP_IF_NONE_MATCH=here["ETag"])

    assert there.status_code == 200
    assert "X-Cache" not in there
    assert there["ETag"] != here["ETag"]
    assert 'href="http://localhost/en/"' in there.content.decode()
    assert "http://testserver/" not in there.content.decode()
    assert client.get(DASHBOARD, HTTP_HOST="localhost")["X-Cache"] == "hit"


def test_a_new_day_has_a_new_etag_since_what_is_overdue_changes(client, item, monkeypatch):
    today = client.get(DASHBOARD)

    monkeypatch.setattr(page_cache, "today", lambda: datetime.date(2100, 1, 1))
    tomorrow = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=today["ETag"])

    assert tomorrow.status_code == 200
    assert tomorrow["ETag"] != today["ETag"]


def test_a_new_release_has_new_etags_and_renders_anew(client, item, monkeypatch):
    old = client.get(DASHBOARD)

    monkeypatch.setattr(page_cache, "release", lambda: "the-next-release")
    new = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=old["ETag"])

    assert new.status_code == 200
    assert "X-Cache" not in new
    assert new["ETag"] != old["ETag"]


def test_a_page_refused_for_an_unknown_country_has_no_etag(client, item):
    response = client.get(DASHBOARD + "?country=XX")

    assert response.status_code == 400
    assert "ETag" not in response
    assert "Last-Modified" not in response


# --- Never kept for anyone else ----------------------------------------------------------


def no_one_else_may_keep(response) -> bool:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= cache_control and "public" not in cache_control


def test_signed_in_staff_get_a_fresh_page_no_one_else_may_keep(editor_client, item):
    editor_client.get(DASHBOARD)
    response = editor_client.get(DASHBOARD)

    assert response.status_code == 200
    assert "X-Cache" not in response
    assert no_one_else_may_keep(response)
    assert "ETag" not in response


def test_admin_pages_are_never_kept_by_a_proxy(client, editor_client, item):
    assert no_one_else_may_keep(client.get(reverse("admin:login")))
    for url in (
        reverse("admin:index"),
        reverse("admin:commitments_actionitem_changelist"),
        reverse("admin:commitments_actionitem_change", args=[item.pk]),
    ):
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert no_one_else_may_keep(response), url


# --- Configuration -------------------------------------------------------------------------


def read_settings(monkeypatch, **environment) -> dict:
    """tracker/settings.py as a deployment with this environment would read it."""
    for name in ("DEBUG", "CONN_MAX_AGE", "CACHE_URL", "DATABASE_URL", "PAGE_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-only")
    monkeypatch.setenv("ALLOWED_HOSTS", "tracker.example.org")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_production_keeps_database_connections_and_checks_them_before_reuse(monkeypatch):
    production = read_settings(monkeypatch, DATABASE_URL="postgres://u@db.example.org/tracker")
    development = read_settings(monkeypatch, DEBUG="true")
    chosen = read_settings(monkeypatch, CONN_MAX_AGE="0")

    assert production["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert production["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert development["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    assert chosen["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_cache_url_shares_the_page_cache_through_redis(monkeypatch):
    default = read_settings(monkeypatch)
    shared = read_settings(monkeypatch, CACHE_URL="redis://cache.example.org:6379/1")

    assert default["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert shared["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["CACHES"]["default"]["LOCATION"] == "redis://cache.example.org:6379/1"


@pytest.mark.parametrize(
    "url",
    ["memcached://127.0.0.1:11211", "redis://primary:6379/1,redis://replica:6379/1"],
)
def test_a_cache_url_that_is_not_one_redis_server_is_refused(monkeypatch, url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        read_settings(monkeypatch, CACHE_URL=url)


def test_a_process_keeps_its_recent_pages_within_a_size():
    """Counted in bytes: the page and its compressed copy (cache.entry_size)."""
    recent = page_cache.RecentPages(max_bytes=12)
    recent.put("a", (b"1234", 200, "text/html", 0.0, None))
    recent.put("b", (b"1234", 200, "text/html", 0.0, b"12"))
    assert recent.get("a") is not None  # now the most recently used

    recent.put("c", (b"1234", 200, "text/html", 0.0, None))
    recent.put("too big", (b"12345678901", 200, "text/html", 0.0, b"12"))

    assert recent.get("b") is None
    assert recent.get("too big") is None
    assert [recent.get(key)[0] for key in ("a", "c")] == [b"1234", b"1234"]
    assert recent.size == 8


# --- The default cache: one per process ------------------------------------------------------


@local_only
def test_without_a_shared_cache_a_hit_reads_only_the_data_version(
    client, item, django_assert_num_queries
):
    client.get(DASHBOARD)

    with django_assert_num_queries(1):  # each process's cache knows nothing of the others'
        assert client.get(DASHBOARD)["X-Cache"] == "hit"


def test_pages_are_served_while_the_cache_server_is_down(client, item, committed, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert client.get(en(item.get_absolute_url())).status_code == 200

    with committed():
        item.title_en = "Hold the sixth meeting in Ashgabat"
        item.save()
    response = client.get(en(item.get_absolute_url()))

    assert response.status_code == 200
    assert "Hold the sixth meeting in Ashgabat" in response.content.decode()


# --- A shared Redis cache ---------------------------------------------------------------------


def redis_copy() -> int | None:
    return cache.get(VERSION_KEY)


@redis_only
def test_with_redis_a_cache_hit_touches_no_database(client, item, django_assert_num_queries):
    first = client.get(DASHBOARD)

    with django_assert_num_queries(0):
        hit = client.get(DASHBOARD)
        not_modified = client.get(DASHBOARD, HTTP_IF_NONE_MATCH=first["ETag"])

    assert hit["X-Cache"] == "hit"
    assert not_modified.status_code == 304


@redis_only
def test_with_redis_a_reader_finding_no_copy_reads_the_row_and_keeps_it_briefly(
    item, django_assert_num_queries
):
    cache.delete(VERSION_KEY)

    with django_assert_num_queries(1):
        version = data_version()
    with django_assert_num_queries(0):
        assert data_version() == version

    assert version == stored_data_version()
    backend = caches["default"]
    seconds = backend._cache.get_client().ttl(backend.make_and_validate_key(VERSION_KEY))
    assert 0 < seconds <= VERSION_SECONDS


@redis_only
def test_with_redis_a_reader_racing_a_commit_cannot_put_back_the_version_before_it(
    item, monkeypatch
):
    cache.delete(VERSION_KEY)
    read_row = page_cache.stored_data_version

    def row_read_just_before_another_process_commits():
        version = read_row()
        DataVersion.objects.filter(pk=1).update(version=version + 1)  # the other's commit …
        cache.set(VERSION_KEY, version + 1)  # … and its copy to Redis
        return version

    monkeypatch.setattr(
        page_cache, "stored_data_version", row_read_just_before_another_process_commits
    )
    racing = data_version()  # this request began before the commit: it may show the old page
    monkeypatch.undo()

    assert redis_copy() == racing + 1 == stored_data_version()  # but no request after it will


@redis_only
def test_with_redis_a_commit_raises_the_copy_and_never_lowers_it(item):
    row = stored_data_version()

    cache.set(VERSION_KEY, row - 1)
    publish_data_version()
    assert redis_copy() == row

    # A writer whose commit came before another's may copy after it: the newer copy stays.
    cache.set(VERSION_KEY, row + 5)
    publish_data_version()
    assert redis_copy() == row + 5


@redis_only
def test_with_redis_no_reader_sees_a_change_before_it_is_committed(item, committed):
    version = data_version()

    with pytest.raises(RuntimeError), committed(), transaction.atomic():
        bump_data_version()
        assert stored_data_version() == version + 1  # inside the writer's transaction
        assert data_version() == version  # what every other request reads meanwhile
        raise RuntimeError("roll back")

    assert redis_copy() == version
    assert stored_data_version() == version


@redis_only
def test_with_redis_a_commit_reaches_the_copy_at_once(client, item, committed):
    version = data_version()

    with committed():
        item_set_status(
            item=item, status=Status.COMPLETED, date=datetime.date(2016, 5, 1), source_url=SOURCE
        )

    assert redis_copy() == stored_data_version() > version


class OtherProcess:
    """Another web process: requests run in a thread of their own, so over its own database
    connection and its own connection to Redis. The data version lives only in the database
    and in Redis; the one thing a process keeps, its copies of recent pages, is keyed by it."""

    def __init__(self):
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.client = Client()

    def get(self, url: str, **headers):
        """The response, and how many queries the process ran for it."""

        def request():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url, **headers)
            return response, len(queries.captured_queries)

        return self.thread.submit(request).result(timeout=30)

    def stop(self) -> None:
        self.thread.submit(connections.close_all).result(timeout=30)
        self.thread.shutdown()


@redis_only
@pytest.mark.django_db(transaction=True)
def test_with_redis_a_change_committed_by_one_process_is_served_by_the_next_request_of_another(
    item,
):
    """Real commits, two processes: the writer here, a reader in OtherProcess."""
    reader = OtherProcess()
    try:
        page = en(item.get_absolute_url())
        first, _ = reader.get(page)
        hit, hit_queries = reader.get(page)
        dashboard, _ = reader.get(en(DASHBOARD))
        assert hit["X-Cache"] == "hit"
        assert hit_queries == 0

        item.title_en = "Hold the sixth meeting in Ashgabat"
        item.save()  # autocommit: committed, and copied to Redis, when save() returns
        changed, _ = reader.get(page)
        dashboard_after, _ = reader.get(en(DASHBOARD), HTTP_IF_NONE_MATCH=dashboard["ETag"])
        hit_after, hit_after_queries = reader.get(page)
    finally:
        reader.stop()

    assert "X-Cache" not in changed
    assert "Hold the sixth meeting in Ashgabat" in changed.content.decode()
    assert changed["ETag"] != first["ETag"]
    assert dashboard_after.status_code == 200  # not 304: its old ETag is out of date
    assert hit_after["X-Cache"] == "hit"
    assert hit_after_queries == 0
