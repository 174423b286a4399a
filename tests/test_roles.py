"""Who may do what in the admin: the three staff roles (commitments/roles.py), staff without a
role, signed-in users who are not staff, and the anonymous public.

The matrix below is the specification, written by hand from the roles' description:

* focal points see everything, change only items one of their countries owns, and only by
  adding status updates; they export; nothing else;
* editors edit documents, paragraphs, items and updates, import and export, manage no users,
  and may not delete records that carry status updates;
* administrators may do everything.

Forms are posted as a browser would send them: rendered first, then filled in (the form
reader is the one tests/test_admin.py uses).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from commitments.choices import DuePrecision, Kind, Status
from commitments.errors import permission_denied
from commitments.models import ActionItem, StatusUpdate
from commitments.roles import ADMINISTRATORS, EDITORS, FOCAL_POINTS
from commitments.services import item_set_status

from .conftest import PASSWORD
from .factories import ActionItemFactory, CountryFactory, ParagraphFactory
from .test_admin import form_data
from .test_setup import changed_tables, snapshot
from .urls import ja

pytestmark = pytest.mark.django_db

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
LOGIN = "sent to sign in"
# Answered with the list again and a message saying why, nothing written (an admin action
# that refuses redirects back to the list).
REFUSED = "sent back to the list, refused"
IMPORT_URL = "/admin/commitments/actionitem/import/"
CONFIRM_IMPORT_URL = "/admin/commitments/actionitem/import/confirm/"
EXPORT_URL = "/admin/commitments/actionitem/export/"


# Who is asking.


@pytest.fixture
def plain_staff(django_user_model):
    """Staff with no group and no permission: the admin opens, but shows them nothing."""
    return django_user_model.objects.create_user(
        username="staff.without.role", password="not-a-real-password", is_staff=True
    )


def sign_in(request, client: Client, role: str) -> Client:
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.fixture
def browser(admin_user) -> Client:
    """A superuser's browser: renders the forms that a forged request would copy."""
    superuser_client = Client()
    superuser_client.force_login(admin_user)
    return superuser_client


# What they ask about.


@pytest.fixture
def kazakhstan(db):
    return CountryFactory(code="KZ")


@pytest.fixture
def paragraph():
    return ParagraphFactory(number=25)


@pytest.fixture
def tm_item(turkmenistan, paragraph):
    """Owned by Turkmenistan, with a deadline and no status update yet."""
    return ActionItemFactory(
        paragraph=paragraph,
        ref="25.2",
        title_en="Hold the sixth Foreign Ministers' Meeting",
        due_date=datetime.date(2016, 12, 31),
        due_precision=DuePrecision.YEAR,
        owners=[turkmenistan],
    )


@pytest.fixture
def kz_item(kazakhstan, paragraph):
    """Owned by Kazakhstan only."""
    return ActionItemFactory(
        paragraph=paragraph, ref="25.3", title_en="Open a trade office", owners=[kazakhstan]
    )


@pytest.fixture
def item_with_update(tm_item):
    item_set_status(
        item=tm_item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 6, 1),
        source_url="https://example.org/test-source",
    )
    return tm_item


