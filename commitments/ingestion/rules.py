"""Every vocabulary the proposer reads, as data: edit here, not in the code.

Nothing here is taken from any one statement: these are the words joint statements in
Japanese use in general. `tests/test_proposals.py` has a test per rule, and
`bench/proposals.py` measures them on statements they were not written from.
"""

from __future__ import annotations

from commitments.choices import Kind, Strength

# Commitment strength, read from the diplomatic verb. Each phrase is matched literally; the
# firmest strength found in an item's words wins. A cue that is a finished act reported in the
# object (`…を決定したことを称賛した`: somebody else's past decision) does not count: see
# REPORTED_AFTER.
STRENGTH_CUES: dict[Strength, tuple[str, ...]] = {
    Strength.DECISION: (
        "決定した",
        "決定し，",
        "決定し、",
        "採択した",
        "採択し，",
        "採択し、",
        "こととした",
        "こととする",
    ),
    Strength.INTENTION: (
        "意図を表明",
        "意図を確認",
        "意図を有する",
        "意図を示",
        "意思を確認",
        "意思を表明",
        "意向を表明",
        "意向を示",
        "用意がある",
        "用意を表明",
        "予定である",
        "予定であ",
        "決意を新たに",
        "決意を表明",
        "決意を確認",
        "考えを表明",
        "決意を共有",
        "約束した",
        "約束し，",
        "約束し、",
    ),
    Strength.AGREEMENT: (
        "一致した",
        "一致し，",
        "一致し、",
        "合意した",
        "合意し，",
        "合意し、",
        "確認した",
        "確認し，",
        "確認し、",
        "確認するとともに",
        "申し合わせた",
        "一致をみた",
    ),
    Strength.SUPPORT: (
        "支持を表明",
        "支持を再確認",
        "支持を確認",
        "支持した",
        "支持し，",
        "支持し、",
        "支持する",
        "期待を表明",
        "期待を示",
        "求めた",
        "要請した",
        "奨励した",
        "呼びかけた",
        "促した",
        "賛同した",
        "賛同し，",
        "賛同し、",
    ),
    Strength.WELCOME: (
        "歓迎した",
        "歓迎し，",
        "歓迎し、",
        "歓迎する",
        "評価した",
        "評価し，",
        "評価し、",
        "謝意を表明",
        "謝意を表し",
        "感謝の意を表明",
        "感謝した",
        "満足の意を表明",
        "祝意を表明",
        "称賛した",
        "賞賛した",
        "歓迎の意を表",
    ),
    Strength.NOTE: (
        "留意した",
        "留意し，",
        "留意し、",
        "認識した",
        "認識し，",
        "認識し、",
        "認識を共有",
        "指摘した",
        "指摘し，",
        "指摘し、",
        "指摘しつつ",
        "強調した",
        "強調し，",
        "強調し、",
        "懸念を表明",
        "報告した",
        "反対した",
        "反対し，",
        "反対し、",
        "非難した",
        "非難し，",
        "非難し、",
    ),
}
# Verbs that only say something was said (`…する旨表明した`, `…すると述べた`): an undertaking
# stated for the future, read only where no other cue is found.
FALLBACK_CUES: dict[Strength, tuple[str, ...]] = {
    Strength.INTENTION: ("旨表明", "旨述べた", "すると述べた", "と表明した"),
}
# Cues of an expectation of others: its owners are who the sentence said acts (`Ｘが協定に
# 署名した旨に言及し，その早期発効への期待を表明した`).
EXPECTATIONS = ("期待",)
# Adverbs that may stand inside a cue: `支持を重ねて表明した` is `支持を表明した`.
CUE_ADVERBS = ("改めて", "強く", "深く", "心から", "重ねて", "一致して", "高く", "全面的に")
# A cue followed by one of these reports a finished act inside the object, not the speakers'
# own verb: `決定したことに留意した`. Cues of intention are not finished acts and still count
# (`Ｘが会合を主催する意図を有する旨を称賛した` is the host's intention).
REPORTED_AFTER = ("こと", "旨", "の")

