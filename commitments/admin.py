"""Staff edit the record here. Status changes go through `services.item_set_status` from
every entry point: the item form's update inline, the list's status column and the bulk action."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import admin_review, admin_staff, status_rule
from .admin_import import StagedImportMixin
from .choices import Status
from .dates import today
from .figures import ref_order
from .forms import (
    ActionItemAdminForm,
    SetStatusForm,
    StaffAuthenticationForm,
    StatusUpdateInlineForm,
)
from .importing.items import IMPORTED_COLUMNS, import_items
from .importing.updates import UPDATE_COLUMNS, import_updates
from .middleware import is_valid_id
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
from .resources import ActionItemResource, BomCSV
from .roles import (
    focal_countries,
    group_label,
    is_administrator,
    item_change_refusal,
    may_change_item,
    update_countries_for,
)
from .services import (
    item_delete,
    item_delete_refusal,
    item_refresh_status,
    item_set_status,
)


class ReadableHistory(HistoricalRecordContextHelper):
    """History in words: choice labels instead of codes ("Completed", not "completed"), a
    dash for an empty value, owners by name, in the reader's language."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return [str(v) for v in value] or ["—"]
        if field.choices and value not in (None, ""):
            return str(dict(field.flatchoices).get(value, value))
        if value in (None, ""):
            return "—"
        return value


class StaffPagesMixin:
    """A ModelAdmin's pages beyond its list and form: each of `staff_pages` is (route, view,
    URL name), the view a function `view(request, admin_site, **kwargs)` (admin_staff.py,
    admin_review.py), served behind the admin's login (admin_view); it checks its own
    permissions."""

    staff_pages: list[tuple[str, Callable, str]] = []

    def get_urls(self):
        site = self.admin_site
        pages = [
            path(route, site.admin_view(partial(view, admin_site=site)), name=name)
            for route, view, name in self.staff_pages
        ]
        # Before the admin's own, whose "<path:object_id>/" would take them.
        return [*pages, *super().get_urls()]