def changelist_url() -> str:
    return reverse("admin:commitments_actionitem_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj) -> str:
    return reverse(f"admin:commitments_{obj._meta.model_name}_delete", args=[obj.pk])


def add_new_update(data: dict, **fields: str) -> dict:
    """Fill in one more row of the item page's status-update inline, then press Save."""
    index = int(data["updates-TOTAL_FORMS"][0])
    data["updates-TOTAL_FORMS"] = [str(index + 1)]
    for name, value in fields.items():
        data[f"updates-{index}-{name}"] = [value]
    data["_save"] = ["Save"]
    return data


def new_update_fields(**changes: str) -> dict[str, str]:
    return {
        "date": "2015-06-01",
        "status": Status.IN_PROGRESS,
        "note_en": "Preparations announced.",
        "source_url": SOURCE,
        **changes,
    }


def format_value(page, label: str) -> str:
    """The value of the import/export page's file format option with this label."""
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', page.content.decode())
    return next(value for value, text in options if text.strip() == label)


def export_data(page) -> dict:
    """The export form with CSV chosen and every column ticked, as the page offers it."""
    html = page.content.decode()
    data = {"format": format_value(page, "csv"), "resource": "0"}
    data |= {name: "on" for name in re.findall(r'name="(actionitemresource_[a-z_]+)"', html)}
    return data


def db_state() -> tuple:
    """What the tracker holds, in a form two moments can be compared by."""
    items = sorted(
        ActionItem.objects.values_list(
            "ref", "title_en", "status", "status_date", "due_date", "version"
        )
    )
    owners = sorted(
        ActionItem.owners.through.objects.values_list("actionitem__ref", "country__code")
    )
    updates = sorted(StatusUpdate.objects.values_list("item__ref", "status", "date"))
    return items, owners, updates


# The matrix.


@dataclass
class Scene:
    client: Client  # signed in as the role under test (or not signed in)
    browser: Client  # a superuser's, to render what a forger would copy
    item: ActionItem  # owned by Turkmenistan, no updates
    other: ActionItem  # owned by Kazakhstan only, no updates


def open_the_item_list(s: Scene):
    return s.client.get(changelist_url())


def open_an_items_page(s: Scene):
    return s.client.get(change_url(s.item))


def owner_update_fields(item) -> dict[str, str]:
    """A new update that speaks for the item's (only) owner, as a focal point's must."""
    return new_update_fields(country=str(item.owners.get().pk))


def save_an_items_page_with_a_new_status_update(s: Scene):
    data = form_data(s.browser.get(change_url(s.item)), "actionitem_form")
    return s.client.post(change_url(s.item), add_new_update(data, **owner_update_fields(s.item)))


def save_another_countrys_item_page_with_a_new_status_update(s: Scene):
    data = form_data(s.browser.get(change_url(s.other)), "actionitem_form")
    return s.client.post(change_url(s.other), add_new_update(data, **owner_update_fields(s.other)))


def open_the_add_page(s: Scene):
    return s.client.get(reverse("admin:commitments_actionitem_add"))


def add_an_item(s: Scene):
    page = s.browser.get(reverse("admin:commitments_actionitem_add"))
    data = form_data(page, "actionitem_form") | {
        "paragraph": [str(s.item.paragraph_id)],
        "ref": ["25.9"],
        "kind": [Kind.COMMITMENT],
        "theme": [str(s.item.theme_id)],
        "title_ja": ["新しい取組"],
        "owners": [str(s.item.owners.get().pk)],
        "_save": ["Save"],
    }
    return s.client.post(reverse("admin:commitments_actionitem_add"), data)


def open_the_delete_page(s: Scene):
    return s.client.get(delete_url(s.item))


def delete_an_item(s: Scene):
    return s.client.post(delete_url(s.item), {"post": "yes"})


def ask_for_the_bulk_status_form(s: Scene):
    return s.client.post(
        changelist_url(), {"action": "set_status", "_selected_action": [s.item.pk]}
    )


def apply_the_bulk_status_action(s: Scene):
    return s.client.post(
        changelist_url(),
        {
            "action": "set_status",
            "_selected_action": [s.item.pk],
            "status": Status.ONGOING,
            "date": "2016-05-01",
            "source_url": SOURCE,
            "apply": "Record status",
        },
    )


def forge_a_status_in_the_list(s: Scene):
    """The list no longer edits statuses (a status needs its source): a forged post of the
    old status column must write nothing, for anyone."""
    data = form_data(s.browser.get(changelist_url()), "changelist-form")
    data |= {
        "form-TOTAL_FORMS": ["1"],
        "form-INITIAL_FORMS": ["1"],
        "form-0-id": [str(s.item.pk)],
        "form-0-status": [Status.COMPLETED],
        "_save": ["Save"],
    }
    data.pop("action", None)
    return s.client.post(changelist_url(), data)


def open_the_import_page(s: Scene):
    return s.client.get(IMPORT_URL)


def open_the_export_page(s: Scene):
    return s.client.get(EXPORT_URL)


def download_an_export(s: Scene):
    return s.client.post(EXPORT_URL, export_data(s.browser.get(EXPORT_URL)))


def open_the_items_history(s: Scene):
    return s.client.get(reverse("admin:commitments_actionitem_history", args=[s.item.pk]))


ROLES = ["focal_point", "role_editor", "administrator", "plain_staff", "outsider", "anonymous"]

# fmt: off
MATRIX: list[tuple[Callable, bool, tuple]] = [
    # what is done,                              writes, focal pt, editor, admin, staff, outsider, anonymous
    (open_the_item_list,                          False, (200,   200,   200,   403,   LOGIN, LOGIN)),
    (open_an_items_page,                          False, (200,   200,   200,   403,   LOGIN, LOGIN)),
    (save_an_items_page_with_a_new_status_update, True,  (302,   302,   302,   403,   LOGIN, LOGIN)),
    (save_another_countrys_item_page_with_a_new_status_update,
                                                  True,  (403,   302,   302,   403,   LOGIN, LOGIN)),
    (open_the_add_page,                           False, (403,   200,   200,   403,   LOGIN, LOGIN)),
    (add_an_item,                                 True,  (403,   302,   302,   403,   LOGIN, LOGIN)),
    (open_the_delete_page,                        False, (403,   200,   200,   403,   LOGIN, LOGIN)),
    (delete_an_item,                              True,  (403,   302,   302,   403,   LOGIN, LOGIN)),
    # A bulk status speaks for whole items: focal points speak for their own country only.
    (ask_for_the_bulk_status_form,                False, (REFUSED, 200, 200,   403,   LOGIN, LOGIN)),
    (apply_the_bulk_status_action,                True,  (REFUSED, 302, 302,   403,   LOGIN, LOGIN)),
    (forge_a_status_in_the_list,                  False, (200,   200,   200,   403,   LOGIN, LOGIN)),
    (open_the_import_page,                        False, (403,   200,   200,   403,   LOGIN, LOGIN)),
    (open_the_export_page,                        False, (200,   200,   200,   403,   LOGIN, LOGIN)),
    (download_an_export,                          False, (200,   200,   200,   403,   LOGIN, LOGIN)),
    (open_the_items_history,                      False, (200,   200,   200,   403,   LOGIN, LOGIN)),
]
# fmt: on

CASES = [
    pytest.param(action, writes, role, expected, id=f"{role}-{action.__name__}")
    for action, writes, outcomes in MATRIX
    for role, expected in zip(ROLES, outcomes, strict=True)
]


@pytest.mark.parametrize(("action", "writes", "role", "expected"), CASES)
def test_the_role_matrix(
    request, client, browser, tm_item, kz_item, action, writes, role, expected
):
    scene = Scene(
        client=sign_in(request, client, role), browser=browser, item=tm_item, other=kz_item
    )
    before = db_state()

    response = action(scene)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
    elif expected == REFUSED:
        assert response.status_code == 302
        assert response["Location"].startswith(changelist_url())
    else:
        assert response.status_code == expected
    if expected == 302:
        assert not response["Location"].startswith(reverse("admin:login"))
    allowed = expected in (200, 302)
    if writes and allowed:
        assert db_state() != before, "allowed, but nothing was written"
    else:
        assert db_state() == before, "refused, but something was written"


# Focal points: status updates on their countries' items, and nothing else.


def focal_point_submission(browser_page, form_id: str = "actionitem_form") -> dict:
    """What the focal point's item page submits: every item field is read-only for them, so
    only the form's version, the update rows and the CSRF token are sent.

    Built from a superuser's page, so that it can also be sent where the focal point's own
    page would not offer it."""
    data = form_data(browser_page, form_id)
    kept = {"csrfmiddlewaretoken", "expected_version"}
    return {
        name: value for name, value in data.items() if name in kept or name.startswith("updates-")
    }


# Regression: the focal point's read-only fields were listed untranslated ('title'), while the
# fieldsets held title_ja/title_en, so every item page a focal point opened failed (500).
def test_focal_point_can_open_an_item_turkmenistan_owns_and_add_an_update_there(
    client, focal_point, tm_item
):
    client.force_login(focal_point)
    page = client.get(change_url(tm_item))
    assert page.status_code == 200
    data = add_new_update(form_data(page, "actionitem_form"), **owner_update_fields(tm_item))
    assert "title_en" not in data  # read-only for them

    response = client.post(change_url(tm_item), data)

    assert response.status_code == 302
    assert StatusUpdate.objects.get(item=tm_item).recorded_by == focal_point


def test_focal_point_can_add_a_status_update_to_an_item_turkmenistan_owns(
    client, browser, focal_point, tm_item
):
    data = focal_point_submission(browser.get(change_url(tm_item)))
    data = add_new_update(data, **owner_update_fields(tm_item))
    client.force_login(focal_point)

    response = client.post(change_url(tm_item), data)

    assert response.status_code == 302
    update = StatusUpdate.objects.get(item=tm_item)
    assert update.country == tm_item.owners.get()
    assert (update.status, update.date, update.source_url, update.note_en) == (
        "in_progress",
        datetime.date(2015, 6, 1),
        SOURCE,
        "Preparations announced.",
    )
    assert update.recorded_by == focal_point
    tm_item.refresh_from_db()
    assert (tm_item.status, tm_item.status_date) == ("in_progress", datetime.date(2015, 6, 1))
    assert tm_item.title_en == "Hold the sixth Foreign Ministers' Meeting"


def test_focal_point_sees_an_item_only_kazakhstan_owns_without_a_way_to_add_an_update(
    client, focal_point, kz_item
):
    client.force_login(focal_point)
    response = client.get(change_url(kz_item))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert "updates-__prefix__-status" not in content  # no empty row to copy for "add another"


def test_focal_point_cannot_edit_another_countrys_item_even_by_a_forged_post(
    client, browser, focal_point, tm_item, kz_item
):
    # A submission the focal point may make for their own item, sent to the other item's URL,
    # and the other item's own form with an update added.
    own_item_form = add_new_update(
        focal_point_submission(browser.get(change_url(tm_item))), **new_update_fields()
    )
    other_item_form = add_new_update(
        form_data(browser.get(change_url(kz_item)), "actionitem_form"),
        **new_update_fields(),
        title_en="Renamed",
    )
    client.force_login(focal_point)
    before = db_state()

    assert client.post(change_url(kz_item), own_item_form).status_code == 403
    assert client.post(change_url(kz_item), other_item_form).status_code == 403

    assert db_state() == before
    assert not StatusUpdate.objects.exists()


def test_focal_point_cannot_record_an_update_for_the_whole_item(
    client, browser, focal_point, tm_item
):
    """Issue 12: a focal point speaks for their own country; whole-item updates are editors'."""
    data = add_new_update(
        focal_point_submission(browser.get(change_url(tm_item))), **new_update_fields()
    )
    client.force_login(focal_point)
    before = db_state()

    response = client.post(change_url(tm_item), data)

    assert response.status_code in (200, 403)  # the form says "for owner" is required
    assert db_state() == before


def test_focal_point_is_refused_the_bulk_status_action_on_another_countrys_item(
    client, focal_point, tm_item, kz_item
):
    client.force_login(focal_point)
    response = client.post(
        changelist_url(),
        {
            "action": "set_status",
            "_selected_action": [tm_item.pk, kz_item.pk],
            "status": Status.ONGOING,
            "date": "2016-05-01",
            "source_url": SOURCE,
            "apply": "Record status",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert not StatusUpdate.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["You may not change these items (not owned by your countries): 25.3"]


def test_focal_point_posting_owners_does_not_change_them(
    client, browser, focal_point, turkmenistan, kazakhstan, tm_item
):
    tm_item.owners.set([turkmenistan, kazakhstan])
    data = focal_point_submission(browser.get(change_url(tm_item)))
    data |= {"owners": [str(turkmenistan.pk)], "_save": ["Save"]}
    client.force_login(focal_point)

    response = client.post(change_url(tm_item), data)

    assert response.status_code == 302
    assert set(tm_item.owners.values_list("code", flat=True)) == {"TM", "KZ"}


def test_focal_point_cannot_change_an_items_fields_or_due_date(
    client, browser, focal_point, tm_item
):
    data = form_data(browser.get(change_url(tm_item)), "actionitem_form")
    data |= {
        "title_en": ["Renamed by the focal point"],
        "due_date": ["2030-12-31"],
        "due_precision": [DuePrecision.DAY],
        "due_text": ["2030"],
        "ref": ["99.9"],
        "_save": ["Save"],
    }
    client.force_login(focal_point)

    response = client.post(change_url(tm_item), data)

    assert response.status_code == 302
    tm_item.refresh_from_db()
    assert (tm_item.ref, tm_item.title_en) == ("25.2", "Hold the sixth Foreign Ministers' Meeting")
    assert (tm_item.due_date, tm_item.due_precision, tm_item.due_text) == (
        datetime.date(2016, 12, 31),
        "year",
        "",
    )


# Reference records: what a focal point may look at but not change, and what each is posted.
REFERENCE_RECORDS = {
    "document": (lambda item: item.document, "title_en", "Renamed"),
    "paragraph": (lambda item: item.paragraph, "text_en", "Rewritten"),
    "theme": (lambda item: item.theme, "name_en", "Renamed"),
    "country": (lambda item: item.owners.get(), "name_en", "Renamed"),
}


@pytest.mark.parametrize("model", REFERENCE_RECORDS)
def test_focal_point_cannot_change_reference_records(client, browser, focal_point, tm_item, model):
    get_record, field, new_value = REFERENCE_RECORDS[model]
    record = get_record(tm_item)
    old_value = getattr(record, field)
    data = form_data(browser.get(change_url(record)), f"{model}_form")
    data |= {field: [new_value], "_save": ["Save"]}
    client.force_login(focal_point)

    assert client.get(change_url(record)).status_code == 200  # they may look
    response = client.post(change_url(record), data)

    assert response.status_code == 403
    record.refresh_from_db()
    assert getattr(record, field) == old_value


@pytest.mark.parametrize(
    "model", ["actionitem", "statusupdate", "document", "paragraph", "theme", "country"]
)
def test_focal_point_cannot_delete_anything(client, focal_point, tm_item, model):
    update = item_set_status(
        item=tm_item,
        status=Status.IN_PROGRESS,
        date=datetime.date(2015, 6, 1),
        source_url="https://example.org/test-source",
    )
    record = {
        "actionitem": tm_item,
        "statusupdate": update,
        "document": tm_item.document,
        "paragraph": tm_item.paragraph,
        "theme": tm_item.theme,
        "country": tm_item.owners.get(),
    }[model]
    client.force_login(focal_point)

    assert client.get(delete_url(record)).status_code == 403
    assert client.post(delete_url(record), {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_focal_point_cannot_import(client, focal_point, tm_item):
    client.force_login(focal_point)
    upload = SimpleUploadedFile("items.csv", b"document,ref\r\n", "text/csv")
    before = db_state()

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"import_file": upload}).status_code == 403
    assert client.post(CONFIRM_IMPORT_URL, {"token": "x" * 43, "confirm": "1"}).status_code == 403
    assert db_state() == before


def test_focal_point_can_export_every_item(client, focal_point, tm_item, kz_item):
    client.force_login(focal_point)
    page = client.get(EXPORT_URL)

    response = client.post(EXPORT_URL, export_data(page))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("document,ref,")
    assert sorted(row.split(",")[1] for row in rows[1:]) == ["25.2", "25.3"]


def revert_url(item, record) -> str:
    """simple_history's "Revert" page for one of the item's past versions."""
    return reverse("admin:commitments_actionitem_simple_history", args=[item.pk, record.history_id])


def edit_title(client, item, title: str) -> None:
    data = form_data(client.get(change_url(item)), "actionitem_form")
    data |= {"title_en": [title], "_save": ["Save"]}
    assert client.post(change_url(item), data).status_code == 302


# Regression: simple-history's Revert form saved a whole old version through save_model, around
# the focal point's read-only fields and around the status service.
def test_focal_point_cannot_change_an_items_title_by_reverting_it_from_history(
    client, browser, focal_point, tm_item
):
    first_version = tm_item.history.earliest()
    edit_title(browser, tm_item, "Hold the sixth meeting in Tokyo")
    revert_page = browser.get(revert_url(tm_item, first_version))
    data = focal_point_submission(revert_page, "historicalactionitem_form")
    client.force_login(focal_point)

    client.post(revert_url(tm_item, first_version), data | {"_save": ["Save"]})

    tm_item.refresh_from_db()
    assert tm_item.title_en == "Hold the sixth meeting in Tokyo"


def test_reverting_an_item_from_history_keeps_its_status_in_step_with_its_updates(
    client, role_editor, item_with_update
):
    version_before_the_update = (
        item_with_update.history.filter(status=Status.NOT_ASSESSED).order_by("history_date").last()
    )
    client.force_login(role_editor)
    page = client.get(revert_url(item_with_update, version_before_the_update))
    data = form_data(page, "historicalactionitem_form") | {"_save": ["Save"]}

    client.post(revert_url(item_with_update, version_before_the_update), data)

    item_with_update.refresh_from_db()
    assert (item_with_update.status, item_with_update.status_date) == (
        "in_progress",
        datetime.date(2015, 6, 1),
    )


# Editors: the record, import and export; no users; no deleting what carries updates.


@pytest.fixture
def editor_client(client, role_editor):
    client.force_login(role_editor)
    return client


def test_editor_can_change_an_items_fields(editor_client, tm_item):
    data = form_data(editor_client.get(change_url(tm_item)), "actionitem_form")
    data |= {"title_en": ["Hold the sixth meeting in Tokyo"], "due_text": ["2016"]}
    data["_save"] = ["Save"]

    response = editor_client.post(change_url(tm_item), data)

    assert response.status_code == 302
    tm_item.refresh_from_db()
    assert (tm_item.title_en, tm_item.due_text) == ("Hold the sixth meeting in Tokyo", "2016")


@pytest.mark.parametrize(
    ("model", "field", "new_value"),
    [
        ("document", "title_en", "Joint Statement (revised translation)"),
        ("paragraph", "text_en", "The ministers confirmed their intention to cooperate."),
    ],
)
def test_editor_can_change_documents_and_paragraphs(
    editor_client, tm_item, model, field, new_value
):
    record = getattr(tm_item, model)
    data = form_data(editor_client.get(change_url(record)), f"{model}_form")
    data |= {field: [new_value], "_save": ["Save"]}

    response = editor_client.post(change_url(record), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == new_value


def csv_for(item, **columns: str) -> bytes:
    """A one-row import file for the item's document and paragraph."""
    row = {
        "document": item.document.slug,
        "ref": item.ref,
        "paragraph": str(item.paragraph.number),
        "kind": "commitment",
        "title_ja": item.title_ja,
        "title_en": item.title_en,
        "owners": "TM",
        "theme": item.theme.slug,
        "due_date": "2016-12-31",
        "due_precision": "year",
        **columns,
    }
    return (",".join(row) + "\r\n" + ",".join(row.values()) + "\r\n").encode()


def preview_import(client, content: bytes, **headers):
    page = client.get(IMPORT_URL, **headers)
    assert page.status_code == 200
    upload = SimpleUploadedFile("items.csv", content, "text/csv")
    return client.post(IMPORT_URL, {"import_file": upload}, **headers)


def confirm_import(client, preview, **headers):
    html = preview.content.decode()
    form = html[html.index(f'action="{CONFIRM_IMPORT_URL}"') :]
    form = form[: form.index("</form>")]
    confirm = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return client.post(CONFIRM_IMPORT_URL, {**confirm, "confirm": "1"}, **headers)


def test_editor_can_import_a_new_item(editor_client, tm_item):
    content = csv_for(tm_item, ref="25.7", title_ja="新しい取組", title_en="A new step")

    preview = preview_import(editor_client, content)
    assert preview.status_code == 200
    assert not ActionItem.objects.filter(ref="25.7").exists()  # the preview writes nothing
    response = confirm_import(editor_client, preview)

    assert response.status_code == 302
    added = ActionItem.objects.get(ref="25.7")
    assert (added.document, added.title_ja, added.title_en) == (
        tm_item.document,
        "新しい取組",
        "A new step",
    )
    assert list(added.owners.values_list("code", flat=True)) == ["TM"]


# Regression: the importer assigned instance.title, which modeltranslation writes to the field
# of the active language, so an import from the English admin overwrote title_en.
@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_import_keeps_each_languages_title_whatever_the_admins_language(
    editor_client, tm_item, language
):
    content = csv_for(tm_item, title_ja="第６回外相会合の開催", title_en="Hold it in Tokyo")
    headers = {"HTTP_ACCEPT_LANGUAGE": language}

    preview = preview_import(editor_client, content, **headers)
    assert confirm_import(editor_client, preview, **headers).status_code == 302

    tm_item.refresh_from_db()
    assert (tm_item.title_ja, tm_item.title_en) == ("第６回外相会合の開催", "Hold it in Tokyo")


def test_editor_can_export(editor_client, tm_item):
    response = editor_client.post(EXPORT_URL, export_data(editor_client.get(EXPORT_URL)))
    assert response.status_code == 200
    assert "25.2" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]
)
def test_editor_cannot_manage_users_or_roles(editor_client, url):
    assert editor_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]
)
def test_administrator_manages_users_and_roles(client, administrator, url):
    client.force_login(administrator)
    assert client.get(url).status_code == 200


