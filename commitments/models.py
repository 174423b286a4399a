"""The domain: documents signed at meetings, their sections and paragraphs, the action items
each paragraph commits to, and the dated, sourced status updates that say what became of them.

Models with translated fields get their audit history in `translation.py`, after
modeltranslation has added the per-language columns, so the history copies those too.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import DocumentKind, DuePrecision, Kind, Status, Strength
from .dates import format_due, today
from .querysets import ActionItemQuerySet, StatusUpdateQuerySet

# A ref is the paragraph number, then item numbers, then at most one letter: 25, 25.2, 25.2.1,
# 25.2a. Nothing else: a ref is part of a URL and a file key, so `/`, `..`, spaces and invisible
# characters must never get in. The database enforces the same pattern (item_ref_grammar).
REF_PATTERN = r"^[0-9]+(\.[0-9]+)*[a-z]?$"
validate_ref = RegexValidator(
    REF_PATTERN,
    _(
        "A ref is the paragraph number, a dot and the item number, e.g. 25.2 (digits and dots, "
        "optionally one lower-case letter at the end)."
    ),
    code="invalid_ref",
)

ROMAN_NUMERALS = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ", "Ⅺ", "Ⅻ"]


def path_to(name: str, *args: str) -> str:
    """reverse(name, args), remembered per script prefix and language: a page links to the same
    countries, themes and items over and over (a dashboard made ~150 reverse() calls), and the
    URL of an object does not change while the URL configuration does not. The language is in
    the public pages' addresses (/ja/…, /en/…)."""
    return _reversed(get_script_prefix(), get_language(), name, args)


@lru_cache(maxsize=16384)
def _reversed(prefix: str, language: str | None, name: str, args: tuple) -> str:
    return reverse(name, args=args)


@receiver(setting_changed)
def _forget_reversed(setting, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reversed.cache_clear()


class CountryManager(models.Manager):
    def get_by_natural_key(self, code: str) -> Country:
        return self.get(code=code)


class Country(models.Model):
    """A country by its ISO 3166-1 alpha-2 code, named in every site language."""

    code = models.CharField(
        _("ISO code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. TM.")
    )
    name = models.CharField(_("name"), max_length=100)

    objects = CountryManager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_two_capital_letters"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def get_absolute_url(self) -> str:
        return path_to("commitments:country-detail", self.code)


class ThemeManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Theme:
        return self.get(slug=slug)


class Theme(models.Model):
    """A subject the action items are grouped under on the dashboard."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = ThemeManager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return path_to("commitments:theme-detail", self.slug)


class DocumentManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Document:
        return self.get(slug=slug)


class Document(models.Model):
    """A signed text (joint statement, road map, …) whose lines are tracked."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(
        _("kind"), max_length=30, choices=DocumentKind.choices, default=DocumentKind.JOINT_STATEMENT
    )
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    meeting = models.CharField(_("meeting"), max_length=300, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    original_language = models.CharField(
        _("original language"),
        max_length=10,
        default="ja",
        help_text=_("Language code of the authentic text, e.g. ja."),
    )
    participants = models.ManyToManyField(
        Country, related_name="documents", blank=True, verbose_name=_("participants")
    )
    preamble = models.TextField(
        _("preamble (original)"), blank=True, help_text=_("Verbatim, as signed.")
    )
    preamble_en = models.TextField(
        _("preamble (English translation)"),
        blank=True,
        help_text=_("The project's own translation; not an official text."),
    )
    closing = models.TextField(_("closing line (original)"), blank=True)
    closing_en = models.TextField(_("closing line (English translation)"), blank=True)

    objects = DocumentManager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-signed_on", "slug"]

    def __str__(self) -> str:
        return f"{self.meeting} {self.title}".strip()

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return path_to("commitments:document-detail", self.slug)


class SignatoryManager(models.Manager):
    def get_by_natural_key(self, document_slug: str, order: int) -> Signatory:
        return self.get(document__slug=document_slug, order=order)


class Signatory(models.Model):
    """A person who signed a document, as printed at its end."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("document")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name (original)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    position = models.CharField(_("title (original)"), max_length=300, blank=True)
    position_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="signatories",
        null=True,
        blank=True,
        verbose_name=_("country"),
    )

    objects = SignatoryManager()

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["document", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "order"], name="unique_signatory_order_per_document"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (*self.document.natural_key(), self.order)

    natural_key.dependencies = ["commitments.document"]


class SectionManager(models.Manager):
    def get_by_natural_key(self, document_slug: str, number: int) -> Section:
        return self.get(document__slug=document_slug, number=number)


class Section(models.Model):
    """A numbered heading (Ⅰ, Ⅱ, …) of a document."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="sections", verbose_name=_("document")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    objects = SectionManager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="unique_section_number_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.numeral}．{self.title}"

    @property
    def title_original(self) -> str:
        """The title as written in the document's own language."""
        return getattr(self, f"title_{self.document.original_language}", "") or self.title

    @property
    def numeral(self) -> str:
        if 1 <= self.number <= len(ROMAN_NUMERALS):
            return ROMAN_NUMERALS[self.number - 1]
        return str(self.number)

    def natural_key(self) -> tuple:
        return (*self.document.natural_key(), self.number)

    natural_key.dependencies = ["commitments.document"]


