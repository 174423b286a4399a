"""Setting the site up, and setting it up again: `make run` (migrate, then load_initial_data)
and the other commands the README calls safe to repeat must never undo staff work.

"Nothing changed" is checked the strict way: every row of every table of the tracker, its
audit history and its users and roles, compared before and after the second run."""

from __future__ import annotations

import datetime
import json
import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import translation

from commitments.choices import Status
from commitments.models import ActionItem, Country, Document, Paragraph, Signatory, Theme
from commitments.roles import EDITORS, FOCAL_POINTS
from commitments.services import item_set_status
from commitments.status_rule import derive_status

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SLUG = "caj-fmm5-2014"
SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
STATEMENT = FIXTURES / "sources" / "2014-bishkek-joint-statement.ja.txt"


def make_run_commands() -> list[list[str]]:
    """The manage.py commands `make run` runs before it starts the server, as written in the
    Makefile (so this file tests what people run, not a copy of it)."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    commands = []
    for line in recipe.splitlines():
        found = re.match(r"\t(?:\w+=\S* )*\$\(BIN\)/python manage\.py (.+)$", line)
        if not found:
            continue
        args = shlex.split(found.group(1))
        if args[0] == "runserver":
            continue
        # The shell would expand a pattern such as fixtures/*.json.
        expanded = []
        for arg in args:
            if "*" in arg:
                expanded += sorted(str(p) for p in Path(settings.BASE_DIR).glob(arg))
            else:
                expanded.append(arg)
        commands.append(expanded)
    return commands


def run_setup() -> str:
    out = StringIO()
    with translation.override("en"):
        for name, *args in make_run_commands():
            call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def load_initial_data(*fixtures) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("load_initial_data", *[str(f) for f in fixtures], stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the tracker (its history and many-to-many tables too), of
    the users and of the roles."""
    models = list(apps.get_app_config("commitments").get_models(include_auto_created=True))
    models += list(apps.get_app_config("auth").get_models(include_auto_created=True))
    tables = {}
    for model in models:
        fields = [field.attname for field in model._meta.concrete_fields]
        tables[model._meta.label] = sorted(
            model._default_manager.values_list(*fields), key=lambda row: str(row)
        )
    return tables


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user(username="editor.nurlan", password="x" * 12)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def work_as_staff(user) -> ActionItem:
    """What the issue reported being undone: an edited item description, a newer status
    update, a theme and a country renamed."""
    item = ActionItem.objects.get(document__slug=SLUG, ref="12.1")
    item.description_en = "Edited by staff: the meeting was postponed to 2017."
    item.save()
    item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2025, 6, 1),
        source_url=SOURCE,
        user=user,
        note_en="Completed, as the source says.",
    )
    item.refresh_from_db()
    assert (item.status, item.status_date) == (Status.COMPLETED, datetime.date(2025, 6, 1))
    theme = Theme.objects.get(slug="dialogue")
    theme.name_en = "The Dialogue (renamed by staff)"
    theme.save()
    country = Country.objects.get(code="TM")
    country.name_en = "Turkmenistan (renamed by staff)"
    country.save()
    return item


# make run, twice.


def test_make_run_loads_the_initial_data_without_loaddata():
    commands = [args[0] for args in make_run_commands()]
    assert commands == ["migrate", "load_initial_data"]


def test_running_the_setup_again_keeps_everything_staff_changed(staff):
    first = run_setup()
    assert "loaded caj-fmm5-2014: 58 items" in first
    item = work_as_staff(staff)
    before = snapshot()

    second = run_setup()

    assert changed_tables(before, snapshot()) == []
    assert "skipped caj-fmm5-2014: already in the database (58 items); nothing changed" in second
    item.refresh_from_db()
    assert item.description_en == "Edited by staff: the meeting was postponed to 2017."
    assert (item.status, item.status_date) == (Status.COMPLETED, datetime.date(2025, 6, 1))
    assert Theme.objects.get(slug="dialogue").name_en == "The Dialogue (renamed by staff)"
    assert Country.objects.get(code="TM").name_en == "Turkmenistan (renamed by staff)"


def test_running_the_setup_again_on_an_untouched_database_changes_nothing():
    run_setup()
    before = snapshot()

    output = run_setup()

    assert changed_tables(before, snapshot()) == []
    assert "Everything was already in the database; nothing changed." in output


# What load_initial_data loads, and what it leaves alone.


def test_it_loads_every_fixture_into_an_empty_database():
    output = load_initial_data()

    assert Country.objects.count() == 249
    assert Theme.objects.count() == 11
    assert ActionItem.objects.filter(document__slug=SLUG).count() == 58
    assert "01_countries.json: 249 added, 0 already in the database" in output


def test_every_loaded_items_status_is_what_its_status_updates_give():
    load_initial_data()

    items = ActionItem.objects.prefetch_related("updates", "owners")
    assert sum(1 for item in items if item.updates.all()) >= 10  # not a vacuous check
    for item in items:
        owner_ids = [owner.pk for owner in item.owners.all()]
        derived = derive_status(list(item.updates.all()), owner_ids)
        assert (item.status, item.status_date) == derived, item.ref


