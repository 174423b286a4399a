"""Reading uploaded text files whose encoding nobody wrote down."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS (CP932)"))


def decode_upload(raw: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), else Shift_JIS/CP932 as Excel in Japan saves CSV.

    Returns the text and a label for the encoding used. Binary files are refused."""
    if b"\x00" in raw[:4096]:
        raise ValidationError(
            _(
                "This is not a CSV file (it contains binary data). Save it from your spreadsheet as CSV."
            )
        )
    for codec, label in ENCODINGS:
        try:
            return raw.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file is neither UTF-8 nor Shift_JIS text. Save it as “CSV UTF-8” and try again.")
    )
