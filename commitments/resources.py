"""django-import-export resource for action items: the admin's import and export, and the
`import_items` / `export_items` commands.

The columns are `csv_format.COLUMNS`; export rows come from `csv_format.export_rows`, the same
function the public download uses, so every export has one shape. Import rules:

* rows are matched to items by (`document`, `ref`); a new ref creates an item in the named
  paragraph;
* a row whose (`status`, `status_date`) differs from the item's goes through
  the status service (`services.plan_status_changes`, the bulk form of `item_set_status`),
  so it lands in the item's timeline with the importing user;
* every cell is checked and a bad one is reported with its row and column; the import runs in
  one transaction and writes nothing unless every row is good.
"""

from __future__ import annotations

import datetime

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader

from .cache import bump_data_version
from .choices import DuePrecision, Kind, Status
from .csv_format import (
    COLUMNS,
    EXPORT_ONLY,
    FORMULA_PREFIXES,
    OWNER_SEPARATOR,
    export_rows,
)
from .encodings import decode_upload
from .models import ActionItem, Country, Document, Paragraph, Theme
from .services import StatusChange, plan_status_changes, save_status_updates, status_change_errors

REQUIRED_COLUMNS = ["document", "ref", "paragraph", "kind", "owners", "theme"]
BATCH = 1000
UPDATED_FIELDS = [
    "status",
    "status_date",
    "paragraph",
    "document",
    "kind",
    "title",
    "title_ja",
    "title_en",
    "description",
    "description_ja",
    "description_en",
    "theme",
    "organisations",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
    "version",
    "updated_at",
]
# Errors are reported by column: the status columns are read into these attributes.
ATTRIBUTE_COLUMNS = {
    "import_status": "status",
    "import_status_date": "status_date",
    "import_note_ja": "status_note_ja",
    "import_note_en": "status_note_en",
    "import_source_url": "source_url",
}


# The status service names its fields differently from the file's columns.
STATUS_ERROR_COLUMNS = {"date": "status_date"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no rows, missing columns, a repeated ref…)."""


STATUS_FIELDS = tuple(ATTRIBUTE_COLUMNS)


def unneutralise(value):
    """Undo the apostrophe our exports put before a formula character."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = unneutralise(value)
        return "" if value is None else str(value).strip()


class ChoiceWidget(widgets.Widget):
    """A value from a vocabulary; anything else is refused with the list of allowed values."""

    def __init__(self, choices, *, required: bool):
        super().__init__()
        self.values = [value for value, _label in choices]
        self.required = required

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            if self.required:
                raise ValueError("This column is required.")
            return ""
        if value not in self.values:
            raise ValueError(
                f"“{value}” is not allowed here; use one of: {', '.join(self.values)}."
            )
        return value


class StrictDateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date; write it as YYYY-MM-DD, e.g. 2016-12-31.")


class LookupWidget(widgets.Widget):
    """A reference by a human-readable key (slug, code), looked up once per import."""

    def __init__(self, model, field: str, noun: str):
        super().__init__()
        self.model, self.field, self.noun = model, field, noun
        self._cache: dict | None = None

    def lookup(self) -> dict:
        if self._cache is None:
            self._cache = {getattr(obj, self.field): obj for obj in self.model.objects.all()}
        return self._cache

    def clean(self, value, row=None, **kwargs):
        key = "" if value is None else str(value).strip()
        if not key:
            raise ValueError("This column is required.")
        try:
            return self.lookup()[key]
        except KeyError:
            raise ValueError(f"There is no {self.noun} “{key}”.") from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.field, "") if value else ""


class ParagraphWidget(widgets.Widget):
    """A paragraph number, looked up in the row's document."""

    def __init__(self):
        super().__init__()
        self._cache: dict | None = None

    def clean(self, value, row=None, **kwargs):
        if self._cache is None:
            self._cache = {
                (p.document.slug, p.number): p
                for p in Paragraph.objects.select_related("document").only(
                    "number", "document__slug"
                )
            }
        document = str((row or {}).get("document") or "").strip()
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(f"“{value}” is not a paragraph number.") from None
        try:
            return self._cache[(document, number)]
        except KeyError:
            raise ValueError(f"Document “{document}” has no paragraph {number}.") from None