def test_editor_cannot_delete_an_item_that_has_status_updates(editor_client, item_with_update):
    assert editor_client.get(delete_url(item_with_update)).status_code == 403
    assert editor_client.post(delete_url(item_with_update), {"post": "yes"}).status_code == 403
    assert ActionItem.objects.filter(pk=item_with_update.pk).exists()
    assert StatusUpdate.objects.filter(item=item_with_update).count() == 1


def test_editor_cannot_delete_an_item_that_has_status_updates_from_the_list(
    editor_client, item_with_update, kz_item
):
    response = editor_client.post(
        changelist_url(),
        {
            "action": "delete_selected",
            "_selected_action": [item_with_update.pk, kz_item.pk],
            "post": "yes",
        },
    )
    # The updates are PROTECTed: Django's confirmation page says they would have to go, and
    # only an administrator's delete removes them (services.item_delete).
    assert response.status_code == 200
    assert "protected" in response.content.decode().lower() or response.context["protected"]
    assert set(ActionItem.objects.values_list("ref", flat=True)) == {"25.2", "25.3"}


def test_editor_can_delete_an_item_without_status_updates(editor_client, tm_item):
    pk = tm_item.pk

    response = editor_client.post(delete_url(tm_item), {"post": "yes"})

    assert response.status_code == 302
    assert not ActionItem.objects.filter(pk=pk).exists()