# A sentence is cut into items after the speakers' own verbs in their joining form
# (`歓迎し，`, `確認するとともに，`). Other joining verbs (`考慮し，`, `踏まえ，`) do not cut.
CLAUSE_BREAKS = (
    "ともに，",
    "ともに、",
    "つつ，",
    "つつ、",
)
# Words that open a sentence without being its subject.
LEADING_CONNECTIVES = (
    "また，",
    "また、",
    "この関連で，",
    "この関連で、",
    "この関係で，",
    "この関係で、",
    "さらに，",
    "さらに、",
    "特に，",
    "特に、",
    "同時に，",
    "同時に、",
    "他方，",
    "他方、",
)
# An item whose words start like this points back at the one before (`これを支持した`).
ANAPHORA = ("これを", "これに", "これらを", "これらに")
# Joining verbs that subordinate what comes before them: a doer named there did not do the
# act the item is about (`Ｘの政情を考慮し，…`).
SUBORDINATE_BREAKS = ("考慮し，", "考慮し、", "踏まえ，", "踏まえ、", "の下，", "の下、")

# Coordinated undertakings inside one clause: `…就任すること，及び…開催すること`,
# `…の開催，及び…貢献に謝意`. Only with a comma before the conjunction, and outside brackets.
COORDINATIONS = ("，及び", "、及び", "，並びに", "、並びに", "こと及び")

# Events: a clause about holding one is a scheduled event; a list of events held together
# gives one item each.
EVENT_VERBS = (
    "開催する",
    "開催される",
    "開催することとした",
    "開催し，",
    "開催し、",
    "共催する",
    "主催する",
)
PAST_EVENT_VERBS = ("開催された", "開催した", "共催した", "主催した")
EVENT_NOUNS = (
    "会合",
    "会議",
    "対話",
    "フォーラム",
    "サミット",
    "総会",
    "シンポジウム",
    "セミナー",
    "イベント",
    "ワークショップ",
    "選挙",
    "協議",
)
# `…に向けて` after an event: preparation for it, an undertaking of its own; `…において` after
# an event: something to be done at it.
TOWARDS_EVENT = (
    "に向けて",
    "に向けた",
    "に向け，",
    "に向け、",
    "に向け",
    "の準備に向けて",
    "の成功に向けて",
    "の成功に向け",
    "において",
)
# `…に開催される<会議>` and `…に予定される<会議>` name an event to come.
COMING_EVENT = ("開催される", "予定される")
EVENT_LIST_SEPARATORS = ("，", "、", "及び", "並びに")

# Kinds. Checked in this order after the event rule; the first that applies wins.
# A deliverable (something that can be done and checked) makes an item a commitment.
DELIVERABLE_WORDS = (
    "設置",
    "設立",
    "創設する",
    "策定",
    "署名する",
    "批准",
    "発効",
    "履行",
    "実施していく",
    "完全に実施",
    "着実に実施",
    "実施する",
    "供与する",
    "受け入れる",
    "支援を行う",
    "支援する",
    "取りまとめ",
    "完了させる",
    "開始する",
    "就任",
    "務める",
    "遵守",
    "導入",
    "採択した",
    "派遣する",
)
# Looking back: an act already done, named as a thing (`…したこと`, `実施された研修`).
PAST_ACT_PATTERN = r"(?:したこと|されたこと|ったこと|てきたこと|された(?=[一-龯ァ-ヺ「]))"
ONGOING_WORDS = ("継続", "強化", "推進", "促進", "拡大", "発展させる", "協力", "取り組む", "必要性")

