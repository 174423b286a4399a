"""Forms staff fill in: a status change always asks when it happened and what source says so."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Status
from .querysets import today
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
        from .models import Country

        field = self.fields["country"]
        field.queryset = Country.objects.filter(pk__in=[c.pk for c in countries])
        field.required = not whole_item
        field.empty_label = _("The whole item (all owners)") if whole_item else None
        if not whole_item and len(countries) == 1:
            field.initial = countries[0].pk
