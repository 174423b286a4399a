"""Model invariants: database constraints, clean(), derived properties, querysets, natural keys."""

import datetime

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from commitments.choices import DuePrecision, Status
from commitments.models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Section,
    Signatory,
    StatusUpdate,
    Theme,
)
from commitments.services import item_set_status

from .factories import (
    ActionItemFactory,
    CountryFactory,
    DocumentFactory,
    ParagraphFactory,
    SectionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def set_status(item, status, date):
    item_set_status(
        item=item, status=status, date=date, source_url="https://example.org/test-source"
    )
    item.refresh_from_db()


# Constraints the database holds, whatever the caller does.


def test_the_database_refuses_a_start_after_the_due_date():
    item = ActionItemFactory()
    item.starts_on = datetime.date(2016, 6, 1)
    item.due_date = datetime.date(2016, 5, 31)
    item.due_precision = DuePrecision.DAY
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def test_the_database_accepts_a_start_on_the_due_date():
    item = ActionItemFactory(
        starts_on=datetime.date(2016, 5, 31),
        due_date=datetime.date(2016, 5, 31),
        due_precision=DuePrecision.DAY,
    )
    assert ActionItem.objects.filter(pk=item.pk, starts_on=item.due_date).exists()


def test_the_database_refuses_a_start_without_a_due_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(starts_on=datetime.date(2015, 1, 1))


def test_the_database_refuses_a_due_date_without_a_precision():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(due_date=datetime.date(2016, 12, 31), due_precision="")


def test_the_database_refuses_a_precision_without_a_due_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(due_date=None, due_precision=DuePrecision.YEAR)


def test_a_ref_is_unique_within_a_document():
    first = ActionItemFactory(ref="25.1")
    other_paragraph = ParagraphFactory(section=first.paragraph.section)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(paragraph=other_paragraph, ref="25.1")


def test_the_same_ref_is_allowed_in_another_document():
    ActionItemFactory(ref="25.1")
    ActionItemFactory(ref="25.1")
    assert ActionItem.objects.filter(ref="25.1").count() == 2


def test_a_country_code_must_be_two_capital_letters():
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(code="tm", name_ja="トルクメニスタン", name_en="Turkmenistan")


# clean(): the same rules, as form errors keyed by field.


def clean_errors(item) -> dict:
    with pytest.raises(ValidationError) as caught:
        item.clean()
    return caught.value.message_dict


def test_clean_puts_a_late_start_on_starts_on():
    item = ActionItemFactory.build(
        paragraph=ParagraphFactory(),
        starts_on=datetime.date(2016, 6, 1),
        due_date=datetime.date(2016, 5, 31),
        due_precision=DuePrecision.DAY,
    )
    assert set(clean_errors(item)) == {"starts_on"}


def test_clean_puts_a_start_without_due_date_on_due_date():
    item = ActionItemFactory.build(
        paragraph=ParagraphFactory(), starts_on=datetime.date(2015, 1, 1)
    )
    assert set(clean_errors(item)) == {"due_date"}


def test_clean_puts_a_due_date_without_precision_on_due_precision():
    item = ActionItemFactory.build(
        paragraph=ParagraphFactory(), due_date=datetime.date(2016, 12, 31), due_precision=""
    )
    assert set(clean_errors(item)) == {"due_precision"}


def test_clean_puts_a_precision_without_due_date_on_due_date():
    item = ActionItemFactory.build(paragraph=ParagraphFactory(), due_precision=DuePrecision.YEAR)
    assert set(clean_errors(item)) == {"due_date"}


def test_clean_puts_a_duplicate_ref_on_ref():
    existing = ActionItemFactory(ref="19.2")
    item = ActionItemFactory.build(paragraph=existing.paragraph, ref="19.2")
    assert set(clean_errors(item)) == {"ref"}


def test_clean_accepts_an_item_that_keeps_its_own_ref():
    item = ActionItemFactory(ref="19.2")
    item.clean()  # must not raise: the only item with this ref is itself
    assert item.ref == "19.2"


def test_clean_refuses_a_paragraph_under_another_documents_section():
    paragraph = ParagraphFactory.build(document=DocumentFactory(), section=SectionFactory())
    with pytest.raises(ValidationError) as caught:
        paragraph.clean()
    assert set(caught.value.message_dict) == {"section"}


def test_an_items_document_is_always_its_paragraphs_document():
    paragraph = ParagraphFactory()
    elsewhere = DocumentFactory()
    item = ActionItemFactory(paragraph=paragraph, document=elsewhere)
    item.refresh_from_db()
    assert item.document == paragraph.document

    moved_to = ParagraphFactory(section=SectionFactory(document=elsewhere))
    item.paragraph = moved_to
    item.save()
    item.refresh_from_db()
    assert item.document == elsewhere


# Deadlines.


def test_an_item_saved_in_english_keeps_its_untranslated_columns_in_japanese():
    item = ActionItemFactory(title_ja="対話の議長国", title_en="Chair the Dialogue")
    with override("en"):
        item.description_ja = "二年間。"
        item.description_en = "For two years."
        item.save()

    stored = ActionItem.objects.rewrite(False).values_list("title", "description").get(pk=item.pk)
    assert stored == ("対話の議長国", "二年間。")


def test_an_assessed_open_item_past_its_due_date_is_overdue():
    item = ActionItemFactory(due_date=TODAY - DAY, due_precision=DuePrecision.DAY)
    set_status(item, Status.NOT_STARTED, TODAY - 2 * DAY)
    assert item.is_overdue


def test_an_unassessed_item_past_its_due_date_is_not_called_overdue():
    """Issue 10: nobody has assessed it, so no miss is asserted (it is "past due — not yet
    assessed" on the pages)."""
    item = ActionItemFactory(due_date=TODAY - DAY, due_precision=DuePrecision.DAY)
    assert not item.is_overdue
    assert ActionItem.objects.past_due_unassessed().get() == item


def test_an_item_due_today_is_not_overdue():
    item = ActionItemFactory(due_date=TODAY, due_precision=DuePrecision.DAY)
    assert not item.is_overdue


def test_an_item_without_due_date_is_never_overdue():
    assert not ActionItemFactory().is_overdue


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.ONGOING, Status.DROPPED])
def test_a_closed_item_is_not_overdue(status):
    item = ActionItemFactory(due_date=TODAY - 10 * DAY, due_precision=DuePrecision.DAY)
    set_status(item, status, TODAY - 20 * DAY)
    assert not item.is_overdue


