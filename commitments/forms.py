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