def test_administrator_can_delete_an_item_with_updates_and_its_history_keeps_the_deletion(
    client, administrator, item_with_update
):
    pk = item_with_update.pk
    client.force_login(administrator)
    assert client.get(delete_url(item_with_update)).status_code == 200

    response = client.post(delete_url(item_with_update), {"post": "yes"})

    assert response.status_code == 302
    assert not ActionItem.objects.filter(pk=pk).exists()
    assert not StatusUpdate.objects.filter(item_id=pk).exists()
    records = ActionItem.history.filter(id=pk).order_by("history_date", "history_id")
    assert records.first().history_type == "+"
    deletion = records.last()
    assert (deletion.history_type, deletion.history_user, deletion.ref) == (
        "-",
        administrator,
        "25.2",
    )
    assert records.filter(history_type="-").count() == 1


# The roles themselves.

# Counted by hand from the description in commitments/roles.py: nine app models to view, plus
# change_actionitem, add_statusupdate and export_actionitem for focal points; plus
# add_statusupdate, import and export, and add/change/delete of six models for editors.
FOCAL_POINT_PERMISSIONS = 9 + 3
EDITOR_PERMISSIONS = 9 + 3 + 6 * 3


def roles_snapshot() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.filter(name__in=[FOCAL_POINTS, EDITORS, ADMINISTRATORS])
    }


