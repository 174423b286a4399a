"""Requests nobody's browser would send: odd addresses on every public page, markup in a feed,
hand-edited admin addresses and forms, and junk parameters aimed at the page cache. Each is
answered with a 4xx (or a normal page) that says what is wrong, never a server error, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commitments.cache import cached_page
from commitments.choices import Status
from commitments.filters import ActionItemFilterSet
from commitments.models import ActionItem, Theme
from commitments.services import item_set_status

from .factories import ThemeFactory

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "The address contains a NUL character"


def get_raw(client, raw: str, **extra):
    """GET `raw` (path and query as on the wire) the way a WSGI server hands it to Django:
    the path percent-decoded to bytes, both as latin-1 text. The test client's own parsing
    would read `//` as the start of a host name. A redirect is followed once."""
    path, _sep, query = raw.partition("?")
    environ = {
        "PATH_INFO": unquote_to_bytes(path).decode("iso-8859-1"),
        "QUERY_STRING": query.encode().decode("iso-8859-1"),
    }
    response = client.get(raw, **environ, **extra)
    if response.status_code in (301, 302):
        response = client.get(response["Location"], **extra)
    return response


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


def odd_addresses(odd: str) -> list[str]:
    """Every public address with `odd` in each of its path arguments in turn, or as an extra
    path segment where it has none."""
    addresses = []
    for name in public_url_names():
        kwargs = SAMPLE_KWARGS.get(name, {})
        for argument in kwargs:
            url = reverse(name, kwargs={**kwargs, argument: MARKER})
            addresses.append(url.replace(MARKER, odd))
        if not kwargs:
            url = reverse(name)
            addresses.append(f"{url}{odd}/" if url.endswith("/") else f"{url}/{odd}")
    return addresses


def test_every_public_address_with_path_arguments_has_sample_values():
    for name in public_url_names():
        pattern = get_resolver().resolve(reverse(name, kwargs=SAMPLE_KWARGS.get(name)))
        assert set(pattern.kwargs) == set(SAMPLE_KWARGS.get(name, {})), name


@pytest.mark.parametrize("odd", ODD_SEGMENTS.values(), ids=ODD_SEGMENTS.keys())
def test_an_odd_path_on_any_public_page_is_a_400_or_404(bishkek, client, odd):
    answers = {url: get_raw(client, url).status_code for url in odd_addresses(odd)}
    assert set(answers.values()) <= {400, 404}, answers


@pytest.mark.parametrize("odd", [ODD_SEGMENTS[name] for name in NUL_SEGMENTS])
def test_a_nul_in_any_public_path_is_a_400_that_says_so(bishkek, client, odd):
    client.cookies["django_language"] = "en"
    for url in odd_addresses(odd):
        response = get_raw(client, url)
        assert response.status_code == 400, url
        assert NUL_MESSAGE in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/countries/%00/",
        "/documents/caj-fmm5-2014/items/%00/",
        "/feeds/updates/countries/%00/",
        "/feeds/updates/themes/%00/",
        "/countries/%2500/",
    ],
)
def test_the_nul_answer_is_translated(bishkek, client, url):
    client.cookies["django_language"] = "ja"
    response = get_raw(client, url)
    assert response.status_code == 400
    assert "NUL文字" in response.content.decode()


@pytest.mark.parametrize("odd", ODD_SEGMENTS.values(), ids=ODD_SEGMENTS.keys())
def test_odd_query_parameters_on_any_public_page_never_cause_a_server_error(bishkek, client, odd):
    answers = {}
    for name in public_url_names():
        url = reverse(name, kwargs=SAMPLE_KWARGS.get(name))
        for query in [f"?country={odd}&page={odd}", f"?{odd}={odd}"]:
            answers[url + query] = get_raw(client, url + query).status_code
    # 204 and 302: the language switches answer a GET that way.
    assert set(answers.values()) <= {200, 204, 302, 400, 404}, answers
    nul = [status for url, status in answers.items() if "%00" in url]
    assert set(nul) <= {400}


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language"])
def test_a_cookie_spelling_nul_is_a_400_not_a_server_error(bishkek, client, cookie):
    # Cookie: sessionid="\000\000…" is plain ASCII on the wire; Django unquotes it to NULs,
    # and the session is looked up in the database on every page.
    client.cookies[cookie] = "\x00" * 40
    response = client.get("/items/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


# The Atom feed: notes and sources are text, and the feed has an author.

ATOM = "{http://www.w3.org/2005/Atom}"
MARKUP_NOTE = "<b>x</b> & <script>alert(1)</script>"
SOURCE_WITH_AMPERSAND = "https://www.mofa.go.jp/mofaj/press/release?id=1&lang=en"


def feed_root(client, url="/feeds/updates/"):
    client.cookies["django_language"] = "en"
    response = client.get(url)
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
    ["/", "/items/", "/documents/", "/documents/caj-fmm5-2014/", "/countries/TM/"],
)
def test_junk_parameters_share_the_pages_one_cache_entry(bishkek, client, url):
    for n in range(50):
        assert get_raw(client, f"{url}?junk{n}={n}&utm_source=x{n}").status_code == 200
    assert page_cache_entries() == 1
    assert client.get(url)["X-Cache"] == "hit"


def test_junk_parameters_do_not_reach_the_cached_page(bishkek, client):
    first = client.get("/items/?country=TM&planted=evil-value")
    assert "evil-value" not in first.content.decode()
    again = client.get("/items/?country=TM")
    assert again["X-Cache"] == "hit"
    assert "evil-value" not in again.content.decode()


def test_the_language_switch_on_a_page_with_junk_returns_to_the_page_without_it(bishkek, client):
    html = client.get("/items/?country=TM&utm_source=mail").content.decode()
    links = re.findall(r'href="(/language/\?[^"]*)"', html)
    assert links
    assert all("country%3DTM" in link and "utm_source" not in link for link in links)


def test_the_order_of_known_parameters_does_not_matter(bishkek, client):
    first = client.get("/items/?status=completed&country=TM")
    second = client.get("/items/?country=TM&status=completed")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert page_cache_entries() == 1


def test_different_values_of_a_known_parameter_are_different_pages(bishkek, client):
    tm = client.get("/items/?country=TM").content.decode()
    us = client.get("/items/?country=US").content.decode()
    assert page_cache_entries() == 2
    assert tm != us


@pytest.mark.parametrize("name", [*ActionItemFilterSet.base_filters, "page"])
def test_the_item_list_caches_each_of_its_filters_separately(bishkek, client, name):
    client.get(f"/items/?{name}=1")
    client.get(f"/items/?{name}=2")
    assert page_cache_entries() == 2


def test_the_item_lists_filters_still_apply_for_anonymous_readers(bishkek, client):
    html = client.get("/items/?country=US").content.decode()
    assert "19.6" in html
    assert "25.2" not in html


def test_a_cached_page_must_name_the_parameters_it_reads():
    with pytest.raises(TypeError, match="Name the query parameters"):

        @cached_page
        def page(request):
            raise AssertionError("never called")