# Which kinds are read from which strengths when nothing else decides.
KIND_BY_STRENGTH: dict[Strength, Kind] = {
    Strength.DECISION: Kind.COMMITMENT,
    Strength.INTENTION: Kind.ONGOING_COOPERATION,
    Strength.AGREEMENT: Kind.ONGOING_COOPERATION,
    Strength.SUPPORT: Kind.ONGOING_COOPERATION,
    Strength.WELCOME: Kind.ACKNOWLEDGEMENT,
    Strength.NOTE: Kind.ONGOING_COOPERATION,
}

# Who did an act, when the words thank or call on a country rather than name it as subject.
THANKS = ("謝意", "感謝")
# `日本の支援に謝意`, `日本からの技術協力に感謝`: the country whose act is thanked did it.
THANKED_POSSESSIVES = ("政府からの", "からの", "政府の", "の")
ASKS = ("求めた", "要請した", "促した", "呼びかけた")
THANKED_PARTICLES = ("に謝意", "政府に謝意", "に感謝", "政府に感謝")
# `日本で実施された研修`: the country where a past act took place did it.
PLACE_OF_PAST_ACT_PATTERN = r"で(?:実施|開催|行われ|設置)(?:され)?た"
# `北朝鮮による拉致`, `ロシアによる侵略`: whoever commits these is not doing the item's act.
PERPETRATED_ACTS = (
    "拉致",
    "侵略",
    "侵攻",
    "攻撃",
    "占領",
    "核・ミサイル",
    "核実験",
    "ミサイル発射",
    "弾道ミサイル",
    "挑発",
    "威圧",
    "違反",
)
# `ウクライナが直面する課題`: a country in a state, not doing an act.
STATE_AFTER_DOER = ("直面", "抱える", "抱えて", "置かれ", "にある", "であること", "位置する")

# Events and their hosts. `Ｘで開催される会議` (said of an event others hold) is the host's;
# `次回会合をＸで開催する` (the speakers' own decision) stays the speakers'. A host that is not
# a participant (`ジュネーブで開かれる`) leaves the event to the speakers.
HOSTED_PATTERN = r"(?:で|において)[^。，、]{0,30}?(?:開催される|開かれる|行われる|実施される)"

# Who speaks. The subject of a sentence is what comes before its first `は，`.
# Words meaning every participant of the document.
ALL_PARTICIPANTS = (
    "各国外務大臣",
    "各国外相",
    "各国首脳",
    "各国代表",
    "対話参加各国",
    "参加各国",
    "参加国",
    "全参加国",
    "両首脳",
    "両外相",
    "両国",
    "双方",
    "我々",
)
# Words in a subject that point back at the countries of the subject before: `ラオス及びタイの
# 外相は，…。両国外相は，…`. The number is how many countries they name.
ANAPHORIC_SUBJECTS = {"両国": 2, "双方": 2, "同国": 1, "三か国": 3, "３か国": 3}
# A subject may change inside a sentence (`…旨述べ，日本側は，…`): only to words that end like
# a speaker, or that are a country's name alone.
SPEAKER_ENDINGS = ("側", "政府", "大臣", "外相", "首脳", "代表", "首相", "大統領")
# `同国が`, `両国による` after a doer was named: that doer again.
ANAPHORIC_DOERS = {"同国": 1, "両国": 2}
# `日本以外の各国外務大臣`, `カザフスタンを除く中央アジア諸国`: countries left out.
EXCLUSIONS = ("以外の", "を除く", "を除いた")
# Words for one's own government, after a country name: `日本側`, `日本政府`, `日本国外務大臣`.
GOVERNMENT_SUFFIXES = ("側", "政府", "外務大臣", "外相", "首相", "大統領", "代表")