def test_setup_roles_twice_leaves_the_same_groups_and_permissions():
    Group.objects.filter(name__in=[FOCAL_POINTS, EDITORS, ADMINISTRATORS]).delete()
    first_output, second_output = io.StringIO(), io.StringIO()

    call_command("setup_roles", stdout=first_output)
    first = roles_snapshot()
    call_command("setup_roles", stdout=second_output)
    second = roles_snapshot()

    assert second == first
    assert first_output.getvalue() == second_output.getvalue()
    assert Group.objects.filter(name__in=[FOCAL_POINTS, EDITORS, ADMINISTRATORS]).count() == 3
    assert len(second[FOCAL_POINTS]) == FOCAL_POINT_PERMISSIONS
    assert len(second[EDITORS]) == EDITOR_PERMISSIONS
    assert {"auth.change_user", "auth.add_group", "commitments.delete_statusupdate"} <= second[
        ADMINISTRATORS
    ]
    assert f"{FOCAL_POINTS}: {FOCAL_POINT_PERMISSIONS} permissions" in second_output.getvalue()


def test_setup_roles_removes_a_permission_a_role_should_not_have():
    focal_points = Group.objects.get(name=FOCAL_POINTS)
    focal_points.permissions.add(Permission.objects.get(codename="delete_actionitem"))

    call_command("setup_roles", stdout=io.StringIO())

    assert not focal_points.permissions.filter(codename="delete_actionitem").exists()
    assert focal_points.permissions.count() == FOCAL_POINT_PERMISSIONS


