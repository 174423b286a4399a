"""Staff edit the record here. Status changes go through `services.item_set_status` from
every entry point: the item form's update inline, the list's status column and the bulk action."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from .choices import Status
from .forms import SetStatusForm
from .models import (
    ActionItem,
    Country,
    Document,
    FocalPoint,
    Paragraph,
    Section,
    Signatory,
    StatusUpdate,
    Theme,
)
from .querysets import today
from .resources import ActionItemResource, DetectingCSV
from .roles import focal_countries, is_administrator, may_change_item
from .services import item_refresh_status, item_set_status, status_change_errors


class SizeLimitedImportForm(ImportForm):
    """The admin's import form, refusing files over IMPORT_MAX_UPLOAD_BYTES before reading them."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class AuditedAdmin(SimpleHistoryAdmin):
    """The history pages are for reading. simple-history's "Revert" would save an old version
    whole (status included, without a status update) and around the roles' checks; with
    SIMPLE_HISTORY_REVERT_DISABLED it hides the button but still accepts the POST."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                _("Old versions are for reading; make corrections as a new edit.")
            )
        return super().history_form_view(request, object_id, version_id, extra_context)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


@admin.register(Country)
class CountryAdmin(TranslationAdmin):
    list_display = ["code", "name_ja", "name_en"]
    search_fields = ["code", "name_ja", "name_en"]


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["slug", "name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ("name_en",)}


class SectionInline(TranslationTabularInline):
    model = Section
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["country"]


class ParagraphInline(admin.StackedInline):
    model = Paragraph
    extra = 0
    fields = [("number", "section"), "text", "text_en"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the sections of the document being edited are offered.
        if db_field.name == "section":
            document_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(document_id=document_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Document)
class DocumentAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ["slug", "title", "meeting", "signed_on", "place"]
    search_fields = ["slug", "title_ja", "title_en", "meeting_ja", "meeting_en"]
    autocomplete_fields = ["participants"]
    inlines = [SectionInline, ParagraphInline, SignatoryInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and StatusUpdate.objects.filter(item__document=obj).exists():
            return is_administrator(request.user)
        return super().has_delete_permission(request, obj)


class ActionItemInline(TranslationStackedInline):
    model = ActionItem
    extra = 0
    fields = [
        ("ref", "kind", "theme"),
        "title",
        "description",
        "owners",
        ("starts_on", "due_date", "due_precision", "due_text"),
        "organisations",
    ]
    autocomplete_fields = ["owners"]
    show_change_link = True


@admin.register(Paragraph)
class ParagraphAdmin(AuditedAdmin):
    list_display = ["__str__", "document", "section"]
    list_filter = ["document"]
    list_select_related = ["document", "section"]
    search_fields = ["text", "text_en"]
    inlines = [ActionItemInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and StatusUpdate.objects.filter(item__paragraph=obj).exists():
            return is_administrator(request.user)
        return super().has_delete_permission(request, obj)


class StatusUpdateInlineForm(forms.ModelForm):
    """A new row of the timeline, checked by the same rules as the status service."""

    class Meta:
        model = StatusUpdate
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        errors = status_change_errors(
            status=cleaned.get("status", ""),
            date=cleaned.get("date"),
            source_url=cleaned.get("source_url", ""),
            require_source=True,
        )
        item_id = self.instance.item_id
        if (
            not errors
            and item_id
            and StatusUpdate.objects.filter(
                item_id=item_id, date=cleaned.get("date"), status=cleaned.get("status")
            ).exists()
        ):
            errors["status"] = [_("This item already has an update with this status on this date.")]
        for field, messages_ in errors.items():
            self.add_error(field if field in self.fields else None, messages_)
        return cleaned


class StatusUpdateInline(TranslationTabularInline):
    """The item's timeline. Existing updates are read-only (the history is append-only);
    new rows are saved through the status service, never directly."""

    model = StatusUpdate
    form = StatusUpdateInlineForm
    extra = 0
    fields = [
        "date",
        "status",
        "note",
        "source_url",
        "previous_status",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = ["previous_status", "recorded_by", "recorded_at"]
    ordering = ["date", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or may_change_item(request.user, obj)
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class ActionItemAdminForm(forms.ModelForm):
    """The item form, with optimistic locking: the version the editor started from travels
    with the form, and a save from a form older than the item is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ActionItem
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        edited = [name for name in self.changed_data if name != "expected_version"]
        if not self.instance.pk or not edited:
            return cleaned
        # Lock the row until the admin's transaction ends, so two saves cannot both pass.
        current = ActionItem.objects.select_for_update().only("version").get(pk=self.instance.pk)
        expected = cleaned.get("expected_version")
        if expected != current.version:
            last = (
                self.instance.history.order_by("-history_date")
                .select_related("history_user")
                .first()
            )
            who = str(last.history_user) if last and last.history_user else _("someone else")
            when = date_format(localtime(last.history_date), "DATETIME_FORMAT") if last else "?"
            raise forms.ValidationError(
                _(
                    "This item was changed by %(who)s at %(when)s, after you opened it. "
                    "Reload the page to see their changes, then make yours again."
                )
                % {"who": who, "when": when},
                code="stale",
            )
        self.instance.version = current.version + 1
        return cleaned


