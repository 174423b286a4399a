"""The site's forms: the questions staff answer before a status changes (always when it
happened and what source says so), the admin's item and update forms, the import upload,
the review of proposed items, and signing in."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .choices import DuePrecision, Kind, Status, Strength
from .dates import today
from .models import ActionItem, Country, StatusUpdate, Theme
from .services import status_change_errors


class SetStatusForm(forms.Form):
    """The questions asked before a status is set on one or several items."""

    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    date = forms.DateField(
        label=_("Date"),
        help_text=_("When the change happened in the world (YYYY-MM-DD)."),
        initial=today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source_url = forms.URLField(
        label=_("Source URL"),
        assume_scheme="https",
        help_text=_("The public source that shows this status."),
    )
    note_ja = forms.CharField(
        label=_("Note (Japanese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note_en = forms.CharField(
        label=_("Note (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        # The status service's own rules, so the form refuses exactly what it would.
        errors = status_change_errors(
            status=cleaned.get("status", ""),
            date=cleaned.get("date"),
            source_url=cleaned.get("source_url", ""),
            require_source=True,
        )
        for field, messages in errors.items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned


class CorrectUpdateForm(SetStatusForm):
    """Correcting a recorded update: the same questions, plus what was wrong."""

    correction_reason = forms.CharField(
        label=_("What was wrong"),
        help_text=_("Shown publicly beside the corrected entry, e.g. “wrong source link”."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
    )


class RetractUpdateForm(forms.Form):
    """Withdrawing an update that should never have been recorded."""

    retraction_reason = forms.CharField(
        label=_("Why it is retracted"),
        help_text=_("Shown publicly beside the retracted entry."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
    )


class RecordUpdateForm(SetStatusForm):
    """A new update on one item: for the whole item or for one owner, as the person's role
    allows (roles.update_countries_for)."""

    country = forms.ModelChoiceField(
        label=_("For owner"),
        queryset=None,
        required=False,
        help_text=_("The owner country this update speaks for."),
    )
    field_order = ["country", "status", "date", "source_url", "note_ja", "note_en"]

    def __init__(self, *args, countries, whole_item: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        field.queryset = Country.objects.filter(pk__in=[c.pk for c in countries])
        field.required = not whole_item
        field.empty_label = _("The whole item (all owners)") if whole_item else None
        if not whole_item and len(countries) == 1:
            field.initial = countries[0].pk


# The admin's item and update forms (admin.py).


class ActionItemAdminForm(forms.ModelForm):
    """The item form, with optimistic locking: the version the editor started from travels
    with the form, and a save from a form older than the item is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ActionItem
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets decide what is shown

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


class StatusUpdateInlineForm(forms.ModelForm):
    """A new row of the timeline, checked by the same rules as the status service."""

    class Meta:
        model = StatusUpdate
        fields = "__all__"  # noqa: DJ007 - the inline's `fields` decide what is shown

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
                item_id=item_id,
                date=cleaned.get("date"),
                status=cleaned.get("status"),
                country=cleaned.get("country"),
                retracted_at__isnull=True,
            ).exists()
        ):
            errors["status"] = [_("This item already has an update with this status on this date.")]
        for field, messages_ in errors.items():
            self.add_error(field if field in self.fields else None, messages_)
        return cleaned


# The import's upload (admin_import.py).


class UploadForm(forms.Form):
    import_file = forms.FileField(
        label=_("File to import"),
        help_text=_("CSV (UTF-8 or Shift_JIS), Excel (.xlsx) or JSON."),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


# Reviewing proposed items (admin_review.py).


class ProposalForm(forms.Form):
    accept = forms.BooleanField(label=_("Accept"), required=False)
    paragraph = forms.IntegerField(widget=forms.HiddenInput)
    ref = forms.CharField(label=_("Ref"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    strength = forms.ChoiceField(
        label=_("Strength"), choices=[("", "—"), *Strength.choices], required=False
    )
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    owners = forms.CharField(label=_("Owners"), help_text=_("ISO codes separated by “;”."))
    theme = forms.ChoiceField(label=_("Theme"), choices=())
    starts_on = forms.DateField(label=_("Starts on"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False)
    due_precision = forms.ChoiceField(
        label=_("Precision"), choices=[("", "—"), *DuePrecision.choices], required=False
    )
    due_text = forms.CharField(label=_("As written"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = list(Theme.objects.values_list("slug", "name"))


ProposalFormSet = forms.formset_factory(ProposalForm, extra=0)


# Signing in to the admin (admin.site.login_form).


class StaffAuthenticationForm(AdminAuthenticationForm):
    """Signing in to the admin. Django's admin answers a right password of an account that
    is not staff with the same words as a wrong password, so the person tries other
    passwords, and those count towards the lockout (django-axes). This form says what is
    the matter instead. (The right password itself is never counted.)"""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_staff": _(
            "The password is right, but this account has no access to the staff pages, so "
            "there is no need to try again. Ask an administrator to give the account a role."
        ),
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)  # refuses inactive accounts
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")
