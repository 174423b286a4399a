"""The admin fits its window: no page scrolls sideways at 1280 px or on a phone (390 px), in
Japanese or English, for each role that can open it. Wide tables scroll inside their own box;
the page itself never does. Screenshots of what was checked go to a temporary folder, or to
$SCREENSHOTS_DIR/admin/ when it is set (conftest's `screenshots`).

One browser and one live server serve the whole module; the shipped 2014 statement is loaded
once (committed, like conftest's `bishkek`), so the tests share it without flushing it."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.test import Client

from commitments.choices import Status
from commitments.dates import today
from commitments.models import ActionItem, Country, FocalPoint
from commitments.roles import EDITORS, FOCAL_POINTS
from commitments.services import item_set_status
from tests.browsing import needs_chromium
from tests.test_csv_import import csv_text

pytestmark = [
    pytest.mark.browser,
    # Each test's writes (the import preview's staged file) roll back; the live server shares
    # the test's in-memory database connection.
    pytest.mark.django_db,
    needs_chromium,
]
# Long pages (a document with all its paragraphs) are cut here in the screenshots.
SCREENSHOT_MAX_HEIGHT = 2400
HEIGHTS = {1280: 800, 390: 844}

SUPERUSER, EDITOR, FOCAL_POINT = "superuser", "editor", "focal_point"
ALL_ROLES = (SUPERUSER, EDITOR, FOCAL_POINT)


# What a page does once loaded, before it is measured.


def open_an_empty_update_row(page, site):
    """The item page as someone about to record an update: the empty row is opened."""
    page.locator("#updates-group .add-row a").click()
    page.locator("#updates-group .dynamic-updates").last.wait_for()


def upload_a_file_that_changes_one_title(page, site):
    page.locator("input[type=file]").set_input_files(
        {"name": "items.csv", "mimeType": "text/csv", "buffer": site.csv}
    )
    with page.expect_navigation():
        page.locator("input[type=submit].default").click()
    page.locator(".import-preview").wait_for()


@dataclass
class AdminPage:
    name: str
    path: str  # formatted with site.ids
    roles: tuple = ALL_ROLES
    then: Callable | None = None
    on_phone: bool = False  # a phone screenshot is kept too
    phone_shot_from: str = ""  # the phone screenshot starts at this element, if given


PAGES = [
    AdminPage("index", "/admin/", on_phone=True),
    AdminPage("country-list", "/admin/commitments/country/"),
    AdminPage("theme-list", "/admin/commitments/theme/"),
    AdminPage("document-list", "/admin/commitments/document/"),
    AdminPage("paragraph-list", "/admin/commitments/paragraph/"),
    AdminPage("item-list", "/admin/commitments/actionitem/", on_phone=True),
    AdminPage(
        "item-list-filtered",
        "/admin/commitments/actionitem/?document__id__exact={document}&owners__id__exact={country}",
    ),
    AdminPage("update-list", "/admin/commitments/statusupdate/", on_phone=True),
    AdminPage("user-list", "/admin/auth/user/", roles=(SUPERUSER,)),
    AdminPage("group-list", "/admin/auth/group/", roles=(SUPERUSER,)),
    AdminPage(
        "item",
        "/admin/commitments/actionitem/{item}/change/",
        then=open_an_empty_update_row,
        on_phone=True,
        phone_shot_from="#updates-group",
    ),
    AdminPage("item-history", "/admin/commitments/actionitem/{item}/history/"),
    AdminPage("paragraph", "/admin/commitments/paragraph/{paragraph}/change/"),
    AdminPage("document", "/admin/commitments/document/{document}/change/"),
    AdminPage("import", "/admin/commitments/actionitem/import/", roles=(SUPERUSER, EDITOR)),
    AdminPage(
        "import-preview",
        "/admin/commitments/actionitem/import/",
        roles=(SUPERUSER, EDITOR),
        then=upload_a_file_that_changes_one_title,
        on_phone=True,
    ),
    AdminPage("queue", "/admin/commitments/actionitem/queue/", on_phone=True),
    AdminPage("record-update", "/admin/commitments/actionitem/{item}/record-update/"),
    AdminPage("correct-update", "/admin/commitments/statusupdate/{update}/correct/"),
]


@dataclass
class Site:
    url: str
    ids: dict
    sessions: dict  # role → session key
    csv: bytes


def _busiest_item(country: Country) -> ActionItem:
    """The country's item with the longest timeline (then the longest title)."""
    return (
        ActionItem.objects.filter(owners=country)
        .annotate(n=Count("updates", filter=Q(updates__retracted_at__isnull=True)))
        .order_by("-n", Length("title_en").desc())
        .first()
    )


