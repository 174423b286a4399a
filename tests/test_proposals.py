"""The proposer: every rule on its own (dates, owners, strength, kind, splitting, theme), then
`propose_items` on stored statements.

The rule tests use sentences written for them, in the style of a joint statement; none is
taken from the 2014 statement, whose text must not appear in the proposer's code either.
"""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from commitments.choices import Strength
from commitments.csv_format import COLUMNS
from commitments.ingestion import rules
from commitments.ingestion.dates import find_dates, vague_horizon
from commitments.ingestion.owners import CountryNames, Participants, owners_named
from commitments.ingestion.proposer import (
    Context,
    document_context,
    propose_paragraph,
    strength_of,
)
from commitments.ingestion.themes import ThemeExamples
from commitments.models import ActionItem, Document
from tests.factories import ActionItemFactory, DocumentFactory, ParagraphFactory, ThemeFactory

DATA = Path(settings.BASE_DIR) / "tests/data/statements"
SIGNED = datetime.date(2027, 10, 22)
COUNTRIES = [
    ("JP", "日本"),
    ("KZ", "カザフスタン"),
    ("KG", "キルギス"),
    ("TJ", "タジキスタン"),
    ("TM", "トルクメニスタン"),
    ("UZ", "ウズベキスタン"),
    ("CN", "中国"),
    ("FR", "フランス"),
    ("GB", "英国"),
    ("RU", "ロシア"),
    ("US", "米国"),
    ("LA", "ラオス人民民主共和国"),
    ("TH", "タイ"),
    ("VN", "ベトナム"),
    ("IN", "インド"),
    ("ID", "インドネシア"),
    ("KR", "大韓民国"),
    ("KP", "朝鮮民主主義人民共和国"),
    ("GE", "グルジア"),
    ("MN", "モンゴル国"),
    ("AF", "アフガニスタン"),
]
NAMES = CountryNames(COUNTRIES)
SIX = frozenset({"JP", "KZ", "KG", "TJ", "TM", "UZ"})
FIVE = SIX - {"JP"}
NUCLEAR = frozenset({"CN", "FR", "GB", "RU", "US"})


def context(
    participants=SIX, partner=("JP",), signed_on=SIGNED, themes=None, examples=None
) -> Context:
    participants = frozenset(participants)
    return Context(
        participants=Participants(participants, frozenset(partner) & participants),
        names=NAMES,
        signed_on=signed_on,
        themes=themes if themes is not None else list(rules.THEME_KEYWORDS),
        theme_examples=examples or ThemeExamples(),
    )


def propose(text: str, **kwargs):
    return propose_paragraph(1, text, context(**kwargs))


def only(text: str, **kwargs):
    items = propose(text, **kwargs)
    assert len(items) == 1, [i.text for i in items]
    return items[0]


def dates(text: str, signed_on=SIGNED):
    return [
        (d.text, d.starts_on, d.due_date, d.precision, d.reference)
        for d in find_dates(text, signed_on=signed_on)
    ]


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# Dates, at the precision the text fixes them.


def test_a_year_is_due_on_its_last_day():
    assert dates("２０２９年に開催する") == [("２０２９年", None, day("2029-12-31"), "year", False)]
    assert dates("２０２８年中に開始する")[0][1:4] == (None, day("2028-12-31"), "year")
    assert dates("２０２８年末までに供与する")[0][1:4] == (None, day("2028-12-31"), "year")


def test_a_month_with_its_year_is_due_on_the_months_last_day():
    assert dates("２０２８年２月に開催する")[0][1:4] == (None, day("2028-02-29"), "month")
    assert dates("２０２７年３月末までに取りまとめる")[0][1:4] == (None, day("2027-03-31"), "month")


def test_a_month_without_a_year_is_the_first_such_month_after_signing():
    assert dates("３月までに策定する")[0][1:4] == (None, day("2028-03-31"), "month")
    assert dates("１２月までに策定する")[0][1:4] == (None, day("2027-12-31"), "month")


def test_a_day_range_has_a_start_and_a_due_date_at_day_precision():
    assert dates("２０２８年４月１０日から１２日までアルマティで開催する")[0][1:4] == (
        day("2028-04-10"),
        day("2028-04-12"),
        "day",
    )
    assert dates("２０２８年４月２７日から５月２日にかけて開催される")[0][1:4] == (
        day("2028-04-27"),
        day("2028-05-02"),
        "day",
    )


def test_a_span_of_years_starts_with_the_first_and_ends_with_the_last():
    expected = (day("2028-01-01"), day("2029-12-31"), "year")
    assert dates("２０２８～２０２９年の期間における議長国を務める")[0][1:4] == expected
    assert dates("２０２８～２９年の議長国を務める")[0][1:4] == expected
    assert dates("２０２８年から２０２９年までの２年間に実施する")[0][1:4] == expected


def test_a_japanese_fiscal_year_runs_from_april_to_march():
    assert dates("２０２７年度に導入する")[0][1:4] == (
        day("2027-04-01"),
        day("2028-03-31"),
        "month",
    )


def test_by_the_end_of_a_fiscal_year_has_a_due_date_only():
    for text in ("２０２７年度末までに導入する", "２０２７年度までに導入する"):
        assert dates(text)[0][1:4] == (None, day("2028-03-31"), "month")