class OwnersWidget(widgets.ManyToManyWidget):
    """ISO codes separated by `;`. Unlike the library's widget, an unknown code is an error,
    never silently dropped."""

    def __init__(self):
        super().__init__(Country, separator=OWNER_SEPARATOR, field="code")
        self._codes: dict | None = None

    def codes(self, value) -> list[str]:
        text = "" if value is None else str(value)
        return [
            part.strip().upper()
            for part in text.replace(",", OWNER_SEPARATOR).split(OWNER_SEPARATOR)
            if part.strip()
        ]

    def clean(self, value, row=None, **kwargs):
        if self._codes is None:
            self._codes = {c.code: c for c in Country.objects.only("code")}
        codes = self.codes(value)
        if not codes:
            raise ValueError("Name at least one owner country (ISO codes separated by “;”).")
        unknown = [code for code in codes if code not in self._codes]
        if unknown:
            raise ValueError(f"Unknown country code(s): {', '.join(unknown)}.")
        return [self._codes[code] for code in dict.fromkeys(codes)]

    def render(self, value, obj=None, **kwargs):
        return (
            OWNER_SEPARATOR.join(sorted(c.code for c in value.all())) if value is not None else ""
        )


class OwnersField(fields.Field):
    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.owners.set(self.clean(row, **kwargs))


class ItemLoader(BaseInstanceLoader):
    """Loads every item the file names in one query, keyed by (document slug, ref)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        pairs = (
            {
                (str(r.get("document", "")).strip(), str(r.get("ref", "")).strip())
                for r in dataset.dict
            }
            if dataset
            else set()
        )
        slugs = {slug for slug, _ref in pairs}
        refs = {ref for _slug, ref in pairs}
        items = (
            ActionItem.objects.filter(document__slug__in=slugs, ref__in=refs)
            .select_related("document")
            .prefetch_related("owners")
        )
        self.items = {(item.document.slug, item.ref): item for item in items}

    def get_instance(self, row):
        return self.items.get(
            (str(row.get("document", "")).strip(), str(row.get("ref", "")).strip())
        )


class DetectingCSV(base_formats.CSV):
    """CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932 as Excel in Japan writes it.
    The encoding used is kept on the dataset (`dataset.encoding`) so it can be reported."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def export_data(self, dataset, **kwargs):
        # Binary (see is_binary), so the admin does not encode it: add the BOM Excel needs here.
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")

    def create_dataset(self, in_stream, **kwargs):
        raw = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        text, encoding = decode_upload(raw)
        dataset = tablib.Dataset()
        dataset.load(text, format="csv")
        dataset.encoding = encoding
        return dataset


class NoDiff:
    """Stands in for the row-by-row diff when nobody will look at it (the command line)."""

    def __init__(self, *args, **kwargs):
        pass

    def compare_with(self, *args, **kwargs):
        pass

    def as_html(self):
        return []