@pytest.mark.parametrize("status", [Status.NOT_STARTED, Status.IN_PROGRESS, Status.STALLED])
def test_a_started_but_unfinished_item_can_be_overdue(status):
    item = ActionItemFactory(due_date=TODAY - 10 * DAY, due_precision=DuePrecision.DAY)
    set_status(item, status, TODAY - 20 * DAY)
    assert item.is_overdue


def test_an_item_completed_after_its_due_date_was_completed_late():
    item = ActionItemFactory(due_date=datetime.date(2016, 12, 31), due_precision=DuePrecision.YEAR)
    set_status(item, Status.COMPLETED, datetime.date(2017, 1, 10))
    assert item.is_completed_late


def test_an_item_completed_on_its_due_date_was_not_late():
    item = ActionItemFactory(due_date=datetime.date(2016, 12, 31), due_precision=DuePrecision.YEAR)
    set_status(item, Status.COMPLETED, datetime.date(2016, 12, 31))
    assert not item.is_completed_late


def test_an_unfinished_item_past_its_date_is_not_completed_late():
    item = ActionItemFactory(due_date=datetime.date(2016, 12, 31), due_precision=DuePrecision.YEAR)
    set_status(item, Status.IN_PROGRESS, datetime.date(2017, 1, 10))
    assert not item.is_completed_late