def test_a_range_of_fiscal_years():
    expected = (day("2027-04-01"), day("2030-03-31"), "month")
    assert dates("２０２７年度から２０２９年度までの３年間において受け入れる")[0][1:4] == expected
    assert dates("２０２７年度からの３年間で支援を行う")[0][1:4] == expected


def test_a_japanese_era_year():
    assert dates("令和１１年度までに開設する")[0][1:4] == (None, day("2030-03-31"), "month")
    assert dates("令和元年に開始した")[0][2] == day("2019-12-31")


def test_half_a_year():
    assert dates("２０２９年前半に開催する")[0][1:4] == (None, day("2029-06-30"), "month")
    assert dates("２０２９年下半期に開催する")[0][1:4] == (
        day("2029-07-01"),
        day("2029-12-31"),
        "month",
    )


def test_half_of_a_fiscal_year_runs_from_april_or_from_october():
    assert dates("２０２８年度上半期に開催する")[0][1:4] == (
        day("2028-04-01"),
        day("2028-09-30"),
        "month",
    )
    assert dates("２０２８年度後半に開催する")[0][1:4] == (
        day("2028-10-01"),
        day("2029-03-31"),
        "month",
    )


def test_a_range_of_fiscal_years_may_end_with_two_digits():
    assert dates("２０２８～３０年度の３年間で支援を行う")[0][1:4] == (
        day("2028-04-01"),
        day("2031-03-31"),
        "month",
    )


def test_a_season_or_a_quarter_is_a_span_of_months():
    assert dates("２０２８年秋に開催する")[0][1:4] == (
        day("2028-09-01"),
        day("2028-11-30"),
        "month",
    )
    # Winter runs into the next year; a deadline has no start.
    assert dates("２０２８年冬に開催する")[0][1:4] == (
        day("2028-12-01"),
        day("2029-02-28"),
        "month",
    )
    assert dates("２０２８年秋までに策定する")[0][1:4] == (None, day("2028-11-30"), "month")
    # A part that starts with the year is "by its end", as `前半` is.
    assert dates("２０２９年第１四半期に開催する")[0][1:4] == (None, day("2029-03-31"), "month")
    assert dates("２０２９年第３四半期に開催する")[0][1:4] == (
        day("2029-07-01"),
        day("2029-09-30"),
        "month",
    )


def test_a_year_counted_from_the_signing():
    assert dates("本年１２月に開催する")[0][1:4] == (None, day("2027-12-31"), "month")
    assert dates("来年，東京で開催する")[0][1:4] == (None, day("2028-12-31"), "year")
    assert dates("来年度から受け入れる")[0][1:4] == (
        day("2028-04-01"),
        day("2029-03-31"),
        "month",
    )
    # Signed in February, `本年度` is the fiscal year that began the April before.
    assert dates("本年度中に派遣する", signed_on=day("2028-02-10"))[0][1:4] == (
        day("2027-04-01"),
        day("2028-03-31"),
        "month",
    )
    assert dates("昨年に開始した事業")[0][4] is True
    # Without a signing date there is nothing to count from.
    assert dates("来年に開催する", signed_on=None) == []
    assert dates("日本年金機構") == []


def test_the_same_or_the_next_year_is_counted_from_the_year_named_before():
    assert dates("２０２８年１２月から翌年２月にかけて実施する")[0][1:4] == (
        day("2028-12-01"),
        day("2029-02-28"),
        "month",
    )
    assert dates("２０２８年６月に開始し，同年１０月までに完了させる")[1][1:4] == (
        None,
        day("2028-10-31"),
        "month",
    )
    assert dates("同年１０月に開催する") == []  # no year named before


def test_the_same_year_carries_over_to_the_next_coordinated_item():
    items = propose(
        "各国外務大臣は，２０２８年６月に開催される第２回専門家会合，及び同年１０月に開催される"
        "ビジネス・フォーラムを歓迎した。"
    )
    assert [(i.kind, i.due_date) for i in items] == [
        ("scheduled_event", day("2028-06-30")),
        ("scheduled_event", day("2028-10-31")),
    ]


def test_a_span_counted_from_a_month():
    assert dates("２０２９年７月から１年間議長国を務める")[0][1:4] == (
        day("2029-07-01"),
        day("2030-06-30"),
        "month",
    )
    assert dates("２０２８年１１月から６か月間実施する")[0][1:4] == (
        day("2028-11-01"),
        day("2029-04-30"),
        "month",
    )


def test_an_item_about_the_same_event_takes_its_date():
    _forum, delegation = propose(
        "各国外務大臣は，２０２８年５月１０日から１２日まで開催されるビジネス・フォーラムへの"
        "参加を奨励した。日本側は，同フォーラムに企業の代表団を派遣する意向を示した。"
    )
    assert (delegation.starts_on, delegation.due_date, delegation.due_text) == (
        day("2028-05-10"),
        day("2028-05-12"),
        "同フォーラム",
    )
    assert (delegation.kind, delegation.owners) == ("commitment", {"JP"})


def test_a_horizon_counted_from_an_unstated_start_is_kept_as_text():
    item = only("日本側は，今後３年間で，総額１億ドルの支援を行う用意がある旨表明した。")
    assert (item.due_date, item.due_text) == (None, "今後３年間")
    assert vague_horizon("数年以内に開始する") == "数年以内"


