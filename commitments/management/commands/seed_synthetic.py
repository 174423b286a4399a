"""python manage.py seed_synthetic --documents 500 --items 100000 --updates 300000 [--seed 1]

Fills the database with clearly fictional documents, paragraphs, action items and status
updates for load and speed tests. Deterministic for a given seed. Point it at a separate
database (DATABASE_URL); it refuses a database that holds real documents unless --force.
"""

from __future__ import annotations

import datetime
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from commitments import summaries
from commitments.cache import bump_data_version
from commitments.choices import DuePrecision, Kind, Status, Strength
from commitments.dates import period_end
from commitments.models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Section,
    StatusUpdate,
    Theme,
)

PREFIX = "synthetic-"
BATCH = 5000
SOURCE = "https://example.org/synthetic-source"


class Command(BaseCommand):
    help = "Fill the database with fictional test data (documents, items, status updates)."

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, default=500)
        parser.add_argument("--items", type=int, default=100_000)
        parser.add_argument("--updates", type=int, default=300_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="Run even if real documents exist."
        )

    def handle(self, *args, documents, items, updates, seed, force, **options):
        if documents < 1 or items < documents or updates < 0:
            raise CommandError(
                "Need at least one document and at least as many items as documents."
            )
        real = Document.objects.exclude(slug__startswith=PREFIX)
        if real.exists() and not force:
            raise CommandError(
                f"This database holds {real.count()} real document(s) ({', '.join(real.values_list('slug', flat=True)[:3])}…). "
                "Point DATABASE_URL at a separate database, or pass --force."
            )
        if not Country.objects.exists() or not Theme.objects.exists():
            call_command(
                "loaddata", "fixtures/01_countries.json", "fixtures/02_themes.json", verbosity=0
            )
        started = time.perf_counter()
        # Bulk writes send no signals: the summary counts are rebuilt from scratch at the end,
        # in the same transaction.
        with transaction.atomic(), summaries.rebuild_after():
            self._clear()
            seeded = Seeder(random.Random(seed), documents, items, updates).run()
            bump_data_version()  # bulk writes send no signals
        # Fresh statistics, as autovacuum would gather in time: without them PostgreSQL plans
        # the new tables as if they were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {seeded['documents']} documents, {seeded['paragraphs']} paragraphs, "
                f"{seeded['items']} items, {seeded['updates']} status updates in {elapsed:.1f} s."
            )
        )

    def _clear(self):
        old = Document.objects.filter(slug__startswith=PREFIX)
        StatusUpdate.objects.filter(item__document__in=old).delete()
        ActionItem.owners.through.objects.filter(actionitem__document__in=old).delete()
        ActionItem.objects.filter(document__in=old).delete()
        old.delete()