DUE_DISPLAY_CASES = [
    # starts_on, due_date, precision, English, Japanese
    (None, datetime.date(2016, 12, 31), DuePrecision.YEAR, "2016", "2016年"),
    (None, datetime.date(2015, 3, 31), DuePrecision.MONTH, "March 2015", "2015年3月"),
    (None, datetime.date(2014, 7, 16), DuePrecision.DAY, "July 16, 2014", "2014年7月16日"),
    (
        datetime.date(2015, 4, 27),
        datetime.date(2015, 5, 22),
        DuePrecision.DAY,
        "April 27, 2015 – May 22, 2015",
        "2015年4月27日 – 2015年5月22日",
    ),
    (
        datetime.date(2015, 1, 1),
        datetime.date(2016, 12, 31),
        DuePrecision.YEAR,
        "2015 – 2016",
        "2015年 – 2016年",
    ),
    (None, None, "", "", ""),
]


@pytest.mark.parametrize(("starts_on", "due_date", "precision", "english", "_"), DUE_DISPLAY_CASES)
def test_due_display_in_english(starts_on, due_date, precision, english, _):
    item = ActionItemFactory(starts_on=starts_on, due_date=due_date, due_precision=precision)
    with override("en"):
        assert item.due_display == english


@pytest.mark.parametrize(("starts_on", "due_date", "precision", "_", "japanese"), DUE_DISPLAY_CASES)
def test_due_display_in_japanese(starts_on, due_date, precision, _, japanese):
    item = ActionItemFactory(starts_on=starts_on, due_date=due_date, due_precision=precision)
    with override("ja"):
        assert item.due_display == japanese


# Querysets.


@pytest.fixture
def items():
    """One item per situation the dashboard distinguishes, named for what it is."""
    past, future = TODAY - 30 * DAY, TODAY + 30 * DAY

    def item(title, *, due=None, status=None, status_on=TODAY - 40 * DAY):
        created = ActionItemFactory(
            title_en=title, due_date=due, due_precision=DuePrecision.DAY if due else ""
        )
        if status:
            set_status(created, status, status_on)
        return created

    return {
        "late_unassessed": item("late_unassessed", due=past),
        "late_in_progress": item("late_in_progress", due=past, status=Status.IN_PROGRESS),
        "late_stalled": item("late_stalled", due=past, status=Status.STALLED),
        "completed_on_time": item("completed_on_time", due=past, status=Status.COMPLETED),
        "completed_late": item(
            "completed_late", due=past, status=Status.COMPLETED, status_on=TODAY - DAY
        ),
        "ongoing_past": item("ongoing_past", due=past, status=Status.ONGOING),
        "dropped_past": item("dropped_past", due=past, status=Status.DROPPED),
        "undated": item("undated", status=Status.IN_PROGRESS),
        "due_today": item("due_today", due=TODAY),
        "due_later": item("due_later", due=future, status=Status.NOT_STARTED),
        "due_later_done": item("due_later_done", due=future, status=Status.COMPLETED),
    }


def titles(queryset) -> list[str]:
    return [item.title_en for item in queryset]


def test_overdue_is_open_items_past_their_due_date(items):
    assert set(titles(ActionItem.objects.overdue())) == {"late_in_progress", "late_stalled"}


def test_overdue_on_a_given_day(items):
    day_after_the_deadlines = TODAY + 31 * DAY
    # due_today was never assessed: past due then, but not overdue.
    assert set(titles(ActionItem.objects.overdue(on=day_after_the_deadlines))) == {
        "late_in_progress",
        "late_stalled",
        "due_later",
    }


def test_not_overdue_is_everything_else(items):
    assert set(titles(ActionItem.objects.not_overdue())) == {
        "late_unassessed",
        "completed_on_time",
        "completed_late",
        "ongoing_past",
        "dropped_past",
        "undated",
        "due_today",
        "due_later",
        "due_later_done",
    }


def test_upcoming_is_open_items_due_from_today_soonest_first(items):
    assert titles(ActionItem.objects.upcoming()) == ["due_today", "due_later"]


def test_completed_late_is_items_completed_after_their_due_date(items):
    assert titles(ActionItem.objects.completed_late()) == ["completed_late"]


def test_status_counts_counts_every_status_and_the_total(items):
    assert ActionItem.objects.status_counts() == {
        "not_assessed": 2,
        "not_started": 1,
        "in_progress": 2,
        "stalled": 1,
        "completed": 3,
        "ongoing": 1,
        "no_evidence": 0,
        "dropped": 1,
        "total": 11,
    }


