"""Write fixtures/01_countries.json: every ISO 3166-1 country, named in English and Japanese.

Names come from pycountry (ISO's list and the iso-codes translations), with the short English
name where ISO's is long ("Bolivia" for "Bolivia, Plurinational State of") and a few Japanese
names set to the form Japan's Ministry of Foreign Affairs uses. Run it again after upgrading
pycountry:  .venv/bin/python scripts/make_countries_fixture.py
"""

import gettext
import json
from pathlib import Path

import pycountry

JAPANESE_OVERRIDES = {
    "KG": "キルギス",
    "KR": "大韓民国",
    "RU": "ロシア",
    "TW": "台湾",
    "TZ": "タンザニア",
    "VA": "バチカン",
}
ENGLISH_OVERRIDES = {"RU": "Russia"}

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "01_countries.json"


def main() -> None:
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        name_en = ENGLISH_OVERRIDES.get(code, getattr(country, "common_name", country.name))
        name_ja = JAPANESE_OVERRIDES.get(code, ja.gettext(country.name))
        rows.append(
            {
                "model": "commitments.country",
                "fields": {"code": code, "name": name_ja, "name_ja": name_ja, "name_en": name_en},
            }
        )
    OUT.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} countries to {OUT}")


if __name__ == "__main__":
    main()
