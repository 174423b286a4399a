"""Two people at work on the same record, and the public pages that must follow their work.

Optimistic locking (ActionItemAdminForm): the item's version travels with its form; a save
from a form opened before someone else's save is refused with a message naming them, so no
edit is silently overwritten. Adding a status update is never refused for being stale: it
overwrites nothing.

Page cache (commitments/cache.py): public pages are cached under the data version, which
every change bumps, so the next request after a change renders fresh data.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from commitments.choices import DuePrecision, Status
from commitments.models import DataVersion, StatusUpdate
from commitments.services import item_set_status

from .factories import ActionItemFactory, CountryFactory, ParagraphFactory
from .test_admin import form_data
from .urls import en

pytestmark = pytest.mark.django_db

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
ORIGINAL_TITLE = "Hold the sixth Foreign Ministers' Meeting"


@pytest.fixture
def item(turkmenistan):
    return ActionItemFactory(
        paragraph=ParagraphFactory(number=25),
        ref="25.2",
        title_en=ORIGINAL_TITLE,
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
        owners=[turkmenistan],
    )


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def aigul(editor) -> Client:
    """User A: editor.aigul."""
    return signed_in(editor)


@pytest.fixture
def nurlan(role_editor) -> Client:
    """User B: editor.nurlan."""
    return signed_in(role_editor)


def change_url(item) -> str:
    return reverse("admin:commitments_actionitem_change", args=[item.pk])


def open_form(client: Client, item) -> dict:
    """GET the item's page and keep what the browser would send back, version included."""
    page = client.get(change_url(item))
    assert page.status_code == 200
    return form_data(page, "actionitem_form")


def save(client: Client, item, form: dict, **changes: str):
    data = dict(form)
    data |= {name: [value] for name, value in changes.items()}
    data["_save"] = ["Save"]
    return client.post(change_url(item), data)


def with_new_update(form: dict, **fields: str) -> dict:
    data = dict(form)
    index = int(data["updates-TOTAL_FORMS"][0])
    data["updates-TOTAL_FORMS"] = [str(index + 1)]
    for name, value in fields.items():
        data[f"updates-{index}-{name}"] = [value]
    return data


def form_errors(response) -> list[str]:
    assert response.status_code == 200, "the save was accepted"
    return list(response.context["adminform"].form.non_field_errors())


# Optimistic locking.


def test_each_form_carries_the_version_it_was_opened_at(aigul, item):
    assert open_form(aigul, item)["expected_version"] == ["1"]


def test_a_saved_edit_moves_the_version_up(aigul, item):
    response = save(aigul, item, open_form(aigul, item), title_en="Hold the sixth meeting in Tokyo")

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title_en, item.version) == ("Hold the sixth meeting in Tokyo", 2)
    assert open_form(aigul, item)["expected_version"] == ["2"]


def test_a_save_from_a_stale_form_is_refused_naming_who_saved_first(aigul, nurlan, item):
    form_a = open_form(aigul, item)
    form_b = open_form(nurlan, item)
    assert save(aigul, item, form_a, title_en="Hold the sixth meeting in Tokyo").status_code == 302

    response = save(nurlan, item, form_b, due_text="2016年")

    (error,) = form_errors(response)
    assert "editor.aigul" in error
    assert "Reload the page" in error
    item.refresh_from_db()
    assert (item.title_en, item.due_text, item.version) == (
        "Hold the sixth meeting in Tokyo",
        "",
        2,
    )


def test_after_reloading_the_second_editor_can_save(aigul, nurlan, item):
    form_b = open_form(nurlan, item)
    save(aigul, item, open_form(aigul, item), title_en="Hold the sixth meeting in Tokyo")
    assert save(nurlan, item, form_b, due_text="2016年").status_code == 200

    response = save(nurlan, item, open_form(nurlan, item), due_text="2016年")

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title_en, item.due_text, item.version) == (
        "Hold the sixth meeting in Tokyo",
        "2016年",
        3,
    )


def test_a_stale_form_that_only_adds_a_status_update_is_accepted(aigul, nurlan, item):
    form_b = open_form(nurlan, item)
    # A edits the item twice and ends where B's form started: B's form is stale, yet saving
    # it overwrites nothing.
    save(aigul, item, open_form(aigul, item), title_en="Hold the sixth meeting in Tokyo")
    assert save(aigul, item, open_form(aigul, item), title_en=ORIGINAL_TITLE).status_code == 302
    item.refresh_from_db()
    assert item.version == 3

    data = with_new_update(form_b, date="2015-06-01", status=Status.IN_PROGRESS, source_url=SOURCE)
    response = save(nurlan, item, data)

    assert response.status_code == 302
    update = StatusUpdate.objects.get(item=item)
    assert (update.status, update.recorded_by.username) == ("in_progress", "editor.nurlan")
    item.refresh_from_db()
    assert (item.status, item.title_en, item.version) == ("in_progress", ORIGINAL_TITLE, 3)