def test_an_act_on_the_occasion_of_an_event_takes_the_events_date():
    items = propose(
        "各国外務大臣は，２０２８年９月に開催される国連総会ハイレベル・ウィークに向けて協力する"
        "ことで一致した。また，各国外務大臣は，国連総会ハイレベル・ウィークの機会に外相会合を"
        "開催することを決定した。"
    )
    meeting = items[-1]
    assert (meeting.kind, meeting.due_date, meeting.due_text) == (
        "scheduled_event",
        day("2028-09-30"),
        "国連総会ハイレベル・ウィークの機会に",
    )
    alone = only("各国外務大臣は，国連総会の機会に外相会合を開催することを決定した。")
    assert alone.due_date is None


def test_half_width_digits_read_like_full_width_ones():
    assert dates("2028年4月10日から12日まで開催する")[0][1:4] == (
        day("2028-04-10"),
        day("2028-04-12"),
        "day",
    )


def test_the_date_of_a_past_event_is_a_reference_not_a_deadline():
    # By the verb: signed in the past, even after the statement was signed.
    assert dates("２０２８年９月に署名した協定を歓迎", signed_on=SIGNED)[0][4] is True
    # By the calendar: over before the statement was signed.
    assert dates("２０２６年に開始する事業", signed_on=SIGNED)[0][4] is True
    # Held in the past, over a span that ends after signing.
    assert dates("２０２６～２８年の議長国として行った貢献", signed_on=SIGNED)[0][4] is True


def test_the_date_of_an_event_to_come_is_a_deadline():
    assert dates("２０２８年１１月に開催される締約国会議")[0][4] is False
    assert dates("２０２８年１１月に予定される締約国会議に向けた協力")[0][4] is False


def test_a_year_inside_a_name_is_not_a_date():
    assert dates("ポスト２０３０年アジェンダの策定において協力する") == []


def test_a_date_that_describes_a_thing_is_not_its_deadline():
    assert dates("２０３０年までの行動計画を採択する")[0][4] is True


def test_a_vague_horizon_is_kept_as_text_without_a_date():
    assert vague_horizon("協力を近い将来に一層拡充する") == "近い将来"
    item = only("各国外務大臣は，協定の早期発効に向けて協力していくことで一致した。")
    assert (item.due_date, item.due_precision, item.due_text) == (None, "", "早期")


def test_an_explicit_deadline_wins_over_the_date_of_an_event_it_looks_to():
    item = propose(
        "各国外務大臣は，２０２９年１１月に予定される締約国会議に向け，共同イニシアティブを"
        "２０２９年９月までに立ち上げることを決定した。"
    )[-1]
    assert (item.due_date, item.due_text) == (day("2029-09-30"), "２０２９年９月までに")


# Owners, exactly as the text names them.


def test_each_minister_means_every_participant():
    assert only("各国外務大臣は，協力を継続する意図を確認した。").owners == SIX
    assert only("対話参加各国の代表は，協力を継続する意図を確認した。").owners == SIX


def test_a_region_means_its_members_among_the_participants():
    item = only("中央アジア諸国の外務大臣は，国境管理を強化する意図を表明した。")
    assert item.owners == FIVE
    assert owners_named("中央アジア諸国の外務大臣", NAMES, context().participants) == FIVE
    three = context(participants={"JP", "KZ", "KG", "MN"}).participants
    assert owners_named("中央アジア諸国の外務大臣", NAMES, three) == {"KZ", "KG"}


def test_a_region_without_members_among_the_participants_is_all_but_the_partner():
    participants = context(participants={"JP", "MN", "KR"}, partner=("JP",)).participants
    assert owners_named("中央アジア５か国の外相", NAMES, participants) == {"MN", "KR"}


def test_countries_named_are_exactly_those():
    item = only(
        "キルギス，タジキスタン及びウズベキスタンの外務大臣は，協力を強化する意図を表明した。"
    )
    assert item.owners == {"KG", "TJ", "UZ"}


def test_both_countries_beside_the_countries_listed_are_those_countries():
    item = only(
        "キルギス共和国及びタジキスタン共和国の両国外務大臣は，国境画定作業を２０２８年中に"
        "完了させる意図を表明した。"
    )
    assert item.owners == {"KG", "TJ"}
    # `各国` beside a country still means everyone.
    assert only("日本及び各国の外務大臣は，協力を強化する意図を表明した。").owners == SIX


def test_a_subject_that_points_back_names_the_countries_of_the_subject_before():
    items = propose(
        "キルギス及びタジキスタンの外務大臣は，国境画定の進展を報告した。両国外務大臣は，"
        "残る区間の画定作業を２０２８年中に完了させる意図を表明した。"
    )
    assert [i.owners for i in items] == [{"KG", "TJ"}, {"KG", "TJ"}]
    assert items[1].evidence["owners"] == "両国外務大臣"
    items = propose(
        "ウズベキスタンの外務大臣は，投資環境の改善を報告した。同国外務大臣は，２０２８年に"
        "投資フォーラムを開催する意向を表明した。"
    )
    assert items[1].owners == {"UZ"}
    assert not items[1].text.startswith("同国")