def test_the_roles_match_their_description():
    roles = roles_snapshot()
    focal = {p.removeprefix("commitments.") for p in roles[FOCAL_POINTS]}
    assert {p for p in focal if not p.startswith("view_")} == {
        "change_actionitem",
        "add_statusupdate",
        "export_actionitem",
    }
    editor = roles[EDITORS]
    assert not {p for p in editor if p.startswith("auth.")}
    assert "commitments.delete_statusupdate" not in editor
    assert "commitments.change_statusupdate" not in editor
    assert {"commitments.import_actionitem", "commitments.export_actionitem"} <= editor


# Staff status follows the roles (roles.py), however a membership is made.


def staff_status(user) -> bool:
    return type(user).objects.values_list("is_staff", flat=True).get(pk=user.pk)


def opens_the_admin(user) -> bool:
    client = Client()
    client.force_login(user)
    return client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def newcomer(django_user_model):
    """Signed up, not staff, in no group."""
    return django_user_model.objects.create_user(username="new.colleague", password=PASSWORD)


JOIN = {
    "user.groups.add": lambda user, group: user.groups.add(group),
    "user.groups.set": lambda user, group: user.groups.set([group]),
    "group.user_set.add": lambda user, group: group.user_set.add(user),
    "group.user_set.set": lambda user, group: group.user_set.set([user]),
}


@pytest.mark.parametrize("role", [FOCAL_POINTS, EDITORS, ADMINISTRATORS])
@pytest.mark.parametrize("join", JOIN)
def test_joining_a_role_makes_a_user_staff_however_it_is_done(newcomer, join, role):
    JOIN[join](newcomer, Group.objects.get(name=role))

    assert staff_status(newcomer)
    assert opens_the_admin(newcomer)


def test_joining_a_role_updates_the_users_object_so_a_later_save_keeps_it(newcomer):
    newcomer.groups.add(Group.objects.get(name=EDITORS))
    newcomer.first_name = "Aigerim"
    newcomer.save()

    assert newcomer.is_staff
    assert staff_status(newcomer)