def test_status_counts_follows_the_filter(items):
    counts = ActionItem.objects.overdue().status_counts()
    assert (counts["total"], counts["not_assessed"], counts["in_progress"]) == (2, 0, 1)


def test_owned_by_lists_each_item_any_of_the_countries_owns_once():
    kz, tm, cn = CountryFactory(code="KZ"), CountryFactory(code="TM"), CountryFactory(code="CN")
    ActionItemFactory(title_en="both", owners=[kz, tm])
    ActionItemFactory(title_en="turkmen", owners=[tm])
    ActionItemFactory(title_en="chinese", owners=[cn])
    assert titles(ActionItem.objects.owned_by([kz])) == ["both"]
    assert sorted(titles(ActionItem.objects.owned_by([kz, tm]))) == ["both", "turkmen"]
    assert titles(ActionItem.objects.owned_by(Country.objects.filter(code="CN"))) == ["chinese"]


def test_status_updates_owned_by_a_country_leave_out_another_owners_own():
    kz, tm = CountryFactory(code="KZ"), CountryFactory(code="TM")
    shared = ActionItemFactory(owners=[kz, tm])

    def update(item, country, days_ago):
        return item_set_status(
            item=item,
            status=Status.IN_PROGRESS,
            date=TODAY - datetime.timedelta(days=days_ago),
            source_url="https://example.org/test-source",
            country=country,
        )

    whole, own = update(shared, None, 3), update(shared, kz, 2)
    update(shared, tm, 1)
    update(ActionItemFactory(owners=[tm]), None, 1)
    assert set(StatusUpdate.objects.owned_by([kz])) == {whole, own}


# Natural keys, used by fixtures and the CSV import.


def test_natural_keys_round_trip():
    country = CountryFactory()
    theme = ThemeFactory()
    item = ActionItemFactory(theme=theme, owners=[country])
    update = item_set_status(
        item=item,
        status=Status.IN_PROGRESS,
        date=TODAY - DAY,
        source_url="https://example.org/test-source",
    )
    signatory = Signatory.objects.create(
        document=item.document, order=1, name="岸田 文雄", country=country
    )
    objects = {
        Country: country,
        Signatory: signatory,
        Theme: theme,
        Document: item.document,
        Section: item.paragraph.section,
        Paragraph: item.paragraph,
        ActionItem: item,
        StatusUpdate: update,
    }
    for model, obj in objects.items():
        assert model.objects.get_by_natural_key(*obj.natural_key()) == obj, model.__name__


def test_natural_keys_are_the_human_readable_references():
    item = ActionItemFactory(ref="25.2", paragraph__section__document__slug="caj-fmm5-2014")
    assert item.natural_key() == ("caj-fmm5-2014", "25.2")
    update = item_set_status(
        item=item,
        status=Status.COMPLETED,
        date=datetime.date(2016, 5, 1),
        source_url="https://example.org/test-source",
    )
    assert update.natural_key() == ("caj-fmm5-2014", "25.2", "2016-05-01", "completed")


def test_signatories_dumped_with_natural_keys_load_again_over_themselves():
    # Regression: Signatory had natural_key() but no get_by_natural_key(), so reloading a
    # --natural-primary dump inserted the rows again and hit the unique order constraint.
    document = DocumentFactory()
    Signatory.objects.create(document=document, order=1, name="岸田 文雄")
    dumped = serializers.serialize(
        "json",
        Signatory.objects.all(),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    with transaction.atomic():
        for obj in serializers.deserialize("json", dumped):
            obj.save()
    assert Signatory.objects.count() == 1


@pytest.mark.parametrize(
    ("number", "numeral"), [(1, "Ⅰ"), (2, "Ⅱ"), (4, "Ⅳ"), (5, "Ⅴ"), (12, "Ⅻ"), (13, "13")]
)
def test_section_numeral(number, numeral):
    assert SectionFactory.build(number=number).numeral == numeral


def test_a_section_reads_as_its_numeral_and_title():
    section = SectionFactory.build(number=2, title_ja="農業分野における地域協力")
    with override("ja"):
        assert str(section) == "Ⅱ．農業分野における地域協力"
