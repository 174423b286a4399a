"""python manage.py load_initial_data [FIXTURE ...]

Loads the shipped data (fixtures/*.json, in name order) into a database that lacks it.
`make run` runs it every time, so it must never undo staff work; `loaddata` would: it matches
records by natural key and overwrites them (an edited description reverts; an item goes back
to "not yet assessed" while the status updates staff recorded stay).

* Rows that belong to no document (countries, themes) are added when missing; a row that
  exists is never changed, whatever the fixture says.
* A document is loaded whole (sections, paragraphs, signatories, items, status updates) only
  if no document with its slug exists yet; otherwise it is skipped, and the command says so.

Everything runs in one transaction: if any fixture fails, nothing is written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commitments import summaries
from commitments.models import ActionItem, Document
from commitments.status_rule import derive_status

# How each part of a document names its document in a fixture dumped with natural keys (see
# the README): a document by its slug; the others by a natural key that starts with it.
DOCUMENT_FIELD = {
    "commitments.document": "slug",
    "commitments.section": "document",
    "commitments.paragraph": "document",
    "commitments.signatory": "document",
    "commitments.actionitem": "document",
    "commitments.statusupdate": "item",
}


def default_fixtures() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


def document_slug(record: dict, fixture: Path) -> str:
    """The slug of the document a fixture record belongs to."""
    field = DOCUMENT_FIELD[record["model"]]
    value = record.get("fields", {}).get(field)
    if field == "slug" and isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    raise CommandError(
        _(
            "%(fixture)s: a %(model)s record does not name its document by its slug. Dump "
            "fixtures with --natural-foreign --natural-primary (see the README)."
        )
        % {"fixture": fixture.name, "model": record["model"]}
    )


def exists(obj) -> bool:
    """Whether a deserialized object is already a row (the deserializer found its natural key,
    or the fixture gave the primary key of an existing row)."""
    return obj.pk is not None and type(obj)._default_manager.filter(pk=obj.pk).exists()


def items_out_of_step(document_slugs) -> list[str]:
    """Items whose status and status date are not what their status updates give them (by
    the one rule, status_rule.derive_status), as "slug ref"."""
    items = (
        ActionItem.objects.filter(document__slug__in=document_slugs)
        .select_related("document")
        .prefetch_related("updates", "owners")
    )
    return [
        f"{item.document.slug} {item.ref}"
        for item in items
        if (item.status, item.status_date)
        != derive_status(list(item.updates.all()), [owner.pk for owner in item.owners.all()])
    ]


class Command(BaseCommand):
    help = (
        "Load the shipped countries, themes and documents into a database that lacks them. "
        "Never changes a row that exists; a document already in the database is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "fixtures",
            nargs="*",
            type=Path,
            help="Fixture files (default: fixtures/*.json, in name order).",
        )

    def handle(self, *args, fixtures: list[Path], **options):
        paths = fixtures or default_fixtures()
        for path in paths:
            if not path.is_file():
                raise CommandError(_("%(fixture)s: no such file.") % {"fixture": path})
        self.deferred = []
        self.models = set()
        loaded_documents = []
        try:
            # Records are saved raw; the summary counts follow once, at the end (summaries.py).
            with transaction.atomic(), summaries.batch():
                with connection.constraint_checks_disabled():
                    for path in paths:
                        loaded_documents += self.load_fixture(path)
                    for obj in self.deferred:
                        obj.save_deferred_fields()
                connection.check_constraints(
                    table_names=[model._meta.db_table for model in self.models]
                )
                self.reset_sequences()
                out_of_step = items_out_of_step(loaded_documents)
                if out_of_step:
                    raise CommandError(
                        _(
                            "These items' status is not what their status updates give: "
                            "%(refs)s. Fix the fixture; nothing was loaded."
                        )
                        % {"refs": ", ".join(out_of_step)}
                    )
        except (DatabaseError, IntegrityError, DeserializationError) as error:
            raise CommandError(
                _("The fixtures could not be loaded (%(error)s); nothing was loaded.")
                % {"error": error}
            ) from error
        if not self.models:
            self.stdout.write(_("Everything was already in the database; nothing changed."))

    def load_fixture(self, path: Path) -> list[str]:
        """Load what the database lacks from one fixture; return the slugs of new documents."""
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(
                _("%(fixture)s is not a JSON fixture (%(error)s); nothing was loaded.")
                % {"fixture": path.name, "error": error}
            ) from error
        if not isinstance(records, list):
            raise CommandError(
                _("%(fixture)s is not a JSON fixture (a list of records); nothing was loaded.")
                % {"fixture": path.name}
            )
        reference = [r for r in records if r.get("model") not in DOCUMENT_FIELD]
        documents = defaultdict(list)
        for record in records:
            if record.get("model") in DOCUMENT_FIELD:
                documents[document_slug(record, path)].append(record)

        if reference:
            self.load_reference_rows(path, reference)
        loaded = []
        for slug, parts in documents.items():
            if Document.objects.filter(slug=slug).exists():
                count = ActionItem.objects.filter(document__slug=slug).count()
                self.stdout.write(
                    ngettext(
                        "skipped %(slug)s: already in the database (%(count)d item); "
                        "nothing changed",
                        "skipped %(slug)s: already in the database (%(count)d items); "
                        "nothing changed",
                        count,
                    )
                    % {"slug": slug, "count": count}
                )
                continue
            self.load_document(path, slug, parts)
            loaded.append(slug)
        return loaded

    def load_reference_rows(self, path: Path, records: list[dict]) -> None:
        added = kept = 0
        for obj in serializers.deserialize("python", records, handle_forward_references=True):
            if exists(obj.object):
                kept += 1
                continue
            self.save(obj)
            added += 1
        self.stdout.write(
            _("%(fixture)s: %(added)d added, %(kept)d already in the database (left as they are)")
            % {"fixture": path.name, "added": added, "kept": kept}
        )

    def load_document(self, path: Path, slug: str, records: list[dict]) -> None:
        for obj in serializers.deserialize("python", records, handle_forward_references=True):
            if exists(obj.object):
                # Only a fixture with database ids (not natural keys) can get here.
                raise CommandError(
                    _(
                        "%(fixture)s: a record of %(slug)s would overwrite an existing row "
                        "(%(row)s). Dump fixtures with --natural-foreign --natural-primary."
                    )
                    % {"fixture": path.name, "slug": slug, "row": obj.object}
                )
            self.save(obj)
        count = ActionItem.objects.filter(document__slug=slug).count()
        self.stdout.write(
            ngettext("loaded %(slug)s: %(count)d item", "loaded %(slug)s: %(count)d items", count)
            % {"slug": slug, "count": count}
        )

    def save(self, obj) -> None:
        obj.save()
        self.models.add(type(obj.object))
        if obj.deferred_fields:
            self.deferred.append(obj)

    def reset_sequences(self) -> None:
        # As loaddata does: rows loaded with explicit ids must not collide with later ones.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