def test_a_missing_country_or_theme_is_added_and_an_existing_one_left_as_it_is():
    Theme.objects.create(slug="dialogue", name_ja="対話（職員が変更）", name_en="Edited", order=99)
    Country.objects.create(code="TM", name_ja="トルクメニスタン（変更）", name_en="Edited")

    output = load_initial_data(FIXTURES / "01_countries.json", FIXTURES / "02_themes.json")

    theme = Theme.objects.get(slug="dialogue")
    assert (theme.name_ja, theme.name_en, theme.order) == ("対話（職員が変更）", "Edited", 99)
    assert not theme.description_en
    assert Country.objects.get(code="TM").name_en == "Edited"
    assert Country.objects.get(code="KZ").name_en == "Kazakhstan"
    assert Theme.objects.count() == 11
    assert "01_countries.json: 248 added, 1 already in the database" in output
    assert "02_themes.json: 10 added, 1 already in the database" in output


def test_a_document_already_in_the_database_is_skipped_whole():
    load_initial_data()
    # A row removed by staff stays removed: the document is not merged, it is skipped.
    Signatory.objects.filter(document__slug=SLUG).order_by("order").last().delete()
    before = snapshot()

    output = load_initial_data()

    assert changed_tables(before, snapshot()) == []
    assert "skipped caj-fmm5-2014: already in the database (58 items); nothing changed" in output


def bishkek_records() -> list[dict]:
    return json.loads((FIXTURES / "10_caj-fmm5-2014.json").read_text(encoding="utf-8"))


def write_fixture(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_document_fixture_is_refused_if_an_items_status_disagrees_with_its_updates(tmp_path):
    records = bishkek_records()
    updated = {r["fields"]["item"][1] for r in records if r["model"] == "commitments.statusupdate"}
    item = next(
        r
        for r in records
        if r["model"] == "commitments.actionitem" and r["fields"]["ref"] in updated
    )
    item["fields"]["status"] = Status.NOT_ASSESSED
    item["fields"]["status_date"] = None
    fixture = write_fixture(tmp_path / "10_document.json", records)
    before = snapshot()

    with pytest.raises(CommandError, match=rf"{SLUG} {re.escape(item['fields']['ref'])}"):
        load_initial_data(FIXTURES / "01_countries.json", FIXTURES / "02_themes.json", fixture)

    assert changed_tables(before, snapshot()) == []


def test_loading_is_all_or_nothing(tmp_path):
    records = bishkek_records()
    item = next(r for r in records if r["model"] == "commitments.actionitem")
    item["fields"]["owners"] = [["XX"]]  # no such country
    fixture = write_fixture(tmp_path / "10_document.json", records)
    before = snapshot()

    with pytest.raises(CommandError, match="nothing was loaded"):
        load_initial_data(FIXTURES / "01_countries.json", FIXTURES / "02_themes.json", fixture)

    assert changed_tables(before, snapshot()) == []
    assert not Country.objects.exists()


def test_a_document_fixture_with_database_ids_cannot_overwrite_another_document(tmp_path):
    load_initial_data()
    paragraph = Paragraph.objects.get(document__slug=SLUG, number=1)
    stray = {
        "model": "commitments.paragraph",
        "pk": paragraph.pk,
        "fields": {"document": ["another-2017"], "section": ["another-2017", 1], "number": 1},
    }
    fixture = write_fixture(tmp_path / "20_another.json", [stray])
    before = snapshot()

    with pytest.raises(CommandError, match="would overwrite an existing row"):
        load_initial_data(fixture)

    assert changed_tables(before, snapshot()) == []


# The other commands the README says may be run again.


def test_migrate_and_setup_roles_again_keep_the_roles_and_their_members(staff, focal_point):
    load_initial_data()
    work_as_staff(staff)
    before = snapshot()

    with translation.override("en"):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_roles", stdout=StringIO())

    assert changed_tables(before, snapshot()) == []
    assert set(staff.groups.values_list("name", flat=True)) == {EDITORS}
    assert set(focal_point.groups.values_list("name", flat=True)) == {FOCAL_POINTS}


def test_migrate_repairs_a_deleted_role():
    Group.objects.filter(name=EDITORS).delete()

    call_command("migrate", verbosity=0, interactive=False)

    assert Group.objects.get(name=EDITORS).permissions.exists()


def import_statement(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("import_statement", str(STATEMENT), "--slug", "caj-2014", *args, stdout=out)
    return out.getvalue()


# Known and left to the owner of commitments/ingestion/writer.py: a re-import writes the
# --source-url over the one corrected in the admin, re-reads every signatory's country from
# their title and sets the participants to the signatories' countries (removing any added).
def test_importing_a_statement_again_keeps_what_staff_set_in_the_admin():
    load_initial_data(FIXTURES / "01_countries.json")
    import_statement("--source-url", "https://www.mofa.go.jp/files/000044867.pdf")
    # What README step 2 asks staff to do after an import, and more.
    document = Document.objects.get(slug="caj-2014")
    document.title_en = "Joint Statement"
    document.source_url = "https://www.mofa.go.jp/mofaj/files/000044867.pdf"
    document.save()
    document.participants.add(Country.objects.get(code="AF"))  # an observer, say
    signatory = Signatory.objects.get(document=document, order=1)
    signatory.country = Country.objects.get(code="JP")  # a correction, right or wrong
    signatory.save()
    paragraph = Paragraph.objects.get(document=document, number=1)
    paragraph.text_en = "The Ministers welcomed the tenth anniversary of the Dialogue."
    paragraph.save()
    before = snapshot()

    output = import_statement("--source-url", "https://www.mofa.go.jp/files/000044867.pdf")

    assert changed_tables(before, snapshot()) == []
    assert "nothing changed" in output