def test_a_new_speaker_inside_a_sentence_owns_what_follows():
    report, offer = propose(
        "キルギス及びタジキスタンの外務大臣は，両国間の送電網の調査を２０２８年度末までに完了"
        "させる予定である旨述べ，日本側は，同調査への技術的助言を行う用意がある旨表明した。"
    )
    assert (report.owners, offer.owners) == ({"KG", "TJ"}, {"JP"})
    assert offer.evidence["owners"] == "日本側"
    # A topic that merely names a country is not a new speaker.
    item = only("各国外務大臣は，日本の支援は，地域の発展に資するとの認識で一致した。")
    assert item.owners == SIX


def test_that_country_again_is_the_doer_named_before():
    chair, coordinator = propose(
        "各国外務大臣は，カザフスタンが２０２８年に議長国を務めることを歓迎し，次回会合までの"
        "間，同国が調整役を担うことを確認した。"
    )
    assert chair.owners == coordinator.owners == {"KZ"}
    assert coordinator.evidence["owners"] == "同国が"


def test_countries_left_out_are_not_owners():
    assert only("日本以外の各国外務大臣は，協力を強化する意図を表明した。").owners == FIVE
    item = only("カザフスタンを除く中央アジア諸国の外務大臣は，協力を強化する意図を表明した。")
    assert item.owners == FIVE - {"KZ"}


def test_a_group_the_rules_do_not_know_is_the_participants_but_the_partner():
    for subject in ("ＡＢＣ諸国の外務大臣", "ＡＢＣ各国の外務大臣", "ＡＢＣ加盟国の外務大臣"):
        assert only(f"{subject}は，協力を強化する意図を表明した。").owners == FIVE, subject


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("キルギス共和国", "KG"),
        ("キルギス", "KG"),
        ("日本国", "JP"),
        ("タイ王国", "TH"),
        ("ラオス", "LA"),
        ("ラオス人民民主共和国", "LA"),
        ("モンゴル", "MN"),
        ("韓国", "KR"),
        ("北朝鮮", "KP"),
        ("ジョージア", "GE"),
        ("アフガニスタン・イスラム共和国", "AF"),
    ],
)
def test_a_country_is_found_in_its_common_japanese_forms(words, code):
    mentions = NAMES.find(f"{words}の外務大臣")
    assert [(m.text, set(m.codes)) for m in mentions] == [(words, {code})]


def test_no_country_is_found_when_the_country_table_is_empty():
    assert CountryNames([]).find("日本の外務大臣") == []


def test_a_country_name_inside_a_longer_word_is_not_that_country():
    assert [set(m.codes) for m in NAMES.find("インドネシアの外相")] == [{"ID"}]
    assert NAMES.find("自由で開かれたインド太平洋") == []
    assert NAMES.find("タイミングを見て") == []


def test_the_nuclear_weapon_states_are_the_five():
    item = only("各国外務大臣は，核兵器国に対し，議定書の義務を誠実に履行するよう求めた。")
    assert item.owners == NUCLEAR


def test_who_the_words_say_does_the_act_owns_the_item():
    item = only(
        "各国外務大臣は，日本がタジキスタンの国境機関に対して２０２８年末までに"
        "機材を供与する意図を有することを歓迎した。"
    )
    assert item.owners == {"JP"}
    assert item.evidence["owners"] == "日本が"


def test_countries_joined_before_the_doers_particle_are_all_owners():
    item = only("各国外務大臣は，日本及び中央アジア諸国が各々進めている取組を歓迎した。")
    assert item.owners == SIX


def test_the_country_thanked_owns_the_item():
    assert only("各国外務大臣は，研修の実施に対し日本政府に謝意を表明した。").owners == {"JP"}
    items = propose(
        "各国外務大臣は，タジキスタン共和国に対し，本会合の開催及び議長国としての貢献に"
        "謝意を表明した。"
    )
    assert {frozenset(i.owners) for i in items} == {frozenset({"TJ"})}


def test_the_country_whose_act_is_thanked_owns_the_item():
    for text in (
        "中央アジア諸国の外務大臣は，日本の支援に謝意を表明した。",
        "中央アジア諸国の外務大臣は，日本からの技術協力に謝意を表明した。",
        "各国外務大臣は，中央アジアの発展に対する日本政府の貢献に感謝した。",
    ):
        assert only(text).owners == {"JP"}, text
    item = only("各国外務大臣は，議長国キルギスの尽力に謝意を表明した。")
    assert (item.owners, item.evidence["owners"]) == ({"KG"}, "キルギスの")
    # Each country's own efforts: nobody in particular.
    assert only("各国外務大臣は，各国の協力に謝意を表明した。").owners == SIX


def test_words_that_name_the_organiser_or_the_parties_name_the_doer():
    assert only("各国外務大臣は，日本の主催による専門家会合を歓迎した。").owners == {"JP"}
    assert only("各国外務大臣は，カザフスタン主催のフォーラムを歓迎した。").owners == {"KZ"}
    assert only("各国外務大臣は，日本によって実施される研修事業を歓迎した。").owners == {"JP"}
    item = only(
        "各国外務大臣は，カザフスタン，キルギス及びウズベキスタンの間で電力融通に関する協定が"
        "締結される見込みであることを歓迎した。"
    )
    assert item.owners == {"KZ", "KG", "UZ"}
    item = only("各国外務大臣は，日本とウズベキスタンの間の査証緩和措置の導入を歓迎した。")
    assert item.owners == {"JP", "UZ"}


