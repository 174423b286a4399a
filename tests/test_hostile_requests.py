"""Requests nobody's browser would send: odd addresses on every public page, markup in a feed,
hand-edited admin addresses and forms, and junk parameters aimed at the page cache. Each is
answered with a 4xx (or a normal page) that says what is wrong, never a server error, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from commitments.cache import cached_page
from commitments.choices import Status
from commitments.filters import ActionItemFilterSet
from commitments.models import ActionItem, Theme
from commitments.services import item_set_status

from .factories import ThemeFactory
from .urls import en, in_language, ja

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "The address contains a NUL character"


def get_raw(client, raw: str, follow: bool = True, **extra):
    """GET `raw` (path and query as on the wire) the way a WSGI server hands it to Django:
    the path percent-decoded to bytes, both as latin-1 text. The test client's own parsing
    would read `//` as the start of a host name. A redirect is followed once, unless not
    `follow`."""
    path, _sep, query = raw.partition("?")
    environ = {
        "PATH_INFO": unquote_to_bytes(path).decode("iso-8859-1"),
        "QUERY_STRING": query.encode().decode("iso-8859-1"),
    }
    response = client.get(raw, **environ, **extra)
    if follow and response.status_code in (301, 302):
        response = client.get(response["Location"], **extra)
    return response


def without_language(url: str) -> str:
    """`/ja/items/` → `/items/`: the address as an old link or a typed one has it."""
    language = translation.get_language_from_path(url)
    assert language is not None, url
    return url[len(language) + 1 :]


def assert_stays_on_this_site(response, language: str = "ja") -> None:
    """A redirect (LocaleMiddleware's, for an address without a language) goes to a path on
    this site, under the reader's language, and nowhere a browser would read as another host."""
    location = response["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("", ""), location
    assert location.startswith(f"/{language}/"), location
    assert not location.startswith(("//", "/\\")), location
    assert not {"\r", "\n", "\x00", "\\"} & set(location), location


# Odd addresses on every public page.

ODD_SEGMENTS = {
    "nul": "%00",
    "encoded nul": "%2500",
    "slash": "/",
    "encoded slash": "%2F",
    "unicode": "日本",
    "encoded unicode": "%E6%97%A5%E6%9C%AC",
    "very long": "a" * 3000,
    "dot dot": "..",
    "encoded dot dot": "%2E%2E",
    "zero-width space": "%E2%80%8B",
    "right-to-left override": "%E2%80%AE",
    "lone surrogate": "%ED%A0%80",
    "invalid utf-8": "%FF",
    "overlong utf-8": "%C0%AE",
    "noncharacter": "%EF%BF%BF",
    "emoji": "%F0%9F%98%80",
    "newline": "%0A",
    "space": "%20",
    "percent": "%25",
    "markup": "%3Cb%3E",
}
NUL_SEGMENTS = {"nul", "encoded nul"}

# A real value for each path argument, so that each one can be made odd while the others
# still lead somewhere (the item page looks up its ref only once the document is found).
SAMPLE_KWARGS = {
    "commitments:document-detail": {"slug": "caj-fmm5-2014"},
    "commitments:item-detail": {"slug": "caj-fmm5-2014", "ref": "25.2"},
    "commitments:feed-country": {"code": "TM"},
    "commitments:feed-theme": {"slug": "dialogue"},
    "commitments:country-detail": {"code": "TM"},
    "commitments:theme-detail": {"slug": "dialogue"},
    "api:document-detail": {"slug": "caj-fmm5-2014"},
    "api:paragraph-list": {"slug": "caj-fmm5-2014"},
    "api:paragraph-detail": {"slug": "caj-fmm5-2014", "number": "25"},
    "api:document-item-list": {"slug": "caj-fmm5-2014"},
    "api:item-detail": {"slug": "caj-fmm5-2014", "ref": "25.2"},
}
MARKER = "zzoddzz"


def public_url_names() -> list[str]:
    """Every named address outside the admin."""
    names = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                names.append(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def odd_addresses(odd: str, language: str = "ja") -> list[str]:
    """Every public address with `odd` in each of its path arguments in turn, or as an extra
    path segment where it has none; the public site's in `language`."""
    addresses = []
    for name in public_url_names():
        kwargs = SAMPLE_KWARGS.get(name, {})
        for argument in kwargs:
            url = reverse(name, kwargs={**kwargs, argument: MARKER})
            addresses.append(url.replace(MARKER, odd))
        if not kwargs:
            url = reverse(name)
            addresses.append(f"{url}{odd}/" if url.endswith("/") else f"{url}/{odd}")
    return [in_language(url, language) for url in addresses]


def odd_addresses_without_language(odd: str) -> list[str]:
    """The public site's odd addresses (odd_addresses) as they would be without a language."""
    return [without_language(url) for url in odd_addresses(odd) if url.startswith("/ja/")]


def test_every_public_address_with_path_arguments_has_sample_values():
    for name in public_url_names():
        pattern = get_resolver().resolve(reverse(name, kwargs=SAMPLE_KWARGS.get(name)))
        assert set(pattern.kwargs) == set(SAMPLE_KWARGS.get(name, {})), name


@pytest.mark.parametrize("odd", ODD_SEGMENTS.values(), ids=ODD_SEGMENTS.keys())
def test_an_odd_path_on_any_public_page_is_a_400_or_404(bishkek, client, odd):
    addresses = odd_addresses(odd) + odd_addresses(odd, "en")
    answers = {url: get_raw(client, url).status_code for url in addresses}
    assert set(answers.values()) <= {400, 404}, answers


@pytest.mark.parametrize("odd", ODD_SEGMENTS.values(), ids=ODD_SEGMENTS.keys())
def test_an_odd_path_without_a_language_is_a_400_404_or_a_redirect_on_this_site(
    bishkek, client, odd
):
    # LocaleMiddleware redirects a 404 to the same address under the reader's language when
    # that would be a page: the redirect must stay on this site and lead to a 400 or 404.
    answers = {}
    for url in odd_addresses_without_language(odd):
        response = get_raw(client, url, follow=False)
        if response.status_code == 302:
            assert_stays_on_this_site(response)
            response = client.get(response["Location"])
        answers[url] = response.status_code
    assert answers
    assert set(answers.values()) <= {400, 404}, answers


@pytest.mark.parametrize("odd", [ODD_SEGMENTS[name] for name in sorted(NUL_SEGMENTS)])
def test_a_nul_in_any_public_path_is_a_400_that_says_so(bishkek, client, odd):
    # In the address's language whatever the browser prefers; the API, /healthz and an address
    # without a language have none, and answer in the browser's.
    addresses = odd_addresses(odd, "en") + odd_addresses_without_language(odd)
    for url in addresses:
        prefixed = url.startswith("/en/")
        response = get_raw(client, url, HTTP_ACCEPT_LANGUAGE="ja" if prefixed else "en")
        assert response.status_code == 400, url
        assert NUL_MESSAGE in response.content.decode(), url


NUL_PATHS = [
    "/countries/%00/",
    "/documents/caj-fmm5-2014/items/%00/",
    "/feeds/updates/countries/%00/",
    "/feeds/updates/themes/%00/",
    "/countries/%2500/",
]


@pytest.mark.parametrize("url", [*NUL_PATHS, *map(ja, NUL_PATHS)])
def test_the_nul_answer_is_translated(bishkek, client, url):
    # Without a language in the address, the reader's (the cookie's); with one, the address's.
    client.cookies["django_language"] = "en" if url.startswith("/ja/") else "ja"
    response = get_raw(client, url)
    assert response.status_code == 400
    assert "NUL文字" in response.content.decode()


# Addresses without a language: LocaleMiddleware redirects them, so none may lead off the site.

HOSTILE_PATHS = {
    "protocol-relative": "//evil.example/",
    "protocol-relative, no slash": "//evil.example",
    "protocol-relative to a page": "//evil.example/items/",
    "protocol-relative, no final slash": "//evil.example/items",
    "three slashes": "///evil.example/",
    "encoded slashes": "/%2F%2Fevil.example/",
    "encoded slashes to a page": "/%2F%2Fevil.example/items/",
    "backslash": "/%5Cevil.example/",
    "backslash and slash": "/%5C/evil.example/",
    "scheme in the path": "/http://evil.example/",
    "scheme in a page's argument": "/countries/http:%2F%2Fevil.example/",
    "user info": "/@evil.example/",
    "tab": "/%09/evil.example/",
    "crlf": "/%0d%0a",
    "crlf header": "/%0d%0aSet-Cookie:%20planted=1",
    "crlf in a page's argument": "/countries/%0d%0aLocation:%20http:%2F%2Fevil.example/",
    "crlf in a page's argument, no final slash": "/countries/TM%0d%0aSet-Cookie:%20planted=1",
    "crlf in the query": "/items/?country=TM%0d%0aSet-Cookie:%20planted=1",
    "nul": "/%00",
    "nul in a page": "/items/%00/",
    "unicode": "/日本/",
    "unicode in a page's argument": "/countries/日本/",
    "encoded unicode in a page's argument": "/countries/%E6%97%A5%E6%9C%AC/",
    "invalid utf-8 in a page's argument": "/countries/%FF/",
    "very long": "/" + "a" * 10_000,
    "very long with a final slash": "/" + "a" * 10_000 + "/",
    "very long page argument": "/countries/" + "a" * 10_000 + "/",
    "very long query": "/items/?country=" + "a" * 10_000,
    "dot segments": "/../../etc/passwd",
    "encoded dot segments": "/%2E%2E/%2E%2E/items/",
    "next in the query": "/?next=//evil.example/",
    "a language the site does not have": "/fr/items/",
    "a language with junk": "/en@evil.example/items/",
    "a language in capitals": "/EN/items/",
    "the language twice": "/ja/ja/items/",
    "no final slash": "/items",
}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("path", HOSTILE_PATHS.values(), ids=HOSTILE_PATHS.keys())
def test_an_address_without_a_language_never_leads_off_the_site_or_to_a_server_error(
    bishkek, client, path, language
):
    response = get_raw(client, path, follow=False, HTTP_ACCEPT_LANGUAGE=language)
    for _hop in range(3):
        assert response.status_code < 500, path
        assert "planted" not in response.cookies, path
        if response.status_code not in (301, 302):
            break
        assert_stays_on_this_site(response, language)
        response = get_raw(client, response["Location"], follow=False)
    else:
        raise AssertionError(f"{path} redirects more than twice")
    assert response.status_code in (200, 400, 404), path


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT_LANGUAGE": "en," * 5000},
        {"HTTP_ACCEPT_LANGUAGE": "en;q=" + "9" * 1000},
        {"HTTP_ACCEPT_LANGUAGE": "../../evil.example;q=1, //evil.example"},
        {"HTTP_ACCEPT_LANGUAGE": "日本語, \x00"},
        {"HTTP_COOKIE": "django_language=//evil.example"},
        {"HTTP_COOKIE": "django_language=" + "e" * 5000},
        {"HTTP_COOKIE": "django_language=en%0d%0aSet-Cookie:%20planted=1"},
    ],
    ids=[
        "long header",
        "long quality",
        "addresses",
        "unicode and nul",
        "cookie address",
        "long cookie",
        "cookie crlf",
    ],
)
def test_a_hostile_language_preference_is_sent_to_a_site_language_on_this_site(
    bishkek, client, headers
):
    response = client.get("/items/?country=TM", **headers)
    assert response.status_code == 302
    assert response["Location"] in ("/ja/items/?country=TM", "/en/items/?country=TM")
    assert_stays_on_this_site(response, response["Location"][1:3])
    assert "planted" not in response.cookies


@pytest.mark.parametrize(
    "path",
    ["/ja//evil.example/", "/en//evil.example/items/", "/ja/%2F%2Fevil.example/", "/en/x/"],
)
def test_a_not_found_page_names_no_other_host_and_no_other_language_version(bishkek, client, path):
    # The hreflang alternates are absolute addresses built from the request's path: on an
    # address that names no page they would be whatever the address says (x-default of
    # /ja//evil.example/ was http://evil.example/), so a 404 page has none.
    response = get_raw(client, path)
    assert response.status_code == 404
    html = response.content.decode()
    switches = re.findall(r'<a href="(/language/[^"]*)"', html)
    assert switches
    rest = re.sub(r'<a href="/language/[^"]*"[^>]*>', "", html)
    assert "evil.example" not in rest
    assert "hreflang" not in rest
    # The language switch takes the reader back to the same address: on this site.
    for switch in switches:
        location = client.get(switch.replace("&amp;", "&"))["Location"]
        assert urlsplit(location)[:2] == ("", ""), location
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


SWITCH_NEXTS = {
    "protocol-relative": "//evil.example/",
    "backslash": "/\\evil.example/",
    "two backslashes": "\\\\evil.example",
    "scheme without slashes": "https:evil.example",
    "script": "javascript:alert(1)",
    "language then protocol-relative": "/ja//evil.example/",
    "language then encoded slashes": "/ja/%2F%2Fevil.example/",
    "scheme in a page's argument": "/ja/countries/http:%2F%2Fevil.example/",
    "backslash in a page's argument": "/ja/countries/%5Cevil.example/",
    "crlf": "/ja/items/?country=TM\r\nSet-Cookie: planted=1",
    "unicode": "/ja/countries/日本/",
    "very long": "/ja/countries/" + "a" * 5000 + "/",
}


@pytest.mark.parametrize("target", SWITCH_NEXTS.values(), ids=SWITCH_NEXTS.keys())
def test_the_language_switch_never_leads_off_the_site(bishkek, client, target):
    response = client.get(reverse("switch-language"), {"language": "en", "next": target})
    for _hop in range(3):
        assert response.status_code < 500, target
        assert "planted" not in response.cookies, target
        if response.status_code not in (301, 302):
            break
        location = response["Location"]
        assert urlsplit(location)[:2] == ("", ""), location
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert not {"\r", "\n", "\\"} & set(location), location
        response = get_raw(client, location, follow=False)
    else:
        raise AssertionError(f"{target} redirects more than twice")
    assert response.status_code in (200, 400, 404), target


@pytest.mark.parametrize("odd", ODD_SEGMENTS.values(), ids=ODD_SEGMENTS.keys())
def test_odd_query_parameters_on_any_public_page_never_cause_a_server_error(bishkek, client, odd):
    answers = {}
    for name in public_url_names():
        url = reverse(name, kwargs=SAMPLE_KWARGS.get(name))
        urls = [url, en(url)]
        if url.startswith("/ja/"):
            urls.append(without_language(url))  # redirected, query and all, and followed
        for address in urls:
            for query in [f"?country={odd}&page={odd}", f"?{odd}={odd}"]:
                answers[address + query] = get_raw(client, address + query).status_code
    # 204 and 302: the language switches answer a GET that way.
    assert set(answers.values()) <= {200, 204, 302, 400, 404}, answers
    nul = [status for url, status in answers.items() if "%00" in url]
    assert set(nul) <= {400}


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language"])
def test_a_cookie_spelling_nul_is_a_400_not_a_server_error(bishkek, client, cookie):
    # Cookie: sessionid="\000\000…" is plain ASCII on the wire; Django unquotes it to NULs,
    # and the session is looked up in the database on every page.
    client.cookies[cookie] = "\x00" * 40
    for url in (ja("/items/"), "/items/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode(), url


# The Atom feed: notes and sources are text, and the feed has an author.

ATOM = "{http://www.w3.org/2005/Atom}"
MARKUP_NOTE = "<b>x</b> & <script>alert(1)</script>"
SOURCE_WITH_AMPERSAND = "https://www.mofa.go.jp/mofaj/press/release?id=1&lang=en"


def feed_root(client, url="/feeds/updates/"):
    response = client.get(en(url))
    assert response.status_code == 200
    return ET.fromstring(response.content)


def entry_for(root, update_pk: int):
    for entry in root.iter(ATOM + "entry"):
        if entry.find(ATOM + "link").get("href").endswith(f"#update-{update_pk}"):
            return entry
    raise AssertionError(f"no entry for update {update_pk}")


@pytest.fixture
def update_with_markup(bishkek):
    return item_set_status(
        item=ActionItem.objects.get(ref="26.1"),
        status=Status.ONGOING,
        date=datetime.date(2017, 5, 1),
        source_url=SOURCE_WITH_AMPERSAND,
        note_en=MARKUP_NOTE,
        note_ja=MARKUP_NOTE,
    )


@pytest.mark.parametrize("url", ["/feeds/updates/", "/feeds/updates/countries/TM/"])
def test_a_note_with_markup_arrives_in_the_feed_as_literal_text(client, update_with_markup, url):
    summary = entry_for(feed_root(client, url), update_with_markup.pk).find(ATOM + "summary")
    assert summary.get("type") == "text"
    assert MARKUP_NOTE in summary.text
    assert f"Source: {SOURCE_WITH_AMPERSAND}" in summary.text


def test_every_feed_summary_is_text(bishkek, client):
    summaries = list(feed_root(client).iter(ATOM + "summary"))
    assert summaries
    assert {summary.get("type") for summary in summaries} == {"text"}


@pytest.mark.parametrize(
    "url", ["/feeds/updates/", "/feeds/updates/countries/TM/", "/feeds/updates/themes/dialogue/"]
)
def test_the_feed_names_the_site_as_its_author(bishkek, client, url):
    # RFC 4287 §4.1.1: a feed without an author on every entry must have one itself.
    authors = feed_root(client, url).findall(ATOM + "author")
    assert [author.findtext(ATOM + "name") for author in authors] == ["Commitment tracker"]


# The admin: hand-edited addresses and forms, on every registered model.

ADMINS = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)
ADMIN_IDS = [model._meta.label_lower for model, _model_admin in ADMINS]
HUGE = "99999999999999999999"


@pytest.fixture
def superuser_client(client, django_user_model):
    # No password: hashing one would cost more than the request under test.
    user = django_user_model.objects.create(
        username="root.hostile", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    # The messages asserted below are the English ones (the default language is Japanese).
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def one_row_each(bishkek):
    """A row in every admin's table: SQLite runs a lookup's REGEXP only against rows."""
    Group.objects.create(name="Hostile reviewers")
    common = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x", "path_info": "/"}
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def text_field(model) -> str:
    return next(
        field.name
        for field in model._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField") and field.name != "password"
    )


BOGUS_LOOKUPS = [
    "pk=abc",
    "pk__in=1,abc",
    f"pk__in={HUGE}",
    f"pk__gt={HUGE}",
    f"pk={HUGE}",
    "pk__isnull=maybe",
    "pk__year=x",
    "pk__nonsense=1",
    "nonexistent=1",
    "o=abc",
    "o=99",
    "o=-",
    "p=abc",
    "p=-1",
    "p=99999",
    "_to_field=abc",
    "e=1",
    "q=" + "x" * 3000,
]


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_bogus_lookups_in_any_admin_list_address_never_cause_a_server_error(
    superuser_client, one_row_each, model, model_admin
):
    answers = {
        query: superuser_client.get(f"{changelist_url(model)}?{query}", follow=True).status_code
        for query in BOGUS_LOOKUPS
    }
    assert all(status < 500 for status in answers.values()), answers


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
@pytest.mark.parametrize("lookup", ["pk__iregex=[", "pk__regex=(", "{text}__iregex=["])
def test_an_invalid_regular_expression_in_any_admin_list_is_a_400(
    superuser_client, one_row_each, model, model_admin, lookup
):
    assert model._default_manager.exists(), "give this model a row in one_row_each"
    query = lookup.format(text=text_field(model))
    response = superuser_client.get(f"{changelist_url(model)}?{query}")
    assert response.status_code == 400
    assert "cannot be shown with the filters in its address" in response.content.decode()
    assert query.split("=")[0] in response.content.decode()


def list_filter_parameters(model_admin, user) -> list[str]:
    """The address parameters of a changelist's sidebar filters (and its date hierarchy)."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_bogus_values_in_any_admin_list_filter_never_cause_a_server_error(
    superuser_client, one_row_each, django_user_model, model, model_admin
):
    user = django_user_model.objects.get(username="root.hostile")
    answers = {}
    for name in list_filter_parameters(model_admin, user):
        for value in ["bogus", HUGE, "-1", "", "1.5", "[", "2014-13-45"]:
            query = f"{name}={value}"
            url = f"{changelist_url(model)}?{query}"
            answers[query] = superuser_client.get(url, follow=True).status_code
    assert all(status < 500 for status in answers.values()), answers


@pytest.mark.parametrize(
    "query",
    [
        "date__year=9999",
        "date__year=9999&date__month=12",
        "date__year=9999&date__month=12&date__day=31",
    ],
)
def test_a_date_hierarchy_at_the_end_of_the_calendar_is_a_400(superuser_client, bishkek, query):
    url = reverse("admin:commitments_statusupdate_changelist")
    response = superuser_client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert "date__year" in response.content.decode()


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
@pytest.mark.parametrize("selected", ["abc", "", "1.5", HUGE, "1; DROP TABLE x"])
def test_a_bulk_action_on_an_id_that_cannot_exist_is_a_400(
    superuser_client, one_row_each, model, model_admin, selected
):
    before = model._default_manager.count()
    response = superuser_client.post(
        changelist_url(model),
        {"action": "delete_selected", "_selected_action": [selected], "index": "0", "post": "yes"},
    )
    assert response.status_code == 400
    assert "The selection names records that do not exist" in response.content.decode()
    assert model._default_manager.count() == before


def test_a_bulk_action_with_one_bad_id_among_good_ones_changes_nothing(superuser_client, bishkek):
    items = list(ActionItem.objects.order_by("pk").values_list("pk", flat=True)[:2])
    response = superuser_client.post(
        changelist_url(ActionItem),
        {"action": "set_status", "_selected_action": [*map(str, items), "abc"], "index": "0"},
    )
    assert response.status_code == 400


def test_a_bulk_action_on_real_ids_still_asks_for_confirmation(superuser_client, bishkek):
    theme = ThemeFactory(name_ja="未使用", name_en="Unused")
    response = superuser_client.post(
        changelist_url(Theme),
        {"action": "delete_selected", "_selected_action": [str(theme.pk)], "index": "0"},
    )
    assert response.status_code == 200
    assert "Unused" in response.content.decode() or "未使用" in response.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()


ODD_IDS = ["abc", "1.5", "-1", "²", HUGE, "%2500", "_00", "%C0%AE"]


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_an_admin_object_address_with_an_id_that_cannot_exist_never_causes_a_server_error(
    superuser_client, one_row_each, model, model_admin
):
    answers = {}
    for view in ["history", "change", "delete"]:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
        for object_id in ODD_IDS:
            url = reverse(name, args=[MARKER]).replace(MARKER, object_id)
            answers[url] = get_raw(superuser_client, url).status_code
    assert all(status < 500 for status in answers.values()), answers


AUDITED = [
    (model, model_admin)
    for model, model_admin in ADMINS
    if hasattr(model_admin, "history_form_view")
]


@pytest.mark.parametrize(
    ("model", "model_admin"), AUDITED, ids=[model._meta.label_lower for model, _ in AUDITED]
)
@pytest.mark.parametrize(
    ("object_id", "version_id"), [("abc", "1"), ("1", "abc"), ("1.5", "x"), ("²", "1"), ("1", HUGE)]
)
def test_an_old_version_address_with_an_id_that_cannot_exist_is_a_404(
    superuser_client, bishkek, model, model_admin, object_id, version_id
):
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
        args=[object_id, version_id],
    )
    assert superuser_client.get(url, follow=True).status_code == 404


EXPORT = "/admin/commitments/actionitem/export/"


@pytest.mark.parametrize("query", ["format=9", "format=", "format=abc", "nonexistent=1"])
def test_an_export_address_with_a_parameter_the_list_does_not_know_is_a_400(
    superuser_client, bishkek, query
):
    response = superuser_client.get(f"{EXPORT}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.content.decode()


@pytest.mark.parametrize("data", [{"format": "9"}, {"format": "abc"}, {"format": "-1"}])
def test_an_export_form_with_a_bogus_format_is_shown_again(superuser_client, bishkek, data):
    response = superuser_client.post(EXPORT, data)
    assert response.status_code == 200
    assert "format" in response.context["form"].errors


def test_the_export_address_still_takes_the_lists_filters(superuser_client, bishkek):
    response = superuser_client.get(f"{EXPORT}?status__exact=completed")
    assert response.status_code == 200


# The page cache: parameters a page does not read share its one entry.


def page_cache_entries() -> int:
    """Entries in the local-memory page cache (commitments/cache.py keys them "page:…")."""
    return sum(1 for key in cache._cache if ":page:" in key)


@pytest.mark.parametrize(
    "url",
    [
        ja("/"),
        ja("/items/"),
        en("/documents/"),
        ja("/documents/caj-fmm5-2014/"),
        en("/countries/TM/"),
    ],
)
def test_junk_parameters_share_the_pages_one_cache_entry(bishkek, client, url):
    for n in range(50):
        assert get_raw(client, f"{url}?junk{n}={n}&utm_source=x{n}").status_code == 200
    assert page_cache_entries() == 1
    assert client.get(url)["X-Cache"] == "hit"


def test_junk_parameters_do_not_reach_the_cached_page(bishkek, client):
    first = client.get(ja("/items/?country=TM&planted=evil-value"))
    assert "evil-value" not in first.content.decode()
    again = client.get(ja("/items/?country=TM"))
    assert again["X-Cache"] == "hit"
    assert "evil-value" not in again.content.decode()


def test_the_language_switch_on_a_page_with_junk_returns_to_the_page_without_it(bishkek, client):
    html = client.get(ja("/items/?country=TM&utm_source=mail")).content.decode()
    links = re.findall(r'href="(/language/\?[^"]*)"', html)
    assert links
    assert all("country%3DTM" in link and "utm_source" not in link for link in links)
    # Nor do the other-language versions of the page that the page names.
    alternates = re.findall(r'<link rel="alternate" hreflang="[^"]+" href="([^"]+)"', html)
    assert len(alternates) == 3
    assert all("country=TM" in url and "utm_source" not in url for url in alternates)


def test_the_order_of_known_parameters_does_not_matter(bishkek, client):
    first = client.get(ja("/items/?status=completed&country=TM"))
    second = client.get(ja("/items/?country=TM&status=completed"))
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert page_cache_entries() == 1


def test_different_values_of_a_known_parameter_are_different_pages(bishkek, client):
    tm = client.get(ja("/items/?country=TM")).content.decode()
    us = client.get(ja("/items/?country=US")).content.decode()
    assert page_cache_entries() == 2
    assert tm != us


@pytest.mark.parametrize("name", [*ActionItemFilterSet.base_filters, "page"])
def test_the_item_list_caches_each_of_its_filters_separately(bishkek, client, name):
    client.get(ja(f"/items/?{name}=1"))
    client.get(ja(f"/items/?{name}=2"))
    assert page_cache_entries() == 2


def test_the_item_lists_filters_still_apply_for_anonymous_readers(bishkek, client):
    html = client.get(en("/items/?country=US")).content.decode()
    assert "19.6" in html
    assert "25.2" not in html


def test_a_cached_page_must_name_the_parameters_it_reads():
    with pytest.raises(TypeError, match="Name the query parameters"):

        @cached_page
        def page(request):
            raise AssertionError("never called")