def test_a_stale_form_with_an_edit_and_a_status_update_saves_neither(aigul, nurlan, item):
    form_b = open_form(nurlan, item)
    save(aigul, item, open_form(aigul, item), title_en="Hold the sixth meeting in Tokyo")

    data = with_new_update(form_b, date="2015-06-01", status=Status.IN_PROGRESS, source_url=SOURCE)
    response = save(nurlan, item, data, due_text="2016年")

    assert len(form_errors(response)) == 1
    assert not StatusUpdate.objects.exists()
    item.refresh_from_db()
    assert (item.status, item.due_text) == ("not_assessed", "")


def test_an_import_between_opening_and_saving_makes_the_form_stale(tmp_path, editor, nurlan, item):
    form_b = open_form(nurlan, item)
    row = {
        "document": item.document.slug,
        "ref": "25.2",
        "paragraph": "25",
        "kind": item.kind,
        "title_ja": item.title_ja,
        "title_en": "Hold the sixth meeting in Tokyo",
        "owners": "TM",
        "theme": item.theme.slug,
        "due_date": "2016-12-31",
        "due_precision": "year",
    }
    path = tmp_path / "items.csv"
    path.write_text(",".join(row) + "\r\n" + ",".join(row.values()) + "\r\n", encoding="utf-8")
    # The command runs in the site's default language, as it does from a shell.
    with translation.override(settings.LANGUAGE_CODE):
        call_command("import_items", str(path), "--user", editor.username, stdout=io.StringIO())
    item.refresh_from_db()
    assert (item.title_en, item.version) == ("Hold the sixth meeting in Tokyo", 2)

    response = save(nurlan, item, form_b, due_text="2016年")

    (error,) = form_errors(response)
    assert "editor.aigul" in error
    item.refresh_from_db()
    assert (item.title_en, item.due_text) == ("Hold the sixth meeting in Tokyo", "")


def test_a_status_update_does_not_make_an_open_form_stale(aigul, nurlan, item):
    form_b = open_form(nurlan, item)
    add_update = with_new_update(
        open_form(aigul, item), date="2015-06-01", status=Status.IN_PROGRESS, source_url=SOURCE
    )
    assert save(aigul, item, add_update).status_code == 302

    response = save(nurlan, item, form_b, due_text="2016年")

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.due_text) == ("in_progress", "2016年")


# The public page cache.


def status_counts(response) -> dict[str, int]:
    """The dashboard's overall count per status, read from the page by the status's class."""
    html = response.content.decode()
    summary = html[html.index('<dl class="status-counts">') :]
    summary = summary[: summary.index("</dl>")]
    pairs = re.findall(r'class="swatch status-([a-z-]+)".*?<dd>(\d+)</dd>', summary, re.S)
    return {status: int(count) for status, count in pairs}


def current_data_version() -> int:
    return DataVersion.objects.get(pk=1).version


def test_the_dashboard_shows_a_new_status_at_once_though_it_is_cached(client, item):
    ActionItemFactory(paragraph=item.paragraph, ref="25.3")
    first = client.get(reverse("commitments:dashboard"))
    assert first.status_code == 200
    assert "X-Cache" not in first
    assert status_counts(first)["completed"] == 0
    assert status_counts(first)["not-assessed"] == 2
    second = client.get(reverse("commitments:dashboard"))
    assert second["X-Cache"] == "hit"  # so the next answer could have been stale
    version_before = current_data_version()

    item_set_status(
        item=item, status=Status.COMPLETED, date=datetime.date(2016, 5, 1), source_url=SOURCE
    )
    third = client.get(reverse("commitments:dashboard"))

    assert "X-Cache" not in third
    assert status_counts(third)["completed"] == 1
    assert status_counts(third)["not-assessed"] == 1
    assert current_data_version() > version_before


def test_a_country_page_shows_a_new_owner_at_once_though_it_is_cached(client, item):
    kazakhstan = CountryFactory(code="KZ")
    other = ActionItemFactory(paragraph=item.paragraph, ref="25.3", owners=[kazakhstan])
    url = reverse("commitments:country-detail", args=["TM"])
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"

    other.owners.add(item.owners.get())  # now owned by TM as well
    response = client.get(url)

    assert "X-Cache" not in response
    assert response.context["item_count"] == 2


def test_an_item_page_shows_an_admin_edit_at_once_though_it_is_cached(client, aigul, item):
    url = en(item.get_absolute_url())
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"

    save(aigul, item, open_form(aigul, item), title_en="Hold the sixth meeting in Tokyo")
    response = client.get(url)

    assert "X-Cache" not in response
    assert "Hold the sixth meeting in Tokyo" in response.content.decode()


def test_signed_in_staff_never_get_a_cached_page(client, aigul, item):
    client.get(reverse("commitments:dashboard"))
    assert client.get(reverse("commitments:dashboard"))["X-Cache"] == "hit"

    assert "X-Cache" not in aigul.get(reverse("commitments:dashboard"))


def test_the_dashboard_follows_changes_even_after_the_data_version_row_was_lost(client, item):
    DataVersion.objects.all().delete()
    assert status_counts(client.get(reverse("commitments:dashboard")))["completed"] == 0

    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        source_url="https://example.org/test-source",
    )

    assert status_counts(client.get(reverse("commitments:dashboard")))["completed"] == 1