class ParagraphManager(models.Manager):
    def get_by_natural_key(self, document_slug: str, number: int) -> Paragraph:
        return self.get(document__slug=document_slug, number=number)


class Paragraph(models.Model):
    """A numbered paragraph: the authentic text, verbatim, and the project's translation."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("document")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("section")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(
        _("text (original)"),
        help_text=_(
            "Verbatim, as signed. Blocks inside the paragraph are separated by a line break."
        ),
    )
    text_en = models.TextField(
        _("text (English translation)"),
        blank=True,
        help_text=_("The project's own translation; not an official text."),
    )

    history = HistoricalRecords()
    objects = ParagraphManager()

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="unique_paragraph_number_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"¶{self.number} {self.text[:40]}"

    def natural_key(self) -> tuple:
        return (*self.document.natural_key(), self.number)

    natural_key.dependencies = ["commitments.document", "commitments.section"]

    def clean(self) -> None:
        if self.section_id and self.document_id and self.section.document_id != self.document_id:
            raise ValidationError({"section": _("The section belongs to another document.")})

    @property
    def anchor(self) -> str:
        return f"p{self.number}"

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#{self.anchor}"


class ActionItemManager(models.Manager.from_queryset(ActionItemQuerySet)):
    def get_by_natural_key(self, document_slug: str, ref: str) -> ActionItem:
        return self.get(document__slug=document_slug, ref=ref)


class ActionItem(models.Model):
    """One trackable thing a paragraph commits to, with its owners, deadline and status.

    `status` and `status_date` mirror the newest StatusUpdate; only
    `commitments.services.item_set_status` writes them.
    """

    Status = Status
    Kind = Kind
    DuePrecision = DuePrecision

    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("document"),
        editable=False,
        help_text=_("Always the paragraph's document; kept here for filtering and uniqueness."),
    )
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.PROTECT, related_name="items", verbose_name=_("paragraph")
    )
    ref = models.CharField(
        _("ref"),
        max_length=20,
        validators=[validate_ref],
        help_text=_("Paragraph number and item number, e.g. 25.2. Unique within the document."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    strength = models.CharField(
        _("commitment strength"),
        max_length=12,
        choices=Strength.choices,
        blank=True,
        help_text=_(
            "How firmly the text commits, from its verb: decision > intention > agreement > "
            "support > welcome > note."
        ),
    )
    owners = models.ManyToManyField(
        Country,
        related_name="action_items",
        verbose_name=_("owner countries"),
        help_text=_("The countries responsible; where the text names only some, exactly those."),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="items", verbose_name=_("theme")
    )
    organisations = models.CharField(_("organisations named"), max_length=300, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("The last day of the period the text fixes: “2016” is 2016-12-31."),
    )
    due_precision = models.CharField(
        _("due date precision"), max_length=5, choices=DuePrecision.choices, blank=True
    )
    due_text = models.CharField(
        _("deadline as written"), max_length=100, blank=True, help_text=_("e.g. ２０１６年")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_ASSESSED,
        help_text=_("Set by the newest status update; change it by adding an update."),
    )
    status_date = models.DateField(_("status date"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Goes up with every edit of the item's fields; a save from a stale form is refused."
        ),
    )

    objects = ActionItemManager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["document", "paragraph__number", "ref"]
        permissions = [
            ("import_actionitem", _("Can import action items from a file")),
            ("export_actionitem", _("Can export action items to a file")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "ref"], name="unique_item_ref_per_document"
            ),
            models.CheckConstraint(
                condition=Q(ref__regex=REF_PATTERN),
                name="item_ref_grammar",
                violation_error_message=_("The ref is not of the form 25.2."),
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(due_date__isnull=False, starts_on__lte=F("due_date")),
                name="item_starts_on_not_after_due_date",
                violation_error_message=_("The start date must not be after the due date."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True, due_precision="")
                | (Q(due_date__isnull=False) & ~Q(due_precision="")),
                name="item_due_date_has_precision",
                violation_error_message=_(
                    "A due date needs a precision (day, month or year), and a precision needs a date."
                ),
            ),
        ]
        indexes = [
            # Covering indexes: (status, due_date) serves the status filter and counts overdue
            # items from the index alone, one range per open status (querysets.overdue);
            # (theme, status, due_date) does the same within a theme, and counts a theme's
            # items by status without reading a row.
            models.Index(fields=["status", "due_date"], name="item_status_due_idx"),
            models.Index(fields=["theme", "status", "due_date"], name="item_theme_status_idx"),
            models.Index(fields=["due_date"], name="item_due_date_idx"),
            models.Index(fields=["document", "paragraph", "id"], name="item_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def natural_key(self) -> tuple:
        return (*self.document.natural_key(), self.ref)

    natural_key.dependencies = ["commitments.paragraph", "commitments.theme", "commitments.country"]

    def get_absolute_url(self) -> str:
        return path_to("commitments:item-detail", self.document.slug, self.ref)

    def date_errors(self) -> dict[str, str]:
        """What is wrong with the deadline fields, by field (no database access)."""
        errors: dict[str, str] = {}
        if self.starts_on and not self.due_date:
            errors["due_date"] = _("A start date needs a due date.")
        if self.starts_on and self.due_date and self.starts_on > self.due_date:
            errors["starts_on"] = _("The start date must not be after the due date.")
        if self.due_date and not self.due_precision:
            errors["due_precision"] = _("Say how exactly the text fixes the date.")
        if self.due_precision and not self.due_date:
            errors["due_date"] = _("A precision needs a due date.")
        return errors

    def take_paragraphs_document(self) -> None:
        """An item's document is always its paragraph's, whatever the caller passed. save()
        and clean() apply this rule, and so does the importer (its bulk_create skips save())."""
        if self.paragraph_id is not None:
            self.document_id = self.paragraph.document_id

    def clean(self) -> None:
        errors = self.date_errors()
        self.take_paragraphs_document()
        if self.paragraph_id is not None:
            duplicate = ActionItem.objects.filter(document_id=self.document_id, ref=self.ref)
            if self.ref and duplicate.exclude(pk=self.pk).exists():
                errors["ref"] = _("Another item of this document already has this ref.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.take_paragraphs_document()
        # modeltranslation writes the untranslated columns (title, description) with what
        # they read in the active language: in the default language, so that they hold
        # title_ja (else title_en) whichever language the person saving reads in.
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            super().save(*args, **kwargs)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    def is_overdue_on(self, day: datetime.date) -> bool:
        # The rules live in figures.py, defined once for the pages, the CSV, the API and here.
        from .figures import is_overdue

        return is_overdue(self, day)

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(today())

    @property
    def is_completed_late(self) -> bool:
        from .figures import is_completed_late

        return is_completed_late(self)

    @property
    def due_display(self) -> str:
        return format_due(self.starts_on, self.due_date, self.due_precision)


class StatusUpdateManager(models.Manager.from_queryset(StatusUpdateQuerySet)):
    def get_by_natural_key(
        self, document_slug: str, ref: str, date: str, status: str, country: str | None = None
    ):
        return self.get(
            item__document__slug=document_slug,
            item__ref=ref,
            date=date,
            status=status,
            country__code=country,
            retracted_at__isnull=True,
        )


class StatusUpdate(models.Model):
    """A dated change of an item's status, with the public source it rests on. Append-only."""

    # PROTECT: no cascade may ever remove the public record; deleting an item with updates
    # is an administrator's explicit act that removes the updates first (admin.py).
    item = models.ForeignKey(
        ActionItem, on_delete=models.PROTECT, related_name="updates", verbose_name=_("action item")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_status_updates",
        verbose_name=_("for owner"),
        help_text=_("Leave empty when the update speaks for the item as a whole."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    date = models.DateField(_("date"), help_text=_("When the change happened in the world."))
    note = models.TextField(_("note"), blank=True)
    source_url = models.URLField(
        _("source URL"), max_length=500, blank=True, help_text=_("The public source this rests on.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_updates",
        verbose_name=_("recorded by"),
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Corrections keep the record honest without rewriting it silently: the audit trail keeps
    # what was there, and the public timeline says the entry was corrected or retracted.
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True, editable=False)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True, editable=False)
    retraction_reason = models.TextField(_("reason for the retraction"), blank=True)

    objects = StatusUpdateManager()

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["item", "date", "recorded_at", "pk"]
        get_latest_by = ["date", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "date", "status"],
                condition=Q(country__isnull=True, retracted_at__isnull=True),
                name="unique_update_per_item_date_status",
            ),
            models.UniqueConstraint(
                fields=["item", "country", "date", "status"],
                condition=Q(country__isnull=False, retracted_at__isnull=True),
                name="unique_owner_update_per_item_date_status",
            ),
            # Every published status rests on a public source, whichever path wrote it.
            models.CheckConstraint(
                condition=Q(status=Status.NOT_ASSESSED) | ~Q(source_url=""),
                name="status_update_has_source",
                violation_error_message=_("Give the public source that shows this status."),
            ),
        ]
        indexes = [models.Index(fields=["-date", "-recorded_at"], name="update_newest_idx")]

    def __str__(self) -> str:
        return f"{self.item.ref}: {self.get_status_display()} ({self.date:%Y-%m-%d})"

    def natural_key(self) -> tuple:
        key = (*self.item.natural_key(), self.date.isoformat(), self.status)
        return (*key, self.country.code) if self.country_id else key

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    natural_key.dependencies = ["commitments.actionitem"]


