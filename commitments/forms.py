"""Forms staff fill in: a status change always asks when it happened and what source says so."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Status
from .querysets import today


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

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date