def _import_file(item: ActionItem, tmp_path) -> bytes:
    """Three exported rows, the first with a changed English title."""
    path = tmp_path / "export.csv"
    call_command("export_items", "--document", item.document.slug, "-o", str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    rows = [row for row in rows if row["ref"] == item.ref] + rows[:2]
    rows[0]["title_en"] = rows[0]["title_en"] + " (a longer title, to see how a change wraps)"
    return csv_text(rows).encode("utf-8-sig")


@pytest.fixture(scope="module")
def site(bishkek, django_db_blocker, tmp_path_factory):
    """A live server of its own (pytest-django's would flush the module's data after every
    test), the three roles signed in, and the records the pages show."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        turkmenistan = Country.objects.get(code="TM")
        item = _busiest_item(turkmenistan)
        users = {
            SUPERUSER: _user("layout.root", is_superuser=True),
            EDITOR: _user("layout.editor", group=EDITORS),
            FOCAL_POINT: _user("layout.focal", group=FOCAL_POINTS),
        }
        FocalPoint.objects.create(user=users[FOCAL_POINT]).countries.set([turkmenistan])
        # A focal point may correct only their own country's updates: record one to correct.
        update = item_set_status(
            item=item,
            status=Status.IN_PROGRESS,
            date=today(),
            source_url="https://www.mfa.gov.tm/en/news/0000",
            note_en="Turkmenistan's own update, recorded by its focal point.",
            country=turkmenistan,
            user=users[FOCAL_POINT],
        )
        sessions = {}
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        ids = {
            "item": item.pk,
            "paragraph": item.paragraph_id,
            "document": item.document_id,
            "update": update.pk,
            "country": turkmenistan.pk,
        }
        csv_bytes = _import_file(item, tmp_path_factory.mktemp("admin-layout"))

    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()  # ALLOWED_HOSTS gains "localhost"
    try:
        yield Site(url=server.url, ids=ids, sessions=sessions, csv=csv_bytes)
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        with django_db_blocker.unblock():
            Session.objects.filter(session_key__in=sessions.values()).delete()
            for user in users.values():
                user.delete()  # with their focal point record and staged imports


def _user(username, *, group=None, is_superuser=False):
    user = get_user_model().objects.create_user(
        username=username, is_staff=True, is_superuser=is_superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


WIDEST_ELEMENTS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.split(/\\s+/).join('.') : '') + ' ' + Math.round(box.right));
    }
  }
  return wide.slice(0, 6);
}"""
MEASURE = """() => ({
  page: document.documentElement.scrollWidth,
  window: window.innerWidth,
  changelist: [...document.querySelectorAll('#changelist .results')].map(
    box => [box.scrollWidth, box.clientWidth]),
  stylesheets: document.querySelectorAll('link[href*="commitments/admin.css"]').length,
})"""


@pytest.fixture(scope="module")
def signed_in(browser, site):
    """One page per role for the whole module; each test changes only its window and language."""
    pages, contexts = {}, []
    for role, session_key in site.sessions.items():
        context = browser.new_context()
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": site.url}]
        )
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda msg, page=page: (
                msg.type == "error"
                and "Content Security Policy" in msg.text
                and page.csp_errors.append(f"{page.url}: {msg.text}")
            ),
        )
        pages[role] = page
        contexts.append(context)
    yield pages
    for context in contexts:
        context.close()


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_admin_page_scrolls_sideways(signed_in, site, screenshots, language, width, role):
    page = signed_in[role]
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url}]
    )
    page.csp_errors.clear()
    folder = screenshots / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for admin_page in PAGES:
        if role not in admin_page.roles:
            continue
        response = page.goto(site.url + admin_page.path.format(**site.ids))
        assert response.status == 200, f"{admin_page.name}: HTTP {response.status}"
        assert page.locator("html").get_attribute("lang") == language
        if admin_page.then:
            admin_page.then(page, site)
        measured = page.evaluate(MEASURE)
        if measured["page"] > measured["window"]:
            widest = page.evaluate(WIDEST_ELEMENTS)
            problems.append(f"{admin_page.name} is {measured['page']} px wide: {widest}")
        # At desktop width every column of a list is on screen, beside the filters; on a
        # phone a list may scroll inside its own box.
        for table, box in measured["changelist"]:
            if width >= 1280 and table > box:
                problems.append(f"{admin_page.name}: its list is {table} px in a {box} px box")
        if measured["stylesheets"] != 1:
            problems.append(f"{admin_page.name} links admin.css {measured['stylesheets']} times")
        if role == SUPERUSER and (width >= 1280 or admin_page.on_phone):
            _screenshot(page, folder, admin_page, language, width)
    assert problems == [], f"at {width} px:\n" + "\n".join(problems)
    assert page.csp_errors == []


def _screenshot(page, folder, admin_page, language, width):
    phone = width < 1000
    top = 0
    if phone and admin_page.phone_shot_from:
        top = page.locator(admin_page.phone_shot_from).evaluate(
            "element => element.getBoundingClientRect().top + window.scrollY"
        )
    full_height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(
        path=folder / f"{admin_page.name}-{language}{'-phone' if phone else ''}.png",
        full_page=True,
        clip={
            "x": 0,
            "y": top,
            "width": width,
            "height": min(full_height - top, SCREENSHOT_MAX_HEIGHT),
        },
    )