# Regions, by the members they may have. A region's owners are its members among the
# document's participants. Used for `メコン諸国の外相`, `中央アジア５か国`.
REGIONS: dict[str, tuple[str, ...]] = {
    "中央アジア": ("KZ", "KG", "TJ", "TM", "UZ"),
    "メコン": ("KH", "LA", "MM", "TH", "VN"),
    "ＡＳＥＡＮ": ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"),
    "東南アジア": ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"),
    "南コーカサス": ("AM", "AZ", "GE"),
    "コーカサス": ("AM", "AZ", "GE"),
    "バルト": ("EE", "LV", "LT"),
    "北欧": ("DK", "FI", "IS", "NO", "SE"),
    "ＧＵＡＭ": ("GE", "UA", "AZ", "MD"),
    "太平洋島嶼": (
        "CK",
        "FJ",
        "FM",
        "KI",
        "MH",
        "NR",
        "NU",
        "PG",
        "PW",
        "SB",
        "TO",
        "TV",
        "VU",
        "WS",
    ),
}
# How a region is named as a group of countries: `中央アジア諸国`, `メコン地域諸国`, `中央アジア５か国`.
REGION_GROUP_SUFFIXES = ("地域諸国", "諸国", "各国", "の国々")
REGION_COUNT_RE = r"[0-9０-９一二三四五六七八九十]+か国"
# A subject naming a group the rules do not know (`Ｘ諸国の外務大臣`) means the participants
# other than the partner the meeting is named after.
UNKNOWN_GROUP_RE = r"[^\s，、。「」]{1,15}?(?:地域諸国|諸国|加盟国|の国々)"

# Groups of countries named by what they are, not by a region.
GROUPS: dict[str, tuple[str, ...]] = {
    "核兵器国": ("CN", "FR", "GB", "RU", "US"),
    "安保理常任理事国": ("CN", "FR", "GB", "RU", "US"),
    "Ｇ７": ("CA", "FR", "DE", "IT", "JP", "GB", "US"),
    "G7": ("CA", "FR", "DE", "IT", "JP", "GB", "US"),
}

