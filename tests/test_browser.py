"""The public site and the admin in a real browser: Debian's Chromium driven by Playwright
against the live server, with the production Content Security Policy switched on."""

import re

import pytest
from django.core.management import call_command

from commitments.models import ActionItem
from tests.browsing import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def bishkek(transactional_db):
    call_command(
        "loaddata",
        "fixtures/01_countries.json",
        "fixtures/02_themes.json",
        "fixtures/10_caj-fmm5-2014.json",
        verbosity=0,
    )


@pytest.fixture
def page(browser, live_server, bishkek):
    """A page in English whose console errors (CSP violations included) are collected."""
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


def test_the_dashboard_shows_progress_by_theme(page, live_server):
    page.goto(live_server.url + "/")
    section = page.locator("section", has=page.get_by_role("heading", name="Progress by theme"))
    rows = section.locator("tbody tr")
    assert rows.count() == 11
    agriculture = section.get_by_role("row", name=re.compile("^Agriculture"))
    assert (
        agriculture.get_by_role("cell").nth(1).inner_text().strip() == "6"
    )  # bar, items, completed
    assert page.console_errors == []


def test_choosing_a_country_narrows_the_list_and_the_url_carries_its_code(page, live_server):
    page.goto(live_server.url + "/items/")
    assert page.get_by_role("heading", name="58 items", exact=True).is_visible()
    page.get_by_role("checkbox", name="Turkmenistan TM").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=TM"))
    expected = ActionItem.objects.filter(owners__code="TM").count()
    heading = f"{expected} items owned by Turkmenistan"
    assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert page.locator("table.items tbody tr:not(.group-row)").count() == expected


def test_the_language_switch_changes_the_page_to_japanese_and_back(page, live_server):
    page.goto(live_server.url + "/items/")
    page.get_by_role("link", name="日本語").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "取組項目"
    assert page.url.endswith("/items/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Action items"


def test_the_statement_opens_at_paragraph_25_with_its_items(page, live_server):
    page.goto(live_server.url + "/documents/caj-fmm5-2014/#p25")
    paragraph = page.locator("#p25")
    paragraph.wait_for()
    box = paragraph.bounding_box()
    assert 0 <= box["y"] < 200, "the browser scrolled paragraph 25 to the top of the window"
    refs = paragraph.locator(".paragraph-items a.ref").all_inner_texts()
    assert refs == ["25.1", "25.2", "25.3", "25.4", "25.5"]
    assert "トルクメニスタン" in paragraph.locator(".original").inner_text()
    assert page.console_errors == []


def test_clicking_a_bar_segment_lands_on_the_matching_filtered_list(page, live_server):
    page.goto(live_server.url + "/")
    section = page.locator("section", has=page.get_by_role("heading", name="Progress by theme"))
    segment = section.locator("a.segment.status-completed").first
    count = int(segment.inner_text())
    assert segment.get_attribute("aria-label") == f"{count} Completed"
    segment.click()
    page.wait_for_url(re.compile(r"/items/\?.*status=completed"))
    assert re.search(r"theme=[a-z-]+", page.url)
    noun = "item" if count == 1 else "items"
    # The heading names the filters after the count: "9 items · Status: Completed · Theme: …".
    heading = page.get_by_role("heading", name=re.compile(rf"^{count} {noun} · Status: Completed"))
    assert heading.is_visible()
    assert page.locator("table.items tbody tr:not(.group-row)").count() == count


def test_the_admin_works_under_the_content_security_policy(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    response = page.goto(live_server.url + "/admin/login/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    item = ActionItem.objects.get(ref="25.2")
    page.goto(f"{live_server.url}/admin/commitments/actionitem/{item.pk}/change/")
    assert page.get_by_role("heading", name=re.compile("Change action item")).is_visible()
    page.goto(f"{live_server.url}/admin/commitments/actionitem/?status__exact=completed")
    assert (
        page.locator("#result_list tbody tr").count()
        == ActionItem.objects.filter(status="completed").count()
    )
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