class FocalPoint(models.Model):
    """A staff member who answers for one or more countries' items (the "Focal points" role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="focal_point",
        verbose_name=_("user"),
    )
    countries = models.ManyToManyField(
        Country, related_name="focal_points", verbose_name=_("countries")
    )

    class Meta:
        verbose_name = _("country focal point")
        verbose_name_plural = _("country focal points")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class DataVersion(models.Model):
    """A counter that goes up with every change to the tracked data, in the same transaction.

    Cached public pages are keyed by it (see cache.py), so a page can never be served from
    cache after the data behind it changed, in any process."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")

    def __str__(self) -> str:
        return str(self.version)


class StagedImport(models.Model):
    """An uploaded file between its preview and its confirmation.

    The file itself is kept here (not in a server's temporary folder), so the confirmation can
    reach any web process or machine, and only through the random token handed to the user
    and session that uploaded it. `snapshot` holds each affected item's version as previewed,
    so a confirmation refuses rows someone changed in between."""

    class Kind(models.TextChoices):
        ITEMS = "items", _("Action items")
        UPDATES = "updates", _("Status updates")

    token = models.CharField(_("token"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staged_imports",
        verbose_name=_("user"),
    )
    session_key_hash = models.CharField(_("session"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    content = models.BinaryField(_("content"))
    snapshot = models.JSONField(_("versions as previewed"), default=dict)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staged import")
        verbose_name_plural = _("staged imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# --- Maintained summaries (summaries.py) --------------------------------------------------
# Derived rows, never edited by hand: every write that changes an item's theme, document,
# kind, status, due date, strength, owners or updates brings them up to date in its own
# transaction, and `recompute_summaries` rebuilds them from scratch (and says what had
# drifted).


class OwnerStatus(models.Model):
    """One owner's own status on one item (status_rule, rule 1), kept in step with the item's
    owners and updates."""

    item = models.ForeignKey(
        ActionItem,
        on_delete=models.CASCADE,
        related_name="owner_statuses",
        verbose_name=_("action item"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="owner_statuses",
        verbose_name=_("owner country"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    status_date = models.DateField(_("status date"), null=True, blank=True)
    own = models.BooleanField(
        _("own update decides"),
        default=False,
        help_text=_("True when the country's own update decides, false when the item's does."),
    )

    class Meta:
        verbose_name = _("owner status")
        verbose_name_plural = _("owner statuses")
        ordering = ["item", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "country"], name="unique_owner_status_per_item_and_country"
            )
        ]
        indexes = [
            # Covering for "items on which country C's own status is S" and C's counts.
            models.Index(fields=["country", "status", "item"], name="owner_status_country_idx")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.country_id}: {self.status}"


class CountedItem(models.Model):
    """An item's theme, document, kind, status, due month and strength as the summary counts
    hold them, so that a change can take off exactly what the item had added before adding
    what it adds now."""

    item = models.OneToOneField(
        ActionItem,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="counted",
        verbose_name=_("action item"),
    )
    theme_key = models.BigIntegerField(_("theme"))
    document_key = models.BigIntegerField(_("document"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    due_month = models.PositiveIntegerField(
        _("due month"), default=0, help_text=_("YYYYMM of the due date; 0 without one.")
    )
    strength = models.CharField(
        _("commitment strength"), max_length=12, choices=Strength.choices, blank=True
    )

    class Meta:
        verbose_name = _("counted item")
        verbose_name_plural = _("counted items")
        ordering = ["item"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


class StatusCount(models.Model):
    """How many items of one kind are in one status: per theme, document or commitment
    strength by the item's status, per owner country (or theme and owner country) by the
    country's own status. (The kind is kept for the completion rates, which count only some
    kinds: figures.py.)"""

    class Scope(models.TextChoices):
        THEME = "theme", _("theme")
        DOCUMENT = "document", _("document")
        COUNTRY = "country", _("owner country")
        THEME_COUNTRY = "theme_country", _("theme and owner country")
        DUE_MONTH = "due_month", _("month of the due date")
        STRENGTH = "strength", _("commitment strength")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    #: The theme, document or country id; for THEME_COUNTRY the theme's; YYYYMM for
    #: DUE_MONTH; for STRENGTH the strength's rank (Strength.rank: 0 for a decision).
    key = models.BigIntegerField(_("key"))
    #: The country id for THEME_COUNTRY, else 0 (not NULL: NULLs never conflict in a unique
    #: index, and the counts are written with INSERT … ON CONFLICT).
    key2 = models.BigIntegerField(_("second key"), default=0)
    #: Empty for the counts by due month, which do not look at the kind.
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("status count")
        verbose_name_plural = _("status counts")
        ordering = ["scope", "key", "key2", "kind", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "key2", "kind", "status"], name="unique_status_count"
            ),
        ]
        # No CHECK (count >= 0): SQLite and PostgreSQL test it on the row an upsert proposes
        # before they find the conflict, so taking one off would always fail. summaries._apply
        # refuses a count below zero instead, looking it up in an index that is always empty.
        indexes = [
            models.Index(fields=["scope", "key2"], name="status_count_key2_idx"),
            models.Index(
                fields=["count"], condition=Q(count__lt=0), name="status_count_negative_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}/{self.key2} {self.kind} {self.status}: {self.count}"