@admin.register(ActionItem)
class ActionItemAdmin(ImportExportMixin, AuditedAdmin, TranslationAdmin):
    list_display = [
        "ref",
        "title",
        "owner_codes",
        "theme",
        "due",
        "status",
        "overdue",
        "document",
    ]
    list_display_links = ["ref", "title"]
    list_editable = ["status"]
    list_filter = [
        "status",
        "theme",
        ("owners", admin.RelatedOnlyFieldListFilter),
        "document",
        "kind",
        OverdueFilter,
    ]
    search_fields = ["ref", "title_ja", "title_en", "paragraph__text", "paragraph__text_en"]
    list_per_page = 100
    autocomplete_fields = ["owners", "paragraph"]
    readonly_fields = ["status", "status_date", "updated_at"]
    # What a focal point sees read-only: every field of the item (they add status updates).
    # (TranslationAdmin shows title and description as their per-language fields.)
    FOCAL_POINT_READONLY = [
        "paragraph",
        "ref",
        "kind",
        "theme",
        "title_ja",
        "title_en",
        "description_ja",
        "description_en",
        "owners",
        "organisations",
        "starts_on",
        "due_date",
        "due_precision",
        "due_text",
        "status",
        "status_date",
        "updated_at",
    ]
    form = ActionItemAdminForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "paragraph",
                    "ref",
                    "kind",
                    "theme",
                    "title",
                    "description",
                    "owners",
                    "organisations",
                    "expected_version",
                ]
            },
        ),
        (_("Deadline"), {"fields": [("starts_on", "due_date", "due_precision"), "due_text"]}),
        (
            _("Status (change it by adding an update below)"),
            {"fields": [("status", "status_date"), "updated_at"]},
        ),
    ]
    inlines = [StatusUpdateInline]
    actions = ["set_status"]
    # Import and export (django-import-export): preview, then confirm; see resources.py.
    resource_classes = [ActionItemResource]
    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/commitments/actionitem/import.html"
    formats = [DetectingCSV, base_formats.XLSX, base_formats.JSON]
    to_encoding = "utf-8-sig"

    def get_readonly_fields(self, request, obj=None):
        if focal_countries(request.user) is not None:
            return self.FOCAL_POINT_READONLY
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_change_item(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.updates.exists():
            return is_administrator(request.user)
        return True

    def delete_queryset(self, request, queryset):
        if (
            not is_administrator(request.user)
            and StatusUpdate.objects.filter(item__in=queryset).exists()
        ):
            raise PermissionDenied(
                _("Only an administrator may delete items that have status updates.")
            )
        super().delete_queryset(request, queryset)

    def get_import_data_kwargs(self, **kwargs):
        # A confirmed import with any invalid row writes nothing at all.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("document", "theme", "paragraph")
            .prefetch_related(Prefetch("owners", queryset=Country.objects.order_by("code")))
        )

    def get_changelist_form(self, request, **kwargs):
        # The list offers the status column; save_model routes the change through the
        # service rather than writing the field.
        class StatusChangeForm(forms.ModelForm):
            status = forms.ChoiceField(choices=Status.choices, label=_("status"))

            class Meta:
                model = ActionItem
                fields = []

            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if self.instance.pk:
                    self.initial["status"] = self.instance.status

        return StatusChangeForm

    @admin.display(description=_("owners"))
    def owner_codes(self, obj: ActionItem) -> str:
        return " ".join(country.code for country in obj.owners.all())

    @admin.display(description=_("due"), ordering="due_date")
    def due(self, obj: ActionItem) -> str:
        return obj.due_display or "—"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: ActionItem) -> bool:
        return obj.is_overdue_on(today())

    def save_model(self, request, obj, form, change):
        if change and not may_change_item(request.user, obj):
            # A forged list-edit or form post for an item the user may not change.
            raise PermissionDenied
        new_status = form.cleaned_data.get("status") if "status" in form.changed_data else None
        if new_status is None or not change:
            super().save_model(request, obj, form, change)
            return
        try:
            item_set_status(item=obj, status=new_status, date=today(), user=request.user)
        except ValidationError as error:
            self.message_user(request, f"{obj.ref}: {' '.join(error.messages)}", messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(ref)s: status recorded without a source. Add the source on the item's page.")
                % {"ref": obj.ref},
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not StatusUpdate:
            super().save_formset(request, form, formset, change)
            return
        # The formset's own save() would write the rows directly; record each new row through
        # the service instead, and tell the admin's change message what was added.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for update_form in formset.extra_forms:
            if not update_form.has_changed() or not update_form.is_valid():
                continue
            data = update_form.cleaned_data
            try:
                update = item_set_status(
                    item=form.instance,
                    status=data["status"],
                    date=data["date"],
                    user=request.user,
                    note_ja=data.get("note_ja", ""),
                    note_en=data.get("note_en", ""),
                    source_url=data.get("source_url", ""),
                )
            except ValidationError as error:
                # Checked by the form already; a concurrent duplicate is the only way here.
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            formset.new_objects.append(update)

    @admin.action(description=_("Set status of selected items…"), permissions=["change"])
    def set_status(self, request, queryset):
        form = SetStatusForm(request.POST if "apply" in request.POST else None)
        refused = [item.ref for item in queryset if not may_change_item(request.user, item)]
        if refused:
            self.message_user(
                request,
                _("You may not change these items (not owned by your countries): %(refs)s")
                % {"refs": ", ".join(refused)},
                messages.ERROR,
            )
            return None
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, []
            for item in queryset:
                try:
                    item_set_status(item=item, user=request.user, **form.cleaned_data)
                    done += 1
                except ValidationError as error:
                    failed.append(f"{item.ref}: {' '.join(error.messages)}")
            if done:
                self.message_user(
                    request,
                    ngettext("Status set on %(n)d item.", "Status set on %(n)d items.", done)
                    % {"n": done},
                    messages.SUCCESS,
                )
            for failure in failed:
                self.message_user(request, failure, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set status"),
            "form": form,
            "items": queryset.order_by("document", "ref"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commitments/set_status.html", context)


@admin.register(StatusUpdate)
class StatusUpdateAdmin(AuditedAdmin, TranslationAdmin):
    """A read-only view of all updates; new ones are added from the item's page."""

    list_display = [
        "item",
        "date",
        "previous_status",
        "status",
        "source_link",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["status", "item__document", "item__theme"]
    list_select_related = ["item", "recorded_by"]
    search_fields = ["item__ref", "note_ja", "note_en", "source_url"]
    date_hierarchy = "date"

    @admin.display(description=_("source"))
    def source_link(self, obj: StatusUpdate) -> str:
        if not obj.source_url:
            return "—"
        return format_html_join(
            "", '<a href="{}" rel="noopener">{}</a>', [(obj.source_url, obj.source_url[:50])]
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The public timeline is append-only; only an administrator may remove a wrong entry.
        return is_administrator(request.user)

    def delete_model(self, request, obj):
        item = obj.item
        super().delete_model(request, obj)
        item_refresh_status(item=item, user=request.user)

    def delete_queryset(self, request, queryset):
        items = list({update.item for update in queryset.select_related("item")})
        super().delete_queryset(request, queryset)
        for item in items:
            item_refresh_status(item=item, user=request.user)


class FocalPointInline(admin.StackedInline):
    """The countries a staff member answers for, when they are in the Focal points group."""

    model = FocalPoint
    can_delete = True
    autocomplete_fields = ["countries"]
    verbose_name_plural = _("countries this user answers for (focal points only)")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [FocalPointInline]