class AuditedAdmin(SimpleHistoryAdmin):
    """The history pages are for reading. simple-history's "Revert" would save an old version
    whole (status included, without a status update) and around the roles' checks; with
    SIMPLE_HISTORY_REVERT_DISABLED it hides the button but still accepts the POST."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        # An id in the address that no record can have is "not found", not a server error.
        # (simple-history unquotes the id of this view, but not those of history_form_view.)
        if not is_valid_id(self.model, unquote(object_id)):
            raise Http404(_("There is no such record."))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                _("Old versions are for reading; make corrections as a new edit.")
            )
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not (is_valid_id(self.model, object_id) and is_valid_id(history_model, version_id)):
            raise Http404(_("There is no such record."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ItemInlineFormSet(BaseInlineFormSet):
    """Items on their paragraph's page: "Delete" obeys the same rule as the item's own delete
    page (services.item_delete_refusal), and an administrator's delete removes the item's
    updates with it, audited, instead of failing on them (they are PROTECTed from cascades).
    Django's admin already refuses, with a message, any other delete that PROTECT forbids."""

    request_user = None

    def delete_existing(self, obj, commit=True):
        if commit:
            item_delete(item=obj, user=self.request_user)
        else:
            super().delete_existing(obj, commit=commit)


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
class DocumentAdmin(StaffPagesMixin, AuditedAdmin, TranslationAdmin):
    staff_pages = [
        (
            "<path:object_id>/review-proposals/",
            admin_review.review_view,
            "commitments_document_review",
        ),
    ]
    list_display = ["slug", "title", "meeting", "signed_on", "place"]
    search_fields = ["slug", "title_ja", "title_en", "meeting_ja", "meeting_en"]
    autocomplete_fields = ["participants"]
    inlines = [SectionInline, ParagraphInline, SignatoryInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and StatusUpdate.objects.filter(item__document=obj).exists():
            return is_administrator(request.user)
        return super().has_delete_permission(request, obj)


class ActionItemInline(TranslationStackedInline):
    """Items edited from their paragraph's page: the same optimistic lock as the item's own
    form (the version travels with each row), and the same delete rules."""

    model = ActionItem
    extra = 0
    form = ActionItemAdminForm
    fields = [
        "expected_version",
        ("ref", "kind", "strength", "theme"),
        "title",
        "description",
        "owners",
        ("starts_on", "due_date", "due_precision", "due_text"),
        "organisations",
    ]
    autocomplete_fields = ["owners"]
    show_change_link = True
    formset = ItemInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        user = request.user
        protected_check = formset.form.hand_clean_DELETE

        def hand_clean_DELETE(form):
            # The item's own rule replaces Django's "protected objects" refusal: an
            # administrator may delete an item with its updates; nobody else may.
            if form.cleaned_data.get("DELETE") and form.instance.pk:
                refusal = item_delete_refusal(form.instance, user)
                if refusal:
                    raise ValidationError(refusal)
                if form.instance.updates.exists():
                    return
            protected_check(form)

        formset.form = type(
            formset.form.__name__, (formset.form,), {"hand_clean_DELETE": hand_clean_DELETE}
        )
        formset.request_user = user
        return formset


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


class StatusUpdateInline(TranslationStackedInline):
    """The item's timeline. Existing updates are read-only (the history is append-only);
    new rows are saved through the status service, never directly.

    Stacked, a few fields to a line (admin.css), so that the form fits the window: as a table
    its two notes and the source URL made the item page about 2,500 px wide."""

    model = StatusUpdate
    form = StatusUpdateInlineForm
    extra = 0
    # The notes are named per language to keep them on one line (modeltranslation would
    # flatten a group holding "note").
    fields = [
        ("date", "status", "country"),
        "source_url",
        ("note_ja", "note_en"),
        ("recorded", "fix_links"),
    ]
    readonly_fields = ["recorded", "fix_links"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # "For owner": only the item's owners, and for a focal point only their own.
        if db_field.name == "country":
            object_id = request.resolver_match.kwargs.get("object_id")
            item = (
                ActionItem.objects.filter(pk=object_id).first()
                if str(object_id).isdigit()
                else None
            )
            countries, whole_item = update_countries_for(request.user, item) if item else ([], True)
            kwargs["queryset"] = Country.objects.filter(pk__in=[c.pk for c in countries])
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.required = not whole_item
            field.empty_label = _("The whole item (all owners)") if whole_item else None
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("recorded"))
    def recorded(self, obj: StatusUpdate) -> str:
        if not obj.pk:
            return ""
        who = str(obj.recorded_by) if obj.recorded_by else "—"
        state = ""
        if obj.retracted_at:
            state = " · " + _("retracted: %(reason)s") % {"reason": obj.retraction_reason}
        elif obj.corrected_at:
            state = " · " + _("corrected: %(reason)s") % {"reason": obj.correction_reason}
        return f"{who}, {date_format(localtime(obj.recorded_at), 'SHORT_DATE_FORMAT')}{state}"

    @admin.display(description=_("fix"))
    def fix_links(self, obj: StatusUpdate) -> str:
        # Only the links the person may follow: a focal point fixes their own countries'
        # updates, never a whole-item update nor another owner's (get_queryset annotates).
        if not obj.pk or obj.retracted_at or not getattr(obj, "fixable", False):
            return ""
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:commitments_statusupdate_correct", args=[obj.pk]),
            _("Correct"),
            reverse("admin:commitments_statusupdate_retract", args=[obj.pk]),
            _("Retract"),
        )

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
        return super().get_queryset(request).select_related("recorded_by").fixable_by(request.user)