class ActionItemResource(resources.ModelResource):
    document = fields.Field(
        attribute="document",
        column_name="document",
        widget=LookupWidget(Document, "slug", "document"),
    )
    ref = fields.Field(attribute="ref", column_name="ref", widget=TextWidget())
    paragraph = fields.Field(
        attribute="paragraph", column_name="paragraph", widget=ParagraphWidget()
    )
    kind = fields.Field(
        attribute="kind", column_name="kind", widget=ChoiceWidget(Kind.choices, required=True)
    )
    title_ja = fields.Field(attribute="title_ja", column_name="title_ja", widget=TextWidget())
    title_en = fields.Field(attribute="title_en", column_name="title_en", widget=TextWidget())
    owners = OwnersField(attribute="owners", column_name="owners", widget=OwnersWidget())
    theme = fields.Field(
        attribute="theme", column_name="theme", widget=LookupWidget(Theme, "slug", "theme")
    )
    starts_on = fields.Field(
        attribute="starts_on", column_name="starts_on", widget=StrictDateWidget()
    )
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=StrictDateWidget())
    due_precision = fields.Field(
        attribute="due_precision",
        column_name="due_precision",
        widget=ChoiceWidget(DuePrecision.choices, required=False),
    )
    due_text = fields.Field(attribute="due_text", column_name="due_text", widget=TextWidget())
    # The status columns are read into plain attributes, never into `status`: the status
    # service is the only writer of an item's status (see after_save_instance).
    status = fields.Field(
        attribute="import_status",
        column_name="status",
        widget=ChoiceWidget(Status.choices, required=False),
    )
    status_date = fields.Field(
        attribute="import_status_date", column_name="status_date", widget=StrictDateWidget()
    )
    status_note_ja = fields.Field(
        attribute="import_note_ja", column_name="status_note_ja", widget=TextWidget()
    )
    status_note_en = fields.Field(
        attribute="import_note_en", column_name="status_note_en", widget=TextWidget()
    )
    source_url = fields.Field(
        attribute="import_source_url", column_name="source_url", widget=TextWidget()
    )
    paragraph_text = fields.Field(column_name="paragraph_text", readonly=True)
    overdue = fields.Field(column_name="overdue", readonly=True)

    class Meta:
        model = ActionItem
        fields = COLUMNS
        import_order = [c for c in COLUMNS if c not in EXPORT_ONLY]
        export_order = COLUMNS
        import_id_fields = ["document", "ref"]
        instance_loader_class = ItemLoader
        skip_unchanged = True
        report_skipped = True
        # Rows are validated by the widgets and import_instance below, without a query per row;
        # the database constraints stay the last line of defence.
        clean_model_instances = False
        use_transactions = True
        skip_html_diff = False

    #: The admin's preview shows each row's changes; the command line turns this off.
    preview_diff = True

    def get_diff_class(self):
        return super().get_diff_class() if self.preview_diff else NoDiff

    # --- export: one row shape for every export -------------------------------------------
    def get_export_headers(self, selected_fields=None):
        return list(COLUMNS)

    def export(self, queryset=None, **kwargs):
        """The same rows as the public download (csv_format.export_rows), as a Dataset."""
        if queryset is None:
            queryset = self.get_queryset()
        dataset = tablib.Dataset(headers=list(COLUMNS))
        for row in export_rows(queryset):
            dataset.append(row)
        return dataset

    # --- import -------------------------------------------------------------------------
    def _check_file(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.encoding = getattr(dataset, "encoding", "")
        headers = [str(h).strip().lstrip("\ufeff") for h in (dataset.headers or [])]
        dataset.headers = headers
        if not dataset.headers or len(dataset) == 0:
            raise ImportFileError(
                "The file has no rows to import (an empty file, or only a header)."
            )
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            raise ImportFileError(
                f"Missing required column(s): {', '.join(missing)}. The first line must name the columns: {', '.join(COLUMNS)}."
            )
        unknown = [h for h in headers if h and h not in COLUMNS]
        if unknown:
            raise ImportFileError(
                f"Unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(COLUMNS)}."
            )
        seen: dict[tuple[str, str], int] = {}
        duplicates = []
        for number, row in enumerate(dataset.dict, start=1):
            key = (str(row.get("document", "")).strip(), str(row.get("ref", "")).strip())
            if key in seen:
                duplicates.append(f"{key[0]} {key[1]} (rows {seen[key]} and {number})")
            seen.setdefault(key, number)
        if duplicates:
            raise ImportFileError(f"The same ref appears twice: {'; '.join(duplicates)}.")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "owners" in row:
            try:
                self.fields["owners"].clean(row)
            except ValueError as error:
                errors["owners"] = [str(error)]
        errors.update(self._status_errors(instance))
        for field, message in instance.date_errors().items():
            errors.setdefault(field, [message])
        if not (instance.title_ja or instance.title_en):
            errors.setdefault(
                "title_ja", ["Give a title in Japanese or English (title_ja / title_en)."]
            )
        if not instance.ref:
            errors.setdefault("ref", ["This column is required."])
        if errors:
            raise ValidationError(
                {ATTRIBUTE_COLUMNS.get(key, key): value for key, value in errors.items()}
            )

    def _status_errors(self, instance) -> dict:
        status = getattr(instance, "import_status", "")
        if not status or not self._status_changes(instance):
            return {}
        date = getattr(instance, "import_status_date", None)
        if date is None:
            return {"status_date": ["A status change needs the date it happened (status_date)."]}
        errors = status_change_errors(
            status=status,
            date=date,
            source_url=getattr(instance, "import_source_url", ""),
            require_source=True,
        )
        return {STATUS_ERROR_COLUMNS.get(key, key): value for key, value in errors.items()}

    @staticmethod
    def _status_changes(instance) -> bool:
        status = getattr(instance, "import_status", "")
        if not status:
            return False
        date = getattr(instance, "import_status_date", None)
        return (status, date) != (instance.status, instance.status_date) and not (
            instance._state.adding and status == Status.NOT_ASSESSED and date is None
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        if self._status_changes(instance):
            return False
        for field in self.get_import_fields():
            if field.attribute in STATUS_FIELDS or field.column_name not in row:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                new = sorted(c.code for c in field.clean(row))
                old = sorted(c.code for c in original.owners.all())
                if new != old:
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True

    # --- saving: rows are collected, then written in bulk when every row has passed -------
    # A row-by-row save (item, audit record, owners, owners' audit record, status update, its
    # audit record, the item again) made an import of 10,000 rows take minutes. The same
    # records are written here in a handful of bulk queries: items and their history, owner
    # links and their history, and status updates planned by services.plan_status_changes.

    def before_import(self, dataset, **kwargs):
        self._new: list[ActionItem] = []
        self._changed: list[ActionItem] = []
        self._owners: dict[int, tuple[ActionItem, list]] = {}
        self._statuses: list[StatusChange] = []
        self._check_file(dataset, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        instance.document_id = instance.paragraph.document_id
        if is_create:
            self._new.append(instance)
        else:
            instance.version += 1
            self._changed.append(instance)
        if self._status_changes(instance):
            self._statuses.append(
                StatusChange(
                    item=instance,
                    status=instance.import_status,
                    date=instance.import_status_date,
                    note_ja=getattr(instance, "import_note_ja", ""),
                    note_en=getattr(instance, "import_note_en", ""),
                    source_url=getattr(instance, "import_source_url", ""),
                )
            )

    def save_m2m(self, instance, row, **kwargs):
        if "owners" not in row:
            return
        owners = self.fields["owners"].clean(row)
        if instance.pk is None or sorted(c.pk for c in owners) != sorted(
            c.pk for c in instance.owners.all()
        ):
            self._owners[id(instance)] = (instance, owners)

    def export_field(self, field, instance, **kwargs):
        # The import preview shows owners of rows not written yet.
        if field.column_name == "owners":
            pending = getattr(self, "_owners", {}).get(id(instance))
            if pending:
                return OWNER_SEPARATOR.join(sorted(c.code for c in pending[1]))
            if instance.pk is None:
                return ""
        return super().export_field(field, instance, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        result.encoding = getattr(self, "encoding", "")
        if result.has_errors() or result.has_validation_errors():
            return  # the whole import is rolled back: write nothing
        self._write(kwargs.get("user") or getattr(self, "user", None))

    def _write(self, user) -> None:
        # The untranslated columns (title, description) take the default language's text, as
        # a save() would; which language the importing user reads in must not matter.
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            self._write_all(user)

    def _write_all(self, user) -> None:
        now = timezone.now()
        history = ActionItem.history
        # Statuses are applied to the items in memory first, so each item is written (and
        # audited) once, already showing its newest update.
        updates = plan_status_changes(self._statuses, user=user)
        created = ActionItem.objects.bulk_create(self._new, batch_size=BATCH)
        records = list(history.bulk_history_create(created, batch_size=BATCH, default_user=user))
        for item in self._changed:
            item.updated_at = now
        ActionItem.objects.bulk_update(self._changed, UPDATED_FIELDS, batch_size=BATCH)
        records += history.bulk_history_create(
            self._changed, batch_size=BATCH, update=True, default_user=user
        )

        through = ActionItem.owners.through
        rewired = [item.pk for item, _owners in self._owners.values() if item in self._changed]
        through.objects.filter(actionitem_id__in=rewired).delete()
        through.objects.bulk_create(
            [
                through(actionitem_id=item.pk, country_id=c.pk)
                for item, owners in self._owners.values()
                for c in owners
            ],
            batch_size=BATCH,
        )
        self._record_owner_history(records)
        save_status_updates(updates, user=user)
        bump_data_version()  # bulk writes send no signals

    def _record_owner_history(self, records) -> None:
        """Each new audit record of an item gets the owners it has now, as save() would."""
        links: dict[int, list[tuple[int, int]]] = {}
        for link_id, item_id, country_id in ActionItem.owners.through.objects.filter(
            actionitem_id__in=[record.id for record in records]
        ).values_list("id", "actionitem_id", "country_id"):
            links.setdefault(item_id, []).append((link_id, country_id))
        m2m_history = ActionItem.history.model._meta.get_field(
            "historicalactionitem_owners"
        ).related_model
        m2m_history.objects.bulk_create(
            [
                m2m_history(
                    history=record, id=link_id, actionitem_id=record.id, country_id=country_id
                )
                for record in records
                for link_id, country_id in links.get(record.id, [])
            ],
            batch_size=BATCH,
        )

    def import_row(self, row, instance_loader, **kwargs):
        # Spreadsheets pad rows with empty cells and turn numbers into floats; tidy them.
        row = {
            key: (value.strip() if isinstance(value, str) else value) for key, value in row.items()
        }
        if isinstance(row.get("paragraph"), float) and row["paragraph"].is_integer():
            row["paragraph"] = int(row["paragraph"])
        return super().import_row(row, instance_loader, **kwargs)