LEAVE = {
    "user.groups.remove": lambda user, group: user.groups.remove(group),
    "user.groups.set": lambda user, group: user.groups.set([]),
    "user.groups.clear": lambda user, group: user.groups.clear(),
    "group.user_set.remove": lambda user, group: group.user_set.remove(user),
    "group.user_set.clear": lambda user, group: group.user_set.clear(),
    "group.delete": lambda user, group: group.delete(),
}


@pytest.mark.parametrize("leave", LEAVE)
def test_leaving_the_last_role_takes_staff_access_away(role_editor, leave):
    assert opens_the_admin(role_editor)

    LEAVE[leave](role_editor, Group.objects.get(name=EDITORS))

    assert not staff_status(role_editor)
    assert not opens_the_admin(role_editor)


def test_leaving_one_of_two_roles_keeps_staff_access(role_editor):
    role_editor.groups.add(Group.objects.get(name=FOCAL_POINTS))

    role_editor.groups.remove(Group.objects.get(name=EDITORS))

    assert staff_status(role_editor)


def test_a_superusers_staff_status_is_never_touched(admin_user, django_user_model):
    editors = Group.objects.get(name=EDITORS)
    admin_user.groups.add(editors)
    admin_user.groups.remove(editors)
    assert staff_status(admin_user)
    superuser_without_staff = django_user_model.objects.create_user(
        username="root.without.staff", is_superuser=True
    )
    superuser_without_staff.groups.add(editors)
    assert not staff_status(superuser_without_staff)


def test_groups_that_are_not_roles_leave_staff_status_as_set_by_hand(editor, newcomer):
    custom = Group.objects.create(name="Auditors")
    newcomer.groups.add(custom)
    editor.groups.clear()  # its only group is not a role

    assert not staff_status(newcomer)
    assert staff_status(editor)


def test_unticking_staff_status_of_a_role_member_does_not_stick(role_editor):
    role_editor.is_staff = False
    role_editor.save()

    assert role_editor.is_staff
    assert staff_status(role_editor)


def test_setup_roles_gives_staff_access_to_role_members_who_lack_it(newcomer):
    # A membership written without the signal (as by an older version of the tracker).
    type(newcomer).groups.through.objects.create(
        user=newcomer, group=Group.objects.get(name=FOCAL_POINTS)
    )
    assert not staff_status(newcomer)
    output = io.StringIO()

    with translation.override("en"):
        call_command("setup_roles", stdout=output)

    assert staff_status(newcomer)
    assert "1 member of a role was given staff access." in output.getvalue()


def user_change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def test_an_administrator_makes_a_focal_point_on_the_users_page(
    client, administrator, newcomer, turkmenistan, tm_item
):
    client.force_login(administrator)
    data = form_data(client.get(user_change_url(newcomer)), "user_form")
    assert "is_staff" not in data  # not ticked, and nobody ticks it
    data["groups"] = [str(Group.objects.get(name=FOCAL_POINTS).pk)]
    data["focal_point-TOTAL_FORMS"] = ["1"]
    data["focal_point-0-countries"] = [str(turkmenistan.pk)]
    data["_save"] = ["Save"]

    response = client.post(user_change_url(newcomer), data)

    assert response.status_code == 302
    assert staff_status(newcomer)
    assert set(newcomer.focal_point.countries.values_list("code", flat=True)) == {"TM"}
    focal_client = Client()
    focal_client.force_login(newcomer)
    assert "updates-__prefix__-status" in focal_client.get(change_url(tm_item)).content.decode()