def test_a_perpetrator_or_a_country_in_a_state_is_not_a_doer():
    item = only("各国外務大臣は，北朝鮮による拉致問題の即時解決の必要性を確認した。")
    assert item.owners == SIX
    item = only(
        "各国外務大臣は，アフガニスタンが直面する人道上の課題への支援を継続していく意図を確認した。"
    )
    assert item.owners == SIX


def test_each_country_after_a_group_that_acts_is_that_group():
    first, second = propose(
        "各国外務大臣は，中央アジア諸国が署名した協定を歓迎し，同協定の早期発効に向けて各国が"
        "国内手続を完了させることへの期待を表明した。"
    )
    assert first.owners == second.owners == FIVE


def test_a_country_called_upon_after_a_concern_owns_the_call():
    item = only(
        "各国外務大臣は，北朝鮮による核・ミサイル開発に深刻な懸念を表明し，北朝鮮に対し，"
        "関連する決議を完全に遵守するよう求めた。",
    )
    assert (item.owners, item.evidence["owners"]) == ({"KP"}, "北朝鮮に対し")


def test_a_country_called_upon_owns_the_item_as_a_commitment():
    item = only("各国外相は，北朝鮮に対し，関連する決議を完全に遵守するよう求めた。")
    assert (item.owners, item.kind, item.strength) == ({"KP"}, "commitment", "support")


def test_a_doer_in_a_clause_that_is_only_considered_does_not_own_the_item():
    item = only(
        "各国外務大臣は，アフガニスタンが困難な状況にあることを考慮し，地域の安定に向けて"
        "取り組む重要性を指摘した。"
    )
    assert item.owners == SIX


def test_coordinated_undertakings_share_the_doer_named_first():
    items = propose(
        "各国外務大臣は，カザフスタンが２０２８～２０２９年の期間における次期議長国を務める"
        "こと，及び２０２９年前半にアスタナで第１２回外相会合を開催することを決定した。"
    )
    assert [(i.owners, i.kind) for i in items] == [
        ({"KZ"}, "commitment"),
        ({"KZ"}, "scheduled_event"),
    ]


def test_the_host_country_owns_an_event_and_the_speakers_the_preparation_for_it():
    event, preparation = propose(
        "各国外務大臣は，２０２８年３月に日本で開催される防災会議に向けて緊密に協力していく"
        "ことで一致した。"
    )
    assert (event.kind, event.owners) == ("scheduled_event", {"JP"})
    assert (preparation.kind, preparation.owners) == ("commitment", SIX)
    assert event.due_date == preparation.due_date == day("2028-03-31")


def test_a_city_where_an_event_others_hold_takes_place_names_its_host():
    event, _preparation = propose(
        "各国外務大臣は，２０２８年５月にタシケントで開催される国際会議の成功に向けて協力する"
        "ことで一致した。"
    )
    assert (event.kind, event.owners) == ("scheduled_event", {"UZ"})
    assert event.evidence["owners"] == "タシケントで開催される"
    # A host that is not a participant leaves the event to the speakers.
    event, _preparation = propose(
        "各国外務大臣は，２０２８年５月にジュネーブで開催される国際会議に向けて協力することで"
        "一致した。"
    )
    assert event.owners == SIX


def test_an_event_followed_by_what_is_done_at_it_or_for_it_is_an_item_of_its_own():
    for joint in ("の成功に向け協力する", "において野心的な成果が得られるよう協力していく"):
        event, work = propose(
            f"各国外務大臣は，２０２８年１１月に開催される締約国会議{joint}ことで一致した。"
        )
        assert (event.kind, work.kind) == ("scheduled_event", "commitment"), joint
        assert event.due_date == work.due_date == day("2028-11-30")


def test_an_event_held_before_another_act_is_a_scheduled_event():
    item = only(
        "各国外務大臣は，２０２８年に高級事務レベル協議をアルマティで開催し，本声明の実施状況を"
        "点検することとした。"
    )
    assert (item.kind, item.strength) == ("scheduled_event", "decision")


def test_an_event_the_speakers_decide_to_hold_somewhere_is_theirs():
    for place in ("ビシュケク", "キルギス"):
        item = only(f"各国外務大臣は，次回会合を２０２９年に{place}で開催することで一致した。")
        assert (item.kind, item.owners) == ("scheduled_event", SIX), place


def test_an_expectation_belongs_to_those_who_act():
    signature, ratification = propose(
        "各国外務大臣は，核兵器国が議定書に署名したことを歓迎し，その早期発効への期待を表明した。"
    )
    assert signature.owners == ratification.owners == NUCLEAR
    assert ratification.kind == "commitment"


# Strength, from the diplomatic verb.


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("常設の事務局を設置することを決定した。", "decision"),
        ("行動計画を採択した。", "decision"),
        ("フォーラムを開催することとした。", "decision"),
        ("協力を強化する意図を表明した。", "intention"),
        ("協力を継続する意図を確認した。", "intention"),
        ("研修員を受け入れる用意がある旨表明した。", "intention"),
        ("建設を開始する予定である旨表明した。", "intention"),
        ("協議を継続することで一致した。", "agreement"),
        ("報告書を取りまとめることで合意した。", "agreement"),
        ("立候補に対し支持を表明した。", "support"),
        ("会議の成功を歓迎した。", "welcome"),
        ("成果を高く評価した。", "welcome"),
        ("支援に謝意を表明した。", "welcome"),
        ("進展に満足の意を表明した。", "welcome"),
        ("課題であることに留意した。", "note"),
        ("支援を継続することを約束した。", "intention"),
        ("同イニシアティブに賛同した。", "support"),
        ("合意の成立に歓迎の意を表明した。", "welcome"),
        ("協力の方向性について意見の一致をみた。", "agreement"),
        ("取組を主導していく決意を共有した。", "intention"),
        ("一方的な現状変更の試みに強く反対した。", "note"),
        ("重要性を認識した。", "note"),
    ],
)
def test_the_strength_comes_from_the_verb(text, strength):
    assert strength_of(text)[0] == Strength(strength)
    assert only("各国外務大臣は，" + text).strength == strength