# Country names. The Country table's `name_ja` is the base; official names add a suffix
# (`キルギス共和国`, `タイ王国`), and some countries go by another common form.
COUNTRY_SUFFIXES = (
    "社会主義共和国",
    "人民民主共和国",
    "民主人民共和国",
    "イスラム共和国",
    "連邦民主共和国",
    "連邦共和国",
    "民主共和国",
    "人民共和国",
    "共和国",
    "王国",
    "大公国",
    "公国",
    "連邦",
    "合衆国",
    "国",
)
COUNTRY_ALIASES: dict[str, str] = {
    "韓国": "KR",
    "北朝鮮": "KP",
    "米国": "US",
    "アメリカ": "US",
    "英国": "GB",
    "イギリス": "GB",
    "豪州": "AU",
    "オーストラリア": "AU",
    "ジョージア": "GE",
    "グルジア": "GE",
    "ロシア": "RU",
    "中国": "CN",
    "トルコ": "TR",
    "トルキエ": "TR",
    "ベトナム": "VN",
    "ラオス": "LA",
}
# Cities where events are held, by country: the host of `タシケントで開催される会議`. Capitals and
# the usual venues of international meetings; a city here never makes its country an owner by
# being merely mentioned.
CITIES: dict[str, str] = {
    # Japan
    "東京": "JP",
    "大阪": "JP",
    "京都": "JP",
    "横浜": "JP",
    "名古屋": "JP",
    "神戸": "JP",
    "広島": "JP",
    "長崎": "JP",
    "仙台": "JP",
    "福岡": "JP",
    "札幌": "JP",
    "沖縄": "JP",
    "新潟": "JP",
    # Asia
    "北京": "CN",
    "上海": "CN",
    "ソウル": "KR",
    "釜山": "KR",
    "平壌": "KP",
    "ウランバートル": "MN",
    "台北": "TW",
    "香港": "HK",
    "マニラ": "PH",
    "ジャカルタ": "ID",
    "バリ": "ID",
    "クアラルンプール": "MY",
    "シンガポール": "SG",
    "バンコク": "TH",
    "ハノイ": "VN",
    "ホーチミン": "VN",
    "ビエンチャン": "LA",
    "プノンペン": "KH",
    "シェムリアップ": "KH",
    "ネーピードー": "MM",
    "ヤンゴン": "MM",
    "バンダルスリブガワン": "BN",
    "ディリ": "TL",
    "ニューデリー": "IN",
    "デリー": "IN",
    "ダッカ": "BD",
    "コロンボ": "LK",
    "カトマンズ": "NP",
    "イスラマバード": "PK",
    "カブール": "AF",
    "アスタナ": "KZ",
    "ヌルスルタン": "KZ",
    "アルマティ": "KZ",
    "ビシュケク": "KG",
    "ドゥシャンベ": "TJ",
    "アシガバット": "TM",
    "タシケント": "UZ",
    "サマルカンド": "UZ",
    "テヘラン": "IR",
    "リヤド": "SA",
    "ドーハ": "QA",
    "ドバイ": "AE",
    "アブダビ": "AE",
    "アンマン": "JO",
    "カイロ": "EG",
    "アンカラ": "TR",
    "イスタンブール": "TR",
    # Caucasus, Eastern Europe
    "バクー": "AZ",
    "トビリシ": "GE",
    "エレバン": "AM",
    "キーウ": "UA",
    "キエフ": "UA",
    "キシナウ": "MD",
    "ミンスク": "BY",
    "モスクワ": "RU",
    # Europe
    "ワルシャワ": "PL",
    "クラクフ": "PL",
    "プラハ": "CZ",
    "ブラチスラバ": "SK",
    "ブダペスト": "HU",
    "ウィーン": "AT",
    "ベルリン": "DE",
    "パリ": "FR",
    "ロンドン": "GB",
    "ローマ": "IT",
    "マドリード": "ES",
    "リスボン": "PT",
    "ブリュッセル": "BE",
    "アムステルダム": "NL",
    "ハーグ": "NL",
    "ジュネーブ": "CH",
    "ベルン": "CH",
    "ストックホルム": "SE",
    "オスロ": "NO",
    "コペンハーゲン": "DK",
    "ヘルシンキ": "FI",
    "レイキャビク": "IS",
    "タリン": "EE",
    "リガ": "LV",
    "ビリニュス": "LT",
    "ヴィリニュス": "LT",
    "ブカレスト": "RO",
    "ソフィア": "BG",
    "ベオグラード": "RS",
    "ザグレブ": "HR",
    "リュブリャナ": "SI",
    "サラエボ": "BA",
    "ティラナ": "AL",
    "スコピエ": "MK",
    "ポドゴリツァ": "ME",
    "アテネ": "GR",
    # Americas
    "ワシントン": "US",
    "ニューヨーク": "US",
    "オタワ": "CA",
    "メキシコシティ": "MX",
    "ブラジリア": "BR",
    "サンパウロ": "BR",
    "ブエノスアイレス": "AR",
    "サンティアゴ": "CL",
    "リマ": "PE",
    "ボゴタ": "CO",
    "キト": "EC",
    "サンホセ": "CR",
    "パナマシティ": "PA",
    "グアテマラシティ": "GT",
    "サンサルバドル": "SV",
    "テグシガルパ": "HN",
    "マナグア": "NI",
    "ハバナ": "CU",
    # Africa, Oceania
    "ナイロビ": "KE",
    "アディスアベバ": "ET",
    "ヨハネスブルグ": "ZA",
    "プレトリア": "ZA",
    "アブジャ": "NG",
    "ダカール": "SN",
    "キャンベラ": "AU",
    "シドニー": "AU",
    "ウェリントン": "NZ",
    "スバ": "FJ",
    "ポートモレスビー": "PG",
}
# Words that contain a country's name but are not about the country.
NOT_COUNTRIES = ("インド太平洋", "インド洋", "日本海", "中国語", "米ドル")
# Agencies of a government, which stand for their country as a doer (`ＪＩＣＡの活動`).
AGENCIES: dict[str, str] = {
    "国際協力機構": "JP",
    "ＪＩＣＡ": "JP",
    "日本貿易振興機構": "JP",
    "ＪＥＴＲＯ": "JP",
    "国際協力銀行": "JP",
    "ＪＢＩＣ": "JP",
}