@admin.register(ActionItem)
class ActionItemAdmin(
    StaffPagesMixin, StagedImportMixin, ExportMixin, AuditedAdmin, TranslationAdmin
):
    list_display = [
        "ref",
        "title",
        "owner_codes",
        "theme",
        "due",
        "status",
        "overdue",
        "document_slug",
    ]
    list_display_links = ["ref", "title"]
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
                    ("kind", "strength"),
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
    # Export through django-import-export (resources.py); import through our own staged
    # preview and confirmation (admin_import.py, importing/items.py).
    resource_classes = [ActionItemResource]
    formats = [BomCSV, base_formats.XLSX, base_formats.JSON]
    to_encoding = "utf-8-sig"
    import_export_change_list_template = "admin/commitments/actionitem/change_list.html"
    import_kind = "items"
    import_permission = "commitments.import_actionitem"
    import_columns = IMPORTED_COLUMNS

    def run_import(self, table, *, user, commit, snapshot):
        return import_items(table, user=user, commit=commit, snapshot=snapshot)

    staff_pages = [
        ("queue/", admin_staff.queue_view, "commitments_queue"),
        (
            "<path:object_id>/record-update/",
            admin_staff.record_update_view,
            "commitments_actionitem_record_update",
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if focal_countries(request.user) is not None:
            return self.FOCAL_POINT_READONLY
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_change_item(request.user, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin refuses a change it does not permit with a bare PermissionDenied; say why.
        if request.method == "POST" and object_id is not None:
            item = self.get_object(request, object_id)
            if item is not None and not self.has_change_permission(request, item):
                raise PermissionDenied(item_change_refusal(request.user, item))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.updates.exists():
            return is_administrator(request.user)
        return True

    def get_deleted_objects(self, objs, request):
        """An administrator may delete items with their status updates: list the updates as
        deleted with them rather than as protected (they are removed first, item_delete)."""
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        items = list(objs)
        updates = list(StatusUpdate.objects.filter(item__in=items).select_related("item"))
        if protected and updates and is_administrator(request.user):
            collector = NestedObjects(using=router.db_for_write(ActionItem))
            collector.collect(items)
            if all(isinstance(obj, StatusUpdate) for obj in collector.protected):
                to_delete = [*to_delete, [str(update) for update in updates]]
                counts[StatusUpdate._meta.verbose_name_plural] = len(updates)
                protected = []
        return to_delete, counts, perms_needed, protected

    def delete_model(self, request, obj):
        item_delete(item=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        refusals = [r for r in (item_delete_refusal(i, request.user) for i in queryset) if r]
        if refusals:
            raise PermissionDenied(" ".join(refusals))
        with transaction.atomic():
            for item in queryset:
                item_delete(item=item, user=request.user)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("document", "theme", "paragraph")
            .prefetch_related(
                Prefetch("owners", queryset=Country.objects.order_by("code")), "updates"
            )
        )

    def get_list_display(self, request):
        # A list narrowed to one document need not repeat it on every row.
        if "document__id__exact" in request.GET:
            return [name for name in self.list_display if name != "document_slug"]
        return self.list_display

    @admin.display(description=_("document"), ordering="document")
    def document_slug(self, obj: ActionItem) -> str:
        # The slug, not the statement's full title: the list must fit beside its filters.
        return obj.document.slug

    @admin.display(description=_("owners"))
    def owner_codes(self, obj: ActionItem) -> str:
        owners = list(obj.owners.all())
        groups = status_rule.breakdown(obj.updates.all(), owners)
        if not groups:
            return " ".join(country.code for country in owners)
        # Owners with their own statuses: "CN FR GB RU: Completed · US: In progress".
        return " · ".join(
            f"{' '.join(c.code for c in countries)}: {Status(status).label}"
            for status, countries in groups
        )

    @admin.display(description=_("due"), ordering="due_date")
    def due(self, obj: ActionItem) -> str:
        return obj.due_display or "—"

    @admin.display(description=_("overdue"), empty_value="")
    def overdue(self, obj: ActionItem) -> str:
        # Words, not Django's boolean icons: those would show "not overdue" as a red cross.
        return _("Overdue") if obj.is_overdue_on(today()) else ""

    def save_model(self, request, obj, form, change):
        if change and not may_change_item(request.user, obj):
            # A forged form post for an item the user may not change.
            raise PermissionDenied(_("You may change only items that one of your countries owns."))
        super().save_model(request, obj, form, change)

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
                    country=data.get("country"),
                )
            except ValidationError as error:
                # Checked by the form already; a concurrent duplicate is the only way here.
                # (A PermissionDenied from the service's role check is not caught: the whole
                # save is rolled back and the reason shown.)
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
        if focal_countries(request.user) is not None:
            # A bulk status speaks for whole items; focal points speak for their country,
            # one item at a time, from the work queue.
            self.message_user(
                request,
                _(
                    "Focal points record updates for their own country from the work queue (“Add update”), not for whole items."
                ),
                messages.ERROR,
            )
            return None
        if "apply" in request.POST and form.is_valid():
            # All or nothing: if any item refuses the change, none records it.
            items = list(queryset.order_by("document", "paragraph__number", "id"))
            failed = []
            with transaction.atomic():
                for item in items:
                    try:
                        item_set_status(item=item, user=request.user, **form.cleaned_data)
                    except ValidationError as error:
                        failed.append(f"{item.ref}: {' '.join(error.messages)}")
                if failed:
                    transaction.set_rollback(True)
            if failed:
                self.message_user(
                    request,
                    _("Nothing was recorded: %(problems)s") % {"problems": " ".join(failed)},
                    messages.ERROR,
                )
                return None
            self.message_user(
                request,
                ngettext("Status set on %(n)d item.", "Status set on %(n)d items.", len(items))
                % {"n": len(items)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set status"),
            "form": form,
            # Refs in numeric order (2.1 before 10.1), as the public list sorts them.
            "items": queryset.order_by(*ref_order()),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commitments/set_status.html", context)


@admin.register(StatusUpdate)
class StatusUpdateAdmin(StaffPagesMixin, StagedImportMixin, AuditedAdmin, TranslationAdmin):
    """A read-only view of all updates; new ones are added from the item's page, the work
    queue, or an import of the update log (one row per update; see importing/updates.py)."""

    import_kind = "updates"
    import_permission = "commitments.add_statusupdate"
    import_columns = UPDATE_COLUMNS
    change_list_template = "admin/commitments/statusupdate/change_list.html"

    def run_import(self, table, *, user, commit, snapshot):
        return import_updates(table, user=user, commit=commit)

    staff_pages = [
        ("<path:object_id>/correct/", admin_staff.correct_view, "commitments_statusupdate_correct"),
        ("<path:object_id>/retract/", admin_staff.retract_view, "commitments_statusupdate_retract"),
    ]

    # Few, narrow columns, so that the list fits beside its filters at 1280 px.
    list_display = [
        "item",
        "date",
        "status_change",
        "source_link",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["status", "item__document", "item__theme"]
    list_select_related = ["item", "recorded_by"]
    search_fields = ["item__ref", "note_ja", "note_en", "source_url"]
    date_hierarchy = "date"

    @admin.display(description=_("status"), ordering="status")
    def status_change(self, obj: StatusUpdate) -> str:
        if obj.previous_status and obj.previous_status != obj.status:
            return f"{obj.get_previous_status_display()} → {obj.get_status_display()}"
        return obj.get_status_display()

    @admin.display(description=_("source"))
    def source_link(self, obj: StatusUpdate) -> str:
        # The site's name; the whole address is the link (and its tooltip).
        if not obj.source_url:
            return "—"
        return format_html(
            '<a href="{}" title="{}" rel="noopener">{}</a>',
            obj.source_url,
            obj.source_url,
            (urlsplit(obj.source_url).hostname or obj.source_url[:50]).removeprefix("www."),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The public timeline is append-only: a wrong entry is corrected or retracted (both
        # shown publicly); only an administrator may remove one outright.
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


class GroupFilter(admin.RelatedFieldListFilter):
    """The user list's group filter, with the roles' names in the reader's language."""

    def field_choices(self, field, request, model_admin):
        groups = Group.objects.order_by("name")
        return [(group.pk, group_label(group)) for group in groups]


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)
# Says "no access to the staff pages" to a right password of a non-staff account (forms.py).
admin.site.login_form = StaffAuthenticationForm


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    """Users. Putting someone in a role (Groups) makes them staff, and taking their last role
    away takes staff access away (roles.py); superusers are left alone."""

    inlines = [FocalPointInline]
    list_display = [*UserAdmin.list_display, "roles"]
    list_filter = ["is_staff", "is_superuser", "is_active", ("groups", GroupFilter)]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("groups"))
    def roles(self, user) -> str:
        return ", ".join(sorted(group_label(group) for group in user.groups.all())) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = group_label
        return field


@admin.register(Group)
class TrackerGroupAdmin(GroupAdmin):
    """Groups keep their English names (code finds the roles by them); the list shows what
    the users see."""

    list_display = ["name", "label"]

    @admin.display(description=_("shown as"), ordering="name")
    def label(self, group: Group) -> str:
        return group_label(group)


admin.site.site_header = _("Commitment tracker: staff")
admin.site.site_title = _("Commitment tracker")
admin.site.index_title = _("Keeping the record")