def test_strengths_are_ordered_firmest_first_as_in_the_choices():
    assert list(rules.STRENGTH_CUES) == list(Strength)


def test_a_decision_reported_in_the_object_is_not_the_speakers_decision():
    item = only("各国外務大臣は，日本が支援を決定したことを歓迎した。")
    assert item.strength == "welcome"


def test_an_intention_welcomed_is_an_intention():
    item = only("各国外務大臣は，日本が２０２８年に会合を主催する意図を有することを歓迎した。")
    assert item.strength == "intention"


def test_an_adverb_inside_a_verb_phrase_does_not_hide_it():
    assert strength_of("日本の常任理事国入りへの支持を改めて表明した。")[0] == Strength.SUPPORT


def test_an_adverb_inside_a_joining_verb_still_cuts_the_sentence():
    support, work = propose(
        "各国外務大臣は，ウクライナの主権に対する支持を改めて表明し，公正な平和の実現に向けて"
        "連携していくことで一致した。"
    )
    assert (support.strength, work.strength) == ("support", "agreement")


def test_overlapping_verbs_read_as_the_whole_phrase():
    assert strength_of("主権に対する支持を再確認し，")[0] == Strength.SUPPORT
    assert strength_of("協力を継続する意図を確認した。")[0] == Strength.INTENTION


def test_what_was_only_said_counts_when_no_other_verb_does():
    assert strength_of("会議を共催する旨表明した。")[0] == Strength.INTENTION
    assert strength_of("常任理事国入りを引き続き支持すると述べた。")[0] == Strength.SUPPORT


# Kinds.


def test_holding_an_event_is_a_scheduled_event():
    assert only("各国外務大臣は，２０２９年にハノイで外相会合を開催する意図を表明した。").kind == (
        "scheduled_event"
    )


def test_welcoming_what_was_done_is_an_acknowledgement():
    item = only("各国外務大臣は，日本が実施した研修を高く評価した。")
    assert (item.kind, item.owners) == ("acknowledgement", {"JP"})


def test_an_undertaking_with_a_deadline_or_a_deliverable_is_a_commitment():
    assert only("各国外務大臣は，２０２８年３月までに事務局を設置することを決定した。").kind == (
        "commitment"
    )
    assert only("各国外務大臣は，同協定を着実に実施していくことで一致した。").kind == "commitment"


def test_continuing_to_cooperate_is_ongoing_cooperation():
    assert only("各国外務大臣は，麻薬対策における協力を継続していくことで一致した。").kind == (
        "ongoing_cooperation"
    )


# One item per undertaking.


def test_a_paragraph_with_several_verbs_gives_several_items():
    items = propose(
        "各国外務大臣は，新たな協力枠組みの発足を歓迎し，その運営に関する細則を２０２８年３月"
        "までに策定することを決定した。また，各国外務大臣は，協力を拡大していく意思を確認した。"
    )
    assert [(i.ref, i.kind, i.strength) for i in items] == [
        ("1.1", "acknowledgement", "welcome"),
        ("1.2", "commitment", "decision"),
        ("1.3", "ongoing_cooperation", "intention"),
    ]


def test_a_chair_a_meeting_and_three_events_give_five_items():
    items = propose(
        "各国外相は，ラオスが２０２７～２０２８年の期間における次期議長国を務めること，及び"
        "２０２８年にラオスで第２０回外相会議を開催する意図を有することを歓迎した。各国外相は，"
        "２０２７年に，「高級実務者会合」，「専門家会合」及び「ビジネス・フォーラム」を開催する"
        "意図を表明した。",
        participants={"JP", "LA", "TH", "VN"},
    )
    everyone = {"JP", "LA", "TH", "VN"}
    assert [(i.kind, i.owners, str(i.starts_on), str(i.due_date), i.strength) for i in items] == [
        ("commitment", {"LA"}, "2027-01-01", "2028-12-31", "welcome"),
        ("scheduled_event", {"LA"}, "None", "2028-12-31", "intention"),
        ("scheduled_event", everyone, "None", "2027-12-31", "intention"),
        ("scheduled_event", everyone, "None", "2027-12-31", "intention"),
        ("scheduled_event", everyone, "None", "2027-12-31", "intention"),
    ]
    assert [i.title_ja for i in items[2:]] == [
        "「高級実務者会合」の開催（２０２７年）",
        "「専門家会合」の開催（２０２７年）",
        "「ビジネス・フォーラム」の開催（２０２７年）",
    ]


def test_a_note_joined_to_another_clause_is_its_reason_not_an_item():
    item = only(
        "各国外務大臣は，気候変動への適応が喫緊の課題であることに留意し，２０２８年までに"
        "行動計画を策定することを決定した。"
    )
    assert (item.strength, item.kind) == ("decision", "commitment")