# Dates that are not dates: kept as the due text, with no due date.
VAGUE_HORIZONS = (
    "可能な限り早期",
    "できるだけ早期",
    "早期",
    "速やかに",
    "近い将来",
    "次の１０年",
    "次の10年",
    "今後１０年",
    "今後10年",
    "中長期的",
    "次回外相会合までに",
    "次回会合までに",
    "次回会合までの間",
    "次回首脳会合までに",
    "可及的速やかに",
    "数年以内",
    "今後数年",
)
# Horizons counted from an unstated start (`今後３年間`): kept as text, like the ones above.
VAGUE_HORIZON_PATTERNS = (
    r"今後[0-9０-９一二三四五六七八九十]+年(?:間|以内)?",
    r"[0-9０-９一二三四五六七八九十]+年以内",
)
# `ＣＯＰ３３の機会に`: an act on the occasion of an event takes the event's date, if an item
# before in the paragraph dated it.
OCCASIONS = (
    "の機会に",
    "の機会を捉えて",
    "の際に",
    "の場で",
    "の会期中に",
    "に合わせて",
    "の期間中に",
)
# Phrases that end like a past verb but are not one (`２０３０年に向けた協力` looks ahead).
NOT_VERBS = ("向けた", "通じた", "基づいた", "関した", "対した", "目指した", "応じた")
# Japan's fiscal year starts on 1 April.
FISCAL_YEAR_START_MONTH = 4
# Japanese eras, for `令和９年`: the Gregorian year of each era's first year.
ERAS = {"令和": 2019, "平成": 1989}
# Years counted from the year the document was signed: `本年１２月`, `来年度`.
RELATIVE_YEARS = {"本": 0, "今": 0, "当": 0, "来": 1, "明": 1, "再来": 2, "昨": -1}
# Parts of a year, as (first month, last month); a last month past 12 runs into the next year.
# A part that starts in January has no start date (`２０２９年前半` is "by June"), as halves.
SEASONS = {
    "春": (3, 5),
    "夏": (6, 8),
    "秋": (9, 11),
    "冬": (12, 14),
    "初頭": (1, 3),
    "初め": (1, 3),
}
QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}

# Themes by keyword: a theme's score is the number of its words in an item's text (the
# paragraph's words count for less). Slugs not in the Theme table are skipped. Written from the
# themes' own names and descriptions (fixtures/02_themes.json).
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "dialogue": (
        "外相会合",
        "首脳会合",
        "実務者会合",
        "議長国",
        "専門家会合",
        "ウェブサイト",
        "外相会議",
    ),
    "agriculture": ("農業", "農産物", "食料安全保障", "ロード・マップ"),
    "trade-transport": ("貿易", "投資", "輸送", "物流", "域外市場"),
    "development": ("開発", "ＯＤＡ", "政府開発援助", "人間の安全保障", "女性", "保健"),
    "afghanistan-security": ("アフガニスタン", "安定と安全", "地域の安定"),
    "border-narcotics": ("国境", "麻薬", "テロ", "過激主義"),
    "disaster-risk-reduction": ("防災", "災害"),
    "environment": ("気候変動", "環境", "ウラン"),
    "disarmament": ("核軍縮", "軍縮", "不拡散", "非核", "核兵器", "核セキュリティ"),
    "un-reform": ("安保理", "安全保障理事会", "国連システム", "常任理事国"),
    "international-law": ("法の支配", "国際法", "国連憲章", "紛争の平和的解決", "国際社会の平和"),
}
PARAGRAPH_KEYWORD_WEIGHT = 0.25
# How similar (0–1) an item must be to one a person has themed to take its theme rather than
# the keywords' (`themes.ThemeExamples`).
THEME_SIMILARITY_MIN = 0.4
