"""The admin fits its window: no page scrolls sideways at 1280 px or on a phone (390 px), in
Japanese or English, for each role that can open it. Wide tables scroll inside their own box;
the page itself never does. Screenshots of what was checked go to docs/screenshots/admin/.

One browser and one live server serve the whole module; the shipped 2014 statement is loaded
once (committed, like conftest's `bishkek`), so the tests share it without flushing it."""

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client

from commitments.models import ActionItem, Country, FocalPoint, StatusUpdate
from commitments.roles import EDITORS, FOCAL_POINTS
from tests.test_csv_import import csv_text

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    # Each test's writes (the import preview's staged file) roll back; the live server shares
    # the test's in-memory database connection.
    pytest.mark.django_db,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots" / "admin"
# Long pages (a document with all its paragraphs) are cut here in the screenshots.
SCREENSHOT_MAX_HEIGHT = 2400
HEIGHTS = {1280: 800, 390: 844}
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
    csv: bytes = b""
    users: list = field(default_factory=list)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _busiest_item(country: Country) -> ActionItem:
    """The country's item with the longest timeline (then the longest title)."""
    return (
        ActionItem.objects.filter(owners=country)
        .annotate(n=Count("updates", filter=Q(updates__retracted_at__isnull=True)))
        .order_by("-n", "-title_ja")
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
        update = item.updates.filter(retracted_at__isnull=True).order_by("-date").first()
        assert update is not None, "the shipped data has a status update on a TM item"
        users = {
            SUPERUSER: _user("layout.root", is_superuser=True),
            EDITOR: _user("layout.editor", group=EDITORS),
            FOCAL_POINT: _user("layout.focal", group=FOCAL_POINTS),
        }
        FocalPoint.objects.create(user=users[FOCAL_POINT]).countries.set([turkmenistan])
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
    try:
        yield Site(url=server.url, ids=ids, sessions=sessions, csv=csv_bytes)
    finally:
        server.stop()
        with django_db_blocker.unblock():
            Session.objects.filter(session_key__in=sessions.values()).delete()
            for user in users.values():
                user.delete()  # with their focal point record and staged imports


def _user(username, *, group=None, is_superuser=False):
    from django.contrib.auth import get_user_model

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
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' ' + Math.round(box.right));
    }
  }
  return wide.slice(0, 6);
}"""


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_admin_page_scrolls_sideways(browser, site, settings, language, width, role):
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHTS[width]}, locale=language
    )
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": site.sessions[role], "url": site.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url},
        ]
    )
    page = context.new_page()
    csp_errors = []
    page.on(
        "console",
        lambda msg: msg.type == "error"
        and "Content Security Policy" in msg.text
        and csp_errors.append(msg.text),
    )
    too_wide, measured = [], {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for admin_page in PAGES:
            if role not in admin_page.roles:
                continue
            response = page.goto(site.url + admin_page.path.format(**site.ids))
            assert response.status == 200, f"{admin_page.name}: HTTP {response.status}"
            if admin_page.then:
                admin_page.then(page, site)
            scroll_width, inner_width = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            measured[admin_page.name] = scroll_width
            boxes = page.evaluate(
                "() => [...document.querySelectorAll('.results')].map(e => [e.scrollWidth, e.clientWidth])"
            )
            if boxes:
                print(language, width, role, admin_page.name, "table/box", boxes)
            if scroll_width > inner_width:
                widest = page.evaluate(WIDEST_ELEMENTS)
                too_wide.append(f"{admin_page.name}: {scroll_width} px; {widest}")
            if role == SUPERUSER and (width == 1280 or admin_page.on_phone):
                _screenshot(page, admin_page.name, language, width)
    finally:
        context.close()
    print(f"\n{language} {width} {role}: widest {max(measured.values())} px", measured)
    assert too_wide == [], f"pages wider than {width} px:\n" + "\n".join(too_wide)
    assert csp_errors == []


def _screenshot(page, name, language, width):
    suffix = "-phone" if width < 1000 else ""
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_MAX_HEIGHT)
    page.screenshot(
        path=SCREENSHOTS / f"{name}-{language}{suffix}.png",
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )
