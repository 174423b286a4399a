"""How well the proposer reads statements: against the 2014 fixture, and against hand-made keys
for fictional statements the rules were not written from (when each was first run; once a
run's misses have been studied the statement is no longer unseen: see
docs/proposer-benchmark.md, and write a new one for the next honest figure).

    .venv/bin/python bench/proposals.py [--detail]

For each statement (the 2014 text from the shipped fixture; every tests/data/statements/
NAME.ja.txt that has a NAME.key.csv, imported with import_statement) it runs the proposer on
the stored paragraphs and compares with the key, paragraph by paragraph:

- item recall and precision: proposed items matched to key items (greedy, by how much of the
  key item's words the proposal's evidence words contain, at least MATCH_THRESHOLD);
- over matched items: dates (due date, start and precision all equal), owner sets (exactly
  equal), kind, strength and theme agreement.

A fresh SQLite database in /tmp is created for the run.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, database_url, prepare_database, setup_django

STATEMENTS = ROOT / "tests/data/statements"
MATCH_THRESHOLD = 0.45
NOISE = re.compile(r"[\s，。、「」（）『』・,.]")


@dataclass
class KeyItem:
    ref: str
    paragraph: int
    words: list[str]  # texts whose words identify the item (evidence, title, description)
    kind: str
    owners: frozenset[str]
    theme: str
    starts_on: str
    due_date: str
    due_precision: str
    strength: str


def bigrams(text: str) -> set[str]:
    flat = NOISE.sub("", text)
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def match_score(key: KeyItem, evidence: str) -> tuple[float, float]:
    """How much of the key item's words the proposal's words contain (rounded, so that near
    ties go to the tighter proposal), then how much of the proposal's words are the key's."""
    found = bigrams(evidence)
    best = (0.0, 0.0)
    for words in map(bigrams, key.words):
        if words and found:
            shared = len(words & found)
            best = max(best, (round(shared / len(words) * 20) / 20, shared / len(found)))
    return best


def key_from_fixture(slug: str) -> list[KeyItem]:
    from commitments.models import ActionItem

    items = ActionItem.objects.filter(document__slug=slug).select_related("paragraph", "theme")
    return [
        KeyItem(
            ref=item.ref,
            paragraph=item.paragraph.number,
            # The title, and the description's first sentence (the rest is the editor's notes).
            words=[item.title_ja, (item.description_ja or "").split("。")[0]],
            kind=item.kind,
            owners=frozenset(item.owners.values_list("code", flat=True)),
            theme=item.theme.slug,
            starts_on=item.starts_on.isoformat() if item.starts_on else "",
            due_date=item.due_date.isoformat() if item.due_date else "",
            due_precision=item.due_precision,
            strength=item.strength,
        )
        for item in items
    ]


def key_from_csv(path: Path) -> list[KeyItem]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [
            KeyItem(
                ref=row["ref"],
                paragraph=int(row["paragraph"]),
                words=[row["evidence"], row["title_ja"]],
                kind=row["kind"],
                owners=frozenset(filter(None, row["owners"].split(";"))),
                theme=row["theme"],
                starts_on=row["starts_on"],
                due_date=row["due_date"],
                due_precision=row["due_precision"],
                strength=row["strength"],
            )
            for row in csv.DictReader(file)
        ]


def match(keys: list[KeyItem], proposals: list) -> list[tuple[KeyItem, object]]:
    pairs = []
    for paragraph in sorted({k.paragraph for k in keys} | {p.paragraph for p in proposals}):
        ks = [k for k in keys if k.paragraph == paragraph]
        ps = [p for p in proposals if p.paragraph == paragraph]
        scored = sorted(
            (
                (match_score(k, p.evidence.get("owners", "") + p.text), i, j)
                for i, k in enumerate(ks)
                for j, p in enumerate(ps)
            ),
            reverse=True,
        )
        used_k, used_p = set(), set()
        for (score, _tightness), i, j in scored:
            if score < MATCH_THRESHOLD or i in used_k or j in used_p:
                continue
            used_k.add(i)
            used_p.add(j)
            pairs.append((ks[i], ps[j]))
    return pairs


def compare(name: str, keys: list[KeyItem], proposals: list, detail: bool) -> dict:
    pairs = match(keys, proposals)
    agree = {"dates": 0, "owners": 0, "kind": 0, "strength": 0, "theme": 0}
    misses = []
    for key, proposal in pairs:
        proposed_dates = (
            proposal.starts_on.isoformat() if proposal.starts_on else "",
            proposal.due_date.isoformat() if proposal.due_date else "",
            proposal.due_precision,
        )
        checks = {
            "dates": proposed_dates == (key.starts_on, key.due_date, key.due_precision),
            "owners": proposal.owners == key.owners,
            "kind": proposal.kind == key.kind,
            "strength": proposal.strength == key.strength,
            "theme": proposal.theme == key.theme,
        }
        for field, ok in checks.items():
            agree[field] += ok
            if not ok:
                want = {
                    "dates": (key.starts_on, key.due_date, key.due_precision),
                    "owners": ";".join(sorted(key.owners)),
                    "kind": key.kind,
                    "strength": key.strength,
                    "theme": key.theme,
                }[field]
                got = {
                    "dates": proposed_dates,
                    "owners": ";".join(sorted(proposal.owners)),
                    "kind": proposal.kind,
                    "strength": proposal.strength,
                    "theme": proposal.theme,
                }[field]
                misses.append(f"  {key.ref} ↔ {proposal.ref} {field}: key {want}, proposed {got}")
    matched_keys = {id(k) for k, _p in pairs}
    matched_proposals = {id(p) for _k, p in pairs}
    if detail:
        print(f"\n## {name}")
        for key in keys:
            if id(key) not in matched_keys:
                print(f"  missed key item {key.ref}: {key.words[-1] or key.words[0]}")
        for proposal in proposals:
            if id(proposal) not in matched_proposals:
                print(f"  extra proposal {proposal.ref}: {proposal.title_ja}")
        print("\n".join(misses))
    return {
        "name": name,
        "keys": len(keys),
        "proposed": len(proposals),
        "matched": len(pairs),
        **agree,
    }


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def print_table(results: list[dict]) -> None:
    header = "| statement | key items | proposed | recall | precision | dates exact | owner sets | kind | strength | theme |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for r in results:
        m = r["matched"]
        print(
            f"| {r['name']} | {r['keys']} | {r['proposed']} | {percent(m, r['keys'])} "
            f"| {percent(m, r['proposed'])} | {percent(r['dates'], m)} | {percent(r['owners'], m)} "
            f"| {percent(r['kind'], m)} | {percent(r['strength'], m)} | {percent(r['theme'], m)} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", action="store_true", help="print every miss")
    parser.add_argument("--only", help="only the statements whose slug contains this")
    args = parser.parse_args()

    url = database_url("sqlite", "bench_proposals")
    prepare_database("sqlite", "bench_proposals")
    setup_django(url)
    from django.core.management import call_command

    from commitments.ingestion.proposer import propose_for_document
    from commitments.models import Document

    call_command("migrate", verbosity=0)
    call_command(
        "loaddata",
        *(str(ROOT / "fixtures" / f) for f in ("01_countries.json", "02_themes.json", "10_caj-fmm5-2014.json")),
        verbosity=0,
    )  # fmt: skip
    statements = [("caj-fmm5-2014 (rules written from it)", "caj-fmm5-2014", None)]
    for text in sorted(STATEMENTS.glob("*.ja.txt")):
        slug = text.name.removesuffix(".ja.txt")
        key = STATEMENTS / f"{slug}.key.csv"
        if key.exists():
            call_command("import_statement", str(text), slug=slug, stdout=io.StringIO())
            statements.append((f"{slug} (fictional)", slug, key))

    if args.only:
        statements = [s for s in statements if args.only in s[1]]
    results = []
    for name, slug, key in statements:
        keys = key_from_csv(key) if key else key_from_fixture(slug)
        proposals = propose_for_document(Document.objects.get(slug=slug))
        results.append(compare(name, keys, proposals, args.detail))
    fictional = [r for r in results if "fictional" in r["name"]]
    if fictional:
        total = {"name": "all fictional"}
        for field in (
            "keys",
            "proposed",
            "matched",
            "dates",
            "owners",
            "kind",
            "strength",
            "theme",
        ):
            total[field] = sum(r[field] for r in fictional)
        results.append(total)
    print()
    print_table(results)


if __name__ == "__main__":
    main()