class Seeder:
    def __init__(self, rng: random.Random, documents: int, items: int, updates: int):
        self.rng, self.n_documents, self.n_items, self.n_updates = rng, documents, items, updates
        # A generator of its own for the strengths, so the rest of the data stays what the
        # same seed gave before strengths were drawn (benchmarks compare across versions).
        self.strength_rng = random.Random("strengths")
        self.countries = list(Country.objects.order_by("code").values_list("pk", flat=True))
        self.themes = list(Theme.objects.order_by("slug").values_list("pk", flat=True))

    def run(self) -> dict[str, int]:
        rng = self.rng
        docs = Document.objects.bulk_create(
            Document(
                slug=f"{PREFIX}{n:04d}",
                title=f"【架空】合成データ文書 {n}",
                title_ja=f"【架空】合成データ文書 {n}",
                title_en=f"[Fictional] Synthetic test document {n}",
                meeting_ja="合成データ会合（架空）",
                meeting_en="Synthetic meeting (fictional test data)",
                signed_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(9000)),
                place_ja="架空",
                place_en="Nowhere (fictional)",
                preamble="架空のテスト用データです。",
                preamble_en="Fictional test data.",
            )
            for n in range(1, self.n_documents + 1)
        )
        sections = Section.objects.bulk_create(
            Section(
                document=doc,
                number=k,
                title=f"架空の節 {k}",
                title_ja=f"架空の節 {k}",
                title_en=f"Fictional section {k}",
            )
            for doc in docs
            for k in range(1, 6)
        )
        sections_by_doc = {}
        for section in sections:
            sections_by_doc.setdefault(section.document_id, []).append(section)

        per_doc = self.n_items // self.n_documents
        extra = self.n_items % self.n_documents
        paragraphs, plan = [], []
        for index, doc in enumerate(docs):
            count = per_doc + (1 if index < extra else 0)
            n_paragraphs = max(1, (count + 1) // 2)
            for number in range(1, n_paragraphs + 1):
                section = sections_by_doc[doc.pk][min(4, (number - 1) * 5 // n_paragraphs)]
                paragraphs.append(
                    Paragraph(
                        document=doc,
                        section=section,
                        number=number,
                        text=f"架空の段落 {number}。合成データ。",
                        text_en=f"Fictional paragraph {number}. Synthetic data.",
                    )
                )
            plan.append((doc, count, n_paragraphs))
        Paragraph.objects.bulk_create(paragraphs, batch_size=BATCH)
        by_doc_number = {(p.document_id, p.number): p for p in paragraphs}

        items = []
        for doc, count, n_paragraphs in plan:
            for k in range(count):
                number = k // 2 + 1 if k // 2 < n_paragraphs else n_paragraphs
                items.append(
                    self._item(
                        doc,
                        by_doc_number[(doc.pk, number)],
                        f"{number}.{k % 2 + 1 + (k // (2 * n_paragraphs)) * 2}",
                    )
                )
        ActionItem.objects.bulk_create(items, batch_size=BATCH)

        through = ActionItem.owners.through
        owners = []
        for item in items:
            for country in rng.sample(self.countries, rng.choice((1, 1, 2, 3, 6))):
                owners.append(through(actionitem_id=item.pk, country_id=country))
        through.objects.bulk_create(owners, batch_size=BATCH)

        n_updates = self._updates(items)
        return {
            "documents": len(docs),
            "paragraphs": len(paragraphs),
            "items": len(items),
            "updates": n_updates,
        }

    def _item(self, doc, paragraph, ref) -> ActionItem:
        rng = self.rng
        due = None
        precision = ""
        if rng.random() < 0.7:
            precision = rng.choice(DuePrecision.values)
            due = doc.signed_on + datetime.timedelta(days=rng.randrange(30, 3000))
            # As the model and the import require: the last day of the period it names.
            if precision == DuePrecision.YEAR:
                due = period_end(due.year)
            elif precision == DuePrecision.MONTH:
                due = period_end(due.year, due.month)
        return ActionItem(
            document=doc,
            paragraph=paragraph,
            ref=ref,
            title=f"架空の取組項目 {ref}",
            title_ja=f"架空の取組項目 {ref}",
            title_en=f"Fictional action item {ref}",
            description_ja="合成データ（架空）。",
            description_en="Synthetic data (fictional).",
            kind=rng.choice(Kind.values),
            strength=self.strength_rng.choice(Strength.values),
            theme_id=rng.choice(self.themes),
            due_date=due,
            due_precision=precision,
            due_text=str(due.year) if due else "",
        )

    def _updates(self, items: list[ActionItem]) -> int:
        rng = self.rng
        counts = [0] * len(items)
        for _ in range(self.n_updates):
            counts[rng.randrange(len(items))] += 1
        statuses = [s for s in Status.values if s != Status.NOT_ASSESSED]
        today = datetime.date.today()
        batch, total, changed = [], 0, []
        for item, count in zip(items, counts, strict=True):
            if not count:
                continue
            day = item.document.signed_on
            previous = Status.NOT_ASSESSED
            for _ in range(count):
                day = min(today, day + datetime.timedelta(days=rng.randrange(1, 400)))
                status = rng.choice(statuses)
                batch.append(
                    StatusUpdate(
                        item_id=item.pk,
                        status=status,
                        previous_status=previous,
                        date=day,
                        note_ja="架空の更新。",
                        note_en="Fictional update.",
                        source_url=SOURCE,
                    )
                )
                previous = status
            item.status, item.status_date = previous, day
            changed.append(item)
            if len(batch) >= BATCH:
                total += len(StatusUpdate.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        total += len(StatusUpdate.objects.bulk_create(batch, ignore_conflicts=True))
        ActionItem.objects.bulk_update(changed, ["status", "status_date"], batch_size=BATCH)
        return total