def test_a_clause_that_points_back_joins_the_item_before():
    item = only("各国外務大臣は，日本が国際社会に貢献していく意図を高く評価し，これを支持した。")
    assert (item.owners, item.strength) == ({"JP"}, "support")


def test_a_sentence_without_a_verb_of_its_own_joins_the_item_before():
    items = propose(
        "各国外務大臣は，国連改革が喫緊の課題であることで一致した。特に，安保理改革が"
        "必要であると考えられる。"
    )
    assert len(items) == 1
    assert items[0].text.endswith("必要であると考えられる。")


def test_every_value_carries_the_words_it_came_from():
    item = only("中央アジア諸国の外務大臣は，２０２８年度に協力を強化する意図を表明した。")
    assert item.evidence["owners"] == "中央アジア諸国の外務大臣"
    assert item.evidence["date"] == "２０２８年度"
    assert item.evidence["strength"] == "意図を表明"
    assert item.text in item.row("x")["evidence"]


# Themes.


def test_the_theme_is_the_one_whose_words_the_item_uses_most():
    assert only("各国外務大臣は，防災分野の協力を強化する意図を確認した。").theme == (
        "disaster-risk-reduction"
    )


def test_a_theme_missing_from_the_database_is_never_proposed():
    item = only(
        "各国外務大臣は，防災分野の協力を強化する意図を確認した。",
        themes=["dialogue", "agriculture"],
    )
    assert item.theme in {"dialogue", "agriculture"}


def test_a_theme_is_learnt_from_the_most_similar_item_a_person_has_themed(english):
    examples = ThemeExamples.from_items(
        [
            ("氷河の保全に関する共同調査の実施", "environment", "earlier 3.1"),
            ("鉄道の新規区間の建設開始", "trade-transport", "earlier 5.1"),
        ]
    )
    # The keywords know neither glaciers nor railways: the most similar item decides.
    item = only(
        "各国外務大臣は，氷河の保全に関する共同調査を実施することで一致した。", examples=examples
    )
    assert (item.theme, item.evidence["theme"]) == ("environment", "like earlier 3.1")
    item = only("各国外務大臣は，鉄道の新規区間の建設を開始する意図を表明した。", examples=examples)
    assert item.theme == "trade-transport"


def test_the_keywords_decide_when_no_themed_item_is_similar_enough():
    examples = ThemeExamples.from_items([("氷河の保全に関する共同調査の実施", "environment", "x")])
    item = only("各国外務大臣は，防災分野の協力を強化する意図を確認した。", examples=examples)
    assert item.theme == "disaster-risk-reduction"
    assert ThemeExamples().theme_of("防災分野の協力") is None


def test_a_learnt_theme_missing_from_the_database_is_never_proposed():
    examples = ThemeExamples.from_items([("氷河の保全に関する共同調査の実施", "glaciers", "x")])
    item = only(
        "各国外務大臣は，氷河の保全に関する共同調査を実施することで一致した。", examples=examples
    )
    assert item.theme != "glaciers"


def test_themes_are_learnt_from_the_items_of_the_other_documents(db, english):
    glaciers = ThemeFactory(slug="glaciers")
    railways = ThemeFactory(slug="railways")
    earlier = ParagraphFactory(text="各国外務大臣は，氷河の保全で協力することで一致した。")
    themed = ActionItemFactory(
        paragraph=earlier, title_ja="氷河の保全に関する共同調査", theme=glaciers
    )
    document = DocumentFactory()
    own = ParagraphFactory(section__document=document)
    ActionItemFactory(paragraph=own, title_ja="氷河の保全に関する共同調査", theme=railways)

    found = document_context(document).theme_examples.theme_of("氷河の保全に関する共同調査")
    assert found == ("glaciers", f"{earlier.document.slug} {themed.ref}")


# The proposer's code holds no text of the 2014 statement.


def test_no_text_of_the_2014_statement_is_in_the_proposers_code():
    source = Path(settings.BASE_DIR) / "fixtures/sources/2014-bishkek-joint-statement.ja.txt"
    statement = re.sub(r"\s", "", source.read_text(encoding="utf-8"))
    code_files = [
        *sorted((Path(settings.BASE_DIR) / "commitments/ingestion").glob("*.py")),
        Path(settings.BASE_DIR) / "commitments/management/commands/propose_items.py",
    ]
    length = 10  # generic words (`各国外務大臣は，`) are shorter
    for path in code_files:
        code = path.read_text(encoding="utf-8")
        runs = {
            code[i : i + length]
            for i in range(len(code) - length)
            if not re.search(r"[\s\x00-\x7f]", code[i : i + length])
        }
        assert not [run for run in runs if run in statement], path.name


def test_no_text_of_a_benchmark_statement_is_in_the_proposers_code():
    """The statements bench/proposals.py measures the rules on must not be written into them,
    or the measurement says nothing about text the rules have not seen."""
    code_files = [
        *sorted((Path(settings.BASE_DIR) / "commitments/ingestion").glob("*.py")),
        Path(settings.BASE_DIR) / "commitments/management/commands/propose_items.py",
    ]
    length = 10
    for source in sorted(DATA.glob("*.ja.txt")):
        statement = re.sub(r"\s", "", source.read_text(encoding="utf-8"))
        for path in code_files:
            code = path.read_text(encoding="utf-8")
            runs = {
                code[i : i + length]
                for i in range(len(code) - length)
                if not re.search(r"[\s\x00-\x7f]", code[i : i + length])
            }
            assert not [run for run in runs if run in statement], (source.name, path.name)