def test_the_users_page_shows_the_roles_in_the_readers_language(
    client, administrator, newcomer, focal_point
):
    client.force_login(administrator)

    page = client.get(user_change_url(newcomer), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    user_list = client.get("/admin/auth/user/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    for html in (page, user_list):
        assert "国別担当窓口" in html
        assert "編集者" in html
        assert "Focal points" not in html
    assert '<td class="field-roles">国別担当窓口</td>' in user_list
    assert set(Group.objects.values_list("name", flat=True)) >= {FOCAL_POINTS, EDITORS}


# add_focal_point


def add_focal_point(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("add_focal_point", *args, stdout=out)
    return out.getvalue()


def test_add_focal_point_creates_a_staff_user_who_answers_for_those_countries(
    turkmenistan, kazakhstan, django_user_model
):
    output = add_focal_point("focal.kz", "kz", "TM", "--email", "focal.kz@example.org")

    user = django_user_model.objects.get(username="focal.kz")
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (True, False, False)
    assert user.email == "focal.kz@example.org"
    assert set(user.groups.values_list("name", flat=True)) == {FOCAL_POINTS}
    assert set(user.focal_point.countries.values_list("code", flat=True)) == {"KZ", "TM"}
    assert "python manage.py changepassword focal.kz" in output


def test_add_focal_point_again_changes_nothing(turkmenistan):
    add_focal_point("focal.tm.2", "TM", "--email", "focal.tm.2@example.org")
    before = snapshot()

    add_focal_point("focal.tm.2", "TM", "--email", "focal.tm.2@example.org")

    assert changed_tables(before, snapshot()) == []


def test_add_focal_point_adds_countries_and_leaves_the_password_alone(focal_point, kazakhstan):
    output = add_focal_point(focal_point.username, "KZ")

    focal_point.refresh_from_db()
    assert set(focal_point.focal_point.countries.values_list("code", flat=True)) == {"KZ", "TM"}
    assert focal_point.check_password(PASSWORD)
    assert "changepassword" not in output


def test_add_focal_point_refuses_an_unknown_country_and_writes_nothing(turkmenistan):
    before = snapshot()

    with pytest.raises(CommandError, match=r"Unknown country code\(s\): XX, ZZ"):
        add_focal_point("focal.x", "TM", "xx", "ZZ")

    assert changed_tables(before, snapshot()) == []


def sign_in_with_password(client: Client, username: str, password: str, language: str = "en"):
    """The admin's sign-in form, as a browser posts it (django-axes sees the request)."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        secure=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_a_focal_point_made_by_the_command_signs_in_and_updates_their_countrys_items(
    client, django_user_model, tm_item, kz_item
):
    add_focal_point("focal.new", "TM")
    user = django_user_model.objects.get(username="focal.new")
    user.set_password(PASSWORD)
    user.save()

    response = sign_in_with_password(client, "focal.new", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/", secure=True).status_code == 200
    own = client.get(change_url(tm_item), secure=True).content.decode()
    other = client.get(change_url(kz_item), secure=True).content.decode()
    assert "updates-__prefix__-status" in own
    assert "updates-__prefix__-status" not in other


# Signing in without staff access, and the lockout.


def test_a_right_password_without_staff_access_is_told_so_and_never_locks(
    client, outsider, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in_with_password(client, outsider.username, PASSWORD)
        assert response.status_code == 200

    text = " ".join(response.content.decode().split())
    assert "The password is right, but this account has no access to the staff pages" in text
    assert "correct username and password" not in text
    # Those attempts were not failures: given a role, they sign in at once.
    outsider.groups.add(Group.objects.get(name=EDITORS))
    assert sign_in_with_password(client, outsider.username, PASSWORD).status_code == 302


def test_wrong_passwords_count_towards_the_lockout_with_or_without_staff_access(
    client, outsider, settings
):
    answers = [
        sign_in_with_password(client, outsider.username, "wrong-password").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers[-1] == 429
    assert sign_in_with_password(client, outsider.username, PASSWORD).status_code == 429


def lock_out(client: Client, user, language: str):
    for _attempt in range(5):
        response = sign_in_with_password(client, user.username, "wrong-password", language)
    assert response.status_code == 429
    return " ".join(response.content.decode().split())


def test_the_lockout_page_says_after_how_many_failures_and_for_how_long(client, role_editor):
    text = lock_out(client, role_editor, "en")

    assert "After 5 wrong passwords in a row" in text
    assert "locked for 1 hour" in text


def test_the_lockout_page_is_in_japanese_for_a_japanese_reader(client, role_editor):
    text = lock_out(client, role_editor, "ja")

    assert '<html lang="ja">' in text
    assert "ログインの失敗が続きました" in text
    assert "1時間" in text
    assert "wrong passwords" not in text


# A refusal says why (templates/403.html).


def forged_change_of_kazakhstans_item(client, browser, focal_point, kz_item, language):
    data = form_data(browser.get(change_url(kz_item)), "actionitem_form")
    data = add_new_update(data, **new_update_fields())
    client.force_login(focal_point)
    return client.post(change_url(kz_item), data, HTTP_ACCEPT_LANGUAGE=language)


def test_a_forged_change_gets_a_page_in_the_admins_look_that_says_why(
    client, browser, focal_point, kz_item
):
    response = forged_change_of_kazakhstans_item(client, browser, focal_point, kz_item, "en")

    assert response.status_code == 403
    html = " ".join(response.content.decode().split())
    assert 'id="site-name"' in html
    with translation.override("en"):
        assert str(admin.site.site_header) in html  # the admin's own header
    reason = (
        "You may change only items that one of your countries owns (TM); this item is owned by KZ."
    )
    assert reason in html
    assert "403 Forbidden" not in html
    assert not StatusUpdate.objects.exists()


def test_the_refusal_is_in_the_readers_language(client, browser, focal_point, kz_item):
    response = forged_change_of_kazakhstans_item(client, browser, focal_point, kz_item, "ja")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ja"' in html
    with translation.override("ja"):
        assert str(admin.site.site_header) in html
    assert "You may" not in html
    assert "担当する国" in html


def test_a_refusal_without_a_reason_still_says_what_happened(client, plain_staff):
    client.force_login(plain_staff)

    response = client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="site-name"' in html
    assert "Your account does not have permission for this." in html


def test_a_refusal_outside_the_admin_has_the_public_sites_look(rf):
    request = rf.get(ja("/items/"))
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied("Closed for maintenance."))

    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="brand"' in html
    assert "Closed for maintenance." in html
    assert 'id="site-name"' not in html


@pytest.mark.parametrize("users", [3, 30])
def test_the_user_list_shows_roles_in_a_fixed_number_of_queries(
    client, administrator, django_user_model, django_assert_max_num_queries, users
):
    editors = Group.objects.get(name=EDITORS)
    for n in range(users):
        django_user_model.objects.create_user(username=f"colleague.{n}").groups.add(editors)
    client.force_login(administrator)

    with django_assert_max_num_queries(10):
        response = client.get("/admin/auth/user/")

    assert response.content.decode().count('<td class="field-roles">') == users + 1