# propose_items on stored statements.


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def reference_data(db):
    call_command(
        "loaddata",
        str(settings.BASE_DIR / "fixtures/01_countries.json"),
        str(settings.BASE_DIR / "fixtures/02_themes.json"),
        verbosity=0,
    )


def import_fictional(slug: str) -> Document:
    call_command("import_statement", str(DATA / f"{slug}.ja.txt"), slug=slug, stdout=io.StringIO())
    return Document.objects.get(slug=slug)


def propose_rows(slug: str, tmp_path: Path) -> tuple[bytes, list[dict]]:
    path = tmp_path / "proposed.csv"
    call_command("propose_items", slug, output=str(path), stderr=io.StringIO())
    raw = path.read_bytes()
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_propose_items_writes_the_import_columns_plus_strength_and_evidence(
    reference_data, tmp_path
):
    import_fictional("mekong-fmm19-2026")
    raw, rows = propose_rows("mekong-fmm19-2026", tmp_path)

    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[: len(COLUMNS)] == COLUMNS
    assert header[len(COLUMNS) :] == [c for c in ("strength", "evidence") if c not in COLUMNS]
    assert "strength" in header
    assert {row["status"] for row in rows} == {"not_assessed"}
    assert len({row["ref"] for row in rows}) == len(rows)
    assert all(row["title_ja"] and row["owners"] and row["evidence"] for row in rows)
    assert {row["strength"] for row in rows} <= set(Strength.values)


def test_propose_items_reads_owners_dates_and_strength_of_an_unseen_statement(
    reference_data, tmp_path
):
    import_fictional("mekong-fmm19-2026")
    _raw, rows = propose_rows("mekong-fmm19-2026", tmp_path)
    by_words = {row["evidence"].split(" | ")[0]: row for row in rows}
    plan = next(row for words, row in by_words.items() if "適応行動計画" in words)
    assert (plan["owners"], plan["due_date"], plan["due_precision"], plan["strength"]) == (
        "JP;KH;LA;MM;TH;VN",
        "2028-12-31",
        "year",
        "decision",
    )
    flood = next(row for words, row in by_words.items() if "洪水予測" in words)
    assert (flood["owners"], flood["starts_on"], flood["due_date"]) == (
        "JP",
        "2027-04-01",
        "2028-03-31",
    )
    customs = next(row for words, row in by_words.items() if "通関手続" in words)
    assert customs["owners"] == "KH;LA;VN"


def test_propose_items_gives_paragraph_25_of_2014_five_items(db, tmp_path):
    call_command(
        "loaddata",
        *(str(settings.BASE_DIR / "fixtures" / f) for f in ("01_countries.json", "02_themes.json", "10_caj-fmm5-2014.json")),
        verbosity=0,
    )  # fmt: skip
    _raw, rows = propose_rows("caj-fmm5-2014", tmp_path)
    paragraph_25 = [row for row in rows if row["paragraph"] == "25"]
    assert [
        (r["kind"], r["owners"], r["starts_on"], r["due_date"], r["due_precision"], r["strength"])
        for r in paragraph_25
    ] == [
        ("commitment", "TM", "2015-01-01", "2016-12-31", "year", "welcome"),
        ("scheduled_event", "TM", "", "2016-12-31", "year", "intention"),
        ("scheduled_event", "JP;KG;KZ;TJ;TM;UZ", "", "2015-12-31", "year", "intention"),
        ("scheduled_event", "JP;KG;KZ;TJ;TM;UZ", "", "2015-12-31", "year", "intention"),
        ("scheduled_event", "JP;KG;KZ;TJ;TM;UZ", "", "2015-12-31", "year", "intention"),
    ]


def test_propose_items_writes_to_standard_output(reference_data):
    import_fictional("caj-fmm11-2027")
    out = io.StringIO()
    call_command("propose_items", "caj-fmm11-2027", stdout=out, stderr=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows and rows[0]["document"] == "caj-fmm11-2027"


def test_propose_items_refuses_an_unknown_document(db, english):
    with pytest.raises(CommandError, match="There is no document nowhere"):
        call_command("propose_items", "nowhere", stderr=io.StringIO())


def test_propose_items_writes_nothing_to_the_database(reference_data, tmp_path):
    import_fictional("caj-fmm11-2027")
    propose_rows("caj-fmm11-2027", tmp_path)
    assert ActionItem.objects.count() == 0


# The 2014 fixture's strengths.


def test_every_2014_item_has_a_strength(db):
    call_command(
        "loaddata",
        *(str(settings.BASE_DIR / "fixtures" / f) for f in ("01_countries.json", "02_themes.json", "10_caj-fmm5-2014.json")),
        verbosity=0,
    )  # fmt: skip
    strengths = dict(ActionItem.objects.values_list("ref", "strength"))
    assert len(strengths) == 58
    assert set(strengths.values()) <= set(Strength.values)
    assert "" not in strengths.values()
    assert (strengths["24.1"], strengths["25.2"], strengths["17.1"], strengths["9.1"]) == (
        "decision",
        "intention",
        "support",
        "note",
    )
